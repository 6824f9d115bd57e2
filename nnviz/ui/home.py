"""/home, the home page's own name: app.py lists this page hidden at /home and it sends the visitor to /.

``st.navigation`` serves its default page at / only (the default page's ``url_path`` is ignored, so
/home used to open "Page not found"). The default page lives at /, built here once for app.py and for
the redirect (``page``); the redirect keeps the link's query parameters. A page file for /home
(pages/home.py) also covers a fresh server whose first request is /home: Streamlit's old automatic
pages/ mode answers that request, and finds the file (``ensure_app_navigation``).
"""

from __future__ import annotations

import streamlit as st

from nnviz.ui.common import home_page

TITLE = "Home"
ICON = ":material/home:"


def page() -> st.Page:
    """The default page: the home page at /."""
    return st.Page(home_page, title=TITLE, icon=ICON, default=True, url_path="")


def render() -> None:
    """Send the visitor from /home to / (the URL, the title and the sidebar's entry are then the home page's)."""
    st.switch_page(page(), query_params=st.query_params.to_dict())
