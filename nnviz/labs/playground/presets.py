"""Ready-made playground experiments, each showing one idea of the source notes, with what to look at.

A ``Preset`` holds the experiment's settings that differ from the defaults, the view it needs (the
test points shown) and the text the page shows beside it. The text stays while the data and the
network are the preset's (``still_on``): the student changes the training settings it suggests
(L2, dropout) and keeps reading.

The numbers a preset's text states are checked by ``tests/labs/playground/test_presets.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nnviz.labs.playground.experiment import DATA_FIELDS, MODEL_FIELDS, Experiment


@dataclass(frozen=True)
class Preset:
    """One ready-made experiment: ``settings`` are ``Experiment`` fields (the rest default)."""

    label: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    look_at: str = ""  # markdown: what to do and what to watch
    question: str = ""  # one question to think about
    show_test: bool = True  # draw the test points on the surface

    @property
    def experiment(self) -> Experiment:
        return Experiment(**self.settings)

    def still_on(self, exp: Experiment) -> bool:
        """Whether ``exp`` still has this preset's data and network (its training settings may differ)."""
        mine = self.experiment
        return all(getattr(exp, f) == getattr(mine, f) for f in DATA_FIELDS + MODEL_FIELDS)


PRESETS: dict[str, Preset] = {
    "overfitting": Preset(
        label="Overfitting: 30 noisy points, 626 parameters",
        settings={"dataset": "circles", "n_points": 60, "noise": 0.4, "test_ratio": 0.5, "seed": 0,
                  "hidden": (16, 16, 16), "activation": "relu", "learning_rate": 0.01},
        look_at=(
            "626 weights and biases learn 30 training points, noise and all. Press **Play**: the train "
            "loss falls to 0 within about 100 steps while the test loss climbs, from about 0.6 to about "
            "0.9 by step 1,000: the surface turns hard-edged, sure of every point, test points on the "
            "wrong side included. Then set **L2 rate** to 0.003 while it runs: the test loss drops below "
            "0.25 within a few hundred steps and the surface softens. Set L2 back to 0 and try "
            "**Dropout** 0.3."
        ),
        question=("Dropout does not close this gap (the test loss rises further): what does L2 do to the "
                  "weights that dropout does not?"),
    ),
}


def get(name: str) -> Preset:
    """The preset called ``name``; ``ValueError`` naming it and the known ones otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
