"""LibreOffice, headless, as the proof that a workbook opens cleanly in a real spreadsheet program."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

# Every sheet as its own CSV, cells as shown (formats applied), UTF-8.
EVERY_SHEET_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"

needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                       reason="LibreOffice is not installed (.ci/run installs it)")


def convert(workbook: Path, out: Path, to: str, folder: Path) -> None:
    """Open `workbook` in LibreOffice and save it into `out` as `to`; it must succeed."""
    converted = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/lo",
         "--convert-to", to, "--outdir", str(out), str(workbook)],
        capture_output=True, text=True, timeout=180, check=False)
    assert converted.returncode == 0, converted.stderr


def sheets_as_shown(workbook: Path, folder: Path) -> dict[str, Path]:
    """Each sheet of `workbook` as LibreOffice shows it, one CSV per sheet, by sheet name."""
    out = folder / "csv"
    convert(workbook, out, EVERY_SHEET_AS_SHOWN, folder)
    return {p.stem.removeprefix(workbook.stem + "-"): p for p in out.glob("*.csv")}
