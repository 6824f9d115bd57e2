"""Widget values that survive a page switch: the one persistence helper of every page.

Streamlit drops a widget's state when the widget is not drawn in a run (another page is shown,
or a closed tab or expander holds it). A page therefore never gives its widgets ``value=``; it
*seeds* each key right before drawing the widget (``key=seed("gd_lr", 0.1)``) and, at the end of
its run, *remembers* the values worth keeping. Every page's remembered values live in one plain
session-state dict (``SAVED``); widget keys carry their page's prefix, so they never collide.

Seeding in the run that draws the widget matters: a value set in an earlier run, while the
widget was not drawn, shows up empty in the browser (CONTRIBUTING.md).

Every call here also marks the session active (``session_memory.touch``): pages seed, read or
remember their settings in every run and live ticks read their speed, so the last call is the
session's last activity. A page declares its heavy session keys once, at import, with ``heavy``
(``session_memory.heavy``): what an idle session gives back, and what it pauses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from nnviz.ui import session_memory

# Every page imports this module before nnviz/ui/common.py freezes the collector: from here the
# server's session-memory thread starts once, so closed sessions' memory comes back and idle
# sessions' heavy state is released (session_memory).
session_memory.start()

#: Declare a session key heavy: ``heavy("dg_run", lock="dg", rebuilt=("evaluation",), ...)``.
heavy = session_memory.heavy

#: The plain session-state key holding every page's remembered widget values.
SAVED = "_nnviz_saved"

_MISSING = object()


def _saved() -> dict[str, Any]:
    state = st.session_state
    session_memory.touch(state)
    return state.setdefault(SAVED, {})


def value(key: str, default: Any = None) -> Any:
    """The setting ``key`` whether or not its widget is drawn this run: the widget's state, else
    the remembered value, else ``default``."""
    saved = _saved()
    if key in st.session_state:
        return st.session_state[key]
    return saved.get(key, default)


def seed(key: str, default: Any = None) -> str:
    """Give widget ``key`` its value before it is created (the remembered one, else ``default``)
    unless it has one already; returns ``key``, for ``st.slider(..., key=seed(k, 0.5))``."""
    saved = _saved()
    if key not in st.session_state:
        remembered = saved.get(key, _MISSING)
        st.session_state[key] = default if remembered is _MISSING else remembered
    return key


def resend(keys: Iterable[str]) -> None:
    """Send these widgets' values to the browser with this run (call before they are drawn).

    Streamlit sends a widget's value only in the run that sets it through session state; other
    runs send the widget's default and the browser keeps its own value. A rerun asked for before a
    widget had drawn (a first visit fetching its code) carries no value for it, and the browser
    then draws it at its default (a slider at its minimum) while the session keeps the real value
    (CONTRIBUTING.md). Setting each key to its own value makes the session's value the one drawn."""
    state = st.session_state
    for key in keys:
        if key in state:
            state[key] = state[key]


def restore(prefixes: str | tuple[str, ...]) -> None:
    """Put back every remembered value whose key starts with ``prefixes`` and that Streamlit
    dropped (call at the top of a page whose widgets are seeded in callbacks)."""
    for key, saved_value in _saved().items():
        if key.startswith(prefixes) and key not in st.session_state:
            st.session_state[key] = saved_value


def remember(keys: Iterable[str] = (), prefixes: str | tuple[str, ...] = ()) -> None:
    """Store the current values of ``keys`` and of every key starting with ``prefixes`` (call at
    the end of a page's run). Keys without a value this run keep what was remembered before."""
    saved = _saved()
    state = st.session_state
    chosen = {k for k in keys if k in state}
    if prefixes:
        chosen |= {k for k in state if isinstance(k, str) and k.startswith(prefixes)}
    saved.update({k: state[k] for k in chosen})


def forget(prefixes: str | tuple[str, ...] = (), keys: Iterable[str] = ()) -> None:
    """Drop the remembered values of ``keys`` and of keys starting with ``prefixes`` (a reset,
    a removed run: ``forget(keys=["gd_lr_1"])`` leaves ``gd_lr_12`` alone)."""
    saved = _saved()
    exact = set(keys)
    for key in [k for k in saved if k in exact or (prefixes and k.startswith(prefixes))]:
        del saved[key]
