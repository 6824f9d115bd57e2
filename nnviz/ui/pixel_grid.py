"""Small images drawn cell by cell, side by side, that take clicks: a Streamlit components-v2 element
(inline JS and CSS, no iframe) for the convolution view's input, kernel and feature map.

``pixel_grid(images, key=..., on_click=...)`` draws each ``Grid`` (values, colour scale, an outlined
box such as a kernel's window, a margin of zero padding) on a <canvas>; hovering shows a cell's
value; a click on a cell sets the element's trigger value ``click`` = ``{"image", "row", "col"}``
for one rerun and calls ``on_click``; ``clicked(key)`` reads it. ``[data-nnviz=pixel-grids]`` (with
``data-ready="1"`` once drawn) and its ``canvas[data-nnviz=pixel-grid]`` are reachable from the
page's document (styles are not isolated), for tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

_HERE = Path(__file__).with_suffix("")
_JS = (_HERE / "pixel_grid.js").read_text(encoding="utf-8")
_CSS = (_HERE / "pixel_grid.css").read_text(encoding="utf-8")

_mount = st.components.v2.component("nnviz.pixel_grid", js=_JS, css=_CSS, html="", isolate_styles=False)


@dataclass(frozen=True)
class Grid:
    """One image: ``values`` (h, w); ``cmap`` "gray" (lo black .. hi white) or "diverging" (orange
    negative, white 0, blue positive); ``box`` (top, left, bottom, right) inclusive, in image cells;
    ``margin`` cells of padding drawn around the image; ``note`` shown under it; ``rows`` and ``cols``
    name a cell's coordinates in the hover readout."""

    title: str
    values: np.ndarray
    cmap: str = "gray"
    lo: float | None = None
    hi: float | None = None
    box: tuple[int, int, int, int] | None = None
    margin: int = 0
    note: str = ""
    rows: str = "row"  # what a row and a column are, in the hover readout ("unit 3, step 12")
    cols: str = "column"

    def payload(self) -> dict[str, Any]:
        v = np.nan_to_num(np.asarray(self.values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        lo = float(v.min()) if self.lo is None else float(self.lo)
        hi = float(v.max()) if self.hi is None else float(self.hi)
        return {"title": self.title, "h": int(v.shape[0]), "w": int(v.shape[1]),
                "values": [round(float(x), 6) for x in v.ravel()], "lo": lo, "hi": hi, "cmap": self.cmap,
                "box": list(self.box) if self.box is not None else None, "margin": int(self.margin),
                "note": self.note, "rows": self.rows, "cols": self.cols}


def module_source() -> str:
    """The element's JavaScript module (for the syntax test)."""
    return _JS


def _ignore() -> None:
    pass


def pixel_grid(images: Sequence[Grid], *, key: str, cell: int = 8, on_click: Callable[[], None] = _ignore) -> None:
    """Draw ``images`` side by side, ``cell`` CSS pixels per value."""
    _mount(data={"images": [g.payload() for g in images], "cell": int(cell)}, key=key, on_click_change=on_click)


def clicked(key: str) -> tuple[int, int, int] | None:
    """(image, row, col) of the cell last clicked in the grids mounted with ``key`` (in ``on_click``)."""
    value: Any = st.session_state.get(key)
    click = value.get("click") if hasattr(value, "get") else getattr(value, "click", None)
    if not isinstance(click, dict):
        return None
    try:
        return int(click["image"]), int(click["row"]), int(click["col"])
    except (KeyError, TypeError, ValueError):
        return None
