"""A page's first visit in two runs: what is on screen first (the controls and the main chart) at
once, the rest of the page (below the fold) in a second run that the browser asks for as soon as
the first paint is on screen.

    if first_paint.rest_is_due("descent", "the runs and their charts"):
        runs_controls(...)
        detail_views(...)

The first run of a page in a session returns False and ends the page with one line, "Loading the
runs and their charts…", held by a small components-v2 element; once every keyed element above it
has drawn (two animation frames in a row: the first paint is on screen) it sets its trigger value
and the rerun draws the whole page.
Every later run of that page in the session draws everything at once. Widgets keep their values
across the two runs (below-the-fold widgets start from their session-state or default values).

A client that runs no JavaScript (AppTest, protocol clients: no browser ``User-Agent``) gets the
whole page in one run, since nothing would ask for the rest.

Why (issue 16): on a 2-core laptop a fresh browser's first visit is CPU-bound, and each element
costs its code and React's work; the gradient-descent page's run cards and tabs were about a third
of what the page took beyond the home page (first paint 1.98 -> 1.63 s side by side). The
backpropagation page's first run stops after its controls and numbers: its KaTeX derivation and
charts, below the fold, were most of the browser's rendering work (new visitor 1.85 -> 1.66 s, return
visit 0.97 -> 0.75 s, the whole page as before). The playground's first run draws the sidebar's
Data section and the live view; its Network and Training sections (about twenty widgets, below the
sidebar's fold) come in the second run, the element standing where they will be (new visitor
2.65 -> 2.36 s, return visit 1.50 -> 1.10 s, medians of 8 interleaved). The functions page's
activations tab draws its controls and two charts first, its KaTeX formula cards and the notes'
table second (new visitor 1.83 -> 1.65 s, return visit 1.05 -> 0.86 s). The loss landscape's left
column stops after its Task and Network sections (its runs' and view's settings, below the fold,
second; ``is_whole`` tells the parts of a rest that lie apart from the element: new visitor
2.25 -> 2.09 s, return visit 1.17 -> 1.04 s). The digits page's training and convolution tabs (not
shown on a first visit, but drawn, as plain tabs are) come second, and so do the home page's lessons
and the gradient-descent page's presets and share link (below the fold; stop 30, interleaved,
medians of 6 and 8: home 1.35 -> 1.14 s, descent 1.53 -> 1.39 s for a new visitor). The sequences
page's sidebar Network and Training sections come with its views below the fold, the element
outside its live fragment so that the ask reruns the whole page (1.42 -> 1.20 s). The element
marks itself ``SETTLED`` when it asks.

A widget first drawn in the second run shows the value the first run gave it (a link's), but the
browser builds it with its default for one frame (10-25 ms here) before that value: tests read such
a widget with Playwright's ``expect(...).to_have_value``, never at once (CONTRIBUTING.md).
While the rest is on its way the page holds the element keyed ``KEY_PREFIX + page`` (class
``st-key-nnviz_first_paint_<page>``, present as soon as its run ends); tests and benchmarks wait for
``PENDING`` to match nothing.
"""

from __future__ import annotations

import streamlit as st

_PAINTED = "_nnviz_first_paint_done"  # the pages whose whole page this session has asked for
KEY_PREFIX = "nnviz_first_paint_"  # + the page: the element that holds a page's rest
PENDING = f"[class*=st-key-{KEY_PREFIX}]"  # a CSS selector: some page's rest is still on its way
SETTLED = "[data-nnviz-rest][data-settled]"  # a CSS selector: the first run's elements have all drawn

_JS = """
// A keyed widget's container is empty while Streamlit still loads its code. A rerun asked for then
// would not carry that widget's value, and Streamlit 1.67 redraws it at its default while the script
// keeps the session's value (seen: Steps drawn at 10, the start box empty): ask once every keyed
// element has drawn, or after about eight seconds of frames.
function settled() {
  for (const e of document.querySelectorAll('[data-testid=stElementContainer][class*="st-key-"]')) {
    if (/st-key-nnviz_/.test(e.className)) continue;
    if (e.children.length === 0) return false;
    // A components-v2 element is drawn once its host is there: the drawing canvas draws inside a
    // shadow root and its toolbar pin shows nothing, so neither has text or an input to find here.
    if (e.querySelector('[data-testid^="stBidiComponent"]')) continue;
    if (e.innerText.trim() === "" && !e.querySelector("canvas, input, textarea, svg, img, button, iframe")) return false;
  }
  return true;
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const line = parentElement.querySelector(".nnviz-rest");
  if (line) line.textContent = "Loading " + data + "\\u2026";
  if (parentElement.__nnvizAsked) return;  // a rerun mounts the same element again: ask once
  parentElement.__nnvizAsked = true;
  let frames = 0, calm = 0;
  const ask = () => {
    calm = settled() ? calm + 1 : 0;
    if (calm >= 2 && line) line.dataset.settled = "1";  // the first paint is on screen (benchmarks read it)
    if (calm >= 2 || ++frames > 480) setTriggerValue("painted", true);
    else requestAnimationFrame(ask);
  };
  requestAnimationFrame(ask);
}
"""
_CSS = """
.nnviz-rest { color: rgba(49, 51, 63, 0.6); font-size: 0.9rem; display: flex; align-items: center;
  gap: 0.5rem; padding: 0.5rem 0; }
.nnviz-rest::before { content: ""; width: 0.9rem; height: 0.9rem; border-radius: 50%;
  border: 2px solid rgba(49, 51, 63, 0.2); border-top-color: #ff4b4b;
  animation: nnviz-rest-spin 0.8s linear infinite; }
@keyframes nnviz-rest-spin { to { transform: rotate(360deg); } }
"""

_mount = st.components.v2.component(
    "nnviz.first_paint", js=_JS, css=_CSS,
    html='<div class="nnviz-rest" data-nnviz-rest role="status"></div>', isolate_styles=False)


def _in_browser() -> bool:
    """Whether the session's client is a web browser (one that will ask for the rest)."""
    try:
        agent = st.context.headers.get("User-Agent", "")
    except Exception:  # noqa: BLE001 - no request context: no browser
        return False
    return "Mozilla/" in agent


def whole_from_now(page: str) -> None:
    """Draw ``page`` whole from this run on: what the element's trigger sets, and what a run that
    shows no part worth splitting (a tab other than the one a first visit opens on) says."""
    st.session_state[_PAINTED] = st.session_state.get(_PAINTED, frozenset()) | {page}


def is_whole(page: str) -> bool:
    """Whether this run draws all of ``page`` (what ``rest_is_due`` answers, without drawing anything):
    for the parts of a page's rest that lie apart from where it waits."""
    return not _in_browser() or page in st.session_state.get(_PAINTED, frozenset())


def rest_is_due(page: str, what: str) -> bool:
    """True when the rest of ``page`` is drawn in this run; else show "Loading ``what``…" and have
    the browser ask for it once this run's paint is on screen (at most once per page and session)."""
    if is_whole(page):
        return True
    _mount(key=KEY_PREFIX + page, data=what, on_painted_change=lambda: whole_from_now(page))
    return False
