"""Data augmentation for digit images: random affine warps and stroke-thickness changes.

People draw thicker, rounder and less tidy digits than MNIST's scanned pen strokes; training
on randomly rotated, scaled, sheared and shifted copies with thicker or thinner strokes makes
a model trained on 5,000 MNIST digits read canvas drawings reliably.

Every function maps a batch (n, H, W) float in [0, 1] (white ink on black) to a new batch of
the same shape and dtype, vectorized over the batch (no loop over samples or pixels), with
randomness only from the ``rng`` passed in. ``Augmenter`` is the same as a ``Trainer`` transform
hook: every training batch augmented afresh, labels unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AugmentConfig:
    """Ranges of the random changes; each sample draws its own values uniformly.

    ``rotation`` degrees either way; ``scale`` (low, high) factor; ``aspect`` log-ratio of
    width to height either way; ``shear`` (tan of the angle) either way; ``shift`` pixels
    either way, per axis; ``thickness`` (low, high) where
    -1 is one erosion (thinner strokes), 0 unchanged and 1 one 3x3 dilation (thicker), values
    in between blend; ``p_thickness`` is the fraction of samples whose strokes change;
    ``p_style`` the fraction of 0s, 1s, 2s and 7s given a writing style's extra stroke
    (``STYLE_STROKES``; only where the labels are known, as in ``Augmenter``); ``elastic`` the
    largest elastic displacement in pixels (``elastic_field``, smoothness ``elastic_sigma``), 0 for none.
    """

    rotation: float = 15.0
    scale: tuple[float, float] = (0.8, 1.15)
    aspect: float = 0.1
    shear: float = 0.2
    shift: float = 2.5
    thickness: tuple[float, float] = (-0.6, 1.6)
    p_thickness: float = 0.7
    p_style: float = 0.0
    elastic: float = 0.0
    elastic_sigma: float = 4.0

    def __post_init__(self) -> None:
        for name in ("rotation", "aspect", "shear", "shift", "p_thickness", "p_style", "elastic"):
            value = float(getattr(self, name))
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"augmentation {name} must be a finite number >= 0, got {value}")
        if self.p_thickness > 1 or self.p_style > 1:
            raise ValueError(f"augmentation p_thickness and p_style must be in [0, 1], got {self.p_thickness} "
                             f"and {self.p_style}")
        lo, hi = self.scale
        if not (0 < lo <= hi and math.isfinite(hi)):
            raise ValueError(f"augmentation scale must be 0 < low <= high, got {self.scale}")
        if not (math.isfinite(self.elastic_sigma) and self.elastic_sigma > 0):
            raise ValueError(f"augmentation elastic_sigma must be > 0, got {self.elastic_sigma}")
        lo, hi = self.thickness
        if not (-1 <= lo <= hi <= 2):
            raise ValueError(f"augmentation thickness must satisfy -1 <= low <= high <= 2, got {self.thickness}")

    def describe(self) -> str:
        """The ranges in plain words, e.g. 'rotated up to ±15°, scaled 0.8–1.15×, ...'."""
        lo, hi = self.thickness
        strokes = ("thinner" if lo < 0 else "") + (" or " if lo < 0 < hi else "") + ("thicker" if hi > 0 else "")
        parts = [f"rotated up to ±{self.rotation:g}°", f"scaled {self.scale[0]:g}–{self.scale[1]:g}×",
                 f"aspect ratio changed up to ±{self.aspect:.0%}", f"sheared up to ±{self.shear:g}",
                 f"shifted up to ±{self.shift:g} px"]
        if self.p_thickness > 0 and strokes:
            parts.append(f"strokes made {strokes} in {self.p_thickness:.0%} of images")
        if self.elastic > 0:
            parts.append(f"bent by up to {self.elastic:g} px")
        if self.p_style > 0:
            parts.append(f"{self.p_style:.0%} of the 0s, 1s, 2s and 7s written with a slash, a flag or a bar")
        return ", ".join(parts)


def affine(images: np.ndarray, matrices: np.ndarray, offsets: np.ndarray,
           displacement: np.ndarray | None = None) -> np.ndarray:
    """Warp each image by its own affine map, bilinear, zeros outside.

    Output pixel p (row, col) takes the input at ``matrices[k] @ (p - c) + c + offsets[k]``
    (+ ``displacement[k, :, p]`` when given, (n, 2, H, W) in pixels) with c the image centre:
    ``matrices`` (n, 2, 2) and ``offsets`` (n, 2) map output to input coordinates (the inverse
    of the visible transform).
    """
    n, h, w = images.shape
    dtype = images.dtype if images.dtype in (np.float32, np.float64) else np.float32
    c = np.array([(h - 1) / 2.0, (w - 1) / 2.0])
    rows, cols = np.meshgrid(np.arange(h) - c[0], np.arange(w) - c[1], indexing="ij")
    gr, gc = rows.ravel()[None], cols.ravel()[None]  # (1, h*w) each
    m = np.asarray(matrices, dtype=np.float64)
    o = (c + offsets)[:, :, None]
    # The 2x2 products written out: NumPy's batched matmul of (n, 2, 2) @ (2, h*w) is 20x slower.
    r = m[:, 0, :1] * gr + m[:, 0, 1:] * gc + o[:, 0]
    q = m[:, 1, :1] * gr + m[:, 1, 1:] * gc + o[:, 1]
    if displacement is not None:
        r = r + displacement[:, 0].reshape(n, -1)
        q = q + displacement[:, 1].reshape(n, -1)
    r0, q0 = np.floor(r), np.floor(q)
    fr, fq = (r - r0).astype(dtype), (q - q0).astype(dtype)
    # A frame of two zero pixels: a corner clipped into it reads zeros only, so no inside-masks.
    hp, wp = h + 4, w + 4
    r0 = np.clip(r0, -2, h).astype(np.int64) + 2
    q0 = np.clip(q0, -2, w).astype(np.int64) + 2
    flat = np.pad(images.astype(dtype, copy=False), ((0, 0), (2, 2), (2, 2))).ravel()
    i00 = r0 * wp + q0 + (np.arange(n) * (hp * wp))[:, None]  # indices into the whole batch
    top = flat.take(i00), flat.take(i00 + 1)
    bottom = flat.take(i00 + wp), flat.take(i00 + wp + 1)
    upper = top[0] + fq * (top[1] - top[0])
    lower = bottom[0] + fq * (bottom[1] - bottom[0])
    return (upper + fr * (lower - upper)).reshape(n, h, w)


def _gaussian_matrix(size: int, sigma: float) -> np.ndarray:
    """(size, size) matrix G with G @ v the Gaussian blur (std ``sigma`` px, zeros outside) of v."""
    d = np.arange(size)[:, None] - np.arange(size)[None, :]
    g = np.exp(-0.5 * (d / sigma) ** 2)
    return g / g.sum(axis=1, keepdims=True)


def elastic_field(n: int, shape: tuple[int, int], alpha: float, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Random smooth displacements (Simard et al., 2003): uniform noise in [-1, 1] per pixel and
    axis, blurred by a Gaussian of std ``sigma`` px and scaled to a largest displacement of
    ``alpha`` px: (n, 2, H, W). The blur is G_rows @ noise @ G_cols^T, separable."""
    h, w = shape
    noise = rng.uniform(-1.0, 1.0, (n, 2, h, w)).astype(np.float32)
    gr, gc = _gaussian_matrix(h, sigma).astype(np.float32), _gaussian_matrix(w, sigma).astype(np.float32)
    # Two plain matrix products over the whole batch (a stacked matmul per image is several times slower).
    cols = (noise.reshape(-1, w) @ gc.T).reshape(n * 2, h, w)
    smooth = (gr @ cols.transpose(1, 0, 2).reshape(h, -1)).reshape(h, n, 2, w).transpose(1, 2, 0, 3)
    peak = np.abs(smooth).max(axis=(1, 2, 3), keepdims=True)
    return alpha * smooth / np.maximum(peak, 1e-12)


def _neighbourhood(images: np.ndarray, reduce: np.ufunc) -> np.ndarray:
    """Max (dilation) or min (erosion) over each pixel's 3x3 neighbourhood, zeros outside:
    separable, a 3-row pass then a 3-column pass."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    rows = reduce(reduce(padded[:, :-2], padded[:, 1:-1]), padded[:, 2:])  # (n, h, w + 2)
    return reduce(reduce(rows[:, :, :-2], rows[:, :, 1:-1]), rows[:, :, 2:])


def change_thickness(images: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Per-sample stroke thickness: ``amount`` (n,) in [-1, 2]; 0 keeps the image, 1 is a 3x3
    grey dilation, 2 two of them, -1 a 3x3 erosion; fractions blend linearly between steps."""
    amount = np.asarray(amount, dtype=images.dtype).reshape(-1, 1, 1)
    once = _neighbourhood(images, np.maximum)
    twice = _neighbourhood(once, np.maximum)
    thinner = _neighbourhood(images, np.minimum)
    up1 = np.clip(amount, 0, 1)
    up2 = np.clip(amount - 1, 0, 1)
    down = np.clip(-amount, 0, 1)
    out = images + up1 * (once - images) + up2 * (twice - once) + down * (thinner - images)
    # Erosion can wipe out a thin digit entirely: keep the original where little ink remains.
    kept = out.reshape(len(out), -1).sum(axis=1) >= 0.35 * images.reshape(len(images), -1).sum(axis=1)
    return np.where(kept[:, None, None], out, images)


# ---------------------------------------------------------------------------
# Writing styles MNIST rarely shows: an extra stroke on a real digit


#: The digits that many countries write with an extra stroke, and the stroke ``style_strokes`` adds.
STYLE_STROKES = {0: "a slash", 1: "a flag (half of them also a foot)", 2: "a bar across", 7: "a crossbar"}
#: Longer side of the ink and its centre of mass after ``refit``: MNIST's 20 px box at (14, 14).
FIT_SIDE, FIT_CENTRE = 20.0, 14.0


def capsules(shape: tuple[int, int], starts: np.ndarray, ends: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Antialiased straight strokes with round ends: starts, ends (n, k, 2) as (row, col), widths
    (n, k) pixels (0: no stroke) -> (n, h, w) float32 ink, 1 within width/2 of a segment, fading
    to 0 over one pixel. Per pixel p: d = |p - (a + t (b - a))|, t = clip((p - a).(b - a) / |b - a|^2)."""
    h, w = shape
    rows, cols = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32), indexing="ij")
    p = np.stack([rows.ravel(), cols.ravel()], axis=-1)  # (h*w, 2)
    a = starts.astype(np.float32)[:, :, None, :]  # (n, k, 1, 2)
    ab = (ends - starts).astype(np.float32)[:, :, None, :]
    ap = p[None, None] - a  # (n, k, h*w, 2)
    length2 = np.maximum((ab * ab).sum(-1), 1e-6)
    t = np.clip((ap * ab).sum(-1) / length2, 0.0, 1.0)
    d = np.sqrt(((ap - t[..., None] * ab) ** 2).sum(-1))  # (n, k, h*w)
    ink = np.clip(widths.astype(np.float32)[:, :, None] / 2 + 0.5 - d, 0.0, 1.0)
    ink *= (widths > 0)[:, :, None]
    return ink.max(axis=1).reshape(-1, h, w)


def stroke_widths(images: np.ndarray) -> np.ndarray:
    """Mean stroke width of each image (n, h, w) -> (n,): 2 x ink / outline (``preprocess.stroke_width``)."""
    a = images.astype(np.float32, copy=False)
    gy = np.zeros_like(a)
    gx = np.zeros_like(a)
    gy[:, :-1] = np.diff(a, axis=1)
    gx[:, :, :-1] = np.diff(a, axis=2)
    outline = np.sqrt(gy * gy + gx * gx).sum(axis=(1, 2))
    return 2.0 * a.sum(axis=(1, 2)) / np.maximum(outline, 1e-6)


def _extent(mask: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last index along the other axis where each (n, h, w) mask has ink: (n,), (n,)."""
    has = mask.any(axis=axis)
    idx = np.arange(has.shape[1])
    return np.where(has, idx, has.shape[1]).min(axis=1), np.where(has, idx, -1).max(axis=1)


def _row_centre(images: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Ink-weighted column of each image (n, h, w) around row ``row`` (n,) (rows row-1..row+1)."""
    n, h, w = images.shape
    rows = np.clip(np.round(row).astype(np.int64)[:, None] + np.arange(-1, 2), 0, h - 1)  # (n, 3)
    band = images[np.arange(n)[:, None], rows].sum(axis=1)  # (n, w)
    mass = band.sum(axis=1)
    centre = band @ np.arange(w, dtype=np.float64)
    return np.where(mass > 0, centre / np.maximum(mass, 1e-9), (w - 1) / 2)


def style_strokes(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator, p: float) -> np.ndarray:
    """A fraction ``p`` of the 0s, 1s, 2s and 7s of (n, h, w) get the extra stroke that many
    countries write (``STYLE_STROKES``), in the digit's own stroke width, placed by its ink:
    the 1's flag goes from its top down-left (20-60 degrees, 20-50% of its height), its foot
    across its bottom; the 7's and 2's bars cross their middle; the 0's slash runs corner to
    corner. The changed images are refitted to MNIST's box (``refit``); the rest are unchanged."""
    n, h, w = images.shape
    labels = np.asarray(labels)
    if labels.ndim == 2:  # one-hot
        labels = labels.argmax(axis=1)
    chosen = np.isin(labels, list(STYLE_STROKES)) & (rng.random(n) < p)
    u_all = rng.random((n, 6))  # every sample draws the same numbers: the stream does not depend on labels
    idx = np.flatnonzero(chosen)
    if idx.size == 0:
        return images
    imgs, digit, u = images[idx], labels[idx], u_all[idx]  # only the chosen ones are measured and drawn
    mask = imgs > 0.4
    top, bottom = _extent(mask, 2)
    left, right = _extent(mask, 1)
    keep = bottom >= top + 3  # some ink to go by
    height = np.maximum(bottom - top + 1, 1).astype(np.float64)
    width = np.clip(stroke_widths(imgs), 1.2, 4.0) * (0.8 + 0.4 * u[:, 5])
    k = len(idx)
    starts, ends = np.zeros((k, 2, 2)), np.zeros((k, 2, 2))
    widths = np.zeros((k, 2))
    # The 1: a flag from the top down-left; with the foot in half of them.
    one = keep & (digit == 1)
    x_top, x_bottom = _row_centre(imgs, top + 1.0), _row_centre(imgs, bottom - 1.0)
    angle = np.deg2rad(20 + 40 * u[:, 0])
    length = (0.2 + 0.3 * u[:, 1]) * height
    starts[:, 0] = np.where(one[:, None], np.stack([top + length * np.sin(angle), x_top - length * np.cos(angle)], -1), 0)
    ends[:, 0] = np.where(one[:, None], np.stack([top, x_top], -1), 0)
    foot = one & (u[:, 2] < 0.5)
    half = (0.12 + 0.18 * u[:, 3]) * height
    tilt = np.tan(np.deg2rad(-5 + 10 * u[:, 4])) * half
    starts[foot, 1] = np.stack([bottom + tilt, x_bottom - half], -1)[foot]
    ends[foot, 1] = np.stack([bottom - tilt, x_bottom + half], -1)[foot]
    widths[one, 0] = width[one]
    widths[foot, 1] = width[foot]
    # The 7 and the 2: a bar across the middle, centred on the ink there.
    bar = keep & ((digit == 7) | (digit == 2))
    row = top + np.where(digit == 7, 0.4 + 0.22 * u[:, 0], 0.38 + 0.22 * u[:, 0]) * height
    centre = _row_centre(imgs, row)
    half = np.where(digit == 7, 0.15 + 0.15 * u[:, 1], 0.15 + 0.1 * u[:, 1]) * height
    tilt = np.tan(np.deg2rad(-8 + 16 * u[:, 2])) * half
    starts[bar, 0] = np.stack([row + tilt, centre - half], -1)[bar]
    ends[bar, 0] = np.stack([row - tilt, centre + half], -1)[bar]
    widths[bar, 0] = width[bar]
    # The 0: a slash from beyond the top right to beyond the bottom left.
    zero = keep & (digit == 0)
    over = -1.0 + 3.5 * u[:, :4]
    starts[zero, 0] = np.stack([top - over[:, 0], right + over[:, 1]], -1)[zero]
    ends[zero, 0] = np.stack([bottom + over[:, 2], left - over[:, 3]], -1)[zero]
    widths[zero, 0] = width[zero]
    idx, starts, ends, widths, imgs = idx[keep], starts[keep], ends[keep], widths[keep], imgs[keep]
    out = images.copy()
    out[idx] = refit(np.maximum(imgs, capsules((h, w), starts, ends, widths).astype(images.dtype)))
    return out


def refit(images: np.ndarray) -> np.ndarray:
    """Each image (n, h, w) scaled so its ink's longer side is ``FIT_SIDE`` px and moved so its centre
    of mass is at (``FIT_CENTRE``, ``FIT_CENTRE``), as MNIST and ``canvas_to_mnist`` place digits."""
    n, h, w = images.shape
    mask = images > 0.1
    top, bottom = _extent(mask, 2)
    left, right = _extent(mask, 1)
    side = np.maximum(np.maximum(bottom - top, right - left) + 1, 1).astype(np.float64)
    scale = FIT_SIDE / side
    a = images.astype(np.float64)
    mass = np.maximum(a.sum(axis=(1, 2)), 1e-9)
    com = np.stack([a.sum(axis=2) @ np.arange(h), a.sum(axis=1) @ np.arange(w)], -1) / mass[:, None]
    c = np.array([(h - 1) / 2.0, (w - 1) / 2.0])
    # Visible map p' = c + scale (p - c) + t puts com at FIT_CENTRE; affine wants its inverse.
    t = FIT_CENTRE - c - scale[:, None] * (com - c)
    matrices = np.eye(2)[None] / scale[:, None, None]
    return np.clip(affine(images, matrices, -t / scale[:, None]), 0.0, 1.0).astype(images.dtype, copy=False)


def augment(images: np.ndarray, rng: np.random.Generator, config: AugmentConfig | None = None,
            labels: np.ndarray | None = None) -> np.ndarray:
    """Random affine warp plus stroke-thickness change for a batch (n, H, W) in [0, 1]; with
    ``labels`` (n,) also the writing styles' extra strokes (``style_strokes``, ``config.p_style``)."""
    cfg = config or AugmentConfig()
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, H, W), got {images.shape}")
    n = len(images)
    if labels is not None and cfg.p_style > 0:
        if len(labels) != n:
            raise ValueError(f"labels must have one entry per image ({n}), got {len(labels)}")
        images = style_strokes(images, labels, rng, cfg.p_style)
    angle = np.deg2rad(rng.uniform(-cfg.rotation, cfg.rotation, n))
    scale = np.exp(rng.uniform(math.log(cfg.scale[0]), math.log(cfg.scale[1]), n))
    aspect = np.exp(rng.uniform(-cfg.aspect, cfg.aspect, n))  # a little wider or narrower
    shear = rng.uniform(-cfg.shear, cfg.shear, n)
    shift = rng.uniform(-cfg.shift, cfg.shift, (n, 2))
    # Visible transform A = R(angle) @ Shear @ diag(scale * aspect, scale / aspect) in
    # (row, col) coordinates; sampling needs its inverse.
    cos, sin = np.cos(angle), np.sin(angle)
    rot = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    shr = np.zeros((n, 2, 2))
    shr[:, 0, 0] = shr[:, 1, 1] = 1.0
    shr[:, 1, 0] = shear
    stretch = np.zeros((n, 2, 2))
    stretch[:, 0, 0] = scale * aspect
    stretch[:, 1, 1] = scale / aspect
    inverse = np.linalg.inv(rot @ shr @ stretch)
    offsets = -np.einsum("nij,nj->ni", inverse, shift)
    field = elastic_field(n, images.shape[1:], cfg.elastic, cfg.elastic_sigma, rng) if cfg.elastic > 0 else None
    warped = affine(images.astype(np.float32, copy=False), inverse, offsets, field)
    amount = rng.uniform(cfg.thickness[0], cfg.thickness[1], n)
    amount = np.where(rng.random(n) < cfg.p_thickness, amount, 0.0)
    out = np.clip(change_thickness(warped, amount), 0.0, 1.0)
    # Like canvas_to_mnist's output, every digit's brightest pixel is 1.
    peak = out.reshape(n, -1).max(axis=1)
    out /= np.where(peak > 0, peak, 1.0)[:, None, None]
    return out.astype(images.dtype, copy=False)


@dataclass(frozen=True)
class Augmenter:
    """A per-batch transform for ``Trainer(..., transform=Augmenter())``: (X (n, H, W), y, rng) ->
    (``augment(X, rng, config, labels=y)``, y), so each epoch sees new random variants of every image."""

    config: AugmentConfig = AugmentConfig()

    def __call__(self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return augment(X, rng, self.config, labels=y), y
