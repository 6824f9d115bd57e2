"""Layers: Dense, Activation, Dropout, BatchNorm (for images, Conv2D, MaxPool2D, Flatten; for
sequences, SimpleRNN).

A layer is built once for an input shape (without the batch axis), then
``forward(x, training)`` maps (n, *in_shape) -> (n, *out_shape) and ``backward(dout)`` returns
dL/dx and writes dL/dparam into ``grads`` (preallocated arrays, overwritten in place).
``params`` and ``grads`` share keys ("W", "b", ...); ``buffers`` hold non-trained state
(BatchNorm's running statistics) that is saved with the model.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nnviz.nn import activations, initializers, rowwise
from nnviz.nn.hyperparams import check_integer
from nnviz.nn.registry import Registry

LAYERS: Registry[type[Layer]] = Registry("layer")
#: (parameter shapes by name, buffer shapes by name, output shape): what a layer's build makes.
Shapes = tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]], tuple[int, ...]]


class Layer:
    kind: ClassVar[str] = ""
    #: Parameter names that L1/L2 regularization applies to (weights, not biases).
    regularized: ClassVar[frozenset[str]] = frozenset()
    #: False lets a layer skip computing dL/dx (the network's first layer while training).
    needs_input_grad: bool = True

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.input_shape: tuple[int, ...] = ()
        self.output_shape: tuple[int, ...] = ()
        self.name = self.kind

    def build(self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype) -> tuple[int, ...]:
        """Create parameters for ``input_shape``; return the output shape."""
        self.input_shape = tuple(int(s) for s in input_shape)
        self.output_shape = self._build(self.input_shape, rng, np.dtype(dtype))
        for key, value in self.params.items():
            self.grads[key] = np.zeros_like(value)
        return self.output_shape

    def _build(self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype) -> tuple[int, ...]:
        return input_shape

    def shapes(self, input_shape: tuple[int, ...]) -> Shapes:
        """(parameter shapes, buffer shapes, output shape) that ``build`` makes for ``input_shape``.
        Layers that hold arrays answer without allocating them, so a model file's architecture can be
        sized before it is built; this default builds a fresh copy."""
        probe = from_config(self.config())
        out = probe.build(tuple(int(s) for s in input_shape), np.random.default_rng(0), np.dtype(np.float32))
        return ({k: v.shape for k, v in probe.params.items()}, {k: v.shape for k, v in probe.buffers.items()}, out)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """JSON-serializable constructor arguments (with ``kind``), for save/load."""
        return {"kind": self.kind}

    def describe(self) -> str:
        return self.kind

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "kind")
        return f"{type(self).__name__}({args})"


def get(kind: str) -> type[Layer]:
    """The layer class by kind, e.g. ``get("dense")(16)``."""
    return LAYERS.get(kind)


def names() -> list[str]:
    return LAYERS.names()


def from_config(config: dict[str, Any]) -> Layer:
    """Rebuild an (unbuilt) layer from ``Layer.config()``."""
    if not isinstance(config, dict) or "kind" not in config:
        raise ValueError(f"layer config must be a dict with a 'kind', got {config!r}")
    args = {k: v for k, v in config.items() if k != "kind"}
    try:
        return LAYERS.get(config["kind"])(**args)
    except TypeError as exc:
        raise ValueError(f"bad arguments for layer {config['kind']!r}: {exc}") from None


@LAYERS.register("dense")
class Dense(Layer):
    """Fully connected: z = x @ W + b, W (n_in, units), b (units,)."""

    kind = "dense"
    regularized = frozenset({"W"})

    def __init__(self, units: int, init: str = "xavier_uniform", use_bias: bool = True) -> None:
        super().__init__()
        self.units = check_integer(units, "units", 1)
        initializers.get(init)  # unknown names fail here, at construction
        self.init = init
        self.use_bias = bool(use_bias)
        self._x: np.ndarray | None = None

    def shapes(self, input_shape: tuple[int, ...]) -> Shapes:
        if len(input_shape) != 1:
            raise ValueError(f"Dense expects flat inputs (n_in,), got {input_shape}; add a Flatten layer")
        arrays = {"W": (int(input_shape[0]), self.units)}
        if self.use_bias:
            arrays["b"] = (self.units,)
        return arrays, {}, (self.units,)

    def _build(self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype) -> tuple[int, ...]:
        arrays, _, out = self.shapes(input_shape)
        self.params["W"] = initializers.get(self.init)(arrays["W"], rng, dtype)
        if self.use_bias:
            self.params["b"] = np.zeros(arrays["b"], dtype=dtype)
        return out

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x
        z = rowwise.narrow_matmul(x, self.params["W"])  # column-major for many rows, few units
        if self.use_bias:
            z += self.params["b"]
        return z

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        np.matmul(self._x.T, dout, out=self.grads["W"])
        if self.use_bias:
            np.add.reduce(dout, axis=0, out=self.grads["b"])  # np.sum without its Python wrappers
        return dout @ self.params["W"].T if self.needs_input_grad else None

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "units": self.units, "init": self.init, "use_bias": self.use_bias}

    def describe(self) -> str:
        return f"dense {self.input_shape[0] if self.input_shape else '?'}→{self.units}"


@LAYERS.register("activation")
class Activation(Layer):
    """Applies a registered activation function: a = f(z)."""

    kind = "activation"

    def __init__(self, function: str, **params: float) -> None:
        super().__init__()
        self.fn = activations.get(function, **params)
        self.function = self.fn.name
        self._z: np.ndarray | None = None
        self._a: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._z = x
        self._a = self.fn.forward(x)
        return self._a

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return self.fn.backward(self._z, self._a, dout)

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "function": self.function, **self.fn.params}

    def describe(self) -> str:
        return self.function


@LAYERS.register("dropout")
class Dropout(Layer):
    """Inverted dropout: while training, zero each unit with probability ``rate`` and scale the
    rest by 1/(1 - rate); at inference, the identity."""

    kind = "dropout"

    def __init__(self, rate: float = 0.5, seed: int = 0) -> None:
        super().__init__()
        if not (0.0 <= float(rate) < 1.0):
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.seed = int(seed)
        self.rng = np.random.default_rng(seed)
        self.mask: np.ndarray | None = None
        #: Reuse the last mask (gradient checks need the same mask for every evaluation).
        self.freeze_mask = False

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self.mask = None
            return x
        if not (self.freeze_mask and self.mask is not None and self.mask.shape == x.shape):
            keep = self.rng.random(x.shape, dtype=np.float32) >= self.rate
            self.mask = keep.astype(x.dtype) / x.dtype.type(1.0 - self.rate)
        return x * self.mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout if self.mask is None else dout * self.mask

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "rate": self.rate, "seed": self.seed}

    def describe(self) -> str:
        return f"dropout {self.rate:g}"


@LAYERS.register("batchnorm")
class BatchNorm(Layer):
    """Batch normalization over every axis but the last (features/channels):
    y = gamma * (x - mean) / sqrt(var + eps) + beta; batch statistics while training,
    running averages (``running = momentum * running + (1 - momentum) * batch``) at inference."""

    kind = "batchnorm"

    def __init__(self, momentum: float = 0.9, eps: float = 1e-5) -> None:
        super().__init__()
        if not (0.0 <= float(momentum) < 1.0):
            raise ValueError(f"batchnorm momentum must be in [0, 1), got {momentum}")
        if not float(eps) > 0:
            raise ValueError(f"batchnorm eps must be > 0, got {eps}")
        self.momentum = float(momentum)
        self.eps = float(eps)
        self._cache: tuple[np.ndarray, np.ndarray] | None = None

    def shapes(self, input_shape: tuple[int, ...]) -> Shapes:
        c = (int(input_shape[-1]),)
        return {"gamma": c, "beta": c}, {"running_mean": c, "running_var": c}, tuple(input_shape)

    def _build(self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype) -> tuple[int, ...]:
        c = input_shape[-1]
        self.params["gamma"] = np.ones(c, dtype=dtype)
        self.params["beta"] = np.zeros(c, dtype=dtype)
        self.buffers["running_mean"] = np.zeros(c, dtype=dtype)
        self.buffers["running_var"] = np.ones(c, dtype=dtype)
        return input_shape

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        axes = tuple(range(x.ndim - 1))
        if training:
            mean = x.mean(axis=axes)
            var = x.var(axis=axes)
            m = self.momentum
            with np.errstate(over="ignore", invalid="ignore"):
                running_mean = m * self.buffers["running_mean"] + (1 - m) * mean
                running_var = m * self.buffers["running_var"] + (1 - m) * var
            # A batch whose variance overflows the dtype (inputs near 1e19 in float32) leaves the
            # running statistics at their last finite values: its own output is not finite, so the
            # trainer refuses the step, and the model stays one that saves and loads.
            if np.isfinite(running_mean).all() and np.isfinite(running_var).all():
                self.buffers["running_mean"][...] = running_mean
                self.buffers["running_var"][...] = running_var
        else:
            mean, var = self.buffers["running_mean"], self.buffers["running_var"]
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x - mean) * inv_std
        self._cache = (x_hat, inv_std.astype(x.dtype, copy=False))
        self._training = training
        return x_hat * self.params["gamma"] + self.params["beta"]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x_hat, inv_std = self._cache
        axes = tuple(range(dout.ndim - 1))
        np.sum(dout * x_hat, axis=axes, out=self.grads["gamma"])
        np.sum(dout, axis=axes, out=self.grads["beta"])
        dx_hat = dout * self.params["gamma"]
        if not self._training:  # running statistics are constants
            return dx_hat * inv_std
        m = dout.size // dout.shape[-1]
        return (inv_std / m) * (m * dx_hat - dx_hat.sum(axis=axes) - x_hat * (dx_hat * x_hat).sum(axis=axes))

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "momentum": self.momentum, "eps": self.eps}

    def describe(self) -> str:
        return "batchnorm"


# ---- image layers (NHWC) ---------------------------------------------------------------------
# Images are (n, H, W, C); a 2-D input shape (H, W) is one channel, so a network over MNIST
# images (n, 28, 28) can start with Conv2D directly. im2col uses a strided view (no copy until
# the one reshape that lays the patches out as rows; for 1-3 channels, kh*kw slice copies);
# col2im loops over the kh*kw kernel offsets only, never over samples or pixels.


def _pair(value: Any, what: str) -> tuple[int, int]:
    """An int or a pair of ints -> (rows, cols), each positive."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{what} must be an int or a pair of ints, got {value!r}")
        return check_integer(value[0], what, 1), check_integer(value[1], what, 1)
    v = check_integer(value, what, 1)
    return v, v


def _image_shape(input_shape: tuple[int, ...], layer: str) -> tuple[int, int, int]:
    """(H, W, C) from an input shape (H, W, C) or (H, W) (one channel)."""
    if len(input_shape) == 2:
        return input_shape[0], input_shape[1], 1
    if len(input_shape) == 3:
        return input_shape  # type: ignore[return-value]
    raise ValueError(f"{layer} expects images (H, W, C) or (H, W), got input shape {input_shape}")


def _window_slice(offset: int, stride: int, count: int) -> slice:
    """The input positions a kernel offset touches: offset, offset + stride, ... (count of them)."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


@LAYERS.register("conv2d")
class Conv2D(Layer):
    """2-D convolution (cross-correlation), NHWC: out[n, i, j, f] =
    sum_{a, b, c} x[n, i*s + a, j*s + b, c] * W[a, b, c, f] + b[f].

    W (kh, kw, C_in, filters), b (filters,). ``padding="valid"`` uses no padding; ``"same"``
    pads with zeros so the output is ceil(H / stride) x ceil(W / stride).
    """

    kind = "conv2d"
    regularized = frozenset({"W"})

    def __init__(self, filters: int, kernel_size: int | tuple[int, int] = 3, stride: int = 1,
                 padding: str = "valid", init: str = "he_normal", use_bias: bool = True) -> None:
        super().__init__()
        self.filters = check_integer(filters, "filters", 1)
        self.kernel_size = _pair(kernel_size, "kernel size")
        self.stride = check_integer(stride, "stride", 1)
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        initializers.get(init)  # unknown names fail here, at construction
        self.init = init
        self.use_bias = bool(use_bias)
        self._squeeze = False  # input was (n, H, W): one channel, gradient returned without it
        self._pads = ((0, 0), (0, 0))
        self._out_hw = (0, 0)
        self._cols: np.ndarray | None = None
        self._padded_shape: tuple[int, ...] = ()

    def _geometry(self, input_shape: tuple[int, ...]) -> tuple[int, tuple[int, int], tuple[tuple[int, int], ...]]:
        """(input channels C, output (H', W'), padding ((top, bottom), (left, right)))."""
        h, w, c = _image_shape(input_shape, "Conv2D")
        kh, kw = self.kernel_size
        s = self.stride
        if self.padding == "same":
            out_h, out_w = -(-h // s), -(-w // s)
            pad_h = max((out_h - 1) * s + kh - h, 0)
            pad_w = max((out_w - 1) * s + kw - w, 0)
            return c, (out_h, out_w), ((pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2))
        if kh > h or kw > w:
            raise ValueError(f"Conv2D kernel {self.kernel_size} is larger than its input {h}x{w}")
        return c, ((h - kh) // s + 1, (w - kw) // s + 1), ((0, 0), (0, 0))

    def shapes(self, input_shape: tuple[int, ...]) -> Shapes:
        c, (out_h, out_w), _ = self._geometry(input_shape)
        arrays = {"W": (*self.kernel_size, int(c), self.filters)}
        if self.use_bias:
            arrays["b"] = (self.filters,)
        return arrays, {}, (out_h, out_w, self.filters)

    def _build(self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype) -> tuple[int, ...]:
        self._squeeze = len(input_shape) == 2
        _, self._out_hw, self._pads = self._geometry(input_shape)
        arrays, _, out = self.shapes(input_shape)
        self.params["W"] = initializers.get(self.init)(arrays["W"], rng, dtype)
        if self.use_bias:
            self.params["b"] = np.zeros(arrays["b"], dtype=dtype)
        return out

    def _pad(self, x: np.ndarray) -> np.ndarray:
        (top, bottom), (left, right) = self._pads
        if top or bottom or left or right:
            return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
        return x

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if self._squeeze:
            x = x[..., None]
        xp = self._pad(x)
        n, c = xp.shape[0], xp.shape[3]
        (kh, kw), s, (out_h, out_w) = self.kernel_size, self.stride, self._out_hw
        if c >= 4:
            windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))  # (n, H', W', C, kh, kw)
            windows = windows[:, : s * (out_h - 1) + 1 : s, : s * (out_w - 1) + 1 : s]
            # The one copy of im2col: rows are output pixels, columns (kh, kw, C) like W's layout.
            cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * out_h * out_w, kh * kw * c)
        else:
            # Few channels: that transposed copy moves one element at a time; kh*kw strided slice
            # copies are several times faster (measured: 28x28x1 images, 3x3 kernels).
            cols6 = np.empty((n, out_h, out_w, kh, kw, c), dtype=xp.dtype)
            for a in range(kh):
                rows = _window_slice(a, s, out_h)
                for b in range(kw):
                    cols6[:, :, :, a, b, :] = xp[:, rows, _window_slice(b, s, out_w), :]
            cols = cols6.reshape(n * out_h * out_w, kh * kw * c)
        self._cols = cols
        self._padded_shape = xp.shape
        out = cols @ self.params["W"].reshape(kh * kw * c, self.filters)
        if self.use_bias:
            out += self.params["b"]
        return out.reshape(n, out_h, out_w, self.filters)

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        (kh, kw), s, (out_h, out_w) = self.kernel_size, self.stride, self._out_hw
        n, _, _, c = self._padded_shape
        d = dout.reshape(-1, self.filters)
        self.grads["W"][...] = (self._cols.T @ d).reshape(self.grads["W"].shape)
        if self.use_bias:
            np.sum(d, axis=0, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        dcols = (d @ self.params["W"].reshape(kh * kw * c, self.filters).T).reshape(n, out_h, out_w, kh, kw, c)
        dxp = np.zeros(self._padded_shape, dtype=dcols.dtype)
        for a in range(kh):  # col2im: scatter each kernel offset's share back (kh*kw passes)
            rows = _window_slice(a, s, out_h)
            for b in range(kw):
                dxp[:, rows, _window_slice(b, s, out_w), :] += dcols[:, :, :, a, b, :]
        (top, bottom), (left, right) = self._pads
        dx = dxp[:, top : dxp.shape[1] - bottom, left : dxp.shape[2] - right, :]
        return dx[..., 0] if self._squeeze else dx

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "filters": self.filters, "kernel_size": list(self.kernel_size),
                "stride": self.stride, "padding": self.padding, "init": self.init, "use_bias": self.use_bias}

    def describe(self) -> str:
        kh, kw = self.kernel_size
        stride = f" stride {self.stride}" if self.stride != 1 else ""
        return f"conv {kh}x{kw}x{self.filters}{stride} {self.padding}"


@LAYERS.register("maxpool2d")
class MaxPool2D(Layer):
    """Max pooling over pool_size windows moved by ``stride`` (default: pool_size), NHWC:
    out[n, i, j, c] = max_{a, b} x[n, i*s + a, j*s + b, c]. Rows or columns that do not fill a
    window are dropped. The gradient goes to the first maximum of each window (ties: one winner)."""

    kind = "maxpool2d"

    def __init__(self, pool_size: int = 2, stride: int | None = None) -> None:
        super().__init__()
        self.pool_size = check_integer(pool_size, "pool size", 1)
        self.stride = self.pool_size if stride is None else check_integer(stride, "stride", 1)
        self._out_hw = (0, 0)
        self._x: np.ndarray | None = None
        self._out: np.ndarray | None = None

    def _build(self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype) -> tuple[int, ...]:
        if len(input_shape) != 3:
            raise ValueError(f"MaxPool2D expects images (H, W, C), got input shape {input_shape}")
        h, w, c = input_shape
        p, s = self.pool_size, self.stride
        if p > h or p > w:
            raise ValueError(f"MaxPool2D pool size {p} is larger than its input {h}x{w}")
        self._out_hw = ((h - p) // s + 1, (w - p) // s + 1)
        return (*self._out_hw, c)

    def _offsets(self):
        p, s, (out_h, out_w) = self.pool_size, self.stride, self._out_hw
        for a in range(p):
            for b in range(p):
                yield (slice(None), _window_slice(a, s, out_h), _window_slice(b, s, out_w))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = None
        for window in self._offsets():  # p*p strided views, one elementwise max each
            out = x[window].copy() if out is None else np.maximum(out, x[window], out=out)
        self._x, self._out = x, out
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        if not self.needs_input_grad:
            return None
        x, out = self._x, self._out
        dx = np.zeros_like(x, dtype=dout.dtype)
        unclaimed = np.ones(out.shape, dtype=bool)
        for window in self._offsets():
            winner = (x[window] == out) & unclaimed
            unclaimed &= ~winner
            dx[window] += np.where(winner, dout, 0)
        return dx

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "pool_size": self.pool_size, "stride": self.stride}

    def describe(self) -> str:
        stride = f" stride {self.stride}" if self.stride != self.pool_size else ""
        return f"max pool {self.pool_size}x{self.pool_size}{stride}"


@LAYERS.register("flatten")
class Flatten(Layer):
    """(n, d1, d2, ...) -> (n, d1 * d2 * ...), row-major (C order)."""

    kind = "flatten"

    def _build(self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype) -> tuple[int, ...]:
        return (int(np.prod(input_shape)),)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x.reshape(len(x), -1)

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        if not self.needs_input_grad:
            return None
        return dout.reshape(len(dout), *self.input_shape)

    def describe(self) -> str:
        return f"flatten {'x'.join(map(str, self.input_shape))}→{self.output_shape[0] if self.output_shape else '?'}"


@LAYERS.register("rnn")
class SimpleRNN(Layer):
    """The simple recurrent layer of note 002: h_t = σ(W_h h_{t−1} + W_x x_t + b), h_0 = 0.

    Input (n, T, d); output every hidden state (n, T, H), or only the last (n, H) with
    ``return_sequences=False``. W_x (d, H), W_h (H, H), b (H,). ``backward`` is backpropagation
    through time; ``truncate = k > 0`` cuts it every k steps (truncated BPTT: the gradient from a
    step stops at the first step of its block t = 0, k, 2k, ...). ``spectral_radius`` rescales the
    initial W_h to that largest |eigenvalue|. After ``backward``, ``dh_steps`` (n, T, H) holds
    ∂L/∂h_t, the gradient that reached each step, and ``dh_norms`` (T,) its norm over the batch.
    """

    kind = "rnn"
    regularized = frozenset({"W_x", "W_h"})

    def __init__(self, units: int, activation: str = "tanh", return_sequences: bool = True, truncate: int = 0,
                 init: str = "xavier_uniform", spectral_radius: float | None = None) -> None:
        super().__init__()
        self.units = check_integer(units, "hidden units", 1)
        self.fn = activations.get(activation)
        self.activation = self.fn.name
        self.return_sequences = bool(return_sequences)
        self.truncate = check_integer(truncate, "truncation (steps)", 0)
        initializers.get(init)
        self.init = init
        if spectral_radius is not None and not (0.0 < float(spectral_radius) <= 100.0):
            raise ValueError(f"spectral radius must be in (0, 100], got {spectral_radius}")
        self.spectral_radius = None if spectral_radius is None else float(spectral_radius)
        self._cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.dh_steps = np.zeros((0, 0, self.units))

    @property
    def dh_norms(self) -> np.ndarray:
        """(T,) ‖∂L/∂h_t‖ over the batch and the units, from the last ``backward``."""
        return np.sqrt(np.square(self.dh_steps, dtype=np.float64).sum(axis=(0, 2)))

    def shapes(self, input_shape: tuple[int, ...]) -> Shapes:
        if len(input_shape) != 2:
            raise ValueError(f"SimpleRNN expects sequences (steps, features), got {input_shape}")
        d, h = int(input_shape[1]), self.units
        out = (int(input_shape[0]), h) if self.return_sequences else (h,)
        return {"W_x": (d, h), "W_h": (h, h), "b": (h,)}, {}, out

    def _build(self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype) -> tuple[int, ...]:
        arrays, _, out = self.shapes(input_shape)
        make = initializers.get(self.init)
        self.params["W_x"] = make(arrays["W_x"], rng, dtype)
        self.params["W_h"] = make(arrays["W_h"], rng, dtype)
        self.params["b"] = np.zeros(arrays["b"], dtype=dtype)
        if self.spectral_radius is not None:
            rho = spectral_radius(self.params["W_h"])
            if rho > 0:
                self.params["W_h"] *= dtype.type(self.spectral_radius / rho)
        return out

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        n, steps, _ = x.shape
        w_h = self.params["W_h"]
        hs = np.zeros((n, steps + 1, self.units), dtype=x.dtype)  # hs[:, t + 1] = h_t, hs[:, 0] = h_0
        zs = x @ self.params["W_x"] + self.params["b"]  # the input part of every step's sum
        for t in range(steps):
            zs[:, t] += hs[:, t] @ w_h
            hs[:, t + 1] = self.fn.forward(zs[:, t])
        self._cache = (x, zs, hs)
        return hs[:, 1:] if self.return_sequences else hs[:, -1].copy()

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        x, zs, hs = self._cache
        n, steps, _ = x.shape
        if self.return_sequences:
            dh_seq = dout
        else:
            dh_seq = np.zeros((n, steps, self.units), dtype=dout.dtype)
            dh_seq[:, -1] = dout
        w_x, w_h = self.params["W_x"], self.params["W_h"]
        for g in self.grads.values():
            g[...] = 0
        dx = np.zeros_like(x)
        carry = np.zeros((n, self.units), dtype=dout.dtype)  # dL/dh_t from the steps after t
        dh_steps = np.zeros((n, steps, self.units), dtype=dout.dtype)
        for t in range(steps - 1, -1, -1):
            dh = dh_seq[:, t] + carry
            dh_steps[:, t] = dh
            dz = self.fn.backward(zs[:, t], hs[:, t + 1], dh)
            self.grads["W_h"] += hs[:, t].T @ dz
            self.grads["W_x"] += x[:, t].T @ dz
            self.grads["b"] += dz.sum(axis=0)
            dx[:, t] = dz @ w_x.T
            carry = dz @ w_h.T
            if self.truncate and t % self.truncate == 0:
                carry = np.zeros_like(carry)  # the start of a block: nothing flows further back
        self.dh_steps = dh_steps
        return dx if self.needs_input_grad else None

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "units": self.units, "activation": self.activation,
                "return_sequences": self.return_sequences, "truncate": self.truncate, "init": self.init,
                "spectral_radius": self.spectral_radius}

    def describe(self) -> str:
        d = self.input_shape[1] if self.input_shape else "?"
        return f"rnn {d}→{self.units} ({self.activation})"


def spectral_radius(w: np.ndarray) -> float:
    """The largest |eigenvalue| of a square matrix: above 1, W_h can grow a signal step after step."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(w, dtype=np.float64))))) if w.size else 0.0

