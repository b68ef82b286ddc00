"""What the command line shows: report objects in, lines of text out.

Pure: no click, no I/O, no clock (the engine and the calendar module are named for their
types only). Each function takes a report from usecases.py (or the engine) and the few
settings it names, and returns lines (or one string) for cli.py to echo. The words are the
studio's: every line reads without knowing the code.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from . import status as health
from .messages import FAILED, QUEUED, SENT, SKIPPED, Outgoing, Result
from .model import Appointment, Balance, Closure, Problem
from .phrases import P_
from .plan import Plan
from .problem_text import ENGLISH_WORDS, ProblemWords
from .publicholidays import HolidaySettings

if TYPE_CHECKING:
    from . import engine, ics
    from .report import CommissionReport
    from .usecases import (
        BalanceReport,
        CalendarReport,
        CommissionsOutcome,
        DemoReport,
        SyncOutcome,
    )

HOLIDAYS_AHEAD = timedelta(days=90)
SHOWN_PROBLEMS = 5


# -- sync ------------------------------------------------------------------------------------
def sync_lines(report: engine.SyncReport, name: str, timezone: str, *,
               holidays: HolidaySettings | None = None,
               alerts: AlertChannel | None = None) -> list[str]:
    """Everything a sync says before its calendars and its summary line."""
    plan = report.plan
    lines = []
    if report.dry_run:
        lines.append(f"Dry run of {name} at {plan.now:%Y-%m-%d %H:%M} ({timezone}); "
                     "nothing was written.")
        lines += detail_lines(plan)
        lines += holiday_lines(report.snapshot.closures, plan.now, holidays)
    elif report.wrote:
        lines.append(f"Synced {name} at {plan.now:%Y-%m-%d %H:%M} ({timezone}).")
    verb = "would be " if report.dry_run else ""
    if not report.structural:
        lines += [f"  {len(plan.added):4} appointment(s) {verb}created",
                  f"  {len(plan.completed):4} {verb}completed",
                  f"  {sum(c.moved for c in plan.changed):4} {verb}re-planned",
                  f"  {len(plan.deleted):4} {verb}deleted",
                  f"  {len(plan.renewals):4} period(s) {verb}renewed"]
        if not report.dry_run:
            lines.append(f"  {report.changes.cells_written:4} cell(s) written "
                         f"in {report.seconds:.1f}s")
    if alerts is not None:
        lines += alert_lines(report, alerts)
    lines += report.notes
    lines += problems_summary(report.problems)
    if report.failed and report.problems:
        lines.append(f"Exit 4: alerts could not be sent (see above), and {len(report.problems)} "
                     "problem(s) were found in the workbook (see the Problems tab).")
    return lines


@dataclass(frozen=True, slots=True)
class AlertChannel:
    """How a sync's alerts went out, as its output tells: the outbox folder (None when they
    leave the machine) and the one-line preview of a message."""

    outbox: Path | None
    preview: Callable[[Outgoing], str]


def alert_lines(report: engine.SyncReport, channel: AlertChannel) -> list[str]:
    outbox = "" if channel.outbox is None else f"queued in the outbox {channel.outbox}"
    if report.dry_run:
        return [f"  {len(report.alerts):4} alert(s) would be {outbox or 'sent'}",
                *(f"    {channel.preview(message)}" for message in report.alerts)]
    counts = Counter(r.status for r in report.outcomes)
    lead = (f"{counts[QUEUED]:4} alert(s) {outbox} (nothing left the machine)" if outbox
            else f"{counts[SENT]:4} alert(s) sent")
    return [f"  {lead}" + "".join(f", {counts[status]} {status}" for status in (FAILED, SKIPPED)
                                  if counts[status]),
            *failure_lines(report.failed)]


def failure_lines(failed: Sequence[Result]) -> list[str]:
    """One sentence per cause of failed alerts; a cause no retry mends says so."""
    causes: dict[tuple[str, bool], list[str]] = {}
    for result in failed:
        causes.setdefault((result.error.rstrip("."), result.needs_action), []).append(result.key)
    lines = []
    for (error, needs_action), keys in causes.items():
        label = "Alerts" if len(causes) == 1 else f"{len(keys)} alert(s)"
        then = ("They stay in Notifications and go out at the first sync that can send them."
                if needs_action else "This may pass by itself: they stay in Notifications as "
                "failed and every sync tries them again.")
        lines.append(f"{label} could not be sent: {error or 'no reason given'}. {then}")
        shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        lines.append(f"    not sent: {shown}")
    return lines


def sync_outcome_lines(outcome: SyncOutcome, name: str, timezone: str, *,
                       holidays: HolidaySettings | None = None,
                       alerting: engine.Alerting | None = None,
                       outbox: Path | None = None) -> list[tuple[str, bool]]:
    """The whole output of `sync`, in order: (line, True when it goes to stderr). `outbox`:
    the folder alerts are queued in when they do not leave the machine."""
    report = outcome.report
    channel = None if alerting is None else AlertChannel(outbox, alerting.sender.preview)
    lines = [(line, False) for line in sync_lines(report, name, timezone, holidays=holidays,
                                                  alerts=channel)]
    if outcome.feeds is not None and outcome.feeds_folder is not None:
        lines.append((feeds_line(outcome.feeds, outcome.feeds_folder, report.dry_run), False))
    if outcome.feeds_error:
        lines.append((f"Error: {outcome.feeds_error}", True))
    queues = alerting is not None and not alerting.sender.delivers
    return [*lines, (summary_line(report, outcome.exit_code, outbox=queues), False)]


def feeds_line(written: Sequence[ics.Written], folder: Path, dry_run: bool) -> str:
    verb = "would be rewritten" if dry_run else "rewritten"
    return (f"  {sum(w.changed for w in written):4} of {len(written)} calendar(s) {verb} "
            f"in {folder}")


def summary_line(report: engine.SyncReport, code: int, outbox: bool) -> str:
    """`sync: 12 created, 3 completed, 1 renewed, 2 alerts sent, 1 failed, 0 problems
    (exit 4)`: one line a log or a person reads at a glance."""
    plan = report.plan
    created, completed = len(plan.added), len(plan.completed)
    renewed, problems = len(plan.renewals), len(report.problems)
    if report.dry_run:
        alerts = f"{'queue' if outbox else 'send'} {len(report.alerts)} alerts"
        return (f"sync --dry-run: would create {created}, complete {completed}, renew "
                f"{renewed}, {alerts}; {problems} problems (exit {code})")
    if report.structural:
        created = completed = renewed = 0  # nothing was written
    queued = f", {report.queued} queued in the outbox" if report.queued else ""
    return (f"sync: {created} created, {completed} completed, {renewed} renewed, "
            f"{report.sent} alerts sent{queued}, {len(report.failed)} failed, "
            f"{problems} problems (exit {code})")


def detail_lines(plan: Plan) -> list[str]:
    """Each change a dry run would make, one line each."""
    lines = []
    for a in plan.added:
        lines.append(f"  + {describe(a)}" + ("  (in the past: completed)"
                                             if a.status != "pending" else ""))
    for change in plan.changed:
        if change.completed:
            lines.append(f"  done {describe(change.after)}")
        if change.moved:
            lines.append(f"  moved {describe(change.before)} -> {change.after.placement}")
    lines += [f"  - {describe(a)}" for a in plan.deleted]
    for r in plan.renewals:
        first = f" from {r.first_session:%a %Y-%m-%d %H:%M}" if r.first_session else ""
        lines.append(f"  renew {r.enrollment_id} ({r.client_id}) period {r.period}{first}")
    return lines


def describe(a: Appointment) -> str:
    return (f"{a.appointment_id}  {a.client_name}  {a.date:%a %Y-%m-%d} "
            f"{a.start:%H:%M}-{a.end:%H:%M}  {a.staff_id}")


def holiday_lines(closures: Sequence[Closure], now: datetime,
                  holidays: HolidaySettings | None) -> list[str]:
    """The public holidays that close the studio soon, so nobody wonders about a gap."""
    if holidays is None:
        return []
    soon = [c for c in closures if c.public_holiday
            and now.date() <= c.start_date <= now.date() + HOLIDAYS_AHEAD]
    where = holidays.country + (f"-{holidays.subdiv}" if holidays.subdiv else "")
    return [f"Public holidays ({where}) closing the studio in the next "
            f"{HOLIDAYS_AHEAD.days} days: " + (", ".join(
                f"{c.start_date:%a %Y-%m-%d} {c.reason.removeprefix('Public holiday: ')}"
                for c in soon) or "none")]


def problems_summary(problems: Sequence[Problem]) -> list[str]:
    if not problems:
        return []
    lines = [f"{len(problems)} problem(s) found; the rows concerned were left as they are:"]
    lines += [f"  {problem_line(p)}" for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"  ... and {len(problems) - SHOWN_PROBLEMS} more: see the Problems tab "
                     "or run 'sheetsync check'.")
    return lines


def problem_line(p: Problem) -> str:
    where = p.tab + (f" row {p.row}" if p.row else "") + (f", {p.column}" if p.column else "")
    return f"{where}: {p.problem}"


def as_json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


# -- check -----------------------------------------------------------------------------------
def problems_json(problems: Sequence[Problem],
                  words: ProblemWords = ENGLISH_WORDS) -> list[dict[str, object]]:
    """The Problems tab's rows: English keys, the values as the studio reads them (`words`)."""
    return [{"tab": p.tab, "row": p.row, "column": p.column, "value": p.value,
             "problem": p.problem} for p in words.shown_all(problems)]


def check_lines(problems: Sequence[Problem], name: str,
                words: ProblemWords = ENGLISH_WORDS) -> list[str]:
    """`check`'s report in the studio's language (`words`); English as it always was."""
    if not problems:
        return [words.say(P_("No problems in {workbook}.", workbook=name))]
    return [words.say(P_("{count} problem(s) in {workbook}:", count=len(problems),
                         workbook=name)),
            *(f"  {words.line(p)}" + _shown_value(p.value, words) for p in problems)]


def _shown_value(value: str, words: ProblemWords) -> str:
    return "  " + words.say(P_("(value: {value})", value=value)) if value else ""


# -- status ----------------------------------------------------------------------------------
def status_lines(found: health.Status, name: str, timezone: str) -> list[str]:
    verdict = "healthy" if found.healthy else f"needs attention (exit {found.exit_code})"
    lines = [f"{name} at {found.now:%Y-%m-%d %H:%M} ({timezone}): {verdict}."]
    run = found.last_run
    if run is None:
        lines.append("  last run        none recorded in the Runs tab")
    else:
        counts = ", ".join(f"{'?' if n is None else n} {key}" for key, n in run.counts.items())
        lines.append(f"  last run        {_when(run)}: {run.result or '(no result)'}; {counts}")
    limit = (f"; --max-age {health.describe_age(found.max_age)}" if found.max_age
             else "; age not checked")
    if found.last_success is None or found.age is None:
        lines.append("  last good sync  none")
    else:
        ago = (f"{health.describe_age(found.age)} ago" if found.age >= timedelta(0)
               else f"{health.describe_age(-found.age)} after this moment")
        lines.append(f"  last good sync  {ago} ({found.last_success.moment:%Y-%m-%d %H:%M}"
                     f"{limit})")
    queued = (f"{found.queued_alerts} queued" + ("" if found.smtp or not found.queued_alerts
                                                 else " in the outbox folder (no email.smtp: "
                                                 "nothing leaves the machine)"))
    lines.append(f"  alerts          {found.failed_alerts} failed, {queued}")
    for a in found.waiting:
        when = f"{a.created_at:%Y-%m-%d %H:%M} " if a.created_at else ""
        lines.append(f"    {a.status:6}  {when}{a.key}  {a.event}  to {a.to or '(nobody)'}"
                     + (f": {a.error}" if a.error else ""))
    waiting = found.failed_alerts + found.queued_alerts
    if waiting > len(found.waiting):
        lines.append(f"    ... and {waiting - len(found.waiting)} more in the Notifications tab")
    lines.append(f"  open problems   {found.open_problems}")
    lines += [f"    {problem_line(p)}" for p in found.first_problems]
    if found.open_problems > len(found.first_problems):
        lines.append(f"    ... and {found.open_problems - len(found.first_problems)} more in "
                     "the Problems tab")
    return lines + list(found.reasons)


def _when(run: health.Run) -> str:
    """When a run started, and the time it synced as when that differs (sync --now)."""
    started = f"{run.started_at:%Y-%m-%d %H:%M}" if run.started_at else "(start unreadable)"
    if run.now is None or (run.started_at and abs(run.now - run.started_at)
                           < timedelta(minutes=1)):
        return started
    return f"{started} (synced as of {run.now:%Y-%m-%d %H:%M})"


# -- balance ---------------------------------------------------------------------------------
def balance_lines(found: BalanceReport, currency: str) -> list[str]:
    lines = [balance_table(found.rows, currency, filtered=found.filtered)]
    if found.due_only and found.rows:
        lines.append(f"Total due: {found.total_due:,.2f} {currency}".rstrip())
    if found.held:
        lines.append(f"Not shown, held by problems: {', '.join(found.held)} "
                     "(run 'sheetsync check').")
    return lines


def balance_table(rows: Sequence[Balance], currency: str, filtered: bool = False) -> str:
    headers = ("client", "package", "period", "used", "remaining", "next session", "due")
    table = [headers] + [
        (f"{b.client_name} ({b.client_id})", b.package_id, str(b.period),
         f"{b.used}/{b.sessions}", str(b.remaining),
         f"{b.next_session:%a %Y-%m-%d %H:%M}" if b.next_session else "-",
         f"{b.due:,.2f} {currency}".strip())
        for b in sorted(rows, key=lambda b: (b.client_name.lower(), b.enrollment_id, b.period))
    ]
    if len(table) == 1:
        return ("Nothing matches." if filtered
                else "No balances yet: the workbook has no planned sessions.")
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    right = {2, 3, 4, 6}
    lines = []
    for r in table:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in
                 enumerate(zip(r, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- commissions -----------------------------------------------------------------------------
def commission_lines(outcome: CommissionsOutcome, name: str, currency: str) -> list[str]:
    result, month = outcome.report, outcome.report.month
    lines = [f"Commissions for {month.label} ({month}) in {name}", ""]
    if result.empty:
        lines.append(f"No session was completed or paid-cancelled in {month}: "
                     "no commission was earned.")
    else:
        lines += [staff_table(result, currency), "", "By package:",
                  package_table(result, currency)]
    lines.append("")
    rows, changes = outcome.rows, outcome.changes
    if changes and rows:
        lines.append(f"Wrote {rows} row(s) for {month} into the Commissions tab "
                     f"({changes.cells_written} cell(s) changed); other months are kept.")
    elif changes:
        lines.append(f"Removed the rows for {month} from the Commissions tab; other months "
                     "are kept.")
    elif rows:
        lines.append(f"The Commissions tab already holds these {rows} row(s) for {month}; "
                     "nothing was written.")
    else:
        lines.append(f"The Commissions tab has no rows for {month}; nothing was written.")
    if outcome.saved is not None:
        lines.append(f"Saved the report to {outcome.saved}.")
    return lines + [f"Note: {note}" for note in result.notes]


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}".strip()


def staff_label(staff_id: str, staff_name: str) -> str:
    if not staff_id:
        return "(no staff member)"
    return f"{staff_name} ({staff_id})" if staff_name else staff_id


def staff_table(result: CommissionReport, currency: str) -> str:
    rows = [(staff_label(r["staff_id"], r["staff_name"]), str(r["sessions"]),
             money(r["revenue"], currency), money(r["commission"], currency))
            for r in result.by_staff.to_dict("records")]
    total = ("Total", str(result.total_sessions), money(result.total_revenue, currency),
             money(result.total_commission, currency))
    return text_table(("staff", "sessions", "revenue", "commission"), rows, total,
                      right={1, 2, 3})


def package_table(result: CommissionReport, currency: str) -> str:
    rows = []
    previous = None
    for r in result.by_package.to_dict("records"):
        staff = staff_label(r["staff_id"], r["staff_name"])
        package = (f"{r['package_name']} ({r['package_id']})" if r["package_id"]
                   else "(package unknown)")
        rows.append(("" if staff == previous else staff, package, str(r["sessions"]),
                     money(r["revenue"], currency), money(r["commission"], currency)))
        previous = staff
    return text_table(("staff", "package", "sessions", "revenue", "commission"), rows, None,
                      right={2, 3, 4})


def text_table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]],
               total: tuple[str, ...] | None, right: set[int]) -> str:
    table = [headers, *rows, *([total] if total else [])]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    rule = "  ".join("-" * w for w in widths)

    def line(r: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()

    lines = [line(headers), rule, *map(line, rows)]
    if total:
        lines += [rule, line(total)]
    return "\n".join(lines)


# -- calendar --------------------------------------------------------------------------------
def calendar_lines(found: CalendarReport, timezone: str) -> list[str]:
    """What `calendar` wrote (nothing when it printed the calendar itself)."""
    lines = []
    if found.one is not None:
        one = found.one
        lines.append(f"{'Wrote' if one.changed else 'Up to date:'} {one.path}: "
                     f"{one.feed.label}, {one.events} event(s).")
    elif found.folder is not None:
        lines += feed_lines(found.written, found.folder, timezone, found.history_start)
    if found.held:
        lines.append(f"Held by problems, shown as they stand in the workbook: "
                     f"{', '.join(found.held)} (run 'sheetsync check').")
    return lines


def feed_lines(written: Sequence[ics.Written], folder: Path, timezone: str,
               history_start: date | None) -> list[str]:
    changed = [w for w in written if w.changed]
    since = f", sessions from {history_start:%Y-%m-%d}" if history_start else ""
    width = max((len(w.path.name) for w in changed), default=0)
    return [f"Calendars in {folder} ({timezone}{since}):",
            *(f"  wrote {w.path.name.ljust(width)}  {w.feed.label}, {w.events} event(s)"
              for w in changed),
            f"  {len(changed)} written, {len(written) - len(changed)} unchanged."]


# -- statement, demo -------------------------------------------------------------------------
def sent_line(name: str, address: str, subject: str, smtp_host: str | None,
              outbox: Path | None) -> str:
    where = (f"through {smtp_host}" if smtp_host
             else f"into {outbox} (outbox: nothing left the machine)")
    return f"Sent the statement to {name} <{address}> {where}: {subject}"


def held_statement_line(held: Sequence[str]) -> str:
    return f"Not in the statement, held by problems: {', '.join(held)} (run 'sheetsync check')."


def demo_lines(found: DemoReport, command: str) -> list[str]:
    plan, snap, path = found.report.plan, found.report.snapshot, found.path
    lines = []
    if found.fresh:
        lines.append(f"Made a demo studio in {path}: {len(snap.packages)} packages, "
                     f"{len(snap.clients)} clients, {len(snap.staff)} staff, "
                     f"{len(snap.groups)} group, {len(snap.enrollments)} enrollments.")
    lines.append(f"Synced it at {plan.now:%Y-%m-%d %H:%M}: {len(plan.added)} appointments "
                 f"created ({sum(a.status == 'completed' for a in plan.added)} of them in the "
                 f"past, so already completed), {len(plan.completed)} completed, "
                 f"{len(plan.renewals)} period(s) renewed.")
    due = sum((b.due for b in plan.balances if b.due > 0), start=0)
    lines.append(f"Balances: {len(plan.balances)} periods, {due:,.2f} still due in total.")
    lines.append(f"Open {path} and look at the Appointments and Balances tabs, or run:\n"
                 f"  {command} balance {path}\n"
                 f"  {command} sync {path} --dry-run --now {found.today.isoformat()}T23:00")
    return lines
