"""Five criteria, A to D (METHODS §3, seed 003): the dream customer scores on all five.

1. order size: the average order's gross margin covers the fixed + variable cost per order;
2. margin; 3. speed; 4. innovation; 5. network as relevance × reputation × size (where scored).
The number of yes answers (0–5) gives the segment: by default A from 4, B at 3, C at 2, D below; the
thresholds scale to the questions answerable in the data set as in :mod:`salesfocus.segments.abc`.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from salesfocus.config import ABCDConfig
from salesfocus.segments.abc import reasons
from salesfocus.segments.base import Segmentation, answered, ensure_columns, scaled
from salesfocus.segments.criteria import ABCD_CRITERIA

__all__ = ["ABCDSegmentation"]


class ABCDSegmentation(Segmentation):
    """A–D per customer from the five criteria, with the reasons in words.

    Parameters
    ----------
    config : ABCDConfig
        The yes counts from which a customer is A, B or C (``a_min_yes``, ``b_min_yes``, ``c_min_yes``).

    ``build(table)`` needs ``<q>_yes`` for order_size, margin, speed, innovation and network_abcd
    (:class:`salesfocus.segments.criteria.Criteria`) and returns ``customer_id, criteria5_yes`` (0–5),
    ``abcd_questions`` (answerable in the data set) and ``abcd_segment``; with the ``<q>_why`` texts in the
    input also ``abcd_reasons`` (see :meth:`reasons`).

    Examples
    --------
    A large customer whose orders cover their cost, with margin, speed and network: 4 yes → A.
    A small, late-paying, costly customer without network: 0 yes → D.
    """

    required = ("customer_id", *(f"{q}_yes" for q in ABCD_CRITERIA))

    def __init__(self, config: ABCDConfig) -> None:
        self.config = config

    def _build(self, table: ibis.Table) -> ibis.Table:
        optional = [f"{q}_{s}" for q in ABCD_CRITERIA for s in ("source", "why")]
        t = self._extend(table.select(*self.required, *[c for c in optional if c in table.columns]))
        out = ["customer_id", "criteria5_yes", "abcd_questions", "abcd_segment"]
        if all(f"{q}_why" in t.columns for q in ABCD_CRITERIA):
            return t.select(*out, abcd_reasons=self.reasons(t))
        return t.select(*out)

    def extend(self, table: ibis.Table, constants: ibis.Table | None = None) -> ibis.Table:
        """``table`` with ``criteria5_yes, abcd_segment, abcd_questions`` added, rows passing through.

        ``constants``: :meth:`constants` of the same table, run beforehand (see ``ABCSegmentation.extend``).
        """
        ensure_columns(table, self.required, type(self).__name__)
        return self._extend(table, constants)

    def constants(self, table: ibis.Table) -> ibis.Table:
        """One row: ``_m``, the questions answerable in the data set."""
        if not self.config.scale_to_answered:
            return table.aggregate(_n=table.count()).select(_m=ibis.literal(len(ABCD_CRITERIA)))
        return answered(table.select(*[f"{q}_source" for q in ABCD_CRITERIA if f"{q}_source" in table.columns]
                                     or ["customer_id"]), ABCD_CRITERIA)

    def _extend(self, table: ibis.Table, constants: ibis.Table | None = None) -> ibis.Table:
        cfg = self.config
        t = table
        n = sum((t[f"{q}_yes"].cast("int64") for q in ABCD_CRITERIA), ibis.literal(0)).cast("int64")
        t = t.mutate(criteria5_yes=n)
        if constants is not None:
            t = t.cross_join(constants.select("_m"))
        else:
            t = (t.cross_join(answered(t, ABCD_CRITERIA)) if cfg.scale_to_answered
                 else t.mutate(_m=ibis.literal(len(ABCD_CRITERIA))))
        k = len(ABCD_CRITERIA)
        seg = ibis.cases((t.criteria5_yes >= scaled(cfg.a_min_yes, t._m, k), "A"),
                         (t.criteria5_yes >= scaled(cfg.b_min_yes, t._m, k), "B"),
                         (t.criteria5_yes >= scaled(cfg.c_min_yes, t._m, k), "C"), else_="D")
        return t.mutate(abcd_segment=seg, abcd_questions=t._m).drop("_m")

    @staticmethod
    def reasons(t: ibis.Table) -> ir.StringValue:
        """'B: 3 of 5 yes. yes: order size: …; margin: …. no: …'."""
        return (t.abcd_segment + ": " + t.criteria5_yes.cast("string") + " of " + t.abcd_questions.cast("string")
                + " yes. " + reasons(t, ABCD_CRITERIA))
