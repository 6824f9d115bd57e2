"""The digits lab: a digit model to draw for and to train.

``model`` (``DigitModel``: predictions, saliency, activations), ``architectures`` (the CNN and
MLP a page can build), ``size`` (a model's parameter count before it is built, and the most the
page trains), ``split`` (the shuffled training set and its validation share, shared by every
session), ``live`` (training in the page, tick by tick), ``evaluation`` (accuracy, confusion matrix,
mistakes), ``default`` (the shipped weights), ``train`` (the script that makes them) and ``code_export``
(the page's training as a PyTorch or an nnviz script). The package
itself exposes only ``load_default_model``: ``from nnviz.labs.digits import load_default_model``.
"""

from nnviz.labs.digits.default import load_default_model

__all__ = ["load_default_model"]
