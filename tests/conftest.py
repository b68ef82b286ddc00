"""Hypothesis profiles: `fast` in every run (CI), `long` on demand.

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# server, account, studio_client; backend and studio, which run a scenario on every backend
pytest_plugins = ["tests.google_fixtures", "tests.backends"]

settings.register_profile(
    "fast", max_examples=120, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow], derandomize=False,
)
settings.register_profile(
    "long", max_examples=3000, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


def pytest_sessionfinish(session) -> None:  # type: ignore[no-untyped-def]
    """A pytest-xdist worker hands its reliability figures to the controller."""
    from tests.reliability import FIGURES

    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["reliability"] = FIGURES


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # type: ignore[no-untyped-def]
    """The controller adds up the figures of each worker as it finishes (pytest-xdist)."""
    from tests.reliability import record

    for family, figures in getattr(node, "workeroutput", {}).get("reliability", {}).items():
        record(family, **figures)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """The reliability figures of this run, all workers together (see RELIABILITY.md)."""
    from tests.reliability import FIGURES

    for family, figures in sorted(FIGURES.items()):
        shown = ", ".join(f"{name} {value:,}" for name, value in figures.items())
        terminalreporter.write_line(f"reliability {family}: {shown}")


@pytest.fixture
def cli_folder(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A fresh folder as the current one, no config from the environment, Istanbul time."""
    monkeypatch.chdir(tmp_path)
    for variable in ("SHEETSYNC_CONFIG", "FEED_SECRET", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TZ", "Europe/Istanbul")
    return tmp_path


def invoke(*args: str):  # type: ignore[no-untyped-def]
    """`sheetsync ARGS` through click's CliRunner; exceptions are not swallowed."""
    from click.testing import CliRunner

    from sheetsync.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def run(cli_folder):  # type: ignore[no-untyped-def]
    """`run("sync", "studio.xlsx")`: the command line in a fresh folder."""
    return invoke
