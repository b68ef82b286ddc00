"""The benchmark harness still runs (CI smoke, size S); no number is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_harness_measures_a_small_studio_on_memory_and_xlsx(tmp_path: Path):
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--size", "S",
         "--backend", "memory,xlsx", "--quick", "--no-compare", "--work", str(tmp_path),
         "--json", str(out)],
        capture_output=True, text=True, timeout=600, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "| S |" in done.stdout and "no-op sync" in done.stdout
    results = json.loads(out.read_text())
    entry = results["sizes"]["S"]
    for backend in ("memory", "xlsx"):
        assert "error" not in entry[backend]["plan"], entry[backend]["plan"]
        sync = entry[backend]["sync"]
        assert "error" not in sync, sync
        assert {"first", "again", "status_change"} <= set(sync)
        assert sync["again"]["added"] == sync["again"]["changed"] == 0
    assert entry["xlsx"]["sync"]["first"]["wrote_with"] == "patch"
    for backend in ("memory", "xlsx"):  # each single sync measured alone, CPU beside wall
        single = entry[backend]["single"]
        assert {"cpu_s", "seconds", "peak_rss_mib"} <= set(single["noop"]), single
        assert {"cpu_s", "seconds", "peak_rss_mib"} <= set(single["change"]), single
        assert single["noop"]["added"] == single["noop"]["changed"] == 0
        assert "Appointments" in single["change"]["cells_by_tab"]
    floor = entry["xlsx"]["floor"]
    assert {"calamine_read_cpu_s", "read_and_rewrite_cpu_s"} <= set(floor), floor
    assert len(floor["rewritten"]) == 3  # Appointments, Balances and Runs, nothing else
    assert "(a) calamine read of every tab" in done.stdout
