"""Temporary and lock files: one workbook's clean-up never touches another's files, and new
files get the permissions any program gives them (the umask), while old ones keep theirs.

Two workbooks share a folder, `studio.xlsx` and `studio-b.xlsx`. A sync of studio-b is held
in flight (stopped with SIGSTOP where its temporary workbook is written, tests/paused_sync.py)
while studio.xlsx, which has a genuine leftover of a killed sync, is synced: the leftover goes,
studio-b's temporary file stays, and studio-b's sync then finishes as if nothing happened.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.atomic import is_temporary_of, temporary_name, write_atomically
from sheetsync.config import Email
from sheetsync.crashpoints import VARIABLE
from sheetsync.notify import Mailer
from tests.mailserver import NOW as MAIL_NOW
from tests.mailserver import SENDER, outgoing

BIN = Path(sys.executable).parent / "sheetsync"
REPO = Path(__file__).resolve().parent.parent
NOW = "2027-01-01T10:00"
CONFIG = "workbook: studio.xlsx\ntimezone: Europe/Istanbul\n"


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SHEETSYNC_CONFIG", VARIABLE)}
    env["PYTHONPATH"] = str(REPO)
    return env


def command(folder: Path, *args: str, kill_at: str | None = None) -> subprocess.Popen[str]:
    env = environment()
    if kill_at:
        env[VARIABLE] = kill_at
    return subprocess.Popen([str(BIN), "--quiet", *args], cwd=folder, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finished(process: subprocess.Popen[str]) -> int:
    code = process.wait(timeout=120)
    assert code in (0, -signal.SIGKILL), process.stderr.read() if process.stderr else ""
    return code


def held_in_flight(folder: Path, point: str, *args: str) -> subprocess.Popen[str]:
    """`sheetsync ARGS`, stopped at `point` and left there."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.paused_sync", point, "--quiet", *args], cwd=folder,
        env=environment(), text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), f"it ended before {point}"
    return process


def temporaries(folder: Path, workbook: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if is_temporary_of(p.name, workbook))


def two_workbooks(folder: Path) -> Path:
    folder.mkdir()
    (folder / "sheetsync.yaml").write_text(CONFIG)
    for name in ("studio.xlsx", "studio-b.xlsx"):
        assert finished(command(folder, "init", name)) == 0
    return folder


@pytest.mark.slow
def test_cleaning_up_one_workbook_never_touches_anothers_sync_in_flight(tmp_path: Path):
    folder = two_workbooks(tmp_path / "studio")
    killed = command(folder, "sync", "studio.xlsx", "--now", NOW, kill_at="temporary-written")
    assert finished(killed) == -signal.SIGKILL
    leftover = temporaries(folder, "studio.xlsx")
    assert len(leftover) == 1  # a genuine leftover of studio.xlsx

    other = held_in_flight(folder, "temporary-written", "sync", "studio-b.xlsx", "--now", NOW)
    try:
        in_flight = temporaries(folder, "studio-b.xlsx")
        assert len(in_flight) == 1
        assert finished(command(folder, "sync", "studio.xlsx", "--now", NOW)) == 0
        assert temporaries(folder, "studio.xlsx") == []  # its own leftover is gone
        assert temporaries(folder, "studio-b.xlsx") == in_flight  # the other's is untouched
    finally:
        other.send_signal(signal.SIGCONT)
    assert other.wait(timeout=120) == 0, other.stderr.read() if other.stderr else ""

    assert sorted(p.name for p in folder.iterdir()) == [
        "sheetsync.yaml", "studio-b.xlsx", "studio.xlsx"]  # no temporary or lock file left
    for name, syncs in (("studio.xlsx", 1), ("studio-b.xlsx", 1)):
        runs = openpyxl.load_workbook(folder / name)["Runs"]
        assert runs.max_row == 1 + syncs, name  # the killed sync wrote nothing


NAMES = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
                min_size=1, max_size=20)
RANDOM = st.text("0123456789abcdef", min_size=8, max_size=8)


@given(NAMES, NAMES, RANDOM)
def test_a_temporary_file_belongs_to_exactly_one_name(a: str, b: str, random: str) -> None:
    assert is_temporary_of(temporary_name(a, random), a)
    if a != b:
        assert not is_temporary_of(temporary_name(b, random), a)
    assert not is_temporary_of(a, a)
    assert not is_temporary_of(f".{a}.sheetsync-lock", a)


def test_the_prefix_of_a_name_is_not_its_temporary_file():
    assert not is_temporary_of(temporary_name("studio-b.xlsx", "0123abcd"), "studio.xlsx")
    assert not is_temporary_of(temporary_name("studio.xlsx", "0123abcd"), "studio")
    assert not is_temporary_of(".studio.xlsx.sheetsync-0123abcd.tmp.sheetsync-0123abcd.tmp",
                               "studio.xlsx")
    assert not is_temporary_of(".studio.xlsx.sheetsync-0123ABCD.tmp", "studio.xlsx")


# -- permissions -------------------------------------------------------------------------------
@pytest.fixture(params=[0o022, 0o027], ids=["umask022", "umask027"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_new_files_get_the_usual_permissions(run, cli_folder: Path, umask: int):
    usual = 0o666 & ~umask
    (cli_folder / "sheetsync.yaml").write_text(
        "workbook: sheetsync-demo.xlsx\ntimezone: Europe/Istanbul\n")
    assert run("init", "new.xlsx").exit_code == 0
    assert run("demo").exit_code in (0, 1)
    for out in ("report.csv", "report.xlsx"):
        assert run("report", "commissions", "--month", "2020-01", "--out", out).exit_code == 0
    Mailer(Email(sender=SENDER, outbox_dir=cli_folder / "outbox"), currency="TRY").send(
        [outgoing()], MAIL_NOW)
    write_atomically(cli_folder / "data.json", b"{}")
    made = ["new.xlsx", "sheetsync-demo.xlsx", "report.csv", "report.xlsx", "data.json",
            *(f"outbox/{p.name}" for p in (cli_folder / "outbox").iterdir())]
    assert len(made) == 6
    assert {name: mode(cli_folder / name) for name in made} == dict.fromkeys(made, usual)
    assert not [p for p in cli_folder.rglob(".*") if p.is_file()]  # no temporary file left

    assert run("calendar", "--out-dir", "feeds").exit_code == 0
    feeds = list((cli_folder / "feeds").iterdir())
    assert feeds and {mode(p) for p in feeds} == {0o644}  # made to be published, on purpose


def test_a_mode_chosen_by_the_caller_is_kept(tmp_path: Path, umask: int):
    write_atomically(tmp_path / "private.txt", b"secret", mode=0o600)
    assert mode(tmp_path / "private.txt") == 0o600


@pytest.mark.parametrize("kept", [0o600, 0o664])
def test_an_existing_file_keeps_its_mode(run, cli_folder: Path, umask: int, kept: int):
    assert run("init", "studio.xlsx").exit_code == 0
    os.chmod(cli_folder / "studio.xlsx", kept)
    assert run("sync", "studio.xlsx", "--now", NOW).exit_code == 0
    assert mode(cli_folder / "studio.xlsx") == kept
    feed = cli_folder / "feed.ics"
    feed.write_bytes(b"old")
    os.chmod(feed, kept)
    write_atomically(feed, b"new", mode=0o644)
    assert mode(feed) == kept and feed.read_bytes() == b"new"
