"""deploy.loopback: ports outside the kernel's client-port range, and a health check that a
self-connected socket's echo cannot crash (CI's deploy failure: ``BadStatusLine: GET
/_stcore/health HTTP/1.1`` while a replica was still starting)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from deploy import loopback


@contextmanager
def _server(answer: Callable[[bytes], bytes]) -> Iterator[str]:
    """A one-connection-at-a-time TCP server on a free port, replying ``answer(request)``."""
    (port,) = loopback.free_ports(1)
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(answer(conn.recv(4096)))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_free_ports_are_consecutive_bindable_and_outside_the_client_port_range():
    first, last = loopback.ephemeral_range()
    for n in (1, 2, 4):
        ports = loopback.free_ports(n)
        assert ports == list(range(ports[0], ports[0] + n))
        assert all(p < first or p > last for p in ports)
        assert all(p >= loopback.LOWEST_PORT for p in ports)
        for p in ports:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p))


def test_free_ports_names_a_bad_count():
    with pytest.raises(ValueError, match="got 0"):
        loopback.free_ports(0)


def test_healthy_is_true_only_for_ok():
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    busy = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nwait"
    with _server(lambda request: ok) as url:
        assert loopback.healthy(url)
    with _server(lambda request: busy) as url:
        assert not loopback.healthy(url)


def test_healthy_is_false_when_the_request_comes_back_as_the_answer():
    """What a socket connected to itself reads: its own request line."""
    with _server(lambda request: request) as url:
        assert not loopback.healthy(url)


def test_healthy_is_false_where_nobody_listens():
    (port,) = loopback.free_ports(1)
    assert not loopback.healthy(f"http://127.0.0.1:{port}", timeout=1)
