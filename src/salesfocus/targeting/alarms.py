"""The seven alarm signals of the method, measured instead of guessed (METHODS §5).

Each signal is a figure with a status ``green``, ``amber`` or ``red`` against thresholds from the config
(``[targeting.alarms]``, as ``(amber, red)``), or ``unknown`` when the data to measure it is missing, and
then the explanation names the table or column that would light it.

1. ``new_customers_lost``: new customers (acquired, or else first order, at least a year before the as-of
   date; see :func:`new_customers_lost`) that left within a year (last order within 365 days of the first, not
   active now) or, with two years observed, did not grow (second-year revenue ≤ first-year). Higher is worse.
2. ``conversion``: won / (won + lost) of the closed deals in the leads. Lower is worse.
3. ``buying_process_known``: share of won deals with lead, quote and close dates (and a DMU where the leads
   carry a ``dmu`` column). Lower is worse.
4. ``channels_known``: share of sales leads with a known channel; channels ranked by leads and win rate
   (table ``lead_channels``). Lower is worse.
5. ``profile_strength``: how sharply the top group differs from the base: the largest total-variation
   distance ``½ Σ_v |P(v | top) - P(v | all)|`` over the profile attributes (0 = no profile). Lower is worse.
6. ``churn_explained``: leavers' last year against stayers' last year on complaints and support tickets
   (per year), the share of orders with a return, the share of invoices paid late, margin change
   (percentage points) and order-frequency change (relative); per driver the AUC (the chance a
   leaver is worse than a stayer; 0.5 = no difference; table ``churn_drivers``); the figure is the
   strongest driver's AUC. Lower is worse: leaving is then not explained by the data (ask the leavers).
7. ``customers_per_manager``: active customers of the busiest account manager against the capacity in the
   config; amber from it, red from 1.25 times it (table ``account_manager_load``). Higher is worse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from salesfocus.config import TargetingAlarms
from salesfocus.targeting.criteria import LOST, WON

__all__ = [
    "Alarm",
    "status",
    "new_customers_lost",
    "conversion",
    "buying_process_known",
    "channels_known",
    "profile_strength",
    "auc",
    "churn_drivers",
    "churn_explained",
    "customers_per_manager",
    "SIGNALS",
]

SIGNALS = ("new_customers_lost", "conversion", "buying_process_known", "channels_known", "profile_strength",
           "churn_explained", "customers_per_manager")
_YEAR = dt.timedelta(days=365)


@dataclass
class Alarm:
    """One alarm signal: its measured figure, status, thresholds and a sentence that explains it."""

    name: str
    status: str
    value: float | None
    threshold: float | None
    red_threshold: float | None
    direction: str  # "higher_is_worse" | "lower_is_worse"
    explanation: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["signal"] = self.name
        if d["value"] is not None:
            d["value"] = round(float(d["value"]), 4)
        return d


def status(value: float | None, amber: float, red: float, higher_is_worse: bool) -> str:
    """``green``/``amber``/``red`` for a value against (amber, red); ``unknown`` for None or NaN.

    Examples
    --------
    >>> status(0.3, 0.25, 0.40, True), status(0.2, 0.30, 0.15, False), status(None, 1, 2, True)
    ('amber', 'amber', 'unknown')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "unknown"
    if higher_is_worse:
        return "red" if value >= red else "amber" if value >= amber else "green"
    return "red" if value < red else "amber" if value < amber else "green"


def _alarm(name: str, value: float | None, thr: tuple[float, float], higher: bool, text: str) -> Alarm:
    return Alarm(name, status(value, thr[0], thr[1], higher), value, thr[0], thr[1],
                 "higher_is_worse" if higher else "lower_is_worse", text)


def _unknown(name: str, thr: tuple[float, float], higher: bool, text: str) -> Alarm:
    return Alarm(name, "unknown", None, thr[0], thr[1], "higher_is_worse" if higher else "lower_is_worse", text)


# 1 ------------------------------------------------------------------------------------------------------------
def new_customers_lost(history: pd.DataFrame, as_of: dt.date, period_start: dt.date, cfg: TargetingAlarms) -> Alarm:
    """Signal 1 from the per-customer history (``first_order, last_order, status, revenue_y1, revenue_y2``).

    New customers: ``acquired_date`` from the data start to a year before ``as_of`` where the customer file
    gives it; otherwise a first order more than a year after the data starts (so a customer that orders
    once a year is not taken for a new one) and at least a year before ``as_of``.
    """
    thr, name = cfg.new_customers_lost, "new_customers_lost"
    h = history
    first = pd.to_datetime(h.first_order)
    hi = pd.Timestamp(as_of - _YEAR)
    acq = pd.to_datetime(h.acquired_date, errors="coerce") if "acquired_date" in h else None
    if acq is not None and acq.notna().mean() >= 0.5:
        lo, basis = pd.Timestamp(period_start), "acquired"
        cohort = h[((acq >= lo) & (acq <= hi)).to_numpy()]
    else:
        lo, basis = pd.Timestamp(period_start + _YEAR), "first order"
        cohort = h[((first > lo) & (first <= hi)).to_numpy()]
    if len(cohort) < cfg.min_cases:
        return _unknown(name, thr, True, f"only {len(cohort)} customers {basis} between {lo.date()} and {hi.date()}:"
                        " too few to follow new customers for a year (more years of order_lines, or acquired_date "
                        "in the customers file, would light this)")
    f, la = pd.to_datetime(cohort.first_order), pd.to_datetime(cohort.last_order)
    left = (la < f + pd.Timedelta(days=365)) & (cohort.status.astype("string") != "active").fillna(True)
    two = f <= pd.Timestamp(as_of - 2 * _YEAR)
    flat = two & ~left & (cohort.revenue_y2 <= cohort.revenue_y1)
    value = float((left | flat).mean())
    return _alarm(name, value, thr, True, f"of {len(cohort)} new customers ({basis} {lo.date()} to {hi.date()}) "
                  f"{int(left.sum())} left within a year and {int(flat.sum())} of the {int(two.sum())} followed for "
                  f"two years did not grow (second-year revenue not above the first): {value:.0%}")


# 2-4 ----------------------------------------------------------------------------------------------------------
DMU_COLUMNS = ("dmu", "dmu_known", "decision_maker", "decision_makers")
"""Lead columns (any case) that record who decides: a won deal's buying process is known only with them filled."""


def lead_columns(columns: list[str]) -> list[str]:
    """The columns of a leads table the lead signals read (the stage, the dates, the channel, a DMU column)."""
    return [c for c in columns if c in ("stage", "lead_date", "quote_date", "closed_date", "channel")
            or c.lower() in DMU_COLUMNS]


def _stages(leads: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    s = leads.stage.astype("string").str.lower().str.strip()
    return s.isin(WON).fillna(False), s.isin(LOST).fillna(False), (s != "not_sales_related").fillna(True)


def conversion(leads: pd.DataFrame | None, cfg: TargetingAlarms) -> Alarm:
    """Signal 2: won / (won + lost) of the closed deals."""
    thr, name = cfg.conversion, "conversion"
    if leads is None or "stage" not in leads:
        return _unknown(name, thr, False, "no leads table (lead_id, lead_date, stage won/lost): prospect-to-customer "
                        "conversion cannot be measured")
    won, lost, sales = _stages(leads)
    closed = int(won.sum() + lost.sum())
    if closed < cfg.min_cases:
        return _unknown(name, thr, False, f"only {closed} closed deals (stage won or lost) in the leads table")
    rate = float(won.sum() / closed)
    to_won = float(won.sum() / max(int(sales.sum()), 1))
    return _alarm(name, rate, thr, False, f"{int(won.sum())} of {closed} closed deals won ({rate:.0%}); "
                  f"{to_won:.0%} of all {int(sales.sum())} sales leads became a customer")


def buying_process_known(leads: pd.DataFrame | None, cfg: TargetingAlarms) -> Alarm:
    """Signal 3: share of won deals whose buying process is recorded (stage dates, DMU where a column exists)."""
    thr, name = cfg.buying_process_known, "buying_process_known"
    if leads is None or "stage" not in leads:
        return _unknown(name, thr, False, "no leads table: how prospects buy (lead, quote and close dates, the "
                        "DMU) is not recorded; add leads with quote_date and closed_date")
    won = _stages(leads)[0]
    w = leads[won.to_numpy()]
    if len(w) < cfg.min_cases:
        return _unknown(name, thr, False, f"only {len(w)} won deals in the leads table")
    cols = [c for c in ("lead_date", "quote_date", "closed_date") if c in w]
    dmu = [c for c in w.columns if c.lower() in DMU_COLUMNS]
    known = np.ones(len(w), dtype=bool)
    for c in cols + dmu:
        known &= w[c].notna().to_numpy()
    if len(cols) < 3:
        known[:] = False
    value = float(known.mean())
    missing = [c for c in ("quote_date", "closed_date") if c not in cols]
    text = (f"{int(known.sum())} of {len(w)} won deals have lead, quote and close dates"
            + (" and a DMU" if dmu else "; no DMU column in the leads, so who decides is not recorded")
            + (f"; missing columns: {', '.join(missing)}" if missing else ""))
    return _alarm(name, value, thr, False, text)


def channels_known(leads: pd.DataFrame | None, cfg: TargetingAlarms) -> tuple[Alarm, pd.DataFrame | None]:
    """Signal 4 and the channel table (channel, leads, won, lost, win_rate), ranked by leads."""
    thr, name = cfg.channels_known, "channels_known"
    if leads is None or "stage" not in leads:
        return _unknown(name, thr, False, "no leads table: the orientation and buying channels of prospects are "
                        "unknown; add leads with a channel column"), None
    won, lost, sales = _stages(leads)
    s = leads[sales.to_numpy()].copy()
    if len(s) < cfg.min_cases:
        return _unknown(name, thr, False, f"only {len(s)} sales leads"), None
    ch = s["channel"].astype("string").str.strip() if "channel" in s else pd.Series(pd.NA, index=s.index,
                                                                                       dtype="string")
    ch = ch.where(ch != "")
    value = float(ch.notna().mean())
    s["channel"] = ch.fillna("(unknown)")
    s["_won"], s["_lost"] = won[sales.to_numpy()].to_numpy(), lost[sales.to_numpy()].to_numpy()
    t = s.groupby("channel").agg(leads=("_won", "size"), won=("_won", "sum"), lost=("_lost", "sum")).reset_index()
    t["win_rate"] = t.won / (t.won + t.lost).replace(0, np.nan)
    t["share"] = t.leads / t.leads.sum()
    t = t.sort_values(["leads", "channel"], ascending=[False, True]).reset_index(drop=True)
    top = "; ".join(f"{r.channel} {r.share:.0%}" + (f" (wins {r.win_rate:.0%})" if pd.notna(r.win_rate) else "")
                    for r in t.head(4).itertuples())
    text = f"{value:.0%} of {len(s)} sales leads have a known channel; ranked: {top}"
    if "channel" not in leads:
        text = "the leads table has no channel column: " + text
    return _alarm(name, value, thr, False, text), t


# 5 ------------------------------------------------------------------------------------------------------------
def _top_group(customers: pd.DataFrame, min_cases: int) -> tuple[str, pd.Series] | None:
    c = customers
    for col, val, label in (("value_group", "top", "value-matrix top group"), ("abc_segment", "A", "A customers"),
                            ("pyramid_level", "top", "pyramid top")):
        if col in c:
            flag = (c[col].astype("string") == val).fillna(False)
            if flag.sum() >= min_cases:
                return label, flag
    for col in ("net_profit", "revenue"):
        if col in c and pd.to_numeric(c[col], errors="coerce").notna().sum() >= 5 * min_cases:
            v = pd.to_numeric(c[col], errors="coerce")
            return f"top 20% by {col.replace('_', ' ')}", (v >= v.quantile(0.8)).fillna(False)
    return None


def profile_strength(customers: pd.DataFrame, attributes: list[str], cfg: TargetingAlarms) -> Alarm:
    """Signal 5: the largest total-variation distance between the top group and the base."""
    thr, name = cfg.profile_strength, "profile_strength"
    attrs = [a for a in dict.fromkeys(attributes) if a in customers]
    if not attrs:
        return _unknown(name, thr, False, "no firmographic attributes (sector, region, size_class) in the customers "
                        "table, so the ideal-customer profile cannot be drawn")
    group = _top_group(customers, cfg.min_cases)
    if group is None:
        return _unknown(name, thr, False, "no top group of at least "
                        f"{cfg.min_cases} customers (value matrix, A segment, pyramid or revenue)")
    label, flag = group
    best: tuple[float, str, str] = (-1.0, "", "")
    for a in attrs:
        v = customers[a].astype("string").fillna("(unknown)")
        base = v.value_counts(normalize=True)
        top = v[flag.to_numpy()].value_counts(normalize=True).reindex(base.index, fill_value=0.0)
        tvd = float(0.5 * (top - base).abs().sum())
        if tvd > best[0]:
            lift = (top - base).sort_values(ascending=False).head(2)
            traits = ", ".join(f"{k} {top[k]:.0%} vs {base[k]:.0%}" for k in lift.index if lift[k] > 0)
            best = (tvd, a, traits)
    tvd, a, traits = best
    return _alarm(name, tvd, thr, False, f"{label} ({int(flag.sum())} customers) differs most from the base in "
                  f"{a.replace('_', ' ')} (distance {tvd:.2f}): {traits}")


# 6 ------------------------------------------------------------------------------------------------------------
_DRIVERS = (  # driver, higher is worse
    ("complaints", True), ("support_tickets", True), ("return_share", True), ("late_payment_share", True),
    ("margin_change_pp", False), ("order_frequency_change", False),
)


def auc(x: np.ndarray, y: np.ndarray) -> float:
    """P(a value of ``x`` > one of ``y``) + half P(equal): the Mann-Whitney U of ``x`` over ``len(x) * len(y)``,
    from average ranks (as ``scipy.stats.mannwhitneyu``, without loading scipy.stats: 0.6 s of a re-analysis)."""
    ranks = pd.Series(np.concatenate([x, y])).rank(method="average").to_numpy()
    return float((ranks[: len(x)].sum() - len(x) * (len(x) + 1) / 2) / (len(x) * len(y)))


def churn_drivers(history: pd.DataFrame, as_of: dt.date, period_start: dt.date, min_cases: int) -> pd.DataFrame:
    """Leavers' last year against stayers' last year, a row per driver with means, ratio and AUC.

    ``history``: per customer ``status, first_order, last_order`` and the window counts of
    :func:`salesfocus.targeting.history.window_measures`. Leavers: not active, a customer for at least a
    year before the last order, which lies in the three years before ``as_of`` and a year after the data
    starts. Stayers: active, first order at least a year ago.
    """
    h = history  # read only (a copy held a second million-row frame at the peak of 50M lines)
    first, last = pd.to_datetime(h.first_order), pd.to_datetime(h.last_order)
    active = (h.status.astype("string") == "active").fillna(False)
    start = pd.Timestamp(period_start)
    leaver = (~active & (first <= last - pd.Timedelta(days=365)) & (last >= start + pd.Timedelta(days=365))
              & (last >= pd.Timestamp(as_of - 3 * _YEAR)))
    stayer = active & (first <= pd.Timestamp(as_of - _YEAR))
    d = pd.DataFrame(index=h.index)
    if "w_complaints" in h:
        d["complaints"], d["support_tickets"] = h.w_complaints, h.w_tickets
    d["return_share"] = h.w_returns / h.w_orders.where(h.w_orders > 0)
    if "w_invoices" in h:
        d["late_payment_share"] = h.w_late_invoices / h.w_invoices.replace(0, np.nan)
    if "w_cost" in h and h.w_cost.notna().any():
        w_m = 1 - h.w_cost / h.w_revenue.where(h.w_revenue > 0)
        p_m = 1 - h.wp_cost / h.wp_revenue.where(h.wp_revenue > 0)
        d["margin_change_pp"] = 100.0 * (w_m - p_m)
    d["order_frequency_change"] = (h.w_orders - h.wp_orders) / h.wp_orders.where(h.wp_orders > 0)
    rows = []
    for col, higher in _DRIVERS:
        if col not in d:
            rows.append({"driver": col, "higher_is_worse": higher, "leavers": 0, "stayers": 0})
            continue
        x, y = d.loc[leaver, col].dropna().astype(float), d.loc[stayer, col].dropna().astype(float)
        r = {"driver": col, "higher_is_worse": higher, "leavers": len(x), "stayers": len(y),
             "leavers_mean": x.mean() if len(x) else np.nan, "stayers_mean": y.mean() if len(y) else np.nan}
        if len(x) >= min_cases and len(y) >= min_cases:
            u = auc(x.to_numpy(), y.to_numpy())
            r["auc"] = float(u if higher else 1.0 - u)
        rows.append(r)
    t = pd.DataFrame(rows)
    for c in ("leavers_mean", "stayers_mean", "auc"):
        if c not in t:
            t[c] = np.nan
    t["ratio"] = t.leavers_mean / t.stayers_mean.where(t.stayers_mean != 0)
    t = t.sort_values(["auc", "driver"], ascending=[False, True], na_position="last").reset_index(drop=True)
    t.insert(0, "rank", np.arange(1, len(t) + 1))
    return t[["rank", "driver", "higher_is_worse", "leavers", "stayers", "leavers_mean", "stayers_mean", "ratio",
              "auc"]]


def churn_explained(drivers: pd.DataFrame | None, cfg: TargetingAlarms, missing: list[str]) -> Alarm:
    """Signal 6 from :func:`churn_drivers`: the strongest driver's AUC."""
    thr, name = cfg.churn_explained, "churn_explained"
    known = drivers.dropna(subset=["auc"]) if drivers is not None else pd.DataFrame()
    if not len(known):
        n = int(drivers.leavers.max()) if drivers is not None and len(drivers) else 0
        return _unknown(name, thr, False, f"only {n} leavers with a full last year, or no stayers: why customers "
                        "leave cannot be measured yet" + (f"; also missing: {', '.join(missing)}" if missing else ""))
    top = known.head(3)
    parts = [f"{r.driver.replace('_', ' ')} {r.leavers_mean:.2f} vs {r.stayers_mean:.2f} (AUC {r.auc:.2f})"
             for r in top.itertuples()]
    text = "leavers' last year against stayers': " + "; ".join(parts)
    if missing:
        text += f"; not measured: {', '.join(missing)}"
    return _alarm(name, float(known.auc.iloc[0]), thr, False, text)


# 7 ------------------------------------------------------------------------------------------------------------
def customers_per_manager(customers: pd.DataFrame, cfg: TargetingAlarms) -> tuple[Alarm, pd.DataFrame | None]:
    """Signal 7 and the load table (account_manager, active_customers, focus_customers, load)."""
    cap = cfg.customers_per_manager
    thr, name = (cap, 1.25 * cap), "customers_per_manager"
    if "account_manager" not in customers:
        return _unknown(name, thr, True, "no account_manager column in the customers table: the load per account "
                        "manager is unknown"), None
    c = customers[(customers.status.astype("string") == "active").fillna(False).to_numpy()]
    am = c.account_manager.astype("string").str.strip()
    c = c.assign(account_manager=am.where(am != ""))
    unassigned = int(c.account_manager.isna().sum())
    c = c[c.account_manager.notna()]
    if not len(c):
        return _unknown(name, thr, True, "no active customer has an account manager"), None
    focus = c["target_focus"].fillna(False).astype(bool) if "target_focus" in c else pd.Series(False, index=c.index)
    t = c.assign(_f=focus.to_numpy()).groupby("account_manager").agg(
        active_customers=("_f", "size"), focus_customers=("_f", "sum")).reset_index()
    t["capacity"] = cap
    t["load"] = t.active_customers / cap
    t = t.sort_values(["active_customers", "account_manager"], ascending=[False, True]).reset_index(drop=True)
    top = t.iloc[0]
    over = t[t.active_customers > cap]
    text = (f"{top.account_manager} serves {int(top.active_customers)} active customers (capacity {cap:g}); "
            f"{len(over)} of {len(t)} account managers are over capacity"
            + (f", {int(over.focus_customers.sum())} of their {int(over.active_customers.sum())} customers are in "
               "focus segments" if len(over) else "")
            + (f"; {unassigned} active customers have no account manager" if unassigned else ""))
    return _alarm(name, float(top.active_customers), thr, True, text), t
