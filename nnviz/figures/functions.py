"""Figures for the functions page: activations and derivatives, vanishing gradients, losses, softmax.

Each builder takes results of ``nnviz.labs.explain.functions`` and returns canvas chart
descriptions (``nnviz.figures.canvas_chart.chart``: packed bytes, drawn by ``nnviz.ui.canvas_chart``);
no widgets. A canvas, not Vega-Lite or plotly: their bundles were most of the page's first render
in the browser (issue 16).
"""

from __future__ import annotations

import numpy as np

from nnviz.figures.canvas_chart import Axis, Bars, Line, Rule, chart
from nnviz.figures.common import TABLEAU10, cycle
from nnviz.labs.explain.functions import ActivationCurve, DerivativeChain, InitGradients, LossCurve, SoftmaxBreakdown


def curve_name(c: ActivationCurve) -> str:
    """An activation's legend entry: its label and the hyperparameters it is drawn with."""
    return c.label + (f" ({', '.join(f'{k}={v:g}' for k, v in c.params.items())})" if c.params else "")


def lines(x: np.ndarray, series: dict[str, np.ndarray], colors: list[str] | None = None,
          dashed: tuple[str, ...] = (), markers: bool = False) -> list[Line]:
    """One line per series over the same x, coloured from TABLEAU10 unless ``colors`` are given;
    ``dashed`` names series drawn dashed and thinner (a bound beside a curve)."""
    colors = colors or [cycle(TABLEAU10, i) for i in range(len(series))]
    return [Line(name, x, y, colors[i], dash=name in dashed, width=1.5 if name in dashed else 2.0, markers=markers)
            for i, (name, y) in enumerate(series.items())]


def activation_charts(curves: list[ActivationCurve], height: int = 320) -> tuple[bytes, bytes]:
    """f(z) and f'(z) as two canvas line charts (to sit side by side), one colour per activation,
    zero lines, and a hover readout listing every value at a z."""
    z = curves[0].z if curves else np.zeros(0)
    z_max = float(np.max(np.abs(z))) if len(z) else 1.0
    x = Axis("z", domain=(-z_max, z_max), fmt="g3")

    def one(title: str, values: dict[str, np.ndarray]) -> bytes:
        return chart(Rule(x=0.0), Rule(y=0.0), *lines(z, values), title=title, x=x,
                     y=Axis(title, nice=True), height=height)

    return (one("f(z)", {curve_name(c): c.f for c in curves}),
            one("f′(z)", {curve_name(c): c.df for c in curves}))


def derivative_chain_chart(chains: list[DerivativeChain], height: int = 340) -> bytes:
    """|d a_n / d a_0| against depth n on a log axis (a canvas line chart), with each
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
    x = Axis("number of layers n", domain=(1, max(int(depth[-1]), 2)), whole=True, fmt="d", short="n")
    return chart(Rule(y=1.0), *lines(depth, series, colors, tuple(dashed)), title=title, x=x,
                 y=Axis("|∂aₙ/∂a₀| (log scale)", log=True, nice=True, fmt="e4"), height=height)


def init_gradients_charts(results: list[InitGradients], height: int = 320, title: str = "") -> tuple[bytes, bytes]:
    """Per layer: the spread of the hidden activations and the weight-gradient norm (log axis),
    two canvas line charts with a marker per layer, a line per result (``InitGradients.label``);
    one whose gradients are exactly 0 says so in its name (a log axis has no 0: those are gaps).
    ``title`` prefixes both charts' titles ("title · forward: ...")."""
    names = []
    for r in results:
        norms = np.where(r.grad_norms > 0, r.grad_norms, np.nan)
        name = r.label
        if np.all(np.isnan(norms)):
            name += " (every gradient exactly 0)"
        elif np.any(np.isnan(norms)):
            name += " (gaps: exactly 0)"
        names.append(name)
    prefix = f"{title} · " if title else ""
    n_h = len(results[0].activation_std) if results else 1
    n_w = len(results[0].grad_norms) if results else 1
    std = {n: r.activation_std for n, r in zip(names, results, strict=True)}
    norms = {n: np.where(r.grad_norms > 0, r.grad_norms, np.nan) for n, r in zip(names, results, strict=True)}
    forward = chart(Rule(y=0.0), *lines(np.arange(1, n_h + 1), std, markers=True),
                    title=f"{prefix}forward: std of each hidden layer's output",
                    x=Axis("hidden layer", domain=(1, max(n_h, 2)), whole=True, fmt="d"),
                    y=Axis("std", nice=True), height=height)
    backward = chart(*lines(np.arange(1, n_w + 1), norms, markers=True),
                     title=f"{prefix}backward: ‖∂L/∂W‖ per layer (log scale)",
                     x=Axis("layer (input side → output side)", domain=(1, max(n_w, 2)), whole=True, fmt="d",
                            short="layer"),
                     y=Axis("‖∂L/∂W‖ (log scale)", log=True, nice=True), height=height)
    return forward, backward


def loss_charts(curves: list[LossCurve], title: str = "", height: int = 280) -> tuple[bytes, bytes]:
    """The loss and its gradient against the prediction, probability or logit: two canvas line
    charts, one colour per loss, zero lines, a hover readout listing every value. ``title``
    prefixes both charts' titles."""
    against = curves[0].against if curves else "prediction"
    x = curves[0].x if curves else np.zeros(0)
    lo, hi = (float(np.min(x)), float(np.max(x))) if len(x) else (0.0, 1.0)
    x_axis = Axis(against, domain=(lo, hi) if hi > lo else None, fmt="g3")
    prefix = f"{title}: " if title else ""
    loss = chart(Rule(y=0.0), *lines(x, {c.label: c.value for c in curves}),
                 title=f"{prefix}loss L against the {against}", x=x_axis, y=Axis("loss L", nice=True), height=height)
    grad = chart(Rule(y=0.0), *lines(x, {c.label: c.grad for c in curves}),
                 title=f"{prefix}gradient ∂L/∂({against})", x=x_axis, y=Axis(f"∂L/∂({against})", nice=True),
                 height=height)
    return loss, grad


def bars_chart(labels: list[str], values: np.ndarray, *, title: str, color: str, text: list[str],
               y_domain: tuple[float, float] | None = None, height: int = 280) -> bytes:
    """One bar per label with ``text`` (its value, formatted) written on it and in its tip."""
    tips = [f"logit {label}\n{title}: {t}" for label, t in zip(labels, text, strict=True)]
    return chart(Bars(labels, values, color, text=text, tips=tips), title=title,
                 y=Axis(domain=y_domain, fmt="g4", nice=y_domain is None), height=height, legend=False)


def softmax_charts(b: SoftmaxBreakdown) -> tuple[bytes, bytes]:
    """The shifted exponentials and the probabilities, one bar per logit: two canvas bar charts."""
    labels = [f"z{i + 1} = {v:g}" for i, v in enumerate(b.logits)]
    exp = bars_chart(labels, b.exp, title="e^(z/T − max), summed", color=TABLEAU10[0],
                     text=[f"{v:.4g}" for v in b.exp], y_domain=(0, 1.1))
    probs = bars_chart(labels, b.probs, title=f"probabilities (T = {b.temperature:g})", color=TABLEAU10[4],
                       text=[f"{v:.4f}" for v in b.probs], y_domain=(0, 1.1))
    return exp, probs


def softmax_temperature_chart(temps: np.ndarray, probs: np.ndarray, current: float,
                              logits: np.ndarray | None = None, height: int = 300) -> bytes:
    """Each class's probability as the temperature varies (log axis), a grey rule at the current T:
    a canvas line chart."""
    temps = np.asarray(temps, dtype=float)
    names = [f"z{i + 1}" + (f" = {logits[i]:g}" if logits is not None else "") for i in range(probs.shape[1])]
    x = Axis("temperature T (log scale)", log=True, domain=(float(temps.min()), float(temps.max())), fmt="g3",
             short="T")
    return chart(Rule(x=float(current), color="#999999", label=f"T = {current:g}"),
                 *lines(temps, {n: probs[:, i] for i, n in enumerate(names)}),
                 title=f"probabilities against T (grey line: T = {current:g})", x=x,
                 y=Axis("probability", domain=(0, 1)), height=height)
