"""Compare runs: copies of one network, from the same initial weights and on the same batches,
with one setting varied (the learning rate or the optimizer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.run import Run, build, make_trainer
from nnviz.nn import optimizers

MAX_COMPARE = 4
#: The settings a comparison may vary -> how the page names them.
VARY: dict[str, str] = {"learning_rate": "learning rate", "optimizer": "optimizer"}


@dataclass(eq=False)
class Comparison:
    """Copies of one network (same initial weights, data and batch order), one setting varied."""

    experiment: Experiment
    vary: str
    values: tuple
    runs: list[Run]

    @property
    def key(self) -> tuple:
        return comparison_key(self.experiment, self.vary, self.values)


def comparison_key(exp: Experiment, vary: str, values: Sequence) -> tuple:
    """What decides a comparison: the experiment without the varied setting, and the values."""
    base = exp.replace(learning_rate=1.0) if vary == "learning_rate" else exp.with_optimizer(optimizers.names()[0])
    return (base, vary, tuple(values))


def compare_label(vary: str, value: Any) -> str:
    """A run's label: "η = 0.03", or the optimizer's label."""
    if vary == "learning_rate":
        return f"η = {float(value):g}"
    return optimizers.get(value).label or str(value)


def compare(exp: Experiment, vary: str, values: Sequence) -> Comparison:
    """Up to ``MAX_COMPARE`` runs from the same initial weights, each with one value of ``vary``."""
    if vary not in VARY:
        raise ValueError(f"can vary {', '.join(VARY)}, not {vary!r}")
    values = tuple(values)
    if not 1 <= len(values) <= MAX_COMPARE:
        raise ValueError(f"compare 1 to {MAX_COMPARE} runs, got {len(values)}")
    if len(set(values)) != len(values):
        raise ValueError(f"the compared values must differ, got {list(values)}")
    if vary == "learning_rate":
        variants = [exp.replace(learning_rate=optimizers.check_learning_rate(v)) for v in values]
    else:
        variants = [exp.with_optimizer(optimizers.OPTIMIZERS.canonical(v)) for v in values]
    base = build(exp)
    runs = []
    for value, variant in zip(values, variants, strict=True):
        net = base.net.copy()
        runs.append(Run(variant, net, make_trainer(net, variant, base.data), base.data, base.initial,
                        label=compare_label(vary, value), start=base.start))
    return Comparison(exp, vary, values, runs)
