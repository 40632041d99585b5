"""Activity-based cost-to-serve and net customer profit: revenue is not profit.

Each component is a count from the data times a rate from the config (``[cost_rates]``); a rate can
differ per customer channel (``[cost_rates.by_channel]``). An activity row that carries its own cost
uses that cost instead of the rate. A component whose data is absent is NULL, not zero, and the
run says which table or rate would complete the picture.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from salesfocus.config import CostRates
from salesfocus.measures.activity import normalise_activity_type

__all__ = ["COMPONENTS", "cost_to_serve", "ACTIVITY_RATE"]

# component column -> what it counts
COMPONENTS: dict[str, str] = {
    "cost_orders": "orders × per_order",
    "cost_order_lines": "order lines × per_order_line",
    "cost_deliveries": "deliveries × per_delivery (one per order without delivery activities)",
    "cost_visits": "visits × per_visit + visit hours × per_visit_hour",
    "cost_calls": "calls × per_call",
    "cost_support": "support tickets × per_support_ticket",
    "cost_complaints": "complaints × per_complaint",
    "cost_returns": "returns × per_return (return activities, else credit orders)",
    "cost_quotes": "quotes × per_quote",
    "cost_invoices": "invoices × per_invoice (one per order without an invoices table)",
    "cost_late_payment": "days late × amount × capital_rate / 365",
    "cost_other": "known cost of other activities",
}
ACTIVITY_RATE = {"visit": "per_visit", "call": "per_call", "support_ticket": "per_support_ticket",
                 "complaint": "per_complaint", "return": "per_return", "delivery": "per_delivery",
                 "quote": "per_quote"}
_ACTIVITY_COMPONENT = {"visit": "cost_visits", "call": "cost_calls", "support_ticket": "cost_support",
                       "complaint": "cost_complaints", "return": "cost_returns", "delivery": "cost_deliveries",
                       "quote": "cost_quotes", "other": "cost_other"}


def _rate(rates: CostRates, name: str, channel: ir.StringValue | None) -> ir.FloatingValue:
    base = ibis.literal(float(getattr(rates, name)))
    if channel is None or not rates.by_channel:
        return base
    cases = [(channel == ch, float(over[name])) for ch, over in rates.by_channel.items() if name in over]
    return ibis.cases(*cases, else_=base) if cases else base


def cost_to_serve(measures: ibis.Table, rates: CostRates, *, activities: ibis.Table | None = None,
                  payments: ibis.Table | None = None, customers: ibis.Table | None = None) -> ibis.Table:
    """Add every cost component, ``cost_to_serve``, ``net_profit``, ``profit_pct`` and ``cts_pct``.

    ``measures`` is the per-customer table of :func:`salesfocus.measures.customer.customer_measures`.
    """
    t = measures
    channel = None
    if customers is not None and rates.by_channel:
        t = t.left_join(customers.select("customer_id", _channel="channel"), "customer_id").drop("customer_id_right")
        channel = t._channel
    f = lambda c: t[c].cast("float64")  # noqa: E731
    comps: dict[str, ir.Value] = {
        "cost_orders": f("orders") * _rate(rates, "per_order", channel),
        "cost_order_lines": (f("order_lines") - f("returns_lines")) * _rate(rates, "per_order_line", channel),
    }
    act_types: set[str] = set()
    if activities is not None:
        a = activities.mutate(_type=normalise_activity_type(activities.activity_type))
        act_types = set(a.select("_type").distinct().to_pyarrow().column("_type").to_pylist())
        if channel is not None:
            a = a.left_join(customers.select("customer_id", _channel="channel"), "customer_id")
        ach = a._channel if channel is not None else None
        n = a.quantity.fill_null(1.0)
        row_cost = ibis.literal(0.0)
        for typ, rate in ACTIVITY_RATE.items():
            row_cost = ibis.ifelse(a._type == typ, n * _rate(rates, rate, ach), row_cost)
        row_cost = row_cost + ibis.ifelse(a._type == "visit", a.hours.fill_null(0) * _rate(rates, "per_visit_hour",
                                                                                           ach), 0.0)
        a = a.mutate(_cost=a.cost.cast("float64").fill_null(row_cost))
        per = a.group_by("customer_id").aggregate(
            **{f"_act_{comp}": a._cost.sum(where=a._type.isin([k for k, v in _ACTIVITY_COMPONENT.items()
                                                                  if v == comp]))
               for comp in sorted(set(_ACTIVITY_COMPONENT.values()))}
        )
        t = t.left_join(per, "customer_id").drop("customer_id_right")
        for comp in sorted(set(_ACTIVITY_COMPONENT.values())):
            comps[comp] = t[f"_act_{comp}"].fill_null(0.0)
    else:
        for comp in ("cost_visits", "cost_calls", "cost_support", "cost_complaints", "cost_quotes", "cost_other"):
            comps[comp] = ibis.null("float64")
    if "delivery" not in act_types:
        comps["cost_deliveries"] = (f("orders") * _rate(rates, "per_delivery", channel)
                                    if rates.deliveries_from_orders else ibis.null("float64"))
    if "return" not in act_types:
        comps["cost_returns"] = f("returns_count") * _rate(rates, "per_return", channel)
    if payments is not None:
        t = t.left_join(payments.select("customer_id", "invoices", "late_payment_cost"), "customer_id").drop(
            "customer_id_right")
        comps["cost_invoices"] = t.invoices.cast("float64").fill_null(0) * _rate(rates, "per_invoice", channel)
        comps["cost_late_payment"] = t.late_payment_cost.fill_null(0.0)
    else:
        comps["cost_invoices"] = f("orders") * _rate(rates, "per_invoice", channel)
        comps["cost_late_payment"] = ibis.null("float64")
    t = t.mutate(**comps)
    total = sum((t[c].fill_null(0.0) for c in COMPONENTS), ibis.literal(0.0))
    t = t.mutate(cost_to_serve=total)
    net = t.gross_margin.cast("float64") - t.cost_to_serve
    rev = t.revenue.cast("float64")
    t = t.mutate(
        net_profit=net,
        profit_pct=ibis.ifelse(rev == 0, ibis.null("float64"), net / rev),
        cts_pct=ibis.ifelse(rev == 0, ibis.null("float64"), t.cost_to_serve / rev),
    )
    drop = [c for c in t.columns if c.startswith("_act_") or c == "_channel"]
    return t.drop(*drop) if drop else t
