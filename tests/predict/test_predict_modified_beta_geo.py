"""ModifiedBetaGeoModel (MBG/NBD): CDNOW log-likelihood against a direct numerical evaluation, analytic gradient,
P(alive) and expected orders against an independent 2-D numerical integration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, special

from salesfocus.errors import InputError
from salesfocus.predict import ModifiedBetaGeoModel
from salesfocus.predict.base import _dedup


@pytest.fixture(scope="module")
def fitted(cdnow_summary) -> ModifiedBetaGeoModel:
    return ModifiedBetaGeoModel().fit(cdnow_summary)


def _row_lik(r, alpha, a, b, x, tx, T) -> float:
    """Direct numerical evaluation: ∫∫ [(1-p)^(x+1) λ^x e^{-λT} + p (1-p)^x λ^x e^{-λ t_x}] dG(λ) dB(p),
    with λ integrated numerically too (no Beta/Gamma function identities used)."""
    scale = (alpha + tx) ** -(r + x)  # the size of the λ integral; keeps quad's tolerance relative

    def lam_part(y):
        f = lambda lam: lam**x * np.exp(-lam * y) * lam ** (r - 1) * np.exp(-alpha * lam)  # noqa: E731
        return integrate.quad(f, 0, np.inf, epsabs=0, epsrel=1e-11, limit=200)[0] * alpha**r / special.gamma(r)

    beta_pdf = lambda p, k: p ** (a - 1 + k) * (1 - p) ** (b - 1 + x + 1 - k) / special.beta(a, b)  # noqa: E731
    pa = integrate.quad(lambda p: beta_pdf(p, 0), 0, 1, epsabs=0, epsrel=1e-11, limit=200)[0]
    pd_ = integrate.quad(lambda p: beta_pdf(p, 1), 0, 1, epsabs=0, epsrel=1e-11, limit=200)[0]
    return float(np.log((pa * lam_part(T) + pd_ * lam_part(tx)) / scale) + np.log(scale))


def test_cdnow_log_likelihood_against_direct_numerical_evaluation(fitted, cdnow_summary):
    p = fitted.params_
    assert fitted.converged_ is True and fitted.n_customers_ == 2357
    # lifetimes' ModifiedBetaGeoFitter reports r = 0.525, α = 6.183, a = 0.891, b = 1.614 on this data
    for k, v in {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}.items():
        assert p[k] == pytest.approx(v, rel=0.01), k
    u = cdnow_summary.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")
    ll = sum(n * _row_lik(p["r"], p["alpha"], p["a"], p["b"], x, tx, T) for x, tx, T, n in u.itertuples(index=False))
    assert fitted.log_likelihood_ == pytest.approx(ll, abs=0.5)
    assert fitted.log_likelihood_ == pytest.approx(ll, abs=1e-3)  # in fact far closer


@pytest.mark.parametrize("point", [[0.5, 6.0, 0.9, 1.6], [1.0, 1.0, 1.0, 1.0], [0.05, 30.0, 3.0, 0.4]])
def test_analytic_gradient_matches_finite_differences(cdnow_summary, point):
    m = ModifiedBetaGeoModel()
    data, counts = _dedup(m._prepare(cdnow_summary))
    data["w"] = counts / counts.sum()
    m._augment(data)
    x0 = np.log(point)
    f = lambda z: m._nll_grad(z, data)[0]  # noqa: E731
    g = lambda z: m._nll_grad(z, data)[1]  # noqa: E731
    np.testing.assert_allclose(g(x0), optimize.approx_fprime(x0, f, 1e-7), rtol=1e-4, atol=1e-6)


def _posterior_2d(r, alpha, a, b, x, tx, T, t):
    """P(alive), E[Y(t)] by 2-D integration over the quantiles of λ ~ Gamma(r, α) and p ~ Beta(a, b).

    Alive at T: (1-p)^(x+1) λ^x e^{-λT}; dead after the last purchase: p (1-p)^x λ^x e^{-λ t_x}; an alive
    customer buys geometric-thinned Poisson: E[Y(t)|λ,p] = (1 − e^{-λpt}) / p."""
    lam = lambda u: special.gammaincinv(r, u) / alpha  # noqa: E731
    prob = lambda v: special.betaincinv(a, b, v)  # noqa: E731

    def alive(v, u):
        la, p = lam(u), prob(v)
        return (1 - p) ** (x + 1) * la**x * np.exp(-la * T)

    def lik(v, u):
        la, p = lam(u), prob(v)
        return alive(v, u) + p * (1 - p) ** x * la**x * np.exp(-la * tx)

    def orders(v, u):
        la, p = lam(u), prob(v)
        return alive(v, u) * (-np.expm1(-la * p * t) / p if p > 0 else la * t)

    opts = {"epsabs": 0, "epsrel": 1e-7}
    den = integrate.dblquad(lik, 0, 1, 0, 1, **opts)[0]
    return (integrate.dblquad(alive, 0, 1, 0, 1, **opts)[0] / den,
            integrate.dblquad(orders, 0, 1, 0, 1, **opts)[0] / den)


@pytest.mark.parametrize("x, tx, T", [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 35.0, 38.86), (1, 2.0, 30.0)])
def test_p_alive_and_expected_orders_against_2d_integration(fitted, x, tx, T):
    p = fitted.params_
    want_alive, want_orders = _posterior_2d(p["r"], p["alpha"], p["a"], p["b"], x, tx, T, 39.0)
    assert fitted.probability_alive(x, tx, T) == pytest.approx(want_alive, rel=1e-4)
    assert fitted.expected_orders(39.0, x, tx, T) == pytest.approx(want_orders, rel=1e-4)


def test_one_time_buyers_are_not_certainly_alive(fitted):
    # the difference from BG/NBD: dropout right after the first purchase
    assert fitted.probability_alive(0, 0.0, 38.0) < 1.0
    assert fitted.probability_alive(0, 0.0, 38.0) > fitted.probability_alive(0, 0.0, 80.0)


def test_closed_form_matches_quadrature_fallback_and_a_near_one(fitted):
    from salesfocus.predict.modified_beta_geo import _mbg_conditional_quad

    p = fitted.params_
    for x, tx, T in [(0, 0.0, 30.0), (3, 20.0, 38.0), (40, 38.0, 39.0)]:
        want = _mbg_conditional_quad(52.0, x, tx, T, p["r"], p["alpha"], p["a"], p["b"])
        assert fitted.expected_orders(52.0, x, tx, T) == pytest.approx(want, rel=1e-6)
    m = ModifiedBetaGeoModel()
    m.params_ = {"r": 0.5, "alpha": 6.0, "a": 1.0, "b": 1.6}
    got = m.expected_orders(52.0, 3, 20.0, 38.0)
    assert got == pytest.approx(_mbg_conditional_quad(52.0, 3, 20.0, 38.0, 0.5, 6.0, 1.0, 1.6), rel=1e-5)


def test_degenerate_data_are_reported():
    with pytest.raises(InputError, match="ModifiedBetaGeoModel.fit: none of the 2 customers has a repeat purchase"):
        ModifiedBetaGeoModel().fit(pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0], "T": [5.0, 3]}))
    tiny = ModifiedBetaGeoModel(n_starts=2).fit(pd.DataFrame({"frequency": [1, 2, 0], "recency": [3.0, 4, 0],
                                                              "T": [5.0, 5, 5]}))
    assert tiny.converged_ is False and "NOT converged" in tiny.summary()["message"]
