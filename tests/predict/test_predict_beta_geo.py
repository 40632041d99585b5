"""BetaGeoModel: published CDNOW fit, gradient, predictions against independent numerical integration,
convergence reporting and the estimator contract."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from salesfocus.errors import InputError, NotFittedError
from salesfocus.predict import BetaGeoModel, simulate_bgnbd_summary
from salesfocus.predict.base import _dedup
from salesfocus.predict.beta_geo import _bgnbd_conditional_quad

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4


@pytest.fixture(scope="module")
def fitted(cdnow_summary) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow_summary)


# ---------------------------------------------------------------------------------------- fit
def test_cdnow_matches_fader_hardie_lee_2005(fitted):
    for name, value in PUBLISHED.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.01), name
    assert fitted.log_likelihood_ == pytest.approx(PUBLISHED_LL, abs=0.5)
    assert fitted.converged_ is True
    assert fitted.fit_message_.startswith("converged")
    assert fitted.n_customers_ == 2357
    assert fitted.n_unique_rows_ < 2357  # identical summaries were collapsed into weights


def test_standard_errors_are_finite_and_plausible(fitted):
    # Observed-information standard errors (lifetimes reports 0.0126, 0.378, 0.186, 0.705 on this data).
    se = fitted.std_errors_
    assert se["r"] == pytest.approx(0.0126, rel=0.05)
    assert se["alpha"] == pytest.approx(0.378, rel=0.05)
    assert se["a"] == pytest.approx(0.186, rel=0.05)
    assert se["b"] == pytest.approx(0.705, rel=0.05)


def _prepared(model, df):
    arrays = model._prepare(df)
    data, counts = _dedup(arrays)
    data["w"] = counts / counts.sum()
    model._augment(data)
    return data


@pytest.mark.parametrize(
    "point", [[0.24, 4.4, 0.79, 2.4], [1.0, 1.0, 1.0, 1.0], [0.05, 30.0, 3.0, 0.4], [5.0, 0.2, 0.1, 9.0]]
)
def test_analytic_gradient_matches_finite_differences(cdnow_summary, point):
    model = BetaGeoModel()
    data = _prepared(model, cdnow_summary)
    x0 = np.log(point)
    f = lambda z: model._nll_grad(z, data)[0]  # noqa: E731
    g = lambda z: model._nll_grad(z, data)[1]  # noqa: E731
    assert optimize.check_grad(f, g, x0, epsilon=1e-7) < 1e-5 * max(1.0, np.linalg.norm(g(x0)))
    np.testing.assert_allclose(g(x0), optimize.approx_fprime(x0, f, 1e-7), rtol=1e-4, atol=1e-6)


def test_weights_equal_repeated_rows(cdnow_summary, fitted):
    doubled = BetaGeoModel().fit(pd.concat([cdnow_summary, cdnow_summary]))
    for k, v in fitted.params_.items():
        assert doubled.params_[k] == pytest.approx(v, rel=1e-5)
    assert doubled.log_likelihood_ == pytest.approx(2 * fitted.log_likelihood_, rel=1e-9)


def test_log_likelihood_against_fhl_formula_written_out(fitted, cdnow_summary):
    """FHL (2005) eq. 6, written with plain Beta/Gamma functions (not the model's log-sum-exp form)."""
    r, al, a, b = (fitted.params_[k] for k in ("r", "alpha", "a", "b"))
    x, tx, T = (cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    common = np.exp(special.gammaln(r + x) - special.gammaln(r)) * al**r
    lik = special.beta(a, b + x) / special.beta(a, b) * common / (al + T) ** (r + x)
    lik += np.where(x > 0, special.beta(a + 1, b + x - 1) / special.beta(a, b) * common / (al + tx) ** (r + x), 0)
    assert np.sum(np.log(lik)) == pytest.approx(fitted.log_likelihood_, rel=1e-9)


def test_recovers_simulated_parameters():
    true = {"r": 0.6, "alpha": 8.0, "a": 0.9, "b": 3.0}
    df = simulate_bgnbd_summary(60_000, **true, max_T_days=3 * 365, seed=11)
    m = BetaGeoModel().fit(df)
    assert m.converged_
    for k, v in true.items():
        # Within 4 standard errors plus the small bias of day-rounded purchase times.
        assert abs(m.params_[k] - v) < 4 * m.std_errors_[k] + 0.03 * v, (k, m.params_[k], m.std_errors_[k])


def test_accepts_ibis_table_and_mapping(cdnow_summary, fitted):
    t = ibis.memtable(cdnow_summary)
    assert BetaGeoModel().fit(t).params_["r"] == pytest.approx(fitted.params_["r"], rel=1e-6)
    as_dict = {c: cdnow_summary[c].to_numpy() for c in ("frequency", "recency", "T")}
    assert BetaGeoModel().fit(as_dict).params_["r"] == pytest.approx(fitted.params_["r"], rel=1e-6)


# ---------------------------------------------------------------------------------------- predictions
def _posterior_expectation(params, x, t_x, T, g, n=300):
    """E[g(λ, p) · 1(alive at T) | x, t_x, T] by brute-force 2-D quadrature over the priors.

    Independent of the model code: λ ~ Gamma(r, α) and p ~ Beta(a, b) are written through their quantile
    functions on a Gauss-Legendre grid over (0, 1)², and the BG/NBD likelihood is written term by term:
    alive  = (1-p)^x λ^x e^{-λT}                (survived all x repeat purchases),
    dead   = p (1-p)^(x-1) λ^x e^{-λ t_x}       (dropped out right after the last one, x > 0).
    Returns E_prior[g · alive] / E_prior[alive + dead] (Bayes' rule over the mixing distributions).
    """
    r, al, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    u, wu = np.polynomial.legendre.leggauss(n)
    u, wu = (u + 1) / 2, wu / 2
    lam = stats.gamma.ppf(u, r, scale=1 / al)[:, None]
    p = stats.beta.ppf(u, a, b)[None, :]
    w = wu[:, None] * wu[None, :]
    # Scale by the likelihood's peak rate to stay in range.
    log_alive = x * np.log1p(-p) + x * np.log(lam) - lam * T
    log_dead = (
        np.log(p) + (x - 1) * np.log1p(-p) + x * np.log(lam) - lam * t_x if x > 0 else np.full_like(log_alive, -np.inf)
    )
    shift = max(np.max(log_alive), np.max(log_dead))
    alive, dead = np.exp(log_alive - shift), np.exp(log_dead - shift)
    return float(np.sum(w * alive * g(lam, p)) / np.sum(w * (alive + dead)))


CASES = [(0, 0.0, 38.86), (2, 30.43, 38.86), (1, 1.71, 38.86), (5, 20.0, 35.0), (10, 36.0, 38.86), (3, 5.0, 30.0)]


@pytest.mark.parametrize(("x", "t_x", "T"), CASES)
def test_probability_alive_against_numerical_posterior(fitted, x, t_x, T):
    expected = _posterior_expectation(fitted.params_, x, t_x, T, lambda lam, p: 1.0)
    assert fitted.probability_alive(x, t_x, T) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize(("x", "t_x", "T"), CASES)
@pytest.mark.parametrize("t", [10.0, 39.0, 104.0])
def test_expected_orders_against_numerical_posterior(fitted, x, t_x, T, t):
    # Given alive with (λ, p): expected purchases in (T, T+t] = (1 - e^{-λ p t}) / p (FHL 2005, eq. 8).
    expected = _posterior_expectation(fitted.params_, x, t_x, T, lambda lam, p: -np.expm1(-lam * p * t) / p)
    assert fitted.expected_orders(t, x, t_x, T) == pytest.approx(expected, rel=1e-4)


def test_expected_orders_against_fhl_closed_form(fitted):
    """FHL (2005) eq. 10 written literally (no Euler transform) for moderate inputs."""
    r, al, a, b = (fitted.params_[k] for k in ("r", "alpha", "a", "b"))
    x, tx, T, t = np.array([0, 2, 7]), np.array([0.0, 30.43, 29.0]), np.array([38.86, 38.86, 38.0]), 39.0
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (al + T + t))
    first = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * hyp)
    second = 1 + (x > 0) * a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x)
    np.testing.assert_allclose(fitted.expected_orders(t, x, tx, T), first / second, rtol=1e-10)


def test_expected_orders_new_against_fhl_eq9(fitted):
    r, al, a, b = (fitted.params_[k] for k in ("r", "alpha", "a", "b"))
    t = np.array([1.0, 39.0, 78.0])
    eq9 = (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * special.hyp2f1(r, b, a + b - 1, t / (al + t)))
    np.testing.assert_allclose(fitted.expected_orders_new(t), eq9, rtol=1e-10)


def test_quadrature_fallback_agrees_with_closed_form(fitted):
    r, al, a, b = (fitted.params_[k] for k in ("r", "alpha", "a", "b"))
    for x, tx, T, t in [(0, 0.0, 38.86, 39.0), (2, 30.43, 38.86, 39.0), (25, 37.0, 38.86, 52.0)]:
        assert _bgnbd_conditional_quad(t, x, tx, T, r, al, a, b) == pytest.approx(
            float(fitted.expected_orders(t, x, tx, T)), rel=1e-7
        )


@pytest.mark.parametrize("model", ["bg_nbd", "mbg_nbd"])
def test_expected_orders_with_a_near_homogeneous_dropout(model):
    """a, b → ∞ with a/(a+b) = p fixed: every customer drops out with the same p per purchase. A fit may run
    there (it did on the demo data's holdout split); the forecast must then be the homogeneous-p limit
    P(alive) · (1 − ((α+T)/(α+T+p·t))^(r+x)) / p — it was 0 for everyone (₂F₁ overflowed and the
    quadrature over [0, 1] missed the narrow Beta spike), which made the model choice reject BG/NBD."""
    from salesfocus.predict import ModifiedBetaGeoModel

    r, al, a, b = 0.93, 18.25, 23649.8, 2739957.7
    m = (BetaGeoModel if model == "bg_nbd" else ModifiedBetaGeoModel)()
    m.params_ = {"r": r, "alpha": al, "a": a, "b": b}
    x, tx, T, t = np.array([0.0, 5.0, 20.0]), np.array([0.0, 100.0, 120.0]), np.array([50.0, 130.0, 125.0]), 26.3
    p = a / (a + b)
    extra = 0.0 if model == "bg_nbd" else 1.0  # MBG/NBD: also a dropout chance at the first purchase
    odds_dead = np.where((x > 0) | (extra > 0), p / (1 - p) * ((al + T) / (al + tx)) ** (r + x), 0.0)
    limit = (1 - ((al + T) / (al + T + p * t)) ** (r + x)) / p / (1 + odds_dead)
    got = m.expected_orders(t, x, tx, T)
    np.testing.assert_allclose(got, limit, rtol=2e-3)
    assert np.all(got > 0.3)


@pytest.mark.parametrize("a, b", [(19648.0, 1209106.0), (2.5, 3.0), (4.0, 40.0), (120.0, 5000.0), (2.0, 1e6)])
@pytest.mark.parametrize("model", ["bg_nbd", "mbg_nbd"])
def test_node_integral_agrees_with_the_adaptive_one(model, a, b):
    """The fallback integrates many customers at once on fixed nodes; per customer it must give what the
    adaptive integral gives (the spike of a homogeneous dropout included)."""
    from salesfocus.predict.beta_geo import _bgnbd_conditional_nodes
    from salesfocus.predict.modified_beta_geo import _mbg_conditional_nodes, _mbg_conditional_quad

    nodes, quad = ((_bgnbd_conditional_nodes, _bgnbd_conditional_quad) if model == "bg_nbd"
                   else (_mbg_conditional_nodes, _mbg_conditional_quad))
    rng = np.random.default_rng(7)
    x = rng.integers(0, 60, 60).astype(float)
    T = rng.uniform(1, 200, 60)
    tx = np.where(x > 0, rng.uniform(0, 1, 60) * T, 0.0)
    t = rng.choice([4.0, 13.0, 52.0], 60)
    got = nodes(t, x, tx, T, 1.0, 19.6, a, b)
    want = [quad(t[i], x[i], tx[i], T[i], 1.0, 19.6, a, b) for i in range(60)]
    np.testing.assert_allclose(got, want, rtol=1e-7)


def test_a_homogeneous_dropout_is_forecast_for_many_customers_at_once():
    """With a, b → ∞ the closed form fails for every customer; the fallback must not be one adaptive integral
    per customer and horizon (it was: 50 s for 20,000 customers) and must agree with it."""
    m = BetaGeoModel()
    m.params_ = {"r": 1.0067, "alpha": 19.57, "a": 19648.0, "b": 1209106.0}
    rng = np.random.default_rng(3)
    n = 20_000
    x = rng.integers(0, 80, n).astype(float)
    T = rng.uniform(5, 200, n)
    tx = np.where(x > 0, rng.uniform(0, 1, n) * T, 0.0)
    got = m.expected_orders(52.0, x, tx, T)
    sample = rng.choice(n, 25, replace=False)
    want = [_bgnbd_conditional_quad(52.0, x[i], tx[i], T[i], 1.0067, 19.57, 19648.0, 1209106.0) for i in sample]
    np.testing.assert_allclose(got[sample], want, rtol=1e-8)
    assert np.all(np.isfinite(got)) and np.all(got > 0)


def test_a_homogeneous_dropout_is_integrated_once_per_distinct_frequency_and_age(monkeypatch):
    """Where the closed form fails for everyone, what the integral gives depends on (t, x, T) only, P(alive) weighs it
    per customer: 1M customers over 12 horizons took 18 s integrated per customer, 1.6 s per distinct (x, T)."""
    from salesfocus.predict import beta_geo

    m = BetaGeoModel()
    params = {"r": 1.0067, "alpha": 19.57, "a": 19648.0, "b": 1209106.0}
    m.params_ = params
    rng = np.random.default_rng(11)
    pairs = np.array([(x, T) for x in range(0, 40, 4) for T in (30.0, 60.0, 90.0, 120.0)])  # 40 pairs
    pick = rng.integers(0, len(pairs), 5000)
    x, T = pairs[pick, 0], pairs[pick, 1]
    tx = np.where(x > 0, np.round(rng.uniform(0, 1, 5000) * T, 1), 0.0)
    integrated: list[int] = []
    nodes = beta_geo._bgnbd_growth_nodes
    monkeypatch.setattr(beta_geo, "_bgnbd_growth_nodes", lambda t, x, *a: integrated.append(len(x)) or nodes(t, x, *a))
    out = m.expected_orders_at([4.0, 52.0], x, tx, T)
    assert integrated and max(integrated) <= len(pairs)  # per customer it would be thousands
    for i in rng.choice(5000, 20, replace=False):
        want = _bgnbd_conditional_quad(52.0, x[i], tx[i], T[i], *params.values())
        assert out[1][i] == pytest.approx(want, rel=1e-8)


@pytest.mark.parametrize("params", [None, {"r": 1.0067, "alpha": 19.57, "a": 19648.0, "b": 1209106.0}])
def test_expected_orders_at_many_horizons_equals_one_call_per_horizon(fitted, params):
    """The horizons share the P(alive) and the ₂F₁ part per distinct (x, T): bit for bit what one call per horizon
    gives, the fallback integral of a homogeneous dropout included."""
    m = fitted
    if params is not None:
        m = BetaGeoModel()
        m.params_ = params
    rng = np.random.default_rng(5)
    x = rng.integers(0, 8, 3000).astype(float)
    T = rng.integers(1, 40, 3000).astype(float)
    tx = np.where(x > 0, np.floor(rng.uniform(0, 1, 3000) * T), 0.0)
    ts = [4.3, 13.0, 52.2]
    for got, t in zip(m.expected_orders_at(ts, x, tx, T), ts, strict=True):
        np.testing.assert_array_equal(got, m.expected_orders(t, x, tx, T))


def test_extreme_inputs_stay_finite_and_ordered(fitted):
    x = np.array([0, 50, 500, 5000])
    t_x = np.array([0.0, 38.0, 38.8, 38.85])
    T = np.full(4, 38.86)
    e1 = fitted.expected_orders(1e4, x, t_x, T)
    e2 = fitted.expected_orders(2e4, x, t_x, T)
    assert np.all(np.isfinite(e1)) and np.all(e1 >= 0) and np.all(e2 >= e1)
    assert np.all(np.diff(fitted.expected_orders(39.0, x, t_x, T)) > 0)
    assert fitted.expected_orders(0.0, 3, 10.0, 20.0) == 0.0


def test_probability_alive_basics(fitted):
    assert fitted.probability_alive(0, 0.0, 50.0) == 1.0  # no repeat purchase: no chance to drop out
    p = fitted.probability_alive(5, np.array([5.0, 20.0, 38.0]), 38.86)
    assert np.all(np.diff(p) > 0)  # more recent last purchase → more likely alive


def test_prediction_inputs_checked(fitted):
    with pytest.raises(InputError, match="recency must not exceed T"):
        fitted.probability_alive(1, 10.0, 5.0)
    with pytest.raises(InputError, match="t must be >= 0"):
        fitted.expected_orders(-1, 1, 1.0, 5.0)


# ---------------------------------------------------------------------------------------- contract
def test_inert_constructor_and_not_fitted():
    m = BetaGeoModel(penalizer=-1, n_starts=0)  # stores, checks nothing
    assert m.penalizer == -1
    with pytest.raises(NotFittedError, match="not fitted yet"):
        m.probability_alive(1, 1.0, 2.0)
    with pytest.raises(NotFittedError):
        m.expected_orders(1, 1, 1.0, 2.0)
    with pytest.raises(NotFittedError):
        m.summary()
    with pytest.raises(InputError, match="penalizer must be a number >= 0"):
        m.fit(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))


def test_missing_columns_are_named():
    with pytest.raises(InputError, match=r"missing required column\(s\): T, recency"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1, 2]}))


def test_bad_values_rejected():
    with pytest.raises(InputError, match="whole number"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1.5], "recency": [1.0], "T": [2.0]}))
    with pytest.raises(InputError, match="missing or non-finite"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1], "recency": [np.nan], "T": [2.0]}))


# ---------------------------------------------------------------------------------------- robustness
def test_all_frequency_zero_is_a_clear_input_error():
    df = pd.DataFrame({"frequency": [0] * 100, "recency": [0.0] * 100, "T": np.linspace(1, 40, 100)})
    with pytest.raises(InputError, match="none of the 100 customers has a repeat purchase"):
        BetaGeoModel().fit(df)


DEGENERATE = {
    "identical customers (no heterogeneity)": pd.DataFrame(
        {"frequency": [1] * 50, "recency": [10.0] * 50, "T": [10.0] * 50}
    ),
    "one repeat buyer among 1,000": pd.DataFrame(
        {"frequency": [0] * 999 + [1], "recency": [0.0] * 999 + [1.0], "T": [10.0] * 1000}
    ),
    "ten customers": pd.DataFrame(
        {
            "frequency": [0, 1, 2, 0, 5, 1, 0, 3, 0, 0],
            "recency": [0, 3.0, 9, 0, 19, 2, 0, 12, 0, 0],
            "T": [20, 10, 15, 3, 20, 8, 12, 19, 20, 5.0],
        }
    ),
}


@pytest.mark.parametrize("name", list(DEGENERATE))
def test_non_identified_data_is_reported_not_silent(name):
    m = BetaGeoModel().fit(DEGENERATE[name])
    assert m.converged_ is False
    assert m.fit_message_.startswith("NOT converged")
    assert "do not identify the model" in m.fit_message_
    assert m.n_starts_used_ > 1  # it retried from other start points
    assert m.summary()["converged"] is False


def test_fallback_penalizer_regularises_and_says_so():
    m = BetaGeoModel(fallback_penalizer=0.01).fit(DEGENERATE["ten customers"])
    assert m.converged_ is True
    assert m.penalizer_used_ == 0.01
    assert m.fit_message_.startswith("regularised")
    assert all(np.isfinite(list(m.std_errors_.values())))


def test_fallback_not_used_when_plain_fit_converges(cdnow_summary):
    m = BetaGeoModel(fallback_penalizer=0.01).fit(cdnow_summary)
    assert m.penalizer_used_ == 0.0 and m.converged_
