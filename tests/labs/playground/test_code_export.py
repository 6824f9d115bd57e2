"""Take the code away: the nnviz script gives the page's own numbers; the PyTorch script (run with
torch where it is installed) reaches an accuracy close to nnviz's; every engine entry maps to
PyTorch or says why not."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnviz.labs.playground import points
from nnviz.labs.playground.code_export import (
    NOT_IN_TORCH,
    TORCH_ACTIVATIONS,
    TORCH_INITS,
    TORCH_LOSSES,
    nnviz_script,
    pytorch_script,
    torch_optimizer,
    why_not_script,
    why_not_torch,
)
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.run import build, metrics
from nnviz.nn import activations, initializers, losses, optimizers
from tests.needs_torch import NEEDS_TORCH

ROOT = Path(__file__).resolve().parents[3]

EXPERIMENTS = {
    "default": Experiment(),
    "relu, He, momentum, L2, batch norm, dropout on xor": Experiment(
        dataset="xor", hidden=(8, 8), activation="relu", init="he_normal", optimizer="momentum", learning_rate=0.1,
        l2=0.001, batch_norm=(1,), dropout=0.1, batch_size=20),
    "sigmoid output and binary cross-entropy, RMSprop": Experiment(
        dataset="moons", noise=0.2, loss="binary_cross_entropy", output="sigmoid", optimizer="rmsprop",
        learning_rate=0.01, hidden=(6,)),
    "four blobs: softmax over four classes": Experiment(dataset="blobs_4", noise=0.5, hidden=(6,)),
    "an activation per layer: relu, tanh, elu, with batch norm on the second": Experiment(
        dataset="xor", hidden=(8, 6, 4), activations=("relu", "tanh", "elu"), batch_norm=(2,), batch_size=20,
        learning_rate=0.01),
}


def _run_script(source: str, tmp_path: Path) -> str:
    path = tmp_path / "script.py"
    path.write_text(source, encoding="utf-8")
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _accuracy(out: str) -> float:
    return float(re.search(r"test accuracy ([0-9.]+)", out).group(1))


def test_every_engine_entry_maps_to_pytorch_or_says_why_not():
    for name in activations.names():
        assert name in TORCH_ACTIVATIONS or name in NOT_IN_TORCH, name
    assert set(initializers.names()) <= set(TORCH_INITS)
    assert set(losses.names()) <= set(TORCH_LOSSES)
    for name in optimizers.names():
        assert torch_optimizer(Experiment(optimizer=name)).startswith("torch.optim."), name


def test_what_cannot_be_written_for_pytorch_says_why():
    exp = Experiment(activation="step")
    assert "no gradient" in why_not_torch(exp)
    run = build(exp)
    with pytest.raises(ValueError, match="no PyTorch script for this experiment: step"):
        pytorch_script(run)
    assert why_not_torch(Experiment()) is None


def test_no_script_is_written_for_your_own_points_with_no_training_point():
    exp = Experiment(points=points.empty("classification", 2))
    assert "no training points" in why_not_script(exp) and "no training points" in why_not_torch(exp)
    run = build(exp)
    for script in (nnviz_script, pytorch_script):
        with pytest.raises(ValueError, match="no training points"):
            script(run)
    assert why_not_script(Experiment()) is None


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_the_nnviz_script_gives_the_pages_own_accuracy(name, tmp_path):
    run = build(EXPERIMENTS[name])
    run.train(300)
    out = _run_script(nnviz_script(run), tmp_path)
    assert _accuracy(out) == pytest.approx(metrics(run)["test_accuracy"], abs=0.0005)


@NEEDS_TORCH
@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_the_pytorch_script_reaches_an_accuracy_close_to_nnvizs(name, tmp_path):
    run = build(EXPERIMENTS[name])
    run.train(600)
    ours = metrics(run)["test_accuracy"]
    theirs = _accuracy(_run_script(pytorch_script(run), tmp_path))
    assert abs(theirs - ours) <= 0.1, (theirs, ours)


@NEEDS_TORCH
def test_a_regression_script_prints_its_test_loss(tmp_path):
    run = build(Experiment(dataset="sine", loss="mse", output="linear", hidden=(8, 8)))
    run.train(400)
    out = _run_script(pytorch_script(run), tmp_path)
    theirs = float(re.search(r"test loss ([0-9.]+)", out).group(1))
    assert theirs < 2 * metrics(run)["test_loss"] + 0.02


def test_the_scripts_build_each_layers_own_activation():
    run = build(EXPERIMENTS["an activation per layer: relu, tanh, elu, with batch norm on the second"])
    torch_src, nnviz_src = pytorch_script(run), nnviz_script(run)
    assert re.findall(r"nn\.(ReLU|Tanh|ELU)\(", torch_src) == ["ReLU", "Tanh", "ELU"]
    assert re.findall(r"Activation\('(\w+)'\)", nnviz_src) == ["relu", "tanh", "elu", "softmax"]
    assert "step: " in why_not_torch(Experiment(activations=("relu", "step")))
    assert "softmax: " in why_not_torch(Experiment(activations=("softmax", "softmax")))
