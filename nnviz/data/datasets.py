"""Datasets: toy 2D sets for the playground, an IDX reader, and MNIST (local, cached or downloaded).

Toy sets live in the ``DATASETS`` registry; each entry is ``make(n, noise, seed) -> Dataset2D``
with ``X`` (n, 2) float64 inside ``DOMAIN`` (all points at ``noise=0``, most points at
``noise=1``) and ``y`` (n,) int64 labels (classification) or float64 targets (regression).
``noise`` is a fraction: 0 is clean, 1 is the noisiest setting the UI offers (larger values
are allowed). Arrays in ``Dataset2D`` and ``Mnist`` are read-only: copy before editing in place.

MNIST comes from ``load_mnist``: a folder you pass, else ``$NNVIZ_MNIST``, the shared
development folder (``SHARED_MNIST``) or the user cache; with ``download=True`` the missing
official files are fetched from ``MNIST_MIRRORS`` and checked against ``MNIST_SHA256``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.client
import math
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from nnviz.nn.hyperparams import check_integer, check_number
from nnviz.nn.registry import Registry

# --------------------------------------------------------------------------------------------
# Toy 2D datasets
# --------------------------------------------------------------------------------------------

#: The square (low, high) x (low, high) that holds the toy data; pages plot about this plane.
DOMAIN: tuple[float, float] = (-1.5, 1.5)
#: Upper bound on ``n``, so a bad number cannot exhaust memory.
MAX_SAMPLES = 1_000_000
#: Standard deviation of the Gaussian jitter at ``noise=1`` (a tenth of the width of [-1, 1]).
NOISE_SCALE = 0.2

Task = Literal["classification", "regression"]
TASKS: tuple[str, ...] = ("classification", "regression")


@dataclass(frozen=True, eq=False)
class Dataset2D:
    """A toy dataset: ``X`` (n, 2) float64; ``y`` (n,) int64 labels or float64 targets."""

    X: np.ndarray
    y: np.ndarray
    task: Task
    n_classes: int  # 0 for regression
    name: str

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        X = np.array(self.X, dtype=np.float64)  # a private copy, so freezing it is safe
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (n, 2), got {X.shape}")
        y_dtype = np.int64 if self.task == "classification" else np.float64
        y = np.array(self.y, dtype=y_dtype)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        if self.task == "classification":
            if self.n_classes < 2:
                raise ValueError(f"a classification set needs n_classes >= 2, got {self.n_classes}")
            if y.size and (y.min() < 0 or y.max() >= self.n_classes):
                raise ValueError(f"labels must be in [0, {self.n_classes}), got {y.min()}..{y.max()}")
        elif self.n_classes != 0:
            raise ValueError(f"a regression set has n_classes 0, got {self.n_classes}")
        X.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


DatasetFn = Callable[[int, float, int], Dataset2D]
DATASETS: Registry[DatasetFn] = Registry("dataset")


def get(name: str) -> DatasetFn:
    """The generator ``make(n, noise, seed) -> Dataset2D`` registered as ``name``."""
    return DATASETS.get(name)


def names() -> list[str]:
    """Registered toy set names, in UI order."""
    return DATASETS.names()


def label(name: str) -> str:
    """The set's name as the pages show it ("XOR", "Sine (regression)")."""
    return DATASETS.get(name).label


def names_by_task(task: str) -> list[str]:
    """Registered set names of one task ("classification" or "regression"), in UI order."""
    return [n for n in DATASETS.names() if DATASETS.get(n).task == task]


def _balanced_labels(n: int, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """(n,) int64 labels in shuffled order; class counts differ by at most one."""
    return rng.permutation(np.arange(n, dtype=np.int64) % n_classes)


def register_toy(name: str, task: Task, n_classes: int = 2, label: str = "") -> Callable[[Callable], DatasetFn]:
    """Register ``gen(n, noise, rng) -> (X, y)`` as a validated ``make(n, noise, seed)``, shown
    in the pages as ``label`` (default: the name, capitalized; regression sets say so)."""
    n_classes = n_classes if task == "classification" else 0

    def decorator(gen: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]) -> DatasetFn:
        @functools.wraps(gen)
        def make(n: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset2D:
            n = check_integer(n, "n", 2, MAX_SAMPLES)
            noise = check_number(noise, "noise")
            rng = np.random.default_rng(check_integer(seed, "seed", 0))
            X, y = gen(n, noise, rng)
            return Dataset2D(X=X, y=y, task=task, n_classes=n_classes, name=name)

        make.label = label or name.replace("_", " ").capitalize() + (" (regression)" if task == "regression" else "")
        make.task = task
        DATASETS.register(name)(make)
        return make

    return decorator


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


# Every generator draws the same random numbers whatever the noise, so for a fixed seed the
# noise slider jitters the same points instead of drawing new ones.


@register_toy("circles", "classification")
def circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 in the disk r <= 0.5, class 0 in the ring 0.7 <= r <= 1; jitter std 0.2 * noise."""
    y = _balanced_labels(n, 2, rng)
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    u = rng.uniform(0.0, 1.0, n)
    r = np.where(y == 1, 0.5 * u, 0.7 + 0.3 * u)
    X = _polar(r, angle) + NOISE_SCALE * noise * rng.standard_normal((n, 2))
    return X, y


@register_toy("xor", "classification", label="XOR")
def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform in [-1, 1]^2 minus a 0.05 band on the axes; class 1 where x1 * x2 > 0."""
    y = _balanced_labels(n, 2, rng)
    sign1 = rng.integers(0, 2, n) * 2 - 1
    magnitude = rng.uniform(0.05, 1.0, (n, 2))
    sign2 = np.where(y == 1, sign1, -sign1)
    X = magnitude * np.column_stack([sign1, sign2])
    X = X + NOISE_SCALE * noise * rng.standard_normal((n, 2))
    return X, y


@register_toy("gaussians", "classification")
def gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two round blobs at (-0.5, -0.5) (class 0) and (0.5, 0.5) (class 1), std 0.2 + 0.3 * noise."""
    y = _balanced_labels(n, 2, rng)
    centers = np.where(y[:, None] == 1, 0.5, -0.5)
    X = centers + (0.2 + 0.3 * noise) * rng.standard_normal((n, 2))
    return X, y


@register_toy("spiral", "classification")
def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two arms r = 0.1 + 0.9 t, angle = 3.5 pi t (+ pi for class 1), t ~ U[0, 1]; jitter 0.2 * noise.

    Arms are 0.9 / 3.5 ~ 0.26 apart radially at noise 0.
    """
    y = _balanced_labels(n, 2, rng)
    t = rng.uniform(0.0, 1.0, n)
    X = _polar(0.1 + 0.9 * t, 3.5 * np.pi * t + np.pi * y)
    X = X + NOISE_SCALE * noise * rng.standard_normal((n, 2))
    return X, y


@register_toy("moons", "classification")
def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (scikit-learn's moons) scaled into [-1, 1] x [-0.5, 0.5]."""
    y = _balanced_labels(n, 2, rng)
    theta = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(theta), np.sin(theta)])
    lower = np.column_stack([1.0 - np.cos(theta), 0.5 - np.sin(theta)])
    X = (np.where(y[:, None] == 1, lower, upper) - [0.5, 0.25]) / 1.5
    X = X + NOISE_SCALE * noise * rng.standard_normal((n, 2))
    return X, y


@register_toy("plane", "regression")
def plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """X ~ U[-1, 1]^2; y = (x1 + x2) / 2 + 0.2 * noise * N(0, 1)."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    y = 0.5 * (X[:, 0] + X[:, 1]) + NOISE_SCALE * noise * rng.standard_normal(n)
    return X, y


@register_toy("sine", "regression")
def sine(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """X ~ U[-1, 1]^2; y = sin(pi x1) cos(pi x2 / 2) + 0.2 * noise * N(0, 1)."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    y = np.sin(np.pi * X[:, 0]) * np.cos(0.5 * np.pi * X[:, 1]) + NOISE_SCALE * noise * rng.standard_normal(n)
    return X, y


def split(ds: Dataset2D, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random split -> X_train (n - m, 2), y_train (n - m,), X_test (m, 2), y_test (m,).

    m = ceil(n * test_fraction), at least 1 when test_fraction > 0 and at most n - 1.
    Not stratified. The arrays are fresh (writable) copies.
    """
    try:
        fraction = float(test_fraction)
    except (TypeError, ValueError):
        raise ValueError(f"test_fraction must be a number in [0, 1), got {test_fraction!r}") from None
    if not (math.isfinite(fraction) and 0.0 <= fraction < 1.0):
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction!r}")
    n = int(ds.X.shape[0])
    n_test = 0 if fraction == 0.0 else min(max(math.ceil(n * fraction - 1e-9), 1), n - 1)
    order = np.random.default_rng(check_integer(seed, "seed", 0)).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return ds.X[train], ds.y[train], ds.X[test], ds.y[test]


#: Input features the playground offers, in its order.
FEATURE_NAMES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")

_FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin x1": lambda x1, x2: np.sin(x1),
    "sin x2": lambda x1, x2: np.sin(x2),
}


def features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Map points X (n, 2) to the chosen feature columns (n, k), in the order of ``names``."""
    if isinstance(names, str):
        raise ValueError(f"names must be a list of feature names, got the string {names!r}")
    chosen = list(names)
    if not chosen:
        raise ValueError(f"choose at least one feature from {', '.join(FEATURE_NAMES)}")
    for name in chosen:
        if name not in _FEATURES:
            raise ValueError(f"unknown feature {name!r}; known: {', '.join(FEATURE_NAMES)}")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"features must not repeat, got {chosen}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([_FEATURES[name](x1, x2) for name in chosen])


# --------------------------------------------------------------------------------------------
# IDX files
# --------------------------------------------------------------------------------------------

#: IDX type code -> big-endian dtype.
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file, gzip-compressed (detected by its magic bytes) or raw.

    Returns a writable array in native byte order with the file's shape and type. A damaged
    file raises ``ValueError`` naming the file and the problem.
    """
    path = Path(path)
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"{path}: damaged gzip data ({error})") from None
    if len(data) < 4:
        raise ValueError(f"{path}: too short for an IDX header ({len(data)} bytes, need at least 4)")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file: magic number 0x{data[:4].hex()} does not start with two zero bytes")
    code, ndim = data[2], data[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_TYPES)
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X} (known: {known})")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path}: truncated IDX header: {ndim} dimensions need {header} bytes, file has {len(data)}")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_TYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    actual = len(data) - header
    if actual != expected:
        problem = "truncated" if actual < expected else "too long"
        raise ValueError(
            f"{path}: IDX data {problem}: shape {shape} of {dtype.name} needs {expected} bytes, found {actual}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


# --------------------------------------------------------------------------------------------
# MNIST
# --------------------------------------------------------------------------------------------

#: The shared development folder, a sibling of the checkout (<root>/../shared/data/mnist).
_HERE = Path(__file__).resolve()
SHARED_MNIST: Path = _HERE.parents[min(3, len(_HERE.parents) - 1)] / "shared" / "data" / "mnist"

#: Official file names: train images, train labels, test images, test labels.
MNIST_FILES: tuple[str, ...] = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
#: Base URLs tried in order; a file's URL is base + file name.
MNIST_MIRRORS: tuple[str, ...] = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
#: sha256 of the published files, from ../shared/data/mnist/README.md; the two t10k sums were
#: also checked against the shared copies, which are byte-identical to the published files.
MNIST_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
#: Published sizes in bytes, for an overall progress total before each download starts.
MNIST_SIZES: dict[str, int] = {
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
}
#: sha256 of the shared 5,000-image training subset (from ../shared/data/mnist/README.md).
MNIST_5K_SHA256: dict[str, str] = {
    "train-5k-images-idx3-ubyte.gz": "7dd1fc8d250ceb79c460321c7dcfd5cdf4de81552d7a17a36ca3810a00865082",
    "train-5k-labels-idx1-ubyte.gz": "070bee7a874a690e0d87d865f2d1988c9478633a6a0a0351a0f2e701eadf444e",
}

_ROLES = ("train_images", "train_labels", "test_images", "test_labels")
_FULL_STEMS = dict(zip(_ROLES, (name.removesuffix(".gz") for name in MNIST_FILES), strict=True))
_SUBSET_STEMS = {"train_images": "train-5k-images-idx3-ubyte", "train_labels": "train-5k-labels-idx1-ubyte"}
_GUIDANCE = (
    f"put the four IDX files ({', '.join(MNIST_FILES)}; uncompressed copies work too) "
    "in a folder and pass it, or set NNVIZ_MNIST=/path"
)
_CHUNK = 1 << 16
_TIMEOUT = 30.0


class MnistUnavailable(ValueError):
    """MNIST files are missing and could not be downloaded; the message says what to do."""


class ChecksumMismatch(ValueError):
    """A downloaded or local file's sha256 differs from the published one."""


@dataclass(frozen=True, eq=False)
class Mnist:
    """MNIST images (n, 28, 28) float32 in [0, 1] (white ink on black) and (n,) int64 labels 0-9."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source: str  # the folder the files came from


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/nnviz/mnist``, or ``~/.cache/nnviz/mnist``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nnviz" / "mnist"


def _existing(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def _locate(folder: Path) -> dict[str, Path | None]:
    """role -> file; the full training pair wins, else the 5k subset pair if complete."""
    found = {role: _existing(folder, stem) for role, stem in _FULL_STEMS.items()}
    if found["train_images"] is None or found["train_labels"] is None:
        subset = {role: _existing(folder, stem) for role, stem in _SUBSET_STEMS.items()}
        if all(subset.values()):
            found.update(subset)
    return found


def _complete(folder: Path) -> bool:
    return folder.is_dir() and all(_locate(folder).values())


def default_mnist_folder(cache_dir: Path | None = None) -> Path | None:
    """First of: the ``$NNVIZ_MNIST`` folder (if it exists), ``SHARED_MNIST`` and the cache
    folder (each only if it holds a complete set); ``None`` when there is none."""
    env = os.environ.get("NNVIZ_MNIST")
    if env and Path(env).expanduser().is_dir():
        return Path(env).expanduser()
    for folder in (SHARED_MNIST, Path(cache_dir) if cache_dir is not None else default_cache_dir()):
        if _complete(folder):
            return folder
    return None


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _fetch(url: str, folder: Path, name: str, expected_sha256: str, report: Callable[[int, int | None], None]) -> Path:
    """Stream url to a temp file in folder, check its sha256, move it to folder/name atomically.

    ``report(n_bytes, content_length)`` is called per chunk (and once with 0 on connect).
    Network errors propagate as OSError / HTTPException; a checksum mismatch raises ValueError.
    """
    fd, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    temp = Path(temp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            report(0, int(length) if length and length.isdigit() else None)
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                report(len(chunk), None)
        if digest.hexdigest() != expected_sha256:
            raise ChecksumMismatch(
                f"checksum mismatch for {name} from {url}: sha256 {digest.hexdigest()}, "
                f"expected {expected_sha256}; the file was discarded"
            )
        target = folder / name
        os.replace(temp, target)
        return target
    finally:
        temp.unlink(missing_ok=True)


def download_mnist(
    folder: str | os.PathLike[str],
    files: Sequence[str] = MNIST_FILES,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Download ``files`` (official names) into ``folder`` from the first mirror that answers.

    ``progress(bytes_done, bytes_total)`` counts over all files; the total starts from
    ``MNIST_SIZES`` and is corrected from each response's Content-Length. Raises
    ``MnistUnavailable`` when no mirror answers, ``ValueError`` on a checksum mismatch.
    """
    folder = Path(folder).expanduser()
    mirrors, sums, sizes = tuple(MNIST_MIRRORS), dict(MNIST_SHA256), dict(MNIST_SIZES)
    unknown = [name for name in files if name not in sums]
    if unknown:
        raise ValueError(f"no known sha256 for {unknown[0]!r}; downloadable: {', '.join(sums)}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MnistUnavailable(f"cannot create the MNIST folder {folder} ({error}); {_GUIDANCE}") from None

    expected = {name: sizes.get(name, 0) for name in files}
    state = {"done": 0, "total": sum(expected.values())}
    saved: list[Path] = []
    for name in files:
        base_done = state["done"]

        def report(n_bytes: int, length: int | None, name: str = name) -> None:
            if length is not None:
                state["total"] += length - expected[name]
                expected[name] = length
            state["done"] += n_bytes
            # a server without Content-Length: keep total >= done
            state["total"] = max(state["total"], state["done"])
            if progress is not None:
                progress(state["done"], state["total"])

        errors: list[str] = []
        mismatch: ChecksumMismatch | None = None
        for base in mirrors:
            url = base + name
            try:
                saved.append(_fetch(url, folder, name, sums[name], report))
                break
            except ChecksumMismatch as error:
                mismatch = error  # a damaged mirror: try the next one, report if none is good
            except ValueError as error:  # e.g. a malformed mirror URL
                errors.append(f"{url}: {error}")
            except (OSError, http.client.HTTPException) as error:
                reason = error.reason if isinstance(error, urllib.error.URLError) else error
                errors.append(f"{url}: {reason}")
            state["done"] = base_done  # the next mirror starts this file over
        else:
            if mismatch is not None:
                raise mismatch
            tried = "; ".join(errors) or "no mirrors configured"
            raise MnistUnavailable(
                f"could not download {name} (offline?): {tried}. To use MNIST without a download, {_GUIDANCE}"
            )
    return saved


def _check_sums(found: dict[str, Path]) -> None:
    known = {**MNIST_SHA256, **MNIST_5K_SHA256}
    for path in found.values():
        if path.name in known and _sha256(path) != known[path.name]:
            raise ChecksumMismatch(f"{path}: sha256 does not match the published sum {known[path.name]}")


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"{images_path}: expected uint8 images of shape (n, 28, 28), got {images.dtype} {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise ValueError(
            f"{labels_path}: expected {images.shape[0]} uint8 labels to match {images_path.name}, "
            f"got {labels.dtype} {labels.shape}"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_path}: labels must be digits 0-9, found {labels.max()}")
    X = images.astype(np.float32)
    X /= 255.0
    y = labels.astype(np.int64)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def load_mnist(
    folder: str | os.PathLike[str] | None = None,
    *,
    download: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cache_dir: Path | None = None,
    verify: bool = False,
) -> Mnist:
    """Load MNIST -> ``Mnist`` with X (n, 28, 28) float32 in [0, 1] and y (n,) int64.

    ``folder=None`` uses ``default_mnist_folder(cache_dir)``, else the cache folder. In the
    folder the full training files win; the shared 5k subset (train-5k-*) stands in for them.
    Missing files raise ``MnistUnavailable`` unless ``download=True``, which fetches the
    missing official files into the folder (``progress(bytes_done, bytes_total)``).
    ``verify=True`` checks each file whose name has a known sha256 (the gzip files).
    """
    if folder is not None:
        chosen = Path(folder).expanduser()
    else:
        cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        chosen = default_mnist_folder(cache) or cache
    found = _locate(chosen)
    missing = [role for role in _ROLES if found[role] is None]
    if missing:
        wanted = [f"{_FULL_STEMS[role]}.gz" for role in missing]
        if not download:
            where = "" if chosen.is_dir() else " (the folder does not exist)"
            raise MnistUnavailable(
                f"MNIST files not found in {chosen}{where}: missing {', '.join(wanted)}. "
                f"To fix: {_GUIDANCE}; or pass download=True to fetch them"
            )
        download_mnist(chosen, wanted, progress=progress)
        found = _locate(chosen)
    paths = {role: path for role, path in found.items() if path is not None}
    if verify:
        _check_sums(paths)
    X_train, y_train = _read_pair(paths["train_images"], paths["train_labels"])
    X_test, y_test = _read_pair(paths["test_images"], paths["test_labels"])
    return Mnist(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test, source=str(chosen))
