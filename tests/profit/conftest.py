"""Five customers worked out by hand; every profit test reads its answers from this docstring.

========  ======  ======  =====  =====  ======  ======  ===========  =========  ===============
customer  status  rev R   G      C      P=G-C   orders  tenure (Y)   visits     account manager
========  ======  ======  =====  =====  ======  ======  ===========  =========  ===============
P1        active  10000   3000   500    2500    40      365 (1)      2 (300)    Ann
P2        active  5000    1500   700    800     20      365 (1)      1 (150)    Bob
P3        ex-cust 1000    300    250    50      5       365 (1)      10 (100)   Ann
L1        active  2000    600    1100   -500    20      365 (1)      1 (150)    (none)
L2        active  4000    1000   2100   -1100   8       1461 (4)     24 (1200)  Bob
========  ======  ======  =====  =====  ======  ======  ===========  =========  ===============

(visits (cost_visits); Y = max(tenure_days, 365.25) / 365.25.) Totals: R 22000, C 4650, P 1750.

Cost components (the rest 0): P1 orders 200 + visits 300; P2 orders 550 + visits 150; P3 orders 150 +
visits 100; L1 orders 500, deliveries 200, invoices 100 (O = 800), lines 60, returns 20, late 20
(V = 900), visits 150, calls 50 (F = 200); L2 orders 200, deliveries 280, invoices 40 (O = 520),
lines 30, late 50 (V = 600), visits 1200, calls 80, support 100, complaints 120 (F = 1500).
Hours (activity_hours): P1 4, P2 2, P3 5, L1 1, L2 30.
"""

from __future__ import annotations

import ibis
import pyarrow as pa
import pytest

COMPONENTS = ("cost_orders", "cost_order_lines", "cost_deliveries", "cost_visits", "cost_calls", "cost_support",
              "cost_complaints", "cost_returns", "cost_quotes", "cost_invoices", "cost_late_payment", "cost_other")

ROWS = [
    dict(customer_id="P1", status="active", revenue=10000, gross_margin=3000, orders=40, tenure_days=365, visits=2,
         activity_hours=4, account_manager="Ann", cost_orders=200, cost_visits=300),
    dict(customer_id="P2", status="active", revenue=5000, gross_margin=1500, orders=20, tenure_days=365, visits=1,
         activity_hours=2, account_manager="Bob", cost_orders=550, cost_visits=150),
    dict(customer_id="P3", status="ex-customer", revenue=1000, gross_margin=300, orders=5, tenure_days=365,
         visits=10, activity_hours=5, account_manager="Ann", cost_orders=150, cost_visits=100),
    dict(customer_id="L1", status="active", revenue=2000, gross_margin=600, orders=20, tenure_days=365, visits=1,
         activity_hours=1, account_manager=None, cost_orders=500, cost_deliveries=200, cost_invoices=100,
         cost_order_lines=60, cost_returns=20, cost_late_payment=20, cost_visits=150, cost_calls=50),
    dict(customer_id="L2", status="active", revenue=4000, gross_margin=1000, orders=8, tenure_days=1461, visits=24,
         activity_hours=30, account_manager="Bob", cost_orders=200, cost_deliveries=280, cost_invoices=40,
         cost_order_lines=30, cost_late_payment=50, cost_visits=1200, cost_calls=80, cost_support=100,
         cost_complaints=120),
]


def customer_rows() -> list[dict]:
    """The rows with every component, ``cost_to_serve``, ``net_profit``, ``margin_pct``, ``avg_order_value``."""
    out = []
    for r in ROWS:
        row = {c: 0.0 for c in COMPONENTS} | r
        row["cost_to_serve"] = float(sum(row[c] for c in COMPONENTS))
        row["net_profit"] = row["gross_margin"] - row["cost_to_serve"]
        row["margin_pct"] = row["gross_margin"] / row["revenue"]
        row["avg_order_value"] = row["revenue"] / row["orders"]
        out.append(row)
    return out


SCHEMA = {"customer_id": "string", "status": "string", "revenue": "decimal(38,4)", "gross_margin": "decimal(38,4)",
          "orders": "int64", "tenure_days": "int64", "visits": "float64", "activity_hours": "float64",
          "account_manager": "string", "cost_to_serve": "float64", "net_profit": "float64", "margin_pct": "float64",
          "avg_order_value": "float64", **{c: "float64" for c in COMPONENTS}}


def make_table(rows: list[dict]) -> ibis.Table:
    schema = ibis.schema(SCHEMA).to_pyarrow()
    data = pa.table({c: [r.get(c) for r in rows] for c in SCHEMA}).cast(schema)
    return ibis.memtable(data)


@pytest.fixture
def customers() -> ibis.Table:
    return make_table(customer_rows())


@pytest.fixture
def rows() -> list[dict]:
    """The five rows as dicts (a fresh copy per test)."""
    return customer_rows()


@pytest.fixture
def table_of():
    """Build a customer table from row dicts (the schema of the fixture)."""
    return make_table
