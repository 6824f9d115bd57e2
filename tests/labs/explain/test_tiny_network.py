"""nnviz.labs.explain.tiny_network: every forward value and gradient of a 2-2-k network, against
the engine's own Network."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.explain.tiny_network import TINY_OUTPUTS, TinyConfig, tiny_forward_backward, tiny_network, tiny_step
from nnviz.nn import activations, losses


@pytest.mark.parametrize("head", list(TINY_OUTPUTS))
def test_tiny_network_table_matches_the_engine(head):
    config = TinyConfig(x=(0.8, -0.4), target=1, hidden="tanh", output=head, seed=3)
    r = tiny_forward_backward(config)
    net = tiny_network(config)
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
    config = TinyConfig(learning_rate=0.3)
    r = tiny_forward_backward(config)
    new = tiny_step(config)
    grads = np.concatenate([r.grads[k].ravel() for k in ("dense0.W", "dense0.b", "dense1.W", "dense1.b")])
    assert new == pytest.approx(r.params - 0.3 * grads)
    assert tiny_forward_backward(config, new).loss < r.loss


def test_tiny_config_validation():
    with pytest.raises(ValueError, match="target class"):
        TinyConfig(output="softmax_ce", target=3)
    with pytest.raises(ValueError, match="elementwise"):
        TinyConfig(hidden="softmax")
    with pytest.raises(ValueError, match="unknown output head"):
        TinyConfig(output="nope")

    with pytest.raises(ValueError, match=r"binary cross-entropy needs a target in \[0, 1\]"):
        TinyConfig(output="sigmoid_bce", target=2.0)


def test_loss_gradient_stage_shows_the_loss_template():
    latex = {head: tiny_forward_backward(TinyConfig(output=head, target=1)).steps[0].latex for head in TINY_OUTPUTS}
    assert latex["linear_mse"].endswith(r"= 2(\hat y - y)")
    assert latex["sigmoid_bce"].endswith(r"= \frac{\hat y - y}{\hat y(1 - \hat y)}")
    assert latex["softmax_ce"].endswith(r"= -\frac{y_k}{\hat y_k}")  # per output: cross-entropy sums them
