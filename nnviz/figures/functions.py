"""Figures for the functions page: activations and derivatives, vanishing gradients, losses, softmax.

Each builder takes results of ``nnviz.labs.explain.functions`` and returns Vega-Lite specs (dicts;
the line charts built with ``nnviz.figures.common.lines_chart``); no widgets. Vega-Lite, not plotly:
loading plotly's bundle cost the page's first chart over a second in the browser (issue #16).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nnviz.figures.common import CANVAS, CONFIG, FIT_X, TABLEAU10, cycle, lines_chart
from nnviz.labs.explain.functions import ActivationCurve, DerivativeChain, InitGradients, LossCurve, SoftmaxBreakdown

#: Decades on a log axis as 1e-8, 1e-10, ... (Vega's default mixes 0.000001 and 1e-8).
LOG_AXIS = {"format": "~e"}


def curve_name(c: ActivationCurve) -> str:
    """An activation's legend entry: its label and the hyperparameters it is drawn with."""
    return c.label + (f" ({', '.join(f'{k}={v:g}' for k, v in c.params.items())})" if c.params else "")


def activation_charts(curves: list[ActivationCurve], height: int = 300) -> tuple[dict[str, Any], dict[str, Any]]:
    """f(z) and f'(z) as two Vega-Lite line charts (to sit side by side), one colour per
    activation, zero lines, and a hover rule listing every value at a z."""
    z = curves[0].z if curves else np.zeros(0)
    z_max = float(np.max(np.abs(z))) if len(z) else 1.0
    common = dict(x_title="z", height=height, x_scale={"domain": [-z_max, z_max], "nice": False, "zero": False},
                  x_axis_format="~g", x_format=".3~g", x_step=None, x_rules=(0.0,), y_rules=(0.0,), colors=TABLEAU10,
                  legend={"columns": 3, "labelLimit": 260})  # half a page wide: wrap, do not cut
    f = lines_chart(z, {curve_name(c): c.f for c in curves}, y_title="f(z)", title="f(z)", **common)
    df = lines_chart(z, {curve_name(c): c.df for c in curves}, y_title="f′(z)", title="f′(z)", **common)
    return f, df


def derivative_chain_chart(chains: list[DerivativeChain], height: int = 320) -> dict[str, Any]:
    """|d a_n / d a_0| against depth n on a log axis (a Vega-Lite line chart), with each
    activation's best case bound^n dotted in its colour and a grey line at 1; a chain that is
    exactly 0 has no line and is named in the title."""
    series: dict[str, np.ndarray] = {}
    colors: list[str] = []
    dashed: list[str] = []
    dead = []
    for i, c in enumerate(chains):
        y = np.where(np.isfinite(c.log10_abs), c.product, np.nan)
        if not np.any(np.isfinite(y) & (y > 0)):
            dead.append(c.label)
        series[c.label] = y
        colors.append(cycle(TABLEAU10, i))
        if 0 < c.bound != 1:
            with np.errstate(under="ignore", over="ignore"):
                bound = np.power(c.bound, c.depth.astype(float))
            series[f"{c.label}: best case"] = bound
            colors.append(cycle(TABLEAU10, i))
            dashed.append(f"{c.label}: best case")
    title = "the gradient through n layers"
    if dead:
        title += f" ({', '.join(dead)}: exactly 0 from the first layer, no gradient at all)"
    depth = chains[0].depth if chains else np.arange(1, 2)
    return lines_chart(depth, series, y_title="|∂aₙ/∂a₀| (log scale)", x_title="number of layers n", log=True,
                       log_floor=None, height=height, colors=colors, title=title, fmt=".3e", dashed=dashed,
                       y_rules=(1.0,), x_scale={"domain": [1, max(int(depth[-1]), 2)], "nice": False},
                       x_axis_format="d", legend={"columns": 4}, y_axis=LOG_AXIS)


def init_gradients_charts(results: list[InitGradients], height: int = 300) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per layer: the spread of the hidden activations and the weight-gradient norm (log axis),
    two Vega-Lite line charts with a marker per layer; an initializer whose gradients are exactly 0
    says so in its name (a log axis has no 0: those are gaps)."""
    names = []
    for r in results:
        norms = np.where(r.grad_norms > 0, r.grad_norms, np.nan)
        name = r.init
        if np.all(np.isnan(norms)):
            name += " (every gradient exactly 0)"
        elif np.any(np.isnan(norms)):
            name += " (gaps: exactly 0)"
        names.append(name)
    n_h = len(results[0].activation_std) if results else 1
    n_w = len(results[0].grad_norms) if results else 1
    common = dict(height=height, colors=TABLEAU10, points=30, x_axis_format="d", fmt=".4g",
                  legend={"columns": 2, "labelLimit": 260})
    forward = lines_chart(np.arange(1, n_h + 1), {n: r.activation_std for n, r in zip(names, results, strict=True)},
                          y_title="std", x_title="hidden layer", title="forward: std of each hidden layer's output",
                          y_rules=(0.0,), x_scale={"domain": [1, max(n_h, 2)], "nice": False}, **common)
    backward = lines_chart(np.arange(1, n_w + 1), {n: r.grad_norms for n, r in zip(names, results, strict=True)},
                           y_title="‖∂L/∂W‖ (log scale)", x_title="layer (input side → output side)",
                           title="backward: ‖∂L/∂W‖ per layer (log scale)", log=True, log_floor=None,
                           x_scale={"domain": [1, max(n_w, 2)], "nice": False}, y_axis=LOG_AXIS, **common)
    return forward, backward


def _x_span(x: np.ndarray) -> dict[str, Any]:
    """An x scale over exactly the data (the curves may start below 0)."""
    lo, hi = (float(np.min(x)), float(np.max(x))) if len(x) else (0.0, 1.0)
    return {"domain": [lo, hi], "nice": False, "zero": False}


def loss_charts(curves: list[LossCurve], title: str = "", height: int = 240) -> tuple[dict[str, Any], dict[str, Any]]:
    """The loss and its gradient against the prediction, probability or logit: two Vega-Lite line
    charts, one colour per loss, zero lines, a hover rule listing every value. ``title`` prefixes
    both charts' titles."""
    against = curves[0].against if curves else "prediction"
    x = curves[0].x if curves else np.zeros(0)
    common = dict(x_title=against, height=height, x_scale=_x_span(x), x_axis_format="~g", x_format=".3~g",
                  x_step=None, y_rules=(0.0,), colors=TABLEAU10, legend={"columns": 3, "labelLimit": 260})
    prefix = f"{title}: " if title else ""
    loss = lines_chart(x, {c.label: c.value for c in curves}, y_title="loss L",
                       title=f"{prefix}loss L against the {against}", **common)
    grad = lines_chart(x, {c.label: c.grad for c in curves}, y_title=f"∂L/∂({against})",
                       title=f"{prefix}gradient ∂L/∂({against})", **common)
    return loss, grad


def bars_chart(labels: list[str], values: np.ndarray, *, title: str, color: str, fmt: str,
               y_domain: tuple[float, float] | None = None, height: int = 240) -> dict[str, Any]:
    """One bar per label with its value written on it (and in the tooltip): a Vega-Lite spec."""
    table = pa.table({"label": pa.array(labels, pa.string()), "value": pa.array(np.asarray(values, dtype=float))})
    x = {"field": "label", "type": "nominal", "title": None, "sort": None, "axis": {"labelAngle": 0}}
    y: dict[str, Any] = {"field": "value", "type": "quantitative", "title": None}
    if y_domain is not None:
        y["scale"] = {"domain": list(y_domain)}
    tooltip = [{"field": "label", "type": "nominal", "title": "logit"},
               {"field": "value", "type": "quantitative", "format": fmt, "title": title}]
    return {
        "height": height, "autosize": FIT_X, "usermeta": CANVAS,
        "datasets": {"bars": table}, "data": {"name": "bars"},
        "title": {"text": title, "fontSize": 13, "anchor": "start"},
        "encoding": {"x": x, "y": y, "tooltip": tooltip},
        "layer": [{"mark": {"type": "bar", "color": color, "cornerRadiusEnd": 2}},
                  {"mark": {"type": "text", "baseline": "bottom", "dy": -2, "fontSize": 11},
                   "encoding": {"text": {"field": "value", "type": "quantitative", "format": fmt}}}],
        "config": CONFIG,
    }


def softmax_charts(b: SoftmaxBreakdown) -> tuple[dict[str, Any], dict[str, Any]]:
    """The shifted exponentials and the probabilities, one bar per logit: two Vega-Lite bar charts."""
    labels = [f"z{i + 1} = {v:g}" for i, v in enumerate(b.logits)]
    exp = bars_chart(labels, b.exp, title="e^(z/T − max), summed", color=TABLEAU10[0], fmt=".4~g",
                     y_domain=(0, 1.1))
    probs = bars_chart(labels, b.probs, title=f"probabilities (T = {b.temperature:g})", color=TABLEAU10[4],
                       fmt=".4f", y_domain=(0, 1.1))
    return exp, probs


def softmax_temperature_chart(temps: np.ndarray, probs: np.ndarray, current: float,
                              logits: np.ndarray | None = None, height: int = 260) -> dict[str, Any]:
    """Each class's probability as the temperature varies (log axis), a grey rule at the current T:
    a Vega-Lite line chart."""
    names = [f"z{i + 1}" + (f" = {logits[i]:g}" if logits is not None else "") for i in range(probs.shape[1])]
    return lines_chart(np.asarray(temps, dtype=float), {n: probs[:, i] for i, n in enumerate(names)},
                       y_title="probability", x_title="temperature T (log scale)", y_domain=(0, 1), height=height,
                       colors=TABLEAU10, title=f"probabilities against T (grey line: T = {current:g})",
                       x_scale={"type": "log", "nice": False}, x_axis_format="~g", x_format=".3~g", x_step=None,
                       x_rules=(float(current),), legend={"columns": 4})
