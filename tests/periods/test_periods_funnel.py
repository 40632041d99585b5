"""The lead funnel by hand (leads of tests/periods/conftest.py, by year, website online and beurs offline).

    lead  channel  date        stage              quote       closed      value
    L1    website  2024-01-10  won                2024-01-20  2024-02-09  1000   10 days to quote, 30 to won
    L2    website  2024-02-01  lost               -           2024-02-15  -      lost before the quote
    L3    website  2024-03-01  lost               2024-03-11  2024-04-01  500    quoted, then lost
    L4    beurs    2024-04-01  won                -           2024-05-01  2000   won counts as quoted; no quote date
    L5    beurs    2024-04-05  not_sales_related  -           -           -
    L6    (none)   2024-05-01  lead               -           -           -      channel unknown
    L7    beurs    2023-11-01  quote              2023-11-21  -           300    20 days to quote
    L8    website  2024-06-01  won                2024-06-05  -           700    no closed date
"""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from salesfocus.periods import FUNNEL_COLUMNS, funnel_gaps, funnel_table, prepare_leads

from .conftest import leads

R = pytest.approx
N = None


@pytest.fixture(scope="module")
def funnel():
    lt = prepare_leads(ibis.memtable(leads()), "year", dt.date(2024, 12, 31))
    f = funnel_table(lt, {"website": "online", "beurs": "offline"}).to_pandas()
    return f, funnel_gaps(lt).to_pyarrow().to_pylist()[0]


EXPECTED = {  # leads, nsr, quotes, won, lost, l→q, q→w, l→w, days to quote, days to won, value won
    ("website", "2024"): (4, 0, 3, 2, 2, 3 / 4, 2 / 3, 2 / 4, 10, 30, 1700),
    ("website", "all"): (4, 0, 3, 2, 2, 3 / 4, 2 / 3, 2 / 4, 10, 30, 1700),
    ("beurs", "2023"): (1, 0, 1, 0, 0, 1.0, 0.0, 0.0, 20, N, 0),
    ("beurs", "2024"): (2, 1, 1, 1, 0, 1.0, 1.0, 1.0, N, 30, 2000),
    ("beurs", "all"): (3, 1, 2, 1, 0, 1.0, 0.5, 0.5, 20, 30, 2000),
    ("unknown", "2024"): (1, 0, 0, 0, 0, 0.0, N, 0.0, N, N, 0),
    ("unknown", "all"): (1, 0, 0, 0, 0, 0.0, N, 0.0, N, N, 0),
    ("online", "2024"): (4, 0, 3, 2, 2, 3 / 4, 2 / 3, 2 / 4, 10, 30, 1700),
    ("online", "all"): (4, 0, 3, 2, 2, 3 / 4, 2 / 3, 2 / 4, 10, 30, 1700),
    ("offline", "2023"): (1, 0, 1, 0, 0, 1.0, 0.0, 0.0, 20, N, 0),
    ("offline", "2024"): (2, 1, 1, 1, 0, 1.0, 1.0, 1.0, N, 30, 2000),
    ("offline", "all"): (3, 1, 2, 1, 0, 1.0, 0.5, 0.5, 20, 30, 2000),
    ("all", "2023"): (1, 0, 1, 0, 0, 1.0, 0.0, 0.0, 20, N, 0),
    ("all", "2024"): (7, 1, 4, 3, 2, 4 / 6, 3 / 4, 3 / 6, 10, 30, 3700),
    ("all", "all"): (8, 1, 5, 3, 2, 5 / 7, 3 / 5, 3 / 7, 10, 30, 3700),
}


def test_every_funnel_row_by_hand(funnel):
    f, _ = funnel
    assert list(f.columns) == list(FUNNEL_COLUMNS)
    got = {(r.channel, r.period): r for r in f.itertuples()}
    assert set(got) == set(EXPECTED)
    for key, want in EXPECTED.items():
        r = got[key]
        row = (r.leads, r.not_sales_related, r.quotes, r.won, r.lost, r.lead_to_quote, r.quote_to_won, r.lead_to_won,
               r.median_days_to_quote, r.median_days_to_won, r.value_won)
        for g, w in zip(row, want, strict=True):
            assert (w is None and g != g) or g == R(w), (key, row, want)
    assert f.channel.iloc[-1] == "all" and f.period.iloc[-1] == "all"


def test_missing_stage_dates_and_channels_are_reported_not_guessed(funnel):
    _, gaps = funnel
    assert gaps == {"leads": 8, "no_channel": 1, "quote_no_quote_date": 1, "won_no_closed_date": 1,
                    "lost_no_closed_date": 0, "lost_before_quote": 1, "won_no_value": 0, "won_no_customer": 2,
                    "unknown_stage": 0}


def test_leads_after_the_as_of_date_are_left_out():
    lt = prepare_leads(ibis.memtable(leads()), "quarter", dt.date(2024, 3, 31))
    f = funnel_table(lt).to_pandas().set_index(["channel", "period"])
    assert f.loc[("all", "all"), "leads"] == 4  # L1, L2, L3 and L7
    assert f.loc[("all", "2024-Q1"), "quotes"] == 2 and f.loc[("beurs", "2023-Q4"), "quotes"] == 1


def test_funnel_in_a_run_notes_the_gaps_and_values_channels(hand_ctx):
    from .conftest import frame

    assert any(n.startswith("funnel: of the 8 leads, 1 have no channel") for n in hand_ctx.notes)
    ch = frame(hand_ctx, "funnel_channels")
    assert ch.channel.tolist() == ["website"] and ch.won_customers.tolist() == [1]
    assert ch.net_profit.iloc[0] == R(125 - 10)  # E: margin 125, one order at 10
    assert hand_ctx.summary["funnel"]["lost_before_quote"] == 1


def test_channel_money_is_the_same_whatever_order_the_rows_come_in():
    # 1e16 + 1 rounds back to 1e16 as a float, so a float sum gives 0 in the first order and 1 in the second
    from salesfocus.periods.funnel import channel_value

    won = [{"lead_id": f"L{i}", "lead_date": dt.date(2024, 1, 1), "stage": "won", "customer_id": c}
           for i, c in enumerate("ABC")]
    lt = prepare_leads(ibis.memtable(won), "year", dt.date(2024, 12, 31))
    sums = []
    for order in ("ABC", "ACB"):
        profit = {"A": 1e16, "B": 1.0, "C": -1e16}
        customers = ibis.memtable([{"customer_id": c, "revenue": profit[c], "net_profit": profit[c]} for c in order])
        row = channel_value(lt, customers).to_pyarrow().to_pylist()[0]
        sums.append((row["revenue"], row["net_profit"]))
    assert sums == [(1.0, 1.0), (1.0, 1.0)]
    # a profit that is no number (NaN from a NaN input) is left out instead of stopping the run
    customers = ibis.memtable([{"customer_id": "A", "revenue": 5.0, "net_profit": float("nan")},
                               {"customer_id": "B", "revenue": 2.5, "net_profit": 1.5}])
    row = channel_value(lt, customers).to_pyarrow().to_pylist()[0]
    assert (row["revenue"], row["net_profit"], row["won_customers"]) == (7.5, 1.5, 2)
