"""Many rows, few columns: row-wise max and sum over the last axis, (..., k) -> (..., 1), and a
matmul laid out for what follows it.

NumPy runs its loops over the last axis of a C-ordered array, with a fixed cost per row: a short
last axis is slow. ``z.max(axis=-1)`` over (1125, 2) costs ~45 us, where
``np.maximum(z[:, 0], z[:, 1])`` costs ~3 us. Adding a bias (4,) to (3000, 4) costs 23 us, adding
two (3000, 4) arrays 2 us. A live frame's forward pass over the playground's grid and points paid
both in every layer. For up to ``NARROW`` columns ``row_max`` and ``row_sum`` go column by column
(the same values: max exactly, NaN propagated; sums to rounding), for more they are NumPy's; and
``narrow_matmul`` returns a tall, narrow product in column-major order, so the bias and the
element-wise and column-by-column work after it run along its long axis.
"""

from __future__ import annotations

import numpy as np

#: Up to this many columns, column by column is faster (measured from 2 to 10 columns, 10 to
#: 10,000 rows; equal at 10 rows).
NARROW = 16
#: From this many rows ``narrow_matmul`` lays its product out column by column (fewer: no faster).
TALL = 256


def _columns(z: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    acc = z[..., 0].copy()
    for j in range(1, z.shape[-1]):
        ufunc(acc, z[..., j], out=acc)
    return acc[..., None]


def row_max(z: np.ndarray) -> np.ndarray:
    """max over the last axis, keeping it: (..., k) -> (..., 1)."""
    if 0 < z.shape[-1] <= NARROW:
        return _columns(z, np.maximum)
    return z.max(axis=-1, keepdims=True)


def row_sum(z: np.ndarray) -> np.ndarray:
    """sum over the last axis, keeping it: (..., k) -> (..., 1)."""
    if 0 < z.shape[-1] <= NARROW:
        return _columns(z, np.add)
    return z.sum(axis=-1, keepdims=True)


def narrow_matmul(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    """x @ W for x (n, k) and W (k, m). For n >= ``TALL`` and k, m <= ``NARROW`` (m >= 2) it is
    computed as (W^T x^T)^T, an F-ordered (n, m) array: adding a bias row to it then takes one
    pass along each column. (3000, 2) @ (2, 4) + b: 36 -> 10 us. The values are x @ W's up to
    float rounding (BLAS may add the k products in another order; on our CI machine they are
    equal to the last bit for k <= 7, float32 and float64)."""
    n, k = x.shape
    m = W.shape[1]
    if n >= TALL and k <= NARROW and 2 <= m <= NARROW:
        return (W.T @ x.T).T
    return x @ W
