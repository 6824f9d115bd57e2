"""Every registered activation: derivative against central finite differences, stability, metadata."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nnviz.nn import activations
from nnviz.nn.gradcheck import numerical_gradient, relative_error

NAMES = activations.names()


def test_registry_has_the_required_functions():
    for name in ("step", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "linear"):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences(name):
    rng = np.random.default_rng(1)
    z = rng.normal(0, 2, size=(5, 4))
    z[np.abs(z) < 1e-3] = 0.5  # keep away from kinks (ReLU, step) where f' is undefined
    fn = activations.get(name)
    weights = rng.normal(size=z.shape)  # L = sum(w * f(z)) makes dL/da = w
    numeric = numerical_gradient(lambda: float(np.sum(weights * fn.forward(z))), z)
    analytic = fn.backward(z, fn.forward(z), weights)
    assert relative_error(analytic, numeric) < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_derivative_is_the_diagonal_of_the_jacobian(name):
    z = np.linspace(-3, 3, 13).reshape(1, -1) + 0.01
    fn = activations.get(name)
    if fn.elementwise:
        numeric = numerical_gradient(lambda: float(np.sum(fn.forward(z))), z)
        assert np.allclose(fn.derivative(z), numeric, atol=1e-6)
    else:  # softmax: d a_i / d z_i = a_i (1 - a_i)
        a = fn.forward(z)
        assert np.allclose(fn.derivative(z), a * (1 - a))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_are_finite_and_silent(name, dtype):
    z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], dtype=dtype)
    fn = activations.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            a = fn.forward(z)
            d = fn.derivative(z, a)
            g = fn.backward(z, a, np.ones_like(z))
    assert a.dtype == dtype and g.dtype == dtype
    if name not in ("linear", "relu", "leaky_relu", "elu", "gelu"):
        assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))


def test_sigmoid_values():
    s = activations.get("sigmoid")
    assert s.forward(np.array([0.0]))[0] == 0.5
    assert s.forward(np.array([1000.0]))[0] == 1.0
    assert s.forward(np.array([-1000.0]))[0] == 0.0
    assert abs(s.forward(np.array([0.1]))[0] - 0.52497918747894) < 1e-12


def test_softmax_rows_sum_to_one_and_temperature():
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    p = activations.get("softmax").forward(z)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.allclose(p[1], [0.5, 0.5, 0.0])
    hot = activations.get("softmax", temperature=100.0).forward(z[:1])
    cold = activations.get("softmax", temperature=0.01).forward(z[:1])
    assert np.ptp(hot) < 0.01 and cold[0, 2] > 0.999


def test_softmax_temperature_gradient():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(3, 4))
    fn = activations.get("softmax", temperature=2.5)
    w = rng.normal(size=z.shape)
    numeric = numerical_gradient(lambda: float(np.sum(w * fn.forward(z))), z)
    assert relative_error(fn.backward(z, fn.forward(z), w), numeric) < 1e-6


def test_leaky_relu_slope_is_settable():
    fn = activations.get("leaky_relu", alpha=0.2)
    assert np.allclose(fn.forward(np.array([-1.0, 2.0])), [-0.2, 2.0])
    assert activations.get("leaky_relu").alpha == 0.01


@pytest.mark.parametrize("name", NAMES)
def test_metadata_for_the_ui(name):
    cls = activations.ACTIVATIONS.get(name)
    for field in ("label", "formula", "derivative_formula", "output_range", "common_use", "issue"):
        assert getattr(cls, field), f"{name} lacks {field}"


def test_bad_names_and_params():
    with pytest.raises(ValueError, match="unknown activation 'not-an-activation'.*relu"):
        activations.get("not-an-activation")
    with pytest.raises(ValueError, match="alpha"):
        activations.get("leaky_relu", alpha=-1)
    with pytest.raises(ValueError, match="no parameter 'slope'"):
        activations.get("relu", slope=2)


@pytest.mark.parametrize("name", NAMES)
def test_plot_params_and_curve_note(name):
    cls = activations.ACTIVATIONS.get(name)
    for key, value in cls.plot_params.items():  # a plot's starting values are valid settings
        assert activations.get(name, **{key: value}).params[key] == value
    assert bool(cls.curve_note) == (not cls.elementwise)  # only a vector function needs a word on its curve


@pytest.mark.parametrize("name", NAMES)
def test_can_die_means_zero_output_and_zero_gradient_for_negative_z(name):
    """``can_die``: a unit whose z stays negative outputs 0, gets zero gradient and never learns
    again. An entry that still passes a gradient for some z < 0 must not claim it."""
    fn = activations.get(name)
    z = -np.linspace(1e-3, 20.0, 200).reshape(-1, 4)
    grad = fn.backward(z, fn.forward(z), np.ones_like(z))
    if fn.can_die:
        assert np.all(fn.forward(z) == 0) and np.all(grad == 0)
    if np.any(grad != 0):
        assert not fn.can_die


def test_relu_can_die_and_its_relatives_cannot():
    assert activations.ACTIVATIONS.get("relu").can_die
    for name in ("leaky_relu", "elu", "gelu", "tanh", "sigmoid", "linear", "softmax"):
        assert not activations.ACTIVATIONS.get(name).can_die
