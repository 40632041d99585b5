"""Migration: how customers move between pyramid levels and A/B/C segments from one period to the next.

Every customer active in a period or in the period before is one move ``from_level → to_level``. Besides
the levels themselves there are pseudo-levels: ``new`` (first active in the later period), ``prospect``
(a new customer the prospects table knew before its first order), ``reactivated`` (active before, but not
in the earlier period) on the *from* side, and ``lost`` (active in the earlier period, not in the later) on
the *to* side. The matrix counts the customers and their revenue in both periods per cell; the customer
list behind it gives every move. A Markov step applies the observed transition rates to the latest
complete period to project the next one (a projection, not a forecast of who moves).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

__all__ = ["NEW", "PROSPECT", "REACTIVATED", "LOST", "PSEUDO_FROM", "moves", "migration_matrix", "move_counts",
           "markov_projection", "level_rank"]

NEW = "new"
PROSPECT = "prospect"
REACTIVATED = "reactivated"
LOST = "lost"
PSEUDO_FROM = (NEW, PROSPECT, REACTIVATED)


def level_rank(level: ir.StringValue, levels: list[str]) -> ir.IntegerValue:
    """0 for the best level, counting down; NULL for anything else."""
    return ibis.cases(*[(level == name, i) for i, name in enumerate(levels)], else_=ibis.null("int64"))


def moves(pairs: ibis.Table, column: str, converted: ibis.Table | None = None) -> ibis.Table:
    """One row per customer active in a period or the one before: ``customer_id, period_index, from_level,
    to_level, revenue_from, revenue_to``.

    ``column`` names the level carried in ``pairs`` (``pyramid_level`` or ``abc_segment``: its ``_bef`` and
    ``_now`` values). ``converted`` (a table with ``customer_id``) lists the customers that were prospects
    before their first order: a new one of them comes from ``prospect`` instead of ``new``.
    """
    p = pairs.filter((pairs.a_bef | pairs.a_now) & (pairs.period_index >= 1))
    if converted is not None:
        conv = converted.select("customer_id").distinct().mutate(_conv=ibis.literal(True))
        p = p.left_join(conv, "customer_id").drop("customer_id_right")
        was_prospect = p._conv.fill_null(False)
    else:
        was_prospect = ibis.literal(False)
    new = ibis.ifelse(was_prospect, PROSPECT, NEW)
    frm = ibis.cases((p.a_bef, p[f"{column}_bef"]), (p.is_new, new), else_=REACTIVATED)
    to = ibis.ifelse(p.a_now, p[f"{column}_now"], LOST)
    return p.select("customer_id", "period_index", from_level=frm.fill_null("unknown"),
                    to_level=to.fill_null("unknown"), revenue_from=p.r_bef, revenue_to=p.r_now)


def migration_matrix(mv: ibis.Table, calendar: ibis.Table, dimension: str) -> ibis.Table:
    """The from→to matrix: ``dimension, from_period, to_period, from_level, to_level, customers, revenue_from,
    revenue_to`` (revenue summed over the cell's customers in each period)."""
    g = mv.group_by(["period_index", "from_level", "to_level"]).aggregate(
        customers=mv.count(), revenue_from=mv.revenue_from.sum(), revenue_to=mv.revenue_to.sum())
    return _periods(g, calendar).select(
        dimension=ibis.literal(dimension), from_period="from_period", to_period="to_period",
        from_level="from_level", to_level="to_level", customers="customers", revenue_from="revenue_from",
        revenue_to="revenue_to", period_index="period_index")


def _periods(t: ibis.Table, calendar: ibis.Table) -> ibis.Table:
    """Add ``from_period`` and ``to_period`` labels to a table keyed by the later ``period_index``."""
    cal = calendar.select("period_index", to_period="period", to_partial="partial")
    prev = calendar.select(_prev=calendar.period_index + 1, from_period="period")
    t = t.join(cal, "period_index")
    t = t.join(prev, t.period_index == prev._prev).drop("_prev")
    return t


def move_counts(mv: ibis.Table, levels: list[str], period_index: int, *, weight: str | None = None) -> ibis.Table:
    """One row: customers moved ``up``, ``down`` or stayed the ``same``, and ``new`` (incl. from prospects),
    ``from_prospects``, ``reactivated`` and ``lost``, between period ``period_index - 1`` and ``period_index``.

    ``mv`` is one row per customer (:func:`moves`), or per cell of :func:`migration_matrix` with ``weight``
    naming its count of customers (``customers``).
    """
    m = mv.filter(mv.period_index == period_index)
    rf, rt = level_rank(m.from_level, levels), level_rank(m.to_level, levels)
    both = rf.notnull() & rt.notnull()

    def n(flag: ir.BooleanValue) -> ir.IntegerValue:
        return flag.sum() if weight is None else m[weight].sum(where=flag)

    return m.aggregate(
        up=n(both & (rt < rf)), down=n(both & (rt > rf)), same=n(both & (rt == rf)),
        new=n(m.from_level.isin([NEW, PROSPECT])), from_prospects=n(m.from_level == PROSPECT),
        reactivated=n(m.from_level == REACTIVATED), lost=n(m.to_level == LOST))


def markov_projection(matrix: ibis.Table, dimension: str, levels: list[str], basis_index: int,
                      next_label: str) -> ibis.Table:
    """Next period's levels from the transition rates of the move into period ``basis_index`` (a Markov step).

    With ``n_l`` the customers at level ``l`` in period ``basis_index`` and ``P(l → k)`` the share of the
    customers at ``l`` in the period before that went to ``k`` (``k`` a level or ``lost``), the projection is
    ``n'_k = Σ_l n_l · P(l → k) + inflow_k``, where ``inflow_k`` repeats the new, prospect and reactivated
    customers that arrived at ``k`` in the basis move. A level without customers in the period before has
    no observed rates; its customers are assumed to stay. Columns: ``dimension, basis, from_period, period,
    level, customers_now, customers_projected, label`` (always ``projection``); ``lost`` starts at 0.
    """
    m = matrix.filter((matrix.dimension == dimension) & (matrix.period_index == basis_index))
    known = m.filter(m.from_level.isin(levels))
    rates = known.mutate(rate=known.customers.cast("float64")
                         / known.customers.sum().over(ibis.window(group_by=known.from_level)).cast("float64"))
    now = m.filter(m.to_level.isin(levels)).group_by("to_level").aggregate(n=m.customers.sum())
    now = now.rename(from_level="to_level")
    # a level nobody was at in the period before has no observed rates: its customers are assumed to stay
    unseen = now.anti_join(known, "from_level").select("from_level", to_level="from_level", rate=ibis.literal(1.0))
    rates = ibis.union(rates.select("from_level", "to_level", "rate"), unseen)
    step = rates.join(now, "from_level").select("to_level", x=ibis._.rate * ibis._.n.cast("float64"))
    inflow = m.filter(m.from_level.isin(list(PSEUDO_FROM))).select("to_level", x=ibis._.customers.cast("float64"))
    # summed as decimals: a float sum in the engine's order of the day can end either side of a rounding tie
    proj = ibis.union(step, inflow).group_by("to_level").aggregate(
        projected=ibis._.x.cast("decimal(38, 9)").sum().cast("float64"))
    skeleton = ibis.union(*[ibis.literal(v, "string").name("level").as_table().mutate(
        _order=ibis.literal(i, "int64")) for i, v in enumerate([*levels, LOST])])
    labels = m.select("from_period", "to_period").distinct()
    out = skeleton.left_join(now.rename(level="from_level"), "level").drop("level_right")
    out = out.left_join(proj.rename(level="to_level"), "level").drop("level_right")
    out = out.cross_join(labels)
    return out.order_by("_order").select(
        dimension=ibis.literal(dimension),
        basis=ibis.literal("transition rates ") + out.from_period + " → " + out.to_period,
        from_period=out.to_period, period=ibis.literal(next_label),
        level="level", customers_now=out.n.fill_null(0).cast("int64"),
        customers_projected=out.projected.fill_null(0.0).round(1), label=ibis.literal("projection"))
