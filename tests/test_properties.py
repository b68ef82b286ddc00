"""Random studios, random studio edits, syncs at advancing times: the invariants always hold.

After every sync: appointment ids are unique; every period of an active enrollment
holds exactly `sessions` appointments that are not cancelled (or a problem says
why not); used + remaining = sessions; no re-plannable appointment sits on a
closed day; and planning again at the same now finds nothing to do.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sheetsync.cells import parse_date, parse_status, parse_time, text
from sheetsync.read import read_snapshot
from sheetsync.stores.memory import MemoryStore
from tests.reliability import record
from tests.studio import records, studio, sync

BASE_DAY = date(2026, 11, 2)  # a Monday
SCHEDULES = ["Mon 14:00, Thu 14:00", "Tue,Fri 09:00", "Wed 18:00-19:30", "every 2 weeks Sat 10:00",
             "Mon-Fri 7am", "Sun 11:00"]
STATUSES = ["cancelled", "paid_cancel", "completed", "pending", "Canceled", "late cancel"]


def studio_source(packages, enrollments, group_schedule) -> str:
    lines = ["Packages", "package_id | name | sessions | price | duration_min"]
    lines += [f"P{i} | Package {i} | {n} | {100 * n} | {d}" for i, (n, d) in enumerate(packages)]
    lines += ["", "Clients", "client_id | name | status"]
    lines += [f"C{i} | Client {i} | active" for i in range(len(enrollments))]
    lines += ["", "Staff", "staff_id | name | role", "S0 | Ann | staff", "S1 | Bob | manager"]
    lines += ["", "Groups", "group_id | name | staff_id | schedule",
              f"G0 | Group | S1 | {group_schedule}"]
    lines += ["", "Enrollments",
              "enrollment_id | client_id | package_id | start_date | staff_id | schedule | "
              "group_id | status"]
    for i, (package, offset, schedule, in_group) in enumerate(enrollments):
        start = BASE_DAY + timedelta(days=offset)
        if in_group:
            lines.append(f"E{i} | C{i} | P{package % len(packages)} | {start} | | | G0 | active")
        else:
            lines.append(f"E{i} | C{i} | P{package % len(packages)} | {start} | S{i % 2} | "
                         f"{schedule} | | active")
    return "\n".join(lines)


class StudioMachine(RuleBasedStateMachine):
    store: MemoryStore
    now: datetime

    @initialize(
        packages=st.lists(st.tuples(st.integers(1, 6), st.sampled_from([30, 45, 60, 90])),
                          min_size=1, max_size=3),
        enrollments=st.lists(st.tuples(st.integers(0, 2), st.integers(-20, 20),
                                       st.sampled_from(SCHEDULES), st.booleans()),
                             min_size=1, max_size=4),
        group_schedule=st.sampled_from(SCHEDULES),
        start_hour=st.integers(0, 23),
    )
    def make_studio(self, packages, enrollments, group_schedule, start_hour):
        self.store = studio(studio_source(packages, enrollments, group_schedule))
        self.now = datetime.combine(BASE_DAY, datetime.min.time()) + timedelta(hours=start_hour)
        self.synced = False
        self.sync()

    # -- syncs -----------------------------------------------------------------------------
    @rule(hours=st.integers(0, 24 * 12))
    def sync_later(self, hours):
        self.now += timedelta(hours=hours)
        self.sync()

    def sync(self):
        self.report = sync(self.store, self.now)
        self.synced = True
        self.syncs = getattr(self, "syncs", 0) + 1

    def teardown(self):
        record("idempotence (random studios)", studios=1, syncs=getattr(self, "syncs", 0),
               non_empty_replans=0)

    # -- edits a studio makes ---------------------------------------------------------------
    def _rows(self, tab: str) -> list[dict]:
        return records(self.store, tab)

    def _pick_appointment(self, data, *, pending: bool = False) -> int | None:
        rows = [i for i, r in enumerate(self._rows("Appointments"))
                if not pending or text(r["status"]).lower() == "pending"]
        if not rows:
            return None
        return data.draw(st.sampled_from(rows)) + 2

    def _edit(self, tab: str, row: int, **values):
        for column, value in values.items():
            self.store.set(tab, row, column, value)
        self.synced = False

    @rule(data=st.data(), status=st.sampled_from(STATUSES))
    def change_status(self, data, status):
        row = self._pick_appointment(data)
        if row:
            self._edit("Appointments", row, status=status)

    @rule(data=st.data(), days=st.integers(-3, 10), hour=st.integers(6, 21))
    def move_by_hand(self, data, days, hour):
        row = self._pick_appointment(data, pending=True)
        if row:
            old = parse_date(self._rows("Appointments")[row - 2]["date"])
            self._edit("Appointments", row, date=(old + timedelta(days=days)).isoformat(),
                       start=f"{hour}:00", end=f"{hour}:45")

    @rule(data=st.data())
    def give_to_other_staff(self, data):
        row = self._pick_appointment(data, pending=True)
        if row:
            current = self._rows("Appointments")[row - 2]["staff_id"]
            self._edit("Appointments", row, staff_id="S0" if current != "S0" else "S1")

    @rule(days=st.integers(0, 40), length=st.integers(0, 6),
          who=st.sampled_from(["", "staff_id=S0", "staff_id=S1", "client_id=C0",
                               "group_id=G0"]))
    def add_closure(self, days, length, who):
        start = self.now.date() + timedelta(days=days - 5)
        record = {"start_date": start.isoformat(),
                  "end_date": (start + timedelta(days=length)).isoformat(), "reason": "off"}
        if who:
            column, value = who.split("=")
            record[column] = value
        self.store.append("Closures", record)
        self.synced = False

    @rule(data=st.data())
    def remove_closure(self, data):
        rows = self._rows("Closures")
        if rows:
            row = data.draw(st.integers(2, len(rows) + 1))
            for column in ("start_date", "end_date", "staff_id", "client_id", "group_id",
                           "reason"):
                self.store.set("Closures", row, column, None)
            self.synced = False

    @rule(data=st.data(), schedule=st.sampled_from(SCHEDULES))
    def change_schedule(self, data, schedule):
        rows = self._rows("Enrollments")
        row = data.draw(st.integers(2, len(rows) + 1))
        if rows[row - 2]["group_id"]:
            self._edit("Groups", 2, schedule=schedule)
        else:
            self._edit("Enrollments", row, schedule=schedule)

    @rule(data=st.data(), days=st.integers(-10, 20))
    def change_start_date(self, data, days):
        rows = self._rows("Enrollments")
        row = data.draw(st.integers(2, len(rows) + 1))
        self._edit("Enrollments", row, start_date=(BASE_DAY + timedelta(days=days)).isoformat())

    @rule(data=st.data(), status=st.sampled_from(["closed", "active"]))
    def close_or_reopen_client(self, data, status):
        rows = self._rows("Clients")
        self._edit("Clients", data.draw(st.integers(2, len(rows) + 1)), status=status)

    @rule(data=st.data())
    def end_enrollment(self, data):
        rows = self._rows("Enrollments")
        self._edit("Enrollments", data.draw(st.integers(2, len(rows) + 1)), status="ended")

    @rule(data=st.data(), sessions=st.integers(1, 6))
    def change_package_size(self, data, sessions):
        rows = self._rows("Packages")
        self._edit("Packages", data.draw(st.integers(2, len(rows) + 1)), sessions=sessions)

    # -- invariants after every sync ---------------------------------------------------------
    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def appointment_ids_are_unique(self):
        ids = [r["appointment_id"] for r in self._rows("Appointments")]
        assert len(ids) == len(set(ids))

    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def used_plus_remaining_is_sessions(self):
        for b in self._rows("Balances"):
            assert b["used"] + b["remaining"] == b["sessions"]
            assert b["completed"] + b["paid_cancel"] == b["used"]

    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def active_periods_hold_exactly_their_sessions(self):
        snap = read_snapshot(self.store.read())
        explained = {p.value.split()[0] for p in self.report.problems}
        explained |= {text(p.value) for p in self.report.problems}
        counts = Counter((a.enrollment_id, a.period) for a in snap.appointments
                         if a.status != "cancelled")
        for e in snap.enrollments.values():
            if e.enrollment_id in snap.held or not e.active:
                continue
            if not snap.clients[e.client_id].active:
                continue
            sessions = snap.packages[e.package_id].sessions
            for (eid, period), count in counts.items():
                if eid == e.enrollment_id and count != sessions:
                    assert eid in explained or any(
                        eid in p.problem for p in self.report.problems), (eid, period, count)

    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def replannable_sessions_avoid_closed_days(self):
        snap = read_snapshot(self.store.read())
        for a in snap.appointments:
            e = snap.enrollments.get(a.enrollment_id)
            if e is None or a.enrollment_id in snap.held:
                continue
            if a.status != "pending" or a.moved_by_hand or a.starts_at <= self.now:
                continue
            staff = snap.groups[e.group_id].staff_id if e.group_id else e.staff_id
            assert not any(c.covers(a.date, staff, e.client_id, e.group_id)
                           for c in snap.closures), a

    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def statuses_are_written_canonically(self):
        for r in self._rows("Appointments"):
            if r["enrollment_id"] not in self.report.plan.held:
                assert r["status"] == parse_status(r["status"])
                parse_time(r["start"])

    @invariant()
    @precondition(lambda self: getattr(self, "synced", False))
    def planning_again_changes_nothing(self):
        before = {t: self._rows(t) for t in ("Appointments", "Balances", "Problems")}
        again = sync(self.store, self.now)
        assert again.plan.empty, (again.plan.added, again.plan.changed, again.plan.deleted)
        written = {t for t, c in again.changes.tabs.items() if c}
        assert written == {"Runs"}, {t: again.changes.tabs[t] for t in written}
        assert {t: self._rows(t) for t in before} == before


TestStudioMachine = StudioMachine.TestCase
