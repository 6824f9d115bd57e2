"""MNIST: found locally, cached or downloaded, checksummed, as read-only arrays.

``load_mnist`` takes a folder you pass, else ``$NNVIZ_MNIST``, the shared development folder
(``SHARED_MNIST``) or the user cache; with ``download=True`` the missing official files are
fetched from ``MNIST_MIRRORS`` and checked against ``MNIST_SHA256``.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.data.idx_format import read_idx

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
#: One line for a page that cannot find MNIST (the exception's message has the details).
WHERE_TO_PUT_MNIST = ("the MNIST files are not on this server: put the four IDX files in a folder and start "
                      "nnviz with NNVIZ_MNIST=/that/folder (README: 'MNIST data')")
_CHUNK = 1 << 16
_TIMEOUT = 30.0


class MnistUnavailable(ValueError):
    """MNIST files are missing and could not be downloaded; the message says what to do."""


class OversizedDownload(ValueError):
    """A mirror sent (or announced) more bytes than the file's published size; nothing was kept."""


class TruncatedDownload(OSError):
    """A transfer ended before the size the server announced; nothing was kept."""


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


def _fetch(url: str, folder: Path, name: str, expected_sha256: str, report: Callable[[int, int | None], None],
           max_bytes: int | None = None) -> Path:
    """Stream url to a temp file in folder, check its sha256, move it to folder/name atomically.

    ``report(n_bytes, content_length)`` is called per chunk (and once with 0 on connect). At most
    ``max_bytes`` are read (``OversizedDownload`` beyond, or when the server announces more); a
    transfer shorter than announced raises ``TruncatedDownload``; other network errors propagate as
    OSError / HTTPException; a checksum mismatch raises ``ChecksumMismatch`` (a ValueError).
    """
    fd, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    temp = Path(temp_name)
    try:
        digest = hashlib.sha256()
        received = 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=_TIMEOUT) as response:
            header = response.headers.get("Content-Length")
            length = int(header) if header and header.isdigit() else None
            limit = f"the published size of {name} is {max_bytes:,} bytes; nothing was kept"
            if max_bytes is not None and length is not None and length > max_bytes:
                raise OversizedDownload(f"{url} announced {length:,} bytes, but {limit}")
            report(0, length)
            try:
                while chunk := response.read(_CHUNK):
                    received += len(chunk)
                    if max_bytes is not None and received > max_bytes:
                        raise OversizedDownload(f"{url} sent more than {max_bytes:,} bytes, but {limit}")
                    out.write(chunk)
                    digest.update(chunk)
                    report(len(chunk), None)
            except http.client.IncompleteRead:
                pass  # reported below, with the byte counts
        if length is not None and received < length:
            raise TruncatedDownload(f"the transfer of {name} from {url} was cut short after {received:,} of "
                                    f"{length:,} bytes; the partial file was discarded")
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
                saved.append(_fetch(url, folder, name, sums[name], report, sizes.get(name)))
                break
            except (ChecksumMismatch, OversizedDownload) as error:
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
