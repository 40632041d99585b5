"""The method's worked example (seed 001 and 003) and the criteria answers, worked out by hand in conftest."""

from __future__ import annotations

import pytest

from salesfocus.config import ABCConfig, ABCDConfig, CriteriaConfig
from salesfocus.errors import SchemaError
from salesfocus.segments import ABCDSegmentation, ABCSegmentation, Criteria


def _frame(expr):
    return expr.to_pandas().set_index("customer_id")


def test_large_customer_with_margin_speed_network_is_a(worked):
    abc = _frame(ABCSegmentation(ABCConfig()).build(worked))
    big = abc.loc["BIG"]
    assert big.abc_size == "high" and big.criteria_yes == 3 and big.abc_segment == "A"
    assert big.abc_reasons.startswith("A: high (€200000 a year")
    assert "margin: profit 20% ≥ 10%" in big.abc_reasons and "no: innovation: not assessed" in big.abc_reasons


def test_small_late_costly_customer_without_network_is_c_and_d(worked):
    abc = _frame(ABCSegmentation(ABCConfig()).build(worked))
    abcd = _frame(ABCDSegmentation(ABCDConfig()).build(worked))
    small = abc.loc["SMALL"]
    assert small.abc_size == "low" and small.criteria_yes == 0 and small.abc_segment == "C"
    assert abcd.loc["SMALL", "criteria5_yes"] == 0 and abcd.loc["SMALL", "abcd_segment"] == "D"
    assert "speed: pays in 75 d (terms 30 d, 80% late)" in abcd.loc["SMALL", "abcd_reasons"]
    assert "network: 1×2×1 = 2 < 27" in abcd.loc["SMALL", "abcd_reasons"]
    # A–D for the large one: order size, margin, speed and network (4×4×4 = 64) yes, innovation no
    assert abcd.loc["BIG", "criteria5_yes"] == 4 and abcd.loc["BIG", "abcd_segment"] == "A"


def test_pareto_boundary_by_hand(worked):
    """Y = 200k, 70k (60k + 10k potential), 30k, 2k, 1k; 80% of 303k = 242.4k → BIG and MID1 high."""
    abc = _frame(ABCSegmentation(ABCConfig()).build(worked))
    assert abc.abc_size.to_dict() == {"BIG": "high", "MID1": "high", "MID2": "low", "SMALL": "low", "TINY": "low"}
    assert abc.loc["MID1", "abc_value"] == pytest.approx(70_000)
    # MID1: 2 yes (speed derived, innovation manual; margin overridden to no) → A with a_min_yes 2
    assert abc.abc_segment.to_dict() == {"BIG": "A", "MID1": "A", "MID2": "C", "SMALL": "C", "TINY": "C"}
    amount = _frame(ABCSegmentation(ABCConfig(high_basis="amount", high_amount=25_000, a_min_yes=3,
                                              c_max_yes=1)).build(worked))
    assert amount.abc_segment.to_dict() == {"BIG": "A", "MID1": "B", "MID2": "B", "SMALL": "C", "TINY": "B"}


def test_manual_answer_overrides_derived_and_says_so(worked):
    w = _frame(worked)
    # MID1: profit 15% would be yes, the assessment says no
    assert not w.loc["MID1", "margin_yes"] and w.loc["MID1", "margin_source"] == "manual"
    assert w.loc["MID1", "margin_why"] == "margin: by hand (data: profit 15%)"
    # MID2: pays in 45 d on 30 d terms, half late → derived no; the assessment says fast
    assert w.loc["MID2", "speed_yes"] and w.loc["MID2", "speed_source"] == "manual"
    # derived and none
    assert w.loc["BIG", "margin_yes"] and w.loc["BIG", "margin_source"] == "derived"
    assert not w.loc["TINY", "innovation_yes"] and w.loc["TINY", "innovation_source"] == "none"
    # the latest non-empty network answer counts (BIG's later row left it blank)
    assert w.loc["BIG", "network_yes"] and w.loc["BIG", "network_source"] == "manual"
    assert w.loc["BIG", "network_abcd_source"] == "score" and w.loc["BIG", "network_score"] == 64
    assert w.loc["BIG", "nps"] == 10
    assert w.loc["MID1", "abc_potential"] == 10_000 and w.loc["MID1", "abc_potential_source"] == "assessment"
    assert w.loc["TINY", "abc_potential"] == 0 and w.loc["TINY", "abc_potential_source"] == "none"


def test_order_size_covers_cost_per_order(worked):
    """BIG: margin per order 60,000 / 50 = 1,200 vs cost (25·50 + 1.5·20 + 35·50 + 5·50) / 50 = 65.6 → yes.
    SMALL: 100 / 40 = 2.5 vs (25·40 + 1.5·50 + 35·40 + 5·40) / 40 = 66.875 → no."""
    w = _frame(worked)
    assert w.loc["BIG", "order_value"] == pytest.approx(1200) and w.loc["BIG", "order_cost"] == pytest.approx(65.6)
    assert w.loc["BIG", "order_size_yes"]
    assert w.loc["SMALL", "order_value"] == pytest.approx(2.5)
    assert w.loc["SMALL", "order_cost"] == pytest.approx(66.875) and not w.loc["SMALL", "order_size_yes"]


def test_speed_uses_decision_days_where_known(make_customers):
    import ibis

    from salesfocus.segments import annual_figures

    cust = make_customers([dict(customer_id="F", days_to_pay=10.0), dict(customer_id="S", days_to_pay=10.0),
                            dict(customer_id="Q", days_to_pay=None, late_share=None)])
    dec = ibis.memtable({"customer_id": ["F", "S", "Q"], "decision_days": [5.0, 60.0, 12.0]})
    base = cust.join(annual_figures(cust, None, as_of=None, years=3), "customer_id")
    c = Criteria(CriteriaConfig())
    w = _frame(c.explain(c.build(base, None, dec)))
    assert w.speed_yes.to_dict() == {"F": True, "S": False, "Q": True}
    assert w.loc["Q", "speed_why"] == "speed: decides in 12 d"


def test_no_assessments_counts_judged_questions_as_no(make_customers, worked_rows):
    cust = make_customers(worked_rows)
    from salesfocus.segments import annual_figures

    base = cust.join(annual_figures(cust, None, as_of=None, years=3), "customer_id")
    w = _frame(Criteria(CriteriaConfig()).build(base))
    assert set(w.innovation_source) == {"none"} and set(w.network_source) == {"none"}
    assert not w.network_yes.any() and set(w.abc_potential_source) == {"none"}


def test_missing_columns_are_named(make_customers, worked_rows):
    cust = make_customers(worked_rows).drop("orders")
    with pytest.raises(SchemaError, match="orders"):
        Criteria(CriteriaConfig()).build(cust)
    with pytest.raises(SchemaError, match="abc_potential"):
        ABCSegmentation(ABCConfig()).build(make_customers(worked_rows).mutate(annual_revenue=1.0))


def test_abc_matrix_has_ten_cells_and_top_n(worked):
    seg = ABCSegmentation(ABCConfig())
    built = seg.build(worked)
    m = ABCSegmentation.matrix(built, worked.select("customer_id", "revenue", "net_profit")).to_pandas()
    assert len(m) == 10 and m.customers.sum() == 5
    cell = m[(m.abc_size == "high") & (m.criteria_yes == 3)].iloc[0]
    assert cell.customers == 1 and cell.abc_segment == "A"
    top = seg.top_n(worked, 3).to_pandas()
    assert list(top.customer_id) == ["BIG", "MID1", "MID2"] and list(top["rank"]) == [1, 2, 3]
    # among the three: 80% of 300k = 240k → BIG and MID1 high
    assert list(top.abc_size) == ["high", "high", "low"]


def test_thresholds_scale_to_the_answerable_questions(make_customers, worked_rows):
    """Only order lines: no payments, no assessments → only margin is answerable (m = 1).
    A needs ceil(2·1/4) = 1 yes, C allows floor(2·1/4) = 0. BIG and MID1 (high, margin yes) → A;
    MID2 and TINY (low, margin yes) → B; SMALL (low, loss) → C. Without scaling nobody could be A."""
    from salesfocus.segments import annual_figures

    rows = [r | {"days_to_pay": None, "late_share": None} for r in worked_rows]
    cust = make_customers(rows)
    base = cust.join(annual_figures(cust, None, as_of=None, years=3), "customer_id")
    c = Criteria(CriteriaConfig())
    w = c.explain(base.join(c.build(base), "customer_id"))
    abc = _frame(ABCSegmentation(ABCConfig()).build(w))
    assert abc.abc_segment.to_dict() == {"BIG": "A", "MID1": "A", "MID2": "B", "SMALL": "C", "TINY": "B"}
    assert ", 1 of 1 yes. yes: margin" in abc.loc["BIG", "abc_reasons"]
    fixed = _frame(ABCSegmentation(ABCConfig(scale_to_answered=False)).build(w))
    assert "A" not in set(fixed.abc_segment)
    # A–D: order size and margin answerable (m = 2): A from ceil(4·2/5) = 2, B ceil(1.2) = 2, C ceil(0.8) = 1.
    # TINY: 1,000 / 2 orders × 30% = 150 margin per order vs cost 25 + 1.5·20/2 + 35 + 5 = 80 → yes; margin 10% yes.
    abcd = _frame(ABCDSegmentation(ABCDConfig()).build(w))
    assert abcd.abcd_segment.to_dict() == {"BIG": "A", "MID1": "A", "MID2": "A", "SMALL": "D", "TINY": "A"}


def test_all_zero_and_empty_inputs(worked):
    """No revenue and no potential anywhere: nobody is high, so nobody is A; an empty base gives no rows."""
    zero = worked.mutate(annual_revenue=0.0, abc_potential=0.0)
    abc = _frame(ABCSegmentation(ABCConfig()).build(zero))
    assert set(abc.abc_size) == {"low"} and "A" not in set(abc.abc_segment)
    empty = worked.filter(worked.customer_id == "nobody")
    assert len(ABCSegmentation(ABCConfig()).build(empty).to_pandas()) == 0
    assert len(ABCDSegmentation(ABCDConfig()).build(empty).to_pandas()) == 0


def test_customers_topped_up_to_the_same_y_are_on_the_same_side():
    """Potential = the peers' level minus revenue, so every such customer's Y is the peers' level; as floats some
    come out one unit in the last place lower (513.48 + (4706.195842 - 513.48)). The boundary falls among them
    (80% of 100,000 + 10 × 4,706.20 is reached at the fourth): by the rule every customer with the boundary's Y
    is high, so all ten are."""
    import ibis

    from salesfocus.segments.criteria import ABC_CRITERIA

    peers = 4706.195842
    revenue = [513.48, 3464.63, 527.06, 1001.17, 2222.22, 17.3, 99.99, 4000.01, 0.07, 1234.56]
    assert len({r + (peers - r) for r in revenue}) == 2  # the float noise this is about
    ids = ["BIG", *[f"EQ{i}" for i in range(len(revenue))]]
    t = ibis.memtable({"customer_id": ids, "annual_revenue": [100_000.0, *revenue],
                       "abc_potential": [0.0, *[peers - r for r in revenue]],
                       **{f"{q}_yes": [True] * len(ids) for q in ABC_CRITERIA}})
    abc = _frame(ABCSegmentation(ABCConfig()).build(t))
    assert abc.abc_size.to_dict() == dict.fromkeys(ids, "high")
