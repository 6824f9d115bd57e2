"""Learning rates against stability: the limits the optimizer classes declare, seen through runs on
the quadratic surface; the curvature of a surface; the learning-rate grid."""

from __future__ import annotations

import pytest

from nnviz.labs.descent import RunSpec, run, surfaces
from nnviz.labs.descent.stability import (
    LEARNING_RATE_GRID,
    curvature_at,
    local_curvature,
    reference_curvature,
    snap_rate,
    stability_limit,
    zigzag_limit,
)
from nnviz.nn import optimizers

ROSENBROCK = surfaces.get("rosenbrock")
BOWL = surfaces.get("bowl")


#: Every optimizer whose class declares a limit on the quadratic (a new one is tested here too).
WITH_LIMIT = [n for n in optimizers.names() if optimizers.get(n).stability_limit(4.0) is not None]


def test_the_momentum_family_and_plain_descent_declare_limits():
    assert {"sgd", "momentum", "nesterov"} <= set(WITH_LIMIT)


@pytest.mark.parametrize("name", WITH_LIMIT)
@pytest.mark.parametrize("factor, diverges", [(0.97, False), (1.03, True)])
def test_stability_limit_separates_convergence_from_divergence(name, factor, diverges):
    quad = surfaces.get("quadratic", curvature=4.0)
    limit = stability_limit(name, quad.lipschitz)
    assert limit is not None
    traj = run(quad, RunSpec(name, limit * factor), (2.5,), 3000)
    assert (traj.diverged_at is not None) == diverges


def test_stability_limit_values():
    assert stability_limit("sgd", 10.0) == pytest.approx(0.2)
    assert stability_limit("momentum", 1.0) == pytest.approx(2 * 1.9 / 0.1)
    assert stability_limit(RunSpec("momentum", 0.1, {"beta": 0.5}), 1.0) == pytest.approx(2 * 1.5 / 0.5)
    assert stability_limit("nesterov", 1.0) == pytest.approx(2 * 1.9 / (0.1 * 2.8))
    assert stability_limit("adam", 10.0) is None
    assert stability_limit("sgd", None) is None
    assert stability_limit("sgd", 0.0) is None and stability_limit("momentum", -1.0) is None
    assert stability_limit(RunSpec("momentum", 0.1, {"beta": 0.5}), 1.0, beta=0.0) == pytest.approx(2.0)
    assert zigzag_limit("sgd", 10.0) == pytest.approx(0.1)
    assert zigzag_limit("momentum", 10.0) is None and zigzag_limit("sgd", None) is None
    with pytest.raises(ValueError, match="no setting 'beta'"):
        stability_limit("sgd", 1.0, beta=0.5)


@pytest.mark.parametrize("name", optimizers.names())
def test_stability_limit_asks_the_class(name):
    cls = optimizers.get(name)
    for L in (0.5, 10.0):
        assert stability_limit(name, L) == cls.stability_limit(L)
        assert zigzag_limit(RunSpec(name, 0.1), L) == cls.zigzag_limit(L)


def test_curvature_at():
    assert curvature_at(BOWL, (0.0, 0.0)) == pytest.approx(10.0)
    assert curvature_at(ROSENBROCK, (1.0, 1.0)) == pytest.approx(1001.6, rel=1e-4)
    assert curvature_at(surfaces.get("ackley"), (0.0, 0.0)) is None  # the cone tip has no Hessian


def test_reference_curvature():
    assert reference_curvature(BOWL) == (10.0, None)  # constant: holds everywhere
    L, near = reference_curvature(ROSENBROCK)
    assert near == (1.0, 1.0) and L == pytest.approx(1001.6, rel=1e-4)
    assert reference_curvature(surfaces.get("ackley")) == (None, (0.0, 0.0))  # a kink at the minimum
    assert local_curvature(ROSENBROCK) == L and local_curvature(BOWL) == 10.0


def test_snap_rate():
    assert snap_rate(0.19, "down") == 0.18 and snap_rate(0.19, "up") == 0.2 and snap_rate(0.19) == 0.2
    assert snap_rate(1e-9, "down") == LEARNING_RATE_GRID[0] and snap_rate(1e9, "up") == LEARNING_RATE_GRID[-1]
    assert list(LEARNING_RATE_GRID) == sorted(LEARNING_RATE_GRID)
