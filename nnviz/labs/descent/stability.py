"""Learning rates against stability: the limits the optimizer classes declare, the curvature that
sets them on a surface, and the rates at which a run diverges.

On a quadratic of curvature L an optimizer converges only below its ``stability_limit`` (2/L for
plain gradient descent: x <- (1 - ηL) x shrinks iff |1 - ηL| < 1); each optimizer class states
its own (``Optimizer.stability_limit``), or None when its steps adapt to the gradient's size.
``curvature_at`` measures L near a minimum of any surface; ``divergence_threshold`` combines the
two, or bisects ``LEARNING_RATE_GRID`` (the rates the page offers) by running the optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from nnviz.labs.descent.runs import RunSpec, as_point, escapes, run
from nnviz.labs.descent.surfaces import Surface
from nnviz.nn import optimizers
from nnviz.nn.optimizers import OPTIMIZERS

#: The learning rates the page offers and the presets snap to: 1, 1.2, 1.5, ..., 8 per decade.
MANTISSAS: tuple[float, ...] = (1.0, 1.2, 1.5, 1.8, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
LEARNING_RATE_GRID: tuple[float, ...] = tuple(
    round(m * 10.0**e, 12) for e in range(-5, 2) for m in MANTISSAS
)  # 1e-05 ... 80


def _name_and_settings(spec: RunSpec | str, settings: Mapping[str, float]) -> tuple[str, dict[str, float]]:
    if isinstance(spec, RunSpec):
        return spec.optimizer, {**spec.settings_dict, **settings}
    return OPTIMIZERS.canonical(spec), dict(settings)


def stability_limit(spec: RunSpec | str, curvature: float | None, **settings: float) -> float | None:
    """The largest learning rate that converges on a quadratic with top curvature L (None: no limit).

    The optimizer class's ``stability_limit`` with the spec's settings (``settings`` override
    them), e.g. 2/L for plain gradient descent, 2(1+β)/((1-β)L) for momentum; None for the
    adaptive optimizers, and without a curvature L > 0.
    """
    name, settings = _name_and_settings(spec, settings)
    if curvature is None or not curvature > 0:
        return None
    return optimizers.get(name).stability_limit(float(curvature), **settings)


def zigzag_limit(spec: RunSpec | str, curvature: float | None, **settings: float) -> float | None:
    """The largest learning rate whose steps do not overshoot the minimum of that quadratic (1/L for
    plain gradient descent): the class's ``zigzag_limit``; None where it declares none or without L > 0."""
    name, settings = _name_and_settings(spec, settings)
    if curvature is None or not curvature > 0:
        return None
    return optimizers.get(name).zigzag_limit(float(curvature), **settings)


def curvature_at(surface: Surface, p: Any, h: float = 1e-5) -> float | None:
    """Largest eigenvalue of the Hessian at ``p`` (central differences of the analytic gradient).

    Where the curvature is constant this is ``surface.lipschitz``; near a minimum it sets the
    local stability limit of plain gradient descent, η < 2/L. None where the gradient is not
    differentiable at ``p`` (two step sizes disagree by more than 1%, e.g. Ackley's cone tip).
    """
    q = as_point(surface, p)

    def hessian(step: float) -> np.ndarray:
        E = np.eye(surface.dim) * step
        H = (surface.grad(q + E) - surface.grad(q - E)) / (2.0 * step)  # row i: ∂∇f/∂x_i
        return 0.5 * (H + H.T)

    a, b = np.linalg.eigvalsh(hessian(h))[-1], np.linalg.eigvalsh(hessian(10.0 * h))[-1]
    if not (np.isfinite(a) and np.isfinite(b)) or abs(a - b) > 1e-2 * max(abs(a), abs(b), 1e-12):
        return None
    return float(a)


def reference_curvature(surface: Surface) -> tuple[float | None, tuple[float, ...] | None]:
    """(L, where) to compare learning rates with: the surface's constant curvature (where is None:
    it holds everywhere), else the largest curvature at its first minimum (where is that minimum:
    a local limit). L is None without either, or where the minimum is a kink."""
    if surface.lipschitz is not None:
        return float(surface.lipschitz), None
    if not surface.minima:
        return None, None
    near = tuple(float(v) for v in surface.minima[0])
    return curvature_at(surface, near), near


def local_curvature(surface: Surface) -> float | None:
    """The curvature that sets plain gradient descent's stability limit: ``surface.lipschitz``
    where it is constant, else the largest curvature at the global minimum (``curvature_at``);
    None without a minimum or where the minimum is a kink."""
    return reference_curvature(surface)[0] if surface.minima else None


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


def _escapes(surface: Surface, spec: RunSpec, start: Any, steps: int) -> bool:
    return escapes(run(surface, spec, start, steps), surface)


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
