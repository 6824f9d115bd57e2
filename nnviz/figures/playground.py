"""Vega-Lite figures of the playground's diagnostics: gradient norms, dead ReLUs, weight histograms.

Every builder returns a Vega-Lite spec (a dict) whose ``"datasets"`` hold small Arrow tables;
``st.vega_lite_chart(spec=...)`` sends them as they are (Streamlit's fast path). The live view
(decision surface, curves, network graph) is drawn on canvas by ``nnviz.ui.live_view`` from
``nnviz.labs.playground.frames``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from nnviz.figures.common import CONFIG as PLAIN
from nnviz.figures.common import lines_chart

BLUE = "#0877bd"  # positive, "now" (the TensorFlow Playground's colours)
SERIES_COLORS = ["#1f1f1f", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
#: No ARIA attributes per mark, plain axes.
CONFIG: dict[str, Any] = {**PLAIN, "mark": {"aria": False}}
#: Fixed-size panels: width/height are the plot area.
PAD: dict[str, Any] = {"type": "pad", "contains": "content"}


def _labels(codes: np.ndarray, names: Sequence[str]) -> pa.DictionaryArray:
    """A dictionary-encoded string column: each name sent once."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, np.int32)), pa.array([str(n) for n in names]))


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
