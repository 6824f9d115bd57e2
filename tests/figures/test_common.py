"""nnviz.figures.common: the one line chart, the one colour ramp and the category palette."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from nnviz.figures import common


def test_ramp_interpolates_evenly_spaced_stops_and_clips():
    stops = ["#000000", "#ff0000", "#ffffff"]
    rgb = common.ramp(np.array([0.0, 0.25, 0.5, 1.0, -3.0, 7.0, np.nan]), stops)
    assert rgb.shape == (7, 3)
    np.testing.assert_allclose(rgb[:4], [[0, 0, 0], [127.5, 0, 0], [255, 0, 0], [255, 255, 255]])
    np.testing.assert_allclose(rgb[4:], [[0, 0, 0], [255, 255, 255], [0, 0, 0]])  # clipped; NaN is 0
    grid = common.ramp(np.linspace(0, 1, 12).reshape(3, 4), np.array([[0, 0, 0], [0, 0, 255.0]]))
    assert grid.shape == (3, 4, 3) and grid[..., 2].max() == 255
    assert common.rgb(["#4c78a8"]).tolist() == [[76, 120, 168]]


def test_cycle_starts_over():
    assert [common.cycle(common.TABLEAU10, i) for i in (0, 10, 11)] == [common.TABLEAU10[0], *common.TABLEAU10[:2]]


def test_curves_frame_is_wide_with_nulls_padding_and_log_floor():
    t = common.curves_frame(np.array([1, 2, 3]), {"a": np.array([1.0, np.nan, 0.0]), "b": np.array([5.0])})
    assert t.column_names == ["step", "s0", "s1"] and t.schema.field("step").type == pa.int32()
    assert t.column("s0").to_pylist() == [1.0, None, 0.0] and t.column("s1").to_pylist() == [5.0, None, None]
    log = common.curves_frame(np.array([0.5, 1.0]), {"a": np.array([0.0, np.inf, 9.0])}, log=True)
    assert log.schema.field("step").type == pa.float32() and log.num_rows == 2  # a longer series is cut
    assert log.column("s0").to_pylist()[0] > 0 and log.column("s0").to_pylist()[1] is None


def test_lines_chart_layers_hover_and_options():
    spec = common.lines_chart(np.arange(4), {"train": np.ones(4), "test": np.zeros(4)}, y_title="loss", title="Loss")
    assert [lay["mark"]["type"] for lay in spec["layer"]] == ["line", "point", "rule"]
    line = spec["layer"][0]
    assert line["transform"][0] == {"fold": ["s0", "s1"], "as": ["key", "value"]}
    assert line["encoding"]["color"]["scale"] == {"domain": ["train", "test"], "range": list(common.TABLEAU10[:2])}
    assert line["encoding"]["x"]["axis"]["tickMinStep"] == 1 and "point" not in line["mark"]
    tooltip = spec["layer"][2]["encoding"]["tooltip"]
    assert [t["title"] for t in tooltip] == ["step", "train", "test"] and "format" not in tooltip[0]
    assert spec["usermeta"] == common.CANVAS and spec["autosize"] == common.FIT_X and spec["title"]["text"] == "Loss"
    epochs = common.lines_chart(np.array([0.5, 1.0]), {"a": np.ones(2)}, y_title="loss", x_title="epoch", log=True,
                                y_domain=(0.1, 1), x_axis_format=".3~f", x_format=".2f", x_step=None, points=18,
                                colors=["#123456"])
    line = epochs["layer"][0]
    assert line["mark"]["point"] == {"size": 18} and "tickMinStep" not in line["encoding"]["x"]["axis"]
    assert line["encoding"]["y"]["scale"] == {"type": "log", "domain": [0.1, 1]}
    assert epochs["layer"][2]["encoding"]["tooltip"][0] == {"field": "step", "type": "quantitative", "title": "epoch",
                                                             "format": ".2f"}
    assert line["encoding"]["color"]["scale"]["range"] == ["#123456"]


def test_lines_chart_spec_depends_on_names_not_values():
    def layout(n: int) -> str:
        spec = common.lines_chart(np.arange(n), {"a": np.random.default_rng(n).random(n)}, y_title="loss")
        return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)

    assert layout(3) == layout(50)


def test_lines_chart_x_scale_rules_and_dashed_series():
    spec = common.lines_chart(np.linspace(-2, 2, 5), {"f": np.ones(5), "bound": np.zeros(5)}, y_title="f",
                              x_scale={"domain": [-2, 2]}, x_rules=(0,), y_rules=(0, 1), dashed=["bound"])
    marks = [lay["mark"]["type"] for lay in spec["layer"]]
    assert marks == ["rule", "rule", "rule", "line", "point", "rule"]  # the fixed rules under the curves
    assert [lay["encoding"] for lay in spec["layer"][:3]] == [
        {"x": {"datum": 0.0, "type": "quantitative"}}, {"y": {"datum": 0.0, "type": "quantitative"}},
        {"y": {"datum": 1.0, "type": "quantitative"}}]
    line = spec["layer"][3]["encoding"]
    assert line["x"]["scale"] == {"domain": [-2, 2]}
    assert '["bound"]' in line["strokeDash"]["condition"]["test"] and line["strokeDash"]["value"] == [1, 0]
    plain = common.lines_chart(np.arange(3), {"a": np.ones(3)}, y_title="a")["layer"][0]["encoding"]
    assert "strokeDash" not in plain and plain["x"]["scale"] == {"domainMin": 0, "nice": True}


def test_curves_frame_log_without_floor_keeps_tiny_values_and_gaps_at_zero():
    t = common.curves_frame(np.arange(4), {"g": np.array([1e-60, 0.0, -1.0, 2.0])}, log=True, log_floor=None)
    assert t.schema.field("s0").type == pa.float64()
    assert t.column("s0").to_pylist() == [1e-60, None, None, 2.0]
    spec = common.lines_chart(np.arange(4), {"g": np.array([1e-60, 0.0, 1.0, 2.0])}, y_title="g", log=True,
                              log_floor=None)
    assert spec["datasets"]["curves"].column("s0").to_pylist()[:2] == [1e-60, None]


def test_lines_chart_legend_options_are_merged():
    spec = common.lines_chart(np.arange(2), {"a": np.ones(2)}, y_title="a", legend={"columns": 3, "labelLimit": 300})
    assert spec["layer"][0]["encoding"]["color"]["legend"] == {"orient": "top", "direction": "horizontal",
                                                              "columns": 3, "labelLimit": 300}
    assert "axis" not in spec["layer"][0]["encoding"]["y"]
    log = common.lines_chart(np.arange(2), {"a": np.ones(2)}, y_title="a", log=True, y_axis={"format": "~e"})
    assert log["layer"][0]["encoding"]["y"]["axis"] == {"format": "~e"}
