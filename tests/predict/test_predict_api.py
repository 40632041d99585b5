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
