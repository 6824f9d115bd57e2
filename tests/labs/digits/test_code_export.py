"""The digits page's scripts: they compile for every architecture and optimizer the page offers,
build the page's network (its parameter count, its initial weights; the PyTorch one the same
function of the same weights), read the page's images in the page's order, and train: the nnviz
script to the page's own accuracy, the PyTorch script (run with torch where it is installed) to
within a few points of it. Every test keeps to a small setting (a few hundred images and steps)."""

from __future__ import annotations

import math
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz.data.augment import AugmentConfig, Augmenter, augment
from nnviz.labs.digits import split
from nnviz.labs.digits.architectures import Architecture, hidden_activations
from nnviz.labs.digits.code_export import (
    EVAL_SIZE,
    EVALS_PER_EPOCH,
    PROBE_SIZE,
    Recipe,
    nnviz_script,
    pytorch_script,
    torch_notes,
    why_not_torch,
)
from nnviz.labs.digits.evaluation import evaluate
from nnviz.labs.digits.model import DigitModel
from nnviz.labs.digits.size import parameter_count
from nnviz.labs.torch_mapping import NOT_IN_TORCH, TORCH_ACTIVATIONS
from nnviz.nn import initializers, optimizers
from nnviz.nn.training import Trainer
from tests.needs_torch import NEEDS_TORCH

ROOT = Path(__file__).resolve().parents[3]

ARCHITECTURES = {
    "MLP 128": Architecture(kind="mlp", hidden=(128,)),
    "MLP 64-32 tanh": Architecture(kind="mlp", hidden=(64, 32), activation="tanh"),
    "softmax regression": Architecture(kind="mlp", hidden=()),
    "CNN 8-16, dense 64": Architecture(kind="cnn", filters=(8, 16), dense=64),
    "CNN 8, no dense, elu": Architecture(kind="cnn", filters=(8,), dense=0, activation="elu"),
    "CNN 4-4-4, dense 32, gelu": Architecture(kind="cnn", filters=(4, 4, 4), dense=32, activation="gelu"),
}


def _run_script(source: str, tmp_path: Path, *args: str | os.PathLike) -> str:
    """Run a script from nnviz's folder, as its docstring says (no nnviz on the path for torch's)."""
    path = tmp_path / "script.py"
    path.write_text(source, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT) if "from nnviz" in source else "",
           "OMP_NUM_THREADS": "1"}  # one thread each: two cores are shared by every test run here
    result = subprocess.run([sys.executable, str(path), *map(str, args)], capture_output=True, text=True,
                            timeout=300, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _accuracy(out: str) -> float:
    return float(re.search(r"test accuracy ([0-9.]+)", out).group(1))


def _page_trainer(recipe: Recipe, mnist, evaluations: bool = True) -> Trainer:
    """The trainer the page builds for ``recipe`` (nnviz/ui/digits.py, ``_new_run``); without
    ``evaluations`` the same steps, faster (evaluations change no step)."""
    sets = split.sets(*split.shuffled(mnist.X_train, mnist.y_train), recipe.n_train)
    steps_per_epoch = math.ceil(len(sets.y_train) / recipe.batch_size)
    eval_every = max(1, steps_per_epoch // EVALS_PER_EPOCH) if evaluations else 0
    return Trainer(recipe.network(), recipe.train_config(eval_every), sets.X_train, sets.y_train, sets.X_val,
                   sets.y_val, probe_size=PROBE_SIZE, eval_size=EVAL_SIZE,
                   transform=Augmenter(recipe.augmentation) if recipe.augmentation else None)


# ---- what can be written ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
@pytest.mark.parametrize("activation", hidden_activations())
def test_every_hidden_activation_the_page_offers_maps_to_pytorch_or_says_why_not(kind, activation):
    recipe = Recipe(architecture=Architecture(kind=kind, activation=activation))
    why = why_not_torch(recipe)
    if activation in TORCH_ACTIVATIONS:
        assert why is None
        assert compile(pytorch_script(recipe), "torch.py", "exec")
    else:
        assert why and activation in why, why
        if activation in NOT_IN_TORCH:
            assert NOT_IN_TORCH[activation] in why
        with pytest.raises(ValueError, match=f"no PyTorch script for these settings: .*{activation}"):
            pytorch_script(recipe)
    assert compile(nnviz_script(recipe), "nnviz.py", "exec")  # nnviz trains every one, as the page does


def test_the_step_function_is_refused_because_it_has_no_gradient():
    assert "no gradient" in why_not_torch(Recipe(architecture=Architecture(kind="mlp", activation="step")))


@pytest.mark.parametrize("name", optimizers.names())
@pytest.mark.parametrize("augmented", [False, True])
def test_both_scripts_compile_for_every_optimizer_and_architecture(name, augmented):
    settings = {k: v[0] * 0.9 for k, v in optimizers.get(name).hyperparams.items() if k != "eps"}
    for arch in ARCHITECTURES.values():
        recipe = Recipe(architecture=arch, optimizer=name, optimizer_params=settings, learning_rate=0.02,
                        batch_size=32, epochs=3, n_train=700, augmentation=AugmentConfig() if augmented else None)
        torch_source, nnviz_source = pytorch_script(recipe), nnviz_script(recipe)
        compile(torch_source, "torch.py", "exec")
        compile(nnviz_source, "nnviz.py", "exec")
        assert "import nnviz" not in torch_source and "from nnviz" not in torch_source
        for source in (torch_source, nnviz_source):
            assert f"{recipe.network().n_params:,} parameters" in source and arch.label() in source
            assert "EPOCHS = 3\n" in source and "TRAIN_IMAGES = 700 " in source
            assert ("augment" in source.split('"""', 2)[2]) == augmented  # the code, not the docstring
        assert "learning_rate=0.02, batch_size=32" in nnviz_source and "BATCH_SIZE = 32\n" in torch_source
        assert "lr=0.02" in torch_source


def test_bad_settings_are_refused_naming_the_value():
    with pytest.raises(ValueError, match="learning rate"):
        Recipe(learning_rate=-1.0)
    with pytest.raises(ValueError, match="epochs must be >= 1, got 0"):
        Recipe(epochs=0)
    with pytest.raises(ValueError, match="at least 2 images"):
        Recipe(n_train=1)


def test_the_notes_name_what_torch_does_not_reproduce():
    notes = " ".join(torch_notes(Recipe()))
    assert "initial weights" in notes and "he_normal" in notes and "explodes" in notes
    assert all(note in pytorch_script(Recipe()).replace("\n  ", " ") for note in
               ["PyTorch's own random draw", "stops only at a loss that is not finite"])


def test_the_steps_are_the_pages_target_for_the_data():
    recipe = Recipe(epochs=3, n_train=1000, batch_size=64)
    assert recipe.steps(5000) == 3 * math.ceil(900 / 64)  # 1,000 images: 100 validate, 900 train
    assert recipe.steps(600) == 3 * math.ceil(540 / 64)  # fewer images than asked for


# ---- the same network --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_the_nnviz_script_builds_the_pages_network_with_its_initial_weights(name, mnist, mnist_folder, tmp_path):
    recipe = Recipe(architecture=ARCHITECTURES[name], n_train=500)
    out = _run_script(nnviz_script(recipe), tmp_path, mnist_folder, "--steps", 0, "--limit", 500)
    assert f"\n{parameter_count(recipe.architecture):,} parameters\n" in out
    untrained = evaluate(DigitModel(recipe.network()), mnist.X_test[:500], mnist.y_test[:500]).accuracy
    assert _accuracy(out) == pytest.approx(untrained, abs=1e-9)  # the same initial weights


@NEEDS_TORCH
@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_the_torch_network_is_the_engines_function_of_the_same_weights(name, tmp_path):
    """A model saved by nnviz (biases made non-zero) loaded into the script's torch network gives
    the same probabilities: the same layers, padding, pooling, flattening order and weight layout."""
    import torch  # optional: NEEDS_TORCH skips without it
    recipe = Recipe(architecture=ARCHITECTURES[name])
    script = tmp_path / "export.py"
    script.write_text(pytorch_script(recipe), encoding="utf-8")
    module = runpy.run_path(str(script), run_name="nnviz_export")  # not __main__: nothing runs
    net = recipe.network()
    rng = np.random.default_rng(1)
    for key, value in net.params.items():
        if key.endswith(".b"):
            value[...] = rng.normal(0, 0.1, value.shape)
    net.save(tmp_path / "model.npz")
    model = module["build_model"]()
    assert sum(p.numel() for p in model.parameters()) == net.n_params == parameter_count(recipe.architecture)
    module["load_nnviz_weights"](model, str(tmp_path / "model.npz"))
    x = rng.random((7, 28, 28), dtype=np.float32)
    model.eval()
    with torch.no_grad():
        theirs = torch.softmax(model(torch.from_numpy(x)), dim=1).numpy()
    assert np.allclose(theirs, net.predict(x), atol=2e-5)


@NEEDS_TORCH
@pytest.mark.parametrize("name", ["MLP 128", "CNN 8-16, dense 64", "MLP 64-32 tanh"])
def test_the_torch_weights_follow_the_engines_initialization_scheme(name, tmp_path):
    """Each weight layer's torch init has the engine's law for that layer's shape: the same spread,
    uniform where the engine's is uniform (ends at sqrt(3) std), normal where it is normal; biases 0.
    Small layers are drawn again until there are 20,000 values of each."""
    import torch  # optional: NEEDS_TORCH skips without it
    recipe = Recipe(architecture=ARCHITECTURES[name])
    script = tmp_path / "export.py"
    script.write_text(pytorch_script(recipe), encoding="utf-8")
    module = runpy.run_path(str(script), run_name="nnviz_export")
    torch.manual_seed(0)
    model = module["build_model"]()
    module["init_weights"](model)
    layers = [m for m in model if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    engine = [layer for layer in recipe.network().layers if "W" in layer.params]
    rng = np.random.default_rng(0)
    for m, layer, name_ in zip(layers, engine, module["LAYER_INITS"], strict=True):
        assert name_ == layer.init and float(m.bias.detach().abs().max()) == 0.0
        shape = layer.params["W"].shape
        repeats = max(1, 20_000 // math.prod(shape))
        ours = np.concatenate([initializers.get(layer.init)(shape, rng).ravel() for _ in range(repeats)])
        theirs = [m.weight.detach().numpy().ravel().copy()]
        for _ in range(repeats - 1):
            module["INITS"][name_](m.weight)
            theirs.append(m.weight.detach().numpy().ravel().copy())
        theirs = np.concatenate(theirs)
        assert theirs.std() == pytest.approx(ours.std(), rel=0.05), (m, theirs.std(), ours.std())
        assert (np.abs(theirs).max() < 2 * theirs.std()) == (np.abs(ours).max() < 2 * ours.std())


@NEEDS_TORCH
def test_the_torch_script_takes_the_pages_images_batches_and_augmentations(mnist, mnist_folder, tmp_path):
    recipe = Recipe(n_train=800, augmentation=AugmentConfig())
    script = tmp_path / "export.py"
    script.write_text(pytorch_script(recipe), encoding="utf-8")
    module = runpy.run_path(str(script), run_name="nnviz_export")
    X, y, X_test, y_test = module["load_mnist"](Path(mnist_folder))
    assert np.array_equal(X, mnist.X_train) and np.array_equal(y, mnist.y_train)
    assert np.array_equal(X_test, mnist.X_test) and np.array_equal(y_test, mnist.y_test)
    sets = split.sets(*split.shuffled(mnist.X_train, mnist.y_train), recipe.n_train)
    for got, want in zip(module["page_split"](X, y, recipe.n_train), (sets.X_train, sets.y_train, sets.X_val,
                                                                        sets.y_val), strict=True):
        assert np.array_equal(got, want)
    # The copied augmentation draws the same images from the same generator as nnviz's.
    batch, labels = sets.X_train[:32], sets.y_train[:32]
    theirs = module["augment"](batch, np.random.default_rng(5), module["AUGMENTATION"], labels=labels)
    ours = augment(batch, np.random.default_rng(5), AugmentConfig(), labels=labels)
    assert np.array_equal(theirs, ours) and not np.array_equal(ours, batch)


@NEEDS_TORCH
def test_a_model_saved_on_the_page_scores_the_same_in_torch(mnist, tmp_path):
    recipe = Recipe(architecture=ARCHITECTURES["CNN 8-16, dense 64"], n_train=500)
    trainer = _page_trainer(recipe, mnist, evaluations=False)
    trainer.run(steps=15)
    trainer.net.save(tmp_path / "model.npz")
    script = tmp_path / "export.py"
    script.write_text(pytorch_script(recipe), encoding="utf-8")
    module = runpy.run_path(str(script), run_name="nnviz_export")
    model = module["build_model"]()
    module["load_nnviz_weights"](model, str(tmp_path / "model.npz"))
    X, y = mnist.X_test[:2000], mnist.y_test[:2000]
    ours = evaluate(DigitModel(trainer.net), X, y).accuracy
    assert module["accuracy"](model, np.array(X), y) == pytest.approx(ours, abs=0.001)  # float ties


# ---- the same training --------------------------------------------------------------------------


NNVIZ_CASES = {
    "MLP, Adam (the page's default)": (Recipe(n_train=1000), 40),
    "CNN, momentum, augmented": (Recipe(architecture=Architecture(kind="cnn", filters=(4,), dense=16),
                                        optimizer="momentum", optimizer_params={"beta": 0.8}, learning_rate=0.05,
                                        batch_size=32, n_train=500, augmentation=AugmentConfig()), 20),
}


@pytest.mark.parametrize("name", list(NNVIZ_CASES))
def test_the_nnviz_script_gives_the_pages_accuracy_after_n_steps(name, mnist, mnist_folder, tmp_path):
    recipe, steps = NNVIZ_CASES[name]
    trainer = _page_trainer(recipe, mnist)
    trainer.run(steps=steps)
    page = evaluate(DigitModel(trainer.net), mnist.X_test[:1000], mnist.y_test[:1000]).accuracy
    out = _run_script(nnviz_script(recipe), tmp_path, mnist_folder, "--steps", steps, "--limit", 1000)
    assert _accuracy(out) == pytest.approx(page, abs=1e-9)
    assert f"step {steps}  loss" in out and "validation accuracy" in out


TORCH_CASES = {
    "MLP 128, Adam": (Recipe(n_train=2000), 150),
    "CNN 8-16, dense 64, RMSprop": (Recipe(architecture=ARCHITECTURES["CNN 8-16, dense 64"], optimizer="rmsprop",
                                           learning_rate=1e-3, n_train=1000), 80),
    "MLP 64-32 tanh, Nesterov, augmented": (Recipe(architecture=ARCHITECTURES["MLP 64-32 tanh"], optimizer="nesterov",
                                                   learning_rate=0.1, n_train=2000, augmentation=AugmentConfig()),
                                            150),
}


@NEEDS_TORCH
@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_the_torch_script_reaches_an_accuracy_close_to_nnvizs(name, mnist, mnist_folder, tmp_path):
    recipe, steps = TORCH_CASES[name]
    trainer = _page_trainer(recipe, mnist, evaluations=False)
    trainer.run(steps=steps)
    ours = evaluate(DigitModel(trainer.net), mnist.X_test[:2000], mnist.y_test[:2000]).accuracy
    out = _run_script(pytorch_script(recipe), tmp_path, mnist_folder, "--steps", steps, "--limit", 2000)
    theirs = _accuracy(out)
    assert f"\n{recipe.network().n_params:,} parameters\n" in out
    assert ours > 0.6 and abs(theirs - ours) <= 0.04, (theirs, ours)


@NEEDS_TORCH
def test_the_torch_script_says_where_mnist_is_missing(tmp_path):
    path = tmp_path / "script.py"
    path.write_text(pytorch_script(Recipe()), encoding="utf-8")
    result = subprocess.run([sys.executable, str(path), str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "has no train-5k-images-idx3-ubyte" in result.stderr
    assert "give the MNIST folder as the first argument" in result.stderr
