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

from salesfocus.report.i18n import Texts
from salesfocus.report.outputs import neutral_text, neutralise, write_table_csv
from salesfocus.report.tables import RunData
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


def _mapped(col: pa.ChunkedArray | pa.Array, fn: Any) -> pa.Array:
    """``fn`` of every cell's Python value (``None`` for empty) as text, computed once per distinct value (a segment
    column has a handful)."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    coded = pc.dictionary_encode(arr)
    words = pa.array([fn(v) for v in coded.dictionary.to_pylist()] + [fn(None)], pa.string())
    return words.take(pc.fill_null(coded.indices, len(coded.dictionary)))


def _texts(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Every cell as :func:`_text` gives it: text as it is, dates as YYYY-MM-DD, '' for empty; in Arrow, so a
    million customers' ids, names and addresses never become Python objects."""
    t = col.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_date(t):
        return pc.fill_null(col.cast(pa.string()), "")
    return _mapped(col, _text)


# What str.strip() strips and the \s of _EMAIL matches (str.isspace), for Arrow's trim and RE2's classes (whose
# own whitespace is ASCII only)
_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_NOT_IN_ADDRESS = "[^@,;<>\"'" + "".join(f"\\x{{{ord(c):x}}}" for c in _SPACE) + "]+"
_EMAIL_RE2 = f"^{_NOT_IN_ADDRESS}@{_NOT_IN_ADDRESS}\\.{_NOT_IN_ADDRESS}$"
""":data:`_EMAIL` for Arrow (RE2)."""


def _usable(addresses: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Whether each (stripped) address is usable: :data:`_EMAIL`, matched in Arrow."""
    hit = pc.match_substring_regex(addresses, _EMAIL_RE2)
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)


def _customers(d: RunData) -> pa.Table:
    """The customer columns the lists use (Arrow, shared with the run)."""
    basis = ((d.summary.get("segments") or {}).get("policy_basis") or "abc") + "_segment"
    cols = ["customer_id", "name", "email", "contact_model", "at_risk", basis, *(c for _, c in GROUPINGS),
            *_OPTIONAL.values()]
    t = d.arrow("customers")
    return t.select([c for c in dict.fromkeys(cols) if c in t.column_names])


def _empty(n: int) -> pa.Array:
    return pa.array([""] * n, pa.string()) if n else pa.array([], pa.string())


def _channels(d: RunData, cust: pa.Table) -> pa.Array | pa.ChunkedArray:
    """Recommended channel per customer: the segment policy's contact model and channels."""
    t = d.texts
    if "contact_model" not in cust.column_names:
        return _empty(cust.num_rows)
    model = _mapped(cust.column("contact_model"), lambda v: _text(t.value(v)))
    basis = ((d.summary.get("segments") or {}).get("policy_basis") or "abc") + "_segment"
    if d.has("segment_policy", "segment", "channels") and basis in cust.column_names:
        pol = d.frame("segment_policy")
        by_seg = dict(zip(pol["segment"].astype(str), pol["channels"].fillna("").astype(str), strict=True))
        extra = _mapped(cust.column(basis), lambda s: by_seg.get(str(s), ""))
        both = pc.and_(pc.not_equal(model, ""), pc.not_equal(extra, ""))
        return pc.if_else(both, pc.binary_join_element_wise(model, extra, ": "),
                          pc.if_else(pc.not_equal(model, ""), model, extra))
    return model


def _tags(d: RunData, cust: pa.Table, groupings: list[tuple[str, str]]) -> pa.Array | pa.ChunkedArray:
    t = d.texts
    parts = [pa.array(["salesfocus"] * cust.num_rows, pa.string())]
    for _key, col in groupings:
        label = t.col(col)
        parts.append(_mapped(cust.column(col), lambda v, label=label: f"{label}: {t.value(v)}" if _text(v) else ""))
    if "at_risk" in cust.column_names:
        parts.append(_mapped(cust.column("at_risk"), lambda v: t.col("at_risk") if v is True else ""))
    return pc.binary_join_element_wise(*(pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a) for a in parts),
                                       ", ", null_handling="skip")


def _addresses(cust: pa.Table) -> pa.Array | pa.ChunkedArray:
    """Each customer's e-mail address, stripped ('' when none)."""
    if "email" not in cust.column_names:
        return _empty(cust.num_rows)
    return pc.utf8_trim(_texts(cust.column("email")), _SPACE)


def _contacts(d: RunData, cust: pa.Table, groupings: list[tuple[str, str]]) -> pa.Table:
    """The list fields of every customer (one row each, in the table's order), as text."""
    cols = {"Email Address": _addresses(cust),
            "Company Name": _texts(cust.column("name")) if "name" in cust.column_names else _empty(cust.num_rows),
            "Customer ID": _texts(cust.column("customer_id")),
            "Segment": _empty(cust.num_rows),
            "Tags": _tags(d, cust, groupings),
            "Recommended Channel": _channels(d, cust)}
    for label, col in _OPTIONAL.items():
        if col in cust.column_names:
            cols[label] = _texts(cust.column(col))
    names = [c for c in LIST_COLUMNS if c in cols]
    return pa.table([cols[c] for c in names], names=names)


def _write_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    """A list as a sheet: header, text cells per column (the values already neutralised), widths, filter."""
    from salesfocus.report.workbook import Sheet, write_column

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "in_memory": True})
    ws = wb.add_worksheet(re.sub(r"[\[\]:*?/\\]", "-", sheet)[:31] or "list", worksheet_class=Sheet)
    head = wb.add_format({"bold": True, "bg_color": "#1F3A5F", "font_color": "#FFFFFF"})
    for j, (c, col) in enumerate(zip(table.column_names, table.columns, strict=True)):
        ws.write_string(0, j, c, head)
        longest = pc.max(pc.utf8_length(col)).as_py() if table.num_rows else 0
        ws.set_column(j, j, min(max(len(c) + 2, (longest or 0) + 2), 60))
        write_column(ws, j, col.to_pylist())
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(table.num_rows, 1), table.num_columns - 1)
    wb.close()


def _save(table: pa.Table, folder: Path, stem: str, sheet: str) -> tuple[str, str]:
    """Write a list as CSV (and XLSX up to ``XLSX_MAX_ROWS`` rows); every text cell neutralised."""
    csv = folder / f"{stem}.csv"
    write_table_csv(table, csv)
    xlsx = ""
    if table.num_rows <= XLSX_MAX_ROWS:
        neutral = pa.table([neutral_text(c) for c in table.columns], names=table.column_names)
        _write_xlsx(neutral, folder / f"{stem}.xlsx", sheet)
        xlsx = f"{stem}.xlsx"
    return csv.name, xlsx


def _members(d: RunData, cust: pa.Table) -> list[tuple[str, str, str, np.ndarray]]:
    """(file prefix, grouping column, segment value, whether each customer is in it) for every list."""
    out = []
    for key, col in GROUPINGS:
        if col not in cust.column_names:
            continue
        coded = pc.dictionary_encode(_texts(cust.column(col)).combine_chunks())
        codes = coded.indices.to_numpy(zero_copy_only=False)  # compare codes, not a million texts, per segment
        values = coded.dictionary.to_pylist()
        for v in sorted(v for v in values if v):
            out.append((key, col, v, codes == values.index(v)))
    if "at_risk" in d.run.tables and "customer_id" in d.arrow("at_risk").column_names:
        ids = pc.unique(d.arrow("at_risk").column("customer_id").cast(pa.string()))
        hit = pc.is_in(_texts(cust.column("customer_id")), value_set=ids)
        out.append(("at-risk", "at_risk", "at_risk", np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)))
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
    groupings = [(k, c) for k, c in GROUPINGS if c in cust.column_names]
    contacts = _contacts(d, cust, groupings)
    ok = _usable(contacts.column("Email Address"))
    table = contacts.filter(pa.array(ok))  # the customers with a usable address; each list takes its rows from it
    segment_at = table.column_names.index("Segment")
    written: list[ListFile] = []
    used: set[str] = set()
    for key, col, value, member in _members(d, cust):
        segment = _text(t.value(value)) if col != "at_risk" else t.col("at_risk")
        keep = table.take(pa.array(np.flatnonzero(member[ok]), pa.int64()))
        keep = keep.set_column(segment_at, "Segment", pa.array([segment] * keep.num_rows, pa.string()))
        stem = f"{key}-{_slug(value)}" if col != "at_risk" else "at-risk"
        while stem in used:
            stem += "-2"
        used.add(stem)
        csv, xlsx = _save(keep, folder, stem, f"{t.col(col) if col != 'at_risk' else key} {value}")
        written.append(ListFile(t.col(col) if col != "at_risk" else t.table("at_risk"), segment, int(member.sum()),
                                keep.num_rows, csv, xlsx))
    everyone = table.drop_columns(["Segment"])
    csv, xlsx = _save(everyone, folder, "all-contacts", "all-contacts")
    written.append(ListFile(t.t("with_email"), "*", cust.num_rows, int(ok.sum()), csv, xlsx))
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
