"""Row-wise max and sum (nnviz.nn.rowwise) against NumPy's reductions: narrow (column by column)
and wide, 2-D and 3-D, with NaN and infinities (max exactly, sums to rounding)."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.nn import rowwise


@pytest.mark.parametrize("k", [1, 2, 3, 4, 10, rowwise.NARROW, rowwise.NARROW + 1, 40])
@pytest.mark.parametrize("shape", [(7,), (5, 3), ()])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_max_and_sum_are_numpys(k, shape, dtype):
    z = np.random.default_rng(k).normal(size=(*shape, k)).astype(dtype) * 10
    if z.size > 3:
        z.flat[1], z.flat[2] = np.inf, -np.inf
    with np.errstate(invalid="ignore"):  # inf + -inf, as NumPy's own sum warns
        got_max, got_sum = rowwise.row_max(z), rowwise.row_sum(z)
        want_max, want_sum = z.max(axis=-1, keepdims=True), z.sum(axis=-1, keepdims=True)
    assert got_max.shape == got_sum.shape == (*shape, 1) and got_max.dtype == got_sum.dtype == dtype
    np.testing.assert_array_equal(got_max, want_max)
    np.testing.assert_allclose(got_sum, want_sum, rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_nan_propagates_like_numpy():
    z = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(rowwise.row_max(z), z.max(axis=-1, keepdims=True))
    np.testing.assert_array_equal(rowwise.row_sum(z), z.sum(axis=-1, keepdims=True))


def test_the_input_is_not_changed():
    z = np.arange(6.0).reshape(3, 2)
    before = z.copy()
    rowwise.row_max(z), rowwise.row_sum(z)
    np.testing.assert_array_equal(z, before)
