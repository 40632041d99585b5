"""Pareto/NBD repeat-purchase model (Schmittlein, Morrison & Colombo 1987): future orders and P(active)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from salesfocus.errors import InputError
from salesfocus.predict.base import CustomerModel, _wsum
from salesfocus.predict.beta_geo import _predict_inputs, _repeat_purchase_data

__all__ = ["ParetoNBDModel"]

# Relative step of the central-difference gradient on the log-parameters.
_FD_STEP = 1e-6


class ParetoNBDModel(CustomerModel):
    """Pareto/NBD model for non-contractual customers.

    Assumptions (Schmittlein, Morrison & Colombo 1987): while active, a customer buys as a Poisson process
    with rate λ; its lifetime is exponential with rate μ (dropout can happen at any time, not only right
    after a purchase as in BG/NBD); λ ~ Gamma(r, α) and μ ~ Gamma(s, β) across customers, independently.

    The likelihood is the form of Fader & Hardie's note "A Note on Deriving the Pareto/NBD Model and
    Related Expressions" (2005, eq. 22),

    ``L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^-(r+x) (β+T)^-s + s/(r+s+x) · A0 ]``,

    ``A0 = F(t_x) − F(T)``, ``F(y) = ₂F₁(r+s+x, b; r+s+x+1; |α−β|/(m+y)) / (m+y)^(r+s+x)`` with
    ``m = max(α, β)`` and ``b = s+1`` when α ≥ β, ``b = r+x`` when α < β (so the argument of ₂F₁ is in
    [0, 1) in both cases). Everything is evaluated in logs: ``log A0`` as a signed log-sum-exp of the two
    F terms and the bracket as a log-sum-exp of its two parts, as in Fader, Hardie & Lee's note
    "A Note on Implementing the Pareto/NBD Model in MATLAB" (2005). Rows where the closed form is not
    finite (scipy's ₂F₁ fails for large s and β with its argument near 1) fall back to the equivalent
    integral ``A0 · s/(r+s+x) = s ∫_{t_x}^T (α+y)^-(r+x) (β+y)^-(s+1) dy``, by vectorised Gauss-Legendre
    quadrature after a substitution that follows the integrand's decay. The gradient is taken by central differences
    on the log-parameters (``₂F₁`` has no cheap derivative in its parameters).

    Same API as :class:`~salesfocus.predict.beta_geo.BetaGeoModel`: ``fit`` on ``frequency, recency, T``;
    ``probability_alive``, ``expected_orders(t, …)``, ``expected_orders_new(t)``, ``predict_frame``.

    References
    ----------
    Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). "Counting Your Customers: Who Are They and
    What Will They Do Next?" Management Science 33(1), 1-24.
    Fader, P. S. & Hardie, B. G. S. (2005). "A Note on Deriving the Pareto/NBD Model and Related Expressions".
    Fader, Hardie & Lee (2005). "A Note on Implementing the Pareto/NBD Model in MATLAB" (CDNOW: r = 0.5534,
    α = 10.5776, s = 0.6061, β = 11.6689, LL = −9594.98).
    """

    _model_name = "pareto_nbd"
    _required_columns = ("frequency", "recency", "T")
    _param_names = ("r", "alpha", "s", "beta")
    _scale_params = ("alpha", "beta")

    # ------------------------------------------------------------------ fitting
    def _prepare(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        who = "ParetoNBDModel.fit"
        data = _repeat_purchase_data(df, who, "Pareto/NBD")
        x, t_x, T = data["x"], data["t_x"], data["T"]
        if len(x) and not np.any(T > 0):
            raise InputError(f"{who}: every customer has T = 0 (all acquired on the calibration end date)")
        return {"x": x, "t_x": t_x, "T": T}

    def _default_start(self, data: dict[str, np.ndarray]) -> np.ndarray:
        w = data["w"]
        rate = float(np.sum(w * data["x"]) / max(np.sum(w * data["T"]), 1e-12))
        alpha0 = 1.0 / rate if rate > 0 else 1.0
        scale = float(np.sum(w * data["T"])) or 1.0
        return np.array([1.0, min(max(alpha0, 1e-3), 1e5), 1.0, min(max(scale, 1e-3), 1e5)])

    def _log_likelihood_terms(self, params: np.ndarray, data: dict[str, np.ndarray]) -> np.ndarray:
        r, alpha, s, beta = (float(v) for v in params)
        return _pnbd_loglik(r, alpha, s, beta, data["x"], data["t_x"], data["T"])[0]

    def _nll_grad(self, log_params: np.ndarray, data: dict[str, np.ndarray]) -> tuple[float, np.ndarray]:
        w = data["w"]

        def f(z: np.ndarray) -> float:
            return -_wsum(w, self._log_likelihood_terms(np.exp(z), data))

        f0 = f(log_params)
        g = np.empty(len(log_params))
        for j in range(len(log_params)):
            e = np.zeros(len(log_params))
            e[j] = _FD_STEP
            g[j] = (f(log_params + e) - f(log_params - e)) / (2 * _FD_STEP)
        return f0, g

    # ------------------------------------------------------------------ predictions
    def _p(self) -> tuple[float, float, float, float]:
        self._check_fitted()
        p = self.params_
        return p["r"], p["alpha"], p["s"], p["beta"]

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(customer still active at T | x, t_x, T) (Fader & Hardie 2005 note, eq. 18).

        The share of the likelihood that comes from "still alive at T":
        ``(α+T)^-(r+x) (β+T)^-s / [ (α+T)^-(r+x) (β+T)^-s + s/(r+s+x) · A0 ]``, in logs.
        """
        r, alpha, s, beta = self._p()
        x, t_x, T = _predict_inputs(frequency, recency, T)
        shape = x.shape
        _, log_alive_share = _pnbd_loglik(r, alpha, s, beta, x.ravel(), t_x.ravel(), T.ravel())
        return np.exp(log_alive_share).reshape(shape)

    def expected_orders(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Expected purchases in the next ``t`` time units given (x, t_x, T) (Fader & Hardie 2005 note, eq. 41).

        ``E[Y(t)|x,t_x,T] = P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)]``; at s = 1 the
        bracket over (s − 1) is its limit ``log((β+T+t)/(β+T))``.
        """
        r, alpha, s, beta = self._p()
        x, t_x, T = _predict_inputs(frequency, recency, T)
        t = np.asarray(t, dtype="float64")
        if np.any(t < 0):
            raise InputError("expected_orders: t must be >= 0")
        x, t_x, T, t = np.broadcast_arrays(x, t_x, T, t)
        p_alive = self.probability_alive(x, t_x, T)
        L = np.log1p(t / (beta + T))  # log((β+T+t)/(β+T))
        sm1 = s - 1.0
        if abs(sm1) * float(np.max(L, initial=0.0)) < 1e-8:
            life = L * (1.0 - 0.5 * sm1 * L)
        else:
            life = -np.expm1(-sm1 * L) / sm1
        return p_alive * (r + x) * (beta + T) / (alpha + T) * life

    def expected_orders_new(self, t: Any) -> np.ndarray:
        """Expected purchases in ``t`` time units by a customer just acquired (x = t_x = T = 0)."""
        t = np.asarray(t, dtype="float64")
        z = np.zeros_like(t)
        return self.expected_orders(t, z, z, z)

    def predict_frame(self, data: Any, t: float) -> pd.DataFrame:
        """``p_active`` and ``expected_orders`` (next ``t`` units) for a per-customer frame."""
        from salesfocus.predict.base import as_frame

        df = as_frame(data, self._required_columns, who=f"{type(self).__name__}.predict_frame")
        x, t_x, T = df["frequency"], df["recency"], df["T"]
        return pd.DataFrame(
            {"p_active": self.probability_alive(x, t_x, T), "expected_orders": self.expected_orders(t, x, t_x, T)},
            index=df.index,
        )


def _log_a0(r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray):
    """log A0 (FH 2005 note, eq. 22): ₂F₁ terms for α ≥ β and α < β, difference as a signed log-sum-exp."""
    rsx = r + s + x
    if alpha >= beta:
        m, b = alpha, np.full_like(x, s + 1.0)
    else:
        m, b = beta, r + x
    d = abs(alpha - beta)
    q1, q2 = m + t_x, m + T
    # scipy's ₂F₁ is fast and accurate for moderate parameters; for large ones with its argument near 1 it
    # can take ~1 ms per call and still return NaN. Those rows are left NaN here: the caller integrates them.
    ok = (b <= 200.0) & (rsx <= 1000.0) & (d / q1 <= 0.995)
    out = np.full(x.shape, np.nan)
    if np.any(ok):
        rk, bk, q1k, q2k = rsx[ok], b[ok], q1[ok], q2[ok]
        with np.errstate(all="ignore"):
            lf1 = np.log(special.hyp2f1(rk, bk, rk + 1.0, d / q1k)) - rk * np.log(q1k)
            lf2 = np.log(special.hyp2f1(rk, bk, rk + 1.0, d / q2k)) - rk * np.log(q2k)
            # log(e^lf1 − e^lf2), lf1 ≥ lf2 (F decreases in y); −inf when t_x = T.
            out[ok] = lf1 + np.log(-np.expm1(np.minimum(lf2 - lf1, 0.0)))
    return out


def _pnbd_loglik(r, alpha, s, beta, x, t_x, T) -> tuple[np.ndarray, np.ndarray]:
    """Per-row log-likelihood and log P(alive) (the alive term's share of the likelihood)."""
    x = np.asarray(x, dtype="float64")
    t_x = np.asarray(t_x, dtype="float64")
    T = np.asarray(T, dtype="float64")
    with np.errstate(all="ignore"):
        head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        l_alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        l_dead = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, t_x, T)
    bad = ~np.isfinite(l_dead) & (t_x < T)
    if np.any(bad):
        l_dead = l_dead.copy()
        l_dead[bad] = _log_dead_gl(r, alpha, s, beta, x[bad], t_x[bad], T[bad])
    l_dead = np.where(t_x < T, l_dead, -np.inf)
    lse = np.logaddexp(l_alive, l_dead)
    return head + lse, l_alive - lse


_GL_X, _GL_W = np.polynomial.legendre.leggauss(64)


def _log_dead_gl(r, alpha, s, beta, x, t_x, T) -> np.ndarray:
    """log( s ∫_{t_x}^T (α+y)^-(r+x) (β+y)^-(s+1) dy ) by 64-point Gauss-Legendre, vectorised (fallback).

    The integrand h is log-convex and decreasing, decaying at most at rate k = (r+x)/(α+t_x) + (s+1)/(β+t_x)
    (its rate at t_x). With y = t_x + (e^u − 1)/k the integrand in u is smooth, flat at u = 0 and decays at
    least double-exponentially where h is exponential, or like a power law on a log scale — both of which
    Gauss-Legendre integrates to ~1e-12 (checked against adaptive quadrature over a wide parameter box).
    Used where scipy's ₂F₁ overflows or fails (e.g. s and β both large: nearly homogeneous dropout).
    """
    rx = r + x
    s1 = s + 1.0
    sigma = 1.0 / (rx / (alpha + t_x) + s1 / (beta + t_x))
    U = np.log1p((T - t_x) / sigma)
    u = 0.5 * U[:, None] * (_GL_X + 1.0)
    dy = sigma[:, None] * np.expm1(u)
    lint = -rx[:, None] * np.log1p(dy / (alpha + t_x)[:, None]) - s1 * np.log1p(dy / (beta + t_x)[:, None]) + u
    m = lint.max(axis=1)
    val = np.log(0.5 * U * np.sum(_GL_W * np.exp(lint - m[:, None]), axis=1)) + m + np.log(sigma)
    return np.log(s) + val - rx * np.log(alpha + t_x) - s1 * np.log(beta + t_x)
