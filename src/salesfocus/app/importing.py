"""The Import page: upload exports, check the proposed column mapping against a preview, analyse, see rejects."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from salesfocus.app.state import analyze_uploads, preview_upload, table_bytes
from salesfocus.app.views import T
from salesfocus.errors import SalesfocusError

__all__ = ["import_page", "TABLES"]

TABLES = ["order_lines", "customers", "activities", "invoices", "assessments", "leads", "prospects"]
NONE = "—"


def _mapping_editor(key: str, table: str, headers: list[str]) -> dict[str, str]:
    """Per canonical column a select box of the file's headers, the proposed one chosen; returns the choice."""
    from salesfocus.io.headers import propose_mapping
    from salesfocus.io.schemas import SCHEMAS

    proposed = propose_mapping(table, headers)
    schema = SCHEMAS[table]
    out: dict[str, str] = {}
    cols = st.columns(3)
    for i, c in enumerate(schema.columns):
        options = [NONE, *headers]
        guess = proposed.get(c.name)
        label = f"{c.name}{' *' if c.required else ''}"
        pick = cols[i % 3].selectbox(label, options, index=options.index(guess) if guess in options else 0,
                                     key=f"map_{key}_{table}_{c.name}", help=c.description)
        if pick != NONE:
            out[c.name] = pick
    missing = [c.name for c in schema.columns if c.required and c.name not in out]
    if missing:
        st.warning(f"{T('Required columns not mapped')}: {', '.join(missing)}")
    return out


def import_page(path: Path, is_demo: bool) -> None:
    st.write(T("Upload your exports (CSV, Excel or Parquet). Each file's table and columns are recognised from "
               "Dutch or English headers; check the mapping against the preview and correct it where needed."))
    files = st.file_uploader(T("Exports"), accept_multiple_files=True,
                             type=["csv", "txt", "xlsx", "xls", "parquet"], key="uploads")
    upload_dir = path.parent / "uploads"
    chosen: list[tuple[str, str, bytes]] = []
    mapping: dict[str, dict[str, str]] = {}
    for i, f in enumerate(files or []):
        content = f.getvalue()
        try:
            guess, headers, preview = preview_upload(f.name, content, upload_dir)
        except Exception as e:  # an unreadable file is the user's to fix; say which
            st.error(f"{f.name}: {e}")
            continue
        with st.expander(f"{f.name}", expanded=True):
            table = st.selectbox(T("Table"), TABLES, index=TABLES.index(guess), key=f"table_{i}_{f.name}")
            st.dataframe(preview, hide_index=True, width="stretch", key=f"preview_{i}")
            mapping[table] = _mapping_editor(f"{i}", table, headers)
        chosen.append((table, f.name, content))
    if chosen and st.button(T("Analyse"), type="primary", key="analyse"):
        bar = st.progress(0.0, text=T("Importing and analysing…"))
        steps = [0]

        def say(msg: str) -> None:
            steps[0] += 1
            bar.progress(min(0.95, steps[0] / 25), text=msg)

        try:
            rid = analyze_uploads(path, chosen, upload_dir, mapping, config=st.session_state.get("config"),
                                  progress=say)
        except SalesfocusError as e:
            bar.empty()
            st.error(str(e))
            return
        bar.progress(1.0, text=f"run {rid}")
        st.cache_data.clear()
        st.session_state.flash = f"{T('Analysed')} · run {rid}"
        st.session_state.pop("config", None)
    _validation(path)


def _validation(path: Path) -> None:
    """The latest run's import figures and the rejected rows, downloadable."""
    from salesfocus.app.state import latest_run_id, load_run_view

    rid = latest_run_id(path)
    if rid is None:
        return
    run = load_run_view(path, rid)
    s = run.summary
    st.subheader(T("Validation"))
    c = st.columns(3)
    c[0].metric(T("rows read"), f"{s.get('rows_read', 0):,}")
    c[1].metric(T("accepted"), f"{s.get('rows_accepted', 0):,}")
    c[2].metric(T("rejected"), f"{s.get('rows_rejected', 0):,}")
    rej = run.get("rejected")
    if rej is not None and len(rej):
        st.dataframe(rej.head(1000), hide_index=True, width="stretch", key="rejected_rows")
        st.download_button("rejected.csv", table_bytes(rej, "csv"), file_name="rejected.csv", mime="text/csv",
                           key="dl_rejected")
