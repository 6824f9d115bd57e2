"""The canvas chart description (nnviz.figures.canvas_chart): what goes in comes back out of the
blob (series, labels, colours, values, axes), and bad marks are refused with a message."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.figures.canvas_chart import Axis, Bars, Line, Points, Rule, chart, read
from nnviz.labs.packing import unpack


def test_a_chart_round_trips_every_mark():
    x = np.linspace(-2, 2, 9)
    blob = chart(Rule(x=0.0), Rule(y=1.0, color="#000000", dash=True, label="one"),
                 Line("square", x, x ** 2, "#4c78a8", markers=True), Line("bound", x, 2 * x, "#f58518", dash=True,
                                                                           hover=False, legend=False),
                 Points("now", [1.0], [1.0], "#e45756", shape="diamond", tips=["x = 1"]),
                 title="a title", x=Axis("x", domain=(-2, 2), fmt="g3"), y=Axis("y", log=True, nice=True), height=200)
    r = read(blob)
    h = r["header"]
    assert h["kind"] == "chart" and h["title"] == "a title" and h["height"] == 200
    assert h["x"] == {"title": "x", "log": False, "whole": False, "fmt": "g3", "pad": 0.0, "nice": False,
                      "short": "", "domain": [-2.0, 2.0]}
    assert h["y"]["log"] and h["y"]["nice"] and h["y"]["domain"] is None
    assert [s["name"] for s in h["lines"]] == ["square", "bound"]
    assert h["lines"][0]["markers"] and h["lines"][1]["dash"] and not h["lines"][1]["hover"]
    assert not h["lines"][1]["legend"] and h["lines"][1]["color"] == "#f58518"
    np.testing.assert_array_equal(r["lines"]["square"][0], x)
    np.testing.assert_array_equal(r["lines"]["square"][1], x ** 2)
    assert h["points"] == [{"name": "now", "color": "#e45756", "shape": "diamond", "size": 7.0, "legend": True,
                            "tips": ["x = 1"]}]
    assert h["rules"] == [{"axis": "x", "value": 0.0, "color": "#bbbbbb", "dash": False, "label": "", "width": 1.0},
                          {"axis": "y", "value": 1.0, "color": "#000000", "dash": True, "label": "one", "width": 1.0}]
    assert r["bars"] == {} and h["bars"] is None


def test_bars_keep_labels_values_colours_text_and_tips():
    blob = chart(Bars(["a", "b"], [0.25, 0.75], ["#111111", "#222222"], text=["0.25", "0.75"], tips=["A", "B"],
                      base=1e-3), y=Axis(domain=(0, 1)), legend=False)
    r = read(blob)
    assert r["bars"] == {"a": 0.25, "b": 0.75}
    assert r["header"]["bars"] == {"labels": ["a", "b"], "colors": ["#111111", "#222222"], "text": ["0.25", "0.75"],
                                   "tips": ["A", "B"], "base": 1e-3}
    assert not r["header"]["legend"]
    one = read(chart(Bars(["a", "b", "c"], [1, 2, 3], "#333333")))["header"]["bars"]
    assert one["colors"] == ["#333333"] * 3 and one["base"] is None


def test_lines_over_the_same_x_share_it_and_values_are_float32_where_that_holds_them():
    x = np.arange(5.0)
    blob = chart(Line("a", x, x), Line("b", x, 1e-60 * (x + 1)), Line("c", x[:3], x[:3]))
    header, arrays = unpack(blob)
    assert [s["x"] for s in header["lines"]] == ["x0", "x0", "x1"]  # a and b send x once
    assert arrays["ly0"].dtype == np.float32 and arrays["x0"].dtype == np.float32
    assert arrays["ly1"].dtype == np.float64 and arrays["ly1"][0] == 1e-60  # float32 would make it 0
    r = read(blob)
    np.testing.assert_array_equal(r["lines"]["b"][0], x)
    np.testing.assert_array_equal(r["lines"]["c"][0], x[:3])


def test_missing_values_are_gaps_and_rules_at_infinity_are_dropped():
    r = read(chart(Line("gappy", [0, 1, 2], [1.0, np.nan, np.inf]), Rule(y=float("inf")), Rule(x=float("nan"))))
    y = r["lines"]["gappy"][1]
    assert y[0] == 1.0 and np.isnan(y[1]) and np.isinf(y[2])  # the browser skips them
    assert r["header"]["rules"] == []


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Axis(fmt="%.3f"), "format"),
    (lambda: Axis(domain=(1, 1)), "domain"),
    (lambda: Axis(log=True, domain=(0, 1)), "log axis"),
    (lambda: Rule(), "exactly one"),
    (lambda: Rule(x=0, y=0), "exactly one"),
    (lambda: Points("p", [0], [0], shape="star"), "shape"),
    (lambda: Bars(["a"], [1, 2]), "labels"),
    (lambda: Bars(["a"], [1], text=["x", "y"]), "text"),
    (lambda: chart(Line("l", [1, 0], [0, 1])), "ascending"),
    (lambda: chart(Line("l", [0, 1], [0])), "x but"),
    (lambda: chart(Points("p", [0, 1], [0, 1], tips=["only one"])), "differ"),
    (lambda: chart(Bars(["a"], [1]), Bars(["b"], [2])), "at most one"),
    (lambda: chart(height=10), "height"),
    (lambda: chart(Bars(["a"], [1]), Line("l", [0, 1], [0, 1])), "no lines or points"),
])
def test_bad_marks_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
