"""A Google Sheet as a workbook (Sheets API v4 through gspread 6, service-account auth).

Requests per sync, retries aside, at any size: one spreadsheets.get (sheet ids and
sizes) and one values.batchGet of every tab to read; then at most one guard
values.batchGet, one spreadsheets.batchUpdate (row deletions bottom-up, grid
growth) and one values.batchUpdate (RAW) to write: 2 to 5.

Google Sheets has no transactions, so a write is made safe in other ways:
- cells are written to explicit ranges computed from the read (never values.append),
  so repeating a write is harmless; a structure batch that may or may not have been
  applied is checked against the sheet sizes before it is sent again;
- cells the studio may be editing (TabChanges.guards) are re-read right before
  writing; a row whose guarded cells moved on is left alone, and when rows were
  inserted, deleted or typed below the data nothing is written (WorkbookBusy);
- a sync that fails half-way leaves a sheet the next sync completes: the plan is
  idempotent and everything not written is planned again.
What remains: an edit that lands between the guard re-read and the values write
(well under a second) can be overwritten, and rows inserted in that moment can
shift the write; the next sync sees and repairs the first, not always the second.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ..errors import WorkbookBusy
from . import gsheets_wire as wire
from .base import Layout, Table, WorkbookChanges
from .gsheets_access import ServiceAccount, api_base
from .gsheets_http import Context, GaveUp, RetryPolicy, SheetsHTTP, UncertainWrite
from .layout import describe, layout_steps

RETRY_LATER = "Nothing was written; sheetsync will try again on its next run."
FINISH_LATER = ("Part of the changes were written; the next sync completes them "
                "(nothing is lost or doubled).")


class GoogleStore:
    def __init__(self, spreadsheet_id: str, account: ServiceAccount, *,
                 endpoint: str | None = None, policy: RetryPolicy | None = None) -> None:
        from google.auth.transport.requests import AuthorizedSession

        self.spreadsheet_id = spreadsheet_id
        self.label = f"Google Sheet {spreadsheet_id}"
        self.account = account
        session = AuthorizedSession(account.credentials())
        self.http = SheetsHTTP(session, base_url=api_base(endpoint), policy=policy,
                               context=Context(spreadsheet_id, account.email))
        self._sheets: dict[str, wire.SheetInfo] = {}
        self._tables: dict[str, Table] = {}  # as last read: what guards compare with
        self.warnings: list[str] = list(account.warnings)
        self.rows_left_alone = 0  # guarded rows the last write did not touch

    @property
    def reads(self) -> int:
        """API read requests so far, retries aside."""
        return self.http.reads

    @reads.setter
    def reads(self, value: int) -> None:
        self.http.reads = value

    @property
    def writes(self) -> int:
        """API write requests so far, retries aside."""
        return self.http.writes

    @writes.setter
    def writes(self, value: int) -> None:
        self.http.writes = value

    def close(self) -> None:
        self.http.session.close()

    def check_writable(self) -> None:
        """Nothing to check up front: no program can lock a Google Sheet against writes."""
        return None

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """No lock across machines yet; the guard re-read before each write refuses a
        write when rows moved under it, which is what two syncs at once would cause."""
        return contextlib.nullcontext()

    # -- reading ---------------------------------------------------------------------------
    def read(self) -> dict[str, Table]:
        with _failing(RETRY_LATER):
            sheets = self._fetch_sheets()
            tables: dict[str, Table] = {}
            if sheets:
                body = self.http.values_batch_get(
                    self.spreadsheet_id, [wire.quote(t) for t in sheets],
                    params=dict(wire.READ_PARAMS))
                for title, reply in zip(sheets, body.get("valueRanges", []), strict=True):
                    tables[title] = wire.table_from_values(title, reply.get("values", []))
        self._tables = {t: Table(t, list(v.header), [list(r) for r in v.rows])
                        for t, v in tables.items()}
        return tables

    def _fetch_sheets(self) -> dict[str, wire.SheetInfo]:
        body = self.http.fetch_sheet_metadata(self.spreadsheet_id,
                                              params={"fields": wire.METADATA_FIELDS})
        self._sheets = wire.sheets_from_metadata(body)
        return self._sheets

    # -- writing ---------------------------------------------------------------------------
    def requests_for(self, changes: WorkbookChanges) -> tuple[int, int]:
        """(reads, writes) that `write(changes)` will send, retries aside."""
        guards = any(t.guards for t in changes.tabs.values())
        plan = wire.write_plan(changes, self._sheets, self._choices(changes))
        return int(guards), int(bool(plan.structure)) + int(bool(plan.data))

    def write(self, changes: WorkbookChanges) -> None:
        with _failing(RETRY_LATER):
            sheets = self._sheets or self._fetch_sheets()
            for title in changes.tabs:
                if title not in sheets:
                    raise KeyError(f"no tab {title}")
            changes = self._guarded(changes)
        plan = wire.write_plan(changes, sheets, self._choices(changes))
        with _failing(RETRY_LATER):
            if plan.structure:
                self._batch_update(plan.structure, wire.dims_of(sheets), plan.expected)
        with _failing(FINISH_LATER if plan.structure else RETRY_LATER):
            if plan.data:
                self.http.values_batch_update(self.spreadsheet_id, {
                    "valueInputOption": "RAW", "data": plan.data})
        self._sheets = {t: wire.SheetInfo(s.sheet_id, t, *plan.expected[s.sheet_id])
                        for t, s in sheets.items()}
        self._tables = {}

    def _choices(self, changes: WorkbookChanges) -> dict[str, dict[int, tuple[str, ...]]]:
        return {t: wire.choices_of(self._tables[t]) for t in changes.tabs if t in self._tables}

    def _guarded(self, changes: WorkbookChanges) -> WorkbookChanges:
        """Re-read the guarded cells in one request; drop rows the studio changed meanwhile."""
        self.rows_left_alone = 0
        guarded = {t: c for t, c in changes.tabs.items() if c.guards and t in self._tables}
        if not guarded:
            return changes
        keys = {t: wire.key_column(self._tables[t]) for t in guarded}
        spans = {t: wire.guard_spans(c, keys[t]) for t, c in guarded.items()}
        ranges = [r for t in guarded for r in wire.guard_ranges(t, spans[t])]
        body = self.http.values_batch_get(self.spreadsheet_id, ranges,
                                          params=dict(wire.READ_PARAMS))
        replies = iter(body.get("valueRanges", []))
        out = WorkbookChanges(dict(changes.tabs))
        for title, tab in guarded.items():
            mine = [next(replies) for _ in spans[title]]
            try:
                moved = wire.checked_guards(self._tables[title], self._sheets[title].rows, tab,
                                            keys[title], spans[title], mine)
            except wire.RowsMoved:
                raise WorkbookBusy(f"Rows were added or removed in the {title} tab while "
                                   "sheetsync was working, so nothing was written; run "
                                   "sheetsync again.") from None
            if moved:
                self.rows_left_alone += len(moved)
                out.tabs[title] = wire.without_rows(tab, moved)
        return out

    def _batch_update(self, requests: list[dict[str, Any]], before: wire.Dims,
                      expected: wire.Dims) -> dict[str, Any]:
        """Send a structure batch once; when a failure leaves it unknown, look before resending."""
        policy = self.http.policy
        failures = 0
        while True:
            try:
                with self.http.uncounted(failures > 0):
                    reply: dict[str, Any] = self.http.batch_update(self.spreadsheet_id,
                                                                   {"requests": requests})
                return reply
            except UncertainWrite as err:
                failures += 1
                problem = str(err)
            if expected != before:  # the sizes tell whether it was applied
                try:
                    with self.http.uncounted():
                        now = wire.dims_of(self._fetch_sheets())
                except GaveUp as err:
                    raise Unsure(f"{err} Rows may or may not have been added or deleted; the "
                                 "next sync sees which and completes the rest.") from None
                applied = wire.verdict(before, expected, now)
                if applied:
                    return {}
                if applied is None:
                    raise WorkbookBusy("Tabs or rows were added or removed in the Google Sheet "
                                       "while sheetsync was working; run sheetsync again.")
            if failures >= policy.attempts:
                raise GaveUp(f"Google Sheets did not answer after {failures} tries: {problem}.")
            policy.sleep(policy.wait(failures))

    # -- init ------------------------------------------------------------------------------
    def lay_out(self, layout: Layout) -> list[str]:
        tables = self.read()
        steps = layout_steps(tables, layout.tabs)
        if not steps and not layout.rows:
            return []
        plan = wire.layout_plan(steps, layout, self._sheets, tables)
        with _failing(RETRY_LATER):
            self._batch_update(plan.requests, wire.dims_of(self._sheets), plan.expected)
        self._sheets, self._tables = {}, {}
        return [describe(s) for s in steps] + plan.notes


class Unsure(GaveUp):
    """Gave up not knowing whether the last structure batch was applied; it says so."""


@contextlib.contextmanager
def _failing(consequence: str) -> Iterator[None]:
    """Say what a final failure left behind."""
    try:
        yield
    except Unsure:
        raise
    except GaveUp as err:
        raise GaveUp(f"{err} {consequence}") from None

