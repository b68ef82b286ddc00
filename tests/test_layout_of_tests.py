"""Every test module stands alone: what tests share lives in helper modules under tests/.

A test_*.py file that imports another one runs that file's tests twice (pytest collects
what the import brings in) and ties the two together; studios, helpers and fixtures belong in
tests/studio.py, tests/studios.py and the other helper modules instead. The imports are read
with ast, so imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def module_name(path: Path) -> str:
    """`tests.localsheets.test_replay` for tests/localsheets/test_replay.py."""
    return ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)


def imported_modules(source: str, module: str) -> set[str]:
    """The dotted names of every module `source` imports, relative imports resolved."""
    package = module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from tests import test_x` imports the module tests.test_x.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def imported_test_modules(source: str, module: str) -> list[str]:
    return sorted(name for name in imported_modules(source, module)
                  if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_"))


def test_no_module_under_tests_imports_a_test_module():
    offending = {}
    for path in sorted(TESTS.rglob("*.py")):
        module = module_name(path)
        imported = imported_test_modules(path.read_text(encoding="utf-8"), module)
        if imported:
            offending[str(path.relative_to(TESTS.parent))] = imported
    assert offending == {}, "move what they share into a helper module under tests/"


def test_every_way_of_importing_a_test_module_is_seen():
    module = "tests.localsheets.conftest"
    for source in ("from tests.test_sync_rules import PHYSIO",
                   "import tests.test_sync_rules",
                   "from tests import studio, test_sync_rules",
                   "def later():\n    from tests.test_sync_rules import PHYSIO\n"):
        assert imported_test_modules(source, "tests.test_x") == ["tests.test_sync_rules"]
    assert imported_test_modules("from .test_replay import SUMMARY", module) == [
        "tests.localsheets.test_replay"]
    assert imported_test_modules("from . import test_replay", module) == [
        "tests.localsheets.test_replay"]
    assert imported_test_modules("from ..studios import PHYSIO", module) == []
    assert imported_test_modules(
        "from tests.studio import studio\nfrom tests.studios import PHYSIO\n"
        "from sheetsync.stores.memory import MemoryStore", "tests.test_x") == []
