"""The live views' glue (nnviz.ui.live_view): each view's JS module is the shared part then its own
file, with one default export, and parses; hiding the page pauses a running run and showing it
again resumes only a run that hiding paused."""

from __future__ import annotations

import pytest

from nnviz.ui import live_view
from nnviz.ui.js_modules import SHARED_JS
from nnviz.ui.live_view import hidden_pause
from tests.ui.node_js import check_module

VIEWS = ("live", "digits")


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_is_the_shared_part_then_its_own_module(view, tmp_path):
    source = live_view.module_source(view)
    shared = SHARED_JS.read_text(encoding="utf-8")
    assert source.startswith(shared) and source.count("export default") == 1
    for helper in ("function decode(", "function schedule(", "function mountView(", "function lineChart(",
                   "function niceTicks(", "function sized("):
        assert source.count(helper) == 1, helper  # defined once, in shared.js
    check_module(source, f"{view}", tmp_path)


@pytest.mark.parametrize(("visibility", "running", "flag", "want"), [
    ("hidden", True, False, (False, True)),     # hiding pauses and remembers it did
    ("hidden", False, False, (False, False)),   # paused by the user: stays paused, nothing to resume
    ("hidden", False, True, (False, False)),    # a stale flag from an earlier hide is overwritten
    ("visible", False, True, (True, False)),    # shown again: resumes what hiding paused
    ("visible", False, False, (False, False)),  # shown again after the user's Pause: stays paused
    ("visible", True, False, (True, False)),
    (None, True, True, (True, True)),           # no event: no change
])
def test_hiding_pauses_and_showing_resumes_only_what_hiding_paused(visibility, running, flag, want):
    assert hidden_pause(visibility, running, flag) == want
