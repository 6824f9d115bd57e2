"""Figures for the convolution view: the 1D sum's two signals at one shift, and the whole result.

Builders take ``nnviz.labs.explain.convolution`` values and return canvas chart descriptions
(``nnviz.figures.canvas_chart.chart``); no widgets.
"""

from __future__ import annotations

import numpy as np

from nnviz.figures.canvas_chart import Axis, Bars, Points, Rule, chart
from nnviz.figures.common import TABLEAU10
from nnviz.labs.explain.convolution import Terms

HIGHLIGHT = "#ff2b2b"
PALE = "#c9c9d1"


def signals_chart(f: np.ndarray, g: np.ndarray, n: int, height: int = 260) -> bytes:
    """f[k] and g[n − k] against k: g flipped and slid by n, so the products pair the points at the same k."""
    f, g = np.asarray(f, np.float64), np.asarray(g, np.float64)
    ks_g = n - np.arange(g.size)  # g[j] sits at k = n - j
    order = np.argsort(ks_g)
    lo, hi = min(0, int(ks_g.min())) - 0.5, max(f.size - 1, int(ks_g.max())) + 0.5
    return chart(
        Rule(y=0.0),
        Points("f[k]", np.arange(f.size), f, color=TABLEAU10[0], size=9,
               tips=[f"f[{k}] = {v:g}" for k, v in enumerate(f)]),
        Points(f"g[{n} − k] (g flipped, slid to n = {n})", ks_g[order], g[order], color=TABLEAU10[1], shape="diamond",
               size=9, tips=[f"g[{j}] = {g[j]:g} at k = {n - j}" for j in order]),
        title=f"f[k] and g[{n} − k]: points at the same k are multiplied",
        x=Axis("k", domain=(lo, hi), whole=True, fmt="d"), y=Axis("value", nice=True, pad=0.08), height=height)


def result_chart(result: np.ndarray, terms: Terms, height: int = 260) -> bytes:
    """(f * g)[n] for every n, the shown n in red."""
    n = terms.n
    colors = [HIGHLIGHT if i == n else PALE for i in range(len(result))]
    return chart(Bars([f"n={i}" for i in range(len(result))], result, colors=colors,
                      text=[f"{v:g}" for v in np.round(result, 4)],
                      tips=[f"(f * g)[{i}] = {v:g}" for i, v in enumerate(result)]),
                 title="(f * g)[n] for every shift n", y=Axis("(f * g)[n]", nice=True), height=height)
