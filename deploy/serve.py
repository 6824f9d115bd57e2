"""nnviz on N Streamlit processes behind nginx, one browser always on one process: one command.

    python -m deploy.serve --replicas 2 --port 8080                  # http://127.0.0.1:8080
    python -m deploy.serve --replicas 4 --listen 0.0.0.0 --port 8080 --run-dir /srv/nnviz/run

Starts ``streamlit run app.py`` N times on consecutive loopback ports (``--first-replica-port``,
the browser tests' flags), waits until each answers ``/_stcore/health``, writes nginx's
configuration from ``deploy/nginx.conf.template`` into the run directory, and runs Debian's nginx
in the foreground with that file only (``nginx -p RUN_DIR -c RUN_DIR/nginx.conf``; never the
system service). A replica that exits is started again on its port; Ctrl-C or SIGTERM stops
nginx, then the replicas, and returns. ``RUN_DIR/state.json`` (written once nginx answers) holds
the URL and every process id; ``RUN_DIR/logs/`` the replicas' logs and nginx's (``access.log`` is
one JSON object per request, with the replica that answered). ``--print-config`` prints the nginx
configuration and exits. Arguments after ``--`` go to every ``streamlit run``.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import grp
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deploy.loopback import healthy

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")
COOKIE = "nnviz_replica"
HEADER = "X-Nnviz-Replica"


@dataclass(frozen=True)
class Replica:
    """One Streamlit process: its name (the cookie's value) and its loopback port."""

    name: str
    port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def replicas(n: int, first_port: int) -> list[Replica]:
    """``r0 .. r{n-1}`` on ``first_port, first_port + 1, ...``."""
    if n < 1:
        raise ValueError(f"need at least one replica, got {n}")
    return [Replica(f"r{i}", first_port + i) for i in range(n)]


def find_nginx() -> str | None:
    """``$NNVIZ_NGINX`` if set, else Debian's nginx (``/usr/sbin`` is not on every user's PATH); None if absent."""
    for candidate in [os.environ["NNVIZ_NGINX"]] if os.environ.get("NNVIZ_NGINX") else NGINX_CANDIDATES:
        found = shutil.which(candidate) or (candidate if os.access(candidate, os.X_OK) else None)
        if found:
            return found
    return None


def streamlit_command(port: int, extra: Sequence[str] = ()) -> list[str]:
    """The browser tests' ``streamlit run app.py`` (tests/browser/conftest.py), on 127.0.0.1:port."""
    return [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false", *extra,
    ]


def max_upload_mb(streamlit_args: Sequence[str] = ()) -> int:
    """Streamlit's ``server.maxUploadSize``: from the arguments given to ``streamlit run``, else the
    app's .streamlit/config.toml, else Streamlit's default (200)."""
    for k, arg in enumerate(streamlit_args):
        if arg.startswith("--server.maxUploadSize="):
            return int(arg.split("=", 1)[1])
        if arg == "--server.maxUploadSize" and k + 1 < len(streamlit_args):
            return int(streamlit_args[k + 1])
    path = ROOT / ".streamlit" / "config.toml"
    config = tomllib.loads(path.read_text()) if path.exists() else {}
    return int(config.get("server", {}).get("maxUploadSize", 200))


def _worker_user() -> str:
    """nginx started as root runs its workers as nobody (they touch no files: see the template)."""
    if os.geteuid() != 0:
        return "# not root: the workers run as this user"
    nobody = pwd.getpwnam("nobody")
    return f"user {nobody.pw_name} {grp.getgrgid(nobody.pw_gid).gr_name};"


def render_config(reps: Sequence[Replica], listen: str, port: int, run_dir: Path, max_body_mb: int | None = None) -> str:
    """nginx's configuration for these replicas, from deploy/nginx.conf.template."""
    body = (max_upload_mb() if max_body_mb is None else max_body_mb) + 1
    ind = " " * 8
    groups = []
    for r in reps:
        backups = "".join(f"{ind}server {o.address} backup;\n" for o in reps if o != r)
        groups.append(f"    upstream nnviz_{r.name} {{\n{ind}zone nnviz_{r.name} 64k;\n"
                      f"{ind}server {r.address} max_fails=1 fail_timeout=2s;\n{backups}    }}")
    fields = {
        "user": _worker_user(),
        "run_dir": str(run_dir),
        "listen": listen,
        "port": str(port),
        "max_body": f"{body}m",
        "any_servers": "\n".join(f"{ind}server {r.address} max_fails=1 fail_timeout=2s;" for r in reps),
        "replica_upstreams": "\n".join(groups),
        "cookie_to_upstream": "\n".join(f"{ind}{r.name} nnviz_{r.name};" for r in reps),
        "addr_to_replica": "\n".join(f"{ind}\"~(^|\\s){r.address.replace('.', chr(92) + '.')}$\" {r.name};" for r in reps),
        "set_cookie": "\n".join(
            [f'{ind}"{r.name}:{r.name}" "";' for r in reps]
            + [f'{ind}"~:{r.name}$" "{COOKIE}={r.name}; Path=/; HttpOnly; SameSite=Lax";' for r in reps]
        ),
    }
    text = TEMPLATE.read_text()
    for key, value in fields.items():
        text = text.replace("{{" + key + "}}", value)
    unfilled = re.findall(r"\{\{\w+\}\}", text)
    if unfilled:
        raise ValueError(f"unfilled fields in {TEMPLATE}: {unfilled}")
    return text


def _die_with_parent() -> None:
    """In a child: get SIGTERM when this process dies, even by SIGKILL (Linux; elsewhere nothing)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _port_free(host: str, port: int) -> bool:
    """Nobody listens there (a port in TIME_WAIT counts as free: Streamlit reuses it too)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Stopped(Exception):
    """SIGINT or SIGTERM arrived."""


class Deployment:
    """The replicas and nginx of one run directory; ``run()`` until stopped."""

    def __init__(self, n: int, listen: str, port: int, first_replica_port: int, run_dir: Path,
                 streamlit_args: Sequence[str] = (), nginx: str | None = None, startup_timeout: float = 180.0):
        self.replicas = replicas(n, first_replica_port)
        self.listen, self.port, self.run_dir = listen, port, run_dir
        self.streamlit_args = list(streamlit_args)
        self.nginx = nginx or find_nginx()
        self.startup_timeout = startup_timeout
        self.procs: dict[str, subprocess.Popen] = {}
        self.nginx_proc: subprocess.Popen | None = None
        self.logs = run_dir / "logs"
        self.stopping = False

    @property
    def url(self) -> str:
        host = {"0.0.0.0": "127.0.0.1", "*": "127.0.0.1", "[::]": "[::1]"}.get(self.listen, self.listen)
        return f"http://{host}:{self.port}"

    def say(self, text: str) -> None:
        print(f"[deploy] {text}", file=sys.stderr, flush=True)

    def _check(self) -> None:
        if self.stopping:
            raise Stopped

    def start_replica(self, r: Replica) -> None:
        env = dict(os.environ)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")  # N processes on the cores: one BLAS thread each (CONTRIBUTING)
        # nnviz.ui.jobs lets half the cores run heavy jobs per process: share that between the replicas.
        env.setdefault("NNVIZ_HEAVY_JOBS", str(max(1, (os.cpu_count() or 2) // 2 // len(self.replicas))))
        with open(self.logs / f"replica-{r.name}.log", "a") as log:
            self.procs[r.name] = subprocess.Popen(
                streamlit_command(r.port, self.streamlit_args), cwd=ROOT, env=env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self.say(f"replica {r.name} on {r.address}, pid {self.procs[r.name].pid}, log {self.logs / f'replica-{r.name}.log'}")

    def wait_replicas(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        waiting = list(self.replicas)
        while waiting:
            self._check()
            for r in list(waiting):
                if self.procs[r.name].poll() is not None:
                    raise RuntimeError(f"replica {r.name} exited ({self.procs[r.name].returncode}):\n"
                                       + _tail(self.logs / f"replica-{r.name}.log"))
                if healthy(f"http://{r.address}"):
                    waiting.remove(r)
            if waiting and time.monotonic() > deadline:
                raise RuntimeError(f"replicas {[r.name for r in waiting]} not healthy after {self.startup_timeout:.0f} s")
            time.sleep(0.3)

    def write_config(self) -> Path:
        (self.run_dir / "tmp").mkdir(parents=True, exist_ok=True)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(render_config(self.replicas, self.listen, self.port, self.run_dir,
                                      max_upload_mb(self.streamlit_args)))
        return conf

    def _nginx_cmd(self, conf: Path, *extra: str) -> list[str]:
        return [self.nginx, "-p", str(self.run_dir), "-c", str(conf), "-e", str(self.logs / "nginx-error.log"), *extra]

    def start_nginx(self) -> None:
        conf = self.write_config()
        test = subprocess.run(self._nginx_cmd(conf, "-t", "-q"), capture_output=True, text=True)
        if test.returncode:
            raise RuntimeError(f"nginx rejects {conf}:\n{test.stdout}{test.stderr}")
        with open(self.logs / "nginx.log", "a") as log:
            self.nginx_proc = subprocess.Popen(self._nginx_cmd(conf), stdout=log, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL, start_new_session=True,
                                               preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 30
        while not healthy(self.url):
            self._check()
            if self.nginx_proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not answer on {self.url}:\n" + _tail(self.logs / "nginx-error.log")
                                   + _tail(self.logs / "nginx.log"))
            time.sleep(0.2)
        self.say(f"nginx on {self.listen}:{self.port}, pid {self.nginx_proc.pid}, config {conf}")

    def write_state(self) -> None:
        state = {
            "url": self.url, "serve_pid": os.getpid(),
            "nginx_pid": self.nginx_proc.pid if self.nginx_proc else None,
            "replicas": [{"name": r.name, "port": r.port, "pid": self.procs[r.name].pid} for r in self.replicas],
            "access_log": str(self.logs / "access.log"),
        }
        tmp = self.run_dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(self.run_dir / "state.json")

    def supervise(self) -> None:
        """Until stopped: start a replica that exited again (waiting longer each time it dies young)."""
        backoff = {r.name: 1.0 for r in self.replicas}
        started = {r.name: time.monotonic() for r in self.replicas}
        due: dict[str, float] = {}
        while True:
            self._check()
            if self.nginx_proc.poll() is not None:
                raise RuntimeError(f"nginx exited ({self.nginx_proc.returncode}):\n" + _tail(self.logs / "nginx-error.log"))
            now = time.monotonic()
            for r in self.replicas:
                proc = self.procs[r.name]
                if proc.poll() is None or self.stopping:
                    continue
                if r.name not in due:
                    young = now - started[r.name] < 60
                    backoff[r.name] = min(backoff[r.name] * 2, 60.0) if young else 1.0
                    due[r.name] = now + backoff[r.name]
                    self.say(f"replica {r.name} exited ({proc.returncode}); starting it again in {backoff[r.name]:.0f} s "
                             "(nginx sends its browsers to the others meanwhile)")
                elif now >= due[r.name]:
                    del due[r.name]
                    self.start_replica(r)
                    started[r.name] = now
                    self.write_state()
            time.sleep(0.5)

    def stop(self) -> None:
        """nginx first (no new requests), then the replicas; each by its PID, killed after 15 s."""
        self.stopping = True
        for group in ([self.nginx_proc] if self.nginx_proc else [], list(self.procs.values())):
            for p in group:
                if p.poll() is None:
                    p.terminate()
            for p in group:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    def run(self) -> int:
        def _on_signal(signum, _frame):
            self.stopping = True

        old = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            if not self.nginx:
                raise RuntimeError("nginx not found (or set NNVIZ_NGINX): apt-get update && apt-get install -y nginx")
            self.logs.mkdir(parents=True, exist_ok=True)
            # A port someone else holds would make their server look like our healthy replica.
            busy = [r.address for r in self.replicas if not _port_free("127.0.0.1", r.port)]
            if busy:
                raise RuntimeError(f"replica ports in use: {', '.join(busy)} (choose --first-replica-port)")
            for r in self.replicas:
                self.start_replica(r)
            self.wait_replicas()
            self.start_nginx()
            self.write_state()
            self.say(f"nnviz on {self.url} ({len(self.replicas)} replicas); Ctrl-C stops it")
            self.supervise()
        except Stopped:
            self.say("stopping")
            return 0
        except RuntimeError as e:
            self.say(f"error: {e}")
            return 1
        finally:
            self.stop()
            for s, handler in old.items():
                signal.signal(s, handler)
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        extra, argv = argv[argv.index("--") + 1:], argv[:argv.index("--")]
    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 1,
                        help="Streamlit processes (default: one per core, %(default)s here)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default %(default)s)")
    parser.add_argument("--listen", default="127.0.0.1",
                        help="nginx's address (default %(default)s; 0.0.0.0 for every interface, [::] for IPv6)")
    parser.add_argument("--first-replica-port", type=int, default=8501,
                        help="replica K listens on 127.0.0.1, this port + K (default %(default)s)")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="nginx's prefix, config, state and logs (default: a new temporary folder, removed on exit)")
    parser.add_argument("--print-config", action="store_true", help="print the nginx configuration and exit")
    args = parser.parse_args(argv)
    run_dir = args.run_dir.resolve() if args.run_dir else Path(tempfile.mkdtemp(prefix="nnviz-deploy-"))
    try:
        deployment = Deployment(args.replicas, args.listen, args.port, args.first_replica_port, run_dir, extra)
        if args.print_config:
            print(render_config(deployment.replicas, args.listen, args.port, run_dir, max_upload_mb(extra)), end="")
            return 0
        run_dir.mkdir(parents=True, exist_ok=True)
        return deployment.run()
    finally:
        if args.run_dir is None:
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
