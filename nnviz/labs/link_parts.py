"""Parsers for page links beside ``nnviz.labs.share``'s: a setting named by a short
word in the link, a value from a fixed list of numbers (a select slider's options), a list of
numbers kept as the text a text box holds, and a registry hyperparameter.

Each parser raises ``ValueError`` with the reason in plain words (``share.decode`` reports it and
the page keeps its default); each formatter writes a value so that its parser gives it back, and
never raises (a page's current settings may be invalid, and its link then says so when opened).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nnviz.labs import share
from nnviz.labs.explain import numbers


def named(mapping: Mapping[str, Any]) -> tuple[Callable[[str], Any], Callable[[Any], str]]:
    """(parse, format) for a setting written in the link as one of ``mapping``'s words
    (case-insensitive): ``named({"tiny": "Tiny network"})`` reads "tiny" as "Tiny network"."""
    parse_word = share.choice(mapping)
    inverse = {v: k for k, v in mapping.items()}

    def parse(text: str) -> Any:
        return mapping[parse_word(text)]

    def format(value: Any) -> str:
        return inverse.get(value, str(value))
    return parse, format


def one_of(options: Sequence[float]) -> Callable[[str], float]:
    """A parser for one of a select slider's numbers (compared as floats, so "1e-1" is 0.1); it
    returns the option itself (an ``int`` option stays an ``int``)."""
    options = tuple(options)

    def parse(text: str) -> float:
        value = float(text)
        for option in options:
            if math.isclose(value, float(option), rel_tol=1e-12, abs_tol=0.0):
                return option
        shown = ", ".join(f"{o:g}" for o in options)
        raise ValueError(f"expected one of {shown}")
    return parse


def names(options: Sequence[str], what: str = "names") -> tuple[Callable[[str], list[str]], Callable[[Any], str]]:
    """(parse, format) for a multiselect: comma-separated names from ``options`` (case-insensitive),
    each at most once; "none" for an empty choice."""
    parse_one = share.choice(options)

    def parse(text: str) -> list[str]:
        chosen = [parse_one(part) for part in share.split(text)]
        if len(set(chosen)) != len(chosen):
            raise ValueError(f"{what}: each at most once")
        return chosen

    def format(value: Any) -> str:
        return share.join(value)
    return parse, format


def whole(low: int, high: int) -> Callable[[str], int]:
    """``share.bounded(low, high, whole=True)`` returning an ``int``."""
    parse_number = share.bounded(low, high, whole=True)

    def parse(text: str) -> int:
        return int(parse_number(text))
    return parse


def real(low: float, high: float) -> Callable[[str], float]:
    """``share.bounded(low, high)`` returning a ``float`` (a number input's value)."""
    parse_number = share.bounded(low, high)

    def parse(text: str) -> float:
        return float(parse_number(text))
    return parse


def short(v: float) -> str:
    """A number as short as it can be written and still read back exactly ("0.5", "1", "0.2059")."""
    v = float(v)
    text = f"{v:.10g}"
    return text if float(text) == v else repr(v)


def number_list(what: str, min_count: int, max_count: int) -> tuple[Callable[[str], str], Callable[[Any], str]]:
    """(parse, format) for a text box that holds numbers ("1, 2"): the link holds them
    comma-separated ("1,2"), the parsed value is the box's text ("1, 2"). A box whose text is not
    numbers goes into the link as typed (opening that link then says what is wrong with it)."""

    def parse(text: str) -> str:
        return ", ".join(short(v) for v in numbers.parse_numbers(text, what, min_count, max_count))

    def format(value: Any) -> str:
        try:
            return ",".join(short(v) for v in numbers.parse_numbers(value, what, min_count, max_count))
        except ValueError:
            return str(value)
    return parse, format


def float_list(count_ok: Callable[[int], bool], what: str) -> tuple[Callable[[str], tuple[float, ...]],
                                                                     Callable[[Any], str]]:
    """(parse, format) for a vector of exact floats (a network's weights); ``count_ok`` says which
    lengths can be right before the page's other settings are known."""

    def parse(text: str) -> tuple[float, ...]:
        values = numbers.parse_numbers(text, what, 1, 10_000)
        if not count_ok(len(values)):
            raise ValueError(f"{what}: {len(values)} numbers cannot be right")
        return values

    def format(value: Any) -> str:
        return ",".join(share.number(float(v)) for v in value)
    return parse, format


def hyperparameter(spec: tuple[float, float, float, str], log_options: Sequence[float]) -> Callable[[str], float]:
    """A parser for a registry hyperparameter's slider (``ui.common.hyperparam_slider``): one of
    ``log_options`` in range when the setting spans decades, else a number in [low, high]."""
    _, low, high, _ = spec
    if low > 0 and high / low >= 1e3:
        return one_of([v for v in log_options if low <= v <= high])
    return real(low, high)


def slider_default(spec: tuple[float, float, float, str], log_options: Sequence[float]) -> float:
    """The value ``ui.common.hyperparam_slider`` starts at: the registry default, on a log-scale
    slider the nearest of ``log_options`` in range."""
    default, low, high, _ = spec
    if low > 0 and high / low >= 1e3:
        options = [v for v in log_options if low <= v <= high]
        if options:
            return min(options, key=lambda v: abs(math.log(v) - math.log(default)))
    return float(default)
