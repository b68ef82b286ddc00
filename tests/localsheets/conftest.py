"""Fixtures for the localsheets tests: every server started here is stopped here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localsheets import LocalSheets


@pytest.fixture
def server() -> Iterator[LocalSheets]:
    """A running server without quota, stopped after the test."""
    with LocalSheets(quota_per_minute=None) as running:
        yield running


@pytest.fixture
def token(server: LocalSheets) -> str:
    return server.issue_token()


@pytest.fixture
def api(server: LocalSheets, token: str) -> Iterator[Api]:
    client = Api(server.base_url, token)
    yield client
    client.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show the replay agreement rate even when output is captured."""
    from .replay import SUMMARY

    for line in SUMMARY:
        terminalreporter.write_line(line)


class Api:
    """A tiny authenticated HTTP client for raw requests."""

    def __init__(self, base_url: str, token: str) -> None:
        import requests

        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
        return self.session.request(method, self.base_url + path, timeout=10, **kwargs)

    def close(self) -> None:
        self.session.close()
