"""The drawing canvas (streamlit-drawable-canvas 0.13) with its Undo, Redo and Clear buttons always
shown: ``drawing_canvas(key=..., **st_canvas options)`` returns the package's ``CanvasResult``.

The package draws inside a shadow root (a components-v2 element with isolated styles) and shows its
toolbar only while the pointer hovers the canvas, so on a touch screen the toolbar never appeared.
A page's CSS cannot reach into a shadow root; a small components-v2 element placed after the canvas
(``drawing_canvas/pin_toolbar.js``) adds ``drawing_canvas/toolbar.css`` to it: the toolbar then sits
below the drawing, always shown, with finger-sized buttons on touch screens. The buttons stay the
package's own, so undo, redo and clear keep its history and send the drawing as before (the drawing
itself stays in the canvas's session state, ``key``, across reruns). The CSS names the package's
classes and button labels: pin the package's version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

_HERE = Path(__file__).with_suffix("")
TOOLBAR_CSS = (_HERE / "toolbar.css").read_text(encoding="utf-8")
_JS = (_HERE / "pin_toolbar.js").read_text(encoding="utf-8")

_pin = st.components.v2.component("nnviz.pin_canvas_toolbar", js=_JS, html="", isolate_styles=False)


def module_source() -> str:
    """The pinning element's JavaScript module (for the syntax test)."""
    return _JS


def drawing_canvas(*, key: str, **options: Any) -> Any:
    """``st_canvas(key=key, **options)`` with its toolbar always shown (below the drawing)."""
    from streamlit_drawable_canvas import st_canvas  # registers only inside a Streamlit runtime

    result = st_canvas(key=key, **options)
    _pin(data={"css": TOOLBAR_CSS}, key=f"{key}_toolbar")
    return result
