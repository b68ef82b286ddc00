"""Where spreadsheets live: in memory, and optionally one JSON file each in a directory.

With a directory, every committed change rewrites that spreadsheet's file
atomically (temporary file, fsync, rename), so a crash leaves either the old or
the new state; deleting a spreadsheet removes its file. Files are named
``<spreadsheetId>.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from sheetsync.atomic import write_atomically

from .model import Spreadsheet

FORMAT_VERSION = 1


class Store:
    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.books: dict[str, Spreadsheet] = {}
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._load()

    def _path(self, spreadsheet_id: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{spreadsheet_id}.json"

    def _load(self) -> None:
        assert self.directory is not None
        for path in sorted(self.directory.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            book = Spreadsheet.from_dict(data["spreadsheet"])
            self.books[book.spreadsheet_id] = book

    def get(self, spreadsheet_id: str) -> Spreadsheet | None:
        return self.books.get(spreadsheet_id)

    def put(self, book: Spreadsheet) -> None:
        self.books[book.spreadsheet_id] = book
        if self.directory is None:
            return
        payload = json.dumps(
            {"version": FORMAT_VERSION, "spreadsheet": book.to_dict()}, ensure_ascii=False
        )
        write_atomically(self._path(book.spreadsheet_id), payload.encode("utf-8"))

    def delete(self, spreadsheet_id: str) -> bool:
        existed = self.books.pop(spreadsheet_id, None) is not None
        if self.directory is not None:
            self._path(spreadsheet_id).unlink(missing_ok=True)
        return existed
