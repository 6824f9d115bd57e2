"""The landscape page's experiment: one network trained up to four ways from the same start.

A frozen ``Setup`` (a bad value raises ``ValueError`` naming it) decides everything the runs
depend on: the data (a toy set or an MNIST subset), the hidden layers and their activation, and
one (optimizer, learning rate) per run. ``load_task`` turns it into a ``Task`` (the arrays, and
the loss and output the classes pick for its kind); ``build_network`` and ``train_configs`` give
the network every run starts from and one training config per run.

A network's size is known before anything is built (``task_shape``, ``parameter_count``: an MLP
n_in -> h1 -> ... -> n_out has the sum over its dense layers of (inputs + 1) x outputs), and a
setup past ``MAX_PARAMETERS`` is refused (``size_problem`` says its size and what to change).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.data import mnist_files, toy_sets
from nnviz.nn import activations, losses, optimizers
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig

#: The task name of the MNIST subset (every other task is a registered toy set).
DIGITS = "digits"
DIGIT_CLASSES = 10
MAX_RUNS = 4
MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 1024
BATCH_SIZES: tuple[int, ...] = (8, 16, 32, 64, 128, 256)
STEP_CHOICES: tuple[int, ...] = (50, 100, 200, 300, 500, 1000, 2000)
RESOLUTIONS: tuple[int, ...] = (11, 15, 21, 31, 41, 51, 61)
SPANS: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.0)
DIGIT_COUNTS: tuple[int, ...] = (250, 500, 1000, 2000)
#: Weight snapshots kept per run (the paths' points), besides the initial weights.
N_SNAPSHOTS = 30
#: The flat weights' bytes per parameter and snapshot (float32, ``Network``'s default dtype).
SNAPSHOT_VALUE_BYTES = 4
#: Bytes a setup's runs keep per parameter of its network, at most: (N_SNAPSHOTS + 1) snapshots x
#: MAX_RUNS runs x SNAPSHOT_VALUE_BYTES = 31 x 4 x 4 = 496.
SNAPSHOT_BYTES_PER_PARAMETER = (N_SNAPSHOTS + 1) * MAX_RUNS * SNAPSHOT_VALUE_BYTES
#: The most parameters the landscape's network may have. Every run keeps its flat weights at up to
#: 31 snapshots and all of a setup's runs are one entry of the page's run cache
#: (``nnviz.ui.landscape.train_runs``), so an entry holds up to parameters x 31 snapshots x 4 runs x
#: 4 bytes = 496 bytes a parameter: 200,000 x 496 = 99.2 MB (99.3 MB pickled, with the losses),
#: within the ~100 MB one entry may take and under that cache's 128 MiB byte limit, which therefore
#: holds (Streamlit keeps a larger entry alone, past it). The layer sizes alone allowed 6 x 1,024
#: units: 6.1 million parameters on the digits, 3.0 GB in one entry. At the limit, one layer of 251
#: units fits on the digits (784 -> 251 -> 10), or six of 135; six of 199 on a toy set. The PCA
#: plane (its centre and two directions, float64) adds 24 bytes a parameter to a plane entry: 4.8 MB
#: at the limit.
MAX_PARAMETERS = 200_000
#: Inputs of the digits task: MNIST's 28 x 28 images, flattened.
DIGIT_INPUTS = 28 * 28
#: The hidden layers a task starts with, per kind of task ("toy" or ``DIGITS``).
HIDDEN_DEFAULT = {"toy": "16, 16", DIGITS: "64"}
#: When comparing optimizers: the ones picked at first, and the rate they share.
COMPARE_OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
COMPARE_LEARNING_RATE = 0.03


@dataclass(frozen=True)
class Setup:
    """Everything that decides the runs: the data, the network, and one (optimizer, rate) per run."""

    task: str = "moons"
    n_points: int = 300
    noise: float = 1.0
    n_digits: int = 1000
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "tanh"
    runs: tuple[tuple[str, float], ...] = (("sgd", 0.1), ("sgd", 0.3), ("sgd", 1.0), ("sgd", 30.0))
    batch_size: int = 32
    steps: int = 300
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= len(self.runs) <= MAX_RUNS:
            raise ValueError(f"pick between 1 and {MAX_RUNS} runs, got {len(self.runs)}")
        if len(set(self.runs)) != len(self.runs):
            raise ValueError("two runs have the same optimizer and learning rate")
        for opt, lr in self.runs:
            optimizers.create(opt, lr)  # unknown names and bad rates fail here, clearly
        activations.get(self.activation)
        if self.task != DIGITS and self.task not in toy_sets.names():
            raise ValueError(f"unknown task {self.task!r}; known: {', '.join([*toy_sets.names(), DIGITS])}")
        if (not self.hidden or any(h < 1 or h > MAX_UNITS for h in self.hidden)
                or len(self.hidden) > MAX_HIDDEN_LAYERS):
            raise ValueError(f"hidden layers must be 1 to {MAX_HIDDEN_LAYERS} sizes between 1 and {MAX_UNITS}, "
                             f"got {list(self.hidden)}")
        if self.steps < 1 or self.batch_size < 1:
            raise ValueError("steps and batch size must be positive")
        problem = size_problem(self.task, self.hidden)
        if problem:
            raise ValueError(problem)

    @property
    def labels(self) -> list[str]:
        """One short label per run: the rate when all share an optimizer, else the optimizer."""
        opts = {opt for opt, _ in self.runs}
        rates = {lr for _, lr in self.runs}
        if len(opts) == 1:
            return [f"η = {lr:g}" for _, lr in self.runs]
        if len(rates) == 1:
            return [optimizers.get(opt).label for opt, _ in self.runs]
        return [f"{optimizers.get(opt).label} η = {lr:g}" for opt, lr in self.runs]


@dataclass(frozen=True)
class ViewOptions:
    """How the views are drawn: grid ``resolution`` per side, random-slice ``span`` (in filter
    norms) and a ``log`` colour scale."""

    resolution: int = 21
    span: float = 1.0
    log: bool = True


@dataclass(frozen=True, eq=False)
class Task:
    """The training data ``X`` (n, n_in) float32 and ``y`` (n,) (class labels, or float32 targets),
    with the loss and output activation that fit its ``kind`` ("classification" or "regression")."""

    X: np.ndarray
    y: np.ndarray
    n_in: int
    n_out: int
    loss: str
    output: str
    kind: str
    description: str


def parse_hidden(text: str) -> tuple[int, ...]:
    """"16, 16" -> (16, 16); a clear ValueError for anything else."""
    parts = [p for p in str(text).replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts:
        raise ValueError("give at least one hidden layer size, e.g. 16, 16")
    sizes = []
    for p in parts:
        try:
            value = int(p)
        except ValueError:
            raise ValueError(f"hidden layer sizes must be whole numbers separated by commas, got {p!r}") from None
        if not 1 <= value <= MAX_UNITS:
            raise ValueError(f"each hidden layer needs 1 to {MAX_UNITS} units, got {value}")
        sizes.append(value)
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers here (the page trains {MAX_RUNS} networks), "
                         f"got {len(sizes)}")
    return tuple(sizes)


def task_kind(task: str) -> str:
    """The kind of task for its defaults: ``DIGITS`` or "toy"."""
    return DIGITS if task == DIGITS else "toy"


def hidden_activations() -> list[str]:
    """The activations offered for the hidden layers: the elementwise ones (a vector function such
    as softmax couples a layer's units)."""
    return [name for name in activations.names() if activations.ACTIVATIONS.get(name).elementwise]


def loss_for(kind: str) -> str:
    """The first-choice loss of a task kind (the loss class whose ``default_for`` says so)."""
    chosen = [name for name in losses.names() if losses.LOSSES.get(name).default_for == kind]
    if not chosen:
        raise ValueError(f"no loss is the first choice for {kind!r}")
    return chosen[0]


def output_for(loss: str, kind: str) -> str:
    """The output activation for ``loss``: the one it fuses with (its gradient is then prediction
    minus target), else the task kind's first-choice output."""
    fused = losses.LOSSES.get(loss).fused_activation
    if fused is not None:
        return fused
    chosen = [n for n in activations.names() if kind in activations.ACTIVATIONS.get(n).default_output_for]
    if not chosen:
        raise ValueError(f"no output activation is the first choice for {kind!r}")
    return chosen[0]


def _outputs(kind: str, n_classes: int) -> int:
    """Output units for a task kind: one per class where its output activation is per class, else 1."""
    return n_classes if activations.ACTIVATIONS.get(output_for(loss_for(kind), kind)).per_class else 1


def _task(X: np.ndarray, y: np.ndarray, kind: str, n_classes: int, description: str) -> Task:
    loss = loss_for(kind)
    return Task(X, y, X.shape[1], _outputs(kind, n_classes), loss, output_for(loss, kind), kind, description)


def task_shape(task: str) -> tuple[int, int]:
    """(n_in, n_out) of ``task``'s network without loading its data, as ``load_task`` gives them:
    784 and 10 for the digits; a toy set's 2 inputs and its classes (1 output for regression)."""
    if task == DIGITS:
        return DIGIT_INPUTS, _outputs("classification", DIGIT_CLASSES)
    ds = toy_sets.get(task)(2, 0.0, 0)  # two points: the set's kind and classes, in microseconds
    return ds.X.shape[1], _outputs(ds.task, ds.n_classes)


def parameter_count(n_in: int, hidden: tuple[int, ...], n_out: int) -> int:
    """Weights and biases of the MLP n_in -> hidden -> n_out: sum of (inputs + 1) x outputs."""
    sizes = [n_in, *hidden, n_out]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))


def widest(n_in: int, layers: int, n_out: int) -> int:
    """The most units each of ``layers`` equal hidden layers may have within MAX_PARAMETERS (0: none fit)."""
    fits = [w for w in range(1, MAX_UNITS + 1) if parameter_count(n_in, (w,) * layers, n_out) <= MAX_PARAMETERS]
    return max(fits, default=0)


def layer_label(n_in: int, hidden: tuple[int, ...], n_out: int) -> str:
    """"2 → 6 × 1024 → 2": the layer sizes, a run of equal hidden layers written once with its count."""
    parts, i = [str(n_in)], 0
    while i < len(hidden):
        j = i
        while j < len(hidden) and hidden[j] == hidden[i]:
            j += 1
        parts.append(f"{j - i} × {hidden[i]}" if j - i > 1 else str(hidden[i]))
        i = j
    return " → ".join([*parts, str(n_out)])


def size_problem(task: str, hidden: tuple[int, ...]) -> str | None:
    """None when ``hidden`` on ``task`` is within MAX_PARAMETERS, else a message saying its size, why it
    is refused and what fits instead."""
    n_in, n_out = task_shape(task)
    n = parameter_count(n_in, hidden, n_out)
    if n <= MAX_PARAMETERS:
        return None
    layers, one = len(hidden), widest(n_in, 1, n_out)
    if layers == 1:
        hint = f"one of at most {one:,} units fits"
    else:
        fit = widest(n_in, layers, n_out)
        hint = f"{layers} of at most {fit:,} units each fit" if fit else f"{layers} do not fit"
        hint += f", or one of at most {one:,}"
    return (f"{layer_label(n_in, hidden, n_out)} has {n:,} parameters, over the {MAX_PARAMETERS:,} allowed here: "
            f"each of up to {MAX_RUNS} runs keeps every weight at {N_SNAPSHOTS + 1} points of its path "
            f"({n * SNAPSHOT_BYTES_PER_PARAMETER / 1e6:,.0f} MB) on the shared server. Use fewer or smaller hidden "
            f"layers: on this data {hint}.")


def load_task(task: str, n_points: int, noise: float, n_digits: int, seed: int,
              mnist: mnist_files.Mnist | None = None) -> Task:
    """The training data of a task: ``n_points`` of toy set ``task`` (with ``noise`` and ``seed``),
    or for ``DIGITS`` the first ``n_digits`` MNIST training images flattened to 784 inputs (from
    ``mnist``, else ``mnist_files.load_mnist()``, whose ``MnistUnavailable`` says what is missing)."""
    if task == DIGITS:
        mnist = mnist_files.load_mnist() if mnist is None else mnist
        n = min(n_digits, len(mnist.X_train))
        X = mnist.X_train[:n].reshape(n, -1).astype(np.float32)
        return _task(X, mnist.y_train[:n], "classification", DIGIT_CLASSES,
                     f"{n} MNIST training images (28 x 28, flattened to {X.shape[1]} inputs), "
                     f"{DIGIT_CLASSES} classes")
    ds = toy_sets.get(task)(n_points, noise, seed)
    X = ds.X.astype(np.float32)
    if ds.task == "classification":
        return _task(X, ds.y, ds.task, ds.n_classes, f"{ds.n} points of '{task}', {ds.n_classes} classes")
    return _task(X, ds.y.astype(np.float32), ds.task, 0, f"{ds.n} points of '{task}', regression")


def build_network(setup: Setup, task: Task) -> Network:
    """The network every run starts from: n_in -> hidden -> n_out, initialized as its activation suits.
    ``ValueError`` naming the size when it would have more than MAX_PARAMETERS."""
    n = parameter_count(task.n_in, setup.hidden, task.n_out)
    if n > MAX_PARAMETERS:
        raise ValueError(f"the network {layer_label(task.n_in, setup.hidden, task.n_out)} would have {n:,} "
                         f"parameters, more than the landscape's {MAX_PARAMETERS:,}")
    return Network.mlp([task.n_in, *setup.hidden, task.n_out], activation=setup.activation, output=task.output,
                       init=activations.initializer_for(setup.activation), seed=setup.seed)


def train_configs(setup: Setup, task: Task) -> list[TrainConfig]:
    """One training config per run (same loss, batch size and seed; its own optimizer and rate)."""
    return [TrainConfig(loss=task.loss, optimizer=opt, learning_rate=lr, batch_size=setup.batch_size,
                        seed=setup.seed, eval_every=0) for opt, lr in setup.runs]
