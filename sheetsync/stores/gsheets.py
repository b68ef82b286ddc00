"""A Google Sheet as a workbook (Sheets API v4 through gspread 6, service-account auth).

Requests per sync, retries aside: one spreadsheets.get (sheet ids and sizes) and
one values.batchGet of every tab to read; then at most one guard values.batchGet,
one spreadsheets.batchUpdate (row insertions and deletions, grid growth) and one
values.batchUpdate (RAW) to write: 2 to 5. A sync that sends alerts first claims
the sheet with one more spreadsheets.batchUpdate: 4 to 6. So that no reply grows
past a few MB, a read takes one values.batchGet per 600,000 grid cells
(gsheets_wire.READ_CELLS; a studio of about 16,000 appointments reads in one, the
benchmark's M in 4, the largest studio Google's cap allows in about 17), and so does
the guard re-read of big tabs' columns. Replies come compact and gzipped.
A write Google refuses for its 10-million-cell cap is a SheetFull error saying what
was left written.
A sheet where some cell reads exactly as an error code (#N/A, #DIV/0!, ...) costs
one more spreadsheets.get, which tells error cells from typed text (gsheets_errors.py);
the guard re-read compares raw values, so it reads error cells as the first read did.

Two syncs at once (gsheets_lock.py): a sync about to send alerts claims the sheet
(a compare-and-swap on a hidden tab) and ends the claim in its final values write;
any sync that finds another's claim live, in its read or in its guard re-read,
refuses with WorkbookBusy before writing or sending anything. A sync with nothing
to send does not claim: the worst it can do to a claimant it did not see is write
the same cells, or its Runs row in the same row.

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
import random
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from gspread.exceptions import APIError

from ..errors import WorkbookBusy
from ..i18n import N_, translations
from ..schema import ENGLISH, find_tab
from . import gsheets_errors as errors
from . import gsheets_lock as claims
from . import gsheets_wire as wire
from .base import Layout, TabChanges, Table, WorkbookChanges
from .gsheets_access import ServiceAccount, api_base
from .gsheets_http import (
    Context,
    GaveUp,
    RetryPolicy,
    SheetFull,
    SheetsHTTP,
    UncertainWrite,
    gave_up,
)
from .layout import describe, layout_steps
from .looks import money_format

RETRY_LATER = N_("Nothing was written; sheetsync will try again on its next run.")
FINISH_LATER = N_("Part of the changes were written; the next sync completes them "
                  "(nothing is lost or doubled).")
NOTHING_WRITTEN = N_("nothing was written")
NOTHING_SENT = N_("nothing was written or sent")
NOTHING_ADDED = N_("no tab, column or row was added")
NO_CELL_WRITTEN = N_("rows were added or deleted but no cell was written")
ALERTS_UNRECORDED = N_("nothing was written, so the alerts this sync sent are not recorded "
                       "and may go out again")
MAYBE_MOVED = N_("Rows may or may not have been added or deleted; the next sync sees which and "
                 "completes the rest.")
MOVED_WHILE_READING = N_("Rows were added or removed in the Google Sheet while sheetsync was "
                         "reading it; nothing was written. Run sheetsync again.")
CLAIMED_MEANWHILE = N_("Another sheetsync claimed this Google Sheet while this one was "
                       "reading it; nothing was written or sent. Run sheetsync again.")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Held:
    token: str
    deadline: float  # monotonic seconds: no sending after this, nor marking the claim done


class GoogleStore:
    def __init__(self, spreadsheet_id: str, account: ServiceAccount, *,
                 endpoint: str | None = None, policy: RetryPolicy | None = None,
                 zone: tzinfo | None = None, lock_ttl: timedelta = claims.TTL,
                 clock: Callable[[], datetime] = _utc_now,
                 monotonic: Callable[[], float] = time.monotonic, locale: str = ENGLISH,
                 currency: str = "") -> None:
        from google.auth.transport.requests import AuthorizedSession

        self.spreadsheet_id = spreadsheet_id
        self.label = f"Google Sheet {spreadsheet_id}"
        self.account = account
        session = AuthorizedSession(account.credentials())
        self.http = SheetsHTTP(session, base_url=api_base(endpoint), policy=policy,
                               context=Context(spreadsheet_id, account.email, locale))
        self._sheets: dict[str, wire.SheetInfo] = {}
        self._tables: dict[str, Table] = {}  # as last read: what guards compare with
        self.warnings: list[str] = list(account.warnings)
        self.rows_left_alone = 0  # guarded rows the last write did not touch
        self.tabs_left_alone: list[str] = []  # tabs whose rows moved under the last write
        self.zone = zone  # for the times in messages
        self.locale = locale  # the words of the drop-downs of rows a write adds
        self.money_format = money_format(currency, locale)  # of money columns and cells
        self.lock_ttl = lock_ttl
        self._clock, self._monotonic = clock, monotonic
        self._lock_tab: wire.SheetInfo | None = None  # the claim tab, as last seen
        self._seen_claim: claims.Claim | None = None  # its content as read
        self._held: _Held | None = None  # our own claim, between claim() and the final write
        self.read_cells = wire.READ_CELLS  # grid cells per values.batchGet of a read

    def _(self, message: str) -> str:
        """`message` in the studio's language (the sentences of a refusal)."""
        return translations(self.locale).gettext(message)

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

    # -- reading ---------------------------------------------------------------------------
    def read(self) -> dict[str, Table]:
        """Every tab but the claim tab, whose content is kept to judge the claim."""
        self._held = None
        with _failing(RETRY_LATER, locale=self.locale):
            sheets = self._fetch_sheets()
            tabs = [*sheets.values(), *([self._lock_tab] if self._lock_tab is not None else [])]
            tables = self._read_values(tabs)
        claim_tab = tables.pop(claims.LOCK_TITLE, None)
        self._seen_claim = None if claim_tab is None else claims.parse_claim(
            [claim_tab.header, *claim_tab.rows])
        self._tables = {t: Table(t, list(v.header), [list(r) for r in v.rows])
                        for t, v in tables.items()}  # raw, as the guard re-read reads them
        spots = errors.suspects(tables)
        if spots:
            with _failing(RETRY_LATER, locale=self.locale):
                bodies = [self.http.fetch_sheet_metadata(self.spreadsheet_id, params={
                    "ranges": ranges, "fields": errors.FIELDS})
                    for ranges in errors.requests_of(spots)]
            errors.mark_errors(tables, spots, {"sheets": [
                sheet for body in bodies for sheet in body.get("sheets") or []]})
        return tables

    def _read_values(self, tabs: list[wire.SheetInfo]) -> dict[str, Table]:
        """Every tab's values: one values.batchGet per READ_CELLS grid cells (see wire)."""
        _, read = self._get_blocks(wire.read_requests(tabs, self.read_cells))
        try:
            return {t.title: wire.table_from_values(
                t.title, wire.joined(read[(t.title, 1)])["values"]) for t in tabs}
        except wire.RowsMoved:
            raise WorkbookBusy(self._(MOVED_WHILE_READING)) from None

    def _get_blocks(self, requests: list[list[wire.Block]], first: tuple[str, ...] = ()) \
            -> tuple[list[Any], dict[tuple[str, int], list[tuple[wire.Block, Any]]]]:
        """The replies to the ranges `first` (sent with the first request), and every
        block as read, by tab and first column, in order."""
        read: dict[tuple[str, int], list[tuple[wire.Block, Any]]] = {}
        replies: list[Any] = []
        for i, request in enumerate(requests or [[]]):
            ranges = [*(first if i == 0 else ()), *(b.range for b in request)]
            if not ranges:
                continue
            body = self.http.values_batch_get(self.spreadsheet_id, ranges,
                                              params=dict(wire.READ_PARAMS))
            got = body.get("valueRanges", [])
            if i == 0:
                replies, got = got[:len(first)], got[len(first):]
            for block, reply in zip(request, got, strict=True):
                read.setdefault((block.title, block.first_col), []).append((block, reply))
        return replies, read

    def _fetch_sheets(self) -> dict[str, wire.SheetInfo]:
        body = self.http.fetch_sheet_metadata(self.spreadsheet_id,
                                              params={"fields": wire.METADATA_FIELDS})
        sheets = wire.sheets_from_metadata(body)
        self._lock_tab = sheets.pop(claims.LOCK_TITLE, None)
        self._sheets = sheets
        return sheets

    # -- the claim (gsheets_lock.py) ---------------------------------------------------------
    def check_writable(self) -> None:
        """Refuse now when the read found another sync's live claim."""
        claim = self._seen_claim
        if self._held is None and claim is not None and claim.live(self._clock()):
            raise WorkbookBusy(claims.busy_message(claim, self.zone, self._clock(), self.locale))

    def claim(self) -> None:
        """Claim the sheet before sending alerts: one spreadsheets.batchUpdate.

        Refuses (WorkbookBusy) when another sync holds it, or claimed it since our read,
        or when the claim took so long that it is no longer safe to send.
        """
        if self._held is not None:
            return
        self.check_writable()
        started = self._monotonic()
        mine = claims.new_claim(secrets.token_hex(8), self._clock(), self.lock_ttl)
        taken = {s.sheet_id for s in self._sheets.values()}
        old = self._lock_tab.sheet_id if self._lock_tab is not None else None
        new_id = _fresh_sheet_id(taken | {old or 0})
        before = self._dims(wire.dims_of(self._sheets))
        expected = {**wire.dims_of(self._sheets), new_id: claims.GRID}
        until = claims.clock_time(mine.until, self.zone, self._clock())
        unsure = self._("Nothing was sent; if the claim went through, other syncs wait until "
                        "%(until)s.") % {"until": until}
        try:
            with _failing(RETRY_LATER, full=NOTHING_SENT, locale=self.locale):
                self._batch_update(claims.claim_requests(old, new_id, mine), before, expected,
                                   unsure)
        except (APIError, WorkbookBusy) as err:
            if isinstance(err, APIError) and err.response.status_code != 400:
                raise
            raise self._claimed_meanwhile() from None
        self._held = _Held(mine.token,
                           started + (self.lock_ttl - claims.margin(self.lock_ttl)).total_seconds())
        self._lock_tab = wire.SheetInfo(new_id, claims.LOCK_TITLE, *claims.GRID)
        self._seen_claim = mine
        if self._lease_over():
            raise WorkbookBusy(self._("Claiming the Google Sheet took too long to send "
                                         "alerts safely; nothing was written or sent. Run "
                                         "sheetsync again."))

    def _claimed_meanwhile(self) -> WorkbookBusy:
        """Why a claim failed, in the words of the claim that won (read, not counted)."""
        try:
            with self.http.uncounted():
                self._fetch_sheets()
                claim = self._read_claim() if self._lock_tab is not None else None
        except (GaveUp, WorkbookBusy):
            claim = None
        if claim is not None and claim.live(self._clock()):
            return WorkbookBusy(claims.busy_message(claim, self.zone, self._clock(), self.locale))
        return WorkbookBusy(self._(CLAIMED_MEANWHILE))

    def _read_claim(self) -> claims.Claim | None:
        body = self.http.values_batch_get(self.spreadsheet_id, [claims.content_range()],
                                          params=dict(wire.READ_PARAMS))
        replies = body.get("valueRanges") or [{}]
        return claims.parse_claim(replies[0].get("values") or [])

    def _lease_over(self) -> bool:
        return self._held is not None and self._monotonic() >= self._held.deadline

    def _dims(self, dims: wire.Dims) -> wire.Dims:
        """Sheet sizes with the claim tab's, as spreadsheets.get would show them."""
        tab = self._lock_tab
        return dims if tab is None else {**dims, tab.sheet_id: (tab.rows, tab.columns)}

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Nothing to hold while reading: claim() takes the sheet right before alerts go out.

        A sync that stops after its claim without writing marks the claim done on the way
        out (one values write), so the next sync need not wait for it to lapse.
        """
        try:
            yield
        finally:
            if self._held is not None and not self._lease_over():
                with contextlib.suppress(Exception):
                    self.http.values_batch_update(self.spreadsheet_id, {
                        "valueInputOption": "RAW", "data": [claims.release_range()]})
            self._held = None

    # -- writing ---------------------------------------------------------------------------
    def requests_for(self, changes: WorkbookChanges) -> tuple[int, int]:
        """(reads, writes) that `write(changes)` will send, retries aside."""
        guarded, claim = self._rereads(changes)
        plan = wire.write_plan(changes, self._sheets, self._choices(changes), self.locale,
                               self.money_format)
        data = bool(plan.data) or self._held is not None
        rereads = len(self._guard_requests(guarded)) or int(claim)
        return rereads, int(bool(plan.structure)) + int(data)

    def write(self, changes: WorkbookChanges) -> None:
        """Write one batch of changes: 1 to 3 requests (see the module docstring).

        Refused when another sync's claim is live; the holder of a claim marks it done
        in the same values write that records what it sent.
        """
        with _failing(RETRY_LATER, locale=self.locale):
            self.check_writable()
            sheets = self._sheets or self._fetch_sheets()
            for title in changes.tabs:
                if title not in sheets:
                    raise KeyError(f"no tab {title}")
            changes = self._guarded(changes)
        plan = wire.write_plan(changes, sheets, self._choices(changes), self.locale,
                               self.money_format)
        if self._held is not None and not self._lease_over():
            plan.data.append(claims.release_range())
        unrecorded = ALERTS_UNRECORDED if self._held is not None else NOTHING_WRITTEN
        with _failing(RETRY_LATER, full=unrecorded, locale=self.locale):
            if plan.structure:
                self._batch_update(plan.structure, self._dims(wire.dims_of(sheets)),
                                   self._dims(plan.expected))
        with _failing(FINISH_LATER if plan.structure else RETRY_LATER,
                      full=NO_CELL_WRITTEN if plan.structure else unrecorded, locale=self.locale):
            if plan.data:
                self.http.values_batch_update(self.spreadsheet_id, {
                    "valueInputOption": "RAW", "data": plan.data})
        if self._held is not None:
            self._held = None
            self._seen_claim = None
        self._sheets = {t: wire.SheetInfo(s.sheet_id, t, *plan.expected[s.sheet_id])
                        for t, s in sheets.items()}
        self._tables = {}
        if self.tabs_left_alone:
            tabs = self._(" and ").join(self.tabs_left_alone)
            raise WorkbookBusy(self._(
                "Rows were added or removed in the %(tabs)s tab while sheetsync was working, so "
                "that tab was left as it is (the rest was written); run sheetsync again.") % {
                    "tabs": tabs})

    def _choices(self, changes: WorkbookChanges) -> dict[str, dict[int, tuple[str, ...]]]:
        return {t: wire.choices_of(self._tables[t], self.locale)
                for t in changes.tabs if t in self._tables}

    def _rereads(self, changes: WorkbookChanges) -> tuple[dict[str, TabChanges], bool]:
        """The guarded tabs, and whether the claim tab is re-read with them.

        The claim tab rides along with the guards for free (another sync may have claimed
        the sheet since our read); on its own it is re-read only by a holder whose claim
        ran past its safe length (another sync may have taken it over).
        """
        guarded = {t: c for t, c in changes.tabs.items() if c.guards and t in self._tables}
        claim = self._lock_tab is not None and (bool(guarded) or self._lease_over())
        return guarded, claim

    def _guard_requests(self, guarded: dict[str, TabChanges]) -> list[list[wire.Block]]:
        """The guarded tabs' key and guarded columns, whole, in batchGets of READ_CELLS."""
        blocks = [b for t, c in guarded.items() for span in wire.guard_blocks(
            t, wire.guard_spans(c, wire.key_column(self._tables[t])), self._sheets[t].rows,
            self.read_cells) for b in span]
        return wire.packed(blocks, self.read_cells)

    def _guarded(self, changes: WorkbookChanges) -> WorkbookChanges:
        """Re-read the guarded cells (one request, or one per READ_CELLS cells of a big
        studio's columns); drop rows the studio changed meanwhile."""
        self.rows_left_alone = 0
        self.tabs_left_alone = []
        guarded, claim = self._rereads(changes)
        if not guarded and not claim:
            return changes
        keys = {t: wire.key_column(self._tables[t]) for t in guarded}
        spans = {t: wire.guard_spans(c, keys[t]) for t, c in guarded.items()}
        first, read = self._get_blocks(self._guard_requests(guarded),
                                       (claims.content_range(),) * claim)
        if claim:
            self._check_claim_now(claims.parse_claim(first[0].get("values") or []))
        out = WorkbookChanges(dict(changes.tabs))
        for title, tab in guarded.items():
            try:
                mine = [wire.joined(read[(title, a)]) for a, _ in spans[title]]
                moved = wire.checked_guards(self._tables[title], self._sheets[title].rows, tab,
                                            keys[title], spans[title], mine)
            except wire.RowsMoved:
                # Leave that tab alone but record the rest (above all what alerts were sent);
                # the next sync redoes this tab's changes on the rows as they now are.
                out.tabs[title] = TabChanges()
                self.tabs_left_alone.append(title)
                continue
            if moved:
                self.rows_left_alone += len(moved)
                out.tabs[title] = wire.without_rows(tab, moved)
        return out

    def _check_claim_now(self, claim: claims.Claim | None) -> None:
        """Refuse to write when our claim was taken over, or another sync claimed the sheet."""
        if self._held is not None:
            if claim is None or claim.token != self._held.token:
                self._held = None
                raise WorkbookBusy(self._(
                    "This sync took so long that another sheetsync took the Google Sheet "
                    "over; nothing was written, and the alerts this sync sent may go out a "
                    "second time."))
        elif claim is not None and claim.live(self._clock()):
            raise WorkbookBusy(claims.busy_message(claim, self.zone, self._clock(), self.locale))

    def _batch_update(self, requests: list[dict[str, Any]], before: wire.Dims,
                      expected: wire.Dims,
                      unsure: str = MAYBE_MOVED) -> dict[str, Any]:
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
                        now = self._dims(wire.dims_of(self._fetch_sheets()))
                except GaveUp as err:
                    raise Unsure(f"{err} {self._(unsure)}") from None
                applied = wire.verdict(before, expected, now)
                if applied:
                    return {}
                if applied is None:
                    raise WorkbookBusy(self._(
                        "Tabs or rows were added or removed in the Google Sheet while sheetsync "
                        "was working; run sheetsync again."))
            if failures >= policy.attempts:
                raise GaveUp(gave_up(failures, problem, self.locale))
            policy.sleep(policy.wait(failures))

    # -- init ------------------------------------------------------------------------------
    def lay_out(self, layout: Layout) -> list[str]:
        tables = self.read()
        steps = layout_steps(tables, layout.tabs)
        unfiltered = self._unfiltered(tables, layout)
        if not steps and not layout.rows and not unfiltered:
            return []
        plan = wire.layout_plan(steps, layout, self._sheets, tables, self.money_format,
                                unfiltered)
        with _failing(RETRY_LATER, full=NOTHING_ADDED, locale=self.locale):
            self._batch_update(plan.requests, self._dims(wire.dims_of(self._sheets)),
                               self._dims(plan.expected))
        self._sheets, self._tables = {}, {}
        _ = translations(layout.locale).gettext
        return [describe(s, layout.locale) for s in steps] + [
            _("set up filtering on the %(tab)s tab") % {"tab": title} for title in unfiltered
        ] + plan.notes

    def _unfiltered(self, tables: dict[str, Table], layout: Layout) -> list[str]:
        """sheetsync's own tabs of the sheet that have no filter: one more spreadsheets.get,
        at init only (a filter the studio set up, or removed, is theirs: sync adds none)."""
        own = [t for t in (find_tab(list(tables), tab) for tab in layout.tabs if tab.owned)
               if t is not None and t in self._sheets]
        if not own:
            return []
        body = self.http.fetch_sheet_metadata(self.spreadsheet_id,
                                              params={"fields": wire.FILTER_FIELDS})
        return wire.without_filter(body, own)


class Unsure(GaveUp):
    """Gave up not knowing whether the last structure batch was applied; it says so."""


@contextlib.contextmanager
def _failing(consequence: str, full: str = NOTHING_WRITTEN,
             locale: str = ENGLISH) -> Iterator[None]:
    """Say what a final failure, or Google's refusal to grow past its cap, left behind
    (`consequence` and `full` are msgids, said in `locale`)."""
    try:
        yield
    except Unsure:
        raise
    except GaveUp as err:
        raise GaveUp(f"{err} {translations(locale).gettext(consequence)}") from None
    except SheetFull as err:
        raise err.left(full) from None


def _fresh_sheet_id(taken: set[int]) -> int:
    """A random sheet id no tab has (Google's own are random below 2**31 too)."""
    while True:
        candidate = random.randrange(1 << 30, (1 << 31) - 1)
        if candidate not in taken:
            return candidate
