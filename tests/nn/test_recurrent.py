"""The simple RNN layer beyond the registry's gradient check: every hidden activation and the last
state only (central differences, float64), truncated backpropagation through time, the spectral
radius at initialization, and the per-step gradient norms."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.nn import activations
from nnviz.nn.gradcheck import numerical_gradient, relative_error
from nnviz.nn.layers import SimpleRNN, from_config, spectral_radius
from nnviz.nn.network import Network


def _net(**kwargs) -> Network:
    return Network([SimpleRNN(3, **kwargs)], input_shape=(5, 2), seed=1, dtype=np.float64)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_backpropagation_through_time_matches_central_differences(activation, return_sequences):
    net = _net(activation=activation, return_sequences=return_sequences)
    rng = np.random.default_rng(3)
    for p in net.params.values():
        p += rng.normal(0, 0.3, size=p.shape)
    X = rng.normal(size=(4, 5, 2))
    weights = rng.normal(size=net.forward(X).shape)

    def objective() -> float:
        return float(np.sum(weights * net.forward(X)))

    net.forward(X)
    dX = net.backward(weights)
    assert relative_error(dX, numerical_gradient(objective, X)) < 1e-6
    for key, p in net.params.items():
        net.forward(X)
        net.backward(weights)
        assert relative_error(net.grads[key].copy(), numerical_gradient(objective, p)) < 1e-6, key


def _copy(dst: Network, src: Network) -> Network:
    for key, value in src.params.items():
        dst.params[key][...] = value
    return dst


def test_truncation_stops_the_gradient_at_the_start_of_each_block():
    X = np.random.default_rng(0).normal(size=(2, 5, 2))
    full = _net(return_sequences=False)
    cut = _copy(_net(return_sequences=False, truncate=2), full)
    np.testing.assert_allclose(cut.forward(X), full.forward(X))  # the forward pass is the same
    g = np.ones((2, 3))
    full.forward(X)
    d_full = full.backward(g)
    cut.forward(X)
    d_cut = cut.backward(g)
    # Blocks of 2: steps 0-1, 2-3, 4. The loss is on the last step, whose block starts at step 4.
    assert np.all(d_cut[:, :4] == 0) and np.all(d_full[:, :4] != 0)
    np.testing.assert_allclose(d_cut[:, 4:], d_full[:, 4:])
    assert np.all(cut.layers[0].dh_norms[:4] == 0) and np.all(full.layers[0].dh_norms > 0)
    # A truncation as long as the sequence is no truncation.
    whole = _copy(_net(return_sequences=False, truncate=5), full)
    whole.forward(X)
    np.testing.assert_allclose(whole.backward(g), d_full)


def test_the_spectral_radius_is_set_at_initialization_and_decides_how_far_gradients_reach():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 30, 2)) * 0.1
    reach = {}
    for rho in (0.5, 1.5):
        net = Network([SimpleRNN(16, spectral_radius=rho, activation="tanh", return_sequences=False)],
                      input_shape=(30, 2), seed=0, dtype=np.float64)
        assert spectral_radius(net.layers[0].params["W_h"]) == pytest.approx(rho)
        net.forward(X)
        net.backward(np.ones((8, 16)))
        norms = net.layers[0].dh_norms
        reach[rho] = norms[0] / norms[-1]
    assert reach[0.5] < 1e-6 < 1e-2 < reach[1.5]  # vanishing below 1, carried (or exploding) above


def test_config_round_trip_and_bad_arguments():
    layer = SimpleRNN(4, activation="relu", return_sequences=False, truncate=3, spectral_radius=0.9)
    assert from_config(layer.config()).config() == layer.config()
    for kwargs, words in [({"units": 0}, "hidden units"), ({"units": 2, "truncate": -1}, "truncation"),
                          ({"units": 2, "spectral_radius": 0}, "spectral radius"),
                          ({"units": 2, "activation": "nope"}, "nope")]:
        with pytest.raises(ValueError, match=words):
            SimpleRNN(**kwargs)
    with pytest.raises(ValueError, match="sequences"):
        Network([SimpleRNN(2)], input_shape=(4,))
    assert set(activations.names()) >= {"tanh", "sigmoid", "relu"}
