"""Potential revenue: one documented number per customer for the value axis of the A/B/C matrix.

The A/B/C method (METHODS §2) sorts customers on *current annual revenue plus potential*. Potential is extra
revenue a year on top of today's. Three sources, in this order of trust:

1. ``assessment`` — the latest non-empty ``potential_revenue`` of the customer's assessments on or before
   the as-of date. A person who knows the account wins over any model.
2. ``model`` / ``peers`` — otherwise the larger of two data estimates of what the customer could buy in a
   year, minus what it bought in the last 12 months, floored at 0:

   - the repeat-purchase model's expected revenue in the next 12 months (BG/NBD × Gamma-Gamma), which
     exceeds the last year only for customers whose recent year was below their own long-run pattern;
   - the peer revenue at the configured percentile (:mod:`salesfocus.predict.wallet`), the wallet view.

   ``potential_revenue = max(model_12m, peer_revenue) - revenue_12m`` (floored at 0), with the source of
   the larger term (``model`` on a tie). Either term may be unknown (no model, no peer group); the other
   is used alone. Only for customers that bought in the last 12 months (``revenue_12m > 0``): for a lapsed
   customer the peers' revenue is win-back, not growth of a current account, and would lift ex-customers
   up the A/B/C value axis (its ``wallet_gap`` still shows the peer view).
3. ``none`` — neither an assessment nor an estimate: ``potential_revenue`` is NULL (unknown, not 0).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from salesfocus.errors import InputError

__all__ = ["latest_potential", "potential_revenue", "SOURCES"]

SOURCES = ("assessment", "model", "peers", "none")


def latest_potential(assessments: ibis.Table, as_of: dt.date | None = None) -> ibis.Table:
    """Per customer the latest non-empty assessed ``potential_revenue`` on or before ``as_of`` (lazy).

    Rows without a date count as older than any dated row; rows dated after ``as_of`` are ignored.

    Returns
    -------
    ibis.Table
        ``customer_id, assessed_potential (float64)`` for customers with at least one assessed value.
    """
    missing = sorted({"customer_id", "potential_revenue"} - set(assessments.columns))
    if missing:
        raise InputError(f"latest_potential needs the assessments column(s) {', '.join(missing)}")
    a = assessments.filter(assessments.potential_revenue.notnull(), assessments.customer_id.notnull())
    order = None
    if "assessment_date" in a.columns:
        if as_of is not None:
            a = a.filter(a.assessment_date.isnull() | (a.assessment_date <= ibis.literal(as_of)))
        order = [a.assessment_date.desc(nulls_first=False)]
    value = a.potential_revenue.cast("float64")
    return a.group_by("customer_id").aggregate(assessed_potential=value.first(order_by=order))


def potential_revenue(t: ibis.Table, *, add: bool = False) -> ibis.Table:
    """Combine the assessment, the model and the peers into ``potential_revenue`` and its source (lazy).

    Parameters
    ----------
    t
        One row per customer with ``customer_id, revenue_12m, assessed_potential, model_revenue_12m,
        peer_revenue`` (the last three may be NULL per customer).

    add
        Return ``t`` with the two columns added (row by row: no join back onto ``t`` needed).

    Returns
    -------
    ibis.Table
        ``customer_id, potential_revenue (float64), potential_source (string)``; see the module docstring.
    """
    need = ["customer_id", "revenue_12m", "assessed_potential", "model_revenue_12m", "peer_revenue"]
    missing = sorted(set(need) - set(t.columns))
    if missing:
        raise InputError(f"potential_revenue needs the column(s) {', '.join(missing)}; they are missing")
    own = t.revenue_12m.cast("float64").fill_null(0.0)
    model = t.model_revenue_12m.cast("float64")
    peers = t.peer_revenue.cast("float64")
    zero = ibis.literal(0.0)
    model_gain: ir.FloatingValue = ibis.greatest(model - own, zero)
    peer_gain: ir.FloatingValue = ibis.greatest(peers - own, zero)
    current = own > 0
    use_model = current & model.notnull() & (peers.isnull() | (model >= peers))
    use_peers = current & peers.notnull()
    assessed = t.assessed_potential.cast("float64")
    value = ibis.cases(
        (assessed.notnull(), assessed),
        (use_model, model_gain),
        (use_peers, peer_gain),
        else_=ibis.null("float64"),
    )
    source = ibis.cases(
        (assessed.notnull(), "assessment"),
        (use_model, "model"),
        (use_peers, "peers"),
        else_="none",
    )
    if add:
        return t.mutate(potential_revenue=value, potential_source=source)
    return t.select("customer_id", potential_revenue=value, potential_source=source)
