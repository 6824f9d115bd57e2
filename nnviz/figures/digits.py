"""Figures for the digits page: images as RGB arrays, Vega-Lite charts, a clickable confusion matrix.

- Images (the 28x28 input, the saliency overlay, feature maps, filters, example grids) are
  uint8 RGB arrays, enlarged with nearest-neighbour so every pixel stays a crisp square:
  ``st.image`` shows them without a chart library and without flashing on each stroke.
- Charts redrawn on every stroke or training tick (probability bars, training curves) are
  Vega-Lite specs with their data in ``"datasets"``: Vega updates them in place
  (STREAMLIT_NOTES.md: plotly remounts and flashes).
- The confusion matrix is a plotly figure: a heatmap plus one near-invisible scatter marker
  per cell, because clicks on heatmap traces select nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from nnviz.figures.canvas_chart import Axis, Bars, chart
from nnviz.figures.common import TABLEAU10, lines_chart, ramp

DIGITS = list(range(10))
#: One colour per model (no red: it marks the top digit).
MODEL_COLORS = [TABLEAU10[i] for i in (0, 1, 4, 6)]
TOP_COLOR = TABLEAU10[2]

# ---- colours ---------------------------------------------------------------------------------

_DIVERGING = np.array([[33, 102, 172], [247, 247, 247], [178, 24, 43]], dtype=np.float64)  # blue, white, red
_HEAT = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], dtype=np.float64)
_SALIENCY_UP = np.array([255, 64, 32], dtype=np.float64)  # red-orange
_SALIENCY_DOWN = np.array([40, 120, 255], dtype=np.float64)  # blue


def colorize(values: np.ndarray, cmap: str = "gray", vmin: float | None = None, vmax: float | None = None) -> np.ndarray:
    """(h, w) values -> (h, w, 3) uint8. ``gray``: vmin black .. vmax white (default 0..1);
    ``heat``: dark .. yellow (default 0..max); ``diverging``: blue (negative), white (0), red
    (positive), symmetric around 0 (default +-max|v|)."""
    v = np.asarray(values, dtype=np.float64)
    if cmap == "diverging":
        m = vmax if vmax is not None else float(np.nanmax(np.abs(v))) if v.size else 0.0
        rgb = ramp(0.5 + 0.5 * v / (m if m > 0 else 1.0), _DIVERGING)
    elif cmap == "heat":
        lo = 0.0 if vmin is None else vmin
        hi = (float(np.nanmax(v)) if v.size else 1.0) if vmax is None else vmax
        rgb = ramp((v - lo) / (hi - lo if hi > lo else 1.0), _HEAT)
    elif cmap == "gray":
        lo, hi = (0.0 if vmin is None else vmin), (1.0 if vmax is None else vmax)
        g = np.clip((v - lo) / (hi - lo if hi > lo else 1.0), 0, 1) * 255.0
        rgb = np.repeat(np.nan_to_num(g)[..., None], 3, axis=-1)
    else:
        raise ValueError(f"unknown colour map {cmap!r}; known: gray, heat, diverging")
    return np.rint(rgb).astype(np.uint8)


def enlarge(rgb: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement of (h, w, 3) by an integer factor."""
    if factor < 1:
        raise ValueError(f"enlargement factor must be >= 1, got {factor}")
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1)


# ---- single images ---------------------------------------------------------------------------


def digit_image(image: np.ndarray, scale: int = 8) -> np.ndarray:
    """The 28x28 input as the network sees it: (28*scale, 28*scale, 3) uint8, white on black."""
    return enlarge(colorize(image, "gray"), scale)


def saliency_image(image: np.ndarray, gradient: np.ndarray, scale: int = 8) -> np.ndarray:
    """The input dimmed to grey with the gradient laid over it: red where more ink would raise
    the class's score, blue where it would lower it; opacity grows with the gradient's size."""
    base = colorize(image, "gray").astype(np.float64) * 0.55  # dimmed, so the overlay reads
    g = np.asarray(gradient, dtype=np.float64)
    top = float(np.percentile(np.abs(g), 99.5)) if g.size else 0.0
    if top <= 0 and g.size:  # a sparse gradient: scale by its largest entry instead
        top = float(np.abs(g).max())
    alpha = (np.clip(np.abs(g) / top, 0, 1) ** 1.25 if top > 0 else np.zeros_like(g))[..., None]
    colour = np.where(g[..., None] > 0, _SALIENCY_UP, _SALIENCY_DOWN)
    rgb = base * (1 - alpha) + colour * alpha
    return enlarge(np.rint(rgb).astype(np.uint8), scale)


# ---- mosaics ---------------------------------------------------------------------------------


def mosaic(maps: np.ndarray, cols: int | None = None, scale: int = 4, cmap: str = "heat", pad: int = 1,
           per_tile: bool = False) -> np.ndarray:
    """Tile maps (k, h, w) into one RGB image, ``cols`` per row, ``pad`` grey pixels between.

    Colours share one scale across tiles (comparable), or per tile with ``per_tile``."""
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3 or len(maps) == 0:
        raise ValueError(f"maps must have shape (k, h, w) with k >= 1, got {maps.shape}")
    k, h, w = maps.shape
    cols = cols or int(np.ceil(np.sqrt(k)))
    rows = -(-k // cols)
    tiles = np.empty((k, h, w, 3), dtype=np.uint8)
    if per_tile:
        for i in range(k):  # k small colour maps (at most a few dozen), not pixels
            tiles[i] = colorize(maps[i], cmap)
    else:
        tiles[...] = colorize(maps, cmap)
    tiles = np.repeat(np.repeat(tiles, scale, axis=1), scale, axis=2)
    th, tw = h * scale, w * scale
    out = np.full((rows * (th + pad) + pad, cols * (tw + pad) + pad, 3), 200, dtype=np.uint8)
    for i in range(k):
        r, c = divmod(i, cols)
        out[pad + r * (th + pad) : pad + r * (th + pad) + th, pad + c * (tw + pad) : pad + c * (tw + pad) + tw] = tiles[i]
    return out


def feature_maps_image(values: np.ndarray, scale: int | None = None, cols: int | None = None) -> np.ndarray:
    """A hidden layer's activations as an image: conv maps (H, W, C) -> one tile per channel;
    dense units (u,) -> one small square per unit, rows of 16."""
    v = np.asarray(values, dtype=np.float64)
    if v.ndim == 3:
        maps = v.transpose(2, 0, 1)
        return mosaic(maps, cols=cols or min(8, len(maps)), scale=scale or max(1, 84 // v.shape[0]), cmap="heat")
    if v.ndim == 1:
        per_row = min(16, len(v))
        rows = -(-len(v) // per_row)
        grid = np.full(rows * per_row, np.nan)
        grid[: len(v)] = v
        top = float(np.nanmax(grid)) if np.isfinite(grid).any() else 1.0
        rgb = colorize(np.nan_to_num(grid.reshape(rows, per_row), nan=0.0), "heat", vmin=0.0, vmax=max(top, 1e-9))
        rgb[np.isnan(grid.reshape(rows, per_row))] = 200
        return enlarge(rgb, scale or 18)
    raise ValueError(f"activations must be (H, W, C) or (units,), got shape {v.shape}")


def weights_image(kind: str, weights: np.ndarray, limit: int = 32) -> np.ndarray:
    """First-layer weights as images: conv filters (F, kh, kw) or dense weights (units, 28, 28),
    blue negative / red positive, each tile on its own symmetric scale."""
    w = np.asarray(weights)[:limit]
    if kind == "filters":
        return mosaic(w, cols=min(8, len(w)), scale=max(4, 66 // w.shape[1]), cmap="diverging", pad=3, per_tile=True)
    return mosaic(w, cols=min(8, len(w)), scale=3, cmap="diverging", pad=2, per_tile=True)


# ---- charts ----------------------------------------------------------------------------------


def probability_chart(name: str, probabilities: np.ndarray, color: str = MODEL_COLORS[0], *,
                      height: int = 230) -> bytes:
    """One model's ten softmax probabilities as bars (a canvas chart), the top digit highlighted,
    each bar's percentage above it and on hover."""
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    if p.shape != (10,):
        raise ValueError(f"probabilities for {name!r} must have 10 entries, got {p.shape}")
    top = int(p.argmax())
    bars = Bars([str(d) for d in range(10)], p, [TOP_COLOR if d == top else color for d in range(10)],
                text=[f"{v:.0%}" if v >= 0.005 else "" for v in p], tips=[f"digit {d}: {v:.1%}" for d, v in enumerate(p)])
    return chart(bars, title=f"{name}: softmax probabilities", x=Axis("digit"),
                 y=Axis("probability", domain=(0.0, 1.0), fmt="f3"), height=height, legend=False)


def curves_chart(x: np.ndarray, series: Mapping[str, np.ndarray], *, y_title: str, x_title: str = "epoch",
                 y_domain: Sequence[float] | None = None, log: bool = False, height: int = 200,
                 title: str | None = None) -> dict[str, Any]:
    """Lines over training epochs (one per series, a marker on each evaluation; non-finite values
    are gaps); the spec depends only on the series names."""
    return lines_chart(x, series, y_title=y_title, x_title=x_title, log=log, y_domain=y_domain, height=height,
                       colors=MODEL_COLORS, title=title, x_axis_format=".3~f", x_format=".2f", x_step=None, points=18)


def confusion_figure(confusion: np.ndarray, selected: tuple[int, int] | None = None, height: int = 460) -> go.Figure:
    """Confusion matrix (rows: true digit, columns: predicted) with counts; off-diagonal cells
    are coloured by their share of the row, so mistakes stand out. One scatter marker per cell
    (nearly invisible) makes cells clickable: its customdata is [true, predicted]."""
    c = np.asarray(confusion, dtype=np.int64)
    if c.shape != (10, 10):
        raise ValueError(f"confusion matrix must be 10x10, got {c.shape}")
    rows = np.maximum(c.sum(axis=1, keepdims=True), 1)
    share = c / rows
    errors = np.where(np.eye(10, dtype=bool), np.nan, share)
    correct = np.where(np.eye(10, dtype=bool), share, np.nan)
    true, pred = np.meshgrid(DIGITS, DIGITS, indexing="ij")
    fig = go.Figure()
    fig.add_trace(go.Heatmap(z=correct, x=DIGITS, y=DIGITS, colorscale=[[0, "#e8f1e4"], [1, "#9fd18b"]],
                             zmin=0, zmax=1, showscale=False, hoverinfo="skip", name="correct"))
    fig.add_trace(go.Heatmap(z=errors, x=DIGITS, y=DIGITS, colorscale=[[0, "#fbfbfb"], [0.05, "#fcd9c4"], [1, "#c8331f"]],
                             zmin=0, zmax=max(float(np.nanmax(errors)) if np.isfinite(errors).any() else 0.0, 0.05),
                             showscale=False, hoverinfo="skip", name="mistakes"))
    fig.add_trace(go.Scatter(
        x=pred.ravel(), y=true.ravel(), mode="markers+text", text=[str(v) for v in c.ravel()],
        textfont={"size": 12, "color": "#222"},
        marker={"size": 34, "symbol": "square", "color": "rgba(0,0,0,0.01)"},
        customdata=[[int(t), int(p)] for t, p in zip(true.ravel(), pred.ravel(), strict=True)],  # plain lists:
        # a NumPy array would reach the browser as a typed array and come back as {"0": t, "1": p}
        hovertemplate="true %{customdata[0]}, predicted %{customdata[1]}: %{text} images<extra></extra>",
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}, "textfont": {"color": "#222"}},
        name="cells", showlegend=False,
    ))
    if selected is not None:
        t, p = selected
        fig.add_shape(type="rect", x0=p - 0.5, x1=p + 0.5, y0=t - 0.5, y1=t + 0.5, line={"color": "#1f1f1f", "width": 3})
    fig.update_xaxes(title_text="predicted digit", tickmode="array", tickvals=DIGITS, side="top", range=[-0.5, 9.5],
                     showgrid=False, zeroline=False)
    fig.update_yaxes(title_text="true digit", tickmode="array", tickvals=DIGITS, autorange="reversed", showgrid=False,
                     zeroline=False, scaleanchor="x")
    fig.update_layout(height=height, margin={"l": 50, "r": 10, "t": 50, "b": 10}, plot_bgcolor="white",
                      clickmode="event+select", dragmode=False)
    return fig
