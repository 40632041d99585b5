"""The pages where people change the analysis: the answers only they know, and the settings.

Every change is stored in the workspace (answers in ``manual_assessments``, settings in the new run's
config) and followed at once by :func:`salesfocus.pipeline.reanalyze`, so segments show the change.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st

from salesfocus.app.state import (
    BOOL_FIELDS,
    RunView,
    answers_frame,
    rerun,
    rescore_portfolio,
    run_config,
    save_answers,
)
from salesfocus.app.views import T, col, portfolio_chart
from salesfocus.errors import SalesfocusError

__all__ = ["answers_page", "settings_page", "SLIDERS"]

MAX_ROWS = 500

# (config path, label, min, max, step)
SLIDERS: list[tuple[str, str, float, float, float]] = [
    ("cost_rates.per_order", "Cost per order (€)", 0.0, 200.0, 1.0),
    ("cost_rates.per_order_line", "Cost per order line (€)", 0.0, 20.0, 0.5),
    ("cost_rates.per_delivery", "Cost per delivery (€)", 0.0, 200.0, 1.0),
    ("cost_rates.per_visit", "Cost per visit (€)", 0.0, 1000.0, 5.0),
    ("cost_rates.per_call", "Cost per call (€)", 0.0, 100.0, 1.0),
    ("cost_rates.per_complaint", "Cost per complaint (€)", 0.0, 500.0, 5.0),
    ("cost_rates.per_invoice", "Cost per invoice (€)", 0.0, 50.0, 0.5),
    ("segments.criteria.min_margin", "Margin threshold (fraction)", 0.0, 0.6, 0.01),
    ("segments.abc.high_share", "A/B boundary: share of value that counts as high", 0.1, 1.0, 0.05),
    ("segments.abc.a_min_yes", "A: at least this many yes answers", 0.0, 4.0, 1.0),
    ("segments.abc.c_max_yes", "C: at most this many yes answers", 0.0, 4.0, 1.0),
    ("prediction.at_risk_p_active", "At risk below P(active)", 0.05, 0.95, 0.05),
]


def _get(cfg, dotted: str):
    obj = cfg
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def with_settings(cfg, values: dict[str, float]):
    """A copy of the Config with the dotted settings replaced (validated)."""
    from salesfocus.config import Config

    data = cfg.model_dump(mode="json")
    for dotted, v in values.items():
        node = data
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node[p]
        node[leaf] = int(v) if isinstance(node[leaf], int) and not isinstance(node[leaf], bool) else float(v)
    return Config.model_validate(data)


def _config(run: RunView):
    if "config" not in st.session_state or st.session_state.get("config_run") != run.run_id:
        st.session_state.config = run_config(run)
        st.session_state.config_run = run.run_id
    return st.session_state.config


def _rerun(path: Path, cfg, done: str) -> None:
    with st.spinner(T("Analysing again…")):
        rid = rerun(path, cfg)
    st.session_state.config = cfg
    st.session_state.config_run = rid
    st.session_state.flash = f"{T(done)} · run {rid}"
    st.cache_data.clear()
    st.rerun()


def answers_page(run: RunView, path: Path) -> None:
    """An editable table: the four questions and the fifth's network scores, potential revenue and NPS."""
    cust = run.get("customers")
    if cust is None:
        st.info(T("No analysis run in this workspace yet."))
        return
    st.write(T("Answer what only people know. A value you enter overrides the imported one; clear it to use the "
               "import again. Saving analyses again at once."))
    c1, c2 = st.columns([1, 2])
    segs = sorted(cust.abc_segment.dropna().unique()) if "abc_segment" in cust.columns else []
    seg = c1.selectbox(T("Segment"), ["", *segs], key="ans_segment")
    find = c2.text_input(T("Find customer (number or name)"), key="ans_find")
    view = cust
    if seg:
        view = view[view.abc_segment == seg]
    if find:
        hay = view.customer_id.astype(str) + " " + (view["name"].astype(str) if "name" in view.columns else "")
        view = view[hay.str.contains(find, case=False, regex=False)]
    if "revenue" in view.columns:
        view = view.sort_values("revenue", ascending=False)
    view = view.head(MAX_ROWS)
    before = answers_frame(path, view, run.summary.get("as_of"))
    if len(view) == MAX_ROWS:
        st.caption(T("Showing the largest 500; filter to find others."))
    cfg = {"customer_id": st.column_config.TextColumn(col("customer_id"), disabled=True),
           "name": st.column_config.TextColumn(col("name"), disabled=True),
           "abc_segment": st.column_config.TextColumn(col("abc_segment"), disabled=True),
           "revenue": st.column_config.NumberColumn(col("revenue"), disabled=True, format="%.0f"),
           **{f: st.column_config.SelectboxColumn(col(f), options=["yes", "no"]) for f in BOOL_FIELDS},
           **{f: st.column_config.NumberColumn(col(f), min_value=1, max_value=5, step=1)
              for f in ("network_relevance", "network_reputation", "network_size")},
           "potential_revenue": st.column_config.NumberColumn(col("potential_revenue"), min_value=0, format="%.0f"),
           "nps": st.column_config.NumberColumn(col("nps"), min_value=0, max_value=10, step=1)}
    after = st.data_editor(before, column_config=cfg, hide_index=True, width="stretch",
                           num_rows="fixed", key="answers_editor")
    if st.button(T("Save and analyse again"), type="primary", key="save_answers"):
        n = save_answers(path, before, after)
        if not n:
            st.info(T("Nothing changed."))
            return
        _rerun(path, _config(run), f"{n} {T('answers saved')}")


def settings_page(run: RunView, path: Path) -> None:
    """Sliders for cost rates and thresholds, and the judged criteria and weights of the targeting model."""
    cfg = _config(run)
    st.write(T("Change a setting and apply it: the run is made again with it and stored with its settings."))
    with st.form("settings"):
        cols = st.columns(2)
        values = {}
        for i, (dotted, label, lo, hi, step) in enumerate(SLIDERS):
            cur = float(_get(cfg, dotted))
            values[dotted] = cols[i % 2].slider(T(label), min_value=lo, max_value=max(hi, cur), value=cur, step=step,
                                                key=f"set_{dotted}")
        applied = st.form_submit_button(T("Apply"), type="primary")
    if applied:
        _rerun(path, with_settings(cfg, values), "Settings applied")
    _targeting_part(run, path, cfg)


@st.fragment
def _targeting_part(run: RunView, path: Path, cfg) -> None:
    """Judged scores and weights with the portfolio re-scored at once.

    A fragment: an edit here runs only this part again (not the sliders, the sidebar, the run lookup), so
    the chart follows a weight in a fraction of a second; saving analyses again and reruns the whole app.
    """
    st.subheader(T("Targeting: judged scores (1-5) and weights"))
    scores = run.get("targeting_scores")
    weights = run.get("targeting_weights")
    if scores is None or weights is None:
        st.info(f"{T('This page needs')} `targeting_scores`: {T('not in this run')}.")
        return
    from salesfocus.targeting.criteria import MEASURED

    judged = [c for c in scores.columns if c not in MEASURED and c not in ("segment", "customers", "prospects")]
    sheet = scores[["segment", *judged]].copy()
    sheet[judged] = sheet[judged].astype("float64")
    s_cfg = {"segment": st.column_config.TextColumn(col("segment"), disabled=True),
             **{c: st.column_config.NumberColumn(col(c), min_value=1, max_value=5, step=1) for c in judged}}
    new_sheet = st.data_editor(sheet, column_config=s_cfg, hide_index=True, width="stretch",
                               key="scores_editor")
    w = weights[[c for c in ("axis", "criterion", "weight") if c in weights.columns]].copy()
    w["weight"] = w["weight"].astype("float64")
    new_w = st.data_editor(w, hide_index=True, width="stretch", key="weights_editor",
                           column_config={"axis": st.column_config.TextColumn(disabled=True),
                                          "criterion": st.column_config.TextColumn(disabled=True),
                                          "weight": st.column_config.NumberColumn(min_value=0.0, step=0.05)})
    try:
        new_cfg = with_targeting(cfg, new_sheet, new_w)
    except (SalesfocusError, ValueError) as e:
        st.error(str(e))
        new_cfg = None
    if new_cfg is not None:
        _portfolio_preview(run, new_cfg)
    if st.button(T("Save scores and weights and analyse again"), key="save_targeting") and new_cfg is not None:
        _rerun(path, new_cfg, "Scores and weights saved")


PREVIEW_COLUMNS = ["segment", "customers", "attractiveness", "likelihood", "score", "rank", "focus", "stability"]


def _portfolio_preview(run: RunView, cfg) -> None:
    """The portfolio with the scores and weights in the editors, scored again from the run's criteria at once."""
    t0 = time.perf_counter()
    table = rescore_portfolio(run, cfg)
    if table is None:
        return
    ms = 1000 * (time.perf_counter() - t0)
    stored = run.get("segments")
    was = sorted(stored.segment[stored.focus]) if stored is not None and "focus" in stored.columns else []
    now = sorted(table.segment[table.focus])
    st.plotly_chart(portfolio_chart(table, T("Portfolio with these scores and weights")), width="stretch",
                    key="portfolio_preview")
    st.write(f"**{T('Focus')}**: {', '.join(now) or '–'}" +
             ("" if now == was else f" ({T('stored run')}: {', '.join(was) or '–'})"))
    st.dataframe(table[[c for c in PREVIEW_COLUMNS if c in table.columns]], hide_index=True, width="stretch",
                 key="portfolio_preview_table")
    st.caption(T("Scored again from the run's per-segment criteria in {ms} ms. Not stored yet: save to make it a "
                 "run (a full analysis).").format(ms=f"{ms:.0f}"))


def with_targeting(cfg, sheet: pd.DataFrame, weights: pd.DataFrame):
    """A copy of the Config with the judged scores and the weights of the targeting model from the editors."""
    from salesfocus.config import Config
    from salesfocus.targeting.criteria import check_scores

    check_scores(sheet.set_index("segment").apply(pd.to_numeric, errors="coerce"), "judged scores")
    data = cfg.model_dump(mode="json")
    t = data["targeting"]
    scores: dict[str, dict[str, float]] = {}
    for r in sheet.to_dict("records"):
        got = {k: float(v) for k, v in r.items() if k != "segment" and v is not None and not pd.isna(v)}
        if got:
            scores[str(r["segment"])] = got
    t["scores"] = scores
    for axis, key in (("attractiveness", "attractiveness_weights"), ("likelihood", "likelihood_weights")):
        part = weights[weights.axis == axis]
        if len(part):
            t[key] = {str(r.criterion): float(r.weight) for r in part.itertuples() if not pd.isna(r.weight)}
    return Config.model_validate(data)

