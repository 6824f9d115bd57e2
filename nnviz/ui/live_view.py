"""The live views: Streamlit components-v2 elements (inline JS and CSS, no build step, no iframe)
that play a batch of frames per server tick on <canvas>.

``live_view(blob, key=..., on_visibility=...)`` mounts the playground's view (``live.js``; ``blob``
is ``nnviz.labs.playground.frames.payload`` or ``compare_payload``), ``digits_view`` the digits
page's training (``digits.js``; ``nnviz.labs.digits.live.payload``). Each updates in place: the
element keeps its DOM and canvases between ticks (the JS keeps its state per ``parentElement``;
Streamlit calls the module's default export again with the new ``data`` and only the last cleanup
on unmount). A blob is one ``nnviz.labs.packing`` message (``data=bytes`` reaches the JS as a
Uint8Array, read with typed-array views; no base64, no JSON numbers). Each view's module is
``shared.js`` (decoding, the clock, the playing loop, chart helpers) followed by its own file, all
in ``nnviz/ui/live_view/`` and read once at import. Styles are not isolated in a shadow root, so
the step counter ``[data-nnviz=step]`` is reachable from the page's document.

While a view is mounted, the page's visibility reaches the server as the view's trigger value
``visibility`` ("hidden" or "visible", on ``document.visibilitychange``); ``pause_while_hidden``
makes the callback that pauses a live run while its page is hidden and resumes it when the page
is shown again, if the user had not paused it. While the playground's header asks for editing
(``edit``), clicks and strokes on the plot reach the server as the trigger value ``points``
(``{"client": id, "edits": [{"seq", "mode", "label", "xy"}, ...]}``, see ``live.js``) and call
``on_points``; ``point_edits`` reads them.

Why this design (measured with ``bench/bench_playground.py --browser``, CPU seconds of the
server process and of the benchmark's own Chromium, headless without GPU, busy 2-core machine):

- Before: a fragment every 0.3 s re-sent four Vega-Lite charts and five metrics: 3.4 visible
  updates/s, 65 steps/s, server 0.30 core, browser 0.82 core, 345 kB/s. Vega re-encodes and
  redraws every chart per message, and Streamlit's per-run full garbage collection
  (``runner.postScriptGC``, ~65 ms with this app's ~120k long-lived objects) was most of the
  server's time; the tick's own compute was ~6 ms.
- Canvas component fed 0.5 s batches, with the toggles and tabs inside the fragment: 21-26
  updates/s, browser 0.7-1.1 core. React re-rendered every element of the fragment per tick.
- Only the component in the fragment (toggles, view switch and captions outside): React's time
  per tick halved (JS profile, 133 -> 69 ms/s at 2 ticks/s).
- ``gc.freeze()`` below: server 0.13 -> 0.05 core at 1 tick/s.
- 1 s ticks instead of 0.5 s: 30 updates/s, browser 0.72 -> 0.52 (all-Chromium figure);
  2 s ticks: a further ~0.04 core (the rerun's React work every 2 s instead of every second).
- A timer to the next frame's due time instead of a 60 Hz requestAnimationFrame loop; opaque
  canvases; the surface drawn as a 50x50 canvas scaled by CSS. Compositing layers
  (``will-change``) and CSS containment measured no better (within the noise) and were dropped.

Result at the default 100 steps/s: 30 updates/s, server ~0.03-0.05 core, browser ~0.37 core,
120 kB/s.
- The numbers (step, epoch, losses, accuracy; the comparison captions) drawn on canvases that
  hold the same text, instead of DOM text: a changing text made Chromium lay out the page, then a
  chart's ``ctx.font`` forced that layout early, and after every layout Chromium hit-tests the
  page under the mouse (trace, per second of Play: forced layout 33 ms, mouse-move hit test
  42 ms, style 75 ms -> ~0, 0, 24). An experiment that stopped the numbers altogether cut the
  tab's CPU by a fifth to a third; with them on canvases the frames cost about the same. Widths
  come from ResizeObservers (``trackWidth``), never from ``clientWidth`` while drawing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from nnviz.ui.js_modules import element_module

_HERE = Path(__file__).with_suffix("")
_CSS = (_HERE / "live.css").read_text(encoding="utf-8")

# Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``): with
# the app's ~120k long-lived objects (streamlit, pandas, pyarrow, plotly, NumPy) that is ~65 ms
# of server CPU per live tick, more than the tick's training and frames. Moving the objects that
# exist once the app's modules are imported to the permanent generation (after collecting the
# garbage) makes each of those collections traverse only what was created since: ~0 ms.
gc.collect()
gc.freeze()


def module_source(view: str) -> str:
    """The JS module of a view: ``shared.js``, then ``<view>.js`` (which has the default export)."""
    return element_module(_HERE / f"{view}.js")


_live = st.components.v2.component("nnviz.live_view", js=module_source("live"), css=_CSS, html="",
                                   isolate_styles=False)
_digits = st.components.v2.component("nnviz.digits_view", js=module_source("digits"), css=_CSS, html="",
                                     isolate_styles=False)


def _ignore() -> None:
    pass


def live_view(blob: bytes, *, key: str, on_visibility: Callable[[], None] = _ignore,
              on_points: Callable[[], None] = _ignore) -> None:
    """Draw (or update in place) the playground's live view from one packed batch of frames."""
    _live(data=blob, key=key, on_visibility_change=on_visibility, on_points_change=on_points)


def point_edits(key: str) -> tuple[str, list[dict[str, Any]]] | None:
    """(client, edits) of the view ``key``'s last ``points`` trigger (in its ``on_points``), or None
    for a missing or malformed message (it comes from the browser: never trusted)."""
    value: Any = st.session_state.get(key)
    msg = value.get("points") if hasattr(value, "get") else getattr(value, "points", None)
    if not isinstance(msg, dict) or not isinstance(msg.get("client"), str) or not isinstance(msg.get("edits"), list):
        return None
    return msg["client"][:32], [e for e in msg["edits"] if isinstance(e, dict)]


def digits_view(blob: bytes, *, key: str, on_visibility: Callable[[], None] = _ignore) -> None:
    """Draw (or update in place) the digits page's training view from one packed batch."""
    _digits(data=blob, key=key, on_visibility_change=on_visibility)


def hidden_pause(visibility: str | None, running: bool, paused_by_hidden: bool) -> tuple[bool, bool]:
    """(running, paused_by_hidden) after the page's ``visibility`` changed: hidden pauses a running
    run and remembers it did; visible resumes only a run that hiding paused."""
    if visibility == "hidden":
        return False, running
    if visibility == "visible":
        return running or paused_by_hidden, False
    return running, paused_by_hidden


def pause_while_hidden(key: str, flag: str, is_running: Callable[[], bool],
                       set_running: Callable[[bool], None]) -> Callable[[], None]:
    """The ``on_visibility`` callback of the view ``key``: applies ``hidden_pause`` to the run
    (``is_running``/``set_running``), keeping "paused by hiding" in session state under ``flag``."""

    def on_visibility() -> None:
        s = st.session_state
        view = s.get(key) or {}
        running, s[flag] = hidden_pause(view.get("visibility"), is_running(), bool(s.get(flag)))
        if running != is_running():
            set_running(running)

    return on_visibility
