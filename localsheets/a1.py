"""A1 notation: parsing ranges such as ``'My sheet'!A1:C`` and writing them back.

Indices are 0-based and end-exclusive, like the API's GridRange. A bound that is
``None`` is open (``A:A`` has no row bounds). Parsing is purely syntactic: which
sheet a bare word like ``Sheet1`` or ``D3`` names is decided by the model, which
knows the sheet titles. Output follows Google: sheet titles are quoted only when
they need it, and a one-cell range is written as a single cell (``Sheet1!B2``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_REF = re.compile(r"\$?([A-Za-z]{1,3})?\$?([0-9]+)?")
_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+")
_R1C1_LIKE = re.compile(r"[Rr][0-9]*[Cc][0-9]*")


@dataclass(frozen=True)
class Bounds:
    """A rectangle of cells; ``None`` means open on that side."""

    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None


@dataclass(frozen=True)
class A1:
    """A parsed A1 string.

    ``sheet`` is an explicit sheet title (quoted, or before ``!``); ``bare`` is an
    unquoted word without ``!`` that may name a sheet; ``cells`` is ``None`` when
    the range is a whole sheet.
    """

    text: str
    sheet: str | None
    cells: Bounds | None
    bare: str | None = None


def col_letters(index: int) -> str:
    """0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """``A`` -> 0, ``AA`` -> 26 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


def _parse_ref(text: str) -> tuple[int | None, int | None]:
    match = _REF.fullmatch(text)
    if not match or not (match.group(1) or match.group(2)):
        raise ValueError(text)
    col = col_index(match.group(1)) if match.group(1) else None
    row = int(match.group(2)) - 1 if match.group(2) else None
    if row is not None and row < 0:
        raise ValueError(text)
    return col, row


def parse_cells(text: str) -> Bounds:
    """Parse the part after ``!``: ``A1``, ``A1:B2``, ``A:A``, ``2:2``, ``A1:C``, ``A1:1``."""
    if ":" not in text:
        col, row = _parse_ref(text)
        if col is None or row is None:
            raise ValueError(text)
        return Bounds(row, row + 1, col, col + 1)
    first, _, second = text.partition(":")
    c1, r1 = _parse_ref(first)
    c2, r2 = _parse_ref(second)
    start_row, end_row = r1, None if r2 is None else r2 + 1
    start_col, end_col = c1, None if c2 is None else c2 + 1
    if r1 is not None and r2 is not None and r2 < r1:
        start_row, end_row = r2, r1 + 1
    if c1 is not None and c2 is not None and c2 < c1:
        start_col, end_col = c2, c1 + 1
    return Bounds(start_row, end_row, start_col, end_col)


def _read_quoted(text: str) -> tuple[str, str]:
    """Split ``'it''s'!A1`` into (``it's``, ``!A1``)."""
    i = 1
    name = []
    while i < len(text):
        ch = text[i]
        if ch == "'":
            if text[i + 1 : i + 2] == "'":
                name.append("'")
                i += 2
                continue
            return "".join(name), text[i + 1 :]
        name.append(ch)
        i += 1
    raise ValueError(text)


def parse_a1(text: str) -> A1:
    """Parse an A1 range; raises ValueError when it is not A1 notation."""
    stripped = text.strip()
    if not stripped:
        raise ValueError(text)
    if stripped.startswith("'"):
        sheet, rest = _read_quoted(stripped)
        if not rest:
            return A1(text, sheet, None)
        if not rest.startswith("!") or len(rest) == 1:
            raise ValueError(text)
        return A1(text, sheet, parse_cells(rest[1:]))
    if "!" in stripped:
        sheet, _, cells = stripped.rpartition("!")
        if not sheet or not cells:
            raise ValueError(text)
        return A1(text, sheet, parse_cells(cells))
    try:
        return A1(text, None, parse_cells(stripped), bare=stripped)
    except ValueError:
        return A1(text, None, None, bare=stripped)


def quote_title(title: str) -> str:
    """Quote a sheet title the way Google writes it in returned ranges."""
    needs_quotes = (
        not _PLAIN_TITLE.fullmatch(title)
        or _CELL_LIKE.fullmatch(title) is not None
        or _R1C1_LIKE.fullmatch(title) is not None
    )
    if not needs_quotes:
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_name(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


def format_range(title: str, start_row: int, end_row: int, start_col: int, end_col: int) -> str:
    """Closed rectangle (end-exclusive indices) -> ``Sheet1!A1:B2`` or ``Sheet1!B2``."""
    first = cell_name(start_row, start_col)
    if end_row - start_row == 1 and end_col - start_col == 1:
        return f"{quote_title(title)}!{first}"
    return f"{quote_title(title)}!{first}:{cell_name(end_row - 1, end_col - 1)}"
