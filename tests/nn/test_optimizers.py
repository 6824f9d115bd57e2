"""Every optimizer against its formula, written out independently, for several steps."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.nn import optimizers


def _reference(name: str, lr: float, steps: list[np.ndarray], theta0: np.ndarray) -> np.ndarray:
    """The textbook update rules, step by step, for a fixed sequence of gradients."""
    theta = theta0.copy()
    v = np.zeros_like(theta)
    s = np.zeros_like(theta)
    m = np.zeros_like(theta)
    for t, g in enumerate(steps, start=1):
        if name == "sgd":
            theta = theta - lr * g
        elif name == "momentum":  # source notes 003: EMA form
            v = 0.9 * v + 0.1 * g
            theta = theta - lr * v
        elif name == "nesterov":
            v = 0.9 * v + 0.1 * g
            theta = theta - lr * (0.9 * v + 0.1 * g)
        elif name == "adagrad":
            s = s + g**2
            theta = theta - lr * g / (np.sqrt(s) + 1e-8)
        elif name == "rmsprop":
            s = 0.9 * s + 0.1 * g**2
            theta = theta - lr * g / (np.sqrt(s) + 1e-8)
        elif name == "adam":
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * g**2
            theta = theta - lr * (m / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
        else:
            raise AssertionError(f"no reference formula for {name}: add one")
    return theta


@pytest.mark.parametrize("name", optimizers.names())
def test_matches_the_formula_over_several_steps(name):
    rng = np.random.default_rng(0)
    theta0 = rng.normal(size=(3, 2))
    grads = [rng.normal(size=(3, 2)) for _ in range(6)]
    params = {"w": theta0.copy()}
    opt = optimizers.get(name)(learning_rate=0.05)
    for g in grads:
        opt.step(params, {"w": g})
    assert np.allclose(params["w"], _reference(name, 0.05, grads, theta0), rtol=1e-12, atol=1e-12)


def test_momentum_first_step_by_hand():
    params = {"w": np.array([1.0])}
    opt = optimizers.get("momentum")(learning_rate=0.1)
    opt.step(params, {"w": np.array([2.0])})
    assert params["w"][0] == pytest.approx(1.0 - 0.1 * (0.1 * 2.0))  # v = 0.9*0 + 0.1*2


def test_adam_first_step_is_about_the_learning_rate():
    params = {"w": np.array([0.0, 0.0])}
    optimizers.get("adam")(learning_rate=0.01).step(params, {"w": np.array([5.0, -0.001])})
    assert np.allclose(params["w"], [-0.01, 0.01], atol=1e-6)


@pytest.mark.parametrize("name", optimizers.names())
def test_state_is_lazy_per_key_and_works_on_any_dict(name):
    opt = optimizers.get(name)(learning_rate=0.1)
    params = {"net.W": np.ones((2, 2), np.float32), "point": np.array([1.0, -2.0])}
    opt.step(params, {"net.W": np.ones((2, 2), np.float32), "point": np.array([0.5, 0.5])})
    assert params["net.W"].dtype == np.float32
    assert set(opt.state) == set(params)
    for key, state in opt.state.items():
        for array in state.values():
            assert array.shape == params[key].shape


@pytest.mark.parametrize("name", optimizers.names())
def test_updates_in_place(name):
    w = np.ones(4)
    params = {"w": w}
    optimizers.get(name)(learning_rate=0.1).step(params, {"w": np.full(4, 0.3)})
    assert params["w"] is w and not np.allclose(w, 1.0)


@pytest.mark.parametrize("name", optimizers.names())
@pytest.mark.parametrize("lr", [0, -1, float("nan"), float("inf")])
def test_bad_learning_rates(name, lr):
    with pytest.raises(ValueError, match="learning rate must be > 0"):
        optimizers.get(name)(learning_rate=lr)


def test_bad_settings():
    with pytest.raises(ValueError, match=r"beta_1 must be in \[0, 1\)"):
        optimizers.get("adam")(learning_rate=0.1, beta_1=1.0)
    with pytest.raises(ValueError, match="no setting 'beta'"):
        optimizers.get("sgd")(learning_rate=0.1, beta=0.9)
    with pytest.raises(ValueError, match="unknown optimizer 'not-an-optimizer'"):
        optimizers.get("not-an-optimizer")


def test_settings_change_without_losing_state():
    opt = optimizers.get("momentum")(learning_rate=0.1)
    params = {"w": np.zeros(2)}
    opt.step(params, {"w": np.ones(2)})
    v = opt.state["w"]["v"].copy()
    opt.set_hyperparams(learning_rate=0.5, beta=0.5)
    assert opt.learning_rate == 0.5 and opt.beta == 0.5 and np.array_equal(opt.state["w"]["v"], v)


def test_schedules():
    from nnviz.nn.schedules import Schedule

    assert Schedule("constant")(0.1, 500) == 0.1
    assert Schedule("step", every=100, factor=0.5)(0.1, 250) == pytest.approx(0.025)
    cos = Schedule("cosine", total_steps=100)
    assert cos(0.1, 0) == pytest.approx(0.1) and cos(0.1, 100) == pytest.approx(0.001)
    with pytest.raises(ValueError):
        Schedule("step", factor=0)
