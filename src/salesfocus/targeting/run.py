"""The targeting analysis of a run: segments, criteria, portfolio, focus, stability, quality and alarms.

Called by the pipeline last, so it can use the columns of every analysis before it (``value_group``,
``lookalike_score``, ``clv``, ``pyramid_level`` ...) and degrades with a note where they are absent.
Outputs:

- tables ``segments`` (a row per segment: counts, scores, contributions ``attr_*``/``like_*``, measured and
  judged criteria, stability, focus, quality), ``targeting_scores`` (the scoring sheet), ``targeting_weights``,
  ``segment_quality``, ``alarms``, ``churn_drivers``, ``lead_channels`` and ``account_manager_load``;
- customer columns ``target_segment`` and ``target_focus``; the ``prospects`` table (one row per prospect)
  gains ``target_segment, target_focus, attractiveness, likelihood`` and the ``like_*`` contributions;
- summary ``targeting`` (segment_by, weights, focus_segments, quality ...) and ``alarms``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from salesfocus.config import TargetingConfig
from salesfocus.targeting import alarms as al
from salesfocus.targeting.criteria import (
    MEASURED,
    check_scores,
    lead_aggregates,
    measured_criteria,
    prospect_aggregates,
    read_scores,
    scores_frame,
    scoring_sheet,
    segment_aggregates,
)
from salesfocus.targeting.definitions import (
    DERIVED_ATTRIBUTES,
    UNKNOWN,
    SegmentDefinition,
    add_bands,
    main_product_group,
)
from salesfocus.targeting.history import window_dates, window_measures
from salesfocus.targeting.portfolio import PREFIX, Portfolio
from salesfocus.targeting.quality import CONTACT_COLUMNS, quality_checks
from salesfocus.targeting.scoring import ScoredSegments, portfolio_table, score_segments
from salesfocus.workspace import same_data

if TYPE_CHECKING:
    from salesfocus.model import RunContext

__all__ = ["segment", "run", "SEGMENT_COLUMNS"]

SEGMENT_COLUMNS = ["segment", "customers", "prospects", "revenue", "net_profit", "attractiveness", "likelihood",
                   "score", "rank", "stability", "focus_share", "focus", "eligible", "large_enough", "homogeneity",
                   "reason"]
_TMP = "_sf_tgt_"
_PROFILE = ["sector", "region", "size_class"]


def _ws(ctx: RunContext, name: str, data: Any) -> ibis.Table:
    """Keep data (Arrow, or an Ibis expression executed here) as a temporary workspace table.

    Through Arrow, so the table has the types Ibis gives the expression (the engine's own sums of counts are
    128-bit and would read back as decimals, which pandas converts cell by cell)."""
    if isinstance(data, ibis.Table):
        data = data.to_pyarrow()
    ctx.workspace.write(_TMP + name, data, temp=True)
    return ctx.workspace.table(_TMP + name)


def _scalar(expr: Any) -> Any:
    return expr.to_pyarrow().as_py()


# ---------------------------------------------------------------------------------------------------------------
# segment definition
# ---------------------------------------------------------------------------------------------------------------
def _attributes(ctx: RunContext, cfg: TargetingConfig, cust: ibis.Table, pros: ibis.Table | None) -> list[str]:
    ol = _product_groups(ctx)
    avail = set(cust.columns) | (set(pros.columns) if pros is not None else set())
    if ol is not None and "product_group" in ol.columns:
        avail.add("main_product_group")
    attrs = [a for a in cfg.segment_by if a in avail]
    gone = [a for a in cfg.segment_by if a not in avail]
    if gone:
        ctx.note(f"targeting: segment_by attribute(s) {', '.join(gone)} not in the customers or prospects data; "
                 "left out")
    if not attrs:
        attrs = ["value_group"] if "value_group" in cust.columns else ["frequency_band"]
        ctx.note(f"targeting: no segmenting attribute available; segments by {attrs[0]} instead (add sector and "
                 "size_class to the customers file for the default sector × size class)")
    if pros is not None:
        only_c = [a for a in attrs if a not in pros.columns]
        if only_c:
            ctx.note(f"targeting: prospects have no {', '.join(only_c)}, so they are all in '{UNKNOWN}'")
    return attrs


def _prospect_source(ctx: RunContext) -> pa.Table | None:
    """The prospects table of the run (segments' look-alike list) or of the data set, one row per prospect."""
    t = ctx.tables.get("prospects")
    if t is None:
        p = ctx.dataset.get("prospects")
        if p is None:
            return None
        t = p
    data = t.to_pyarrow() if isinstance(t, ibis.Table) else t
    drop = [c for c in data.column_names if c in ("target_segment", "target_focus", "attractiveness", "likelihood")
            or c.startswith("like_")]
    return data.drop_columns(drop) if drop else data


# ---------------------------------------------------------------------------------------------------------------
# the analysis
# ---------------------------------------------------------------------------------------------------------------
def segment(ctx: RunContext) -> None:
    """Define the segments and measure them (what no weight, score or focus choice changes): the customers'
    ``target_segment`` and the prospects', the measured criteria (``targeting_criteria``), the alarm signals but the
    account managers' load, ``churn_drivers`` and ``lead_channels``; summary ``segmenting``. :func:`run` then scores
    and chooses: a change of the weights computes only that step again."""
    cfg: TargetingConfig = ctx.config.targeting
    cust = add_bands(ctx.customers, cfg.frequency_cuts, cfg.order_size_cuts)
    source = _prospect_source(ctx)
    if source is None:
        ctx.note("targeting: no prospects table, so prospects.csv is empty and the segments hold customers only")
    pros = None
    if source is not None:
        pros = _ws(ctx, "prospects", source.append_column("_sf_row", pa.array(np.arange(source.num_rows))))
        pros = add_bands(pros, cfg.frequency_cuts, cfg.order_size_cuts)
    attrs = _attributes(ctx, cfg, cust, pros)
    if "main_product_group" in attrs and "main_product_group" not in cust.columns:
        mpg = _ws(ctx, "mpg", main_product_group(_product_groups(ctx)))
        cust = cust.left_join(mpg, "customer_id").drop("customer_id_right")
    definition = SegmentDefinition(attrs, cfg.min_segment_size).fit(cust, pros)
    if definition.pooled_note:
        ctx.note(definition.pooled_note)
    # the segment (the attributes joined, small combinations pooled) made once, with what the measures below read:
    # computed where it is read, each of its four reads scanned the customer table (Arrow, one thread) again
    cust_seg = definition.assign(cust)
    ctx.workspace.write(_TMP + "cust_seg", cust_seg.select(*[c for c in ("customer_id", "target_segment", *_READ)
                                                               if c in cust_seg.columns]).order_by("customer_id"),
                        temp=True)
    cust_seg = ctx.workspace.table(_TMP + "cust_seg")
    pros_seg = None
    if pros is not None:  # by the engine: the prospects' columns came in as Arrow, no sum of its own to retype
        ctx.workspace.write(_TMP + "prospects_seg", definition.assign(pros), temp=True)
        pros_seg = ctx.workspace.table(_TMP + "prospects_seg")

    history, with_hist = _history(ctx, cust_seg)
    c_agg = segment_aggregates(with_hist).to_pandas()
    p_agg = prospect_aggregates(pros_seg).to_pandas() if pros_seg is not None else None
    leads_pd, l_agg = _leads(ctx, cust_seg, pros_seg)
    n_groups = _n_groups(ctx)
    crit = measured_criteria(c_agg, p_agg, l_agg, segments=definition.segments_, n_groups=n_groups,
                             win_rate_prior=cfg.win_rate_prior)
    _measured_notes(ctx, crit, cust)

    ctx.add_customer_columns(cust_seg.select("customer_id", "target_segment"))
    if source is not None:
        seg = pros_seg.order_by("_sf_row").select("target_segment").to_pyarrow().column(0)
        ctx.tables["prospects"] = source.append_column("target_segment", seg.cast(pa.string()))
    # unrounded, so the app can score again with other weights exactly as this run did (targeting.scoring)
    ctx.tables["targeting_criteria"] = pa.Table.from_pandas(crit.reset_index(names="segment"), preserve_index=False)
    signals = _signals(ctx, cfg, _customer_frame(ctx), history, leads_pd, attrs)
    ctx.summary["segmenting"] = {"segment_by": attrs, "pooled": definition.pooled_,
                                 "signals": [a.to_dict() for a in signals]}
    for name in ("history", "cust_seg", "prospects", "prospects_seg", "mpg", "leads"):  # memory back to the engine
        ctx.workspace.raw.execute(f'DROP TABLE IF EXISTS "{_TMP}{name}"')


def run(ctx: RunContext) -> None:
    """Score the segments :func:`segment` measured and choose the focus; test them; the last alarm signal (the
    account managers' load, which counts focus customers); fill ``ctx``."""
    cfg: TargetingConfig = ctx.config.targeting
    segmenting = ctx.summary["segmenting"]
    measured = ctx.tables["targeting_criteria"]
    crit = measured.to_pandas().set_index("segment")
    aw, lw, scores = _judged(ctx, cfg, crit.index)
    for c in scores.columns:
        crit[c] = scores[c].reindex(crit.index)
    scored = score_segments(crit, cfg, aw, lw)
    portfolio = scored.portfolio
    for n in scored.notes:
        ctx.note(n)
    if portfolio.focus_ and len(portfolio.focus_) >= int(portfolio.eligible_.sum()) and not cfg.focus:
        ctx.note(f"targeting: every eligible segment is a focus segment ({len(portfolio.focus_)}); choose fewer "
                 "(targeting.focus_count) or segment more finely (targeting.segment_by) to make focus mean something")
    if portfolio.unknown_focus_:
        ctx.note(f"targeting: focus segment(s) {', '.join(portfolio.unknown_focus_)} do not exist in this run")
    for c, why in portfolio.left_out_.items():
        ctx.note(f"targeting: criterion {c} left out of the scores ({why}); the other weights are renormalised")

    focus = portfolio.focus_
    cust = ctx.customers
    ctx.add_customer_columns(cust.select("customer_id", target_focus=cust.target_segment.isin(focus or [""])))
    cust_pd = _customer_frame(ctx)
    source = ctx.tables.get("prospects")  # with the segments :func:`segment` gave them
    pros_pd = source.to_pandas() if source is not None else None
    checks, seg_q = quality_checks(cust_pd, crit, focus, cfg.quality, pros_pd)

    table = _segments_table(crit, scored, seg_q, scores.columns.tolist())
    ctx.tables["segments"] = pa.Table.from_pandas(table, preserve_index=False)
    for c in scores.columns:  # the judged scores beside the measured criteria
        measured = measured.append_column(c, pa.Array.from_pandas(crit[c].astype("float64")))  # NaN: null
    ctx.tables["targeting_criteria"] = measured
    ctx.tables["targeting_scores"] = pa.Table.from_pandas(
        scoring_sheet(crit, portfolio.judged, scores, [c for c in MEASURED if c in crit]), preserve_index=False)
    weights = portfolio.weights_table()
    ctx.tables["targeting_weights"] = pa.Table.from_pandas(weights, preserve_index=False)
    ctx.tables["segment_quality"] = pa.Table.from_pandas(checks.astype({"passed": "object"}), preserve_index=False)
    ctx.tables["prospects"] = _prospects_out(source, pros_pd, portfolio, focus)

    load, load_t = al.customers_per_manager(cust_pd, cfg.alarms)
    if load_t is not None:
        ctx.tables["account_manager_load"] = pa.Table.from_pandas(_round(load_t), preserve_index=False)
    ctx.summary["alarms"] = [*segmenting["signals"], load.to_dict()]
    ctx.tables["alarms"] = pa.Table.from_pandas(pd.DataFrame(ctx.summary["alarms"]), preserve_index=False)
    ctx.summary["targeting"] = _summary(cfg, segmenting, portfolio, table, checks, aw, lw)


# ---------------------------------------------------------------------------------------------------------------
_DATES = ("first_order", "last_order", "status", "acquired_date")
_PER_SEGMENT = ("revenue", "orders", "tenure_days", "gross_margin", "net_profit", "product_groups", "clv",
                "lookalike_score")
_READ = (*_DATES, *_PER_SEGMENT)
"""The customer columns the segments' measures read beside the segment: the window counts' dates and the sums."""

HISTORY = "_history_windows"
"""Workspace table of the last run's per-customer window counts, with their key (``_key``): a re-analysis whose
customers' first and last orders and status, data and analysis date are those of that run takes them instead of
counting again (the A/B/C threshold, the segments' attributes, an answer: at 10M lines about 3 s)."""


_KEYED = ("customer_id", "first_order", "last_order", "status")
"""The customer columns the window counts read (and their key hashes)."""


def prepare(ctx: RunContext) -> tuple[str | None, dict[str, pa.ChunkedArray]]:
    """The window counts :func:`segment` reads, counted while the steps before it run (on a connection of its own:
    :data:`salesfocus.pipeline.PREPARE`): they read only the data set and the customers' first and last orders and
    status, which stage 1 gives and no step changes (10M order lines: about 1.3 CPU-s, at a time the steps before
    leave a core idle). Returns the key they are kept under (None when there is none: :func:`segment` counts them
    itself then) and the customer columns they were counted from."""
    key = _history_key(ctx, ctx.customers)
    if key is not None:
        _count(ctx, ctx.customers, key)
    table = ctx.customer_table()
    return key, {c: table.column(c) for c in _KEYED if c in table.column_names}


def _count(ctx: RunContext, cust: ibis.Table, key: str | None) -> None:
    """Count the windows of ``cust``'s customers into :data:`HISTORY` under ``key``, unless it holds them already for
    a re-analysis."""
    ds, ws = ctx.dataset, ctx.workspace
    if key is not None and ctx.reuse_fits and _holds(ws, key):
        return
    windows = window_dates(cust.select(*_KEYED), ds.as_of)
    counts = window_measures(windows, ds.as_of, order_lines=ds.get("order_lines"), order_table=_orders(ctx),
                             activities=ds.get("activities"), invoices=ds.get("invoices"))
    # written by the engine directly (no trip through Arrow): every column already has the type Ibis gives it
    ws.write(HISTORY, counts.mutate(_key=ibis.literal(key or "", "string")))


def _history(ctx: RunContext, cust_seg: ibis.Table) -> tuple[pd.DataFrame, ibis.Table]:
    """Per-customer window counts (order lines, activities, invoices) with the customer's dates, as a frame for
    the alarms; and as a temporary table that also carries what :func:`segment_aggregates` reads.

    The counts are one query on the engine (the windows are set there too, no round trip through pandas), kept in
    :data:`HISTORY` for the next re-analysis with the same key (:func:`_history_key`); those :func:`prepare` counted
    for this run are taken when they are of these customers' dates."""
    ws = ctx.workspace
    dates = ["customer_id", *[c for c in _DATES if c in cust_seg.columns]]
    per_segment = [c for c in ("target_segment", *_PER_SEGMENT) if c in cust_seg.columns]
    keep = tuple(dict.fromkeys(dates[1:] + per_segment))
    prepared = ctx.prepared.pop("target_segments", None)
    key, counted = prepared.result() if prepared is not None else (None, {})
    table = ctx.customer_table()
    # counted from the very columns the customer table still has: the key is the same without hashing them again
    if key is None or [c for c in _KEYED if c in table.column_names] != list(counted) or not all(
            same_data(col, table.column(c)) for c, col in counted.items()):
        _count(ctx, cust_seg, key := _history_key(ctx, cust_seg))
    counts = ws.table(HISTORY).drop("_key")
    with_keep = cust_seg.select("customer_id", *keep).left_join(counts, "customer_id").drop("customer_id_right")
    ws.write(_TMP + "history", with_keep, temp=True)
    hist_t = ws.table(_TMP + "history")
    names = [c for c in counts.columns if c != "customer_id"]
    history = hist_t.select(*dates, *names).order_by("customer_id").to_pandas()
    history["customer_id"] = history.customer_id.astype(str)
    return history, hist_t


def _history_key(ctx: RunContext, cust_seg: ibis.Table) -> str | None:
    """What the window counts read, as one hash: the code, the workspace's import (None without one: not kept),
    the analysis date, the tables present and every customer's first and last order and status."""
    data = ctx.workspace.import_id()
    if data is None:
        return None
    from salesfocus.model.provenance import code_fingerprint

    h = hashlib.sha256(json.dumps([code_fingerprint(), data, ctx.dataset.as_of.isoformat(),
                                   [t for t in ("activities", "invoices") if ctx.dataset.get(t) is not None],
                                   _orders(ctx) is not None]).encode())
    inputs = cust_seg.select(*_KEYED).order_by("customer_id")
    sink = pa.BufferOutputStream()  # the values as Arrow's stream format writes them: types, lengths, nulls, data
    table = inputs.to_pyarrow().combine_chunks()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    h.update(sink.getvalue())
    return h.hexdigest()


def _holds(ws: Any, key: str) -> bool:
    """Whether the workspace's kept window counts are those of ``key``."""
    if not ws.has_table(HISTORY):
        return False
    row = ws.raw.execute(f'SELECT _key FROM "{HISTORY}" LIMIT 1').fetchone()
    return row is not None and row[0] == key


def _orders(ctx: RunContext) -> ibis.Table | None:
    """The orders table the run keeps in a DuckDB workspace (one row per order), when it is there."""
    ws = ctx.workspace
    need = {"customer_id", "order_id", "order_date", "revenue", "cost", "cost_lines", "lines", "return_lines"}
    if not ws.has_table("orders"):
        return None
    t = ws.table("orders")
    return t if need <= set(t.columns) else None


def _leads(ctx: RunContext, cust_seg: ibis.Table, pros_seg: ibis.Table | None) -> tuple[pd.DataFrame | None,
                                                                                        pd.DataFrame | None]:
    leads = ctx.dataset.get("leads")
    if leads is None:
        ctx.note("targeting: no leads table, so win rate and sales cycle per segment are unknown (left out) and the "
                 "conversion, buying-process and channel alarms say unknown")
        return None, None
    lt = _ws(ctx, "leads", leads)
    agg = lead_aggregates(lt, cust_seg.select("customer_id", "target_segment"),
                          pros_seg.select("prospect_id", "target_segment") if pros_seg is not None else None)
    # only what the lead signals read: pandas' conversion of the amounts (decimals) took most of the time
    return lt.select(*(al.lead_columns(lt.columns) or lt.columns)).to_pandas(), agg.to_pandas()


def _product_groups(ctx: RunContext) -> ibis.Table | None:
    """Revenue per customer and product group: the compact table the run keeps (also on Spark), else the lines."""
    cg = ctx.dataset.get("customer_groups")
    return cg if cg is not None else ctx.dataset.get("order_lines")


def _n_groups(ctx: RunContext) -> int | None:
    ol = _product_groups(ctx)
    if ol is None or "product_group" not in ol.columns:
        return None
    return int(_scalar(ol.product_group.nunique()) or 0) or None


def _measured_notes(ctx: RunContext, crit: pd.DataFrame, cust: ibis.Table) -> None:
    if "clv" not in cust.columns:
        ctx.note("targeting: no predicted CLV (prediction has not run), so customer_value is left out")
    if crit.retention.isna().all():
        ctx.note("targeting: no customers ordering in the year before last, so retention per segment is unknown")


def _judged(ctx: RunContext, cfg: TargetingConfig, segments: pd.Index) -> tuple[dict, dict, pd.DataFrame]:
    aw, lw = dict(cfg.attractiveness_weights), dict(cfg.likelihood_weights)
    judged = [c for c in dict.fromkeys([*aw, *lw]) if c not in MEASURED]
    scores = scores_frame(cfg.scores, judged)
    if cfg.scores_file:
        sheet, weights = read_scores(cfg.scores_file)
        if weights:
            aw.update(weights.get("attractiveness", {}))
            lw.update(weights.get("likelihood", {}))
            judged = [c for c in dict.fromkeys([*aw, *lw]) if c not in MEASURED]
        from_file = sheet.reindex(columns=[c for c in judged if c in sheet.columns])
        scores = from_file.combine_first(scores).reindex(columns=judged).astype("float64")
        check_scores(scores, f"scoring sheet {cfg.scores_file}")
    stray = [s for s in scores.index if s not in segments and scores.loc[s].notna().any()]
    if stray:
        ctx.note(f"targeting: scores for unknown segment(s) {', '.join(map(str, stray[:5]))} are ignored")
    scored = [c for c in judged if c in scores and scores[c].reindex(segments).notna().any()]
    partly = [c for c in scored if scores[c].reindex(segments).isna().any()]
    if partly:
        ctx.note(f"targeting: judged criteria {', '.join(partly)} are scored for some segments only; where unscored "
                 "they are left out of that segment's score")
    return aw, lw, scores.reindex(segments)


def _customer_frame(ctx: RunContext) -> pd.DataFrame:
    c = ctx.customers
    want = ["customer_id", "target_segment", "target_focus", "revenue", "orders", "tenure_days", "margin_pct",
            "net_profit", "status", "account_manager", "value_group", "abc_segment", "pyramid_level",
            *_PROFILE, *CONTACT_COLUMNS]
    cols = [x for x in dict.fromkeys(want) if x in c.columns]
    # money as float64: converting DECIMAL cells to Python decimals one by one is slow on large bases
    return c.select(*[c[x].cast("float64").name(x) if c[x].type().is_decimal() else c[x] for x in cols]).to_pandas()


def _round(frame: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    num = frame.select_dtypes(include="float").columns
    frame[num] = frame[num].round(digits)
    return frame


def _segments_table(crit: pd.DataFrame, scored: ScoredSegments, seg_q: pd.DataFrame,
                    judged_cols: list[str]) -> pd.DataFrame:
    t = portfolio_table(scored).join(seg_q)
    t = t.join(crit.drop(columns=[c for c in crit.columns if c in t.columns]))
    t = t.reset_index(names="segment")
    t = _round(t)
    contrib = [c for c in t.columns if c.startswith(PREFIX["attractiveness"])] + \
              [c for c in t.columns if c.startswith(PREFIX["likelihood"])]
    measured = [c for c in t.columns if c not in SEGMENT_COLUMNS and c not in contrib and c not in judged_cols]
    t = t[[c for c in SEGMENT_COLUMNS if c in t.columns] + measured + judged_cols + contrib]
    return t.sort_values(["rank", "segment"]).reset_index(drop=True)


def _prospects_out(source: pa.Table | None, pros_pd: pd.DataFrame | None, portfolio: Portfolio,
                   focus: list[str]) -> pa.Table:
    if source is None or pros_pd is None:
        return pa.table({"prospect_id": pa.array([], pa.string()), "target_segment": pa.array([], pa.string()),
                         "target_focus": pa.array([], pa.bool_()), "attractiveness": pa.array([], pa.float64()),
                         "likelihood": pa.array([], pa.float64())})
    seg = pros_pd.target_segment.astype(str)
    own = {"lookalike": pros_pd.lookalike_score} if "lookalike_score" in pros_pd else None
    _, contrib = portfolio.score_rows(seg, own, axis="likelihood")
    contrib = contrib.round(4)
    attr = portfolio.table_.attractiveness.reindex(seg.to_numpy()).to_numpy()
    out = source  # with its target_segment (:func:`segment`)
    out = out.append_column("target_focus", pa.array(seg.isin(focus).to_numpy(), pa.bool_()))
    out = out.append_column("attractiveness", pa.array(np.round(attr, 4), pa.float64()))
    out = out.append_column("likelihood", pa.array(contrib.sum(axis=1, min_count=1).round(4).to_numpy(), pa.float64()))
    for c in contrib.columns:
        out = out.append_column(PREFIX["likelihood"] + c, pa.array(contrib[c].to_numpy(), pa.float64()))
    return out


def _signals(ctx: RunContext, cfg: TargetingConfig, cust: pd.DataFrame, history: pd.DataFrame,
             leads: pd.DataFrame | None, attrs: list[str]) -> list[al.Alarm]:
    """The alarm signals but the last (the account managers' load, :func:`run`), with their tables."""
    a = cfg.alarms
    as_of = ctx.dataset.as_of
    start = ctx.summary.get("period_start")
    period_start = dt.date.fromisoformat(start) if start else pd.to_datetime(history.first_order).min().date()
    out = [al.new_customers_lost(history, as_of, period_start, a), al.conversion(leads, a),
           al.buying_process_known(leads, a)]
    ch, channels = al.channels_known(leads, a)
    out.append(ch)
    out.append(al.profile_strength(cust, [*_PROFILE, *[x for x in attrs if x not in DERIVED_ATTRIBUTES]], a))
    drivers = al.churn_drivers(history, as_of, period_start, a.min_cases)
    missing = [t for t in ("activities", "invoices") if ctx.dataset.get(t) is None]
    if missing:
        missing = [f"no {t} table ({'complaints, tickets' if t == 'activities' else 'late payment'})" for t in missing]
    out.append(al.churn_explained(drivers, a, missing))
    ctx.tables["churn_drivers"] = pa.Table.from_pandas(_round(drivers), preserve_index=False)
    if channels is not None:
        ctx.tables["lead_channels"] = pa.Table.from_pandas(_round(channels), preserve_index=False)
    return out


def _summary(cfg: TargetingConfig, segmenting: dict[str, Any], portfolio: Portfolio, table: pd.DataFrame,
             checks: pd.DataFrame, aw: dict, lw: dict) -> dict[str, Any]:
    f = table[table.focus]
    focus = [{"segment": r.segment, "attractiveness": r.attractiveness, "likelihood": r.likelihood,
              "stability": None if pd.isna(r.stability) else round(float(r.stability), 3),
              "customers": int(r.customers), "prospects": int(r.prospects), "reason": r.reason}
             for r in f.itertuples()]
    return {
        "segment_by": segmenting["segment_by"],
        "segments": int(len(table)),
        "min_segment_size": cfg.min_segment_size,
        "pooled": segmenting["pooled"],
        "weights": {"attractiveness": aw, "likelihood": lw},
        "left_out": portfolio.left_out_,
        "focus_rule": "user" if cfg.focus else f"top {cfg.focus_count} on the {cfg.combine} of both scores",
        "focus_segments": list(f.segment),
        "focus": focus,
        "stability": {"draws": cfg.stability.draws, "spread": cfg.stability.spread, "seed": cfg.stability.seed},
        "quality": checks.replace({np.nan: None}).to_dict(orient="records"),
    }
