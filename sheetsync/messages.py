"""The message vocabulary: what an alert is, whom it goes to, and what became of it.

Pure: plain records and constants, no I/O. `alerts.py` builds `Outgoing` messages,
the mailer (`notify.py`) turns each into one `Result`, `apply.py` records both in the
Notifications tab.

Every word has one constant and one meaning. A notification's status is one of
SENT, QUEUED, FAILED, SKIPPED or NOTICE_PENDING (a Notifications row not yet tried);
the appointment status `pending` is `model.PENDING`, a different thing that happens
to be spelled the same. An event is PACKAGE_ENDING, PACKAGE_ENDED, PAYMENT_DUE,
STATEMENT or DIGEST (the weekly digest to the managers, keyed by week: `digest_key`); the
balance state `ended` is `ledger.ENDED`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# What became of one alert (the Notifications tab's status column).
SENT = "sent"  # an SMTP server accepted it
QUEUED = "queued"  # written to the outbox folder: nothing left the machine
FAILED = "failed"  # retried at the next sync
SKIPPED = "skipped"  # final: no usable address, or no longer due
NOTICE_PENDING = "pending"  # a Notifications row not yet tried: sent at the next sync

# Events: what a message is about.
PACKAGE_ENDING = "package_ending"
PACKAGE_ENDED = "package_ended"
PAYMENT_DUE = "payment_due"
STATEMENT = "statement"
DIGEST = "digest"

# Roles: whom a message is for.
CLIENT, STAFF, MANAGER = "client", "staff", "manager"

#: Every (event, role) that has templates; a templates_dir must hold all of them.
KINDS = ((PACKAGE_ENDING, CLIENT), (PACKAGE_ENDED, CLIENT), (PACKAGE_ENDED, STAFF),
         (PACKAGE_ENDED, MANAGER))
#: Kinds a templates_dir may leave out: the built-in templates stand in for them (a folder
#: copied before they existed keeps working); a copy that is there is checked like the rest.
OPTIONAL_KINDS = ((STATEMENT, CLIENT), (PAYMENT_DUE, CLIENT), (DIGEST, MANAGER))


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One alert to one recipient.

    `key` is unique per (enrollment, period, event, recipient), e.g.
    `E1/2/package_ended/staff:ST1`, or per (ISO week, manager) for the weekly digest,
    `digest/2026-W50/manager:MGR`; the Message-ID is derived from it.
    `to_address` is empty when the recipient has no usable address (the message
    is then skipped). `context` holds the template variables.
    """

    key: str
    event: str  # PACKAGE_ENDING | PACKAGE_ENDED | PAYMENT_DUE | STATEMENT | DIGEST
    role: str  # CLIENT | STAFF | MANAGER
    to_name: str
    to_address: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one message: SENT, QUEUED, FAILED or SKIPPED."""

    key: str
    status: str
    subject: str = ""
    error: str = ""  # why it failed or was skipped; where a queued one lies
    sent_at: datetime | None = None  # when an SMTP server accepted it
    needs_action: bool = False  # a failure no retry can mend before the studio acts


def alert_key(enrollment_id: str, period: int, event: str, role: str, person: str,
              repeat: int = 1) -> str:
    """`E1/2/package_ended/staff:ST1`: one alert to one recipient, sent once. A repeated
    alert (a payment reminder sent again) carries its number: `E1/2/payment_due/client:C1/2`."""
    key = f"{enrollment_id}/{period}/{event}/{role}:{person}"
    return key if repeat == 1 else f"{key}/{repeat}"


def digest_key(week: str, person: str) -> str:
    """`digest/2026-W49/manager:M1`: one manager's weekly digest of one ISO week, sent once."""
    return f"{DIGEST}/{week}/{MANAGER}:{person}"


def is_digest_key(key: str) -> bool:
    return key.startswith(f"{DIGEST}/")


def template_names(event: str, role: str) -> tuple[str, str]:
    """The text and HTML template of one kind of message."""
    return f"{event}.{role}.txt", f"{event}.{role}.html"
