"""AppTest helpers for the pages' links: open a page from a link, read the page's link notice."""

from __future__ import annotations

from collections.abc import Mapping

from streamlit.testing.v1 import AppTest


def open_link(page: str, params: Mapping[str, str], *, timeout: float = 60, ok: bool = False) -> AppTest:
    """``page`` (a path as ``AppTest.from_file`` takes it) opened with the query ``params``, run
    once; ``ok``: and assert that the run raised nothing."""
    at = AppTest.from_file(page, default_timeout=timeout)
    at.query_params.update(params)
    at.run()
    if ok:
        assert not at.exception, at.exception[0].message if at.exception else ""
    return at


def link_warning(at: AppTest) -> str | None:
    """The link notice's plain-text problems, or None when the page shows no notice."""
    if not any("This link has settings" in w.value for w in at.warning):
        return None
    return "\n".join(t.value for t in at.text)


def open_share(at: AppTest, slug: str) -> AppTest:
    """Open the page's Share expander (``page_link.share_expander``: its copy block is drawn only
    while it is open) and run."""
    at.session_state[f"_share_open_{slug}"] = True
    return at.run()
