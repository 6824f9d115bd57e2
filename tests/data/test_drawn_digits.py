"""Synthetic hand-drawn digits by writing style (nnviz.data.drawn_digits): seeded, every style a
plausible drawing on the page's canvas, the variation's ranges honoured."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import drawn_digits as dd
from nnviz.data.preprocess import canvas_to_mnist, ink_map, inspect_drawing, stroke_width


def test_the_same_seed_gives_the_same_pixels_and_another_seed_another_drawing():
    for style in ("1 flag", "8 figure"):
        a, b = dd.draw(style, 3), dd.draw(style, 3)
        assert np.array_equal(a, b)
        assert not np.array_equal(a, dd.draw(style, 4))
    # A style's drawings depend on its own name, not on its place in STYLES.
    assert not np.array_equal(dd.draw("7 plain", 3)[..., 0] > 0, dd.draw("7 crossbar", 3)[..., 0] > 0)
    many = dd.samples("4 open", 3, seed=2)
    assert [s.image.tobytes() for s in many] == [dd.draw("4 open", 200_000 + i).tobytes() for i in range(3)]


def test_every_style_is_one_digit_in_its_name_and_has_a_stroke_function():
    assert len(dd.STYLES) >= 20
    assert dd.style_names() == list(dd.STYLES)
    for name, style in dd.STYLES.items():
        assert style.name == name and style.digit == int(name[0])
    assert {s.digit for s in dd.STYLES.values()} == set(range(10))
    for name in ("1 flag", "1 flag base", "7 crossbar", "4 open", "4 closed", "9 straight", "2 loop", "2 Z crossed",
                 "0 slashed"):
        assert name in dd.STYLES


@pytest.mark.parametrize("style", list(dd.STYLES))
def test_a_clear_drawing_of_each_style_is_one_normal_drawing(style):
    drawing = dd.sample(style, 0, dd.CLEAR)
    image = drawing.image
    assert image.shape == (280, 280, 4) and image.dtype == np.uint8
    assert np.all(image[..., 3] == 255) and np.array_equal(image[..., 0], image[..., 2])  # white on opaque black
    stats = inspect_drawing(image)
    assert stats.notes() == [], stats.notes()  # not tiny, inside the canvas, one connected drawing
    top, bottom, left, right = stats.bbox
    assert 0.6 <= (bottom - top) / 280 <= 0.8  # CLEAR: 70% of the canvas tall (pen included)
    assert abs((top + bottom) / 2 - 140) < 3 and abs((left + right) / 2 - 140) < 3  # centred
    assert stroke_width(ink_map(image)) == pytest.approx(18, rel=0.25)  # the page's default pen
    assert drawing.placement.pen == 18 and drawing.placement.slant == 0
    x = canvas_to_mnist(image)
    assert x is not None and x.shape == (28, 28)


@pytest.mark.parametrize("style", list(dd.STYLES))
def test_varied_drawings_stay_inside_the_canvas_with_ink(style):
    for d in dd.samples(style, 6, seed=1, variation=dd.HARD):
        ink = d.image[..., 0] > 0
        assert ink.sum() > 300  # a digit, even with the thinnest pen
        assert not (ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any())
        assert d.digit == dd.STYLES[style].digit and d.style == style


def test_the_placement_comes_from_the_variation():
    v = dd.Variation(slant=(0.2, 0.3), rotation=0.0, width=(1.0, 1.0), height=(0.4, 0.5), pen=(10, 12), wobble=0.0)
    for d in dd.samples("1 stick", 10, seed=0, variation=v):
        p = d.placement
        assert 0.2 <= p.slant <= 0.3 and 0.4 <= p.height <= 0.5 and 10 <= p.pen <= 12
        assert p.rotation == 0 and p.wobble == 0
        ink = d.image[..., 0]
        assert stroke_width(ink_map(d.image)) == pytest.approx(p.pen, rel=0.25)
        rows = np.flatnonzero(ink.any(axis=1))
        assert (rows[-1] - rows[0] - p.pen) / 280 == pytest.approx(p.height, abs=0.02)
        # Slanted right: the top of the stick is right of its bottom by about slant x height.
        top, bottom = ink[rows[0] + 15], ink[rows[-1] - 15]
        dx = np.flatnonzero(top).mean() - np.flatnonzero(bottom).mean()
        assert dx == pytest.approx(p.slant * (rows[-1] - rows[0] - 30), abs=8)


def test_positions_spread_over_the_canvas():
    centres = []
    for d in dd.samples("0 oval", 40, seed=5):
        rows, cols = np.nonzero(d.image[..., 0])
        centres.append((rows.mean(), cols.mean()))
    c = np.array(centres)
    assert c.std(axis=0).min() > 15 and c.min() > 30 and c.max() < 250


def test_bad_styles_and_variations_raise():
    with pytest.raises(ValueError, match="unknown digit style 'not-a-style'"):
        dd.draw("not-a-style", 0)
    for bad in ({"slant": (0.5, 0.1)}, {"height": (0.5, 1.2)}, {"pen": (0.0, 5.0)}, {"rotation": -1.0},
                {"width": (0.0, 1.0)}, {"position": 1.5}):
        with pytest.raises(ValueError, match="variation"):
            dd.Variation(**bad)
    with pytest.raises(ValueError, match="n must be"):
        dd.samples("1 flag", -1, seed=0)
