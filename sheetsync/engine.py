"""One sync or check, start to end: read -> validate -> plan -> apply -> report.

The only place that strings the steps together. It talks to a store, never to
the terminal: progress goes through the `progress` callback the CLI passes.
A workbook with a structural problem (a missing tab or column) is reported on
and never written.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .apply import append_row, build_changes, problem_cells, write_rows_in_order
from .errors import WorkbookBusy
from .model import Problem, Snapshot
from .plan import Plan, plan
from .read import Columns, locate, read_snapshot
from .schema import OWNED_TABS, PROBLEMS, RUNS
from .stores.base import Store, Table, WorkbookChanges

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    return None


@dataclass(slots=True)
class SyncReport:
    plan: Plan
    changes: WorkbookChanges
    snapshot: Snapshot
    dry_run: bool
    wrote: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems

    @property
    def structural(self) -> bool:
        return self.snapshot.structural

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def read_and_plan(store: Store, now: datetime,
                  progress: Progress = _quiet) -> tuple[dict[str, Table], Snapshot, Plan]:
    progress(f"Reading {store.label} ...")
    tables = store.read()
    snapshot = read_snapshot(tables)
    rows = sum(len(t.rows) for t in tables.values())
    progress(f"Read {len(tables)} tabs, {rows:,} rows; planning ...")
    return tables, snapshot, plan(snapshot, now)


def located_owned(tables: dict[str, Table]) -> dict[str, Columns | None]:
    return {tab.name: locate(tables, tab)[0] for tab in OWNED_TABS}


def sync(store: Store, now: datetime, *, started_at: datetime, dry_run: bool = False,
         progress: Progress = _quiet,
         clock: Callable[[], float] = _time.monotonic) -> SyncReport:
    """Bring the workbook up to date at `now` (naive studio time)."""
    began = clock()
    tables, snapshot, result = read_and_plan(store, now, progress)
    report = SyncReport(result, WorkbookChanges(), snapshot, dry_run)
    if snapshot.structural:
        report.notes.append("The workbook is missing tabs or columns, so nothing was written; "
                            "run 'sheetsync init' on it to add them.")
        report.seconds = clock() - began
        return report
    run = None if dry_run else {
        "started_at": started_at, "now": now, "mode": "sync",
        "created": len(result.added), "completed": len(result.completed),
        "deleted": len(result.deleted), "renewed": len(result.renewals), "notified": 0,
        "problems": len(result.problems), "reads": store.reads, "writes": store.writes + 1,
        "seconds": round(clock() - began, 2),
        "result": "problems" if result.problems else "ok",
    }
    located = located_owned(tables)
    report.changes = build_changes(result, located, run)
    if run is not None:
        _count_own_requests(store, report.changes, run, located)
    if not dry_run:
        progress(f"Writing {report.changes.cells_written:,} cells ...")
        store.write(report.changes)
        report.wrote = True
    report.seconds = clock() - began
    return report


def _count_own_requests(store: Store, changes: WorkbookChanges, run: dict[str, object],
                        located: dict[str, Columns | None]) -> None:
    """The Runs row counts the requests of its own write too, when the store can tell them."""
    requests_for = getattr(store, "requests_for", None)
    runs = located[RUNS.name]
    if requests_for is None or runs is None:
        return
    reads, writes = requests_for(changes)
    run.update(reads=store.reads + reads, writes=store.writes + writes)
    del changes.tabs[runs.table.title]
    append_row(runs, run, changes)


@dataclass(slots=True)
class CheckReport:
    problems: list[Problem]
    wrote: bool
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def check(store: Store, now: datetime, progress: Progress = _quiet) -> CheckReport:
    """Find every problem and rewrite the Problems tab with them (when it can)."""
    tables, snapshot, result = read_and_plan(store, now, progress)
    report = CheckReport(result.problems, wrote=False)
    cols = locate(tables, PROBLEMS)[0]
    if snapshot.structural or cols is None:
        return report
    changes = WorkbookChanges()
    write_rows_in_order(cols, (problem_cells(p) for p in result.problems), changes)
    if changes:
        try:
            store.write(changes)
            report.wrote = True
        except WorkbookBusy as busy:
            report.notes.append(f"The Problems tab was not updated: {busy}")
    return report
