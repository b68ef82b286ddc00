"""The local .xlsx workbook: the embedded default, no account needed.

Reading uses python-calamine (a Rust reader, several times faster than openpyxl)
and hands the core the values openpyxl would: empty cells as None, whole numbers
as int, date cells as datetime, cached values of formulas. Writing patches only
the worksheets that change (xlsxpatch.py) and copies every other part of the
file byte for byte; `init`, `demo` and the Commissions chart take the same path
(xlsxparts.py), a new workbook starting as a skeleton package. openpyxl rewrites
a studio's whole file only when the store was made with `rewrite=True` (the
studio's --rewrite) and the patcher cannot edit it; without it that is a
refusal that names the flag (`fast=False` reads with openpyxl, and also writes
with it when `rewrite=True`).

Invariants:
- the file is replaced atomically: a temporary file in the same folder is
  written, flushed to disk and renamed over the workbook, so a crash leaves
  either the old or the new workbook, never half of one;
- nothing is written while LibreOffice or Excel has the workbook open (their
  lock files, live or stale: lockfiles.py tells which, and sheetsync never deletes one),
  or when the file changed on disk since it was read;
- text is written as text (a value starting with `=` never becomes a formula),
  dates and times as real date/time cells with a date/time number format;
- the Commissions tab's bar chart is drawn again whenever that tab's rows
  change, so it always shows the latest month; any other chart is left as is;
- what the studio reads is in the store's `locale`: its refusals (busy, not found,
  unreadable), the drop-downs' warnings and the chart's titles;
- money cells and columns take the currency's number format (looks.money_format); every tab
  `init` adds, and each of sheetsync's own tabs lacking them, gets a filter and print setup
  (xlsxlook.py), never replacing the studio's; a sync only grows a filter over the rows it
  appends, so it costs no more than before.
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from time import monotonic, sleep
from typing import IO

from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .. import crashpoints
from ..atomic import final_mode, open_temporary, temporaries_of
from ..errors import UserError, WorkbookBusy
from ..i18n import DEFAULT, translations
from ..schema import COMMISSIONS, Column, Kind, Tab, find_tab, header_key
from .base import Cell, Layout, TabChanges, Table, WorkbookChanges
from .layout import (
    NewColumns,
    NewTab,
    Step,
    choices_error,
    column_letter,
    describe,
    layout_steps,
    plain_value,
)
from .lockfiles import busy_message, find_lock
from .looks import money_format
from .xlsx_chart import draw_commission_chart
from .xlsx_read import read_calamine, read_openpyxl
from .xlsxlook import prints_on_a4
from .xlsxparts import NewLooks, package_edit, skeleton, tabs_lacking_looks
from .xlsxpatch import (
    FORMATS,
    Unpatchable,
    Writer,
    patch_workbook,
)
from .xlsxtext import load_workbook, openpyxl_text

LAST_ROW = 1048576
LOCK_WAIT = 30.0  # seconds a second sync waits for the first before giving up

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class XlsxStore:
    def __init__(self, path: str | os.PathLike[str], *, fast: bool = True,
                 rewrite: bool = False, currency: str = "", locale: str = DEFAULT) -> None:
        self.path = Path(path)
        self.label = str(self.path)
        self.reads = 0
        self.writes = 0
        self.fast = fast
        # May openpyxl rewrite the whole file where the patcher cannot edit it in place (it
        # loses images, charts and saved formula results)? Only when the studio says so.
        self.rewrite = rewrite
        self.currency = currency  # in the title of the Commissions chart
        self.locale = locale  # the language of its refusals, drop-downs and chart
        self._ = translations(locale).gettext
        self.read_with = self.wrote_with = ""  # which path the last read and write took
        self._seen: tuple[int, int] | None = None
        self._plain: set[str] = set()  # worksheets the last read found without formulas

    # -- reading ---------------------------------------------------------------------------
    def read(self) -> dict[str, Table]:
        if not self.path.exists():
            raise UserError(self._("There is no workbook at %(path)s; create one with: "
                                   "sheetsync init %(path)s") % {"path": self.path})
        self._seen = self._fingerprint()
        self._plain = set()
        tables = read_calamine(self.path, self._plain) if self.fast else None
        self.read_with = "calamine"
        if tables is None:
            self.read_with = "openpyxl"
            with self._opened(read_only=True, data_only=True) as wb:
                tables = read_openpyxl(wb, self.path, self.locale)
        self.reads += 1
        return tables

    @contextlib.contextmanager
    def _opened(self, **options: bool) -> Iterator[Workbook]:
        try:
            wb = load_workbook(self.path, **options)  # shared strings kept as written
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as err:
            raise UserError(self._("%(path)s is not a readable .xlsx workbook (%(error)s).") % {
                "path": self.path, "error": err}) from None
        try:
            yield wb
        finally:
            wb.close()

    def _fingerprint(self) -> tuple[int, int]:
        stat = self.path.stat()
        return (stat.st_mtime_ns, stat.st_size)

    # -- writing ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, wait: float = LOCK_WAIT) -> Iterator[None]:
        """A lock file beside the workbook for the length of one sync, removed afterwards.

        flock is released by the system if sheetsync dies; a holder that finds its lock
        file unlinked by the previous holder simply takes a fresh one.
        """
        if fcntl is None:  # no flock on this system: rely on the changed-on-disk check
            yield
            return
        path = self.path.with_name(f".{self.path.name}.sheetsync-lock")
        deadline = monotonic() + wait
        while True:
            fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)  # flock needs no write access
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if monotonic() >= deadline:
                    raise WorkbookBusy(self._(
                        "Another sheetsync is still working on %(workbook)s; nothing was "
                        "written. Try again in a minute.") % {"workbook": self.path.name}
                    ) from None
                sleep(0.1)
                continue
            if _same_file(fd, path):
                break
            os.close(fd)  # the previous holder removed this one: take a fresh lock file
        try:
            self._remove_leftovers()
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            os.close(fd)

    def _remove_leftovers(self) -> None:
        """Temporary files of a sync of this workbook that was killed half-way.

        Only this workbook's, by exact name (never `studio-b.xlsx`'s beside `studio.xlsx`),
        and only under the lock, so none of them is in flight.
        """
        for leftover in temporaries_of(self.path):
            with contextlib.suppress(OSError):
                leftover.unlink()

    def lock_holder(self) -> str | None:
        """The program that has (or had: a stale lock) the workbook open, by its lock file."""
        lock = find_lock(self.path)
        return lock.program if lock is not None else None

    def claim(self) -> None:
        """Nothing more to do: lock() already keeps a second sync out of the workbook."""
        return None

    def check_writable(self) -> None:
        lock = find_lock(self.path)
        if lock is not None:  # stale or live, a lock file is never deleted here
            raise WorkbookBusy(busy_message(self.path.name, lock, self.locale))
        if self._seen is not None and self.path.exists() and self._fingerprint() != self._seen:
            raise WorkbookBusy(self._("%(workbook)s changed on disk while sheetsync was "
                                      "working; run sheetsync again. Nothing was written.")
                               % {"workbook": self.path.name})

    def requests_for(self, changes: WorkbookChanges) -> tuple[int, int]:
        return 0, 1  # one save of the file, counted as one write

    def write(self, changes: WorkbookChanges) -> None:
        self.check_writable()
        if (self.fast or not self.rewrite) and self._patched(changes):
            self.writes += 1
            self.wrote_with = "patch"
            return
        self.wrote_with = "openpyxl"
        with self._opened() as wb:
            for title, tab_changes in changes.tabs.items():
                if tab_changes:
                    _apply(wb[title], tab_changes)
            self._save(wb)
        self.writes += 1

    def _chart(self, titles: Iterable[str]) -> tuple[str, str] | None:
        """The Commissions tab among `titles` (its rows change: its chart is drawn again)."""
        title = next((t for t in titles if header_key(t) == header_key(COMMISSIONS.name)),
                     None)
        return (title, self.currency) if title is not None else None

    def _patched(self, changes: WorkbookChanges) -> bool:
        """Write by patching the changed parts; False when only a rewrite can do it."""
        edit = package_edit(chart=self._chart(t for t, tab in changes.tabs.items() if tab),
                            locale=self.locale)
        try:
            with self.path.open("rb") as source:
                self._replace(lambda handle: patch_workbook(
                    source, handle, changes, edit=edit, plain=self._plain_as_read(),
                    money_format=self.money_format))
        except Unpatchable as err:
            return self._may_rewrite(err)
        return True

    def _plain_as_read(self) -> set[str]:
        """Worksheets the last read found without formulas, while the file is still that one."""
        if self._seen is None or not self.path.exists() or self._fingerprint() != self._seen:
            return set()
        return self._plain

    def _may_rewrite(self, err: Unpatchable) -> bool:
        """False (rewrite with openpyxl) when the studio allowed it, else a refusal."""
        if self.rewrite:
            return False
        raise UserError(self._(
            "%(workbook)s has a shape sheetsync cannot edit in place (%(error)s); nothing was "
            "written. Run again with --rewrite to let sheetsync rewrite the whole file (it may "
            "lose images, charts and saved formula results).") % {
                "workbook": self.path.name, "error": err}) from None

    def _save(self, wb: Workbook) -> None:
        commissions = find_tab(wb.sheetnames, COMMISSIONS)
        if commissions is not None:
            # openpyxl does not keep it up to date
            draw_commission_chart(wb[commissions], self.currency, self.locale)
        self._replace(wb.save)

    def _replace(self, write: Writer) -> None:
        self.check_writable()
        fd, tmp = open_temporary(self.path)  # `.studio.xlsx.sheetsync-1f2e3d4c.tmp`, 0600
        try:
            crashpoints.reached("temporary-opened")
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            crashpoints.reached("temporary-written")
            os.chmod(tmp, final_mode(self.path))  # its own, or what any new file would get
            self.check_writable()
            crashpoints.reached("before-rename")
            os.replace(tmp, self.path)
            crashpoints.reached("after-rename")
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_folder(self.path.parent)
        self._seen = self._fingerprint()

    # -- init ------------------------------------------------------------------------------
    def lay_out(self, layout: Layout) -> list[str]:
        """Add tabs and columns (and a demo's rows) through the patch path; a new workbook
        starts as a skeleton package and takes the same path."""
        exists = self.path.exists()
        tables = self.read() if exists else {}
        steps: list[Step | NewLooks] = [*layout_steps(tables, layout.tabs)]
        source = self.path.read_bytes() if exists else skeleton()  # read once: it may be big
        if exists:  # sheetsync's own tabs get the filter and print setup they lack
            steps += tabs_lacking_looks(source, _own_titles(tables, layout))
        if not steps and not layout.rows:
            return []
        if exists:
            self.check_writable()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = self._laid_out(source, tables, steps, layout)
        except Unpatchable as err:
            if not exists or self._may_rewrite(err):
                raise
            with self._opened() as wb:
                self._lay_out(wb, steps, layout)
            self.writes += 1
            self.wrote_with = "openpyxl"
            return [self._describe(s, layout.locale) for s in steps]
        def write_all(handle: IO[bytes]) -> None:
            handle.write(data)

        self._replace(write_all)
        self.writes += 1
        self.wrote_with = "patch"
        return [self._describe(s, layout.locale) for s in steps]

    @property
    def money_format(self) -> str:
        """The number format of money cells: the currency's, as the studio's locale writes it."""
        return money_format(self.currency, self.locale)

    @staticmethod
    def _describe(step: Step | NewLooks, locale: str) -> str:
        if isinstance(step, NewLooks):
            return translations(locale).gettext(
                "set up filtering and printing on the %(tab)s tab") % {"tab": step.title}
        return describe(step, locale)

    def _laid_out(self, source: bytes, tables: dict[str, Table], steps: list[Step | NewLooks],
                  layout: Layout) -> bytes:
        """`source`, the workbook's bytes, with the tabs, columns and rows of the layout
        added."""
        titles = [*tables, *(s.tab.name for s in steps if isinstance(s, NewTab))]
        layout_only = [s for s in steps if not isinstance(s, NewLooks)]
        fills = fill_changes(tables, layout_only, layout)
        touched = [s.title for s in steps if isinstance(s, NewColumns)] + list(fills.tabs)
        laid = io.BytesIO()
        patch_workbook(io.BytesIO(source), laid, WorkbookChanges(), edit=package_edit(
            steps, chart=self._chart(t for t in touched if t in titles), locale=layout.locale),
            money_format=self.money_format)
        if not fills:
            return laid.getvalue()
        filled = io.BytesIO()
        patch_workbook(io.BytesIO(laid.getvalue()), filled, fills,
                       edit=package_edit(chart=self._chart(fills.tabs), locale=layout.locale),
                       money_format=self.money_format)
        return filled.getvalue()

    def _lay_out(self, wb: Workbook, steps: list[Step | NewLooks], layout: Layout) -> None:
        money = self.money_format
        for step in steps:
            if isinstance(step, NewTab):
                ws = wb.create_sheet(step.tab.name)
                _add_columns(ws, step.tab.columns, 1, layout.locale, money)
                ws.freeze_panes = "A2"
                _filter_and_print(ws, layout.locale)
            elif isinstance(step, NewLooks):
                _filter_and_print(wb[step.title], layout.locale)
            else:
                _add_columns(wb[step.title], step.columns, step.first, layout.locale, money)
        for tab in layout.tabs:
            if tab.name in layout.rows:
                title = find_tab(wb.sheetnames, tab)
                assert title is not None
                _fill(wb[title], tab, layout.rows[tab.name])
        self._save(wb)


def _cell_value(value: Cell) -> Cell:
    """What openpyxl must store: it writes text as it is, so text goes in escaped."""
    value = plain_value(value)
    if isinstance(value, str):
        return openpyxl_text(value)
    return value


def _write(ws: Worksheet, row: int, col: int, value: Cell, kind: Kind | None) -> None:
    cell = ws.cell(row=row, column=col)
    cell.value = _cell_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, never an error code
    elif kind in FORMATS and value is not None:
        cell.number_format = FORMATS[kind]
    elif isinstance(value, datetime):
        cell.number_format = FORMATS[Kind.DATETIME]
    elif isinstance(value, date):
        cell.number_format = FORMATS[Kind.DATE]
    elif isinstance(value, time):
        cell.number_format = FORMATS[Kind.TIME]


def _apply(ws: Worksheet, changes: TabChanges) -> None:
    """Rows inserted, cells written, rows deleted, in that order (base.py)."""
    for row, count in sorted(changes.inserts.items(), reverse=True):
        if count > 0:
            ws.insert_rows(row, count)
    for (row, col), value in changes.updates.items():
        _write(ws, row, col, value, changes.kinds.get(col))
    for start, amount in _runs(sorted(changes.deletes, reverse=True)):
        ws.delete_rows(start, amount)


def _runs(rows_descending: list[int]) -> Iterator[tuple[int, int]]:
    """Consecutive rows as (first, count), bottom-up, so each delete leaves the next in place."""
    i = 0
    while i < len(rows_descending):
        j = i
        while j + 1 < len(rows_descending) and rows_descending[j + 1] == rows_descending[j] - 1:
            j += 1
        yield rows_descending[j], j - i + 1
        i = j + 1


def _own_titles(tables: dict[str, Table], layout: Layout) -> list[str]:
    """The workbook's titles of the tabs sheetsync writes, among those the layout names."""
    found = (find_tab(list(tables), tab) for tab in layout.tabs if tab.owned)
    return [title for title in found if title is not None]


def _filter_and_print(ws: Worksheet, locale: str) -> None:
    """What the patch path gives a tab (xlsxlook.py), where the tab lacks it: a filter over
    its headers and rows, landscape pages one page wide on the locale's paper, row 1 on
    every page."""
    if not ws.auto_filter.ref:
        ws.auto_filter.ref = f"A1:{column_letter(max(ws.max_column, 1))}{max(ws.max_row, 1)}"
    if ws.page_setup.orientation is None and ws.page_setup.fitToWidth is None:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        if prints_on_a4(locale):
            ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if not ws.print_title_rows:
        ws.print_title_rows = "1:1"


def _add_columns(ws: Worksheet, columns: tuple[Column, ...], first: int,
                 locale: str = DEFAULT, money: str = FORMATS[Kind.MONEY]) -> None:
    default = ws.parent._fonts[0] if ws.parent._fonts else Font()  # the workbook's own font
    bold = Font(name=default.name, size=default.sz, family=default.family, bold=True)
    for offset, column in enumerate(columns):
        index = first + offset
        letter = column_letter(index)
        cell = ws.cell(row=1, column=index, value=column.name)
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
        dimension = ws.column_dimensions[letter]
        dimension.width = column.width
        if column.kind is Kind.MONEY:
            dimension.number_format = money
        elif column.kind in FORMATS and column.kind is not Kind.INT:
            dimension.number_format = FORMATS[column.kind]  # what the studio types gets it too
        if column.choices:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                showErrorMessage=True, errorStyle="warning", errorTitle=column.name,
                error=choices_error(column.choices, locale),
            )
            dv.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(dv)


def _fill(ws: Worksheet, tab: Tab, rows: list[dict[str, Cell]]) -> None:
    """Write records under the tab's own headers, below its last used row."""
    positions = {header_key(c.value): c.column for c in ws[1] if c.value is not None}
    used = [r for r in range(1, ws.max_row + 1) if any(c.value is not None for c in ws[r])]
    start = max(used, default=1) + 1
    for offset, record in enumerate(rows):
        for name, value in record.items():
            col = positions[header_key(name)]
            if value is not None:
                _write(ws, start + offset, col, value, tab.column(name).kind)


def fill_changes(tables: dict[str, Table], steps: list[Step], layout: Layout,
                 ) -> WorkbookChanges:
    """The layout's records as cell updates under each tab's headers (once laid out), below
    its last used row."""
    changes = WorkbookChanges()
    added = {s.title: s for s in steps if isinstance(s, NewColumns)}
    for tab in layout.tabs:
        records = layout.rows.get(tab.name)
        if not records:
            continue
        title = find_tab(list(tables), tab)
        if title is None:
            title, header, last = tab.name, list[Cell](tab.column_names), 1
        else:
            step = added.get(title)
            header = list(tables[title].header)
            if step is not None:
                header += [None for _ in range(step.first - 1 - len(header))]
                header += [c.name for c in step.columns]
            last = tables[title].last_row
        positions = {header_key(str(h)): i + 1 for i, h in enumerate(header) if h is not None}
        out = changes.tab(title)
        for row, record in enumerate(records, start=last + 1):
            for name, value in record.items():
                if value is not None:
                    column = positions[header_key(name)]
                    out.updates[(row, column)] = value
                    kind = tab.column(name).kind
                    if kind in FORMATS:
                        out.kinds[column] = kind
    return changes


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
