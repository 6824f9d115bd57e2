"""The served app turns Nagle's algorithm off on its listening socket at startup
(nnviz/ui/tcp_nodelay.py, ``st.App``'s lifespan in app.py): its log says so."""

from __future__ import annotations

import sys

import pytest

from tests.browser.conftest import ARTIFACTS


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd (Linux)")
def test_the_served_app_sets_nodelay_on_its_listening_socket(app_url):
    log = (ARTIFACTS / "streamlit-server.log").read_text(encoding="utf-8")
    assert "TCP_NODELAY set on 1 listening socket(s)" in log
