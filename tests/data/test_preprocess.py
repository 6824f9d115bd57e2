"""Tests for nnviz.data.preprocess: canvas -> MNIST 28x28, drawing notes, safe image uploads."""

from __future__ import annotations

import gzip
import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nnviz.data import preprocess
from nnviz.data.preprocess import (
    DrawingStats,
    canvas_to_mnist,
    drawing_notes,
    ink_map,
    inspect_drawing,
    load_image_file,
)

MNIST_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"
SIDE = 280


# ---------------------------------------------------------------------------
# helpers


def stroke_alpha(
    points: list[tuple[float, float]], width: int = 18, size: tuple[int, int] = (SIDE, SIDE)
) -> np.ndarray:
    """(H, W) uint8 ink (255 = full) of a polyline drawn with round joints, antialiased-ish."""
    h, w = size
    big = Image.new("L", (w * 2, h * 2), 0)  # draw at 2x and shrink: soft edges like a canvas
    draw = ImageDraw.Draw(big)
    pts = [(2 * x, 2 * y) for x, y in points]
    draw.line(pts, fill=255, width=2 * width, joint="curve")
    r = width
    for x, y in pts:
        draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    return np.array(big.resize((w, h), Image.Resampling.BOX), dtype=np.uint8)  # writable copy


def seven(dx: float = 0, dy: float = 0, s: float = 1.0, width: int = 18) -> np.ndarray:
    """A '7' of about 120x180 px scaled by ``s`` around the canvas centre, shifted by (dx, dy)."""
    base = [(-60, -90), (60, -90), (-20, 90)]
    pts = [(SIDE / 2 + dx + s * x, SIDE / 2 + dy + s * y) for x, y in base]
    return stroke_alpha(pts, width=max(1, round(width * s)) if s < 1 else width)


def transparent_rgba(alpha: np.ndarray) -> np.ndarray:
    """What the canvas returns with background_color="": white ink, ink in alpha."""
    out = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    out[..., :3] = 255
    out[..., 3] = alpha
    return out


def opaque_rgba(alpha: np.ndarray, ink: int, ground: int) -> np.ndarray:
    """Opaque RGBA: ``ink`` grey level blended over a ``ground`` grey level by ``alpha``."""
    a = alpha.astype(np.float64) / 255.0
    grey = np.rint(ink * a + ground * (1 - a)).astype(np.uint8)
    out = np.empty((*alpha.shape, 4), dtype=np.uint8)
    out[..., :3] = grey[..., None]
    out[..., 3] = 255
    return out


def centre_of_mass(img: np.ndarray) -> tuple[float, float]:
    """(row, col) centre of mass of a (H, W) image, in pixel indices."""
    m = img.sum()
    rows = np.arange(img.shape[0])
    cols = np.arange(img.shape[1])
    return float(img.sum(axis=1) @ rows / m), float(img.sum(axis=0) @ cols / m)


def bbox_side(img: np.ndarray, level: float = 0.05) -> int:
    """Longer side of the bounding box of pixels above ``level``."""
    rows = np.flatnonzero((img > level).any(axis=1))
    cols = np.flatnonzero((img > level).any(axis=0))
    return int(max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1))


def read_idx_images(path: Path, count: int) -> np.ndarray:
    """First ``count`` images of an IDX3 gzip file as (count, rows, cols) uint8."""
    with gzip.open(path, "rb") as fh:
        magic, n, rows, cols = struct.unpack(">IIII", fh.read(16))
        assert magic == 2051, f"{path} is not an IDX3 image file"
        count = min(count, n)
        data = fh.read(count * rows * cols)
    return np.frombuffer(data, dtype=np.uint8).reshape(count, rows, cols)


def png_bytes(img: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG signature + IHDR (8-bit greyscale) + a token IDAT: a 'bomb' as far as headers go."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


# ---------------------------------------------------------------------------
# canvas_to_mnist: output contract


def test_output_shape_dtype_range() -> None:
    out = canvas_to_mnist(transparent_rgba(seven()))
    assert out is not None
    assert out.shape == (28, 28)
    assert out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() == pytest.approx(1.0)


def test_empty_canvas_is_none() -> None:
    assert canvas_to_mnist(np.zeros((SIDE, SIDE, 4), dtype=np.uint8)) is None
    white = np.full((SIDE, SIDE, 4), 255, dtype=np.uint8)
    assert canvas_to_mnist(white) is None
    assert canvas_to_mnist(np.zeros((SIDE, SIDE), dtype=np.float32)) is None


def test_stray_pixels_and_faint_noise_are_none() -> None:
    rng = np.random.default_rng(0)
    alpha = np.zeros((SIDE, SIDE), dtype=np.uint8)
    idx = rng.integers(0, SIDE, size=(2, 6))
    alpha[idx[0], idx[1]] = 255  # six stray full-ink pixels
    assert canvas_to_mnist(transparent_rgba(alpha)) is None
    # A white sheet with faint grain (like a JPEG of blank paper) holds no ink either.
    grain = (250 + rng.integers(-4, 5, size=(SIDE, SIDE))).astype(np.uint8)
    assert canvas_to_mnist(grain) is None


def test_input_not_modified_and_read_only_accepted() -> None:
    for img in (transparent_rgba(seven()), opaque_rgba(seven(), 0, 255), 255 - seven()):
        before = img.copy()
        img.flags.writeable = False
        assert canvas_to_mnist(img) is not None
        assert drawing_notes(img) == []
        np.testing.assert_array_equal(img, before)


def test_all_layouts_and_polarities_agree() -> None:
    alpha = seven(dx=-30, dy=20)
    ref = canvas_to_mnist(transparent_rgba(alpha))
    assert ref is not None
    variants = {
        "opaque black ground, white ink": opaque_rgba(alpha, 255, 0),
        "opaque white ground, black ink": opaque_rgba(alpha, 0, 255),
        "RGB white ground, black ink": opaque_rgba(alpha, 0, 255)[..., :3],
        "grey uint8, white on black": alpha,
        "grey uint8, black on white": 255 - alpha,
        "grey float, white on black": alpha.astype(np.float32) / 255,
        "grey float, black on white": 1 - alpha.astype(np.float64) / 255,
    }
    for name, img in variants.items():
        out = canvas_to_mnist(img)
        assert out is not None, name
        np.testing.assert_allclose(out, ref, atol=1e-2, err_msg=name)


def test_coloured_ink_on_coloured_ground() -> None:
    alpha = seven().astype(np.float64)[..., None] / 255
    ground, ink = np.array([250, 240, 200]), np.array([20, 40, 160])  # blue pen on cream
    img = np.rint(ink * alpha + ground * (1 - alpha)).astype(np.uint8)
    out = canvas_to_mnist(img)
    ref = canvas_to_mnist(transparent_rgba(seven()))
    assert out is not None and ref is not None
    assert np.corrcoef(out.ravel(), ref.ravel())[0, 1] > 0.98


@pytest.mark.parametrize(
    "name, alpha",
    [
        ("centred", seven()),
        ("off-centre top-left", seven(dx=-70, dy=-40, s=0.6)),
        ("off-centre bottom-right", seven(dx=80, dy=70, s=0.5)),
        ("huge", seven(s=1.5)),
        ("tiny", seven(dx=50, dy=-60, s=0.12)),
        ("wide", stroke_alpha([(30, 140), (250, 150)], width=14)),
        ("tall", stroke_alpha([(140, 20), (145, 260)], width=14)),
    ],
)
def test_digits_end_up_centred_and_scaled(name: str, alpha: np.ndarray) -> None:
    out = canvas_to_mnist(transparent_rgba(alpha))
    assert out is not None, name
    cy, cx = centre_of_mass(out)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1, (name, cy, cx)
    assert 19 <= bbox_side(out) <= 20, (name, bbox_side(out))


def test_position_does_not_matter() -> None:
    outs = [canvas_to_mnist(transparent_rgba(seven(dx=dx, dy=dy))) for dx, dy in ((-50, -30), (0, 0), (55, 40))]
    for out in outs[1:]:
        assert out is not None
        np.testing.assert_allclose(out, outs[0], atol=0.02)


def test_bad_input_raises_value_error() -> None:
    cases = [
        ([[0, 1], [1, 0]], "NumPy array"),
        (np.zeros((10, 10, 5), dtype=np.uint8), "shape"),
        (np.zeros((10,), dtype=np.uint8), "shape"),
        (np.zeros((0, 10), dtype=np.uint8), "empty"),
        (np.full((10, 10), 2.0), r"\[0, 1\]"),
        (np.full((10, 10), np.nan), "NaN"),
        (np.full((10, 10), 300, dtype=np.int32), "0..255"),
        (np.zeros((10, 10), dtype=np.complex64), "dtype"),
    ]
    for image, message in cases:
        with pytest.raises(ValueError, match=message):
            canvas_to_mnist(image)  # type: ignore[arg-type]


def test_ink_map_units() -> None:
    alpha = seven()
    ink = ink_map(transparent_rgba(alpha))
    assert ink.shape == alpha.shape and ink.dtype == np.float32
    assert ink.max() == pytest.approx(1.0)
    np.testing.assert_allclose(ink_map(255 - alpha), ink, atol=1e-6)


# ---------------------------------------------------------------------------
# Realism: real MNIST digits, drawn big and off-centre on the canvas


def mass_centred(img: np.ndarray) -> np.ndarray:
    cy, cx = centre_of_mass(img)
    return np.roll(img, (round(14 - cy), round(14 - cx)), axis=(0, 1))


SHIFTS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]


def corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


@pytest.mark.parametrize("strokes", [False, True])
def test_real_mnist_digits_survive_the_round_trip(strokes: bool) -> None:
    """MNIST's recipe (no deslanting, which changes the digit on purpose) puts a real digit back where
    MNIST had it; the stroke step leaves MNIST's own strokes (mostly within its range) nearly alone."""
    path = MNIST_DIR / "t10k-images-idx3-ubyte.gz"
    if not path.exists():
        pytest.skip(f"MNIST test digits not found at {path} (shared data folder absent)")
    digits = read_idx_images(path, 200)
    rng = np.random.default_rng(0)
    centred: list[float] = []
    aligned: list[float] = []
    for digit in digits:
        rows = np.flatnonzero(digit.any(axis=1))
        cols = np.flatnonzero(digit.any(axis=0))
        crop = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        k = int(rng.integers(8, 11))
        big = np.asarray(Image.fromarray(crop).resize((crop.shape[1] * k, crop.shape[0] * k), Image.Resampling.BICUBIC))
        canvas = np.zeros((SIDE, SIDE), dtype=np.uint8)
        top = int(rng.integers(0, SIDE - big.shape[0] + 1))
        left = int(rng.integers(0, SIDE - big.shape[1] + 1))
        canvas[top : top + big.shape[0], left : left + big.shape[1]] = big
        out = canvas_to_mnist(transparent_rgba(canvas), upright=False, strokes=strokes)
        assert out is not None
        target = digit / 255.0
        centred.append(corr(mass_centred(out), mass_centred(target)))
        # Integer centring can round a centre of mass of x.5 either way: allow 1 px.
        aligned.append(max(corr(np.roll(out, s, axis=(0, 1)), target) for s in SHIFTS))
    assert np.mean(centred) > 0.95, np.mean(centred)  # measured 0.977 (0.970 with the stroke step)
    assert np.mean(aligned) > 0.97, np.mean(aligned)  # measured 0.987 (0.983)
    assert np.min(aligned) > 0.8, np.min(aligned)  # measured 0.88 (0.87)


# ---------------------------------------------------------------------------
# drawing_notes


def test_notes_empty_for_a_normal_drawing() -> None:
    assert drawing_notes(transparent_rgba(seven())) == []
    assert drawing_notes(opaque_rgba(seven(), 0, 255)) == []


def test_notes_flag_tiny() -> None:
    notes = drawing_notes(transparent_rgba(seven(s=0.12)))
    assert len(notes) == 1 and notes[0].startswith("tiny"), notes


def test_notes_flag_border() -> None:
    notes = drawing_notes(transparent_rgba(seven(dx=-95)))
    assert len(notes) == 1 and notes[0].startswith("touches the border"), notes
    # A 1-pixel ink line on the very edge counts too.
    alpha = seven()
    alpha[100:160, 279] = 255
    assert any(n.startswith("touches the border") for n in drawing_notes(alpha))


def test_notes_flag_several_blobs() -> None:
    alpha = np.maximum(seven(dx=-50, s=0.6), seven(dx=60, s=0.6))
    notes = drawing_notes(transparent_rgba(alpha))
    assert len(notes) == 1 and notes[0].startswith("several separate"), notes
    assert inspect_drawing(transparent_rgba(alpha)).n_blobs == 2
    # A spiral is one long connected stroke, and a speck beside a digit is no blob.
    t = np.linspace(0, 6 * np.pi, 400)
    spiral = stroke_alpha(list(zip(140 + 3.5 * t * np.cos(t), 140 + 3.5 * t * np.sin(t), strict=True)), width=6)
    assert inspect_drawing(spiral).n_blobs == 1
    speck = seven()
    speck[200:203, 240:243] = 255
    assert inspect_drawing(speck).n_blobs == 1


def _reference_components(mask: np.ndarray) -> list[int]:
    """Component sizes by a plain flood fill (8-neighbour), for checking ``_components``."""
    h, w = mask.shape
    seen = np.zeros_like(mask)
    sizes = []
    for y0, x0 in zip(*np.nonzero(mask), strict=True):
        if seen[y0, x0]:
            continue
        stack, size = [(y0, x0)], 0
        seen[y0, x0] = True
        while stack:
            y, x = stack.pop()
            size += 1
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < h and 0 <= xx < w and mask[yy, xx] and not seen[yy, xx]:
                        seen[yy, xx] = True
                        stack.append((yy, xx))
        sizes.append(size)
    return sorted(sizes)


def test_components_match_a_flood_fill() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        mask = rng.random((int(rng.integers(1, 30)), int(rng.integers(1, 30)))) < rng.random()
        if not mask.any():
            continue
        roots = preprocess._components(mask)
        assert sorted(np.bincount(roots)[np.bincount(roots) > 0].tolist()) == _reference_components(mask)


def test_a_serpentine_stroke_is_one_blob_and_diagonals_connect() -> None:
    n = 56
    serpentine = np.zeros((n, n), bool)
    for r in range(0, n, 2):
        serpentine[r] = True
        if r + 1 < n:
            serpentine[r + 1, n - 1 if (r // 2) % 2 == 0 else 0] = True
    assert preprocess._count_blobs(serpentine) == 1
    assert preprocess._count_blobs(np.eye(8, dtype=bool)) == 1
    assert preprocess._count_blobs(np.kron(np.eye(2, dtype=bool), np.ones((4, 4), bool))) == 1  # corners touch
    two = np.zeros((10, 10), bool)
    two[1:4, 1:4] = two[6:9, 6:9] = True
    assert preprocess._count_blobs(two) == 2


def test_notes_several_problems_and_empty() -> None:
    corner = seven(dx=-133, dy=-60, s=0.12)  # tiny, and its bar starts at the left edge
    assert [n.split(":")[0] for n in drawing_notes(corner)] == ["tiny", "touches the border"]
    apart = np.maximum(seven(dx=-110, dy=-110, s=0.1), seven(dx=110, dy=110, s=0.1))
    stats = inspect_drawing(apart)  # two tiny blobs far apart: big box, two blobs
    assert stats.n_blobs == 2 and not stats.touches_border and stats.size_fraction > 0.8
    empty = np.zeros((SIDE, SIDE, 4), dtype=np.uint8)
    stats = inspect_drawing(empty)
    assert isinstance(stats, DrawingStats) and stats.empty and stats.n_blobs == 0
    assert drawing_notes(empty) == ["empty: nothing is drawn yet"]


# ---------------------------------------------------------------------------
# load_image_file


def digit_image() -> Image.Image:
    return Image.fromarray(255 - seven())  # black ink on white paper


def test_png_round_trip() -> None:
    img = digit_image()
    out = load_image_file(png_bytes(img))
    assert out.dtype == np.uint8 and out.shape == (SIDE, SIDE)
    np.testing.assert_array_equal(out, np.asarray(img))
    rgb = Image.merge("RGB", [img] * 3)
    np.testing.assert_array_equal(load_image_file(png_bytes(rgb)), np.asarray(img))


def test_jpeg_round_trip_feeds_canvas_to_mnist() -> None:
    img = digit_image().convert("RGB")
    out = load_image_file(png_bytes(img, "JPEG", quality=85))
    assert out.dtype == np.uint8 and out.shape == (SIDE, SIDE)
    assert np.abs(out.astype(int) - np.asarray(img.convert("L"), dtype=int)).mean() < 3
    ref = canvas_to_mnist(transparent_rgba(seven()))
    got = canvas_to_mnist(out)
    assert ref is not None and got is not None
    assert np.corrcoef(ref.ravel(), got.ravel())[0, 1] > 0.97


@pytest.mark.parametrize("ink", [0, 255])
def test_transparent_png_stays_visible(ink: int) -> None:
    rgba = np.zeros((SIDE, SIDE, 4), dtype=np.uint8)
    rgba[..., :3] = ink
    rgba[..., 3] = seven()
    out = load_image_file(png_bytes(Image.fromarray(rgba)))
    assert out.ndim == 2 and out.dtype == np.uint8
    ref = canvas_to_mnist(transparent_rgba(seven()))
    got = canvas_to_mnist(out)
    assert ref is not None and got is not None
    np.testing.assert_allclose(got, ref, atol=2e-2)


def test_large_upload_is_shrunk() -> None:
    img = Image.fromarray(255 - seven()).resize((2000, 2000))
    out = load_image_file(png_bytes(img), max_side=1024)
    assert out.shape == (1024, 1024)


@pytest.mark.parametrize("mode", ["RGBA", "P", "L"])
def test_a_large_image_is_shrunk_before_it_is_converted(mode: str) -> None:
    """Over twice max_side, the decoded image is box-reduced first (a 6300x6300 RGBA PNG took 1 GB
    and 19 s through the float conversions): the result matches shrinking the whole image."""
    small = Image.fromarray(255 - seven()).resize((1200, 1200))
    img = small.convert(mode) if mode != "RGBA" else Image.merge("RGBA", [small, small, small, small.point(lambda v: 255)])
    out = load_image_file(png_bytes(img), max_side=400)
    assert out.shape == (400, 400)
    whole = np.asarray(small.resize((400, 400), Image.Resampling.LANCZOS), dtype=float)
    assert np.abs(out.astype(float) - whole).mean() < 6


def test_oversize_bytes_rejected() -> None:
    data = b"\0" * 7_200_000
    with pytest.raises(ValueError, match=r"^file is 7\.2 MB; the limit is 5 MB$"):
        load_image_file(data)
    with pytest.raises(ValueError, match=r"file is 5\.0\d\d MB; the limit is 5 MB"):
        load_image_file(b"\0" * 5_000_400)


@pytest.mark.parametrize("data", [b"hello, this is not an image", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_garbage_rejected(data: bytes) -> None:
    with pytest.raises(ValueError, match=r"^not an image file \(PNG or JPEG expected\)$"):
        load_image_file(data)
    with pytest.raises(ValueError, match="empty"):
        load_image_file(b"")


def test_other_formats_rejected() -> None:
    for fmt in ("GIF", "BMP"):
        with pytest.raises(ValueError, match=rf"^{fmt} images are not supported \(PNG or JPEG expected\)$"):
            load_image_file(png_bytes(digit_image(), fmt))


def test_truncated_png_rejected() -> None:
    data = png_bytes(Image.fromarray(np.random.default_rng(0).integers(0, 256, (200, 200), dtype=np.uint8)))
    with pytest.raises(ValueError, match="damaged or truncated"):
        load_image_file(data[: len(data) // 2])


def test_decompression_bombs_rejected_from_the_header() -> None:
    # Over our limit, under Pillow's: our own check on the header, before decoding.
    with pytest.raises(ValueError, match=r"image is 8000x6000 pixels \(48 megapixels\); the limit is 16 megapixels "
                                         r"for PNG \(40 for JPEG\)"):
        load_image_file(png_header(8000, 6000))
    # Far over Pillow's own limit: its DecompressionBombError becomes a ValueError.
    with pytest.raises(ValueError, match="too large to decode safely"):
        load_image_file(png_header(100_000, 100_000))
    # Between Pillow's warning and error limits, with a generous max_pixels: still refused.
    with pytest.raises(ValueError, match="too large to decode safely"):
        load_image_file(png_header(10_000, 10_000), max_pixels=10**9)
    with pytest.raises(ValueError, match="1 megapixels"):
        load_image_file(png_header(1200, 1000), max_pixels=1_000_000)


# ---------------------------------------------------------------------------
# layering


def test_engine_module_does_not_import_streamlit() -> None:
    code = "import sys, nnviz.data.preprocess; assert 'streamlit' not in sys.modules and 'plotly' not in sys.modules"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


# ---------------------------------------------------------------------------
# Slant and stroke width (canvas_to_mnist's upright and strokes steps)


def stick(slant: float = 0.0, width: int = 18, height: float = 200.0) -> np.ndarray:
    """A vertical stroke ``height`` px tall through the canvas centre, its top moved right by
    ``slant`` x height (x = x0 - slant (y - y0) with y downwards)."""
    h2 = height / 2
    return stroke_alpha([(SIDE / 2 + slant * h2, SIDE / 2 - h2), (SIDE / 2 - slant * h2, SIDE / 2 + h2)], width=width)


def test_stroke_width_measures_the_pen():
    for pen in (6, 12, 18, 30, 40):
        assert preprocess.stroke_width(seven(width=pen).astype(np.float32) / 255) == pytest.approx(pen, rel=0.12), pen
    ring = stroke_alpha([(140 + 80 * np.cos(t), 140 + 80 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 90)], width=10)
    assert preprocess.stroke_width(ring.astype(np.float32) / 255) == pytest.approx(10, rel=0.12)  # both edges count
    assert preprocess.stroke_width(np.zeros((5, 5), np.float32)) == 0.0


@pytest.mark.parametrize("pen, target", [(6, 14.0), (10, 24.0), (40, 20.0), (30, 9.0)])
def test_set_stroke_width_thickens_and_thins_to_the_target(pen, target):
    ink = seven(width=pen).astype(np.float32) / 255
    out = preprocess.set_stroke_width(ink, target)
    # 2 x area / outline reads short thick strokes a little thin (their ends count as outline):
    # thinning a 30 px pen to 9 px gives 11.
    assert preprocess.stroke_width(out) == pytest.approx(target, rel=0.25)
    assert out.shape[0] >= ink.shape[0] and out.max() <= 1.0 + 1e-6
    # Thickening pads the map: nothing reaches its edge that did not before.
    assert not (out[0].any() or out[-1].any() or out[:, 0].any() or out[:, -1].any())


def test_set_stroke_width_keeps_what_erosion_would_wipe_out():
    line = np.zeros((20, 20), np.float32)
    line[9:11, 3:17] = 1.0  # 2 px wide: a 3x3 erosion leaves nothing
    np.testing.assert_array_equal(preprocess.set_stroke_width(line, 0.1), line)
    np.testing.assert_array_equal(preprocess.set_stroke_width(line, preprocess.stroke_width(line) + 0.3), line)


@pytest.mark.parametrize("s", [-0.6, -0.3, 0.0, 0.25, 0.5])
def test_slant_is_the_shear_and_deslant_undoes_it(s):
    ink = stick(slant=s).astype(np.float32) / 255
    assert preprocess.slant(ink) == pytest.approx(-s, abs=0.03)
    upright = preprocess.deslant(ink)
    assert abs(preprocess.slant(upright)) < 0.03
    assert upright.sum() == pytest.approx(ink.sum(), rel=0.02)  # shearing keeps the ink
    assert preprocess.slant(preprocess.deslant(stick(slant=2.0).astype(np.float32) / 255)) == pytest.approx(
        -2.0 + preprocess.MAX_SLANT, abs=0.05)  # at most MAX_SLANT is taken away


def test_upright_reads_a_slanted_digit_like_an_upright_one():
    def seven_slanted(s: float) -> np.ndarray:
        pts = [(-60, -90), (60, -90), (-20, 90)]
        return transparent_rgba(stroke_alpha([(SIDE / 2 + x - s * y, SIDE / 2 + y) for x, y in pts], width=24))

    ref = canvas_to_mnist(seven_slanted(0.0), upright=True)
    assert abs(preprocess.slant(ref)) < 0.03
    for s in (-0.4, 0.5):
        plain = canvas_to_mnist(seven_slanted(s), upright=False)
        fixed = canvas_to_mnist(seven_slanted(s), upright=True)
        assert abs(preprocess.slant(plain) - preprocess.slant(ref)) > 0.3
        assert abs(preprocess.slant(fixed)) < 0.03
        # Measured 0.99 and 0.78 (a pixel apart here and there) against 0.61 and 0.30 without.
        assert corr(fixed, ref) > 0.75 and corr(fixed, ref) > corr(plain, ref) + 0.3, (s, corr(fixed, ref))


def pen_seven(pen: int, height: float = 180.0) -> np.ndarray:
    """The '7' of ``seven`` scaled to ``height`` px tall (pen not included), drawn with ``pen``."""
    k = height / 180
    return transparent_rgba(stroke_alpha([(SIDE / 2 + k * x, SIDE / 2 + k * y) for x, y in
                                          ((-60, -90), (60, -90), (-20, 90))], width=pen))


def test_strokes_brings_thin_and_thick_pens_into_mnists_range():
    lo, hi = preprocess.STROKE_RANGE
    for pen, height, expect in ((4, 200, lo), (40, 100, hi)):
        rel = {}
        for strokes in (False, True):
            out = canvas_to_mnist(pen_seven(pen, height), upright=False, strokes=strokes)
            rel[strokes] = preprocess.stroke_width(out) / bbox_side(out, 0.1)
        assert rel[True] == pytest.approx(expect, rel=0.2), (pen, rel)
        assert abs(rel[False] - expect) > 0.35 * expect, (pen, rel)  # far outside without it
    # A pen inside the range is left as it is (up to the extra resampling).
    mid = [canvas_to_mnist(pen_seven(22), upright=False, strokes=s) for s in (False, True)]
    assert preprocess.stroke_width(mid[1]) == pytest.approx(preprocess.stroke_width(mid[0]), rel=0.1)
    assert corr(mid[0], mid[1]) > 0.97


def test_the_steps_off_are_mnists_recipe_and_on_by_default():
    img = transparent_rgba(seven(dx=-30, dy=20, width=8))
    plain = canvas_to_mnist(img, upright=False, strokes=False)
    assert not np.array_equal(canvas_to_mnist(img), plain)
    np.testing.assert_array_equal(canvas_to_mnist(img), canvas_to_mnist(img, upright=True, strokes=True))
