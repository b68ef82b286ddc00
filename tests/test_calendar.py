"""Calendar feeds, parsed back with icalendar and held against the workbook they come from.

2026-11-30 is a Monday. Ayse (C1) comes Mon and Thu at 14:00 with Elif (ST1); Mehmet (C2)
and Selin (C3) are in the Morning Pilates group (G1: Can, ST2, Tue and Fri 09:00).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from sheetsync import engine, ics
from sheetsync.cells import parse_date, parse_time
from sheetsync.stores.memory import MemoryStore
from tests.studio import appointments, edit, set_status, studio, sync
from tests.studios import BASE

STUDIO = BASE + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule             | group_id
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00 |
E2            | C2        | PIL4       | 2026-11-30 |          |                      | G1
E3            | C3        | PIL4       | 2026-11-30 |          |                      | G1
"""
NOW = datetime(2026, 12, 4, 10, 0)
ZONE = "Europe/Istanbul"


def feed_of(store: MemoryStore, kind: str, key: str = "", now: datetime = NOW,
            timezone: str = ZONE, previous: bytes | None = None) -> bytes:
    _, snapshot, plan = engine.read_and_plan(store, now)
    feed = ics.feed_for(snapshot, kind, key)
    assert feed is not None
    return ics.build(feed, ics.sessions(snapshot, plan), timezone, now, previous)[0]


def events(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def by_uid(data: bytes) -> dict:
    return {str(e["UID"]): e for e in events(data)}


def local(event, name: str = "DTSTART") -> datetime:
    return event.decoded(name).replace(tzinfo=None)


def workbook_times(store: MemoryStore, **match: str) -> list[datetime]:
    return sorted(datetime.combine(parse_date(r["date"]), parse_time(r["start"]))
                  for r in appointments(store)
                  if all(r[k] == v for k, v in match.items()))


@pytest.fixture
def store() -> MemoryStore:
    store = studio(STUDIO)
    sync(store, NOW)
    set_status(store, "E1", "2026-12-03 14:00", "paid_cancel")
    set_status(store, "E1", "2026-12-07 14:00", "cancelled")
    set_status(store, "E2", "2026-12-08 09:00", "cancelled")
    sync(store, NOW)
    return store


def test_a_staff_feed_has_one_event_per_session_at_the_workbook_times(store):
    data = feed_of(store, "staff", "ST1")
    found = events(data)
    rows = [r for r in appointments(store) if r["staff_id"] == "ST1"]
    assert len(found) == len(rows) == 11
    assert sorted(local(e) for e in found) == workbook_times(store, staff_id="ST1")
    assert {str(e["UID"]) for e in found} == {f"{r['appointment_id']}.staff@sheetsync"
                                              for r in rows}
    first = by_uid(data)["E1-1-01.staff@sheetsync"]
    assert str(first["SUMMARY"]) == "Ayse · 10-Session Physiotherapy Package · 1/10"
    assert local(first, "DTEND") == datetime(2026, 11, 30, 15, 0)
    assert "Client: Ayse (C1)" in str(first["DESCRIPTION"])
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Elif (sessions)"
    assert str(calendar["X-WR-TIMEZONE"]) == ZONE
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [ZONE]
    assert b"DTSTART;TZID=Europe/Istanbul:20261130T140000" in data


def test_statuses_cancelled_and_paid_cancel_stay_marked(store):
    found = by_uid(feed_of(store, "staff", "ST1"))
    paid = found["E1-1-02.staff@sheetsync"]
    assert str(paid["STATUS"]) == "CANCELLED" and str(paid["TRANSP"]) == "TRANSPARENT"
    assert str(paid["SUMMARY"]) == "Paid cancel: Ayse · 10-Session Physiotherapy Package · 2/10"
    assert "counts as used" in str(paid["DESCRIPTION"])
    cancelled = found["E1-1-03.staff@sheetsync"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Cancelled: Ayse · 10-Session Physiotherapy Package"
    assert "does not count; make-up Mon 4 Jan 2027 14:00" in str(cancelled["DESCRIPTION"])
    makeup = found["E1-1-11.staff@sheetsync"]
    assert str(makeup["STATUS"]) == "CONFIRMED" and str(makeup["TRANSP"]) == "OPAQUE"
    assert str(makeup["SUMMARY"]).endswith("· 10/10")
    assert local(makeup) == datetime(2027, 1, 4, 14, 0)
    held = found["E1-1-01.staff@sheetsync"]  # completed looks like any confirmed session
    assert str(held["STATUS"]) == "CONFIRMED"


def test_a_group_class_is_one_event_with_its_roster_for_the_staff_member(store):
    found = events(feed_of(store, "staff", "ST2"))
    class_times = sorted({t for t in workbook_times(store, group_id="G1")})
    assert sorted(local(e) for e in found) == class_times
    dec8 = next(e for e in found if local(e) == datetime(2026, 12, 8, 9, 0))
    assert str(dec8["SUMMARY"]) == "Morning Pilates · 1 member"
    assert str(dec8["UID"]) == "G1.20261208T0900.ST2.staff@sheetsync"
    text = str(dec8["DESCRIPTION"])
    assert "- Selin (C3): 4-Class Group Pilates, session 3 of 4" in text
    assert "Not coming:\n- Mehmet (C2): cancelled in time, make-up Tue 15 Dec 2026 09:00" in text
    assert str(dec8["STATUS"]) == "CONFIRMED"


def test_a_class_nobody_comes_to_is_cancelled(store):
    set_status(store, "E3", "2026-12-08 09:00", "paid_cancel")
    dec8 = next(e for e in events(feed_of(store, "group", "G1"))
                if local(e) == datetime(2026, 12, 8, 9, 0))
    assert str(dec8["STATUS"]) == "CANCELLED"
    assert str(dec8["SUMMARY"]) == "Cancelled: Morning Pilates · 0 members"


def test_a_group_feed_counts_members_without_naming_them(store):
    data = feed_of(store, "group", "G1")
    assert len(events(data)) == len(set(workbook_times(store, group_id="G1")))
    for name in (b"Mehmet", b"Selin", b"C2", b"C3"):
        assert name not in data
    first = events(data)[0]
    assert str(first["SUMMARY"]) == "Morning Pilates · 2 members"
    assert str(first["DESCRIPTION"]) == "Morning Pilates with Can\n2 members coming of 8 places"


def test_a_client_feed_shows_only_that_clients_sessions(store):
    data = feed_of(store, "client", "C2")
    found = events(data)
    assert sorted(local(e) for e in found) == workbook_times(store, client_id="C2")
    assert b"Selin" not in data and b"Ayse" not in data and b"C3" not in data
    first = found[0]
    assert str(first["SUMMARY"]) == "Morning Pilates · 1/4 · Can"
    assert str(first["UID"]) == "E2-1-01.client@sheetsync"
    cancelled = next(e for e in found if local(e) == datetime(2026, 12, 8, 9, 0))
    assert str(cancelled["SUMMARY"]) == "Cancelled: Morning Pilates · Can"
    ayse = events(feed_of(store, "client", "C1"))[0]
    assert str(ayse["SUMMARY"]) == "10-Session Physiotherapy Package · 1/10 · Elif"
    assert "Client:" not in str(ayse["DESCRIPTION"])


def test_the_studio_feed_has_everything_with_the_staff_member(store):
    found = events(feed_of(store, "studio"))
    private = [r for r in appointments(store) if not r["group_id"]]
    classes = {t for t in workbook_times(store, group_id="G1")}
    assert len(found) == len(private) + len(classes)
    assert "Ayse · 10-Session Physiotherapy Package · 1/10 · Elif" in {
        str(e["SUMMARY"]) for e in found}
    assert all(str(e["UID"]).endswith(".studio@sheetsync") for e in found)
    assert str(Calendar.from_ical(feed_of(store, "studio"))["X-WR-CALNAME"]) == "All sessions"
    _, snapshot, plan = engine.read_and_plan(store, NOW)
    named, _ = ics.build(ics.Feed("staff", "ST1", "Elif"), ics.sessions(snapshot, plan), ZONE,
                         NOW, studio_name="Studio Flow")
    assert str(Calendar.from_ical(named)["NAME"]) == "Studio Flow: Elif"


@pytest.mark.parametrize(("timezone", "schedule", "start", "utc_hours"), [
    # Berlin leaves summer time on Sunday 25 October 2026
    ("Europe/Berlin", "Mon 14:00", "2026-10-19", [12, 13, 13]),
    # New York enters it on Sunday 14 March 2027
    ("America/New_York", "Mon 09:00", "2027-03-08", [14, 13, 13]),
])
def test_wall_clock_times_stay_put_across_daylight_saving_changes(timezone, schedule, start,
                                                                  utc_hours):
    store = studio(BASE + f"""
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule
E1            | C1        | PHY10      | {start}    | ST1      | {schedule}
""")
    now = datetime.fromisoformat(start) - timedelta(days=1)
    sync(store, now)
    data = feed_of(store, "staff", "ST1", now=now, timezone=timezone)
    found = events(data)[:3]
    clock = int(schedule.split()[1][:2])
    for event, hour in zip(found, utc_hours, strict=True):
        moment = event.decoded("DTSTART")
        assert moment.tzinfo is not None and str(moment.tzinfo) == timezone
        assert (moment.hour, moment.minute) == (clock, 0)
        assert moment.astimezone(UTC).hour == hour
        assert event["DTSTART"].params["TZID"] == timezone
    (zone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    assert str(zone["TZID"]) == timezone
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    # a calendar app resolves the times through the VTIMEZONE it was given
    assert zone.to_tz().utcoffset(local(found[0])) != zone.to_tz().utcoffset(local(found[2]))


def test_a_re_export_is_byte_for_byte_the_same_until_something_changes(store):
    first = feed_of(store, "staff", "ST1")
    later = NOW + timedelta(days=20)
    sync(store, later)  # sessions are completed in between: the calendar does not care
    assert feed_of(store, "staff", "ST1", now=later, previous=first) == first
    assert feed_of(store, "staff", "ST1", now=later, previous=None) != first  # new stamps


def test_a_moved_session_is_updated_in_place_with_a_new_sequence(store):
    before = feed_of(store, "staff", "ST1")
    # the make-up, the last session: moving it by hand leaves every other one where it is
    edit(store, "Appointments", {"appointment_id": "E1-1-11"}, start="16:00", end="17:00")
    moved_at = NOW + timedelta(hours=2)
    sync(store, moved_at)
    after = feed_of(store, "staff", "ST1", now=moved_at, previous=before)
    old, new = by_uid(before), by_uid(after)
    assert set(old) == set(new)
    changed = [uid for uid in new if new[uid].to_ical() != old[uid].to_ical()]
    # the cancelled session it makes up for names its new time too
    assert changed == ["E1-1-03.staff@sheetsync", "E1-1-11.staff@sheetsync"]
    assert "make-up Mon 4 Jan 2027 16:00" in str(new["E1-1-03.staff@sheetsync"]["DESCRIPTION"])
    event = new["E1-1-11.staff@sheetsync"]
    assert local(event) == datetime(2027, 1, 4, 16, 0)
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTAMP") == moved_at.replace(tzinfo=ZoneInfo(ZONE)).astimezone(UTC)
    assert event.decoded("LAST-MODIFIED") == event.decoded("DTSTAMP")
    again = feed_of(store, "staff", "ST1", now=moved_at + timedelta(days=1), previous=after)
    assert again == after


def test_a_cancellation_renumbers_the_sessions_after_it(store):
    before = feed_of(store, "client", "C1")
    set_status(store, "E1", "2026-12-10 14:00", "cancelled")
    sync(store, NOW)
    after = by_uid(feed_of(store, "client", "C1", previous=before))
    assert str(after["E1-1-04.client@sheetsync"]["STATUS"]) == "CANCELLED"
    assert int(after["E1-1-04.client@sheetsync"]["SEQUENCE"]) == 1
    assert str(after["E1-1-05.client@sheetsync"]["SUMMARY"]).split(" · ")[1] == "3/10"
    assert int(after["E1-1-01.client@sheetsync"]["SEQUENCE"]) == 0


def test_a_file_that_is_not_a_calendar_is_replaced_afresh(store):
    data = feed_of(store, "staff", "ST1", previous=b"not a calendar \x00\xff")
    assert all(int(e["SEQUENCE"]) == 0 for e in events(data))


def test_a_held_enrollment_keeps_its_sessions_as_they_stand(store):
    before = workbook_times(store, staff_id="ST1")
    edit(store, "Enrollments", {"enrollment_id": "E1"}, schedule="Tuesdy 9am")
    _, snapshot, plan = engine.read_and_plan(store, NOW + timedelta(days=30))
    assert "E1" in plan.held
    found = ics.sessions(snapshot, plan)
    staff_events = ics.entries(ics.Feed("staff", "ST1", "Elif"), found)
    assert sorted(e.start for e in staff_events) == before


def test_history_keeps_whole_months():
    assert ics.history_start(datetime(2027, 3, 17, 9, 0), 6) == date(2026, 9, 1)
    assert ics.history_start(datetime(2027, 3, 17, 9, 0), 0) == date(2027, 3, 1)
    assert ics.history_start(datetime(2027, 1, 2, 9, 0), 1) == date(2026, 12, 1)


def test_sessions_before_the_history_start_are_left_out_but_still_counted(store):
    _, snapshot, plan = engine.read_and_plan(store, NOW)
    found = ics.sessions(snapshot, plan, since=date(2026, 12, 10))
    staff = ics.entries(ics.Feed("staff", "ST1", "Elif"), found)
    assert min(e.start for e in staff) == datetime(2026, 12, 10, 14, 0)
    assert staff[0].summary.endswith("3/10")  # 30 Nov and the paid cancel still count


@pytest.mark.parametrize("key", ["ST1", "../../etc/passwd", "a/b", "..", "Elif Demir", "Ç1",
                                 "", "x" * 300])
def test_file_names_stay_in_the_folder(key):
    name = ics.file_name(ics.Feed("staff", key, "x"))
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert name.endswith(".ics") and len(name) < 80
    assert (Path("/feeds") / name).resolve().parent == Path("/feeds")
    assert ics.file_name(ics.Feed("staff", key, "x")) == name  # stable


def test_file_names_are_readable_distinct_and_unguessable_with_a_secret():
    feed = ics.Feed("staff", "ST1", "Elif")
    assert ics.file_name(feed) == "staff-ST1.ics"
    assert ics.file_name(ics.Feed("studio", "", "All")) == "studio.ics"
    assert ics.file_name(ics.Feed("staff", "a/b", "x")) != ics.file_name(
        ics.Feed("staff", "a_b", "x"))
    secret = ics.file_name(feed, "s3cret")
    assert secret.startswith("staff-ST1-") and len(secret) == len("staff-ST1-.ics") + 24
    assert secret != ics.file_name(feed, "other") != ics.file_name(ics.Feed("client", "ST1", "x"),
                                                                   "s3cret")


def test_publish_writes_every_feed_and_then_only_what_changed(store, tmp_path: Path):
    _, snapshot, plan = engine.read_and_plan(store, NOW)
    feeds = ics.all_feeds(snapshot)
    first = ics.publish(tmp_path, feeds, ics.sessions(snapshot, plan), ZONE, NOW)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["staff-ST1.ics", "staff-ST2.ics", "staff-MGR.ics", "client-C1.ics",
                            "client-C2.ics", "client-C3.ics", "client-C4.ics", "group-G1.ics",
                            "studio.ics"])
    assert all(w.changed for w in first)
    assert oct(os.stat(tmp_path / "studio.ics").st_mode & 0o777) == "0o644"
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    edit(store, "Appointments", {"appointment_id": "E1-1-11"}, start="16:00", end="17:00")
    later = NOW + timedelta(hours=1)
    _, snapshot, plan = engine.read_and_plan(store, later)
    again = ics.publish(tmp_path, feeds, ics.sessions(snapshot, plan), ZONE, later)
    assert sorted(w.path.name for w in again if w.changed) == ["client-C1.ics", "staff-ST1.ics",
                                                               "studio.ics"]
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()
            if p.name not in ("client-C1.ics", "staff-ST1.ics", "studio.ics")} == {
        k: v for k, v in stamps.items()
        if k not in ("client-C1.ics", "staff-ST1.ics", "studio.ics")}
    dry = ics.publish(tmp_path / "none", feeds, ics.sessions(snapshot, plan), ZONE, later,
                      dry_run=True)
    assert all(w.changed for w in dry) and not (tmp_path / "none").exists()


def test_names_that_look_like_ical_syntax_stay_text(store):
    edit(store, "Clients", {"client_id": "C1"}, name="Ay;se, \"Q\"\nEND:VEVENT")
    sync(store, NOW)
    data = feed_of(store, "staff", "ST1")
    found = events(data)
    assert len(found) == 11
    assert str(found[0]["SUMMARY"]) == \
        "Ay;se, \"Q\" END:VEVENT · 10-Session Physiotherapy Package · 1/10"
    assert b"\nEND:VEVENT\r\nEND:VEVENT" not in data


@pytest.mark.slow
@settings(max_examples=40)
@given(st.lists(st.tuples(st.text(max_size=40), st.text(max_size=80), st.booleans()),
                min_size=1, max_size=4))
def test_whatever_was_typed_a_re_export_keeps_its_bytes(texts):
    entries = [ics.Entry(f"E{i}.staff@sheetsync", datetime(2026, 12, 7 + i, 14, 0),
                         datetime(2026, 12, 7 + i, 15, 0), summary, description, cancelled)
               for i, (summary, description, cancelled) in enumerate(texts)]
    first = ics.render("Elif", entries, ZONE, NOW)
    again = ics.render("Elif", entries, ZONE, NOW + timedelta(days=3), previous=first)
    assert again == first
    assert len(events(first)) == len(entries)
    # renamed, the calendar is made afresh: every event is still recognised as unchanged
    renamed = ics.render("Elif Demir", entries, ZONE, NOW + timedelta(days=3), previous=first)
    assert [(str(e["UID"]), int(e["SEQUENCE"]), e.decoded("DTSTAMP")) for e in events(renamed)] \
        == [(str(e["UID"]), 0, e.decoded("DTSTAMP")) for e in events(first)]
