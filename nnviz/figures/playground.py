"""Vega-Lite figures for the playground: decision surface, network graph, curves, diagnostics.

Every builder returns a Vega-Lite spec (a dict) whose ``"datasets"`` hold small Arrow tables;
``st.vega_lite_chart(spec=...)`` sends them as they are (Streamlit's fast path).

These charts are redrawn several times a second while training. Vega charts update their data
in place when the spec is unchanged (plotly remounts and flashes blank; STREAMLIT_NOTES.md), so
each spec depends only on the layout (architecture, sizes, toggles), never on the values. The
browser's cost grows with the number of marks (Streamlit turns each Arrow cell into a JavaScript
field, then Vega encodes and draws each mark), and an ``image`` mark would flash blank while its
new picture loads; so heatmaps are drawn as rectangles, quantized to ``SURFACE_LEVELS`` colours
and run-length encoded along each grid row: a 100x100 surface is 1-3 thousand rectangles,
exactly on the pixel grid, instead of 10,000 cells.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from nnviz.figures.common import CANVAS, TABLEAU10, lines_chart, vega_ramp
from nnviz.figures.common import CONFIG as PLAIN

DOMAIN: tuple[float, float] = (-1.5, 1.5)
ORANGE = "#f59322"  # class 0 / negative (the TensorFlow Playground's colours)
BLUE = "#0877bd"  # class 1 / positive
MID = "#e8eaeb"
DIVERGING = [ORANGE, MID, BLUE]
#: The surface behind the points is lighter, so the points (full colour, white rim) stand out.
DIVERGING_LIGHT = ["#f9c58c", "#f3f4f4", "#7fb4dc"]
SERIES_COLORS = ["#1f1f1f", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
#: One colour per compared run (no orange: it is class 0 here).
COMPARE_COLORS = [TABLEAU10[i] for i in (0, 4, 2, 6)]
#: No ARIA attributes per mark (thousands of rectangles), plain axes.
CONFIG: dict[str, Any] = {**PLAIN, "mark": {"aria": False}}
#: Fixed-size charts: width/height are the plot area, whole pixels per cell (Streamlit's default
#: "fit" would shrink the plot to make room for the axes).
PAD: dict[str, Any] = {"type": "pad", "contains": "content"}
NEURON_CELL_PX = 2
#: Colour levels of the heatmaps (48 and 32 steps show no banding on these scales).
SURFACE_LEVELS = 48
NEURON_LEVELS = 32


def _small_uint(n: int) -> type:
    return np.uint8 if n <= 255 else np.uint16


def _labels(codes: np.ndarray, names: Sequence[str]) -> pa.DictionaryArray:
    """A dictionary-encoded string column: each name sent once."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, np.int32)), pa.array([str(n) for n in names]))


def run_lengths(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Runs of equal codes along each row of (rows, cols): (row, start, stop, code) per run,
    in row-major order; ``stop`` is exclusive."""
    codes = np.asarray(codes)
    rows, cols = codes.shape
    change = np.ones((rows, cols), dtype=bool)
    change[:, 1:] = codes[:, 1:] != codes[:, :-1]
    r, c = np.nonzero(change)
    next_r = np.append(r[1:], -1)
    next_c = np.append(c[1:], cols)
    stop = np.where(next_r == r, next_c, cols)
    return r, c, stop, codes[r, c]


# ---- decision surface ---------------------------------------------------------------------

def surface_codes(values: np.ndarray, task: str, discretize: bool = False,
                  levels: int = SURFACE_LEVELS) -> np.ndarray:
    """(res, res) values -> uint8 codes 0..levels-1 on the colour scale.

    Classification: P(blue) in [0, 1] (discretized: 0 or 255 at the 0.5 threshold).
    Regression: predictions clipped to [-1, 1] (discretized: 9 bands).
    """
    v = np.nan_to_num(np.asarray(values, dtype=np.float32), nan=0.5 if task == "classification" else 0.0)
    if task == "classification":
        u = np.clip(v, 0.0, 1.0)
        if discretize:
            u = (u >= 0.5).astype(np.float32)
    else:
        u = (np.clip(v, -1.0, 1.0) + 1.0) * 0.5
        if discretize:
            u = np.round(u * 8.0) / 8.0
    return np.round(u * (levels - 1)).astype(np.uint8)


def surface_runs(values: np.ndarray, task: str, discretize: bool = False, cell_px: int = 5) -> pa.Table:
    """The surface as horizontal runs in pixels: x0, x1 (uint16), y (row centre), v (level)."""
    codes = surface_codes(values, task, discretize)
    size = len(codes) * cell_px
    r, start, stop, v = run_lengths(codes)
    return pa.table({"x0": (start * cell_px).astype(np.uint16), "x1": (stop * cell_px).astype(np.uint16),
                     "y": (size - (r + 0.5) * cell_px).astype(np.float32), "v": v.astype(np.uint8)})


def points_frame(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray | None = None,
                 y_test: np.ndarray | None = None) -> pa.Table:
    """Points for ``surface_chart``: x, y, c (label or target), t (0 train, 1 test)."""
    parts_X = [np.asarray(X_train, np.float32)]
    parts_y = [np.asarray(y_train, np.float32)]
    parts_t = [np.zeros(len(X_train), np.uint8)]
    if X_test is not None and y_test is not None and len(X_test):
        parts_X.append(np.asarray(X_test, np.float32))
        parts_y.append(np.asarray(y_test, np.float32))
        parts_t.append(np.ones(len(X_test), np.uint8))
    X = np.concatenate(parts_X)
    return pa.table({"x": X[:, 0], "y": X[:, 1], "c": np.concatenate(parts_y), "t": np.concatenate(parts_t)})


def _surface_scale(task: str) -> dict[str, Any]:
    return vega_ramp([0, 0.5, 1] if task == "classification" else [-1, 0, 1], DIVERGING)


def surface_chart(values: np.ndarray, points: pa.Table, task: str, *, discretize: bool = False,
                  cell_px: int = 5, title: str | None = None, domain: tuple[float, float] = DOMAIN,
                  point_size: float = 40) -> dict[str, Any]:
    """The network's output over the plane as a heatmap, with the data points on top.

    ``values`` (res, res): rows are x2 from low to high, columns x1. Classification shows
    P(blue) from orange (0) through grey (0.5) to blue (1); regression the prediction in [-1, 1].
    Train points have a white rim, test points a black one. Each cell is ``cell_px`` whole
    pixels, so there are no anti-aliasing seams.
    """
    res = int(values.shape[0])
    size = res * int(cell_px)
    lo, hi = map(float, domain)
    top = SURFACE_LEVELS - 1
    pixels = {"type": "quantitative", "scale": {"domain": [0, size], "nice": False, "zero": False}, "axis": None}
    cells = {
        "data": {"name": "runs"},
        "mark": {"type": "rect", "height": cell_px, "strokeWidth": 0, "opacity": 1},
        "encoding": {
            "x": {"field": "x0", **pixels}, "x2": {"field": "x1"},
            "y": {"field": "y", **pixels, "scale": {**pixels["scale"], "reverse": True}},
            "color": {"field": "v", "type": "quantitative", "legend": None,
                      "scale": vega_ramp([0, top / 2, top], DIVERGING_LIGHT)},
        },
    }
    point_tooltip = [{"field": "x", "type": "quantitative", "format": ".2f", "title": "x1"},
                     {"field": "y", "type": "quantitative", "format": ".2f", "title": "x2"},
                     {"field": "c", "type": "quantitative", "format": ".3g",
                      "title": "label (0 orange, 1 blue)" if task == "classification" else "target"}]
    x_axis = {"field": "x", "type": "quantitative", "title": "x1",
              "scale": {"domain": [lo, hi], "nice": False, "zero": False}, "axis": {"tickCount": 7, "grid": False}}
    y_axis = {"field": "y", "type": "quantitative", "title": "x2",
              "scale": {"domain": [lo, hi], "nice": False, "zero": False}, "axis": {"tickCount": 7, "grid": False}}

    def dots(test: bool) -> dict[str, Any]:
        return {
            "data": {"name": "points"},
            "transform": [{"filter": f"datum.t == {int(test)}"}],
            "mark": {"type": "circle", "size": point_size, "opacity": 1, "clip": True,
                     "stroke": "#222" if test else "#fff", "strokeWidth": 1.0 if test else 0.9},
            "encoding": {"x": x_axis, "y": y_axis,
                         "fill": {"field": "c", "type": "quantitative", "scale": _surface_scale(task), "legend": None},
                         "tooltip": point_tooltip},
        }

    spec: dict[str, Any] = {
        "width": size, "height": size, "autosize": PAD, "usermeta": CANVAS,
        "datasets": {"runs": surface_runs(values, task, discretize, int(cell_px)), "points": points},
        # The cells sit on pixel scales (no axes); the points on data scales, with the axes.
        "layer": [cells, {"layer": [dots(False), dots(True)]}],
        "resolve": {"scale": {"x": "independent", "y": "independent"}, "axis": {"x": "independent", "y": "independent"}},
        "config": CONFIG,
    }
    if title:
        spec["title"] = {"text": title, "fontSize": 13}
    return spec


# ---- curves -------------------------------------------------------------------------------

def loss_chart(curves: Mapping[str, np.ndarray], *, log: bool = False, height: int = 210) -> dict[str, Any]:
    """Train and test loss over steps (from ``playground.curves``)."""
    series = {"train loss": curves["train_loss"]}
    if np.isfinite(np.asarray(curves["test_loss"], dtype=np.float64)).any():
        series["test loss"] = curves["test_loss"]
    return lines_chart(curves["step"], series, y_title="loss" + (" (log scale)" if log else ""), log=log,
                       height=height, colors=SERIES_COLORS, title="Loss")


def accuracy_chart(curves: Mapping[str, np.ndarray], *, height: int = 150) -> dict[str, Any]:
    series = {"train accuracy": curves["train_accuracy"]}
    if np.isfinite(np.asarray(curves["test_accuracy"], dtype=np.float64)).any():
        series["test accuracy"] = curves["test_accuracy"]
    return lines_chart(curves["step"], series, y_title="accuracy", y_domain=(0, 1), height=height,
                       colors=SERIES_COLORS, title="Accuracy", fmt=".3f")


def compare_loss_chart(steps: Sequence[np.ndarray], losses: Sequence[np.ndarray], labels: Sequence[str], *,
                       log: bool = True, height: int = 260) -> dict[str, Any]:
    """Several runs' training loss overlaid (runs may have different steps)."""
    all_steps = np.unique(np.concatenate([np.asarray(s, np.int64) for s in steps])) if steps else np.zeros(0, np.int64)
    series = {}
    for s, v, label in zip(steps, losses, labels, strict=True):
        full = np.full(len(all_steps), np.nan)
        full[np.searchsorted(all_steps, np.asarray(s, np.int64))] = v
        series[label] = full
    return lines_chart(all_steps, series, y_title="training loss" + (" (log scale)" if log else ""), log=log,
                       height=height, colors=COMPARE_COLORS, title="Training loss of each run")


# ---- the network graph --------------------------------------------------------------------

def network_layout(rows: Sequence[int], max_width: int = 980) -> dict[str, Any]:
    """Pixel geometry of the drawing: box size, per-column x, per-neuron top-left corner."""
    max_rows = max(rows)
    box = 48 if max_rows <= 6 else 36 if max_rows <= 10 else 28
    pitch_y = box + (14 if max_rows <= 10 else 8)
    left, top, right = 64, 26, 16
    n_cols = len(rows)
    gap = 150 if n_cols <= 1 else int(min(170, max(box + 46, (max_width - left - right - box) / (n_cols - 1))))
    width = int(left + (n_cols - 1) * gap + box + right)
    height = int(top + max_rows * pitch_y)
    col_x = [left + c * gap for c in range(n_cols)]
    nx, ny = [], []
    for c, n in enumerate(rows):
        y0 = top + ((max_rows - n) * pitch_y) // 2
        for r in range(n):
            nx.append(col_x[c])
            ny.append(y0 + r * pitch_y)
    return {"box": box, "width": width, "height": height, "col_x": col_x, "nx": nx, "ny": ny, "top": top}


def neuron_resolution(rows: Sequence[int]) -> int:
    """Grid size of each neuron's heatmap for a drawing with these column sizes (whole-pixel cells)."""
    return network_layout(rows)["box"] // NEURON_CELL_PX


def neuron_codes(maps: Sequence[np.ndarray], output_range: tuple[float, float] = (-1.0, 1.0)) -> list[np.ndarray]:
    """Per column (units, res, res) -> int8 codes in [-127, 127] on a diverging scale.

    Inputs are scaled by their largest |value|; hidden units by max(1, largest |value|) so tanh
    saturation shows; outputs map ``output_range`` to [-1, 1] (0.5 is grey for probabilities).
    """
    out = []
    last = len(maps) - 1
    for c, m in enumerate(maps):
        m = np.nan_to_num(np.asarray(m, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        if c == last:
            lo, hi = output_range
            u = (m - (lo + hi) / 2) / ((hi - lo) / 2)
        else:
            peak = np.abs(m).reshape(len(m), -1).max(axis=1) if m.size else np.zeros(len(m))
            scale = np.maximum(peak, 1e-6) if c == 0 else np.maximum(peak, 1.0)
            u = m / scale[:, None, None]
        out.append(np.round(np.clip(u, -1.0, 1.0) * 127).astype(np.int8))
    return out
def network_chart(maps: Sequence[np.ndarray], layer_weights: Sequence[tuple[np.ndarray, np.ndarray]],
                  labels: Sequence[Sequence[str]], *, output_range: tuple[float, float] = (-1.0, 1.0),
                  column_titles: Sequence[str] | None = None, max_width: int = 980) -> dict[str, Any]:
    """The network as a graph: one small heatmap per neuron (its activation over the input plane),
    edges with width by |weight| and colour by sign (blue positive, orange negative); hover an edge
    for its weight, a neuron for its name and bias.

    ``maps``: per column (units, res, res), inputs first, outputs last. ``layer_weights``: (W, b)
    per Dense layer with W (n_in, n_out). ``labels``: per column, one name per neuron.
    """
    rows = [int(m.shape[0]) for m in maps]
    if len(layer_weights) != len(rows) - 1:
        raise ValueError(f"{len(rows)} columns need {len(rows) - 1} weight matrices, got {len(layer_weights)}")
    geo = network_layout(rows, max_width)
    box, res = geo["box"], int(maps[0].shape[1])
    cell = box / res  # NEURON_CELL_PX when res comes from neuron_resolution(rows)
    n_neurons = sum(rows)
    starts = np.cumsum([0, *rows])
    flat_labels = [str(name) for col in labels for name in col]
    if len(flat_labels) != n_neurons:
        raise ValueError(f"labels name {len(flat_labels)} neurons, the maps have {n_neurons}")

    # Every neuron's heatmap as runs along its rows, in pixels (x2 rises upwards in each box).
    codes = np.concatenate([c[:, ::-1, :] for c in neuron_codes(maps, output_range)])  # (neurons, res, res)
    half = (NEURON_LEVELS - 1) / 2
    levels = np.round((codes.astype(np.float32) / 127.0 + 1.0) * half).astype(np.uint8)
    r, start, stop, v = run_lengths(levels.reshape(n_neurons * res, res))
    nid, row = np.divmod(r, res)
    nx, ny = np.asarray(geo["nx"], np.float32), np.asarray(geo["ny"], np.float32)
    cells = pa.table({"x0": nx[nid] + start * cell, "x1": nx[nid] + stop * cell,
                      "y": ny[nid] + (row + 0.5) * cell, "v": v})
    bias = np.zeros(n_neurons, np.float32)
    for layer, (_W, b) in enumerate(layer_weights):
        bias[starts[layer + 1]: starts[layer + 2]] = np.nan_to_num(np.asarray(b, np.float32))
    neurons = pa.table({
        "n": np.arange(n_neurons, dtype=np.uint16),
        "x0": np.asarray(geo["nx"], np.float32), "y0": np.asarray(geo["ny"], np.float32),
        "bias": bias, "has_bias": (np.arange(n_neurons) >= rows[0]).astype(np.uint8),
    })
    a_idx, b_idx, w_all = [], [], []
    for layer, (W, _b) in enumerate(layer_weights):
        n_in, n_out = W.shape
        src, dst = np.meshgrid(np.arange(n_in), np.arange(n_out), indexing="ij")
        a_idx.append(starts[layer] + src.ravel())
        b_idx.append(starts[layer + 1] + dst.ravel())
        w_all.append(np.asarray(W, np.float32).ravel())
    edges = pa.table({
        "a": np.concatenate(a_idx).astype(np.uint16), "b": np.concatenate(b_idx).astype(np.uint16),
        "w": np.nan_to_num(np.concatenate(w_all), nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32),
    })
    titles = list(column_titles) if column_titles else (
        ["Input", *[f"Hidden {i}" for i in range(1, len(rows) - 1)], "Output"])
    texts = pa.table({
        "x": [geo["col_x"][c] + box / 2 for c in range(len(rows))] + [geo["col_x"][0] - 6] * rows[0],
        "y": [geo["top"] - 14] * len(rows) + [geo["ny"][r] + box / 2 for r in range(rows[0])],
        "text": [*titles, *[str(s) for s in labels[0]]],
        "kind": ["title"] * len(rows) + ["input"] * rows[0],
    })

    W_px, H_px = geo["width"], geo["height"]
    x_enc = {"type": "quantitative", "scale": {"domain": [0, W_px], "nice": False, "zero": False}, "axis": None}
    y_enc = {"type": "quantitative", "scale": {"domain": [0, H_px], "nice": False, "zero": False, "reverse": True},
             "axis": None}
    label_expr = json.dumps(flat_labels, ensure_ascii=False)
    neuron_fields = {"data": {"name": "neurons"}, "key": "n"}
    layers = [
        {  # edges first, so the neurons cover their ends
            "data": {"name": "edges"},
            "transform": [
                {"lookup": "a", "from": {**neuron_fields, "fields": ["x0", "y0"]}, "as": ["ax", "ay"]},
                {"lookup": "b", "from": {**neuron_fields, "fields": ["x0", "y0"]}, "as": ["bx", "by"]},
                {"calculate": f"datum.ax + {box}", "as": "x"},
                {"calculate": f"datum.ay + {box / 2}", "as": "y"},
                {"calculate": f"datum.by + {box / 2}", "as": "y_end"},
                {"calculate": "abs(datum.w)", "as": "size"},
                {"calculate": "datum.w >= 0 ? 'positive' : 'negative'", "as": "sign"},
                {"calculate": f"{label_expr}[datum.a]", "as": "from"},
                {"calculate": f"{label_expr}[datum.b]", "as": "to"},
            ],
            "mark": {"type": "rule", "opacity": 0.7, "strokeCap": "round"},
            "encoding": {
                "x": {"field": "x", **x_enc}, "y": {"field": "y", **y_enc},
                "x2": {"field": "bx"}, "y2": {"field": "y_end"},
                "strokeWidth": {"field": "size", "type": "quantitative", "legend": None,
                                "scale": {"domain": [0, 1.5], "range": [0.5, 7], "clamp": True}},
                "color": {"field": "sign", "type": "nominal", "legend": None,
                          "scale": {"domain": ["positive", "negative"], "range": [BLUE, ORANGE]}},
                "tooltip": [{"field": "from", "type": "nominal"}, {"field": "to", "type": "nominal"},
                            {"field": "w", "type": "quantitative", "format": ".4f", "title": "weight"}],
            },
        },
        {  # the heatmaps: runs of equal colour along each neuron's rows
            "data": {"name": "cells"},
            "mark": {"type": "rect", "strokeWidth": 0, "height": cell, "opacity": 1},
            "encoding": {
                "x": {"field": "x0", **x_enc}, "x2": {"field": "x1"}, "y": {"field": "y", **y_enc},
                "color": {"field": "v", "type": "quantitative", "legend": None,
                          "scale": vega_ramp([0, half, NEURON_LEVELS - 1], DIVERGING, clamp=False)},
            },
        },
        {
            "data": {"name": "neurons"},
            "transform": [
                {"calculate": f"datum.x0 + {box}", "as": "x_end"},
                {"calculate": f"datum.y0 + {box}", "as": "y_end"},
                {"calculate": f"{label_expr}[datum.n]", "as": "neuron"},
                {"calculate": "datum.has_bias ? format(datum.bias, '.4f') : '(input)'", "as": "bias (b)"},
            ],
            "mark": {"type": "rect", "fillOpacity": 0, "stroke": "#777", "strokeWidth": 1, "cornerRadius": 2},
            "encoding": {
                "x": {"field": "x0", **x_enc}, "y": {"field": "y0", **y_enc},
                "x2": {"field": "x_end"}, "y2": {"field": "y_end"},
                "tooltip": [{"field": "neuron", "type": "nominal"}, {"field": "bias (b)", "type": "nominal"}],
            },
        },
        *[{
            "data": {"name": "texts"},
            "transform": [{"filter": f"datum.kind == '{kind}'"}],
            "mark": {"type": "text", "fontSize": 11, "color": "#333", "baseline": "middle",
                     "align": "center" if kind == "title" else "right",
                     "fontWeight": "bold" if kind == "title" else "normal"},
            "encoding": {"x": {"field": "x", **x_enc}, "y": {"field": "y", **y_enc}, "text": {"field": "text"}},
        } for kind in ("title", "input")],
    ]
    return {
        "width": W_px, "height": H_px, "autosize": PAD, "usermeta": CANVAS,
        "datasets": {"edges": edges, "cells": cells, "neurons": neurons, "texts": texts},
        "layer": layers, "config": CONFIG,
    }


# ---- diagnostics --------------------------------------------------------------------------

def gradient_norm_chart(norms: Mapping[str, np.ndarray], *, height: int = 220) -> dict[str, Any]:
    """Gradient norm per layer over steps (log scale), from ``playground.gradient_norms``."""
    series = {k: v for k, v in norms.items() if k != "step"}
    return lines_chart(norms["step"], series, y_title="‖gradient‖ (log scale)", log=True, height=height,
                       colors=SERIES_COLORS[1:] + SERIES_COLORS[:1], title="Gradient norm per layer")


def dead_relu_chart(steps: np.ndarray, fraction: np.ndarray, *, height: int = 160) -> dict[str, Any]:
    return lines_chart(steps, {"dead ReLUs": fraction}, y_title="fraction dead", y_domain=(0, 1), height=height,
                       colors=["#d62728"], title="Dead ReLUs (zero for every probe input)", fmt=".0%")


def histogram_chart(hists: Sequence[Mapping[str, Any]], *, width: int = 210, height: int = 120) -> dict[str, Any]:
    """Weight histograms per layer: now (blue) over at initialization (grey), one panel per layer."""
    layer, which, x, x_end, count = [], [], [], [], []
    for i, h in enumerate(hists):
        edges = np.asarray(h["edges"], np.float32)
        for w, key in enumerate(("initial", "now")):
            c = np.asarray(h[key], np.int32)
            keep = c > 0  # empty bins would draw as slivers
            layer.append(np.full(keep.sum(), i))
            which.append(np.full(keep.sum(), w))
            x.append(edges[:-1][keep])
            x_end.append(edges[1:][keep])
            count.append(c[keep])
    df = pa.table({"layer": _labels(np.concatenate(layer), [h["label"] for h in hists]),
                   "which": _labels(np.concatenate(which), ["at init", "now"]),
                   "x": np.concatenate(x), "x_end": np.concatenate(x_end), "count": np.concatenate(count)})
    return {
        "datasets": {"hist": df}, "data": {"name": "hist"},
        "facet": {"field": "layer", "type": "nominal", "title": None, "sort": [h["label"] for h in hists]},
        "columns": 3,
        "spec": {
            "width": width, "height": height,
            "mark": {"type": "rect", "opacity": 0.6},
            "encoding": {
                "x": {"field": "x", "type": "quantitative", "title": "weight", "scale": {"zero": False}},
                "x2": {"field": "x_end"},
                "y": {"field": "count", "type": "quantitative", "title": "count", "scale": {"zero": True}},
                "y2": {"datum": 0},
                "color": {"field": "which", "type": "nominal", "title": None,
                          "scale": {"domain": ["at init", "now"], "range": ["#9e9e9e", BLUE]},
                          "legend": {"orient": "top"}},
                "tooltip": [{"field": "which", "type": "nominal"}, {"field": "count", "type": "quantitative"},
                            {"field": "x", "type": "quantitative", "format": ".3f", "title": "from"},
                            {"field": "x_end", "type": "quantitative", "format": ".3f", "title": "to"}],
            },
        },
        "resolve": {"scale": {"x": "independent", "y": "independent"}},
        "autosize": PAD, "config": CONFIG,
    }


# ---- sizes --------------------------------------------------------------------------------

def payload_bytes(spec: Mapping[str, Any]) -> int:
    """Rough message size of a spec: its JSON plus each dataset as Arrow IPC (what Streamlit sends)."""
    body = {k: v for k, v in spec.items() if k != "datasets"}
    total = len(json.dumps(body, default=str))
    for table in spec.get("datasets", {}).values():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        total += sink.getvalue().size
    return total


