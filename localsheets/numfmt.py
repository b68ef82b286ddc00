"""Number formats: turning a cell's number into the string FORMATTED_VALUE shows.

Covers Google's default (automatic) rendering, number patterns (``0.00``,
``#,##0``, ``0%``, ``"$"#,##0.00``, ``0.00E+00``, sections split by ``;``) and
date/time patterns (``yyyy-mm-dd``, ``dd/mm/yyyy``, ``hh:mm:ss``, ``mmmm d``,
``am/pm`` ...). Dates are serial numbers: days since 1899-12-30, the fraction
being the time of day. Functions here are pure.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

EPOCH = datetime(1899, 12, 30)
DATE_TYPES = frozenset({"DATE", "TIME", "DATE_TIME"})

DEFAULT_PATTERNS: dict[str, str] = {
    "DATE": "M/d/yyyy",
    "TIME": "h:mm:ss am/pm",
    "DATE_TIME": "M/d/yyyy H:mm:ss",
    "NUMBER": "#,##0.00",
    "PERCENT": "0.00%",
    "CURRENCY": '"$"#,##0.00',
    "SCIENTIFIC": "0.00E+00",
}

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def to_serial(moment: datetime | date) -> float:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


def from_serial(serial: float) -> datetime:
    """Serial -> datetime, rounded to the millisecond to hide float noise."""
    millis = round(serial * 86400000)
    return EPOCH + timedelta(milliseconds=millis)


def plain_number(value: float) -> str:
    """Google's automatic format: integers plainly, up to 10 decimals, E notation at extremes."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e15 or magnitude < 1e-10:
        mantissa, exponent = f"{value:.2E}".split("E")
        return f"{mantissa}E{exponent[0]}{exponent[1:].lstrip('0').rjust(2, '0')}"
    if float(value).is_integer():
        return str(int(value))
    text = _fixed(value, 10).rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_number(value: float, number_format: dict[str, str] | None) -> str:
    """Render ``value`` with a CellFormat.numberFormat (or the automatic format)."""
    if not number_format:
        return plain_number(value)
    kind = number_format.get("type", "NUMBER")
    pattern = number_format.get("pattern") or DEFAULT_PATTERNS.get(kind)
    if not pattern or kind == "TEXT":
        return plain_number(value)
    if kind in DATE_TYPES:
        return format_datetime(value, pattern)
    return format_with_pattern(value, pattern)


def _sections(pattern: str) -> list[str]:
    sections: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in pattern:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
    sections.append("".join(current))
    return sections


_PLACEHOLDER = re.compile(r"[0#?][0#?,]*(?:\.[0#?]*)?|\.[0#?]+")


def _fixed(value: float, decimals: int) -> str:
    """Fixed-point text rounded half away from zero, as spreadsheets round."""
    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ",".join(parts)


def _format_core(value: float, spec: str) -> str:
    int_spec, _, dec_spec = spec.partition(".")
    grouping = "," in int_spec
    min_int = int_spec.count("0")
    min_dec = dec_spec.count("0")
    max_dec = len(dec_spec)
    text = _fixed(value, max_dec)
    int_part, _, dec_part = text.partition(".")
    dec_part = dec_part.rstrip("0")
    if len(dec_part) < min_dec:
        dec_part = dec_part.ljust(min_dec, "0")
    int_part = int_part.lstrip("0")
    if len(int_part) < min_int:
        int_part = int_part.rjust(min_int, "0")
    if grouping and int_part:
        int_part = _group(int_part)
    return f"{int_part}.{dec_part}" if dec_part else int_part


def _format_scientific(value: float, spec: str) -> str:
    mantissa_spec, _, exp_spec = spec.upper().partition("E")
    exp_digits = max(1, exp_spec.lstrip("+-").count("0"))
    exponent = 0 if value == 0 else math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent if value else 0.0
    body = _format_core(abs(mantissa), mantissa_spec)
    sign = "-" if exponent < 0 else "+"
    return f"{body}E{sign}{str(abs(exponent)).rjust(exp_digits, '0')}"


def format_with_pattern(value: float, pattern: str) -> str:
    """Render a number with a number pattern (not a date pattern)."""
    sections = _sections(pattern)
    section = sections[0]
    negative_section = len(sections) > 1 and value < 0
    if negative_section:
        section = sections[1]
    elif len(sections) > 2 and value == 0:
        section = sections[2]
    scaled = abs(value) if negative_section else value
    out: list[str] = []
    i = 0
    core_done = False
    literal_percent = False
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            out.append(section[i + 1 : end])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(section):
            out.append(section[i + 1])
            i += 2
            continue
        if ch in "_*" and i + 1 < len(section):
            i += 2
            continue
        if ch == "%":
            literal_percent = True
            out.append("%")
            i += 1
            continue
        match = _PLACEHOLDER.match(section, i) if not core_done else None
        if match:
            spec = match.group(0)
            end = match.end()
            if section[end : end + 2].upper() in ("E+", "E-"):
                exp = re.match(r"[Ee][+-][0#]+", section[end:])
                spec += exp.group(0) if exp else ""
                end += len(exp.group(0)) if exp else 0
            out.append(f"\0{spec}\0")
            core_done = True
            i = end
            continue
        if ch == "@":
            out.append(plain_number(value))
            i += 1
            continue
        out.append(ch)
        i += 1
    if literal_percent:
        scaled *= 100
    rendered = "".join(out)
    match = re.search(r"\0(.*?)\0", rendered)
    if not match:
        return rendered
    spec = match.group(1)
    if "E" in spec.upper():
        core = _format_scientific(abs(scaled), spec)
    else:
        core = _format_core(abs(scaled), spec)
    sign = "-" if scaled < 0 and core.strip("0.,") else ""
    return sign + rendered[: match.start()] + core + rendered[match.end() :]


_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|\[h+\]|\[m+\]|\[s+\]|am/pm|a/p|y+|m+|d+|h+|s+(?:\.0+)?|.',
    re.IGNORECASE,
)


def _date_tokens(pattern: str) -> list[str]:
    return _DATE_TOKEN.findall(pattern)


def _minute_positions(tokens: list[str]) -> set[int]:
    """Indices of ``m``/``mm`` tokens that mean minutes (after an hour or before seconds)."""
    minutes: set[int] = set()
    kinds = [t[0].lower() if t and t[0].isalpha() else "" for t in tokens]
    for i, tok in enumerate(tokens):
        if kinds[i] != "m" or len(tok) > 2:
            continue
        before = next((k for k in reversed(kinds[:i]) if k), "")
        after = next((k for k in kinds[i + 1 :] if k), "")
        if before == "h" or after == "s":
            minutes.add(i)
    return minutes


def format_datetime(serial: float, pattern: str) -> str:
    """Render a serial number with a date/time pattern."""
    moment = from_serial(serial)
    tokens = _date_tokens(pattern)
    twelve_hour = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    minutes = _minute_positions(tokens)
    out = []
    for i, tok in enumerate(tokens):
        low = tok.lower()
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        elif low.startswith("[h"):
            out.append(str(int(serial * 24)).rjust(len(tok) - 2, "0"))
        elif low.startswith("[m"):
            out.append(str(int(serial * 1440)).rjust(len(tok) - 2, "0"))
        elif low.startswith("[s"):
            out.append(str(int(serial * 86400)).rjust(len(tok) - 2, "0"))
        elif low == "am/pm":
            out.append("AM" if moment.hour < 12 else "PM")
        elif low == "a/p":
            out.append("A" if moment.hour < 12 else "P")
        elif low[0] == "y":
            out.append(str(moment.year)[-2:] if len(tok) <= 2 else str(moment.year).rjust(4, "0"))
        elif low[0] == "m" and i in minutes:
            out.append(str(moment.minute).rjust(len(tok), "0"))
        elif low[0] == "m":
            out.append(_month(moment.month, len(tok)))
        elif low[0] == "d":
            out.append(_day(moment, len(tok)))
        elif low[0] == "h":
            hour = (moment.hour % 12 or 12) if twelve_hour else moment.hour
            out.append(str(hour).rjust(min(len(tok), 2), "0"))
        elif low[0] == "s":
            out.append(_seconds(moment, tok))
        else:
            out.append(tok)
    return "".join(out)


def _month(month: int, width: int) -> str:
    name = MONTHS[month - 1]
    if width == 1:
        return str(month)
    if width == 2:
        return str(month).rjust(2, "0")
    if width == 3:
        return name[:3]
    if width == 4:
        return name
    return name[0]


def _day(moment: datetime, width: int) -> str:
    if width == 1:
        return str(moment.day)
    if width == 2:
        return str(moment.day).rjust(2, "0")
    name = WEEKDAYS[moment.weekday()]
    return name[:3] if width == 3 else name


def _seconds(moment: datetime, token: str) -> str:
    whole, _, fraction = token.partition(".")
    text = str(moment.second).rjust(len(whole), "0")
    if fraction:
        millis = f"{moment.microsecond // 1000:03d}"
        text += "." + millis[: len(fraction)].ljust(len(fraction), "0")
    return text
