"""backtest: on orders simulated from a known BG/NBD process the model beats the naive baseline."""

from __future__ import annotations

import datetime as dt
import json

import ibis
import numpy as np
import pytest

from salesfocus.errors import InputError
from salesfocus.predict import BetaGeoModel, backtest, simulate_bgnbd_orders
from salesfocus.predict.backtest import holdout_frame

D = dt.date


@pytest.fixture(scope="module")
def simulated() -> ibis.Table:
    orders = simulate_bgnbd_orders(
        6000, r=0.5, alpha=6.0, a=0.8, b=2.5, start=D(2022, 1, 1), acquisition_days=270, end=D(2023, 12, 31), seed=7
    )
    t = ibis.memtable(orders)
    return t.mutate(order_date=t.order_date.cast("date"))


@pytest.fixture(scope="module")
def result(simulated) -> dict:
    return backtest(simulated, D(2023, 1, 1), D(2023, 12, 31), "week")


def test_model_beats_naive_baseline(result):
    assert result["beats_naive"] is True
    assert result["model"]["mae"] < result["naive"]["mae"]
    assert result["mae_improvement"] > 0.15
    assert result["model"]["correlation"] > result["naive"]["correlation"]
    # In total the model is close to reality; the naive rate overshoots (it ignores drop-out).
    m = result["model"]
    assert m["total_predicted"] == pytest.approx(m["total_actual"], rel=0.1)
    assert result["naive"]["total_predicted"] > 1.3 * result["naive"]["total_actual"]


def test_recovers_the_simulated_process(result):
    params = result["fit"]["params"]
    assert result["fit"]["converged"] is True
    assert params["r"] == pytest.approx(0.5, rel=0.2)
    assert params["a"] == pytest.approx(0.8, rel=0.3)


def test_shape_and_json(result):
    pc = result["per_customer"]
    assert result["n_customers"] == len(pc) == 6000
    assert list(pc.columns) == ["customer_id", "frequency", "recency", "T", "p_active", "predicted", "naive", "actual"]
    assert result["holdout_length"] == pytest.approx(364 / 7)
    assert pc["actual"].sum() == result["model"]["total_actual"]
    np.testing.assert_allclose(pc["predicted"].mean(), result["model"]["total_predicted"] / 6000)
    np.testing.assert_allclose(np.abs(pc["predicted"] - pc["actual"]).mean(), result["model"]["mae"])
    json.dumps({k: v for k, v in result.items() if k != "per_customer"})


def test_day_unit_and_model_settings(simulated):
    res = backtest(simulated, "2023-01-01", "2023-12-31", "day", model=BetaGeoModel(n_starts=2))
    assert res["beats_naive"] and res["time_unit"] == "day" and res["holdout_length"] == 364


def test_a_model_already_fitted_on_the_frame_is_used_as_it_is(simulated, result):
    """The model choice fits every candidate on the same split: the backtest then scores that fit, no refit."""
    frame = holdout_frame(simulated, D(2023, 1, 1), D(2023, 12, 31), "week")
    fitted = BetaGeoModel().fit(frame[0])
    res = backtest(simulated, D(2023, 1, 1), D(2023, 12, 31), "week", frame=frame, fitted=fitted)
    assert res["fit"] == result["fit"] and res["model"] == result["model"]


def test_errors(simulated):
    with pytest.raises(InputError, match="must be after calibration_end"):
        backtest(simulated, D(2023, 1, 1), D(2022, 1, 1))
    with pytest.raises(InputError, match="no customer has a purchase on or before"):
        backtest(simulated, D(2020, 1, 1), D(2021, 1, 1))
    with pytest.raises(InputError, match="must be an ibis Table"):
        backtest("orders.csv", D(2023, 1, 1), D(2023, 12, 31))
