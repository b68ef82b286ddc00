"""Plan -> the smallest batch of cell changes that makes the workbook say what the plan says.

Only cells sheetsync owns are compared and written: in Appointments the columns
it derives (never price, commission or note, never a column the studio added),
in Balances, Problems and Runs whole rows. A cell is rewritten only when its
value or its type differs (a date typed as text becomes a real date cell), so
an idempotent sync writes nothing but its Runs row. Rows are deleted only for
appointments the plan deletes and for Balances and Problems rows no longer
wanted; the Balances rows of held enrollments stay as they are. A new Balances row is
inserted beside its enrollment's earlier periods (or its client's rows): the rows below move
down with the insert, as in a spreadsheet program, and are not rewritten.

The Runs row (`RunRecord`) is added last, once (`with_run`): its reads and writes count
the sync's own write, which the store prices from the finished batch (`requests_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from operator import attrgetter

from . import cells
from .messages import FAILED, QUEUED, SENT, Outgoing, Result
from .model import Appointment, Balance, Notice, Problem
from .plan import Plan
from .problem_text import ENGLISH_WORDS, ProblemWords
from .schema import APPOINTMENTS, BALANCES, NOTIFICATIONS, PROBLEMS, RUNS, Tab
from .sheet import Columns, TabWriter, holds_nothing_known, last_used_row
from .stores.base import Cell, WorkbookChanges

APPOINTMENT_COLUMNS = (
    "appointment_id", "enrollment_id", "period", "session", "client_id", "client_name",
    "group_id", "staff_id", "date", "start", "end", "status", "planned", "commission",
    "commission_basis",
)


_appointment_values = attrgetter(*APPOINTMENT_COLUMNS)
_BALANCE_COLUMNS = BALANCES.column_names
_balance_values = attrgetter(*_BALANCE_COLUMNS)


def appointment_cells(a: Appointment) -> dict[str, Cell]:
    values = dict(zip(APPOINTMENT_COLUMNS, _appointment_values(a), strict=True))
    if not a.commission_readable:
        del values["commission"], values["commission_basis"]  # the studio's text stays
    return values


def balance_cells(b: Balance) -> dict[str, Cell]:
    return dict(zip(_BALANCE_COLUMNS, _balance_values(b), strict=True))


def problem_cells(p: Problem, words: ProblemWords = ENGLISH_WORDS) -> dict[str, Cell]:
    """A Problems row as the studio reads it: the sentence in its language, the tab and
    column as the workbook titles them (`problem_text`); English as it always was."""
    shown = words.shown(p)
    return {"tab": shown.tab, "row": shown.row, "column": shown.column, "value": shown.value,
            "problem": shown.problem}


# Cells of an appointment row the studio may edit at any time.
STUDIO_EDITABLE = ("status", "date", "start", "end", "staff_id", "price", "commission")


def write_appointments(plan: Plan, cols: Columns, changes: WorkbookChanges) -> None:
    writer = TabWriter(cols, changes)
    guarded = tuple(p for p in map(cols.position, STUDIO_EDITABLE) if p is not None)
    for a in plan.appointments:
        if a.row is not None and (
                writer.update_row(a.row, APPOINTMENT_COLUMNS, _appointment_values(a))
                if a.commission_readable else writer.update(a.row, appointment_cells(a))):
            writer.out.guards[a.row] = guarded
    for a in plan.added:
        writer.append(appointment_cells(a))
    for a in plan.deleted:
        assert a.row is not None
        writer.delete(a.row)
        writer.out.guards[a.row] = guarded


def write_balances(plan: Plan, cols: Columns, changes: WorkbookChanges) -> None:
    """Rows keyed by (enrollment, period): kept in place, updated or deleted; a new one is
    inserted beside its enrollment's or its client's rows (`new_row_above`), else appended.
    Nothing is re-sorted: rows the studio ordered its own way stay where they are."""
    writer = TabWriter(cols, changes)
    found = read_balance_rows(plan, cols)
    wanted = {(b.enrollment_id, b.period): b for b in plan.balances}
    kept = {key: row for key, row in found.existing.items() if key in wanted}
    periods: dict[str, list[tuple[int, int]]] = {}
    for (enrollment_id, period), row in sorted(kept.items()):
        periods.setdefault(enrollment_id, []).append((period, row))
    clients = last_row_of_each(found.clients, (*kept.values(), *found.held))

    def place(key: tuple[str, int], balance: Balance) -> int:
        above = new_row_above(key[1], periods.get(key[0], []), clients.get(balance.client_id))
        return writer.below_records if above is None else above  # there: appended

    writer.insert_before_each([(place(key, balance), balance_cells(balance))
                               for key, balance in wanted.items() if key not in kept])
    for key, row in found.existing.items():
        if key in wanted:
            writer.update_row(row, _BALANCE_COLUMNS, _balance_values(wanted[key]))
        else:
            writer.delete(row)
    for row in found.unreadable:
        writer.delete(row)


@dataclass(frozen=True, slots=True)
class BalanceRows:
    """Balances as read, in the read's numbering: the row of each (enrollment, period),
    the rows to delete (no readable key, or a key seen above), the rows of held enrollments
    (they stay as they are), and the client each of those rows names."""

    existing: dict[tuple[str, int], int]
    unreadable: list[int]
    held: list[int]
    clients: dict[int, str]  # row -> client_id, for rows with a readable key or held


def read_balance_rows(plan: Plan, cols: Columns) -> BalanceRows:
    existing: dict[tuple[str, int], int] = {}
    unreadable: list[int] = []
    held: list[int] = []
    clients: dict[int, str] = {}
    for offset, values in enumerate(cols.table.rows):
        row = offset + 2
        enrollment_id = cells.text(_at(values, cols, "enrollment_id"))
        if enrollment_id in plan.held:
            held.append(row)
            clients[row] = cells.text(_at(values, cols, "client_id"))
            continue
        try:
            key = (enrollment_id, cells.parse_count(_at(values, cols, "period")))
        except cells.CellError:
            key = None
        if not enrollment_id and holds_nothing_known(cols, values):
            continue  # nothing of sheetsync's there: the studio's own cells stay
        if key is None or key in existing or not enrollment_id:
            unreadable.append(row)
        else:
            existing[key] = row
            clients[row] = cells.text(_at(values, cols, "client_id"))
    return BalanceRows(existing, unreadable, held, clients)


def last_row_of_each(clients: Mapping[int, str], rows: Iterable[int]) -> dict[str, int]:
    """Client id -> the last of `rows` that names that client."""
    last: dict[str, int] = {}
    for row in sorted(rows):
        if clients.get(row):
            last[clients[row]] = row
    return last


def new_row_above(period: int, periods: list[tuple[int, int]], client_last: int | None,
                  ) -> int | None:
    """The row of the read a new Balances row of `period` goes right above, given its
    enrollment's (period, row) pairs in period order and its client's last row: below the
    row of the latest earlier period, else above that of the earliest later one, else below
    the client's last row; None when neither has a row (the new row goes at the bottom)."""
    earlier = [row for p, row in periods if p < period]
    if earlier:
        return earlier[-1] + 1
    if periods:
        return periods[0][1]
    return None if client_last is None else client_last + 1


def write_rows_in_order(cols: Columns, rows: Iterable[Mapping[str, Cell]],
                        changes: WorkbookChanges) -> None:
    """Make the tab hold exactly `rows`, top to bottom, deleting what is left below."""
    writer = TabWriter(cols, changes)
    last = last_used_row(cols)
    count = 0
    for count, values in enumerate(rows, start=1):
        row = count + 1
        if row <= last:
            writer.update(row, values)
        else:
            writer.append(values)
    for row in range(count + 2, last + 1):
        writer.delete(row)


def append_row(cols: Columns, values: Mapping[str, Cell], changes: WorkbookChanges) -> int:
    return TabWriter(cols, changes).append(values)


def _at(values: list[Cell], cols: Columns, name: str) -> Cell:
    i = cols.index.get(name)
    return values[i] if i is not None and i < len(values) else None


def write_notices(cols: Columns, notices: Mapping[str, Notice],
                  outcomes: Iterable[tuple[Outgoing | None, Result]], now: datetime,
                  changes: WorkbookChanges) -> None:
    """One row per alert key: appended the first time, its outcome updated on every retry.

    `sent_at` is filled only when an SMTP server accepted the alert; a queued one (in the
    outbox) names its file in `error`, and keeps the row's `created_at`.
    """
    writer = TabWriter(cols, changes)
    for outgoing, result in outcomes:
        notice = notices.get(result.key)
        attempts = (notice.attempts if notice else 0) + (result.status in (SENT, QUEUED, FAILED))
        values: dict[str, Cell] = {
            "status": result.status, "attempts": attempts, "sent_at": result.sent_at,
            "error": result.error[:500],
        }
        if result.subject:
            values["subject"] = result.subject
        if outgoing is not None:
            values["to"] = outgoing.to_address
        if notice is not None and notice.row is not None:
            writer.update(notice.row, values)
        elif outgoing is not None:
            writer.append({"key": outgoing.key, "created_at": now, "event": outgoing.event,
                           "enrollment_id": outgoing.context.get("enrollment_id", ""),
                           "period": outgoing.context.get("period"), "role": outgoing.role,
                           **values})


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One row of the Runs tab: what one sync did and what it cost.

    `reads` and `writes` count the store's requests of the whole sync, its own write
    included (the store tells what that write costs: `Store.requests_for`).
    """

    started_at: datetime
    now: datetime
    mode: str
    created: int
    completed: int
    deleted: int
    renewed: int
    notified: int
    problems: int
    reads: int
    writes: int
    seconds: float
    result: str

    def cells(self) -> dict[str, Cell]:
        return asdict(self)


def run_record(plan: Plan, *, started_at: datetime, notified: int, seconds: float,
               result: str) -> RunRecord:
    """The Runs row of a sync that carried out `plan`; its request counts are filled in by
    `with_run`, once the rest of the write is known."""
    return RunRecord(started_at=started_at, now=plan.now, mode="sync", created=len(plan.added),
                     completed=len(plan.completed), deleted=len(plan.deleted),
                     renewed=len(plan.renewals), notified=notified,
                     problems=len(plan.problems), reads=0, writes=0,
                     seconds=round(seconds, 2), result=result)


def _located(located: Mapping[str, Columns | None], t: Tab) -> Columns:
    cols = located[t.name]
    assert cols is not None, "a structural problem stops the sync before writing"
    return cols


def build_changes(plan: Plan, located: Mapping[str, Columns | None],
                  notices: Mapping[str, Notice] | None = None,
                  outcomes: Iterable[tuple[Outgoing | None, Result]] = (),
                  words: ProblemWords = ENGLISH_WORDS) -> WorkbookChanges:
    """Everything a sync writes but its Runs row, given the located owned tabs (by
    canonical name); the problems in `words`' language."""
    changes = WorkbookChanges()
    write_appointments(plan, _located(located, APPOINTMENTS), changes)
    write_balances(plan, _located(located, BALANCES), changes)
    write_rows_in_order(_located(located, PROBLEMS),
                        (problem_cells(p, words) for p in plan.problems), changes)
    write_notices(_located(located, NOTIFICATIONS), notices or {}, outcomes, plan.now, changes)
    return changes


def with_run_row(changes: WorkbookChanges, located: Mapping[str, Columns | None],
                 run: RunRecord) -> WorkbookChanges:
    """`changes` and the Runs row, as a new batch (`changes` is left as it was)."""
    runs = _located(located, RUNS)
    out = WorkbookChanges(dict(changes.tabs))
    assert not out.tabs.pop(runs.table.title, None), "only the Runs row goes into Runs"
    append_row(runs, run.cells(), out)
    return out


def with_run(changes: WorkbookChanges, located: Mapping[str, Columns | None], run: RunRecord,
             cost: Callable[[WorkbookChanges], tuple[int, int]], reads: int,
             writes: int) -> WorkbookChanges:
    """`changes` and the Runs row, whose counts add what writing this very batch costs
    (`cost`, the store's `requests_for`) to the `reads` and `writes` made so far."""
    own_reads, own_writes = cost(with_run_row(changes, located, run))
    counted = replace(run, reads=reads + own_reads, writes=writes + own_writes)
    return with_run_row(changes, located, counted)
