"""Random directions: filter and layer normalization, seeds, conv filters, flat vectors."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.landscape import directions
from nnviz.nn import layers
from nnviz.nn.layers import Activation, Dense
from nnviz.nn.network import Network
from tests.labs.landscape.nets import mlp


def test_filter_normalized_direction_matches_each_filter_norm_and_zeroes_biases():
    net = mlp()
    d = directions.random_direction(net, seed=1, normalization="filter")
    assert list(d) == list(net.params)
    for key, w in net.params.items():
        assert d[key].shape == w.shape and d[key].dtype == w.dtype
        if w.ndim == 1:
            assert not np.any(d[key]), f"{key} should be zero"
        else:  # Dense (in, out): each output neuron's incoming weights are one filter
            np.testing.assert_allclose(directions.filter_norms(d[key]), directions.filter_norms(w), rtol=1e-5)
            np.testing.assert_allclose(np.linalg.norm(d[key][:, 1]), np.linalg.norm(w[:, 1]), rtol=1e-5)


def test_batchnorm_parameters_get_zero():
    net = Network.mlp([2, 8, 2], batchnorm=True, output="softmax")
    d = directions.random_direction(net, 3)
    bn = [k for k in net.params if k.startswith("batchnorm")]
    assert bn and all(not np.any(d[k]) for k in bn)


@pytest.mark.skipif("conv2d" not in layers.LAYERS.names(), reason="Conv2D not in this engine")
def test_conv_filters_are_output_channels():
    conv = layers.get("conv2d")(4, kernel_size=3)
    net = Network([conv, Activation("relu"), layers.get("flatten")(), Dense(3), Activation("softmax")],
                  input_shape=(6, 6, 2), seed=0)
    d = directions.random_direction(net, 5)
    W = net.params["conv2d0.W"]  # (kh, kw, C_in, filters)
    np.testing.assert_allclose(directions.filter_norms(d["conv2d0.W"]), directions.filter_norms(W), rtol=1e-5)
    assert directions.filter_norms(W).shape == (4,)
    assert not np.any(d["conv2d0.b"])


def test_direction_modes_and_seeds():
    net = mlp()
    a, b = directions.random_direction(net, 1), directions.random_direction(net, 1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    c = directions.random_direction(net, 2)
    assert not np.array_equal(a["dense0.W"], c["dense0.W"])
    layer = directions.random_direction(net, 1, "layer")
    for key, w in net.params.items():
        if w.ndim > 1:
            np.testing.assert_allclose(np.linalg.norm(layer[key]), np.linalg.norm(w), rtol=1e-5)
    raw = directions.random_direction(net, 1, "none")
    assert np.any(raw["dense0.b"])
    with pytest.raises(ValueError, match="normalization"):
        directions.random_direction(net, 1, "unit")


def test_flatten_unflatten_round_trip():
    net = mlp()
    d = directions.random_direction(net, 1)
    v = directions.flatten(net, d)
    assert v.shape == (net.n_params,)
    back = directions.unflatten(net, v)
    assert all(np.array_equal(back[k], d[k]) for k in d)
