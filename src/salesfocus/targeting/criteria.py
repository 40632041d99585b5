"""How valuable and how winnable is each segment? Measured criteria from the data, judged ones from people.

**Measured** (per segment, from its customers, prospects and leads):

=============================  =====================================================================
``members``                    customers + prospects in the segment
``revenue_per_customer_year``  revenue / customer-years, each customer counted at least one year
                               (``Σ revenue · 365.25 / Σ max(tenure_days, 365.25)``)
``margin_pct``                 gross margin / revenue × 100 (NULL without cost of goods)
``net_profit_per_customer``    net profit after cost-to-serve / customers
``orders_per_customer_year``   orders / customer-years (as revenue)
``avg_lifetime_years``         mean customer lifetime: first order to now (active) or to the last order
``customer_value``             mean predicted CLV (``clv``, where the prediction has run)
``upsell_room``                1 - revenue per customer-year / the best segment's (0 = the best segment)
``penetration_pct``            mean product groups bought / all product groups × 100 (reference)
``cross_sell_room``            1 - penetration / the best-penetrated segment's
``retention``                  customers ordering in the last year among those ordering the year before
``win_rate``                   won / (won + lost) of the segment's deals, shrunk to the overall rate with
                               ``win_rate_prior`` pseudo-deals: ``(won + k·overall) / (closed + k)``
``sales_cycle_days``           median days from lead to won (less is better)
``lookalike``                  mean look-alike score (0-100) of the segment's prospects and customers
=============================  =====================================================================

**Judged**, scored 1-5 per segment by people in the scoring sheet (``targeting_scores.csv`` / ``.xlsx``):
buying motives match our USPs, future trends match, triggers match, success of comparable competitors
(less is better), accepted reference cases; for prospects and ex-customers also the entry barrier (less
is better), access to the DMU, recognised urgency or ambition and what lead generation tells us. Any other
weight key in the config is a judged criterion of the user's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

from salesfocus.errors import ConfigError, InputError
from salesfocus.measures import exact_sum

__all__ = [
    "MEASURED",
    "JUDGED",
    "describe",
    "segment_aggregates",
    "prospect_aggregates",
    "lead_aggregates",
    "measured_criteria",
    "read_scores",
    "scores_frame",
    "check_scores",
    "scoring_sheet",
    "write_scoring_workbook",
    "WON",
    "LOST",
]

MEASURED: dict[str, str] = {
    "members": "customers + prospects in the segment",
    "revenue_per_customer_year": "revenue per customer per year",
    "margin_pct": "gross margin % of revenue",
    "net_profit_per_customer": "net profit after cost-to-serve per customer",
    "orders_per_customer_year": "orders per customer per year",
    "avg_lifetime_years": "average customer lifetime in years",
    "customer_value": "mean predicted customer lifetime value (CLV)",
    "upsell_room": "up-sell room: revenue per customer below the best segment's (0-1)",
    "cross_sell_room": "cross-sell room: product-group penetration below the best segment's (0-1)",
    "retention": "share of last year's customers still ordering this year",
    "win_rate": "won / closed deals (shrunk to the overall rate)",
    "sales_cycle_days": "median days from lead to won deal (less is better)",
    "lookalike": "mean look-alike score of prospects and customers (0-100)",
}
JUDGED: dict[str, str] = {
    "usp_match": "buying motives in the segment match our core USPs (1-5)",
    "trend_match": "future trends in the segment match our USPs (1-5)",
    "trigger_match": "triggers in the segment match our USPs (1-5)",
    "competitor_success": "comparable competitors are successful here (1-5, less is better)",
    "reference_cases": "accepted reference cases in the segment (1-5)",
    "entry_barrier": "entry barrier, e.g. long contracts (prospects, ex-customers; 1-5, less is better)",
    "dmu_access": "access to the decision-making unit (1-5)",
    "urgency": "urgency or ambition recognised and matching our USPs (1-5)",
    "lead_generation": "what lead generation tells us: questions coming in from the segment (1-5)",
}
WON = ("won", "gewonnen", "closed won", "closed_won", "order")
LOST = ("lost", "verloren", "closed lost", "closed_lost")
SCORE_RANGE = (1.0, 5.0)


def describe(criterion: str) -> str:
    """A short description of a criterion (a user's own judged criterion: scored 1-5)."""
    return MEASURED.get(criterion) or JUDGED.get(criterion) or f"{criterion.replace('_', ' ')} (judged, 1-5)"


# ---------------------------------------------------------------------------------------------------------------
# measured criteria: Ibis aggregations per segment, then the relative ones at the edge
# ---------------------------------------------------------------------------------------------------------------
def segment_aggregates(customers: ibis.Table, segment: str = "target_segment") -> ibis.Table:
    """Sums per segment over the per-customer table (an Ibis expression, nothing executes).

    Needs ``revenue, orders, tenure_days, first_order, last_order, status``; uses ``gross_margin,
    net_profit, product_groups, clv, lookalike_score, orders_prev, orders_last`` where present.
    """
    c = customers
    cols = set(c.columns)
    f64 = "float64"
    years = ibis.greatest(c.tenure_days.cast(f64), 365.25) / 365.25
    life = ibis.ifelse(c.status == "active", c.tenure_days.cast(f64),
                       c.last_order.delta(c.first_order, unit="day").cast(f64))
    # sums of fractions added up exactly (measures.exact_sum), so that a segment's figures are the same in every
    # run (a float sum depends on the order the engine adds in); whole numbers as floats add up exactly anyway
    aggs: dict[str, Any] = {
        "customers": c.count(),
        "revenue": exact_sum(c.revenue),
        "cust_years": exact_sum(years),
        "orders": c.orders.cast(f64).sum(),
        "lifetime_days": life.mean(),
    }
    if "gross_margin" in cols:
        aggs["gross_margin"] = exact_sum(c.gross_margin)
        aggs["margin_revenue"] = exact_sum(c.revenue, where=c.gross_margin.notnull())
    if "net_profit" in cols:
        aggs["net_profit"] = exact_sum(c.net_profit)
    if "product_groups" in cols:
        aggs["product_groups"] = c.product_groups.cast(f64).mean()
    if "clv" in cols:
        aggs["clv"] = exact_sum(c.clv) / c.clv.count().nullif(0).cast(f64)
    if "lookalike_score" in cols:
        aggs["lookalike_sum"] = exact_sum(c.lookalike_score)
        aggs["lookalike_n"] = c.lookalike_score.count()
    if "orders_prev" in cols and "orders_last" in cols:
        aggs["retained_base"] = (c.orders_prev > 0).sum()
        aggs["retained"] = ((c.orders_prev > 0) & (c.orders_last > 0)).sum()
    out = c.group_by(segment).aggregate(**aggs)
    return out.rename(target_segment=segment) if segment != "target_segment" else out


def prospect_aggregates(prospects: ibis.Table, segment: str = "target_segment") -> ibis.Table:
    """Prospects per segment and the sum and count of their look-alike scores."""
    p = prospects
    aggs: dict[str, Any] = {"prospects": p.count()}
    if "lookalike_score" in p.columns:
        aggs["p_lookalike_sum"] = p.lookalike_score.cast("float64").sum()
        aggs["p_lookalike_n"] = p.lookalike_score.count()
    out = p.group_by(segment).aggregate(**aggs)
    return out.rename(target_segment=segment) if segment != "target_segment" else out


def lead_aggregates(leads: ibis.Table, customer_segments: ibis.Table | None,
                    prospect_segments: ibis.Table | None) -> ibis.Table:
    """Won and lost deals and the median lead-to-won days per segment.

    A lead belongs to the segment of its customer, else of its prospect; other leads are left out.
    ``customer_segments``: ``customer_id, target_segment``; ``prospect_segments``: ``prospect_id, target_segment``.
    """
    lt = leads
    stage = lt.stage.cast("string").lower().strip()
    lt = lt.mutate(_won=stage.isin(list(WON)), _lost=stage.isin(list(LOST)))
    cols = []
    if customer_segments is not None and "customer_id" in lt.columns:
        cs = customer_segments.select(_cid="customer_id", _cseg="target_segment")
        lt = lt.left_join(cs, lt.customer_id == cs._cid)
        cols.append("_cseg")
    if prospect_segments is not None and "prospect_id" in lt.columns:
        ps = prospect_segments.select(_pid="prospect_id", _pseg="target_segment")
        lt = lt.left_join(ps, lt.prospect_id == ps._pid)
        cols.append("_pseg")
    seg = ibis.coalesce(*[lt[c] for c in cols]) if len(cols) > 1 else (lt[cols[0]] if cols else
                                                                       ibis.null("string"))
    lt = lt.mutate(target_segment=seg)
    lt = lt.filter(lt.target_segment.notnull())
    aggs: dict[str, Any] = {"won": lt._won.sum(), "lost": lt._lost.sum()}
    if "closed_date" in lt.columns:
        days = lt.closed_date.delta(lt.lead_date, unit="day").cast("float64")
        aggs["sales_cycle_days"] = days.median(where=lt._won & lt.closed_date.notnull())
    return lt.group_by("target_segment").aggregate(**aggs)


def _relative_room(value: pd.Series) -> pd.Series:
    best = value.max()
    if not np.isfinite(best) or best <= 0:
        return pd.Series(np.nan, index=value.index)
    return (1.0 - value / best).clip(lower=0.0)


def measured_criteria(customers: pd.DataFrame, prospects: pd.DataFrame | None = None,
                      leads: pd.DataFrame | None = None, *, segments: list[str] | None = None,
                      n_groups: int | None = None, win_rate_prior: float = 5.0) -> pd.DataFrame:
    """The measured criteria per segment from the executed aggregates (index ``segment``).

    ``customers``: :func:`segment_aggregates`; ``prospects``: :func:`prospect_aggregates`; ``leads``:
    :func:`lead_aggregates` (all executed, keyed by ``target_segment``). Columns: ``customers, prospects,
    revenue, net_profit`` and every criterion of :data:`MEASURED` (NULL where the data cannot say), plus
    ``penetration_pct, won, lost``.
    """
    key = "target_segment"
    idx = pd.Index(sorted(set(segments or []) | set(customers[key]) |
                          (set(prospects[key]) if prospects is not None else set())), name="segment")
    c = customers.set_index(key).reindex(idx)
    out = pd.DataFrame(index=idx)
    out["customers"] = c["customers"].fillna(0).astype("int64")
    p = prospects.set_index(key).reindex(idx) if prospects is not None else pd.DataFrame(index=idx)
    out["prospects"] = p["prospects"].fillna(0).astype("int64") if "prospects" in p else 0
    out["members"] = out.customers + out.prospects
    out["revenue"] = c["revenue"].fillna(0.0)
    out["net_profit"] = c.get("net_profit", np.nan)
    has = out.customers > 0
    out["revenue_per_customer_year"] = (c["revenue"] / c["cust_years"]).where(has)
    margin_ok = ("gross_margin" in c) and c["gross_margin"].notna().any()
    out["margin_pct"] = (100.0 * c["gross_margin"] / c["margin_revenue"].replace(0, np.nan)) if margin_ok else np.nan
    out["net_profit_per_customer"] = (c["net_profit"] / c["customers"]).where(has) if "net_profit" in c else np.nan
    out["orders_per_customer_year"] = (c["orders"] / c["cust_years"]).where(has)
    out["avg_lifetime_years"] = c["lifetime_days"] / 365.25
    out["customer_value"] = c.get("clv", np.nan)
    out["upsell_room"] = _relative_room(out.revenue_per_customer_year)
    pen = (100.0 * c["product_groups"] / n_groups) if ("product_groups" in c and n_groups) else pd.Series(
        np.nan, index=idx)
    out["penetration_pct"] = pen
    out["cross_sell_room"] = _relative_room(pen)
    if "retained_base" in c:
        out["retention"] = (c["retained"] / c["retained_base"].replace(0, np.nan))
    else:
        out["retention"] = np.nan
    out["won"], out["lost"], out["win_rate"], out["sales_cycle_days"] = 0, 0, np.nan, np.nan
    if leads is not None and len(leads):
        lead = leads.set_index(key).reindex(idx)
        won, lost = lead["won"].fillna(0), lead["lost"].fillna(0)
        out["won"], out["lost"] = won.astype("int64"), lost.astype("int64")
        total = won.sum() + lost.sum()
        if total > 0:
            overall = won.sum() / total
            k = win_rate_prior
            rate = (won + k * overall) / (won + lost + k) if k > 0 else won / (won + lost).replace(0, np.nan)
            out["win_rate"] = rate
        if "sales_cycle_days" in lead:
            out["sales_cycle_days"] = lead["sales_cycle_days"]
    num = c["lookalike_sum"].fillna(0) if "lookalike_sum" in c else 0.0
    den = c["lookalike_n"].fillna(0) if "lookalike_n" in c else 0.0
    if "p_lookalike_sum" in p:
        num = num + p["p_lookalike_sum"].fillna(0)
        den = den + p["p_lookalike_n"].fillna(0)
    den_s = pd.Series(den, index=idx, dtype="float64")
    out["lookalike"] = (pd.Series(num, index=idx, dtype="float64") / den_s.replace(0, np.nan))
    return out


# ---------------------------------------------------------------------------------------------------------------
# judged criteria: the scoring sheet
# ---------------------------------------------------------------------------------------------------------------
def scores_frame(scores: dict[str, dict[str, float]], criteria: list[str]) -> pd.DataFrame:
    """Judged scores from the config (``{segment: {criterion: score}}``) as a frame (index segment)."""
    frame = pd.DataFrame.from_dict(scores, orient="index", dtype="float64") if scores else pd.DataFrame()
    frame.index.name = "segment"
    for c in criteria:
        if c not in frame:
            frame[c] = np.nan
    check_scores(frame[criteria], "config targeting.scores")
    return frame[criteria]


def check_scores(frame: pd.DataFrame, where: str) -> None:
    """Raise a ConfigError naming the first judged score outside 1-5."""
    lo, hi = SCORE_RANGE
    bad = frame.where((frame < lo) | (frame > hi)).stack().dropna()
    if len(bad):
        (seg, crit), v = next(iter(bad.items()))
        raise ConfigError(f"{where}: score {v:g} for segment '{seg}', criterion '{crit}' is outside {lo:g}-{hi:g}")


def _number(v: Any) -> float:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    if isinstance(v, int | float):
        return float(v)
    s = str(v).strip().replace(",", ".")
    if s == "":
        return np.nan
    try:
        return float(s)
    except ValueError:
        raise InputError(f"scoring sheet: '{v}' is not a score (a number 1-5, or empty)") from None


def read_scores(path: str | Path) -> tuple[pd.DataFrame, dict[str, dict[str, float]] | None]:
    """A filled-in scoring sheet: the judged scores (index segment) and, from an .xlsx, its weights.

    The sheet has a ``segment`` column and a column per judged criterion (1-5, empty = unscored); other
    columns (the measured figures for reference) are ignored by the caller. A workbook's ``weights`` sheet
    (``axis, criterion, weight``) overrides the configured weights.

    Raises
    ------
    InputError
        When the file is missing or unreadable, has no ``segment`` column or holds a non-number.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"scoring sheet {p} not found")
    weights = None
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = pd.read_excel(p, sheet_name=None, dtype=object, engine="openpyxl")
        first = sheets.get("scores", next(iter(sheets.values())))
        frame = first
        if "weights" in sheets:
            weights = _read_weights(sheets["weights"], p)
    else:
        try:
            frame = pd.read_csv(p, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError) as e:
            raise InputError(f"scoring sheet {p} is not a readable CSV: {e}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if "segment" not in frame.columns:
        raise InputError(f"scoring sheet {p} has no 'segment' column")
    frame = frame[frame.segment.notna()].copy()
    frame["segment"] = frame.segment.astype(str).str.strip().str.lstrip("'")
    out = frame.set_index("segment").drop(columns=[c for c in frame.columns if c.startswith("Unnamed")
                                                   and c != "segment"], errors="ignore")
    return out.map(_number) if len(out.columns) else out.astype("float64"), weights


def _read_weights(frame: pd.DataFrame, p: Path) -> dict[str, dict[str, float]]:
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    need = {"axis", "criterion", "weight"}
    if not need <= set(frame.columns):
        raise InputError(f"scoring sheet {p}: the weights sheet needs the columns axis, criterion, weight")
    out: dict[str, dict[str, float]] = {"attractiveness": {}, "likelihood": {}}
    for r in frame.itertuples():
        axis = str(r.axis).strip().lower()
        if axis not in out or pd.isna(r.criterion):
            continue
        w = _number(r.weight)
        if np.isnan(w) or w < 0:
            raise InputError(f"scoring sheet {p}: weight of {r.criterion} must be a number of 0 or more")
        out[axis][str(r.criterion).strip()] = w
    return out


def scoring_sheet(segments: pd.DataFrame, judged: list[str], scores: pd.DataFrame,
                  reference: list[str]) -> pd.DataFrame:
    """The sheet a director fills in: a row per segment, a column per judged criterion, measured beside.

    ``segments`` is indexed by segment with ``customers, prospects`` and the ``reference`` columns.
    """
    sheet = pd.DataFrame({"segment": segments.index, "customers": segments.customers.to_numpy(),
                          "prospects": segments.prospects.to_numpy()})
    for c in judged:
        sheet[c] = scores[c].reindex(segments.index).to_numpy() if c in scores else np.nan
    for c in reference:
        if c in segments:
            sheet[c] = segments[c].round(4).to_numpy()
    return sheet


def write_scoring_workbook(path: str | Path, sheet: pd.DataFrame, weights: pd.DataFrame,
                           judged: list[str]) -> Path:
    """Write ``targeting_scores.xlsx``: the scores sheet (1-5 validated on the judged cells) and the weights.

    ``weights`` has at least ``axis, criterion, weight``. Read it back with :func:`read_scores`.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    p = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "scores"
    ws.append(list(sheet.columns))
    for row in sheet.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in row])
    dv = DataValidation(type="decimal", operator="between", formula1="1", formula2="5", allow_blank=True,
                        error="A score is a number from 1 to 5, or empty when not scored.")
    ws.add_data_validation(dv)
    for i, col in enumerate(sheet.columns, start=1):
        if col in judged and len(sheet):
            letter = get_column_letter(i)
            dv.add(f"{letter}2:{letter}{len(sheet) + 1}")
    ws.freeze_panes = "B2"
    wsw = wb.create_sheet("weights")
    cols = list(weights.columns)
    wsw.append(cols)
    for row in weights.itertuples(index=False):
        wsw.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in row])
    wb.save(p)
    return p
