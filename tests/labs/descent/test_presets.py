"""The page's presets: the learning-rate ladder (the figure of source note 001) and the optimizers
compared at one shared rate."""

from __future__ import annotations

import pytest

from nnviz.labs.descent import race, surfaces
from nnviz.labs.descent.presets import compared_names, learning_rate_ladder, next_optimizer, optimizers_compared
from nnviz.labs.descent.runs import MAX_RUNS, status
from nnviz.labs.descent.stability import LEARNING_RATE_GRID
from nnviz.nn import optimizers

ROSENBROCK = surfaces.get("rosenbrock")
BOWL = surfaces.get("bowl")


def test_learning_rate_ladder_on_the_quadratic_is_the_notes_figure():
    quad = surfaces.get("quadratic")
    specs = learning_rate_ladder(quad, "sgd", None, 50)
    rates = [s.learning_rate for s in specs]
    assert rates == sorted(rates) and len(rates) == 4
    assert all(r in LEARNING_RATE_GRID for r in rates)
    assert rates[2] < 2.0 < rates[3]  # zigzags but converges; then diverges
    assert 1.0 < rates[2]
    kinds = [status(t, quad).kind for t in race(quad, specs, None, 50)]
    assert kinds == ["moving", "converged", "converged", "diverged"]
    assert "crawls" in specs[0].title and "diverges at step" in specs[3].title
    assert "converges at step" in specs[1].title and "zigzags, converges" in specs[2].title  # measured labels


def test_learning_rate_ladder_on_rosenbrock_ends_unstable():
    specs = learning_rate_ladder(ROSENBROCK, "sgd", None, 200)
    trajs = race(ROSENBROCK, specs, None, 200)
    assert trajs[0].diverged_at is None and trajs[1].diverged_at is None
    assert trajs[3].diverged_at is not None


def test_learning_rate_ladder_for_adam_uses_the_domain_scale():
    specs = learning_rate_ladder(BOWL, "adam", None, 50)
    assert [s.learning_rate for s in specs] == [0.003, 0.03, 0.3, 3.0]


@pytest.mark.parametrize("name", ["bowl", "rosenbrock", "quadratic"])
def test_optimizers_compared_shares_one_rate_and_nothing_diverges(name):
    surface = surfaces.get(name)
    specs = optimizers_compared(surface, None, 200)
    assert [s.optimizer for s in specs] == optimizers.names()[:MAX_RUNS] == compared_names()
    assert len({s.learning_rate for s in specs}) == 1
    assert all(t.diverged_at is None for t in race(surface, specs, None, 200))


def test_next_optimizer_is_the_first_unused_then_the_next_in_order():
    names = optimizers.names()
    assert next_optimizer([]) == names[0]
    assert next_optimizer(names[1:3]) == names[0]
    assert next_optimizer([names[0], names[0]]) == names[1]
    assert next_optimizer([*names[1:], names[0]]) == names[1]  # all in use: the one after the last run's
    assert next_optimizer(names) == names[0]  # after the last registered one comes the first


def test_ladder_labels_never_contradict_the_results():
    """The issue: on the elongated bowl 'η = 0.18 (too large)' converged at step 45, before 'η = 0.08
    (about right)' at step 94. Each label now states the run's own measured outcome."""
    from nnviz.labs.descent.presets import outcome

    bowl = surfaces.get("bowl")
    specs = learning_rate_ladder(bowl, "sgd", None, 200)
    for spec, traj in zip(specs, race(bowl, specs, None, 200), strict=True):
        assert f"({outcome(traj, bowl)})" in spec.title
        st = status(traj, bowl)
        if st.kind == "converged":
            assert f"converges at step {st.step}" in spec.title
