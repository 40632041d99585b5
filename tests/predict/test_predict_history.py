"""The one-scan customer history gives what rfm_table, holdout_orders and recent_history give separately."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from salesfocus.measures.customer import orders as order_table
from salesfocus.predict.at_risk import recent_history
from salesfocus.predict.history import customer_history
from salesfocus.predict.rfm import holdout_orders, rfm_table

AS_OF, CAL = dt.date(2024, 12, 31), dt.date(2024, 6, 30)


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    """Order lines of 60 customers: several lines per order, several orders a day, returns and credit orders,
    lines after the as-of date and customers who only bought after the calibration end or only returned."""
    rng = np.random.default_rng(11)
    n = 3000
    cust = rng.integers(0, 60, n)
    order = cust * 1000 + rng.integers(0, 40, n)
    day = [dt.date(2022, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 1200, n)]
    df = pd.DataFrame({
        "customer_id": [f"c{c:02d}" for c in cust],
        "order_id": [f"o{o}" for o in order],
        "order_date": day,
        "revenue": np.round(rng.normal(100, 80, n), 2),
        "cost": 0.0,
        "is_return": rng.random(n) < 0.05,
    })
    df.loc[df.customer_id == "c00", "revenue"] = -abs(df.loc[df.customer_id == "c00", "revenue"])  # only credits
    late = df.customer_id == "c01"
    df.loc[late, "order_date"] = [dt.date(2024, 9, 1) + dt.timedelta(days=i % 50) for i in range(late.sum())]
    return df


def _sorted(expr: ibis.Table) -> pd.DataFrame:
    return expr.to_pandas().sort_values("customer_id", ignore_index=True)


@pytest.mark.parametrize("per_order", [True, False])
def test_customer_history_equals_the_separate_queries(lines, per_order):
    ol = ibis.memtable(lines)
    if per_order:  # the run's orders table: one row per order, a credit order is not a purchase
        src = order_table(ol)
        purchases = src.filter(src.revenue >= 0)
    else:
        src = ol
        purchases = ol.filter(ol.revenue >= 0, ~ol.is_return)
    got = _sorted(customer_history(src, as_of=AS_OF, calibration_end=CAL, time_unit="week", recent_months=6,
                                   before_months=12, one_row_per_order=per_order))

    hist = _sorted(recent_history(src, AS_OF, recent_months=6, before_months=12))
    assert got.customer_id.tolist() == hist.customer_id.tolist()
    pd.testing.assert_frame_equal(got[hist.columns], hist, check_dtype=False, rtol=1e-12)

    rfm = _sorted(rfm_table(purchases, calibration_end=AS_OF, time_unit="week"))
    bought = got[got.purchase_days > 0].reset_index(drop=True)
    assert "c00" not in set(bought.customer_id) and "c00" in set(got.customer_id)
    pd.testing.assert_frame_equal(bought[rfm.columns], rfm, check_dtype=False, rtol=1e-12)

    cal = _sorted(rfm_table(purchases, calibration_end=CAL, time_unit="week")).drop(columns="monetary_value")
    hold = _sorted(holdout_orders(purchases, CAL, AS_OF))
    want = cal.merge(hold, on="customer_id", how="left")
    split = got[got.frequency_cal >= 0].reset_index(drop=True)
    assert "c01" not in set(split.customer_id)
    split = split.drop(columns=["frequency", "recency", "T"])
    split = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
    pd.testing.assert_frame_equal(split[want.columns], want, check_dtype=False)
