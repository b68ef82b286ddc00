"""Is sheetsync working? The workbook's own record, read back: tables in, one Status out.

Pure: no I/O, no clock (`now` is passed in), nothing written. It reads three tabs sheetsync
writes, by column name (schema.py, read.locate), never by position:

- Runs: the last run (its started_at, result and counts) and the last *successful* sync, a
  row whose result is one sheetsync writes (`ok`, `problems`, `alerts failed` or both): a
  Runs row is written only by a sync that brought the workbook up to date, whether or not
  its alerts went out (failed alerts are their own reason, exit 4). Runs rows are appended,
  so the last readable row
  is the last run. A sync's age is measured from its `now` cell (the moment it brought the
  workbook up to; equal to started_at except under `sync --now`), else from started_at.
  A row without a readable time is skipped and counted, never guessed.
- Notifications: alerts `failed` (retried by the next sync) and `queued` (written to the
  outbox folder; nothing left the machine). Queued ones are a failure only when SMTP is
  configured, for then they should have been delivered.
- Problems: the open problems, as the last sync or check wrote them.

A result or a status is read in every shipped language (`sorunlar`, `başarısız`,
`fehlgeschlagen`: words.value_meaning), whatever the locale, so a workbook keeps its
meaning when its locale changes; `Run.result` stays the text as written, `Alert.status` the
English value.

The exit code is the worst that holds, in this order: 6 no successful sync within
`max_age` (or none recorded at all), 4 alerts failed (or queued while SMTP is configured),
1 the last run found problems (or the Problems tab lists some), else 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from . import cells, durations, words
from .i18n import DEFAULT, translations
from .model import Problem
from .read import rows
from .schema import NOTIFICATIONS, PROBLEMS, RUNS, Kind, Tab, tab_title
from .sheet import Columns, locate
from .stores.base import Table

HEALTHY, PROBLEMS_FOUND, ALERTS_FAILING, STALE = 0, 1, 4, 6
#: `sheetsync status --help`: what the command reads, its exit codes and the keys of `as_dict`.
HELP = """Is sheetsync working? Tell it from the workbook, for a person or for monitoring.

    Reads the Runs, Notifications and Problems tabs (it writes nothing and waits for
    no lock): the last run, how long since the last successful sync (result ok or
    problems), alerts that failed or wait queued in the outbox, and the open problems.

    \b
    Exit codes, the worst that holds:
      6  no successful sync within --max-age, or none recorded at all
      4  alerts failed, or queued alerts wait although email.smtp is set
      1  the last run found problems in the workbook
      0  healthy

    \b
    --json prints one object with these keys:
      workbook, now, healthy, exit_code, reasons (sentences, worst first),
      max_age_seconds (null: not checked), stale, runs (readable Runs rows),
      last_run and last_success (null, or {row, started_at, now, result,
        counts: {created, completed, deleted, renewed, notified, problems}}),
      age_seconds (since last_success's now; null without one),
      alerts {failed, queued, queued_is_failure,
        oldest: [{row, key, event, to, status, created_at, error}], failed first},
      problems {open, first: [{tab, row, column, value, problem}]},
      notes (tabs or rows that could not be read).
    Times are ISO 8601 in the studio's time zone; counts that do not read are null.
    """
DEFAULT_MAX_AGE = timedelta(hours=1)
SHOWN = 5  # alerts and problems listed by name; the rest are counted

OK, PROBLEMS_RESULT, ALERTS_FAILED = "ok", "problems", "alerts failed"
SUCCESSFUL_RESULTS = frozenset({OK, PROBLEMS_RESULT, ALERTS_FAILED})
FAILED, QUEUED = "failed", "queued"
#: The counts of a Runs row: its whole-number columns but the request counters.
RUN_COUNTS = tuple(c.name for c in RUNS.columns
                   if c.kind is Kind.INT and c.name not in ("reads", "writes"))


@dataclass(frozen=True, slots=True)
class Run:
    """One Runs row as read; a count is None where its cell does not read as a number."""

    row: int
    started_at: datetime | None
    now: datetime | None
    result: str
    counts: dict[str, int | None]

    @property
    def moment(self) -> datetime:
        """When this sync brought the workbook up to (its `now`, else its start)."""
        moment = self.now or self.started_at
        assert moment is not None  # rows without either are never Runs
        return moment

    @property
    def words(self) -> frozenset[str]:
        """`problems, alerts failed` -> {problems, alerts failed}; `sorunlar, bildirimler
        başarısız` too."""
        return frozenset(_result_part(w) for w in self.result.split(",") if w.strip())

    @property
    def successful(self) -> bool:
        """It brought the workbook up to date (its alerts may still have failed)."""
        return bool(self.words) and self.words <= SUCCESSFUL_RESULTS

    @property
    def found_problems(self) -> bool:
        return PROBLEMS_RESULT in self.words

    @property
    def alerts_failed(self) -> bool:
        return ALERTS_FAILED in self.words


@dataclass(frozen=True, slots=True)
class Alert:
    """A Notifications row that is `failed` or `queued`."""

    row: int
    key: str
    event: str
    to: str
    status: str
    created_at: datetime | None
    error: str


@dataclass(frozen=True, slots=True)
class Status:
    now: datetime
    max_age: timedelta | None  # None: the age of the last successful sync is not checked
    smtp: bool  # email.smtp is configured, so queued alerts should have been delivered
    last_run: Run | None = None
    last_success: Run | None = None
    runs: int = 0
    failed_alerts: int = 0
    queued_alerts: int = 0
    waiting: tuple[Alert, ...] = ()  # the oldest failed, then queued alerts; at most SHOWN
    open_problems: int = 0
    first_problems: tuple[Problem, ...] = ()  # at most SHOWN
    notes: tuple[str, ...] = field(default=())  # what could not be read, and why

    @property
    def age(self) -> timedelta | None:
        """How long ago the last successful sync was (negative when its --now lies ahead)."""
        return None if self.last_success is None else self.now - self.last_success.moment

    @property
    def stale(self) -> bool:
        if self.last_success is None:
            return True
        age = self.age
        return self.max_age is not None and age is not None and age > self.max_age

    @property
    def alerts_failing(self) -> bool:
        return (self.failed_alerts > 0 or (self.smtp and self.queued_alerts > 0)
                or (self.last_run is not None and self.last_run.alerts_failed))

    @property
    def problems_found(self) -> bool:
        return self.open_problems > 0 or (self.last_run is not None
                                          and self.last_run.found_problems)

    @property
    def exit_code(self) -> int:
        if self.stale:
            return STALE
        if self.alerts_failing:
            return ALERTS_FAILING
        if self.problems_found:
            return PROBLEMS_FOUND
        return HEALTHY

    @property
    def healthy(self) -> bool:
        return self.exit_code == HEALTHY

    @property
    def reasons(self) -> tuple[str, ...]:
        """One sentence per thing that is wrong, worst first; empty when healthy."""
        return reasons(self)


def reasons(found: Status, locale: str = DEFAULT) -> tuple[str, ...]:
    """What is wrong, one sentence each in `locale`, worst first; empty when healthy."""
    t = translations(locale)
    said: list[str] = []
    if found.last_success is None:
        said.append(t.gettext("No successful sync is recorded in the Runs tab."))
    elif found.stale:
        assert found.max_age is not None and found.age is not None
        said.append(t.gettext("The last successful sync was %(age)s ago, longer than the "
                              "%(allowed)s allowed (--max-age).") % {
                                  "age": describe_age(found.age, locale),
                                  "allowed": describe_age(found.max_age, locale)})
    if found.failed_alerts:
        said.append(t.ngettext(
            "%(count)s alert(s) could not be sent; each sync tries them again (see "
            "Notifications, column error).", "%(count)s alert(s) could not be sent; each sync "
            "tries them again (see Notifications, column error).", found.failed_alerts)
            % {"count": found.failed_alerts})
    elif found.last_run is not None and found.last_run.alerts_failed:
        said.append(t.gettext("The last run could not send all its alerts."))
    if found.smtp and found.queued_alerts:
        said.append(t.ngettext(
            "%(count)s alert(s) wait in the outbox folder, never sent, although email.smtp is "
            "configured.", "%(count)s alert(s) wait in the outbox folder, never sent, although "
            "email.smtp is configured.", found.queued_alerts) % {"count": found.queued_alerts})
    if found.problems_found:
        said.append(t.gettext("The last run found problems in the workbook: see the Problems "
                              "tab or run 'sheetsync check'."))
    return tuple(said)


def status(tables: dict[str, Table], now: datetime, *, max_age: timedelta | None,
           smtp: bool, locale: str = DEFAULT) -> Status:
    """What the workbook's Runs, Notifications and Problems tabs tell at `now` (its notes in
    `locale`)."""
    notes: list[str] = []
    runs, unreadable = _runs(tables, notes, locale)
    if unreadable:
        notes.append(translations(locale).ngettext(
            "%(count)s Runs row(s) have no readable started_at or now and were skipped.",
            "%(count)s Runs row(s) have no readable started_at or now and were skipped.",
            unreadable) % {"count": unreadable})
    successes = [r for r in runs if r.successful]
    failed, queued = _alerts(tables, notes, locale)
    waiting = [*sorted(failed, key=_age_order), *sorted(queued, key=_age_order)][:SHOWN]
    problems = _problems(tables, notes, locale)
    return Status(
        now=now, max_age=max_age, smtp=smtp,
        last_run=runs[-1] if runs else None,
        last_success=successes[-1] if successes else None,
        runs=len(runs), failed_alerts=len(failed), queued_alerts=len(queued),
        waiting=tuple(waiting), open_problems=len(problems),
        first_problems=tuple(problems[:SHOWN]), notes=tuple(notes))


def _runs(tables: dict[str, Table], notes: list[str],
          locale: str = DEFAULT) -> tuple[list[Run], int]:
    cols = _located(tables, RUNS, ("result",), notes, locale)
    found: list[Run] = []
    unreadable = 0
    for row in rows(cols, []):
        started_at, moment = _moment(row.raw("started_at")), _moment(row.raw("now"))
        if started_at is None and moment is None:
            unreadable += 1
            continue
        found.append(Run(row=row.number, started_at=started_at, now=moment,
                         result=_text(row.raw("result")),
                         counts={name: _count(row.raw(name)) for name in RUN_COUNTS}))
    return found, unreadable


def _alerts(tables: dict[str, Table], notes: list[str],
            locale: str = DEFAULT) -> tuple[list[Alert], list[Alert]]:
    cols = _located(tables, NOTIFICATIONS, ("status",), notes, locale)
    failed: list[Alert] = []
    queued: list[Alert] = []
    for row in rows(cols, []):
        state = _notice_status(_text(row.raw("status")))
        if state not in (FAILED, QUEUED):
            continue
        alert = Alert(row=row.number, key=_text(row.raw("key")), event=_text(row.raw("event")),
                      to=_text(row.raw("to")), status=state,
                      created_at=_moment(row.raw("created_at")), error=_text(row.raw("error")))
        (failed if state == FAILED else queued).append(alert)
    return failed, queued


def _problems(tables: dict[str, Table], notes: list[str], locale: str = DEFAULT) -> list[Problem]:
    cols = _located(tables, PROBLEMS, ("problem",), notes, locale)
    return [Problem(_text(row.raw("tab")), _count(row.raw("row")), _text(row.raw("column")),
                    _text(row.raw("value")), _text(row.raw("problem")))
            for row in rows(cols, [])]


def _located(tables: dict[str, Table], tab: Tab, needed: tuple[str, ...],
             notes: list[str], locale: str = DEFAULT) -> Columns | None:
    """The tab's columns, or None (with a note) when the tab or a column it needs is missing."""
    cols, _ = locate(tables, tab)
    t = translations(locale)
    name = tab_title(tab, locale)
    if cols is None:
        notes.append(t.gettext("The %(tab)s tab is missing; run 'sheetsync init' on this "
                               "workbook.") % {"tab": name})
        return None
    lacking = [c for c in needed if cols.position(c) is None]
    if lacking:
        notes.append(t.gettext("The %(tab)s tab has no %(columns)s column; run 'sheetsync "
                               "init' on this workbook.") % {
                                   "tab": name, "columns": ", ".join(lacking)})
        return None
    return cols


def _result_part(word: str) -> str:
    """One part of a Runs result as its English value, else the text lowered."""
    return words.value_meaning(word, words.RUN_RESULTS) or word.strip().lower()


def _notice_status(word: str) -> str:
    """A Notifications status as its English value, else the text lowered."""
    return words.value_meaning(word, words.NOTICE_STATUSES) or word.lower()


def _age_order(alert: Alert) -> tuple[datetime, int]:
    return (alert.created_at or datetime.max, alert.row)


def _text(raw: object) -> str:
    return "" if isinstance(raw, cells.Unusable) else cells.text(raw)


def _count(raw: object) -> int | None:
    if cells.is_blank(raw) or isinstance(raw, cells.Unusable):
        return None
    try:
        return cells.parse_count(raw, minimum=0)
    except cells.CellError:
        return None


def _moment(raw: object) -> datetime | None:
    """A date-time cell: a datetime, a serial number (Google), or ISO text; else None."""
    if isinstance(raw, datetime):
        return raw.replace(microsecond=0)
    if isinstance(raw, date):
        return datetime.combine(raw, time())
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 1 <= raw < 2958466:  # 1900-01-01 .. 9999-12-31
            return None
        return (cells.from_serial(float(raw)) + timedelta(microseconds=500_000)).replace(
            microsecond=0)
    if isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw.strip())
        except ValueError:
            return None
        return moment.replace(tzinfo=None, microsecond=0)
    return None


def parse_duration(text: str, locale: str = DEFAULT) -> timedelta:
    """`90m`, `2h`, `1d`, `1h30m`, `45s` -> timedelta; `0` is zero. Raises UserError."""
    example = translations(locale).gettext("90m, 2h or 1d (0 turns the check off)")
    return durations.parse_duration(text, example=example, locale=locale)


def describe_age(age: timedelta, locale: str = DEFAULT) -> str:
    """A duration as a person says it (`2 h 5 min`), with a minus when it lies ahead."""
    return ("-" if age < timedelta(0) else "") + durations.describe_duration(age, locale)


def as_dict(found: Status) -> dict[str, object]:
    """The same facts as plain JSON values; these keys are documented in `status --help`."""
    age = found.age
    return {
        "now": _iso(found.now),
        "healthy": found.healthy,
        "exit_code": found.exit_code,
        "reasons": list(found.reasons),
        "max_age_seconds": None if found.max_age is None else int(found.max_age.total_seconds()),
        "stale": found.stale,
        "runs": found.runs,
        "last_run": _run_dict(found.last_run),
        "last_success": _run_dict(found.last_success),
        "age_seconds": None if age is None else int(age.total_seconds()),
        "alerts": {
            "failed": found.failed_alerts,
            "queued": found.queued_alerts,
            "queued_is_failure": found.smtp,
            "oldest": [{"row": a.row, "key": a.key, "event": a.event, "to": a.to,
                        "status": a.status, "created_at": _iso(a.created_at), "error": a.error}
                       for a in found.waiting],
        },
        "problems": {
            "open": found.open_problems,
            "first": [{"tab": p.tab, "row": p.row, "column": p.column, "value": p.value,
                       "problem": p.problem} for p in found.first_problems],
        },
        "notes": list(found.notes),
    }


def _run_dict(run: Run | None) -> dict[str, object] | None:
    if run is None:
        return None
    return {"row": run.row, "started_at": _iso(run.started_at), "now": _iso(run.now),
            "result": run.result, "counts": dict(run.counts)}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")
