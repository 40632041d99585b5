"""The periods analysis of a run: calendar, per-period levels, migration, retention, cohorts, goals, funnel.

``run(ctx)`` reduces the orders to one row per customer and period on the engine, brings that into the
workspace and computes everything else there as Ibis expressions. It stores the tables ``periods``,
``customer_periods``, ``migration``, ``migration_customers``, ``projection``, ``retention``, ``cohorts``,
``goals``, ``scorecard``, ``funnel`` and ``funnel_channels`` in the run (as Arrow, the two with a row per customer
and period made by the engine into the workspace; the steps in between are materialised as ``_sf_periods_*``), and
adds ``periods``, ``retention``, ``migration``, ``goals`` and ``funnel`` to the
summary. See ``docs/periods.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends.sql.datatypes import DuckDBType

from salesfocus.measures import orders as order_table
from salesfocus.model.context import Made
from salesfocus.periods.activity import (
    SEGMENT_INPUTS,
    customer_period_figures,
    first_periods,
    pairs,
    period_levels,
    period_segments,
)
from salesfocus.periods.calendar import Period, calendar, calendar_arrow, label, next_start
from salesfocus.periods.funnel import channel_value, funnel_gaps, funnel_table, prepare_leads
from salesfocus.periods.goals import GoalInputs, goal_table, scorecard
from salesfocus.periods.migration import (
    LOST,
    NEW,
    PROSPECT,
    REACTIVATED,
    markov_projection,
    migration_matrix,
    move_counts,
    moves,
)
from salesfocus.periods.retention import cohort_table, retention_table

if TYPE_CHECKING:
    from salesfocus.model import RunContext

__all__ = ["run", "TABLES"]

TABLES = ("periods", "customer_periods", "migration", "migration_customers", "projection", "retention", "cohorts",
          "goals", "scorecard", "funnel", "funnel_channels")
_TMP = "_sf_periods_"
_ABC = ["A", "B", "C"]


def _tmp(ctx: RunContext, name: str, expr: Any, *, engine: bool = False) -> ibis.Table:
    """Materialise in the workspace; ``engine``: an expression on the engine's tables, copied as Arrow when the
    engine is not the workspace's DuckDB."""
    if engine and isinstance(expr, ibis.Table) and ctx.summary.get("engine", "duckdb") != "duckdb":
        expr = expr.to_pyarrow()
    if not isinstance(expr, ibis.Table):
        ctx.workspace.write(_TMP + name, expr, temp=True)
        return ctx.workspace.table(_TMP + name)
    ctx.workspace.raw.execute(f'CREATE OR REPLACE TEMP TABLE "{_TMP}{name}" AS {_typed_sql(ctx, expr)}')
    return ctx.workspace.table(_TMP + name)


def _typed_sql(ctx: RunContext, expr: ibis.Table) -> str:
    """The SQL of ``expr`` with the types Ibis gives it where DuckDB's differ: DuckDB sums counts into HUGEINT and
    truncates dates to timestamps where Ibis expects int64 and date, and Ibis drops a cast to the type it expects,
    so the casts go on the query's own result types. Compiled once and wrapped as text (DuckDB binds it for the
    types): an Ibis table of the SQL would be compiled again, as much as the first time."""
    con, raw = ctx.workspace.con, ctx.workspace.raw
    con._run_pre_execute_hooks(expr)  # in-memory tables of the expression become visible to SQL
    sql = con.compile(expr)
    rel = raw.sql(sql)
    fix = [f'CAST("{c}" AS {DuckDBType.to_string(want)}) AS "{c}"'
           for c, ty, want in zip(rel.columns, rel.types, expr.schema().types, strict=True)
           if DuckDBType.from_string(str(ty)).copy(nullable=True) != want.copy(nullable=True)]
    return f"SELECT * REPLACE ({', '.join(fix)}) FROM ({sql})" if fix else sql


def _store(ctx: RunContext, name: str, expr: ibis.Table | pa.Table) -> pa.Table:
    """A result table of the run, as Arrow with the types Ibis gives (the run stores it from there)."""
    t = expr if isinstance(expr, pa.Table) else expr.to_pyarrow()
    ctx.tables[name] = t
    return t


def _make(ctx: RunContext, name: str, *parts: ibis.Table, enums: dict[str, list[str]] | None = None) -> None:
    """A result table with a row per customer and period, written by the engine into the workspace (the rows of
    ``parts`` one after the other) and held by the run by reference: never Arrow in the process, where at 50M order
    lines the migration list alone is 0.4 GiB made while the run holds everything else. ``enums``: the labels its
    text columns take (periods, levels), stored as ENUMs (:meth:`Workspace.make`)."""
    sqls = [_typed_sql(ctx, part) for part in parts]
    ctx.add_made(name, Made(ctx.workspace, ctx.workspace.make(name, *sqls, enums=enums)))


def _figures(ctx: RunContext) -> tuple[ibis.Table, list[Period], ibis.Table]:
    """Per customer and period figures with ``period_index`` and ``active``; the periods; the calendar table."""
    ds, kind = ctx.dataset, ctx.config.periods.period
    od = ds.get("orders")
    if od is None or not {"customer_id", "order_date", "revenue", "cost"} <= set(od.columns):
        od = order_table(ds.tables["order_lines"])
    raw = _tmp(ctx, "raw", customer_period_figures(od, kind, ds.as_of, has_cost=ds.has_cost), engine=True)
    first_day = raw.aggregate(d=raw.start.min()).to_pyarrow().column("d")[0].as_py()
    periods = calendar(first_day or ds.as_of, ds.as_of, kind)
    cal = _tmp(ctx, "calendar", calendar_arrow(periods, kind))
    f = raw.join(cal.select("start", "period_index"), "start")
    f = f.select("customer_id", "period_index", "revenue", "gross_margin", "orders",
                 active=f.orders >= ctx.config.customer_rule.min_orders)
    return _tmp(ctx, "base", f), periods, cal


def _segments(ctx: RunContext, base: ibis.Table, cal: ibis.Table) -> ibis.Table | None:
    missing = [c for c in SEGMENT_INPUTS if c not in ctx.customers.columns]
    if missing:
        ctx.note("periods: no A/B/C segments in this run, so migration and retention per segment use the "
                 "pyramid levels only (abc migration rows are left out)")
        return None
    ctx.note("periods: A/B/C per period uses each period's annualised revenue with today's potential and yes "
             "answers (the criteria are not measured per period), so an A/B/C move is a change in size")
    return period_segments(base, ctx.customers, ctx.config.segments.abc, cal)


def _converted(ctx: RunContext) -> ibis.Table | None:
    """Customers the prospects table knew before their first order (prospect → customer)."""
    p = ctx.dataset.get("prospects")
    if p is None or "customer_id" not in p.columns:
        return None
    cols = [c for c in ("customer_id", "status", "identified_date") if c in p.columns]
    p = _tmp(ctx, "prospects", p.select(*cols), engine=True)
    c = ctx.customers.select("customer_id", "first_order")
    j = p.filter(p.customer_id.notnull()).join(c, "customer_id")
    keep = ibis.literal(True)
    if "status" in j.columns:
        keep = ~j.status.lower().strip().isin(["ex-customer", "ex-klant"]).fill_null(False)
    if "identified_date" in j.columns:
        keep = keep & (j.identified_date.isnull() | (j.identified_date <= j.first_order))
    return j.filter(keep).select("customer_id").distinct()


def _pairs(ctx: RunContext, figures: ibis.Table, first: ibis.Table, n: int, carry: tuple[str, ...]) -> ibis.Table:
    cust = ctx.customers
    extra = {"_am": cust.account_manager.cast("string") if "account_manager" in cust.columns
             else ibis.null("string"),
             "_cts_per_order": (cust.cost_to_serve.cast("float64") / cust.orders.cast("float64").nullif(0.0))
             if {"cost_to_serve", "orders"} <= set(cust.columns) else ibis.null("float64")}
    pr = pairs(figures, first, n, carry)
    pr = pr.left_join(cust.select("customer_id", **extra), "customer_id").drop("customer_id_right")
    return _tmp(ctx, "pairs", pr)


def _migration(ctx: RunContext, pr: ibis.Table, cal: ibis.Table, periods: list[Period], levels: list[str],
               has_abc: bool) -> ibis.Table:
    """Store the migration tables and the projection; return the matrix' pyramid cells (for the summary)."""
    conv = _converted(ctx)
    dims = [("pyramid", "pyramid_level", levels)] + ([("abc", "abc_segment", _ABC)] if has_abc else [])
    mvs = {d: moves(pr, col, conv) for d, col, _ in dims}  # a filter of the pairs: cheaper again than stored
    matrix = _tmp(ctx, "matrix", ibis.union(*[migration_matrix(mvs[d], cal, d) for d, _, _ in dims]))
    out = ["dimension", "from_period", "to_period", "from_level", "to_level", "customers", "revenue_from",
           "revenue_to"]
    _store(ctx, "migration", matrix.order_by(_move_order(matrix, levels)).select(*out))
    prev = cal.select(_p=cal.period_index + 1, from_period="period")
    # one sort per dimension, the parts in the dimensions' order: cheaper than sorting their union on the
    # dimension first (10M: ~0.55 -> ~0.42 CPU-s)
    parts = []
    for d, _, _ in dims:
        who = mvs[d].mutate(dimension=ibis.literal(d))
        who = who.join(cal.select("period_index", to_period="period"), "period_index")
        who = who.join(prev, who.period_index == prev._p)
        parts.append(who.order_by([*_move_order(who, levels)[1:], who.customer_id]).select(
            *out[:5], "customer_id", *out[6:]))
    every = [*levels, *_ABC, NEW, PROSPECT, REACTIVATED, LOST, "unknown"]
    labels = [p.label for p in periods]
    _make(ctx, "migration_customers", *parts, enums={"dimension": [d for d, _, _ in dims], "from_period": labels,
                                                      "to_period": labels, "from_level": every, "to_level": every})
    _projection(ctx, matrix, periods, [(d, lv) for d, _, lv in dims])
    return matrix.filter(matrix.dimension == "pyramid")


def _move_order(t: ibis.Table, levels: list[str]) -> list[ibis.ir.Value]:
    """Pyramid before abc, periods in order, then the levels top down with the pseudo-levels last."""
    return [t.dimension != "pyramid", t.period_index, _rank(t.from_level, [*levels, *_ABC]),
            _rank(t.to_level, [*levels, *_ABC])]


def _rank(level: ibis.ir.StringValue, levels: list[str]) -> ibis.ir.IntegerValue:
    """Sort key: the levels top down, then new, prospect, reactivated and lost."""
    names = [*levels, NEW, PROSPECT, REACTIVATED, LOST]
    return ibis.cases(*[(level == n, i) for i, n in enumerate(names)], else_=len(names))


def _projection(ctx: RunContext, matrix: ibis.Table, periods: list[Period], dims: list[tuple[str, list[str]]]) -> None:
    complete = [p for p in periods if not p.partial]
    if not complete or complete[-1].index < 1:
        ctx.note("periods: fewer than two complete periods, so no projection of the next period")
        return
    basis = complete[-1]
    nxt = periods[basis.index + 1].label if basis.index + 1 < len(periods) else label(
        next_start(basis.start, ctx.config.periods.period), ctx.config.periods.period)
    parts = [markov_projection(matrix, d, lv, basis.index, nxt) for d, lv in dims]
    _store(ctx, "projection", ibis.union(*parts) if len(parts) > 1 else parts[0])


def _funnel(ctx: RunContext) -> None:
    leads = ctx.dataset.get("leads")
    if leads is None:
        ctx.note("periods: no leads table, so no lead funnel")
        return
    cols = [c for c in ("lead_id", "lead_date", "channel", "stage", "customer_id", "value", "quote_date",
                        "closed_date") if c in leads.columns]
    lt = _tmp(ctx, "leads", prepare_leads(_tmp(ctx, "leads_raw", leads.select(*cols), engine=True),
                                          ctx.config.periods.period, ctx.dataset.as_of))
    _store(ctx, "funnel", funnel_table(lt, ctx.config.periods.channel_groups))
    _store(ctx, "funnel_channels", channel_value(lt, ctx.customers))
    gaps = funnel_gaps(lt).to_pyarrow().to_pylist()[0]
    ctx.summary["funnel"] = {k: int(v or 0) for k, v in gaps.items()}
    said = {"no_channel": "have no channel (shown as 'unknown')",
            "quote_no_quote_date": "are quoted or won without a quote date (left out of median days to quote)",
            "won_no_closed_date": "are won without a closed date (left out of median days to won)",
            "lost_no_closed_date": "are lost without a closed date",
            "won_no_value": "are won without a value (value_won leaves them out)"}
    parts = [f"{gaps[k]:,} {v}" for k, v in said.items() if gaps.get(k)]
    if parts:
        ctx.note("funnel: of the " + f"{gaps['leads']:,} leads, " + "; ".join(parts))
    if gaps.get("unknown_stage"):
        ctx.note(f"funnel: {gaps['unknown_stage']:,} leads have a stage other than lead, not_sales_related, "
                 "quote, won or lost; they count as open leads")


def _summary(ctx: RunContext, retention: pa.Table, mv: ibis.Table, periods: list[Period], levels: list[str],
             goals: ibis.Table | None) -> None:
    last = periods[-1]
    ctx.summary["periods"] = {"period": ctx.config.periods.period, "count": len(periods),
                              "first": periods[0].label, "last": last.label, "last_partial": last.partial}
    r = retention.filter(pc.and_(pc.equal(retention["group_by"], "all"), pc.invert(retention["partial"])))
    rows = r.sort_by([("period", "descending")]).slice(0, 1).to_pylist()
    if rows:
        row = rows[0]
        ctx.summary["retention"] = {"period": row["period"], **{
            k: None if row[k] is None else round(row[k], 4)
            for k in ("customer_retention", "gross_revenue_retention", "net_revenue_retention")}}
    else:
        ctx.summary["retention"] = None
    if len(periods) >= 2:
        # from the matrix' cells: no second pass over every customer's move
        counts = move_counts(mv, levels, last.index, weight="customers").to_pyarrow().to_pylist()[0]
        ctx.summary["migration"] = {"from_period": periods[-2].label, "to_period": last.label,
                                    "partial": last.partial, **{k: int(v or 0) for k, v in counts.items()}}
    else:
        ctx.summary["migration"] = None
    if goals is not None:
        g = goals.aggregate(met=(goals.status == "met").sum(), total=goals.count()).to_pyarrow().to_pylist()[0]
        ctx.summary["goals"] = {"met": int(g["met"] or 0), "total": int(g["total"])}
    else:
        ctx.summary["goals"] = {"met": 0, "total": 0}


def prepare(ctx: RunContext) -> tuple[ibis.Table, list[Period], ibis.Table]:
    """What :func:`run` reads that the other analyses do not change: the figures per customer and period with their
    pyramid levels (``_sf_periods_levelled``), the periods, the calendar table. Run before :func:`run` on its
    connection, while the analyses before it run (:data:`salesfocus.pipeline.PREPARE`)."""
    base, periods, cal = _figures(ctx)
    lv = period_levels(base, ctx.config.pyramid)
    return _tmp(ctx, "levelled", base.join(lv, ["customer_id", "period_index"])), periods, cal


def run(ctx: RunContext) -> None:
    """Measure the run over calendar periods and add the tables and figures to ``ctx``."""
    cfg = ctx.config
    levels = [name for name, _ in cfg.pyramid.levels]
    if cfg.pyramid.basis != "revenue":
        ctx.note("periods: pyramid levels per period rank customers on the period's revenue (net profit is not "
                 "measured per period)")
    levelled, periods, cal = ctx.prepared.pop("periods", None) or prepare(ctx)
    n = len(periods)
    abc = _segments(ctx, levelled, cal)
    figures = levelled
    if abc is not None:
        figures = figures.left_join(abc, ["customer_id", "period_index"]).drop("customer_id_right",
                                                                                "period_index_right")
    figures = _tmp(ctx, "figures", figures)
    first = _tmp(ctx, "first", first_periods(figures))
    carry = ("pyramid_level", "abc_segment") if abc is not None else ("pyramid_level",)
    pr = _pairs(ctx, figures, first, n, carry)

    _store(ctx, "periods", cal.order_by("period_index"))
    cp = figures.join(cal.select("period_index", "period"), "period_index")
    labels = [p.label for p in periods]
    _make(ctx, "customer_periods", cp.order_by(["customer_id", "period_index"]).select(
        "customer_id", "period", "revenue", "gross_margin", "orders", "active", "pyramid_level",
        *(["abc_segment"] if abc is not None else [])),
        enums={"period": labels, "pyramid_level": levels, **({"abc_segment": _ABC} if abc is not None else {})})

    mv = _migration(ctx, pr, cal, periods, levels, abc is not None)
    am = (ctx.customers.select("customer_id", "account_manager") if "account_manager" in ctx.customers.columns
          else None)
    retention = _store(ctx, "retention", retention_table(
        pr, cal, segment="abc_segment" if abc is not None else "pyramid_level", account_manager=am))
    _store(ctx, "cohorts", cohort_table(figures, first, cal))

    prospects = ctx.dataset.get("prospects")
    if prospects is not None and "identified_date" in prospects.columns:
        cols = [c for c in ("status", "customer_id", "identified_date") if c in prospects.columns]
        prospects = _tmp(ctx, "prospects_ident", prospects.select(*cols).mutate(
            **{c: ibis.null("string") for c in ("status", "customer_id") if c not in cols}), engine=True)
    else:
        prospects = None
    inp = GoalInputs(pr, periods, levels, prospects, abc is not None,
                     has_profit=ctx.dataset.has_cost and "cost_to_serve" in ctx.customers.columns,
                     currency=cfg.currency)
    goal_rows = goal_table(cfg.goals, inp)
    goals = None
    if goal_rows is not None:
        goals = ctx.tables["goals"] = _tmp(ctx, "goals", goal_rows)  # the scorecard reads it
    _store(ctx, "scorecard", scorecard(inp, cal, goals))
    _funnel(ctx)
    _summary(ctx, retention, mv, periods, levels, goals)
