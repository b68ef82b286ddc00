"""The Commissions tab: a report replaces its month's rows and nothing else."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sheetsync.month import Month
from sheetsync.read import locate, read_snapshot
from sheetsync.report import commission_report
from sheetsync.report_tab import commission_changes, publish
from sheetsync.schema import COMMISSIONS
from sheetsync.stores.base import Cell, WorkbookChanges
from sheetsync.stores.memory import MemoryStore
from tests.december import DECEMBER, FIRST_OF_JANUARY, december_studio
from tests.studio import edit, records, studio

NOVEMBER = Month(2026, 11)


def run(store: MemoryStore, month: Month, now: datetime = FIRST_OF_JANUARY) -> WorkbookChanges:
    tables = store.read()
    return publish(store, tables, commission_report(read_snapshot(tables), month, now))


def tab(store: MemoryStore) -> list[tuple[object, ...]]:
    return [tuple(r.values()) for r in records(store, "Commissions")]


NOVEMBER_ROWS = [("2026-11", "ST1", "Elif", 1, 360, 144)]
DECEMBER_ROWS = [("2026-12", "ST2", "Can", 5, 1360, 376),
                 ("2026-12", "ST1", "Elif", 10, 3409.99, 1363.99)]


def test_months_are_written_one_after_the_other():
    store = december_studio()
    run(store, NOVEMBER)
    run(store, DECEMBER)
    assert tab(store) == NOVEMBER_ROWS + DECEMBER_ROWS


def test_a_rerun_with_the_same_data_writes_nothing():
    store = december_studio()
    run(store, NOVEMBER)
    run(store, DECEMBER)
    writes = store.writes
    assert not run(store, DECEMBER)
    assert not run(store, NOVEMBER)
    assert store.writes == writes


def test_an_earlier_month_run_later_goes_before_the_later_months():
    store = december_studio()
    run(store, DECEMBER)
    run(store, NOVEMBER)
    assert tab(store) == NOVEMBER_ROWS + DECEMBER_ROWS


def test_a_rerun_replaces_only_its_month_and_rows_below_move_with_the_studios_cells():
    """November gains a staff member after a correction: December moves down one row and
    keeps the studio's own 'paid out' notes, row by row."""
    store = december_studio()
    run(store, NOVEMBER)
    run(store, DECEMBER)
    store.tables["Commissions"].header.append("paid out")
    store.set("Commissions", 3, "paid out", "yes, 2 Jan")  # Can's December row
    store.set("Commissions", 4, "paid out", "=F4")  # a formula's value, read as text here
    edit(store, "Appointments", {"appointment_id": "E1-1-01"}, staff_id="ST2")
    changes = run(store, NOVEMBER)
    assert tab(store) == [
        ("2026-11", "ST2", "Can", 1, 360, 126, None),
        *[(*row, note) for row, note in zip(DECEMBER_ROWS, ["yes, 2 Jan", "=F4"], strict=True)],
    ]
    assert changes.cells_written < 20


def test_a_staff_members_own_cells_stay_with_their_row_when_the_month_is_rerun():
    store = december_studio()
    run(store, DECEMBER)
    store.tables["Commissions"].header.append("note")
    store.set("Commissions", 3, "note", "bonus agreed")  # Elif
    edit(store, "Staff", {"staff_id": "ST1"}, name="Elif Demir")  # she now sorts after Can
    run(store, DECEMBER)
    assert [(r["staff_name"], r["note"]) for r in records(store, "Commissions")] == [
        ("Can", None), ("Elif Demir", "bonus agreed")]


def test_rows_the_report_cannot_place_are_never_lost():
    store = december_studio()
    store.append("Commissions", {"month": "Total 2025", "staff_name": "kept by hand",
                                 "commission": 99})
    store.append("Commissions", {"month": datetime(2026, 10, 1), "staff_id": "ST1",
                                 "sessions": 2, "revenue": 800, "commission": 320})
    run(store, DECEMBER)
    run(store, NOVEMBER)
    rows = tab(store)
    assert rows[0][:3] == ("Total 2025", None, "kept by hand")
    assert rows[1][:2] == (datetime(2026, 10, 1), "ST1")  # a date cell: October, before
    assert rows[2:] == NOVEMBER_ROWS + DECEMBER_ROWS


def test_a_month_whose_sessions_are_gone_loses_its_rows():
    store = december_studio()
    run(store, NOVEMBER)
    run(store, DECEMBER)
    edit(store, "Appointments", {"appointment_id": "E1-1-01"}, status="cancelled")
    run(store, NOVEMBER)
    assert tab(store) == DECEMBER_ROWS


def test_an_empty_month_writes_nothing_into_an_empty_tab():
    store = december_studio()
    assert not run(store, Month(2026, 10))
    assert tab(store) == []


def test_text_that_looks_like_a_formula_stays_text():
    store = december_studio()
    edit(store, "Staff", {"staff_id": "ST2"}, name="=cmd|' /C calc'!A0")
    run(store, DECEMBER)
    assert records(store, "Commissions")[0]["staff_name"] == "=cmd|' /C calc'!A0"


def test_the_changes_are_pure_and_in_read_coordinates():
    store = studio()
    store.append("Commissions", {"month": "2026-11", "staff_id": "ST1", "sessions": 1})
    store.append("Commissions", {"month": "2026-12", "staff_id": "ST1", "sessions": 9})
    cols = locate(store.read(), COMMISSIONS)[0]
    assert cols is not None
    rows: list[dict[str, Cell]] = [
        {"month": "2026-12", "staff_id": "ST1", "staff_name": "Elif", "sessions": 10,
         "revenue": Decimal("1.00"), "commission": Decimal("0.40")}]
    changes = commission_changes(cols, DECEMBER, rows).tabs["Commissions"]
    assert changes.updates == {(3, 3): "Elif", (3, 4): 10, (3, 5): Decimal("1.00"),
                               (3, 6): Decimal("0.40")}
    assert changes.deletes == set()
