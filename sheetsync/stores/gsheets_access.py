"""Which Google Sheet, as whom, through which address: everything checked before any request.

- a workbook is a Google Sheets URL (`https://docs.google.com/spreadsheets/d/ID/...`)
  or a bare spreadsheet id;
- the service account's key file comes from `google.credentials` in the config,
  else from GOOGLE_APPLICATION_CREDENTIALS; its `token_uri` decides where tokens
  come from;
- `google.endpoint` points the client at another API base URL (the local server);
- both addresses speak HTTPS, except to this machine (127.0.0.1, localhost, ::1).

Every mistake is a UserError with one sentence a studio owner can act on, in the
studio's `locale` when the caller knows it; no message ever shows the private key.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import UserError
from ..i18n import DEFAULT, N_, translations

GOOGLE_API = "https://sheets.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
HELP = N_("see 'Google Sheets' in the README")
_KEY = N_("the service account key")

_URL_ID = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]{20,})")
_BARE_ID = re.compile(r"[A-Za-z0-9_-]{25,}")
_KEY_FIELDS = ("client_email", "private_key", "token_uri")


def spreadsheet_id(workbook: str, locale: str = DEFAULT) -> str:
    """The spreadsheet id in a Google Sheets URL, or the id itself."""
    _ = translations(locale).gettext
    text = workbook.strip()
    if "://" in text:
        parts = urlsplit(text)
        match = _URL_ID.search(parts.path)
        if parts.scheme not in ("https", "http") or match is None:
            raise UserError(_("%(workbook)s is not a Google Sheets address; it should look "
                              "like https://docs.google.com/spreadsheets/d/SPREADSHEET_ID/edit")
                            % {"workbook": workbook})
        return match[1]
    if not _BARE_ID.fullmatch(text):
        raise UserError(_("%(workbook)s is neither an .xlsx file nor a Google Sheets address "
                          "or spreadsheet id.") % {"workbook": workbook})
    return text


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_address(url: str, what: str) -> str:
    """`url` when it is HTTPS, or plain HTTP to this machine; else a UserError."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url.rstrip("/")
    if parts.scheme == "http" and is_loopback(host):
        return url.rstrip("/")
    raise UserError(f"{what} {url} must start with https:// (plain http:// is allowed only "
                    "to this machine, 127.0.0.1 or localhost).")


def api_base(endpoint: str | None) -> str:
    """The API base URL: Google's, or `google.endpoint`."""
    return checked_address(endpoint, "google.endpoint") if endpoint else GOOGLE_API


@dataclass(frozen=True)
class ServiceAccount:
    info: dict[str, Any]
    source: str  # where the key came from, for messages
    warnings: tuple[str, ...] = ()
    locale: str = DEFAULT  # the language of its messages

    @property
    def email(self) -> str:
        return str(self.info["client_email"])

    def credentials(self) -> Any:
        """google-auth service-account credentials for the Sheets scope."""
        from google.oauth2 import service_account

        try:
            return service_account.Credentials.from_service_account_info(
                self.info, scopes=list(SCOPES))
        except (ValueError, TypeError, KeyError):
            # The library's message may quote the key material: never show it.
            _ = translations(self.locale).gettext
            raise UserError(_("The private key in %(source)s cannot be read; download a new "
                              "JSON key for %(account)s (%(help)s).") % {
                                  "source": self.source, "account": self.email,
                                  "help": _(HELP)}) from None


def service_account(info: dict[str, Any], source: str | None = None,
                    locale: str = DEFAULT) -> ServiceAccount:
    """Check a service-account key (already parsed) and its token address."""
    _ = translations(locale).gettext
    source = source or _(_KEY)
    said = {"source": source, "help": _(HELP)}
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise UserError(_("%(source)s is not a service account key (a JSON file whose \"type\" "
                          "is \"service_account\"); %(help)s.") % said)
    missing = [k for k in _KEY_FIELDS if not isinstance(info.get(k), str) or not info.get(k)]
    if missing:
        raise UserError(_("%(source)s lacks %(fields)s; download a new JSON key for the service "
                          "account (%(help)s).") % {**said, "fields": ", ".join(missing)})
    checked_address(str(info["token_uri"]), f"The token_uri of {source},")
    return ServiceAccount(info, source, locale=locale)


def load_service_account(configured: str | None, locale: str = DEFAULT) -> ServiceAccount:
    """The key file named in the config, else in GOOGLE_APPLICATION_CREDENTIALS; what goes
    wrong is said in `locale`."""
    _ = translations(locale).gettext
    name = configured or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not name:
        raise UserError(_("Google Sheets needs a service account key: set google.credentials "
                          "in sheetsync.yaml (or GOOGLE_APPLICATION_CREDENTIALS) to its JSON "
                          "file; %(help)s.") % {"help": _(HELP)})
    path = Path(name)
    said = {"path": path, "help": _(HELP)}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(_("The service account key file %(path)s does not exist.")
                        % said) from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(_("The service account key file %(path)s cannot be read (%(error)s).")
                        % {**said, "error": type(err).__name__}) from None
    try:
        info = json.loads(text)
    except ValueError:
        raise UserError(_("The service account key file %(path)s is not valid JSON; download "
                          "a new JSON key (%(help)s).") % said) from None
    account = service_account(info, str(path), locale)
    return ServiceAccount(account.info, account.source, _exposure(path, locale), locale)


def _exposure(path: Path, locale: str = DEFAULT) -> tuple[str, ...]:
    """A warning when other users of this machine can read the key file."""
    if os.name != "posix" or not path.stat().st_mode & 0o077:
        return ()
    return (translations(locale).gettext(
        "The service account key file %(path)s can be read by other users of this machine; "
        "make it private with: chmod 600 %(path)s") % {"path": path},)
