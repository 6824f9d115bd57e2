"""What one session holds per page, before and after an idle release, and after coming back.

Each page runs in this process through ``AppTest`` and is used the way a visitor uses it (the
playground plays ten ticks and a four-run comparison plays five; the digits page trains the
default MLP to the end and shows its evaluation; the landscape, descent, functions and backprop
pages open with their defaults); then ``nnviz.ui.session_memory.release`` gives back what the
pages declared heavy, as the server's thread does for an idle session; then the page runs again,
as when the user comes back. Prints the session's owned bytes (``session_memory.owned_bytes``:
NumPy buffers counted where owned) in total and its largest keys at each point, and whether the
page came back without an exception.

    python bench/bench_session_memory.py [--pages playground,digits,...]

Prints; never asserts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ("playground", "digits", "landscape", "descent", "functions", "backprop")


def sizes(at) -> tuple[int, list[tuple[int, str]]]:
    """(owned bytes of the whole session state, the largest keys)."""
    from nnviz.ui.session_memory import owned_bytes

    raw = at.session_state._state._state  # Streamlit's SessionState behind AppTest's two wrappers
    values = {**raw._old_state, **raw._new_session_state}
    rows = sorted(((owned_bytes(v), str(k).rsplit("-", 1)[-1]) for k, v in values.items()), reverse=True)
    return sum(b for b, _ in rows), rows[:3]


def use(page: str, at) -> None:
    """The page's main controls, as a visitor uses them."""
    if page == "playground":
        at.button(key="pg_play").click().run()
        for _ in range(10):
            time.sleep(0.2)
            at.run()
        at.session_state["pg_tab"] = ":material/compare: Compare runs"
        at.run()
        at.button(key="pg_cmp_play").click().run()
        for _ in range(5):
            time.sleep(0.2)
            at.run()
    elif page == "digits":
        at.button(key="dg_start").click().run()
        for _ in range(200):
            if not at.session_state["dg_run"].running:
                break
            at.run()
        at.run()  # the evaluation


def main(argv: list[str] | None = None) -> int:
    from streamlit.testing.v1 import AppTest

    from nnviz.ui import session_memory

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=",".join(PAGES))
    args = ap.parse_args(argv)
    print(f"{'page':<12}{'point':<22}{'MB':>8}  largest keys (MB)")
    for page in args.pages.split(","):
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=600).run()
        use(page, at)
        points = [("used", sizes(at))]
        out = session_memory.release(at.session_state)
        points.append(("released (idle)", sizes(at)))
        at.run()
        points.append(("came back", sizes(at)))
        for name, (total, top) in points:
            print(f"{page:<12}{name:<22}{total / 1e6:>8.3f}  " + ", ".join(f"{k} {b / 1e6:.3f}" for b, k in top))
        print(f"{'':<12}released keys {out.keys or 'none'}: {out.freed / 1e6:.2f} MB; exceptions on coming back: "
              f"{len(at.exception)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
