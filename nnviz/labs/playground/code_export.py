"""Take the code away: a playground run as a runnable script, in PyTorch or in NumPy with nnviz.

Both scripts embed the run's points (the feature columns the network sees, train and test) and
build the same network with the same initialization scheme, loss, optimizer and settings, train it
for the run's number of steps (``DEFAULT_STEPS`` at step 0) and print the test accuracy (the test
loss for regression). The nnviz script uses the engine as the page does (the same seed: the same
numbers); the PyTorch one draws its own initial weights and batches, so it ends close, not equal.

Each engine name maps to PyTorch in ``nnviz.labs.torch_mapping`` (shared with the digits page's
export); ``tests/labs/playground/test_code_export.py`` fails when a registry entry has no mapping
and no reason (``NOT_IN_TORCH``).
"""

from __future__ import annotations

import json

import numpy as np

from nnviz.labs import torch_mapping
from nnviz.labs.playground.experiment import Experiment, train_config
from nnviz.labs.playground.run import Run
from nnviz.labs.torch_mapping import NOT_IN_TORCH, TORCH_ACTIVATIONS, TORCH_INITS, TORCH_LOSSES

DEFAULT_STEPS = 1000


def torch_optimizer(exp: Experiment) -> str:
    """``torch.optim`` with the same update as ``exp``'s optimizer (``torch_mapping.torch_optimizer``)."""
    return torch_mapping.torch_optimizer(exp.optimizer, exp.learning_rate, exp.opt_params)


def why_not_script(exp: Experiment) -> str | None:
    """Why no script can be written for ``exp`` (your own points with no training point), or None."""
    if exp.points is not None and not np.any(~exp.points.test):
        return "there are no training points yet: add some on the plot"
    return None


def why_not_torch(exp: Experiment) -> str | None:
    """Why ``exp`` cannot be written for PyTorch, or None when it can."""
    if (why := why_not_script(exp)) is not None:
        return why
    for name in dict.fromkeys(exp.layer_activations or (exp.activation,)):
        if name in NOT_IN_TORCH:
            return f"{name}: {NOT_IN_TORCH[name]}"
    if exp.output in NOT_IN_TORCH and exp.loss != "cross_entropy":
        return f"{exp.output}: {NOT_IN_TORCH[exp.output]}"
    if exp.loss not in TORCH_LOSSES:
        return f"the loss {exp.loss!r} has no PyTorch counterpart here"
    if exp.loss in ("mse", "mae", "huber") and exp.output not in TORCH_ACTIVATIONS:
        return f"the output {exp.output!r} has no PyTorch counterpart here"
    return None


def _rows(a: np.ndarray) -> str:
    """An array as a Python literal, shortest round-trip floats (the page's float32 values exactly)."""
    return json.dumps(np.asarray(a).tolist())


def _steps(run: Run) -> int:
    return run.step if run.step > 0 else DEFAULT_STEPS


def _data_block(run: Run) -> str:
    d = run.data
    regression = run.experiment.task == "regression"
    return (f"X_train = np.array({_rows(d.F_train)}, dtype=np.float32)\n"
            f"y_train = np.array({_rows(d.y_train)}, dtype={'np.float32' if regression else 'np.int64'})\n"
            f"X_test = np.array({_rows(d.F_test)}, dtype=np.float32)\n"
            f"y_test = np.array({_rows(d.y_test)}, dtype={'np.float32' if regression else 'np.int64'})\n")


def _header(run: Run, what: str, needs: str) -> str:
    exp, n = run.experiment, _steps(run)
    return (f'"""nnviz playground experiment as {what}: {exp.describe()}.\n\n'
            f"Data: {'your own points' if exp.points is not None else exp.dataset}, {len(run.data.y_train)} training and {len(run.data.y_test)} test points, features "
            f"{', '.join(exp.features)} (the columns below). Trains {n:,} step{'s' if n != 1 else ''}. Needs {needs}.\n"
            f'Made by nnviz (see how a neural network learns)."""\n\n')


def pytorch_script(run: Run) -> str:
    """A runnable PyTorch script of ``run`` (``ValueError`` saying why when it cannot be written)."""
    exp = run.experiment
    why = why_not_torch(exp)
    if why:
        raise ValueError(f"no PyTorch script for this experiment: {why}")
    layers, width = [], len(exp.features)
    for i, (units, name) in enumerate(zip(exp.hidden, exp.layer_activations, strict=True), start=1):
        layers.append(f"nn.Linear({width}, {units})")
        if i in exp.batch_norm:
            layers.append(f"nn.BatchNorm1d({units}, momentum=0.1, eps=1e-5)")  # PyTorch's momentum = 1 - the engine's 0.9
        layers += [torch_mapping.torch_activation(name), f"nn.Dropout({exp.dropout!r})"]
        width = units
    layers.append(f"nn.Linear({width}, {exp.n_outputs})")
    if exp.loss in ("mse", "mae", "huber"):
        layers.append(torch_mapping.torch_activation(exp.output))
    loss = TORCH_LOSSES[exp.loss].format(**dict(train_config(exp).loss_params or {"delta": 1.0}))
    classification = exp.task == "classification"
    target = ("yb" if exp.loss == "cross_entropy" else "yb.float().unsqueeze(1)") if classification else "yb.unsqueeze(1)"
    if exp.loss == "cross_entropy":
        predict = "model(X).argmax(1)"
    else:
        predict = "(model(X)[:, 0] > 0).long()"
    report = (f"    accuracy = (({predict.replace('X', 'Xte')}) == yte).float().mean().item()\n"
              '    print(f"test accuracy {accuracy:.3f}")\n') if classification else (
              '    print(f"test loss {loss_fn(model(Xte), yte.unsqueeze(1)).item():.4f}")\n')
    indent = ",\n    "
    return (_header(run, "a PyTorch script", "numpy and torch")
            + "import numpy as np\nimport torch\nfrom torch import nn\n\n"
            + f"torch.manual_seed({exp.seed})\n" + _data_block(run)
            + "Xtr, ytr = torch.from_numpy(X_train), torch.from_numpy(y_train)\n"
            + "Xte, yte = torch.from_numpy(X_test), torch.from_numpy(y_test)\n\n"
            + f"model = nn.Sequential(\n    {indent.join(layers)},\n)\n"
            + "for m in model:\n    if isinstance(m, nn.Linear):\n        w = m.weight\n"
            + f"        {TORCH_INITS[exp.init]}\n        nn.init.zeros_(m.bias)\n"
            + f"loss_fn = {loss}\noptimizer = {torch_optimizer(exp)}\n"
            + "weights = [m.weight for m in model if isinstance(m, nn.Linear)]  # L1/L2 on weights, not biases\n"
            + f"l1, l2, batch_size, steps = {exp.l1!r}, {exp.l2!r}, {exp.batch_size}, {_steps(run)}\n\n"
            + "model.train()\nstep = 0\nwhile step < steps:\n"
            + "    order = torch.randperm(len(Xtr))  # a new order every epoch\n"
            + "    for start in range(0, len(Xtr), batch_size):\n"
            + "        if step == steps:\n            break\n"
            + "        idx = order[start:start + batch_size]\n        xb, yb = Xtr[idx], ytr[idx]\n"
            + f"        loss = loss_fn(model(xb), {target})\n"
            + "        loss = loss + l2 * sum((w ** 2).sum() for w in weights) + l1 * sum(w.abs().sum() for w in weights)\n"
            + "        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()\n        step += 1\n\n"
            + "model.eval()\nwith torch.no_grad():\n" + report)


def nnviz_script(run: Run) -> str:
    """A runnable script of ``run`` with the nnviz engine (NumPy only): the page's network and numbers."""
    exp = run.experiment
    why = why_not_script(exp)
    if why:
        raise ValueError(f"no script for this experiment: {why}")
    cfg = train_config(exp)
    stack = []
    for i, (units, name) in enumerate(zip(exp.hidden, exp.layer_activations, strict=True), start=1):
        stack.append(f"Dense({units}, init={exp.init!r})")
        if i in exp.batch_norm:
            stack.append("BatchNorm()")
        stack += [f"Activation({name!r})", f"Dropout({exp.dropout!r}, seed={exp.seed * 1000 + i - 1})"]
    stack += [f"Dense({exp.n_outputs}, init={exp.init!r})", f"Activation({exp.output!r})"]
    indent = ",\n    "
    report = ('print(f"test accuracy {accuracy:.3f}")' if exp.task == "classification" else
              'print(f"test loss {loss:.4f}")')
    return (_header(run, "a NumPy script with the nnviz engine", "numpy and nnviz (pip install -r requirements.txt "
                    "in nnviz's folder, run from there)")
            + "import numpy as np\n\nfrom nnviz.nn.layers import Activation, BatchNorm, Dense, Dropout\n"
            + "from nnviz.nn.network import Network\nfrom nnviz.nn.training import TrainConfig, Trainer\n\n"
            + _data_block(run)
            + f"\nnet = Network([\n    {indent.join(stack)},\n], input_shape=({len(exp.features)},), seed={exp.seed})\n"
            + f"config = TrainConfig(loss={cfg.loss!r}, optimizer={cfg.optimizer!r}, learning_rate={cfg.learning_rate!r},\n"
            + f"                     batch_size={cfg.batch_size}, l1={cfg.l1!r}, l2={cfg.l2!r}, seed={cfg.seed},\n"
            + f"                     optimizer_params={dict(cfg.optimizer_params)!r}, eval_every=0)\n"
            + "trainer = Trainer(net, config, X_train, y_train)\n"
            + f"trainer.run(steps={_steps(run)})\n"
            + "loss, accuracy = trainer.evaluate(X_test, y_test)\n" + report + "\n")
