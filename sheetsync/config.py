"""sheetsync.yaml: load it, check every key, and say everything that is wrong at once.

The file is found at `--config FILE`, else `$SHEETSYNC_CONFIG`, else
`sheetsync.yaml` in the current folder; without one, defaults apply. A relative
workbook path is relative to the config file's folder. Secrets never stand in
this file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from . import cells, words
from .errors import UserError
from .i18n import DEFAULT as DEFAULT_LOCALE
from .i18n import normalise_locale
from .publicholidays import HolidaySettings, check_settings

DEFAULT_NAME = "sheetsync.yaml"
TOP_LEVEL = {"workbook", "timezone", "currency", "locale", "google", "email", "notifications",
             "templates_dir", "holidays", "calendar"}
HOLIDAY_KEYS = {"country", "subdiv", "ignore"}
GOOGLE_KEYS = {"credentials", "endpoint"}
EMAIL_KEYS = {"from", "reply_to", "smtp", "outbox_dir"}
SMTP_KEYS = {"host", "port", "starttls", "ssl", "username", "password_env", "timeout",
             "insecure_auth"}
NOTIFICATION_KEYS = {"ending_at", "payment_due_after_days", "payment_due_every_days",
                     "digest_weekday", "digest_time"}
CALENDAR_KEYS = {"out_dir", "feeds", "secret_env", "history_months"}
FEED_KINDS = ("staff", "client", "group", "studio")
HISTORY_MONTHS = 6


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    starttls: bool = True
    ssl: bool = False  # implicit TLS, usually port 465
    username: str = ""
    password_env: str = ""  # the name of the environment variable holding the password
    timeout: float = 30.0
    insecure_auth: bool = False  # allow AUTH over a connection that is not encrypted

    @property
    def encrypted(self) -> bool:
        return self.ssl or self.starttls


@dataclass(frozen=True)
class Email:
    sender: str  # "Studio <studio@example.com>"
    reply_to: str = ""
    smtp: Smtp | None = None
    outbox_dir: Path = Path("outbox")


@dataclass(frozen=True)
class CalendarSettings:
    """Calendar feeds (.ics) that `sync` refreshes after every run."""

    out_dir: Path
    feeds: tuple[str, ...] = FEED_KINDS  # which kinds of feed: staff, client, group, studio
    secret_env: str = ""  # the NAME of the environment variable holding the file-name secret
    history_months: int = HISTORY_MONTHS  # sessions kept from the 1st of the month this far back


@dataclass(frozen=True)
class Config:
    workbook: str | None = None
    timezone: str = "UTC"
    currency: str = ""
    locale: str = DEFAULT_LOCALE  # en, tr or de: e-mails, statements and feeds (i18n.SUPPORTED)
    source: Path | None = None
    email: Email | None = None  # None: no alerts are sent
    ending_at: int = 1  # package_ending goes out when this many sessions remain
    # payment_due goes to a client whose period has had money due this many days (None: off),
    # and again every payment_due_every_days while it stays due (None: once per period)
    payment_due_after_days: int | None = None
    payment_due_every_days: int | None = None
    # the weekly digest to the managers: on this weekday (0 = Monday; None: off) at this time
    digest_weekday: int | None = None
    digest_time: time = time(8, 0)
    templates_dir: Path | None = None
    holidays: HolidaySettings | None = None
    calendar: CalendarSettings | None = None  # None: sync refreshes no calendar feeds
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


def _locale(value: object) -> tuple[str, list[str]]:
    """`locale` (blank: English) as one of i18n.SUPPORTED, and the problem with it if any."""
    if value is None or value == "":
        return DEFAULT_LOCALE, []
    try:
        return normalise_locale(str(value)), []
    except ValueError as err:
        return DEFAULT_LOCALE, [f"locale: {err}"]


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
    folder = path.parent if path else Path(".")
    errors: list[str] = []
    errors += _unknown("", data, TOP_LEVEL)
    timezone = data.get("timezone") or system_timezone()
    if not isinstance(timezone, str) or not _zone_exists(timezone):
        errors.append(f"timezone '{timezone}' is not a time zone; use a name like "
                      "Europe/Istanbul or America/New_York")
    currency = data.get("currency") or ""
    if not isinstance(currency, str) or len(currency) > 8:
        errors.append(f"currency '{currency}' should be a short code like TRY or EUR")
    locale, locale_errors = _locale(data.get("locale"))
    errors += locale_errors
    workbook = data.get("workbook")
    if workbook is not None and not isinstance(workbook, str):
        errors.append("workbook should be a path to an .xlsx file or a Google Sheets URL")
    errors += _google_errors(data.get("google"))
    email, email_errors = _email(data.get("email"), folder)
    errors += email_errors
    (ending_at, due_after, due_every), notification_errors = _notifications(
        data.get("notifications"))
    errors += notification_errors
    (digest_weekday, digest_time), digest_errors = _digest(data.get("notifications"), locale)
    errors += digest_errors
    holidays, holiday_errors = _holidays(data.get("holidays"))
    errors += holiday_errors
    calendar, calendar_errors = _calendar(data.get("calendar"), folder)
    errors += calendar_errors
    templates_dir = data.get("templates_dir")
    if templates_dir is not None and not isinstance(templates_dir, str):
        errors.append("templates_dir should be the path of a folder of e-mail templates")
    elif templates_dir and not (folder / templates_dir).is_dir():
        errors.append(f"templates_dir {templates_dir} is not a folder")
    if errors:
        raise UserError(f"{where} has problems:\n- " + "\n- ".join(errors))
    if workbook and "://" not in workbook and workbook.lower().endswith(".xlsx"):
        workbook = str(folder / workbook)
    google = dict(data.get("google") or {})
    if google.get("credentials"):
        google["credentials"] = str(folder / google["credentials"])
    return Config(workbook=workbook, timezone=timezone, currency=currency, locale=locale,
                  source=path,
                  email=email, ending_at=ending_at, payment_due_after_days=due_after,
                  payment_due_every_days=due_every, digest_weekday=digest_weekday,
                  digest_time=digest_time, holidays=holidays, calendar=calendar,
                  templates_dir=folder / templates_dir if templates_dir else None,
                  raw={**data, "google": google})


def _unknown(prefix: str, section: dict[Any, Any], known: set[str]) -> list[str]:
    unknown = sorted(set(map(str, section)) - known)
    if not unknown:
        return []
    names = ", ".join(prefix + u for u in unknown)
    hint = ""
    if "password" in unknown:
        hint = "; never write a password here: set password_env to the name of an " \
               "environment variable that holds it"
    return [f"unknown setting(s) {names} (known: {', '.join(sorted(known))}){hint}"]


def _google_errors(google: object) -> list[str]:
    if google is None:
        return []
    if not isinstance(google, dict):
        return [f"google should be a section with credentials and endpoint, not '{google}'"]
    errors = _unknown("google.", google, GOOGLE_KEYS)
    for key in GOOGLE_KEYS & set(google):
        if not isinstance(google[key], str) or not google[key]:
            errors.append(f"google.{key} should be a path or address, not '{google[key]}'")
    endpoint = google.get("endpoint")
    if isinstance(endpoint, str) and not endpoint.startswith(("https://", "http://")):
        errors.append(f"google.endpoint '{endpoint}' should start with https://")
    return errors


def _email(email: object, folder: Path) -> tuple[Email | None, list[str]]:
    if email is None:
        return None, []
    if not isinstance(email, dict):
        return None, [f"email should be a section of settings, not '{email}'"]
    errors = _unknown("email.", email, EMAIL_KEYS)
    sender = email.get("from")
    if not isinstance(sender, str) or not _looks_like_address(sender):
        errors.append("email.from should be the studio's address, like "
                      "'Studio <studio@example.com>'")
    reply_to = email.get("reply_to") or ""
    if reply_to and (not isinstance(reply_to, str) or not _looks_like_address(reply_to)):
        errors.append(f"email.reply_to '{reply_to}' is not an e-mail address")
    outbox = email.get("outbox_dir") or "outbox"
    if not isinstance(outbox, str):
        errors.append("email.outbox_dir should be the path of a folder")
        outbox = "outbox"
    smtp, smtp_errors = _smtp(email.get("smtp"))
    errors += smtp_errors
    if errors:
        return None, errors
    assert isinstance(sender, str)
    return Email(sender=sender, reply_to=str(reply_to), smtp=smtp,
                 outbox_dir=folder / outbox), []


def _smtp(smtp: object) -> tuple[Smtp | None, list[str]]:
    if smtp is None:
        return None, []
    if not isinstance(smtp, dict):
        return None, [f"email.smtp should be a section of settings, not '{smtp}'"]
    errors = _unknown("email.smtp.", smtp, SMTP_KEYS)
    host = smtp.get("host")
    if not isinstance(host, str) or not host.strip():
        errors.append("email.smtp.host is missing: the mail server, like smtp.example.com")
    flags = {}
    for key in ("starttls", "ssl", "insecure_auth"):
        value = smtp.get(key)
        if value is not None and not isinstance(value, bool):
            errors.append(f"email.smtp.{key} should be true or false")
        flags[key] = value
    ssl = bool(flags["ssl"])
    starttls = (not ssl) if flags["starttls"] is None else bool(flags["starttls"])
    if ssl and starttls:
        errors.append("email.smtp: use either ssl (implicit TLS) or starttls, not both")
    port = smtp.get("port", 465 if ssl else 587)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        errors.append(f"email.smtp.port '{port}' is not a port number")
    timeout = smtp.get("timeout", 30)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        errors.append(f"email.smtp.timeout '{timeout}' should be a number of seconds")
    username = smtp.get("username") or ""
    password_env = smtp.get("password_env") or ""
    if not isinstance(username, str) or not isinstance(password_env, str):
        errors.append("email.smtp.username and password_env should be text")
    elif username and not password_env:
        errors.append("email.smtp.password_env is missing: name the environment variable "
                      "that holds the password of " + username)
    elif password_env and not password_env.replace("_", "").isalnum():
        errors.append("email.smtp.password_env should be the NAME of an environment "
                      "variable, like SHEETSYNC_SMTP_PASSWORD, not the password itself")
    if username and not ssl and not starttls and not flags["insecure_auth"]:
        errors.append("email.smtp would send the password unencrypted; turn on starttls or "
                      "ssl (or, on a trusted network only, insecure_auth: true)")
    if errors:
        return None, errors
    assert isinstance(host, str) and isinstance(port, int)
    return Smtp(host=host.strip(), port=port, starttls=starttls, ssl=ssl,
                username=str(username), password_env=str(password_env),
                timeout=float(timeout), insecure_auth=bool(flags["insecure_auth"])), []


def _notifications(section: object) -> tuple[tuple[int, int | None, int | None], list[str]]:
    """(ending_at, payment_due_after_days, payment_due_every_days) and the problems."""
    if section is None:
        return (1, None, None), []
    if not isinstance(section, dict):
        return (1, None, None), [f"notifications should be a section of settings, not "
                                 f"'{section}'"]
    errors = _unknown("notifications.", section, NOTIFICATION_KEYS)
    ending_at = section.get("ending_at", 1)
    if not isinstance(ending_at, int) or isinstance(ending_at, bool) or ending_at < 0:
        errors.append("notifications.ending_at should be a whole number like 1 "
                      "(0 turns the package_ending alert off)")
        ending_at = 1
    after, every = section.get("payment_due_after_days"), section.get("payment_due_every_days")
    payment_errors = [f"notifications.{name} should be a whole number of days like 7, not "
                      f"'{value}' (leave it out to turn it off)"
                      for name, value in (("payment_due_after_days", after),
                                          ("payment_due_every_days", every))
                      if value is not None and (not isinstance(value, int)
                                                or isinstance(value, bool) or value < 1)]
    if every is not None and after is None:
        payment_errors.append("notifications.payment_due_every_days repeats the payment "
                              "reminder, so it needs notifications.payment_due_after_days as "
                              "well")
    if payment_errors:
        after = every = None
    return (ending_at, after, every), errors + payment_errors


def _digest(section: object, locale: str) -> tuple[tuple[int | None, time], list[str]]:
    """(digest_weekday, digest_time) of the notifications section and the problems.

    The weekday is read as the schedules read it: English or the locale's names and their
    abbreviations (`monday`, `Mon`, `Pazartesi`, `Montag`). A time YAML read as a number
    (`8:30` unquoted is 510 in YAML 1.1's base 60) is turned back into the time it meant."""
    if not isinstance(section, dict):
        return (None, time(8, 0)), []  # no section, or one _notifications reports
    weekday_value, time_value = section.get("digest_weekday"), section.get("digest_time")
    errors: list[str] = []
    weekday = None
    if weekday_value is not None:
        weekday = words.weekdays(locale).meaning(str(weekday_value).strip()) if isinstance(
            weekday_value, str) else None
        if weekday is None:
            errors.append(f"notifications.digest_weekday should be a day of the week like "
                          f"monday, not '{weekday_value}' (leave it out to turn the weekly "
                          "digest off)")
    at = _clock(time_value)
    if at is None:
        errors.append(f"notifications.digest_time should be a time of day like '08:00', not "
                      f"'{time_value}'")
        at = time(8, 0)
    elif time_value is not None and weekday_value is None:
        errors.append("notifications.digest_time sets the hour of the weekly digest, so it "
                      "needs notifications.digest_weekday as well")
    return (None if errors else weekday, at), errors


def _clock(value: object) -> time | None:
    """`08:00`, `8pm`; 480 as YAML reads an unquoted 8:00; None when it is no time of day."""
    if value is None:
        return time(8, 0)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    if not isinstance(value, str):
        return None
    try:
        return cells.parse_clock(value)
    except cells.CellError:
        return None


def _holidays(section: object) -> tuple[HolidaySettings | None, list[str]]:
    if section is None:
        return None, []
    if not isinstance(section, dict):
        return None, [f"holidays should be a section like {{country: TR}}, not '{section}'"]
    errors = _unknown("holidays.", section, HOLIDAY_KEYS)
    country = str(section.get("country") or "").upper()
    subdiv = str(section.get("subdiv") or "")
    ignore = section.get("ignore") or []
    if not isinstance(ignore, list) or not all(isinstance(i, str | date) for i in ignore):
        errors.append("holidays.ignore should be a list of dates (2026-12-31) or holiday names")
        ignore = []
    wrong = check_settings(country, subdiv) if country else \
        "holidays.country is missing: a two-letter code like TR"
    if wrong:
        errors.append(wrong)
    if errors:
        return None, errors
    names = tuple(i.isoformat() if isinstance(i, date) else i for i in ignore)
    return HolidaySettings(country=country, subdiv=subdiv, ignore=names), []


def _calendar(section: object, folder: Path) -> tuple[CalendarSettings | None, list[str]]:
    if section is None:
        return None, []
    if not isinstance(section, dict):
        return None, [f"calendar should be a section like {{out_dir: calendars}}, "
                      f"not '{section}'"]
    errors = _unknown("calendar.", section, CALENDAR_KEYS)
    out_dir = section.get("out_dir")
    if not isinstance(out_dir, str) or not out_dir.strip():
        errors.append("calendar.out_dir is missing: the folder that receives the .ics feeds, "
                      "like calendars")
    feeds = section.get("feeds", list(FEED_KINDS))
    if isinstance(feeds, str):
        feeds = [feeds]
    if (not isinstance(feeds, list) or not feeds
            or not all(isinstance(f, str) and f in FEED_KINDS for f in feeds)):
        errors.append(f"calendar.feeds should list some of {', '.join(FEED_KINDS)}, "
                      f"not '{feeds}'")
        feeds = list(FEED_KINDS)
    secret_env = section.get("secret_env") or ""
    if not isinstance(secret_env, str) or (
            secret_env and not secret_env.replace("_", "").isalnum()):
        errors.append("calendar.secret_env should be the NAME of an environment variable, "
                      "like SHEETSYNC_CALENDAR_SECRET, not the secret itself")
    history = section.get("history_months", HISTORY_MONTHS)
    if not isinstance(history, int) or isinstance(history, bool) or not 0 <= history <= 120:
        errors.append(f"calendar.history_months '{history}' should be a whole number of "
                      "months from 0 to 120")
    if errors:
        return None, errors
    assert isinstance(out_dir, str)
    return CalendarSettings(out_dir=folder / out_dir.strip(),
                            feeds=tuple(k for k in FEED_KINDS if k in feeds),
                            secret_env=str(secret_env), history_months=history), []


def _looks_like_address(value: str) -> bool:
    from email.utils import parseaddr

    _name, address = parseaddr(value)
    return "@" in address and "." in address.rsplit("@", 1)[1] and not any(
        ch in value for ch in "\r\n\0")
