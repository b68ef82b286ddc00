"""Workbook coordinates: where sheetsync's columns stand in a tab, and the cells to write.

Read and write meet here. `locate` finds a tab and its known columns (matched by
header, in any order, among the studio's own); `TabWriter` turns wanted values
into cell changes in the coordinates of the read, writing a cell only when its
value or its type differs (`same_cell`). A row with nothing in any known column
(only the studio's own cells, e.g. a formula filled down in advance) is no
record, and is where the next new record goes. Pure: no I/O.

Most rows of a sync already hold what is wanted, so `TabWriter.update` first compares
the whole row in one go: the wanted values as the store reads such cells back
(`canonical`, e.g. a date as the datetime xlsx gives) against the raw row, value and
exact type. Only a row that differs there is compared cell by cell. The fast answer
"same" can never hide a difference: a canonical value is used only when `same_cell`
accepts it for the wanted value, and `same_cell` gives the same answer for any raw
cell of that exact type and value.

Outside English sheetsync's own words (schema.WORDED: the appointment status, Balances
state, Notifications status, Runs mode and result) are written in the locale's word
(`written_words`: `cancelled` -> `iptal`, `active` -> `aktif`), also inside the one
comparison; a cell that already holds a word of that value (`keeps_word`: `İPTAL` the
studio typed, or `cancelled`/`active` in an English workbook now synced in Turkish) is left
as it is. A row holding the English words is still one comparison more, not a cell-by-cell
one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from . import cells
from .model import Problem
from .phrases import P_, Name, Phrase
from .schema import (
    ENGLISH,
    Kind,
    Tab,
    find_tab,
    header_key,
    is_translation,
    keeps_word,
    worded,
)
from .schema import written_words as words_in
from .stores.base import Cell, InsertedRows, TabChanges, Table, WorkbookChanges


@dataclass(frozen=True, slots=True)
class Columns:
    """A tab as found in the workbook: its title and where each known column stands."""

    tab: Tab
    table: Table
    index: dict[str, int]  # canonical column name -> 0-based position
    locale: str = ENGLISH  # the language of the words sheetsync writes (statuses)

    def position(self, name: str) -> int | None:
        """1-based sheet column of `name`, or None when the tab lacks it."""
        i = self.index.get(name)
        return None if i is None else i + 1


def locate(tables: dict[str, Table], tab: Tab, locale: str = ENGLISH,
           ) -> tuple[Columns | None, list[Problem]]:
    """Find `tab` and its columns, by titles in any language (`header_key`); problems for a
    missing tab or column are structural. `locale` is the language sheetsync writes in."""
    title = find_tab(list(tables), tab)
    if title is None:
        return None, [_problem(tab.name, None, "", "", P_(
            "The {tab} tab is missing; run 'sheetsync init' on this workbook to add it.",
            tab=Name(tab.name, tab=True)))]
    table = tables[title]
    wanted = {header_key(c.name): c.name for c in tab.columns + tab.extras}
    index: dict[str, int] = {}
    problems: list[Problem] = []
    for i, header in enumerate(table.header):
        name = wanted.get(header_key(header))
        if name is None:
            continue
        if name in index and is_translation(header) != is_translation(
                table.header[index[name]]):
            # the English header is sheetsync's; a translated one beside it (an English
            # workbook's own `Program` column) is the studio's own, as it always was
            if is_translation(header):
                continue
        elif name in index:
            problems.append(_problem(tab.name, 1, cells.text(header), cells.text(header),
                                     P_("Two columns are called {column}; rename or delete "
                                        "one.", column=Name(name))))
        index[name] = i
    needed = tab.column_names if tab.owned else tab.required
    for name in needed:
        if name not in index:
            missing = (P_("The {column} column is missing; run 'sheetsync init' to add it.")
                       if tab.owned else
                       P_("The {column} column is missing; add it to the header row."))
            problems.append(_problem(tab.name, 1, name, "",
                                     missing.with_params(column=Name(name))))
    return Columns(tab, table, index, locale), problems


def _problem(tab: str, row: int | None, column: str, value: str, phrase: Phrase) -> Problem:
    return Problem(tab, row, column, value, str(phrase), phrase)


def empty_row(values: list[object], read: list[int]) -> bool:
    """Nothing in any column sheetsync knows (an unusable cell there is something)."""
    return all(cells.is_blank(values[i]) for i in read if i < len(values))


def holds_nothing_known(cols: Columns, values: list[object]) -> bool:
    """True for a row with nothing in any column sheetsync knows."""
    return empty_row(values, sorted(cols.index.values()))


def last_used_row(cols: Columns) -> int:
    """The sheet row of the last row holding something in a known column (1: none)."""
    read = sorted(cols.index.values())
    for offset in range(len(cols.table.rows) - 1, -1, -1):
        if not empty_row(cols.table.rows[offset], read):
            return offset + 2
    return 1


_EXACT = {Kind.TEXT: str, Kind.INT: int, Kind.DATE: date}


def same_cell(kind: Kind, raw: Cell, wanted: Cell) -> bool:
    """True when the cell already holds `wanted` as the right type of cell."""
    exact = _EXACT.get(kind)
    if exact is not None and type(raw) is exact and type(wanted) is exact and wanted != "":
        return raw == wanted  # the common case, decided as below but without conversions
    if wanted is None or wanted == "":
        return cells.is_blank(raw)
    if isinstance(raw, str) and kind is not Kind.TEXT:
        return False  # a date or number typed as text is rewritten as a real cell
    try:
        if kind is Kind.TEXT:
            return isinstance(raw, str) and raw == wanted
        if kind is Kind.INT:
            return _number(raw) == Decimal(str(wanted))
        if kind in (Kind.MONEY, Kind.NUMBER):
            return _number(raw) == Decimal(str(wanted))
        if kind is Kind.DATE:
            assert isinstance(wanted, date)
            return _as_datetime(raw) == datetime.combine(wanted, time())
        if kind is Kind.TIME:
            assert isinstance(wanted, time)
            return _as_time(raw) == wanted
        if kind is Kind.DATETIME:
            got = _as_datetime(raw)
            return got is not None and isinstance(wanted, datetime) and (
                got.replace(second=0, microsecond=0) == wanted.replace(second=0, microsecond=0))
    except (InvalidOperation, ValueError, TypeError, OverflowError):
        return False
    return False


def _number(raw: Cell) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return None
    return Decimal(str(raw))


def _as_datetime(raw: Cell) -> datetime | None:
    if isinstance(raw, datetime):
        return raw
    if isinstance(raw, date):
        return datetime.combine(raw, time())
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        moment = cells.from_serial(float(raw))
        return moment.replace(microsecond=0) if moment.microsecond < 500000 else moment
    return None


def _as_time(raw: Cell) -> time | None:
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    if isinstance(raw, datetime) and raw.date() <= date(1900, 1, 1):
        return raw.time().replace(second=0, microsecond=0)
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 0 <= raw < 1:
        minutes = round(float(raw) * 1440)
        return time(minutes // 60 % 24, minutes % 60)
    return None


_NEVER: Cell = object()  # equal to no cell read: the row is compared cell by cell
_MISSING = object()
_SAMPLED_ROWS = 64


def canonical(kind: Kind, wanted: Cell, sample: type | None = None) -> Cell:
    """`wanted` as a store reads such a cell back, in the form of `sample` (the type of the
    column's cells as read, e.g. datetime for an xlsx date, int for a Google serial date),
    or `_NEVER` when unsure. Never a value `same_cell` would not accept for `wanted`."""
    if wanted is None or wanted == "":
        return None
    if kind is Kind.TEXT:
        return wanted if type(wanted) is str else _NEVER
    candidate = _candidate(kind, wanted, sample)
    if candidate is _NEVER or not same_cell(kind, candidate, wanted):
        return _NEVER
    return candidate


def _candidate(kind: Kind, wanted: Cell, sample: type | None) -> Cell:
    if kind in (Kind.INT, Kind.MONEY, Kind.NUMBER):
        if type(wanted) in (int, float):
            return wanted
        if type(wanted) is Decimal and wanted.is_finite():
            return int(wanted) if wanted == wanted.to_integral_value() else float(wanted)
        return _NEVER
    if kind is Kind.DATE and type(wanted) is date:
        if sample is date:
            return wanted
        if sample in (int, float):
            return _serial(cells.to_serial(wanted))
        return datetime.combine(wanted, time())
    if isinstance(wanted, time | datetime) and wanted.tzinfo is not None:
        return _NEVER  # equal instants in other zones are not the same cell
    if kind is Kind.TIME and type(wanted) is time:
        return cells.to_serial(wanted) if sample is float else wanted
    if kind is Kind.DATETIME and type(wanted) is datetime:
        return _serial(cells.to_serial(wanted)) if sample in (int, float) else wanted
    return _NEVER


def _serial(value: float) -> float | int:
    """A serial number as a JSON reply gives it: whole days as an int."""
    return int(value) if value == int(value) else value


def _column_sample(table: Table, index: int) -> type | None:
    """The type of the column's first non-blank cell among the first rows, if any."""
    for values in table.rows[:_SAMPLED_ROWS]:
        if index < len(values) and not cells.is_blank(values[index]):
            return type(values[index])
    return None


# Wanted values compared as they are: text and whole numbers read back unchanged (text
# "" as an empty cell). Every other kind goes through `canonical`, remembered per value.
_AS_IS: dict[Kind, frozenset[type]] = {Kind.TEXT: frozenset({str, type(None)}),
                                       Kind.INT: frozenset({int, type(None)})}
_CONVERTED: dict[Kind, tuple[type, ...]] = {
    Kind.DATE: (date,), Kind.TIME: (time,), Kind.DATETIME: (datetime,),
    Kind.MONEY: (Decimal, int), Kind.NUMBER: (Decimal, int)}
_BLANK: dict[Cell, Cell] = {"": None}


def _allowed(kind: Kind) -> frozenset[type]:
    """The types of wanted value the one-comparison check takes for a column of `kind`; a
    row with any other (a bool, a float, a number for a text column) is compared cell by
    cell. Within these types equal values have the same canonical form."""
    if kind in _AS_IS:
        return _AS_IS[kind]
    return frozenset({str, type(None), *_CONVERTED.get(kind, ())})


class _RowShape:
    """Compares rows of one set of wanted column names in one comparison (`holds`).

    Columns kept as they are come first (`as_is` of them), the converted ones after,
    each with its memo: wanted value -> canonical cell.
    """

    __slots__ = (
        "allowed",
        "as_is",
        "checked",
        "english",
        "kinds",
        "memos",
        "missing",
        "picked",
        "raw",
        "samples",
        "wanted",
        "width",
    )

    def __init__(self, names: tuple[str, ...],
                 columns: list[tuple[str, int, Kind, type | None]],
                 words: Mapping[str, Mapping[Cell, Cell]] | None = None) -> None:
        columns = sorted(columns, key=lambda c: c[2] not in _AS_IS)  # stable: as-is first
        words = words or {}
        self.wanted = _getter([name for name, _, _, _ in columns])  # from a mapping
        self.picked = _getter([names.index(name) for name, _, _, _ in columns])  # a tuple
        self.raw = _getter([index for _, index, _, _ in columns])
        self.kinds = [kind for _, _, kind, _ in columns]
        self.samples = [sample for _, _, _, sample in columns]
        self.as_is = sum(kind in _AS_IS for kind in self.kinds)
        # a text column written in the locale's words (statuses) maps each wanted word to
        # the one written, so a row already holding it is still one comparison
        self.memos: tuple[dict[Cell, Cell], ...] = tuple(
            {**_BLANK, **words[name]} if name in words else _BLANK if kind in _AS_IS else {}
            for (name, _, _, _), kind in zip(columns, self.kinds, strict=True))
        # the same with those columns as they are: a row of an English workbook synced in
        # another locale holds the English word, which stays (`keeps_status_word`)
        self.english = tuple(_BLANK if name in words else memo for (name, _, _, _), memo
                             in zip(columns, self.memos, strict=True)) if words else None
        self.allowed = [_allowed(kind) for kind in self.kinds]
        self.missing = (_MISSING,) * (len(columns) - self.as_is)
        self.width = max(index for _, index, _, _ in columns) + 1
        self.checked: dict[tuple[type, ...], bool] = {}  # wanted types -> all allowed?

    def holds(self, held: Sequence[Cell], wanted: tuple[Cell, ...]) -> bool:
        """True when `held` already holds every `wanted` cell (`wanted` or `picked` of the
        values), value and exact type."""
        if len(held) < self.width:
            return False
        types = tuple(map(type, wanted))
        allowed = self.checked.get(types)
        if allowed is None:
            allowed = self.checked[types] = all(map(frozenset.__contains__, self.allowed,
                                                    types))
        if not allowed:
            return False
        try:
            found = tuple(map(dict.get, self.memos, wanted,
                              (*wanted[:self.as_is], *self.missing)))
            if _MISSING in found:
                found = self._learn(wanted, found)
        except TypeError:  # an unhashable value (a signalling NaN): compare cell by cell
            return False
        raw = self.raw(held)
        if raw != found and self.english is not None:
            found = tuple(map(dict.get, self.english, wanted,
                              (*wanted[:self.as_is], *found[self.as_is:])))
        return raw == found and tuple(map(type, raw)) == tuple(map(type, found))

    def _learn(self, wanted: tuple[Cell, ...], found: tuple[Cell, ...]) -> tuple[Cell, ...]:
        """`found` with the values met for the first time made canonical and remembered."""
        out = list(found)
        for i, value in enumerate(found):
            if value is _MISSING:
                out[i] = self.memos[i][wanted[i]] = canonical(self.kinds[i], wanted[i],
                                                              self.samples[i])
        return tuple(out)


def _getter(keys: Sequence[object]) -> Callable[[object], tuple[Cell, ...]]:
    """itemgetter that always gives a tuple, also for one key."""
    if len(keys) == 1:
        key = keys[0]
        return lambda container: (container[key],)  # type: ignore[index]
    return itemgetter(*keys)  # type: ignore[return-value]


class TabWriter:
    """Collects the changes for one tab. Its methods take rows of the read; the changes
    address them as they stand once the rows `insert_before` adds are inserted
    (stores/base.py), which is the read's numbering until a row is inserted."""

    def __init__(self, cols: Columns, changes: WorkbookChanges) -> None:
        self.cols = cols
        self.out: TabChanges = changes.tab(cols.table.title)
        # column name -> (1-based position, kind), for the columns the tab has
        self.targets: dict[str, tuple[int, Kind]] = {}
        for column in cols.tab.columns:
            position = cols.position(column.name)
            if position is not None:
                self.targets[column.name] = (position, column.kind)
                if column.kind is not Kind.TEXT:
                    self.out.kinds[position] = column.kind
        # below the last row sheetsync can read: rows that hold nothing but the studio's own
        # columns (a formula filled down in advance) take new records, keeping those cells
        self.next_row = last_used_row(cols) + 1
        self.below_records = self.next_row  # the first row of the read below every record
        self._numbering: InsertedRows | None = None  # of out.inserts, once it has some
        self.samples = {name: _column_sample(cols.table, position - 1)
                        for name, (position, _) in self.targets.items()}
        self.shapes: dict[tuple[str, ...], _RowShape | None] = {}
        self.among = worded_columns(cols)
        self.words = written_words(cols)

    def update(self, row: int, values: Mapping[str, Cell]) -> bool:
        """Write the cells of `values` that differ from what row `row` holds; any written?"""
        held = self._held(row)
        shape = self._shape(tuple(values))
        if shape is None or shape.holds(held, shape.wanted(values)):
            return False
        return self._update_cells(self._placed(row), held, values)

    def update_row(self, row: int, names: tuple[str, ...], values: tuple[Cell, ...]) -> bool:
        """`update` with the values in the order of `names`: a row that already holds them
        costs no mapping."""
        held = self._held(row)
        shape = self._shape(names)
        if shape is None or shape.holds(held, shape.picked(values)):
            return False
        return self._update_cells(self._placed(row), held, dict(zip(names, values, strict=True)))

    def _placed(self, row: int) -> int:
        """Where row `row` of the read stands once the rows inserted so far are in."""
        if not self.out.inserts:
            return row
        if self._numbering is None:
            self._numbering = InsertedRows(self.out.inserts)
        return self._numbering.placed(row)

    def _held(self, row: int) -> list[Cell]:
        table = self.cols.table
        return (table.header if row == 1 else
                table.rows[row - 2] if 2 <= row <= len(table.rows) + 1 else [])

    def _shape(self, names: tuple[str, ...]) -> _RowShape | None:
        """The one-comparison check for rows of these names (None: no column to write)."""
        if names not in self.shapes:
            columns = [(n, self.targets[n][0] - 1, self.targets[n][1], self.samples[n])
                       for n in names if n in self.targets]
            self.shapes[names] = _RowShape(names, columns, self.words) if columns else None
        return self.shapes[names]

    def _update_cells(self, row: int, held: Sequence[Cell], values: Mapping[str, Cell]) -> bool:
        """`update`, compared cell by cell with `same_cell`."""
        width = len(held)
        changed = False
        for name, wanted in values.items():
            target = self.targets.get(name)
            if target is None:
                continue
            position, kind = target
            raw = held[position - 1] if position <= width else None
            words = self.words.get(name)
            if words is not None and isinstance(wanted, str) and wanted in words:
                if isinstance(raw, str) and keeps_word(raw, wanted, self.among[name],
                                                       self.cols.locale):
                    continue  # a word that already means that value stays
                wanted = words[wanted]
            if not same_cell(kind, raw, wanted):
                self.out.updates[(row, position)] = _blank_as_none(wanted)
                changed = True
        return changed

    def append(self, values: Mapping[str, Cell]) -> int:
        """A new record below the last one; its row in the coordinates of the changes."""
        row = self._placed(self.next_row)
        self.next_row += 1
        self._write_new(row, values)
        return row

    def insert_before(self, row: int, values: Mapping[str, Cell]) -> int:
        """A new record in a row inserted right above row `row` of the read (below the rows
        inserted there before it); below the last record it is an `append`. Rows below move
        down by the insert, as in a spreadsheet program: they are not rewritten. Returns the
        new row in the coordinates of the changes."""
        return self.insert_before_each([(row, values)])[0]

    def insert_before_each(self, records: Sequence[tuple[int, Mapping[str, Cell]]]) -> list[int]:
        """`insert_before` for each (row, values) in turn, renumbering what was collected
        before only once (a sync renewing many periods costs n log n, not n squared); returns
        where each record stands once all of them are in."""
        old_counts = self.out.inserts
        counts = dict(old_counts)
        for row, _ in records:
            if row < self.below_records:
                counts[row] = counts.get(row, 0) + 1
        if counts != old_counts:
            self._renumber(InsertedRows(old_counts), InsertedRows(counts), counts)
            self.out.inserts = counts
            self._numbering = None
        numbering = InsertedRows(counts)
        taken = dict(old_counts)  # row -> the new rows above it given a record so far
        placed: list[int] = []
        for row, values in records:
            if row >= self.below_records:
                placed.append(self.append(values))
                continue
            new = numbering.placed(row) - counts[row] + taken.get(row, 0)
            taken[row] = taken.get(row, 0) + 1
            self._write_new(new, values)
            placed.append(new)
        return placed

    def _renumber(self, old: InsertedRows, new: InsertedRows, counts: Mapping[int, int]) -> None:
        """The changes collected so far, moved to where their rows stand once the rows of
        `counts` are inserted (earlier inserted rows stay above the new ones)."""
        def moved(row: int) -> int:
            original, k = old.read_row(row)
            return new.placed(original) - (0 if k is None else counts[original] - k)

        out = self.out
        out.updates = {(moved(r), c): v for (r, c), v in out.updates.items()}
        out.deletes = {moved(r) for r in out.deletes}
        out.guards = {moved(r): cols for r, cols in out.guards.items()}

    def _write_new(self, row: int, values: Mapping[str, Cell]) -> None:
        for name, wanted in values.items():
            position = self.cols.position(name)
            if position is not None and wanted is not None and wanted != "":
                words = self.words.get(name)
                self.out.updates[(row, position)] = (
                    words.get(wanted, wanted) if words is not None and isinstance(wanted, str)
                    else wanted)

    def delete(self, row: int) -> None:
        """Delete row `row` of the read."""
        self.out.deletes.add(self._placed(row))


def worded_columns(cols: Columns) -> dict[str, tuple[str, ...]]:
    """Column name -> the values it holds, for the tab's columns of sheetsync's own words."""
    found = {c.name: worded(cols.tab, c) for c in cols.tab.columns}
    return {name: among for name, among in found.items() if among is not None}


def written_words(cols: Columns) -> dict[str, dict[Cell, Cell]]:
    """Column name -> canonical value -> the word written for it in the tab's locale, for
    the columns of sheetsync's own words outside English (`cancelled` -> `iptal`, `failed`
    -> `başarısız`); in English nothing."""
    if cols.locale == ENGLISH:
        return {}
    out: dict[str, dict[Cell, Cell]] = {}
    for name, among in worded_columns(cols).items():
        out[name] = {}
        out[name].update(words_in(among, cols.locale))
    return out


def _blank_as_none(value: Cell) -> Cell:
    return None if value == "" else value
