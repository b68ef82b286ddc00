"""Workbook backends behind one interface (base.Store): .xlsx files, Google Sheets, memory."""

from __future__ import annotations

import re
from pathlib import Path

from ..config import Config
from ..errors import UserError
from ..i18n import DEFAULT, translations
from .base import Store

_SPREADSHEET_ID = re.compile(r"[A-Za-z0-9_-]{40,}")


def is_google(workbook: str) -> bool:
    """A Google Sheets address, or a bare spreadsheet id (40-odd letters, digits, - and _)."""
    if workbook.startswith(("https://", "http://")):
        return True
    return bool(_SPREADSHEET_ID.fullmatch(workbook)) and any(c.isdigit() for c in workbook) \
        and not Path(workbook).exists()


def open_store(workbook: str, config: Config | None = None, *, rewrite: bool = False) -> Store:
    """The store for WORKBOOK: a path to an .xlsx file, or a Google Sheets URL or id.

    `rewrite` lets an .xlsx store rewrite the whole file where it cannot edit it in place
    (the studio's --rewrite); a Google Sheet is always edited in place and ignores it.
    The store speaks the config's locale (its refusals, drop-downs and chart).
    """
    if is_google(workbook):
        return open_google(workbook, config)
    locale = config.locale if config is not None else DEFAULT
    if not workbook.lower().endswith(".xlsx"):
        raise UserError(translations(locale).gettext(
            "%(workbook)s is not an .xlsx file; sheetsync works on .xlsx workbooks and Google "
            "Sheets.") % {"workbook": workbook})
    from .xlsx import XlsxStore

    return XlsxStore(workbook, rewrite=rewrite,
                     currency=config.currency if config is not None else "", locale=locale)


def open_google(workbook: str, config: Config | None = None) -> Store:
    """A Google Sheet, with the service account and endpoint of `config` (google: section)."""
    from .gsheets import GoogleStore
    from .gsheets_access import api_base, load_service_account, spreadsheet_id

    settings = config.google if config is not None else {}
    locale = config.locale if config is not None else DEFAULT
    sheet = spreadsheet_id(workbook, locale)
    endpoint = settings.get("endpoint")
    api_base(endpoint)  # a bad address is refused before the key file is even opened
    account = load_service_account(settings.get("credentials"), locale)
    zone = config.zone if config is not None else None
    currency = config.currency if config is not None else ""
    return GoogleStore(sheet, account, endpoint=endpoint, zone=zone, locale=locale,
                       currency=currency)
