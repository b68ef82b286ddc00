"""The columnar reader reads every workbook exactly as the row-by-row reader does.

read.py types each tab a column at a time and leaves every row with a cell it cannot read
cleanly to the row-by-row loop. For random studios with junk, spreadsheet errors, formulas
without a saved result, dates and numbers typed as text, blanks, -0.0, NaN, True beside 1,
ragged rows and whole columns of one value, both paths give the same Snapshot: records,
problems (texts and order), held sets, notices and taken ids.

Reading makes millions of objects and no cycle: no garbage collection runs while a
workbook is read or parsed, and the collector is back as it was afterwards.
"""

from __future__ import annotations

import copy
import gc
import random
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync import cells, engine
from sheetsync.read import read_snapshot
from sheetsync.stores.base import Table
from sheetsync.stores.xlsx import XlsxStore
from tests.junk import junk
from tests.studio import studio, xlsx_studio
from tests.studios import EVERY_TAB

NOW = datetime(2026, 11, 25, 10, 0)


def _synced() -> dict[str, Table]:
    store = studio(EVERY_TAB)
    engine.sync(store, NOW, started_at=NOW)
    outbox = store.tables["Notifications"]  # what earlier syncs sent, a key twice
    header = [str(h) for h in outbox.header]
    for key, status, attempts in [("k1", "sent", 1), ("k2", "failed", 3), ("k1", "pending", 0),
                                  ("k3", "queued", None), ("k4", None, 2)]:
        values: list[object] = [None] * len(header)
        for column, value in (("key", key), ("status", status), ("attempts", attempts)):
            values[header.index(column)] = value
        outbox.rows.append(values)
    return store.tables


BASE = _synced()

AWKWARD: list[object] = [
    None, "", " ", "\t", 0, 0.0, -0.0, float("nan"), 1, 1.0, True, False, 2, 2.0, -1,
    Decimal("1.0"), Decimal("1.00"), "1", "1.0", " 12 ", "1,500.00", "40%", "0.4",
    "2026-12-01", " 2026-12-01 ", "2026-12-01 14:00", 46357, 46357.5, 0.5833333333333334,
    date(2026, 12, 1), datetime(2026, 12, 1), datetime(2026, 12, 1, 14, 0), time(14, 0),
    "14:00", "2pm", "pending", "Completed", "paid cancel", "late cancel", "yes", "no",
    "E1", "E2", "C1", "ST1", "G1", "P10", "Mon 14:00", "A000001",
    cells.error_value("#N/A"), cells.error_value("#DIV/0!"), cells.uncached_formula("SUM(A1)"),
    cells.uncached_formula(""), cells.absurd_serial("-5"),
]


def _value(rng: random.Random) -> object:
    return rng.choice(AWKWARD) if rng.random() < 0.6 else junk(rng)


def _mutated(seed: int, edits: int) -> dict[str, Table]:
    rng = random.Random(seed)
    tables = copy.deepcopy(BASE)
    titles = sorted(tables)
    for _ in range(edits):
        table = tables[rng.choice(titles)]
        if not table.rows:
            continue
        width = len(table.header)
        action = rng.random()
        if action < 0.1:  # a whole column of one value: one type, one distinct value
            col, value = rng.randrange(width), _value(rng)
            for values in table.rows:
                values.extend([None] * (col + 1 - len(values)))
                values[col] = value
        elif action < 0.15:  # a ragged row, as a Google read ends a row at its last value
            values = rng.choice(table.rows)
            del values[rng.randrange(len(values) + 1):]
        elif action < 0.2:  # a copied row: duplicate ids
            table.rows.append(list(rng.choice(table.rows)))
        else:
            values = rng.choice(table.rows)
            col = rng.randrange(width)
            values.extend([None] * (col + 1 - len(values)))
            values[col] = _value(rng)
    return tables


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 60))
def test_columnar_and_row_by_row_read_the_same_snapshot(seed, edits):
    tables = _mutated(seed, edits)
    by_rows = read_snapshot(copy.deepcopy(tables), columnar=False)
    by_columns = read_snapshot(tables)
    assert by_columns.problems == by_rows.problems  # first: the clearest failure message
    assert by_columns == by_rows


def test_a_clean_studio_reads_the_same_by_columns():
    snapshot = read_snapshot(copy.deepcopy(BASE))
    assert snapshot == read_snapshot(copy.deepcopy(BASE), columnar=False)
    assert snapshot.appointments and len(snapshot.notices) == 4 and not snapshot.problems


def test_each_cell_of_a_bad_column_is_reported_at_its_row_as_the_row_reader_does():
    tables = copy.deepcopy(BASE)
    appointments = tables["Appointments"]
    date_col = [str(h) for h in appointments.header].index("date")
    for values in appointments.rows:
        values[date_col] = "31/12/2026"  # the same bad value in every row
    snapshot = read_snapshot(tables)
    reported = [(p.row, p.column, p.problem) for p in snapshot.problems
                if p.tab == "Appointments" and p.column == "date"]
    assert reported == [(row, "date", "'31/12/2026' is not a date; write it as 2026-12-01.")
                        for row in range(2, len(appointments.rows) + 2)]
    assert snapshot == read_snapshot(copy.deepcopy(tables), columnar=False)


def _collections_during(action) -> int:
    """How many collections start while `action` runs (the one that may start as the
    collector comes back, with every allocation of the read pending, is counted too)."""
    runs: list[str] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(phase)

    gc.callbacks.append(count)
    try:
        action()
    finally:
        gc.callbacks.remove(count)
    return len(runs)


def test_no_garbage_collection_runs_while_a_workbook_is_read_and_the_gc_is_back_after():
    tables = copy.deepcopy(BASE)
    appointments = tables["Appointments"]
    appointments.rows.extend(list(values) for values in appointments.rows * 300)
    assert gc.isenabled()
    assert _collections_during(lambda: read_snapshot(tables)) <= 1  # dozens without the pause
    assert gc.isenabled()
    gc.disable()
    try:
        read_snapshot(copy.deepcopy(BASE))
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()


def test_no_garbage_collection_runs_while_calamine_reads_an_xlsx(tmp_path):
    path = xlsx_studio(tmp_path / "studio.xlsx", EVERY_TAB)
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("Notes")  # a tab of the studio's own, big enough to collect
    for n in range(3000):
        notes.append([f"note {n}", n, n / 7, datetime(2026, 1, 1, n % 24)])
    book.save(path)
    store = XlsxStore(path)
    tables: dict[str, Table] = {}
    assert _collections_during(lambda: tables.update(store.read())) <= 1
    assert store.read_with == "calamine" and tables["Packages"].rows
    assert gc.isenabled()


def test_only_the_first_row_of_a_notice_key_is_read_whichever_path_reads_it():
    tables = copy.deepcopy(BASE)
    outbox = tables["Notifications"]
    header = [str(h) for h in outbox.header]
    status, attempts = header.index("status"), header.index("attempts")
    outbox.rows[2][status] = "maybe"  # k1 again: never read, so never reported
    outbox.rows[1][attempts] = cells.error_value("#REF!")  # k2: read, reported, still failed
    snapshot = read_snapshot(tables)
    assert [(p.tab, p.row, p.column) for p in snapshot.problems] == [
        ("Notifications", 3, "attempts")]
    assert snapshot.notices["k1"].status == "sent" and snapshot.notices["k2"].attempts == 0
    assert snapshot == read_snapshot(copy.deepcopy(tables), columnar=False)
