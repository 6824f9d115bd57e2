"""One binary message for a live view in the browser: a JSON header and named NumPy arrays.

``pack(header, arrays)`` -> ``bytes``: a 4-byte little-endian header length, the UTF-8 JSON header
(the caller's keys plus an ``arrays`` index listing each array's name, dtype, shape and offset),
then the arrays, each 8-byte aligned, so the browser reads them with typed-array views (no
base64, no JSON numbers). ``unpack`` inverts it. Used by every live view's payload (the
playground's frames, the digits page's training).

Plain NumPy and the standard library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

#: dtypes the browser has typed arrays for (``shared.js``'s TYPES).
PACKABLE = ("u1", "i1", "u2", "i4", "f4", "f8")


def finite(x: float | None) -> float | None:
    """``x`` as a float, or None where it is missing or not finite (JSON has no NaN)."""
    return float(x) if x is not None and math.isfinite(x) else None


def pack(header: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> bytes:
    """One blob: uint32 LE header length, JSON header (with an ``arrays`` index), 8-aligned arrays.
    Supported dtypes: uint8, int8, uint16, int32, float32, float64; NaN in a header raises."""
    index, parts, offset = [], [], 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        little = a.dtype.newbyteorder("<") if a.dtype.byteorder != "|" else a.dtype
        code = little.str.lstrip("<|=")
        if code not in PACKABLE:
            raise ValueError(f"array {name!r}: dtype {a.dtype} is not packable")
        raw = a.astype(little, copy=False).tobytes()
        index.append({"name": name, "dtype": code, "shape": list(a.shape), "offset": offset})
        parts.append(raw + b"\0" * (-len(raw) % 8))
        offset += len(parts[-1])
    head = json.dumps({**header, "arrays": index}, separators=(",", ":"), allow_nan=False).encode()
    head += b" " * (-(4 + len(head)) % 8)  # the body starts 8-aligned
    return len(head).to_bytes(4, "little") + head + b"".join(parts)


def unpack(blob: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Inverse of ``pack``: (header without the index, name -> read-only array view of ``blob``)."""
    n = int.from_bytes(blob[:4], "little")
    header = json.loads(blob[4:4 + n])
    body = memoryview(blob)[4 + n:]
    arrays = {}
    for entry in header.pop("arrays"):
        dt = np.dtype(entry["dtype"]).newbyteorder("<")
        count = int(np.prod(entry["shape"])) if entry["shape"] else 1
        arrays[entry["name"]] = np.frombuffer(body, dt, count, entry["offset"]).reshape(entry["shape"])
    return header, arrays
