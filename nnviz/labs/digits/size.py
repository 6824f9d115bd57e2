"""How big a digit model will be before it is built, and the most the digits page trains.

``parameter_count(arch)`` counts an ``Architecture``'s weights and biases without building it: an MLP
784 -> h1 -> ... -> 10 has sum over its dense layers of (inputs + 1) x outputs; a CNN has per 3x3
'same' conv block (9 x C_in + 1) x F, each 2x2 max pool halving the 28x28 side (28 -> 14 -> 7 -> 3),
then the dense layers over the flattened maps.

``MAX_PARAMETERS``: on the 2-core server a session trains at most a fixed share of a core (the page's
TRAIN_SECONDS per tick). One Adam step at batch 64 took 1.2 ms for the default MLP (101,770
parameters), 13 ms for 784-1024-10 (814,090) and 490 ms for 784-4096-4096-10 (20 million; the largest
the sizes alone allow, 6 x 4,096 units, is 87 million, about 1.4 GB with Adam's state), measured on
one BLAS thread of the shared machine. Up to a million parameters a model still trains about 20 steps
a second in its share, an epoch of 4,500 images in a few seconds; ``size_problem`` says why a larger
one is refused.
"""

from __future__ import annotations

from nnviz.labs.digits.architectures import Architecture
from nnviz.labs.digits.model import IMAGE_SHAPE, N_CLASSES

#: The most parameters a model trained on the digits page may have.
MAX_PARAMETERS = 1_000_000
#: What ``Architecture`` accepts for an MLP's hidden layers, for the page to say (a test keeps them equal).
MAX_HIDDEN_LAYERS, MAX_UNITS = 6, 4096
KERNEL = 3  # the CNN's conv kernel side (architectures.cnn's default)


def _dense(sizes: list[int]) -> int:
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))


def parameter_count(arch: Architecture) -> int:
    """Weights and biases of ``arch`` once built (``arch.build().n_params``), counted without building it."""
    if arch.kind == "mlp":
        return _dense([IMAGE_SHAPE[0] * IMAGE_SHAPE[1], *arch.hidden, N_CLASSES])
    side, channels, total = IMAGE_SHAPE[0], 1, 0
    for filters in arch.filters:
        total += (KERNEL * KERNEL * channels + 1) * filters
        side, channels = side // 2, filters
    return total + _dense([side * side * channels, *([arch.dense] if arch.dense else []), N_CLASSES])


def size_problem(arch: Architecture) -> str | None:
    """None when ``arch`` is small enough to train here, else a message saying its size and what to change."""
    n = parameter_count(arch)
    if n <= MAX_PARAMETERS:
        return None
    times = n / parameter_count(Architecture(kind="mlp", hidden=(128,)))
    return (f"{arch.label()} would have {n:,} parameters, more than the {MAX_PARAMETERS:,} a model trained here "
            f"may have: the server's two cores are shared by everyone, and a step's work grows with the size (this "
            f"is {times:,.0f}× the default MLP). Use fewer or smaller hidden layers (one layer of 1,024 units has "
            f"{parameter_count(Architecture(kind='mlp', hidden=(1024,))):,}).")
