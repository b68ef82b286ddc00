"""Lock files of LibreOffice and Excel: a live one keeps today's refusal, a stale one (its
owner is gone) is named with the exact remedy, and sheetsync never deletes either.

The LibreOffice lock lines are the ones LibreOffice 7.4 writes (`,user,host,DD.MM.YYYY
HH:MM,userdir;`); "live" means a real soffice runs here with the userdir the lock names.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.cli import cli
from sheetsync.demo import demo_layout
from sheetsync.stores.lockfiles import find_lock, running_profiles
from sheetsync.stores.xlsx import XlsxStore

LO_LOCK = ".~lock.studio.xlsx#"
TWO_HOURS = 2 * 3600


def workbook(folder: Path) -> Path:
    path = folder / "studio.xlsx"
    XlsxStore(path).lay_out(demo_layout(date(2026, 11, 30)))
    return path


def libreoffice_lock(book: Path, host: str, userdir: str, when: str = "30.11.2026 09:12") -> Path:
    lock = book.with_name(LO_LOCK)
    lock.write_text(f",studio,{host},{when},{userdir};", encoding="utf-8")
    return lock


def excel_owner_file(book: Path, user: str = "Front Desk") -> Path:
    lock = book.with_name(f"~${book.name}")
    name = user.encode("ascii")
    lock.write_bytes(bytes([len(name)]) + name.ljust(53) + len(user).to_bytes(2, "little")
                     + user.encode("utf-16-le") + b"\0" * 2)
    return lock


def age(path: Path, seconds: float) -> None:
    earlier = time.time() - seconds
    os.utime(path, (earlier, earlier))


def sync(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sync", str(folder / "studio.xlsx")])
    return result.exit_code, result.output


@pytest.fixture
def soffice(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real soffice running here; yields the userdir URL it uses."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    userdir = f"file://{tmp_path}/lo-profile"
    pipe = f"stale-locks-{os.getpid()}-{tmp_path.name}"
    process = subprocess.Popen(
        ["soffice", "--headless", "--norestore", "--nologo", f"-env:UserInstallation={userdir}",
         f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        # With a new profile soffice.bin starts, sets the profile up, exits and is started
        # again: between the two no soffice runs. Its acceptor pipe appears only once the
        # second one is up, so wait for that, not for the first soffice.bin.
        deadline = time.monotonic() + 60
        while not (_accepting(pipe) and userdir in (running_profiles() or [])):
            assert time.monotonic() < deadline, "soffice did not start"
            assert process.poll() is None, "soffice exited"
            time.sleep(0.2)
        yield userdir
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _accepting(pipe: str) -> bool:
    """The named pipe soffice's `--accept=pipe` listens on (`OSL_PIPE_<uid>_<name>` in the
    temporary folder) exists."""
    folders = {Path("/tmp"), Path(os.environ.get("TMPDIR", "/tmp"))}
    return any(any(folder.glob(f"OSL_PIPE_*_{pipe}")) for folder in folders)


def test_a_libreoffice_lock_of_a_running_soffice_here_is_live(tmp_path: Path, soffice: str):
    book = workbook(tmp_path)
    lock = libreoffice_lock(book, socket.gethostname(), soffice)
    before = book.read_bytes()
    code, output = sync(tmp_path)
    assert code == 2
    assert "studio.xlsx is open in LibreOffice; close it there and run sheetsync again." in output
    assert "no longer running" not in output
    assert book.read_bytes() == before and lock.exists()


def test_a_libreoffice_lock_whose_soffice_is_gone_is_stale_and_kept(tmp_path: Path):
    book = workbook(tmp_path)
    gone = f"file://{tmp_path}/profile-of-a-crashed-soffice"
    lock = libreoffice_lock(book, socket.gethostname(), gone)
    before = book.read_bytes()
    code, output = sync(tmp_path)
    assert code == 2
    assert (
        "Error: studio.xlsx looks open in LibreOffice, but its lock file .~lock.studio.xlsx# "
        "was left by a program that is no longer running (since 2026-11-30 09:12); if nobody "
        "has the workbook open, delete that file and run sheetsync again. Nothing was written.") in " ".join(output.split())
    assert book.read_bytes() == before and lock.exists()


def test_a_fresh_lock_of_another_host_is_live(tmp_path: Path):
    """Whether a soffice runs on another computer cannot be seen from here."""
    book = workbook(tmp_path)
    libreoffice_lock(book, "reception-pc", "file:///C:/Users/desk/AppData/Roaming/LibreOffice/4")
    code, output = sync(tmp_path)
    assert code == 2 and "is open in LibreOffice; close it there" in output


def test_a_lock_older_than_the_workbooks_last_change_is_stale(tmp_path: Path):
    book = workbook(tmp_path)
    lock = libreoffice_lock(book, "reception-pc", "file:///C:/Users/desk/LibreOffice/4")
    age(lock, TWO_HOURS)
    code, output = sync(tmp_path)
    assert code == 2 and "was left by a program that is no longer running" in output
    assert lock.exists()


def test_a_lock_rewritten_by_a_save_a_moment_before_the_workbook_stays_live(tmp_path: Path):
    """LibreOffice writes its lock again just before it saves: the lock is a bit older."""
    book = workbook(tmp_path)
    lock = libreoffice_lock(book, "reception-pc", "file:///C:/Users/desk/LibreOffice/4")
    age(lock, 5)
    found = find_lock(book)
    assert found is not None and not found.stale


@pytest.mark.parametrize("stale", [False, True], ids=["fresh", "older-than-workbook"])
def test_an_excel_owner_file(tmp_path: Path, stale: bool):
    book = workbook(tmp_path)
    lock = excel_owner_file(book)
    if stale:
        age(lock, TWO_HOURS)
    before = book.read_bytes()
    code, output = sync(tmp_path)
    assert code == 2
    if stale:
        assert "looks open in Excel, but its lock file ~$studio.xlsx was left by a program " \
               "that is no longer running" in " ".join(output.split())
    else:
        assert "studio.xlsx is open in Excel; close it there" in output
    assert book.read_bytes() == before and lock.exists()


def test_with_the_stale_lock_deleted_the_next_sync_writes(tmp_path: Path):
    book = workbook(tmp_path)
    lock = libreoffice_lock(book, socket.gethostname(), f"file://{tmp_path}/gone")
    assert sync(tmp_path)[0] == 2
    lock.unlink()
    code, output = sync(tmp_path)
    assert code in (0, 1, 4) and "Synced" in output
