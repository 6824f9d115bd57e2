"""Loopback ports for Streamlit servers started by a script, and their health check.

A port the kernel hands out for ``bind(port 0)`` lies in its ephemeral range
(``/proc/sys/net/ipv4/ip_local_port_range``), the same range it picks a connecting client's port
from. While nothing listens on such a port, a health check's ``connect`` to it can be given that
very port as its own and connect to itself (TCP simultaneous open): the check then reads its own
request back as the answer (``BadStatusLine: GET /_stcore/health HTTP/1.1``), and the socket holds
the port the server is about to bind. ``free_ports`` therefore picks ports outside that range, and
``healthy`` counts any answer that is not ``ok`` as not healthy yet.
"""

from __future__ import annotations

import http.client
import random
import socket
import urllib.request
from pathlib import Path

PORT_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_PORT = 10000  # below this, ports are often taken by well-known services


def ephemeral_range() -> tuple[int, int]:
    """The kernel's (first, last) client port; Linux's default where the file is absent."""
    try:
        first, last = (int(v) for v in PORT_RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        first, last = 32768, 60999
    return first, last


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(n: int = 1) -> list[int]:
    """``n`` consecutive loopback ports, free now and outside the ephemeral range.

    Raises ``RuntimeError`` when 500 random tries find none."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    first_ephemeral, last_ephemeral = ephemeral_range()
    starts = [p for p in range(LOWEST_PORT, 65536 - n + 1)
              if p + n - 1 < first_ephemeral or p > last_ephemeral]
    for start in random.sample(starts, min(500, len(starts))):
        if all(_bindable(p) for p in range(start, start + n)):
            return list(range(start, start + n))
    raise RuntimeError(f"no {n} consecutive free loopback ports outside {first_ephemeral}-{last_ephemeral}")


def healthy(url: str, timeout: float = 2.0) -> bool:
    """Streamlit at ``url`` answers ``ok`` on ``/_stcore/health``; refused, timed out or any other
    answer (a self-connected socket's echo, a half-started server) is False."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as r:
            return r.read().decode().strip() == "ok"
    except (OSError, http.client.HTTPException):
        return False
