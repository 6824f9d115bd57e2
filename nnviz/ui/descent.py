"""The gradient-descent page (keys ``gd_*``): ``render()`` draws it; widgets, state and prose.

The page's model lives in session state: the surface (dimension, name, parameters), the start
point, the number of steps, and up to ``MAX_RUNS`` runs (``gd_runs``: run ids; per run an
optimizer, a learning rate and its settings). Widgets are seeded through session state, never
through ``value=``, so that presets, a click on the map and a return from another page can set
them; ``nnviz.ui.state`` keeps their values across a page switch (``restore`` first, ``remember``
last). What is drawn for an optimizer (its arrow, step size, limit) is asked of its class.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import streamlit as st

from nnviz.figures import descent as figs
from nnviz.figures.descent import run_color
from nnviz.labs.descent import RunSpec, Trajectory, race, surfaces
from nnviz.labs.descent import link as gd_link
from nnviz.labs.descent.presets import compared_names, learning_rate_ladder, next_optimizer, optimizers_compared
from nnviz.labs.descent.runs import MAX_RUNS, TOLERANCE, declared_velocities, status
from nnviz.labs.descent.stability import LEARNING_RATE_GRID, reference_curvature, snap_rate
from nnviz.labs.descent.start import check_start, clicked_start, format_point, parse_start
from nnviz.labs.descent.surfaces import Surface
from nnviz.nn import optimizers
from nnviz.ui import first_paint, page_link, state
from nnviz.ui.common import optimizer_settings
from nnviz.ui.descent_map import clicked, descent_curves, descent_map
from nnviz.ui.jobs import heavy

DEFAULT_SURFACE = gd_link.DEFAULT_SURFACE
DEFAULT_STEPS = gd_link.DEFAULT_STEPS
TOLERANCES = gd_link.TOLERANCES
#: Widget keys worth keeping across a page switch (prefixes); buttons and the chart are not.
_SAVED_PREFIXES = ("gd_dim", "gd_surface_", "gd_sp_", "gd_start", "gd_steps", "gd_opt_", "gd_lr_", "gd_set_",
                   "gd_show_", "gd_preset_opt", "gd_tol", "gd_view")
CONFIG = {"displaylogo": False}


# ---- what the optimizer classes declare, in words ---------------------------------------------------


def _and(words: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    words = list(words)
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _count(n: int) -> str:
    return ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")[n] if n <= 10 else str(n)


def adaptive_labels(names: Sequence[str] | None = None) -> list[str]:
    """Labels of the ``adaptive`` optimizers among ``names`` (default: every registered one)."""
    names = optimizers.names() if names is None else names
    return [optimizers.get(n).label for n in names if optimizers.get(n).adaptive]


def velocity_text() -> str:
    """Each declared velocity with its optimizers: "−v (Momentum, Nesterov), −m (Adam)"."""
    return ", ".join(f"−{key} ({', '.join(labels)})" for key, labels in declared_velocities().items())


def compared_text() -> str:
    """Which optimizers the 'optimizers compared' preset races: "All six optimizers", or the first few."""
    n, total = len(compared_names()), len(optimizers.names())
    return f"All {_count(n)} optimizers" if n == total else f"The first {_count(n)} of the {total} optimizers"


# ---- state --------------------------------------------------------------------------------------


def dim() -> int:
    return int(st.session_state.get("gd_dim", 2))


def surface_name(d: int | None = None) -> str:
    d = dim() if d is None else d
    return st.session_state.get(f"gd_surface_{d}", DEFAULT_SURFACE[d])


def current_surface() -> Surface:
    """The surface the widgets describe (usable in callbacks, before the widgets are drawn)."""
    name = surface_name()
    cls = surfaces.SURFACES.get(name)
    params = {p: st.session_state.get(f"gd_sp_{name}_{p}", spec[0]) for p, spec in cls.hyperparams.items()}
    return surfaces.get(name, **params)


def steps() -> int:
    return int(st.session_state.get("gd_steps", DEFAULT_STEPS[dim()]))


def valid_start(surface: Surface) -> tuple[float, ...]:
    """The typed start if it is valid, else the last valid one (or the surface's default)."""
    text = st.session_state.get("gd_start", format_point(surface.default_start))
    if check_start(surface, text) is None:
        return parse_start(text, surface.dim)
    last = st.session_state.get("gd_last_start", {}).get(surface.name)
    return tuple(last) if last is not None else tuple(surface.default_start)


# ---- runs ---------------------------------------------------------------------------------------


def run_ids() -> list[int]:
    return list(st.session_state.get("gd_runs", []))


def _set_runs(specs: list[RunSpec]) -> None:
    """Replace the runs by ``specs`` (new ids, so no stale widget state), seeding their widgets."""
    for rid in run_ids():
        _forget_run(rid)
    next_id = int(st.session_state.get("gd_next_id", 0))
    ids = []
    for spec in specs[:MAX_RUNS]:
        rid, next_id = next_id, next_id + 1
        ids.append(rid)
        st.session_state[f"gd_opt_{rid}"] = spec.optimizer
        st.session_state[f"gd_lr_{rid}"] = spec.learning_rate
        for hp, value in spec.settings:
            st.session_state[f"gd_set_{rid}_{spec.optimizer}_{hp}"] = value
        if spec.label:
            st.session_state[f"gd_tag_{rid}"] = (spec.optimizer, spec.learning_rate, spec.label)
    st.session_state["gd_runs"] = ids
    st.session_state["gd_next_id"] = next_id


def _forget_run(rid: int) -> None:
    """Drop run ``rid``'s values, current and remembered (run ids are never reused)."""
    own = (f"gd_opt_{rid}", f"gd_lr_{rid}", f"gd_tag_{rid}")
    for key in [k for k in st.session_state if isinstance(k, str) and (
            k in own or k.startswith(f"gd_set_{rid}_"))]:
        del st.session_state[key]
    prefixes = (f"gd_opt_{rid}", f"gd_lr_{rid}", f"gd_set_{rid}_")
    state.forget(prefixes)
    state.remember(prefixes=prefixes)  # forget takes prefixes: run 12 keeps its values when run 1 goes


def spec_of(rid: int) -> RunSpec:
    name = st.session_state.get(f"gd_opt_{rid}", "sgd")
    lr = float(st.session_state.get(f"gd_lr_{rid}", 0.01))
    hyper = optimizers.get(name).hyperparams
    settings = {hp: float(st.session_state.get(f"gd_set_{rid}_{name}_{hp}", spec[0])) for hp, spec in hyper.items()}
    tag = st.session_state.get(f"gd_tag_{rid}")
    label = tag[2] if tag and tag[0] == name and tag[1] == lr and settings == {
        hp: spec[0] for hp, spec in hyper.items()} else ""
    return RunSpec(name, lr, settings, label=label)


def current_specs() -> list[RunSpec]:
    return [spec_of(rid) for rid in run_ids()]


SurfaceKey = tuple[str, tuple[tuple[str, float], ...]]


def surface_key(surface: Surface) -> SurfaceKey:
    """A hashable stand-in for a surface (st.cache_data cannot hash the surface objects)."""
    return surface.name, tuple(sorted(surface.params.items()))


def _surface(key: SurfaceKey) -> Surface:
    return surfaces.get(key[0], **dict(key[1]))


@st.cache_data(max_entries=64, max_size="8MB", show_spinner=False)  # 1,000 steps: 0.34 MB
def _race(key: SurfaceKey, specs: tuple[RunSpec, ...], start: tuple[float, ...], n_steps: int) -> list[Trajectory]:
    return race(_surface(key), list(specs), start, n_steps)


@st.cache_data(max_entries=64, show_spinner=False)
def _ladder(key: SurfaceKey, optimizer: str, start: tuple[float, ...], n_steps: int) -> list[RunSpec]:
    return learning_rate_ladder(_surface(key), optimizer, start, n_steps)


@st.cache_data(max_entries=64, show_spinner=False)
def _compared(key: SurfaceKey, start: tuple[float, ...], n_steps: int) -> list[RunSpec]:
    return optimizers_compared(_surface(key), start, n_steps)


def cached_ladder(surface: Surface, optimizer: str, start: tuple[float, ...], n_steps: int) -> list[RunSpec]:
    return _ladder(surface_key(surface), optimizer, tuple(float(v) for v in start), int(n_steps))


def cached_compared(surface: Surface, start: tuple[float, ...], n_steps: int) -> list[RunSpec]:
    return _compared(surface_key(surface), tuple(float(v) for v in start), int(n_steps))


# Figures and the canvas views' payloads (bytes) are shared read-only objects (st.plotly_chart serializes
# a figure without changing it), keyed on the pure inputs: a second visitor with the same settings gets
# them without building anything.
RaceKey = tuple[SurfaceKey, tuple[RunSpec, ...], tuple[float, ...], int]


def race_key(surface: Surface, specs: Sequence[RunSpec], start: Sequence[float], n_steps: int) -> RaceKey:
    return surface_key(surface), tuple(specs), tuple(float(v) for v in start), int(n_steps)


#: Races this process has computed, newest last (as many as ``_race`` keeps): a key seen here is
#: read from the cache at once; a new one is a heavy job and waits for a free worker (nnviz.ui.jobs),
#: with the user told how many jobs are ahead. An entry the cache has evicted meanwhile is computed
#: again outside the queue (a race takes ~0.1 s: rare and cheap).
_RACES_SEEN: OrderedDict[RaceKey, None] = OrderedDict()
_RACES_LOCK = threading.Lock()


def cached_race(race_id: RaceKey) -> list[Trajectory]:
    with _RACES_LOCK:
        seen = race_id in _RACES_SEEN
        if seen:
            _RACES_SEEN.move_to_end(race_id)
    if seen:
        return _race(*race_id)
    with heavy():
        out = _race(*race_id)
    with _RACES_LOCK:
        _RACES_SEEN[race_id] = None
        while len(_RACES_SEEN) > 64:
            _RACES_SEEN.popitem(last=False)
    return out


@st.cache_resource(max_entries=32, show_spinner=False)  # the 3D view: 0.22 MB
def _figure(kind: str, race: RaceKey, tol: float = TOLERANCE, options: tuple[bool, ...] = ()) -> Any:
    """Figure ``kind`` of the race ``race`` (statuses at tolerance ``tol``; ``options``: the map's overlays).
    "map", "curve" and "loss" are the canvas views' payloads (bytes), the others plotly figures."""
    surface = _surface(race[0])
    trajs = _race(*race)
    statuses = [status(t, surface, tol) for t in trajs]
    if kind == "map":
        grad, vel, scale = options
        return figs.map_payload(surface, trajs, show_gradient=grad, show_velocity=vel, show_step_size=scale,
                                statuses=statuses)
    if kind == "loss":
        return figs.loss_payload(surface, trajs, statuses)
    if kind == "curve":
        return figs.curve_payload(surface, trajs, statuses=statuses)
    if kind == "distance":
        return figs.distance_figure(surface, trajs, statuses)
    if kind == "stability":
        return figs.learning_rate_figure(surface, trajs, curvature=reference_curvature(surface)[0])
    if kind == "3d":
        return figs.surface3d_figure(surface, trajs)
    raise ValueError(f"unknown figure {kind!r}")


def figure(kind: str, race: RaceKey, options: tuple[bool, ...] = ()) -> Any:
    """The cached figure ``kind`` of ``race``, with the statuses at the chosen tolerance."""
    return _figure(kind, race, tolerance(), options)


PRESETS = {
    "optimizers": "Optimizers compared",
    "learning_rates": "Learning rates compared",
}


def apply_preset(kind: str) -> None:
    """Fill the runs with a preset for the current surface, start and number of steps (a callback)."""
    surface = current_surface()
    start = valid_start(surface)
    if kind == "learning_rates":
        optimizer = st.session_state.get("gd_preset_opt", "sgd")
        specs = cached_ladder(surface, optimizer, start, steps())
    else:
        specs = cached_compared(surface, start, steps())
    _set_runs(specs)
    st.session_state["gd_preset"] = kind


def _custom() -> None:
    """A run was edited by hand: a change of surface no longer re-applies the preset."""
    st.session_state["gd_preset"] = None


def add_run() -> None:
    ids = run_ids()
    if len(ids) >= MAX_RUNS:
        return
    specs = [spec_of(r) for r in ids]
    base = specs[-1] if specs else RunSpec("sgd", 0.01)
    rid = int(st.session_state.get("gd_next_id", 0))
    st.session_state["gd_next_id"] = rid + 1
    st.session_state[f"gd_opt_{rid}"] = next_optimizer([s.optimizer for s in specs])
    st.session_state[f"gd_lr_{rid}"] = base.learning_rate
    st.session_state["gd_runs"] = [*ids, rid]
    _custom()


def remove_run(rid: int) -> None:
    ids = run_ids()
    if len(ids) <= 1 or rid not in ids:
        return
    _forget_run(rid)
    st.session_state["gd_runs"] = [r for r in ids if r != rid]
    _custom()


def surface_changed() -> None:
    """Another surface: back to its default start; re-apply an active preset."""
    surface = current_surface()
    st.session_state["gd_start"] = format_point(surface.default_start)
    if st.session_state.get("gd_preset"):
        apply_preset(st.session_state["gd_preset"])


def params_changed() -> None:
    """New surface parameters (κ, b, ...): keep the start point; re-apply an active preset."""
    if st.session_state.get("gd_preset"):
        apply_preset(st.session_state["gd_preset"])


def dim_changed() -> None:
    """1D <-> 2D: that dimension's default number of steps, then as for another surface."""
    st.session_state["gd_steps"] = DEFAULT_STEPS[dim()]
    surface_changed()


def pick_from_map() -> None:
    """The map's click (its trigger value): the start point moves there, rounded, inside the domain."""
    text = clicked_start(current_surface(), clicked("gd_map") or ())
    if text is not None:
        st.session_state["gd_start"] = text


def init_state() -> None:
    """Put back the values kept over a page switch; on the first visit: a 2D bowl, its default
    start, and the 'optimizers compared' preset."""
    state.restore(_SAVED_PREFIXES)
    state.seed("gd_dim", 2)
    d = dim()
    state.seed(f"gd_surface_{d}", DEFAULT_SURFACE[d])
    state.seed("gd_steps", DEFAULT_STEPS[d])
    surface = current_surface()
    state.seed("gd_start", format_point(surface.default_start))
    state.seed("gd_show_grad", True)
    state.seed("gd_show_vel", False)
    state.seed("gd_show_scale", False)
    state.seed("gd_preset_opt", "sgd")
    if "gd_runs" not in st.session_state:
        st.session_state["gd_preset"] = "optimizers"
        apply_preset("optimizers")


# ---- the link ------------------------------------------------------------------------------------


def view_name(label: str | None) -> str:
    """A detail tab's query name ("loss", "3d", ...) from its label."""
    return dict(zip(ALL_VIEWS, gd_link.VIEWS, strict=True)).get(label, "loss")


def link_values() -> dict[str, Any]:
    """The page's settings as ``gd_link.FIELDS`` names them (what the address bar and the copy block hold)."""
    surface = current_surface()
    s = st.session_state
    view = view_name(s.get("gd_view"))
    return {
        "dim": surface.dim, "surface": surface.name, "params": surface.params, "start": valid_start(surface),
        "steps": steps(), "runs": current_specs(), "preset": s.get("gd_preset"),
        "ladder": s.get("gd_preset_opt", "sgd"), "tol": tolerance(), "grad": bool(s.get("gd_show_grad", True)),
        "vel": bool(s.get("gd_show_vel", False)), "scale": bool(s.get("gd_show_scale", False)),
        "view": "loss" if view == "3d" and surface.dim == 1 else view,
    }


def _same_runs(a: Sequence[RunSpec], b: Sequence[RunSpec]) -> bool:
    """Same optimizers, rates and settings (defaults filled in), labels aside."""
    def key(spec: RunSpec) -> tuple:
        hyper = spec.optimizer_class.hyperparams
        return spec.optimizer, spec.learning_rate, sorted({**{k: v[0] for k, v in hyper.items()},
                                                           **spec.settings_dict}.items())
    return [key(x) for x in a] == [key(x) for x in b]


def apply_link(link: dict[str, Any]) -> None:
    """Set the page's state from a decoded link (``page_link.arrive``), checked against itself and the
    current settings in the lab (``gd_link.resolve``); what it refuses joins the link's warning.

    Runs that equal what the link's preset gives here keep that preset (and its labels, which are
    measured, never read from the link); other runs count as edited by hand."""
    out, messages = gd_link.resolve(link, link_values())
    page_link.add_problems("descent", messages)
    s = st.session_state
    d, name = out["dim"], out["surface"]
    s["gd_dim"] = d
    s[f"gd_surface_{d}"] = name
    for p, v in out["params"].items():
        s[f"gd_sp_{name}_{p}"] = v
    s["gd_start"] = gd_link.start_text(out["start"])
    s["gd_steps"] = out["steps"]
    s["gd_tol"] = out["tol"]
    s["gd_show_grad"], s["gd_show_vel"], s["gd_show_scale"] = out["grad"], out["vel"], out["scale"]
    s["gd_preset_opt"] = out["ladder"]
    s["gd_view"] = dict(zip(gd_link.VIEWS, ALL_VIEWS, strict=True))[out["view"]]
    kind = out["preset"]
    if out["runs"] is None:
        if kind:
            apply_preset(kind)  # the link's surface, start and steps: the preset as the page would tune it
        else:
            s["gd_preset"] = None
        return
    if kind == s.get("gd_preset") and _same_runs(current_specs(), out["runs"]):
        return  # the page's own runs (a return to the page with its address): keep them, ids and all
    if kind:
        surface, start = current_surface(), valid_start(current_surface())
        tuned = (cached_ladder(surface, out["ladder"], start, steps()) if kind == "learning_rates"
                 else cached_compared(surface, start, steps()))
        if _same_runs(tuned, out["runs"]):
            _set_runs(tuned)
            s["gd_preset"] = kind
            return
    _set_runs(out["runs"])
    s["gd_preset"] = None


def share_controls() -> None:
    """The link to this experiment, to copy (an expander: rarely needed, never in the way)."""
    page_link.share_expander("descent", gd_link.FIELDS, link_values(), what="this race", label="Share this experiment",
                             caption="The link holds the surface, start, steps, every run and the views; a class "
                                     "or a friend who opens it sees this same race.")


# ---- widgets ------------------------------------------------------------------------------------


def surface_controls() -> Surface:
    """Dimension, surface and its parameters, with the formula and what it teaches."""
    # A lesson's link can hide any of these (page_link.hidden, named by their query keys); hidden,
    # a setting keeps its value and still applies.
    if not page_link.hidden("dim"):
        st.radio("Dimension", (2, 1), key="gd_dim", horizontal=True, on_change=dim_changed,
                 format_func=lambda d: "2D surface" if d == 2 else "1D curve",
                 help="1D: a point slides along a curve (tangent and step shown). 2D: a point moves over a map.")
    d = dim()
    names = surfaces.names_by_dim(d)
    if not page_link.hidden("surface"):
        st.selectbox("Surface", names, key=f"gd_surface_{d}", on_change=surface_changed,
                     format_func=lambda n: surfaces.SURFACES.get(n).label,
                     help="The function f that gradient descent minimizes. Changing it resets the start point "
                          "and re-tunes a preset's learning rates.")
    name = surface_name(d)
    cls = surfaces.SURFACES.get(name)
    for p, (default, low, high, meaning) in ({} if page_link.hidden("sp") else cls.hyperparams).items():
        key = state.seed(f"gd_sp_{name}_{p}", default)
        options = surfaces.param_options(low, high, default)
        if options is not None:
            if st.session_state[key] not in options:
                st.session_state[key] = min(options, key=lambda v: abs(math.log(v) - math.log(st.session_state[key])))
            st.select_slider(p, options=options, key=key, on_change=params_changed, help=meaning,
                             format_func=lambda v: f"{v:g}")
        else:
            st.slider(p, min_value=float(low), max_value=float(high), key=key, on_change=params_changed, help=meaning)
    surface = current_surface()
    st.latex(surface.latex)
    st.caption(surface.description[:1].upper() + surface.description[1:] + ".")
    return surface


def start_controls(surface: Surface) -> tuple[tuple[float, ...], str | None]:
    """Typed start point (2D: or a click on the map) and the number of steps.

    Returns the start to use and an error message if the typed one is not usable (the runs
    then start from the last valid point, and the typed values stay in the inputs).
    """
    b = surface.bounds()
    domain = ", ".join(f"{n} in [{lo:g}, {hi:g}]" for n, (lo, hi) in zip("xy", b, strict=False))
    state.seed("gd_start", format_point(surface.default_start))
    if not page_link.hidden("start"):
        st.text_input("Start point" + (" (x, y)" if surface.dim == 2 else " x"), key="gd_start",
                      help=f"Where every run starts, inside the plotted domain: {domain}.")
        if surface.dim == 2:
            st.caption(":material/ads_click: Or click anywhere on the map to start there.")
    problem = check_start(surface, st.session_state["gd_start"])
    start = valid_start(surface)
    if problem is None:
        last = dict(st.session_state.get("gd_last_start", {}))
        last[surface.name] = start
        st.session_state["gd_last_start"] = last
    else:
        problem += f" The runs still start from the last valid point ({format_point(start)})."
    if not page_link.hidden("steps"):
        st.slider("Steps", min_value=10, max_value=1000, step=10, key="gd_steps",
                  help="How many updates each run makes. The animation shows at most 100 frames; longer runs "
                       "are subsampled for it, but every step is computed and plotted.")
    state.seed("gd_tol", TOLERANCE)
    if not page_link.hidden("tol"):
        st.select_slider("Convergence tolerance", options=TOLERANCES, key="gd_tol",
                         format_func=lambda v: f"{v:g}",
                         help="A run has converged at step k if from step k on both |∇f| and the step length "
                              "stay below this (the source notes: |∇f| < ε).")
    return start, problem


def tolerance() -> float:
    return float(st.session_state.get("gd_tol", TOLERANCE))


def preset_controls() -> None:
    st.caption("A preset fills the runs below for this surface and start point.")
    st.button("Optimizers compared", key="gd_btn_preset_opt", on_click=apply_preset, args=("optimizers",),
              icon=":material/compare_arrows:", width="stretch",
              help=f"{compared_text()} with one shared learning rate (3/4 of the rate at which plain gradient "
                   "descent becomes unstable here).")
    st.button("Learning rates compared", key="gd_btn_preset_lr", on_click=apply_preset, args=("learning_rates",),
              icon=":material/speed:", width="stretch",
              help="One optimizer, four learning rates from one that crawls to one that flies off (the "
                   "learning-rate figure of the source notes), each labelled with what it did here.")
    st.selectbox("Optimizer of the learning-rate preset", optimizers.names(), key="gd_preset_opt",
                 format_func=lambda n: optimizers.get(n).label,
                 help="Plain gradient descent (SGD) shows the classic picture; the adaptive optimizers bounce "
                      "instead of diverging.")
    kind = st.session_state.get("gd_preset")
    st.caption(f"Runs: preset **{PRESETS[kind]}** (re-tuned when the surface changes)." if kind
               else "Runs: edited by hand.")


def preset_note(surface: Surface, trajs: list[Trajectory]) -> None:
    """What the active preset shows, in one caption."""
    kind = st.session_state.get("gd_preset")
    if kind == "optimizers" and trajs:
        eta = trajs[0].spec.learning_rate
        adaptive = adaptive_labels([t.spec.optimizer for t in trajs])
        st.caption(
            f"{compared_text()} share η = {eta:g}, three quarters of the rate at which plain gradient descent "
            f"becomes unstable on this surface." + (
                f" {_and(adaptive)} take{'s' if len(adaptive) == 1 else ''} steps of about η whatever the gradient, "
                f"so at a rate that is safe for plain descent {'it' if len(adaptive) == 1 else 'they'} may crawl: "
                f"give one a larger η and watch it race ahead." if adaptive else "")
        )
    elif kind == "learning_rates" and trajs:
        name = trajs[0].spec.optimizer_label
        st.caption(
            f"One optimizer ({name}), four learning rates, as in the learning-rate figure of the source notes. "
            "Each label says what that run did on this surface from this start (measured, not assumed): a rate "
            "that zigzags can still arrive sooner than a smaller, steadier one, until it is past the limit."
        )


def _lr_label(v: float) -> str:
    return f"{v:g}"


def run_editor(rid: int, index: int, n_runs: int, status_text: str | None = None) -> None:
    """One run: optimizer, learning rate, settings (in a popover) and its update rule in LaTeX."""
    color = run_color(index)
    with st.container(border=True):
        head, remove = st.columns([6, 1], vertical_alignment="center")
        spec = spec_of(rid)
        head.markdown(f'<span style="color:{color};font-size:1.3em">&#9679;</span> **Run {index + 1}** '
                      f'<span style="color:#666">{spec.title}</span>', unsafe_allow_html=True)
        remove.button("", key=f"gd_btn_remove_{rid}", icon=":material/close:", on_click=remove_run, args=(rid,),
                      disabled=n_runs <= 1, help="Remove this run")
        # One above the other: side by side in a card a third of the page wide, the optimizer's
        # name was cut ("Momentu").
        st.selectbox("Optimizer", optimizers.names(), key=state.seed(f"gd_opt_{rid}", "sgd"), on_change=_custom,
                     format_func=lambda n: optimizers.get(n).label,
                     help=optimizers.get(spec.optimizer).description)
        lr_key = state.seed(f"gd_lr_{rid}", 0.01)
        if st.session_state[lr_key] not in LEARNING_RATE_GRID:
            st.session_state[lr_key] = snap_rate(float(st.session_state[lr_key]))
        st.select_slider("Learning rate η", options=LEARNING_RATE_GRID, key=lr_key, on_change=_custom,
                         format_func=_lr_label,
                         help="Step size. Too small: the run crawls. Too large: it zigzags or diverges.")
        name = st.session_state[f"gd_opt_{rid}"]
        opt = optimizers.get(name)
        st.caption(f"${opt.formula}$")
        hyper = {hp: v for hp, v in opt.hyperparams.items() if hp != "eps"}
        if hyper:
            with st.popover("Settings: " + ", ".join(
                    f"{hp} = {st.session_state.get(f'gd_set_{rid}_{name}_{hp}', d[0]):g}" for hp, d in hyper.items()),
                    icon=":material/tune:"):
                st.caption(opt.description + ".")
                optimizer_settings(name, f"gd_set_{rid}", on_change=_custom)
        if status_text:
            st.markdown(status_text)


def runs_controls(status_lines: dict[int, str] | None = None, per_row: int = 3) -> None:
    """The runs as a grid of cards (``per_row`` a row), each with its status, and an Add button."""
    ids = run_ids()
    for row in range(0, len(ids), per_row):
        cols = st.columns(per_row)
        for col, (i, rid) in zip(cols, list(enumerate(ids))[row:row + per_row], strict=False):
            with col:
                run_editor(rid, i, len(ids), (status_lines or {}).get(rid))
    st.button("Add a run", key="gd_btn_add", on_click=add_run, icon=":material/add:",
              disabled=len(ids) >= MAX_RUNS, help=f"Up to {MAX_RUNS} runs race from the same start.")


def view_toggles() -> tuple[bool, bool, bool]:
    """The three overlays of the 2D map, with what each one shows (a lesson's link may hide any:
    it then keeps its value)."""
    toggles = {
        "grad": ("gd_show_grad", "−∇f arrow",
                 "−∇f at each run's current point: the steepest way down. The arrow shrinks as the "
                 "gradient fades (relative to the run's largest gradient)."),
        "vel": ("gd_show_vel", "Momentum arrow",
                f"The direction the momentum carries the point: {velocity_text()}. "
                "On a curved valley it points along the valley while −∇f points across it."),
        "scale": ("gd_show_scale", "Adaptive step size",
                  "A cross whose arms are proportional to the step size of each coordinate, e.g. "
                  f"η/(√v̂ + ε), of the adaptive optimizers ({_and(adaptive_labels())}): a flat "
                  "direction, with small gradients, gets the longer arm, a steep one the shorter."),
    }
    shown = [q for q in toggles if not page_link.hidden(q)]
    for col, q in zip(st.columns(len(shown)) if shown else [], shown, strict=True):
        key, label, help_text = toggles[q]
        col.toggle(label, key=key, help=help_text)
    return tuple(bool(st.session_state.get(toggles[q][0])) for q in toggles)  # type: ignore[return-value]


def status_badge(st_kind: str, text: str) -> str:
    """Markdown of a run's status in colour (converged green, still moving orange, diverged red)."""
    color = {"converged": "green", "moving": "orange", "diverged": "red"}[st_kind]
    icon = {"converged": ":material/check_circle:", "moving": ":material/trending_flat:",
            "diverged": ":material/error:"}[st_kind]
    safe = text.replace("[", "(").replace("]", ")")
    return f":{color}[{icon} **{safe}**]"


# ---- the page -----------------------------------------------------------------------------------------


def _stability_section(surface: Surface, race: RaceKey) -> None:
    """Each run's learning rate against its optimizer's stability limit at the surface's curvature."""
    L, near = reference_curvature(surface)
    lr_fig = figure("stability", race)
    if lr_fig is None or L is None:
        st.info("This surface has no single curvature to compare the learning rates with (no minimum, or a "
                "kink at it). Try the quadratic, the bowl or Rosenbrock.", icon=":material/info:")
        return
    if near is None:
        st.markdown(
            f"This surface is quadratic with largest curvature $L = {L:g}$. One step of plain gradient descent "
            "multiplies the distance to the minimum along that direction by $1 - \\eta L$, which shrinks only if "
            "$|1 - \\eta L| < 1$: **gradient descent converges only for $\\eta < 2/L$**, and without zigzag "
            "for $\\eta < 1/L$."
        )
    else:
        point = ", ".join(f"{v:.3g}" for v in near)
        st.markdown(
            f"This surface is not quadratic, but near its minimum ({point}) its largest curvature is "
            f"$L \\approx {L:.4g}$: there plain gradient descent is stable only for $\\eta < 2/L$. A local limit: "
            "far from the minimum the curvature is different."
        )
    st.plotly_chart(lr_fig, key="gd_lr", config=CONFIG)
    adaptive = adaptive_labels()
    st.caption("Momentum tolerates larger rates (up to 2(1+β)/((1−β)L) in this form)." + (
        f" {_and(adaptive)} divide{'s' if len(adaptive) == 1 else ''} each step by the gradient's size, so no "
        "fixed limit applies (grey)." if adaptive else ""))


#: The views below the runs, in stateful tabs: only the open one is built and sent (a first visit
#: draws the map and the loss; the 3D surface alone kept the browser busy for seconds).
VIEW_LOSS, VIEW_DISTANCE, VIEW_STABILITY, VIEW_3D = (
    ":material/show_chart: Loss", ":material/straighten: Distance to the nearest minimum",
    ":material/speed: Learning rate vs. stability limit", ":material/view_in_ar: In 3D")


ALL_VIEWS = (VIEW_LOSS, VIEW_DISTANCE, VIEW_STABILITY, VIEW_3D)  # in gd_link.VIEWS' order


def view_tabs(d: int) -> tuple[str, ...]:
    """The detail views of a ``d``-dimensional surface (no 3D view of a curve)."""
    return (VIEW_LOSS, VIEW_DISTANCE, VIEW_STABILITY) + ((VIEW_3D,) if d == 2 else ())


def detail_views(surface: Surface, race: RaceKey) -> None:
    """Loss, distance, stability limit and (2D) the 3D view, one tab each; only the open tab is drawn."""
    names = view_tabs(surface.dim)
    if st.session_state.get("gd_view") not in names:  # e.g. the 3D view was open and the surface is now 1D
        st.session_state["gd_view"] = names[0]
    tabs = st.tabs(list(names), key=state.seed("gd_view", names[0]), on_change="rerun")
    sections = {
        VIEW_LOSS: lambda: _loss_section(race),
        VIEW_DISTANCE: lambda: _distance_section(surface, race),
        VIEW_STABILITY: lambda: _stability_section(surface, race),
        VIEW_3D: lambda: _surface3d_section(surface, race),
    }
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:
            with tab:
                sections[name]()


def _loss_section(race: RaceKey) -> None:
    descent_curves(figure("loss", race), key="gd_loss")
    st.caption("How far above the lowest value f* each run is, on a log scale: a straight line down is steady "
               "(linear) convergence. A red x marks the step where a run diverged; a dot, where it converged.")


def _distance_section(surface: Surface, race: RaceKey) -> None:
    dist = figure("distance", race)
    if dist is None:
        st.info(f"{surface.label} has no minimum: f falls without bound, so a run can only escape.",
                icon=":material/info:")
        return
    st.plotly_chart(dist, key="gd_distance", config=CONFIG)
    st.caption("A run can be low in f yet still far in x (a flat valley floor), or stop in a local minimum.")


def _surface3d_section(surface: Surface, race: RaceKey) -> None:
    st.plotly_chart(figure("3d", race), key="gd_3d", config=CONFIG)
    st.caption("The same paths on the surface; drag to turn it." + (
        " Height is log₁₀(1 + f − f*), so the valley floor stays visible." if surface.log_color else ""))


def render() -> None:
    """The gradient-descent lab: race optimizers and learning rates on 1D and 2D surfaces."""
    link = page_link.arrive("descent", gd_link.FIELDS)
    init_state()
    if link:
        apply_link(link)
    st.title(":material/landscape: Gradient descent lab")
    st.markdown(
        "Gradient descent repeats one rule from the source notes, $b = a - \\alpha\\,\\nabla f(a)$: from the "
        "current point $a$, step against the gradient, scaled by the learning rate $\\alpha$ (written $\\eta$ "
        "below). The optimizers here are the classes that train the networks elsewhere in nnviz; each drives a "
        "single point."
    )
    page_link.problems("descent", gd_link.FIELDS, link_values())

    controls, view = st.columns([1, 2.3], gap="large")
    with controls:
        st.subheader(":material/terrain: Surface")
        surface = surface_controls()
        st.subheader(":material/place: Start")
        start, start_problem = start_controls(surface)
        if start_problem:
            st.error(start_problem, icon=":material/error:")
        # Below the fold: a first visit draws them in its second run, with the runs (their values,
        # a link's too, apply meanwhile).
        if first_paint.is_whole("descent"):
            if not page_link.hidden("preset"):
                st.subheader(":material/tune: Presets")
                preset_controls()
            share_controls()

    race = race_key(surface, current_specs(), start, steps())
    with st.spinner("Running the optimizers..."):
        trajs = cached_race(race)
    statuses = [status(t, surface, tolerance()) for t in trajs]

    with view:
        if surface.dim == 2:
            show_grad, show_vel, show_scale = view_toggles()
            descent_map(figure("map", race, (show_grad, show_vel, show_scale)), key="gd_map", on_click=pick_from_map)
            st.caption(
                "**Play** replays the race (from step 0 once it is over); the slider picks a step. Faint lines: "
                "each run's whole path; the bright head and its trail: where the run is at that step. Stars: the "
                "minima. Hover for f and the runs' points; click the map to start from there."
            )
        else:
            descent_map(figure("curve", race), key="gd_curve")
            st.caption(
                "**Play** slides every point along the curve. Dashed: the tangent at the current point, with slope "
                "f′(x). Arrow: the step taken (for plain gradient descent Δx = −η f′(x)): a steep slope or a large "
                "η makes a long step, which can jump right over the valley."
            )

    if first_paint.rest_is_due("descent", "the runs and their charts"):
        st.subheader(":material/directions_run: Runs")
        preset_note(surface, trajs)
        if not page_link.hidden("runs"):
            runs_controls({rid: status_badge(s.kind, s.text) for rid, s in zip(run_ids(), statuses, strict=True)})
        detail_views(surface, race)

    page_link.sync(gd_link.FIELDS, link_values())
    state.remember(prefixes=_SAVED_PREFIXES)
