"""One neuron, every number: forward pass, chain rule, one SGD step, and the notes' worked examples.

Elementwise activations: z = sum_i w_i x_i + b, a = f(z). A vector activation (softmax): one logit
per input as in the notes' example, z_i = w_i x_i + b, a = softmax(z). ``neuron(NeuronConfig(...))``
returns one ``Step`` per quantity (z, a, L, dL/da, da/dz, dL/dz, dz/dw, dL/dw, dL/db, the updated
w and b, the loss after), computed by the engine's activation, loss and SGD.
``PRESETS`` are the worked examples of the notes (003); ``common_slip(result)`` computes the two
classic mistakes and ``preset_remark`` says where each printed example went wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nnviz.labs.explain.numbers import (
    F64,
    MAX_ABS,
    fill,
    fmt,
    fmt_in,
    fmt_plain,
    latex_matrix,
    latex_tuple,
    latex_vector,
    paren,
    paren_in,
    plain_vector,
    rhs,
)
from nnviz.nn import activations, losses, optimizers


def handles(loss: type[losses.Loss]) -> bool:
    """True where the calculator can show every step of ``loss``: it states its value and dL/da."""
    return bool(loss.formula and loss.grad_formula)


def neuron_losses() -> list[str]:
    """The registered losses the calculator handles, in registry order."""
    return [name for name in losses.names() if handles(losses.LOSSES.get(name))]


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
            return latex_matrix(np.reshape(self.value, (k, k)))
        return latex_vector(self.value)

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
        elif loss.target_range is not None and not loss.target_range[0] <= target <= loss.target_range[1]:
            low, high = loss.target_range
            raise ValueError(f"{loss.label.lower()} needs a target in [{low:g}, {high:g}], got {target:g}")
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


def _shift_invariant(act: activations.Activation, z: np.ndarray) -> bool:
    """True where adding one number to every logit ``z`` (k,) leaves the outputs unchanged (softmax)."""
    z = z[None, :]
    return bool(np.allclose(act.forward(z), act.forward(z + 1.0), rtol=1e-9, atol=1e-12))


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
        subst = latex_tuple([rf"{paren_in(wi)} \cdot {paren_in(xi)} + {paren_in(c.b)}" for wi, xi in zip(w, x, strict=True)])
        steps.append(Step("z", "weighted input (one logit per input, as in the notes)", "forward", "z_i",
                          "w_i x_i + b", subst, tup(r.z)))
    else:
        terms = " + ".join(rf"{paren_in(wi)} \cdot {paren_in(xi)}" for wi, xi in zip(w, x, strict=True))
        steps.append(Step("z", "weighted sum", "forward", "z", "w x + b" if one else r"\sum_i w_i x_i + b",
                          f"{terms} + {paren_in(c.b)}", tup(r.z)))
    if c.per_logit:
        steps.append(Step("a", f"{act.label} activation", "forward", "a_i", rhs(act.formula),
                          rf"\operatorname{{{act.name}}}{latex_vector(r.z)}", tup(r.a)))
    else:
        steps.append(Step("a", f"{act.label} activation", "forward", "a", f"f(z) = {rhs(act.formula)}",
                          rf"f({fmt(r.z[0])})", tup(r.a)))
    if c.per_logit and loss.label_template:
        cls = int(c.target)
        true_a = f"a_{{{cls + 1}}}"  # the true class's output
        subst = fill(loss.label_template, true_a, "1") + " = " + fill(loss.label_template, paren(r.a[cls]), "1")
    elif not c.per_logit and loss.sample_template:
        subst = fill(loss.sample_template, paren(r.a[0]), paren_in(c.target))
    else:
        subst = ""
    steps.append(Step("loss", f"{loss.label} loss", "forward", "L", rhs(loss.formula), subst, (r.loss,)))

    # backward
    if c.per_logit:
        general = fill(loss.grad_template, "a_i", "y_i") if loss.sums_outputs else ""
        steps.append(Step("dL_da", "how the loss changes with each output", "backward",
                          r"\frac{\partial L}{\partial a_i}", general, "", tup(r.dL_da)))
        steps.append(Step("da_dz", f"{act.label} derivative (Jacobian, row i = output a_i)", "backward",
                          r"\frac{\partial a_i}{\partial z_j}", rhs(act.derivative_formula), "", tup(r.da_dz)))
    else:
        subst = fill(loss.grad_template, paren(r.a[0]), paren_in(c.target)) if loss.grad_template else ""
        steps.append(Step("dL_da", "how the loss changes with the output", "backward",
                          r"\frac{\partial L}{\partial a}", loss.grad_formula, subst, tup(r.dL_da)))
        steps.append(Step("da_dz", f"{act.label} derivative", "backward", r"\frac{\partial a}{\partial z}",
                          f"f'(z) = {rhs(act.derivative_formula)}", rf"f'({fmt(r.z[0])})", tup(r.da_dz)))

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
            alt = r"a_i - y_i = " + latex_vector(r.a) + " - " + latex_tuple(fmt_in(v) for v in onehot)
        steps.append(Step("dL_dz", "chain rule through the activation", "backward",
                          r"\frac{\partial L}{\partial z_i}", general, "", tup(r.dL_dz), fused_note, alt))
    else:
        general = r"\frac{\partial L}{\partial a}\,\frac{\partial a}{\partial z}"
        subst = f"{paren(r.dL_da[0])} \\cdot {paren(r.da_dz[0])}"
        alt = f"a - y = {paren(r.a[0])} - {paren_in(c.target)}" if r.fused else ""
        steps.append(Step("dL_dz", "chain rule through the activation", "backward",
                          r"\frac{\partial L}{\partial z}", general, subst, tup(r.dL_dz), fused_note, alt))

    if c.per_logit:
        steps.append(Step("dz_dw", "how each logit changes with its weight", "backward",
                          r"\frac{\partial z_i}{\partial w_i}", "x_i", "", tup(x)))
        steps.append(Step("dL_dw", "weight gradients", "backward", r"\frac{\partial L}{\partial w_i}",
                          r"\frac{\partial L}{\partial z_i}\, x_i",
                          latex_tuple([rf"{paren(d)} \cdot {paren_in(xi)}" for d, xi in zip(r.dL_dz, x, strict=True)]),
                          tup(r.dL_dw)))
        steps.append(Step("dL_db", "bias gradient (the bias feeds every logit)", "backward",
                          r"\frac{\partial L}{\partial b}", r"\sum_i \frac{\partial L}{\partial z_i}", "",
                          (r.dL_db,),
                          f"A bias shared by all logits shifts them together, and {act.label.lower()} ignores "
                          "shifts: its gradient is 0 (up to rounding)." if _shift_invariant(act, r.z) else ""))
    else:
        steps.append(Step("dz_dw", "how z changes with the weight" + ("" if one else "s"), "backward",
                          r"\frac{\partial z}{\partial " + wx + "}", xs, "", tup(x)))
        if one:
            if r.fused:
                subst = rf"{paren(r.dL_dz[0])} \cdot {paren_in(x[0])}"
            else:
                subst = rf"{paren(r.dL_da[0])} \cdot {paren(r.da_dz[0])} \cdot {paren_in(x[0])}"
            general = (r"\frac{\partial L}{\partial a}\,\frac{\partial a}{\partial z}\,\frac{\partial z}{\partial w}"
                       if not r.fused else r"\frac{\partial L}{\partial z}\,\frac{\partial z}{\partial w}")
        else:
            subst = rf"{paren(r.dL_dz[0])} \cdot {latex_vector(x)}"
            general = r"\frac{\partial L}{\partial z}\, x_i"
        steps.append(Step("dL_dw", "weight gradient" + ("" if one else "s"), "backward",
                          r"\frac{\partial L}{\partial " + wx + "}", general, subst, tup(r.dL_dw)))
        steps.append(Step("dL_db", "bias gradient", "backward", r"\frac{\partial L}{\partial b}",
                          r"\frac{\partial L}{\partial z} \cdot 1", "", (r.dL_db,)))

    # update
    if one:
        subst = rf"{paren_in(w[0])} - {fmt_in(lr)} \cdot {paren(r.dL_dw[0])}"
    else:
        subst = latex_tuple([rf"{paren_in(wi)} - {fmt_in(lr)} \cdot {paren(g)}" for wi, g in zip(w, r.dL_dw, strict=True)])
    steps.append(Step("w_new", "updated weight" + ("" if one else "s"), "update", wx + r"'",
                      wx + r" - \eta\,\frac{\partial L}{\partial " + wx + "}", subst, tup(r.new_w)))
    steps.append(Step("b_new", "updated bias", "update", "b'", r"b - \eta\,\frac{\partial L}{\partial b}",
                      rf"{paren_in(c.b)} - {fmt_in(lr)} \cdot {paren(r.dL_db)}", (r.new_b,)))
    steps.append(Step("loss_new", "loss after the step", "update", "L'", "L(w', b')", "", (r.new_loss,)))
    return tuple(steps)


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


def not_a_probability(result: NeuronResult) -> str | None:
    """Why the loss shown is no cross-entropy, or None: a loss that needs probabilities fed an
    output outside (0, 1] (a ReLU output a = 1.35 gives -log a < 0), so a 'lower' loss after the
    step is no improvement. The point of such a pairing is that it is wrong."""
    loss = losses.LOSSES.get(result.config.loss)
    if not loss.needs_probabilities:
        return None
    before = np.ravel(result.a)
    after = np.ravel(_forward(result.config, result.new_w, result.new_b)[1])
    bad = [(when, float(v)) for when, values in (("", before), (" after the step", after))
           for v in values if not 0 < v <= 1]
    if not bad:
        return None
    act = result.config.activation_fn()
    when, value = bad[0]
    return (f"{act.label or result.config.activation} gives a = {value:.4g}{when}, which is not a probability in (0, 1]: "
            f"{loss.label.lower()} then measures nothing"
            + (f", and a loss below 0 ({min(result.loss, result.new_loss):.4g} here) is not an improvement"
               if min(result.loss, result.new_loss) < 0 else "")
            + f". {loss.label} needs a probability output: sigmoid (one output) or softmax.")


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


