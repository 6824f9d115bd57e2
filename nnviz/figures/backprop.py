"""Figures for the backpropagation page: the loss along one weight, the step history, the tiny
network's graph with the backward path highlighted, and the gradient check.

Each builder takes results of ``nnviz.labs.explain`` (``neuron``, ``tiny_network``,
``gradient_check``); no widgets. The loss slice, the histories and the gradient check are canvas
chart descriptions (``nnviz.figures.canvas_chart.chart``: packed bytes, drawn by
``nnviz.ui.canvas_chart``): the default tab then loads neither plotly's nor Vega-Lite's bundle
(issue 16). The tiny network's graph, on a tab opened later, is a ``go.Figure`` (its annotated
nodes and edges).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from nnviz.figures.canvas_chart import Axis, Bars, Line, Points, Rule, chart
from nnviz.figures.common import TABLEAU10, cycle
from nnviz.labs.explain.gradient_check import GradCheckResult
from nnviz.labs.explain.numbers import fmt_plain
from nnviz.labs.explain.tiny_network import TinyResult

HIGHLIGHT = "#ef553b"
FORWARD = "#636efa"
STEP = "#00a36c"
MUTED = "#c8c8d0"
MARGIN = dict(l=60, r=20, t=50, b=50)


def _base(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=MARGIN, template="plotly_white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return fig


def _domain(*arrays, pad: float = 0.0) -> list[float] | None:
    finite = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays])
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return None
    lo, hi = float(finite.min()), float(finite.max())
    margin = pad * (hi - lo or max(abs(lo), 1.0))
    return [lo - margin, hi + margin]


def _span(lo_hi: list[float] | None) -> tuple[float, float] | None:
    return (lo_hi[0], lo_hi[1]) if lo_hi is not None and lo_hi[1] > lo_hi[0] else None


def loss_slice_figure(grid: np.ndarray, values: np.ndarray, w: float, loss: float, grad: float,
                      w_new: float, loss_new: float, weight_name: str = "w",
                      height: int = 400) -> bytes:
    """The loss as one weight varies: the current point, the tangent (slope = the gradient) and
    where the step lands (a segment from the current point to a diamond), as a canvas chart.

    The lines (the loss, the dashed tangent) and the points (now, after the step) are named in the
    legend with their numbers; hovering the curve shows (w, L) at its nearest grid point, hovering a
    point its values. The y axis fits the curve (padded by 8%); the tangent is clipped to the plot."""
    n = weight_name
    names = {"curve": f"L({n})", "tangent": f"tangent, slope ∂L/∂{n} = {fmt_plain(grad)}",
             "now": f"now: {n} = {fmt_plain(w)}", "after": f"after the step: {n}′ = {fmt_plain(w_new)}"}
    grid = np.asarray(grid, dtype=np.float64)
    half = (grid[-1] - grid[0]) / 6
    tx = np.array([w - half, w + half])
    marks: list[Any] = [Line(names["curve"], grid, values, FORWARD, width=2.5),
                        Line(names["tangent"], tx, loss + grad * (tx - w), HIGHLIGHT, dash=True, width=3, hover=False)]
    if np.isfinite([w_new, loss_new]).all() and w_new != w:
        (x0, y0), (x1, y1) = sorted([(w, loss), (w_new, loss_new)])
        marks.append(Line("the step", [x0, x1], [y0, y1], STEP, width=2.5, legend=False, hover=False))

    def point(name: str, x: float, y: float, color: str, shape: str) -> Points:
        return Points(names[name], [x], [y], color, shape=shape, size=7.5,
                      tips=[f"{n} = {fmt_plain(x)}\nL = {fmt_plain(y)}"])

    marks += [point("now", w, loss, HIGHLIGHT, "circle"), point("after", w_new, loss_new, STEP, "diamond")]
    return chart(*marks, x=Axis(f"weight {n} (other parameters fixed)", domain=_span(_domain(grid, [w, w_new])), fmt="f4",
                          short=n),
                 y=Axis("loss L", domain=_span(_domain(values, pad=0.08)), fmt="f4"), height=height)


def history_figure(steps: Sequence[int], loss_values: Sequence[float],
                   weights: Sequence[Sequence[float]] = (), names: Sequence[str] = ()) -> list[bytes]:
    """The loss after each 'Step' and, if ``names`` are given, the weights (one line each): one
    or two canvas line charts with a marker per step; hovering lists the values at a step."""
    x = np.asarray(list(steps), dtype=np.float64)
    axis = Axis("step", whole=True, fmt="d")
    charts = [chart(Line("loss", x, np.asarray(loss_values, dtype=np.float64), FORWARD, markers=True),
                    x=axis, y=Axis("loss", nice=True), height=220)]
    if names:
        w = np.asarray(weights, dtype=np.float64).reshape(len(x), len(names))
        charts.append(chart(*[Line(name, x, w[:, j], cycle(TABLEAU10, j), markers=True) for j, name in enumerate(names)],
                            x=axis, y=Axis("value", nice=True), height=220))
    return charts


TOP, BOTTOM = 0.8, 0.2


def _positions(result: TinyResult) -> dict[str, tuple[float, float]]:
    k = result.n_out
    pos = {"x1": (0.0, TOP), "x2": (0.0, BOTTOM), "h1": (1.0, TOP), "h2": (1.0, BOTTOM), "L": (3.0, 0.5)}
    if k == 1:
        pos["o1"] = (2.0, 0.5)
    else:
        for m in range(k):
            pos[f"o{m + 1}"] = (2.0, TOP - (TOP - BOTTOM) * m / (k - 1))
    return pos


def _node_gradients(result: TinyResult, step: int) -> dict[str, tuple[str, float]]:
    """What each highlighted node shows at backward ``step``: (symbol, value)."""
    outs = [f"o{m + 1}" for m in range(result.n_out)]
    if step == 1:
        return {o: ("∂L/∂ŷ", float(result.dL_dout[m])) for m, o in enumerate(outs)}
    if step == 2:
        return {o: ("δ", float(result.delta2[m])) for m, o in enumerate(outs)}
    if step == 4:
        return {h: ("∂L/∂h", float(result.dL_dh[j])) for j, h in enumerate(("h1", "h2"))}
    if step == 5:
        return {h: ("δ", float(result.delta1[j])) for j, h in enumerate(("h1", "h2"))}
    return {}


def _label_position(result: TinyResult, src: str, dst: str) -> float:
    """Where along an edge its label sits: the middle, except for the two crossing edges between
    2-unit layers, labelled a quarter of the way so the labels (one high, one low) do not collide."""
    pos = _positions(result)
    (_, y0), (_, y1) = pos[src], pos[dst]
    two_to_two = src[0] == "x" or result.n_out == 2
    if dst == "L" or y0 == y1 or not two_to_two:
        return 0.5
    return 0.25


def network_figure(result: TinyResult, step: int = 0) -> go.Figure:
    """The 2-2-k network as a graph. Step 0: the forward pass (weights on edges, values in nodes).
    Step s >= 1: backward step s, its nodes and edges highlighted with their gradients."""
    if not 0 <= step <= len(result.steps):
        raise ValueError(f"step must be in [0, {len(result.steps)}], got {step}")
    pos = _positions(result)
    current = result.steps[step - 1] if step else None
    hot_nodes = set(current.nodes) if current else set()
    hot_edges = set(current.edges) if current else set()
    show_grad_on_edges = step in (3, 6)
    node_grads = _node_gradients(result, step)
    fig = go.Figure()
    annotations = []
    for src, dst, weight, grad in result.edges:
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        hot = (src, dst) in hot_edges
        line_color = HIGHLIGHT if hot else (FORWARD if step == 0 else MUTED)
        fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                                 line=dict(color=line_color, width=5 if hot else 2)))
        frac = _label_position(result, src, dst)
        lx, ly = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0)
        if dst == "L":
            text = ""  # the output nodes show dL/dy
        elif hot and show_grad_on_edges:
            text = f"∂L/∂w = {fmt_plain(grad)}"
        else:
            text = f"w = {fmt_plain(weight)}"
        if text:
            annotations.append(dict(x=lx, y=ly, text=text, showarrow=False, bgcolor="rgba(255,255,255,0.9)",
                                    font=dict(size=12, color=HIGHLIGHT if hot else "#444")))
    xs, ys, labels, colors, borders, hover = [], [], [], [], [], []
    for node, label, value in result.nodes:
        x, y = pos[node]
        hot = node in hot_nodes
        xs.append(x)
        ys.append(y)
        labels.append(label)
        colors.append("#ffe3dc" if hot else "#eef0ff")
        borders.append(HIGHLIGHT if hot else FORWARD)
        hover.append(f"{label} = {fmt_plain(value)}")
        # Values outside the crossing region: above the top row, below the bottom row and the middle.
        up = 1.0 if y >= TOP else -1.0
        annotations.append(dict(x=x, y=y + up * 0.095, text=f"{label} = {fmt_plain(value)}", showarrow=False,
                                font=dict(size=12, color="#333"), bgcolor="rgba(255,255,255,0.9)"))
        if node in node_grads:
            sym, g = node_grads[node]
            gy = y + up * 0.165 if y in (TOP, BOTTOM) else y + 0.095
            annotations.append(dict(x=x, y=gy, text=f"<b>{sym} = {fmt_plain(g)}</b>", showarrow=False,
                                    font=dict(size=12, color=HIGHLIGHT), bgcolor="rgba(255,255,255,0.9)"))
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers+text", text=labels, textfont=dict(size=16),
                             hovertext=hover, hoverinfo="text", showlegend=False,
                             marker=dict(size=40, color=colors, line=dict(color=borders, width=3))))
    title = "Forward pass: values at the nodes, weights on the edges" if step == 0 else (
        f"Backward stage {step} of {len(result.steps)}: {current.title}")
    for x, text in ((0, "inputs"), (1, "hidden"), (2, "output"), (3, "loss")):
        annotations.append(dict(x=x, y=1.06, text=f"<i>{text}</i>", showarrow=False, font=dict(color="#888")))
    fig.update_layout(annotations=annotations, title=dict(text=title, x=0, font=dict(size=15)))
    fig.update_xaxes(visible=False, range=[-0.35, 3.35])
    fig.update_yaxes(visible=False, range=[-0.06, 1.1])
    fig = _base(fig, 460)
    fig.update_layout(hovermode="closest", margin=dict(l=10, r=10, t=50, b=10))
    return fig


def gradcheck_figure(result: GradCheckResult, threshold: float = 1e-6, height: int = 340) -> bytes:
    """Relative error of backprop against finite differences, one bar per parameter (log axis,
    green below ``threshold``, red above), the threshold as a dashed rule; hovering a bar shows
    both gradients and the error. A canvas bar chart."""
    floor = 1e-16
    rows = result.rows
    errors = np.array([max(r.relative_error, floor) for r in rows], dtype=np.float64)
    top = max(1.0, float(errors.max()) * 3) if errors.size else 1.0
    tips = [f"{r.name}\nbackprop: {r.backprop:.8g}\nfinite differences: {r.numeric:.8g}\n"
            f"relative error: {r.relative_error:.2e}" for r in rows]
    bars = Bars([r.name for r in rows], errors, [STEP if r.relative_error < threshold else HIGHLIGHT for r in rows],
                tips=tips, base=floor)
    return chart(bars, Rule(y=threshold, color="#000000", dash=True, label=f"threshold {threshold:g}"),
                 x=Axis("parameter"), y=Axis("relative error (log scale)", log=True, domain=(floor, top), fmt="e3"),
                 height=height, legend=False)
