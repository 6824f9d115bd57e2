"""The loss and accuracy of a network at many points ``center + sum_k c_k d_k`` of weight space.

Every evaluation leaves the network's weights unchanged. For stacks of Dense, Activation, Dropout
and BatchNorm layers the points are evaluated without touching the network at all, many at once:
a Dense layer's output at ``W + sum_k c_k D_k`` is ``h @ W + sum_k c_k (h @ D_k)``, so one matrix
product ``h @ [W | D_1 | D_2]`` serves every point, and the first layer's product (whose input
``X`` is the same for every point) is computed only once. Other layers (Conv2D, pooling, ...) fall
back to setting the weights point by point and restoring them afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from nnviz.labs.landscape.directions import check_direction
from nnviz.nn import losses as loss_lib
from nnviz.nn.layers import Activation, BatchNorm, Dense, Dropout
from nnviz.nn.losses import Loss
from nnviz.nn.network import Network
from nnviz.nn.training import class_labels, predicted_classes

#: ``progress(done, total)``, called as a long computation goes.
Progress = Callable[[int, int], None]

#: Upper bound on the elements of one chunk's widest intermediate array (memory per chunk).
CHUNK_ELEMENTS = 4_000_000


def _accuracy(out: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
    """Accuracy per grid point for outputs (c, n, k)."""
    if labels is None:
        return np.full(out.shape[0], np.nan)
    return np.mean(predicted_classes(out) == labels, axis=1)


def _fast_path(net: Network) -> bool:
    """True when every layer is one the batched evaluator handles (Dense, Activation, Dropout, BatchNorm)."""
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
        """A Dense layer's centre weights W (in, out) and each direction's D_k (in, out)."""
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
        """The layer's bias at every point, b + sum_k c_k e_k: (c, out); None without a bias."""
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
        check_direction(net, d, f"direction {i + 1}")
    if center is None:
        center = {k: v.copy() for k, v in net.params.items()}
    else:
        check_direction(net, center, "center")
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
