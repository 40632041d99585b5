"""The public surface of salesfocus.predict and the contract every CustomerModel keeps."""

from __future__ import annotations

import pytest

import salesfocus.predict as predict
from salesfocus.errors import NotFittedError
from salesfocus.predict import BetaGeoModel, CustomerModel, GammaGammaModel


def test_all_names_resolve():
    for name in predict.__all__:
        assert getattr(predict, name) is not None


@pytest.mark.parametrize("cls", [BetaGeoModel, GammaGammaModel])
def test_model_contract(cls, cdnow_spend):
    model = cls(penalizer=0.0, n_starts=3, random_state=1)
    assert isinstance(model, CustomerModel)
    assert not any(k.endswith("_") for k in vars(model))  # nothing learned before fit
    with pytest.raises(NotFittedError):
        _ = model.params
    assert model.fit(cdnow_spend) is model
    summary = model.summary()
    assert set(summary) >= {"model", "params", "std_errors", "log_likelihood", "converged", "message", "penalizer"}
    assert list(summary["params"]) == list(cls._param_names)
    assert model.params == model.params_


@pytest.mark.parametrize("name", ["bg_nbd", "pareto_nbd", "mbg_nbd"])
def test_a_penalised_fit_does_not_depend_on_the_time_unit(name):
    """The penalizer shrinks shapes towards 1 and the scale parameters (α, β) towards the data's own time scale,
    so the same history in days or in weeks gives the same P(active) (it shrank α, β towards 1 day or 1 week:
    on the demo data the regularised Pareto/NBD gave the churned customers median P(active) 0.44 per week and
    0.57 per day, 0.25 unpenalised)."""
    import numpy as np

    from salesfocus.predict.select import MODELS
    from salesfocus.predict.simulate import simulate_repeat_summary

    true = {"pareto_nbd": {"r": 0.5, "alpha": 4.0, "s": 0.8, "beta": 20.0},
            "mbg_nbd": {"r": 1.5, "alpha": 6.0, "a": 0.8, "b": 1.2},
            "bg_nbd": {"r": 0.8, "alpha": 8.0, "a": 0.6, "b": 1.5}}[name]
    weeks = simulate_repeat_summary(name, 400, true, max_T=52, seed=5)
    days = weeks.assign(recency=weeks.recency * 7, T=weeks["T"] * 7)
    fw, fd = (MODELS[name](penalizer=0.05).fit(df) for df in (weeks, days))
    for k, v in fw.params_.items():
        factor = 7.0 if k in MODELS[name]._scale_params else 1.0
        assert fd.params_[k] == pytest.approx(v * factor, rel=1e-3), k
    cols = lambda df: (df[c].to_numpy(float) for c in ("frequency", "recency", "T"))  # noqa: E731
    np.testing.assert_allclose(fd.probability_alive(*cols(days)), fw.probability_alive(*cols(weeks)), atol=1e-4)
