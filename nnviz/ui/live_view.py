"""The live view: a Streamlit components-v2 element (inline JS and CSS, no build step, no iframe)
that plays a batch of frames per server tick on <canvas> at requestAnimationFrame pace.

``live_view(blob, key=...)`` mounts (or updates in place: the element keeps its DOM and canvases
between ticks, keyed by ``key``) one view; ``blob`` comes from
``nnviz.labs.playground.frames.main_payload`` or ``network_payload``. The JS and CSS are the files
in ``nnviz/ui/live_view/``, read once at import. Styles are not isolated in a shadow root, so the
step counter ``[data-nnviz=step]`` is reachable from the page's document (tests, benchmarks).
"""

from __future__ import annotations

import gc
from pathlib import Path

import streamlit as st

_HERE = Path(__file__).with_suffix("")
_JS = (_HERE / "live.js").read_text(encoding="utf-8")
_CSS = (_HERE / "live.css").read_text(encoding="utf-8")

# Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``): with
# the app's ~120k long-lived objects (streamlit, pandas, pyarrow, plotly, NumPy) that is ~65 ms
# of server CPU per live tick, more than the tick's training and frames. Moving the objects that
# exist once the app's modules are imported to the permanent generation (after collecting the
# garbage) makes each of those collections traverse only what was created since: ~0 ms.
gc.collect()
gc.freeze()

_mount = st.components.v2.component("nnviz.live_view", js=_JS, css=_CSS, html="", isolate_styles=False)


def live_view(blob: bytes, *, key: str) -> None:
    """Draw (or update in place) the live view from one packed batch of frames."""
    _mount(data=blob, key=key)
