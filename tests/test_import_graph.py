"""The shape of the package, read from its source with `ast` (nothing is imported).

Data flows one way (STYLE.md): no two sheetsync modules import each other, directly or
round a longer cycle, and the pure core imports no library that does I/O, so the core
is tested without a workbook, a mail server or a clock.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sheetsync"

#: Modules that must stay pure: records and functions over them, no I/O.
PURE = ("model", "schedule", "ledger", "plan", "cells", "sheet", "read", "validate", "alerts",
        "apply", "messages", "formatting", "month", "statement", "durations", "schema",
        "collector", "words", "i18n",  # i18n reads only the catalogs shipped in the package
        "phrases", "problem_text")

#: Top-level libraries that do I/O (files, network, mail, processes, spreadsheets).
IO_LIBRARIES = ("os", "smtplib", "jinja2", "socket", "ssl", "email", "openpyxl", "gspread",
                "google", "pandas", "python_calamine", "http", "subprocess", "watchdog",
                "icalendar")


def module_name(path: Path) -> str:
    """`stores.base` for sheetsync/stores/base.py, `stores` for its __init__.py."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every module `path` imports (anywhere in the file), absolute, with its line.

    sheetsync's own modules come as `sheetsync.x.y`; `from . import cells` names
    `sheetsync.cells`, since the imported name may be a module.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ["sheetsync", *module_name(path).split(".")]
    if path.name != "__init__.py":
        package.pop()
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return found


def own_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))
            if module_name(p) and "__pycache__" not in p.parts}


def import_graph() -> dict[str, set[str]]:
    """sheetsync module -> the sheetsync modules it imports (names without `sheetsync.`)."""
    modules = own_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {target.removeprefix("sheetsync.") for target, _ in imports_of(path)
                   if target.startswith("sheetsync.")}
        # a module's own package (`from . import x` in stores/gsheets.py) is its parent, not
        # an import that could close a cycle
        graph[name] = {t for t in targets if t in modules and t != name
                       and not name.startswith(f"{t}.")}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path `a -> b -> ... -> a`, or [] when there is none."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def io_imports(module: str) -> list[str]:
    """`line N: import X` for every I/O library the module imports."""
    path = own_modules()[module]
    return [f"line {line}: imports {target}" for target, line in imports_of(path)
            if target.split(".")[0] in IO_LIBRARIES]


def test_the_graph_is_read_from_the_source():
    graph = import_graph()
    assert {"engine", "notify", "messages", "stores.base", "stores"} <= set(graph)
    assert "messages" in graph["alerts"] and "plan" in graph["engine"]
    assert "stores.base" in graph["stores"]  # relative imports of a package's __init__


def test_no_import_cycle_among_sheetsync_modules():
    cycle = find_cycle(import_graph())
    assert not cycle, "sheetsync modules import each other in a cycle: " + " -> ".join(cycle)


def test_a_cycle_is_found_and_named():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_the_pure_core_imports_no_io_library():
    modules = own_modules()
    assert {"model", "plan", "alerts", "apply", "messages", "formatting"} <= set(modules)
    offenders = {m: found for m in PURE if m in modules and (found := io_imports(m))}
    assert not offenders, "pure modules import I/O libraries: " + "; ".join(
        f"sheetsync/{m.replace('.', '/')}.py {', '.join(found)}" for m, found in offenders.items())


def test_the_pure_core_leans_only_on_pure_modules():
    """Not even through another sheetsync module: alerts.py once reached smtplib via notify."""
    leaning_on = ("stores.base", "errors")  # plain records and exception classes
    graph = import_graph()
    offenders = {f"{m} imports {', '.join(sorted(bad))}" for m in PURE if m in graph
                 and (bad := graph[m] - set(PURE) - set(leaning_on))}
    assert not offenders, "pure modules import modules that do I/O: " + "; ".join(
        sorted(offenders))


def test_the_io_check_sees_an_io_import():
    assert any("imports smtplib" in line for line in io_imports("notify"))
    assert any("imports jinja2" in line for line in io_imports("notify"))
