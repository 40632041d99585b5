"""fit_memory: a fit of the same model, settings and data is taken from memory (the same numbers, no optimising);
any other fit is made anew."""

from __future__ import annotations

import json

import pytest

from salesfocus.predict import BetaGeoModel, GammaGammaModel, ModifiedBetaGeoModel
from salesfocus.predict.base import CustomerModel, FitMemory, fit_memory
from salesfocus.predict.simulate import simulate_bgnbd_summary


@pytest.fixture(scope="module")
def rfm():
    df = simulate_bgnbd_summary(3000, r=0.25, alpha=4.0, a=0.8, b=2.5, max_T_days=2 * 365, seed=3)
    df["monetary_value"] = 20.0 + 5.0 * (df["frequency"] % 7)
    return df


@pytest.fixture
def optimised(monkeypatch):
    """The models that optimised (rather than took a remembered fit), by class name."""
    made: list[str] = []
    real = CustomerModel._optimise

    def counting(self, *a, **k):
        made.append(type(self).__name__)
        return real(self, *a, **k)

    monkeypatch.setattr(CustomerModel, "_optimise", counting)
    return made


def test_the_same_fit_is_taken_from_memory(rfm, optimised):
    first = FitMemory()
    with fit_memory(first):
        bg = BetaGeoModel().fit(rfm)
        gg = GammaGammaModel().fit(rfm)
    assert optimised == ["BetaGeoModel", "GammaGammaModel"] and len(first.used) == 2
    # kept as JSON in the workspace between runs
    known = json.loads(json.dumps(first.used))
    again = FitMemory(known)
    with fit_memory(again):
        bg2 = BetaGeoModel().fit(rfm)
        gg2 = GammaGammaModel().fit(rfm)
    assert optimised == ["BetaGeoModel", "GammaGammaModel"]  # nothing optimised the second time
    assert bg2.summary() == bg.summary() and gg2.summary() == gg.summary()
    x, t_x, T = (rfm[c] for c in ("frequency", "recency", "T"))
    assert (bg2.expected_orders(10, x, t_x, T) == bg.expected_orders(10, x, t_x, T)).all()
    assert again.used == known


def test_other_data_settings_or_models_are_fitted_anew(rfm, optimised):
    memory = FitMemory()
    with fit_memory(memory):
        BetaGeoModel().fit(rfm)
    changed = rfm.copy()
    changed.loc[0, "frequency"] += 1
    changed.loc[0, "recency"] = changed.loc[0, "T"]
    with fit_memory(FitMemory(memory.used)):
        BetaGeoModel().fit(changed)
        BetaGeoModel(penalizer=0.01).fit(rfm)
        ModifiedBetaGeoModel().fit(rfm)
    assert optimised == ["BetaGeoModel"] * 3 + ["ModifiedBetaGeoModel"]


def test_a_fit_remembered_by_other_model_code_is_not_taken(rfm, optimised, monkeypatch):
    import salesfocus.predict.base as base

    memory = FitMemory()
    with fit_memory(memory):
        BetaGeoModel().fit(rfm)
    monkeypatch.setattr(base, "_code_digest", lambda cls: "the model's code after an upgrade")
    with fit_memory(FitMemory(memory.used)):
        BetaGeoModel().fit(rfm)
    assert optimised == ["BetaGeoModel", "BetaGeoModel"]


def test_without_memory_every_fit_optimises(rfm, optimised):
    BetaGeoModel().fit(rfm)
    BetaGeoModel().fit(rfm)
    assert optimised == ["BetaGeoModel", "BetaGeoModel"]
