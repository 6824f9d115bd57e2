"""Runs of the gradient-descent lab: the optimizers of ``nnviz.nn.optimizers`` drive one point.

``run(surface, optimizer, start, steps) -> Trajectory`` records, for every step k = 0..n:
the point x_k, f(x_k), the gradient ∇f(x_k) and the optimizer's state after step k (every
array of its ``state``, e.g. momentum's velocity v or Adam's m and v; zeros at k = 0).
``race(surface, specs, start, steps)`` runs several ``RunSpec``s from the same start.

Divergence is a result, not an error: a run stops at the first step whose point is not
finite, whose gradient or value is not finite, or whose point lies farther than
``BOUND_FACTOR`` (1000) half-widths of the domain from the domain's centre in any coordinate
(2000 on Rosenbrock's x, 3000 on the bowl). No surface here comes back from there, and f
would soon overflow. That step is reported as ``diverged_at`` and is not stored, so
``points`` holds the ``diverged_at`` finite points x_0..x_{k-1}. Floating-point warnings are
muted during a run.

``declared_velocities``: what the registered optimizers call their velocity (for legends).
Reading a run: ``status`` (converged at step k / still moving / diverged at step k),
``nearest_minimum_distance``, ``escapes`` (diverged or flew off the plot).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    def optimizer_class(self) -> type[Optimizer]:
        """The optimizer's class: what it declares (velocity, adaptive, limits) is asked here."""
        return optimizers.get(self.optimizer)

    @property
    def optimizer_label(self) -> str:
        return self.optimizer_class.label

    @property
    def title(self) -> str:
        """The label, or e.g. ``"Adam, η = 0.02"`` (settings that differ from the defaults appended)."""
        if self.label:
            return self.label
        hyper = self.optimizer_class.hyperparams
        extra = [f"{k} = {v:g}" for k, v in self.settings if k in hyper and v != hyper[k][0]]
        return ", ".join([self.optimizer_label, f"η = {self.learning_rate:g}", *extra])

    def make(self) -> Optimizer:
        """A fresh optimizer instance with these settings."""
        return self.optimizer_class(learning_rate=self.learning_rate, **self.settings_dict)


# ---- what a run gives --------------------------------------------------------------------------


def declared_velocities() -> dict[str, list[str]]:
    """Each state key that registered optimizers declare as their ``velocity`` -> their labels, in
    registry order: {"v": ["Momentum", "Nesterov"], "m": ["Adam"]}."""
    users: dict[str, list[str]] = {}
    for name in optimizers.names():
        cls = optimizers.get(name)
        if cls.velocity is not None:
            users.setdefault(cls.velocity, []).append(cls.label)
    return users


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A run of ``steps`` optimizer steps from ``points[0]``; arrays are read-only float64.

    ``points`` (n, dim), ``values`` (n,), ``grads`` (n, dim) with n = steps + 1, or
    n = ``diverged_at`` when the run diverged (the offending step is not stored).
    ``state[key]`` (n, dim): the optimizer's state array ``key`` after step k (every key of its
    ``state`` and ``visible_state``; zeros at k = 0).
    """

    points: np.ndarray
    values: np.ndarray
    grads: np.ndarray
    state: dict[str, np.ndarray]
    diverged_at: int | None
    steps: int
    spec: RunSpec

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
    def velocity(self) -> np.ndarray | None:
        """The state array the optimizer declares as its velocity, per step (n, dim); None without one.
        The point travels along -velocity (momentum's v, Adam's m)."""
        key = self.spec.optimizer_class.velocity
        return None if key is None else self.state[key]

    def step_scale(self) -> np.ndarray | None:
        """Per-coordinate step size of an adaptive optimizer after step k: (n, dim), row 0 NaN.

        ``Optimizer.step_scale`` of the run's optimizer on the state history, e.g. Adam's
        η/(√v̂ + ε) with v̂ = v/(1 - β₂ᵏ); None for an optimizer that is not adaptive.
        """
        opt = self.spec.make()
        k = np.arange(len(self.points), dtype=np.float64)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):  # row 0: before the first step
            scale = opt.step_scale(self.state, k)
        if scale is None:
            return None
        scale = np.array(np.broadcast_to(scale, self.points.shape), dtype=np.float64)
        scale[0] = np.nan
        return scale


def as_point(surface: Surface, start: Any) -> np.ndarray:
    """``start`` as a point of ``surface``: (dim,) float64; ValueError naming what is wrong."""
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
    p0 = as_point(surface, surface.default_start if start is None else start)
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
        cls = type(opt)
        velocity = () if cls.velocity is None else (cls.velocity,)
        for key in (*opt.state.get("x", {}), *cls.visible_state, *velocity):  # same keys for every run of it
            record.setdefault(key, np.zeros((steps + 1, dim)))
        out.append(Trajectory(
            points=_frozen(points[:n, i].copy()),
            values=_frozen(values[:n, i].copy()),
            grads=_frozen(grads[:n, i].copy()),
            state={key: _frozen(arr[:n].copy()) for key, arr in record.items()},
            diverged_at=diverged[i],
            steps=steps,
            spec=spec,
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


def escapes(traj: Trajectory, surface: Surface) -> bool:
    """Whether a run diverged or left the plotted domain by more than half its width."""
    if traj.diverged_at is not None:
        return True
    b = surface.bounds()
    margin = 0.5 * (b[:, 1] - b[:, 0])
    return bool(np.any((traj.points < b[:, 0] - margin) | (traj.points > b[:, 1] + margin)))
