"""Training: a validated, frozen ``TrainConfig`` and a step-wise, resumable ``Trainer``.

A page trains in short chunks (``trainer.run(steps=20)``) and may change the learning rate,
optimizer settings, batch size or regularization between chunks with ``configure`` without
losing the model or the optimizer's state. Divergence stops the run and sets ``diverged`` to a
step and ``diverged_reason`` to why, one rule for every page: a non-finite loss, gradient or
parameter (the step is the one not taken; the last finite parameters are kept), or, seen at the
evaluations, a non-finite training loss or one that exploded: above ``blowup`` x its value
before the first step for at least half of the last ``BLOWUP_WINDOW`` evaluations, the latest included
(the step is that evaluation's; a loss bouncing between 0.7 and 8 never becomes NaN).
A ``transform`` hook changes each training mini-batch (data augmentation) and nothing else.
"""

from __future__ import annotations

import csv
import io
import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np

from nnviz.nn import losses, optimizers, regularization
from nnviz.nn.clipping import global_norm
from nnviz.nn.hyperparams import check_integer, check_number
from nnviz.nn.layers import Activation
from nnviz.nn.network import Network
from nnviz.nn.schedules import Schedule

#: A per-batch hook ``fn(X_batch, y_batch, rng) -> (X_batch, y_batch)``: X (b, *input_shape),
#: y (b, ...) in, the same kinds out (any batch size >= 1); ``rng`` is the trainer's own generator.
BatchTransform = Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides how a network is trained (validated on construction)."""

    loss: str = "cross_entropy"
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 32
    l1: float = 0.0
    l2: float = 0.0
    seed: int = 0
    optimizer_params: dict[str, float] = field(default_factory=dict)
    loss_params: dict[str, float] = field(default_factory=dict)
    schedule: Schedule = field(default_factory=Schedule)
    #: Every this many steps (and at step 1): train/validation loss and accuracy, gradient norms,
    #: dead ReLUs. 0: never (pure training speed).
    eval_every: int = 10
    #: A training loss above this many times its value before training, for most of the last
    #: ``BLOWUP_WINDOW`` evaluations, is divergence (None: only NaN and inf are).
    blowup: float | None = 3.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "loss", losses.LOSSES.canonical(self.loss))
        object.__setattr__(self, "optimizer", optimizers.OPTIMIZERS.canonical(self.optimizer))
        optimizers.check_learning_rate(self.learning_rate)
        object.__setattr__(self, "batch_size", check_integer(self.batch_size, "batch size", 1))
        regularization.check_strength("L1", self.l1)
        regularization.check_strength("L2", self.l2)
        object.__setattr__(self, "seed", check_integer(self.seed, "seed", 0))
        object.__setattr__(self, "eval_every", check_integer(self.eval_every, "eval_every (0: never)", 0))
        if self.blowup is not None:
            object.__setattr__(self, "blowup", check_number(self.blowup, "blowup", 1.0 + 1e-9))
        object.__setattr__(self, "optimizer_params", dict(self.optimizer_params))
        object.__setattr__(self, "loss_params", dict(self.loss_params))
        optimizers.create(self.optimizer, self.learning_rate, **self.optimizer_params)  # validates settings
        losses.get(self.loss, **self.loss_params)

    def replace(self, **changes: Any) -> TrainConfig:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _floats() -> array:
    return array("d")


#: Entries a history's per-step series (and, apart, its evaluation series) keep before the older
#: half is thinned to every other entry: a live run of any length holds at most about this many
#: (~2.4 MB of per-step values), the newest steps at full density.
MAX_HISTORY = 100_000


def _halve_older(series: Sequence[array]) -> None:
    """Keep every other entry of the older half of each of ``series`` (equal lengths), all of the newer half."""
    if not series:
        return
    half = len(series[0]) // 2
    for a in series:
        a[:] = a[0:half:2] + a[half:]


@dataclass
class History:
    """What happened during training; the series grow as the trainer runs. They are compact
    ``array.array`` series (8 bytes a value, against ~32 for a list of floats: a live session's
    history is its largest state), read like lists and by ``np.asarray`` without a copy loop.

    Per step: ``steps``, ``loss`` (mini-batch data loss), ``learning_rate``.
    Every ``eval_every`` steps (and at step 1): ``eval_steps``, ``train_loss``/``train_accuracy``
    (on the training set, at most its first ``eval_size`` samples), ``val_loss``/``val_accuracy``
    (NaN without validation data), ``grad_norms`` (layer name -> norm of that layer's gradient at
    that step), ``dead_relu`` (fraction of the hidden units of activations that can die, ReLU's,
    that output 0 for every probe sample, the first ``probe_size`` training samples; NaN without
    such units). Where the probe lies within the evaluated training samples, the dead units are
    read off that evaluation's own forward pass (no second pass over the probe).
    """

    steps: array = field(default_factory=lambda: array("q"))
    loss: array = field(default_factory=_floats)
    learning_rate: array = field(default_factory=_floats)
    eval_steps: array = field(default_factory=lambda: array("q"))
    train_loss: array = field(default_factory=_floats)
    train_accuracy: array = field(default_factory=_floats)
    val_loss: array = field(default_factory=_floats)
    val_accuracy: array = field(default_factory=_floats)
    grad_norms: dict[str, array] = field(default_factory=dict)
    dead_relu: array = field(default_factory=_floats)

    def __len__(self) -> int:
        return len(self.steps)

    def thin(self, cap: int = MAX_HISTORY) -> None:
        """Bound the memory of a long run: where the per-step or the evaluation series hold more
        than ``cap`` entries, their older half keeps every other one (steps stay increasing; the
        newest half, which divergence is judged on, stays whole)."""
        if len(self.steps) > cap:
            _halve_older([self.steps, self.loss, self.learning_rate])
        if len(self.eval_steps) > cap:
            n = len(self.eval_steps)
            evals = [self.eval_steps, self.train_loss, self.train_accuracy, self.val_loss, self.val_accuracy,
                     self.dead_relu, *self.grad_norms.values()]
            _halve_older([a for a in evals if len(a) == n])

    def to_dict(self) -> dict[str, Any]:
        """Every series as a plain list (``grad_norms``: layer name -> list)."""
        out: dict[str, Any] = {f.name: list(getattr(self, f.name)) for f in fields(self) if f.name != "grad_norms"}
        out["grad_norms"] = {name: list(values) for name, values in self.grad_norms.items()}
        return out

    def to_csv(self) -> str:
        """One row per step; evaluation columns filled on evaluation steps."""
        evals = {s: i for i, s in enumerate(self.eval_steps)}
        layers = list(self.grad_norms)
        header = ["step", "loss", "learning_rate", "train_loss", "train_accuracy", "val_loss",
                  "val_accuracy", "dead_relu", *[f"grad_norm_{name}" for name in layers]]
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        for i, s in enumerate(self.steps):
            row: list[Any] = [s, self.loss[i], self.learning_rate[i]]
            j = evals.get(s)
            if j is None:
                row += [""] * (5 + len(layers))
            else:
                row += [self.train_loss[j], self.train_accuracy[j], self.val_loss[j], self.val_accuracy[j],
                        self.dead_relu[j], *[self.grad_norms[name][j] for name in layers]]
            writer.writerow(row)
        return buf.getvalue()


def _check_data(net: Network, X: np.ndarray, y: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim < 2 or X.shape[1:] != net.input_shape:
        raise ValueError(f"{what} X of shape {X.shape} does not fit the network's input {net.input_shape}")
    if len(X) == 0:
        raise ValueError(f"{what} data is empty")
    if len(y) != len(X):
        raise ValueError(f"{what} X has {len(X)} rows but y has {len(y)}")
    for name, a in (("X", X), ("y", y)):
        if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
            raise ValueError(f"{what} {name} must hold real numbers, got dtype {a.dtype}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{what} {name} contains NaN or infinite values")
    limit = np.finfo(net.dtype).max
    if np.abs(X).max(initial=0) > limit:
        raise ValueError(f"{what} X holds values beyond {net.dtype.name}'s range (|x| > {limit:.3g})")
    return X.astype(net.dtype, copy=False), y


def class_labels(y: np.ndarray) -> np.ndarray | None:
    """Integer class labels (n,) from labels or one-hot rows; None for regression targets."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    y = y.reshape(-1)
    if not np.issubdtype(y.dtype, np.integer) and np.any(y != np.round(y)):
        return None
    return y.astype(np.int64)


def predicted_classes(out: np.ndarray) -> np.ndarray:
    """The predicted class of outputs (..., k): argmax for several outputs, >= 0.5 for one."""
    return out.argmax(axis=-1) if out.shape[-1] > 1 else (out[..., 0] >= 0.5).astype(np.int64)


def accuracy(out: np.ndarray, y: np.ndarray) -> float:
    """Fraction correct (see ``predicted_classes``); NaN for regression targets (non-integer y)."""
    labels = class_labels(y)
    return accuracy_of(out, labels)


class Trainer:
    """Trains ``net`` on (X, y) with mini-batches; ``run`` is resumable.

    ``transform`` (a ``BatchTransform``, changeable between chunks through the attribute) is
    applied to every training mini-batch before the forward pass, never to evaluations or
    diagnostics. It draws its randomness from the trainer's seeded ``rng``, so a run stays
    bit-identical for a given seed.
    """

    def __init__(
        self,
        net: Network,
        config: TrainConfig,
        X: np.ndarray,
        y: np.ndarray,
        X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        probe_size: int = 256,
        eval_size: int = 2000,
        transform: BatchTransform | None = None,
    ) -> None:
        if not isinstance(config, TrainConfig):
            raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
        self.net = net
        self.X, self.y = _check_data(net, X, y, "training")
        if (X_val is None) != (y_val is None):
            raise ValueError("give both X_val and y_val, or neither")
        self.X_val, self.y_val = (None, None) if X_val is None else _check_data(net, X_val, y_val, "validation")
        self.config = config
        self.loss = losses.get(config.loss, **config.loss_params)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            out = net.predict(self.X[:2])
            self.loss.value(out, self.y[:2])  # shape mismatches fail now, clearly (values are not the point)
        self.optimizer = optimizers.create(config.optimizer, config.learning_rate, **config.optimizer_params)
        if transform is not None and not callable(transform):
            raise ValueError(f"transform must be callable (X, y, rng) -> (X, y), got {type(transform).__name__}")
        self.transform = transform
        self.rng = np.random.default_rng(config.seed)
        self.step = 0
        # Epochs done before the data or the batch size last changed, and the step they ended at.
        self._epochs_before, self._steps_before = 0.0, 0
        self.history = History()
        self.diverged: int | None = None
        self.diverged_reason = ""
        self._backup: np.ndarray | None = None  # the parameters before the current update
        self._order = self.rng.permutation(len(self.X))
        self._pos = 0
        self._probe_size, self._eval_size = probe_size, eval_size  # for set_data
        self._probe = self.X[: min(probe_size, len(self.X))]
        # Training loss/accuracy at evaluations use at most eval_size samples (bounded cost).
        self._eval_X, self._eval_y = self.X[:eval_size], self.y[:eval_size]
        # Targets shaped like the output (one-hot rows for labels) and class labels, once: every
        # step and every evaluation would otherwise rebuild them (and check every label again).
        self._targets = self.loss.targets_for(self.y, out)
        self._eval_sets = [(self._eval_X, self._targets[: len(self._eval_X)], class_labels(self._eval_y))]
        if self.X_val is not None:
            self._eval_sets.append((self.X_val, self.loss.targets_for(self.y_val, out), class_labels(self.y_val)))
        # Gradient norms per layer from the per-key squares: which keys (by position) each layer owns.
        keys = list(net.grads)
        self._norm_groups = [(layer.name, [i for i, k in enumerate(keys) if k.startswith(layer.name + ".")])
                             for layer in net.layers if layer.params]
        # Layers whose units can die, by position (never the output layer).
        self._dying = [i for i, layer in enumerate(net.layers[:-1])
                       if isinstance(layer, Activation) and layer.fn.can_die]
        self._fused = net.fuses_with(self.loss)
        self._initial_loss: float | None = None  # the blowup rule's reference, before the first step

    def set_data(self, X: np.ndarray, y: np.ndarray, X_val: np.ndarray | None = None,
                 y_val: np.ndarray | None = None) -> None:
        """Train on other data from now on (the playground's own points). The network, step count,
        history and optimizer state are kept; the batch order starts a new epoch on the new data,
        and the blowup rule forgets its reference loss (it was measured on the old data)."""
        if (X_val is None) != (y_val is None):
            raise ValueError("give both X_val and y_val, or neither")
        X, y = _check_data(self.net, X, y, "training")
        X_val, y_val = (None, None) if X_val is None else _check_data(self.net, X_val, y_val, "validation")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            out = self.net.predict(X[:2])
            self.loss.value(out, y[:2])  # a label that does not fit fails now, before anything changes
        targets = self.loss.targets_for(y, out)
        val_targets = None if X_val is None else self.loss.targets_for(y_val, out)
        self._count_epochs_so_far()
        self.X, self.y, self.X_val, self.y_val = X, y, X_val, y_val
        self._probe = X[: min(self._probe_size, len(X))]
        self._eval_X, self._eval_y = X[: self._eval_size], y[: self._eval_size]
        self._targets = targets
        self._eval_sets = [(self._eval_X, targets[: len(self._eval_X)], class_labels(self._eval_y))]
        if X_val is not None:
            self._eval_sets.append((X_val, val_targets, class_labels(y_val)))
        self._order = self.rng.permutation(len(X))
        self._pos = 0
        if self._initial_loss is not None:
            self._initial_loss = math.nan

    # ---- settings -----------------------------------------------------------------------
    def configure(self, config: TrainConfig) -> None:
        """Apply new settings between chunks. The model, step count and optimizer state are kept
        (a different optimizer starts with fresh state; a different seed is ignored)."""
        if config.optimizer != self.config.optimizer:
            self.optimizer = optimizers.create(config.optimizer, config.learning_rate, **config.optimizer_params)
        else:
            self.optimizer.set_hyperparams(learning_rate=config.learning_rate, **config.optimizer_params)
        if (config.loss, config.loss_params) != (self.config.loss, self.config.loss_params):
            self.loss = losses.get(config.loss, **config.loss_params)
            self._initial_loss = math.nan  # another loss: the first value is no reference any more
        if config.batch_size != self.config.batch_size:
            self._count_epochs_so_far()
        self.config = config

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.X) / min(self.config.batch_size, len(self.X)))

    @property
    def epoch(self) -> float:
        """Epochs done (fractional): each step counts 1 / steps_per_epoch of the data and batch size
        it was taken with, so changing either does not make the count jump."""
        return self._epochs_before + (self.step - self._steps_before) / self.steps_per_epoch

    def _count_epochs_so_far(self) -> None:
        """Call before the data or the batch size changes: the steps so far keep their epochs."""
        self._epochs_before, self._steps_before = self.epoch, self.step

    # ---- training -----------------------------------------------------------------------
    def _next_batch(self) -> np.ndarray:
        n = len(self.X)
        b = min(self.config.batch_size, n)
        if self._pos + b > n:
            self._order = self.rng.permutation(n)
            self._pos = 0
        idx = self._order[self._pos : self._pos + b]
        self._pos += b
        return idx

    def run(
        self,
        steps: int | None = None,
        epochs: float | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Train ``steps`` mini-batch steps (or ``epochs`` epochs); returns the steps done.

        Stops early on divergence. ``progress(done, total)`` is called after each evaluation.
        """
        if (steps is None) == (epochs is None):
            raise ValueError("give exactly one of steps= or epochs=")
        if steps is not None:
            total = int(check_number(steps, "steps"))
        else:
            total = math.ceil(check_number(epochs, "epochs") * self.steps_per_epoch)
        done = 0
        self._fused = self.net.fuses_with(self.loss)  # once per chunk, not per step
        if self._initial_loss is None and self.step == 0 and total and self.config.eval_every and self.config.blowup:
            X, targets, _ = self._eval_sets[0]
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                self._initial_loss = self.loss.value(self._eval_pass(X, 0)[0], targets) if len(X) else math.nan
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while done < total and self.diverged is None:
                self._train_step()
                done += 1
                if progress is not None and (self.step % max(self.config.eval_every, 1) == 0 or done == total):
                    progress(done, total)
        return done

    def _transformed(self, Xb: np.ndarray, yb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``transform`` hook's batch, checked: X (b', *input_shape) and y (b', ...) as the batch's."""
        result = self.transform(Xb, yb, self.rng)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise ValueError(f"transform must return a tuple (X_batch, y_batch), got {type(result).__name__}")
        Xt, yt = (np.asarray(a) for a in result)
        if Xt.ndim < 2 or Xt.shape[1:] != self.net.input_shape or len(Xt) == 0:
            raise ValueError(f"transform returned X of shape {Xt.shape} for a batch of shape {Xb.shape}; the "
                             f"network takes (batch >= 1, {', '.join(map(str, self.net.input_shape))})")
        if yt.ndim == 0 or len(yt) != len(Xt) or yt.shape[1:] != yb.shape[1:]:
            raise ValueError(f"transform returned y of shape {yt.shape} for X of shape {Xt.shape}; "
                             f"expected {(len(Xt), *yb.shape[1:])}, like the batch's {yb.shape}")
        return Xt.astype(self.net.dtype, copy=False), yt

    def _train_step(self) -> None:
        cfg, net = self.config, self.net
        idx = self._next_batch()
        if self.transform is None:
            Xb, yb = self.X[idx], self._targets[idx]  # checked when prepared
            out = net.forward(Xb, training=True)
            loss = self.loss.value_of_targets(out, yb)
        else:
            Xb, yb = self._transformed(self.X[idx], self.y[idx])
            out = net.forward(Xb, training=True)
            yb = losses.as_targets(out, yb)  # one-hot once, for both value and gradient
            loss = self.loss.value(out, yb)  # checks the transformed targets
        net.loss_backward(self.loss, out, yb, input_grad=False, fused=self._fused, prepared=True)
        regularization.add_gradients(net, cfg.l1, cfg.l2)
        step = self.step + 1
        if not (math.isfinite(loss) and finite_gradient(net)):
            self.diverged = step  # parameters untouched: still the last finite state
            self.diverged_reason = NON_FINITE
            return
        lr = cfg.schedule(cfg.learning_rate, self.step)
        self.optimizer.learning_rate = lr
        # A finite loss and gradient can still give non-finite parameters (a huge step, or 0/0 in
        # an adaptive step): check after every update and put the last finite ones back. The
        # sum is one pass without allocating; only a non-finite sum needs the exact check.
        packed = net.packed_params
        if self._backup is None or self._backup.shape != packed.shape:
            self._backup = np.empty_like(packed)
        np.copyto(self._backup, packed)
        self.optimizer.step_packed(net.params, net.grads, packed, net.packed_grads)
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(packed)
        if not np.isfinite(total) and not np.isfinite(packed).all():
            np.copyto(packed, self._backup)
            self.diverged = step
            self.diverged_reason = NON_FINITE
            return
        self.step = step
        self.history.steps.append(step)
        self.history.loss.append(loss)
        self.history.learning_rate.append(lr)
        if cfg.eval_every and (step % cfg.eval_every == 0 or step == 1):
            self._evaluate(_squared_norms(net))  # the update leaves the gradients as they were
        if len(self.history.steps) > MAX_HISTORY or len(self.history.eval_steps) > MAX_HISTORY:
            self.history.thin(MAX_HISTORY)

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(mean loss, accuracy) of the current network on (X, y); accuracy NaN for regression."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            out = self.net.predict(X)
            return self.loss.value(out, y), accuracy(out, y)

    def _evaluate(self, grad_sq: list[float]) -> None:
        """One evaluation (as ``evaluate`` and ``dead_relu_fraction`` compute them, with the
        targets prepared once and the probe's dead units read off the training-set pass)."""
        h = self.history
        h.eval_steps.append(self.step)
        (X, targets, labels), *val = self._eval_sets
        probe = len(self._probe) if len(self._probe) <= min(len(X), _PREDICT_BATCH) else 0
        out, dead = self._eval_pass(X, probe)
        h.train_loss.append(self.loss.value_of_targets(out, targets))
        h.train_accuracy.append(accuracy_of(out, labels))
        if val:
            (X_val, val_targets, val_labels), = val
            out = self._eval_pass(X_val, 0)[0]
            h.val_loss.append(self.loss.value_of_targets(out, val_targets))
            h.val_accuracy.append(accuracy_of(out, val_labels))
        else:
            h.val_loss.append(math.nan)
            h.val_accuracy.append(math.nan)
        for name, keys in self._norm_groups:
            h.grad_norms.setdefault(name, _floats()).append(math.sqrt(sum(grad_sq[i] for i in keys)))
        h.dead_relu.append(self.dead_relu_fraction() if not probe else dead)
        if len(X):  # eval_size=0 evaluates nothing: its NaN is no divergence
            self._check_evaluated_loss()

    def _check_evaluated_loss(self) -> None:
        """Divergence seen in the evaluations (see the module docstring): a non-finite training loss
        (finite weights whose outputs overflow), or one that exploded and stays up."""
        seen = self.history.train_loss
        last = seen[-1]
        if not math.isfinite(last):
            self.diverged, self.diverged_reason = self.step, "the loss on the training data became infinite or NaN"
            return
        blowup, first = self.config.blowup, self._initial_loss
        if blowup is not None and first is not None and exploded(seen[-BLOWUP_WINDOW:], first, blowup):
            self.diverged, self.diverged_reason = self.step, blowup_reason(first, blowup)

    def _eval_pass(self, X: np.ndarray, probe: int) -> tuple[np.ndarray, float]:
        """(outputs, dead fraction) of an inference pass over checked X, layer by layer in chunks
        like ``Network.predict``; dead units among the first ``probe`` rows (NaN for probe=0)."""
        layers, dying = self.net.layers, set(self._dying)
        chunks = []
        dead = total = 0
        for start in range(0, len(X), _PREDICT_BATCH):
            out = X[start : start + _PREDICT_BATCH]
            for i, layer in enumerate(layers):
                out = layer.forward(out, False)
                if probe and start == 0 and i in dying:
                    d, t = _dead_units(out[:probe])
                    dead, total = dead + d, total + t
            chunks.append(out)
        if not chunks:  # eval_size=0: nothing to evaluate, as predict has it
            return np.zeros((0, *self.net.output_shape), self.net.dtype), math.nan
        out = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
        return out, (dead / total if total else math.nan)

    @property
    def counts_dead_units(self) -> bool:
        """Whether the network has hidden units that can die (``dead_relu`` is NaN without them)."""
        return bool(self._dying)

    def dead_relu_fraction(self) -> float:
        """Fraction of the hidden units that can die (``can_die`` activations, e.g. ReLU) that
        output 0 for every probe sample (NaN without such units)."""
        if not self._dying:
            return math.nan
        outs = self.net.layer_outputs(self._probe)
        dead = total = 0
        for i in self._dying:
            d, t = _dead_units(outs[i])
            dead, total = dead + d, total + t
        return dead / total if total else math.nan


#: The chunk size of ``Network.predict`` (its default), which evaluations follow.
_PREDICT_BATCH = 2048
#: Evaluations the blowup rule looks back over.
BLOWUP_WINDOW = 10
#: Why a run stopped at a non-finite loss, gradient or update.
NON_FINITE = "the loss or the weights became infinite or NaN"


def exploded(recent: Sequence[float], initial: float, blowup: float, window: int = BLOWUP_WINDOW) -> bool:
    """The blowup rule on the latest measured losses ``recent`` (oldest first): at least ``window``
    of them, the latest and at least half of the last ``window`` above ``blowup`` x ``initial`` (the
    loss before training; at least 1e-3). NaN counts as above."""
    if len(recent) < window or not math.isfinite(initial):
        return False
    limit = blowup * max(initial, 1e-3)
    high = [not v <= limit for v in recent[-window:]]
    return high[-1] and 2 * sum(high) >= window


def blowup_reason(initial: float, blowup: float, window: int = BLOWUP_WINDOW) -> str:
    """Why the blowup rule stopped a run, in plain words."""
    return (f"the loss rose above {blowup:g} x its value before training ({initial:.3g}) and stayed there "
            f"for most of the last {window} measurements")


def _squared_norms(net: Network) -> list[float]:
    """Each gradient array's squared norm, in ``net.grads``'s order."""
    return [float(np.vdot(g, g)) for g in net.grads.values()]


def finite_gradient(net: Network) -> bool:
    """Whether every gradient array's squared norm, and their sum, is finite. One pass over the
    packed gradients (1 us, where the per-array sums cost a step 5% of its time): each array's part
    of a finite total is finite. Only a total that overflows its dtype is decided on
    ``global_norm``'s per-array sums, added as Python floats."""
    packed = net.packed_grads
    return math.isfinite(float(np.vdot(packed, packed))) or math.isfinite(global_norm(net.grads))


def _dead_units(out: np.ndarray) -> tuple[int, int]:
    """(units that output 0 for every row, units) of a layer's outputs (n, ...)."""
    flat = out.reshape(len(out), -1)
    return int(np.sum(np.all(flat <= 0, axis=0))), flat.shape[1]


def accuracy_of(out: np.ndarray, labels: np.ndarray | None) -> float:
    """``accuracy`` with the class labels already computed (``class_labels``; None: regression, NaN)."""
    if labels is None or not len(labels):
        return math.nan
    return np.count_nonzero(predicted_classes(out) == labels) / len(labels)  # np.mean's value: 0.5 us, not 11, for 250
