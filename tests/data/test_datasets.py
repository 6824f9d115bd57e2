"""Tests for nnviz.data.datasets: toy 2D sets, features, split, the IDX reader and MNIST loading.

No test touches the network: downloads go to a local http.server on 127.0.0.1, and an
autouse fixture points the mirrors at a closed local port and the cache at tmp_path.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import math
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from nnviz.data import datasets

ROOT = Path(__file__).resolve().parents[2]
# Computed like datasets.SHARED_MNIST: the shared folder is a sibling of the checkout.
SHARED = ROOT.parent / "shared" / "data" / "mnist"

CLASSIFICATION = [name for name in datasets.names() if datasets.get(name)(10, 0.0, 0).task == "classification"]


def closed_port() -> int:
    """A local port nobody listens on (bound, then released), so connecting fails at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No network, no user cache, no NNVIZ_MNIST from the developer's shell."""
    monkeypatch.setattr(datasets, "MNIST_MIRRORS", (f"http://127.0.0.1:{closed_port()}/",))
    monkeypatch.delenv("NNVIZ_MNIST", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


# --------------------------------------------------------------------------------------------
# Toy datasets
# --------------------------------------------------------------------------------------------


def test_registry_order_and_unknown_name() -> None:
    assert datasets.names() == ["circles", "xor", "gaussians", "spiral", "moons", "plane", "sine"]
    with pytest.raises(ValueError, match="unknown dataset 'nope'.*circles"):
        datasets.get("nope")


@pytest.mark.parametrize("name", datasets.names())
@pytest.mark.parametrize("n", [200, 201])
def test_shapes_dtypes_task(name: str, n: int) -> None:
    ds = datasets.get(name)(n, 0.3, 0)
    assert isinstance(ds, datasets.Dataset2D)
    assert ds.name == name
    assert ds.X.shape == (n, 2) and ds.X.dtype == np.float64
    assert ds.y.shape == (n,)
    assert np.all(np.isfinite(ds.X)) and np.all(np.isfinite(ds.y))
    if ds.task == "classification":
        assert ds.y.dtype == np.int64 and ds.n_classes == 2
        counts = np.bincount(ds.y, minlength=ds.n_classes)
        assert counts.sum() == n and counts.max() - counts.min() <= 1, counts
    else:
        assert ds.task == "regression"
        assert ds.y.dtype == np.float64 and ds.n_classes == 0


@pytest.mark.parametrize("name", datasets.names())
def test_inside_domain(name: str) -> None:
    low, high = datasets.DOMAIN
    clean = datasets.get(name)(500, 0.0, 1).X
    assert np.all((clean >= low) & (clean <= high))
    noisy = datasets.get(name)(2000, 1.0, 1).X
    assert np.mean(np.all((noisy >= low) & (noisy <= high), axis=1)) > 0.9


@pytest.mark.parametrize("name", datasets.names())
def test_deterministic_per_seed(name: str) -> None:
    make = datasets.get(name)
    a, b, c = make(100, 0.2, 7), make(100, 0.2, 7), make(100, 0.2, 8)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", datasets.names())
def test_noise_changes_data(name: str) -> None:
    make = datasets.get(name)
    clean, noisy = make(100, 0.0, 3), make(100, 0.5, 3)
    assert not (np.array_equal(clean.X, noisy.X) and np.array_equal(clean.y, noisy.y))


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_clean_classes_are_separable(name: str) -> None:
    """Leave-one-out 1-nearest-neighbour accuracy at noise 0: a proxy for "a small MLP fits it"."""
    ds = datasets.get(name)(400, 0.0, 0)
    dist = ((ds.X[:, None, :] - ds.X[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(dist, np.inf)
    accuracy = np.mean(ds.y[dist.argmin(1)] == ds.y)
    assert accuracy >= 0.97, accuracy


def test_regression_noise_scale() -> None:
    clean, noisy = datasets.get("plane")(5000, 0.0, 0), datasets.get("plane")(5000, 1.0, 0)
    np.testing.assert_array_equal(clean.X, noisy.X)  # noise goes on the targets only
    np.testing.assert_allclose(clean.y, clean.X.sum(1) / 2)
    assert abs(np.std(noisy.y - clean.y) - datasets.NOISE_SCALE) < 0.02


def test_arrays_are_read_only() -> None:
    ds = datasets.get("circles")(10, 0.0, 0)
    with pytest.raises(ValueError):
        ds.X[0, 0] = 5.0
    with pytest.raises(AttributeError):
        ds.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("n", [1, 0, -5, 2.5, "10", None, True, datasets.MAX_SAMPLES + 1])
def test_bad_n(n: object) -> None:
    with pytest.raises(ValueError, match="n must be"):
        datasets.get("xor")(n, 0.1, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("noise", [-0.1, math.nan, math.inf, "lots", None])
def test_bad_noise(noise: object) -> None:
    with pytest.raises(ValueError, match="noise must be"):
        datasets.get("moons")(50, noise, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-1, 1.5, "0"])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(ValueError, match="seed must be"):
        datasets.get("spiral")(50, 0.0, seed)  # type: ignore[arg-type]


def test_n_two_and_numpy_int() -> None:
    assert datasets.get("circles")(2, 0.0, 0).y.tolist() in ([0, 1], [1, 0])
    assert datasets.get("sine")(np.int64(5), np.float32(0.1), np.int32(2)).X.shape == (5, 2)


# --------------------------------------------------------------------------------------------
# features and split
# --------------------------------------------------------------------------------------------


def test_features_columns() -> None:
    X = np.array([[0.5, -1.0], [2.0, 3.0]])
    F = datasets.features(X, datasets.FEATURE_NAMES)
    x1, x2 = X[:, 0], X[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_allclose(F, expected)
    np.testing.assert_array_equal(datasets.features(X, ["x1*x2", "x1"]), np.column_stack([x1 * x2, x1]))
    assert datasets.features(np.zeros((0, 2)), ["x2"]).shape == (0, 1)


@pytest.mark.parametrize(
    "names, message",
    [([], "at least one"), (["x1", "x3"], "unknown feature 'x3'"), ("x1", "list"), (["x1", "x1"], "repeat")],
)
def test_features_bad_names(names: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        datasets.features(np.zeros((3, 2)), names)  # type: ignore[arg-type]


def test_features_bad_shape() -> None:
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        datasets.features(np.zeros((3, 3)), ["x1"])


@pytest.mark.parametrize(
    "n, fraction, n_test", [(100, 0.2, 20), (101, 0.2, 21), (10, 0.3, 3), (5, 0.0, 0), (2, 0.01, 1)]
)
def test_split_sizes(n: int, fraction: float, n_test: int) -> None:
    ds = datasets.get("gaussians")(n, 0.1, 0)
    X_train, y_train, X_test, y_test = datasets.split(ds, fraction, seed=1)
    assert X_test.shape == (n_test, 2) and y_test.shape == (n_test,)
    assert X_train.shape == (n - n_test, 2) and y_train.shape == (n - n_test,)
    # a partition of the rows, labels kept with their points
    together = np.concatenate([np.column_stack([X_train, y_train]), np.column_stack([X_test, y_test])])
    original = np.column_stack([ds.X, ds.y])
    np.testing.assert_array_equal(together[np.lexsort(together.T)], original[np.lexsort(original.T)])
    X_train[...] = 0  # copies, writable
    again = datasets.split(ds, fraction, seed=1)
    np.testing.assert_array_equal(again[2], X_test)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5, math.nan, "half"])
def test_split_bad_fraction(fraction: object) -> None:
    with pytest.raises(ValueError, match="test_fraction"):
        datasets.split(datasets.get("xor")(10, 0.0, 0), fraction, 0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# IDX
# --------------------------------------------------------------------------------------------

IDX_CODES = {"uint8": 0x08, "int8": 0x09, "int16": 0x0B, "int32": 0x0C, "float32": 0x0D, "float64": 0x0E}


def idx_bytes(array: np.ndarray, code: int | None = None) -> bytes:
    """Encode an array as IDX independently of the reader: header by struct, data big-endian."""
    code = IDX_CODES[array.dtype.name] if code is None else code
    header = struct.pack(">HBB", 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path: Path, payload: bytes) -> Path:
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
    return path


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", list(IDX_CODES))
def test_idx_round_trip(tmp_path: Path, dtype: str, suffix: str) -> None:
    rng = np.random.default_rng(0)
    values = rng.uniform(-100, 100, (3, 4, 5))
    array = values.astype(dtype) if dtype != "uint8" else rng.integers(0, 256, (3, 4, 5)).astype(np.uint8)
    back = datasets.read_idx(write(tmp_path / f"a-{dtype}{suffix}", idx_bytes(array)))
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    assert back.flags.writeable
    np.testing.assert_array_equal(back, array)


def test_idx_1d_and_empty(tmp_path: Path) -> None:
    labels = np.arange(10, dtype=np.uint8)
    np.testing.assert_array_equal(datasets.read_idx(write(tmp_path / "l.gz", idx_bytes(labels))), labels)
    empty = np.zeros((0, 28, 28), dtype=np.uint8)
    assert datasets.read_idx(write(tmp_path / "e", idx_bytes(empty))).shape == (0, 28, 28)


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    array = np.arange(6, dtype=np.int32).reshape(2, 3)
    raw_named_gz = tmp_path / "raw.gz"
    raw_named_gz.write_bytes(idx_bytes(array))
    np.testing.assert_array_equal(datasets.read_idx(raw_named_gz), array)


GOOD = idx_bytes(np.arange(24, dtype=np.uint8).reshape(2, 3, 4))


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"\x01\x02" + GOOD[2:], "magic number 0x0102"),
        (GOOD[:2] + b"\x07" + GOOD[3:], "unknown IDX type code 0x07"),
        (GOOD[:-1], "truncated"),
        (GOOD + b"\x00", "too long"),
        (GOOD[:10], "truncated IDX header"),
        (b"\x00", "too short"),
        (b"", "too short"),
    ],
)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_bad_files(tmp_path: Path, payload: bytes, message: str, suffix: str) -> None:
    path = write(tmp_path / f"broken-file{suffix}", payload)
    with pytest.raises(ValueError, match=message) as info:
        datasets.read_idx(path)
    assert "broken-file" in str(info.value)


def test_idx_damaged_gzip(tmp_path: Path) -> None:
    path = tmp_path / "cut-short.gz"
    path.write_bytes(gzip.compress(GOOD * 50)[:-20])
    with pytest.raises(ValueError, match="cut-short.gz.*damaged gzip"):
        datasets.read_idx(path)


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


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[str, dict[str, bytes]]]:
    """A local HTTP server serving fake MNIST files: (base URL, name -> bytes)."""
    files = fake_mnist_files(tmp_path / "served")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path / "served"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", files
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def use_mirror(monkeypatch: pytest.MonkeyPatch, mirrors: tuple[str, ...], files: dict[str, bytes]) -> None:
    monkeypatch.setattr(datasets, "MNIST_MIRRORS", mirrors)
    monkeypatch.setattr(
        datasets, "MNIST_SHA256", {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part") or p.name.startswith("."))


def test_shared_mnist_constant_matches_layout() -> None:
    assert datasets.SHARED_MNIST == SHARED


def test_load_shared_mnist() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"shared MNIST folder {SHARED} is absent")
    mnist = datasets.load_mnist(SHARED, verify=True)
    assert mnist.source == str(SHARED)
    assert mnist.X_train.shape == (5000, 28, 28) and mnist.X_test.shape == (10000, 28, 28)
    assert mnist.y_train.shape == (5000,) and mnist.y_test.shape == (10000,)
    for X, y in ((mnist.X_train, mnist.y_train), (mnist.X_test, mnist.y_test)):
        assert X.dtype == np.float32 and y.dtype == np.int64
        assert X.min() == 0.0 and X.max() == 1.0
        assert set(np.unique(y)) == set(range(10))
    assert np.all(np.bincount(mnist.y_train) == 500)  # the README: 500 per digit


def test_default_folder_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets, "SHARED_MNIST", tmp_path / "no-shared")
    cache = tmp_path / "cache"
    assert datasets.default_mnist_folder(cache) is None
    fake_mnist_files(cache)
    assert datasets.default_mnist_folder(cache) == cache
    shared = tmp_path / "shared"
    fake_mnist_files(shared, train_prefix="train-5k")
    monkeypatch.setattr(datasets, "SHARED_MNIST", shared)
    assert datasets.default_mnist_folder(cache) == shared
    monkeypatch.setenv("NNVIZ_MNIST", str(tmp_path))
    assert datasets.default_mnist_folder(cache) == tmp_path
    # the XDG cache is the default cache folder
    monkeypatch.delenv("NNVIZ_MNIST")
    monkeypatch.setattr(datasets, "SHARED_MNIST", tmp_path / "no-shared")
    xdg = Path(datasets.os.environ["XDG_CACHE_HOME"]) / "nnviz" / "mnist"
    assert datasets.default_cache_dir() == xdg
    assert datasets.default_mnist_folder() is None
    fake_mnist_files(xdg)
    assert datasets.default_mnist_folder() == xdg


def test_load_local_folder_raw_and_subset(tmp_path: Path) -> None:
    fake_mnist_files(tmp_path / "sub", n_train=12, train_prefix="train-5k")
    mnist = datasets.load_mnist(tmp_path / "sub")
    assert mnist.X_train.shape == (12, 28, 28) and mnist.X_test.shape == (10, 28, 28)
    assert mnist.X_train.max() == 1.0 and mnist.X_train.min() >= 0.0
    # full files win over the subset; uncompressed files work too
    files = fake_mnist_files(tmp_path / "sub", n_train=30)
    raw = tmp_path / "sub" / "t10k-images-idx3-ubyte"
    raw.write_bytes(gzip.decompress(files["t10k-images-idx3-ubyte.gz"]))
    (tmp_path / "sub" / "t10k-images-idx3-ubyte.gz").unlink()
    mnist = datasets.load_mnist(tmp_path / "sub")
    assert mnist.X_train.shape == (30, 28, 28) and mnist.X_test.shape == (10, 28, 28)


def test_mismatched_label_count(tmp_path: Path) -> None:
    fake_mnist_files(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(9, np.uint8))))
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz.*expected 10"):
        datasets.load_mnist(tmp_path)


def test_missing_files_give_guidance(tmp_path: Path) -> None:
    with pytest.raises(datasets.MnistUnavailable) as info:
        datasets.load_mnist(tmp_path / "nowhere")
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "does not exist" in message and "NNVIZ_MNIST=/path" in message
    assert all(name in message for name in datasets.MNIST_FILES)


def test_download_via_local_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, dict[str, bytes]]
) -> None:
    url, files = mirror
    # the first mirror is down: the loader moves on to the second
    use_mirror(monkeypatch, (f"http://127.0.0.1:{closed_port()}/", url), files)
    calls: list[tuple[int, int]] = []
    target = tmp_path / "downloaded"
    mnist = datasets.load_mnist(target, download=True, progress=lambda done, total: calls.append((done, total)))
    assert mnist.X_train.shape == (20, 28, 28) and mnist.y_test.shape == (10,)
    assert mnist.source == str(target)
    for name, data in files.items():
        assert (target / name).read_bytes() == data
    assert leftovers(target) == []
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(d <= t for d, t in calls)
    assert calls[-1] == (sum(map(len, files.values())),) * 2
    # now present: no network needed
    monkeypatch.setattr(datasets, "MNIST_MIRRORS", ())
    assert datasets.load_mnist(target, download=True).X_train.shape == (20, 28, 28)


def test_download_only_missing_into_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, dict[str, bytes]]
) -> None:
    url, files = mirror
    use_mirror(monkeypatch, (url,), files)
    monkeypatch.setattr(datasets, "SHARED_MNIST", tmp_path / "no-shared")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "t10k-labels-idx1-ubyte.gz").write_bytes(files["t10k-labels-idx1-ubyte.gz"])
    calls: list[tuple[int, int]] = []
    mnist = datasets.load_mnist(download=True, cache_dir=cache, progress=lambda d, t: calls.append((d, t)))
    assert mnist.source == str(cache)
    expected = sum(len(data) for name, data in files.items() if name != "t10k-labels-idx1-ubyte.gz")
    assert calls[-1] == (expected, expected)


def test_checksum_mismatch_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, dict[str, bytes]]
) -> None:
    url, files = mirror
    use_mirror(monkeypatch, (url,), files)
    sums = dict(datasets.MNIST_SHA256)
    sums["train-labels-idx1-ubyte.gz"] = "0" * 64
    monkeypatch.setattr(datasets, "MNIST_SHA256", sums)
    target = tmp_path / "downloaded"
    with pytest.raises(ValueError, match="checksum mismatch for train-labels-idx1-ubyte.gz"):
        datasets.load_mnist(target, download=True)
    assert not (target / "train-labels-idx1-ubyte.gz").exists()
    assert leftovers(target) == []


def test_verify_local_checksums(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = fake_mnist_files(tmp_path)
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    monkeypatch.setattr(datasets, "MNIST_SHA256", sums)
    datasets.load_mnist(tmp_path, verify=True)
    monkeypatch.setattr(datasets, "MNIST_SHA256", {**sums, "t10k-images-idx3-ubyte.gz": "f" * 64})
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: sha256"):
        datasets.load_mnist(tmp_path, verify=True)


def test_offline_gives_guidance(tmp_path: Path) -> None:
    target = tmp_path / "offline"
    with pytest.raises(datasets.MnistUnavailable) as info:
        datasets.load_mnist(target, download=True)
    message = str(info.value)
    assert "could not download" in message and "127.0.0.1" in message
    assert "NNVIZ_MNIST=/path" in message and "train-images-idx3-ubyte.gz" in message
    assert leftovers(target) == []


def test_engine_import_is_ui_free() -> None:
    code = "import sys, nnviz.data.datasets; assert 'streamlit' not in sys.modules and 'plotly' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("name", datasets.names())
def test_every_set_has_a_label_and_a_task(name: str) -> None:
    assert datasets.label(name) and datasets.DATASETS.get(name).task in datasets.TASKS
    assert name in datasets.names_by_task(datasets.get(name)(10, 0.0, 0).task)
    assert datasets.label("xor") == "XOR" and datasets.label("sine") == "Sine (regression)"
