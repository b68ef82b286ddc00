"""Package alerts: render each message from Jinja2 templates and deliver it by SMTP or outbox.

`alerts.py` decides which messages are due (`Outgoing`); this module turns them
into e-mails and hands back one `Result` per message. It never decides twice
and never writes the workbook: exactly-once is kept by the Notifications tab.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SENT, FAILED, SKIPPED, PENDING = "sent", "failed", "skipped", "pending"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One alert to one recipient.

    `key` is unique per (enrollment, period, event, recipient), e.g.
    `E1/2/package_ended/staff:ST1`; the Message-ID is derived from it.
    `to_address` is empty when the recipient has no usable address (the message
    is then skipped). `context` holds the template variables.
    """

    key: str
    event: str  # package_ending | package_ended
    role: str  # client | staff | manager
    to_name: str
    to_address: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    key: str
    status: str  # sent | failed | skipped
    subject: str = ""
    error: str = ""
    sent_at: datetime | None = None
