"""The app's pages: each shows a chart, its table and a plain-language line from the stored run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from salesfocus.app.state import RunView

__all__ = ["PAGES", "T", "col", "texts", "portfolio_chart"]

_WORDS = {
    "Overview": "Overzicht", "Profitability": "Winstgevendheid", "Segments": "Segmenten",
    "Value matrix": "Waardematrix", "Prospects": "Prospects", "Potential and risk": "Potentie en risico",
    "Targeting": "Doelgroepkeuze", "Over time": "In de tijd", "Import": "Importeren", "Downloads": "Downloads",
    "customers": "klanten", "revenue": "omzet", "net profit": "nettowinst", "loss-making": "verliesgevend",
    "This page needs": "Deze pagina heeft nodig", "not in this run": "niet in deze analyse",
    "Customer": "Klant", "Why here": "Waarom hier", "Answers": "Antwoorden", "Settings": "Instellingen",
    "Segment": "Segment", "Find customer (number or name)": "Zoek klant (nummer of naam)",
    "Showing the largest 500; filter to find others.": "De grootste 500 staan hier; filter om andere te vinden.",
    "Save and analyse again": "Opslaan en opnieuw analyseren", "Nothing changed.": "Niets gewijzigd.",
    "answers saved": "antwoorden opgeslagen", "Analysing again…": "Opnieuw analyseren…",
    "Answer what only people know. A value you enter overrides the imported one; clear it to use the import again. "
    "Saving analyses again at once.": "Vul in wat alleen mensen weten. Een ingevulde waarde gaat voor de "
    "geïmporteerde; maak het vak leeg om de import weer te gebruiken. Opslaan analyseert meteen opnieuw.",
    "Change a setting and apply it: the run is made again with it and stored with its settings.":
        "Wijzig een instelling en pas haar toe: de analyse wordt opnieuw gemaakt en met de instellingen bewaard.",
    "Apply": "Toepassen", "Settings applied": "Instellingen toegepast",
    "Targeting: judged scores (1-5) and weights": "Doelgroepkeuze: oordelen (1-5) en wegingen",
    "Save scores and weights and analyse again": "Oordelen en wegingen opslaan en opnieuw analyseren",
    "Scores and weights saved": "Oordelen en wegingen opgeslagen",
    "Portfolio with these scores and weights": "Portfolio met deze oordelen en wegingen", "Focus": "Focus",
    "stored run": "bewaarde analyse",
    "Scored again from the run's per-segment criteria in {ms} ms. Not stored yet: save to make it a run (a full "
    "analysis).": "Opnieuw gescoord uit de criteria per segment van de analyse in {ms} ms. Nog niet bewaard: sla "
    "op om er een analyse van te maken (volledig).",
    "Cost per order (€)": "Kosten per order (€)", "Cost per order line (€)": "Kosten per orderregel (€)",
    "Cost per delivery (€)": "Kosten per levering (€)", "Cost per visit (€)": "Kosten per bezoek (€)",
    "Cost per call (€)": "Kosten per telefoontje (€)", "Cost per complaint (€)": "Kosten per klacht (€)",
    "Cost per invoice (€)": "Kosten per factuur (€)", "Margin threshold (fraction)": "Margegrens (fractie)",
    "A/B boundary: share of value that counts as high": "A/B-grens: aandeel van de waarde dat hoog telt",
    "A: at least this many yes answers": "A: minstens zoveel keer ja",
    "C: at most this many yes answers": "C: hoogstens zoveel keer ja",
    "At risk below P(active)": "Risico onder P(actief)",
    "No analysis run in this workspace yet.": "Nog geen analyse in deze werkmap.",
    "Report and lists": "Rapport en lijsten", "Any table": "Elke tabel", "Table": "Tabel",
    "Workbook (Excel)": "Werkmap (Excel)", "HTML report": "HTML-rapport", "Segment lists (zip)": "Segmentlijsten (zip)",
    "Prepare the report files": "Rapportbestanden klaarmaken",
    "Required columns not mapped": "Verplichte kolommen niet gekoppeld", "Exports": "Exports",
    "Upload your exports (CSV, Excel or Parquet). Each file's table and columns are recognised from Dutch or English "
    "headers; check the mapping against the preview and correct it where needed.":
        "Upload uw exports (CSV, Excel of Parquet). Tabel en kolommen worden herkend aan Nederlandse of Engelse "
        "kopjes; controleer de koppeling met het voorbeeld en verbeter haar waar nodig.",
    "Analyse": "Analyseren", "Importing and analysing…": "Importeren en analyseren…", "Analysed": "Geanalyseerd",
    "Validation": "Controle", "rows read": "regels gelezen", "accepted": "geaccepteerd", "rejected": "afgewezen",
}


def texts():
    """The report's labels in the app's language (salesfocus.report.i18n)."""
    from salesfocus.report.i18n import Texts

    return Texts(st.session_state.get("lang", "en"))


def col(name: str) -> str:
    """A column label in the app's language."""
    return texts().col(name)


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
    st.dataframe(df, width="stretch", hide_index=True, key=f"tbl_{key}")


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
        st.plotly_chart(fig, width="stretch", key="whale")
    pyr = run.get("pyramid")
    if pyr is not None:
        ycol = "pyramid_level" if "pyramid_level" in pyr.columns else pyr.columns[0]
        fig = px.bar(pyr, y=ycol, x=[c for c in ("revenue", "net_profit", "cost_to_serve") if c in pyr.columns],
                     orientation="h", barmode="group", title="Customer pyramid")
        st.plotly_chart(fig, width="stretch", key="pyramid")
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
    st.plotly_chart(fig, width="stretch", key="abc")
    counts = cust.groupby(["abc_segment"] + (["abcd_segment"] if "abcd_segment" in cust.columns else [])).size()
    _table(counts.rename("customers").reset_index(), "abc_counts")
    who = st.selectbox(T("Customer"), cust.customer_id.tolist(), key="abc_customer")
    row = cust[cust.customer_id == who].iloc[0]
    st.write(f"**{T('Why here')}**")
    for c in ("abc_reasons", "abcd_reasons"):
        if c in cust.columns and isinstance(row[c], str):
            st.info(f"{col(c)}: {row[c]}")
    why = [c for c in cust.columns
           if c.endswith(("_yes", "_source", "_segment")) or c in ("abc_value", "abc_potential")]
    _table(pd.DataFrame({"field": [col(c) for c in why], "value": [str(row[c]) for c in why]}), "why")
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
        st.plotly_chart(fig, width="stretch", key="p_active")
    df = run.get("at_risk")
    if df is not None:
        st.subheader("At risk")
        _table(df, "at_risk")


def portfolio_chart(seg: pd.DataFrame, title: str = "Portfolio"):
    """Likelihood against attractiveness per segment, sized by revenue, coloured by focus."""
    return px.scatter(seg, x="likelihood", y="attractiveness", size=seg["revenue"].clip(lower=0) + 1
                      if "revenue" in seg.columns else None, color="focus" if "focus" in seg.columns else None,
                      hover_name="segment", title=title, range_x=[0, 100], range_y=[0, 100])


def targeting(run: RunView) -> None:
    seg = run.get("segments")
    if seg is None:
        _missing("segments")
        return
    if {"attractiveness", "likelihood"} <= set(seg.columns):
        st.plotly_chart(portfolio_chart(seg), width="stretch", key="portfolio")
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
            st.plotly_chart(px.imshow(pivot, text_auto=True, title="Migration"), width="stretch",
                            key="migration")
    for name in ("retention", "goals", "funnel", "cohorts"):
        df = run.get(name)
        if df is not None:
            st.subheader(name.capitalize())
            _table(df, name)


@st.cache_data(show_spinner=False, max_entries=4)
def _report_files(path: str, run_id: int, lang: str) -> dict[str, bytes]:
    from salesfocus.app.state import report_files

    return report_files(Path(path), run_id, lang)


@st.cache_data(show_spinner=False, max_entries=8)
def _table_bytes(run_id: int, name: str, fmt: str, _df: pd.DataFrame) -> bytes:
    from salesfocus.app.state import table_bytes

    return table_bytes(_df, fmt)


def downloads(run: RunView) -> None:
    from salesfocus.app.state import workspace_path

    lang = st.session_state.get("lang", "en")
    st.subheader(T("Report and lists"))
    if st.button(T("Prepare the report files"), key="prepare_report") or st.session_state.get("report_ready") == (
            run.run_id, lang):
        st.session_state.report_ready = (run.run_id, lang)
        files = _report_files(str(workspace_path()[0]), run.run_id, lang)
        labels = {"salesfocus.xlsx": "Workbook (Excel)", "report.html": "HTML report",
                  "lists.zip": "Segment lists (zip)"}
        mimes = {"salesfocus.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "report.html": "text/html", "lists.zip": "application/zip"}
        cols = st.columns(3)
        for i, (name, data) in enumerate(files.items()):
            cols[i % 3].download_button(T(labels[name]), data, file_name=name, mime=mimes[name], key=f"dl_{name}")
    st.subheader(T("Any table"))
    names = sorted(run.frames)
    name = st.selectbox(T("Table"), names, format_func=lambda n: f"{texts().table(n)} ({n})", key="dl_table")
    df = run.frames[name]
    c = st.columns(2)
    c[0].download_button(f"{name}.csv", _table_bytes(run.run_id, name, "csv", df), file_name=f"{name}.csv",
                         mime="text/csv", key="dl_csv")
    c[1].download_button(f"{name}.xlsx", _table_bytes(run.run_id, name, "xlsx", df), file_name=f"{name}.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx")


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
