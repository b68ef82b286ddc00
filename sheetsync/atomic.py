"""Files that are either complete or absent: written beside their target, then renamed over it.

Every file sheetsync writes outside a workbook backend's own path (outbox e-mails,
calendar feeds, report exports, the local Sheets API's data) goes through here, and the
.xlsx store names its temporary workbooks the same way, so a crash or a full disk never
leaves half a file, and a failed write leaves no temporary one behind.

Invariants:
- the temporary file of `name` is `.{name}.sheetsync-{8 hex}.tmp` beside it: the name of a
  temporary file tells exactly which file it belongs to, so a clean-up that matches
  `is_temporary_of` never touches another file's temporary one (`studio.xlsx` and
  `studio-b.xlsx` in one folder share nothing);
- it is created private (0600) and gets its final mode just before the rename: a file that
  exists keeps its mode; a new one gets the `mode` its caller chose, else the usual
  `0o666 & ~umask`, as any program's new file does.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

_INFIX = ".sheetsync-"
_SUFFIX = ".tmp"
_RANDOM = re.compile(r"[0-9a-f]{8}")
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data`. `mode`: permissions of a new file (an old one keeps its own)."""
    handle, temporary = open_temporary(path)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, final_mode(path, mode))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def temporary_name(name: str, random: str) -> str:
    return f".{name}{_INFIX}{random}{_SUFFIX}"


def is_temporary_of(candidate: str, name: str) -> bool:
    """Whether `candidate` is a temporary file of `name` (and of no other name)."""
    head = f".{name}{_INFIX}"
    return (candidate.startswith(head) and candidate.endswith(_SUFFIX)
            and _RANDOM.fullmatch(candidate[len(head):-len(_SUFFIX)]) is not None)


def open_temporary(path: Path) -> tuple[int, Path]:
    """A new, empty, private temporary file for `path`, beside it: (descriptor, its path)."""
    while True:
        temporary = path.with_name(temporary_name(path.name, secrets.token_hex(4)))
        try:
            return os.open(temporary, _OPEN_FLAGS, 0o600), temporary
        except FileExistsError:
            continue


def temporaries_of(path: Path) -> list[Path]:
    """The temporary files of `path` in its folder: leftovers of a killed writer, or in flight."""
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.with_name(n) for n in names if is_temporary_of(n, path.name)]


def final_mode(path: Path, mode: int | None = None) -> int:
    """The permissions `path` must have after it is replaced."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return mode if mode is not None else 0o666 & ~current_umask()


def current_umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux)."""
    with (contextlib.suppress(OSError, ValueError),
          open("/proc/self/status", encoding="ascii", errors="replace") as status):
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o077)  # elsewhere: set and restore at once (process-wide, briefly)
    os.umask(mask)
    return mask
