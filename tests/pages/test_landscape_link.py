"""AppTest of the landscape page's link: opening a link sets the task, network, runs and view (and trains
those runs); the address bar and the copy block hold the same link; a bad link is reported in the page
and replaced by defaults; class mode hides controls that keep their values."""

from __future__ import annotations

import urllib.parse

from streamlit.testing.v1 import AppTest

from nnviz.labs.landscape.setup import Setup
from nnviz.ui import landscape as ui
from tests.pages.links import open_link, open_share

PAGE = "../../pages/landscape.py"
#: Cheap settings (few points and steps, a coarse grid): these tests are about the link.
SMALL = {"points": "100", "steps": "50", "res": "11"}


def _open(params: dict[str, str]) -> AppTest:
    return open_link(PAGE, params, timeout=90, ok=True)


LINK = {"task": "xor", "points": "150", "noise": "0.5", "digits": "1000", "hidden": "8,4", "act": "relu",
        "mode": "optimizers", "opt": "sgd", "rates": "0.1,0.3", "opts": "adam,sgd", "lr": "0.1", "steps": "50",
        "batch": "16", "seed": "3", "res": "11", "span": "0.5", "log": "0", "centre": "2", "fit": "centre",
        "shape": "contour", "tab": "curves"}


def test_a_link_sets_every_setting_and_trains_those_runs():
    at = _open(LINK)
    s = at.session_state
    assert at.selectbox(key="ls_task").value == "xor" and at.slider(key="ls_points").value == 150
    assert at.text_input(key="ls_hidden").value == "8, 4" and at.selectbox(key="ls_activation").value == "relu"
    assert at.radio(key="ls_mode").value == ui.MODES[1] and s["ls_optimizers"] == ["adam", "sgd"]
    assert s["ls_rates"] == [0.1, 0.3] and s["ls_lr"] == 0.1 and s["ls_batch"] == 16 and s["ls_seed"] == 3
    assert (s["ls_resolution"], s["ls_span"], s["ls_log"]) == (11, 0.5, False)
    assert s["ls_reference"] == "SGD" and s["ls_fit"] == ui.FITS[1] and s["ls_tab"] == ui.TABS[4]
    shown: Setup = s["ls_last_setup"]
    assert shown.runs == (("adam", 0.1), ("sgd", 0.1)) and shown.hidden == (8, 4) and shown.task == "xor"
    assert [m.label for m in at.metric] == ["Adam: final loss", "SGD: final loss"]
    assert not at.warning and not at.error
    assert dict(at.query_params) == LINK
    copied = urllib.parse.urlsplit(open_share(at, "landscape").code[0].value)
    assert copied.path.endswith("/landscape") and dict(urllib.parse.parse_qsl(copied.query)) == LINK


def test_the_address_bar_follows_the_widgets():
    at = _open(SMALL)
    at.selectbox(key="ls_activation").select("relu")
    at.run()
    assert at.query_params["act"] == "relu" and at.query_params["steps"] == "50"
    again = _open(dict(at.query_params))
    assert again.session_state["ls_last_setup"] == at.session_state["ls_last_setup"]


def test_a_bad_link_is_reported_replaced_by_defaults_and_the_warning_goes_once_a_setting_changes():
    at = _open({**SMALL, "task": "nope", "hidden": "5000", "rates": "0.1,0.1", "mode": "optimizers",
                "opts": "sgd", "centre": "4", "tab": "![x](http://127.0.0.1:9/p.png)"})
    assert "cannot use" in at.warning[0].value
    text = "\n".join(t.value for t in at.text)
    assert "ignored task='nope'" in text and "ignored hidden='5000'" in text and "ignored centre='4'" in text
    assert "p.png" not in "\n".join(m.value for m in at.markdown)
    assert at.selectbox(key="ls_task").value == "moons" and at.text_input(key="ls_hidden").value == "16, 16"
    assert at.session_state["ls_reference"] == ui.BEST and not at.error
    at.selectbox(key="ls_activation").select("relu")
    at.run()
    assert not at.warning and not at.exception


def test_class_mode_hides_controls_that_keep_their_values():
    at = _open({**LINK, "hide": "task,hidden,mode,opts,lr,res"})
    keys = {w.key for w in [*at.slider, *at.radio, *at.selectbox, *at.select_slider, *at.text_input]}
    assert not {"ls_task", "ls_hidden", "ls_mode", "ls_lr", "ls_resolution"} & keys
    assert "ls_activation" in keys and "ls_points" in keys
    assert at.session_state["ls_last_setup"].runs == (("adam", 0.1), ("sgd", 0.1))
    assert at.session_state["ls_last_setup"].hidden == (8, 4)
