"""Excel workbooks (typed cells, a chosen sheet) and typed Parquet files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesfocus.errors import InputError

D = dt.date


def workbook(path, sheets: dict[str, list[list]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)


ORDERS = [
    ["Klantnummer", "Ordernummer", "Factuurdatum", "Productgroep", "Aantal", "Omzet", "Kostprijs"],
    [17850, "F-001", dt.datetime(2024, 12, 31, 14, 5), "Café €", 2, 1234.56, 1000],
    [17850, 20001, dt.datetime(2024, 2, 29), "Zoë", -1, -12.5, -10.25],
    [13085, "F-003", dt.datetime(2023, 1, 2), None, 3, 0.99, None],
]


def test_excel_typed_cells_and_sheet_option(tmp_path, run_import):
    path = tmp_path / "verkoop.xlsx"
    workbook(path, {"Toelichting": [["Deze export bevat de verkoop van 2024"], ["Gemaakt door ERP"]],
                    "Orders": ORDERS})
    imp = run_import(path, mapping='[order_lines.options]\nsheet = "Orders"\n', rows={"verkoop.xlsx": 3})
    df = imp.frame()
    assert list(df.customer_id) == ["17850", "17850", "13085"]  # numeric cells: no ".0"
    assert list(df.order_id) == ["F-001", "20001", "F-003"]  # mixed text and number cells
    assert [d.date() for d in df.order_date] == [D(2024, 12, 31), D(2024, 2, 29), D(2023, 1, 2)]
    assert [None if g != g else g for g in df.product_group] == ["Café €", "Zoë", None]
    assert list(df.quantity) == [2, -1, 3]
    assert [Decimal(str(v)) for v in df.revenue] == [Decimal("1234.56"), Decimal("-12.5"), Decimal("0.99")]
    assert [None if v is None or v != v else Decimal(str(v)) for v in df.cost] == [
        Decimal("1000"), Decimal("-10.25"), None]
    assert list(df.is_return) == [False, True, False]


def test_excel_sheet_by_position_and_first_sheet_default(tmp_path, run_import):
    path = tmp_path / "orders.xlsx"
    workbook(path, {"Orders": ORDERS, "Other": [["x"], [1]]})
    assert len(run_import(path).frame()) == 3  # first sheet by default
    path2 = tmp_path / "orders2.xlsx"
    workbook(path2, {"Other": [["x"], [1]], "Orders": ORDERS})
    assert len(run_import(path2, mapping="[order_lines.options]\nsheet = 1\n").frame()) == 3


def test_excel_missing_sheet_names_the_sheets(tmp_path, run_import):
    path = tmp_path / "orders.xlsx"
    workbook(path, {"Orders": ORDERS, "Notes": [["x"]]})
    with pytest.raises(InputError) as e:
        run_import(path, mapping='[order_lines.options]\nsheet = "Verkoop"\n')
    assert str(e.value) == "orders.xlsx: no sheet 'Verkoop'; the workbook has Orders, Notes"


def test_excel_text_cells_among_numbers_and_dates(tmp_path, run_import):
    """Cells typed as text in a number or date column are parsed like CSV; bad ones are rejected with their text."""
    path = tmp_path / "mixed.xlsx"
    workbook(path, {"Blad1": [
        ["Klant", "Order", "Datum", "Omzet"],
        ["K1", "O1", dt.datetime(2024, 3, 1), 10.5],
        ["K2", "O2", "31-12-2024", "1.234,50"],
        ["K3", "O3", dt.datetime(2024, 3, 2), "n.v.t."],
        ["K4", "O4", "31-02-2024", 7],
    ]})
    imp = run_import(path, rows={"mixed.xlsx": 4})
    df = imp.frame()
    assert list(df.customer_id) == ["K1", "K2"]
    assert [d.date() for d in df.order_date] == [D(2024, 3, 1), D(2024, 12, 31)]
    assert list(df.revenue.astype(float)) == [10.5, 1234.5]
    r = imp.rejected
    assert list(zip(r.row, r.column, r.value, strict=True)) == [(4, "Omzet", "n.v.t."), (5, "Datum", "31-02-2024")]


def test_excel_customers_with_numeric_ids_match_order_lines(tmp_path, run_import, write):
    k = tmp_path / "klanten.xlsx"
    workbook(k, {"Klanten": [["Klantnummer", "Naam", "Aantal medewerkers"], [17850, "Bakkerij Ë", 12],
                             [13085, "Smit BV", 250.0]]})
    o = write("orders.csv", "klantnummer;order;datum;omzet\n17850;1;01-01-2024;5\n13085;2;01-01-2024;5\n")
    imp = run_import(f"customers={k}", o)
    c = imp.frame("customers")
    assert list(c.customer_id) == ["17850", "13085"] and list(c.employees) == [12, 250]
    assert imp.rejected.empty  # no unknown customers: the ids agree across Excel and CSV


def test_garbage_xlsx_is_an_input_error(write, run_import):
    path = write("broken.xlsx", "this is not a workbook")
    with pytest.raises(InputError) as e:
        run_import(f"order_lines={path}")
    assert str(e.value).startswith("broken.xlsx: cannot read this Excel file (")
    assert str(e.value).endswith("save it again as .xlsx")


def test_parquet_typed_columns(tmp_path, run_import):
    t = pa.table({
        "customer_id": pa.array([17850, 13085, 17850], pa.int64()),
        "order_id": pa.array(["A1", "A2", "A3"]),
        "order_date": pa.array([D(2024, 1, 31), D(2024, 2, 29), D(2023, 12, 1)], pa.date32()),
        "product_group": pa.array(["Café €", None, "x"]),
        "quantity": pa.array([2, -1, 1], pa.int32()),
        "revenue": pa.array([Decimal("1234.56"), Decimal("-12.50"), Decimal("0.99")], pa.decimal128(12, 2)),
        "cost": pa.array([1000.0, None, 0.5], pa.float64()),
    })
    path = tmp_path / "orders.parquet"
    pq.write_table(t, path)
    imp = run_import(path, rows={"orders.parquet": 3})
    df = imp.frame()
    assert list(df.customer_id) == ["17850", "13085", "17850"]
    assert [d.date() for d in df.order_date] == [D(2024, 1, 31), D(2024, 2, 29), D(2023, 12, 1)]
    assert [None if g != g else g for g in df.product_group] == ["Café €", None, "x"]
    assert list(df.quantity) == [2, -1, 1]
    assert [Decimal(str(v)) for v in df.revenue] == [Decimal("1234.56"), Decimal("-12.5"), Decimal("0.99")]
    assert list(df.is_return) == [False, True, False]


def test_parquet_timestamps_floats_and_text_dates(tmp_path, run_import):
    """Timestamps become dates; float ids lose '.0'; a text date column is parsed; a NULL amount is rejected."""
    t = pa.table({
        "Debiteur": pa.array([1001.0, 1002.0, 1003.0]),
        "Factuurnummer": pa.array([1, 2, 3], pa.int64()),
        "Factuurdatum": pa.array(["31-12-2024", "01-02-2024", "15-03-2024"]),
        "Boekdatum": pa.array([dt.datetime(2024, 12, 31, 23, 59), None, None], pa.timestamp("us")),
        "Omzet": pa.array([10.0, None, 3.5]),
    })
    path = tmp_path / "export.parquet"
    pq.write_table(t, path)
    imp = run_import(path, rows={"export.parquet": 3})
    df = imp.frame()
    assert list(df.customer_id) == ["1001", "1003"] and list(df.order_id) == ["1", "3"]
    assert [d.date() for d in df.order_date] == [D(2024, 12, 31), D(2024, 3, 15)]
    r = imp.rejected
    assert list(zip(r.row, r.column, r.reason, strict=True)) == [
        (3, "Omzet", "revenue is empty: every order_lines row needs one")]


def test_garbage_parquet_is_an_input_error(write, run_import):
    path = write("broken.parquet", "PAR1 not really")
    with pytest.raises(InputError) as e:
        run_import(f"order_lines={path}")
    assert str(e.value).startswith("broken.parquet: cannot read this Parquet file (")


def test_excel_rows_are_sheet_rows_when_data_starts_lower_and_has_blank_rows(tmp_path, run_import):
    """The reported row is the row Excel shows: header on row 3 from column B, a blank row 5 skipped."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for ref, v in {"B3": "Klant", "C3": "Order", "D3": "Datum", "E3": "Omzet", "F3": "Omzet",
                   "B4": "K1", "C4": "O1", "D4": dt.datetime(2024, 1, 5), "E4": 5, "F4": 1,
                   "B6": "K2", "C6": "O2", "D6": dt.datetime(2024, 1, 6), "E6": "fout", "F6": 2}.items():
        ws[ref] = v
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    imp = run_import(path, rows={"offset.xlsx": 2})
    assert list(imp.frame()._row) == [4]
    r = imp.rejected
    assert list(zip(r.row, r.column, r.value, strict=True)) == [(6, "Omzet", "fout")]
    assert imp.source("offset.xlsx").mapping["revenue"] == "Omzet"  # the repeated header became Omzet_1


def test_parquet_nan_infinite_and_huge_amounts_are_rejected_not_fatal(tmp_path, run_import):
    t = pa.table({
        "customer_id": ["1", "2", "3", "4"], "order_id": ["A", "B", "C", "D"],
        "order_date": pa.array([D(2024, 1, 1)] * 4, pa.date32()),
        "revenue": [1.5, float("nan"), float("inf"), 1e20],
    })
    path = tmp_path / "nan.parquet"
    pq.write_table(t, path)
    imp = run_import(path, rows={"nan.parquet": 4})
    assert list(imp.frame().order_id) == ["A"]
    r = imp.rejected
    assert list(zip(r.row, r.reason, strict=True)) == [
        (3, "revenue: not a finite number"), (4, "revenue: not a finite number"),
        (5, "revenue: implausibly large amount")]


def test_duckdb_file_table_by_url(tmp_path, run_import):
    import duckdb

    db = tmp_path / "erp.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE orders AS SELECT 'K' || i AS klant, 'O' || i AS ordernr, "
                    "DATE '2024-01-01' + CAST(i AS INTEGER) AS datum, i * 1.5 AS omzet FROM range(1, 4) t(i)")
    imp = run_import(f"order_lines=duckdb://{db}?table=orders")
    df = imp.frame()
    assert list(df.customer_id) == ["K1", "K2", "K3"] and list(df.revenue.astype(float)) == [1.5, 3.0, 4.5]
    assert [d.date() for d in df.order_date] == [D(2024, 1, 2), D(2024, 1, 3), D(2024, 1, 4)]
