"""Points as CSV: read a file of ``x1,x2,label`` rows (``parse``), write the current set (``write``).

The format, one point per line::

    x1,x2,label,split
    0.25,-0.5,1,train
    -1.2,0.75,0,test

The header line is optional (when present it names the columns: ``x1,x2,label`` or
``x1,x2,label,split``). ``x1`` and ``x2`` lie in the plot's square (``points.DOMAIN``, -1.5 to 1.5);
``label`` is a class 0..K-1 for classification, any finite number for regression; ``split`` (optional
on every line, or on none) is ``train`` or ``test``: without it the page splits the points by its
test share. Blank lines are skipped. ``write`` uses the shortest text that reads back as the same
float64, so ``parse(write(p))`` gives ``p`` exactly. A malformed file raises ``ValueError`` naming
the line and what was expected; nothing is half-read.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.labs.playground.points import DOMAIN, MAX_CUSTOM_POINTS, Points, check_label, split_mask

#: Largest file read (bytes): 5,000 rows of full-precision numbers are ~350 kB.
MAX_BYTES = 1_000_000
HEADER = ("x1", "x2", "label")
SPLITS = ("train", "test")


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise ValueError(f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} are read")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start + 1} cannot be read): "
                         "save it as CSV (UTF-8)") from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(text: str, line: int, what: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise ValueError(f"line {line}: {what} must be a number, got {text!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"line {line}: {what} must be a finite number, got {text!r}")
    return v


def parse(data: bytes | str, task: str, n_classes: int, *, test_ratio: float = 0.0, seed: int = 0,
          max_points: int = MAX_CUSTOM_POINTS) -> Points:
    """The points of a CSV file (bytes or text). Lines without a split column are split by
    ``test_ratio`` with ``seed`` (as the generator splits). Raises ``ValueError`` with the line
    number and what was expected."""
    text = _text(data)
    rows: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            rows.append((number, [cell.strip() for cell in raw.split(",")]))
    if not rows:
        raise ValueError("the file is empty: expected lines x1,x2,label (one point each)")
    first_line, first = rows[0]
    named = [c.lower() for c in first]
    if tuple(named[:3]) == HEADER and (len(named) == 3 or named[3:] == ["split"]):
        rows = rows[1:]
        if not rows:
            raise ValueError(f"line {first_line}: a header, but no points after it")
    elif not any(_is_number(c) for c in first[:3]):
        raise ValueError(f"line {first_line}: expected the header x1,x2,label (or x1,x2,label,split) or 3 "
                         f"comma-separated numbers, got {_quote(first)}")
    if len(rows) > max_points:
        raise ValueError(f"line {rows[max_points][0]}: too many points, at most {max_points:,} are read")
    lo, hi = DOMAIN
    X = np.empty((len(rows), 2))
    y = np.empty(len(rows))
    split: list[str | None] = []
    for k, (line, cells) in enumerate(rows):
        if len(cells) not in (3, 4):
            raise ValueError(f"line {line}: expected 3 comma-separated values x1,x2,label (and optionally a "
                             f"split, train or test), got {len(cells)}: {_quote(cells)}")
        for j, name in enumerate(("x1", "x2")):
            v = _number(cells[j], line, name)
            if not lo <= v <= hi:
                raise ValueError(f"line {line}: {name} = {cells[j]} is outside the plot; x1 and x2 must be in "
                                 f"{lo:g} to {hi:g}")
            X[k, j] = v
        try:
            y[k] = check_label(cells[2], task, n_classes)
        except ValueError as exc:
            if str(exc).startswith("line "):
                raise
            what = "classification" if task == "classification" else "regression"
            raise ValueError(f"line {line}: {exc} (this data set is {what})") from None
        if len(cells) == 4:
            if cells[3].lower() not in SPLITS:
                raise ValueError(f"line {line}: the split must be train or test, got {cells[3]!r}")
            split.append(cells[3].lower())
        else:
            split.append(None)
    given = [s is not None for s in split]
    if any(given) and not all(given):
        line = rows[given.index(not given[0])][0]
        raise ValueError(f"line {line}: give the split (train or test) on every line or on none")
    test = (np.array([s == "test" for s in split]) if all(given)
            else split_mask(len(rows), test_ratio, seed))
    return Points(X, y, test, task, n_classes)


def _quote(cells: list[str]) -> str:
    text = ",".join(cells)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _num(v: float) -> str:
    return repr(float(v))  # the shortest text that reads back as the same float64


def write(points: Points) -> str:
    """The set as CSV, header ``x1,x2,label,split``; ``parse`` reads it back exactly."""
    lines = [",".join((*HEADER, "split"))]
    classification = points.task == "classification"
    for (x1, x2), label, is_test in zip(points.X, points.y, points.test, strict=True):
        lines.append(f"{_num(x1)},{_num(x2)},{int(label) if classification else _num(label)},"
                     f"{'test' if is_test else 'train'}")
    return "\n".join(lines) + "\n"
