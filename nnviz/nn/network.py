"""Network: a stack of layers with forward, backward, a flat parameter view and .npz save/load."""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from collections.abc import Sequence
from typing import IO, Any

import numpy as np

from nnviz.nn import layers as layer_lib
from nnviz.nn.hyperparams import check_integer, check_number
from nnviz.nn.layers import Activation, BatchNorm, Dense, Dropout, Layer
from nnviz.nn.losses import Loss

FORMAT_VERSION = 1
_META_KEY = "__nnviz__"

DEFAULT_DTYPE = np.float32  # training speed; gradient checks ask for float64


def _check_dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


class Network:
    """A sequential network.

    ``Network(layers, input_shape=(2,), seed=0)`` builds the layers for inputs of shape
    (n, *input_shape). ``params`` and ``grads`` map "layername.param" (e.g. "dense0.W") to the
    layers' live arrays: an optimizer updating ``params`` in place updates the network.
    Those arrays are consecutive slices of one vector each, ``packed_params`` and ``packed_grads``
    (in ``params`` order), so an elementwise optimizer can update them all in one go.
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        input_shape: Sequence[int] | int | None = None,
        seed: int = 0,
        dtype: Any = DEFAULT_DTYPE,
    ) -> None:
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a network needs at least one layer")
        for layer in self.layers:
            if not isinstance(layer, Layer):
                raise ValueError(f"layers must be Layer instances, got {layer!r}")
        if input_shape is None:
            raise ValueError("input_shape is required, e.g. Network([...], input_shape=(2,))")
        shape = (int(input_shape),) if isinstance(input_shape, (int, np.integer)) else tuple(map(int, input_shape))
        if not shape or any(s < 1 for s in shape):
            raise ValueError(f"input_shape must have positive sizes, got {input_shape!r}")
        self.input_shape = shape
        self.dtype = _check_dtype(dtype)
        self.seed = int(seed)
        rng = np.random.default_rng(seed)
        counts: dict[str, int] = {}
        for layer in self.layers:
            layer.name = f"{layer.kind}{counts.get(layer.kind, 0)}"
            counts[layer.kind] = counts.get(layer.kind, 0) + 1
            shape = layer.build(shape, rng, self.dtype)
        self.output_shape = shape
        self._pack()

    def _pack(self) -> None:
        """Make every layer's parameters and gradients slices of ``packed_params`` and
        ``packed_grads`` (values copied over) and list them in ``params`` and ``grads``."""
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        size = sum(p.size for layer in self.layers for p in layer.params.values())
        self.packed_params = np.empty(size, dtype=self.dtype)
        self.packed_grads = np.zeros(size, dtype=self.dtype)
        offset = 0
        for layer in self.layers:
            for key, value in layer.params.items():
                if value.dtype != self.dtype or layer.grads[key].shape != value.shape:
                    raise ValueError(f"layer {layer.name} built {key} as {value.dtype} {value.shape}; "
                                     f"the network is {self.dtype}")
                # The layer's own arrays become views of the packed vectors (values copied over).
                view = self.packed_params[offset : offset + value.size].reshape(value.shape)
                view[...] = value
                grad = self.packed_grads[offset : offset + value.size].reshape(value.shape)
                grad[...] = layer.grads[key]
                layer.params[key] = self.params[f"{layer.name}.{key}"] = view
                layer.grads[key] = self.grads[f"{layer.name}.{key}"] = grad
                offset += value.size

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A pickled or deep-copied network's arrays arrive as separate copies: link them again.
        self.__dict__.update(state)
        self._pack()

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def mlp(
        cls,
        sizes: Sequence[int],
        activation: str = "relu",
        output: str = "linear",
        init: str = "xavier_uniform",
        seed: int = 0,
        dtype: Any = DEFAULT_DTYPE,
        dropout: float = 0.0,
        batchnorm: bool = False,
        activation_params: dict[str, float] | None = None,
    ) -> Network:
        """A multi-layer perceptron: sizes [n_in, h1, ..., n_out]; [n_in, n_out] is one layer.

        Hidden layers: Dense -> (BatchNorm) -> activation -> (Dropout); output: Dense -> ``output``.
        """
        sizes = list(sizes)
        if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
            raise ValueError(f"sizes must be at least two positive integers [n_in, ..., n_out], got {sizes}")
        stack: list[Layer] = []
        dropout = check_number(dropout, "dropout", 0.0, 1.0)
        for i, units in enumerate(sizes[1:-1]):
            stack.append(Dense(int(units), init=init))
            if batchnorm:
                stack.append(BatchNorm())
            stack.append(Activation(activation, **(activation_params or {})))
            if dropout > 0:
                stack.append(Dropout(dropout, seed=seed * 1000 + i))
        stack.append(Dense(int(sizes[-1]), init=init))
        stack.append(Activation(output))
        return cls(stack, input_shape=(int(sizes[0]),), seed=seed, dtype=dtype)

    # ---- computation --------------------------------------------------------------------
    def check_input(self, X: np.ndarray) -> np.ndarray:
        """X as an array of the network's dtype, shape (n, *input_shape) (a single sample gains the
        batch axis); ValueError if it does not fit."""
        if type(X) is np.ndarray and X.dtype == self.dtype and X.shape[1:] == self.input_shape:
            return X  # already fits (the trainer's batches): no conversions, no copies
        X = np.asarray(X)
        if X.ndim == len(self.input_shape):  # a single sample
            X = X[None]
        if X.shape[1:] != self.input_shape:
            raise ValueError(f"input of shape {X.shape} does not match the network's input {self.input_shape}")
        if not np.issubdtype(X.dtype, np.number):
            raise ValueError(f"inputs must be numbers, got dtype {X.dtype}")
        return X.astype(self.dtype, copy=False)

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """(n, *input_shape) -> (n, *output_shape). Caches what ``backward`` needs."""
        out = self.check_input(X)
        for layer in self.layers:
            out = layer.forward(out, training)
        return out

    __call__ = forward

    def layer_outputs(self, X: np.ndarray, training: bool = False) -> list[np.ndarray]:
        """Every layer's output for inputs X (one forward pass), in layer order."""
        out = self.check_input(X)
        outs = []
        for layer in self.layers:
            out = layer.forward(out, training)
            outs.append(out)
        return outs

    def predict(self, X: np.ndarray, batch_size: int = 2048) -> np.ndarray:
        """Inference-mode forward in batches (bounded memory for large X)."""
        X = self.check_input(X)
        if len(X) == 0:
            return np.zeros((0, *self.output_shape), self.dtype)
        batch_size = check_integer(batch_size, "batch size", 1)
        if len(X) <= batch_size:
            return self.forward(X)
        return np.concatenate([self.forward(X[i : i + batch_size]) for i in range(0, len(X), batch_size)])

    def backward(self, dout: np.ndarray, start: int | None = None, input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate dL/d(output) through the layers (from layer ``start`` down, default the
        last); fills ``grads`` in place and returns dL/dX (None with ``input_grad=False``, which
        saves the first layer's input-gradient product when only parameter gradients matter)."""
        grad = np.asarray(dout, dtype=self.dtype)
        last = len(self.layers) - 1 if start is None else start
        # Below the first layer with parameters nothing needs a gradient (e.g. Flatten -> Dense).
        first_trainable = next((i for i, layer in enumerate(self.layers) if layer.params), 0)
        skippable = self.layers[: first_trainable + 1]
        for layer in skippable:
            layer.needs_input_grad = input_grad
        try:
            for layer in reversed(self.layers[: last + 1]):
                if grad is None:
                    break
                grad = layer.backward(grad)
        finally:
            for layer in skippable:
                layer.needs_input_grad = True
        return grad if input_grad else None

    def fuses_with(self, loss: Loss) -> bool:
        """True when the output activation and ``loss`` pair into the gradient (p - y)."""
        last = self.layers[-1]
        return (
            loss.fused_activation is not None
            and isinstance(last, Activation)
            and last.function == loss.fused_activation
            and all(v == 1.0 for v in last.fn.params.values())
        )

    def loss_backward(self, loss: Loss, out: np.ndarray, y: np.ndarray, input_grad: bool = True,
                      fused: bool | None = None, prepared: bool = False) -> np.ndarray | None:
        """Backward pass for ``loss(out, y)`` after ``forward``: the fused stable gradient where
        the output activation pairs with the loss, else the plain chain rule. Returns dL/dX.
        ``fused``: ``fuses_with(loss)`` if the caller already knows it (a trainer, every step);
        ``prepared``: ``y`` is already ``loss.targets(out, y)`` (not converted or checked again)."""
        if self.fuses_with(loss) if fused is None else fused:
            grad = loss.fused_grad_of_targets(out, y) if prepared else loss.fused_grad(out, y)
            return self.backward(grad, start=len(self.layers) - 2, input_grad=input_grad)
        return self.backward(loss.grad_of_targets(out, y) if prepared else loss.grad(out, y), input_grad=input_grad)

    # ---- parameters ----------------------------------------------------------------------
    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def regularized_keys(self) -> list[str]:
        """Parameter keys that L1/L2 apply to (weights; never biases or batch-norm parameters)."""
        return [f"{layer.name}.{k}" for layer in self.layers for k in layer.params if k in layer.regularized]

    def get_flat(self) -> np.ndarray:
        """All parameters as one vector (a copy), in ``params`` order."""
        if not self.params:
            return np.zeros(0, dtype=self.dtype)
        return np.concatenate([p.ravel() for p in self.params.values()])

    def set_flat(self, vector: np.ndarray) -> None:
        """Write a vector from ``get_flat`` back into the parameters, in place."""
        vector = np.asarray(vector)
        if vector.shape != (self.n_params,):
            raise ValueError(f"flat vector must have shape ({self.n_params},), got {vector.shape}")
        offset = 0
        for p in self.params.values():
            p[...] = vector[offset : offset + p.size].reshape(p.shape)
            offset += p.size

    def buffers(self) -> dict[str, np.ndarray]:
        return {f"{layer.name}.{k}": v for layer in self.layers for k, v in layer.buffers.items()}

    def config(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "input_shape": list(self.input_shape),
            "dtype": self.dtype.name,
            "seed": self.seed,
            "layers": [layer.config() for layer in self.layers],
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Network:
        """An unbuilt-weights network (fresh initialization) from ``config()``."""
        if not isinstance(config, dict) or config.get("format") != FORMAT_VERSION:
            raise ValueError(f"not an nnviz model config (format {FORMAT_VERSION} expected)")
        try:
            stack = [layer_lib.from_config(c) for c in config["layers"]]
            return cls(stack, input_shape=config["input_shape"], seed=config.get("seed", 0), dtype=config["dtype"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad nnviz model config: {exc!r}") from None

    def copy(self) -> Network:
        """An independent network with the same architecture, parameters and buffers."""
        twin = Network.from_config(self.config())
        for key, value in self.params.items():
            twin.params[key][...] = value
        for key, value in self.buffers().items():
            twin.buffers()[key][...] = value
        return twin

    def summary(self) -> list[tuple[str, str, tuple[int, ...], int]]:
        """(name, description, output shape, parameter count) per layer."""
        return [(layer.name, layer.describe(), layer.output_shape, sum(p.size for p in layer.params.values()))
                for layer in self.layers]

    # ---- files --------------------------------------------------------------------------
    def save(self, file: str | os.PathLike | IO[bytes]) -> None:
        """Save as .npz: the architecture as JSON plus every parameter and buffer."""
        arrays = {f"param:{k}": v for k, v in self.params.items()}
        arrays.update({f"buffer:{k}": v for k, v in self.buffers().items()})
        arrays[_META_KEY] = np.array(json.dumps(self.config()))
        np.savez(file, **arrays)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()

    @classmethod
    def load(cls, file: str | os.PathLike | IO[bytes] | bytes) -> Network:
        """Load a model saved by ``save``; anything else raises ``ValueError`` saying why.

        A model file comes from users, so nothing is allocated before it is sized: the zip's
        directory, the architecture record (at most ``MAX_RECORD_BYTES``, plain JSON numbers) and
        each array's header are read first; the architecture's arrays (``Layer.shapes``, at most
        ``MAX_MODEL_VALUES`` values) must be exactly the file's, by name, shape and float dtype;
        only then is the network built and each array read (unexpected ones are never read)."""
        if isinstance(file, (bytes, bytearray)):
            file = io.BytesIO(file)
        if hasattr(file, "read"):
            head = file.read(4)
            file.seek(-len(head), io.SEEK_CUR)
        else:
            with open(file, "rb") as fh:
                head = fh.read(4)
        if head[:2] != b"PK":
            raise ValueError("not a valid nnviz model file: an .npz (zip) archive was expected")
        try:
            with zipfile.ZipFile(file) as archive:
                return cls._load_archive(archive)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise ValueError(f"not a valid nnviz model file (.npz expected): {exc}") from None

    @classmethod
    def _load_archive(cls, archive: zipfile.ZipFile) -> Network:
        members = archive.infolist()
        if len(members) > MAX_MODEL_ARRAYS + 1:
            raise ValueError(f"not a valid nnviz model file: {len(members)} entries (at most "
                             f"{MAX_MODEL_ARRAYS + 1} expected)")
        by_key = {}
        for info in members:
            if not info.filename.endswith(".npy"):
                raise ValueError(f"not a valid nnviz model file: unexpected entry {info.filename[:80]!r}")
            by_key[info.filename[:-4]] = info
        if _META_KEY not in by_key:
            raise ValueError("not a valid nnviz model file: no architecture record")
        net_config = _read_record(archive, by_key.pop(_META_KEY))
        layers, input_shape, planned = _plan(net_config)
        declared = {}
        for key, info in by_key.items():
            if key not in planned:
                continue  # reported below, never read
            declared[key] = _array_header(archive, info, key)
        if set(by_key) != set(planned):
            missing = sorted(set(planned) - set(by_key))
            extra = sorted(k[:80] for k in set(by_key) - set(planned))[:10]
            raise ValueError(f"nnviz model file does not match its architecture (missing {missing}, extra {extra})")
        for key, shape in planned.items():
            if declared[key] != shape:
                raise ValueError(f"{key} has shape {declared[key]}, expected {shape}")
        net = cls(layers, input_shape=input_shape, seed=net_config["seed"], dtype=net_config["dtype"])
        targets = {f"param:{k}": v for k, v in net.params.items()}
        targets.update({f"buffer:{k}": v for k, v in net.buffers().items()})
        for key, target in targets.items():
            with archive.open(by_key[key]) as fp:
                value = np.lib.format.read_array(fp, allow_pickle=False)
            if value.shape != target.shape:
                raise ValueError(f"{key} has shape {value.shape}, expected {target.shape}")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{key} must hold finite floats")
            target[...] = value
        return net

    def __repr__(self) -> str:
        body = ", ".join(layer.describe() for layer in self.layers)
        return f"Network(input={self.input_shape}, [{body}], params={self.n_params:,})"


# ---- reading a model file safely ------------------------------------------------------------
#: Limits on a model file (a user's upload): every array's values, the arrays, the layers, the
#: architecture record's size and an input's values. The shipped digit CNN has ~100k values.
MAX_MODEL_VALUES = 10_000_000
MAX_MODEL_ARRAYS = 1024
MAX_MODEL_LAYERS = 512
MAX_RECORD_BYTES = 1_000_000
MAX_INPUT_VALUES = 1_000_000


def _no_constant(name: str) -> Any:
    raise ValueError(f"not a valid nnviz model file: the architecture record holds {name}")


def _read_record(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, Any]:
    """The architecture record (a 0-d unicode array of JSON) -> dict, bounded in size and depth."""
    if info.file_size > MAX_RECORD_BYTES:
        raise ValueError(f"not a valid nnviz model file: architecture record of {info.file_size:,} bytes "
                         f"(at most {MAX_RECORD_BYTES:,})")
    try:
        with archive.open(info) as fp:
            text = str(np.lib.format.read_array(fp, allow_pickle=False))
        config = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("not a valid nnviz model file: the architecture record is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a valid nnviz model file: architecture record is not JSON ({exc})") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT_VERSION:
        raise ValueError(f"not an nnviz model config (format {FORMAT_VERSION} expected)")
    return config


def _plan(config: dict[str, Any]) -> tuple[list[Layer], tuple[int, ...], dict[str, tuple[int, ...]]]:
    """(the unbuilt layers, the input shape, every array the network will hold -> its shape), from
    an architecture record, checked against the limits before anything is allocated."""
    records = config.get("layers")
    if not isinstance(records, list) or not records:
        raise ValueError("bad nnviz model config: 'layers' must be a non-empty list")
    if len(records) > MAX_MODEL_LAYERS:
        raise ValueError(f"bad nnviz model config: {len(records)} layers (at most {MAX_MODEL_LAYERS})")
    raw_shape = config.get("input_shape")
    if not isinstance(raw_shape, list) or not 1 <= len(raw_shape) <= 4:
        raise ValueError(f"bad nnviz model config: input_shape must be a list of 1 to 4 sizes, got {raw_shape!r}")
    input_shape = tuple(check_integer(v, "input size", 1, MAX_INPUT_VALUES) for v in raw_shape)
    if math.prod(input_shape) > MAX_INPUT_VALUES:
        raise ValueError(f"bad nnviz model config: input shape {input_shape} exceeds {MAX_INPUT_VALUES:,} values")
    config["seed"] = check_integer(config.get("seed", 0), "seed", 0, 2**63 - 1)
    _check_dtype_name(config.get("dtype"))
    planned: dict[str, tuple[int, ...]] = {}
    layers: list[Layer] = []
    counts: dict[str, int] = {}
    shape = input_shape
    total = 0
    try:
        for record in records:
            layer = layer_lib.from_config(record)
            name = f"{layer.kind}{counts.get(layer.kind, 0)}"
            counts[layer.kind] = counts.get(layer.kind, 0) + 1
            params, buffers, shape = layer.shapes(shape)
            for kind, arrays in (("param", params), ("buffer", buffers)):
                for key, array_shape in arrays.items():
                    total += math.prod(array_shape)
                    if total > MAX_MODEL_VALUES:
                        raise ValueError(f"bad nnviz model config: more than {MAX_MODEL_VALUES:,} values")
                    planned[f"{kind}:{name}.{key}"] = tuple(array_shape)
            layers.append(layer)
    except (KeyError, TypeError, OverflowError) as exc:
        raise ValueError(f"bad nnviz model config: {exc!r}"[:300]) from None
    return layers, input_shape, planned


def _check_dtype_name(name: Any) -> None:
    if name not in ("float32", "float64"):
        raise ValueError(f"bad nnviz model config: dtype must be 'float32' or 'float64', got {str(name)[:40]!r}")


def _array_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str) -> tuple[int, ...]:
    """The shape an array entry declares, from its .npy header only (its data is not read);
    a float dtype and a size that fits the declared shape are required."""
    try:
        with archive.open(info) as fp:
            version = np.lib.format.read_magic(fp)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
    except ValueError as exc:
        raise ValueError(f"{key}: not a valid array ({exc})") from None
    if dtype.kind != "f" or dtype.hasobject:
        raise ValueError(f"{key} must hold finite floats, got dtype {dtype}")
    return tuple(shape)


def is_finite(net: Network) -> bool:
    """True when every parameter is finite."""
    return all(np.isfinite(p).all() for p in net.params.values())
