"""Choice of the repeat-purchase model: BG/NBD, Pareto/NBD or MBG/NBD, by a stated criterion.

Every candidate is fitted on the calibration data (the per-customer ``frequency, recency, T`` up to the
as-of date). The criterion:

1. **Holdout accuracy** (``chosen_by = "holdout_mae"``) when a holdout split is given: each candidate is also
   fitted on the data up to the holdout start and predicts each customer's purchases in the holdout; the
   lowest mean absolute error per customer wins — but the first candidate (BG/NBD) is kept unless another is
   lower by at least ``min_gain`` (config ``selection_min_gain``, 5%) and by more than two standard errors of
   the paired per-customer difference. This is what the forecast is used for, so it is the criterion whenever
   the data allow it.
2. **BIC** (``chosen_by = "bic"``) otherwise, or when no candidate has a usable holdout fit:
   ``BIC = −2·LL + k·ln(n)``. All three models have k = 4 parameters, so this is the highest likelihood.

A candidate whose fit did not converge (or failed) is reported with its figures and reason and is not
chosen. Ties go to the earlier candidate in the list (BG/NBD first). If no candidate converged, the first
one that could be fitted is kept and ``chosen_by`` says so — never a silent choice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salesfocus.errors import InputError
from salesfocus.predict.base import CustomerModel
from salesfocus.predict.beta_geo import BetaGeoModel
from salesfocus.predict.modified_beta_geo import ModifiedBetaGeoModel
from salesfocus.predict.pareto_nbd import ParetoNBDModel

__all__ = ["MODELS", "MODEL_LABELS", "ModelChoice", "select_model"]

MODELS: dict[str, type[CustomerModel]] = {
    "bg_nbd": BetaGeoModel,
    "pareto_nbd": ParetoNBDModel,
    "mbg_nbd": ModifiedBetaGeoModel,
}
MODEL_LABELS = {"bg_nbd": "BG/NBD", "pareto_nbd": "Pareto/NBD", "mbg_nbd": "MBG/NBD"}
# Errors a fit may raise on odd data; the candidate is then reported as failed.
_FIT_ERRORS = (InputError, ValueError, ArithmeticError, np.linalg.LinAlgError)


@dataclass
class ModelChoice:
    """The chosen model (fitted on the calibration data) and every candidate's figures."""

    name: str
    model: CustomerModel
    chosen_by: str
    reason: str
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)
    holdout_fits: dict[str, CustomerModel] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return MODEL_LABELS.get(self.name, self.name)


def _fit_one(cls: type[CustomerModel], df: pd.DataFrame, kwargs: dict[str, Any]) -> tuple[CustomerModel | None, str]:
    try:
        return cls(**kwargs).fit(df), ""
    except _FIT_ERRORS as e:
        return None, str(e)


def select_model(
    rfm: pd.DataFrame,
    *,
    candidates: Sequence[str] = ("bg_nbd", "pareto_nbd", "mbg_nbd"),
    holdout: tuple[pd.DataFrame, float] | None = None,
    min_gain: float = 0.0,
    **model_kwargs: Any,
) -> ModelChoice:
    """Fit every candidate on ``rfm`` and choose one (see module docstring).

    Parameters
    ----------
    rfm
        Per-customer ``frequency, recency, T`` (calibration data).
    candidates
        Model names from :data:`MODELS`, in order of preference for ties.
    holdout
        ``(frame, horizon)`` as returned by :func:`~salesfocus.predict.backtest.holdout_frame`: the frame has
        ``frequency, recency, T`` up to the holdout start and the actual ``holdout_frequency``; ``horizon`` is
        the holdout length in time units. None: choose by BIC.
    min_gain
        A candidate replaces the first one only when its holdout MAE is lower by at least this share (and by
        more than two standard errors of the per-customer difference).
    model_kwargs
        Settings passed to every model (e.g. ``fallback_penalizer``).

    Returns
    -------
    ModelChoice
        ``name``, the fitted ``model``, ``chosen_by`` (``"holdout_mae"``, ``"bic"`` or ``"none_converged"``),
        ``reason`` (one sentence), ``candidates`` (per name: ``log_likelihood, bic, holdout_mae, converged,
        converged_holdout, params, penalizer, message``, and ``error`` when the fit failed) and the holdout
        fits. Raises ``InputError`` when no candidate can be fitted at all.
    """
    names = list(dict.fromkeys(candidates))
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise InputError(f"unknown repeat-purchase model(s) {unknown or '(none)'}; choose from {', '.join(MODELS)}")
    fits: dict[str, CustomerModel] = {}
    holdout_fits: dict[str, CustomerModel] = {}
    table: dict[str, dict[str, Any]] = {}
    errors: dict[str, np.ndarray] = {}
    for name in names:
        cls = MODELS[name]
        m, err = _fit_one(cls, rfm, model_kwargs)
        row: dict[str, Any] = {"log_likelihood": None, "bic": None, "holdout_mae": None, "converged": False,
                               "converged_holdout": None, "params": {}, "penalizer": None, "message": err}
        if m is not None:
            fits[name] = m
            k, n = len(m._param_names), m.n_customers_
            ll = float(m.log_likelihood_)
            row |= {"log_likelihood": ll, "bic": -2.0 * ll + k * math.log(n), "converged": bool(m.converged_),
                    "params": {p: float(v) for p, v in m.params_.items()}, "penalizer": float(m.penalizer_used_),
                    "message": m.fit_message_}
        else:
            row["error"] = err
        if holdout is not None:
            hdf, horizon = holdout
            hm, herr = _fit_one(cls, hdf, model_kwargs)
            if hm is not None:
                holdout_fits[name] = hm
                x, t_x, T = (hdf[c].to_numpy("float64") for c in ("frequency", "recency", "T"))
                pred = hm.expected_orders(horizon, x, t_x, T)
                errors[name] = np.abs(pred - hdf["holdout_frequency"].to_numpy("float64"))
                mae = float(np.mean(errors[name]))
                row |= {"holdout_mae": mae if np.isfinite(mae) else None, "converged_holdout": bool(hm.converged_)}
                if not hm.converged_:
                    row["message_holdout"] = hm.fit_message_
            else:
                row |= {"converged_holdout": False, "error_holdout": herr}
        table[name] = row

    if not fits:
        raise InputError("no repeat-purchase model could be fitted: "
                         + "; ".join(f"{MODEL_LABELS[n]}: {table[n].get('error')}" for n in names))
    ok = [n for n in names if table[n]["converged"]]
    by_mae = [n for n in ok if table[n]["converged_holdout"] and table[n]["holdout_mae"] is not None]
    fmt = ", ".join
    if holdout is not None and by_mae:
        best = _by_holdout(by_mae, table, errors, min_gain)
        chosen_by = "holdout_mae"
        maes = fmt(f"{MODEL_LABELS[n]} {table[n]['holdout_mae']:.4f}" for n in by_mae)
        reason = (f"lowest holdout MAE per customer ({maes}); {MODEL_LABELS[by_mae[0]]} is kept unless another "
                  f"is lower by at least {min_gain:.0%} and by more than {_NOISE_SE:g} standard errors of the "
                  "per-customer difference")
    elif ok:
        best = min(ok, key=lambda n: table[n]["bic"])
        chosen_by = "bic"
        why = "no holdout" if holdout is None else "no candidate had a converged holdout fit"
        reason = f"lowest BIC ({why}): " + fmt(f"{MODEL_LABELS[n]} {table[n]['bic']:.1f}" for n in ok)
    else:
        best = next(n for n in names if n in fits)
        chosen_by = "none_converged"
        reason = (f"no candidate converged; kept {MODEL_LABELS[best]}, the first that could be fitted — treat its "
                  "P(active) and forecasts with care")
    left_out = [n for n in names if n not in ok]
    if left_out:
        reason += "; not eligible (fit failed or did not converge): " + fmt(MODEL_LABELS[n] for n in left_out)
    elif holdout is not None and chosen_by == "holdout_mae" and len(by_mae) < len(ok):
        reason += "; holdout fit did not converge: " + fmt(MODEL_LABELS[n] for n in ok if n not in by_mae)
    return ModelChoice(name=best, model=fits[best], chosen_by=chosen_by, reason=reason, candidates=table,
                       holdout_fits=holdout_fits)


_NOISE_SE = 2.0


def _by_holdout(names: list[str], table: dict[str, dict[str, Any]], errors: dict[str, np.ndarray],
                min_gain: float) -> str:
    """The first candidate (the preferred one) unless another's holdout MAE is lower materially and beyond noise.

    A difference in MAE smaller than ``_NOISE_SE`` standard errors of the paired per-customer difference in
    absolute error is noise, and one below ``min_gain`` of the first's MAE does not change a decision: switching
    models on either would make the choice (and the meaning of the parameters) flip from one data set to the
    next. Among the candidates that beat the first on both counts, the lowest MAE wins.
    """
    ref = names[0]
    better = []
    for n in names[1:]:
        d = errors[n] - errors[ref]
        d = d[np.isfinite(d)]
        se = float(np.std(d, ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.inf
        gain = table[ref]["holdout_mae"] - table[n]["holdout_mae"]
        if gain > _NOISE_SE * se and gain >= min_gain * table[ref]["holdout_mae"]:
            better.append(n)
        table[n]["holdout_mae_diff_se"] = se if math.isfinite(se) else None
    return min(better, key=lambda n: table[n]["holdout_mae"]) if better else ref
