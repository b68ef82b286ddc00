"""The parts of one .xlsx package while it is being patched: as read, replaced, dropped, added.

One object for the whole patch: the worksheet patcher, the follow-up of moved rows
(xlsxfollow.py) and the edits of init and the report (xlsxparts.py) read and write
through it, and copy_zip writes out what it holds. Writing a part's own bytes back
changes nothing, so a part nothing changed is copied byte for byte. A large part
can be written in pieces (views of the bytes it was made from), joined only if
something reads it again, so a big worksheet is not copied to change a few rows.
Pure: the original parts come from the function it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

ATTRIBUTE = re.compile(rb"([\w:]+)=\"([^\"]*)\"")  # name="value" in an XML start tag
Pieces = tuple[bytes | memoryview, ...]  # a part's bytes, in order, not joined


class Parts:
    def __init__(self, read_original: Callable[[str], bytes], names: Iterable[str]) -> None:
        self._read_original = read_original
        self._present = set(names)
        self.replaced: dict[str, bytes | Pieces] = {}
        self.dropped: set[str] = set()
        self.added: dict[str, bytes] = {}

    def has(self, name: str) -> bool:
        return name in self.added or (name in self._present and name not in self.dropped)

    def names(self) -> list[str]:
        """Every part the package will hold, sorted."""
        return sorted((self._present - self.dropped) | self.added.keys())

    def read(self, name: str) -> bytes:
        if name in self.added:
            return self.added[name]
        if name in self.replaced:
            data = self.replaced[name]
            if isinstance(data, tuple):
                data = self.replaced[name] = b"".join(data)
            return data
        return self._read_original(name)

    def write(self, name: str, data: bytes) -> None:
        if self.has(name) and data == self.read(name):
            return
        if name in self._present:
            self.replaced[name] = data
            self.dropped.discard(name)
        else:
            self.added[name] = data

    def write_pieces(self, name: str, pieces: Pieces) -> None:
        """Replace a part known to have changed with its bytes in pieces (not compared)."""
        if name not in self._present:
            raise KeyError(name)
        self.replaced[name] = pieces
        self.dropped.discard(name)

    def drop(self, name: str) -> None:
        self.added.pop(name, None)
        self.replaced.pop(name, None)
        if name in self._present:
            self.dropped.add(name)

    def free_name(self, pattern: str) -> str:
        """The first `pattern % n` (n = 1, 2, ...) that names no part."""
        taken = {n.lower() for n in self._present | self.added.keys()}
        number = 1
        while (pattern % number).lower() in taken:
            number += 1
        return pattern % number
