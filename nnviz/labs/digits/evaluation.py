"""A digit model on a labelled set: accuracy, the confusion matrix, the most confident mistakes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.labs.digits.model import N_CLASSES, DigitModel


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A model on a labelled set: ``proba`` (n, 10), ``predicted`` (n,), ``labels`` (n,),
    ``confusion`` (10, 10) counts with rows = true digit and columns = predicted digit."""

    proba: np.ndarray
    predicted: np.ndarray
    labels: np.ndarray
    confusion: np.ndarray

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.predicted == self.labels)) if len(self.labels) else float("nan")

    @property
    def confidence(self) -> np.ndarray:
        return self.proba.max(axis=1)

    def cell(self, true: int, predicted: int, limit: int = 24) -> np.ndarray:
        """Indices of images of digit ``true`` predicted as ``predicted``, most confident first."""
        idx = np.flatnonzero((self.labels == true) & (self.predicted == predicted))
        return idx[np.argsort(-self.confidence[idx], kind="stable")][:limit]

    def most_confident_wrong(self, limit: int = 16) -> np.ndarray:
        """Indices of misclassified images, the most confident mistakes first."""
        wrong = np.flatnonzero(self.predicted != self.labels)
        return wrong[np.argsort(-self.confidence[wrong], kind="stable")][:limit]


def evaluate(model: DigitModel, X: np.ndarray, y: np.ndarray) -> Evaluation:
    """Predict every image of X (n, 28, 28) and compare with labels y (n,)."""
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"labels must have shape ({len(X)},), got {y.shape}")
    proba = model.predict_proba(X)
    predicted = proba.argmax(axis=1)
    labels = y.astype(np.int64)
    confusion = np.zeros((N_CLASSES, N_CLASSES), np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    return Evaluation(proba=proba, predicted=predicted, labels=labels, confusion=confusion)
