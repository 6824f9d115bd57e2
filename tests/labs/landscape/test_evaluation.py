"""The batched evaluator: it equals the point-by-point fallback, covers the layers it claims, and
the fallback restores the weights even when the loss fails."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.landscape import directions, evaluation, grids
from nnviz.nn import layers
from nnviz.nn.layers import Activation, BatchNorm, Dense, Dropout
from nnviz.nn.network import Network
from tests.labs.landscape.nets import mlp

NETS = {
    "tanh-softmax": (lambda: mlp(), "cross_entropy"),
    "relu-sigmoid-bce": (lambda: Network.mlp([2, 8, 8, 1], activation="relu", output="sigmoid", seed=1),
                         "binary_cross_entropy"),
    "batchnorm-dropout": (lambda: Network.mlp([2, 8, 2], batchnorm=True, dropout=0.3, output="softmax", seed=2),
                          "cross_entropy"),
}


@pytest.mark.parametrize("name", list(NETS))
def test_fast_path_equals_the_point_by_point_fallback(moons, monkeypatch, name):
    X, y = moons
    make, loss = NETS[name]
    net = make()
    assert evaluation._fast_path(net)
    for layer in net.layers:  # non-trivial running statistics for batch norm
        if isinstance(layer, BatchNorm):
            layer.buffers["running_mean"][...] = 0.3
            layer.buffers["running_var"][...] = 2.0
    d1, d2 = directions.random_plane(net, 7, normalization="none")  # biases and BN parameters move too
    before = net.get_flat()
    fast = grids.loss_grid_2d(net, loss, X, y, d1, d2, span=0.7, resolution=7, return_accuracy=True)
    monkeypatch.setattr(evaluation, "_fast_path", lambda net: False)
    slow = grids.loss_grid_2d(net, loss, X, y, d1, d2, span=0.7, resolution=7, return_accuracy=True)
    np.testing.assert_allclose(fast[2], slow[2], rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(fast[3], slow[3], atol=1 / len(X) + 1e-9)
    np.testing.assert_array_equal(net.get_flat(), before)


def test_fallback_restores_weights_even_when_the_loss_fails(moons, monkeypatch):
    X, y = moons
    net = mlp()
    before = net.get_flat()
    d1, d2 = directions.random_plane(net, 1)
    monkeypatch.setattr(evaluation, "_fast_path", lambda net: False)
    with pytest.raises(ValueError):
        grids.loss_grid_2d(net, "cross_entropy", X, np.full(len(X), 7), d1, d2, resolution=3)
    np.testing.assert_array_equal(net.get_flat(), before)


def test_fast_path_covers_the_layers_it_claims():
    net = Network([Dense(4), Activation("relu"), Dropout(0.2), BatchNorm(), Dense(2), Activation("softmax")],
                  input_shape=(3,))
    assert evaluation._fast_path(net)
    if "flatten" in layers.LAYERS.names():
        other = Network([layers.get("flatten")(), Dense(2)], input_shape=(2, 2))
        assert not evaluation._fast_path(other)
