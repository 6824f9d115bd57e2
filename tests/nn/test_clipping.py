"""Gradient-norm clipping: direction kept, length capped, small gradients untouched."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.nn.clipping import clip_global_norm, global_norm


def test_clipping_caps_the_global_norm_and_keeps_the_direction():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    before = {k: v.copy() for k, v in grads.items()}
    assert clip_global_norm(grads, 1.0) == pytest.approx(5.0)
    assert global_norm(grads) == pytest.approx(1.0)
    for k in grads:
        np.testing.assert_allclose(grads[k], before[k] / 5.0)


def test_small_or_non_finite_gradients_are_left_alone_and_bad_limits_refused():
    grads = {"a": np.array([0.3, 0.4])}
    assert clip_global_norm(grads, 1.0) == pytest.approx(0.5) and np.allclose(grads["a"], [0.3, 0.4])
    bad = {"a": np.array([np.inf, 1.0])}
    assert math.isinf(clip_global_norm(bad, 1.0)) and bad["a"][1] == 1.0
    with pytest.raises(ValueError, match="clipping norm"):
        clip_global_norm(grads, 0.0)
