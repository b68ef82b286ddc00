"""The demo studio of `sheetsync init --demo`, made on a fixed day and synced on fixed days, for
the monthly report's tests and its README picture."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sheetsync import engine
from sheetsync.demo import demo_layout
from sheetsync.stores.layout import localized_layout
from sheetsync.stores.xlsx import XlsxStore

DEMO_DAY = date(2026, 10, 5)  # the day the demo studio was made
MONTH = "2026-12"  # the month reported
NOW = "2027-01-04T09:00"  # when it is reported: the first Monday after the month
SYNCS = ("2026-11-01T08:00", "2026-12-01T08:00", NOW)  # the studio's syncs up to then
CHART_IDS = ("chart-revenue", "chart-sessions", "chart-occupancy", "chart-staff", "chart-due")


def demo_workbook(path: Path, locale: str = "en") -> Path:
    """The demo studio as `init --demo` makes it on DEMO_DAY, in `locale`."""
    XlsxStore(path).lay_out(localized_layout(demo_layout(DEMO_DAY, locale), locale))
    return path


def synced_demo(path: Path, locale: str = "en") -> Path:
    """The demo studio after a sync on the 1st of November, of December and at NOW (each sync
    renews a period that ended, so December holds renewals)."""
    demo_workbook(path, locale)
    for moment in map(datetime.fromisoformat, SYNCS):
        engine.sync(XlsxStore(path), moment, started_at=moment, locale=locale)
    return path
