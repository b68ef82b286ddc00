"""A studio on a Google Sheet of the local server: its records to lay out, the studio's edits.

`records(TWO_CLIENTS)` gives `Layout(ALL_TABS, rows)` the rows of a studio text table;
`edit(...)` changes cells the way the studio would between two syncs; `studio_of(n)` is a
studio of n clients with a package each, for tests that need a sheet of some size.
"""

from __future__ import annotations

from typing import Any

from sheetsync.schema import header_key
from sheetsync.stores.base import TabChanges, WorkbookChanges
from sheetsync.stores.gsheets import GoogleStore
from tests.studio import parse_tables


def records(source: str) -> dict[str, list[dict[str, Any]]]:
    """Each tab of the text table as records, header name to cell."""
    tables = parse_tables(source)
    return {name: [dict(zip(t.header, row, strict=True)) for row in t.rows]
            for name, t in tables.items()}


def edit(store: GoogleStore, title: str, key: str, value: str, **cells: Any) -> None:
    """The studio changes cells of the row whose `key` column holds `value`."""
    table = store.read()[title]
    keys = [header_key(h) for h in table.header]
    row = next(i + 2 for i, r in enumerate(table.rows) if r[keys.index(key)] == value)
    store.write(WorkbookChanges({title: TabChanges(updates={
        (row, keys.index(name) + 1): v for name, v in cells.items()})}))


def studio_of(enrollments: int, days: tuple[str, ...] = ("Mon",)) -> str:
    """`enrollments` clients with a 10-session package each: 10 appointments per client,
    each client on the next of `days` in turn, at an hour from 8:00 to 18:00."""
    lines = ["Packages", "package_id | name | sessions | price", "P10 | Physio 10 | 10 | 4000",
             "", "Staff", "staff_id | name | commission_rate", "ST1 | Elif | 40%", "",
             "Clients", "client_id | name"]
    lines += [f"C{i} | Client {i}" for i in range(enrollments)]
    lines += ["", "Enrollments",
              "enrollment_id | client_id | package_id | start_date | staff_id | schedule"]
    lines += [f"E{i} | C{i} | P10 | 2026-11-30 | ST1 | {days[i % len(days)]} {8 + i % 11}:00"
              for i in range(enrollments)]
    return "\n".join(lines)
