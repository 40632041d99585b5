"""Weighted scores and contributions by hand, renormalisation of unscored criteria, ranking, focus, stability.

Hand-worked portfolio (three segments):

=====  =======  ======  ========  ===========  =========
seg    revenue  margin  win rate  cycle days   usp (1-5)
=====  =======  ======  ========  ===========  =========
A        100     30      0.5        30          5
B        200     20      0.3        60          3
C        300     10      0.1        90          —
=====  =======  ======  ========  ===========  =========

Normalised (min-max; cycle days reversed; usp (score - 1) / 4): revenue 0, .5, 1; margin 1, .5, 0;
win rate 1, .5, 0; cycle 1, .5, 0; usp 1, .5, —.

Attractiveness, weights revenue 3 and margin 1 (sum 4): A = 100·(3·0 + 1·1)/4 = 25 (revenue 0, margin 25);
B = 100·(1.5 + .5)/4 = 50 (37.5, 12.5); C = 100·3/4 = 75 (75, 0).
Likelihood, weights win 2, cycle 1, usp 1: A = 100·(2 + 1 + 1)/4 = 100 (50, 25, 25); B = 50 (25, 12.5, 12.5);
C has no usp score, so its weights renormalise over 3: 100·0/3 = 0 (0, 0, —).
Mean of the two: A 62.5, B 50, C 37.5 → with one focus segment, A.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesfocus.errors import NotFittedError
from salesfocus.targeting import Portfolio, normalise, weight_stability, weighted_scores

AW = {"revenue_per_customer_year": 3, "margin_pct": 1}
LW = {"win_rate": 2, "sales_cycle_days": 1, "usp_match": 1}


@pytest.fixture
def criteria():
    return pd.DataFrame({"revenue_per_customer_year": [100.0, 200.0, 300.0], "margin_pct": [30.0, 20.0, 10.0],
                         "win_rate": [0.5, 0.3, 0.1], "sales_cycle_days": [30.0, 60.0, 90.0],
                         "usp_match": [5.0, 3.0, np.nan]}, index=pd.Index(["A", "B", "C"], name="segment"))


def fit(criteria, aw=AW, lw=LW, **kw):
    kw = {"reverse": ["sales_cycle_days"], "focus_count": 1, **kw}
    return Portfolio(aw, lw, **kw).fit(criteria)


def test_scores_and_contributions_by_hand(criteria):
    t = fit(criteria).table_
    assert t.attractiveness.tolist() == pytest.approx([25.0, 50.0, 75.0])
    assert t.attr_revenue_per_customer_year.tolist() == pytest.approx([0.0, 37.5, 75.0])
    assert t.attr_margin_pct.tolist() == pytest.approx([25.0, 12.5, 0.0])
    assert t.likelihood.tolist() == pytest.approx([100.0, 50.0, 0.0])
    assert t.like_win_rate.tolist() == pytest.approx([50.0, 25.0, 0.0])
    assert t.like_sales_cycle_days.tolist() == pytest.approx([25.0, 12.5, 0.0])
    assert t.like_usp_match.tolist()[:2] == pytest.approx([25.0, 12.5]) and np.isnan(t.like_usp_match["C"])
    assert t.score.tolist() == pytest.approx([62.5, 50.0, 37.5])
    assert t.focus.tolist() == [True, False, False] and t["rank"].tolist() == [1, 2, 3]


def test_contributions_add_up_to_the_scores(criteria):
    t = fit(criteria).table_
    for axis, pre in (("attractiveness", "attr_"), ("likelihood", "like_")):
        parts = t[[c for c in t.columns if c.startswith(pre)]].sum(axis=1)
        assert parts.tolist() == pytest.approx(t[axis].tolist())
        assert t[axis].between(0, 100).all()


def test_an_unscored_criterion_is_left_out_not_zero(criteria):
    p = fit(criteria.assign(usp_match=np.nan))
    assert p.left_out_ == {"usp_match": "not scored"}
    assert "like_usp_match" not in p.table_
    # A: (2·1 + 1·1) / 3 = 100, not (2 + 1 + 0) / 4 = 75
    assert p.table_.likelihood["A"] == pytest.approx(100.0)
    w = p.weights_table().set_index(["axis", "criterion"])
    assert not w.loc[("likelihood", "usp_match"), "used"]
    assert w.loc[("likelihood", "win_rate"), "share_pct"] == 66.67  # 2 of the 3 weight left, rounded


@pytest.mark.parametrize("criterion, weight, winner", [
    (None, None, "A"),  # all tie at 50/50: by name
    ("revenue_per_customer_year", 3, "C"),
    ("margin_pct", 3, "A"),
    ("sales_cycle_days", 3, "C"),
    ("win_rate", 3, "A"),
])
def test_raising_one_weight_moves_the_ranking_as_it_must(criteria, criterion, weight, winner):
    aw = {"revenue_per_customer_year": 1, "margin_pct": 1}
    lw = {"win_rate": 1, "sales_cycle_days": 1}
    c = criteria.assign(sales_cycle_days=[90.0, 60.0, 30.0])  # C is fastest now
    if criterion:
        (aw if criterion in aw else lw)[criterion] = weight
    p = fit(c, aw, lw)
    assert p.focus_ == [winner]


def test_focus_skips_ineligible_and_honours_the_users_choice(criteria):
    eligible = pd.Series([False, True, True], index=criteria.index)
    assert Portfolio(AW, LW, reverse=["sales_cycle_days"], focus_count=1).fit(criteria, eligible).focus_ == ["B"]
    p = fit(criteria, focus=["C", "Z"])
    assert p.focus_ == ["C"] and p.unknown_focus_ == ["Z"]


def test_a_segment_without_any_criterion_on_an_axis_sits_in_the_middle(criteria):
    c = criteria.copy()
    c.loc["D"] = [np.nan] * len(c.columns)
    c.loc["D", "win_rate"] = 0.3
    t = fit(c).table_
    assert t.attractiveness["D"] == 50.0 and t.attr_unmeasured["D"] == 50.0 and np.isnan(t.attr_unmeasured["A"])
    assert not t.eligible["D"]


def test_normalise_variants():
    v = pd.Series([10.0, 30.0, 20.0, np.nan])
    assert normalise(v).tolist()[:3] == [0.0, 1.0, 0.5] and np.isnan(normalise(v)[3])
    assert normalise(v, method="rank").tolist()[:3] == [0.0, 1.0, 0.5]
    assert normalise(v, reverse=True).tolist()[:3] == [1.0, 0.0, 0.5]
    assert normalise(pd.Series([2.0, 2.0])).isna().all()  # cannot tell segments apart
    assert normalise(pd.Series([1.0, 5.0, 4.0]), judged=True).tolist() == [0.0, 1.0, 0.75]


def test_weighted_scores_docstring_case():
    s, c = weighted_scores(pd.DataFrame({"a": [1.0, 1.0], "b": [0.5, None]}), {"a": 3, "b": 1})
    assert s.tolist() == [87.5, 100.0] and c.a.tolist() == [75.0, 100.0]


def test_prospect_likelihood_uses_its_own_lookalike(criteria):
    c = criteria.assign(lookalike=[10.0, 20.0, 30.0])
    p = Portfolio(AW, {"win_rate": 1, "lookalike": 1}, focus_count=1).fit(c)
    segs = pd.Series(["A", "A", "C"], index=[0, 1, 2])
    own = {"lookalike": pd.Series([30.0, np.nan, 40.0], index=[0, 1, 2])}
    score, contrib = p.score_rows(segs, own)
    # A's win rate x = 1; own look-alike 30 → x = 1 (clipped at the segments' max) or A's own 10 → 0
    assert score.tolist() == pytest.approx([100.0, 50.0, 50.0])
    assert contrib.sum(axis=1).tolist() == pytest.approx(score.tolist())


def test_transform_before_fit_raises():
    with pytest.raises(NotFittedError):
        Portfolio(AW, LW).transform("margin_pct", pd.Series([1.0]))


# -- stability ---------------------------------------------------------------------------------------------------
def test_stability_is_one_for_a_clear_winner(criteria):
    p = fit(criteria.assign(revenue_per_customer_year=[300.0, 200.0, 100.0]))  # A best on every criterion
    s = weight_stability(p.normalised_, AW, LW, p.eligible_, p.focus_, draws=500, spread=0.25, seed=1)
    assert p.focus_ == ["A"]
    assert s.loc["A", "stability"] == 1.0 and s.loc["A", "focus_share"] == 1.0
    assert s.stability.between(0, 1).all() and s.loc["B", "stability"] == 1.0


def test_stability_of_a_close_call_is_between_zero_and_one_and_seeded(criteria):
    aw = {"revenue_per_customer_year": 1, "margin_pct": 1}
    lw = {"win_rate": 1, "sales_cycle_days": 1}
    c = criteria.assign(sales_cycle_days=[90.0, 60.0, 30.0], revenue_per_customer_year=[100.0, 200.0, 310.0])
    p = fit(c, aw, lw)
    s1 = weight_stability(p.normalised_, aw, lw, p.eligible_, p.focus_, draws=400, seed=7)
    s2 = weight_stability(p.normalised_, aw, lw, p.eligible_, p.focus_, draws=400, seed=7)
    pd.testing.assert_frame_equal(s1, s2)
    chosen = p.focus_[0]
    assert 0.0 < s1.loc[chosen, "stability"] < 1.0
    assert s1.focus_share.sum() == pytest.approx(1.0)  # one focus segment per draw


def test_no_draws_gives_no_stability(criteria):
    p = fit(criteria)
    s = weight_stability(p.normalised_, AW, LW, p.eligible_, p.focus_, draws=0)
    assert s.stability.isna().all()
