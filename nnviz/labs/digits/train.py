"""Train the digit CNN that ships as the default model (and measure it on the official test set).

    python -m nnviz.labs.digits.train --data ../shared/data/mnist --out nnviz/labs/digits/weights/digits_cnn.npz

Trains on the folder's training images only (the shared folder holds the 5,000-image subset),
holding out ``--val`` of them for validation, with fresh random augmentation every batch
(``nnviz.data.augment``: rotation, scaling, shear, shifts, stroke thickness). Adam with a cosine
learning-rate decay. The official 10,000-image test set is used once, at the end, to measure
the saved model; nothing is chosen by it. Writes the weights (float32 .npz) and, beside them, a
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
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nnviz.data.augment import AugmentConfig, augment
from nnviz.labs import digits
from nnviz.nn import losses, optimizers
from nnviz.nn.network import Network, is_finite
from nnviz.nn.schedules import cosine

DEFAULT_AUGMENTATION = AugmentConfig()


@dataclass(frozen=True)
class EpochStats:
    epoch: int
    loss: float  # mean training loss over the epoch (augmented batches)
    train_accuracy: float  # on the augmented batches
    val_accuracy: float  # NaN without validation data
    learning_rate: float
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
    """Mini-batch Adam with cosine decay, each batch augmented afresh; returns per-epoch stats.

    Raises ValueError if training diverges (a non-finite loss or parameter).
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch size must be >= 1, got {epochs} and {batch_size}")
    rng = np.random.default_rng(seed)
    loss = losses.get("cross_entropy")
    opt = optimizers.create("adam", learning_rate)
    steps_per_epoch = math.ceil(len(X) / batch_size)
    total = epochs * steps_per_epoch
    history: list[EpochStats] = []
    step = 0
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        order = rng.permutation(len(X))
        loss_sum = correct = 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            xb = augment(X[idx], rng, augmentation) if augmentation is not None else X[idx]
            out = net.forward(xb, training=True)
            batch_loss = loss.value(out, y[idx])
            if not math.isfinite(batch_loss):
                raise ValueError(f"training diverged at epoch {epoch}, step {step}: loss {batch_loss}")
            net.loss_backward(loss, out, y[idx], input_grad=False)
            opt.learning_rate = cosine(learning_rate, step, total, min_ratio=0.02)
            opt.step(net.params, net.grads)
            step += 1
            loss_sum += batch_loss * len(idx)
            correct += float(np.sum(out.argmax(axis=1) == y[idx]))
        if not is_finite(net):
            raise ValueError(f"training diverged at epoch {epoch}: non-finite weights")
        val_acc = math.nan
        if X_val is not None and len(X_val):
            val_acc = float(np.mean(net.predict(X_val, batch_size=500).argmax(axis=1) == y_val))
        stats = EpochStats(epoch, loss_sum / len(X), correct / len(X), val_acc, opt.learning_rate,
                           time.perf_counter() - t0)
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
    from nnviz.data.datasets import MnistUnavailable, load_mnist

    parser = argparse.ArgumentParser(prog="python -m nnviz.labs.digits.train", description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with the MNIST IDX files (train-5k-* or train-*, t10k-*)")
    parser.add_argument("--out", default=str(digits.DEFAULT_WEIGHTS), help="weights file to write (.npz)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--val", type=int, default=500, help="training images held out for validation")
    parser.add_argument("--filters", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--dense", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.25)
    parser.add_argument("--no-augment", action="store_true")
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
    net = digits.cnn(args.filters, dense=args.dense, dropout=args.dropout, seed=args.seed)
    augmentation = None if args.no_augment else AugmentConfig()
    print(f"training {digits.DigitModel(net).describe()} on {len(X)} images from {data.source} "
          f"(validation {len(X_val)}), {args.epochs} epochs, batch {args.batch_size}, Adam lr {args.lr:g}, "
          f"augmentation {'off' if augmentation is None else 'on'}", flush=True)

    def report(s: EpochStats) -> None:
        print(f"epoch {s.epoch:3d}  loss {s.loss:.4f}  train acc {s.train_accuracy:.4f}  "
              f"val acc {s.val_accuracy:.4f}  lr {s.learning_rate:.2e}  {s.seconds:.1f}s", flush=True)

    t0 = time.perf_counter()
    history = fit(net, X, y, X_val if len(X_val) else None, y_val, epochs=args.epochs, batch_size=args.batch_size,
                  learning_rate=args.lr, seed=args.seed, augmentation=augmentation, callback=report)
    seconds = time.perf_counter() - t0
    model = digits.DigitModel(net)
    test = digits.evaluate(model, data.X_test, data.y_test)  # measured once, at the end
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
                     "learning_rate": args.lr, "schedule": "cosine to 2%", "dropout": args.dropout,
                     "augmentation": None if augmentation is None else asdict(augmentation)},
        "validation_accuracy": history[-1].val_accuracy if len(X_val) else None,
        "test_accuracy": test.accuracy,
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
