"""Modified BG/NBD repeat-purchase model (Batislam, Denizel & Filiztekin 2007): future orders and P(active)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from salesfocus.errors import InputError
from salesfocus.predict.base import _wsum
from salesfocus.predict.beta_geo import BetaGeoModel, _predict_inputs, _quad_beta, finite_or_quad, quad_beta_nodes

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD: BG/NBD where a customer may also drop out right after its *first* purchase.

    Assumptions (Batislam, Denizel & Filiztekin 2007): while active, a customer buys as a Poisson process
    with rate λ ~ Gamma(r, α); after every purchase, the first included, it becomes inactive with
    probability p ~ Beta(a, b). So a customer without repeat purchases is not certainly alive (BG/NBD
    gives it P(alive) = 1), which suits data with many one-time buyers.

    Likelihood of (x, t_x, T):
    ``Γ(r+x)α^r/Γ(r) · [B(a, b+x+1)/B(a,b) · (α+T)^-(r+x) + B(a+1, b+x)/B(a,b) · (α+t_x)^-(r+x)]``,
    evaluated as a log-sum-exp with its analytic gradient.

    Same API as :class:`~salesfocus.predict.beta_geo.BetaGeoModel`.

    References
    ----------
    Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). "Empirical validation and comparison of models
    for customer base analysis". International Journal of Research in Marketing 24(3), 201-209.
    """

    _model_name = "mbg_nbd"
    _label = "MBG/NBD"
    _param_names = ("r", "alpha", "a", "b")

    def _terms(self, params: np.ndarray, data: dict[str, np.ndarray], *, grad: bool):
        r, alpha, a, b = params
        t_x, T, xu, xi = data["t_x"], data["T"], data["xu"], data["xi"]
        rx = r + xu
        a1_u = special.gammaln(rx) - special.gammaln(r) + r * np.log(alpha)
        # log B(a, b+x+1) − log B(a, b)
        a2_u = (special.gammaln(a + b) + special.gammaln(b + xu + 1.0) - special.gammaln(b)
                - special.gammaln(a + b + xu + 1.0))
        lbx_u = np.log(b + xu)
        rxg = rx[xi]
        la_T = np.log(alpha + T)
        la_tx = np.log(alpha + t_x)
        A3 = -rxg * la_T
        A4 = np.log(a) - lbx_u[xi] - rxg * la_tx  # B(a+1, b+x) = B(a, b+x+1) · a/(b+x)
        hi = np.maximum(A3, A4)
        lse = hi + np.log1p(np.exp(-np.abs(A3 - A4)))
        ll = a1_u[xi] + a2_u[xi] + lse
        if not grad:
            return ll, None
        w4 = np.exp(A4 - lse)
        w3 = 1.0 - w4
        dr = (special.digamma(rx) - special.digamma(r))[xi] + np.log(alpha) - w3 * la_T - w4 * la_tx
        dalpha = r / alpha - rxg * (w3 / (alpha + T) + w4 / (alpha + t_x))
        dab = special.digamma(a + b) - special.digamma(a + b + xu + 1.0)
        da = dab[xi] + w4 / a
        db = (dab + special.digamma(b + xu + 1.0) - special.digamma(b))[xi] - w4 / (b + xu)[xi]
        return ll, (dr, dalpha, da, db)

    def _nll_grad(self, log_params, data):
        params = np.exp(log_params)
        w = data["w"]
        ll, grads = self._terms(params, data, grad=True)
        return -_wsum(w, ll), -np.array([_wsum(w, gi) for gi in grads]) * params

    # ------------------------------------------------------------------ predictions
    @staticmethod
    def _log_odds_dead(x, t_x, T, r, alpha, a, b) -> np.ndarray:
        return np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(active at T | x, t_x, T) = ``1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))`` (Batislam et al. 2007)."""
        r, alpha, a, b = self._p()
        x, t_x, T = _predict_inputs(frequency, recency, T)
        return special.expit(-self._log_odds_dead(x, t_x, T, r, alpha, a, b))

    def expected_orders(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Expected purchases in the next ``t`` units given (x, t_x, T) (Batislam et al. 2007).

        ``(a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x+1; a+b+x; z)] · P(alive)``,
        ``z = t/(α+T+t)``; the ₂F₁ term after Euler's transformation (parameters that do not grow with x),
        with numerical integration over p where the closed form is not finite.
        """
        r, alpha, a, b = self._p()
        x, t_x, T = _predict_inputs(frequency, recency, T)
        t = np.asarray(t, dtype="float64")
        if np.any(t < 0):
            raise InputError("expected_orders: t must be >= 0")
        x, t_x, T, t = np.broadcast_arrays(x, t_x, T, t)
        if abs(a - 1.0) < 1e-6:
            h = 1e-5
            return 0.5 * (_mbg_conditional(t, x, t_x, T, r, alpha, 1.0 + h, b)
                          + _mbg_conditional(t, x, t_x, T, r, alpha, 1.0 - h, b))
        return _mbg_conditional(t, x, t_x, T, r, alpha, a, b)


def _mbg_conditional(t, x, t_x, T, r, alpha, a, b) -> np.ndarray:
    z = t / (alpha + T + t)
    c = a + b + x
    with np.errstate(all="ignore"):
        # (1-z)^(r+x) ₂F₁(r+x, b+x+1; c; z) = (1-z)^(a-1) ₂F₁(a+b-r, a-1; c; z)  (Euler)
        g = np.exp((a - 1.0) * np.log1p(-z)) * special.hyp2f1(a + b - r, a - 1.0, c, z)
        num = c / (a - 1.0) * (1.0 - g)
    p_alive = special.expit(-ModifiedBetaGeoModel._log_odds_dead(x, t_x, T, r, alpha, a, b))
    return finite_or_quad(num * p_alive, _mbg_conditional_quad, t, x, t_x, T, r, alpha, a, b,
                          vector=_mbg_conditional_nodes)


def _mbg_conditional_nodes(t, x, t_x, T, r, alpha, a, b) -> np.ndarray:
    """:func:`_mbg_conditional_quad` for many entries at once (:func:`~salesfocus.predict.beta_geo.quad_beta_nodes`)."""
    rx = r + x
    lbeta = special.betaln(a, b)
    top = quad_beta_nodes(a, b + x + 1.0, lbeta, rx, t / (alpha + T))
    with np.errstate(all="ignore"):
        alive = np.exp(special.betaln(a, b + x + 1) - lbeta)
        dead = np.exp(special.betaln(a + 1, b + x) - lbeta + rx * (np.log(alpha + T) - np.log(alpha + t_x)))
    return top / (alive + dead)


def _mbg_conditional_quad(t, x, t_x, T, r, alpha, a, b) -> float:
    """E[Y(t)|x,t_x,T] integrating λ analytically and p numerically (fallback for extreme inputs).

    Alive after x+1 purchases: (1-p)^(x+1); given alive, E[Y(t)|λ,p] = (1 - e^{-λpt})/p. Scaled by (α+T)^(r+x).
    """
    rx = r + x
    lbeta = special.betaln(a, b)

    def num(p: float) -> float:
        dens = np.exp((a - 1) * np.log(p) + (b + x) * np.log1p(-p) - lbeta)
        return float(dens * -np.expm1(-rx * np.log1p(p * t / (alpha + T))) / p)

    top = _quad_beta(num, a, b + x + 1.0)
    alive = np.exp(special.betaln(a, b + x + 1) - lbeta)
    dead = np.exp(special.betaln(a + 1, b + x) - lbeta + rx * (np.log(alpha + T) - np.log(alpha + t_x)))
    return float(top / (alive + dead))
