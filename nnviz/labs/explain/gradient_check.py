"""Is backprop right? The tiny network's gradients against central finite differences.

``gradient_check(config, params)`` compares every parameter's backprop gradient with
(L(θ + h) - L(θ - h)) / 2h (``nnviz.nn.gradcheck``); ``slip=True`` checks a deliberately wrong
backprop (the output activation's derivative counted twice) to show that the check catches it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.labs.explain.numbers import indexed
from nnviz.labs.explain.tiny_network import TinyConfig, tiny_backward, tiny_network
from nnviz.nn import gradcheck, losses


@dataclass(frozen=True)
class GradCheckRow:
    """One parameter: its backprop and finite-difference gradients and their relative error."""

    key: str  # the network's parameter key, e.g. 'dense0.W'
    index: tuple[int, ...]
    name: str  # plain text, e.g. 'w⁽¹⁾₁₂'
    backprop: float
    numeric: float
    relative_error: float


@dataclass(frozen=True)
class GradCheckResult:
    """Every parameter's row, and the engine's per-array errors, for step ``h``."""

    rows: tuple[GradCheckRow, ...]
    per_array: dict[str, float]  # nnviz.nn.gradcheck relative error per parameter array
    h: float

    @property
    def max_error(self) -> float:
        """The largest per-array relative error (norm-based, as nnviz.nn.gradcheck reports it)."""
        return max(self.per_array.values())

    @property
    def max_element_error(self) -> float:
        """The largest relative error of a single parameter."""
        return max(r.relative_error for r in self.rows)


def _param_name(key: str, index: tuple[int, ...]) -> str:
    layer = 1 if key.startswith("dense0") else 2
    return indexed(key.split(".")[1].lower(), layer, *(i + 1 for i in index))


def gradient_check(config: TinyConfig, params: np.ndarray | None = None, slip: bool = False,
                   h: float = 1e-6) -> GradCheckResult:
    """Backprop against central finite differences (nnviz.nn.gradcheck) for every parameter.

    ``slip=True`` checks a deliberately wrong backprop (the output derivative counted twice).
    """
    net = tiny_network(config, params)
    loss = losses.get(config.head.loss)
    X, y = config.inputs(), config.targets()
    if slip:
        analytic = tiny_backward(net, config, slip=True)[-1]
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

