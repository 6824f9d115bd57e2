"""Fuzzing the engine's public API with hypothesis (bounded: a few hundred examples in all, no
deadline, so CI stays fast and never flakes on a slow machine). Whatever goes in, the engine either
works and says the truth (finite outputs from finite inputs, a divergence flagged when the weights
are not finite) or raises a ValueError; never another exception, a warning that escapes, or a
silently broken model."""

from __future__ import annotations

import io
import warnings
import zipfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="pip install -r requirements-dev.txt")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nnviz.nn import activations, losses, optimizers  # noqa: E402
from nnviz.nn.network import Network  # noqa: E402
from nnviz.nn.training import TrainConfig, Trainer  # noqa: E402

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
ELEMENTWISE = [n for n in activations.ACTIVATIONS.names() if n != "softmax"]
ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                      st.lists(st.integers(-3, 3), max_size=3))


@FUZZ
@given(name=st.sampled_from(activations.ACTIVATIONS.names()),
       z=st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=2, max_size=12))
def test_activations_are_finite_on_finite_inputs(name, z):
    act = activations.get(name)
    x = np.array(z, dtype=np.float64).reshape(1, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = act.forward(x)
        grad = act.backward(x, out, np.ones_like(out))
    assert out.shape == x.shape and np.all(np.isfinite(out)) and np.all(np.isfinite(grad))


@FUZZ
@given(name=st.sampled_from(losses.LOSSES.names()), n=st.integers(1, 6), k=st.integers(2, 4),
       seed=st.integers(0, 10**6), scale=st.floats(1e-6, 1e3))
def test_losses_are_finite_for_valid_predictions(name, n, k, seed, scale):
    rng = np.random.default_rng(seed)
    loss = losses.get(name)
    labels = rng.integers(0, k, size=n)
    if name in ("binary_cross_entropy",):
        pred = 0.5 * (1 + np.tanh(0.5 * scale * rng.normal(size=(n, 1))))  # the sigmoid, without overflow
        target = (labels % 2).reshape(n, 1).astype(float)
        pred = np.clip(pred, 1e-12, 1 - 1e-12)
    elif name in ("cross_entropy", "categorical_cross_entropy"):
        e = np.exp(scale * rng.normal(size=(n, k)) - (scale * rng.normal(size=(n, k))).max())
        pred, target = np.clip(e / e.sum(axis=1, keepdims=True), 1e-12, 1), labels
    else:
        pred, target = scale * rng.normal(size=(n, 1)), scale * rng.normal(size=(n, 1))
    try:
        value, grad = loss.value(pred, target), loss.grad(pred, target)
    except ValueError:
        return  # a pairing the loss refuses, by name
    assert np.isfinite(value) and value >= -1e-9 and np.all(np.isfinite(grad))


@FUZZ
@given(field=st.sampled_from(["learning_rate", "batch_size", "l1", "l2", "seed", "eval_every", "blowup",
                              "loss", "optimizer"]), value=ANY_VALUE)
def test_train_config_takes_a_value_or_names_it(field, value):
    try:
        TrainConfig(**{field: value})
    except ValueError:
        pass


@FUZZ
@given(optimizer=st.sampled_from(optimizers.OPTIMIZERS.names()),
       param=st.sampled_from(["eps", "beta_1", "beta_2", "momentum", "rho", "decay"]), value=ANY_VALUE)
def test_optimizer_settings_are_checked(optimizer, param, value):
    try:
        config = TrainConfig(optimizer=optimizer, optimizer_params={param: value})
    except ValueError:
        return
    X = np.random.default_rng(0).normal(size=(16, 2))
    tr = Trainer(Network.mlp([2, 3, 2], output="softmax"), config, X, (X[:, 0] > 0).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr.run(steps=3)
    assert tr.diverged is not None or all(np.all(np.isfinite(p)) for p in tr.net.params.values())


@FUZZ
@given(sizes=st.lists(st.integers(-2, 9), min_size=1, max_size=4),
       activation=st.sampled_from([*ELEMENTWISE, "nope"]), dropout=st.one_of(st.floats(-1, 2), st.just(float("nan"))),
       batchnorm=st.booleans(), seed=st.integers(-5, 2**40))
def test_mlp_builds_or_names_the_value(sizes, activation, dropout, batchnorm, seed):
    try:
        net = Network.mlp(sizes, activation=activation, dropout=dropout, batchnorm=batchnorm, seed=seed)
    except ValueError:
        return
    out = net.forward(np.zeros((3, sizes[0])), training=False)
    assert out.shape == (3, sizes[-1]) and np.all(np.isfinite(out))


@FUZZ
@given(lr=st.floats(1e-4, 1e3), data_scale=st.floats(1e-3, 1e35), batchnorm=st.booleans(),
       optimizer=st.sampled_from(optimizers.OPTIMIZERS.names()), seed=st.integers(0, 100))
# found by this test: batch norm's running variance overflowed float32, and the saved model was refused
@example(lr=64.0, data_scale=2751459270399922.0, batchnorm=True, optimizer="sgd", seed=1)
def test_training_tells_the_truth(lr, data_scale, batchnorm, optimizer, seed):
    """Any learning rate and data scale: the run either refuses the data (ValueError), or keeps
    finite weights, or is flagged diverged; a saved model loads again."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(24, 2)) * data_scale
    y = (X[:, 0] > 0).astype(int)
    net = Network.mlp([2, 4, 2], activation="tanh", output="softmax", batchnorm=batchnorm, seed=seed)
    try:
        tr = Trainer(net, TrainConfig(optimizer=optimizer, learning_rate=lr, batch_size=4, eval_every=2), X, y)
    except ValueError:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr.run(steps=12)
    finite = all(np.all(np.isfinite(p)) for p in tr.net.params.values())
    assert finite, "the kept weights must be finite (the last finite ones after a divergence)"
    if tr.diverged is None:  # a run not flagged evaluates to a finite loss (batch norm in eval mode too)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss, _ = tr.evaluate(X, y)
        assert np.isfinite(loss), f"evaluation loss {loss} but the run is not flagged diverged"
    buf = io.BytesIO()
    tr.net.save(buf)
    Network.load(buf.getvalue())


@FUZZ
@given(data=st.binary(max_size=600))
def test_load_random_bytes_is_a_value_error(data):
    with pytest.raises(ValueError):
        Network.load(data)


@FUZZ
@given(cut=st.integers(0, 4000), flip=st.integers(0, 4000), byte=st.integers(0, 255))
def test_load_damaged_model_files(cut, flip, byte):
    """A real model file cut short or with one byte changed: loads (if the damage missed what
    matters) or a ValueError, never another exception."""
    buf = io.BytesIO()
    Network.mlp([2, 3, 2], output="softmax").save(buf)
    raw = bytearray(buf.getvalue())
    if flip < len(raw):
        raw[flip] = byte
    raw = bytes(raw[: max(cut, 1)]) if cut < len(raw) else bytes(raw)
    try:
        net = Network.load(raw)
    except (ValueError, zipfile.BadZipFile) as exc:
        assert isinstance(exc, ValueError), f"{type(exc).__name__}: {exc}"
        return
    out = net.forward(np.zeros((1, 2)), training=False)
    assert out.shape == (1, 2)
