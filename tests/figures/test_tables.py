"""Markdown tables echo text literally (nnviz.figures.tables)."""

from nnviz.figures.tables import markdown_table, md_escape


def test_markdown_is_escaped():
    assert md_escape("**a** [b](c) $x$ |") == r"\*\*a\*\* \[b\]\(c\) \$x\$ \|"


def test_rows_make_a_table():
    table = markdown_table([{"name": "relu", "f": "max(0, z)"}, {"name": "a|b", "f": "x\ny"}])
    assert table.splitlines() == ["| name | f |", "|---|---|", r"| relu | max\(0, z\) |", r"| a\|b | x y |"]
    assert markdown_table([]) == ""
    assert markdown_table([{"a": "**b**"}], escape=False).splitlines()[-1] == "| **b** |"
