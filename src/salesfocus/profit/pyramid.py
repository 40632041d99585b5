"""The customer pyramid: how many top, large, medium and small customers, and what each level earns and costs.

Active customers are ranked on the pyramid basis (``[pyramid] basis``: revenue by default, or net profit)
and cut into levels by cumulative share of that basis (``[pyramid] levels``; default top 50%, large to
80%, medium to 95%, small the rest). Below them sit the inactive customers and the ex-customers (by the
customer rule) and, from the prospects table, the prospects and suspects. Per level the pyramid shows
count, revenue, gross margin, cost-to-serve and net profit with their shares, and the share of the
sales effort (visits and hours) each level gets.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from salesfocus.config import PyramidConfig
from salesfocus.errors import ConfigError
from salesfocus.profit._columns import optional, ratio, require

__all__ = ["pyramid_levels", "pyramid_table", "level_names", "INACTIVE", "EX_CUSTOMER", "PROSPECT", "SUSPECT"]

INACTIVE = "inactive"
EX_CUSTOMER = "ex-customer"
PROSPECT = "prospect"
SUSPECT = "suspect"
_RESERVED = (INACTIVE, EX_CUSTOMER, PROSPECT, SUSPECT)


def level_names(config: PyramidConfig) -> list[str]:
    """Every level from the top down: the configured levels, then inactive, ex-customer, prospect, suspect."""
    names = [name for name, _ in config.levels]
    clash = sorted(set(names) & set(_RESERVED))
    if clash or len(set(names)) != len(names):
        raise ConfigError(f"[pyramid] levels: names must be unique and not one of {', '.join(_RESERVED)} "
                          f"(got {', '.join(names)})")
    return [*names, *_RESERVED]


def level_order(level: ir.StringValue, config: PyramidConfig) -> ir.IntegerValue:
    """0 for the top level, counting down the pyramid (for sorting)."""
    return ibis.cases(*[(level == name, i) for i, name in enumerate(level_names(config))], else_=99)


def pyramid_levels(customers: ibis.Table, config: PyramidConfig, *, basis: str | None = None,
                   by: tuple[str, ...] = ()) -> ibis.Table:
    """``customer_id, pyramid_level``: the level of every customer.

    Active customers are ordered on ``basis`` (default ``config.basis``), largest first, ties on
    ``customer_id``. With ``B`` the sum of the positive basis values of active customers and ``before``
    that of the active customers ranked before a customer, its share before is ``before / B``; it gets
    the first configured level ``(name, upper)`` with ``before / B < upper``, else the last level. So the
    customer that crosses a boundary still belongs to the higher level, and the best customer is always
    at the top. A customer with a basis of zero, below zero (a loss-maker on the net-profit basis) or
    unknown is in the last level. ``status`` inactive gives ``inactive``, ex-customer ``ex-customer``.

    ``by``: columns that cut the table into parts ranked each on their own (one row per customer and
    period, ``by=("period_index",)``), kept in the result after ``customer_id``. One windowed pass over
    every part, where a union of one query per part would grow with their number.
    """
    basis = basis or config.basis
    require(customers, ("customer_id", "status", basis, *by), "pyramid_levels")
    level_names(config)  # checks the configured names
    t = customers.select("customer_id", *by, "status", _b=customers[basis].cast("float64"))
    t = t.mutate(_pos=ibis.greatest(t._b, ibis.literal(0.0)).fill_null(0.0))
    active = t.status == "active"
    order = [ibis.desc(t._pos), t.customer_id]
    parts = [*[t[c] for c in by], active]
    cum = t._pos.sum().over(ibis.cumulative_window(group_by=parts, order_by=order))
    before = ratio(cum - t._pos, t._pos.sum().over(ibis.window(group_by=parts)))
    last = config.levels[-1][0]
    ranked = ibis.cases(*[((t._pos > 0) & (before < upper), name) for name, upper in config.levels[:-1]],
                        else_=last)
    level = ibis.cases(
        (active, ranked),
        (t.status == EX_CUSTOMER, EX_CUSTOMER),
        else_=INACTIVE,
    )
    return t.select("customer_id", *by, pyramid_level=level)


def _funnel(prospects: ibis.Table | None) -> ibis.Table | None:
    """Prospects and suspects not yet customers: one row per level with its count."""
    if prospects is None or "status" not in prospects.columns:
        return None
    p = prospects
    if "customer_id" in p.columns:
        p = p.filter(p.customer_id.isnull())
    s = p.status.lower().strip()
    lvl = ibis.cases((s.isnull() | s.isin(["prospect", "prospects", "prospect-klant"]), PROSPECT),
                     (s.isin(["suspect", "suspects"]), SUSPECT), else_=None)
    p = p.select(pyramid_level=lvl).filter(ibis._.pyramid_level.notnull())
    return p.group_by("pyramid_level").aggregate(count=p.count())


def pyramid_table(customers: ibis.Table, config: PyramidConfig, *, prospects: ibis.Table | None = None) -> ibis.Table:
    """One row per pyramid level, top down, with counts, money, shares and effort.

    Needs ``pyramid_level`` (see :func:`pyramid_levels`), ``revenue``, ``gross_margin``, ``cost_to_serve``,
    ``net_profit``; uses ``visits`` and ``activity_hours`` when present (NULL otherwise). Per level:
    ``count``, sums of ``revenue``, ``gross_margin``, ``cost_to_serve``, ``net_profit``, ``visits`` and
    ``hours`` (all logged activity hours), and each as a share of the total over every customer level:
    ``customer_share``, ``revenue_share``, ``gross_margin_share``, ``cost_share``, ``profit_share``
    (negative for a loss-making level), ``visits_share``, ``hours_share``. Prospect and suspect rows
    carry only ``count``: the companies in the prospects table with that status and no customer number
    yet (an empty status counts as prospect). Levels without customers show a count of 0.
    """
    require(customers, ("customer_id", "pyramid_level", "revenue", "gross_margin", "cost_to_serve", "net_profit"),
            "pyramid_table")
    c = customers.select(
        "pyramid_level",
        revenue=customers.revenue.cast("float64"),
        gross_margin=customers.gross_margin.cast("float64"),
        cost_to_serve=customers.cost_to_serve.cast("float64"),
        net_profit=customers.net_profit.cast("float64"),
        visits=optional(customers, "visits"),
        hours=optional(customers, "activity_hours"),
    )
    money = ("revenue", "gross_margin", "cost_to_serve", "net_profit", "visits", "hours")
    g = c.group_by("pyramid_level").aggregate(count=c.count(), **{m: c[m].sum() for m in money})
    everyone = ibis.window()
    shares = {"customer_share": "count", "revenue_share": "revenue", "gross_margin_share": "gross_margin",
              "cost_share": "cost_to_serve", "profit_share": "net_profit", "visits_share": "visits",
              "hours_share": "hours"}
    g = g.mutate(**{s: ratio(g[m], g[m].sum().over(everyone)) for s, m in shares.items()})
    skeleton = _levels_frame(config)
    out = skeleton.left_join(g, "pyramid_level").drop("pyramid_level_right")
    funnel = _funnel(prospects)
    if funnel is not None:
        out = out.left_join(funnel.rename(_funnel_count="count"), "pyramid_level").drop("pyramid_level_right")
        out = out.mutate(count=ibis.coalesce(out["count"], out._funnel_count)).drop("_funnel_count")
    count = out["count"].fill_null(0)
    if funnel is None:  # no prospects table: how many prospects and suspects there are is unknown
        count = ibis.ifelse(out.pyramid_level.isin([PROSPECT, SUSPECT]), ibis.null("int64"), count)
    out = out.mutate(count=count.cast("int64"))
    return out.order_by("level_order")


def _levels_frame(config: PyramidConfig) -> ibis.Table:
    """Every level name with its sort order, as a table expression (no data needed)."""
    parts = [ibis.literal(name, "string").name("pyramid_level").as_table().mutate(level_order=ibis.literal(i, "int64"))
             for i, name in enumerate(level_names(config))]
    return ibis.union(*parts)
