"""Figures of the functions page: trace types and counts, axes, and what they are built from."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nnviz.figures import functions as figs
from nnviz.labs.explain import functions as lab
from nnviz.nn import activations


def test_activation_figure_has_f_and_derivative_per_activation():
    names = activations.names()
    curves = lab.activation_curves(names, 3.0)
    fig = figs.activation_figure(curves)
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 2 * len(names)
    assert all(t.type == "scatter" for t in fig.data)
    assert {t.legendgroup for t in fig.data} == set(names)
    relu = [t for t in fig.data if t.legendgroup == "relu"]
    assert np.allclose(relu[0].y, np.maximum(curves[names.index("relu")].z, 0))
    assert np.allclose(relu[1].y, curves[names.index("relu")].z > 0)
    assert fig.layout.xaxis.title.text == "z" and fig.layout.xaxis2.title.text == "z"


def test_derivative_chain_figure_is_log_scaled_with_best_case_lines():
    chains = lab.derivative_chain(["sigmoid", "tanh", "relu"], depth=20)
    fig = figs.derivative_chain_figure(chains)
    assert fig.layout.yaxis.type == "log"
    names = [t.name for t in fig.data]
    assert names == ["Sigmoid", "Sigmoid: best case", "Tanh", "ReLU"]  # bound 1: no separate line
    assert np.allclose(fig.data[1].y, 0.25 ** np.arange(1, 21))
    dead = figs.derivative_chain_figure(lab.derivative_chain(["relu"], depth=5, x0=-1.0))
    assert any("exactly 0" in a.text for a in dead.layout.annotations)


def test_init_gradients_figure():
    results = lab.init_gradient_norms("relu", depth=5, width=16, batch=32)
    fig = figs.init_gradients_figure(results)
    assert len(fig.data) == 2 * len(results)
    assert fig.layout.yaxis2.type == "log"
    zeros = [t for t in fig.data if t.legendgroup == "zeros"]
    assert "exactly 0" in zeros[0].name
    assert np.all(np.isnan(np.asarray(zeros[1].y, dtype=float)))  # log axis: zero is not drawn
    he = [t for t in fig.data if t.legendgroup == "he_normal"][1]
    assert np.allclose(he.y, results[3].grad_norms)


def test_loss_curves_figure_has_loss_and_gradient_rows():
    curves = lab.regression_loss_curves(["mse", "mae"], 0.0)
    fig = figs.loss_curves_figure(curves)
    assert len(fig.data) == 4
    assert [t.yaxis for t in fig.data] == ["y", "y2", "y", "y2"]
    assert fig.layout.xaxis2.title.text == "prediction"
    vs_p, vs_s = lab.classification_loss_curves(["binary_cross_entropy"], 1.0)
    fig = figs.loss_curves_figure(vs_s, "against the logit")
    assert fig.layout.xaxis2.title.text == "logit" and fig.layout.title.text == "against the logit"


def test_softmax_figures():
    b = lab.softmax_breakdown([2.0, 1.0, 0.1], 0.5)
    fig = figs.softmax_figure(b)
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert np.allclose(fig.data[1].y, b.probs) and np.allclose(fig.data[0].y, b.exp)
    temps, probs = lab.softmax_temperature_sweep([2.0, 1.0, 0.1])
    fig = figs.softmax_temperature_figure(temps, probs, 0.5, np.array([2.0, 1.0, 0.1]))
    assert len(fig.data) == 3 and fig.layout.xaxis.type == "log"
    assert any(a.text == "T = 0.5" for a in fig.layout.annotations)
