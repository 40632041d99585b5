"""Every class of bad input: rejected rows name file, row, column, value and the fix; fatal ones raise InputError."""

from __future__ import annotations

import datetime as dt

import pytest

from salesfocus.config import Config
from salesfocus.errors import InputError
from salesfocus.io.readers import parse_data_arg

NUMBER_FIX = ('; correct the value, or if the whole column is misread set decimal = "," or "." in '
              "[{table}.options] of the mapping file")
DATE_FIX = '; correct the value, or if the whole column is misread set date_format (e.g. "%d-%m-%Y") in ' \
           "[{table}.options] of the mapping file"


def rows(imp):
    r = imp.rejected[["table", "file", "row", "column", "value", "reason"]].astype(object)
    return [tuple(None if v != v else v for v in t) for t in r.itertuples(index=False)]


def test_each_bad_value_is_rejected_with_its_own_message(write, run_import):
    text = (
        "klantnummer;ordernummer;factuurdatum;aantal;omzet;kostprijs\n"
        "1;A1;01-03-2024;1;10,00;5\n"          # 2 fine
        "1;A2;01-03-2024;1;tien;5\n"           # 3 unparseable number
        "1;A3;31-02-2024;1;10;5\n"             # 4 impossible date
        "1;A4;gisteren;1;10;5\n"               # 5 not a date at all
        ";A5;01-03-2024;1;10;5\n"              # 6 empty customer
        "1;;01-03-2024;1;10;5\n"               # 7 empty order id
        "1;A7;01-03-2026;1;10;5\n"             # 8 future date
        "1;A8;01-03-1899;1;10;5\n"             # 9 before 1900
        "1;A9;01-03-2024;-2;-20,00;-10\n"      # 10 credit note: valid
        "1;A10;01-03-2024;1;1.000.000.000.000.000,00;5\n"  # 11 implausible amount
        "1;A11;01-03-2024;1;10;vijf\n"         # 12 bad optional number
    )
    imp = run_import(write("orders.csv", text), rows={"orders.csv": 11})
    f = "orders.csv"
    assert rows(imp) == [
        ("order_lines", f, 3, "omzet", "tien",
         "revenue: not a number such as 1.234,56 or 1234.56" + NUMBER_FIX.format(table="order_lines")),
        ("order_lines", f, 4, "factuurdatum", "31-02-2024",
         "order_date: not a date, that day does not exist (day or month out of range); correct the value"),
        ("order_lines", f, 5, "factuurdatum", "gisteren",
         "order_date: not a date such as 31-12-2024 or 2024-12-31" + DATE_FIX.format(table="order_lines")),
        ("order_lines", f, 6, "klantnummer", None,
         "customer_id is empty: every order_lines row needs one; rows without a customer are common in retail "
         "exports: set [import] anonymous_customer = 'ANONYMOUS' in the config to keep them under one explicit "
         "customer"),
        ("order_lines", f, 7, "ordernummer", None, "order_id is empty: every order_lines row needs one"),
        ("order_lines", f, 8, "factuurdatum", "01-03-2026", "order_date: date in the future (after 01-06-2025)"),
        ("order_lines", f, 9, "factuurdatum", "01-03-1899", "order_date: date before 1900"),
        ("order_lines", f, 11, "omzet", "1.000.000.000.000.000,00", "revenue: implausibly large amount"),
        ("order_lines", f, 12, "kostprijs", "vijf",
         "cost: not a number such as 1.234,56 or 1234.56" + NUMBER_FIX.format(table="order_lines")),
    ]
    df = imp.frame()
    assert list(df._row) == [2, 10]
    credit = df[df._row == 10].iloc[0]
    assert (credit.quantity, float(credit.revenue), float(credit.cost), credit.is_return) == (-2, -20.0, -10.0, True)


def test_a_row_with_several_problems_is_counted_once(write, run_import):
    imp = run_import(write("o.csv", "klant;order;datum;omzet\n;;31-02-2024;x\n1;A;01-01-2024;1\n"),
                     rows={"o.csv": 2})
    assert list(imp.rejected.row) == [2, 2, 2, 2]
    assert imp.source("o.csv").rows_rejected == 1 and imp.source("o.csv").rows_accepted == 1


def test_future_dates_allowed_within_configured_days(write, run_import):
    text = "klant;order;datum;omzet\n1;A;10-06-2025;1\n1;B;20-06-2025;1\n"
    cfg = Config.model_validate({"import": {"allow_future_days": 14}})
    imp = run_import(write("planned.csv", text), config=cfg)
    assert list(imp.frame().order_id) == ["A"]
    assert list(imp.rejected.reason) == ["order_date: date in the future (after 15-06-2025)"]


def test_duplicate_customer_ids_second_rejected_naming_the_first(write, run_import):
    k = write("klanten.csv", "klantnummer;naam\n1;Jansen\n2;Pietersen\n1;Jansen BV\n3;Smit\n2;Pietersen\n")
    o = write("orders.csv", "klant;order;datum;omzet\n1;A;01-01-2024;1\n")
    imp = run_import(f"customers={k}", o, rows={"klanten.csv": 5})
    c = imp.frame("customers")
    assert list(zip(c.customer_id, c.name, strict=True)) == [("1", "Jansen"), ("2", "Pietersen"), ("3", "Smit")]
    assert rows(imp) == [
        ("customers", "klanten.csv", 4, "customer_id", "1",
         "duplicate customer_id: the same key is already at row 2 of klanten.csv; keep one row per key"),
        ("customers", "klanten.csv", 6, "customer_id", "2",
         "duplicate customer_id: the same key is already at row 3 of klanten.csv; keep one row per key"),
    ]


def test_duplicate_keys_across_two_files_name_the_first_file(write, run_import):
    k1 = write("klanten_nl.csv", "klantnummer;naam\n1;Jansen\n2;De Vries\n")
    k2 = write("klanten_be.csv", "klantnummer;naam\n3;Peeters\n1;Janssens\n")
    o = write("orders.csv", "klant;order;datum;omzet\n1;A;01-01-2024;1\n")
    imp = run_import(f"customers={k1}", f"customers={k2}", o)
    assert rows(imp) == [("customers", "klanten_be.csv", 3, "customer_id", "1",
                          "duplicate customer_id: the same key is already at row 2 of klanten_nl.csv; "
                          "keep one row per key")]
    assert imp.source("klanten_be.csv").rows_rejected == 1 and imp.source("klanten_nl.csv").rows_rejected == 0


def test_duplicate_invoice_ids(write, run_import):
    inv = write("facturen.csv", "klant;factuurnummer;factuurdatum;vervaldatum;betaaldatum;factuurbedrag\n"
                                "1;F1;01-01-2024;31-01-2024;15-01-2024;100\n1;F1;01-01-2024;31-01-2024;;100\n")
    o = write("orders.csv", "klant;order;datum;omzet\n1;A;01-01-2024;1\n")
    imp = run_import(f"invoices={inv}", o)
    assert rows(imp) == [("invoices", "facturen.csv", 3, "invoice_id", "F1",
                          "duplicate invoice_id: the same key is already at row 2 of facturen.csv; "
                          "keep one row per key")]


def test_unknown_customer_in_order_lines(write, run_import):
    k = write("klanten.csv", "klantnummer;naam\n1;Jansen\n")
    o = write("orders.csv", "klant;order;datum;omzet\n1;A;01-01-2024;1\n7;B;01-01-2024;2\n")
    imp = run_import(f"customers={k}", o, rows={"orders.csv": 2})
    assert rows(imp) == [("order_lines", "orders.csv", 3, "customer_id", "7",
                          "customer_id not found in the customers table; add the customer there or set [import] "
                          "reject_unknown_customers = false")]
    cfg = Config.model_validate({"import": {"reject_unknown_customers": False}})
    imp2 = run_import(f"customers={k}", o, config=cfg)
    assert imp2.rejected.empty and list(imp2.frame().customer_id) == ["1", "7"]


def test_without_customers_table_any_customer_id_is_accepted(write, run_import):
    o = write("orders.csv", "klant;order;datum;omzet\n1;A;01-01-2024;1\n7;B;01-01-2024;2\n")
    assert len(run_import(o).frame()) == 2


def test_assessments_nps_range_and_booleans(write, run_import):
    a = write("nps.csv", "klantnummer;datum;nps;innovatie;potentie\n"
                         "1;01-01-2024;-1;ja;1000\n"
                         "2;01-01-2024;11;nee;0\n"
                         "3;01-01-2024;7,5;ja;5\n"
                         "4;01-01-2024;10;misschien;5\n"
                         "5;01-01-2024;0;Nee;-5\n"
                         "6;01-01-2024;9;JA;1.500,00\n")
    o = write("orders.csv", "klant;order;datum;omzet\n1;A;01-01-2024;1\n")
    imp = run_import(f"assessments={a}", o, rows={"nps.csv": 6})
    assert rows(imp) == [
        ("assessments", "nps.csv", 2, "nps", "-1", "nps: below the minimum 0"),
        ("assessments", "nps.csv", 3, "nps", "11", "nps: above the maximum 10"),
        ("assessments", "nps.csv", 4, "nps", "7,5",
         "nps: not a whole number such as 12" + NUMBER_FIX.format(table="assessments")),
        ("assessments", "nps.csv", 5, "innovatie", "misschien",
         "innovation: not ja/nee, yes/no, 1/0; correct the value"),
        ("assessments", "nps.csv", 6, "potentie", "-5", "potential_revenue: below the minimum 0"),
    ]
    a_df = imp.frame("assessments")
    assert list(zip(a_df.customer_id, a_df.nps, a_df.innovation, a_df.potential_revenue.astype(float),
                    strict=True)) == [("6", 9, True, 1500.0)]


def test_credit_notes_are_valid_and_flagged_as_returns(write, run_import):
    text = "klant;order;datum;aantal;omzet\n1;A;01-01-2024;5;50\n1;C1;02-01-2024;-5;-50\n1;C2;02-01-2024;;-3\n" \
           "1;C3;02-01-2024;-1;0\n"
    imp = run_import(write("credit.csv", text))
    df = imp.frame()
    assert imp.rejected.empty
    assert list(zip(df.order_id, df.is_return, strict=True)) == [("A", False), ("C1", True), ("C2", True),
                                                                 ("C3", True)]


# -- fatal problems: one readable InputError (the CLI turns it into exit code 2) --------------------------

def fatal(run_import, *args, **kw) -> str:
    with pytest.raises(InputError) as e:
        run_import(*args, **kw)
    assert e.value.exit_code == 2
    assert "\n" not in str(e.value) and "Traceback" not in str(e.value)
    return str(e.value)


def test_missing_file(tmp_path, run_import, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert fatal(run_import, "orders_2024.csv") == (
        f"orders_2024.csv: file not found; check the path (relative to {tmp_path})")
    assert fatal(run_import, "customers=klanten.xlsx").startswith("klanten.xlsx: file not found")


def test_a_directory_is_not_a_file(tmp_path, run_import):
    (tmp_path / "exports").mkdir()
    assert fatal(run_import, tmp_path / "exports") == f"{tmp_path / 'exports'}: is not a file"


def test_required_column_absent_lists_columns_and_shows_the_mapping_fix(write, run_import):
    path = write("verkoop.csv", "Klant;Datum;Artikel;Bedrag\n1;01-01-2024;X;5\n")
    assert fatal(run_import, f"order_lines={path}") == (
        "verkoop.csv: required column(s) order_id for table order_lines not found. Columns in the file: Klant, "
        "Datum, Artikel, Bedrag. Rename the column(s) or map them in a mapping file, e.g. [order_lines] order_id = "
        '"<your column or an expression such as Quantity * Price>"')


def test_retail_export_without_mapping_names_the_revenue_fix(write, run_import):
    path = write("online_retail.csv", "Invoice,StockCode,Quantity,InvoiceDate,Price,Customer ID\n"
                                      "1,A,2,12/1/2010 8:26,1.5,17850.0\n")
    msg = fatal(run_import, path)
    assert msg.startswith("online_retail.csv: required column(s) revenue for table order_lines not found.")
    assert "Quantity * Price" in msg


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.csv", b"", "empty.csv: the file is empty; export it again with a header row and data"),
    ("blank.csv", b"\r\n\r\n", "blank.csv: the file is empty; export it again with a header row and data"),
    ("binary.csv", bytes(range(256)) * 20,
     "binary.csv: this is not a text (CSV) file but binary data; export it as CSV, or give an Excel workbook the "
     ".xlsx extension"),
    ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x00\nendobj\n",
     "report.pdf: this is not a text (CSV) file but binary data; export it as CSV, or give an Excel workbook the "
     ".xlsx extension"),
])
def test_unreadable_files(tmp_path, run_import, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    assert fatal(run_import, f"order_lines={p}") == message


def test_text_that_is_not_a_table(write, run_import):
    path = write("notes.csv", "Dear customer,\nplease find attached the figures.\n")
    msg = fatal(run_import, path)
    assert msg.startswith("notes.csv: required column(s) customer_id, order_id, order_date, revenue for table "
                          "order_lines not found. Columns in the file: Dear customer")


@pytest.mark.parametrize(("arg", "message"), [
    ("klanten=k.csv", "unknown table 'klanten' in 'klanten=k.csv': use one of customers, order_lines, activities, "
                      "invoices, assessments, leads, prospects (e.g. customers=klanten.csv)"),
    ("orders=o.csv", "unknown table 'orders' in 'orders=o.csv'"),
    ("klant=k.csv", "unknown table 'klant' in 'klant=k.csv'"),
])
def test_unknown_table_name(run_import, arg, message):
    assert fatal(run_import, arg).startswith(message)


def test_table_names_are_forgiving_and_files_with_equals_signs_are_paths(tmp_path, monkeypatch):
    assert parse_data_arg("Customers=k.csv").table == "customers"
    assert parse_data_arg("order-lines=o.csv").table == "order_lines"
    assert parse_data_arg("postgresql://u@h:5432/db?table=orders").table is None
    monkeypatch.chdir(tmp_path)
    (tmp_path / "export=2024.csv").write_text("x\n")
    src = parse_data_arg("export=2024.csv")
    assert (src.table, src.location) == (None, "export=2024.csv")


def test_only_optional_tables_given(write, run_import):
    k = write("klanten.csv", "klantnummer;naam\n1;Jansen\n")
    assert fatal(run_import, f"customers={k}") == (
        "no order lines given: pass an order-lines export (e.g. orders.csv or order_lines=...)")


def test_bad_dates_in_a_large_column_do_not_flip_its_order(write, run_import):
    """One US-looking typo does not turn a day-first column month-first: 13/25 proves nothing."""
    lines = ["klant;order;datum;omzet"] + [f"1;O{i};{1 + i % 28:02d}-{1 + i % 12:02d}-2024;1" for i in range(200)]
    lines.append("1;X;12-25-2024;1")
    imp = run_import(write("typo.csv", "\n".join(lines) + "\n"), rows={"typo.csv": 201})
    assert list(imp.rejected.value) == ["12-25-2024"]
    assert imp.frame().order_date.min().date() == dt.date(2024, 1, 1)


def test_two_files_with_the_same_name_are_told_apart(tmp_path, run_import):
    """Monthly exports in folders (2023/orders.csv, 2024/orders.csv): counts and messages stay per file."""
    for year, text in (("2023", "klant;order;datum;omzet\n1;A;01-01-2023;1\n1;B;02-01-2023;x\n"),
                       ("2024", "klant;order;datum;omzet\n1;C;01-01-2024;1\n")):
        (tmp_path / year).mkdir()
        (tmp_path / year / "orders.csv").write_text(text, encoding="utf-8")
    imp = run_import(tmp_path / "2023" / "orders.csv", tmp_path / "2024" / "orders.csv")
    a, b = imp.report.sources
    assert a.file != b.file and a.file.endswith("orders.csv") and b.file.endswith("orders.csv")
    assert (a.rows_read, a.rows_accepted, a.rows_rejected) == (2, 1, 1)
    assert (b.rows_read, b.rows_accepted, b.rows_rejected) == (1, 1, 0)
    assert list(imp.rejected.file) == [a.file]


def test_the_same_file_given_twice_in_one_import_is_read_once(write, run_import):
    o = write("orders.csv", "klant;order;datum;omzet\n1;A;01-01-2023;1\n")
    imp = run_import(o, o)
    assert [s.skipped for s in imp.report.sources] == [False, True]
    assert len(imp.frame()) == 1
