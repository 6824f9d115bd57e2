"""The digit model (nnviz.labs.digits.model): predictions, saliency against finite differences,
hidden activations, first-layer weights, files."""

from __future__ import annotations

import io

import numpy as np
import pytest

from nnviz.labs.digits.architectures import cnn, mlp
from nnviz.labs.digits.model import DigitModel
from nnviz.nn.gradcheck import numerical_gradient, relative_error
from nnviz.nn.layers import Activation, Dense, Flatten
from nnviz.nn.network import Network


def test_predict_proba_shapes_and_rows(model):
    rng = np.random.default_rng(1)
    p = model.predict_proba(rng.random((3, 28, 28)))
    assert p.shape == (3, 10) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert model.predict_proba(rng.random((28, 28))).shape == (1, 10)
    assert model.predict_proba(np.zeros((0, 28, 28))).shape == (0, 10)


@pytest.mark.parametrize(("x", "match"), [
    (np.zeros((2, 28)), "shape"), (np.zeros((1, 27, 28)), "shape"), (np.full((28, 28), np.nan), "NaN"),
    (np.full((28, 28), 255.0), r"\[0, 1\]"), (np.array([["a"] * 28] * 28), "numbers"),
])
def test_bad_images_raise_clear_errors(model, x, match):
    with pytest.raises(ValueError, match=match):
        model.predict_proba(x)


def tiny_model(kind: str = "cnn") -> DigitModel:
    net = cnn((2,), dense=4, seed=3, dtype=np.float64) if kind == "cnn" else mlp((5,), "tanh", seed=3,
                                                                                  dtype=np.float64)
    return DigitModel(net)


@pytest.mark.parametrize("kind", ["cnn", "mlp"])
def test_saliency_is_the_gradient_of_the_top_logit(kind):
    m = tiny_model(kind)
    x = np.random.default_rng(2).random((1, 28, 28))
    k, grad = m.saliency(x, smooth=0)
    assert grad.shape == (28, 28) and k == int(m.predict(x)[0])

    def logit() -> float:
        return float(m.net.layer_outputs(x)[-2][0, k])

    numeric = numerical_gradient(logit, x)[0]
    assert relative_error(grad, numeric) < 1e-5  # grad is float32


def test_smoothgrad_is_deterministic_and_targets_a_class(model, mnist):
    x = mnist.X_test[0]
    k1, g1 = model.saliency(x)
    k2, g2 = model.saliency(x)
    assert k1 == k2 == mnist.y_test[0] and np.array_equal(g1, g2)
    k3, g3 = model.saliency(x, target=3)
    assert k3 == 3 and not np.array_equal(g1, g3)
    with pytest.raises(ValueError, match="target"):
        model.saliency(x, target=10)
    with pytest.raises(ValueError, match="one image"):
        model.saliency(mnist.X_test[:2])


def test_activations_of_the_default_cnn(model, mnist):
    acts = model.activations(mnist.X_test[0])
    assert [a.values.shape for a in acts] == [(28, 28, 32), (14, 14, 64), (64,)]
    assert all(a.values.min() >= 0 for a in acts)  # after ReLU
    assert "conv 3x3x32" in acts[0].description


def test_first_layer_weights_as_images(model):
    kind, w = model.first_layer_weights()
    assert kind == "filters" and w.shape == (32, 3, 3)
    kind, w = tiny_model("mlp").first_layer_weights()
    assert kind == "weights" and w.shape == (5, 28, 28)


def test_save_load_round_trip_and_bad_files(tmp_path):
    m = tiny_model()
    x = np.random.default_rng(3).random((2, 28, 28))
    twin = DigitModel.load(m.to_bytes())
    np.testing.assert_array_equal(twin.predict_proba(x), m.predict_proba(x))
    with pytest.raises(ValueError, match="npz"):
        DigitModel.load(b"not a model at all")
    other = io.BytesIO()
    Network.mlp([2, 3], output="softmax").save(other)
    with pytest.raises(ValueError, match="digit model"):
        DigitModel.load(other.getvalue())


def test_a_digit_model_must_end_with_one_probability_per_class():
    sigmoid = Network([Flatten(), Dense(10), Activation("sigmoid")], input_shape=(28, 28))  # not one distribution
    with pytest.raises(ValueError, match="one probability per class"):
        DigitModel(sigmoid)
