"""Runs on the test surfaces: trajectories against the optimizer formulas written out independently,
divergence as a result, the run status and distances, and bad input."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

from nnviz.labs.descent import RunSpec, Trajectory, race, run, surfaces
from nnviz.labs.descent.presets import optimizers_compared
from nnviz.labs.descent.runs import (
    BOUND_FACTOR,
    declared_velocities,
    divergence_bound,
    nearest_minimum_distance,
    status,
)
from nnviz.nn import optimizers

ROSENBROCK = surfaces.get("rosenbrock")
BOWL = surfaces.get("bowl")
#: The optimizers ``_reference`` writes out; an entry without one still gets every generic check.
WITH_REFERENCE = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def _reference(surface, name: str, lr: float, start, steps: int, **hp: float):
    """Textbook update rules on the surface's analytic gradient: points and the state per step."""
    beta = hp.get("beta", 0.9)
    b1, b2, eps = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999), hp.get("eps", 1e-8)
    rho = hp.get("rho", 0.9)
    x = np.array(start, dtype=np.float64)
    v = np.zeros_like(x)
    m = np.zeros_like(x)
    s = np.zeros_like(x)
    points, vs, ms, ss = [x.copy()], [v.copy()], [m.copy()], [s.copy()]
    for t in range(1, steps + 1):
        g = surface.grad(x)
        if name == "sgd":
            x = x - lr * g
        elif name == "momentum":
            v = beta * v + (1 - beta) * g
            x = x - lr * v
        elif name == "nesterov":
            v = beta * v + (1 - beta) * g
            x = x - lr * (beta * v + (1 - beta) * g)
        elif name == "adagrad":
            s = s + g * g
            x = x - lr * g / (np.sqrt(s) + eps)
        elif name == "rmsprop":
            s = rho * s + (1 - rho) * g * g
            x = x - lr * g / (np.sqrt(s) + eps)
        elif name == "adam":
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        else:
            raise AssertionError(f"no reference formula for {name}: add one")
        points.append(x.copy())
        vs.append(v.copy())
        ms.append(m.copy())
        ss.append(s.copy())
    return np.array(points), {"v": np.array(vs), "m": np.array(ms), "s": np.array(ss)}


# ---- trajectories equal the formulas ----------------------------------------------------------------


def test_adam_on_rosenbrock_matches_the_formula_step_by_step():
    traj = run(ROSENBROCK, RunSpec("adam", 0.02), (-1.5, 2.0), 300)
    ref, state = _reference(ROSENBROCK, "adam", 0.02, (-1.5, 2.0), 300)
    np.testing.assert_allclose(traj.points, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(traj.state["m"], state["m"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(traj.state["v"], state["v"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(traj.velocity, state["m"], rtol=1e-12, atol=1e-12)  # Adam declares m its velocity
    np.testing.assert_allclose(traj.grads, ROSENBROCK.grad(traj.points), rtol=1e-12)
    np.testing.assert_allclose(traj.values, ROSENBROCK.values(traj.points), rtol=1e-12)


def test_momentum_on_rosenbrock_matches_the_formula_step_by_step():
    traj = run(ROSENBROCK, RunSpec("momentum", 0.002, {"beta": 0.8}), (-1.5, 2.0), 400)
    ref, state = _reference(ROSENBROCK, "momentum", 0.002, (-1.5, 2.0), 400, beta=0.8)
    np.testing.assert_allclose(traj.points, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(traj.state["v"], state["v"], rtol=1e-12, atol=1e-12)
    assert traj.diverged_at is None


@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_matches_its_formula_on_the_bowl(name):
    if name not in WITH_REFERENCE:
        pytest.skip(f"no reference formula for {name}: add one to _reference")
    lr = 0.05
    traj = run(BOWL, RunSpec(name, lr), (-2.5, 2.0), 60)
    ref, state = _reference(BOWL, name, lr, (-2.5, 2.0), 60)
    np.testing.assert_allclose(traj.points, ref, rtol=1e-12, atol=1e-12)
    key = {"momentum": "v", "nesterov": "v", "rmsprop": "s", "adagrad": "s"}.get(name)
    if key is not None:
        own = {"adagrad": "G"}.get(name, key)
        np.testing.assert_allclose(traj.state[own], state[key], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", optimizers.names())
def test_shapes_and_state_per_optimizer(name):
    traj = run(BOWL, RunSpec(name, 0.01), None, 25)
    assert traj.points.shape == (26, 2) and traj.values.shape == (26,) and traj.grads.shape == (26, 2)
    assert traj.points.dtype == np.float64
    assert set(traj.state) == set(optimizers.get(name).visible_state)
    for arr in traj.state.values():
        assert arr.shape == (26, 2)
        assert np.all(arr[0] == 0.0)
    assert not traj.points.flags.writeable
    np.testing.assert_array_equal(traj.points[0], BOWL.default_start)


@pytest.mark.parametrize("name", optimizers.names())
def test_velocity_and_step_scale_come_from_the_class(name):
    cls = optimizers.get(name)
    traj = run(BOWL, RunSpec(name, 0.01), None, 10)
    if cls.velocity is None:
        assert traj.velocity is None
    else:
        assert traj.velocity is traj.state[cls.velocity]
    scale = traj.step_scale()
    assert (scale is not None) == cls.adaptive
    if scale is not None:
        opt = cls(learning_rate=0.01)
        expected = opt.step_scale({k: a[1:] for k, a in traj.state.items()}, np.arange(1, 11)[:, None])
        np.testing.assert_allclose(scale[1:], expected, rtol=1e-12)


def test_declared_velocities_group_the_registry_by_velocity_key():
    users = declared_velocities()
    assert users["v"][:2] == ["Momentum", "Nesterov"] and users["m"][0] == "Adam"
    labels = [optimizers.get(n).label for n in optimizers.names() if optimizers.get(n).velocity is not None]
    assert sorted(sum(users.values(), [])) == sorted(labels)


def test_an_optimizer_instance_is_used_as_given_and_the_1d_case_works():
    opt = optimizers.get("sgd")(learning_rate=0.5)
    traj = run(surfaces.get("quadratic"), opt, (2.0,), 3)
    np.testing.assert_allclose(traj.points[:, 0], [2.0, 1.0, 0.5, 0.25])
    assert traj.spec.optimizer == "sgd" and traj.spec.learning_rate == 0.5


def test_race_equals_single_runs_and_keeps_going_when_one_diverges():
    specs = [RunSpec("sgd", 0.01), RunSpec("adam", 0.02), RunSpec("momentum", 0.001)]
    trajs = race(ROSENBROCK, specs, (-1.5, 2.0), 200)
    assert trajs[0].diverged_at is not None
    assert trajs[1].n_steps == 200 and trajs[2].n_steps == 200
    for traj, spec in zip(trajs, specs, strict=True):
        alone = run(ROSENBROCK, spec, (-1.5, 2.0), 200)
        np.testing.assert_allclose(traj.points, alone.points, rtol=1e-13, atol=1e-13)
        assert traj.diverged_at == alone.diverged_at


def test_runs_are_deterministic_and_picklable():
    a = race(ROSENBROCK, optimizers_compared(ROSENBROCK, steps=50), None, 50)
    b = race(ROSENBROCK, optimizers_compared(ROSENBROCK, steps=50), None, 50)
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.points, y.points)
    back = pickle.loads(pickle.dumps(a))
    assert isinstance(back[0], Trajectory) and np.array_equal(back[5].state["m"], a[5].state["m"])


# ---- divergence -------------------------------------------------------------------------------------


def test_sgd_with_too_large_a_rate_on_rosenbrock_diverges_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow/invalid warning may escape
        traj = run(ROSENBROCK, RunSpec("sgd", 0.01), (-1.5, 2.0), 500)
    assert traj.diverged_at is not None and 1 <= traj.diverged_at < 50
    assert len(traj.points) == traj.diverged_at  # the offending step is not stored
    assert np.all(np.isfinite(traj.points)) and np.all(np.isfinite(traj.values))
    st = status(traj, ROSENBROCK)
    assert st.kind == "diverged" and st.step == traj.diverged_at and st.color == "red"
    assert st.text == f"diverged at step {traj.diverged_at}"


def test_leaving_the_bound_counts_as_divergence():
    centre, bound = divergence_bound(BOWL)
    assert bound == BOUND_FACTOR * 3.0 and np.array_equal(centre, [0.0, 0.0])
    traj = run(BOWL, RunSpec("sgd", 0.25), (-2.5, 2.0), 500)  # 1 - 0.25 * 10 = -1.5 per step along y
    assert traj.diverged_at is not None
    assert np.max(np.abs(traj.points)) <= bound < 1.5 * np.max(np.abs(traj.points)) * 1.5
    # Unbounded below: the saddle's escape along y is reported as divergence too.
    saddle = surfaces.get("saddle")
    assert run(saddle, RunSpec("sgd", 0.3), None, 200).diverged_at is not None


def test_a_stable_rate_on_rosenbrock_does_not_diverge():
    assert run(ROSENBROCK, RunSpec("sgd", 0.001), None, 500).diverged_at is None


# ---- status and distances -----------------------------------------------------------------------------


def test_status_converged_moving_and_which_minimum():
    traj = run(BOWL, RunSpec("sgd", 0.15), None, 300)
    st = status(traj, BOWL)
    assert st.kind == "converged" and st.color == "green"
    k = st.step
    assert np.all(np.linalg.norm(traj.grads[k:], axis=1) <= 1e-3)
    assert np.linalg.norm(traj.grads[k - 1]) > 1e-3 or np.linalg.norm(traj.points[k] - traj.points[k - 1]) > 1e-3
    assert "the global minimum (0, 0)" in st.text

    slow = status(run(BOWL, RunSpec("sgd", 1e-4), None, 50), BOWL)
    assert slow.kind == "moving" and slow.step is None and "still moving after 50 steps" in slow.text

    well = surfaces.get("double_well")
    local = status(run(well, RunSpec("sgd", 0.02), (1.8,), 400), well)
    assert local.kind == "converged" and "a local minimum" in local.text
    glob = status(run(well, RunSpec("sgd", 0.02), (-1.8,), 400), well)
    assert "the global minimum" in glob.text

    himmelblau = surfaces.get("himmelblau")
    assert "a global minimum" in status(run(himmelblau, RunSpec("adam", 0.05), (1.0, 1.0), 2000), himmelblau).text


def test_status_tolerance_and_a_pass_through_a_saddle_is_not_convergence():
    traj = run(BOWL, RunSpec("sgd", 0.05), None, 200)
    assert status(traj, BOWL, tol=1e-1).step < status(traj, BOWL, tol=1e-4).step
    saddle = surfaces.get("saddle")
    st = status(run(saddle, RunSpec("sgd", 0.1), (-1.8, 1e-6), 100), saddle)
    assert st.kind in ("moving", "diverged")


def test_nearest_minimum_distance():
    himmelblau = surfaces.get("himmelblau")
    d = nearest_minimum_distance(np.array([[3.0, 2.0], [-2.8, 3.1], [0.0, 0.0]]), himmelblau)
    assert d[0] == pytest.approx(0.0) and d[1] < 0.05
    minima = np.array(himmelblau.minima)
    assert d[2] == pytest.approx(np.min(np.linalg.norm(minima, axis=1)))
    assert nearest_minimum_distance(np.zeros((3, 2)), surfaces.get("saddle")) is None
    traj = run(BOWL, RunSpec("sgd", 0.1), None, 10)
    np.testing.assert_allclose(nearest_minimum_distance(traj, BOWL), np.linalg.norm(traj.points, axis=1))


def test_adam_step_scale_is_the_bias_corrected_per_coordinate_rate():
    traj = run(BOWL, RunSpec("adam", 0.1), None, 20)
    scale = traj.step_scale()
    assert np.all(np.isnan(scale[0]))
    k = np.arange(1, 21)[:, None]
    expected = 0.1 / (np.sqrt(traj.state["v"][1:] / (1 - 0.999**k)) + 1e-8)
    np.testing.assert_allclose(scale[1:], expected, rtol=1e-12)
    # The steep y direction gets the smaller step size: the point of Adam.
    assert np.all(scale[1:, 1] < scale[1:, 0])
    assert run(BOWL, RunSpec("sgd", 0.1), None, 5).step_scale() is None
    assert run(BOWL, RunSpec("rmsprop", 0.1), None, 5).step_scale().shape == (6, 2)


# ---- bad input -------------------------------------------------------------------------------------------


def test_run_spec_validation_and_hashing():
    a = RunSpec("Adam", 0.01, {"beta_1": 0.8})
    assert a.optimizer == "adam" and a.settings == (("beta_1", 0.8),)
    assert a == RunSpec("adam", 0.01, (("beta_1", 0.8),)) and hash(a) == hash(RunSpec("adam", 0.01, {"beta_1": 0.8}))
    assert a.title == "Adam, η = 0.01, beta_1 = 0.8" and RunSpec("sgd", 0.1, label="x").title == "x"
    with pytest.raises(ValueError, match="unknown optimizer"):
        RunSpec("not-an-optimizer", 0.01)
    with pytest.raises(ValueError, match="learning rate must be > 0"):
        RunSpec("sgd", -1.0)
    with pytest.raises(ValueError, match="learning rate"):
        RunSpec("sgd", float("nan"))
    with pytest.raises(ValueError, match="no setting 'beta'"):
        RunSpec("sgd", 0.1, {"beta": 0.9})
    with pytest.raises(ValueError, match="beta must be in"):
        RunSpec("momentum", 0.1, {"beta": 1.5})


def test_bad_start_steps_and_races():
    with pytest.raises(ValueError, match="needs 2 coordinates"):
        run(BOWL, "sgd", (1.0,), 5)
    with pytest.raises(ValueError, match="finite"):
        run(BOWL, "sgd", (float("nan"), 0.0), 5)
    with pytest.raises(ValueError, match="numbers"):
        run(BOWL, "sgd", ("a", "b"), 5)
    with pytest.raises(ValueError, match="steps"):
        run(BOWL, "sgd", None, -1)
    with pytest.raises(ValueError, match="at least one"):
        race(BOWL, [], None, 5)
    with pytest.raises(ValueError, match="at most 6"):
        race(BOWL, [RunSpec("sgd", 0.1)] * 7, None, 5)
    assert run(BOWL, "sgd", (10.0, 10.0), 0).points.shape == (1, 2)  # outside the plot is allowed here
