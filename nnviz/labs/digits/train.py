"""Train the digit CNN that ships as the default model (and measure it on the official test set).

    python -m nnviz.labs.digits.train --data ../shared/data/mnist --out nnviz/labs/digits/weights/digits_cnn.npz

Trains on the folder's training images only (the shared folder holds the 5,000-image subset),
holding out ``--val`` of them for validation, through the engine's ``Trainer``: Adam with a
cosine learning-rate schedule, each mini-batch augmented afresh by the trainer's transform hook
(``nnviz.data.augment.Augmenter``: rotation, scaling, shear, shifts, elastic bending, stroke
thickness, and the writing styles MNIST rarely shows drawn onto its own digits: the 1's flag and
foot, the 7's and 2's bars, the 0's slash). The official 10,000-image test set is used once, at
the end, to measure the saved model (``--no-test`` skips it, for trying settings on the
validation set); nothing is chosen by it. Writes the weights (float32 .npz) and, beside them, a
JSON note with the command, seed, data files (sha256), settings and measured accuracies.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from nnviz.data.augment import AugmentConfig, Augmenter
from nnviz.labs.digits.architectures import cnn
from nnviz.labs.digits.default import DEFAULT_WEIGHTS
from nnviz.labs.digits.evaluation import evaluate
from nnviz.labs.digits.model import DigitModel
from nnviz.nn.network import Network
from nnviz.nn.schedules import Schedule
from nnviz.nn.training import TrainConfig, Trainer

#: The shipped model's augmentation: AugmentConfig's ranges, plus elastic bending and the writing
#: styles' extra strokes on 30% of the 0s, 1s, 2s and 7s (bench/bench_drawn_digits.py measures why).
DEFAULT_AUGMENTATION = AugmentConfig(p_style=0.3, elastic=3.0)
#: Training images whose loss and accuracy are measured (un-augmented) at the end of each epoch.
EVAL_SIZE = 1000


@dataclass(frozen=True)
class EpochStats:
    epoch: int
    loss: float  # mean mini-batch loss over the epoch (on the augmented batches)
    train_accuracy: float  # on the first EVAL_SIZE training images, as they are (not augmented)
    val_accuracy: float  # NaN without validation data
    val_loss: float  # NaN without validation data
    learning_rate: float  # of the epoch's last step
    seconds: float


def fit(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    *,
    epochs: int = 30,
    batch_size: int = 64,
    learning_rate: float = 2e-3,
    seed: int = 0,
    augmentation: AugmentConfig | None = DEFAULT_AUGMENTATION,
    callback: Callable[[EpochStats], None] | None = None,
) -> list[EpochStats]:
    """Train with ``Trainer``: Adam, lr_t = cosine(lr, t, T) over T = epochs x steps per epoch,
    every batch augmented afresh (``augmentation`` None: as they are); per-epoch stats.

    X (n, 28, 28), y (n,) digit labels. Raises ValueError if training diverges.
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch size must be >= 1, got {epochs} and {batch_size}")
    steps_per_epoch = math.ceil(len(X) / min(batch_size, len(X)))
    config = TrainConfig(loss="cross_entropy", optimizer="adam", learning_rate=learning_rate, batch_size=batch_size,
                         seed=seed, schedule=Schedule("cosine", total_steps=epochs * steps_per_epoch),
                         eval_every=steps_per_epoch)
    has_val = X_val is not None and len(X_val) > 0
    trainer = Trainer(net, config, X, y, X_val if has_val else None, y_val if has_val else None,
                      eval_size=EVAL_SIZE, transform=None if augmentation is None else Augmenter(augmentation))
    h = trainer.history
    history: list[EpochStats] = []
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        first = len(h.loss)
        trainer.run(steps=steps_per_epoch)
        if trainer.diverged is not None:
            raise ValueError(f"training diverged at epoch {epoch}, step {trainer.diverged}: the loss or the "
                             "weights became non-finite")
        stats = EpochStats(epoch, float(np.mean(h.loss[first:])), h.train_accuracy[-1], h.val_accuracy[-1],
                           h.val_loss[-1], h.learning_rate[-1], time.perf_counter() - t0)
        history.append(stats)
        if callback is not None:
            callback(stats)
    return history


def _sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _training_files(folder: Path) -> list[Path]:
    names = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "train-5k-images-idx3-ubyte",
             "train-5k-labels-idx1-ubyte")
    found = []
    for name in names:
        for candidate in (folder / f"{name}.gz", folder / name):
            if candidate.is_file():
                found.append(candidate)
                break
    full = [p for p in found if "-5k-" not in p.name]
    return full if len(full) == 2 else [p for p in found if "-5k-" in p.name]


def main(argv: Sequence[str] | None = None) -> int:
    from nnviz.data.mnist_files import MnistUnavailable, load_mnist

    parser = argparse.ArgumentParser(prog="python -m nnviz.labs.digits.train", description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with the MNIST IDX files (train-5k-* or train-*, t10k-*)")
    parser.add_argument("--out", default=str(DEFAULT_WEIGHTS), help="weights file to write (.npz)")
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--val", type=int, default=500, help="training images held out for validation")
    parser.add_argument("--filters", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--dense", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.25)
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--elastic", type=float, default=None,
                        help="largest elastic displacement in pixels (default: DEFAULT_AUGMENTATION's, 3)")
    parser.add_argument("--no-test", action="store_true",
                        help="do not measure the official test set (for trying settings on the validation set)")
    parser.add_argument("--style", type=float, default=None,
                        help="fraction of 0s, 1s, 2s and 7s given a writing style's extra stroke "
                             "(default: DEFAULT_AUGMENTATION's, 0.3)")
    args = parser.parse_args(argv)

    try:
        data = load_mnist(args.data)
    except (MnistUnavailable, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(data.X_train))
    if not 0 <= args.val < len(order):
        print(f"error: --val must be in [0, {len(order) - 1}], got {args.val}", file=sys.stderr)
        return 2
    val_idx, train_idx = order[: args.val], order[args.val :]
    X, y = data.X_train[train_idx], data.y_train[train_idx]
    X_val, y_val = data.X_train[val_idx], data.y_train[val_idx]
    net = cnn(args.filters, dense=args.dense, dropout=args.dropout, seed=args.seed)
    augmentation = None if args.no_augment else DEFAULT_AUGMENTATION
    if augmentation is not None and args.style is not None:
        augmentation = replace(augmentation, p_style=args.style)
    if augmentation is not None and args.elastic is not None:
        augmentation = replace(augmentation, elastic=args.elastic)
    print(f"training {DigitModel(net).describe()} on {len(X)} images from {data.source} "
          f"(validation {len(X_val)}), {args.epochs} epochs, batch {args.batch_size}, Adam lr {args.lr:g}, "
          f"augmentation {'off' if augmentation is None else 'on'}", flush=True)

    def report(s: EpochStats) -> None:
        print(f"epoch {s.epoch:3d}  loss {s.loss:.4f}  train acc {s.train_accuracy:.4f} (first {EVAL_SIZE})  "
              f"val acc {s.val_accuracy:.4f}  val loss {s.val_loss:.4f}  lr {s.learning_rate:.2e}  {s.seconds:.1f}s", flush=True)

    t0 = time.perf_counter()
    try:
        history = fit(net, X, y, X_val if len(X_val) else None, y_val, epochs=args.epochs,
                      batch_size=args.batch_size, learning_rate=args.lr, seed=args.seed, augmentation=augmentation,
                      callback=report)
    except ValueError as exc:  # divergence or bad settings: nothing is written
        print(f"error: {exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - t0
    model = DigitModel(net)
    test = None if args.no_test else evaluate(model, data.X_test, data.y_test)  # measured once, at the end
    if test is not None:
        print(f"official test set ({len(data.y_test)} images): accuracy {test.accuracy:.4f}", flush=True)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    net.save(out)
    folder = Path(data.source)
    note = {
        "command": "python -m nnviz.labs.digits.train " + " ".join(sys.argv[1:] if argv is None else argv),
        "seed": args.seed,
        "architecture": model.describe(),
        "training_data": {
            "folder": str(args.data),
            "files": {p.name: _sha256(str(p)) for p in _training_files(folder)},
            "images": int(len(X)),
            "validation_images": int(len(X_val)),
        },
        "settings": {"epochs": args.epochs, "batch_size": args.batch_size, "optimizer": "adam",
                     "learning_rate": args.lr, "schedule": "cosine to 1% over all steps (nnviz.nn.schedules)",
                     "trainer": "nnviz.nn.training.Trainer, augmentation through its transform hook",
                     "dropout": args.dropout,
                     "augmentation": None if augmentation is None else asdict(augmentation)},
        "validation_accuracy": history[-1].val_accuracy if len(X_val) else None,
        "validation_loss": round(history[-1].val_loss, 4) if len(X_val) else None,
        "test_accuracy": None if test is None else test.accuracy,
        "test_set": "official MNIST t10k, 10,000 images (measured once after training)",
        "training_seconds": round(seconds, 1),
        "numpy": np.__version__,
        "date": datetime.date.today().isoformat(),
    }
    out.with_suffix(".json").write_text(json.dumps(note, indent=2) + "\n")
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB) and {out.with_suffix('.json')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
