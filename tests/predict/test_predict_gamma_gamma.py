"""GammaGammaModel: published CDNOW fit, gradient, closed-form prediction, exclusions, independence check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

from salesfocus.errors import InputError, NotFittedError
from salesfocus.predict import GammaGammaModel
from salesfocus.predict.base import _dedup

PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def fitted(cdnow_spend) -> GammaGammaModel:
    return GammaGammaModel().fit(cdnow_spend)


def test_cdnow_matches_fader_hardie_lee_2005(fitted):
    for name, value in PUBLISHED.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.01), name
    assert fitted.converged_ is True


def test_exclusions_are_counted_and_explained(fitted, cdnow_spend):
    assert fitted.n_customers_ == int((cdnow_spend["frequency"] > 0).sum()) == 946
    assert fitted.excluded_ == {"no_repeat_purchase": 1411, "non_positive_value": 0}
    assert "left out of the fit (946 used): no repeat purchase: 1411" in fitted.fit_message_
    assert fitted.summary()["excluded"]["no_repeat_purchase"] == 1411


def test_non_positive_values_are_left_out_and_counted():
    df = pd.DataFrame(
        {"frequency": [0, 1, 2, 3, 4, 2, 1, 5] * 20, "monetary_value": [0, 10, -5, 30, 12, 0, 8, 20] * 20}
    )
    m = GammaGammaModel().fit(df)
    assert m.excluded_ == {"no_repeat_purchase": 20, "non_positive_value": 40}
    assert m.n_customers_ == 100
    assert "value <= 0" not in m.fit_message_ and "non positive value: 40" in m.fit_message_


def test_log_likelihood_against_density_written_out(fitted, cdnow_spend):
    """Density of the mean z̄ of x Gamma(p, ν) spends, ν ~ Gamma(q, γ), integrated numerically over ν."""
    p, q, g = (fitted.params_[k] for k in ("p", "q", "gamma"))
    rows = cdnow_spend[cdnow_spend["frequency"] > 0].head(5)
    for x, z in zip(rows["frequency"], rows["monetary_value"], strict=True):
        # z̄ | ν ~ Gamma(shape p·x, rate ν·x); ν ~ Gamma(shape q, rate γ).
        f = lambda nu: stats.gamma.pdf(z, p * x, scale=1 / (nu * x)) * stats.gamma.pdf(nu, q, scale=1 / g)  # noqa: B023, E731
        dens = integrate.quad(f, 0, np.inf, limit=200)[0]
        arrays = {"x": np.array([float(x)]), "m": np.array([z])}
        data, _ = _dedup(arrays)
        data["w"] = np.ones(1)
        fitted._augment(data)
        assert fitted._log_likelihood_terms(np.array([p, q, g]), data)[0] == pytest.approx(np.log(dens), rel=1e-7)


@pytest.mark.parametrize("point", [[6.2, 3.7, 15.4], [1.0, 1.0, 1.0], [0.3, 12.0, 0.2]])
def test_analytic_gradient_matches_finite_differences(cdnow_spend, point):
    model = GammaGammaModel()
    arrays = model._prepare(cdnow_spend)
    data, counts = _dedup(arrays)
    data["w"] = counts / counts.sum()
    model._augment(data)
    x0 = np.log(point)
    f = lambda z: model._nll_grad(z, data)[0]  # noqa: E731
    g = lambda z: model._nll_grad(z, data)[1]  # noqa: E731
    assert optimize.check_grad(f, g, x0, epsilon=1e-7) < 1e-5 * max(1.0, np.linalg.norm(g(x0)))
    np.testing.assert_allclose(g(x0), optimize.approx_fprime(x0, f, 1e-7), rtol=1e-4, atol=1e-6)


def test_expected_average_value_closed_form(fitted):
    """Shrinkage form: (1 - w)·pγ/(q-1) + w·m̄ with w = p·x / (p·x + q - 1) (Fader & Hardie note, eq. 5)."""
    p, q, g = (fitted.params_[k] for k in ("p", "q", "gamma"))
    x = np.array([0, 1, 2, 10, 100])
    m = np.array([0.0, 10.0, 22.35, 55.0, 40.0])
    w = p * x / (p * x + q - 1)
    expected = (1 - w) * p * g / (q - 1) + w * m
    np.testing.assert_allclose(fitted.expected_average_value(x, m), expected, rtol=1e-12)
    assert fitted.population_mean_value() == pytest.approx(p * g / (q - 1))
    # A customer with no repeat purchase gets the population mean whatever value is passed.
    assert fitted.expected_average_value(0, 999.0) == pytest.approx(p * g / (q - 1))


def test_expected_value_by_numerical_posterior(fitted):
    """E[p/ν | z̄, x] with ν's posterior ∝ Gamma(q, γ) prior × Gamma(p·x, ν·x) likelihood, integrated numerically."""
    p, q, g = (fitted.params_[k] for k in ("p", "q", "gamma"))
    x, z = 3, 40.0
    post = lambda nu: stats.gamma.pdf(z, p * x, scale=1 / (nu * x)) * stats.gamma.pdf(nu, q, scale=1 / g)  # noqa: E731
    num = integrate.quad(lambda nu: p / nu * post(nu), 0, np.inf)[0]
    den = integrate.quad(post, 0, np.inf)[0]
    assert fitted.expected_average_value(x, z) == pytest.approx(num / den, rel=1e-7)


def test_scale_equivariance(cdnow_spend, fitted):
    big = cdnow_spend.assign(monetary_value=cdnow_spend["monetary_value"] * 10_000)
    m = GammaGammaModel().fit(big)
    assert m.params_["p"] == pytest.approx(fitted.params_["p"], rel=1e-5)
    assert m.params_["q"] == pytest.approx(fitted.params_["q"], rel=1e-5)
    assert m.params_["gamma"] == pytest.approx(fitted.params_["gamma"] * 10_000, rel=1e-5)
    assert m.log_likelihood_ == pytest.approx(fitted.log_likelihood_ - 946 * np.log(10_000), rel=1e-8)


class TestIndependenceCheck:
    def test_cdnow(self, fitted, cdnow_spend):
        res = fitted.independence_
        rows = cdnow_spend[cdnow_spend["frequency"] > 0]
        assert res["pearson_r"] == pytest.approx(np.corrcoef(rows["frequency"], rows["monetary_value"])[0, 1])
        assert res["n"] == 946
        assert res["verdict"] == "weakly correlated" and res["ok"] is True

    def test_verdicts(self):
        rng = np.random.default_rng(0)
        x = rng.integers(1, 20, 2000)
        indep = GammaGammaModel.independence_check(x, rng.gamma(5, 10, 2000))
        assert indep["verdict"] == "independent" and indep["ok"] is True
        dep = GammaGammaModel.independence_check(x, 5 * x + rng.gamma(2, 1, 2000))
        assert dep["verdict"] == "correlated" and dep["ok"] is False
        tiny = GammaGammaModel.independence_check([1, 1], [3.0, 4.0])
        assert tiny["ok"] is None and "not enough" in tiny["verdict"]


def test_contract_errors():
    m = GammaGammaModel()
    with pytest.raises(NotFittedError):
        m.expected_average_value(1, 10.0)
    with pytest.raises(InputError, match=r"missing required column\(s\): monetary_value"):
        m.fit(pd.DataFrame({"frequency": [1]}))
    with pytest.raises(InputError, match="no customer has a repeat purchase with a positive value"):
        m.fit(pd.DataFrame({"frequency": [0, 0, 2], "monetary_value": [0.0, 0.0, -3.0]}))


def test_degenerate_spend_is_reported():
    # Every repeat buyer spends exactly the same: no spread to estimate p, q from.
    m = GammaGammaModel().fit(pd.DataFrame({"frequency": [1, 2, 3] * 10, "monetary_value": [10.0] * 30}))
    assert m.converged_ is False and "do not identify" in m.fit_message_
