"""Every registered loss: value and gradient against finite differences; targets; stability."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.nn import losses
from nnviz.nn.gradcheck import numerical_gradient, relative_error

NAMES = losses.names()


def _case(name: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    loss = losses.get(name)
    if name == "cross_entropy":
        out = rng.dirichlet(np.ones(4), size=6)
        return out, rng.integers(0, 4, size=6)
    if loss.needs_probabilities:
        return rng.uniform(0.05, 0.95, size=(6, 1)), rng.integers(0, 2, size=6).astype(float)
    return rng.normal(size=(6, 3)), rng.normal(size=(6, 3))


def test_registry_has_the_required_losses():
    for name in ("mse", "mae", "binary_cross_entropy", "cross_entropy", "huber"):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_grad_matches_finite_differences(name):
    rng = np.random.default_rng(7)
    out, y = _case(name, rng)
    loss = losses.get(name)
    numeric = numerical_gradient(lambda: loss.value(out, y), out)
    assert relative_error(loss.grad(out, y), numeric) < 1e-6


@pytest.mark.parametrize("name", [n for n in NAMES if losses.get(n).fused_activation])
def test_fused_gradient_is_the_chain_rule_through_the_activation(name):
    from nnviz.nn import activations

    rng = np.random.default_rng(11)
    loss = losses.get(name)
    act = activations.get(loss.fused_activation)
    k = 4 if loss.fused_activation == "softmax" else 1
    z = rng.normal(size=(5, k))
    y = rng.integers(0, max(k, 2), size=5)
    p = act.forward(z)
    chained = act.backward(z, p, loss.grad(p, y))
    assert np.allclose(loss.fused_grad(p, y), chained, atol=1e-10)


def test_values_by_hand():
    out = np.array([[1.0], [3.0]])
    y = np.array([0.0, 1.0])
    assert losses.get("mse").value(out, y) == pytest.approx((1 + 4) / 2)
    assert losses.get("mae").value(out, y) == pytest.approx((1 + 2) / 2)
    assert losses.get("huber", delta=1.0).value(out, y) == pytest.approx((0.5 + 1.5) / 2)
    p = np.array([[0.7, 0.2, 0.1]])
    assert losses.get("cross_entropy").value(p, np.array([1])) == pytest.approx(-np.log(0.2))
    assert losses.get("binary_cross_entropy").value(np.array([[0.8]]), np.array([1])) == pytest.approx(-np.log(0.8))


@pytest.mark.parametrize("name", NAMES)
def test_value_of_prepared_targets_is_the_value(name):
    out, y = _case(name, np.random.default_rng(3))
    loss = losses.get(name)
    t = loss.targets(out, y)
    np.testing.assert_array_equal(loss.targets_for(y, out[:1]), t)  # from any rows of outputs like these
    assert loss.value_of_targets(out, t) == loss.value(out, y)
    np.testing.assert_array_equal(loss.grad_of_targets(out, t), loss.grad(out, y))
    if loss.fused_activation:
        np.testing.assert_array_equal(loss.fused_grad_of_targets(out, t), loss.fused_grad(out, y))
    else:
        with pytest.raises(ValueError, match="no fused gradient"):
            loss.fused_grad_of_targets(out, t)


def test_integer_and_one_hot_targets_agree():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(3), size=5)
    labels = np.array([0, 2, 1, 1, 0])
    loss = losses.get("cross_entropy")
    assert loss.value(p, labels) == pytest.approx(loss.value(p, np.eye(3)[labels]))
    assert np.allclose(loss.grad(p, labels), loss.grad(p, np.eye(3)[labels]))


@pytest.mark.parametrize("name", ["cross_entropy", "binary_cross_entropy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_log_of_zero(name, dtype):
    out = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    y = np.array([1, 0]) if name == "cross_entropy" else np.array([[0, 1], [1, 0]])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        value = losses.get(name).value(out, y)
        grad = losses.get(name).grad(out, y)
    assert np.isfinite(value) and value > 10
    assert np.all(np.isfinite(grad))


def test_bad_targets_raise_clear_errors():
    loss = losses.get("cross_entropy")
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\]"):
        loss.value(np.full((2, 3), 1 / 3), np.array([0, 3]))
    with pytest.raises(ValueError, match="do not match"):
        losses.get("mse").value(np.zeros((4, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="unknown loss 'not-a-loss'"):
        losses.get("not-a-loss")


@pytest.mark.parametrize("name", NAMES)
def test_sums_outputs_says_how_the_value_is_averaged(name):
    rng = np.random.default_rng(5)
    loss = losses.get(name)
    out = rng.uniform(0.05, 0.95, size=(4, 3))
    t = rng.uniform(0.0, 1.0, size=(4, 3))  # targets in [0, 1] suit every loss
    elements = sum(loss.value(out[i : i + 1, j : j + 1], t[i : i + 1, j : j + 1]) for i, j in np.ndindex(out.shape))
    n, k = out.shape
    assert loss.value(out, t) == pytest.approx(elements / (n if loss.sums_outputs else n * k))


@pytest.mark.parametrize("name", NAMES)
def test_target_range_and_templates(name):
    cls = losses.LOSSES.get(name)
    if cls.target_range is not None:
        low, high = cls.target_range
        assert low < high
        for y in (low, high):  # both ends are valid targets
            assert np.isfinite(cls().value(np.array([[0.5]]), np.array([[y]])))
    for template in (cls.sample_template, cls.grad_template, cls.label_template):
        assert not template or "@a" in template  # the output's place holder is there to fill in
