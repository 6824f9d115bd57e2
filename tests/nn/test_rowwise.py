"""Row-wise max and sum (nnviz.nn.rowwise) against NumPy's reductions: narrow (column by column)
and wide, 2-D and 3-D, with NaN and infinities (max exactly, sums to rounding); and the narrow
matmul against ``x @ W``: its values, and column-major only where it is tall and narrow."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.nn import rowwise
from nnviz.nn.layers import Dense
from nnviz.nn.network import Network


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


@pytest.mark.parametrize(("n", "k", "m", "column_major"), [
    (rowwise.TALL, 2, 4, True), (3000, rowwise.NARROW, rowwise.NARROW, True), (3000, 4, 2, True),
    (rowwise.TALL - 1, 2, 4, False), (3000, rowwise.NARROW + 1, 4, False), (3000, 4, rowwise.NARROW + 1, False),
    (3000, 4, 1, False), (10, 2, 4, False)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_narrow_matmul_is_x_at_w_laid_out_by_columns_where_tall_and_narrow(n, k, m, column_major, dtype):
    rng = np.random.default_rng(n + k + m)
    x, W = rng.normal(size=(n, k)).astype(dtype), rng.normal(size=(k, m)).astype(dtype)
    got = rowwise.narrow_matmul(x, W)
    assert got.shape == (n, m) and got.dtype == dtype
    assert (got.flags.f_contiguous and not got.flags.c_contiguous) == column_major
    tol = 1e-5 if dtype == np.float32 else 1e-12  # BLAS may sum the k products in another order
    np.testing.assert_allclose(got, x @ W, rtol=tol, atol=tol)


def test_a_dense_layer_over_many_points_gives_the_same_outputs_and_gradients():
    """The playground's network over a frame's 3,000 points (column-major inside) and in small
    batches (row-major): the same outputs, and backward through it the same gradients."""
    net = Network.mlp([2, 4, 4, 2], activation="tanh", output="softmax", seed=3)
    x = np.random.default_rng(0).normal(size=(3000, 2)).astype(net.dtype)
    whole = net.forward(x, training=True)
    parts = np.concatenate([net.forward(x[i:i + 100], training=True) for i in range(0, 3000, 100)])
    np.testing.assert_allclose(whole, parts, rtol=1e-6, atol=1e-7)
    net.forward(x, training=True)  # the layers keep the whole batch's inputs again, for backward
    net.backward(np.ones_like(whole) / len(x))
    tall = {key: g.copy() for key, g in net.grads.items()}
    for layer in net.layers:  # the same pass, row-major: every Dense as x @ W
        if isinstance(layer, Dense):
            layer.forward = (lambda lay: lambda inp, training=False: _row_major(lay, inp))(layer)
    out = net.forward(x, training=True)
    np.testing.assert_allclose(out, whole, rtol=1e-6, atol=1e-7)
    assert out.flags.c_contiguous
    net.backward(np.ones_like(out) / len(x))
    for key, g in net.grads.items():
        np.testing.assert_allclose(g, tall[key], rtol=1e-5, atol=1e-7)


def _row_major(layer, x):
    layer._x = x
    return x @ layer.params["W"] + layer.params["b"]
