"""Break-even options of the two loss-makers of conftest, worked out by hand, and their cross-selling value.

L1: R 2000, G 600 (m 0.3), N 20, C 1100, P -500, Y 1; per-order cost O 800, volume cost V 900, relationship F 200.
  min order size: R * (O / N) / (G - (C - O)) = 2000 * 40 / (600 - 300) = 266.67
      (check: 2000 / 266.67 = 7.5 orders * 40 = 300 order cost; 300 + 300 other = 600 = G)
  order fee: 500 / 20 = 25 per order
  price increase: 500 / 2000 = 0.25; margin after it (600 + 500) / (2000 + 500) = 0.44, change 0.14
  min annual revenue: m - V / R = 0.3 - 0.45 < 0 -> none (NULL): each extra euro loses money
  annual revenue 2000
L2: R 4000, G 1000 (m 0.25), N 8, C 2100, P -1100, Y 4; O 520, V 600, F 1500.
  min order size: G - (C - O) = 1000 - 1580 < 0 -> none (NULL): the other costs alone exceed the margin
  order fee: 1100 / 8 = 137.5
  price increase: 1100 / 4000 = 0.275; margin after (1000 + 1100) / (4000 + 1100) = 0.411765, change 0.161765
  min annual revenue: (F / Y) / (m - V / R) = 375 / (0.25 - 0.15) = 3750 a year, against 1000 now
      (check: 3750 * 0.25 = 937.5 margin - 0.15 * 3750 = 562.5 volume cost - 375 relationship = 0)

Cross-selling: 10 customers buy; group "rare" only L1 (1/10 = 0.1 <= 0.1): revenue 300 - 50 returned = 250,
margin (300 - 200) + (-50 + 20) = 70; "pair" L1 (50 / 10) and L2 (80 / 20): 2/10 = 0.2; "common" everyone.
With max_share 0.25 L1 gets rare + pair: revenue 300, margin 80; L2 pair: 80, 20.
"""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from salesfocus.errors import SchemaError
from salesfocus.profit import break_even, cross_selling, loss_makers


def _be(customers):
    return break_even(customers).to_pandas().set_index("customer_id")


def test_break_even_l1_by_hand(customers):
    r = _be(customers).loc["L1"]
    assert (r.order_cost, r.volume_cost, r.relationship_cost) == (800, 900, 200)
    assert r.min_order_size == pytest.approx(2000 * 40 / 300)
    assert r.order_fee == pytest.approx(25)
    assert r.price_increase_pct == pytest.approx(0.25)
    assert r.required_margin_pct == pytest.approx(0.44) and r.margin_pct_change == pytest.approx(0.14)
    assert pd_isna(r.min_annual_revenue) and r.annual_revenue == pytest.approx(2000)


def test_break_even_l2_by_hand(customers):
    r = _be(customers).loc["L2"]
    assert (r.order_cost, r.volume_cost, r.relationship_cost) == (520, 600, 1500)
    assert pd_isna(r.min_order_size)
    assert r.order_fee == pytest.approx(137.5)
    assert r.price_increase_pct == pytest.approx(0.275)
    assert r.required_margin_pct == pytest.approx(2100 / 5100)
    assert r.margin_pct_change == pytest.approx(2100 / 5100 - 0.25)
    assert r.min_annual_revenue == pytest.approx(3750) and r.annual_revenue == pytest.approx(1000)


def test_each_option_really_breaks_even(customers, rows):
    """Re-apply every option to the customer's own figures: the profit comes out at zero."""
    be = _be(customers)
    for row in rows:
        if row["net_profit"] >= 0:
            continue
        b = be.loc[row["customer_id"]]
        rev, gm, n, cts = row["revenue"], row["gross_margin"], row["orders"], row["cost_to_serve"]
        years = max(row["tenure_days"], 365.25) / 365.25
        assert gm + b.order_fee * n - cts == pytest.approx(0, abs=1e-9)
        assert gm + b.price_increase_pct * rev - cts == pytest.approx(0, abs=1e-9)
        assert b.required_margin_pct * rev * (1 + b.price_increase_pct) - cts == pytest.approx(0, abs=1e-9)
        if not pd_isna(b.min_order_size):
            orders_new = rev / b.min_order_size
            assert gm - (cts - b.order_cost) - orders_new * b.order_cost / n == pytest.approx(0, abs=1e-9)
        if not pd_isna(b.min_annual_revenue):
            r_new = b.min_annual_revenue * years
            m, v = gm / rev, b.volume_cost / rev
            assert m * r_new - v * r_new - b.relationship_cost == pytest.approx(0, abs=1e-9)


def test_profitable_customer_needs_no_fee(customers):
    r = _be(customers).loc["P1"]
    assert r.order_fee == 0 and r.price_increase_pct == 0 and r.margin_pct_change == pytest.approx(0)
    assert r.min_order_size <= 10000 / 40  # already above its break-even order size


def pd_isna(v) -> bool:
    return v is None or v != v


def _lines():
    rows = [("L1", "rare", 300.0, 200.0), ("L1", "rare", -50.0, -20.0), ("L1", "pair", 50.0, 40.0),
            ("L1", "common", 100.0, 90.0), ("L2", "pair", 80.0, 60.0), ("L2", "common", 100.0, 90.0),
            ("L2", None, 10.0, 5.0)]
    rows += [(c, "common", 100.0, 50.0) for c in ("P1", "P2", "P3", "X1", "X2", "X3", "X4", "X5")]
    return ibis.memtable({"customer_id": [r[0] for r in rows], "product_group": [r[1] for r in rows],
                          "revenue": [r[2] for r in rows], "cost": [r[3] for r in rows]},
                         schema={"customer_id": "string", "product_group": "string", "revenue": "decimal(18,4)",
                                 "cost": "decimal(18,4)"})


def test_cross_selling_by_hand():
    cs = cross_selling(_lines(), max_share=0.1).to_pandas()
    assert cs[["customer_id", "product_group", "buyers"]].values.tolist() == [["L1", "rare", 1]]
    assert cs.buyers_share.iloc[0] == pytest.approx(0.1)
    assert (cs.revenue.iloc[0], cs.gross_margin.iloc[0]) == (250, 70)
    wider = cross_selling(_lines(), max_share=0.25).to_pandas()
    assert wider[["customer_id", "product_group"]].values.tolist() == [["L1", "rare"], ["L1", "pair"], ["L2", "pair"]]


def test_loss_makers_table(customers):
    lm = loss_makers(customers, cross_selling(_lines(), max_share=0.25)).to_pandas()
    assert list(lm.customer_id) == ["L2", "L1"]  # largest loss first
    l1 = lm.set_index("customer_id").loc["L1"]
    assert l1.cross_sell_groups == "rare; pair"  # best margin first
    assert (l1.cross_sell_revenue, l1.cross_sell_margin) == (300, 80)
    assert l1.order_fee == pytest.approx(25) and pd_isna(l1.account_manager) and l1.status == "active"
    l2 = lm.set_index("customer_id").loc["L2"]
    assert (l2.cross_sell_groups, l2.cross_sell_revenue, l2.cross_sell_margin) == ("pair", 80, 20)
    only_rare = loss_makers(customers, cross_selling(_lines(), max_share=0.1)).to_pandas().set_index("customer_id")
    assert pd_isna(only_rare.loc["L2", "cross_sell_groups"]) and only_rare.loc["L2", "cross_sell_margin"] == 0
    without_lines = loss_makers(customers).to_pandas()
    assert without_lines.cross_sell_margin.isna().all()


def test_no_loss_makers_without_profit(rows, table_of):
    for r in rows:
        r.update(gross_margin=None, net_profit=None)
    assert loss_makers(table_of(rows)).to_pandas().empty
    assert _be(table_of(rows)).order_fee.isna().all()


def test_missing_column_is_named(customers):
    with pytest.raises(SchemaError, match="orders, tenure_days"):
        break_even(customers.drop("orders", "tenure_days"))


def test_cross_selling_for_some_customers_from_the_customer_group_table():
    """The run asks only for the loss-makers, from the compact customer x group table: the same rows as the full
    answer from the lines, filtered (the buyer counts still over everyone)."""
    from salesfocus.measures import customer_groups

    lines = _lines().mutate(order_id=ibis.literal("o"), order_date=ibis.date(2024, 1, 1))
    full = cross_selling(_lines(), max_share=0.25).to_pandas()
    some = ibis.memtable({"customer_id": ["L2", "L2"]})
    for source in (_lines(), customer_groups(lines)):
        got = cross_selling(source, max_share=0.25, customers=some).to_pandas()
        want = full[full.customer_id == "L2"].reset_index(drop=True)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)
