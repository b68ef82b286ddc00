"""Files that are either complete or absent: written beside their target, then renamed over it.

Every file sheetsync writes outside a workbook backend's own path (outbox e-mails,
calendar feeds, report exports, the local Sheets API's data) goes through here, so a
crash or a full disk never leaves half a file, and a failed write leaves no temporary
one behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data`. `mode`: permissions of a new file (an old one keeps its own)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.chmod(temporary, path.stat().st_mode & 0o777)
        except FileNotFoundError:
            if mode is not None:
                os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
