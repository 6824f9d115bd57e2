"""Shared fixtures of the digits lab's tests: the shared MNIST files and the shipped model."""

from __future__ import annotations

import pytest

from nnviz.data.mnist_files import Mnist, load_mnist
from nnviz.labs.digits import load_default_model
from nnviz.labs.digits.model import DigitModel


@pytest.fixture(scope="module")
def mnist(mnist_folder) -> Mnist:
    return load_mnist(mnist_folder)


@pytest.fixture(scope="module")
def model() -> DigitModel:
    return load_default_model()
