"""A chart drawn on <canvas> in the browser: a Streamlit components-v2 element (inline JS and CSS, no
iframe, no Vega-Lite, no plotly) for any page's static line, point and bar charts.

``canvas_chart(blob, key=...)`` mounts (or updates in place) one chart described by
``nnviz.figures.canvas_chart.chart(...)``: lines (legend labels, colours, dashed, markers), points
(circle, diamond, cross, with tips), vertical and horizontal rules with labels, bars with their
values written above them (a category x axis), linear or log axes with titles and ticks, a title,
and a hover readout (a point's or bar's tip, else a rule at the nearest x listing every line's
value there). It stretches with its column (a ResizeObserver redraws it) and draws at the
screen's devicePixelRatio. Example::

    from nnviz.figures.canvas_chart import Axis, Line, Rule, chart
    canvas_chart(chart(Line("loss", steps, loss), Rule(y=0.0), title="loss",
                       x=Axis("step", whole=True), y=Axis("loss", nice=True)), key="pg_loss_chart")

The module is ``nnviz/ui/live_view/shared.js`` (decoding a ``nnviz.labs.packing`` blob, sized
canvases, ticks) followed by ``canvas_chart/canvas_chart.js``, read once at import. Styles are not
isolated, so ``[data-nnviz=chart]`` (``data-ready="1"`` once drawn) is reachable from the page's
document, for tests and benchmarks.

Why: Vega-Lite's bundle (about 1.6 MB of JavaScript) and its drawing were most of the functions and
backpropagation pages' first render (issue 16); these charts need no grammar of graphics.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from nnviz.ui.js_modules import element_module

_HERE = Path(__file__).with_suffix("")
_JS = element_module(_HERE / "canvas_chart.js")
_CSS = (_HERE / "canvas_chart.css").read_text(encoding="utf-8")

_mount = st.components.v2.component("nnviz.canvas_chart", js=_JS, css=_CSS, html="", isolate_styles=False)


def module_source() -> str:
    """The element's JavaScript module: shared.js then canvas_chart.js (for the syntax test)."""
    return _JS


def canvas_chart(blob: bytes, *, key: str) -> None:
    """Draw (or redraw in place) the chart described by ``blob`` (``nnviz.figures.canvas_chart.chart``)."""
    _mount(data=blob, key=key)
