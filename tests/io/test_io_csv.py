"""CSV as Dutch and Belgian exports really look: separators, decimal styles, date styles, encodings, quoting."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from salesfocus.config import Config

D = dt.date
# customer, order, date, product group (text that needs quoting and decoding), quantity, revenue, cost
ROWS = [
    ("1001", "A-1", D(2024, 12, 31), "Café; ëxtra €", 2, Decimal("1234.56"), Decimal("1000")),
    ("1002", "A-2", D(2024, 2, 1), 'Koffie, thee & "Zoë"', 1, Decimal("0.99"), Decimal("0.5")),
    ("1001", "A-3", D(2023, 3, 15), "Crème\tbrûlée", 10, Decimal("1234567.8"), Decimal("999999.99")),
    ("1003", "A-4", D(2024, 2, 29), "plain", -1, Decimal("-12.5"), Decimal("-10")),
    ("1004", "A-5", D(2024, 11, 5), "", 3, Decimal("12"), Decimal("7.25")),
]

DUTCH = ["Klantnummer", "Ordernummer", "Factuurdatum", "Productgroep", "Aantal", "Omzet", "Kostprijs"]
DUTCH2 = ["debiteur", "factuurnummer", "datum", "artikelgroep", "hoeveelheid", "bedrag", "inkoopwaarde"]
ENGLISH = ["Customer ID", "Order Number", "Order Date", "Product Group", "Qty", "Revenue", "Cost"]


def fmt_number(x: Decimal, style: str) -> str:
    """Write a number as an export would: 'nl' = 1.234,56; 'en' = 1,234.56; 'plain' = 1234.56."""
    neg = x < 0
    x = abs(x)
    whole, _, frac = f"{x:f}".partition(".")
    frac = frac.rstrip("0")
    if style == "plain":
        s = whole + ("." + frac if frac else "")
    else:
        grouped = f"{int(whole):,}"
        if style == "nl":
            s = grouped.replace(",", ".") + ("," + frac.ljust(2, "0") if frac else "")
        else:
            s = grouped + ("." + frac.ljust(2, "0") if frac else "")
    return ("-" if neg else "") + s


def fmt_date(d: dt.date, style: str) -> str:
    return {
        "dd-mm-yyyy": f"{d:%d-%m-%Y}",
        "dd/mm/yyyy": f"{d:%d/%m/%Y}",
        "yyyy-mm-dd": f"{d:%Y-%m-%d}",
        "dd-mm-yyyy hh:mm": f"{d:%d-%m-%Y} 14:05",
        "yyyy-mm-dd hh:mm:ss": f"{d:%Y-%m-%d} 08:30:00",
        "dd-mm-yy": f"{d:%d-%m-%y}",
        "d/m/yyyy": f"{d.day}/{d.month}/{d.year}",
        "dd.mm.yyyy": f"{d:%d.%m.%Y}",
    }[style]


def make_csv(header: list[str], sep: str, number: str, date: str, newline: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, quoting=csv.QUOTE_MINIMAL, lineterminator=newline)
    w.writerow(header)
    for c, o, d, g, q, rev, cost in ROWS:
        w.writerow([c, o, fmt_date(d, date), g, str(q), fmt_number(rev, number), fmt_number(cost, number)])
    return buf.getvalue()


DIALECTS = [
    # id, header, separator, number style, date style, encoding, BOM, newline
    ("nl-semicolon-cp1252-crlf", DUTCH, ";", "nl", "dd-mm-yyyy", "cp1252", False, "\r\n"),
    ("nl-semicolon-utf8-bom", DUTCH, ";", "nl", "dd/mm/yyyy", "utf-8", True, "\n"),
    ("nl-tab-utf8", DUTCH2, "\t", "nl", "dd-mm-yyyy hh:mm", "utf-8", False, "\n"),
    ("nl-comma-cp1252", DUTCH2, ",", "nl", "dd-mm-yy", "cp1252", False, "\r\n"),
    ("en-comma-utf8", ENGLISH, ",", "en", "yyyy-mm-dd", "utf-8", False, "\n"),
    ("en-semicolon-bom-times", ENGLISH, ";", "en", "yyyy-mm-dd hh:mm:ss", "utf-8", True, "\r\n"),
    ("plain-tab-cp1252", ENGLISH, "\t", "plain", "d/m/yyyy", "cp1252", False, "\n"),
    ("nl-pipe-dotted-dates", DUTCH, "|", "nl", "dd.mm.yyyy", "utf-8", False, "\n"),
]


@pytest.mark.parametrize(("header", "sep", "number", "date", "encoding", "bom", "newline"),
                         [d[1:] for d in DIALECTS], ids=[d[0] for d in DIALECTS])
def test_csv_dialect(write, run_import, header, sep, number, date, encoding, bom, newline):
    text = make_csv(header, sep, number, date)
    path = write("export.csv", text, encoding=encoding, bom=bom, newline=newline)
    imp = run_import(path, rows={"export.csv": len(ROWS)})

    src = imp.source("export.csv")
    assert src.table == "order_lines"
    assert (src.rows_read, src.rows_accepted, src.rows_rejected) == (5, 5, 0), imp.rejected.to_dict("records")
    assert src.mapping == dict(zip(["customer_id", "order_id", "order_date", "product_group", "quantity", "revenue",
                                    "cost"], header, strict=True))
    df = imp.frame()
    assert list(df.customer_id) == [r[0] for r in ROWS]
    assert list(df.order_id) == [r[1] for r in ROWS]
    assert [d.date() for d in df.order_date] == [r[2] for r in ROWS]
    # Text decoded exactly (cp1252 é, ë, €; separators and quotes inside quoted fields); empty text is NULL.
    assert [None if g != g else g for g in df.product_group] == [r[3] or None for r in ROWS]
    assert list(df.quantity) == [r[4] for r in ROWS]
    assert [Decimal(str(v)) for v in df.revenue] == [r[5] for r in ROWS]
    assert [Decimal(str(v)) for v in df.cost] == [r[6] for r in ROWS]
    assert list(df.is_return) == [False, False, False, True, False]


def test_cp1252_text_in_customer_master(write, run_import):
    """é, ë and € arrive exactly in text columns; the euro sign is the byte cp1252 alone has (0x80)."""
    klanten = "klantnummer;naam;sector;regio\n1;Café Zoë;Horeca;Noord-Brabant\n2;Prijs € 5;Bouw;Liège\n"
    path = write("klanten.csv", klanten, encoding="cp1252")
    assert b"\x80" in path.read_bytes() and b"\xe9" in path.read_bytes()
    orders = write("orders.csv", "klant;order;datum;omzet\n1;O1;02-01-2024;10\n2;O2;03-01-2024;20\n")
    imp = run_import(f"customers={path}", orders, rows={"klanten.csv": 2, "orders.csv": 2})
    c = imp.frame("customers")
    assert list(c.name) == ["Café Zoë", "Prijs € 5"]
    assert list(c.region) == ["Noord-Brabant", "Liège"]
    assert imp.rejected.empty


def test_bare_file_recognised_as_customers_by_headers_and_name(write, run_import):
    k = write("debiteuren.csv", "debiteurnummer;bedrijfsnaam;branche;provincie;accountmanager\n"
                                "D1;Bakkerij Jansen;Food;Utrecht;Anna\n")
    o = write("verkoop.csv", "debiteurnr;ordernr;orderdatum;netto omzet\nD1;1;01-02-2024;5,00\n")
    imp = run_import(k, o)
    tables = {s.file: s.table for s in imp.report.sources}
    assert tables == {"debiteuren.csv": "customers", "verkoop.csv": "order_lines"}
    c = imp.frame("customers")
    assert (c.customer_id[0], c.name[0], c.sector[0], c.region[0], c.account_manager[0]) == (
        "D1", "Bakkerij Jansen", "Food", "Utrecht", "Anna")


def test_quoted_fields_with_separators_quotes_and_line_breaks(write, run_import):
    """A CRM note with a line break inside quotes is one value; rows after it keep their numbers."""
    text = (
        'klant;order;datum;productgroep;omzet\n'
        '1;"A;1";01-01-2024;"Koffie; thee";"1.234,50"\n'
        '2;B2;02-01-2024;"regel 1\nregel 2 met ""quotes""";5\n'
        '3;C3;03-01-2024;x;bad\n'
    )
    imp = run_import(write("notes.csv", text), rows={"notes.csv": 3})
    df = imp.frame()
    assert list(df.order_id) == ["A;1", "B2"]
    assert list(df.product_group) == ["Koffie; thee", 'regel 1\nregel 2 met "quotes"']
    assert list(df.revenue.astype(float)) == [1234.5, 5.0]
    # The bad value is on the 4th record: row 4 as a spreadsheet shows it.
    r = imp.rejected
    assert list(zip(r.row, r.column, r.value, strict=True)) == [(4, "omzet", "bad")]


def test_row_with_extra_fields_is_rejected_not_truncated(write, run_import):
    text = ("klant;order;datum;productgroep;omzet\n1;A;01-01-2024;Koffie;5\n2;B;02-01-2024;Koffie; thee;6\n"
            "3;C;03-01-2024;x\n")
    imp = run_import(write("shifted.csv", text), rows={"shifted.csv": 3})
    assert list(imp.frame().order_id) == ["A"]
    r = imp.rejected
    assert sorted(set(r.row)) == [3, 4]
    extra = r[(r.row == 3) & (r.column == "(whole row)")].iloc[0]
    assert extra.column == "(whole row)" and extra.value == "6"
    assert "more fields than the header" in extra.reason and "double quotes" in extra.reason
    short = r[r.row == 4].iloc[0]
    assert short.column == "omzet" and short.reason == "revenue is empty: every order_lines row needs one"


def test_trailing_separators_and_blank_lines_are_harmless(write, run_import):
    text = "klant;order;datum;omzet;\n1;A;01-01-2024;5;\n2;B;02-01-2024;6;\n\n"
    imp = run_import(write("trail.csv", text), rows={"trail.csv": 2})
    assert list(imp.frame().revenue.astype(float)) == [5.0, 6.0]


def test_two_digit_years_pivot_like_strptime(write, run_import):
    text = "klant;order;datum;omzet\n1;A;31-12-99;5\n2;B;01-02-24;6\n3;C;15-06-68;7\n"
    imp = run_import(write("yy.csv", text), today=D(2070, 1, 1))
    assert [d.date() for d in imp.frame().order_date] == [D(1999, 12, 31), D(2024, 2, 1), D(2068, 6, 15)]


def test_amounts_with_currency_signs_parentheses_and_trailing_minus(write, run_import):
    text = "klant;order;datum;omzet\n1;A;01-01-2024;€ 1.234,56\n2;B;01-01-2024;12,50-\n3;C;01-01-2024;(7,25)\n" \
           "4;D;01-01-2024;EUR 3,00\n"
    imp = run_import(write("cur.csv", text))
    df = imp.frame()
    assert list(df.revenue.astype(float)) == [1234.56, -12.5, -7.25, 3.0]
    assert list(df.is_return) == [False, True, True, False]


def test_each_column_decides_its_own_decimal_style(write, run_import):
    """An export mixing a Dutch amount column with a dot-decimal quantity column reads both right."""
    text = "klant;order;datum;aantal;omzet\n1;A;01-01-2024;1.5;1.234,56\n2;B;01-01-2024;2.25;99,95\n"
    df = run_import(write("mixed.csv", text)).frame()
    assert list(df.quantity) == [1.5, 2.25]
    assert list(df.revenue.astype(float)) == [1234.56, 99.95]


def test_ids_written_as_floats_lose_the_dot_zero(write, run_import):
    text = "customer id,order,date,revenue\n17850.0,1,2024-01-01,5\n13085.0,2,2024-01-02,6\n"
    df = run_import(write("floats.csv", text)).frame()
    assert list(df.customer_id) == ["17850", "13085"]


def test_ids_that_merely_contain_dots_are_kept(write, run_import):
    text = "customer id,order,date,revenue\n17850.0,1,2024-01-01,5\n1.2,2,2024-01-02,6\n"
    df = run_import(write("ids.csv", text)).frame()
    assert list(df.customer_id) == ["17850.0", "1.2"]


def test_row_numbers_are_exact_in_a_large_file(write, run_import):
    """Row numbers name the spreadsheet row in a file big enough for DuckDB's parallel reader."""
    n = 40_000
    bad = {1_000, 25_555, 39_999}
    lines = ["klant;order;datum;omzet"]
    for i in range(n):
        row = i + 2
        amount = "oops" if i in bad else f"{i % 997},{i % 100:02d}"
        lines.append(f"K{i % 500};O{row};{1 + i % 28:02d}-{1 + i % 12:02d}-2024;{amount}")
    imp = run_import(write("big.csv", "\n".join(lines) + "\n"), rows={"big.csv": n})
    df = imp.report.tables["order_lines"].select("order_id", "_row").execute()
    assert (df.order_id == "O" + df._row.astype(str)).all()
    assert sorted(imp.rejected.row) == sorted(b + 2 for b in bad)
    assert set(imp.rejected.value) == {"oops"}


@pytest.mark.slow  # a 40 MB file (~15 s)
def test_row_numbers_are_exact_in_a_file_read_in_parallel_blocks(tmp_path, run_import):
    """The rows are taken in by DuckDB's parallel reader, block by block, and numbered by their place in the table
    they are stored in: that place is the file's row, far past the first block, too."""
    n = 1_200_000
    bad = {7, 600_123, n - 2}
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("klant;order;datum;omzet\n")
        for i in range(n):
            amount = "oops" if i in bad else f"{i % 997},{i % 100:02d}"
            f.write(f"K{i % 5000};O{i + 2};{1 + i % 28:02d}-{1 + i % 12:02d}-2024;{amount}\n")
    assert path.stat().st_size > 32 * 2**20  # more than one of the reader's buffers
    imp = run_import(str(path))
    t = imp.report.tables["order_lines"]
    assert t.count().execute() == n - len(bad)
    assert t.filter(t.order_id != "O" + t._row.cast("string")).count().execute() == 0
    assert sorted(imp.rejected.row) == sorted(b + 2 for b in bad)


def test_the_rows_taken_in_from_a_csv_file_go_once_the_import_is_stored(write, run_import, shared_workspace):
    imp = run_import(write("a.csv", "klant;order;datum;omzet\nK1;1;01-01-2024;5\nK2;2;02-01-2024;x\n"))
    temporary = shared_workspace.raw.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE '_sf_raw_%'").fetchall()
    assert temporary == []
    assert len(imp.frame()) == 1 and imp.reasons(row=3)  # what was kept of them is stored


def test_utf16_export_is_read(write, run_import):
    """Some Excel 'Unicode text' exports are UTF-16 with a BOM and tabs."""
    text = "klant\torder\tdatum\tomzet\n1\tA\t01-01-2024\t5,5\n"
    path = write("unicode.txt", "\ufeff" + text, encoding="utf-16-le")
    df = run_import(path).frame()
    assert list(df.revenue.astype(float)) == [5.5]


def test_anonymous_config_alias(write, run_import):
    """The config key is [import] in TOML: the pydantic alias populates import_options."""
    cfg = Config.model_validate({"import": {"anonymous_customer": "ANON"}})
    assert cfg.import_options.anonymous_customer == "ANON"
    imp = run_import(write("anon.csv", "klant;order;datum;omzet\n;A;01-01-2024;5\n"), config=cfg)
    assert list(imp.frame().customer_id) == ["ANON"]


def test_cp1252_without_the_encodings_extension_is_transcoded(write, run_import, monkeypatch):
    """Where the DuckDB encodings extension cannot load, the file is transcoded to UTF-8 first."""
    from salesfocus.io import readers

    monkeypatch.setattr(readers, "_has_encodings", lambda con: False)
    path = write("oud.csv", "klant;order;datum;productgroep;omzet\n1;A;01-01-2024;Café € ë;1.234,56\n",
                 encoding="cp1252")
    df = run_import(path).frame()
    assert list(df.product_group) == ["Café € ë"] and list(df.revenue.astype(float)) == [1234.56]


def test_bytes_undefined_in_cp1252_do_not_stop_the_import(write, run_import, tmp_path):
    """0x81 and 0x8D have no character in Windows-1252; they show as U+FFFD, the rest of the row is kept."""
    p = tmp_path / "legacy.csv"
    p.write_bytes(b"klant;order;datum;productgroep;omzet\n1;A;01-01-2024;Caf\xe9 \x81\x8d \x80;5\n"
                  b"2;B;02-01-2024;Zo\xeb;6\n")
    imp = run_import(p, rows={"legacy.csv": 2})
    assert list(imp.frame().product_group) == ["Café \ufffd\ufffd €", "Zoë"]


def test_excel_sep_line_is_honoured(write, run_import):
    """Excel writes 'sep=;' as a first line (and hides it): the header is the next line, rows count from 2."""
    text = "sep=;\nklant;order;datum;omzet\n1;A;01-01-2024;5,5\n2;B;02-01-2024;x\n"
    imp = run_import(write("excel_export.csv", text, bom=True), rows={"excel_export.csv": 2})
    assert list(imp.frame().revenue.astype(float)) == [5.5]
    assert list(imp.rejected.row) == [3]
