"""The A/B/C matrix (METHODS §2, seed 001): who deserves face-to-face time, and why.

Y is annual revenue plus potential revenue; X is the number of yes answers to margin, speed, innovation
and network (0–4). "High" on Y is a company choice: by default the largest customers that together make
up 80% of all Y (Pareto), or a fixed amount. High Y with at least ``a_min_yes`` yes answers is **A**
(top right); low Y with at most ``c_max_yes`` is **C** (bottom left); everything between is **B**. When
nobody and no data could answer some questions (no assessments, no invoices), both thresholds scale to
the m answerable questions: ``ceil(a_min_yes·m/4)`` and ``floor(c_max_yes·m/4)`` (``scale_to_answered``).

The method's own exercise takes the 20 largest customers of the last 3–4 years (``top_n``); the
per-customer segments use the whole base.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from salesfocus.config import ABCConfig
from salesfocus.segments.base import Segmentation, answered, ensure_columns, fmt_int, scaled
from salesfocus.segments.criteria import ABC_CRITERIA

__all__ = ["ABCSegmentation", "reasons"]


def reasons(t: ibis.Table, criteria: tuple[str, ...]) -> ir.StringValue:
    """'yes: a; b. no: c' from the ``<q>_yes`` answers and ``<q>_why`` evidence (CONCAT_WS skips the NULLs)."""
    none = ibis.null("string")
    yes = ibis.literal("; ").join([ibis.ifelse(t[f"{q}_yes"], t[f"{q}_why"], none) for q in criteria])
    no = ibis.literal("; ").join([ibis.ifelse(t[f"{q}_yes"], none, t[f"{q}_why"]) for q in criteria])
    # NULLIF: an empty list gives NULL ('yes: ' || NULL is NULL), without building the list twice
    return ibis.literal(". ").join(["yes: " + yes.nullif(""), "no: " + no.nullif("")])


class ABCSegmentation(Segmentation):
    """A/B/C per customer from annual revenue + potential (Y) and the four yes answers (X).

    Parameters
    ----------
    config : ABCConfig
        ``high_basis``/``high_share``/``high_amount`` set the Y boundary; ``a_min_yes`` and ``c_max_yes``
        the diagonal of the matrix.

    ``build(table)`` needs ``customer_id, annual_revenue, abc_potential`` and ``<q>_yes`` for margin, speed,
    innovation and network (:class:`salesfocus.segments.criteria.Criteria`). It returns ``customer_id,
    abc_value, abc_size`` (high/low), ``criteria_yes`` (0–4), ``abc_questions`` (questions answerable in
    the data set) and ``abc_segment``; when the input carries the ``<q>_why`` texts of
    :meth:`Criteria.explain <salesfocus.segments.criteria.Criteria.explain>`, also ``abc_reasons``
    (:meth:`reasons` builds them on any table with those columns).

    Examples
    --------
    A customer with Y in the top 80% and yes to margin, speed and network: high, 3 yes → A. A small
    customer that pays late, costs too much and has no network: low, 0 yes → C.
    """

    required = ("customer_id", "annual_revenue", "abc_potential", *(f"{q}_yes" for q in ABC_CRITERIA))

    def __init__(self, config: ABCConfig) -> None:
        self.config = config

    def _build(self, table: ibis.Table) -> ibis.Table:
        optional = ("abc_potential_source", *(f"{q}_{s}" for q in ABC_CRITERIA for s in ("source", "why")))
        t = self._extend(table.select(*self.required, *[c for c in optional if c in table.columns]))
        out = ["customer_id", "abc_value", "abc_size", "criteria_yes", "abc_questions", "abc_segment"]
        if all(f"{q}_why" in t.columns for q in ABC_CRITERIA):
            return t.select(*out, abc_reasons=self.reasons(t))
        return t.select(*out)

    def extend(self, table: ibis.Table, constants: ibis.Table | None = None, *,
               by: tuple[str, ...] = ()) -> ibis.Table:
        """``table`` with ``abc_value, criteria_yes, abc_size, abc_segment, abc_questions`` added, rows passing through.

        ``constants`` is :meth:`constants` of the same table run beforehand (a one-row table), so that the
        per-customer query holds no window or aggregate over itself; without it they are computed inline.
        ``by``: segment each group of rows with these values on its own (one row per customer and period);
        ``constants`` then has a row per group.
        """
        ensure_columns(table, (*self.required, *by), type(self).__name__)
        return self._extend(table, constants, by=by)

    def _values(self, t: ibis.Table) -> ibis.Table:
        value = t.annual_revenue.cast("float64").fill_null(0.0) + t.abc_potential.cast("float64").fill_null(0.0)
        # in cents: a potential that tops revenue up to the peers' level gives those customers the same Y, which must
        # compare equal at the boundary; as a float sum it differs in its last bits by the order of adding (and so
        # between engines), and equal customers fell on both sides of it
        value = value.round(2)
        n_yes = sum((t[f"{q}_yes"].cast("int64") for q in ABC_CRITERIA), ibis.literal(0)).cast("int64")
        return t.mutate(abc_value=value, criteria_yes=n_yes)

    def constants(self, table: ibis.Table, *, by: tuple[str, ...] = (),
                  answers: ibis.Table | None = None) -> ibis.Table:
        """One row: ``_boundary`` (the smallest Y that is high) and ``_m`` (the questions answerable).

        ``by``: a row per group of these columns' values, each with the boundary of its own rows.
        ``answers``: the table whose ``<q>_source`` columns decide ``_m`` (default ``table``): the whole
        customer table when ``table`` holds only some customers, so that the count is the data set's.
        """
        answers = table if answers is None else answers
        t = self._values(table.select(*self.required, *by))
        b = self._boundary(t, by)
        if not self.config.scale_to_answered:
            return b.mutate(_m=ibis.literal(len(ABC_CRITERIA)))
        return b.cross_join(answered(answers, ABC_CRITERIA))

    def _extend(self, table: ibis.Table, constants: ibis.Table | None = None, *,
                by: tuple[str, ...] = ()) -> ibis.Table:
        cfg = self.config
        t = self._values(table)
        inline = constants is None
        if inline:
            constants = self._boundary(t, by)
        keep = [c for c in ("_boundary", "_m") if c in constants.columns]
        t = t.join(constants.select(*by, *keep), list(by)) if by else t.cross_join(constants.select(*keep))
        t = t.mutate(abc_size=ibis.ifelse((t.abc_value > 0) & (t.abc_value >= t._boundary), "high", "low"))
        if inline:
            t = (t.cross_join(answered(t, ABC_CRITERIA)) if cfg.scale_to_answered
                 else t.mutate(_m=ibis.literal(len(ABC_CRITERIA))))
        n = len(ABC_CRITERIA)
        seg = ibis.cases(
            ((t.abc_size == "high") & (t.criteria_yes >= scaled(cfg.a_min_yes, t._m, n)), "A"),
            ((t.abc_size == "low") & (t.criteria_yes <= scaled(cfg.c_max_yes, t._m, n, up=False)), "C"),
            else_="B",
        )
        return t.mutate(abc_segment=seg, abc_questions=t._m).drop("_boundary", "_m")

    @staticmethod
    def reasons(t: ibis.Table) -> ir.StringValue:
        """'A: high (€… a year = revenue €… + potential €… (source)), 3 of 4 yes. yes: …. no: …'."""
        pot = ibis.ifelse(t.abc_potential.fill_null(0) > 0,
                          " + potential €" + fmt_int(t.abc_potential)
                          + (" (" + t.abc_potential_source + ")" if "abc_potential_source" in t.columns else ""), "")
        size_txt = (t.abc_size + " (€" + fmt_int(t.abc_value) + " a year = revenue €" + fmt_int(t.annual_revenue)
                    + pot + ")")
        return (t.abc_segment + ": " + size_txt + ", " + t.criteria_yes.cast("string") + " of "
                + t.abc_questions.cast("string") + " yes. " + reasons(t, ABC_CRITERIA))

    def _boundary(self, t: ibis.Table, by: tuple[str, ...] = ()) -> ibis.Table:
        """One row (per ``by`` group), ``_boundary``: the smallest Y that is high.

        Share basis: rank on Y (ties on customer_id); the customers whose preceding cumulative Y is below
        ``high_share`` of the total are the ones needed to reach it, and the smallest of their Y is the
        boundary (a customer with the same Y as the boundary is high too). Amount basis: ``high_amount``.
        """
        cfg = self.config
        if cfg.high_basis == "amount":
            amount = ibis.literal(float(cfg.high_amount))
            return t.select(*by).distinct().mutate(_boundary=amount) if by else t.aggregate(_boundary=amount)
        v = t.select("customer_id", *by, "abc_value")  # the window sorts only these columns
        order = [v.abc_value.desc(), v.customer_id]
        v = v.mutate(_before=v.abc_value.sum().over(ibis.cumulative_window(group_by=list(by), order_by=order))
                     - v.abc_value,
                     _total=v.abc_value.sum().over(ibis.window(group_by=list(by))))
        b = v.abc_value.min(where=(v._before < v._total * cfg.high_share) & (v.abc_value > 0))
        if by:
            return v.group_by(list(by)).aggregate(_boundary=b.fill_null(float("inf")))
        return v.aggregate(_boundary=b.fill_null(float("inf")))

    def boundary(self, segmented: ibis.Table) -> ir.FloatingScalar:
        """The smallest Y that counts as high (NULL when none is high)."""
        s = segmented
        return s.abc_value.min(where=s.abc_size == "high")

    @staticmethod
    def matrix(segmented: ibis.Table, customers: ibis.Table) -> ibis.Table:
        """The matrix: one row per Y class (high/low) × yes count (0–4) with its segment and totals."""
        money = [c for c in ("revenue", "net_profit") if c in customers.columns]
        cols = ["customer_id", "abc_size", "criteria_yes", "abc_segment", "abc_value"]
        if customers is segmented:  # one table with both: no join of it with itself
            j = segmented.select(*cols, *money)
        else:
            j = segmented.select(*cols).left_join(customers.select("customer_id", *money),
                                                  "customer_id").drop("customer_id_right")
        agg = j.group_by(["abc_size", "criteria_yes"]).aggregate(
            customers=j.count(), abc_segment=j.abc_segment.max(), abc_value=j.abc_value.sum(),
            **{m: j[m].cast("float64").sum() for m in money})
        grid = ibis.memtable({"abc_size": ["high"] * 5 + ["low"] * 5, "criteria_yes": list(range(5)) * 2})
        out = grid.left_join(agg, ["abc_size", "criteria_yes"]).drop("abc_size_right", "criteria_yes_right")
        return out.mutate(customers=out.customers.fill_null(0)).order_by(
            [out.abc_size, out.criteria_yes.desc()])

    def top_n(self, criteria: ibis.Table, n: int, extra: list[str] | None = None, explain=None) -> ibis.Table:
        """The method's exercise: the ``n`` largest customers by annual revenue, segmented among themselves.

        ``explain`` (e.g. :meth:`Criteria.explain`) adds the evidence texts after the cut, for the reasons.
        """
        c = criteria
        top = c.order_by([c.annual_revenue.desc(), c.customer_id]).limit(n)
        if explain is not None:
            top = explain(top)
        seg = self._build(top)
        cols = ["annual_revenue", "abc_potential", "abc_potential_source",
                *(f"{q}_{s}" for q in ABC_CRITERIA for s in ("yes", "source")), *(extra or [])]
        j = seg.join(top.select("customer_id", *[x for x in cols if x in top.columns]), "customer_id")
        j = j.mutate(rank=ibis.row_number().over(order_by=[j.abc_value.desc(), j.customer_id]) + 1)
        return j.order_by("rank").relocate("rank")
