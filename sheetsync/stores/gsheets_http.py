"""Every request to Google Sheets goes through here: timeouts, retries, counting, errors.

`SheetsHTTP` is gspread 6's HTTPClient with its `request` replaced:
- every call has a (connect, read) timeout;
- 429, 5xx, timeouts, cut connections and failed token fetches are retried with
  exponential backoff and full jitter, up to `RetryPolicy.attempts` tries and
  `RetryPolicy.cap` seconds per wait, then a `GaveUp` error says what went wrong
  (gspread's own BackOffHTTPClient would retry for ever);
- a request that is not idempotent (spreadsheets.batchUpdate: deleting rows twice
  deletes other rows) is retried only when it surely was not applied (429, no
  connection). When it may have been applied (5xx, a cut or timed-out reply) it
  raises `UncertainWrite` and the caller checks the sheet before trying again;
  values.batchUpdate writes explicit values to explicit ranges, so repeating it
  is harmless;
- `reads` and `writes` count API requests, retries aside;
- every request asks for compact JSON (Google's system parameter prettyPrint=false;
  Google indents its replies otherwise) and, as requests does by default, for gzip
  (Accept-Encoding), so a big read costs a fraction of its size on the wire;
- Google's 401/403/404 become a UserError naming the sheet and the account, in the
  studio's language (`Context.locale`);
  its 400 for the 10-million-cell cap becomes `SheetFull`, whose sentence the store
  completes with what the refused request left written.
  No message ever contains a token or the private key.
"""

from __future__ import annotations

import contextlib
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from google.auth import exceptions as auth_errors
from gspread.exceptions import APIError
from gspread.http_client import FileType, HTTPClient, ParamsType

from ..errors import UserError, WorkbookBusy
from ..formatting import format_count
from ..i18n import DEFAULT, N_, translations
from .gsheets_access import GOOGLE_API, HELP

GOOGLE_ORIGINS = (GOOGLE_API, "https://www.googleapis.com")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries per request, the first one included
    base: float = 1.0  # seconds: the n-th wait is random in [d/2, d), d = min(cap, base * 2**n)
    cap: float = 32.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def wait(self, failures: int, retry_after: float | None = None) -> float:
        """Exponential backoff with "equal jitter": half of each wait is certain, so the
        tries together always wait out a per-minute quota (full jitter could, by chance,
        spend every try within the same minute)."""
        backoff = min(self.cap, self.base * 2 ** (failures - 1))
        jittered = backoff / 2 + random.uniform(0, backoff / 2)
        return min(self.cap, max(jittered, retry_after or 0.0))


DEFAULT_POLICY = RetryPolicy()  # at most about a minute of waiting per request


class GaveUp(UserError):
    """Google Sheets did not answer after every try."""


class SheetFull(UserError):
    """Google refused to grow the spreadsheet past its cap of cells; nothing of that request
    was applied (Google applies a request whole or not at all)."""

    def __init__(self, sheet: str, limit: int, consequence: str = N_("nothing was written"),
                 locale: str = DEFAULT) -> None:
        self.sheet, self.limit, self.locale = sheet, limit, locale
        _ = translations(locale).gettext
        super().__init__(_(
            "The Google Sheet %(sheet)s is full: Google allows %(cells)s cells per spreadsheet "
            "and sheetsync needed room for more, so %(consequence)s; archive old appointments "
            "or move past months' history to another spreadsheet, then run sheetsync again.")
            % {"sheet": sheet, "cells": _cells(limit, locale),
               "consequence": _(consequence)})

    def left(self, consequence: str) -> SheetFull:
        """The same refusal, saying what the store's request had left written (a msgid)."""
        return SheetFull(self.sheet, self.limit, consequence, self.locale)


_CELL_LIMIT = re.compile(r"above the limit of (\d+) cells")


def _cells(limit: int, locale: str = DEFAULT) -> str:
    if limit % 1_000_000:
        return format_count(limit, locale)
    return translations(locale).gettext("%(millions)s million") % {
        "millions": limit // 1_000_000}


class UncertainWrite(Exception):
    """A write that is not idempotent failed in a way that may have applied it."""


@dataclass(frozen=True)
class Context:
    """What error messages name (the sheet and the account) and their language."""

    spreadsheet_id: str = ""
    account: str = ""
    locale: str = DEFAULT


def is_idempotent(method: str, url: str) -> bool:
    """Repeating it cannot change the sheet twice."""
    return method.upper() == "GET" or urlsplit(url).path.endswith("/values:batchUpdate")


class SheetsHTTP(HTTPClient):
    def __init__(self, session: requests.Session, *, base_url: str = GOOGLE_API,
                 policy: RetryPolicy | None = None, context: Context | None = None) -> None:
        super().__init__(auth=None, session=session)  # type: ignore[arg-type]
        self.base_url = base_url.rstrip("/")
        self.policy = policy or DEFAULT_POLICY
        self.context = context or Context()
        self.timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        self.reads = 0
        self.writes = 0

    @contextlib.contextmanager
    def uncounted(self, active: bool = True) -> Iterator[None]:
        """Requests made inside are retries or checks: they do not count."""
        reads, writes = self.reads, self.writes
        try:
            yield
        finally:
            if active:
                self.reads, self.writes = reads, writes

    def url(self, endpoint: str) -> str:
        for origin in GOOGLE_ORIGINS:
            if endpoint.startswith(origin + "/"):
                return self.base_url + endpoint[len(origin):]
        return endpoint

    def request(self, method: str, endpoint: str, params: ParamsType | None = None,
                data: bytes | None = None, json: Mapping[str, Any] | None = None,
                files: FileType = None,
                headers: MutableMapping[str, str] | None = None) -> requests.Response:
        url = self.url(endpoint)
        params = {**(params or {}), "prettyPrint": "false"}
        idempotent = is_idempotent(method, url)
        if method.upper() == "GET":
            self.reads += 1
        else:
            self.writes += 1
        _ = translations(self.context.locale).gettext
        failures = 0
        while True:
            try:
                response = self.session.request(method, url, params=params, data=data, json=json,
                                                files=files, headers=headers,
                                                timeout=self.timeout)
            except requests.ConnectTimeout:
                problem, maybe_applied, retry_after = _("the connection timed out"), False, None
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as err:
                problem, retry_after = _(_network_problem(err)), None
                maybe_applied = not _never_connected(err)
            except auth_errors.RefreshError as err:
                if not getattr(err, "retryable", False):
                    raise self._refused(err) from None
                problem, maybe_applied, retry_after = _("the token service failed"), False, None
            except auth_errors.TransportError:
                problem, maybe_applied, retry_after = (
                    _("Google's token service could not be reached; check the internet "
                      "connection"), False, None)
            else:
                if response.ok:
                    return response
                status = response.status_code
                if status != 429 and status < 500 and status != 408:
                    raise self._api_error(response)
                problem = _status_problem(status, self.context.locale)
                maybe_applied = status != 429
                retry_after = _retry_after(response)
            failures += 1
            if maybe_applied and not idempotent:
                raise UncertainWrite(problem)
            if failures >= self.policy.attempts:
                raise GaveUp(gave_up(failures, problem, self.context.locale))
            self.policy.sleep(self.policy.wait(failures, retry_after))

    def _refused(self, err: auth_errors.RefreshError) -> UserError:
        reason = str(err.args[0]) if err.args else "refused"
        _ = translations(self.context.locale).gettext
        return UserError(_(
            "Google refused the key of the service account %(account)s (%(reason)s); the key "
            "may have been deleted or be for another project: download a new JSON key "
            "(%(help)s).") % {"account": self.context.account, "reason": reason[:120],
                              "help": _(HELP)})

    def _api_error(self, response: requests.Response) -> Exception:
        error = APIError(response)
        status = response.status_code
        message = str(error.error.get("message", ""))
        _ = translations(self.context.locale).gettext
        said = {"sheet": self.context.spreadsheet_id, "account": self.context.account,
                "help": _(HELP)}
        if status == 404:
            return UserError(_("There is no Google Sheet with the id %(sheet)s; check the "
                               "address in your settings or on the command line.") % said)
        if status == 403 and ("has not been used" in message or "is disabled" in message):
            return UserError(_("The Google Sheets API is not enabled for the service account's "
                               "project; enable it in the Google Cloud console (%(help)s).")
                             % said)
        if status == 403:
            return UserError(_("The Google Sheet %(sheet)s is not shared with the service "
                               "account %(account)s; open the sheet, click Share and add that "
                               "address as an Editor.") % said)
        if status == 401:
            return UserError(_("Google did not accept the credentials of the service account "
                               "%(account)s; download a new JSON key (%(help)s).") % said)
        if status == 400 and "Unable to parse range" in message:
            return WorkbookBusy(_("A tab was renamed or removed in the Google Sheet while "
                                  "sheetsync was working; run sheetsync again."))
        if status == 400 and response.request.method == "GET" and "exceeds grid limits" in message:
            return WorkbookBusy(_("Rows were removed in the Google Sheet while sheetsync was "
                                  "reading it; nothing was written. Run sheetsync again."))
        cap = _CELL_LIMIT.search(message) if status == 400 else None
        if cap is not None:
            return SheetFull(self.context.spreadsheet_id, int(cap[1]),
                             locale=self.context.locale)
        return error


def gave_up(tries: int, problem: str, locale: str = DEFAULT) -> str:
    """The sentence of a request that failed every try (`problem` already in `locale`)."""
    return translations(locale).gettext(
        "Google Sheets did not answer after %(tries)s tries: %(problem)s.") % {
            "tries": tries, "problem": problem}


def _status_problem(status: int, locale: str = DEFAULT) -> str:
    _ = translations(locale).gettext
    if status == 429:
        return _("the quota of requests per minute was used up (HTTP 429)")
    if status == 408:
        return _("the request timed out (HTTP 408)")
    return _("Google's servers answered with an error (HTTP %(status)s)") % {"status": status}


def _never_connected(err: Exception) -> bool:
    """True when the request surely never reached the server (no connection was made)."""
    seen: set[int] = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError) or type(cause).__name__ in (
                "NewConnectionError", "NameResolutionError", "ConnectTimeoutError"):
            return True
        if cause.args and isinstance(cause.args[0], BaseException):
            nested: BaseException | None = cause.args[0]
        else:
            nested = None
        reason = getattr(cause, "reason", None)
        cause = reason if isinstance(reason, BaseException) else (nested or cause.__cause__
                                                                  or cause.__context__)
    return False


def _network_problem(err: Exception) -> str:
    """What went wrong with the connection (a msgid: the caller translates it)."""
    if isinstance(err, requests.Timeout):
        return N_("Google Sheets did not answer in time")
    if _never_connected(err):
        return N_("Google Sheets could not be reached; check the internet connection")
    return N_("the connection was cut")


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return float(value) if value else None
    except ValueError:
        return None
