"""Where each element of an AppTest page stands: Streamlit's frontend keys a block's elements by
their place in it, and an element whose place changes from one run to the next is built anew in
the browser (a live view or a chart blinks). Messages that come and go have a fixed place of their
own (nnviz.ui.common.message_slot), so the other elements keep theirs."""

from __future__ import annotations

MESSAGES = ("Error", "Warning", "Info", "Success", "Exception")


def places(block, depth: int = 99, path: tuple[int, ...] = ()) -> list[tuple[tuple[int, ...], str]]:
    """(place, element type) of every element and block under ``block``, ``depth`` blocks down at
    most, but the messages; a place is the indices from ``block`` down to the element."""
    found = []
    for index, child in block.children.items():
        kind = type(child).__name__
        if kind in MESSAGES:
            continue
        found.append(((*path, index), kind))
        if hasattr(child, "children") and depth > 1:
            found += places(child, depth - 1, (*path, index))
    return found
