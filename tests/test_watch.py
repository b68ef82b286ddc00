"""`sheetsync watch` end to end: the real process on a real .xlsx, its real file events.

Each test starts the process, reads its log lines as they come and stops it in a finally.
"""

from __future__ import annotations

import fcntl
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sheetsync.demo import demo_layout
from sheetsync.errors import UserError
from sheetsync.stores.xlsx import XlsxStore
from sheetsync.watch import backoff, parse_interval

REPO = Path(__file__).resolve().parents[1]
LOCK = ".~lock.studio.xlsx#"


class Watch:
    """A running `sheetsync watch` (or a helper module running it) and its log lines."""

    def __init__(self, folder: Path, *arguments: str, module: str = "sheetsync") -> None:
        env = {k: v for k, v in os.environ.items()
               if k not in ("SHEETSYNC_CONFIG", "SHEETSYNC_KILL_AT")}
        env["PYTHONPATH"] = str(REPO)
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *arguments], cwd=folder, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, words: str, timeout: float) -> str:
        """The next log line containing `words`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {words!r} within {timeout}s; "
                                     f"got {self.lines}") from None
            self.lines.append(line)
            if words in line:
                return line

    def drain(self, seconds: float) -> list[str]:
        """Every line logged within the next `seconds`."""
        deadline, got = time.monotonic() + seconds, []
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(self._queue.get(timeout=left))
            except queue.Empty:
                break
        self.lines += got
        return got

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


def workbook(folder: Path) -> Path:
    path = folder / "studio.xlsx"
    XlsxStore(path).lay_out(demo_layout(date(2026, 11, 2)))
    return path


def runs(path: Path) -> int:
    """Rows in the Runs tab: one per sync that wrote."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return sum(1 for row in wb["Runs"].iter_rows(min_row=2, values_only=True) if any(row))
    finally:
        wb.close()


def save(path: Path) -> None:
    """What the studio's save does to the file, as far as the folder can see."""
    later = time.time()
    os.utime(path, (later, later))


@pytest.mark.slow
def test_a_workbook_saved_and_closed_is_synced_within_seconds_never_while_open(tmp_path):
    book = workbook(tmp_path)
    watch = Watch(tmp_path, "watch", "studio.xlsx", "--every", "1h")
    try:
        watch.wait_for("start: ok", 15)
        assert runs(book) == 1
        lock = tmp_path / LOCK
        lock.write_text(",Front Desk,reception-pc,30.11.2026 09:12,file:///C:/LibreOffice/4;")
        save(book)
        watch.wait_for("waiting: studio.xlsx is open in LibreOffice", 6)
        opened = book.read_bytes()
        assert watch.drain(1.0) == []
        assert book.read_bytes() == opened and runs(book) == 1
        closed = time.monotonic()
        lock.unlink()
        line = watch.wait_for("closed: ok: sync:", 8)
        took = time.monotonic() - closed
        assert took < 5, f"synced {took:.1f}s after the close"
        assert runs(book) == 2 and "(exit 0)" in line
    finally:
        watch.stop()


@pytest.mark.slow
def test_two_quick_saves_make_one_sync_and_its_own_write_none(tmp_path):
    book = workbook(tmp_path)
    watch = Watch(tmp_path, "watch", "studio.xlsx", "--every", "1h")
    try:
        watch.wait_for("start: ok", 15)
        save(book)
        time.sleep(0.5)
        save(book)
        watch.wait_for("saved: ok", 8)
        later = watch.drain(4.5)  # twice the settling time: its own write made no run
        assert later == [], later
        assert runs(book) == 2
    finally:
        watch.stop()


@pytest.mark.slow
def test_sigterm_during_the_write_lets_it_finish_and_exits_0(tmp_path):
    """tests/paused_sync.py stops the process (SIGSTOP) once its new workbook is written
    beside the old one: SIGTERM arrives right in the middle of the write."""
    book = workbook(tmp_path)
    watch = Watch(tmp_path, "temporary-written", "watch", "studio.xlsx", "--every", "1h",
                  module="tests.paused_sync")
    try:
        watch.wait_for("watching studio.xlsx", 15)
        deadline = time.monotonic() + 15
        while _state(watch.process.pid) != "T":
            assert time.monotonic() < deadline and watch.process.poll() is None
            time.sleep(0.05)
        assert len(list(tmp_path.glob(".studio.xlsx.sheetsync-*.tmp"))) == 1
        watch.process.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        watch.process.send_signal(signal.SIGCONT)
        assert watch.process.wait(5) == 0
        assert time.monotonic() - stopped < 3
        watch.drain(0.5)
        assert any("start: ok" in line for line in watch.lines), watch.lines
        assert watch.lines[-1].endswith("stopped.")
        assert runs(book) == 1  # the whole new workbook, its Runs row included
        assert list(tmp_path.glob(".studio.xlsx.sheetsync-*")) == []
    finally:
        watch.stop()


def test_sigterm_before_the_write_abandons_the_run_and_exits_0(tmp_path):
    """Another sheetsync holds the workbook, so the run waits for it: a stop abandons it."""
    book = workbook(tmp_path)
    before = book.read_bytes()
    held = os.open(tmp_path / ".studio.xlsx.sheetsync-lock", os.O_RDONLY | os.O_CREAT, 0o666)
    fcntl.flock(held, fcntl.LOCK_EX)
    watch = Watch(tmp_path, "watch", "studio.xlsx", "--every", "1h")
    try:
        watch.wait_for("watching studio.xlsx", 15)
        time.sleep(0.5)
        watch.process.send_signal(signal.SIGTERM)
        assert watch.process.wait(3) == 0
        watch.drain(0.5)
        assert "abandoned before it wrote anything" in watch.lines[-1]
        assert book.read_bytes() == before
    finally:
        watch.stop()
        os.close(held)


def test_it_syncs_on_its_interval_and_backs_off_after_a_failure(tmp_path):
    book = workbook(tmp_path)
    watch = Watch(tmp_path, "watch", "studio.xlsx", "--every", "1s")
    try:
        watch.wait_for("start: ok", 15)
        watch.wait_for("interval: ok", 5)
        book.unlink()
        failed = watch.wait_for("interval: refused", 5)
        assert "There is no workbook at" in failed and failed.endswith("next try in 1 s")
    finally:
        watch.stop()


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_intervals_and_back_off():
    assert parse_interval("15m") == 900 and parse_interval("1h30m") == 5400
    assert parse_interval("30s") == 30 and parse_interval("1d") == 86400
    for wrong in ("15", "soon", "0s", "5x"):
        with pytest.raises(UserError):
            parse_interval(wrong)
    assert [backoff(n, 900) for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 480, 900]
