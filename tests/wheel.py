"""sheetsync's wheel, built as `pip wheel` builds it, for the tests of what it ships.

Built once per test process (each slow test that looks inside it reuses the same listing);
the build must succeed, and the wheel itself is removed once its names are read.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def wheel_names() -> frozenset[str]:
    """The paths inside the wheel `pip wheel` makes of this checkout."""
    with tempfile.TemporaryDirectory() as folder:
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
             "-w", folder, str(ROOT)], capture_output=True, text=True, timeout=300,
            check=False)
        assert built.returncode == 0, built.stderr
        with zipfile.ZipFile(next(Path(folder).glob("sheetsync-*.whl"))) as wheel:
            return frozenset(wheel.namelist())
