"""The playground's URL state: ``to_query``/``from_query`` round-trip an experiment through a query
string exactly; bad or unknown values fall back to defaults with messages, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnviz.labs import share
from nnviz.labs.playground.experiment import DATA_FIELDS, FEATURE_NAMES, Experiment, format_value, outputs_for
from nnviz.nn import losses

#: Experiment field -> query key.
QUERY_KEYS: dict[str, str] = {
    "dataset": "data", "noise": "noise", "n_points": "n", "test_ratio": "test", "seed": "seed",
    "features": "feat", "hidden": "hidden", "activation": "act", "activations": "acts", "batch_norm": "bn",
    "init": "init", "l1": "l1", "l2": "l2",
    "dropout": "drop", "loss": "loss", "output": "out", "optimizer": "opt", "optimizer_params": "opt_set",
    "learning_rate": "lr", "batch_size": "batch",
}
#: The query keys of the data's settings (the generator's and the input features), in the sidebar's order.
DATA_QUERY_KEYS = tuple(QUERY_KEYS[f] for f in (*DATA_FIELDS, "features") if f in QUERY_KEYS)


def feature_code(name: str) -> str:
    """A URL-friendly code for a feature: "x1^2" -> "x1sq", "sin x1" -> "sinx1", "x1*x2" -> "x1x2"."""
    return name.replace("^2", "sq").replace("*", "").replace(" ", "")


_FEATURE_BY_CODE = {feature_code(f): f for f in FEATURE_NAMES}


def to_query(exp: Experiment) -> dict[str, str]:
    """The experiment as query parameters (every field; floats in their exact shortest form)."""
    d = {
        "dataset": exp.dataset, "noise": share.number(exp.noise), "n_points": share.number(exp.n_points),
        "test_ratio": share.number(exp.test_ratio), "seed": share.number(exp.seed),
        "features": ",".join(feature_code(f) for f in exp.features),
        "hidden": share.join(map(str, exp.hidden)), "activation": exp.activation,
        "activations": share.join(exp.activations),
        "batch_norm": share.join(map(str, exp.batch_norm)), "init": exp.init,
        "l1": share.number(exp.l1), "l2": share.number(exp.l2), "dropout": share.number(exp.dropout),
        "loss": exp.loss, "output": exp.output, "optimizer": exp.optimizer,
        "optimizer_params": share.join(f"{k}:{share.number(v)}" for k, v in exp.optimizer_params),
        "learning_rate": share.number(exp.learning_rate), "batch_size": share.number(exp.batch_size),
    }
    return {QUERY_KEYS[k]: v for k, v in d.items()}


def _parse_features(text: str) -> tuple[str, ...]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name = _FEATURE_BY_CODE.get(part.replace(" ", "").lower(), part)
        if name not in FEATURE_NAMES:
            raise ValueError(f"unknown feature {part!r}")
        out.append(name)
    return tuple(out)


def _parse_hidden(text: str) -> tuple[int | float, ...]:
    return tuple(share.count(p) for p in share.split(text))


def _parse_opt_params(text: str) -> dict[str, float]:
    out = {}
    for part in share.split(text.lower()):
        key, sep, value = part.partition(":")
        if not sep:
            raise ValueError(f"expected name:value, got {part!r}")
        out[key.strip()] = float(value)
    return out


#: Fields whose validity depends on others (checked after the data set, the optimizer and the
#: hidden layers are known).
_DEPENDENT = ("dataset", "optimizer", "loss", "output", "optimizer_params", "batch_norm", "activations")

_PARSERS: dict[str, Any] = {
    "dataset": str, "noise": float, "n_points": share.count, "test_ratio": float, "seed": share.count,
    "features": _parse_features, "hidden": _parse_hidden, "activation": str,
    "activations": lambda text: tuple(share.split(text)), "batch_norm": _parse_hidden, "init": str,
    "l1": float, "l2": float, "dropout": float, "loss": str, "output": str, "optimizer": str,
    "optimizer_params": _parse_opt_params, "learning_rate": float, "batch_size": share.count,
}


def from_query(params: Mapping[str, Any], default: Experiment | None = None) -> tuple[Experiment, list[str]]:
    """An experiment from query parameters, and messages about what was ignored.

    Missing keys take the defaults; a bad value is replaced by its default and reported; unknown
    keys are reported. Never raises.
    """
    default = default or Experiment()
    messages: list[str] = []
    unknown: list[str] = []  # reported after the values that were meant for a setting
    by_key = {v: k for k, v in QUERY_KEYS.items()}
    raw: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        if key in by_key:
            raw[by_key[key]] = str(value)
        elif key not in share.KEPT_KEYS:
            unknown.append(f"ignored unknown link parameter {key}={value!r}")
    values: dict[str, Any] = {}
    for name, text in raw.items():
        try:
            value = _PARSERS[name](text)
            if name not in _DEPENDENT:
                default.replace(**{name: value})  # validates this value on its own
            values[name] = value
        except (ValueError, TypeError) as exc:
            using = format_value(getattr(default, name))
            messages.append(f"ignored {QUERY_KEYS[name]}={text!r} ({share.reason(exc)}); using {using}")
    # Values that depend on each other: the data set decides the task, the loss the outputs,
    # the optimizer its settings, the hidden layers which of them batch normalization may follow
    # and how many activations per layer there are.
    exp = default
    if "dataset" in values:
        try:
            exp = exp.with_dataset(values.pop("dataset"))
        except ValueError as exc:
            messages.append(f"ignored data={raw['dataset']!r} ({share.reason(exc)}); using {default.dataset}")
    if "optimizer" in values:
        try:
            exp = exp.with_optimizer(values.pop("optimizer"))
        except ValueError as exc:
            messages.append(f"ignored opt={raw['optimizer']!r} ({share.reason(exc)}); using {exp.optimizer}")
    try:
        exp = exp.replace(**{k: v for k, v in values.items() if k not in _DEPENDENT})  # each checked above
    except ValueError as exc:  # not expected: the independent fields were each valid
        messages.append(f"ignored the link's settings ({exc})")
    for name in ("loss", "output", "optimizer_params", "batch_norm", "activations"):
        if name not in values:
            continue
        try:
            if name == "loss":
                outs = outputs_for(exp.task, losses.LOSSES.canonical(values["loss"]))
                output = exp.output if exp.output in outs else next(iter(outs))
                exp = exp.replace(loss=values["loss"], output=output)
            else:
                exp = exp.replace(**{name: values[name]})
        except ValueError as exc:
            using = f"{exp.activation} on every layer" if name == "activations" else format_value(getattr(exp, name))
            messages.append(f"ignored {QUERY_KEYS[name]}={raw[name]!r} ({share.reason(exc)}); using {using}")
    return exp, messages + unknown
