"""LibreOffice, headless, deleting and inserting rows: the reference for sheetsync's row moves.

`LibreOfficeRows` starts one `soffice --headless` listening on a private pipe and stops it (its
whole process group) on exit, also when a test fails; `apply` hands it a batch of workbooks
through tests/lo_rows_uno.py, run by /usr/bin/python3 because python3-uno lives there, not in
the virtualenv. Starting soffice costs seconds, so batch many cases per `apply`.

A move set (deleted original rows, rows inserted above original rows) becomes LibreOffice steps
in two phases: every deletion, bottom-up (so each index is still the original row's), then a
reload, then every insertion, bottom-up, at the row where the first surviving row at or below
the original row now stands. So the new rows land between the neighbours that survive, outside
any range that ended or started on a deleted row, which is what "n rows inserted right above
row r" means when r goes too; and they take the attributes (conditional formats, validations)
of the surviving row above them, as LibreOffice's inserted rows do.

The reload matters: within one session LibreOffice remembers where a reference it turned into
`#REF!` pointed, and a later insertion can bring it back (LibreOffice 7.4 was seen writing
`Data!$C5` again after row 5 was deleted and rows were inserted above row 1). Saving and
opening again makes a deletion final, as it is in a file that sheetsync wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pytest

UNO_PYTHON = "/usr/bin/python3"
UNO_SCRIPT = Path(__file__).with_name("lo_rows_uno.py")


def _uno_missing() -> str | None:
    """Why LibreOffice cannot be driven from here, or None when it can."""
    if shutil.which("soffice") is None:
        return "LibreOffice is not installed (.ci/run installs it)"
    if not Path(UNO_PYTHON).exists():
        return f"{UNO_PYTHON} is missing"
    probe = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode != 0:
        return f"python3-uno is not installed for {UNO_PYTHON} (.ci/run installs it)"
    return None


UNO_MISSING = _uno_missing()
needs_libreoffice_uno = pytest.mark.skipif(UNO_MISSING is not None, reason=UNO_MISSING or "")


class Moves(Protocol):
    @property
    def deleted(self) -> frozenset[int]: ...
    @property
    def inserted(self) -> Mapping[int, int]: ...


Step = tuple[str, str, int, int]  # sheet, "delete" | "insert", 0-based row index, count


def steps_for(moves: Mapping[str, Moves]) -> list[Step]:
    """LibreOffice steps doing `moves`: deletions, a reload, insertions (module docstring)."""
    deletions: list[Step] = []
    insertions: list[Step] = []
    for sheet, sheet_moves in moves.items():
        gone = sorted(sheet_moves.deleted)
        for row in reversed(gone):
            deletions.append((sheet, "delete", row - 1, 1))
        for row in sorted(sheet_moves.inserted, reverse=True):
            count = sheet_moves.inserted[row]
            if count > 0:
                kept_above = row - 1 - sum(1 for g in gone if g < row)
                insertions.append((sheet, "insert", kept_above, count))
    if deletions and insertions:
        return [*deletions, ("", "reload", 0, 0), *insertions]
    return deletions + insertions


@dataclass
class Case:
    source: Path
    target: Path
    steps: list[Step]
    error: str | None = field(default=None)


class LibreOfficeRows:
    """One headless soffice for many cases; use as a context manager."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pipe = f"sheetsync-rows-{uuid.uuid4().hex}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LibreOfficeRows:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
             "--nolockcheck", f"-env:UserInstallation=file://{self.folder}/profile",
             f"--accept=pipe,name={self.pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop soffice and every process it started (its own process group), then wait."""
        if self.process is None:
            return
        group = self.process.pid  # start_new_session: the group bears the launcher's pid
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=grace)
                os.killpg(group, 0)  # something of the group still alive (soffice.bin)?
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        self.process = None

    def _run_script(self, job: Path, result: Path,
                    timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run([UNO_PYTHON, str(UNO_SCRIPT), self.pipe, str(job), str(result)],
                              capture_output=True, text=True, timeout=timeout, check=False)

    def apply(self, cases: list[Case], timeout: float = 300) -> None:
        """Run every case in LibreOffice; each case's `error` says what went wrong, if anything."""
        job = self.folder / f"job-{uuid.uuid4().hex}.json"
        result = job.with_suffix(".result.json")
        job.write_text(json.dumps([{"source": str(c.source), "target": str(c.target),
                                    "steps": c.steps} for c in cases]), encoding="utf-8")
        ran = self._run_script(job, result, timeout)
        if ran.returncode != 0:  # LibreOffice itself died under load: once more, a fresh one
            self.stop()
            self.__enter__()
            ran = self._run_script(job, result, timeout)
        assert ran.returncode == 0, (f"the LibreOffice script failed (exit {ran.returncode}): "
                                     f"{ran.stdout[-1000:]} {ran.stderr[-2000:]}")
        for case, error in zip(cases, json.loads(result.read_text(encoding="utf-8")),
                               strict=True):
            case.error = error
