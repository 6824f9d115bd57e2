"""The home page lists every lesson; each lesson's link opens its page with the lesson's text, in a
session that was elsewhere before (a student clicking through), and in class mode."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nnviz.labs import lessons, share
from nnviz.labs.descent import link as descent_link
from nnviz.labs.playground.link import QUERY_KEYS, from_query
from nnviz.ui import backprop, functions

#: page slug -> its link's fields, where the page has a ``share.Field`` list.
FIELDS = {"descent": descent_link.FIELDS, "functions": functions.link_fields(), "backprop": backprop.link_fields()}


def _query_keys(page: str) -> set[str]:
    return set(QUERY_KEYS.values()) if page == "playground" else {f.query for f in FIELDS[page]}


def _hideable(page: str) -> set[str]:
    """What a lesson may hide: its page's query keys (the playground's preset picker besides)."""
    return _query_keys(page) | ({"preset"} if page == "playground" else set())


#: The playground's hideable controls (query key) -> the widget key of the control drawn for it.
PLAYGROUND_WIDGETS = {
    "preset": "pg_preset_pick", "data": "pg_dataset", "noise": "pg_noise", "n": "pg_n", "test": "pg_test",
    "seed": "pg_seed", "feat": "pg_features", "hidden": "pg_layer_plus", "bn": "pg_bn", "act": "pg_act",
    "init": "pg_init", "l1": "pg_l1", "l2": "pg_l2", "drop": "pg_dropout", "loss": "pg_loss", "out": "pg_output",
    "opt": "pg_opt", "lr": "pg_lr", "batch": "pg_batch",
}
WIDGET_TYPES = ("selectbox", "slider", "select_slider", "number_input", "button", "button_group", "multiselect")


def _widget_keys(at: AppTest) -> set[str]:
    return {w.key for kind in WIDGET_TYPES for w in at.get(kind) if getattr(w, "key", None)}


@pytest.mark.parametrize("slug", list(lessons.LESSONS))
def test_a_lesson_s_link_and_hide_list_are_its_page_s_own_keys(slug):
    lesson = lessons.get(slug)
    assert set(lesson.settings) <= _query_keys(lesson.page)
    assert set(lesson.hide) <= _hideable(lesson.page), set(lesson.hide) - _hideable(lesson.page)
    if lesson.page == "playground":
        assert from_query(lesson.settings)[1] == []
    else:
        assert share.decode(FIELDS[lesson.page], lesson.settings)[1] == []


def _app() -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=90).run()
    assert not at.exception, at.exception
    return at


def test_home_lists_every_lesson():
    at = _app()
    text = " ".join(m.value for m in at.markdown)
    for lesson in lessons.LESSONS.values():
        assert lesson.title in text, lesson.slug


@pytest.mark.parametrize("slug", list(lessons.LESSONS))
def test_a_lesson_opens_its_page_with_its_text(slug):
    lesson = lessons.get(slug)
    at = _app()
    at.query_params.update(lesson.query(class_mode=True))
    at.switch_page(f"pages/{lesson.page}.py").run()
    assert not at.exception, at.exception
    banners = [i.value for i in at.info if "Lesson:" in i.value]
    assert banners and lesson.title in banners[0] and lesson.question in banners[0]
    assert not [w.value for w in at.warning if "link" in w.value.lower()], "the lesson's link had problems"
    s = at.session_state
    if lesson.page == "playground":
        assert s.pg_exp == from_query(lesson.settings)[0]
    elif lesson.page == "descent":
        values = share.decode(FIELDS["descent"], lesson.settings)[0]
        assert s.gd_dim == values["dim"] and s[f"gd_surface_{values['dim']}"] == values["surface"]
        runs = [(s[f"gd_opt_{rid}"], s[f"gd_lr_{rid}"]) for rid in s.gd_runs]
        assert runs == [tuple(descent_link.parse_run(r).__dict__[k] for k in ("optimizer", "learning_rate"))
                        for r in values["runs"]]
    else:  # the fields are named by their widget keys
        for name, value in share.decode(FIELDS[lesson.page], lesson.settings)[0].items():
            assert s[name] == value, name


@pytest.mark.parametrize("slug", [s for s, lesson in lessons.LESSONS.items() if lesson.page == "playground"])
def test_class_mode_draws_only_the_playground_controls_a_lesson_needs(slug):
    """Hidden controls are not drawn and keep the lesson's values, also over the next reruns; the
    others are drawn as usual."""
    lesson = lessons.get(slug)
    at = _app()
    at.query_params.update(lesson.query(class_mode=True))
    at.switch_page("pages/playground.py").run()
    expected = from_query(lesson.settings)[0]
    for _ in range(2):
        assert not at.exception, at.exception
        drawn = _widget_keys(at)
        for query, key in PLAYGROUND_WIDGETS.items():
            assert (key in drawn) == (query not in lesson.hide), (query, key)
        assert at.session_state.pg_exp == expected
        at.run()
    at.query_params.pop("hide")  # the same lesson outside class mode: every control drawn
    at.switch_page("pages/playground.py").run()
    assert set(PLAYGROUND_WIDGETS.values()) <= _widget_keys(at)


def test_a_hand_edited_lesson_name_says_so_and_the_page_works():
    at = _app()
    at.query_params.update({"lesson": "no-such-lesson"})
    at.switch_page("pages/functions.py").run()
    assert not at.exception
    assert any("lesson nnviz does not have" in w.value for w in at.warning)
