"""The installed `sheetsync` command on a real .xlsx file that a studio edits between runs."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from tests.libreoffice import needs_libreoffice, sheets_as_shown

BIN = Path(sys.executable).parent


def sheetsync(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = BIN / "sheetsync"
    assert command.exists(), "install the package first: pip install -e '.[test]'"
    env = {**os.environ, "TZ": "Europe/Istanbul"}
    env.pop("SHEETSYNC_CONFIG", None)
    return subprocess.run([str(command), *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def type_in(path: Path, tab: str, *rows: dict) -> None:
    """Add rows under the tab's headers, the way a studio types them."""
    wb = openpyxl.load_workbook(path)
    ws = wb[tab]
    headers = [c.value for c in ws[1]]
    for values in rows:
        row = ws.max_row + 1
        for name, value in values.items():
            ws.cell(row, headers.index(name) + 1, value)
    wb.save(path)


def rows_of(path: Path, tab: str) -> list[dict]:
    ws = openpyxl.load_workbook(path)[tab]
    headers = [c.value for c in ws[1]]
    return [dict(zip(headers, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)]


def set_cells(path: Path, tab: str, key: str, value: str, **changes) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[tab]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[headers.index(key)].value == value:
            for name, new in changes.items():
                row[headers.index(name)].value = new
    wb.save(path)


@pytest.mark.slow
def test_a_studio_month_with_the_installed_command(tmp_path: Path):
    book = tmp_path / "studio.xlsx"
    assert sheetsync("init", "studio.xlsx", cwd=tmp_path).returncode == 0
    type_in(book, "Packages", {"package_id": "PHY10", "name": "10-Session Physiotherapy Package",
                               "sessions": 10, "price": 4000})
    type_in(book, "Staff", {"staff_id": "ST1", "name": "Elif", "role": "staff"},
            {"staff_id": "MGR", "name": "Zeynep", "role": "manager"})
    type_in(book, "Clients", {"client_id": "C1", "name": "Ayşe Çelik", "email": "a@x.example"})
    type_in(book, "Enrollments", {"enrollment_id": "E1", "client_id": "C1", "package_id": "PHY10",
                                  "start_date": date(2026, 11, 30), "staff_id": "ST1",
                                  "schedule": "Mon 14:00, Thu 14:00", "price_override": 3600})
    type_in(book, "Payments", {"enrollment_id": "E1", "amount": "1,800.00",
                               "date": date(2026, 11, 30), "method": "cash"})

    first = sheetsync("sync", "studio.xlsx", "--now", "2026-11-29T09:00", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "10 appointment(s) created" in first.stdout
    appointments = rows_of(book, "Appointments")
    assert [a["date"].date() for a in appointments][:3] == [
        date(2026, 11, 30), date(2026, 12, 3), date(2026, 12, 7)]
    assert appointments[0]["start"] == time(14, 0)

    # The client cancels one session, misses another (paid), and the studio notes something.
    set_cells(book, "Appointments", "appointment_id", "E1-1-03", status="Canceled")
    set_cells(book, "Appointments", "appointment_id", "E1-1-04", status="late cancel",
              note="no-show")
    second = sheetsync("sync", "studio.xlsx", "--now", "2026-12-05T09:00", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    by_id = {a["appointment_id"]: a for a in rows_of(book, "Appointments")}
    assert by_id["E1-1-03"]["status"] == "cancelled"
    assert by_id["E1-1-04"]["status"] == "paid_cancel" and by_id["E1-1-04"]["note"] == "no-show"
    assert by_id["E1-1-11"]["date"].date() == date(2027, 1, 4)  # the make-up
    (balance,) = rows_of(book, "Balances")
    assert (balance["used"], balance["remaining"], balance["cancelled"]) == (3, 7, 1)
    assert (balance["price"], balance["paid"], balance["due"]) == (3600, 1800, 1800)

    # A month later the package is used up and renewed at the client's price.
    third = sheetsync("sync", "studio.xlsx", "--now", "2027-01-05T09:00", cwd=tmp_path)
    assert third.returncode == 0
    assert "1 period(s) renewed" in third.stdout
    balances = rows_of(book, "Balances")
    assert [(b["period"], b["state"], b["due"]) for b in balances] == [
        (1, "ended", 1800), (2, "active", 3600)]

    # Idempotent: the same now again writes nothing but the Runs row.
    again = sheetsync("sync", "studio.xlsx", "--now", "2027-01-05T09:00", cwd=tmp_path)
    assert "0 appointment(s) created" in again.stdout
    assert len(rows_of(book, "Runs")) == 4

    # A typo is reported, exit 1, and the enrollment is left as it is.
    before = rows_of(book, "Appointments")
    set_cells(book, "Enrollments", "enrollment_id", "E1", schedule="Mon 14:00, Thurs 2pm, Fridy")
    checked = sheetsync("check", "studio.xlsx", cwd=tmp_path)
    assert checked.returncode == 1
    assert "'Fridy' is not a day" in checked.stdout
    typo = sheetsync("sync", "studio.xlsx", "--now", "2027-02-05T09:00", cwd=tmp_path)
    assert typo.returncode == 1
    assert rows_of(book, "Appointments") == before


def test_module_entry_point_and_version(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "sheetsync", "--version"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "sheetsync" in result.stdout


def test_bad_usage_never_prints_a_traceback(tmp_path: Path):
    result = sheetsync("sync", "missing.xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "There is no workbook at missing.xlsx" in result.stderr


@needs_libreoffice
def test_the_synced_demo_opens_cleanly_in_libreoffice(tmp_path: Path):
    demo = sheetsync("demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    sheets = sheets_as_shown(tmp_path / "sheetsync-demo.xlsx", tmp_path)
    assert len(sheets) == 13
    with sheets["Appointments"].open(newline="") as handle:
        shown = list(csv.DictReader(handle))
    assert len(shown) > 40
    first = shown[0]
    assert datetime.strptime(first["date"], "%Y-%m-%d")
    assert len(first["start"]) == 5 and first["start"][2] == ":"  # shown as 14:00
    with sheets["Balances"].open(newline="") as handle:
        balances = list(csv.DictReader(handle))
    assert all("." in b["price"] for b in balances)  # money shown with cents


@pytest.mark.slow
def test_the_demos_hints_run_as_printed_right_after_quick_start(tmp_path: Path):
    """Quick start runs `.venv/bin/sheetsync demo` with no activated environment: the
    commands the demo suggests must work when copied into that same terminal."""
    command = BIN / "sheetsync"
    env = {**os.environ, "TZ": "Europe/Istanbul", "PATH": "/usr/bin:/bin"}
    env.pop("SHEETSYNC_CONFIG", None)
    relative = os.path.relpath(command, tmp_path)
    demo = subprocess.run([relative, "demo"], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert demo.returncode in (0, 1), demo.stderr
    hints = [line.strip() for line in demo.stdout.splitlines() if line.startswith("  ")]
    assert hints and all(h.startswith(f"{relative} ") for h in hints), demo.stdout
    for hint in hints:
        shown = subprocess.run(hint, shell=True, cwd=tmp_path, capture_output=True, text=True,
                               env=env, timeout=120, check=False)
        assert shown.returncode in (0, 1), (hint, shown.stderr)
