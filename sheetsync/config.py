"""sheetsync.yaml: load it, check every key, and say everything that is wrong at once.

The file is found at `--config FILE`, else `$SHEETSYNC_CONFIG`, else
`sheetsync.yaml` in the current folder; without one, defaults apply. A relative
workbook path is relative to the config file's folder. Secrets never stand in
this file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .errors import UserError

DEFAULT_NAME = "sheetsync.yaml"
TOP_LEVEL = {"workbook", "timezone", "currency", "google"}
GOOGLE_KEYS = {"credentials", "endpoint"}


@dataclass(frozen=True)
class Config:
    workbook: str | None = None
    timezone: str = "UTC"
    currency: str = ""
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def google(self) -> dict[str, str]:
        """`credentials` (a service-account key file) and `endpoint` (API base URL)."""
        return self.section("google")

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name) or {}
        return value if isinstance(value, dict) else {}


def system_timezone() -> str:
    """The machine's IANA zone (TZ or /etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name and _zone_exists(name):
            return name
    return "UTC"


def _zone_exists(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def find_config(explicit: str | None) -> Path | None:
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise UserError(f"The config file {explicit} does not exist.")
        return path
    from_env = os.environ.get("SHEETSYNC_CONFIG")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise UserError(f"SHEETSYNC_CONFIG points to {from_env}, which does not exist.")
        return path
    default = Path(DEFAULT_NAME)
    return default if default.is_file() else None


def load_config(explicit: str | None = None) -> Config:
    path = find_config(explicit)
    if path is None:
        return Config(timezone=system_timezone())
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"{path} is not valid YAML{where}; check its indentation and colons.") \
            from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"Cannot read {path}: {err}") from None
    return parse_config(data, path)


def parse_config(data: object, path: Path | None = None) -> Config:
    where = str(path) if path else "the configuration"
    if not isinstance(data, dict):
        raise UserError(f"{where} should hold settings like 'timezone: Europe/Istanbul'.")
    errors: list[str] = []
    unknown = sorted(set(map(str, data)) - TOP_LEVEL)
    if unknown:
        errors.append(f"unknown setting(s) {', '.join(unknown)} "
                      f"(known: {', '.join(sorted(TOP_LEVEL))})")
    timezone = data.get("timezone") or system_timezone()
    if not isinstance(timezone, str) or not _zone_exists(timezone):
        errors.append(f"timezone '{timezone}' is not a time zone; use a name like "
                      "Europe/Istanbul or America/New_York")
    currency = data.get("currency") or ""
    if not isinstance(currency, str) or len(currency) > 8:
        errors.append(f"currency '{currency}' should be a short code like TRY or EUR")
    workbook = data.get("workbook")
    if workbook is not None and not isinstance(workbook, str):
        errors.append("workbook should be a path to an .xlsx file or a Google Sheets URL")
    errors.extend(_google_errors(data.get("google")))
    if errors:
        raise UserError(f"{where} has problems:\n- " + "\n- ".join(errors))
    if workbook and path and "://" not in workbook and not Path(workbook).is_absolute() \
            and workbook.lower().endswith(".xlsx"):
        workbook = str(path.parent / workbook)
    google = dict(data.get("google") or {})
    credentials = google.get("credentials")
    if credentials and path and not Path(credentials).is_absolute():
        google["credentials"] = str(path.parent / credentials)
    return Config(workbook=workbook, timezone=timezone, currency=currency, source=path,
                  raw={**data, "google": google})


def _google_errors(google: object) -> list[str]:
    if google is None:
        return []
    if not isinstance(google, dict):
        return [f"google should be a section with credentials and endpoint, not '{google}'"]
    errors = []
    unknown = sorted(set(map(str, google)) - GOOGLE_KEYS)
    if unknown:
        errors.append(f"unknown google setting(s) {', '.join(unknown)} "
                      f"(known: {', '.join(sorted(GOOGLE_KEYS))})")
    for key in GOOGLE_KEYS & set(google):
        if not isinstance(google[key], str) or not google[key]:
            errors.append(f"google.{key} should be a path or address, not '{google[key]}'")
    endpoint = google.get("endpoint")
    if isinstance(endpoint, str) and not endpoint.startswith(("https://", "http://")):
        errors.append(f"google.endpoint '{endpoint}' should start with https://")
    return errors
