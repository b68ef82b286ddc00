"""What the command line shows: report objects in, lines of text out.

Pure: no click, no I/O, no clock (the engine and the calendar module are named for their
types only). Each function takes a report from usecases.py (or the engine) and the few
settings it names, and returns lines (or one string) for cli.py to echo. The words are the
studio's: every line reads without knowing the code.

Language: a function that words something for people takes `locale` (`en`, `tr`, `de`;
default `en`) and looks its sentences up in the `sheetsync` gettext catalog; money, dates
and times go through formatting.py in that locale. English is the source language, so
English lines are byte for byte what they always were. No module state holds a language.
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
from .formatting import (
    format_money,
    format_month,
    format_numeric_day,
    format_stamp,
    format_table_moment,
)
from .i18n import DEFAULT, translations
from .messages import FAILED, QUEUED, SENT, SKIPPED, Outgoing, Result
from .model import Appointment, Balance, Closure, Problem
from .phrases import P_
from .plan import Plan
from .problem_text import ENGLISH_WORDS, ProblemWords
from .publicholidays import HolidaySettings
from .words import NOTICE_STATUSES, holiday_names, value_word

if TYPE_CHECKING:
    from . import engine, ics
    from .report import CommissionReport
    from .usecases import (
        BalanceReport,
        CalendarReport,
        CommissionsOutcome,
        DemoReport,
        MonthReportOutcome,
        SyncOutcome,
    )

HOLIDAYS_AHEAD = timedelta(days=90)
SHOWN_PROBLEMS = 5


# -- sync ------------------------------------------------------------------------------------
def sync_lines(report: engine.SyncReport, name: str, timezone: str, *,
               holidays: HolidaySettings | None = None,
               alerts: AlertChannel | None = None, locale: str = DEFAULT) -> list[str]:
    """Everything a sync says before its calendars and its summary line."""
    t = translations(locale)
    plan = report.plan
    lines = []
    at = {"name": name, "when": format_stamp(plan.now, locale), "zone": timezone}
    if report.dry_run:
        lines.append(t.gettext("Dry run of %(name)s at %(when)s (%(zone)s); nothing was "
                               "written.") % at)
        lines += detail_lines(plan, locale)
        lines += holiday_lines(report.snapshot.closures, plan.now, holidays, locale)
    elif report.wrote:
        lines.append(t.gettext("Synced %(name)s at %(when)s (%(zone)s).") % at)
    if not report.structural:
        lines += [f"  {line}" for line in count_lines(report, locale)]
    if alerts is not None:
        lines += alert_lines(report, alerts, locale)
    lines += report.notes
    lines += problems_summary(report.problems, locale, report.problem_words)
    if report.failed and report.problems:
        lines.append(t.ngettext(
            "Exit 4: alerts could not be sent (see above), and %(count)s problem(s) were "
            "found in the workbook (see the Problems tab).",
            "Exit 4: alerts could not be sent (see above), and %(count)s problem(s) were "
            "found in the workbook (see the Problems tab).", len(report.problems))
            % {"count": len(report.problems)})
    return lines


def count_lines(report: engine.SyncReport, locale: str = DEFAULT) -> list[str]:
    """What a sync did (or a dry run would do), one count a line, the counts aligned."""
    t = translations(locale)
    plan = report.plan
    counts = [len(plan.added), len(plan.completed), sum(c.moved for c in plan.changed),
              len(plan.deleted), len(plan.renewals)]
    if report.dry_run:
        words = [t.ngettext("%(count)s appointment(s) would be created",
                            "%(count)s appointment(s) would be created", counts[0]),
                 t.ngettext("%(count)s would be completed", "%(count)s would be completed",
                            counts[1]),
                 t.ngettext("%(count)s would be re-planned", "%(count)s would be re-planned",
                            counts[2]),
                 t.ngettext("%(count)s would be deleted", "%(count)s would be deleted",
                            counts[3]),
                 t.ngettext("%(count)s period(s) would be renewed",
                            "%(count)s period(s) would be renewed", counts[4])]
    else:
        words = [t.ngettext("%(count)s appointment(s) created",
                            "%(count)s appointment(s) created", counts[0]),
                 t.ngettext("%(count)s completed", "%(count)s completed", counts[1]),
                 t.ngettext("%(count)s re-planned", "%(count)s re-planned", counts[2]),
                 t.ngettext("%(count)s deleted", "%(count)s deleted", counts[3]),
                 t.ngettext("%(count)s period(s) renewed", "%(count)s period(s) renewed",
                            counts[4])]
    lines = [word % {"count": f"{count:4}"} for word, count in zip(words, counts, strict=True)]
    if not report.dry_run:
        cells = report.changes.cells_written
        lines.append(t.ngettext("%(count)s cell(s) written in %(seconds)ss",
                                "%(count)s cell(s) written in %(seconds)ss", cells)
                     % {"count": f"{cells:4}", "seconds": _decimal(report.seconds, 1, locale)})
    return lines


def _decimal(value: float, places: int, locale: str) -> str:
    """`2.5` in English, `2,5` in Turkish and German."""
    text = f"{value:.{places}f}"
    return text if locale == DEFAULT else text.replace(".", ",")


@dataclass(frozen=True, slots=True)
class AlertChannel:
    """How a sync's alerts went out, as its output tells: the outbox folder (None when they
    leave the machine) and the one-line preview of a message."""

    outbox: Path | None
    preview: Callable[[Outgoing], str]


def alert_lines(report: engine.SyncReport, channel: AlertChannel,
                locale: str = DEFAULT) -> list[str]:
    t = translations(locale)
    folder = {"folder": channel.outbox}
    if report.dry_run:
        count = {"count": f"{len(report.alerts):4}", **folder}
        lead = (t.ngettext("%(count)s alert(s) would be sent", "%(count)s alert(s) would be sent",
                           len(report.alerts)) if channel.outbox is None else
                t.ngettext("%(count)s alert(s) would be queued in the outbox %(folder)s",
                           "%(count)s alert(s) would be queued in the outbox %(folder)s",
                           len(report.alerts)))
        return [f"  {lead % count}",
                *(f"    {channel.preview(message)}" for message in report.alerts)]
    counts = Counter(r.status for r in report.outcomes)
    if channel.outbox is not None:
        lead = t.ngettext("%(count)s alert(s) queued in the outbox %(folder)s (nothing left the "
                          "machine)", "%(count)s alert(s) queued in the outbox %(folder)s "
                          "(nothing left the machine)", counts[QUEUED]) % {
                              "count": f"{counts[QUEUED]:4}", **folder}
    else:
        lead = t.ngettext("%(count)s alert(s) sent", "%(count)s alert(s) sent",
                          counts[SENT]) % {"count": f"{counts[SENT]:4}"}
    others = {FAILED: t.ngettext("%(count)s failed", "%(count)s failed", counts[FAILED]),
              SKIPPED: t.ngettext("%(count)s skipped", "%(count)s skipped", counts[SKIPPED])}
    return [f"  {lead}" + "".join(", " + others[status] % {"count": counts[status]}
                                  for status in (FAILED, SKIPPED) if counts[status]),
            *failure_lines(report.failed, locale)]


def failure_lines(failed: Sequence[Result], locale: str = DEFAULT) -> list[str]:
    """One sentence per cause of failed alerts; a cause no retry mends says so."""
    t = translations(locale)
    causes: dict[tuple[str, bool], list[str]] = {}
    for result in failed:
        causes.setdefault((result.error.rstrip("."), result.needs_action), []).append(result.key)
    lines = []
    for (error, needs_action), keys in causes.items():
        label = (t.gettext("Alerts") if len(causes) == 1 else
                 t.ngettext("%(count)s alert(s)", "%(count)s alert(s)", len(keys))
                 % {"count": len(keys)})
        then = (t.gettext("They stay in Notifications and go out at the first sync that can "
                          "send them.") if needs_action else
                t.gettext("This may pass by itself: they stay in Notifications as failed and "
                          "every sync tries them again."))
        lines.append(t.gettext("%(alerts)s could not be sent: %(error)s. %(then)s") % {
            "alerts": label, "error": error or t.gettext("no reason given"), "then": then})
        shown = ", ".join(keys[:5]) + (t.gettext(" and %(count)s more") % {
            "count": len(keys) - 5} if len(keys) > 5 else "")
        lines.append("    " + t.gettext("not sent: %(keys)s") % {"keys": shown})
    return lines


def sync_outcome_lines(outcome: SyncOutcome, name: str, timezone: str, *,
                       holidays: HolidaySettings | None = None,
                       alerting: engine.Alerting | None = None,
                       outbox: Path | None = None,
                       locale: str = DEFAULT) -> list[tuple[str, bool]]:
    """The whole output of `sync`, in order: (line, True when it goes to stderr). `outbox`:
    the folder alerts are queued in when they do not leave the machine."""
    report = outcome.report
    channel = None if alerting is None else AlertChannel(outbox, alerting.sender.preview)
    lines = [(line, False) for line in sync_lines(report, name, timezone, holidays=holidays,
                                                  alerts=channel, locale=locale)]
    if outcome.feeds is not None and outcome.feeds_folder is not None:
        lines.append((feeds_line(outcome.feeds, outcome.feeds_folder, report.dry_run, locale),
                       False))
    if outcome.feeds_error:
        lines.append((translations(locale).gettext("Error: %(error)s")
                      % {"error": outcome.feeds_error}, True))
    queues = alerting is not None and not alerting.sender.delivers
    return [*lines, (summary_line(report, outcome.exit_code, outbox=queues, locale=locale),
                     False)]


def feeds_line(written: Sequence[ics.Written], folder: Path, dry_run: bool,
               locale: str = DEFAULT) -> str:
    t = translations(locale)
    line = (t.ngettext("%(count)s of %(total)s calendar(s) would be rewritten in %(folder)s",
                       "%(count)s of %(total)s calendar(s) would be rewritten in %(folder)s",
                       len(written)) if dry_run else
            t.ngettext("%(count)s of %(total)s calendar(s) rewritten in %(folder)s",
                       "%(count)s of %(total)s calendar(s) rewritten in %(folder)s",
                       len(written)))
    return "  " + line % {"count": f"{sum(w.changed for w in written):4}",
                          "total": len(written), "folder": folder}


def summary_line(report: engine.SyncReport, code: int, outbox: bool,
                 locale: str = DEFAULT) -> str:
    """`sync: 12 created, 3 completed, 1 renewed, 2 alerts sent, 1 failed, 0 problems
    (exit 4)`: one line a log or a person reads at a glance."""
    t = translations(locale)
    plan = report.plan
    counts = {"created": len(plan.added), "completed": len(plan.completed),
              "renewed": len(plan.renewals), "problems": len(report.problems), "code": code,
              "alerts": len(report.alerts), "sent": report.sent, "queued": report.queued,
              "failed": len(report.failed)}
    if report.dry_run:
        alerts = (t.gettext("queue %(alerts)s alerts") if outbox
                  else t.gettext("send %(alerts)s alerts")) % counts
        return t.gettext("sync --dry-run: would create %(created)s, complete %(completed)s, "
                         "renew %(renewed)s, %(what)s; %(problems)s problems (exit %(code)s)"
                         ) % {**counts, "what": alerts}
    if report.structural:
        counts.update(created=0, completed=0, renewed=0)  # nothing was written
    queued = t.gettext(", %(queued)s queued in the outbox") % counts if report.queued else ""
    return t.gettext("sync: %(created)s created, %(completed)s completed, %(renewed)s renewed, "
                     "%(sent)s alerts sent%(queued)s, %(failed)s failed, %(problems)s problems "
                     "(exit %(code)s)") % {**counts, "queued": queued}


def detail_lines(plan: Plan, locale: str = DEFAULT) -> list[str]:
    """Each change a dry run would make, one line each."""
    t = translations(locale)
    lines = []
    for a in plan.added:
        lines.append(f"  + {describe(a, locale)}" + (t.gettext("  (in the past: completed)")
                                                     if a.status != "pending" else ""))
    for change in plan.changed:
        if change.completed:
            lines.append("  " + t.gettext("done %(appointment)s") % {
                "appointment": describe(change.after, locale)})
        if change.moved:
            lines.append("  " + t.gettext("moved %(appointment)s -> %(placement)s") % {
                "appointment": describe(change.before, locale),
                "placement": change.after.placement})
    lines += [f"  - {describe(a, locale)}" for a in plan.deleted]
    for r in plan.renewals:
        words = {"enrollment": r.enrollment_id, "client": r.client_id, "period": r.period,
                 "first": format_table_moment(r.first_session, locale)}
        lines.append("  " + (t.gettext("renew %(enrollment)s (%(client)s) period %(period)s from "
                                       "%(first)s") if r.first_session else
                             t.gettext("renew %(enrollment)s (%(client)s) period %(period)s"))
                     % words)
    return lines


def describe(a: Appointment, locale: str = DEFAULT) -> str:
    day = format_table_moment(a.date, locale)
    return f"{a.appointment_id}  {a.client_name}  {day} {a.start:%H:%M}-{a.end:%H:%M}  {a.staff_id}"


def holiday_lines(closures: Sequence[Closure], now: datetime,
                  holidays: HolidaySettings | None, locale: str = DEFAULT) -> list[str]:
    """The public holidays that close the studio soon, so nobody wonders about a gap."""
    if holidays is None:
        return []
    t = translations(locale)
    soon = [c for c in closures if c.public_holiday
            and now.date() <= c.start_date <= now.date() + HOLIDAYS_AHEAD]
    where = holidays.country + (f"-{holidays.subdiv}" if holidays.subdiv else "")
    days = ", ".join(f"{format_table_moment(c.start_date, locale)} "
                     f"{holiday_names(c.reason)}" for c in soon)
    return [t.gettext("Public holidays (%(where)s) closing the studio in the next %(days)s days: "
                      "%(holidays)s") % {"where": where, "days": HOLIDAYS_AHEAD.days,
                                         "holidays": days or t.gettext("none")}]


def problems_summary(problems: Sequence[Problem], locale: str = DEFAULT,
                     words: ProblemWords = ENGLISH_WORDS) -> list[str]:
    """The first problems a sync found, as the Problems tab shows them (`words`)."""
    if not problems:
        return []
    t = translations(locale)
    lines = [t.ngettext("%(count)s problem(s) found; the rows concerned were left as they are:",
                        "%(count)s problem(s) found; the rows concerned were left as they are:",
                        len(problems)) % {"count": len(problems)}]
    lines += [f"  {words.line(p)}" for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append("  " + t.gettext("... and %(count)s more: see the Problems tab or run "
                                      "'sheetsync check'.") % {
                                          "count": len(problems) - SHOWN_PROBLEMS})
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
def status_lines(found: health.Status, name: str, timezone: str,
                 locale: str = DEFAULT) -> list[str]:
    t = translations(locale)
    verdict = (t.gettext("healthy") if found.healthy else
               t.gettext("needs attention (exit %(code)s)") % {"code": found.exit_code})
    lines = [t.gettext("%(name)s at %(when)s (%(zone)s): %(verdict)s.") % {
        "name": name, "when": format_stamp(found.now, locale), "zone": timezone,
        "verdict": verdict}]
    labels = _status_labels(locale)
    run = found.last_run
    if run is None:
        lines.append(labels["last run"] + t.gettext("none recorded in the Runs tab"))
    else:
        words = _run_count_words(locale)
        counts = ", ".join(f"{'?' if n is None else n} {words.get(key, key)}"
                           for key, n in run.counts.items())
        lines.append(labels["last run"] + t.gettext("%(when)s: %(result)s; %(counts)s") % {
            "when": _when(run, locale), "result": run.result or t.gettext("(no result)"),
            "counts": counts})
    limit = (t.gettext("; --max-age %(age)s") % {
        "age": health.describe_age(found.max_age, locale)}
             if found.max_age else t.gettext("; age not checked"))
    if found.last_success is None or found.age is None:
        lines.append(labels["last good sync"] + t.gettext("none"))
    else:
        ago = (t.gettext("%(age)s ago") % {"age": health.describe_age(found.age, locale)}
               if found.age >= timedelta(0) else
               t.gettext("%(age)s after this moment") % {
                   "age": health.describe_age(-found.age, locale)})
        lines.append(labels["last good sync"] + f"{ago} "
                     f"({format_stamp(found.last_success.moment, locale)}{limit})")
    queued = (t.gettext("%(count)s queued") % {"count": found.queued_alerts}
              + ("" if found.smtp or not found.queued_alerts else
                 t.gettext(" in the outbox folder (no email.smtp: nothing leaves the machine)")))
    lines.append(labels["alerts"] + t.gettext("%(failed)s failed, %(queued)s") % {
        "failed": found.failed_alerts, "queued": queued})
    for a in found.waiting:
        when = f"{format_stamp(a.created_at, locale)} " if a.created_at else ""
        lines.append(f"    {value_word(a.status, NOTICE_STATUSES, locale):6}  {when}{a.key}  "
                     f"{a.event}  "
                     + t.gettext("to %(whom)s") % {"whom": a.to or t.gettext("(nobody)")}
                     + (f": {a.error}" if a.error else ""))
    waiting = found.failed_alerts + found.queued_alerts
    if waiting > len(found.waiting):
        lines.append("    " + t.gettext("... and %(count)s more in the Notifications tab") % {
            "count": waiting - len(found.waiting)})
    lines.append(labels["open problems"] + str(found.open_problems))
    read_back = ProblemWords(locale)  # the Problems tab's rows are already the studio's words
    lines += [f"    {read_back.line(p)}" for p in found.first_problems]
    if found.open_problems > len(found.first_problems):
        lines.append("    " + t.gettext("... and %(count)s more in the Problems tab") % {
            "count": found.open_problems - len(found.first_problems)})
    return lines + list(health.reasons(found, locale))


def _run_count_words(locale: str) -> dict[str, str]:
    """The counts of a Runs row as `status` names them (the Runs tab's own column names)."""
    t = translations(locale)
    return {"created": str(t.pgettext("Runs count", "created")),
            "completed": str(t.pgettext("Runs count", "completed")),
            "deleted": str(t.pgettext("Runs count", "deleted")),
            "renewed": str(t.pgettext("Runs count", "renewed")),
            "notified": str(t.pgettext("Runs count", "notified")),
            "problems": str(t.pgettext("Runs count", "problems"))}


def _status_labels(locale: str) -> dict[str, str]:
    """The labels of `status`'s lines, indented and padded to one width in the language."""
    t = translations(locale)
    words = {"last run": t.gettext("last run"), "last good sync": t.gettext("last good sync"),
             "alerts": t.gettext("alerts"), "open problems": t.gettext("open problems")}
    width = max(len("last good sync"), *map(len, words.values())) + 2
    return {key: f"  {word.ljust(width)}" for key, word in words.items()}


def _when(run: health.Run, locale: str = DEFAULT) -> str:
    """When a run started, and the time it synced as when that differs (sync --now)."""
    t = translations(locale)
    started = (format_stamp(run.started_at, locale) if run.started_at
               else t.gettext("(start unreadable)"))
    if run.now is None or (run.started_at and abs(run.now - run.started_at)
                           < timedelta(minutes=1)):
        return started
    return t.gettext("%(started)s (synced as of %(now)s)") % {
        "started": started, "now": format_stamp(run.now, locale)}


# -- balance ---------------------------------------------------------------------------------
def balance_lines(found: BalanceReport, currency: str, locale: str = DEFAULT) -> list[str]:
    t = translations(locale)
    lines = [balance_table(found.rows, currency, filtered=found.filtered, locale=locale)]
    if found.due_only and found.rows:
        lines.append(t.gettext("Total due: %(amount)s") % {
            "amount": format_money(found.total_due, currency, locale)})
    if found.held:
        lines.append(t.gettext("Not shown, held by problems: %(ids)s (run 'sheetsync check').")
                     % {"ids": ", ".join(found.held)})
    return lines


def balance_table(rows: Sequence[Balance], currency: str, filtered: bool = False,
                  locale: str = DEFAULT) -> str:
    t = translations(locale)
    headers = (str(t.pgettext("table header", "client")),
               str(t.pgettext("table header", "package")),
               str(t.pgettext("table header", "period")),
               str(t.pgettext("table header", "used")),
               str(t.pgettext("table header", "remaining")),
               str(t.pgettext("table header", "next session")),
               str(t.pgettext("table header", "due")))
    table = [headers] + [
        (f"{b.client_name} ({b.client_id})", b.package_id, str(b.period),
         f"{b.used}/{b.sessions}", str(b.remaining),
         format_table_moment(b.next_session, locale) if b.next_session else "-",
         format_money(b.due, currency, locale))
        for b in sorted(rows, key=lambda b: (b.client_name.lower(), b.enrollment_id, b.period))
    ]
    if len(table) == 1:
        return (t.gettext("Nothing matches.") if filtered
                else t.gettext("No balances yet: the workbook has no planned sessions."))
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
def commission_lines(outcome: CommissionsOutcome, name: str, currency: str,
                     locale: str = DEFAULT) -> list[str]:
    t = translations(locale)
    result, month = outcome.report, outcome.report.month
    said = {"month": month, "name": name, "label": format_month(month.first, locale)}
    lines = [t.gettext("Commissions for %(label)s (%(month)s) in %(name)s") % said, ""]
    if result.empty:
        lines.append(t.gettext("No session was completed or paid-cancelled in %(month)s: no "
                               "commission was earned.") % said)
    else:
        lines += [staff_table(result, currency, locale), "", t.gettext("By package:"),
                  package_table(result, currency, locale)]
    lines.append("")
    rows, changes = outcome.rows, outcome.changes
    said |= {"rows": rows, "cells": changes.cells_written}
    if changes and rows:
        lines.append(t.ngettext(
            "Wrote %(rows)s row(s) for %(month)s into the Commissions tab (%(cells)s cell(s) "
            "changed); other months are kept.",
            "Wrote %(rows)s row(s) for %(month)s into the Commissions tab (%(cells)s cell(s) "
            "changed); other months are kept.", rows) % said)
    elif changes:
        lines.append(t.gettext("Removed the rows for %(month)s from the Commissions tab; other "
                               "months are kept.") % said)
    elif rows:
        lines.append(t.ngettext(
            "The Commissions tab already holds these %(rows)s row(s) for %(month)s; nothing "
            "was written.", "The Commissions tab already holds these %(rows)s row(s) for "
            "%(month)s; nothing was written.", rows) % said)
    else:
        lines.append(t.gettext("The Commissions tab has no rows for %(month)s; nothing was "
                               "written.") % said)
    if outcome.saved is not None:
        lines.append(t.gettext("Saved the report to %(path)s.") % {"path": outcome.saved})
    return lines + [t.gettext("Note: %(note)s") % {"note": note} for note in result.notes]


def staff_label(staff_id: str, staff_name: str, locale: str = DEFAULT) -> str:
    if not staff_id:
        return translations(locale).gettext("(no staff member)")
    return f"{staff_name} ({staff_id})" if staff_name else staff_id


def staff_table(result: CommissionReport, currency: str, locale: str = DEFAULT) -> str:
    t = translations(locale)
    rows = [(staff_label(r["staff_id"], r["staff_name"], locale), str(r["sessions"]),
             format_money(r["revenue"], currency, locale),
             format_money(r["commission"], currency, locale))
            for r in result.by_staff.to_dict("records")]
    total = (str(t.pgettext("table header", "Total")), str(result.total_sessions),
             format_money(result.total_revenue, currency, locale),
             format_money(result.total_commission, currency, locale))
    return text_table((str(t.pgettext("table header", "staff")),
                       str(t.pgettext("table header", "sessions")),
                       str(t.pgettext("table header", "revenue")),
                       str(t.pgettext("table header", "commission"))), rows, total, right={1, 2, 3})


def package_table(result: CommissionReport, currency: str, locale: str = DEFAULT) -> str:
    t = translations(locale)
    rows = []
    previous = None
    for r in result.by_package.to_dict("records"):
        staff = staff_label(r["staff_id"], r["staff_name"], locale)
        package = (f"{r['package_name']} ({r['package_id']})" if r["package_id"]
                   else t.gettext("(package unknown)"))
        rows.append(("" if staff == previous else staff, package, str(r["sessions"]),
                     format_money(r["revenue"], currency, locale),
                     format_money(r["commission"], currency, locale)))
        previous = staff
    return text_table((str(t.pgettext("table header", "staff")),
                       str(t.pgettext("table header", "package")),
                       str(t.pgettext("table header", "sessions")),
                       str(t.pgettext("table header", "revenue")),
                       str(t.pgettext("table header", "commission"))), rows, None, right={2, 3, 4})


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
def calendar_lines(found: CalendarReport, timezone: str, locale: str = DEFAULT) -> list[str]:
    """What `calendar` wrote (nothing when it printed the calendar itself)."""
    t = translations(locale)
    lines = []
    if found.one is not None:
        one = found.one
        said = {"path": one.path, "label": feed_label(one.feed, locale), "events": one.events}
        lines.append((t.ngettext("Wrote %(path)s: %(label)s, %(events)s event(s).",
                                 "Wrote %(path)s: %(label)s, %(events)s event(s).", one.events)
                      if one.changed else
                      t.ngettext("Up to date: %(path)s: %(label)s, %(events)s event(s).",
                                 "Up to date: %(path)s: %(label)s, %(events)s event(s).",
                                 one.events)) % said)
    elif found.folder is not None:
        lines += feed_lines(found.written, found.folder, timezone, found.history_start, locale)
    if found.held:
        lines.append(t.gettext("Held by problems, shown as they stand in the workbook: %(ids)s "
                               "(run 'sheetsync check').") % {"ids": ", ".join(found.held)})
    return lines


def feed_lines(written: Sequence[ics.Written], folder: Path, timezone: str,
               history_start: date | None, locale: str = DEFAULT) -> list[str]:
    t = translations(locale)
    changed = [w for w in written if w.changed]
    since = (t.gettext(", sessions from %(day)s") % {
        "day": format_numeric_day(history_start, locale)} if history_start else "")
    width = max((len(w.path.name) for w in changed), default=0)
    return [t.gettext("Calendars in %(folder)s (%(zone)s%(since)s):") % {
                "folder": folder, "zone": timezone, "since": since},
            *("  " + t.ngettext("wrote %(file)s  %(label)s, %(events)s event(s)",
                                "wrote %(file)s  %(label)s, %(events)s event(s)", w.events) % {
                "file": w.path.name.ljust(width), "label": feed_label(w.feed, locale),
                "events": w.events}
              for w in changed),
            "  " + t.gettext("%(written)s written, %(unchanged)s unchanged.") % {
                "written": len(changed), "unchanged": len(written) - len(changed)}]


def feed_label(feed: ics.Feed, locale: str = DEFAULT) -> str:
    """`Elif (staff ST1)`, `Elif (personel ST1)`; the studio's feed `All sessions`,
    `Tüm seanslar`."""
    t = translations(locale)
    if feed.kind == "studio":
        return t.gettext("All sessions")
    kinds = {"staff": str(t.pgettext("calendar of", "staff")),
             "client": str(t.pgettext("calendar of", "client")),
             "group": str(t.pgettext("calendar of", "group"))}
    return f"{feed.name} ({kinds.get(feed.kind, feed.kind)} {feed.key})"


# -- statement, demo -------------------------------------------------------------------------
def sent_line(name: str, address: str, subject: str, smtp_host: str | None,
              outbox: Path | None, locale: str = DEFAULT) -> str:
    t = translations(locale)
    where = (t.gettext("through %(host)s") % {"host": smtp_host} if smtp_host
             else t.gettext("into %(folder)s (outbox: nothing left the machine)") % {
                 "folder": outbox})
    return t.gettext("Sent the statement to %(name)s <%(address)s> %(where)s: %(subject)s") % {
        "name": name, "address": address, "where": where, "subject": subject}


def month_report_lines(outcome: MonthReportOutcome, currency: str,
                       locale: str = DEFAULT) -> list[str]:
    """What `report month` did: the file and its headline figures, then each manager's e-mail."""
    t = translations(locale)
    report, month = outcome.report, outcome.report.this_month
    lines = [t.ngettext(
        "Monthly report for %(label)s saved to %(path)s: revenue %(revenue)s, commission "
        "%(commission)s, %(held)s session held, %(due)s due.",
        "Monthly report for %(label)s saved to %(path)s: revenue %(revenue)s, commission "
        "%(commission)s, %(held)s sessions held, %(due)s due.", month.completed) % {
        "label": format_month(report.month.first, locale), "path": outcome.saved,
        "revenue": format_money(month.revenue, currency, locale),
        "commission": format_money(month.commission, currency, locale),
        "held": month.completed, "due": format_money(report.total_due, currency, locale)}]
    for delivery in outcome.sent:
        said = {"name": delivery.name, "address": delivery.address,
                "error": delivery.result.error}
        if delivery.result.status == SENT:
            lines.append(t.gettext("Sent it to %(name)s <%(address)s>.") % said)
        elif delivery.result.status == QUEUED:
            lines.append(t.gettext("Put it in the outbox for %(name)s <%(address)s> (nothing "
                                   "left the machine).") % said)
        else:
            lines.append(t.gettext("Not sent to %(name)s <%(address)s>: %(error)s") % said)
    return lines


def held_statement_line(held: Sequence[str], locale: str = DEFAULT) -> str:
    return translations(locale).gettext(
        "Not in the statement, held by problems: %(ids)s (run 'sheetsync check').") % {
            "ids": ", ".join(held)}


def demo_lines(found: DemoReport, command: str, locale: str = DEFAULT) -> list[str]:
    t = translations(locale)
    plan, snap, path = found.report.plan, found.report.snapshot, found.path
    lines = []
    if found.fresh:
        lines.append(t.gettext(
            "Made a demo studio in %(path)s: %(packages)s packages, %(clients)s clients, "
            "%(staff)s staff, %(groups)s group, %(enrollments)s enrollments.") % {
                "path": path, "packages": len(snap.packages), "clients": len(snap.clients),
                "staff": len(snap.staff), "groups": len(snap.groups),
                "enrollments": len(snap.enrollments)})
    lines.append(t.gettext(
        "Synced it at %(when)s: %(created)s appointments created (%(past)s of them in the past, "
        "so already completed), %(completed)s completed, %(renewed)s period(s) renewed.") % {
            "when": format_stamp(plan.now, locale), "created": len(plan.added),
            "past": sum(a.status == "completed" for a in plan.added),
            "completed": len(plan.completed), "renewed": len(plan.renewals)})
    due = sum((b.due for b in plan.balances if b.due > 0), start=Decimal(0))
    lines.append(t.gettext("Balances: %(periods)s periods, %(due)s still due in total.") % {
        "periods": len(plan.balances), "due": format_money(due, "", locale)})
    lines += demo_mail_lines(found, locale)
    lines.append(t.gettext("Open %(path)s and look at the Appointments and Balances tabs, or "
                           "run:") % {"path": path} + "\n"
                 f"  {command} balance {path}\n"
                 f"  {command} sync {path} --dry-run --now {found.today.isoformat()}T23:00")
    return lines


def demo_mail_lines(found: DemoReport, locale: str = DEFAULT) -> list[str]:
    """Where the demo's e-mails went, and whether the weekly digest is among them."""
    t = translations(locale)
    queued = [r for r in found.report.outcomes if r.status == QUEUED]
    if found.outbox is None or not queued:
        return []
    line = t.ngettext("%(count)s e-mail written into %(folder)s (nothing left the machine).",
                      "%(count)s e-mails written into %(folder)s (nothing left the machine).",
                      len(queued)) % {"count": len(queued), "folder": found.outbox}
    if found.digest is not None:
        line += " " + t.gettext("The managers' weekly digest (who ends, who owes, what broke) "
                                "is %(file)s.") % {"file": found.digest.name}
    return [line]


# -- init, templates -------------------------------------------------------------------------
def init_lines(workbook: str, added: Sequence[str], demo: bool,
               locale: str = DEFAULT) -> list[str]:
    """What `init` says: each thing it added (already in `locale`), then whether it is done."""
    _ = translations(locale).gettext
    named = {"workbook": workbook}
    if not added:
        return [_("%(workbook)s already has every tab and column; nothing to do.") % named]
    ready = _("%(workbook)s is ready with a demo studio.") if demo else _(
        "%(workbook)s is ready.")
    return [f"  {line}" for line in added] + [ready % named]


def config_written_line(file: str, code: str, locale: str = DEFAULT) -> str:
    """`init --locale` wrote a new sheetsync.yaml naming the locale `code`."""
    return translations(locale).gettext("Wrote %(file)s with locale: %(code)s.") % {
        "file": file, "code": code}


def locale_hint_line(file: str, code: str, locale: str = DEFAULT) -> str:
    """`init --locale` laid out in `code`, but the studio's own config says another locale."""
    return translations(locale).gettext(
        "Set 'locale: %(code)s' in %(file)s so sync writes in that language too.") % {
            "file": file, "code": code}


def templates_line(count: int, folder: Path, locale: str = DEFAULT) -> str:
    """`templates` copied `count` templates into `folder`; what to set next."""
    return translations(locale).ngettext(
        "Copied %(count)s templates into %(folder)s. Edit them, then add to "
        "sheetsync.yaml:\n  templates_dir: %(folder)s",
        "Copied %(count)s templates into %(folder)s. Edit them, then add to "
        "sheetsync.yaml:\n  templates_dir: %(folder)s", count) % {
            "count": count, "folder": folder}
