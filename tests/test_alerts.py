"""Which alerts are due (pure): ending and ended, to whom, once per key, and what they say."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sheetsync.alerts import AlertRules
from sheetsync.messages import FAILED, SKIPPED
from sheetsync.plan import plan
from sheetsync.read import read_snapshot
from tests.studio import edit, studio, sync
from tests.studios import BASE, PHYSIO


def alerts_at(store, now: datetime, **settings):
    snap = read_snapshot(store.read())
    return plan(snap, now, alert_rules=AlertRules(**settings)).alerts


def keys(alert_plan) -> list[str]:
    return [o.key for o in alert_plan.send]


def test_nothing_is_due_in_the_middle_of_a_period():
    store = studio(PHYSIO)
    sync(store, datetime(2026, 12, 8, 10, 0))
    assert alerts_at(store, datetime(2026, 12, 8, 10, 0)).send == []


def test_package_ending_goes_to_the_client_when_one_session_remains():
    store = studio(PHYSIO)
    now = datetime(2026, 12, 29, 10, 0)  # nine held, the last on Thu 31 Dec
    sync(store, now)
    due = alerts_at(store, now, studio_name="Studio Flow", currency="TRY")
    assert keys(due) == ["E1/1/package_ending/client:C1"]
    (message,) = due.send
    assert (message.event, message.role, message.to_name, message.to_address) == (
        "package_ending", "client", "Ayse", "ayse@x.example")
    context = message.context
    assert (context["remaining"], context["used"], context["period"]) == (1, 9, 1)
    assert context["next_session"] == datetime(2026, 12, 31, 14, 0)
    assert context["package"] == {"id": "PHY10", "name": "10-Session Physiotherapy Package",
                                  "sessions": 10}
    assert context["studio_name"] == "Studio Flow" and context["currency"] == "TRY"
    assert context["recipient"] == {"name": "Ayse", "role": "client"}
    assert context["next_period"] is None


def test_ending_at_can_warn_earlier_or_not_at_all():
    store = studio(PHYSIO)
    now = datetime(2026, 12, 22, 10, 0)  # three sessions remain
    sync(store, now)
    assert keys(alerts_at(store, now, ending_at=3)) == ["E1/1/package_ending/client:C1"]
    assert alerts_at(store, now, ending_at=2).send == []
    assert alerts_at(store, datetime(2026, 12, 29, 10, 0), ending_at=0).send == []


def test_package_ended_goes_to_client_staff_and_every_manager_with_the_next_period():
    store = studio(PHYSIO.replace("MGR      | Zeynep | manager |",
                                  "MGR      | Zeynep | manager |\nMG2      | Ali    | manager |")
                   + """
Payments
enrollment_id | amount | date
E1            | 1000   | 2026-12-01
""")
    now = datetime(2027, 1, 1, 10, 0)
    sync(store, now)
    due = alerts_at(store, now)
    assert keys(due) == ["E1/1/package_ended/client:C1", "E1/1/package_ended/staff:ST1",
                         "E1/1/package_ended/manager:MG2", "E1/1/package_ended/manager:MGR"]
    context = due.send[0].context
    assert context["next_period"] == {"number": 2, "first_session": datetime(2027, 1, 4, 14, 0),
                                      "price": Decimal("4000.00"), "due": Decimal("4000.00")}
    assert (context["period_price"], context["period_paid"], context["period_due"]) == (
        Decimal("4000.00"), Decimal("1000.00"), Decimal("3000.00"))
    assert context["total_due"] == Decimal("7000.00")
    assert context["last_session"] == datetime(2026, 12, 31, 14, 0)
    assert [o.context["recipient"]["role"] for o in due.send] == [
        "client", "staff", "manager", "manager"]


def test_a_staff_member_who_is_a_manager_gets_one_message():
    store = studio(PHYSIO.replace("| ST1      | Mon 14:00", "| MGR      | Mon 14:00"))
    now = datetime(2027, 1, 1, 10, 0)
    sync(store, now)
    assert keys(alerts_at(store, now)) == ["E1/1/package_ended/client:C1",
                                           "E1/1/package_ended/staff:MGR"]


def test_old_history_is_not_announced():
    store = studio(PHYSIO)
    sync(store, datetime(2027, 1, 1, 10, 0))
    assert alerts_at(store, datetime(2027, 1, 14, 10, 0)).send != []
    assert alerts_at(store, datetime(2027, 1, 15, 10, 0)).send == []


def test_sent_and_skipped_keys_are_never_due_again_failed_and_pending_are():
    store = studio(PHYSIO)
    now = datetime(2027, 1, 1, 10, 0)
    sync(store, now)
    for key, status in [("E1/1/package_ended/client:C1", "sent"),
                        ("E1/1/package_ended/staff:ST1", "skipped"),
                        ("E1/1/package_ended/manager:MGR", "failed")]:
        store.append("Notifications", {"key": key, "status": status, "attempts": 1})
    assert keys(alerts_at(store, now)) == ["E1/1/package_ended/manager:MGR"]
    # Still retried weeks later: a failed alert is never lost.
    later = datetime(2027, 2, 20, 10, 0)
    sync(store, later)
    assert "E1/1/package_ended/manager:MGR" in keys(alerts_at(store, later))


def test_a_closed_client_gets_no_more_alerts_and_their_retries_are_skipped():
    store = studio(PHYSIO)
    now = datetime(2027, 1, 1, 10, 0)
    sync(store, now)
    store.append("Notifications", {"key": "E1/1/package_ended/client:C1", "status": FAILED})
    edit(store, "Clients", {"client_id": "C1"}, status="closed")
    sync(store, now)
    due = alerts_at(store, now)
    assert due.send == []
    assert [(r.key, r.status) for r in due.skip] == [("E1/1/package_ended/client:C1", SKIPPED)]


def test_a_recipient_without_an_address_is_still_listed_so_it_can_be_skipped():
    store = studio(PHYSIO.replace("ayse@x.example", "              "))
    now = datetime(2026, 12, 29, 10, 0)
    sync(store, now)
    (message,) = alerts_at(store, now).send
    assert message.to_address == ""


def test_a_group_members_staff_is_the_groups():
    store = studio(BASE + """
Enrollments
enrollment_id | client_id | package_id | start_date | group_id
A             | C2        | PIL4       | 2026-12-01 | G1
""")
    now = datetime(2026, 12, 12, 10, 0)
    sync(store, now)
    due = alerts_at(store, now)
    assert [o.key for o in due.send] == ["A/1/package_ended/client:C2",
                                         "A/1/package_ended/staff:ST2",
                                         "A/1/package_ended/manager:MGR"]
    assert due.send[0].context["group"] == {"id": "G1", "name": "Morning Pilates"}


def test_queued_alerts_stay_put_in_outbox_mode_and_go_out_by_smtp_while_current():
    store = studio(PHYSIO)
    now = datetime(2027, 1, 1, 10, 0)
    sync(store, now)
    for role in ("client:C1", "staff:ST1", "manager:MGR"):
        store.append("Notifications", {"key": f"E1/1/package_ended/{role}", "status": "queued",
                                       "attempts": 1})
    assert alerts_at(store, now).send == [] and alerts_at(store, now).skip == []
    assert len(alerts_at(store, now, deliver_queued=True).send) == 3
    weeks_later = datetime(2027, 1, 20, 10, 0)  # the period ended 20 days before
    sync(store, weeks_later)
    due = alerts_at(store, weeks_later, deliver_queued=True)
    assert due.send == []
    assert [r.status for r in due.skip] == [SKIPPED] * 3
    assert alerts_at(store, weeks_later).skip == []  # without SMTP the outbox is final


def test_a_retry_of_an_enrollment_held_by_a_problem_waits_until_it_reads_again():
    store = studio(PHYSIO)
    now = datetime(2027, 1, 1, 10, 0)
    sync(store, now)
    store.append("Notifications", {"key": "E1/1/package_ended/manager:MGR", "status": FAILED})
    edit(store, "Enrollments", {"enrollment_id": "E1"}, schedule="Tuesdy 9am")
    assert alerts_at(store, now).skip == []  # not skipped as "no longer due"
    edit(store, "Enrollments", {"enrollment_id": "E1"}, schedule="Mon 14:00, Thu 14:00")
    assert "E1/1/package_ended/manager:MGR" in keys(alerts_at(store, now))
