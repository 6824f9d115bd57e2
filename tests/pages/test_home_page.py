"""The app's entry point renders the home page with a card per page and no exception."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from nnviz.ui.common import PAGES


def test_home_renders_every_card():
    at = AppTest.from_file("../../app.py", default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value.endswith("nnviz")
    headers = [h.value for h in at.subheader]
    for page in PAGES:
        assert any(page.title in h for h in headers), page.title
