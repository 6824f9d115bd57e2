"""Network: gradient checks over every activation and loss, layers, regularization, save/load."""

from __future__ import annotations

import io

import numpy as np
import pytest

from nnviz.nn import activations, losses
from nnviz.nn.gradcheck import check_network
from nnviz.nn.layers import Activation, BatchNorm, Dense, Dropout
from nnviz.nn.network import Network

TOL = 1e-6


def _data(n: int = 6, k_in: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, k_in))


def _targets(loss_name: str, n: int, k: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if losses.get(loss_name).task == "classification":
        return rng.integers(0, max(k, 2), size=n)
    return rng.normal(size=(n, k))


def _natural_output(loss_name: str) -> tuple[str, int]:
    fused = losses.get(loss_name).fused_activation
    return {"softmax": ("softmax", 3), "sigmoid": ("sigmoid", 1)}.get(fused, ("linear", 2))


@pytest.mark.parametrize("loss_name", losses.names())
@pytest.mark.parametrize("activation", activations.names())
def test_every_hidden_activation_with_every_loss(activation, loss_name):
    output, k = _natural_output(loss_name)
    net = Network.mlp([3, 4, 4, k], activation=activation, output=output, seed=2, dtype=np.float64)
    errors = check_network(net, losses.get(loss_name), _data(), _targets(loss_name, 6, k))
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("output", activations.names())
def test_every_output_activation_through_the_plain_chain_rule(output):
    net = Network.mlp([3, 5, 2], activation="tanh", output=output, seed=3, dtype=np.float64)
    errors = check_network(net, losses.get("mse"), _data(), _targets("mse", 6, 2))
    assert max(errors.values()) < TOL, errors


def test_unfused_pairing_relu_output_with_cross_entropy_is_exact():
    # A ReLU output with -log(a): the worked example's pairing, through the plain chain rule.
    net = Network([Dense(2), Activation("relu")], input_shape=(2,), seed=0, dtype=np.float64)
    net.params["dense0.W"][...] = [[0.8, 0.3], [0.5, 0.9]]
    net.params["dense0.b"][...] = [0.2, 0.1]
    X = np.abs(_data(4, 2))
    errors = check_network(net, losses.get("cross_entropy"), X, np.array([0, 1, 1, 0]))
    assert max(errors.values()) < TOL


def test_softmax_with_temperature_is_not_fused_and_still_exact():
    net = Network([Dense(3), Activation("softmax", temperature=2.0)], input_shape=(3,), seed=0, dtype=np.float64)
    loss = losses.get("cross_entropy")
    assert not net.fuses_with(loss)
    assert max(check_network(net, loss, _data(), _targets("cross_entropy", 6, 3)).values()) < TOL


def test_dropout_with_a_fixed_mask():
    net = Network([Dense(5), Activation("tanh"), Dropout(0.4, seed=1), Dense(2), Activation("linear")],
                  input_shape=(3,), seed=0, dtype=np.float64)
    X, y = _data(), _targets("mse", 6, 2)
    net.forward(X, training=True)
    net.layers[2].freeze_mask = True
    errors = check_network(net, losses.get("mse"), X, y, training=True)
    assert max(errors.values()) < TOL
    mask = net.layers[2].mask
    assert set(np.unique(mask)) <= {0.0, 1 / 0.6}


def test_dropout_is_identity_at_inference_and_inverted_when_training():
    layer = Dropout(0.5, seed=0)
    x = np.ones((2000, 50))
    assert layer.forward(x, training=False) is x
    y = layer.forward(x, training=True)
    assert abs(y.mean() - 1.0) < 0.02 and abs((y == 0).mean() - 0.5) < 0.02


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradients(training):
    net = Network([Dense(4), BatchNorm(), Activation("tanh"), Dense(2), Activation("linear")],
                  input_shape=(3,), seed=0, dtype=np.float64)
    net.params["batchnorm0.gamma"][...] = [1.5, 0.5, 1.0, 2.0]
    net.params["batchnorm0.beta"][...] = [0.1, -0.2, 0.3, 0.0]
    X, y = _data(8), _targets("mse", 8, 2)
    if training:  # running statistics move on every training forward: freeze them for the check
        bn = net.layers[1]
        bn.momentum = 1.0 - 1e-300  # effectively constant
    errors = check_network(net, losses.get("mse"), X, y, training=training)
    if training:
        # Batch statistics cancel the bias before BatchNorm: its gradient is exactly zero,
        # so a relative error means nothing there; check the absolute value instead.
        assert np.abs(net.grads["dense0.b"]).max() < 1e-12
        del errors["dense0.b"]
    assert max(errors.values()) < TOL


def test_batchnorm_uses_running_statistics_at_inference():
    bn_net = Network([BatchNorm(momentum=0.0)], input_shape=(2,), dtype=np.float64)
    X = np.random.default_rng(0).normal(5.0, 3.0, size=(500, 2))
    out = bn_net.forward(X, training=True)
    assert np.allclose(out.mean(axis=0), 0, atol=1e-9) and np.allclose(out.std(axis=0), 1, atol=1e-3)
    assert np.allclose(bn_net.forward(X, training=False), out, atol=1e-3)


@pytest.mark.parametrize("l1,l2", [(0.0, 0.1), (0.05, 0.0), (0.02, 0.03)])
def test_l1_l2_gradients(l1, l2):
    net = Network.mlp([3, 4, 2], activation="tanh", output="linear", seed=1, dtype=np.float64)
    errors = check_network(net, losses.get("mse"), _data(), _targets("mse", 6, 2), l1=l1, l2=l2)
    assert max(errors.values()) < TOL


def test_l2_follows_the_notes_and_spares_biases():
    from nnviz.nn import regularization

    net = Network.mlp([2, 2], output="linear", dtype=np.float64)
    net.params["dense0.W"][...] = [[1.0, 2.0], [3.0, -1.0]]
    net.params["dense0.b"][...] = [5.0, 5.0]
    assert regularization.penalty(net, l2=0.1) == pytest.approx(0.1 * (1 + 4 + 9 + 1))
    for g in net.grads.values():
        g[...] = 0
    regularization.add_gradients(net, l2=0.1)
    assert np.allclose(net.grads["dense0.W"], 0.2 * net.params["dense0.W"])
    assert np.all(net.grads["dense0.b"] == 0)


def test_mlp_shapes_and_public_api():
    net = Network.mlp([2, 8, 8, 1], activation="tanh", output="sigmoid", init="xavier", seed=0, dtype=np.float32)
    assert net.params["dense0.W"].shape == (2, 8)
    assert set(net.params) == set(net.grads)
    assert net.n_params == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1
    out = net.forward(np.zeros((5, 2)), training=False)
    assert out.shape == (5, 1) and out.dtype == np.float32
    dX = net.backward(np.ones_like(out))
    assert dX.shape == (5, 2)
    single = Network.mlp([3, 2])
    assert len([layer for layer in single.layers if isinstance(layer, Dense)]) == 1


def test_params_are_live_views():
    net = Network.mlp([2, 3, 1])
    net.params["dense0.W"] += 1.0
    assert np.shares_memory(net.params["dense0.W"], net.layers[0].params["W"])


def test_same_seed_same_weights_different_seed_different():
    a = Network.mlp([2, 8, 1], seed=4).get_flat()
    assert np.array_equal(a, Network.mlp([2, 8, 1], seed=4).get_flat())
    assert not np.array_equal(a, Network.mlp([2, 8, 1], seed=5).get_flat())


def test_flat_round_trip_and_copy_independence():
    net = Network.mlp([3, 5, 2], seed=0)
    v = net.get_flat()
    assert v.shape == (net.n_params,)
    net.set_flat(v * 2)
    assert np.allclose(net.get_flat(), 2 * v)
    twin = net.copy()
    twin.params["dense0.W"][...] = 0
    assert not np.allclose(net.params["dense0.W"], 0)
    with pytest.raises(ValueError, match="flat vector"):
        net.set_flat(np.zeros(3))


def test_save_and_load_round_trip(tmp_path):
    net = Network([Dense(6), BatchNorm(), Activation("leaky_relu", alpha=0.2), Dropout(0.1), Dense(3),
                   Activation("softmax")], input_shape=(4,), seed=3)
    net.forward(np.random.default_rng(0).normal(size=(20, 4)), training=True)  # move running stats
    path = tmp_path / "model.npz"
    net.save(path)
    loaded = Network.load(path)
    assert np.array_equal(loaded.get_flat(), net.get_flat())
    for key, value in net.buffers().items():
        assert np.array_equal(loaded.buffers()[key], value)
    X = np.random.default_rng(1).normal(size=(7, 4))
    assert np.allclose(loaded.forward(X), net.forward(X))
    assert loaded.layers[2].fn.alpha == 0.2
    assert np.allclose(Network.load(net.to_bytes()).get_flat(), net.get_flat())


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken zip"])
def test_loading_garbage_gives_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a valid nnviz model file"):
        Network.load(path)


def test_loading_a_plain_npz_or_a_tampered_model_gives_a_clear_error(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.zeros(3))
    with pytest.raises(ValueError, match="no architecture record"):
        Network.load(plain)
    net = Network.mlp([2, 3, 1])
    buf = io.BytesIO()
    arrays = {f"param:{k}": v for k, v in net.params.items()}
    arrays["param:dense0.W"] = np.zeros((5, 5), np.float32)
    arrays["__nnviz__"] = np.array(__import__("json").dumps(net.config()))
    np.savez(buf, **arrays)
    with pytest.raises(ValueError, match="shape"):
        Network.load(buf.getvalue())
    arrays["param:dense0.W"] = np.full((2, 3), np.nan, np.float32)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with pytest.raises(ValueError, match="finite"):
        Network.load(buf.getvalue())


def test_bad_construction_and_input():
    with pytest.raises(ValueError, match="sizes"):
        Network.mlp([2])
    with pytest.raises(ValueError, match="sizes"):
        Network.mlp([2, 0, 1])
    with pytest.raises(ValueError, match="unknown activation"):
        Network.mlp([2, 3, 1], activation="nope")
    with pytest.raises(ValueError, match="unknown initializer"):
        Network.mlp([2, 3, 1], init="nope")
    with pytest.raises(ValueError, match="dtype"):
        Network.mlp([2, 3, 1], dtype=np.int32)
    net = Network.mlp([2, 3, 1])
    with pytest.raises(ValueError, match=r"does not match the network's input \(2,\)"):
        net.forward(np.zeros((4, 3)))


def test_parameters_and_gradients_are_slices_of_one_packed_vector_each():
    net = Network.mlp([3, 4, 2], activation="relu", output="softmax", batchnorm=True, seed=2)
    assert net.packed_params.shape == net.packed_grads.shape == (net.n_params,)
    assert np.array_equal(net.packed_params, net.get_flat())
    offset = 0
    for layer in net.layers:
        for key, p in layer.params.items():
            assert p is net.params[f"{layer.name}.{key}"] and layer.grads[key] is net.grads[f"{layer.name}.{key}"]
            assert np.shares_memory(p, net.packed_params[offset : offset + p.size])
            assert np.shares_memory(layer.grads[key], net.packed_grads[offset : offset + p.size])
            offset += p.size
    net.packed_params[:] = 1.5
    assert all(np.all(p == 1.5) for p in net.params.values())
    out = net.forward(np.ones((4, 3)), training=True)
    net.backward(np.ones_like(out))
    assert np.array_equal(net.packed_grads, np.concatenate([g.ravel() for g in net.grads.values()]))
    twin = Network.load(net.to_bytes())
    assert np.array_equal(twin.packed_params, net.packed_params)


def test_forward_takes_a_fitting_array_as_it_is_and_converts_anything_else():
    net = Network.mlp([2, 3, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(5, 2))
    assert np.array_equal(net.forward(X), net.forward(X.astype(np.float32)))
    assert np.array_equal(net.forward(X[0]), net.forward(X[:1]))  # a single sample
    assert np.array_equal(net.forward(X.tolist()), net.forward(X))
    assert net.predict(X).shape == (5, 1) and np.allclose(net.predict(X, batch_size=2), net.predict(X))


def test_a_pickled_or_deep_copied_network_is_packed_again():
    import copy
    import pickle

    net = Network.mlp([3, 4, 2], activation="relu", output="softmax", seed=2)
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert np.array_equal(twin.packed_params, net.packed_params)
        twin.packed_params[:] = 0.0
        assert all(np.all(p == 0) for p in twin.params.values())
        assert all(np.all(layer.params[k] == 0) for layer in twin.layers for k in layer.params)
        assert not np.shares_memory(twin.packed_params, net.packed_params)
