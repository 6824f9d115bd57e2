"""deploy/: two Streamlit replicas behind Debian's nginx on loopback, started by the one command
(``python -m deploy.serve``). Browsers from one address (all on 127.0.0.1, like a classroom
behind one NAT) are spread over both replicas; each one's pages work (home, then the playground
trains live, pauses, steps); and every request of a browser, its websocket after a forced
reconnect and after a reload included, reaches the replica it started on (nginx's access log
says who answered each request). A replica that goes down sends its browsers to the other, and
comes back. SIGTERM stops nginx and every replica."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from deploy import loopback, serve
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, assert_no_exception, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
NGINX = serve.find_nginx()
NO_NGINX = "nginx not found (nor $NNVIZ_NGINX): apt-get update && apt-get install -y nginx"
NEEDS_NGINX = pytest.mark.skipif(NGINX is None, reason=NO_NGINX)
AGENT = "Mozilla/5.0 (X11; Linux x86_64) nnviz-test-client/{}"
TITLE = "Train a small neural network on 2D data"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    """Status and headers (lower-case names) of a GET; the body is read and dropped."""
    req = urllib.request.Request(url, headers={"Cookie": f"{serve.COOKIE}={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
            return r.status, {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}


def _pinned_to(headers: dict[str, str]) -> str | None:
    """The replica a response's nnviz cookie pins the browser to (None: no cookie set)."""
    cookie = headers.get("set-cookie", "")
    prefix = f"{serve.COOKIE}="
    return cookie.split(";")[0][len(prefix):] if cookie.startswith(prefix) else None


def _access_log(state: dict) -> list[dict]:
    return [json.loads(line) for line in Path(state["access_log"]).read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """``python -m deploy.serve --replicas 2`` on free loopback ports; stopped with SIGTERM after the
    module, which must leave no nginx or replica process behind."""
    if NGINX is None:
        pytest.skip(NO_NGINX)
    run_dir = tmp_path_factory.mktemp("deploy")
    replica_ports = loopback.free_ports(2)
    port = next(p for (p,) in iter(lambda: loopback.free_ports(1), None) if p not in replica_ports)
    cmd = [sys.executable, "-m", "deploy.serve", "--replicas", "2", "--port", str(port),
           "--first-replica-port", str(replica_ports[0]), "--run-dir", str(run_dir)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out_path = ARTIFACTS / "deploy-serve.log"
    with open(out_path, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=serve._die_with_parent)  # no orphans if pytest is killed
    state_path = run_dir / "state.json"
    try:
        deadline = time.time() + 240
        while not state_path.exists():
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"deploy.serve did not start: {out_path.read_text()[-3000:]}")
            time.sleep(0.3)
        state = json.loads(state_path.read_text())
        state.update(run_dir=run_dir, state_path=state_path)
        yield state
    finally:
        pids = []
        if state_path.exists():
            last = json.loads(state_path.read_text())
            pids = [last["nginx_pid"]] + [r["pid"] for r in last["replicas"]]
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = "killed"
        shutil.copytree(run_dir / "logs", ARTIFACTS / "deploy-logs", dirs_exist_ok=True)
        left = [pid for pid in pids if _alive(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert code == 0 and not left, f"deploy.serve exited {code}; still running: {left}"


def test_config_has_a_group_and_a_cookie_per_replica(tmp_path):
    reps = serve.replicas(3, 9001)
    text = serve.render_config(reps, "0.0.0.0", 8080, tmp_path)
    assert "listen 0.0.0.0:8080;" in text and "{{" not in text.split("http {")[1]
    for r in reps:
        group = text.split(f"upstream nnviz_{r.name} {{")[1].split("}")[0]
        others = [o for o in reps if o != r]
        assert f"server {r.address} max_fails" in group and all(f"server {o.address} backup;" in group for o in others)
        assert f"{r.name} nnviz_{r.name};" in text and f'"{r.name}:{r.name}" "";' in text
    # Uploads as large as Streamlit takes pass nginx, also when given to streamlit run after "--".
    assert f"client_max_body_size {serve.max_upload_mb() + 1}m;" in text
    assert serve.max_upload_mb(["--server.maxUploadSize", "10"]) == serve.max_upload_mb(["--server.maxUploadSize=10"]) == 10
    if NGINX:  # nginx itself accepts it
        (tmp_path / "logs").mkdir()
        (tmp_path / "tmp").mkdir()
        (tmp_path / "nginx.conf").write_text(text)
        result = subprocess.run([NGINX, "-t", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                 "-e", str(tmp_path / "logs" / "error.log")], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


@NEEDS_NGINX
def test_new_visitors_take_turns_and_a_cookie_keeps_each_on_its_replica(deployment):
    url = deployment["url"]
    first = [_get(f"{url}/")[1] for _ in range(4)]
    answered = [h["x-nnviz-replica"] for h in first]
    assert set(answered) == {"r0", "r1"}, answered  # one address, both replicas
    assert [_pinned_to(h) for h in first] == answered  # each is pinned where it landed
    # What a browser asks for (the page, its scripts, health and host config, media, components),
    # with its cookie: always the same replica, and no new cookie.
    paths = ["/", "/playground", "/_stcore/health", "/_stcore/host-config", "/static/", "/media/none.png",
             "/component/none/index.html", "/_stcore/bidi-components/none"]
    for replica in ("r0", "r1"):
        for _ in range(2):
            for path in paths:
                status, headers = _get(f"{url}{path}", cookie=replica)
                assert status < 500 and headers["x-nnviz-replica"] == replica, (path, status, headers)
                assert _pinned_to(headers) is None, (path, headers)
    # A cookie that names no replica (an old deployment's, or made up) is replaced.
    status, headers = _get(f"{url}/_stcore/health", cookie="r7")
    assert status == 200 and _pinned_to(headers) == headers["x-nnviz-replica"] in ("r0", "r1")


#: Runs before the app's scripts: keep every WebSocket the page opens, so the test can close one
#: (the app then reconnects, as after a network hiccup) and count them.
KEEP_SOCKETS = """(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
})()"""


def _step(page) -> int:
    return int(page.locator("[data-nnviz=step]").first.text_content(timeout=30_000).replace(",", ""))


def _wait_step(page, done, what: str, timeout: float = 90) -> int:
    deadline = time.time() + timeout
    while True:
        step = _step(page)
        if done(step):
            return step
        assert time.time() < deadline, f"step counter at {step}, waiting for {what}"
        time.sleep(0.2)


def _settled_steps(pages: dict, quiet: float = 1.0, timeout: float = 90) -> dict:
    """Each page's step counter once none has moved for ``quiet`` seconds (after Pause the live
    view plays the frames it has received at its own pace)."""
    deadline = time.time() + timeout
    last, since = {i: _step(p) for i, p in pages.items()}, time.time()
    while time.time() - since < quiet:
        assert time.time() < deadline, f"the step counters are still moving ({last})"
        time.sleep(0.25)
        now = {i: _step(p) for i, p in pages.items()}
        if now != last:
            last, since = now, time.time()
    return last


def _open_sockets(page) -> int:
    return page.evaluate("window.__sockets.filter(s => s.readyState === WebSocket.OPEN).length")


@pytest.fixture(scope="module")
def in_browser():
    """``in_browser(fn)`` runs ``fn(browser)`` with headless Debian Chromium, on a thread of its own:
    Playwright's sync API allows one Playwright per thread, and the browser tests' session-wide one
    (tests/browser/conftest.py) may still be running in the main thread."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium chromium-driver")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
    held = {}

    def start():
        held["pw"] = sync_api.sync_playwright().start()
        held["browser"] = held["pw"].chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)

    def stop():
        held["browser"].close()
        held["pw"].stop()

    with ThreadPoolExecutor(1, thread_name_prefix="deploy-playwright") as thread:
        thread.submit(start).result()
        try:
            yield lambda fn: thread.submit(fn, held["browser"]).result()
        finally:
            thread.submit(stop).result()


def _new_browser(browser, i: int, url: str, headers_seen: dict[int, set[str]]):
    """A fresh context (one student) whose every request nginx logs with its number in the
    user agent; keeps the WebSockets it opens and the replica header of each response."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100}, user_agent=AGENT.format(i))
    ctx.set_default_timeout(60_000)
    ctx.add_init_script(KEEP_SOCKETS)
    page = ctx.new_page()
    page.on("response", lambda r: r.url.startswith(url) and headers_seen[i].add(r.headers.get("x-nnviz-replica", "none")))
    return ctx, page


def _requests_of(deployment, i: int) -> list[dict]:
    return [e for e in _access_log(deployment) if e["agent"].endswith(f"nnviz-test-client/{i}")]


@NEEDS_NGINX
@pytest.mark.browser
def test_browsers_spread_over_both_replicas_and_stay_there(deployment, in_browser):
    def body(browser):
        url = deployment["url"]
        landed: dict[int, str] = {}  # browser number -> the replica its first page came from
        headers_seen: dict[int, set[str]] = defaultdict(set)
        # Fresh browsers, one after another, until there are three and both replicas have one. Each
        # phase starts the work in every browser before waiting for any, so the replicas work at once.
        pages = {}
        while len(landed) < 3 or set(landed.values()) != {"r0", "r1"}:
            i = len(landed)
            assert i < 8, f"8 browsers and still not both replicas: {landed}"
            ctx, page = _new_browser(browser, i, url, headers_seen)
            landed[i] = page.goto(f"{url}/", wait_until="commit").headers["x-nnviz-replica"]
            pages[i] = page
        for page in pages.values():
            wait_for_app(page, timeout=120_000)
            page.get_by_text("See how a neural network learns").wait_for()
            page.get_by_role("link", name="Open Playground").click()
        for page in pages.values():
            page.get_by_text(TITLE).wait_for(timeout=120_000)
            assert _step(page) == 0
        # The playground trains and pauses; the websocket is closed, and the app reconnects to
        # the same session: the step carries on (another replica would start a new session, at
        # step 0), and Step adds one.
        for page in pages.values():
            page.get_by_role("button", name="Play", exact=True).click()
        for page in pages.values():
            _wait_step(page, lambda s: s >= 20, "20 steps after Play")
            page.get_by_role("button", name="Pause", exact=True).click()
        paused, sockets = {}, {}
        for i, page in pages.items():
            page.get_by_role("button", name="Play", exact=True).wait_for()
            paused[i] = _step(page)  # the live view may still be playing frames it had received
            assert paused[i] >= 20
            sockets[i] = page.evaluate("window.__sockets.length")
            page.evaluate("window.__sockets.forEach(s => s.close())")
        for i, page in pages.items():
            page.wait_for_function(f"window.__sockets.length > {sockets[i]} && "
                                   "window.__sockets.at(-1).readyState === WebSocket.OPEN", timeout=90_000)
            wait_for_app(page)
        resumed = _settled_steps(pages)
        for i, page in pages.items():
            assert resumed[i] >= paused[i], f"browser {i}: the reconnected websocket found another session"
            page.get_by_role("button", name="Step", exact=True).click()
        shot = set()
        for i, page in pages.items():
            _wait_step(page, lambda s, r=resumed[i]: s == r + 1, f"step {resumed[i] + 1} after Step")
            assert_no_exception(page)
            if landed[i] not in shot:  # one screenshot through nginx per replica
                shot.add(landed[i])
                page.evaluate("document.activeElement && document.activeElement.blur()")
                page.mouse.move(1, 1)  # no tooltip (of the focused, hovered Step button) over the page
                page.wait_for_timeout(600)
                page.screenshot(path=str(ARTIFACTS / f"deploy-playground-{landed[i]}.png"), full_page=True)
        # A reload: a new page and websocket, on the same replica again.
        for i, page in pages.items():
            assert page.reload(wait_until="commit").headers["x-nnviz-replica"] == landed[i]
        for page in pages.values():
            wait_for_app(page, timeout=120_000)
            page.get_by_text(TITLE).wait_for()
            _step(page)
            assert _open_sockets(page) == 1
            assert_no_exception(page)
            page.context.close()  # closes its websocket: nginx logs it
        assert set(landed.values()) == {"r0", "r1"}, landed
        for i, seen in headers_seen.items():
            assert seen == {landed[i]}, (i, landed[i], seen)
        # nginx's access log: every request of each browser, websockets included, on its replica.
        deadline = time.time() + 30
        while True:
            by_browser = {i: _requests_of(deployment, i) for i in landed}
            sockets = {i: [e for e in by_browser[i] if e["uri"].startswith("/_stcore/stream")] for i in landed}
            # Three websockets each at least: the first page, the forced reconnect, the reload.
            if all(len(s) >= 3 for s in sockets.values()) or time.time() > deadline:
                break
            time.sleep(0.5)
        for i, replica in landed.items():
            entries = by_browser[i]
            assert {e["replica"] for e in entries} == {replica}, (i, replica, Counter(e["replica"] for e in entries))
            assert all("," not in e["upstream"] for e in entries), "a request was retried on another replica"
            assert all(int(e["status"]) < 500 for e in entries), [e for e in entries if int(e["status"]) >= 500]
            assert len(sockets[i]) >= 3 and all(e["status"] == "101" for e in sockets[i]), sockets[i]

    in_browser(body)


@NEEDS_NGINX
@pytest.mark.browser
def test_an_upload_and_the_images_drawn_from_it_reach_the_replica_of_their_session(deployment, in_browser, tmp_path):
    """XSRF through the proxy: Streamlit takes the upload (its token cookie and header pass nginx
    untouched); the file and the images made from it live in that replica's memory only."""

    def body(browser):
        from PIL import Image, ImageDraw

        seven = Image.new("L", (280, 280), 0)
        ImageDraw.Draw(seven).line([(85, 65), (195, 65), (125, 225)], fill=255, width=24)
        seven.save(tmp_path / "seven.png")
        url, i = deployment["url"], 100
        headers_seen: dict[int, set[str]] = defaultdict(set)
        ctx, page = _new_browser(browser, i, url, headers_seen)
        try:
            page.set_viewport_size({"width": 1400, "height": 1900})
            replica = page.goto(f"{url}/").headers["x-nnviz-replica"]
            wait_for_app(page, timeout=120_000)
            page.get_by_role("link", name="Open Digits").click()
            page.get_by_text("Draw a digit on the canvas").first.wait_for()
            uploader = page.get_by_label(re.compile("upload a picture of a digit")).get_by_test_id("stFileUploaderDropzoneInput")
            uploader.set_input_files(str(tmp_path / "seven.png"))
            page.locator("[data-testid=stRadio] label").filter(has_text="uploaded image").click()
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=stMetric]')]"
                ".some(m => m.innerText.includes('Default model says') && m.innerText.split('\\n').includes('7'))",
                timeout=90_000)
            page.wait_for_function(  # st.image files, served from the replica's media store
                "() => { const imgs = [...document.querySelectorAll('[data-testid=stImage] img')];"
                " return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0); }", timeout=60_000)
            assert_no_exception(page)
            page.screenshot(path=str(ARTIFACTS / "deploy-digits-upload.png"), full_page=True)
        finally:
            ctx.close()
        assert headers_seen[i] == {replica}, headers_seen[i]
        entries = _requests_of(deployment, i)
        uploads = [e for e in entries if e["uri"].startswith("/_stcore/upload_file/")]
        media = [e for e in entries if e["uri"].startswith("/media/")]
        assert uploads and all(int(e["status"]) < 300 for e in uploads), uploads
        assert media and all(int(e["status"]) < 300 for e in media), media
        assert {e["replica"] for e in entries} == {replica}, Counter(e["replica"] for e in entries)

    in_browser(body)


@NEEDS_NGINX
def test_a_replica_that_goes_down_hands_its_browsers_over_and_comes_back(deployment):
    url, state_path = deployment["url"], deployment["state_path"]
    r1 = next(r for r in json.loads(state_path.read_text())["replicas"] if r["name"] == "r1")
    os.kill(r1["pid"], signal.SIGKILL)
    deadline = time.time() + 30
    while _alive(r1["pid"]) and time.time() < deadline:
        time.sleep(0.1)
    status, headers = _get(f"{url}/_stcore/health", cookie="r1")
    assert status == 200 and headers["x-nnviz-replica"] == "r0" and _pinned_to(headers) == "r0", headers
    # deploy.serve starts it again on its port; new visitors reach it again.
    deadline = time.time() + 180
    while True:
        restarted = next(r for r in json.loads(state_path.read_text())["replicas"] if r["name"] == "r1")
        if restarted["pid"] != r1["pid"] and loopback.healthy(f"http://127.0.0.1:{r1['port']}"):
            break
        assert time.time() < deadline, "replica r1 was not started again"
        time.sleep(0.5)
    # nginx tries it again once its fail_timeout is over; until then r0 answers for it.
    while True:
        status, headers = _get(f"{url}/_stcore/health", cookie="r1")
        if headers.get("x-nnviz-replica") == "r1":
            break
        assert time.time() < deadline, f"nginx still sends r1's browsers elsewhere: {headers}"
        time.sleep(0.5)
    assert status == 200 and _pinned_to(headers) is None, headers
