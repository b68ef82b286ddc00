"""The HTTP layer and the Python API: :class:`LocalSheets` serves :class:`SheetsService`.

It listens on 127.0.0.1 only (port 0 picks a free one), answers HTTP/1.1 with
keep-alive from a ThreadingHTTPServer on a background thread, and offers helpers
for tests: creating spreadsheets, reading values for assertions, statistics,
and fault injection (error status, cut connection, delay). :meth:`stop` shuts
the server down and joins its thread; use it as a context manager.

Replies are indented JSON, as Google serves them, or compact with Google's system
parameter ``prettyPrint=false``; a client that sends ``Accept-Encoding: gzip`` gets
them gzipped (``Content-Encoding: gzip``), as from Google. ``cell_limit`` is the
spreadsheet cell cap (Google's 10,000,000 by default).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .a1 import quote_title
from .api import Reply, Request, SheetsService
from .auth import TokenAuthority, load_trusted, service_account_info
from .errors import ApiError, bad_request
from .limits import GOOGLE_CELL_LIMIT, Fault, Quota, Stats, grid_cells, over_cell_limit
from .model import Spreadsheet
from .store import Store
from .valueops import ReadOptions, read_values

HOST = "127.0.0.1"
DEFAULT_QUOTA_PER_MINUTE = 60
POLL_SECONDS = 0.05
GZIP_LEVEL = 6  # gzip's default, what a web server typically uses


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header asks for gzip (and does not refuse it with q=0)."""
    for part in (accept_encoding or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request.from_target(self.command, self.path, dict(self.headers.items()), body)
        reply = self.server.service.handle(request)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.cut:
            self._cut()
            return
        pretty = (request.param("prettyPrint") or "true").lower() != "false"
        self._send(reply, accepts_gzip(request.headers.get("accept-encoding")), len(body), pretty)

    def _cut(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, reply: Reply, gzipped: bool, request_bytes: int, pretty: bool = True) -> None:
        payload = b""
        if reply.body is not None:
            layout: dict[str, Any] = {"indent": 2} if pretty else {"separators": (",", ":")}
            payload = json.dumps(reply.body, ensure_ascii=False, **layout).encode()
        served = len(payload)
        gzipped = gzipped and reply.body is not None
        if gzipped:
            payload = gzip.compress(payload, GZIP_LEVEL, mtime=0)
        if reply.route:
            service = self.server.service
            with service.lock:
                service.stats.sizes(reply.route, request_bytes, served, len(payload), gzipped)
        self.send_response(reply.status)
        if reply.body is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Vary", "Origin, X-Origin, Referer")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    service: SheetsService

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that give up (timeouts in retry tests) are normal; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalSheets:
    """A local Google Sheets API v4 (+ Drive v3 subset) server."""

    def __init__(
        self,
        port: int = 0,
        *,
        quota_per_minute: int | None = DEFAULT_QUOTA_PER_MINUTE,
        trust: Iterable[str | Path] = (),
        data_dir: str | Path | None = None,
        fail: Iterable[tuple[int, int]] = (),
        clock: Callable[[], float] = time.monotonic,
        cell_limit: int | None = GOOGLE_CELL_LIMIT,
    ) -> None:
        self.port = port
        self.store = Store(data_dir)
        self.service = SheetsService(
            self.store,
            TokenAuthority(load_trusted(trust)),
            Quota(quota_per_minute, clock),
            cell_limit=cell_limit,
        )
        for position, status in fail:
            self.inject_fault(position, status)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LocalSheets:
        if self._httpd is not None:
            return self
        httpd = _Server((HOST, self.port), _Handler)
        httpd.service = self.service
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, args=(POLL_SECONDS,), name="localsheets", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> LocalSheets:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def service_account_info(
        self, email: str = "localsheets@localsheets.iam.gserviceaccount.com"
    ) -> dict[str, str]:
        """A new service-account JSON pointing its token_uri at this server."""
        return service_account_info(self.base_url, email=email)

    def issue_token(self, email: str = "tester@localsheets.test") -> str:
        """An access token without the JWT dance, for raw HTTP tests."""
        return self.service.authority.issue(email)

    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        sheets: Sequence[str | dict[str, Any]] = ("Sheet1",),
        *,
        locale: str | None = None,
        time_zone: str | None = None,
    ) -> str:
        """Create a spreadsheet directly (no request counted); returns its id.

        Raises ApiError, as spreadsheets.create would answer, when it is over the cell cap.
        """
        specs = [{"title": s} if isinstance(s, str) else s for s in sheets]
        body = {"properties": {"locale": locale, "timeZone": time_zone}, "sheets": specs}
        with self.service.lock:
            book = self.service.new_book(title, body)
            over = over_cell_limit(0, grid_cells(book.sheets), self.service.cell_limit)
            if over:
                raise bad_request(over)
            self.service.commit(book)
        return book.spreadsheet_id

    def spreadsheet_ids(self) -> list[str]:
        with self.service.lock:
            return list(self.store.books)

    def spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        """A copy of the current state, safe to inspect."""
        with self.service.lock:
            return self.service.book(spreadsheet_id).clone()

    def metadata(self, spreadsheet_id: str, include_grid: bool = False) -> dict[str, Any]:
        """The spreadsheets.get body."""
        with self.service.lock:
            return self.service.book(spreadsheet_id).to_json(include_grid)

    def values(
        self,
        spreadsheet_id: str,
        sheet: str | None = None,
        value_render: str = "FORMATTED_VALUE",
    ) -> list[list[Any]]:
        """A sheet's (default: the first sheet's) values as values.get returns them."""
        with self.service.lock:
            book = self.service.book(spreadsheet_id)
            title = sheet if sheet is not None else book.sheets[0].title
            target = book.resolve(quote_title(title))
            body = read_values(book, target, ReadOptions(value_render=value_render))
        rows: list[list[Any]] = body.get("values", [])
        return rows

    def stats(self) -> dict[str, Any]:
        with self.service.lock:
            return self.service.stats.as_dict()

    def traffic(self) -> dict[str, dict[str, int]]:
        """Bytes per API method since the last reset: largest request and reply, sums."""
        with self.service.lock:
            return self.service.stats.traffic()

    def set_cell_limit(self, cells: int | None) -> None:
        """Change the cell cap (``None`` switches it off); existing spreadsheets stay."""
        with self.service.lock:
            self.service.cell_limit = cells

    def reset_stats(self) -> None:
        """Zero the statistics; request positions for fault injection restart at 1."""
        with self.service.lock:
            self.service.stats = Stats()
            self.service.position = 0

    def inject_fault(
        self, position: int, status: int | None = None, *, cut: bool = False, delay: float = 0.0
    ) -> None:
        """Make the ``position``-th API request (1-based) fail, be cut, or wait."""
        with self.service.lock:
            self.service.faults.add_at(position, Fault(status, cut, delay))

    def fail_next(self, status: int, count: int = 1) -> None:
        with self.service.lock:
            self.service.faults.add_next(Fault(status=status), count)

    def cut_next(self, count: int = 1) -> None:
        """Close the connection of the next API request(s) without any reply."""
        with self.service.lock:
            self.service.faults.add_next(Fault(cut=True), count)

    def delay_next(self, seconds: float, count: int = 1) -> None:
        """Wait ``seconds`` before answering the next API request(s) (then answer normally)."""
        with self.service.lock:
            self.service.faults.add_next(Fault(delay=seconds), count)

    def clear_faults(self) -> None:
        with self.service.lock:
            self.service.faults.clear()

    def set_quota(self, per_minute: int | None) -> None:
        """Change the per-user, per-minute quota (``None`` or 0 switches it off)."""
        with self.service.lock:
            self.service.quota.per_minute = per_minute or None
            self.service.quota.reset()


__all__ = ["ApiError", "LocalSheets"]
