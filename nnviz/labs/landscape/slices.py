"""Per-run views around each run's own weights: a random 2D slice around its final weights, and
the straight line from its initial to its final weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnviz.labs.landscape.directions import random_plane
from nnviz.labs.landscape.evaluation import Progress
from nnviz.labs.landscape.grids import Grid, Line, check_resolution, interpolate, loss_grid_2d
from nnviz.labs.landscape.runs import TrainingRun
from nnviz.nn.losses import Loss
from nnviz.nn.network import Network


def _with_weights(net: Network, flat: np.ndarray) -> Network:
    """A copy of ``net`` holding the flat weights ``flat`` (P,)."""
    twin = net.copy()
    twin.set_flat(flat)
    return twin


def random_slices(
    net: Network,
    loss: Loss | str,
    X: np.ndarray,
    y: np.ndarray,
    runs: Sequence[TrainingRun],
    seed: int = 1,
    span: float = 1.0,
    resolution: int = 21,
    normalization: str = "filter",
    progress: Progress | None = None,
) -> list[Grid]:
    """A random 2D slice around each run's final weights, with the same random draws (seeds
    ``seed``, ``seed + 1``) normalized to each run's own weights, so the slices compare like with
    like (Li et al. 2018: without filter normalization, sharpness depends on the weights' scale).
    ``net`` gives the architecture only and is not changed."""
    n = check_resolution(resolution) ** 2
    grids = []
    for i, run in enumerate(runs):
        twin = _with_weights(net, run.final)
        d1, d2 = random_plane(twin, seed, normalization)
        report = None if progress is None else (lambda done, _t, i=i: progress(i * n + done, n * len(runs)))
        a, b, Z, Acc = loss_grid_2d(twin, loss, X, y, d1, d2, span=span, resolution=resolution, progress=report,
                                    return_accuracy=True)
        grids.append(Grid(a, b, Z, Acc))
    return grids


def interpolations(
    net: Network,
    loss: Loss | str,
    X: np.ndarray,
    y: np.ndarray,
    runs: Sequence[TrainingRun],
    resolution: int = 41,
    margin: float = 0.25,
    progress: Progress | None = None,
) -> list[Line]:
    """``interpolate`` from each run's initial to its final weights (alpha 0: initial, 1: final)."""
    lines = []
    for i, run in enumerate(runs):
        report = None if progress is None else (
            lambda done, _t, i=i: progress(i * resolution + done, resolution * len(runs)))
        lines.append(interpolate(_with_weights(net, run.initial), _with_weights(net, run.final), loss, X, y,
                                 resolution, margin, report))
    return lines
