"""Two syncs at once on one Google Sheet: alerts go out once, one sync writes, the other refuses.

Every sync here is the real engine on a GoogleStore talking HTTP to the local
server. Two syncs are interleaved step by step: each runs on its own thread and
stops at a chosen progress message (the engine announces "Read ...", then
"Sending ..." right after its claim, then "Saving ..." before its write) until
the test lets it go on. Each sync has its own outbox folder, so the files in a
folder are exactly what that sync sent (queued: in the outbox, nothing left the machine).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from localsheets import LocalSheets
from sheetsync import engine
from sheetsync.config import Email
from sheetsync.errors import WorkbookBusy
from sheetsync.messages import Outgoing, Result
from sheetsync.notify import Mailer
from sheetsync.schema import ALL_TABS
from sheetsync.stores import gsheets_lock
from sheetsync.stores.base import Layout
from sheetsync.stores.gsheets import GoogleStore
from sheetsync.stores.gsheets_access import ServiceAccount
from sheetsync.stores.gsheets_http import GaveUp, RetryPolicy
from tests.studio import parse_tables
from tests.studios import ENDED, STAFFED

BEFORE = datetime(2026, 11, 29, 12, 0)  # the sessions are planned, none held yet
ALERTS = 3  # at ENDED: package_ended to the client, the staff member and the manager
LOCK = gsheets_lock.LOCK_TITLE
Progress = Callable[[str], None]


def records(source: str) -> dict[str, list[dict[str, Any]]]:
    return {name: [dict(zip(t.header, row, strict=False)) for row in t.rows]
            for name, t in parse_tables(source).items()}


@pytest.fixture
def sheet(server: LocalSheets, account: ServiceAccount) -> str:
    """The studio synced at BEFORE: at ENDED its sessions complete and alerts are due."""
    spreadsheet = server.create_spreadsheet("Studio")
    store = GoogleStore(spreadsheet, account, endpoint=server.base_url)
    store.lay_out(Layout(ALL_TABS, records(STAFFED)))
    engine.sync(store, BEFORE, started_at=BEFORE)
    return spreadsheet


def store_for(server: LocalSheets, account: ServiceAccount, sheet: str,
              **options: Any) -> GoogleStore:
    return GoogleStore(sheet, account, endpoint=server.base_url, **options)


def alerting(outbox: Path) -> engine.Alerting:
    return engine.Alerting(Mailer(Email("Studio Flow <studio@example.com>", outbox_dir=outbox),
                                  currency="TRY"))


def sent(outbox: Path) -> list[str]:
    return sorted(p.name for p in outbox.glob("*.eml")) if outbox.exists() else []


def sync(store: GoogleStore, outbox: Path | None, progress: Progress | None = None,
         now: datetime = ENDED) -> engine.SyncReport:
    return engine.sync(store, now, started_at=now,
                       alerting=alerting(outbox) if outbox is not None else None,
                       progress=progress or (lambda message: None))


def tab(server: LocalSheets, sheet: str, title: str) -> list[list[Any]]:
    return server.values(sheet, title, "UNFORMATTED_VALUE")


def claim_on(server: LocalSheets, sheet: str) -> gsheets_lock.Claim | None:
    titles = [s["properties"]["title"] for s in server.metadata(sheet)["sheets"]]
    return gsheets_lock.parse_claim(tab(server, sheet, LOCK)) if LOCK in titles else None


def notifications(server: LocalSheets, sheet: str) -> list[tuple[str, str]]:
    rows = tab(server, sheet, "Notifications")
    key, status = rows[0].index("key"), rows[0].index("status")
    return [(r[key], r[status]) for r in rows[1:]]


@dataclass
class Paused:
    """A sync on its own thread that stops at its first progress message starting with `at`."""

    run: Callable[[Progress], engine.SyncReport]
    at: str | None  # None: run through without stopping
    reached: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)
    report: engine.SyncReport | None = None
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()
        if self.at is not None:
            assert self.reached.wait(30), f"the sync never got to {self.at!r}"

    def _progress(self, message: str) -> None:
        if self.at is not None and message.startswith(self.at) and not self.go.is_set():
            self.reached.set()
            assert self.go.wait(30)

    def _main(self) -> None:
        try:
            self.report = self.run(self._progress)
        except BaseException as err:  # handed to the test by finish()
            self.error = err
        finally:
            self.reached.set()

    def finish(self) -> engine.SyncReport:
        self.go.set()
        self.thread.join(30)
        assert not self.thread.is_alive()
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report


def converged(server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path) -> None:
    """A later sync finds nothing to do and nothing to send."""
    again = sync(store_for(server, account, sheet), tmp_path / "converged")
    assert again.plan.empty and again.alerts == [] and sent(tmp_path / "converged") == []


# -- one sync -------------------------------------------------------------------------------
def test_a_sync_that_sends_claims_the_sheet_and_its_final_write_ends_the_claim(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    report = sync(store_for(server, account, sheet), tmp_path / "a")
    assert report.queued == ALERTS and len(sent(tmp_path / "a")) == ALERTS
    claim = claim_on(server, sheet)
    assert claim is not None and claim.state == gsheets_lock.DONE
    assert not claim.live(datetime.now(UTC))
    lock_tab = next(s["properties"] for s in server.metadata(sheet)["sheets"]
                    if s["properties"]["title"] == LOCK)
    assert lock_tab["hidden"] is True
    converged(server, account, sheet, tmp_path)


# -- two syncs interleaved ------------------------------------------------------------------
@pytest.mark.slow
def test_a_sync_that_finds_a_live_claim_refuses_and_sends_nothing(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    """A claims and holds the sheet (stopped right before sending); B starts then."""
    a = Paused(lambda p: sync(store_for(server, account, sheet), tmp_path / "a", p), "Sending")
    runs = len(tab(server, sheet, "Runs"))
    b = store_for(server, account, sheet, zone=UTC)
    with pytest.raises(WorkbookBusy) as busy:
        sync(b, tmp_path / "b")
    claim = claim_on(server, sheet)
    assert claim is not None and claim.since is not None and claim.until is not None
    assert str(busy.value).startswith(
        f"Another sheetsync is working on this Google Sheet (since {claim.since:%H:%M}, until "
        f"{claim.until:%H:%M} at the latest); nothing was written or sent.")
    assert len(tab(server, sheet, "Runs")) == runs  # B wrote nothing
    assert a.finish().queued == ALERTS
    assert sent(tmp_path / "b") == [] and len(sent(tmp_path / "a")) == ALERTS
    assert len(tab(server, sheet, "Runs")) == runs + 1
    converged(server, account, sheet, tmp_path)


def test_of_two_syncs_that_read_together_the_second_to_claim_refuses(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    """A and B both read; A claims; B, whose read saw no claim, then tries to claim."""
    b = Paused(lambda p: sync(store_for(server, account, sheet), tmp_path / "b", p), "Read ")
    a = Paused(lambda p: sync(store_for(server, account, sheet), tmp_path / "a", p), "Sending")
    with pytest.raises(WorkbookBusy, match="Another sheetsync is working on this Google Sheet"):
        b.finish()
    assert a.finish().queued == ALERTS
    assert sent(tmp_path / "b") == [] and len(sent(tmp_path / "a")) == ALERTS
    assert sorted(notifications(server, sheet)) == sorted(
        (k, "queued") for k in ("E1/1/package_ended/client:C1", "E1/1/package_ended/staff:ST1",
                              "E1/1/package_ended/manager:MGR"))
    converged(server, account, sheet, tmp_path)


@pytest.mark.slow
def test_a_sync_that_read_before_another_one_finished_refuses_to_claim(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    """B reads; A runs from start to end (claims, sends, writes, ends its claim); B goes on.

    The sheet looks free again, but B's read is out of date: A's claim replaced the tab B
    read, so B's compare-and-swap fails and it sends nothing.
    """
    b = Paused(lambda p: sync(store_for(server, account, sheet), tmp_path / "b", p), "Read ")
    assert sync(store_for(server, account, sheet), tmp_path / "a").queued == ALERTS
    runs = tab(server, sheet, "Runs")
    with pytest.raises(WorkbookBusy, match="claimed this Google Sheet while this one was"):
        b.finish()
    assert sent(tmp_path / "b") == [] and len(sent(tmp_path / "a")) == ALERTS
    assert tab(server, sheet, "Runs") == runs
    converged(server, account, sheet, tmp_path)


@pytest.mark.slow
def test_the_first_claim_ever_is_a_test_and_set_too(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    """No claim tab yet: both syncs read none, and both try addSheet of the same title."""
    assert claim_on(server, sheet) is None
    b = Paused(lambda p: sync(store_for(server, account, sheet), tmp_path / "b", p), "Read ")
    a = Paused(lambda p: sync(store_for(server, account, sheet), tmp_path / "a", p), "Read ")
    a.go.set()
    assert a.finish().queued == ALERTS
    with pytest.raises(WorkbookBusy):
        b.finish()
    assert sent(tmp_path / "b") == []
    converged(server, account, sheet, tmp_path)


@pytest.mark.slow
def test_a_sync_with_nothing_to_send_refuses_to_write_under_a_live_claim(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    """S (no e-mail settings) reads, then A claims; S's guard re-read sees the claim.

    (The claim tab must exist when S reads for S to re-read it: a lapsed claim is there.)
    """
    crashed_claim(server, account, sheet, datetime.now(UTC) - gsheets_lock.TTL)
    ordinary = Paused(lambda p: sync(store_for(server, account, sheet), None, p), "Saving")
    a = Paused(lambda p: sync(store_for(server, account, sheet), tmp_path / "a", p), "Sending")
    runs = len(tab(server, sheet, "Runs"))
    with pytest.raises(WorkbookBusy, match="Another sheetsync is working"):
        ordinary.finish()
    assert len(tab(server, sheet, "Runs")) == runs
    a.finish()
    assert len(tab(server, sheet, "Runs")) == runs + 1


# -- claims whose holder died or dawdled ----------------------------------------------------
def crashed_claim(server: LocalSheets, account: ServiceAccount, sheet: str,
                  at: datetime) -> None:
    """A sync that claimed the sheet at `at` and then stopped dead (no write, no goodbye)."""
    store = store_for(server, account, sheet, clock=lambda: at)
    store.read()
    store.claim()


def test_a_dead_holder_blocks_until_its_claim_lapses_then_the_next_sync_takes_over(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    now = datetime.now(UTC)
    crashed_claim(server, account, sheet, now)
    stale = claim_on(server, sheet)
    assert stale is not None and stale.live(now)
    with pytest.raises(WorkbookBusy, match="its claim lapses at"):
        sync(store_for(server, account, sheet), tmp_path / "early")
    for moment in (ENDED, BEFORE):  # nor does a sync that sends nothing, with guards or without
        with pytest.raises(WorkbookBusy, match="Another sheetsync is working"):
            sync(store_for(server, account, sheet), None, now=moment)
    runs = len(tab(server, sheet, "Runs"))

    later = store_for(server, account, sheet, clock=lambda: now + gsheets_lock.TTL)
    server.reset_stats()
    report = sync(later, tmp_path / "later")
    assert report.queued == ALERTS and sent(tmp_path / "early") == []
    assert server.stats()["requests"] == {  # the takeover is the claim's usual request
        "spreadsheets.get": 1, "values.batchGet": 2, "spreadsheets.batchUpdate": 1,
        "values.batchUpdate": 1}
    claim = claim_on(server, sheet)
    assert claim is not None and claim.state == gsheets_lock.DONE
    assert claim.token != stale.token
    assert len(tab(server, sheet, "Runs")) == runs + 1  # the dead sync left no row
    converged(server, account, sheet, tmp_path)


@pytest.mark.slow
def test_after_a_dead_holder_a_sync_with_nothing_to_send_goes_on_once_it_lapsed(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    crashed_claim(server, account, sheet, datetime.now(UTC) - gsheets_lock.TTL)
    server.reset_stats()
    report = sync(store_for(server, account, sheet), None)
    assert report.wrote
    assert server.stats()["requests"] == {
        "spreadsheets.get": 1, "values.batchGet": 2, "values.batchUpdate": 1}
    assert sync(store_for(server, account, sheet), tmp_path / "a").queued == ALERTS


class Failing:
    """A sender that stops the sync the moment it is asked to send."""

    delivers = True

    def send(self, messages: Sequence[Outgoing], now: datetime) -> list[Result]:
        raise RuntimeError("the machine is going down")

    def preview(self, message: Outgoing) -> str:
        return ""


@pytest.mark.slow
def test_a_sync_that_fails_after_its_claim_ends_it_on_the_way_out(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    runs = tab(server, sheet, "Runs")
    with pytest.raises(RuntimeError):
        engine.sync(store_for(server, account, sheet), ENDED, started_at=ENDED,
                    alerting=engine.Alerting(Failing()))
    claim = claim_on(server, sheet)
    assert claim is not None and claim.state == gsheets_lock.DONE
    assert tab(server, sheet, "Runs") == runs
    assert sync(store_for(server, account, sheet), tmp_path / "next").queued == ALERTS


@pytest.mark.slow
def test_a_holder_whose_claim_lapsed_before_it_could_send_sends_nothing(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    """H's claim request is answered late, after its claim's length (1 s here) ran out and
    C took the sheet over: H must not send, nor end C's claim on its way out."""
    short = timedelta(seconds=1)
    server.reset_stats()
    server.inject_fault(3, delay=2.5)  # H: get, batchGet, then the claim, answered late
    holder = Paused(lambda p: sync(store_for(server, account, sheet, lock_ttl=short),
                                   tmp_path / "h", p), None)
    deadline = time.monotonic() + 10
    while (claim := claim_on(server, sheet)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert claim is not None and claim.until is not None
    time.sleep(max(0.0, (claim.until - datetime.now(UTC)).total_seconds()) + 0.05)
    taker = Paused(lambda p: sync(store_for(server, account, sheet), tmp_path / "c", p),
                   "Sending")
    with pytest.raises(WorkbookBusy, match="took too long"):
        holder.finish()
    theirs = claim_on(server, sheet)
    assert theirs is not None and theirs.token != claim.token
    assert theirs.live(datetime.now(UTC))
    assert taker.finish().queued == ALERTS
    assert sent(tmp_path / "h") == [] and len(sent(tmp_path / "c")) == ALERTS
    done = claim_on(server, sheet)
    assert done is not None and done.state == gsheets_lock.DONE and done.token == theirs.token
    converged(server, account, sheet, tmp_path)


class Stalling:
    """A sender that, while it sends, lets the holder's claim run out and another sync in."""

    def __init__(self, mailer: Mailer, meanwhile: Callable[[], None]) -> None:
        self.mailer, self.meanwhile = mailer, meanwhile
        self.delivers = mailer.delivers

    def send(self, messages: Sequence[Outgoing], now: datetime) -> list[Result]:
        results = self.mailer.send(messages, now)
        self.meanwhile()
        return results

    def preview(self, message: Outgoing) -> str:
        return self.mailer.preview(message)


@pytest.mark.slow
@pytest.mark.parametrize("first", [False, True], ids=["guarded write", "first sync"])
def test_a_holder_taken_over_while_sending_writes_nothing(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path, first: bool):
    """H sends, then stalls past its claim; C takes over. H's write must not land on C's.

    A first sync only appends rows, so it has no guards to re-read: it re-reads the claim
    tab on its own because its claim ran past its safe length.
    """
    if first:
        sheet = server.create_spreadsheet("Studio")
        store_for(server, account, sheet).lay_out(Layout(ALL_TABS, records(STAFFED)))
    ticks = [0.0]
    holder = store_for(server, account, sheet, monotonic=lambda: ticks[0])

    def stall() -> None:
        ticks[0] += gsheets_lock.TTL.total_seconds()
        later = datetime.now(UTC) + gsheets_lock.TTL
        other = store_for(server, account, sheet, clock=lambda: later)
        assert sync(other, tmp_path / "c").queued == ALERTS

    mailer = Mailer(Email("Studio Flow <studio@example.com>", outbox_dir=tmp_path / "h"))
    runs = len(tab(server, sheet, "Runs"))
    with pytest.raises(WorkbookBusy, match="another sheetsync took the Google Sheet over"):
        engine.sync(holder, ENDED, started_at=ENDED,
                    alerting=engine.Alerting(Stalling(mailer, stall)))
    assert len(tab(server, sheet, "Runs")) == runs + 1  # C's row only
    assert [s for _, s in notifications(server, sheet)] == ["queued"] * ALERTS
    claim = claim_on(server, sheet)
    assert claim is not None and claim.state == gsheets_lock.DONE  # C's, ended by C
    # H sent before it stalled: that is the one case where a message goes out twice.
    assert len(sent(tmp_path / "h")) == len(sent(tmp_path / "c")) == ALERTS


# -- faults on the claim request ------------------------------------------------------------
@pytest.mark.parametrize("fault", [
    pytest.param("500", marks=pytest.mark.slow), pytest.param("cut", marks=pytest.mark.slow), "429",
    pytest.param("late", marks=pytest.mark.slow)])
def test_a_claim_whose_answer_is_lost_is_checked_not_repeated_blindly(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path, fault: str):
    policy = RetryPolicy(attempts=4, base=0.01, cap=0.04, connect_timeout=2, read_timeout=1)
    server.reset_stats()
    if fault == "cut":
        server.inject_fault(3, cut=True)
    elif fault == "late":  # applied, but the answer comes after the client gave up
        server.inject_fault(3, delay=2)
    else:
        server.inject_fault(3, int(fault))
    report = sync(store_for(server, account, sheet, policy=policy), tmp_path / "a")
    assert report.queued == ALERTS
    claim = claim_on(server, sheet)
    assert claim is not None and claim.state == gsheets_lock.DONE
    converged(server, account, sheet, tmp_path)


@pytest.mark.slow
def test_a_claim_google_never_confirms_says_nothing_was_sent(
        server: LocalSheets, account: ServiceAccount, sheet: str, tmp_path: Path):
    policy = RetryPolicy(attempts=2, base=0.01, cap=0.02, connect_timeout=2, read_timeout=1)
    server.reset_stats()
    for position in (3, 4, 5):  # the claim, then both tries of the look that would tell
        server.inject_fault(position, 503)
    with pytest.raises(GaveUp, match="Nothing was sent; if the claim went through, other "
                                     "syncs wait until"):
        sync(store_for(server, account, sheet, policy=policy), tmp_path / "a")
    assert sent(tmp_path / "a") == []
    assert sync(store_for(server, account, sheet), tmp_path / "b").queued == ALERTS
