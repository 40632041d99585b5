"""The profit analysis of a run: whale curve, headline figures, pyramid, effort versus value, loss-makers.

``run(ctx)`` adds to the per-customer table ``pyramid_level, profit_rank, loss_making, visits_per_year,
profit_per_visit, cost_per_visit, over_served, under_served``; stores the tables ``whale_curve``,
``pyramid``, ``effort``, ``loss_makers`` and ``loss_maker_cross_selling``; and puts the headline
figures in the summary. Each result is materialised in the workspace (``_sf_profit_*``) so that later
analyses that replace the customer table do not change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis

from salesfocus.profit.effort import effort_flags, effort_table
from salesfocus.profit.loss_makers import cross_selling, loss_makers
from salesfocus.profit.pyramid import pyramid_levels, pyramid_table
from salesfocus.profit.whale import headline, profit_ranks, whale_curve

if TYPE_CHECKING:
    from salesfocus.model import RunContext

__all__ = ["run", "SUMMARY_KEYS"]

SUMMARY_KEYS = ("cost_to_serve", "net_profit", "top20_revenue_share", "tail_cost_share", "whale_peak_share",
                "loss_making_share", "loss_making_customers", "loss_making_total")
_MONEY = ("cost_to_serve", "net_profit", "loss_making_total")


def _has_values(t: ibis.Table, column: str) -> bool:
    if column not in t.columns:
        return False
    return bool(t.aggregate(x=t[column].notnull().any()).to_pyarrow().column("x")[0].as_py())


def _store(ctx: RunContext, name: str, expr: ibis.Table) -> None:
    """Materialise a result table in the workspace and list it in the run's tables."""
    ctx.workspace.write(f"_sf_profit_{name}", expr, temp=True)
    ctx.tables[name] = ctx.workspace.table(f"_sf_profit_{name}")


def _on_workspace(ctx: RunContext, name: str, expr: ibis.Table) -> ibis.Table:
    """An engine-side expression (order lines, prospects) as a workspace table, copied if on another engine."""
    data: Any = expr if ctx.summary.get("engine", "duckdb") == "duckdb" else expr.to_pyarrow()
    ctx.workspace.write(f"_sf_profit_{name}", data, temp=True)
    return ctx.workspace.table(f"_sf_profit_{name}")


def _notes(ctx: RunContext, has_profit: bool, has_visits: bool) -> None:
    cust = ctx.customers
    if not has_profit:
        ctx.note("profit: no cost of goods, so gross margin, net profit, the whale curve, the loss-makers and "
                 "their break-even figures are unknown (NULL); add a cost column to the order lines")
    if "activities" not in ctx.dataset.tables:
        ctx.note("profit: no activities table, so cost-to-serve leaves out visits, calls, support tickets, "
                 "complaints and quotes (cost_visits ... NULL) and net profit is overstated; effort versus value "
                 "is unknown. Add an activities table, or start from a few rates under [cost_rates]")
    elif not has_visits:
        ctx.note("profit: the activities hold no visits, so effort versus value (over- and under-served) is "
                 "unknown; add activities of type 'visit' (with hours for the hours columns)")
    if "account_manager" not in cust.columns:
        ctx.note("profit: no account managers (customers table), so effort is shown per pyramid level only")


def _basis(ctx: RunContext, has_profit: bool) -> str:
    basis = ctx.config.pyramid.basis
    if basis == "net_profit" and not has_profit:
        ctx.note("profit: the pyramid basis is net_profit but profit is unknown; levels use revenue instead")
        return "revenue"
    return basis


def run(ctx: RunContext) -> None:
    """Compute every profit result of the run and add it to ``ctx`` (customer columns, tables, summary)."""
    cfg = ctx.config.pyramid
    cust = ctx.customers
    has_profit = _has_values(cust, "net_profit")
    has_visits = "visits" in cust.columns and bool(
        cust.aggregate(x=cust.visits.sum() > 0).to_pyarrow().column("x")[0].as_py())
    _notes(ctx, has_profit, has_visits)

    levels = pyramid_levels(cust, cfg, basis=_basis(ctx, has_profit))
    with_levels = cust.drop(*[c for c in ("pyramid_level",) if c in cust.columns]).join(levels, "customer_id")
    flags = effort_flags(with_levels, cfg, has_visits=has_visits)
    new = levels.join(profit_ranks(cust), "customer_id").join(flags, "customer_id")
    ctx.add_customer_columns(new)
    cust = ctx.customers

    _store(ctx, "whale_curve", whale_curve(cust))
    head = headline(cust).to_pyarrow().to_pylist()[0]
    ctx.summary.update({k: (round(head[k], 2) if k in _MONEY and head[k] is not None else head[k])
                        for k in SUMMARY_KEYS})

    prospects = ctx.dataset.get("prospects")
    if prospects is not None and "status" in prospects.columns:
        cols = [c for c in ("customer_id", "status") if c in prospects.columns]
        prospects = _on_workspace(ctx, "prospects", prospects.select(*cols))
    else:
        prospects = None
    _store(ctx, "pyramid", pyramid_table(cust, cfg, prospects=prospects))
    _store(ctx, "effort", effort_table(cust, cfg))

    # Revenue per customer and product group: the compact table the run keeps (on Spark too), else the lines.
    groups = ctx.dataset.get("customer_groups")
    groups = ctx.dataset.get("order_lines") if groups is None else groups
    rare = None
    if groups is not None:
        lm_ids = cust.filter(cust.net_profit < 0).select("customer_id")
        rare = _on_workspace(ctx, "rare_groups", cross_selling(groups, max_share=cfg.cross_sell_max_share,
                                                                customers=lm_ids))
        _store(ctx, "loss_maker_cross_selling", rare.order_by(
            ["customer_id", ibis.desc("gross_margin"), "product_group"]))
    _store(ctx, "loss_makers", loss_makers(cust, rare))
