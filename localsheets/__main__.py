"""Command line: ``python -m localsheets [--port 0] [--data DIR] ...``.

Prints the base URL (``http://127.0.0.1:PORT``) as the first stdout line, flushed,
then serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .limits import GOOGLE_CELL_LIMIT, parse_fail_option
from .server import DEFAULT_QUOTA_PER_MINUTE, LocalSheets


def _fail_option(text: str) -> tuple[int, int]:
    try:
        return parse_fail_option(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m localsheets",
        description="Serve a local stand-in for the Google Sheets API v4 on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument(
        "--data", metavar="DIR", help="keep spreadsheets in DIR across restarts (default: memory)"
    )
    parser.add_argument(
        "--trust",
        metavar="FILE",
        action="append",
        default=[],
        help="service-account JSON whose key must sign token requests (repeatable); "
        "without it any well-formed grant is accepted",
    )
    parser.add_argument(
        "--quota-per-minute",
        type=int,
        default=DEFAULT_QUOTA_PER_MINUTE,
        metavar="N",
        help="reads and writes allowed per user per rolling minute (0: no quota; default 60)",
    )
    parser.add_argument(
        "--cell-limit",
        type=int,
        default=GOOGLE_CELL_LIMIT,
        metavar="N",
        help="grid cells a spreadsheet may hold, as Google's cap (0: no cap; default 10000000)",
    )
    parser.add_argument(
        "--fail",
        metavar="N:STATUS",
        type=_fail_option,
        action="append",
        default=[],
        help="answer the N-th API request (1-based, token requests not counted) with "
        "STATUS and a Google-style error body (repeatable)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    server = LocalSheets(
        args.port,
        quota_per_minute=args.quota_per_minute or None,
        trust=args.trust,
        data_dir=args.data,
        fail=args.fail,
        cell_limit=args.cell_limit or None,
    ).start()
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    print(server.base_url, flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
