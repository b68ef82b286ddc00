"""Fuzzing the readers: junk typed into any cell of any studio tab never crashes a sync,
and every cell whose meaning is typed (dates, times, counts, money, rates, yes/no,
statuses, schedules, ids) that cannot be read is reported at its tab, row and column.

A seeded generator keeps every run reproducible; SHEETSYNC_FUZZ_CELLS sets how many bad
cells to try (default 10,000, about ten seconds).
"""

from __future__ import annotations

import copy
import os
import random
from datetime import datetime

import pytest

from sheetsync import cells, engine
from sheetsync.schedule import parse_schedule
from sheetsync.schema import APPOINTMENTS, STUDIO_TABS, Tab
from sheetsync.stores.memory import MemoryStore
from tests.junk import junk
from tests.reliability import record
from tests.studio import records, studio
from tests.studios import EVERY_TAB

NOW = datetime(2026, 11, 25, 10, 0)

# Columns whose text means something: junk there must be reported. Free text (names,
# notes, phone, method, reason) may hold anything.
TYPED = {
    "Appointments": {"status", "date", "start", "end", "staff_id", "price", "commission"},
    "Packages": {"package_id", "sessions", "price", "duration_min", "commission_rate", "active"},
    "Clients": {"client_id", "email", "status"},
    "Staff": {"staff_id", "email", "role", "commission_rate"},
    "Groups": {"group_id", "staff_id", "schedule", "capacity"},
    "Enrollments": {"enrollment_id", "client_id", "package_id", "start_date", "staff_id",
                    "schedule", "group_id", "price_override", "auto_renew", "status"},
    "Payments": {"enrollment_id", "amount", "date", "period"},
    "Closures": {"start_date", "end_date", "staff_id", "client_id", "group_id"},
}
# Blank is a fine value for optional columns; ids may be blank where the row does not need one.
BLANK_OK = {"price", "commission", "duration_min", "commission_rate", "active", "email", "status", "role", "capacity",
            "staff_id", "schedule", "group_id", "price_override", "auto_renew", "period",
            "end_date", "client_id"}


def _columns(tab: Tab) -> list[str]:
    return list(tab.column_names)


def _status(store: MemoryStore, row: int) -> str:
    try:
        return cells.parse_status(records(store, "Appointments")[row - 2]["status"])
    except cells.CellError:
        return ""


def synced_studio() -> MemoryStore:
    store = studio(EVERY_TAB)
    engine.sync(store, NOW, started_at=NOW)
    return store


BASE = synced_studio()
EDITABLE = ["status", "date", "start", "end", "staff_id", "price", "commission"]


def fuzz_round(rng: random.Random, count: int) -> tuple[int, int]:
    """Inject `count` junk cells into one studio; return (bad cells, cells reported)."""
    store = MemoryStore(copy.deepcopy(BASE.tables))
    injected: dict[tuple[str, int, str], object] = {}
    for _ in range(count):
        tab = rng.choice([*STUDIO_TABS, APPOINTMENTS])
        table = store.tables[tab.name]
        row = rng.randint(2, len(table.rows) + 1)
        column = rng.choice(EDITABLE if tab is APPOINTMENTS else _columns(tab))
        value = junk(rng)
        store.set(tab.name, row, column, value)
        injected[(tab.name, row, column)] = value
    ids = {column: {cells.text(r[column]) for r in records(store, tab)}
           for tab, column in PRIMARY.items()}
    report = engine.sync(store, NOW, started_at=NOW)  # must not raise
    reported = {(p.tab, p.row, p.column) for p in report.problems}
    for p in report.problems:
        assert p.problem.endswith(".") and len(p.problem) < 600, p  # one readable sentence
        assert len(p.value) <= 200
    must_report = 0
    for (tab, row, column), value in injected.items():
        if tab == "Appointments" and column == "staff_id" and _status(store, row) != "pending":
            continue  # a held session may name someone who has left
        if column not in TYPED[tab] or _plausible(tab, column, value, ids):
            continue
        must_report += 1
        assert (tab, row, column) in reported, (tab, row, column, repr(value)[:80],
                                                sorted(reported))
    assert report.exit_code == (1 if report.problems else 0)
    return len(injected), must_report


PRIMARY = {"Packages": "package_id", "Clients": "client_id", "Staff": "staff_id",
           "Groups": "group_id", "Enrollments": "enrollment_id"}
REFERENCES = {"package_id", "client_id", "staff_id", "group_id", "enrollment_id"}


def _plausible(tab: str, column: str, value: object, ids: dict[str, set[str]]) -> bool:
    """Junk that happens to be a valid value for the column (or a blank where one is fine).

    Values the column's reader accepts are readable by definition; the cells tests pin
    down that look-alikes such as `1e5` or `1,2,3` are not accepted as numbers.
    """
    if cells.is_blank(value):
        return column in BLANK_OK and PRIMARY.get(tab) != column
    if PRIMARY.get(tab) == column:
        return True  # any text names a new record; what pointed at the old id is reported
    if column in REFERENCES:
        return cells.text(value) in ids[column]  # junk that became an id elsewhere too
    parser = _status_parser(tab) if column == "status" else PARSERS.get(column)
    if column == "email":
        return isinstance(value, str) and value.count("@") == 1 and "." in value.split("@")[1] \
            and "\n" not in value and " " not in value.strip()
    if parser is None:
        return False
    try:
        parsed = parser(value)
    except cells.CellError:
        return False
    if column in ("price", "price_override") and parsed < 0:
        return False
    return not (column == "duration_min" and parsed > 1440)


def _choice(*options: str):  # type: ignore[no-untyped-def]
    def parse(value: object) -> str:
        if cells.text(value).lower() not in options:
            raise cells.CellError("no")
        return cells.text(value)
    return parse


PARSERS = {
    "sessions": cells.parse_count, "duration_min": cells.parse_count,
    "capacity": cells.parse_count, "period": cells.parse_count,
    "price": cells.parse_money, "amount": cells.parse_money,
    "price_override": cells.parse_money, "commission_rate": cells.parse_rate,
    "start_date": cells.parse_date, "date": cells.parse_date, "end_date": cells.parse_date,
    "active": cells.parse_bool, "auto_renew": cells.parse_bool,
    "schedule": parse_schedule,
    "start": cells.parse_time, "end": cells.parse_time, "commission": cells.parse_money,
    "role": _choice("staff", "manager"),
}


def _status_parser(tab: str):  # type: ignore[no-untyped-def]
    if tab == "Appointments":
        return cells.parse_status
    return _choice("active", "closed") if tab == "Clients" else _choice("active", "ended")


@pytest.mark.slow
def test_ten_thousand_bad_cells_never_crash_and_are_all_reported():
    total = int(os.environ.get("SHEETSYNC_FUZZ_CELLS", "10000"))
    rng = random.Random(20261124)
    tried = reported = rounds = 0
    while tried < total:
        count, must = fuzz_round(rng, rng.randint(1, 12))
        tried, reported, rounds = tried + count, reported + must, rounds + 1
    record("fuzz", bad_cells=tried, workbooks=rounds, reported_cells=reported, crashes=0)


def test_junk_in_a_real_workbook_exits_1_without_a_traceback(tmp_path, monkeypatch):
    import openpyxl
    from click.testing import CliRunner

    from sheetsync.cli import cli
    from tests.studios import physio_workbook

    rng = random.Random(7)
    path = physio_workbook(tmp_path / "studio.xlsx").path
    wb = openpyxl.load_workbook(path)
    for _ in range(60):
        ws = wb[rng.choice(["Packages", "Clients", "Staff", "Enrollments"])]
        value = junk(rng)
        if isinstance(value, str):
            value = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = ws.cell(rng.randint(2, ws.max_row), rng.randint(1, ws.max_column))
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
    wb.save(path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["sync", "studio.xlsx", "--now", "2026-12-04T10:00"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "problem(s) found" in result.output
