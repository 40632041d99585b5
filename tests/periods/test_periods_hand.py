"""The hand-made three-year example (tests/periods/conftest.py): every migration cell, retention figure and goal.

Pyramid per year (top while the share before is below 60%):
  2022: A 600 (0) top, B 300 (.50) top, F 200 (.75) rest, C 100 (.92) rest
  2023: A 500 (0) top, D 400 (.45) top, B 100 (.82) rest, G 100 (.91) rest   (B before G on the id tie)
  2024: A 700 (0) top, G 600 (.39) top, E 250 (.72) rest, C 200 (.86) rest, D 50 (.97) rest
A/B/C per year (high while the Y before is below 80% of the total; A = high and ≥2 yes, C = low and ≤2 yes):
  2022: A high 4 yes A; B high 0 B; F high 0 B; C low 3 B
  2023: A high A; D high 2 A; B low 0 C; G low 2 C
  2024: A high A; G high 2 A; E high 1 B; C low 3 B; D low 2 C
"""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import ORDERS, frame, make_context

R = pytest.approx


def _cells(df, dim):
    d = df[df.dimension == dim]
    return {(r.from_period, r.to_period, r.from_level, r.to_level): (r.customers, r.revenue_from, r.revenue_to)
            for r in d.itertuples()}


def test_every_pyramid_migration_cell(hand_ctx):
    got = _cells(frame(hand_ctx, "migration"), "pyramid")
    assert got == {
        ("2022", "2023", "top", "top"): (1, 600, 500),         # A
        ("2022", "2023", "top", "rest"): (1, 300, 100),        # B
        ("2022", "2023", "rest", "lost"): (2, 300, -50),       # C, F (F's credit note in 2023)
        ("2022", "2023", "new", "top"): (1, 0, 400),           # D
        ("2022", "2023", "new", "rest"): (1, 0, 100),          # G
        ("2023", "2024", "top", "top"): (1, 500, 700),         # A
        ("2023", "2024", "top", "rest"): (1, 400, 50),         # D
        ("2023", "2024", "rest", "top"): (1, 100, 600),        # G
        ("2023", "2024", "rest", "lost"): (1, 100, 0),         # B
        ("2023", "2024", "prospect", "rest"): (1, 0, 250),     # E, a prospect since 2023-06-01
        ("2023", "2024", "reactivated", "rest"): (1, 0, 200),  # C
    }


def test_every_abc_migration_cell(hand_ctx):
    got = _cells(frame(hand_ctx, "migration"), "abc")
    assert got == {
        ("2022", "2023", "A", "A"): (1, 600, 500),
        ("2022", "2023", "B", "C"): (1, 300, 100),
        ("2022", "2023", "B", "lost"): (2, 300, -50),
        ("2022", "2023", "new", "A"): (1, 0, 400),
        ("2022", "2023", "new", "C"): (1, 0, 100),
        ("2023", "2024", "A", "A"): (1, 500, 700),
        ("2023", "2024", "A", "C"): (1, 400, 50),
        ("2023", "2024", "C", "A"): (1, 100, 600),
        ("2023", "2024", "C", "lost"): (1, 100, 0),
        ("2023", "2024", "prospect", "B"): (1, 0, 250),
        ("2023", "2024", "reactivated", "B"): (1, 0, 200),
    }


def test_customers_behind_the_cells(hand_ctx):
    mc = frame(hand_ctx, "migration_customers")
    cell = lambda d, t, f, to: sorted(mc[(mc.dimension == d) & (mc["to_period"] == t) & (mc.from_level == f)  # noqa: E731
                                         & (mc.to_level == to)].customer_id)
    assert cell("pyramid", "2023", "rest", "lost") == ["C", "F"]
    assert cell("pyramid", "2024", "rest", "top") == ["G"]
    assert cell("abc", "2024", "reactivated", "B") == ["C"]
    assert len(mc) == 24  # 11 cells per dimension, one customer each except C and F lost together
    m = frame(hand_ctx, "migration")
    assert m.groupby("dimension").customers.sum().to_dict() == {"abc": 12, "pyramid": 12}


def test_customer_periods_keep_every_period_with_orders(hand_ctx):
    cp = frame(hand_ctx, "customer_periods")
    assert len(cp) == 14
    f23 = cp[(cp.customer_id == "F") & (cp.period == "2023")].iloc[0]
    assert (f23.active, f23.pyramid_level, f23.revenue, f23.orders) == (False, "inactive", -50, 0)
    assert cp[cp.period == "2024"].set_index("customer_id").abc_segment.to_dict() == {
        "A": "A", "G": "A", "E": "B", "C": "B", "D": "C"}
    p = frame(hand_ctx, "periods")
    assert p.period.tolist() == ["2022", "2023", "2024"] and not p.partial.any()


RETENTION = {  # (period, group_by, group): customers_start, retained, lost, new, CR, GRR, NRR
    ("2023", "all", "all"): (4, 2, 2, 2, 0.5, 550 / 1200, 550 / 1200),
    ("2024", "all", "all"): (4, 3, 1, 1, 0.75, 650 / 1100, 1350 / 1100),
    ("2023", "segment", "A"): (1, 1, 0, 1, 1.0, 500 / 600, 500 / 600),
    ("2023", "segment", "B"): (3, 1, 2, 0, 1 / 3, 50 / 600, 50 / 600),
    ("2023", "segment", "C"): (0, 0, 0, 1, None, None, None),
    ("2024", "segment", "A"): (2, 2, 0, 0, 1.0, 550 / 900, 750 / 900),
    ("2024", "segment", "B"): (0, 0, 0, 1, None, None, None),  # C reactivated and E new are B now
    ("2024", "segment", "C"): (2, 1, 1, 0, 0.5, 100 / 200, 600 / 200),
    ("2023", "account_manager", "Ann"): (2, 2, 0, 1, 1.0, 600 / 900, 600 / 900),
    ("2023", "account_manager", "Bob"): (2, 0, 2, 1, 0.0, -50 / 300, -50 / 300),
    ("2024", "account_manager", "Ann"): (3, 2, 1, 0, 2 / 3, 600 / 700, 1300 / 700),
    ("2024", "account_manager", "Bob"): (1, 1, 0, 1, 1.0, 50 / 400, 50 / 400),
    ("2023", "cohort", "2022"): (4, 2, 2, 0, 0.5, 550 / 1200, 550 / 1200),
    ("2023", "cohort", "2023"): (0, 0, 0, 2, None, None, None),
    ("2024", "cohort", "2022"): (2, 1, 1, 0, 0.5, 500 / 600, 700 / 600),
    ("2024", "cohort", "2023"): (2, 2, 0, 0, 1.0, 150 / 500, 650 / 500),
    ("2024", "cohort", "2024"): (0, 0, 0, 1, None, None, None),
}


def _none(v):
    return None if v != v else v  # NaN → None


def test_every_retention_figure(hand_ctx):
    r = frame(hand_ctx, "retention")
    assert list(r.columns) == ["period", "group_by", "group", "customers_start", "retained", "lost", "new",
                               "customer_retention", "gross_revenue_retention", "net_revenue_retention", "partial"]
    got = {(x.period, x.group_by, x.group): (x.customers_start, x.retained, x.lost, x.new, _none(x.customer_retention),
                                             _none(x.gross_revenue_retention), _none(x.net_revenue_retention))
           for x in r.itertuples()}
    assert set(got) == set(RETENTION)
    for key, want in RETENTION.items():
        assert got[key][:4] == want[:4], key
        for g, w in zip(got[key][4:], want[4:], strict=True):
            assert (g is None and w is None) or g == R(w), key
    assert not r.partial.any()
    assert r.group_by.tolist()[:4] == ["all", "segment", "segment", "segment"]


def test_cohort_table(hand_ctx):
    c = frame(hand_ctx, "cohorts")
    got = [(x.cohort, x.period, x.periods_since, x.customers, x.active, x.share_active, x.revenue, x.revenue_index)
           for x in c.itertuples()]
    assert got == [
        ("2022", "2022", 0, 4, 4, 1.0, 1200, 1.0),
        ("2022", "2023", 1, 4, 2, 0.5, 550, R(550 / 1200)),  # F's credit note counts in the cohort's revenue
        ("2022", "2024", 2, 4, 2, 0.5, 900, 0.75),            # A and C
        ("2023", "2023", 0, 2, 2, 1.0, 500, 1.0),
        ("2023", "2024", 1, 2, 2, 1.0, 650, 1.3),
        ("2024", "2024", 0, 1, 1, 1.0, 250, 1.0),
    ]


GOALS = [  # actual, progress, status, missing
    (0.75, 0.75 / 0.9, "not met", "1 more of the 4 customers of 2023 retained"),
    (1, 0.5, "not met", "1 more top customer"),                          # G rose from rest
    (2, 1.0, "met", ""),                                                 # P2, P3 (P4 is a re-listed ex-customer)
    (1, 1.0, "met", ""),                                                 # P3
    (1.0, 1 / 0.9, "met", ""),                                           # Ann kept A and B in 2023
    (0.125, 0.125, "not met", "€ 350 more revenue from the customers of 2023"),  # D: 400 → 50
    (1, 1.0, "met", ""),                                                 # G rest → top
    (2, 2 / 3, "not met", "1 more new customer"),                        # D, G
    (1800, 0.9, "not met", "€ 200 more revenue"),
    (850, 850 / 800, "met", ""),                                         # margin 900 - 5 orders × 10
    (550 / 900, 550 / 900 / 0.5, "met", ""),                             # the A customers of 2023: A, D
    (None, None, "unknown", "period 2026 is not in the data (2022 to 2024)"),
    (None, None, "unknown", "the prospects table has no account manager or segment: set owner = 'company'"),
    (None, None, "unknown", "no period before 2022 in the data to compare with"),
    (1, 1.0, "met", ""),                                                 # E, new at level rest
]


def test_every_goal(hand_ctx):
    g = frame(hand_ctx, "goals")
    assert list(g.columns) == ["goal", "kind", "owner", "period", "target", "actual", "progress", "status", "missing"]
    assert len(g) == len(GOALS)
    for row, (actual, progress, status, missing) in zip(g.itertuples(), GOALS, strict=True):
        assert (row.status, row.missing) == (status, missing), row.goal
        assert (_none(row.actual) is None) == (actual is None), row.goal
        if actual is not None:
            assert (row.actual, row.progress) == (R(actual), R(progress)), row.goal
    assert g.period.tolist()[:4] == ["2024"] * 4 and g.owner.tolist()[4:6] == ["Ann", "Bob"]
    assert g.goal[0] == "customer retention 90% (company)"
    assert hand_ctx.summary["goals"] == {"met": 7, "total": 15}


def test_scorecard_per_account_manager(hand_ctx):
    s = frame(hand_ctx, "scorecard").set_index(["account_manager", "period"])
    ann, bob = s.loc[("Ann", "2024")], s.loc[("Bob", "2024")]
    cols = ["customers_start", "retained", "lost", "new_customers", "reactivated", "active", "moved_up",
            "moved_down", "new_top_customers", "revenue", "revenue_before", "gross_margin", "goals", "goals_met"]
    assert ann[cols].tolist() == [3, 2, 1, 0, 0, 2, 1, 0, 1, 1300, 700, 650, 1, 0]
    assert bob[cols].tolist() == [1, 1, 0, 1, 1, 3, 0, 1, 0, 500, 350, 250, 1, 0]
    assert ann.customer_retention == R(2 / 3) and bob.net_revenue_retention == R(0.125)
    assert s.loc[("Ann", "2023")][["goals", "goals_met"]].tolist() == [1, 1]
    assert _none(s.loc[("Ann", "2022")].customer_retention) is None


def test_projection_is_a_labelled_markov_step(hand_ctx):
    p = frame(hand_ctx, "projection")
    assert set(p.label) == {"projection"} and set(p.period) == {"2025"} and set(p.from_period) == {"2024"}
    assert set(p.basis) == {"transition rates 2023 → 2024"}
    pyr = p[p.dimension == "pyramid"].set_index("level")
    # top→top ½, top→rest ½; rest→top ½, rest→lost ½; now top 2 (A, G), rest 3; inflow rest 2 (E, C)
    assert pyr.customers_projected.to_dict() == {"top": 2.5, "rest": 3.0, "lost": 1.5}
    assert pyr.customers_now.to_dict() == {"top": 2, "rest": 3, "lost": 0}
    abc = p[p.dimension == "abc"].set_index("level")
    # A→A ½, A→C ½, C→A ½, C→lost ½; B had nobody in 2023 so its 2 stay; inflow B 2
    assert abc.customers_projected.to_dict() == {"A": 1.5, "B": 4.0, "C": 1.0, "lost": 0.5}


def test_summary(hand_ctx):
    s = hand_ctx.summary
    assert s["retention"] == {"period": "2024", "customer_retention": 0.75,
                              "gross_revenue_retention": round(650 / 1100, 4),
                              "net_revenue_retention": round(1350 / 1100, 4)}
    assert s["migration"] == {"from_period": "2023", "to_period": "2024", "partial": False, "up": 1, "down": 1,
                              "same": 1, "new": 1, "from_prospects": 1, "reactivated": 1, "lost": 1}
    assert s["periods"] == {"period": "year", "count": 3, "first": "2022", "last": "2024", "last_partial": False}


def test_partial_last_period():
    """As of 2024-06-30 the 2024 figures are the same (every 2024 order is before it) but partial."""
    from salesfocus.periods import run
    ctx = make_context(dt.date(2024, 6, 30))
    run(ctx)
    r = frame(ctx, "retention")
    assert r[r.period == "2024"].partial.all() and not r[r.period == "2023"].partial.any()
    assert ctx.summary["retention"]["period"] == "2023"  # the last complete period
    assert ctx.summary["migration"]["partial"] is True
    g = frame(ctx, "goals")
    assert g.status[0] == "in progress" and g.status[2] == "met"
    assert frame(ctx, "periods").days.tolist() == [365, 365, 182]
    assert ctx.tables["projection"] is not None and frame(ctx, "projection").from_period.unique().tolist() == ["2023"]


def test_without_segments_or_prospects_it_notes_what_is_left_out():
    from salesfocus.periods import run
    ctx = make_context(segments=False, with_prospects=False, goals=[])
    run(ctx)
    m = frame(ctx, "migration")
    assert set(m.dimension) == {"pyramid"}
    assert ("2023", "2024", "new", "rest") in _cells(m, "pyramid")  # E is new: nothing says it was a prospect
    assert any("no A/B/C segments" in n for n in ctx.notes)
    r = frame(ctx, "retention")
    assert set(r[r.group_by == "segment"].group) == {"top", "rest"}  # segment rows fall back to the pyramid
    assert "goals" not in ctx.tables and ctx.summary["goals"] == {"met": 0, "total": 0}


def test_abc_per_period_scales_to_the_questions_the_run_could_answer():
    """With order lines only the data answers margin alone (m = 1): A needs ceil(2·1/4) = 1 yes and C at most
    floor(2·1/4) = 0, as in the run's own A/B/C. Every customer but B and F has margin yes. 2024: A, G and E
    are high (1 yes: A); C and D low with 1 yes: B. Against all four questions they would be B, B, B, C, C."""
    from salesfocus.periods import run
    ctx = make_context(goals=[], only_margin=True)
    run(ctx)
    cp = frame(ctx, "customer_periods")
    assert cp[cp.period == "2024"].set_index("customer_id").abc_segment.to_dict() == {
        "A": "A", "G": "A", "E": "A", "C": "B", "D": "B"}
    # 2023: A 500 high, D 400 high (before 500 < 800), B and G low (before 900 >= 800); B has no yes: C;
    # F (a credit note only) is not active, so it has no segment
    assert cp[cp.period == "2023"].set_index("customer_id").abc_segment.dropna().to_dict() == {
        "A": "A", "D": "A", "B": "C", "G": "B"}


def test_quarters_label_and_split_the_same_orders():
    from salesfocus.periods import run
    ctx = make_context(period="quarter", goals=[], segments=False)
    run(ctx)
    p = frame(ctx, "periods")
    assert p.period.tolist()[0] == "2022-Q1" and p.period.tolist()[-1] == "2024-Q4" and len(p) == 12
    cp = frame(ctx, "customer_periods")
    assert cp[cp.customer_id == "G"].period.tolist() == ["2023-Q3", "2024-Q1"]
    assert cp.revenue.sum() == sum(r for _, _, r in ORDERS)



def test_move_counts_of_the_cells_equal_those_of_the_customers():
    import ibis

    from salesfocus.periods import move_counts

    mv = ibis.memtable({"period_index": [1, 1, 1, 1, 1, 1, 1, 2],
                        "from_level": ["top", "top", "rest", "new", "prospect", "reactivated", "rest", "top"],
                        "to_level": ["rest", "top", "top", "top", "rest", "rest", "lost", "top"]})
    cells = mv.group_by(["period_index", "from_level", "to_level"]).aggregate(customers=mv.count())
    each = move_counts(mv, ["top", "rest"], 1).to_pyarrow().to_pylist()[0]
    assert each == {"up": 1, "down": 1, "same": 1, "new": 2, "from_prospects": 1, "reactivated": 1, "lost": 1}
    assert move_counts(cells, ["top", "rest"], 1, weight="customers").to_pyarrow().to_pylist()[0] == each
