"""Sales and service activities per customer: visits, calls, tickets, complaints, returns, deliveries."""

from __future__ import annotations

import datetime as dt

import ibis

__all__ = ["ACTIVITY_TYPES", "activity_measures", "normalise_activity_type"]

# Canonical activity types and the words exports use for them.
ACTIVITY_TYPES: dict[str, tuple[str, ...]] = {
    "visit": ("visit", "bezoek", "klantbezoek", "afspraak", "meeting", "visite"),
    "call": ("call", "telefoon", "telefoongesprek", "belletje", "phone", "gebeld"),
    "support_ticket": ("support_ticket", "ticket", "support", "servicedesk", "storing", "helpdesk"),
    "complaint": ("complaint", "klacht", "reclamatie"),
    "return": ("return", "retour", "retourzending", "rma"),
    "delivery": ("delivery", "levering", "aflevering", "zending", "shipment"),
    "quote": ("quote", "offerte", "quotation"),
}
PLURAL = {"visit": "visits", "call": "calls", "support_ticket": "support_tickets", "complaint": "complaints",
          "return": "returns_handled", "delivery": "deliveries", "quote": "quotes"}


def normalise_activity_type(col: ibis.ir.StringValue) -> ibis.ir.StringValue:
    v = col.lower().strip().replace(" ", "_").replace("-", "_")
    cases = [(v.isin(list(words)), name) for name, words in ACTIVITY_TYPES.items()]
    return ibis.cases(*cases, else_="other")


def activity_measures(activities: ibis.Table, *, start: dt.date | None = None,
                      end: dt.date | None = None) -> ibis.Table:
    """Counts per activity type (``visits``, ``calls``, ...), visit hours, total hours and known cost."""
    a = activities
    if start is not None:
        a = a.filter(a.activity_date >= ibis.literal(start))
    if end is not None:
        a = a.filter(a.activity_date < ibis.literal(end))
    a = a.mutate(_type=normalise_activity_type(a.activity_type), _n=a.quantity.fill_null(1.0))
    aggs = {PLURAL[k]: a._n.sum(where=a._type == k).fill_null(0) for k in ACTIVITY_TYPES}
    aggs["other_activities"] = a._n.sum(where=a._type == "other").fill_null(0)
    aggs["visit_hours"] = a.hours.sum(where=a._type == "visit").fill_null(0)
    aggs["activity_hours"] = a.hours.sum().fill_null(0)
    return a.group_by("customer_id").aggregate(**aggs)
