"""AppTest of the descent page's link: opening a link sets the surface, start, steps, runs and views;
a copied link restores the page (presets and their measured labels too); a bad link is reported in
the page and replaced by defaults; class mode hides controls that keep their values."""

from __future__ import annotations

import urllib.parse

from streamlit.testing.v1 import AppTest

from nnviz.ui.descent import VIEW_3D, VIEW_STABILITY
from tests.pages.links import open_link, open_share

PAGE = "../../pages/descent.py"


def _open(params: dict[str, str]) -> AppTest:
    return open_link(PAGE, params, ok=True)


def _runs(at: AppTest) -> list[tuple[str, float]]:
    s = at.session_state
    return [(s[f"gd_opt_{r}"], s[f"gd_lr_{r}"]) for r in s["gd_runs"]]


def _problems(at: AppTest) -> str:
    return "\n".join(t.value for t in at.text)


LINK = {"dim": "2", "surface": "rosenbrock", "sp": "b:200", "start": "-1.25,2.5", "steps": "300",
        "runs": "adam:0.02:beta_1=0.8,momentum:0.005:beta=0.95", "preset": "none", "ladder": "rmsprop",
        "tol": "0.0001", "grad": "0", "vel": "1", "scale": "1", "view": "stability"}


def test_a_link_sets_every_setting_and_the_address_bar_keeps_it():
    at = _open(LINK)
    s = at.session_state
    assert s["gd_dim"] == 2 and s["gd_surface_2"] == "rosenbrock" and s["gd_sp_rosenbrock_b"] == 200
    assert at.text_input(key="gd_start").value == "-1.25, 2.5" and at.slider(key="gd_steps").value == 300
    assert _runs(at) == [("adam", 0.02), ("momentum", 0.005)]
    first, second = s["gd_runs"]
    assert s[f"gd_set_{first}_adam_beta_1"] == 0.8 and s[f"gd_set_{second}_momentum_beta"] == 0.95
    assert s["gd_tol"] == 1e-4 and s["gd_preset_opt"] == "rmsprop" and s["gd_preset"] is None
    assert (s["gd_show_grad"], s["gd_show_vel"], s["gd_show_scale"]) == (False, True, True)
    assert s["gd_view"] == VIEW_STABILITY and at.get("plotly_chart")  # the stability view is drawn
    assert not at.warning and not at.error
    assert dict(at.query_params) == LINK
    copied = urllib.parse.urlsplit(open_share(at, "descent").code[0].value)
    assert copied.path.endswith("/descent") and dict(urllib.parse.parse_qsl(copied.query)) == LINK


def test_a_copied_link_of_the_learning_rate_preset_restores_it_with_its_labels():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.selectbox(key="gd_surface_2").select("rosenbrock")
    at.run()
    at.selectbox(key="gd_preset_opt").select("momentum")
    at.button(key="gd_btn_preset_lr").click()
    at.run()
    copied = dict(at.query_params)
    assert copied["preset"] == "learning_rates" and copied["ladder"] == "momentum"
    labels = [at.session_state[f"gd_tag_{r}"] for r in at.session_state["gd_runs"]]
    fresh = _open(copied)
    assert _runs(fresh) == _runs(at) and fresh.session_state["gd_preset"] == "learning_rates"
    assert [fresh.session_state[f"gd_tag_{r}"] for r in fresh.session_state["gd_runs"]] == labels
    assert not fresh.warning
    # Runs edited by hand after the preset: the link says so, and they open as edited by hand.
    edited = {**copied, "runs": "momentum:0.001," + copied["runs"].split(",", 1)[1]}
    hand = _open(edited)
    assert hand.session_state["gd_preset"] is None and _runs(hand)[0] == ("momentum", 0.001)


def test_a_1d_link_opens_the_curve():
    at = _open({"dim": "1", "surface": "quadratic", "sp": "curvature:5", "start": "-2", "view": "distance"})
    assert at.session_state["gd_dim"] == 1 and at.session_state["gd_sp_quadratic_curvature"] == 5
    assert at.text_input(key="gd_start").value == "-2" and at.slider(key="gd_steps").value == 50


def test_a_bad_link_is_reported_replaced_by_defaults_and_the_warning_goes_once_a_setting_changes():
    at = _open({"dim": "2", "surface": "quadratic", "start": "9,9", "steps": "15", "runs": "foo:1,adam:0.01",
                "tol": "7", "view": "4d", "zz": "<img src=x>"})
    assert "cannot use" in at.warning[0].value
    text = _problems(at)
    assert "ignored steps='15'" in text and "ignored surface='quadratic'" in text
    assert "<img src=x>" not in "\n".join(m.value for m in at.markdown)  # the link's text is never Markdown
    s = at.session_state
    assert s["gd_surface_2"] == "bowl" and at.text_input(key="gd_start").value == "-2.5, 2"
    assert s["gd_steps"] == 200 and s["gd_tol"] == 1e-3 and _runs(at) == [("adam", 0.01)]
    assert not at.error
    at.run()
    assert at.warning  # still shown on the next run (the rest of the page)
    places = len(at.main.children)
    at.slider(key="gd_steps").set_value(400)
    at.run()
    assert not at.warning and not at.exception
    assert len(at.main.children) == places  # the warning's place stays: the page below is not rebuilt


def test_an_out_of_domain_start_for_the_links_surface_keeps_its_default():
    at = _open({"surface": "rosenbrock", "start": "-1.5,5"})
    assert at.text_input(key="gd_start").value == "-1.5, 2"
    assert "outside the plotted domain" in _problems(at)


def test_class_mode_hides_controls_that_keep_their_values():
    at = _open({**LINK, "view": "3d", "hide": "runs,dim,steps,vel"})
    keys = {w.key for w in [*at.slider, *at.radio, *at.selectbox, *at.toggle]}
    assert "gd_steps" not in keys and "gd_dim" not in keys and "gd_show_vel" not in keys
    assert "gd_show_scale" in keys and "gd_surface_2" in keys
    assert not any(k.startswith("gd_opt_") for k in keys)
    assert at.session_state["gd_steps"] == 300 and _runs(at) == [("adam", 0.02), ("momentum", 0.005)]
    assert at.session_state["gd_view"] == VIEW_3D
    assert at.query_params["hide"] == "runs,dim,steps,vel"  # the address bar keeps the class mode
