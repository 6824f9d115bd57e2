"""Figures of the functions page: canvas charts' series (names, colours, values), titles, axes and
rules, and what they are built from."""

from __future__ import annotations

import numpy as np

from nnviz.figures import functions as figs
from nnviz.figures.canvas_chart import read
from nnviz.labs.explain import functions as lab
from nnviz.nn import activations


def test_activation_charts_have_f_and_derivative_per_activation():
    names = activations.names()
    curves = lab.activation_curves(names, 3.0, {"leaky_relu": {"alpha": 0.2}})
    f, df = figs.activation_charts(curves)
    labels = [figs.curve_name(c) for c in curves]
    assert "Leaky ReLU (alpha=0.2)" in labels
    for blob, title, values in ((f, "f(z)", [c.f for c in curves]), (df, "f′(z)", [c.df for c in curves])):
        r = read(blob)
        h = r["header"]
        assert h["title"] == title and list(r["lines"]) == labels  # one line per activation, labelled
        assert len({s["color"] for s in h["lines"]}) == min(len(labels), 10)
        assert all(s["hover"] and s["legend"] for s in h["lines"])  # hover: z and every curve's value
        assert h["x"]["title"] == "z" and h["y"]["title"] == title
        assert h["x"]["domain"] == [-3.0, 3.0]  # z < 0 is drawn
        assert [(q["axis"], q["value"]) for q in h["rules"]] == [("x", 0.0), ("y", 0.0)]
        for label, v in zip(labels, values, strict=True):
            z, y = r["lines"][label]
            np.testing.assert_allclose(z, curves[0].z)
            np.testing.assert_allclose(y, v)
    relu = labels[names.index("relu")]
    np.testing.assert_allclose(read(df)["lines"][relu][1], curves[names.index("relu")].z > 0)


def test_derivative_chain_chart_is_log_scaled_with_best_case_lines():
    chains = lab.derivative_chain(["sigmoid", "tanh", "relu"], depth=20)
    r = read(figs.derivative_chain_chart(chains))
    h = r["header"]
    assert list(r["lines"]) == ["Sigmoid", "Sigmoid: best case", "Tanh", "ReLU"]  # bound 1: no separate line
    colors = [s["color"] for s in h["lines"]]
    assert colors[0] == colors[1] != colors[2]  # the best case in its activation's colour
    assert [s["dash"] for s in h["lines"]] == [False, True, False, False]
    assert h["y"]["log"] and h["x"]["title"] == "number of layers n" and h["x"]["whole"]
    assert [(q["axis"], q["value"]) for q in h["rules"]] == [("y", 1.0)]
    n, best = r["lines"]["Sigmoid: best case"]
    np.testing.assert_allclose(best, 0.25 ** np.arange(1, 21))
    np.testing.assert_array_equal(n, np.arange(1, 21))
    deep = read(figs.derivative_chain_chart(lab.derivative_chain(["sigmoid"], depth=60, weight=0.1)))
    assert 0 < np.nanmin(deep["lines"]["Sigmoid"][1]) < 1e-60  # no floor: float64 all the way
    dead = read(figs.derivative_chain_chart(lab.derivative_chain(["relu"], depth=5, x0=-1.0)))
    assert "exactly 0" in dead["header"]["title"]
    assert not np.any(dead["lines"]["ReLU"][1] > 0)  # a log axis has no 0: nothing is drawn


def test_init_gradients_charts():
    results = lab.init_gradient_norms("relu", depth=5, width=16, batch=32)
    forward, backward = (read(b) for b in figs.init_gradients_charts(results))
    assert backward["header"]["y"]["log"] and not forward["header"]["y"]["log"]
    assert all(s["markers"] for s in forward["header"]["lines"]) and forward["header"]["x"]["title"] == "hidden layer"
    names = list(backward["lines"])
    assert names[0].startswith("zeros") and "exactly 0" in names[0]
    assert np.all(np.isnan(backward["lines"][names[0]][1]))  # log axis: zero is a gap
    np.testing.assert_allclose(backward["lines"][names[3]][1], results[3].grad_norms)
    np.testing.assert_allclose(forward["lines"][names[3]][1], results[3].activation_std)
    assert len(forward["lines"][names[3]][0]) == 4 and len(backward["lines"][names[3]][0]) == 5


def test_loss_charts_have_loss_and_gradient():
    curves = lab.regression_loss_curves(["mse", "mae"], 0.0)
    loss, grad = (read(b) for b in figs.loss_charts(curves))
    assert loss["header"]["title"] == "loss L against the prediction"
    assert grad["header"]["title"] == "gradient ∂L/∂(prediction)"
    for r, values in ((loss, [c.value for c in curves]), (grad, [c.grad for c in curves])):
        assert list(r["lines"]) == ["Mean squared error", "Mean absolute error"]
        assert r["header"]["x"]["title"] == "prediction" and r["header"]["x"]["domain"] == [-3.0, 3.0]
        assert ("y", 0.0) in [(q["axis"], q["value"]) for q in r["header"]["rules"]]
        for (_, y), v in zip(r["lines"].values(), values, strict=True):
            np.testing.assert_allclose(y, v)
    assert grad["header"]["y"]["title"] == "∂L/∂(prediction)"
    _, vs_s = lab.classification_loss_curves(["binary_cross_entropy"], 1.0)
    loss, grad = (read(b) for b in figs.loss_charts(vs_s, "BCE"))
    assert grad["header"]["x"]["title"] == "logit" and loss["header"]["title"] == "BCE: loss L against the logit"


def test_softmax_figures():
    b = lab.softmax_breakdown([2.0, 1.0, 0.1], 0.5)
    exp, probs = (read(x) for x in figs.softmax_charts(b))
    assert exp["header"]["title"] == "e^(z/T − max), summed" and probs["header"]["title"] == "probabilities (T = 0.5)"
    for r, values, text in ((exp, b.exp, [f"{v:.4g}" for v in b.exp]), (probs, b.probs, [f"{v:.4f}" for v in b.probs])):
        assert list(r["bars"]) == ["z1 = 2", "z2 = 1", "z3 = 0.1"]
        np.testing.assert_allclose(list(r["bars"].values()), values)
        assert r["header"]["bars"]["text"] == text  # the value written on each bar
        assert all(t.startswith("logit z") for t in r["header"]["bars"]["tips"])
        assert r["header"]["y"]["domain"] == [0.0, 1.1]
    temps, p = lab.softmax_temperature_sweep([2.0, 1.0, 0.1])
    r = read(figs.softmax_temperature_chart(temps, p, 0.5, np.array([2.0, 1.0, 0.1])))
    assert list(r["lines"]) == ["z1 = 2", "z2 = 1", "z3 = 0.1"]
    assert r["header"]["x"]["log"] and r["header"]["y"]["domain"] == [0.0, 1.0]
    assert [(q["axis"], q["value"], q["label"]) for q in r["header"]["rules"]] == [("x", 0.5, "T = 0.5")]  # current T
    assert "T = 0.5" in r["header"]["title"]
    np.testing.assert_allclose(r["lines"]["z1 = 2"][1], p[:, 0])
