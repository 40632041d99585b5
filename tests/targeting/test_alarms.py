"""The seven alarm signals computed by hand on constructed cases, and ``unknown`` where data is missing.

As-of date 31-12-2025, data from 1-1-2022, thresholds as configured below (``min_cases=2``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from salesfocus.config import TargetingAlarms
from salesfocus.targeting import alarms as al

AS_OF, START = dt.date(2025, 12, 31), dt.date(2022, 1, 1)
CFG = TargetingAlarms(min_cases=2, customers_per_manager=2)
T = pd.Timestamp


def test_status_boundaries():
    assert [al.status(v, 0.25, 0.40, True) for v in (0.2, 0.25, 0.39, 0.40)] == ["green", "amber", "amber", "red"]
    assert [al.status(v, 0.30, 0.15, False) for v in (0.3, 0.29, 0.15, 0.1)] == ["green", "amber", "amber", "red"]
    assert al.status(float("nan"), 1, 2, True) == "unknown"


def test_new_customers_lost_by_hand():
    """Cohort: first order in (1-1-2023, 31-12-2024] (a year after the data starts, a year before as-of).

    n1 left within a year; n2 grew; n3 (two years observed) shrank 200 → 150; n4 has one year observed only;
    old is not new. Bad: n1 and n3 of 4 = 0.5 ≥ 0.40 → red.
    """
    h = pd.DataFrame({
        "customer_id": ["n1", "n2", "n3", "n4", "old"],
        "first_order": [T("2023-03-01"), T("2023-03-01"), T("2023-03-01"), T("2024-06-01"), T("2022-01-03")],
        "last_order": [T("2023-06-01"), T("2025-12-01"), T("2025-12-01"), T("2025-11-01"), T("2023-01-01")],
        "status": ["ex-customer", "active", "active", "active", "ex-customer"],
        "revenue_y1": [50.0, 100.0, 200.0, 100.0, 10.0], "revenue_y2": [0.0, 200.0, 150.0, 0.0, 0.0],
    })
    a = al.new_customers_lost(h, AS_OF, START, CFG)
    assert (a.value, a.status, a.threshold, a.red_threshold) == (0.5, "red", 0.25, 0.40)
    assert "of 4 new customers" in a.explanation and "1 left within a year" in a.explanation
    # with acquired dates the cohort follows them: only n2 and old (acquired 2024) count → old left, n2 grew
    h["acquired_date"] = [T("2020-01-01"), T("2023-03-01"), T("2019-01-01"), T("2018-01-01"), T("2024-01-01")]
    a = al.new_customers_lost(h, AS_OF, START, CFG)
    assert a.value == 0.5 and "acquired" in a.explanation
    assert al.new_customers_lost(h.iloc[:0], AS_OF, START, CFG).status == "unknown"


@pytest.fixture
def leads():
    """2 won (one with both dates), 8 lost, 2 open, 1 not sales related; channels known on 6 of 12 sales leads."""
    n = 13
    return pd.DataFrame({
        "lead_id": [f"L{i}" for i in range(n)],
        "lead_date": [T("2025-01-01")] * n,
        "stage": ["won", "won"] + ["lost"] * 8 + ["lead", "quote", "not_sales_related"],
        "channel": ["website", "referral", "website", "website", "beurs", "beurs", None, None, None, "", None, None,
                    "website"],
        "quote_date": [T("2025-01-05"), None] + [None] * 11,
        "closed_date": [T("2025-01-20"), T("2025-02-01")] + [None] * 11,
    })


def test_conversion_process_and_channels_by_hand(leads):
    c = al.conversion(leads, CFG)
    assert (c.value, c.status) == (0.2, "amber")  # 2 / (2 + 8) below 0.30, not below 0.15
    b = al.buying_process_known(leads, CFG)
    assert (b.value, b.status) == (0.5, "amber") and "no DMU column" in b.explanation
    ch, table = al.channels_known(leads, CFG)
    assert (ch.value, ch.status) == (0.5, "amber")  # 6 of 12 sales leads ('' is unknown)
    t = table.set_index("channel")
    assert t.loc["website", "leads"] == 3 and t.loc["website", "won"] == 1 and t.loc["website", "lost"] == 2
    assert t.loc["(unknown)", "leads"] == 6 and table.channel.iloc[0] == "(unknown)"
    assert t.loc["referral", "win_rate"] == 1.0


def test_signals_without_leads_say_unknown_and_why():
    for fn in (al.conversion, al.buying_process_known):
        a = fn(None, CFG)
        assert a.status == "unknown" and a.value is None and "leads" in a.explanation
    a, table = al.channels_known(None, CFG)
    assert a.status == "unknown" and table is None and "channel" in a.explanation


def test_profile_strength_by_hand():
    """Base 10: Zorg 4, Bouw 6. Top group 2, both Zorg: distance ½(|1 - .4| + |0 - .6|) = 0.6 → green."""
    c = pd.DataFrame({"sector": ["Zorg"] * 4 + ["Bouw"] * 6, "region": ["U"] * 10,
                      "value_group": ["top", "top"] + ["other"] * 8})
    a = al.profile_strength(c, ["sector", "region"], CFG)
    assert a.value == pytest.approx(0.6) and a.status == "green"
    assert "sector" in a.explanation and "Zorg 100% vs 40%" in a.explanation
    assert al.profile_strength(c[["value_group"]], ["sector"], CFG).status == "unknown"


def test_churn_drivers_by_hand():
    """Leavers l1, l2 (not active, a customer a year before their last order); stayers s1, s2.

    Complaints 3, 2 vs 0, 1: every leaver above every stayer → AUC 1. Return share .1, 0 vs .1, 0: pairs
    tie, win, lose, tie → 0.5. Order change (lower is worse) -.5, -.2 vs 0, .1 → AUC 1.
    """
    h = pd.DataFrame({
        "customer_id": ["l1", "l2", "s1", "s2", "young"],
        "status": ["inactive", "ex-customer", "active", "active", "inactive"],
        "first_order": [T("2022-02-01"), T("2022-02-01"), T("2022-02-01"), T("2023-01-01"), T("2024-06-01")],
        "last_order": [T("2024-10-01"), T("2024-06-01"), T("2025-12-20"), T("2025-12-01"), T("2024-09-01")],
        "w_complaints": [3.0, 2.0, 0.0, 1.0, 9.0], "w_tickets": [0.0, 0.0, 0.0, 0.0, 0.0],
        "w_orders": [10, 10, 10, 10, 1], "wp_orders": [20, 12.5, 10, 10 / 1.1, 1],
        "w_returns": [1, 0, 1, 0, 0], "w_invoices": [10, 10, 10, 10, 1], "w_late_invoices": [5, 5, 0, 0, 1],
        "w_revenue": [np.nan] * 5, "w_cost": [np.nan] * 5, "wp_revenue": [np.nan] * 5, "wp_cost": [np.nan] * 5,
    })
    t = al.churn_drivers(h, AS_OF, START, min_cases=2).set_index("driver")
    assert (t.loc["complaints", "leavers"], t.loc["complaints", "stayers"]) == (2, 2)  # 'young' is no leaver
    assert t.loc["complaints", "auc"] == 1.0 and t.loc["complaints", "ratio"] == pytest.approx(2.5 / 0.5)
    assert t.loc["return_share", "auc"] == 0.5
    assert t.loc["order_frequency_change", "auc"] == 1.0
    assert t.loc["late_payment_share", "auc"] == 1.0
    assert np.isnan(t.loc["margin_change_pp", "auc"])  # no cost of goods
    a = al.churn_explained(t.reset_index(), CFG, [])
    assert (a.value, a.status) == (1.0, "green") and "complaints 2.50 vs 0.50" in a.explanation
    none = al.churn_explained(al.churn_drivers(h.iloc[2:4], AS_OF, START, 2), CFG, ["no activities table"])
    assert none.status == "unknown" and "no activities table" in none.explanation


def test_customers_per_manager_by_hand():
    """Capacity 2: a has 3 active (≥ 2.5 → red), b 1 active (+1 inactive); one active without a manager."""
    c = pd.DataFrame({"account_manager": ["a", "a", "a", "b", "b", None],
                      "status": ["active", "active", "active", "active", "inactive", "active"],
                      "target_focus": [True, False, False, True, True, False]})
    a, t = al.customers_per_manager(c, CFG)
    assert (a.value, a.status, a.threshold, a.red_threshold) == (3.0, "red", 2, 2.5)
    assert t.active_customers.tolist() == [3, 1] and t.focus_customers.tolist() == [1, 1]
    assert t.load.tolist() == [1.5, 0.5]
    assert "1 active customers have no account manager" in a.explanation
    a, t = al.customers_per_manager(c.drop(columns="account_manager"), CFG)
    assert a.status == "unknown" and t is None and "account_manager" in a.explanation


def test_alarm_dict_has_the_contract_keys():
    d = al.Alarm("conversion", "green", 0.41234567, 0.3, 0.15, "lower_is_worse", "x").to_dict()
    assert {"name", "signal", "status", "value", "threshold", "explanation"} <= set(d)
    assert d["value"] == 0.4123 and d["signal"] == "conversion"


def test_auc_is_mann_whitney_u_over_pairs():
    """By hand: x = 1, 3, 3 against y = 2, 3: pairs x > y: (3,2) twice; ties (3,3) twice, half each; 3 of 6 = 0.5.
    On larger tied samples: SciPy's mannwhitneyu statistic over len(x) * len(y)."""
    from scipy.stats import mannwhitneyu

    assert al.auc(np.array([1.0, 3, 3]), np.array([2.0, 3])) == pytest.approx(0.5)
    assert al.auc(np.array([5.0, 6]), np.array([1.0, 2, 3])) == 1.0
    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 8, 700).astype(float), rng.integers(1, 9, 400).astype(float)
    assert al.auc(x, y) == pytest.approx(mannwhitneyu(x, y, alternative="two-sided").statistic / (700 * 400),
                                         rel=1e-12)


def test_lead_signals_read_only_the_columns_the_run_brings(leads):
    """The run brings a leads table to pandas with only ``lead_columns`` (the amounts' conversion is slow): the
    lead signals on those columns are those on the whole table, a DMU column (any case) kept."""
    from decimal import Decimal

    full = leads.assign(value=[Decimal("10.5")] * len(leads), DMU_Known=[None, True] + [None] * (len(leads) - 2),
                        customer_id="c1")
    kept = full[al.lead_columns(list(full.columns))]
    assert list(kept.columns) == ["lead_date", "stage", "channel", "quote_date", "closed_date", "DMU_Known"]
    for signal in (al.conversion, al.buying_process_known):
        assert signal(kept, CFG) == signal(full, CFG)
    (a, ta), (b, tb) = al.channels_known(kept, CFG), al.channels_known(full, CFG)
    assert a == b
    pd.testing.assert_frame_equal(ta, tb)
    # the DMU column is read: the won deal with every date has no DMU, the other no quote date (without it: 0.5)
    assert al.buying_process_known(full, CFG).value == 0.0
