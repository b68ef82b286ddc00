"""Pointing real Google clients (requests, google-auth, gspread) at a local server.

:class:`RedirectAdapter` is a requests transport adapter that rewrites
``https://sheets.googleapis.com``, ``https://www.googleapis.com`` and
``https://oauth2.googleapis.com`` to a base URL such as ``http://127.0.0.1:PORT``
just before sending; everything else about the request (paths, query, headers,
body) is untouched, so the client code under test runs unchanged. gspread is
imported lazily: only :func:`gspread_client` needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

if TYPE_CHECKING:
    import gspread
    from google.auth.credentials import Credentials
    from google.auth.transport.requests import AuthorizedSession

GOOGLE_ORIGINS = (
    "https://sheets.googleapis.com",
    "https://www.googleapis.com",
    "https://oauth2.googleapis.com",
)
DEFAULT_SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
)


def rewrite_url(url: str, base_url: str) -> str:
    """Replace scheme and host of ``url`` by those of ``base_url``."""
    base = urlsplit(base_url)
    parts = urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


class RedirectAdapter(HTTPAdapter):
    """Sends every request it is mounted for to ``base_url`` instead."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        request.url = rewrite_url(request.url or "", self.base_url)
        return super().send(request, *args, **kwargs)


def redirect_session(
    session: requests.Session, base_url: str, origins: Iterable[str] = GOOGLE_ORIGINS
) -> requests.Session:
    """Mount a RedirectAdapter on ``session`` for Google's origins; returns the session."""
    adapter = RedirectAdapter(base_url)
    for origin in origins:
        session.mount(origin, adapter)
    return session


def authorized_session(credentials: Credentials, base_url: str) -> AuthorizedSession:
    """A google-auth AuthorizedSession whose API and token traffic go to ``base_url``."""
    from google.auth.transport.requests import AuthorizedSession, Request

    token_session = redirect_session(requests.Session(), base_url)
    session = AuthorizedSession(credentials, auth_request=Request(token_session))
    redirect_session(session, base_url)
    return session


def service_account_credentials(
    info: dict[str, Any], scopes: Iterable[str] = DEFAULT_SCOPES
) -> Credentials:
    from google.oauth2 import service_account

    credentials: Credentials = service_account.Credentials.from_service_account_info(
        info, scopes=list(scopes)
    )
    return credentials


def gspread_client(
    base_url: str, info: dict[str, Any], scopes: Iterable[str] = DEFAULT_SCOPES
) -> gspread.Client:
    """A gspread Client authenticating with ``info`` and talking to ``base_url``."""
    import gspread

    credentials = service_account_credentials(info, scopes)
    return gspread.Client(credentials, session=authorized_session(credentials, base_url))
