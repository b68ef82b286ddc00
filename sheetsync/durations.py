"""Durations as a studio writes them on the command line, and as sheetsync says them back.

`30s`, `15m` or `15min`, `2h`, `1d`, and sums of those (`1h30m`); `0` is zero. Pure.
"""

from __future__ import annotations

import re
from datetime import timedelta

from .errors import UserError

_PART = re.compile(r"(\d+)(min|d|h|m|s)", re.IGNORECASE)
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1),
          "min": timedelta(minutes=1), "s": timedelta(seconds=1)}


def parse_duration(text: str, *, example: str) -> timedelta:
    """The duration `text` says; a UserError that shows `example` when it says none."""
    raw = text.strip().replace(" ", "")
    if raw == "0":
        return timedelta(0)
    parts = _PART.findall(raw)
    if not raw or "".join(n + u for n, u in parts).lower() != raw.lower():
        raise UserError(f"'{text}' is not a duration; write it like {example}.")
    return sum((int(n) * _UNITS[u.lower()] for n, u in parts), timedelta(0))


def describe_duration(span: timedelta) -> str:
    """A duration as a person says it: `45 s`, `12 min`, `2 h 5 min`, `3 d 4 h`."""
    seconds = int(abs(span).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"
