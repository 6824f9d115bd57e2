"""Hostile or broken model files: ``Network.load`` says why in one ``ValueError`` and allocates
nothing big before it has sized the file (the issue's 385-byte file that took a server from 289 MB
to 1.6 GB). Memory is measured with tracemalloc, which sees NumPy's allocations: no timing."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest

from nnviz.nn.layers import BatchNorm, Dense, Dropout
from nnviz.nn.network import MAX_MODEL_VALUES, Network

#: Loading a rejected file may use at most this much memory (the real model here is tiny).
BUDGET = 20_000_000


def model_bytes(config: dict | str, arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz with the architecture record ``config`` (a dict, or raw JSON text) and ``arrays``."""
    buf = io.BytesIO()
    record = config if isinstance(config, str) else json.dumps(config)
    np.savez(buf, __nnviz__=np.array(record), **arrays)
    return buf.getvalue()


def small() -> Network:
    return Network([Dense(3), Dropout(0.2, seed=1), BatchNorm(), Dense(1)], input_shape=(2,), seed=0)


def arrays_of(net: Network) -> dict[str, np.ndarray]:
    out = {f"param:{k}": v for k, v in net.params.items()}
    out.update({f"buffer:{k}": v for k, v in net.buffers().items()})
    return out


def rejected(data: bytes, match: str) -> None:
    """``Network.load(data)`` raises a ValueError matching ``match`` within the memory budget."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            Network.load(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < BUDGET, f"loading a rejected file peaked at {peak / 1e6:.0f} MB"


def test_a_real_model_still_round_trips():
    net = small()
    net.forward(np.random.default_rng(0).normal(size=(8, 2)), training=True)
    twin = Network.load(net.to_bytes())
    assert np.array_equal(twin.get_flat(), net.get_flat())
    for key, value in net.buffers().items():
        assert np.array_equal(twin.buffers()[key], value)


@pytest.mark.parametrize("units", [150_000, 400_000, 10**12])
def test_a_huge_architecture_with_tiny_arrays_is_refused_before_it_is_built(units):
    net = small()
    config = net.config()
    config["layers"][0]["units"] = units
    rejected(model_bytes(config, arrays_of(net)), "bad nnviz model config: more than|does not match|shape")


def test_the_parameter_limit_counts_every_layer():
    config = Network.mlp([2, 4, 1]).config()
    config["input_shape"] = [1000]
    config["layers"] = [{"kind": "dense", "units": 3000}] * 3  # 3M + 9M + 9M values
    rejected(model_bytes(config, {}), f"more than {MAX_MODEL_VALUES:,}")


def test_an_extra_array_is_refused_unread():
    """A member declaring a gigabyte (its data a few bytes here, a 1.2 GB zip bomb in the issue)."""
    net = small()
    data = io.BytesIO(model_bytes(net.config(), arrays_of(net)))
    with zipfile.ZipFile(data, "a") as archive:
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                      "shape": (150_000_000,)})
        archive.writestr("junk.npy", header.getvalue() + b"\0" * 64)
    rejected(data.getvalue(), r"extra \['junk'\]")


def test_an_expected_array_declaring_the_wrong_shape_is_refused_unread():
    net = small()
    data = io.BytesIO()
    arrays = arrays_of(net)
    del arrays["param:dense0.W"]
    np.savez(data, __nnviz__=np.array(json.dumps(net.config())), **arrays)
    with zipfile.ZipFile(data, "a") as archive:
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                      "shape": (100_000, 1000)})
        archive.writestr("param:dense0.W.npy", header.getvalue())
    rejected(data.getvalue(), r"param:dense0.W has shape \(100000, 1000\), expected \(2, 3\)")


@pytest.mark.parametrize("edit, match", [
    (lambda c: c.__setitem__("seed", float("inf")), "Infinity"),
    (lambda c: c.__setitem__("seed", 1e300), "seed must be an integer"),
    (lambda c: c.__setitem__("seed", -1), "seed must be"),
    (lambda c: c.__setitem__("input_shape", [float("inf")]), "Infinity"),
    (lambda c: c.__setitem__("input_shape", [10**9]), "input size"),
    (lambda c: c.__setitem__("input_shape", [1000, 1000, 1000]), "exceeds"),
    (lambda c: c.__setitem__("input_shape", "2"), "input_shape"),
    (lambda c: c.__setitem__("dtype", "int64"), "dtype"),
    (lambda c: c.__setitem__("layers", []), "non-empty"),
    (lambda c: c.__setitem__("layers", [{"kind": "flatten"}] * 600), "600 layers"),
    (lambda c: c["layers"][1].__setitem__("seed", float("inf")), "Infinity"),
    (lambda c: c["layers"][1].__setitem__("rate", float("nan")), "NaN"),
    (lambda c: c["layers"][0].__setitem__("units", "3"), "units"),
    (lambda c: c["layers"][0].__setitem__("bogus", 1), "bad arguments"),
    (lambda c: c["layers"].append({"kind": "not-a-layer"}), "not-a-layer"),
    (lambda c: c.__setitem__("format", 99), "format"),
])
def test_a_bad_architecture_record_gives_one_clear_error(edit, match):
    net = small()
    config = net.config()
    edit(config)
    rejected(model_bytes(config, arrays_of(net)), match)


def test_a_deeply_nested_record_gives_a_clear_error():
    net = small()
    text = json.dumps(net.config())[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    rejected(model_bytes(text, arrays_of(net)), "nested too deeply")


def test_a_record_too_large_or_not_json_gives_a_clear_error():
    net = small()
    rejected(model_bytes("{" + " " * 2_000_000 + "}", arrays_of(net)), "architecture record of")
    rejected(model_bytes("not json", arrays_of(net)), "not JSON")


def test_a_non_float_array_is_refused():
    net = small()
    arrays = arrays_of(net)
    arrays["param:dense0.W"] = np.zeros((2, 3), dtype=np.int64)
    rejected(model_bytes(net.config(), arrays), "finite floats")
