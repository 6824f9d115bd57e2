"""One browser history entry per page visit, not one per setting.

Streamlit's frontend pushes a new history entry whenever a script changes ``st.query_params``
(``handlePageInfoChanged`` in 1.67: ``pushState`` unless it is replaying a Back/Forward). Pages
that keep their settings in the address bar (the playground writes its experiment there on the
first run) therefore added an entry on arrival, and Back needed two presses to leave the page.
This script, run once in the page's document, turns a ``pushState`` that keeps the path and
changes only the query into ``replaceState``: the address bar still holds the experiment (a link
to copy), and Back goes to the previous page.

The script is in the ``<head>`` of every page's HTML (app.py, nnviz/ui/index_page.py), so it is in
place before Streamlit's frontend starts, and costs no element in the page.
"""

from __future__ import annotations

SCRIPT = """<script>
(() => {
  if (window.__nnvizHistory) return;
  window.__nnvizHistory = true;
  const push = window.history.pushState.bind(window.history);
  window.history.pushState = function (state, title, url) {
    try {
      const next = new URL(url, document.location.href);
      if (next.origin === document.location.origin && next.pathname === document.location.pathname)
        return window.history.replaceState(state, title, url);
    } catch (e) { /* an URL we cannot read: leave it to the browser */ }
    return push(state, title, url);
  };
})();
</script>"""
