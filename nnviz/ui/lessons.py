"""The lessons: a section of the home page (one card each, a link to the page in the lesson's state,
and the same in class mode) and the lesson's text above the page it opens (``banner``, from app.py)."""

from __future__ import annotations

import streamlit as st

from nnviz.labs import lessons
from nnviz.ui.common import PAGES

_TITLES = {page.slug: page.title for page in PAGES}


def section() -> None:
    """The home page's lessons, three cards to a row."""
    st.subheader(":material/school: Lessons")
    st.markdown(
        "Each lesson opens a page in the right state, says what to look at and asks one question. "
        "**Class mode** opens it with only the controls the lesson needs (the others keep the "
        "lesson's values); send the class its link from the address bar."
    )
    cols = st.columns(3)
    for i, lesson in enumerate(lessons.LESSONS.values()):
        with cols[i % 3].container(border=True):
            st.markdown(f"**{lesson.title}**  \n{_TITLES.get(lesson.page, lesson.page)} · {lesson.source}")
            page = f"pages/{lesson.page}.py"
            st.page_link(page, label="Open the lesson", icon=":material/arrow_forward:",
                         query_params=lesson.query())
            if lesson.hide:
                st.page_link(page, label="Class mode", icon=":material/co_present:",
                             query_params=lesson.query(class_mode=True))


def banner(page_slug: str) -> None:
    """Above a page opened from a lesson (``lesson=`` in the address bar): what to look at, the
    question; a lesson named wrongly by a hand-edited link says so and the page works as usual."""
    name = st.query_params.get("lesson")
    if not name:
        return
    try:
        lesson = lessons.get(str(name))
    except ValueError:
        st.warning("This link names a lesson nnviz does not have; the page opens as usual.",
                   icon=":material/link_off:")
        return
    if lesson.page != page_slug:
        return  # the lesson's page was left; its text stays there
    hidden = " Class mode: the controls this lesson does not need are hidden." if st.query_params.get("hide") else ""
    st.info(f"**Lesson: {lesson.title}** · from {lesson.source}\n\n{lesson.look_at}\n\n"
            f"**Think:** {lesson.question}{hidden}", icon=":material/school:")
