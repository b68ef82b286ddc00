"""A studio on a Google Sheet of the local server: its records to lay out, the studio's edits.

`records(TWO_CLIENTS)` gives `Layout(ALL_TABS, rows)` the rows of a studio text table;
`edit(...)` changes cells the way the studio would between two syncs.
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
