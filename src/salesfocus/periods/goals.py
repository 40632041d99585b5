"""Customer goals and the account-manager scorecard: are we moving customers up the pyramid?

The method (METHODS §1) sets goals such as "retain 90% of last year's customers", "develop 10 top
customers from prospects" and "identify 400 new suspects", per company or per account manager, and ties
them to the reward model. Each configured goal (``[[goals]]``) is measured in its period (default the
last): actual, progress (actual / target), status (``met``, ``not met``, ``in progress`` while the period
is partial, ``unknown`` when the data cannot say) and what is still missing, in words.

Owners: ``company`` (every customer), an account manager's name (the customers it manages now) or
``segment:X``; ``X`` a pyramid level or an A/B/C segment *in the period* (for retention kinds and
``moved_up``: in the period before, the customers the goal is about).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from salesfocus.config import Goal
from salesfocus.periods._util import fmt_int, fmt_money, ratio
from salesfocus.periods.calendar import Period
from salesfocus.periods.migration import level_rank

__all__ = ["GoalInputs", "goal_name", "goal_table", "scorecard", "GOAL_COLUMNS"]

GOAL_COLUMNS = ("goal", "kind", "owner", "period", "target", "actual", "progress", "status", "missing")
_RETENTION = ("customer_retention", "net_revenue_retention", "gross_revenue_retention")
_BEFORE = (*_RETENTION, "moved_up")
_PROSPECT_KINDS = ("new_suspects", "new_prospects")
_NEED_BEFORE = (*_BEFORE, "new_top_customers", "new_customers")  # meaningless in the first period of the data


@dataclass
class GoalInputs:
    """What goals are measured on.

    ``pairs``: :func:`salesfocus.periods.activity.pairs` with ``pyramid_level`` (and ``abc_segment`` when
    ``has_abc``) carried, plus ``_am`` (account manager) and ``_cts_per_order`` (the customer's cost-to-serve
    per order, NULL when unknown). ``prospects``: ``status, customer_id, identified_date`` or ``None``.
    """

    pairs: ibis.Table
    periods: list[Period]
    levels: list[str]
    prospects: ibis.Table | None
    has_abc: bool
    has_profit: bool
    currency: str = "EUR"


def goal_name(goal: Goal) -> str:
    """The goal as it reads in the outputs: its ``name``, else kind, target and owner."""
    if goal.name:
        return goal.name
    t = f"{goal.target:.0%}" if goal.kind in _RETENTION else f"{goal.target:,.0f}"
    return f"{goal.kind.replace('_', ' ')} {t} ({goal.owner})"


def _count_text(need: ir.NumericValue, one: str, many: str) -> ir.StringValue:
    return fmt_int(need) + ibis.ifelse(need == 1, one, many)


def _owner(inp: GoalInputs, goal: Goal, p: ibis.Table) -> tuple[ibis.Table | None, str]:
    """The pairs of the goal's owner, or ``None`` and the reason the owner cannot be measured."""
    owner = goal.owner.strip()
    if owner.lower() == "company":
        return p, ""
    if goal.kind in _PROSPECT_KINDS:
        return None, "the prospects table has no account manager or segment: set owner = 'company'"
    if owner.lower().startswith("segment:"):
        seg = owner.split(":", 1)[1].strip()
        col = "pyramid_level" if seg in inp.levels else "abc_segment"
        if col == "abc_segment" and not inp.has_abc:
            return None, f"no A/B/C segments per period in this run, and {seg!r} is not a pyramid level"
        when = "bef" if goal.kind in _BEFORE else "now"
        value = ibis.ifelse(p.a_bef, p[f"{col}_bef"], p[f"{col}_now"]) if when == "bef" else p[f"{col}_now"]
        return p.filter(value == seg), ""
    return p.filter(p._am == owner), ""


def _actual(inp: GoalInputs, goal: Goal, p: ibis.Table, prev: str) -> ibis.Table:
    """One row ``actual, missing``: the goal's figure and, should it fall short, what is missing in words."""
    kind, target = goal.kind, goal.target
    money = lambda x: fmt_money(x, inp.currency)  # noqa: E731
    if kind in _RETENTION:
        s = p.filter(p.a_bef)
        before = s.r_bef.sum().cast("float64")
        now = s.r_now.sum().cast("float64") if kind == "net_revenue_retention" else (
            ibis.least(s.r_now, s.r_bef).sum().cast("float64"))
        if kind == "customer_retention":
            start, kept = s.count(), s.a_now.sum()
            need = ibis.greatest((start.cast("float64") * target - 1e-9).ceil() - kept, 0)
            return s.aggregate(actual=ratio(kept, start), missing=fmt_int(need) + " more of the " + fmt_int(start)
                               + " customers of " + prev + " retained")
        word = "revenue" if kind == "net_revenue_retention" else "revenue kept"
        return s.aggregate(actual=ratio(now, before),
                           missing=money(before * target - now) + f" more {word} from the customers of {prev}")
    if kind in ("revenue", "net_profit"):
        if kind == "revenue":
            value = p.r_now.sum().cast("float64")
        else:
            value = (p.m_now.cast("float64") - p._cts_per_order * p.o_now.cast("float64")).sum()
        word = "revenue" if kind == "revenue" else "net profit"
        return p.aggregate(actual=value.fill_null(0.0), missing=money(target - value.fill_null(0.0)) + f" more {word}")
    top = inp.levels[0]
    lvl_now, lvl_bef = p.pyramid_level_now, p.pyramid_level_bef
    flags = {
        "moved_up": (p.a_bef & p.a_now & (level_rank(lvl_now, inp.levels) < level_rank(lvl_bef, inp.levels)),
                     " more customer moved up a pyramid level", " more customers moved up a pyramid level"),
        "new_top_customers": (p.a_now & (lvl_now == top) & ~(p.a_bef & (lvl_bef == top)).fill_null(False),
                              f" more {top} customer", f" more {top} customers"),
        "new_customers": (p.is_new, " more new customer", " more new customers"),
    }
    flag, one, many = flags[kind]
    n = flag.fill_null(False).sum().cast("float64")
    return p.aggregate(actual=n, missing=_count_text(ibis.greatest(ibis.literal(target).ceil() - n, 0), one, many))


def _prospect_actual(inp: GoalInputs, goal: Goal, per: Period) -> ibis.Table:
    p = inp.prospects
    assert p is not None
    f = p.filter((p.identified_date >= ibis.literal(per.start)) & (p.identified_date < ibis.literal(per.end)))
    status = f.status.lower().strip().fill_null("")
    fresh = ~status.isin(["ex-customer", "ex-klant"])  # a re-listed former customer is not newly identified
    if goal.kind == "new_suspects":
        flag = fresh
        one, many = " more new suspect identified", " more new suspects identified"
    else:
        flag = fresh & (status.isin(["prospect", "prospects"]) | f.customer_id.notnull())
        one, many = " more new prospect identified", " more new prospects identified"
    n = flag.sum().cast("float64").fill_null(0.0)
    return f.aggregate(actual=n, missing=_count_text(ibis.greatest(ibis.literal(goal.target).ceil() - n, 0),
                                                     one, many))


def _unknown(why: str) -> ibis.Table:
    return ibis.null("float64").name("actual").as_table().mutate(missing=ibis.literal(why))


def _one(inp: GoalInputs, goal: Goal) -> ibis.Table:
    by_label = {p.label: p for p in inp.periods}
    label = goal.period or inp.periods[-1].label
    per = by_label.get(label)
    partial = bool(per and per.partial)
    if per is None:
        row = _unknown(f"period {label} is not in the data ({inp.periods[0].label} to {inp.periods[-1].label})")
    elif goal.kind in _NEED_BEFORE and per.index == 0:
        row = _unknown(f"no period before {label} in the data to compare with")
    elif goal.kind in _PROSPECT_KINDS and inp.prospects is None:
        row = _unknown("no prospects table with identified dates")
    elif goal.kind == "net_profit" and not inp.has_profit:
        row = _unknown("net profit is unknown without cost of goods and cost-to-serve")
    else:
        p = inp.pairs.filter(inp.pairs.period_index == per.index)
        owned, why = _owner(inp, goal, p)
        if owned is None:
            row = _unknown(why)
        elif goal.kind in _PROSPECT_KINDS:
            row = _prospect_actual(inp, goal, per)
        else:
            prev = inp.periods[per.index - 1].label if per.index else ""
            row = _actual(inp, goal, owned, prev)
    target = ibis.literal(goal.target, "float64")
    actual = row.actual.cast("float64")
    met = actual >= target - 1e-9
    status = ibis.cases((actual.isnull(), "unknown"), (met, "met"), else_="in progress" if partial else "not met")
    missing = ibis.cases((actual.isnull(), row.missing), (met, ""), else_=row.missing)
    return row.select(
        goal=ibis.literal(goal_name(goal)), kind=ibis.literal(goal.kind), owner=ibis.literal(goal.owner),
        period=ibis.literal(label), target=target, actual=actual,
        progress=ibis.ifelse(target == 0, ibis.ifelse(actual.isnull(), ibis.null("float64"), 1.0),
                             ratio(actual, target)),
        status=status, missing=missing.cast("string"))


def goal_table(goals: list[Goal], inp: GoalInputs) -> ibis.Table | None:
    """One row per goal: ``goal, kind, owner, period, target, actual, progress, status, missing``.

    Kinds: ``customer_retention``, ``net_revenue_retention``, ``gross_revenue_retention`` (fractions, against
    the period before), ``moved_up`` (active in both periods, a higher pyramid level now), ``new_top_customers``
    (at the top level now and not at the top before: from lower levels, new, prospects or reactivated),
    ``new_customers`` (first active in the period), ``new_suspects`` (rows of the prospects table identified in
    the period, except re-listed ex-customers), ``new_prospects`` (those identified in the period that are
    prospects or became customers), ``revenue`` and ``net_profit`` (gross margin in the period minus the
    customer's cost-to-serve per order × its orders in the period). ``None`` without goals.
    """
    if not goals:
        return None
    rows = [_one(inp, g).mutate(_i=ibis.literal(i, "int64")) for i, g in enumerate(goals)]
    u = ibis.union(*rows) if len(rows) > 1 else rows[0]
    return u.order_by("_i").drop("_i")


def scorecard(inp: GoalInputs, calendar: ibis.Table, goals: ibis.Table | None) -> ibis.Table:
    """Per account manager and period: the figures a reward model needs, with the manager's goals met.

    Columns: ``account_manager, period, partial, customers_start, retained, lost, new_customers,
    reactivated, active, customer_retention, gross_revenue_retention, net_revenue_retention, moved_up,
    moved_down, new_top_customers, revenue, revenue_before, gross_margin, goals, goals_met``.
    Customers without an account manager are under ``(none)``.
    """
    p = inp.pairs
    p = p.mutate(account_manager=p._am.fill_null("(none)"))
    rb, rn = level_rank(p.pyramid_level_bef, inp.levels), level_rank(p.pyramid_level_now, inp.levels)
    both = p.a_bef & p.a_now
    top = inp.levels[0]
    zero = ibis.literal(0).cast(p.r_bef.type())
    g = p.group_by(["account_manager", "period_index"]).aggregate(
        customers_start=p.a_bef.sum().cast("int64"), retained=both.sum().cast("int64"),
        new_customers=p.is_new.sum().cast("int64"),
        reactivated=(p.a_now & ~p.a_bef & ~p.is_new).sum().cast("int64"), active=p.a_now.sum().cast("int64"),
        _before=p.r_bef.sum(where=p.a_bef).fill_null(zero), _now=p.r_now.sum(where=p.a_bef).fill_null(zero),
        _kept=ibis.least(p.r_now, p.r_bef).sum(where=p.a_bef).fill_null(zero),
        moved_up=(both & (rn < rb)).fill_null(False).sum().cast("int64"),
        moved_down=(both & (rn > rb)).fill_null(False).sum().cast("int64"),
        new_top_customers=(p.a_now & (p.pyramid_level_now == top)
                           & ~(p.a_bef & (p.pyramid_level_bef == top)).fill_null(False)).fill_null(False)
        .sum().cast("int64"),
        revenue=p.r_now.sum(), revenue_before=p.r_bef.sum(), gross_margin=p.m_now.sum(),
    )
    g = g.join(calendar.select("period_index", "period", "partial"), "period_index")
    if goals is not None:
        gg = goals.group_by(["owner", "period"]).aggregate(
            goals=goals.count(), goals_met=(goals.status == "met").sum().cast("int64"))
        g = g.left_join(gg, [g.account_manager == gg.owner, g.period == gg.period]).drop("owner", "period_right")
        g = g.mutate(goals=g.goals.fill_null(0), goals_met=g.goals_met.fill_null(0))
    else:
        g = g.mutate(goals=ibis.literal(0, "int64"), goals_met=ibis.literal(0, "int64"))
    return g.order_by(["account_manager", "period_index"]).select(
        "account_manager", "period", "partial", "customers_start", "retained",
        lost=(g.customers_start - g.retained).cast("int64"), new_customers="new_customers", reactivated="reactivated",
        active="active", customer_retention=ratio(g.retained, g.customers_start),
        gross_revenue_retention=ratio(g._kept, g._before), net_revenue_retention=ratio(g._now, g._before),
        moved_up="moved_up", moved_down="moved_down", new_top_customers="new_top_customers", revenue="revenue",
        revenue_before="revenue_before", gross_margin="gross_margin", goals="goals", goals_met="goals_met")
