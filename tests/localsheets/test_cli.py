"""``python -m localsheets`` as a subprocess: URL on the first line, clean stop."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def cli(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "localsheets", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        assert selector.select(timeout=20), "no URL printed within 20 s"
        url = proc.stdout.readline().strip()  # type: ignore[union-attr]
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]


def test_cli_prints_url_serves_and_stops(tmp_path: Path) -> None:
    with cli("--port", "0", "--quota-per-minute", "0", "--fail", "1:503") as (proc, url):
        assert url.startswith("http://127.0.0.1:")
        assert int(url.rsplit(":", 1)[1]) > 0
        assert requests.get(f"{url}/localsheets/stats", timeout=10).json()["total"] == 0
        failed = requests.get(f"{url}/drive/v3/files", timeout=10)
        assert failed.status_code == 503
        assert failed.json()["error"]["status"] == "UNAVAILABLE"
        assert requests.get(f"{url}/drive/v3/files", timeout=10).status_code == 401
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


@pytest.mark.slow
def test_cli_keeps_data_across_restarts(tmp_path: Path) -> None:
    from localsheets import service_account_info
    from localsheets.client import gspread_client

    with cli("--data", str(tmp_path)) as (_, url):
        gc = gspread_client(url, service_account_info(url))
        created = gc.create("Kept")
        created.sheet1.update([["still here"]], "A1")
    with cli("--data", str(tmp_path)) as (proc, url):
        gc = gspread_client(url, service_account_info(url))
        assert gc.open_by_key(created.id).sheet1.acell("A1").value == "still here"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


def test_cli_help_and_bad_options() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "localsheets"]
    shown = subprocess.run([*run, "--help"], capture_output=True, text=True, env=env, timeout=30)
    assert shown.returncode == 0
    for option in ("--port", "--data", "--trust", "--quota-per-minute", "--fail"):
        assert option in shown.stdout
    bad = subprocess.run([*run, "--fail", "x"], capture_output=True, text=True, env=env, timeout=30)
    assert bad.returncode == 2 and "N:STATUS" in bad.stderr
