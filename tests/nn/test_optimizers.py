"""Every optimizer against its formula, written out independently, for several steps; what each class
declares (velocity, adaptive step sizes, stability and zigzag limits) against simulations, over the
whole registry, so a new entry is checked without touching this file."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.nn import optimizers

#: The optimizers ``_reference`` writes out; an entry without one still gets every generic check.
WITH_REFERENCE = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


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
    if name not in WITH_REFERENCE:
        pytest.skip(f"no reference formula for {name}: add one to _reference")
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


@pytest.mark.parametrize("name", [n for n in optimizers.names() if "eps" in optimizers.get(n).hyperparams])
@pytest.mark.parametrize("eps", [0.0, 1e-300, 1e-13, -1e-8])
def test_an_eps_that_can_divide_by_zero_is_refused(name, eps):
    """eps = 0 (or 1e-300, which is 0 in float32) makes 0 / (sqrt(0) + eps) a NaN weight."""
    with pytest.raises(ValueError, match="eps must be in"):
        optimizers.get(name)(learning_rate=0.1, eps=eps)


@pytest.mark.parametrize("lr", ["-1", "0.1", None, True])
def test_a_learning_rate_that_is_not_a_number_is_named(lr):
    with pytest.raises(ValueError, match="learning rate must be a number, got " + repr(lr).replace("(", r"\(")):
        optimizers.get("sgd")(learning_rate=lr)


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


# ---- what the classes declare ------------------------------------------------------------------------

#: Reference stability limits on f(x) = L x²/2, (L, settings) -> η*; None: no fixed limit. An entry
#: without a reference still gets every generic check below.
REFERENCE_LIMITS = {
    "sgd": lambda L, s: 2.0 / L,
    "momentum": lambda L, s: 2.0 * (1 + s["beta"]) / ((1 - s["beta"]) * L),
    "nesterov": lambda L, s: 2.0 * (1 + s["beta"]) / ((1 - s["beta"]) * (1 + 2 * s["beta"]) * L),
    "adagrad": lambda L, s: None,
    "rmsprop": lambda L, s: None,
    "adam": lambda L, s: None,
}
#: Reference per-coordinate step sizes: (learning rate, settings, state, t) -> array.
REFERENCE_STEP_SCALES = {
    "adagrad": lambda lr, s, st, t: lr / (np.sqrt(st["G"]) + s["eps"]),
    "rmsprop": lambda lr, s, st, t: lr / (np.sqrt(st["s"]) + s["eps"]),
    "adam": lambda lr, s, st, t: lr / (np.sqrt(st["v"] / (1 - s["beta_2"] ** t)) + s["eps"]),
}
CURVATURES = (0.1, 4.0, 1000.0)


def _variants(cls: type[optimizers.Optimizer]) -> list[dict[str, float]]:
    """The default settings, and each setting alone at a quarter and three quarters of its range."""
    out: list[dict[str, float]] = [{}]
    for hp, (_, low, high, _) in cls.hyperparams.items():
        out += [{hp: low + 0.25 * (high - low)}, {hp: low + 0.75 * (high - low)}]
    return out


def _quadratic_path(cls: type[optimizers.Optimizer], lr: float, curvature: float, steps: int,
                    **settings: float) -> np.ndarray:
    """x_0 = 1, x_1, ..., x_steps of the optimizer on f(x) = L x²/2 (gradient L x)."""
    opt = cls(learning_rate=lr, **settings)
    params = {"x": np.array([1.0])}
    path = np.empty(steps + 1)
    path[0] = 1.0
    with np.errstate(all="ignore"):  # the diverging side overflows: that is the point
        for k in range(1, steps + 1):
            opt.step(params, {"x": curvature * params["x"]})
            path[k] = params["x"][0]
    return path


def _with_limit() -> list[tuple[str, float, dict[str, float]]]:
    cases = []
    for name in optimizers.names():
        cls = optimizers.get(name)
        for settings in _variants(cls):
            for L in CURVATURES:
                if cls.stability_limit(L, **settings) is not None:
                    cases.append((name, L, settings))
    return cases


@pytest.mark.parametrize("name, curvature, settings", _with_limit())
def test_declared_stability_limit_separates_convergence_from_divergence(name, curvature, settings):
    cls = optimizers.get(name)
    limit = cls.stability_limit(curvature, **settings)
    assert math.isfinite(limit) and limit > 0
    below = _quadratic_path(cls, 0.97 * limit, curvature, 2000, **settings)
    above = _quadratic_path(cls, 1.03 * limit, curvature, 2000, **settings)
    assert abs(below[-1]) < 1e-3, f"{name} at 0.97 x its limit {limit:g} does not converge"
    assert not abs(above[-1]) < 1e3, f"{name} at 1.03 x its limit {limit:g} does not diverge"


@pytest.mark.parametrize("name", optimizers.names())
def test_stability_limit_against_the_reference_and_as_1_over_L(name):
    cls = optimizers.get(name)
    for settings in _variants(cls):
        full = cls.resolve(**settings)
        for L in CURVATURES:
            limit = cls.stability_limit(L, **settings)
            if name in REFERENCE_LIMITS:
                expected = REFERENCE_LIMITS[name](L, full)
                assert limit == (None if expected is None else pytest.approx(expected, rel=1e-12))
            if limit is not None:  # a limit on a quadratic scales as 1/L: the step is η L x
                assert cls.stability_limit(2 * L, **settings) == pytest.approx(limit / 2, rel=1e-12)
    with pytest.raises(ValueError, match="no setting 'not-a-setting'"):
        cls.stability_limit(1.0, **{"not-a-setting": 0.5})


@pytest.mark.parametrize("name", optimizers.names())
def test_declared_zigzag_limit_is_where_steps_start_to_overshoot(name):
    cls = optimizers.get(name)
    for L in CURVATURES:
        calm = cls.zigzag_limit(L)
        if calm is None:
            continue
        limit = cls.stability_limit(L)
        assert limit is not None and 0 < calm < limit
        assert np.all(_quadratic_path(cls, 0.97 * calm, L, 50) > 0)  # slides into the minimum from one side
        assert np.any(_quadratic_path(cls, 1.03 * calm, L, 50) < 0)  # jumps across it


@pytest.mark.parametrize("name", optimizers.names())
def test_declared_velocity_is_state_that_follows_the_gradient(name):
    cls = optimizers.get(name)
    if cls.velocity is None:
        return
    assert cls.velocity in cls.visible_state
    opt = cls(learning_rate=0.01)
    params = {"w": np.zeros(3)}
    g = np.array([2.0, -1.0, 0.5])
    for _ in range(5):
        opt.step(params, {"w": g})
    v = opt.state["w"][cls.velocity]
    assert v.shape == (3,) and np.all(np.sign(v) == np.sign(g))  # the point travels along -velocity
    assert np.all(np.sign(params["w"]) == -np.sign(g))


@pytest.mark.parametrize("name", optimizers.names())
def test_step_scale_exactly_for_the_adaptive_optimizers(name):
    cls = optimizers.get(name)
    opt = cls(learning_rate=0.05)
    params = {"w": np.zeros(2)}
    for _ in range(4):
        opt.step(params, {"w": np.array([10.0, 0.1])})  # steep along the first coordinate, flat along the second
    scale = opt.step_scale(opt.state["w"])
    assert (scale is not None) == cls.adaptive
    if scale is None:
        return
    assert scale.shape == (2,) and np.all(np.isfinite(scale)) and np.all(scale > 0)
    assert scale[0] < scale[1]  # the steep coordinate gets the smaller step: the point of adapting
    history = {k: np.stack([a, a]) for k, a in opt.state["w"].items()}  # a history (n, dim) with t (n, 1)
    np.testing.assert_allclose(opt.step_scale(history, np.array([[4], [4]])), np.stack([scale, scale]), rtol=1e-12)
    if name in REFERENCE_STEP_SCALES:
        expected = REFERENCE_STEP_SCALES[name](0.05, cls.resolve(), opt.state["w"], 4)
        np.testing.assert_allclose(scale, expected, rtol=1e-12)


def test_resolve_fills_defaults_and_rejects_unknown_settings():
    assert optimizers.get("adam").resolve(beta_1=0.5) == {"beta_1": 0.5, "beta_2": 0.999, "eps": 1e-8}
    assert optimizers.get("sgd").resolve() == {}
    with pytest.raises(ValueError, match="no setting 'beta'"):
        optimizers.get("sgd").resolve(beta=0.9)


# ---- the packed step (all parameters as one vector) ------------------------------------------


def _packed_net(seed: int = 0):
    from nnviz.nn.network import Network

    return Network.mlp([3, 5, 4, 2], activation="tanh", output="softmax", seed=seed, batchnorm=True)


@pytest.mark.parametrize("name", optimizers.names())
def test_step_packed_gives_the_numbers_of_step(name):
    a, b = _packed_net(), _packed_net()
    opt_a, opt_b = optimizers.get(name)(learning_rate=0.05), optimizers.get(name)(learning_rate=0.05)
    rng = np.random.default_rng(1)
    for t in range(6):
        grads = {k: rng.normal(size=p.shape).astype(p.dtype) for k, p in a.params.items()}
        for net in (a, b):
            for k, g in grads.items():
                net.grads[k][...] = g
        if t == 2:  # a different learning rate and settings between steps, as a trainer's configure
            for opt in (opt_a, opt_b):
                opt.set_hyperparams(learning_rate=0.02)
        opt_a.step(a.params, a.grads)
        opt_b.step_packed(b.params, b.grads, b.packed_params, b.packed_grads)
    assert np.array_equal(a.get_flat(), b.get_flat())
    assert opt_a.t == opt_b.t == 6 and opt_a.state.keys() == opt_b.state.keys()
    for key, state in opt_a.state.items():
        assert state.keys() == opt_b.state[key].keys()
        assert all(np.array_equal(v, opt_b.state[key][k]) for k, v in state.items())


@pytest.mark.parametrize("name", [n for n in optimizers.names() if optimizers.get(n).elementwise])
def test_packed_state_is_per_key_views_and_carries_over_earlier_state(name):
    net, twin = _packed_net(), _packed_net()
    opt, ref = optimizers.get(name)(learning_rate=0.05), optimizers.get(name)(learning_rate=0.05)
    for k, g in net.grads.items():
        g[...] = 0.1
        twin.grads[k][...] = 0.1
    opt.step(net.params, net.grads)  # per-key state first ...
    opt.step_packed(net.params, net.grads, net.packed_params, net.packed_grads)  # ... then packed
    ref.step(twin.params, twin.grads)
    ref.step(twin.params, twin.grads)
    assert np.array_equal(net.get_flat(), twin.get_flat())
    for key, state in opt.state.items():
        for k, v in state.items():
            assert np.array_equal(v, ref.state[key][k]) and v.shape == net.params[key].shape
            assert np.shares_memory(v, opt._packed[1][k])  # the page's view of the state is live
    opt.reset()
    assert opt.state == {} and opt.t == 0


def test_step_packed_refuses_arrays_that_are_not_slices_of_the_vector():
    net = _packed_net()
    opt = optimizers.get("sgd")(learning_rate=0.1)
    loose = {k: p.copy() for k, p in net.params.items()}
    with pytest.raises(ValueError, match="not the next slice"):
        opt.step_packed(loose, net.grads, net.packed_params, net.packed_grads)


def test_an_optimizer_that_is_not_elementwise_takes_the_ordinary_step():
    class PerTensor(optimizers.Optimizer):  # normalizes each gradient array as a whole
        def _update(self, p, g, state):
            p -= self.learning_rate * g / (np.linalg.norm(g) + 1e-12)

    a, b = _packed_net(), _packed_net()
    for net in (a, b):
        for g in net.grads.values():
            g[...] = np.arange(g.size).reshape(g.shape)
    PerTensor(learning_rate=0.1).step(a.params, a.grads)
    PerTensor(learning_rate=0.1).step_packed(b.params, b.grads, b.packed_params, b.packed_grads)
    assert np.array_equal(a.get_flat(), b.get_flat())


def test_schedule_entries_get_the_settings_their_function_takes():
    from dataclasses import asdict

    from nnviz.nn import schedules
    from nnviz.nn.schedules import Schedule

    @schedules.SCHEDULES.register("not-a-schedule")
    def scaled(base_lr: float, step: int, total_steps: int, factor: float = 1.0) -> float:
        return base_lr * factor

    try:
        assert Schedule("not-a-schedule", factor=0.25)(1.0, 7) == 0.25
        assert Schedule("step", every=10, factor=0.5)(1.0, 25) == 0.25  # every and factor, by signature
        assert Schedule("cosine", total_steps=10, every=3, factor=0.5)(1.0, 10) == pytest.approx(0.01)
        s = Schedule("step", every=10)
        assert s == Schedule("step", every=10) and asdict(s) == {"name": "step", "total_steps": 10_000,
                                                                  "every": 10, "factor": 0.5}
    finally:
        schedules.SCHEDULES.unregister("not-a-schedule")
