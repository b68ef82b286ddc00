"""What `init` must add to a workbook, worked out once for every backend.

Pure: compares the tabs as read with the schema and returns the tabs to create
and the header cells to add. Existing data is never moved: a missing column is
added after the last used column of its tab. The tabs given may be `schema.localized`:
their titles in the studio's language, matched like every header, so an English workbook
keeps its English tabs and headers and only a missing column arrives under the locale's
title.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..i18n import translations
from ..schema import (
    ENGLISH,
    Column,
    Tab,
    column_title,
    find_tab,
    header_key,
    localized,
    tab_title,
)
from .base import Cell, Layout, Table


@dataclass(frozen=True, slots=True)
class NewTab:
    tab: Tab


@dataclass(frozen=True, slots=True)
class NewColumns:
    title: str  # the workbook's name for the tab
    tab: Tab
    columns: tuple[Column, ...]
    first: int  # 1-based sheet column where the first new header goes


Step = NewTab | NewColumns


def localized_layout(layout: Layout, locale: str) -> Layout:
    """`layout` with its tabs, headers, drop-downs and rows' keys in `locale`'s titles (the
    values of the rows are the caller's: the demo writes its own in the locale)."""
    rows = {tab_title(tab, locale): [{column_title(tab.column(name), locale): value
                                      for name, value in record.items()}
                                     for record in layout.rows[tab.name]]
            for tab in layout.tabs if tab.name in layout.rows}
    return Layout(tuple(localized(tab, locale) for tab in layout.tabs), rows, locale)


def layout_steps(tables: dict[str, Table], tabs: tuple[Tab, ...]) -> list[Step]:
    steps: list[Step] = []
    for tab in tabs:
        title = find_tab(list(tables), tab)
        if title is None:
            steps.append(NewTab(tab))
            continue
        table = tables[title]
        present = {header_key(h) for h in table.header if h is not None}
        missing = tuple(c for c in tab.columns if header_key(c.name) not in present)
        if missing:
            width = max([len(table.header)] + [len(r) for r in table.rows])
            steps.append(NewColumns(title, tab, missing, width + 1))
    return steps


def describe(step: Step, locale: str = ENGLISH) -> str:
    """What `init` did, in `locale`: `added the Randevular tab`, in Turkish words."""
    _ = translations(locale).gettext
    if isinstance(step, NewTab):
        return _("added the %(tab)s tab") % {"tab": step.tab.name}
    names = ", ".join(c.name for c in step.columns)
    return _("added column(s) %(columns)s to %(tab)s") % {"columns": names, "tab": step.title}


def choices_error(choices: Sequence[str], locale: str = ENGLISH) -> str:
    """A drop-down's warning for a value not in its list: `Use one of: evet, hayır`."""
    return translations(locale).gettext("Use one of: %(choices)s") % {
        "choices": ", ".join(choices)}


def choices_prompt(choices: Sequence[str], locale: str = ENGLISH) -> str:
    """A drop-down's prompt beside its cell (Google Sheets): `One of: evet, hayır`."""
    return translations(locale).gettext("One of: %(choices)s") % {"choices": ", ".join(choices)}


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def plain_value(value: Cell) -> Cell:
    """Decimals become the int or float a spreadsheet stores."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
