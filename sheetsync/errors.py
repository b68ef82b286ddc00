"""Errors a studio can act on. The CLI prints their message and exits 2, no traceback.

A write the disk refuses (full, read-only, not permitted) is one of them too: the CLI
turns such an OSError into the sentence `cannot_write` gives, in the studio's language.
"""

import errno
from pathlib import Path

from .i18n import DEFAULT, N_, translations


class UserError(Exception):
    """Bad usage or configuration: a missing file, an unknown time zone, a broken config."""


class WorkbookBusy(UserError):
    """The workbook is open in another program or changed while sheetsync was working."""


DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}
_REASONS = {errno.ENOSPC: N_("the disk is full"), errno.EDQUOT: N_("the disk quota is used up"),
            errno.EROFS: N_("the disk is read-only")}
_ANY_OTHER_REASON = N_("sheetsync may not write there")


def disk_refused(err: OSError) -> bool:
    """A write refused by the disk or the folder (full, read-only, not permitted)."""
    return err.errno in DISK_ERRNOS


def cannot_write(err: OSError, locale: str = DEFAULT) -> str:
    """One sentence (in `locale`) for a refused write; whatever was being replaced is left as
    it was."""
    _ = translations(locale).gettext
    reason = _(_REASONS.get(err.errno or 0, _ANY_OTHER_REASON))
    where = Path(err.filename).parent if err.filename else None
    said = {"reason": reason, "folder": where}
    if where is None:
        return _("Could not write: %(reason)s. Nothing there was changed; free some space or "
                 "fix the folder's permissions and run sheetsync again.") % said
    return _("Could not write in %(folder)s: %(reason)s. Nothing there was changed; free some "
             "space or fix the folder's permissions and run sheetsync again.") % said
