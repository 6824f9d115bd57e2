"""The mark for the tests that run PyTorch, which is optional (README, "Optional: PyTorch")."""

from __future__ import annotations

import importlib.util

import pytest

HAVE_TORCH = importlib.util.find_spec("torch") is not None
NEEDS_TORCH = pytest.mark.skipif(not HAVE_TORCH, reason="torch not installed: pip install -r requirements-torch.txt "
                                                      "(torch 2.13.0, CPU; see the README, 'Optional: PyTorch')")
