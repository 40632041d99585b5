"""Segment lists for marketing automation: one CSV and XLSX per segment, in the layout e-mail tools import.

Marketing wants to send the growth group a campaign and the C-customers a webshop offer: which
addresses, with what to personalise? Per segment or group the run holds (A/B/C, A–D, value-matrix group,
pyramid level, target segment, the at-risk list) this writes ``lists/<grouping>-<segment>.csv`` and
``.xlsx`` with ``Email Address``, ``Company Name``, ``Customer ID``, ``Segment``, ``Tags``, the recommended
channel and personalisation fields (account manager, last order, top product group and cross-sell groups
when the run has them); plus ``all-contacts`` (every address with all its tags) and ``index.csv``.

The headers stay in English in both languages: Mailchimp, Brevo, HubSpot, ActiveCampaign and Laposta map
them automatically. Values (segments, channels, tags) are in the chosen language. Customers without a
usable e-mail address are left out and counted in the index. Every text cell is neutralised against
formula injection. A list longer than ``XLSX_MAX_ROWS`` is written as CSV only (the index says so).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from salesfocus.report.i18n import Texts
from salesfocus.report.outputs import neutral_text, neutralise, write_table_csv
from salesfocus.report.tables import RunData
from salesfocus.report.workbook import Sheet, write_column
from salesfocus.workspace import Run

__all__ = ["write_lists", "GROUPINGS", "LIST_COLUMNS", "XLSX_MAX_ROWS"]

XLSX_MAX_ROWS = 20_000
# (file prefix, customer column): the groupings a list is made for, when the run has the column.
GROUPINGS = [("abc", "abc_segment"), ("abcd", "abcd_segment"), ("value", "value_group"), ("pyramid", "pyramid_level"),
             ("target", "target_segment")]
LIST_COLUMNS = ["Email Address", "Company Name", "Customer ID", "Segment", "Tags", "Recommended Channel",
                "Account Manager", "Last Order", "Top Product Group", "Cross-sell Groups", "Sector", "Region"]
_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")
_OPTIONAL = {"Top Product Group": "top_product_group", "Cross-sell Groups": "cross_sell_groups", "Sector": "sector",
             "Region": "region", "Account Manager": "account_manager", "Last Order": "last_order"}


@dataclass
class ListFile:
    """One written list: its grouping, segment, counts and files."""

    grouping: str
    segment: str
    customers: int
    with_email: int
    csv: str
    xlsx: str


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-") or "x"


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return str(v)


def _texts(s: pd.Series, fn: Any = None) -> pd.Series:
    """``s.map(fn or _text)``, computed once per distinct value (a segment column has a handful)."""
    fn = fn or _text
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    words = np.array([fn(u) for u in uniq.tolist()] + [fn(None)], dtype=object)  # tolist: Python values
    return pd.Series(words[codes], index=s.index, dtype=object)


def _customers(d: RunData) -> pd.DataFrame:
    """The customer columns the lists use (converted once, shared by every list)."""
    basis = ((d.summary.get("segments") or {}).get("policy_basis") or "abc") + "_segment"
    cols = ["customer_id", "name", "email", "contact_model", "at_risk", basis, *(c for _, c in GROUPINGS),
            *_OPTIONAL.values()]
    return d.frame("customers", columns=list(dict.fromkeys(cols)))


def _channels(d: RunData, cust: pd.DataFrame) -> pd.Series:
    """Recommended channel per customer: the segment policy's contact model and channels."""
    t = d.texts
    if "contact_model" not in cust:
        return pd.Series("", index=cust.index)
    model = _texts(cust["contact_model"], lambda v: _text(t.value(v)))
    basis = ((d.summary.get("segments") or {}).get("policy_basis") or "abc") + "_segment"
    if d.has("segment_policy", "segment", "channels") and basis in cust:
        pol = d.frame("segment_policy")
        by_seg = dict(zip(pol["segment"].astype(str), pol["channels"].fillna("").astype(str), strict=True))
        extra = _texts(cust[basis], lambda s: by_seg.get(str(s), ""))
        return pd.Series([f"{m}: {c}" if m and c else m or c for m, c in zip(model, extra, strict=True)],
                         index=cust.index)
    return model


def _tags(d: RunData, cust: pd.DataFrame, groupings: list[tuple[str, str]]) -> pd.Series:
    t = d.texts
    parts = [pd.Series("salesfocus", index=cust.index)]
    for _key, col in groupings:
        label = t.col(col)
        parts.append(_texts(cust[col], lambda v, label=label: f"{label}: {t.value(v)}" if _text(v) else ""))
    if "at_risk" in cust:
        parts.append(_texts(cust["at_risk"], lambda v: t.col("at_risk") if v is True else ""))
    texts = [pa.array(p.to_numpy(dtype=object), pa.string()) for p in parts]
    joined = pc.binary_join_element_wise(*(pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a) for a in texts),
                                         ", ", null_handling="skip")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=cust.index, dtype=object)


def _addresses(cust: pd.DataFrame) -> pd.Series:
    """Each customer's e-mail address, stripped ('' when none)."""
    if "email" not in cust:
        return pd.Series("", index=cust.index, dtype=object)
    return _texts(cust["email"]).str.strip()


def _contacts(d: RunData, cust: pd.DataFrame, groupings: list[tuple[str, str]]) -> pd.DataFrame:
    """The list fields of the given customers (same index)."""
    out = pd.DataFrame({"Email Address": _addresses(cust),
                        "Company Name": _texts(cust["name"]) if "name" in cust else "",
                        "Customer ID": _texts(cust["customer_id"])}, index=cust.index)
    out["Segment"] = ""
    out["Tags"] = _tags(d, cust, groupings)
    out["Recommended Channel"] = _channels(d, cust)
    for label, col in _OPTIONAL.items():
        if col in cust:
            out[label] = _texts(cust[col])
    return out


def _write_xlsx(table: pa.Table, path: Path, sheet: str, created: dt.datetime | None = None) -> None:
    """A list as a sheet: header, text cells per column (the values already neutralised), widths, filter;
    ``created``: the workbook's creation date (the run's, so that rendering a run again gives the same file)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "in_memory": True})
    if created is not None:
        wb.set_properties({"created": created})
    longest = [(pc.max(pc.utf8_length(col)).as_py() or 0) if table.num_rows else 0 for col in table.columns]
    # a text too long for a cell goes through xlsxwriter's writers, which cut it and warn
    rows = _rows_xml(table, wb.str_table) if max(longest, default=0) <= _CELL_MAX else None
    ws = wb.add_worksheet(re.sub(r"[\[\]:*?/\\]", "-", sheet)[:31] or "list",
                          worksheet_class=Sheet if rows is None else _ListSheet)
    head = wb.add_format({"bold": True, "bg_color": "#1F3A5F", "font_color": "#FFFFFF"})
    for j, (c, col) in enumerate(zip(table.column_names, table.columns, strict=True)):
        ws.write_string(0, j, c, head)
        ws.set_column(j, j, min(max(len(c) + 2, longest[j] + 2), 60))
        if rows is None:
            write_column(ws, j, col.to_pylist())
    if rows is not None and table.num_rows:
        ws.rows_xml = rows
        ws._check_dimensions(table.num_rows, table.num_columns - 1)  # the used range, as the writers leave it
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(table.num_rows, 1), table.num_columns - 1)
    wb.close()


class _ListSheet(Worksheet):
    """A sheet whose rows below the header are written as one prepared block of XML (:func:`_rows_xml`).

    xlsxwriter stores a cell tuple per value and writes and escapes each on saving; for a list of 20,000 rows that
    was most of the time the lists took (200,000 customers: about 17 s for 48 sheets)."""

    rows_xml = ""

    def _write_rows(self) -> None:
        last = self.dim_rowmax
        self.dim_rowmax = self.dim_rowmin  # the header row, from the cell table as xlsxwriter writes it
        try:
            super()._write_rows()
        finally:
            self.dim_rowmax = last
        self.fh.write(self.rows_xml)


_CELL_MAX = 32_767  # Excel's limit of characters in a cell
_ESCAPED = re.compile(r"_x[0-9a-fA-F]{4}_")
_CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20))]
_EDGE_SPACE = r"^[\s\x{85}\p{Z}]|[\s\x{85}\p{Z}]$"  # what str.isspace() calls a space, once escaped as above
_SHARED_AT = 10
"""A column with at most one distinct text per this many rows goes into the shared-string table (a segment, tags,
a channel: each text written once); the others, mostly one text per customer, are written inline."""


def _rows_xml(table: pa.Table, strings: Any) -> str:
    """The ``<row>`` elements of every data row (sheet row 2 on), built a column at a time in Arrow (every text at
    most a cell long).

    A repetitive column's texts go into the workbook's shared-string table (``strings``, xlsxwriter's, which
    escapes them on saving) once each, and its cells refer to them. The other texts are inline strings, escaped as
    xlsxwriter escapes a shared string: ``& < >`` as XML, a control character as ``_xHHHH_`` and a literal
    ``_xHHHH_`` with its underscore escaped, so that Excel reads back the text itself; one that starts or ends with
    a space keeps it (``xml:space="preserve"``). An empty text is no cell, as with ``write_string``."""
    n = table.num_rows
    if n == 0:
        return ""
    place = pc.cast(pa.array(np.arange(2, n + 2, dtype=np.int64)), pa.string())
    parts: list[Any] = ['<row r="', place, '">']
    for j, col in enumerate(table.columns):
        v = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        v = v.cast(pa.string())
        codes = v.dictionary_encode()
        texts = codes.dictionary.to_pylist()
        if len(texts) * _SHARED_AT <= n:
            index = np.array([strings._get_shared_string_index(t) if t else -1 for t in texts] + [-1], np.int64)
            refs = pc.take(pa.array(index), pc.fill_null(codes.indices, len(texts)))
            # every cell counts as a reference, as write_string counts them
            strings.count += pc.sum(pc.greater_equal(refs, 0)).as_py() - int((index >= 0).sum())
            value = pc.binary_join_element_wise('" t="s"><v>', pc.cast(refs, pa.string()), "</v></c>", "")
        else:
            value = _inline(v)
        cell = pc.binary_join_element_wise(f'<c r="{xl_col_to_name(j)}', place, value, "")
        parts.append(pc.if_else(pc.fill_null(pc.equal(v, ""), True), "", cell))
    parts.append("</row>")
    return "".join(pc.binary_join_element_wise(*parts, "").to_pylist())


def _inline(v: pa.Array) -> pa.Array:
    """The rest of each cell element of an inline text (see :func:`_rows_xml`)."""
    if pc.any(pc.match_substring_regex(v, _ESCAPED.pattern)).as_py():
        v = pc.replace_substring_regex(v, f"({_ESCAPED.pattern})", r"_x005F\1")
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        v = pc.replace_substring(v, a, b)
    if pc.any(pc.match_substring_regex(v, "[\\x00-\\x08\\x0b-\\x1f]")).as_py():
        for c in _CONTROL:
            v = pc.replace_substring(v, c, f"_x{ord(c):04X}_")
    t = pc.if_else(pc.match_substring_regex(v, _EDGE_SPACE), '<t xml:space="preserve">', "<t>")
    return pc.binary_join_element_wise('" t="inlineStr"><is>', t, v, "</t></is></c>", "")


def _save(table: pa.Table, folder: Path, stem: str, sheet: str, created: dt.datetime | None) -> tuple[str, str]:
    """Write a list as CSV (and XLSX up to ``XLSX_MAX_ROWS`` rows); every text cell neutralised."""
    csv = folder / f"{stem}.csv"
    write_table_csv(table, csv)
    xlsx = ""
    if table.num_rows <= XLSX_MAX_ROWS:
        neutral = pa.table([neutral_text(c) for c in table.columns], names=table.column_names)
        _write_xlsx(neutral, folder / f"{stem}.xlsx", sheet, created)
        xlsx = f"{stem}.xlsx"
    return csv.name, xlsx


def _members(d: RunData) -> list[tuple[str, str, str, pd.Index]]:
    """(file prefix, grouping column, segment value, customer row positions) for every list."""
    cust = _customers(d)
    out = []
    for key, col in GROUPINGS:
        if col not in cust:
            continue
        codes, values = pd.factorize(_texts(cust[col]))  # compare codes, not 200k texts, for each segment
        for v in sorted(v for v in values.tolist() if v):
            out.append((key, col, v, cust.index[codes == values.get_loc(v)]))
    if "at_risk" in d.run.tables and "customer_id" in d.arrow("at_risk").column_names:
        ids = set(d.arrow("at_risk").column("customer_id").to_pylist())
        out.append(("at-risk", "at_risk", "at_risk", cust.index[cust["customer_id"].isin(ids)]))
    return out


def write_lists(run: Run | RunData, folder: Path | str, lang: str | None = None) -> list[Path]:
    """Write the segment lists of a run into ``folder`` (usually ``<out>/lists``); returns the files written.

    Parameters
    ----------
    run : Run or RunData
        The stored run; lists need its ``customers`` table (with ``email`` for any addresses).
    folder : Path or str
        Folder for the lists (created).
    lang : str, optional
        ``en`` or ``nl`` for segment names, channels and tags; default the run's config language.
    """
    d = run if isinstance(run, RunData) else RunData(run, lang)
    t: Texts = d.texts
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if "customers" not in d.run.tables:
        return []
    cust = _customers(d)
    groupings = [(k, c) for k, c in GROUPINGS if c in cust]
    ok = _texts(_addresses(cust), lambda e: bool(_EMAIL.match(e or ""))).astype(bool)
    contacts = _contacts(d, cust[ok], groupings)
    columns = [c for c in LIST_COLUMNS if c in contacts.columns]
    # The contacts as Arrow once; each list takes its rows from it.
    table = pa.table({c: pa.array(contacts[c].to_numpy(dtype=object), pa.string()) for c in columns})
    where = contacts.index.to_numpy()
    written: list[ListFile] = []
    used: set[str] = set()
    created = d.workbook_created()
    for key, col, value, rows in _members(d):
        segment = _text(t.value(value)) if col != "at_risk" else t.col("at_risk")
        keep = table.take(pa.array(np.flatnonzero(np.isin(where, rows.to_numpy())), pa.int64()))
        keep = keep.set_column(columns.index("Segment"), "Segment", pa.array([segment] * keep.num_rows, pa.string()))
        stem = f"{key}-{_slug(value)}" if col != "at_risk" else "at-risk"
        while stem in used:
            stem += "-2"
        used.add(stem)
        csv, xlsx = _save(keep, folder, stem, f"{t.col(col) if col != 'at_risk' else key} {value}", created)
        written.append(ListFile(t.col(col) if col != "at_risk" else t.table("at_risk"), segment, len(rows),
                                keep.num_rows, csv, xlsx))
    everyone = table.drop_columns(["Segment"])
    csv, xlsx = _save(everyone, folder, "all-contacts", "all-contacts", created)
    written.append(ListFile(t.t("with_email"), "*", len(cust), int(ok.sum()), csv, xlsx))
    index = pd.DataFrame([{t.t("grouping"): w.grouping, "Segment": w.segment, t.col("customers"): w.customers,
                           t.t("with_email"): w.with_email, t.t("without_email"): w.customers - w.with_email,
                           "CSV": w.csv, "XLSX": w.xlsx} for w in written])
    index.map(neutralise).to_csv(folder / "index.csv", index=False, encoding="utf-8", lineterminator="\n")
    files = [folder / "index.csv"]
    for w in written:
        files.append(folder / w.csv)
        if w.xlsx:
            files.append(folder / w.xlsx)
    return files
