"""Step-by-step numbers for the functions and backpropagation pages, computed by the engine.

Everything here runs the engine's own activations, losses, initializers, network, optimizer and
gradient check; the pages only show what these functions return.

Backpropagation page
  ``neuron(NeuronConfig(...))``: one neuron as in the worked examples of the notes. Elementwise
  activations: z = sum_i w_i x_i + b, a = f(z). Softmax (not elementwise): one logit per input as
  in the notes' example, z_i = w_i x_i + b, a = softmax(z). Returns one ``Step`` per quantity
  (z, a, L, dL/da, da/dz, dL/dz, dz/dw, dL/dw, dL/db, the updated w and b, the loss after).
  ``common_slip(result)``: what goes wrong with the two classic mistakes of the notes.
  ``tiny_network(TinyConfig(...), params)``: a 2-2-1 or 2-2-2 MLP with every forward value and
  gradient as table rows, and the backward pass as ordered ``BackwardStep``s (graph nodes/edges).
  ``gradient_check(config, params)``: backprop against central finite differences per parameter.

Functions page
  ``activation_curves``, ``activation_table``, ``derivative_chain`` (vanishing gradients through a
  chain of n layers), ``init_gradient_norms`` (per-layer gradient norms of a deep MLP at
  initialization), ``regression_loss_curves``/``classification_loss_curves``,
  ``softmax_breakdown``/``softmax_temperature_sweep`` and ``parse_numbers``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from nnviz.nn import activations, gradcheck, initializers, losses, optimizers
from nnviz.nn.network import Network

F64 = np.float64
#: Inputs, weights and biases the calculators accept (|v| <= this): keeps z, exp and squares finite.
MAX_ABS = 1e6


# ---- parsing and number formatting ----------------------------------------------------------

def parse_numbers(text: str, what: str = "values", min_count: int = 1, max_count: int = 20) -> tuple[float, ...]:
    """'1, 2.5 -3' -> (1.0, 2.5, -3.0); ``ValueError`` naming the offending entry otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"{what} must be text like '1, 2, 3', got {text!r}")
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    values: list[float] = []
    for part in parts:
        try:
            v = float(part)
        except ValueError:
            raise ValueError(f"{what}: {part!r} is not a number (type numbers separated by commas)") from None
        if not math.isfinite(v):
            raise ValueError(f"{what}: {part!r} is not a finite number")
        if abs(v) > MAX_ABS:
            raise ValueError(f"{what}: {part} is too large (|value| must be at most {MAX_ABS:g})")
        values.append(v)
    if not (min_count <= len(values) <= max_count):
        need = f"exactly {min_count}" if min_count == max_count else f"between {min_count} and {max_count}"
        raise ValueError(f"{what}: {need} numbers needed, got {len(values)}")
    return tuple(values)


def fmt(v: float, digits: int = 4) -> str:
    """A number for LaTeX: fixed 4 decimals in [1e-3, 1e6), scientific otherwise."""
    v = float(v)
    if math.isnan(v):
        return r"\text{NaN}"
    if math.isinf(v):
        return r"\infty" if v > 0 else r"-\infty"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e6:
        return f"{v:.{digits}f}"
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def fmt_plain(v: float, digits: int = 4) -> str:
    """A number for plain text (tables, metrics): 4 decimals, or scientific when tiny or huge."""
    v = float(v)
    if not math.isfinite(v) or v == 0:
        return f"{v:g}"
    if 1e-3 <= abs(v) < 1e6:
        return f"{v:.{digits}f}"
    return f"{v:.{digits - 1}e}"


def _p(v: float) -> str:
    """fmt, parenthesized when negative (for products and differences)."""
    s = fmt(v)
    return f"({s})" if s.startswith("-") else s


def fmt_in(v: float) -> str:
    """A given number (input, weight, target) for LaTeX, as typed: 0.5, not 0.5000."""
    v = float(v)
    if v == 0 or not (1e-4 <= abs(v) < 1e6):
        return fmt(v)
    return f"{v:.6g}"


def _pin(v: float) -> str:
    s = fmt_in(v)
    return f"({s})" if s.startswith("-") else s


def latex_vector(values) -> str:
    """(v1, v2, ...) in LaTeX."""
    return r"\left(" + r",\ ".join(fmt(v) for v in np.ravel(values)) + r"\right)"


_vec = latex_vector


def _matrix(m: np.ndarray) -> str:
    rows = r" \\ ".join(" & ".join(fmt(v) for v in row) for row in np.atleast_2d(m))
    return r"\begin{pmatrix} " + rows + r" \end{pmatrix}"


def _rhs(formula: str) -> str:
    """The right-hand side of a registry formula 'f(z) = ...'."""
    return formula.split("=", 1)[1].strip() if "=" in formula else formula


# ---- the single neuron ----------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One quantity of the calculation: ``symbol = general = substituted = value``."""

    key: str
    label: str
    phase: str  # "forward", "backward" or "update"
    symbol: str  # LaTeX
    general: str  # LaTeX of the formula
    substituted: str  # LaTeX with the numbers in ("" when it would only repeat the value)
    value: tuple[float, ...]
    note: str = ""  # plain text/markdown shown beside it
    alternative: str = ""  # LaTeX of an equivalent form, e.g. the fused a - y

    @property
    def scalar(self) -> float:
        return self.value[0]

    @property
    def value_latex(self) -> str:
        if len(self.value) == 1:
            return fmt(self.value[0])
        k = math.isqrt(len(self.value))
        if self.key == "da_dz" and k * k == len(self.value) and k > 1:
            return _matrix(np.reshape(self.value, (k, k)))
        return _vec(self.value)

    @property
    def latex(self) -> str:
        """One line: symbol = general = substituted = alternative = value."""
        parts = [self.symbol, self.general, self.substituted, self.alternative, self.value_latex]
        return " = ".join(p for p in parts if p)

    @property
    def latex_aligned(self) -> str:
        """One line per form (formula, numbers, alternative, value): fits narrow columns."""
        first = f"{self.symbol} &= {self.general}" if self.general else f"{self.symbol} &"
        rest = [p for p in (self.substituted, self.alternative) if p]
        lines = [first] + [f"&= {p}" for p in rest] + [f"&= {self.value_latex}"]
        return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


@dataclass(frozen=True)
class NeuronConfig:
    """One neuron: inputs x, weights w, bias b, activation, loss, target, learning rate.

    ``target``: the wanted output (elementwise activations), or for softmax the index (0-based)
    of the true class. Validated on construction; names are stored canonical.
    """

    x: tuple[float, ...] = (0.5,)
    w: tuple[float, ...] = (0.2,)
    b: float = 0.0
    activation: str = "sigmoid"
    loss: str = "binary_cross_entropy"
    target: float = 1.0
    learning_rate: float = 0.1
    activation_params: tuple[tuple[str, float], ...] = ()
    loss_params: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        x = tuple(float(v) for v in self.x)
        w = tuple(float(v) for v in self.w)
        if not 1 <= len(x) <= 8:
            raise ValueError(f"a neuron takes 1 to 8 inputs, got {len(x)}")
        if len(w) != len(x):
            raise ValueError(f"one weight per input needed: {len(x)} inputs but {len(w)} weights")
        for name, values in (("inputs", x), ("weights", w), ("bias", (float(self.b),))):
            for v in values:
                if not (math.isfinite(v) and abs(v) <= MAX_ABS):
                    raise ValueError(f"{name} must be finite numbers with |value| <= {MAX_ABS:g}, got {v}")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "w", w)
        object.__setattr__(self, "b", float(self.b))
        object.__setattr__(self, "activation", activations.ACTIVATIONS.canonical(self.activation))
        object.__setattr__(self, "loss", losses.LOSSES.canonical(self.loss))
        object.__setattr__(self, "learning_rate", optimizers.check_learning_rate(self.learning_rate))
        act = self.activation_fn()  # validates the parameters
        loss = self.loss_fn()
        target = float(self.target)
        if not math.isfinite(target) or abs(target) > MAX_ABS:
            raise ValueError(f"target must be a finite number, got {self.target}")
        if not act.elementwise:
            if len(x) < 2:
                raise ValueError(f"{act.label} needs at least 2 inputs (one logit per input), got {len(x)}")
            if target != round(target) or not 0 <= target < len(x):
                raise ValueError(f"the target class must be an integer in [0, {len(x) - 1}], got {self.target}")
        elif loss.name == "binary_cross_entropy" and not 0.0 <= target <= 1.0:
            raise ValueError(f"binary cross-entropy needs a target in [0, 1], got {target:g}")
        object.__setattr__(self, "target", target)

    def activation_fn(self) -> activations.Activation:
        return activations.get(self.activation, **dict(self.activation_params))

    def loss_fn(self) -> losses.Loss:
        return losses.get(self.loss, **dict(self.loss_params))

    @property
    def per_logit(self) -> bool:
        """True for softmax: one logit per input (z_i = w_i x_i + b), as in the notes' example."""
        return not self.activation_fn().elementwise

    def targets(self) -> np.ndarray:
        """The engine's target array: class labels (1,) for softmax, else a (1, 1) column."""
        if self.per_logit:
            return np.array([int(self.target)])
        return np.array([[self.target]], dtype=F64)


@dataclass(frozen=True, eq=False)
class NeuronResult:
    """Every number of one forward pass, backward pass and SGD update of a neuron."""

    config: NeuronConfig
    z: np.ndarray  # (k,) pre-activations (k = 1, or one per input for softmax)
    a: np.ndarray  # (k,)
    loss: float
    dL_da: np.ndarray  # (k,)
    da_dz: np.ndarray  # (k,) for elementwise activations, else the Jacobian (k, k), [i, j] = da_i/dz_j
    chain: np.ndarray  # (k,) dL/da . da/dz by the chain rule
    dL_dz: np.ndarray  # (k,) what the engine uses: the fused a - y where it applies, else ``chain``
    dL_dw: np.ndarray  # (n,)
    dL_db: float
    new_w: np.ndarray  # (n,)
    new_b: float
    new_loss: float
    fused: bool
    steps: tuple[Step, ...] = field(default=())

    def step(self, key: str) -> Step:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)


def _is_fused(act: activations.Activation, loss: losses.Loss) -> bool:
    return loss.fused_activation == act.name and all(v == 1.0 for v in act.params.values())


def _forward(config: NeuronConfig, w: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray, float]:
    act, loss = config.activation_fn(), config.loss_fn()
    x = np.asarray(config.x, dtype=F64)
    z = (w * x + b)[None, :] if config.per_logit else np.array([[w @ x + b]], dtype=F64)
    a = act.forward(z)
    return z, a, loss.value(a, config.targets())


def neuron_loss(config: NeuronConfig, w: np.ndarray | None = None, b: float | None = None) -> float:
    """The loss of the neuron at weights ``w`` and bias ``b`` (default: the config's)."""
    w = np.asarray(config.w if w is None else w, dtype=F64)
    return _forward(config, w, config.b if b is None else float(b))[2]


def _sub(template: str, a: float, y: float) -> str:
    return template.replace("@a", _p(a)).replace("@y", _pin(y))


def neuron(config: NeuronConfig) -> NeuronResult:
    """Forward pass, chain rule and one SGD step of a single neuron, every factor kept."""
    act, loss = config.activation_fn(), config.loss_fn()
    x = np.asarray(config.x, dtype=F64)
    w = np.asarray(config.w, dtype=F64)
    y = config.targets()
    z, a, value = _forward(config, w, config.b)
    k = z.shape[1]
    dL_da = loss.grad(a, y)
    if act.elementwise:
        da_dz = act.derivative(z, a)[0]
    else:  # backward(e_j) = e_j^T J: row j of the Jacobian, da_j/dz_i
        da_dz = np.stack([act.backward(z, a, e[None, :])[0] for e in np.eye(k)])
    chain = act.backward(z, a, dL_da)[0]
    fused = _is_fused(act, loss)
    dL_dz = loss.fused_grad(a, y)[0] if fused else chain
    if config.per_logit:
        dL_dw, dL_db = dL_dz * x, float(dL_dz.sum())
        if abs(dL_db) <= 1e-12 * float(np.abs(dL_dz).sum()):
            dL_db = 0.0  # terms that cancel exactly (softmax + CE: sum of p - y); what is left is rounding
    else:
        dL_dw, dL_db = dL_dz[0] * x, float(dL_dz[0])
    params = {"w": w.copy(), "b": np.array([config.b])}
    optimizers.get("sgd")(learning_rate=config.learning_rate).step(params, {"w": dL_dw, "b": np.array([dL_db])})
    new_w, new_b = params["w"], float(params["b"][0])
    new_loss = _forward(config, new_w, new_b)[2]
    result = NeuronResult(config, z[0], a[0], value, dL_da[0], da_dz, chain, dL_dz, dL_dw, dL_db,
                          new_w, new_b, new_loss, fused)
    object.__setattr__(result, "steps", _neuron_steps(result, act, loss))
    return result


def _neuron_steps(r: NeuronResult, act: activations.Activation, loss: losses.Loss) -> tuple[Step, ...]:
    c = r.config
    x, w = np.asarray(c.x), np.asarray(c.w)
    n = len(x)
    lr = c.learning_rate
    steps: list[Step] = []
    tup = lambda v: tuple(float(t) for t in np.ravel(v))  # noqa: E731
    one = n == 1
    wx = "w" if one else "w_i"
    xs = "x" if one else "x_i"

    # forward
    if c.per_logit:
        subst = _vec_expr([rf"{_pin(wi)} \cdot {_pin(xi)} + {_pin(c.b)}" for wi, xi in zip(w, x, strict=True)])
        steps.append(Step("z", "weighted input (one logit per input, as in the notes)", "forward", "z_i",
                          "w_i x_i + b", subst, tup(r.z)))
    else:
        terms = " + ".join(rf"{_pin(wi)} \cdot {_pin(xi)}" for wi, xi in zip(w, x, strict=True))
        steps.append(Step("z", "weighted sum", "forward", "z", "w x + b" if one else r"\sum_i w_i x_i + b",
                          f"{terms} + {_pin(c.b)}", tup(r.z)))
    if c.per_logit:
        steps.append(Step("a", f"{act.label} activation", "forward", "a_i", _rhs(act.formula),
                          rf"\operatorname{{{act.name}}}{_vec(r.z)}", tup(r.a)))
    else:
        steps.append(Step("a", f"{act.label} activation", "forward", "a", f"f(z) = {_rhs(act.formula)}",
                          rf"f({fmt(r.z[0])})", tup(r.a)))
    if c.per_logit and loss.name == "cross_entropy":
        cls = int(c.target)
        subst = rf"-\log a_{{{cls + 1}}} = -\log {_p(r.a[cls])}"
    elif not c.per_logit and loss.sample_template:
        subst = _sub(loss.sample_template, r.a[0], c.target)
    else:
        subst = ""
    steps.append(Step("loss", f"{loss.label} loss", "forward", "L", _rhs(loss.formula), subst, (r.loss,)))

    # backward
    if c.per_logit:
        general = r"-\frac{y_i}{a_i}" if loss.name == "cross_entropy" else ""
        steps.append(Step("dL_da", "how the loss changes with each output", "backward",
                          r"\frac{\partial L}{\partial a_i}", general, "", tup(r.dL_da)))
        steps.append(Step("da_dz", f"{act.label} derivative (Jacobian, row i = output a_i)", "backward",
                          r"\frac{\partial a_i}{\partial z_j}", _rhs(act.derivative_formula), "", tup(r.da_dz)))
    else:
        subst = _sub(loss.grad_template, r.a[0], c.target) if loss.grad_template else ""
        steps.append(Step("dL_da", "how the loss changes with the output", "backward",
                          r"\frac{\partial L}{\partial a}", loss.grad_formula, subst, tup(r.dL_da)))
        steps.append(Step("da_dz", f"{act.label} derivative", "backward", r"\frac{\partial a}{\partial z}",
                          f"f'(z) = {_rhs(act.derivative_formula)}", rf"f'({fmt(r.z[0])})", tup(r.da_dz)))

    fused_note = ""
    if r.fused:
        pair = f"{act.label} with {loss.label.lower()}"
        fused_note = (
            f"{pair}: the chain-rule product simplifies to *prediction minus target*, a − y. "
            "This is the 'gradient output' of the notes: it already contains the activation's "
            "derivative. The engine uses this fused form, which stays exact even when a rounds to 0 or 1"
            + (f" (here the plain product gives {plain_vector(r.chain)})."
               if not np.allclose(r.chain, r.dL_dz, rtol=1e-6, atol=1e-12) else ".")
        )
    if c.per_logit:
        general = r"\sum_j \frac{\partial L}{\partial a_j}\frac{\partial a_j}{\partial z_i}"
        alt = ""
        if r.fused:
            onehot = np.eye(len(r.a))[int(c.target)]
            alt = r"a_i - y_i = " + _vec(r.a) + r" - \left(" + r",\ ".join(fmt_in(v) for v in onehot) + r"\right)"
        steps.append(Step("dL_dz", "chain rule through the activation", "backward",
                          r"\frac{\partial L}{\partial z_i}", general, "", tup(r.dL_dz), fused_note, alt))
    else:
        general = r"\frac{\partial L}{\partial a}\,\frac{\partial a}{\partial z}"
        subst = f"{_p(r.dL_da[0])} \\cdot {_p(r.da_dz[0])}"
        alt = f"a - y = {_p(r.a[0])} - {_pin(c.target)}" if r.fused else ""
        steps.append(Step("dL_dz", "chain rule through the activation", "backward",
                          r"\frac{\partial L}{\partial z}", general, subst, tup(r.dL_dz), fused_note, alt))

    if c.per_logit:
        steps.append(Step("dz_dw", "how each logit changes with its weight", "backward",
                          r"\frac{\partial z_i}{\partial w_i}", "x_i", "", tup(x)))
        steps.append(Step("dL_dw", "weight gradients", "backward", r"\frac{\partial L}{\partial w_i}",
                          r"\frac{\partial L}{\partial z_i}\, x_i",
                          _vec_expr([rf"{_p(d)} \cdot {_pin(xi)}" for d, xi in zip(r.dL_dz, x, strict=True)]),
                          tup(r.dL_dw)))
        steps.append(Step("dL_db", "bias gradient (the bias feeds every logit)", "backward",
                          r"\frac{\partial L}{\partial b}", r"\sum_i \frac{\partial L}{\partial z_i}", "",
                          (r.dL_db,),
                          "A bias shared by all logits shifts them together, and softmax ignores shifts: "
                          "its gradient is 0 (up to rounding)." if act.name == "softmax" else ""))
    else:
        steps.append(Step("dz_dw", "how z changes with the weight" + ("" if one else "s"), "backward",
                          r"\frac{\partial z}{\partial " + wx + "}", xs, "", tup(x)))
        if one:
            if r.fused:
                subst = rf"{_p(r.dL_dz[0])} \cdot {_pin(x[0])}"
            else:
                subst = rf"{_p(r.dL_da[0])} \cdot {_p(r.da_dz[0])} \cdot {_pin(x[0])}"
            general = (r"\frac{\partial L}{\partial a}\,\frac{\partial a}{\partial z}\,\frac{\partial z}{\partial w}"
                       if not r.fused else r"\frac{\partial L}{\partial z}\,\frac{\partial z}{\partial w}")
        else:
            subst = rf"{_p(r.dL_dz[0])} \cdot {_vec(x)}"
            general = r"\frac{\partial L}{\partial z}\, x_i"
        steps.append(Step("dL_dw", "weight gradient" + ("" if one else "s"), "backward",
                          r"\frac{\partial L}{\partial " + wx + "}", general, subst, tup(r.dL_dw)))
        steps.append(Step("dL_db", "bias gradient", "backward", r"\frac{\partial L}{\partial b}",
                          r"\frac{\partial L}{\partial z} \cdot 1", "", (r.dL_db,)))

    # update
    if one:
        subst = rf"{_pin(w[0])} - {fmt_in(lr)} \cdot {_p(r.dL_dw[0])}"
    else:
        subst = _vec_expr([rf"{_pin(wi)} - {fmt_in(lr)} \cdot {_p(g)}" for wi, g in zip(w, r.dL_dw, strict=True)])
    steps.append(Step("w_new", "updated weight" + ("" if one else "s"), "update", wx + r"'",
                      wx + r" - \eta\,\frac{\partial L}{\partial " + wx + "}", subst, tup(r.new_w)))
    steps.append(Step("b_new", "updated bias", "update", "b'", r"b - \eta\,\frac{\partial L}{\partial b}",
                      rf"{_pin(c.b)} - {fmt_in(lr)} \cdot {_p(r.dL_db)}", (r.new_b,)))
    steps.append(Step("loss_new", "loss after the step", "update", "L'", "L(w', b')", "", (r.new_loss,)))
    return tuple(steps)


def _vec_expr(items: list[str]) -> str:
    return r"\left(" + r",\ ".join(items) + r"\right)"


def neuron_loss_slice(config: NeuronConfig, index: int = 0, span: float | None = None,
                      points: int = 81) -> tuple[np.ndarray, np.ndarray]:
    """The loss as weight ``index`` varies (others fixed): (w grid, loss values).

    The span defaults to max(6 |step|, 0.25) around the weight, so the step is visible.
    """
    if not 0 <= index < len(config.w):
        raise ValueError(f"weight index must be in [0, {len(config.w) - 1}], got {index}")
    r = neuron(config)
    w0 = config.w[index]
    if span is None:
        span = max(6 * abs(float(r.new_w[index]) - w0), 0.25)
        span = span if math.isfinite(span) else 1.0
    grid = np.linspace(w0 - span, w0 + span, points)
    w = np.tile(np.asarray(config.w, dtype=F64), (points, 1))
    w[:, index] = grid
    # Loss.value is a batch mean, so each point is its own one-sample evaluation.
    values = np.array([neuron_loss(config, wi) for wi in w])
    return grid, values


@dataclass(frozen=True)
class Preset:
    """A worked example of the notes (003), with what the note itself prints."""

    key: str
    label: str
    config: NeuronConfig
    note_printed: str  # the note's (erroneous) printed result, quoted


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("sigmoid_ce", "Sigmoid + cross-entropy (note 003, example 1)",
               NeuronConfig((0.5,), (0.2,), 0.0, "sigmoid", "binary_cross_entropy", 1.0, 0.1),
               "gradient −0.118, new weight 0.2059"),
        Preset("relu_ce", "ReLU + cross-entropy (note 003, example 2)",
               NeuronConfig((0.5,), (0.2,), 0.0, "relu", "cross_entropy", 1.0, 0.1),
               "gradient −0.45, new weight 0.245"),
        Preset("softmax_ce", "Softmax + cross-entropy (note 003, example 3)",
               NeuronConfig((1.0, 2.0), (0.3, -0.2), 0.0, "softmax", "cross_entropy", 1, 0.1),
               "probabilities (0.645, 0.355), new weights (0.2355, −0.071)"),
    )
}


@dataclass(frozen=True, eq=False)
class Slip:
    """A classic mistake, computed: the wrong dL/dz, the wrong gradient and where it leads."""

    title: str
    wrong_dL_dz: np.ndarray
    wrong_dL_dw: np.ndarray
    wrong_w: np.ndarray
    explanation: str  # markdown, with the numbers in


def common_slip(result: NeuronResult) -> Slip | None:
    """The notes' two slips, for the result's activation/loss pair (None if neither applies).

    Fused pairs (sigmoid + BCE, softmax + CE): multiplying by the activation's derivative a second
    time. A probability loss on any other activation (e.g. ReLU + CE): using 'prediction - target'
    as dL/dz, which holds only for the fused pairs.
    """
    c, r = result.config, result
    x, w = np.asarray(c.x), np.asarray(c.w)
    lr = c.learning_rate
    act, loss = c.activation_fn(), c.loss_fn()
    diag = np.diag(r.da_dz) if r.da_dz.ndim == 2 else r.da_dz
    t = np.eye(len(r.a))[int(c.target)] if c.per_logit else np.array([c.target])

    def grads(dz: np.ndarray) -> np.ndarray:
        return dz * x if c.per_logit else dz[0] * x

    # Where a - y already is dL/dz (the fused pairs, or e.g. sigmoid with -y log a and y = 1), the
    # slip is to multiply the derivative in again; elsewhere it is to use a - y at all.
    already = r.fused or np.allclose(r.dL_dz, r.a - t, rtol=1e-9, atol=1e-12)
    if already:
        wrong_dz = r.dL_dz * diag
        wrong_dw = grads(wrong_dz)
        wrong_w = w - lr * wrong_dw
        d = "a_i(1 − a_i)" if c.per_logit else "f′(z)"
        text = (
            f"**Multiplying the {act.label.lower()} derivative in twice.** With {loss.label.lower()}, "
            f"a − y = {plain_vector(r.dL_dz)} is already dL/dz: the derivative {d} = {plain_vector(diag)} "
            f"is inside it. Multiplying by it again gives dL/dz = {plain_vector(wrong_dz)}, "
            f"dL/dw = {plain_vector(wrong_dw)} and w' = {plain_vector(wrong_w)} instead of "
            f"{plain_vector(r.new_w)}: a step {_ratio(r.dL_dw, wrong_dw)}."
        )
        return Slip("The activation's derivative counted twice", wrong_dz, wrong_dw, wrong_w, text)
    if loss.needs_probabilities:
        wrong_dz = (r.a - t) * diag
        wrong_dw = grads(wrong_dz)
        wrong_w = w - lr * wrong_dw
        text = (
            f"**Using 'prediction minus target' for a {act.label} output.** a − y is dL/dz only for "
            "sigmoid + binary cross-entropy and softmax + cross-entropy, where the activation's derivative "
            f"cancels. Here the chain rule gives dL/da = {plain_vector(r.dL_da)}, da/dz = {plain_vector(diag)}, "
            f"so dL/dz = {plain_vector(r.dL_dz)} and dL/dw = {plain_vector(r.dL_dw)} (w' = {plain_vector(r.new_w)}). "
            f"The shortcut (a − y, then times f′(z) as the notes do) gives dL/dz = {plain_vector(wrong_dz)}, "
            f"dL/dw = {plain_vector(wrong_dw)} and "
            f"w' = {plain_vector(wrong_w)}: the wrong size"
            + (" and direction." if np.any(np.sign(wrong_dw) != np.sign(r.dL_dw)) else ".")
        )
        return Slip("'Prediction minus target' on the wrong activation", wrong_dz, wrong_dw, wrong_w, text)
    return None


def _ratio(right: np.ndarray, wrong: np.ndarray) -> str:
    num, den = float(np.linalg.norm(wrong)), float(np.linalg.norm(right))
    if den == 0 or num == 0:
        return "of a different size"
    q = num / den
    return f"{q:.2f}× too large" if q >= 1 else f"{1 / q:.1f}× too small"


def plain_vector(v) -> str:
    """A number, or (v1, v2, ...), as plain text."""
    v = np.ravel(v)
    return fmt_plain(v[0]) if v.size == 1 else "(" + ", ".join(fmt_plain(t) for t in v) + ")"


def preset_remark(key: str, result: NeuronResult) -> str:
    """What the note itself prints for preset ``key`` and where its arithmetic went wrong (markdown)."""
    preset = PRESETS[key]
    c, r = result.config, result
    if key == "sigmoid_ce":
        no_x = float(r.dL_dz[0] * r.da_dz[0])  # (a - y) a(1 - a), without the factor x
        return (
            f"The note prints {preset.note_printed}. Its gradient multiplies a − y by a(1 − a) a second "
            f"time, and then drops the factor x = {fmt_plain(c.x[0])}: (a − y)·a(1 − a) = {fmt_plain(no_x)}. "
            f"Stepping with that would give w' = {fmt_plain(c.w[0] - c.learning_rate * no_x)}; its 0.2059 "
            "comes from a second arithmetic slip in the update. The right numbers are above."
        )
    if key == "relu_ce":
        return (
            f"The note prints {preset.note_printed}: it used a − y = {fmt_plain(r.a[0] - c.target)} as the "
            f"output gradient. The chain rule says dL/da = −1/a = {fmt_plain(r.dL_da[0])}, so the "
            f"true gradient is {fmt_plain(r.dL_dw[0])} and w' = {fmt_plain(r.new_w[0])}. "
            "(Cross-entropy wants a probability; a ReLU output is not one, so this pairing is unusual.)"
        )
    if key == "softmax_ce":
        e = np.exp(r.z - r.z.max())  # the same shift the engine's softmax uses
        raw = np.exp(r.z)
        return (
            f"The note prints {preset.note_printed}. Its probabilities are an arithmetic slip: "
            f"e^z = {plain_vector(raw)}, their sum is {fmt_plain(raw.sum())}, so softmax(z) = "
            f"{plain_vector(e / e.sum())}. Its method (a − y, times each input) is right; carried through "
            f"with the right probabilities it gives w' = {plain_vector(r.new_w)}."
        )
    raise KeyError(key)


# ---- the tiny network -----------------------------------------------------------------------

@dataclass(frozen=True)
class TinyOutput:
    key: str
    label: str
    units: int
    activation: str
    loss: str


TINY_OUTPUTS: dict[str, TinyOutput] = {
    o.key: o
    for o in (
        TinyOutput("sigmoid_bce", "2-2-1: sigmoid output, binary cross-entropy", 1, "sigmoid", "binary_cross_entropy"),
        TinyOutput("linear_mse", "2-2-1: linear output, mean squared error", 1, "linear", "mse"),
        TinyOutput("softmax_ce", "2-2-2: softmax output, cross-entropy", 2, "softmax", "cross_entropy"),
    )
}


@dataclass(frozen=True)
class TinyConfig:
    """A 2-2-k network: two inputs, two hidden units, an output head from ``TINY_OUTPUTS``.

    ``target``: the wanted output (1 unit) or the true class index (softmax head).
    """

    x: tuple[float, float] = (1.0, 0.5)
    target: float = 1.0
    hidden: str = "sigmoid"
    output: str = "sigmoid_bce"
    init: str = "xavier_uniform"
    seed: int = 0
    learning_rate: float = 0.5

    def __post_init__(self) -> None:
        x = tuple(float(v) for v in self.x)
        if len(x) != 2 or not all(math.isfinite(v) and abs(v) <= MAX_ABS for v in x):
            raise ValueError(f"the tiny network takes 2 finite inputs, got {self.x}")
        object.__setattr__(self, "x", x)
        if self.output not in TINY_OUTPUTS:
            raise ValueError(f"unknown output head {self.output!r}; known: {', '.join(TINY_OUTPUTS)}")
        hidden = activations.ACTIVATIONS.canonical(self.hidden)
        if not activations.get(hidden).elementwise:
            raise ValueError(f"hidden activation must be elementwise, got {hidden!r}")
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "init", initializers.INITIALIZERS.canonical(self.init))
        object.__setattr__(self, "learning_rate", optimizers.check_learning_rate(self.learning_rate))
        target = float(self.target)
        head = TINY_OUTPUTS[self.output]
        if head.units > 1 and (target != round(target) or not 0 <= target < head.units):
            raise ValueError(f"the target class must be an integer in [0, {head.units - 1}], got {self.target}")
        if head.loss == "binary_cross_entropy" and not 0 <= target <= 1:
            raise ValueError(f"binary cross-entropy needs a target in [0, 1], got {target:g}")
        if not math.isfinite(target):
            raise ValueError(f"target must be finite, got {self.target}")
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "seed", int(self.seed))

    @property
    def head(self) -> TinyOutput:
        return TINY_OUTPUTS[self.output]

    def targets(self) -> np.ndarray:
        return np.array([int(self.target)]) if self.head.units > 1 else np.array([[self.target]])

    def inputs(self) -> np.ndarray:
        return np.array([self.x], dtype=F64)


def tiny_network(config: TinyConfig, params: np.ndarray | None = None) -> Network:
    """The float64 engine network for ``config``; ``params`` (from ``get_flat``) overrides the init."""
    net = Network.mlp([2, 2, config.head.units], activation=config.hidden, output=config.head.activation,
                      init=config.init, seed=config.seed, dtype=F64)
    if params is not None:
        net.set_flat(np.asarray(params, dtype=F64))
    return net


_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _u(symbol: str, layer: int | None = None, *idx: int) -> str:
    """Plain-text indexed name: _u('w', 1, 1, 2) -> 'w⁽¹⁾₁₂'."""
    sup = f"({layer})".translate(_SUP) if layer else ""
    return symbol + sup + "".join(str(i) for i in idx).translate(_SUB)


@dataclass(frozen=True)
class TableRow:
    """One forward value or gradient of the tiny network."""

    phase: str  # "forward" or "backward"
    step: int  # 0 for forward values, else the backward step that computes it
    quantity: str  # plain-text name, e.g. 'z⁽¹⁾₂' or '∂L/∂w⁽²⁾₁₁'
    formula: str  # plain text
    value: float


@dataclass(frozen=True)
class BackwardStep:
    """One stage of the backward pass, with the graph nodes and edges it touches."""

    index: int  # 1-based
    title: str
    latex: str
    explanation: str
    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]


@dataclass(frozen=True, eq=False)
class TinyResult:
    config: TinyConfig
    params: np.ndarray  # flat parameters (get_flat order)
    z1: np.ndarray  # (2,)
    h: np.ndarray  # (2,)
    z2: np.ndarray  # (k,)
    out: np.ndarray  # (k,)
    loss: float
    dL_dout: np.ndarray  # (k,)
    delta2: np.ndarray  # (k,) dL/dz2
    dL_dh: np.ndarray  # (2,)
    delta1: np.ndarray  # (2,) dL/dz1
    grads: dict[str, np.ndarray]  # keyed like net.params
    weights: dict[str, np.ndarray]  # keyed like net.params
    rows: tuple[TableRow, ...]
    steps: tuple[BackwardStep, ...]
    nodes: tuple[tuple[str, str, float], ...]  # (id, plain label, forward value)
    edges: tuple[tuple[str, str, float, float], ...]  # (from, to, weight, dL/dweight)

    @property
    def n_out(self) -> int:
        return len(self.out)


def _tiny_backward(net: Network, config: TinyConfig, slip: bool = False):
    """Forward and backward through the engine's layers one by one, keeping every gradient.

    ``slip=True`` multiplies dL/dz2 by the output activation's derivative a second time (the
    notes' slip), so a gradient check can show that it is caught.
    """
    loss = losses.get(config.head.loss)
    X, y = config.inputs(), config.targets()
    dense0, act0, dense1, act1 = net.layers
    z1, h, z2, out = net.layer_outputs(X)
    value = loss.value(out, y)
    dL_dout = loss.grad(out, y)
    delta2 = loss.fused_grad(out, y) if net.fuses_with(loss) else act1.backward(dL_dout)
    if slip:
        delta2 = delta2 * act1.fn.derivative(z2, out)
    dL_dh = dense1.backward(delta2)  # fills dense1's W and b gradients
    delta1 = act0.backward(dL_dh)
    dense0.backward(delta1)
    grads = {k: g.copy() for k, g in net.grads.items()}
    return z1[0], h[0], z2[0], out[0], value, dL_dout[0], delta2[0], dL_dh[0], delta1[0], grads


def tiny_forward_backward(config: TinyConfig, params: np.ndarray | None = None) -> TinyResult:
    """Every forward value and gradient of the tiny network, as table rows and backward steps."""
    net = tiny_network(config, params)
    z1, h, z2, out, value, dL_dout, delta2, dL_dh, delta1, grads = _tiny_backward(net, config)
    W1, b1 = net.params["dense0.W"].copy(), net.params["dense0.b"].copy()
    W2, b2 = net.params["dense1.W"].copy(), net.params["dense1.b"].copy()
    head = config.head
    k = head.units
    x = np.asarray(config.x)
    hid = activations.get(config.hidden)
    outfn = activations.get(head.activation)
    fused = net.fuses_with(losses.get(head.loss))
    hs = ["h₁", "h₂"]
    ys = ["ŷ" if k == 1 else _u("ŷ", None, j + 1) for j in range(k)]
    rows: list[TableRow] = []
    for i in range(2):
        rows.append(TableRow("forward", 0, _u("x", None, i + 1), "input", float(x[i])))
    for j in range(2):
        rows.append(TableRow("forward", 0, _u("z", 1, j + 1),
                             f"{_u('w', 1, 1, j + 1)}·x₁ + {_u('w', 1, 2, j + 1)}·x₂ + {_u('b', 1, j + 1)}",
                             float(z1[j])))
    for j in range(2):
        rows.append(TableRow("forward", 0, hs[j], f"{hid.name}({_u('z', 1, j + 1)})", float(h[j])))
    for m in range(k):
        rows.append(TableRow("forward", 0, _u("z", 2, m + 1),
                             f"{_u('w', 2, 1, m + 1)}·h₁ + {_u('w', 2, 2, m + 1)}·h₂ + {_u('b', 2, m + 1)}",
                             float(z2[m])))
    for m in range(k):
        rows.append(TableRow("forward", 0, ys[m], f"{outfn.name}({_u('z', 2, m + 1) if k == 1 else 'z⁽²⁾'})",
                             float(out[m])))
    rows.append(TableRow("forward", 0, "L", losses.get(head.loss).label, float(value)))
    for m in range(k):
        rows.append(TableRow("backward", 1, f"∂L/∂{ys[m]}", "loss derivative", float(dL_dout[m])))
    for m in range(k):
        rows.append(TableRow("backward", 2, _u("δ", 2, m + 1),
                             f"∂L/∂{_u('z', 2, m + 1)} = " + ("ŷ − y (fused)" if fused else
                                                               f"∂L/∂{ys[m]} · {outfn.name}'"),
                             float(delta2[m])))
    for j in range(2):
        for m in range(k):
            rows.append(TableRow("backward", 3, f"∂L/∂{_u('w', 2, j + 1, m + 1)}", f"{hs[j]}·{_u('δ', 2, m + 1)}",
                                 float(grads["dense1.W"][j, m])))
    for m in range(k):
        rows.append(TableRow("backward", 3, f"∂L/∂{_u('b', 2, m + 1)}", _u("δ", 2, m + 1),
                             float(grads["dense1.b"][m])))
    for j in range(2):
        terms = " + ".join(f"{_u('w', 2, j + 1, m + 1)}·{_u('δ', 2, m + 1)}" for m in range(k))
        rows.append(TableRow("backward", 4, f"∂L/∂{hs[j]}", terms, float(dL_dh[j])))
    for j in range(2):
        rows.append(TableRow("backward", 5, _u("δ", 1, j + 1), f"∂L/∂{hs[j]} · {hid.name}'({_u('z', 1, j + 1)})",
                             float(delta1[j])))
    for i in range(2):
        for j in range(2):
            rows.append(TableRow("backward", 6, f"∂L/∂{_u('w', 1, i + 1, j + 1)}", f"x{'₁₂'[i]}·{_u('δ', 1, j + 1)}",
                                 float(grads["dense0.W"][i, j])))
    for j in range(2):
        rows.append(TableRow("backward", 6, f"∂L/∂{_u('b', 1, j + 1)}", _u("δ", 1, j + 1),
                             float(grads["dense0.b"][j])))

    outs = [f"o{m + 1}" for m in range(k)]
    hids, ins = ["h1", "h2"], ["x1", "x2"]
    delta2_latex = (r"\delta^{(2)}_k = \hat y_k - y_k" if fused else
                    r"\delta^{(2)}_k = \frac{\partial L}{\partial \hat y_k}\, f'(z^{(2)}_k)")
    if fused and k > 1:
        delta2_latex = r"\delta^{(2)}_k = \sum_m \frac{\partial L}{\partial \hat y_m}\frac{\partial \hat y_m}{\partial z^{(2)}_k} = \hat y_k - y_k"
    steps = (
        BackwardStep(1, "Loss gradient at the output",
                     r"\frac{\partial L}{\partial \hat y_k}" + _TINY_DL_DOUT.get(head.loss, ""),
                     "How much the loss changes when each output moves.", tuple(outs) + ("L",),
                     tuple((o, "L") for o in outs)),
        BackwardStep(2, "Through the output activation", delta2_latex,
                     ("Sigmoid/softmax with their cross-entropy: the activation's derivative cancels and "
                      "δ = prediction − target." if fused else "Chain rule: multiply by the activation's derivative."),
                     tuple(outs), ()),
        BackwardStep(3, "Output-layer weights",
                     r"\frac{\partial L}{\partial w^{(2)}_{jk}} = h_j\,\delta^{(2)}_k,\quad "
                     r"\frac{\partial L}{\partial b^{(2)}_k} = \delta^{(2)}_k",
                     "Each weight's gradient is its input times the error signal at its end.",
                     tuple(hids) + tuple(outs), tuple((a, b) for a in hids for b in outs)),
        BackwardStep(4, "Back to the hidden layer",
                     r"\frac{\partial L}{\partial h_j} = \sum_k w^{(2)}_{jk}\,\delta^{(2)}_k",
                     "The error flows back along the same weights, summed over every path.",
                     tuple(hids), tuple((a, b) for a in hids for b in outs)),
        BackwardStep(5, "Through the hidden activation",
                     r"\delta^{(1)}_j = \frac{\partial L}{\partial h_j}\, g'(z^{(1)}_j)",
                     f"Multiply by g′, the derivative of {hid.name}: this is where gradients can vanish.",
                     tuple(hids), ()),
        BackwardStep(6, "Hidden-layer weights",
                     r"\frac{\partial L}{\partial w^{(1)}_{ij}} = x_i\,\delta^{(1)}_j,\quad "
                     r"\frac{\partial L}{\partial b^{(1)}_j} = \delta^{(1)}_j",
                     "Same rule as for the output layer, one layer down.",
                     tuple(ins) + tuple(hids), tuple((a, b) for a in ins for b in hids)),
    )
    nodes = tuple([("x1", "x₁", float(x[0])), ("x2", "x₂", float(x[1])), ("h1", "h₁", float(h[0])),
                   ("h2", "h₂", float(h[1]))] + [(outs[m], ys[m], float(out[m])) for m in range(k)]
                  + [("L", "L", float(value))])
    edges = tuple([(ins[i], hids[j], float(W1[i, j]), float(grads["dense0.W"][i, j])) for i in range(2) for j in range(2)]
                  + [(hids[j], outs[m], float(W2[j, m]), float(grads["dense1.W"][j, m]))
                     for j in range(2) for m in range(k)]
                  + [(o, "L", float("nan"), float(dL_dout[m])) for m, o in enumerate(outs)])
    return TinyResult(config, net.get_flat(), z1, h, z2, out, value, dL_dout, delta2, dL_dh, delta1, grads,
                      {"dense0.W": W1, "dense0.b": b1, "dense1.W": W2, "dense1.b": b2},
                      tuple(rows), steps, nodes, edges)


_TINY_DL_DOUT = {
    "binary_cross_entropy": r" = \frac{\hat y - y}{\hat y\,(1 - \hat y)}",
    "mse": r" = 2(\hat y - y)",
    "cross_entropy": r" = -\frac{y_k}{\hat y_k}",
}


def tiny_step(config: TinyConfig, params: np.ndarray | None = None) -> np.ndarray:
    """One SGD step of the tiny network (the engine's optimizer); returns the new flat parameters."""
    net = tiny_network(config, params)
    loss = losses.get(config.head.loss)
    out = net.forward(config.inputs())
    net.loss_backward(loss, out, config.targets())
    optimizers.get("sgd")(learning_rate=config.learning_rate).step(net.params, net.grads)
    return net.get_flat()


@dataclass(frozen=True)
class GradCheckRow:
    key: str  # the network's parameter key, e.g. 'dense0.W'
    index: tuple[int, ...]
    name: str  # plain text, e.g. 'w⁽¹⁾₁₂'
    backprop: float
    numeric: float
    relative_error: float


@dataclass(frozen=True)
class GradCheckResult:
    rows: tuple[GradCheckRow, ...]
    per_array: dict[str, float]  # nnviz.nn.gradcheck relative error per parameter array
    h: float

    @property
    def max_error(self) -> float:
        """The largest per-array relative error (norm-based, as nnviz.nn.gradcheck reports it)."""
        return max(self.per_array.values())

    @property
    def max_element_error(self) -> float:
        return max(r.relative_error for r in self.rows)


def _param_name(key: str, index: tuple[int, ...]) -> str:
    layer = 1 if key.startswith("dense0") else 2
    return _u(key.split(".")[1].lower(), layer, *(i + 1 for i in index))


def gradient_check(config: TinyConfig, params: np.ndarray | None = None, slip: bool = False,
                   h: float = 1e-6) -> GradCheckResult:
    """Backprop against central finite differences (nnviz.nn.gradcheck) for every parameter.

    ``slip=True`` checks a deliberately wrong backprop (the output derivative counted twice).
    """
    net = tiny_network(config, params)
    loss = losses.get(config.head.loss)
    X, y = config.inputs(), config.targets()
    if slip:
        analytic = _tiny_backward(net, config, slip=True)[-1]
    else:
        out = net.forward(X)
        net.loss_backward(loss, out, y)
        analytic = {k: g.copy() for k, g in net.grads.items()}

    def objective() -> float:
        return loss.value(net.forward(X), y)

    numeric = {k: gradcheck.numerical_gradient(objective, p, h) for k, p in net.params.items()}
    per_array = {k: gradcheck.relative_error(analytic[k], numeric[k]) for k in net.params}
    if not slip:  # the engine's own whole-network check must agree with ours
        per_array = gradcheck.check_network(net, loss, X, y, h=h)
    rows = tuple(
        GradCheckRow(k, idx, _param_name(k, idx), float(analytic[k][idx]), float(numeric[k][idx]),
                     gradcheck.relative_error(analytic[k][idx], numeric[k][idx]))
        for k in net.params for idx in np.ndindex(net.params[k].shape)
    )
    return GradCheckResult(rows, per_array, h)


# ---- functions page: activations ------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ActivationCurve:
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
            curves.append(ActivationCurve(fn.name, fn.label, z, a[:, 0], fn.derivative(zz, a)[:, 0], fn.params,
                                          "first output of softmax(z, 0)"))
    return curves


def activation_table(names: list[str] | None = None) -> list[dict[str, str]]:
    """The notes' comparison table (function, output range, common use, issues), from the registry."""
    rows = []
    for name in names or activations.names():
        cls = activations.ACTIVATIONS.get(name)
        rows.append({"Function": cls.label, "Output range": cls.output_range, "Common use": cls.common_use,
                     "Issues": cls.issue})
    return rows


# ---- functions page: vanishing gradients ----------------------------------------------------

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


@dataclass(frozen=True, eq=False)
class InitGradients:
    """A deep MLP at initialization: per-layer statistics for one initializer."""

    init: str
    activation: str
    grad_norms: np.ndarray  # (depth,) ||dL/dW_l||_F for Dense layers l = 1..depth
    activation_std: np.ndarray  # (depth - 1,) std of each hidden layer's output
    distinct_units: int  # distinct columns of the first layer's weight gradient (1 = all units identical)
    width: int


def init_gradient_norms(activation: str = "relu", inits: list[str] | None = None, depth: int = 10,
                        width: int = 64, batch: int = 128, seed: int = 0) -> list[InitGradients]:
    """Per-layer weight-gradient norms of ``Network.mlp([width] * depth + [1])`` (float64, linear
    output, MSE) on one fixed random batch, under each initializer."""
    if not 2 <= int(depth) <= 100:
        raise ValueError(f"depth must be in [2, 100], got {depth}")
    if not 2 <= int(width) <= 512:
        raise ValueError(f"width must be in [2, 512], got {width}")
    inits = inits or ["zeros", "random_normal", "xavier_uniform", "he_normal"]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, width))
    y = rng.standard_normal((batch, 1))
    loss = losses.get("mse")
    out_list = []
    for init in inits:
        net = Network.mlp([width] * depth + [1], activation=activation, output="linear", init=init,
                          seed=seed, dtype=F64)
        outs = net.layer_outputs(X)
        net.loss_backward(loss, outs[-1], y)
        norms = np.array([np.linalg.norm(net.grads[f"dense{i}.W"]) for i in range(depth)])
        hidden = [o for layer, o in zip(net.layers, outs, strict=True) if layer.kind == "activation"][:-1]
        stds = np.array([float(o.std()) for o in hidden])
        g0 = net.grads["dense0.W"]
        scale = float(np.abs(g0).max()) or 1.0
        distinct = int(np.unique(np.round(g0 / scale, 9), axis=1).shape[1])
        out_list.append(InitGradients(initializers.INITIALIZERS.canonical(init), activation, norms, stds,
                                      distinct, width))
    return out_list


# ---- functions page: losses -----------------------------------------------------------------

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


# ---- functions page: softmax ----------------------------------------------------------------

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
