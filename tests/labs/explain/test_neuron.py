"""nnviz.labs.explain.neuron: the single-neuron calculator, the notes' worked examples, common slips.

The worked examples are checked against the corrected numbers of ../shared/seeds/README.md, and
every computation against an independent path through the engine (Network, finite differences).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nnviz.labs.explain.neuron import (
    PRESETS,
    NeuronConfig,
    common_slip,
    neuron,
    neuron_loss,
    neuron_loss_slice,
    neuron_losses,
    preset_remark,
)
from nnviz.nn import activations, losses
from nnviz.nn.gradcheck import numerical_gradient
from nnviz.nn.layers import Activation, Dense
from nnviz.nn.network import Network
from tests import throwaway

ACTS = activations.names()
NEURON_LOSSES = neuron_losses()
THROWAWAY = "not-a-real-loss"


@pytest.fixture
def throwaway_loss():
    """A loss registered for one test: half the squared error, targets in [-1, 1] (a subclass of
    its own, so a test may change its attributes)."""
    loss = losses.LOSSES.register(THROWAWAY)(type("HalfSquares", (throwaway.HalfSquares,), {}))
    try:
        yield loss
    finally:
        losses.LOSSES.unregister(THROWAWAY)


def _network_step(config: NeuronConfig):
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
    r = neuron(PRESETS["sigmoid_ce"].config)
    assert r.z[0] == pytest.approx(0.1)
    assert r.a[0] == pytest.approx(0.5250, abs=5e-5)
    assert r.loss == pytest.approx(0.6444, abs=5e-5)
    assert r.dL_dz[0] == pytest.approx(-0.4750, abs=5e-5)  # p - y
    assert r.da_dz[0] == pytest.approx(0.2494, abs=5e-5)
    assert r.dL_dw[0] == pytest.approx(-0.2375, abs=5e-5)
    assert r.new_w[0] == pytest.approx(0.2238, abs=5e-5)
    assert r.fused
    slip = common_slip(r)
    assert slip.wrong_w[0] == pytest.approx(0.2059, abs=5e-5)  # p(1-p) multiplied in a second time
    assert "0.2059" in slip.explanation and "0.2238" in slip.explanation
    remark = preset_remark("sigmoid_ce", r)
    assert "0.2118" in remark  # stepping with the note's printed gradient -0.118


def test_relu_cross_entropy_preset():
    r = neuron(PRESETS["relu_ce"].config)
    assert r.a[0] == pytest.approx(0.1)
    assert r.loss == pytest.approx(2.3026, abs=5e-5)
    assert r.dL_da[0] == pytest.approx(-10.0)
    assert r.da_dz[0] == pytest.approx(1.0)
    assert r.step("dz_dw").scalar == pytest.approx(0.5)
    assert r.dL_dw[0] == pytest.approx(-5.0)
    assert r.new_w[0] == pytest.approx(0.7)
    assert not r.fused
    slip = common_slip(r)
    assert slip.wrong_dL_dz[0] == pytest.approx(-0.9)  # 'prediction minus target'
    assert slip.wrong_w[0] == pytest.approx(0.245)
    assert "0.2450" in slip.explanation and "0.7000" in slip.explanation


def test_softmax_cross_entropy_preset():
    r = neuron(PRESETS["softmax_ce"].config)
    assert r.z == pytest.approx([0.3, -0.4])  # each logit is w_i x_i
    assert r.a == pytest.approx([0.6682, 0.3318], abs=5e-5)
    assert r.loss == pytest.approx(1.1032, abs=5e-5)
    assert r.dL_dw == pytest.approx([0.6682, -1.3364], abs=5e-5)
    assert r.new_w == pytest.approx([0.2332, -0.0664], abs=5e-5)
    assert r.dL_db == pytest.approx(0.0, abs=1e-12)  # a bias shared by all logits: softmax ignores it
    assert r.da_dz.shape == (2, 2)
    assert common_slip(r).title.startswith("The activation's derivative")
    remark = preset_remark("softmax_ce", r)
    assert "0.6682" in remark and "0.645" in remark


@pytest.mark.parametrize("key", list(PRESETS))
def test_presets_agree_with_the_engine_network(key):
    config = PRESETS[key].config
    r = neuron(config)
    out, value, gw, gb = _network_step(config)
    assert r.a == pytest.approx(out, rel=1e-12)
    assert r.loss == pytest.approx(value, rel=1e-12)
    assert r.dL_dw == pytest.approx(gw, rel=1e-10, abs=1e-14)
    assert r.dL_db == pytest.approx(gb, rel=1e-10, abs=1e-14)
    assert r.new_w == pytest.approx(np.array(config.w) - config.learning_rate * gw, rel=1e-12)


def test_steps_show_the_formula_and_the_numbers():
    r = neuron(PRESETS["sigmoid_ce"].config)
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
    config = NeuronConfig(x, w, 0.15, act, loss, target, 0.05)
    r = neuron(config)
    out, value, gw, gb = _network_step(config)
    assert r.loss == pytest.approx(value, rel=1e-12)
    assert r.dL_dw == pytest.approx(gw, rel=1e-9, abs=1e-12)
    wv = np.array(config.w)
    numeric = numerical_gradient(lambda: neuron_loss(config, wv), wv)
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
        r = neuron(NeuronConfig(x, w, 0.0, act, loss, target, 0.1))
        common_slip(r)
        [s.latex for s in r.steps]
    assert np.isfinite(r.loss) and np.all(np.isfinite(r.dL_dw)) and np.all(np.isfinite(r.new_w))
    if r.fused:  # exact even where the plain chain product underflows: |p - y| = 1
        assert np.abs(r.dL_dz).max() == pytest.approx(1.0)


def test_slip_depends_on_whether_a_minus_y_is_already_the_gradient():
    # sigmoid with -y log a and y = 1: the chain rule gives a - 1, so the slip is the second derivative
    r = neuron(NeuronConfig((0.5,), (0.2,), 0.0, "sigmoid", "cross_entropy", 1.0, 0.1))
    assert not r.fused and r.dL_dz[0] == pytest.approx(r.a[0] - 1)
    assert "twice" in common_slip(r).explanation
    # tanh with binary cross-entropy: a - y is not dL/dz
    r = neuron(NeuronConfig((0.5,), (0.2,), 0.0, "tanh", "binary_cross_entropy", 1.0, 0.1))
    slip = common_slip(r)
    assert "minus target" in slip.explanation
    assert slip.wrong_dL_dz[0] == pytest.approx((r.a[0] - 1) * (1 - r.a[0] ** 2))
    assert common_slip(neuron(NeuronConfig(loss="mse", activation="linear"))) is None


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
        NeuronConfig(**kwargs)


def test_loss_slice_passes_through_the_current_loss():
    config = PRESETS["relu_ce"].config
    grid, values = neuron_loss_slice(config, 0, span=0.02, points=41)
    assert grid[20] == pytest.approx(config.w[0])
    assert values[20] == pytest.approx(neuron(config).loss)
    slope = (values[21] - values[19]) / (grid[21] - grid[19])
    assert slope == pytest.approx(neuron(config).dL_dw[0], rel=1e-3)



def test_the_calculator_offers_every_loss_it_can_show():
    assert NEURON_LOSSES == [n for n in losses.names() if losses.LOSSES.get(n).grad_formula]
    assert {"mse", "mae", "huber", "binary_cross_entropy", "cross_entropy"} <= set(NEURON_LOSSES)


def test_a_newly_registered_loss_is_offered_and_computed(throwaway_loss):
    assert THROWAWAY in neuron_losses()
    config = NeuronConfig((0.5,), (0.2,), 0.0, "linear", THROWAWAY, 0.5, 0.1)
    r = neuron(config)
    assert r.loss == pytest.approx(0.5 * (0.1 - 0.5) ** 2)
    assert r.dL_dw[0] == pytest.approx((0.1 - 0.5) * 0.5)
    assert r.step("dL_da").general == "a - y" and "0.1000 - 0.5" in r.step("dL_da").latex
    with pytest.raises(ValueError, match=r"half squares needs a target in \[-1, 1\]"):
        NeuronConfig(loss=THROWAWAY, activation="linear", target=2.0)
    throwaway_loss.grad_formula = ""  # without dL/da in LaTeX the calculator cannot show it
    assert THROWAWAY not in neuron_losses()


def test_softmax_steps_come_from_the_class():
    r = neuron(PRESETS["softmax_ce"].config)
    assert r"-\log a_{2} = -\log 0.3318" in r.step("loss").latex  # the loss against the true class
    assert r.step("dL_da").general == r"-\frac{y_i}{a_i}"  # cross-entropy sums over the outputs
    assert "ignores shifts" in r.step("dL_db").note
    mse = neuron(NeuronConfig((1.0, 2.0), (0.3, -0.2), 0.0, "softmax", "mse", 1, 0.1))
    assert mse.step("dL_da").general == ""  # a mean over the outputs: no per-output formula to show
    assert mse.dL_db == pytest.approx(0.0, abs=1e-12) and "ignores shifts" in mse.step("dL_db").note
    assert not neuron(PRESETS["sigmoid_ce"].config).step("dL_db").note


def test_a_relu_output_with_cross_entropy_is_called_out():
    """Note 003's ReLU + cross-entropy example ends at a loss of -0.3001 (a = 1.35 > 1): the page
    must not present that as an improvement."""
    from nnviz.labs.explain import neuron as nrn

    text = nrn.not_a_probability(nrn.neuron(nrn.PRESETS["relu_ce"].config))
    assert text and "a = 1.35 after the step" in text and "-0.3001" in text
    assert nrn.not_a_probability(nrn.neuron(nrn.PRESETS["sigmoid_ce"].config)) is None
    assert nrn.not_a_probability(nrn.neuron(nrn.NeuronConfig(activation="relu", loss="mse", target=3.0))) is None
