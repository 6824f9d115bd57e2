"""Tests for nnviz.figures.playground: Vega-Lite specs (marks, encodings, axis titles, data shapes)."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from nnviz.figures import playground as figs
from nnviz.labs.playground import views
from nnviz.labs.playground.experiment import FEATURE_NAMES, Experiment
from nnviz.labs.playground.run import Run, build


@pytest.fixture(scope="module")
def run() -> Run:
    r = build(Experiment())
    r.train(60)
    return r


def _layers(spec):
    """Every unit spec in a (nested) layered spec."""
    out = []
    for layer in spec.get("layer", []):
        out += _layers(layer) if "layer" in layer else [layer]
    return out


def _mark(layer):
    m = layer["mark"]
    return m if isinstance(m, str) else m["type"]


def _layout(spec) -> str:
    """The spec without its data: what decides whether Vega updates in place or rebuilds."""
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)


def _points(r):
    return figs.points_frame(r.data.X_train, r.data.y_train, r.data.X_test, r.data.y_test)


def _draw_runs(table: pa.Table, size: int, cell: float) -> np.ndarray:
    """Paint run rectangles back into a (rows, cols) grid of levels, top row first."""
    cols = {k: table.column(k).to_numpy() for k in ("x0", "x1", "y", "v")}
    grid = np.full((int(size / cell), int(size / cell)), -1)
    for x0, x1, y, v in zip(cols["x0"], cols["x1"], cols["y"], cols["v"], strict=True):
        grid[int(y // cell), int(x0 // cell): int(x1 // cell)] = v
    return grid


def test_surface_chart_heatmap_and_points(run):
    z = views.decision_surface(run)
    spec = figs.surface_chart(z, _points(run), "classification")
    layers = _layers(spec)
    assert [_mark(lay) for lay in layers] == ["rect", "circle", "circle"]
    runs = spec["datasets"]["runs"]
    assert isinstance(runs, pa.Table) and runs.num_rows < 100 * 100 / 2  # far fewer marks than cells
    assert runs.schema.field("x0").type == pa.uint16() and runs.schema.field("v").type == pa.uint8()
    # The runs repaint exactly the 100x100 grid of levels (row 0 of the picture is the top, x2 high).
    grid = _draw_runs(runs, 500, 5)
    np.testing.assert_array_equal(grid, figs.surface_codes(z, "classification")[::-1])
    assert spec["width"] == spec["height"] == 500 and spec["autosize"]["type"] == "pad"
    heat = layers[0]["encoding"]
    assert heat["x"]["scale"]["domain"] == [0, 500] and heat["x2"]["field"] == "x1"
    assert heat["color"]["scale"]["interpolate"] == "rgb" and heat["color"]["scale"]["domain"][-1] == 47
    dots = layers[1]["encoding"]
    assert dots["x"]["title"] == "x1" and dots["y"]["title"] == "x2"
    assert dots["x"]["scale"]["domain"] == list(views.DOMAIN)
    assert [t["title"] for t in dots["tooltip"]][:2] == ["x1", "x2"]
    pts = spec["datasets"]["points"]
    assert pts.num_rows == 500 and sum(pts.column("t").to_pylist()) == len(run.data.X_test)


def test_run_lengths():
    codes = np.array([[1, 1, 2, 2, 2], [3, 3, 3, 3, 3], [1, 2, 1, 2, 1]])
    r, start, stop, v = figs.run_lengths(codes)
    assert list(zip(r, start, stop, v, strict=True)) == [
        (0, 0, 2, 1), (0, 2, 5, 2), (1, 0, 5, 3), (2, 0, 1, 1), (2, 1, 2, 2), (2, 2, 3, 1), (2, 3, 4, 2),
        (2, 4, 5, 1)]


def test_surface_codes_and_discretize():
    z = np.linspace(0, 1, 16, dtype=np.float32).reshape(4, 4)
    codes = figs.surface_codes(z, "classification")
    top = figs.SURFACE_LEVELS - 1
    assert codes.dtype == np.uint8 and codes.min() == 0 and codes.max() == top
    assert set(np.unique(figs.surface_codes(z, "classification", discretize=True))) == {0, top}
    reg = figs.surface_codes(np.array([[-5.0, 0.0], [0.5, 9.0]]), "regression", levels=256)
    assert reg.tolist() == [[0, 128], [191, 255]]
    assert len(np.unique(figs.surface_codes(np.linspace(-1, 1, 100).reshape(10, 10), "regression", True))) == 9
    assert figs.surface_codes(np.array([[np.nan]]), "classification", levels=255)[0, 0] == 127
    discrete = figs.surface_chart(z, figs.points_frame(np.zeros((0, 2)), np.zeros(0)), "classification",
                                  discretize=True, cell_px=1)
    assert discrete["datasets"]["runs"].num_rows <= 2 * 4


def test_regression_surface_uses_a_symmetric_scale(run):
    spec = figs.surface_chart(np.zeros((50, 50), np.float32), _points(run), "regression", cell_px=4)
    assert spec["width"] == 200
    dots = _layers(spec)[1]["encoding"]
    assert dots["fill"]["scale"]["domain"] == [-1, 0, 1] and dots["tooltip"][2]["title"] == "target"


def test_specs_depend_on_layout_only_so_vega_updates_in_place():
    r = build(Experiment(n_points=100))
    exp = r.experiment
    res = figs.neuron_resolution(exp.sizes)

    def all_specs():
        c = views.curves(r.history)
        return [
            figs.surface_chart(views.decision_surface(r), _points(r), "classification"),
            figs.loss_chart(c), figs.accuracy_chart(c),
            figs.network_chart(views.neuron_maps(r, res), views.weights(r), views.neuron_labels(exp), output_range=(0, 1)),
            figs.gradient_norm_chart(views.gradient_norms(r)), figs.histogram_chart(views.weight_histograms(r)),
        ]

    r.train(5)
    before = [_layout(s) for s in all_specs()]
    r.train(100)
    after = [_layout(s) for s in all_specs()]
    assert before == after


def test_loss_chart_lines_hover_and_log_scale(run):
    c = views.curves(run.history)
    spec = figs.loss_chart(c)
    assert [_mark(lay) for lay in spec["layer"]] == ["line", "point", "rule"]
    assert spec["layer"][0]["transform"][0] == {"fold": ["s0", "s1"], "as": ["key", "value"]}
    line = spec["layer"][0]["encoding"]
    assert line["x"]["title"] == "step" and line["y"]["title"] == "loss"
    assert line["color"]["scale"]["domain"] == ["train loss", "test loss"]
    rule = spec["layer"][2]
    assert rule["params"][0]["select"]["nearest"] is True
    assert [t["title"] for t in rule["encoding"]["tooltip"]] == ["step", "train loss", "test loss"]
    data = spec["datasets"]["curves"]
    assert data.column_names == ["step", "s0", "s1"] and data.num_rows == len(c["step"])
    assert data.schema.field("s0").type == pa.float32()
    log = figs.loss_chart({**c, "train_loss": np.zeros_like(c["train_loss"])}, log=True)
    assert log["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert min(log["datasets"]["curves"].column("s0").to_pylist()) > 0
    assert "log" in log["layer"][0]["encoding"]["y"]["title"]


def test_loss_chart_without_test_data_has_one_series():
    c = {"step": np.arange(3), "train_loss": np.ones(3), "test_loss": np.full(3, np.nan),
         "train_accuracy": np.ones(3), "test_accuracy": np.full(3, np.nan)}
    assert figs.loss_chart(c)["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["train loss"]
    acc = figs.accuracy_chart(c)
    assert acc["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert acc["layer"][0]["encoding"]["y"]["title"] == "accuracy"


def test_compare_chart_keeps_labels_out_of_field_names():
    spec = figs.compare_loss_chart([np.array([1, 5]), np.array([1, 5, 10])], [np.ones(2), np.ones(3)],
                                   ["η = 0.03", "η = 3"])
    tooltip = spec["layer"][2]["encoding"]["tooltip"]
    assert [(t["field"], t["title"]) for t in tooltip[1:]] == [("s0", "η = 0.03"), ("s1", "η = 3")]
    assert '"η = 0.03"' in spec["layer"][0]["transform"][2]["calculate"]  # labels mapped in the browser
    data = spec["datasets"]["curves"]
    assert data.column("step").to_pylist() == [1, 5, 10] and data.column("s0").to_pylist() == [1, 1, None]
    assert spec["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"


def test_network_chart_draws_every_neuron_and_weight(run):
    exp = run.experiment
    res = figs.neuron_resolution(exp.sizes)
    maps = views.neuron_maps(run, res)
    weights = views.weights(run)
    spec = figs.network_chart(maps, weights, views.neuron_labels(exp), output_range=(0, 1))
    layers = spec["layer"]
    assert [_mark(lay) for lay in layers] == ["rule", "rect", "rect", "text", "text"]
    n_neurons = sum(exp.sizes)
    cells = spec["datasets"]["cells"]
    assert n_neurons * res <= cells.num_rows < n_neurons * res * res  # runs: at least one per row
    # The first input neuron (x1) rises from left to right: its left column is all lowest level.
    geo = figs.network_layout(exp.sizes)
    x0, x1, y = (cells.column(k).to_numpy() for k in ("x0", "x1", "y"))
    box0 = (x0 >= geo["nx"][0]) & (x1 <= geo["nx"][0] + geo["box"]) & (y > geo["ny"][0]) & (y < geo["ny"][0] + geo["box"])
    v = cells.column("v").to_numpy()
    assert v[box0].min() == 0 and v[box0].max() == figs.NEURON_LEVELS - 1
    assert (v[box0 & (x0 == geo["nx"][0])] == 0).all()
    edges = spec["datasets"]["edges"]
    assert edges.num_rows == sum(W.size for W, _ in weights)
    np.testing.assert_allclose(edges.column("w").to_numpy(), np.concatenate([W.ravel() for W, _ in weights]))
    enc = layers[0]["encoding"]
    assert enc["color"]["scale"]["range"] == [figs.BLUE, figs.ORANGE]
    assert enc["strokeWidth"]["field"] == "size"
    assert any(t.get("title") == "weight" for t in enc["tooltip"])
    assert spec["datasets"]["neurons"].num_rows == n_neurons
    texts = spec["datasets"]["texts"].column("text").to_pylist()
    assert texts[:4] == ["Input", "Hidden 1", "Hidden 2", "Output"] and texts[4:] == ["x1", "x2"]
    assert geo["box"] % figs.NEURON_CELL_PX == 0
    assert max(geo["nx"]) + geo["box"] <= geo["width"] and max(geo["ny"]) + geo["box"] <= geo["height"]


def test_network_chart_checks_its_inputs(run):
    maps = views.neuron_maps(run, 8)
    with pytest.raises(ValueError, match="weight matrices"):
        figs.network_chart(maps, views.weights(run)[:1], views.neuron_labels(run.experiment))
    with pytest.raises(ValueError, match="labels"):
        figs.network_chart(maps, views.weights(run), [["x1"], ["a"] * 4, ["b"] * 4, ["c"] * 2])


def test_neuron_codes_scale_each_column():
    inputs = np.array([[[-1.5, 1.5]]], np.float32)
    hidden = np.array([[[0.5, -0.25]], [[4.0, -2.0]]], np.float32)
    output = np.array([[[0.0, 0.5]]], np.float32)
    a, b, c = figs.neuron_codes([inputs, hidden, output], output_range=(0, 1))
    assert a.tolist() == [[[-127, 127]]]
    assert b.tolist() == [[[64, -32]], [[127, -64]]]  # tanh-like kept; larger ones scaled by their peak
    assert c.tolist() == [[[-127, 0]]]  # 0.5 is grey for a probability


@pytest.mark.parametrize("hidden", [(), (1,), (16,) * 6, (3, 16, 2)])
def test_network_layouts_for_every_size(hidden):
    exp = Experiment(hidden=hidden, features=FEATURE_NAMES, n_points=50)
    r = build(exp)
    res = figs.neuron_resolution(exp.sizes)
    spec = figs.network_chart(views.neuron_maps(r, res), views.weights(r), views.neuron_labels(exp))
    assert spec["width"] <= 1000 and len(_layout(spec)) < 20_000


def test_diagnostic_charts(run):
    g = figs.gradient_norm_chart(views.gradient_norms(run))
    assert g["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert g["layer"][0]["encoding"]["color"]["scale"]["domain"] == views.layer_labels(run.experiment)
    d = figs.dead_relu_chart(np.arange(3), np.array([0.0, 0.25, 0.5]))
    assert d["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 1]
    hists = views.weight_histograms(run)
    h = figs.histogram_chart(hists)
    assert h["facet"]["field"] == "layer" and _mark(h["spec"]) == "rect" and h["spec"]["encoding"]["y2"] == {"datum": 0}
    assert h["spec"]["encoding"]["x"]["title"] == "weight" and h["spec"]["encoding"]["y"]["title"] == "count"
    counts = h["datasets"]["hist"].column("count").to_numpy()
    assert (counts > 0).all() and counts.sum() == 2 * sum(x["now"].sum() for x in hists)


def test_default_tick_payload_is_small(run):
    exp = run.experiment
    c = views.curves(run.history)
    specs = [
        figs.surface_chart(views.decision_surface(run), _points(run), "classification"),
        figs.loss_chart(c), figs.accuracy_chart(c),
        figs.network_chart(views.neuron_maps(run, figs.neuron_resolution(exp.sizes)), views.weights(run),
                           views.neuron_labels(exp)),
    ]
    total = sum(figs.payload_bytes(s) for s in specs)
    assert total < 300_000
