"""What a page's link check adds to ``page_link``: problems found after ``share.decode`` (values
that do not fit each other, checked in the page's lab), shown in the same warning.

This belongs in ``nnviz/ui/page_link.py`` (as ``page_link.add_problems``); it is kept here until
that shared module takes it, and relies on its session key for a page's problems.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from nnviz.ui import page_link

#: How share.decode starts a message about a key that is no field of the page.
UNKNOWN = "ignored unknown link parameter"


def add_problems(page: str, messages: Sequence[str]) -> None:
    """Add ``messages`` to what the link of this visit could not use (call right after ``arrive``)."""
    if not messages:
        return
    key = page_link._problems_key(page)  # see the module docstring
    kept, at = st.session_state.get(key) or ([], None)
    # before the unknown keys, which share.decode lists last
    values = [m for m in kept if not m.startswith(UNKNOWN)]
    st.session_state[key] = ([*values, *messages, *(m for m in kept if m.startswith(UNKNOWN))], at)
