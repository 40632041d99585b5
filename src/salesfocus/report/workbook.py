"""The Excel workbook a director opens: ``salesfocus.xlsx`` with an overview, one sheet per analysis and charts.

What does the run say, and can I check it and play with it? The overview sheet puts the summary
sentences and the headline figures with their meaning on one screen; every table of the run gets its own
sheet (frozen header, filter, euro and percentage formats, column widths, labels in the chosen language);
the charts sheet holds native Excel charts that reference those sheets' cells, so they follow when a user
edits a number. A column sheet maps each label back to its name in the CSV files.

Nothing is computed: the workbook shows the run's tables as stored (sorted for reading, capped at
``max_rows`` rows per sheet on very large runs, with the full table in its CSV file).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
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
from salesfocus.report.story import headlines, sentences
from salesfocus.report.tables import CUSTOMER_ORDER, RunData, category_columns, sort_order, version
from salesfocus.workspace import Run

__all__ = ["write_workbook", "plan_rows", "MAX_ROWS", "MAX_CELLS", "WORKBOOK_NAME", "sheet_columns", "Sheet"]

WORKBOOK_NAME = "salesfocus.xlsx"
MAX_ROWS = 100_000  # rows per sheet at most; a larger table is cut and the overview says so
MAX_CELLS = 200_000  # cells over all table sheets (xlsxwriter writes ~150k cells/s); small tables always whole
MIN_ROWS = 500
CUSTOMER_SHARE = 0.5  # the customer sheet (the rows that matter most) may take half of the cell budget first
_NUM_FORMATS = {
    "money": '"€ "#,##0;[Red]-"€ "#,##0', "pct": "0.0%", "pctpt": '0.0"%"', "int": "#,##0", "count": "#,##0",
    "year": "0", "num1": "#,##0.0", "num2": "#,##0.00", "ratio": "0.00",
}
_WIDTH = {"money": 13, "pct": 10, "pctpt": 10, "int": 9, "count": 9, "year": 7, "num1": 10, "num2": 11, "ratio": 9,
          "date": 11, "bool": 8}
_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class SheetRef:
    """Where a table landed: sheet name, its columns (in sheet order) and the number of data rows."""

    sheet: str
    columns: list[str]
    rows: int
    total: int
    source: pd.DataFrame = field(repr=False)

    def col(self, name: str) -> int:
        return self.columns.index(name)


class Book:
    """One workbook being written: formats, sheets written so far, and a chart-data sheet on demand."""

    def __init__(self, data: RunData, path: Path) -> None:
        self.data = data
        self.t: Texts = data.texts
        self.wb = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "default_date_format": self.t.excel_date, "nan_inf_to_errors": True, "in_memory": True,
        })
        self.wb.worksheet_class = Sheet
        self.refs: dict[str, SheetRef] = {}
        self.names: set[str] = set()
        self.f = self._formats()
        self._cd = None
        self._cd_col = 0
        self.overview_name = ""

    def _formats(self) -> dict[str, Any]:
        add = self.wb.add_format
        f = {k: add({"num_format": v}) for k, v in _NUM_FORMATS.items()}
        f["date"] = add({"num_format": self.t.excel_date})
        f["text"] = None
        f["bool"] = add({"align": "center"})
        f["header"] = add({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#1F3A5F",
                           "font_color": "#FFFFFF", "border": 1, "border_color": "#9FB3C8"})
        f["title"] = add({"bold": True, "font_size": 18, "font_color": "#1F3A5F"})
        f["subtitle"] = add({"italic": True, "font_color": "#555555"})
        f["h2"] = add({"bold": True, "font_size": 13, "font_color": "#1F3A5F", "bottom": 2,
                       "bottom_color": "#1F3A5F"})
        f["wrap"] = add({"text_wrap": True, "valign": "top"})
        f["sentence"] = add({"text_wrap": True, "valign": "top", "font_size": 12})
        f["link"] = add({"font_color": "#1155CC", "underline": 1})
        f["muted"] = add({"font_color": "#777777", "text_wrap": True, "valign": "top"})
        for k in ("money", "pct", "int"):
            f[f"big_{k}"] = add({"num_format": _NUM_FORMATS[k], "bold": True, "font_size": 12, "align": "right",
                                 "valign": "top"})
        return f

    # -- sheets ---------------------------------------------------------------------------------------------
    def sheet_name(self, title: str) -> str:
        base = _BAD.sub("-", title).strip("'")[:31] or "Sheet"
        name, i = base, 2
        while name.lower() in self.names:
            suffix = f" {i}"
            name, i = base[: 31 - len(suffix)] + suffix, i + 1
        self.names.add(name.lower())
        return name

    def table_sheet(self, table: str, max_rows: int) -> SheetRef:
        """Write one run table as a sheet: header labels, typed cells, formats, widths, freeze, filter."""
        frame, total = _pick(self.data, table, max_rows)
        kinds = self.data.kinds(table)
        cols = [c for c in frame.columns if not c.startswith("_")]
        ws = self.wb.add_worksheet(self.sheet_name(self.t.table(table)))
        cats = category_columns(cols)
        for j, c in enumerate(cols):
            ws.write_string(0, j, self.t.col(c), self.f["header"])
            ws.set_column(j, j, _width(self.t.col(c), frame[c], kinds[c]), self.f.get(kinds[c]))
        cells = [_cells(frame[c], kinds[c], self.t if c in cats else None) for c in cols]
        if not ws.hold_columns(cells):
            for j, values in enumerate(cells):
                write_column(ws, j, values)
        ws.set_row(0, 32)
        ws.freeze_panes(1, 2 if table in ("customers", "loss_makers") and len(cols) > 2 else 0)
        ws.autofilter(0, 0, max(len(frame), 1), max(len(cols) - 1, 0))
        ref = SheetRef(ws.get_name(), cols, len(frame), total, frame)
        self.refs[table] = ref
        return ref

    def chart_data(self, title: str, columns: dict[str, list[Any]]) -> dict[str, tuple[str, int, int, int]]:
        """Write a block of chart points on the chart-data sheet; returns label → (sheet, col, row0, row1)."""
        if self._cd is None:
            self._cd = self.wb.add_worksheet(self.sheet_name(self.t.t("chart_data")))
            self._cd.write_string(0, 0, self.t.t("chart_data_note"), self.f["subtitle"])
        ws, c0 = self._cd, self._cd_col
        ws.write_string(2, c0, title, self.f["h2"])
        out = {}
        for j, (label, values) in enumerate(columns.items()):
            ws.write_string(3, c0 + j, label, self.f["header"])
            ws.set_column(c0 + j, c0 + j, 14)
            for i, v in enumerate(values):
                ws.write(4 + i, c0 + j, v)
            out[label] = (ws.get_name(), c0 + j, 4, 4 + max(len(values) - 1, 0))
        self._cd_col = c0 + len(columns) + 1
        return out


def plan_rows(data: RunData, order: list[str], max_cells: int = MAX_CELLS, max_rows: int = MAX_ROWS) -> dict[str, int]:
    """Rows per sheet: the customer sheet first (up to half the cells), then small tables whole, and the large
    ones share what is left of the cell budget evenly."""
    shape = {n: (data.num_rows(n), max(1, len(data.schema(n)))) for n in order}
    if "customers" in shape:
        have = set(data.arrow("customers").column_names)
        shape["customers"] = (shape["customers"][0], max(1, len([c for c in CUSTOMER_ORDER if c in have])))
    left, budget, out = len(order), float(max_cells), {}
    if "customers" in shape:  # first: its top rows by net profit, up to half the budget
        rows, cols = shape["customers"]
        share = max_cells * CUSTOMER_SHARE
        out["customers"] = min(rows, max_rows, rows if rows * cols <= share else max(MIN_ROWS, int(share // cols)))
        budget -= out["customers"] * cols
        left -= 1
    for n in sorted((n for n in order if n not in out), key=lambda n: shape[n][0] * shape[n][1]):
        rows, cols = shape[n]
        fair = budget / left
        keep = rows if rows * cols <= fair else max(MIN_ROWS, int(fair // cols))
        out[n] = min(rows, keep, max_rows)
        budget -= out[n] * cols
        left -= 1
    return out


def _pick(data: RunData, table: str, max_rows: int) -> tuple[pd.DataFrame, int]:
    """The rows a sheet shows, picked in Arrow before converting; and the table's row count.

    Reading order: customers by net profit (largest first, empty last; by revenue when no profit), their key
    columns only (all are in the CSV); other tables as stored. At most ``max_rows`` rows.
    """
    total = data.num_rows(table)
    if table != "customers":
        return data.frame(table, neutral=True, rows=max_rows if total > max_rows else None), total
    t = data.arrow(table)
    cols = [c for c in CUSTOMER_ORDER if c in t.column_names]
    key = "revenue"
    if "net_profit" in cols:
        profit = t.column("net_profit")
        known = pc.is_valid(profit) if not pa.types.is_floating(profit.type) else pc.invert(
            pc.fill_null(pc.is_nan(profit), True))
        key = "net_profit" if pc.any(known).as_py() else key
    if key not in cols:
        return data.frame(table, neutral=True, columns=cols, rows=min(total, max_rows)), total
    keys = [(key, "descending")] + ([("customer_id", "ascending")] if "customer_id" in cols else [])
    return data.frame(table, neutral=True, columns=cols, rows=sort_order(t, keys)[:max_rows]), total


def _cells(s: pd.Series, kind: str, t: Texts | None) -> list[Any]:
    """A column as Python cell values: NaN → None, category words translated.

    Numbers and booleans go through numpy's ``tolist`` with the empty cells set afterwards; a text column's
    words are translated once per distinct value (a sheet of 100,000 customers has a few hundred thousand cells
    of each kind, and pandas' ``where`` and a test per cell cost most of the time the cells take)."""
    if kind == "text" and t is not None:
        codes, words = pd.factorize(s, use_na_sentinel=True)
        said = np.array([t.value(w) for w in words.tolist()] + [None], dtype=object)
        return said[codes].tolist()  # code -1 (empty) is the last: None
    k = s.dtype.kind if isinstance(s.dtype, np.dtype) else ""  # pandas' own dtypes (with pd.NA) below
    if k == "f":
        values = s.to_numpy()
        cells = values.tolist()
        for i in np.flatnonzero(np.isnan(values)).tolist():
            cells[i] = None
        return cells
    if k in ("i", "u", "b"):
        return s.tolist()
    if s.dtype.kind in "fc":
        return s.astype(object).where(s.notna(), None).tolist()
    if s.dtype.kind == "M":
        return [None if pd.isna(v) else v.to_pydatetime() for v in s]
    return [None if v is None or (isinstance(v, float) and v != v) or v is pd.NaT else v for v in s.tolist()]


def write_column(ws: Any, j: int, values: list[Any], first_row: int = 1) -> None:
    """One column of cells from row ``first_row`` down, with the typed writer of its values (no per-cell
    type dispatch); empty values are left out, a value of another type goes through ``write``."""
    sample = next((v for v in values if v is not None), None)
    if sample is None:
        return
    kind = type(sample)
    if _store_column(ws, j, values, first_row, kind):
        return
    writers = {bool: ws.write_boolean, int: ws.write_number, float: ws.write_number, str: ws.write_string,
               dt.date: ws.write_datetime, dt.datetime: ws.write_datetime}
    put = writers.get(kind, ws.write)
    same = {int, float} if kind in (int, float) else {kind}
    for i, v in enumerate(values, start=first_row):
        if v is None or (kind is str and v == ""):
            continue
        if type(v) in same:
            put(i, j, v)
        else:
            ws.write(i, j, v)


_CELLS = tuple(getattr(xlsxwriter.worksheet, n, None) for n in ("CellNumberTuple", "CellStringTuple",
                                                                  "CellBooleanTuple"))
_SHORT = 16_000  # a text this long or shorter is below Excel's cell limit (xlsxwriter checks longer ones)


def _store_column(ws: Any, j: int, values: list[Any], first_row: int, kind: type) -> bool:
    """Numbers, texts and booleans stored straight into the sheet's cell table, as ``write_number`` /
    ``write_string`` / ``write_boolean`` store them without a format; False when this xlsxwriter has no such
    table (the caller then writes each cell). Per call those writers check the cell's place and the value,
    which is most of the time a large sheet takes; here the place is checked once for the column, and a value
    they would treat specially (NaN, infinity, a very long text, another type) still goes through ``write``.
    """
    store = {int: _store_numbers, float: _store_numbers, str: _store_texts, bool: _store_booleans}.get(kind)
    if store is None or None in _CELLS or ws.constant_memory:
        return False
    last = first_row + len(values) - 1
    if ws._check_dimensions(first_row, j, True, True) or ws._check_dimensions(last, j, True, True):
        return False  # outside the sheet: the per-cell writers say so
    rows = store(ws, j, enumerate(values, start=first_row))
    if rows:  # the used range as the per-cell writers leave it
        ws._check_dimensions(rows[0], j)
        ws._check_dimensions(rows[-1], j)
    return True


@dataclass
class _Held:
    """Columns of cells held by :meth:`Sheet.hold_columns`: rows ``first`` to ``first + rows - 1``; per column its
    kind (``number``, ``date``: the number Excel stores, ``text``: shared-string index, ``boolean``) and values
    (None: no cell); ``present``: per column, whether a row has its cell; ``filled``: whether a row has any cell."""

    first: int
    rows: int
    columns: dict[int, tuple[str, list[Any]]]
    present: dict[int, np.ndarray]  # per column: whether a row has its cell
    filled: np.ndarray


def _held_kind(values: list[Any]) -> str | None:
    """How :meth:`Sheet.hold_columns` holds a column, decided as :func:`write_column` decides its writer: by the
    first value; None when a value would take another writer or special care (NaN, infinity, a text longer than
    :data:`_SHORT`, a time zone), and the column goes cell by cell instead."""
    sample = next((v for v in values if v is not None), None)
    if sample is None:
        return "empty"
    kind = type(sample)
    if kind is float or kind is int:
        ok = all(v is None or ((type(v) is float or type(v) is int) and v - v == 0) for v in values)
        return "number" if ok else None
    if kind is str:
        return "text" if all(v is None or (type(v) is str and len(v) <= _SHORT) for v in values) else None
    if kind is bool:
        return "boolean" if all(v is None or type(v) is bool for v in values) else None
    if kind is dt.date or (kind is dt.datetime and sample.tzinfo is None):
        return "date" if all(v is None or (type(v) is kind and getattr(v, "tzinfo", None) is None)
                             for v in values) else None
    return None


class Sheet(Worksheet):
    """A worksheet that writes its number and shared-text cells without a format of their own (nearly all of a
    large sheet) row by row in one step each, as the same XML as xlsxwriter's ``_write_rows``: the place, the
    row's or column's format, the value. xlsxwriter builds that with a call, a list of attributes and an escape
    of each per cell, most of the time saving a large sheet takes. Other cells go through ``_write_cell``; a
    sheet in constant-memory mode is written by xlsxwriter.

    A table's columns can be held whole instead of as cells (:meth:`hold_columns`): their rows are then written as
    one block of the same XML, and no cell tuple is stored for them at all."""

    held: _Held | None = None

    def hold_columns(self, columns: list[list[Any]], first_row: int = 1) -> bool:
        """Hold whole columns of cell values (column ``j`` from row ``first_row`` down), to be written as the same
        cells :func:`write_column` would store; False (nothing held) when a column needs the cell writers.

        Texts go into the shared-string table now, column by column, as :func:`write_column` adds them; the used
        range is what those writers leave. No cell of the sheet may be written in those rows afterwards."""
        rows = max(map(len, columns), default=0)
        if self.constant_memory or rows == 0 or self.held is not None or self.comments \
                or any(r >= first_row for r in self.row_info) \
                or self._check_dimensions(first_row + rows - 1, len(columns) - 1, True, True):
            return False
        kinds = [_held_kind(values) for values in columns]
        if None in kinds:
            return False
        held: dict[int, tuple[str, list[Any]]] = {}
        where: dict[int, np.ndarray] = {}
        filled = np.zeros(rows, dtype=bool)
        index = self.str_table._get_shared_string_index
        for j, (kind, values) in enumerate(zip(kinds, columns, strict=True)):
            if kind == "empty":
                continue
            if kind == "text":
                values = [index(v) if v else None for v in values]  # an empty text is no cell
            elif kind == "date":
                values = [None if v is None else self._convert_date_time(v) for v in values]
            values = values + [None] * (rows - len(values))
            present = np.fromiter((v is not None for v in values), dtype=bool, count=rows)
            if not present.any():
                continue
            at = np.flatnonzero(present)
            self._check_dimensions(first_row + int(at[0]), j)
            self._check_dimensions(first_row + int(at[-1]), j)
            filled |= present
            held[j], where[j] = (kind, values), present
        self.held = _Held(first_row, rows, held, where, filled)
        return True

    def _write_rows(self) -> None:
        if self.held is None:
            self._write_cell_rows()
            return
        last = self.dim_rowmax
        self.dim_rowmax = min(last, self.held.first - 1)  # the rows above the held ones, from the cell table
        try:
            if self.dim_rowmax >= self.dim_rowmin:
                self._write_cell_rows()
            else:
                self._calculate_spans()
        finally:
            self.dim_rowmax = last
        self.fh.write(self._held_xml())

    def _held_xml(self) -> str:
        """The ``<row>`` elements of the held rows, as :meth:`_write_cell_rows` writes their cells."""
        held = self.held
        first, n = held.first, held.rows
        places = [str(first + 1 + i) for i in range(n)]
        spans = self.row_spans
        columns = []
        for j, (kind, values) in sorted(held.columns.items()):
            name = xl_col_to_name(j)
            if kind == "date":  # the date format write_datetime gives a cell without one
                fmt = self.default_date_format
                style = f' s="{fmt._get_xf_index()}"' if fmt is not None else self._column_style(j)
            else:
                style = self._column_style(j)
            if kind in ("number", "date"):
                cells = [f'<c r="{name}{p}"{style}><v>{v:.16G}</v></c>' if v is not None else ""
                         for p, v in zip(places, values, strict=True)]
            elif kind == "text":
                cells = [f'<c r="{name}{p}"{style} t="s"><v>{v}</v></c>' if v is not None else ""
                         for p, v in zip(places, values, strict=True)]
            else:
                cells = [f'<c r="{name}{p}"{style} t="b"><v>{1 if v else 0}</v></c>' if v is not None else ""
                         for p, v in zip(places, values, strict=True)]
            columns.append(cells)
        bodies = map("".join, zip(*columns, strict=True))
        return "".join(f'<row r="{p}" spans="{spans[(first + i) // 16]}">{body}</row>'
                       for i, (p, body) in enumerate(zip(places, bodies, strict=True)) if held.filled[i])

    def _calculate_spans(self) -> None:
        """xlsxwriter's ``spans`` of each block of 16 rows (the first and last column with a cell), the held rows'
        cells included."""
        super()._calculate_spans()
        held = self.held
        if held is None or not held.columns:
            return
        columns = np.array(sorted(held.columns))
        present = np.vstack([held.present[j] for j in columns.tolist()])
        blocks = (held.first + np.arange(held.rows)) // 16
        starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
        used = np.logical_or.reduceat(present, starts, axis=1)  # held column × block: has a cell there
        for b, have in zip(blocks[starts].tolist(), used.T, strict=True):
            cols = columns[have]
            if cols.size:
                low, high = (int(x) for x in self.row_spans.get(b, f"{cols[0] + 1}:{cols[-1] + 1}").split(":"))
                self.row_spans[b] = f"{min(low, int(cols[0]) + 1)}:{max(high, int(cols[-1]) + 1)}"

    def _get_range_data(self, row_start: int, col_start: int, row_end: int, col_end: int) -> list[Any]:
        """A range's values for a chart's cached data, held rows included (as xlsxwriter reads its cell table: a
        row without any cell is one None, a boolean gives nothing)."""
        held = self.held
        if held is None or row_end < held.first or row_start >= held.first + held.rows:
            return super()._get_range_data(row_start, col_start, row_end, col_end)
        data: list[Any] = []
        for row in range(row_start, row_end + 1):
            i = row - held.first
            if not 0 <= i < held.rows:
                data.extend(super()._get_range_data(row, col_start, row, col_end))
                continue
            if not held.filled[i]:
                data.append(None)
                continue
            for col in range(col_start, col_end + 1):
                kind, values = held.columns.get(col, ("empty", None))
                v = None if values is None else values[i]
                if v is None:
                    data.append(None)
                elif kind in ("number", "date"):
                    data.append(f"{v:.16g}")
                elif kind == "text":
                    data.append(self.str_table._get_shared_string(v))
        return data

    def _write_cell_rows(self) -> None:
        """The rows of the cell table (every row when nothing is held)."""
        if self.constant_memory or _NUMBER is None or _STRING is None:
            super()._write_rows()
            return
        self._calculate_spans()
        table, row_info, comments, write = self.table, self.row_info, self.comments, self.fh.write
        columns = range(self.dim_colmin, self.dim_colmax + 1)
        names = [xl_col_to_name(c) for c in columns]
        styles: dict[int, str] = {}  # a column's format, found when a cell first needs it (as xlsxwriter does)
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            info = row_info.get(row)
            if not (info is not None or row in comments or table[row]):
                continue
            span = self.row_spans.get(int(row / 16))
            if not table[row]:
                self._write_empty_row(row, span, info)
                continue
            self._write_row(row, span, info)
            cells, place = table[row], str(row + 1)
            row_style = f' s="{info.row_format._get_xf_index()}"' if info is not None and info.row_format else None
            for k, col in enumerate(columns):
                cell = cells.get(col)
                if cell is None:
                    continue
                kind = type(cell)
                if (kind is not _NUMBER and kind is not _STRING) or cell.format is not None:
                    self._write_cell(row, col, cell)
                    continue
                style = row_style
                if style is None:
                    style = styles.get(col)
                    if style is None:
                        style = styles[col] = self._column_style(col)
                if kind is _NUMBER:
                    write(f'<c r="{names[k]}{place}"{style}><v>{cell.number:.16G}</v></c>')
                else:
                    write(f'<c r="{names[k]}{place}"{style} t="s"><v>{cell.string}</v></c>')
            self._xml_end_tag("row")

    def _column_style(self, col: int) -> str:
        info = self.col_info.get(col)
        if info is None or info.column_format is None:
            return ""
        return f' s="{info.column_format._get_xf_index()}"'


_NUMBER, _STRING = _CELLS[0], _CELLS[1]


def _store_numbers(ws: Any, j: int, cells: Any) -> list[int]:
    table, new, number, rows = ws.table, tuple.__new__, _CELLS[0], []
    for i, v in cells:
        if v is None:
            continue
        if (type(v) is float or type(v) is int) and v - v == 0:  # finite: NaN and infinity become errors
            table[i][j] = new(number, (v, None))
            rows.append(i)
        else:
            ws.write(i, j, v)
    return rows


def _store_texts(ws: Any, j: int, cells: Any) -> list[int]:
    table, new, string, rows = ws.table, tuple.__new__, _CELLS[1], []
    index = ws.str_table._get_shared_string_index
    for i, v in cells:
        if v is None or v == "":
            continue
        if type(v) is str and len(v) <= _SHORT:
            table[i][j] = new(string, (index(v), None))
            rows.append(i)
        else:
            ws.write(i, j, v)
    return rows


def _store_booleans(ws: Any, j: int, cells: Any) -> list[int]:
    table, new, boolean, rows = ws.table, tuple.__new__, _CELLS[2], []
    for i, v in cells:
        if v is None:
            continue
        if type(v) is bool:
            table[i][j] = new(boolean, (1 if v else 0, None))
            rows.append(i)
        else:
            ws.write(i, j, v)
    return rows


def _width(label: str, s: pd.Series, kind: str) -> float:
    if kind in _WIDTH:
        return max(_WIDTH[kind], min(len(label) * 0.9, 24))
    # the longest of the first 300 values as text (empty cells left out)
    longest = max((len(str(v)) for v in s.iloc[:300].tolist()
                   if not (v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and v != v))), default=0)
    return float(min(max(longest + 2, len(label) * 0.9, 8), 60))


def _overview_head(book: Book, ws: Any) -> int:
    """Title, run line, summary sentences and headline figures; returns the last row written."""
    t, d, f = book.t, book.data, book.f
    s = d.summary
    start, end = d.period()
    ws.write_string(0, 0, f"salesfocus — {t.t('title')}", f["title"])
    ws.write_string(1, 0, t.t("subtitle"), f["subtitle"])
    ws.write_string(2, 0, t.t("run_line", run_id=d.run.run_id, created=d.created(), start=start, end=end,
                              as_of=t.date(s.get("as_of")), customers=t.num(s.get("customers"))), f["subtitle"])
    r = 4
    ws.write_string(r, 0, t.t("in_short"), f["h2"])
    for sentence in sentences(d):
        r += 1
        ws.merge_range(r, 0, r, 2, sentence, f["sentence"])
        ws.set_row(r, 20 if len(sentence) < 150 else 36)
    r += 2
    ws.write_string(r, 0, t.t("headline"), f["h2"])
    r += 1
    for j, h in enumerate((t.t("figure"), t.t("value"), t.t("meaning"))):
        ws.write_string(r, j, h, f["header"])
    for h in headlines(d):
        r += 1
        ws.write_string(r, 0, h.label, f["wrap"])
        ws.write_number(r, 1, float(h.value), f[f"big_{h.kind}"])
        ws.write_string(r, 2, h.meaning, f["muted"])
    return r


def _overview_contents(book: Book, ws: Any, order: list[str], r: int) -> int:
    """A linked line per sheet with its row count and what it shows (and where a cut table is whole)."""
    t, d, f = book.t, book.data, book.f
    r += 2
    ws.write_string(r, 0, t.t("contents"), f["h2"])
    r += 1
    for j, h in enumerate((t.t("sheet"), t.t("rows"), t.t("about_sheet"))):
        ws.write_string(r, j, h, f["header"])
    for name in order:
        ref = book.refs.get(name)
        if ref is None:
            continue
        r += 1
        ws.write_url(r, 0, f"internal:'{ref.sheet}'!A1", f["link"], ref.sheet)
        ws.write_number(r, 1, ref.total, f["int"])
        about = t.about(name)
        if name == "customers" and len(ref.columns) < d.arrow(name).num_columns:
            about = f"{about} {t.t('key_columns', shown=len(ref.columns), total=d.arrow(name).num_columns)}"
        if ref.rows < ref.total:
            about = f"{about} {t.t('rows_capped', shown=t.num(ref.rows), total=t.num(ref.total), file=name + '.csv')}"
        ws.write_string(r, 2, about, f["muted"])
    return r


def _overview(book: Book, order: list[str]) -> None:
    """The first sheet: title, sentences, headline figures with meaning, contents, what is missing, notes."""
    t, d, f = book.t, book.data, book.f
    ws = book.wb.get_worksheet_by_name(book.overview_name)
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 100)
    ws.hide_gridlines(2)
    r = _overview_contents(book, ws, order, _overview_head(book, ws))
    lines = [t.t("missing_note", what=t.t(f"sec_{sec}"), table=table) for sec, table in d.missing()]
    for title, items in ((t.t("missing"), lines), (t.t("notes"), [str(n) for n in d.summary.get("notes") or []])):
        if not items:
            continue
        r += 2
        ws.write_string(r, 0, title, f["h2"])
        for n in items:
            r += 1
            ws.merge_range(r, 0, r, 2, n, f["muted"])
            ws.set_row(r, 30 if len(n) > 110 else 16)
    r += 2
    ws.write_string(r, 0, t.t("generated", version=version()), f["subtitle"])
    ws.activate()


def sheet_columns(path: Path | str) -> dict[str, dict[str, str]]:
    """Read back the column sheet of a workbook: sheet → {label: name in CSV} (for tests and tools)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    names = (wb.sheetnames[-1],)
    out: dict[str, dict[str, str]] = {}
    for row in wb[names[0]].iter_rows(min_row=2, values_only=True):
        if row and row[0]:
            out.setdefault(row[0], {})[row[1]] = row[2]
    wb.close()
    return out


def _columns_sheet(book: Book, order: list[str]) -> None:
    t, f = book.t, book.f
    ws = book.wb.add_worksheet(book.sheet_name(t.t("columns_sheet")))
    for j, (h, w) in enumerate(((t.t("sheet"), 28), (t.t("column"), 36), (t.t("csv_name"), 30))):
        ws.write_string(0, j, h, f["header"])
        ws.set_column(j, j, w)
    r = 0
    for name in order:
        ref = book.refs.get(name)
        if ref is None:
            continue
        for c in ref.columns:
            r += 1
            ws.write_row(r, 0, [ref.sheet, t.col(c), c])
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(r, 1), 2)


def write_workbook(run: Run | RunData, path: Path | str, lang: str | None = None, *,
                   max_rows: int = MAX_ROWS, max_cells: int = MAX_CELLS) -> Path:
    """Write ``salesfocus.xlsx`` for a stored run; returns its path.

    Parameters
    ----------
    run : Run or RunData
        The stored run (``RunData`` when the caller already read its tables).
    path : Path or str
        File to write (a folder gets ``salesfocus.xlsx`` inside it).
    lang : str, optional
        ``en`` or ``nl``; default the run's config language.
    max_rows, max_cells : int
        Rows per sheet and cells over all table sheets at most (see :func:`plan_rows`); a table cut short
        keeps its first rows in reading order and the overview says where the whole table is.
    """
    from salesfocus.report.xlsx_charts import add_charts

    data = run if isinstance(run, RunData) else RunData(run, lang)
    path = Path(path)
    if path.is_dir() or path.suffix.lower() != ".xlsx":
        path = path / WORKBOOK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Book(data, path)
    t = data.texts
    props = {"title": f"salesfocus — {t.t('title')}", "subject": t.t("subtitle"), "author": "salesfocus",
             "comments": f"run {data.run.run_id}"}
    if (made := data.workbook_created()) is not None:
        props["created"] = made
    book.wb.set_properties(props)
    ov = book.wb.add_worksheet(book.sheet_name(t.t("overview")))
    book.overview_name = ov.get_name()
    charts_ws = book.wb.add_worksheet(book.sheet_name(t.t("charts")))
    order = data.tables
    first = ["customers"] if "customers" in order else []
    order = first + [n for n in order if n not in first]
    rows = plan_rows(data, order, max_cells, max_rows)
    for name in order:
        book.table_sheet(name, rows[name])
    add_charts(book, charts_ws)
    _overview(book, order)
    _columns_sheet(book, order)
    book.wb.close()
    return path
