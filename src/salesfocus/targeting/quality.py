"""Are these good segments? The method's tests, each a measured figure that passes or fails.

METHODS §5: segments must be homogeneous inside and different from each other, measurable, reachable,
large enough for SMART goals, and together large enough. Key measures per customer (for the first two):
revenue per year and orders per year (both ``log(1 + x)``, they are skewed) and margin % (clipped to its
1st-99th percentile). Segments ``unknown`` is left out of these two.

- **homogeneous**: per segment, the spread (standard deviation) of each key measure inside it over the
  spread in the whole base, averaged over the measures; the median segment passes at most
  ``max_within_ratio``. Per segment the ratio is in ``segments.csv`` as ``homogeneity``.
- **distinct**: eta², the share of the variance of the key measures that lies between the segments
  (``Σ n_s (mean_s - mean)² / Σ (x - mean)²``), averaged; passes from ``min_between_share``. The one-way
  ANOVA p-value is in the explanation.
- **measurable**: the share of customers and prospects in ``unknown`` at most ``max_unknown_share``.
- **reachable**: the share of customers (and prospects, where the file has contact columns) with an e-mail
  address or phone number, at least ``min_reachable_share``.
- **large enough**: every focus segment has at least ``min_members`` customers + prospects and
  ``min_revenue`` revenue (per segment in ``segments.csv`` as ``large_enough``).
- **together large enough**: the focus segments together hold ``min_focus_members`` customers + prospects
  and ``min_focus_revenue_share`` of the revenue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesfocus.config import TargetingQuality
from salesfocus.targeting.definitions import UNKNOWN

__all__ = ["key_measures", "homogeneity", "quality_checks", "CONTACT_COLUMNS"]

CONTACT_COLUMNS = ("email", "phone", "telephone", "mobile", "e_mail")


def key_measures(customers: pd.DataFrame) -> pd.DataFrame:
    """Per customer: ``log_revenue_year``, ``log_orders_year`` and ``margin_pct`` (clipped), with its segment."""
    c = customers
    years = np.maximum(pd.to_numeric(c.tenure_days, errors="coerce").fillna(0).to_numpy(float), 365.25) / 365.25
    rev = pd.to_numeric(c.revenue, errors="coerce").fillna(0).to_numpy(float)
    orders = pd.to_numeric(c.orders, errors="coerce").fillna(0).to_numpy(float)
    out = pd.DataFrame({
        "segment": c.target_segment.to_numpy(),
        "log_revenue_year": np.log1p(np.maximum(rev / years, 0.0)),
        "log_orders_year": np.log1p(np.maximum(orders / years, 0.0)),
    }, index=c.index)
    if "margin_pct" in c and pd.to_numeric(c.margin_pct, errors="coerce").notna().sum() >= 2:
        m = pd.to_numeric(c.margin_pct, errors="coerce")
        lo, hi = m.quantile(0.01), m.quantile(0.99)
        out["margin_pct"] = m.clip(lo, hi).to_numpy()
    return out


def homogeneity(measures: pd.DataFrame) -> tuple[pd.Series, float, float]:
    """Per-segment within/overall spread ratio, the mean eta² and the largest ANOVA p-value over measures.

    From per-segment counts, means and sums of squares (one pass each over a million customers, where a pandas
    group-by per measure and an array per segment for SciPy's ``f_oneway`` took a second); the F test is
    ``f_oneway``'s, on the segments with at least two customers."""
    from scipy.special import fdtrc  # F's survival function, without loading scipy.stats (0.6 s)

    m = measures[measures.segment != UNKNOWN]
    codes, names = pd.factorize(m.segment, sort=True)
    cols = [c for c in m.columns if c != "segment"]
    ratios, etas, ps = [], [], []
    for col in cols:
        x = m[col].to_numpy(dtype="float64", na_value=np.nan)
        ok = ~np.isnan(x) & (codes >= 0)
        x, g = x[ok], codes[ok]
        sd = x.std() if len(x) else 0.0
        if len(x) < 3 or not sd > 0:
            continue
        k = len(names)
        n = np.bincount(g, minlength=k).astype("float64")
        mean = np.bincount(g, weights=x, minlength=k) / np.where(n > 0, n, 1)
        within = np.bincount(g, weights=(x - mean[g]) ** 2, minlength=k)
        seen = n > 0
        ratios.append(pd.Series(np.sqrt(within[seen] / n[seen]) / sd, index=names[seen]))
        total = x.mean()
        ss_total = float(((x - total) ** 2).sum())
        etas.append(float((n * (mean - total) ** 2).sum()) / ss_total)
        two = n >= 2  # as f_oneway is given the segments of at least two customers
        if two.sum() >= 2:
            n2, dfb = n[two].sum(), two.sum() - 1
            grand = (mean[two] * n[two]).sum() / n2
            ss_b, ss_w = float((n[two] * (mean[two] - grand) ** 2).sum()), float(within[two].sum())
            dfw = n2 - two.sum()
            ps.append(float(fdtrc(dfb, dfw, (ss_b / dfb) / (ss_w / dfw))) if ss_w > 0
                      else float("nan") if ss_b == 0 else 0.0)
    if not ratios:
        return pd.Series(dtype="float64"), float("nan"), float("nan")
    per_segment = pd.concat(ratios, axis=1).mean(axis=1)
    return per_segment, float(np.mean(etas)), (max(ps) if ps else float("nan"))


def _row(check: str, passed: bool | None, value: float | None, threshold: float | None, text: str) -> dict:
    v = None if value is None or (isinstance(value, float) and np.isnan(value)) else round(float(value), 4)
    return {"check": check, "passed": passed, "value": v, "threshold": threshold, "explanation": text}


def _reachable(customers: pd.DataFrame, prospects: pd.DataFrame | None) -> tuple[float | None, str]:
    parts, named = [], []
    for label, t in (("customers", customers), ("prospects", prospects)):
        if t is None or not len(t):
            continue
        cols = [c for c in CONTACT_COLUMNS if c in t.columns]
        if not cols:
            named.append(f"{label}: no e-mail or phone column")
            continue
        has = np.zeros(len(t), dtype=bool)
        for c in cols:
            v = t[c].astype("string").str.strip()
            has |= (v.notna() & (v != "")).to_numpy(dtype=bool)
        parts.append((int(has.sum()), len(t)))
        named.append(f"{label} {has.mean():.0%} ({', '.join(cols)})")
    if not parts:
        return None, "; ".join(named) or "no customers"
    return sum(p[0] for p in parts) / sum(p[1] for p in parts), "; ".join(named)


def quality_checks(customers: pd.DataFrame, segments: pd.DataFrame, focus: list[str], cfg: TargetingQuality,
                   prospects: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The quality checks (a row each) and per-segment ``homogeneity`` and ``large_enough``.

    ``customers``: per customer ``target_segment, revenue, orders, tenure_days`` (+ ``margin_pct``, contact
    columns); ``segments``: indexed by segment with ``customers, prospects, revenue``.
    """
    per_seg, eta, p = homogeneity(key_measures(customers))
    members = segments.customers + segments.prospects
    large = (members >= cfg.min_members) & (segments.revenue.fillna(0) >= cfg.min_revenue)
    seg_cols = pd.DataFrame({"homogeneity": per_seg.reindex(segments.index), "large_enough": large})
    rows = []
    med = float(per_seg.median()) if len(per_seg) else float("nan")
    rows.append(_row("homogeneous", None if np.isnan(med) else bool(med <= cfg.max_within_ratio), med,
                     cfg.max_within_ratio, f"median segment's spread of revenue/year, orders/year and margin % is "
                     f"{med:.0%} of the whole base's (at most {cfg.max_within_ratio:.0%} passes)"
                     if not np.isnan(med) else "too few customers to measure the spread"))
    rows.append(_row("distinct", None if np.isnan(eta) else bool(eta >= cfg.min_between_share), eta,
                     cfg.min_between_share, f"{eta:.1%} of the variance of the key measures lies between segments "
                     f"(from {cfg.min_between_share:.0%} passes; largest ANOVA p = {p:.2g})"
                     if not np.isnan(eta) else "too few customers to compare segments"))
    total = int(members.sum())
    unknown = int(members.get(UNKNOWN, 0))
    share = unknown / total if total else float("nan")
    rows.append(_row("measurable", None if not total else bool(share <= cfg.max_unknown_share), share,
                     cfg.max_unknown_share, f"{unknown} of {total} customers and prospects lack a segmenting "
                     f"attribute (segment '{UNKNOWN}')"))
    reach, text = _reachable(customers, prospects)
    rows.append(_row("reachable", None if reach is None else bool(reach >= cfg.min_reachable_share), reach,
                     cfg.min_reachable_share, f"with an e-mail address or phone: {text}" if reach is not None else
                     f"unknown: {text}; add an email column to the customers (or prospects) file"))
    f = [s for s in focus if s in segments.index]
    small = [s for s in f if not large[s]]
    smallest = float(members[f].min()) if f else None
    rows.append(_row("large_enough", bool(f) and not small, smallest, float(cfg.min_members),
                     ("every focus segment has at least " if not small else "too small: " + ", ".join(small) +
                      "; needed at least ") + f"{cfg.min_members} customers + prospects and revenue "
                     f"{cfg.min_revenue:,.0f}"))
    f_members = int(members[f].sum()) if f else 0
    rev_total = float(segments.revenue.fillna(0).sum())
    f_share = float(segments.revenue[f].fillna(0).sum()) / rev_total if f and rev_total else 0.0
    ok = f_members >= cfg.min_focus_members and f_share >= cfg.min_focus_revenue_share
    rows.append(_row("together_large_enough", bool(f) and ok, f_share, cfg.min_focus_revenue_share,
                     f"the focus segments hold {f_members} customers + prospects (at least {cfg.min_focus_members}) "
                     f"and {f_share:.0%} of revenue (at least {cfg.min_focus_revenue_share:.0%})"))
    return pd.DataFrame(rows), seg_cols
