"""The Sequences page's link: which setting goes under which query key, and the checks of values that
depend on each other (a lag and a truncation that fit the sequence length).

A link looks like ``?task=remember&len=50&lag=5&noise=0.1&seed=0&hidden=16&act=tanh&loss=last&rho=0.9&
trunc=0&clip=5&opt=adam&lr=0.01&batch=32&speed=30``. It holds the settings, not the training: opening
it builds the same model (the same seed, so the same initial weights) at step 0, paused. Nothing here
builds or trains anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, fields
from typing import Any

from nnviz.data import sequences as tasks
from nnviz.labs import share
from nnviz.labs.sequences.experiment import HIDDEN_ACTIVATIONS, MAX_BATCH, MAX_HIDDEN, MAX_LENGTH, SequenceExperiment
from nnviz.nn import optimizers

SPEEDS = (5, 10, 30, 100, 300)
DEFAULT_SPEED = 30
#: The readouts by their query names ("every step" -> every, "last step" -> last).
LOSS_ON = {"every": "every step", "last": "last step"}
NOISE = (0.0, 1.0, 0.05)  # the Noise slider: min, max, step
RHO = (0.1, 3.0, 0.1)  # the spectral radius slider
MAX_CLIP = 1e3
DEFAULTS: dict[str, Any] = {**asdict(SequenceExperiment()), "speed": DEFAULT_SPEED}


def num(value: float) -> str:
    """A float as short exact text: repr without a trailing ".0"."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def stepped(low: float, high: float, step: float) -> Callable[[str], float]:
    """A parser for a slider's value: in [low, high], on its steps (returned as the slider holds it)."""
    inside = share.bounded(low, high)

    def parse(text: str) -> float:
        value = float(inside(text))
        k = (value - low) / step
        if abs(k - round(k)) > 1e-9:
            raise ValueError(f"must be a multiple of {num(step)}")
        return value
    return parse


def named(names: Callable[[], Sequence[str]]) -> Callable[[str], str]:
    """``share.choice`` over a registry's names as they are when the link is read (an entry registered
    after import is accepted too)."""
    return lambda text: share.choice(names())(text)


def _rate(text: str) -> float:
    value = float(text)
    return optimizers.check_learning_rate(value)


def _loss_on(text: str) -> str:
    return LOSS_ON[share.choice(LOSS_ON)(text)]


def _loss_text(readout: str) -> str:
    return next(k for k, v in LOSS_ON.items() if v == readout)


def _int(low: int, high: int) -> Callable[[str], int]:
    parse = share.bounded(low, high, whole=True)
    return lambda text: int(parse(text))


FIELDS: tuple[share.Field, ...] = (
    share.Field("task", "task", named(tasks.names)),
    share.Field("len", "length", _int(2, MAX_LENGTH), str),
    share.Field("lag", "lag", _int(1, MAX_LENGTH - 1), str),
    share.Field("noise", "noise", stepped(*NOISE), num),
    share.Field("seed", "seed", _int(0, 2**32 - 1), str),
    share.Field("hidden", "hidden", _int(1, MAX_HIDDEN), str),
    share.Field("act", "activation", share.choice(HIDDEN_ACTIVATIONS)),
    share.Field("loss", "readout", _loss_on, _loss_text),
    share.Field("rho", "spectral_radius", stepped(*RHO), num),
    share.Field("trunc", "truncate", _int(0, MAX_LENGTH), str),
    share.Field("clip", "clip", share.bounded(0.0, MAX_CLIP), num),
    share.Field("opt", "optimizer", named(optimizers.names)),
    share.Field("lr", "learning_rate", _rate, num),
    share.Field("batch", "batch_size", _int(1, MAX_BATCH), str),
    share.Field("speed", "speed", lambda t: int(share.choice([str(s) for s in SPEEDS])(t)), str),
)


def experiment(values: Mapping[str, Any]) -> SequenceExperiment:
    """The experiment of ``resolve``'s settings (its ``speed`` left out)."""
    return SequenceExperiment(**{f.name: values[f.name] for f in fields(SequenceExperiment)})


def resolve(link: Mapping[str, Any], current: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Every setting of the page from a decoded link (``share.decode(FIELDS, ...)``'s values) and the
    page's ``current`` settings (``DEFAULTS``' names), and what the link could not use.

    A lag or a truncation that does not fit the sequence length falls back to its default (or the
    longest that fits); what the link leaves out comes from ``current``. The result always makes a
    valid ``SequenceExperiment``. Never raises."""
    out = {k: current.get(k, v) for k, v in DEFAULTS.items()}
    out.update({k: v for k, v in link.items() if k in out})
    messages: list[str] = []
    length = out["length"]
    if out["lag"] > length - 1:
        fallback = min(DEFAULTS["lag"], length - 1)
        if "lag" in link:
            messages.append(f"ignored lag={str(out['lag'])!r} (a sequence of {length} steps allows a lag of at "
                            f"most {length - 1}); using {fallback}")
        out["lag"] = fallback
    if out["truncate"] > length:
        if "truncate" in link:
            messages.append(f"ignored trunc={str(out['truncate'])!r} (longer than the sequence, {length} "
                            "steps); using the default")
        out["truncate"] = min(DEFAULTS["truncate"], length)
    try:
        experiment(out)
    except (ValueError, TypeError) as exc:  # a rule this codec does not know yet: the defaults, said
        messages.append(f"ignored the link's settings ({share.reason(exc)}); using the defaults")
        out = dict(DEFAULTS)
    return out, messages
