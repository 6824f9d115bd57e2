"""Convolution, 1D and 2D: the sums against NumPy and the engine's Conv2D, the window's terms, the
flip, padding and stride, typed kernels."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.digits import load_default_model
from nnviz.labs.explain import convolution as conv
from nnviz.nn.layers import Conv2D


@pytest.mark.parametrize("seed", range(5))
def test_the_discrete_sum_is_numpys_convolution_and_its_terms_add_up(seed):
    rng = np.random.default_rng(seed)
    f, g = rng.normal(size=rng.integers(1, 8)), rng.normal(size=rng.integers(1, 8))
    result = conv.discrete_convolution(f, g)
    np.testing.assert_allclose(result, np.convolve(f, g), rtol=1e-12, atol=1e-12)
    for n in range(result.size):
        t = conv.terms_at(f, g, n)
        assert t.total == pytest.approx(result[n], abs=1e-12)
        assert all(p == a * b for p, a, b in zip(t.products, t.f, t.g, strict=True))
        assert all(0 <= n - k < g.size for k in t.k)


def test_the_notes_worked_numbers():
    t = conv.terms_at([1, 2, 3], [0, 1, 0.5], 2)
    assert t.k == (0, 1, 2) and t.products == (0.5, 2.0, 0.0) and t.total == 2.5


@pytest.mark.parametrize(("f", "g", "n", "words"), [
    ([], [1], 0, "f needs 1 to"), ([1] * 13, [1], 0, "f needs 1 to 12"), ([1, np.nan], [1], 0, "not a finite"),
    ([1, 2], [1], 2, "shift n must be in 0..1"), ([1, 2], [1], -1, "shift n"),
])
def test_bad_signals_or_shifts_are_value_errors_naming_them(f, g, n, words):
    with pytest.raises(ValueError, match=words):
        conv.terms_at(f, g, n)


def test_typed_kernels_are_read_or_refused_with_the_row():
    np.testing.assert_array_equal(conv.parse_kernel("1 0 -1; 2 0 -2\n1,0,-1"), conv.KERNELS["vertical edges (Sobel)"][0])
    for text, words in [("1 2 3; 4 5 6", "3 rows"), ("1 2 3; 4 5; 7 8 9", "row 2 needs 3 numbers"),
                        ("1 2 3; 4 x 6; 7 8 9", "row 2: 'x' is not a number"), ("1 2 3; 4 5 6; 7 8 inf", "row 3"),
                        ("1 2 3; 4 5 6; 7 8 1e9", "within")]:
        with pytest.raises(ValueError, match=words):
            conv.parse_kernel(text)


@pytest.mark.parametrize("padding", conv.PADDINGS)
@pytest.mark.parametrize("stride", conv.STRIDES)
def test_every_window_sums_to_the_engines_feature_map(padding, stride):
    rng = np.random.default_rng(stride)
    x, k = rng.random((28, 28)), rng.normal(size=(3, 3))
    for flip in (False, True):
        fmap = conv.feature_map(x, k, padding, stride, flip)
        assert fmap.shape == conv.output_shape(x.shape, padding, stride)
        assert fmap.shape == ((28 - 3) // stride + 1,) * 2 if padding == "valid" else (-(-28 // stride),) * 2
        for row in range(fmap.shape[0]):
            for col in range(fmap.shape[1]):
                w = conv.window_at(x, k, row, col, padding, stride, flip)
                assert w.total == pytest.approx(fmap[row, col], abs=1e-12)
        np.testing.assert_array_equal(w.kernel, k[::-1, ::-1] if flip else k)


def test_a_window_in_the_padding_reads_zeros():
    x = np.ones((28, 28))
    w = conv.window_at(x, np.ones((3, 3)), 0, 0, "same", 1)
    assert (w.top, w.left) == (-1, -1) and w.patch.sum() == 4 and w.total == 4
    with pytest.raises(ValueError, match="outside the 26x26"):
        conv.window_at(x, np.ones((3, 3)), 26, 0, "valid", 1)


def test_flip_gives_the_notes_convolution():
    """A separable kernel u vᵀ: the true 2D convolution is NumPy's 1D convolution along rows, then columns."""
    rng = np.random.default_rng(0)
    x, u, v = rng.random((10, 12)), rng.normal(size=3), rng.normal(size=3)
    rows = np.array([np.convolve(r, v, mode="valid") for r in x])
    true = np.array([np.convolve(c, u, mode="valid") for c in rows.T]).T
    np.testing.assert_allclose(conv.feature_map(x, np.outer(u, v), "valid", 1, flip=True), true, atol=1e-12)
    assert not np.allclose(conv.feature_map(x, np.outer(u, v), "valid", 1, flip=False), true)


def test_the_default_models_first_layer_computes_these_feature_maps():
    model = load_default_model()
    i, layer = next((i, layer) for i, layer in enumerate(model.net.layers) if isinstance(layer, Conv2D))
    x = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    out = model.net.layer_outputs(x[None])[i][0]  # the first conv layer's sums, before its activation
    for f in (0, 7, layer.filters - 1):
        kernel = layer.params["W"][:, :, 0, f].astype(np.float64)
        mine = conv.feature_map(x, kernel, layer.padding, layer.stride) + float(layer.params["b"][f])
        np.testing.assert_allclose(mine, out[:, :, f], rtol=1e-4, atol=1e-5)


def test_a_click_on_the_input_picks_the_window_centred_there():
    for padding in conv.PADDINGS:
        for stride in conv.STRIDES:
            fmap_shape = conv.output_shape((28, 28), padding, stride)
            for row, col in [(0, 0), (min(5, fmap_shape[0] - 1), min(9, fmap_shape[1] - 1)),
                             (fmap_shape[0] - 1, fmap_shape[1] - 1)]:
                w = conv.window_at(np.zeros((28, 28)), np.zeros((3, 3)), row, col, padding, stride)
                assert conv.output_pixel_for(w.top + 1, w.left + 1, (28, 28), padding, stride) == (row, col)
    assert conv.output_pixel_for(27, 27, (28, 28), "valid", 1) == (25, 25)  # clamped to the map


def test_bad_settings_are_value_errors_naming_them():
    x = np.zeros((28, 28))
    for kwargs, words in [({"padding": "full"}, "padding"), ({"stride": 4}, "stride")]:
        with pytest.raises(ValueError, match=words):
            conv.feature_map(x, np.zeros((3, 3)), **{"padding": "same", "stride": 1, **kwargs})
    with pytest.raises(ValueError, match="kernel must be 3x3"):
        conv.feature_map(x, np.zeros((5, 5)))
    with pytest.raises(ValueError, match="image must be 2D"):
        conv.feature_map(np.zeros((2, 2)), np.zeros((3, 3)))
