"""/home, the home page's own name: app.py lists this page hidden at /home; it shows the home page and
puts / in the address bar and the browser's history in place of /home.

``st.navigation`` serves its default page at / only (the default page's ``url_path`` is ignored, so
/home used to open "Page not found"). The default page lives at /, built here for app.py (``page``).
The move to / is the browser's ``location.replace`` (the link's query and fragment kept, under any
base path): it replaces the /home entry, so Back goes where the visitor came from. A server-side
``st.switch_page`` pushed a second entry instead, and Back to /home sent the visitor forward again.
A page file for /home (pages/home.py) also covers a fresh server whose first request is /home:
Streamlit's old automatic pages/ mode answers that request, and finds the file
(``ensure_app_navigation``).
"""

from __future__ import annotations

import streamlit as st

from nnviz.ui.common import home_page

TITLE = "Home"
ICON = ":material/home:"
#: /home -> / in place (a full load of the default page there), keeping the query and the fragment.
TO_ROOT = """<script>
(() => {
  const here = window.location;
  const root = here.pathname.replace(/home\\/?$/, "");
  if (root !== here.pathname) here.replace(root + here.search + here.hash);
})();
</script>"""


def page() -> st.Page:
    """The default page: the home page at /."""
    return st.Page(home_page, title=TITLE, icon=ICON, default=True, url_path="")


def render() -> None:
    """The home page, and the browser sent on to / in place of /home (``TO_ROOT``)."""
    home_page()
    st.html(TO_ROOT, unsafe_allow_javascript=True)
