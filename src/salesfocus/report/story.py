"""The summary a director reads first: plain sentences and headline figures taken from the run.

Every number here is a figure the run already holds (``run.meta["summary"]`` or a cell of one of its
tables): sentences pick and phrase them, they never compute them. A sentence whose figures the run
lacks is left out, so a run with only order lines still gets a short, true summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salesfocus.profit import HEAD_SHARE, TAIL_SHARE
from salesfocus.report.tables import RunData, clean

__all__ = ["Headline", "headlines", "sentences", "HEADLINE_KEYS"]

# summary key → kind; the order of the overview.
HEADLINE_KEYS = [
    ("customers", "int"), ("revenue", "money"), ("gross_margin", "money"), ("cost_to_serve", "money"),
    ("net_profit", "money"), ("top20_revenue_share", "pct"), ("tail_cost_share", "pct"),
    ("whale_peak_share", "pct"), ("loss_making_customers", "int"), ("loss_making_share", "pct"),
    ("loss_making_total", "money"), ("order_lines", "int"), ("rows_read", "int"), ("rows_rejected", "int"),
]
_GROUPS = [("abc_segments", "h_abc", "m_abc"), ("abcd_segments", "h_abcd", "m_abcd"),
           ("value_groups", "h_value_groups", "m_value_groups")]


@dataclass
class Headline:
    """One headline figure: its summary key, label, value, kind (money, pct, int) and meaning."""

    key: str
    label: str
    value: Any
    kind: str
    meaning: str


def headlines(data: RunData) -> list[Headline]:
    """The headline figures the run holds, labelled and explained in the report's language."""
    t, s = data.texts, data.summary
    out = []
    for key, kind in HEADLINE_KEYS:
        v = clean(s.get(key))
        if v is None:
            continue
        out.append(Headline(key, t.col(key), v, kind, t.t(f"m_{key}")))
    for key, head, meaning in _GROUPS:
        groups = s.get(key)
        if isinstance(groups, dict):
            for g, n in groups.items():
                out.append(Headline(f"{key}.{g}", f"{t.t(head)}: {t.value(g)}", n, "int", t.t(meaning)))
    return out


def _row(data: RunData, table: str, column: str, value: Any) -> dict[str, Any] | None:
    if not data.has(table, column):
        return None
    f = data.frame(table)
    hit = f[f[column] == value]
    return None if hit.empty else {k: clean(v) for k, v in hit.iloc[0].items()}


def _overall(data: RunData) -> str | None:
    t, s = data.texts, data.summary
    if s.get("revenue") is None or s.get("customers") is None:
        return None
    start, end = data.period()
    if s.get("gross_margin") is None or s.get("net_profit") is None:
        return t.t("s_overall_nocost", customers=t.num(s["customers"]), revenue=t.money(s["revenue"]),
                   start=start, end=end)
    return t.t("s_overall", customers=t.num(s["customers"]), revenue=t.money(s["revenue"]), start=start, end=end,
               margin=t.money(s["gross_margin"]), cts=t.money(s.get("cost_to_serve")), profit=t.money(s["net_profit"]))


def _pareto(data: RunData) -> str | None:
    t, s = data.texts, data.summary
    top = clean(s.get("top20_revenue_share"))
    if top is None:
        return None
    loss, total = clean(s.get("loss_making_share")), clean(s.get("loss_making_total"))
    if loss is None or total is None:
        return t.t("s_pareto", head=t.pct(HEAD_SHARE), top=t.pct(top))
    return t.t("s_pareto_loss", head=t.pct(HEAD_SHARE), top=t.pct(top), loss=t.pct(loss),
               loss_total=t.money(abs(total)))


def _tail(data: RunData) -> str | None:
    t = data.texts
    v = clean(data.summary.get("tail_cost_share"))
    return None if v is None else t.t("s_tail", tail=t.pct(TAIL_SHARE), cost=t.pct(v))


def _whale(data: RunData) -> str | None:
    t = data.texts
    peak = clean(data.summary.get("whale_peak_share"))
    if peak is None or not data.has("whale_curve", "cum_profit_share", "customer_share"):
        return None
    f = data.frame("whale_curve", columns=["customer_share", "cum_profit_share"])
    if f["cum_profit_share"].notna().sum() == 0:
        return None
    at = f.loc[f["cum_profit_share"].idxmax()]
    return t.t("s_whale", cust=t.pct(clean(at["customer_share"])), peak=t.pct(peak))


def _pyramid(data: RunData) -> list[str]:
    t = data.texts
    cols = ("pyramid_level", "count", "customer_share", "revenue_share", "profit_share")
    if not data.has("pyramid", *cols):
        return []
    f = data.frame("pyramid")
    if "level_order" in f.columns:
        f = f.sort_values("level_order")
    out = []
    rows = [{k: clean(v) for k, v in r.items()} for r in f.to_dict("records")]
    rows = [r for r in rows if r["revenue_share"] is not None and (r["count"] or 0) > 0]
    if rows:
        r = rows[0]
        out.append(t.t("s_pyramid", n=t.num(r["count"]), share=t.pct(r["customer_share"]),
                       rev=t.pct(r["revenue_share"]), profit=t.pct(r["profit_share"])))
    if "visits_share" in f.columns:
        heavy = [r for r in rows if r.get("visits_share") is not None and r["profit_share"] is not None
                 and r["visits_share"] > r["profit_share"]]
        if heavy:
            r = min(heavy, key=lambda r: r["profit_share"])
            out.append(t.t("s_effort", level=t.value(r["pyramid_level"]), visits=t.pct(r["visits_share"]),
                           profit=t.pct(r["profit_share"])))
    return out


def _segments(data: RunData) -> list[str]:
    t, s = data.texts, data.summary
    out = []
    abc = s.get("abc_segments")
    if isinstance(abc, dict) and abc:
        out.append(t.t("s_abc", a=t.num(abc.get("A", 0)), b=t.num(abc.get("B", 0)), c=t.num(abc.get("C", 0))))
    c_row = _row(data, "segment_policy", "segment", "C")
    if c_row and (c_row.get("hours_freed") or 0) > 0:
        out.append(t.t("s_policy", hours=t.num(c_row["hours_freed"])))
    groups = s.get("value_groups")
    if isinstance(groups, dict) and groups.get("growth"):
        out.append(t.t("s_growth", n=t.num(groups["growth"])))
    seg = s.get("segments") if isinstance(s.get("segments"), dict) else {}
    traits = seg.get("top_traits") or {}
    picked = [(attr, vals[0]) for attr, vals in traits.items() if vals][:3]
    if picked:
        words = [t.t("trait", attr=t.value(a), value=v["value"], lift=t.num(v["lift"], 1)) for a, v in picked]
        n_pros = seg.get("prospects_scored")
        pros = t.t("s_prospects", n=t.num(n_pros)) if n_pros else ""
        out.append(t.t("s_kopgroep", n=t.num(seg.get("profile_group_customers") or 0), traits=t.join(words),
                       prospects=pros))
    return out


def _over_time(data: RunData) -> list[str]:
    t, s = data.texts, data.summary
    out = []
    ret = s.get("retention") if isinstance(s.get("retention"), dict) else {}
    if ret.get("customer_retention") is not None and ret.get("net_revenue_retention") is not None:
        out.append(t.t("s_retention", ret=t.pct(ret["customer_retention"]), period=ret.get("period", ""),
                       nrr=t.pct(ret["net_revenue_retention"])))
    mig = s.get("migration") if isinstance(s.get("migration"), dict) else {}
    if mig.get("up") is not None and mig.get("down") is not None:
        out.append(t.t("s_migration", from_p=mig.get("from_period", ""), to_p=mig.get("to_period", ""),
                       up=t.num(mig["up"]), down=t.num(mig["down"]), lost=t.num(mig.get("lost") or 0)))
    goals = s.get("goals") if isinstance(s.get("goals"), dict) else {}
    if goals.get("total"):
        out.append(t.t("s_goals", met=t.num(goals.get("met") or 0), total=t.num(goals["total"])))
    return out


def _targeting(data: RunData) -> list[str]:
    t, s = data.texts, data.summary
    out = []
    if data.has("segments", "segment", "focus"):
        f = data.frame("segments")
        if "rank" in f:
            f = f.sort_values("rank")
        names = [str(n) for n in f.loc[f["focus"].fillna(False).astype(bool), "segment"].head(5)]
        if names:
            out.append(t.t("s_focus", names=t.join(names)))
    alarms = s.get("alarms")
    if isinstance(alarms, list):
        red = [t.value(a.get("name")) for a in alarms if isinstance(a, dict) and a.get("status") == "red"]
        if red:
            out.append(t.t("s_alarms", names="; ".join(red)))
    return out


def sentences(data: RunData) -> list[str]:
    """The summary in plain sentences, most important first; only sentences whose figures exist."""
    t, s = data.texts, data.summary
    out = [x for x in (_overall(data), _pareto(data), _tail(data), _whale(data)) if x]
    out += _pyramid(data)
    out += _segments(data)
    out += _targeting(data)
    if "at_risk" in data.run.tables and data.arrow("at_risk").num_rows:
        out.append(t.t("s_at_risk", n=t.num(data.arrow("at_risk").num_rows)))
    out += _over_time(data)
    if s.get("rows_rejected"):
        out.append(t.t("s_rejected", n=t.num(s["rows_rejected"]), read=t.num(s.get("rows_read") or 0)))
    return out
