"""AppTest of the Sequences page's link: opening a link sets every control and builds that model at step 0;
the address bar and the copy block hold the same link, follow the controls and keep the last valid
settings; a bad link is reported and replaced by defaults; class mode hides controls."""

from __future__ import annotations

import urllib.parse

from streamlit.testing.v1 import AppTest

from nnviz.labs.sequences.experiment import SequenceExperiment
from tests.pages.links import open_link, open_share

PAGE = "../../pages/sequences.py"

LINK = {"task": "remember", "len": "50", "lag": "7", "noise": "0.1", "seed": "4", "hidden": "8", "act": "sigmoid",
        "loss": "last", "rho": "1.5", "trunc": "5", "clip": "2.5", "opt": "momentum", "lr": "0.003", "batch": "16",
        "speed": "100"}


def _open(params: dict[str, str]) -> AppTest:
    return open_link(PAGE, params, ok=True)


def test_a_link_sets_every_control_and_builds_that_model():
    at = _open(LINK)
    s = at.session_state
    want = SequenceExperiment(task="remember", length=50, lag=7, seed=4, hidden=8, activation="sigmoid",
                              readout="last step", spectral_radius=1.5, truncate=5, clip=2.5, optimizer="momentum",
                              learning_rate=0.003, batch_size=16)
    assert s["sq_exp"] == want and s["sq_run"].experiment == want and s["sq_run"].step == 0
    assert at.number_input(key="sq_length").value == 50 and at.number_input(key="sq_lag").value == 7
    assert at.radio(key="sq_readout").value == "last step" and at.slider(key="sq_rho").value == 1.5
    assert at.select_slider(key="sq_speed").value == 100 and at.selectbox(key="sq_opt").value == "momentum"
    assert not at.warning and not at.error and not at.info  # no "Reset" notice: the model was built so
    assert dict(at.query_params) == LINK
    copied = urllib.parse.urlsplit(open_share(at, "sequences").code[0].value)
    assert copied.path.endswith("/sequences") and dict(urllib.parse.parse_qsl(copied.query)) == LINK


def test_the_address_bar_follows_the_controls_and_keeps_the_last_valid_settings():
    at = _open({})
    at.number_input(key="sq_hidden").set_value(12)
    at.run()
    assert at.query_params["hidden"] == "12"
    at.number_input(key="sq_length").set_value(1)  # refused beside the control: the model keeps 30 steps
    at.run()
    assert at.error and at.query_params["len"] == "30"
    again = _open(dict(at.query_params))
    assert again.session_state["sq_exp"] == at.session_state["sq_exp"]


def test_a_bad_link_is_reported_replaced_by_defaults_and_the_warning_goes_once_a_setting_changes():
    at = _open({"len": "10", "lag": "20", "rho": "0.33", "lr": "-1", "speed": "7", "act": "[x](http://127.0.0.1:9/)"})
    assert "cannot use" in at.warning[0].value
    text = "\n".join(t.value for t in at.text)
    assert "ignored lag='20'" in text and "ignored rho='0.33'" in text and "ignored speed='7'" in text
    assert "127.0.0.1:9" not in "\n".join(m.value for m in at.markdown)
    assert at.session_state["sq_exp"] == SequenceExperiment(length=10)
    assert not at.exception
    at.number_input(key="sq_hidden").set_value(4)
    at.run()
    assert not at.warning and not at.exception


def test_class_mode_hides_controls_that_keep_their_values():
    at = _open({**LINK, "hide": "rho,lag,speed,opt"})
    keys = {w.key for w in [*at.slider, *at.number_input, *at.selectbox, *at.select_slider]}
    assert not {"sq_rho", "sq_lag", "sq_speed", "sq_opt"} & keys and {"sq_length", "sq_hidden"} <= keys
    assert at.session_state["sq_exp"].spectral_radius == 1.5 and at.session_state["sq_exp"].lag == 7
    at.number_input(key="sq_hidden").set_value(9)
    at.run()
    exp = at.session_state["sq_exp"]
    assert (exp.hidden, exp.spectral_radius, exp.lag, exp.optimizer) == (9, 1.5, 7, "momentum")
