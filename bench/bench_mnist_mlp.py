"""One epoch of SGD on the 5,000-image MNIST training subset, MLP 784-256-128-10 (ReLU, softmax
cross-entropy, batch 64, float32): nnviz's Trainer against a plain hand-written NumPy loop doing
the same arithmetic, and against PyTorch CPU (if installed: pip install torch==2.13.0), side by
side in one run. Prints seconds per epoch (median of repeats), GFLOP/s and the ratios.
The Trainer's diagnostics (eval_every), the playground's steps/s and BLAS threads:
bench_trainer_overhead.py.

    python bench/bench_mnist_mlp.py [--data ../shared/data/mnist] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnviz.data.mnist_files import SHARED_MNIST, load_mnist  # noqa: E402
from nnviz.nn.network import Network  # noqa: E402
from nnviz.nn.training import TrainConfig, Trainer  # noqa: E402

SIZES = [784, 256, 128, 10]
BATCH = 64
LR = 0.05


def flops_per_epoch(n: int) -> float:
    """Multiply-adds x2 of forward (X@W) and backward (dW and dX, no dX for the input layer)."""
    pairs = list(zip(SIZES[:-1], SIZES[1:], strict=True))
    forward = sum(2 * a * b for a, b in pairs)
    backward = sum(2 * a * b for a, b in pairs) + sum(2 * a * b for a, b in pairs[1:])
    return n * (forward + backward)


def epoch_nnviz(X: np.ndarray, y: np.ndarray, seed: int) -> float:
    net = Network.mlp(SIZES, activation="relu", output="softmax", init="he_normal", seed=seed)
    tr = Trainer(net, TrainConfig(loss="cross_entropy", optimizer="sgd", learning_rate=LR, batch_size=BATCH,
                                  seed=seed, eval_every=0), X, y)
    t0 = time.perf_counter()
    tr.run(epochs=1)
    elapsed = time.perf_counter() - t0
    assert tr.diverged is None
    return elapsed


def epoch_numpy(X: np.ndarray, y: np.ndarray, seed: int) -> float:
    """The same arithmetic, written out by hand: no classes, no registries, no checks."""
    rng = np.random.default_rng(seed)
    Ws = [(rng.standard_normal((a, b)) * np.sqrt(2.0 / a)).astype(np.float32) for a, b in zip(SIZES[:-1], SIZES[1:], strict=True)]
    bs = [np.zeros(b, np.float32) for b in SIZES[1:]]
    onehot = np.eye(10, dtype=np.float32)[y]
    order = rng.permutation(len(X))
    t0 = time.perf_counter()
    for i in range(0, len(X), BATCH):
        idx = order[i : i + BATCH]
        x0, t = X[idx], onehot[idx]
        z1 = x0 @ Ws[0] + bs[0]
        a1 = np.maximum(z1, 0)
        z2 = a1 @ Ws[1] + bs[1]
        a2 = np.maximum(z2, 0)
        z3 = a2 @ Ws[2] + bs[2]
        e = np.exp(z3 - z3.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        d3 = (p - t) / len(idx)
        gW3, gb3 = a2.T @ d3, d3.sum(axis=0)
        d2 = (d3 @ Ws[2].T) * (z2 > 0)
        gW2, gb2 = a1.T @ d2, d2.sum(axis=0)
        d1 = (d2 @ Ws[1].T) * (z1 > 0)
        gW1, gb1 = x0.T @ d1, d1.sum(axis=0)
        for w, g in zip(Ws + bs, [gW1, gW2, gW3, gb1, gb2, gb3], strict=True):
            w -= LR * g
    return time.perf_counter() - t0


def epoch_torch(X: np.ndarray, y: np.ndarray, seed: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(seed)
    layers: list = []
    for a, b in zip(SIZES[:-1], SIZES[1:], strict=True):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X.copy()), torch.from_numpy(y.copy())
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
    t0 = time.perf_counter()
    for i in range(0, len(X), BATCH):
        idx = order[i : i + BATCH]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(Xt[idx]), yt[idx])
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(SHARED_MNIST))
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    mnist = load_mnist(args.data)
    X = np.ascontiguousarray(mnist.X_train.reshape(len(mnist.X_train), -1), dtype=np.float32)
    y = mnist.y_train.astype(np.int64)
    times: dict[str, list[float]] = {"nnviz Trainer": [], "plain NumPy loop": [], "PyTorch CPU": []}
    # The two NumPy runners are interleaved, so machine noise hits both alike (the first round is a
    # warm-up). PyTorch runs in a block of its own afterwards: its OpenMP threads keep spinning
    # for a while after each run and would slow down whatever ran next.
    for r in range(args.repeats + 1):
        for name, fn in (("nnviz Trainer", epoch_nnviz), ("plain NumPy loop", epoch_numpy)):
            t = fn(X, y, seed=r)
            if r > 0:
                times[name].append(t)
    for r in range(args.repeats + 1):
        t = epoch_torch(X, y, seed=r)
        if t is not None and r > 0:
            times["PyTorch CPU"].append(t)
    gflop = flops_per_epoch(len(X)) / 1e9
    print(f"MNIST 5k subset, MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float32, "
          f"{gflop:.2f} GFLOP per epoch, median of {args.repeats}")
    medians = {name: statistics.median(ts) for name, ts in times.items() if ts}
    for name, t in medians.items():
        print(f"  {name:18s} {t * 1000:8.1f} ms/epoch   {gflop / t:6.1f} GFLOP/s")
    ours = medians["nnviz Trainer"]
    print(f"  ratio nnviz / NumPy loop: {ours / medians['plain NumPy loop']:.2f}  (target <= 1.25)")
    if "PyTorch CPU" in medians:
        import torch

        print(f"  ratio nnviz / PyTorch:    {ours / medians['PyTorch CPU']:.2f}  (target < 1; torch {torch.__version__}, "
              f"{torch.get_num_threads()} threads)")
    else:
        print("  PyTorch not installed: pip install torch==2.13.0 for the side-by-side comparison")


if __name__ == "__main__":
    main()
