"""What the Trainer costs beyond the arithmetic of training, side by side in one run.

1. One epoch of SGD on the 5,000-image MNIST subset, MLP 784-256-128-10 (as bench_mnist_mlp.py):
   a plain hand-written NumPy loop, the Trainer without diagnostics (eval_every=0), with the
   default diagnostics (eval_every=10, no validation set; also with eval_size=500 instead of
   2000), with the playground's schedule (eval_every=5) and like the digits page (a validation
   set of 500, eval_size=500, probe 64, four evaluations per epoch). Runners are interleaved round
   by round (the first round is a warm-up), so machine noise hits all alike; medians and ratios.
2. Trainer steps per second on the playground's default experiment (circles, 500 points,
   2-4-4-2 tanh, softmax + cross-entropy, Adam, batch 10): diagnostics on (its eval_every) and
   off, against a plain NumPy loop of the same network.

Prints; never asserts on time. ``--threads N`` limits the BLAS threads (threadpoolctl, if
installed; otherwise set OPENBLAS_NUM_THREADS=N in the environment). ``--blas-ab`` runs every
runner twice per round, with the BLAS library's default threads and with one thread, interleaved
(needs threadpoolctl: pip install threadpoolctl; the app does not need it).

    python bench/bench_trainer_overhead.py [--repeats 5] [--tiny-steps 2000] [--threads 1 | --blas-ab]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_mnist_mlp import BATCH, LR, SIZES, epoch_numpy  # noqa: E402

from nnviz.data.mnist_files import SHARED_MNIST, load_mnist  # noqa: E402
from nnviz.labs.playground.experiment import Experiment  # noqa: E402
from nnviz.labs.playground.run import build  # noqa: E402
from nnviz.nn.network import Network  # noqa: E402
from nnviz.nn.training import TrainConfig, Trainer  # noqa: E402


def mnist_trainer(eval_every: int, val: bool = False, eval_size: int = 2000) -> Callable[[np.ndarray, np.ndarray, int], float]:
    """One epoch of the Trainer; ``val``: hold out 500 images and evaluate like the digits page."""

    def epoch(X: np.ndarray, y: np.ndarray, seed: int) -> float:
        net = Network.mlp(SIZES, activation="relu", output="softmax", init="he_normal", seed=seed)
        if val:
            steps = -(-(len(X) - 500) // BATCH)
            cfg = TrainConfig(loss="cross_entropy", optimizer="sgd", learning_rate=LR, batch_size=BATCH,
                              seed=seed, eval_every=max(1, steps // 4))
            tr = Trainer(net, cfg, X[500:], y[500:], X[:500], y[:500], probe_size=64, eval_size=500)
        else:
            cfg = TrainConfig(loss="cross_entropy", optimizer="sgd", learning_rate=LR, batch_size=BATCH,
                              seed=seed, eval_every=eval_every)
            tr = Trainer(net, cfg, X, y, eval_size=eval_size)
        t0 = time.perf_counter()
        tr.run(epochs=1)
        elapsed = time.perf_counter() - t0
        assert tr.diverged is None
        return elapsed

    return epoch


def tiny_trainer(eval_every: int | None, steps: int) -> Callable[[], float]:
    """Seconds for ``steps`` Trainer steps of the playground's default run (None: its own eval_every)."""

    def go() -> float:
        run = build(Experiment())
        if eval_every is not None:
            run.trainer.configure(run.trainer.config.replace(eval_every=eval_every))
        run.train(10)  # warm caches
        t0 = time.perf_counter()
        run.train(steps)
        return time.perf_counter() - t0

    return go


def tiny_numpy(steps: int) -> Callable[[], float]:
    """The same 2-4-4-2 tanh/softmax network with Adam, written out by hand (the floor)."""

    def go() -> float:
        run = build(Experiment())
        X, y = run.data.F_train, run.data.y_train
        rng = np.random.default_rng(0)
        Ws = [W.copy() for W, _ in ((run.net.params[f"dense{i}.W"], None) for i in range(3))]
        bs = [run.net.params[f"dense{i}.b"].copy() for i in range(3)]
        params = Ws + bs
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        onehot = np.eye(2, dtype=np.float32)[y]
        lr, b1, b2, eps, B = 0.03, 0.9, 0.999, 1e-8, 10
        order, pos = rng.permutation(len(X)), 0
        t0 = time.perf_counter()
        for t in range(1, steps + 1):
            if pos + B > len(X):
                order, pos = rng.permutation(len(X)), 0
            idx = order[pos : pos + B]
            pos += B
            x0, tt = X[idx], onehot[idx]
            a1 = np.tanh(x0 @ Ws[0] + bs[0])
            a2 = np.tanh(a1 @ Ws[1] + bs[1])
            z3 = a2 @ Ws[2] + bs[2]
            e = np.exp(z3 - z3.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            d3 = (p - tt) / B
            d2 = (d3 @ Ws[2].T) * (1 - a2 * a2)
            d1 = (d2 @ Ws[1].T) * (1 - a1 * a1)
            grads = [x0.T @ d1, a1.T @ d2, a2.T @ d3, d1.sum(0), d2.sum(0), d3.sum(0)]
            for w, g, mm, vv in zip(params, grads, m, v, strict=True):
                mm *= b1
                mm += (1 - b1) * g
                vv *= b2
                vv += (1 - b2) * (g * g)
                w -= (lr / (1 - b1**t)) * mm / (np.sqrt(vv / (1 - b2**t)) + eps)
        return time.perf_counter() - t0

    return go


def interleaved(runners: dict[str, Callable[[], float]], repeats: int, blas_ab: bool = False) -> dict[str, float]:
    """Median seconds of each runner, rounds interleaved, round 0 a warm-up; ``blas_ab``: each
    runner also with one BLAS thread (name + " [1 thread]"), right after its default run."""
    if blas_ab:
        runners = {k: v for name, fn in runners.items()
                   for k, v in ((name, fn), (f"{name} [1 thread]", lambda fn=fn: _one_thread(fn)))}
    times: dict[str, list[float]] = {name: [] for name in runners}
    for r in range(repeats + 1):
        for name, fn in runners.items():
            t = fn()
            if r:
                times[name].append(t)
    return {name: statistics.median(ts) for name, ts in times.items()}


def _suffix(name: str) -> str:
    """The thread-setting suffix of a runner's name: ratios compare like with like."""
    return " [1 thread]" if name.endswith(" [1 thread]") else ""


def _one_thread(fn: Callable[[], float]) -> float:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return fn()


def thread_limit(threads: int | None):
    if threads is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        sys.exit("--threads needs threadpoolctl (pip install threadpoolctl), or set OPENBLAS_NUM_THREADS")
    return threadpool_limits(limits=threads)


def blas_threads() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    return ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info()) or "no BLAS found"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(SHARED_MNIST))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tiny-steps", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=None, help="BLAS threads (needs threadpoolctl)")
    ap.add_argument("--blas-ab", action="store_true", help="each runner with default and with 1 BLAS thread")
    ap.add_argument("--skip-mnist", action="store_true")
    args = ap.parse_args()
    if args.blas_ab:
        try:
            import threadpoolctl  # noqa: F401
        except ImportError:
            sys.exit("--blas-ab needs threadpoolctl (pip install threadpoolctl)")
    with thread_limit(args.threads):
        print(f"BLAS: {blas_threads()}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        if not args.skip_mnist:
            mnist = load_mnist(args.data)
            X = np.ascontiguousarray(mnist.X_train.reshape(len(mnist.X_train), -1), dtype=np.float32)
            y = mnist.y_train.astype(np.int64)
            seeds = iter(range(10**6))
            fns = {
                "plain NumPy loop": epoch_numpy,
                "Trainer eval_every=0": mnist_trainer(0),
                "Trainer eval_every=10 (default)": mnist_trainer(10),
                "Trainer eval_every=10, eval_size=500": mnist_trainer(10, eval_size=500),
                "Trainer eval_every=5 (playground)": mnist_trainer(5),
                "Trainer digits page (val 500)": mnist_trainer(0, val=True),
            }
            med = interleaved({k: (lambda f=f: f(X, y, next(seeds) % 7)) for k, f in fns.items()}, args.repeats,
                              args.blas_ab)
            print(f"MNIST 5k, MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, one epoch, median of {args.repeats}")
            for name, t in med.items():
                base = med["plain NumPy loop" + _suffix(name)]
                print(f"  {name:45s} {t * 1000:8.1f} ms/epoch   x{t / base:5.2f} of the NumPy loop")
        n = args.tiny_steps
        exp = Experiment()
        eval_every = build(exp).trainer.config.eval_every
        med = interleaved({
            "plain NumPy loop (Adam)": tiny_numpy(n),
            "Trainer eval_every=0": tiny_trainer(0, n),
            f"Trainer eval_every={eval_every} (playground)": tiny_trainer(None, n),
            "Trainer eval_every=10": tiny_trainer(10, n),
        }, args.repeats, args.blas_ab)
        print(f"Playground default ({exp.describe()}, {exp.n_points} points), {n} steps, median of {args.repeats}")
        for name, t in med.items():
            base = med["plain NumPy loop (Adam)" + _suffix(name)]
            print(f"  {name:45s} {n / t:8.0f} steps/s  {t / n * 1e6:7.1f} us/step   x{t / base:5.2f} of the NumPy loop")


if __name__ == "__main__":
    main()
