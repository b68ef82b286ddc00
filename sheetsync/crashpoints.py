"""Named points where the crash tests stop a real sync process dead (SIGKILL).

Inert unless the environment variable SHEETSYNC_KILL_AT names a point: then the
process kills itself there, exactly as a power cut or `kill -9` would, so the
tests can interrupt a sync at every step that writes, deterministically.
"""

from __future__ import annotations

import os
import signal

VARIABLE = "SHEETSYNC_KILL_AT"

# Every point, in the order a sync reaches them.
POINTS = (
    "alerts-sent",          # the e-mails went out, nothing is recorded yet
    "temporary-opened",     # the temporary workbook exists, empty
    "temporary-written",    # the new workbook is complete beside the old one
    "before-rename",        # about to rename it over the old one
    "after-rename",         # renamed; the folder not yet flushed
)


def reached(point: str) -> None:
    if os.environ.get(VARIABLE) == point:
        os.kill(os.getpid(), signal.SIGKILL)
