"""A client's statement: every period, session and payment, and the same numbers as Balances.

2026-11-30 is a Monday. Ayse (C1) has the physiotherapy package (E1, Mon and Thu 14:00 with
Elif) and joined the Morning Pilates group (E4, Tue and Fri 09:00 with Can). She paid 1,500
when she started and 3,000 on 20 December; the 3,000 completes period 1 and starts period 2.
Both packages are renewed by the sync of 5 January.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from sheetsync import engine
from sheetsync.notify import BUILTIN_TEMPLATES, Templates
from sheetsync.statement import sample_statements, statement
from sheetsync.stores.memory import MemoryStore
from tests.studio import edit, set_status, studio, sync
from tests.studios import BASE

AYSE = BASE + """
Enrollments
enrollment_id | client_id | package_id | start_date | staff_id | schedule             | group_id
E1            | C1        | PHY10      | 2026-11-30 | ST1      | Mon 14:00, Thu 14:00 |
E2            | C2        | PIL4       | 2026-11-30 |          |                      | G1
E4            | C1        | PIL4       | 2026-12-01 |          |                      | G1

Payments
enrollment_id | amount | date       | period | method | note
E1            | 1500   | 2026-11-30 |        | cash   |
E1            | 3000   | 2026-12-20 |        | card   | thanks
E4            | 1000   | 2026-12-01 | 1      | cash   |
"""
NOW = datetime(2027, 1, 12, 10, 0)


@pytest.fixture
def store() -> MemoryStore:
    store = studio(AYSE)
    sync(store, datetime(2026, 12, 4, 10, 0))
    set_status(store, "E1", "2026-12-03 14:00", "paid_cancel")
    set_status(store, "E1", "2026-12-07 14:00", "cancelled")
    set_status(store, "E4", "2026-12-04 09:00", "cancelled")
    sync(store, datetime(2026, 12, 4, 10, 0))
    sync(store, datetime(2027, 1, 5, 10, 0))  # period 1 of E1 is used up and renewed
    set_status(store, "E1", "2027-01-11 14:00", "cancelled")
    sync(store, NOW)
    return store


def statement_at(store: MemoryStore, client_id: str = "C1", now: datetime = NOW,
                 **options: Any) -> dict[str, Any]:
    _, snapshot, plan = engine.read_and_plan(store, now)
    return statement(snapshot, plan, client_id, **options)


def render(context: dict[str, Any]):
    return Templates(BUILTIN_TEMPLATES, "TRY").render("statement", "client", context)


def test_every_period_has_the_numbers_a_sync_writes_into_balances(store):
    _, snapshot, plan = engine.read_and_plan(store, NOW)
    context = statement(snapshot, plan, "C1")
    shown = {(e["id"], p["number"]): p for e in context["enrollments"] for p in e["periods"]}
    written = {(b.enrollment_id, b.period): b for b in plan.balances if b.client_id == "C1"}
    assert sorted(shown) == sorted(written) == [("E1", 1), ("E1", 2), ("E4", 1), ("E4", 2)]
    for key, b in written.items():
        p = shown[key]
        assert (p["used"], p["remaining"], p["pending"], p["cancelled"], p["paid_cancel"]) == (
            b.used, b.remaining, b.pending, b.cancelled, b.paid_cancel)
        assert (p["price"], p["paid"], p["due"], p["state"]) == (b.price, b.paid, b.due, b.state)
    assert context["total_due"] == sum(b.due for b in written.values()) == Decimal("4500")
    assert [e["id"] for e in context["enrollments"]] == ["E1", "E4"]  # oldest first


def test_each_session_says_what_it_did_to_the_balance(store):
    period1, period2 = statement_at(store)["enrollments"][0]["periods"]
    rows = {f"{r['start']:%m-%d}": r for r in period1["sessions"]}
    assert len(period1["sessions"]) == 11  # ten that count and the cancelled one
    assert rows["11-30"]["balance"] == "used, 9 left"
    assert rows["12-03"]["balance"] == "used (paid cancel), 8 left"
    assert rows["12-07"]["position"] is None
    assert rows["12-07"]["balance"] == "kept, make-up Mon 4 Jan 2027"
    assert rows["01-04"]["balance"] == "used, 0 left (make-up for Mon 7 Dec 2026)"
    assert rows["01-04"]["position"] == 10
    assert [r["left"] for r in period1["sessions"] if r["left"] is not None] == list(
        range(9, -1, -1))
    assert period1["state_label"] == "complete"
    assert rows["12-10"]["staff"] == {"id": "ST1", "name": "Elif"}
    future = [r for r in period2["sessions"] if r["start"] > NOW]
    assert {r["balance"] for r in future} == {"planned", "planned (make-up for Mon 11 Jan 2027)"}
    assert period2["sessions"][-1]["left"] is None


def test_payments_show_which_period_they_paid(store):
    period1, period2 = statement_at(store)["enrollments"][0]["periods"]
    assert [(p["date"].isoformat(), p["amount"], p["total"], p["method"], p["split"])
            for p in period1["payments"]] == [
        ("2026-11-30", Decimal("1500"), Decimal("1500"), "cash", False),
        ("2026-12-20", Decimal("2500"), Decimal("3000"), "card", True)]
    assert [(p["amount"], p["total"]) for p in period2["payments"]] == [
        (Decimal("500"), Decimal("3000"))]
    assert (period1["due"], period2["due"]) == (Decimal("0.00"), Decimal("3500.00"))


def test_a_payment_for_a_period_not_started_counts_on_the_latest_and_says_so(store):
    store.tables["Payments"].rows.append(["E4", 1000, "2027-01-10", 3, "card", None])
    context = statement_at(store)
    latest = context["enrollments"][1]["periods"][-1]
    (ahead,) = [p for p in latest["payments"] if p["ahead"]]
    assert (ahead["amount"], ahead["ahead"]) == (Decimal("1000"), 3)
    assert context["enrollments"][1]["waiting_payments"] == []
    assert "Paid Sun 10 Jan 2027: 1,000.00 TRY, card, for period 3: counted here until it " \
        "starts" in render({**context, "currency": "TRY"}).text


def test_sessions_left_and_the_next_session(store):
    context = statement_at(store)
    current = {e["id"]: e["current"] for e in context["enrollments"]}
    assert context["remaining"] == current["E1"]["remaining"] + current["E4"]["remaining"] == 12
    # the 09:00 class has begun: the next session is Thursday's
    assert context["next_session"]["start"] == datetime(2027, 1, 14, 14, 0)
    assert context["next_session"]["staff"]["name"] == "Elif"
    upcoming = sorted(r["start"] for e in context["enrollments"] for p in e["periods"]
                      for r in p["sessions"] if r["status"] == "pending" and r["start"] >= NOW)
    assert context["next_session"]["start"] == upcoming[0]


def test_the_text_lines_up_and_tells_the_whole_story(store):
    text = render(statement_at(store, studio_name="Studio Flow", currency="TRY")).text
    assert text.startswith("Session statement for Ayse\nStudio Flow, as of Tuesday 12 "
                           "January 2027 at 10:00\n")
    assert "Sessions left:  12\nNext session:   Thursday 14 January 2027 at 14:00 with Elif\n" \
        "Amount due:     4,500.00 TRY" in text
    assert "== 10-Session Physiotherapy Package, period 1: complete ==" in text
    assert "== 4-Class Group Pilates (Morning Pilates), period 2: in progress ==" in text
    assert "   4  Tue 15 Dec 2026  09:00-10:00  Can    completed    used, 0 left (make-up for " \
        "Fri 4 Dec 2026)" in text
    assert "Paid Sun 20 Dec 2026: 2,500.00 TRY (of 3,000.00 TRY), card" in text
    assert "Price 4,000.00 TRY, paid 4,000.00 TRY, due 0.00 TRY" in text
    tables = re.findall(r"\n(  +#  day .*?)\n\n", text, re.DOTALL)
    assert len(tables) == 4
    for table in tables:
        lines = table.splitlines()
        column = lines[0].index("status")
        for line in lines[1:]:
            assert line[column - 2:column] == "  " and line[column] != " ", line
    assert "  -  Mon 7 Dec 2026   14:00-15:00  Elif   cancelled    kept, make-up Mon 4 Jan 2027" \
        in text


def test_the_html_escapes_what_the_workbook_says(store):
    edit(store, "Clients", {"client_id": "C1"}, name="<b>Ann & Co</b>")
    sync(store, NOW)
    rendered = render(statement_at(store))
    assert "&lt;b&gt;Ann &amp; Co&lt;/b&gt;" in rendered.html
    assert "<b>Ann" not in rendered.html
    assert rendered.subject == "Your session statement - Tuesday 12 January 2027"
    assert "<td style=\"padding:4px 12px 4px 0; vertical-align:top; border-bottom:1px solid " \
           "#f3f4f6;\">used (paid cancel), 8 left</td>" in rendered.html


def test_a_held_enrollment_is_named_not_guessed(store):
    edit(store, "Enrollments", {"enrollment_id": "E4"}, schedule="Tuesdy 9am", group_id=None)
    context = statement_at(store)
    assert context["held"] == ["E4"]
    assert [e["id"] for e in context["enrollments"]] == ["E1"]
    assert "Not shown, being corrected at the studio: E4." in render(context).text


def test_a_client_without_packages():
    store = studio(AYSE)
    sync(store, NOW)
    context = statement_at(store, "C3")
    assert context["enrollments"] == [] and context["total_due"] == 0
    assert "You have no packages with us yet." in render(context).text


def test_the_sample_statements_render():
    for context in sample_statements():
        rendered = render(context)
        assert rendered.subject and rendered.text and "</html>" in rendered.html


def test_the_templates_readme_lists_every_statement_variable():
    readme = (BUILTIN_TEMPLATES / "README.md").read_text(encoding="utf-8")
    context = sample_statements()[0]
    enrollment = context["enrollments"][0]
    period = enrollment["periods"][0]
    names = (set(context) | set(enrollment) | set(period) | set(period["sessions"][0])
             | set(period["payments"][0]) | set(enrollment["waiting_payments"][0])
             | set(context["width"]))
    for name in names:
        assert f"`{name}`" in readme or f".{name}`" in readme, name
    assert "| `shortday` |" in readme
