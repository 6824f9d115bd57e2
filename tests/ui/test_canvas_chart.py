"""The canvas chart element's JS module (nnviz.ui.canvas_chart): the shared live-view helpers then
its own file, one default export, and it parses."""

from __future__ import annotations

from nnviz.ui import canvas_chart
from nnviz.ui.js_modules import SHARED_JS
from tests.ui.node_js import check_module


def test_the_module_is_the_shared_part_then_its_own(tmp_path):
    source = canvas_chart.module_source()
    shared = SHARED_JS.read_text(encoding="utf-8")
    assert source.startswith(shared) and source.count("export default") == 1
    for helper in ("function decode(", "function niceTicks(", "function sized(", "const escapeHtml ="):
        assert source.count(helper) == 1, helper  # defined once, in shared.js
    check_module(source, "canvas_chart", tmp_path)
