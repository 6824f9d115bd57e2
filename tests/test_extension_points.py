"""DESIGN.md's promise: a new activation, loss, optimizer, initializer, surface or dataset is one
decorated definition, and then appears on every page and in every registry-wide test.

``tests/throwaway.py`` holds one entry of each kind, written as a contributor would. These tests
(1) run the registry-wide engine tests with those entries registered before collection, so the
gradient checks, formulas and metadata tests parametrize over them, and (2) open every page
(AppTest) with each entry selected where the page offers that kind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import throwaway

ROOT = Path(__file__).resolve().parents[1]
REGISTRY_WIDE = ["tests/nn", "tests/data/test_toy_sets.py", "tests/labs/descent"]


def test_registry_wide_tests_take_the_new_entries():
    """The engine tests, collected with the throwaway entries registered: every one of them runs
    (or says why not, for the formula tables that have no reference for it) and passes."""
    env = {**os.environ, "NNVIZ_THROWAWAY": "1"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "throwaway", "-rs", *REGISTRY_WIDE]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    tail = result.stdout[-3000:]
    assert result.returncode == 0, tail
    collected = subprocess.run([*cmd, "--collect-only"], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=600).stdout
    for name in (throwaway.ACTIVATION, throwaway.LOSS, throwaway.OPTIMIZER, throwaway.INITIALIZER,
                 throwaway.SURFACE_1D, throwaway.SURFACE_2D, throwaway.DATASET):
        assert name in collected, f"no registry-wide test picked up {name}"
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("no reference formula" in line for line in skipped), skipped


@pytest.fixture
def entries() -> Iterator[None]:
    throwaway.register()
    try:
        yield
    finally:
        throwaway.unregister()


def _open(page: str) -> AppTest:
    at = AppTest.from_file(f"../pages/{page}.py", default_timeout=90).run()
    assert not at.exception, at.exception
    return at


def _select(at: AppTest, kind: str, key: str, value) -> AppTest:
    getattr(at, kind)(key=key).set_value(value)  # raises if the page does not offer the value
    at.run()
    assert not at.exception, (key, value, at.exception)
    assert getattr(at, kind)(key=key).value == value, (key, value)
    return at


def _press(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    at.run()
    assert not at.exception, (key, at.exception)
    return at


def test_playground_offers_and_trains_with_each_new_entry(entries):
    at = _open("playground")
    for key, value in (("pg_act", throwaway.ACTIVATION), ("pg_init", throwaway.INITIALIZER),
                       ("pg_opt", throwaway.OPTIMIZER), ("pg_dataset", throwaway.DATASET)):
        _select(at, "selectbox", key, value)
        _press(at, "pg_step_epoch")
    run = at.session_state["pg_run"]
    assert run.trainer.optimizer.name == throwaway.OPTIMIZER and run.step > 0
    _select(at, "selectbox", "pg_dataset", "sine")  # a regression set: the new regression loss is offered
    _select(at, "selectbox", "pg_loss", throwaway.LOSS)
    _press(at, "pg_step_epoch")
    assert at.session_state["pg_run"].experiment.loss == throwaway.LOSS


def test_descent_lab_races_the_new_optimizer_on_the_new_surfaces(entries):
    at = _open("descent")
    _select(at, "selectbox", "gd_surface_2", throwaway.SURFACE_2D)
    rid = at.session_state["gd_runs"][0]
    _select(at, "selectbox", f"gd_opt_{rid}", throwaway.OPTIMIZER)
    assert not at.error, [e.value for e in at.error]
    at.session_state["gd_dim"] = 1
    at.run()
    _select(at, "selectbox", "gd_surface_1", throwaway.SURFACE_1D)
    assert not at.error, [e.value for e in at.error]


def test_functions_page_shows_the_new_activation_loss_and_initializer(entries):
    at = _open("functions")
    _select(at, "multiselect", "fn_acts", [*at.multiselect(key="fn_acts").value, throwaway.ACTIVATION])
    for tab, key, value in (("Vanishing gradients", "fn_chain_acts", [throwaway.ACTIVATION]),
                            ("Vanishing gradients", "fn_inits", [throwaway.INITIALIZER]),
                            ("Losses", "fn_reg_losses", [throwaway.LOSS])):
        at.session_state["fn_tab"] = tab  # stateful tabs: only the open one is drawn
        at.run()
        _select(at, "multiselect", key, value)


def test_backprop_neuron_takes_the_new_activation_and_loss(entries):
    at = _open("backprop")
    _select(at, "selectbox", "bp_act", throwaway.ACTIVATION)
    _select(at, "selectbox", "bp_loss", throwaway.LOSS)
    assert not at.error, [e.value for e in at.error]


def test_landscape_trains_with_the_new_activation_optimizer_and_dataset(entries):
    at = _open("landscape")
    for key, value in (("ls_task", throwaway.DATASET), ("ls_activation", throwaway.ACTIVATION),
                       ("ls_optimizer", throwaway.OPTIMIZER)):
        _select(at, "selectbox", key, value)
    assert not at.error, [e.value for e in at.error]
    assert at.get("plotly_chart") or at.get("bidi_component"), "no landscape figure drawn"


def test_digits_trains_a_model_with_the_new_activation_and_optimizer(entries, mnist_folder):
    at = AppTest.from_file("../pages/digits.py", default_timeout=90).run()
    at.radio(key="dg_kind").set_value("mlp")
    at.run()
    _select(at, "selectbox", "dg_activation", throwaway.ACTIVATION)
    _select(at, "selectbox", "dg_optimizer", throwaway.OPTIMIZER)
    torch_button = next(b.proto for b in at.get("download_button") if b.proto.label == "PyTorch script (.py)")
    assert torch_button.disabled and "no PyTorch counterpart" in torch_button.help  # a new entry says why
    at.slider(key="dg_n_train").set_value(500)
    at.number_input(key="dg_epochs").set_value(1)
    at.run()
    _press(at, "dg_start")
    for _ in range(20):
        if not at.session_state["dg_run"].running:
            break
        at.run()
    run = at.session_state["dg_run"]
    assert not at.exception and not run.running and run.trainer.optimizer.name == throwaway.OPTIMIZER
    assert throwaway.ACTIVATION in [getattr(layer, "function", None) for layer in run.trainer.net.layers]
