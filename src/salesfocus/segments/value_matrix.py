"""The value matrix (METHODS §4, seed 002): valuable is more than revenue.

Three criteria, each coded 1–3 — by default annual gross margin (€), annual order frequency (both by
tertiles of the base) and satisfaction (NPS with fixed cut-offs 7 and 9: detractors 1, passives 2,
promoters 3) — place every customer in one of 27 cells, written ``margin-frequency-satisfaction``
(``3-2-3``). Any numeric per-customer column can replace an axis' measure. Tertile cut-offs come from
the active customers (``tertile_base``), so that lapsed customers do not drag them down; every customer
is coded with them. Named groups, first match wins:

- **growth**: buys little (annual revenue at most the median, or frequency 1), very satisfied
  (satisfaction 3) and a good margin % (at least the median): the next campaign's target;
- **top**: no code below 2 and codes summing to at least 8 (3-3-3 and its neighbours);
- **at_risk**: valuable (margin + frequency codes ≥ 5) but unhappy (satisfaction 1);
- **cost**: low margin % (lowest third, or a net loss) and many complaints (≥ 1 a year);
- **no_nps**: no satisfaction score (with ``nps_missing = "empty"``: the cell stays empty);
- **other**: the rest.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from salesfocus.config import ValueAxis, ValueMatrixConfig
from salesfocus.segments.base import Segmentation, code_1_3, ensure_columns

__all__ = ["ValueMatrixSegmentation", "AXES", "VALUE_GROUPS"]

AXES = ("margin", "frequency", "satisfaction")
VALUE_GROUPS = ("top", "growth", "at_risk", "cost", "other", "no_nps")


class ValueMatrixSegmentation(Segmentation):
    """Codes, cell and named group per customer, and the 27-cell matrix.

    Parameters
    ----------
    config : ValueMatrixConfig
        The three axes (measure, tertiles or fixed cut-offs), what to do without NPS, the group rules.

    ``build(table)`` needs ``customer_id``, the three axis measures, and for the group rules
    ``annual_revenue, margin_pct, net_profit, complaints_per_year``. It returns ``customer_id,
    margin_code, frequency_code, satisfaction_code, satisfaction_source, value_cell, value_group``.

    Examples
    --------
    Margins 1..9 by tertiles: P33 = 3.67 and P67 = 6.33, so 1–3 → 1, 4–6 → 2, 7–9 → 3. NPS 6, 8, 10 with
    cut-offs (7, 9) → 1, 2, 3.
    """

    def __init__(self, config: ValueMatrixConfig) -> None:
        self.config = config

    @property
    def required(self) -> tuple[str, ...]:  # type: ignore[override]
        c = self.config
        return ("customer_id", c.margin.measure, c.frequency.measure, c.satisfaction.measure, "annual_revenue",
                "margin_pct", "net_profit", "complaints_per_year")

    def cuts(self, table: ibis.Table) -> ibis.Table:
        """One row: the two cut-offs of each axis (``<axis>_lo``, ``<axis>_hi``) and the group thresholds."""
        t = table
        if self.config.tertile_base == "active" and "status" in t.columns:
            t = t.filter(t.status == "active")
        aggs: dict[str, ir.Value] = {}
        for axis in AXES:
            a: ValueAxis = getattr(self.config, axis)
            m = t[a.measure].cast("float64")
            if a.coding == "fixed":
                lo, hi = a.cuts or (1.0, 2.0)
                aggs[f"{axis}_lo"], aggs[f"{axis}_hi"] = ibis.literal(float(lo)), ibis.literal(float(hi))
            else:
                aggs[f"{axis}_lo"], aggs[f"{axis}_hi"] = m.quantile(1 / 3), m.quantile(2 / 3)
        mp = t.margin_pct.cast("float64")
        aggs["revenue_growth"] = t.annual_revenue.cast("float64").quantile(self.config.growth_revenue_quantile)
        aggs["margin_pct_p33"] = mp.quantile(1 / 3)
        aggs["margin_pct_growth"] = mp.quantile(self.config.growth_margin_quantile)
        return t.aggregate(**aggs)

    def _build(self, table: ibis.Table) -> ibis.Table:
        table = table.select(*dict.fromkeys((*self.required, *(["status"] if "status" in table.columns else []))))
        return self._extend(table).select("customer_id", *self.columns)

    columns = ("margin_code", "frequency_code", "satisfaction_code", "satisfaction_source", "value_cell", "value_group")

    def extend(self, table: ibis.Table, cuts: ibis.Table | None = None) -> ibis.Table:
        """``table`` with the columns of :meth:`build` added, rows passing through.

        ``cuts``: :meth:`cuts` of the same table, run beforehand, so the per-customer query holds no aggregate
        over itself; without it they are computed inline.
        """
        ensure_columns(table, self.required, type(self).__name__)
        return self._extend(table, cuts)

    def _extend(self, table: ibis.Table, cuts: ibis.Table | None = None) -> ibis.Table:
        cfg = self.config
        cuts = self.cuts(table) if cuts is None else cuts
        names = cuts.columns
        t = table.cross_join(cuts)
        codes = {}
        for axis in AXES:
            a: ValueAxis = getattr(cfg, axis)
            codes[f"{axis}_code"] = code_1_3(t[a.measure].cast("float64"), t[f"{axis}_lo"], t[f"{axis}_hi"],
                                             inclusive=a.coding == "tertiles")
        t = t.mutate(**codes)
        known = t.satisfaction_code.notnull()
        if cfg.nps_missing == "neutral":
            t = t.mutate(satisfaction_source=ibis.ifelse(known, "data", "assumed neutral"),
                         satisfaction_code=t.satisfaction_code.fill_null(2))
        else:
            t = t.mutate(satisfaction_source=ibis.ifelse(known, "data", "missing"))
        mc, fc, sc = t.margin_code, t.frequency_code, t.satisfaction_code
        cell = ibis.ifelse(mc.notnull() & fc.notnull() & sc.notnull(),
                           mc.cast("string") + "-" + fc.cast("string") + "-" + sc.cast("string"), "")
        mp = t.margin_pct.cast("float64")
        low_margin = (mp <= t.margin_pct_p33) | (t.net_profit.cast("float64") < 0)
        group = ibis.cases(
            ((sc == 3) & ((fc == 1) | (t.annual_revenue.cast("float64") <= t.revenue_growth))
             & (mp >= t.margin_pct_growth), "growth"),
            ((mc >= 2) & (fc >= 2) & (sc >= 2) & (mc + fc + sc >= cfg.top_min_sum), "top"),
            ((mc + fc >= 5) & (sc == 1), "at_risk"),
            (low_margin & (t.complaints_per_year >= cfg.cost_complaints_per_year), "cost"),
            (sc.isnull(), "no_nps"),
            else_="other",
        )
        return t.mutate(value_cell=cell, value_group=group.fill_null("other")).drop(*names)

    @staticmethod
    def matrix(built: ibis.Table, customers: ibis.Table) -> ibis.Table:
        """All 27 cells: customers, revenue, annual revenue, net profit, their shares and the main group."""
        ensure_columns(customers, ["customer_id", "revenue"], "value matrix")
        money = [c for c in ("revenue", "annual_revenue", "net_profit") if c in customers.columns]
        j = built.left_join(customers.select("customer_id", *money), "customer_id").drop("customer_id_right")
        j = j.mutate(**{m: j[m].cast("float64") for m in money})
        tot = j.aggregate(_n=j.count(), **{f"_{m}": j[m].sum() for m in money})
        cells = j.filter(j.value_cell != "")
        agg = cells.group_by("value_cell").aggregate(customers=cells.count(), main_group=cells.value_group.mode(),
                                                     **{m: cells[m].sum() for m in money})
        keys = [f"{m}-{f}-{s}" for m in (3, 2, 1) for f in (3, 2, 1) for s in (3, 2, 1)]
        grid = ibis.memtable({"value_cell": keys, "margin_code": [int(k[0]) for k in keys],
                              "frequency_code": [int(k[2]) for k in keys],
                              "satisfaction_code": [int(k[4]) for k in keys], "_order": list(range(27))})
        out = grid.left_join(agg, "value_cell").drop("value_cell_right").cross_join(tot)
        out = out.mutate(customers=out.customers.fill_null(0), **{m: out[m].fill_null(0.0) for m in money})
        shares = {"customer_share": out.customers / out._n}
        shares.update({f"{m}_share": ibis.ifelse(out[f"_{m}"] == 0, ibis.null("float64"), out[m] / out[f"_{m}"])
                       for m in money if m != "annual_revenue"})
        out = out.mutate(**shares)
        return out.order_by("_order").drop("_order", "_n", *[f"_{m}" for m in money])
