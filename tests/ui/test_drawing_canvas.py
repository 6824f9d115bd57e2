"""The drawing canvas's toolbar pinning: the element's module is valid JavaScript, and the CSS it adds
to the package's shadow root shows the toolbar without hovering and hides only send and edit. The
browser test (tests/browser/test_digits.py) taps the buttons on a phone and clicks them on a desktop."""

from __future__ import annotations

import re

from nnviz.ui import drawing_canvas
from tests.ui.node_js import check_module


def test_the_module_is_valid_javascript(tmp_path):
    source = drawing_canvas.module_source()
    assert source.count("export default") == 1
    check_module(source, "pin_toolbar", tmp_path)


def test_the_css_shows_the_toolbar_and_hides_only_send_and_edit():
    css = re.sub(r"/\*.*?\*/", "", drawing_canvas.TOOLBAR_CSS, flags=re.S)
    toolbar = re.search(r"\.dc-toolbar\s*\{([^}]*)\}", css).group(1)
    assert "opacity: 1 !important" in toolbar and "position: static !important" in toolbar
    hidden = re.search(r"([^{}]*)\{\s*display:\s*none;\s*\}", css).group(1)
    labels = set(re.findall(r'aria-label="([^"]+)"', hidden))
    assert labels == {"Update the app with this drawing", "Edit"}
