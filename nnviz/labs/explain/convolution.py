"""Convolution, from note 002's integral to the digit model's 3x3 filters, number by number.

The note writes ``(f * g)(t) = ∫ f(τ) g(t − τ) dτ``, "discretized to work with digital images":

- 1D, ``discrete_convolution``: ``(f * g)[n] = Σ_k f[k] g[n − k]`` for two short signals, and
  ``terms_at`` the products that make one output value.
- 2D, ``feature_map``: a 3x3 kernel slid over a 28x28 image with "valid" or "same" (zero)
  padding and a stride, computed by the engine's ``Conv2D`` layer, the one the digit model uses.
  Deep-learning libraries (and that layer) compute a cross-correlation, ``Σ x[i+a, j+b] K[a, b]``;
  the note's convolution flips the kernel first (``flip=True``). ``window_at`` gives the 9 input
  values, the kernel, their 9 products and the sum at one output pixel.

Engine module: NumPy only, no streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from nnviz.nn.layers import Conv2D
from nnviz.nn.network import Network

F64 = np.float64
PADDINGS = ("valid", "same")
STRIDES = (1, 2, 3)
MAX_SIGNAL = 12  # values per 1D signal
MAX_KERNEL_ABS = 1e3

#: Named 3x3 kernels: name -> (kernel, what it does). Rows top to bottom, as the image.
KERNELS: dict[str, tuple[np.ndarray, str]] = {
    "identity": (np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], F64), "copies the image"),
    "box blur": (np.full((3, 3), 1 / 9, F64), "the mean of each 3x3 neighbourhood"),
    "Gaussian blur": (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], F64) / 16, "a weighted mean, the centre counting most"),
    "sharpen": (np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], F64), "the pixel minus its neighbours, plus itself"),
    "vertical edges (Sobel)": (np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], F64),
                               "left minus right: large where the ink ends at a vertical edge"),
    "horizontal edges (Sobel)": (np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], F64),
                                 "top minus bottom: large at the top and bottom edges of strokes"),
    "outline (Laplacian)": (np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], F64), "neighbours minus the centre: outlines"),
}


# ---- 1D -------------------------------------------------------------------------------------

def _signal(values, what: str) -> np.ndarray:
    a = np.asarray(values, dtype=F64).reshape(-1)
    if not 1 <= a.size <= MAX_SIGNAL:
        raise ValueError(f"{what} needs 1 to {MAX_SIGNAL} values, got {a.size}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what} has a value that is not a finite number")
    return a


def discrete_convolution(f, g) -> np.ndarray:
    """(len f + len g − 1,) ``(f * g)[n] = Σ_k f[k] g[n − k]`` for n = 0 .. len f + len g − 2."""
    f, g = _signal(f, "f"), _signal(g, "g")
    out = np.zeros(f.size + g.size - 1, F64)
    for n in range(out.size):
        out[n] = sum(f[k] * g[n - k] for k in range(f.size) if 0 <= n - k < g.size)
    return out


@dataclass(frozen=True)
class Terms:
    """The products that make ``(f * g)[n]``: ``f[k] · g[n − k]`` for each k where both exist."""

    n: int
    k: tuple[int, ...]
    f: tuple[float, ...]  # f[k]
    g: tuple[float, ...]  # g[n - k]
    products: tuple[float, ...]
    total: float


def terms_at(f, g, n: int) -> Terms:
    """The terms of ``(f * g)[n]``; ``ValueError`` if n is outside 0 .. len f + len g − 2."""
    f, g = _signal(f, "f"), _signal(g, "g")
    last = f.size + g.size - 2
    if not 0 <= int(n) <= last:
        raise ValueError(f"shift n must be in 0..{last}, got {n}")
    ks = tuple(k for k in range(f.size) if 0 <= n - k < g.size)
    fs = tuple(float(f[k]) for k in ks)
    gs = tuple(float(g[n - k]) for k in ks)
    products = tuple(a * b for a, b in zip(fs, gs, strict=True))
    return Terms(int(n), ks, fs, gs, products, float(sum(products)))


# ---- 2D -------------------------------------------------------------------------------------

def parse_kernel(text: str) -> np.ndarray:
    """'1 0 -1; 2 0 -2; 1 0 -1' (rows split by ';' or new lines) -> (3, 3); ``ValueError`` saying
    which row or entry is wrong."""
    rows = [r for r in re.split(r"[;\n]+", str(text).strip()) if r.strip()]
    if len(rows) != 3:
        raise ValueError(f"a 3x3 kernel has 3 rows (split by ';' or new lines), got {len(rows)}")
    out = []
    for i, row in enumerate(rows, start=1):
        parts = [p for p in re.split(r"[,\s]+", row.strip()) if p]
        if len(parts) != 3:
            raise ValueError(f"row {i} needs 3 numbers, got {len(parts)}: {row.strip()!r}")
        values = []
        for part in parts:
            try:
                v = float(part)
            except ValueError:
                raise ValueError(f"row {i}: {part!r} is not a number") from None
            if not np.isfinite(v) or abs(v) > MAX_KERNEL_ABS:
                raise ValueError(f"row {i}: {part!r} must be a finite number within ±{MAX_KERNEL_ABS:g}")
            values.append(v)
        out.append(values)
    return np.array(out, F64)


def _check(image, kernel, padding: str, stride: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(image, dtype=F64)
    k = np.asarray(kernel, dtype=F64)
    if x.ndim != 2 or min(x.shape) < 3:
        raise ValueError(f"the image must be 2D and at least 3x3, got shape {x.shape}")
    if k.shape != (3, 3) or not np.all(np.isfinite(k)):
        raise ValueError(f"the kernel must be 3x3 finite numbers, got shape {k.shape}")
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {', '.join(PADDINGS)}, got {padding!r}")
    if stride not in STRIDES:
        raise ValueError(f"stride must be one of {', '.join(map(str, STRIDES))}, got {stride!r}")
    return x, k


def _layer(kernel: np.ndarray, padding: str, stride: int, shape: tuple[int, int]) -> Network:
    """A one-filter ``Conv2D`` (no bias) holding ``kernel``, over one (H, W) channel, float64."""
    net = Network([Conv2D(1, 3, stride=stride, padding=padding, use_bias=False)], input_shape=(*shape, 1), dtype=F64)
    net.layers[0].params["W"][...] = kernel[:, :, None, None]
    return net


def feature_map(image, kernel, padding: str = "same", stride: int = 1, flip: bool = False) -> np.ndarray:
    """(H', W') the kernel over the image by the engine's ``Conv2D``: cross-correlation, or the
    note's convolution with ``flip`` (the kernel turned by 180°)."""
    x, k = _check(image, kernel, padding, stride)
    k = k[::-1, ::-1] if flip else k
    return _layer(k, padding, stride, x.shape).forward(x[None, :, :, None])[0, :, :, 0]


def padding_of(shape: tuple[int, int], padding: str, stride: int) -> tuple[int, int]:
    """(top, left) zero rows and columns added before the image (the engine's ``Conv2D`` geometry)."""
    if padding == "valid":
        return 0, 0
    pads = []
    for size in shape:
        out = -(-size // stride)
        total = max((out - 1) * stride + 3 - size, 0)
        pads.append(total // 2)
    return pads[0], pads[1]


@dataclass(frozen=True)
class Window:
    """One output pixel: the 3x3 input values under the kernel (0 in the padding), the kernel as
    applied (flipped for a convolution), their products and the sum; ``top``, ``left``: the window's
    first input row and column (negative in the padding)."""

    row: int
    col: int
    top: int
    left: int
    patch: np.ndarray  # (3, 3)
    kernel: np.ndarray  # (3, 3)
    products: np.ndarray  # (3, 3)
    total: float


def window_at(image, kernel, row: int, col: int, padding: str = "same", stride: int = 1,
              flip: bool = False) -> Window:
    """The terms of output pixel (row, col); ``ValueError`` if it is outside the feature map."""
    x, k = _check(image, kernel, padding, stride)
    k = k[::-1, ::-1] if flip else k
    out_h, out_w = output_shape(x.shape, padding, stride)
    if not (0 <= int(row) < out_h and 0 <= int(col) < out_w):
        raise ValueError(f"output pixel ({row}, {col}) is outside the {out_h}x{out_w} feature map")
    pad_top, pad_left = padding_of(x.shape, padding, stride)
    top, left = int(row) * stride - pad_top, int(col) * stride - pad_left
    patch = np.zeros((3, 3), F64)
    for a in range(3):
        for b in range(3):
            i, j = top + a, left + b
            if 0 <= i < x.shape[0] and 0 <= j < x.shape[1]:
                patch[a, b] = x[i, j]
    products = patch * k
    return Window(int(row), int(col), top, left, patch, k.copy(), products, float(products.sum()))


def output_shape(shape: tuple[int, int], padding: str, stride: int) -> tuple[int, int]:
    """(H', W') = ⌊(H + pads − 3) / s⌋ + 1 per side: ceil(H / s) with "same", else ⌊(H − 3) / s⌋ + 1."""
    if padding == "same":
        return -(-shape[0] // stride), -(-shape[1] // stride)
    return (shape[0] - 3) // stride + 1, (shape[1] - 3) // stride + 1


def output_pixel_for(input_row: int, input_col: int, shape: tuple[int, int], padding: str,
                     stride: int) -> tuple[int, int]:
    """The output pixel whose window is centred nearest input pixel (row, col)."""
    out_h, out_w = output_shape(shape, padding, stride)
    pad_top, pad_left = padding_of(shape, padding, stride)
    r = round((input_row + pad_top - 1) / stride)
    c = round((input_col + pad_left - 1) / stride)
    return int(min(max(r, 0), out_h - 1)), int(min(max(c, 0), out_w - 1))
