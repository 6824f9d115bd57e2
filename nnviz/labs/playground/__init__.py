"""The playground's experiment: config, build, live changes, grids, neuron maps, compare runs, URL.

An ``Experiment`` (frozen, validated) says everything about one playground run; ``build`` turns it
into a ``Run`` (network, trainer, data). ``update(run, new)`` applies a changed experiment: the
live settings (learning rate, optimizer and its settings, batch size, L1/L2, dropout) go to the
running trainer and keep the weights and the step count; a change of the data or of the
architecture rebuilds the model from step 0 and says why.

The views are computed in one vectorized forward pass each: the decision surface on a
``SURFACE_RES`` x ``SURFACE_RES`` grid over ``DOMAIN``, and every neuron's activation on a coarser
``NEURON_RES`` grid (``neuron_maps``). ``to_query``/``from_query`` round-trip an experiment
through a URL query string exactly; bad or unknown values fall back to defaults with messages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cache, lru_cache
from typing import Any

import numpy as np

from nnviz.data import datasets
from nnviz.nn import activations, initializers, losses, optimizers
from nnviz.nn.hyperparams import check_integer, check_number
from nnviz.nn.layers import Activation, Dense, Dropout
from nnviz.nn.network import Network
from nnviz.nn.training import History, TrainConfig, Trainer

FEATURE_NAMES: tuple[str, ...] = tuple(datasets.FEATURE_NAMES)
DOMAIN: tuple[float, float] = tuple(datasets.DOMAIN)  # type: ignore[assignment]
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 16
MIN_POINTS, MAX_POINTS = 20, 5000
MAX_TEST_RATIO = 0.9
MAX_DROPOUT = 0.9
MAX_BATCH = 1000
MAX_REGULARIZATION = 10.0
MAX_SEED = 2**32 - 1
MAX_COMPARE = 4
SURFACE_RES = 100
NEURON_RES = 30
#: Full train/test loss, gradient norms and dead ReLUs every this many steps (cheap at 500 points).
EVAL_EVERY = 5

FIELD_LABELS: dict[str, str] = {
    "dataset": "data set", "noise": "noise", "n_points": "number of points", "test_ratio": "test share",
    "seed": "seed", "features": "input features", "hidden": "hidden layers", "activation": "activation",
    "init": "initialization", "loss": "loss", "output": "output activation", "optimizer": "optimizer",
    "optimizer_params": "optimizer settings", "learning_rate": "learning rate", "batch_size": "batch size",
    "l1": "L1", "l2": "L2", "dropout": "dropout",
}
#: Fields that change the data or the architecture: a change rebuilds the model from step 0.
DATA_FIELDS = ("dataset", "noise", "n_points", "test_ratio", "seed")
MODEL_FIELDS = ("features", "hidden", "activation", "init", "loss", "output")
#: Fields applied to the running trainer, keeping weights and step count.
LIVE_FIELDS = ("learning_rate", "optimizer", "optimizer_params", "batch_size", "l1", "l2", "dropout")


# ---- tasks, losses and outputs ------------------------------------------------------------

@cache
def task_of(dataset: str) -> tuple[str, int]:
    """(task, n_classes) of a registered toy set: ("classification", 2) or ("regression", 0)."""
    ds = datasets.get(dataset)(8, 0.0, 0)
    return ds.task, ds.n_classes


def losses_for(task: str, n_classes: int = 2) -> dict[str, str]:
    """Loss name -> why it fits, for the losses that are valid for ``task`` (registry order)."""
    offered: dict[str, str] = {}
    for name in losses.names():
        loss = losses.LOSSES.get(name)
        if task == "regression" and loss.task != "regression":
            continue
        if task == "classification" and n_classes > 2 and loss.fused_activation != "softmax":
            continue  # one output cannot hold more than two classes
        offered[name] = loss.why or loss.description
    return offered


def losses_not_offered(task: str, n_classes: int = 2) -> dict[str, str]:
    """Loss name -> why it is not offered for ``task``."""
    offered = losses_for(task, n_classes)
    return {
        name: losses.LOSSES.get(name).why_not or f"made for {losses.LOSSES.get(name).task}"
        for name in losses.names() if name not in offered
    }


def outputs_for(task: str, loss: str) -> dict[str, str]:
    """Output activation -> what it means, for a loss on a task (the first is the default)."""
    cls = losses.LOSSES.get(loss)
    if cls.fused_activation is not None:
        names = [cls.fused_activation]
    elif cls.needs_probabilities:
        names = ["sigmoid"]
    elif task == "classification":
        names = ["sigmoid", "tanh", "linear"]
    else:
        names = ["linear", "tanh"]
    classes = {name: activations.ACTIVATIONS.get(name) for name in names}
    return {name: cls.output_meaning or cls.common_use for name, cls in classes.items()}


def default_loss(task: str) -> str:
    return "cross_entropy" if task == "classification" else "mse"


def output_units(output: str, n_classes: int) -> int:
    return n_classes if output == "softmax" else 1


def activation_note(name: str) -> str:
    """One line on what to expect from a hidden activation."""
    cls = activations.ACTIVATIONS.get(name)
    return cls.hidden_note or cls.issue


# ---- the experiment -----------------------------------------------------------------------

def _as_int(value: Any, what: str, low: int, high: int) -> int:
    """An integer setting; integral floats (3.0, e.g. from a query string) count as integers."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return check_integer(value, what, low, high)


@dataclass(frozen=True)
class Experiment:
    """Everything that defines a playground run (validated on construction; ValueError names the value).

    ``features`` are kept in ``FEATURE_NAMES`` order; ``optimizer_params`` are (name, value) pairs
    completed with the optimizer's defaults; ``loss`` and ``output`` must fit the data's task.
    """

    dataset: str = "circles"
    noise: float = 0.0
    n_points: int = 500
    test_ratio: float = 0.5
    seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 4)
    activation: str = "tanh"
    init: str = "xavier_uniform"
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    loss: str = "cross_entropy"
    output: str = "softmax"
    optimizer: str = "adam"
    optimizer_params: tuple[tuple[str, float], ...] = ()
    learning_rate: float = 0.03
    batch_size: int = 10

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "dataset", datasets.DATASETS.canonical(self.dataset))
        task, n_classes = task_of(self.dataset)
        s(self, "noise", check_number(self.noise, "noise", 0.0, 1.0))
        s(self, "n_points", _as_int(self.n_points, "number of points", MIN_POINTS, MAX_POINTS))
        s(self, "test_ratio", check_number(self.test_ratio, "test share", 0.0, MAX_TEST_RATIO))
        s(self, "seed", _as_int(self.seed, "seed", 0, MAX_SEED))
        if isinstance(self.features, str):
            raise ValueError(f"features must be a list of names, got the string {self.features!r}")
        chosen = list(self.features)
        unknown = [f for f in chosen if f not in FEATURE_NAMES]
        if unknown:
            raise ValueError(f"unknown input feature {unknown[0]!r}; known: {', '.join(FEATURE_NAMES)}")
        if not chosen:
            raise ValueError("choose at least one input feature")
        s(self, "features", tuple(f for f in FEATURE_NAMES if f in chosen))
        if isinstance(self.hidden, (str, bytes)) or not isinstance(self.hidden, Sequence):
            raise ValueError(f"hidden must be a list of layer sizes, got {self.hidden!r}")
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.hidden)}")
        s(self, "hidden", tuple(_as_int(h, "neurons per layer", 1, MAX_NEURONS) for h in self.hidden))
        s(self, "activation", activations.ACTIVATIONS.canonical(self.activation))
        s(self, "init", initializers.INITIALIZERS.canonical(self.init))
        s(self, "l1", check_number(self.l1, "L1 rate", 0.0, MAX_REGULARIZATION))
        s(self, "l2", check_number(self.l2, "L2 rate", 0.0, MAX_REGULARIZATION))
        s(self, "dropout", check_number(self.dropout, "dropout", 0.0, MAX_DROPOUT))
        s(self, "loss", losses.LOSSES.canonical(self.loss))
        offered = losses_for(task, n_classes)
        if self.loss not in offered:
            why = losses_not_offered(task, n_classes).get(self.loss, "")
            raise ValueError(f"loss {self.loss!r} does not fit {self.dataset} ({task}): {why}")
        s(self, "output", activations.ACTIVATIONS.canonical(self.output))
        outs = outputs_for(task, self.loss)
        if self.output not in outs:
            raise ValueError(f"output {self.output!r} does not fit the loss {self.loss!r}; use {', '.join(outs)}")
        s(self, "optimizer", optimizers.OPTIMIZERS.canonical(self.optimizer))
        s(self, "learning_rate", optimizers.check_learning_rate(self.learning_rate))
        spec = optimizers.get(self.optimizer).hyperparams
        try:
            given = dict(self.optimizer_params.items() if isinstance(self.optimizer_params, Mapping)
                         else self.optimizer_params)
        except (TypeError, ValueError):
            raise ValueError(f"optimizer settings must be name/value pairs, got {self.optimizer_params!r}") from None
        unknown = sorted(set(given) - set(spec))
        if unknown:
            raise ValueError(f"optimizer {self.optimizer!r} has no setting {unknown[0]!r}; it takes {sorted(spec) or 'none'}")
        params = {k: float(given.get(k, default)) for k, (default, *_rest) in spec.items()}
        optimizers.create(self.optimizer, self.learning_rate, **params)  # validates ranges
        s(self, "optimizer_params", tuple(params.items()))
        s(self, "batch_size", _as_int(self.batch_size, "batch size", 1, MAX_BATCH))

    # ---- helpers ------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return task_of(self.dataset)[0]

    @property
    def n_classes(self) -> int:
        return task_of(self.dataset)[1]

    @property
    def opt_params(self) -> dict[str, float]:
        return dict(self.optimizer_params)

    @property
    def n_outputs(self) -> int:
        return output_units(self.output, self.n_classes)

    @property
    def sizes(self) -> list[int]:
        """Layer widths [n_inputs, *hidden, n_outputs]."""
        return [len(self.features), *self.hidden, self.n_outputs]

    def replace(self, **changes: Any) -> Experiment:
        return replace(self, **changes)

    def with_dataset(self, dataset: str) -> Experiment:
        """Another data set; the loss and output switch to the new task's defaults if they no longer fit."""
        task, n_classes = task_of(datasets.DATASETS.canonical(dataset))
        loss = self.loss if self.loss in losses_for(task, n_classes) else default_loss(task)
        outs = outputs_for(task, loss)
        output = self.output if self.output in outs else next(iter(outs))
        return replace(self, dataset=dataset, loss=loss, output=output)

    def with_optimizer(self, optimizer: str) -> Experiment:
        return replace(self, optimizer=optimizer, optimizer_params=())

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["features"] = list(self.features)
        d["hidden"] = list(self.hidden)
        d["optimizer_params"] = self.opt_params
        return d

    def describe(self) -> str:
        """One line: sizes, activation, optimizer, learning rate."""
        return (f"{' → '.join(map(str, self.sizes))} · {self.activation} · {self.output} + {self.loss} · "
                f"{self.optimizer} η={self.learning_rate:g} · batch {self.batch_size}")


def train_config(exp: Experiment) -> TrainConfig:
    return TrainConfig(
        loss=exp.loss, optimizer=exp.optimizer, learning_rate=exp.learning_rate, batch_size=exp.batch_size,
        l1=exp.l1, l2=exp.l2, seed=exp.seed, optimizer_params=exp.opt_params, eval_every=EVAL_EVERY,
    )


# ---- building and training ----------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Data:
    """The points (in the plane) split into train/test, and their feature columns (float32)."""

    dataset: datasets.Dataset2D
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
    ds = datasets.get(exp.dataset)(exp.n_points, exp.noise, exp.seed)
    X_tr, y_tr, X_te, y_te = datasets.split(ds, exp.test_ratio, exp.seed)
    feats = list(exp.features)
    F_tr = datasets.features(X_tr, feats).astype(np.float32)
    F_te = datasets.features(X_te, feats).astype(np.float32) if len(X_te) else np.zeros((0, len(feats)), np.float32)
    for a in (X_tr, y_tr, X_te, y_te, F_tr, F_te):
        a.setflags(write=False)
    return Data(ds, X_tr, y_tr, X_te, y_te, F_tr, F_te)


def make_network(exp: Experiment) -> Network:
    """Dense -> activation -> dropout per hidden layer, then Dense -> output activation.

    Dropout layers are always present (rate 0 is the identity) so the rate can change live.
    """
    stack: list = []
    for i, units in enumerate(exp.hidden):
        stack += [Dense(units, init=exp.init), Activation(exp.activation), Dropout(exp.dropout, seed=exp.seed * 1000 + i)]
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

    def train(self, steps: int) -> int:
        """Train up to ``steps`` mini-batch steps (fewer if it diverges); returns the steps done."""
        return self.trainer.run(steps=int(steps))

    def train_epoch(self) -> int:
        return self.trainer.run(steps=self.trainer.steps_per_epoch)


def _trainer(net: Network, exp: Experiment, data: Data) -> Trainer:
    has_test = len(data.F_test) > 0
    return Trainer(net, train_config(exp), data.F_train, data.y_train,
                   data.F_test if has_test else None, data.y_test if has_test else None)


def build(exp: Experiment, data: Data | None = None) -> Run:
    """A fresh run (step 0) for ``exp``; pass ``data`` to reuse already generated points."""
    data = make_data(exp) if data is None else data
    net = make_network(exp)
    run = Run(exp, net, _trainer(net, exp, data), data, {k: v.copy() for k, v in net.params.items()})
    run.start = metrics(run)
    return run


@dataclass(frozen=True)
class Change:
    """What a new experiment does to a run: ``kind`` is "none", "live" or "reset"."""

    kind: str
    fields: tuple[str, ...] = ()
    message: str = ""


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return ", ".join(f"{k} {v:g}" for k, v in value)
        return "[" + ", ".join(map(str, value)) + "]" if value else "none"
    return str(value)


def diff(old: Experiment, new: Experiment) -> Change:
    changed = tuple(f.name for f in fields(Experiment) if getattr(old, f.name) != getattr(new, f.name))
    if not changed:
        return Change("none")
    resets = [f for f in changed if f not in LIVE_FIELDS]
    if resets:
        what = "data" if all(f in DATA_FIELDS for f in resets) else "architecture"
        names = ", ".join(FIELD_LABELS[f] for f in resets)
        return Change("reset", changed, f"New {what} ({names} changed): the model was reset to step 0 with fresh weights.")
    parts = "; ".join(f"{FIELD_LABELS[f]} {_fmt(getattr(old, f))} → {_fmt(getattr(new, f))}" for f in changed)
    return Change("live", changed, f"Applied while training, weights and step count kept: {parts}.")


def apply_live(run: Run, new: Experiment) -> None:
    """Give the running trainer the new live settings (no change to weights or step count)."""
    run.trainer.configure(train_config(new))
    for layer in run.net.layers:
        if isinstance(layer, Dropout):
            layer.rate = float(new.dropout)
    run.experiment = new


def update(run: Run, new: Experiment) -> tuple[Run, Change]:
    """Apply ``new`` to ``run``: live settings in place, anything else rebuilds (data reused when unchanged)."""
    change = diff(run.experiment, new)
    if change.kind == "reset":
        same_data = not any(f in DATA_FIELDS or f == "features" for f in change.fields)
        return build(new, run.data if same_data else None), change
    if change.kind == "live":
        apply_live(run, new)
    return run, change


# ---- grids and views ----------------------------------------------------------------------

def grid_centers(res: int, domain: tuple[float, float] = DOMAIN) -> np.ndarray:
    """(res,) cell centres along one axis of the square domain."""
    lo, hi = domain
    return lo + (np.arange(res) + 0.5) * ((hi - lo) / res)


@lru_cache(maxsize=8)
def grid_points(res: int) -> np.ndarray:
    """(res*res, 2) cell centres, row-major: row i is x2 = centres[i], column j is x1 = centres[j]."""
    c = grid_centers(res)
    x1, x2 = np.meshgrid(c, c)
    pts = np.column_stack([x1.ravel(), x2.ravel()])
    pts.setflags(write=False)
    return pts


@lru_cache(maxsize=64)
def grid_features(features: tuple[str, ...], res: int) -> np.ndarray:
    """(res*res, k) float32 feature columns of ``grid_points(res)`` (cached, read-only)."""
    f = datasets.features(grid_points(res), list(features)).astype(np.float32)
    f.setflags(write=False)
    return f


def score(exp: Experiment, out: np.ndarray) -> np.ndarray:
    """(n,) what the surface shows: P(blue) (or the thresholded output) for classification, the
    prediction for regression. Non-finite values become 0.5 / 0."""
    if exp.output == "softmax":
        s = out[:, 1] if out.shape[1] == 2 else out.argmax(axis=1) / max(out.shape[1] - 1, 1)
    else:
        s = out[:, 0]
    fill = 0.5 if exp.task == "classification" else 0.0
    return np.nan_to_num(s.astype(np.float32), nan=fill, posinf=fill, neginf=fill)


def decision_surface(run: Run, res: int = SURFACE_RES) -> np.ndarray:
    """(res, res) float32 network output over the plane (rows x2 low->high, columns x1): one forward pass."""
    with np.errstate(all="ignore"):
        out = run.net.forward(grid_features(run.experiment.features, res), training=False)
        return score(run.experiment, out).reshape(res, res)


def neuron_maps(run: Run, res: int = NEURON_RES) -> list[np.ndarray]:
    """One (units, res, res) float32 array per column of the network drawing: the input features,
    each hidden layer's activations, then the outputs. One forward pass over a res x res grid."""
    F = grid_features(run.experiment.features, res)
    with np.errstate(all="ignore"):
        outs = run.net.layer_outputs(F, training=False)
    cols = [F.T.reshape(-1, res, res)]
    acts = [o for layer, o in zip(run.net.layers, outs, strict=True) if isinstance(layer, Activation)]
    for o in acts:
        m = np.nan_to_num(np.asarray(o, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        cols.append(m.T.reshape(-1, res, res))
    return cols


def dense_layers(net: Network) -> list[Dense]:
    return [layer for layer in net.layers if isinstance(layer, Dense)]


def weights(run: Run) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W (n_in, n_out), b (n_out,)) per Dense layer, input to output."""
    return [(d.params["W"], d.params["b"]) for d in dense_layers(run.net)]


def layer_labels(exp: Experiment) -> list[str]:
    """A label per Dense layer: "hidden 1 (2→4)", ..., "output (4→2)"."""
    sizes = exp.sizes
    labels = [f"hidden {i + 1} ({sizes[i]}→{sizes[i + 1]})" for i in range(len(exp.hidden))]
    return [*labels, f"output ({sizes[-2]}→{sizes[-1]})"]


def neuron_labels(exp: Experiment) -> list[list[str]]:
    """Labels per column of the drawing: features, hidden neurons, outputs."""
    cols = [list(exp.features)]
    cols += [[f"layer {i + 1}, neuron {j + 1}" for j in range(h)] for i, h in enumerate(exp.hidden)]
    if exp.task == "regression":
        out = ["prediction"]
    elif exp.output == "softmax":
        out = ["P(orange)", "P(blue)"] if exp.n_outputs == 2 else [f"P(class {k})" for k in range(exp.n_outputs)]
    else:
        out = ["P(blue)" if exp.output == "sigmoid" else "output (blue > 0.5)"]
    return [*cols, out]


def weight_histograms(run: Run, bins: int | None = None) -> list[dict[str, Any]]:
    """Per Dense layer: {"label", "edges" (bins+1,), "now" (bins,), "initial" (bins,)} weight counts
    on shared bin edges (by default about one bin per two weights, 5 to 24 bins)."""
    out = []
    for label, dense in zip(layer_labels(run.experiment), dense_layers(run.net), strict=True):
        now = dense.params["W"].ravel()
        n_bins = bins or int(min(24, max(5, now.size // 2)))
        init = run.initial[f"{dense.name}.W"].ravel()
        both = np.concatenate([now, init]).astype(np.float64)
        both = both[np.isfinite(both)]
        lo, hi = (float(both.min()), float(both.max())) if both.size else (-1.0, 1.0)
        if hi - lo < 1e-6:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, n_bins + 1)
        out.append({"label": label, "edges": edges, "now": np.histogram(now, edges)[0],
                     "initial": np.histogram(init, edges)[0]})
    return out


def gradient_norms(run: Run, max_points: int = 300) -> dict[str, np.ndarray]:
    """{"step": (m,), label: (m,) per Dense layer}: each layer's gradient norm at evaluation steps."""
    h = run.history
    idx = downsample_index(len(h.eval_steps), max_points)
    out: dict[str, np.ndarray] = {"step": np.asarray(h.eval_steps, dtype=np.int64)[idx]}
    for label, dense in zip(layer_labels(run.experiment), dense_layers(run.net), strict=True):
        out[label] = np.asarray(h.grad_norms.get(dense.name, []), dtype=np.float64)[idx]
    return out


def downsample_index(n: int, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread samples of n, first and last included."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))


def curves(history: History, max_points: int = 300, start: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
    """Evaluation curves downsampled to at most ``max_points``: step, train/test loss, accuracy, dead
    ReLUs; with ``start`` (``metrics`` at step 0, e.g. ``run.start``) they begin at step 0."""
    idx = downsample_index(len(history.eval_steps), max_points - (start is not None))

    def pick(values: list[float], first: float = math.nan) -> np.ndarray:
        v = np.asarray(values, dtype=np.float64)[idx] if values else np.zeros(len(idx))
        return np.concatenate([[first], v]) if start is not None else v

    steps = np.asarray(history.eval_steps, dtype=np.int64)[idx]
    s = start or {}
    return {
        "step": np.concatenate([[0], steps]) if start is not None else steps,
        "train_loss": pick(history.train_loss, s.get("train_loss", math.nan)),
        "test_loss": pick(history.val_loss, s.get("test_loss", math.nan)),
        "train_accuracy": pick(history.train_accuracy, s.get("train_accuracy", math.nan)),
        "test_accuracy": pick(history.val_accuracy, s.get("test_accuracy", math.nan)),
        "dead_relu": pick(history.dead_relu),
    }


def metrics(run: Run) -> dict[str, float]:
    """Current train/test loss and accuracy (NaN where absent) of the network as it is now."""
    tr = run.trainer
    train_loss, train_acc = tr.evaluate(run.data.F_train, run.data.y_train)
    if len(run.data.F_test):
        test_loss, test_acc = tr.evaluate(run.data.F_test, run.data.y_test)
    else:
        test_loss = test_acc = math.nan
    return {"train_loss": train_loss, "test_loss": test_loss, "train_accuracy": train_acc, "test_accuracy": test_acc}


# ---- compare runs -------------------------------------------------------------------------

VARY: dict[str, str] = {"learning_rate": "learning rate", "optimizer": "optimizer"}


@dataclass(eq=False)
class Comparison:
    """Copies of one network (same initial weights, data and batch order), one setting varied."""

    experiment: Experiment
    vary: str
    values: tuple
    runs: list[Run]

    @property
    def key(self) -> tuple:
        return comparison_key(self.experiment, self.vary, self.values)


def comparison_key(exp: Experiment, vary: str, values: Sequence) -> tuple:
    """What decides a comparison: the experiment without the varied setting, and the values."""
    base = exp.replace(learning_rate=1.0) if vary == "learning_rate" else exp.with_optimizer("sgd")
    return (base, vary, tuple(values))


def compare_label(vary: str, value: Any) -> str:
    if vary == "learning_rate":
        return f"η = {float(value):g}"
    return optimizers.get(value).label or str(value)


def compare(exp: Experiment, vary: str, values: Sequence) -> Comparison:
    """Up to ``MAX_COMPARE`` runs from the same initial weights, each with one value of ``vary``."""
    if vary not in VARY:
        raise ValueError(f"can vary {', '.join(VARY)}, not {vary!r}")
    values = tuple(values)
    if not 1 <= len(values) <= MAX_COMPARE:
        raise ValueError(f"compare 1 to {MAX_COMPARE} runs, got {len(values)}")
    if len(set(values)) != len(values):
        raise ValueError(f"the compared values must differ, got {list(values)}")
    if vary == "learning_rate":
        variants = [exp.replace(learning_rate=optimizers.check_learning_rate(v)) for v in values]
    else:
        variants = [exp.with_optimizer(optimizers.OPTIMIZERS.canonical(v)) for v in values]
    base = build(exp)
    runs = []
    for value, variant in zip(values, variants, strict=True):
        net = base.net.copy()
        runs.append(Run(variant, net, _trainer(net, variant, base.data), base.data, base.initial,
                        label=compare_label(vary, value), start=base.start))
    return Comparison(exp, vary, values, runs)


# ---- URL query string ---------------------------------------------------------------------

#: Experiment field -> query key.
QUERY_KEYS: dict[str, str] = {
    "dataset": "data", "noise": "noise", "n_points": "n", "test_ratio": "test", "seed": "seed",
    "features": "feat", "hidden": "hidden", "activation": "act", "init": "init", "l1": "l1", "l2": "l2",
    "dropout": "drop", "loss": "loss", "output": "out", "optimizer": "opt", "optimizer_params": "opt_set",
    "learning_rate": "lr", "batch_size": "batch",
}
#: Query keys Streamlit itself uses; never reported as unknown.
FOREIGN_KEYS = frozenset({"embed", "embed_options"})


def feature_code(name: str) -> str:
    """A URL-friendly code for a feature: "x1^2" -> "x1sq", "sin x1" -> "sinx1", "x1*x2" -> "x1x2"."""
    return name.replace("^2", "sq").replace("*", "").replace(" ", "")


_FEATURE_BY_CODE = {feature_code(f): f for f in FEATURE_NAMES}


def _num(v: float | int) -> str:
    return repr(float(v)) if isinstance(v, float) else str(int(v))


def to_query(exp: Experiment) -> dict[str, str]:
    """The experiment as query parameters (every field; floats in their exact shortest form)."""
    d = {
        "dataset": exp.dataset, "noise": _num(exp.noise), "n_points": _num(exp.n_points),
        "test_ratio": _num(exp.test_ratio), "seed": _num(exp.seed),
        "features": ",".join(feature_code(f) for f in exp.features),
        "hidden": ",".join(map(str, exp.hidden)) or "none", "activation": exp.activation, "init": exp.init,
        "l1": _num(exp.l1), "l2": _num(exp.l2), "dropout": _num(exp.dropout), "loss": exp.loss,
        "output": exp.output, "optimizer": exp.optimizer,
        "optimizer_params": ",".join(f"{k}:{_num(v)}" for k, v in exp.optimizer_params) or "none",
        "learning_rate": _num(exp.learning_rate), "batch_size": _num(exp.batch_size),
    }
    return {QUERY_KEYS[k]: v for k, v in d.items()}


def _parse_features(text: str) -> tuple[str, ...]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name = _FEATURE_BY_CODE.get(part.replace(" ", "").lower(), part)
        if name not in FEATURE_NAMES:
            raise ValueError(f"unknown feature {part!r}")
        out.append(name)
    return tuple(out)


def _parse_hidden(text: str) -> tuple[int, ...]:
    text = text.strip().lower()
    if text in ("", "none", "-"):
        return ()
    return tuple(int(p) for p in text.split(","))


def _parse_opt_params(text: str) -> dict[str, float]:
    text = text.strip().lower()
    if text in ("", "none", "-"):
        return {}
    out = {}
    for part in text.split(","):
        key, sep, value = part.partition(":")
        if not sep:
            raise ValueError(f"expected name:value, got {part!r}")
        out[key.strip()] = float(value)
    return out


#: Fields whose validity depends on others (checked after the data set and optimizer are known).
_DEPENDENT = ("dataset", "optimizer", "loss", "output", "optimizer_params")

_PARSERS: dict[str, Any] = {
    "dataset": str, "noise": float, "n_points": int, "test_ratio": float, "seed": int,
    "features": _parse_features, "hidden": _parse_hidden, "activation": str, "init": str,
    "l1": float, "l2": float, "dropout": float, "loss": str, "output": str, "optimizer": str,
    "optimizer_params": _parse_opt_params, "learning_rate": float, "batch_size": int,
}


def from_query(params: Mapping[str, Any], default: Experiment | None = None) -> tuple[Experiment, list[str]]:
    """An experiment from query parameters, and messages about what was ignored.

    Missing keys take the defaults; a bad value is replaced by its default and reported; unknown
    keys are reported. Never raises.
    """
    default = default or Experiment()
    messages: list[str] = []
    by_key = {v: k for k, v in QUERY_KEYS.items()}
    raw: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        if key in by_key:
            raw[by_key[key]] = str(value)
        elif key not in FOREIGN_KEYS:
            messages.append(f"ignored unknown link parameter {key}={value!r}")
    values: dict[str, Any] = {}
    for name, text in raw.items():
        try:
            value = _PARSERS[name](text)
            if name not in _DEPENDENT:
                default.replace(**{name: value})  # validates this value on its own
            values[name] = value
        except (ValueError, TypeError) as exc:
            messages.append(f"ignored {QUERY_KEYS[name]}={text!r} ({_reason(exc)}); using {_fmt(getattr(default, name))}")
    # Values that depend on each other: the data set decides the task, the loss the outputs,
    # the optimizer its settings.
    exp = default
    if "dataset" in values:
        try:
            exp = exp.with_dataset(values.pop("dataset"))
        except ValueError as exc:
            messages.append(f"ignored data={raw['dataset']!r} ({_reason(exc)}); using {default.dataset}")
    if "optimizer" in values:
        try:
            exp = exp.with_optimizer(values.pop("optimizer"))
        except ValueError as exc:
            messages.append(f"ignored opt={raw['optimizer']!r} ({_reason(exc)}); using {exp.optimizer}")
    try:
        exp = exp.replace(**{k: v for k, v in values.items() if k not in _DEPENDENT})  # each checked above
    except ValueError as exc:  # not expected: the independent fields were each valid
        messages.append(f"ignored the link's settings ({exc})")
    for name in ("loss", "output", "optimizer_params"):
        if name not in values:
            continue
        try:
            if name == "loss":
                outs = outputs_for(exp.task, losses.LOSSES.canonical(values["loss"]))
                output = exp.output if exp.output in outs else next(iter(outs))
                exp = exp.replace(loss=values["loss"], output=output)
            else:
                exp = exp.replace(**{name: values[name]})
        except ValueError as exc:
            messages.append(f"ignored {QUERY_KEYS[name]}={raw[name]!r} ({_reason(exc)}); using {_fmt(getattr(exp, name))}")
    return exp, messages


def _reason(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, ValueError) and text.startswith(("could not convert", "invalid literal")):
        return "not a number"
    return text


# ---- export -------------------------------------------------------------------------------

def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    return value


def export_json(run: Run) -> str:
    """The experiment, its link parameters and the whole history as JSON (NaN/inf as null)."""
    doc = {
        "format": "nnviz-playground-run", "version": 1,
        "experiment": run.experiment.to_dict(), "query": to_query(run.experiment),
        "step": run.step, "epoch": run.epoch, "diverged_at": run.diverged,
        "n_params": run.net.n_params, "network": run.net.config(),
        "history": run.history.to_dict(),
    }
    return json.dumps(_json_safe(doc), indent=1)


def export_csv(run: Run) -> str:
    """The history, one row per step (evaluation columns on evaluation steps)."""
    return run.history.to_csv()


def model_bytes(run: Run) -> bytes:
    """The trained network as .npz (``Network.load`` reads it back)."""
    return run.net.to_bytes()
