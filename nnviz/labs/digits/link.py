"""The Digits page's link: the settings of "Train your own model" (architecture, hidden layers or
conv filters and dense units, activation, optimizer and its settings, learning rate, batch size,
epochs, augmentation, speed) and of "Inside a convolution" (the 1D signals and shift; the 2D
input, kernel or the typed one, padding, stride, flip, the picked pixel). The drawing is not in it
(too big for an address), nor the trained model (the page saves that as a file).

The number of training images is capped by the data the opener has (the page says so).

Values are named by the page's keys (``dg_kind``, ``dg_cv_stride``, ...). ``resolve`` fills what a
link leaves out with the page's defaults (a link restores the page exactly) and checks what
depends on other settings: the architecture as a whole (its size limit) and the 1D shift (at most
len f + len g - 2).

Example: ``?arch=cnn&filters=16-32&dense=128&act=relu&opt=adam&lr=0.001&kernel=sharpen&stride=2``
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nnviz.labs import link_parts, share
from nnviz.labs.digits.architectures import Architecture, hidden_activations, parse_sizes
from nnviz.labs.digits.size import size_problem
from nnviz.labs.explain import convolution as conv
from nnviz.labs.explain import numbers
from nnviz.nn import optimizers

KINDS = ("mlp", "cnn")
#: The architecture's settings, checked together.
ARCHITECTURE = ("dg_kind", "dg_hidden", "dg_filters", "dg_dense", "dg_activation")
#: The picked pixel of the feature map (plain state: (row, col)).
CELL = "dg_cv_cell"
SOURCES = ("drawing", "test", "example")
#: The most training images a link may ask for (the full MNIST training set).
MAX_TRAINING_IMAGES = 60_000


def word(name: str) -> str:
    """A choice's name as a word for the address bar: "vertical edges (Sobel)" -> "vertical-edges-sobel",
    "8 → 16" -> "8-16"."""
    return re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-")


def opt_key(name: str, hp: str) -> str:
    return f"dg_{name}_{hp}"


def optimizer_settings(name: str) -> dict[str, tuple[float, float, float, str]]:
    """The optimizer's settings the page has sliders for (``ui.common.optimizer_settings``: no eps)."""
    return {hp: spec for hp, spec in optimizers.get(name).hyperparams.items() if hp != "eps"}


def _sizes(text: str) -> str:
    return ", ".join(map(str, parse_sizes(text)))


def _sizes_query(value: Any) -> str:
    try:
        return ",".join(map(str, parse_sizes(str(value)))) or "none"
    except ValueError:
        return str(value)


def _hidden(text: str) -> str:
    return "" if share.is_empty(text) else _sizes(text)


def _kernel_text(text: str) -> str:
    """A typed kernel: rows on new lines, as the text area holds it."""
    return "\n".join(" ".join(link_parts.short(v) for v in row) for row in conv.parse_kernel(text))


def _kernel_query(value: Any) -> str:
    try:
        return ";".join(",".join(link_parts.short(v) for v in row) for row in conv.parse_kernel(value))
    except ValueError:
        return str(value)


def _cell(text: str) -> tuple[int, int] | None:
    """"row,column" of the picked feature-map pixel; "none" for none (the map's centre)."""
    parts = share.split(text)
    if not parts:
        return None
    if len(parts) != 2:
        raise ValueError("expected row,column")
    row, col = (link_parts.whole(0, 27)(p) for p in parts)
    return row, col


def _cell_query(value: Any) -> str:
    return "none" if value is None else ",".join(str(int(v)) for v in value)


def fields(*, kernels: Sequence[str], filters: Sequence[str], dense: Sequence[int], rates: Sequence[float],
           batches: Sequence[int], speeds: Sequence[int], max_epochs: int, data: Sequence[str]) -> list[share.Field]:
    """The link's fields, from the page's choices: ``kernels`` the kernel box's names (with the
    default model's filters where it has them), ``filters`` the conv-filter choices' names,
    ``dense``, ``rates``, ``batches``, ``speeds`` those select boxes' and sliders' values, ``data``
    the training data's sources (not a folder's path: that is the opener's machine's own)."""
    f1 = link_parts.number_list("f", 1, conv.MAX_SIGNAL)
    g1 = link_parts.number_list("g", 1, conv.MAX_SIGNAL)
    out = [
        share.Field("arch", "dg_kind", share.choice(KINDS)),
        share.Field("hidden", "dg_hidden", _hidden, _sizes_query),
        share.Field("filters", "dg_filters", *link_parts.named({word(n): n for n in filters})),
        share.Field("dense", "dg_dense", link_parts.one_of(dense), share.number),
        share.Field("act", "dg_activation", share.choice(hidden_activations())),
        share.Field("opt", "dg_optimizer", share.choice(optimizers.names())),
    ]
    for name in optimizers.names():
        for hp, (_, low, high, _) in optimizer_settings(name).items():
            out.append(share.Field(f"{name}.{hp}", opt_key(name, hp), link_parts.real(low, min(high, 0.9999)),
                                   share.number))
    out += [
        share.Field("lr", "dg_lr", link_parts.one_of(rates), share.number),
        share.Field("batch", "dg_batch", link_parts.one_of(batches), share.number),
        share.Field("epochs", "dg_epochs", link_parts.whole(1, max_epochs), share.number),
        share.Field("data", "dg_data", share.choice(data)),
        share.Field("images", "dg_n_train", link_parts.whole(500, MAX_TRAINING_IMAGES), share.number),
        share.Field("aug", "dg_augment", share.flag, share.flag_text),
        share.Field("speed", "dg_speed", link_parts.one_of(speeds), share.number),
        share.Field("f", "dg_cv_f", *f1),
        share.Field("g", "dg_cv_g", *g1),
        share.Field("shift", "dg_cv_n", link_parts.whole(0, 2 * conv.MAX_SIGNAL - 2), share.number),
        share.Field("input", "dg_cv_source", share.choice(SOURCES)),
        share.Field("image", "dg_cv_index", link_parts.whole(0, 9_999), share.number),
        share.Field("kernel", "dg_cv_kernel", *link_parts.named({word(n): n for n in kernels})),
        share.Field("typed", "dg_cv_custom", _kernel_text, _kernel_query),
        share.Field("pad", "dg_cv_padding", share.choice(conv.PADDINGS)),
        share.Field("stride", "dg_cv_stride", link_parts.one_of(conv.STRIDES), share.number),
        share.Field("flip", "dg_cv_flip", share.flag, share.flag_text),
        share.Field("pixel", CELL, _cell, _cell_query),
    ]
    return out


def centre(padding: str, stride: int) -> tuple[int, int]:
    """The feature-map pixel the convolution tab starts at: the centre of a 28x28 digit's map."""
    h, w = conv.output_shape((28, 28), padding, stride)
    return h // 2, w // 2


def optimizer_defaults(name: str) -> dict[str, float]:
    """Where the chosen optimizer's sliders start (the registry's values)."""
    if name not in optimizers.names():
        return {}
    return {opt_key(name, hp): float(spec[0]) for hp, spec in optimizer_settings(name).items()}


def architecture(values: Mapping[str, Any], filters: Mapping[str, tuple[int, ...]]) -> Architecture:
    """The architecture the settings describe; ``ValueError`` saying what is wrong (or too big)."""
    kind = values["dg_kind"]
    arch = Architecture(kind=kind, hidden=parse_sizes(values["dg_hidden"]) if kind == "mlp" else (128,),
                        filters=filters[values["dg_filters"]], dense=int(values["dg_dense"]),
                        activation=values["dg_activation"])
    problem = size_problem(arch)
    if problem:
        raise ValueError(problem)
    return arch


def resolve(values: Mapping[str, Any], defaults: Mapping[str, Any],
            filters: Mapping[str, tuple[int, ...]]) -> tuple[dict[str, Any], list[str]]:
    """A link's decoded ``values`` made whole and consistent: what it leaves out takes its default
    (``defaults``: the page's, keyed like ``values``; the chosen optimizer's settings at the
    registry's; no picked pixel: the map's centre), an architecture that cannot be built or is too
    big to train here is reported and replaced by the default one, and a 1D shift past the last
    output value is reported and set to the last. ``filters``: the filter choices' names -> sizes."""
    optimizer = values.get("dg_optimizer", defaults["dg_optimizer"])
    out = {**defaults, CELL: None, **optimizer_defaults(optimizer), **values}
    messages: list[str] = []
    try:
        architecture(out, filters)
    except (ValueError, KeyError) as exc:
        messages.append(f"ignored the link's architecture ({share.reason(exc)}); using the default one")
        out.update({k: defaults[k] for k in ARCHITECTURE})
    f = np.array(numbers.parse_numbers(out["dg_cv_f"], "f", 1, conv.MAX_SIGNAL))
    g = np.array(numbers.parse_numbers(out["dg_cv_g"], "g", 1, conv.MAX_SIGNAL))
    last = f.size + g.size - 2
    if int(out["dg_cv_n"]) > last:
        if "dg_cv_n" in values:
            messages.append(f"ignored shift={values['dg_cv_n']} (f and g give outputs 0 to {last}); using {last}")
        out["dg_cv_n"] = last
    return out, messages
