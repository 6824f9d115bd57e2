"""Figures for the backpropagation page: the loss along one weight, the step history, the tiny
network's graph with the backward path highlighted, and the gradient check.

Each builder takes results of ``nnviz.labs.explain`` (``neuron``, ``tiny_network``,
``gradient_check``) and returns a ``go.Figure``; no widgets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnviz.labs.explain.gradient_check import GradCheckResult
from nnviz.labs.explain.numbers import fmt_plain
from nnviz.labs.explain.tiny_network import TinyResult

HIGHLIGHT = "#ef553b"
FORWARD = "#636efa"
MUTED = "#c8c8d0"
MARGIN = dict(l=60, r=20, t=50, b=50)


def _base(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=MARGIN, template="plotly_white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return fig


def loss_slice_figure(grid: np.ndarray, values: np.ndarray, w: float, loss: float, grad: float,
                      w_new: float, loss_new: float, weight_name: str = "w") -> go.Figure:
    """The loss as one weight varies: the current point, the tangent (slope = the gradient) and
    where the step lands."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=grid, y=values, mode="lines", name=f"L({weight_name})",
                             line=dict(color=FORWARD, width=2.5)))
    half = (grid[-1] - grid[0]) / 6
    tx = np.array([w - half, w + half])
    fig.add_trace(go.Scatter(x=tx, y=loss + grad * (tx - w), mode="lines",
                             name=f"tangent, slope ∂L/∂{weight_name} = {fmt_plain(grad)}",
                             line=dict(color=HIGHLIGHT, dash="dash", width=2)))
    fig.add_trace(go.Scatter(x=[w], y=[loss], mode="markers", name=f"now: {weight_name} = {fmt_plain(w)}",
                             marker=dict(color=HIGHLIGHT, size=12)))
    fig.add_trace(go.Scatter(x=[w_new], y=[loss_new], mode="markers",
                             name=f"after the step: {weight_name}′ = {fmt_plain(w_new)}",
                             marker=dict(color="#00a36c", size=12, symbol="diamond")))
    if np.isfinite(w_new) and np.isfinite(loss_new) and w_new != w:
        fig.add_annotation(x=w_new, y=loss_new, ax=w, ay=loss, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=2, arrowcolor="#00a36c")
    finite = values[np.isfinite(values)]
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        pad = 0.08 * (hi - lo or 1.0)
        fig.update_yaxes(range=[lo - pad, hi + pad])
    fig.update_xaxes(title_text=f"weight {weight_name} (other parameters fixed)")
    fig.update_yaxes(title_text="loss L")
    fig = _base(fig, 420)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.22, x=0), margin=dict(MARGIN, t=20, b=40))
    return fig


def history_figure(steps: Sequence[int], loss_values: Sequence[float],
                   weights: Sequence[Sequence[float]], names: Sequence[str]) -> go.Figure:
    """The loss and the weights after each 'Step'."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12)
    fig.add_trace(go.Scatter(x=list(steps), y=list(loss_values), mode="lines+markers", name="loss",
                             line=dict(color=FORWARD, width=2.5)), row=1, col=1)
    w = np.asarray(weights, dtype=float)
    for j, name in enumerate(names):
        fig.add_trace(go.Scatter(x=list(steps), y=w[:, j] if w.size else [], mode="lines+markers", name=name),
                      row=1, col=2)
    fig.update_xaxes(title_text="step", dtick=1 if len(steps) <= 20 else None)
    fig.update_yaxes(title_text="loss", row=1, col=1)
    if names:
        fig.update_yaxes(title_text="value", row=1, col=2)
    return _base(fig, 320)


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


def gradcheck_figure(result: GradCheckResult, threshold: float = 1e-6) -> go.Figure:
    """Relative error of backprop against finite differences, one bar per parameter (log axis)."""
    floor = 1e-16
    names = [r.name for r in result.rows]
    errors = np.array([max(r.relative_error, floor) for r in result.rows])
    colors = ["#00a36c" if r.relative_error < threshold else HIGHLIGHT for r in result.rows]
    hover = [f"{r.name}<br>backprop {r.backprop:.8g}<br>finite differences {r.numeric:.8g}"
             f"<br>relative error {r.relative_error:.2e}" for r in result.rows]
    fig = go.Figure(go.Bar(x=names, y=errors, marker_color=colors, hovertext=hover, hoverinfo="text",
                           name="relative error"))
    fig.add_hline(y=threshold, line=dict(color="black", dash="dash", width=1))
    # On a log axis, annotation y is log10 of the value.
    fig.add_annotation(x=1, xref="paper", y=np.log10(threshold), text=f"threshold {threshold:g}", showarrow=False,
                       xanchor="right", yanchor="bottom", bgcolor="rgba(255,255,255,0.8)")
    top = max(1.0, float(errors.max()) * 3) if errors.size else 1.0
    fig.update_yaxes(type="log", exponentformat="power", title_text="relative error (log scale)",
                     range=[np.log10(floor), np.log10(top)])
    fig.update_xaxes(title_text="parameter")
    fig = _base(fig, 340)
    fig.update_layout(showlegend=False)
    return fig
