"""Every page's link: read when the page is entered, kept equal to the page's settings in the
address bar, shown to copy.

A page describes its link as ``share.Field`` s (``nnviz/labs/<page>/link.py``) and calls, in its run:
``values = page_link.arrive("descent", FIELDS)`` first (the link's values when this run enters the
page: a fresh session opened from a link, a lesson, a page switch; ``{}`` otherwise), applies them
(``apply_widgets`` for settings that are widget keys), and at the end ``page_link.sync(FIELDS,
current)``, ``page_link.problems("descent", FIELDS, current)`` and, where the page offers it,
``page_link.share_expander(...)`` (the link to copy, drawn while its expander is open).

Entering is decided by app.py (``note_page`` before each full run): a widget click on the page
itself never rereads the address bar, which the page itself has written.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from nnviz.labs import share
from nnviz.ui.common import show_link_problems

#: Session keys: the page of the last full run, and whether this run entered it.
PAGE = "_nnviz_page"
ENTERED = "_nnviz_entered"


def note_page(url_path: str) -> None:
    """Called by app.py before each full run: remember the page, and whether the run enters it."""
    s = st.session_state
    s[ENTERED] = s.get(PAGE) != url_path
    s[PAGE] = url_path


def entered() -> bool:
    """True in the run that enters the current page (and in a page run without app.py)."""
    return bool(st.session_state.get(ENTERED, True))


def entering() -> bool:
    """``entered()``, once: True only for the first caller in the run that enters the page."""
    if not entered():
        return False
    st.session_state[ENTERED] = False
    return True


#: Session key: the address bar a page of this session wrote last.
WRITTEN = "_nnviz_written"


def link_params() -> dict[str, Any]:
    """The address bar's parameters when they are a link to read: not what a page of this session
    wrote there (a page switch can keep the previous page's settings in the address bar, and two
    pages may use the same key: "n" is the playground's points and the functions page's layers)."""
    params = st.query_params.to_dict()
    return {} if params == st.session_state.get(WRITTEN) else params


def write(params: Mapping[str, str]) -> None:
    """Put ``params`` in the address bar (when it differs) and remember them as this session's."""
    wanted = dict(params)
    st.session_state[WRITTEN] = wanted
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _problems_key(page: str) -> str:
    return f"_{page}_link_problems"


def arrive(page: str, fields: Sequence[share.Field]) -> dict[str, Any]:
    """The link's values (name -> value) when this run enters ``page`` and the address bar holds
    any of its keys; ``{}`` otherwise. What the link could not use is kept for ``problems``."""
    if not entering():
        return {}
    params = link_params()
    if not {f.query for f in fields} & params.keys():
        st.session_state.pop(_problems_key(page), None)
        return {}
    values, messages = share.decode(fields, params)
    st.session_state[_problems_key(page)] = (messages, None)
    return values


def add_problems(page: str, messages: Sequence[str]) -> None:
    """Add what the page's own checks refused (values that do not fit each other, checked in its
    lab) to this visit's problems, before the unknown keys (``share.decode`` lists those last);
    call right after ``arrive``."""
    if not messages:
        return
    key = _problems_key(page)
    kept, at = st.session_state.get(key) or ([], None)
    unknown = [m for m in kept if m.startswith(share.UNKNOWN)]
    st.session_state[key] = ([*(m for m in kept if m not in unknown), *messages, *unknown], at)


def apply_widgets(values: Mapping[str, Any]) -> None:
    """Set widget keys from a link (the link wins over remembered values); call before the
    widgets are drawn."""
    for key, value in values.items():
        st.session_state[key] = value


def query(fields: Sequence[share.Field], values: Mapping[str, Any]) -> dict[str, str]:
    """The address bar for ``values``: the app's and Streamlit's keys kept, the page's written."""
    current = st.query_params.to_dict()
    return {**{k: v for k, v in current.items() if k in share.KEPT_KEYS}, **share.encode(fields, values)}


def sync(fields: Sequence[share.Field], values: Mapping[str, Any]) -> None:
    """Keep the address bar equal to the page's settings (written only when it differs)."""
    write(query(fields, values))


def url(slug: str, params: Mapping[str, str]) -> str:
    """The page's full address with ``params`` (the served origin where known)."""
    base = None
    try:
        base = st.context.url
    except Exception:  # AppTest and older runtimes have no URL
        base = None
    if not base:
        base = f"http://localhost:8501/{slug}"
    return f"{base.split('?', 1)[0]}?{urllib.parse.urlencode(params)}"


def copy_block(slug: str, fields: Sequence[share.Field], values: Mapping[str, Any],
               what: str = "these settings") -> None:
    """The link to the page as it is, with a copy button (Streamlit's code block has one)."""
    st.markdown(f"**Link to {what}.** The address bar always holds them; copy this link to share them "
                "(opening it restores the page exactly).")
    st.code(url(slug, query(fields, values)), language=None, wrap_lines=True)  # a lesson and class mode stay


def share_expander(slug: str, fields: Sequence[share.Field], values: Mapping[str, Any], *,
                   what: str = "these settings", label: str = "Share these settings",
                   caption: str | None = None) -> None:
    """An expander with ``caption`` and the ``copy_block``, drawn only while it is open: a code block
    costs a first visit 1.5 MB of JavaScript (Streamlit's highlighter), 0.4-0.6 s on a return visit
    (bench/bench_browser.py, the functions page)."""
    box = st.expander(label, icon=":material/link:", key=f"_share_open_{slug}", on_change="rerun")
    if box.open:
        with box:
            if caption:
                st.caption(caption)
            copy_block(slug, fields, values, what=what)


def problems(page: str, fields: Sequence[share.Field], values: Mapping[str, Any]) -> None:
    """What the link of this visit could not use, until the user changes a setting."""
    key = _problems_key(page)
    messages, at = st.session_state.get(key) or ((), None)
    if messages:
        now = share.encode(fields, values)
        if at is None:  # the first run after arriving: these are the settings the warning is about
            st.session_state[key] = (messages, now)
        elif at != now:
            st.session_state.pop(key, None)
            messages = ()
    show_link_problems(messages)  # its place stays when the warning goes: the page below is not rebuilt


def hidden(control: str) -> bool:
    """True when the link's class mode hides ``control`` (``hide=lr,opt`` in the address bar; a
    control is named by its query key). A hidden control keeps its value and still applies; the
    page just does not draw it, so a lesson shows only what it is about."""
    return control in share.split(str(st.query_params.get("hide", "")).lower())
