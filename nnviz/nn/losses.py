"""Loss functions: ``value(out, y)`` is the batch mean, ``grad(out, y)`` its gradient dL/d(out).

``out`` is the network output (n, k). ``y`` is (n, k) targets, or (n,) integer class labels,
turned into one-hot rows when ``k > 1`` (and into a column when ``k == 1``).
Cross-entropy after softmax and binary cross-entropy after sigmoid also offer
``fused_grad(out, y)`` = dL/dz = (prediction - target) / n, the numerically stable gradient with
respect to the output layer's pre-activations; ``Network.loss_backward`` uses it.
Probabilities are clipped to [eps, 1 - eps] so no log(0) ever appears.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from nnviz.nn.hyperparams import HyperSpec, resolve_hyperparams
from nnviz.nn.registry import Registry


def as_targets(out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Targets shaped like ``out`` (n, k): integer labels (n,) become one-hot (k > 1) or a column."""
    out = np.asarray(out)
    y = np.asarray(y)
    if out.ndim != 2:
        raise ValueError(f"network output must be 2-D (n, k), got shape {out.shape}")
    n, k = out.shape
    if y.shape == out.shape:
        return y.astype(out.dtype, copy=False)
    if y.ndim == 1 and y.shape[0] == n:
        if k == 1:
            return y.reshape(n, 1).astype(out.dtype, copy=False)
        if not np.issubdtype(y.dtype, np.integer):
            if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
                raise ValueError(f"class labels must be integers for {k} outputs, got {y[:5]}")
            y = y.astype(np.int64)
        if y.size and (y.min() < 0 or y.max() >= k):
            raise ValueError(f"class labels must be in [0, {k - 1}], got range [{y.min()}, {y.max()}]")
        onehot = np.zeros((n, k), dtype=out.dtype)
        onehot[np.arange(n), y] = 1
        return onehot
    raise ValueError(f"targets of shape {y.shape} do not match network output of shape {out.shape}")


def _eps(dtype: np.dtype) -> float:
    return 1e-7 if np.dtype(dtype) == np.float32 else 1e-12


class Loss:
    """Base class. Subclasses implement ``_value`` and ``_grad`` on targets shaped like ``out``."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    formula: ClassVar[str] = ""
    task: ClassVar[str] = "regression"  # or "classification"
    description: ClassVar[str] = ""
    #: The output activation whose pairing gives the fused gradient (prediction - target).
    fused_activation: ClassVar[str | None] = None
    #: True where the output must be a probability in (0, 1).
    needs_probabilities: ClassVar[bool] = False
    hyperparams: ClassVar[HyperSpec] = {}
    #: Why it fits its task, and why it is not offered for the other one ("" : generic words).
    why: ClassVar[str] = ""
    why_not: ClassVar[str] = ""
    #: The task it is the first choice for ("" : none).
    default_for: ClassVar[str] = ""
    #: LaTeX of dL/da for one output a and target y.
    grad_formula: ClassVar[str] = ""
    #: LaTeX templates of one sample's loss and of dL/da with ``@a`` (the output) and ``@y`` (the
    #: target) to fill in with numbers; "" where the formula has cases (Huber).
    sample_template: ClassVar[str] = ""
    grad_template: ClassVar[str] = ""
    #: The targets one output accepts, (low, high); None: any real number.
    target_range: ClassVar[tuple[float, float] | None] = None
    #: True where the value sums over a sample's k outputs and averages over samples only, so
    #: ``grad_formula`` and ``grad_template`` hold for each output of a vector; False: the mean
    #: over all n * k elements (dL/da_i then carries a factor 1/k).
    sums_outputs: ClassVar[bool] = False
    #: LaTeX of one sample's loss against a class label (one-hot y) with ``@a`` the true class's
    #: output a_k ("" : no shorter form than the sum over outputs).
    label_template: ClassVar[str] = ""

    def __init__(self, **params: float) -> None:
        for key, value in resolve_hyperparams("loss", self.name, self.hyperparams, params).items():
            setattr(self, key, value)

    def targets(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``as_targets``, checked against ``target_range`` (a target of -1 gives binary
        cross-entropy a negative loss): ``ValueError`` naming the values otherwise."""
        t = as_targets(out, y)
        if self.target_range is not None and t.size:
            low, high = self.target_range
            lo, hi = float(t.min()), float(t.max())
            if lo < low or hi > high:
                raise ValueError(f"{self.label.lower()} needs targets in [{low:g}, {high:g}], "
                                 f"got values from {lo:g} to {hi:g}")
        return t

    def value(self, out: np.ndarray, y: np.ndarray) -> float:
        """Mean loss over the batch."""
        return float(self._value(out, self.targets(out, y)))

    def targets_for(self, y: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``targets`` for all of ``y`` at once, for outputs like ``out`` (its columns and dtype; any
        number of rows): what the ``*_of_targets`` methods take."""
        return self.targets(np.broadcast_to(np.zeros((), out.dtype), (len(y), *out.shape[1:])), y)

    def value_of_targets(self, out: np.ndarray, t: np.ndarray) -> float:
        """``value`` for targets ``t`` (shaped like ``out``) already made by ``targets``: neither
        converted nor checked again (a trainer's prepared rows, every step)."""
        return float(self._value(out, t))

    def grad(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL/d(out), shape of ``out``."""
        return self._grad(out, self.targets(out, y))

    def grad_of_targets(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        """``grad`` for targets already made by ``targets`` (see ``value_of_targets``)."""
        return self._grad(out, t)

    def fused_grad(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL/dz for the fused output activation: (prediction - target) / batch normalizer."""
        self._check_fused()
        return self.fused_grad_of_targets(out, self.targets(out, y))

    def fused_grad_of_targets(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        """``fused_grad`` for targets already made by ``targets`` (see ``value_of_targets``)."""
        self._check_fused()
        return (out - t) / self._normalizer(out)

    def _check_fused(self) -> None:
        if self.fused_activation is None:
            raise ValueError(f"loss {self.name!r} has no fused gradient")

    def _normalizer(self, out: np.ndarray) -> int:
        return out.size

    def _value(self, out: np.ndarray, t: np.ndarray) -> float:
        raise NotImplementedError

    def _grad(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError


LOSSES: Registry[type[Loss]] = Registry("loss")


def get(name: str, **params: float) -> Loss:
    """A loss instance by name, e.g. ``get("huber", delta=0.5)``."""
    return LOSSES.get(name)(**params)


def names() -> list[str]:
    return LOSSES.names()


@LOSSES.register("mse")
class MSE(Loss):
    default_for = "regression"
    why = 'Treats the label (0 or 1, or the target value) as a number to fit; large errors dominate.'
    grad_formula = '2(a - y)'
    sample_template = '(@a - @y)^2'
    grad_template = '2(@a - @y)'
    label = "Mean squared error"
    formula = r"L = \frac{1}{n}\sum_i (y_i - \hat y_i)^2"
    description = "Regression; punishes large errors quadratically, so outliers dominate"

    def _value(self, out: np.ndarray, t: np.ndarray) -> float:
        return np.mean(np.square(out - t))

    def _grad(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        return (out - t) * out.dtype.type(2.0 / out.size)


@LOSSES.register("mae")
class MAE(Loss):
    why = 'Fits the label or target as a number with constant-size gradients: robust, slower to settle.'
    grad_formula = '\\operatorname{sign}(a - y)'
    sample_template = '\\left|@a - @y\\right|'
    grad_template = '\\operatorname{sign}(@a - @y)'
    label = "Mean absolute error"
    formula = r"L = \frac{1}{n}\sum_i |y_i - \hat y_i|"
    description = "Regression; robust to outliers, but its gradient has constant size"

    def _value(self, out: np.ndarray, t: np.ndarray) -> float:
        return np.mean(np.abs(out - t))

    def _grad(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.sign(out - t) * out.dtype.type(1.0 / out.size)


@LOSSES.register("huber")
class Huber(Loss):
    why = 'Quadratic near the target, linear far away: MSE that is not thrown by outliers.'
    grad_formula = '\\operatorname{clip}(a - y,\\, -\\delta,\\, \\delta)'
    label = "Huber"
    formula = (
        r"L = \frac{1}{n}\sum_i \begin{cases} \tfrac12 r_i^2 & |r_i| \le \delta \\ "
        r"\delta(|r_i| - \tfrac12\delta) & \text{otherwise} \end{cases}"
    )
    description = "Regression; quadratic near the target, linear far away (MSE meets MAE)"
    hyperparams = {"delta": (1.0, 1e-6, 1e6, "where quadratic turns linear")}
    delta: float

    def _value(self, out: np.ndarray, t: np.ndarray) -> float:
        r = np.abs(out - t)
        d = self.delta
        return np.mean(np.where(r <= d, 0.5 * r * r, d * (r - 0.5 * d)))

    def _grad(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        r = out - t
        return np.clip(r, -self.delta, self.delta) * out.dtype.type(1.0 / out.size)


@LOSSES.register("binary_cross_entropy", aliases=("bce",))
class BinaryCrossEntropy(Loss):
    why = 'One sigmoid output p = P(blue); for two classes the same as cross-entropy.'
    why_not = 'needs labels 0/1 and a probability output, but regression targets are real numbers'
    grad_formula = '\\frac{a - y}{a(1 - a)}'
    sample_template = '-\\left(@y \\log @a + (1 - @y) \\log(1 - @a)\\right)'
    grad_template = '\\frac{@a - @y}{@a(1 - @a)}'
    label = "Binary cross-entropy"
    formula = r"L = -\frac{1}{n}\sum_i \left(y_i \log p_i + (1 - y_i)\log(1 - p_i)\right)"
    task = "classification"
    description = "Two classes with one sigmoid output p = P(class 1)"
    fused_activation = "sigmoid"
    needs_probabilities = True
    target_range = (0.0, 1.0)

    def _value(self, out: np.ndarray, t: np.ndarray) -> float:
        eps = _eps(out.dtype)
        p = np.clip(out, eps, 1 - eps)
        return -np.mean(t * np.log(p) + (1 - t) * np.log1p(-p))

    def _grad(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        eps = _eps(out.dtype)
        p = np.clip(out, eps, 1 - eps)
        return (p - t) / (p * (1 - p)) / out.size


@LOSSES.register("cross_entropy", aliases=("categorical_cross_entropy", "ce"))
class CrossEntropy(Loss):
    default_for = "classification"
    why = 'Two outputs through softmax give class probabilities; cross-entropy punishes confident mistakes hard. The standard choice for classification.'
    why_not = 'needs class labels and probabilities, but regression targets are real numbers'
    grad_formula = '-\\frac{y}{a}'
    sample_template = '-@y \\log @a'
    grad_template = '-\\frac{@y}{@a}'
    label = "Cross-entropy"
    formula = r"L = -\frac{1}{n}\sum_i \sum_k y_{ik} \log p_{ik}"
    task = "classification"
    description = "Several classes with softmax outputs; punishes confident mistakes hard"
    fused_activation = "softmax"
    needs_probabilities = True
    sums_outputs = True
    label_template = r"-\log @a"
    target_range = (0.0, 1.0)  # one-hot (or soft) rows

    def _normalizer(self, out: np.ndarray) -> int:
        return out.shape[0]

    def _value(self, out: np.ndarray, t: np.ndarray) -> float:
        # np.clip(out, eps, None) and np.sum, without their Python wrappers (same values, a third
        # of the time on a mini-batch: the trainer's every step).
        p = np.maximum(out, _eps(out.dtype))
        return -np.add.reduce(t * np.log(p), axis=None) / out.shape[0]

    def _grad(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        p = np.maximum(out, _eps(out.dtype))
        return -t / p / out.shape[0]
