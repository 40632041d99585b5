"""Retention on the CDNOW sample by quarter equals an independent pandas computation.

CDNOW_sample.txt (../shared/data/cdnow): 2,357 first-time buyers of January–March 1997, every purchase up to
June 1998; columns master id, sample id, yyyymmdd, CDs, dollars. Each row is one order of that customer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

CDNOW = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"
pytestmark = pytest.mark.skipif(not CDNOW.exists(), reason=f"CDNOW sample not found at {CDNOW}")


def _raw() -> pd.DataFrame:
    df = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["master", "cid", "date", "cds", "dollars"],
                     dtype={"date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


def pandas_retention(df: pd.DataFrame) -> pd.DataFrame:
    """Retention per quarter against the one before, computed directly from the transactions."""
    df = df.assign(q=df["date"].dt.to_period("Q"), order=(df.dollars >= 0).astype(int))
    per = df.groupby(["cid", "q"]).agg(revenue=("dollars", "sum"), orders=("order", "sum"))
    revenue = per.revenue.unstack(fill_value=0.0)  # customer × quarter
    active = per.orders.unstack(fill_value=0) >= 1
    first = active.idxmax(axis=1)  # first quarter with an order
    rows = []
    for before, now in zip(revenue.columns[:-1], revenue.columns[1:], strict=True):
        start = active.index[active[before]]
        kept = active.loc[start, now]
        rev_b, rev_n = revenue.loc[start, before], revenue.loc[start, now]
        rows.append({
            "period": f"{now.year}-Q{now.quarter}",
            "customers_start": len(start), "retained": int(kept.sum()), "lost": int((~kept).sum()),
            "new": int((first == now).sum()),
            "customer_retention": kept.sum() / len(start),
            "gross_revenue_retention": rev_n.where(rev_n < rev_b, rev_b).sum() / rev_b.sum(),
            "net_revenue_retention": rev_n.sum() / rev_b.sum(),
        })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def run_frame(tmp_path_factory, monkeypatch_module):
    from salesfocus import pipeline
    from salesfocus.config import Config
    from salesfocus.io.importer import DuckDBEngine
    from salesfocus.io.readers import parse_data_arg
    from salesfocus.periods import run as periods
    from salesfocus.workspace import Workspace

    tmp = tmp_path_factory.mktemp("cdnow")
    df = _raw()
    csv = tmp / "cdnow.csv"
    pd.DataFrame({"customer_id": df.cid.astype(str), "order_id": [f"T{i}" for i in range(len(df))],
                  "order_date": df.date.dt.strftime("%Y-%m-%d"), "revenue": df.dollars.map("{:.2f}".format)}
                 ).to_csv(csv, index=False)
    monkeypatch_module.setattr(pipeline, "_analyses", lambda: [("periods", periods)])
    cfg = Config()
    cfg.periods.period = "quarter"
    cfg.goals = []
    with Workspace(None) as ws:
        run = pipeline.analyze(DuckDBEngine(ws), ws, [parse_data_arg(f"order_lines={csv}")], {}, cfg,
                               as_of=dt.date(1998, 6, 30))
        assert run.meta["summary"]["rows_rejected"] == 0
        yield run.frame("retention"), run.frame("periods"), df


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_cdnow_quarterly_retention_equals_pandas(run_frame):
    retention, periods, df = run_frame
    assert periods.period.tolist() == ["1997-Q1", "1997-Q2", "1997-Q3", "1997-Q4", "1998-Q1", "1998-Q2"]
    assert not periods.partial.any()
    got = retention[retention.group_by == "all"].reset_index(drop=True)
    want = pandas_retention(df)
    assert got.period.tolist() == want.period.tolist()
    for c in ("customers_start", "retained", "lost", "new"):
        assert got[c].astype(int).tolist() == want[c].tolist(), c
    for c in ("customer_retention", "gross_revenue_retention", "net_revenue_retention"):
        assert got[c].tolist() == pytest.approx(want[c].tolist(), rel=1e-12), c
    assert want.customers_start.iloc[0] == 2357  # every sampled customer bought first in 1997-Q1


def test_cdnow_cohort_rows_add_up_to_the_whole_base(run_frame):
    retention, _, _ = run_frame
    all_ = retention[retention.group_by == "all"].set_index("period")
    coh = retention[retention.group_by == "cohort"].groupby("period")[["customers_start", "retained", "new"]].sum()
    assert (coh.values == all_[["customers_start", "retained", "new"]].values).all()
