"""Cost-to-serve on a tiny data set worked out by hand, with the default-like rates below.

Rates: per order 25, per line 1.5, per delivery 35, per visit 150 (+ 50 per visit hour), per call 8,
ticket 25, complaint 60, return 40, quote 20, invoice 5, capital 10%/year.

Customer A: orders 2, lines 4 of which 1 return line -> 3 handled lines, 1 credit order.
  Activities: 2 visits (1.5 h in total), 3 calls, 1 complaint, 1 return, 1 delivery with its own cost 99.
  Invoices: 2 (one paid 30 days late on 1000 -> 30 * 1000 * 0.10 / 365).
  cost_orders 50; cost_order_lines 4.5; cost_visits 2*150 + 1.5*50 = 375; cost_calls 24; cost_complaints 60;
  cost_returns 40 (the return activity; the credit order is not counted twice); cost_deliveries 99 (own cost);
  cost_invoices 10; cost_late_payment 30000*0.1/365 = 8.219178...; cost_support 0; cost_quotes 0
  total 50+4.5+375+24+60+40+99+10 = 662.5, + 8.219178 = 670.719178; gross margin 1000 -> net 329.280822
"""

import datetime as dt

import ibis
import pytest

from salesfocus.config import CostRates
from salesfocus.measures import cost_to_serve, payment_measures

D = dt.date
RATES = CostRates(per_order=25, per_order_line=1.5, per_delivery=35, per_visit=150, per_visit_hour=50, per_call=8,
                  per_support_ticket=25, per_complaint=60, per_return=40, per_quote=20, per_invoice=5,
                  capital_rate=0.10)


def _measures(**over):
    row = dict(customer_id="A", revenue=3000.0, gross_margin=1000.0, orders=2, order_lines=4, returns_lines=1,
               returns_count=1)
    row.update(over)
    return ibis.memtable([row])


def _activities():
    rows = [
        ("A", D(2024, 1, 5), "bezoek", 1.0, 1.0, None),
        ("A", D(2024, 2, 5), "visit", 1.0, 0.5, None),
        ("A", D(2024, 2, 6), "Telefoon", 3.0, None, None),
        ("A", D(2024, 2, 7), "klacht", None, None, None),
        ("A", D(2024, 2, 8), "retour", 1.0, None, None),
        ("A", D(2024, 2, 9), "levering", 1.0, None, 99.0),
    ]
    cols = ["customer_id", "activity_date", "activity_type", "quantity", "hours", "cost"]
    return ibis.memtable([dict(zip(cols, r, strict=True)) for r in rows],
                         schema={"customer_id": "string", "activity_date": "date", "activity_type": "string",
                                 "quantity": "float64", "hours": "float64", "cost": "decimal(18,4)"})


def _invoices():
    rows = [("A", "F1", D(2024, 1, 1), D(2024, 1, 31), D(2024, 3, 1), 1000.0),
            ("A", "F2", D(2024, 2, 1), D(2024, 3, 2), D(2024, 3, 1), 500.0)]
    cols = ["customer_id", "invoice_id", "invoice_date", "due_date", "paid_date", "amount"]
    return ibis.memtable([dict(zip(cols, r, strict=True)) for r in rows])


def test_components_by_hand():
    pay = payment_measures(_invoices(), D(2024, 12, 31), capital_rate=RATES.capital_rate)
    r = cost_to_serve(_measures(), RATES, activities=_activities(), payments=pay).to_pandas().iloc[0]
    assert r.cost_orders == 50 and r.cost_order_lines == 4.5
    assert r.cost_visits == pytest.approx(375)
    assert r.cost_calls == 24 and r.cost_complaints == 60 and r.cost_returns == 40
    assert r.cost_deliveries == 99 and r.cost_invoices == 10
    assert r.cost_late_payment == pytest.approx(30 * 1000 * 0.10 / 365)
    assert r.cost_to_serve == pytest.approx(662.5 + 30 * 1000 * 0.10 / 365)
    assert r.net_profit == pytest.approx(1000 - r.cost_to_serve)
    assert r.profit_pct == pytest.approx(r.net_profit / 3000)


def test_without_activities_and_invoices_components_are_unknown_not_zero():
    r = cost_to_serve(_measures(), RATES).to_pandas().iloc[0]
    assert r.cost_visits is None or r.cost_visits != r.cost_visits  # NULL
    assert r.cost_late_payment is None or r.cost_late_payment != r.cost_late_payment
    # deliveries and invoices fall back to one per order; returns to the credit orders
    assert r.cost_deliveries == 70 and r.cost_invoices == 10 and r.cost_returns == 40
    assert r.cost_to_serve == pytest.approx(50 + 4.5 + 70 + 40 + 10)


def test_channel_rates_override():
    rates = RATES.model_copy(update={"by_channel": {"webshop": {"per_order": 5}}})
    cust = ibis.memtable([{"customer_id": "A", "channel": "webshop"}])
    r = cost_to_serve(_measures(), rates, customers=cust).to_pandas().iloc[0]
    assert r.cost_orders == 10


def test_payment_measures_by_hand():
    p = payment_measures(_invoices(), D(2024, 12, 31), capital_rate=0.1).to_pandas().iloc[0]
    # F1 paid after 60 days, F2 after 29 days; weighted by amount: (60*1000 + 29*500) / 1500
    assert p.days_to_pay == pytest.approx((60 + 29) / 2)
    assert p.days_to_pay_weighted == pytest.approx((60 * 1000 + 29 * 500) / 1500)
    assert p.late_share == pytest.approx(0.5)
    assert p.invoices == 2
