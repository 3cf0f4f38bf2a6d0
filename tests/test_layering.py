"""The house: imports point one way (pages -> ui -> analytics), analytics' folders stack in the
order analytics/README.md gives, pages take numbers only from analytics.screens, and nothing
imports in a circle (type-only imports under ``if TYPE_CHECKING`` aside).

Imports inside functions count: a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("analytics", "ui", "pages")

# analytics' folders from the bottom up: a module may import its own folder and lower levels only.
LEVELS: dict[str, int] = {
    "config": 0, "textfmt": 0, "rules": 0, "security": 0,
    "store": 1,
    "importers": 2, "metrics": 2,
    "screens": 3, "demo": 3,
    "review": 4,
    "live": 5, "ledger": 5,
    "cli": 6, "__main__": 7,
}
# What a page may take from analytics besides analytics.screens: definitions and places, not
# numbers about complaints (metric labels, region geometry, the import error type, the Data
# page's view of the store and the audit log).
PAGE_MAY_IMPORT = (
    "analytics.screens", "analytics.metrics.registry", "analytics.rules.regions", "analytics.importers.errors",
    "analytics.store.status", "analytics.security.audit",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _files() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Project modules ``path`` imports at run time (module level or inside functions)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                # ``from analytics.store import reads`` imports the module analytics.store.reads;
                # ``from analytics.store import connect`` a name of analytics.store itself.
                subs = {f"{child.module}.{a.name}" for a in child.names} & modules
                found.update(subs)
                if len(subs) < len(child.names):
                    found.add(child.module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in modules or m.split(".")[0] in ("streamlit",)}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    files = _files()
    names = set(files)
    return {name: _imports(path, names) for name, path in files.items()}


def test_analytics_never_imports_streamlit_or_ui(graph):
    bad = {m: sorted(i for i in deps if i.split(".")[0] in ("streamlit", "ui", "pages"))
           for m, deps in graph.items() if m.startswith("analytics")}
    assert {m: d for m, d in bad.items() if d} == {}


def test_ui_never_imports_pages(graph):
    bad = {m: sorted(i for i in deps if i.startswith("pages")) for m, deps in graph.items() if m.startswith("ui")}
    assert {m: d for m, d in bad.items() if d} == {}


def _folder(module: str) -> str:
    return module.split(".")[1]


def test_every_analytics_folder_has_a_level():
    folders = {_folder(m) for m in _files() if m.count(".") >= 1 and m.startswith("analytics.")}
    assert folders <= set(LEVELS), f"give these a level here and in analytics/README.md: {folders - set(LEVELS)}"


def test_analytics_folders_import_downward_only(graph):
    bad = []
    for mod, deps in graph.items():
        if not mod.startswith("analytics."):
            continue
        here = _folder(mod)
        for dep in deps:
            if not dep.startswith("analytics.") or _folder(dep) == here:
                continue
            if LEVELS[_folder(dep)] >= LEVELS[here]:
                bad.append(f"{mod} -> {dep}")
    assert bad == []


def test_pages_take_numbers_only_from_screens(graph):
    bad = [f"{mod} -> {dep}" for mod, deps in graph.items() if mod.startswith("pages.")
           for dep in deps if dep.startswith("analytics") and dep not in PAGE_MAY_IMPORT]
    assert bad == []


def test_no_import_cycles(graph):
    """Tarjan's strongly connected components over the run-time import graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    assert cycles == []


def test_the_checker_sees_a_cycle_hidden_in_a_function(tmp_path):
    """The graph includes imports made inside functions (how the old access<->frame cycle hid)."""
    (tmp_path / "m.py").write_text("def f():\n    from analytics import screens\n    return screens\n")
    assert _imports(tmp_path / "m.py", {"analytics.screens"}) == {"analytics.screens"}
    (tmp_path / "t.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import analytics.screens\n")
    assert _imports(tmp_path / "t.py", {"analytics.screens"}) == set()
