"""The pixel grid element (nnviz.ui.pixel_grid): its payload, its click reading, and its JS parses."""

from __future__ import annotations

import numpy as np

from nnviz.ui import pixel_grid
from nnviz.ui.pixel_grid import Grid
from tests.ui.node_js import check_module


def test_a_grid_sends_its_values_row_major_with_its_scale_and_box():
    v = np.array([[0.0, 0.5], [np.nan, 1.0]])
    p = Grid("input", v, box=(0, 0, 1, 1), margin=1, note="n").payload()
    assert (p["h"], p["w"], p["values"], p["lo"], p["hi"]) == (2, 2, [0.0, 0.5, 0.0, 1.0], 0.0, 1.0)
    assert p["box"] == [0, 0, 1, 1] and p["margin"] == 1 and p["cmap"] == "gray" and p["note"] == "n"
    assert (p["rows"], p["cols"]) == ("row", "column")
    assert Grid("map", v, cmap="diverging", lo=-2, hi=2).payload()["lo"] == -2.0


def test_clicked_reads_the_last_click_or_nothing(monkeypatch):
    import streamlit as st
    monkeypatch.setattr(st, "session_state", {"g": {"click": {"image": 1, "row": 3, "col": 4}}, "bad": {"click": "x"}})
    assert pixel_grid.clicked("g") == (1, 3, 4)
    assert pixel_grid.clicked("bad") is None and pixel_grid.clicked("missing") is None


def test_the_module_parses(tmp_path):
    source = pixel_grid.module_source()
    assert source.count("export default") == 1 and 'setTriggerValue("click"' in source
    check_module(source, "pixel_grid", tmp_path)
