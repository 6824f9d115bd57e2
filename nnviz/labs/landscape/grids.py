"""Loss slices through weight space: 1D lines and 2D grids of ``theta + a * d1 + b * d2``, and the
straight line between two networks' weights (Goodfellow et al. 2015).

Every grid leaves the network's weights unchanged (see ``evaluation``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from nnviz.labs.landscape.directions import check_direction
from nnviz.labs.landscape.evaluation import Progress, evaluate_points
from nnviz.nn.losses import Loss
from nnviz.nn.network import Network

#: Largest grid side (a 401 x 401 grid is 160,801 forward passes).
MAX_RESOLUTION = 401


def check_resolution(resolution: int) -> int:
    """``resolution`` as an int, or a ``ValueError`` unless it is an integer in [2, MAX_RESOLUTION]."""
    if not isinstance(resolution, (int, np.integer)) or not (2 <= resolution <= MAX_RESOLUTION):
        raise ValueError(f"resolution must be an integer in [2, {MAX_RESOLUTION}], got {resolution!r}")
    return int(resolution)


def _check_range(low: float, high: float, what: str) -> tuple[float, float]:
    """(low, high) as floats, finite with low < high, or a ``ValueError`` naming ``what``."""
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"{what} must be finite with low < high, got ({low:g}, {high:g})")
    return low, high


def _check_span(span: float) -> float:
    """``span`` as a float > 0, or a ``ValueError``."""
    span = float(span)
    if not (math.isfinite(span) and span > 0):
        raise ValueError(f"span must be > 0, got {span:g}")
    return span


def loss_grid_1d(
    net: Network,
    loss: Loss | str,
    X: np.ndarray,
    y: np.ndarray,
    d: Mapping[str, np.ndarray],
    span: float = 1.0,
    resolution: int = 51,
    center: Mapping[str, np.ndarray] | None = None,
    progress: Progress | None = None,
    return_accuracy: bool = False,
) -> tuple[np.ndarray, ...]:
    """Loss at ``theta + a * d`` for ``a`` in linspace(-span, span, resolution) -> (a, loss)
    (and accuracy with ``return_accuracy``), each (resolution,)."""
    span = _check_span(span)
    a = np.linspace(-span, span, check_resolution(resolution))
    values, acc = evaluate_points(net, loss, X, y, [d], a[:, None], center, progress)
    return (a, values, acc) if return_accuracy else (a, values)


def loss_grid_2d(
    net: Network,
    loss: Loss | str,
    X: np.ndarray,
    y: np.ndarray,
    d1: Mapping[str, np.ndarray],
    d2: Mapping[str, np.ndarray],
    span: float = 1.0,
    resolution: int = 21,
    center: Mapping[str, np.ndarray] | None = None,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    progress: Progress | None = None,
    return_accuracy: bool = False,
) -> tuple[np.ndarray, ...]:
    """Loss at ``theta + a * d1 + b * d2`` on a grid -> (a, b, Z) (and accuracy A).

    ``a``, ``b``: linspace(-span, span, resolution), or ``bounds = ((a_low, a_high), (b_low, b_high))``.
    ``Z[i, j]`` is the loss at ``(a[j], b[i])`` (shape (len(b), len(a)), the plotly convention).
    ``theta`` is ``center`` (a dict keyed like ``net.params``), by default the network's weights,
    which are unchanged afterwards.
    """
    n = check_resolution(resolution)
    if bounds is None:
        span = _check_span(span)
        (a0, a1), (b0, b1) = (-span, span), (-span, span)
    else:
        try:
            (a0, a1), (b0, b1) = bounds
        except (TypeError, ValueError):
            raise ValueError(f"bounds must be ((a_low, a_high), (b_low, b_high)), got {bounds!r}") from None
        a0, a1 = _check_range(a0, a1, "a bounds")
        b0, b1 = _check_range(b0, b1, "b bounds")
    a = np.linspace(a0, a1, n)
    b = np.linspace(b0, b1, n)
    A, B = np.meshgrid(a, b)
    coords = np.column_stack([A.ravel(), B.ravel()])
    values, acc = evaluate_points(net, loss, X, y, [d1, d2], coords, center, progress)
    Z, Acc = values.reshape(n, n), acc.reshape(n, n)
    return (a, b, Z, Acc) if return_accuracy else (a, b, Z)


@dataclass(frozen=True, eq=False)
class Grid:
    """A 2D slice: ``loss[i, j]`` and ``accuracy[i, j]`` at ``(a[j], b[i])``."""

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray


@dataclass(frozen=True, eq=False)
class Line:
    """A 1D slice: ``loss[i]`` and ``accuracy[i]`` at ``alphas[i]``."""

    alphas: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray


def interpolate(
    net_a: Network,
    net_b: Network,
    loss: Loss | str,
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 51,
    margin: float = 0.25,
    progress: Progress | None = None,
) -> Line:
    """Loss along the straight line theta(alpha) = (1 - alpha) theta_a + alpha theta_b, for alpha in
    [-margin, 1 + margin] (alpha 0: net_a's weights, 1: net_b's). Both networks must share one
    architecture; neither is changed."""
    margin = float(margin)
    if not (math.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin must be >= 0, got {margin:g}")
    check_direction(net_a, net_b.params, "net_b's parameters")
    alphas = np.linspace(-margin, 1.0 + margin, check_resolution(resolution))
    center = {k: v.copy() for k, v in net_a.params.items()}
    delta = {k: (net_b.params[k].astype(np.float64) - center[k]).astype(net_a.dtype) for k in center}
    values, acc = evaluate_points(net_a, loss, X, y, [delta], alphas[:, None], center, progress)
    return Line(alphas, values, acc)
