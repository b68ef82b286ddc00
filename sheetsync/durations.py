"""Durations as a studio writes them on the command line, and as sheetsync says them back.

`30s`, `15m` or `15min`, `2h`, `1d`, and sums of those (`1h30m`); `0` is zero. Pure.
The units typed are the same in every language; sheetsync says a duration back, and words
the error about one, in the studio's language (`locale`, default English).
"""

from __future__ import annotations

import re
from datetime import timedelta

from .errors import UserError
from .i18n import DEFAULT, translations

_PART = re.compile(r"(\d+)(min|d|h|m|s)", re.IGNORECASE)
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1),
          "min": timedelta(minutes=1), "s": timedelta(seconds=1)}


def parse_duration(text: str, *, example: str, locale: str = DEFAULT) -> timedelta:
    """The duration `text` says; a UserError that shows `example` when it says none."""
    raw = text.strip().replace(" ", "")
    if raw == "0":
        return timedelta(0)
    parts = _PART.findall(raw)
    if not raw or "".join(n + u for n, u in parts).lower() != raw.lower():
        raise UserError(translations(locale).gettext(
            "'%(text)s' is not a duration; write it like %(example)s.") % {
                "text": text, "example": example})
    return sum((int(n) * _UNITS[u.lower()] for n, u in parts), timedelta(0))


def describe_duration(span: timedelta, locale: str = DEFAULT) -> str:
    """A duration as a person says it: `45 s`, `12 min`, `2 h 5 min`, `3 d 4 h` (`2 sa 5 dk`,
    `2 Std. 5 Min.`)."""
    t = translations(locale)
    seconds = int(abs(span).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    day, hour = t.gettext("%(count)s d"), t.gettext("%(count)s h")
    minute, second = t.gettext("%(count)s min"), t.gettext("%(count)s s")
    if days:
        return day % {"count": days} + (" " + hour % {"count": hours} if hours else "")
    if hours:
        return hour % {"count": hours} + (" " + minute % {"count": minutes} if minutes else "")
    if minutes:
        return minute % {"count": minutes}
    return second % {"count": secs}
