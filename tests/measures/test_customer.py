"""Per-customer measures on a tiny table worked out by hand.

Customer A: order 1 on 2024-01-10 (two lines: 100/60 and 50/30), order 2 on 2024-06-01 (one line 200/150),
credit order 3 on 2024-07-01 (-50/-30, a return). as_of 2024-12-31.
  revenue 100+50+200-50 = 300; cost 60+30+150-30 = 210; margin 90; margin_pct 0.3
  orders 2 (the credit order is a return: returns_count 1, returns_value 50); lines 4
  first 2024-01-10, last 2024-07-01 -> recency 183 days, tenure 356 days
  orders_per_year = 2 * 365.25 / max(356, 365.25) = 2.0; avg_order_value = 300 / 2 = 150
Customer B: one order on 2024-12-31 of 80 without cost -> cost_coverage 0, margin 80 (cost counted as 0).
"""

import datetime as dt

import ibis
import pandas as pd
import pytest

from salesfocus.measures import customer_measures, customer_products, orders

D = dt.date


@pytest.fixture
def lines():
    rows = [
        ("A", "1", D(2024, 1, 10), "p1", "g1", 1.0, 100.0, 60.0),
        ("A", "1", D(2024, 1, 10), "p2", "g2", 1.0, 50.0, 30.0),
        ("A", "2", D(2024, 6, 1), "p1", "g1", 2.0, 200.0, 150.0),
        ("A", "3", D(2024, 7, 1), "p1", "g1", -1.0, -50.0, -30.0),
        ("B", "9", D(2024, 12, 31), "p3", "g1", 1.0, 80.0, None),
    ]
    cols = ["customer_id", "order_id", "order_date", "product_id", "product_group", "quantity", "revenue", "cost"]
    t = ibis.memtable([dict(zip(cols, r, strict=True)) for r in rows]).mutate(
        revenue=ibis._.revenue.cast("decimal(18,4)"), cost=ibis._.cost.cast("decimal(18,4)"))
    return t.mutate(is_return=(t.revenue < 0) | (t.quantity < 0))


def _measure(lines):
    od = orders(lines)
    res = customer_measures(od, customer_products(lines), D(2024, 12, 31)).to_pandas().set_index("customer_id")
    return res


def test_hand_worked_customer_a(lines):
    a = _measure(lines).loc["A"]
    assert float(a.revenue) == 300
    assert float(a.cost_of_goods) == 210
    assert float(a.gross_margin) == 90
    assert a.margin_pct == pytest.approx(0.3)
    assert a.orders == 2 and a.returns_count == 1 and float(a.returns_value) == 50
    assert a.order_lines == 4 and a.products == 2 and a.product_groups == 2
    assert pd.Timestamp(a.first_order).date() == D(2024, 1, 10)
    assert pd.Timestamp(a.last_order).date() == D(2024, 7, 1)
    assert a.recency_days == 183 and a.tenure_days == 356
    assert a.orders_per_year == pytest.approx(2.0)
    assert a.avg_order_value == pytest.approx(150.0)


def test_missing_cost_is_visible_not_hidden(lines):
    b = _measure(lines).loc["B"]
    assert b.cost_coverage == 0
    assert float(b.revenue) == 80 and b.recency_days == 0


def test_input_unchanged(lines):
    before = lines.to_pandas()
    _measure(lines)
    assert lines.to_pandas().equals(before)


def test_empty_input_gives_no_customers(lines):
    empty = lines.filter(lines.customer_id == "nobody")
    assert len(customer_measures(orders(empty), customer_products(empty), D(2024, 12, 31)).to_pandas()) == 0
