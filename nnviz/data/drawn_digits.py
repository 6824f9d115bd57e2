"""Synthetic hand-drawn digits by writing style, rendered like the Digits page's canvas.

Each style (``STYLES``: the 1 with a flag, the 7 with a crossbar, the open 4, ...) is a function
from a random generator to strokes: polylines (k, 2) in a glyph frame where the digit is about
1 tall, x to the right and y downwards, with the style's proportions varied a little. ``draw``
then applies what differs between people and drawings (``Variation``: slant, rotation, width,
size, position, pen width, a slow hand wobble) and renders the strokes with round caps and joins,
antialiased, at canvas size: an (H, W, 4) uint8 RGBA image, white ink on opaque black, as the
page's canvas returns it. Run it through ``canvas_to_mnist`` like a drawing.

Deterministic: the same style, seed and variation give the same pixels. Used to measure how a
model reads real-world styles (bench/bench_drawn_digits.py) on drawings nothing was trained on.
Engine module: NumPy, Pillow and the standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

CANVAS_SIDE = 280  # the Digits page's canvas
SUPERSAMPLE = 2  # strokes are drawn at 2x and box-shrunk: soft edges like the browser's canvas

Strokes = list[np.ndarray]  # each (k, 2) float64 points (x, y), glyph frame (height ~1, y down)


# ---------------------------------------------------------------------------
# Stroke primitives (glyph frame)


def _line(*points: tuple[float, float], n: int = 12) -> np.ndarray:
    """A polyline through ``points``, each segment resampled to ``n`` points: (k, 2)."""
    p = np.asarray(points, dtype=np.float64)
    t = np.linspace(0.0, 1.0, n, endpoint=False)[:, None]
    parts = [a + t * (b - a) for a, b in zip(p[:-1], p[1:], strict=True)]
    return np.concatenate([*parts, p[-1:]])


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, sweep: float, n: int = 40) -> np.ndarray:
    """Elliptic arc from angle ``start`` over ``sweep`` degrees (positive: anticlockwise as seen,
    0 deg pointing right): (n, 2) points (cx + rx cos a, cy - ry sin a)."""
    a = np.deg2rad(start + np.linspace(0.0, sweep, n))
    return np.stack([cx + rx * np.cos(a), cy - ry * np.sin(a)], axis=1)


def _bezier(*controls: tuple[float, float], n: int = 30) -> np.ndarray:
    """Bezier curve of any degree through its control points (de Casteljau): (n, 2)."""
    p = np.asarray(controls, dtype=np.float64)
    t = np.linspace(0.0, 1.0, n)[:, None, None]
    pts = np.broadcast_to(p, (n, *p.shape)).copy()
    while pts.shape[1] > 1:
        pts = (1 - t) * pts[:, :-1] + t * pts[:, 1:]
    return pts[:, 0]


def _join(*parts: np.ndarray) -> np.ndarray:
    """One stroke from pieces drawn one after the other (each piece starts where the last ended)."""
    return np.concatenate(parts)


# ---------------------------------------------------------------------------
# Styles: rng -> strokes, proportions varied by about +-10%


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _zero_oval(rng: np.random.Generator, gap: float = 0.0) -> np.ndarray:
    rx, start = _u(rng, 0.24, 0.32), _u(rng, 80, 110)
    overlap = _u(rng, -5, 25) if gap == 0 else -gap
    return _arc(0.3, 0.5, rx, 0.5, start, 360 + overlap, n=60)


def zero_oval(rng: np.random.Generator) -> Strokes:
    return [_zero_oval(rng)]


def zero_open(rng: np.random.Generator) -> Strokes:
    """A 0 whose ends do not meet at the top."""
    return [_zero_oval(rng, gap=_u(rng, 25, 50))]


def zero_slashed(rng: np.random.Generator) -> Strokes:
    """The 0 with a slash, as programmers and some schools write it."""
    over = _u(rng, 0.0, 0.1)
    return [_zero_oval(rng), _line((0.58 + over, 0.08 - over), (0.02 - over, 0.92 + over))]


def one_stick(rng: np.random.Generator) -> Strokes:
    bend = _u(rng, -0.04, 0.04)
    return [_bezier((0.32, 0.0), (0.3 + bend, 0.5), (0.3, 1.0))]


def _flag(rng: np.random.Generator) -> np.ndarray:
    """The European 1's up-stroke: from low on the left up to the top of the stem."""
    length, angle = _u(rng, 0.25, 0.45), math.radians(_u(rng, 25, 55))
    return (0.32 - length * math.cos(angle), length * math.sin(angle))


def one_flag(rng: np.random.Generator) -> Strokes:
    """The 1 with a flag (an up-stroke to the top of the stem), as taught across Europe."""
    return [_line(_flag(rng), (0.32, 0.0), (0.3, 1.0))]


def one_flag_base(rng: np.random.Generator) -> Strokes:
    """The 1 with a flag and a foot (serif base)."""
    half = _u(rng, 0.14, 0.24)
    return [_line(_flag(rng), (0.32, 0.0), (0.3, 1.0)), _line((0.3 - half, 1.0), (0.3 + half, 1.0))]


def _two_top(rng: np.random.Generator) -> np.ndarray:
    r = _u(rng, 0.24, 0.3)
    return _arc(0.3, r, r, r, _u(rng, 150, 175), -_u(rng, 180, 210))


def two_plain(rng: np.random.Generator) -> Strokes:
    top = _two_top(rng)
    foot = (_u(rng, 0.0, 0.06), 1.0)
    diagonal = _bezier(tuple(top[-1]), (0.45, 0.6), foot)
    return [_join(top, diagonal, _line(foot, (_u(rng, 0.58, 0.68), _u(rng, 0.96, 1.0))))]


def two_loop(rng: np.random.Generator) -> Strokes:
    """The 2 with a loop at the bottom left: the diagonal curls up and back before the base."""
    top = _two_top(rng)
    r = _u(rng, 0.07, 0.12)
    cx = 0.04 + r
    diagonal = _bezier(tuple(top[-1]), (0.45, 0.6), (cx + 0.3 * r, 1.0))
    loop = _arc(cx, 1.0 - r, r, r, 285, -_u(rng, 340, 370), n=28)  # clockwise as seen
    return [_join(top, diagonal, loop, _line(tuple(loop[-1]), (_u(rng, 0.58, 0.68), 1.0)))]


def _two_z(rng: np.random.Generator) -> tuple[np.ndarray, tuple[float, float]]:
    corner = (_u(rng, 0.55, 0.62), _u(rng, 0.02, 0.1))
    foot = (_u(rng, 0.0, 0.06), 1.0)
    stroke = _join(_bezier((0.04, 0.14), (0.25, -0.05), corner), _line(corner, foot),
                   _line(foot, (_u(rng, 0.6, 0.68), 1.0)))
    return stroke, ((corner[0] + foot[0]) / 2, (corner[1] + foot[1]) / 2)


def two_z(rng: np.random.Generator) -> Strokes:
    """The angular, Z-like 2 (a short curve, a straight diagonal, a flat base)."""
    return [_two_z(rng)[0]]


def two_z_crossed(rng: np.random.Generator) -> Strokes:
    """The Z-like 2 with a bar across its diagonal."""
    stroke, (mx, my) = _two_z(rng)
    half = _u(rng, 0.15, 0.22)
    return [stroke, _line((mx - half, my), (mx + half, my))]


def three_round(rng: np.random.Generator) -> Strokes:
    r1, r2 = _u(rng, 0.2, 0.25), _u(rng, 0.25, 0.3)
    upper = _arc(0.3, r1, r1 * 1.1, r1, _u(rng, 150, 170), -(_u(rng, 230, 250)))
    lower = _arc(0.3, 1 - r2, r2 * 1.05, r2, 90, -_u(rng, 230, 260))
    return [_join(upper, lower)]


def three_flat(rng: np.random.Generator) -> Strokes:
    """The 3 with a flat top and a diagonal (like a Cyrillic Ze)."""
    r = _u(rng, 0.27, 0.32)
    bowl = _arc(0.28, 1 - r, r * 1.1, r, 100, -_u(rng, 240, 260))
    return [_join(_line((0.04, 0.0), (0.58, 0.0), (float(bowl[0, 0]), float(bowl[0, 1]))), bowl)]


def four_open(rng: np.random.Generator) -> Strokes:
    """The open 4: a tick down and across, then the stem on its own."""
    bar, stem = _u(rng, 0.58, 0.68), _u(rng, 0.4, 0.48)
    return [_line((_u(rng, 0.05, 0.18), 0.0), (0.02, bar), (0.64, bar)), _line((stem, _u(rng, 0.05, 0.2)), (stem, 1.0))]


def four_closed(rng: np.random.Generator) -> Strokes:
    """The closed 4, as printed: a stem and a diagonal meeting at the top."""
    bar, stem = _u(rng, 0.62, 0.72), _u(rng, 0.42, 0.5)
    return [_line((stem, 1.0), (stem, 0.0), (0.0, bar), (0.64, bar))]


def _five_bowl(rng: np.random.Generator) -> np.ndarray:
    r = _u(rng, 0.26, 0.31)
    return _arc(0.3, 1 - r, r * 1.05, r, _u(rng, 130, 150), -_u(rng, 220, 240))


def five_plain(rng: np.random.Generator) -> Strokes:
    """The 5 drawn as a stem and bowl, then the top bar separately."""
    bowl = _five_bowl(rng)
    top = (0.1, 0.0)
    return [_join(_line(top, (float(bowl[0, 0]), float(bowl[0, 1]))), bowl), _line(top, (_u(rng, 0.55, 0.65), 0.0))]


def five_one_stroke(rng: np.random.Generator) -> Strokes:
    """The 5 in one stroke: the bar from the right, down the stem, round the bowl."""
    bowl = _five_bowl(rng)
    return [_join(_line((_u(rng, 0.55, 0.65), 0.0), (0.1, 0.0), (float(bowl[0, 0]), float(bowl[0, 1]))), bowl)]


def six_plain(rng: np.random.Generator) -> Strokes:
    r = _u(rng, 0.25, 0.3)
    stem = _bezier((_u(rng, 0.45, 0.55), 0.0), (0.08, 0.2), (0.03, 1 - r))
    loop = _arc(0.03 + r, 1 - r, r, r, 180, 360 + _u(rng, -10, 20))
    return [_join(stem, loop)]


def _seven(rng: np.random.Generator) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]]:
    corner, foot = (_u(rng, 0.58, 0.66), 0.0), (_u(rng, 0.15, 0.28), 1.0)
    return _line((0.0, _u(rng, 0.0, 0.04)), corner, foot), corner, foot


def seven_plain(rng: np.random.Generator) -> Strokes:
    return [_seven(rng)[0]]


def seven_crossbar(rng: np.random.Generator) -> Strokes:
    """The 7 with a bar across its stem, as taught across Europe."""
    stroke, corner, foot = _seven(rng)
    t = _u(rng, 0.45, 0.55)
    mx, my = corner[0] + t * (foot[0] - corner[0]), t
    half = _u(rng, 0.16, 0.24)
    return [stroke, _line((mx - half, my), (mx + half, my))]


def seven_hooked(rng: np.random.Generator) -> Strokes:
    """The 7 with a short down-tick at the left end of its bar."""
    stroke, _, _ = _seven(rng)
    return [_join(_line((0.0, _u(rng, 0.12, 0.2)), tuple(stroke[0])), stroke)]


def eight_figure(rng: np.random.Generator) -> Strokes:
    """The 8 in one stroke, crossing itself in the middle (a figure of eight)."""
    waist, w_top, w_bottom = _u(rng, 0.42, 0.48), _u(rng, 0.2, 0.25), _u(rng, 0.25, 0.3)
    t = np.linspace(0.0, 2 * np.pi, 120) + _u(rng, -0.2, 0.2)
    s = np.sin(2 * t)
    top = np.cos(t) > 0  # the top loop is t in (-pi/2, pi/2)
    y = np.where(top, waist * (1 - np.cos(t)), waist + (1 - waist) * (-np.cos(t)))
    x = 0.3 + np.where(top, w_top, w_bottom) * s
    return [np.stack([x, y], axis=1)]


def eight_two_circles(rng: np.random.Generator) -> Strokes:
    """The 8 as two stacked loops drawn one after the other (a snowman)."""
    r1 = _u(rng, 0.2, 0.23)
    r2 = (1 - 2 * r1) / 2
    return [_arc(0.3, r1, r1, r1, 270, 360 + _u(rng, 0, 20)), _arc(0.3, 1 - r2, r2 * 1.05, r2, 90, 360 + _u(rng, 0, 20))]


def _nine_loop(rng: np.random.Generator) -> tuple[np.ndarray, float]:
    r = _u(rng, 0.22, 0.27)
    x_right = 0.3 + r
    return _arc(0.3, r, r, r, _u(rng, -10, 10), 360 + _u(rng, 0, 15)), x_right


def nine_curved(rng: np.random.Generator) -> Strokes:
    loop, x_right = _nine_loop(rng)
    end = tuple(loop[-1])
    return [_join(loop, _bezier(end, (x_right, 0.75), (_u(rng, 0.1, 0.25), 1.0)))]


def nine_straight(rng: np.random.Generator) -> Strokes:
    """The 9 with a straight stem, as taught across Europe."""
    loop, x_right = _nine_loop(rng)
    return [_join(loop, _line(tuple(loop[-1]), (x_right, 1.0)))]


@dataclass(frozen=True)
class Style:
    """One way of writing a digit: its label, a short name, and its strokes."""

    name: str
    digit: int
    strokes: Callable[[np.random.Generator], Strokes]
    note: str = ""


#: Every style, by name ("1 flag"); the digit is the name's first character.
STYLES: dict[str, Style] = {
    s.name: s
    for s in [
        Style("0 oval", 0, zero_oval), Style("0 open", 0, zero_open, "ends not meeting"),
        Style("0 slashed", 0, zero_slashed, "with a slash"),
        Style("1 stick", 1, one_stick, "a single stroke"), Style("1 flag", 1, one_flag, "European"),
        Style("1 flag base", 1, one_flag_base, "flag and foot"),
        Style("2 plain", 2, two_plain), Style("2 loop", 2, two_loop, "loop at the bottom"),
        Style("2 Z", 2, two_z, "angular"), Style("2 Z crossed", 2, two_z_crossed, "bar across"),
        Style("3 round", 3, three_round), Style("3 flat top", 3, three_flat),
        Style("4 open", 4, four_open), Style("4 closed", 4, four_closed),
        Style("5 two strokes", 5, five_plain), Style("5 one stroke", 5, five_one_stroke),
        Style("6 plain", 6, six_plain),
        Style("7 plain", 7, seven_plain), Style("7 crossbar", 7, seven_crossbar, "European"),
        Style("7 hooked", 7, seven_hooked, "tick at the bar's end"),
        Style("8 figure", 8, eight_figure, "one stroke"), Style("8 two loops", 8, eight_two_circles),
        Style("9 curved", 9, nine_curved), Style("9 straight", 9, nine_straight, "straight stem"),
    ]
}


def style_names() -> list[str]:
    return list(STYLES)


# ---------------------------------------------------------------------------
# Variation between drawings


@dataclass(frozen=True)
class Variation:
    """Ranges of what differs between drawings (each drawing draws its own values uniformly).

    ``slant``: shear x += slant * (0.5 - y) (positive leans right); ``rotation`` degrees either
    way; ``width``: the glyph's width factor (low, high); ``height``: the digit's height as a
    fraction of the canvas (low, high); ``pen``: the pen width in canvas pixels (the page offers
    6..40); ``wobble``: the largest slow hand tremor, as a fraction of the height; ``position``:
    the share of the free room around the drawing its place spreads over (1: anywhere it fits,
    uniformly; 0: centred).
    """

    slant: tuple[float, float] = (-0.25, 0.45)
    rotation: float = 8.0
    width: tuple[float, float] = (0.8, 1.25)
    height: tuple[float, float] = (0.35, 0.85)
    pen: tuple[float, float] = (6.0, 40.0)
    wobble: float = 0.02
    position: float = 1.0

    def __post_init__(self) -> None:
        for name in ("slant", "width", "height", "pen"):
            lo, hi = getattr(self, name)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
                raise ValueError(f"variation {name} must be (low, high) with low <= high, got {(lo, hi)}")
        if not 0 < self.height[0] <= self.height[1] <= 0.95:
            raise ValueError(f"variation height must be within (0, 0.95] of the canvas, got {self.height}")
        if self.pen[0] < 1 or self.width[0] <= 0:
            raise ValueError(f"variation pen must be >= 1 px and width > 0, got {self.pen} and {self.width}")
        if not (self.rotation >= 0 and self.wobble >= 0):
            raise ValueError(f"variation rotation and wobble must be >= 0, got {self.rotation} and {self.wobble}")
        if not 0 <= self.position <= 1:
            raise ValueError(f"variation position must be in [0, 1], got {self.position}")


#: Harder drawings: stronger slant both ways, more rotation, squeezed or stretched, shakier.
HARD = Variation(slant=(-0.5, 0.8), rotation=20.0, width=(0.6, 1.5), wobble=0.04)
#: A clear drawing: upright, centred, the page's default pen (18 px), 70% of the canvas tall.
CLEAR = Variation(slant=(0.0, 0.0), rotation=0.0, width=(1.0, 1.0), height=(0.7, 0.7), pen=(18.0, 18.0), wobble=0.0,
                  position=0.0)


def _wobble(points: np.ndarray, amplitude: float, rng: np.random.Generator) -> np.ndarray:
    """A slow tremor along the stroke: two random low-frequency sinusoids per axis."""
    if amplitude == 0 or len(points) < 2:
        return points
    step = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(step)])  # arc length
    out = points.copy()
    for axis in range(2):
        for _ in range(2):
            freq, phase, amp = rng.uniform(1.0, 4.0), rng.uniform(0, 2 * np.pi), rng.uniform(0, amplitude / 2)
            out[:, axis] += amp * np.sin(2 * np.pi * freq * s + phase)
    return out


@dataclass(frozen=True)
class Placement:
    """What one drawing drew from a ``Variation``: slant, rotation (degrees), width factor, height
    (fraction of the canvas, before any shrinking to fit), pen width (px), wobble amplitude."""

    slant: float
    rotation: float
    width: float
    height: float
    pen: float
    wobble: float


def place(strokes: Strokes, rng: np.random.Generator, variation: Variation = Variation(),
          side: int = CANVAS_SIDE) -> tuple[Strokes, Placement]:
    """Glyph-frame strokes -> canvas pixel strokes (slanted, rotated, sized, placed) and what was
    drawn. The whole drawing (pen included) stays inside the canvas."""
    v = variation
    slant, width = float(rng.uniform(*v.slant)), float(rng.uniform(*v.width))
    rotation = float(rng.uniform(-v.rotation, v.rotation))
    height, pen = float(rng.uniform(*v.height)), float(rng.uniform(*v.pen))
    wobble = float(rng.uniform(0.0, v.wobble))
    wobbled = [_wobble(s, wobble, rng) for s in strokes]
    pts = np.concatenate(wobbled)
    centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
    cos, sin = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    out = []
    for s in wobbled:
        x, y = (s[:, 0] - centre[0]) * width, s[:, 1] - centre[1]
        x = x - slant * y  # y grows downwards: the top (y < 0) moves right for slant > 0
        x, y = cos * x - sin * y, sin * x + cos * y
        out.append(np.stack([x, y], axis=1) * height * side)
    pts = np.concatenate(out)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    margin = pen / 2 + 2
    fit = min(1.0, float(np.min((side - 2 * margin) / np.maximum(hi - lo, 1e-9))))  # shrink if too big
    out = [s * fit for s in out]
    lo, hi = lo * fit, hi * fit
    room = np.maximum(side - 2 * margin - (hi - lo), 0.0)
    offset = margin - lo + (0.5 + v.position * (rng.uniform(0.0, 1.0, 2) - 0.5)) * room
    return [s + offset for s in out], Placement(slant, rotation, width, height, pen, wobble)


def render(strokes: Strokes, pen: float, side: int = CANVAS_SIDE) -> np.ndarray:
    """Canvas pixel strokes -> (side, side) uint8 ink (255 full), round caps and joins, antialiased."""
    k = SUPERSAMPLE
    big = Image.new("L", (side * k, side * k), 0)
    draw = ImageDraw.Draw(big)
    r = pen * k / 2
    for s in strokes:
        pts = [(float(x) * k, float(y) * k) for x, y in s]
        if len(pts) > 1:
            draw.line(pts, fill=255, width=max(1, round(pen * k)), joint="curve")
        for x, y in pts:  # round caps, and no specks where a wide line's short segments join
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    return np.array(big.resize((side, side), Image.Resampling.BOX), dtype=np.uint8)


def as_canvas(ink: np.ndarray) -> np.ndarray:
    """(H, W) uint8 ink -> (H, W, 4) RGBA as the page's canvas returns it: white on opaque black."""
    out = np.empty((*ink.shape, 4), dtype=np.uint8)
    out[..., :3] = ink[..., None]
    out[..., 3] = 255
    return out


@dataclass(frozen=True)
class DrawnDigit:
    """One synthetic drawing: ``image`` (side, side, 4) uint8 RGBA, its style, label and placement."""

    image: np.ndarray
    style: str
    digit: int
    placement: Placement


def sample(style: str, seed: int, variation: Variation = Variation(), side: int = CANVAS_SIDE) -> DrawnDigit:
    """One drawing of ``style`` (a ``STYLES`` name), with what it drew.

    Deterministic in (style, seed, variation): its own generator is seeded by both the seed and
    the style, so adding a style never changes another style's drawings.
    """
    if style not in STYLES:
        raise ValueError(f"unknown digit style {style!r}; known: {', '.join(STYLES)}")
    rng = np.random.default_rng([seed, *style.encode()])
    strokes, placement = place(STYLES[style].strokes(rng), rng, variation, side)
    return DrawnDigit(as_canvas(render(strokes, placement.pen, side)), style, STYLES[style].digit, placement)


def draw(style: str, seed: int, variation: Variation = Variation(), side: int = CANVAS_SIDE) -> np.ndarray:
    """One drawing of ``style``: (side, side, 4) uint8 RGBA, white on black (``sample(...).image``)."""
    return sample(style, seed, variation, side).image


def samples(style: str, n: int, seed: int, variation: Variation = Variation(),
            side: int = CANVAS_SIDE) -> list[DrawnDigit]:
    """``n`` drawings of one style, seeds ``seed * 100_000 + i`` (i < n < 100,000)."""
    if not 0 <= n < 100_000:
        raise ValueError(f"n must be in 0..99999, got {n}")
    return [sample(style, seed * 100_000 + i, variation, side) for i in range(n)]
