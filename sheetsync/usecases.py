"""sheetsync as a library: one function per command, each returning a report object.

A studio can script sheetsync with these functions without click: each takes its inputs
explicitly (a store, `now` in naive studio time, the pieces of the configuration it needs)
and returns a report the caller renders (render.py does it for the command line).

Invariants:
- nothing here prints, exits or reads the clock; errors a studio owner can act on are
  `UserError`s with one sentence, in the studio's language (`locale`, from sheetsync.yaml;
  English by default);
- every command that writes the workbook holds the store's lock from its read to its
  write (sync, check, commissions), and reads with the public holidays a sync counts, so
  its numbers are those a sync at `now` writes;
- files (calendar feeds, report exports) are replaced atomically and only when they change.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from . import engine, ics
from . import status as health
from .atomic import write_atomically
from .config import FEED_KINDS, HISTORY_MONTHS, CalendarSettings, Config, Email
from .demo import demo_layout
from .errors import UserError
from .i18n import N_, translations
from .ledger import current_periods, ending_within
from .messages import CLIENT, MANAGER, QUEUED, SENT, STATEMENT, Outgoing, Result, is_digest_key
from .model import Balance
from .notify import (
    BUILTIN_TEMPLATES,
    BadAddress,
    Mailer,
    Rendered,
    RenderError,
    Templates,
    clean_address,
    outbox_name,
)
from .publicholidays import HolidaySettings
from .schema import ALL_TABS, ENGLISH, STUDIO_TABS, find_tab
from .statement import statement as build_statement
from .stores import is_google
from .stores.base import Layout, Store, WorkbookChanges
from .stores.layout import localized_layout

if TYPE_CHECKING:
    from .month import Month
    from .month_report import MonthReport
    from .report import CommissionReport  # imported when used: pandas is slow to load

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    return None


# -- inputs from sheetsync.yaml and the command line ----------------------------------------
def workbook_name(config: Config, given: str | None) -> str:
    """The workbook named on the command line, else the one of sheetsync.yaml."""
    workbook = given or config.workbook
    if not workbook:
        _ = translations(config.locale).gettext
        raise UserError(_("Which workbook? Name it (sheetsync sync studio.xlsx) or set "
                          "'workbook:' in sheetsync.yaml."))
    return workbook


def studio_time(zone: tzinfo, given: str | None, clock: Callable[[tzinfo], datetime],
                locale: str = ENGLISH) -> datetime:
    """`--now` (an ISO moment; with an offset, turned into the zone's time), else `clock`'s
    time: naive wall-clock time in the studio's zone, to the second."""
    if not given:
        return clock(zone).replace(tzinfo=None, microsecond=0)
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        _ = translations(locale).gettext
        raise UserError(_("--now %(given)s is not a date and time; write it like "
                          "2026-12-01T14:30") % {"given": given}) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone).replace(tzinfo=None)
    return moment


def studio_name(config: Config) -> str:
    """The name in the sender address of sheetsync.yaml (`Studio Flow <...>`), else ""."""
    return parseaddr(config.email.sender)[0] if config.email else ""


def mailer_for(config: Config) -> Mailer:
    """The mailer of sheetsync.yaml's email section (SMTP, or the outbox folder)."""
    if config.email is None:
        _ = translations(config.locale).gettext
        raise UserError(_("--email needs an 'email:' section in sheetsync.yaml (see "
                          "config.example.yaml): the sender address and the SMTP server or "
                          "outbox folder."))
    return Mailer(config.email, currency=config.currency, templates_dir=config.templates_dir,
                  zone=config.zone, locale=config.locale)


def alerting_for(config: Config) -> engine.Alerting | None:
    """The alert channel, or None when sheetsync.yaml has no email section."""
    if config.email is None:
        return None
    return engine.Alerting(mailer_for(config), ending_at=config.ending_at,
                           studio_name=studio_name(config), currency=config.currency,
                           payment_due_after_days=config.payment_due_after_days,
                           payment_due_every_days=config.payment_due_every_days,
                           digest_weekday=config.digest_weekday, digest_time=config.digest_time)


def outbox_of(config: Config, channel: engine.Alerting | None) -> Path | None:
    """The outbox folder alerts are queued in, or None when they leave the machine."""
    if channel is None or channel.sender.delivers or config.email is None:
        return None
    return config.email.outbox_dir


def month_to_report(given: str | None, today: date, locale: str = ENGLISH) -> Month:
    """`--month YYYY-MM`, else the month before `today`."""
    from .month import Month

    if given is None:
        return Month.before(today)
    try:
        return Month.parse(given)
    except ValueError:
        _ = translations(locale).gettext
        raise UserError(_("--month %(given)s is not a month; write it like %(example)s.") % {
            "given": given, "example": Month.before(today)}) from None


def calendar_target(config: Config, *, staff_id: str | None = None,
                    client_id: str | None = None, group_id: str | None = None,
                    whole_studio: bool = False, out: str | None = None,
                    out_dir: str | None = None) -> tuple[list[tuple[str, str]], Publishing]:
    """The (kind, id) of the one calendar asked for, and where the calendars go: `out`, else
    `out_dir`, else calendar.out_dir of sheetsync.yaml (with its secret)."""
    chosen = [(kind, key) for kind, key in ((ics.STAFF, staff_id), (ics.CLIENT, client_id),
                                            (ics.GROUP, group_id)) if key is not None]
    chosen += [(ics.STUDIO, "")] if whole_studio else []
    _ = translations(config.locale).gettext
    if len(chosen) > 1:
        raise UserError(_("Choose one calendar: --staff ID, --client ID, --group ID or --all."))
    if out and out_dir:
        raise UserError(_("Use either --out FILE.ics (one calendar) or --out-dir DIR (all of "
                          "them), not both."))
    if out and not chosen:
        raise UserError(_("Whose calendar goes into %(out)s? Add --staff ID, --client ID, "
                          "--group ID or --all (or use --out-dir DIR for every calendar).")
                        % {"out": out})
    settings = config.calendar
    if not out and not out_dir:
        if settings is None:
            raise UserError(_("Where should the calendars go? Give --out FILE.ics or --out-dir "
                              "DIR, or set calendar.out_dir in sheetsync.yaml."))
        out_dir = str(settings.out_dir)
    return chosen, Publishing(
        Path(out_dir or "."), config.timezone,
        kinds=settings.feeds if settings else FEED_KINDS,
        history_months=settings.history_months if settings else HISTORY_MONTHS,
        secret=feed_secret(settings, config.locale) if out_dir else "",
        studio_name=studio_name(config), locale=config.locale)


def balance_arguments(args: Sequence[str],
                      locale: str = ENGLISH) -> tuple[str | None, str | None]:
    """`[WORKBOOK] [CLIENT_ID]` -> (workbook, client id); one argument is the workbook when it
    looks like one (an .xlsx name, a Google Sheet, an existing file)."""
    if len(args) > 2:
        raise UserError(translations(locale).gettext(
            "balance takes at most a workbook and a client id."))
    if len(args) == 2:
        return args[0], args[1]
    if len(args) == 1 and _looks_like_workbook(args[0]):
        return args[0], None
    return None, (args[0] if args else None)


def _looks_like_workbook(arg: str) -> bool:
    return arg.lower().endswith(".xlsx") or is_google(arg) or Path(arg).exists()


def statement_arguments(args: Sequence[str], locale: str = ENGLISH) -> tuple[str | None, str]:
    """`[WORKBOOK] CLIENT_ID` -> (workbook, client id)."""
    if not args or len(args) > 2:
        raise UserError(translations(locale).gettext(
            "Name the client: sheetsync statement [WORKBOOK] CLIENT_ID."))
    return (None, args[0]) if len(args) == 1 else (args[0], args[1])


def templates_for(config: Config, sender: Mailer | None) -> Templates:
    """The mailer's templates, else those of templates_dir (or the built-in ones)."""
    return sender.templates if sender else Templates(
        config.templates_dir or BUILTIN_TEMPLATES, config.currency, config.locale)


# -- init, templates, demo -------------------------------------------------------------------
def init(store: Store, workbook: str, *, demo_today: date | None = None,
         locale: str = ENGLISH) -> list[str]:
    """Add every tab and column the workbook lacks (with a demo studio when `demo_today` is
    given, only into a new, empty workbook); a sentence for each thing added.

    New tabs and columns get `locale`'s titles; tabs and columns already there are matched
    in any language and keep their names."""
    layout = Layout(tabs=ALL_TABS)
    if demo_today is not None:
        if _holds_a_studio(store, workbook):
            raise UserError(translations(locale).gettext(
                "%(workbook)s already holds studio data; --demo only fills a new, empty "
                "workbook.") % {"workbook": workbook})
        layout = demo_layout(demo_today, locale)
    return store.lay_out(localized_layout(layout, locale))


def starter_config(path: Path, workbook: str, locale: str) -> bool:
    """Write a config naming `workbook` and `locale` at `path` unless a file is there
    already (a studio's own settings are never rewritten); True when written."""
    if path.exists():
        return False
    text = yaml.safe_dump({"workbook": workbook, "locale": locale}, allow_unicode=True,
                          sort_keys=False)
    write_atomically(path, text.encode("utf-8"))
    return True


def _holds_a_studio(store: Store, workbook: str) -> bool:
    if not is_google(workbook):
        return Path(workbook).exists()
    tables = store.read()
    return any(tables[title].rows for tab in STUDIO_TABS
               if (title := find_tab(list(tables), tab)) is not None)


def templates(folder: Path, *, replace: bool = False, locale: str = ENGLISH) -> list[str]:
    """Copy the e-mail templates into `folder` for a studio to edit; the names copied (what
    is in the way is said in `locale`)."""
    from .notify import copy_templates

    return copy_templates(folder, replace=replace, locale=locale)


@dataclass(frozen=True, slots=True)
class DemoReport:
    report: engine.SyncReport
    path: Path
    fresh: bool  # the demo workbook was made by this run
    today: date
    outbox: Path | None = None  # where the demo's e-mails were written (None: no e-mails)
    digest: Path | None = None  # the weekly digest this run wrote there, if it wrote one


DEMO_OUTBOX = "sheetsync-demo-outbox"
DEMO_SENDER = "Studio Flow <desk@studioflow.example>"


def demo_alerting(config: Config, folder: Path) -> engine.Alerting:
    """The demo's e-mails: always into an outbox folder beside the demo workbook, never by
    SMTP (the demo's clients are made up), from sheetsync.yaml's sender when it names one;
    with the weekly digest on (Mondays from 00:00, so a week's first demo sync makes it)
    unless sheetsync.yaml sets its own day and time."""
    sender = config.email.sender if config.email else DEMO_SENDER
    own_day = config.digest_weekday is not None
    shown = replace(config, email=Email(sender=sender, outbox_dir=folder / DEMO_OUTBOX),
                    digest_weekday=config.digest_weekday if own_day else 0,
                    digest_time=config.digest_time if own_day else time(0, 0))
    channel = alerting_for(shown)
    assert channel is not None  # it has an email section
    return channel


def demo(store: Store, path: Path, now: datetime, *, started_at: datetime,
         holidays: HolidaySettings | None = None, progress: Progress = _quiet,
         locale: str = ENGLISH, alerting: engine.Alerting | None = None) -> DemoReport:
    """Make the demo studio at `path` (in `locale`) when it is not there yet, then sync it
    (its e-mails through `alerting`: `demo_alerting`)."""
    fresh = not path.exists()
    if fresh:
        store.lay_out(localized_layout(demo_layout(now.date(), locale), locale))
    report = engine.sync(store, now, started_at=started_at, progress=progress,
                         holidays=holidays, locale=locale, alerting=alerting)
    outbox = digest = None
    if alerting is not None and isinstance(alerting.sender, Mailer):
        outbox = alerting.sender.email.outbox_dir
        digest = next((outbox / outbox_name(r.key) for r in report.outcomes
                       if r.status == QUEUED and is_digest_key(r.key)), None)
    return DemoReport(report, path, fresh, now.date(), outbox, digest)


# -- sync and check --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Publishing:
    """Where and how the calendar feeds go: calendar.* of sheetsync.yaml, its secret read."""

    out_dir: Path
    timezone: str
    kinds: tuple[str, ...] = FEED_KINDS
    history_months: int = HISTORY_MONTHS
    secret: str = ""
    studio_name: str = ""
    locale: str = "en"  # the studio's language (a client's feed: the client's own)


def feed_secret(settings: CalendarSettings | None, locale: str = ENGLISH) -> str:
    """The secret that makes feed file names unguessable (empty when none is configured)."""
    if settings is None or not settings.secret_env:
        return ""
    secret = os.environ.get(settings.secret_env, "")
    if not secret:
        raise UserError(translations(locale).gettext(
            "The environment variable %(name)s (calendar.secret_env) is not set; without it "
            "the calendar files would get other names.") % {"name": settings.secret_env})
    return secret


def publishing(settings: CalendarSettings | None, timezone: str,
               studio_name: str = "", locale: str = "en") -> Publishing | None:
    """The feeds a sync refreshes, or None; a missing secret is told before anything runs."""
    if settings is None:
        return None
    return Publishing(settings.out_dir, timezone, settings.feeds, settings.history_months,
                      feed_secret(settings, locale), studio_name, locale)


@dataclass(slots=True)
class SyncOutcome:
    report: engine.SyncReport
    feeds: list[ics.Written] | None = None  # the calendars refreshed (None: none were)
    feeds_folder: Path | None = None
    feeds_error: str = ""  # why the calendars were not refreshed after a good sync

    @property
    def exit_code(self) -> int:
        return 2 if self.feeds_error else self.report.exit_code


def sync(store: Store, now: datetime, *, started_at: datetime, dry_run: bool = False,
         alerting: engine.Alerting | None = None, holidays: HolidaySettings | None = None,
         calendars: Publishing | None = None, progress: Progress = _quiet,
         locale: str = ENGLISH) -> SyncOutcome:
    """Bring the workbook up to date at `now`, then its calendar feeds; the statuses it
    changes are written in `locale`'s words."""
    report = engine.sync(store, now, started_at=started_at, dry_run=dry_run,
                         alerting=alerting, holidays=holidays, progress=progress,
                         locale=locale)
    outcome = SyncOutcome(report)
    if calendars is None or report.structural or not (report.wrote or report.dry_run):
        return outcome
    outcome.feeds_folder = calendars.out_dir
    found = ics.sessions(report.snapshot, report.plan,
                         ics.history_start(report.plan.now, calendars.history_months),
                         calendars.locale)
    try:
        outcome.feeds = _publish(calendars.out_dir, ics.all_feeds(report.snapshot,
                                                                  calendars.kinds),
                                 found, calendars, report.plan.now, dry_run=report.dry_run)
    except OSError as err:
        outcome.feeds_error = translations(locale).gettext(
            "The workbook was synced, but the calendars in %(folder)s were not refreshed: "
            "%(error)s") % {"folder": calendars.out_dir, "error": err.strerror or err}
    return outcome


def _publish(folder: Path, feeds: Sequence[ics.Feed], found: ics.Sessions, how: Publishing,
             now: datetime, *, dry_run: bool = False) -> list[ics.Written]:
    return ics.publish(folder, feeds, found, how.timezone, now, secret=how.secret,
                       studio_name=how.studio_name, dry_run=dry_run)


def check(store: Store, now: datetime, *, holidays: HolidaySettings | None = None,
          progress: Progress = _quiet, locale: str = ENGLISH) -> engine.CheckReport:
    """Every problem of the workbook; the Problems tab is rewritten with them."""
    return engine.check(store, now, progress=progress, holidays=holidays, locale=locale)


# -- balances --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BalanceReport:
    rows: list[Balance]
    held: list[str]  # enrollments held by problems, not shown
    filtered: bool  # narrowed by --due or --ending
    due_only: bool

    @property
    def total_due(self) -> Decimal:
        return sum((b.due for b in self.rows), Decimal(0))


def balances(store: Store, now: datetime, workbook: str, *, client_id: str | None = None,
             due: bool = False, ending_days: int | None = None,
             holidays: HolidaySettings | None = None,
             progress: Progress = _quiet, locale: str = ENGLISH) -> BalanceReport:
    """The balances a sync at `now` writes: each enrollment's current period and any earlier
    one with money due; `due` keeps those with money due, `ending_days` those ending soon."""
    _, snapshot, plan = engine.read_and_plan(store, now, progress, holidays, locale=locale)
    if client_id and client_id not in snapshot.clients:
        raise UserError(translations(locale).gettext(
            "There is no client %(client)s in %(workbook)s.") % {
                "client": client_id, "workbook": workbook})
    rows = current_periods([b for b in plan.balances if client_id in (None, b.client_id)])
    if due:
        rows = [b for b in rows if b.due > 0]
    if ending_days is not None:
        rows = ending_within(rows, now + timedelta(days=ending_days))
    held = sorted(e for e in plan.held
                  if client_id is None or (e in snapshot.enrollments
                                           and snapshot.enrollments[e].client_id == client_id))
    return BalanceReport(rows, held, filtered=due or ending_days is not None, due_only=due)


# -- commissions -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CommissionsOutcome:
    report: CommissionReport
    changes: WorkbookChanges  # what was written into the Commissions tab
    saved: Path | None  # the --out file

    @property
    def rows(self) -> int:
        return len(self.report.tab_rows())

    @property
    def exit_code(self) -> int:
        return 1 if self.report.problems else 0


def commissions(store: Store, month: Month, now: datetime, workbook: str, *,
                out: Path | None = None, currency: str = "",
                holidays: HolidaySettings | None = None,
                progress: Progress = _quiet, locale: str = ENGLISH) -> CommissionsOutcome:
    """The month's commissions, as a sync at `now` leaves the sessions (public holidays
    counted), written into the Commissions tab under the store's lock, and to `out`."""
    from .report import commission_report
    from .report_files import save
    from .report_tab import month_changes

    with store.lock():
        tables, snapshot = engine.read_workbook(store, now, progress, holidays,  # report plans
                                                locale)
        if snapshot.structural:
            missing = " ".join(p.problem for p in snapshot.problems)
            raise UserError(translations(locale).gettext(
                "%(workbook)s cannot be reported on: %(missing)s") % {
                    "workbook": workbook, "missing": missing})
        report = commission_report(snapshot, month, now, locale)
        changes = month_changes(tables, report, locale)
        if changes:
            store.write(changes)
        if out is not None:
            save(report, out, currency, locale)
    return CommissionsOutcome(report, changes, out)


# -- the monthly report ----------------------------------------------------------------------
MONTH_REPORT = "month_report"  # the event of the monthly report's e-mail to the managers


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of the monthly report's e-mail to one manager."""

    name: str
    address: str
    result: Result


@dataclass(frozen=True, slots=True)
class MonthReportOutcome:
    report: MonthReport
    saved: Path
    sent: list[Delivery] = field(default_factory=list)  # with --email: one per manager

    @property
    def exit_code(self) -> int:
        """4 when an e-mail could not go out, else 1 when the workbook has problems, else 0."""
        if any(d.result.status not in (SENT, QUEUED) for d in self.sent):
            return 4
        return self.report.exit_code


def month_report(store: Store, month: Month, now: datetime, workbook: str, *, out: Path,
                 sender: Mailer | None = None, currency: str = "", studio_name: str = "",
                 holidays: HolidaySettings | None = None, progress: Progress = _quiet,
                 locale: str = ENGLISH) -> MonthReportOutcome:
    """The monthly report of `month` as a sync at `now` sees the workbook, saved as one HTML
    file at `out`; with a `sender`, e-mailed (the file attached) to every manager."""
    from .month_report import month_report as figures
    from .month_report_html import attachment_name, email_parts, render_html, save_html
    from .notify import Attachment

    _ = translations(locale).gettext
    _tables, snapshot = engine.read_workbook(store, now, progress, holidays, locale)
    if snapshot.structural:
        raise UserError(_("%(workbook)s is missing tabs or columns; run 'sheetsync check'.")
                        % {"workbook": workbook})
    managers = [s for s in snapshot.staff.values() if s.manager and s.email]
    if sender is not None and not managers:
        raise UserError(_("No manager of %(workbook)s has an e-mail address (Staff tab: role "
                          "manager, email), so the report cannot be sent; nothing was "
                          "written.") % {"workbook": workbook})
    report = figures(snapshot, month, now, locale)
    progress(_("Drawing the charts and writing %(out)s ...") % {"out": out})
    html = render_html(report, currency=currency, studio_name=studio_name, locale=locale)
    save_html(html, out, locale)
    if sender is None:
        return MonthReportOutcome(report, out)
    subject, text, body = email_parts(report, currency=currency, studio_name=studio_name,
                                      locale=locale)
    messages = [Outgoing(key=f"{MONTH_REPORT}/{month}/manager:{m.staff_id}/"
                             f"{now:%Y-%m-%dT%H:%M:%S}", event=MONTH_REPORT, role=MANAGER,
                         to_name=m.name, to_address=m.email) for m in managers]
    results = sender.send_prepared(messages, Rendered(subject, text, body), now,
                                   Attachment(attachment_name(report), html.encode("utf-8")))
    return MonthReportOutcome(report, out, [Delivery(m.name, m.email, r)
                                            for m, r in zip(managers, results, strict=True)])


# -- statement -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StatementReport:
    client_name: str
    client_email: str
    rendered: Rendered
    held: list[str]  # enrollments left out, held by problems
    sent: Result | None = None  # with a sender: how the e-mail went


def statement(store: Store, now: datetime, workbook: str, client_id: str, *,
              templates: Templates, sender: engine.Sender | None = None,
              studio_name: str = "", currency: str = "",
              holidays: HolidaySettings | None = None,
              progress: Progress = _quiet) -> StatementReport:
    """A client's statement as a sync at `now` sees it; with a `sender`, e-mailed to them.
    The workbook is read in the studio's conventions (`templates.locale`)."""
    _, snapshot, plan = engine.read_and_plan(store, now, progress, holidays,
                                             locale=templates.locale)
    _ = translations(templates.locale).gettext
    said = {"workbook": workbook, "client": client_id}
    if snapshot.structural:
        raise UserError(_("%(workbook)s is missing tabs or columns; run 'sheetsync check'.")
                        % said)
    client = snapshot.clients.get(client_id)
    if client is None:
        raise UserError(_("There is no client %(client)s in %(workbook)s.") % said)
    said["name"] = client.name
    context = build_statement(snapshot, plan, client_id, studio_name=studio_name,
                              currency=currency, locale=templates.locale)
    try:
        rendered = templates.render(STATEMENT, CLIENT, context)
    except RenderError as err:
        raise UserError(_("The statement template failed: %(error)s") % {"error": err}) from None
    report = StatementReport(client.name, client.email, rendered, list(context["held"]))
    if sender is None:
        return report
    if report.held:
        raise UserError(_("%(ids)s of %(client)s cannot be read (see 'sheetsync check'), so the "
                          "statement would be incomplete; fix it first. Nothing was sent.")
                        % {**said, "ids": ", ".join(report.held)})
    if not client.email:
        raise UserError(_("%(name)s (%(client)s) has no e-mail address; add one in the Clients "
                          "tab. Nothing was sent.") % said)
    try:
        clean_address(client.email)
    except BadAddress as err:
        raise UserError(_("Cannot send to %(name)s (%(client)s): %(error)s. Nothing was sent.")
                        % {**said, "error": err}) from None
    message = Outgoing(key=f"statement/{client_id}/{now:%Y-%m-%dT%H:%M:%S}", event=STATEMENT,
                       role=CLIENT, to_name=client.name, to_address=client.email,
                       context=context)
    result = sender.send([message], now)[0]
    if result.status not in (SENT, QUEUED):
        raise UserError(_("The statement was not sent to %(address)s: %(error)s") % {
            "address": client.email, "error": result.error})
    return StatementReport(client.name, client.email, rendered, report.held, result)


# -- calendars -------------------------------------------------------------------------------
# A feed ics.feed_for cannot find, by kind (it always finds the studio's own).
_NO_SUCH = {ics.STAFF: N_("There is no staff %(key)s in %(workbook)s."),
            ics.CLIENT: N_("There is no client %(key)s in %(workbook)s."),
            ics.GROUP: N_("There is no group %(key)s in %(workbook)s.")}


@dataclass(slots=True)
class CalendarReport:
    held: list[str]  # enrollments shown as they stand in the workbook
    printed: bytes = b""  # the one calendar, for --out -
    one: ics.Written | None = None  # the one calendar written to --out FILE
    written: list[ics.Written] = field(default_factory=list)  # the feeds of --out-dir
    folder: Path | None = None
    history_start: date | None = None


def calendars(store: Store, now: datetime, workbook: str, how: Publishing, *,
              chosen: Sequence[tuple[str, str]] = (), out: str | None = None,
              holidays: HolidaySettings | None = None,
              progress: Progress = _quiet) -> CalendarReport:
    """The calendar of each `chosen` (kind, id) into `out` ('-': returned, not written), or,
    without `out`, every feed of `how.kinds` (or the chosen ones) into `how.out_dir`."""
    _, snapshot, plan = engine.read_and_plan(store, now, progress, holidays, locale=how.locale)
    _ = translations(how.locale).gettext
    if snapshot.structural:
        raise UserError(_("%(workbook)s is missing tabs or columns, so no calendar was written "
                          "(the feeds would lose their sessions); run 'sheetsync check'.")
                        % {"workbook": workbook})
    feeds = []
    for kind, key in chosen:
        feed = ics.feed_for(snapshot, kind, key)
        if feed is None:
            raise UserError(_(_NO_SUCH[kind]) % {"key": key, "workbook": workbook})
        feeds.append(feed)
    found = ics.sessions(snapshot, plan, ics.history_start(now, how.history_months), how.locale)
    report = CalendarReport(held=sorted(plan.held))
    try:
        if out == "-":
            report.printed = ics.build(feeds[0], found, how.timezone, now,
                                       studio_name=how.studio_name)[0]
        elif out:
            path = Path(out)
            file = ics.feed_file(path, feeds[0], found, how.timezone, now,
                                 studio_name=how.studio_name)
            if file.written.changed:
                ics.write_file(path, file.data)
            report.one = file.written
        else:
            report.folder, report.history_start = how.out_dir, found.since
            report.written = _publish(how.out_dir, feeds or ics.all_feeds(snapshot, how.kinds),
                                      found, how, now)
    except OSError as err:
        raise UserError(_("Cannot write the calendar: %(error)s") % {
            "error": err.strerror or err} + (f" ({err.filename})" if err.filename else "")
                        ) from None
    return report


# -- status ----------------------------------------------------------------------------------
def status(store: Store, now: datetime, *, max_age: timedelta | None,
           smtp: bool, locale: str = ENGLISH) -> health.Status:
    """Is sheetsync working? Read from the Runs, Notifications and Problems tabs; it writes
    nothing and waits for no lock, so it answers while a sync runs."""
    return health.status(store.read(), now, max_age=max_age, smtp=smtp, locale=locale)
