"""Gradient-descent lab: race optimizers and learning rates on 1D and 2D surfaces."""

from __future__ import annotations

import streamlit as st

from nnviz.figures import descent as figs
from nnviz.labs.descent.runs import status
from nnviz.labs.descent.stability import curvature_at
from nnviz.ui import descent as ui
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()
ui.init_state()
CONFIG = {"displaylogo": False}

st.title(":material/landscape: Gradient descent lab")
st.markdown(
    "Gradient descent repeats one rule from the source notes, $b = a - \\alpha\\,\\nabla f(a)$: from the current "
    "point $a$, step against the gradient, scaled by the learning rate $\\alpha$ (written $\\eta$ below). The "
    "optimizers here are the classes that train the networks elsewhere in nnviz; each drives a single point."
)

controls, view = st.columns([1, 2.3], gap="large")
with controls:
    st.subheader(":material/terrain: Surface")
    surface = ui.surface_controls()
    st.subheader(":material/place: Start")
    start, start_problem = ui.start_controls(surface)
    if start_problem:
        st.error(start_problem, icon=":material/error:")
    st.subheader(":material/tune: Presets")
    ui.preset_controls()

specs = tuple(ui.current_specs())
n_steps = ui.steps()
with st.spinner("Running the optimizers..."):
    trajs = ui.cached_race(surface, specs, start, n_steps)
statuses = [status(t, surface, ui.tolerance()) for t in trajs]

with view:
    if surface.dim == 2:
        show_grad, show_vel, show_scale = ui.view_toggles()
        fig = figs.contour_figure(surface, trajs, show_gradient=show_grad, show_velocity=show_vel,
                                  show_step_size=show_scale, statuses=statuses)
        st.plotly_chart(fig, key="gd_contour", on_select=ui.pick_from_map, selection_mode="points", config=CONFIG)
        st.caption(
            "**Play** replays the race from step 0; the slider picks a step. Faint lines: each run's whole path; "
            "the bright head and its trail: where the run is at that step. Stars: the minima. Click the map to "
            "start from there."
        )
    else:
        fig = figs.curve_figure(surface, trajs, statuses=statuses)
        st.plotly_chart(fig, key="gd_curve", config=CONFIG)
        st.caption(
            "**Play** slides every point along the curve. Dashed: the tangent at the current point, with slope "
            "f′(x). Arrow: the step taken (for plain gradient descent Δx = −η f′(x)): a steep slope or a large η "
            "makes a long step, which can jump right over the valley."
        )

st.subheader(":material/directions_run: Runs")
ui.preset_note(surface, trajs)
ui.runs_controls({rid: ui.status_badge(s.kind, s.text) for rid, s in zip(ui.run_ids(), statuses, strict=True)})

loss_col, dist_col = st.columns(2, gap="large")
with loss_col:
    st.subheader(":material/show_chart: Loss")
    st.plotly_chart(figs.loss_figure(surface, trajs, statuses), key="gd_loss", config=CONFIG)
    st.caption("How far above the lowest value f* each run is, on a log scale: a straight line down is steady "
               "(linear) convergence. A red x marks the step where a run diverged; a dot, where it converged.")
with dist_col:
    st.subheader(":material/straighten: Distance to the nearest minimum")
    dist = figs.distance_figure(surface, trajs, statuses)
    if dist is None:
        st.info(f"{surface.label} has no minimum: f falls without bound, so a run can only escape.",
                icon=":material/info:")
    else:
        st.plotly_chart(dist, key="gd_distance", config=CONFIG)
        st.caption("A run can be low in f yet still far in x (a flat valley floor), or stop in a local minimum.")

lr_col, col3d = st.columns(2, gap="large") if surface.dim == 2 else (st.container(), None)
with lr_col:
    st.subheader(":material/speed: Learning rate vs. stability limit")
    L = surface.lipschitz
    near = None
    if L is None and surface.minima:
        near = surface.minima[0]
        L = curvature_at(surface, near)
    lr_fig = figs.learning_rate_figure(surface, trajs, curvature=L)
    if lr_fig is None or L is None:
        st.info("This surface has no single curvature to compare the learning rates with (no minimum, or a "
                "kink at it). Try the quadratic, the bowl or Rosenbrock.", icon=":material/info:")
    elif near is None:
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
    if lr_fig is not None and L is not None:
        st.plotly_chart(lr_fig, key="gd_lr", config=CONFIG)
        st.caption("Momentum tolerates larger rates (up to 2(1+β)/((1−β)L) in this form). Adagrad, RMSprop and "
                   "Adam divide each step by the gradient's size, so no fixed limit applies (grey).")
if col3d is not None:
    with col3d:
        st.subheader(":material/view_in_ar: In 3D")
        st.plotly_chart(figs.surface3d_figure(surface, trajs), key="gd_3d", config=CONFIG)
        st.caption("The same paths on the surface; drag to turn it." + (
            " Height is log₁₀(1 + f − f*), so the valley floor stays visible." if surface.log_color else ""))

ui.remember()
