"""What follows rows or columns that insertDimension / deleteDimension move.

Google Sheets, like Excel and LibreOffice, keeps every reference pointing at the
same cells when rows or columns are inserted or deleted. The cells themselves
(value, formula, note, hyperlink, format, validation) move in
:meth:`Sheet.insert_dimension` / :meth:`Sheet.delete_dimension`; this module moves
what points at them:

- formulas in every sheet of the spreadsheet (and formulas in conditional-format
  and data-validation conditions): a reference after the moved lines shifts, a
  range around them grows or shrinks, a reference or a range wholly inside
  deleted lines becomes ``#REF!``; a whole-column reference (``A:A``) stays when
  rows move, a whole-row one (``2:2``) when columns move; a sheet-qualified
  reference follows only its own sheet, an unqualified one the formula's sheet;
- GridRanges the spreadsheet stores: merges, conditional-format ranges, named
  ranges, protected ranges, the basic filter and chart sources and anchors.
  A merge left with one cell is dropped, as are merges, conditional-format
  ranges, named ranges, protected ranges and the basic filter whose cells were
  all deleted; a chart source whose cells were all deleted becomes empty.

Not modelled (the emulator stores none of them): filter views, bandings, tables,
developer metadata, dimension groups, row heights and column widths. Basic-filter
criteria keyed by column index do not follow column moves.

Formulas are split with openpyxl's tokenizer; only its RANGE operands are
rewritten, so text literals and function names are never touched. The split is
remembered per formula text (bounded), since one sync's deleteDimension runs
shift the same formulas again and again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

from .a1 import col_index, col_letters
from .model import Sheet, Spreadsheet

REF_ERROR = "#REF!"
_ENDPOINT = re.compile(r"(\$?)([A-Za-z]{1,3})?(\$?)([0-9]+)?")
_NO_VALUE: dict[str, Any] = {}
_DIGITS = re.compile(r"[0-9]+")
_OPEN_END = 10**9  # the last line of an open-ended range such as A5:A
_GRID_RANGE_KEYS = ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")


@dataclass(frozen=True)
class Move:
    """``count`` rows (or columns) inserted before, or deleted from, 0-based ``start``."""

    sheet_id: int
    title: str
    rows: bool
    start: int
    count: int
    deleted: bool

    @property
    def end(self) -> int:
        return self.start + self.count

    def index(self, line: int) -> int | None:
        """Where line ``line`` stands after the move; None when it was deleted."""
        if self.deleted:
            if self.start <= line < self.end:
                return None
            return line - self.count if line >= self.end else line
        return line + self.count if line >= self.start else line

    def span(self, first: int, last: int) -> tuple[int, int] | None:
        """The inclusive span ``first..last`` after the move; None when all of it was deleted."""
        if not self.deleted:
            shift = self.count
            return (first + shift if first >= self.start else first,
                    last + shift if last >= self.start else last)
        if self.start <= first and last < self.end:
            return None
        if first >= self.start:
            first = self.start if first < self.end else first - self.count
        if last >= self.start:
            last = self.start - 1 if last < self.end else last - self.count
        return first, last


def follow(book: Spreadsheet, move: Move) -> None:
    """Adjust everything in ``book`` that refers to the lines ``move`` moved."""
    for sheet in book.sheets:
        _follow_cells(sheet, move)
        _follow_charts(sheet, move)
    moved = book.find_id(move.sheet_id)
    if moved is not None:
        _follow_sheet_ranges(moved, move)
    _follow_named_ranges(book, move)


# -- formulas ----------------------------------------------------------------------------
def moved_formula(formula: str, home: str, move: Move) -> str:
    """``formula`` (typed on sheet ``home``) with its references following ``move``."""
    if _before_the_move(formula, move):
        return formula
    parsed = _parsed(formula)
    if parsed is None:
        return formula
    pieces, refs = parsed
    moved = list(pieces)
    for i in refs:
        moved[i] = moved_reference(pieces[i], home, move)
    if moved == list(pieces):
        return formula
    text = "=" + "".join(moved)
    _remember(text, (tuple(moved), refs))
    return text


Parsed = tuple[tuple[str, ...], tuple[int, ...]]  # token texts, positions of references
_PARSED: dict[str, Parsed] = {}
_PARSED_LIMIT = 200_000


def _parsed(formula: str) -> Parsed | None:
    """The formula's tokens (openpyxl's tokenizer) and which are references; None if unreadable.

    Remembered by text, and a moved formula's tokens are remembered as it is made, so
    a formula shifted by many deleteDimension requests in a row is tokenized once.
    """
    known = _PARSED.get(formula)
    if known is not None:
        return known
    if not formula.startswith("="):
        return None
    try:
        items = Tokenizer(formula).items
    except TokenizerError:
        return None
    parsed = (tuple(t.value for t in items),
              tuple(i for i, t in enumerate(items)
                    if t.type == Token.OPERAND and t.subtype == Token.RANGE))
    _remember(formula, parsed)
    return parsed


def _remember(formula: str, parsed: Parsed) -> None:
    if len(_PARSED) >= _PARSED_LIMIT:
        _PARSED.clear()
    _PARSED[formula] = parsed


def _before_the_move(formula: str, move: Move) -> bool:
    """True when no row number in the text reaches the moved rows: nothing can change.

    Any digit run counts (numbers and text too), so this only ever errs on the side
    of looking closer; it keeps bottom-up deletions from re-reading every formula.
    """
    if not move.rows:
        return False
    return all(int(digits) <= move.start for digits in _DIGITS.findall(formula))


def moved_reference(text: str, home: str, move: Move) -> str:
    """One reference (``B5``, ``'My tab'!$B$2:B``, ``A:A``) after ``move``; names unchanged."""
    split = _split_sheet(text)
    if split is None:
        return text
    prefix, sheet, cells = split
    if (sheet or home).lower() != move.title.lower():
        return text
    endpoints = [_ENDPOINT.fullmatch(part) for part in cells.split(":")]
    if len(endpoints) > 2 or not all(m and (m[2] or m[4]) for m in endpoints):
        return text
    parts = [_Endpoint(*m.groups()) for m in endpoints if m]
    if len(parts) == 1 and not (parts[0].letters and parts[0].digits):
        return text
    lines = [_line(p, move.rows) for p in parts]
    if lines[0] is None:
        return text  # A:A when rows move, 2:2 when columns move: nothing to follow
    first, last = lines[0], lines[-1] if lines[-1] is not None else _OPEN_END
    if last < first:
        parts.reverse()
        first, last = last, first
    span = move.span(first, last)
    if span is None:
        return REF_ERROR
    out = [_with_line(parts[0], span[0], move.rows)]
    if len(parts) == 2:
        out.append(parts[1].text if lines[-1] is None else _with_line(parts[1], span[1],
                                                                       move.rows))
    return prefix + ":".join(out)


@dataclass(frozen=True)
class _Endpoint:
    col_dollar: str
    letters: str | None
    row_dollar: str
    digits: str | None

    @property
    def text(self) -> str:
        return f"{self.col_dollar}{self.letters or ''}{self.row_dollar}{self.digits or ''}"


def _line(point: _Endpoint, rows: bool) -> int | None:
    """The 0-based row (or column) an endpoint names, None when it leaves it open."""
    if rows:
        return int(point.digits) - 1 if point.digits else None
    return col_index(point.letters) if point.letters else None


def _with_line(point: _Endpoint, line: int, rows: bool) -> str:
    if rows:
        return f"{point.col_dollar}{point.letters or ''}{point.row_dollar}{line + 1}"
    return f"{point.col_dollar}{col_letters(line)}{point.row_dollar}{point.digits or ''}"


def _split_sheet(text: str) -> tuple[str, str | None, str] | None:
    """``'It''s'!A1`` -> (``'It''s'!``, ``It's``, ``A1``); None when it is not a reference."""
    if text.startswith("'"):
        closing = re.match(r"'((?:[^']|'')*)'!", text)
        if closing is None:
            return None
        return closing[0], closing[1].replace("''", "'"), text[closing.end():]
    sheet, bang, cells = text.rpartition("!")
    if not bang:
        return "", None, text
    return sheet + bang, sheet, cells


def _follow_cells(sheet: Sheet, move: Move) -> None:
    """Formulas and validation conditions of one sheet; stored cells are replaced, not edited."""
    for key, cell in _with_references(sheet):
        new = dict(cell)
        entered = cell.get("userEnteredValue") or {}
        if "formulaValue" in entered:
            new["userEnteredValue"] = {
                "formulaValue": moved_formula(entered["formulaValue"], sheet.title, move)
            }
        if "dataValidation" in cell:
            new["dataValidation"] = _moved_condition_holder(cell["dataValidation"],
                                                            sheet.title, move)
        if new != cell:
            sheet.cells[key] = new


def _with_references(sheet: Sheet) -> list[tuple[tuple[int, int], dict[str, Any]]]:
    """The cells holding a formula or a validation rule (one light pass over the sheet)."""
    return [(key, cell) for key, cell in sheet.cells.items()
            if "formulaValue" in cell.get("userEnteredValue", _NO_VALUE)
            or "dataValidation" in cell]


def _moved_condition_holder(holder: dict[str, Any], home: str, move: Move) -> dict[str, Any]:
    """A rule with a ``condition`` whose formula values (``=...``) follow ``move``."""
    condition = holder.get("condition") or {}
    values = condition.get("values") or []
    moved = [_moved_condition_value(v, home, move) for v in values]
    if moved == values:
        return holder
    return {**holder, "condition": {**condition, "values": moved}}


def _moved_condition_value(value: Any, home: str, move: Move) -> Any:
    entered = value.get("userEnteredValue") if isinstance(value, dict) else None
    if isinstance(entered, str) and entered.startswith("="):
        return {**value, "userEnteredValue": moved_formula(entered, home, move)}
    return value


# -- stored ranges -----------------------------------------------------------------------
def moved_grid_range(grid_range: dict[str, Any], move: Move) -> dict[str, Any] | None:
    """A GridRange after ``move``; None when every cell of it was deleted."""
    if int(grid_range.get("sheetId") or 0) != move.sheet_id:
        return grid_range
    start_key, end_key = ("startRowIndex", "endRowIndex") if move.rows else (
        "startColumnIndex", "endColumnIndex")
    start = int(grid_range.get(start_key, 0))
    end = grid_range.get(end_key)
    last = _OPEN_END if end is None else int(end) - 1
    if last < start:
        return grid_range
    span = move.span(start, last)
    if span is None:
        return None
    out = dict(grid_range)
    if start_key in out or span[0]:
        out[start_key] = span[0]
    if end is not None:
        out[end_key] = span[1] + 1
    return out


def _cells_in(grid_range: dict[str, Any]) -> int:
    rows = int(grid_range.get("endRowIndex", _OPEN_END)) - int(grid_range.get("startRowIndex", 0))
    cols = int(grid_range.get("endColumnIndex", _OPEN_END)) - int(
        grid_range.get("startColumnIndex", 0))
    return rows * cols


def _follow_sheet_ranges(sheet: Sheet, move: Move) -> None:
    extras = sheet.extras
    merges = [m for m in (moved_grid_range(m, move) for m in extras.get("merges", []))
              if m is not None and _cells_in(m) > 1]
    _store(extras, "merges", merges)
    rules = [r for r in (_moved_rule(r, sheet.title, move)
                         for r in extras.get("conditionalFormats", [])) if r is not None]
    _store(extras, "conditionalFormats", rules)
    protected = [p for p in (_moved_holder(p, move) for p in extras.get("protectedRanges", []))
                 if p is not None]
    _store(extras, "protectedRanges", protected)
    if "basicFilter" in extras:
        kept = _moved_holder(extras["basicFilter"], move)
        if kept is None:
            del extras["basicFilter"]
        else:
            extras["basicFilter"] = kept


def _store(extras: dict[str, Any], key: str, items: list[Any]) -> None:
    if items:
        extras[key] = items
    else:
        extras.pop(key, None)


def _moved_holder(holder: dict[str, Any], move: Move) -> dict[str, Any] | None:
    """An object with one ``range`` (named, protected, filter); None when its range went."""
    if "range" not in holder:
        return holder
    moved = moved_grid_range(holder["range"], move)
    return None if moved is None else {**holder, "range": moved}


def _moved_rule(rule: dict[str, Any], home: str, move: Move) -> dict[str, Any] | None:
    ranges = [r for r in (moved_grid_range(r, move) for r in rule.get("ranges", []))
              if r is not None]
    if not ranges:
        return None
    out = {**rule, "ranges": ranges}
    if "booleanRule" in rule:
        out["booleanRule"] = _moved_condition_holder(rule["booleanRule"], home, move)
    return out


def _follow_named_ranges(book: Spreadsheet, move: Move) -> None:
    named = [n for n in (_moved_holder(n, move) for n in book.extras.get("namedRanges", []))
             if n is not None]
    _store(book.extras, "namedRanges", named)


def _follow_charts(sheet: Sheet, move: Move) -> None:
    if "charts" in sheet.extras:
        sheet.extras["charts"] = [_moved_chart_part(c, move) for c in sheet.extras["charts"]]


def _moved_chart_part(node: Any, move: Move) -> Any:
    """Chart JSON with its GridRanges and anchor cell following ``move``."""
    if isinstance(node, list):
        return [_moved_chart_part(n, move) for n in node]
    if not isinstance(node, dict):
        return node
    if "sheetId" in node and any(key in node for key in _GRID_RANGE_KEYS):
        moved = moved_grid_range(node, move)
        return moved if moved is not None else _emptied(node, move)
    if ("rowIndex" in node or "columnIndex" in node) and int(
            node.get("sheetId") or 0) == move.sheet_id:
        key = "rowIndex" if move.rows else "columnIndex"
        line = int(node.get(key, 0))
        new = move.index(line)
        return {**node, key: move.start if new is None else new}
    return {k: _moved_chart_part(v, move) for k, v in node.items()}


def _emptied(grid_range: dict[str, Any], move: Move) -> dict[str, Any]:
    start_key, end_key = ("startRowIndex", "endRowIndex") if move.rows else (
        "startColumnIndex", "endColumnIndex")
    return {**grid_range, start_key: move.start, end_key: move.start}
