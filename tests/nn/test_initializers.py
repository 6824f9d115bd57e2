"""Every initializer: shape, dtype, determinism, and the variance its formula promises."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.nn import initializers
from nnviz.nn.initializers import fans

NAMES = initializers.names()
SHAPE = (400, 300)


def test_registry_has_the_required_schemes():
    for name in ("zeros", "random_normal", "random_uniform", "xavier_uniform", "xavier_normal", "he_normal", "he_uniform"):
        assert name in NAMES
    assert initializers.get("xavier") is initializers.get("xavier_uniform")
    assert initializers.get("he") is initializers.get("he_normal")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_dtype_and_determinism(name, dtype):
    init = initializers.get(name)
    a = init(SHAPE, np.random.default_rng(0), dtype)
    assert a.shape == SHAPE and a.dtype == dtype
    assert np.array_equal(a, init(SHAPE, np.random.default_rng(0), dtype))
    if name != "zeros":
        assert not np.array_equal(a, init(SHAPE, np.random.default_rng(1), dtype))


EXPECTED_STD = {
    "zeros": 0.0,
    "random_normal": 0.01,
    "random_uniform": 0.05 / np.sqrt(3),
    "xavier_uniform": np.sqrt(2 / (400 + 300)),
    "xavier_normal": np.sqrt(2 / (400 + 300)),
    "he_normal": np.sqrt(2 / 400),
    "he_uniform": np.sqrt(2 / 400),
}


@pytest.mark.parametrize("name", NAMES)
def test_standard_deviation_follows_the_formula(name):
    """Against the reference std where this table has one; any entry: finite, centred, not tiny."""
    a = initializers.get(name)(SHAPE, np.random.default_rng(0), np.float64)
    if name not in EXPECTED_STD:
        assert np.all(np.isfinite(a)) and abs(a.mean()) < 0.1 * a.std() and a.std() > 1e-4
        return
    assert abs(a.mean()) < 0.01 * max(EXPECTED_STD[name], 1e-3) + 1e-3
    assert a.std() == pytest.approx(EXPECTED_STD[name], rel=0.02, abs=1e-12)


def test_fans_of_dense_and_conv_shapes():
    assert fans((784, 256)) == (784, 256)
    assert fans((3, 3, 16, 32)) == (3 * 3 * 16, 3 * 3 * 32)
    with pytest.raises(ValueError, match="positive sizes"):
        fans((0, 3))


def test_bad_settings():
    with pytest.raises(ValueError, match="std must be > 0"):
        initializers.get("random_normal")((2, 2), np.random.default_rng(0), std=0)
    with pytest.raises(ValueError, match="unknown initializer 'not-an-initializer'"):
        initializers.get("not-an-initializer")


@pytest.mark.parametrize("name", NAMES)
def test_every_initializer_describes_itself(name):
    text = initializers.description(name)
    assert text and "\n" not in text
