"""The server's connections sent without Nagle's algorithm: each response and websocket message leaves
at once, instead of waiting up to 40 ms for the browser's delayed ACK of the one before.

Streamlit 1.67 makes its listening socket as ``socket.socket(family)`` (proto 0), and asyncio turns
Nagle off (``TCP_NODELAY``) only on connections whose proto is ``IPPROTO_TCP``; so every connection
it accepts keeps Nagle on. On a keep-alive connection every small response after the first then
stalls until the browser acknowledges the last one: a new visitor's 60 frontend files, and each
layer of widget code a page asks for, wait 40 ms a round (CONTRIBUTING.md has the measurements).

Streamlit binds the socket before it imports ``app.py``, so ``app.py`` cannot make it differently.
It can set the option on it afterwards: ``lifespan`` (``st.App``'s startup hook, which runs after
the socket is bound and before the first connection is accepted) sets ``TCP_NODELAY`` on the
process's listening TCP sockets, found in ``/proc/self/fd``, and Linux copies a listener's options
to each connection it accepts. Elsewhere (no ``/proc``) nothing is changed. The fix belongs
upstream (``socket.IPPROTO_TCP`` in ``starlette_server._bind_socket``); this is a no-op once it is
there.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

FD_DIR = Path("/proc/self/fd")


def listening_tcp_descriptors(fd_dir: Path = FD_DIR) -> list[int]:
    """The file descriptors of this process's listening IPv4/IPv6 TCP sockets (none without ``fd_dir``)."""
    try:
        fds = sorted(int(name) for name in os.listdir(fd_dir) if name.isdigit())
    except OSError:
        return []
    found = []
    for fd in fds:
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            with _second_handle(fd) as sock:
                if (sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
                        and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)):
                    found.append(fd)
        except OSError:  # closed meanwhile (the listing's own descriptor), or not a socket we can ask
            continue
    return found


def _second_handle(fd: int) -> socket.socket:
    """A socket object on a duplicate of ``fd`` (closing it leaves ``fd`` open; options set through
    it are the socket's own)."""
    dup = os.dup(fd)
    try:
        return socket.socket(fileno=dup)
    except BaseException:
        os.close(dup)
        raise


def set_nodelay_on_listeners(fd_dir: Path = FD_DIR) -> list[int]:
    """Set ``TCP_NODELAY`` on every listening TCP socket of this process; return their descriptors."""
    done = []
    for fd in listening_tcp_descriptors(fd_dir):
        with contextlib.suppress(OSError), _second_handle(fd) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            done.append(fd)
    return done


@contextlib.asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """``st.App``'s startup hook: Nagle off on the server's listening socket(s) before it serves."""
    from streamlit.logger import get_logger  # Streamlit's log format and level, as the server's own lines

    done = set_nodelay_on_listeners()
    get_logger(__name__).info("TCP_NODELAY set on %d listening socket(s)", len(done))
    yield
