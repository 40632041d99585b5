"""The prediction analysis of a run: who is still active, what each customer will bring, its potential and risk.

``run(ctx)`` answers, per customer and up to the run's as-of date:

- *Is the customer still active, and what will it buy?* A repeat-purchase model — BG/NBD, Pareto/NBD or MBG/NBD,
  chosen by holdout MAE, else BIC (:mod:`~salesfocus.predict.select`) — (orders, P(active)) and Gamma-Gamma (value per
  order) fitted on the order lines up to the as-of date → ``p_active, expected_orders, expected_revenue,
  expected_margin, expected_cost_to_serve, clv, clv_profit`` (horizon and discount rate from
  ``[prediction]``; profit from the customer's own margin % and cost-to-serve per order).
- *How much more could it buy?* ``revenue_12m`` (last 12 months), ``peer_revenue`` and ``wallet_gap``
  (:mod:`~salesfocus.predict.wallet`), ``cross_sell_groups`` and the long table ``cross_sell``.
- *What is its potential?* ``potential_revenue`` and ``potential_source`` (:mod:`~salesfocus.predict.potential`),
  which the A/B/C matrix puts on its value axis.
- *Which valuable customers are slipping away?* ``at_risk``, ``value_at_risk`` and the ranked table ``at_risk``
  (:mod:`~salesfocus.predict.at_risk`).
- *Can the forecast be trusted?* A backtest: calibrate up to ``as_of − holdout_months``, predict the holdout,
  compare with what happened and with a naive baseline; printed as a note and stored in ``summary.json``.

``summary["prediction"]`` holds the model, its parameters, log-likelihood, convergence, the Gamma-Gamma
independence check, the exclusions and the backtest. When the data are too thin for the model (fewer than
``min_repeat_customers`` repeat buyers) or the fit fails, the model columns stay empty (NULL),
``prediction.model`` is null and a note says why; the wallet gap, the potential from assessments and peers
and the at-risk list by order rate are still made. Everything is Ibis up to the per-customer RFM frame,
which is the edge where the models run (NumPy).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import json
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesfocus.config import PredictionConfig
from salesfocus.errors import InputError
from salesfocus.predict.at_risk import at_risk_table, months_before, risk_flags
from salesfocus.predict.backtest import backtest
from salesfocus.predict.base import CustomerModel, FitMemory, fit_memory
from salesfocus.predict.beta_geo import BetaGeoModel
from salesfocus.predict.clv import DAYS_PER_MONTH, customer_value
from salesfocus.predict.gamma_gamma import GammaGammaModel
from salesfocus.predict.history import customer_history
from salesfocus.predict.potential import latest_potential, potential_revenue
from salesfocus.predict.rfm import days_per_unit
from salesfocus.predict.select import MODELS, select_model
from salesfocus.predict.wallet import cross_sell, cross_sell_groups, peer_revenue

if TYPE_CHECKING:
    from salesfocus.model import RunContext

__all__ = ["run", "prepare", "MODEL_COLUMNS", "CUSTOMER_COLUMNS"]

MODEL_COLUMNS = ("p_active", "expected_orders", "expected_revenue", "expected_margin", "expected_cost_to_serve",
                 "clv", "clv_profit")
CUSTOMER_COLUMNS = (*MODEL_COLUMNS, "revenue_12m", "peer_revenue", "wallet_gap", "cross_sell_groups",
                    "potential_revenue", "potential_source", "value_at_risk", "at_risk")
_TMP = "_sf_predict_"
# A fit that fails on odd data must not stop the run: these end the model step with a note instead.
_FIT_ERRORS = (InputError, ValueError, ArithmeticError, np.linalg.LinAlgError)


# ------------------------------------------------------------------------------------------------ workspace
def _bring(ctx: RunContext, name: str, expr: ibis.Table | pa.Table) -> ibis.Table:
    """A result as a temporary workspace table: engine expressions run there (copied in from another engine)."""
    data: Any = expr
    if isinstance(expr, ibis.Table) and ctx.summary.get("engine", "duckdb") != "duckdb":
        data = expr.to_pyarrow()
    ctx.workspace.write(_TMP + name, data, temp=True)
    return ctx.workspace.table(_TMP + name)


def _order_table(ctx: RunContext) -> ibis.Table:
    """One row per order (the run's compact ``orders`` table), or the order lines when a run has no such table."""
    tables = ctx.dataset.tables
    if "orders" in tables:
        return tables["orders"]
    if "order_lines" in tables:
        return tables["order_lines"]
    raise InputError("prediction needs the orders (or order_lines) table of the run")


def _purchases(orders: ibis.Table) -> ibis.Table:
    """Purchases: an order (or line) with a negative total is a credit note or return, not a purchase — the
    same rule as the ``orders`` count of the customer measures. Zero-value orders are purchases."""
    t = orders.filter(orders.revenue >= 0)
    if "is_return" in t.columns:
        t = t.filter(~t.is_return.fill_null(False))
    return t


# ------------------------------------------------------------------------------------------------ the models
def _own_costs(ctx: RunContext, ids: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Margin fraction and cost-to-serve per order of each customer in ``ids`` (NaN where unknown)."""
    c = ctx.customers
    cols = [x for x in ("margin_pct", "cost_to_serve", "orders") if x in c.columns]
    known = c.select("customer_id", *cols).to_pyarrow()
    if known.column("customer_id").equals(ids):  # as usual: every customer bought, both sorted by id
        hit, take = np.ones(len(ids), bool), np.arange(len(ids))
    else:
        at = pc.index_in(ids, value_set=known.column("customer_id").combine_chunks())
        hit = at.is_valid().to_numpy(zero_copy_only=False)
        take = at.fill_null(0).to_numpy(zero_copy_only=False)

    def column(name: str) -> np.ndarray:
        v = pd.to_numeric(known.column(name).to_pandas(), errors="coerce").to_numpy("float64", na_value=np.nan)
        return np.where(hit, v[take], np.nan) if len(v) else np.full(len(ids), np.nan)

    nan = np.full(len(ids), np.nan)
    margin = column("margin_pct") if "margin_pct" in cols else nan
    margin = np.where(margin <= 1.0, margin, np.nan)  # above 100 %: negative cost of goods, not a margin
    if {"cost_to_serve", "orders"} <= set(cols):
        orders, cts = column("orders"), column("cost_to_serve")
        with np.errstate(divide="ignore", invalid="ignore"):
            per_order = np.where(orders > 0, cts / orders, np.nan)
    else:
        per_order = nan
    return margin, per_order


def _values(ctx: RunContext, cfg: PredictionConfig, bg: BetaGeoModel, gg: GammaGammaModel | None,
            rfm: pd.DataFrame, ids: pa.ChunkedArray) -> dict[str, np.ndarray]:
    """Per customer (the rows of ``rfm``, ids ``ids``) model outputs (``MODEL_COLUMNS`` and ``model_revenue_12m``)
    from the fitted models."""
    x, t_x, T = (rfm[c].to_numpy("float64") for c in ("frequency", "recency", "T"))
    step = DAYS_PER_MONTH / days_per_unit(cfg.time_unit)
    out: dict[str, np.ndarray] = {}
    if gg is None:
        out["p_active"] = bg.probability_alive(x, t_x, T)
        out["expected_orders"] = bg.expected_orders(cfg.horizon_months * step, x, t_x, T)
        for c in (*MODEL_COLUMNS[2:], "model_revenue_12m"):
            out[c] = np.full(len(x), np.nan)
        return out
    margin, per_order = _own_costs(ctx, ids)
    v = customer_value(bg, gg, rfm, horizon_months=cfg.horizon_months, discount_rate_annual=cfg.discount_rate,
                       time_unit=cfg.time_unit, margin_pct=margin, cost_per_order=per_order)
    for c in MODEL_COLUMNS:
        out[c] = v[c].to_numpy("float64")
    if cfg.horizon_months == 12:
        out["model_revenue_12m"] = out["expected_revenue"]
    else:
        value = gg.expected_average_value(x, rfm["monetary_value"].to_numpy("float64"))
        out["model_revenue_12m"] = bg.expected_orders(12 * step, x, t_x, T) * value
    return out


@dataclass
class _Models:
    """The repeat-purchase model chosen and fitted (or why not: ``failed``), and Gamma-Gamma (or why not)."""

    choice: Any = None
    failed: Exception | None = None
    gg: GammaGammaModel | None = None
    gg_failed: Exception | None = None


def _selecting(cfg: PredictionConfig, rfm: pd.DataFrame) -> bool:
    return cfg.model_selection and len(rfm) <= cfg.selection_max_customers


def _fit_models(cfg: PredictionConfig, rfm: pd.DataFrame, holdout: tuple[pd.DataFrame, float, dt.date] | None
                ) -> _Models:
    """Choose and fit the repeat-purchase model (:func:`~salesfocus.predict.select.select_model`, on the
    ``holdout`` split when given, else by BIC) and Gamma-Gamma on ``rfm``; a fit that fails on odd data is said,
    not raised. Reads nothing of the run but the history: :func:`prepare` fits them beside the steps before."""
    selecting = _selecting(cfg, rfm)
    try:
        choice = select_model(rfm, candidates=cfg.models if selecting else ["bg_nbd"],
                              holdout=holdout[:2] if holdout is not None and selecting else None,
                              min_gain=cfg.selection_min_gain, fallback_penalizer=cfg.fallback_penalizer)
    except _FIT_ERRORS as e:
        return _Models(failed=e)
    gg = GammaGammaModel(fallback_penalizer=cfg.fallback_penalizer)
    try:
        gg.fit(rfm)
    except _FIT_ERRORS as e:
        return _Models(choice, gg_failed=e)
    return _Models(choice, gg=gg)


def _fit(ctx: RunContext, cfg: PredictionConfig, rfm: pd.DataFrame, ids: pa.ChunkedArray, models: _Models | None
         ) -> tuple[dict[str, np.ndarray] | None, dict[str, Any]]:
    """The summary of the repeat-purchase model and Gamma-Gamma fitted on ``rfm`` (up to as_of, sorted by the customer
    ids ``ids``; :func:`_fit_models`, None when there were too few repeat buyers to fit), their notes, and the
    per-customer values (None if no model)."""
    as_of = ctx.dataset.as_of
    info: dict[str, Any] = {"model": None, "spend_model": None, "time_unit": cfg.time_unit,
                            "calibration_end": as_of.isoformat(), "horizon_months": cfg.horizon_months,
                            "discount_rate": cfg.discount_rate, "params": {}, "log_likelihood": None}
    repeaters = int((rfm["frequency"] > 0).sum())
    info |= {"customers": int(len(rfm)), "repeat_customers": repeaters, "excluded": {}}
    if repeaters < cfg.min_repeat_customers:
        reason = (f"only {repeaters} customer(s) with a repeat purchase up to {as_of} (at least "
                  f"{cfg.min_repeat_customers} needed, [prediction] min_repeat_customers)")
        return _degrade(ctx, info, reason)
    selecting = _selecting(cfg, rfm)
    if cfg.model_selection and not selecting:
        ctx.note(f"prediction: {len(rfm):,} customers is above [prediction] selection_max_customers "
                 f"({cfg.selection_max_customers:,}), so only BG/NBD is fitted (no model choice) to keep the run fast")
    if models.failed is not None:
        return _degrade(ctx, info, str(models.failed))
    choice, gg = models.choice, models.gg
    bg, label = choice.model, choice.label
    chosen_by = choice.chosen_by if selecting else "config"
    if models.gg_failed is not None:
        ctx.note(f"prediction: Gamma-Gamma could not be fitted ({models.gg_failed}); expected revenue, margin and CLV "
                 "are empty")
    bs = bg.summary()
    info |= {"model": choice.name, "chosen_by": chosen_by, "model_choice": choice.reason,
             "candidates": choice.candidates, "params": dict(bs["params"]), "std_errors": dict(bs["std_errors"]),
             "log_likelihood": bs["log_likelihood"], "converged": bs["converged"], "fit_message": bs["message"],
             "penalizer": bs["penalizer"]}
    if not bs["converged"]:
        ctx.note(f"prediction: the {label} fit did not converge; treat P(active) and forecasts with care — "
                 f"{bs['message']}")
    if gg is not None:
        gs = gg.summary()
        ind = gs["independence"]
        info["params"] |= gs["params"]
        info |= {"spend_model": "gamma_gamma", "std_errors": info["std_errors"] | gs["std_errors"],
                 "log_likelihood_spend": gs["log_likelihood"], "converged_spend": gs["converged"],
                 "fit_message_spend": gs["message"],
                 "independence": {"correlation": ind["pearson_r"], "p_value": ind["p_value"], "n": ind["n"],
                                  "verdict": ind["verdict"]}}
        info["excluded"] |= {"spend_" + k: int(v) for k, v in gs["excluded"].items()}
        if ind.get("ok") is False:
            ctx.note(f"prediction: order value and order frequency are correlated (r = {ind['pearson_r']:.2f}); "
                     "Gamma-Gamma assumes they are not, so expected revenue and CLV are biased")
        if not gs["converged"]:
            ctx.note(f"prediction: the Gamma-Gamma fit did not converge — {gs['message']}")
    values = _values(ctx, cfg, bg, gg, rfm, ids)
    par = ", ".join(f"{k} = {v:.3g}" for k, v in info["params"].items())
    if selecting:
        ctx.note(f"prediction: repeat-purchase model {label}, chosen by {choice.reason}")
    ctx.note(f"prediction: {label}{' and Gamma-Gamma' if gg is not None else ''} fitted on {len(rfm):,} customers "
             f"({repeaters:,} with repeat purchases) up to {as_of}, per {cfg.time_unit}: {par}"
             f"{'' if bs['converged'] else ' (NOT converged)'}{' (regularised)' if bs['penalizer'] else ''}")
    info["p_active"] = _p_active_figures(ctx, cfg, values, rfm, label)
    return values, info


def _p_active_figures(ctx: RunContext, cfg: PredictionConfig, values: dict[str, np.ndarray], rfm: pd.DataFrame,
                      label: str) -> dict[str, Any]:
    """How alive the modelled customers look: the median P(active) and how many are below ``at_risk_p_active``,
    with the median silence of those (time since their last purchase) against their own mean gap between
    purchases — a note and ``summary.prediction.p_active``."""
    p = values["p_active"]
    low = p < cfg.at_risk_p_active
    x, t_x, T = (rfm[c].to_numpy("float64") for c in ("frequency", "recency", "T"))
    unit = days_per_unit(cfg.time_unit)
    with np.errstate(divide="ignore", invalid="ignore"):
        gaps = np.where(x > 0, (T - t_x) / (t_x / np.maximum(x, 1)), np.nan)
    out = {"median": float(np.median(p)) if len(p) else None, "threshold": cfg.at_risk_p_active,
           "below": int(low.sum()), "customers": int(len(p)),
           "below_median_silence_days": float(np.median((T - t_x)[low]) * unit) if low.any() else None,
           "below_median_silence_gaps": float(np.nanmedian(gaps[low])) if np.isfinite(gaps[low]).any() else None}
    text = (f"prediction: P(active) ({label}) median {out['median']:.2f}; {out['below']:,} of {len(p):,} customers "
            f"({out['below'] / max(len(p), 1):.0%}) below {cfg.at_risk_p_active:g}")
    if out["below_median_silence_gaps"] is not None:
        text += (f" — typically silent for {out['below_median_silence_days'] / DAYS_PER_MONTH:.0f} months, "
                 f"{out['below_median_silence_gaps']:.1f} times their own mean gap between purchases")
    ctx.note(text)
    return out


def _degrade(ctx: RunContext, info: dict[str, Any], reason: str) -> tuple[None, dict[str, Any]]:
    info["reason"] = reason
    ctx.note(f"prediction: no repeat-purchase model — {reason}; p_active, expected orders, revenue and CLV are "
             "empty. Wallet gap, potential from assessments and peers and the at-risk list by order rate are made.")
    return None, info


# ------------------------------------------------------------------------------------------------ the backtest
def _holdout_months(cfg: PredictionConfig, first: dt.date | None, as_of: dt.date) -> int:
    if cfg.holdout_months is not None:
        return cfg.holdout_months
    if first is None:
        return 0
    span_months = (as_of - first).days / DAYS_PER_MONTH
    return int(min(6, np.floor(0.25 * span_months)))


def _metrics(m: dict[str, float]) -> dict[str, float]:
    return {"mae": m["mae"], "rmse": m["rmse"], "correlation": m["correlation"],
            "predicted_total": m["total_predicted"], "actual_total": m["total_actual"]}


def _calibration_end(ctx: RunContext, cfg: PredictionConfig, purchases: ibis.Table) -> tuple[dt.date | None, int]:
    """The backtest's calibration end (None when the holdout would be shorter than a month) and holdout months."""
    as_of = ctx.dataset.as_of
    first = None
    if cfg.holdout_months is None:
        first = purchases.filter(purchases.order_date <= ibis.literal(as_of)).order_date.min().to_pyarrow().as_py()
    months = _holdout_months(cfg, first, as_of)
    return (months_before(as_of, months) if months >= 1 else None), months


def _history(ctx: RunContext, cfg: PredictionConfig, orders: ibis.Table, cal: dt.date | None) -> pa.Table:
    """:func:`~salesfocus.predict.history.customer_history` executed, sorted by customer_id (one query: the
    models' RFM summary, the backtest split and the at-risk history all come from it)."""
    return customer_history(orders, as_of=ctx.dataset.as_of, calibration_end=cal, time_unit=cfg.time_unit,
                            recent_months=cfg.recent_months, before_months=cfg.before_months,
                            one_row_per_order="orders" in ctx.dataset.tables).order_by("customer_id").to_pyarrow()


def _column(data: pa.Table, name: str, rows: np.ndarray, dtype: str) -> np.ndarray:
    return data.column(name).to_numpy().astype(dtype, copy=False)[rows]


def _holdout_split(cfg: PredictionConfig, data: pa.Table, cal: dt.date | None,
                   as_of: dt.date) -> tuple[pd.DataFrame, float, dt.date] | str:
    """The backtest's calibration/holdout frame (as :func:`~salesfocus.predict.backtest.holdout_frame` makes it)
    from the history: ``(frame, horizon, cal)``, or why there is none."""
    if cal is None:
        return "prediction backtest skipped: the data span less than four months before the as-of date"
    rows = np.flatnonzero(data.column("frequency_cal").to_numpy() >= 0)
    if len(rows) == 0:
        return (f"prediction backtest skipped (calibration to {cal}): backtest: no customer has a purchase on or "
                f"before {cal}")
    frame = pd.DataFrame({
        "customer_id": data.column("customer_id").take(rows).to_pandas(),
        "frequency": _column(data, "frequency_cal", rows, "int64"),
        "recency": _column(data, "recency_cal", rows, "float64"),
        "T": _column(data, "T_cal", rows, "float64"),
        "holdout_frequency": _column(data, "holdout_frequency", rows, "int64"),
    })
    return frame, (as_of - cal).days / days_per_unit(cfg.time_unit), cal


def _backtest(as_of: dt.date, note: Callable[[str], None], cfg: PredictionConfig, months: int, model: str,
              split: tuple[pd.DataFrame, float, dt.date] | str, fitted: CustomerModel | None) -> dict[str, Any] | None:
    """Calibrate up to as_of − holdout, score the holdout with ``model`` (a name in
    :data:`~salesfocus.predict.select.MODELS`; ``fitted`` when the model choice already fitted it on that split);
    ``note`` says the result. None when not possible."""
    if isinstance(split, str):
        note(split)
        return None
    frame, horizon, cal = split
    try:
        res = backtest(None, cal, as_of, cfg.time_unit,  # the split's frame given: no order line is read
                       model=MODELS[model](fallback_penalizer=cfg.fallback_penalizer), frame=(frame, horizon),
                       fitted=fitted)
    except _FIT_ERRORS as e:
        note(f"prediction backtest skipped (calibration to {cal}): {e}")
        return None
    repeaters = int((res["per_customer"]["frequency"] > 0).sum())
    if repeaters < cfg.min_repeat_customers:
        note(f"prediction backtest skipped: only {repeaters} repeat buyers before {cal} "
             f"(at least {cfg.min_repeat_customers} needed)")
        return None
    out = {"calibration_end": res["calibration_end"], "holdout_end": res["holdout_end"], "holdout_months": months,
           "customers": res["n_customers"], "model": _metrics(res["model"]), "naive": _metrics(res["naive"]),
           "beats_naive": res["beats_naive"], "mae_improvement": res["mae_improvement"],
           "params": res["fit"]["params"], "converged": res["fit"]["converged"]}
    mm, nm = out["model"], out["naive"]
    note(f"prediction backtest: calibrated to {cal}, {months}-month holdout to {as_of}, {out['customers']:,} "
         f"customers: orders per customer MAE {mm['mae']:.3f} (model) vs {nm['mae']:.3f} (naive: own past "
         f"rate), correlation {mm['correlation']:.2f} vs {nm['correlation']:.2f}; total "
         f"{mm['predicted_total']:,.0f} predicted vs {mm['actual_total']:,.0f} actual (naive "
         f"{nm['predicted_total']:,.0f}) — the model "
         f"{'beats' if out['beats_naive'] else 'does NOT beat'} the naive baseline")
    return out


# ------------------------------------------------------------------------------------------------ wallet, potential
def _group_buys(ctx: RunContext) -> ibis.Table | None:
    """Customer × product group bought in the 12 months up to as_of (None when the data has no groups).

    From the run's ``customer_groups`` table (first and last order per customer and group): bought in the
    window when the last order is inside it — exact when as_of is the end of the data; with an earlier as-of
    date a group bought both before the window and after as_of, but not in it, would count.
    """
    as_of, start = ibis.literal(ctx.dataset.as_of), ibis.literal(months_before(ctx.dataset.as_of, 12))
    cg, ol = ctx.dataset.get("customer_groups"), ctx.dataset.get("order_lines")
    if cg is not None and {"product_group", "first_order", "last_order"} <= set(cg.columns):
        g = cg.filter(cg.product_group.notnull(), cg.first_order <= as_of, cg.last_order > start)
    elif ol is not None and "product_group" in ol.columns:
        g = _purchases(ol)
        g = g.filter(g.product_group.notnull(), g.order_date > start, g.order_date <= as_of)
    else:
        return None
    return g.select("customer_id", "product_group").distinct()


def _has_peers(cfg: PredictionConfig, base: ibis.Table) -> bool:
    return bool(cfg.peers) and all(p in base.columns for p in cfg.peers)


def _wallet(ctx: RunContext, cfg: PredictionConfig, base: ibis.Table) -> ibis.Table | None:
    """``customer_id, peer_revenue, wallet_gap, cross_sell_groups``; None when peers are unknown (all NULL)."""
    peers = list(cfg.peers)
    if not _has_peers(cfg, base):
        missing = [p for p in peers if p not in base.columns]
        ctx.note(f"prediction: no peer column(s) {', '.join(missing) or '(none configured)'} on the customers "
                 "(customers table, [prediction] peers), so wallet gap, peer potential and cross-selling are unknown")
        return None
    kw = {"peers": peers, "revenue": "revenue_12m", "min_peers": cfg.min_peers}
    w = peer_revenue(base, percentile=cfg.peer_percentile, **kw)
    buys_expr = _group_buys(ctx)
    if buys_expr is None:
        ctx.note("prediction: the order lines have no product_group, so cross-selling room is unknown")
        return w.select("customer_id", "peer_revenue", "wallet_gap", cross_sell_groups=ibis.null("string"))
    buys = _bring(ctx, "group_buys", buys_expr)
    long = cross_sell(base, buys, min_share=cfg.cross_sell_min_share, **kw)
    ctx.workspace.write(_TMP + "cross_sell", long.order_by(["customer_id", ibis.desc("peer_share"),
                                                            "product_group"]), temp=True)
    ctx.tables["cross_sell"] = ctx.workspace.table(_TMP + "cross_sell")
    groups = cross_sell_groups(base, buys, min_share=cfg.cross_sell_min_share, long=ctx.tables["cross_sell"], **kw)
    j = w.join(groups, "customer_id")
    return j.select("customer_id", "peer_revenue", "wallet_gap", "cross_sell_groups")


def _assessed(ctx: RunContext) -> ibis.Table | None:
    """``customer_id, assessed_potential``; None when there are no assessed potentials."""
    a = ctx.dataset.get("assessments")
    if a is None or "potential_revenue" not in a.columns:
        return None
    return _bring(ctx, "assessed", latest_potential(a, ctx.dataset.as_of))


# ------------------------------------------------------------------------------------------------ run
FITS = "_fits"
"""Workspace table of the model fits of the last run (key, fit as JSON): see
:func:`salesfocus.predict.base.fit_memory`."""


def run(ctx: RunContext) -> None:
    """Fit, predict, backtest, and add the prediction columns, tables and summary to the run (see module doc).

    The fits are left in the workspace; a re-analysis (``ctx.reuse_fits``) takes those made on the same data with
    the same settings instead of fitting again (the same numbers: the fits are deterministic).
    """
    prepared = ctx.prepared.pop("prediction", None)
    got = prepared.result() if prepared is not None else _fitted(ctx)
    _predict(ctx, got)  # its backtest done: every fit made or taken is in got.fits
    ctx.workspace.write(FITS, pa.table({"key": pa.array(list(got.fits), pa.string()),
                                        "fit": pa.array([json.dumps(v) for v in got.fits.values()], pa.string())}))


@dataclass
class _Fitted:
    """The purchase history up to the as-of date, the models fitted on it and their backtest (:func:`prepare`)."""

    months: int
    data: pa.Table
    split: tuple[pd.DataFrame, float, dt.date] | str
    models: _Models | None = None  # None: too few repeat buyers to fit
    backtest: Future[dict[str, Any] | None] | None = None  # of the model fitted, on a thread of its own
    said: list[str] = field(default_factory=list)  # the backtest's notes
    fits: dict[str, dict[str, Any]] = field(default_factory=dict)  # the fits made or taken (FitMemory.used)

    @functools.cached_property
    def bought(self) -> np.ndarray:
        return np.flatnonzero(self.data.column("purchase_days").to_numpy() > 0)

    @functools.cached_property
    def rfm(self) -> pd.DataFrame:
        rows, data = self.bought, self.data
        return pd.DataFrame({"frequency": _column(data, "frequency", rows, "int64"),
                             **{c: _column(data, c, rows, "float64") for c in ("recency", "T", "monetary_value")}})


def prepare(ctx: RunContext) -> _Fitted:
    """The purchase history, the models fitted on it and their backtest (started): what :func:`run` reads that
    reads only the orders, so made beside the steps before prediction (:data:`salesfocus.pipeline.PREPARE`; 10M
    order lines: about 2 of the step's 2.5 CPU-s, while profit leaves a core idle). The notes and figures are the
    step's, said in their order."""
    return _fitted(ctx)


def _fitted(ctx: RunContext) -> _Fitted:
    cfg: PredictionConfig = ctx.config.prediction
    as_of = ctx.dataset.as_of
    memory = FitMemory(_known_fits(ctx))
    with fit_memory(memory):
        orders = _order_table(ctx)
        cal, months = _calibration_end(ctx, cfg, _purchases(orders))
        data = _history(ctx, cfg, orders, cal)
        got = _Fitted(months, data, _holdout_split(cfg, data, cal, as_of), fits=memory.used)
        if int((got.rfm["frequency"] > 0).sum()) < cfg.min_repeat_customers:
            return got
        got.models = _fit_models(cfg, got.rfm, _choose_on(cfg, got.split))
        if got.models.failed is None:  # NumPy on a thread (with the fit memory), beside what comes next
            choice = got.models.choice
            side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sf-backtest")
            got.backtest = side.submit(contextvars.copy_context().run, _backtest, as_of, got.said.append, cfg, months,
                                       choice.name, got.split, choice.holdout_fits.get(choice.name))
            side.shutdown(wait=False)
    return got


def _known_fits(ctx: RunContext) -> dict[str, dict[str, Any]]:
    """The fits the workspace keeps, for a re-analysis to take (none for an analysis, which fits anew)."""
    ws = ctx.workspace
    if not (ctx.reuse_fits and ws.has_table(FITS)):
        return {}
    return {k: json.loads(v) for k, v in ws.raw.execute(f'SELECT key, fit FROM "{FITS}"').fetchall()}


def _choose_on(cfg: PredictionConfig, split: tuple[pd.DataFrame, float, dt.date] | str
               ) -> tuple[pd.DataFrame, float, dt.date] | None:
    """The holdout split the model choice is made on, when it has enough repeat buyers."""
    return (split if cfg.model_selection and not isinstance(split, str)
            and int((split[0]["frequency"] > 0).sum()) >= cfg.min_repeat_customers else None)


def _predict(ctx: RunContext, got: _Fitted) -> None:
    cfg: PredictionConfig = ctx.config.prediction
    data, bought = got.data, got.bought
    ids = data.column("customer_id").take(bought)
    try:
        values, info = _fit(ctx, cfg, got.rfm, ids, got.models)
    except BaseException:
        if got.backtest is not None:
            futures.wait([got.backtest])
        raise
    info["backtest"] = None
    place = len(ctx.notes)
    # One table of the history and the model's values (NULL for customers the model does not cover).
    cols = {c: data.column(c) for c in ("customer_id", "revenue_12m", "orders_recent", "orders_before")}
    for c in (*MODEL_COLUMNS, "model_revenue_12m"):
        full = np.full(data.num_rows, np.nan)
        if values is not None:
            full[bought] = values[c]
        cols[c] = pa.array(full, pa.float64(), from_pandas=True)
    hist = _bring(ctx, "history", pa.table(cols))

    cust = ctx.customers
    keep = [c for c in dict.fromkeys(["customer_id", *cfg.peers, "pyramid_level", "name", "account_manager",
                                      "status"]) if c in cust.columns]
    base = cust.select(*keep).left_join(hist, "customer_id").drop("customer_id_right")
    base = base.mutate(revenue_12m=base.revenue_12m.fill_null(0.0), orders_recent=base.orders_recent.fill_null(0),
                       orders_before=base.orders_before.fill_null(0))
    if _has_peers(cfg, base):  # the wallet reads the table several times: run it once
        _bring(ctx, "base", base)
        base = ctx.workspace.table(_TMP + "base")

    # Unknown wallet or assessments are NULL columns, not joins of NULL tables; the potential is row by row.
    wallet, assessed = _wallet(ctx, cfg, base), _assessed(ctx)
    if wallet is None:
        t = base.mutate(peer_revenue=ibis.null("float64"), wallet_gap=ibis.null("float64"),
                        cross_sell_groups=ibis.null("string"))
    else:
        t = base.left_join(wallet, "customer_id").drop("customer_id_right")
    if assessed is None:
        t = t.mutate(assessed_potential=ibis.null("float64"))
    else:
        t = t.left_join(assessed, "customer_id").drop("customer_id_right")
    t = potential_revenue(t, add=True)
    flags = risk_flags(t, valuable_levels=cfg.valuable_levels, valuable_share=cfg.valuable_share,
                       p_threshold=cfg.at_risk_p_active, rate_drop=cfg.rate_drop,
                       min_orders_before=cfg.min_orders_before, recent_months=cfg.recent_months,
                       before_months=cfg.before_months)
    _bring(ctx, "flags", flags)
    flags = ctx.workspace.table(_TMP + "flags")

    ctx.workspace.write(_TMP + "at_risk", at_risk_table(flags, p_threshold=cfg.at_risk_p_active,
                                                        recent_months=cfg.recent_months,
                                                        before_months=cfg.before_months), temp=True)
    ctx.tables["at_risk"] = ctx.workspace.table(_TMP + "at_risk")
    ctx.add_customer_columns(flags.select("customer_id", *CUSTOMER_COLUMNS))

    if got.backtest is not None:
        info["backtest"] = got.backtest.result()
        ctx.notes[place:place] = [n for n in dict.fromkeys(got.said) if n not in ctx.notes]
    info["excluded"] = _exclusions(ctx, cust, hist, info) | info["excluded"]
    info |= _figures(flags)
    ctx.summary["prediction"] = info


def _exclusions(ctx: RunContext, cust: ibis.Table, hist: ibis.Table, info: dict[str, Any]) -> dict[str, int]:
    """Customers of the run the model does not cover, by reason (and a note when there are any)."""
    row = cust.aggregate(n=cust.count(), seen=cust.customer_id.isin(hist.customer_id).sum()).to_pyarrow()
    n, seen = (int(row.column(c)[0].as_py() or 0) for c in ("n", "seen"))
    out = {"no_order_by_as_of": n - seen, "only_returns": max(seen - int(info.get("customers", 0)), 0)}
    if any(out.values()):
        ctx.note(f"prediction: {sum(out.values()):,} customer(s) left out of the model: "
                 f"{out['no_order_by_as_of']:,} first ordered after {ctx.dataset.as_of}, "
                 f"{out['only_returns']:,} have only returns or credit lines up to then")
    return out


def _figures(flags: ibis.Table) -> dict[str, Any]:
    """Potential by source and the model and at-risk totals for the summary."""
    f = flags
    row = f.aggregate(
        expected_revenue=f.expected_revenue.sum(),
        clv=f.clv.sum(),
        clv_profit=f.clv_profit.sum(),
        at_risk=f.at_risk.sum(),
        value_at_risk=f.value_at_risk.sum(where=f.at_risk),
        potential_total=f.potential_revenue.sum(),
        with_peers=f.peer_revenue.notnull().sum(),
    ).to_pyarrow().to_pylist()[0]
    # in a fixed order: summary.json is the same file for the same data
    by_source = f.group_by("potential_source").aggregate(n=f.count()).order_by("potential_source").to_pyarrow()
    by_source = by_source.to_pylist()
    r2 = lambda v: None if v is None else round(float(v), 2)  # noqa: E731
    return {
        "totals": {"expected_revenue": r2(row["expected_revenue"]), "clv": r2(row["clv"]),
                   "clv_profit": r2(row["clv_profit"]), "potential_revenue": r2(row["potential_total"])},
        "potential_sources": {d["potential_source"]: int(d["n"]) for d in by_source},
        "customers_with_peers": int(row["with_peers"] or 0),
        "at_risk": {"customers": int(row["at_risk"] or 0), "value_at_risk": r2(row["value_at_risk"]) or 0.0},
    }
