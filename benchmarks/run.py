"""Measure sheetsync on generated studios: time, memory, requests and cells per sync.

    python benchmarks/run.py --size S --backend xlsx
    python benchmarks/run.py --size all --backend all        # what BENCHMARKS.md shows

Every measurement runs in a subprocess of its own, so its peak memory (RSS) is
its own and sizes never contaminate each other. Each is timed twice: wall seconds
and CPU seconds of the measuring process (getrusage, user + system), the figure
that stays meaningful on a busy machine. For each size and backend:

- plan: reading the workbook, read_snapshot and plan, timed apart;
- single (memory, xlsx): one sync alone in a fresh process, for its own peak memory:
  the no-op sync of the generated studio, and the sync after the studio marked one
  upcoming session cancelled (the cancellation typed in by an earlier process);
- sync: the three syncs in one process (peak memory of them together): a first sync
  of the generated studio, an idempotent re-sync, and a sync after the studio marks
  one upcoming session cancelled: seconds, cells
  written and API requests (reads + writes of the store; for google, the local
  Sheets API's own statistics, with the largest request body and reply of each sync,
  as served and gzipped on the wire; the local API enforces Google's 10-million-cell
  cap, and a studio whose grid is over it is reported as not fitting, not run);
- floor (xlsx): the least any sync must do, in the same kind of process: (a) read
  every tab with python-calamine (to_python), which a no-op sync is compared with;
  (b) that read plus rewriting only the sheets a status change changes (their XML
  inflated and deflated back at the patcher's level into a copy of the zip, every
  other part copied raw), which a status-change sync is compared with; and
  openpyxl's load + save (S and M, unless --quick);
- report: `report commissions` for the last full month (unless --no-report);
- compare (once per run, size S): the straightforward gspread approach of the
  tutorials (one read per tab, one update per changed cell) against one batched
  read and one batched write, for the same cells, on the local Sheets API with
  Google's quota (60 reads and 60 writes per minute) switched on.

Output: a table on stdout and a JSON file (--json). No number is asserted here;
the CI smoke test only checks that the harness runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import NOW, SEED, SIZES, Studio, generate, write_xlsx

HERE = Path(__file__).resolve().parent
BACKENDS = ("memory", "xlsx", "google")
ORDER = list(SIZES)


# -- helpers run inside the children ---------------------------------------------------------
def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time this process has used so far, user + system (every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Stopwatch:
    """Wall and CPU seconds since it was made (or last read with `lap`)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), cpu_seconds()
        spent = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return spent


def studio_paths(work: Path, size: str, seed: int) -> tuple[Path, Path]:
    return work / f"studio-{size}-{seed}.pkl", work / f"studio-{size}-{seed}.xlsx"


def load_studio(work: Path, size: str, seed: int) -> Studio:
    with studio_paths(work, size, seed)[0].open("rb") as handle:
        studio: Studio = pickle.load(handle)
    return studio


def open_backend(backend: str, work: Path, size: str, seed: int, copy: str) -> Any:
    """A store on a fresh copy of the generated studio."""
    if backend == "memory":
        from sheetsync.stores.memory import MemoryStore

        return MemoryStore(load_studio(work, size, seed).tables())
    if backend == "xlsx":
        from sheetsync.stores.xlsx import XlsxStore

        target = work / f"{copy}-{size}.xlsx"
        shutil.copyfile(studio_paths(work, size, seed)[1], target)
        return XlsxStore(target)
    raise ValueError(backend)


def task_generate(args: argparse.Namespace) -> dict[str, Any]:
    pkl, xlsx = studio_paths(args.work, args.size, args.seed)
    began = time.perf_counter()
    studio = generate(args.size, args.seed)
    generated = time.perf_counter() - began
    with pkl.open("wb") as handle:
        pickle.dump(studio, handle, protocol=pickle.HIGHEST_PROTOCOL)
    began = time.perf_counter()
    write_xlsx(studio, xlsx)
    written = time.perf_counter() - began
    cells = sum(frame.shape[0] * len(_columns(name)) for name, frame in studio.tabs.items())
    result = {"generate_s": generated, "write_xlsx_s": written,
              "appointment_rows": studio.appointment_rows, "cells": cells,
              "rows": {name: len(frame) for name, frame in studio.tabs.items()},
              "xlsx_mib": xlsx.stat().st_size / 2**20, "peak_rss_mib": peak_rss_mib()}
    generated_path(args.work, args.size, args.seed).write_text(json.dumps(result))
    return result


def generated_path(work: Path, size: str, seed: int) -> Path:
    """What task_generate measured, kept beside the studio for --reuse."""
    return work / f"studio-{size}-{seed}.json"


def generated_before(work: Path, size: str, seed: int) -> dict[str, Any] | None:
    """The generation figures of a studio an earlier run left in `work`, if it is whole."""
    kept = generated_path(work, size, seed)
    if not kept.exists() or not all(p.exists() for p in studio_paths(work, size, seed)):
        return None
    result: dict[str, Any] = json.loads(kept.read_text())
    result["reused"] = True
    return result


def _columns(name: str) -> tuple[str, ...]:
    from sheetsync.schema import TABS_BY_NAME

    return TABS_BY_NAME[name].column_names


def task_plan(args: argparse.Namespace) -> dict[str, Any]:
    from sheetsync.plan import plan
    from sheetsync.read import read_snapshot

    store = open_backend(args.backend, args.work, args.size, args.seed, "plan")
    _import_the_reader()
    watch = Stopwatch()
    tables = store.read()
    read_s, read_cpu = watch.lap()
    snapshot = read_snapshot(tables)
    snapshot_s, snapshot_cpu = watch.lap()
    result = plan(snapshot, NOW)
    plan_s, plan_cpu = watch.lap()
    return {"read_s": read_s, "snapshot_s": snapshot_s, "plan_s": plan_s,
            "read_cpu_s": read_cpu, "snapshot_cpu_s": snapshot_cpu, "plan_cpu_s": plan_cpu,
            "snapshot_and_plan_s": snapshot_s + plan_s,
            "snapshot_and_plan_cpu_s": snapshot_cpu + plan_cpu,
            "appointments": len(result.appointments), "problems": len(result.problems),
            "peak_rss_mib": peak_rss_mib()}


def upcoming_session(store: Any) -> tuple[str, int, int]:
    """(tab title, row, status column) of the first pending session after NOW."""
    from sheetsync.cells import parse_date
    from sheetsync.read import locate
    from sheetsync.schema import APPOINTMENTS

    cols, _ = locate(store.read(), APPOINTMENTS)
    assert cols is not None
    status = cols.index["status"]
    day = cols.index["date"]
    for offset, values in enumerate(cols.table.rows):
        if values[status] == "pending" and parse_date(values[day]) > NOW.date():
            return cols.table.title, offset + 2, status + 1
    raise RuntimeError("no upcoming session to cancel")


def task_sync(args: argparse.Namespace) -> dict[str, Any]:
    from sheetsync import engine
    from sheetsync.stores.base import TabChanges, WorkbookChanges

    store = open_backend(args.backend, args.work, args.size, args.seed, "sync")
    out: dict[str, Any] = {}

    def one(label: str, now: datetime) -> None:
        reads, writes = store.reads, store.writes
        watch = Stopwatch()
        report = engine.sync(store, now, started_at=now)
        seconds, cpu = watch.lap()
        plan = report.plan
        out[label] = {
            "seconds": seconds, "cpu_s": cpu,
            "cells_written": report.changes.cells_written,
            "rows_deleted": sum(len(t.deletes) for t in report.changes.tabs.values()),
            "requests": (store.reads - reads) + (store.writes - writes),
            "added": len(plan.added), "changed": len(plan.changed),
            "deleted": len(plan.deleted), "renewed": len(plan.renewals),
            "cells_by_tab": {t: c.cells_written for t, c in report.changes.tabs.items() if c},
        }
        if hasattr(store, "wrote_with"):
            out[label]["read_with"] = store.read_with
            out[label]["wrote_with"] = store.wrote_with

    one("first", NOW)
    one("again", NOW)
    title, row, column = upcoming_session(store)
    if args.backend == "memory":
        store.write(WorkbookChanges({title: TabChanges(updates={(row, column): "cancelled"})}))
    else:  # the studio types it in: another program edits the file
        studio = type(store)(store.path)
        studio.read()
        studio.write(WorkbookChanges({title: TabChanges(updates={(row, column): "cancelled"})}))
    one("status_change", NOW + timedelta(minutes=15))
    out["peak_rss_mib"] = peak_rss_mib()
    return out


# The sheets a one-status-change sync rewrites: the make-up row, the balance, the Runs row.
CHANGED_BY_A_STATUS = ("Appointments", "Balances", "Runs")


def task_floor(args: argparse.Namespace) -> dict[str, Any]:
    """The least a sync must do on this workbook, in this run, measured like a sync."""
    import openpyxl

    source = studio_paths(args.work, args.size, args.seed)[1]
    _import_the_reader()
    watch = Stopwatch()
    sheets = read_every_tab(source)
    read_s, read_cpu = watch.lap()
    rewritten = rewrite_sheets(source, args.work / f"floor-{args.size}.xlsx",
                               CHANGED_BY_A_STATUS)
    rewrite_s, rewrite_cpu = watch.lap()
    result: dict[str, Any] = {
        "calamine_read_s": read_s, "calamine_read_cpu_s": read_cpu,
        "rewrite_s": rewrite_s, "rewrite_cpu_s": rewrite_cpu,
        "read_and_rewrite_s": read_s + rewrite_s,
        "read_and_rewrite_cpu_s": read_cpu + rewrite_cpu,
        "rewritten": rewritten, "rows_read": sum(len(rows) for rows in sheets.values()),
        "peak_rss_mib": peak_rss_mib()}
    del sheets
    if args.size in ("S", "M") and not args.quick:
        watch.lap()
        wb = openpyxl.load_workbook(source)
        result["openpyxl_load_s"], result["openpyxl_load_cpu_s"] = watch.lap()
        wb.save(args.work / f"openpyxl-{args.size}.xlsx")
        result["openpyxl_save_s"], result["openpyxl_save_cpu_s"] = watch.lap()
    return result


def read_every_tab(path: Path) -> dict[str, list[list[Any]]]:
    """Every tab's cells as Python values, the fastest way there is (python-calamine)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names}


def rewrite_sheets(source: Path, target: Path, titles: tuple[str, ...]) -> dict[str, int]:
    """Copy the workbook with the worksheets `titles` inflated and deflated back at the
    patcher's level (the least a write of them costs), every other part copied raw.
    Returns each rewritten part's uncompressed size."""
    import zipfile

    from sheetsync.stores.xlsxpatch import WORKBOOK, WORKBOOK_RELS, copy_zip, sheet_parts

    with source.open("rb") as handle, zipfile.ZipFile(handle) as zin:
        parts = sheet_parts(zin.read(WORKBOOK), zin.read(WORKBOOK_RELS))
        replaced: dict[str, Any] = {parts[t]: zin.read(parts[t]) for t in titles}
        with target.open("wb") as out:
            copy_zip(zin, handle, out, replaced, set())
    return {name: len(data) for name, data in replaced.items()}


def _import_the_reader() -> None:
    """Load what a read imports on first use, so no measurement pays for an import."""
    import python_calamine  # noqa: F401


def task_prepare_change(args: argparse.Namespace) -> dict[str, Any]:
    """A copy of the generated workbook where the studio typed one upcoming session
    cancelled, as another program would: the input of the single status-change sync."""
    from sheetsync.stores.base import TabChanges, WorkbookChanges
    from sheetsync.stores.xlsx import XlsxStore

    target = changed_path(args.work, args.size, args.seed)
    shutil.copyfile(studio_paths(args.work, args.size, args.seed)[1], target)
    store = XlsxStore(target)
    title, row, column = upcoming_session(store)
    store.write(WorkbookChanges({title: TabChanges(updates={(row, column): "cancelled"})}))
    return {"cancelled": f"{title}!R{row}C{column}", "peak_rss_mib": peak_rss_mib()}


def changed_path(work: Path, size: str, seed: int) -> Path:
    return work / f"studio-{size}-{seed}-one-cancelled.xlsx"


def task_single(args: argparse.Namespace) -> dict[str, Any]:
    """One sync alone in this process: its own time and its own peak memory.

    `--which noop`: the generated studio at NOW (it changes nothing but the Runs row);
    `--which change`: fifteen minutes later, after the studio cancelled one upcoming
    session (xlsx: the workbook task_prepare_change left; memory: set before measuring)."""
    store, now = single_store(args)
    _import_the_reader()
    steps = time_the_steps(store)
    rss_before = peak_rss_mib()
    watch = Stopwatch()
    report = engine_sync(store, now)
    seconds, cpu = watch.lap()
    return {"seconds": seconds, "cpu_s": cpu, "steps_cpu_s": steps,
            "cells_written": report.changes.cells_written,
            "cells_by_tab": {t: c.cells_written for t, c in report.changes.tabs.items() if c},
            "changed": len(report.plan.changed), "added": len(report.plan.added),
            "peak_rss_before_mib": rss_before, "peak_rss_mib": peak_rss_mib()}


def time_the_steps(store: Any) -> dict[str, float]:
    """CPU seconds of each step of the next sync, filled in as it runs: the store's read
    and write and the engine's read_snapshot, plan and build_changes, each wrapped in a
    timer (five calls, nothing measurable added)."""
    from sheetsync import engine

    spent: dict[str, float] = {}

    def timed(name: str, step: Any) -> Any:
        def run(*a: Any, **k: Any) -> Any:
            began = cpu_seconds()
            try:
                return step(*a, **k)
            finally:
                spent[name] = spent.get(name, 0.0) + cpu_seconds() - began
        return run

    store.read = timed("store read", store.read)
    store.write = timed("store write", store.write)
    for name in ("read_snapshot", "plan", "build_changes"):
        setattr(engine, name, timed(name, getattr(engine, name)))
    return spent


def engine_sync(store: Any, now: datetime) -> Any:
    from sheetsync import engine

    return engine.sync(store, now, started_at=now)


# The steps of a sync a profile reports, by (file, function): read -> plan -> write.
STEPS = {"store read": ("xlsx.py", "read"), "read_snapshot": ("read.py", "read_snapshot"),
         "plan": ("plan.py", "plan"), "build_changes": ("apply.py", "build_changes"),
         "store write": ("engine.py", "write_changes")}


def task_profile(args: argparse.Namespace) -> dict[str, Any]:
    """The single sync under cProfile: each step's share and the functions that cost most.
    cProfile slows Python calls down, so its seconds are for proportions only."""
    import cProfile
    import pstats

    store, now = single_store(args)
    _import_the_reader()
    profiler = cProfile.Profile(time.process_time)  # CPU seconds: the machine is shared
    profiler.runcall(engine_sync, store, now)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in stats.values())
    steps = {name: round(next((cum for (path, _, fn), (_, _, _, cum, _) in stats.items()
                               if path.endswith(f"/{file}") and fn == function), 0.0), 3)
             for name, (file, function) in STEPS.items()}
    top = sorted(stats.items(), key=lambda item: -item[1][2])[:15]
    return {"profiled_s": round(total, 3), "steps_s": steps,
            "top_own_time": [{"function": f"{Path(path).name}:{line} {fn}", "calls": calls,
                              "own_s": round(own, 3), "cumulative_s": round(cum, 3)}
                             for (path, line, fn), (_, calls, own, cum, _) in top]}


def single_store(args: argparse.Namespace) -> tuple[Any, datetime]:
    """The store and the time of one single sync (see task_single)."""
    from sheetsync.stores.xlsx import XlsxStore

    now = NOW
    if args.which == "change":
        now = NOW + timedelta(minutes=15)
    if args.backend == "xlsx":
        source = (changed_path(args.work, args.size, args.seed) if args.which == "change"
                  else studio_paths(args.work, args.size, args.seed)[1])
        target = args.work / f"single-{args.which}-{args.size}.xlsx"
        shutil.copyfile(source, target)
        store: Any = XlsxStore(target)
    else:
        store = open_backend(args.backend, args.work, args.size, args.seed, "single")
        if args.which == "change":
            title, row, _ = upcoming_session(store)
            store.set(title, row, "status", "cancelled")
    return store, now


def task_openpyxl_sync(args: argparse.Namespace) -> dict[str, Any]:
    """The same first sync through the openpyxl path, for comparison (S and M)."""
    from sheetsync import engine
    from sheetsync.stores.xlsx import XlsxStore

    target = args.work / f"openpyxl-sync-{args.size}.xlsx"
    shutil.copyfile(studio_paths(args.work, args.size, args.seed)[1], target)
    store = XlsxStore(target, fast=False)
    began = time.perf_counter()
    engine.sync(store, NOW, started_at=NOW)
    return {"seconds": time.perf_counter() - began, "peak_rss_mib": peak_rss_mib()}


def task_report(args: argparse.Namespace) -> dict[str, Any]:
    try:
        from sheetsync.month import Month  # type: ignore[import-not-found]
        from sheetsync.report import commission_report  # type: ignore[import-not-found]
    except ImportError:
        return {"skipped": "pending the commission report (branch report)"}
    from sheetsync.read import read_snapshot

    store = open_backend(args.backend, args.work, args.size, args.seed, "report")
    began = time.perf_counter()
    snapshot = read_snapshot(store.read())
    read_s = time.perf_counter() - began
    began = time.perf_counter()
    report = commission_report(snapshot, Month.before(NOW.date()), NOW)
    return {"read_s": read_s, "report_s": time.perf_counter() - began,
            "rows": len(report.tab_rows()), "peak_rss_mib": peak_rss_mib()}


def task_google(args: argparse.Namespace) -> dict[str, Any]:
    try:
        from sheetsync.stores.gsheets import GoogleStore  # type: ignore[import-not-found]
    except ImportError:
        return {"skipped": "pending the Google store (branch google)"}
    return google_sync(args, GoogleStore)


def google_sync(args: argparse.Namespace, store_class: Any) -> dict[str, Any]:
    """The sync scenario on the local Sheets API, requests counted by the server itself."""
    from localsheets import LocalSheets
    from localsheets.limits import GOOGLE_CELL_LIMIT
    from sheetsync import engine
    from sheetsync.stores.base import TabChanges, WorkbookChanges
    from sheetsync.stores.gsheets_access import service_account  # type: ignore[import-not-found]

    studio = load_studio(args.work, args.size, args.seed)
    grid = studio_grid(studio)
    cells = sum(rows * columns for rows, columns in grid.values())
    out: dict[str, Any] = {"grid_cells": cells, "cell_limit": GOOGLE_CELL_LIMIT}
    if cells > GOOGLE_CELL_LIMIT:
        out["skipped"] = (f"does not fit: {cells / 1e6:.1f} M cells, over Google's "
                          f"{GOOGLE_CELL_LIMIT / 1e6:.0f} M")
        return out
    with LocalSheets(quota_per_minute=None) as server:
        sheet_id = load_into_sheets(server, studio)
        account = service_account(server.service_account_info())
        store = store_class(sheet_id, account, endpoint=server.base_url)
        server.set_quota(60)

        def one(label: str, now: datetime) -> None:
            server.reset_stats()
            began = time.perf_counter()
            report = engine.sync(store, now, started_at=now)
            stats = server.stats()
            traffic = server.traffic()
            out[label] = {"seconds": time.perf_counter() - began,
                          "cells_written": report.changes.cells_written,
                          "requests": stats["total"], "by_request": stats["requests"],
                          "api_cells_written": stats["cells_written"],
                          "largest_request_body": max(
                              t["largest_request"] for t in traffic.values()),
                          "largest_reply": max(t["largest_reply"] for t in traffic.values()),
                          "largest_reply_on_wire": max(
                              t["largest_reply_on_wire"] for t in traffic.values()),
                          "bytes": traffic}

        one("first", NOW)
        one("again", NOW)
        title, row, column = upcoming_session(store)
        store.write(WorkbookChanges({title: TabChanges(updates={(row, column): "cancelled"})}))
        one("status_change", NOW + timedelta(minutes=15))
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def studio_grid(studio: Studio) -> dict[str, tuple[int, int]]:
    """Each tab's (rowCount, columnCount) as `init` and sheetsync's growth leave them: as
    wide as its columns, its rows plus the slack of the last growth (1,000 at least)."""
    from sheetsync.stores.gsheets_wire import GROWTH_SLACK, NEW_TAB_ROWS

    return {title: (max(NEW_TAB_ROWS, len(t.rows) + 1 + GROWTH_SLACK), len(t.header))
            for title, t in studio.tables().items()}


def load_into_sheets(server: Any, studio: Studio) -> str:
    """Create the studio's spreadsheet on the local server, outside of any statistics."""
    import gspread  # noqa: F401 - the client below needs it

    from localsheets import gspread_client

    tables = studio.tables()
    sheet_id = server.create_spreadsheet("Studio", [
        {"properties": {"title": title, "gridProperties": {"rowCount": rows,
                                                           "columnCount": columns}}}
        for title, (rows, columns) in studio_grid(studio).items()])
    client = gspread_client(server.base_url, server.service_account_info())
    book = client.open_by_key(sheet_id)
    book.values_batch_update({"valueInputOption": "RAW", "data": [
        {"range": f"'{title}'!A1", "values": [_json_row(t.header)] + [_json_row(r)
                                                                       for r in t.rows]}
        for title, t in tables.items()]})
    server.reset_stats()
    return sheet_id


def _json_row(values: list[Any]) -> list[Any]:
    from datetime import date
    from datetime import time as clock

    from sheetsync.cells import to_serial
    from sheetsync.stores.layout import plain_value

    row: list[Any] = []
    for v in map(plain_value, values):
        if isinstance(v, date | clock):
            row.append(to_serial(v))
        elif v is None:
            row.append("")
        else:
            row.append(v)
    return row


def task_compare(args: argparse.Namespace) -> dict[str, Any]:
    """The tutorials' gspread code against two batched requests, same cells, quota on."""
    import gspread

    from localsheets import LocalSheets, gspread_client
    from sheetsync import engine
    from sheetsync.stores.memory import MemoryStore

    studio = load_studio(args.work, args.size, args.seed)
    workloads: dict[str, Any] = {}
    # What sheetsync writes for two everyday syncs: after one cancellation, and a week on.
    memory = MemoryStore(studio.tables())
    engine.sync(memory, NOW, started_at=NOW)
    title, row, _ = upcoming_session(memory)
    memory.set(title, row, "status", "cancelled")
    workloads["status_change"] = engine.sync(memory, NOW + timedelta(minutes=15),
                                             started_at=NOW).changes
    workloads["a_week_later"] = engine.sync(memory, NOW + timedelta(days=7),
                                            started_at=NOW).changes
    result: dict[str, Any] = {}
    offset = [0.0]  # seconds the quota made a client wait, simulated rather than slept

    def clock() -> float:
        return time.monotonic() + offset[0]

    for name, changes in workloads.items():
        cells = [(t, r, c, v) for t, tab in changes.tabs.items()
                 for (r, c), v in sorted(tab.updates.items())]
        deletes = [(t, r) for t, tab in changes.tabs.items() for r in sorted(tab.deletes,
                                                                              reverse=True)]
        result[name] = {"cells": len(cells), "row_deletions": len(deletes)}
        for approach in ("straightforward", "batched"):
            with LocalSheets(quota_per_minute=None, clock=clock) as server:
                sheet_id = load_into_sheets(server, studio)
                client = gspread_client(server.base_url, server.service_account_info())
                server.set_quota(60)
                server.reset_stats()
                waited = [0.0]
                hits = [0]

                def call(fn: Any, *a: Any, waited: list[float] = waited,
                         hits: list[int] = hits, **k: Any) -> Any:
                    while True:
                        try:
                            return fn(*a, **k)
                        except gspread.exceptions.APIError as err:
                            if err.code != 429:
                                raise
                            hits[0] += 1
                            waited[0] += 10.0  # back off ten seconds, as tutorials advise
                            offset[0] += 10.0

                began = time.perf_counter()
                if approach == "straightforward":
                    book = call(client.open_by_key, sheet_id)
                    sheets = {ws.title: ws for ws in call(book.worksheets)}
                    for ws in sheets.values():
                        call(ws.get_all_values)
                    for t, r, c, v in cells:
                        call(sheets[t].update_cell, r, c, _json_row([v])[0])
                    for t, r in deletes:
                        call(sheets[t].delete_rows, r)
                else:  # what the Google store does: metadata, one read, one or two writes
                    http = client.http_client
                    meta = call(http.fetch_sheet_metadata, sheet_id)
                    ids = {s["properties"]["title"]: s["properties"]["sheetId"]
                           for s in meta["sheets"]}
                    call(http.values_batch_get, sheet_id, [f"'{t}'" for t in ids])
                    call(http.values_batch_update, sheet_id, {"valueInputOption": "RAW",
                                                              "data": [
                        {"range": f"'{t}'!{gspread.utils.rowcol_to_a1(r, c)}",
                         "values": [_json_row([v])]} for t, r, c, v in cells]})
                    if deletes:
                        call(http.batch_update, sheet_id, {"requests": [
                            {"deleteDimension": {"range": {
                                "sheetId": ids[t], "dimension": "ROWS", "startIndex": r - 1,
                                "endIndex": r}}} for t, r in deletes]})
                seconds = time.perf_counter() - began
                stats = server.stats()
                result[name][approach] = {
                    "requests": stats["total"] - hits[0], "429s": hits[0],
                    "seconds_working": seconds, "seconds_waiting_for_quota": waited[0],
                    "wall_s": seconds + waited[0]}
        straight, batched = result[name]["straightforward"], result[name]["batched"]
        result[name]["ratio_requests"] = straight["requests"] / max(batched["requests"], 1)
        result[name]["ratio_wall"] = straight["wall_s"] / max(batched["wall_s"], 1e-9)
    result["peak_rss_mib"] = peak_rss_mib()
    return result


TASKS = {"generate": task_generate, "plan": task_plan, "sync": task_sync,
         "single": task_single, "prepare_change": task_prepare_change, "floor": task_floor,
         "profile": task_profile,
         "openpyxl_sync": task_openpyxl_sync, "report": task_report,
         "google": task_google, "compare": task_compare}


# -- the parent: run every measurement in a child, then report -------------------------------
def child(task: str, args: argparse.Namespace, timeout: float,
          which: str = "noop") -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", task,
               *(["--quick"] if args.quick else []), "--which", which,
               "--size", args.size_one, "--backend", args.backend_one,
               "--seed", str(args.seed), "--work", str(args.work)]
    began = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-6:]
        return {"error": " | ".join(tail)}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["child_wall_s"] = time.perf_counter() - began
    return result


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = 0.0
    try:
        with open("/proc/meminfo") as handle:
            memory = int(handle.readline().split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    import pandas
    import python_calamine

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory, 1),
            "python": platform.python_version(), "system": platform.platform(),
            "pandas": pandas.__version__,
            "python_calamine": getattr(python_calamine, "__version__", "?")}


def exponent(points: list[tuple[float, float]]) -> float | None:
    """The slope of log(time) against log(rows): 1 is linear, 2 quadratic."""
    points = [(x, y) for x, y in points if x > 0 and y > 0]
    if len(points) < 2:
        return None
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread


def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = ORDER if args.size == "all" else [args.size]
    backends = list(BACKENDS) if args.backend == "all" else args.backend.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "seed": args.seed, "now": NOW.isoformat(),
                               "command": " ".join(["python", "benchmarks/run.py",
                                                    *sys.argv[1:]]),
                               "sizes": {}}
    for size in sizes:
        args.size_one, args.backend_one = size, "memory"
        kept = generated_before(args.work, size, args.seed) if args.reuse else None
        entry: dict[str, Any] = {"generate": kept or child("generate", args, args.timeout)}
        say(f"{size}: generated {entry['generate'].get('appointment_rows', '?')} rows")
        for backend in backends:
            args.backend_one = backend
            measured: dict[str, Any] = {}
            if backend == "google":
                measured["sync"] = child("google", args, args.timeout)
            else:
                measured["plan"] = child("plan", args, args.timeout)
                if backend == "xlsx":
                    measured["prepare_change"] = child("prepare_change", args, args.timeout)
                measured["single"] = {which: child("single", args, args.timeout, which)
                                      for which in ("noop", "change")}
                measured["sync"] = child("sync", args, args.timeout)
                if backend == "xlsx" and size in args.profile.split(","):
                    measured["profile"] = {which: child("profile", args, args.timeout, which)
                                           for which in ("noop", "change")}
                if not args.no_report:
                    measured["report"] = child("report", args, args.timeout)
                if backend == "xlsx":
                    measured["floor"] = child("floor", args, args.timeout)
                    if size in ("S", "M") and not args.quick:
                        measured["openpyxl_sync"] = child("openpyxl_sync", args, args.timeout)
            entry[backend] = measured
            say(f"{size} {backend}: done")
        results["sizes"][size] = entry
    if not args.no_compare:
        args.size_one, args.backend_one = "S", "memory"
        if "S" not in sizes:
            child("generate", args, args.timeout)
        results["compare"] = child("compare", args, args.timeout)
    results["scaling"] = scaling(results)
    results["google_fit"] = google_fit(results)
    return results


def google_fit(results: dict[str, Any]) -> dict[str, Any]:
    """The largest generated studio within Google's cell cap, and the appointment rows at
    the cap for a studio shaped like the generated ones (grid cells per appointment row)."""
    out: dict[str, Any] = {}
    for size, entry in results["sizes"].items():
        sync = entry.get("google", {}).get("sync", {})
        rows = entry["generate"].get("appointment_rows")
        if "grid_cells" not in sync or not rows:
            continue
        out.setdefault("grid_cells", {})[size] = sync["grid_cells"]
        if sync["grid_cells"] <= sync["cell_limit"]:
            out["largest_size_that_fits"] = size
        out["appointment_rows_at_the_cap"] = int(sync["cell_limit"] * rows / sync["grid_cells"])
    return out


# What the scaling exponent is fitted on: CPU seconds, which the machine's load barely moves.
SCALED = {
    "plan": lambda e: e["plan"].get("plan_cpu_s"),
    "snapshot_and_plan": lambda e: e["plan"].get("snapshot_and_plan_cpu_s"),
    "snapshot_and_plan_in_sync": lambda e: _in_sync(e["single"]["noop"]),
    "noop_sync": lambda e: e["single"]["noop"].get("cpu_s"),
    "status_change_sync": lambda e: e["single"]["change"].get("cpu_s"),
}


def _in_sync(single: dict[str, Any]) -> float | None:
    """read_snapshot + plan as timed inside a sync (with the collector paused as sync does)."""
    steps = single.get("steps_cpu_s", {})
    if "read_snapshot" not in steps or "plan" not in steps:
        return None
    return float(steps["read_snapshot"] + steps["plan"])


def scaling(results: dict[str, Any]) -> dict[str, Any]:
    """Per backend and measure, k in cpu_seconds ~ appointment_rows^k over the sizes run."""
    out: dict[str, Any] = {}
    for backend in ("memory", "xlsx"):
        for measure, pick in SCALED.items():
            points = []
            for entry in results["sizes"].values():
                rows = entry["generate"].get("appointment_rows")
                try:
                    value = pick(entry[backend])
                except (KeyError, TypeError, AttributeError):
                    value = None
                if rows and value:
                    points.append((rows, value))
            slope = exponent(points)
            if slope is not None:
                out[f"{backend}.{measure}"] = round(slope, 3)
    return out


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- the table ------------------------------------------------------------------------------
def table(results: dict[str, Any]) -> str:
    """The tables of BENCHMARKS.md: times as CPU s / wall s."""
    head = ("| size | rows | backend | read | snapshot+plan | plan | no-op sync | "
            "status-change sync | three syncs: first / again / change | req/sync | "
            "cells no-op / again / change | report |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for size, entry in results["sizes"].items():
        rows = entry["generate"].get("appointment_rows", "?")
        for backend in BACKENDS:
            if backend not in entry:
                continue
            m = entry[backend]
            sync, plan = m.get("sync", {}), m.get("plan", {})
            if "skipped" in sync or "error" in sync:
                note = sync.get("skipped") or sync.get("error")
                lines.append(f"| {size} | {rows:,} | {backend} | {note} |" + " |" * 8)
                continue
            first, again, change = (sync.get(k, {}) for k in ("first", "again",
                                                                "status_change"))
            single = m.get("single", {})
            noop, one = single.get("noop", {}), single.get("change", {})
            requests = max(first.get("requests", 0), again.get("requests", 0),
                           change.get("requests", 0))
            report = m.get("report", {})
            lines.append(
                f"| {size} | {rows:,} | {backend} | "
                f"{_cw(plan, 'read_cpu_s', 'read_s')} | "
                f"{_cw(plan, 'snapshot_and_plan_cpu_s', 'snapshot_and_plan_s')} | "
                f"{_cw(plan, 'plan_cpu_s', 'plan_s')} | {_cw(noop)} | {_cw(one)} | "
                f"{' / '.join(_cw(r) for r in (first, again, change))} | {requests} | "
                f"{noop.get('cells_written', '?')} / {again.get('cells_written', '?')} / "
                f"{one.get('cells_written', '?')} | "
                f"{_n(report.get('report_s')) if 'report_s' in report else '-'} |")
    lines += ["", floor_table(results), "", memory_table(results), "",
              targets_table(results), "", studios_table(results), "", phases_table(results),
              "", profile_table(results)]
    text = "\n".join(lines)
    compare = results.get("compare")
    if compare and "error" not in compare:
        text += "\n\n| work | cells | approach | requests | 429s | wall s (waiting) |\n"
        text += "|---|---|---|---|---|---|\n"
        for name, c in compare.items():
            if not isinstance(c, dict) or "batched" not in c:
                continue
            for approach in ("straightforward", "batched"):
                a = c[approach]
                text += (f"| {name} | {c['cells']} | {approach} | {a['requests']} | "
                         f"{a['429s']} | {_n(a['wall_s'])} ({_n(a['seconds_waiting_for_quota'])})"
                         " |\n")
            text += (f"| {name} | | ratio | {c['ratio_requests']:.0f}x | | "
                     f"{c['ratio_wall']:.0f}x |\n")
    elif compare:
        text += f"\n\ncompare: {compare['error']}\n"
    google = google_table(results)
    if google:
        text += "\n\n" + google
    if results.get("scaling"):
        text += "\nscaling exponents (CPU seconds ~ rows^k): " + ", ".join(
            f"{k} {v}" for k, v in results["scaling"].items()) + "\n"
    return text


def google_table(results: dict[str, Any]) -> str:
    """Per size: the grid against Google's cap, requests and bytes of each sync."""
    lines = ["| size | grid cells | requests first / again / change | largest reply as served "
             "/ on the wire (gzip) | largest request body |", "|---|---|---|---|---|"]
    for size, entry in results["sizes"].items():
        sync = entry.get("google", {}).get("sync")
        if not sync or "grid_cells" not in sync:
            continue
        if "skipped" in sync:
            lines.append(f"| {size} | {sync['grid_cells']:,} | {sync['skipped']} | | |")
            continue
        runs = [sync.get(k, {}) for k in ("first", "again", "status_change")]
        lines.append(
            f"| {size} | {sync['grid_cells']:,} | "
            f"{' / '.join(str(r.get('requests', '?')) for r in runs)} | "
            f"{_mb(max(r.get('largest_reply', 0) for r in runs))} / "
            f"{_mb(max(r.get('largest_reply_on_wire', 0) for r in runs))} | "
            f"{_mb(max(r.get('largest_request_body', 0) for r in runs))} |")
    if len(lines) == 2:
        return ""
    fit = results.get("google_fit") or {}
    if fit.get("appointment_rows_at_the_cap"):
        lines.append(f"\nlargest generated studio within Google's cap: "
                     f"{fit.get('largest_size_that_fits', 'none')}; a studio shaped like them "
                     f"reaches the cap at about {fit['appointment_rows_at_the_cap']:,} "
                     "appointment rows")
    return "\n".join(lines)


def floor_table(results: dict[str, Any]) -> str:
    """The xlsx syncs against the fair floor of the same run, CPU s / wall s."""
    lines = ["| size | (a) calamine read of every tab | no-op sync | to (a), CPU | "
             "(b) (a) + rewrite of the changed sheets | status-change sync | to (b), CPU |",
             "|---|---|---|---|---|---|---|"]
    for size, entry in results["sizes"].items():
        m = entry.get("xlsx", {})
        floor, single = m.get("floor", {}), m.get("single", {})
        if not floor or "error" in floor:
            continue
        noop, one = single.get("noop", {}), single.get("change", {})
        lines.append(
            f"| {size} | {_cw(floor, 'calamine_read_cpu_s', 'calamine_read_s')} | "
            f"{_cw(noop)} | {_ratio(noop.get('cpu_s'), floor.get('calamine_read_cpu_s'))} | "
            f"{_cw(floor, 'read_and_rewrite_cpu_s', 'read_and_rewrite_s')} | {_cw(one)} | "
            f"{_ratio(one.get('cpu_s'), floor.get('read_and_rewrite_cpu_s'))} |")
    return "\n".join(lines)


def memory_table(results: dict[str, Any]) -> str:
    """Peak RSS (MiB) of each measuring process."""
    lines = ["| size | backend | no-op sync alone | status-change sync alone | "
             "three syncs in one process | read + snapshot + plan | floor (a) + (b) |",
             "|---|---|---|---|---|---|---|"]
    for size, entry in results["sizes"].items():
        for backend in ("memory", "xlsx"):
            m = entry.get(backend)
            if not m:
                continue
            single = m.get("single", {})
            peaks = [single.get("noop", {}), single.get("change", {}), m.get("sync", {}),
                     m.get("plan", {}), m.get("floor", {})]
            lines.append(f"| {size} | {backend} | " + " | ".join(
                _n(p.get("peak_rss_mib"), 0) for p in peaks) + " |")
    return "\n".join(lines)


GIB = 1024  # MiB


def targets_table(results: dict[str, Any]) -> str:
    """Issue 14's targets that this run measures, each met or not met with its numbers."""
    sizes = results["sizes"]

    def xlsx(size: str, *keys: str) -> Any:
        value: Any = sizes.get(size, {}).get("xlsx", {})
        for key in keys:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        return value if isinstance(value, int | float) else None

    rows = []
    for label, which, floor_key, limit in (
            ("no-op sync within 1.5x (a)", "noop", "calamine_read_cpu_s", 1.5),
            ("status-change sync within 2x (b)", "change", "read_and_rewrite_cpu_s", 2.0)):
        ratios = {size: _quotient(xlsx(size, "single", which, "cpu_s"),
                                  xlsx(size, "floor", floor_key))
                  for size in ("S", "M", "XL") if size in sizes}
        rows.append((label, ", ".join(f"{k} {_x(v)}" for k, v in ratios.items()),
                     _met(ratios.values(), limit)))
    peaks = {w: xlsx("XL", "single", w, "peak_rss_mib") for w in ("noop", "change")}
    rows.append(("XL: one sync under 2 GiB peak", f"no-op {_n(peaks['noop'], 0)} MiB, status "
                 f"change {_n(peaks['change'], 0)} MiB", _met(peaks.values(), GIB * 2)))
    three = xlsx("XL", "sync", "peak_rss_mib")
    rows.append(("XL: three syncs in one process under 2 GiB", f"{_n(three, 0)} MiB",
                 _met([three], GIB * 2)))
    cpu = {f"in the {b} no-op sync": _in_sync(
        sizes.get("XL", {}).get(b, {}).get("single", {}).get("noop", {}))
        for b in ("xlsx", "memory")}
    cpu |= {f"{b} plan task (collector on)": sizes.get("XL", {}).get(b, {}).get(
        "plan", {}).get("snapshot_and_plan_cpu_s") for b in ("xlsx", "memory")}
    rows.append(("XL: read_snapshot + plan under 10 s CPU",
                 ", ".join(f"{_n(v)} s {b}" for b, v in cpu.items()), _met(cpu.values(), 10)))
    slopes = results.get("scaling", {})
    rows.append(("scaling exponent at most 1.05", ", ".join(f"{k} {v}" for k, v in
                                                            slopes.items()),
                 _met(slopes.values(), 1.05)))
    lines = ["| target | measured | |", "|---|---|---|"]
    lines += [f"| {label} | {measured} | {verdict} |" for label, measured, verdict in rows]
    return "\n".join(lines)


def _quotient(value: float | None, floor: float | None) -> float | None:
    return value / floor if value and floor else None


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _met(values: Any, limit: float) -> str:
    values = list(values)
    if not values or any(v is None for v in values):
        return "not measured"
    return "met" if all(v <= limit for v in values) else "**not met**"


def phases_table(results: dict[str, Any]) -> str:
    """Where each single xlsx sync's CPU goes, its steps timed in the sync itself."""
    names = ("store read", "read_snapshot", "plan", "build_changes", "store write")
    lines = ["| size | sync | (a) calamine read | " + " | ".join(names) + " | the rest | all |",
             "|---|---|---|" + "---|" * (len(names) + 2)]
    for size, entry in results["sizes"].items():
        m = entry.get("xlsx", {})
        floor = m.get("floor", {})
        for which, single in m.get("single", {}).items():
            steps = single.get("steps_cpu_s")
            if not steps:
                continue
            rest = single["cpu_s"] - sum(steps.values())
            lines.append(f"| {size} | {'no-op' if which == 'noop' else 'status change'} | "
                         f"{_n(floor.get('calamine_read_cpu_s'))} | "
                         + " | ".join(_n(steps.get(n)) for n in names)
                         + f" | {_n(rest)} | {_n(single['cpu_s'])} |")
    return "\n".join(lines)


def profile_table(results: dict[str, Any]) -> str:
    """Per profiled sync: each step's share of the CPU, then the costliest functions."""
    lines = []
    for size, entry in results["sizes"].items():
        for which, prof in entry.get("xlsx", {}).get("profile", {}).items():
            if "steps_s" not in prof:
                continue
            total = prof["profiled_s"]
            steps = ", ".join(f"{name} {100 * sec / total:.0f} %"
                              for name, sec in prof["steps_s"].items())
            lines.append(f"**{size}, {'no-op' if which == 'noop' else 'status-change'} sync** "
                         f"({total:.1f} s profiled): {steps}.\n")
            lines.append("| function | calls | own s | cumulative s |\n|---|---|---|---|")
            lines += [f"| `{f['function']}` | {f['calls']:,} | {f['own_s']:.2f} | "
                      f"{f['cumulative_s']:.2f} |" for f in prof["top_own_time"][:10]]
            lines.append("")
    return "\n".join(lines)


def studios_table(results: dict[str, Any]) -> str:
    lines = ["| size | clients | enrollments | appointment rows | all cells | .xlsx | "
             "generate + write (wall s) |", "|---|---|---|---|---|---|---|"]
    for size, entry in results["sizes"].items():
        g = entry["generate"]
        if "appointment_rows" not in g:
            continue
        rows = g.get("rows", {})
        lines.append(f"| {size} | {rows.get('Clients', 0):,} | {rows.get('Enrollments', 0):,} | "
                     f"{g['appointment_rows']:,} | {g['cells'] / 1e6:.2f} M | "
                     f"{g['xlsx_mib']:.1f} MiB | {_n(g['generate_s'], 0)} + "
                     f"{_n(g['write_xlsx_s'], 0)} |")
    return "\n".join(lines)


def _cw(measured: dict[str, Any], cpu: str = "cpu_s", wall: str = "seconds") -> str:
    """CPU seconds / wall seconds of one measurement."""
    if cpu not in measured:
        return measured.get("error", "-") if isinstance(measured, dict) else "-"
    return f"{_n(measured[cpu])} / {_n(measured.get(wall))}"


def _ratio(value: float | None, floor: float | None) -> str:
    return f"{value / floor:.2f}x" if value and floor else "-"


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def _n(value: Any, places: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:,.{places}f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=[*ORDER, "all"], default="S")
    parser.add_argument("--backend", default="xlsx",
                        help="xlsx, memory, google, a comma-separated list, or all")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--work", type=Path, default=HERE / ".work",
                        help="folder for generated workbooks (default benchmarks/.work)")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the results (default benchmarks/results.json)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per measurement")
    parser.add_argument("--quick", action="store_true", help="skip the openpyxl comparisons")
    parser.add_argument("--no-compare", action="store_true",
                        help="skip the straightforward-gspread comparison")
    parser.add_argument("--no-report", action="store_true",
                        help="skip the commission report's timing")
    parser.add_argument("--profile", default="", metavar="SIZES",
                        help="also profile the single xlsx syncs at these sizes (e.g. M,XL)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the studios an earlier run generated in --work (same "
                             "seed) instead of generating them again")
    parser.add_argument("--child", choices=list(TASKS), help=argparse.SUPPRESS)
    parser.add_argument("--which", choices=["noop", "change"], default="noop",
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = set(args.backend.split(",")) - {*BACKENDS, "all"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if args.child:
        print(json.dumps(TASKS[args.child](args), default=str))
        return 0
    results = run(args)
    target = args.json or HERE / "results.json"
    target.write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    print(f"\nresults: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
