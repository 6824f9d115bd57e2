"""Loss landscape: train one network several ways from the same start and see where each run goes."""

from __future__ import annotations

import math

import streamlit as st

from nnviz.figures import landscape as figs
from nnviz.ui import landscape as ui
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()

st.title(":material/map: Loss landscape")
st.markdown(
    "A network has thousands of weights, so its loss is a surface over thousands of dimensions. We can only "
    "look at **slices**: the loss at $\\theta + a\\,d_1 + b\\,d_2$ for the weights $\\theta$ and two directions "
    "$d_1, d_2$. Here one network is trained with up to four learning rates (or optimizers), **from the same "
    "initial weights on the same mini-batches**, and the slices show where each run went."
)

left, right = st.columns([1, 3], gap="large")
with left:
    messages = st.container()
    setup, problems = ui.controls()
    view = ui.view_controls()
    for problem in problems:
        messages.error(f"{problem}. Still showing the last valid setup.", icon=":material/error:")

with right:
    try:
        runs = ui.train_runs(setup)
    except ValueError as exc:  # data or settings the engine refuses: say why, keep the widgets
        st.error(f"Could not train: {exc}", icon=":material/error:")
        st.stop()
    ui.show_divergence(runs)
    cols = st.columns(len(runs))
    for col, run in zip(cols, runs, strict=True):
        acc = run.accuracy[-1]
        col.metric(f"{run.label}: final loss", f"{run.loss[-1]:.3g}",
                   None if math.isnan(acc) else f"accuracy {acc:.0%}", delta_color="off", delta_arrow="off",
                   help="On the training data, at the last snapshot (where it diverged, for a diverged run).")

    tab_plane, tab_honest, tab_slices, tab_line, tab_curves = st.tabs([
        ":material/route: Paths on the landscape", ":material/fact_check: Is the picture honest?",
        ":material/compare: Sharp or flat?", ":material/linear_scale: Initial to final",
        ":material/show_chart: Loss curves",
    ])

    with tab_plane:
        reference, own_path, surface = ui.plane_controls(setup.labels)
        try:
            plane = ui.plane_view(setup, reference, view.resolution, own_path)
        except ValueError as exc:  # e.g. no run moved: there is no plane to fit
            st.warning(f"No plane to show: {exc}", icon=":material/warning:")
            plane = None
        if plane is not None:
            if surface:
                st.plotly_chart(figs.path_surface(plane, view.log), key="ls_surface_chart")
            else:
                st.plotly_chart(figs.path_contour(plane, view.log), key="ls_contour_chart")
            ref = plane.paths[plane.reference].label
            fitted = ("the snapshots of *every* run that did not diverge" if not own_path
                      else f"the snapshots of {ref} alone")
            st.caption(
                f"**How this plane is chosen.** It passes through the final weights of **{ref}** and is spanned by "
                f"the top two principal components of {fitted}, measured from those final weights (Li et al. "
                f"2018): {100 * plane.plane.explained.sum():.1f}% of that movement lies in the plane (the axis "
                "titles split it up). Runs' final weights other than the centre's generally lie *off* the plane: "
                "their stars sit where they project to, and the colours there are the plane's loss, not theirs. "
                "The next tab shows how big that gap is. Axis units are distances in weight space; all runs start "
                "at the same circle."
            )

    with tab_honest:
        if plane is not None:
            st.plotly_chart(figs.path_honesty(plane, view.log), key="ls_honesty_chart")
            st.caption(
                "Solid: the real loss at each snapshot of the weights. Dashed: the loss at that snapshot's "
                "projection onto the plane, the value the contour shows under the path. Where the two agree and "
                "the distance below is small, the 2D picture is faithful; where they part, the run is moving in "
                "directions the plane cannot show, and its path on the contour is a shadow, not the real route."
            )

    with tab_slices:
        grids = ui.slice_views(setup, view.resolution, view.span)
        st.plotly_chart(figs.random_slices(grids, setup.labels, [r.diverged for r in runs], view.log),
                        key="ls_slices_chart")
        st.caption(
            "A random 2D slice around each run's final weights (the star), all on one colour scale. The two "
            "directions are the same random draw for every run, **filter-normalized** (Li et al. 2018): each "
            "neuron's incoming weights in the direction are scaled to the length of that neuron's weights, and "
            "biases are left alone. Without that, a network with larger weights would look flatter merely "
            "because a step of the same size means less to it. A wide dark basin is a flat minimum, a narrow "
            f"one a sharp minimum. Span ±{view.span:g} filter norms."
        )

    with tab_line:
        lines = ui.interpolation_views(setup)
        st.plotly_chart(figs.interpolation([line for line in lines], setup.labels, [r.diverged for r in runs],
                                           view.log), key="ls_interp_chart")
        st.caption(
            "The loss along the straight line from each run's initial weights (α = 0, the same for every run) "
            "to its final weights (α = 1), a little beyond at both ends (Goodfellow et al. 2015). A smooth "
            "downhill line means the run could have walked straight; a bump means it went around a barrier."
        )

    with tab_curves:
        st.plotly_chart(figs.loss_curves(runs, view.log), key="ls_curves_chart")
        st.caption(
            "Faint: the mini-batch loss at every step (noisy: each step sees another batch). Bold: the loss on "
            "the whole training set at the snapshots the landscape views use. A cross marks where a run diverged."
        )
