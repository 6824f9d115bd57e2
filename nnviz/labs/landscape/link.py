"""The loss-landscape page's link: which setting goes under which query key, and the checks of values
that depend on each other (hidden layers that fit the task, a centre run that exists, a task this
server can load).

A link looks like ``?task=moons&points=300&noise=1&hidden=16,16&act=tanh&mode=rates&opt=sgd&
rates=0.1,0.3,1,30&opts=sgd,momentum,adam&lr=0.03&steps=300&batch=32&seed=0&res=21&span=1&log=1&
centre=best&fit=all&shape=contour&tab=paths``. Both ways of comparing keep their picks (``rates``
with ``opt``, ``opts`` with ``lr``), as the page does; ``mode`` says which one is shown. Nothing here
trains or evaluates: opening a link costs what drawing the page costs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nnviz.data import toy_sets
from nnviz.labs import share
from nnviz.labs.landscape.setup import (
    BATCH_SIZES,
    COMPARE_LEARNING_RATE,
    COMPARE_OPTIMIZERS,
    DIGIT_COUNTS,
    DIGITS,
    HIDDEN_DEFAULT,
    MAX_RUNS,
    RESOLUTIONS,
    SPANS,
    STEP_CHOICES,
    Setup,
    ViewOptions,
    hidden_activations,
    parse_hidden,
    size_problem,
    task_kind,
)
from nnviz.labs.rates import LEARNING_RATES
from nnviz.nn import optimizers

#: Query names of the page's choices, in the order of its widgets' options.
MODES = ("rates", "optimizers")
FITS = ("all", "centre")
SHAPES = ("contour", "3d")
TABS = ("paths", "honesty", "sharpness", "line", "curves")
BEST = "best"
POINTS = (100, 1000, 50)  # the Points slider: min, max, step
NOISE = (0.0, 3.0, 0.25)  # the Noise slider
SEEDS = (0, 10_000)

_SETUP, _VIEW = Setup(), ViewOptions()
DEFAULTS: dict[str, Any] = {
    "task": _SETUP.task, "points": _SETUP.n_points, "noise": _SETUP.noise, "digits": _SETUP.n_digits,
    "hidden": _SETUP.hidden, "act": _SETUP.activation, "mode": MODES[0], "opt": _SETUP.runs[0][0],
    "rates": [lr for _, lr in _SETUP.runs], "opts": list(COMPARE_OPTIMIZERS), "lr": COMPARE_LEARNING_RATE,
    "steps": _SETUP.steps, "batch": _SETUP.batch_size, "seed": _SETUP.seed, "res": _VIEW.resolution,
    "span": _VIEW.span, "log": _VIEW.log, "centre": BEST, "fit": FITS[0], "shape": SHAPES[0], "tab": TABS[0],
}


def num(value: float) -> str:
    """A float as short exact text: repr without a trailing ".0"."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def one_of(options: Sequence[float | int]) -> Callable[[str], float | int]:
    """A parser for one of the numbers ``options`` (a slider's steps), returned as spelled there."""
    def parse(text: str) -> float | int:
        value = float(text)
        for option in options:
            if value == option:
                return option
        raise ValueError(f"expected one of {', '.join(num(o) for o in options)}")
    return parse


def stepped(low: float, high: float, step: float, whole: bool = False) -> Callable[[str], float | int]:
    """A parser for a slider's value: in [low, high], on its steps."""
    inside = share.bounded(low, high, whole)

    def parse(text: str) -> float | int:
        value = inside(text)
        if abs((value - low) / step - round((value - low) / step)) > 1e-9:
            raise ValueError(f"must be a multiple of {num(step)}")
        return value
    return parse


def _picks(parse_one: Callable[[str], Any], what: str) -> Callable[[str], list]:
    """A parser for 1 to ``MAX_RUNS`` distinct picks (the page's pills)."""
    def parse(text: str) -> list:
        parts = share.split(text)
        if not 1 <= len(parts) <= MAX_RUNS:
            raise ValueError(f"pick 1 to {MAX_RUNS} {what}, got {len(parts)}")
        values = []
        for part in parts:
            try:
                value = parse_one(part)
            except ValueError as exc:
                raise ValueError(f"{part!r}: {share.reason(exc)}") from None
            if value in values:
                raise ValueError(f"{part!r} is picked twice")
            values.append(value)
        return values
    return parse


def named(names: Callable[[], Sequence[str]]) -> Callable[[str], str]:
    """``share.choice`` over a registry's names as they are when the link is read (an entry registered
    after import, e.g. by a test or a plug-in, is accepted too)."""
    return lambda text: share.choice(names())(text)


def _task(text: str) -> str:
    return share.choice([*toy_sets.names(), DIGITS])(text)


def _centre(text: str) -> str | int:
    """"best", or a run's number (1 to MAX_RUNS) as the page counts its runs."""
    if text.strip().lower() == BEST:
        return BEST
    value = share.bounded(1, MAX_RUNS, whole=True)(text)
    return int(value)


FIELDS: tuple[share.Field, ...] = (
    share.Field("task", "task", _task),
    share.Field("points", "points", stepped(*POINTS, whole=True), str),
    share.Field("noise", "noise", stepped(*NOISE), num),
    share.Field("digits", "digits", one_of(DIGIT_COUNTS), str),
    share.Field("hidden", "hidden", parse_hidden, lambda h: ",".join(map(str, h))),
    share.Field("act", "act", named(hidden_activations)),
    share.Field("mode", "mode", share.choice(MODES)),
    share.Field("opt", "opt", named(optimizers.names)),
    share.Field("rates", "rates", _picks(one_of(LEARNING_RATES), "learning rates"),
                lambda v: ",".join(num(r) for r in v)),
    share.Field("opts", "opts", _picks(named(optimizers.names), "optimizers"), share.join),
    share.Field("lr", "lr", one_of(LEARNING_RATES), num),
    share.Field("steps", "steps", one_of(STEP_CHOICES), str),
    share.Field("batch", "batch", one_of(BATCH_SIZES), str),
    share.Field("seed", "seed", share.bounded(*SEEDS, whole=True), str),
    share.Field("res", "res", one_of(RESOLUTIONS), str),
    share.Field("span", "span", one_of(SPANS), num),
    share.Field("log", "log", share.flag, share.flag_text),
    share.Field("centre", "centre", _centre, str),
    share.Field("fit", "fit", share.choice(FITS)),
    share.Field("shape", "shape", share.choice(SHAPES)),
    share.Field("tab", "tab", share.choice(TABS)),
)


def runs_of(values: Mapping[str, Any]) -> tuple[tuple[str, float], ...]:
    """The (optimizer, rate) runs the settings compare, as the page builds them."""
    if values["mode"] == MODES[0]:
        return tuple((values["opt"], float(lr)) for lr in sorted(values["rates"]))
    return tuple((o, float(values["lr"])) for o in values["opts"])


def resolve(link: Mapping[str, Any], current: Mapping[str, Any], tasks: Sequence[str] | None = None,
            unavailable: str = "not available on this server") -> tuple[dict[str, Any], list[str]]:
    """Every setting of the page from a decoded link (``share.decode(FIELDS, ...)``'s values) and the
    page's ``current`` settings, and what the link could not use (``share.decode``'s words).

    ``tasks``: the tasks this server can load (the digits need the MNIST files; ``unavailable`` says
    why not). Hidden layers too large for the task fall back to the task's default sizes, a centre
    run past the runs compared to the best run. What the link leaves out comes from ``current``,
    except the hidden layers when the link moves to another kind of task. Never raises."""
    out = {k: current.get(k, v) for k, v in DEFAULTS.items()}
    messages: list[str] = []
    tasks = list(tasks) if tasks is not None else [*toy_sets.names(), DIGITS]
    old_kind = task_kind(out["task"])
    for key, value in link.items():
        if key in out:
            out[key] = value
    if out["task"] not in tasks:
        messages.append(f"ignored task={out['task']!r} ({unavailable}); using the default")
        out["task"] = DEFAULTS["task"] if DEFAULTS["task"] in tasks else tasks[0]
    kind = task_kind(out["task"])
    if "hidden" not in link and kind != old_kind:
        out["hidden"] = parse_hidden(HIDDEN_DEFAULT[kind])
    problem = size_problem(out["task"], tuple(out["hidden"]))
    if problem:
        if "hidden" in link:
            messages.append(f"ignored hidden={','.join(map(str, out['hidden']))!r} ({problem}); using the "
                            f"default for this task")
        out["hidden"] = parse_hidden(HIDDEN_DEFAULT[kind])
    out["hidden"] = tuple(out["hidden"])
    n_runs = len(runs_of(out))
    if out["centre"] != BEST and out["centre"] > n_runs:
        if "centre" in link:
            messages.append(f"ignored centre={str(out['centre'])!r} (there {'is' if n_runs == 1 else 'are'} only "
                            f"{n_runs} run{'s' if n_runs > 1 else ''}); using the best run")
        out["centre"] = BEST
    return out, messages
