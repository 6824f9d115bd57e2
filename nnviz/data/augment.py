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
    in between blend; ``p_thickness`` is the fraction of samples whose strokes change.
    """

    rotation: float = 15.0
    scale: tuple[float, float] = (0.8, 1.15)
    aspect: float = 0.1
    shear: float = 0.2
    shift: float = 2.5
    thickness: tuple[float, float] = (-0.6, 1.6)
    p_thickness: float = 0.7

    def __post_init__(self) -> None:
        for name in ("rotation", "aspect", "shear", "shift", "p_thickness"):
            value = float(getattr(self, name))
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"augmentation {name} must be a finite number >= 0, got {value}")
        if self.p_thickness > 1:
            raise ValueError(f"augmentation p_thickness must be in [0, 1], got {self.p_thickness}")
        lo, hi = self.scale
        if not (0 < lo <= hi and math.isfinite(hi)):
            raise ValueError(f"augmentation scale must be 0 < low <= high, got {self.scale}")
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
        return ", ".join(parts)


def affine(images: np.ndarray, matrices: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Warp each image by its own affine map, bilinear, zeros outside.

    Output pixel p (row, col) takes the input at ``matrices[k] @ (p - c) + c + offsets[k]``
    with c the image centre: ``matrices`` (n, 2, 2) and ``offsets`` (n, 2) map output to input
    coordinates (the inverse of the visible transform).
    """
    n, h, w = images.shape
    c = np.array([(h - 1) / 2.0, (w - 1) / 2.0])
    rows, cols = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64), indexing="ij")
    grid = np.stack([rows.ravel() - c[0], cols.ravel() - c[1]])  # (2, h*w)
    src = matrices @ grid + (c + offsets)[:, :, None]  # (n, 2, h*w)
    r, q = src[:, 0], src[:, 1]
    r0, q0 = np.floor(r), np.floor(q)
    fr, fq = (r - r0).astype(images.dtype), (q - q0).astype(images.dtype)
    r0, q0 = r0.astype(np.int64), q0.astype(np.int64)
    flat = images.reshape(n, h * w)
    sample = np.arange(n)[:, None]
    out = np.zeros((n, h * w), dtype=images.dtype)
    for dr, dq, weight in ((0, 0, (1 - fr) * (1 - fq)), (0, 1, (1 - fr) * fq), (1, 0, fr * (1 - fq)), (1, 1, fr * fq)):
        rr, qq = r0 + dr, q0 + dq
        inside = (rr >= 0) & (rr < h) & (qq >= 0) & (qq < w)
        idx = np.where(inside, rr * w + qq, 0)
        out += np.where(inside, flat[sample, idx], 0) * weight
    return out.reshape(n, h, w)


def _neighbourhood(images: np.ndarray, reduce: np.ufunc) -> np.ndarray:
    """Max (dilation) or min (erosion) over each pixel's 3x3 neighbourhood, zeros outside."""
    fill = 0.0
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)), constant_values=fill)
    h, w = images.shape[1:]
    out = images.copy()
    for dr in range(3):
        for dq in range(3):
            reduce(out, padded[:, dr : dr + h, dq : dq + w], out=out)
    return out


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


def augment(images: np.ndarray, rng: np.random.Generator, config: AugmentConfig | None = None) -> np.ndarray:
    """Random affine warp plus stroke-thickness change for a batch (n, H, W) in [0, 1]."""
    cfg = config or AugmentConfig()
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, H, W), got {images.shape}")
    n = len(images)
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
    warped = affine(images.astype(np.float32, copy=False), inverse, offsets)
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
    (``augment(X, rng, config)``, y), so each epoch sees new random variants of every image."""

    config: AugmentConfig = AugmentConfig()

    def __call__(self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return augment(X, rng, self.config), y
