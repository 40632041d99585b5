"""Wallet gap, cross-selling, potential and the at-risk list on tiny tables worked out by hand."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from salesfocus.errors import InputError
from salesfocus.predict.at_risk import at_risk_table, months_before, recent_history, risk_flags
from salesfocus.predict.potential import latest_potential, potential_revenue
from salesfocus.predict.wallet import cross_sell, cross_sell_groups, peer_revenue

D = dt.date


def _df(expr: ibis.Table) -> pd.DataFrame:
    return expr.to_pandas().sort_values("customer_id", ignore_index=True)


@pytest.fixture
def six():
    """Six customers of one peer group (Bouw × 10-49) plus one of a tiny group and one without a sector.

    Revenue of the last 12 months: A 0 (lapsed, not a peer), B 100, C 200, D 300, E 400, F 500.
    Buying peers: B..F (5). Their 0.75 percentile, linear interpolation: position 0.75 × (5 − 1) = 3 →
    the 4th smallest value, 400. Wallet gap = max(400 − own, 0): A 400, B 300, C 200, D 100, E 0, F 0.
    G (Zorg, alone) and H (no sector) have no peer group: NULL.
    """
    return ibis.memtable(pd.DataFrame({
        "customer_id": list("ABCDEFGH"),
        "sector": ["Bouw"] * 6 + ["Zorg", None],
        "size_class": ["10-49"] * 8,
        "revenue_12m": [0.0, 100, 200, 300, 400, 500, 900, 50],
    }))


@pytest.fixture
def buys():
    """Product groups bought in the window. Among the buying peers B..F (5):
    X by B, C, D, E (4/5 = 0.8); Y by C, D, F (3/5 = 0.6); Z by B, F (2/5 = 0.4, below 0.5); A's own W
    does not count (A is not a buying peer). Cross-sell room = popular groups (X, Y) a customer lacks,
    widest bought first: A "X; Y", B "Y", C "", D "", E "Y", F "X"."""
    pairs = [("A", "W"), ("B", "X"), ("B", "Z"), ("C", "X"), ("C", "Y"), ("D", "X"), ("D", "Y"), ("E", "X"),
             ("F", "Y"), ("F", "Z"), ("F", "Y"), ("G", "X"), ("H", "X")]
    return ibis.memtable(pd.DataFrame(pairs, columns=["customer_id", "product_group"]))


class TestWallet:
    def test_peer_percentile_and_gap_by_hand(self, six):
        out = _df(peer_revenue(six, peers=["sector", "size_class"], percentile=0.75, min_peers=5))
        assert out.peer_revenue.iloc[:6].tolist() == [400.0] * 6
        assert out.wallet_gap.iloc[:6].tolist() == [400.0, 300.0, 200.0, 100.0, 0.0, 0.0]
        assert out.peer_group_size.iloc[:6].tolist() == [5] * 6
        assert out.peer_revenue.iloc[6:].isna().all() and out.wallet_gap.iloc[6:].isna().all()

    def test_other_percentile_and_small_groups(self, six):
        # 0.5 → position 2 → 300; min_peers 6 → the group of 5 buyers is too small
        assert _df(peer_revenue(six, percentile=0.5, min_peers=5)).peer_revenue.iloc[0] == 300.0
        assert _df(peer_revenue(six, min_peers=6)).peer_revenue.isna().all()
        # one peer column: sector only, same answer here
        assert _df(peer_revenue(six, peers=["sector"])).wallet_gap.iloc[1] == 300.0

    def test_cross_sell_by_hand(self, six, buys):
        out = _df(cross_sell_groups(six, buys, min_share=0.5, min_peers=5)).set_index("customer_id")
        assert out.cross_sell_groups.iloc[:6].tolist() == ["X; Y", "Y", "", "", "Y", "X"]
        assert out.cross_sell_count.iloc[:6].tolist() == [2, 1, 0, 0, 1, 1]
        assert out.loc[["G", "H"], "cross_sell_groups"].isna().all()
        long = cross_sell(six, buys, min_share=0.5, min_peers=5).to_pandas()
        assert set(zip(long.customer_id, long.product_group, strict=True)) == {
            ("A", "X"), ("A", "Y"), ("B", "Y"), ("E", "Y"), ("F", "X")}
        assert long.set_index(["customer_id", "product_group"]).loc[("A", "X"), "peer_share"] == pytest.approx(0.8)
        # a lower bar lets Z in (0.4): A then lacks X, Y, Z, widest first
        low = _df(cross_sell_groups(six, buys, min_share=0.4, min_peers=5))
        assert low.cross_sell_groups.iloc[0] == "X; Y; Z"
        # from the long table a run already holds: the same texts and counts
        given = _df(cross_sell_groups(six, buys, min_share=0.5, min_peers=5,
                                      long=ibis.memtable(long))).set_index("customer_id")
        pd.testing.assert_frame_equal(given, out)
        # the widest bought first; equal shares by name
        tie = pd.DataFrame({"customer_id": ["A"] * 3, "product_group": ["Y", "X", "Z"], "peer_share": [0.5, 0.5, 0.9],
                            "peer_buyers": [1, 1, 2]})
        ranked = _df(cross_sell_groups(six, buys, min_peers=5, long=ibis.memtable(tie))).set_index("customer_id")
        assert ranked.loc["A", "cross_sell_groups"] == "Z; X; Y" and ranked.loc["B", "cross_sell_groups"] == ""

    def test_errors_name_the_columns(self, six):
        with pytest.raises(InputError, match="size_class"):
            peer_revenue(six.drop("size_class"))
        with pytest.raises(InputError, match="percentile"):
            peer_revenue(six, percentile=1.5)
        with pytest.raises(InputError, match="product_group"):
            cross_sell(six, six)


class TestPotential:
    def test_sources_by_hand(self):
        """own 1000 unless stated; model / peers are yearly revenue estimates, potential the extra."""
        t = ibis.memtable(pd.DataFrame({
            "customer_id": ["a", "m", "p", "z", "n", "l", "la"],
            "revenue_12m": [1000.0, 1000, 1000, 1000, 1000, 0, 0],
            "assessed_potential": [5000.0, None, None, None, None, None, 700],
            "model_revenue_12m": [9000.0, 1200, 800, 500, None, 900, None],
            "peer_revenue": [9000.0, 1000, 1500, None, None, 2000, 2000],
        }))
        out = _df(potential_revenue(t)).set_index("customer_id")
        added = _df(potential_revenue(t, add=True)).set_index("customer_id")  # the same two columns added to t
        assert list(added.columns) == [*t.columns[1:], "potential_revenue", "potential_source"]
        pd.testing.assert_frame_equal(added[out.columns], out)
        assert out.loc["a"].tolist() == [5000.0, "assessment"]  # the assessment wins over everything
        assert out.loc["m"].tolist() == [200.0, "model"]  # max(1200, 1000) − 1000
        assert out.loc["p"].tolist() == [500.0, "peers"]  # max(800, 1500) − 1000
        assert out.loc["z"].tolist() == [0.0, "model"]  # 500 − 1000 floored at 0
        assert pd.isna(out.loc["n", "potential_revenue"]) and out.loc["n", "potential_source"] == "none"
        # lapsed (no revenue in 12 months): no data-derived potential, but an assessment still counts
        assert pd.isna(out.loc["l", "potential_revenue"]) and out.loc["l", "potential_source"] == "none"
        assert out.loc["la"].tolist() == [700.0, "assessment"]

    def test_latest_assessment_up_to_as_of(self):
        a = ibis.memtable(pd.DataFrame({
            "customer_id": ["x", "x", "x", "y", "y", "z"],
            "assessment_date": [D(2024, 1, 1), D(2024, 6, 1), D(2025, 3, 1), D(2024, 1, 1), None, D(2024, 1, 1)],
            "potential_revenue": [100.0, None, 300.0, 50.0, 70.0, None],
        }))
        out = _df(latest_potential(a, D(2024, 12, 31))).set_index("customer_id")
        # x: 2025 row is after as_of, the June row is empty → January's 100; y: the undated row is older
        assert out.assessed_potential.to_dict() == {"x": 100.0, "y": 50.0}
        assert _df(latest_potential(a)).set_index("customer_id").loc["x", "assessed_potential"] == 300.0


class TestAtRisk:
    def test_recent_history_by_hand(self):
        as_of = D(2024, 12, 31)  # recent (2024-06-30, 2024-12-31], before (2023-06-30, 2024-06-30]
        ol = ibis.memtable(pd.DataFrame({
            "customer_id": ["a"] * 6 + ["b"],
            "order_id": ["1", "2", "2", "3", "4", "5", "9"],
            "order_date": [D(2023, 6, 30), D(2023, 7, 1), D(2023, 7, 1), D(2024, 6, 30), D(2024, 7, 1),
                           D(2025, 1, 1), D(2024, 12, 31)],
            "revenue": [10.0, 20, 5, 40, -15, 99, 7],
            "is_return": [False, False, False, False, True, False, False],
        }))
        out = _df(recent_history(ol, as_of, recent_months=6, before_months=12)).set_index("customer_id")
        # a: last 12 months (2023-12-31, 2024-12-31]: 40 − 15 = 25; recent orders: only a return → 0;
        # before: orders 2 and 3 (order 1 is on the window's open edge) → 2; the 2025 line is after as_of
        assert out.loc["a"].tolist() == [25.0, 0, 2]
        assert out.loc["b"].tolist() == [7.0, 1, 0]
        assert months_before(D(2024, 3, 31), 1) == D(2024, 2, 29)

    def test_ranking_by_hand(self):
        """Valuable = top/large. rate ratio = (recent/6) / (before/12).

        A top, p .4, 10 000 a year → low P → at risk, value 10 000 × .6 = 6 000
        B large, p .9, before 12, recent 2: ratio (2/6)/(12/12) = .333 ≤ .5 → at risk, 20 000 × .1 = 2 000
        C top, p .3, 30 000 → at risk, 21 000 (first)
        D medium, p .1 → not valuable
        E large, p .8, before 2 (< 3 needed), recent 0 → no judgement on rate, not at risk
        F large, p NULL (no model), before 6, recent 1: ratio (1/6)/(6/12) = .333 → at risk,
          risk = 1 − .333 = .667, value 3 000 × .667 = 2 000; tie with B broken on id → B before F
        """
        t = ibis.memtable(pd.DataFrame({
            "customer_id": list("ABCDEF"),
            "pyramid_level": ["top", "large", "top", "medium", "large", "large"],
            "revenue_12m": [10_000.0, 20_000, 30_000, 50_000, 8_000, 3_000],
            "p_active": [0.4, 0.9, 0.3, 0.1, 0.8, None],
            "orders_recent": [5, 2, 4, 0, 0, 1],
            "orders_before": [10, 12, 8, 9, 2, 6],
            "clv": [1.0, 2, 3, 4, 5, None],
        }))
        flags = risk_flags(t)
        out = at_risk_table(flags).to_pandas()
        assert out.customer_id.tolist() == ["C", "A", "B", "F"]
        assert out.at_risk_rank.tolist() == [1, 2, 3, 4]
        assert out.value_at_risk.tolist() == pytest.approx([21_000, 6_000, 2_000, 2_000])
        assert out.rate_ratio.iloc[2] == pytest.approx(1 / 3)
        assert out.reason.iloc[1] == "P(active) 0.4 < 0.5"
        assert "2 order(s) in the last 6 months vs 12 in the 12 months before" in out.reason.iloc[2]
        f = _df(flags).set_index("customer_id")
        assert f.at_risk.to_dict() == dict(zip("ABCDEF", [True, True, True, False, False, True], strict=True))
        assert pd.isna(f.loc["E", "rate_ratio"])

    def test_valuable_without_pyramid_is_top_share_by_revenue(self):
        """No pyramid: top 20 % of the 5 buying customers = ceil(1) = the single largest (C)."""
        t = ibis.memtable(pd.DataFrame({
            "customer_id": list("ABCDEF"),
            "revenue_12m": [10.0, 20, 30, 5, 1, 0],
            "p_active": [0.1] * 6,
            "orders_recent": [0] * 6,
            "orders_before": [5] * 6,
        }))
        f = _df(risk_flags(t, valuable_share=0.2)).set_index("customer_id")
        assert f.valuable[f.valuable].index.tolist() == ["C"] and f.at_risk.sum() == 1
        f = _df(risk_flags(t, valuable_share=0.5)).set_index("customer_id")  # ceil(2.5) = 3: C, B, A
        assert sorted(f.valuable[f.valuable].index) == ["A", "B", "C"]

    def test_missing_columns_named(self):
        with pytest.raises(InputError, match="orders_before, p_active"):
            risk_flags(ibis.memtable({"customer_id": ["a"], "revenue_12m": [1.0], "orders_recent": [1]}))
