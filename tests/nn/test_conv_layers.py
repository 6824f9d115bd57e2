"""Conv2D, MaxPool2D and Flatten: forward against plain loops, gradient checks (float64, central
differences), shapes, save/load, and clear errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.nn import layers, losses
from nnviz.nn.gradcheck import check_network, numerical_gradient, relative_error
from nnviz.nn.layers import Activation, Conv2D, Dense, Flatten, Layer, MaxPool2D
from nnviz.nn.network import Network


def naive_conv(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pads) -> np.ndarray:
    """The definition, loop by loop (reference only)."""
    if x.ndim == 3:
        x = x[..., None]
    (top, bottom), (left, right) = pads
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    kh, kw, _, f = W.shape
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, f))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, W, axes=([1, 2, 3], [0, 1, 2])) + b
    return out


def naive_pool(x: np.ndarray, p: int, s: int) -> np.ndarray:
    out_h, out_w = (x.shape[1] - p) // s + 1, (x.shape[2] - p) // s + 1
    out = np.empty((x.shape[0], out_h, out_w, x.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            out[:, i, j] = x[:, i * s : i * s + p, j * s : j * s + p].max(axis=(1, 2))
    return out


CONVS = {
    "3x3 valid": (lambda: Conv2D(3, 3), (6, 6, 2)),
    "3x3 same": (lambda: Conv2D(2, 3, padding="same"), (5, 5, 2)),
    "3x3 stride 2 same": (lambda: Conv2D(2, 3, stride=2, padding="same"), (7, 6, 1)),
    "2x3 stride 2 valid": (lambda: Conv2D(2, (2, 3), stride=2), (6, 7, 2)),
    "one channel (H, W) input": (lambda: Conv2D(2, 3, padding="same"), (5, 6)),
    "no bias": (lambda: Conv2D(2, 2, use_bias=False), (4, 4, 3)),
    # 4+ channels take the strided-window im2col path; fewer take the kh*kw slice copies
    "5 channels 3x3 valid": (lambda: Conv2D(3, 3), (5, 6, 5)),
    "4 channels 3x3 stride 2 same": (lambda: Conv2D(2, 3, stride=2, padding="same"), (6, 5, 4)),
}
POOLS = {
    "2x2": (lambda: MaxPool2D(2), (6, 6, 2)),
    "2x2 odd size": (lambda: MaxPool2D(2), (5, 7, 2)),
    "3x3 stride 2 (overlapping)": (lambda: MaxPool2D(3, stride=2), (7, 7, 2)),
}
OTHERS = {
    "flatten image": (lambda: Flatten(), (3, 4, 2)),
    "flatten (H, W)": (lambda: Flatten(), (3, 4)),
}


def _built(factory, shape, seed=1) -> tuple[Layer, Network]:
    layer = factory()
    net = Network([layer], input_shape=shape, seed=seed, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for p in net.params.values():
        p += rng.normal(0, 0.3, size=p.shape)  # move the bias off zero
    return layer, net


@pytest.mark.parametrize("case", list(CONVS))
def test_conv_forward_matches_the_definition(case):
    factory, shape = CONVS[case]
    layer, net = _built(factory, shape)
    X = np.random.default_rng(2).normal(size=(3, *shape))
    b = layer.params.get("b", np.zeros(layer.filters))
    expected = naive_conv(X, layer.params["W"], b, layer.stride, layer._pads)
    out = net.forward(X)
    assert out.shape == (3, *layer.output_shape)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_same_padding_keeps_the_size_and_valid_shrinks_it():
    assert Network([Conv2D(4, 3, padding="same")], input_shape=(28, 28)).output_shape == (28, 28, 4)
    assert Network([Conv2D(4, 5)], input_shape=(28, 28)).output_shape == (24, 24, 4)
    assert Network([Conv2D(4, 3, stride=2, padding="same")], input_shape=(28, 28, 3)).output_shape == (14, 14, 4)
    assert Network([MaxPool2D(2)], input_shape=(7, 7, 3)).output_shape == (3, 3, 3)


@pytest.mark.parametrize("case", list(POOLS))
def test_pool_forward_matches_the_definition(case):
    factory, shape = POOLS[case]
    layer, net = _built(factory, shape)
    X = np.random.default_rng(3).normal(size=(4, *shape))
    np.testing.assert_array_equal(net.forward(X), naive_pool(X, layer.pool_size, layer.stride))


@pytest.mark.parametrize("case", [*CONVS, *POOLS, *OTHERS])
def test_gradients_match_central_differences(case):
    factory, shape = {**CONVS, **POOLS, **OTHERS}[case]
    _, net = _built(factory, shape)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(3, *shape))
    out = net.forward(X)
    weights = rng.normal(size=out.shape)  # L = sum(w * out): dL/dout = w

    def objective() -> float:
        return float(np.sum(weights * net.forward(X)))

    net.forward(X)
    dX = net.backward(weights)
    assert dX.shape == X.shape
    assert relative_error(dX, numerical_gradient(objective, X)) < 1e-7
    for key, p in net.params.items():
        net.forward(X)
        net.backward(weights)
        analytic = net.grads[key].copy()
        assert relative_error(analytic, numerical_gradient(objective, p)) < 1e-7, key


def test_pool_gradient_goes_to_one_winner_on_ties():
    net = Network([MaxPool2D(2)], input_shape=(2, 2, 1), dtype=np.float64)
    net.forward(np.ones((1, 2, 2, 1)))
    dx = net.backward(np.full((1, 1, 1, 1), 5.0))
    assert dx.sum() == 5.0 and np.count_nonzero(dx) == 1


def small_cnn(dtype=np.float64, seed=0) -> Network:
    return Network(
        [Conv2D(3, 3, padding="same"), Activation("tanh"), MaxPool2D(2), Conv2D(4, 3), Activation("relu"),
         Flatten(), Dense(5), Activation("softmax")],
        input_shape=(8, 8), seed=seed, dtype=dtype,
    )


def test_a_whole_cnn_gradient_checks_with_softmax_cross_entropy():
    net = small_cnn()
    rng = np.random.default_rng(5)
    X = rng.normal(size=(4, 8, 8))
    y = np.array([0, 3, 4, 1])
    errors = check_network(net, losses.get("cross_entropy"), X, y, l2=1e-3)
    assert max(errors.values()) < 1e-6, errors


def test_first_layer_skips_the_input_gradient_when_asked():
    net = small_cnn()
    X = np.random.default_rng(6).normal(size=(2, 8, 8))
    loss = losses.get("cross_entropy")
    out = net.forward(X)
    assert net.loss_backward(loss, out, np.array([1, 2]), input_grad=False) is None
    grads = {k: g.copy() for k, g in net.grads.items()}
    assert net.loss_backward(loss, out, np.array([1, 2])).shape == X.shape
    assert all(np.array_equal(grads[k], net.grads[k]) for k in grads)


def test_cnn_save_load_round_trip(tmp_path):
    net = small_cnn(np.float32, seed=3)
    X = np.random.default_rng(7).random((3, 8, 8)).astype(np.float32)
    path = tmp_path / "cnn.npz"
    net.save(path)
    twin = Network.load(path)
    assert twin.config() == net.config()
    np.testing.assert_array_equal(twin.predict(X), net.predict(X))
    assert [s[1] for s in twin.summary()][:3] == ["conv 3x3x3 same", "tanh", "max pool 2x2"]


@pytest.mark.parametrize("layer", [Conv2D(2, (3, 2), stride=2, padding="same", init="xavier", use_bias=False),
                                   MaxPool2D(3, stride=1), Flatten()])
def test_config_round_trip(layer):
    twin = layers.from_config(layer.config())
    assert type(twin) is type(layer) and twin.config() == layer.config()


def test_float32_stays_float32():
    net = small_cnn(np.float32)
    X = np.random.default_rng(8).random((2, 8, 8), dtype=np.float32)
    out = net.forward(X, training=True)
    assert out.dtype == np.float32
    assert net.backward(np.ones_like(out)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in net.grads.values())


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match="filters"):
        Conv2D(0)
    with pytest.raises(ValueError, match="kernel size"):
        Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="padding"):
        Conv2D(2, padding="full")
    with pytest.raises(ValueError, match="stride"):
        Conv2D(2, stride=0)
    with pytest.raises(ValueError, match="unknown initializer"):
        Conv2D(2, init="nope")
    with pytest.raises(ValueError, match="pool size"):
        MaxPool2D(0)
    with pytest.raises(ValueError, match="larger than its input"):
        Network([Conv2D(2, 5)], input_shape=(3, 3))
    with pytest.raises(ValueError, match="larger than its input"):
        Network([MaxPool2D(4)], input_shape=(3, 3, 1))
    with pytest.raises(ValueError, match="expects images"):
        Network([Conv2D(2)], input_shape=(9,))
    with pytest.raises(ValueError, match="expects images"):
        Network([MaxPool2D()], input_shape=(4, 4))
