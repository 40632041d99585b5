"""rfm_table / holdout_orders: hand-worked tiny table, the CDNOW summary, SQL compilation and Spark."""

from __future__ import annotations

import datetime as dt
import os

import ibis
import numpy as np
import pandas as pd
import pytest

from salesfocus.errors import InputError
from salesfocus.predict import holdout_orders, rfm_table

D = dt.date
CAL_END = D(2024, 1, 31)


def tiny_lines() -> pd.DataFrame:
    """Order lines worked out by hand (calibration end 2024-01-31, holdout end 2024-02-29).

    Customer A: 01-01 (lines 10 + 5 → one purchase day worth 15), 01-08 (20), 01-15 (30 + 10 → 40),
        02-05 (100, after calibration end).
        Calibration purchase days 01-01, 01-08, 01-15 → frequency 2; recency 14 days = 2 weeks;
        T = 01-01 → 01-31 = 30 days = 30/7 weeks; monetary = mean of repeat days (20 + 40) / 2 = 30.
        Holdout (02-01 … 02-29): one purchase day (02-05) → holdout_frequency 1.
    Customer B: two orders on 01-31 (50 + 25): one purchase day on the calibration end →
        frequency 0, recency 0, T 0, monetary 0 (no repeat purchase); holdout 0.
    Customer C: 01-10 (7.5) and 01-24 (credit note −2.5) → frequency 1, recency 14 days = 2 weeks,
        T 21 days = 3 weeks, monetary −2.5; holdout 0.
    Customer D: first purchase 02-10, after calibration end → not in either result.
    A line without customer_id (01-05) is ignored.
    """
    rows = [
        ("A", D(2024, 1, 1), 10.0),
        ("A", D(2024, 1, 1), 5.0),
        ("A", D(2024, 1, 8), 20.0),
        ("A", D(2024, 1, 15), 30.0),
        ("A", D(2024, 1, 15), 10.0),
        ("A", D(2024, 2, 5), 100.0),
        ("B", D(2024, 1, 31), 50.0),
        ("B", D(2024, 1, 31), 25.0),
        ("C", D(2024, 1, 10), 7.5),
        ("C", D(2024, 1, 24), -2.5),
        ("D", D(2024, 2, 10), 60.0),
        (None, D(2024, 1, 5), 99.0),
    ]
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])


EXPECTED_WEEKS = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C"],
        "frequency": [2, 0, 1],
        "recency": [2.0, 0.0, 2.0],
        "T": [30 / 7, 0.0, 3.0],
        "monetary_value": [30.0, 0.0, -2.5],
    }
)


def _run(expr: ibis.Table) -> pd.DataFrame:
    con = ibis.duckdb.connect()
    return con.to_pandas(expr).sort_values("customer_id", ignore_index=True)


def _table(df: pd.DataFrame) -> ibis.Table:
    t = ibis.memtable(df)
    return t.mutate(order_date=t.order_date.cast("date"))


class TestHandWorked:
    def test_weeks(self):
        out = _run(rfm_table(_table(tiny_lines()), calibration_end=CAL_END, time_unit="week"))
        pd.testing.assert_frame_equal(out, EXPECTED_WEEKS, check_dtype=False)
        assert out["frequency"].dtype == np.int64

    def test_days(self):
        out = _run(rfm_table(_table(tiny_lines()), calibration_end="2024-01-31", time_unit="day"))
        assert out["recency"].tolist() == [14.0, 0.0, 14.0]
        assert out["T"].tolist() == [30.0, 0.0, 21.0]

    def test_decimal_value_column_and_other_name(self):
        t = _table(tiny_lines())
        t = t.mutate(net=t.revenue.cast("decimal(12, 2)")).drop("revenue")
        out = _run(rfm_table(t, calibration_end=CAL_END, value_column="net"))
        assert out["monetary_value"].tolist() == [30.0, 0.0, -2.5]

    def test_holdout(self):
        out = _run(holdout_orders(_table(tiny_lines()), CAL_END, D(2024, 2, 29)))
        assert out.to_dict("list") == {"customer_id": ["A", "B", "C"], "holdout_frequency": [1, 0, 0]}

    def test_input_not_modified_and_lazy(self):
        df = tiny_lines()
        before = df.copy()
        expr = rfm_table(_table(df), calibration_end=CAL_END)
        assert isinstance(expr, ibis.Table)
        pd.testing.assert_frame_equal(df, before)


class TestErrors:
    def test_missing_columns_named(self):
        t = ibis.memtable(pd.DataFrame({"customer_id": ["A"], "x": [1]}))
        with pytest.raises(InputError, match=r"missing required column\(s\): order_date, revenue"):
            rfm_table(t, calibration_end=CAL_END)

    def test_order_date_must_be_date(self):
        t = ibis.memtable(pd.DataFrame({"customer_id": ["A"], "order_date": ["2024-01-01"], "revenue": [1.0]}))
        with pytest.raises(InputError, match="must be a date column"):
            rfm_table(t, calibration_end=CAL_END)

    def test_bad_time_unit(self):
        with pytest.raises(InputError, match="time_unit must be one of"):
            rfm_table(_table(tiny_lines()), calibration_end=CAL_END, time_unit="month")

    def test_bad_dates(self):
        with pytest.raises(InputError, match="calibration_end must be a date"):
            rfm_table(_table(tiny_lines()), calibration_end="31/01/2024")
        with pytest.raises(InputError, match="must be after calibration_end"):
            holdout_orders(_table(tiny_lines()), CAL_END, CAL_END)

    def test_not_a_table(self):
        with pytest.raises(InputError, match="must be an ibis Table"):
            rfm_table(tiny_lines(), calibration_end=CAL_END)


@pytest.mark.parametrize("dialect", ["duckdb", "pyspark"])
def test_compiles_on_unbound_table(dialect):
    """Expression tier: the SQL builds for both engines without any backend or data."""
    if dialect == "pyspark":
        pytest.importorskip("pyspark")
        ibis.pyspark  # noqa: B018 - loads the backend, which registers its compiler options
    t = ibis.table({"customer_id": "string", "order_date": "date", "revenue": "decimal(18, 2)"}, name="order_lines")
    sql = ibis.to_sql(rfm_table(t, calibration_end=CAL_END), dialect=dialect)
    assert "order_lines" in sql
    sql = ibis.to_sql(holdout_orders(t, CAL_END, D(2024, 12, 31)), dialect=dialect)
    assert "order_lines" in sql


def test_cdnow_reproduces_published_summary(cdnow_lines, cdnow_summary, cdnow_spend):
    """CDNOW_sample.txt → rfm_table(1997-09-30, weeks) equals cdnow_customers_summary.csv for all 2,357."""
    out = _run(rfm_table(_table(cdnow_lines), calibration_end=D(1997, 9, 30), time_unit="week"))
    assert len(out) == 2357
    out["ID"] = out["customer_id"].astype(int)
    m = cdnow_summary.merge(out, on="ID", suffixes=("_pub", ""), validate="one_to_one")
    assert len(m) == 2357
    assert (m["frequency_pub"] == m["frequency"]).all()
    np.testing.assert_allclose(m["recency"].round(2), m["recency_pub"], atol=1e-9)
    np.testing.assert_allclose(m["T"].round(2), m["T_pub"], atol=1e-9)
    # zbar is published to 2 decimals (half-cent values round either way in float).
    z = cdnow_spend.merge(out[["ID", "monetary_value"]].rename(columns={"monetary_value": "mv"}), on="ID")
    np.testing.assert_allclose(z["mv"], z["monetary_value"], atol=0.0051)


@pytest.mark.slow
def test_pyspark_matches_duckdb(tmp_path):
    """Smoke test: the same expression runs on a local Spark session and gives the DuckDB answer."""
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    pyspark_sql = pytest.importorskip("pyspark.sql")
    spark = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("salesfocus-predict-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", str(tmp_path / "spark-warehouse"))
        .getOrCreate()
    )
    try:
        con = ibis.pyspark.connect(spark)
        # pandas → Spark turns the missing customer_id into a non-null value: leave that row to the DuckDB tests.
        df = tiny_lines().dropna(subset=["customer_id"]).reset_index(drop=True)
        t = _table(df)  # a memtable: Spark registers it as a temporary view, nothing is written
        t = t.mutate(revenue=t.revenue.cast("decimal(12, 2)"))
        got = con.to_pandas(rfm_table(t, calibration_end=CAL_END)).sort_values("customer_id", ignore_index=True)
        pd.testing.assert_frame_equal(got, EXPECTED_WEEKS, check_dtype=False)
        hold = con.to_pandas(holdout_orders(t, CAL_END, D(2024, 2, 29))).sort_values("customer_id", ignore_index=True)
        assert hold["holdout_frequency"].tolist() == [1, 0, 0]
        duck = _run(rfm_table(_table(df), calibration_end=CAL_END))
        pd.testing.assert_frame_equal(got, duck, check_dtype=False)
    finally:
        spark.stop()
