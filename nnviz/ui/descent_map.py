"""The gradient-descent page's canvas views (and the loss landscape's maps): a Streamlit components-v2
element (inline JS and CSS, no iframe, no plotly) that draws the 2D map and the loss chart on <canvas>.

``descent_map(blob, key=..., on_click=...)`` mounts the map (``blob``:
``nnviz.figures.descent.map_payload``): the contour picture, the minima, the paths, the animated
heads and overlays, a legend, a colour bar, a hover readout, Play/Pause and a step slider that play
in the browser (every step is in the blob). A click on the plot sets the element's trigger value
``click`` = ``{"x": ..., "y": ...}`` for one rerun and calls ``on_click``; ``clicked(key)`` reads it.
The same call draws the 1D view from ``curve_payload`` (the curve, tangents and steps; no click).
``descent_curves(blob, key=...)`` draws ``loss_payload``'s per-run curves.
The loss-landscape page mounts the same map for its paths on the PCA plane and its random slices
(``nnviz.figures.landscape.path_map_payload``, ``slice_payloads``: kind "landscape-map", which adds a
title, axis titles, a frame not to scale, per-point readouts and marks, and sends no click).

The module is ``nnviz/ui/live_view/shared.js`` (decoding a ``nnviz.labs.packing`` blob, sized
canvases, ticks, ``lineChart``) followed by ``descent_map/descent_map.js``, read once at import.
Styles are not isolated, so ``[data-nnviz=descent-map]`` (with ``data-step``, ``data-playing`` and,
once the contour picture is drawn, ``data-ready="1"``) is reachable from the page's document.

Why: the plotly map cost a fresh browser the 4.7 MB plotly bundle (0.7-1 s of main thread) and
~0.4 s to draw 100 frames, a 25x25 grid of SVG click markers, the legend and the colour bar; a
canvas draws the same in a few milliseconds and animates at requestAnimationFrame pace.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from nnviz.ui.js_modules import element_module

_HERE = Path(__file__).with_suffix("")
_JS = element_module(_HERE / "descent_map.js")
_CSS = (_HERE / "descent_map.css").read_text(encoding="utf-8")

_mount = st.components.v2.component("nnviz.descent_map", js=_JS, css=_CSS, html="", isolate_styles=False)


def _ignore() -> None:
    pass


def descent_map(blob: bytes, *, key: str, on_click: Callable[[], None] = _ignore) -> None:
    """Draw (or update in place) the 2D map from ``map_payload``'s blob."""
    _mount(data=blob, key=key, on_click_change=on_click)


def descent_curves(blob: bytes, *, key: str) -> None:
    """Draw (or update in place) the per-run curves from ``loss_payload``'s blob."""
    _mount(data=blob, key=key)


def clicked(key: str) -> tuple[float, float] | None:
    """The point last clicked on the map mounted with ``key`` (in its ``on_click``), or None."""
    value: Any = st.session_state.get(key)
    click = value.get("click") if hasattr(value, "get") else getattr(value, "click", None)
    if not isinstance(click, dict):
        return None
    try:
        return float(click["x"]), float(click["y"])
    except (KeyError, TypeError, ValueError):
        return None
