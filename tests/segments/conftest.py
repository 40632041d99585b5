"""Tiny per-customer tables for the segment tests, with the method's worked example.

Five customers, each with one year of tenure, so annual revenue = revenue (no per-year table):

======  ========  ======  ====== ====== ============ =========== ====================================
id      revenue   profit  orders pays   late share   assessment  meaning
======  ========  ======  ====== ====== ============ =========== ====================================
BIG     200,000    20%     50    20 d    0%          network yes large, margin, speed, network → A / A
MID1     60,000    15%     20    25 d    0%          margin_ok   manual "no margin" overrides 15%
                                                     = False
MID2     30,000    12%     10    45 d   50%          speed_ok    manual "fast" overrides late payment
                                                     = True
SMALL     2,000   -30%     40    75 d   80%          network no  small, late, costly, no network → C / D
TINY      1,000    10%      2    10 d    0%          none        no assessment
======  ========  ======  ====== ====== ============ =========== ====================================

Payment terms 30 days for everyone. MID1 has 10,000 potential, so Y = 200,000 + 70,000 + 30,000 + 2,000 +
1,000 = 303,000; Pareto 80% = 242,400: BIG (cumulative before it 0) and MID1 (200,000) are high, MID2
(270,000) is low.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

AS_OF = dt.date(2025, 12, 31)
FIRST = dt.date(2025, 1, 1)

_DEFAULTS = dict(revenue=1000.0, profit_pct=0.1, margin_pct=0.3, orders=10, order_lines=20, days_to_pay=20.0,
                 late_share=0.0, payment_terms_days=30, tenure_days=364, status="active", complaints=0.0, visits=0.0,
                 visit_hours=0.0, sector="Retail", region="Utrecht", size_class="10-49", name="x")


def customer_rows(rows: list[dict]) -> list[dict]:
    """Fill every row with the defaults and derive gross margin, net profit and the cost components."""
    out = []
    for r in rows:
        r = {**_DEFAULTS, **r}
        r["gross_margin"] = r["revenue"] * r["margin_pct"]
        r["net_profit"] = r["revenue"] * r["profit_pct"]
        r["days_to_pay_weighted"] = r["days_to_pay"]
        r["first_order"] = FIRST
        r["avg_order_value"] = r["revenue"] / r["orders"]
        r["cost_orders"] = 25.0 * r["orders"]
        r["cost_order_lines"] = 1.5 * r["order_lines"]
        r["cost_deliveries"] = 35.0 * r["orders"]
        r["cost_invoices"] = 5.0 * r["orders"]
        r["cts_pct"] = (r["gross_margin"] - r["net_profit"]) / r["revenue"]
        r["recency_days"] = 10
        r["product_groups"] = 3
        out.append(r)
    return out


def customers_table(rows: list[dict]) -> ibis.Table:
    t = ibis.memtable(customer_rows(rows))
    return t.mutate(revenue=t.revenue.cast("decimal(18,4)"), gross_margin=t.gross_margin.cast("decimal(18,4)"))


WORKED = [
    dict(customer_id="BIG", revenue=200_000.0, profit_pct=0.20, margin_pct=0.30, orders=50, days_to_pay=20.0,
         size_class="250+", sector="Zorg", region="Antwerpen"),
    dict(customer_id="MID1", revenue=60_000.0, profit_pct=0.15, margin_pct=0.28, orders=20, days_to_pay=25.0),
    dict(customer_id="MID2", revenue=30_000.0, profit_pct=0.12, margin_pct=0.25, orders=10, days_to_pay=45.0,
         late_share=0.5),
    dict(customer_id="SMALL", revenue=2_000.0, profit_pct=-0.30, margin_pct=0.05, orders=40, order_lines=50,
         days_to_pay=75.0, late_share=0.8, complaints=6.0, visits=4.0, visit_hours=6.0),
    dict(customer_id="TINY", revenue=1_000.0, profit_pct=0.10, margin_pct=0.30, orders=2, days_to_pay=10.0),
]

ASSESSED = [
    # two rows for BIG: the later one leaves network blank, so the earlier answer still counts
    dict(customer_id="BIG", assessment_date=dt.date(2025, 3, 1), potential_revenue=None, margin_ok=None,
         speed_ok=None, innovation=None, network=True, network_relevance=4.0, network_reputation=4.0,
         network_size=4.0, nps=9),
    dict(customer_id="BIG", assessment_date=dt.date(2025, 9, 1), potential_revenue=None, margin_ok=None,
         speed_ok=None, innovation=None, network=None, network_relevance=4.0, network_reputation=4.0,
         network_size=4.0, nps=10),
    dict(customer_id="MID1", assessment_date=dt.date(2025, 6, 1), potential_revenue=10_000.0, margin_ok=False,
         speed_ok=None, innovation=True, network=None, network_relevance=None, network_reputation=None,
         network_size=None, nps=8),
    dict(customer_id="MID2", assessment_date=dt.date(2025, 6, 1), potential_revenue=None, margin_ok=None,
         speed_ok=True, innovation=None, network=None, network_relevance=None, network_reputation=None,
         network_size=None, nps=3),
    dict(customer_id="SMALL", assessment_date=dt.date(2025, 6, 1), potential_revenue=0.0, margin_ok=None,
         speed_ok=None, innovation=None, network=False, network_relevance=1.0, network_reputation=2.0,
         network_size=1.0, nps=5),
]


def assessments_table(rows: list[dict] = ASSESSED) -> ibis.Table:
    t = ibis.memtable(rows)
    return t.mutate(potential_revenue=t.potential_revenue.cast("decimal(18,4)"),
                    margin_ok=t.margin_ok.cast("boolean"), speed_ok=t.speed_ok.cast("boolean"),
                    innovation=t.innovation.cast("boolean"), network=t.network.cast("boolean"),
                    nps=t.nps.cast("int64"))


@pytest.fixture
def con():
    return ibis.duckdb.connect()


@pytest.fixture
def worked(con):
    """The worked example with every criterion answered (per-customer frame, indexed by customer_id)."""
    from salesfocus.config import CostRates, CriteriaConfig
    from salesfocus.segments import Criteria, annual_figures, latest_assessments

    cust = customers_table(WORKED)
    annual = annual_figures(cust, None, as_of=AS_OF, years=3)
    base = cust.join(annual, "customer_id")
    criteria = Criteria(CriteriaConfig(), CostRates())
    crit = criteria.build(base, latest_assessments(assessments_table()))
    return criteria.explain(base.join(crit, "customer_id"))


@pytest.fixture
def make_customers():
    """customers_table as a fixture: build a per-customer table from partial rows."""
    return customers_table


@pytest.fixture
def worked_rows():
    return [dict(r) for r in WORKED]
