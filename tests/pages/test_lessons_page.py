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


@pytest.mark.parametrize("slug", list(lessons.LESSONS))
def test_a_lesson_s_link_and_hide_list_are_its_page_s_own_keys(slug):
    lesson = lessons.get(slug)
    assert set(lesson.settings) <= _query_keys(lesson.page)
    assert set(lesson.hide) <= _query_keys(lesson.page), set(lesson.hide) - _query_keys(lesson.page)
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


def test_a_hand_edited_lesson_name_says_so_and_the_page_works():
    at = _app()
    at.query_params.update({"lesson": "no-such-lesson"})
    at.switch_page("pages/functions.py").run()
    assert not at.exception
    assert any("lesson nnviz does not have" in w.value for w in at.warning)
