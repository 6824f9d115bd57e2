"""nnviz.ui.state: seeded widgets keep their value when their page (or tab) is not drawn."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from nnviz.ui import state

    if st.session_state.get("show", True):
        st.slider("x", 0, 10, key=state.seed("t_x", 3))
    st.write(f"value={state.value('t_x', -1)}")
    state.remember(prefixes="t_")


def test_a_value_survives_a_run_without_its_widget():
    at = AppTest.from_function(_script).run()
    assert at.slider(key="t_x").value == 3
    at.slider(key="t_x").set_value(7).run()
    at.session_state["show"] = False
    at.run()
    assert "value=7" in at.markdown[0].value  # widget gone, value remembered
    at.session_state["show"] = True
    at.run()
    assert at.slider(key="t_x").value == 7


def _restore_script():
    import streamlit as st

    from nnviz.ui import state

    mode = st.session_state.get("mode", "draw")
    if mode == "restore":
        state.restore("t_")
        st.write(f"restored={st.session_state.get('t_x', 'none')}")
    elif mode == "forget":
        state.forget("t_")
        st.write(f"after forget={state.value('t_x', 'none')}")
    else:
        st.slider("x", 0, 10, key=state.seed("t_x", 3))
        state.remember(["t_x"])


def test_restore_puts_back_a_dropped_value_and_forget_drops_it():
    at = AppTest.from_function(_restore_script).run()
    at.slider(key="t_x").set_value(9).run()
    at.session_state["mode"] = "skip"  # a run that draws nothing: Streamlit drops the widget's state
    at.run()
    at.session_state["mode"] = "restore"
    at.run()
    assert "restored=9" in at.markdown[0].value
    at.session_state["mode"] = "forget"  # the restored value was not drawn, so it is dropped again
    at.run()
    assert "after forget=none" in at.markdown[0].value


def _forget_keys_script():
    import streamlit as st

    from nnviz.ui import state

    st.session_state[state.SAVED] = {"t_1": 1, "t_12": 12, "u_1": 3}
    state.forget(keys=["t_1"])
    st.write(f"left={sorted(st.session_state[state.SAVED])}")


def test_forget_exact_keys_leaves_longer_keys_alone():
    at = AppTest.from_function(_forget_keys_script).run()
    assert "left=['t_12', 'u_1']" in at.markdown[0].value


def test_refreeze_frees_what_died_while_frozen():
    import gc
    import weakref

    from nnviz.ui import session_memory

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: only the collector frees it
    alive = weakref.ref(a)
    gc.freeze()  # as nnviz/ui/common.py does while sessions are open
    del a, b
    gc.collect()
    assert alive() is not None  # frozen garbage is never collected...
    turn = session_memory.refreeze(trim=False)
    assert alive() is None  # ...until a re-freeze
    assert turn.collected >= 2 and turn.frozen == gc.get_freeze_count() > 0


def test_the_refreeze_thread_runs_only_in_a_real_server():
    from nnviz.ui import session_memory

    assert session_memory.start() is False  # plain Python: no Streamlit runtime

    def script():
        import streamlit as st

        from nnviz.ui import session_memory

        st.write(f"started={session_memory.start()}")

    at = AppTest.from_function(script).run()
    assert "started=False" in at.markdown[0].value  # AppTest's runtime is a mock
