"""The points CSV: write then parse gives the same set exactly; every malformed file is refused with
its line number and what was expected; empty files, too many rows, bad encodings."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.playground import points, points_csv
from nnviz.labs.playground.points import Points


def _random_set(task: str, n_classes: int, n: int = 40, seed: int = 3) -> Points:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, (n, 2))
    y = rng.integers(0, n_classes, n) if task == "classification" else rng.normal(0, 0.7, n)
    return Points(X, y, rng.random(n) < 0.3, task, n_classes)


@pytest.mark.parametrize(("task", "k"), [("classification", 2), ("classification", 4), ("regression", 0)])
def test_round_trip_is_exact(task, k):
    p = _random_set(task, k)
    text = points_csv.write(p)
    assert text.splitlines()[0] == "x1,x2,label,split"
    back = points_csv.parse(text, task, k)
    assert back == p
    assert np.array_equal(back.X, p.X) and np.array_equal(back.y, p.y) and np.array_equal(back.test, p.test)
    assert points_csv.parse(text.encode("utf-8"), task, k) == p  # bytes, as the uploader gives them


def test_header_optional_and_split_by_test_share():
    rows = "\n".join(f"{x:.2f},{-x:.2f},{i % 2}" for i, x in enumerate(np.linspace(-1, 1, 20)))
    bare = points_csv.parse(rows, "classification", 2, test_ratio=0.25, seed=5)
    headed = points_csv.parse("x1,x2,label\n" + rows + "\n\n", "classification", 2, test_ratio=0.25, seed=5)
    assert bare == headed
    assert bare.n == 20 and bare.n_test == 5  # ceil(20 * 0.25)
    other_seed = points_csv.parse(rows, "classification", 2, test_ratio=0.25, seed=6)
    assert not np.array_equal(other_seed.test, bare.test)
    assert points_csv.parse(rows, "classification", 2).n_test == 0
    bom = points_csv.parse(("x1,x2,label\n" + rows).encode("utf-8-sig"), "classification", 2)
    assert bom.n == 20


@pytest.mark.parametrize(("text", "expected"), [
    ("x1,x2,label\n0,0,1\na,b\n", "line 3: expected 3 comma-separated values x1,x2,label"),
    ("0,0,1\n0.1,0.2\n", "line 2: expected 3 comma-separated values"),
    ("0,0,1\n0.1,0.2,1,train,x\n", "line 2: expected 3 comma-separated values"),
    ("a,b\n0,0,1\n", "line 1: expected the header x1,x2,label"),
    ("0,0,1\n\n\n0.5,zz,1\n", "line 4: x2 must be a number, got 'zz'"),
    ("0,0,1\n2.0,0,1\n", "line 2: x1 = 2.0 is outside the plot"),
    ("0,0,1\n0,-1.6,1\n", "line 2: x2 = -1.6 is outside the plot"),
    ("0,0,1\n0,inf,1\n", "line 2: x2 must be a finite number"),
    ("0,0,1\n0,0,2\n", "line 2: a class label must be 0 or 1, got '2'"),
    ("0,0,0.5\n", "line 1: a class label must be 0 or 1, got '0.5'"),
    ("0,0,one\n", "line 1: a label must be a number, got 'one'"),
    ("0,0,1,train\n0,0,1,validation\n", "line 2: the split must be train or test"),
    ("0,0,1,train\n0,0,1\n", "line 2: give the split (train or test) on every line or on none"),
    ("x1,x2,label\n", "line 1: a header, but no points after it"),
    ("", "the file is empty"),
    ("\n  \n", "the file is empty"),
])
def test_malformed_files_name_the_line(text, expected):
    with pytest.raises(ValueError) as err:
        points_csv.parse(text, "classification", 2)
    assert str(err.value).startswith(expected), str(err.value)


def test_regression_labels_and_class_count_from_the_data_set():
    assert points_csv.parse("0,0,-3.25\n", "regression", 0).y.tolist() == [-3.25]
    with pytest.raises(ValueError, match="line 1: a regression target must be a finite number"):
        points_csv.parse("0,0,nan\n", "regression", 0)
    three = points_csv.parse("0,0,2\n", "classification", 3)  # a 3-class set takes label 2
    assert three.y.tolist() == [2]


def test_limits_rows_bytes_and_encoding():
    rows = "0,0,1\n" * 6
    assert points_csv.parse(rows, "classification", 2, max_points=6).n == 6
    with pytest.raises(ValueError, match="line 7: too many points, at most 5 are read"):
        points_csv.parse("x1,x2,label\n" + rows, "classification", 2, max_points=5)
    with pytest.raises(ValueError, match="at most 1,000,000 are read"):
        points_csv.parse(b"0,0,1\n" * 200_000, "classification", 2)
    with pytest.raises(ValueError, match="not UTF-8"):
        points_csv.parse("0,0,1\n0.5,0.5,0 ü\n".encode("latin-1"), "classification", 2)
    assert points.MAX_CUSTOM_POINTS == 5000  # the default limit, the generator's largest set
