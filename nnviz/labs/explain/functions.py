"""The functions page's numbers: activations, vanishing gradients, initialization, losses, softmax.

``activation_curves``/``activation_table`` (f, f' and the notes' comparison table, from the
registry), ``derivative_chain`` (d a_n / d a_0 through n one-unit layers), ``init_gradient_norms``
(per-layer gradient norms of a deep MLP at initialization), ``regression_loss_curves`` /
``classification_loss_curves`` (loss and gradient against the prediction, probability or logit),
``softmax_breakdown`` / ``softmax_temperature_sweep`` (every intermediate number of softmax).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.labs.explain.numbers import F64, MAX_ABS
from nnviz.nn import activations, initializers, losses
from nnviz.nn.network import Network

#: The initializers compared by default: symmetric, too small, Xavier and He.
DEFAULT_INITS = ("zeros", "random_normal", "xavier_uniform", "he_normal")


# ---- activations -----------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ActivationCurve:
    """f and f' of one activation over a grid of z (points,); ``note`` says what a vector
    function's curve shows."""

    name: str
    label: str
    z: np.ndarray
    f: np.ndarray
    df: np.ndarray
    params: dict[str, float]
    note: str = ""


def activation_curves(names: list[str], z_max: float = 5.0, params: dict[str, dict[str, float]] | None = None,
                      points: int = 401) -> list[ActivationCurve]:
    """f and f' over z in [-z_max, z_max]. Softmax (not elementwise) is shown as its first output
    for the logits (z, 0), and the derivative is d/dz of that output."""
    if not (math.isfinite(z_max) and 0 < z_max <= MAX_ABS):
        raise ValueError(f"z range must be in (0, {MAX_ABS:g}], got {z_max}")
    params = params or {}
    z = np.linspace(-z_max, z_max, points)
    if points % 2:
        z[points // 2] = 0.0  # exactly zero, not 1e-17
    curves = []
    for name in names:
        fn = activations.get(name, **params.get(name, {}))
        if fn.elementwise:
            zz = z[:, None]
            a = fn.forward(zz)
            curves.append(ActivationCurve(fn.name, fn.label, z, a[:, 0], fn.derivative(zz, a)[:, 0], fn.params))
        else:
            zz = np.stack([z, np.zeros_like(z)], axis=1)
            a = fn.forward(zz)
            note = fn.curve_note or f"first output of {fn.name}(z, 0)"
            curves.append(ActivationCurve(fn.name, fn.label, z, a[:, 0], fn.derivative(zz, a)[:, 0], fn.params,
                                          note))
    return curves


def activation_table(names: list[str] | None = None) -> list[dict[str, str]]:
    """The notes' comparison table (function, output range, common use, issues), from the registry."""
    rows = []
    for name in names or activations.names():
        cls = activations.ACTIVATIONS.get(name)
        rows.append({"Function": cls.label, "Output range": cls.output_range, "Common use": cls.common_use,
                     "Issues": cls.issue})
    return rows


# ---- vanishing gradients ---------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class DerivativeChain:
    """d a_n / d a_0 = prod_l w f'(z_l) for a chain of one-unit layers a_l = f(w a_{l-1} + b)."""

    name: str
    label: str
    depth: np.ndarray  # 1..n
    product: np.ndarray  # (n,) |d a_l / d a_0| after each depth l
    log10_abs: np.ndarray  # (n,) log10 |product|, nan where it is exactly 0
    bound: float  # max |w f'(z)|: the best any single layer can do


def derivative_chain(names: list[str], depth: int = 30, weight: float = 1.0, x0: float = 0.5,
                     bias: float = 0.0) -> list[DerivativeChain]:
    """The chain rule's product of derivatives through ``depth`` layers, per activation."""
    if not 1 <= int(depth) <= 1000:
        raise ValueError(f"depth must be in [1, 1000], got {depth}")
    for what, v in (("weight", weight), ("input", x0), ("bias", bias)):
        if not (math.isfinite(v) and abs(v) <= 1e3):
            raise ValueError(f"{what} must be a finite number with |value| <= 1000, got {v}")
    depth = int(depth)
    zgrid = np.linspace(-10, 10, 2001)[:, None]
    result = []
    for name in names:
        fn = activations.get(name)
        if not fn.elementwise:
            raise ValueError(f"{fn.label} is not elementwise: a one-unit chain needs an elementwise activation")
        a = np.array([[float(x0)]])
        logs = np.empty(depth)
        total = 0.0
        for layer in range(depth):  # sequential by nature: each layer feeds the next
            z = weight * a + bias
            a = fn.forward(z)
            d = abs(weight * float(fn.derivative(z, a)[0, 0]))
            total = -math.inf if d == 0 or total == -math.inf else total + math.log10(d)
            logs[layer] = total
        with np.errstate(under="ignore"):  # far below 1e-308 is 0 for a plot
            product = np.where(np.isfinite(logs), np.power(10.0, np.where(np.isfinite(logs), logs, 0.0)), 0.0)
        bound = float(np.max(np.abs(weight * fn.derivative(zgrid))))
        result.append(DerivativeChain(fn.name, fn.label, np.arange(1, depth + 1), product,
                                      np.where(np.isfinite(logs), logs, np.nan), bound))
    return result


def passes_gradient(name: str) -> bool:
    """True where f'(z) is nonzero somewhere on [-10, 10]: a gradient flows back through it (the
    step function's derivative is 0 everywhere, so nothing does)."""
    fn = activations.get(name)
    z = np.linspace(-10, 10, 2001)[None, :]
    return bool(np.any(fn.derivative(z, fn.forward(z)) != 0))


@dataclass(frozen=True, eq=False)
class InitGradients:
    """A deep MLP at initialization: per-layer statistics for one initializer."""

    init: str
    activation: str
    grad_norms: np.ndarray  # (depth,) ||dL/dW_l||_F for Dense layers l = 1..depth
    activation_std: np.ndarray  # (depth - 1,) std of each hidden layer's output
    distinct_units: int  # distinct columns of the first layer's weight gradient (1 = all units identical)
    width: int
    batchnorm: bool = False  # batch normalization between each hidden Dense layer and its activation

    @property
    def label(self) -> str:
        return f"{self.init} + batch norm" if self.batchnorm else self.init


def init_gradient_norms(activation: str = "relu", inits: list[str] | None = None, depth: int = 10,
                        width: int = 64, batch: int = 128, seed: int = 0,
                        batchnorm: bool = False) -> list[InitGradients]:
    """Per-layer weight-gradient norms of ``Network.mlp([width] * depth + [1])`` (float64, linear
    output, MSE) in one training-mode forward and backward pass on a fixed random batch, under each
    initializer; with ``batchnorm``, each hidden layer's sums are batch-normalized (the batch's
    statistics, as in training) before its activation."""
    if not 2 <= int(depth) <= 100:
        raise ValueError(f"depth must be in [2, 100], got {depth}")
    if not 2 <= int(width) <= 512:
        raise ValueError(f"width must be in [2, 512], got {width}")
    inits = inits or list(DEFAULT_INITS)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, width))
    y = rng.standard_normal((batch, 1))
    loss = losses.get("mse")
    out_list = []
    for init in inits:
        net = Network.mlp([width] * depth + [1], activation=activation, output="linear", init=init,
                          seed=seed, dtype=F64, batchnorm=batchnorm)
        outs = net.layer_outputs(X, training=True)
        net.loss_backward(loss, outs[-1], y)
        norms = np.array([np.linalg.norm(net.grads[f"dense{i}.W"]) for i in range(depth)])
        hidden = [o for layer, o in zip(net.layers, outs, strict=True) if layer.kind == "activation"][:-1]
        stds = np.array([float(o.std()) for o in hidden])
        g0 = net.grads["dense0.W"]
        scale = float(np.abs(g0).max()) or 1.0
        distinct = int(np.unique(np.round(g0 / scale, 9), axis=1).shape[1])
        out_list.append(InitGradients(initializers.INITIALIZERS.canonical(init), activation, norms, stds,
                                      distinct, width, batchnorm))
    return out_list


# ---- losses ----------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class LossCurve:
    name: str
    label: str
    against: str  # "prediction", "probability" or "logit"
    x: np.ndarray
    value: np.ndarray
    grad: np.ndarray  # dL/dx, one sample


def _per_sample_values(loss: losses.Loss, out: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Loss.value is a batch mean, so each point is its own one-sample batch.
    return np.array([loss.value(out[i : i + 1], y[i : i + 1]) for i in range(len(out))])


def regression_loss_curves(names: list[str], target: float = 0.0, span: float = 3.0, points: int = 201,
                           params: dict[str, dict[str, float]] | None = None) -> list[LossCurve]:
    """Loss and dL/d(prediction) for predictions in [target - span, target + span]."""
    if not (math.isfinite(target) and math.isfinite(span) and span > 0):
        raise ValueError(f"target and span must be finite, span > 0; got {target}, {span}")
    params = params or {}
    pred = np.linspace(target - span, target + span, points)
    out = pred[:, None]
    y = np.full((points, 1), float(target))
    curves = []
    for name in names:
        loss = losses.get(name, **params.get(name, {}))
        values = _per_sample_values(loss, out, y)
        grad = loss.grad(out, y)[:, 0] * points  # grad of the mean = per-sample grad / batch size
        curves.append(LossCurve(loss.name, loss.label, "prediction", pred, values, grad))
    return curves


def classification_loss_curves(names: list[str], target: float = 1.0, classes: int = 3, points: int = 199,
                               logit_span: float = 8.0) -> tuple[list[LossCurve], list[LossCurve]]:
    """Each probability loss against the predicted probability p and against the logit s.

    Binary cross-entropy (fused with sigmoid): p = sigmoid(s), target ``target`` in [0, 1].
    Cross-entropy (fused with softmax): logits (s, 0, ..., 0) over ``classes`` classes, class 0 true;
    against p, the other classes share 1 - p. Returns (vs probability, vs logit).
    """
    if not 0 <= target <= 1:
        raise ValueError(f"target must be in [0, 1], got {target}")
    if not 2 <= int(classes) <= 20:
        raise ValueError(f"classes must be in [2, 20], got {classes}")
    p = np.linspace(0.005, 0.995, points)
    s = np.linspace(-logit_span, logit_span, points)
    vs_p, vs_s = [], []
    for name in names:
        loss = losses.get(name)
        if loss.fused_activation is None:
            continue
        act = activations.get(loss.fused_activation)
        if act.elementwise:  # one output, the probability of class 1
            y = np.full((points, 1), float(target))
            out_p = p[:, None]
            out_s = act.forward(s[:, None])
            col = 0
        else:
            k = int(classes)
            y = np.zeros(points, dtype=np.int64)
            out_p = np.concatenate([p[:, None], np.repeat(((1 - p) / (k - 1))[:, None], k - 1, axis=1)], axis=1)
            logits = np.zeros((points, k))
            logits[:, 0] = s
            out_s = act.forward(logits)
            col = 0
        n = points  # each grad is of the batch mean: times the batch size gives one sample's
        vs_p.append(LossCurve(loss.name, loss.label, "probability", p, _per_sample_values(loss, out_p, y),
                              loss.grad(out_p, y)[:, col] * n))
        vs_s.append(LossCurve(loss.name, loss.label, "logit", s, _per_sample_values(loss, out_s, y),
                              loss.fused_grad(out_s, y)[:, col] * n))
    return vs_p, vs_s


# ---- softmax ---------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class SoftmaxBreakdown:
    logits: np.ndarray
    temperature: float
    scaled: np.ndarray  # z / T
    raw_exp: np.ndarray  # e^(z/T) without the shift: may overflow to inf
    shifted: np.ndarray  # z/T - max(z/T)
    exp: np.ndarray  # e^(z/T - max): what the engine computes
    total: float  # sum of ``exp``
    probs: np.ndarray  # the engine's softmax(z / T)

    @property
    def overflow(self) -> bool:
        return not bool(np.all(np.isfinite(self.raw_exp)))


def softmax_breakdown(logits, temperature: float = 1.0) -> SoftmaxBreakdown:
    """The engine's softmax of ``logits`` at ``temperature``, with each intermediate number."""
    z = np.asarray(logits, dtype=F64).ravel()
    if z.size < 1 or not np.all(np.isfinite(z)):
        raise ValueError("logits must be one or more finite numbers")
    fn = activations.get("softmax", temperature=temperature)
    probs = fn.forward(z[None, :])[0]
    scaled = z / fn.temperature
    with np.errstate(over="ignore"):
        raw = np.exp(scaled)
    shifted = scaled - scaled.max()
    e = np.exp(shifted)
    return SoftmaxBreakdown(z, fn.temperature, scaled, raw, shifted, e, float(e.sum()), probs)


def softmax_temperature_sweep(logits, temperatures: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """softmax(z / T) for many T at once: (temperatures (m,), probabilities (m, k))."""
    z = np.asarray(logits, dtype=F64).ravel()
    if z.size < 1 or not np.all(np.isfinite(z)):
        raise ValueError("logits must be one or more finite numbers")
    temps = np.logspace(-2, 2, 81) if temperatures is None else np.asarray(temperatures, dtype=F64)
    if np.any(temps <= 0) or not np.all(np.isfinite(temps)):
        raise ValueError("temperatures must be finite and > 0")
    # softmax with temperature T is softmax(z / T) at T = 1: one engine call for every T.
    return temps, activations.get("softmax").forward(z[None, :] / temps[:, None])
