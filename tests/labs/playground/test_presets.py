"""The playground's presets: valid experiments, and what their text says happens does happen."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nnviz.labs.playground import presets
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.run import build, metrics, update


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_every_preset_is_a_valid_experiment_with_text(name):
    preset = presets.get(name)
    exp = preset.experiment
    assert isinstance(exp, Experiment)
    assert preset.label and preset.look_at and preset.question
    assert preset.still_on(exp)
    assert not preset.still_on(Experiment())


def test_still_on_ignores_training_settings_but_not_data_or_network():
    preset = presets.get("overfitting")
    exp = preset.experiment
    assert preset.still_on(replace(exp, l2=0.003, dropout=0.3, learning_rate=0.1, optimizer="sgd",
                                    optimizer_params=()))
    assert not preset.still_on(replace(exp, noise=0.1))
    assert not preset.still_on(replace(exp, hidden=(16, 16)))


def test_unknown_preset_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="'nope'.*overfitting"):
        presets.get("nope")


def _losses(run, blocks: int, steps: int = 100) -> list[tuple[float, float]]:
    out = []
    for _ in range(blocks):
        run.train(steps)
        m = metrics(run)
        out.append((m["train_loss"], m["test_loss"]))
    return out


def test_overfitting_preset_does_what_its_text_says():
    preset = presets.get("overfitting")
    exp = preset.experiment
    run = build(exp)
    assert run.net.n_params == 626 and "626" in preset.label and "626" in preset.look_at
    assert len(run.data.y_train) == 30 and "30" in preset.label
    plain = _losses(run, 10)
    # "the train loss drops to 0 within about 100 steps, while the test loss climbs, from about
    # 0.6 to about 0.9 by step 1,000"
    assert plain[0][0] < 0.01 and all(train < 0.01 for train, _ in plain)
    assert 0.5 < plain[0][1] < 0.7 and 0.8 < plain[-1][1] < 1.0
    assert all(b[1] > a[1] for a, b in zip(plain, plain[1:], strict=False))  # climbing all the way

    # "set L2 rate to 0.003 while it runs: within a few hundred steps the test loss falls below 0.25"
    with_l2, change = update(run, replace(exp, l2=0.003))
    assert change.kind == "live"  # applied while running: the weights and the step stay
    after = _losses(with_l2, 5)
    assert all(test < 0.25 for _, test in after[1:])

    # "With 30 points, dropout does not close the gap: the test loss rises further."
    run = build(exp)
    _losses(run, 10)
    with_dropout, change = update(run, replace(exp, dropout=0.3))
    assert change.kind == "live"
    after = _losses(with_dropout, 5)
    assert min(test for _, test in after) > plain[-1][1]
