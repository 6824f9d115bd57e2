"""Augmentation of digit images (nnviz.data.augment), as the digit training uses it: random
warps and stroke changes, seeded, and the Trainer transform hook ``Augmenter``."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data.augment import AugmentConfig, Augmenter, affine, augment, change_thickness
from nnviz.data.mnist_files import Mnist, load_mnist


@pytest.fixture(scope="module")
def mnist(mnist_folder) -> Mnist:
    return load_mnist(mnist_folder)


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


def test_augmenter_is_a_transform_hook_that_keeps_the_labels(mnist):
    X, y = np.asarray(mnist.X_train[:16]), np.asarray(mnist.y_train[:16])
    config = AugmentConfig(rotation=5.0)
    Xa, ya = Augmenter(config)(X, y, np.random.default_rng(1))
    assert ya is y and np.array_equal(Xa, augment(X, np.random.default_rng(1), config))
    assert Augmenter() == Augmenter(AugmentConfig())  # settings compare by value


def test_augmentation_describes_its_ranges():
    text = AugmentConfig().describe()
    assert text.startswith("rotated up to ±15°, scaled 0.8–1.15×") and "thinner or thicker in 70% of images" in text
    assert "strokes" not in AugmentConfig(p_thickness=0).describe()
    assert "made thicker in" in AugmentConfig(thickness=(0.0, 1.0)).describe()
