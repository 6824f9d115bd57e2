"""Throwaway registry entries: one new class or function of each kind, declared the way a
contributor would add one (one decorated definition, nothing else edited).

``register()`` adds them, ``unregister()`` removes them. With ``NNVIZ_THROWAWAY=1`` in the
environment, ``tests/conftest.py`` registers them before collection, so the registry-wide tests
(gradient checks, formulas, metadata) parametrize over them as over every real entry;
``tests/test_extension_points.py`` runs those tests that way and opens every page with each
entry selected.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.data import toy_sets
from nnviz.labs.descent import surfaces
from nnviz.nn import activations, initializers, losses, optimizers

ACTIVATION = "throwaway_softsign"
LOSS = "throwaway_log_cosh"
OPTIMIZER = "throwaway_heavy_ball"
INITIALIZER = "throwaway_lecun_normal"
SURFACE_1D = "throwaway_quartic"
SURFACE_2D = "throwaway_tilted_bowl"
DATASET = "throwaway_stripes"


class Softsign(activations.Activation):
    """f(z) = z / (1 + |z|), f'(z) = 1 / (1 + |z|)^2."""

    label = "Softsign (throwaway)"
    formula = r"f(z) = \frac{z}{1 + |z|}"
    derivative_formula = r"f'(z) = \frac{1}{(1 + |z|)^2}"
    output_range = "(-1, 1)"
    common_use = "A test entry"
    issue = "Saturates slowly (polynomially)"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return z / (1 + np.abs(z))

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return 1 / np.square(1 + np.abs(z))


class LogCosh(losses.Loss):
    """L = mean log cosh(a - y), dL/da = tanh(a - y) / n: a smooth regression loss."""

    label = "Log-cosh (throwaway)"
    formula = r"L = \frac{1}{n}\sum_i \log\cosh(\hat y_i - y_i)"
    description = "Regression; quadratic near the target, linear far away, smooth everywhere"
    grad_formula = r"\tanh(a - y)"

    def _value(self, out: np.ndarray, t: np.ndarray) -> float:
        r = np.abs(out - t)
        return np.mean(r + np.log1p(np.exp(-2 * r)) - math.log(2.0))

    def _grad(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.tanh(out - t) / out.size


class HalfSquares(losses.Loss):
    """L = mean (a - y)^2 / 2, dL/da = (a - y)/n, targets in [-1, 1]: a loss the neuron calculator
    can write out (it has value and gradient templates), for the explain and backprop tests."""

    label = "Half squares"
    formula = r"L = \frac{1}{2n}\sum_i (y_i - \hat y_i)^2"
    grad_formula = "a - y"
    sample_template = r"\tfrac12(@a - @y)^2"
    grad_template = "@a - @y"
    target_range = (-1.0, 1.0)

    def _value(self, out: np.ndarray, t: np.ndarray) -> float:
        return 0.5 * np.mean(np.square(out - t))

    def _grad(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        return (out - t) / out.size


class HeavyBall(optimizers.Optimizer):
    """Polyak's heavy ball: u <- beta u + g; theta <- theta - lr u (its velocity is named u, not v)."""

    label = "Heavy ball (throwaway)"
    formula = r"u \leftarrow \beta u + g;\quad \theta \leftarrow \theta - \eta\, u"
    description = "Polyak's momentum, declared by a test"
    hyperparams = {"beta": (0.9, 0.0, 1.0, "how much of the old velocity is kept")}
    visible_state = {"u": "velocity u"}
    velocity = "u"
    beta: float

    @classmethod
    def stability_limit(cls, curvature: float, **settings: float) -> float | None:
        """theta_{k+1} = theta_k - lr g + beta (theta_k - theta_{k-1}) is stable iff lr < 2(1+beta)/L."""
        return 2.0 * (1.0 + cls.resolve(**settings)["beta"]) / curvature

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {"u": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        state["u"] *= self.beta
        state["u"] += g
        p -= self.learning_rate * state["u"]


def lecun_normal(shape: tuple[int, ...], rng: np.random.Generator, dtype: type = np.float32) -> np.ndarray:
    """N(0, 1/fan_in)."""
    fan_in, _ = initializers.fans(shape)
    return (rng.standard_normal(shape) * math.sqrt(1.0 / fan_in)).astype(dtype)


class Quartic(surfaces.Surface1D):
    """f(x) = x^4 / 4 + x^2 / 2, f'(x) = x^3 + x."""

    label = "Quartic (throwaway)"
    latex = r"f(x) = \tfrac14 x^4 + \tfrac12 x^2"
    description = "a valley that steepens away from its floor"
    domain = (-2.0, 2.0)
    default_start = (1.5,)
    _minima = ((0.0,),)
    min_value = 0.0

    def _f(self, x: np.ndarray) -> np.ndarray:
        return 0.25 * x**4 + 0.5 * x**2

    def _grad(self, x: np.ndarray) -> tuple[np.ndarray]:
        return (x**3 + x,)


class TiltedBowl(surfaces.Surface2D):
    """f(x, y) = x^2 + 3 y^2 + x y, gradient (2x + y, 6y + x); Hessian [[2, 1], [1, 6]]."""

    label = "Tilted bowl (throwaway)"
    latex = r"f(x, y) = x^2 + 3y^2 + xy"
    description = "an elliptic bowl whose axes are not the coordinate axes"
    domain = ((-2.0, 2.0), (-2.0, 2.0))
    default_start = (-1.5, 1.5)
    _minima = ((0.0, 0.0),)
    min_value = 0.0

    @property
    def lipschitz(self) -> float:
        return 4.0 + math.sqrt(5.0)

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x * x + 3 * y * y + x * y

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 2 * x + y, 6 * y + x


def stripes(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Four vertical stripes of width 0.5 across [-1, 1]^2 with gaps between, classes alternating."""
    y = rng.permutation(np.arange(n, dtype=np.int64) % 2)
    stripe = 2 * rng.integers(0, 2, n) + y
    X = np.column_stack([-1.0 + 0.5 * (stripe + rng.uniform(0.1, 0.9, n)), rng.uniform(-1.0, 1.0, n)])
    return X + 0.2 * noise * rng.standard_normal((n, 2)), y


_REGISTRIES = (
    (activations.ACTIVATIONS, ACTIVATION, Softsign),
    (losses.LOSSES, LOSS, LogCosh),
    (optimizers.OPTIMIZERS, OPTIMIZER, HeavyBall),
    (initializers.INITIALIZERS, INITIALIZER, lecun_normal),
    (surfaces.SURFACES, SURFACE_1D, Quartic),
    (surfaces.SURFACES, SURFACE_2D, TiltedBowl),
)


def register() -> None:
    """Add every throwaway entry (idempotent)."""
    for registry, name, obj in _REGISTRIES:
        if name not in registry:
            registry.register(name)(obj)
    if DATASET not in toy_sets.DATASETS:
        toy_sets.register_toy(DATASET, "classification")(stripes)


def unregister() -> None:
    for registry, name, _ in _REGISTRIES:
        if name in registry:
            registry.unregister(name)
    if DATASET in toy_sets.DATASETS:
        toy_sets.DATASETS.unregister(DATASET)
