"""Fixtures of the Google Sheets tests: one local Sheets API per test module, always stopped.

A test module takes them with `from tests.google_fixtures import account, server, ...`.
"""

from __future__ import annotations

from collections.abc import Iterator

import gspread
import pytest

from localsheets import LocalSheets, gspread_client
from sheetsync.stores.gsheets_access import ServiceAccount, service_account


@pytest.fixture(scope="module")
def server() -> Iterator[LocalSheets]:
    with LocalSheets(quota_per_minute=None) as running:
        yield running


@pytest.fixture(scope="module")
def account(server: LocalSheets) -> ServiceAccount:
    return service_account(server.service_account_info())


@pytest.fixture(scope="module")
def studio_client(server: LocalSheets) -> gspread.Client:
    """The studio's own gspread client, typing into the sheet like a person would."""
    return gspread_client(server.base_url, server.service_account_info("studio@example.com"))
