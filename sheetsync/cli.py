"""The `sheetsync` command: parse, call one use case, render, exit. The only place that prints.

Each command builds its inputs from the options and sheetsync.yaml, calls one function of
usecases.py, echoes what render.py makes of the report and maps the outcome to an exit code:
0 done, 1 done but problems were found, 2 bad usage or configuration (one clear sentence,
no traceback), 3 sheetsync itself failed (`--verbose` shows the traceback).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from . import __version__, engine, ics, render, usecases
from . import status as health
from .config import HISTORY_MONTHS, Config, load_config
from .errors import UserError, cannot_write, disk_refused
from .notify import BUILTIN_TEMPLATES, Mailer, Templates
from .stores import is_google
from .stores import open_store as _open_store
from .stores.base import Store

F = TypeVar("F", bound=Callable[..., Any])
DEMO_FILE = "sheetsync-demo.xlsx"


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


def _echo(lines: Iterable[str], err: bool = False) -> None:
    for line in lines:
        click.echo(line, err=err)


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
    added = usecases.init(store, workbook, demo_today=_now(config, None).date() if demo else None)
    _echo(f"  {line}" for line in added)
    click.echo(f"{workbook} is ready" + (" with a demo studio." if demo else ".") if added
               else f"{workbook} already has every tab and column; nothing to do.")


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
    calendars = usecases.publishing(config.calendar, config.timezone, _studio_name(config))
    outcome = usecases.sync(open_store(name, config, rewrite), now, dry_run=dry_run,
                            started_at=_now(config, None), progress=_progress(),
                            holidays=config.holidays, alerting=alerting, calendars=calendars)
    report = outcome.report
    channel = None if alerting is None else render.AlertChannel(
        None if alerting.sender.delivers or config.email is None else config.email.outbox_dir,
        alerting.sender.preview)
    _echo(render.sync_lines(report, name, config.timezone, holidays=config.holidays,
                            alerts=channel))
    if outcome.feeds is not None and outcome.feeds_folder is not None:
        click.echo(render.feeds_line(outcome.feeds, outcome.feeds_folder, report.dry_run))
    if outcome.feeds_error:
        click.echo(f"Error: {outcome.feeds_error}", err=True)
    click.echo(render.summary_line(report, outcome.exit_code, outbox=alerting is not None
                                   and not alerting.sender.delivers))
    click.get_current_context().meta[SUMMED_UP] = True
    sys.exit(outcome.exit_code)


def _alerting(config: Config) -> engine.Alerting | None:
    """The alert channel, or None when sheetsync.yaml has no email section."""
    if config.email is None:
        return None
    return engine.Alerting(_mailer(config), ending_at=config.ending_at,
                           studio_name=_studio_name(config), currency=config.currency)


def _mailer(config: Config) -> Mailer:
    assert config.email is not None
    return Mailer(config.email, currency=config.currency, templates_dir=config.templates_dir,
                  zone=config.zone)


def _studio_name(config: Config) -> str:
    return parseaddr(config.email.sender)[0] if config.email else ""


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
    report = usecases.check(open_store(name, config), now, progress=_progress(),
                            holidays=config.holidays)
    if as_json:
        click.echo(json.dumps(render.problems_json(report.problems), indent=2,
                              ensure_ascii=False))
    else:
        _echo(render.check_lines(report.problems, name))
        _echo(render.holiday_lines(report.snapshot.closures, now, config.holidays))
    _echo(report.notes, err=True)
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
    found = usecases.status(open_store(name, config), now, max_age=max_age, smtp=smtp)
    if as_json:
        click.echo(json.dumps({"workbook": name, **health.as_dict(found)}, indent=2,
                              ensure_ascii=False))
    else:
        _echo(render.status_lines(found, name, config.timezone))
        _echo(found.notes, err=True)
    sys.exit(found.exit_code)


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
    found = usecases.balances(open_store(name, config), _now(config, now_text), name,
                              client_id=client_id, due=due, ending_days=ending,
                              holidays=config.holidays, progress=_progress())
    _echo(render.balance_lines(found, config.currency))


def _looks_like_workbook(arg: str) -> bool:
    return arg.lower().endswith(".xlsx") or is_google(arg) or Path(arg).exists()


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
    from .report_files import check_out_path

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
    outcome = usecases.commissions(open_store(name, config, rewrite), month, now, name,
                                   out=path, currency=config.currency,
                                   holidays=config.holidays, progress=_progress())
    _echo(render.commission_lines(outcome, name, config.currency))
    sys.exit(outcome.exit_code)


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
    how = usecases.Publishing(
        Path(out_dir or "."), config.timezone,
        kinds=settings.feeds if settings else ics.FEED_KINDS,
        history_months=settings.history_months if settings else HISTORY_MONTHS,
        secret=usecases.feed_secret(settings) if out_dir else "",
        studio_name=_studio_name(config))
    name = _workbook(config, workbook)
    found = usecases.calendars(open_store(name, config), _now(config, now_text), name, how,
                               chosen=chosen, out=out, holidays=config.holidays,
                               progress=_progress())
    if found.printed:
        click.echo(found.printed.decode("utf-8"), nl=False)
    _echo(render.calendar_lines(found, config.timezone))


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
    found = usecases.statement(open_store(name, config), _now(config, now_text), name,
                               client_id, templates=templates, sender=mailer,
                               studio_name=_studio_name(config), currency=config.currency,
                               holidays=config.holidays, progress=_progress())
    if found.sent is None:
        click.echo(found.rendered.html if form == "html" else found.rendered.text,
                   nl=form == "html")
        if found.held:
            click.echo(render.held_statement_line(found.held), err=True)
        return
    assert config.email is not None
    click.echo(render.sent_line(found.client_name, found.client_email, found.sent.subject,
                                config.email.smtp.host if config.email.smtp else None,
                                config.email.outbox_dir))


# -- templates, demo -------------------------------------------------------------------------
@cli.command("templates")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite templates already in FOLDER.")
@handled
def templates(folder: Path, replace: bool) -> None:
    """Copy the e-mail templates into FOLDER, to edit them for your studio.

    Then set `templates_dir: FOLDER` in sheetsync.yaml; FOLDER/README.md lists the
    variables and filters a template may use.
    """
    copied = usecases.templates(folder, replace=replace)
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
    found = usecases.demo(store, path, _now(config, None), started_at=_now(config, None),
                          holidays=config.holidays, progress=_progress())
    _echo(render.demo_lines(found, _invoked_as()))
    sys.exit(found.report.exit_code)


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
