"""The digit model: a ``Network`` from MNIST-style images to softmax probabilities, with what
explains its predictions.

A ``DigitModel`` wraps a ``Network`` that maps images (n, 28, 28) float in [0, 1] (white ink on
black) to probabilities (n, 10). Besides ``predict_proba`` it gives a saliency map (the gradient
of the top class's score with respect to the input pixels), every hidden layer's activations,
and the first layer's weights as images. Calls on one model are serialized by a lock: a forward
pass caches values in the layers that the backward pass of ``saliency`` reads.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from nnviz.nn.layers import Activation, Conv2D, Dense
from nnviz.nn.network import Network

IMAGE_SHAPE = (28, 28)
N_CLASSES = 10
#: Below this top probability the page says the network is unsure (``is_unsure``). At 0.5 a scribble
#: read as "2" at 54% passed without a word, though the other nine digits held almost half; at 0.7 the
#: top guess must hold more than twice the rest together (and at least 0.4 more than the runner-up).
UNSURE_BELOW = 0.7
#: Images per forward pass in ``predict_proba`` (bounds the im2col buffers to tens of MB).
PREDICT_BATCH = 500


def top_guesses(p: np.ndarray, n: int = 2) -> list[tuple[int, float]]:
    """The ``n`` most probable digits of one prediction (10,) as [(digit, probability)], most probable first."""
    p = np.asarray(p, dtype=np.float64).reshape(-1)
    order = np.argsort(-p, kind="stable")[:n]
    return [(int(k), float(p[k])) for k in order]


def is_unsure(p: np.ndarray) -> bool:
    """True when the top probability of one prediction (10,) is below ``UNSURE_BELOW``."""
    return top_guesses(p, 1)[0][1] < UNSURE_BELOW


@dataclass(frozen=True)
class LayerActivation:
    """One hidden layer's output for one image: ``values`` (H, W, C) feature maps or (units,)."""

    name: str
    description: str
    values: np.ndarray


def check_images(x: np.ndarray) -> np.ndarray:
    """(28, 28) or (n, 28, 28) numbers in [0, 1] -> (n, 28, 28) float array; else ValueError."""
    x = np.asarray(x)
    if x.shape == IMAGE_SHAPE:
        x = x[None]
    if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"digit images must have shape (n, 28, 28) or (28, 28), got {x.shape}")
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise ValueError(f"digit images must hold real numbers, got dtype {x.dtype}")
    if x.size and not np.all(np.isfinite(x)):
        raise ValueError("digit images contain NaN or infinite values")
    if x.size and (x.min() < -1e-6 or x.max() > 1 + 1e-6):
        raise ValueError(f"digit images must hold values in [0, 1], got {x.min():.3g}..{x.max():.3g}")
    return x


class DigitModel:
    """A network from (n, 28, 28) images in [0, 1] to (n, 10) softmax probabilities."""

    def __init__(self, net: Network, name: str = "model", info: dict[str, Any] | None = None) -> None:
        if net.input_shape != IMAGE_SHAPE or net.output_shape != (N_CLASSES,):
            raise ValueError(
                f"a digit model maps (28, 28) images to 10 classes; this network maps "
                f"{net.input_shape} to {net.output_shape}"
            )
        last = net.layers[-1]
        if not (isinstance(last, Activation) and last.fn.gives_probabilities and last.fn.per_class):
            raise ValueError("a digit model must end with one probability per class (a softmax activation)")
        self.net = net
        self.name = name
        self.info = dict(info or {})
        self._lock = threading.Lock()

    # ---- files
    @classmethod
    def load(cls, file: str | os.PathLike | IO[bytes] | bytes, name: str | None = None) -> DigitModel:
        """A model saved by ``save`` (an nnviz .npz); anything else raises ValueError saying why."""
        net = Network.load(file)
        label = name or (Path(file).stem if isinstance(file, (str, os.PathLike)) else "uploaded model")
        return cls(net, name=label)

    def save(self, file: str | os.PathLike | IO[bytes]) -> None:
        self.net.save(file)

    def to_bytes(self) -> bytes:
        return self.net.to_bytes()

    def freeze(self) -> DigitModel:
        """Make every parameter and buffer read-only (for a model shared between sessions)."""
        for array in (*self.net.params.values(), *self.net.buffers().values()):
            array.setflags(write=False)
        return self

    @property
    def n_params(self) -> int:
        return self.net.n_params

    def describe(self) -> str:
        """One line: the layers with parameters, e.g. 'conv 3x3x16 same, ..., dense 64→10'."""
        parts = [layer.describe() for layer in self.net.layers if layer.params]
        return f"{', '.join(parts)} ({self.n_params:,} parameters)"

    # ---- predictions
    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(n, 28, 28) or (28, 28) in [0, 1] -> (n, 10) float32 probabilities (rows sum to 1)."""
        x = check_images(x)
        if len(x) == 0:
            return np.zeros((0, N_CLASSES), np.float32)
        with self._lock, np.errstate(over="ignore", under="ignore"):
            out = self.net.predict(x, batch_size=PREDICT_BATCH)
        return out.astype(np.float32, copy=False)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(n,) int64 most probable digits."""
        return self.predict_proba(x).argmax(axis=1)

    def saliency(self, image: np.ndarray, target: int | None = None, smooth: int = 16, noise: float = 0.15,
                 seed: int = 0) -> tuple[int, np.ndarray]:
        """(class, d score_class / d pixels (28, 28) float32) for one image; the class defaults to
        the most probable. The score is the softmax's input (the logit), whose gradient is not
        squashed to zero when the network is sure (Simonyan et al., 2013). With ``smooth`` > 0
        the gradient is averaged over that many copies of the image with Gaussian noise of std
        ``noise`` added (SmoothGrad, Smilkov et al., 2017): the same quantity, far less speckled.
        Positive: more ink at that pixel raises the score; negative: lowers it."""
        x = check_images(image)
        if len(x) != 1:
            raise ValueError(f"saliency takes one image, got {len(x)}")
        if smooth < 0 or not (math.isfinite(noise) and noise >= 0):
            raise ValueError(f"smooth must be >= 0 and noise >= 0, got {smooth} and {noise}")
        with self._lock, np.errstate(over="ignore", under="ignore"):
            out = self.net.forward(x)
            k = int(out[0].argmax()) if target is None else int(target)
            if not 0 <= k < N_CLASSES:
                raise ValueError(f"target class must be in 0..9, got {target}")
            if smooth:
                rng = np.random.default_rng(seed)
                x = np.clip(x + rng.normal(0.0, noise, (smooth, *IMAGE_SHAPE)), 0.0, 1.0)
                out = self.net.forward(x)
            dout = np.zeros_like(out)
            dout[:, k] = 1.0
            grad = self.net.backward(dout, start=len(self.net.layers) - 2)
        return k, np.asarray(grad.mean(axis=0), dtype=np.float32)

    def activations(self, image: np.ndarray) -> list[LayerActivation]:
        """Every hidden activation layer's output for one image, in layer order: (H, W, C)
        feature maps for conv blocks (before pooling), (units,) for dense layers."""
        x = check_images(image)
        if len(x) != 1:
            raise ValueError(f"activations take one image, got {len(x)}")
        with self._lock, np.errstate(over="ignore", under="ignore"):
            outs = self.net.layer_outputs(x)
        result = []
        layers = self.net.layers
        for i, (layer, out) in enumerate(zip(layers[:-1], outs[:-1], strict=True)):
            if isinstance(layer, Activation):
                source = layers[i - 1] if i > 0 else layer
                result.append(LayerActivation(
                    name=layer.name, description=f"{source.describe()} → {layer.describe()}",
                    values=np.asarray(out[0], dtype=np.float32),
                ))
        return result

    def first_layer_weights(self) -> tuple[str, np.ndarray]:
        """The first trainable layer's weights as images: ('filters', (F, kh, kw)) for a conv
        layer over one channel, ('weights', (units, 28, 28)) for a dense layer over the pixels."""
        for layer in self.net.layers:
            if isinstance(layer, Conv2D):
                w = layer.params["W"]  # (kh, kw, C, F)
                return "filters", np.ascontiguousarray(w.sum(axis=2).transpose(2, 0, 1), dtype=np.float32)
            if isinstance(layer, Dense):
                w = layer.params["W"]  # (784, units)
                return "weights", np.ascontiguousarray(w.T.reshape(-1, *IMAGE_SHAPE), dtype=np.float32)
        raise ValueError("the model has no first layer with weights")
