"""Downloads of a playground run: JSON, CSV and .npz."""

from __future__ import annotations

import json

import numpy as np

from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.export import export_csv, export_json, model_bytes
from nnviz.labs.playground.link import from_query
from nnviz.labs.playground.run import build
from nnviz.nn.network import Network

SMALL = Experiment(n_points=120)


def test_exports_round_trip():
    run = build(SMALL)
    run.train(30)
    doc = json.loads(export_json(run))
    assert doc["step"] == 30 and doc["experiment"]["hidden"] == [4, 4]
    assert from_query(doc["query"])[0] == SMALL
    assert len(doc["history"]["loss"]) == 30
    csv = export_csv(run)
    assert csv.splitlines()[0].startswith("step,loss") and len(csv.splitlines()) == 31
    net = Network.load(model_bytes(run))
    X = run.data.F_test
    np.testing.assert_allclose(net.predict(X), run.net.predict(X))


def test_export_json_is_strict_json_after_divergence():
    run = build(Experiment(dataset="plane", loss="mse", output="linear", optimizer="sgd",
                                 learning_rate=30.0, test_ratio=0.0, n_points=60))
    run.train(100)
    text = export_json(run)
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text)["diverged_at"] == run.diverged


def test_a_batch_normalized_model_exports_with_its_running_statistics():
    exp = Experiment(n_points=120, hidden=(4, 4), batch_norm=(1, 2))
    run = build(exp)
    run.train(60)
    doc = json.loads(export_json(run))
    assert doc["experiment"]["batch_norm"] == [1, 2] and from_query(doc["query"])[0] == exp
    net = Network.load(model_bytes(run))
    assert [layer.kind for layer in net.layers].count("batchnorm") == 2
    X = run.data.F_test
    np.testing.assert_allclose(net.predict(X), run.net.predict(X))


def test_activations_per_layer_are_in_the_json_and_the_model():
    exp = Experiment(n_points=120, hidden=(4, 4), activations=("relu", "sigmoid"))
    run = build(exp)
    run.train(20)
    doc = json.loads(export_json(run))
    assert doc["experiment"]["activations"] == ["relu", "sigmoid"] and from_query(doc["query"])[0] == exp
    net = Network.load(model_bytes(run))
    assert [layer.function for layer in net.layers if layer.kind == "activation"] == ["relu", "sigmoid", "softmax"]
    X = run.data.F_test
    np.testing.assert_allclose(net.predict(X), run.net.predict(X))
