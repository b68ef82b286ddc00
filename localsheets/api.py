"""Request dispatch: Google's URL layout mapped onto the model, without any socket code.

:class:`SheetsService` takes a decoded HTTP request and returns a :class:`Reply`.
For each API request (Sheets v4 and the Drive v3 subset) it, in order: counts
it (stats, fault position), applies an injected fault, authenticates the bearer
token (401), charges the account's quota (429, Sheets only: GET = read, other
methods = write), then runs the method. Writes run on a clone of the spreadsheet
which replaces the stored one only on success, so a failed request changes
nothing. One lock serialises all model access. A request that would grow the grid
past the cell cap (``cell_limit``, Google's 10,000,000 by default) fails with
Google's 400 and changes nothing.
"""

from __future__ import annotations

import json
import re
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

from . import batch, valueops
from .auth import GrantError, TokenAuthority
from .errors import ApiError, bad_request, not_found, quota_exceeded
from .fieldmask import filter_fields, parse_mask
from .limits import GOOGLE_CELL_LIMIT, Fault, FaultPlan, Quota, Stats, grid_cells, over_cell_limit
from .model import Spreadsheet, new_spreadsheet_id
from .store import Store

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
DEFAULT_TITLE = "Untitled spreadsheet"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # keys lower-cased
    body: bytes = b""

    @classmethod
    def from_target(
        cls, method: str, target: str, headers: Mapping[str, str], body: bytes = b""
    ) -> Request:
        path, _, query = target.partition("?")
        lowered = {key.lower(): value for key, value in headers.items()}
        return cls(method.upper(), path, parse_qs(query, keep_blank_values=True), lowered, body)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def params(self) -> dict[str, str]:
        return {key: values[-1] for key, values in self.query.items() if values}

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise bad_request("Invalid JSON payload received. Unexpected token.") from None


@dataclass
class Reply:
    status: int
    body: Any = None
    cut: bool = False
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    route: str = ""  # the API method answered, for the statistics of bytes


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Callable[[SheetsService, Request, str, tuple[str, ...]], Reply]
    is_sheets: bool = True


def _now_rfc3339() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _drive_error(status: int, message: str, reason: str, location: str | None) -> Reply:
    error: dict[str, Any] = {"message": message, "domain": "global", "reason": reason}
    if location:
        error.update(location=location, locationType="parameter")
    return Reply(status, {"error": {"code": status, "message": message, "errors": [error]}})


def _file_not_found(file_id: str) -> Reply:
    return _drive_error(404, f"File not found: {file_id}.", "notFound", "fileId")


class SheetsService:
    def __init__(
        self,
        store: Store,
        authority: TokenAuthority,
        quota: Quota,
        clock: Callable[[], float] = time.time,
        cell_limit: int | None = GOOGLE_CELL_LIMIT,
    ) -> None:
        self.store = store
        self.cell_limit = cell_limit
        self.authority = authority
        self.quota = quota
        self.clock = clock
        self.faults = FaultPlan()
        self.stats = Stats()
        self.position = 0
        self.lock = threading.RLock()

    def handle(self, request: Request) -> Reply:
        if request.path == "/token" and request.method == "POST":
            return self._token(request)
        if request.path == "/localsheets/stats" and request.method == "GET":
            with self.lock:
                return Reply(200, self.stats.as_dict())
        for route in ROUTES:
            match = route.pattern.fullmatch(request.path)
            if match and route.method == request.method:
                return self._api(route, request, tuple(unquote(g) for g in match.groups()))
        return Reply(404, ApiError(404, "Method not found.").body())

    def _token(self, request: Request) -> Reply:
        form = {key: values[-1] for key, values in parse_qs(request.body.decode()).items()}
        try:
            return Reply(200, self.authority.grant(form))
        except GrantError as error:
            return Reply(error.status, error.body)

    def _api(self, route: Route, request: Request, groups: tuple[str, ...]) -> Reply:
        with self.lock:
            self.position += 1
            self.stats.count(route.name)
            fault = self.faults.take(self.position)
        delay = fault.delay if fault else 0.0
        if fault and (fault.cut or fault.status):
            return self._fault_reply(fault, request)
        try:
            user = self.authority.user_for(request.headers.get("authorization"))
            with self.lock:
                if route.is_sheets:
                    self.quota.check(user, "Read" if request.method == "GET" else "Write")
                reply = route.handler(self, request, user, groups)
        except ApiError as error:
            reply = Reply(error.status, error.body())
        except Exception:
            traceback.print_exc()
            reply = Reply(500, ApiError(500).body())
        reply.delay = delay
        reply.route = route.name
        return reply

    def _fault_reply(self, fault: Fault, request: Request) -> Reply:
        if fault.cut:
            return Reply(0, cut=True, delay=fault.delay)
        status = fault.status or 500
        if status == 429:
            kind = "Read" if request.method == "GET" else "Write"
            error = quota_exceeded(kind, self.quota.per_minute or 60)
        else:
            error = ApiError(status)
        return Reply(status, error.body(), delay=fault.delay)

    def book(self, spreadsheet_id: str) -> Spreadsheet:
        book = self.store.get(spreadsheet_id)
        if book is None:
            raise not_found()
        return book

    def check_growth(self, before: int, book: Spreadsheet) -> None:
        """Refuse a write that would take the spreadsheet over the cell cap."""
        over = over_cell_limit(before, grid_cells(book.sheets), self.cell_limit)
        if over:
            raise bad_request(over)

    def commit(self, book: Spreadsheet, cells_written: int = 0) -> None:
        book.drive["modifiedTime"] = _now_rfc3339()
        self.store.put(book)
        self.stats.cells_written += cells_written

    def new_book(self, title: str, body: dict[str, Any] | None = None) -> Spreadsheet:
        body = body or {}
        props = body.get("properties") or {}
        try:
            book = Spreadsheet.new(
                title,
                body.get("sheets") or None,
                new_spreadsheet_id(),
                props.get("locale"),
                props.get("timeZone"),
            )
        except ValueError as error:
            raise bad_request(str(error)) from None
        stamp = _now_rfc3339()
        book.drive.update(createdTime=stamp, modifiedTime=stamp, mimeType=SHEETS_MIME)
        return book


def _create(service: SheetsService, request: Request, user: str, _: tuple[str, ...]) -> Reply:
    body = request.json()
    title = (body.get("properties") or {}).get("title") or DEFAULT_TITLE
    book = service.new_book(title, body)
    service.check_growth(0, book)
    service.commit(book)
    return Reply(200, book.to_json())


def _get(service: SheetsService, request: Request, user: str, groups: tuple[str, ...]) -> Reply:
    book = service.book(groups[0])
    include = (request.param("includeGridData") or "").lower() == "true"
    ranges = request.query.get("ranges") or None
    return Reply(200, book.to_json(include, ranges, request.param("fields")))


def _batch_update(
    service: SheetsService, request: Request, user: str, groups: tuple[str, ...]
) -> Reply:
    book, body, written = batch.batch_update(
        service.book(groups[0]), request.json(), service.cell_limit
    )
    service.commit(book, written)
    return Reply(200, body)


def _values_get(
    service: SheetsService, request: Request, user: str, groups: tuple[str, ...]
) -> Reply:
    book = service.book(groups[0])
    return Reply(200, valueops.values_get(book, groups[1], request.params()))


def _values_batch_get(
    service: SheetsService, request: Request, user: str, groups: tuple[str, ...]
) -> Reply:
    book = service.book(groups[0])
    ranges = request.query.get("ranges", [])
    return Reply(200, valueops.values_batch_get(book, ranges, request.params()))


def _write(
    operation: Callable[..., tuple[dict[str, Any], int]], with_range: bool
) -> Callable[[SheetsService, Request, str, tuple[str, ...]], Reply]:
    def run(service: SheetsService, request: Request, user: str, groups: tuple[str, ...]) -> Reply:
        body = request.json()
        work = service.book(groups[0]).clone()
        before = grid_cells(work.sheets)
        if with_range:
            reply, written = operation(work, groups[1], body, request.params())
        else:
            reply, written = operation(work, body)
        service.check_growth(before, work)
        service.commit(work, written)
        return Reply(200, reply)

    return run


def _values_clear(
    service: SheetsService, request: Request, user: str, groups: tuple[str, ...]
) -> Reply:
    work = service.book(groups[0]).clone()
    reply = valueops.values_clear(work, groups[1])
    service.commit(work)
    return Reply(200, reply)


def _values_batch_clear(
    service: SheetsService, request: Request, user: str, groups: tuple[str, ...]
) -> Reply:
    body = request.json()
    work = service.book(groups[0]).clone()
    reply = valueops.values_batch_clear(work, body)
    service.commit(work)
    return Reply(200, reply)


def _file_resource(book: Spreadsheet) -> dict[str, Any]:
    resource = {
        "kind": "drive#file",
        "id": book.spreadsheet_id,
        "name": book.title,
        "mimeType": SHEETS_MIME,
        "createdTime": book.drive.get("createdTime"),
        "modifiedTime": book.drive.get("modifiedTime"),
    }
    if book.drive.get("parents"):
        resource["parents"] = book.drive["parents"]
    return resource


def _drive_view(resource: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return {k: resource[k] for k in ("kind", "id", "name", "mimeType")}
    view: dict[str, Any] = filter_fields(resource, parse_mask(fields))
    return view


def _drive_create(service: SheetsService, request: Request, user: str, _: tuple[str, ...]) -> Reply:
    body = request.json()
    mime = body.get("mimeType")
    if mime != SHEETS_MIME:
        return _drive_error(
            400, f"localsheets only creates {SHEETS_MIME} files.", "badRequest", None
        )
    book = service.new_book(body.get("name") or DEFAULT_TITLE)
    if body.get("parents"):
        book.drive["parents"] = list(body["parents"])
    service.commit(book)
    return Reply(200, _drive_view(_file_resource(book), request.param("fields")))


def _drive_get(
    service: SheetsService, request: Request, user: str, groups: tuple[str, ...]
) -> Reply:
    book = service.store.get(groups[0])
    if book is None:
        return _file_not_found(groups[0])
    return Reply(200, _drive_view(_file_resource(book), request.param("fields")))


def _drive_delete(
    service: SheetsService, request: Request, user: str, groups: tuple[str, ...]
) -> Reply:
    if not service.store.delete(groups[0]):
        return _file_not_found(groups[0])
    return Reply(204)


_QUERY_CLAUSE = re.compile(
    r"""\s*(?:(?P<field>name|mimeType|trashed)\s*(?P<op>=|!=|contains)\s*(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|true|false)
    |(?P<parent>'[^']*'|"[^"]*")\s+in\s+parents|parents\s+in\s+(?P<parent2>'[^']*'|"[^"]*"))\s*""",
    re.VERBOSE,
)


def _clause_check(key: str, op: str, value: str) -> Callable[[dict[str, Any]], bool]:
    def check(resource: dict[str, Any]) -> bool:
        actual = resource.get(key)
        if key == "parents":
            return value in (actual or [])
        if key == "trashed":
            return value == "false"
        if op == "=":
            return actual == value
        if op == "!=":
            return actual != value
        return value in str(actual or "")

    return check


def drive_query_filter(query: str) -> Callable[[dict[str, Any]], bool]:
    """A predicate for the Drive ``q`` subset gspread uses (name, mimeType, parents)."""
    checks: list[Callable[[dict[str, Any]], bool]] = []
    for clause in re.split(r"\s+and\s+", query.strip()) if query.strip() else []:
        match = _QUERY_CLAUSE.fullmatch(clause)
        if not match:
            raise bad_request(f"Invalid Value: localsheets cannot evaluate q clause {clause!r}")
        parent = match.group("parent") or match.group("parent2")
        if parent:
            checks.append(_clause_check("parents", "in", parent[1:-1]))
            continue
        raw = match.group("value")
        value = raw.strip("'\"").replace("\\'", "'").replace('\\"', '"')
        checks.append(_clause_check(match.group("field"), match.group("op"), value))
    return lambda resource: all(check(resource) for check in checks)


def _drive_list(service: SheetsService, request: Request, user: str, _: tuple[str, ...]) -> Reply:
    keep = drive_query_filter(request.param("q") or "")
    files = [_file_resource(b) for b in service.store.books.values()]
    files = [f for f in files if keep(f)]
    body: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False}
    fields = request.param("fields")
    if fields:
        body["files"] = files
        return Reply(200, filter_fields(body, parse_mask(fields)))
    body["files"] = [_drive_view(f, None) for f in files]
    return Reply(200, body)


_ID = r"([^/:]+)"


def _route(
    method: str,
    pattern: str,
    name: str,
    handler: Callable[[SheetsService, Request, str, tuple[str, ...]], Reply],
    is_sheets: bool = True,
) -> Route:
    return Route(method, re.compile(pattern), name, handler, is_sheets)


ROUTES: list[Route] = [
    _route("POST", r"/v4/spreadsheets", "spreadsheets.create", _create),
    _route("GET", rf"/v4/spreadsheets/{_ID}", "spreadsheets.get", _get),
    _route("POST", rf"/v4/spreadsheets/{_ID}:batchUpdate", "spreadsheets.batchUpdate",
           _batch_update),
    _route("GET", rf"/v4/spreadsheets/{_ID}/values:batchGet", "values.batchGet",
           _values_batch_get),
    _route("POST", rf"/v4/spreadsheets/{_ID}/values:batchUpdate", "values.batchUpdate",
           _write(valueops.values_batch_update, with_range=False)),
    _route("POST", rf"/v4/spreadsheets/{_ID}/values:batchClear", "values.batchClear",
           _values_batch_clear),
    _route("POST", rf"/v4/spreadsheets/{_ID}/values/(.+):append", "values.append",
           _write(valueops.values_append, with_range=True)),
    _route("POST", rf"/v4/spreadsheets/{_ID}/values/(.+):clear", "values.clear", _values_clear),
    _route("GET", rf"/v4/spreadsheets/{_ID}/values/(.+)", "values.get", _values_get),
    _route("PUT", rf"/v4/spreadsheets/{_ID}/values/(.+)", "values.update",
           _write(valueops.values_update, with_range=True)),
    _route("POST", r"/drive/v3/files", "drive.files.create", _drive_create, is_sheets=False),
    _route("GET", r"/drive/v3/files", "drive.files.list", _drive_list, is_sheets=False),
    _route("GET", r"/drive/v3/files/([^/]+)", "drive.files.get", _drive_get, is_sheets=False),
    _route("DELETE", r"/drive/v3/files/([^/]+)", "drive.files.delete", _drive_delete,
           is_sheets=False),
]  # fmt: skip
