"""Package alerts: render each message from Jinja2 templates and deliver it by SMTP or outbox.

`alerts.py` decides which messages are due (`Outgoing`); this module turns them
into e-mails and hands back one `Result` per message, in order. It never decides
twice and never writes the workbook: exactly-once is kept by the Notifications tab.

Invariants:

- `Mailer(...)` loads and test-renders every template at once; a missing or
  broken one is a `UserError` naming the file and line, before anything is sent.
- `send` never raises for delivery trouble: a message is `sent` (an SMTP server
  accepted it), `queued` (written to the outbox folder: nothing left the machine),
  `failed` (the engine retries it at the next sync) or `skipped` (no usable address;
  final). A failure that cannot fix itself (the password variable is not set, the
  server refuses the login) says so in `Result.needs_action`.
- Nothing a studio typed can add a header: names, subjects and keys lose their
  control characters, addresses are checked before use.
- The SMTP password is read from the environment at send time, kept in a local
  variable only, and scrubbed from every error text.
- The Message-ID is derived from the key, so the one duplicate a crash between the
  server's acceptance and the workbook write can cause is recognisable.

Templates (see templates/README.md): for each event and role a text template
`{event}.{role}.txt` and an HTML template `{event}.{role}.html`. The text template's
first line is `Subject: ...`; the rest is the text body. The HTML template sees the
same variables plus `subject`. The filters `money`, `day`, `time`, `when`, `plural` and
`shortday` come from formatting.py; the records and words (`Outgoing`, `Result`, the
statuses, events and roles) from messages.py.

Languages: a message is rendered in one language (`message_locale`): a client's own
`language` for the client's messages, else the studio's `locale`. Each language has its own
Jinja environment with `jinja2.ext.i18n` and that language's catalog (i18n.py) and filters;
English is the templates' own text, so English output does not depend on the catalogs.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import importlib.resources
import os
import re
import smtplib
import socket
import ssl
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .atomic import write_atomically
from .config import Email, Smtp
from .digest import sample_digests
from .errors import UserError, disk_refused
from .formatting import filters, one_line
from .i18n import DEFAULT, client_locale, normalise_locale, translations
from .messages import (
    CLIENT,
    DIGEST,
    FAILED,
    KINDS,
    OPTIONAL_KINDS,
    QUEUED,
    SENT,
    SKIPPED,
    STATEMENT,
    Outgoing,
    Result,
    template_names,
)
from .statement import sample_statements


def _builtin_templates() -> Path:
    """The templates shipped inside the installed package, or, in a source checkout
    installed in editable mode, the repository's own templates/ folder."""
    packaged = Path(str(importlib.resources.files("sheetsync") / "templates"))
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


BUILTIN_TEMPLATES = _builtin_templates()


def copy_templates(folder: Path, *, replace: bool = False, locale: str = DEFAULT) -> list[str]:
    """Copy the built-in templates into `folder` for a studio to edit; the names copied.

    Never overwrites a file there unless `replace`: a UserError (in `locale`) names the ones
    in the way.
    """
    _ = translations(locale).gettext
    names = sorted(p.name for p in BUILTIN_TEMPLATES.iterdir() if p.is_file())
    if folder.exists() and not folder.is_dir():
        raise UserError(_("%(folder)s is a file; give a folder to copy the templates into.")
                        % {"folder": folder})
    present = [n for n in names if (folder / n).exists()]
    if present and not replace:
        shown = ", ".join(present[:3])
        if len(present) > 3:
            shown = _("%(names)s and %(count)s more") % {"names": shown,
                                                         "count": len(present) - 3}
        raise UserError(_("%(folder)s already holds %(names)s; nothing was copied. Choose an "
                          "empty folder, or add --replace to overwrite them with the built-in "
                          "ones.") % {"folder": folder, "names": shown})
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        write_atomically(folder / name, (BUILTIN_TEMPLATES / name).read_bytes())
    return names


MAX_ERROR = 500


# ---------------------------------------------------------------------------
# Header safety: nothing typed in a workbook can add a header.

_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


class BadAddress(ValueError):
    """An address sheetsync will not send to; the message says why."""


def clean_address(address: str) -> str:
    """The address ready for a header and the envelope (an IDN domain in its ASCII form).

    Raises `BadAddress` for anything that is not one plain `local@domain.tld`.
    """
    raw = address.strip()
    if not raw:
        raise BadAddress("no e-mail address")
    shown = one_line(raw)[:80]
    local, at, domain = raw.rpartition("@")
    if not at or len(local) > 64 or not _LOCAL_PART.fullmatch(local):
        raise BadAddress(f"'{shown}' is not an e-mail address")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise BadAddress(f"'{shown}' is not an e-mail address (its domain)") from None
    labels = domain.rstrip(".").split(".")
    if (len(labels) < 2 or len(domain) > 253 or labels[-1].isdigit()
            or not all(_LABEL.fullmatch(label) for label in labels)):
        raise BadAddress(f"'{shown}' is not an e-mail address (its domain)")
    return f"{local}@{domain.rstrip('.')}"


def _clean(value: Any) -> Any:
    """Template variables without control characters (names stay on one line)."""
    if isinstance(value, str):
        return one_line(value) if value and not value.isprintable() else value
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def message_id(key: str, sender: str) -> str:
    """`<sha256(key)[:32]@sender's domain>`: the same for every attempt at one alert."""
    domain = parseaddr(sender)[1].rpartition("@")[2]
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = ""
    domain = re.sub(r"[^A-Za-z0-9.-]", "", domain) or "sheetsync.invalid"
    return f"<{_digest(key)[:32]}@{domain}>"


def outbox_name(key: str) -> str:
    """The .eml file name of one alert: readable, safe on every file system, unique per key."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._")[:80] or "alert"
    return f"{readable}.{_digest(key)[:10]}.eml"


# ---------------------------------------------------------------------------
# Templates


class RenderError(Exception):
    """A template failed on real data; the message names the file and line."""


def sample_context(**changes: Any) -> dict[str, Any]:
    """A complete template context (the contract `alerts.py` fills), for checks and tests."""
    context: dict[str, Any] = {
        "studio_name": "Studio Example",
        "currency": "TRY",
        "client": {"id": "C001", "name": "Ayşe Çelik", "email": "ayse@client.example"},
        "staff": {"id": "ST1", "name": "Elif Demir"},
        "group": None,
        "recipient": {"name": "Ayşe Çelik", "role": CLIENT},
        "package": {"id": "P10", "name": "10-Session Physiotherapy Package", "sessions": 10},
        "period": 2,
        "used": 9, "remaining": 1, "completed": 8, "paid_cancel": 1, "cancelled": 1,
        "next_session": datetime(2027, 1, 4, 14, 0),
        "last_session": datetime(2027, 1, 7, 14, 0),
        "next_period": {"number": 3, "first_session": datetime(2027, 1, 11, 14, 0),
                        "price": Decimal("4000"), "due": Decimal("4000")},
        "period_price": Decimal("4000"), "period_paid": Decimal("2500"),
        "period_due": Decimal("1500"), "total_due": Decimal("5500"),
        "auto_renew": True,
        "due_since": datetime(2026, 12, 7, 14, 0), "days_due": 31, "reminder": 1,
    }
    context.update(changes)
    return context


def _check_contexts() -> list[dict[str, Any]]:
    """Contexts that walk both sides of the usual `if`s, so a typo anywhere shows at once."""
    return [
        sample_context(),
        sample_context(group={"id": "G1", "name": "Pilates Mat, Tuesday <evening>"},
                       next_period=None, next_session=None, last_session=None,
                       auto_renew=False,
                       remaining=0, used=10, paid_cancel=0, cancelled=0,
                       period_paid=Decimal("4500"), period_due=Decimal("-500"),
                       total_due=Decimal("-500")),
        sample_context(next_period=None, auto_renew=True),
        sample_context(next_period={"number": 3, "first_session": None,
                                    "price": Decimal("0"), "due": Decimal("0")},
                       period_due=Decimal("0"), total_due=Decimal("0"), remaining=3),
    ]


class _CompiledOnce(jinja2.BytecodeCache):
    """Compiled templates shared by every `Templates` of the process.

    Jinja keys a bucket by template name and file and checks the source's checksum on
    load, so an edited or another folder's template is compiled afresh.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledOnce()


class _Builtin(jinja2.FileSystemLoader):
    """The built-in templates of the optional kinds, for a templates_dir without them."""

    def __init__(self, kinds: Sequence[tuple[str, str]]) -> None:
        super().__init__(BUILTIN_TEMPLATES)
        self.names = {name for event, role in kinds for name in template_names(event, role)}

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.names:
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


def _template_line(err: BaseException, folder: Path) -> str:
    """`file, line N` of the innermost template frame in the error's traceback."""
    if isinstance(err, jinja2.TemplateSyntaxError):
        return f"{err.filename or err.name}, line {err.lineno}"
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if Path(frame.filename).parent == folder:
            return f"{frame.filename}, line {frame.lineno}"
    return ""


def _error_text(err: BaseException) -> str:
    if isinstance(err, jinja2.TemplateSyntaxError):
        return err.message or str(err)
    if isinstance(err, jinja2.TemplateNotFound):
        return f"it uses {err.name}, which is not in the folder"
    return one_line(err) or type(err).__name__


def message_locale(role: str, context: Mapping[str, Any], studio_locale: str) -> str:
    """The language of one message: a client's own `language` (Clients tab) for the client's
    e-mails when it has one, else the studio's `locale`; staff and managers get the studio's."""
    client = context.get("client")
    language = client.get("language", "") if isinstance(client, Mapping) else ""
    return client_locale(language if role == CLIENT else "", studio_locale)


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


class Templates:
    """The templates of one folder, loaded and checked; renders (subject, text, HTML)."""

    def __init__(self, folder: Path, currency: str, locale: str = DEFAULT) -> None:
        """`locale` is the studio's: that of every message but a client's with a `language`
        of its own (see `message_locale`). The templates are checked in the studio's
        language; another language's environment is made when a message first needs it
        (the same files, so only the catalog differs, and tests/test_i18n_catalogs.py
        checks every catalog against them)."""
        self.folder = folder.resolve()
        if not self.folder.is_dir():
            raise UserError(f"The e-mail template folder {folder} does not exist.")
        self.locale = normalise_locale(locale)
        self.currency = currency
        self.envs: dict[str, SandboxedEnvironment] = {}
        self.loaded: dict[tuple[str, str], jinja2.Template] = {}
        problems: list[str] = []
        for event, role in KINDS + OPTIONAL_KINDS:
            for name in template_names(event, role):
                problem = self._load(name, required=(event, role) in KINDS)
                if problem:
                    problems.append(problem)
        if not problems:
            problems = self._check()
        if problems:
            where = "" if folder.resolve() == BUILTIN_TEMPLATES.resolve() else (
                f"\nFix them, or copy the missing ones from {BUILTIN_TEMPLATES}, or remove "
                "templates_dir from the configuration to use the built-in templates.")
            raise UserError("The e-mail templates have problems:\n- " + "\n- ".join(problems)
                            + where)

    def _load(self, name: str, required: bool = True) -> str:
        path = self.folder / name
        if required and not path.is_file():
            return f"{path} is missing"
        try:
            self._template(self.locale, name)
        except jinja2.TemplateSyntaxError as err:
            return f"{_template_line(err, self.folder)}: {_error_text(err)}"
        except UnicodeDecodeError:
            return f"{path} is not UTF-8 text"
        except OSError as err:
            return f"{path} cannot be read: {err.strerror or err}"
        return ""

    def _check(self) -> list[str]:
        problems: list[str] = []
        for event, role in KINDS + OPTIONAL_KINDS:
            for context in (sample_statements() if event == STATEMENT else sample_digests()
                            if event == DIGEST else _check_contexts()):
                try:
                    self.render(event, role, {**context, "recipient": {"name": "Sam",
                                                                      "role": role}})
                except RenderError as err:
                    problems.append(str(err))
                    break
        return problems

    def _environment(self, locale: str) -> SandboxedEnvironment:
        """The Jinja environment of one language (made once): its catalog and its filters."""
        if locale in self.envs:
            return self.envs[locale]
        # sandboxed: a template folder that several people edit still cannot run code
        env = SandboxedEnvironment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(self.folder),
                                        _Builtin(OPTIONAL_KINDS)]),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm"),
                                                default_for_string=False, default=False),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True, auto_reload=False, bytecode_cache=_COMPILED,
            extensions=["jinja2.ext.i18n"])
        env.install_gettext_translations(translations(locale),  # type: ignore[attr-defined]
                                         newstyle=True)
        env.filters.update(filters(self.currency, locale))
        env.globals["locale"] = locale
        self.envs[locale] = env
        return env

    def _template(self, locale: str, name: str) -> jinja2.Template:
        """One loaded template in one language (loaded in the studio's when checked)."""
        if (locale, name) not in self.loaded:
            self.loaded[locale, name] = self._environment(locale).get_template(name)
        return self.loaded[locale, name]

    def render(self, event: str, role: str, context: Mapping[str, Any],
               locale: str | None = None) -> Rendered:
        """Subject, text and HTML of one message, in `locale` if given, else in the
        language `message_locale` finds for this role and context."""
        text_name, html_name = template_names(event, role)
        code = normalise_locale(locale or message_locale(role, context, self.locale))
        if (self.locale, text_name) not in self.loaded:
            raise RenderError(f"there is no template for {event} to {role}")
        variables = _clean(dict(context))
        text = self._run(code, text_name, variables)
        first, _, body = text.lstrip("\n").partition("\n")
        label, colon, subject = first.partition(":")
        subject = one_line(subject)
        if not colon or label.strip().lower() != "subject" or not subject:
            raise RenderError(f"{self.folder / text_name}, line 1: the first line should be "
                              "'Subject: ...' with the subject of the e-mail")
        html = self._run(code, html_name, {**variables, "subject": subject})
        body = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", body).strip("\n") + "\n"
        return Rendered(subject=subject, text=body, html=html)

    def _run(self, locale: str, name: str, variables: Mapping[str, Any]) -> str:
        try:
            return self._template(locale, name).render(variables)
        except Exception as err:  # any template mistake, whatever Jinja or a filter raises
            where = _template_line(err, self.folder) or str(self.folder / name)
            raise RenderError(f"{where}: {_error_text(err)}") from None


# ---------------------------------------------------------------------------
# Delivery


class _Broken(Exception):
    """The connection to the mail server is unusable: every remaining message fails.

    `needs_action`: no retry can mend it before the studio acts (a password variable
    that is not set, a login the server refuses), unlike a server that is down.
    """

    def __init__(self, message: str, needs_action: bool = False) -> None:
        super().__init__(message)
        self.needs_action = needs_action


class Mailer:
    """Renders alerts and delivers them over SMTP, or into `outbox_dir` without SMTP."""

    def __init__(self, email: Email, *, currency: str = "", templates_dir: Path | None = None,
                 zone: tzinfo | None = None, locale: str = DEFAULT) -> None:
        """Loads and checks the templates at once: a missing or broken template (or a
        templates_dir without one of the needed files) raises UserError naming the file
        and the line, so a bad configuration stops the run before anything.

        `zone` is the studio's time zone, used for the Date header of naive `now`s;
        `locale` the studio's language (a client's own `language` wins for its e-mails).
        """
        self.email = email
        self.zone = zone
        self.templates = Templates(templates_dir or BUILTIN_TEMPLATES, currency, locale)
        self.envelope_from = parseaddr(email.sender)[1]

    # -- rendering

    def render(self, message: Outgoing, now: datetime | None = None) -> EmailMessage:
        """The e-mail of one alert (multipart/alternative: text and HTML).

        Raises `BadAddress` for an unusable address and `RenderError` for a template
        that fails on this message's data. The Date header is set when `now` is given.
        """
        address = clean_address(message.to_address)
        parts = self.templates.render(message.event, message.role, message.context)
        return self._compose(message, address, parts, now)

    def _compose(self, message: Outgoing, address: str, parts: Rendered,
                 now: datetime | None) -> EmailMessage:
        mail = EmailMessage(policy=policy.default)
        mail["From"] = self.email.sender
        mail["To"] = Address(display_name=one_line(message.to_name), addr_spec=address)
        if self.email.reply_to:
            mail["Reply-To"] = self.email.reply_to
        mail["Subject"] = parts.subject
        if now is not None:
            stamp = now if now.tzinfo else (now.replace(tzinfo=self.zone) if self.zone
                                            else now.astimezone())
            mail["Date"] = format_datetime(stamp)
        mail["Message-ID"] = message_id(message.key, self.email.sender)
        mail["X-Sheetsync-Key"] = one_line(message.key)
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
        mail.set_content(parts.text, cte="quoted-printable")
        mail.add_alternative(parts.html, subtype="html", cte="quoted-printable")
        return mail

    def preview(self, message: Outgoing) -> str:
        """One line for `sync --dry-run`: to whom, which event, the subject."""
        whom = f"{message.role} {one_line(message.to_name) or '(no name)'}"
        try:
            subject = self.templates.render(message.event, message.role,
                                            message.context).subject
        except RenderError as err:
            return f"{message.event} to {whom}: cannot be rendered ({err})"
        try:
            whom += f" <{clean_address(message.to_address)}>"
        except BadAddress as err:
            return f"{message.event} to {whom}: skipped, {err} ('{subject}')"
        return f"{message.event} to {whom}: {subject}"

    # -- delivery

    def send(self, messages: Sequence[Outgoing], now: datetime) -> list[Result]:
        """One Result per message, in order; never raises for delivery trouble.

        With SMTP, one connection serves every message; `sent` ones carry `sent_at=now`;
        if the connection fails, every message not yet sent is `failed` with the reason.
        Without `email.smtp` each message becomes one .eml file in `outbox_dir` and is
        `queued` (one already there for the key counts as queued): its `error` names the
        file, and `sent_at` stays empty, as nothing left the machine.
        """
        results: dict[int, Result] = {}
        ready: list[_Ready] = []
        for i, message in enumerate(messages):
            subject = ""
            try:
                parts = self.templates.render(message.event, message.role, message.context)
                subject = parts.subject
                address = clean_address(message.to_address)
                ready.append(_Ready(i, self._compose(message, address, parts, now), address,
                                    subject))
            except BadAddress as err:
                results[i] = Result(message.key, SKIPPED, subject, str(err))
            except (RenderError, ValueError) as err:
                results[i] = Result(message.key, FAILED, subject, _short(str(err)))
        return self._deliver(messages, ready, results, now)

    def send_prepared(self, messages: Sequence[Outgoing], parts: Rendered, now: datetime,
                      attachment: Attachment | None = None) -> list[Result]:
        """One e-mail already written (`parts`, the same for every recipient, e.g. the monthly
        report) to each of `messages`' recipients, with `attachment` as a file; delivered as
        `send` delivers (SMTP, else the outbox), one Result per message, in order."""
        results: dict[int, Result] = {}
        ready: list[_Ready] = []
        for i, message in enumerate(messages):
            try:
                address = clean_address(message.to_address)
                mail = self._compose(message, address, parts, now)
                if attachment is not None:
                    maintype, _, subtype = attachment.mime.partition("/")
                    mail.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                                        filename=attachment.filename,
                                        params={"charset": "utf-8"} if maintype == "text"
                                        else {})
                ready.append(_Ready(i, mail, address, parts.subject))
            except BadAddress as err:
                results[i] = Result(message.key, SKIPPED, parts.subject, str(err))
        return self._deliver(messages, ready, results, now)

    def _deliver(self, messages: Sequence[Outgoing], ready: list[_Ready],
                 results: dict[int, Result], now: datetime) -> list[Result]:
        """Deliver the composed `ready` ones; with `results` (those that could not be
        composed), one Result per message, in order."""
        if self.email.smtp:
            for item, (error, needs_action) in zip(ready, self._deliver_smtp(ready),
                                                   strict=True):
                results[item.index] = Result(messages[item.index].key, FAILED if error else SENT,
                                             item.subject, error, None if error else now,
                                             needs_action=needs_action)
        else:
            for item in ready:
                results[item.index] = self._queue(messages[item.index].key, item)
        return [results[i] for i in range(len(messages))]

    @property
    def delivers(self) -> bool:
        """True when messages leave the machine (SMTP); False when they go to the outbox."""
        return self.email.smtp is not None

    def _queue(self, key: str, item: _Ready) -> Result:
        """Write one message as an .eml file into the outbox: `queued`, or `failed`."""
        folder = self.email.outbox_dir
        path = folder / outbox_name(key)
        try:
            if not path.exists():
                folder.mkdir(parents=True, exist_ok=True)
                write_atomically(path, item.mail.as_bytes(policy=policy.SMTP))
        except (OSError, ValueError) as err:
            if isinstance(err, OSError) and disk_refused(err):
                raise  # a full or read-only disk fails every message: the sync stops
            reason = err.strerror if isinstance(err, OSError) else None
            return Result(key, FAILED, item.subject, _short(f"cannot write {path}: "
                                                            f"{reason or err}"))
        # the same words whether this sync wrote the file or an interrupted one did
        return Result(key, QUEUED, item.subject,
                      _short(f"in the outbox as {path}; nothing left the machine"))

    def _deliver_smtp(self, ready: list[_Ready]) -> list[tuple[str, bool]]:
        """Send every message over one connection: for each, its error ("" when accepted)
        and whether that error needs the studio to act before a retry can work."""
        smtp = self.email.smtp
        assert smtp is not None
        if not ready:
            return []
        secrets: list[str] = []
        try:
            conn = _open(smtp, secrets)
        except _Broken as err:
            return [(str(err), err.needs_action)] * len(ready)
        errors: list[str] = []
        broken = True
        try:
            for item in ready:
                try:
                    conn.send_message(item.mail, from_addr=self.envelope_from,
                                      to_addrs=[item.address])
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                        smtplib.SMTPDataError, smtplib.SMTPNotSupportedError,
                        UnicodeError) as err:
                    errors.append(_scrub(_explain(err, smtp, item.address), secrets))
                    if getattr(err, "smtp_code", 0) == 421:  # the server is closing
                        break
                except (smtplib.SMTPException, OSError) as err:
                    errors.append(_scrub(_explain(err, smtp), secrets))
                    break
                except Exception as err:  # a fault of ours must not hide what was already
                    # sent: the engine would send it again at the next sync
                    errors.append(_scrub(_short(f"sheetsync failed while sending: "
                                                f"{type(err).__name__}: {err}"), secrets))
                    break
                else:
                    errors.append("")
            else:
                broken = False
        finally:
            _close(conn, polite=not broken)
        if len(errors) < len(ready):
            lost = f"not sent: {errors[-1]}"
            errors += [lost] * (len(ready) - len(errors))
        return [(error, False) for error in errors]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent along with an e-mail (the monthly report's .html); text is UTF-8."""

    filename: str
    content: bytes
    mime: str = "text/html"


@dataclass(frozen=True, slots=True)
class _Ready:
    index: int
    mail: EmailMessage
    address: str
    subject: str


def _open(smtp: Smtp, secrets: list[str]) -> smtplib.SMTP:
    """A connection to the mail server, encrypted and logged in as configured.

    Never sends the password over a connection that is not encrypted (unless
    `insecure_auth`), never falls back from STARTTLS to plain text. Raises `_Broken`
    with an explanation that holds no secret.
    """
    password = ""
    if smtp.username:
        if not smtp.encrypted and not smtp.insecure_auth:
            raise _Broken("sheetsync will not send the SMTP password over a connection that is "
                          "not encrypted; turn on starttls or ssl in email.smtp",
                          needs_action=True)
        password = os.environ.get(smtp.password_env, "") if smtp.password_env else ""
        if not password:
            raise _Broken(f"the environment variable {smtp.password_env or '(password_env)'} "
                          f"is not set, so sheetsync cannot log in to {smtp.host}; set it where "
                          "cron runs sheetsync",
                          needs_action=True)
        secrets += _secret_forms(smtp.username, password)
    context = ssl.create_default_context()
    conn = (_SMTPOverTLS(smtp.host, smtp.timeout, context) if smtp.ssl
            else _SMTP(smtp.host, smtp.timeout))
    try:
        code, reply = conn.connect(smtp.host, smtp.port)
        if code != 220:
            raise smtplib.SMTPConnectError(code, reply)
        conn.ehlo()
        if smtp.starttls:
            if not conn.has_extn("starttls"):
                raise _Broken(f"the mail server {smtp.host}:{smtp.port} does not offer STARTTLS, "
                              "so nothing was sent (sheetsync never falls back to plain text)",
                              needs_action=True)
            conn.starttls(context=context)
            conn.ehlo()
        if smtp.username:
            conn.login(smtp.username, password)
    except _Broken:
        _close(conn, polite=False)
        raise
    except (smtplib.SMTPException, OSError, ValueError) as err:
        _close(conn, polite=False)
        raise _Broken(_scrub(_explain(err, smtp), secrets),
                      needs_action=isinstance(err, smtplib.SMTPAuthenticationError)) from None
    return conn


class _SMTP(smtplib.SMTP):
    """smtplib's client, not yet connected, with UTF-8 credentials.

    smtplib encodes AUTH data as ASCII, so a password like `Pässword` cannot log in;
    PLAIN (RFC 4616) and, in practice, LOGIN and CRAM-MD5 servers expect UTF-8.
    """

    def __init__(self, host: str, timeout: float, **options: Any) -> None:
        super().__init__(timeout=timeout, **options)
        self._host = host  # the name TLS checks the server's certificate against

    def auth(self, mechanism: str, authobject: Any, *,
             initial_response_ok: bool = True) -> tuple[int, bytes]:
        def encoded(text: str) -> str:
            return base64.b64encode(text.encode("utf-8")).decode("ascii")

        # as smtplib.SMTP.auth, which auth_login relies on, but in UTF-8
        initial = authobject() if initial_response_ok else None
        if initial is not None:
            code, reply = self.docmd("AUTH", f"{mechanism.upper()} {encoded(initial)}")
            self._auth_challenge_count = 1
        else:
            code, reply = self.docmd("AUTH", mechanism.upper())
            self._auth_challenge_count = 0
        while code == 334:
            self._auth_challenge_count += 1
            if self._auth_challenge_count > 5:
                raise smtplib.SMTPException("the server keeps asking for more login data")
            code, reply = self.docmd(encoded(authobject(base64.decodebytes(reply))))
        if code in (235, 503):  # 503: already authenticated
            return code, reply
        raise smtplib.SMTPAuthenticationError(code, reply)

    def auth_cram_md5(self, challenge: bytes | None = None) -> str | None:  # type: ignore[override]
        if challenge is None:
            return None  # CRAM-MD5 has no initial response
        digest = hmac.HMAC(self.password.encode("utf-8"), challenge, "md5").hexdigest()
        return f"{self.user} {digest}"


class _SMTPOverTLS(_SMTP, smtplib.SMTP_SSL):
    """Implicit TLS (usually port 465), with UTF-8 credentials."""

    def __init__(self, host: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, timeout, context=context)


def _close(conn: smtplib.SMTP, polite: bool = True) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        if polite:
            conn.quit()
    with contextlib.suppress(OSError):
        conn.close()


def _secret_forms(username: str, password: str) -> list[str]:
    """The password and the encodings AUTH PLAIN/LOGIN put on the wire."""
    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")
    return [password, b64(password), b64(f"\0{username}\0{password}")]


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "*****")
    return text


def _short(text: str) -> str:
    text = one_line(text)
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR - 1] + "…"


def _reply(err: smtplib.SMTPResponseException) -> str:
    message = err.smtp_error
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{err.smtp_code} {text}"


def _explain(err: BaseException, smtp: Smtp, address: str = "") -> str:
    """A sentence a studio can act on (no traceback, no secret: the caller scrubs)."""
    server = f"the mail server {smtp.host}:{smtp.port}"
    if isinstance(err, smtplib.SMTPServerDisconnected) and isinstance(err.__context__, OSError):
        err = err.__context__  # smtplib reports a timeout as "Connection unexpectedly closed"
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        replies = [f"{code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}"
                   for code, msg in err.recipients.values()]
        text = f"{server} refused the address {address}: {'; '.join(replies)}"
    elif isinstance(err, smtplib.SMTPAuthenticationError):
        text = (f"{server} refused the login of {smtp.username} ({_reply(err)}); check the "
                f"password in {smtp.password_env}")
    elif isinstance(err, smtplib.SMTPSenderRefused):
        text = f"{server} refused the sender address {err.sender}: {_reply(err)}"
    elif isinstance(err, smtplib.SMTPDataError):
        text = f"{server} refused the message to {address}: {_reply(err)}"
    elif isinstance(err, smtplib.SMTPConnectError):
        text = f"{server} did not accept the connection: {_reply(err)}"
    elif isinstance(err, smtplib.SMTPResponseException):
        text = f"{server} answered {_reply(err)}"
    elif isinstance(err, smtplib.SMTPServerDisconnected):
        text = f"{server} closed the connection"
    elif isinstance(err, smtplib.SMTPNotSupportedError):
        text = f"{server} does not support what this message needs: {one_line(err)}"
    elif isinstance(err, TimeoutError):
        text = f"{server} did not answer within {smtp.timeout:g} seconds"
    elif isinstance(err, ssl.SSLCertVerificationError):
        text = (f"{server} has a certificate that cannot be trusted "
                f"({err.verify_message or one_line(err)})")
    elif isinstance(err, ssl.SSLError):
        text = f"the encrypted connection to {server} failed ({err.reason or one_line(err)})"
    elif isinstance(err, socket.gaierror):
        text = f"cannot find the mail server {smtp.host} ({err.strerror or err})"
    elif isinstance(err, ConnectionRefusedError):
        text = f"{server} refused the connection (is it running, is the port right?)"
    elif isinstance(err, OSError):
        text = f"cannot talk to {server}: {err.strerror or one_line(err) or type(err).__name__}"
    else:
        text = f"{server}: {one_line(err) or type(err).__name__}"
    return _short(text)


