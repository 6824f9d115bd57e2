"""nnviz.labs.explain: the numbers the functions and backpropagation pages show.

The worked examples are checked against the corrected numbers of ../shared/seeds/README.md, and
every computation against an independent path through the engine (Network, finite differences).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nnviz.labs import explain
from nnviz.nn import activations, initializers, losses
from nnviz.nn.gradcheck import numerical_gradient
from nnviz.nn.layers import Activation, Dense
from nnviz.nn.network import Network

ACTS = activations.names()
NEURON_LOSSES = ["mse", "mae", "huber", "binary_cross_entropy", "cross_entropy"]


def _network_step(config: explain.NeuronConfig):
    """The same neuron built as an engine Network: output, loss, dL/dW and the SGD update."""
    act = config.activation_fn()
    x = np.array([config.x])
    n = len(config.x)
    if act.elementwise:
        net = Network([Dense(1), Activation(config.activation, **dict(config.activation_params))],
                      input_shape=(n,), dtype=np.float64)
        net.params["dense0.W"][...] = np.array(config.w)[:, None]
        net.params["dense0.b"][...] = config.b
        y = np.array([[config.target]])
    else:  # one logit per input: a diagonal weight matrix
        net = Network([Dense(n), Activation(config.activation, **dict(config.activation_params))],
                      input_shape=(n,), dtype=np.float64)
        net.params["dense0.W"][...] = np.diag(config.w)
        net.params["dense0.b"][...] = config.b
        y = np.array([int(config.target)])
    loss = config.loss_fn()
    out = net.forward(x)
    value = loss.value(out, y)
    net.loss_backward(loss, out, y)
    W = net.grads["dense0.W"]
    gw = W[:, 0] if act.elementwise else np.diag(W)
    gb = float(net.grads["dense0.b"].sum())
    return out[0], value, gw.copy(), gb


# ---- the worked examples ------------------------------------------------------------------

def test_sigmoid_cross_entropy_preset():
    r = explain.neuron(explain.PRESETS["sigmoid_ce"].config)
    assert r.z[0] == pytest.approx(0.1)
    assert r.a[0] == pytest.approx(0.5250, abs=5e-5)
    assert r.loss == pytest.approx(0.6444, abs=5e-5)
    assert r.dL_dz[0] == pytest.approx(-0.4750, abs=5e-5)  # p - y
    assert r.da_dz[0] == pytest.approx(0.2494, abs=5e-5)
    assert r.dL_dw[0] == pytest.approx(-0.2375, abs=5e-5)
    assert r.new_w[0] == pytest.approx(0.2238, abs=5e-5)
    assert r.fused
    slip = explain.common_slip(r)
    assert slip.wrong_w[0] == pytest.approx(0.2059, abs=5e-5)  # p(1-p) multiplied in a second time
    assert "0.2059" in slip.explanation and "0.2238" in slip.explanation
    remark = explain.preset_remark("sigmoid_ce", r)
    assert "0.2118" in remark  # stepping with the note's printed gradient -0.118


def test_relu_cross_entropy_preset():
    r = explain.neuron(explain.PRESETS["relu_ce"].config)
    assert r.a[0] == pytest.approx(0.1)
    assert r.loss == pytest.approx(2.3026, abs=5e-5)
    assert r.dL_da[0] == pytest.approx(-10.0)
    assert r.da_dz[0] == pytest.approx(1.0)
    assert r.step("dz_dw").scalar == pytest.approx(0.5)
    assert r.dL_dw[0] == pytest.approx(-5.0)
    assert r.new_w[0] == pytest.approx(0.7)
    assert not r.fused
    slip = explain.common_slip(r)
    assert slip.wrong_dL_dz[0] == pytest.approx(-0.9)  # 'prediction minus target'
    assert slip.wrong_w[0] == pytest.approx(0.245)
    assert "0.2450" in slip.explanation and "0.7000" in slip.explanation


def test_softmax_cross_entropy_preset():
    r = explain.neuron(explain.PRESETS["softmax_ce"].config)
    assert r.z == pytest.approx([0.3, -0.4])  # each logit is w_i x_i
    assert r.a == pytest.approx([0.6682, 0.3318], abs=5e-5)
    assert r.loss == pytest.approx(1.1032, abs=5e-5)
    assert r.dL_dw == pytest.approx([0.6682, -1.3364], abs=5e-5)
    assert r.new_w == pytest.approx([0.2332, -0.0664], abs=5e-5)
    assert r.dL_db == pytest.approx(0.0, abs=1e-12)  # a bias shared by all logits: softmax ignores it
    assert r.da_dz.shape == (2, 2)
    assert explain.common_slip(r).title.startswith("The activation's derivative")
    remark = explain.preset_remark("softmax_ce", r)
    assert "0.6682" in remark and "0.645" in remark


@pytest.mark.parametrize("key", list(explain.PRESETS))
def test_presets_agree_with_the_engine_network(key):
    config = explain.PRESETS[key].config
    r = explain.neuron(config)
    out, value, gw, gb = _network_step(config)
    assert r.a == pytest.approx(out, rel=1e-12)
    assert r.loss == pytest.approx(value, rel=1e-12)
    assert r.dL_dw == pytest.approx(gw, rel=1e-10, abs=1e-14)
    assert r.dL_db == pytest.approx(gb, rel=1e-10, abs=1e-14)
    assert r.new_w == pytest.approx(np.array(config.w) - config.learning_rate * gw, rel=1e-12)


def test_steps_show_the_formula_and_the_numbers():
    r = explain.neuron(explain.PRESETS["sigmoid_ce"].config)
    keys = [s.key for s in r.steps]
    assert keys == ["z", "a", "loss", "dL_da", "da_dz", "dL_dz", "dz_dw", "dL_dw", "dL_db", "w_new", "b_new",
                    "loss_new"]
    assert [s.phase for s in r.steps[:3]] == ["forward"] * 3
    w_new = r.step("w_new")
    assert "0.2238" in w_new.latex and r"\eta" in w_new.latex and "0.2 - 0.1" in w_new.latex
    assert "a - y" in r.step("dL_dz").latex  # the fused form is shown beside the chain product
    assert r.step("dL_dz").note
    aligned = r.step("loss").latex_aligned
    assert aligned.startswith(r"\begin{aligned}") and "0.6444" in aligned


# ---- every activation and loss: consistent with the engine --------------------------------

@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("loss", NEURON_LOSSES)
def test_neuron_matches_network_and_finite_differences(act, loss):
    per_logit = not activations.get(act).elementwise
    x, w = ((0.7, -1.3, 0.4), (0.5, 0.2, -0.9)) if per_logit else ((0.7, -1.3), (0.5, 0.2))
    target = 2 if per_logit else (0.3 if loss == "binary_cross_entropy" else 0.8)
    config = explain.NeuronConfig(x, w, 0.15, act, loss, target, 0.05)
    r = explain.neuron(config)
    out, value, gw, gb = _network_step(config)
    assert r.loss == pytest.approx(value, rel=1e-12)
    assert r.dL_dw == pytest.approx(gw, rel=1e-9, abs=1e-12)
    wv = np.array(config.w)
    numeric = numerical_gradient(lambda: explain.neuron_loss(config, wv), wv)
    if act != "step":  # the step's true derivative is 0 but finite differences see no change either
        assert r.dL_dw == pytest.approx(numeric, rel=1e-5, abs=1e-7)
    if not r.fused and act != "softmax":
        assert r.dL_dz == pytest.approx(r.dL_da * r.da_dz, rel=1e-12)  # the chain rule, factor by factor
    assert np.allclose(r.chain, r.dL_dz, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("loss", NEURON_LOSSES)
@pytest.mark.parametrize("z", [-1000.0, 1000.0])
def test_extreme_pre_activations_are_finite_and_silent(act, loss, z):
    per_logit = not activations.get(act).elementwise
    x, w = ((1.0, 1.0), (z, -z)) if per_logit else ((1.0,), (z,))
    wrong = 0.0 if z > 0 else 1.0  # the saturated output is confidently wrong
    target = (1 if z > 0 else 0) if per_logit else (wrong if loss in ("binary_cross_entropy", "mse") else 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = explain.neuron(explain.NeuronConfig(x, w, 0.0, act, loss, target, 0.1))
        explain.common_slip(r)
        [s.latex for s in r.steps]
    assert np.isfinite(r.loss) and np.all(np.isfinite(r.dL_dw)) and np.all(np.isfinite(r.new_w))
    if r.fused:  # exact even where the plain chain product underflows: |p - y| = 1
        assert np.abs(r.dL_dz).max() == pytest.approx(1.0)


def test_slip_depends_on_whether_a_minus_y_is_already_the_gradient():
    # sigmoid with -y log a and y = 1: the chain rule gives a - 1, so the slip is the second derivative
    r = explain.neuron(explain.NeuronConfig((0.5,), (0.2,), 0.0, "sigmoid", "cross_entropy", 1.0, 0.1))
    assert not r.fused and r.dL_dz[0] == pytest.approx(r.a[0] - 1)
    assert "twice" in explain.common_slip(r).explanation
    # tanh with binary cross-entropy: a - y is not dL/dz
    r = explain.neuron(explain.NeuronConfig((0.5,), (0.2,), 0.0, "tanh", "binary_cross_entropy", 1.0, 0.1))
    slip = explain.common_slip(r)
    assert "minus target" in slip.explanation
    assert slip.wrong_dL_dz[0] == pytest.approx((r.a[0] - 1) * (1 - r.a[0] ** 2))
    assert explain.common_slip(explain.neuron(explain.NeuronConfig(loss="mse", activation="linear"))) is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(x=(1.0, 2.0), w=(0.1,)), "one weight per input"),
        (dict(learning_rate=-1), "learning rate"),
        (dict(activation="softmax", loss="cross_entropy", target=0), "at least 2 inputs"),
        (dict(x=(1.0, 2.0), w=(0.1, 0.2), activation="softmax", loss="cross_entropy", target=5), "target class"),
        (dict(target=2.0), r"\[0, 1\]"),
        (dict(x=(math.inf,)), "finite"),
        (dict(activation="not-an-activation"), "unknown activation"),
        (dict(activation="leaky_relu", activation_params=(("alpha", 5.0),)), "alpha"),
    ],
)
def test_bad_neuron_configs_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        explain.NeuronConfig(**kwargs)


def test_parse_numbers():
    assert explain.parse_numbers("1, 2.5 -3") == (1.0, 2.5, -3.0)
    with pytest.raises(ValueError, match="'abc' is not a number"):
        explain.parse_numbers("1, abc", "logits")
    with pytest.raises(ValueError, match="between 1 and 3"):
        explain.parse_numbers("1 2 3 4", max_count=3)
    with pytest.raises(ValueError, match="finite"):
        explain.parse_numbers("nan")
    with pytest.raises(ValueError, match="too large"):
        explain.parse_numbers("1e300")


def test_loss_slice_passes_through_the_current_loss():
    config = explain.PRESETS["relu_ce"].config
    grid, values = explain.neuron_loss_slice(config, 0, span=0.02, points=41)
    assert grid[20] == pytest.approx(config.w[0])
    assert values[20] == pytest.approx(explain.neuron(config).loss)
    slope = (values[21] - values[19]) / (grid[21] - grid[19])
    assert slope == pytest.approx(explain.neuron(config).dL_dw[0], rel=1e-3)


# ---- the tiny network ---------------------------------------------------------------------

@pytest.mark.parametrize("head", list(explain.TINY_OUTPUTS))
def test_tiny_network_table_matches_the_engine(head):
    config = explain.TinyConfig(x=(0.8, -0.4), target=1, hidden="tanh", output=head, seed=3)
    r = explain.tiny_forward_backward(config)
    net = explain.tiny_network(config)
    loss = losses.get(config.head.loss)
    outs = net.layer_outputs(config.inputs())
    assert r.z1 == pytest.approx(outs[0][0]) and r.h == pytest.approx(outs[1][0])
    assert r.out == pytest.approx(outs[3][0])
    assert r.loss == pytest.approx(loss.value(outs[3], config.targets()))
    net.loss_backward(loss, outs[3], config.targets())
    for key, g in net.grads.items():
        assert r.grads[key] == pytest.approx(g, rel=1e-12, abs=1e-15), key
    by_name = {row.quantity: row.value for row in r.rows}
    assert by_name["∂L/∂w⁽¹⁾₁₂"] == pytest.approx(net.grads["dense0.W"][0, 1])
    assert by_name["∂L/∂w⁽²⁾₂₁"] == pytest.approx(net.grads["dense1.W"][1, 0])
    assert by_name["L"] == pytest.approx(r.loss)
    # every parameter's gradient appears, in backward order
    backward = [row for row in r.rows if row.phase == "backward"]
    assert [row.step for row in backward] == sorted(row.step for row in backward)
    assert sum(row.quantity.startswith("∂L/∂w") or row.quantity.startswith("∂L/∂b") for row in backward) \
        == net.n_params
    assert [s.index for s in r.steps] == [1, 2, 3, 4, 5, 6]
    assert set(r.steps[5].edges) == {(f"x{i}", f"h{j}") for i in (1, 2) for j in (1, 2)}
    assert r.delta1 == pytest.approx(r.dL_dh * activations.get("tanh").derivative(r.z1))


def test_tiny_step_is_sgd_and_lowers_the_loss():
    config = explain.TinyConfig(learning_rate=0.3)
    r = explain.tiny_forward_backward(config)
    new = explain.tiny_step(config)
    grads = np.concatenate([r.grads[k].ravel() for k in ("dense0.W", "dense0.b", "dense1.W", "dense1.b")])
    assert new == pytest.approx(r.params - 0.3 * grads)
    assert explain.tiny_forward_backward(config, new).loss < r.loss


@pytest.mark.parametrize("head", list(explain.TINY_OUTPUTS))
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "leaky_relu", "gelu"])
def test_gradient_check_passes(head, hidden):
    config = explain.TinyConfig(x=(0.9, -0.6), target=1, hidden=hidden, output=head, seed=1)
    result = explain.gradient_check(config)
    assert len(result.rows) == explain.tiny_network(config).n_params
    assert result.max_error < 1e-6
    assert result.max_element_error < 1e-6


def test_gradient_check_catches_the_double_derivative_slip():
    config = explain.TinyConfig()
    assert explain.gradient_check(config, slip=True).max_error > 1e-2
    linear = explain.TinyConfig(output="linear_mse")  # f' = 1: the slip changes nothing
    assert explain.gradient_check(linear, slip=True).max_error < 1e-6


def test_tiny_config_validation():
    with pytest.raises(ValueError, match="target class"):
        explain.TinyConfig(output="softmax_ce", target=3)
    with pytest.raises(ValueError, match="elementwise"):
        explain.TinyConfig(hidden="softmax")
    with pytest.raises(ValueError, match="unknown output head"):
        explain.TinyConfig(output="nope")


# ---- functions page -----------------------------------------------------------------------

def test_activation_curves_come_from_the_registry():
    curves = explain.activation_curves(ACTS, 4.0, {"leaky_relu": {"alpha": 0.2}, "softmax": {"temperature": 2.0}})
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
        curves = explain.activation_curves(ACTS, 1000.0, {"softmax": {"temperature": 0.001}})
    for c in curves:
        assert np.all(np.isfinite(c.f)) and np.all(np.isfinite(c.df))


def test_activation_table_rows_follow_the_registry():
    rows = explain.activation_table()
    assert [r["Function"] for r in rows] == [activations.ACTIVATIONS.get(n).label for n in ACTS]
    relu = rows[ACTS.index("relu")]
    assert relu["Output range"] == "[0, ∞)" and "Dead" in relu["Issues"]


def test_derivative_chain():
    chains = {c.name: c for c in explain.derivative_chain(["sigmoid", "tanh", "relu"], depth=12, x0=0.5)}
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
    dead = explain.derivative_chain(["relu"], depth=5, x0=-1.0)[0]
    assert np.all(dead.product == 0) and np.all(np.isnan(dead.log10_abs))
    with pytest.raises(ValueError, match="elementwise"):
        explain.derivative_chain(["softmax"])


def test_init_gradient_norms_show_symmetry_and_he_for_relu():
    res = {r.init: r for r in explain.init_gradient_norms("relu", depth=8, width=32, batch=64)}
    assert set(res) == {"zeros", "random_normal", "xavier_uniform", "he_normal"}
    assert res["zeros"].distinct_units == 1  # every unit identical: symmetry never broken
    assert np.all(res["zeros"].grad_norms == 0)
    assert res["he_normal"].distinct_units == 32
    assert res["random_normal"].grad_norms.max() < 1e-6 < res["xavier_uniform"].grad_norms.min()
    # He keeps the ReLU signal: its deepest hidden layer keeps more of its spread than Xavier's
    he, xa = res["he_normal"].activation_std, res["xavier_uniform"].activation_std
    assert he[-1] / he[0] > xa[-1] / xa[0]
    assert he[-1] > 0.3 > xa[-1]
    sig = {r.init: r for r in explain.init_gradient_norms("sigmoid", ["zeros"], depth=4, width=8)}
    assert sig["zeros"].grad_norms[-1] > 0 and np.all(sig["zeros"].grad_norms[:-1] == 0)
    assert {r.init for r in explain.init_gradient_norms("tanh", ["he", "xavier"], depth=3, width=8)} == \
        {initializers.INITIALIZERS.canonical("he"), initializers.INITIALIZERS.canonical("xavier")}


def test_regression_loss_curves():
    curves = {c.name: c for c in explain.regression_loss_curves(["mse", "mae", "huber"], target=1.0, span=3.0,
                                                                 points=61, params={"huber": {"delta": 0.5}})}
    r = curves["mse"].x - 1.0
    assert curves["mse"].value == pytest.approx(r**2)
    assert curves["mse"].grad == pytest.approx(2 * r)
    assert curves["mae"].grad == pytest.approx(np.sign(r))
    assert curves["huber"].grad == pytest.approx(np.clip(r, -0.5, 0.5))
    assert curves["huber"].value[0] == pytest.approx(0.5 * (3 - 0.25))


def test_classification_loss_curves():
    vs_p, vs_s = explain.classification_loss_curves(["binary_cross_entropy", "cross_entropy", "mse"], target=1.0,
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
    b = explain.softmax_breakdown([2.0, 1.0, 0.1], temperature=1.0)
    assert b.probs == pytest.approx([0.6590, 0.2424, 0.0986], abs=5e-5)
    assert b.exp / b.total == pytest.approx(b.probs)
    assert not b.overflow
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hot = explain.softmax_breakdown([1000.0, 0.0, -1000.0], temperature=0.001)
    assert hot.overflow and hot.probs == pytest.approx([1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="temperature"):
        explain.softmax_breakdown([1.0, 2.0], temperature=0.0)


def test_softmax_temperature_sweep_matches_one_call_per_temperature():
    temps, probs = explain.softmax_temperature_sweep([2.0, 1.0, 0.1], np.array([0.01, 1.0, 100.0]))
    for t, row in zip(temps, probs, strict=True):
        assert row == pytest.approx(explain.softmax_breakdown([2.0, 1.0, 0.1], t).probs)
