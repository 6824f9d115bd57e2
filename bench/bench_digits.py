"""Digits page speed: from a 280x280 canvas image to probabilities (preprocessing + prediction,
target under 30 ms), the rest of a stroke's server-side work (saliency, hidden activations, the
images and chart), and predicting the 10,000 official test images (target under 5 s) with the
shipped model. With ``--training``: the server's CPU per step of the page's in-page training at
its defaults (``nnviz.ui.digits``: the default MLP, batch 64, 4,500 images, evaluations every
quarter epoch on 500 + 500 images) and of the small CNN, with and without augmentation, one
evaluation, what a session costs at the default speed (steps/s x ms/step, before the tick's own
overhead), the ratios the page states (``CNN_COST``, ``AUGMENT_COST``), and the test accuracy of
the default settings after the steps of 60 s at the default speed. Prints medians; never
asserts on time.

    python bench/bench_digits.py [--data ../shared/data/mnist] [--repeats 30] [--training]
"""

from __future__ import annotations

import argparse
import base64
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_drawn_digits import paste_on_canvas  # noqa: E402
from nnviz.data.mnist_files import SHARED_MNIST, load_mnist  # noqa: E402
from nnviz.data.preprocess import canvas_to_mnist, drawing_notes  # noqa: E402
from nnviz.figures import digits as figs  # noqa: E402
from nnviz.labs.digits import load_default_model  # noqa: E402


def canvas_png(digit: np.ndarray, rng: np.random.Generator) -> str:
    """A test digit enlarged and pasted off-centre on a black 280x280 RGBA canvas, as the
    canvas component sends it: a PNG data URL."""
    buf = io.BytesIO()
    Image.fromarray(paste_on_canvas(digit, rng, sides=(150, 240))).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def decode(url: str) -> np.ndarray:
    """What CanvasResult.image_data does."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(";base64,", 1)[1]))))


def median_ms(fn: Callable[[int], object], repeats: int) -> float:
    fn(0)  # warm-up
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def training(mnist, steps: int = 100) -> None:
    """CPU ms per in-page training step (process time, one BLAS thread, as the server runs)."""
    import math

    from threadpoolctl import threadpool_limits

    from nnviz.data.augment import Augmenter
    from nnviz.labs.digits.architectures import Architecture
    from nnviz.labs.digits.evaluation import evaluate
    from nnviz.labs.digits.model import DigitModel
    from nnviz.nn.training import TrainConfig, Trainer
    from nnviz.ui import digits as page

    threadpool_limits(1)
    order = np.random.default_rng(0).permutation(len(mnist.y_train))[:5000]
    val, train = order[:500], order[500:]

    def trainer(arch: Architecture, augment: bool, eval_every: int | None = None) -> Trainer:
        spe = math.ceil(len(train) / 64)
        cfg = TrainConfig(loss="cross_entropy", optimizer="adam", learning_rate=page.DEFAULT_LEARNING_RATE,
                          batch_size=64, eval_every=max(1, spe // 4) if eval_every is None else eval_every, seed=0)
        return Trainer(arch.build(seed=0), cfg, mnist.X_train[train], mnist.y_train[train], mnist.X_train[val],
                       mnist.y_train[val], probe_size=64, eval_size=500,
                       transform=Augmenter(page.AUGMENTATION) if augment else None)

    def per_step(tr: Trainer) -> float:
        tr.run(steps=3)
        times = []
        for _ in range(5):
            t0 = time.process_time()
            tr.run(steps=steps // 5)
            times.append((time.process_time() - t0) / (steps // 5))
        return statistics.median(times) * 1000

    mlp, cnn = Architecture(kind="mlp"), Architecture(kind="cnn")
    rows = {(a, aug): per_step(trainer(arch, aug)) for a, arch in (("mlp", mlp), ("cnn", cnn)) for aug in (False, True)}
    bare = {a: per_step(trainer(arch, False, eval_every=0)) for a, arch in (("mlp", mlp), ("cnn", cnn))}
    print(f"in-page training, CPU ms per step (batch 64, evaluations every quarter epoch included), "
          f"median of 5 x {steps // 5} steps:")
    for (a, aug), ms in rows.items():
        print(f"  {a} {'augmented' if aug else 'as they are':<12} {ms:7.2f} ms   at {page.DEFAULT_SPEED} steps/s: "
              f"{ms * page.DEFAULT_SPEED / 1000:.3f} core")
    print(f"  without evaluations: mlp {bare['mlp']:.2f} ms, cnn {bare['cnn']:.2f} ms")
    print(f"  CNN / MLP per step {rows['cnn', False] / rows['mlp', False]:.1f}x (page says {page.CNN_COST}x); "
          f"augmenting / MLP step {(rows['mlp', True] - rows['mlp', False]) / rows['mlp', False]:.1f}x "
          f"(page says {page.AUGMENT_COST}x)")
    n = page.DEFAULT_SPEED * 60
    tr = trainer(mlp, False)
    tr.run(steps=n)
    print(f"default settings after 60 s at {page.DEFAULT_SPEED} steps/s ({n} steps): test accuracy "
          f"{evaluate(DigitModel(tr.net), mnist.X_test, mnist.y_test).accuracy:.2%}; after "
          f"{page.DEFAULT_EPOCHS} epochs ({page.DEFAULT_EPOCHS * tr.steps_per_epoch} steps): ", end="")
    tr = trainer(mlp, False)
    tr.run(epochs=page.DEFAULT_EPOCHS)
    print(f"{evaluate(DigitModel(tr.net), mnist.X_test, mnist.y_test).accuracy:.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(SHARED_MNIST))
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--training", action="store_true", help="only the in-page training's cost per step")
    args = parser.parse_args()
    mnist = load_mnist(args.data)
    if args.training:
        training(mnist)
        return
    t0 = time.perf_counter()
    model = load_default_model()
    load_ms = (time.perf_counter() - t0) * 1000
    rng = np.random.default_rng(0)
    urls = [canvas_png(mnist.X_test[i], rng) for i in range(args.repeats)]
    canvases = [decode(u) for u in urls]
    images = [canvas_to_mnist(c) for c in canvases]

    pre = median_ms(lambda i: canvas_to_mnist(canvases[i % len(canvases)]), args.repeats)
    pred = median_ms(lambda i: model.predict_proba(images[i % len(images)]), args.repeats)
    both = median_ms(lambda i: model.predict_proba(canvas_to_mnist(canvases[i % len(canvases)])), args.repeats)
    with_png = median_ms(lambda i: model.predict_proba(canvas_to_mnist(decode(urls[i % len(urls)]))), args.repeats)
    notes = median_ms(lambda i: drawing_notes(canvases[i % len(canvases)]), args.repeats)
    saliency = median_ms(lambda i: model.saliency(images[i % len(images)]), args.repeats)
    acts = median_ms(lambda i: model.activations(images[i % len(images)]), args.repeats)

    def pictures(i: int) -> None:
        x = images[i % len(images)]
        k, g = model.saliency(x)
        figs.digit_image(x, 7)
        figs.saliency_image(x, g, 7)
        for a in model.activations(x):
            figs.feature_maps_image(a.values)
        figs.probability_chart("Default model", model.predict_proba(x)[0])

    page = median_ms(pictures, args.repeats)

    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        proba = model.predict_proba(mnist.X_test)
        runs.append(time.perf_counter() - t0)
    accuracy = float(np.mean(proba.argmax(axis=1) == mnist.y_test))

    print(f"default model: {model.describe()}; loaded in {load_ms:.0f} ms")
    print(f"one canvas (280x280 RGBA, median of {args.repeats}):")
    print(f"  canvas_to_mnist                      {pre:7.2f} ms")
    print(f"  predict_proba (1 image)              {pred:7.2f} ms")
    print(f"  preprocessing + prediction           {both:7.2f} ms   (target < 30 ms: {both / 30:.2f} of it)")
    print(f"  ... plus decoding the canvas PNG     {with_png:7.2f} ms")
    print(f"  drawing notes                        {notes:7.2f} ms")
    print(f"  saliency (SmoothGrad, 16 copies)     {saliency:7.2f} ms")
    print(f"  hidden activations                   {acts:7.2f} ms")
    print(f"  explanation pictures + chart spec    {page:7.2f} ms")
    print(f"10,000 test images: {statistics.median(runs):.2f} s (median of 3; target < 5 s: "
          f"{statistics.median(runs) / 5:.2f} of it), {len(mnist.y_test) / statistics.median(runs):,.0f} images/s, "
          f"accuracy {accuracy:.2%}")


if __name__ == "__main__":
    main()
