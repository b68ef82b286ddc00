"""The `sheetsync` command: parse, call one use case, render, exit. The only place that prints.

Each command builds its inputs from the options and sheetsync.yaml, calls one function of
usecases.py, echoes what render.py makes of the report and maps the outcome to an exit code:
0 done, 1 done but problems were found, 2 bad usage or configuration (one clear sentence,
no traceback: exits.py's `handled` translates library errors), 3 sheetsync itself failed
(`--verbose` shows the traceback). What it prints is in the `locale` of sheetsync.yaml
(render.py and usecases.py take it); `--help` is English, rendered before the config is read.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import click

from . import __version__, render, usecases
from . import status as health
from .config import DEFAULT_NAME, Config, load_config
from .errors import UserError
from .exits import SUMMED_UP, ends_with_summary, handled
from .i18n import DEFAULT, normalise_locale, translations
from .stores import open_store as _open_store
from .stores.base import Store

DEMO_FILE = "sheetsync-demo.xlsx"


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


def _config() -> Config:
    """sheetsync.yaml; from here on the command's errors are in its `locale`."""
    context = click.get_current_context()
    config = load_config(context.obj["config_path"])
    context.obj["locale"] = config.locale
    return config


def _inputs(workbook: str | None, now_text: str | None,
            config: Config | None = None) -> tuple[Config, str, datetime]:
    """sheetsync.yaml, the workbook's name and the moment to work at."""
    config = config or _config()
    return config, usecases.workbook_name(config, workbook), _now(config, now_text)


def _now(config: Config, given: str | None = None) -> datetime:
    """Naive wall-clock time in the studio's zone (`--now` when given)."""
    return usecases.studio_time(config.zone, given, datetime.now, config.locale)


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
        click.echo(translations(config.locale).gettext("Warning: %(warning)s") % {
            "warning": warning}, err=True)
    from .watch import guarded  # inside `watch`, a stop must not abandon a write under way

    return guarded(store)


now_option = click.option("--now", "now_text", metavar="ISO",
                          help="Pretend it is this time (e.g. 2026-12-01T14:30).")
rewrite_option = click.option(
    "--rewrite", is_flag=True,
    help="Let sheetsync rewrite the whole .xlsx file when it cannot edit it in place (it may "
         "lose images, charts and saved formula results). Ignored for Google Sheets.")


# -- commands --------------------------------------------------------------------------------
@cli.command()
@click.argument("workbook")
@click.option("--demo", is_flag=True, help="Fill the studio tabs with a small demo studio.")
@click.option("--locale", metavar="LANGUAGE",
              help="The studio's language for tab names, headers, drop-downs and the demo: "
                   "en, tr or de (also tr_TR, Türkçe, Deutsch, German ...; default: locale of "
                   "sheetsync.yaml, else en). Written into a new sheetsync.yaml when there is "
                   "none.")
@rewrite_option
@handled
def init(workbook: str, demo: bool, locale: str | None, rewrite: bool) -> None:
    """Create every tab with its headers, or add the tabs and columns a workbook lacks.

    Safe on an existing workbook: data already there is never touched, and tabs and
    headers already there keep their names in whatever language they are.
    """
    config = _config()
    language = _language(locale) if locale else config.locale
    click.get_current_context().obj["locale"] = language  # init speaks the layout's language
    store = open_store(workbook, dataclasses.replace(config, locale=language), rewrite)
    added = usecases.init(store, workbook, demo_today=_now(config).date() if demo else None,
                          locale=language)
    _echo(render.init_lines(workbook, added, demo, language))
    if locale:
        _remember_locale(config, workbook, language)


def _language(typed: str) -> str:
    """`--locale` as `i18n.normalise_locale` reads it (tr_TR, Türkçe, German -> tr, de)."""
    try:
        return normalise_locale(typed)
    except ValueError as err:
        raise UserError(str(err)) from None


def _remember_locale(config: Config, workbook: str, locale: str) -> None:
    """A new sheetsync.yaml with the workbook and its locale; an existing config is the
    studio's own and only gets a hint."""
    if config.source is None and usecases.starter_config(Path(DEFAULT_NAME), workbook, locale):
        click.echo(render.config_written_line(DEFAULT_NAME, locale, locale))
    elif config.locale != locale:
        click.echo(render.locale_hint_line(str(config.source or DEFAULT_NAME), locale, locale))


@cli.command()
@click.argument("workbook", required=False)
@now_option
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@rewrite_option
@ends_with_summary
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
    config, name, now = _inputs(workbook, now_text)
    alerting = usecases.alerting_for(config)
    calendars = usecases.publishing(config.calendar, config.timezone, usecases.studio_name(config),
                                    config.locale)
    outcome = usecases.sync(open_store(name, config, rewrite), now, dry_run=dry_run,
                            started_at=_now(config), progress=_progress(),
                            holidays=config.holidays, alerting=alerting, calendars=calendars,
                            locale=config.locale)
    for line, err in render.sync_outcome_lines(outcome, name, config.timezone,
                                               holidays=config.holidays, alerting=alerting,
                                               outbox=usecases.outbox_of(config, alerting),
                                               locale=config.locale):
        click.echo(line, err=err)
    click.get_current_context().meta[SUMMED_UP] = True
    sys.exit(outcome.exit_code)


@cli.command()
@click.argument("workbook", required=False)
@now_option
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@handled
def check(workbook: str | None, now_text: str | None, as_json: bool) -> None:
    """List every cell sheetsync cannot read; exit 1 when there is any.

    The Problems tab is rewritten with the same list.
    """
    config, name, now = _inputs(workbook, now_text)
    report = usecases.check(open_store(name, config), now, progress=_progress(),
                            holidays=config.holidays, locale=config.locale)
    if as_json:
        click.echo(render.as_json(render.problems_json(report.problems, report.problem_words)))
    else:
        _echo(render.check_lines(report.problems, name, report.problem_words))
        _echo(render.holiday_lines(report.snapshot.closures, now, config.holidays,
                                   config.locale))
    _echo(report.notes, err=True)
    sys.exit(report.exit_code)


@cli.command("status", help=health.HELP)
@click.argument("workbook", required=False)
@now_option
@click.option("--max-age", "max_age_text", metavar="DURATION", default="1h", show_default=True,
              help="Exit 6 when no sync succeeded within this long: 90m, 2h, 1d; 0: never.")
@click.option("--json", "as_json", is_flag=True, help="Print the same facts as one JSON object.")
@handled
def workbook_status(workbook: str | None, now_text: str | None, max_age_text: str,
                    as_json: bool) -> None:
    config, name, now = _inputs(workbook, now_text)
    max_age = health.parse_duration(max_age_text, config.locale) or None
    smtp = config.email is not None and config.email.smtp is not None
    found = usecases.status(open_store(name, config), now, max_age=max_age, smtp=smtp,
                            locale=config.locale)
    if as_json:
        click.echo(render.as_json({"workbook": name, **health.as_dict(found)}))
    else:
        _echo(render.status_lines(found, name, config.timezone, config.locale))
        _echo(found.notes, err=True)
    sys.exit(found.exit_code)


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
    workbook, client_id = usecases.balance_arguments(args, config.locale)
    config, name, now = _inputs(workbook, now_text, config)
    found = usecases.balances(open_store(name, config), now, name, client_id=client_id,
                              due=due, ending_days=ending, holidays=config.holidays,
                              progress=_progress(), locale=config.locale)
    _echo(render.balance_lines(found, config.currency, config.locale))


@cli.group()
def report() -> None:
    """Reports made from the workbook (commissions, the monthly report)."""


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
    from .report_files import check_out_path

    config, name, now = _inputs(workbook, now_text)
    month = usecases.month_to_report(month_text, now.date(), config.locale)
    path = check_out_path(out, name, config.locale) if out else None
    outcome = usecases.commissions(open_store(name, config, rewrite), month, now, name,
                                   out=path, currency=config.currency,
                                   holidays=config.holidays, progress=_progress(),
                                   locale=config.locale)
    _echo(render.commission_lines(outcome, name, config.currency, config.locale))
    sys.exit(outcome.exit_code)


@report.command("month")
@click.argument("workbook", required=False)
@click.option("--month", "month_text", metavar="YYYY-MM",
              help="The month to report (default: the previous calendar month).")
@click.option("--out", metavar="FILE.html", required=True,
              help="Save the report as this HTML file (it opens offline and prints well).")
@click.option("--email", "send", is_flag=True,
              help="Also e-mail it to every manager of the Staff tab, the file attached.")
@now_option
@handled
def month_report(workbook: str | None, month_text: str | None, out: str, send: bool,
                 now_text: str | None) -> None:
    """The month at a glance, as one HTML file with charts.

    Revenue and commission of the last 12 months (as 'report commissions' counts
    them), sessions held, paid-cancelled and cancelled, how full each weekday and
    hour is, each staff member's sessions and commission, renewals and closed
    clients, and the money due by age (as Balances holds it). Without --month it
    reports the month before this one. --email sends it to the managers through
    the e-mail settings of sheetsync.yaml (SMTP, or the outbox folder). Exit 0:
    done; 1: done, but the workbook has problems; 4: saved, but an e-mail could
    not be sent.
    """
    from .month_report_html import check_html_path

    config = _config()
    mailer = usecases.mailer_for(config) if send else None
    config, name, now = _inputs(workbook, now_text, config)
    month = usecases.month_to_report(month_text, now.date(), config.locale)
    path = check_html_path(out, config.locale)
    outcome = usecases.month_report(open_store(name, config), month, now, name, out=path,
                                    sender=mailer, currency=config.currency,
                                    studio_name=usecases.studio_name(config),
                                    holidays=config.holidays, progress=_progress(),
                                    locale=config.locale)
    _echo(render.month_report_lines(outcome, config.currency, config.locale))
    _echo(outcome.report.notes, err=True)
    sys.exit(outcome.exit_code)


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
    chosen, how = usecases.calendar_target(
        config, staff_id=staff_id, client_id=client_id, group_id=group_id,
        whole_studio=whole_studio, out=out, out_dir=out_dir)
    config, name, now = _inputs(workbook, now_text, config)
    found = usecases.calendars(open_store(name, config), now, name, how, chosen=chosen,
                               out=out, holidays=config.holidays, progress=_progress())
    if found.printed:
        click.echo(found.printed.decode("utf-8"), nl=False)
    _echo(render.calendar_lines(found, config.timezone, config.locale))


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
    workbook, client_id = usecases.statement_arguments(args, config.locale)
    mailer = usecases.mailer_for(config) if send else None
    config, name, now = _inputs(workbook, now_text, config)
    found = usecases.statement(
        open_store(name, config), now, name, client_id,
        templates=usecases.templates_for(config, mailer), sender=mailer,
        studio_name=usecases.studio_name(config), currency=config.currency,
        holidays=config.holidays, progress=_progress())
    if found.sent is None:
        click.echo(found.rendered.html if form == "html" else found.rendered.text,
                   nl=form == "html")
        _echo([render.held_statement_line(found.held, config.locale)] if found.held else [],
              err=True)
    elif config.email is not None:
        click.echo(render.sent_line(found.client_name, found.client_email, found.sent.subject,
                                    config.email.smtp.host if config.email.smtp else None,
                                    config.email.outbox_dir, config.locale))


@cli.command("templates")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite templates already in FOLDER.")
@handled
def templates(folder: Path, replace: bool) -> None:
    """Copy the e-mail templates into FOLDER, to edit them for your studio.

    Then set `templates_dir: FOLDER` in sheetsync.yaml; FOLDER/README.md lists the
    variables and filters a template may use.
    """
    locale = _locale_if_any()
    copied = usecases.templates(folder, replace=replace, locale=locale)
    click.echo(render.templates_line(len(copied), folder, locale))


def _locale_if_any() -> str:
    """The locale of sheetsync.yaml for a command that needs no config: English when there
    is none or it does not load (that command still works)."""
    try:
        return _config().locale
    except UserError:
        return DEFAULT


@cli.command()
@click.option("--folder", type=click.Path(file_okay=False), default=".",
              help="Where to put sheetsync-demo.xlsx (default: this folder).")
@handled
def demo(folder: str) -> None:
    """Make a demo studio workbook, sync it and say what happened.

    Running it again syncs the same demo workbook again.
    """
    from .demo import command_name

    config = _config()
    path = Path(folder) / DEMO_FILE
    found = usecases.demo(open_store(str(path), config), path, _now(config),
                          started_at=_now(config), holidays=config.holidays,
                          progress=_progress(), locale=config.locale,
                          alerting=usecases.demo_alerting(config, Path(folder)))
    _echo(render.demo_lines(found, command_name(), config.locale))
    sys.exit(found.report.exit_code)


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
    from . import watch

    config = _config()
    watch.serve(cli, click.get_current_context().obj, usecases.workbook_name(config, workbook),
                every_text, rewrite, click.echo, lambda: _now(config))


def main() -> None:
    cli(prog_name="sheetsync")
