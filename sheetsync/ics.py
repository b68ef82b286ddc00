"""Calendar feeds: the studio's sessions as RFC 5545 (.ics) calendars to subscribe to.

Pure up to the Files section: `feed_files` reads the files there are (to carry their stamps
over) and builds what each should hold; `publish` and `write_file` write them.

What each feed holds (README, "Calendar feeds"):

- **staff**: the sessions of one staff member (the appointment's own staff_id, so a
  session given to a colleague moves to the colleague's feed). A private session is one
  event, `Ayse Celik · 10-Session Physiotherapy Package · 4/10`; a group class is one
  event per class time, `Morning Pilates · 5 members`, with the roster in its description.
- **client**: one client's own sessions, never another client's name:
  `10-Session Physiotherapy Package · 4/10 · Elif Demir` (a group session shows the group).
- **group**: one event per class time with the staff member and how many members come,
  without names, so the members may share it.
- **studio**: every session, as in the staff feeds, followed by the staff member's name.

`4/10` is the session's place in its period in time order among the sessions that count,
so the last one always reads `10/10`; a cancelled session has none (its make-up counts).

A cancelled session and a paid cancel keep their event, with STATUS:CANCELLED,
TRANSP:TRANSPARENT (the time is free again) and a summary that starts `Cancelled:` or
`Paid cancel:`, so every calendar app tells why, also those that hide cancelled events or
cross them out. A class is cancelled when none of its members comes. Completed and
pending sessions look the same: holding a session does not change the calendar.

Summaries and descriptions are in the studio's `locale` (`Sessions.locale`); a client's feed
in the client's own `language` when the Clients tab gives one. English is the default.

The sessions are those a sync at `now` writes (the plan); an enrollment held by a problem
shows its appointments exactly as they stand in the workbook, never fewer.

Stable output: an event's UID derives from its appointment id (a class: its group, start
and staff member), so a re-export updates events in place. SEQUENCE, DTSTAMP and
LAST-MODIFIED are carried over from the previous file while the event's content stays the
same, and become SEQUENCE + 1 and `now` when it changes. The same sessions therefore give
the same bytes at any later moment, and a feed is written only when they differ. The
calendar carries a digest of its events (X-SHEETSYNC-DIGEST), so an unchanged feed is known
without parsing the previous file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event

from .atomic import write_atomically
from .config import FEED_KINDS
from .formatting import format_short_day, one_line
from .i18n import DEFAULT, client_locale, translations
from .ledger import makeups, session_positions
from .model import CANCELLED, PAID_CANCEL, Appointment, Snapshot
from .plan import Plan

STAFF, CLIENT, GROUP, STUDIO = FEED_KINDS
PRODID = "-//sheetsync//Studio sessions//EN"
REFRESH = timedelta(hours=1)  # how often subscribers are asked to fetch the feed again
DOT = " · "
DIGEST = "X-SHEETSYNC-DIGEST"
FORMAT = 1  # raise when the .ics sheetsync writes changes, so every feed is made afresh
CONTENT = ("DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "STATUS", "TRANSP")
ALL_SESSIONS = "All sessions"  # the studio feed's name; its calendar shows it in the locale


@dataclass(frozen=True, slots=True)
class Feed:
    """One calendar: the sessions of a staff member, client or group, or of the studio."""

    kind: str  # staff | client | group | studio
    key: str  # the staff, client or group id; "" for the studio
    name: str  # who it is for, as people read it (render.feed_label words the whole label)


@dataclass(frozen=True, slots=True)
class Entry:
    """One event before it gets its stamps."""

    uid: str
    start: datetime  # naive studio wall-clock time
    end: datetime
    summary: str
    description: str
    cancelled: bool = False


@dataclass(slots=True)
class Sessions:
    """The appointments the feeds are made of, indexed, with what describes them."""

    snapshot: Snapshot
    appointments: list[Appointment]
    positions: dict[str, int]
    makeups: dict[str, Appointment]
    since: date | None = None  # sessions before this day are left out
    by: dict[tuple[str, str], list[Appointment]] = field(default_factory=dict)
    locale: str = DEFAULT  # the studio's language; a client's feed speaks the client's

    def locale_of(self, feed: Feed) -> str:
        """The language of one feed's texts."""
        client = self.snapshot.clients.get(feed.key) if feed.kind == CLIENT else None
        return client_locale(client.language if client else "", self.locale)

    def of(self, feed: Feed) -> list[Appointment]:
        return self.appointments if feed.kind == STUDIO else self.by.get((feed.kind,
                                                                          feed.key), [])


def sessions(snapshot: Snapshot, plan: Plan, since: date | None = None,
             locale: str = DEFAULT) -> Sessions:
    """What a sync at `plan.now` leaves in the workbook, from `since` on, described in the
    studio's `locale`.

    Appointments of held enrollments are taken as they stand in the workbook.
    """
    held = [a for a in snapshot.appointments if a.enrollment_id in plan.held]
    rows = sorted([*plan.appointments, *held], key=lambda a: (a.starts_at, a.appointment_id))
    result = Sessions(snapshot, [], session_positions(rows), makeups(rows), since,
                      locale=client_locale("", locale))
    by: dict[tuple[str, str], list[Appointment]] = defaultdict(list)
    for a in rows:
        if since is not None and a.date < since:
            continue
        result.appointments.append(a)
        by[(STAFF, a.staff_id)].append(a)
        by[(CLIENT, a.client_id)].append(a)
        if a.group_id:
            by[(GROUP, a.group_id)].append(a)
    result.by = dict(by)
    return result


def history_start(now: datetime, months: int) -> date:
    """The 1st of the month `months` before now's: feeds hold sessions from that day on.

    A whole month at a time, so a feed does not change every day as sessions age out.
    """
    index = now.year * 12 + now.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def all_feeds(snapshot: Snapshot, kinds: Iterable[str] = FEED_KINDS) -> list[Feed]:
    """One feed per staff member, client and group of the workbook, and the studio's."""
    wanted = set(kinds)
    feeds: list[Feed] = []
    if STAFF in wanted:
        feeds += [Feed(STAFF, s.staff_id, s.name) for s in snapshot.staff.values()]
    if CLIENT in wanted:
        feeds += [Feed(CLIENT, c.client_id, c.name) for c in snapshot.clients.values()]
    if GROUP in wanted:
        feeds += [Feed(GROUP, g.group_id, g.name) for g in snapshot.groups.values()]
    if STUDIO in wanted:
        feeds.append(Feed(STUDIO, "", ALL_SESSIONS))
    return feeds


def feed_for(snapshot: Snapshot, kind: str, key: str = "") -> Feed | None:
    """The feed of one staff member, client or group (None when the id is unknown)."""
    if kind == STUDIO:
        return Feed(STUDIO, "", ALL_SESSIONS)
    records: dict[str, dict[str, Any]] = {STAFF: snapshot.staff, CLIENT: snapshot.clients,
                                          GROUP: snapshot.groups}
    record = records[kind].get(key)
    return None if record is None else Feed(kind, key, record.name)


# ---------------------------------------------------------------------------
# Events


def entries(feed: Feed, found: Sessions) -> list[Entry]:
    """The events of one feed, in time order."""
    rows = found.of(feed)
    describe = _Describer(found, feed.kind, found.locale_of(feed))
    if feed.kind == CLIENT:
        result = [describe.session(a) for a in rows]
    else:
        result = [describe.session(a) for a in rows if not a.group_id]
        classes: dict[tuple[str, str, datetime], list[Appointment]] = defaultdict(list)
        for a in rows:
            if a.group_id:
                classes[(a.group_id, a.staff_id, a.starts_at)].append(a)
        result += [describe.group_class(members) for members in classes.values()]
    return sorted(result, key=lambda e: (e.start, e.uid))


class _Describer:
    """Summaries and descriptions of the events of one kind of feed."""

    def __init__(self, found: Sessions, kind: str, locale: str = DEFAULT) -> None:
        self.snap, self.kind, self.locale = found.snapshot, kind, locale
        self.positions, self.makeups = found.positions, found.makeups
        self.translations = translations(locale)

    def _(self, message: str, **values: object) -> str:
        """`message` in the feed's language, its `%(name)s` filled from `values`."""
        text = self.translations.gettext(message)
        return text % values if values else text

    def session(self, a: Appointment) -> Entry:
        _ = self._
        package, sessions = self._package(a)
        count = self._count(a, sessions)
        staff = self._staff(a.staff_id)
        group = self._group(a.group_id) if a.group_id else ""
        if self.kind == CLIENT:
            parts = [group or package, count, staff]
            lines = [_("%(package)s, period %(period)s", package=package, period=a.period) + (
                _(": session %(count)s", count=self._in_words(count)) if count else "")]
            if group:
                lines.append(_("Group: %(group)s", group=group))
            lines.append(_("With %(staff)s", staff=staff))
        else:
            parts = [a.client_name, package, count] + ([staff] if self.kind == STUDIO else [])
            lines = [_("Client: %(name)s (%(id)s)", name=a.client_name, id=a.client_id),
                     _("Package: %(package)s, period %(period)s", package=package,
                       period=a.period) + (
                         _(", session %(count)s", count=self._in_words(count)) if count
                         else ""),
                     _("Staff: %(staff)s (%(id)s)", staff=staff, id=a.staff_id)]
            if group:
                lines.append(_("Group: %(group)s (%(id)s)", group=group, id=a.group_id))
            lines.append(_("Appointment %(id)s", id=a.appointment_id))
        status = self._status_line(a)
        if status:
            lines.insert(0, status)
        return Entry(uid=_uid(self.kind, a.appointment_id), start=a.starts_at, end=a.ends_at,
                     summary=self._prefixed(a.status, DOT.join(p for p in parts if p)),
                     description="\n".join(lines), cancelled=a.status in (CANCELLED,
                                                                           PAID_CANCEL))

    def group_class(self, members: Sequence[Appointment]) -> Entry:
        _ = self._
        first = members[0]
        group = self.snap.groups.get(first.group_id)
        name = group.name if group else first.group_id
        staff = self._staff(first.staff_id)
        members = sorted(members, key=lambda a: (a.client_name.lower(), a.appointment_id))
        coming = [a for a in members if a.status not in (CANCELLED, PAID_CANCEL)]
        away = [a for a in members if a.status in (CANCELLED, PAID_CANCEL)]
        members_coming = self.translations.ngettext("%(num)d member", "%(num)d members",
                                                    len(coming)) % {"num": len(coming)}
        head = [name, members_coming] + ([staff] if self.kind == STUDIO else [])
        places = (_(" of %(capacity)s places", capacity=group.capacity)
                  if group and group.capacity else "")
        if self.kind == GROUP:
            lines = [_("%(group)s with %(staff)s", group=name, staff=staff),
                     _("%(members)s coming", members=members_coming) + places]
        else:
            lines = [_("Group: %(group)s (%(id)s), %(count)s coming", group=name,
                       id=first.group_id, count=len(coming)) + places,
                     _("Staff: %(staff)s (%(id)s)", staff=staff, id=first.staff_id),
                     _("Coming (%(count)s):", count=len(coming))]
            lines += [f"- {a.client_name} ({a.client_id}): " + self._member(a) for a in coming]
            if away:
                lines.append(_("Not coming:"))
                lines += [f"- {a.client_name} ({a.client_id}): " + self._away(a) for a in away]
        cancelled = not coming
        if cancelled:
            lines.insert(0, _("Cancelled: none of the members is coming."))
        uid = _uid(self.kind, f"{first.group_id}.{first.starts_at:%Y%m%dT%H%M}.{first.staff_id}")
        return Entry(uid=uid, start=first.starts_at, end=max(a.ends_at for a in members),
                     summary=self._prefixed(CANCELLED if cancelled else "", DOT.join(head)),
                     description="\n".join(lines), cancelled=cancelled)

    def _member(self, a: Appointment) -> str:
        package, sessions = self._package(a)
        count = self._count(a, sessions)
        return package + (self._(", session %(count)s", count=self._in_words(count)) if count
                          else "")

    def _away(self, a: Appointment) -> str:
        if a.status == PAID_CANCEL:
            return self._("paid cancel (counts as used)")
        makeup = self.makeups.get(a.appointment_id)
        if makeup is None:
            return self._("cancelled in time")
        return self._("cancelled in time, make-up %(when)s", when=self._short(makeup.starts_at))

    def _status_line(self, a: Appointment) -> str:
        if a.status == PAID_CANCEL:
            return self._("Cancelled late (paid cancel): this session counts as used.")
        if a.status != CANCELLED:
            return ""
        makeup = self.makeups.get(a.appointment_id)
        if makeup is None:
            return self._("Cancelled in time: this session does not count.")
        return self._("Cancelled in time: this session does not count; make-up %(when)s.",
                      when=self._short(makeup.starts_at))

    def _prefixed(self, status: str, summary: str) -> str:
        """The summary, after `Cancelled:` or `Paid cancel:` when the session is one."""
        if status == CANCELLED:
            return self._("Cancelled: %(summary)s", summary=summary)
        if status == PAID_CANCEL:
            return self._("Paid cancel: %(summary)s", summary=summary)
        return summary

    def _in_words(self, count: str) -> str:
        """`4/10` -> `4 of 10` (a count without its total stays as it is)."""
        position, slash, sessions = count.partition("/")
        if not slash:
            return count
        return self._("%(position)s of %(sessions)s", position=position, sessions=sessions)

    def _short(self, moment: datetime) -> str:
        return f"{format_short_day(moment, self.locale)} {moment:%H:%M}"

    def _package(self, a: Appointment) -> tuple[str, int | None]:
        enrollment = self.snap.enrollments.get(a.enrollment_id)
        package = self.snap.packages.get(enrollment.package_id) if enrollment else None
        if package is None:
            return (self._("Enrollment %(id)s", id=a.enrollment_id), None)
        return package.name, package.sessions

    def _count(self, a: Appointment, sessions: int | None) -> str:
        position = self.positions.get(a.appointment_id)
        if position is None:
            return ""
        return f"{position}/{sessions}" if sessions else str(position)

    def _staff(self, staff_id: str) -> str:
        staff = self.snap.staff.get(staff_id)
        return staff.name if staff else staff_id

    def _group(self, group_id: str) -> str:
        group = self.snap.groups.get(group_id)
        return group.name if group else group_id


def _uid(kind: str, key: str) -> str:
    """`E1-2-04.staff@sheetsync`: stable, and distinct per kind of feed, so the same session
    in a staff and a studio calendar on one phone are two events, not one fought over."""
    return f"{quote(key, safe='-_.~')}.{kind}@sheetsync"


# ---------------------------------------------------------------------------
# The .ics text


def render(name: str, events: Sequence[Entry], timezone: str, now: datetime,
           previous: bytes | None = None) -> bytes:
    """The calendar, byte for byte the same as `previous` unless an event changed.

    `now` (naive studio time) stamps new and changed events; `previous` (the file as it
    was) gives the others their earlier SEQUENCE and stamps. A previous file made from the
    same events is returned as it is, without parsing it: most syncs change nothing.
    """
    digest = _digest(name, events, timezone)
    if previous is not None and f"\r\n{DIGEST}:{digest}\r\n".encode() in previous:
        return previous
    zone = ZoneInfo(timezone)
    stamp = now.replace(tzinfo=zone).astimezone(UTC) if now.tzinfo is None else \
        now.astimezone(UTC)
    before = _stamps(previous)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add(DIGEST, digest)
    for entry in sorted(events, key=lambda e: (e.start, e.uid)):
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstart", entry.start.replace(tzinfo=zone))
        event.add("dtend", entry.end.replace(tzinfo=zone))
        event.add("summary", one_line(entry.summary))  # a title is one line, whatever was typed
        event.add("description", entry.description)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
        sequence, changed_at = 0, stamp
        if entry.uid in before:
            fingerprint, old_sequence, old_stamp = before[entry.uid]
            sequence, changed_at = ((old_sequence, old_stamp) if fingerprint == _fingerprint(event)
                                    else (old_sequence + 1, stamp))
        event.add("sequence", sequence)
        event.add("dtstamp", changed_at)
        event.add("last-modified", changed_at)
        calendar.add_component(event)
    if events:
        first = min(e.start for e in events)
        last = max(e.end for e in events)
        calendar.add_missing_timezones(first_date=date(first.year, 1, 1),
                                       last_date=date(last.year + 1, 1, 1))
    return calendar.to_ical()


Fingerprint = tuple[tuple[str, bytes, tuple[tuple[str, str], ...]], ...]


def _digest(name: str, events: Sequence[Entry], timezone: str) -> str:
    """What the calendar is made of, in 32 hex digits (short enough for one unfolded line).

    Not the zone's rules: a new tzdata release reaches a feed with its next change.
    """
    made_of = [FORMAT, name, timezone] + [
        [e.uid, e.start.isoformat(), e.end.isoformat(), e.summary, e.description, e.cancelled]
        for e in sorted(events, key=lambda e: (e.start, e.uid))]
    return hashlib.sha256(json.dumps(made_of).encode("utf-8")).hexdigest()[:32]


def _fingerprint(event: Component) -> Fingerprint:
    """What people see of an event: its times (with their zone), texts and status."""
    prints: list[tuple[str, bytes, tuple[tuple[str, str], ...]]] = []
    for name in CONTENT:
        value = event.get(name)
        if value is None:
            prints.append((name, b"", ()))
        else:
            params = tuple(sorted((str(k), str(v)) for k, v in value.params.items()))
            prints.append((name, bytes(value.to_ical()), params))
    return tuple(prints)


def _stamps(previous: bytes | None) -> dict[str, tuple[Fingerprint, int, datetime]]:
    """uid -> (fingerprint, SEQUENCE, DTSTAMP) of each event of the previous file."""
    if not previous:
        return {}
    try:
        calendar = Calendar.from_ical(previous)
        found = {}
        for event in calendar.walk("VEVENT"):
            stamp = event.decoded("DTSTAMP")
            if isinstance(stamp, datetime) and stamp.tzinfo is not None:
                found[str(event["UID"])] = (_fingerprint(event), int(event.get("SEQUENCE", 0)),
                                            stamp.astimezone(UTC))
        return found
    except Exception:  # a file that is not one of ours, or broken: start afresh
        return {}


# ---------------------------------------------------------------------------
# Files


def file_name(feed: Feed, secret: str = "") -> str:
    """`staff-ST1.ics`; with a secret `staff-ST1-<24 hex>.ics`, which nobody can guess.

    Only letters, digits, `_` and `-` come from the id (an id with other characters gets a
    short hash to stay unique), so no id can lead out of the folder.
    """
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", feed.key).strip("_")[:40]
    if slug != feed.key:
        slug = (slug + "-" if slug else "") + hashlib.sha256(
            feed.key.encode("utf-8")).hexdigest()[:8]
    parts = [feed.kind] + ([slug] if feed.kind != STUDIO else [])
    if secret:
        parts.append(hmac.new(secret.encode("utf-8"), f"{feed.kind}:{feed.key}".encode(),
                              "sha256").hexdigest()[:24])
    return "-".join(parts) + ".ics"


@dataclass(frozen=True, slots=True)
class Written:
    feed: Feed
    path: Path
    events: int
    changed: bool  # written (or, in a dry run, would be)


def calendar_name(feed: Feed, studio_name: str = "", locale: str = DEFAULT) -> str:
    """`Studio Flow: Elif Demir`; without a studio name `Elif Demir (sessions)`."""
    _ = translations(locale).gettext
    name = _("All sessions") if feed.kind == STUDIO and feed.name == ALL_SESSIONS else feed.name
    if studio_name:
        return f"{studio_name}: {name}"
    return name if feed.kind == STUDIO else _("%(name)s (sessions)") % {"name": name}


def build(feed: Feed, found: Sessions, timezone: str, now: datetime,
          previous: bytes | None = None, studio_name: str = "") -> tuple[bytes, int]:
    """The .ics bytes of one feed and its number of events."""
    events = entries(feed, found)
    name = calendar_name(feed, studio_name, found.locale_of(feed))
    return render(name, events, timezone, now, previous), len(events)


@dataclass(frozen=True, slots=True)
class FeedFile:
    """A feed's file as it should be: what it holds, and whether that differs from now."""

    written: Written
    data: bytes


def feed_file(path: Path, feed: Feed, found: Sessions, timezone: str, now: datetime, *,
              studio_name: str = "") -> FeedFile:
    """The .ics that `path` should hold, its stamps carried over from what it holds now."""
    previous = read_previous(path)
    data, count = build(feed, found, timezone, now, previous, studio_name)
    return FeedFile(Written(feed, path, count, data != previous), data)


def feed_files(folder: Path, feeds: Iterable[Feed], found: Sessions, timezone: str,
               now: datetime, *, secret: str = "", studio_name: str = "") -> list[FeedFile]:
    """Each feed's file in `folder` under `file_name`; nothing is written."""
    return [feed_file(folder / file_name(feed, secret), feed, found, timezone, now,
                      studio_name=studio_name) for feed in feeds]


def publish(folder: Path, feeds: Iterable[Feed], found: Sessions, timezone: str,
            now: datetime, *, secret: str = "", studio_name: str = "",
            dry_run: bool = False) -> list[Written]:
    """Write each feed into `folder` under `file_name`, only when its bytes change."""
    files = feed_files(folder, feeds, found, timezone, now, secret=secret,
                       studio_name=studio_name)
    for file in files:
        if file.written.changed and not dry_run:
            write_file(file.written.path, file.data)
    return [file.written for file in files]


def read_previous(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_file(path: Path, data: bytes) -> None:
    """Replace `path` atomically with `data`; its caller compared them already (the
    `changed` of `feed_file`, which read what `path` held), so it is not read again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data, mode=0o644)  # made to be published: readable by a web server
