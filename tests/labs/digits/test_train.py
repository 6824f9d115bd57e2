"""The training script (nnviz.labs.digits.train): ``fit`` trains through ``Trainer`` with the
augmentation hook, and ``main`` explains missing data."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.digits import train as train_digits
from nnviz.labs.digits.architectures import cnn


def test_fit_learns_something_in_one_short_epoch(mnist):
    net = cnn((4,), dense=16, seed=0)
    X, y = mnist.X_train[:640], mnist.y_train[:640]
    seen = []
    history = train_digits.fit(net, X, y, mnist.X_train[640:840], mnist.y_train[640:840], epochs=1, batch_size=32,
                               learning_rate=3e-3, callback=seen.append)
    assert len(history) == 1 and seen == history
    # Twice chance after 20 steps of a 4-filter CNN on augmented batches (measured 0.26; 0.3 before
    # the elastic bending and the style strokes joined the default augmentation).
    assert history[0].val_accuracy > 0.2 and np.isfinite(history[0].loss)


def test_fit_is_seeded_and_augmentation_changes_the_run(mnist):
    X, y = mnist.X_train[:256], mnist.y_train[:256]

    def weights(**kwargs) -> np.ndarray:
        net = cnn((2,), dense=0, seed=0)
        train_digits.fit(net, X, y, epochs=1, batch_size=64, **kwargs)
        return net.get_flat()

    a = weights()
    assert np.array_equal(a, weights())
    assert not np.array_equal(a, weights(augmentation=None))
    assert not np.array_equal(a, weights(seed=1))


def test_fit_follows_a_cosine_schedule_and_says_when_it_diverges(mnist):
    X, y = mnist.X_train[:128], mnist.y_train[:128]
    history = train_digits.fit(cnn((2,), dense=0, seed=0), X, y, epochs=2, batch_size=64, learning_rate=1e-3,
                               augmentation=None)
    assert [s.epoch for s in history] == [1, 2] and all(np.isnan(s.val_accuracy) for s in history)
    assert history[0].learning_rate == pytest.approx(1e-3 * (0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi / 4))))
    assert history[1].learning_rate == pytest.approx(1e-3 * (0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi * 3 / 4))))
    broken = cnn((2,), dense=0, seed=0)
    broken.params["dense0.W"][...] = 1e30  # the logits overflow: the loss is not finite
    with pytest.raises(ValueError, match="diverged at epoch 1, step 1"):
        train_digits.fit(broken, X, y, epochs=1, batch_size=64)
    with pytest.raises(ValueError, match="epochs and batch size"):
        train_digits.fit(cnn((2,), dense=0, seed=0), X, y, epochs=0)


def test_training_script_explains_missing_data(tmp_path, capsys):
    assert train_digits.main(["--data", str(tmp_path), "--out", str(tmp_path / "m.npz"), "--epochs", "1"]) == 2
    assert "MNIST files not found" in capsys.readouterr().err


def test_training_script_takes_style_and_elastic_and_can_leave_the_test_set_alone(mnist_folder, tmp_path, capsys):
    import json

    out = tmp_path / "m.npz"
    args = ["--data", str(mnist_folder), "--out", str(out), "--epochs", "1", "--filters", "2", "--dense", "0",
            "--val", "4900", "--style", "0.5", "--elastic", "2", "--no-test"]
    assert train_digits.main(args) == 0
    printed = capsys.readouterr().out
    assert "official test set" not in printed and "val loss" in printed
    note = json.loads(out.with_suffix(".json").read_text())
    assert note["test_accuracy"] is None and note["training_data"]["images"] == 100
    assert note["settings"]["augmentation"]["p_style"] == 0.5 and note["settings"]["augmentation"]["elastic"] == 2.0
    assert note["command"].endswith("--elastic 2 --no-test") and np.isfinite(note["validation_loss"])
