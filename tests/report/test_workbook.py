"""The workbook: sheets, native charts, formats, frozen headers, filters, and figures equal to the run's."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from salesfocus.report import RunData, Texts, write_workbook
from salesfocus.report.tables import column_kind
from salesfocus.report.workbook import plan_rows, sheet_columns

from .runs import EVIL_NAME, SUMMARY


def _charts(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode() for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_sheets_in_order_with_labels_in_the_language(run, tmp_path, lang):
    path = write_workbook(run, tmp_path, lang)
    t = Texts(lang)
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names[0] == t.t("overview") and names[1] == t.t("charts") and names[-1] == t.t("columns_sheet")
    for table in run.tables:
        assert t.table(table) in names, table
    assert names[2] == t.table("customers")  # profit per customer comes first
    ws = wb[t.table("pyramid")]
    assert [c.value for c in ws[1]][:3] == [t.col("pyramid_level"), t.col("level_order"), t.col("count")]
    assert ws["A2"].value == t.value("top") and ws["A3"].value == t.value("large")
    if lang == "nl":
        assert "Klantenpiramide" in names and "Walviscurve" in names and ws["A3"].value == "groot"


def test_native_charts_reference_the_table_sheets(run, tmp_path):
    path = write_workbook(run, tmp_path, "en")
    charts = _charts(path)
    assert len(charts) >= 4
    t = Texts("en")
    refs = "".join(charts)
    for sheet in ("Whale curve", "Customer pyramid", "Effort vs value", "Loss-makers", "Segment policy"):
        assert f"'{sheet}'!" in refs or f"{sheet}!" in refs, sheet
    assert t.t("ch_whale") in refs and t.t("ch_abc") in refs
    assert "<c:logBase val=\"10\"/>" in refs  # the A/B/C scatter on a log scale
    wb = openpyxl.load_workbook(path)
    assert len(wb[t.t("charts")]._charts) == len(charts)


def test_formats_frozen_headers_filters_and_widths(run, tmp_path):
    path = write_workbook(run, tmp_path, "nl")
    t = Texts("nl")
    wb = openpyxl.load_workbook(path)
    ws = wb[t.table("customers")]
    head = {c.value: c.column_letter for c in ws[1]}
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert "€" in ws[f"{head[t.col('revenue')]}2"].number_format
    assert "€" in ws[f"{head[t.col('net_profit')]}2"].number_format
    assert ws[f"{head[t.col('margin_pct')]}2"].number_format == "0.0%"
    assert ws[f"{head[t.col('last_order')]}2"].is_date
    assert ws[f"{head[t.col('last_order')]}2"].number_format == "d-m-yyyy"
    assert ws.column_dimensions[head[t.col("name")]].width > 10
    pyr = wb[t.table("pyramid")]
    assert pyr.freeze_panes == "A2" and pyr.auto_filter.ref
    share = {c.value: c.column_letter for c in pyr[1]}[t.col("revenue_share")]
    assert pyr[f"{share}2"].number_format == "0.0%"
    seg = wb[t.table("segments")]  # targeting's margin % is in points (31.5 = 31.5%)
    col = {c.value: c.column_letter for c in seg[1]}[t.col("margin_pct")]
    assert seg[f"{col}2"].value == 31.5 and seg[f"{col}2"].number_format == '0.0"%"'


def test_every_figure_equals_the_run(run, tmp_path):
    path = write_workbook(run, tmp_path, "en")
    wb = openpyxl.load_workbook(path)
    labels = sheet_columns(path)
    data = RunData(run, "en")
    t = data.texts
    for table in run.tables:
        frame = data.frame(table)
        ws = wb[t.table(table)]
        back = labels[ws.title]
        header = [back[c.value] for c in ws[1]]
        rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
        assert len(rows) == len(frame), table
        key = "customer_id" if table == "customers" else None
        want = frame.set_index(key, drop=False) if key else frame
        for i, got in enumerate(rows):
            exp = want.loc[got[key]] if key else want.iloc[i]
            for col, value in got.items():
                kind = column_kind(col, data.arrow(table).schema.field(col).type, table)
                if kind in ("money", "pct", "pctpt", "num1", "num2", "ratio", "int", "count"):
                    e = exp[col]
                    assert (value is None and e != e) or value == pytest.approx(float(e)), (table, col, i)


def test_overview_holds_the_headline_figures_and_their_meaning(run, tmp_path):
    path = write_workbook(run, tmp_path, "en")
    ws = openpyxl.load_workbook(path)["Overview"]
    cells = {r[0].value: (r[1].value, r[1].number_format, r[2].value) for r in ws.iter_rows() if r[0].value}
    t = Texts("en")
    value, fmt, meaning = cells[t.col("net_profit")]
    assert value == SUMMARY["net_profit"] and "€" in fmt and meaning == t.t("m_net_profit")
    assert cells[t.col("top20_revenue_share")][:2] == (0.81, "0.0%")
    assert cells[t.col("loss_making_total")][0] == -412_000
    text = " ".join(str(c.value) for r in ws.iter_rows() for c in r if c.value)
    assert "20% of your customers make 81% of revenue; 14% lose money, together €412k." in text
    assert "Not in this run" not in text  # every analysis a complete run has is here


def test_formula_injection_is_neutralised_in_every_cell(run, tmp_path):
    path = write_workbook(run, tmp_path, "en")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    names = [c.value for c in wb["Profit per customer"]["B"]]
    assert "'" + EVIL_NAME in names and "'+31 Handel" in names and "'@home BV" in names
    assert "'=1+2" in [c.value for c in wb["Rejected rows"]["E"]]


def test_a_run_with_only_customers_still_gives_a_workbook(thin_run, tmp_path):
    path = write_workbook(thin_run, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Overzicht", "Grafieken", "Winst per klant"]
    text = " ".join(str(c.value) for r in wb["Overzicht"].iter_rows() for c in r if c.value)
    assert "Niet in deze analyse" in text and "whale_curve" in text


def test_large_tables_are_cut_to_the_cell_budget_and_the_overview_says_so(run, tmp_path):
    data = RunData(run, "en")
    plan = plan_rows(data, data.tables, max_cells=700)
    assert plan["pyramid"] == 6  # small tables stay whole
    path = write_workbook(data, tmp_path, max_rows=10)
    wb = openpyxl.load_workbook(path)
    assert wb["Whale curve"].max_row == 11
    text = " ".join(str(c.value) for r in wb["Overview"].iter_rows() for c in r if c.value)
    assert "The first 10 of 40 rows (full table: whale_curve.csv)" in text


def test_the_customer_sheet_comes_first_in_the_cell_budget(run, monkeypatch):
    """A large run: the customer sheet keeps its top rows by net profit (up to half the cells), others share."""
    from salesfocus.report import workbook

    monkeypatch.setattr(workbook, "MIN_ROWS", 5)
    data = RunData(run, "en")
    cols = len([c for c in workbook.CUSTOMER_ORDER if c in data.arrow("customers").column_names])
    plan = plan_rows(data, data.tables, max_cells=cols * 40)
    assert plan["customers"] == 20 and plan["pyramid"] == 6


def test_customer_sheet_rows_are_the_most_profitable(run, tmp_path, monkeypatch):
    from salesfocus.report import workbook

    monkeypatch.setattr(workbook, "MIN_ROWS", 5)
    data = RunData(run, "en")
    path = write_workbook(data, tmp_path, max_rows=5)
    ws = openpyxl.load_workbook(path)["Profit per customer"]
    head = [c.value for c in ws[1]]
    profit = [r[head.index("Net profit")] for r in ws.iter_rows(min_row=2, values_only=True)]
    best = sorted(data.frame("customers")["net_profit"], reverse=True)[:5]
    assert profit == pytest.approx(best)


def test_column_cells_stored_as_the_per_cell_writers_store_them(tmp_path, monkeypatch):
    import xlsxwriter

    from salesfocus.report import workbook as wbmod

    columns = [
        [None, 1.5, 2, float("nan"), float("inf"), None, True, -0.0, 10**20],
        ["a", "", None, "=x", "é" * 17_000, 3, "a", None],
        [True, None, False, 1, True],
        [None, None],
        [None, 4, 5.25, None],
    ]

    def cells(fast: bool):
        if not fast:
            monkeypatch.setattr(wbmod, "_CELLS", (None, None, None))
        book = xlsxwriter.Workbook(str(tmp_path / f"{fast}.xlsx"), {"nan_inf_to_errors": True, "in_memory": True})
        ws = book.add_worksheet()
        for j, values in enumerate(columns):
            wbmod.write_column(ws, j + 2, values, first_row=3)
        strings = dict(book.str_table.string_table)
        got = ({r: dict(c) for r, c in ws.table.items() if c}, strings,
               (ws.dim_rowmin, ws.dim_rowmax, ws.dim_colmin, ws.dim_colmax))
        book.close()
        return got

    fast = cells(True)
    assert fast == cells(False)
    assert fast[2] == (3, 11, 2, 6)


def test_the_sheet_class_writes_the_same_file_as_xlsxwriters_worksheet(tmp_path):
    import datetime as dt

    import xlsxwriter

    from salesfocus.report.workbook import Sheet

    def book(sheet_class) -> dict[str, bytes]:
        path = tmp_path / f"{sheet_class.__name__}.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
        wb.set_properties({"created": dt.datetime(2024, 1, 2, 3, 4, 5)})
        money, bold = wb.add_format({"num_format": "#,##0.00"}), wb.add_format({"bold": True})
        ws = wb.add_worksheet("data", worksheet_class=sheet_class)
        ws.set_column(1, 1, 12, money)  # a column format: its cells carry it
        ws.set_row(4, 20, bold)  # a row format wins over the column's
        ws.set_row(5, 30)  # a row without a format
        for i in range(1, 40):
            ws.write_number(i, 0, i * 0.1)
            ws.write_number(i, 1, -i * 1e17 if i % 5 else i)
            ws.write_string(i, 2, f"t{i % 7} & <x>")
            ws.write_string(i, 3, "same", bold)  # a format of its own
        ws.write_boolean(1, 4, True)
        ws.write_datetime(2, 4, dt.date(2024, 5, 6), money)
        ws.write_number(3, 4, float("nan"))
        ws.write_formula(4, 4, "=A2+1")
        ws.write_blank(6, 4, None, bold)
        ws.write_url(7, 4, "https://example.com")
        ws.write_number(42, 0, 1.0)  # a sparse row, then rows with a format or a comment only
        ws.write_string(42, 4, "end")
        ws.set_row(45, 15, bold)
        ws.write_comment(47, 1, "a note")
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, 39, 4)
        wb.add_worksheet("empty", worksheet_class=sheet_class)
        wb.close()
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist()}

    fast, plain = book(Sheet), book(xlsxwriter.worksheet.Worksheet)
    assert fast.keys() == plain.keys() and all(fast[n] == plain[n] for n in plain)
    assert b'<c r="B2" s="' in fast["xl/worksheets/sheet1.xml"]  # cells in the column format were written


def _zip(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_held_columns_give_the_same_file_as_cells_written_one_by_one(tmp_path):
    import datetime as dt

    import xlsxwriter

    from salesfocus.report.workbook import Sheet, write_column

    n = 40
    columns = [
        [None if i == 7 else (i * 0.1 if i % 3 else i) for i in range(n)] + [None],  # numbers, a gap, an empty row
        [f"t{i % 5} & <x>" if i % 4 else "" for i in range(n)] + [None],  # shared texts, empty texts
        [None if i % 6 == 0 else i % 2 == 0 for i in range(n)] + [None],  # booleans (charts give nothing for them)
        [dt.date(2024, 1, 1) + dt.timedelta(days=i) if i % 5 else None for i in range(n)] + [None],
        [None] * (n + 1),  # an empty column
        [-0.0, 1e20, 1e-300, 12345678901234567, -5] + [None] * 20,  # odd numbers, a column shorter than the rest
        [dt.datetime(2024, 5, 6, 7, 8, 9)] * 3,
    ]
    columns[0][n - 1] = columns[1][n - 1] = columns[2][n - 1] = columns[3][n - 1] = None  # a row with no cell
    columns[5][17] = 3.5

    def book(hold: bool) -> dict[str, bytes]:
        path = tmp_path / f"{hold}.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "default_date_format": "dd-mm-yyyy"})
        wb.set_properties({"created": dt.datetime(2024, 1, 2, 3, 4, 5)})
        money, head = wb.add_format({"num_format": "#,##0.00"}), wb.add_format({"bold": True})
        ws = wb.add_worksheet("data", worksheet_class=Sheet)
        for j in range(len(columns)):
            ws.write_string(0, j, f"col {j}", head)
        ws.set_column(0, 0, 12, money)  # a column format: its cells carry it
        ws.set_column(2, 2, 8, head)
        ws.set_row(0, 30)
        if hold:
            assert ws.hold_columns(columns)
        else:
            for j, values in enumerate(columns):
                write_column(ws, j, values)
        chart = wb.add_chart({"type": "column"})  # its cached values are read from the held cells
        chart.add_series({"categories": ["data", 1, 1, 30, 1], "values": ["data", 1, 0, 30, 0]})
        chart.add_series({"values": ["data", 1, 2, 41, 6]})
        ws.insert_chart("J2", chart)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, n, len(columns) - 1)
        wb.close()
        return _zip(path)

    held, cells = book(True), book(False)
    assert held.keys() == cells.keys()
    for name in cells:
        assert held[name] == cells[name], name
    assert b'spans="1:7"' in held["xl/worksheets/sheet1.xml"]


@pytest.mark.parametrize("odd", [float("nan"), float("inf"), "x" * 17_000, 1.5])
def test_a_column_with_a_value_that_needs_care_is_not_held(tmp_path, odd):
    import xlsxwriter

    from salesfocus.report.workbook import Sheet

    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    ws = wb.add_worksheet(worksheet_class=Sheet)
    column = ["a", "b", odd] if odd != 1.5 else [1, True]  # a boolean among numbers takes write_boolean
    assert not ws.hold_columns([[1.0, 2.0], column])
    assert ws.held is None and not ws.table
    wb.close()


def test_the_workbook_is_the_same_with_its_tables_held(run, tmp_path, monkeypatch):
    from salesfocus.report.workbook import Sheet

    held = _zip(write_workbook(run, tmp_path / "held.xlsx"))
    monkeypatch.setattr(Sheet, "hold_columns", lambda self, columns, first_row=1: False)
    cells = _zip(write_workbook(run, tmp_path / "cells.xlsx"))
    assert held.keys() == cells.keys()
    for name in cells:
        assert held[name] == cells[name], name


def test_a_table_the_engine_made_is_shown_from_its_first_rows_alone(tmp_path):
    """A run holding a table the engine made in the workspace (a row per customer and period: millions of rows at
    50M order lines): the workbook and the report read its size and the rows they show, never the whole table, and
    are the files they are when the run holds it as Arrow."""
    from salesfocus.report import write_html
    from salesfocus.report.tables import RunData
    from salesfocus.workspace import Run, Workspace

    from .runs import CONFIG, tables

    run_tables = tables()
    run_tables["customer_years"] = pd.DataFrame({"customer_id": [f"K{i:03d}" for i in range(60)], "year": 2024,
                                                 "revenue": [Decimal(i) / 4 for i in range(60)]})
    with Workspace(None) as ws:
        own = ws.save_run(run_tables, {"summary": SUMMARY, "config": CONFIG})
        whole = own.table("customer_years")
        ws.raw.register("incoming", whole)
        made = ws.make("customer_years", "SELECT * FROM incoming")
        ws.raw.unregister("incoming")
        held = Run(own.run_id, own.created_at, {**own.meta, "stored_as": {"customer_years": made}}, own.tables, ws,
                   {n: t for n, t in own.saved.items() if n != "customer_years"})
        data = RunData(held, "en")
        assert data.num_rows("customer_years") == 60 and data.schema("customer_years") == whole.schema
        files = {}
        for name, run in (("own", own), ("held", held)):
            d = data if name == "held" else RunData(run, "en")
            files[name] = (_zip(write_workbook(d, tmp_path / f"{name}.xlsx", max_rows=10)),
                           write_html(d, tmp_path / f"{name}.html").read_bytes())
        assert "customer_years" not in data._arrow  # its ten rows were read, not the table
        assert files["own"][1] == files["held"][1]
        assert files["own"][0].keys() == files["held"][0].keys()
        for part in files["own"][0]:
            if part != "docProps/core.xml":  # the time the file was made
                assert files["own"][0][part] == files["held"][0][part], part
