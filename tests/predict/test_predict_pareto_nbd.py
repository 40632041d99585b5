"""ParetoNBDModel: the published CDNOW fit (Fader, Hardie & Lee 2005 MATLAB note), the likelihood against its
integral form, both ₂F₁ branches, and P(alive) / expected orders against an independent 2-D numerical integration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from salesfocus.errors import InputError
from salesfocus.predict import ParetoNBDModel

PUBLISHED = {"r": 0.5534, "alpha": 10.5776, "s": 0.6061, "beta": 11.6689}
PUBLISHED_LL = -9594.98


@pytest.fixture(scope="module")
def fitted(cdnow_summary) -> ParetoNBDModel:
    return ParetoNBDModel().fit(cdnow_summary)


def test_cdnow_matches_fader_hardie_lee_2005(fitted):
    for name, value in PUBLISHED.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.01), name
    assert fitted.log_likelihood_ == pytest.approx(PUBLISHED_LL, abs=0.5)
    assert fitted.converged_ is True and fitted.fit_message_.startswith("converged")
    assert fitted.n_customers_ == 2357
    assert all(np.isfinite(v) and v > 0 for v in fitted.std_errors_.values())
    s = fitted.summary()
    assert s["model"] == "pareto_nbd" and set(s["params"]) == {"r", "alpha", "s", "beta"}


def _ll_integral(r, alpha, s, beta, x, tx, T) -> float:
    """Row log-likelihood from SMC's integral form, written independently of the ₂F₁ closed form:
    Γ(r+x)α^r β^s/Γ(r) · [(α+T)^-(r+x) (β+T)^-s + s ∫_{t_x}^T (α+y)^-(r+x) (β+y)^-(s+1) dy]."""
    c = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    scale = -(r + x) * np.log(alpha + tx) - (s + 1) * np.log(beta + tx)  # keep the integrand near 1
    alive = np.exp(-(r + x) * np.log(alpha + T) - s * np.log(beta + T) - scale)
    dead = integrate.quad(lambda y: np.exp(-(r + x) * np.log(alpha + y) - (s + 1) * np.log(beta + y) - scale),
                          tx, T, epsabs=0, epsrel=1e-11, limit=200)[0] if tx < T else 0.0
    return float(c + scale + np.log(alive + s * dead))


@pytest.mark.parametrize("params", [
    (0.5534, 10.5776, 0.6061, 11.6689),  # α < β
    (0.5534, 14.0, 0.6061, 3.0),  # α > β
    (2.0, 1.0, 3.0, 1.0),  # α = β (₂F₁ argument 0)
    (0.1, 0.5, 5.0, 80.0),  # strong dropout
])
def test_log_likelihood_against_the_integral_form(cdnow_summary, params):
    u = cdnow_summary[["frequency", "recency", "T"]].drop_duplicates().sample(150, random_state=1)
    model = ParetoNBDModel()
    data = {"x": u.frequency.to_numpy(float), "t_x": u.recency.to_numpy(float), "T": u["T"].to_numpy(float)}
    got = model._log_likelihood_terms(np.array(params), data)
    want = [_ll_integral(*params, x, tx, T) for x, tx, T in zip(data["x"], data["t_x"], data["T"], strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8)


def test_total_log_likelihood_against_the_integral_form(fitted, cdnow_summary):
    p = fitted.params_
    u = cdnow_summary.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")
    ll = sum(n * _ll_integral(p["r"], p["alpha"], p["s"], p["beta"], x, tx, T)
             for x, tx, T, n in u.itertuples(index=False))
    assert fitted.log_likelihood_ == pytest.approx(ll, abs=1e-4)


def _posterior_2d(r, alpha, s, beta, x, tx, T, t):
    """P(alive) and E[Y(t)] by 2-D integration over the quantiles of λ ~ Gamma(r, α) and μ ~ Gamma(s, β).

    Individual likelihood λ^x [μ/(λ+μ) e^{-(λ+μ)t_x} + λ/(λ+μ) e^{-(λ+μ)T}]; alive part λ^x e^{-(λ+μ)T};
    expected purchases of an alive customer in (T, T+t]: λ/μ (1 − e^{-μt})."""
    lam = lambda u: special.gammaincinv(r, u) / alpha  # noqa: E731
    mu = lambda v: special.gammaincinv(s, v) / beta  # noqa: E731

    def lik(v, u):
        la, m = lam(u), mu(v)
        return la**x * (m / (la + m) * np.exp(-(la + m) * tx) + la / (la + m) * np.exp(-(la + m) * T))

    def alive(v, u):
        la, m = lam(u), mu(v)
        return la**x * np.exp(-(la + m) * T)

    def orders(v, u):
        la, m = lam(u), mu(v)
        return alive(v, u) * la * (-np.expm1(-m * t) / m if m > 0 else t)

    opts = {"epsabs": 0, "epsrel": 1e-7}
    den = integrate.dblquad(lik, 0, 1, 0, 1, **opts)[0]
    return (integrate.dblquad(alive, 0, 1, 0, 1, **opts)[0] / den,
            integrate.dblquad(orders, 0, 1, 0, 1, **opts)[0] / den)


@pytest.mark.parametrize("x, tx, T", [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 35.0, 38.86), (1, 2.0, 30.0)])
def test_p_alive_and_expected_orders_against_2d_integration(fitted, x, tx, T):
    p = fitted.params_
    want_alive, want_orders = _posterior_2d(p["r"], p["alpha"], p["s"], p["beta"], x, tx, T, 39.0)
    assert fitted.probability_alive(x, tx, T) == pytest.approx(want_alive, rel=1e-4)
    assert fitted.expected_orders(39.0, x, tx, T) == pytest.approx(want_orders, rel=1e-4)


def test_alpha_above_beta_predictions_against_2d_integration():
    m = ParetoNBDModel()
    m.params_ = {"r": 0.8, "alpha": 20.0, "s": 1.5, "beta": 4.0}
    want_alive, want_orders = _posterior_2d(0.8, 20.0, 1.5, 4.0, 3, 20.0, 40.0, 26.0)
    assert m.probability_alive(3, 20.0, 40.0) == pytest.approx(want_alive, rel=1e-4)
    assert m.expected_orders(26.0, 3, 20.0, 40.0) == pytest.approx(want_orders, rel=1e-4)


def test_expected_orders_at_s_equal_one_is_the_limit():
    m = ParetoNBDModel()
    m.params_ = {"r": 0.5, "alpha": 10.0, "s": 1.0, "beta": 12.0}
    at = m.expected_orders(39.0, 2, 30.0, 38.0)
    m.params_ = {"r": 0.5, "alpha": 10.0, "s": 1.0 + 1e-7, "beta": 12.0}
    assert at == pytest.approx(m.expected_orders(39.0, 2, 30.0, 38.0), rel=1e-6)
    assert np.isfinite(at) and at > 0


def test_vectorised_predictions_and_new_customer(fitted, cdnow_summary):
    df = cdnow_summary.head(50)
    out = fitted.predict_frame(df, 52.0)
    assert out.p_active.between(0, 1).all() and (out.expected_orders >= 0).all()
    one = [fitted.expected_orders(52.0, x, tx, T) for x, tx, T in df[["frequency", "recency", "T"]].to_numpy()]
    np.testing.assert_allclose(out.expected_orders, one, rtol=1e-12)
    # a new customer (x = t_x = T = 0): r β / (α (s-1)) [1 − (β/(β+t))^(s-1)] (FH note, eq. 17)
    p = fitted.params_
    want = p["r"] * p["beta"] / (p["alpha"] * (p["s"] - 1)) * (1 - (p["beta"] / (p["beta"] + 52.0)) ** (p["s"] - 1))
    assert fitted.expected_orders_new(52.0) == pytest.approx(want, rel=1e-10)


def test_heavy_buyers_stay_finite(fitted):
    x = np.array([50.0, 200.0, 1000.0])
    assert np.all(np.isfinite(fitted.probability_alive(x, [38.0, 38.5, 38.8], 38.86)))
    assert np.all(np.isfinite(fitted.expected_orders(52.0, x, [38.0, 38.5, 38.8], 38.86)))


def test_degenerate_data_are_reported():
    with pytest.raises(InputError, match="none of the 3 customers has a repeat purchase"):
        ParetoNBDModel().fit(pd.DataFrame({"frequency": [0, 0, 0], "recency": [0.0, 0, 0], "T": [5.0, 3, 1]}))
    with pytest.raises(InputError, match="recency must not exceed T"):
        ParetoNBDModel().fit(pd.DataFrame({"frequency": [1], "recency": [5.0], "T": [3.0]}))
    tiny = ParetoNBDModel(n_starts=2).fit(pd.DataFrame({"frequency": [1, 2, 0], "recency": [3.0, 4, 0],
                                                        "T": [5.0, 5, 5]}))
    assert tiny.converged_ is False and tiny.fit_message_.startswith("NOT converged")
