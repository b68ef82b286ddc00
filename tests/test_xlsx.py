"""The local .xlsx workbook: layout, safe replacement, lock files and what the studio owns."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from sheetsync import engine
from sheetsync.demo import demo_layout
from sheetsync.errors import WorkbookBusy
from sheetsync.schema import ALL_TABS
from sheetsync.stores.base import Layout, TabChanges, WorkbookChanges
from sheetsync.stores.xlsx import XlsxStore
from tests.studios import physio_workbook

NOW = datetime(2026, 12, 4, 10, 0)


def sync(store: XlsxStore, now: datetime = NOW) -> engine.SyncReport:
    return engine.sync(store, now, started_at=now)


def test_init_lays_out_bold_frozen_headers_widths_and_drop_downs(tmp_path: Path):
    path = tmp_path / "studio.xlsx"
    XlsxStore(path).lay_out(Layout(tabs=ALL_TABS))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [t.name for t in ALL_TABS]
    for tab in ALL_TABS:
        ws = wb[tab.name]
        assert [c.value for c in ws[1]] == list(tab.column_names)
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["A"].width == tab.columns[0].width
    assert wb["Enrollments"].column_dimensions["D"].number_format == "yyyy-mm-dd"
    assert wb["Appointments"].column_dimensions["J"].number_format == "hh:mm"
    assert wb["Packages"].column_dimensions["D"].number_format == "#,##0.00"
    validations = {
        (ws.title, str(dv.sqref).split(":")[0], dv.formula1)
        for ws in wb.worksheets for dv in ws.data_validations.dataValidation
    }
    assert ("Appointments", "L2", '"pending,completed,cancelled,paid_cancel"') in validations
    assert ("Clients", "E2", '"active,closed"') in validations
    assert ("Enrollments", "I2", '"yes,no"') in validations
    assert ("Enrollments", "J2", '"active,ended"') in validations
    assert ("Packages", "G2", '"yes,no"') in validations
    assert ("Staff", "D2", '"staff,manager"') in validations


def test_synced_cells_are_real_dates_times_and_numbers(tmp_path: Path):
    store = physio_workbook(tmp_path / "studio.xlsx")
    sync(store)
    ws = openpyxl.load_workbook(store.path)["Appointments"]
    row = [c for c in ws[2]]
    assert row[8].is_date and row[8].number_format == "yyyy-mm-dd"
    assert row[9].number_format == "hh:mm" and row[10].number_format == "hh:mm"
    assert isinstance(row[2].value, int)
    balances = openpyxl.load_workbook(store.path)["Balances"]
    assert balances.cell(2, 17).number_format == "#,##0.00"
    assert balances.cell(2, 14).number_format == "yyyy-mm-dd hh:mm"


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path):
    store = physio_workbook(tmp_path / "studio.xlsx")
    wb = openpyxl.load_workbook(store.path)
    name = wb["Clients"].cell(2, 2)
    name.value = '=HYPERLINK("http://evil.example","click")'
    name.data_type = "s"
    wb.save(store.path)
    sync(store)
    wb = openpyxl.load_workbook(store.path)
    cells = [r[5] for r in wb["Appointments"].iter_rows(min_row=2)] + [wb["Balances"]["C2"]]
    assert {c.value for c in cells} == {'=HYPERLINK("http://evil.example","click")'}
    assert {c.data_type for c in cells} == {"s"}


def test_the_studios_columns_formats_and_notes_survive_a_sync(tmp_path: Path):
    store = physio_workbook(tmp_path / "studio.xlsx")
    sync(store)
    wb = openpyxl.load_workbook(store.path)
    ws = wb["Appointments"]
    ws.cell(1, 17, "room")
    ws.cell(2, 17, "Room 2")
    ws.cell(2, 15, "bring the knee brace")
    ws.cell(2, 13, 350)
    wb["Clients"]["B2"].fill = PatternFill("solid", fgColor="FFFF00")
    wb.save(store.path)
    sync(XlsxStore(store.path), datetime(2027, 1, 10, 10, 0))
    wb = openpyxl.load_workbook(store.path)
    ws = wb["Appointments"]
    assert (ws.cell(2, 17).value, ws.cell(2, 15).value, ws.cell(2, 13).value) == (
        "Room 2", "bring the knee brace", 350)
    assert ws.cell(2, 12).value == "completed"
    assert wb["Clients"]["B2"].fill.fgColor.rgb == "00FFFF00"


@pytest.mark.parametrize(("lock", "holder"), [
    (".~lock.studio.xlsx#", "LibreOffice"), ("~$studio.xlsx", "Excel"),
])
def test_a_workbook_open_in_another_program_is_never_written(tmp_path: Path, lock, holder):
    store = physio_workbook(tmp_path / "studio.xlsx")
    (tmp_path / lock).write_text("someone")
    before = store.path.read_bytes()
    with pytest.raises(WorkbookBusy, match=f"open in {holder}"):
        sync(store)
    assert store.path.read_bytes() == before


def test_excel_lock_files_of_long_names_drop_two_letters(tmp_path: Path):
    store = XlsxStore(tmp_path / "my-studio-2026.xlsx")
    (tmp_path / "~$-studio-2026.xlsx").write_text("x")
    assert store.lock_holder() == "Excel"


def test_a_workbook_changed_on_disk_after_the_read_is_not_overwritten(tmp_path: Path):
    store = physio_workbook(tmp_path / "studio.xlsx")
    store.read()
    wb = openpyxl.load_workbook(store.path)
    wb["Clients"]["B2"] = "Ayse (edited meanwhile)"
    wb.save(store.path)
    with pytest.raises(WorkbookBusy, match="changed on disk"):
        store.write(WorkbookChanges({"Problems": TabChanges(updates={(2, 1): "x"})}))
    assert openpyxl.load_workbook(store.path)["Clients"]["B2"].value == "Ayse (edited meanwhile)"


@pytest.mark.parametrize("fast", [True, False], ids=["patch", "openpyxl"])
def test_a_failed_save_leaves_the_old_workbook_and_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool):
    store = physio_workbook(tmp_path / "studio.xlsx")
    store.fast = fast
    store.rewrite = not fast  # openpyxl saves only a workbook the studio lets it rewrite
    before = store.path.read_bytes()

    def half_written(*args):
        handle = args[-1] if not fast else args[1]
        handle.write(b"PK\x03\x04 half a zip")
        raise OSError("No space left on device")

    if fast:
        monkeypatch.setattr("sheetsync.stores.xlsx.patch_workbook",
                            lambda source, handle, changes, **_: half_written(source, handle))
    else:
        monkeypatch.setattr(openpyxl.Workbook, "save", half_written)
    with pytest.raises(OSError, match="No space"):
        sync(store)
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["studio.xlsx"]


def test_a_write_replaces_the_file_and_leaves_nothing_behind(tmp_path: Path):
    store = physio_workbook(tmp_path / "studio.xlsx")
    inode = store.path.stat().st_ino
    sync(store)
    assert store.path.stat().st_ino != inode  # renamed over, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["studio.xlsx"]


def test_demo_workbook_syncs_without_problems(tmp_path: Path):
    store = XlsxStore(tmp_path / "demo.xlsx")
    store.lay_out(demo_layout(NOW.date()))
    report = sync(store)
    assert report.problems == []
    assert len(report.plan.added) > 40
    assert {b.client_id for b in report.plan.balances} == {"C001", "C002", "C003", "C004",
                                                           "C005"}
    assert sync(store).plan.empty


def test_a_formula_without_a_saved_value_is_reported_and_kept(tmp_path: Path):
    store = physio_workbook(tmp_path / "studio.xlsx")
    wb = openpyxl.load_workbook(store.path)
    sessions = wb["Packages"]["C2"]
    sessions.value = "=5*2"
    wb.save(store.path)
    # openpyxl saves no computed value, as a spreadsheet program would: the cell reads empty
    # and is reported, never guessed.
    report = sync(store)
    assert ("Packages", "sessions") in [(p.tab, p.column) for p in report.problems]
    assert openpyxl.load_workbook(store.path)["Packages"]["C2"].value == "=5*2"


HOLD_LOCK = """
import sys, time
from sheetsync.stores.xlsx import XlsxStore
with XlsxStore(sys.argv[1]).lock():
    print("locked", flush=True)
    time.sleep(60)
"""


def _hold_lock(path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_sync_waits_then_refuses_while_another_works(tmp_path: Path):
    store = physio_workbook(tmp_path / "studio.xlsx")
    holder = _hold_lock(store.path)
    try:
        before = store.path.read_bytes()
        with pytest.raises(WorkbookBusy, match="Another sheetsync is still working"), \
                store.lock(wait=0.3):
            pass
        assert store.path.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()


def test_a_sync_that_died_does_not_block_the_next_one(tmp_path: Path):
    store = physio_workbook(tmp_path / "studio.xlsx")
    holder = _hold_lock(store.path)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    report = sync(store)
    assert report.wrote
    assert sorted(p.name for p in tmp_path.iterdir()) == ["studio.xlsx"]
