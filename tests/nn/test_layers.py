"""Every registered layer: gradient check (float64) on an example, and save/load of its config.

A new layer kind must add an example here; the coverage test fails until it does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from nnviz.nn import layers, losses
from nnviz.nn.gradcheck import check_network, numerical_gradient, relative_error
from nnviz.nn.layers import Activation, BatchNorm, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool2D, SimpleRNN
from nnviz.nn.network import Network

#: kind -> (factory of the layer under test, input shape without the batch axis)
EXAMPLES: dict[str, tuple[Callable[[], Layer], tuple[int, ...]]] = {
    "dense": (lambda: Dense(3), (4,)),
    "activation": (lambda: Activation("tanh"), (4,)),
    "dropout": (lambda: Dropout(0.3, seed=2), (4,)),
    "batchnorm": (lambda: BatchNorm(), (4,)),
    "conv2d": (lambda: Conv2D(3, kernel_size=3, stride=2, padding="same"), (6, 5, 2)),
    "maxpool2d": (lambda: MaxPool2D(2), (4, 6, 3)),
    "flatten": (lambda: Flatten(), (3, 2, 2)),
    "rnn": (lambda: SimpleRNN(3, activation="tanh"), (4, 2)),
}


def test_every_registered_layer_has_an_example():
    missing = sorted(set(layers.names()) - set(EXAMPLES))
    assert not missing, f"add gradient-check examples for {missing} to tests/test_layers.py"


@pytest.mark.parametrize("kind", layers.names())
def test_layer_input_and_parameter_gradients(kind):
    if kind not in EXAMPLES:
        pytest.fail(f"no example for layer {kind!r}")
    factory, shape = EXAMPLES[kind]
    layer = factory()
    rng = np.random.default_rng(0)
    net = Network([layer], input_shape=shape, seed=1, dtype=np.float64)
    for p in net.params.values():  # move off the initial values (e.g. gamma = 1, b = 0)
        p += rng.normal(0, 0.3, size=p.shape)
    X = rng.normal(size=(5, *shape))
    if isinstance(layer, Dropout):
        net.forward(X, training=True)
        layer.freeze_mask = True
    if isinstance(layer, BatchNorm):
        layer.momentum = 1.0 - 1e-300  # running statistics constant during the check
    out = net.forward(X, training=True)
    weights = rng.normal(size=out.shape)  # L = sum(w * out) makes dL/dout = w

    def objective() -> float:
        return float(np.sum(weights * net.forward(X, training=True)))

    net.forward(X, training=True)
    dX = net.backward(weights)
    assert relative_error(dX, numerical_gradient(objective, X)) < 1e-6
    for key, p in net.params.items():
        net.forward(X, training=True)
        net.backward(weights)
        assert relative_error(net.grads[key].copy(), numerical_gradient(objective, p)) < 1e-6, key


@pytest.mark.parametrize("kind", layers.names())
def test_layer_config_round_trip(kind):
    if kind not in EXAMPLES:
        pytest.fail(f"no example for layer {kind!r}")
    layer = EXAMPLES[kind][0]()
    twin = layers.from_config(layer.config())
    assert type(twin) is type(layer) and twin.config() == layer.config()


@pytest.mark.parametrize("kind", layers.names())
def test_layer_shapes_say_what_build_makes(kind):
    """``shapes`` (used to size a model file before building it) matches ``build`` exactly, also for
    a second input shape (2-D images for the image layers)."""
    if kind not in EXAMPLES:
        pytest.fail(f"no example for layer {kind!r}")
    factory, shape = EXAMPLES[kind]
    for input_shape in (shape, tuple(s + 2 for s in shape)):
        layer = factory()
        params, buffers, out = layer.shapes(input_shape)
        built_out = layer.build(input_shape, np.random.default_rng(0), np.dtype(np.float64))
        assert params == {k: v.shape for k, v in layer.params.items()}
        assert buffers == {k: v.shape for k, v in layer.buffers.items()}
        assert out == built_out


def test_dense_skips_the_input_gradient_only_when_asked():
    net = Network.mlp([3, 4, 2], activation="tanh", output="softmax", dtype=np.float64)
    X, y = np.random.default_rng(0).normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    out = net.forward(X)
    loss = losses.get("cross_entropy")
    assert net.loss_backward(loss, out, y, input_grad=False) is None
    grads = {k: g.copy() for k, g in net.grads.items()}
    assert net.loss_backward(loss, out, y).shape == X.shape
    assert all(np.array_equal(grads[k], net.grads[k]) for k in grads)
    assert max(check_network(net, loss, X, y).values()) < 1e-6


def test_bad_layer_arguments():
    with pytest.raises(ValueError, match="units must be >= 1, got 0"):
        Dense(0)
    with pytest.raises(ValueError, match="units must be an integer, got True"):
        Dense(True)
    with pytest.raises(ValueError, match="dropout rate"):
        Dropout(1.0)
    with pytest.raises(ValueError, match="unknown layer"):
        layers.from_config({"kind": "not-a-layer"})
    with pytest.raises(ValueError, match="bad arguments"):
        layers.from_config({"kind": "dense", "size": 3})
    with pytest.raises(ValueError, match="Flatten"):
        Network([Dense(2)], input_shape=(4, 4))


def test_no_input_gradient_below_the_first_trainable_layer():
    net = Network([Flatten(), Dense(3), Activation("softmax")], input_shape=(4, 4), dtype=np.float64)
    X, y = np.random.default_rng(0).normal(size=(2, 4, 4)), np.array([0, 2])
    loss = losses.get("cross_entropy")
    out = net.forward(X)
    assert net.loss_backward(loss, out, y, input_grad=False) is None
    assert all(layer.needs_input_grad for layer in net.layers)  # flags restored
    assert net.loss_backward(loss, out, y).shape == X.shape
