"""How references follow rows that are deleted or inserted, as a spreadsheet program does it.

Pure: no I/O, no zip, no XML. `RowMoves` says which rows of one sheet go and where
empty rows come in, in the sheet's original numbering; from it every kind of
reference is moved the way LibreOffice and Excel move it when a user deletes or
inserts rows:

- a cell reference follows its cell; a reference into a deleted row becomes `#REF!`;
- a range keeps the rows of it that survive (it shrinks, or grows when rows are
  inserted strictly inside it); a range whose every row is deleted becomes `#REF!`;
- a range that reaches the sheet's last row keeps reaching it ("sticky", as in
  LibreOffice), and whole-column references (`A:A`) never change;
- only references to the moved sheet change: unqualified ones in a formula that
  lives on that sheet, and `Sheet!A1` / `'My tab'!A1` ones anywhere.

Text inside string literals never changes: formulas are read with openpyxl's
formula tokenizer, not by pattern matching over the whole text.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

LAST_ROW = 1048576
REF_ERROR = "#REF!"


class FormulaNotUnderstood(ValueError):
    """A formula that must move with its rows but cannot be read."""


@dataclass(frozen=True)
class RowMoves:
    """Rows of one sheet deleted, and empty rows inserted, both in original row numbers.

    `inserted[r] = n` puts n empty rows right above original row r (r may be one past the
    last row). A row both deleted and given insertions above it: the new rows take its place.
    """

    deleted: frozenset[int] = frozenset()
    inserted: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_deleted", sorted(self.deleted))
        at = sorted((r, n) for r, n in self.inserted.items() if n > 0)
        total, cumulative = 0, []
        for _, n in at:
            total += n
            cumulative.append(total)
        object.__setattr__(self, "_inserted_at", [r for r, _ in at])
        object.__setattr__(self, "_inserted_sum", cumulative)

    def __bool__(self) -> bool:
        return bool(self.deleted) or any(n > 0 for n in self.inserted.values())

    @property
    def first(self) -> int:
        """The first original row whose number may change (LAST_ROW + 1 when none)."""
        candidates = [*self._deleted[:1], *self._inserted_at[:1]]  # type: ignore[attr-defined]
        return min(candidates, default=LAST_ROW + 1)

    def row(self, row: int) -> int | None:
        """Where original `row` lands; None when it is deleted."""
        deleted: list[int] = self._deleted  # type: ignore[attr-defined]
        i = bisect.bisect_left(deleted, row)
        if i < len(deleted) and deleted[i] == row:
            return None
        return row - i + self._inserted_above(row)

    def _inserted_above(self, row: int) -> int:
        at: list[int] = self._inserted_at  # type: ignore[attr-defined]
        j = bisect.bisect_right(at, row)
        return self._inserted_sum[j - 1] if j else 0  # type: ignore[attr-defined]

    def span(self, first: int, last: int, grow: bool = False) -> tuple[int, int] | None:
        """Where the rows first..last land; None when every one of them is deleted.

        `grow`: rows inserted right below the area's last surviving row join it (how
        LibreOffice treats conditional formats and validations).
        """
        if first > last:
            first, last = last, first
        low = self._survivor(first, last, 1)
        if low is None:
            return None
        high = self._survivor(last, first, -1)
        assert high is not None
        new_first = self.row(low)
        if last == LAST_ROW:
            new_last: int | None = LAST_ROW
        elif grow:
            after = self._survivor(last + 1, LAST_ROW + 1, 1)
            below = self.row(after) if after is not None and after <= LAST_ROW else None
            new_last = below - 1 if below is not None else self.row(high)
        else:
            new_last = self.row(high)
        assert new_first is not None and new_last is not None
        return new_first, min(new_last, LAST_ROW)

    def _survivor(self, start: int, stop: int, step: int) -> int | None:
        """The first row from `start` towards `stop` that is not deleted."""
        deleted: list[int] = self._deleted  # type: ignore[attr-defined]
        row = start
        i = bisect.bisect_left(deleted, row)
        while i < len(deleted) and i >= 0 and deleted[i] == row:
            row += step
            if (step > 0 and row > stop) or (step < 0 and row < stop):
                return None
            i += step
        return row

    def anchor_row(self, row: int) -> int:
        """0-based drawing anchors: a deleted row's objects slide to where the next row lands."""
        deleted: list[int] = self._deleted  # type: ignore[attr-defined]
        i = bisect.bisect_left(deleted, row)
        return row - i + self._inserted_above(row)


# -- one reference -----------------------------------------------------------------------------
_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")
_AREA = re.compile(r"^(\$?[A-Za-z]{1,3}\$?\d+)(?::(\$?[A-Za-z]{1,3}\$?\d+))?$")
_ROWS = re.compile(r"^(\$?)(\d+):(\$?)(\d+)$")


def shift_area(ref: str, moves: RowMoves, grow: bool = False) -> str | None:
    """`A5`, `$A$5:$C$9` or `5:9` moved with its rows; None when its rows are all gone.

    Anything else (a whole column, a name, a table) comes back unchanged.
    """
    rows = _ROWS.match(ref)
    if rows:
        dollar1, first, dollar2, last = rows.groups()
        moved = moves.span(int(first), int(last), grow)
        if moved is None:
            return None
        return f"{dollar1}{moved[0]}:{dollar2}{moved[1]}"
    area = _AREA.match(ref)
    if area is None:
        return ref
    start, end = area.groups()
    first = _CELL.fullmatch(start)
    assert first is not None
    if end is None and not grow:
        row = moves.row(int(first.group(4)))
        return None if row is None else _with_row(first, row)
    if end is None:
        span1 = moves.span(int(first.group(4)), int(first.group(4)), grow)
        if span1 is None:
            return None
        if span1[0] == span1[1]:
            return _with_row(first, span1[0])
        return f"{_with_row(first, span1[0])}:{_with_row(first, span1[1])}"
    second = _CELL.fullmatch(end)
    assert second is not None
    span = moves.span(int(first.group(4)), int(second.group(4)), grow)
    if span is None:
        return None
    low, high = span
    if int(first.group(4)) > int(second.group(4)):
        low, high = high, low
    return f"{_with_row(first, low)}:{_with_row(second, high)}"


def _with_row(cell: re.Match[str], row: int) -> str:
    return f"{cell.group(1)}{cell.group(2)}{cell.group(3)}{row}"


def shift_sqref(sqref: str, moves: RowMoves, grow: bool = False) -> str:
    """A space-separated list of areas (conditional formats, validations): '' when all gone."""
    kept = [shifted for part in sqref.split() if (shifted := shift_area(part, moves, grow))]
    return " ".join(kept)


# -- formulas ----------------------------------------------------------------------------------
_NUMBER = re.compile(r"\d+")


def shift_formula(formula: str, home: str, moves: Mapping[str, RowMoves],
                  row: int | None = None) -> str:
    """A formula (as stored in .xlsx, without '=') with its references moved.

    `home` is the sheet the formula lives on; `moves` the sheets whose rows move, by title;
    `row`, the formula's own row when known, lets a column of formulas share one reading.
    """
    if not formula or not _may_change(formula, home, moves):
        return formula
    folded = {title.casefold(): m for title, m in moves.items() if m}
    return "".join(_shift_token(kind, subtype, value, home.casefold(), folded)
                   for kind, subtype, value in formula_tokens(formula, row))


Tokens = tuple[tuple[str, str, str], ...]  # (type, subtype, text) of each token
OWN_ROW = str(LAST_ROW - 1)  # stands for the formula's own row while its shape is read


def formula_tokens(formula: str, row: int | None = None) -> Tokens:
    """The tokens of a formula (openpyxl's tokenizer), read once per shape.

    A column filled down (`A5&F5` in row 5, `A6&F6` in row 6, ...) has one shape: the
    formula with its own row number set aside. Raises FormulaNotUnderstood.
    """
    if row is None or OWN_ROW in formula or "\0" in formula:
        return _tokenized(formula)
    own = str(row)
    shape = _NUMBER.sub(lambda m: "\0" if m.group() == own else m.group(), formula)
    if "\0" not in shape:
        return _tokenized(formula)
    return tuple((kind, subtype, text.replace(OWN_ROW, own))
                 for kind, subtype, text in _tokenized(shape.replace("\0", OWN_ROW)))


@functools.lru_cache(maxsize=4096)
def _tokenized(formula: str) -> Tokens:
    try:
        items = Tokenizer("=" + formula).items
    except TokenizerError as err:
        raise FormulaNotUnderstood(f"{formula!r}: {err}") from None
    return tuple((t.type, t.subtype, t.value) for t in items)


def _may_change(formula: str, home: str, moves: Mapping[str, RowMoves]) -> bool:
    """A cheap test that skips most formulas: no number at or past the first moved row."""
    lowest = min((m.first for m in moves.values() if m), default=LAST_ROW + 1)
    if lowest > LAST_ROW:
        return False
    if not any(int(n) >= lowest for n in _NUMBER.findall(formula)):
        return False
    if moves.get(home):
        return True
    folded = formula.casefold()
    return any(title.casefold() in folded for title, m in moves.items() if m)


def _shift_token(kind: str, subtype: str, value: str, home: str,
                 moves: Mapping[str, RowMoves]) -> str:
    if kind == Token.OPERAND and subtype == Token.RANGE:
        return _shift_operand(value, home, moves)
    if kind == Token.FUNC and subtype == Token.OPEN and ":" in value:
        # `A1:INDEX(` - the tokenizer keeps a range's first cell with the function after it
        ref, _, function = value.rpartition(":")
        moved = _shift_operand(ref, home, moves)
        return f"{moved}:{function}"
    return value


def _shift_operand(operand: str, home: str, moves: Mapping[str, RowMoves]) -> str:
    sheet, bang, ref = operand.rpartition("!")
    if bang:
        if sheet.startswith("[") or _is_3d(sheet):
            return operand  # another workbook, or a span of sheets: not ours to move
        target = _unquote(sheet).casefold()
    else:
        target = home
    row_moves = moves.get(target)
    if row_moves is None:
        return operand
    moved = shift_area(ref, row_moves)
    if moved is None:
        return REF_ERROR  # bare, as Excel and LibreOffice write it (`Sheet!#REF!` reads as #NAME?)
    return f"{sheet}{bang}{moved}"


def _unquote(sheet: str) -> str:
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        return sheet[1:-1].replace("''", "'")
    return sheet


def _is_3d(sheet: str) -> bool:
    return ":" in (sheet if not sheet.startswith("'") else sheet.strip("'"))
