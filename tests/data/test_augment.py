"""Augmentation of digit images (nnviz.data.augment), as the digit training uses it: random
warps and stroke changes, seeded, and the Trainer transform hook ``Augmenter``."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data.augment import (
    STYLE_STROKES,
    AugmentConfig,
    Augmenter,
    affine,
    augment,
    capsules,
    change_thickness,
    elastic_field,
    stroke_widths,
    style_strokes,
)
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


def _affine_reference(images, matrices, offsets):
    """The warp written plainly: each output pixel reads the four input pixels around its source."""
    n, h, w = images.shape
    c = np.array([(h - 1) / 2, (w - 1) / 2])
    out = np.zeros_like(images, dtype=np.float64)
    for k in range(n):
        for i in range(h):
            for j in range(w):
                r, q = matrices[k] @ (np.array([i, j]) - c) + c + offsets[k]
                r0, q0 = int(np.floor(r)), int(np.floor(q))
                for rr, qq, wt in ((r0, q0, (1 - (r - r0)) * (1 - (q - q0))), (r0, q0 + 1, (1 - (r - r0)) * (q - q0)),
                                   (r0 + 1, q0, (r - r0) * (1 - (q - q0))), (r0 + 1, q0 + 1, (r - r0) * (q - q0))):
                    if 0 <= rr < h and 0 <= qq < w:
                        out[k, i, j] += wt * images[k, rr, qq]
    return out


def test_affine_matches_the_plain_bilinear_warp_far_outside_too():
    rng = np.random.default_rng(0)
    images = rng.random((3, 9, 11)).astype(np.float32)
    matrices = np.eye(2)[None] + rng.normal(0, 0.4, (3, 2, 2))
    offsets = np.array([[0.3, -0.7], [25.0, 3.0], [-4.5, -30.2]])  # the last two mostly read outside
    np.testing.assert_allclose(affine(images, matrices, offsets), _affine_reference(images, matrices, offsets),
                               atol=1e-5)


def test_a_displacement_field_moves_the_sampling_points():
    img = np.zeros((1, 9, 9), np.float32)
    img[0, 4, 4] = 1.0
    field = np.zeros((1, 2, 9, 9))
    field[0, 0, 2, 3] = 2.0  # output (2, 3) reads input (4, 3) ...
    field[0, 1, 2, 3] = 1.0  # ... then (4, 4)
    out = affine(img, np.eye(2)[None], np.zeros((1, 2)), field)
    assert out[0, 2, 3] == 1.0 and out[0, 4, 4] == 1.0 and out.sum() == 2.0


def test_elastic_fields_are_smooth_seeded_and_scaled():
    a = elastic_field(4, (28, 28), 3.0, 4.0, np.random.default_rng(1))
    assert a.shape == (4, 2, 28, 28) and np.array_equal(a, elastic_field(4, (28, 28), 3.0, 4.0, np.random.default_rng(1)))
    assert np.abs(a).max(axis=(1, 2, 3)) == pytest.approx(3.0)
    assert np.abs(np.diff(a, axis=2)).max() < 0.6  # neighbours move together
    with pytest.raises(ValueError, match="elastic_sigma"):
        AugmentConfig(elastic_sigma=0)


def test_capsules_draw_strokes_of_the_given_width():
    ink = capsules((28, 28), np.array([[[14.0, 4.0], [0, 0]]]), np.array([[[14.0, 24.0], [0, 0]]]),
                   np.array([[3.0, 0.0]]))
    assert ink.shape == (1, 28, 28)
    assert ink[0, 14, 4:25].min() == 1.0 and ink[0, 14].sum() == pytest.approx(21 + 2, abs=0.5)  # round ends
    assert ink[0, :, 14].sum() == pytest.approx(3.0, abs=0.1)  # rows 13-15: within 1.5 + 0.5 px of the line
    assert stroke_widths(ink) == pytest.approx([3 * 23 / (23 + 3)], abs=0.1)  # w L / (L + w): the ends count


def test_style_strokes_change_only_the_styled_digits(mnist):
    X, y = np.asarray(mnist.X_train[:200]), np.asarray(mnist.y_train[:200])
    out = style_strokes(X, y, np.random.default_rng(0), 1.0)
    styled = np.isin(y, list(STYLE_STROKES))
    assert np.array_equal(out[~styled], X[~styled])
    changed = np.abs(out - X).reshape(len(X), -1).max(axis=1) > 0.1
    assert changed[styled].mean() > 0.95
    assert np.array_equal(style_strokes(X, y, np.random.default_rng(0), 0.0), X)
    assert np.array_equal(out, style_strokes(X, y, np.random.default_rng(0), 1.0))  # seeded
    # Refitted like MNIST: the ink's longer side 20 px, its centre of mass at (14, 14).
    for img in out[styled]:
        rows, cols = np.flatnonzero((img > 0.1).any(axis=1)), np.flatnonzero((img > 0.1).any(axis=0))
        assert 19 <= max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 21
        m = img.sum()
        assert abs(img.sum(axis=1) @ np.arange(28) / m - 14) < 0.6 and abs(img.sum(axis=0) @ np.arange(28) / m - 14) < 0.6


def test_the_ones_flag_goes_down_left_from_the_top(mnist):
    ones = np.asarray(mnist.X_train[mnist.y_train == 1][:50])
    out = style_strokes(ones, np.ones(len(ones), int), np.random.default_rng(3), 1.0)

    def lean(img: np.ndarray) -> float:
        """Centre column of the top 40% of the ink minus that of the bottom 40% (pixels)."""
        rows = np.flatnonzero((img > 0.4).any(axis=1))
        k = int(0.4 * (rows[-1] - rows[0] + 1))
        top, bottom = img[rows[0] : rows[0] + k], img[rows[-1] + 1 - k : rows[-1] + 1]
        cols = np.arange(img.shape[1])
        return float(top.sum(axis=0) @ cols / top.sum() - bottom.sum(axis=0) @ cols / bottom.sum())

    moved = np.array([lean(a) - lean(b) for a, b in zip(out, ones, strict=True)])
    assert np.mean(moved < -0.5) > 0.9, moved  # the flag pulls the top's ink to the left


def test_augment_with_labels_adds_styles_and_without_is_unchanged(mnist):
    X, y = np.asarray(mnist.X_train[:64]), np.asarray(mnist.y_train[:64])
    cfg = AugmentConfig(p_style=0.5)
    plain = AugmentConfig(p_style=0.0)
    np.testing.assert_array_equal(augment(X, np.random.default_rng(2), cfg), augment(X, np.random.default_rng(2), plain))
    np.testing.assert_array_equal(augment(X, np.random.default_rng(2), plain, labels=y),
                                  augment(X, np.random.default_rng(2), plain))
    styled = augment(X, np.random.default_rng(2), cfg, labels=y)
    assert styled.shape == X.shape and not np.array_equal(styled, augment(X, np.random.default_rng(2), cfg))
    Xa, ya = Augmenter(cfg)(X, y, np.random.default_rng(2))
    assert ya is y and np.array_equal(Xa, styled)
    with pytest.raises(ValueError, match="labels"):
        augment(X, np.random.default_rng(2), cfg, labels=y[:10])
    with pytest.raises(ValueError, match="p_style"):
        AugmentConfig(p_style=1.5)
