"""Digit architectures (nnviz.labs.digits.architectures): building, validating, and the
initializer each activation names."""

from __future__ import annotations

import pytest

from nnviz.labs.digits.architectures import Architecture, cnn, hidden_activations, mlp, parse_sizes
from nnviz.nn import activations
from nnviz.nn.layers import Conv2D, Dense


def test_architectures_build_and_validate():
    assert Architecture("cnn", filters=(4, 8), dense=0).build().output_shape == (10,)
    assert Architecture("mlp", hidden=(), activation="tanh").build().n_params == 7850
    assert parse_sizes(" 256, 128 ") == (256, 128) and parse_sizes("") == ()
    with pytest.raises(ValueError, match="whole numbers"):
        parse_sizes("12, x")
    with pytest.raises(ValueError, match="cnn"):
        Architecture("rnn")
    with pytest.raises(ValueError, match="1 to 3"):
        Architecture("cnn", filters=(4, 4, 4, 4))
    with pytest.raises(ValueError, match="unknown activation"):
        Architecture("mlp", activation="not-an-activation")


def test_hidden_layers_offer_every_elementwise_activation():
    offered = hidden_activations()
    assert offered == [n for n in activations.names() if activations.ACTIVATIONS.get(n).elementwise]
    assert Architecture().activation in offered and "softmax" not in offered


@pytest.mark.parametrize("activation", hidden_activations())
def test_hidden_layers_start_from_the_initializer_their_activation_names(activation):
    wanted = activations.initializer_for(activation)
    output = activations.initializer_for("softmax")
    for net in (cnn((2, 3), dense=4, activation=activation), mlp((5, 6), activation=activation)):
        weighted = [layer for layer in net.layers if isinstance(layer, (Conv2D, Dense))]
        assert [layer.init for layer in weighted] == [wanted] * (len(weighted) - 1) + [output]
