"""Digit-model architectures: a small CNN and an MLP over (n, 28, 28) images -> (n, 10) softmax,
and ``Architecture``, what the page lets people choose. Weights start from the initializer the
activation names (``activations.initializer_for``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnviz.labs.digits.model import IMAGE_SHAPE, N_CLASSES
from nnviz.nn import activations
from nnviz.nn.layers import Activation, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool2D
from nnviz.nn.network import Network

#: The output activation: one probability per digit.
OUTPUT = "softmax"

def hidden_activations() -> list[str]:
    """The activations a page offers for the hidden layers: the elementwise ones (a vector
    function such as softmax couples a layer's units)."""
    return [name for name in activations.names() if activations.ACTIVATIONS.get(name).elementwise]


def cnn(filters: Sequence[int] = (16, 32), dense: int = 64, activation: str = "relu", kernel_size: int = 3,
        dropout: float = 0.0, seed: int = 0, dtype: Any = np.float32) -> Network:
    """A small CNN: per entry of ``filters`` conv kxk 'same' -> activation -> 2x2 max pool;
    then flatten -> dense ``dense`` -> activation -> (dropout) -> dense 10 -> softmax."""
    filters = list(filters)
    if not 1 <= len(filters) <= 3:
        raise ValueError(f"a digit CNN takes 1 to 3 conv blocks (28 -> 14 -> 7 -> 3), got {len(filters)}")
    if dense < 0:
        raise ValueError(f"dense units must be >= 0 (0: none), got {dense}")
    init = activations.initializer_for(activation)
    stack: list[Layer] = []
    for f in filters:
        stack += [Conv2D(int(f), kernel_size, padding="same", init=init), Activation(activation), MaxPool2D(2)]
    stack.append(Flatten())
    if dense:
        stack += [Dense(int(dense), init=init), Activation(activation)]
    if dropout > 0:
        stack.append(Dropout(dropout, seed=seed + 1))
    stack += [Dense(N_CLASSES, init=activations.initializer_for(OUTPUT)), Activation(OUTPUT)]
    return Network(stack, input_shape=IMAGE_SHAPE, seed=seed, dtype=dtype)


def mlp(hidden: Sequence[int] = (128,), activation: str = "relu", dropout: float = 0.0, seed: int = 0,
        dtype: Any = np.float32) -> Network:
    """An MLP over the 784 pixels: flatten -> (dense -> activation -> (dropout)) per hidden size
    -> dense 10 -> softmax."""
    stack: list[Layer] = [Flatten()]
    init = activations.initializer_for(activation)
    for i, units in enumerate(hidden):
        stack += [Dense(int(units), init=init), Activation(activation)]
        if dropout > 0:
            stack.append(Dropout(dropout, seed=seed * 1000 + i + 1))
    stack += [Dense(N_CLASSES, init=activations.initializer_for(OUTPUT)), Activation(OUTPUT)]
    return Network(stack, input_shape=IMAGE_SHAPE, seed=seed, dtype=dtype)


@dataclass(frozen=True)
class Architecture:
    """What the page lets people choose: ``kind`` "cnn" (conv blocks ``filters``, then a dense
    layer of ``dense`` units, 0 for none) or "mlp" (``hidden`` sizes), with one ``activation``."""

    kind: str = "cnn"
    hidden: tuple[int, ...] = (128,)
    filters: tuple[int, ...] = (8, 16)
    dense: int = 64
    activation: str = "relu"

    def __post_init__(self) -> None:
        if self.kind not in ("cnn", "mlp"):
            raise ValueError(f"architecture kind must be 'cnn' or 'mlp', got {self.kind!r}")
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        object.__setattr__(self, "filters", tuple(int(f) for f in self.filters))
        if self.kind == "mlp" and (len(self.hidden) > 6 or any(not 1 <= h <= 4096 for h in self.hidden)):
            raise ValueError(f"MLP hidden sizes must be 0 to 6 layers of 1..4096 units, got {list(self.hidden)}")
        if self.kind == "cnn" and (not 1 <= len(self.filters) <= 3 or any(not 1 <= f <= 256 for f in self.filters)):
            raise ValueError(f"CNN filters must be 1 to 3 blocks of 1..256 filters, got {list(self.filters)}")
        if not 0 <= int(self.dense) <= 4096:
            raise ValueError(f"dense units must be in 0..4096, got {self.dense}")
        activations.get(self.activation)

    def build(self, seed: int = 0, dtype: Any = np.float32) -> Network:
        if self.kind == "cnn":
            return cnn(self.filters, dense=self.dense, activation=self.activation, seed=seed, dtype=dtype)
        return mlp(self.hidden, activation=self.activation, seed=seed, dtype=dtype)

    def label(self) -> str:
        if self.kind == "cnn":
            convs = " → ".join(f"conv {f}" for f in self.filters)
            return f"CNN: {convs}" + (f" → dense {self.dense}" if self.dense else "") + f" → 10 ({self.activation})"
        sizes = " → ".join(str(h) for h in (784, *self.hidden, 10))
        return f"MLP: {sizes} ({self.activation})"


def parse_sizes(text: str) -> tuple[int, ...]:
    """'128, 64' -> (128, 64); empty -> (); anything else raises ValueError naming the text."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"layer sizes must be whole numbers separated by commas, got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise ValueError(f"layer sizes must be positive, got {text!r}")
    return sizes
