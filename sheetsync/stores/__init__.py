"""Workbook backends behind one interface (base.Store): .xlsx files, Google Sheets, memory."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..errors import UserError
from .base import Store


def is_google(workbook: str) -> bool:
    return workbook.startswith(("https://", "http://")) or (
        len(workbook) >= 25 and "." not in workbook and "/" not in workbook
        and not Path(workbook).exists())


def open_store(workbook: str, config: Config | None = None) -> Store:
    """The store for WORKBOOK: a path to an .xlsx file (Google Sheets comes later)."""
    if is_google(workbook):
        raise UserError("Google Sheets workbooks are not supported yet; use a local .xlsx file.")
    if not workbook.lower().endswith(".xlsx"):
        raise UserError(f"{workbook} is not an .xlsx file; sheetsync works on .xlsx workbooks "
                        "and Google Sheets.")
    from .xlsx import XlsxStore

    return XlsxStore(workbook)
