"""The live views' binary message: a JSON header and 8-aligned arrays that round-trip exactly."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nnviz.labs.packing import finite, pack, unpack


def test_pack_roundtrip_is_aligned_and_rejects_objects():
    arrays = {"a": np.arange(5, dtype=np.uint8), "b": np.linspace(0, 1, 3, dtype=np.float32),
              "c": np.arange(6, dtype=np.float64).reshape(2, 3), "d": np.array([-1, 2], np.int8),
              "e": np.array([7, 65535], np.uint16), "f": np.array([-3], np.int32)}
    blob = pack({"x": 1, "s": "é"}, arrays)
    head_len = int.from_bytes(blob[:4], "little")
    assert (4 + head_len) % 8 == 0
    header, back = unpack(blob)
    assert header == {"x": 1, "s": "é"}
    for k, v in arrays.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape
        np.testing.assert_array_equal(back[k], v)
    index = json.loads(blob[4:4 + head_len])["arrays"]
    assert all(e["offset"] % 8 == 0 for e in index)
    with pytest.raises(ValueError, match="not packable"):
        pack({}, {"o": np.array(["x"], dtype=object)})
    with pytest.raises(ValueError):
        pack({"bad": float("nan")}, {})  # JSON for the browser: no NaN


def test_big_endian_arrays_arrive_little_endian_and_nan_survives_in_arrays():
    a = np.array([1.5, math.nan, -2.0], dtype=">f4")
    _, back = unpack(pack({}, {"a": a}))
    assert back["a"].dtype == np.dtype("<f4")
    np.testing.assert_array_equal(back["a"], a.astype("<f4"))  # NaN compares equal here


def test_finite_maps_nan_and_inf_to_none():
    assert finite(0.5) == 0.5 and finite(None) is None and finite(math.nan) is None and finite(math.inf) is None
