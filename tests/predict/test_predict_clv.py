"""customer_value: CLV against the lifetimes algorithm written out, CLV in profit, cost-to-serve, inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesfocus.errors import InputError
from salesfocus.predict import BetaGeoModel, GammaGammaModel, customer_value


@pytest.fixture(scope="module")
def models(cdnow_spend):
    bg = BetaGeoModel().fit(cdnow_spend)
    gg = GammaGammaModel().fit(cdnow_spend)
    return bg, gg


@pytest.fixture(scope="module")
def rfm(cdnow_spend):
    return cdnow_spend.assign(customer_id=cdnow_spend["ID"].astype(str)).head(300).reset_index(drop=True)


def lifetimes_clv(bg, gg, df, months, monthly_rate, factor=7.0):
    """lifetimes.utils.customer_lifetime_value (0.11.3), written out: 30-day steps, freq in weeks."""
    m = gg.expected_average_value(df["frequency"], df["monetary_value"])
    clv = np.zeros(len(df))
    for i in range(30, months * 30 + 1, 30):
        now = bg.expected_orders(i / factor, df["frequency"], df["recency"], df["T"])
        before = bg.expected_orders((i - 30) / factor, df["frequency"], df["recency"], df["T"])
        clv += m * (now - before) / (1 + monthly_rate) ** (i / 30)
    return clv


def test_clv_equals_lifetimes_algorithm(models, rfm):
    bg, gg = models
    annual = 0.1
    out = customer_value(bg, gg, rfm, horizon_months=12, discount_rate_annual=annual, days_per_month=30.0)
    expected = lifetimes_clv(bg, gg, rfm, 12, (1 + annual) ** (1 / 12) - 1)
    np.testing.assert_allclose(out["clv"], expected, rtol=1e-10)


def test_undiscounted_clv_is_expected_revenue(models, rfm):
    bg, gg = models
    out = customer_value(bg, gg, rfm, horizon_months=6, discount_rate_annual=0.0, time_unit="week")
    np.testing.assert_allclose(out["clv"], out["expected_revenue"], rtol=1e-10)
    horizon_weeks = 6 * (365.25 / 12) / 7
    np.testing.assert_allclose(
        out["expected_orders"],
        bg.expected_orders(horizon_weeks, rfm["frequency"], rfm["recency"], rfm["T"]),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        out["expected_revenue"],
        out["expected_orders"] * gg.expected_average_value(rfm["frequency"], rfm["monetary_value"]),
        rtol=1e-12,
    )
    np.testing.assert_allclose(out["p_active"], bg.probability_alive(rfm["frequency"], rfm["recency"], rfm["T"]))


def test_profit_terms_scalar(models, rfm):
    """clv_profit = Σ_k (value·margin − cost) ΔE_k / (1+d)^(k/12) = clv·margin − cost·(discounted orders)."""
    bg, gg = models
    out = customer_value(bg, gg, rfm, margin_pct=0.3, cost_per_order=4.0)
    disc_orders = out["clv"] / out["expected_average_value"]
    np.testing.assert_allclose(out["expected_margin"], 0.3 * out["expected_revenue"])
    np.testing.assert_allclose(out["expected_cost_to_serve"], 4.0 * out["expected_orders"])
    np.testing.assert_allclose(out["clv_profit"], 0.3 * out["clv"] - 4.0 * disc_orders, rtol=1e-10)
    assert (out["clv_profit"] < out["clv"]).all()
    assert (out["customer_id"] == rfm["customer_id"]).all()


def test_profit_terms_per_customer_columns(models, rfm):
    """Each customer's own margin and cost-to-serve per order, taken from columns of rfm_df by default."""
    bg, gg = models
    rng = np.random.default_rng(3)
    df = rfm.assign(margin_pct=rng.uniform(0.05, 0.5, len(rfm)), cost_per_order=rng.uniform(0, 30, len(rfm)))
    out = customer_value(bg, gg, df)
    disc_orders = out["clv"] / out["expected_average_value"]
    np.testing.assert_allclose(out["clv_profit"], df["margin_pct"] * out["clv"] - df["cost_per_order"] * disc_orders)
    assert (out["clv_profit"] < 0).any()  # expensive-to-serve customers destroy value
    by_name = customer_value(bg, gg, df.rename(columns={"cost_per_order": "handling"}), cost_per_order="handling")
    np.testing.assert_allclose(by_name["clv_profit"], out["clv_profit"])
    by_array = customer_value(bg, gg, df, margin_pct=df["margin_pct"].to_numpy(), cost_per_order=df["cost_per_order"])
    np.testing.assert_allclose(by_array["clv_profit"], out["clv_profit"])


def test_unknown_margin_gives_nan_profit_not_revenue(models, rfm):
    bg, gg = models
    out = customer_value(bg, gg, rfm)
    assert out["expected_margin"].isna().all() and out["clv_profit"].isna().all()
    assert (out["expected_cost_to_serve"] == 0).all()


def test_day_unit_equals_week_unit(cdnow_spend):
    """Fitting and valuing in days gives the same money as in weeks (the models are time-scale equivariant)."""
    weeks = cdnow_spend.head(800)
    days = weeks.assign(recency=weeks["recency"] * 7, T=weeks["T"] * 7)
    gg = GammaGammaModel().fit(weeks)
    w = customer_value(BetaGeoModel().fit(weeks), gg, weeks, time_unit="week", margin_pct=0.2)
    d = customer_value(BetaGeoModel().fit(days), gg, days, time_unit="day", margin_pct=0.2)
    np.testing.assert_allclose(d["clv"], w["clv"], rtol=1e-4)


def test_input_errors(models, rfm):
    bg, gg = models
    with pytest.raises(InputError, match="fraction of revenue"):
        customer_value(bg, gg, rfm, margin_pct=25)
    with pytest.raises(InputError, match="horizon_months must be a whole number"):
        customer_value(bg, gg, rfm, horizon_months=0)
    with pytest.raises(InputError, match=r"missing required column\(s\): monetary_value"):
        customer_value(bg, gg, rfm.drop(columns="monetary_value"))
    with pytest.raises(InputError, match="which rfm_df does not have"):
        customer_value(bg, gg, rfm, cost_per_order="nope")
    with pytest.raises(InputError, match="expected a GammaGammaModel"):
        customer_value(bg, bg, rfm)
    with pytest.raises(InputError, match="time_unit"):
        customer_value(bg, gg, rfm, time_unit="month")
    with pytest.raises(InputError, match="3 values for 300 customers"):
        customer_value(bg, gg, rfm, margin_pct=np.array([0.1, 0.2, 0.3]))


def test_index_is_preserved(models, rfm):
    bg, gg = models
    df = rfm.set_index("customer_id")
    out = customer_value(bg, gg, df, margin_pct=0.2)
    assert out.index.equals(df.index)
    assert "customer_id" not in out.columns
    assert isinstance(out, pd.DataFrame)
