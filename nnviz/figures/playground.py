"""Canvas charts of the playground's diagnostics: gradient norms, dead ReLUs, weight histograms.

Every builder returns a ``nnviz.figures.canvas_chart.chart`` blob for ``nnviz.ui.canvas_chart``
(no Vega-Lite: the playground loads no chart library). The live view (decision surface, curves,
network graph) is drawn on canvas by ``nnviz.ui.live_view`` from ``nnviz.labs.playground.frames``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from nnviz.figures.canvas_chart import Axis, Line, chart

BLUE = "#0877bd"  # positive, "now" (the TensorFlow Playground's colours)
GREY = "#9a9a9a"  # at initialization
SERIES_COLORS = ["#1f1f1f", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]


def gradient_norm_chart(norms: Mapping[str, np.ndarray], *, height: int = 240) -> bytes:
    """Gradient norm per layer over steps (log scale), from ``playground.gradient_norms``."""
    colors = SERIES_COLORS[1:] + SERIES_COLORS[:1]
    lines = [Line(label, norms["step"], values, colors[i % len(colors)])
             for i, (label, values) in enumerate((k, v) for k, v in norms.items() if k != "step")]
    return chart(*lines, title="Gradient norm per layer", x=Axis("step", whole=True),
                 y=Axis("‖gradient‖ (log scale)", log=True, fmt="e2", short="‖g‖"), height=height)


def dead_relu_chart(steps: np.ndarray, fraction: np.ndarray, *, height: int = 180) -> bytes:
    """The fraction of hidden ReLUs that output 0 for every probe input, over steps."""
    return chart(Line("dead ReLUs", steps, fraction, "#d62728"), title="Dead ReLUs (zero for every probe input)",
                 x=Axis("step", whole=True), y=Axis("fraction dead", domain=(0.0, 1.0), fmt="f2"),
                 height=height, legend=False)


def stairs(edges: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A histogram's outline as a line: (x, y) of 2 * bins + 2 points, from 0 up each bin and back."""
    edges = np.asarray(edges, np.float64)
    counts = np.asarray(counts, np.float64)
    x = np.concatenate([[edges[0]], np.repeat(edges, 2)[1:-1], [edges[-1]]])
    y = np.concatenate([[0.0], np.repeat(counts, 2), [0.0]])
    return x, y


def histogram_chart(hist: Mapping[str, Any], *, height: int = 170) -> bytes:
    """One layer's weight histogram: now (blue) over at initialization (grey), from one entry of
    ``playground.weight_histograms``."""
    marks = [Line(name, *stairs(hist["edges"], hist[key]), color, width=width, hover=True)
             for name, key, color, width in (("at init", "initial", GREY, 1.5), ("now", "now", BLUE, 2.0))]
    return chart(*marks, title=str(hist["label"]), x=Axis("weight", fmt="g3"), y=Axis("count", fmt="d", whole=True),
                 height=height)
