"""Turn a drawn or uploaded digit into an MNIST-style 28x28 image.

MNIST's own recipe (LeCun et al.): crop the ink to its bounding box, scale the
longer side to 20 pixels keeping the aspect ratio (with antialiasing), and
paste it into a 28x28 field so that the centre of mass sits at pixel (14, 14).
Output is white ink on black, float32 in [0, 1] with the brightest pixel at 1.
Before that, by default, two steps take away what differs between people's
drawings more than between MNIST's digits: the slant (moment-based deslanting,
``deslant``) and a stroke width far from MNIST's (``set_stroke_width``); both
measured on drawn digits by bench/bench_drawn_digits.py.

Input layouts (uint8 0..255, other integers 0..255, bool, or float 0..1):

- (H, W, 4) RGBA with a transparent background: the ink is the alpha channel
  (what streamlit-drawable-canvas returns with ``background_color=""``);
- (H, W, 4) RGBA with an opaque background, (H, W, 3) RGB, (H, W) grayscale:
  the ink is the colour distance from the background, estimated as the median
  of the image's border, so both polarities (white on black, black on white)
  and coloured ink work.

``drawing_notes`` flags drawings the model is likely to misread (tiny, cut off
at the border, several separate blobs); ``load_image_file`` decodes an uploaded
PNG or JPEG safely. Engine module: NumPy, Pillow and the standard library only.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MNIST_SIDE = 28
BOX_SIDE = 20  # MNIST scales the ink's longer side to 20 px ...
CENTRE = 14.0  # ... and puts its centre of mass at pixel index (14, 14)

NOISE_FLOOR = 0.1  # ink below 10% of full contrast is noise (JPEG ringing, paper grain)
RELATIVE_FLOOR = 0.1  # ... and so is ink below 10% of the strongest ink
MIN_INK_FRACTION = 0.0005  # total ink under 0.05% of the canvas area: nothing drawn
WORK_SIDE = 80  # slant and stroke width are adjusted with the ink's longer side at 80 px (4x the box)
#: MNIST's stroke width (``stroke_width``) over the ink's longer side: 10th and 90th percentiles
#: over the 5,000 training images are 0.089 and 0.160 (median 0.118).
STROKE_RANGE = (0.089, 0.160)
MAX_SLANT = 1.0  # deslanting shears by at most 45 degrees

TINY_FRACTION = 0.15  # bounding box under 15% of the canvas side: "tiny"
BORDER_MARGIN = 2  # ink within 2 px of an edge (on a 280 px canvas) touches the border
BLOB_GRID = 56  # connected components are counted on a mask of at most 56x56 cells
MIN_BLOB_FRACTION = 0.05  # a blob counts when it holds >= 5% of the ink cells

ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG"}  # MPO: phone JPEGs


# ---------------------------------------------------------------------------
# Ink map


def _as_unit_float(image: np.ndarray) -> np.ndarray:
    """Validate ``image`` and return a float32 copy scaled to [0, 1], same shape."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"image must be a NumPy array, got {type(image).__name__}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 2, 3, 4)):
        raise ValueError(f"image must be (H, W), (H, W, 3) RGB or (H, W, 4) RGBA, got shape {image.shape}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"image is empty (shape {image.shape})")
    if image.dtype == np.uint8:
        return image.astype(np.float32) / np.float32(255.0)
    if image.dtype == np.bool_:
        return image.astype(np.float32)
    if np.issubdtype(image.dtype, np.integer):
        lo, hi = int(image.min()), int(image.max())
        if lo < 0 or hi > 255:
            raise ValueError(f"integer images must hold values in 0..255, got {lo}..{hi}")
        return image.astype(np.float32) / np.float32(255.0)
    if np.issubdtype(image.dtype, np.floating):
        if not np.all(np.isfinite(image)):
            raise ValueError("image contains NaN or infinite values")
        lo, hi = float(image.min()), float(image.max())
        if lo < -1e-6 or hi > 1 + 1e-6:
            raise ValueError(f"float images must hold values in [0, 1], got {lo:.3g}..{hi:.3g} (pass uint8 for 0..255)")
        return np.clip(image, 0.0, 1.0).astype(np.float32)
    raise ValueError(f"unsupported image dtype {image.dtype} (uint8 or float expected)")


def _border(a: np.ndarray) -> np.ndarray:
    """The one-pixel frame of ``a`` (H, W, ...) as (2H + 2W - 4 or fewer, ...)."""
    if a.shape[0] <= 2 or a.shape[1] <= 2:
        return a.reshape(-1, *a.shape[2:])
    return np.concatenate([a[0], a[-1], a[1:-1, 0], a[1:-1, -1]], axis=0)


def ink_map(image: np.ndarray) -> np.ndarray:
    """Ink strength of each pixel: (H, W[, C]) image -> (H, W) float32 in [0, 1].

    Absolute units (1 = full contrast with the background); faint noise below
    ``max(NOISE_FLOOR, RELATIVE_FLOOR * strongest ink)`` is set to 0.
    """
    a = _as_unit_float(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim == 3 and a.shape[2] in (2, 4) and np.median(_border(a[:, :, -1])) < 0.5:
        raw = a[:, :, -1]  # transparent background: the ink is the opacity
    else:
        colour = a if a.ndim == 2 else a[:, :, : 3 if a.shape[2] >= 3 else 1]
        background = np.median(_border(colour), axis=0)
        if colour.ndim == 2:
            raw = np.abs(colour - background)
        else:  # Euclidean distance / sqrt(C): grey ink matches the grayscale case
            diff = colour - background
            raw = np.sqrt(np.einsum("hwc,hwc->hw", diff, diff) / diff.shape[2])
        raw = np.minimum(raw, 1.0)
    peak = float(raw.max())
    floor = max(NOISE_FLOOR, RELATIVE_FLOOR * peak)
    return np.where(raw >= floor, raw, 0.0).astype(np.float32)


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """Bounding box (top, bottom, left, right), half-open, of a (H, W) mask, or None."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _is_empty(ink: np.ndarray) -> bool:
    """True when the (H, W) ink map holds (almost) nothing."""
    return float(ink.sum()) < max(MIN_INK_FRACTION * ink.size, 1.0)


# ---------------------------------------------------------------------------
# Canvas -> MNIST


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels of a (h, w) ink map: 2 x area / outline length, the outline
    measured as the total variation sum |grad ink| (a stroke of width w and length L >> w has area
    w L and outline 2 L). 0 for an empty map."""
    a = ink.astype(np.float64, copy=False)
    gy = np.zeros_like(a)
    gx = np.zeros_like(a)
    gy[:-1] = np.diff(a, axis=0)
    gx[:, :-1] = np.diff(a, axis=1)
    outline = float(np.sqrt(gy * gy + gx * gx).sum())
    return 2.0 * float(a.sum()) / outline if outline > 0 else 0.0


def _disk_offsets(radius: int) -> list[tuple[int, int]]:
    r = np.arange(-radius, radius + 1)
    dy, dx = np.meshgrid(r, r, indexing="ij")
    inside = dy * dy + dx * dx <= radius * radius + radius  # a round disk, also for radius 1 (3x3 less corners)
    return list(zip(dy[inside].tolist(), dx[inside].tolist(), strict=True))


def _disk_filter(a: np.ndarray, radius: int, reduce: np.ufunc) -> np.ndarray:
    """Grey dilation (``np.maximum``) or erosion (``np.minimum``) of (h, w) by a disk, zeros outside."""
    if radius <= 0:
        return a.copy()
    h, w = a.shape
    padded = np.pad(a, radius)
    out = a.copy()
    for dy, dx in _disk_offsets(radius):
        reduce(out, padded[radius + dy : radius + dy + h, radius + dx : radius + dx + w], out=out)
    return out


def set_stroke_width(ink: np.ndarray, target: float) -> np.ndarray:
    """(h, w) ink with its strokes thickened (grey dilation by a disk) or thinned (erosion) so that
    ``stroke_width`` becomes about ``target`` pixels: radius |target - width| / 2, a fractional
    radius blending the two whole ones. The map is padded by the radius so nothing is cut off."""
    width = stroke_width(ink)
    if width <= 0:
        return ink
    radius = (target - width) / 2.0
    if abs(radius) < 0.25:
        return ink
    lo = int(np.floor(abs(radius)))
    frac = np.float32(abs(radius) - lo)
    pad = lo + 1 if radius > 0 else 0
    a = np.pad(ink, pad)
    reduce = np.maximum if radius > 0 else np.minimum
    inner = _disk_filter(a, lo, reduce)
    outer = _disk_filter(a, lo + 1, reduce)
    out = inner + frac * (outer - inner)
    if radius < 0 and out.sum() < 0.3 * ink.sum():  # eroded away (dots, very short strokes): keep it
        return ink
    return out


def slant(ink: np.ndarray) -> float:
    """The ink's slant: the least-squares s of x = x0 + s (y - y0), i.e. mu11 / mu02 (central
    second moments; x to the right, y downwards, so a digit leaning right has s < 0)."""
    a = ink.astype(np.float64, copy=False)
    mass = float(a.sum())
    if mass <= 0:
        return 0.0
    ys = np.arange(a.shape[0], dtype=np.float64)
    xs = np.arange(a.shape[1], dtype=np.float64)
    py, px = a.sum(axis=1), a.sum(axis=0)
    cy, cx = float(py @ ys) / mass, float(px @ xs) / mass
    mu02 = float(py @ (ys - cy) ** 2) / mass
    mu11 = float((ys - cy) @ a @ (xs - cx)) / mass
    return mu11 / mu02 if mu02 > 0 else 0.0


def deslant(ink: np.ndarray, limit: float = MAX_SLANT) -> np.ndarray:
    """(h, w) ink sheared upright: x' = x - s (y - y0) with s = ``slant`` (clipped to +-limit),
    the classic moment-based deskewing of MNIST experiments; bilinear, widened to fit."""
    s = float(np.clip(slant(ink), -limit, limit))
    h, w = ink.shape
    if abs(s) * h < 0.5:
        return ink
    pad = int(np.ceil(abs(s) * h))
    cy = (h - 1) / 2.0
    img = Image.fromarray(np.ascontiguousarray(ink, dtype=np.float32))
    # PIL maps each output pixel (x, y) to the input (x + s (y - cy) - pad, y).
    out = img.transform((w + 2 * pad, h), Image.Transform.AFFINE, (1.0, s, -pad - s * cy, 0.0, 1.0, 0.0),
                        resample=Image.Resampling.BILINEAR)
    return np.asarray(out, dtype=np.float32)


def _resize(ink: np.ndarray, scale: float) -> np.ndarray:
    """(h, w) ink resized by ``scale`` (LANCZOS, ringing clipped): (round(h s), round(w s)), >= 1 px."""
    h, w = ink.shape
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    # LANCZOS antialiases when shrinking and stays smooth when enlarging a tiny
    # drawing; its small negative ringing is clipped away.
    patch = np.asarray(
        Image.fromarray(np.ascontiguousarray(ink, dtype=np.float32)).resize((new_w, new_h), Image.Resampling.LANCZOS),
        dtype=np.float32,
    )
    return np.maximum(patch, 0.0)


def _cropped(ink: np.ndarray, level: float = 0.0) -> np.ndarray:
    box = _bbox(ink > level)
    if box is None:
        return ink[:0, :0]
    top, bottom, left, right = box
    return ink[top:bottom, left:right]


def canvas_to_mnist(image: np.ndarray, *, upright: bool = True, strokes: bool = True) -> np.ndarray | None:
    """MNIST-style digit from a drawing: (H, W[, 3|4]) -> (28, 28) float32 in [0, 1].

    Before MNIST's crop, 20 px box and centre of mass: with ``upright`` the ink is deslanted
    (``deslant``), with ``strokes`` a stroke width outside MNIST's usual range (``STROKE_RANGE``
    of the longer side: a thin pen on a large digit, a marker on a small one) is brought to the
    nearer end of it (``set_stroke_width``); both work on the ink scaled to ``WORK_SIDE``. Both
    off is MNIST's recipe alone. Returns None when (almost) nothing is drawn. The input is never
    modified.
    """
    ink = ink_map(image)
    box = _bbox(ink > 0)
    if box is None or _is_empty(ink):
        return None
    top, bottom, left, right = box
    crop = ink[top:bottom, left:right]
    if upright or strokes:
        crop = _resize(crop, WORK_SIDE / max(crop.shape))
        if upright:
            crop = _cropped(deslant(crop), NOISE_FLOOR)
        if strokes:
            side = max(crop.shape)
            width = stroke_width(crop)
            target = float(np.clip(width, STROKE_RANGE[0] * side, STROKE_RANGE[1] * side))
            crop = _cropped(set_stroke_width(crop, target), NOISE_FLOOR)
        if crop.size == 0:
            return None
    h, w = crop.shape
    patch = _resize(crop, BOX_SIDE / max(h, w))
    new_h, new_w = patch.shape
    mass = float(patch.sum())
    if mass <= 0.0:
        return None
    cy = float(patch.sum(axis=1) @ np.arange(new_h, dtype=np.float32)) / mass
    cx = float(patch.sum(axis=0) @ np.arange(new_w, dtype=np.float32)) / mass
    # Integer shift as in MNIST; clamped so no ink falls off the 28x28 field.
    oy = int(np.clip(round(CENTRE - cy), 0, MNIST_SIDE - new_h))
    ox = int(np.clip(round(CENTRE - cx), 0, MNIST_SIDE - new_w))
    out = np.zeros((MNIST_SIDE, MNIST_SIDE), dtype=np.float32)
    out[oy : oy + new_h, ox : ox + new_w] = patch
    out /= out.max()
    return np.clip(out, 0.0, 1.0, out=out)


# ---------------------------------------------------------------------------
# Notes on unusual drawings


#: The four neighbour offsets that, with their opposites, make 8-neighbour connectivity.
_HALF_NEIGHBOURS = ((0, 1), (1, -1), (1, 0), (1, 1))


def _components(mask: np.ndarray) -> np.ndarray:
    """The 8-neighbour connected component of each ink cell of a (h, w) bool mask: (n,) root
    labels in row-major order of the ink cells (equal labels: same component).

    Union-find over the neighbour pairs, vectorized: each round hooks every pair's larger root
    under its smaller one (``np.minimum.at``), then jumps pointers until every cell points at its
    root. A round is O(ink cells + pairs); chains of hooks collapse in the jumps, so a stroke drawn
    as a long serpentine takes a few rounds, not one per cell as label propagation did."""
    h, w = mask.shape
    n = int(mask.sum())
    index = np.full((h + 2, w + 2), -1, dtype=np.int64)  # a frame of -1: shifted views need no bounds
    index[1:-1, 1:-1][mask] = np.arange(n)
    here = index[1:-1, 1:-1]
    pairs = []
    for dy, dx in _HALF_NEIGHBOURS:
        there = index[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx]
        both = (here >= 0) & (there >= 0)
        pairs.append((here[both], there[both]))
    u = np.concatenate([a for a, _ in pairs])
    v = np.concatenate([b for _, b in pairs])
    parent = np.arange(n)
    while True:
        pu, pv = parent[u], parent[v]
        apart = pu != pv
        if not apart.any():
            return parent
        np.minimum.at(parent, np.maximum(pu, pv)[apart], np.minimum(pu, pv)[apart])
        while True:  # pointer jumping: every cell to its root
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def _count_blobs(mask: np.ndarray) -> int:
    """Connected components (8-neighbour) of a (h, w) bool mask holding >= 5% of its cells."""
    n_cells = int(mask.sum())
    if n_cells == 0:
        return 0
    sizes = np.bincount(_components(mask))
    return int(np.count_nonzero(sizes >= max(2, MIN_BLOB_FRACTION * n_cells)))


def _downsample_mask(mask: np.ndarray, cells: int) -> np.ndarray:
    """Any-ink pooling of a (h, w) bool mask onto at most ``cells`` per side."""
    h, w = mask.shape
    k = -(-max(h, w) // cells)  # block side, ceil division
    if k <= 1:
        return mask
    ph, pw = -(-h // k) * k, -(-w // k) * k
    padded = np.zeros((ph, pw), dtype=bool)
    padded[:h, :w] = mask
    return padded.reshape(ph // k, k, pw // k, k).any(axis=(1, 3))


@dataclass(frozen=True)
class DrawingStats:
    """Facts about a drawing's ink, measured on the original canvas (H, W)."""

    height: int
    width: int
    bbox: tuple[int, int, int, int] | None  # (top, bottom, left, right), half-open
    size_fraction: float  # bounding box's longer side / canvas side (max over axes)
    touches_border: bool
    n_blobs: int

    @property
    def empty(self) -> bool:
        """True when nothing was drawn."""
        return self.bbox is None

    def notes(self) -> list[str]:
        """Human notes on what is unusual about the drawing; [] when it looks normal."""
        if self.empty:
            return ["empty: nothing is drawn yet"]
        notes = []
        if self.size_fraction < TINY_FRACTION:
            notes.append(
                f"tiny: the digit spans only {self.size_fraction:.0%} of the canvas; "
                "it is scaled up, so its strokes get thick. Draw it larger."
            )
        if self.touches_border:
            notes.append("touches the border: part of the digit may be cut off. Draw it inside the canvas.")
        if self.n_blobs > 1:
            notes.append(
                f"several separate strokes or blobs ({self.n_blobs}): the model reads "
                "them all as one digit. Draw a single digit."
            )
        return notes


def inspect_drawing(image: np.ndarray) -> DrawingStats:
    """Measure size, border contact and separate blobs of a drawing (same inputs as canvas_to_mnist)."""
    ink = ink_map(image)
    h, w = ink.shape
    mask = ink > 0
    box = _bbox(mask)
    if box is None or _is_empty(ink):
        return DrawingStats(h, w, None, 0.0, False, 0)
    top, bottom, left, right = box
    margin = max(BORDER_MARGIN, round(BORDER_MARGIN * max(h, w) / 280))
    touches = top < margin or left < margin or bottom > h - margin or right > w - margin
    size = max((bottom - top) / h, (right - left) / w)
    blobs = _count_blobs(_downsample_mask(mask[top:bottom, left:right], BLOB_GRID))
    return DrawingStats(h, w, (top, bottom, left, right), size, bool(touches), blobs)


def drawing_notes(image: np.ndarray) -> list[str]:
    """Notes when a drawing is tiny, touches the border or has several blobs; [] when normal."""
    return inspect_drawing(image).notes()


# ---------------------------------------------------------------------------
# Uploaded files


def _megabytes(n: int, limit: int) -> str:
    """``n`` bytes in MB, with enough decimals not to read as equal to ``limit``."""
    text = f"{n / 1e6:.1f}"
    return text if float(text) > limit / 1e6 else f"{n / 1e6:.3f}"


def _to_gray(img: Image.Image) -> np.ndarray:
    """Decoded Pillow image -> (H, W) uint8; transparency composited on a contrasting ground."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit PNG: convert("L") would clip
        a = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or a.max() > 255 else 255.0
        return np.clip(np.rint(a * (255.0 / top)), 0, 255).astype(np.uint8)
    if not img.has_transparency_data:
        return np.asarray(img.convert("L"), dtype=np.uint8)
    la = np.asarray(img.convert("LA"), dtype=np.float32) / 255.0
    gray, alpha = la[:, :, 0], la[:, :, 1]
    if float(alpha.min()) >= 1.0:
        return np.rint(gray * 255.0).astype(np.uint8)
    # Dark ink on a transparent ground goes on white, light ink on black, so it stays visible.
    weight = float(alpha.sum())
    ink_lum = float((gray * alpha).sum()) / weight if weight > 0 else 1.0
    ground = 0.0 if ink_lum >= 0.5 else 1.0
    return np.rint((gray * alpha + ground * (1.0 - alpha)) * 255.0).astype(np.uint8)


#: Modes Pillow's ``Image.reduce`` takes (others are converted first).
_REDUCIBLE = frozenset({"L", "LA", "RGB", "RGBA", "I", "F", "I;16"})


def _reduced(img: Image.Image, max_side: int | None) -> Image.Image:
    """A decoded image over twice ``max_side`` box-shrunk by a whole factor to at least ``max_side``,
    before any conversion: a 6300x6300 RGBA PNG then costs one decode, not 1 GB of float copies."""
    if max_side is None or max(img.size) <= 2 * max_side:
        return img
    factor = max(img.size) // max_side
    if img.mode not in _REDUCIBLE:
        img = img.convert("RGBA" if img.has_transparency_data else "L")
    return img.reduce(factor)


def load_image_file(
    data: bytes,
    max_bytes: int = 5_000_000,
    max_pixels: int = 40_000_000,
    max_side: int | None = 1024,
    max_png_pixels: int = 16_000_000,
) -> np.ndarray:
    """Decode an uploaded PNG or JPEG into an (H, W) uint8 grayscale array.

    The pixel count is checked from the header before decoding (decompression
    bombs): at most ``max_pixels`` for a JPEG (decoded at a reduced scale) and
    ``max_png_pixels`` for a PNG (decoded whole: 4 bytes a pixel); EXIF rotation
    is applied; images larger than ``max_side`` are shrunk to fit (a digit needs
    no more). Polarity is left to canvas_to_mnist.
    """
    if max_bytes <= 0 or max_pixels <= 0 or (max_side is not None and max_side <= 0):
        raise ValueError("max_bytes, max_pixels and max_side must be > 0")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) == 0:
        raise ValueError("file is empty")
    if len(data) > max_bytes:
        raise ValueError(f"file is {_megabytes(len(data), max_bytes)} MB; the limit is {max_bytes / 1e6:g} MB")
    not_image = "not an image file (PNG or JPEG expected)"
    bomb = f"image is too large to decode safely (the limit is {max_pixels / 1e6:g} megapixels)"
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))  # lazy: reads the header only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValueError(bomb) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ValueError(not_image) from exc
        with img:
            kind = ACCEPTED_FORMATS.get(img.format or "")
            if kind is None:
                raise ValueError(f"{img.format or 'this'} images are not supported (PNG or JPEG expected)")
            w, h = img.size
            limit = max_pixels if kind == "JPEG" else min(max_pixels, max_png_pixels)
            if w * h > limit:
                per_kind = f" for PNG ({max_pixels / 1e6:g} for JPEG)" if limit < max_pixels else ""
                raise ValueError(
                    f"image is {w}x{h} pixels ({w * h / 1e6:.0f} megapixels); "
                    f"the limit is {limit / 1e6:g} megapixels{per_kind}"
                )
            try:
                if kind == "JPEG" and max_side is not None and max(w, h) > 2 * max_side:
                    img.draft("L", (max_side, max_side))  # decode at a reduced scale: fast
                img = _reduced(img, max_side)
                gray = _to_gray(ImageOps.exif_transpose(img))
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise ValueError(bomb) from exc
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise ValueError(f"the {kind} file is damaged or truncated ({exc})") from exc
    if max_side is not None and max(gray.shape) > max_side:
        small = Image.fromarray(gray)
        small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        gray = np.asarray(small, dtype=np.uint8)
    return gray
