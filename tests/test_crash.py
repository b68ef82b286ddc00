"""Kill `sheetsync sync` (SIGKILL) at every step that writes, and at random moments, on a
local workbook; then sync again.

After every trial the workbook opens, and the final state equals an uninterrupted run:
the same appointments, balances and alerts (one .eml per alert, each recorded once), and
no temporary file is left beside the workbook. SHEETSYNC_CRASH_TRIALS sets the number of
trials (default 12; RELIABILITY.md reports a long run).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from sheetsync.crashpoints import POINTS, VARIABLE
from tests.reliability import record
from tests.studios import physio_workbook

BIN = Path(sys.executable).parent / "sheetsync"
NOW = "2027-01-01T10:00"  # the package ends: 10 completions, a renewal, three alerts
CONFIG = """workbook: studio.xlsx
timezone: Europe/Istanbul
email:
  from: "Studio Flow <desk@flow.example>"
  outbox_dir: outbox
"""


def prepare(folder: Path) -> Path:
    folder.mkdir()
    physio_workbook(folder / "studio.xlsx")
    (folder / "sheetsync.yaml").write_text(CONFIG)
    wb = openpyxl.load_workbook(folder / "studio.xlsx")
    ws = wb["Staff"]
    ws["C2"], ws["C4"] = "elif@flow.example", "zeynep@flow.example"
    wb.save(folder / "studio.xlsx")
    return folder


def run(folder: Path, kill_at: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SHEETSYNC_CONFIG", VARIABLE)}
    if kill_at:
        env[VARIABLE] = kill_at
    return subprocess.Popen([str(BIN), "--quiet", "sync", "--now", NOW], cwd=folder, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def state(folder: Path) -> dict[str, object]:
    """What must survive: every tab but Runs (one row per attempt), and the outbox."""
    wb = openpyxl.load_workbook(folder / "studio.xlsx")  # it must open
    tabs = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets if ws.title != "Runs"}
    outbox = sorted(p.name for p in (folder / "outbox").glob("*.eml")) \
        if (folder / "outbox").exists() else []
    return {"tabs": tabs, "outbox": outbox}


def leftovers(folder: Path) -> list[str]:
    expected = {"studio.xlsx", "sheetsync.yaml", "outbox"}
    return sorted(p.name for p in folder.iterdir() if p.name not in expected)


def finish_and_compare(folder: Path, expected: dict[str, object], what: str) -> None:
    state(folder)  # opens cleanly right after the kill
    again = run(folder)
    assert again.wait(timeout=120) == 0, again.stderr.read() if again.stderr else ""
    assert state(folder) == expected, what
    assert leftovers(folder) == [], what


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What a sync that nobody kills leaves: the state every killed one must end in."""
    reference = prepare(tmp_path_factory.mktemp("crash") / "reference")
    finished = run(reference)
    assert finished.wait(timeout=120) == 0, finished.stderr.read() if finished.stderr else ""
    return state(reference)


# One step in the fast lane (the rename that replaces the workbook), the others in the slow one.
@pytest.mark.parametrize("point", [
    point if point == "before-rename" else pytest.param(point, marks=pytest.mark.slow)
    for point in POINTS])
def test_a_sync_killed_at_every_step_that_writes_loses_nothing(
        tmp_path: Path, uninterrupted: dict[str, object], point: str):
    folder = prepare(tmp_path / point)
    process = run(folder, kill_at=point)
    assert process.wait(timeout=120) == -signal.SIGKILL, point  # it did reach the point
    finish_and_compare(folder, uninterrupted, point)
    record("crash (xlsx, SIGKILL at each write step)", trials=1, data_lost=0,
           doubled_alerts=0, leftover_files=0)


@pytest.mark.slow
def test_a_sync_killed_at_any_moment_loses_nothing(tmp_path: Path):
    reference = prepare(tmp_path / "reference")
    began = time.monotonic()
    finished = run(reference)
    assert finished.wait(timeout=120) == 0, finished.stderr.read() if finished.stderr else ""
    duration = time.monotonic() - began
    expected = state(reference)
    assert len(expected["outbox"]) == 3  # type: ignore[arg-type]

    rng = random.Random(20261124)
    trials = int(os.environ.get("SHEETSYNC_CRASH_TRIALS", "12"))
    killed = 0
    for trial in range(trials):
        folder = prepare(tmp_path / f"trial{trial}")
        process = run(folder)
        time.sleep(rng.uniform(0.2, 1.05) * duration)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=60)
        finish_and_compare(folder, expected, f"trial {trial}")
        shutil.rmtree(folder)
    record("crash (xlsx, SIGKILL)", trials=trials, killed_mid_run=killed, data_lost=0,
           doubled_alerts=0, leftover_files=0)
