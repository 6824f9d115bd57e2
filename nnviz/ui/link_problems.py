"""What a page's own checks find wrong with its link, added to ``page_link``'s list of problems.

``page_link.arrive`` keeps the problems ``share.decode`` finds (bad values, unknown keys); a page
that also checks settings that depend on each other (a neuron's inputs and weights, a kernel
bigger than its image) adds its messages here, in the same run, so one notice lists them all.
(A candidate for ``page_link`` itself: ``arrive`` could take the page's check.)
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from nnviz.ui import page_link


def add(page: str, messages: Sequence[str]) -> None:
    """Add ``messages`` to the problems of ``page``'s link (call in the run that arrives)."""
    if not messages:
        return
    key = page_link._problems_key(page)  # page_link keeps (messages, settings they are about)
    kept, at = st.session_state.get(key) or ([], None)
    st.session_state[key] = ([*kept, *messages], at)
