"""The yes/no questions behind A/B/C and A–D, answered from the data or by a person, with the source.

METHODS §2 asks four questions (margin, speed, innovation, network), §3 adds a fifth (does revenue per
order cover the cost per order) and scores network as relevance × reputation × size. The data answers
margin, speed and order size; only people answer innovation and network. A manual answer in the
assessments table always overrides a derived one, and every answer carries its source:

- ``manual``: the latest non-empty answer in the assessments table (``margin_ok``, ``speed_ok``,
  ``innovation``, ``network``);
- ``derived``: computed from the data against a configured threshold;
- ``score``: the network scores relevance × reputation × size against ``network_min_score``;
- ``none``: nobody and no data answered; it counts as *no*.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from salesfocus.config import CostRates, CriteriaConfig
from salesfocus.segments.base import Segmentation, ensure_columns, fmt_int, fmt_pct

__all__ = ["Criteria", "latest_assessments", "decision_days", "ABC_CRITERIA", "ABCD_CRITERIA", "ASSESSMENT_FIELDS",
           "EVIDENCE"]

ABC_CRITERIA = ("margin", "speed", "innovation", "network")
ABCD_CRITERIA = ("order_size", "margin", "speed", "innovation", "network_abcd")
ASSESSMENT_FIELDS = ("potential_revenue", "margin_ok", "speed_ok", "innovation", "network", "network_relevance",
                     "network_reputation", "network_size", "nps")
_ORDER_COST_COMPONENTS = ("cost_orders", "cost_order_lines", "cost_deliveries", "cost_invoices")
# the numbers behind the answers that Criteria.explain turns into words
EVIDENCE = ("ev_margin", "ev_pay_days", "ev_terms", "ev_late", "ev_decision_days", "ev_net_relevance",
            "ev_net_reputation", "ev_net_size", "ev_order_on_margin", "order_value", "order_cost", "network_score")


def latest_assessments(assessments: ibis.Table) -> ibis.Table:
    """Per customer the latest non-empty value of each assessment field (a later row may leave a field blank)."""
    a = assessments
    fields = [f for f in ASSESSMENT_FIELDS if f in a.columns]
    order = a.assessment_date.desc() if "assessment_date" in a.columns else None
    aggs = {f: a[f].first(order_by=order, include_null=False) for f in fields}
    if "assessment_date" in a.columns:
        aggs["assessment_date"] = a.assessment_date.max()
    return a.group_by("customer_id").aggregate(**aggs)


def decision_days(leads: ibis.Table) -> ibis.Table:
    """Median days from quote to won order per customer (won leads with both dates)."""
    lt = leads.filter(leads.customer_id.notnull() & leads.quote_date.notnull() & leads.closed_date.notnull()
                      & (leads.stage.lower() == "won"))
    days = lt.closed_date.delta(lt.quote_date, unit="day").cast("float64")
    return lt.mutate(_d=days).group_by("customer_id").aggregate(decision_days=ibis._._d.median())


def _answer(manual: ir.BooleanValue | None, derived: ir.BooleanValue | None, known: ir.BooleanValue | None,
            derived_source: str = "derived") -> tuple[ir.BooleanValue, ir.StringValue]:
    """yes and source: manual wins, then the derived answer where known, else no with source 'none'."""
    cases_yes, cases_src = [], []
    if manual is not None:
        cases_yes.append((manual.notnull(), manual))
        cases_src.append((manual.notnull(), "manual"))
    if derived is not None:
        cases_yes.append((known, derived))
        cases_src.append((known, derived_source))
    if not cases_yes:
        return ibis.literal(False), ibis.literal("none")
    yes = ibis.cases(*cases_yes, else_=False).fill_null(False)
    return yes, ibis.cases(*cases_src, else_="none")


class Criteria(Segmentation):
    """Answers to the five questions per customer: ``<q>_yes`` (bool) and ``<q>_source``, plus their evidence.

    Parameters
    ----------
    config : CriteriaConfig
        Thresholds (``[segments.criteria]``).
    rates : CostRates
        Cost-to-serve rates, for the cost per order where the per-customer components are absent.

    ``build(customers, assessments=None, decisions=None)`` takes the per-customer table, the output of
    :func:`latest_assessments` and of :func:`decision_days`, and returns per customer: ``margin_*``,
    ``speed_*``, ``innovation_*``, ``network_*`` (A/B/C: the yes/no answer, else the score),
    ``network_abcd_*`` (A–D: the score where scored, else the yes/no answer), ``order_size_*``, each as
    ``_yes`` and ``_source``; ``network_score``, ``nps``, ``abc_potential`` and ``abc_potential_source``
    (the prediction analysis' ``potential_revenue``/``potential_source`` when present, else ``assessment``,
    else ``none`` with 0); and the numbers behind each answer (``ev_*``, ``order_value``, ``order_cost``).
    ``explain(table)`` turns those numbers into ``<q>_why`` texts for the segment reasons; it is separate so
    that the texts are built once, at the end, for the customers that are written out.
    """

    required = ("customer_id", "revenue", "gross_margin", "orders")

    def __init__(self, config: CriteriaConfig, rates: CostRates | None = None) -> None:
        self.config = config
        self.rates = rates or CostRates()

    def build(self, table: ibis.Table, assessments: ibis.Table | None = None,
              decisions: ibis.Table | None = None) -> ibis.Table:
        """Answer every question for every customer of ``table``."""
        t, out = self._answers(table, assessments, decisions)
        return t.select("customer_id", **out)

    def extend(self, table: ibis.Table, assessments: ibis.Table | None = None,
               decisions: ibis.Table | None = None) -> ibis.Table:
        """``table`` with the columns of :meth:`build` it does not have yet (its own win), rows passing through."""
        t, out = self._answers(table, assessments, decisions)
        joined = [c for c in t.columns if c not in table.columns]
        return t.mutate(**{k: v for k, v in out.items() if k not in table.columns}).drop(*joined)

    def _answers(self, table: ibis.Table, assessments: ibis.Table | None,
                 decisions: ibis.Table | None) -> tuple[ibis.Table, dict[str, ir.Value]]:
        ensure_columns(table, self.required, "Criteria")
        t = table
        if assessments is not None:
            keep = [c for c in ASSESSMENT_FIELDS if c in assessments.columns]
            a = assessments.select("customer_id", *[assessments[c].name(f"_a_{c}") for c in keep])
            t = t.left_join(a, "customer_id").drop("customer_id_right")
        if decisions is not None:
            t = t.left_join(decisions.select("customer_id", _decision_days="decision_days"),
                            "customer_id").drop("customer_id_right")
        col = lambda name: t[name] if name in t.columns else None  # noqa: E731
        out: dict[str, ir.Value] = {}
        out.update(self._margin(col))
        out.update(self._speed(col))
        out.update(self._judged(col))
        out.update(self._order_size(t, col))
        out.update(self._potential(col))
        nps = col("_a_nps")
        out["nps"] = nps.cast("float64") if nps is not None else ibis.null("float64")
        return t, out

    # -- the questions ------------------------------------------------------------------------
    def _margin(self, col) -> dict[str, ir.Value]:
        cfg = self.config
        m = col(cfg.margin_measure)
        value = m.cast("float64") if m is not None else ibis.null("float64")
        yes, src = _answer(col("_a_margin_ok"), value >= cfg.min_margin, value.notnull())
        return {"margin_yes": yes, "margin_source": src, "ev_margin": value}

    def _speed(self, col) -> dict[str, ir.Value]:
        cfg = self.config
        w, d = col("days_to_pay_weighted"), col("days_to_pay")
        pay = (w.cast("float64") if w is not None else ibis.null("float64"))
        if d is not None:
            pay = pay.fill_null(d.cast("float64"))
        terms_col = col("payment_terms_days")
        terms = (terms_col.cast("float64").fill_null(float(cfg.default_terms_days)) if terms_col is not None
                 else ibis.literal(float(cfg.default_terms_days)))
        late = col("late_share")
        late = late.cast("float64").fill_null(0.0) if late is not None else ibis.literal(0.0)
        pay_ok = (pay <= terms + cfg.pay_grace_days) & (late <= cfg.max_late_share)
        dec = col("_decision_days")
        dec = dec.cast("float64") if dec is not None else ibis.null("float64")
        dec_ok = dec <= cfg.max_decision_days
        pk, dk = pay.notnull(), dec.notnull()
        derived = ibis.cases((pk & dk, pay_ok & dec_ok), (pk, pay_ok), (dk, dec_ok), else_=False)
        yes, src = _answer(col("_a_speed_ok"), derived, pk | dk)
        return {"speed_yes": yes, "speed_source": src, "ev_pay_days": pay, "ev_terms": terms, "ev_late": late,
                "ev_decision_days": dec}

    def _judged(self, col) -> dict[str, ir.Value]:
        cfg = self.config
        yes_i, src_i = _answer(col("_a_innovation"), None, None)
        parts = [col(f"_a_network_{p}") for p in ("relevance", "reputation", "size")]
        if all(p is not None for p in parts):
            parts = [p.cast("float64") for p in parts]
            score = parts[0] * parts[1] * parts[2]
        else:
            parts, score = [ibis.null("float64")] * 3, ibis.null("float64")
        scored_yes = score >= cfg.network_min_score
        scored = score.notnull()
        man = col("_a_network")
        yes_n, src_n = _answer(man, scored_yes, scored, "score")
        # A–D: relevance × reputation × size where scored, else the yes/no answer.
        yes5 = ibis.cases((scored, scored_yes), else_=(man if man is not None else ibis.literal(False)))
        src5 = ibis.cases((scored, "score"), else_=(ibis.ifelse(man.notnull(), "manual", "none") if man is not None
                                                     else ibis.literal("none")))
        return {"innovation_yes": yes_i, "innovation_source": src_i, "network_yes": yes_n, "network_source": src_n,
                "network_abcd_yes": yes5.fill_null(False), "network_abcd_source": src5, "network_score": score,
                "ev_net_relevance": parts[0], "ev_net_reputation": parts[1], "ev_net_size": parts[2]}

    def _order_size(self, t: ibis.Table, col) -> dict[str, ir.Value]:
        cfg, r = self.config, self.rates
        orders = t.orders.cast("float64")
        n = ibis.ifelse(orders > 0, orders, ibis.null("float64"))
        if all(c in t.columns for c in _ORDER_COST_COMPONENTS):
            cost = sum((t[c].cast("float64").fill_null(0.0) for c in _ORDER_COST_COMPONENTS), ibis.literal(0.0)) / n
        else:
            lines = col("order_lines")
            per_line = (lines.cast("float64") / n) if lines is not None else ibis.literal(1.0)
            cost = ibis.literal(r.per_order + r.per_delivery + r.per_invoice) + per_line * r.per_order_line
        margin = t.gross_margin.cast("float64")
        if cfg.order_cover_basis == "gross_margin":
            value, on_margin = margin.fill_null(t.revenue.cast("float64")) / n, margin.notnull()
        else:
            value, on_margin = t.revenue.cast("float64") / n, ibis.literal(False)
        known = value.notnull() & cost.notnull()
        return {"order_size_yes": ((value >= cost) & known).fill_null(False),
                "order_size_source": ibis.ifelse(known, "derived", "none"),
                "order_value": value, "order_cost": cost, "ev_order_on_margin": on_margin}

    def _potential(self, col) -> dict[str, ir.Value]:
        pred, pred_src = col("potential_revenue"), col("potential_source")
        assessed = col("_a_potential_revenue")
        cases_v, cases_s = [], []
        if pred is not None:
            cases_v.append((pred.notnull(), pred.cast("float64")))
            cases_s.append((pred.notnull(), pred_src.cast("string").fill_null("prediction") if pred_src is not None
                            else ibis.literal("prediction")))
        if assessed is not None:
            cases_v.append((assessed.notnull(), assessed.cast("float64")))
            cases_s.append((assessed.notnull(), "assessment"))
        if not cases_v:
            return {"abc_potential": ibis.literal(0.0), "abc_potential_source": ibis.literal("none")}
        return {"abc_potential": ibis.cases(*cases_v, else_=0.0),
                "abc_potential_source": ibis.cases(*cases_s, else_="none")}

    # -- the evidence in words ----------------------------------------------------------------
    def explain(self, t: ibis.Table) -> ibis.Table:
        """Add ``<q>_why`` for every question, from the answers and ``ev_*`` numbers of :meth:`build`."""
        cfg = self.config
        label = "profit" if cfg.margin_measure == "profit_pct" else "gross margin"
        data = ibis.literal(f"{label} ") + fmt_pct(t.ev_margin)
        src = t.margin_source
        margin = ibis.cases(
            (src == "manual", "margin: by hand (data: " + data + ")"),
            (src == "derived", "margin: " + data + ibis.ifelse(t.ev_margin >= cfg.min_margin, " ≥ ", " < ")
             + f"{cfg.min_margin:.0%}"),
            else_="margin: no cost data",
        )
        pk, dk = t.ev_pay_days.notnull(), t.ev_decision_days.notnull()
        sdata = (ibis.ifelse(pk, "pays in " + fmt_int(t.ev_pay_days) + " d (terms " + fmt_int(t.ev_terms) + " d, "
                             + fmt_pct(t.ev_late) + " late)", "")
                 + ibis.ifelse(pk & dk, ", ", "") + ibis.ifelse(dk, "decides in " + fmt_int(t.ev_decision_days)
                                                                + " d", ""))
        speed = ibis.cases((t.speed_source == "manual", "speed: by hand (data: " + ibis.ifelse(pk | dk, sdata, "none")
                            + ")"),
                           (t.speed_source == "derived", "speed: " + sdata), else_="speed: no invoices or quotes")
        score_txt = (fmt_int(t.ev_net_relevance) + "×" + fmt_int(t.ev_net_reputation) + "×" + fmt_int(t.ev_net_size)
                     + " = " + fmt_int(t.network_score)
                     + ibis.ifelse(t.network_score >= cfg.network_min_score, " ≥ ", " < ")
                     + f"{cfg.network_min_score:g}")
        order_label = ibis.ifelse(t.ev_order_on_margin, "margin €", "revenue €")
        says = lambda yes: ibis.ifelse(yes, "assessment says yes", "assessment says no")  # noqa: E731
        return t.mutate(
            margin_why=margin,
            speed_why=speed,
            innovation_why=ibis.ifelse(t.innovation_source == "manual", "innovation: " + says(t.innovation_yes),
                                       "innovation: not assessed"),
            network_why=ibis.cases((t.network_source == "manual", "network: " + says(t.network_yes)),
                                   (t.network_source == "score", "network: score " + score_txt),
                                   else_="network: not assessed"),
            network_abcd_why=ibis.cases((t.network_abcd_source == "score", "network: " + score_txt),
                                        (t.network_abcd_source == "manual", "network: " + says(t.network_abcd_yes)),
                                        else_="network: not assessed"),
            order_size_why=ibis.ifelse(t.order_size_source == "derived",
                                       "order size: " + order_label + fmt_int(t.order_value) + " per order vs cost €"
                                       + fmt_int(t.order_cost), "order size: no orders"),
        )
