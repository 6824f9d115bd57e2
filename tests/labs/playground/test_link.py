"""The playground's URL state: exact round trips, bad values fall back with messages, never an exception."""

from __future__ import annotations

import random

import pytest

from nnviz.data import toy_sets
from nnviz.labs.playground.experiment import (
    FEATURE_NAMES,
    MAX_BATCH,
    MAX_POINTS,
    MAX_SEED,
    MAX_TEST_RATIO,
    MIN_POINTS,
    Experiment,
    losses_for,
    outputs_for,
    task_of,
)
from nnviz.labs.playground.link import QUERY_KEYS, from_query, to_query
from nnviz.nn import activations, initializers, optimizers

DEFAULT = Experiment()


def _random_experiment(rng: random.Random) -> Experiment:
    dataset = rng.choice(toy_sets.names())
    task, n_classes = task_of(dataset)
    loss = rng.choice(list(losses_for(task, n_classes)))
    opt = rng.choice(optimizers.names())
    spec = optimizers.get(opt).hyperparams
    hidden = tuple(rng.randint(1, 16) for _ in range(rng.randint(0, 6)))
    return Experiment(
        dataset=dataset, noise=rng.random(), n_points=rng.randint(MIN_POINTS, MAX_POINTS),
        test_ratio=rng.uniform(0, MAX_TEST_RATIO), seed=rng.randint(0, MAX_SEED),
        features=tuple(rng.sample(FEATURE_NAMES, rng.randint(1, 7))), hidden=hidden,
        batch_norm=tuple(k for k in range(1, len(hidden) + 1) if rng.random() < 0.4),
        activation=rng.choice(activations.names()), init=rng.choice(initializers.names()),
        l1=rng.random() / 10, l2=rng.random() / 7, dropout=rng.uniform(0, 0.9), loss=loss,
        output=rng.choice(list(outputs_for(task, loss))), optimizer=opt,
        optimizer_params={k: rng.uniform(lo, min(hi, 0.999)) for k, (_, lo, hi, _) in spec.items()},
        learning_rate=10 ** rng.uniform(-5, 1), batch_size=rng.randint(1, MAX_BATCH),
        activations=tuple(rng.choice(activations.names()) for _ in hidden) if rng.random() < 0.5 else (),
    )


@pytest.mark.parametrize("seed", range(25))
def test_query_string_round_trip_is_exact(seed):
    exp = DEFAULT if seed == 0 else _random_experiment(random.Random(seed))
    query = to_query(exp)
    assert all(isinstance(v, str) for v in query.values())
    back, messages = from_query(query)
    assert back == exp and messages == []
    # Through a real query string, as a browser sends it.
    from urllib.parse import parse_qs, urlencode
    parsed = {k: v[-1] for k, v in parse_qs(urlencode(query), keep_blank_values=True).items()}
    assert from_query(parsed)[0] == exp


def test_batch_norm_in_a_link_is_read_after_the_hidden_layers():
    exp, messages = from_query({"hidden": "6,6,6", "bn": "3,1"})
    assert exp.hidden == (6, 6, 6) and exp.batch_norm == (1, 3) and messages == []
    exp, messages = from_query({"hidden": "6", "bn": "2"})  # no second layer to normalize
    assert exp.hidden == (6,) and exp.batch_norm == ()
    assert messages == ["ignored bn='2' (batch normalization after hidden layer 2, but the network has 1 "
                        "hidden layer); using none"]
    assert from_query({"bn": "none"})[0].batch_norm == ()


def test_query_bad_values_fall_back_with_messages():
    exp, messages = from_query({
        "lr": "fast", "hidden": "4,99", "data": "sine", "loss": "cross_entropy", "feat": "x1,x9",
        "opt": "momentum", "opt_set": "beta:0.5", "n": "-3", "zzz": "1", "embed": "true",
    })
    assert exp.learning_rate == DEFAULT.learning_rate and exp.hidden == DEFAULT.hidden
    assert exp.dataset == "sine" and exp.loss == "mse" and exp.output == "linear"
    assert exp.features == DEFAULT.features and exp.n_points == DEFAULT.n_points
    assert exp.optimizer == "momentum" and exp.opt_params == {"beta": 0.5}
    text = " | ".join(messages)
    for word in ("lr='fast'", "not a number", "hidden='4,99'", "loss='cross_entropy'", "feat=", "n='-3'", "zzz"):
        assert word in text
    assert "embed" not in text


def test_query_accepts_lists_and_empty_hidden():
    exp, messages = from_query({"hidden": ["4", "none"], "lr": ["0.1"]})
    assert exp.hidden == () and exp.learning_rate == 0.1 and messages == []


@pytest.mark.parametrize("seed", range(30))
def test_query_garbage_never_raises(seed):
    rng = random.Random(seed)
    keys = [*QUERY_KEYS.values(), "x", ""]
    junk = ["", "nan", "inf", "-1", "1e999", "a,b", ":", "0,0", "beta_1:2", "x1,x1", "none", "%%", "3.5", "adam"]
    params = {rng.choice(keys): rng.choice(junk) for _ in range(rng.randint(1, 10))}
    exp, messages = from_query(params)
    assert isinstance(exp, Experiment) and isinstance(messages, list)


@pytest.mark.parametrize("query, says", [
    ({"n": "1e9"}, "number of points must be in [20, 5000], got 1000000000"),
    ({"seed": "1e30"}, "seed must be in [0, 4294967295]"),
    ({"n": "2.5"}, "number of points must be an integer, got 2.5"),
    ({"batch": "0.0"}, "batch size"),
])
def test_a_number_out_of_range_says_the_range_not_not_a_number(query, says):
    _, messages = from_query(query)
    assert len(messages) == 1 and says in messages[0] and "not a number" not in messages[0]


def test_whole_numbers_written_as_floats_are_read():
    exp, messages = from_query({"n": "300.0", "batch": "2e1", "hidden": "4,1e1"})
    assert messages == [] and (exp.n_points, exp.batch_size, exp.hidden) == (300, 20, (4, 10))


def test_activations_per_layer_round_trip_and_an_old_link_keeps_its_network():
    exp = Experiment(hidden=(5, 4, 3), activations=("relu", "tanh", "gelu"), batch_norm=(2,))
    query = to_query(exp)
    assert query["acts"] == "relu,tanh,gelu" and query["act"] == "tanh"
    assert from_query(query) == (exp, [])
    # A link from before per-layer activations (no acts): every layer takes act.
    old = {k: v for k, v in to_query(Experiment(activation="relu", hidden=(6, 6))).items() if k != "acts"}
    back, messages = from_query(old)
    assert messages == [] and back.layer_activations == ("relu", "relu") and back.activations == ()
    assert to_query(Experiment())["acts"] == "none"


@pytest.mark.parametrize(("query", "says"), [
    ({"hidden": "4,4", "acts": "relu,not-an-activation"}, "unknown activation 'not-an-activation'"),
    ({"hidden": "4,4", "acts": "relu"}, "1 activation per layer, but the network has 2 hidden layers"),
    ({"hidden": "none", "acts": "relu"}, "but the network has 0 hidden layers"),
])
def test_bad_activations_per_layer_in_a_link_are_reported_and_every_layer_takes_act(query, says):
    exp, messages = from_query({**query, "act": "elu"})
    assert exp.activations == () and exp.activation == "elu"
    assert len(messages) == 1 and says in messages[0] and messages[0].endswith("using elu on every layer")


def test_a_multi_class_set_in_a_link_takes_softmax_and_refuses_one_output_losses():
    exp, messages = from_query({"data": "spiral_3", "loss": "binary_cross_entropy"})
    assert exp.dataset == "spiral_3" and exp.loss == "cross_entropy" and exp.output == "softmax"
    assert len(messages) == 1 and "loss='binary_cross_entropy'" in messages[0] and "3 classes" in messages[0]
    exp = Experiment(dataset="blobs_4", noise=0.4, hidden=(6,))
    assert from_query(to_query(exp)) == (exp, [])
