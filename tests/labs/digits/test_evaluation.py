"""Evaluating a digit model (nnviz.labs.digits.evaluation): counts, orders, bad labels."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.digits.evaluation import evaluate


def test_evaluate_counts_and_orders(mnist, model):
    X, y = mnist.X_test[:300], mnist.y_test[:300]
    ev = evaluate(model, X, y)
    assert ev.confusion.sum() == 300 and ev.confusion.shape == (10, 10)
    assert ev.accuracy == pytest.approx(np.trace(ev.confusion) / 300)
    wrong = ev.most_confident_wrong()
    assert np.all(ev.predicted[wrong] != ev.labels[wrong])
    assert np.all(np.diff(ev.confidence[wrong]) <= 0)
    idx = ev.cell(3, 3)
    assert np.all(ev.labels[idx] == 3) and np.all(ev.predicted[idx] == 3) and len(idx) <= 24


def test_labels_must_match_the_images(model):
    with pytest.raises(ValueError, match=r"labels must have shape \(2,\)"):
        evaluate(model, np.zeros((2, 28, 28)), np.zeros(3))
