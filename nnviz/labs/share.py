"""What every page's share links and exports need: query values as exact text, a bad value's reason
in plain words, JSON without NaN.

A page's own codec (which setting goes under which query key) lives in that page's lab; these are
the pieces that do not depend on the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Query keys Streamlit itself uses; a page's codec neither reports them as unknown nor drops them.
STREAMLIT_KEYS = frozenset({"embed", "embed_options"})
#: Query keys of the whole app, on any page: a lesson's name and the controls class mode hides.
APP_KEYS = frozenset({"lesson", "hide"})
#: Keys a page's codec keeps in the address bar and never reports as unknown.
KEPT_KEYS = STREAMLIT_KEYS | APP_KEYS
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


# ---- a page's link as a list of fields --------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """One setting in a page's link: ``query`` is its key in the address bar, ``name`` the page's
    own name for it (usually its widget key), ``parse`` reads the link's text (``ValueError`` with
    the reason when it cannot) and ``format`` writes the value so that ``parse`` gives it back."""

    query: str
    name: str
    parse: Callable[[str], Any]
    format: Callable[[Any], str] = str


#: How ``decode`` starts the message about a key that is no field of the page.
UNKNOWN = "ignored unknown link parameter"


def encode(fields: Sequence[Field], values: Mapping[str, Any]) -> dict[str, str]:
    """``values`` (name -> value) as query parameters, in ``fields``' order (missing names left out)."""
    return {f.query: f.format(values[f.name]) for f in fields if f.name in values}


def decode(fields: Sequence[Field], params: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The values a link gives (name -> value) and what it could not use, as messages.

    A bad value is left out (the page keeps its default) and reported with its reason; keys that
    are no field of the page are reported after them, Streamlit's own keys never. Never raises."""
    by_query = {f.query: f for f in fields}
    values: dict[str, Any] = {}
    messages: list[str] = []
    unknown: list[str] = []
    for key, text in params.items():
        if isinstance(text, (list, tuple)):
            text = text[-1] if text else ""
        text = str(text)
        field = by_query.get(key)
        if field is None:
            if key not in KEPT_KEYS:
                unknown.append(f"{UNKNOWN} {key}={text!r}")
            continue
        try:
            values[field.name] = field.parse(text)
        except (ValueError, TypeError, KeyError) as exc:
            messages.append(f"ignored {key}={text!r} ({reason(exc)}); using the default")
    return values, messages + unknown


def choice(options: Iterable[str]) -> Callable[[str], str]:
    """A parser that accepts one of ``options`` (case-insensitive) and returns it as spelled there."""
    known = {o.lower(): o for o in options}

    def parse(text: str) -> str:
        try:
            return known[text.strip().lower()]
        except KeyError:
            raise ValueError(f"expected one of {', '.join(known.values())}") from None
    return parse


def bounded(low: float, high: float, whole: bool = False) -> Callable[[str], float | int]:
    """A parser for a number in [low, high] (a whole number when ``whole``)."""

    def parse(text: str) -> float | int:
        value = count(text) if whole else float(text)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"must be in [{number(low)}, {number(high)}]")
        if whole and not isinstance(value, int):
            raise ValueError("must be a whole number")
        return value
    return parse


def flag(text: str) -> bool:
    """A yes/no query text: 1/true/yes/on or 0/false/no/off."""
    t = text.strip().lower()
    if t in {"1", "true", "yes", "on"}:
        return True
    if t in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected 1 or 0")


def flag_text(value: bool) -> str:
    """``flag``'s inverse."""
    return "1" if value else "0"
