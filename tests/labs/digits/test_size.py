"""A digit model's size before it is built: the count matches the built network's, and a model past
MAX_PARAMETERS is refused with its size and what to change."""

from __future__ import annotations

import pytest

from nnviz.labs.digits.architectures import Architecture
from nnviz.labs.digits.size import MAX_PARAMETERS, parameter_count, size_problem

ARCHITECTURES = [
    Architecture(kind="mlp", hidden=()), Architecture(kind="mlp"), Architecture(kind="mlp", hidden=(256, 128, 64)),
    Architecture(kind="mlp", hidden=(1024,)), Architecture(), Architecture(filters=(8,), dense=0),
    Architecture(filters=(32, 64), dense=128), Architecture(filters=(16, 32, 64), dense=32, activation="tanh"),
]


@pytest.mark.parametrize("arch", ARCHITECTURES, ids=lambda a: a.label())
def test_the_count_is_the_built_networks(arch):
    assert parameter_count(arch) == arch.build(seed=0).n_params


def test_the_largest_mlp_the_sizes_allow_is_refused_saying_its_size():
    arch = Architecture(kind="mlp", hidden=(4096,) * 6)
    assert parameter_count(arch) == 87_162_890  # what the hidden sizes alone allowed before
    message = size_problem(arch)
    assert "87,162,890 parameters" in message and f"{MAX_PARAMETERS:,}" in message and "784 → 4096" in message


def test_the_limit_itself_is_allowed_and_one_more_is_not():
    assert size_problem(Architecture(kind="mlp", hidden=(1024,))) is None  # 814,090
    assert size_problem(Architecture(filters=(32, 64), dense=128)) is None  # the largest CNN offered
    assert size_problem(Architecture(kind="mlp", hidden=(1024, 512))) is not None  # 1,333,770
    assert parameter_count(Architecture(kind="mlp", hidden=(1257,))) <= MAX_PARAMETERS < parameter_count(
        Architecture(kind="mlp", hidden=(1258,)))


def test_the_stated_mlp_limits_are_the_architectures():
    from nnviz.labs.digits.size import MAX_HIDDEN_LAYERS, MAX_UNITS

    Architecture(kind="mlp", hidden=(MAX_UNITS,) * MAX_HIDDEN_LAYERS)
    for hidden in ((1,) * (MAX_HIDDEN_LAYERS + 1), (MAX_UNITS + 1,)):
        with pytest.raises(ValueError):
            Architecture(kind="mlp", hidden=hidden)
