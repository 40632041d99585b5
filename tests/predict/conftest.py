"""Shared fixtures for the predict tests: the CDNOW sample (Fader, Hardie & Lee 2005) as frames and Ibis tables."""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest

CDNOW = Path("/work/shared/data/cdnow")


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"CDNOW data not found at {path}")
    return path


@pytest.fixture(scope="session")
def cdnow_summary() -> pd.DataFrame:
    """Published per-customer summary: ID, frequency, recency, T (weeks, 39-week calibration)."""
    return pd.read_csv(_need(CDNOW / "cdnow_customers_summary.csv"))


@pytest.fixture(scope="session")
def cdnow_spend() -> pd.DataFrame:
    """ID, x, t_x, T, zbar renamed to the rfm_table column names."""
    df = pd.read_csv(_need(CDNOW / "cdnow_customers_summary_with_transactions.csv"))
    return df.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="session")
def cdnow_lines() -> pd.DataFrame:
    """CDNOW_sample.txt as order lines: customer_id (string), order_date (date), revenue."""
    raw = pd.read_csv(
        _need(CDNOW / "CDNOW_sample.txt"),
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
        dtype={"customer_id": str, "date": str},
    )
    raw["customer_id"] = raw["customer_id"].astype(int).astype(str)
    raw["order_date"] = pd.to_datetime(raw["date"], format="%Y%m%d").dt.date
    return raw[["customer_id", "order_date", "revenue"]]


@pytest.fixture()
def cdnow_table(cdnow_lines: pd.DataFrame) -> ibis.Table:
    return ibis.memtable(cdnow_lines)
