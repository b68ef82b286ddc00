"""Errors a studio can act on. The CLI prints their message and exits 2, no traceback.

A write the disk refuses (full, read-only, not permitted) is one of them too: the CLI
turns such an OSError into the sentence `cannot_write` gives.
"""

import errno
from pathlib import Path


class UserError(Exception):
    """Bad usage or configuration: a missing file, an unknown time zone, a broken config."""


class WorkbookBusy(UserError):
    """The workbook is open in another program or changed while sheetsync was working."""


DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}
_REASONS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
            errno.EROFS: "the disk is read-only"}


def disk_refused(err: OSError) -> bool:
    """A write refused by the disk or the folder (full, read-only, not permitted)."""
    return err.errno in DISK_ERRNOS


def cannot_write(err: OSError) -> str:
    """One sentence for a refused write; whatever was being replaced is left as it was."""
    reason = _REASONS.get(err.errno or 0, "sheetsync may not write there")
    where = Path(err.filename).parent if err.filename else None
    place = f" in {where}" if where is not None else ""
    return (f"Could not write{place}: {reason}. Nothing there was changed; free some space or "
            "fix the folder's permissions and run sheetsync again.")
