"""The playground's experiment: every setting of one run, validated, and what fits what.

An ``Experiment`` (frozen; a bad value raises ``ValueError`` naming it) holds the data, the
network, the loss and the training settings. The data set decides the task; the task the losses
offered (``losses_for``); the loss the output activations (``outputs_for``). Which loss and output
come first, and how many output units an activation needs, the classes say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Any

from nnviz.data import toy_sets
from nnviz.labs.playground.points import Points
from nnviz.nn import activations, initializers, losses, optimizers
from nnviz.nn.hyperparams import check_integer, check_number
from nnviz.nn.training import TrainConfig

FEATURE_NAMES: tuple[str, ...] = tuple(toy_sets.FEATURE_NAMES)
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 16
MIN_POINTS, MAX_POINTS = 20, 5000
MAX_TEST_RATIO = 0.9
MAX_DROPOUT = 0.9
MAX_BATCH = 1000
MAX_REGULARIZATION = 10.0
MAX_SEED = 2**32 - 1
#: Full train/test loss, gradient norms and dead ReLUs every this many steps (cheap at 500 points).
EVAL_EVERY = 5


def eval_every_at(steps_per_frame: float) -> int:
    """The trainer's evaluation cadence while the live view trains ``steps_per_frame`` steps
    between two frames: every ``EVAL_EVERY`` steps, or about once a frame where frames are further
    apart (a multiple of ``EVAL_EVERY``: 65 at 2,000 steps/s and 30 frames/s). The curves show at
    most a few hundred points and the frames measure the loss anyway; at the highest speed
    evaluating every 5 steps was a fifth of the server's tick."""
    return max(EVAL_EVERY, EVAL_EVERY * int(steps_per_frame // EVAL_EVERY))


FIELD_LABELS: dict[str, str] = {
    "dataset": "data set", "noise": "noise", "n_points": "number of points", "test_ratio": "test share",
    "seed": "seed", "features": "input features", "hidden": "hidden layers", "activation": "activation",
    "activations": "activation per layer",
    "batch_norm": "batch normalization", "init": "initialization", "loss": "loss", "output": "output activation", "optimizer": "optimizer",
    "optimizer_params": "optimizer settings", "learning_rate": "learning rate", "batch_size": "batch size",
    "l1": "L1", "l2": "L2", "dropout": "dropout", "points": "your own points",
}
#: Fields that change the data or the architecture: a change rebuilds the model from step 0.
DATA_FIELDS = ("dataset", "noise", "n_points", "test_ratio", "seed", "points")
#: Fields whose change gives the run other points but keeps its network, weights and step count.
POINT_FIELDS = ("points",)
MODEL_FIELDS = ("features", "hidden", "activation", "activations", "batch_norm", "init", "loss", "output")
#: Fields applied to the running trainer, keeping weights and step count.
LIVE_FIELDS = ("learning_rate", "optimizer", "optimizer_params", "batch_size", "l1", "l2", "dropout")


# ---- tasks, losses and outputs ------------------------------------------------------------

#: Settings a data set starts with where the generic defaults would not learn it in about 20 s at
#: the default speed (measured: the spiral with x1, x2 and 4-4 units is at 68% test accuracy after
#: 1,500 steps; with every feature and 8-8 units at 100%).
DATASET_DEFAULTS: dict[str, dict[str, tuple]] = {
    "spiral": {"features": ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"), "hidden": (8, 8)},
    "spiral_3": {"features": ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"), "hidden": (8, 8)},
}


def starting_settings(dataset: str) -> dict[str, tuple]:
    """The features and hidden sizes ``dataset`` starts with (the generic defaults unless listed)."""
    generic = {"features": Experiment.features, "hidden": Experiment.hidden}
    return {**generic, **DATASET_DEFAULTS.get(dataset, {})}


@cache
def task_of(dataset: str) -> tuple[str, int]:
    """(task, n_classes) of a registered toy set: ("classification", 2) or ("regression", 0)."""
    ds = toy_sets.get(dataset)(8, 0.0, 0)
    return ds.task, ds.n_classes


def losses_for(task: str, n_classes: int = 2) -> dict[str, str]:
    """Loss name -> why it fits, for the losses that are valid for ``task`` (registry order)."""
    offered: dict[str, str] = {}
    for name in losses.names():
        loss = losses.LOSSES.get(name)
        if task == "regression" and loss.task != "regression":
            continue
        if task == "classification" and n_classes > 2 and not any(
                activations.ACTIVATIONS.get(out).per_class for out in outputs_for(task, name)):
            continue  # one output cannot hold more than two classes
        offered[name] = loss.why or loss.description
    return offered


def losses_not_offered(task: str, n_classes: int = 2) -> dict[str, str]:
    """Loss name -> why it is not offered for ``task``."""
    offered = losses_for(task, n_classes)
    two_classes = losses_for(task, 2) if task == "classification" and n_classes > 2 else {}

    def why(name: str) -> str:
        if name in two_classes:
            return (f"its network ends in one output, which cannot tell {n_classes} classes apart; softmax "
                    "with cross-entropy gives one output per class")
        return losses.LOSSES.get(name).why_not or f"made for {losses.LOSSES.get(name).task}"

    return {name: why(name) for name in losses.names() if name not in offered}


def outputs_for(task: str, loss: str) -> dict[str, str]:
    """Output activation -> what it means, for a loss on a task; the first is the default.

    A loss with a fused activation takes that one. Otherwise the network ends in one unit: any
    activation with an ``output_meaning`` that is not ``per_class``; a probability for a loss that
    needs one, never a probability for regression targets; each task's first choice first.
    """
    cls = losses.LOSSES.get(loss)
    if cls.fused_activation is not None:
        names = [cls.fused_activation]
    else:
        names = []
        for name in activations.names():
            act = activations.ACTIVATIONS.get(name)
            if not act.output_meaning or act.per_class:
                continue
            if cls.needs_probabilities and not act.gives_probabilities:
                continue  # the loss takes the log of a probability
            if task == "regression" and act.gives_probabilities:
                continue  # regression targets are real numbers
            names.append(name)
        names.sort(key=lambda n: task not in activations.ACTIVATIONS.get(n).default_output_for)
    classes = {name: activations.ACTIVATIONS.get(name) for name in names}
    return {name: act.output_meaning or act.common_use for name, act in classes.items()}


def default_loss(task: str) -> str:
    """The task's first-choice loss (the loss class that says so), else the first one offered."""
    chosen = (n for n in losses.names() if losses.LOSSES.get(n).default_for == task)
    return next(chosen, None) or next(iter(losses_for(task)))


def output_units(output: str, n_classes: int) -> int:
    """Units of the output layer: one per class for a ``per_class`` activation, else one."""
    return n_classes if activations.ACTIVATIONS.get(output).per_class else 1


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

    ``features`` are kept in ``FEATURE_NAMES`` order; ``activations`` is empty (every hidden layer
    uses ``activation``) or one activation per hidden layer, and is made empty (with ``activation``
    that one) when all layers use the same, so one network has one experiment and a link with only
    ``act`` keeps meaning what it did; ``batch_norm`` holds the hidden layers
    (numbered from 1, sorted) whose sums are batch-normalized before their activation;
    ``optimizer_params`` are (name, value) pairs completed with the optimizer's defaults; ``loss``
    and ``output`` must fit the data's task.
    """

    dataset: str = "circles"
    noise: float = 0.0
    n_points: int = 500
    test_ratio: float = 0.5
    seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 4)
    activation: str = "tanh"
    activations: tuple[str, ...] = ()
    batch_norm: tuple[int, ...] = ()
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
    #: Your own points (``nnviz.labs.playground.points``) instead of the generated set, or None.
    points: Points | None = None

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "dataset", toy_sets.DATASETS.canonical(self.dataset))
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
        if isinstance(self.batch_norm, (str, bytes)) or not isinstance(self.batch_norm, Sequence):
            raise ValueError(f"batch_norm must be a list of hidden layer numbers, got {self.batch_norm!r}")
        normalized = sorted({_as_int(k, "batch-normalized layer", 1, MAX_HIDDEN_LAYERS) for k in self.batch_norm})
        beyond = [k for k in normalized if k > len(self.hidden)]
        if beyond:
            raise ValueError(f"batch normalization after hidden layer {beyond[0]}, but the network has "
                             f"{len(self.hidden)} hidden layer{'s' if len(self.hidden) != 1 else ''}")
        s(self, "batch_norm", tuple(normalized))
        s(self, "activation", activations.ACTIVATIONS.canonical(self.activation))
        if isinstance(self.activations, (str, bytes)) or not isinstance(self.activations, Sequence):
            raise ValueError(f"activations must be a list of activation names, one per hidden layer, "
                             f"got {self.activations!r}")
        per_layer = tuple(activations.ACTIVATIONS.canonical(a) for a in self.activations)
        if per_layer and len(per_layer) != len(self.hidden):
            raise ValueError(f"{len(per_layer)} activation{'s' if len(per_layer) != 1 else ''} per layer, but the "
                             f"network has {len(self.hidden)} hidden layer{'s' if len(self.hidden) != 1 else ''}")
        if per_layer and len(set(per_layer)) == 1:  # all the same: the one activation
            s(self, "activation", per_layer[0])
            per_layer = ()
        s(self, "activations", per_layer)
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
        if self.points is not None:
            if not isinstance(self.points, Points):
                raise ValueError(f"points must be a Points set or None, got {type(self.points).__name__}")
            if (self.points.task, self.points.n_classes) != (task, n_classes):
                kind = f"{self.points.n_classes} classes" if self.points.task == "classification" else "regression targets"
                raise ValueError(f"your own points hold {kind}, but {self.dataset} is {task}"
                                 + (f" with {n_classes} classes" if task == "classification" else ""))

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
    def layer_activations(self) -> tuple[str, ...]:
        """The activation of each hidden layer, first to last."""
        return self.activations or (self.activation,) * len(self.hidden)

    @property
    def sizes(self) -> list[int]:
        """Layer widths [n_inputs, *hidden, n_outputs]."""
        return [len(self.features), *self.hidden, self.n_outputs]

    def replace(self, **changes: Any) -> Experiment:
        return replace(self, **changes)

    def with_dataset(self, dataset: str) -> Experiment:
        """Another data set; the loss and output switch to the new task's defaults if they no longer fit."""
        task, n_classes = task_of(toy_sets.DATASETS.canonical(dataset))
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
        d["activations"] = list(self.activations)
        d["batch_norm"] = list(self.batch_norm)
        d["optimizer_params"] = self.opt_params
        d["points"] = None if self.points is None else self.points.to_dict()
        return d

    def describe(self) -> str:
        """One line: sizes, activation (per layer where they differ; batch normalization), optimizer,
        learning rate."""
        bn = f" · batch norm on layer {', '.join(map(str, self.batch_norm))}" if self.batch_norm else ""
        act = " / ".join(self.activations) if self.activations else self.activation
        return (f"{' → '.join(map(str, self.sizes))} · {act}{bn} · {self.output} + {self.loss} · "
                f"{self.optimizer} η={self.learning_rate:g} · batch {self.batch_size}")


def train_config(exp: Experiment) -> TrainConfig:
    """The trainer's settings for ``exp`` (evaluation every ``EVAL_EVERY`` steps)."""
    return TrainConfig(
        loss=exp.loss, optimizer=exp.optimizer, learning_rate=exp.learning_rate, batch_size=exp.batch_size,
        l1=exp.l1, l2=exp.l2, seed=exp.seed, optimizer_params=exp.opt_params, eval_every=EVAL_EVERY,
    )


def format_value(value: Any) -> str:
    """A setting's value as people read it: 0.03, [4, 4], "beta 0.9, eps 1e-08", none."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Points):
        return f"your own {value.describe()}"
    if value is None:
        return "none"
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return ", ".join(f"{k} {v:g}" for k, v in value)
        return "[" + ", ".join(map(str, value)) + "]" if value else "none"
    return str(value)
