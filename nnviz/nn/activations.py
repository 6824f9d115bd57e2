"""Activation functions, each with its derivative beside it and the facts the UI shows.

An activation maps pre-activations ``z`` (n, k) to ``a = f(z)`` (n, k). ``backward(z, a, grad_a)``
returns dL/dz; for elementwise functions that is ``grad_a * f'(z)``, for softmax the
Jacobian-vector product. ``get(name, **params)`` returns an instance (``leaky_relu`` takes
``alpha``, ``softmax`` takes ``temperature``, ``elu`` takes ``alpha``).
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from nnviz.nn.hyperparams import HyperSpec, resolve_hyperparams
from nnviz.nn.registry import Registry
from nnviz.nn.rowwise import row_max, row_sum


class Activation:
    """Base class: subclasses define ``forward`` and ``derivative`` (or ``backward``)."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    formula: ClassVar[str] = ""  # LaTeX of f(z)
    derivative_formula: ClassVar[str] = ""  # LaTeX of f'(z)
    output_range: ClassVar[str] = ""
    common_use: ClassVar[str] = ""
    issue: ClassVar[str] = ""
    elementwise: ClassVar[bool] = True
    #: The weight initializer that keeps this activation's signal variance steady layer to layer:
    #: Xavier/Glorot (Var w = 2/(fan_in+fan_out)) for symmetric, saturating functions; He
    #: (Var w = 2/fan_in) for the ReLU family, which zeroes about half of its inputs.
    initializer: ClassVar[str] = "xavier_uniform"
    #: What to expect from it in the hidden layers of a small network ("" : ``issue`` says it).
    hidden_note: ClassVar[str] = ""
    #: What it means as a network's output ("" : not offered as an output).
    output_meaning: ClassVar[str] = ""
    #: Its outputs are probabilities, each in (0, 1) (with ``per_class``: one per class, summing to 1).
    gives_probabilities: ClassVar[bool] = False
    #: As an output it has one unit per class (its units compete), not a single unit.
    per_class: ClassVar[bool] = False
    #: The tasks ("classification", "regression") whose first-choice output it is.
    default_output_for: ClassVar[tuple[str, ...]] = ()
    #: Hyperparameters a page may expose: name -> (default, low, high, help).
    hyperparams: ClassVar[HyperSpec] = {}
    #: Hyperparameter values a plot of f starts from where the default hides the effect.
    plot_params: ClassVar[dict[str, float]] = {}
    #: What a curve of f against one z shows ("" : elementwise, the curve is f itself).
    curve_note: ClassVar[str] = ""
    #: What the initializers do to it in a deep network at initialization ("" : nothing to add).
    init_note: ClassVar[str] = ""
    #: Its units can die: a unit whose z stays negative outputs 0, gets zero gradient and never
    #: learns again (the trainer's dead-unit count covers the hidden layers of such functions).
    can_die: ClassVar[bool] = False

    def __init__(self, **params: float) -> None:
        for key, value in resolve_hyperparams("activation", self.name, self.hyperparams, params).items():
            setattr(self, key, value)

    @property
    def params(self) -> dict[str, float]:
        return {key: getattr(self, key) for key in self.hyperparams}

    def forward(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        """f'(z) elementwise (for softmax: the diagonal of the Jacobian, a_i (1 - a_i) / T)."""
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        """dL/dz from dL/da (n, k)."""
        return grad_a * self.derivative(z, a)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.forward(z)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"


ACTIVATIONS: Registry[type[Activation]] = Registry("activation")


def get(name: str, **params: float) -> Activation:
    """An activation instance by name, e.g. ``get("leaky_relu", alpha=0.1)``."""
    return ACTIVATIONS.get(name)(**params)


def names() -> list[str]:
    return ACTIVATIONS.names()


def initializer_for(name: str) -> str:
    """The initializer that suits the activation ``name`` (its class's ``initializer``)."""
    return ACTIVATIONS.get(name).initializer


@ACTIVATIONS.register("step")
class Step(Activation):
    hidden_note = 'Zero gradient everywhere: the hidden neurons never move, only the output layer learns.'
    label = "Step"
    formula = r"f(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}"
    derivative_formula = r"f'(z) = 0 \quad (z \ne 0)"
    output_range = "{0, 1}"
    common_use = "Classical perceptron"
    issue = "Zero gradient everywhere: gradient descent cannot learn through it"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return (z >= 0).astype(z.dtype)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.zeros_like(z)


@ACTIVATIONS.register("sigmoid", aliases=("logistic",))
class Sigmoid(Activation):
    gives_probabilities = True
    default_output_for = ("classification",)
    hidden_note = 'Smooth but not zero-centred and saturating: learns, more slowly than tanh.'
    output_meaning = 'one output in (0, 1), read as P(blue); blue where it is above 0.5'
    label = "Sigmoid"
    formula = r"f(z) = \frac{1}{1 + e^{-z}}"
    derivative_formula = r"f'(z) = f(z)\,(1 - f(z))"
    output_range = "(0, 1)"
    common_use = "Binary classification output"
    issue = "Saturates near 0 and 1: gradients fade (at most 0.25)"

    def forward(self, z: np.ndarray) -> np.ndarray:
        # exp of a non-positive number only, so no overflow for |z| = 1000.
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        a = self.forward(z) if a is None else a
        return a * (1.0 - a)


@ACTIVATIONS.register("tanh")
class Tanh(Activation):
    hidden_note = 'Smooth and zero-centred: the classic playground choice, curved boundaries in seconds.'
    output_meaning = 'one output in (-1, 1) fitted to the labels 0/1; blue where it is above 0.5'
    label = "Tanh"
    formula = r"f(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}"
    derivative_formula = r"f'(z) = 1 - f(z)^2"
    output_range = "(-1, 1)"
    common_use = "Hidden layers (zero-centred)"
    issue = "Saturates for large |z|: gradients fade"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        a = np.tanh(z) if a is None else a
        return 1.0 - a * a


@ACTIVATIONS.register("relu")
class ReLU(Activation):
    hidden_note = 'Fast, boundaries made of straight pieces; some neurons may die (see Diagnostics).'
    initializer = "he_normal"
    can_die = True
    label = "ReLU"
    formula = r"f(z) = \max(0, z)"
    derivative_formula = r"f'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}"
    output_range = "[0, ∞)"
    common_use = "Hidden layers of deep networks"
    issue = "Dead neurons: a unit whose z stays negative never learns again"
    init_note = ("With ReLU, He keeps the activations and gradients roughly level across layers, Xavier lets "
                 "them fade towards one end, and a fixed small std makes them vanish.")

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return (z > 0).astype(z.dtype)

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        return grad_a * (z > 0)


@ACTIVATIONS.register("leaky_relu")
class LeakyReLU(Activation):
    hidden_note = 'ReLU with a small slope below zero, so neurons cannot die.'
    initializer = "he_normal"
    label = "Leaky ReLU"
    formula = r"f(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}"
    derivative_formula = r"f'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}"
    output_range = "(-∞, ∞)"
    common_use = "Hidden layers (ReLU without dead neurons)"
    issue = "The slope α is one more hyperparameter to tune"
    hyperparams = {"alpha": (0.01, 0.0, 1.0, "slope for z < 0")}
    plot_params = {"alpha": 0.1}  # the default 0.01 looks flat on a plot
    alpha: float

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, z * z.dtype.type(self.alpha))

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.where(z > 0, 1.0, self.alpha).astype(z.dtype)


@ACTIVATIONS.register("elu")
class ELU(Activation):
    hidden_note = 'A smooth ReLU whose negative side saturates: rounded, ReLU-like boundaries.'
    initializer = "he_normal"
    label = "ELU"
    formula = r"f(z) = \begin{cases} z & z > 0 \\ \alpha (e^z - 1) & z \le 0 \end{cases}"
    derivative_formula = r"f'(z) = \begin{cases} 1 & z > 0 \\ \alpha e^z & z \le 0 \end{cases}"
    output_range = "(-α, ∞)"
    common_use = "Hidden layers (smooth ReLU, mean closer to zero)"
    issue = "exp costs more than ReLU's max"
    hyperparams = {"alpha": (1.0, 0.0, 10.0, "saturation value for z → -∞")}
    alpha: float

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0))).astype(z.dtype, copy=False)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0))).astype(z.dtype, copy=False)


@ACTIVATIONS.register("gelu")
class GELU(Activation):
    """The tanh approximation of GELU (as in BERT/GPT-2)."""

    hidden_note = "The transformers' smooth ReLU: ReLU-like boundaries with rounded corners."
    initializer = "he_normal"
    label = "GELU"
    formula = r"f(z) = \tfrac{z}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(z + 0.044715 z^3)\right)\right)"
    derivative_formula = r"f'(z) = \tfrac12(1 + t) + \tfrac{z}{2}(1 - t^2)\sqrt{2/\pi}(1 + 0.134145 z^2)"
    output_range = "(≈ -0.17, ∞)"
    common_use = "Hidden layers of transformers"
    issue = "Costlier than ReLU"
    _c = math.sqrt(2.0 / math.pi)

    def forward(self, z: np.ndarray) -> np.ndarray:
        return 0.5 * z * (1.0 + np.tanh(self._c * (z + 0.044715 * z**3)))

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        t = np.tanh(self._c * (z + 0.044715 * z**3))
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * self._c * (1.0 + 3 * 0.044715 * z * z)


@ACTIVATIONS.register("softmax")
class Softmax(Activation):
    """Softmax over the last axis, with temperature T: softmax(z / T)."""

    hidden_note = 'Makes the neurons of a layer compete (each layer sums to 1): it learns, slowly and oddly.'
    output_meaning = 'two outputs that sum to 1: P(orange) and P(blue)'
    gives_probabilities = True
    per_class = True
    label = "Softmax"
    formula = r"f(z)_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}"
    derivative_formula = r"\frac{\partial f_i}{\partial z_j} = \frac{1}{T} f_i(\delta_{ij} - f_j)"
    output_range = "(0, 1), sums to 1"
    common_use = "Last layer of multiclass classification"
    issue = "Couples all outputs; costlier than elementwise functions"
    elementwise = False
    hyperparams = {"temperature": (1.0, 1e-3, 1e3, "T: high flattens, low sharpens")}
    curve_note = ("Softmax maps a whole vector; the chart shows its first output for the logits (z, 0), "
                  "which is sigmoid(z / T).")
    temperature: float

    def forward(self, z: np.ndarray) -> np.ndarray:
        s = z / z.dtype.type(self.temperature) if self.temperature != 1.0 else z
        e = np.exp(s - row_max(s))  # subtract the max: no overflow
        e /= row_sum(e)
        return e

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        a = self.forward(z) if a is None else a
        return a * (1.0 - a) / self.temperature

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        # Jacobian-vector product: a * (g - <g, a>) / T, row by row.
        dot = row_sum(grad_a * a)
        return a * (grad_a - dot) / a.dtype.type(self.temperature)


@ACTIVATIONS.register("linear", aliases=("identity",))
class Linear(Activation):
    default_output_for = ("regression",)
    hidden_note = 'No non-linearity: the whole network is linear, so the boundary is a straight line (unless you add features such as x1^2).'
    output_meaning = 'one unbounded output, fitted to the label or target directly'
    label = "Linear"
    formula = r"f(z) = z"
    derivative_formula = r"f'(z) = 1"
    output_range = "(-∞, ∞)"
    common_use = "Regression output"
    issue = "A stack of linear layers is still linear"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return z

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.ones_like(z)

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        return grad_a
