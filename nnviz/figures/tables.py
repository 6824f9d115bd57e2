"""Static tables as Markdown: a table that only shows values needs no data-grid code in the browser
(``st.dataframe`` made a first visit load two more large scripts). Text in, text out."""

from __future__ import annotations

import re

MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+!$~|])")


def md_escape(text: object) -> str:
    """``text`` as literal Markdown: every character Markdown (or Streamlit's $math$) would read
    is backslash-escaped, newlines become spaces."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text)).replace("\n", " ")


def markdown_table(rows: list[dict[str, str]], escape: bool = True) -> str:
    """Rows as a Markdown table: a static table needs no data-grid code in the browser (st.dataframe
    made the first visit load two more large scripts). ``escape=False``: the cells are Markdown
    already (escaped with ``md_escape`` where they hold text); only ``|`` is escaped."""
    if not rows:
        return ""

    def cell(v: object) -> str:
        return md_escape(v) if escape else str(v).replace("|", "\\|").replace("\n", " ")

    head = list(rows[0])
    lines = ["| " + " | ".join(cell(k) for k in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(r[k]) for k in head) + " |" for r in rows]
    return "\n".join(lines)
