"""A local stand-in for the Google Sheets API v4 (and the Drive v3 calls gspread makes).

``LocalSheets`` serves it on 127.0.0.1 for tests and offline trials; the real
google-auth and gspread code talks to it over HTTP. It lives beside the product in
this repository and is not part of the sheetsync wheel: tests find it on the
repository's root (pytest's `pythonpath`), and `python -m localsheets` runs it from
the repository's folder. ``service_account_info``
makes credentials whose token endpoint is the local server, and
``localsheets.client`` redirects Google's hosts to it.
"""

from .auth import service_account_info
from .client import authorized_session, gspread_client, redirect_session
from .errors import ApiError
from .server import LocalSheets

__all__ = [
    "ApiError",
    "LocalSheets",
    "authorized_session",
    "gspread_client",
    "redirect_session",
    "service_account_info",
]
