"""Weekly rules: parse what a studio types, expand it into session slots.

A rule is written once (`Mon 14:00, Thu 18:00`, `Tue,Fri 09:00`, `Monday 6:30pm`,
`Wed 18:00-19:30`, `every 2 weeks Sat 10:00`) or as an RFC 5545 `RRULE:` line.
A rule that does not parse raises `CellError`; nothing is guessed.

`parse_schedule(text, locale)` reads the studio's own words as well: Turkish (`Pzt 14:00,
Per 18:00`, `Salı,Cuma 09:00`, `2 haftada bir Cmt 10:00`) and German (`Mo,Do 18:00`,
`Di-Do 9:30`, `jeden 2. Woche Sa 10:00`, `18 Uhr`), with the weekday names of words.py;
English rules read the same in every locale. A day name that is a different day in English
and in the locale (Turkish `Sa`) is refused, never guessed. Messages are `Phrase`s (English
sentences the Problems tab shows in the studio's language), each built in one place.

Expansion uses dateutil's rrule in naive wall-clock time of the studio's zone,
so a 14:00 session stays at 14:00 across daylight-saving changes. Every
expansion is bounded by an explicit `until`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import NamedTuple

from dateutil import rrule

from . import words
from .cells import CellError, parse_clock
from .phrases import P_, Phrase

HORIZON = timedelta(days=366 * 6)

_DAYS = words.ENGLISH_DAYS
_RRULE_DAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_EXAMPLES = {"en": "Mon 14:00, Thu 18:00", "tr": "Pzt 14:00, Per 18:00", "de": "Mo 14:00, Do 18:00"}
_EXAMPLE = P_("write it like '{example}'", example=_EXAMPLES["en"])
_CLOCK = r"\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?"
_TOKEN = re.compile(
    rf"(?P<range>{_CLOCK}\s*(?:-|–|—|to)\s*{_CLOCK})"
    rf"|(?P<time>{_CLOCK})"
    r"|(?P<sep>[,;/&+@]|\band\b|\bat\b)"
    r"|(?P<days>[a-z]+\.?(?:\s*(?:-|–|\bto\b)\s*[a-z]+\.?)?)"
    r"|(?P<space>\s+)"
    r"|(?P<other>\S+)",
    re.IGNORECASE,
)
_INTERVAL = re.compile(
    r"\b(?:every\s+(?P<n>\d+)(?:st|nd|rd|th)?\s+weeks?|every\s+(?P<other>other)\s+week"
    r"|(?P<bi>bi-?weekly|fortnightly)|every\s+week|weekly)\b",
    re.IGNORECASE,
)


class Slot(NamedTuple):
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    weekday: int
    start: time
    end: time | None


@dataclass(frozen=True, slots=True)
class Schedule:
    """A parsed weekly rule. `entries` for the plain form, `rrule_text` for RRULE lines."""

    text: str
    entries: tuple[Entry, ...] = ()
    interval: int = 1
    rrule_text: str = ""

    def describe(self) -> str:
        if self.rrule_text:
            return self.rrule_text
        every = f"every {self.interval} weeks " if self.interval > 1 else ""
        return every + ", ".join(
            f"{_DAY_NAMES[e.weekday]} {e.start:%H:%M}" + (f"-{e.end:%H:%M}" if e.end else "")
            for e in self.entries
        )


def parse_schedule(text: object, locale: str = "en") -> Schedule:
    lang = words.language(locale)
    raw = " ".join(str(text or "").split())
    if not raw:
        raise CellError(P_("the schedule is empty; {example}", example=_example(lang)))
    if raw.upper().startswith(("RRULE:", "FREQ=")):
        return _parse_rrule(raw)
    if lang != "en":
        return _parse_local(raw, lang)
    interval = 1
    match = _INTERVAL.search(raw)
    if match:
        interval = _english_weeks(match)
        raw_rest = (raw[: match.start()] + " " + raw[match.end():]).strip()
        if _INTERVAL.search(raw_rest):
            raise _twice(raw, _EXAMPLE)
    else:
        raw_rest = raw
    if not 1 <= interval <= 52:
        raise _not_weekly(raw, interval)
    entries = _parse_entries(raw_rest, raw, _ENGLISH)
    return Schedule(text=raw, entries=entries, interval=interval)


def _english_weeks(match: re.Match[str]) -> int:
    """The weeks between sessions an `_INTERVAL` match says (`every 3 weeks`, `every other
    week`, `biweekly`, `weekly`)."""
    if match["n"]:
        return int(match["n"])
    return 2 if match["other"] or match["bi"] else 1


@dataclass(frozen=True, slots=True)
class _Reading:
    """How one language's rules are read: tokens, day words, the example shown on a typo."""

    tokens: re.Pattern[str]
    day: Callable[[str, str], int]  # (word, the whole rule) -> weekday, or CellError
    example: Phrase
    day_names: Sequence[str]
    day_range: str = r"\s*(?:-|–|\bto\b)\s*"  # between the first and last day of a range


def _example(lang: str) -> Phrase:
    return P_("write it like '{example}'", example=_EXAMPLES[lang])


def _twice(raw: str, example: Phrase) -> CellError:
    return CellError(P_("'{raw}' says how often twice; {example}", raw=raw, example=example))


def _not_weekly(raw: str, interval: int) -> CellError:
    return CellError(P_("'{raw}': a session every {interval} weeks is not a weekly rule",
                        raw=raw, interval=interval))


def _parse_local(raw: str, lang: str) -> Schedule:
    """A Turkish or German rule (English's phrasing read too): how often, then days and times."""
    body = unicodedata.normalize("NFC", raw)
    interval, rest = _local_interval(body, lang)
    if not 1 <= interval <= 52:
        raise _not_weekly(raw, interval)
    if lang == "de":
        rest = _GERMAN_HOURS.sub(_hours_as_clock, rest)
    return Schedule(text=raw, entries=_parse_entries(rest, raw, _local_reading(lang)),
                    interval=interval)


def _numbers(lang: str) -> str:
    """The number words of `lang` (with and without accents) as one regex alternative."""
    names = set(words.NUMBER_WORDS[lang]) | {words.strip_accents(w) for w in
                                               words.NUMBER_WORDS[lang]}
    return "|".join(sorted(names, key=len, reverse=True))


# Every N weeks, on the text in lower case: (pattern, weeks or 0 when the pattern's `n` says).
_EVERY: dict[str, tuple[tuple[re.Pattern[str], int], ...]] = {
    "en": ((_INTERVAL, 0),),  # its groups say how many weeks (_english_weeks)
    "tr": (
        (re.compile(rf"(?:\bher\s+)?\b(?P<n>\d+|{_numbers('tr')})\s+haftada\s+bir\b"), 0),
        (re.compile(rf"\bher\s+(?P<n>\d+|{_numbers('tr')})\s+hafta(?:da)?\b"), 0),
        (re.compile(r"\bher\s+hafta\b|\bhaftada\s+bir\b|\bhaftal[ıi]k\b"), 1),
    ),
    "de": (
        (re.compile(rf"\bjede[nrs]?\s+(?P<n>\d+\.?|{_numbers('de')})\s+woche\b"), 0),
        (re.compile(rf"\balle\s+(?P<n>\d+|{_numbers('de')})\s+wochen\b"), 0),
        (re.compile(r"(?:\bvierzehn|\b14-?)t(?:ä|ae|a)gig\b|(?:\bvierzehn|\b14-?)t(?:ä|ae|a)glich\b"
                    r"|\bzweiw(?:ö|oe|o)ch(?:entlich|ig)\b"), 2),
        (re.compile(r"\bjede[n]?\s+woche\b|\bw(?:ö|oe|o)chentlich\b"), 1),
    ),
}


def _local_interval(body: str, lang: str) -> tuple[int, str]:
    """How many weeks apart the sessions are, and the rule without those words."""
    lowered = words.lower_in_place(body, lang)
    found = _every_n_weeks(lowered, lang)
    if found is None:
        return 1, body
    interval, start, end = found
    rest = body[:start] + " " + body[end:]
    if _every_n_weeks(lowered[:start] + " " + lowered[end:], lang) is not None:
        raise _twice(body, _example(lang))
    return interval, rest.strip()


def _every_n_weeks(lowered: str, lang: str) -> tuple[int, int, int] | None:
    """The first (then longest) phrase saying how often: (weeks, start, end)."""
    found: list[tuple[int, int, int]] = []
    for pattern, weeks in (*_EVERY["en"], *_EVERY[lang]):
        match = pattern.search(lowered)
        if match is None:
            continue
        if pattern is _INTERVAL:
            weeks = _english_weeks(match)
        elif not weeks:
            weeks = words.number_word(match["n"].rstrip("."), lang) or 0
        found.append((weeks, match.start(), match.end()))
    if not found:
        return None
    return min(found, key=lambda f: (f[1], -f[2]))


_GERMAN_HOURS = re.compile(
    r"(?P<a>\d{1,2}(?:[:.]\d{2})?)(?:\s*(?:-|–|bis)\s*(?P<b>\d{1,2}(?:[:.]\d{2})?))?\s*uhr\b",
    re.IGNORECASE)


def _hours_as_clock(match: re.Match[str]) -> str:
    """`18 Uhr` -> `18:00`, `18-19.30 Uhr` -> `18:00-19.30`."""
    def clock(hours: str) -> str:
        return hours if not hours.isdigit() else f"{hours}:00"
    return clock(match["a"]) + (f"-{clock(match['b'])}" if match["b"] else "")


@cache
def _local_reading(lang: str) -> _Reading:
    letters = r"[^\W\d_]"
    to = r"(?:-|–|—|\bto\b|\bbis\b)" if lang == "de" else r"(?:-|–|—|\bto\b)"
    joining = {"tr": r"\bve\b|\bsaat\b|\bher\b", "de": r"\bund\b|\bum\b|\bam\b|\bjeden?\b"}
    tokens = re.compile(
        rf"(?P<range>{_CLOCK}\s*{to}\s*{_CLOCK})"
        rf"|(?P<time>{_CLOCK})"
        rf"|(?P<sep>[,;/&+@]|\band\b|\bat\b|{joining[lang]})"
        rf"|(?P<days>{letters}+\.?(?:\s*{to}\s*{letters}+\.?)?)"
        r"|(?P<space>\s+)"
        r"|(?P<other>\S+)",
        re.IGNORECASE,
    )

    def day(word: str, raw: str) -> int:
        vocabulary = words.weekdays(lang)
        weekday = vocabulary.meaning(word)
        if weekday is not None:
            return weekday
        if vocabulary.is_ambiguous(word):
            raise CellError(P_("'{raw}': '{word}' could be two different days; write the "
                               "day's name in full", raw=raw, word=word))
        raise _not_a_day(raw, word, _example(lang))
    names = tuple(words.day_name(d, lang) for d in range(7))
    return _Reading(tokens, day, _example(lang), names, rf"\s*{to}\s*")


def _parse_entries(body: str, raw: str, reading: _Reading) -> tuple[Entry, ...]:
    entries: list[Entry] = []
    pending_days: list[int] = []
    last_days: list[int] = []
    for token in reading.tokens.finditer(body):
        kind = token.lastgroup
        value = token.group()
        if kind in ("sep", "space"):
            continue
        if kind == "days":
            pending_days.extend(_days(value, raw, reading))
        elif kind in ("time", "range"):
            days = pending_days or last_days
            if not days:
                raise CellError(P_("'{raw}': the time {time} has no day before it; {example}",
                                   raw=raw, time=value, example=reading.example))
            start, end = _times(value, raw)
            entries.extend(Entry(d, start, end) for d in days)
            last_days, pending_days = days, []
        else:
            raise CellError(P_("'{raw}': '{word}' is not a day or a time; {example}",
                               raw=raw, word=value, example=reading.example))
    if pending_days:
        names = ", ".join(reading.day_names[d] for d in pending_days)
        raise CellError(P_("'{raw}': {days} has no time; {example}", raw=raw, days=names,
                           example=reading.example))
    if not entries:
        raise CellError(P_("'{raw}' has no day and time; {example}", raw=raw,
                           example=reading.example))
    unique = sorted(set(entries), key=lambda e: (e.weekday, e.start))
    starts = [(e.weekday, e.start) for e in unique]
    if len(starts) != len(set(starts)):
        raise CellError(P_("'{raw}' gives one session two different end times", raw=raw))
    return tuple(unique)


def _days(word: str, raw: str, reading: _Reading) -> list[int]:
    parts = re.split(reading.day_range, word.replace(".", ""), flags=re.I)
    days = [reading.day(p, raw) for p in parts if p]
    if len(days) == 2:
        first, last = days
        return [(first + i) % 7 for i in range((last - first) % 7 + 1)]
    return days


def _day(word: str, raw: str) -> int:
    key = word.lower()
    key = key[:-1] if key.endswith("s") and key[:-1] in _DAYS else key
    if key not in _DAYS:
        raise _not_a_day(raw, word, _EXAMPLE)
    return _DAYS[key]


def _not_a_day(raw: str, word: str, example: Phrase) -> CellError:
    return CellError(P_("'{raw}': '{word}' is not a day; {example}", raw=raw, word=word,
                        example=example))


def _times(value: str, raw: str) -> tuple[time, time | None]:
    parts = re.split(r"\s*(?:-|–|—|\bto\b|\bbis\b)\s*", value.strip(), maxsplit=1,
                     flags=re.I)
    try:
        if len(parts) == 1:
            return parse_clock(parts[0]), None
        start_text, end_text = parts
        suffix = re.search(r"[ap]\.?m\.?$", end_text, re.I)
        if suffix and not re.search(r"[ap]\.?m", start_text, re.I):
            start_text += suffix.group()  # `6-7pm` means 6pm to 7pm
        start, end = parse_clock(start_text), parse_clock(end_text)
    except CellError as err:
        raise CellError(P_("'{raw}': {reason}", raw=raw, reason=err.phrase or str(err))
                        ) from None
    if end <= start:
        raise CellError(P_("'{raw}': the session ends at {end}, before it starts", raw=raw,
                           end=f"{end:%H:%M}"))
    return start, end


_ENGLISH = _Reading(_TOKEN, _day, _EXAMPLE, _DAY_NAMES)


def _parse_rrule(raw: str) -> Schedule:
    body = raw[6:] if raw.upper().startswith("RRULE:") else raw
    parts = dict(
        p.split("=", 1) for p in body.upper().replace(" ", "").split(";") if "=" in p
    )
    if parts.get("FREQ") not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        raise CellError(P_("'{raw}': an RRULE needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY",
                           raw=raw))
    if "BYHOUR" not in parts:
        raise CellError(P_("'{raw}': an RRULE needs BYHOUR (and BYMINUTE) for the session "
                           "time", raw=raw))
    if "DTSTART" in body.upper():
        raise CellError(P_("'{raw}': leave DTSTART out; the start date comes from the sheet",
                           raw=raw))
    text = "RRULE:" + re.sub(r"\s*([;=,])\s*", r"\1", body.strip())  # `; BYDAY = MO` too
    try:
        _build_rrule(text, date(2026, 1, 1), datetime(2026, 2, 1))
    except (ValueError, TypeError) as err:
        raise CellError(P_("'{raw}' is not a valid RRULE ({reason})", raw=raw,
                           reason=str(err))) from None
    return Schedule(text=raw, rrule_text=text)


def _build_rrule(text: str, anchor: date, until: datetime) -> rrule.rrule:
    rule = rrule.rrulestr(text, dtstart=datetime.combine(anchor, time()), ignoretz=True)
    if not isinstance(rule, rrule.rrule):
        raise ValueError("only one RRULE line is supported")
    count, end = getattr(rule, "_count", None), getattr(rule, "_until", None)
    if count is None and (end is None or end > until):
        rule = rule.replace(until=until)
    return rule


def slots(
    schedule: Schedule,
    anchor: date,
    start_from: datetime,
    duration: timedelta,
    horizon: timedelta = HORIZON,
) -> Iterator[Slot]:
    """Slots of `schedule` starting at or after `start_from`, in time order.

    `anchor` fixes which weeks an every-N-weeks rule falls on; nothing is
    produced before it. Expansion stops `horizon` after `start_from`.
    """
    start_from = max(start_from, datetime.combine(anchor, time()))
    until = start_from + horizon
    if schedule.rrule_text:
        rule = _build_rrule(schedule.rrule_text, anchor, until)
        for start in rule.xafter(start_from, inc=True):
            yield Slot(start, start + duration)
        return
    ends = {(e.weekday, e.start): e.end for e in schedule.entries}
    first = _first_week(anchor, start_from.date(), schedule.interval)
    rules = rrule.rruleset()
    for start_time in sorted({e.start for e in schedule.entries}):
        weekdays = [_RRULE_DAYS[e.weekday] for e in schedule.entries if e.start == start_time]
        rules.rrule(rrule.rrule(
            rrule.WEEKLY,
            interval=schedule.interval,
            byweekday=weekdays,
            byhour=start_time.hour,
            byminute=start_time.minute,
            bysecond=0,
            dtstart=datetime.combine(first, time()),
            until=until,
            wkst=rrule.MO,
        ))
    for start in rules.xafter(start_from, inc=True):
        end_time = ends[(start.weekday(), start.time())]
        end = datetime.combine(start.date(), end_time) if end_time else start + duration
        yield Slot(start, end)


def _first_week(anchor: date, start: date, interval: int) -> date:
    """Where to begin expanding: the anchor itself, or a later Monday in step with it.

    Skipping whole cycles keeps an every-N-weeks rule on the same weeks while sparing
    the expansion of years of past weeks.
    """
    monday = anchor - timedelta(days=anchor.weekday())
    cycles = (start - monday).days // (7 * interval)
    return anchor if cycles <= 0 else monday + timedelta(weeks=cycles * interval)
