"""Digits page speed: from a 280x280 canvas image to probabilities (preprocessing + prediction,
target under 30 ms), the rest of a stroke's server-side work (saliency, hidden activations, the
images and chart), and predicting the 10,000 official test images (target under 5 s) with the
shipped model. Prints medians; never asserts on time.

    python bench/bench_digits.py [--data ../shared/data/mnist] [--repeats 30]
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

from nnviz.data.mnist_files import SHARED_MNIST, load_mnist  # noqa: E402
from nnviz.data.preprocess import canvas_to_mnist, drawing_notes  # noqa: E402
from nnviz.figures import digits as figs  # noqa: E402
from nnviz.labs.digits import load_default_model  # noqa: E402


def canvas_png(digit: np.ndarray, rng: np.random.Generator) -> str:
    """A test digit enlarged and pasted off-centre on a black 280x280 RGBA canvas, as the
    canvas component sends it: a PNG data URL."""
    side = int(rng.integers(150, 240))
    top, left = (int(v) for v in rng.integers(0, 280 - side + 1, 2))
    big = Image.fromarray(np.rint(digit * 255).astype(np.uint8)).resize((side, side), Image.Resampling.BILINEAR)
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[top : top + side, left : left + side, :3] = np.asarray(big)[..., None]
    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format="PNG")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(SHARED_MNIST))
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    mnist = load_mnist(args.data)
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
        figs.probability_chart({"default model": model.predict_proba(x)[0]})

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
