"""The claim that keeps two syncs from sending the same alerts from one Google Sheet. No I/O.

Google Sheets has no transactions and no compare-and-swap on values, but one
spreadsheets.batchUpdate is all or nothing, `addSheet` fails when the title is
taken and `deleteSheet` fails when the sheet id is gone. The claim is a hidden
tab, LOCK_TITLE, that every sync about to send alerts replaces in one batch:
deleteSheet(the id it read) + addSheet(a new random id) + its content. So the
replacement is a compare-and-swap on the tab's sheet id: it fails when any other
sync claimed the sheet since this one read it (whether that sync still works or
is done), and of two syncs racing for the same sheet only one succeeds.

The tab holds: state (`working` or `done`), holder, since, until (UTC), token.
A claim is live while it is `working` and its `until` is ahead; one that is
`done`, past its `until` (its holder died) or unreadable is free. The holder
marks it `done` in its final values write, atomically with the Notifications
rows that record what it sent. It sends nothing and marks nothing once `margin`
(a tenth of the claim's length, one minute) is all that is left of its claim, so
a sync that takes over a lapsed claim never overlaps with it, as long as the two
machines' clocks agree to well within that minute (NTP keeps them far closer).
The tab stays, hidden, between syncs: only its sheet id and cells change.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from ..i18n import DEFAULT, translations

LOCK_TITLE = "sheetsync lock"
TTL = timedelta(minutes=10)  # a claim whose holder died is free after this
WORKING, DONE = "working", "done"
GRID = (6, 2)  # the tab's rowCount, columnCount
NOTE = ("sheetsync keeps two syncs from sending the same e-mails with this hidden tab. It "
        "changes at every sync that sends alerts; please leave it as it is.")
_STATE_CELL = "B2"


@dataclass(frozen=True, slots=True)
class Claim:
    state: str
    holder: str
    token: str
    since: datetime | None  # aware, UTC
    until: datetime | None

    def live(self, now: datetime) -> bool:
        return self.state == WORKING and self.until is not None and now < self.until


def margin(ttl: timedelta) -> timedelta:
    """How long before `until` the holder stops: a tenth of the claim's length."""
    return ttl / 10


def holder_name() -> str:
    return f"{socket.gethostname()} (pid {os.getpid()})"


def new_claim(token: str, since: datetime, ttl: timedelta) -> Claim:
    return Claim(WORKING, holder_name(), token, since, since + ttl)


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(text: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def claim_rows(claim: Claim) -> list[list[str]]:
    return [["sheetsync", NOTE], ["state", claim.state], ["holder", claim.holder],
            ["since", _stamp(claim.since)], ["until", _stamp(claim.until)],
            ["token", claim.token]]


def parse_claim(values: Sequence[Sequence[Any]]) -> Claim | None:
    """The claim in the tab's cells as read, or None when they do not hold one (free)."""
    fields = {str(row[0]).strip().lower(): str(row[1]).strip()
              for row in values if len(row) >= 2 and row[0] not in (None, "")}
    if fields.get("state") not in (WORKING, DONE) or not fields.get("token"):
        return None
    return Claim(fields["state"], fields.get("holder", ""), fields["token"],
                 _moment(fields.get("since")), _moment(fields.get("until")))


def claim_requests(old_id: int | None, new_id: int, claim: Claim) -> list[dict[str, Any]]:
    """The one batchUpdate that replaces the tab read as `old_id` (absent: None) with ours."""
    requests: list[dict[str, Any]] = []
    if old_id is not None:
        requests.append({"deleteSheet": {"sheetId": old_id}})
    rows, columns = GRID
    requests.append({"addSheet": {"properties": {
        "sheetId": new_id, "title": LOCK_TITLE, "hidden": True,
        "gridProperties": {"rowCount": rows, "columnCount": columns}}}})
    requests.append({"updateCells": {
        "start": {"sheetId": new_id, "rowIndex": 0, "columnIndex": 0},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": v}} for v in row]}
                 for row in claim_rows(claim)],
        "fields": "userEnteredValue"}})
    return requests


def quoted_title() -> str:
    return "'" + LOCK_TITLE.replace("'", "''") + "'"


def content_range() -> str:
    rows, _ = GRID
    return f"{quoted_title()}!A1:B{rows}"


def release_range() -> dict[str, Any]:
    """The ValueRange that marks the claim done, sent with the holder's final write."""
    return {"range": f"{quoted_title()}!{_STATE_CELL}", "values": [[DONE]]}


def clock_time(moment: datetime | None, zone: tzinfo | None, today: datetime) -> str:
    if moment is None:
        return "?"
    local = moment.astimezone(zone)
    if local.date() == today.astimezone(zone).date():
        return f"{local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def busy_message(claim: Claim, zone: tzinfo | None, now: datetime,
                 locale: str = DEFAULT) -> str:
    """Why another sync's live claim keeps this one out, in `locale`."""
    said = {"since": clock_time(claim.since, zone, now),
            "until": clock_time(claim.until, zone, now), "holder": claim.holder or "?"}
    return translations(locale).gettext(
        "Another sheetsync is working on this Google Sheet (since %(since)s, until %(until)s at "
        "the latest); nothing was written or sent. It runs on %(holder)s; run sheetsync again "
        "once it is done (if it stopped half-way, its claim lapses at %(until)s).") % said
