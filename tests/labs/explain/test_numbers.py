"""nnviz.labs.explain.numbers: typed numbers in, LaTeX and plain text out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.labs.explain.numbers import (
    fill,
    fmt,
    fmt_in,
    fmt_plain,
    indexed,
    latex_matrix,
    latex_vector,
    paren,
    parse_numbers,
    plain_vector,
    rhs,
)


def test_parse_numbers():
    assert parse_numbers("1, 2.5 -3") == (1.0, 2.5, -3.0)
    with pytest.raises(ValueError, match="'abc' is not a number"):
        parse_numbers("1, abc", "logits")
    with pytest.raises(ValueError, match="between 1 and 3"):
        parse_numbers("1 2 3 4", max_count=3)
    with pytest.raises(ValueError, match="finite"):
        parse_numbers("nan")
    with pytest.raises(ValueError, match="too large"):
        parse_numbers("1e300")



def test_formatting_for_latex_and_text():
    assert fmt(0.5) == "0.5000" and fmt(0) == "0" and fmt(1e-5) == r"1.000 \times 10^{-5}"
    assert fmt(math.nan) == r"\text{NaN}" and fmt(-math.inf) == r"-\infty"
    assert fmt_in(0.5) == "0.5" and fmt_plain(2e7) == "2.000e+07"
    assert paren(-1.0) == "(-1.0000)" and paren(1.0) == "1.0000"
    assert latex_vector([1, -2]) == r"\left(1.0000,\ -2.0000\right)"
    assert latex_matrix(np.eye(2)).startswith(r"\begin{pmatrix} 1.0000 & 0")
    assert plain_vector([0.25]) == "0.2500" and plain_vector([1, 2]) == "(1.0000, 2.0000)"
    assert rhs(r"f(z) = \max(0, z)") == r"\max(0, z)"
    assert fill(r"(@a - @y)^2", "0.5", "1") == "(0.5 - 1)^2"
    assert indexed("w", 1, 1, 2) == "w⁽¹⁾₁₂" and indexed("x", None, 2) == "x₂"
