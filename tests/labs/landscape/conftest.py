"""Shared data of the landscape lab's tests."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import toy_sets


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    """200 moons points (float32) and their labels."""
    ds = toy_sets.get("moons")(200, 0.5, 0)
    return ds.X.astype(np.float32), ds.y
