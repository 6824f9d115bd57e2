"""nnviz.labs.explain.gradient_check: backprop agrees with finite differences, and a broken
backprop is caught."""

from __future__ import annotations

import pytest

from nnviz.labs.explain.gradient_check import gradient_check
from nnviz.labs.explain.tiny_network import TINY_OUTPUTS, TinyConfig, tiny_network


@pytest.mark.parametrize("head", list(TINY_OUTPUTS))
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "leaky_relu", "gelu"])
def test_gradient_check_passes(head, hidden):
    config = TinyConfig(x=(0.9, -0.6), target=1, hidden=hidden, output=head, seed=1)
    result = gradient_check(config)
    assert len(result.rows) == tiny_network(config).n_params
    assert result.max_error < 1e-6
    assert result.max_element_error < 1e-6


def test_gradient_check_catches_the_double_derivative_slip():
    config = TinyConfig()
    assert gradient_check(config, slip=True).max_error > 1e-2
    linear = TinyConfig(output="linear_mse")  # f' = 1: the slip changes nothing
    assert gradient_check(linear, slip=True).max_error < 1e-6

