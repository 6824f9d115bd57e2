"""Drawn digits by writing style: how the shipped digit model reads canvas drawings, before and after.

The drawings are synthetic (``nnviz.data.drawn_digits``: every style, e.g. the 1 with a flag, the 7
with a crossbar, the open 4, drawn with its own slant, size, place, pen width and wobble, rendered
at the page's canvas size) and go through the canvas pipeline as on the page. Nothing the model
was trained on comes from this generator (its training data is the MNIST training subset, with
extra style strokes drawn onto real digits by ``nnviz.data.augment.style_strokes``), and these
drawings use seeds of their own (``--seed``).

"Before" is the model shipped at ``--before`` (a git revision; its weights are read with ``git
show``) with the canvas pipeline as it was then (``canvas_to_mnist`` with ``upright=False,
strokes=False``: MNIST's crop, 20 px box and centre of mass); "after" is this checkout's model
with the pipeline's defaults (upright and strokes); a middle column, this checkout's model with
the old pipeline, tells the model's share of the change from the pipeline's. Printed side by side: accuracy by style for typical drawings
(``Variation()``) and for hard ones (``HARD``: more slant, rotation, squeeze and wobble), the
accuracy by pen width, size and slant, what each model says about one clear drawing of each
style, and on real handwriting: the 10,000 official MNIST test images as they are, and 2,000 of
them pasted large and off-centre on a canvas. Prints; never asserts.

    python bench/bench_drawn_digits.py [--data ../shared/data/mnist] [--n 100] [--seed 7] [--before REV]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnviz.data.drawn_digits import CLEAR, HARD, STYLES, DrawnDigit, Variation, sample, samples  # noqa: E402
from nnviz.data.mnist_files import MnistUnavailable, load_mnist  # noqa: E402
from nnviz.data.preprocess import canvas_to_mnist  # noqa: E402
from nnviz.labs.digits import load_default_model  # noqa: E402
from nnviz.labs.digits.default import DEFAULT_WEIGHTS  # noqa: E402
from nnviz.labs.digits.model import DigitModel  # noqa: E402

#: The last revision with the model and pipeline from before issue 13 item 9 (the flagged 1).
BEFORE = "56e1c9d"
WEIGHTS_PATH = DEFAULT_WEIGHTS.relative_to(ROOT).as_posix()


@dataclass
class Setup:
    name: str
    model: DigitModel
    prepare: Callable[[np.ndarray], np.ndarray | None]


def old_pipeline(image: np.ndarray) -> np.ndarray | None:
    return canvas_to_mnist(image, upright=False, strokes=False)


def before_setup(rev: str) -> Setup | None:
    try:
        data = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{WEIGHTS_PATH}"], capture_output=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"(no 'before' column: cannot read {WEIGHTS_PATH} at {rev}: {exc})")
        return None
    return Setup(f"before ({rev})", DigitModel.load(io.BytesIO(data), name="before"), old_pipeline)


def predict(setup: Setup, drawings: list[DrawnDigit]) -> np.ndarray:
    """The digit each drawing is read as (-1 where the pipeline finds nothing drawn)."""
    images = [setup.prepare(d.image) for d in drawings]
    found = [i for i, x in enumerate(images) if x is not None]
    out = np.full(len(drawings), -1)
    if found:
        out[found] = setup.model.predict(np.stack([images[i] for i in found]))
    return out


def pct(x: float, digits: int = 1) -> str:
    return f"{x:6.{digits}%}" if np.isfinite(x) else "     -"


def style_table(title: str, setups: list[Setup], variation: Variation, n: int, seed: int) -> None:
    print(f"\n{title}: {n} drawings per style (seed {seed}) -- accuracy, and the commonest wrong reading")
    print(f"  {'style':<14} " + " ".join(f"{s.name:>24}" for s in setups))
    factors: dict[str, list[np.ndarray]] = {}
    correct_all = {s.name: [] for s in setups}
    for style in STYLES:
        drawn = samples(style, n, seed, variation)
        digit = STYLES[style].digit
        cells = []
        for s in setups:
            pred = predict(s, drawn)
            ok = pred == digit
            correct_all[s.name].append(ok)
            wrong = np.bincount(pred[~ok] + 1, minlength=11)[1:]
            worst = f"(as {int(wrong.argmax())}: {wrong.max() / n:.0%})" if wrong.any() else ""
            cells.append(f"{pct(ok.mean())} {worst:>17}")
        print(f"  {style:<14} " + " ".join(f"{c:>24}" for c in cells))
        p = [d.placement for d in drawn]
        rel = np.array([q.pen / (q.height * 280) for q in p])
        factors.setdefault("rel", []).append(rel)
        factors.setdefault("height", []).append(np.array([q.height for q in p]))
        factors.setdefault("slant", []).append(np.array([q.slant for q in p]))
    ok = {k: np.concatenate(v) for k, v in correct_all.items()}
    f = {k: np.concatenate(v) for k, v in factors.items()}
    print(f"  {'all styles':<14} " + " ".join(f"{pct(ok[s.name].mean()):>24}" for s in setups))
    bins = [
        ("thin pen", f["rel"] < 0.06, "pen < 6% of the digit's height"),
        ("thick pen", f["rel"] > 0.15, "pen > 15%"),
        ("small", f["height"] < 0.5, "under half the canvas tall"),
        ("large", f["height"] > 0.7, "over 70%"),
        ("leaning left", f["slant"] < -0.1, "slant < -0.1"),
        ("leaning right", f["slant"] > 0.3, "slant > 0.3"),
    ]
    for label, mask, note in bins:
        print(f"  {label:<14} " + " ".join(f"{pct(ok[s.name][mask].mean()):>24}" for s in setups)
              + f"   ({mask.sum()} drawings: {note})")


def clear_table(setups: list[Setup]) -> None:
    print("\nOne clear drawing of each style (upright, centred, pen 18 px, 70% of the canvas): digit read, probability")
    print(f"  {'style':<14} " + " ".join(f"{s.name:>24}" for s in setups))
    for style in STYLES:
        image = sample(style, 0, CLEAR).image
        cells = []
        for s in setups:
            x = s.prepare(image)
            p = s.model.predict_proba(x)[0]
            mark = "" if int(p.argmax()) == STYLES[style].digit else "  WRONG"
            cells.append(f"{int(p.argmax())} at {p.max():.0%}{mark}")
        print(f"  {style:<14} " + " ".join(f"{c:>24}" for c in cells))


def paste_on_canvas(digit: np.ndarray, rng: np.random.Generator, sides: tuple[int, int] = (140, 260)) -> np.ndarray:
    """An MNIST digit enlarged to a side drawn from ``sides`` (low inclusive, high exclusive) and
    pasted off-centre on a black opaque 280x280 RGBA canvas."""
    side = int(rng.integers(*sides))
    top, left = (int(v) for v in rng.integers(0, 280 - side + 1, 2))
    big = Image.fromarray(np.rint(digit * 255).astype(np.uint8)).resize((side, side), Image.Resampling.BILINEAR)
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[top : top + side, left : left + side, :3] = np.asarray(big)[..., None]
    return rgba


def mnist_rows(setups: list[Setup], data_folder: str, pasted: int) -> None:
    try:
        data = load_mnist(data_folder)
    except (MnistUnavailable, ValueError) as exc:
        print(f"\n(no MNIST rows: {exc})")
        return
    print("\nReal handwriting (official MNIST test set)")
    row = [pct(float(np.mean(s.model.predict(data.X_test) == data.y_test)), 2) for s in setups]
    print(f"  {f'{len(data.y_test)} as they are':<24} " + " ".join(f"{c:>24}" for c in row))
    rng = np.random.default_rng(0)
    canvases = [paste_on_canvas(d, rng) for d in data.X_test[:pasted]]
    row = []
    for s in setups:
        x = np.stack([s.prepare(c) for c in canvases])
        row.append(pct(float(np.mean(s.model.predict(x) == data.y_test[:pasted])), 2))
    print(f"  {f'{pasted} pasted on a canvas':<24} " + " ".join(f"{c:>24}" for c in row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--n", type=int, default=100, help="drawings per style and variation")
    parser.add_argument("--seed", type=int, default=7, help="the drawings' seed (nothing is trained on them)")
    parser.add_argument("--before", default=BEFORE, help="git revision of the 'before' model ('' for none)")
    parser.add_argument("--pasted", type=int, default=2000, help="MNIST test digits pasted on a canvas")
    args = parser.parse_args()
    t0 = time.perf_counter()
    setups = [s for s in [before_setup(args.before) if args.before else None] if s is not None]
    model = load_default_model()
    setups.append(Setup("after, MNIST recipe only", model, old_pipeline))  # the model's share of the change
    setups.append(Setup("after (this checkout)", model, canvas_to_mnist))
    style_table("Typical drawings", setups, Variation(), args.n, args.seed)
    style_table("Hard drawings (HARD: more slant, rotation, squeeze, wobble)", setups, HARD, args.n, args.seed)
    clear_table(setups)
    mnist_rows(setups, args.data, args.pasted)
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
