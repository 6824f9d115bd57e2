"""The digit model (nnviz.labs.digits), its augmentation (nnviz.data.augment) and training script
(nnviz.labs.digits.train): the shipped model's accuracy on the official test set, robustness to
digits pasted large and off-centre on a canvas, saliency against finite differences."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from nnviz.data.augment import AugmentConfig, affine, augment, change_thickness
from nnviz.data.datasets import load_mnist
from nnviz.data.preprocess import canvas_to_mnist
from nnviz.labs import digits as dg
from nnviz.labs.digits import train as train_digits
from nnviz.nn.gradcheck import numerical_gradient, relative_error
from nnviz.nn.network import Network


@pytest.fixture(scope="module")
def mnist(mnist_folder):
    return load_mnist(mnist_folder)


@pytest.fixture(scope="module")
def model() -> dg.DigitModel:
    return dg.load_default_model()


# ---- the shipped model -----------------------------------------------------------------------


def test_default_model_reaches_97_5_percent_on_1000_official_test_images(model, mnist):
    X, y = mnist.X_test[:1000], mnist.y_test[:1000]
    accuracy = float(np.mean(model.predict(X) == y))
    assert accuracy >= 0.975, f"default model: {accuracy:.1%} on the first 1,000 test images"


def paste_on_canvas(digit: np.ndarray, side: int, top: int, left: int, canvas: int = 280) -> np.ndarray:
    """An MNIST digit enlarged to side x side and pasted on a black opaque RGBA canvas."""
    big = Image.fromarray(np.rint(digit * 255).astype(np.uint8)).resize((side, side), Image.Resampling.BILINEAR)
    rgba = np.zeros((canvas, canvas, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[top : top + side, left : left + side, :3] = np.asarray(big)[..., None]
    return rgba


def test_test_digits_pasted_large_and_off_centre_on_a_canvas_are_recognized(model, mnist):
    rng = np.random.default_rng(0)
    X, y = mnist.X_test[1000:1500], mnist.y_test[1000:1500]
    images = []
    for digit in X:  # 500 canvases, each with its own size and place
        side = int(rng.integers(140, 260))
        top, left = (int(v) for v in rng.integers(0, 280 - side + 1, 2))
        images.append(canvas_to_mnist(paste_on_canvas(digit, side, top, left)))
    assert all(img is not None for img in images)
    accuracy = float(np.mean(model.predict(np.stack(images)) == y))
    assert accuracy >= 0.95, f"{accuracy:.1%} of 500 pasted test digits recognized"


def test_default_model_is_loaded_once_and_read_only(model):
    assert dg.load_default_model() is model
    assert all(not p.flags.writeable for p in model.net.params.values())
    with pytest.raises(ValueError):
        model.net.params["conv2d0.W"][...] = 0


def test_weights_file_is_small_float32_and_documented():
    assert dg.DEFAULT_WEIGHTS.stat().st_size < 2_000_000
    with np.load(dg.DEFAULT_WEIGHTS) as data:
        assert all(data[k].dtype == np.float32 for k in data.files if k.startswith("param:"))
    note = json.loads(dg.DEFAULT_NOTE.read_text())
    assert note["command"].startswith("python -m nnviz.labs.digits.train --data")
    assert note["test_accuracy"] >= 0.975 and note["seed"] == 0
    assert set(note["training_data"]["files"]) == {"train-5k-images-idx3-ubyte.gz", "train-5k-labels-idx1-ubyte.gz"}


def test_missing_default_weights_say_how_to_recreate_them(tmp_path):
    with pytest.raises(dg.DefaultModelMissing, match="python -m nnviz.labs.digits.train"):
        dg.load_default_model(tmp_path / "nope.npz")


# ---- predictions and explanations ------------------------------------------------------------


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


def tiny_model(kind: str = "cnn") -> dg.DigitModel:
    net = dg.cnn((2,), dense=4, seed=3, dtype=np.float64) if kind == "cnn" else dg.mlp((5,), "tanh", seed=3,
                                                                                         dtype=np.float64)
    return dg.DigitModel(net)


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
    assert [a.values.shape for a in acts] == [(28, 28, 16), (14, 14, 32), (64,)]
    assert all(a.values.min() >= 0 for a in acts)  # after ReLU
    assert "conv 3x3x16" in acts[0].description


def test_first_layer_weights_as_images(model):
    kind, w = model.first_layer_weights()
    assert kind == "filters" and w.shape == (16, 3, 3)
    kind, w = tiny_model("mlp").first_layer_weights()
    assert kind == "weights" and w.shape == (5, 28, 28)


def test_evaluate_counts_and_orders(mnist, model):
    X, y = mnist.X_test[:300], mnist.y_test[:300]
    ev = dg.evaluate(model, X, y)
    assert ev.confusion.sum() == 300 and ev.confusion.shape == (10, 10)
    assert ev.accuracy == pytest.approx(np.trace(ev.confusion) / 300)
    wrong = ev.most_confident_wrong()
    assert np.all(ev.predicted[wrong] != ev.labels[wrong])
    assert np.all(np.diff(ev.confidence[wrong]) <= 0)
    idx = ev.cell(3, 3)
    assert np.all(ev.labels[idx] == 3) and np.all(ev.predicted[idx] == 3) and len(idx) <= 24


def test_save_load_round_trip_and_bad_files(tmp_path):
    m = tiny_model()
    x = np.random.default_rng(3).random((2, 28, 28))
    twin = dg.DigitModel.load(m.to_bytes())
    np.testing.assert_array_equal(twin.predict_proba(x), m.predict_proba(x))
    with pytest.raises(ValueError, match="npz"):
        dg.DigitModel.load(b"not a model at all")
    other = io.BytesIO()
    Network.mlp([2, 3], output="softmax").save(other)
    with pytest.raises(ValueError, match="digit model"):
        dg.DigitModel.load(other.getvalue())


def test_architectures_build_and_validate():
    assert dg.Architecture("cnn", filters=(4, 8), dense=0).build().output_shape == (10,)
    assert dg.Architecture("mlp", hidden=(), activation="tanh").build().n_params == 7850
    assert dg.parse_sizes(" 256, 128 ") == (256, 128) and dg.parse_sizes("") == ()
    with pytest.raises(ValueError, match="whole numbers"):
        dg.parse_sizes("12, x")
    with pytest.raises(ValueError, match="cnn"):
        dg.Architecture("rnn")
    with pytest.raises(ValueError, match="1 to 3"):
        dg.Architecture("cnn", filters=(4, 4, 4, 4))
    with pytest.raises(ValueError, match="unknown activation"):
        dg.Architecture("mlp", activation="not-an-activation")


# ---- augmentation ----------------------------------------------------------------------------


def test_augment_keeps_shape_range_and_is_seeded(mnist):
    X = np.asarray(mnist.X_train[:64])
    a = augment(X, np.random.default_rng(5))
    b = augment(X, np.random.default_rng(5))
    assert a.shape == X.shape and a.dtype == X.dtype and np.array_equal(a, b)
    assert a.min() >= 0 and np.allclose(a.reshape(64, -1).max(axis=1), 1.0)
    assert not np.array_equal(a, X)


def test_augment_with_no_change_is_the_identity(mnist):
    X = np.asarray(mnist.X_train[:8])
    none = AugmentConfig(rotation=0, scale=(1, 1), aspect=0, shear=0, shift=0, p_thickness=0)
    np.testing.assert_allclose(augment(X, np.random.default_rng(0), none), X / X.reshape(8, -1).max(1)[:, None, None],
                               atol=1e-6)


def test_affine_integer_shift_moves_pixels_exactly():
    img = np.zeros((1, 9, 9), np.float32)
    img[0, 4, 4] = 1.0
    out = affine(img, np.eye(2)[None], np.array([[-1.0, 2.0]]))  # output (r, c) reads input (r - 1, c + 2)
    assert out[0, 5, 2] == 1.0 and out.sum() == 1.0


def test_thickness_dilates_and_erodes():
    img = np.zeros((1, 9, 9), np.float32)
    img[0, 3:6, 3:6] = 1.0
    assert change_thickness(img, np.array([1.0]))[0].sum() == 25  # 3x3 -> 5x5
    assert change_thickness(img, np.array([-1.0]))[0].sum() == 9  # eroded to 1 pixel: too little, kept
    np.testing.assert_array_equal(change_thickness(img, np.array([0.0])), img)


def test_bad_augmentation_settings():
    with pytest.raises(ValueError, match="scale"):
        AugmentConfig(scale=(1.2, 0.8))
    with pytest.raises(ValueError, match="rotation"):
        AugmentConfig(rotation=-1)
    with pytest.raises(ValueError, match="shape"):
        augment(np.zeros((28, 28)), np.random.default_rng(0))


# ---- the training script ---------------------------------------------------------------------


def test_fit_learns_something_in_one_short_epoch(mnist):
    net = dg.cnn((4,), dense=16, seed=0)
    X, y = mnist.X_train[:640], mnist.y_train[:640]
    seen = []
    history = train_digits.fit(net, X, y, mnist.X_train[640:840], mnist.y_train[640:840], epochs=1, batch_size=32,
                               learning_rate=3e-3, callback=seen.append)
    assert len(history) == 1 and seen == history
    assert history[0].val_accuracy > 0.3 and np.isfinite(history[0].loss)


def test_training_script_explains_missing_data(tmp_path, capsys):
    assert train_digits.main(["--data", str(tmp_path), "--out", str(tmp_path / "m.npz"), "--epochs", "1"]) == 2
    assert "MNIST files not found" in capsys.readouterr().err
