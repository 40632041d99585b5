"""Streamlit entry point (``salesfocus app``): pick a page, see the stored run, change it, import new exports."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from salesfocus.app.editing import answers_page, settings_page
from salesfocus.app.importing import import_page
from salesfocus.app.state import ensure_demo, latest_run_id, load_run_view, workspace_path
from salesfocus.app.views import PAGES, T

st.set_page_config(page_title="salesfocus", layout="wide")
st.session_state.setdefault("lang", os.environ.get("SALESFOCUS_LANG", "en"))
st.sidebar.title("salesfocus")
st.sidebar.radio("Language / Taal", ["en", "nl"], key="lang", horizontal=True)

path, is_demo = workspace_path()
if is_demo:
    st.warning("**Demo data**: a fictional wholesaler, not your customers. Start with "
               "`salesfocus app --workspace FILE` for your own data, or import your exports on the Import page."
               if st.session_state.lang == "en" else
               "**Demodata**: een fictieve groothandel, niet uw klanten. Start `salesfocus app --workspace BESTAND` "
               "voor uw eigen data, of importeer uw exports op de pagina Importeren.", icon="⚠️")
    with st.spinner("Preparing the demo workspace (once)…"):
        ensure_demo(path)


@st.cache_resource(show_spinner=False, max_entries=2)
def _load(p: str, run_id: int | None):
    """The run's frames, cached on the run id: a new run (import, answers, settings) is a new key.

    A resource, not data: every rerun gets the same frames instead of an unpickled copy (a copy of a run of
    100,000 customers takes 1.5 s, paid on every click). Each table is read when a page first shows it
    (:class:`~salesfocus.app.state.RunFrames`); the pages only read them.
    """
    return load_run_view(Path(p), run_id) if run_id is not None else None


run = _load(str(path), latest_run_id(path))
names = [*PAGES, "Answers", "Settings", "Import"]
page = st.sidebar.radio("Page", names, format_func=T, key="page")
if run is not None:
    st.sidebar.caption(f"run {run.run_id} · {run.created_at}")
st.title(T(page))
if msg := st.session_state.pop("flash", None):
    st.success(msg)

if page == "Import":
    import_page(path, is_demo)
elif run is None:
    st.info("No analysis run in this workspace yet: import exports on the Import page."
            if st.session_state.lang == "en" else "Nog geen analyse in deze werkmap: importeer exports.")
elif page == "Answers":
    answers_page(run, path)
elif page == "Settings":
    settings_page(run, path)
else:
    PAGES[page](run)
