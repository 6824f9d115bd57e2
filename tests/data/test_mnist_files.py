"""nnviz.data.mnist_files: finding, checking and downloading MNIST.

No test touches the network: downloads go to a local http.server on 127.0.0.1, and an
autouse fixture points the mirrors at a closed local port and the cache at tmp_path.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import http.server
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from nnviz.data import mnist_files, toy_sets
from tests.data.idx_files import idx_bytes

ROOT = Path(__file__).resolve().parents[2]
# Computed like mnist_files.SHARED_MNIST: the shared folder is a sibling of the checkout.
SHARED = ROOT.parent / "shared" / "data" / "mnist"


def closed_port() -> int:
    """A local port nobody listens on (bound, then released), so connecting fails at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No network, no user cache, no NNVIZ_MNIST from the developer's shell."""
    monkeypatch.setattr(mnist_files, "MNIST_MIRRORS", (f"http://127.0.0.1:{closed_port()}/",))
    monkeypatch.delenv("NNVIZ_MNIST", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))



# --------------------------------------------------------------------------------------------
# MNIST
# --------------------------------------------------------------------------------------------


def fake_mnist_files(
    folder: Path, n_train: int = 20, n_test: int = 10, *, train_prefix: str = "train"
) -> dict[str, bytes]:
    """Write four small gzip IDX files in MNIST layout; return name -> file bytes."""
    rng = np.random.default_rng(0)
    arrays = {
        f"{train_prefix}-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        f"{train_prefix}-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    arrays[f"{train_prefix}-images-idx3-ubyte.gz"][0] = 255  # so the maximum is exactly 255
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, array in arrays.items():
        files[name] = gzip.compress(idx_bytes(array), mtime=0)
        (folder / name).write_bytes(files[name])
    return files


@contextlib.contextmanager
def serving(handler) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 with ``handler`` in a thread: its base URL, stopped at the end."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[str, dict[str, bytes]]]:
    """A local HTTP server serving fake MNIST files: (base URL, name -> bytes)."""
    files = fake_mnist_files(tmp_path / "served")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path / "served"))
    with serving(handler) as url:
        yield url, files


def use_mirror(monkeypatch: pytest.MonkeyPatch, mirrors: tuple[str, ...], files: dict[str, bytes]) -> None:
    monkeypatch.setattr(mnist_files, "MNIST_MIRRORS", mirrors)
    monkeypatch.setattr(
        mnist_files, "MNIST_SHA256", {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part") or p.name.startswith("."))


def test_shared_mnist_constant_matches_layout() -> None:
    assert mnist_files.SHARED_MNIST == SHARED


def test_load_shared_mnist() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"shared MNIST folder {SHARED} is absent")
    mnist = mnist_files.load_mnist(SHARED, verify=True)
    assert mnist.source == str(SHARED)
    assert mnist.X_train.shape == (5000, 28, 28) and mnist.X_test.shape == (10000, 28, 28)
    assert mnist.y_train.shape == (5000,) and mnist.y_test.shape == (10000,)
    for X, y in ((mnist.X_train, mnist.y_train), (mnist.X_test, mnist.y_test)):
        assert X.dtype == np.float32 and y.dtype == np.int64
        assert X.min() == 0.0 and X.max() == 1.0
        assert set(np.unique(y)) == set(range(10))
    assert np.all(np.bincount(mnist.y_train) == 500)  # the README: 500 per digit


def test_default_folder_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mnist_files, "SHARED_MNIST", tmp_path / "no-shared")
    cache = tmp_path / "cache"
    assert mnist_files.default_mnist_folder(cache) is None
    fake_mnist_files(cache)
    assert mnist_files.default_mnist_folder(cache) == cache
    shared = tmp_path / "shared"
    fake_mnist_files(shared, train_prefix="train-5k")
    monkeypatch.setattr(mnist_files, "SHARED_MNIST", shared)
    assert mnist_files.default_mnist_folder(cache) == shared
    monkeypatch.setenv("NNVIZ_MNIST", str(tmp_path))
    assert mnist_files.default_mnist_folder(cache) == tmp_path
    # the XDG cache is the default cache folder
    monkeypatch.delenv("NNVIZ_MNIST")
    monkeypatch.setattr(mnist_files, "SHARED_MNIST", tmp_path / "no-shared")
    xdg = Path(mnist_files.os.environ["XDG_CACHE_HOME"]) / "nnviz" / "mnist"
    assert mnist_files.default_cache_dir() == xdg
    assert mnist_files.default_mnist_folder() is None
    fake_mnist_files(xdg)
    assert mnist_files.default_mnist_folder() == xdg


def test_load_local_folder_raw_and_subset(tmp_path: Path) -> None:
    fake_mnist_files(tmp_path / "sub", n_train=12, train_prefix="train-5k")
    mnist = mnist_files.load_mnist(tmp_path / "sub")
    assert mnist.X_train.shape == (12, 28, 28) and mnist.X_test.shape == (10, 28, 28)
    assert mnist.X_train.max() == 1.0 and mnist.X_train.min() >= 0.0
    # full files win over the subset; uncompressed files work too
    files = fake_mnist_files(tmp_path / "sub", n_train=30)
    raw = tmp_path / "sub" / "t10k-images-idx3-ubyte"
    raw.write_bytes(gzip.decompress(files["t10k-images-idx3-ubyte.gz"]))
    (tmp_path / "sub" / "t10k-images-idx3-ubyte.gz").unlink()
    mnist = mnist_files.load_mnist(tmp_path / "sub")
    assert mnist.X_train.shape == (30, 28, 28) and mnist.X_test.shape == (10, 28, 28)


def test_mismatched_label_count(tmp_path: Path) -> None:
    fake_mnist_files(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(9, np.uint8))))
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz.*expected 10"):
        mnist_files.load_mnist(tmp_path)


def test_missing_files_give_guidance(tmp_path: Path) -> None:
    with pytest.raises(mnist_files.MnistUnavailable) as info:
        mnist_files.load_mnist(tmp_path / "nowhere")
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "does not exist" in message and "NNVIZ_MNIST=/path" in message
    assert all(name in message for name in mnist_files.MNIST_FILES)


def test_download_via_local_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, dict[str, bytes]]
) -> None:
    url, files = mirror
    # the first mirror is down: the loader moves on to the second
    use_mirror(monkeypatch, (f"http://127.0.0.1:{closed_port()}/", url), files)
    calls: list[tuple[int, int]] = []
    target = tmp_path / "downloaded"
    mnist = mnist_files.load_mnist(target, download=True, progress=lambda done, total: calls.append((done, total)))
    assert mnist.X_train.shape == (20, 28, 28) and mnist.y_test.shape == (10,)
    assert mnist.source == str(target)
    for name, data in files.items():
        assert (target / name).read_bytes() == data
    assert leftovers(target) == []
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(d <= t for d, t in calls)
    assert calls[-1] == (sum(map(len, files.values())),) * 2
    # now present: no network needed
    monkeypatch.setattr(mnist_files, "MNIST_MIRRORS", ())
    assert mnist_files.load_mnist(target, download=True).X_train.shape == (20, 28, 28)


def test_download_only_missing_into_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, dict[str, bytes]]
) -> None:
    url, files = mirror
    use_mirror(monkeypatch, (url,), files)
    monkeypatch.setattr(mnist_files, "SHARED_MNIST", tmp_path / "no-shared")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "t10k-labels-idx1-ubyte.gz").write_bytes(files["t10k-labels-idx1-ubyte.gz"])
    calls: list[tuple[int, int]] = []
    mnist = mnist_files.load_mnist(download=True, cache_dir=cache, progress=lambda d, t: calls.append((d, t)))
    assert mnist.source == str(cache)
    expected = sum(len(data) for name, data in files.items() if name != "t10k-labels-idx1-ubyte.gz")
    assert calls[-1] == (expected, expected)


def test_checksum_mismatch_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, dict[str, bytes]]
) -> None:
    url, files = mirror
    use_mirror(monkeypatch, (url,), files)
    sums = dict(mnist_files.MNIST_SHA256)
    sums["train-labels-idx1-ubyte.gz"] = "0" * 64
    monkeypatch.setattr(mnist_files, "MNIST_SHA256", sums)
    target = tmp_path / "downloaded"
    with pytest.raises(ValueError, match="checksum mismatch for train-labels-idx1-ubyte.gz"):
        mnist_files.load_mnist(target, download=True)
    assert not (target / "train-labels-idx1-ubyte.gz").exists()
    assert leftovers(target) == []


def test_verify_local_checksums(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = fake_mnist_files(tmp_path)
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    monkeypatch.setattr(mnist_files, "MNIST_SHA256", sums)
    mnist_files.load_mnist(tmp_path, verify=True)
    monkeypatch.setattr(mnist_files, "MNIST_SHA256", {**sums, "t10k-images-idx3-ubyte.gz": "f" * 64})
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: sha256"):
        mnist_files.load_mnist(tmp_path, verify=True)


def test_offline_gives_guidance(tmp_path: Path) -> None:
    target = tmp_path / "offline"
    with pytest.raises(mnist_files.MnistUnavailable) as info:
        mnist_files.load_mnist(target, download=True)
    message = str(info.value)
    assert "could not download" in message and "127.0.0.1" in message
    assert "NNVIZ_MNIST=/path" in message and "train-images-idx3-ubyte.gz" in message
    assert leftovers(target) == []


def test_engine_import_is_ui_free() -> None:
    code = "import sys, nnviz.data.mnist_files; assert 'streamlit' not in sys.modules and 'plotly' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("name", toy_sets.names())
def test_every_set_has_a_label_and_a_task(name: str) -> None:
    assert toy_sets.label(name) and toy_sets.DATASETS.get(name).task in toy_sets.TASKS
    assert name in toy_sets.names_by_task(toy_sets.get(name)(10, 0.0, 0).task)
    assert toy_sets.label("xor") == "XOR" and toy_sets.label("sine") == "Sine (regression)"


@pytest.fixture
def bad_mirror() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A mirror whose answers are set per path: (base URL, path -> (announced length or None, body))."""
    answers: dict[str, tuple[int | None, bytes]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            length, body = answers[self.path.lstrip("/")]
            self.send_response(200)
            if length is not None:
                self.send_header("Content-Length", str(length))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

    with serving(Handler) as url:
        yield url, answers


NAME = "t10k-labels-idx1-ubyte.gz"


def test_a_transfer_cut_short_is_reported_as_cut_short(tmp_path, monkeypatch, bad_mirror):
    url, answers = bad_mirror
    answers[NAME] = (4_542, b"x" * 1000)  # announces the full size, sends 1,000 bytes
    monkeypatch.setattr(mnist_files, "MNIST_MIRRORS", (url,))
    with pytest.raises(mnist_files.MnistUnavailable, match="cut short after 1,000 of 4,542 bytes"):
        mnist_files.download_mnist(tmp_path, [NAME])
    assert leftovers(tmp_path) == [] and not (tmp_path / NAME).exists()


@pytest.mark.parametrize("announced", [None, 40_000_000])
def test_a_response_larger_than_the_published_size_is_not_kept(tmp_path, monkeypatch, bad_mirror, announced):
    """The issue's 40 MB answer for a 4.5 kB file: refused at the header, or after the published size."""
    url, answers = bad_mirror
    answers[NAME] = (announced, b"\0" * 200_000)
    monkeypatch.setattr(mnist_files, "MNIST_MIRRORS", (url,))
    received = []
    with pytest.raises(mnist_files.OversizedDownload, match="published size of t10k-labels-idx1-ubyte.gz is 4,542"):
        mnist_files.download_mnist(tmp_path, [NAME], progress=lambda done, total: received.append(done))
    assert max(received, default=0) <= 4_542 + (1 << 16)  # stopped within a chunk of the limit
    assert leftovers(tmp_path) == [] and not (tmp_path / NAME).exists()
