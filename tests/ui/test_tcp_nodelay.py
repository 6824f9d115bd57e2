"""The server's connections without Nagle's algorithm (nnviz/ui/tcp_nodelay.py): listening sockets
made the way Streamlit 1.67 makes its own (proto 0) in this process. That the served app's
startup hook runs is checked in tests/browser/test_tcp_nodelay.py."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from nnviz.ui import tcp_nodelay
from tests.ui.coroutines import run_apart

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd (Linux)")


def nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@pytest.fixture
def listener():
    """A loopback listener made as Streamlit's ``_bind_socket`` makes it: ``socket.socket(family)``."""
    sock = socket.socket(socket.AF_INET)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock
    sock.close()


def test_streamlit_s_kind_of_listener_hands_out_connections_with_nagle_on(listener):
    """What the module is for: such a listener's connections keep Nagle's algorithm."""
    with socket.create_connection(listener.getsockname()):
        accepted, _ = listener.accept()
        with accepted:
            assert listener.proto == 0 and nodelay(accepted) == 0


def test_the_listener_and_the_connections_it_accepts_afterwards_get_nodelay(listener):
    open_before = len(os.listdir("/proc/self/fd"))
    done = tcp_nodelay.set_nodelay_on_listeners()
    assert len(os.listdir("/proc/self/fd")) == open_before  # the second handles it asked through are closed
    assert listener.fileno() in done
    assert nodelay(listener) == 1
    with socket.create_connection(listener.getsockname()):
        accepted, _ = listener.accept()
        with accepted:
            assert nodelay(accepted) == 1
    # The listener still accepts.
    with socket.create_connection(listener.getsockname()):
        listener.accept()[0].close()


def test_other_sockets_are_left_alone(listener):
    """A connected TCP socket, a UDP socket and a Unix listener are not listening TCP sockets."""
    client = socket.create_connection(listener.getsockname())
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    unix = socket.socket(socket.AF_UNIX)
    unix.bind("")  # an abstract address: nothing on disk
    unix.listen(1)
    try:
        found = tcp_nodelay.listening_tcp_descriptors()
        assert listener.fileno() in found
        assert not {client.fileno(), udp.fileno(), unix.fileno()} & set(found)
        tcp_nodelay.set_nodelay_on_listeners()
        assert nodelay(client) == 0
    finally:
        for s in (client, udp, unix):
            s.close()


def test_without_proc_nothing_is_changed(listener, tmp_path: Path):
    assert tcp_nodelay.listening_tcp_descriptors(tmp_path / "no such folder") == []
    assert tcp_nodelay.set_nodelay_on_listeners(tmp_path / "no such folder") == []
    assert nodelay(listener) == 0


def test_the_startup_hook_sets_it_before_it_yields(listener):
    seen = []

    async def start_and_stop():
        async with tcp_nodelay.lifespan(None):
            seen.append(nodelay(listener))

    run_apart(start_and_stop())
    assert seen == [1]
