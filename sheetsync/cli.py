"""The `sheetsync` command: parse, call the engine, print, exit. The only place that prints.

Exit codes: 0 done, 1 done but problems were found, 2 bad usage or configuration
(one clear sentence, no traceback), 3 sheetsync itself failed (`--verbose`
shows the traceback).
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__, engine
from .config import Config, load_config
from .demo import demo_layout
from .errors import UserError
from .model import Appointment, Balance, Closure, Problem
from .notify import FAILED, SENT, SKIPPED, Mailer
from .plan import Plan
from .schema import ALL_TABS, STUDIO_TABS, find_tab
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
        except Exception as err:
            if click.get_current_context().obj.get("verbose"):
                traceback.print_exc()
            click.echo(f"sheetsync failed unexpectedly: {type(err).__name__}: {err}\n"
                       "Run again with --verbose for details.", err=True)
            sys.exit(3)

    return wrapper  # type: ignore[return-value]


def _config() -> Config:
    return load_config(click.get_current_context().obj["config_path"])


def _progress() -> Callable[[str], None]:
    if click.get_current_context().obj.get("quiet"):
        return lambda message: None
    return lambda message: click.echo(message, err=True)


def open_store(workbook: str, config: Config) -> Store:
    """The workbook's store; what it warns about (a key file others can read) goes to stderr."""
    store = _open_store(workbook, config)
    for warning in getattr(store, "warnings", ()):
        click.echo(f"Warning: {warning}", err=True)
    return store


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


# -- init ------------------------------------------------------------------------------------
@cli.command()
@click.argument("workbook")
@click.option("--demo", is_flag=True, help="Fill the studio tabs with a small demo studio.")
@handled
def init(workbook: str, demo: bool) -> None:
    """Create every tab with its headers, or add the tabs and columns a workbook lacks.

    Safe on an existing workbook: data already there is never touched.
    """
    config = _config()
    store = open_store(workbook, config)
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
@cli.command()
@click.argument("workbook", required=False)
@now_option
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@handled
def sync(workbook: str | None, now_text: str | None, dry_run: bool) -> None:
    """Plan, complete, renew and account: bring the workbook up to date.

    Run it every 15 minutes from cron. Exit 1 means it ran but found problems
    (see the Problems tab or run 'sheetsync check').
    """
    config = _config()
    name = _workbook(config, workbook)
    now = _now(config, now_text)
    alerting = _alerting(config)
    report = engine.sync(open_store(name, config), now, dry_run=dry_run,
                         started_at=_now(config, None), progress=_progress(),
                         holidays=config.holidays, alerting=alerting)
    _print_sync(report, name, config, alerting)
    sys.exit(report.exit_code)


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
        _print_alerts(report, alerting)
    for note in report.notes:
        click.echo(note)
    _print_problems_summary(report.problems)


def _print_alerts(report: engine.SyncReport, alerting: engine.Alerting) -> None:
    if report.dry_run:
        click.echo(f"  {len(report.alerts):4} alert(s) would be sent")
        for message in report.alerts:
            click.echo(f"    {alerting.sender.preview(message)}")
        return
    counts = Counter(r.status for r in report.outcomes)
    click.echo(f"  {counts[SENT]:4} alert(s) sent" + "".join(
        f", {counts[status]} {status}" for status in (FAILED, SKIPPED) if counts[status]))
    for result in report.outcomes:
        if result.status == FAILED:
            click.echo(f"    not sent yet, retried at the next sync: {result.key}: "
                       f"{result.error}")


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
@handled
def commissions(workbook: str | None, month_text: str | None, out: str | None,
                now_text: str | None) -> None:
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
    store = open_store(name, config)
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


# -- demo ------------------------------------------------------------------------------------
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
    click.echo(f"Open {path} and look at the Appointments and Balances tabs, or run:\n"
               f"  sheetsync balance {path}\n"
               f"  sheetsync sync {path} --dry-run --now {today.isoformat()}T23:00")


def main() -> None:
    cli(prog_name="sheetsync")
