"""Shared test set-up: the project root on sys.path, and where the shared data lives."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots; git-ignored

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if os.environ.get("NNVIZ_THROWAWAY") == "1":  # tests/test_extension_points.py: new entries, registry-wide
    from tests import throwaway

    throwaway.register()


@pytest.fixture(scope="session")
def mnist_folder() -> Path:
    """The shared MNIST folder; skips the test with the reason where it is absent."""
    if not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"shared MNIST data not found at {SHARED_MNIST} (see README: 'MNIST data')")
    return SHARED_MNIST
