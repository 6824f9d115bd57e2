"""Gradient descent on a test surface: the optimizers of ``nnviz.nn.optimizers`` drive one point.

``run(surface, optimizer, start, steps) -> Trajectory`` records, for every step k = 0..n:
the point x_k, f(x_k), the gradient ∇f(x_k) and the optimizer's state after step k (the
velocity v of momentum/Nesterov, Adam's m and v, RMSprop's s, Adagrad's G; zeros at k = 0).
``race(surface, specs, start, steps)`` runs several ``RunSpec``s from the same start.

Divergence is a result, not an error: a run stops at the first step whose point is not
finite, whose gradient or value is not finite, or whose point lies farther than
``BOUND_FACTOR`` (1000) half-widths of the domain from the domain's centre in any coordinate
(2000 on Rosenbrock's x, 3000 on the bowl). No surface here comes back from there, and f
would soon overflow. That step is reported as ``diverged_at`` and is not stored, so
``points`` holds the ``diverged_at`` finite points x_0..x_{k-1}. Floating-point warnings are
muted during a run.

Also here: ``status`` (converged at step k / still moving / diverged at step k),
``nearest_minimum_distance``, ``stability_limit`` (the largest stable learning rate on a
quadratic of curvature L: 2/L for plain gradient descent), ``curvature_at`` (L near a minimum of
any surface), and the two presets of the page: ``learning_rate_ladder`` (too small ... far too
large, the learning-rate figure of source note 001) and ``optimizers_compared``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from nnviz.labs.descent.surfaces import Surface
from nnviz.nn import optimizers
from nnviz.nn.optimizers import OPTIMIZERS, Optimizer

#: A run has diverged once a coordinate is this many domain half-widths from the domain centre.
BOUND_FACTOR = 1e3
#: Default tolerance of ``status``: converged once |∇f| and the step length both stay below it.
TOLERANCE = 1e-3
#: Most runs in a race (the page's limit).
MAX_RUNS = 6
#: The learning rates the page offers and the presets snap to: 1, 1.2, 1.5, ..., 8 per decade.
MANTISSAS: tuple[float, ...] = (1.0, 1.2, 1.5, 1.8, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
LEARNING_RATE_GRID: tuple[float, ...] = tuple(
    round(m * 10.0**e, 12) for e in range(-5, 2) for m in MANTISSAS
)  # 1e-05 ... 80
#: Optimizers whose per-coordinate step size adapts (state -> effective learning rate).
ADAPTIVE = ("adagrad", "rmsprop", "adam")


# ---- what to run -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    """One run of a race: optimizer name, learning rate, its settings and a display label.

    Frozen and hashable (``settings`` is stored as sorted ``(name, value)`` pairs; a mapping is
    accepted), so specs can be cache keys. Validated on construction: an unknown optimizer or
    setting, or a bad value, raises ``ValueError`` naming it.
    """

    optimizer: str
    learning_rate: float
    settings: tuple[tuple[str, float], ...] | Mapping[str, float] = ()
    label: str = ""

    def __post_init__(self) -> None:
        name = OPTIMIZERS.canonical(self.optimizer)
        raw = dict(self.settings.items() if isinstance(self.settings, Mapping) else self.settings)
        settings = tuple(sorted((str(k), float(v)) for k, v in raw.items()))
        object.__setattr__(self, "optimizer", name)
        object.__setattr__(self, "learning_rate", optimizers.check_learning_rate(self.learning_rate))
        object.__setattr__(self, "settings", settings)
        self.make()  # validates the settings (unknown name, out of range) with the optimizer's message

    @property
    def settings_dict(self) -> dict[str, float]:
        return dict(self.settings)  # type: ignore[arg-type]

    @property
    def optimizer_label(self) -> str:
        return optimizers.get(self.optimizer).label

    @property
    def title(self) -> str:
        """The label, or e.g. ``"Adam, η = 0.02"`` (settings that differ from the defaults appended)."""
        if self.label:
            return self.label
        hyper = optimizers.get(self.optimizer).hyperparams
        extra = [f"{k} = {v:g}" for k, v in self.settings if k in hyper and v != hyper[k][0]]
        return ", ".join([self.optimizer_label, f"η = {self.learning_rate:g}", *extra])

    def make(self) -> Optimizer:
        """A fresh optimizer instance with these settings."""
        return optimizers.get(self.optimizer)(learning_rate=self.learning_rate, **self.settings_dict)


# ---- what a run gives --------------------------------------------------------------------------


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A run of ``steps`` optimizer steps from ``points[0]``; arrays are read-only float64.

    ``points`` (n, dim), ``values`` (n,), ``grads`` (n, dim) with n = steps + 1, or
    n = ``diverged_at`` when the run diverged (the offending step is not stored).
    ``state[key]`` (n, dim): the optimizer's state array ``key`` after step k ("v" for
    momentum/Nesterov, "m" and "v" for Adam, "s" for RMSprop, "G" for Adagrad; zeros at k = 0).
    """

    points: np.ndarray
    values: np.ndarray
    grads: np.ndarray
    state: dict[str, np.ndarray]
    diverged_at: int | None
    steps: int
    spec: RunSpec
    #: Adam's hyperparameters, for the bias-corrected quantities (beta_1, beta_2, eps).
    _opt_settings: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def dim(self) -> int:
        return int(self.points.shape[1])

    @property
    def n_steps(self) -> int:
        """Steps actually stored (``len(points) - 1``)."""
        return len(self.points) - 1

    @property
    def deltas(self) -> np.ndarray:
        """The steps taken, x_{k+1} - x_k: (n - 1, dim)."""
        return np.diff(self.points, axis=0)

    @property
    def sqrt_v(self) -> np.ndarray | None:
        """Adam's sqrt(v) per step (n, dim), None for other optimizers."""
        if self.spec.optimizer != "adam":
            return None
        return np.sqrt(self.state["v"])

    def step_scale(self) -> np.ndarray | None:
        """Per-coordinate step size of an adaptive optimizer after step k: (n, dim), row 0 NaN.

        Adagrad η/(√G + ε), RMSprop η/(√s + ε), Adam η/(√v̂ + ε) with v̂ = v/(1 - β₂ᵏ) (the
        factor that multiplies m̂). None for sgd, momentum and Nesterov (their scale is η).
        """
        name = self.spec.optimizer
        if name not in ADAPTIVE:
            return None
        eta, eps = self.spec.learning_rate, self._opt_settings["eps"]
        key = {"adagrad": "G", "rmsprop": "s", "adam": "v"}[name]
        acc = np.array(self.state[key], dtype=np.float64)
        if name == "adam":
            k = np.arange(len(acc), dtype=np.float64)[:, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                acc = acc / (1.0 - self._opt_settings["beta_2"] ** k)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = eta / (np.sqrt(acc) + eps)
        scale[0] = np.nan
        return scale


def _as_start(surface: Surface, start: Any) -> np.ndarray:
    try:
        p = np.array(start, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"start point must be numbers, got {start!r}") from None
    if p.shape != (surface.dim,):
        raise ValueError(f"{surface.name} is {surface.dim}D: the start point needs {surface.dim} coordinates, got {start!r}")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"start point must be finite, got {tuple(float(v) for v in p)}")
    return p


def divergence_bound(surface: Surface) -> tuple[np.ndarray, float]:
    """(centre of the domain (dim,), bound): a run diverges once max |x - centre| > bound."""
    b = surface.bounds()
    centre = b.mean(axis=1)
    return centre, float(BOUND_FACTOR * np.max(b[:, 1] - b[:, 0]) / 2.0)


def _check_steps(steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    return int(steps)


def _spec_of(opt: Optimizer) -> RunSpec:
    return RunSpec(opt.name, opt.learning_rate, {k: getattr(opt, k) for k in opt.hyperparams})


def _simulate(surface: Surface, opts: Sequence[Optimizer], specs: Sequence[RunSpec], start: Any,
              steps: int) -> list[Trajectory]:
    """Run every optimizer from ``start`` in lockstep: one vectorized gradient call per step for all runs.

    Row i of ``P`` (k, dim) is run i's point; ``opts[i].step`` updates that row in place (a view),
    exactly as it updates a weight array in training.
    """
    k, dim = len(opts), surface.dim
    p0 = _as_start(surface, surface.default_start if start is None else start)
    centre, bound = divergence_bound(surface)
    P = np.tile(p0, (k, 1))
    params = [{"x": P[i]} for i in range(k)]  # views: the optimizers write into P
    points = np.empty((steps + 1, k, dim))
    grads = np.empty((steps + 1, k, dim))
    states: list[dict[str, np.ndarray]] = [{} for _ in range(k)]
    length = [steps + 1] * k
    diverged: list[int | None] = [None] * k
    active = list(range(k))
    with np.errstate(all="ignore"):  # a diverging run overflows; that is the result, not a warning
        G = surface.grad(P)
        if not np.all(np.isfinite(G)):
            raise ValueError(f"the gradient of {surface.name} is not finite at the start point {tuple(p0)}")
        points[0], grads[0] = P, G
        for t in range(1, steps + 1):
            for i in active:
                opts[i].step(params[i], {"x": G[i]})
            G = surface.grad(P)
            ok = (np.max(np.abs(P - centre), axis=1) <= bound) & np.all(np.isfinite(G), axis=1)  # NaN fails too
            if not ok.all():
                for i in [i for i in active if not ok[i]]:
                    diverged[i], length[i] = t, t
                    active.remove(i)
                    P[i] = points[t - 1, i]  # park it at its last good point: no NaN in later gradient calls
                if not active:
                    break
            points[t], grads[t] = P, G
            for i in active:
                record = states[i]
                for key, arr in opts[i].state["x"].items():
                    if key not in record:
                        record[key] = np.zeros((steps + 1, dim))
                    record[key][t] = arr
        values = surface.values(points)  # (steps + 1, k)
    out = []
    for i, (opt, spec) in enumerate(zip(opts, specs, strict=True)):
        n = length[i]
        bad = np.flatnonzero(~np.isfinite(values[:n, i]))
        if bad.size:  # a finite point inside the bound with a non-finite value: diverged there too
            n = diverged[i] = int(bad[0])
        record = states[i]
        for key in (*opt.state.get("x", {}), *type(opt).visible_state):  # same keys for every run of an optimizer
            record.setdefault(key, np.zeros((steps + 1, dim)))
        out.append(Trajectory(
            points=_frozen(points[:n, i].copy()),
            values=_frozen(values[:n, i].copy()),
            grads=_frozen(grads[:n, i].copy()),
            state={key: _frozen(arr[:n].copy()) for key, arr in record.items()},
            diverged_at=diverged[i],
            steps=steps,
            spec=spec,
            _opt_settings={key: float(getattr(opt, key)) for key in opt.hyperparams},
        ))
    return out


def run(surface: Surface, optimizer: Optimizer | RunSpec | str, start: Any = None, steps: int = 100) -> Trajectory:
    """Run ``steps`` steps of ``optimizer`` from ``start`` (default: ``surface.default_start``).

    ``optimizer`` is an instance (used as it is: its state carries over), a ``RunSpec``, or a
    name (default settings, learning rate 0.01). Each step calls ``optimizer.step`` on the
    point, exactly as training calls it on weights. See the module docstring for divergence.
    """
    steps = _check_steps(steps)
    if isinstance(optimizer, str):
        optimizer = RunSpec(optimizer, 0.01)
    if isinstance(optimizer, RunSpec):
        spec, opt = optimizer, optimizer.make()
    elif isinstance(optimizer, Optimizer):
        spec, opt = _spec_of(optimizer), optimizer
    else:
        raise ValueError(f"optimizer must be an Optimizer, a RunSpec or a name, got {optimizer!r}")
    return _simulate(surface, [opt], [spec], start, steps)[0]


def race(surface: Surface, specs: Sequence[RunSpec], start: Any = None, steps: int = 100) -> list[Trajectory]:
    """Every spec from the same start, each with a fresh optimizer: one Trajectory per spec.

    The runs advance in lockstep (one gradient call per step for all of them); each equals
    ``run(surface, spec, start, steps)`` up to the last bit of a vectorized sin/exp.
    """
    steps = _check_steps(steps)
    specs = list(specs)
    if not specs:
        raise ValueError("a race needs at least one run")
    if len(specs) > MAX_RUNS:
        raise ValueError(f"a race has at most {MAX_RUNS} runs, got {len(specs)}")
    if not all(isinstance(s, RunSpec) for s in specs):
        raise ValueError("race takes RunSpec objects")
    return _simulate(surface, [s.make() for s in specs], specs, start, steps)


# ---- reading a run -------------------------------------------------------------------------------


def nearest_minimum_distance(traj: Trajectory | np.ndarray, surface: Surface) -> np.ndarray | None:
    """Euclidean distance from each point to the nearest known minimum: (n,); None without minima."""
    points = traj.points if isinstance(traj, Trajectory) else np.asarray(traj, dtype=np.float64)
    minima = np.asarray(surface.minima, dtype=np.float64)
    if minima.size == 0:
        return None
    diff = points[:, None, :] - minima[None, :, :]
    return np.sqrt(np.min(np.sum(diff * diff, axis=-1), axis=1))


@dataclass(frozen=True)
class RunStatus:
    """``kind`` is "converged", "moving" or "diverged"; ``step`` the step it happened (None if moving)."""

    kind: Literal["converged", "moving", "diverged"]
    step: int | None
    text: str

    @property
    def color(self) -> str:
        """A Streamlit colour name for the badge."""
        return {"converged": "green", "moving": "orange", "diverged": "red"}[self.kind]


def _fmt_point(p: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.3g}" for v in p) + ")"


def status(traj: Trajectory, surface: Surface, tol: float = TOLERANCE) -> RunStatus:
    """Converged at step k (|∇f| and the step length stay <= tol from step k to the end),
    diverged at step k, or still moving. A converged run also says which point it reached:
    a global minimum, a local minimum, or a stationary point that is no known minimum.
    """
    if traj.diverged_at is not None:
        return RunStatus("diverged", traj.diverged_at, f"diverged at step {traj.diverged_at}")
    gnorm = np.linalg.norm(traj.grads, axis=1)
    move = np.zeros(len(traj.points))
    move[1:] = np.linalg.norm(traj.deltas, axis=1)
    settled = (gnorm <= tol) & (move <= tol)
    stays = np.logical_and.accumulate(settled[::-1])[::-1]
    last = traj.points[-1]
    if len(stays) > 1 and stays[-1]:
        k = int(np.argmax(stays))
        where = "a stationary point"
        minima = surface.minima
        if minima:
            d = np.linalg.norm(np.asarray(minima) - last, axis=1)
            i = int(np.argmin(d))
            if d[i] <= max(10 * tol, 1e-3):
                best = surface.min_value if surface.min_value is not None else np.inf
                is_global = [abs(surface.value(m) - best) < 1e-9 for m in minima]
                kind = "the global minimum" if sum(is_global) == 1 else "a global minimum"
                where = f"{kind if is_global[i] else 'a local minimum'} {_fmt_point(minima[i])}"
        return RunStatus("converged", k, f"converged at step {k} to {where}")
    d = nearest_minimum_distance(traj, surface)
    tail = f", {d[-1]:.3g} from the nearest minimum" if d is not None else ""
    return RunStatus("moving", None, f"still moving after {traj.n_steps} steps: f = {traj.values[-1]:.4g}{tail}")


# ---- learning rates ------------------------------------------------------------------------------


def stability_limit(spec: RunSpec | str, lipschitz: float | None, **settings: float) -> float | None:
    """The largest learning rate that converges on a quadratic with top curvature L (None: no limit).

    Plain gradient descent: x <- (1 - ηL) x converges iff |1 - ηL| < 1, i.e. η < 2/L.
    Momentum in the EMA form v <- βv + (1-β)g, θ <- θ - ηv (an eigenvalue analysis of the
    2x2 update): η < 2(1+β)/((1-β)L). Nesterov in this form: η < 2(1+β)/((1-β)(1+2β)L).
    Adagrad, RMSprop and Adam divide by the gradient's size, so no fixed limit: None.
    """
    if isinstance(spec, RunSpec):
        name, settings = spec.optimizer, {**spec.settings_dict, **settings}
    else:
        name = OPTIMIZERS.canonical(spec)
    if lipschitz is None or lipschitz <= 0:
        return None
    hyper = optimizers.get(name).hyperparams
    beta = float(settings.get("beta", hyper["beta"][0])) if "beta" in hyper else 0.0
    if name == "sgd":
        return 2.0 / lipschitz
    if name == "momentum":
        return 2.0 * (1.0 + beta) / ((1.0 - beta) * lipschitz)
    if name == "nesterov":
        return 2.0 * (1.0 + beta) / ((1.0 - beta) * (1.0 + 2.0 * beta) * lipschitz)
    return None


def curvature_at(surface: Surface, p: Any, h: float = 1e-5) -> float | None:
    """Largest eigenvalue of the Hessian at ``p`` (central differences of the analytic gradient).

    Where the curvature is constant this is ``surface.lipschitz``; near a minimum it sets the
    local stability limit of plain gradient descent, η < 2/L. None where the gradient is not
    differentiable at ``p`` (two step sizes disagree by more than 1%, e.g. Ackley's cone tip).
    """
    q = _as_start(surface, p)

    def hessian(step: float) -> np.ndarray:
        E = np.eye(surface.dim) * step
        H = (surface.grad(q + E) - surface.grad(q - E)) / (2.0 * step)  # row i: ∂∇f/∂x_i
        return 0.5 * (H + H.T)

    a, b = np.linalg.eigvalsh(hessian(h))[-1], np.linalg.eigvalsh(hessian(10.0 * h))[-1]
    if not (np.isfinite(a) and np.isfinite(b)) or abs(a - b) > 1e-2 * max(abs(a), abs(b), 1e-12):
        return None
    return float(a)


def snap_rate(x: float, direction: Literal["down", "up", "nearest"] = "nearest") -> float:
    """The learning rate of ``LEARNING_RATE_GRID`` at or below / at or above / nearest to x."""
    grid = np.asarray(LEARNING_RATE_GRID)
    if direction == "down":
        i = int(np.searchsorted(grid, x * (1 + 1e-12), side="right")) - 1
        return float(grid[max(i, 0)])
    if direction == "up":
        i = int(np.searchsorted(grid, x * (1 - 1e-12), side="left"))
        return float(grid[min(i, len(grid) - 1)])
    return float(grid[int(np.argmin(np.abs(np.log(grid) - math.log(x))))])


def escapes(traj: Trajectory, surface: Surface) -> bool:
    """Whether a run diverged or left the plotted domain by more than half its width."""
    if traj.diverged_at is not None:
        return True
    b = surface.bounds()
    margin = 0.5 * (b[:, 1] - b[:, 0])
    return bool(np.any((traj.points < b[:, 0] - margin) | (traj.points > b[:, 1] + margin)))


def _escapes(surface: Surface, spec: RunSpec, start: Any, steps: int) -> bool:
    return escapes(run(surface, spec, start, steps), surface)


def local_curvature(surface: Surface) -> float | None:
    """The curvature that sets plain gradient descent's stability limit: ``surface.lipschitz``
    where it is constant, else the largest curvature at the global minimum (``curvature_at``);
    None without a minimum or where the minimum is a kink."""
    if not surface.minima:
        return None
    if surface.lipschitz is not None:
        return surface.lipschitz
    return curvature_at(surface, surface.minima[0])


def escape_threshold(surface: Surface, optimizer: str, start: Any = None, steps: int = 100,
                     settings: Mapping[str, float] | None = None, low: float | None = None) -> float | None:
    """The smallest rate of ``LEARNING_RATE_GRID`` (at or above ``low``) whose run from ``start``
    diverges or flies off the plot (``escapes``) within ``steps``, by bisection (assuming larger
    rates escape sooner, true for these surfaces from their usual starts); None if even the
    largest rate of the grid stays."""
    settings = dict(settings or {})
    grid = [r for r in LEARNING_RATE_GRID if low is None or r >= low * (1 - 1e-12)]
    if not grid or not _escapes(surface, RunSpec(optimizer, grid[-1], settings), start, steps):
        return None
    if _escapes(surface, RunSpec(optimizer, grid[0], settings), start, steps):
        return float(grid[0])
    lo, hi = 0, len(grid) - 1  # invariant: grid[hi] escapes, grid[lo] does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _escapes(surface, RunSpec(optimizer, grid[mid], settings), start, steps):
            hi = mid
        else:
            lo = mid
    return float(grid[hi])


def divergence_threshold(surface: Surface, optimizer: str, start: Any = None, steps: int = 100,
                         settings: Mapping[str, float] | None = None) -> float | None:
    """About the smallest learning rate at which ``optimizer`` is unstable on ``surface``.

    ``stability_limit`` at ``local_curvature`` where there is one (exact on a quadratic
    surface; near the minimum elsewhere, where a larger rate can no longer settle into it),
    else ``escape_threshold``. None if neither exists (the adaptive optimizers, mostly).
    """
    settings = dict(settings or {})
    limit = stability_limit(optimizer, local_curvature(surface), **settings)
    if limit is not None:
        return limit
    return escape_threshold(surface, optimizer, start, steps, settings)


#: Labels of the four rates of ``learning_rate_ladder``.
LADDER_LABELS = ("too small", "about right", "too large", "far too large")


def learning_rate_ladder(surface: Surface, optimizer: str = "sgd", start: Any = None, steps: int = 100,
                         settings: Mapping[str, float] | None = None) -> list[RunSpec]:
    """Four runs of one optimizer, from too small to far too large (the figure of source note 001).

    With an instability threshold η* (``divergence_threshold``), snapped to the grid: about
    0.02 η* (crawls), 0.4 η* (steady), 0.9 η* (zigzags; still converges near a minimum) and
    the first rate at or above 1.25 η* that diverges or flies off the plot. For the adaptive
    optimizers (steps about η long, whatever the gradient), or without a threshold: 0.001,
    0.01, 0.1 and 1 times the domain's half-width (a large rate makes them bounce).
    """
    settings = dict(settings or {})
    optimizer = OPTIMIZERS.canonical(optimizer)
    # Adaptive steps are about η long whatever the gradient: they bounce rather than diverge.
    threshold = None if optimizer in ADAPTIVE else divergence_threshold(surface, optimizer, start, steps, settings)
    if threshold is None:
        half = float(np.max(np.diff(surface.bounds(), axis=1))) / 2.0
        rates = [snap_rate(half * f) for f in (1e-3, 1e-2, 1e-1, 1.0)]
    else:
        rates = [snap_rate(threshold * 0.02, "down"), snap_rate(threshold * 0.4, "down"),
                 snap_rate(threshold * 0.9, "down")]
        # The last rate: the first at or above 1.25 η* that diverges or flies off the plot.
        big = escape_threshold(surface, optimizer, start, steps, settings, low=threshold * 1.25)
        rates.append(big if big is not None else snap_rate(threshold * 1.25, "up"))
    label = optimizers.get(optimizer).label
    return [
        RunSpec(optimizer, lr, settings, label=f"{label}, η = {lr:g} ({name})")
        for lr, name in zip(rates, LADDER_LABELS, strict=True)
    ]


def optimizers_compared(surface: Surface, start: Any = None, steps: int = 100,
                        learning_rate: float | None = None) -> list[RunSpec]:
    """Every optimizer (default settings) with one shared learning rate.

    The default rate is three quarters of plain gradient descent's instability threshold,
    snapped down to the grid (SGD still converges, zigzagging across steep directions, and the
    adaptive methods move visibly), capped at a twentieth of the domain's half-width.
    """
    if learning_rate is None:
        threshold = divergence_threshold(surface, "sgd", start, steps)
        half = float(np.max(np.diff(surface.bounds(), axis=1))) / 2.0
        cap = half / 20.0
        learning_rate = snap_rate(min(cap, 0.75 * threshold) if threshold else cap, "down")
    names = optimizers.names()[:MAX_RUNS]
    return [RunSpec(name, learning_rate) for name in names]
