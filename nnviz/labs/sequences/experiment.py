"""Every setting of one Sequences run, validated on construction (``ValueError`` names the value).

The task's data and the network's shape decide the model (``MODEL_FIELDS``: a change rebuilds it
from step 0); the training settings (``LIVE_FIELDS``) apply to the running model.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from nnviz.data import sequences
from nnviz.nn import activations, optimizers
from nnviz.nn.hyperparams import check_integer, check_number

MAX_HIDDEN = 64
MAX_LENGTH = 100
HIDDEN_ACTIVATIONS = ("tanh", "sigmoid", "relu")
#: Where the readout's loss is taken: on every step's h_t, or on the last h only.
READOUTS = ("every step", "last step")
N_TRAIN, N_TEST = 256, 64
MAX_BATCH = N_TRAIN

LIVE_FIELDS = ("optimizer", "learning_rate", "batch_size", "clip")
FIELD_LABELS = {
    "task": "task", "length": "sequence length", "lag": "lag", "noise": "noise", "seed": "seed",
    "hidden": "hidden size", "activation": "activation", "readout": "readout", "spectral_radius": "spectral radius", "truncate": "truncation",
    "optimizer": "optimizer", "learning_rate": "learning rate", "batch_size": "batch size", "clip": "gradient clipping",
}


@dataclass(frozen=True)
class SequenceExperiment:
    """A simple RNN ``h_t = σ(W_h h_{t−1} + W_x x_t + b)`` with a linear (sine) or sigmoid (bits)
    readout on h_t, on ``task``, its loss on every step or on the last one only (``readout``); ``spectral_radius`` of W_h at initialization; BPTT cut every
    ``truncate`` steps (0: never); gradients clipped to global norm ``clip`` (0: never)."""

    task: str = "sine"
    length: int = 30
    lag: int = 3
    noise: float = 0.1
    seed: int = 0
    hidden: int = 16
    activation: str = "tanh"
    readout: str = "every step"
    spectral_radius: float = 0.9
    truncate: int = 0
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 32
    clip: float = 5.0

    def __post_init__(self) -> None:
        s = object.__setattr__
        if self.task not in sequences.TASKS:
            raise ValueError(f"unknown task {self.task!r}; known: {', '.join(sequences.TASKS)}")
        s(self, "length", check_integer(self.length, "sequence length", 2, MAX_LENGTH))
        s(self, "lag", check_integer(self.lag, "lag (steps back)", 1, self.length - 1))
        s(self, "noise", check_number(self.noise, "noise", 0.0, 1.0))
        s(self, "seed", check_integer(self.seed, "seed", 0, 2**32 - 1))
        s(self, "hidden", check_integer(self.hidden, "hidden size", 1, MAX_HIDDEN))
        act = activations.ACTIVATIONS.canonical(self.activation)
        if act not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"the RNN's activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}, got {self.activation!r}")
        s(self, "activation", act)
        if self.readout not in READOUTS:
            raise ValueError(f"readout must be one of {', '.join(READOUTS)}, got {self.readout!r}")
        s(self, "spectral_radius", check_number(self.spectral_radius, "spectral radius", 0.05, 3.0))
        s(self, "truncate", check_integer(self.truncate, "truncation (steps)", 0, self.length))
        s(self, "optimizer", optimizers.OPTIMIZERS.canonical(self.optimizer))
        s(self, "learning_rate", optimizers.check_learning_rate(self.learning_rate))
        s(self, "batch_size", check_integer(self.batch_size, "batch size", 1, MAX_BATCH))
        s(self, "clip", check_number(self.clip, "gradient clipping norm", 0.0, 1e3))

    @property
    def kind(self) -> str:
        return sequences.TASKS[self.task][1]

    def replace(self, **changes: Any) -> SequenceExperiment:
        return replace(self, **changes)

    def changed(self, other: SequenceExperiment) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]

    def describe(self) -> str:
        cut = f", BPTT cut every {self.truncate}" if self.truncate else ""
        return (f"{self.task}, {self.length} steps · RNN 1→{self.hidden} ({self.activation}, ρ₀ = {self.spectral_radius:g}{cut})"
                f" · {self.optimizer} η={self.learning_rate:g} · batch {self.batch_size}")
