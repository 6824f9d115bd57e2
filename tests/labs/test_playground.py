"""Tests for nnviz.labs.playground: the experiment, build/update, views, compare runs, URL state, export."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys

import numpy as np
import pytest

from nnviz.data import datasets
from nnviz.labs import playground as pg
from nnviz.nn import activations, initializers, losses, optimizers
from nnviz.nn.layers import Dropout
from nnviz.nn.network import Network

DEFAULT = pg.Experiment()
SMALL = pg.Experiment(n_points=120)


def test_defaults_are_the_documented_experiment():
    e = DEFAULT
    assert (e.dataset, e.n_points, e.hidden, e.activation, e.loss, e.output) == (
        "circles", 500, (4, 4), "tanh", "cross_entropy", "softmax")
    assert e.sizes == [2, 4, 4, 2]
    assert e.task == "classification" and e.n_classes == 2
    assert dict(e.optimizer_params) == {"beta_1": 0.9, "beta_2": 0.999, "eps": 1e-8}
    assert "2 → 4 → 4 → 2" in e.describe()


@pytest.mark.parametrize(("changes", "words"), [
    ({"dataset": "nope"}, "dataset"),
    ({"noise": -0.1}, "noise"),
    ({"noise": float("nan")}, "noise"),
    ({"n_points": 5}, "number of points"),
    ({"n_points": 10.5}, "number of points"),
    ({"test_ratio": 0.95}, "test share"),
    ({"seed": -1}, "seed"),
    ({"features": ()}, "at least one"),
    ({"features": ("x3",)}, "x3"),
    ({"features": "x1"}, "string"),
    ({"hidden": (0,)}, "neurons per layer"),
    ({"hidden": (17,)}, "neurons per layer"),
    ({"hidden": (2,) * 7}, "at most 6"),
    ({"activation": "not-an-activation"}, "not-an-activation"),
    ({"init": "ones"}, "ones"),
    ({"l1": -1}, "L1"),
    ({"l2": math.inf}, "L2"),
    ({"dropout": 0.95}, "dropout"),
    ({"learning_rate": 0}, "learning rate"),
    ({"learning_rate": -1}, "learning rate"),
    ({"batch_size": 0}, "batch size"),
    ({"optimizer": "not-an-optimizer"}, "not-an-optimizer"),
    ({"optimizer_params": {"gamma": 0.5}}, "gamma"),
    ({"optimizer_params": {"beta_1": 1.5}}, "beta_1"),
    ({"output": "sigmoid"}, "sigmoid"),  # cross-entropy needs softmax
    ({"dataset": "sine"}, "cross_entropy"),  # the default loss does not fit regression
])
def test_bad_values_raise_value_error_naming_them(changes, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        DEFAULT.replace(**changes)


def test_features_are_kept_in_canonical_order_and_names_canonical():
    e = DEFAULT.replace(features=("sin x2", "x1"), activation="RELU", optimizer="Adam")
    assert e.features == ("x1", "sin x2") and e.activation == "relu" and e.optimizer == "adam"


@pytest.mark.parametrize("name", datasets.names())
def test_losses_offered_fit_the_task(name):
    task, n_classes = pg.task_of(name)
    offered = pg.losses_for(task, n_classes)
    not_offered = pg.losses_not_offered(task, n_classes)
    assert set(offered) | set(not_offered) == set(losses.names())
    assert all(why for why in offered.values()) and all(why for why in not_offered.values())
    if task == "regression":
        assert "cross_entropy" not in offered and "binary_cross_entropy" not in offered
        assert all(losses.LOSSES.get(n).task == "regression" for n in offered)
    else:
        assert {"cross_entropy", "binary_cross_entropy", "mse"} <= set(offered)


def _combos():
    for name in datasets.names():
        task, n_classes = pg.task_of(name)
        for loss in pg.losses_for(task, n_classes):
            for output in pg.outputs_for(task, loss):
                yield name, loss, output


@pytest.mark.parametrize(("dataset", "loss", "output"), list(_combos()))
def test_every_offered_dataset_loss_output_combination_trains(dataset, loss, output):
    exp = pg.Experiment(dataset=dataset, loss=loss, output=output, n_points=80)
    run = pg.build(exp)
    assert run.net.output_shape == (exp.n_outputs,)
    assert run.train(5) == 5 and run.diverged is None
    m = pg.metrics(run)
    assert math.isfinite(m["train_loss"])
    assert math.isnan(m["train_accuracy"]) == (exp.task == "regression")


@pytest.mark.parametrize("activation", activations.names())
def test_every_hidden_activation_builds_trains_and_has_a_note(activation):
    run = pg.build(SMALL.replace(activation=activation))
    run.train(5)
    assert run.step == 5 and pg.activation_note(activation)
    assert np.isfinite(pg.decision_surface(run, 20)).all()


def test_step_activation_freezes_the_hidden_layers():
    run = pg.build(SMALL.replace(activation="step"))
    first = run.net.params["dense0.W"].copy()
    run.train(20)
    np.testing.assert_array_equal(run.net.params["dense0.W"], first)
    assert not np.array_equal(run.net.params["dense2.W"], run.initial["dense2.W"])


@pytest.mark.parametrize("init", initializers.names())
def test_every_initializer_builds(init):
    run = pg.build(SMALL.replace(init=init))
    assert run.net.layers[0].init == init


@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_builds_with_its_settings(name):
    exp = SMALL.with_optimizer(name)
    assert set(exp.opt_params) == set(optimizers.get(name).hyperparams)
    run = pg.build(exp)
    run.train(3)
    assert type(run.trainer.optimizer).__name__.lower() == type(optimizers.get(name)()).__name__.lower()


def test_builds_are_deterministic():
    a, b = pg.build(DEFAULT), pg.build(DEFAULT)
    for key in a.net.params:
        np.testing.assert_array_equal(a.net.params[key], b.net.params[key])
    a.train(30)
    b.train(30)
    np.testing.assert_array_equal(a.net.get_flat(), b.net.get_flat())
    np.testing.assert_array_equal(a.data.X_train, b.data.X_train)


def test_default_experiment_learns_circles_within_a_few_hundred_steps():
    run = pg.build(DEFAULT)
    before = pg.metrics(run)
    run.train(200)
    after = pg.metrics(run)
    assert after["train_loss"] < 0.5 * before["train_loss"]
    assert after["test_accuracy"] > 0.9


def test_data_split_and_features():
    run = pg.build(DEFAULT.replace(features=("x1", "x2", "x1*x2"), test_ratio=0.2))
    d = run.data
    assert len(d.X_train) + len(d.X_test) == 500 and len(d.X_test) == 100
    np.testing.assert_allclose(d.F_train[:, 2], d.X_train[:, 0] * d.X_train[:, 1], rtol=1e-6)
    assert run.net.input_shape == (3,)
    no_test = pg.build(SMALL.replace(test_ratio=0.0))
    assert len(no_test.data.X_test) == 0 and math.isnan(pg.metrics(no_test)["test_loss"])
    no_test.train(10)


# ---- live changes versus resets -----------------------------------------------------------

@pytest.mark.parametrize(("changes", "field"), [
    ({"learning_rate": 0.1}, "learning rate"),
    ({"batch_size": 25}, "batch size"),
    ({"l2": 0.01}, "L2"),
    ({"l1": 0.001}, "L1"),
    ({"dropout": 0.2}, "dropout"),
    ({"optimizer": "sgd", "optimizer_params": ()}, "optimizer"),
    ({"optimizer_params": {"beta_1": 0.8}}, "optimizer settings"),
])
def test_live_changes_keep_the_model_and_the_step_count(changes, field):
    run = pg.build(SMALL)
    run.train(12)
    weights = run.net.get_flat()
    new = SMALL.replace(**changes)
    same, change = pg.update(run, new)
    assert same is run and change.kind == "live" and field in change.message
    assert run.step == 12 and run.experiment == new
    np.testing.assert_array_equal(run.net.get_flat(), weights)
    assert run.trainer.config.learning_rate == new.learning_rate
    assert run.trainer.config.batch_size == new.batch_size and run.trainer.config.l2 == new.l2
    assert all(layer.rate == new.dropout for layer in run.net.layers if isinstance(layer, Dropout))
    run.train(3)
    assert run.step == 15


@pytest.mark.parametrize(("changes", "what"), [
    ({"hidden": (4, 4, 4)}, "architecture"),
    ({"activation": "relu"}, "architecture"),
    ({"features": ("x1", "x2", "x1^2")}, "architecture"),
    ({"init": "he_normal"}, "architecture"),
    ({"loss": "binary_cross_entropy", "output": "sigmoid"}, "architecture"),
    ({"seed": 3}, "data"),
    ({"noise": 0.5}, "data"),
    ({"dataset": "xor"}, "data"),
    ({"n_points": 200}, "data"),
    ({"test_ratio": 0.3}, "data"),
])
def test_architecture_or_data_changes_reset_and_say_so(changes, what):
    run = pg.build(SMALL)
    run.train(10)
    new_run, change = pg.update(run, SMALL.replace(**changes))
    assert change.kind == "reset" and new_run is not run and new_run.step == 0
    assert what in change.message and "reset" in change.message
    assert (new_run.data is run.data) == (what == "architecture" and "features" not in changes)


def test_no_change_is_none():
    run = pg.build(SMALL)
    assert pg.update(run, SMALL)[1].kind == "none"


# ---- views --------------------------------------------------------------------------------

def test_grid_covers_the_domain_row_major_with_x2_rising():
    pts = pg.grid_points(4)
    lo, hi = pg.DOMAIN
    assert pts.shape == (16, 2) and pts.min() > lo and pts.max() < hi
    assert pts[1, 0] > pts[0, 0] and pts[1, 1] == pts[0, 1]  # along a row x1 rises
    assert pts[4, 1] > pts[0, 1]  # row 1 is higher in x2
    assert not pts.flags.writeable


def test_decision_surface_is_one_forward_pass_over_a_100_grid():
    run = pg.build(DEFAULT)
    run.train(100)
    z = pg.decision_surface(run)
    assert z.shape == (100, 100) and z.dtype == np.float32
    assert (z >= 0).all() and (z <= 1).all()
    # Matches the network on the same points.
    out = run.net.predict(pg.grid_features(DEFAULT.features, 100))
    np.testing.assert_allclose(z.ravel(), out[:, 1], rtol=1e-5, atol=1e-6)
    # Circles: blue (class 1) in the middle, orange at the corners.
    assert z[50, 50] > 0.5 and z[0, 0] < 0.5


def test_regression_surface_is_the_prediction():
    run = pg.build(pg.Experiment(dataset="plane", loss="mse", output="linear", n_points=100))
    z = pg.decision_surface(run, 10)
    np.testing.assert_allclose(z.ravel(), run.net.predict(pg.grid_features(run.experiment.features, 10))[:, 0],
                               rtol=1e-5)


def test_neuron_maps_have_one_map_per_neuron():
    exp = DEFAULT.replace(features=("x1", "x2", "sin x1"), hidden=(3, 5))
    run = pg.build(exp)
    maps = pg.neuron_maps(run, 12)
    assert [m.shape for m in maps] == [(3, 12, 12), (3, 12, 12), (5, 12, 12), (2, 12, 12)]
    c = pg.grid_centers(12)
    np.testing.assert_allclose(maps[0][0], np.tile(c, (12, 1)), rtol=1e-6)  # x1 varies along columns
    np.testing.assert_allclose(maps[0][1], np.tile(c[:, None], (1, 12)), rtol=1e-6)  # x2 along rows
    np.testing.assert_allclose(maps[0][2], np.sin(np.tile(c, (12, 1))), rtol=1e-5)
    assert np.abs(maps[1]).max() <= 1  # tanh
    np.testing.assert_allclose(maps[-1].sum(axis=0), 1, rtol=1e-5)  # softmax outputs
    labels = pg.neuron_labels(exp)
    assert [len(col) for col in labels] == [m.shape[0] for m in maps]
    assert labels[-1] == ["P(orange)", "P(blue)"]


def test_weights_labels_and_histograms_line_up():
    run = pg.build(DEFAULT.replace(hidden=(5,)))
    ws = pg.weights(run)
    assert [W.shape for W, _ in ws] == [(2, 5), (5, 2)]
    assert pg.layer_labels(run.experiment) == ["hidden 1 (2→5)", "output (5→2)"]
    run.train(20)
    hists = pg.weight_histograms(run)
    for h, (W, _) in zip(hists, ws, strict=True):
        assert h["now"].sum() == W.size == h["initial"].sum()
        assert len(h["edges"]) == len(h["now"]) + 1


def test_curves_and_gradient_norms_are_downsampled():
    run = pg.build(SMALL)
    run.train(2000)
    c = pg.curves(run.history, max_points=100)
    assert len(c["step"]) <= 100 and c["step"][-1] == run.history.eval_steps[-1] and c["step"][0] == 1
    assert all(len(v) == len(c["step"]) for v in c.values())
    started = pg.curves(run.history, max_points=100, start=run.start)
    assert len(started["step"]) <= 100 and started["step"][0] == 0 and started["step"][1] == 1
    assert started["train_loss"][0] == run.start["train_loss"] and np.isnan(started["dead_relu"][0])
    g = pg.gradient_norms(run, max_points=50)
    assert set(g) == {"step", *pg.layer_labels(run.experiment)} and len(g["step"]) <= 50


def test_dead_relus_are_recorded():
    run = pg.build(SMALL.replace(activation="relu"))
    run.train(20)
    c = pg.curves(run.history)
    assert np.isfinite(c["dead_relu"]).all() and (c["dead_relu"] >= 0).all()


# ---- divergence ---------------------------------------------------------------------------

def test_a_huge_learning_rate_diverges_as_a_result_with_finite_weights():
    exp = pg.Experiment(dataset="plane", loss="mse", output="linear", optimizer="sgd", learning_rate=30.0)
    run = pg.build(exp)
    done = run.train(200)
    assert run.diverged is not None and done < 200 and run.step == run.diverged - 1
    assert all(np.isfinite(p).all() for p in run.net.params.values())
    assert np.isfinite(pg.decision_surface(run, 20)).all()
    assert run.train(10) == 0  # stays diverged


# ---- compare runs -------------------------------------------------------------------------

def test_compare_starts_every_copy_from_the_same_weights():
    cmp = pg.compare(SMALL, "learning_rate", [0.001, 0.03, 3.0])
    assert [r.label for r in cmp.runs] == ["η = 0.001", "η = 0.03", "η = 3"]
    first = cmp.runs[0].net.get_flat()
    for r in cmp.runs[1:]:
        np.testing.assert_array_equal(r.net.get_flat(), first)
        assert r.net is not cmp.runs[0].net and r.data is cmp.runs[0].data
    for r in cmp.runs:
        r.train(60)
    losses_ = [pg.metrics(r)["train_loss"] for r in cmp.runs]
    assert len(set(losses_)) == 3 and losses_[1] < losses_[0]


def test_compare_identical_settings_give_identical_runs_and_optimizers_vary():
    cmp = pg.compare(SMALL, "optimizer", ["sgd", "adam"])
    assert [r.experiment.optimizer for r in cmp.runs] == ["sgd", "adam"]
    a, b = pg.compare(SMALL, "learning_rate", [0.03]).runs[0], pg.build(SMALL)
    a.train(25)
    b.train(25)
    np.testing.assert_array_equal(a.net.get_flat(), b.net.get_flat())


@pytest.mark.parametrize(("vary", "values"), [
    ("learning_rate", []), ("learning_rate", [0.1] * 2), ("learning_rate", [0.1, 0.2, 0.3, 0.4, 0.5]),
    ("learning_rate", [-1.0]), ("batch_size", [1]), ("optimizer", ["nope"]),
])
def test_compare_rejects_bad_setups(vary, values):
    with pytest.raises(ValueError):
        pg.compare(SMALL, vary, values)


def test_comparison_key_ignores_the_varied_setting():
    a = pg.comparison_key(SMALL, "learning_rate", [0.1])
    assert a == pg.comparison_key(SMALL.replace(learning_rate=0.5), "learning_rate", [0.1])
    assert a != pg.comparison_key(SMALL.replace(hidden=(2,)), "learning_rate", [0.1])


# ---- URL state ----------------------------------------------------------------------------

def _random_experiment(rng: random.Random) -> pg.Experiment:
    dataset = rng.choice(datasets.names())
    task, n_classes = pg.task_of(dataset)
    loss = rng.choice(list(pg.losses_for(task, n_classes)))
    opt = rng.choice(optimizers.names())
    spec = optimizers.get(opt).hyperparams
    return pg.Experiment(
        dataset=dataset, noise=rng.random(), n_points=rng.randint(pg.MIN_POINTS, pg.MAX_POINTS),
        test_ratio=rng.uniform(0, pg.MAX_TEST_RATIO), seed=rng.randint(0, pg.MAX_SEED),
        features=tuple(rng.sample(pg.FEATURE_NAMES, rng.randint(1, 7))),
        hidden=tuple(rng.randint(1, 16) for _ in range(rng.randint(0, 6))),
        activation=rng.choice(activations.names()), init=rng.choice(initializers.names()),
        l1=rng.random() / 10, l2=rng.random() / 7, dropout=rng.uniform(0, 0.9), loss=loss,
        output=rng.choice(list(pg.outputs_for(task, loss))), optimizer=opt,
        optimizer_params={k: rng.uniform(lo, min(hi, 0.999)) for k, (_, lo, hi, _) in spec.items()},
        learning_rate=10 ** rng.uniform(-5, 1), batch_size=rng.randint(1, pg.MAX_BATCH),
    )


@pytest.mark.parametrize("seed", range(25))
def test_query_string_round_trip_is_exact(seed):
    exp = DEFAULT if seed == 0 else _random_experiment(random.Random(seed))
    query = pg.to_query(exp)
    assert all(isinstance(v, str) for v in query.values())
    back, messages = pg.from_query(query)
    assert back == exp and messages == []
    # Through a real query string, as a browser sends it.
    from urllib.parse import parse_qs, urlencode
    parsed = {k: v[-1] for k, v in parse_qs(urlencode(query), keep_blank_values=True).items()}
    assert pg.from_query(parsed)[0] == exp


def test_query_bad_values_fall_back_with_messages():
    exp, messages = pg.from_query({
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
    exp, messages = pg.from_query({"hidden": ["4", "none"], "lr": ["0.1"]})
    assert exp.hidden == () and exp.learning_rate == 0.1 and messages == []


@pytest.mark.parametrize("seed", range(30))
def test_query_garbage_never_raises(seed):
    rng = random.Random(seed)
    keys = [*pg.QUERY_KEYS.values(), "x", ""]
    junk = ["", "nan", "inf", "-1", "1e999", "a,b", ":", "0,0", "beta_1:2", "x1,x1", "none", "%%", "3.5", "adam"]
    params = {rng.choice(keys): rng.choice(junk) for _ in range(rng.randint(1, 10))}
    exp, messages = pg.from_query(params)
    assert isinstance(exp, pg.Experiment) and isinstance(messages, list)


# ---- export -------------------------------------------------------------------------------

def test_exports_round_trip():
    run = pg.build(SMALL)
    run.train(30)
    doc = json.loads(pg.export_json(run))
    assert doc["step"] == 30 and doc["experiment"]["hidden"] == [4, 4]
    assert pg.from_query(doc["query"])[0] == SMALL
    assert len(doc["history"]["loss"]) == 30
    csv = pg.export_csv(run)
    assert csv.splitlines()[0].startswith("step,loss") and len(csv.splitlines()) == 31
    net = Network.load(pg.model_bytes(run))
    X = run.data.F_test
    np.testing.assert_allclose(net.predict(X), run.net.predict(X))


def test_export_json_is_strict_json_after_divergence():
    run = pg.build(pg.Experiment(dataset="plane", loss="mse", output="linear", optimizer="sgd",
                                 learning_rate=30.0, test_ratio=0.0, n_points=60))
    run.train(100)
    text = pg.export_json(run)
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text)["diverged_at"] == run.diverged


def test_engine_module_imports_neither_streamlit_nor_plotly():
    code = "import sys, nnviz.labs.playground; print(any(m.split('.')[0] in ('streamlit', 'plotly') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(pg.__file__).rsplit("/nnviz/", 1)[0])
    assert out.stdout.strip() == "False"
