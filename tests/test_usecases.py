"""sheetsync as a library: each command's use case called directly on real .xlsx workbooks,
its report object asserted on (no click, no printing)."""

from __future__ import annotations

import fcntl
import os
from datetime import datetime
from decimal import Decimal
from functools import partialmethod
from pathlib import Path

import openpyxl
import pytest

from sheetsync import usecases
from sheetsync.config import CalendarSettings, Config, Email
from sheetsync.errors import UserError, WorkbookBusy
from sheetsync.messages import QUEUED
from sheetsync.month import Month
from sheetsync.publicholidays import HolidaySettings
from sheetsync.stores.xlsx import XlsxStore
from tests.december import DECEMBER, FIRST_OF_JANUARY, december_workbook
from tests.studio import xlsx_studio
from tests.studios import PHYSIO, physio_workbook

FRIDAY = datetime(2026, 12, 4, 10, 0)  # Ayse's Mon 30 Nov and Thu 3 Dec sessions are held
TR = HolidaySettings(country="TR")


@pytest.fixture
def store(tmp_path: Path) -> XlsxStore:
    return physio_workbook(tmp_path / "studio.xlsx")


def feeds_into(folder: Path) -> usecases.Publishing:
    return usecases.Publishing(folder, "Europe/Istanbul", kinds=("staff", "client"))


def test_sync_writes_the_workbook_then_its_calendars(store: XlsxStore, tmp_path: Path):
    outcome = usecases.sync(store, FRIDAY, started_at=FRIDAY,
                            calendars=feeds_into(tmp_path / "feeds"))
    assert outcome.report.wrote and outcome.exit_code == 0
    assert len(outcome.report.plan.added) == 10
    assert outcome.feeds_folder == tmp_path / "feeds"
    assert sorted(w.path.name for w in outcome.feeds or []) == [
        "client-C1.ics", "client-C2.ics", "client-C3.ics", "client-C4.ics",
        "staff-MGR.ics", "staff-ST1.ics", "staff-ST2.ics"]
    elif_feed = (tmp_path / "feeds" / "staff-ST1.ics").read_text()
    assert elif_feed.count("BEGIN:VEVENT") == 10
    again = usecases.sync(store, FRIDAY, started_at=FRIDAY,
                          calendars=feeds_into(tmp_path / "feeds"))
    assert not any(w.changed for w in again.feeds or [])


def test_a_dry_run_writes_neither_the_workbook_nor_a_calendar(store: XlsxStore,
                                                              tmp_path: Path):
    before = store.path.read_bytes()
    outcome = usecases.sync(store, FRIDAY, started_at=FRIDAY, dry_run=True,
                            calendars=feeds_into(tmp_path / "feeds"))
    assert not outcome.report.wrote and len(outcome.report.plan.added) == 10
    assert outcome.feeds and all(w.changed for w in outcome.feeds)
    assert store.path.read_bytes() == before
    assert not (tmp_path / "feeds").exists()


def test_calendars_that_cannot_be_written_are_told_after_a_good_sync(store: XlsxStore,
                                                                     tmp_path: Path):
    (tmp_path / "taken").write_text("a file where the folder should be")
    outcome = usecases.sync(store, FRIDAY, started_at=FRIDAY,
                            calendars=feeds_into(tmp_path / "taken"))
    assert outcome.report.wrote
    assert outcome.exit_code == 2
    assert outcome.feeds_error.startswith("The workbook was synced, but the calendars in ")


def test_a_missing_feed_secret_is_told_before_anything_runs(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path):
    monkeypatch.delenv("FEED_SECRET", raising=False)
    settings = CalendarSettings(tmp_path, secret_env="FEED_SECRET")
    with pytest.raises(UserError, match=r"FEED_SECRET \(calendar\.secret_env\) is not set"):
        usecases.publishing(settings, "Europe/Istanbul")
    monkeypatch.setenv("FEED_SECRET", "s3cret")
    assert usecases.publishing(settings, "Europe/Istanbul").secret == "s3cret"


def test_check_finds_the_problems_and_writes_the_problems_tab(tmp_path: Path):
    path = xlsx_studio(tmp_path / "studio.xlsx", PHYSIO.replace("Mon 14:00", "Mnday 14:00"))
    report = usecases.check(XlsxStore(path), FRIDAY)
    assert report.exit_code == 1 and report.wrote
    assert [(p.tab, p.column) for p in report.problems] == [("Enrollments", "schedule")]
    problems = openpyxl.load_workbook(path)["Problems"]
    assert problems.max_row == 2


def test_balances_hold_the_current_periods_and_narrow_to_money_due(store: XlsxStore):
    usecases.sync(store, FRIDAY, started_at=FRIDAY)
    found = usecases.balances(store, FRIDAY, "studio.xlsx")
    (ayse,) = found.rows
    assert (ayse.client_id, ayse.period, ayse.used, ayse.remaining) == ("C1", 1, 2, 8)
    assert ayse.due == Decimal("4000")
    due = usecases.balances(store, FRIDAY, "studio.xlsx", due=True)
    assert due.rows == found.rows and due.total_due == Decimal("4000") and due.filtered
    assert usecases.balances(store, FRIDAY, "studio.xlsx", ending_days=7).rows == []
    assert usecases.balances(store, FRIDAY, "studio.xlsx", ending_days=60).rows == [ayse]
    with pytest.raises(UserError, match=r"There is no client C9 in studio\.xlsx"):
        usecases.balances(store, FRIDAY, "studio.xlsx", client_id="C9")


def test_the_current_periods_are_the_latest_and_those_with_money_due(store: XlsxStore):
    ended = datetime(2027, 1, 1, 10, 0)  # Ayse's ten sessions are held, period 2 is planned
    usecases.sync(store, ended, started_at=ended)
    periods = [(b.period, b.due) for b in usecases.balances(store, ended, "studio.xlsx").rows]
    assert periods == [(1, Decimal("4000")), (2, Decimal("4000"))]


def test_commissions_write_the_month_and_a_rerun_writes_nothing(tmp_path: Path):
    workbook = december_workbook(tmp_path / "studio.xlsx")
    outcome = usecases.commissions(workbook, DECEMBER, FIRST_OF_JANUARY, "studio.xlsx",
                                   out=tmp_path / "december.csv", currency="TRY")
    assert outcome.rows == 2 and outcome.changes and outcome.exit_code == 0
    assert outcome.report.total_commission == Decimal("1739.99")
    assert outcome.saved == tmp_path / "december.csv"
    assert "Total" in (tmp_path / "december.csv").read_text(encoding="utf-8-sig")
    again = usecases.commissions(XlsxStore(workbook.path), DECEMBER, FIRST_OF_JANUARY,
                                 "studio.xlsx")
    assert again.rows == 2 and not again.changes


def test_commissions_wait_for_the_lock_of_a_sync_at_work(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    workbook = december_workbook(tmp_path / "studio.xlsx")
    monkeypatch.setattr(XlsxStore, "lock", partialmethod(XlsxStore.lock, wait=0.2))
    held = os.open(tmp_path / ".studio.xlsx.sheetsync-lock", os.O_RDONLY | os.O_CREAT, 0o666)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        with pytest.raises(WorkbookBusy, match="Another sheetsync is still working"):
            usecases.commissions(workbook, DECEMBER, FIRST_OF_JANUARY, "studio.xlsx")
    finally:
        os.close(held)


def test_commissions_count_the_public_holidays_a_sync_counts(tmp_path: Path):
    # Republic Day, Thursday 29 October 2026, closes the studio: that session moves.
    path = xlsx_studio(tmp_path / "studio.xlsx", PHYSIO.replace("2026-11-30", "2026-10-26"))
    first = datetime(2026, 11, 1, 9, 0)
    without = usecases.commissions(XlsxStore(path), Month(2026, 10), first, "studio.xlsx")
    closed = usecases.commissions(XlsxStore(path), Month(2026, 10), first, "studio.xlsx",
                                  holidays=TR)
    assert (without.report.total_sessions, closed.report.total_sessions) == (2, 1)
    synced = usecases.sync(XlsxStore(path), first, started_at=first, holidays=TR)
    october = [a for a in synced.report.plan.appointments if a.date in Month(2026, 10)]
    assert len(october) == closed.report.total_sessions


def test_a_statement_is_built_and_sent_through_the_sender_given(store: XlsxStore,
                                                                tmp_path: Path):
    config = Config(timezone="Europe/Istanbul", currency="TRY",
                    email=Email("Studio Flow <desk@flow.example>",
                                outbox_dir=tmp_path / "mail"))
    shown = usecases.statement(store, FRIDAY, "studio.xlsx", "C1",
                               templates=usecases.templates_for(config, None),
                               studio_name="Studio Flow", currency="TRY")
    assert shown.sent is None and "Ayse" in shown.rendered.text
    assert not (tmp_path / "mail").exists()
    mailer = usecases.mailer_for(config)
    sent = usecases.statement(store, FRIDAY, "studio.xlsx", "C1",
                              templates=usecases.templates_for(config, mailer), sender=mailer,
                              studio_name="Studio Flow", currency="TRY")
    assert sent.sent is not None and sent.sent.status == QUEUED
    assert sent.client_email == "ayse@x.example"
    assert len(list((tmp_path / "mail").glob("statement_C1_*.eml"))) == 1
    with pytest.raises(UserError, match=r"Mehmet \(C2\) has no e-mail address"):
        usecases.statement(store, FRIDAY, "studio.xlsx", "C2", sender=mailer,
                           templates=usecases.templates_for(config, mailer))


def test_calendars_one_printed_one_written_and_every_feed(store: XlsxStore, tmp_path: Path):
    how = feeds_into(tmp_path / "feeds")
    printed = usecases.calendars(store, FRIDAY, "studio.xlsx", how, chosen=[("staff", "ST1")],
                                 out="-")
    assert printed.printed.startswith(b"BEGIN:VCALENDAR") and printed.one is None
    one = usecases.calendars(store, FRIDAY, "studio.xlsx", how, chosen=[("client", "C1")],
                             out=str(tmp_path / "ayse.ics"))
    assert one.one is not None and one.one.changed and one.one.events == 10
    assert (tmp_path / "ayse.ics").read_bytes().count(b"BEGIN:VEVENT") == 10
    every = usecases.calendars(store, FRIDAY, "studio.xlsx", how)
    assert every.folder == tmp_path / "feeds" and len(every.written) == 7
    assert not any(w.changed for w in usecases.calendars(store, FRIDAY, "studio.xlsx",
                                                         how).written)
    with pytest.raises(UserError, match=r"There is no staff ST9 in studio\.xlsx"):
        usecases.calendars(store, FRIDAY, "studio.xlsx", how, chosen=[("staff", "ST9")])


def test_status_tells_a_fresh_sync_is_healthy(store: XlsxStore):
    assert usecases.status(store, FRIDAY, max_age=None, smtp=False).exit_code == 6
    usecases.sync(store, FRIDAY, started_at=FRIDAY)
    found = usecases.status(store, FRIDAY, max_age=None, smtp=False)
    assert found.healthy and found.last_run is not None and found.last_run.result == "ok"


def test_init_and_demo_make_a_studio_once(tmp_path: Path):
    path = tmp_path / "new.xlsx"
    added = usecases.init(XlsxStore(path), str(path))
    assert any("Appointments" in line for line in added)
    assert usecases.init(XlsxStore(path), str(path)) == []
    with pytest.raises(UserError, match="already holds studio data"):
        usecases.init(XlsxStore(path), str(path), demo_today=FRIDAY.date())
    demo = tmp_path / "demo.xlsx"
    made = usecases.demo(XlsxStore(demo), demo, FRIDAY, started_at=FRIDAY)
    assert made.fresh and made.report.wrote and made.report.plan.added
    again = usecases.demo(XlsxStore(demo), demo, FRIDAY, started_at=FRIDAY)
    assert not again.fresh and not again.report.plan.added


@pytest.mark.parametrize(("args", "split"), [
    ((), (None, None)), (("C1",), (None, "C1")), (("studio.xlsx",), ("studio.xlsx", None)),
    (("studio.xlsx", "C1"), ("studio.xlsx", "C1"))])
def test_balance_arguments(args: tuple[str, ...], split: tuple[str | None, str | None]):
    assert usecases.balance_arguments(args) == split


def test_inputs_from_the_command_line_are_read_or_refused_in_a_sentence():
    zone = Config(timezone="Europe/Istanbul").zone
    assert usecases.studio_time(zone, "2026-12-01T10:00Z", datetime.now) == datetime(
        2026, 12, 1, 13, 0)
    with pytest.raises(UserError, match="--now soon is not a date and time"):
        usecases.studio_time(zone, "soon", datetime.now)
    assert usecases.month_to_report(None, FRIDAY.date()) == Month(2026, 11)
    with pytest.raises(UserError, match="--month 2026-13 is not a month"):
        usecases.month_to_report("2026-13", FRIDAY.date())
    with pytest.raises(UserError, match=r"Which workbook\?"):
        usecases.workbook_name(Config(), None)
