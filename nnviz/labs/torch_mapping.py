"""The engine's registry entries as PyTorch code, for the pages' script exports (playground, digits).

Each activation, initializer, loss and optimizer maps to the PyTorch expression with the same
function or update (``TORCH_ACTIVATIONS``, ``TORCH_INITS``, ``TORCH_LOSSES``, ``torch_optimizer``),
or says in ``NOT_IN_TORCH`` why it has none. The exports' tests fail when a registry entry has
neither. Plain strings: nothing here imports torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnviz.nn import activations, optimizers

#: Engine activation -> the PyTorch module (``{alpha}``: the activation's setting).
TORCH_ACTIVATIONS: dict[str, str] = {
    "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "relu": "nn.ReLU()", "leaky_relu": "nn.LeakyReLU({alpha})",
    "elu": "nn.ELU({alpha})", "gelu": 'nn.GELU(approximate="tanh")', "linear": "nn.Identity()",
}
#: Engine initializer -> the ``torch.nn.init`` call on a weight ``w`` (biases start at 0, as here).
#: PyTorch's fans of a conv kernel (out, in, kh, kw) are in·kh·kw and out·kh·kw, the engine's of
#: (kh, kw, in, out): the same numbers.
TORCH_INITS: dict[str, str] = {
    "zeros": "nn.init.zeros_(w)", "random_normal": "nn.init.normal_(w, 0.0, 0.01)",
    "random_uniform": "nn.init.uniform_(w, -0.05, 0.05)", "xavier_uniform": "nn.init.xavier_uniform_(w)",
    "xavier_normal": "nn.init.xavier_normal_(w)", "he_normal": 'nn.init.kaiming_normal_(w, nonlinearity="relu")',
    "he_uniform": 'nn.init.kaiming_uniform_(w, nonlinearity="relu")',
}
#: Engine loss -> the PyTorch loss on the network's raw output (the fused output activation is in
#: the loss: softmax in CrossEntropyLoss, the sigmoid in BCEWithLogitsLoss).
TORCH_LOSSES: dict[str, str] = {
    "cross_entropy": "nn.CrossEntropyLoss()", "binary_cross_entropy": "nn.BCEWithLogitsLoss()",
    "mse": "nn.MSELoss()", "mae": "nn.L1Loss()", "huber": "nn.HuberLoss(delta={delta})",
}
#: What has no PyTorch counterpart, and why.
NOT_IN_TORCH: dict[str, str] = {
    "step": "the step function has no gradient: PyTorch could not train it either",
    "softmax": "softmax is the output of cross-entropy (inside nn.CrossEntropyLoss), not a hidden activation",
}


def activation_params(name: str) -> dict[str, Any]:
    """An activation's settings at their defaults, for ``TORCH_ACTIVATIONS``'s ``{alpha}``."""
    return {k: v for k, (v, *_rest) in activations.ACTIVATIONS.get(name).hyperparams.items()}


def torch_activation(name: str, params: Mapping[str, float] | None = None) -> str:
    """The PyTorch module of the activation ``name`` with ``params`` (missing ones at their
    defaults); KeyError where there is none (``why_not_activation`` says why)."""
    return TORCH_ACTIVATIONS[name].format(**(activation_params(name) | dict(params or {})))


def why_not_activation(name: str) -> str | None:
    """Why the hidden activation ``name`` cannot be written for PyTorch, or None when it can."""
    if name in NOT_IN_TORCH:
        return f"{name}: {NOT_IN_TORCH[name]}"
    if name not in TORCH_ACTIVATIONS:
        return f"the activation {name!r} has no PyTorch counterpart here"
    return None


def torch_optimizer(name: str, learning_rate: float, params: Mapping[str, float] | None = None) -> str:
    """``torch.optim`` with the same update as the engine's optimizer ``name`` (settings not given
    take the registry's defaults). The engine's momentum and Nesterov average the gradient
    (v = βv + (1 − β)g); PyTorch's sum it (v = βv + g), the same steps with a learning rate
    (1 − β) times the engine's."""
    p = {k: v for k, (v, *_rest) in optimizers.get(name).hyperparams.items()} | dict(params or {})
    lr = learning_rate
    if name == "sgd":
        return f"torch.optim.SGD(model.parameters(), lr={lr!r})"
    if name in ("momentum", "nesterov"):
        beta = p["beta"]
        nesterov = ", nesterov=True" if name == "nesterov" else ""
        return f"torch.optim.SGD(model.parameters(), lr={lr!r} * (1 - {beta!r}), momentum={beta!r}{nesterov})"
    if name == "adagrad":
        return f"torch.optim.Adagrad(model.parameters(), lr={lr!r}, eps={p['eps']!r})"
    if name == "rmsprop":
        return f"torch.optim.RMSprop(model.parameters(), lr={lr!r}, alpha={p['rho']!r}, eps={p['eps']!r})"
    if name == "adam":
        return (f"torch.optim.Adam(model.parameters(), lr={lr!r}, betas=({p['beta_1']!r}, {p['beta_2']!r}), "
                f"eps={p['eps']!r})")
    raise ValueError(f"optimizer {name!r} has no PyTorch counterpart here")


def why_not_optimizer(name: str) -> str | None:
    """Why the optimizer ``name`` cannot be written for PyTorch, or None when it can."""
    try:
        torch_optimizer(name, 0.01)
    except ValueError as exc:
        return str(exc)
    return None
