"""The `sheetsync` command: parse, call the engine, print, exit. The only place that prints.

Exit codes: 0 done, 1 done but problems were found, 2 bad usage or configuration
(one clear sentence, no traceback), 3 sheetsync itself failed (`--verbose`
shows the traceback).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from . import __version__, engine, ics
from . import status as health
from .config import HISTORY_MONTHS, Config, load_config
from .demo import demo_layout
from .errors import UserError, cannot_write, disk_refused
from .model import Appointment, Balance, Closure, Problem
from .notify import (
    BUILTIN_TEMPLATES,
    CLIENT,
    FAILED,
    QUEUED,
    SENT,
    SKIPPED,
    STATEMENT,
    BadAddress,
    Mailer,
    Outgoing,
    RenderError,
    Result,
    Templates,
    clean_address,
)
from .plan import Plan
from .schema import ALL_TABS, STUDIO_TABS, find_tab
from .statement import statement as build_statement
from .stores import is_google
from .stores import open_store as _open_store
from .stores.base import Layout, Store

if TYPE_CHECKING:
    from .report import CommissionReport  # imported when used: pandas is slow to load


F = TypeVar("F", bound=Callable[..., Any])
DEMO_FILE = "sheetsync-demo.xlsx"
HOLIDAYS_AHEAD = timedelta(days=90)


class Failure(click.ClickException):
    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="FILE",
              help="Settings file (default: $SHEETSYNC_CONFIG, else ./sheetsync.yaml).")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print no progress messages.")
@click.version_option(__version__, prog_name="sheetsync")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool, quiet: bool) -> None:
    """Recurring session packages for studios that keep their business in a spreadsheet.

    sheetsync reads the studio's workbook (a local .xlsx file or a Google Sheet),
    plans every appointment of every package, completes past sessions, renews
    finished packages and writes balances back into the same workbook.
    """
    ctx.obj = {"config_path": config_path, "verbose": verbose, "quiet": quiet}


def handled(func: F) -> F:
    """Turn library errors into a sentence and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as err:
            raise Failure(str(err)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted; the workbook was not changed by the unfinished step.",
                       err=True)
            sys.exit(130)
        except OSError as err:
            if not disk_refused(err):
                _failed_unexpectedly(err)
            raise Failure(cannot_write(err)) from None
        except Exception as err:
            _failed_unexpectedly(err)

    return wrapper  # type: ignore[return-value]


def _failed_unexpectedly(err: Exception) -> NoReturn:
    if click.get_current_context().obj.get("verbose"):
        traceback.print_exc()
    click.echo(f"sheetsync failed unexpectedly: {type(err).__name__}: {err}\n"
               "Run again with --verbose for details.", err=True)
    sys.exit(3)


def _config() -> Config:
    return load_config(click.get_current_context().obj["config_path"])


def _progress() -> Callable[[str], None]:
    if click.get_current_context().obj.get("quiet"):
        return lambda message: None
    return lambda message: click.echo(message, err=True)


def open_store(workbook: str, config: Config, rewrite: bool = False) -> Store:
    """The workbook's store; what it warns about (a key file others can read) goes to stderr."""
    store = _open_store(workbook, config, rewrite=rewrite)
    for warning in getattr(store, "warnings", ()):
        click.echo(f"Warning: {warning}", err=True)
    from .watch import guarded  # inside `watch`, a stop must not abandon a write under way

    return guarded(store)


def _workbook(config: Config, given: str | None) -> str:
    workbook = given or config.workbook
    if not workbook:
        raise UserError("Which workbook? Name it (sheetsync sync studio.xlsx) or set "
                        "'workbook:' in sheetsync.yaml.")
    return workbook


def _now(config: Config, given: str | None) -> datetime:
    """Naive wall-clock time in the studio's zone."""
    if not given:
        return datetime.now(config.zone).replace(tzinfo=None, microsecond=0)
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        raise UserError(f"--now {given} is not a date and time; write it like "
                        "2026-12-01T14:30") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(config.zone).replace(tzinfo=None)
    return moment


now_option = click.option("--now", "now_text", metavar="ISO",
                          help="Pretend it is this time (e.g. 2026-12-01T14:30).")
rewrite_option = click.option(
    "--rewrite", is_flag=True,
    help="Let sheetsync rewrite the whole .xlsx file when it cannot edit it in place (it may "
         "lose images, charts and saved formula results). Ignored for Google Sheets.")


# -- init ------------------------------------------------------------------------------------
@cli.command()
@click.argument("workbook")
@click.option("--demo", is_flag=True, help="Fill the studio tabs with a small demo studio.")
@rewrite_option
@handled
def init(workbook: str, demo: bool, rewrite: bool) -> None:
    """Create every tab with its headers, or add the tabs and columns a workbook lacks.

    Safe on an existing workbook: data already there is never touched.
    """
    config = _config()
    store = open_store(workbook, config, rewrite)
    layout = Layout(tabs=ALL_TABS)
    if demo:
        if _holds_a_studio(store, workbook):
            raise UserError(f"{workbook} already holds studio data; --demo only fills a new, "
                            "empty workbook.")
        layout = demo_layout(_now(config, None).date())
    added = store.lay_out(layout)
    if added:
        for line in added:
            click.echo(f"  {line}")
        click.echo(f"{workbook} is ready" + (" with a demo studio." if demo else "."))
    else:
        click.echo(f"{workbook} already has every tab and column; nothing to do.")


def _holds_a_studio(store: Store, workbook: str) -> bool:
    if not is_google(workbook):
        return Path(workbook).exists()
    tables = store.read()
    return any(tables[title].rows for tab in STUDIO_TABS
               if (title := find_tab(list(tables), tab)) is not None)


# -- sync ------------------------------------------------------------------------------------
SUMMED_UP = "sheetsync sync summed up"  # click context meta: the summary line is out


def _ends_with_summary(func: F) -> F:
    """A sync stopped by an error still ends its output with one `sync: ...` line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        meta = click.get_current_context().meta
        try:
            return func(*args, **kwargs)
        except click.ClickException as err:
            err.show()
            click.echo(f"sync: stopped, nothing was saved (exit {err.exit_code})")
            sys.exit(err.exit_code)
        except SystemExit as done:
            if not meta.get(SUMMED_UP) and done.code not in (None, 0):
                click.echo(f"sync: stopped (exit {done.code})")
            raise

    return wrapper  # type: ignore[return-value]


@cli.command()
@click.argument("workbook", required=False)
@now_option
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@rewrite_option
@_ends_with_summary
@handled
def sync(workbook: str | None, now_text: str | None, dry_run: bool, rewrite: bool) -> None:
    """Plan, complete, renew and account: bring the workbook up to date.

    Run it every 15 minutes from cron; the last line of its output sums the run up.
    Exit 0: everything due was done. 1: done, but problems were found in the
    workbook (see the Problems tab or run 'sheetsync check'). 2: bad usage or
    configuration, or the workbook refused the write (open, busy). 3: sheetsync
    itself failed. 4: done, but alerts could not be sent (also when there were
    problems): they stay in Notifications and go out at the first sync that can.
    """
    config = _config()
    name = _workbook(config, workbook)
    now = _now(config, now_text)
    alerting = _alerting(config)
    feed_secret = _calendar_secret(config)  # checked before anything is written
    report = engine.sync(open_store(name, config, rewrite), now, dry_run=dry_run,
                         started_at=_now(config, None), progress=_progress(),
                         holidays=config.holidays, alerting=alerting)
    _print_sync(report, name, config, alerting)
    code = report.exit_code
    try:
        _refresh_feeds(config, report, feed_secret)
    except UserError as err:
        click.echo(f"Error: {err}", err=True)
        code = 2
    click.echo(_summary_line(report, code, outbox=alerting is not None
                             and not alerting.sender.delivers))
    click.get_current_context().meta[SUMMED_UP] = True
    sys.exit(code)


def _alerting(config: Config) -> engine.Alerting | None:
    """The alert channel, or None when sheetsync.yaml has no email section."""
    if config.email is None:
        return None
    mailer = Mailer(config.email, currency=config.currency, templates_dir=config.templates_dir,
                    zone=config.zone)
    studio_name = parseaddr(config.email.sender)[0]
    return engine.Alerting(mailer, ending_at=config.ending_at, studio_name=studio_name,
                           currency=config.currency)


def _print_sync(report: engine.SyncReport, name: str, config: Config,
                alerting: engine.Alerting | None = None) -> None:
    plan = report.plan
    if report.dry_run:
        click.echo(f"Dry run of {name} at {plan.now:%Y-%m-%d %H:%M} ({config.timezone}); "
                   "nothing was written.")
        _print_details(plan)
        _print_holidays(report.snapshot.closures, plan.now, config)
    elif report.wrote:
        click.echo(f"Synced {name} at {plan.now:%Y-%m-%d %H:%M} ({config.timezone}).")
    verb = "would be " if report.dry_run else ""
    if not report.structural:
        click.echo(f"  {len(plan.added):4} appointment(s) {verb}created")
        click.echo(f"  {len(plan.completed):4} {verb}completed")
        click.echo(f"  {sum(c.moved for c in plan.changed):4} {verb}re-planned")
        click.echo(f"  {len(plan.deleted):4} {verb}deleted")
        click.echo(f"  {len(plan.renewals):4} period(s) {verb}renewed")
        if not report.dry_run:
            click.echo(f"  {report.changes.cells_written:4} cell(s) written "
                       f"in {report.seconds:.1f}s")
    if alerting is not None:
        _print_alerts(report, alerting, config)
    for note in report.notes:
        click.echo(note)
    _print_problems_summary(report.problems)
    if report.failed and report.problems:
        click.echo(f"Exit 4: alerts could not be sent (see above), and {len(report.problems)} "
                   "problem(s) were found in the workbook (see the Problems tab).")


def _print_alerts(report: engine.SyncReport, alerting: engine.Alerting,
                  config: Config) -> None:
    outbox = "" if alerting.sender.delivers or config.email is None else (
        f"queued in the outbox {config.email.outbox_dir}")
    if report.dry_run:
        click.echo(f"  {len(report.alerts):4} alert(s) would be {outbox or 'sent'}")
        for message in report.alerts:
            click.echo(f"    {alerting.sender.preview(message)}")
        return
    counts = Counter(r.status for r in report.outcomes)
    lead = (f"{counts[QUEUED]:4} alert(s) {outbox} (nothing left the machine)" if outbox
            else f"{counts[SENT]:4} alert(s) sent")
    click.echo(f"  {lead}" + "".join(
        f", {counts[status]} {status}" for status in (FAILED, SKIPPED) if counts[status]))
    for line in _failure_lines(report.failed):
        click.echo(line)


def _failure_lines(failed: Sequence[Result]) -> list[str]:
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


def _summary_line(report: engine.SyncReport, code: int, outbox: bool) -> str:
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


def _print_details(plan: Plan) -> None:
    for a in plan.added:
        click.echo(f"  + {_describe(a)}" + ("  (in the past: completed)"
                                            if a.status != "pending" else ""))
    for change in plan.changed:
        if change.completed:
            click.echo(f"  done {_describe(change.after)}")
        if change.moved:
            click.echo(f"  moved {_describe(change.before)} -> {change.after.placement}")
    for a in plan.deleted:
        click.echo(f"  - {_describe(a)}")
    for r in plan.renewals:
        first = f" from {r.first_session:%a %Y-%m-%d %H:%M}" if r.first_session else ""
        click.echo(f"  renew {r.enrollment_id} ({r.client_id}) period {r.period}{first}")


def _describe(a: Appointment) -> str:
    return (f"{a.appointment_id}  {a.client_name}  {a.date:%a %Y-%m-%d} "
            f"{a.start:%H:%M}-{a.end:%H:%M}  {a.staff_id}")


def _print_holidays(closures: list[Closure], now: datetime, config: Config) -> None:
    """The public holidays that close the studio soon, so nobody wonders about a gap."""
    if config.holidays is None:
        return
    soon = [c for c in closures if c.public_holiday
            and now.date() <= c.start_date <= now.date() + HOLIDAYS_AHEAD]
    where = config.holidays.country + (f"-{config.holidays.subdiv}"
                                       if config.holidays.subdiv else "")
    click.echo(f"Public holidays ({where}) closing the studio in the next "
               f"{HOLIDAYS_AHEAD.days} days: " + (", ".join(
                   f"{c.start_date:%a %Y-%m-%d} {c.reason.removeprefix('Public holiday: ')}"
                   for c in soon) or "none"))


def _print_problems_summary(problems: list[Problem]) -> None:
    if not problems:
        return
    click.echo(f"{len(problems)} problem(s) found; the rows concerned were left as they are:")
    for p in problems[:5]:
        click.echo(f"  {_problem_line(p)}")
    if len(problems) > 5:
        click.echo(f"  ... and {len(problems) - 5} more: see the Problems tab or run "
                   "'sheetsync check'.")


def _problem_line(p: Problem) -> str:
    where = p.tab + (f" row {p.row}" if p.row else "") + (f", {p.column}" if p.column else "")
    return f"{where}: {p.problem}"


# -- check -----------------------------------------------------------------------------------
@cli.command()
@click.argument("workbook", required=False)
@now_option
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@handled
def check(workbook: str | None, now_text: str | None, as_json: bool) -> None:
    """List every cell sheetsync cannot read; exit 1 when there is any.

    The Problems tab is rewritten with the same list.
    """
    config = _config()
    name = _workbook(config, workbook)
    now = _now(config, now_text)
    report = engine.check(open_store(name, config), now, progress=_progress(),
                          holidays=config.holidays)
    if as_json:
        click.echo(json.dumps([
            {"tab": p.tab, "row": p.row, "column": p.column, "value": p.value,
             "problem": p.problem} for p in report.problems], indent=2, ensure_ascii=False))
    elif report.problems:
        click.echo(f"{len(report.problems)} problem(s) in {name}:")
        for p in report.problems:
            click.echo(f"  {_problem_line(p)}" + (f"  (value: {p.value})" if p.value else ""))
    else:
        click.echo(f"No problems in {name}.")
    if not as_json:
        _print_holidays(report.snapshot.closures, now, config)
    for note in report.notes:
        click.echo(note, err=True)
    sys.exit(report.exit_code)


# -- status ----------------------------------------------------------------------------------
@cli.command("status")
@click.argument("workbook", required=False)
@now_option
@click.option("--max-age", "max_age_text", metavar="DURATION", default="1h", show_default=True,
              help="Exit 6 when no sync succeeded within this long: 90m, 2h, 1d; 0: never.")
@click.option("--json", "as_json", is_flag=True, help="Print the same facts as one JSON object.")
@handled
def workbook_status(workbook: str | None, now_text: str | None, max_age_text: str,
                    as_json: bool) -> None:
    """Is sheetsync working? Tell it from the workbook, for a person or for monitoring.

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
    config = _config()
    name = _workbook(config, workbook)
    now = _now(config, now_text)
    max_age = health.parse_duration(max_age_text) or None
    smtp = config.email is not None and config.email.smtp is not None
    found = health.status(open_store(name, config).read(), now, max_age=max_age, smtp=smtp)
    if as_json:
        click.echo(json.dumps({"workbook": name, **health.as_dict(found)}, indent=2,
                              ensure_ascii=False))
    else:
        _print_status(found, name, config)
    sys.exit(found.exit_code)


def _print_status(found: health.Status, name: str, config: Config) -> None:
    verdict = "healthy" if found.healthy else f"needs attention (exit {found.exit_code})"
    click.echo(f"{name} at {found.now:%Y-%m-%d %H:%M} ({config.timezone}): {verdict}.")
    run = found.last_run
    if run is None:
        click.echo("  last run        none recorded in the Runs tab")
    else:
        counts = ", ".join(f"{'?' if n is None else n} {key}" for key, n in run.counts.items())
        click.echo(f"  last run        {_when(run)}: {run.result or '(no result)'}; {counts}")
    limit = (f"; --max-age {health.describe_age(found.max_age)}" if found.max_age
             else "; age not checked")
    if found.last_success is None or found.age is None:
        click.echo("  last good sync  none")
    else:
        ago = (f"{health.describe_age(found.age)} ago" if found.age >= timedelta(0)
               else f"{health.describe_age(-found.age)} after this moment")
        click.echo(f"  last good sync  {ago} ({found.last_success.moment:%Y-%m-%d %H:%M}"
                   f"{limit})")
    queued = (f"{found.queued_alerts} queued" + ("" if found.smtp or not found.queued_alerts
                                                 else " in the outbox folder (no email.smtp: "
                                                 "nothing leaves the machine)"))
    click.echo(f"  alerts          {found.failed_alerts} failed, {queued}")
    for a in found.waiting:
        when = f"{a.created_at:%Y-%m-%d %H:%M} " if a.created_at else ""
        click.echo(f"    {a.status:6}  {when}{a.key}  {a.event}  to {a.to or '(nobody)'}"
                   + (f": {a.error}" if a.error else ""))
    if found.failed_alerts + found.queued_alerts > len(found.waiting):
        click.echo(f"    ... and {found.failed_alerts + found.queued_alerts - len(found.waiting)}"
                   " more in the Notifications tab")
    click.echo(f"  open problems   {found.open_problems}")
    for p in found.first_problems:
        click.echo(f"    {_problem_line(p)}")
    if found.open_problems > len(found.first_problems):
        click.echo(f"    ... and {found.open_problems - len(found.first_problems)} more in the "
                   "Problems tab")
    for reason in found.reasons:
        click.echo(reason)
    for note in found.notes:
        click.echo(note, err=True)


def _when(run: health.Run) -> str:
    """When a run started, and the time it synced as when that differs (sync --now)."""
    started = f"{run.started_at:%Y-%m-%d %H:%M}" if run.started_at else "(start unreadable)"
    if run.now is None or (run.started_at and abs(run.now - run.started_at)
                           < timedelta(minutes=1)):
        return started
    return f"{started} (synced as of {run.now:%Y-%m-%d %H:%M})"


# -- balance ---------------------------------------------------------------------------------
@cli.command()
@click.argument("args", nargs=-1, metavar="[WORKBOOK] [CLIENT_ID]")
@now_option
@click.option("--due", is_flag=True, help="Only periods with money still due.")
@click.option("--ending", type=click.IntRange(min=0), metavar="DAYS",
              help="Only periods whose last session is within DAYS days.")
@handled
def balance(args: tuple[str, ...], now_text: str | None, due: bool,
            ending: int | None) -> None:
    """Sessions used and left, next session and money due, per client and period.

    Shows the balances as a sync at this moment would write them: the current
    period of every enrollment and any earlier one with money still due.
    --due and --ending DAYS narrow it to the weekly look a studio owner takes.
    """
    config = _config()
    if len(args) > 2:
        raise UserError("balance takes at most a workbook and a client id.")
    workbook, client_id = None, None
    if len(args) == 2:
        workbook, client_id = args
    elif len(args) == 1 and _looks_like_workbook(args[0]):
        workbook = args[0]
    elif args:
        client_id = args[0]
    name = _workbook(config, workbook)
    now = _now(config, now_text)
    _, snapshot, plan = engine.read_and_plan(open_store(name, config), now, _progress(),
                                             config.holidays)
    if client_id and client_id not in snapshot.clients:
        raise UserError(f"There is no client {client_id} in {name}.")
    rows = _current_periods([b for b in plan.balances if client_id in (None, b.client_id)])
    if due:
        rows = [b for b in rows if b.due > 0]
    if ending is not None:
        horizon = now + timedelta(days=ending)
        rows = [b for b in rows if b.state == "active" and b.last_session is not None
                and b.last_session <= horizon]
    click.echo(_balance_table(rows, config.currency, filtered=due or ending is not None))
    if due and rows:
        total = sum(b.due for b in rows)
        click.echo(f"Total due: {total:,.2f} {config.currency}".rstrip())
    held = sorted(e for e in plan.held
                  if client_id is None or (e in snapshot.enrollments
                                           and snapshot.enrollments[e].client_id == client_id))
    if held:
        click.echo(f"Not shown, held by problems: {', '.join(held)} (run 'sheetsync check').")


def _looks_like_workbook(arg: str) -> bool:
    return arg.lower().endswith(".xlsx") or is_google(arg) or Path(arg).exists()


def _current_periods(rows: list[Balance]) -> list[Balance]:
    """The latest period of each enrollment, plus any earlier one with money still due."""
    latest: dict[str, int] = {}
    for b in rows:
        latest[b.enrollment_id] = max(latest.get(b.enrollment_id, 0), b.period)
    return [b for b in rows if b.period == latest[b.enrollment_id] or b.due > 0]


def _balance_table(rows: list[Balance], currency: str, filtered: bool = False) -> str:
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


# -- report ----------------------------------------------------------------------------------
@cli.group()
def report() -> None:
    """Reports made from the workbook (commissions)."""


@report.command("commissions")
@click.argument("workbook", required=False)
@click.option("--month", "month_text", metavar="YYYY-MM",
              help="The month to report (default: the previous calendar month).")
@click.option("--out", metavar="FILE", help="Also save the report as FILE (.csv or .xlsx).")
@now_option
@rewrite_option
@handled
def commissions(workbook: str | None, month_text: str | None, out: str | None,
                now_text: str | None, rewrite: bool) -> None:
    """Sessions, revenue and commission per staff member for one month.

    Counts every completed or paid_cancel session dated in the month, at the
    commission frozen in its Appointments row (a session no sync has seen yet
    counts as the next sync will freeze it). Writes the month's rows into the
    Commissions tab, replacing only that month, and prints them. Without
    --month it reports the month before this one: run it on the 1st.
    """
    from .month import Month
    from .read import read_snapshot
    from .report import commission_report
    from .report_files import check_out_path, save
    from .report_tab import publish

    config = _config()
    name = _workbook(config, workbook)
    now = _now(config, now_text)
    if month_text is None:
        month = Month.before(now.date())
    else:
        try:
            month = Month.parse(month_text)
        except ValueError:
            raise UserError(f"--month {month_text} is not a month; write it like "
                            f"{Month.before(now.date())}.") from None
    path = check_out_path(out, name) if out else None
    store = open_store(name, config, rewrite)
    progress = _progress()
    progress(f"Reading {store.label} ...")
    tables = store.read()
    snapshot = read_snapshot(tables)
    if snapshot.structural:
        missing = " ".join(p.problem for p in snapshot.problems)
        raise UserError(f"{name} cannot be reported on: {missing}")
    result = commission_report(snapshot, month, now)
    changes = publish(store, tables, result)
    if path is not None:
        save(result, path, config.currency)
    click.echo(f"Commissions for {month.label} ({month}) in {name}")
    click.echo("")
    if result.empty:
        click.echo(f"No session was completed or paid-cancelled in {month}: "
                   "no commission was earned.")
    else:
        click.echo(_staff_table(result, config.currency))
        click.echo("")
        click.echo("By package:")
        click.echo(_package_table(result, config.currency))
    click.echo("")
    rows = len(result.tab_rows())
    if changes and rows:
        click.echo(f"Wrote {rows} row(s) for {month} into the Commissions tab "
                   f"({changes.cells_written} cell(s) changed); other months are kept.")
    elif changes:
        click.echo(f"Removed the rows for {month} from the Commissions tab; other months are "
                   "kept.")
    elif rows:
        click.echo(f"The Commissions tab already holds these {rows} row(s) for {month}; "
                   "nothing was written.")
    else:
        click.echo(f"The Commissions tab has no rows for {month}; nothing was written.")
    if path is not None:
        click.echo(f"Saved the report to {path}.")
    for note in result.notes:
        click.echo(f"Note: {note}")
    sys.exit(1 if result.problems else 0)


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}".strip()


def _staff_label(staff_id: str, staff_name: str) -> str:
    if not staff_id:
        return "(no staff member)"
    return f"{staff_name} ({staff_id})" if staff_name else staff_id


def _staff_table(result: CommissionReport, currency: str) -> str:
    rows = [(_staff_label(r["staff_id"], r["staff_name"]), str(r["sessions"]),
             _money(r["revenue"], currency), _money(r["commission"], currency))
            for r in result.by_staff.to_dict("records")]
    total = ("Total", str(result.total_sessions), _money(result.total_revenue, currency),
             _money(result.total_commission, currency))
    return _text_table(("staff", "sessions", "revenue", "commission"), rows, total,
                       right={1, 2, 3})


def _package_table(result: CommissionReport, currency: str) -> str:
    rows = []
    previous = None
    for r in result.by_package.to_dict("records"):
        staff = _staff_label(r["staff_id"], r["staff_name"])
        package = (f"{r['package_name']} ({r['package_id']})" if r["package_id"]
                   else "(package unknown)")
        rows.append(("" if staff == previous else staff, package, str(r["sessions"]),
                     _money(r["revenue"], currency), _money(r["commission"], currency)))
        previous = staff
    return _text_table(("staff", "package", "sessions", "revenue", "commission"), rows, None,
                       right={2, 3, 4})


def _text_table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]],
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
@cli.command("calendar")
@click.argument("workbook", required=False)
@click.option("--staff", "staff_id", metavar="ID", help="The sessions of this staff member.")
@click.option("--client", "client_id", metavar="ID", help="This client's own sessions.")
@click.option("--group", "group_id", metavar="ID", help="The classes of this group.")
@click.option("--all", "whole_studio", is_flag=True, help="Every session of the studio.")
@click.option("--out", metavar="FILE.ics",
              help="Write that one calendar to FILE.ics ('-': print it).")
@click.option("--out-dir", metavar="DIR",
              help="Write a calendar per staff member, client and group, and the studio's.")
@now_option
@handled
def calendar_feeds(workbook: str | None, staff_id: str | None, client_id: str | None,
                   group_id: str | None, whole_studio: bool, out: str | None,
                   out_dir: str | None, now_text: str | None) -> None:
    """Calendars (.ics) of the sessions, for phones and calendar apps to subscribe to.

    --out FILE.ics writes the calendar of one staff member, client or group, or of
    the whole studio (--all). --out-dir DIR writes one file per staff member, client
    and group and one for the studio (staff-ST1.ics, client-C001.ics, group-G1.ics,
    studio.ics), ready to publish; without --out or --out-dir the files go to
    calendar.out_dir of sheetsync.yaml, which sync also refreshes after every run.
    A file is rewritten only when one of its events changed.
    """
    config = _config()
    chosen = [(kind, key) for kind, key in ((ics.STAFF, staff_id), (ics.CLIENT, client_id),
                                            (ics.GROUP, group_id)) if key is not None]
    if whole_studio:
        chosen.append((ics.STUDIO, ""))
    if len(chosen) > 1:
        raise UserError("Choose one calendar: --staff ID, --client ID, --group ID or --all.")
    if out and out_dir:
        raise UserError("Use either --out FILE.ics (one calendar) or --out-dir DIR (all of "
                        "them), not both.")
    if out and not chosen:
        raise UserError("Whose calendar goes into " + out + "? Add --staff ID, --client ID, "
                        "--group ID or --all (or use --out-dir DIR for every calendar).")
    settings = config.calendar
    if not out and not out_dir:
        if settings is None:
            raise UserError("Where should the calendars go? Give --out FILE.ics or --out-dir "
                            "DIR, or set calendar.out_dir in sheetsync.yaml.")
        out_dir = str(settings.out_dir)
    secret = _calendar_secret(config) if out_dir else ""
    name = _workbook(config, workbook)
    now = _now(config, now_text)
    _, snapshot, plan = engine.read_and_plan(open_store(name, config), now, _progress(),
                                             config.holidays)
    if snapshot.structural:
        raise UserError(f"{name} is missing tabs or columns, so no calendar was written "
                        "(the feeds would lose their sessions); run 'sheetsync check'.")
    feeds = []
    for kind, key in chosen:
        feed = ics.feed_for(snapshot, kind, key)
        if feed is None:
            raise UserError(f"There is no {kind} {key} in {name}.")
        feeds.append(feed)
    history = settings.history_months if settings else HISTORY_MONTHS
    found = ics.sessions(snapshot, plan, ics.history_start(now, history))
    studio_name = _studio_name(config)
    try:
        if out:
            _write_one_calendar(out, feeds[0], found, config, now, studio_name)
        else:
            assert out_dir is not None
            kinds = settings.feeds if settings else ics.FEED_KINDS
            written = ics.publish(Path(out_dir), feeds or ics.all_feeds(snapshot, kinds), found,
                                  config.timezone, now, secret=secret, studio_name=studio_name)
            _print_feeds(written, Path(out_dir), config, history_start=found.since)
    except OSError as err:
        raise UserError(f"Cannot write the calendar: {err.strerror or err}"
                        + (f" ({err.filename})" if err.filename else "")) from None
    held = sorted(plan.held)
    if held:
        click.echo(f"Held by problems, shown as they stand in the workbook: {', '.join(held)} "
                   "(run 'sheetsync check').")


def _write_one_calendar(out: str, feed: ics.Feed, found: ics.Sessions, config: Config,
                        now: datetime, studio_name: str) -> None:
    if out == "-":
        data, _ = ics.build(feed, found, config.timezone, now, studio_name=studio_name)
        click.echo(data.decode("utf-8"), nl=False)
        return
    path = Path(out)
    data, count = ics.build(feed, found, config.timezone, now, ics.read_previous(path),
                            studio_name)
    changed = ics.write_file(path, data)
    click.echo(f"{'Wrote' if changed else 'Up to date:'} {path}: {feed.label}, "
               f"{count} event(s).")


def _print_feeds(written: list[ics.Written], folder: Path, config: Config,
                 history_start: date | None) -> None:
    changed = [w for w in written if w.changed]
    since = f", sessions from {history_start:%Y-%m-%d}" if history_start else ""
    click.echo(f"Calendars in {folder} ({config.timezone}{since}):")
    width = max((len(w.path.name) for w in changed), default=0)
    for w in changed:
        click.echo(f"  wrote {w.path.name.ljust(width)}  {w.feed.label}, {w.events} event(s)")
    click.echo(f"  {len(changed)} written, {len(written) - len(changed)} unchanged.")


def _calendar_secret(config: Config) -> str:
    """The secret that makes feed file names unguessable (empty when none is configured)."""
    settings = config.calendar
    if settings is None or not settings.secret_env:
        return ""
    secret = os.environ.get(settings.secret_env, "")
    if not secret:
        raise UserError(f"The environment variable {settings.secret_env} (calendar.secret_env) "
                        "is not set; without it the calendar files would get other names.")
    return secret


def _studio_name(config: Config) -> str:
    return parseaddr(config.email.sender)[0] if config.email else ""


def _refresh_feeds(config: Config, report: engine.SyncReport, secret: str) -> None:
    """After a sync: bring calendar.out_dir's feeds up to date with what it wrote."""
    settings = config.calendar
    if settings is None or report.structural or not (report.wrote or report.dry_run):
        return
    plan = report.plan
    found = ics.sessions(report.snapshot, plan,
                         ics.history_start(plan.now, settings.history_months))
    try:
        written = ics.publish(settings.out_dir, ics.all_feeds(report.snapshot, settings.feeds),
                              found, config.timezone, plan.now, secret=secret,
                              studio_name=_studio_name(config), dry_run=report.dry_run)
    except OSError as err:
        raise UserError(f"The workbook was synced, but the calendars in {settings.out_dir} "
                        f"were not refreshed: {err.strerror or err}") from None
    verb = "would be rewritten" if report.dry_run else "rewritten"
    click.echo(f"  {sum(w.changed for w in written):4} of {len(written)} calendar(s) {verb} "
               f"in {settings.out_dir}")


# -- statement -------------------------------------------------------------------------------
@cli.command("statement")
@click.argument("args", nargs=-1, metavar="[WORKBOOK] CLIENT_ID")
@click.option("--format", "form", type=click.Choice(["text", "html"]), default="text",
              show_default=True, help="How to show it on the screen.")
@click.option("--email", "send", is_flag=True,
              help="Send it to the client's e-mail address instead of showing it.")
@now_option
@handled
def client_statement(args: tuple[str, ...], form: str, send: bool,
                     now_text: str | None) -> None:
    """A client's session statement: every period of every package, session by session.

    Each session with its day, time, staff member and status and what it did to the
    balance; the payments and which period they paid; the amount due per period and
    in total; the sessions left and the next one. The numbers are those a sync at
    this moment writes into Balances. --email sends it to the client through the
    e-mail settings of sheetsync.yaml (SMTP, or the outbox folder).
    """
    config = _config()
    if not args or len(args) > 2:
        raise UserError("Name the client: sheetsync statement [WORKBOOK] CLIENT_ID.")
    workbook, client_id = (None, args[0]) if len(args) == 1 else args
    if send and config.email is None:
        raise UserError("--email needs an 'email:' section in sheetsync.yaml (see "
                        "config.example.yaml): the sender address and the SMTP server or "
                        "outbox folder.")
    mailer = _mailer(config) if send else None
    templates = mailer.templates if mailer else Templates(
        config.templates_dir or BUILTIN_TEMPLATES, config.currency)
    name = _workbook(config, workbook)
    now = _now(config, now_text)
    _, snapshot, plan = engine.read_and_plan(open_store(name, config), now, _progress(),
                                             config.holidays)
    if snapshot.structural:
        raise UserError(f"{name} is missing tabs or columns; run 'sheetsync check'.")
    client = snapshot.clients.get(client_id)
    if client is None:
        raise UserError(f"There is no client {client_id} in {name}.")
    context = build_statement(snapshot, plan, client_id, studio_name=_studio_name(config),
                              currency=config.currency)
    try:
        rendered = templates.render(STATEMENT, CLIENT, context)
    except RenderError as err:
        raise UserError(f"The statement template failed: {err}") from None
    if mailer is None:
        click.echo(rendered.html if form == "html" else rendered.text, nl=form == "html")
        if context["held"]:
            click.echo(f"Not in the statement, held by problems: {', '.join(context['held'])} "
                       "(run 'sheetsync check').", err=True)
        return
    if context["held"]:
        raise UserError(f"{', '.join(context['held'])} of {client_id} cannot be read (see "
                        "'sheetsync check'), so the statement would be incomplete; fix it "
                        "first. Nothing was sent.")
    if not client.email:
        raise UserError(f"{client.name} ({client_id}) has no e-mail address; add one in the "
                        "Clients tab. Nothing was sent.")
    try:
        clean_address(client.email)
    except BadAddress as err:
        raise UserError(f"Cannot send to {client.name} ({client_id}): {err}. "
                        "Nothing was sent.") from None
    message = Outgoing(key=f"statement/{client_id}/{now:%Y-%m-%dT%H:%M:%S}", event=STATEMENT,
                       role=CLIENT, to_name=client.name, to_address=client.email,
                       context=context)
    result = mailer.send([message], now)[0]
    if result.status not in (SENT, QUEUED):
        raise UserError(f"The statement was not sent to {client.email}: {result.error}")
    assert config.email is not None
    where = (f"through {config.email.smtp.host}" if config.email.smtp
             else f"into {config.email.outbox_dir} (outbox: nothing left the machine)")
    click.echo(f"Sent the statement to {client.name} <{client.email}> {where}: "
               f"{result.subject}")


def _mailer(config: Config) -> Mailer:
    assert config.email is not None
    return Mailer(config.email, currency=config.currency, templates_dir=config.templates_dir,
                  zone=config.zone)


# -- demo ------------------------------------------------------------------------------------
@cli.command("templates")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite templates already in FOLDER.")
@handled
def templates(folder: Path, replace: bool) -> None:
    """Copy the e-mail templates into FOLDER, to edit them for your studio.

    Then set `templates_dir: FOLDER` in sheetsync.yaml; FOLDER/README.md lists the
    variables and filters a template may use.
    """
    from .notify import copy_templates

    copied = copy_templates(folder, replace=replace)
    click.echo(f"Copied {len(copied)} templates into {folder}. Edit them, then add to "
               f"sheetsync.yaml:\n  templates_dir: {folder}")


@cli.command()
@click.option("--folder", type=click.Path(file_okay=False), default=".",
              help="Where to put sheetsync-demo.xlsx (default: this folder).")
@handled
def demo(folder: str) -> None:
    """Make a demo studio workbook, sync it and say what happened.

    Running it again syncs the same demo workbook again.
    """
    config = _config()
    path = Path(folder) / DEMO_FILE
    store = open_store(str(path), config)
    today = _now(config, None).date()
    fresh = not path.exists()
    if fresh:
        store.lay_out(demo_layout(today))
    report = engine.sync(store, _now(config, None), started_at=_now(config, None),
                         progress=_progress(), holidays=config.holidays)
    _print_demo(report, path, fresh, today)
    sys.exit(report.exit_code)


def _print_demo(report: engine.SyncReport, path: Path, fresh: bool, today: date) -> None:
    plan = report.plan
    snap = report.snapshot
    if fresh:
        click.echo(f"Made a demo studio in {path}: {len(snap.packages)} packages, "
                   f"{len(snap.clients)} clients, {len(snap.staff)} staff, "
                   f"{len(snap.groups)} group, {len(snap.enrollments)} enrollments.")
    click.echo(f"Synced it at {plan.now:%Y-%m-%d %H:%M}: {len(plan.added)} appointments "
               f"created ({sum(a.status == 'completed' for a in plan.added)} of them in the "
               f"past, so already completed), {len(plan.completed)} completed, "
               f"{len(plan.renewals)} period(s) renewed.")
    due = sum((b.due for b in plan.balances if b.due > 0), start=0)
    click.echo(f"Balances: {len(plan.balances)} periods, {due:,.2f} still due in total.")
    command = _invoked_as()
    click.echo(f"Open {path} and look at the Appointments and Balances tabs, or run:\n"
               f"  {command} balance {path}\n"
               f"  {command} sync {path} --dry-run --now {today.isoformat()}T23:00")


def _invoked_as() -> str:
    """`sheetsync` when that name finds this program, else the path it was started by
    (`.venv/bin/sheetsync` right after Quick start), so a hint works when copied."""
    started = sys.argv[0] if sys.argv else ""
    if Path(started).name != "sheetsync" or not Path(started).parent.parts:
        return "sheetsync"
    on_path = shutil.which("sheetsync")
    if on_path and Path(on_path).resolve() == Path(started).resolve():
        return "sheetsync"
    return os.path.relpath(started)


# -- watch -----------------------------------------------------------------------------------
@cli.command("watch")
@click.argument("workbook", required=False)
@click.option("--every", "every_text", default="15m", show_default=True, metavar="DURATION",
              help="Sync this often (30s, 15m, 1h), whatever happens in between.")
@rewrite_option
@handled
def watch_workbook(workbook: str | None, every_text: str, rewrite: bool) -> None:
    """Keep the workbook synced: on an interval, and right after a local .xlsx is closed.

    One long-running process for a systemd service, a container or a terminal. Each
    run is a 'sheetsync sync', one after another, never two at once; it logs one line
    per run (time, what started it, outcome, the sync's summary line). A local .xlsx
    is also synced a few seconds after the studio saves and closes it, and never while
    it is open in LibreOffice or Excel. A run that fails (exit 2 or 3) is retried after
    a minute, then after twice as long each time, at most the interval. Ctrl-C or
    SIGTERM stops it: a run that has not started writing is abandoned, one that has is
    finished first; it exits 0.
    """
    from . import watch as watching

    ctx = click.get_current_context()
    config = _config()
    name = _workbook(config, workbook)
    every = watching.parse_interval(every_text)
    local = None if is_google(name) else Path(name)
    sync_arguments = [*_global_arguments(ctx.obj), "sync", name, *(["--rewrite"] * rewrite)]
    verbose = bool(ctx.obj.get("verbose"))

    def run_sync() -> watching.Outcome:
        outcome = watching.Outcome(*_sync_in_process(sync_arguments))
        if verbose:
            click.echo(outcome.output.rstrip())
        return outcome

    def log(line: str) -> None:
        click.echo(f"{_now(config, None):%Y-%m-%d %H:%M:%S} {line}")

    log(f"watching {name}: a sync every {watching.describe_interval(every)}"
        + (", and after each save once it is closed." if local else "."))
    watching.Watcher(name, local, every, run_sync, log).serve()


def _global_arguments(options: dict[str, Any]) -> list[str]:
    """The options given before `watch`, for each of its syncs (progress is never shown)."""
    given = ["--config", options["config_path"]] if options.get("config_path") else []
    return [*given, *(["--verbose"] if options.get("verbose") else []), "--quiet"]


def _sync_in_process(arguments: list[str]) -> tuple[int, str]:
    """`sheetsync ARGUMENTS` run here, its output kept: the exit code and what it printed."""
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    printed = StringIO()
    with redirect_stdout(printed), redirect_stderr(printed):
        try:
            returned = cli.main(args=arguments, prog_name="sheetsync", standalone_mode=False)
            code = returned if isinstance(returned, int) else 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 3)
        except click.ClickException as err:
            err.show()
            code = err.exit_code
        except click.Abort:
            code = 3
    return code, printed.getvalue()


def main() -> None:
    cli(prog_name="sheetsync")
