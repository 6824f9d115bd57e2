"""nnviz.labs.explain.functions: the functions page's curves and numbers, from the registries and
the engine, checked by hand where a formula allows."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nnviz.labs.explain.functions import (
    DEFAULT_INITS,
    activation_curves,
    activation_table,
    classification_loss_curves,
    derivative_chain,
    init_gradient_norms,
    passes_gradient,
    regression_loss_curves,
    softmax_breakdown,
    softmax_temperature_sweep,
)
from nnviz.nn import activations, initializers

ACTS = activations.names()


def test_activation_curves_come_from_the_registry():
    curves = activation_curves(ACTS, 4.0, {"leaky_relu": {"alpha": 0.2}, "softmax": {"temperature": 2.0}})
    assert [c.name for c in curves] == ACTS
    for c in curves:
        fn = activations.get(c.name, **c.params)
        if fn.elementwise:
            assert c.f == pytest.approx(fn.forward(c.z[:, None])[:, 0])
            assert c.df == pytest.approx(fn.derivative(c.z[:, None])[:, 0])
    soft = curves[ACTS.index("softmax")]
    sig = activations.get("sigmoid").forward(soft.z / 2.0)
    assert soft.f == pytest.approx(sig)  # softmax(z, 0)_1 = sigmoid(z / T)
    assert soft.df == pytest.approx(sig * (1 - sig) / 2.0)
    leaky = curves[ACTS.index("leaky_relu")]
    assert leaky.df[0] == pytest.approx(0.2)


def test_extreme_activation_range_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        curves = activation_curves(ACTS, 1000.0, {"softmax": {"temperature": 0.001}})
    for c in curves:
        assert np.all(np.isfinite(c.f)) and np.all(np.isfinite(c.df))


def test_activation_table_rows_follow_the_registry():
    rows = activation_table()
    assert [r["Function"] for r in rows] == [activations.ACTIVATIONS.get(n).label for n in ACTS]
    relu = rows[ACTS.index("relu")]
    assert relu["Output range"] == "[0, ∞)" and "Dead" in relu["Issues"]


def test_derivative_chain():
    chains = {c.name: c for c in derivative_chain(["sigmoid", "tanh", "relu"], depth=12, x0=0.5)}
    # by hand: a_l = sigmoid(a_{l-1}), product of sigmoid'(z_l)
    a, prod = 0.5, 1.0
    for _ in range(12):
        s = 1 / (1 + math.exp(-a))
        prod *= s * (1 - s)
        a = s
    assert chains["sigmoid"].product[-1] == pytest.approx(prod, rel=1e-9)
    assert chains["sigmoid"].bound == pytest.approx(0.25)
    assert chains["relu"].product == pytest.approx(np.ones(12))
    assert chains["sigmoid"].product[-1] < 0.25**12 < chains["tanh"].product[-1] < 1
    dead = derivative_chain(["relu"], depth=5, x0=-1.0)[0]
    assert np.all(dead.product == 0) and np.all(np.isnan(dead.log10_abs))
    with pytest.raises(ValueError, match="elementwise"):
        derivative_chain(["softmax"])


def test_init_gradient_norms_show_symmetry_and_he_for_relu():
    res = {r.init: r for r in init_gradient_norms("relu", depth=8, width=32, batch=64)}
    assert set(res) == {"zeros", "random_normal", "xavier_uniform", "he_normal"}
    assert res["zeros"].distinct_units == 1  # every unit identical: symmetry never broken
    assert np.all(res["zeros"].grad_norms == 0)
    assert res["he_normal"].distinct_units == 32
    assert res["random_normal"].grad_norms.max() < 1e-6 < res["xavier_uniform"].grad_norms.min()
    # He keeps the ReLU signal: its deepest hidden layer keeps more of its spread than Xavier's
    he, xa = res["he_normal"].activation_std, res["xavier_uniform"].activation_std
    assert he[-1] / he[0] > xa[-1] / xa[0]
    assert he[-1] > 0.3 > xa[-1]
    sig = {r.init: r for r in init_gradient_norms("sigmoid", ["zeros"], depth=4, width=8)}
    assert sig["zeros"].grad_norms[-1] > 0 and np.all(sig["zeros"].grad_norms[:-1] == 0)
    assert {r.init for r in init_gradient_norms("tanh", ["he", "xavier"], depth=3, width=8)} == \
        {initializers.INITIALIZERS.canonical("he"), initializers.INITIALIZERS.canonical("xavier")}


def test_batch_normalization_keeps_a_deep_sigmoid_networks_gradients_alive():
    """Note 002: batch normalization mitigates vanishing gradients. Measured on 20 sigmoid layers."""
    plain, = init_gradient_norms("sigmoid", ["xavier_uniform"], depth=20, width=64)
    normed, = init_gradient_norms("sigmoid", ["xavier_uniform"], depth=20, width=64, batchnorm=True)
    assert (plain.batchnorm, normed.batchnorm) == (False, True)
    assert (plain.label, normed.label) == ("xavier_uniform", "xavier_uniform + batch norm")
    assert plain.grad_norms[0] / plain.grad_norms[-1] < 1e-10  # vanished
    assert normed.grad_norms[0] / normed.grad_norms[-1] > 1e-2  # kept
    assert np.all(np.isfinite(normed.grad_norms)) and len(normed.grad_norms) == 20
    # Every hidden layer's output keeps a spread with it (sigmoid's steep middle), not only the first ones.
    assert normed.activation_std.min() > 0.1 > plain.activation_std[-1]


def test_regression_loss_curves():
    curves = {c.name: c for c in regression_loss_curves(["mse", "mae", "huber"], target=1.0, span=3.0,
                                                                 points=61, params={"huber": {"delta": 0.5}})}
    r = curves["mse"].x - 1.0
    assert curves["mse"].value == pytest.approx(r**2)
    assert curves["mse"].grad == pytest.approx(2 * r)
    assert curves["mae"].grad == pytest.approx(np.sign(r))
    assert curves["huber"].grad == pytest.approx(np.clip(r, -0.5, 0.5))
    assert curves["huber"].value[0] == pytest.approx(0.5 * (3 - 0.25))


def test_classification_loss_curves():
    vs_p, vs_s = classification_loss_curves(["binary_cross_entropy", "cross_entropy", "mse"], target=1.0,
                                                    classes=3, points=51)
    assert [c.name for c in vs_p] == ["binary_cross_entropy", "cross_entropy"]  # mse has no probability view
    bce_p, ce_p = vs_p
    bce_s, ce_s = vs_s
    assert bce_p.value == pytest.approx(-np.log(bce_p.x))
    assert bce_p.grad == pytest.approx(-1 / bce_p.x)
    sig = 1 / (1 + np.exp(-bce_s.x))
    assert bce_s.grad == pytest.approx(sig - 1)
    p0 = np.exp(ce_s.x) / (np.exp(ce_s.x) + 2)
    assert ce_s.value == pytest.approx(-np.log(p0))
    assert ce_s.grad == pytest.approx(p0 - 1)
    assert np.abs(bce_s.grad).max() <= 1 < np.abs(bce_p.grad).max()


def test_softmax_breakdown():
    b = softmax_breakdown([2.0, 1.0, 0.1], temperature=1.0)
    assert b.probs == pytest.approx([0.6590, 0.2424, 0.0986], abs=5e-5)
    assert b.exp / b.total == pytest.approx(b.probs)
    assert not b.overflow
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hot = softmax_breakdown([1000.0, 0.0, -1000.0], temperature=0.001)
    assert hot.overflow and hot.probs == pytest.approx([1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="temperature"):
        softmax_breakdown([1.0, 2.0], temperature=0.0)


def test_softmax_temperature_sweep_matches_one_call_per_temperature():
    temps, probs = softmax_temperature_sweep([2.0, 1.0, 0.1], np.array([0.01, 1.0, 100.0]))
    for t, row in zip(temps, probs, strict=True):
        assert row == pytest.approx(softmax_breakdown([2.0, 1.0, 0.1], t).probs)


def test_a_vector_function_curve_says_what_it_shows():
    for c in activation_curves(ACTS, 3.0):
        cls = activations.ACTIVATIONS.get(c.name)
        assert c.note == cls.curve_note  # empty for elementwise functions


def test_passes_gradient():
    assert not passes_gradient("step")  # f' = 0 everywhere: no initializer comparison to make
    assert all(passes_gradient(n) for n in ("sigmoid", "tanh", "relu", "linear"))
    assert set(DEFAULT_INITS) <= set(initializers.names())
