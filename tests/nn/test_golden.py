"""The three worked backprop examples of the source notes (003), with the corrected arithmetic
listed in ../shared/seeds/README.md, computed by the engine's own network, loss and optimizer."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.nn import losses, optimizers
from nnviz.nn.layers import Activation, Dense
from nnviz.nn.network import Network


def _neuron(weights, activation: str) -> Network:
    """One neuron (or one neuron per class) without bias: z = x @ W."""
    w = np.asarray(weights, dtype=np.float64)
    net = Network([Dense(w.shape[1], use_bias=False), Activation(activation)],
                  input_shape=(w.shape[0],), dtype=np.float64)
    net.params["dense0.W"][...] = w
    return net


def _one_step(net: Network, x, y, loss_name: str):
    loss = losses.get(loss_name)
    out = net.forward(np.asarray(x, dtype=np.float64))
    value = loss.value(out, y)
    net.loss_backward(loss, out, y)
    grad = net.grads["dense0.W"].copy()
    optimizers.get("sgd")(learning_rate=0.1).step(net.params, net.grads)
    return out, value, grad, net.params["dense0.W"]


def test_sigmoid_cross_entropy():
    out, value, grad, w = _one_step(_neuron([[0.2]], "sigmoid"), [[0.5]], np.array([1]), "binary_cross_entropy")
    assert out[0, 0] == pytest.approx(0.5250, abs=5e-5)
    assert value == pytest.approx(0.6444, abs=5e-5)
    assert grad[0, 0] == pytest.approx(-0.2375, abs=5e-5)  # (p - y) x, no second sigmoid factor
    assert w[0, 0] == pytest.approx(0.2238, abs=5e-5)
    # The common slip: multiplying by the sigmoid derivative p(1-p) a second time.
    slip = 0.2 - 0.1 * grad[0, 0] * out[0, 0] * (1 - out[0, 0])
    assert slip == pytest.approx(0.2059, abs=5e-5)


def test_relu_output_cross_entropy():
    out, value, grad, w = _one_step(_neuron([[0.2]], "relu"), [[0.5]], np.array([[1.0]]), "cross_entropy")
    assert out[0, 0] == pytest.approx(0.1)
    assert value == pytest.approx(2.3026, abs=5e-5)  # -log(0.1)
    assert grad[0, 0] == pytest.approx(-5.0)  # dL/da = -1/a = -10, da/dz = 1, dz/dw = 0.5
    assert w[0, 0] == pytest.approx(0.7)


def test_softmax_cross_entropy():
    # Two classes, one input per class's logit as in the notes: z = (0.3 * 1, -0.2 * 2).
    net = Network([Dense(2, use_bias=False), Activation("softmax")], input_shape=(2,), dtype=np.float64)
    net.params["dense0.W"][...] = [[0.3, 0.0], [0.0, -0.2]]
    out, value, grad, w = _one_step(net, [[1.0, 2.0]], np.array([1]), "cross_entropy")
    assert out[0] == pytest.approx([0.6682, 0.3318], abs=5e-5)
    assert value == pytest.approx(1.1032, abs=5e-5)
    assert [grad[0, 0], grad[1, 1]] == pytest.approx([0.6682, -1.3364], abs=5e-5)
    assert [w[0, 0], w[1, 1]] == pytest.approx([0.2332, -0.0664], abs=5e-5)
