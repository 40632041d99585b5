"""Per-segment policy: how each segment is served, and the sales time that frees or costs.

METHODS §2: the segments tell which customers deserve face-to-face visits and which are served through
scalable channels (e-mail, webshop). Each segment gets a contact model, channels, a visit frequency and a
service level from the config; against today's visits (from the activities) that gives, per segment, the
visits and hours a year the sales team gains (positive) or must find (negative).
"""

from __future__ import annotations

import ibis

from salesfocus.config import PolicyConfig
from salesfocus.segments.base import Segmentation, ensure_columns

__all__ = ["SegmentPolicy"]


class SegmentPolicy(Segmentation):
    """Contact model and visit target per customer, and the time balance per segment.

    Parameters
    ----------
    config : PolicyConfig
        ``basis`` (abc or abcd), ``rules`` per segment and ``hours_per_visit`` where the data has no hours.

    ``build(table)`` needs ``customer_id``, the segment column (``abc_segment`` or ``abcd_segment``) and
    ``visits_per_year``; ``visits`` and ``visit_hours`` give each customer's own hours per visit. It returns
    per customer ``contact_model, visit_target, visit_hours_now, visit_hours_target``. ``summarise`` turns
    that into one row per segment. A segment without a rule keeps today's visits.

    Examples
    --------
    Ten C customers visited 4 times a year at 2 hours, policy 0 visits: 40 visits and 80 hours a year freed.
    """

    required = ("customer_id", "visits_per_year")

    def __init__(self, config: PolicyConfig) -> None:
        self.config = config

    @property
    def segment_column(self) -> str:
        return f"{self.config.basis}_segment"

    def _build(self, table: ibis.Table) -> ibis.Table:
        return table.select("customer_id", **self._columns(table))

    def extend(self, table: ibis.Table) -> ibis.Table:
        """``table`` with the columns of :meth:`build` added, rows passing through."""
        ensure_columns(table, self.required, type(self).__name__)
        return table.mutate(**self._columns(table))

    def _columns(self, table: ibis.Table) -> dict[str, ibis.Value]:
        cfg = self.config
        t = table
        seg = t[self.segment_column]
        rules = cfg.rules
        hours_per_visit = ibis.literal(cfg.hours_per_visit)
        if "visit_hours" in t.columns and "visits" in t.columns:
            v, h = t.visits.cast("float64"), t.visit_hours.cast("float64")
            hours_per_visit = ibis.ifelse((v > 0) & (h > 0), h / v, cfg.hours_per_visit)
        now = t.visits_per_year.cast("float64").fill_null(0.0)
        target = ibis.cases(*[(seg == s, float(r.visits_per_year)) for s, r in rules.items()], else_=now) \
            if rules else now
        contact = ibis.cases(*[(seg == s, r.contact_model) for s, r in rules.items()], else_=ibis.null("string")) \
            if rules else ibis.null("string")
        return dict(policy_segment=seg, contact_model=contact, visit_target=target, visits_now=now,
                    visit_hours_now=now * hours_per_visit, visit_hours_target=target * hours_per_visit)

    def summarise(self, built: ibis.Table) -> ibis.Table:
        """One row per segment: the configured policy, visits and hours a year now and by policy, hours freed."""
        b = built
        agg = b.group_by("policy_segment").aggregate(
            customers=b.count(), visits_now=b.visits_now.sum(), visits_target=b.visit_target.sum(),
            hours_now=b.visit_hours_now.sum(), hours_target=b.visit_hours_target.sum())
        agg = agg.mutate(hours_freed=agg.hours_now - agg.hours_target)
        rules = self.config.rules
        pol = ibis.memtable({
            "policy_segment": list(rules),
            "contact_model": [r.contact_model for r in rules.values()],
            "channels": [r.channels for r in rules.values()],
            "visits_per_year": [float(r.visits_per_year) for r in rules.values()],
            "service_level": [r.service_level for r in rules.values()],
        }) if rules else None
        out = agg if pol is None else agg.left_join(pol, "policy_segment").drop("policy_segment_right")
        out = out.rename(segment="policy_segment")
        return out.order_by("segment")
