"""Typed start points: parsed, checked against the surface's domain, shown back the same way."""

from __future__ import annotations

import math

import pytest

from nnviz.labs.descent import surfaces
from nnviz.labs.descent.start import check_start, clicked_start, format_point, parse_start


@pytest.mark.parametrize(("text", "dim", "point"), [("-1.5, 2", 2, (-1.5, 2.0)), ("(1 0.5)", 2, (1.0, 0.5)),
                                                    (" 2.5 ", 1, (2.5,)), ("1e-3,-4", 2, (0.001, -4.0))])
def test_parse_start_reads_commas_spaces_and_parentheses(text, dim, point):
    assert parse_start(text, dim) == point
    assert parse_start(format_point(point), dim) == point


@pytest.mark.parametrize(("text", "dim", "words"), [("1", 2, "needs 2 numbers"), ("", 1, "got 'nothing'"),
                                                    ("a, 2", 2, "'a' in the start point is not a number"),
                                                    ("nan, 1", 2, "not a finite number"), ("inf", 1, "not a finite")])
def test_parse_start_says_what_is_wrong(text, dim, words):
    with pytest.raises(ValueError, match=words):
        parse_start(text, dim)


def test_check_start_names_the_domain_of_the_surface():
    bowl = surfaces.get("bowl")
    assert check_start(bowl, format_point(bowl.default_start)) is None
    message = check_start(bowl, "100, 0")
    assert message and "outside the plotted domain" in message and "x in [" in message
    assert "needs 2 numbers" in check_start(bowl, "1")
    assert math.isclose(parse_start("0.1, 0.2", 2)[1], 0.2)


def test_a_click_on_the_map_becomes_a_rounded_start_inside_the_domain():
    bowl = surfaces.get("bowl")  # [-3, 3]^2
    assert clicked_start(bowl, (1.83712, -0.50449)) == "1.84, -0.5"
    assert clicked_start(bowl, (3.004, -3.2)) == "3, -3"  # the frame's edge: kept inside
    assert check_start(bowl, clicked_start(bowl, (2.999, 2.999))) is None
    assert clicked_start(bowl, (math.nan, 1.0)) is None
    assert clicked_start(bowl, (1.0,)) is None and clicked_start(bowl, None) is None
