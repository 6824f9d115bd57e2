"""A tiny network stepped through backward: 2 inputs, 2 hidden units, an output head of 1 or 2 units.

``tiny_forward_backward(TinyConfig(...), params)`` runs the engine's float64 ``Network`` layer by
layer and returns every forward value and gradient as table rows, and the backward pass as six
ordered ``BackwardStep``s with the graph nodes and edges each one touches. ``tiny_step`` is one
SGD step of the engine's optimizer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.labs.explain.numbers import F64, MAX_ABS, fill, indexed
from nnviz.nn import activations, initializers, losses, optimizers
from nnviz.nn.network import Network


@dataclass(frozen=True)
class TinyOutput:
    """An output head of the tiny network: how many units, their activation and the loss."""

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
        loss = losses.LOSSES.get(head.loss)
        if loss.target_range is not None and not loss.target_range[0] <= target <= loss.target_range[1]:
            low, high = loss.target_range
            raise ValueError(f"{loss.label.lower()} needs a target in [{low:g}, {high:g}], got {target:g}")
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


def tiny_backward(net: Network, config: TinyConfig, slip: bool = False) -> tuple:
    """Forward and backward through the engine's layers one by one, keeping every gradient.

    ``slip=True`` multiplies dL/dz2 by the output activation's derivative a second time (the
    notes' slip), so a gradient check can show that it is caught. Returns one sample's
    (z1, h, z2, out, loss, dL/dout, delta2, dL/dh, delta1, grads keyed like ``net.params``).
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
    z1, h, z2, out, value, dL_dout, delta2, dL_dh, delta1, grads = tiny_backward(net, config)
    W1, b1 = net.params["dense0.W"].copy(), net.params["dense0.b"].copy()
    W2, b2 = net.params["dense1.W"].copy(), net.params["dense1.b"].copy()
    head = config.head
    k = head.units
    x = np.asarray(config.x)
    hid = activations.get(config.hidden)
    outfn = activations.get(head.activation)
    fused = net.fuses_with(losses.get(head.loss))
    hs = ["h₁", "h₂"]
    ys = ["ŷ" if k == 1 else indexed("ŷ", None, j + 1) for j in range(k)]
    rows: list[TableRow] = []
    for i in range(2):
        rows.append(TableRow("forward", 0, indexed("x", None, i + 1), "input", float(x[i])))
    for j in range(2):
        rows.append(TableRow("forward", 0, indexed("z", 1, j + 1),
                             f"{indexed('w', 1, 1, j + 1)}·x₁ + {indexed('w', 1, 2, j + 1)}·x₂ + {indexed('b', 1, j + 1)}",
                             float(z1[j])))
    for j in range(2):
        rows.append(TableRow("forward", 0, hs[j], f"{hid.name}({indexed('z', 1, j + 1)})", float(h[j])))
    for m in range(k):
        rows.append(TableRow("forward", 0, indexed("z", 2, m + 1),
                             f"{indexed('w', 2, 1, m + 1)}·h₁ + {indexed('w', 2, 2, m + 1)}·h₂ + {indexed('b', 2, m + 1)}",
                             float(z2[m])))
    for m in range(k):
        rows.append(TableRow("forward", 0, ys[m], f"{outfn.name}({indexed('z', 2, m + 1) if k == 1 else 'z⁽²⁾'})",
                             float(out[m])))
    rows.append(TableRow("forward", 0, "L", losses.get(head.loss).label, float(value)))
    for m in range(k):
        rows.append(TableRow("backward", 1, f"∂L/∂{ys[m]}", "loss derivative", float(dL_dout[m])))
    for m in range(k):
        rows.append(TableRow("backward", 2, indexed("δ", 2, m + 1),
                             f"∂L/∂{indexed('z', 2, m + 1)} = " + ("ŷ − y (fused)" if fused else
                                                               f"∂L/∂{ys[m]} · {outfn.name}'"),
                             float(delta2[m])))
    for j in range(2):
        for m in range(k):
            rows.append(TableRow("backward", 3, f"∂L/∂{indexed('w', 2, j + 1, m + 1)}", f"{hs[j]}·{indexed('δ', 2, m + 1)}",
                                 float(grads["dense1.W"][j, m])))
    for m in range(k):
        rows.append(TableRow("backward", 3, f"∂L/∂{indexed('b', 2, m + 1)}", indexed("δ", 2, m + 1),
                             float(grads["dense1.b"][m])))
    for j in range(2):
        terms = " + ".join(f"{indexed('w', 2, j + 1, m + 1)}·{indexed('δ', 2, m + 1)}" for m in range(k))
        rows.append(TableRow("backward", 4, f"∂L/∂{hs[j]}", terms, float(dL_dh[j])))
    for j in range(2):
        rows.append(TableRow("backward", 5, indexed("δ", 1, j + 1), f"∂L/∂{hs[j]} · {hid.name}'({indexed('z', 1, j + 1)})",
                             float(delta1[j])))
    for i in range(2):
        for j in range(2):
            rows.append(TableRow("backward", 6, f"∂L/∂{indexed('w', 1, i + 1, j + 1)}", f"x{'₁₂'[i]}·{indexed('δ', 1, j + 1)}",
                                 float(grads["dense0.W"][i, j])))
    for j in range(2):
        rows.append(TableRow("backward", 6, f"∂L/∂{indexed('b', 1, j + 1)}", indexed("δ", 1, j + 1),
                             float(grads["dense0.b"][j])))

    outs = [f"o{m + 1}" for m in range(k)]
    hids, ins = ["h1", "h2"], ["x1", "x2"]
    delta2_latex = (r"\delta^{(2)}_k = \hat y_k - y_k" if fused else
                    r"\delta^{(2)}_k = \frac{\partial L}{\partial \hat y_k}\, f'(z^{(2)}_k)")
    if fused and k > 1:
        delta2_latex = r"\delta^{(2)}_k = \sum_m \frac{\partial L}{\partial \hat y_m}\frac{\partial \hat y_m}{\partial z^{(2)}_k} = \hat y_k - y_k"
    steps = (
        BackwardStep(1, "Loss gradient at the output",
                     r"\frac{\partial L}{\partial \hat y_k}" + _dL_dout_latex(losses.LOSSES.get(head.loss), k),
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


def tiny_step(config: TinyConfig, params: np.ndarray | None = None) -> np.ndarray:
    """One SGD step of the tiny network (the engine's optimizer); returns the new flat parameters."""
    net = tiny_network(config, params)
    loss = losses.get(config.head.loss)
    out = net.forward(config.inputs())
    net.loss_backward(loss, out, config.targets())
    optimizers.get("sgd")(learning_rate=config.learning_rate).step(net.params, net.grads)
    return net.get_flat()


def _dL_dout_latex(loss: type[losses.Loss], k: int) -> str:
    """' = ' and dL/dŷ_k in LaTeX, from the loss's template; "" where it has none, or where it
    averages over k > 1 outputs (a factor 1/k its template does not show)."""
    if not loss.grad_template or (k > 1 and not loss.sums_outputs):
        return ""
    a, y = (r"\hat y", "y") if k == 1 else (r"\hat y_k", "y_k")
    return " = " + fill(loss.grad_template, a, y)
