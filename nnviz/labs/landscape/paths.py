"""Training paths on a plane: PCA of the weights a run visited, the loss on that plane, and
every run's path projected onto it (Li et al. 2018).

The plane passes through one run's final weights (the centre) and is spanned by the top two
principal directions of the snapshots' displacements from there, so the optimizer's path lies,
as far as any plane allows, in the picture. What it cannot show is measured too: each snapshot's
distance from the plane, and the real loss beside the loss at the projection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.labs.landscape.directions import unflatten
from nnviz.labs.landscape.evaluation import Progress, evaluate_points
from nnviz.labs.landscape.grids import check_resolution, loss_grid_2d
from nnviz.labs.landscape.runs import TrainingRun
from nnviz.nn.losses import Loss
from nnviz.nn.network import Network


@dataclass(frozen=True, eq=False)
class PathPlane:
    """A plane through ``center`` (P,) spanned by two orthonormal ``directions`` (2, P) (float64);
    ``explained`` (2,): each direction's fraction of the fitted displacements' variance."""

    center: np.ndarray
    directions: np.ndarray
    explained: np.ndarray


def pca_plane(snapshots: np.ndarray, center: np.ndarray) -> PathPlane:
    """The top two principal directions of the displacements ``snapshots - center`` (rows).

    As in Li et al. 2018 the displacements are measured from ``center`` (usually the final weights),
    not from their mean, so the plane passes through ``center``. Signs are chosen so that the first
    snapshot projects to non-positive coordinates.
    """
    S = np.asarray(snapshots, dtype=np.float64)
    c = np.asarray(center, dtype=np.float64)
    if S.ndim != 2 or c.shape != (S.shape[1],):
        raise ValueError(f"snapshots must be (s, P) and center (P,), got {S.shape} and {c.shape}")
    if not (np.all(np.isfinite(S)) and np.all(np.isfinite(c))):
        raise ValueError("snapshots and center must be finite")
    M = S - c
    if len(M) < 2 or S.shape[1] < 2 or not np.any(M):
        raise ValueError("need at least two snapshots that differ from the center to find a plane")
    # SVD of the small (s, s) Gram matrix: P (number of weights) may be large, s is not.
    gram = M @ M.T
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1]
    values, vectors = np.clip(values[order], 0.0, None), vectors[:, order]
    total = float(values.sum())
    dirs = np.zeros((2, S.shape[1]))
    for k in range(2):
        if values[k] > total * 1e-12:
            dirs[k] = (vectors[:, k] @ M) / math.sqrt(values[k])
    if not np.any(dirs[1]):  # the path is a straight line: any direction orthogonal to the first
        e = np.zeros(S.shape[1])
        e[int(np.argmin(np.abs(dirs[0])))] = 1.0
        e -= (e @ dirs[0]) * dirs[0]
        dirs[1] = e / np.linalg.norm(e)
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    first = M[0] @ dirs.T
    dirs[first > 0] *= -1
    explained = values[:2] / total
    return PathPlane(center=c, directions=dirs, explained=explained)


def project(plane: PathPlane, snapshots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (s, 2) of each snapshot's displacement on the plane, and the distance (s,) of each
    snapshot from the plane (what the 2D picture cannot show)."""
    M = np.asarray(snapshots, dtype=np.float64) - plane.center
    with np.errstate(all="ignore"):
        coords = M @ plane.directions.T
        off = np.linalg.norm(M - coords @ plane.directions, axis=1)
    return coords, off


@dataclass(frozen=True, eq=False)
class ProjectedPath:
    """One run's path on the plane: ``coords`` (s, 2), ``off_plane`` (s,) distance from the plane,
    ``plane_loss`` (s,) the loss at the projected point (what the contour shows there), ``loss``
    (s,) the real loss at the snapshot."""

    label: str
    steps: np.ndarray
    coords: np.ndarray
    off_plane: np.ndarray
    plane_loss: np.ndarray
    loss: np.ndarray
    diverged: int | None
    in_fit: bool


@dataclass(frozen=True, eq=False)
class PathLandscape:
    """The loss on a PCA plane around a reference run's final weights, with every run's path."""

    plane: PathPlane
    reference: int
    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray  # (len(b), len(a))
    accuracy: np.ndarray
    paths: list[ProjectedPath]
    fit: tuple[int, ...] = ()


def path_bounds(coords: Sequence[np.ndarray], margin: float = 0.15) -> tuple[tuple[float, float], tuple[float, float]]:
    """Grid bounds that hold every point of ``coords`` (each (s, 2)) and the origin, plus a margin."""
    pts = np.concatenate([np.zeros((1, 2)), *[c[np.all(np.isfinite(c), axis=1)] for c in coords]])
    low, high = pts.min(axis=0), pts.max(axis=0)
    width = np.maximum(high - low, 1e-3 * max(float(np.max(high - low)), 1e-12))
    pad = margin * width
    return (float(low[0] - pad[0]), float(high[0] + pad[0])), (float(low[1] - pad[1]), float(high[1] + pad[1]))


def default_fit(runs: Sequence[TrainingRun]) -> list[int]:
    """The runs a plane is fitted to by default: every run that did not diverge (all, if each did)."""
    return [i for i, r in enumerate(runs) if r.diverged is None] or list(range(len(runs)))


def best_run(runs: Sequence[TrainingRun], among: Sequence[int]) -> int:
    """The run of ``among`` (indices) with the lowest final loss; a non-finite loss counts as +inf."""
    return min(among, key=lambda i: runs[i].loss[-1] if np.isfinite(runs[i].loss[-1]) else np.inf)


def centre_fit(runs: Sequence[TrainingRun], reference: int | None = None) -> list[int]:
    """``fit`` for a plane that shows the centre run's own path in most detail: that run alone
    (``reference``, by default the best of ``default_fit``)."""
    return [best_run(runs, default_fit(runs)) if reference is None else reference]


def path_landscape(
    net: Network,
    loss: Loss | str,
    X: np.ndarray,
    y: np.ndarray,
    runs: Sequence[TrainingRun],
    reference: int | None = None,
    resolution: int = 21,
    margin: float = 0.15,
    fit: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> PathLandscape:
    """PCA plane through run ``reference``'s final weights, fitted to the snapshots of the runs
    ``fit`` (default: every run that did not diverge, or all runs if each diverged), the loss grid
    on it (covering the fitted runs' paths) and every run's path.

    ``reference`` defaults to the fitted run with the lowest final loss. ``net`` gives the
    architecture only; its weights are not used or changed.
    """
    if not runs:
        raise ValueError("give at least one training run")
    if fit is None:
        fit = default_fit(runs)
    fit = sorted(set(int(i) for i in fit))
    if not fit or not all(0 <= i < len(runs) for i in fit):
        raise ValueError(f"fit must name runs in [0, {len(runs) - 1}], got {fit}")
    if reference is None:
        reference = best_run(runs, fit)
    if not (0 <= reference < len(runs)):
        raise ValueError(f"reference must be a run index in [0, {len(runs) - 1}], got {reference}")
    plane = pca_plane(np.concatenate([runs[i].snapshots for i in fit]), runs[reference].final)
    projected = [project(plane, r.snapshots) for r in runs]
    bounds = path_bounds([projected[i][0] for i in fit], margin)
    center = unflatten(net, plane.center)
    d1, d2 = unflatten(net, plane.directions[0]), unflatten(net, plane.directions[1])
    n_grid = check_resolution(resolution) ** 2
    n_path = sum(len(r.steps) for r in runs)
    total = n_grid + n_path

    def report(offset: int) -> Progress | None:
        return None if progress is None else (lambda done, _t: progress(offset + done, total))

    a, b, Z, Acc = loss_grid_2d(net, loss, X, y, d1, d2, resolution=resolution, center=center, bounds=bounds,
                                progress=report(0), return_accuracy=True)
    # The loss at each path point's projection, evaluated exactly (not read off the grid), so the
    # gap to the real loss is the plane's error alone.
    all_coords = np.concatenate([np.nan_to_num(c, posinf=0.0, neginf=0.0) for c, _ in projected])
    plane_loss, _ = evaluate_points(net, loss, X, y, [d1, d2], all_coords, center, report(n_grid))
    paths = []
    offset = 0
    for i, (run, (coords, off)) in enumerate(zip(runs, projected, strict=True)):
        s = len(run.steps)
        pl = plane_loss[offset : offset + s].copy()
        pl[~np.all(np.isfinite(coords), axis=1)] = np.nan
        offset += s
        paths.append(ProjectedPath(run.label, run.steps, coords, off, pl, run.loss, run.diverged, i in fit))
    return PathLandscape(plane, reference, a, b, Z, Acc, paths, tuple(fit))
