"""A TabWriter over one in-memory tab, for tests that look at the cells a writer would write."""

from __future__ import annotations

from sheetsync.schema import Tab
from sheetsync.sheet import TabWriter, locate
from sheetsync.stores.base import Table, WorkbookChanges


def tab_writer(table: Table, tab: Tab, locale: str) -> tuple[TabWriter, WorkbookChanges]:
    """A writer of `table`, found as sheetsync's `tab` in `locale`, and the changes it makes."""
    cols, _ = locate({table.title: table}, tab, locale)
    assert cols is not None
    changes = WorkbookChanges()
    return TabWriter(cols, changes), changes
