"""Streamlit entry point (``salesfocus app``): pick a page, see the stored run, import new exports."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from salesfocus.app.state import analyze_uploads, ensure_demo, load_run_view, workspace_path
from salesfocus.app.views import PAGES, T
from salesfocus.errors import SalesfocusError

st.set_page_config(page_title="salesfocus", layout="wide")
st.session_state.setdefault("lang", os.environ.get("SALESFOCUS_LANG", "en"))
st.sidebar.title("salesfocus")
st.sidebar.radio("Language / Taal", ["en", "nl"], key="lang", horizontal=True)

path, is_demo = workspace_path()
if is_demo:
    st.warning("Demo data: a fictional wholesaler. Start with `salesfocus app --workspace FILE` for your own data, "
               "or import your exports below." if st.session_state.lang == "en" else
               "Demodata: een fictieve groothandel. Start `salesfocus app --workspace BESTAND` voor uw eigen data, "
               "of importeer uw exports hieronder.")
    with st.spinner("Preparing the demo workspace (once)…"):
        ensure_demo(path)


@st.cache_data(show_spinner=False)
def _load(p: str, mtime: float):
    return load_run_view(Path(p))


run = _load(str(path), path.stat().st_mtime if path.exists() else 0.0)
names = list(PAGES) + ["Import"]
page = st.sidebar.radio("Page", names, format_func=T, key="page")
st.title(T(page))

if page == "Import":
    files = st.file_uploader("CSV, Excel or Parquet exports", accept_multiple_files=True,
                             type=["csv", "txt", "xlsx", "xls", "parquet"])
    tables = ["", "order_lines", "customers", "activities", "invoices", "assessments", "leads", "prospects"]
    chosen = [(st.selectbox(f"{f.name}: table (empty = recognise)", tables, key=f"t_{f.name}"), f) for f in files or []]
    if chosen and st.button("Analyse", type="primary"):
        try:
            with st.spinner("Importing and analysing…"):
                rid = analyze_uploads(path, [(t, f.name, f.getvalue()) for t, f in chosen],
                                      path.parent / "uploads")
        except SalesfocusError as e:
            st.error(str(e))
        else:
            _load.clear()
            st.success(f"run {rid} stored")
elif run is None:
    st.info("No analysis run in this workspace yet: import exports on the Import page.")
else:
    PAGES[page](run)
