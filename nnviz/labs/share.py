"""What every page's share links and exports need: query values as exact text, a bad value's reason
in plain words, JSON without NaN.

A page's own codec (which setting goes under which query key) lives in that page's lab; these are
the pieces that do not depend on the page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

#: Query keys Streamlit itself uses; a page's codec neither reports them as unknown nor drops them.
STREAMLIT_KEYS = frozenset({"embed", "embed_options"})
#: Query texts that mean an empty list.
EMPTY = frozenset({"", "none", "-"})


def number(value: float | int) -> str:
    """A number as query text that parses back exactly: floats in their shortest round-trip form."""
    return repr(float(value)) if isinstance(value, float) else str(int(value))


def count(text: str) -> int | float:
    """A query text meant as a whole number, read as any number: "1e3" and "1000.0" give 1000, so
    the page can say what range is allowed instead of "not a number"; "2.5" stays 2.5 (and is
    refused as not whole by the setting's own check)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def is_empty(text: str) -> bool:
    """True for a query text that stands for an empty list ("", "none", "-")."""
    return text.strip().lower() in EMPTY


def join(parts: Iterable[str]) -> str:
    """A list as query text: comma-separated, "none" when empty (``split`` reads it back)."""
    return ",".join(parts) or "none"


def split(text: str) -> list[str]:
    """The parts of a comma-separated query text, stripped; [] for an empty list (see ``EMPTY``)."""
    return [] if is_empty(text) else [p.strip() for p in text.split(",")]


def reason(exc: Exception) -> str:
    """Why a query value was refused, in plain words ("not a number" for Python's parse errors)."""
    text = str(exc)
    if isinstance(exc, ValueError) and text.startswith(("could not convert", "invalid literal")):
        return "not a number"
    return text


#: At most this many problems of one link are listed (the rest are counted), each cut to MAX_PROBLEM_CHARS.
MAX_PROBLEMS_SHOWN = 5
MAX_PROBLEM_CHARS = 160


def problem_lines(messages: Sequence[str], shown: int = MAX_PROBLEMS_SHOWN, chars: int = MAX_PROBLEM_CHARS) -> list[str]:
    """A link's problems as a few short plain-text lines: the first ``shown``, each cut to ``chars``
    characters (a hand-edited link can carry 100 kB values or hundreds of keys), then how many more.
    Every line holds the link's own text: show them as plain text, never as Markdown."""
    lines = []
    for message in messages[:shown]:
        text = " ".join(str(message).split())  # one line each
        lines.append(text if len(text) <= chars else f"{text[: chars - 1]}… ({len(text):,} characters)")
    if len(messages) > shown:
        more = len(messages) - shown
        lines.append(f"and {more} more problem{'s' if more > 1 else ''} in this link")
    return lines


def json_safe(value: Any) -> Any:
    """``value`` with NaN/inf as None and NumPy scalars as Python ones, for strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value
