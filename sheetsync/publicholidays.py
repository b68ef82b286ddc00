"""Public holidays as studio-wide closures, from the `holidays` setting (holidays library).

A holiday closes the studio like a Closures row does, so no session is planned on
it and no balance shrinks. The studio keeps the last word: a Closures row whose
reason is `open` covering the day, or the holiday's date or name in
`holidays.ignore`, keeps the studio open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays as holiday_calendars

from .model import Closure


@dataclass(frozen=True, slots=True)
class HolidaySettings:
    country: str
    subdiv: str = ""
    ignore: tuple[str, ...] = ()  # ISO dates or holiday names


def check_settings(country: str, subdiv: str = "") -> str | None:
    """A sentence saying what is wrong with the country/subdivision, or None."""
    supported = holiday_calendars.list_supported_countries()
    if country not in supported:
        return f"holidays.country '{country}' is not a country code the holidays library " \
               "knows; use a two-letter code like TR, DE or US"
    if subdiv and subdiv not in supported[country]:
        return f"holidays.subdiv '{subdiv}' is not a subdivision of {country} " \
               f"(known: {', '.join(supported[country][:20])})"
    return None


def holiday_closures(settings: HolidaySettings, years: Iterable[int],
                     openings: Iterable[Closure] = ()) -> list[Closure]:
    calendar = holiday_calendars.country_holidays(
        settings.country, subdiv=settings.subdiv or None, years=list(years))
    ignored = {i.strip().lower() for i in settings.ignore}
    open_ranges = [(o.start_date, o.end_date) for o in openings]
    closures = []
    for day, names in sorted(calendar.items()):
        if _ignored(day, names, ignored) or any(a <= day <= b for a, b in open_ranges):
            continue
        closures.append(Closure(start_date=day, end_date=day,
                                reason=f"Public holiday: {names}", public_holiday=True))
    return closures


def _ignored(day: date, names: str, ignored: set[str]) -> bool:
    return day.isoformat() in ignored or any(
        name.strip().lower() in ignored for name in names.split(";"))
