"""A live playground run: its data, network and trainer; build, and apply a changed experiment.

``build`` turns an ``Experiment`` into a ``Run`` at step 0. ``update(run, new)`` applies a changed
experiment: the live settings (learning rate, optimizer and its settings, batch size, L1/L2,
dropout) go to the running trainer and keep the weights and the step count; so do your own points
(``Experiment.points``: added, erased, uploaded, or back to the generated set), which the trainer
trains on from the next step; a change of the generator's settings or of the architecture rebuilds
the model from step 0 and says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

from nnviz.data import toy_sets
from nnviz.labs.playground import points
from nnviz.labs.playground.experiment import (
    DATA_FIELDS,
    FIELD_LABELS,
    LIVE_FIELDS,
    POINT_FIELDS,
    Experiment,
    format_value,
    train_config,
)
from nnviz.labs.playground.points import Points
from nnviz.nn.layers import Activation, BatchNorm, Dense, Dropout
from nnviz.nn.network import Network
from nnviz.nn.training import History, Trainer


@dataclass(frozen=True, eq=False)
class Data:
    """The points (in the plane) split into train/test, and their feature columns (float32)."""

    dataset: toy_sets.Dataset2D
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    F_train: np.ndarray
    F_test: np.ndarray

    @property
    def task(self) -> str:
        return self.dataset.task


def make_data(exp: Experiment) -> Data:
    """The points of ``exp``'s data set, split, with their feature columns (all read-only); your
    own points (``exp.points``, already split) where the experiment has them."""
    if exp.points is None:
        ds = toy_sets.get(exp.dataset)(exp.n_points, exp.noise, exp.seed)
        X_tr, y_tr, X_te, y_te = toy_sets.split(ds, exp.test_ratio, exp.seed)
    else:
        p = exp.points
        ds = toy_sets.Dataset2D(p.X, p.y, p.task, p.n_classes, "custom")
        X_tr, y_tr = (np.array(a) for a in p.train_set())  # writable copies, frozen below
        X_te, y_te = (np.array(a) for a in p.test_set())
    feats = list(exp.features)
    F_tr = (toy_sets.features(X_tr, feats).astype(np.float32) if len(X_tr)
            else np.zeros((0, len(feats)), np.float32))
    F_te = toy_sets.features(X_te, feats).astype(np.float32) if len(X_te) else np.zeros((0, len(feats)), np.float32)
    for a in (X_tr, y_tr, X_te, y_te, F_tr, F_te):
        a.setflags(write=False)
    return Data(ds, X_tr, y_tr, X_te, y_te, F_tr, F_te)


def current_points(run: Run) -> Points:
    """The run's points as a ``Points`` set (your own, or the generated split: what editing starts
    from and what the CSV download writes)."""
    exp, d = run.experiment, run.data
    if exp.points is not None:
        return exp.points
    return points.from_split(d.X_train, d.y_train, d.X_test, d.y_test, exp.task, exp.n_classes)


def make_network(exp: Experiment) -> Network:
    """Dense -> (batch normalization, on the layers ``exp.batch_norm`` names) -> the layer's
    activation (``exp.layer_activations``) -> dropout per hidden layer, then Dense -> output activation.

    Dropout layers are always present (rate 0 is the identity) so the rate can change live.
    """
    stack: list = []
    for i, (units, act) in enumerate(zip(exp.hidden, exp.layer_activations, strict=True)):
        stack.append(Dense(units, init=exp.init))
        if i + 1 in exp.batch_norm:
            stack.append(BatchNorm())
        stack += [Activation(act), Dropout(exp.dropout, seed=exp.seed * 1000 + i)]
    stack += [Dense(exp.n_outputs, init=exp.init), Activation(exp.output)]
    return Network(stack, input_shape=(len(exp.features),), seed=exp.seed)


@dataclass(eq=False)
class Run:
    """A live experiment: its network, trainer and data, and the weights at step 0."""

    experiment: Experiment
    net: Network
    trainer: Trainer
    data: Data
    initial: dict[str, np.ndarray] = field(default_factory=dict)
    label: str = ""
    #: ``metrics`` at step 0, so curves start at the initial loss.
    start: dict[str, float] = field(default_factory=dict)

    @property
    def step(self) -> int:
        return self.trainer.step

    @property
    def epoch(self) -> float:
        return self.trainer.epoch

    @property
    def diverged(self) -> int | None:
        return self.trainer.diverged

    @property
    def history(self) -> History:
        return self.trainer.history

    @property
    def can_train(self) -> bool:
        """False while the run has no training points (your own set, cleared or all test points)."""
        return len(self.data.F_train) > 0

    def train(self, steps: int) -> int:
        """Train up to ``steps`` mini-batch steps (fewer if it diverges, none without training
        points); returns the steps done."""
        return self.trainer.run(steps=int(steps)) if self.can_train else 0

    def train_epoch(self) -> int:
        """Train one pass over the training points; returns the steps done."""
        return self.trainer.run(steps=self.trainer.steps_per_epoch) if self.can_train else 0


def _trainer_data(data: Data) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(X, y, X_val, y_val) for the trainer. A trainer cannot hold an empty training set: with no
    training points it holds one placeholder point at the origin, never trained on (``Run.train``
    does nothing then) and never shown (metrics and frames read ``Run.data``)."""
    has_test = len(data.F_test) > 0
    X, y = data.F_train, data.y_train
    if not len(X):
        X, y = np.zeros((1, data.F_train.shape[1]), np.float32), np.zeros(1, data.y_train.dtype)
    return X, y, data.F_test if has_test else None, data.y_test if has_test else None


def make_trainer(net: Network, exp: Experiment, data: Data) -> Trainer:
    """A trainer of ``net`` on ``data`` with ``exp``'s settings (validation on the test points, if any)."""
    return Trainer(net, train_config(exp), *_trainer_data(data))


def build(exp: Experiment, data: Data | None = None) -> Run:
    """A fresh run (step 0) for ``exp``; pass ``data`` to reuse already generated points."""
    data = make_data(exp) if data is None else data
    net = make_network(exp)
    run = Run(exp, net, make_trainer(net, exp, data), data, {k: v.copy() for k, v in net.params.items()})
    run.start = metrics(run)
    return run


def metrics(run: Run) -> dict[str, float]:
    """Current train/test loss and accuracy (NaN where absent) of the network as it is now."""
    tr = run.trainer
    if len(run.data.F_train):
        train_loss, train_acc = tr.evaluate(run.data.F_train, run.data.y_train)
    else:
        train_loss = train_acc = math.nan
    if len(run.data.F_test):
        test_loss, test_acc = tr.evaluate(run.data.F_test, run.data.y_test)
    else:
        test_loss = test_acc = math.nan
    return {"train_loss": train_loss, "test_loss": test_loss, "train_accuracy": train_acc, "test_accuracy": test_acc}


@dataclass(frozen=True)
class Change:
    """What a new experiment does to a run: ``kind`` is "none", "live" or "reset"."""

    kind: str
    fields: tuple[str, ...] = ()
    message: str = ""


def diff(old: Experiment, new: Experiment) -> Change:
    """What going from ``old`` to ``new`` does: nothing, live changes, or a reset (and why)."""
    changed = tuple(f.name for f in fields(Experiment) if getattr(old, f.name) != getattr(new, f.name))
    if not changed:
        return Change("none")
    resets = [f for f in changed if f not in LIVE_FIELDS and f not in POINT_FIELDS]
    if resets:
        what = "data" if all(f in DATA_FIELDS for f in resets) else "architecture"
        names = ", ".join(FIELD_LABELS[f] for f in resets)
        return Change("reset", changed, f"New {what} ({names} changed): the model was reset to step 0 with fresh weights.")
    parts = "; ".join(f"{FIELD_LABELS[f]} {format_value(getattr(old, f))} → {format_value(getattr(new, f))}"
                      for f in changed if f not in POINT_FIELDS)
    if "points" in changed:
        points = (f"your own {new.points.describe()}" if new.points is not None
                  else f"the generated points of {new.dataset}")
        parts = f"the network now trains on {points}" + (f"; {parts}" if parts else "")
    return Change("live", changed, f"Applied while training, weights and step count kept: {parts}.")


def apply_points(run: Run, new: Experiment) -> None:
    """Give the run ``new``'s points (``make_data``): the trainer trains on them from its next
    step, with the same network, step count, history and optimizer state."""
    data = make_data(new)
    run.trainer.set_data(*_trainer_data(data))
    run.data = data
    run.experiment = new


def apply_live(run: Run, new: Experiment) -> None:
    """Give the running trainer the new live settings (no change to weights or step count)."""
    if new.points != run.experiment.points:
        apply_points(run, new)
    run.trainer.configure(train_config(new))
    for layer in run.net.layers:
        if isinstance(layer, Dropout):
            layer.rate = float(new.dropout)
    run.experiment = new


def update(run: Run, new: Experiment) -> tuple[Run, Change]:
    """Apply ``new`` to ``run``: live settings in place, anything else rebuilds (data reused when unchanged)."""
    change = diff(run.experiment, new)
    if change.kind == "reset":
        same_data = not any(f in DATA_FIELDS or f == "features" for f in change.fields)  # incl. points
        return build(new, run.data if same_data else None), change
    if change.kind == "live":
        apply_live(run, new)
    return run, change

