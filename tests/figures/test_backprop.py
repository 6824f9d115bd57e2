"""Figures of the backpropagation page: the loss slice, the history, the network graph with the
backward path highlighted, and the gradient check."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.figures import backprop as figs
from nnviz.labs.explain import gradient_check, neuron, numbers, tiny_network


def _leaves(spec: dict) -> list[dict]:
    """The unit layers of a (nested) layered spec, in drawing order."""
    return [leaf for lay in spec["layer"] for leaf in (_leaves(lay) if "layer" in lay else [lay])]


def _layer(spec: dict, mark: str, data: str, series: str | None = None) -> dict:
    """The visible unit layer drawing ``mark`` from ``data`` (and only ``series``, if given)."""
    [layer] = [lay for lay in _leaves(spec) if lay["data"]["name"] == data and lay["mark"]["type"] == mark
               and lay["mark"].get("opacity") != 0 and "hover" not in json.dumps(lay.get("transform", []))
               and (series is None or {"filter": {"field": "series", "equal": series}} in lay["transform"])]
    return layer


def test_loss_slice_figure_marks_the_step_and_the_tangent():
    config = neuron.PRESETS["sigmoid_ce"].config
    r = neuron.neuron(config)
    grid, values = neuron.neuron_loss_slice(config)
    spec = figs.loss_slice_figure(grid, values, config.w[0], r.loss, r.dL_dw[0], r.new_w[0], r.new_loss)
    json.dumps({k: v for k, v in spec.items() if k != "datasets"})  # plain JSON besides the Arrow tables
    assert spec["usermeta"]["embedOptions"]["renderer"] == "canvas"
    lines = spec["datasets"]["lines"].to_pydict()
    names = _layer(spec, "line", "lines", "L(w)")["encoding"]["color"]["scale"]["domain"]
    assert names == ["L(w)", "tangent, slope ∂L/∂w = -0.2375"]
    leaves = _leaves(spec)
    assert leaves.index(_layer(spec, "line", "lines", names[1])) > leaves.index(_layer(spec, "line", "lines", names[0]))
    curve = [(w, v) for w, v, s in zip(lines["w"], lines["L"], lines["series"], strict=True) if s == names[0]]
    assert [w for w, _ in curve] == pytest.approx(list(grid)) and [v for _, v in curve] == pytest.approx(list(values))
    (x0, x1), (y0, y1) = [[v for v, s in zip(lines[c], lines["series"], strict=True) if s == names[1]]
                          for c in ("w", "L")]
    assert (y1 - y0) / (x1 - x0) == pytest.approx(r.dL_dw[0])  # the tangent's slope is the gradient
    assert x0 < config.w[0] < x1
    dash = _layer(spec, "line", "lines", names[1])["encoding"]["strokeDash"]["scale"]["range"]
    assert dash[0] == [1, 0] and dash[1] != [1, 0]  # the tangent is dashed
    pts = spec["datasets"]["points"].to_pydict()
    assert pts["w"][0] == pytest.approx(config.w[0]) and pts["L"][0] == pytest.approx(r.loss)
    assert pts["w"][1] == pytest.approx(0.2238, abs=5e-5)
    enc = _layer(spec, "point", "points")["encoding"]
    assert enc["shape"]["scale"]["range"] == ["circle", "diamond"]
    assert enc["color"]["scale"]["domain"] == ["now: w = 0.2000", "after the step: w′ = 0.2238"]
    assert {t["field"] for t in enc["tooltip"]} == {"series", "w", "L"}
    step = _layer(spec, "rule", "step")  # the step: from the current point to where it lands
    assert step["encoding"]["x2"] == {"field": "w2"} and step["encoding"]["y2"] == {"field": "L2"}
    assert spec["datasets"]["step"].to_pydict()["w2"] == [pytest.approx(r.new_w[0])]
    assert enc["x"]["title"] == "weight w (other parameters fixed)" and enc["y"]["title"] == "loss L"
    lo, hi = enc["y"]["scale"]["domain"]
    assert lo < min(values) and hi > max(values)  # padded around the curve
    hover = next(lay for lay in leaves if lay.get("params"))
    assert hover["params"][0]["select"]["nearest"] and hover["encoding"]["tooltip"]


def test_loss_slice_figure_without_a_finite_step():
    grid = np.linspace(-1, 1, 5)
    values = np.array([1.0, np.inf, 0.5, np.nan, 2.0])
    spec = figs.loss_slice_figure(grid, values, 0.0, 0.5, 0.1, float("nan"), float("nan"), "w2")
    assert not [lay for lay in _leaves(spec) if lay["data"]["name"] == "step"]  # no step segment
    lines = spec["datasets"]["lines"].to_pydict()
    assert lines["L"][1] is None and lines["L"][3] is None  # gaps, not infinities
    assert spec["datasets"]["points"].to_pydict()["w"][1] is None
    curve = _layer(spec, "line", "lines", "L(w2)")["encoding"]
    assert curve["y"]["scale"]["domain"] == pytest.approx([0.38, 2.12])
    assert curve["color"]["scale"]["domain"][0] == "L(w2)"


def test_history_figure():
    loss, weights = figs.history_figure([0, 1, 2], [0.6, 0.5, 0.4], [[0.2, 0.0], [0.3, 0.1], [0.4, 0.2]], ["w", "b"])
    assert loss["datasets"]["curves"].to_pydict() == {"step": [0, 1, 2], "s0": pytest.approx([0.6, 0.5, 0.4])}
    assert loss["layer"][0]["encoding"]["y"]["title"] == "loss"
    assert loss["layer"][0]["encoding"]["x"]["title"] == "step"
    assert loss["layer"][0]["mark"]["point"]  # a marker on each step
    enc = weights["layer"][0]["encoding"]
    assert enc["color"]["scale"]["domain"] == ["w", "b"] and enc["y"]["title"] == "value"
    assert weights["datasets"]["curves"].column("s1").to_pylist() == pytest.approx([0.0, 0.1, 0.2])
    [only] = figs.history_figure([0, 1], [0.3, 0.2])  # the tiny network's loss: no weights chart
    assert only["datasets"]["curves"].num_rows == 2


@pytest.mark.parametrize("head", list(tiny_network.TINY_OUTPUTS))
def test_network_figure_highlights_each_backward_stage(head):
    r = tiny_network.tiny_forward_backward(tiny_network.TinyConfig(output=head, target=1))
    n_edges = len(r.edges)
    for step in range(len(r.steps) + 1):
        fig = figs.network_figure(r, step)
        lines = fig.data[:n_edges]
        hot = [t for t in lines if t.line.color == figs.HIGHLIGHT]
        expected = len(r.steps[step - 1].edges) if step else 0
        assert len(hot) == expected
        nodes = fig.data[-1]
        assert list(nodes.text) == [label for _, label, _ in r.nodes]
        texts = " ".join(a.text for a in fig.layout.annotations)
        if step == 3:  # output-layer weight gradients on the highlighted edges
            assert f"∂L/∂w = {numbers.fmt_plain(r.grads['dense1.W'][0, 0])}" in texts
        if step == 5:
            assert numbers.fmt_plain(r.delta1[0]) in texts
    with pytest.raises(ValueError, match="step"):
        figs.network_figure(r, 7)


def test_gradcheck_figure():
    result = gradient_check.gradient_check(tiny_network.TinyConfig())
    spec = figs.gradcheck_figure(result)
    bars = spec["datasets"]["bars"].to_pydict()
    assert bars["parameter"] == [r.name for r in result.rows] and len(result.rows) == 9
    assert all(bars["ok"])
    layer = spec["layer"][0]
    assert layer["mark"]["type"] == "bar" and layer["encoding"]["y"]["scale"]["type"] == "log"
    assert layer["encoding"]["y"]["title"] == "relative error (log scale)"
    assert layer["encoding"]["color"] == {"condition": {"test": "datum.ok", "value": figs.STEP},
                                          "value": figs.HIGHLIGHT}
    assert {t["field"] for t in layer["encoding"]["tooltip"]} == {"parameter", "backprop", "numeric",
                                                                  "relative_error"}
    assert spec["layer"][1]["mark"]["type"] == "rule" and spec["layer"][1]["data"]["values"][0]["t"] == 1e-6
    assert spec["layer"][-1]["data"]["values"][0]["label"] == "threshold 1e-06"
    assert spec["layer"][-1]["encoding"]["text"] == {"field": "label"}
    bad = figs.gradcheck_figure(gradient_check.gradient_check(tiny_network.TinyConfig(), slip=True))
    bars = bad["datasets"]["bars"].to_pydict()
    assert not all(bars["ok"]) and all(e > 0 for e in bars["error"])  # the log axis needs positive bars
    lo, hi = bad["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert lo <= min(bars["error"]) and hi > max(bars["error"])
