"""Layers: Dense, Activation, Dropout, BatchNorm (and, for images, Conv2D, MaxPool2D, Flatten).

A layer is built once for an input shape (without the batch axis), then
``forward(x, training)`` maps (n, *in_shape) -> (n, *out_shape) and ``backward(dout)`` returns
dL/dx and writes dL/dparam into ``grads`` (preallocated arrays, overwritten in place).
``params`` and ``grads`` share keys ("W", "b", ...); ``buffers`` hold non-trained state
(BatchNorm's running statistics) that is saved with the model.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nnviz import activations, initializers
from nnviz.registry import Registry

LAYERS: Registry[type[Layer]] = Registry("layer")


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
        if not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        initializers.get(init)  # unknown names fail here, at construction
        self.units = int(units)
        self.init = init
        self.use_bias = bool(use_bias)
        self._x: np.ndarray | None = None

    def _build(self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype) -> tuple[int, ...]:
        if len(input_shape) != 1:
            raise ValueError(f"Dense expects flat inputs (n_in,), got {input_shape}; add a Flatten layer")
        self.params["W"] = initializers.get(self.init)((input_shape[0], self.units), rng, dtype)
        if self.use_bias:
            self.params["b"] = np.zeros(self.units, dtype=dtype)
        return (self.units,)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x
        z = x @ self.params["W"]
        if self.use_bias:
            z += self.params["b"]
        return z

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        np.matmul(self._x.T, dout, out=self.grads["W"])
        if self.use_bias:
            np.sum(dout, axis=0, out=self.grads["b"])
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
            self.buffers["running_mean"] *= m
            self.buffers["running_mean"] += (1 - m) * mean
            self.buffers["running_var"] *= m
            self.buffers["running_var"] += (1 - m) * var
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
