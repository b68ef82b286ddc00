"""Python's cycle collector paused while a large workbook is read, planned and written.

The records of a big studio are millions of objects without reference cycles; each
collection walks all of them again, which cost about a tenth of a sync's CPU (issue 14).
`paused()` switches the collector off for its block and back on afterwards only if it was
on: nested pauses and a caller that keeps it off are both respected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
