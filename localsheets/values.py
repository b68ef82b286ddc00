"""Cell values: reading what a client writes, rendering what a client reads.

A cell is a JSON-like dict (``userEnteredValue``, ``userEnteredFormat``,
``dataValidation``, ``note``) and is never mutated once stored; writers build a
new dict. ``userEnteredValue`` is an ExtendedValue with exactly one of
``stringValue``, ``numberValue``, ``boolValue``, ``formulaValue``.

Input (valueInputOption): RAW stores strings as strings; USER_ENTERED parses like
Google's en_US editor (numbers, ``1,234.5``, ``12%``, ``$5``, TRUE/FALSE, dates,
times, ``=`` formulas, a leading ``'`` forcing text) and may yield a number
format, e.g. ``2020-01-01`` -> 43831 with DATE ``yyyy-mm-dd``.

Output (valueRenderOption): FORMATTED_VALUE renders with the cell's number
format; UNFORMATTED_VALUE gives numbers (dates as serials, or formatted strings
under dateTimeRenderOption FORMATTED_STRING); FORMULA gives formula text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .formulas import FormulaError
from .numfmt import DATE_TYPES, format_number, to_serial

Cell = dict[str, Any]
EMPTY: Cell = {}

VALUE_INPUT_OPTIONS = ("RAW", "USER_ENTERED")
VALUE_RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_TIME_RENDER_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
MONTH_FIRST_LOCALES = frozenset({"en_US", "en_PH", "es_US", "en_CA"})


@dataclass(frozen=True)
class UnsupportedFormula:
    """Effective value of a formula the evaluator cannot compute: shown as its text."""

    text: str


def raw_value(value: Any) -> dict[str, Any] | None:
    """ExtendedValue for valueInputOption RAW; ``None`` clears the value."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": str(value)}


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_ISO_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")
_SLASH_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(?:\s*([AaPp])[Mm])?")


def _decimals(text: str) -> int:
    _, _, frac = text.partition(".")
    return len(frac.split("e")[0].split("E")[0])


def _number_pattern(text: str, grouped: bool) -> str:
    decimals = _decimals(text)
    base = "#,##0" if grouped else "0"
    return base + ("." + "0" * decimals if decimals else "")


def _parse_number(text: str) -> tuple[float, str | None] | None:
    """Plain or grouped number -> (value, NUMBER pattern or None)."""
    if _NUMBER.fullmatch(text):
        return float(text), None
    if _GROUPED.fullmatch(text):
        return float(text.replace(",", "")), _number_pattern(text, grouped=True)
    return None


def _parse_date(text: str, locale: str) -> tuple[datetime, str] | None:
    iso = _ISO_DATE.fullmatch(text)
    try:
        if iso:
            year, sep, month, day = iso.groups()
            return datetime(int(year), int(month), int(day)), f"yyyy{sep}mm{sep}dd"
        slash = _SLASH_DATE.fullmatch(text)
        if slash:
            first, sep, second, year = slash.groups()
            if locale in MONTH_FIRST_LOCALES:
                return datetime(int(year), int(first), int(second)), f"M{sep}d{sep}yyyy"
            return datetime(int(year), int(second), int(first)), f"d{sep}M{sep}yyyy"
    except ValueError:
        return None
    return None


def _parse_time(text: str) -> tuple[float, str] | None:
    match = _TIME.fullmatch(text)
    if not match:
        return None
    hour, minute, second, millis, meridiem = match.groups()
    h, m, s = int(hour), int(minute), int(second or 0)
    if meridiem:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if meridiem.lower() == "p" else 0)
    if h > 23 or m > 59 or s > 59:
        return None
    fraction = (h * 3600 + m * 60 + s + int((millis or "0").ljust(3, "0")) / 1000) / 86400
    pattern = ("h" if len(hour) == 1 or meridiem else "hh") + ":mm"
    if second is not None:
        pattern += ":ss" + ("." + "0" * len(millis) if millis else "")
    if meridiem:
        pattern += " am/pm"
    return fraction, pattern


def _parse_temporal(text: str, locale: str) -> tuple[float, dict[str, str]] | None:
    date_part, _, time_part = text.partition(" ")
    parsed_date = _parse_date(date_part, locale)
    if parsed_date and time_part:
        parsed_time = _parse_time(time_part.strip())
        if parsed_time:
            serial = to_serial(parsed_date[0]) + parsed_time[0]
            pattern = f"{parsed_date[1]} {parsed_time[1]}"
            return serial, {"type": "DATE_TIME", "pattern": pattern}
        return None
    if parsed_date:
        return to_serial(parsed_date[0]), {"type": "DATE", "pattern": parsed_date[1]}
    parsed_time = _parse_time(text)
    if parsed_time:
        return parsed_time[0], {"type": "TIME", "pattern": parsed_time[1]}
    return None


def _parse_decorated_number(text: str) -> tuple[float, dict[str, str] | None] | None:
    """Numbers with %, $ or thousands separators, and plain numbers."""
    if text.endswith("%"):
        parsed = _parse_number(text[:-1].strip())
        if parsed is None:
            return None
        value, pattern = parsed
        decimals = _decimals(text[:-1])
        percent = "0" + ("." + "0" * decimals if decimals else "") + "%"
        return value / 100, {"type": "PERCENT", "pattern": percent}
    sign = ""
    body = text
    if body[:1] in "+-" and body[1:2] == "$":
        sign, body = body[0], body[1:]
    if body.startswith("$"):
        parsed = _parse_number(sign + body[1:].strip())
        if parsed is None:
            return None
        decimals = _decimals(body)
        pattern = '"$"#,##0' + ("." + "0" * decimals if decimals else "")
        return parsed[0], {"type": "CURRENCY", "pattern": pattern}
    parsed = _parse_number(text)
    if parsed is None:
        return None
    value, pattern = parsed
    return value, ({"type": "NUMBER", "pattern": pattern} if pattern else None)


def user_entered_value(
    value: Any, locale: str = "en_US"
) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
    """ExtendedValue and inferred numberFormat for valueInputOption USER_ENTERED."""
    if not isinstance(value, str):
        return raw_value(value), None
    if value == "":
        return None, None
    if value.startswith("'"):
        return {"stringValue": value[1:]}, None
    if value.startswith("=") and len(value) > 1:
        return {"formulaValue": value}, None
    text = value.strip()
    if text.upper() in ("TRUE", "FALSE"):
        return {"boolValue": text.upper() == "TRUE"}, None
    number = _parse_decorated_number(text)
    if number is not None:
        return {"numberValue": _tidy(number[0])}, number[1]
    temporal = _parse_temporal(text, locale)
    if temporal is not None:
        return {"numberValue": _tidy(temporal[0])}, temporal[1]
    return {"stringValue": value}, None


def _tidy(number: float) -> float | int:
    return int(number) if float(number).is_integer() and abs(number) < 2**53 else number


def json_number(number: float) -> float | int:
    """Numbers go out as JSON integers when they are whole, as Google sends them."""
    return _tidy(number)


def number_format(cell: Cell) -> dict[str, str] | None:
    fmt = cell.get("userEnteredFormat") or {}
    nf = fmt.get("numberFormat")
    return nf if isinstance(nf, dict) else None


def is_date_formatted(cell: Cell) -> bool:
    nf = number_format(cell)
    return bool(nf and nf.get("type") in DATE_TYPES)


def formatted(effective: Any, cell: Cell) -> str:
    """The FORMATTED_VALUE string for an effective value ('' when empty)."""
    if effective is None:
        return ""
    if isinstance(effective, UnsupportedFormula):
        return effective.text
    if isinstance(effective, FormulaError):
        return effective.code
    if isinstance(effective, bool):
        return "TRUE" if effective else "FALSE"
    if isinstance(effective, int | float):
        return format_number(float(effective), number_format(cell))
    return str(effective)


def render(
    effective: Any,
    cell: Cell,
    value_render: str = "FORMATTED_VALUE",
    date_time_render: str = "SERIAL_NUMBER",
) -> Any:
    """One cell as values.get returns it; '' for an empty cell."""
    if value_render == "FORMATTED_VALUE":
        return formatted(effective, cell)
    entered = cell.get("userEnteredValue") or {}
    if value_render == "FORMULA" and "formulaValue" in entered:
        return entered["formulaValue"]
    if effective is None:
        return ""
    if isinstance(effective, UnsupportedFormula | FormulaError):
        return formatted(effective, cell)
    if isinstance(effective, (bool, str)):
        return effective
    if date_time_render == "FORMATTED_STRING" and is_date_formatted(cell):
        return formatted(effective, cell)
    return json_number(float(effective))
