"""Pyramid levels and A/B/C per month, two years of random orders, against pandas ranking each month on its own.

The analysis ranks every period in one windowed query (partitioned by period); the reference below cuts each
month separately, straight from the definitions in docs/periods.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from salesfocus.config import Config
from salesfocus.model import Dataset, RunContext
from salesfocus.workspace import Workspace

QUESTIONS = ("margin", "speed", "innovation", "network")
AS_OF = dt.date(2024, 12, 31)


ALL_ANSWERED = {"margin": "orders", "speed": "invoices", "innovation": "survey", "network": "survey"}
# the data answered margin and speed; nobody innovation or network (m = 2)
TWO_ANSWERED = {"margin": "orders", "speed": "invoices", "innovation": "none", "network": "none"}


def _data(source: dict[str, str], seed: int = 11):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        for _ in range(int(rng.integers(0, 14))):
            day = dt.date(2023, 1, 1) + dt.timedelta(days=int(rng.integers(0, 731)))
            rev = int(rng.integers(10, 1000)) * (-1 if rng.random() < 0.1 else 1)
            rows.append((f"C{i:02d}", day, rev))
    ids = sorted({c for c, _, _ in rows})
    yes = {c: rng.random(4) < 0.5 for c in ids}
    potential = {c: float(rng.choice([0, 0, 500, 2500])) for c in ids}
    return rows, ids, yes, potential, source


def _context(rows, ids, yes, potential, source) -> RunContext:
    money = pa.decimal128(18, 4)
    lines = pa.table({
        "customer_id": [c for c, _, _ in rows], "order_id": [f"O{i}" for i in range(len(rows))],
        "order_date": pa.array([d for _, d, _ in rows], pa.date32()), "product_id": ["P"] * len(rows),
        "product_group": ["G"] * len(rows), "quantity": [1.0] * len(rows),
        "revenue": pa.array([Decimal(r) for _, _, r in rows], money),
        "cost": pa.array([Decimal(r) / 2 for _, _, r in rows], money),
        "is_return": [r < 0 for _, _, r in rows],
    })
    cols = {
        "customer_id": ids, "account_manager": ["Ann"] * len(ids),
        "first_order": pa.array([min(d for c, d, _ in rows if c == x) for x in ids], pa.date32()),
        "orders": pa.array([sum(1 for c, _, r in rows if c == x and r >= 0) for x in ids], pa.int64()),
        "cost_to_serve": [0.0] * len(ids), "net_profit": [0.0] * len(ids), "status": ["active"] * len(ids),
        "abc_potential": [potential[c] for c in ids],
    }
    for i, q in enumerate(QUESTIONS):
        cols[f"{q}_yes"] = [bool(yes[c][i]) and source[q] != "none" for c in ids]
        cols[f"{q}_source"] = [source[q]] * len(ids)
    ws = Workspace(None)
    ws.write("order_lines", lines)
    cfg = Config()
    cfg.pyramid.levels = [("top", 0.5), ("middle", 0.8), ("rest", 1.0)]
    cfg.goals = []
    cfg.periods.period = "month"
    ctx = RunContext.start(ws, cfg, Dataset({"order_lines": ws.table("order_lines")}, AS_OF), pa.table(cols))
    ctx.summary["engine"] = "duckdb"
    return ctx


def _reference(rows, yes, potential, source, levels) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(customer, month) -> (pyramid level, A/B/C), every month cut on its own."""
    o = pd.DataFrame(rows, columns=["customer_id", "day", "revenue"])
    o["period"] = o.day.map(lambda d: f"{d.year}-{d.month:02d}")
    g = o.groupby(["customer_id", "period"]).agg(revenue=("revenue", "sum"),
                                                 orders=("revenue", lambda r: int((r >= 0).sum()))).reset_index()
    m = sum(1 for q in QUESTIONS if source[q] != "none")
    a_min, c_max = math.ceil(2 * m / 4), math.floor(2 * m / 4)
    out = {}
    for period, p in g.groupby("period"):
        year, month = map(int, period.split("-"))
        days = calendar.monthrange(year, month)[1]
        act = p[p.orders >= 1].copy()
        act["pos"] = act.revenue.clip(lower=0).astype(float)
        act = act.sort_values(["pos", "customer_id"], ascending=[False, True])
        share = (act.pos.cumsum() - act.pos) / act.pos.sum()
        act["level"] = [next((name for name, upper in levels[:-1] if pos > 0 and s < upper), levels[-1][0])
                        for pos, s in zip(act.pos, share, strict=True)]
        act["y"] = act.revenue.astype(float) * 365.25 / days + act.customer_id.map(potential)
        act = act.sort_values(["y", "customer_id"], ascending=[False, True])
        before = act.y.cumsum() - act.y
        high_y = act.y[(before < act.y.sum() * 0.8) & (act.y > 0)]
        boundary = high_y.min() if len(high_y) else math.inf
        for r in act.itertuples():
            n_yes = sum(bool(yes[r.customer_id][i]) and source[q] != "none" for i, q in enumerate(QUESTIONS))
            high = r.y > 0 and r.y >= boundary
            seg = "A" if high and n_yes >= a_min else "C" if not high and n_yes <= c_max else "B"
            out[(r.customer_id, period)] = (r.level, seg)
        for r in p[p.orders < 1].itertuples():
            out[(r.customer_id, period)] = ("inactive", None)
    return out


@pytest.mark.parametrize("source", [ALL_ANSWERED, TWO_ANSWERED], ids=["m=4", "m=2"])
def test_levels_and_segments_per_month_match_cutting_each_month_alone(source):
    from salesfocus.periods import run

    data = _data(source)
    ctx = _context(*data)
    run(ctx)
    cp = ctx.tables["customer_periods"].to_pandas()
    assert cp.period.nunique() == 24
    got = {(r.customer_id, r.period): (r.pyramid_level, None if pd.isna(r.abc_segment) else r.abc_segment)
           for r in cp.itertuples()}
    want = _reference(data[0], *data[2:], ctx.config.pyramid.levels)
    assert got == want
    # the months do differ: each has its own boundary, and all three levels and segments occur
    assert {v[0] for v in want.values()} == {"top", "middle", "rest", "inactive"}
    assert {v[1] for v in want.values()} == {"A", "B", "C", None}
