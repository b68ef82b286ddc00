"""One sync or check, start to end: read -> plan -> send -> write.

The only place that strings the steps together: `read_workbook` (the snapshot, public
holidays merged in), `plan` (every change and the alerts due), `add_digests` (the weekly
digest, which also reads the Runs and Notifications tabs: digest.py), `send_alerts`, then
`build_changes` + `with_run` (the Runs row, counting its own write) and `write_changes`.
It talks to a store, never to the terminal: progress goes through the `progress` callback
the CLI passes, worded (like the report's notes) in the `locale` each entry point takes.
A workbook with a structural problem (a missing tab or column) is reported on
and never written. Progress never claims a write before it happened: "Saving ..."
comes after the workbook was found writable, right before the write.

Outcome (SyncReport.exit_code, Runs.result): 0 `ok`; 1 `problems` (in the workbook);
4 `alerts failed` (they stay in Notifications as failed and are retried), also when
problems were found (`problems, alerts failed`). The Runs row, the Balances states and
the Notifications statuses are written in the locale's words (`tamam`, `sorunlar`,
`başarısız`: the writer's, sheet.written_words), and the public holidays are named in it.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Protocol

from . import collector, crashpoints
from . import status as health
from .alerts import AlertPlan, AlertRules
from .apply import build_changes, problem_cells, run_record, with_run, write_rows_in_order
from .digest import DigestRules, due_digests, waiting_managers
from .errors import WorkbookBusy
from .formatting import format_count
from .i18n import translations
from .messages import FAILED, QUEUED, SENT, Outgoing, Result
from .model import Problem, Snapshot
from .plan import Plan, plan
from .problem_text import ENGLISH_WORDS, ProblemWords, problem_words
from .publicholidays import HolidaySettings, holiday_closures
from .read import read_snapshot
from .schema import ENGLISH, OWNED_TABS, PROBLEMS
from .sheet import Columns, locate
from .stores.base import Store, Table, WorkbookChanges

Progress = Callable[[str], None]

OK, PROBLEMS_FOUND, ALERTS_FAILED = 0, 1, 4  # exit codes of a sync that ran to the end


def _quiet(message: str) -> None:
    return None


class Sender(Protocol):
    def send(self, messages: Sequence[Outgoing], now: datetime) -> list[Result]: ...

    def preview(self, message: Outgoing) -> str: ...

    @property
    def delivers(self) -> bool:
        """True when messages leave the machine (SMTP), False for an outbox folder."""


@dataclass(frozen=True, slots=True)
class Alerting:
    """How package alerts go out; without one, a sync sends none."""

    sender: Sender
    ending_at: int = 1
    studio_name: str = ""
    currency: str = ""
    payment_due_after_days: int | None = None  # None: no payment reminders
    payment_due_every_days: int | None = None
    digest_weekday: int | None = None  # the weekly digest to the managers; None: none
    digest_time: time = time(8, 0)

    @property
    def digest_rules(self) -> DigestRules:
        """When the weekly digest goes out, and what it says money in."""
        return DigestRules(weekday=self.digest_weekday, at=self.digest_time,
                           studio_name=self.studio_name, currency=self.currency,
                           deliver_queued=self.sender.delivers)

    @property
    def rules(self) -> AlertRules:
        """What decides which alerts are due; queued ones go out again once SMTP is set up."""
        return AlertRules(ending_at=self.ending_at, studio_name=self.studio_name,
                          currency=self.currency, deliver_queued=self.sender.delivers,
                          payment_due_after_days=self.payment_due_after_days,
                          payment_due_every_days=self.payment_due_every_days)


@dataclass(slots=True)
class SyncReport:
    plan: Plan
    changes: WorkbookChanges
    snapshot: Snapshot
    dry_run: bool
    wrote: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    alerts: list[Outgoing] = field(default_factory=list)  # due (sent, or listed by a dry run)
    outcomes: list[Result] = field(default_factory=list)
    problem_words: ProblemWords = ENGLISH_WORDS  # how the studio reads the problems

    @property
    def sent(self) -> int:
        return sum(r.status == SENT for r in self.outcomes)

    @property
    def queued(self) -> int:
        return sum(r.status == QUEUED for r in self.outcomes)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.outcomes if r.status == FAILED]

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems

    @property
    def structural(self) -> bool:
        return self.snapshot.structural

    @property
    def exit_code(self) -> int:
        return sync_exit_code(bool(self.problems), bool(self.failed))

    @property
    def result(self) -> str:
        return run_result(bool(self.problems), bool(self.failed))


def sync_exit_code(problems: bool, alerts_failed: bool) -> int:
    """Failed alerts first: the operator must act on them; problems the studio fixes in
    the Problems tab (the output names both)."""
    return ALERTS_FAILED if alerts_failed else PROBLEMS_FOUND if problems else OK


def run_result(problems: bool, alerts_failed: bool) -> str:
    """Runs.result: `ok`, `problems`, `alerts failed` or `problems, alerts failed`."""
    parts = [text for text, holds in (("problems", problems), ("alerts failed", alerts_failed))
             if holds]
    return ", ".join(parts) or "ok"


def read_and_plan(store: Store, now: datetime, progress: Progress = _quiet,
                  holidays: HolidaySettings | None = None, *,
                  alert_rules: AlertRules | None = None, locale: str = ENGLISH,
                  ) -> tuple[dict[str, Table], Snapshot, Plan]:
    """Read the workbook (public holidays merged in as closures) and plan at `now`; with
    `alert_rules` the plan holds the alerts due as well."""
    tables, snapshot = read_workbook(store, now, progress, holidays, locale)
    return tables, snapshot, plan(snapshot, now, alert_rules=alert_rules)


def read_workbook(store: Store, now: datetime, progress: Progress,
                  holidays: HolidaySettings | None, locale: str = ENGLISH,
                  ) -> tuple[dict[str, Table], Snapshot]:
    """Every tab as read (in `locale`'s conventions), and the snapshot of it with the public
    holidays merged in."""
    say = translations(locale)
    progress(say.gettext("Reading %(workbook)s ...") % {"workbook": store.label})
    tables = store.read()
    snapshot = with_holidays(read_snapshot(tables, locale=locale), holidays, now, locale)
    rows = sum(len(t.rows) for t in tables.values())
    progress(say.ngettext("Read %(tabs)s tabs, %(rows)s rows; planning ...",
                          "Read %(tabs)s tabs, %(rows)s rows; planning ...", rows)
             % {"tabs": len(tables), "rows": format_count(rows, locale)})
    return tables, snapshot


def with_holidays(snapshot: Snapshot, holidays: HolidaySettings | None,
                  now: datetime, locale: str = ENGLISH) -> Snapshot:
    """The snapshot with the public holidays as closures (named in `locale`), from the first
    enrollment's year to six years ahead; the Closures rows that open the studio keep it
    open."""
    if holidays is None:
        return snapshot
    first = min((e.start_date.year for e in snapshot.enrollments.values()), default=now.year)
    years = range(min(first, now.year), now.year + 7)
    return snapshot.with_closures(holiday_closures(holidays, years, snapshot.openings,
                                                   locale))


def located_owned(tables: dict[str, Table], locale: str = ENGLISH,
                  ) -> dict[str, Columns | None]:
    """The owned tabs, found by titles in any language, written in `locale`'s words."""
    return {tab.name: locate(tables, tab, locale)[0] for tab in OWNED_TABS}


def sync(store: Store, now: datetime, *, started_at: datetime, dry_run: bool = False,
         alerting: Alerting | None = None, holidays: HolidaySettings | None = None,
         progress: Progress = _quiet,
         clock: Callable[[], float] = _time.monotonic, locale: str = ENGLISH) -> SyncReport:
    """Bring the workbook up to date at `now` (naive studio time); the statuses it changes
    are written in `locale`'s words.

    Alerts go out before the one write that records them: a crash in between can
    repeat a message once (its Message-ID, derived from the key, shows it), never lose it.
    """
    with store.lock(), collector.paused():
        return _sync(store, now, started_at, dry_run, alerting, holidays, progress, clock,
                     locale)


def _sync(store: Store, now: datetime, started_at: datetime, dry_run: bool,
          alerting: Alerting | None, holidays: HolidaySettings | None, progress: Progress,
          clock: Callable[[], float], locale: str = ENGLISH) -> SyncReport:
    """read -> plan -> send -> write, each step a function of its own."""
    began = clock()
    tables, snapshot = read_workbook(store, now, progress, holidays, locale)
    result = plan(snapshot, now, alert_rules=alerting.rules if alerting else None)
    words = problem_words(locale, tables)
    if alerting is not None and not snapshot.structural:
        add_digests(result, tables, snapshot, alerting, words)
    report = SyncReport(result, WorkbookChanges(), snapshot, dry_run, alerts=result.alerts.send,
                        problem_words=words)
    if snapshot.structural:
        report.notes.append(translations(locale).gettext(
            "The workbook is missing tabs or columns, so nothing was written; run 'sheetsync "
            "init' on it to add them."))
        report.seconds = clock() - began
        return report
    outcomes: list[tuple[Outgoing | None, Result]] = []
    if alerting is not None and not dry_run:
        outcomes = send_alerts(store, alerting.sender, result.alerts, now, progress, locale)
        report.outcomes = [r for _, r in outcomes]
    located = located_owned(tables, locale)
    report.changes = build_changes(result, located, snapshot.notices, outcomes, words)
    if not dry_run:
        run = run_record(result, started_at=started_at, notified=report.sent,
                         seconds=clock() - began, result=report.result)
        report.changes = with_run(report.changes, located, run, store.requests_for,
                                  store.reads, store.writes)
        write_changes(store, report.changes, progress, locale)
        report.wrote = True
    report.seconds = clock() - began
    return report


def add_digests(result: Plan, tables: dict[str, Table], snapshot: Snapshot,
                alerting: Alerting, words: ProblemWords) -> None:
    """Add the weekly digests due at the plan's `now` (and the stale ones to skip) to its
    alerts: they read the workbook's record of runs and alerts and its open problems, in
    the studio's words (`words`, as the Problems tab shows them)."""
    now, rules = result.now, alerting.digest_rules
    record, problems = None, []
    if waiting_managers(snapshot, now, rules):  # the tabs are read only for a digest to send
        record = health.status(tables, now, max_age=None, smtp=alerting.sender.delivers,
                               locale=words.locale)
        problems = [words.line(p) for p in result.problems]
    due = due_digests(snapshot, result.balances, result.appointments, now, rules,
                      record=record, problems=problems)
    result.alerts.send.extend(due.send)
    result.alerts.skip.extend(due.skip)


def send_alerts(store: Store, sender: Sender, due: AlertPlan, now: datetime,
                progress: Progress, locale: str = ENGLISH,
                ) -> list[tuple[Outgoing | None, Result]]:
    """Send the due alerts: each with its Result, then the retries no longer due (skipped).

    Never sends what could not be recorded (the workbook must be writable) nor what another
    sync is sending (the store's claim)."""
    store.check_writable()
    if due.send:
        store.claim()
        progress(translations(locale).ngettext(
            "Sending %(count)s alert(s) ...", "Sending %(count)s alert(s) ...", len(due.send))
            % {"count": len(due.send)})
    sent = sender.send(due.send, now)
    crashpoints.reached("alerts-sent")
    return [*zip(due.send, sent, strict=True), *((None, r) for r in due.skip)]


def write_changes(store: Store, changes: WorkbookChanges, progress: Progress,
                  locale: str = ENGLISH) -> None:
    """The one write of a sync; a refusal is told before progress claims a write."""
    store.check_writable()
    cells = changes.cells_written
    say = translations(locale)
    counted = {"cells": format_count(cells, locale), "workbook": store.label}
    progress(say.ngettext("Saving %(cells)s cells to %(workbook)s ...",
                          "Saving %(cells)s cells to %(workbook)s ...", cells) % counted)
    store.write(changes)
    progress(say.ngettext("Saved %(cells)s cells.", "Saved %(cells)s cells.", cells) % counted)


@dataclass(slots=True)
class CheckReport:
    problems: list[Problem]
    wrote: bool
    snapshot: Snapshot
    notes: list[str] = field(default_factory=list)
    problem_words: ProblemWords = ENGLISH_WORDS  # how the studio reads them

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def check(store: Store, now: datetime, progress: Progress = _quiet,
          holidays: HolidaySettings | None = None, locale: str = ENGLISH) -> CheckReport:
    """Find every problem (reading `locale`'s conventions) and rewrite the Problems tab with
    them (when it can)."""
    with store.lock(), collector.paused():
        return _check(store, now, progress, holidays, locale)


def _check(store: Store, now: datetime, progress: Progress,
           holidays: HolidaySettings | None, locale: str) -> CheckReport:
    tables, snapshot, result = read_and_plan(store, now, progress, holidays, locale=locale)
    words = problem_words(locale, tables)
    report = CheckReport(result.problems, wrote=False, snapshot=snapshot, problem_words=words)
    cols = locate(tables, PROBLEMS)[0]
    if snapshot.structural or cols is None:
        return report
    changes = WorkbookChanges()
    write_rows_in_order(cols, (problem_cells(p, words) for p in result.problems), changes)
    if changes:
        try:
            store.write(changes)
            report.wrote = True
        except WorkbookBusy as busy:
            report.notes.append(translations(locale).gettext(
                "The Problems tab was not updated: %(reason)s") % {"reason": busy})
    return report
