"""Five criteria, A to D (METHODS §3, seed 003): the dream customer scores on all five.

1. order size: the average order's gross margin covers the fixed + variable cost per order;
2. margin; 3. speed; 4. innovation; 5. network as relevance × reputation × size (where scored).
The number of yes answers (0–5) gives the segment: by default A from 4, B at 3, C at 2, D below.
"""

from __future__ import annotations

import ibis

from salesfocus.config import ABCDConfig
from salesfocus.segments.abc import reasons
from salesfocus.segments.base import Segmentation
from salesfocus.segments.criteria import ABCD_CRITERIA

__all__ = ["ABCDSegmentation"]


class ABCDSegmentation(Segmentation):
    """A–D per customer from the five criteria, with the reasons in words.

    Parameters
    ----------
    config : ABCDConfig
        The yes counts from which a customer is A, B or C (``a_min_yes``, ``b_min_yes``, ``c_min_yes``).

    ``build(table)`` needs ``<q>_yes``/``<q>_why`` for order_size, margin, speed, innovation and
    network_abcd (:class:`salesfocus.segments.criteria.Criteria`) and returns ``customer_id,
    criteria5_yes`` (0–5), ``abcd_segment`` and ``abcd_reasons``.

    Examples
    --------
    A large customer whose orders cover their cost, with margin, speed and network: 4 yes → A.
    A small, late-paying, costly customer without network: 0 yes → D.
    """

    required = ("customer_id", *(f"{q}_{s}" for q in ABCD_CRITERIA for s in ("yes", "why")))

    def __init__(self, config: ABCDConfig) -> None:
        self.config = config

    def _build(self, table: ibis.Table) -> ibis.Table:
        cfg = self.config
        t = table
        n = sum((t[f"{q}_yes"].cast("int64") for q in ABCD_CRITERIA), ibis.literal(0)).cast("int64")
        t = t.mutate(criteria5_yes=n)
        seg = ibis.cases((t.criteria5_yes >= cfg.a_min_yes, "A"), (t.criteria5_yes >= cfg.b_min_yes, "B"),
                         (t.criteria5_yes >= cfg.c_min_yes, "C"), else_="D")
        t = t.mutate(abcd_segment=seg)
        why = t.abcd_segment + ": " + t.criteria5_yes.cast("string") + " of 5 yes. " + reasons(t, ABCD_CRITERIA)
        return t.select("customer_id", "criteria5_yes", "abcd_segment", abcd_reasons=why)
