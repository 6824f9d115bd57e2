"""Every lesson's link reads back through its page's codec with nothing reported, and what the
lessons' texts state holds."""

from __future__ import annotations

import pytest

from nnviz.labs import lessons, share
from nnviz.labs.descent import link as descent_link
from nnviz.labs.descent import surfaces
from nnviz.labs.descent.presets import outcome
from nnviz.labs.descent.runs import race
from nnviz.labs.explain import functions, neuron
from nnviz.labs.playground.link import from_query as playground_from_query
from nnviz.labs.playground.run import build
from nnviz.ui.common import PAGES


def test_there_are_eight_or_more_lessons_on_known_pages():
    assert len(lessons.LESSONS) >= 8
    slugs = {p.slug for p in PAGES}
    for lesson in lessons.LESSONS.values():
        assert lesson.page in slugs, lesson.slug
        assert lesson.look_at and "?" in lesson.question, lesson.slug


@pytest.mark.parametrize("slug", list(lessons.LESSONS))
@pytest.mark.parametrize("class_mode", [False, True])
def test_each_lesson_link_names_the_lesson_and_hides_only_in_class_mode(slug, class_mode):
    lesson = lessons.get(slug)
    query = lesson.query(class_mode)
    assert query["lesson"] == slug and {k: query[k] for k in lesson.settings} == dict(lesson.settings)
    assert ("hide" in query) == (class_mode and bool(lesson.hide))


def test_an_unknown_lesson_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="unknown lesson 'nope'"):
        lessons.get("nope")


def _playground_run(slug: str, **changes):
    exp, problems = playground_from_query(lessons.get(slug).settings)
    assert problems == []
    return build(exp.replace(**changes) if changes else exp)


def test_dead_relus_most_units_die_at_learning_rate_1_and_none_at_0_03():
    run = _playground_run("dead-relus")
    run.train(300)
    assert run.diverged is None and run.trainer.dead_relu_fraction() > 0.5
    slow = _playground_run("dead-relus", learning_rate=0.03)
    slow.train(300)
    assert slow.trainer.dead_relu_fraction() == 0.0


def test_lesson_links_are_plain_query_text():
    for lesson in lessons.LESSONS.values():
        for key, value in lesson.query(True).items():
            assert isinstance(key, str) and isinstance(value, str), (lesson.slug, key)
            assert key in share.KEPT_KEYS or key in lesson.settings


def _descent_outcomes(slug: str) -> list[str]:
    values, problems = share.decode(descent_link.FIELDS, lessons.get(slug).settings)
    settings, more = descent_link.resolve(values, descent_link.DEFAULTS)
    assert problems == more == []
    surface = surfaces.get(settings["surface"], **settings["params"])
    trajectories = race(surface, settings["runs"], start=settings["start"], steps=settings["steps"])
    return [outcome(t, surface) for t in trajectories]


def test_learning_rate_crawls_converges_zigzags_and_diverges():
    slow, right, jumpy, large = _descent_outcomes("learning-rate")
    assert slow.startswith("crawls") and right.startswith("converges at step")
    assert int(right.rsplit(" ", 1)[1]) <= 10
    assert jumpy.startswith("zigzags, converges") and large.startswith("diverges")


def test_momentum_runs_at_ten_times_sgd_s_limit():
    zigzag, too_large, momentum = _descent_outcomes("momentum")
    assert zigzag.startswith("zigzags, converges") and too_large.startswith("diverges")
    assert "converges" in momentum


def test_adam_converges_where_sgd_creeps_or_blows_up():
    creeps, blows, adam = _descent_outcomes("adam-rosenbrock")
    assert creeps.startswith("crawls") and blows.startswith("diverges at step")
    assert int(blows.rsplit(" ", 1)[1]) <= 5 and adam.startswith("converges")


def test_vanishing_sigmoid_product_is_about_1e_13_and_relu_s_is_1():
    s = lessons.get("vanishing-gradients").settings
    sigmoid, relu = functions.derivative_chain(s["chain"].split(","), depth=int(s["n"]), weight=float(s["cw"]),
                                               x0=float(s["a0"]))
    assert 1e-14 < sigmoid.product[-1] < 1e-12 and relu.product[-1] == 1.0


def test_initialization_zeros_small_normal_xavier_and_he_as_the_lesson_says():
    s = lessons.get("initialization").settings
    by = {g.init: g for g in functions.init_gradient_norms(s["iact"], s["inits"].split(","), depth=int(s["idepth"]),
                                                           width=int(s["iwidth"]))}
    assert by["zeros"].distinct_units == 1 and not by["zeros"].grad_norms.any()
    assert by["random_normal"].activation_std[-1] < 1e-20
    assert 1e-4 < by["xavier_uniform"].activation_std[-1] < 1e-2
    assert 0.1 < by["he_normal"].activation_std[-1] < 1.0


def test_softmax_lesson_numbers_are_the_worked_example_s():
    assert lessons.get("softmax-cross-entropy").settings["ex"] == "softmax_ce"
    r = neuron.neuron(neuron.PRESETS["softmax_ce"].config)
    assert [round(float(v), 4) for v in r.z] == [0.3, -0.4]
    assert [round(float(v), 4) for v in r.a] == [0.6682, 0.3318] and round(r.loss, 4) == 1.1032
    text = lessons.get("softmax-cross-entropy").look_at
    assert all(s in text for s in ("0.6682, 0.3318", "1.1032", "(0.3, −0.4)"))
