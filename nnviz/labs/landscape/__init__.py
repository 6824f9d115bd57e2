"""Loss landscapes of a real network: directions, 1D/2D loss slices, trajectories projected on a plane.

The picture is the loss at ``theta + a * d1 + b * d2`` for the network's weights ``theta`` and two
directions in weight space (dicts keyed like ``net.params``). Directions come either from random
Gaussians, filter-normalized as in Li et al. 2018 ("Visualizing the Loss Landscape of Neural
Nets"), or from PCA of the weights visited during training, so the optimizer's path lies (as far
as any plane allows) in the picture.

Every evaluation here leaves the network's weights unchanged. For stacks of Dense, Activation,
Dropout and BatchNorm layers the grid is evaluated without touching the network at all, many grid
points at once: a Dense layer's output at ``W + sum_k c_k D_k`` is ``h @ W + sum_k c_k (h @ D_k)``,
so one matrix product ``h @ [W | D_1 | D_2]`` serves every grid point, and the first layer's
product (whose input ``X`` is the same for every point) is computed only once. Other layers (Conv2D,
pooling, ...) fall back to setting the weights point by point and restoring them afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.nn import losses as loss_lib
from nnviz.nn.layers import Activation, BatchNorm, Dense, Dropout
from nnviz.nn.losses import Loss
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig, Trainer, class_labels, predicted_classes

Direction = dict[str, np.ndarray]
Progress = Callable[[int, int], None]

NORMALIZATIONS: tuple[str, ...] = ("filter", "layer", "none")
#: Largest grid side (a 401 x 401 grid is 160,801 forward passes).
MAX_RESOLUTION = 401
#: Upper bound on the elements of one chunk's widest intermediate array (memory per chunk).
CHUNK_ELEMENTS = 4_000_000
#: A run whose loss exceeds this many times its initial loss has diverged (see train_with_snapshots).
BLOWUP = 3.0


# ---- directions ---------------------------------------------------------------------------------
def random_direction(net: Network, seed: int = 1, normalization: str = "filter") -> Direction:
    """A Gaussian direction shaped like ``net.params``, keyed the same way.

    ``"filter"`` (Li et al. 2018): for each weight array with 2 or more axes, every filter (a slice
    along the last axis: one output neuron's incoming weights of a Dense (in, out) matrix, one
    output channel of a Conv2D (kh, kw, in, out) kernel) is rescaled to the norm of the same filter
    of the weights, d_j <- d_j * |W_j| / |d_j|; biases and batch-norm parameters (1-D) get zero.
    ``"layer"``: each weight array is rescaled to the norm of the weights; 1-D parameters zero.
    ``"none"``: the raw standard normal draws, biases included.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"unknown normalization {normalization!r}; known: {', '.join(NORMALIZATIONS)}")
    rng = np.random.default_rng(seed)
    direction: Direction = {}
    for key, w in net.params.items():
        d = rng.standard_normal(w.shape)  # always drawn, so a key's draw does not depend on the mode
        if normalization != "none":
            if w.ndim < 2:
                d = np.zeros_like(d)
            elif normalization == "filter":
                axes = tuple(range(w.ndim - 1))
                w_norm = np.sqrt(np.sum(np.square(w, dtype=np.float64), axis=axes, keepdims=True))
                d_norm = np.sqrt(np.sum(np.square(d), axis=axes, keepdims=True))
                d = d * (w_norm / np.maximum(d_norm, 1e-300))
            else:
                d = d * (np.linalg.norm(w.astype(np.float64)) / max(np.linalg.norm(d), 1e-300))
        direction[key] = d.astype(net.dtype)
    return direction


def random_plane(net: Network, seed: int = 1, normalization: str = "filter") -> tuple[Direction, Direction]:
    """Two random directions (seeds ``seed`` and ``seed + 1``)."""
    return random_direction(net, seed, normalization), random_direction(net, seed + 1, normalization)


def flatten(net: Network, direction: Mapping[str, np.ndarray]) -> np.ndarray:
    """A direction dict as one float64 vector, in ``net.get_flat()`` order."""
    _check_direction(net, direction, "direction")
    return np.concatenate([np.asarray(direction[k], dtype=np.float64).ravel() for k in net.params])


def unflatten(net: Network, vector: np.ndarray) -> Direction:
    """A vector in ``net.get_flat()`` order as a dict keyed like ``net.params`` (net's dtype)."""
    vector = np.asarray(vector)
    if vector.shape != (net.n_params,):
        raise ValueError(f"vector must have shape ({net.n_params},), got {vector.shape}")
    out: Direction = {}
    offset = 0
    for key, p in net.params.items():
        out[key] = vector[offset : offset + p.size].reshape(p.shape).astype(net.dtype)
        offset += p.size
    return out


def filter_norms(array: np.ndarray) -> np.ndarray:
    """Norms of the filters (slices along the last axis) of a weight array with >= 2 axes."""
    array = np.asarray(array, dtype=np.float64)
    return np.sqrt(np.sum(np.square(array), axis=tuple(range(array.ndim - 1))))


def _check_direction(net: Network, direction: Mapping[str, np.ndarray], what: str) -> None:
    if not isinstance(direction, Mapping):
        raise ValueError(f"{what} must be a dict keyed like net.params, got {type(direction).__name__}")
    if set(direction) != set(net.params):
        missing = sorted(set(net.params) - set(direction))
        extra = sorted(set(direction) - set(net.params))
        raise ValueError(f"{what} does not match the network's parameters (missing {missing}, extra {extra})")
    for key, p in net.params.items():
        d = np.asarray(direction[key])
        if d.shape != p.shape:
            raise ValueError(f"{what}[{key!r}] has shape {d.shape}, expected {p.shape}")
        if not np.all(np.isfinite(d)):
            raise ValueError(f"{what}[{key!r}] contains NaN or infinite values")


# ---- evaluation -----------------------------------------------------------------------------------
def _accuracy(out: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
    """Accuracy per grid point for outputs (c, n, k)."""
    if labels is None:
        return np.full(out.shape[0], np.nan)
    return np.mean(predicted_classes(out) == labels, axis=1)


def _fast_path(net: Network) -> bool:
    return all(type(layer) in (Dense, Activation, Dropout, BatchNorm) for layer in net.layers)


def _combine(base: np.ndarray, deltas: Sequence[np.ndarray], coords: np.ndarray) -> np.ndarray:
    """base + sum_k coords[:, k] * deltas[k], one row per grid point: (c, *base.shape)."""
    out = np.repeat(base[None], len(coords), axis=0)
    for k, delta in enumerate(deltas):
        out += coords[:, k].reshape(-1, *([1] * base.ndim)) * delta
    return out


class _Evaluator:
    """Network outputs at ``center + sum_k c_k d_k`` for many coordinate rows c, without touching
    the network (Dense/Activation/Dropout/BatchNorm stacks)."""

    def __init__(self, net: Network, center: Mapping[str, np.ndarray], dirs: Sequence[Mapping[str, np.ndarray]],
                 X: np.ndarray) -> None:
        self.net, self.center, self.dirs = net, center, dirs
        dt = net.dtype
        h = X
        self.start = 0
        self.shared: list[np.ndarray] | None = None  # first Dense's X@W, X@D_1, ...: same for every point
        for i, layer in enumerate(net.layers):  # layers before the first Dense see the same input everywhere
            if isinstance(layer, Dense):
                self.shared = self._products(layer, h)
                self.start = i + 1
                break
            if isinstance(layer, Activation):
                h = layer.fn.forward(h)
            elif isinstance(layer, BatchNorm):
                break
            self.start = i + 1
        self.h0 = h.astype(dt, copy=False)
        # Per grid point, the widest activation after the shared part (plus a temporary).
        first = max(self.start - 1, 0) if self.shared is not None else self.start
        widths = [int(np.prod(layer.output_shape)) for layer in net.layers[first:]] or [h.shape[-1]]
        self.per_point = 2 * len(X) * max(widths)

    def _weights(self, layer: Dense) -> tuple[np.ndarray, list[np.ndarray]]:
        key = f"{layer.name}.W"
        return self.center[key], [d[key] for d in self.dirs]

    def _products(self, layer: Dense, h: np.ndarray) -> list[np.ndarray]:
        """[h @ W, h @ D_1, ..., h @ D_K] for the shared input h (n, in), each (n, out)."""
        W, Ds = self._weights(layer)
        stacked = np.concatenate([W, *Ds], axis=1).astype(self.net.dtype, copy=False)
        out = h @ stacked
        units = W.shape[1]
        return [np.ascontiguousarray(out[:, k * units : (k + 1) * units]) for k in range(len(Ds) + 1)]

    def _bias(self, layer: Dense, coords: np.ndarray) -> np.ndarray | None:
        if not layer.use_bias:
            return None
        key = f"{layer.name}.b"
        return _combine(np.asarray(self.center[key]), [d[key] for d in self.dirs], coords)

    def outputs(self, coords: np.ndarray) -> np.ndarray:
        """(c, K) coordinates -> network outputs (c, n, k)."""
        dt = self.net.dtype
        coords = coords.astype(dt)
        c = len(coords)
        layers = self.net.layers
        if self.shared is not None:
            dense = layers[self.start - 1]
            base, *deltas = self.shared
            h = _combine(base, deltas, coords)  # X @ (W + sum c_k D_k), from three (n, out) products
            bias = self._bias(dense, coords)
            if bias is not None:
                h += bias[:, None, :]
        else:
            h = np.broadcast_to(self.h0, (c, *self.h0.shape))
        for layer in layers[self.start :]:
            if isinstance(layer, Dense):
                # Here every grid point has its own input: one small product per point with its
                # own weights (c, in, out), a third of the work of h @ [W | D_1 | D_2].
                W, Ds = self._weights(layer)
                h = np.matmul(h, _combine(np.asarray(W), Ds, coords))
                bias = self._bias(layer, coords)
                if bias is not None:
                    h += bias[:, None, :]
            elif isinstance(layer, Activation):
                h = layer.fn.forward(h)
            elif isinstance(layer, BatchNorm):
                gamma = _combine(np.asarray(self.center[f"{layer.name}.gamma"]),
                                 [d[f"{layer.name}.gamma"] for d in self.dirs], coords)
                beta = _combine(np.asarray(self.center[f"{layer.name}.beta"]),
                                [d[f"{layer.name}.beta"] for d in self.dirs], coords)
                inv_std = 1.0 / np.sqrt(layer.buffers["running_var"] + layer.eps)
                x_hat = (h - layer.buffers["running_mean"]) * inv_std.astype(dt)
                expand = (slice(None),) + (None,) * (h.ndim - 2) + (slice(None),)
                h = x_hat * gamma[expand] + beta[expand]
            # Dropout: the identity at inference
        return np.asarray(h)


def evaluate_points(
    net: Network,
    loss: Loss | str,
    X: np.ndarray,
    y: np.ndarray,
    directions: Sequence[Mapping[str, np.ndarray]],
    coords: np.ndarray,
    center: Mapping[str, np.ndarray] | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean loss and accuracy (NaN for regression) at ``center + sum_k coords[i, k] * directions[k]``.

    ``coords`` is (m, K) for K directions; ``center`` defaults to the network's weights. Returns
    two (m,) float64 arrays. The network's weights are unchanged afterwards. ``progress(done, m)``
    is called after each chunk of points.
    """
    loss = loss_lib.get(loss) if isinstance(loss, str) else loss
    coords = np.asarray(coords, dtype=np.float64)
    if coords.ndim != 2 or coords.shape[1] != len(directions):
        raise ValueError(f"coords must have shape (m, {len(directions)}), got {coords.shape}")
    if not np.all(np.isfinite(coords)):
        raise ValueError("coords contain NaN or infinite values")
    for i, d in enumerate(directions):
        _check_direction(net, d, f"direction {i + 1}")
    if center is None:
        center = {k: v.copy() for k, v in net.params.items()}
    else:
        _check_direction(net, center, "center")
    X = net.check_input(X)
    if len(X) == 0:
        raise ValueError("X is empty")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    m = len(coords)
    loss_out = np.empty(m)
    acc_out = np.empty(m)
    with np.errstate(all="ignore"):
        targets: np.ndarray | None = None
        labels: np.ndarray | None = None
        if _fast_path(net):
            ev = _Evaluator(net, center, list(directions), X)
            chunk = max(1, CHUNK_ELEMENTS // max(ev.per_point, 1))
            for start in range(0, m, chunk):
                out = ev.outputs(coords[start : start + chunk])
                if targets is None:
                    targets = loss_lib.as_targets(out[0], y)
                    labels = class_labels(y)
                for i in range(len(out)):  # the loss API is a batch mean: one call per grid point
                    loss_out[start + i] = loss.value(out[i], targets)
                acc_out[start : start + len(out)] = _accuracy(out, labels)
                if progress is not None:
                    progress(min(start + chunk, m), m)
        else:
            backup = {k: v.copy() for k, v in net.params.items()}
            try:
                for i, row in enumerate(coords):
                    for key, p in net.params.items():
                        p[...] = center[key] + sum(c * d[key] for c, d in zip(row, directions, strict=True))
                    out = net.predict(X)
                    if targets is None:
                        targets = loss_lib.as_targets(out, y)
                        labels = class_labels(y)
                    loss_out[i] = loss.value(out, targets)
                    acc_out[i] = _accuracy(out[None], labels)[0]
                    if progress is not None and (i % 16 == 15 or i == m - 1):
                        progress(i + 1, m)
            finally:
                for key, p in net.params.items():
                    p[...] = backup[key]
    return loss_out, acc_out


def _check_resolution(resolution: int) -> int:
    if not isinstance(resolution, (int, np.integer)) or not (2 <= resolution <= MAX_RESOLUTION):
        raise ValueError(f"resolution must be an integer in [2, {MAX_RESOLUTION}], got {resolution!r}")
    return int(resolution)


def _check_range(low: float, high: float, what: str) -> tuple[float, float]:
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"{what} must be finite with low < high, got ({low:g}, {high:g})")
    return low, high


def _check_span(span: float) -> float:
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
    a = np.linspace(-span, span, _check_resolution(resolution))
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
    n = _check_resolution(resolution)
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
    _check_direction(net_a, net_b.params, "net_b's parameters")
    alphas = np.linspace(-margin, 1.0 + margin, _check_resolution(resolution))
    center = {k: v.copy() for k, v in net_a.params.items()}
    delta = {k: (net_b.params[k].astype(np.float64) - center[k]).astype(net_a.dtype) for k in center}
    values, acc = evaluate_points(net_a, loss, X, y, [delta], alphas[:, None], center, progress)
    return Line(alphas, values, acc)


# ---- training with snapshots ------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class TrainingRun:
    """One training run with snapshots of its weights.

    ``steps`` (s,): the step of each snapshot (0: the initial weights); ``snapshots`` (s, P): the flat
    weights there (``net.get_flat()`` order); ``loss``/``accuracy`` (s,): on the evaluation data at
    each snapshot; ``batch_loss`` (t,): the mini-batch loss of each step taken; ``diverged``: the
    step where training diverged (its last snapshot), else None, and ``diverged_reason`` why.
    """

    label: str
    config: TrainConfig
    steps: np.ndarray
    snapshots: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    batch_loss: np.ndarray
    diverged: int | None
    diverged_reason: str = ""

    @property
    def initial(self) -> np.ndarray:
        return self.snapshots[0]

    @property
    def final(self) -> np.ndarray:
        return self.snapshots[-1]


def snapshot_steps(steps: int, n_snapshots: int) -> np.ndarray:
    """About ``n_snapshots`` evenly spaced steps from 1 to ``steps`` (the last always included), plus 0."""
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(n_snapshots, (int, np.integer)) or n_snapshots < 1:
        raise ValueError(f"n_snapshots must be a positive integer, got {n_snapshots!r}")
    return np.unique(np.round(np.linspace(0, steps, min(n_snapshots, steps) + 1)).astype(np.int64))


def train_with_snapshots(
    net: Network,
    config: TrainConfig,
    X: np.ndarray,
    y: np.ndarray,
    steps: int,
    n_snapshots: int = 30,
    X_eval: np.ndarray | None = None,
    y_eval: np.ndarray | None = None,
    label: str = "",
    progress: Progress | None = None,
    blowup: float | None = BLOWUP,
) -> TrainingRun:
    """Train ``net`` in place for ``steps`` steps, snapshotting its weights at ``snapshot_steps``.

    The loss and accuracy at each snapshot are measured on (X_eval, y_eval), by default (X, y).
    A run diverges when the trainer meets a non-finite loss or weight (training stops there), or
    (``blowup``) when its loss rises above ``blowup`` times the initial loss and stays there to the
    end: with a saturating output (softmax and a clipped cross-entropy) a far too large learning
    rate never yields NaN, the weights just fly away. The record of a diverged run stops at the
    snapshot where it diverged (a passing spike that recovers is not divergence).
    ``progress(steps_done, steps)`` after each snapshot.
    """
    if blowup is not None and not (math.isfinite(blowup) and blowup > 1):
        raise ValueError(f"blowup must be > 1 (or None), got {blowup:g}")
    X_eval, y_eval = (X, y) if X_eval is None else (X_eval, y_eval)
    trainer = Trainer(net, config, X, y)
    marks = snapshot_steps(steps, n_snapshots)
    taken: list[int] = []
    flats: list[np.ndarray] = []
    measures: list[tuple[float, float]] = []

    def snap() -> None:
        taken.append(trainer.step)
        flats.append(net.get_flat())
        measures.append(trainer.evaluate(X_eval, y_eval))

    snap()
    for mark in marks[1:]:
        trainer.run(steps=int(mark - trainer.step))
        if trainer.step != taken[-1]:
            snap()
        if trainer.diverged is not None:
            break
        if progress is not None:
            progress(int(mark), steps)
    if progress is not None and trainer.diverged is not None:
        progress(steps, steps)
    loss_v, acc_v = (np.array(v, dtype=np.float64) for v in zip(*measures, strict=True))
    steps_v = np.array(taken, dtype=np.int64)
    S = np.stack(flats)
    batch_loss = np.array(trainer.history.loss, dtype=np.float64)
    diverged, reason = trainer.diverged, ""
    if diverged is not None:
        reason = "the loss or the weights became infinite or NaN"
    elif blowup is not None:
        limit = blowup * max(loss_v[0], 1e-3) if np.isfinite(loss_v[0]) else math.inf
        high = ~(loss_v <= limit)  # NaN counts as high
        if high[-1]:
            first = len(high) - int(np.argmin(high[::-1])) if not high.all() else 0
            diverged, reason = int(steps_v[first]), f"the loss rose above {blowup:g} x its initial value and stayed there"
            steps_v, S, loss_v, acc_v = steps_v[: first + 1], S[: first + 1], loss_v[: first + 1], acc_v[: first + 1]
            batch_loss = batch_loss[: diverged]
    return TrainingRun(
        label=label, config=config, steps=steps_v, snapshots=S, loss=loss_v, accuracy=acc_v,
        batch_loss=batch_loss, diverged=diverged, diverged_reason=reason,
    )


def compare_runs(
    net: Network,
    configs: Sequence[TrainConfig],
    X: np.ndarray,
    y: np.ndarray,
    steps: int,
    n_snapshots: int = 30,
    labels: Sequence[str] | None = None,
    X_eval: np.ndarray | None = None,
    y_eval: np.ndarray | None = None,
    progress: Progress | None = None,
) -> list[TrainingRun]:
    """Train a copy of ``net`` (same initial weights, same mini-batch order) per config.

    ``net`` itself is not changed. ``progress(steps_done, total_steps)`` over all runs.
    """
    if not configs:
        raise ValueError("give at least one training config")
    labels = list(labels) if labels is not None else [f"run {i + 1}" for i in range(len(configs))]
    if len(labels) != len(configs):
        raise ValueError(f"{len(labels)} labels for {len(configs)} configs")
    total = steps * len(configs)
    runs = []
    for i, (config, label) in enumerate(zip(configs, labels, strict=True)):
        report = None if progress is None else (lambda done, _t, i=i: progress(i * steps + done, total))
        runs.append(train_with_snapshots(net.copy(), config, X, y, steps, n_snapshots, X_eval, y_eval, label, report))
    return runs


# ---- trajectory projection ----------------------------------------------------------------------
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
        fit = [i for i, r in enumerate(runs) if r.diverged is None] or list(range(len(runs)))
    fit = sorted(set(int(i) for i in fit))
    if not fit or not all(0 <= i < len(runs) for i in fit):
        raise ValueError(f"fit must name runs in [0, {len(runs) - 1}], got {fit}")
    if reference is None:
        reference = min(fit, key=lambda i: runs[i].loss[-1] if np.isfinite(runs[i].loss[-1]) else np.inf)
    if not (0 <= reference < len(runs)):
        raise ValueError(f"reference must be a run index in [0, {len(runs) - 1}], got {reference}")
    plane = pca_plane(np.concatenate([runs[i].snapshots for i in fit]), runs[reference].final)
    projected = [project(plane, r.snapshots) for r in runs]
    bounds = path_bounds([projected[i][0] for i in fit], margin)
    center = unflatten(net, plane.center)
    d1, d2 = unflatten(net, plane.directions[0]), unflatten(net, plane.directions[1])
    n_grid = _check_resolution(resolution) ** 2
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


# ---- per-run views ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Grid:
    """A 2D slice: ``loss[i, j]`` and ``accuracy[i, j]`` at ``(a[j], b[i])``."""

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray


def _with_weights(net: Network, flat: np.ndarray) -> Network:
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
    n = _check_resolution(resolution) ** 2
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
