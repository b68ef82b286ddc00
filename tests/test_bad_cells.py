"""Cells that hold no usable value are problems, never ids, text, empty cells or crashes.

Error cells (#N/A, #DIV/0!), formulas whose result was never saved, date serials no
calendar has, absurd session counts, unknown staff on any appointment; and a disk
that refuses the write is one sentence and exit 2, the workbook left as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.cells import error_value, uncached_formula
from sheetsync.read import read_snapshot
from sheetsync.stores.xlsx import XlsxStore
from tests.studio import parse_tables, studio

NOW = "2026-12-01T08:00"
ONE_CLIENT = """
Packages
package_id | name | sessions | price
P1 | Ten  | 10       | 4000

Clients
client_id | name
C1| Ayse

Staff
staff_id | name
S1       | Elif

Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
"""


def demo(run: Any, name: str = "studio.xlsx") -> Path:
    assert run("init", name, "--demo").exit_code == 0
    return Path(name)


def edit(path: Path, cells: dict[tuple[str, str], Any], formats: dict[tuple[str, str], str]
         | None = None) -> None:
    """Type into the workbook with openpyxl: "#N/A" becomes an error cell, "=..." a formula
    without a saved result (openpyxl never calculates)."""
    wb = openpyxl.load_workbook(path)
    for (tab, ref), value in cells.items():
        wb[tab][ref] = value
    for (tab, ref), number_format in (formats or {}).items():
        wb[tab][ref].number_format = number_format
    wb.save(path)


def problems(run: Any, path: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run("check", str(path), "--now", NOW, "--json")
    return result.exit_code, json.loads(result.stdout[:result.stdout.rindex("]") + 1])


def about(found: list[dict[str, Any]], tab: str, column: str) -> list[str]:
    return [p["problem"] for p in found if p["tab"] == tab and p["column"] == column]


# -- error cells and formulas without a saved result, in a real .xlsx ------------------------
@pytest.mark.parametrize("fast", [True, False], ids=["calamine", "openpyxl"])
def test_error_cells_and_unsaved_formulas_are_read_as_unusable(tmp_path: Path, fast: bool):
    path = tmp_path / "cells.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tab"
    ws.append(["a", "b", "c"])
    ws.append(["#N/A", "=B9*2", 5])
    wb.save(path)
    rows = XlsxStore(path, fast=fast).read()["Tab"].rows
    assert rows == [[error_value("#N/A"), uncached_formula("B9*2"), 5]]


def test_an_error_cell_is_never_an_id_and_names_its_cause(run: Any):
    path = demo(run)
    edit(path, {("Clients", "A2"): "#N/A", ("Packages", "D2"): "#DIV/0!",
                ("Packages", "F3"): "=1/0", ("Staff", "G2"): "#REF!"})
    code, found = problems(run, path)
    assert code == 1
    assert about(found, "Clients", "client_id") == [
        "client_id shows the error #N/A: fix the formula or type the value."]
    assert about(found, "Packages", "price") == [
        "price shows the error #DIV/0!: fix the formula or type the value."]
    assert about(found, "Packages", "commission_rate") == [
        "commission_rate is a formula whose result was never saved: open the workbook in your "
        "spreadsheet program and save it once."]
    # the client row is unreadable: its enrollment is held, never given to a client "#N/A"
    assert any("Clients row for" not in p and "C001" in p
               for p in about(found, "Enrollments", "client_id"))
    assert not [p for p in found if p["tab"] == "Staff"]  # G is a column of the studio's own


def test_read_reports_unusable_cells_like_unreadable_ones_and_never_as_text():
    tables = parse_tables("""
        Packages
        package_id | name   | sessions | price
        P1         | Ten    | 10       | 4000

        Clients
        client_id | name | phone
        C1        | Ayse | x
        C2        | Can  | x

        Staff
        staff_id | name
        S1       | Elif
    """)
    tables["Clients"].rows[0][0] = error_value("#N/A")
    tables["Clients"].rows[1][2] = error_value("#VALUE!")  # phone: reported, row still read
    snapshot = read_snapshot(studio_tables(tables))
    assert "#N/A" not in snapshot.clients and "" not in snapshot.clients
    assert list(snapshot.clients) == ["C2"]
    assert [(p.row, p.column, p.value) for p in snapshot.problems] == [
        (2, "client_id", "#N/A"), (3, "phone", "#VALUE!")]


def studio_tables(given: dict[str, Any]) -> dict[str, Any]:
    store = studio()
    tables = store.read()
    tables.update(given)
    return tables


# -- dates no calendar has -------------------------------------------------------------------
@pytest.mark.parametrize("serial", [-5, -1e20, 2600000, 3e6], ids=str)
def test_an_absurd_date_serial_is_a_problem_of_its_row_never_a_crash(run: Any, serial: float):
    path = demo(run)
    edit(path, {("Enrollments", "D2"): serial}, {("Enrollments", "D2"): "yyyy-mm-dd"})
    code, found = problems(run, path)
    assert code == 1
    [problem] = about(found, "Enrollments", "start_date")
    assert "date" in problem
    assert [p["row"] for p in found if p["column"] == "start_date"] == [2]


def test_a_date_past_9000_or_before_1900_is_a_problem():
    store = studio(ONE_CLIENT + """        E1            | C1        | P1         | 9018-07-22 | S1       | Mon 14:00
        E2            | C1        | P1         | 1899-12-25 | S1       | Mon 14:00
    """)
    snapshot = read_snapshot(store.read())
    assert not snapshot.enrollments
    assert [p.row for p in snapshot.problems if p.column == "start_date"] == [2, 3]


# -- session counts, unknown staff -------------------------------------------------------------
def test_more_than_500_sessions_is_a_typo():
    store = studio("""
        Packages
        package_id | name | sessions | price
        P1         | Ten  | 5000     | 4000
        P2         | Max  | 500      | 4000
    """)
    snapshot = read_snapshot(store.read())
    assert list(snapshot.packages) == ["P2"]
    assert [p.problem for p in snapshot.problems] == [
        "5000 sessions is more than 500 sessions: is that a typo?"]


@pytest.mark.parametrize("status", ["pending", "completed", "cancelled", "paid_cancel"])
def test_an_unknown_staff_id_on_any_appointment_is_a_problem(status: str):
    store = studio(ONE_CLIENT + """        E1            | C1        | P1         | 2026-11-02 | S1       | Mon 14:00
    """)
    appointment = {"appointment_id": "A1", "enrollment_id": "E1", "period": 1, "session": 1,
                   "client_id": "C1", "client_name": "Ayse", "staff_id": "GONE",
                   "date": "2026-11-02", "start": "14:00", "end": "15:00", "status": status}
    tables = store.read()
    tables["Appointments"].rows.append(
        [appointment.get(str(h)) for h in tables["Appointments"].header])
    snapshot = read_snapshot(tables)
    hint = "" if status == "pending" else \
        "; keep a staff member who left in Staff, so their past sessions stay theirs"
    assert [(p.column, p.problem) for p in snapshot.problems] == [
        ("staff_id", f"There is no staff GONE in Staff{hint}.")]
    # a past session keeps its pay on record; one to come needs someone to give it
    assert bool(snapshot.appointments) is (status != "pending")


# -- a disk that refuses the write --------------------------------------------------------------
@contextlib.contextmanager
def tiny_disk(folder: Path, size_kb: int) -> Iterator[Path]:
    folder.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextlib.contextmanager
def immutable(folder: Path) -> Iterator[Path]:
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


def test_a_full_disk_is_one_sentence_and_exit_2_with_the_workbook_intact(run: Any,
                                                                          tmp_path: Path):
    source = demo(run)
    with tiny_disk(tmp_path / "disk", 64) as disk:
        path = disk / "studio.xlsx"
        shutil.copy(source, path)
        before = path.read_bytes()
        filler = disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
        result = run("sync", str(path), "--now", NOW)
        assert result.exit_code == 2, result.output
        assert "the disk is full" in result.output and "Traceback" not in result.output
        assert path.read_bytes() == before
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "studio.xlsx"]


def test_an_unwritable_folder_is_one_sentence_and_exit_2_with_the_workbook_intact(
        run: Any, tmp_path: Path):
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "studio.xlsx"
    shutil.copy(demo(run), path)
    before = path.read_bytes()
    with immutable(folder):
        result = run("sync", str(path), "--now", NOW)
        assert result.exit_code == 2, result.output
        assert "may not write there" in result.output and "Traceback" not in result.output
        assert path.read_bytes() == before
        assert os.listdir(folder) == ["studio.xlsx"]


def test_an_export_into_an_unwritable_folder_is_exit_2(run: Any, tmp_path: Path):
    path = demo(run)
    assert run("sync", str(path), "--now", NOW).exit_code in (0, 1)
    folder = tmp_path / "exports"
    folder.mkdir()
    with immutable(folder):
        result = run("report", "commissions", str(path), "--month", "2026-11",
                     "--now", NOW, "--out", str(folder / "nov.csv"))
        assert result.exit_code == 2, result.output
        assert os.listdir(folder) == []


def test_a_workbook_without_bad_cells_has_no_problem(run: Any):
    """A guard against over-reaching: dates, times and formulas saved normally read."""
    path = demo(run)
    code, found = problems(run, path)
    assert (code, found) == (0, [])
