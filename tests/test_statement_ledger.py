"""The ledger helpers a statement stands on: each payment's split, session positions, make-ups."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sheetsync.ledger import allocate_payments, makeups, payment_shares, session_positions
from sheetsync.model import Appointment, Payment
from tests.studio import plan_at, set_status, studio, sync
from tests.studios import PHYSIO

PRICES = {1: Decimal("4000"), 2: Decimal("4000")}


def pay(amount: str, day: int, period: int | None = None, row: int = 0) -> Payment:
    return Payment("E1", Decimal(amount), date(2026, 12, day), period, row=row)


def test_a_payment_without_period_fills_the_oldest_period_and_splits_over_the_next():
    shares = payment_shares([pay("1500", 1), pay("3000", 20)], PRICES)
    assert [s.periods for s in shares] == [{1: Decimal("1500")},
                                           {1: Decimal("2500"), 2: Decimal("500")}]


def test_named_payments_count_first_whatever_their_date():
    shares = payment_shares([pay("3000", 1), pay("2000", 20, period=1)], PRICES)
    assert [s.periods for s in shares] == [{1: Decimal("2000"), 2: Decimal("1000")},
                                           {1: Decimal("2000")}]


def test_money_beyond_every_period_is_a_credit_on_the_latest():
    (share,) = payment_shares([pay("9000", 1)], PRICES)
    assert share.periods == {1: Decimal("4000"), 2: Decimal("5000")}


def test_a_payment_for_a_period_not_planned_yet_counts_on_the_latest_meanwhile():
    (share,) = payment_shares([pay("4000", 1, period=3)], PRICES)
    assert share.periods == {2: Decimal("4000")}
    assert payment_shares([pay("100", 1)], {})[0].periods == {}


amounts = st.decimals(min_value=-500, max_value=6000, places=2)


@given(st.lists(st.tuples(amounts, st.integers(1, 28), st.one_of(st.none(), st.integers(1, 3))),
                max_size=8),
       st.dictionaries(st.integers(1, 3), st.decimals(min_value=0, max_value=5000, places=2),
                       max_size=3))
def test_the_shares_add_up_to_what_balances_show(rows, prices):
    payments = [Payment("E1", amount, date(2026, 12, day), period, row=i)
                for i, (amount, day, period) in enumerate(rows)]
    totals = dict.fromkeys(prices, Decimal(0))
    for share in payment_shares(payments, prices):
        for period, amount in share.periods.items():
            totals[period] += amount
    assert totals == allocate_payments(payments, prices)


def appointment(aid: str, day: int, status: str, session: int | None, period: int = 1
                ) -> Appointment:
    return Appointment(aid, "E1", period, session, "C1", "Ayse", "", "ST1", date(2026, 12, day),
                       time(14), time(15), status)


def test_positions_count_the_sessions_that_count_in_time_order():
    rows = [appointment("E1-1-03", 7, "cancelled", 3), appointment("E1-1-01", 1, "completed", 1),
            appointment("E1-1-11", 30, "pending", 3), appointment("E1-1-02", 3, "paid_cancel", 2),
            appointment("E1-2-01", 31, "pending", 1, period=2)]
    assert session_positions(rows) == {"E1-1-01": 1, "E1-1-02": 2, "E1-1-11": 3, "E1-2-01": 1}


def test_the_make_up_of_a_cancelled_session_carries_its_number():
    store = studio(PHYSIO)
    sync(store, datetime(2026, 12, 4, 10, 0))
    set_status(store, "E1", "2026-12-07 14:00", "cancelled")
    plan = plan_at(store, datetime(2026, 12, 4, 10, 0))
    found = makeups(plan.appointments)
    assert list(found) == ["E1-1-03"]
    assert found["E1-1-03"].starts_at == datetime(2027, 1, 4, 14, 0)
    positions = session_positions(plan.appointments)
    assert positions[found["E1-1-03"].appointment_id] == 10
    assert "E1-1-03" not in positions
