"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005): expected value per order per customer."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from salesfocus.errors import InputError
from salesfocus.predict.base import CustomerModel, _float_column, _wsum, as_frame

__all__ = ["GammaGammaModel"]

# |Pearson r| between frequency and average value below which the independence assumption is taken as met.
INDEPENDENCE_OK = 0.1
INDEPENDENCE_WEAK = 0.3


class GammaGammaModel(CustomerModel):
    """Gamma-Gamma model of the average value of a customer's repeat purchases.

    Assumptions: a customer's purchase values are Gamma(p, ν) around its own mean p/ν; ν ~ Gamma(q, γ)
    across customers; and the spend process is **independent of the purchase frequency** (check it with
    :meth:`independence_check`, which ``fit`` also runs and stores in ``independence_``).

    Parameters
    ----------
    penalizer, n_starts, tol, max_iter, random_state
        Fit settings, see :class:`~salesfocus.predict.base.CustomerModel`.

    Notes
    -----
    ``fit`` reads one row per customer with ``frequency`` (repeat purchase days) and ``monetary_value``
    (mean value of those repeat purchases), as returned by :func:`~salesfocus.predict.rfm.rfm_table`.
    Only customers with ``frequency > 0`` and ``monetary_value > 0`` carry information on spend; the
    others are left out of the fit and counted in ``excluded_`` (by reason) and in ``fit_message_``.
    The value scale is normalised internally (the model is scale-equivariant in γ), so any currency
    magnitude fits equally well.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "RFM and CLV: Using Iso-Value Curves for
    Customer Base Analysis". Journal of Marketing Research 42(4), 415-430.
    Fader & Hardie (2013). "The Gamma-Gamma Model of Monetary Value" (note).
    """

    _model_name = "gamma_gamma"
    _required_columns = ("frequency", "monetary_value")
    _param_names = ("p", "q", "gamma")
    _scale_params = ("gamma",)

    def fit(self, data: Any) -> GammaGammaModel:
        """Fit p, q, γ by maximum likelihood on customers with repeat purchases and positive value."""
        self._value_scale = 1.0
        df = as_frame(data, self._required_columns, who="GammaGammaModel.fit")
        super().fit(df)
        scale = self._value_scale
        self.params_["gamma"] *= scale
        self.log_likelihood_ -= self.n_customers_ * np.log(scale)  # density of m = density of m/scale / scale
        notes = [f"{k.replace('_', ' ')}: {v}" for k, v in self.excluded_.items() if v]
        if notes:
            self.fit_message_ += f"; left out of the fit ({self.n_customers_} used): " + ", ".join(notes)
        if self.params_["q"] <= 1.0:
            self.fit_message_ += "; q <= 1: the population mean value p·γ/(q-1) is undefined"
        x, m = self._fit_xm
        self.independence_ = self.independence_check(x, m)
        del self._fit_xm
        return self

    def _prepare(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        who = "GammaGammaModel.fit"
        x = _float_column(df, "frequency", who)
        m = _float_column(df, "monetary_value", who)
        if np.any(x < 0) or np.any(x != np.floor(x)):
            raise InputError(f"{who}: frequency must be a whole number >= 0")
        repeat = x > 0
        positive = m > 0
        self.excluded_ = {
            "no_repeat_purchase": int(np.sum(~repeat)),
            "non_positive_value": int(np.sum(repeat & ~positive)),
        }
        keep = repeat & positive
        if not np.any(keep):
            raise InputError(
                f"{who}: no customer has a repeat purchase with a positive value "
                f"({self.excluded_['no_repeat_purchase']} without repeat purchase, "
                f"{self.excluded_['non_positive_value']} with value <= 0); Gamma-Gamma cannot be estimated"
            )
        x, m = x[keep], m[keep]
        self._fit_xm = (x, m)
        self._value_scale = float(np.median(m))
        return {"x": x, "m": m / self._value_scale}

    def _augment(self, data: dict[str, np.ndarray]) -> None:
        xu, xi = np.unique(data["x"], return_inverse=True)
        data["xu"], data["xi"] = xu, xi
        data["log_m"] = np.log(data["m"])
        data["log_x"] = np.log(data["x"])
        data["mx"] = data["m"] * data["x"]
        data["work"] = np.empty((7, len(data["x"])))  # reused by every evaluation (see BetaGeoModel._augment)

    def _default_start(self, data: dict[str, np.ndarray]) -> np.ndarray:
        mean = float(np.sum(data["w"] * data["m"]))
        return np.array([1.0, 2.0, mean])  # p γ / (q - 1) = sample mean

    def _terms(self, params: np.ndarray, data: dict[str, np.ndarray], *, grad: bool):
        p, q, g = params
        x, xu, xi, log_m, log_x, mx = data["x"], data["xu"], data["xi"], data["log_m"], data["log_x"], data["mx"]
        work = data.get("work")
        if work is None or work.shape[1] != len(x):
            work = data["work"] = np.empty((7, len(x)))
        px, lgm, ll, tmp, dp, dq, dg = work
        pxu = p * xu
        c_u = special.gammaln(pxu + q) - special.gammaln(pxu)
        # In place, operation by operation as the plain expressions (same values, bit for bit), into work arrays
        # overwritten by the next call:
        # ll = c(x) − lnΓ(q) + q·log γ + (px − 1)·log m + px·log x − (px + q)·log(γ + m·x)
        np.multiply(p, x, out=px)
        np.log(np.add(g, mx, out=lgm), out=lgm)
        np.subtract(np.take(c_u, xi, out=ll), special.gammaln(q), out=ll)
        np.add(ll, q * np.log(g), out=ll)
        np.add(ll, np.multiply(np.subtract(px, 1.0, out=tmp), log_m, out=tmp), out=ll)
        np.add(ll, np.multiply(px, log_x, out=tmp), out=ll)
        np.subtract(ll, np.multiply(np.add(px, q, out=tmp), lgm, out=tmp), out=ll)
        if not grad:
            return ll, None
        psi_pq_u = special.digamma(pxu + q)
        # dp = x·(ψ(px+q) − ψ(px) + log m + log x − log(γ + m·x))
        np.add(np.take(psi_pq_u - special.digamma(pxu), xi, out=dp), log_m, out=dp)
        np.subtract(np.add(dp, log_x, out=dp), lgm, out=dp)
        np.multiply(x, dp, out=dp)
        # dq = ψ(px+q) − ψ(q) + log γ − log(γ + m·x); dγ = q/γ − (px + q)/(γ + m·x)
        np.subtract(np.take(psi_pq_u, xi, out=dq), special.digamma(q), out=dq)
        np.subtract(np.add(dq, np.log(g), out=dq), lgm, out=dq)
        np.divide(np.add(px, q, out=tmp), np.add(g, mx, out=dg), out=tmp)
        np.subtract(q / g, tmp, out=dg)
        return ll, (dp, dq, dg)

    def _log_likelihood_terms(self, params: np.ndarray, data: dict[str, np.ndarray]) -> np.ndarray:
        return self._terms(params, data, grad=False)[0].copy()

    def _nll_grad(self, log_params: np.ndarray, data: dict[str, np.ndarray]) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        w = data["w"]
        ll, grads = self._terms(params, data, grad=True)
        buf = data["work"][3]  # free again once _terms has returned
        return -_wsum(w, ll, buf), -np.array([_wsum(w, gi, buf) for gi in grads]) * params

    # ------------------------------------------------------------------ predictions
    def expected_average_value(self, frequency: Any, monetary_value: Any) -> np.ndarray:
        """E[average order value | x, m̄] = p(γ + x·m̄) / (p·x + q - 1) (FHL 2005, eq. 5 / Fader-Hardie note).

        A weighted mean of the population mean p·γ/(q-1) and the customer's own m̄, with weight on m̄
        growing with x. Customers with x = 0 get the population mean (their ``monetary_value`` is
        ignored). NaN where the mean does not exist (q <= 1 and x = 0).
        """
        self._check_fitted()
        p, q, g = self.params_["p"], self.params_["q"], self.params_["gamma"]
        x = np.asarray(frequency, dtype="float64")
        m = np.asarray(monetary_value, dtype="float64")
        x, m = np.broadcast_arrays(x, m)
        if np.any(x < 0):
            raise InputError("expected_average_value: frequency must be >= 0")
        m = np.where(x > 0, m, 0.0)
        denom = p * x + q - 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            out = p * (g + x * m) / denom
        return np.where(denom > 0, out, np.nan)

    def population_mean_value(self) -> float:
        """Mean order value of a new customer, p·γ/(q-1) (NaN if q <= 1)."""
        self._check_fitted()
        p, q, g = self.params_["p"], self.params_["q"], self.params_["gamma"]
        return p * g / (q - 1.0) if q > 1 else float("nan")

    @staticmethod
    def independence_check(frequency: Any, monetary_value: Any) -> dict[str, Any]:
        """Pearson correlation of frequency and average value among repeat buyers, with a verdict.

        Gamma-Gamma assumes the two are independent (correlation ≈ 0). Verdict: ``"independent"``
        when |r| < 0.1, ``"weakly correlated"`` below 0.3 (usually acceptable, say so in the report),
        ``"correlated"`` otherwise (the spend forecast is biased; treat it with care). Only customers with
        frequency > 0 and value > 0 are used, as in the fit. Needs no fitted model.
        """
        x = np.asarray(frequency, dtype="float64")
        m = np.asarray(monetary_value, dtype="float64")
        keep = (x > 0) & (m > 0) & np.isfinite(x) & np.isfinite(m)
        x, m = x[keep], m[keep]
        n = int(len(x))
        if n < 3 or np.ptp(x) == 0 or np.ptp(m) == 0:
            return {
                "pearson_r": float("nan"),
                "p_value": float("nan"),
                "n": n,
                "ok": None,
                "verdict": "not enough variation to test (need >= 3 repeat buyers with differing values)",
            }
        res = stats.pearsonr(x, m)
        r = float(res.statistic)
        if abs(r) < INDEPENDENCE_OK:
            verdict = "independent"
        elif abs(r) < INDEPENDENCE_WEAK:
            verdict = "weakly correlated"
        else:
            verdict = "correlated"
        return {
            "pearson_r": r,
            "p_value": float(res.pvalue),
            "n": n,
            "ok": abs(r) < INDEPENDENCE_WEAK,
            "verdict": verdict,
        }

    def summary(self) -> dict[str, Any]:
        """Base summary plus ``excluded`` counts and the independence check."""
        out = super().summary()
        out["excluded"] = dict(self.excluded_)
        out["independence"] = dict(self.independence_)
        return out
