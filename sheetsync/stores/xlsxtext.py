"""Text as an .xlsx cell holds it: the `_xHHHH_` escaping of ECMA-376 (ST_Xstring).

XML 1.0 cannot carry most control characters, so a spreadsheet writes them as
`_xHHHH_` (the hex of the UTF-16 code unit); a literal `_xHHHH_` in the text
therefore has its `_` written as `_x005F_`. Excel, LibreOffice and
python-calamine decode both when reading. openpyxl does neither: it writes
strings as they are and reads them as they are (and drops `x005F_` from the
shared-string table), so every text sheetsync writes passes through here.

Invariants:
- `unescaped(xlsx_text(t)) == unescaped(openpyxl_text(t)) == cell_text(t)` for every
  str `t`, and calamine, Excel and LibreOffice show `cell_text(t)` for either. The only
  escapes written are `_x0000_` to `_x001F_` and `_x005F_`: LibreOffice decodes no other
  (calamine none above `_x00FF_`), Excel all;
- `escaped` only escapes what a decoder would otherwise change: the control
  characters other than tab and newline, and every `_` that would start a
  `_xHHHH_` in the written text (overlapping ones too, and `_x0041` before a
  control character), so text without them is written unchanged;
- `cell_text` is what a cell can hold: at most 32,767 UTF-16 code units (Excel's
  limit; cut there, never inside a surrogate pair), surrogate pairs joined, lone
  surrogates and the non-characters U+FFFE/U+FFFF (which XML cannot carry and
  calamine does not decode) replaced by U+FFFD.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import IO, Any

from .base import Cell

MAX_TEXT = 32767  # UTF-16 code units in one cell (Excel's specifications and limits)

# Control characters other than tab and newline; carriage return too (as Excel does), as XML
# readers turn a raw one into a newline. An `_` is escaped when the written text would have
# `_xHHHH_` there: `xHHHH` follows it, then an `_` or a character whose escape starts with one.
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}[_\x00-\x08\x0b-\x1f])")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NON_CHARACTER = re.compile(r"[\ufffe\uffff]")
_TAB_OR_NEWLINE = re.compile(r"[\t\n]")
_PLAIN = re.compile(r"[^\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]*")


def cell_text(text: str) -> str:
    """`text` as a cell can hold it (see the module's invariants)."""
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if _NON_CHARACTER.search(text):
        text = _NON_CHARACTER.sub("\ufffd", text)
    if len(text) > MAX_TEXT // 2:  # shorter text cannot pass the limit even in pairs
        units = text.encode("utf-16-le")
        if len(units) > 2 * MAX_TEXT:
            text = units[:2 * MAX_TEXT].decode("utf-16-le", "ignore")  # drops a half pair
    return text


def escaped(text: str) -> str:
    """`text` with the `_xHHHH_` escapes a reader decodes (XML's own escaping comes after)."""
    return _NEEDS_ESCAPE.sub(_escape_one, text)


def xlsx_text(text: str) -> str:
    """The string to put in a cell's `<t>` for `text`: held as a cell can, then escaped."""
    if len(text) <= MAX_TEXT // 2 and "_x" not in text and _PLAIN.fullmatch(text):
        return text  # the common case: a third of the time the full work takes
    return escaped(cell_text(text))


def openpyxl_text(text: str) -> str:
    """`xlsx_text` for a cell openpyxl writes. openpyxl leaves out `xml:space="preserve"` on
    text of nothing but whitespace, and readers then trim it: such text gets its tabs and
    newlines escaped too, so it keeps them. Spaces cannot be (LibreOffice decodes no escape
    above `_x001F_` but `_x005F_`): text of nothing but spaces may read back trimmed."""
    out = xlsx_text(text)
    if out and not out.strip():
        out = _TAB_OR_NEWLINE.sub(_escape_one, out)
    return out


def unescaped(text: str) -> str:
    """The text a spreadsheet program shows for a raw `<t>` string (what Excel decodes)."""
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return cell_text(decoded) if _SURROGATE.search(decoded) else decoded


def decoded_cell(value: Cell) -> Cell:
    """A value openpyxl read from a cell, its text decoded as a spreadsheet shows it."""
    return unescaped(value) if isinstance(value, str) else value


def _escape_one(found: re.Match[str]) -> str:
    return f"_x{ord(found.group(0)):04X}_"


# -- openpyxl ------------------------------------------------------------------------------
def load_workbook(path: str | os.PathLike[str], **options: Any) -> Any:
    """openpyxl.load_workbook, keeping the shared strings exactly as the file has them.

    openpyxl's string-table reader deletes every `x005F_`, so a studio's text `_x0041_`
    (stored `_x005F_x0041_`) would be saved back as `_x0041_`, shown as `A`. Read raw, a
    string goes back into the file exactly as it came; `decoded_cell` gives its text.
    """
    import openpyxl
    from openpyxl.reader import excel

    with _string_table_reader(excel, _raw_string_table):
        return openpyxl.load_workbook(path, **options)


@contextlib.contextmanager
def _string_table_reader(module: Any, reader: Any) -> Iterator[None]:
    original = module.read_string_table
    module.read_string_table = reader
    try:
        yield
    finally:
        module.read_string_table = original


def _raw_string_table(source: IO[bytes]) -> list[str]:
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    strings = []
    item = f"{{{SHEET_MAIN_NS}}}si"
    for _, node in iterparse(source):
        if node.tag == item:
            strings.append(Text.from_tree(node).content)
            node.clear()
    return strings
