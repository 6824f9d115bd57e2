"""Optimizers: one base class; a subclass implements only the per-parameter update.

``opt = get("adam")(learning_rate=1e-3)``; ``opt.step(params, grads)`` updates every array of
``params`` in place from the same key of ``grads``. State (velocities, moment estimates) is
created lazily per key, so the same optimizer drives a network or a point on a 2D surface.

Each class also says what the pages draw and check, so no page branches on an optimizer's name:
``velocity`` (the state array that carries the point, or None), ``adaptive`` (per-coordinate
step sizes) with ``step_scale`` (those step sizes), and ``stability_limit`` / ``zigzag_limit``
(the learning rates at which a quadratic of curvature L diverges / starts to zigzag).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from nnviz.nn.hyperparams import HyperSpec, check_number
from nnviz.nn.registry import Registry

# Optimizer settings use the common spec format, but their range is half-open: low <= value < high
# (a beta of 1 would freeze the average forever).

#: The smallest eps of an adaptive step g / (sqrt(s) + eps): an exactly zero gradient with s = 0
#: must give 0, not 0/0, and 1e-300 is already 0 in float32 (whose smallest normal is 1.2e-38).
EPS_MIN = 1e-12


def check_learning_rate(learning_rate: float) -> float:
    if isinstance(learning_rate, (str, bytes, bool)):
        raise ValueError(f"learning rate must be a number, got {learning_rate!r}")
    try:
        lr = float(learning_rate)
    except (TypeError, ValueError):
        raise ValueError(f"learning rate must be a number, got {learning_rate!r}") from None
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be > 0, got {lr:g}")
    return lr


class Optimizer:
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    formula: ClassVar[str] = ""  # LaTeX of the update
    description: ClassVar[str] = ""
    hyperparams: ClassVar[HyperSpec] = {}
    #: State arrays worth showing (e.g. the velocity), name -> label.
    visible_state: ClassVar[dict[str, str]] = {}
    #: The state array that carries the point along (its direction of travel is -state[velocity]),
    #: or None for an optimizer without one.
    velocity: ClassVar[str | None] = None
    #: Whether each coordinate gets its own step size from the state (then ``step_scale`` says which).
    adaptive: ClassVar[bool] = False
    #: Whether its update treats every coordinate alone (each element of p, g and the state arrays
    #: from the same elements only), so all parameters can be updated at once as one packed vector
    #: (``step_packed``) with the same numbers as ``step``.
    elementwise: ClassVar[bool] = False

    def __init__(self, learning_rate: float = 0.01, **hyper: float) -> None:
        self.learning_rate = check_learning_rate(learning_rate)
        for key, (default, _, _, _) in self.hyperparams.items():
            setattr(self, key, default)
        self.set_hyperparams(**hyper)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0  # steps taken
        self._packed: tuple[np.ndarray, dict[str, np.ndarray]] | None = None  # (params vector, its state)

    def set_hyperparams(self, learning_rate: float | None = None, **hyper: float) -> None:
        """Change settings between steps, keeping the state (velocities, moments)."""
        unknown = set(hyper) - set(self.hyperparams)
        if unknown:
            raise ValueError(
                f"optimizer {self.name!r} has no setting {sorted(unknown)[0]!r}; it takes "
                f"{['learning_rate', *self.hyperparams]}"
            )
        if learning_rate is not None:
            self.learning_rate = check_learning_rate(learning_rate)
        for key, value in hyper.items():
            _, low, high, _ = self.hyperparams[key]
            v = check_number(value, f"{self.name} {key}", -math.inf, math.inf)
            if not low <= v < high:
                raise ValueError(f"{self.name} {key} must be in [{low:g}, {high:g}), got {v:g}")
            setattr(self, key, v)

    @property
    def settings(self) -> dict[str, float]:
        return {"learning_rate": self.learning_rate, **{k: getattr(self, k) for k in self.hyperparams}}

    @classmethod
    def resolve(cls, **settings: float) -> dict[str, float]:
        """The class defaults of every setting, updated by ``settings`` (ValueError for an unknown one)."""
        unknown = set(settings) - set(cls.hyperparams)
        if unknown:
            raise ValueError(f"optimizer {cls.name!r} has no setting {sorted(unknown)[0]!r}; it takes "
                             f"{list(cls.hyperparams)}")
        return {k: float(settings.get(k, spec[0])) for k, spec in cls.hyperparams.items()}

    @classmethod
    def stability_limit(cls, curvature: float, **settings: float) -> float | None:
        """The largest learning rate that converges on f(x) = L x²/2 with L = ``curvature`` > 0,
        for ``settings`` (the class defaults where not given); None: no fixed limit (the default)."""
        cls.resolve(**settings)
        return None

    @classmethod
    def zigzag_limit(cls, curvature: float, **settings: float) -> float | None:
        """The largest learning rate whose steps never overshoot the minimum of f(x) = L x²/2
        (above it the point zigzags across the valley); None: not declared (the default)."""
        cls.resolve(**settings)
        return None

    def step_scale(self, state: Mapping[str, np.ndarray], t: int | np.ndarray | None = None) -> np.ndarray | None:
        """The per-coordinate step size of an adaptive optimizer: what multiplies its (averaged)
        gradient in the step after step ``t``, from ``state`` (one parameter's state arrays, any
        shape, e.g. a history (n, dim) with ``t`` an (n, 1) array; default ``self.t``).
        None for an optimizer that is not ``adaptive`` (its scale is the learning rate)."""
        return None

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """One update of every parameter, in place: theta <- update(theta, grad, state)."""
        self.t += 1
        for key, p in params.items():
            g = grads[key]
            state = self.state.get(key)
            if state is None:
                state = self.state[key] = self._init_state(p)
            self._update(p, g, state)

    def step_packed(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray],
                    packed_params: np.ndarray, packed_grads: np.ndarray) -> None:
        """``step`` where ``params`` and ``grads`` are consecutive slices, in order, of the vectors
        ``packed_params`` and ``packed_grads`` (``Network.packed_params``): an ``elementwise``
        optimizer updates the whole vector at once (a few array operations instead of a few per
        parameter; the same numbers), its ``state[key]`` arrays then being slices of packed state.
        Any other optimizer takes the ordinary ``step``."""
        if not self.elementwise:
            self.step(params, grads)
            return
        if self._packed is None or self._packed[0] is not packed_params:
            self._pack_state(params, packed_params)
        self.t += 1
        self._update(packed_params, packed_grads, self._packed[1])

    def _pack_state(self, params: dict[str, np.ndarray], packed_params: np.ndarray) -> None:
        """Packed state for ``packed_params``; per-key state already there is carried over."""
        packed = self._init_state(packed_params)
        start = packed_params.__array_interface__["data"][0]
        offset = 0
        for key, p in params.items():
            if p.base is not packed_params or p.__array_interface__["data"][0] != start + offset * p.itemsize:
                raise ValueError(f"parameter {key!r} is not the next slice of the packed vector")
            views = {name: arr[offset : offset + p.size].reshape(p.shape) for name, arr in packed.items()}
            for name, old in self.state.get(key, {}).items():
                views[name][...] = old
            self.state[key] = views
            offset += p.size
        if offset != packed_params.size:
            raise ValueError(f"the parameters cover {offset} of the packed vector's {packed_params.size} values")
        self._packed = (packed_params, packed)

    def reset(self) -> None:
        self.state.clear()
        self.t = 0
        self._packed = None

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v:g}' for k, v in self.settings.items())})"


OPTIMIZERS: Registry[type[Optimizer]] = Registry("optimizer")


def get(name: str) -> type[Optimizer]:
    """The optimizer class by name: ``get("adam")(learning_rate=1e-3, beta_1=0.9)``."""
    return OPTIMIZERS.get(name)


def names() -> list[str]:
    return OPTIMIZERS.names()


def create(name: str, learning_rate: float, **hyper: float) -> Optimizer:
    return get(name)(learning_rate=learning_rate, **hyper)


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    elementwise = True
    label = "SGD"
    formula = r"\theta \leftarrow \theta - \eta\, g"
    description = "Plain gradient descent: a step against the gradient, scaled by the learning rate"

    @classmethod
    def stability_limit(cls, curvature: float, **settings: float) -> float | None:
        """x <- (1 - ηL) x converges iff |1 - ηL| < 1: η < 2/L."""
        cls.resolve(**settings)
        return 2.0 / curvature

    @classmethod
    def zigzag_limit(cls, curvature: float, **settings: float) -> float | None:
        """1 - ηL >= 0: η <= 1/L (the fastest rate without zigzag; η = 1/L lands on the minimum)."""
        cls.resolve(**settings)
        return 1.0 / curvature

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        p -= self.learning_rate * g


@OPTIMIZERS.register("momentum")
class Momentum(Optimizer):
    elementwise = True
    label = "Momentum"
    formula = r"v \leftarrow \beta v + (1 - \beta)\, g;\quad \theta \leftarrow \theta - \eta\, v"
    description = "Averages recent gradients: rolls through ravines and small bumps"
    hyperparams = {"beta": (0.9, 0.0, 1.0, "how much of the old velocity is kept")}
    visible_state = {"v": "velocity v"}
    velocity = "v"
    beta: float

    @classmethod
    def stability_limit(cls, curvature: float, **settings: float) -> float | None:
        """Heavy ball with rate η(1-β): the 2x2 update of (θ, v) is stable iff η < 2(1+β)/((1-β)L)."""
        beta = cls.resolve(**settings)["beta"]
        return 2.0 * (1.0 + beta) / ((1.0 - beta) * curvature)

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {"v": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        v = state["v"]
        v *= self.beta
        v += (1.0 - self.beta) * g
        p -= self.learning_rate * v


@OPTIMIZERS.register("nesterov")
class Nesterov(Optimizer):
    elementwise = True
    label = "Nesterov"
    formula = (
        r"v \leftarrow \beta v + (1 - \beta)\, g;\quad "
        r"\theta \leftarrow \theta - \eta\,(\beta v + (1 - \beta)\, g)"
    )
    description = "Momentum that looks ahead: steps with the velocity it is about to have"
    hyperparams = {"beta": (0.9, 0.0, 1.0, "how much of the old velocity is kept")}
    visible_state = {"v": "velocity v"}
    velocity = "v"
    beta: float

    @classmethod
    def stability_limit(cls, curvature: float, **settings: float) -> float | None:
        """The 2x2 update of (θ, v) is stable iff η < 2(1+β)/((1-β)(1+2β)L)."""
        beta = cls.resolve(**settings)["beta"]
        return 2.0 * (1.0 + beta) / ((1.0 - beta) * (1.0 + 2.0 * beta) * curvature)

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {"v": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        v = state["v"]
        v *= self.beta
        v += (1.0 - self.beta) * g
        p -= self.learning_rate * (self.beta * v + (1.0 - self.beta) * g)


@OPTIMIZERS.register("adagrad")
class Adagrad(Optimizer):
    elementwise = True
    label = "Adagrad"
    formula = r"G \leftarrow G + g^2;\quad \theta \leftarrow \theta - \eta\, g / (\sqrt{G} + \epsilon)"
    description = "Per-coordinate steps that shrink with the sum of all past squared gradients"
    hyperparams = {"eps": (1e-8, EPS_MIN, 1.0, "avoids division by zero")}
    visible_state = {"G": "sum of squared gradients G"}
    adaptive = True
    eps: float

    def step_scale(self, state: Mapping[str, np.ndarray], t: int | np.ndarray | None = None) -> np.ndarray | None:
        """η/(√G + ε) per coordinate."""
        return self.learning_rate / (np.sqrt(state["G"]) + self.eps)

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {"G": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        G = state["G"]
        G += g * g
        p -= self.learning_rate * g / (np.sqrt(G) + self.eps)


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    elementwise = True
    label = "RMSprop"
    formula = (
        r"s \leftarrow \rho s + (1 - \rho)\, g^2;\quad "
        r"\theta \leftarrow \theta - \eta\, g / (\sqrt{s} + \epsilon)"
    )
    description = "Divides each step by a running RMS of recent gradients: equal-sized steps per coordinate"
    hyperparams = {
        "rho": (0.9, 0.0, 1.0, "decay of the squared-gradient average"),
        "eps": (1e-8, EPS_MIN, 1.0, "avoids division by zero"),
    }
    visible_state = {"s": "mean square s"}
    adaptive = True
    rho: float
    eps: float

    def step_scale(self, state: Mapping[str, np.ndarray], t: int | np.ndarray | None = None) -> np.ndarray | None:
        """η/(√s + ε) per coordinate."""
        return self.learning_rate / (np.sqrt(state["s"]) + self.eps)

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {"s": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        s = state["s"]
        s *= self.rho
        s += (1.0 - self.rho) * (g * g)
        p -= self.learning_rate * g / (np.sqrt(s) + self.eps)


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    elementwise = True
    label = "Adam"
    formula = (
        r"m \leftarrow \beta_1 m + (1-\beta_1) g;\ v \leftarrow \beta_2 v + (1-\beta_2) g^2;\ "
        r"\theta \leftarrow \theta - \eta\, \frac{m / (1-\beta_1^t)}{\sqrt{v / (1-\beta_2^t)} + \epsilon}"
    )
    description = "Momentum plus RMSprop, bias-corrected: the usual default"
    hyperparams = {
        "beta_1": (0.9, 0.0, 1.0, "decay of the gradient average m"),
        "beta_2": (0.999, 0.0, 1.0, "decay of the squared-gradient average v"),
        "eps": (1e-8, EPS_MIN, 1.0, "avoids division by zero"),
    }
    visible_state = {"m": "first moment m", "v": "second moment v"}
    velocity = "m"
    adaptive = True
    beta_1: float
    beta_2: float
    eps: float

    def step_scale(self, state: Mapping[str, np.ndarray], t: int | np.ndarray | None = None) -> np.ndarray | None:
        """η/(√v̂ + ε) per coordinate, v̂ = v/(1 - β₂ᵗ) (the factor that multiplies m̂)."""
        t = self.t if t is None else t
        v_hat = np.asarray(state["v"], dtype=np.float64) / (1.0 - self.beta_2**t)
        return self.learning_rate / (np.sqrt(v_hat) + self.eps)

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        m, v = state["m"], state["v"]
        m *= self.beta_1
        m += (1.0 - self.beta_1) * g
        v *= self.beta_2
        v += (1.0 - self.beta_2) * (g * g)
        m_hat_scale = 1.0 / (1.0 - self.beta_1**self.t)
        v_hat_scale = 1.0 / (1.0 - self.beta_2**self.t)
        p -= (self.learning_rate * m_hat_scale) * m / (np.sqrt(v * v_hat_scale) + self.eps)
