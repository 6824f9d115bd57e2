"""The digit model: architectures, the shipped default model, predictions and what explains them.

A ``DigitModel`` wraps a ``Network`` that maps MNIST-style images (n, 28, 28) float in [0, 1]
(white ink on black) to softmax probabilities (n, 10). Besides ``predict_proba`` it gives a
saliency map (the gradient of the top class's score with respect to the input pixels), every
hidden layer's activations, and the first layer's weights as images. ``evaluate`` gives the
accuracy, the confusion matrix and the most confidently wrong images of a labelled set.

``load_default_model()`` loads the shipped weights (``weights/digits_cnn.npz``, trained by
``python -m nnviz.labs.digits.train``) once per process; its arrays are read-only, so one instance
can be shared by every user of a server. Calls on one model are serialized by a lock: a forward
pass caches values in the layers that the backward pass of ``saliency`` reads.
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from nnviz.nn import activations
from nnviz.nn.layers import Activation, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool2D
from nnviz.nn.network import Network

IMAGE_SHAPE = (28, 28)
N_CLASSES = 10
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_WEIGHTS = WEIGHTS_DIR / "digits_cnn.npz"
DEFAULT_NOTE = WEIGHTS_DIR / "digits_cnn.json"
REPRODUCE = "python -m nnviz.labs.digits.train --data ../shared/data/mnist --out nnviz/labs/digits/weights/digits_cnn.npz"
#: Below this top probability the page says the network is unsure.
UNSURE_BELOW = 0.5
#: Images per forward pass in ``predict_proba`` (bounds the im2col buffers to tens of MB).
PREDICT_BATCH = 500


class DefaultModelMissing(FileNotFoundError):
    """The shipped weights file is missing; the message says how to recreate it."""


# ---- architectures ---------------------------------------------------------------------------


def cnn(filters: Sequence[int] = (16, 32), dense: int = 64, activation: str = "relu", kernel_size: int = 3,
        dropout: float = 0.0, seed: int = 0, dtype: Any = np.float32) -> Network:
    """A small CNN: per entry of ``filters`` conv kxk 'same' -> activation -> 2x2 max pool;
    then flatten -> dense ``dense`` -> activation -> (dropout) -> dense 10 -> softmax."""
    filters = list(filters)
    if not 1 <= len(filters) <= 3:
        raise ValueError(f"a digit CNN takes 1 to 3 conv blocks (28 -> 14 -> 7 -> 3), got {len(filters)}")
    if dense < 0:
        raise ValueError(f"dense units must be >= 0 (0: none), got {dense}")
    stack: list[Layer] = []
    for f in filters:
        stack += [Conv2D(int(f), kernel_size, padding="same"), Activation(activation), MaxPool2D(2)]
    stack.append(Flatten())
    if dense:
        stack += [Dense(int(dense), init="he_normal"), Activation(activation)]
    if dropout > 0:
        stack.append(Dropout(dropout, seed=seed + 1))
    stack += [Dense(N_CLASSES), Activation("softmax")]
    return Network(stack, input_shape=IMAGE_SHAPE, seed=seed, dtype=dtype)


def mlp(hidden: Sequence[int] = (128,), activation: str = "relu", dropout: float = 0.0, seed: int = 0,
        dtype: Any = np.float32) -> Network:
    """An MLP over the 784 pixels: flatten -> (dense -> activation -> (dropout)) per hidden size
    -> dense 10 -> softmax."""
    stack: list[Layer] = [Flatten()]
    init = activations.initializer_for(activation)
    for i, units in enumerate(hidden):
        stack += [Dense(int(units), init=init), Activation(activation)]
        if dropout > 0:
            stack.append(Dropout(dropout, seed=seed * 1000 + i + 1))
    stack += [Dense(N_CLASSES, init="xavier_uniform"), Activation("softmax")]
    return Network(stack, input_shape=IMAGE_SHAPE, seed=seed, dtype=dtype)


@dataclass(frozen=True)
class Architecture:
    """What the page lets people choose: ``kind`` "cnn" (conv blocks ``filters``, then a dense
    layer of ``dense`` units, 0 for none) or "mlp" (``hidden`` sizes), with one ``activation``."""

    kind: str = "cnn"
    hidden: tuple[int, ...] = (128,)
    filters: tuple[int, ...] = (8, 16)
    dense: int = 64
    activation: str = "relu"

    def __post_init__(self) -> None:
        if self.kind not in ("cnn", "mlp"):
            raise ValueError(f"architecture kind must be 'cnn' or 'mlp', got {self.kind!r}")
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        object.__setattr__(self, "filters", tuple(int(f) for f in self.filters))
        if self.kind == "mlp" and (len(self.hidden) > 6 or any(not 1 <= h <= 4096 for h in self.hidden)):
            raise ValueError(f"MLP hidden sizes must be 0 to 6 layers of 1..4096 units, got {list(self.hidden)}")
        if self.kind == "cnn" and (not 1 <= len(self.filters) <= 3 or any(not 1 <= f <= 256 for f in self.filters)):
            raise ValueError(f"CNN filters must be 1 to 3 blocks of 1..256 filters, got {list(self.filters)}")
        if not 0 <= int(self.dense) <= 4096:
            raise ValueError(f"dense units must be in 0..4096, got {self.dense}")
        activations.get(self.activation)

    def build(self, seed: int = 0, dtype: Any = np.float32) -> Network:
        if self.kind == "cnn":
            return cnn(self.filters, dense=self.dense, activation=self.activation, seed=seed, dtype=dtype)
        return mlp(self.hidden, activation=self.activation, seed=seed, dtype=dtype)

    def label(self) -> str:
        if self.kind == "cnn":
            convs = " → ".join(f"conv {f}" for f in self.filters)
            return f"CNN: {convs}" + (f" → dense {self.dense}" if self.dense else "") + f" → 10 ({self.activation})"
        sizes = " → ".join(str(h) for h in (784, *self.hidden, 10))
        return f"MLP: {sizes} ({self.activation})"


def parse_sizes(text: str) -> tuple[int, ...]:
    """'128, 64' -> (128, 64); empty -> (); anything else raises ValueError naming the text."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"layer sizes must be whole numbers separated by commas, got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise ValueError(f"layer sizes must be positive, got {text!r}")
    return sizes


# ---- the model wrapper -----------------------------------------------------------------------


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
        if not (isinstance(last, Activation) and last.function == "softmax"):
            raise ValueError("a digit model must end with a softmax activation")
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


# ---- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A model on a labelled set: ``proba`` (n, 10), ``predicted`` (n,), ``labels`` (n,),
    ``confusion`` (10, 10) counts with rows = true digit and columns = predicted digit."""

    proba: np.ndarray
    predicted: np.ndarray
    labels: np.ndarray
    confusion: np.ndarray

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.predicted == self.labels)) if len(self.labels) else float("nan")

    @property
    def confidence(self) -> np.ndarray:
        return self.proba.max(axis=1)

    def cell(self, true: int, predicted: int, limit: int = 24) -> np.ndarray:
        """Indices of images of digit ``true`` predicted as ``predicted``, most confident first."""
        idx = np.flatnonzero((self.labels == true) & (self.predicted == predicted))
        return idx[np.argsort(-self.confidence[idx], kind="stable")][:limit]

    def most_confident_wrong(self, limit: int = 16) -> np.ndarray:
        """Indices of misclassified images, the most confident mistakes first."""
        wrong = np.flatnonzero(self.predicted != self.labels)
        return wrong[np.argsort(-self.confidence[wrong], kind="stable")][:limit]


def evaluate(model: DigitModel, X: np.ndarray, y: np.ndarray) -> Evaluation:
    """Predict every image of X (n, 28, 28) and compare with labels y (n,)."""
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"labels must have shape ({len(X)},), got {y.shape}")
    proba = model.predict_proba(X)
    predicted = proba.argmax(axis=1)
    labels = y.astype(np.int64)
    confusion = np.zeros((N_CLASSES, N_CLASSES), np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    return Evaluation(proba=proba, predicted=predicted, labels=labels, confusion=confusion)


# ---- the shipped model -----------------------------------------------------------------------


def default_model_info(note: str | os.PathLike = DEFAULT_NOTE) -> dict[str, Any]:
    """The note written beside the weights (command, seed, data, measured accuracy); {} if none."""
    try:
        return json.loads(Path(note).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


@functools.lru_cache(maxsize=4)
def _load_default(path: str) -> DigitModel:
    file = Path(path)
    if not file.is_file():
        raise DefaultModelMissing(
            f"the default digit model {file} is missing; recreate it with: {REPRODUCE}"
        )
    model = DigitModel.load(io.BytesIO(file.read_bytes()), name="default model")
    model.info = default_model_info(file.with_suffix(".json"))
    return model.freeze()


def load_default_model(path: str | os.PathLike | None = None) -> DigitModel:
    """The shipped digit model (read-only, loaded once per process and path)."""
    return _load_default(str(Path(path) if path is not None else DEFAULT_WEIGHTS))
