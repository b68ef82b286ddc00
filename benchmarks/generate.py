"""A seeded generator of realistic studios with three years of history, as sheetsync left them.

    python benchmarks/generate.py --size S --out studio-S.xlsx

Every appointment row is what a sheetsync run every few minutes would have written:
ids `E0001-3-07` numbered per period in the order they were created, a period
holding exactly `sessions` sessions that are not cancelled, a make-up after each
cancellation taking the freed session number, the next period renewed on the
first free slot after the last session, closures (studio, staff leave, client
travel, group) skipped, `planned` and `commission`/`commission_basis` filled as
the ledger computes them. Balances are the ledger's own, so a sync at `NOW` on a
generated workbook is close to a no-op (run.py reports what it changes).

The history is built with numpy per enrollment and pandas over all rows; the
engine never runs. Sizes are set by the number of clients; rows follow.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sheetsync.cells import cents, parse_rate
from sheetsync.ledger import allocate_payments, basis_text
from sheetsync.model import Payment
from sheetsync.schema import ALL_TABS, TABS_BY_NAME, Kind
from sheetsync.stores.base import Table

NOW = datetime(2026, 6, 1, 10, 0)  # a Monday morning
HISTORY_START = date(2023, 6, 1)  # three years of history
SIZES = {"S": 50, "M": 300, "L": 1100, "XL": 2450}  # clients
TARGET_ROWS = {"S": 15_000, "M": 100_000, "L": 300_000, "XL": 660_000}
SEED = 20260601

P_CANCEL = 0.06
P_PAID_CANCEL = 0.03
P_OWN_PRICE = 0.01
P_NOTE = 0.02
P_MOVED = 0.005

PACKAGES = [
    # package_id, name, sessions, price, duration_min, commission_rate, kind
    ("PHY10", "10-Session Physiotherapy Package", 10, 4000, 50, "40%", "individual"),
    ("PIL8", "8-Session Private Pilates", 8, 3200, 55, None, "individual"),
    ("PT4", "4-Session Personal Training", 4, 2000, 60, None, "individual"),
    ("GRP12", "12-Class Group Pilates", 12, 1800, 60, "30%", "group"),
    ("YOGA10", "10-Class Group Yoga", 10, 1500, 75, None, "group"),
]
INDIVIDUAL_SCHEDULES = [
    ("Mon 14:00, Thu 14:00", 1, [(0, 14 * 60, None), (3, 14 * 60, None)]),
    ("Tue,Fri 11:00", 1, [(1, 11 * 60, None), (4, 11 * 60, None)]),
    ("Wed 18:00-19:00", 1, [(2, 18 * 60, 19 * 60)]),
    ("Monday 6:30pm, Thursday 6:30pm", 1, [(0, 18 * 60 + 30, None), (3, 18 * 60 + 30, None)]),
    ("every 2 weeks Sat 10:00", 2, [(5, 10 * 60, None)]),
    ("Tue 08:00, Thu 08:00, Sat 09:00", 1, [(1, 8 * 60, None), (3, 8 * 60, None),
                                           (5, 9 * 60, None)]),
]
GROUP_SCHEDULES = [
    ("Tue,Fri 09:00", [(1, 9 * 60, None), (4, 9 * 60, None)]),
    ("Mon,Wed 18:00-19:00", [(0, 18 * 60, 19 * 60), (2, 18 * 60, 19 * 60)]),
    ("Sat 10:00, Sun 10:00", [(5, 10 * 60, None), (6, 10 * 60, None)]),
    ("Tue 19:00, Thu 19:00", [(1, 19 * 60, None), (3, 19 * 60, None)]),
]
FIRST_NAMES = ["Ayşe", "Mehmet", "Selin", "Deniz", "Burak", "Ece", "Can", "Elif", "Zeynep",
               "Emre", "Aylin", "Kerem", "Defne", "Mert", "Nazlı", "Ozan", "Pınar", "Tolga"]
LAST_NAMES = ["Çelik", "Öztürk", "Arslan", "Şahin", "Koç", "Aydın", "Yıldız", "Demir", "Kaya",
              "Doğan", "Kılıç", "Aksoy", "Polat", "Erdem"]
HOLIDAYS = [(1, 1), (4, 23), (5, 1), (5, 19), (7, 15), (8, 30), (10, 29), (12, 31)]

EPOCH = date(1899, 12, 30).toordinal()
NOW_MIN = NOW.date().toordinal() * 1440 + NOW.hour * 60 + NOW.minute


@dataclass
class Studio:
    size: str
    seed: int
    tabs: dict[str, pd.DataFrame] = field(default_factory=dict)  # canonical tab -> columns

    @property
    def appointment_rows(self) -> int:
        return len(self.tabs["Appointments"])

    def tables(self) -> dict[str, Table]:
        """Every tab as the memory store holds it: plain Python cell values."""
        return {tab.name: _table(tab.name, self.tabs.get(tab.name)) for tab in ALL_TABS}


def _table(name: str, frame: pd.DataFrame | None) -> Table:
    tab = TABS_BY_NAME[name]
    header: list[Any] = list(tab.column_names)
    if frame is None or frame.empty:
        return Table(name, header, [])
    columns = [_python_column(frame[c], tab.column(c).kind) if c in frame else
               [None] * len(frame) for c in tab.column_names]
    return Table(name, header, [list(r) for r in zip(*columns, strict=True)])


_TIMES = [time(m // 60, m % 60) for m in range(1440)]


def _python_column(series: pd.Series, kind: Kind) -> list[Any]:
    values = series.to_numpy(dtype=object)
    if kind is Kind.DATE:
        return [None if v is None or v != v else date.fromordinal(int(v)) for v in values]
    if kind is Kind.TIME:
        return [None if v is None or v != v else _TIMES[int(v)] for v in values]
    if kind is Kind.DATETIME:
        return [None if v is None or v != v else
                datetime.fromordinal(int(v) // 1440) + timedelta(minutes=int(v) % 1440)
                for v in values]
    return [None if v is None or (isinstance(v, float) and v != v) else
            (int(v) if isinstance(v, float) and v.is_integer() else v) for v in values]


def generate(size: str = "S", seed: int = SEED, clients: int | None = None) -> Studio:
    """A studio of `size` (or of `clients` clients) with three years of history up to NOW."""
    rng = np.random.default_rng(seed)
    n_clients = clients if clients is not None else SIZES[size]
    studio = Studio(size, seed)
    builder = _Builder(rng, n_clients)
    studio.tabs = builder.build()
    return studio


class _Builder:
    def __init__(self, rng: np.random.Generator, n_clients: int) -> None:
        self.rng = rng
        self.n_clients = n_clients
        self.n_staff = max(3, n_clients // 12)
        self.n_groups = max(2, n_clients // 8)
        self.first_day = HISTORY_START.toordinal()
        self.today = NOW.date().toordinal()

    # -- the tabs the studio types ---------------------------------------------------------
    def build(self) -> dict[str, pd.DataFrame]:
        tabs: dict[str, pd.DataFrame] = {}
        tabs["Packages"] = pd.DataFrame(
            [(*p[:6], "yes") for p in PACKAGES],
            columns=["package_id", "name", "sessions", "price", "duration_min",
                     "commission_rate", "active"])
        tabs["Staff"] = self._staff()
        self.staff_rates = {s: r for s, r in zip(tabs["Staff"]["staff_id"],
                                                 tabs["Staff"]["commission_rate"], strict=True)
                            if r}
        tabs["Clients"] = self._clients()
        tabs["Groups"] = self._groups()
        tabs["Enrollments"] = self._enrollments(tabs)
        tabs["Closures"] = self._closures()
        appointments = self._appointments(tabs)
        tabs["Appointments"] = appointments
        tabs["Payments"], tabs["Balances"] = self._money(tabs, appointments)
        tabs["Notifications"] = self._notifications(tabs["Balances"])
        tabs["Runs"] = self._runs()
        return tabs

    def _staff(self) -> pd.DataFrame:
        rng, n = self.rng, self.n_staff
        ids = [f"ST{i + 1:03d}" for i in range(n)]
        names = [f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 5) % len(LAST_NAMES)]}"
                 for i in range(n)]
        rates = rng.choice(["35%", "40%", "45%"], n)
        frame = pd.DataFrame({"staff_id": ids, "name": names,
                              "email": [f"{s.lower()}@studio.example" for s in ids],
                              "role": "staff", "commission_rate": rates})
        manager = pd.DataFrame([{"staff_id": "MGR", "name": "Zeynep Kaya",
                                 "email": "owner@studio.example", "role": "manager",
                                 "commission_rate": None}])
        return pd.concat([frame, manager], ignore_index=True)

    def _clients(self) -> pd.DataFrame:
        rng, n = self.rng, self.n_clients
        ids = [f"C{i + 1:05d}" for i in range(n)]
        first = rng.integers(0, len(FIRST_NAMES), n)
        last = rng.integers(0, len(LAST_NAMES), n)
        names = [f"{FIRST_NAMES[a]} {LAST_NAMES[b]}" for a, b in zip(first, last, strict=True)]
        closed = rng.random(n) < 0.05
        # A client's first day: two in five were there from the start, the rest joined later.
        join = np.where(rng.random(n) < 0.55, self.first_day + rng.integers(0, 60, n),
                        self.first_day + rng.integers(0, self.today - self.first_day - 14, n))
        leave = np.where(closed, join + ((self.today - join) * rng.uniform(0.3, 0.95, n))
                         .astype(int), 0)
        return pd.DataFrame({
            "client_id": ids, "name": names,
            "email": [f"{c.lower()}@client.example" for c in ids],
            "phone": [f"+90 532 {i // 10000:03d} {i % 10000:04d}" for i in range(n)],
            "status": np.where(closed, "closed", "active"),
            "x_join": join, "x_leave": leave,
        })

    def _groups(self) -> pd.DataFrame:
        n = self.n_groups
        picks = self.rng.integers(0, len(GROUP_SCHEDULES), n)
        teaching = self.n_staff
        return pd.DataFrame({
            "group_id": [f"G{i + 1:03d}" for i in range(n)],
            "name": [f"{'Pilates' if i % 2 == 0 else 'Yoga'} group {i + 1}" for i in range(n)],
            "staff_id": [f"ST{(i % teaching) + 1:03d}" for i in range(n)],
            "schedule": [GROUP_SCHEDULES[p][0] for p in picks],
            "capacity": 14,
            "x_pick": picks,
        })

    def _enrollments(self, tabs: dict[str, pd.DataFrame]) -> pd.DataFrame:
        rng = self.rng
        clients = tabs["Clients"]
        rows: list[dict[str, Any]] = []
        group_members = np.zeros(self.n_groups, dtype=int)
        for c in clients.itertuples(index=False):
            kinds = ["individual" if rng.random() < 0.6 else "group"]
            if rng.random() < 0.45:
                kinds.append("group" if kinds[0] == "individual" else "individual")
            for k, kind in enumerate(kinds):
                start = int(c.x_join) + (0 if k == 0 else int(rng.integers(0, 200)))
                if start > self.today - 3:
                    start = int(c.x_join)
                row: dict[str, Any] = {"client_id": c.client_id, "start_date": start,
                                       "auto_renew": "yes", "status": "active",
                                       "x_end": int(c.x_leave) if c.x_leave else 0}
                if kind == "individual":
                    package = PACKAGES[int(rng.integers(0, 3))]
                    pick = int(rng.integers(0, len(INDIVIDUAL_SCHEDULES)))
                    row.update(package_id=package[0], schedule=INDIVIDUAL_SCHEDULES[pick][0],
                               staff_id=f"ST{int(rng.integers(0, self.n_staff)) + 1:03d}",
                               group_id="", x_pick=pick)
                else:
                    package = PACKAGES[3 + int(rng.integers(0, 2))]
                    open_groups = np.flatnonzero(group_members < 14)
                    g = int(rng.choice(open_groups)) if len(open_groups) else 0
                    group_members[g] += 1
                    row.update(package_id=package[0], schedule="", staff_id="",
                               group_id=f"G{g + 1:03d}", x_pick=-1)
                if rng.random() < 0.15:
                    row["price_override"] = round(package[3] * 0.9)
                draw = rng.random()
                if draw < 0.05:
                    row["auto_renew"] = "no"
                elif draw < 0.17 and not row["x_end"] and start < self.today - 120:
                    row["status"] = "ended"
                    row["x_end"] = start + int((self.today - start) * rng.uniform(0.2, 0.9))
                rows.append(row)
        frame = pd.DataFrame(rows)
        frame.insert(0, "enrollment_id", [f"E{i + 1:04d}" for i in range(len(frame))])
        # A few individual enrollments changed staff member on some past day.
        frame["x_old_staff"] = ""
        frame["x_switch"] = 0
        switch = (frame["group_id"] == "") & (rng.random(len(frame)) < 0.05) & \
            (frame["start_date"] < self.today - 200)
        for i in np.flatnonzero(switch.to_numpy()):
            frame.loc[i, "x_old_staff"] = frame.loc[i, "staff_id"]
            frame.loc[i, "staff_id"] = f"ST{int(rng.integers(0, self.n_staff)) + 1:03d}"
            frame.loc[i, "x_switch"] = int(frame.loc[i, "start_date"]) + int(
                (self.today - frame.loc[i, "start_date"]) * 0.6)
        return frame

    def _closures(self) -> pd.DataFrame:
        rng = self.rng
        rows: list[dict[str, Any]] = []
        for year in (2023, 2024, 2025, 2026):
            for month, day in HOLIDAYS:
                d = date(year, month, day).toordinal()
                rows.append({"start_date": d, "end_date": d, "reason": "Public holiday"})
            d = date(year, 12, 24).toordinal()
            rows.append({"start_date": d, "end_date": d + 2, "reason": "Studio closed"})
        for s in range(self.n_staff):
            for _ in range(3):
                d = int(rng.integers(self.first_day, self.today + 120))
                rows.append({"start_date": d, "end_date": d + 6, "staff_id": f"ST{s + 1:03d}",
                             "reason": "Annual leave"})
        for c in np.flatnonzero(rng.random(self.n_clients) < 0.3):
            d = int(rng.integers(self.first_day, self.today + 60))
            rows.append({"start_date": d, "end_date": d + 6, "client_id": f"C{c + 1:05d}",
                         "reason": "Travelling"})
        for g in range(0, self.n_groups, 5):
            d = int(rng.integers(self.first_day, self.today + 60))
            rows.append({"start_date": d, "end_date": d, "group_id": f"G{g + 1:03d}",
                         "reason": "Room booked"})
        frame = pd.DataFrame(rows)
        for column in ("staff_id", "client_id", "group_id"):
            frame[column] = frame[column].fillna("") if column in frame else ""
        return frame

    # -- the history -----------------------------------------------------------------------
    def _closed_days(self, closures: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
        days: dict[tuple[str, str], list[int]] = {}
        for c in closures.itertuples(index=False):
            key = ("staff", c.staff_id) if c.staff_id else ("client", c.client_id) \
                if c.client_id else ("group", c.group_id) if c.group_id else ("studio", "")
            days.setdefault(key, []).extend(range(int(c.start_date), int(c.end_date) + 1))
        return {k: np.unique(np.array(v)) for k, v in days.items()}

    def _appointments(self, tabs: dict[str, pd.DataFrame]) -> pd.DataFrame:
        enrollments, groups = tabs["Enrollments"], tabs["Groups"].set_index("group_id")
        packages = {p[0]: p for p in PACKAGES}
        names = dict(zip(tabs["Clients"]["client_id"], tabs["Clients"]["name"], strict=True))
        closed = self._closed_days(tabs["Closures"])
        empty = np.array([], dtype=int)
        anchors = enrollments[enrollments["group_id"] != ""].groupby("group_id")["start_date"].min()
        parts: list[pd.DataFrame] = []
        for e in enrollments.itertuples(index=False):
            package = packages[e.package_id]
            if e.group_id:
                entries, interval = GROUP_SCHEDULES[int(groups.loc[e.group_id, "x_pick"])][1], 1
                staff = str(groups.loc[e.group_id, "staff_id"])
                anchor = int(anchors[e.group_id])
            else:
                _, interval, entries = INDIVIDUAL_SCHEDULES[int(e.x_pick)]
                staff, anchor = e.staff_id, int(e.start_date)
            staff_off = closed.get(("staff", staff), empty)
            if e.x_old_staff:  # each staff member's leave counts while they had the client
                old_off = closed.get(("staff", e.x_old_staff), empty)
                staff_off = np.concatenate([old_off[old_off < e.x_switch],
                                            staff_off[staff_off >= e.x_switch]])
            off = np.concatenate([
                closed.get(("studio", ""), empty), staff_off,
                closed.get(("client", e.client_id), empty),
                closed.get(("group", e.group_id), empty) if e.group_id else empty])
            part = self._history(e, package, entries, interval, anchor, off, staff)
            if part is not None:
                part["client_name"] = names[e.client_id]
                parts.append(part)
        frame = pd.concat(parts, ignore_index=True)
        return self._finish(frame, enrollments)

    def _history(self, e: Any, package: tuple[Any, ...], entries: list[tuple[int, int, int | None]],
                 interval: int, anchor: int, off: np.ndarray, staff: str) -> pd.DataFrame | None:
        """One enrollment's rows: a continuous run of free slots cut into periods."""
        rng, sessions, duration = self.rng, int(package[2]), int(package[4])
        monday = anchor - date.fromordinal(anchor).weekday()
        start = int(e.start_date)
        first_week = max(0, (start - monday) // (7 * interval) - 1)
        weeks = np.arange(first_week, first_week + (self.today + 400 - start) // (7 * interval) + 3)
        day_parts, start_parts, end_parts = [], [], []
        for weekday, minute, end in entries:
            days = monday + weeks * 7 * interval + weekday
            day_parts.append(days)
            start_parts.append(np.full(len(days), minute))
            end_parts.append(np.full(len(days), end if end is not None else minute + duration))
        days = np.concatenate(day_parts)
        starts = np.concatenate(start_parts)
        ends = np.concatenate(end_parts)
        keep = (days >= start) & ~np.isin(days, off)
        order = np.lexsort((starts[keep], days[keep]))
        days, starts, ends = days[keep][order], starts[keep][order], ends[keep][order]
        at = days * 1440 + starts
        if e.x_end:
            stop = e.x_end * 1440 + 12 * 60
            days, starts, ends, at = days[at <= stop], starts[at <= stop], ends[at <= stop], \
                at[at <= stop]
        n = len(days)
        if n == 0:
            return None
        draw = rng.random(n)
        status = np.where(draw < P_CANCEL, "cancelled",
                          np.where(draw < P_CANCEL + P_PAID_CANCEL, "paid_cancel", "completed"))
        counted = status != "cancelled"
        before = np.cumsum(counted) - counted
        period = before // sessions + 1
        finished = days * 1440 + ends < NOW_MIN  # ends before now
        # Sessions still to come are pending, or cancelled in advance (a late cancel is
        # only ever marked on the day).
        status = np.where(~finished & (status != "cancelled"), "pending", status)
        if e.auto_renew == "no":
            last = 1
        elif e.x_end:
            last = int(period[-1])
        else:
            # Periods exist up to the first one that still has a session to come.
            open_ = np.flatnonzero(counted & ~finished)
            last = int(period[open_[0]]) if len(open_) else int(period[-1])
        inside = period <= last
        if e.x_end:
            # A closed client or ended enrollment lost its future sessions: nothing pending.
            inside &= ~((status == "pending") & (at > NOW_MIN))
        else:
            inside &= (period < last) | (before < last * sessions)
        days, starts, ends, status, period, counted, at = (
            x[inside] for x in (days, starts, ends, status, period, counted, at))
        if e.x_end:
            status = np.where((status == "pending") & (at <= NOW_MIN), "completed", status)
        frame = pd.DataFrame({"day": days, "start": starts, "end": ends, "status": status,
                              "period": period})
        frame["number"] = frame.groupby("period").cumcount() + 1
        frame["session"] = _session_numbers(frame["period"].to_numpy(), counted,
                                            frame["number"].to_numpy(), sessions)
        frame["x_sessions"] = sessions
        frame["enrollment_id"] = e.enrollment_id
        frame["client_id"] = e.client_id
        frame["group_id"] = e.group_id
        frame["staff_id"] = staff
        if e.x_old_staff:
            frame.loc[frame["day"] < e.x_switch, "staff_id"] = e.x_old_staff
        return frame

    def _finish(self, frame: pd.DataFrame, enrollments: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        n = len(frame)
        frame["appointment_id"] = (frame["enrollment_id"] + "-" + frame["period"].astype(str)
                                   + "-" + frame["number"].map("{:02d}".format))
        frame["planned"] = _placement(frame["day"], frame["start"], frame["end"],
                                      frame["staff_id"])
        past = (frame["day"] * 1440 + frame["end"] < NOW_MIN).to_numpy()
        moved = past & (rng.random(n) < P_MOVED)
        frame.loc[moved, "day"] = frame.loc[moved, "day"] - 1  # moved by hand, long ago
        used = frame["status"].isin(["completed", "paid_cancel"]).to_numpy()
        own = used & (rng.random(n) < P_OWN_PRICE)
        frame["price"] = np.where(own, 350.0, np.nan)
        notes = np.array(["brought the knee brace", "asked for a morning slot",
                          "paid at the desk", "first session after surgery"])
        frame["note"] = np.where(rng.random(n) < P_NOTE, notes[rng.integers(0, 4, n)], None)
        frame["commission"], frame["commission_basis"] = _commissions(
            frame, enrollments, self.staff_rates, used, own)
        # Rows stand in the order they were created: a period's rows when it was planned.
        first = frame.groupby(["enrollment_id", "period"])["day"].transform("min")
        makeup = frame["number"] > frame["x_sessions"]
        frame["x_created"] = np.where(makeup, frame["day"] - 7, first)
        frame = frame.sort_values(["x_created", "enrollment_id", "number"], kind="stable")
        frame = frame.rename(columns={"day": "date"})
        return frame.reset_index(drop=True)

    # -- money -----------------------------------------------------------------------------
    def _money(self, tabs: dict[str, pd.DataFrame],
               appointments: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        rng = self.rng
        enrollments = tabs["Enrollments"].set_index("enrollment_id")
        packages = {p[0]: p for p in PACKAGES}
        at = appointments["date"] * 1440 + appointments["start"]
        keyed = appointments.assign(
            _at=at, _counted=appointments["status"] != "cancelled",
            _upcoming=(appointments["status"] == "pending") & (at >= NOW_MIN))
        grouped = keyed.groupby(["enrollment_id", "period"], sort=False)
        stats = grouped.agg(
            completed=("status", lambda s: int((s == "completed").sum())),
            paid_cancel=("status", lambda s: int((s == "paid_cancel").sum())),
            cancelled=("status", lambda s: int((s == "cancelled").sum())),
            pending=("status", lambda s: int((s == "pending").sum())),
        )
        counted = keyed[keyed["_counted"]].groupby(["enrollment_id", "period"])["_at"]
        stats["first_session"] = counted.min()
        stats["last_session"] = counted.max()
        stats["next_session"] = keyed[keyed["_upcoming"]].groupby(
            ["enrollment_id", "period"])["_at"].min()
        stats = stats.reset_index()
        order = {eid: i for i, eid in enumerate(enrollments.index)}
        stats = stats.sort_values(["enrollment_id", "period"],
                                  key=lambda s: s.map(order) if s.name == "enrollment_id" else s)
        payments: list[dict[str, Any]] = []
        balances: list[dict[str, Any]] = []
        clients = tabs["Clients"].set_index("client_id")
        for eid, rows in stats.groupby("enrollment_id", sort=False):
            e = enrollments.loc[eid]
            package = packages[e["package_id"]]
            override = e.get("price_override")
            price = cents(Decimal(str(int(override))) if override == override and
                          override is not None else Decimal(package[3]))
            made = []
            for r in rows.itertuples(index=False):
                day = int(r.first_session // 1440) if r.first_session == r.first_session \
                    else self.today
                recent = day > self.today - 45
                draw = rng.random()
                if recent and draw < 0.35:
                    continue  # not paid yet
                if draw < 0.1:
                    halves = [(price / 2).quantize(Decimal(1)), price - (price / 2).quantize(
                        Decimal(1))]
                    made += [(halves[0], day, r.period, "card"),
                             (halves[1], day + 14, r.period, "cash")]
                elif draw < 0.2:
                    made.append((price, day, None, "transfer"))  # pays the oldest period due
                else:
                    made.append((price, day, r.period, "card"))
            made = [m for m in made if m[1] <= self.today]
            objects = [Payment(eid, amount, date.fromordinal(day), period, method)
                       for amount, day, period, method in made]
            paid = allocate_payments(objects, dict.fromkeys(rows["period"].tolist(), price))
            for amount, day, period, method in made:
                payments.append({"enrollment_id": eid, "amount": _plain(amount), "date": day,
                                 "period": period, "method": method})
            client = clients.loc[e["client_id"]]
            for r in rows.itertuples(index=False):
                used = r.completed + r.paid_cancel
                remaining = package[2] - used
                if remaining <= 0 and r.pending == 0:
                    state = "ended"
                elif client["status"] == "closed":
                    state = "closed"
                elif e["status"] == "ended":
                    state = "stopped"
                else:
                    state = "active"
                balances.append({
                    "enrollment_id": eid, "client_id": e["client_id"],
                    "client_name": client["name"], "package_id": e["package_id"],
                    "group_id": e["group_id"], "period": r.period, "sessions": package[2],
                    "completed": r.completed, "paid_cancel": r.paid_cancel,
                    "cancelled": r.cancelled, "used": used, "remaining": remaining,
                    "pending": r.pending, "first_session": r.first_session,
                    "last_session": r.last_session, "next_session": r.next_session,
                    "price": _plain(price), "paid": _plain(paid[r.period]),
                    "due": _plain(price - paid[r.period]), "state": state,
                })
        pay = pd.DataFrame(payments).sort_values("date", kind="stable").reset_index(drop=True)
        return pay, pd.DataFrame(balances)

    def _notifications(self, balances: pd.DataFrame) -> pd.DataFrame:
        ended = balances[balances["state"] == "ended"]
        keys = (ended["enrollment_id"] + "/" + ended["period"].astype(str)
                + "/package_ended/client:" + ended["client_id"])
        moment = ended["last_session"] + 90
        return pd.DataFrame({
            "key": keys, "created_at": moment, "event": "package_ended",
            "enrollment_id": ended["enrollment_id"], "period": ended["period"],
            "role": "client", "to": ended["client_id"].str.lower() + "@client.example",
            "subject": "Your package has ended", "status": "sent", "attempts": 1,
            "sent_at": moment,
        }).sort_values("created_at", kind="stable").reset_index(drop=True)

    def _runs(self) -> pd.DataFrame:
        days = np.arange(self.first_day, self.today)
        moment = days * 1440 + 6 * 60
        return pd.DataFrame({
            "started_at": moment, "now": moment, "mode": "sync", "created": 3, "completed": 5,
            "deleted": 0, "renewed": 1, "notified": 1, "problems": 0, "reads": 1, "writes": 1,
            "seconds": 0.42, "result": "ok"})


def _session_numbers(period: np.ndarray, counted: np.ndarray, number: np.ndarray,
                     sessions: int) -> np.ndarray:
    """Originals keep their number; the k-th make-up of a period takes the k-th freed one."""
    session = number.copy()
    for p in np.unique(period[~counted]):
        idx = np.flatnonzero(period == p)
        freed: list[int] = []
        for i in idx:
            if number[i] > sessions:
                session[i] = freed.pop(0)
            if not counted[i]:
                freed.append(int(session[i]))
                freed.sort()
    return session


def _placement(day: pd.Series, start: pd.Series, end: pd.Series, staff: pd.Series) -> pd.Series:
    iso = pd.Series([date.fromordinal(int(d)).isoformat() for d in np.unique(day)],
                    index=np.unique(day))
    clock = pd.Series([f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)])
    text = (day.map(iso) + " " + start.map(clock) + "-" + end.map(clock) + " " + staff)
    return text.str.strip()


def _commissions(frame: pd.DataFrame, enrollments: pd.DataFrame, rates: dict[str, str],
                 used: np.ndarray, own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ledger's own amounts and bases, computed once per distinct term."""
    packages = {p[0]: p for p in PACKAGES}
    e = enrollments.set_index("enrollment_id")
    terms = pd.DataFrame({"enrollment_id": frame["enrollment_id"], "staff_id": frame["staff_id"],
                          "own": own})
    keys = terms.drop_duplicates()
    amount: dict[tuple[str, str, bool], tuple[float, str]] = {}
    for k in keys.itertuples(index=False):
        row = e.loc[k.enrollment_id]
        package = packages[row["package_id"]]
        override = row.get("price_override")
        total = Decimal(str(int(override))) if override == override and override is not None \
            else Decimal(package[3])
        price = Decimal(350) if k.own else total / package[2]
        rate_text = package[5] or rates.get(k.staff_id)
        rate = parse_rate(rate_text) if rate_text else Decimal(0)
        amount[(k.enrollment_id, k.staff_id, bool(k.own))] = (
            float(cents(price * rate)), basis_text(k.staff_id, price, bool(k.own), rate))
    looked = [amount[(a, b, bool(c))] for a, b, c in
              zip(terms["enrollment_id"], terms["staff_id"], terms["own"], strict=True)]
    commission = np.array([v[0] for v in looked], dtype=float)
    basis = np.array([v[1] for v in looked], dtype=object)
    return np.where(used, commission, np.nan), np.where(used, basis, None)


def _plain(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


# -- the .xlsx file ------------------------------------------------------------------------
XLSX_FORMATS = {Kind.DATE: "yyyy-mm-dd", Kind.TIME: "hh:mm", Kind.DATETIME: "yyyy-mm-dd hh:mm",
                Kind.MONEY: "#,##0.00", Kind.INT: "0", Kind.NUMBER: "0.00"}


def write_xlsx(studio: Studio, path: str | Path, *, constant_memory: bool = True,
               extras: Callable[[Any, dict[str, Any]], None] | None = None) -> None:
    """The studio as `sheetsync init` lays it out (bold frozen headers, widths, formats,
    drop-downs), filled with xlsxwriter, which streams rows and keeps memory flat.

    `extras(book, sheets)` may add what a studio adds by hand before the file is closed
    (needs constant_memory=False to write above the last row).
    """
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory,
                                           "default_date_format": "yyyy-mm-dd"})
    sheets: dict[str, Any] = {}
    bold = book.add_format({"bold": True, "valign": "vcenter"})
    formats = {kind: book.add_format({"num_format": f}) for kind, f in XLSX_FORMATS.items()}
    for tab in ALL_TABS:
        sheet = book.add_worksheet(tab.name)
        sheets[tab.name] = sheet
        sheet.freeze_panes(1, 0)
        for i, column in enumerate(tab.columns):
            style = formats[column.kind] if column.kind in formats and \
                column.kind is not Kind.INT else None
            sheet.set_column(i, i, column.width, style)
            if column.choices:
                sheet.data_validation(1, i, 1048575, i, {
                    "validate": "list", "source": list(column.choices), "ignore_blank": True,
                    "error_type": "warning", "error_title": column.name[:32],
                    "error_message": f"Use one of: {', '.join(column.choices)}"})
            sheet.write_string(0, i, column.name, bold)
        frame = studio.tabs.get(tab.name)
        if frame is None or frame.empty:
            continue
        writers = [_column_writer(sheet, i, frame[c].to_numpy(dtype=object), tab.column(c).kind,
                                  formats)
                   for i, c in enumerate(tab.column_names) if c in frame]
        for r in range(len(frame)):
            for write in writers:
                write(r)
    if extras is not None:
        extras(book, sheets)
    book.close()


def _column_writer(sheet: Any, col: int, values: np.ndarray, kind: Kind,
                   formats: dict[Kind, Any]) -> Any:
    def blank(v: Any) -> bool:
        return v is None or (isinstance(v, float) and v != v)

    if kind in (Kind.DATE, Kind.TIME, Kind.DATETIME):
        scale = {Kind.DATE: (1, EPOCH), Kind.TIME: (1440, 0), Kind.DATETIME: (1440, EPOCH)}[kind]
        fmt = formats[kind]

        def write_moment(r: int) -> None:
            v = values[r]
            if not blank(v):
                sheet.write_number(r + 1, col, int(v) / scale[0] - scale[1], fmt)
        return write_moment
    if kind in (Kind.INT, Kind.MONEY, Kind.NUMBER):
        fmt = formats[kind] if kind is not Kind.INT else None

        def write_number(r: int) -> None:
            v = values[r]
            if not blank(v):
                if isinstance(v, str):
                    sheet.write_string(r + 1, col, v)
                else:
                    sheet.write_number(r + 1, col, v, fmt)
        return write_number

    def write_text(r: int) -> None:
        v = values[r]
        if blank(v) or v == "":
            return
        if isinstance(v, str):
            sheet.write_string(r + 1, col, v)
        else:
            sheet.write_number(r + 1, col, v)
    return write_text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=list(SIZES), default="S")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", required=True, help="the .xlsx file to write")
    args = parser.parse_args(argv)
    studio = generate(args.size, args.seed)
    write_xlsx(studio, args.out)
    print(f"{args.out}: {studio.appointment_rows:,} appointment rows")


if __name__ == "__main__":
    main()
