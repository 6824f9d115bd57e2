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
    """The MNIST folder nnviz itself would use (``NNVIZ_MNIST``, then ../shared/data/mnist beside
    the checkout, then the user cache); skips the test with the reason where there is none."""
    from nnviz.data import mnist_files

    folder = mnist_files.default_mnist_folder()
    if folder is None:
        pytest.skip(f"MNIST not found (NNVIZ_MNIST={os.environ.get('NNVIZ_MNIST', '')!r}, {SHARED_MNIST}, "
                    "the user cache); see README: 'MNIST data'")
    return folder
