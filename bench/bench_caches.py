"""What each shared cache holds per entry: the numbers behind the cache table in
docs/ARCHITECTURE.md ("Live views and shared servers").

Drives every page in this process with ``AppTest`` (defaults, then the heaviest settings each page
offers that finish in a few minutes on one core: the landscape at its largest grid, every tab,
and its digits task; the descent lab at 1000 steps, every view; the functions page with every
activation, initializer and loss at its largest depth and width; a drawing on the digits page),
then reads Streamlit's cache registries and prints, per cached function: its bounds
(``max_entries``, ``max_size``, ``ttl``), the entries it holds and the largest and mean entry, in
MB. ``st.cache_data`` keeps values pickled, so an entry is its pickled bytes; an
``st.cache_resource`` entry is the object itself (``nnviz.ui.session_memory.owned_bytes``).

    python bench/bench_caches.py [--quick]

Prints; never asserts (entry sizes depend on the settings a visitor picks; the table states the
worst case per cache from these figures and the page's limits).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ROOT / "pages"


def _app(page: str):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=900)


def _tabs(at, key: str, labels) -> None:
    """Open each stateful tab of ``key`` in turn (its content is computed only when open)."""
    for label in labels:
        at.session_state[key] = label
        at.run()


def scenarios(quick: bool) -> list[tuple[str, float]]:
    """Run every page's scenarios; (what, seconds) for each."""
    from nnviz.ui import backprop, descent, functions, landscape

    done = []

    def timed(name, fn) -> None:
        t0 = time.perf_counter()
        fn()
        done.append((name, time.perf_counter() - t0))
        print(f"  {name}: {done[-1][1]:.1f} s", flush=True)

    def descent_all() -> None:
        at = _app("descent").run()
        _tabs(at, "gd_view", descent.view_tabs(2))
        at.slider(key="gd_steps").set_value(1000).run()
        _tabs(at, "gd_view", descent.view_tabs(2))
        at.button(key="gd_btn_preset_lr").click().run()

    def landscape_at(resolution: int, task: str | None = None) -> None:
        at = _app("landscape").run()
        if task:
            at.selectbox(key="ls_task").set_value(task).run()
        at.select_slider(key="ls_resolution").set_value(resolution).run()
        _tabs(at, "ls_tab", landscape.TABS)

    def digits_drawing() -> None:
        from tests.pages.test_digits_page import SEVEN, canvas_state

        at = _app("digits")
        at.session_state["dg_canvas"] = canvas_state(SEVEN)
        at.run()

    timed("playground, defaults", lambda: _app("playground").run())
    timed("descent: every view at 200 and 1000 steps, both presets", descent_all)
    timed("landscape: moons, every tab, 21 x 21", lambda: landscape_at(21))
    if not quick:
        timed("landscape: moons, every tab, 61 x 61", lambda: landscape_at(61))
        timed("landscape: digits, every tab, 21 x 21", lambda: landscape_at(21, "digits"))
    timed("digits: a drawing", digits_drawing)
    def functions_largest() -> None:
        from nnviz.nn import activations, initializers

        at = _app("functions")
        at.session_state["fn_acts"] = list(activations.names())
        at.session_state["fn_zrange"] = max(functions.Z_RANGES)
        at.session_state["fn_chain_acts"] = [n for n in activations.names() if activations.ACTIVATIONS.get(n).elementwise]
        at.session_state["fn_chain_depth"] = 60
        at.session_state["fn_inits"] = list(initializers.names())
        at.session_state["fn_init_depth"], at.session_state["fn_init_width"] = 30, 128
        at.session_state["fn_ce_classes"] = 10
        _tabs(at.run(), "fn_tab", functions.TABS)

    timed("functions: every tab, defaults", lambda: _tabs(_app("functions").run(), "fn_tab", functions.TABS))
    timed("functions: every tab, every entry, the largest sizes", functions_largest)
    timed("backprop: every tab", lambda: _tabs(_app("backprop").run(), "bp_tab", backprop.TABS))
    return done


def caches() -> list[dict]:
    """One row per cached function: kind, name, bounds, entries, largest and mean entry in MB."""
    from streamlit.runtime.caching import cache_data_api, cache_resource_api

    from nnviz.ui.session_memory import owned_bytes

    rows = []
    for kind, registry in (("data", cache_data_api._data_caches), ("resource", cache_resource_api._resource_caches)):
        for scope in list(registry._function_caches.values()):
            for cache in list(scope.values()):
                if kind == "data":
                    mem = cache.storage._mem_cache
                    sizes = [len(v) for v in list(mem.values())]
                    bounds = (cache.max_entries, getattr(cache, "max_size_bytes", None), cache.ttl_seconds)
                else:
                    sizes = [owned_bytes(getattr(v, "value", v)) for v in list(cache._mem_cache.values())]
                    bounds = (cache.max_entries, None, getattr(cache, "ttl_seconds", None))
                rows.append({"kind": kind, "name": cache.display_name, "max_entries": bounds[0],
                             "max_size": bounds[1], "ttl": bounds[2], "entries": len(sizes),
                             "largest MB": max(sizes, default=0) / 1e6,
                             "mean MB": (sum(sizes) / len(sizes) / 1e6) if sizes else 0.0})
    return sorted(rows, key=lambda r: -r["largest MB"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 61 x 61 and digits landscapes")
    args = ap.parse_args(argv)
    print("scenarios (AppTest, in this process):", flush=True)
    scenarios(args.quick)
    print(f"\n{'cache':<58}{'kind':>9}{'max_ent':>8}{'max_size MB':>12}{'entries':>8}{'largest MB':>11}"
          f"{'mean MB':>9}")
    for r in caches():
        size = "-" if r["max_size"] is None else f"{r['max_size'] / 2**20:.0f}"
        print(f"{r['name'][-58:]:<58}{r['kind']:>9}{r['max_entries']:>8}{size:>12}{r['entries']:>8}"
              f"{r['largest MB']:>11.3f}{r['mean MB']:>9.3f}")
    print("data: pickled bytes per entry; resource: the object's own bytes (MNIST's arrays are shared with "
          "every page that reads them)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
