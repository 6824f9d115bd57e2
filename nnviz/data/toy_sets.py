"""Toy 2D data sets for the playground and the landscape, their features and the train/test split.

Each set lives in the ``DATASETS`` registry as ``make(n, noise, seed) -> Dataset2D`` with ``X``
(n, 2) float64 inside ``DOMAIN`` (all points at ``noise=0``, most at ``noise=1``) and ``y`` (n,)
int64 labels (classification) or float64 targets (regression). ``noise`` is a fraction: 0 is
clean, 1 the noisiest setting the UI offers. Arrays in ``Dataset2D`` are read-only.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from nnviz.nn.hyperparams import check_integer, check_number
from nnviz.nn.registry import Registry

#: The square (low, high) x (low, high) that holds the toy data; pages plot about this plane.
DOMAIN: tuple[float, float] = (-1.5, 1.5)
#: Upper bound on ``n``, so a bad number cannot exhaust memory.
MAX_SAMPLES = 1_000_000
#: Standard deviation of the Gaussian jitter at ``noise=1`` (a tenth of the width of [-1, 1]).
NOISE_SCALE = 0.2

Task = Literal["classification", "regression"]
TASKS: tuple[str, ...] = ("classification", "regression")


@dataclass(frozen=True, eq=False)
class Dataset2D:
    """A toy dataset: ``X`` (n, 2) float64; ``y`` (n,) int64 labels or float64 targets."""

    X: np.ndarray
    y: np.ndarray
    task: Task
    n_classes: int  # 0 for regression
    name: str

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        X = np.array(self.X, dtype=np.float64)  # a private copy, so freezing it is safe
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (n, 2), got {X.shape}")
        y_dtype = np.int64 if self.task == "classification" else np.float64
        y = np.array(self.y, dtype=y_dtype)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        if self.task == "classification":
            if self.n_classes < 2:
                raise ValueError(f"a classification set needs n_classes >= 2, got {self.n_classes}")
            if y.size and (y.min() < 0 or y.max() >= self.n_classes):
                raise ValueError(f"labels must be in [0, {self.n_classes}), got {y.min()}..{y.max()}")
        elif self.n_classes != 0:
            raise ValueError(f"a regression set has n_classes 0, got {self.n_classes}")
        X.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


DatasetFn = Callable[[int, float, int], Dataset2D]
DATASETS: Registry[DatasetFn] = Registry("dataset")


def get(name: str) -> DatasetFn:
    """The generator ``make(n, noise, seed) -> Dataset2D`` registered as ``name``."""
    return DATASETS.get(name)


def names() -> list[str]:
    """Registered toy set names, in UI order."""
    return DATASETS.names()


def label(name: str) -> str:
    """The set's name as the pages show it ("XOR", "Sine (regression)")."""
    return DATASETS.get(name).label


def names_by_task(task: str) -> list[str]:
    """Registered set names of one task ("classification" or "regression"), in UI order."""
    return [n for n in DATASETS.names() if DATASETS.get(n).task == task]


def _balanced_labels(n: int, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """(n,) int64 labels in shuffled order; class counts differ by at most one."""
    return rng.permutation(np.arange(n, dtype=np.int64) % n_classes)


def register_toy(name: str, task: Task, n_classes: int = 2, label: str = "") -> Callable[[Callable], DatasetFn]:
    """Register ``gen(n, noise, rng) -> (X, y)`` as a validated ``make(n, noise, seed)``, shown
    in the pages as ``label`` (default: the name, capitalized; regression sets say so)."""
    n_classes = n_classes if task == "classification" else 0

    def decorator(gen: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]) -> DatasetFn:
        @functools.wraps(gen)
        def make(n: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset2D:
            n = check_integer(n, "n", 2, MAX_SAMPLES)
            noise = check_number(noise, "noise")
            rng = np.random.default_rng(check_integer(seed, "seed", 0))
            X, y = gen(n, noise, rng)
            return Dataset2D(X=X, y=y, task=task, n_classes=n_classes, name=name)

        make.label = label or name.replace("_", " ").capitalize() + (" (regression)" if task == "regression" else "")
        make.task = task
        DATASETS.register(name)(make)
        return make

    return decorator


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


# Every generator draws the same random numbers whatever the noise, so for a fixed seed the
# noise slider jitters the same points instead of drawing new ones.


@register_toy("circles", "classification")
def circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 in the disk r <= 0.5, class 0 in the ring 0.7 <= r <= 1; jitter std 0.2 * noise."""
    y = _balanced_labels(n, 2, rng)
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    u = rng.uniform(0.0, 1.0, n)
    r = np.where(y == 1, 0.5 * u, 0.7 + 0.3 * u)
    X = _polar(r, angle) + NOISE_SCALE * noise * rng.standard_normal((n, 2))
    return X, y


@register_toy("xor", "classification", label="XOR")
def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform in [-1, 1]^2 minus a 0.05 band on the axes; class 1 where x1 * x2 > 0."""
    y = _balanced_labels(n, 2, rng)
    sign1 = rng.integers(0, 2, n) * 2 - 1
    magnitude = rng.uniform(0.05, 1.0, (n, 2))
    sign2 = np.where(y == 1, sign1, -sign1)
    X = magnitude * np.column_stack([sign1, sign2])
    X = X + NOISE_SCALE * noise * rng.standard_normal((n, 2))
    return X, y


@register_toy("gaussians", "classification")
def gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two round blobs at (-0.5, -0.5) (class 0) and (0.5, 0.5) (class 1), std 0.2 + 0.3 * noise."""
    y = _balanced_labels(n, 2, rng)
    centers = np.where(y[:, None] == 1, 0.5, -0.5)
    X = centers + (0.2 + 0.3 * noise) * rng.standard_normal((n, 2))
    return X, y


@register_toy("spiral", "classification")
def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two arms r = 0.1 + 0.9 t, angle = 3.5 pi t (+ pi for class 1), t ~ U[0, 1]; jitter 0.2 * noise.

    Arms are 0.9 / 3.5 ~ 0.26 apart radially at noise 0.
    """
    y = _balanced_labels(n, 2, rng)
    t = rng.uniform(0.0, 1.0, n)
    X = _polar(0.1 + 0.9 * t, 3.5 * np.pi * t + np.pi * y)
    X = X + NOISE_SCALE * noise * rng.standard_normal((n, 2))
    return X, y


@register_toy("moons", "classification")
def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (scikit-learn's moons) scaled into [-1, 1] x [-0.5, 0.5]."""
    y = _balanced_labels(n, 2, rng)
    theta = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(theta), np.sin(theta)])
    lower = np.column_stack([1.0 - np.cos(theta), 0.5 - np.sin(theta)])
    X = (np.where(y[:, None] == 1, lower, upper) - [0.5, 0.25]) / 1.5
    X = X + NOISE_SCALE * noise * rng.standard_normal((n, 2))
    return X, y


@register_toy("spiral_3", "classification", n_classes=3, label="Spiral, 3 classes")
def spiral_3(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Three arms r = 0.1 + 0.9 t, angle = 2.5 pi t + 2 pi k / 3 for class k, t ~ U[0, 1]; jitter 0.2 * noise.

    Neighbouring arms are 0.9 * (2/3) / 2.5 = 0.24 apart radially at noise 0.
    """
    y = _balanced_labels(n, 3, rng)
    t = rng.uniform(0.0, 1.0, n)
    X = _polar(0.1 + 0.9 * t, 2.5 * np.pi * t + (2.0 * np.pi / 3.0) * y)
    X = X + NOISE_SCALE * noise * rng.standard_normal((n, 2))
    return X, y


@register_toy("blobs_4", "classification", n_classes=4, label="Four blobs, 4 classes")
def blobs_4(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Four round blobs, class k at (±0.6, ±0.6) counter-clockwise from (0.6, 0.6), std 0.18 + 0.3 * noise."""
    y = _balanced_labels(n, 4, rng)
    centers = 0.6 * np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])[y]
    X = centers + (0.18 + 0.3 * noise) * rng.standard_normal((n, 2))
    return X, y


@register_toy("plane", "regression")
def plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """X ~ U[-1, 1]^2; y = (x1 + x2) / 2 + 0.2 * noise * N(0, 1)."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    y = 0.5 * (X[:, 0] + X[:, 1]) + NOISE_SCALE * noise * rng.standard_normal(n)
    return X, y


@register_toy("sine", "regression")
def sine(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """X ~ U[-1, 1]^2; y = sin(pi x1) cos(pi x2 / 2) + 0.2 * noise * N(0, 1)."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    y = np.sin(np.pi * X[:, 0]) * np.cos(0.5 * np.pi * X[:, 1]) + NOISE_SCALE * noise * rng.standard_normal(n)
    return X, y


def split(ds: Dataset2D, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random split -> X_train (n - m, 2), y_train (n - m,), X_test (m, 2), y_test (m,).

    m = ceil(n * test_fraction), at least 1 when test_fraction > 0 and at most n - 1.
    Not stratified. The arrays are fresh (writable) copies.
    """
    try:
        fraction = float(test_fraction)
    except (TypeError, ValueError):
        raise ValueError(f"test_fraction must be a number in [0, 1), got {test_fraction!r}") from None
    if not (math.isfinite(fraction) and 0.0 <= fraction < 1.0):
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction!r}")
    n = int(ds.X.shape[0])
    n_test = 0 if fraction == 0.0 else min(max(math.ceil(n * fraction - 1e-9), 1), n - 1)
    order = np.random.default_rng(check_integer(seed, "seed", 0)).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return ds.X[train], ds.y[train], ds.X[test], ds.y[test]


#: Input features the playground offers, in its order.
FEATURE_NAMES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")
#: How a feature is written on screen (pills, network graph, captions): x1², x1·x2.
FEATURE_LABELS: dict[str, str] = {"x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2"}


def feature_label(name: str) -> str:
    """The on-screen name of a feature ("x1^2" -> "x1²"); others as they are."""
    return FEATURE_LABELS.get(name, name)

_FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin x1": lambda x1, x2: np.sin(x1),
    "sin x2": lambda x1, x2: np.sin(x2),
}


def features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Map points X (n, 2) to the chosen feature columns (n, k), in the order of ``names``."""
    if isinstance(names, str):
        raise ValueError(f"names must be a list of feature names, got the string {names!r}")
    chosen = list(names)
    if not chosen:
        raise ValueError(f"choose at least one feature from {', '.join(FEATURE_NAMES)}")
    for name in chosen:
        if name not in _FEATURES:
            raise ValueError(f"unknown feature {name!r}; known: {', '.join(FEATURE_NAMES)}")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"features must not repeat, got {chosen}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([_FEATURES[name](x1, x2) for name in chosen])
