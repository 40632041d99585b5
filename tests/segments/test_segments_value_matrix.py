"""The value matrix coded by hand: tertiles, fixed cut-offs, the named groups and the 27 cells."""

from __future__ import annotations

import ibis
import pytest

from salesfocus.config import ValueAxis, ValueMatrixConfig
from salesfocus.errors import SchemaError
from salesfocus.segments import ValueMatrixSegmentation, code_1_3


def _table(**cols):
    n = len(next(iter(cols.values())))
    base = dict(customer_id=[f"c{i}" for i in range(n)], annual_revenue=[1000.0] * n, margin_pct=[0.3] * n,
                net_profit=[100.0] * n, complaints_per_year=[0.0] * n, status=["active"] * n)
    return ibis.memtable(base | cols)


def test_tertiles_by_hand():
    """1..9: P33 = 1 + 8/3 = 3.67, P67 = 1 + 16/3 = 6.33 → 1,2,3 → 1; 4,5,6 → 2; 7,8,9 → 3."""
    t = _table(x=[float(v) for v in range(1, 10)])
    q = t.aggregate(lo=t.x.quantile(1 / 3), hi=t.x.quantile(2 / 3))
    r = t.cross_join(q).mutate(code=code_1_3(ibis._.x, ibis._.lo, ibis._.hi)).order_by("x").to_pandas()
    assert r.lo[0] == pytest.approx(11 / 3) and r.hi[0] == pytest.approx(19 / 3)
    assert list(r.code) == [1, 1, 1, 2, 2, 2, 3, 3, 3]


def test_fixed_cutoffs_nps_by_hand():
    """NPS cut-offs 7 and 9: 0–6 detractor 1, 7–8 passive 2, 9–10 promoter 3; missing stays missing."""
    t = ibis.memtable({"nps": [0.0, 6.0, 7.0, 8.0, 9.0, 10.0, None]})
    r = t.mutate(code=code_1_3(t.nps, ibis.literal(7.0), ibis.literal(9.0), inclusive=False)).to_pandas()
    assert r.code.tolist()[:6] == [1, 1, 2, 2, 3, 3] and r.code.isna().tolist()[-1]


def _vm_table():
    """Ten active customers: margin 1..9 and 9, frequency 9..1 and 9, NPS; c9 has no NPS."""
    return _table(
        customer_id=[f"c{i}" for i in range(10)],
        m=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.0],
        f=[9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 9.0],
        nps=[10.0, 2.0, 9.0, 8.0, 9.0, 9.0, 10.0, 3.0, 7.0, None],
        annual_revenue=[100.0, 200.0, 300.0, 400.0, 500.0, 6000.0, 900.0, 8000.0, 9000.0, 9000.0],
        margin_pct=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.5, 0.4, 0.3, 0.2],
        net_profit=[-5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        complaints_per_year=[3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    )


def _cfg(**kw):
    return ValueMatrixConfig(margin=ValueAxis(measure="m"), frequency=ValueAxis(measure="f"), **kw)


def test_cells_and_groups_by_hand():
    """Margin tertiles of [1..9, 9]: P33 = 4, P67 = 7 → 1–4 → 1, 5–7 → 2, 8–9 → 3; frequency the same cut-offs.
    NPS 10,2,9,8,9,9,10,3,7,– → 3,1,3,2,3,3,3,1,2,–. Median revenue (500 + 900) / 2 = 700, median margin %
    (0.3 + 0.4) / 2 = 0.35, lowest third of margin % ≤ 0.3.

    c0 1-3-3: margin % 0.1 too low for growth; lowest third and 3 complaints → cost.
    c2 1-2-3: revenue 300 ≤ 700 but margin % 0.3 < 0.35 → other.
    c4 2-2-3: revenue 500 ≤ 700, margin % 0.5 → growth. c5, c6 2-1-3: frequency 1, margin % ≥ 0.35 → growth.
    c1 1-3-1 and c7 3-1-1: margin + frequency 4 < 5 → not at risk → other. c9: no NPS → empty cell, no_nps.
    """
    r = ValueMatrixSegmentation(_cfg()).build(_vm_table()).to_pandas().set_index("customer_id")
    assert r.value_cell.to_dict() == {"c0": "1-3-3", "c1": "1-3-1", "c2": "1-2-3", "c3": "1-2-2", "c4": "2-2-3",
                                      "c5": "2-1-3", "c6": "2-1-3", "c7": "3-1-1", "c8": "3-1-2", "c9": ""}
    assert r.value_group.to_dict() == {"c0": "cost", "c1": "other", "c2": "other", "c3": "other",
                                       "c4": "growth", "c5": "growth", "c6": "growth", "c7": "other",
                                       "c8": "other", "c9": "no_nps"}


def test_top_and_at_risk_groups():
    """Values [9,9,9,1,1,1,2,2,2]: P33 = 1.67, P67 = 4.33 → 9 is 3, 2 is 2, 1 is 1 (margin and frequency).
    a 3-3-3 and b 3-3-2 are top; c 3-3-1 is valuable but unhappy: at_risk."""
    v = [9.0, 9.0, 9.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    t = _table(customer_id=list("abcdefghi"), m=v, f=v, nps=[9.0, 8.0, 2.0] + [5.0] * 6,
               annual_revenue=[9e4] * 3 + [10.0] * 6)
    r = ValueMatrixSegmentation(_cfg()).build(t).to_pandas().set_index("customer_id")
    assert r.value_cell[["a", "b", "c", "d", "g"]].tolist() == ["3-3-3", "3-3-2", "3-3-1", "1-1-1", "2-2-1"]
    assert r.value_group[["a", "b", "c"]].tolist() == ["top", "top", "at_risk"]


def test_neutral_nps_fills_the_cell():
    r = ValueMatrixSegmentation(_cfg(nps_missing="neutral")).build(_vm_table()).to_pandas().set_index("customer_id")
    assert r.loc["c9", "value_cell"] == "3-3-2" and r.loc["c9", "satisfaction_source"] == "assumed neutral"
    assert r.loc["c9", "value_group"] == "top"


def test_tertiles_from_active_customers_only():
    """Two inactive customers with margin 0 do not drag the cut-offs down (active: 1..9 → 3.67 / 6.33)."""
    t = _table(customer_id=[f"c{i}" for i in range(11)], m=[float(v) for v in range(1, 10)] + [0.0, 0.0],
               f=[1.0] * 11, nps=[9.0] * 11, status=["active"] * 9 + ["inactive"] * 2)
    seg = ValueMatrixSegmentation(_cfg())
    cuts = seg.cuts(t).to_pandas().iloc[0]
    assert cuts.margin_lo == pytest.approx(11 / 3) and cuts.margin_hi == pytest.approx(19 / 3)
    all_cuts = ValueMatrixSegmentation(_cfg(tertile_base="all")).cuts(t).to_pandas().iloc[0]
    assert all_cuts.margin_lo < 11 / 3


def test_matrix_has_27_cells_with_totals():
    t = _vm_table()
    built = ValueMatrixSegmentation(_cfg()).build(t)
    m = ValueMatrixSegmentation.matrix(built, t.mutate(revenue=t.annual_revenue)).to_pandas()
    assert len(m) == 27 and m.value_cell.iloc[0] == "3-3-3" and m.value_cell.iloc[-1] == "1-1-1"
    assert m.customers.sum() == 9  # c9 has no cell
    row = m.set_index("value_cell").loc["2-1-3"]
    assert row.customers == 2 and row.revenue == pytest.approx(6900.0)
    assert row.revenue_share == pytest.approx(6900 / sum([100, 200, 300, 400, 500, 6000, 900, 8000, 9000, 9000]))


def test_missing_measure_is_named():
    with pytest.raises(SchemaError, match="nps"):
        ValueMatrixSegmentation(_cfg()).build(_vm_table().drop("nps"))
