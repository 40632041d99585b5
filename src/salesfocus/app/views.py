"""The app's pages: each shows a chart, its table and a plain-language line from the stored run."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.express as px
import streamlit as st

from salesfocus.app.state import RunView

__all__ = ["PAGES", "T"]

_WORDS = {
    "Overview": "Overzicht", "Profitability": "Winstgevendheid", "Segments": "Segmenten",
    "Value matrix": "Waardematrix", "Prospects": "Prospects", "Potential and risk": "Potentie en risico",
    "Targeting": "Doelgroepkeuze", "Over time": "In de tijd", "Import": "Importeren", "Downloads": "Downloads",
    "customers": "klanten", "revenue": "omzet", "net profit": "nettowinst", "loss-making": "verliesgevend",
    "This page needs": "Deze pagina heeft nodig", "not in this run": "niet in deze analyse",
    "Customer": "Klant", "Why here": "Waarom hier",
}


def T(text: str) -> str:
    """Translate a label when the app runs in Dutch."""
    return _WORDS.get(text, text) if st.session_state.get("lang", "en") == "nl" else text


def _money(v) -> str:
    try:
        return f"€{float(v):,.0f}".replace(",", ".") if st.session_state.get("lang") == "nl" else f"€{float(v):,.0f}"
    except (TypeError, ValueError):
        return "–"


def _pct(v) -> str:
    try:
        return f"{float(v):.0%}"
    except (TypeError, ValueError):
        return "–"


def _missing(name: str) -> None:
    st.info(f"{T('This page needs')} `{name}`: {T('not in this run')}.")


def _table(df: pd.DataFrame, key: str) -> None:
    st.dataframe(df, use_container_width=True, hide_index=True, key=f"tbl_{key}")


def overview(run: RunView) -> None:
    s = run.summary
    c = st.columns(4)
    c[0].metric(T("customers"), f"{s.get('customers', 0):,}")
    c[1].metric(T("revenue"), _money(s.get("revenue")))
    c[2].metric(T("net profit"), _money(s.get("net_profit")))
    c[3].metric(T("loss-making"), _pct(s.get("loss_making_share")))
    if s.get("top20_revenue_share") is not None:
        st.write(
            f"The top 20% of customers make {_pct(s['top20_revenue_share'])} of revenue; "
            f"{_pct(s.get('loss_making_share'))} of customers lose money; the customers behind the last 20% of "
            f"revenue take {_pct(s.get('tail_cost_share'))} of the cost-to-serve."
            if st.session_state.get("lang") != "nl" else
            f"De beste 20% van de klanten maakt {_pct(s['top20_revenue_share'])} van de omzet; "
            f"{_pct(s.get('loss_making_share'))} van de klanten is verliesgevend; de klanten achter de laatste 20% "
            f"omzet kosten {_pct(s.get('tail_cost_share'))} van de klantkosten."
        )
    st.caption(f"run {run.run_id} · {run.created_at} · {s.get('period_start')} – {s.get('period_end')} · "
               f"rows read {s.get('rows_read', 0):,} = accepted {s.get('rows_accepted', 0):,} + rejected "
               f"{s.get('rows_rejected', 0):,}")
    for n in s.get("notes", []):
        st.warning(n)


def profitability(run: RunView) -> None:
    whale = run.get("whale_curve")
    if whale is None:
        _missing("whale_curve")
    else:
        fig = px.line(whale, x="customer_share", y=[c for c in ("cum_profit_share", "cum_revenue_share")
                                                      if c in whale.columns],
                      labels={"value": "share", "customer_share": "share of customers"},
                      title="Whale curve and Pareto")
        st.plotly_chart(fig, use_container_width=True, key="whale")
    pyr = run.get("pyramid")
    if pyr is not None:
        ycol = "pyramid_level" if "pyramid_level" in pyr.columns else pyr.columns[0]
        fig = px.bar(pyr, y=ycol, x=[c for c in ("revenue", "net_profit", "cost_to_serve") if c in pyr.columns],
                     orientation="h", barmode="group", title="Customer pyramid")
        st.plotly_chart(fig, use_container_width=True, key="pyramid")
        _table(pyr, "pyramid")
    for name in ("loss_makers", "effort"):
        df = run.get(name)
        if df is not None:
            st.subheader(name.replace("_", " ").capitalize())
            _table(df, name)


def segments(run: RunView) -> None:
    cust = run.get("customers")
    if cust is None or "abc_segment" not in cust.columns:
        _missing("abc_segment")
        return
    y = "abc_value" if "abc_value" in cust.columns else "revenue"
    fig = px.strip(cust, x="criteria_yes" if "criteria_yes" in cust.columns else "abc_segment", y=y,
                   color="abc_segment", hover_data=["customer_id"] + [c for c in ("name",) if c in cust.columns],
                   title="A/B/C matrix", category_orders={"abc_segment": ["A", "B", "C"]})
    st.plotly_chart(fig, use_container_width=True, key="abc")
    counts = cust.groupby(["abc_segment"] + (["abcd_segment"] if "abcd_segment" in cust.columns else [])).size()
    _table(counts.rename("customers").reset_index(), "abc_counts")
    who = st.selectbox(T("Customer"), cust.customer_id.tolist(), key="abc_customer")
    row = cust[cust.customer_id == who].iloc[0]
    why = [c for c in cust.columns if c.endswith(("_yes", "_source", "reasons", "_segment")) or c == "criteria_yes"]
    st.write(f"**{T('Why here')}**")
    _table(pd.DataFrame({"field": why, "value": [str(row[c]) for c in why]}), "why")
    for name in ("segment_policy", "abc_matrix", "clusters"):
        df = run.get(name)
        if df is not None:
            st.subheader(name.replace("_", " ").capitalize())
            _table(df, name)


def value_matrix(run: RunView) -> None:
    vm = run.get("value_matrix")
    if vm is None:
        _missing("value_matrix")
        return
    _table(vm, "value_matrix")
    for name in ("top_group_profile",):
        df = run.get(name)
        if df is not None:
            st.subheader("Top group profile")
            _table(df, name)


def prospects(run: RunView) -> None:
    df = run.get("prospects")
    if df is None:
        _missing("prospects")
        return
    score = next((c for c in ("lookalike_score", "score", "attractiveness") if c in df.columns), None)
    _table(df.sort_values(score, ascending=False) if score else df, "prospects")


def potential(run: RunView) -> None:
    cust = run.get("customers")
    if cust is None or "p_active" not in cust.columns:
        _missing("p_active")
    else:
        fig = px.histogram(cust, x="p_active", nbins=20, title="P(active)")
        st.plotly_chart(fig, use_container_width=True, key="p_active")
    df = run.get("at_risk")
    if df is not None:
        st.subheader("At risk")
        _table(df, "at_risk")


def targeting(run: RunView) -> None:
    seg = run.get("segments")
    if seg is None:
        _missing("segments")
        return
    if {"attractiveness", "likelihood"} <= set(seg.columns):
        fig = px.scatter(seg, x="likelihood", y="attractiveness", size=seg["revenue"].clip(lower=0) + 1
                         if "revenue" in seg.columns else None, color="focus" if "focus" in seg.columns else None,
                         hover_name="segment", title="Portfolio")
        st.plotly_chart(fig, use_container_width=True, key="portfolio")
    _table(seg, "segments")
    alarms = run.summary.get("alarms")
    if alarms:
        st.subheader("Alarm signals")
        _table(pd.DataFrame(alarms), "alarms")


def over_time(run: RunView) -> None:
    mig = run.get("migration")
    if mig is None:
        _missing("migration")
    else:
        last = mig[mig["to_period"] == mig["to_period"].max()] if "to_period" in mig.columns else mig
        if {"from_level", "to_level", "customers"} <= set(last.columns):
            pivot = last.pivot_table(index="from_level", columns="to_level", values="customers", aggfunc="sum")
            st.plotly_chart(px.imshow(pivot, text_auto=True, title="Migration"), use_container_width=True,
                            key="migration")
    for name in ("retention", "goals", "funnel", "cohorts"):
        df = run.get(name)
        if df is not None:
            st.subheader(name.capitalize())
            _table(df, name)


def downloads(run: RunView) -> None:
    for name, df in sorted(run.frames.items()):
        st.download_button(f"{name}.csv", df.to_csv(index=False).encode("utf-8"), file_name=f"{name}.csv",
                           mime="text/csv", key=f"dl_{name}")


PAGES: dict[str, Callable[[RunView], None]] = {
    "Overview": overview,
    "Profitability": profitability,
    "Segments": segments,
    "Value matrix": value_matrix,
    "Prospects": prospects,
    "Potential and risk": potential,
    "Targeting": targeting,
    "Over time": over_time,
    "Downloads": downloads,
}
