"""Nothing a studio puts in its .xlsx is lost, stale or moved to another row.

Three studio workbooks (written by openpyxl, by xlsxwriter, and saved again by
LibreOffice) hold every kind of studio content (tests/fidelity.py) in studio tabs
and in Appointments and Balances. Each goes through a studio's month: syncs that
complete, create and renew sessions, a client closed (appointment rows deleted),
a schedule changed and an enrollment ended (re-planned, rows deleted), the
commission report run twice, and `init` adding a column. After every command the
workbook is compared with the one before it at the XML level: every studio object
stands on the row of the same record, nothing sheetsync had no reason to touch
changed by a byte, no formula keeps a stale value, and LibreOffice opens every
state and shows the values the cells say now.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fidelity import (
    BUILDERS,
    compare,
    read_parts,
    recalculates_on_load,
    shown_by_libreoffice,
    shown_problems,
    stale_values,
    tabs_init_completes,
    type_into,
)
from tests.libreoffice import needs_libreoffice
from tests.reliability import record


@dataclass(frozen=True)
class Step:
    name: str
    command: tuple[str, ...]  # after the workbook's path
    studio_types: Callable[[Path], None] = lambda book: None
    completes_tabs: bool = False  # init: the studio tabs lacking a column get its header


def close_two_clients(book: Path) -> None:
    for client in ("C2", "C4"):
        type_into(book, "Clients", {"client_id": client}, status="closed")


def replan(book: Path) -> None:
    type_into(book, "Enrollments", {"enrollment_id": "E1"}, schedule="Tue 14:00, Fri 14:00")
    type_into(book, "Enrollments", {"enrollment_id": "E3"}, status="ended")


def reprice(book: Path) -> None:
    type_into(book, "Appointments", {"appointment_id": "E1-1-01"}, price=600.0)


STEPS = (
    Step("sync: sessions completed, a package renewed", ("sync", "--now", "2026-03-21T09:00")),
    Step("sync later: completed, renewed", ("sync", "--now", "2026-03-26T09:00")),
    Step("two clients closed, sync", ("sync", "--now", "2026-03-27T09:00"), close_two_clients),
    Step("schedule changed and an enrollment ended, sync",
         ("sync", "--now", "2026-03-28T09:00"), replan),
    Step("report commissions", ("report", "commissions", "--month", "2026-03")),
    Step("a price typed, report commissions again",
         ("report", "commissions", "--month", "2026-03"), reprice),
    Step("init on the studio's workbook", ("init",), completes_tabs=True),
)


STALE = re.compile(r": (stale|LibreOffice shows|the workbook does not ask)")


def arguments(step: Step, book: Path) -> list[str]:
    if step.command[0] == "report":
        return [*step.command[:2], str(book), *step.command[2:]]
    return [step.command[0], str(book), *step.command[1:]]


@pytest.mark.parametrize("builder", [
    "openpyxl", pytest.param("xlsxwriter", marks=pytest.mark.slow),
    pytest.param("libreoffice", marks=[needs_libreoffice, pytest.mark.slow])])
def test_every_studio_object_stays_on_its_row_through_syncs_reports_and_init(
        builder: str, run: Any, tmp_path: Path) -> None:
    book = BUILDERS[builder](tmp_path / "studio.xlsx", tmp_path)
    problems: list[str] = []
    checked = syncs = others = 0
    states: list[tuple[str, Path]] = [("as built", shutil.copy(book, tmp_path / "state-0.xlsx"))]
    try:
        for number, step in enumerate(STEPS, 1):
            step.studio_types(book)
            before = read_parts(book)
            result = run(*arguments(step, book))
            assert result.exit_code == 0, f"{step.name}: {result.output}"
            syncs, others = (syncs + 1, others) if step.command[0] == "sync" else (syncs,
                                                                                   others + 1)
            after = read_parts(book)
            edited = tabs_init_completes(before) if step.completes_tabs else ()
            assert not step.completes_tabs or "Clients" in edited  # it has no phone column
            found = compare(before, after, edited)
            checked += found.checked
            later = found.problems + stale_values(after)
            if after != before and not recalculates_on_load(after):
                later.append("the workbook does not ask to be recalculated when opened")
            problems += [f"{step.name}: {p}" for p in later]
            states.append((step.name, shutil.copy(book, tmp_path / f"state-{number}.xlsx")))
        if shutil.which("soffice"):
            shown = shown_by_libreoffice([path for _name, path in states], tmp_path)
            for name, path in states[1:]:  # as built, values are the builder's
                count, seen = shown_problems(read_parts(path), shown[path])
                checked += count
                problems += [f"{name}: {p}" for p in seen]
    finally:
        stale = [p for p in problems if STALE.search(p)]
        record("fidelity", workbooks=1, syncs=syncs, reports_and_inits=others,
               objects_checked=checked, lost_or_misplaced=len(problems) - len(stale),
               stale_values=len(stale))
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


# -- the checker itself: it must see what a careless writer does ---------------------------
def test_the_checker_sees_everything_a_rewrite_by_openpyxl_loses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl
    import openpyxl.reader.drawings

    book = BUILDERS["openpyxl"](tmp_path / "studio.xlsx", tmp_path)
    before = read_parts(book)
    # openpyxl keeps images only when Pillow is installed (a plotting library brings it);
    # without it, as in the lightest install, it drops them: the loss the checker must see.
    monkeypatch.setattr(openpyxl.reader.drawings, "PILImage", False)
    openpyxl.load_workbook(book).save(book)
    problems = "\n".join(compare(before, read_parts(book)).problems)
    for lost in ("lost: drawing", "touched: xl/media/", "touched: customXml/item1.xml",
                 "touched: xl/printerSettings/"):
        assert lost in problems, lost


def test_the_checker_sees_a_note_moved_to_the_next_appointment(tmp_path: Path) -> None:
    book = BUILDERS["openpyxl"](tmp_path / "studio.xlsx", tmp_path)
    before = read_parts(book)
    after = dict(before)
    part = next(n for n, xml in before.items() if b"Bring the knee brace" in xml)
    after[part] = re.sub(rb'ref="O(\d+)"', lambda m: b'ref="O%d"' % (int(m.group(1)) + 1),
                         before[part])
    problems = compare(before, after).problems
    assert any(p.startswith("lost: comment") and "E1-2-02" in p for p in problems)
    assert any(p.startswith("appeared: comment") and "E1-2-03" in p for p in problems)
    assert compare(before, before).problems == []
