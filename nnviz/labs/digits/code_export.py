"""Take the code away: the digits page's training as a runnable script, in PyTorch or in NumPy with nnviz.

A ``Recipe`` is what the page's "Train your own model" tab trains: the architecture, optimizer and
its settings, learning rate, batch size, epochs, how many of the training images, augmentation
(the page has no L2, dropout or schedule). Both scripts read MNIST from the IDX files in a folder
given on the command line (``DEFAULT_DATA`` by default), take the page's images in its one fixed
order (``nnviz.labs.digits.split``: a tenth, at most 1,000, held out for validation), build the
network the page builds, train ``epochs`` epochs (``--steps N`` for fewer), and print the
accuracy on the MNIST test images (``--limit N``: the first N only).

The nnviz script is the page's training: the same seed gives the same numbers. The PyTorch script
imports no nnviz (a student runs it elsewhere): it reads the IDX files with a few lines of NumPy,
builds each engine layer as its torch module (``_torch_layers``: NHWC flattening kept, so the
weights line up with nnviz's and a model saved on the page can be loaded with ``--weights``),
initializes every weight with the engine's scheme (``nnviz.labs.torch_mapping``), draws its batches
from NumPy's generator seeded as nnviz's trainer (the same batches in the same order) and, with
augmentation on, carries the engine's augmentation code itself (copied from ``nnviz.data.augment``
when the script is written, so the same augmented images). What it cannot reproduce exactly is
listed by ``torch_notes``, in the script and under the page's buttons.
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

from nnviz.data import augment as augment_module
from nnviz.data.augment import AugmentConfig
from nnviz.labs import torch_mapping
from nnviz.labs.digits import split
from nnviz.labs.digits.architectures import Architecture
from nnviz.nn import optimizers
from nnviz.nn.layers import Activation, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool2D
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig

#: Where the scripts look for MNIST when no folder is given: the shared folder, from nnviz's root.
DEFAULT_DATA = "../shared/data/mnist"
TORCH_FILE = "nnviz_digits_torch.py"
NNVIZ_FILE = "nnviz_digits_numpy.py"
#: The page's evaluation settings (nnviz/ui/digits.py, ``_new_run``): evaluations per epoch, the
#: probe and the training images evaluated. They decide only what is measured during training
#: (and the divergence rule read off it), never a step.
EVALS_PER_EPOCH, PROBE_SIZE, EVAL_SIZE = 4, 64, 500


@dataclass(frozen=True)
class Recipe:
    """What the page trains: ``architecture`` with ``optimizer`` (its ``optimizer_params``) at
    ``learning_rate``, ``batch_size`` images a step, ``epochs`` epochs over the first ``n_train``
    images (a tenth of them, at most 1,000, validate), each batch augmented by ``augmentation``
    (None: as they are), ``seed`` for the weights and the batches. Bad values raise ValueError."""

    architecture: Architecture = field(default_factory=lambda: Architecture(kind="mlp"))
    optimizer: str = "adam"
    optimizer_params: Mapping[str, float] = field(default_factory=dict)
    learning_rate: float = 3e-3
    batch_size: int = 64
    epochs: int = 10
    n_train: int = 5000
    augmentation: AugmentConfig | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "optimizer_params", dict(self.optimizer_params))
        self.train_config(1)  # validates optimizer, its settings, learning rate, batch size, seed
        if int(self.epochs) < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")
        if int(self.n_train) < 2:
            raise ValueError(f"a run needs at least 2 images (1 to validate, 1 to train), got {self.n_train}")

    @classmethod
    def from_page(cls, settings: Mapping[str, Any], augmentation: AugmentConfig | None, seed: int = 0) -> Recipe:
        """The recipe of the page's settings dict (architecture, optimizer, optimizer_params,
        learning_rate, batch_size, epochs, n_train, augment); ``augmentation`` is what augment=True means."""
        return cls(architecture=settings["architecture"], optimizer=settings["optimizer"],
                   optimizer_params=settings["optimizer_params"], learning_rate=settings["learning_rate"],
                   batch_size=settings["batch_size"], epochs=settings["epochs"], n_train=settings["n_train"],
                   augmentation=augmentation if settings["augment"] else None, seed=seed)

    def train_config(self, eval_every: int) -> TrainConfig:
        """The trainer's config, as the page makes it."""
        return TrainConfig(loss="cross_entropy", optimizer=self.optimizer, learning_rate=self.learning_rate,
                           batch_size=self.batch_size, optimizer_params=dict(self.optimizer_params),
                           eval_every=eval_every, seed=self.seed)

    def network(self) -> Network:
        """The network the page builds for this recipe (its initial weights), a new one each call."""
        return self.architecture.build(seed=self.seed)

    @cached_property
    def _built(self) -> Network:
        """One network of this recipe, built once, that the scripts read their layers from (never changed)."""
        return self.network()

    def steps(self, n_images: int) -> int:
        """Steps of ``epochs`` epochs on a folder of ``n_images`` training images: ceil(epochs x
        ceil(n / b)) for the n of them the run trains on, as the page's target (``live.target_step``)."""
        n = min(self.n_train, n_images) - split.validation_size(min(self.n_train, n_images))
        return math.ceil(self.epochs * math.ceil(n / min(self.batch_size, n)) - 1e-9)


# ---- PyTorch -------------------------------------------------------------------------------------


def _torch_layers(net: Network) -> list[str]:
    """Each engine layer as its torch module, in order; the output softmax is left to
    nn.CrossEntropyLoss. ValueError naming a layer that has no counterpart here."""
    out: list[str] = []
    last = len(net.layers) - 1
    for i, layer in enumerate(net.layers):
        if isinstance(layer, Conv2D):
            if len(layer.input_shape) == 2:
                out.append("nn.Unflatten(1, (1, 28)),  # (n, 28, 28) -> (n, 1, 28, 28): one channel")
            channels = layer.input_shape[2] if len(layer.input_shape) == 3 else 1
            if layer.padding == "same" and layer.stride != 1:
                raise ValueError(f"{layer.describe()}: PyTorch's padding='same' takes stride 1 only")
            padding = '"same"' if layer.padding == "same" else "0"
            kh, kw = layer.kernel_size
            bias = "" if layer.use_bias else ", bias=False"
            out.append(f"nn.Conv2d({channels}, {layer.filters}, kernel_size=({kh}, {kw}), stride={layer.stride}, "
                       f"padding={padding}{bias}),")
        elif isinstance(layer, MaxPool2D):
            out.append(f"nn.MaxPool2d({layer.pool_size}, stride={layer.stride}),")
        elif isinstance(layer, Flatten):
            out.append("FlattenHWC()," if len(layer.input_shape) == 3 else "nn.Flatten(),")
        elif isinstance(layer, Dense):
            bias = "" if layer.use_bias else ", bias=False"
            out.append(f"nn.Linear({layer.input_shape[0]}, {layer.units}{bias}),")
        elif isinstance(layer, Activation):
            if i == last and layer.fn.gives_probabilities and layer.fn.per_class:
                continue  # softmax: inside nn.CrossEntropyLoss, which takes the raw scores
            why = torch_mapping.why_not_activation(layer.function)
            if why:
                raise ValueError(why)
            out.append(torch_mapping.torch_activation(layer.function, layer.fn.params) + ",")
        elif isinstance(layer, Dropout):
            out.append(f"nn.Dropout({layer.rate!r}),  # its own random masks")
        else:
            raise ValueError(f"the layer {layer.describe()!r} has no PyTorch counterpart here")
    return out


def _weight_layers(net: Network) -> list[Layer]:
    return [layer for layer in net.layers if isinstance(layer, (Conv2D, Dense))]


def why_not_torch(recipe: Recipe) -> str | None:
    """Why ``recipe`` cannot be written for PyTorch, or None when it can."""
    why = torch_mapping.why_not_optimizer(recipe.optimizer)
    if why:
        return why
    net = recipe._built
    try:
        _torch_layers(net)
    except ValueError as exc:
        return str(exc)
    for layer in _weight_layers(net):
        if layer.init not in torch_mapping.TORCH_INITS:
            return f"the initializer {layer.init!r} has no PyTorch counterpart here"
    return None


def torch_notes(recipe: Recipe) -> list[str]:
    """What the PyTorch script does not reproduce exactly, one sentence each."""
    inits = sorted({layer.init for layer in _weight_layers(recipe._built)})
    notes = [f"The initial weights are PyTorch's own random draw from the same scheme ({', '.join(inits)}), so "
             "the run ends close to nnviz's accuracy, not equal (--weights starts from a model saved on the page "
             "instead)."]
    if any(isinstance(layer, Dropout) for layer in recipe._built.layers):
        notes.append("Dropout draws its own random masks.")
    blowup = recipe.train_config(1).blowup
    if blowup is not None:
        notes.append(f"nnviz also stops a run whose training loss explodes (above {blowup:g}x its first value for most "
                     "of the last evaluations); this script stops only at a loss that is not finite.")
    return notes


def _top_level(module: Any) -> tuple[str, dict[str, ast.stmt]]:
    """(source, top-level name -> its statement) of a module."""
    source = inspect.getsource(module)
    nodes: dict[str, ast.stmt] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            nodes[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for name in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(name, ast.Name):
                        nodes[name.id] = node
    return source, nodes


def module_code(module: Any, roots: list[str]) -> str:
    """The source of ``roots`` in ``module`` and of every top-level name they use, in the
    module's order, with the comment lines right above each (decorators included)."""
    source, nodes = _top_level(module)
    lines = source.splitlines()
    wanted: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo += [n.id for n in ast.walk(nodes[name]) if isinstance(n, ast.Name) and n.id in nodes]
    blocks = []
    for node in sorted({id(nodes[n]): nodes[n] for n in wanted}.values(), key=lambda n: n.lineno):
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        while first > 0 and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        blocks.append("\n".join(lines[first:node.end_lineno]))
    return "\n\n\n".join(blocks)


def _augmentation_repr(config: AugmentConfig, indent: str = "") -> str:
    """``AugmentConfig(...)`` with every field, as Python (one per line, at ``indent``)."""
    return ("AugmentConfig(\n" + "".join(f"{indent}    {f.name}={getattr(config, f.name)!r},\n" for f in fields(config))
            + f"{indent})")


def _summary(recipe: Recipe) -> str:
    opt = ", ".join(f"{k} {v:g}" for k, v in recipe.optimizer_params.items())
    aug = "each batch augmented afresh" if recipe.augmentation else "no augmentation"
    return (f"{optimizers.get(recipe.optimizer).label} (learning rate {recipe.learning_rate:g}"
            f"{', ' + opt if opt else ''}), batch {recipe.batch_size}, {recipe.epochs} "
            f"epoch{'s' if recipe.epochs != 1 else ''} on the first {recipe.n_train:,} training images in the page's "
            f"order (a tenth, at most {split.MAX_VALIDATION:,}, held out for validation), cross-entropy, {aug}, "
            f"seed {recipe.seed}")


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=" " * len(indent),
                         break_on_hyphens=False)


def _header(recipe: Recipe, what: str, needs: str, usage: str, notes: list[str] | None = None) -> str:
    """The script's docstring: what it builds and trains, how to run it, what it needs (and ``notes``:
    what it does not reproduce exactly)."""
    net = recipe._built
    paragraphs = [
        f"nnviz digits model as {what}: {recipe.architecture.label()}, {net.n_params:,} parameters.",
        _wrap(f"Trains as the digits page's \"Train your own model\" tab does: {_summary(recipe)}; then prints "
              "the accuracy on the MNIST test images."),
        f"    {usage}",
        _wrap(f"MNIST_FOLDER (default {DEFAULT_DATA}) holds the IDX files: train-images-idx3-ubyte and "
              "train-labels-idx1-ubyte (or nnviz's 5,000-image subset train-5k-images-idx3-ubyte and "
              "train-5k-labels-idx1-ubyte), t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each .gz or not. "
              f"Needs {needs}."),
    ]
    if notes:
        paragraphs.append("Not reproduced exactly:\n" + "\n".join(_wrap(note, "- ") for note in notes))
    paragraphs.append("Made by nnviz (see how a neural network learns).")
    return '"""' + "\n\n".join(paragraphs) + '\n"""\n\n'


def pytorch_script(recipe: Recipe) -> str:
    """A runnable PyTorch script of ``recipe`` (``ValueError`` saying why when it cannot be written)."""
    why = why_not_torch(recipe)
    if why:
        raise ValueError(f"no PyTorch script for these settings: {why}")
    net = recipe._built
    layers = "\n".join(f"        {line}" for line in _torch_layers(net))
    inits = [layer.init for layer in _weight_layers(net)]
    init_map = "\n".join(f"    {name!r}: lambda w: {torch_mapping.TORCH_INITS[name]},"
                         for name in dict.fromkeys(inits))
    momentum = ("\n    # PyTorch's momentum sums the gradients (v = βv + g) where nnviz averages them (v = βv + (1 − β)g):"
                "\n    # the learning rate times (1 − β) takes the same steps."
                if recipe.optimizer in ("momentum", "nesterov") else "")
    aug = recipe.augmentation
    augmentation = "" if aug is None else (
        "\n\n\n# ---- augmentation: nnviz's own code (nnviz/data/augment.py), copied when this script was written\n\n\n"
        + module_code(augment_module, ["augment", "AugmentConfig"])
        + f"\n\n\nAUGMENTATION = {_augmentation_repr(aug)}\n")
    augment_step = ("\n        xb = augment(xb, rng, AUGMENTATION, labels=yb)  # from the same generator, as nnviz"
                    if aug is not None else "")
    return (_header(recipe, "a PyTorch script", "numpy and torch (written for torch 2.13.0; the CPU build is enough), "
                    "not nnviz",
                    f"python {TORCH_FILE} [MNIST_FOLDER] [--steps N] [--limit N] [--weights MODEL.npz]",
                    torch_notes(recipe))
            + "from __future__ import annotations\n\n"
            + "import argparse\nimport gzip\nimport math\nimport sys\n"
            + ("from dataclasses import dataclass\n" if aug is not None else "")
            + "from pathlib import Path\n\nimport numpy as np\nimport torch\nfrom torch import nn\n\n"
            + f"SEED = {recipe.seed}\nEPOCHS = {recipe.epochs}\nBATCH_SIZE = {recipe.batch_size}\n"
            + f"TRAIN_IMAGES = {recipe.n_train}  # the first this many of the page's order: a tenth validate\n"
            + f"SPLIT_SEED, MAX_VALIDATION = {split.SEED}, {split.MAX_VALIDATION}  # nnviz.labs.digits.split\n"
            + f'DEFAULT_DATA = "{DEFAULT_DATA}"\n'
            + _TORCH_DATA
            + augmentation
            + _TORCH_MODEL.format(layers=layers, init_map=init_map, inits=inits)
            + _TORCH_MAIN.format(optimizer=torch_mapping.torch_optimizer(recipe.optimizer, recipe.learning_rate,
                                                                         recipe.optimizer_params),
                                 momentum=momentum, augment_step=augment_step))


_TORCH_DATA = '''

# ---- MNIST from the IDX files


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzip or not) as a uint8 array: bytes 0, 0, 0x08 (unsigned bytes), the rank r,
    r big-endian 32-bit sizes, then the data."""
    data = path.read_bytes()
    if data[:2] == b"\\x1f\\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[:3] != b"\\x00\\x00\\x08":
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(shape)


def find(folder: Path, stem: str) -> Path | None:
    for path in (folder / f"{stem}.gz", folder / stem):
        if path.is_file():
            return path
    return None


def load_mnist(folder: Path) -> tuple[np.ndarray, ...]:
    """(X_train, y_train, X_test, y_test): images (n, 28, 28) float32 in [0, 1], labels (n,) int64.
    The full training files win; nnviz's 5,000-image subset stands in for them."""
    stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
    if not all(find(folder, s) for s in stems):
        stems = ["train-5k-images-idx3-ubyte", "train-5k-labels-idx1-ubyte"]
    stems += ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    paths = [find(folder, s) for s in stems]
    missing = [s for s, p in zip(stems, paths) if p is None]
    if missing:
        sys.exit(f"error: {folder} has no {', '.join(missing)} (.gz or not); give the MNIST folder as the first argument")
    arrays = [read_idx(p) for p in paths]
    return (arrays[0].astype(np.float32) / 255, arrays[1].astype(np.int64),
            arrays[2].astype(np.float32) / 255, arrays[3].astype(np.int64))


def page_split(X: np.ndarray, y: np.ndarray, requested: int) -> tuple[np.ndarray, ...]:
    """The page's images: the first n = min(requested, N) of one fixed shuffle (default_rng(SPLIT_SEED)),
    the first n_val = min(MAX_VALIDATION, max(1, n // 10)) to validate, the rest to train.
    Returns (X_train, y_train, X_val, y_val)."""
    order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
    n = min(requested, len(y))
    n_val = min(MAX_VALIDATION, max(1, n // 10))
    train, val = order[n_val:n], order[:n_val]
    return X[train], y[train], X[val], y[val]
'''

_TORCH_MODEL = '''

# ---- the network


class FlattenHWC(nn.Module):
    """(n, C, H, W) -> (n, H*W*C) in nnviz's order (channels last), so the dense weights after the
    convolutions line up with nnviz's."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 2, 3, 1).flatten(1)


def build_model() -> nn.Sequential:
    """nnviz's layers as torch modules; the softmax output is inside nn.CrossEntropyLoss."""
    return nn.Sequential(
{layers}
    )


#: nnviz initializer -> torch.nn.init (the same fans: a conv kernel's fan-in is in_channels x kh x kw).
INITS = {{
{init_map}
}}
#: Each weight layer's initializer, in order (biases start at 0).
LAYER_INITS = {inits!r}


def init_weights(model: nn.Sequential) -> None:
    layers = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    for m, name in zip(layers, LAYER_INITS, strict=True):
        INITS[name](m.weight)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def load_nnviz_weights(model: nn.Sequential, path: str) -> None:
    """A model saved on nnviz's digits page (.npz) into ``model``: Dense W (in, out) -> Linear
    weight (out, in); Conv2D W (kh, kw, in, out) -> Conv2d weight (out, in, kh, kw)."""
    saved = np.load(path, allow_pickle=False)
    keys = [k for k in saved.files if k.startswith("param:") and k.endswith(".W")]
    layers = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    if len(keys) != len(layers):
        sys.exit(f"error: {{path}} has {{len(keys)}} weight layers, this network {{len(layers)}}")
    with torch.no_grad():
        for m, key in zip(layers, keys):
            W = saved[key]
            W = W.T if W.ndim == 2 else W.transpose(3, 2, 0, 1)
            if tuple(W.shape) != tuple(m.weight.shape):
                sys.exit(f"error: {{key}} in {{path}} has shape {{saved[key].shape}}, not this network's")
            m.weight.copy_(torch.from_numpy(np.ascontiguousarray(W)))
            if m.bias is not None:
                m.bias.copy_(torch.from_numpy(saved[key[:-2] + ".b"]))


def accuracy(model: nn.Sequential, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of images whose highest score is their label, in batches of 1,000."""
    model.eval()
    with torch.no_grad():
        right = sum(int((model(torch.from_numpy(X[i:i + 1000])).argmax(1).numpy() == y[i:i + 1000]).sum())
                    for i in range(0, len(X), 1000))
    model.train()
    return right / max(len(X), 1)
'''

_TORCH_MAIN = '''

# ---- training


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mnist", nargs="?", default=DEFAULT_DATA, help="folder with the MNIST IDX files")
    parser.add_argument("--steps", type=int, default=None, help=f"training steps (default: {{EPOCHS}} epochs)")
    parser.add_argument("--limit", type=int, default=None, help="measure on the first N test images only")
    parser.add_argument("--weights", default=None, help="start from a model saved on nnviz's digits page (.npz)")
    args = parser.parse_args()
    if (args.steps is not None and args.steps < 0) or (args.limit is not None and args.limit < 1):
        parser.error(f"--steps must be >= 0 and --limit >= 1, got {{args.steps}} and {{args.limit}}")
    X, y, X_test, y_test = load_mnist(Path(args.mnist))
    X_train, y_train, X_val, y_val = page_split(X, y, TRAIN_IMAGES)
    X_test, y_test = X_test[:args.limit], y_test[:args.limit]
    n = len(y_train)
    b = min(BATCH_SIZE, n)
    steps_per_epoch = math.ceil(n / b)
    steps = math.ceil(EPOCHS * steps_per_epoch - 1e-9) if args.steps is None else args.steps
    print(f"training on {{n:,}} images from {{args.mnist}} (validating on {{len(y_val):,}}), {{steps:,}} steps")

    torch.manual_seed(SEED)
    model = build_model()
    init_weights(model)  # torch's own generator: nnviz's scheme, not nnviz's numbers (see the docstring)
    if args.weights:
        load_nnviz_weights(model, args.weights)
    print(f"{{sum(p.numel() for p in model.parameters()):,}} parameters")
    loss_fn = nn.CrossEntropyLoss()  # softmax + cross-entropy on the raw scores, mean over the batch{momentum}
    optimizer = {optimizer}

    # The batches: nnviz's trainer's generator, seeded alike, draws the same ones in the same order
    # (a new order each time fewer than a batch of images are left).
    rng = np.random.default_rng(SEED)
    order, pos, losses = rng.permutation(n), 0, []
    model.train()
    for step in range(1, steps + 1):
        if pos + b > n:
            order, pos = rng.permutation(n), 0
        idx = order[pos:pos + b]
        pos += b
        xb, yb = X_train[idx], y_train[idx]{augment_step}
        loss = loss_fn(model(torch.from_numpy(np.ascontiguousarray(xb))), torch.from_numpy(yb))
        if not math.isfinite(loss.item()):
            print(f"diverged at step {{step}}: the loss became infinite or NaN (lower the learning rate)")
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step % steps_per_epoch == 0 or step == steps:
            print(f"epoch {{step / steps_per_epoch:.2f}}  step {{step}}  loss {{np.mean(losses):.4f}}  "
                  f"validation accuracy {{accuracy(model, X_val, y_val):.4f}}")
            losses = []
    print(f"test accuracy {{accuracy(model, X_test, y_test):.4f}} on {{len(y_test):,}} test images")


if __name__ == "__main__":
    main()
'''


# ---- NumPy with nnviz ----------------------------------------------------------------------------


def _nnviz_layer(layer: Layer) -> str:
    """The constructor call that builds ``layer`` again (ValueError for a kind not written here)."""
    if isinstance(layer, Flatten):
        return "Flatten()"
    if isinstance(layer, Dense):
        return f"Dense({layer.units}, init={layer.init!r}" + ("" if layer.use_bias else ", use_bias=False") + ")"
    if isinstance(layer, Conv2D):
        kh, kw = layer.kernel_size
        return (f"Conv2D({layer.filters}, kernel_size=({kh}, {kw}), stride={layer.stride}, padding={layer.padding!r}, "
                f"init={layer.init!r}" + ("" if layer.use_bias else ", use_bias=False") + ")")
    if isinstance(layer, MaxPool2D):
        return f"MaxPool2D({layer.pool_size}" + ("" if layer.stride == layer.pool_size else f", stride={layer.stride}") + ")"
    if isinstance(layer, Activation):
        params = "".join(f", {k}={v!r}" for k, v in layer.fn.params.items()
                         if v != torch_mapping.activation_params(layer.function).get(k))
        return f"Activation({layer.function!r}{params})"
    if isinstance(layer, Dropout):
        return f"Dropout({layer.rate!r}, seed={layer.seed})"
    raise ValueError(f"the layer {layer.describe()!r} cannot be written here")


def nnviz_script(recipe: Recipe) -> str:
    """A runnable script of ``recipe`` with the nnviz engine (NumPy only): the page's network and numbers."""
    net = recipe._built
    stack = ",\n        ".join(_nnviz_layer(layer) for layer in net.layers)
    kinds = sorted({type(layer).__name__ for layer in net.layers})
    aug = recipe.augmentation
    cfg = recipe.train_config(1)
    return (_header(recipe, "a NumPy script with the nnviz engine", "numpy and nnviz (pip install -r "
                    "requirements.txt in nnviz's folder, run from there); the same seed gives the page's numbers",
                    f"python {NNVIZ_FILE} [MNIST_FOLDER] [--steps N] [--limit N]")
            + "import argparse\nimport math\nimport sys\n\nimport numpy as np\n\n"
            + ("from nnviz.data.augment import AugmentConfig, Augmenter\n" if aug is not None else "")
            + "from nnviz.data.mnist_files import MnistUnavailable, load_mnist\n"
            + "from nnviz.labs.digits import split\nfrom nnviz.labs.digits.evaluation import evaluate\n"
            + "from nnviz.labs.digits.model import DigitModel\n"
            + f"from nnviz.nn.layers import {', '.join(kinds)}\n"
            + "from nnviz.nn.network import Network\nfrom nnviz.nn.training import TrainConfig, Trainer\n\n"
            + f"EPOCHS = {recipe.epochs}\nTRAIN_IMAGES = {recipe.n_train}  # the first this many of the page's "
            + "order: a tenth validate\n"
            + f'DEFAULT_DATA = "{DEFAULT_DATA}"\n\n\n'
            + "def main() -> None:\n"
            + "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n"
            + '    parser.add_argument("mnist", nargs="?", default=DEFAULT_DATA, help="folder with the MNIST IDX files")\n'
            + '    parser.add_argument("--steps", type=int, default=None, help=f"training steps (default: {EPOCHS} epochs)")\n'
            + '    parser.add_argument("--limit", type=int, default=None, help="measure on the first N test images only")\n'
            + "    args = parser.parse_args()\n"
            + "    if (args.steps is not None and args.steps < 0) or (args.limit is not None and args.limit < 1):\n"
            + '        parser.error(f"--steps must be >= 0 and --limit >= 1, got {args.steps} and {args.limit}")\n'
            + "    try:\n        data = load_mnist(args.mnist)\n"
            + "    except (MnistUnavailable, ValueError) as exc:\n        sys.exit(f\"error: {exc}\")\n"
            + "    # The page's images: one fixed shuffle of the training images; a tenth of the first TRAIN_IMAGES validate.\n"
            + "    sets = split.sets(*split.shuffled(data.X_train, data.y_train), TRAIN_IMAGES)\n"
            + "    X_test, y_test = data.X_test[:args.limit], data.y_test[:args.limit]\n\n"
            + f"    net = Network([\n        {stack},\n"
            + f"    ], input_shape=(28, 28), seed={recipe.seed})\n"
            + f"    steps_per_epoch = math.ceil(len(sets.y_train) / min({recipe.batch_size}, len(sets.y_train)))\n"
            + f"    config = TrainConfig(loss={cfg.loss!r}, optimizer={cfg.optimizer!r}, "
            + f"learning_rate={cfg.learning_rate!r}, batch_size={cfg.batch_size},\n"
            + f"                         optimizer_params={dict(cfg.optimizer_params)!r}, seed={cfg.seed},\n"
            + f"                         eval_every=max(1, steps_per_epoch // {EVALS_PER_EPOCH}))  # evaluations only\n"
            + "    trainer = Trainer(net, config, sets.X_train, sets.y_train, sets.X_val, sets.y_val, "
            + f"probe_size={PROBE_SIZE}, eval_size={EVAL_SIZE},\n"
            + "                      transform=" + ("None" if aug is None else f"Augmenter({_augmentation_repr(aug, ' ' * 22)})")
            + ")\n"
            + "    steps = math.ceil(EPOCHS * steps_per_epoch - 1e-9) if args.steps is None else args.steps\n"
            + '    print(f"training on {len(sets.y_train):,} images from {data.source} (validating on '
            + '{len(sets.y_val):,}), {steps:,} steps")\n'
            + '    print(f"{net.n_params:,} parameters")\n'
            + "    while trainer.step < steps and trainer.diverged is None:  # an epoch at a time, then a report\n"
            + "        chunk = min(steps_per_epoch - trainer.step % steps_per_epoch, steps - trainer.step)\n"
            + "        done = trainer.run(steps=chunk)\n"
            + "        if done:\n"
            + "            _, val_accuracy = trainer.evaluate(sets.X_val, sets.y_val)\n"
            + '            print(f"epoch {trainer.epoch:.2f}  step {trainer.step}  loss '
            + '{np.mean(trainer.history.loss[-done:]):.4f}  validation accuracy {val_accuracy:.4f}")\n'
            + "    if trainer.diverged is not None:\n"
            + '        print(f"diverged at step {trainer.diverged}: {trainer.diverged_reason} (lower the learning rate)")\n'
            + "    accuracy = evaluate(DigitModel(net), X_test, y_test).accuracy  # as the page measures it\n"
            + '    print(f"test accuracy {accuracy:.4f} on {len(y_test):,} test images")\n\n\n'
            + 'if __name__ == "__main__":\n    main()\n')
