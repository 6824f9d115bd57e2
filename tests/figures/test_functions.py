"""Figures of the functions page: Vega-Lite marks, encodings, titles, axes and data, and what they
are built from."""

from __future__ import annotations

import numpy as np

from nnviz.figures import functions as figs
from nnviz.figures.common import CANVAS
from nnviz.labs.explain import functions as lab
from nnviz.nn import activations


def _line(spec: dict) -> dict:
    return next(lay for lay in spec["layer"] if lay["mark"]["type"] == "line")


def test_activation_charts_have_f_and_derivative_per_activation():
    names = activations.names()
    curves = lab.activation_curves(names, 3.0, {"leaky_relu": {"alpha": 0.2}})
    f, df = figs.activation_charts(curves)
    labels = [figs.curve_name(c) for c in curves]
    assert "Leaky ReLU (alpha=0.2)" in labels
    for spec, title, values in ((f, "f(z)", [c.f for c in curves]), (df, "f′(z)", [c.df for c in curves])):
        assert spec["title"]["text"] == title and spec["usermeta"] == CANVAS
        line = _line(spec)
        assert line["encoding"]["color"]["scale"]["domain"] == labels  # one colour per activation, labelled
        assert line["encoding"]["x"]["title"] == "z" and line["encoding"]["y"]["title"] == title
        assert line["encoding"]["x"]["scale"]["domain"] == [-3.0, 3.0]  # z < 0 is drawn
        rules = [lay["encoding"] for lay in spec["layer"] if lay["mark"]["type"] == "rule" and "data" in lay]
        assert rules == [{"x": {"datum": 0.0, "type": "quantitative"}}, {"y": {"datum": 0.0, "type": "quantitative"}}]
        tooltip = spec["layer"][-1]["encoding"]["tooltip"]  # hover: z and every curve's value
        assert [t["title"] for t in tooltip] == ["z", *labels]
        table = spec["datasets"]["curves"]
        assert table.num_rows == len(curves[0].z) and table.num_columns == 1 + len(names)
        np.testing.assert_allclose(table.column("step").to_numpy(), curves[0].z, rtol=1e-6)
        for k, v in enumerate(values):
            np.testing.assert_allclose(table.column(f"s{k}").to_numpy(zero_copy_only=False), v, rtol=1e-5, atol=1e-6)
    relu = names.index("relu")
    np.testing.assert_allclose(df["datasets"]["curves"].column(f"s{relu}").to_numpy(), curves[relu].z > 0)


def test_derivative_chain_chart_is_log_scaled_with_best_case_lines():
    chains = lab.derivative_chain(["sigmoid", "tanh", "relu"], depth=20)
    spec = figs.derivative_chain_chart(chains)
    line = _line(spec)
    names = line["encoding"]["color"]["scale"]["domain"]
    assert names == ["Sigmoid", "Sigmoid: best case", "Tanh", "ReLU"]  # bound 1: no separate line
    colors = line["encoding"]["color"]["scale"]["range"]
    assert colors[0] == colors[1] != colors[2]  # the best case in its activation's colour
    assert '["Sigmoid: best case"]' in line["encoding"]["strokeDash"]["condition"]["test"]  # dotted
    assert line["encoding"]["y"]["scale"]["type"] == "log" and line["encoding"]["x"]["title"] == "number of layers n"
    assert {"y": {"datum": 1.0, "type": "quantitative"}} in [lay["encoding"] for lay in spec["layer"]]
    table = spec["datasets"]["curves"]
    np.testing.assert_allclose(table.column("s1").to_numpy(), 0.25 ** np.arange(1, 21))
    deep = figs.derivative_chain_chart(lab.derivative_chain(["sigmoid"], depth=60, weight=0.1))
    assert 0 < np.nanmin(deep["datasets"]["curves"].column("s0").to_numpy(zero_copy_only=False)) < 1e-60  # no floor
    dead = figs.derivative_chain_chart(lab.derivative_chain(["relu"], depth=5, x0=-1.0))
    assert "exactly 0" in dead["title"]["text"]
    assert dead["datasets"]["curves"].column("s0").null_count == 5  # a log axis has no 0


def test_init_gradients_charts():
    results = lab.init_gradient_norms("relu", depth=5, width=16, batch=32)
    forward, backward = figs.init_gradients_charts(results)
    assert _line(backward)["encoding"]["y"]["scale"]["type"] == "log"
    assert _line(forward)["mark"]["point"] and _line(forward)["encoding"]["x"]["title"] == "hidden layer"
    names = _line(backward)["encoding"]["color"]["scale"]["domain"]
    assert names[0].startswith("zeros") and "exactly 0" in names[0]
    assert backward["datasets"]["curves"].column("s0").null_count == 5  # log axis: zero is not drawn
    np.testing.assert_allclose(backward["datasets"]["curves"].column("s3").to_numpy(), results[3].grad_norms)
    np.testing.assert_allclose(forward["datasets"]["curves"].column("s3").to_numpy(), results[3].activation_std,
                               rtol=1e-6)
    assert forward["datasets"]["curves"].num_rows == 4 and backward["datasets"]["curves"].num_rows == 5


def test_loss_charts_have_loss_and_gradient():
    curves = lab.regression_loss_curves(["mse", "mae"], 0.0)
    loss, grad = figs.loss_charts(curves)
    assert loss["title"]["text"] == "loss L against the prediction" and grad["title"]["text"] == "gradient ∂L/∂(prediction)"
    for spec, values in ((loss, [c.value for c in curves]), (grad, [c.grad for c in curves])):
        line = _line(spec)
        assert line["encoding"]["color"]["scale"]["domain"] == ["Mean squared error", "Mean absolute error"]
        assert line["encoding"]["x"]["title"] == "prediction" and line["encoding"]["x"]["scale"]["domain"] == [-3.0, 3.0]
        assert {"y": {"datum": 0.0, "type": "quantitative"}} in [lay["encoding"] for lay in spec["layer"]]
        table = spec["datasets"]["curves"]
        for k, v in enumerate(values):
            np.testing.assert_allclose(table.column(f"s{k}").to_numpy(), v, rtol=1e-5, atol=1e-6)
    assert _line(grad)["encoding"]["y"]["title"] == "∂L/∂(prediction)"
    vs_p, vs_s = lab.classification_loss_curves(["binary_cross_entropy"], 1.0)
    loss, grad = figs.loss_charts(vs_s, "BCE")
    assert _line(grad)["encoding"]["x"]["title"] == "logit" and loss["title"]["text"] == "BCE: loss L against the logit"


def test_softmax_figures():
    b = lab.softmax_breakdown([2.0, 1.0, 0.1], 0.5)
    exp, probs = figs.softmax_charts(b)
    assert exp["title"]["text"] == "e^(z/T − max), summed" and probs["title"]["text"] == "probabilities (T = 0.5)"
    for spec, values, fmt in ((exp, b.exp, ".4~g"), (probs, b.probs, ".4f")):
        assert [lay["mark"]["type"] for lay in spec["layer"]] == ["bar", "text"]  # the value written on each bar
        assert spec["layer"][1]["encoding"]["text"]["format"] == fmt and spec["usermeta"] == CANVAS
        table = spec["datasets"]["bars"]
        assert table.column("label").to_pylist() == ["z1 = 2", "z2 = 1", "z3 = 0.1"]
        np.testing.assert_allclose(table.column("value").to_numpy(), values)
    temps, probs = lab.softmax_temperature_sweep([2.0, 1.0, 0.1])
    spec = figs.softmax_temperature_chart(temps, probs, 0.5, np.array([2.0, 1.0, 0.1]))
    line = _line(spec)
    assert line["encoding"]["color"]["scale"]["domain"] == ["z1 = 2", "z2 = 1", "z3 = 0.1"]
    assert line["encoding"]["x"]["scale"]["type"] == "log" and line["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert {"x": {"datum": 0.5, "type": "quantitative"}} in [lay["encoding"] for lay in spec["layer"]]  # current T
    assert "T = 0.5" in spec["title"]["text"]
    np.testing.assert_allclose(spec["datasets"]["curves"].column("s0").to_numpy(), probs[:, 0], rtol=1e-5, atol=1e-7)
