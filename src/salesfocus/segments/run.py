"""The segments analysis of a run: A/B/C, A–D, policy, value matrix, profile, look-alikes and clusters.

Called by the pipeline with its run context. Small per-customer inputs that live on the engine
(latest assessments, decision days from the leads, prospects) are reduced there and brought into the
workspace; everything else is Ibis over the per-customer table in the workspace. Outputs:

- customer columns: the criteria answers with their source, ``abc_segment``, ``abcd_segment``, ``value_cell``,
  ``value_group``, ``contact_model``, ``lookalike_score``, ``cluster`` and more (see docs/segments.md);
- tables ``abc_matrix``, ``abc_top``, ``value_matrix``, ``segment_policy``, ``top_group_profile``,
  ``clusters`` and ``prospects``;
- summary ``abc_segments``, ``abcd_segments``, ``value_groups``, ``value_cells`` and ``segments``.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from salesfocus.config import SegmentsConfig
from salesfocus.segments.abc import ABCSegmentation
from salesfocus.segments.abcd import ABCDSegmentation
from salesfocus.segments.base import with_annual_figures
from salesfocus.segments.clusters import FEATURES, BehaviourClusters
from salesfocus.segments.criteria import (
    ABC_CRITERIA,
    ABCD_CRITERIA,
    EVIDENCE,
    Criteria,
    decision_days,
    latest_assessments,
)
from salesfocus.segments.lookalike import LookalikeModel
from salesfocus.segments.policy import SegmentPolicy
from salesfocus.segments.value_matrix import VALUE_GROUPS, ValueMatrixSegmentation

if TYPE_CHECKING:
    from salesfocus.model import RunContext

__all__ = ["run", "CUSTOMER_COLUMNS"]

_ANSWERS = tuple(dict.fromkeys((*ABC_CRITERIA, *ABCD_CRITERIA)))
CUSTOMER_COLUMNS = (
    "annual_revenue", "annual_margin", "annual_orders", "abc_potential", "abc_potential_source", "abc_value",
    "abc_size", *(f"{q}_{s}" for q in _ANSWERS for s in ("yes", "source")), "network_score", "criteria_yes",
    "abc_segment", "abc_reasons", "criteria5_yes", "abcd_segment", "abcd_reasons", "nps", "margin_code",
    "frequency_code", "satisfaction_code", "satisfaction_source", "value_cell", "value_group", "contact_model",
    "visit_target", "lookalike_score", "cluster",
)
_TMP = "_sf_seg_"


def _bring(ctx: RunContext, name: str, expr: ibis.Table) -> ibis.Table:
    """Run a small reduction on the engine and keep its result as a temporary workspace table."""
    ctx.workspace.write(_TMP + name, expr.to_pyarrow(), temp=True)
    return ctx.workspace.table(_TMP + name)


def _inputs(ctx: RunContext) -> tuple[ibis.Table | None, ibis.Table | None, ibis.Table | None]:
    ds = ctx.dataset
    a = ds.get("assessments")
    assessments = _bring(ctx, "assessments", latest_assessments(a)) if a is not None else None
    if a is None:
        ctx.note("no assessments table: innovation and network are unanswered (no), potential and NPS unknown")
    leads = ds.get("leads")
    need = {"customer_id", "quote_date", "closed_date", "stage"}
    decisions = (_bring(ctx, "decisions", decision_days(leads))
                 if leads is not None and need <= set(leads.columns) else None)
    # the run's customer_years is the import's compact table: on DuckDB read where the workspace keeps it (a
    # re-analysis would otherwise read the last run's copy into Arrow first: 0.4 s at 200,000 customers); on
    # another engine the run's Arrow, read in place
    years_t = ds.get("customer_years") if ctx.summary.get("engine", "duckdb") == "duckdb" else None
    years = ctx.tables.get("customer_years") if years_t is None else None
    if years is not None:
        years_t = ibis.memtable(years.to_pyarrow() if isinstance(years, ibis.Table) else years)
    return assessments, decisions, years_t


def _constants(*tables: ibis.Table) -> list[ibis.Table]:
    """The one-row tables (cut-offs, boundary, questions answerable) run together, in one query, as a memtable.

    The segmenters then read them as constants: a per-customer query that aggregated over itself would join
    the whole table to itself once per segmenter (at 200,000 customers that cost about a second)."""
    names: list[str] = []
    one = None
    for i, t in enumerate(tables):
        t = t.rename({f"_c{i}{c}": c for c in t.columns})
        names.append(t.columns)
        one = t if one is None else one.cross_join(t)
    row = one.to_pyarrow()
    return [ibis.memtable(row.select(list(cols)).rename_columns([c[len(f"_c{i}"):] for c in cols]))
            for i, cols in enumerate(names)]


def run(ctx: RunContext) -> None:
    """Segment every customer, score the prospects, and add the tables, columns and figures to the run."""
    cfg: SegmentsConfig = ctx.config.segments
    ws = ctx.workspace
    assessments, decisions, years_t = _inputs(ctx)
    criteria = Criteria(cfg.criteria, ctx.config.cost_rates)
    abc_seg = ABCSegmentation(cfg.abc)
    abcd_seg = ABCDSegmentation(cfg.abcd)
    vm_seg = ValueMatrixSegmentation(cfg.value_matrix)
    policy = SegmentPolicy(cfg.policy)
    # One temporary table of just the columns the segmenters and the outputs below read: the customer
    # table (Arrow, the engine reads only the columns it needs) with the annual figures and the answers.
    feats = criteria.extend(with_annual_figures(ctx.customers, years_t, as_of=ctx.dataset.as_of, years=cfg.years),
                            assessments, decisions)
    keep = dict.fromkeys((*CUSTOMER_COLUMNS, *EVIDENCE, *cfg.profile.attributes, "name", "sector", "region",
                          *FEATURES, "revenue", "net_profit", "visits", "visit_hours", "visits_per_year", "status",
                          *abc_seg.required, *abcd_seg.required, *vm_seg.required, *policy.required))
    # in the customer table's order (the joins above lose it), so the customer columns below come out aligned and
    # need no sort; sorted here rather than the wider segments table, whose query (one-row constants crossed in)
    # keeps the order
    ws.write(_TMP + "feats", feats.select(*[c for c in keep if c in feats.columns]).order_by("customer_id"), temp=True)
    feats = ws.table(_TMP + "feats")
    abc_c, abcd_c, cuts = _constants(abc_seg.constants(feats), abcd_seg.constants(feats), vm_seg.cuts(feats))
    ws.write(_TMP + "seg", vm_seg.extend(abcd_seg.extend(abc_seg.extend(feats, abc_c), abcd_c), cuts), temp=True)
    ws.raw.execute(f'DROP TABLE IF EXISTS "{_TMP}feats"')
    core = ws.table(_TMP + "seg")

    prof_group, in_group = _profile_group(core, ctx)
    look = LookalikeModel(cfg.profile).fit(core, in_group)
    fitting = _clusters(ctx, cfg, core)  # fitted on a side thread while the columns and tables below are made
    # the per-customer columns in one query over the segments table (no join back to it), in its order
    # the score only: the customers' look-alike reasons are in no output (the prospects' are)
    seg = look.extend(policy.extend(core), "customer_id", reasons=False)
    if fitting is None:
        seg = seg.mutate(cluster=ibis.null("int64"))
    # the reasons in words are built once, here, for the customers that are written out
    seg = criteria.explain(seg)
    seg = seg.mutate(abc_reasons=ABCSegmentation.reasons(seg), abcd_reasons=ABCDSegmentation.reasons(seg))
    ctx.add_customer_columns(seg.select("customer_id", *[c for c in CUSTOMER_COLUMNS if c in seg.columns]))

    ctx.tables["abc_matrix"] = ABCSegmentation.matrix(core, core).to_pyarrow()
    if cfg.abc.top_n > 0:
        extra = [c for c in ("name", "sector", "region") if c in core.columns]
        top = abc_seg.top_n(core, cfg.abc.top_n, extra, explain=criteria.explain)
        top = top.join(core.select("customer_id", abc_segment_base="abc_segment"), "customer_id")
        ctx.tables["abc_top"] = top.order_by("rank").to_pyarrow()
    ctx.tables["value_matrix"] = ValueMatrixSegmentation.matrix(core.select("customer_id", *vm_seg.columns),
                                                                core).to_pyarrow()
    pol = policy.build(core)
    ctx.tables["segment_policy"] = policy.summarise(pol).to_pyarrow()
    profile = look.profile_table()
    profile.insert(0, "group", prof_group)
    ctx.tables["top_group_profile"] = pa.Table.from_pandas(profile, preserve_index=False)
    _prospects(ctx, look)
    clusters = fitting.result() if fitting is not None else None
    if clusters is not None:  # last of CUSTOMER_COLUMNS, so added last: the labels are already in customer order
        ctx.add_customer_columns(clusters[0])
        ctx.tables["clusters"] = pa.Table.from_pandas(clusters[1].summary_, preserve_index=False)
        _keep_fit(ctx, clusters[1], clusters[2])
    _summary(ctx, cfg, abc_seg, core, prof_group, look, clusters[1] if clusters else None)
    for name in ("seg", "clusters", "years", "assessments", "decisions", "prospects"):  # memory back to the engine
        ws.raw.execute(f'DROP TABLE IF EXISTS "{_TMP}{name}"')


def _profile_group(seg: ibis.Table, ctx: RunContext) -> tuple[str, ibis.Column]:
    """The value matrix' top group; with fewer than 5 members (no NPS data) the A segment instead."""
    n_top = seg.filter(seg.value_group == "top").count().to_pyarrow().as_py()
    if n_top >= 5:
        return "top", seg.value_group == "top"
    ctx.note(f"value-matrix top group has {n_top} customers: the profile and look-alikes use the A segment")
    return "A", seg.abc_segment == "A"


CLUSTER_FITS = "_cluster_fits"
"""Workspace table of the behaviour clusters' fit of the last run (key, fit as JSON): a re-analysis whose change
leaves the behaviour alone (an A/B/C threshold, the value matrix, the policy, the answers) takes it instead of fitting
k-means again (:meth:`BehaviourClusters.key`)."""


def _clusters(ctx: RunContext, cfg: SegmentsConfig, seg: ibis.Table
              ) -> Future[tuple[ibis.Table, BehaviourClusters, str]] | None:
    """The behaviour clusters (labels by customer, the model and its key), fitted on a thread of their own.

    k-means and the silhouettes run mostly in compiled code outside the GIL, so the fit (about 0.5 s at 200,000
    customers, more on a busy machine) happens beside the engine's queries and the Python of the rest of the
    analysis. A re-analysis (``ctx.reuse_fits``) takes the last run's fit when its key is this frame's.
    """
    if not cfg.clusters.enabled:
        return None
    cols = [*[f for f in FEATURES if f in seg.columns], *[m for m in ("revenue", "net_profit") if m in seg.columns]]
    frame = seg.select("customer_id", **{c: seg[c].cast("float64") for c in cols}).order_by("customer_id").to_pandas()
    ws = ctx.workspace
    known = ({k: v for k, v in ws.raw.execute(f'SELECT key, fit FROM "{CLUSTER_FITS}"').fetchall()}
             if ctx.reuse_fits and ws.has_table(CLUSTER_FITS) else {})

    def fit() -> tuple[ibis.Table, BehaviourClusters, str]:
        model = BehaviourClusters(cfg.clusters)
        key = model.key(frame)
        if key in known:
            model.restore(frame, json.loads(known[key]))
        else:
            model.fit(frame)
        labels = pa.table({"customer_id": frame.customer_id.astype(str).to_numpy(),
                           "cluster": model.labels_.astype("int64")})
        return ibis.memtable(labels), model, key

    side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sf-clusters")
    try:
        return side.submit(fit)
    finally:
        side.shutdown(wait=False)  # its thread ends after the fit


def _keep_fit(ctx: RunContext, model: BehaviourClusters, key: str) -> None:
    """Leave the fit in the workspace for the next re-analysis (``analyze`` too: it fits anew, and leaves it)."""
    ctx.workspace.write(CLUSTER_FITS, pa.table({"key": [key], "fit": [json.dumps(model.fitted())]}))


def _prospects(ctx: RunContext, look: LookalikeModel) -> None:
    p = ctx.dataset.get("prospects")
    if p is None:
        ctx.note("no prospects table: no look-alike prospect list")
        return
    pt = _bring(ctx, "prospects", p.drop(*[c for c in p.columns if c.startswith("_")]))
    scored = look.score(pt, "prospect_id")
    t = pt.join(scored, "prospect_id")
    t = t.mutate(lookalike_rank=ibis.row_number().over(
        order_by=[t.lookalike_score.desc(nulls_first=False), t.prospect_id]) + 1)
    ctx.tables["prospects"] = t.order_by("lookalike_rank").to_pyarrow()


def _counts(t: pa.Table, col: str, keys: tuple[str, ...] = ()) -> dict[str, int]:
    """Customers per value of a column of the customer table (Arrow: a dozen of these as queries cost 0.3 s)."""
    got = {str(r["values"]): int(r["counts"]) for r in pc.value_counts(t.column(col)).to_pylist()
           if r["values"] not in (None, "")}
    return {k: got.get(k, 0) for k in keys} | {k: v for k, v in sorted(got.items()) if k not in keys}


def _summary(ctx: RunContext, cfg: SegmentsConfig, abc_seg: ABCSegmentation, seg: ibis.Table, prof_group: str,
             look: LookalikeModel, clusters: BehaviourClusters | None) -> None:
    c = ctx.customer_table()
    ctx.summary["abc_segments"] = _counts(c, "abc_segment", ("A", "B", "C"))
    ctx.summary["abcd_segments"] = _counts(c, "abcd_segment", ("A", "B", "C", "D"))
    ctx.summary["value_groups"] = _counts(c, "value_group", VALUE_GROUPS)
    ctx.summary["value_cells"] = _counts(c, "value_cell")
    boundary = abc_seg.boundary(seg).to_pyarrow().as_py()
    src = {q: _counts(c, f"{q}_source") for q in _ANSWERS}
    prof = look.profile_table()
    top_traits = {}
    for a, g in prof.groupby("attribute"):
        g = g[(g.group_customers >= cfg.profile.min_count) & g.significant].sort_values("lift", ascending=False)
        top_traits[a] = [{"value": r.value, "lift": round(float(r.lift), 2), "group_share": round(float(r.group_share),
                                                                                                  3)}
                         for r in g.head(3).itertuples()]
    pol = ctx.tables["segment_policy"].to_pylist()
    info: dict[str, Any] = {
        "window_years": cfg.years,
        "abc_high_basis": cfg.abc.high_basis,
        "abc_high_boundary": None if boundary is None else round(float(boundary), 2),
        "potential_sources": _counts(c, "abc_potential_source"),
        "answer_sources": src,
        "nps_missing": int(pc.sum(pc.not_equal(c.column("satisfaction_source"), "data")).as_py() or 0),
        "profile_group": prof_group,
        "profile_group_customers": look.n_group_,
        "top_traits": top_traits,
        "policy_basis": cfg.policy.basis,
        "policy_hours_freed": round(sum(float(r["hours_freed"] or 0) for r in pol), 1),
    }
    if clusters is not None:
        info["clusters"] = {"k": clusters.k_, "silhouettes": {str(k): v for k, v in clusters.silhouettes_.items()},
                            "features": clusters.features_}
    if "prospects" in ctx.tables:
        info["prospects_scored"] = ctx.tables["prospects"].num_rows
    ctx.summary["segments"] = info
