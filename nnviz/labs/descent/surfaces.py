"""1D and 2D test surfaces for the gradient-descent lab, each with its analytic gradient.

A surface is a small immutable object: ``get(name, **params)`` returns one (``quadratic``
takes ``curvature``, ``bowl`` takes ``condition``, ``rosenbrock`` takes ``b``, ``rastrigin``
takes ``A``). It carries what the page shows (``label``, ``latex``, ``description``,
``domain``, ``minima``, ``min_value``, ``default_start``, ``log_color``, ``lipschitz``) and
evaluates in float64, vectorized:

- ``f(x)`` (1D) or ``f(X, Y)`` (2D) on broadcast arrays, e.g. a meshgrid -> same shape;
- ``value(p)``: ``p`` of shape ``(dim,)`` -> float;
- ``values(P)``: ``P`` of shape ``(..., dim)`` -> ``(...)``;
- ``grad(p)``: ``p`` of shape ``(dim,)`` or ``(..., dim)`` -> same shape (analytic).

Points far outside the domain (a diverging run) give ``inf``/``nan`` silently: divergence
is a result the page shows, not an error. Overflow and invalid-operation warnings are
therefore muted inside the evaluations; divide-by-zero is not (no formula divides by a
value that can be zero).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np

from nnviz.nn.hyperparams import HyperSpec, resolve_hyperparams
from nnviz.nn.registry import Registry

Point = tuple[float, ...]
Interval = tuple[float, float]


@contextmanager
def _quiet() -> Iterator[None]:
    """Mute overflow/invalid warnings: far-away points of a diverged run give inf/nan."""
    with np.errstate(over="ignore", invalid="ignore"):
        yield


class Surface:
    """Base class of the test surfaces; subclasses define ``_f`` and ``_grad`` on coordinates.

    ``_f(*coords)`` takes ``dim`` broadcastable float64 arrays and returns f;
    ``_grad(*coords)`` returns the ``dim`` partial derivatives, each broadcast to the common
    shape. Everything public (``f``, ``value``, ``values``, ``grad``) is built on those two.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    dim: ClassVar[int] = 0
    latex: ClassVar[str] = ""  # LaTeX of the formula, for st.latex
    description: ClassVar[str] = ""  # one line: what the surface teaches
    #: Plot range: (lo, hi) in 1D, ((x_lo, x_hi), (y_lo, y_hi)) in 2D.
    domain: ClassVar[Any] = ()
    default_start: ClassVar[Point] = ()
    log_color: ClassVar[bool] = False  # contour wants a log colour scale (f >= 0, wide range)
    #: Settable parameters: name -> (default, low, high, help).
    hyperparams: ClassVar[HyperSpec] = {}
    #: Known minima inside the domain; the first is a global minimum.
    _minima: ClassVar[tuple[Point, ...]] = ()
    #: The global minimum value (None where there is no minimum).
    min_value: ClassVar[float | None] = None

    def __init__(self, **params: float) -> None:
        for key, value in resolve_hyperparams("surface", self.name, self.hyperparams, params).items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_frozen", True)

    # ---- immutability, identity --------------------------------------------------------

    def __setattr__(self, key: str, value: object) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"surface {self.name!r} is immutable; use get({self.name!r}, {key}=...)")
        object.__setattr__(self, key, value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.params == self.params  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"

    # ---- facts ---------------------------------------------------------------------------

    @property
    def params(self) -> dict[str, float]:
        """Current parameter values, e.g. ``{"condition": 10.0}``."""
        return {key: getattr(self, key) for key in self.hyperparams}

    @property
    def minima(self) -> list[Point]:
        """Known minima inside the domain (global first); ``[]`` for surfaces without one."""
        return list(self._minima)

    @property
    def lipschitz(self) -> float | None:
        """Largest Hessian eigenvalue where it is constant (plain GD is stable for lr < 2/L); else None."""
        return None

    def bounds(self) -> np.ndarray:
        """The domain as a ``(dim, 2)`` array of (lo, hi) rows."""
        return np.array(self.domain if self.dim > 1 else (self.domain,), dtype=np.float64)

    def in_domain(self, p: Any) -> bool:
        """Whether the point ``p`` (shape ``(dim,)``) lies in the closed domain."""
        q = self._point(p)
        b = self.bounds()
        return bool(np.all((b[:, 0] <= q) & (q <= b[:, 1])))

    # ---- evaluation ----------------------------------------------------------------------

    def _f(self, *coords: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _grad(self, *coords: np.ndarray) -> tuple[np.ndarray, ...]:
        raise NotImplementedError

    def _points(self, P: Any) -> np.ndarray:
        arr = np.asarray(P, dtype=np.float64)
        if arr.ndim == 0 or arr.shape[-1] != self.dim:
            raise ValueError(
                f"{self.name} takes points of shape ({self.dim},) or (..., {self.dim}), got shape {arr.shape}"
            )
        return arr

    def _point(self, p: Any) -> np.ndarray:
        arr = np.asarray(p, dtype=np.float64)
        if arr.shape != (self.dim,):
            raise ValueError(f"{self.name} takes a point of shape ({self.dim},), got shape {arr.shape}")
        return arr

    def values(self, P: Any) -> np.ndarray:
        """f at each point of ``P`` (..., dim) -> (...)."""
        arr = self._points(P)
        with _quiet():
            return np.asarray(self._f(*np.moveaxis(arr, -1, 0)), dtype=np.float64)

    def value(self, p: Any) -> float:
        """f at one point ``p`` of shape (dim,)."""
        q = self._point(p)
        with _quiet():
            return float(self._f(*q))

    def grad(self, p: Any) -> np.ndarray:
        """Analytic gradient at ``p`` (dim,) or at each point of ``p`` (..., dim); same shape out."""
        arr = self._points(p)
        with _quiet():
            parts = self._grad(*np.moveaxis(arr, -1, 0))
            return np.stack(np.broadcast_arrays(*parts), axis=-1).astype(np.float64, copy=False)

    def grid(self, resolution: int = 201) -> tuple[np.ndarray, ...]:
        """Sample the domain for plotting: 1D -> (x, f(x)); 2D -> (x, y, Z) with Z of shape (len(y), len(x))."""
        if resolution < 2:
            raise ValueError(f"grid resolution must be >= 2, got {resolution}")
        axes = [np.linspace(lo, hi, resolution) for lo, hi in self.bounds()]
        if self.dim == 1:
            return axes[0], self.f(axes[0])  # type: ignore[attr-defined]
        X, Y = np.meshgrid(axes[0], axes[1])
        return axes[0], axes[1], self.f(X, Y)  # type: ignore[attr-defined]


class Surface1D(Surface):
    """A curve f(x) over an interval."""

    dim = 1
    domain: ClassVar[Interval] = (-1.0, 1.0)

    def f(self, x: Any) -> np.ndarray:
        """f(x) elementwise on an array of any shape."""
        with _quiet():
            return self._f(np.asarray(x, dtype=np.float64))


class Surface2D(Surface):
    """A surface f(x, y) over a rectangle."""

    dim = 2
    domain: ClassVar[tuple[Interval, Interval]] = ((-1.0, 1.0), (-1.0, 1.0))

    def f(self, X: Any, Y: Any) -> np.ndarray:
        """f(X, Y) on broadcast arrays (e.g. a meshgrid) -> their broadcast shape."""
        with _quiet():
            X, Y = np.broadcast_arrays(np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64))
            return self._f(X, Y)


SURFACES: Registry[type[Surface]] = Registry("surface")


def get(name: str, **params: float) -> Surface:
    """A surface instance by name, e.g. ``get("bowl", condition=100)``; ValueError if unknown."""
    return SURFACES.get(name)(**params)


def names() -> list[str]:
    """All surface names, 1D first, in the order the UI lists them."""
    return SURFACES.names()


def param_options(low: float, high: float, default: float) -> list[float] | None:
    """The values the page offers for a surface parameter that spans decades: 1-2-5 steps
    (and the default) in [low, high]; None for a parameter on a plain slider (< 100x range)."""
    if low <= 0 or high / low < 100:
        return None
    values = {default}
    for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for m in (1, 2, 5):
            v = round(m * 10.0**e, 10)
            if low <= v <= high:
                values.add(v)
    return sorted(values)


def names_by_dim(dim: int) -> list[str]:
    """The names of the surfaces of dimension ``dim`` (1 or 2)."""
    if dim not in (1, 2):
        raise ValueError(f"surface dimension must be 1 or 2, got {dim!r}")
    return [n for n in SURFACES.names() if SURFACES.get(n).dim == dim]


# ---- 1D --------------------------------------------------------------------------------------


@SURFACES.register("quadratic", aliases=("parabola",))
class Quadratic(Surface1D):
    """f(x) = a/2 x^2, f'(x) = a x; plain GD converges for lr < 2/a (monotonically for lr < 1/a)."""

    label = "Quadratic"
    latex = r"f(x) = \tfrac{a}{2}\,x^2"
    description = (
        "one valley of curvature a: gradient descent converges for lr < 2/a, zigzags above 1/a, diverges above 2/a"
    )
    domain = (-3.0, 3.0)
    default_start = (2.5,)
    hyperparams = {"curvature": (1.0, 0.01, 100.0, "a = f''(x): how sharply the valley bends")}
    _minima = ((0.0,),)
    min_value = 0.0
    curvature: float

    @property
    def lipschitz(self) -> float:
        return self.curvature

    def _f(self, x: np.ndarray) -> np.ndarray:
        return 0.5 * self.curvature * x * x

    def _grad(self, x: np.ndarray) -> tuple[np.ndarray]:
        return (self.curvature * x,)


@SURFACES.register("double_well")
class DoubleWell(Surface1D):
    """f(x) = (x^2 - 1)^2 + 0.3 x, f'(x) = 4x(x^2 - 1) + 0.3: global minimum left, local minimum right."""

    label = "Tilted double well"
    latex = r"f(x) = (x^2 - 1)^2 + 0.3\,x"
    description = "two valleys: the start decides which minimum you reach, and the right one is only local"
    domain = (-2.0, 2.0)
    default_start = (1.8,)
    _minima = ((-1.0355787140888537,), (0.9601495555191055,))
    min_value = -0.30542848374391597

    def _f(self, x: np.ndarray) -> np.ndarray:
        return (x * x - 1.0) ** 2 + 0.3 * x

    def _grad(self, x: np.ndarray) -> tuple[np.ndarray]:
        return (4.0 * x * (x * x - 1.0) + 0.3,)


@SURFACES.register("ripples")
class Ripples(Surface1D):
    """f(x) = x^2/10 + 1 - cos(3x) = x^2/10 + 2 sin^2(3x/2), f'(x) = x/5 + 3 sin(3x): five minima in the domain."""

    label = "Rippled valley"
    latex = r"f(x) = \frac{x^2}{10} + 1 - \cos(3x)"
    description = (
        "ripples on a wide valley: small steps get stuck in a local dip, momentum or a larger step rolls over them"
    )
    domain = (-5.5, 5.5)
    default_start = (5.0,)
    _minima = (
        (0.0,),
        (-2.048725127395229,),
        (2.048725127395229,),
        (-4.09658358538709,),
        (4.09658358538709,),
    )
    min_value = 0.0

    def _f(self, x: np.ndarray) -> np.ndarray:
        return 0.1 * x * x + 1.0 - np.cos(3.0 * x)

    def _grad(self, x: np.ndarray) -> tuple[np.ndarray]:
        return (0.2 * x + 3.0 * np.sin(3.0 * x),)


@SURFACES.register("plateau_cliff")
class PlateauCliff(Surface1D):
    """f(x) = 1/(1 + e^{10x}) + 0.02 (x - 1)^2, a smooth step down plus a wide bowl.

    The step is computed as (1 - tanh(5x))/2, which never overflows;
    f'(x) = -(5/2)(1 - tanh^2(5x)) + 0.04 (x - 1). Left of 0 the slope is a gentle tilt
    (about 0.1), at 0 the cliff is 25 times steeper, and the one minimum sits just past it.
    """

    label = "Plateau and cliff"
    latex = r"f(x) = \frac{1}{1 + e^{10x}} + 0.02\,(x - 1)^2"
    description = (
        "a nearly flat plateau stalls plain descent, then the steep cliff's big gradient throws it far past the minimum"
    )
    domain = (-4.0, 2.5)
    default_start = (-3.5,)
    _minima = ((1.0102440192469201,),)
    min_value = 4.307655477080612e-05

    def _f(self, x: np.ndarray) -> np.ndarray:
        return 0.5 * (1.0 - np.tanh(5.0 * x)) + 0.02 * (x - 1.0) ** 2

    def _grad(self, x: np.ndarray) -> tuple[np.ndarray]:
        t = np.tanh(5.0 * x)
        return (-2.5 * (1.0 - t * t) + 0.04 * (x - 1.0),)


# ---- 2D --------------------------------------------------------------------------------------


@SURFACES.register("bowl", aliases=("elliptic_bowl",))
class Bowl(Surface2D):
    """f(x, y) = (x^2 + κ y^2)/2, ∇f = (x, κ y); Hessian diag(1, κ), so L = max(1, κ)."""

    label = "Elongated bowl"
    latex = r"f(x, y) = \tfrac{1}{2}\left(x^2 + \kappa\, y^2\right)"
    description = "an elongated bowl: a high condition number κ makes descent zigzag across the valley; momentum helps"
    domain = ((-3.0, 3.0), (-3.0, 3.0))
    default_start = (-2.5, 2.0)
    hyperparams = {"condition": (10.0, 0.01, 1000.0, "κ: curvature along y relative to x")}
    _minima = ((0.0, 0.0),)
    min_value = 0.0
    condition: float

    @property
    def lipschitz(self) -> float:
        return max(1.0, self.condition)

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return 0.5 * (x * x + self.condition * y * y)

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x, self.condition * y


@SURFACES.register("rosenbrock")
class Rosenbrock(Surface2D):
    """f(x, y) = (1 - x)^2 + b (y - x^2)^2; ∇f = (-2(1 - x) - 4bx(y - x^2), 2b(y - x^2)); minimum (1, 1)."""

    label = "Rosenbrock"
    latex = r"f(x, y) = (1 - x)^2 + b\,(y - x^2)^2"
    description = "a narrow curved valley: reaching it is easy, following it to (1, 1) is slow; momentum helps"
    domain = ((-2.0, 2.0), (-1.0, 3.0))
    default_start = (-1.5, 2.0)
    log_color = True
    hyperparams = {"b": (100.0, 1.0, 1000.0, "steepness of the valley walls")}
    _minima = ((1.0, 1.0),)
    min_value = 0.0
    b: float

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (1.0 - x) ** 2 + self.b * (y - x * x) ** 2

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = y - x * x
        return -2.0 * (1.0 - x) - 4.0 * self.b * x * r, 2.0 * self.b * r


@SURFACES.register("beale")
class Beale(Surface2D):
    """f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2; minimum (3, 0.5).

    With t_k = c_k - x + x y^k: ∂f/∂x = Σ 2 t_k (y^k - 1), ∂f/∂y = Σ 2 t_k k x y^(k-1).
    """

    label = "Beale"
    latex = r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"
    description = "flat plains and sharp ridges around the minimum at (3, 0.5): the step size must adapt"
    domain = ((-4.5, 4.5), (-4.5, 4.5))
    default_start = (1.0, 1.5)
    log_color = True
    _minima = ((3.0, 0.5),)
    min_value = 0.0

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        y2 = y * y
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y2) ** 2 + (2.625 - x + x * y2 * y) ** 2

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y2 = y * y
        y3 = y2 * y
        t1 = 1.5 - x + x * y
        t2 = 2.25 - x + x * y2
        t3 = 2.625 - x + x * y3
        gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
        gy = 2.0 * x * (t1 + 2.0 * t2 * y + 3.0 * t3 * y2)
        return gx, gy


@SURFACES.register("himmelblau")
class Himmelblau(Surface2D):
    """f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2; four minima, all with f = 0.

    ∇f = (4x(x^2 + y - 11) + 2(x + y^2 - 7), 2(x^2 + y - 11) + 4y(x + y^2 - 7)).
    """

    label = "Himmelblau"
    latex = r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2"
    description = "four equally deep minima: the start point and the optimizer decide which one you reach"
    domain = ((-5.0, 5.0), (-5.0, 5.0))
    default_start = (0.0, 0.0)
    log_color = True
    _minima = (
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286169),
        (3.584428340330492, -1.848126526964404),
    )
    min_value = 0.0

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v


@SURFACES.register("saddle")
class Saddle(Surface2D):
    """f(x, y) = x^2 - y^2, ∇f = (2x, -2y); Hessian diag(2, -2): no minimum, L = 2."""

    label = "Saddle"
    latex = r"f(x, y) = x^2 - y^2"
    description = "a saddle point: the gradient vanishes at the origin without a minimum; descent lingers there, then escapes along y"
    domain = ((-2.0, 2.0), (-2.0, 2.0))
    default_start = (-1.8, 0.05)

    @property
    def lipschitz(self) -> float:
        return 2.0

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x * x - y * y

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 2.0 * x, -2.0 * y


@SURFACES.register("monkey_saddle")
class MonkeySaddle(Surface2D):
    """f(x, y) = x^3 - 3xy^2, ∇f = (3x^2 - 3y^2, -6xy); a flat degenerate saddle, unbounded below."""

    label = "Monkey saddle"
    latex = r"f(x, y) = x^3 - 3\,x y^2"
    description = "a degenerate saddle with three downhill valleys: the gradient fades quadratically, so descent crawls near the origin"
    domain = ((-1.5, 1.5), (-1.5, 1.5))
    default_start = (1.2, 0.1)

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x**3 - 3.0 * x * y * y

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 3.0 * (x * x - y * y), -6.0 * x * y


@SURFACES.register("rastrigin")
class Rastrigin(Surface2D):
    """f(x, y) = 2A + x^2 - A cos(2πx) + y^2 - A cos(2πy), ∂f/∂x = 2x + 2πA sin(2πx); global minimum (0, 0)."""

    label = "Rastrigin"
    latex = r"f(x, y) = 2A + \sum_{u \in \{x, y\}} \left(u^2 - A \cos(2\pi u)\right)"
    description = "a grid of local minima on a bowl: gradient descent stops in the nearest dip"
    domain = ((-5.12, 5.12), (-5.12, 5.12))
    default_start = (3.3, -2.6)
    hyperparams = {"A": (10.0, 0.0, 20.0, "depth of the ripples (0 gives a plain bowl)")}
    _minima = ((0.0, 0.0),)
    min_value = 0.0
    A: float

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        A = self.A
        return 2.0 * A + x * x - A * np.cos(2.0 * np.pi * x) + y * y - A * np.cos(2.0 * np.pi * y)

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = 2.0 * np.pi * self.A
        return 2.0 * x + k * np.sin(2.0 * np.pi * x), 2.0 * y + k * np.sin(2.0 * np.pi * y)


@SURFACES.register("ackley")
class Ackley(Surface2D):
    """f(x, y) = -20 exp(-0.2 r) - exp((cos 2πx + cos 2πy)/2) + e + 20, r = sqrt((x^2 + y^2)/2).

    ∂f/∂x = 2x exp(-0.2 r)/r + π sin(2πx) exp((cos 2πx + cos 2πy)/2); the first term is a
    cone tip at the origin (no derivative there), where the gradient is taken as 0.
    """

    label = "Ackley"
    latex = r"f(x, y) = -20\,e^{-0.2\sqrt{(x^2 + y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20"
    description = "a bumpy, nearly flat plain around one deep funnel at the origin: local dips trap plain descent"
    domain = ((-5.0, 5.0), (-5.0, 5.0))
    default_start = (3.5, -2.5)
    _minima = ((0.0, 0.0),)
    min_value = 0.0

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = np.sqrt(0.5 * (x * x + y * y))
        c = 0.5 * (np.cos(2.0 * np.pi * x) + np.cos(2.0 * np.pi * y))
        # Grouped as 20 (1 - e^{-0.2 r}) + e (1 - e^{c - 1}): both terms >= 0, so f(0, 0) = 0 exactly.
        return -20.0 * np.expm1(-0.2 * r) - math.e * np.expm1(c - 1.0)

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = np.sqrt(0.5 * (x * x + y * y))
        at_tip = r == 0.0
        # 2 e^{-0.2 r} / r, with 0 at the cone tip instead of 0/0.
        cone = np.where(at_tip, 0.0, 2.0 * np.exp(-0.2 * r) / np.where(at_tip, 1.0, r))
        e = np.pi * np.exp(0.5 * (np.cos(2.0 * np.pi * x) + np.cos(2.0 * np.pi * y)))
        return cone * x + e * np.sin(2.0 * np.pi * x), cone * y + e * np.sin(2.0 * np.pi * y)


@SURFACES.register("six_hump_camel", aliases=("camel",))
class SixHumpCamel(Surface2D):
    """f(x, y) = (4 - 2.1x^2 + x^4/3) x^2 + xy + (4y^2 - 4) y^2; six minima, two global (f = -1.0316).

    ∇f = (8x - 8.4x^3 + 2x^5 + y, x - 8y + 16y^3).
    """

    label = "Six-hump camel"
    latex = r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + \left(4y^2 - 4\right)y^2"
    description = "six valleys, two of them equally deepest: the start point decides, and some valleys are only local"
    domain = ((-2.0, 2.0), (-1.0, 1.0))
    default_start = (-1.5, -0.9)
    _minima = (
        (0.08984201310031806, -0.7126564030207396),
        (-0.08984201310031806, 0.7126564030207396),
        (-1.7036067149699808, 0.7960835686726251),
        (1.7036067149699808, -0.7960835686726251),
        (1.6071047529201972, 0.5686514548841314),
        (-1.6071047529201972, -0.5686514548841314),
    )
    min_value = -1.0316284534898774

    def _f(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x2 = x * x
        y2 = y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2

    def _grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x2 = x * x
        return 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y * y * y
