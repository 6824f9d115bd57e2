"""Every shared cache is bounded and in the ceiling: each ``st.cache_data`` / ``st.cache_resource``
in the code has ``max_entries`` (and each ``functools`` cache a ``maxsize``), and each one has a row
with the same bounds in docs/ARCHITECTURE.md's cache table, whose worst cases add up to at most
the ceiling it states. A new cache cannot slip in unbounded or uncounted."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "nnviz").rglob("*.py"))]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
#: functools caches without a maxsize that are bounded otherwise (the bound column says how).
BOUNDED_BY_KEYS = {"nnviz.labs.playground.experiment.task_of": "one per registered toy set"}
MIB = 2**20


@dataclass(frozen=True)
class Cache:
    name: str  # module.function
    kind: str  # "data", "resource" or "functools"
    bounds: dict[str, object]  # the decorator's keyword arguments that bound it (literal values)


def _literal(node: ast.AST) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)


def _kind(func: ast.AST) -> str | None:
    """'data', 'resource' or 'functools' for a cache decorator's callee, else None."""
    name = ast.unparse(func)
    if name.endswith(("cache_data", "cache_resource")):
        return "data" if name.endswith("cache_data") else "resource"
    if name in ("lru_cache", "functools.lru_cache", "cache", "functools.cache"):
        return "functools"
    return None


def caches_in(path: Path) -> list[Cache]:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts) if path.is_relative_to(ROOT) else path.stem
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for deco in node.decorator_list:
            call = deco if isinstance(deco, ast.Call) else None
            kind = _kind(call.func if call else deco)
            if kind is None:
                continue
            bounds = {k.arg: _literal(k.value) for k in (call.keywords if call else [])
                      if k.arg in ("max_entries", "max_size", "ttl", "maxsize")}
            if kind == "functools" and call and call.args:  # lru_cache(8)
                bounds["maxsize"] = _literal(call.args[0])
            if kind == "functools" and ast.unparse(call.func if call else deco).endswith("lru_cache"):
                bounds.setdefault("maxsize", 128)  # lru_cache's default
            found.append(Cache(f"{module}.{node.name}", kind, bounds))
    return found


def code_caches() -> dict[str, Cache]:
    return {c.name: c for path in SOURCES for c in caches_in(path)}


def doc_table() -> tuple[dict[str, dict[str, str]], float]:
    """The cache table's rows by cache name, and the stated ceiling in MB."""
    text = DOC.read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"`[\w.]+`", cells[0]):
            rows[cells[0].strip("`")] = {"kind": cells[1], "bound": cells[3], "worst": cells[4]}
    ceiling = re.search(r"\*\*Ceiling: ([\d,.]+) MB\*\*", text)
    assert ceiling, "docs/ARCHITECTURE.md states no '**Ceiling: N MB**'"
    return rows, float(ceiling.group(1).replace(",", ""))


def _size_mb(value: object) -> float:
    """A Streamlit max_size ("128MB": MiB) in MB."""
    number, unit = re.fullmatch(r"([\d.]+)\s*([KMG]i?B)", str(value).strip(), re.I).groups()
    scale = {"k": 2**10, "m": MIB, "g": 2**30}[unit[0].lower()]
    return float(number) * scale / 1e6


def test_the_scan_sees_the_caches():
    found = code_caches()
    assert {"nnviz.ui.common.mnist_dataset", "nnviz.ui.landscape.train_runs",
            "nnviz.labs.playground.views.grid_features"} <= set(found)
    assert found["nnviz.ui.landscape.train_runs"].bounds["max_entries"] >= 1


def bounded(cache: Cache) -> bool:
    if cache.kind == "functools":
        return isinstance(cache.bounds.get("maxsize"), int) or cache.name in BOUNDED_BY_KEYS
    return isinstance(cache.bounds.get("max_entries"), int) and cache.bounds["max_entries"] >= 1


def test_the_scan_tells_an_unbounded_cache(tmp_path):
    module = tmp_path / "caches.py"
    module.write_text("import functools\nimport streamlit as st\n\n"
                      "@st.cache_data\ndef a(): ...\n\n@st.cache_resource(max_entries=None)\ndef b(): ...\n\n"
                      "@functools.cache\ndef c(): ...\n\n@functools.lru_cache(maxsize=None)\ndef d(): ...\n\n"
                      "@st.cache_data(max_entries=4, max_size='1MB')\ndef e(): ...\n\n@functools.lru_cache\ndef f(): ...\n")
    found = {c.name.split(".")[-1]: bounded(c) for c in caches_in(module)}
    assert found == {"a": False, "b": False, "c": False, "d": False, "e": True, "f": True}


@pytest.mark.parametrize("cache", list(code_caches().values()), ids=lambda c: c.name)
def test_every_cache_has_a_bound(cache):
    assert bounded(cache), (f"{cache.name}: st.cache_data / st.cache_resource need max_entries=<int>, functools' "
                            "caches a maxsize (or BOUNDED_BY_KEYS saying what bounds their keys)")


def test_every_cache_is_in_the_table_with_its_bounds():
    rows, _ = doc_table()
    code = code_caches()
    assert set(code) == set(rows), (f"in the code, not in the table: {sorted(set(code) - set(rows))}; "
                                    f"in the table, not in the code: {sorted(set(rows) - set(code))}")
    for name, cache in code.items():
        row = rows[name]
        assert row["kind"] == cache.kind, name
        for key, value in cache.bounds.items():
            assert f"{key}={value}" in row["bound"].replace(" ", ""), f"{name}: the table says {row['bound']!r}"
        if cache.name in BOUNDED_BY_KEYS:
            assert BOUNDED_BY_KEYS[cache.name] in row["bound"]


def test_the_worst_cases_add_up_to_at_most_the_ceiling():
    rows, ceiling = doc_table()
    code = code_caches()
    for name, row in rows.items():
        worst = float(row["worst"])
        limit = code[name].bounds.get("max_size") if name in code else None
        if limit is not None:  # a byte limit: at least that much can be held
            assert worst >= round(_size_mb(limit), 1), f"{name}: worst case {worst} MB is below its max_size {limit}"
    total = sum(float(row["worst"]) for row in rows.values())
    assert total <= ceiling, f"the caches' worst cases add up to {total:.1f} MB, over the stated {ceiling:g} MB"
