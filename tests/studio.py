"""Build studios from small text tables, the way the sheet looks, and inspect the result.

    store = studio('''
        Packages
        package_id | name      | sessions | price
        P10        | Physio 10 | 10       | 4000
    ''')

Tabs not given exist with their headers only. Cells that look like whole or
decimal numbers become numbers; everything else stays text, as typed.
"""

from __future__ import annotations

import re
import textwrap
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sheetsync import engine
from sheetsync.cells import parse_date, parse_time, text
from sheetsync.model import Appointment
from sheetsync.plan import Plan, plan
from sheetsync.read import read_snapshot
from sheetsync.schema import ALL_TABS, TABS_BY_NAME, header_key
from sheetsync.stores.base import Table
from sheetsync.stores.memory import MemoryStore

STARTED = datetime(2026, 1, 1, 0, 0)


def _cell(raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if re.fullmatch(r"-?\d+\.\d+", raw):
        return float(raw)
    return raw


def parse_tables(source: str) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    blocks = [b for b in re.split(r"\n\s*\n", textwrap.dedent(source).strip()) if b.strip()]
    for block in blocks:
        lines = [line for line in block.strip().splitlines() if line.strip()]
        name = lines[0].strip()
        header = [h.strip() for h in lines[1].split("|")]
        rows = [[_cell(c) for c in line.split("|")] for line in lines[2:]]
        tables[name] = Table(name, header, rows)
    return tables


def studio(source: str = "", *, missing: tuple[str, ...] = ()) -> MemoryStore:
    given = parse_tables(source) if source.strip() else {}
    tables: dict[str, Table] = {}
    for tab in ALL_TABS:
        if tab.name in missing:
            continue
        tables[tab.name] = given.pop(tab.name, Table(tab.name, list(tab.column_names), []))
    tables.update({name: table for name, table in given.items() if name not in missing})
    return MemoryStore(tables)


def sync(store: MemoryStore, now: datetime, **kwargs: Any) -> engine.SyncReport:
    return engine.sync(store, now, started_at=STARTED, **kwargs)


def plan_at(store: MemoryStore, now: datetime) -> Plan:
    return plan(read_snapshot(store.read()), now)


def records(store: MemoryStore, tab: str) -> list[dict[str, Any]]:
    table = store.read()[tab]
    names = [str(h) for h in table.header]
    return [dict(zip(names, row + [None] * (len(names) - len(row)), strict=True))
            for row in table.rows]


def appointments(store: MemoryStore, enrollment_id: str | None = None) -> list[dict[str, Any]]:
    rows = records(store, "Appointments")
    return [r for r in rows if enrollment_id is None or r["enrollment_id"] == enrollment_id]


def slots(store: MemoryStore, enrollment_id: str, *statuses: str) -> list[str]:
    """'2026-12-07 14:00' for each appointment of the enrollment (optionally by status)."""
    rows = appointments(store, enrollment_id)
    return sorted(
        f"{parse_date(r['date']):%Y-%m-%d} {parse_time(r['start']):%H:%M}"
        for r in rows if not statuses or r["status"] in statuses
    )


def balance(store: MemoryStore, enrollment_id: str, period: int = 1) -> dict[str, Any]:
    for row in records(store, "Balances"):
        if row["enrollment_id"] == enrollment_id and row["period"] == period:
            return row
    raise AssertionError(f"no balance for {enrollment_id} period {period}")


def find_row(store: MemoryStore, tab: str, **match: Any) -> int:
    """Sheet row number of the one row whose cells equal `match`."""
    found = [
        i + 2 for i, row in enumerate(records(store, tab))
        if all(text(row.get(k)) == text(v) for k, v in match.items())
    ]
    assert len(found) == 1, f"{len(found)} rows in {tab} match {match}"
    return found[0]


def edit(store: MemoryStore, tab: str, match: dict[str, Any], **values: Any) -> None:
    row = find_row(store, tab, **match)
    for column, value in values.items():
        store.set(tab, row, column, value)


def appointment_at(store: MemoryStore, enrollment_id: str, when: str) -> dict[str, Any]:
    day, clock = when.split()
    for row in appointments(store, enrollment_id):
        if parse_date(row["date"]) == date.fromisoformat(day) and \
                parse_time(row["start"]) == time.fromisoformat(clock):
            return row
    raise AssertionError(f"no appointment of {enrollment_id} at {when}")


def set_status(store: MemoryStore, enrollment_id: str, when: str, status: str) -> None:
    row = appointment_at(store, enrollment_id, when)
    edit(store, "Appointments", {"appointment_id": row["appointment_id"]}, status=status)


def tab_names() -> list[str]:
    return [t.name for t in ALL_TABS]


def column(tab: str, name: str) -> int:
    return [header_key(c) for c in TABS_BY_NAME[tab].column_names].index(header_key(name)) + 1


__all__ = ["Appointment", "studio"]


def xlsx_studio(path: Path, source: str) -> Path:
    """The studio as an .xlsx file: `init`'s tabs, then `source` typed in with openpyxl."""
    import openpyxl

    from sheetsync.stores.base import Layout
    from sheetsync.stores.xlsx import XlsxStore

    XlsxStore(path).lay_out(Layout(tabs=ALL_TABS))
    wb = openpyxl.load_workbook(path)
    for name, table in parse_tables(source).items():
        ws = wb[name]
        headers = [c.value for c in ws[1]]
        for r, values in enumerate(table.rows, start=2):
            for header, value in zip(table.header, values, strict=False):
                ws.cell(r, headers.index(header) + 1, value)
    wb.save(path)
    return path
