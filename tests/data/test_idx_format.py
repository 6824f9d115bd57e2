"""nnviz.data.idx_format: reading IDX files, plain and gzipped, and rejecting broken ones."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from nnviz.data import idx_format
from tests.data.idx_files import IDX_CODES, idx_bytes

# --------------------------------------------------------------------------------------------
# IDX
# --------------------------------------------------------------------------------------------


def write(path: Path, payload: bytes) -> Path:
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
    return path


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", list(IDX_CODES))
def test_idx_round_trip(tmp_path: Path, dtype: str, suffix: str) -> None:
    rng = np.random.default_rng(0)
    values = rng.uniform(-100, 100, (3, 4, 5))
    array = values.astype(dtype) if dtype != "uint8" else rng.integers(0, 256, (3, 4, 5)).astype(np.uint8)
    back = idx_format.read_idx(write(tmp_path / f"a-{dtype}{suffix}", idx_bytes(array)))
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    assert back.flags.writeable
    np.testing.assert_array_equal(back, array)


def test_idx_1d_and_empty(tmp_path: Path) -> None:
    labels = np.arange(10, dtype=np.uint8)
    np.testing.assert_array_equal(idx_format.read_idx(write(tmp_path / "l.gz", idx_bytes(labels))), labels)
    empty = np.zeros((0, 28, 28), dtype=np.uint8)
    assert idx_format.read_idx(write(tmp_path / "e", idx_bytes(empty))).shape == (0, 28, 28)


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    array = np.arange(6, dtype=np.int32).reshape(2, 3)
    raw_named_gz = tmp_path / "raw.gz"
    raw_named_gz.write_bytes(idx_bytes(array))
    np.testing.assert_array_equal(idx_format.read_idx(raw_named_gz), array)


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
        idx_format.read_idx(path)
    assert "broken-file" in str(info.value)


def test_idx_damaged_gzip(tmp_path: Path) -> None:
    path = tmp_path / "cut-short.gz"
    path.write_bytes(gzip.compress(GOOD * 50)[:-20])
    with pytest.raises(ValueError, match="cut-short.gz.*damaged gzip"):
        idx_format.read_idx(path)


