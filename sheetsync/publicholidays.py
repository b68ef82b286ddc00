"""Public holidays as studio-wide closures, from the `holidays` setting (holidays library).

A holiday closes the studio like a Closures row does, so no session is planned on
it and no balance shrinks. The studio keeps the last word: a Closures row whose
reason is `open` covering the day, or the holiday's date or name in
`holidays.ignore`, keeps the studio open.

The names are in the studio's locale where the library has it (`Cumhuriyet Bayramı` in tr,
`Republic Day` in en: `holiday_language`), else in English, and the reason reads
`Resmî tatil: Cumhuriyet Bayramı` (words.public_holiday_reason). A name in
`holidays.ignore` is matched in the locale's spelling and in English's, in any case and
with or without accents (words.fold), so an ignore list keeps working when the locale
changes. English names and reasons are what they always were, whatever the environment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays as holiday_calendars

from .model import Closure
from .words import fold, language, public_holiday_reason, strip_accents


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


def holiday_language(supported: Iterable[str], locale: str) -> str | None:
    """The holidays library's language for the studio's `locale`: `tr`, `de`, `en_US` (or
    another English the country has) when the country's calendar has it, else English's;
    None when the library has no English for it either (its names are English then)."""
    offered = list(supported)
    for lang in dict.fromkeys((language(locale), "en")):
        preferred = "en_US" if lang == "en" else lang
        if preferred in offered:
            return preferred
        regional = [code for code in offered if code.split("_")[0] == lang]
        if regional:
            return regional[0]
    return None


def _calendar(settings: HolidaySettings, years: list[int],
              locale: str) -> holiday_calendars.HolidayBase:
    supported = holiday_calendars.country_holidays(
        settings.country, subdiv=settings.subdiv or None).supported_languages
    return holiday_calendars.country_holidays(
        settings.country, subdiv=settings.subdiv or None, years=years,
        language=holiday_language(supported, locale))


def holiday_closures(settings: HolidaySettings, years: Iterable[int],
                     openings: Iterable[Closure] = (), locale: str = "en") -> list[Closure]:
    """The public holidays of `years` as studio-wide closures named in `locale`."""
    years = list(years)
    calendar = _calendar(settings, years, locale)
    ignored = _ignored_keys(settings.ignore, locale)
    english = calendar
    if language(locale) != "en" and any(not _is_iso(i) for i in settings.ignore):
        english = _calendar(settings, years, "en")
    open_ranges = [(o.start_date, o.end_date) for o in openings]
    closures = []
    for day, names in sorted(calendar.items()):
        spellings = [(names, locale), (english.get(day, ""), "en")]
        if _ignored(day, spellings, ignored) or any(a <= day <= b for a, b in open_ranges):
            continue
        closures.append(Closure(start_date=day, end_date=day,
                                reason=public_holiday_reason(names, locale),
                                public_holiday=True))
    return closures


def _is_iso(text: str) -> bool:
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def _name_key(name: str, locale: str) -> str:
    """A holiday name matched in any case, with or without accents (`CUMHURIYET BAYRAMI`)."""
    return strip_accents(fold(name, locale))


def _ignored_keys(ignore: Iterable[str], locale: str) -> set[str]:
    """ISO dates as typed, names keyed as the locale and as English read them."""
    return {i.strip().lower() for i in ignore} | {
        _name_key(i, lang) for i in ignore for lang in (locale, "en")}


def _ignored(day: date, spellings: list[tuple[str, str]], ignored: set[str]) -> bool:
    return day.isoformat() in ignored or any(
        _name_key(name, lang) in ignored
        for names, lang in spellings for name in names.split(";") if name.strip())
