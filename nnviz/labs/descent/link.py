"""The gradient-descent lab's link: which setting goes under which query key, and the checks of
values that depend on each other (a surface of the chosen dimension, its parameters, a start
point inside its domain, runs the optimizers accept).

A link looks like ``?dim=2&surface=rosenbrock&sp=b:100&start=-1.5,2&steps=200&runs=adam:0.02,
momentum:0.005:beta=0.95&preset=none&ladder=sgd&tol=0.001&grad=1&vel=0&scale=0&view=loss``.
``share.decode(FIELDS, params)`` reads each value on its own; ``resolve(link, current)`` then
checks them against each other and fills what the link leaves out from ``current`` (the page's
settings now), reporting what it refuses in ``share.decode``'s words. Nothing here runs an
optimizer: opening a link costs no more than drawing the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnviz.labs import share
from nnviz.labs.descent import surfaces
from nnviz.labs.descent.runs import MAX_RUNS, TOLERANCE, RunSpec
from nnviz.labs.descent.stability import LEARNING_RATE_GRID, snap_rate
from nnviz.nn import optimizers

DEFAULT_SURFACE = {1: "quadratic", 2: "bowl"}
DEFAULT_STEPS = {1: 50, 2: 200}
TOLERANCES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8)
#: The detail views below the runs, by their query names (the 3D view only for a 2D surface).
VIEWS = ("loss", "distance", "stability", "3d")
PRESETS = ("optimizers", "learning_rates")
STEPS_RANGE = (10, 1000, 10)  # the Steps slider: min, max, step
#: The largest value of an optimizer setting's slider (nnviz.ui.common.optimizer_settings).
SETTING_MAX = 0.9999


def num(value: float) -> str:
    """A float as short exact text: repr without a trailing ".0" ("2", "-1.5", "0.1")."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def start_text(point: Any) -> str:
    """The start box's text for a link's start point, exact ("-1.5, 2")."""
    return ", ".join(num(v) for v in point)


# ---- single values ------------------------------------------------------------------------------

def _dim(text: str) -> int:
    return int(share.choice(["1", "2"])(text))


def _pairs(text: str, sep: str = ":") -> dict[str, float]:
    """"b:100,c:0.5" -> {"b": 100.0, "c": 0.5}: names and numbers, nothing checked against a surface."""
    out: dict[str, float] = {}
    for part in share.split(text):
        name, found, value = part.partition(sep)
        if not found or not name.strip():
            raise ValueError(f"expected name{sep}number, got {part!r}")
        out[name.strip()] = float(value)
    return out


def _pairs_text(values: Mapping[str, float]) -> str:
    return share.join(f"{k}:{num(v)}" for k, v in values.items())


def _point(text: str) -> tuple[float, ...]:
    values = tuple(float(p) for p in share.split(text))
    if not 1 <= len(values) <= 2:
        raise ValueError("expected one or two numbers")
    return values


def _steps(text: str) -> int:
    low, high, step = STEPS_RANGE
    value = share.bounded(low, high, whole=True)(text)
    if value % step:
        raise ValueError(f"must be a multiple of {step}")
    return int(value)


def _tolerance(text: str) -> float:
    value = float(text)
    if value not in TOLERANCES:
        raise ValueError(f"expected one of {', '.join(f'{t:g}' for t in TOLERANCES)}")
    return value


def _preset(text: str) -> str | None:
    return None if share.is_empty(text) else share.choice(PRESETS)(text)


def _optimizer(text: str) -> str:
    return optimizers.OPTIMIZERS.canonical(text)


def run_text(spec: RunSpec) -> str:
    """One run as link text: ``optimizer:rate`` and its settings that differ from the defaults
    (``momentum:0.05:beta=0.95``)."""
    hyper = spec.optimizer_class.hyperparams
    extra = [f"{k}={num(v)}" for k, v in spec.settings if k in hyper and v != hyper[k][0]]
    return ":".join([spec.optimizer, num(spec.learning_rate), *extra])


def parse_run(text: str) -> RunSpec:
    """``run_text``'s inverse; ``ValueError`` saying what is wrong (unknown optimizer, bad rate or setting)."""
    name, *rest = text.split(":")
    if not rest:
        raise ValueError("expected optimizer:learning_rate")
    settings = {}
    for part in rest[1:]:
        key, found, value = part.partition("=")
        if not found:
            raise ValueError(f"expected setting=number, got {part!r}")
        try:
            settings[key.strip().lower()] = float(value)
        except ValueError:
            raise ValueError(f"{key.strip()}={value!r} is not a number") from None
    try:
        rate = float(rest[0])
    except ValueError:
        raise ValueError(f"learning rate {rest[0]!r} is not a number") from None
    for key, value in settings.items():  # the page's sliders stop short of 1 (a beta of 1 never forgets)
        if key != "eps" and value > SETTING_MAX:
            raise ValueError(f"{key} must be at most {SETTING_MAX:g}, got {num(value)}")
    return RunSpec(name.strip(), rate, settings)


def _runs(text: str) -> list[str]:
    """The runs' texts, each read by ``resolve`` on its own (a bad run drops only itself)."""
    parts = share.split(text)
    if not parts:
        raise ValueError("a race needs at least one run")
    return parts


FIELDS: tuple[share.Field, ...] = (
    share.Field("dim", "dim", _dim, str),
    share.Field("surface", "surface", lambda t: surfaces.SURFACES.canonical(t)),
    share.Field("sp", "params", _pairs, _pairs_text),
    share.Field("start", "start", _point, lambda p: ",".join(num(v) for v in p)),
    share.Field("steps", "steps", _steps, str),
    share.Field("runs", "runs", _runs, lambda specs: ",".join(run_text(s) for s in specs)),
    share.Field("preset", "preset", _preset, lambda p: p or "none"),
    share.Field("ladder", "ladder", _optimizer),
    share.Field("tol", "tol", _tolerance, num),
    share.Field("grad", "grad", share.flag, share.flag_text),
    share.Field("vel", "vel", share.flag, share.flag_text),
    share.Field("scale", "scale", share.flag, share.flag_text),
    share.Field("view", "view", share.choice(VIEWS)),
)

DEFAULTS: dict[str, Any] = {
    "dim": 2, "surface": "bowl", "params": {"condition": 10.0}, "start": (-2.5, 2.0), "steps": 200,
    "runs": None, "preset": "optimizers", "ladder": "sgd", "tol": TOLERANCE,
    "grad": True, "vel": False, "scale": False, "view": "loss",
}


def _ignored(key: str, text: str, why: str, instead: str = "using the default") -> str:
    """A message in ``share.decode``'s words."""
    return f"ignored {key}={text!r} ({why}); {instead}"


def resolve(link: Mapping[str, Any], current: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Every setting of the page from a decoded link (``share.decode(FIELDS, ...)``'s values) and the
    page's ``current`` settings (the names of ``FIELDS``; "runs": a list of ``RunSpec``), and what the
    link could not use.

    What the link leaves out comes from ``current``, unless it depends on something the link changed
    (another surface: its default parameters and start; another dimension: its default steps). A
    value that does not fit the others (a 1D surface with dim=2, a parameter the surface does not
    have or outside its range, a start outside the domain, a rate off the page's scale, the 3D view
    of a curve) is reported and replaced by its default. ``out["runs"]`` is None when the link
    gives no usable run (the page keeps its runs, or re-tunes its preset). Never raises."""
    out = {k: current.get(k, v) for k, v in DEFAULTS.items()}
    messages: list[str] = []
    dim = link.get("dim", out["dim"])
    name = link.get("surface")
    if name is not None:
        sdim = surfaces.SURFACES.get(name).dim
        if sdim != dim:
            if "dim" in link:
                messages.append(_ignored("surface", name, f"a {sdim}D {'curve' if sdim == 1 else 'surface'}, "
                                                          f"not {dim}D"))
                name = None
            else:
                dim = sdim
    if name is None:
        name = out["surface"] if dim == out["dim"] else DEFAULT_SURFACE[dim]
        if surfaces.SURFACES.get(name).dim != dim:
            name = DEFAULT_SURFACE[dim]
    same_surface = name == out["surface"] and dim == out["dim"]
    if dim != out["dim"]:
        out["steps"] = DEFAULT_STEPS[dim]
    cls = surfaces.SURFACES.get(name)
    spec = cls.hyperparams
    params = {p: float(d[0]) for p, d in spec.items()}
    if same_surface:
        params.update({p: float(v) for p, v in dict(current.get("params") or {}).items() if p in spec})
    if "params" in link:
        given = dict(link["params"])
        params = {p: float(d[0]) for p, d in spec.items()}
        spelled = {p.lower(): p for p in spec}  # Rastrigin's "A" may come as "a"
        for p, value in given.items():
            text = f"{p}:{num(value)}"
            p = spelled.get(p.lower(), p)
            if p not in spec:
                messages.append(_ignored("sp", text, f"{cls.label} has no parameter {p!r}; it takes "
                                                     f"{', '.join(spec) or 'none'}", "left out"))
                continue
            default, low, high, _ = spec[p]
            options = surfaces.param_options(low, high, default)
            if not low <= value <= high:
                messages.append(_ignored("sp", text, f"must be in [{num(low)}, {num(high)}]"))
            elif options is not None and value not in options:
                messages.append(_ignored("sp", text, f"not one of the page's values "
                                                     f"{', '.join(f'{o:g}' for o in options)}"))
            else:
                params[p] = float(value)
    surface = surfaces.get(name, **params)
    start = tuple(surface.default_start)
    if same_surface and current.get("start") is not None and len(current["start"]) == dim:
        start = tuple(float(v) for v in current["start"])
    if "start" in link:
        point = tuple(link["start"])
        text = ",".join(num(v) for v in point)
        if len(point) != dim:
            messages.append(_ignored("start", text, f"a {dim}D start needs {dim} number{'s' if dim > 1 else ''}"))
        elif not surface.in_domain(point):
            box = ", ".join(f"{n} in [{lo:g}, {hi:g}]" for n, (lo, hi) in zip("xy", surface.bounds(), strict=False))
            messages.append(_ignored("start", text, f"outside the plotted domain: {box}"))
        else:
            start = point
    out.update(dim=dim, surface=name, params=params, start=start)
    for key in ("steps", "preset", "ladder", "tol", "grad", "vel", "scale"):
        if key in link:
            out[key] = link[key]
    if "view" in link:
        if link["view"] == "3d" and dim == 1:
            messages.append(_ignored("view", "3d", "a 1D curve has no 3D view"))
            out["view"] = "loss"
        else:
            out["view"] = link["view"]
    elif out["view"] == "3d" and dim == 1:
        out["view"] = "loss"
    out["runs"] = None
    if "runs" in link:
        specs: list[RunSpec] = []
        for i, text in enumerate(link["runs"]):
            if len(specs) == MAX_RUNS:
                messages.append(f"ignored runs beyond the first {MAX_RUNS} (from {text!r} on)")
                break
            try:
                spec_i = parse_run(text)
            except (ValueError, TypeError, KeyError) as exc:
                messages.append(f"ignored run {i + 1} {text!r} ({share.reason(exc)}); left out")
                continue
            if spec_i.learning_rate not in LEARNING_RATE_GRID:
                rate = snap_rate(spec_i.learning_rate)
                messages.append(f"run {i + 1} {text!r}: learning rate {num(spec_i.learning_rate)} is not on the "
                                f"page's scale; using the nearest, {rate:g}")
                spec_i = RunSpec(spec_i.optimizer, rate, spec_i.settings)
            specs.append(spec_i)
        if specs:
            out["runs"] = specs
        else:
            messages.append("no run of the link could be used; using the default runs")
    return out, messages
