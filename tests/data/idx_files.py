"""IDX files written independently of nnviz's reader (header by struct, data big-endian), for tests."""

from __future__ import annotations

import struct

import numpy as np

IDX_CODES = {"uint8": 0x08, "int8": 0x09, "int16": 0x0B, "int32": 0x0C, "float32": 0x0D, "float64": 0x0E}


def idx_bytes(array: np.ndarray, code: int | None = None) -> bytes:
    """Encode an array as IDX independently of the reader: header by struct, data big-endian."""
    code = IDX_CODES[array.dtype.name] if code is None else code
    header = struct.pack(">HBB", 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()
