"""`python -m tests.paused_sync POINT ARGS...`: the sheetsync command line, stopping itself
(SIGSTOP) when it reaches the crash point POINT, so a test holds a sync in flight at that
step, looks around, and lets it go on (SIGCONT) to finish as if nothing happened."""

from __future__ import annotations

import os
import signal
import sys

from sheetsync import cli, crashpoints


def main() -> None:
    point, args = sys.argv[1], sys.argv[2:]

    def reached(name: str) -> None:
        if name == point:
            os.kill(os.getpid(), signal.SIGSTOP)

    crashpoints.reached = reached
    sys.argv = ["sheetsync", *args]
    cli.main()


if __name__ == "__main__":
    main()
