"""Small networks the landscape lab's tests share."""

from __future__ import annotations

import numpy as np

from nnviz.labs.landscape import runs
from nnviz.nn import losses
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig


def mlp(**kw) -> Network:
    """A 2-16-16-2 tanh/softmax MLP (seed 0 unless ``kw`` says otherwise)."""
    args = {"activation": "tanh", "output": "softmax", "seed": 0} | kw
    return Network.mlp([2, 16, 16, 2], **args)


def trained(X: np.ndarray, y: np.ndarray, lr: float = 0.3, steps: int = 60) -> Network:
    """``mlp()`` after ``steps`` steps of SGD at rate ``lr``."""
    net = mlp()
    runs.train_with_snapshots(net, TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0), X, y, steps, 3)
    return net


def loss_at(net: Network, loss: str, X: np.ndarray, y: np.ndarray) -> float:
    """The loss of ``net``'s current weights on (X, y)."""
    return losses.get(loss).value(net.predict(X), y)
