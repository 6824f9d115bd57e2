"""A live Sequences run: a simple RNN and a readout on every step, trained by backpropagation through
time on a toy task; and what the page measures on it.

The network: ``SimpleRNN`` (the engine's layer) over (n, T, 1) inputs, then ``Dense(1)`` on every
h_t, linear for the sine task (mean squared error) or a sigmoid for the bit tasks (binary
cross-entropy); only the steps of the task's mask count (with the readout on the last step, only
the last one). A step: forward, loss, backward through
the readout and through time (cut every ``truncate`` steps), gradients clipped to global norm
``clip``, one optimizer update; a step whose loss or weights are not finite is refused and the run
is marked diverged, keeping the last finite weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from nnviz.data import sequences
from nnviz.labs.sequences.experiment import LIVE_FIELDS, N_TEST, N_TRAIN, SequenceExperiment
from nnviz.nn import losses, optimizers
from nnviz.nn.clipping import clip_global_norm, global_norm
from nnviz.nn.layers import Dense, SimpleRNN, spectral_radius

EVAL_EVERY = 10  # test loss every this many steps
PROBE = 32  # test sequences the gradient's reach is measured on


@dataclass(eq=False)
class SequenceRun:
    """The model and its training state (weights, optimizer, step, history)."""

    experiment: SequenceExperiment
    train_set: sequences.SequenceSet
    test_set: sequences.SequenceSet
    rnn: SimpleRNN
    readout: Dense
    optimizer: optimizers.Optimizer
    rng: np.random.Generator
    step: int = 0
    diverged: int | None = None
    losses: list[float] = field(default_factory=list)  # train loss of every step
    eval_steps: list[int] = field(default_factory=list)
    test_losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)  # before clipping, every step

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {**{f"rnn.{k}": v for k, v in self.rnn.params.items()},
                **{f"readout.{k}": v for k, v in self.readout.params.items()}}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {**{f"rnn.{k}": v for k, v in self.rnn.grads.items()},
                **{f"readout.{k}": v for k, v in self.readout.grads.items()}}

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    @property
    def rho(self) -> float:
        """The spectral radius of W_h now."""
        return spectral_radius(self.rnn.params["W_h"])


def _optimizer(exp: SequenceExperiment) -> optimizers.Optimizer:
    return optimizers.create(exp.optimizer, exp.learning_rate)


def _counted(data: sequences.SequenceSet, exp: SequenceExperiment) -> sequences.SequenceSet:
    """``data`` with only its last step counted when the readout is on the last step."""
    if exp.readout == "every step":
        return data
    mask = np.zeros_like(data.mask)
    mask[-1] = True
    return replace(data, mask=mask)


def build(exp: SequenceExperiment) -> SequenceRun:
    """Step 0 of ``exp``: its train and test sequences (seeded), the network, the optimizer."""
    make = dict(lag=exp.lag, noise=exp.noise)
    train_set = _counted(sequences.make(exp.task, N_TRAIN, exp.length, exp.seed, **make), exp)
    test_set = _counted(sequences.make(exp.task, N_TEST, exp.length, exp.seed + 10_000, **make), exp)
    rng = np.random.default_rng(exp.seed)
    rnn = SimpleRNN(exp.hidden, activation=exp.activation, truncate=exp.truncate, spectral_radius=exp.spectral_radius)
    rnn.build((exp.length, 1), rng, np.dtype(np.float32))
    rnn.needs_input_grad = False
    readout = Dense(1)
    readout.build((exp.hidden,), rng, np.dtype(np.float32))
    run = SequenceRun(exp, train_set, test_set, rnn, readout, _optimizer(exp), rng)
    _evaluate_now(run)
    return run


def _outputs(run: SequenceRun, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(h (n, T, H), prediction (n, T): the readout, through the sigmoid for bits)."""
    h = run.rnn.forward(X)
    n, steps, units = h.shape
    z = run.readout.forward(h.reshape(n * steps, units)).reshape(n, steps)
    return h, (1.0 / (1.0 + np.exp(-z)) if run.experiment.kind == "bits" else z)


def _loss(run: SequenceRun, pred: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean loss over the masked steps and dL/dz (n, T) for the readout's sums (0 off the mask)."""
    p, t = pred[:, mask].reshape(-1, 1), y[:, mask].reshape(-1, 1)
    dz = np.zeros_like(pred)
    if run.experiment.kind == "bits":
        loss = losses.get("binary_cross_entropy")
        grad = loss.fused_grad(p, t)  # sigmoid + cross-entropy: (p - y) / count
    else:
        loss = losses.get("mse")
        grad = loss.grad(p, t)  # a linear readout: dL/dz = dL/dp
    dz[:, mask] = grad.reshape(len(pred), -1)
    return loss.value(p, t), dz


def _backward(run: SequenceRun, h: np.ndarray, dz: np.ndarray) -> None:
    n, steps, units = h.shape
    dh = run.readout.backward(dz.reshape(n * steps, 1).astype(h.dtype))
    run.rnn.backward(dh.reshape(n, steps, units))


def evaluate(run: SequenceRun, data: sequences.SequenceSet) -> tuple[float, float]:
    """(mean loss, accuracy over the masked steps; NaN for the sine task) of the model as it is."""
    with np.errstate(all="ignore"):
        _, pred = _outputs(run, data.X)
        y = data.y[..., 0]
        loss, _ = _loss(run, pred, y, data.mask)
    if run.experiment.kind != "bits":
        return loss, math.nan
    return loss, float(np.mean((pred[:, data.mask] > 0.5) == (y[:, data.mask] > 0.5)))


def _evaluate_now(run: SequenceRun) -> None:
    run.eval_steps.append(run.step)
    run.test_losses.append(evaluate(run, run.test_set)[0])


def train(run: SequenceRun, steps: int) -> int:
    """Up to ``steps`` mini-batch steps (none once diverged); returns the steps done."""
    exp, data = run.experiment, run.train_set
    done = 0
    for _ in range(int(steps)):
        if run.diverged is not None:
            break
        idx = run.rng.choice(len(data.X), size=min(exp.batch_size, len(data.X)), replace=False)
        X, y = data.X[idx], data.y[idx, :, 0]
        with np.errstate(all="ignore"):
            h, pred = _outputs(run, X)
            loss, dz = _loss(run, pred, y, data.mask)
            _backward(run, h, dz)
            grads = run.grads
            norm = clip_global_norm(grads, exp.clip) if exp.clip > 0 else global_norm(grads)
        if not (math.isfinite(loss) and math.isfinite(norm)):
            run.diverged = run.step
            break
        before = {k: v.copy() for k, v in run.params.items()}
        run.optimizer.step(run.params, grads)
        if not all(np.all(np.isfinite(p)) for p in run.params.values()):
            for k, p in run.params.items():
                p[...] = before[k]
            run.diverged = run.step
            break
        run.step += 1
        done += 1
        run.losses.append(loss)
        run.grad_norms.append(norm)
        if run.step % EVAL_EVERY == 0:
            _evaluate_now(run)
    return done


def update(run: SequenceRun, new: SequenceExperiment) -> tuple[SequenceRun, str, str]:
    """Apply ``new``: training settings to the running model ("live"), anything else rebuilds it
    ("reset"); with a message naming what changed ("none" and "" when nothing did)."""
    changed = run.experiment.changed(new)
    if not changed:
        return run, "none", ""
    if all(f in LIVE_FIELDS for f in changed):
        if "optimizer" in changed:
            run.optimizer = _optimizer(new)
        else:
            run.optimizer.set_hyperparams(learning_rate=new.learning_rate)
        run.experiment = new
        return run, "live", f"Applied while training, weights and step kept: {', '.join(changed)}."
    return build(new), "reset", f"New {', '.join(changed)}: the model was reset to step 0."


# ---- what the page shows ------------------------------------------------------------------------

def _last_step_backward(run: SequenceRun, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Forward ``X`` (n, T, 1), then back through time from the last step's loss alone; returns the
    hidden states (n, T, H) and leaves ∂L/∂h_t in ``run.rnn.dh_steps`` (the training's truncation)."""
    with np.errstate(all="ignore"):
        h, pred = _outputs(run, X)
        last = np.zeros(X.shape[1], bool)
        last[-1] = True
        _, dz = _loss(run, pred, y, last)
        _backward(run, h, dz)
    return h


def gradient_reach(run: SequenceRun) -> np.ndarray:
    """(T,) ‖∂L/∂h_t‖, L the last step's loss: the gradient that reaches each step's hidden state
    (test sequences, the training's truncation); how vanishing or exploding gradients look in time."""
    data = run.test_set
    _last_step_backward(run, data.X[:PROBE], data.y[:PROBE, :, 0])
    return np.nan_to_num(run.rnn.dh_norms, nan=np.inf)


def sequence_view(run: SequenceRun, i: int = 0) -> dict[str, np.ndarray]:
    """Test sequence ``i``: "x", "y", "prediction" (T,), "mask" (T,) and "h" (H, T) hidden states."""
    data = run.test_set
    with np.errstate(all="ignore"):
        h, pred = _outputs(run, data.X[i:i + 1])
    return {"x": data.X[i, :, 0], "y": data.y[i, :, 0], "prediction": pred[0], "mask": data.mask, "h": h[0].T}


@dataclass(frozen=True)
class StepNumbers:
    """One step t of test sequence 0, forward and backward, for the last step's loss:
    z_t = x_t W_x + h_{t−1} W_h + b, h_t = σ(z_t); δ_t = ∂L/∂h_t (L: the last step's loss),
    ∂L/∂z_t = δ_t ⊙ σ'(z_t), ∂L/∂h_{t−1} = (∂L/∂z_t) W_hᵀ (0 at a truncation cut). Steps from 0."""

    t: int
    x: float
    h_prev: np.ndarray
    z: np.ndarray
    h: np.ndarray
    dh: np.ndarray
    dz: np.ndarray
    dh_prev: np.ndarray
    cut: bool  # truncated BPTT stops here


def step_numbers(run: SequenceRun, t: int) -> StepNumbers:
    """``StepNumbers`` at step ``t`` (1 .. T − 1); ``ValueError`` outside."""
    exp, data = run.experiment, run.test_set
    if not 1 <= int(t) <= exp.length - 1:
        raise ValueError(f"step t must be in 1..{exp.length - 1}, got {t}")
    t = int(t)
    h = _last_step_backward(run, data.X[0:1], data.y[0:1, :, 0])[0]  # (T, H)
    dh = run.rnn.dh_steps[0]  # ∂L/∂h_s for every step s (0 before a truncation cut)
    p = run.rnn.params
    x = data.X[0, t]
    z = x @ p["W_x"] + h[t - 1] @ p["W_h"] + p["b"]
    dz = run.rnn.fn.backward(z[None], h[t][None], dh[t][None])[0]
    cut = bool(exp.truncate and t % exp.truncate == 0)
    return StepNumbers(t, float(x[0]), h[t - 1], z, h[t], dh[t], dz, dh[t - 1], cut)
