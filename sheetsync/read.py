"""Parse cells into records: raw tables -> typed records plus the cell problems found.

Each tab's columns are described as data (`Field`: column -> parser, default, whether
it is required and whether an unreadable cell makes the row unusable), and one loop,
`parse_tab`, turns every row into an `Entry`: its record, and whether every cell of it
could be read. Only rules about a single cell live here (which cells a row needs may
depend on one other: an enrollment in a group needs no staff member or schedule of its
own); every rule across cells or rows (an end before its start, duplicate ids, references
to other tabs, what is held) is a check in validate.py.
`read_snapshot` is parse, then validate, then the Snapshot of the usable records.

Every tab whose rows all read the same fields (all but Enrollments) is read a column at
a time (`parse_columns`): each column's distinct values are parsed once, and only a row
with a cell that does not read cleanly (a blank required cell, an unreadable or unusable
value, a value whose type may read otherwise) goes through the row loop, which reports
its problems. Invariant, tested against the row loop on random junk: the same records,
problems (texts and order), held sets and notices as reading every row one by one.
The cyclic garbage collector is paused while reading (millions of objects, no cycle).

Problems are data: every cell that cannot be read becomes one `Problem` naming tab, row,
column and value, and reading goes on. Its sentence is the parser's `CellError` phrase (or
one built here), English in `problem`, translatable in `phrase` (problem_text.py shows it).
A record with a problem is left out, and every enrollment that depends on it (its package,
client, staff member, group, payments or appointments) is *held*: planning leaves its
appointments and balances exactly as they are.

A tab or required column that is missing makes the snapshot `structural`: only those
problems are reported, and the workbook is never written.

A cell the store delivers as `cells.Unusable` (a spreadsheet error, a formula whose result
was never saved, a date serial no calendar has) is reported, in every column sheetsync
reads, with the cause named, and is never taken for an id, a text or an empty cell: it
makes its row unreadable wherever an unreadable value would. Columns sheetsync does not
read are never looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache, partial
from operator import itemgetter
from typing import Any, Generic, TypeVar

from . import cells, collector, i18n, words
from .cells import CellError, Unusable
from .model import (
    Appointment,
    Client,
    Closure,
    Enrollment,
    Group,
    Notice,
    Package,
    Payment,
    Problem,
    Snapshot,
    Staff,
)
from .phrases import P_, SENTENCE_LIMIT, Name, Phrase, one_of
from .schedule import parse_schedule
from .schema import (
    ALL_TABS,
    APPOINTMENTS,
    CLIENT_STATUSES,
    CLIENTS,
    CLOSURES,
    ENROLLMENT_STATUSES,
    ENROLLMENTS,
    GROUPS,
    NOTIFICATIONS,
    PACKAGES,
    PAYMENTS,
    ROLES,
    STAFF,
)
from .sheet import Columns, empty_row, locate
from .stores.base import Table
from .validate import Entry, Findings, Parsed, cell_problem, validate

__all__ = ["Row", "locate", "read_snapshot", "rows"]

T = TypeVar("T")
R = TypeVar("R")

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")
MOST_SESSIONS = 500  # a package with more is a typo (and would plan years of slots)
EVERY_ROW_NEEDS_ONE = P_("{column} is empty; every row needs one.")  # column: the blank one


class Row:
    """One sheet row being read; remembers whether any cell made it unusable."""

    __slots__ = ("cols", "index", "number", "ok", "problems", "reported", "values", "width")

    def __init__(self, cols: Columns, number: int, values: list[object],
                 problems: list[Problem]) -> None:
        self.cols, self.number, self.values, self.problems = cols, number, values, problems
        self.index, self.width = cols.index, len(values)
        self.ok = True
        self.reported: set[str] | None = None  # columns whose unusable cell was reported

    def raw(self, name: str) -> object:
        i = self.index.get(name)
        return self.values[i] if i is not None and i < self.width else None

    def unusable(self, name: str) -> bool:
        return isinstance(self.raw(name), Unusable)

    def text(self, name: str, *, fatal: bool = True) -> str:
        """The cell as text; "" (after reporting it) for a cell holding no usable value."""
        value = self.raw(name)
        if isinstance(value, Unusable):
            self.report_unusable(name, value, fatal=fatal)
            return ""
        return cells.text(value)

    def report_unusable(self, name: str, value: Unusable, *, fatal: bool) -> None:
        if self.reported is None:
            self.reported = set()
        if name not in self.reported:
            self.reported.add(name)
            said = value.phrase.with_params(column=Name(name)) if value.phrase else None
            self.problem(name, said.ending() if said else f"{name} {value.cause}.",
                         fatal=fatal)

    def problem(self, name: str, message: str | Phrase, *, fatal: bool = True) -> None:
        self.problems.append(cell_problem(self.cols.tab.name, self.number, name,
                                          self.raw(name), message))
        if fatal:
            self.ok = False

    def get(self, name: str, parse: Callable[[object], T], default: T, *,
            required: bool = False, fatal: bool = True,
            empty: Phrase = EVERY_ROW_NEEDS_ONE) -> T:
        """Parse a cell; blank gives `default` (or the `empty` problem when required)."""
        value = self.raw(name)
        if isinstance(value, Unusable):
            self.report_unusable(name, value, fatal=fatal)
            return default
        if cells.is_blank(value):
            if required:
                self.problem(name, empty.with_params(column=Name(name)))
            return default
        try:
            return parse(value)
        except CellError as err:
            self.problem(name, _sentence(err), fatal=fatal)
            return default


def _sentence(err: CellError) -> str | Phrase:
    """The problem of a cell that cannot be read: the error's sentence, ending with a stop."""
    if err.phrase is not None:
        return err.phrase.ending()
    message = str(err)[:SENTENCE_LIMIT]
    return message if message.endswith("?") else message + "."


def rows(cols: Columns | None, problems: list[Problem]) -> Iterator[Row]:
    """The rows of a tab that hold something in a column sheetsync knows.

    A row with nothing but the studio's own columns filled (a formula filled down past
    the data, a note) is not a record: it is skipped, and in the tabs sheetsync writes
    it is where the next new record goes.
    """
    if cols is None:
        return
    for number, values in numbered_rows(cols):
        yield Row(cols, number, values, problems)


def numbered_rows(cols: Columns) -> Iterator[tuple[int, list[object]]]:
    """(sheet row, cells) of each row `rows` reads."""
    read = sorted(cols.index.values())
    lead = read[0] if read else 0
    for offset, values in enumerate(cols.table.rows):
        first = values[lead] if lead < len(values) else None
        if not (isinstance(first, str) and first.strip()) and empty_row(values, read):
            continue  # (the first known cell settles it for almost every row)
        yield offset + 2, values


class Remembered(Generic[T]):
    """`parse` remembered per distinct cell value.

    Appointments repeat the same dates, times, statuses, periods and amounts thousands
    of times; parsing each distinct value once makes reading a large tab several times
    faster. Values are kept apart by type too (1, 1.0 and True are equal in Python but
    not as cells).
    """

    def __init__(self, parse: Callable[[object], T]) -> None:
        self.parse = parse
        self.seen: dict[tuple[type, object], tuple[bool, T | object]] = {}

    def __call__(self, value: object) -> T:
        key = (type(value), value)
        hit = self.seen.get(key)
        if hit is None:
            try:
                hit = (True, self.parse(value))
            except CellError as err:
                hit = (False, err.args[0] if err.args else "")  # its Phrase (or text)
            self.seen[key] = hit
        if not hit[0]:
            raise CellError(hit[1])
        return hit[1]  # type: ignore[return-value]


def _text(value: object) -> str:
    return cells.text(value)


@dataclass(frozen=True, slots=True)
class Field:
    """How one column's cell becomes one attribute of a record."""

    column: str
    parse: Callable[[object], Any] = _text
    default: Any = ""
    required: bool = False
    fatal: bool = True  # False: an unreadable cell is reported, and the row still used
    empty: Phrase = EVERY_ROW_NEEDS_ONE  # the problem of a blank required cell
    attribute: str | None = None  # the record's attribute: the column's name, "" for none

    @property
    def name(self) -> str:
        return self.column if self.attribute is None else self.attribute


def _row_get(row: Row, f: Field, parse: Callable[[object], Any]) -> Any:
    """The cell of `f` in `row`, a blank or unreadable one reported as the field says."""
    return row.get(f.column, parse, f.default, required=f.required, fatal=f.fatal,
                   empty=f.empty)


Step = tuple[str, int | None, Callable[[object], Any], Field]  # name, position, parse, field


def parse_tab(cols: Columns | None, problems: list[Problem],
              fields: Callable[[Row], tuple[Field, ...]],
              build: Callable[[dict[str, Any], Row], R]) -> tuple[Entry[R], ...]:
    """Every row of a tab as an Entry: `fields(row)` says how its cells read, `build`
    makes the record. Each parser is remembered per distinct value for this read."""
    if cols is None:
        return ()
    remembered: dict[Callable[[object], Any], Remembered[Any]] = {}
    steps: dict[int, list[Step]] = {}  # by id(fields(row)): its fields, looked up once

    def steps_of(chosen: tuple[Field, ...]) -> list[Step]:
        for f in chosen:  # (a text needs no remembering: it is quicker made again)
            if f.parse is not _text:
                remembered.setdefault(f.parse, Remembered(f.parse))
        return [(f.name, cols.index.get(f.column), remembered.get(f.parse, f.parse), f)
                for f in chosen]

    entries: list[Entry[R]] = []
    for row in rows(cols, problems):
        chosen = fields(row)
        todo = steps.get(id(chosen))
        if todo is None:
            todo = steps[id(chosen)] = steps_of(chosen)
        entries.append(_parse_row(row, todo, build))
    return tuple(entries)


def _parse_row(row: Row, todo: list[Step], build: Callable[[dict[str, Any], Row], R]) -> Entry[R]:
    """One row read cell by cell, every problem of it reported as it is found."""
    values: dict[str, Any] = {}
    cells_, width = row.values, row.width
    for name, position, parse, f in todo:
        raw = cells_[position] if position is not None and position < width else None
        plain = not (raw is None or isinstance(raw, Unusable)
                     or (isinstance(raw, str) and not raw.strip()))
        try:  # the common case, a cell that reads, goes without Row.get's bookkeeping
            value = parse(raw) if plain else _row_get(row, f, parse)
        except CellError:  # Row.get reports it (parse remembers: it is not parsed twice)
            value = _row_get(row, f, parse)
        if name:
            values[name] = value
    return Entry(row.cols.tab.name, row.number, build(values, row), row.ok, row.values,
                 row.index)


# -- the columnar path -----------------------------------------------------------------------
class _Fail:
    """A cell the columnar path leaves to the row path (which reports it)."""

    __slots__ = ()


FAIL = _Fail()
# The types whose equal values read alike (1 == 1.0 == True, so at most one number type per
# column is settled by value; a float zero may be -0.0, which reads otherwise; a NaN equals
# nothing): any other cell goes to the row path.
_SETTLED = frozenset({str, int, float, bool, date, datetime, time, type(None)})
_NUMBERS = frozenset({int, float, bool})


def _settle(value: object, f: Field, parse: Callable[[object], Any]) -> Any:
    """What the row path reads from a cell that reports nothing, or FAIL."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return FAIL if f.required else f.default
    if type(value) is float and (value == 0 or value != value):
        return FAIL
    try:
        return parse(value)
    except CellError:
        return FAIL


def column_values(column: list[object], f: Field,
                  parse: Callable[[object], Any]) -> tuple[list[Any], bool]:
    """Each cell of a column as read (FAIL where the row path must read it), and whether any
    is FAIL: every distinct value is parsed once, and the column mapped through those
    results in one go."""
    kinds = set(map(type, column))
    if kinds <= _SETTLED and len(kinds & _NUMBERS) <= 1:
        if parse is _text and kinds <= {str, type(None)}:  # the trimmed text, or blank
            blank = FAIL if f.required else f.default  # (ids: mostly distinct, no dict)
            trimmed = [v.strip() if isinstance(v, str) else "" for v in column]
            if all(trimmed):
                return trimmed, False
            return [v or blank for v in trimmed], blank is FAIL
        settled = {v: _settle(v, f, parse) for v in set(column)}
        return (list(map(settled.__getitem__, column)),
                any(value is FAIL for value in settled.values()))
    by_kind: dict[tuple[type, object], Any] = {}
    out: list[Any] = []
    for v in column:
        if type(v) not in _SETTLED:
            out.append(FAIL)
            continue
        key = (type(v), v)
        hit = by_kind.get(key, by_kind)
        if hit is by_kind:
            hit = by_kind[key] = _settle(v, f, parse)
        out.append(hit)
    return out, any(value is FAIL for value in out)


def _column(rows_: list[list[object]], shortest: int, position: int | None) -> list[object]:
    if position is None:
        return [None] * len(rows_)
    if position < shortest:
        return list(map(itemgetter(position), rows_))
    return [values[position] if position < len(values) else None for values in rows_]


def _typed_columns(kept: list[tuple[int, list[object]]],
                   reads: list[tuple[int | None, Callable[[object], Any], Field]]
                   ) -> tuple[list[list[Any]], set[int]]:
    """The column of each (position, parse, field) over the kept rows, typed, and the
    indexes (in `kept`) of the rows with a FAIL in any of them."""
    kept_values = [values for _, values in kept]
    shortest = min(map(len, kept_values), default=0)
    typed = [column_values(_column(kept_values, shortest, position), f, parse)
             for position, parse, f in reads]
    failing = {i for column, failed in typed if failed
               for i, value in enumerate(column) if value is FAIL}
    return [column for column, _ in typed], failing


def parse_columns(cols: Columns | None, problems: list[Problem], fields: tuple[Field, ...],
                  build: Callable[[dict[str, Any], Row], R],
                  clean: Callable[[tuple[Any, ...], int], R] | None = None
                  ) -> tuple[Entry[R], ...]:
    """`parse_tab` for a tab whose rows all read the same fields, a column at a time.

    Each column is typed as a whole (its distinct values parsed once); a row whose every
    cell read without a problem is built from those values, and any other row is read by
    `parse_tab`'s row loop, in row order, so the problems, their texts and their order are
    exactly the row path's (a row without a problem adds none to the list). `clean`, when
    given, makes a clean row's record from its values in field order (`in_order`): what
    `build` makes of them.
    """
    if cols is None:
        return ()
    remembered: dict[Callable[[object], Any], Callable[[object], Any]] = {}
    for f in fields:
        if f.parse is not _text:
            remembered.setdefault(f.parse, Remembered(f.parse))
    todo: list[Step] = [(f.name, cols.index.get(f.column), remembered.get(f.parse, f.parse), f)
                        for f in fields]
    kept = list(numbered_rows(cols))
    columns, failing = _typed_columns(kept, [(position, parse, f)
                                             for _, position, parse, f in todo])
    names = [name for name, *_ in todo]
    unnamed = "" in names
    tab, index = cols.tab.name, cols.index
    if clean is not None and not failing:  # every row clean: no row to look at one by one
        return tuple(Entry(tab, number, clean(read, number), True, values, index)
                     for (number, values), read in zip(kept, zip(*columns, strict=True),
                                                       strict=True))
    entries: list[Entry[R]] = []
    for i, ((number, values), read) in enumerate(zip(kept, zip(*columns, strict=True),
                                                     strict=True)):
        if i in failing:
            entries.append(_parse_row(Row(cols, number, values, problems), todo, build))
            continue
        if clean is not None:
            record = clean(read, number)
        else:
            named = dict(zip(names, read, strict=True))
            if unnamed:
                del named[""]
            record = build(named, Row(cols, number, values, problems))
        entries.append(Entry(tab, number, record, True, values, index))
    return tuple(entries)


def in_order(kind: Callable[..., R], fields: tuple[Field, ...],
             *rest: object) -> Callable[[tuple[Any, ...], int], R]:
    """A clean row's record made from its values as they stand, then `rest`, then the row
    number: for records whose attributes start with `fields`, in that order (checked)."""
    names = [f.name for f in fields]
    attributes = [a.name for a in dataclass_fields(kind)]  # type: ignore[arg-type]
    assert attributes == [*names, *attributes[len(names):]], (names, attributes)
    assert attributes[len(names) + len(rest)] == "row", attributes

    def make(read: tuple[Any, ...], number: int) -> R:
        return kind(*read, *rest, number)
    return make


def _nonnegative(parse: Callable[[object], Decimal]) -> Callable[[object], Decimal]:
    def parse_nonnegative(value: object) -> Decimal:
        amount = parse(value)
        if amount < 0:
            raise CellError(P_("{raw} is negative", raw=cells.text(value)))
        return amount
    return parse_nonnegative


def _choice(*options: str) -> Callable[[object], str]:
    def parse_choice(value: object) -> str:
        raw = words.fold(cells.text(value))  # `ACTİVE` typed on a Turkish keyboard too
        if raw not in options:
            raise _should_be(value, options)
        return raw
    return parse_choice


def _should_be(value: object, shown: Sequence[str]) -> CellError:
    """`'maybe' should be active or closed`, the choices as the studio's workbook words them."""
    return CellError(P_("'{raw}' should be {choices}", raw=cells.text(value),
                        choices=one_of(shown)))


def _choice_is(meaning: str, among: tuple[str, ...],
               locale: str = "en") -> Callable[[object], bool]:
    """One of the words `among` (or, in another locale, the locale's word for one of them:
    `pasif` for `closed` in tr), read as: is it `meaning`?"""
    english = words.language(locale) == "en"
    choose = _choice(*among) if english else _local_choice(among, locale)

    def parse_is(value: object) -> bool:
        return choose(value) == meaning
    return parse_is


def _local_choice(among: tuple[str, ...], locale: str) -> Callable[[object], str]:
    vocabulary = words.choices(among, locale)
    shown = [words.choice_word(choice, locale) for choice in among]

    def parse_choice(value: object) -> str:
        found = vocabulary.meaning(cells.text(value))
        if found is None:
            raise _should_be(value, shown)
        return found
    return parse_choice


_CLIENT_ACTIVE = ("active", CLIENT_STATUSES)
_STAFF_MANAGER = ("manager", ROLES)
_ENROLLMENT_ACTIVE = ("active", ENROLLMENT_STATUSES)
_client_is_active = _choice_is(*_CLIENT_ACTIVE)
_staff_is_manager = _choice_is(*_STAFF_MANAGER)
_enrollment_is_active = _choice_is(*_ENROLLMENT_ACTIVE)


def _email(value: object) -> str:
    raw = cells.text(value)
    if not _EMAIL.match(raw):
        raise CellError(P_("'{raw}' is not an e-mail address", raw=raw))
    return raw


def _sessions(value: object) -> int:
    sessions = cells.parse_count(value)
    if sessions > MOST_SESSIONS:
        raise CellError(P_("{sessions} sessions is more than {most} sessions: is that a typo?",
                           sessions=sessions, most=MOST_SESSIONS))
    return sessions


def _minutes(value: object) -> int:
    minutes = cells.parse_count(value)
    if minutes > 24 * 60:
        raise CellError(P_("{minutes} minutes is longer than a day", minutes=minutes))
    return minutes


def _attempts(value: object) -> int:
    return cells.parse_count(value, minimum=0)


_money = _nonnegative(cells.parse_money)


def _required(column: str, empty: Phrase = EVERY_ROW_NEEDS_ONE) -> Field:
    return Field(column, required=True, empty=empty)


PACKAGE_FIELDS = (
    _required("package_id"),
    _required("name"),
    Field("sessions", _sessions, 0, required=True),
    Field("price", _money, Decimal(0), required=True),
    Field("duration_min", _minutes, 60),
    Field("commission_rate", cells.parse_rate, None, fatal=False),
    Field("active", cells.parse_bool, True),
)
CLIENT_FIELDS = (
    _required("client_id"),
    _required("name"),
    Field("email", _email, fatal=False),
    Field("phone", fatal=False),
    Field("status", _client_is_active, True, attribute="active"),
    Field("language", i18n.parse_language, "", fatal=False),  # blank: the studio's locale
)
STAFF_FIELDS = (
    _required("staff_id"),
    _required("name"),
    Field("email", _email, fatal=False),
    Field("role", _staff_is_manager, False, attribute="manager"),
    Field("commission_rate", cells.parse_rate, None, fatal=False),
)
GROUP_FIELDS = (
    _required("group_id"),
    _required("staff_id"),
    _required("name"),
    Field("schedule", parse_schedule, None, required=True),
    Field("capacity", cells.parse_count, None, fatal=False),
)
_ENROLLMENT_FIELDS = (
    _required("enrollment_id"),
    _required("client_id"),
    _required("package_id"),
    Field("group_id"),
    Field("start_date", cells.parse_date, None, required=True),
    Field("price_override", _money, None),
    Field("auto_renew", cells.parse_bool, True),
    Field("status", _enrollment_is_active, True, attribute="active"),
)
# With a group, the group's staff and schedule apply; what else is typed must still read.
GROUP_ENROLLMENT_FIELDS = (
    *_ENROLLMENT_FIELDS,
    Field("staff_id"),
    Field("schedule", parse_schedule, None, fatal=False, attribute=""),
)
SOLO_ENROLLMENT_FIELDS = (
    *_ENROLLMENT_FIELDS,
    _required("staff_id", P_("{column} is empty; an enrollment without a group needs a staff "
                             "member.")),
    Field("schedule", parse_schedule, None, required=True),
)
PAYMENT_FIELDS = (
    _required("enrollment_id"),
    Field("amount", cells.parse_money, Decimal(0), required=True),
    Field("date", cells.parse_date, None, required=True),
    Field("period", cells.parse_count, None),
    Field("method", fatal=False),
    Field("note", fatal=False),
)
CLOSURE_FIELDS = (
    Field("start_date", cells.parse_date, None, required=True),
    Field("end_date", cells.parse_date, None),  # blank: the start_date (see _closure)
    Field("staff_id"),
    Field("client_id"),
    Field("group_id"),
    Field("reason"),
)
APPOINTMENT_FIELDS = (
    _required("appointment_id", P_("{column} is empty; sheetsync leaves this row alone. Add "
                                   "new sessions through {tab}.",
                                   tab=Name("Enrollments", tab=True))),
    _required("enrollment_id"),
    Field("period", cells.parse_count, 0, required=True),
    Field("session", cells.parse_count, None),
    Field("client_id", fatal=False),
    Field("client_name", fatal=False),
    Field("group_id", fatal=False),
    Field("staff_id"),
    Field("date", cells.parse_date, None, required=True),
    Field("start", cells.parse_time, None, required=True),
    Field("end", cells.parse_time, None, required=True),
    Field("status", cells.parse_status, "", required=True),
    Field("planned", fatal=False),
    Field("price", _money, None, fatal=False),
    Field("commission", cells.parse_money, None, fatal=False),
    Field("commission_basis", fatal=False),
)


def _enrollment_fields(locale: str) -> Callable[[Row], tuple[Field, ...]]:
    in_a_group = fields_in(GROUP_ENROLLMENT_FIELDS, locale)
    solo = fields_in(SOLO_ENROLLMENT_FIELDS, locale)

    def fields_of(row: Row) -> tuple[Field, ...]:
        in_group = not cells.is_blank(row.raw("group_id"))  # an unusable cell counts as filled
        return in_a_group if in_group else solo
    return fields_of


# -- the studio's conventions ----------------------------------------------------------------
@cache
def _parsers_in(locale: str) -> dict[Callable[[object], Any], Callable[[object], Any]]:
    """Each parser that reads a studio's conventions, made for `locale` (made once)."""
    money = partial(cells.parse_money, locale=locale)
    return {
        cells.parse_money: money,
        _money: _nonnegative(money),
        cells.parse_date: partial(cells.parse_date, locale=locale),
        cells.parse_time: partial(cells.parse_time, locale=locale),
        cells.parse_rate: partial(cells.parse_rate, locale=locale),
        cells.parse_bool: partial(cells.parse_bool, locale=locale),
        cells.parse_status: partial(cells.parse_status, locale=locale),
        parse_schedule: partial(parse_schedule, locale=locale),
        _client_is_active: _choice_is(*_CLIENT_ACTIVE, locale),
        _staff_is_manager: _choice_is(*_STAFF_MANAGER, locale),
        _enrollment_is_active: _choice_is(*_ENROLLMENT_ACTIVE, locale),
    }


@cache
def fields_in(fields: tuple[Field, ...], locale: str) -> tuple[Field, ...]:
    """`fields` reading the money, dates, times, rates, yes/no, statuses and schedules of
    `locale` (English's always read too); English's own tables are the fields as they are."""
    if words.language(locale) == "en":
        return fields
    parsers = _parsers_in(words.language(locale))
    return tuple(replace(f, parse=parsers.get(f.parse, f.parse)) for f in fields)


def _closure(values: dict[str, Any], row: Row) -> Closure:
    if values["end_date"] is None:
        values["end_date"] = values["start_date"]
    return Closure(**values, row=row.number)


def _appointment(values: dict[str, Any], row: Row) -> Appointment:
    appointment = Appointment(**values, row=row.number)
    unreadable_money = (
        (not cells.is_blank(row.raw("commission")) and appointment.commission is None)
        or (not cells.is_blank(row.raw("price")) and appointment.price is None))
    return replace(appointment, commission_readable=False) if unreadable_money else appointment


def _record(kind: Callable[..., R]) -> Callable[[dict[str, Any], Row], R]:
    def build(values: dict[str, Any], row: Row) -> R:
        return kind(**values, row=row.number)
    return build


def _always(fields: tuple[Field, ...]) -> Callable[[Row], tuple[Field, ...]]:
    return lambda row: fields


def parse(cols: dict[str, Columns | None], problems: list[Problem], *,
          columnar: bool = True, locale: str = "en") -> Parsed:
    """Every studio tab's rows as records, read in `locale`'s conventions; cell problems are
    appended to `problems`.

    `columnar=False` reads every tab row by row: the reference the columnar path is tested
    against (both give the same records and problems, in the same order).
    """
    def tab(name: str, fields: tuple[Field, ...], build: Callable[[dict[str, Any], Row], R],
            clean: Callable[[tuple[Any, ...], int], R] | None = None) -> tuple[Entry[R], ...]:
        fields = fields_in(fields, locale)
        if columnar:
            return parse_columns(cols[name], problems, fields, build, clean)
        return parse_tab(cols[name], problems, _always(fields), build)

    return Parsed(
        packages=tab(PACKAGES.name, PACKAGE_FIELDS, _record(Package)),
        clients=tab(CLIENTS.name, CLIENT_FIELDS, _record(Client)),
        staff=tab(STAFF.name, STAFF_FIELDS, _record(Staff)),
        groups=tab(GROUPS.name, GROUP_FIELDS, _record(Group)),
        enrollments=parse_tab(cols[ENROLLMENTS.name], problems, _enrollment_fields(locale),
                              _record(Enrollment)),
        payments=tab(PAYMENTS.name, PAYMENT_FIELDS, _record(Payment), _CLEAN_PAYMENT),
        closures=tab(CLOSURES.name, CLOSURE_FIELDS, _closure),
        appointments=tab(APPOINTMENTS.name, APPOINTMENT_FIELDS, _appointment,
                         _CLEAN_APPOINTMENT),
    )


# the two long tabs: their records made without a dict of values per row
_CLEAN_PAYMENT = in_order(Payment, PAYMENT_FIELDS)
_CLEAN_APPOINTMENT = in_order(Appointment, APPOINTMENT_FIELDS, True)  # (commission_readable:
# a clean row's price and commission are blank or read)


_ENGLISH_NOTICE_STATUS = _choice(*words.NOTICE_STATUSES)


def _notice_status(value: object) -> str:
    """A Notifications status sheetsync wrote, in any shipped language (`başarısız`,
    `fehlgeschlagen`: the tab keeps its meaning when the locale changes); other text is
    refused as it always was."""
    found = words.value_meaning(cells.text(value), words.NOTICE_STATUSES)
    return found if found is not None else _ENGLISH_NOTICE_STATUS(value)


def parse_notices(cols: Columns | None, problems: list[Problem], *,
                  columnar: bool = True) -> dict[str, Notice]:
    """What was sent before, by key (the first row of a key counts). An unreadable status
    counts as sent: never a second message."""
    notices: dict[str, Notice] = {}
    if cols is None or not columnar:
        for row in rows(cols, problems):
            _notice(row, notices)
        return notices
    kept = list(numbered_rows(cols))
    columns, failing = _typed_columns(kept, [(cols.index.get(f.column), f.parse, f)
                                             for f in NOTICE_FIELDS])
    for i, ((number, values), (key, status, attempts)) in enumerate(
            zip(kept, zip(*columns, strict=True), strict=True)):
        if key is FAIL or (key and key not in notices and i in failing):
            _notice(Row(cols, number, values, problems), notices)  # it reports the problem
        elif key and key not in notices:
            notices[key] = Notice(key, status, attempts, number)
    return notices


NOTICE_FIELDS = (Field("key"), Field("status", _notice_status, "sent", fatal=False),
                 Field("attempts", _attempts, 0, fatal=False))


def _notice(row: Row, notices: dict[str, Notice]) -> None:
    key = row.text("key")
    if not key or key in notices:
        return
    status = row.get("status", _notice_status, "sent", fatal=False)
    attempts = row.get("attempts", _attempts, 0, fatal=False)
    notices[key] = Notice(key, status, attempts, row.number)


def _usable(entries: tuple[Entry[R], ...], found: Findings) -> tuple[R, ...]:
    return tuple(e.record for e in entries if found.usable(e))


def snapshot(parsed: Parsed, found: Findings, notices: dict[str, Notice],
             problems: list[Problem]) -> Snapshot:
    """The usable records of a parsed, validated workbook, with every problem in order."""
    closures = [c for c in _usable(parsed.closures, found) if c.start_date and c.end_date]
    return Snapshot(
        packages={p.package_id: p for p in _usable(parsed.packages, found)},
        clients={c.client_id: c for c in _usable(parsed.clients, found)},
        staff={s.staff_id: s for s in _usable(parsed.staff, found)},
        groups={g.group_id: g for g in _usable(parsed.groups, found)},
        enrollments={e.enrollment_id: e for e in _usable(parsed.enrollments, found)},
        payments=_usable(parsed.payments, found),
        closures=tuple(c for c in closures if not words.opens_the_studio(c.reason)),
        openings=tuple(c for c in closures if words.opens_the_studio(c.reason)),
        appointments=_usable(parsed.appointments, found),
        notices=notices,
        problems=tuple(sorted([*problems, *found.problems], key=Problem.sort_key)),
        held=found.held,
        taken_ids=frozenset(a.record.appointment_id for a in parsed.appointments
                            if a.record.appointment_id),
    )


def read_snapshot(tables: dict[str, Table], *, columnar: bool = True,
                  locale: str = "en") -> Snapshot:
    """Read every tab into a Snapshot: parse (in `locale`'s conventions), then validate;
    problems are collected, never raised. (`columnar`: see `parse`.)"""
    with collector.paused():
        return _read_snapshot(tables, columnar=columnar, locale=locale)


def _read_snapshot(tables: dict[str, Table], *, columnar: bool, locale: str) -> Snapshot:
    cols: dict[str, Columns | None] = {}
    structural: list[Problem] = []
    for tab in ALL_TABS:
        cols[tab.name], found = locate(tables, tab)
        structural.extend(found)
    if structural:  # row problems would only echo the missing tab or column
        return Snapshot(problems=tuple(structural), structural=True)
    problems: list[Problem] = []
    parsed = parse(cols, problems, columnar=columnar, locale=locale)
    notices = parse_notices(cols[NOTIFICATIONS.name], problems, columnar=columnar)
    return snapshot(parsed, validate(parsed), notices, problems)
