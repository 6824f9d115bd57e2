"""Load the frontend code of the app's other pages while the student reads this one.

Streamlit's frontend fetches and compiles each element's code the first time a page shows that
element: the home page has no slider, radio, select box, number input, metric or formula, so the
first click on any other page waited for some 65 files (1.2 MB) of them, fetched one layer of
imports at a time. In headless Chromium on 2 cores, a first click after 2 s on the home page took
0.69-1.51 s without the warm-up and 0.53-1.18 s with it (``bench/bench_navigation.py``, side by
side; issue 16: every page interactive in 1.5 s).

``warm_frontend()`` (app.py, every page) places a small components-v2 element at the end of the
page. Once per browser tab, after the page's run is done and its rest has arrived
(``first_paint``), it imports the chunks named in ``WARM_CHUNKS``, four per idle period of the
browser, so no long task holds up the page it runs on; their own imports follow by themselves.
It marks itself ``data-warm="done"`` (``DONE``) when it is through.

Plotly's chunk (4.7 MB, about a second of main thread to evaluate) is left out on purpose: no page
draws plotly on its first paint, and a second-long task would delay a click made meanwhile.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import streamlit as st

from nnviz.ui import first_paint

#: The lazily loaded chunks of Streamlit's frontend that the app's pages show on their first paint
#: and the home page does not (the entry points: each one's imports load with it). Found by
#: recording the JavaScript each page's first click loads beyond the home page's; a Streamlit
#: upgrade that renames one fails ``tests/ui/test_frontend_warmup.py``.
WARM_CHUNKS = (
    "BidiComponent", "Button", "ButtonGroup", "Checkbox", "DownloadButton", "FileUploader", "Metric",
    "Multiselect", "NumberInput", "Progress", "Radio", "Selectbox", "Slider", "TextInput",
    "rehype-katex", "rehype-raw",
)
KEY = "nnviz_frontend_warmup"
DONE = "[data-nnviz-warmup][data-warm=done]"  # a CSS selector: every chunk is loaded
#: A script that, run before the page's own, turns the warm-up off in its tab (benchmarks' side by side).
TURN_OFF = "window.__nnvizWarmup = 'off';"
STREAMLIT_JS = Path(st.__file__).resolve().parent / "static" / "static" / "js"


@functools.lru_cache(maxsize=4)  # one Streamlit per server: its chunks are read once
def chunk_files(names: tuple[str, ...] = WARM_CHUNKS, folder: Path = STREAMLIT_JS) -> tuple[str, ...]:
    """The file names (``Slider.WU6er_Bo.js``) of the chunks ``names`` in Streamlit's ``folder``;
    a name with no file is left out (the warm-up is only a head start)."""
    files = sorted(p.name for p in folder.glob("*.js")) if folder.is_dir() else []
    found = []
    for name in names:
        pattern = re.compile(rf"{re.escape(name)}\.[A-Za-z0-9_-]+\.js")
        found += [f for f in files if pattern.fullmatch(f)][:1]
    return tuple(found)


_JS = """
// Once per browser tab (the app is one document across its pages): wait until the page's run is
// done and nothing of it is still on its way, then import the chunks, BATCH in each idle period.
const BATCH = 4;  // chunks per idle period: their fetches overlap, their compiling stays short
const IDLE = (fn) => (window.requestIdleCallback ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 50));
const busy = () => !document.querySelector("[data-testid=stApp][data-test-script-state=notRunning]")
  || document.querySelector(__PENDING__) !== null;  // some page's rest is still on its way

function base() {
  // The folder of Streamlit's own scripts: where its index module was loaded from.
  const main = document.querySelector('script[type=module][src*="/static/js/index."]');
  return main ? new URL(".", main.src) : new URL("static/js/", document.baseURI);
}

export default function (component) {
  const { data, parentElement } = component;
  const mark = parentElement.querySelector("[data-nnviz-warmup]");
  if (window.__nnvizWarmup) { if (mark) mark.dataset.warm = window.__nnvizWarmup; return; }
  window.__nnvizWarmup = "waiting";
  const files = Array.isArray(data) ? data.slice() : [], folder = base();
  const set = (state) => {
    window.__nnvizWarmup = state;
    for (const m of document.querySelectorAll("[data-nnviz-warmup]")) m.dataset.warm = state;
  };
  const next = () => {
    if (!files.length) { set("done"); return; }
    if (busy()) { setTimeout(next, 300); return; }
    set("loading");
    const urls = files.splice(0, BATCH).map((f) => new URL(f, folder).href);
    Promise.all(urls.map((u) => import(u).catch(() => null))).then(() => IDLE(next));
  };
  setTimeout(() => IDLE(next), 500);
}
""".replace("__PENDING__", json.dumps(first_paint.PENDING))

_mount = st.components.v2.component(
    "nnviz.frontend_warmup", js=_JS, html='<div data-nnviz-warmup data-warm="waiting"></div>',
    isolate_styles=False)


def warm_frontend() -> None:
    """At the end of the page: the element that loads ``WARM_CHUNKS`` in the browser (once
    per tab, when it is idle). Draws nothing."""
    files = chunk_files()
    if files:
        _mount(key=KEY, data=list(files))
