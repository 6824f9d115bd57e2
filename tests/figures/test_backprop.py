"""Figures of the backpropagation page: the loss slice, the history, the network graph with the
backward path highlighted, and the gradient check."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.figures import backprop as figs
from nnviz.figures.canvas_chart import read
from nnviz.labs.explain import gradient_check, neuron, numbers, tiny_network


def test_loss_slice_figure_marks_the_step_and_the_tangent():
    config = neuron.PRESETS["sigmoid_ce"].config
    r = neuron.neuron(config)
    grid, values = neuron.neuron_loss_slice(config)
    c = read(figs.loss_slice_figure(grid, values, config.w[0], r.loss, r.dL_dw[0], r.new_w[0], r.new_loss))
    h = c["header"]
    names = list(c["lines"])
    assert names == ["L(w)", "tangent, slope ∂L/∂w = -0.2375", "the step"]  # the tangent over the curve
    w, loss = c["lines"]["L(w)"]
    np.testing.assert_allclose(w, grid)
    np.testing.assert_allclose(loss, values)
    (x0, x1), (y0, y1) = c["lines"][names[1]]
    assert (y1 - y0) / (x1 - x0) == pytest.approx(r.dL_dw[0], rel=1e-5)  # the slope is the gradient (float32)
    assert x0 < config.w[0] < x1
    styles = {s["name"]: s for s in h["lines"]}
    assert styles[names[1]]["dash"] and not styles["L(w)"]["dash"]  # the tangent is dashed
    assert styles["L(w)"]["hover"] and not styles[names[1]]["hover"]  # hover reads the curve
    assert not styles["the step"]["legend"]
    sx, sy = c["lines"]["the step"]  # the step: from the current point to where it lands
    assert sorted(sx) == pytest.approx(sorted([config.w[0], r.new_w[0]]))
    assert sorted(sy) == pytest.approx(sorted([r.loss, r.new_loss]))
    assert list(c["points"]) == ["now: w = 0.2000", "after the step: w′ = 0.2238"]
    assert [p["shape"] for p in h["points"]] == ["circle", "diamond"]
    now, after = c["points"].values()
    assert now[0][0] == pytest.approx(config.w[0]) and now[1][0] == pytest.approx(r.loss)
    assert after[0][0] == pytest.approx(0.2238, abs=5e-5)
    assert h["points"][0]["tips"] == [f"w = {numbers.fmt_plain(config.w[0])}\nL = {numbers.fmt_plain(r.loss)}"]
    assert h["x"]["title"] == "weight w (other parameters fixed)" and h["y"]["title"] == "loss L"
    assert h["x"]["short"] == "w"  # the readout says w = ..., not the whole title
    lo, hi = h["y"]["domain"]
    assert lo < min(values) and hi > max(values)  # padded around the curve


def test_loss_slice_figure_without_a_finite_step():
    grid = np.linspace(-1, 1, 5)
    values = np.array([1.0, np.inf, 0.5, np.nan, 2.0])
    c = read(figs.loss_slice_figure(grid, values, 0.0, 0.5, 0.1, float("nan"), float("nan"), "w2"))
    assert "the step" not in c["lines"]  # no step segment
    assert list(c["lines"])[0] == "L(w2)"
    _, (after_x, after_y) = c["points"].values()
    assert np.isnan(after_x[0]) and np.isnan(after_y[0])  # not drawn (the browser skips it)
    assert c["header"]["y"]["domain"] == pytest.approx([0.38, 2.12])  # the finite values, padded by 8%


def test_history_figure():
    loss, weights = (read(b) for b in figs.history_figure([0, 1, 2], [0.6, 0.5, 0.4],
                                                          [[0.2, 0.0], [0.3, 0.1], [0.4, 0.2]], ["w", "b"]))
    x, y = loss["lines"]["loss"]
    assert list(x) == [0, 1, 2] and list(y) == pytest.approx([0.6, 0.5, 0.4])
    assert loss["header"]["y"]["title"] == "loss" and loss["header"]["x"]["title"] == "step"
    assert loss["header"]["lines"][0]["markers"]  # a marker on each step
    assert list(weights["lines"]) == ["w", "b"] and weights["header"]["y"]["title"] == "value"
    assert list(weights["lines"]["b"][1]) == pytest.approx([0.0, 0.1, 0.2])
    [only] = figs.history_figure([0, 1], [0.3, 0.2])  # the tiny network's loss: no weights chart
    assert len(read(only)["lines"]["loss"][0]) == 2


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
    c = read(figs.gradcheck_figure(result))
    h = c["header"]
    assert list(c["bars"]) == [r.name for r in result.rows] and len(result.rows) == 9
    assert h["bars"]["colors"] == [figs.STEP] * 9  # all below the threshold: green
    assert h["y"]["log"] and h["y"]["title"] == "relative error (log scale)" and h["bars"]["base"] == 1e-16
    first = result.rows[0]
    assert h["bars"]["tips"][0] == (f"{first.name}\nbackprop: {first.backprop:.8g}\nfinite differences: "
                                    f"{first.numeric:.8g}\nrelative error: {first.relative_error:.2e}")
    [rule] = h["rules"]
    assert (rule["axis"], rule["value"], rule["label"], rule["dash"]) == ("y", 1e-6, "threshold 1e-06", True)
    bad = read(figs.gradcheck_figure(gradient_check.gradient_check(tiny_network.TinyConfig(), slip=True)))
    errors = list(bad["bars"].values())
    assert figs.HIGHLIGHT in bad["header"]["bars"]["colors"] and all(e > 0 for e in errors)  # log axis: positive
    lo, hi = bad["header"]["y"]["domain"]
    assert lo <= min(errors) and hi > max(errors)
