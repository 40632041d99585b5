"""Unit tests: header recognition (propose_mapping, guess_table), CSV sniffing, per-column format detection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesfocus.errors import InputError
from salesfocus.io.headers import guess_table, normalise, propose_mapping
from salesfocus.io.parse import detect_formats, has_text, parse_bool, parse_date, parse_number, parse_text
from salesfocus.io.sniff import sniff_csv

# -- headers -----------------------------------------------------------------------------------------------


def test_normalise_strips_accents_case_and_punctuation():
    assert normalise("  Potentiële_Omzet (€) ") == "potentiele omzet"
    assert normalise("Klant-Nr.") == "klant nr"


@pytest.mark.parametrize(("headers", "expected"), [
    (["Klantnummer", "Ordernummer", "Factuurdatum", "Omzet", "Kostprijs"],
     {"customer_id": "Klantnummer", "order_id": "Ordernummer", "order_date": "Factuurdatum", "revenue": "Omzet",
      "cost": "Kostprijs"}),
    (["Debiteur", "Factuurnr", "Boekdatum", "Artikelcode", "Artikelgroep", "Aantal", "Netto omzet"],
     {"customer_id": "Debiteur", "order_id": "Factuurnr", "order_date": "Boekdatum", "product_id": "Artikelcode",
      "product_group": "Artikelgroep", "quantity": "Aantal", "revenue": "Netto omzet"}),
    (["Customer ID", "Order No", "Order Date", "SKU", "Qty", "Net Sales", "COGS"],
     {"customer_id": "Customer ID", "order_id": "Order No", "order_date": "Order Date", "product_id": "SKU",
      "quantity": "Qty", "revenue": "Net Sales", "cost": "COGS"}),
    (["klant_nr", "ORDERNUMMER", "datum", "bedrag", "Omschrijving"],
     {"customer_id": "klant_nr", "order_id": "ORDERNUMMER", "order_date": "datum", "revenue": "bedrag"}),
])
def test_propose_mapping_order_lines(headers, expected):
    assert propose_mapping("order_lines", headers) == expected


def test_exact_canonical_names_win_and_each_header_is_used_once():
    m = propose_mapping("order_lines", ["revenue", "omzet", "customer_id", "klant", "order_id", "order_date"])
    assert m == {"revenue": "revenue", "customer_id": "customer_id", "order_id": "order_id",
                 "order_date": "order_date"}
    # "Invoice" could be the order id; the invoice date is the order date; nothing is mapped twice.
    m = propose_mapping("order_lines", ["Invoice", "InvoiceDate", "Customer ID"])
    assert m == {"customer_id": "Customer ID", "order_id": "Invoice", "order_date": "InvoiceDate"}
    assert len(set(m.values())) == len(m)


def test_propose_mapping_other_tables():
    assert propose_mapping("customers", ["Klantnummer", "Bedrijfsnaam", "Branche", "Provincie", "Klant sinds"]) == {
        "customer_id": "Klantnummer", "name": "Bedrijfsnaam", "sector": "Branche", "region": "Provincie",
        "acquired_date": "Klant sinds"}
    assert propose_mapping("invoices", ["Debiteurnummer", "Factuurnummer", "Factuurdatum", "Vervaldatum",
                                        "Betaaldatum", "Factuurbedrag"]) == {
        "customer_id": "Debiteurnummer", "invoice_id": "Factuurnummer", "invoice_date": "Factuurdatum",
        "due_date": "Vervaldatum", "paid_date": "Betaaldatum", "amount": "Factuurbedrag"}
    assert propose_mapping("assessments", ["Klant", "NPS", "Innovatie", "Netwerk", "Potentiële omzet"]) == {
        "customer_id": "Klant", "nps": "NPS", "innovation": "Innovatie", "network": "Netwerk",
        "potential_revenue": "Potentiële omzet"}


@pytest.mark.parametrize(("filename", "headers", "table"), [
    ("export.csv", ["Klantnummer", "Ordernummer", "Factuurdatum", "Omzet"], "order_lines"),
    ("klanten.xlsx", ["Klantnummer", "Naam", "Sector"], "customers"),
    ("data.csv", ["Debiteurnummer", "Bedrijfsnaam", "Branche", "Provincie"], "customers"),
    ("facturen.csv", ["Klant", "Factuurnummer", "Factuurdatum", "Bedrag", "Betaaldatum"], "invoices"),
    ("crm_activiteiten.csv", ["Klant", "Datum", "Soort activiteit", "Uren"], "activities"),
    ("nps_2024.csv", ["Klantnummer", "Datum", "NPS"], "assessments"),
    ("funnel.csv", ["Lead id", "Datum", "Kanaal", "Fase", "Waarde"], "leads"),
    ("suspects.csv", ["Prospectnummer", "Naam", "Bron", "Status"], "prospects"),
    ("online_retail_II.csv", ["Invoice", "StockCode", "Quantity", "InvoiceDate", "Price", "Customer ID"],
     "order_lines"),  # no revenue column yet: still an order export, so the error names the missing revenue
    ("whatever.csv", ["a", "b"], "order_lines"),
])
def test_guess_table(filename, headers, table):
    assert guess_table(filename, headers) == table


# -- sniffing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "encoding", "separator", "bom"), [
    (b"a;b;c\n1;2,5;3\n", "utf-8", ";", False),
    (b"\xef\xbb\xbfa,b\n1,2\n", "utf-8", ",", True),
    ("naam\tstad\nCafé\tLiège €\n".encode("cp1252"), "cp1252", "\t", False),
    (b'a,b;c\n"x;y",1\n"z;w",2\n', "utf-8", ",", False),  # separators inside quotes do not count
    (b"a|b\n1|2\n", "utf-8", "|", False),
])
def test_sniff_csv(tmp_path, data, encoding, separator, bom):
    p = tmp_path / "f.csv"
    p.write_bytes(data)
    d = sniff_csv(p)
    assert (d.encoding, d.separator, d.has_bom) == (encoding, separator, bom)


def test_sniff_detects_cp1252_after_a_long_utf8_looking_start(tmp_path):
    p = tmp_path / "f.csv"
    p.write_bytes(b"a;b\n" + b"x;1\n" * 200_000 + "é;€\n".encode("cp1252"))
    assert sniff_csv(p).encoding == "cp1252"


# -- per-column formats ------------------------------------------------------------------------------------


def formats(**columns: list[str | None]):
    t = ibis.memtable({k: v for k, v in columns.items()}, schema={k: "string" for k in columns})
    return detect_formats(t, list(columns))


def test_decimal_style_is_decided_from_the_whole_column():
    f = formats(nl=["1.234,56", "12", "7,5", "1.000"], en=["1,234.56", "12", "7.5", "1,000"],
                en2=["0.5", "0.25", "3", "4"], text=["a", "b", "12", "c"])
    assert (f["nl"].decimal, f["en"].decimal, f["en2"].decimal) == (",", ".", ".")
    assert f["nl"].numeric_share == 1.0 and f["en"].numeric_share == 1.0
    assert f["text"].numeric_share == 0.25


def test_integers_follow_a_dutch_file():
    f = formats(amount=["1.234,56", "99,95"], qty=["1.000", "12"])
    assert f["qty"].decimal == ","


def test_date_order_day_first_unless_the_column_proves_month_first():
    f = formats(ambiguous=["01-02-2024", "03-04-2024"], dmy=["31-12-2024", "01-02-2024"],
                mdy=["12/31/2024", "01/02/2024"], ymd=["2024-12-31", "2024-01-02"], compact=["20241231", "20240102"],
                contradictory=["13/01/2024", "01/13/2024"], times=["31-12-2024 14:05", "1-2-2024 8:00"])
    assert {k: v.date_order for k, v in f.items()} == {
        "ambiguous": "dmy", "dmy": "dmy", "mdy": "mdy", "ymd": "ymd", "compact": "compact",
        "contradictory": "dmy", "times": "dmy"}
    assert f["mdy"].date_share == 1.0 and f["times"].date_share == 1.0


def test_every_value_counts_as_often_as_it_occurs():
    # the patterns run once per distinct value: each must still weigh as often as it is in the column
    f = formats(amount=["7,5"] * 6 + ["1.5", "2.5", "3.5", "x"], day=["03-04-2024"] * 8 + ["04/13/2024", "later"],
                n=["1"] * 9 + ["a"])
    assert f["amount"].decimal == ","  # 6 comma decimals outweigh 3 dots
    assert f["amount"].numeric_share == 0.6  # the 6 read with a decimal comma, of 10
    assert f["day"].date_order == "mdy" and f["day"].date_share == 0.9
    assert f["n"].numeric_share == 0.9


def test_hints_win_over_detection():
    t = ibis.memtable({"d": ["01/02/2024"], "n": ["1.234"]})
    f = detect_formats(t, ["d", "n"], decimal=",", date_format="%m/%d/%Y %H:%M")
    assert (f["d"].date_order, f["n"].decimal) == ("mdy", ",")


def test_empty_and_all_null_columns():
    assert detect_formats(ibis.memtable({"x": ["a"]}), []) == {}
    f = formats(x=[None, None], y=["", " "])
    assert f["x"].numeric_share == 0 and f["y"].date_share == 0


def values(expr_fn, data: list[str | None], *args) -> list:
    t = ibis.memtable({"s": data}, schema={"s": "string"})
    return t.select(v=expr_fn(t.s, *args)).to_pyarrow().column("v").to_pylist()


def test_parse_number():
    data = ["1.234,56", "-12,50", "12,50-", "(7,25)", "€ 1.000", "EUR 3", "1.2.3", "abc", "", None, "1e3"]
    assert values(parse_number, data, ",") == [1234.56, -12.5, -12.5, -7.25, 1000.0, 3.0, None, None, None, None,
                                                None]
    assert values(parse_number, ["1,234.56", "-0.5", "1e3", "1.234,56"], ".") == [1234.56, -0.5, 1000.0, None]


def test_parse_date():
    D = dt.date
    assert values(parse_date, ["31-12-2024", "1/2/24", "29.02.2024", "29-02-2023", "31-12-2024 23:59", "x"],
                  "dmy") == [D(2024, 12, 31), D(2024, 2, 1), D(2024, 2, 29), None, D(2024, 12, 31), None]
    assert values(parse_date, ["12/31/2024", "2/1/2024 8:26"], "mdy") == [D(2024, 12, 31), D(2024, 2, 1)]
    assert values(parse_date, ["2024-12-31", "2024/2/1", "2024-12-31T10:00:00"], "ymd") == [
        D(2024, 12, 31), D(2024, 2, 1), D(2024, 12, 31)]
    assert values(parse_date, ["20241231", "20240231"], "compact") == [D(2024, 12, 31), None]
    assert values(parse_date, ["31-12-2024", "2024-01-02"], "dmy", True) == [D(2024, 12, 31), D(2024, 1, 2)]
    assert values(parse_date, ["31-12-69", "01-01-68"], "dmy") == [D(1969, 12, 31), D(2068, 1, 1)]


def test_parse_bool_and_text():
    assert values(parse_bool, ["ja", "Nee", "YES", "n", "1", "0", "x", "waar", "misschien", ""]) == [
        True, False, True, False, True, False, True, True, None, None]
    assert values(parse_text, ["  a ", "", "   ", None, "17850.0"]) == ["a", None, None, None, "17850.0"]
    assert values(parse_text, ["17850.0", "12.00"], True) == ["17850", "12"]


_WHITE = " \t\n\r\x0b\x0c"  # what a trim takes off (Ibis's strip)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from([*_WHITE, "a", "é", "\u00a0", "\x01", "7"]),
                                             max_size=4)), min_size=1, max_size=40))
def test_text_is_trimmed_and_blank_is_empty_as_python_says(texts):
    t = ibis.memtable({"s": texts}, schema={"s": "string"})
    got = t.select(h=has_text(t.s), v=parse_text(t.s)).to_pyarrow().to_pylist()
    want_v = [None if x is None or not x.strip(_WHITE) else x.strip(_WHITE) for x in texts]
    assert [r["v"] for r in got] == want_v
    assert [r["h"] for r in got] == [v is not None for v in want_v]


# -- properties --------------------------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


def written(x: Decimal, style: str) -> str:
    sign = "-" if x < 0 else ""
    whole, frac = f"{abs(x):.2f}".split(".")
    grouped = f"{int(whole):,}"
    return sign + (grouped.replace(",", ".") + "," + frac if style == "nl" else grouped + "." + frac)


@settings(max_examples=20, deadline=None)
@given(st.lists(AMOUNTS, min_size=1, max_size=40), st.sampled_from(["nl", "en"]))
def test_amounts_round_trip_in_either_style(amounts, style):
    t = ibis.memtable({"s": [written(a, style) for a in amounts]}, schema={"s": "string"})
    f = detect_formats(t, ["s"])["s"]
    assert f.decimal == ("," if style == "nl" else ".")
    got = t.select(v=parse_number(t.s, f.decimal)).to_pyarrow().column("v").to_pylist()
    assert [Decimal(str(round(v, 2))) for v in got] == amounts


@settings(max_examples=20, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)), min_size=1, max_size=30),
       st.sampled_from(["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y", "%d.%m.%y"]))
def test_dates_month_first_only_when_the_column_proves_it(dates, fmt):
    t = ibis.memtable({"s": [d.strftime(fmt) for d in dates]}, schema={"s": "string"})
    f = detect_formats(t, ["s"])["s"]
    if fmt == "%Y-%m-%d":
        expected = "ymd"
    elif fmt == "%m/%d/%Y":  # a US column reads month-first only if some day is above 12
        expected = "mdy" if any(d.day > 12 for d in dates) else "dmy"
    else:
        expected = "dmy"
    assert f.date_order == expected
    got = t.select(v=parse_date(t.s, f.date_order)).to_pyarrow().column("v").to_pylist()
    if expected != "dmy" or fmt != "%m/%d/%Y":
        if fmt == "%d.%m.%y":  # two-digit years: 69-99 are 19xx
            dates = [d if d.year < 2069 else d.replace(year=d.year - 100) for d in dates]
        assert got == dates


# -- fingerprints ------------------------------------------------------------------------------------------


def test_a_file_hashed_ahead_has_the_fingerprint_of_its_bytes_and_a_changed_file_is_hashed_again(tmp_path):
    import hashlib
    import os

    from salesfocus.io.readers import Source

    f = tmp_path / "orders.csv"
    f.write_bytes(b"customer_id;order_id\n" + b"K1;1\n" * 300_000)
    src = Source("order_lines", str(f))
    src.hash_soon()
    assert src.fingerprint() == hashlib.sha256(f.read_bytes()).hexdigest()[:16]
    src.hash_soon()  # hashed ahead, then changed: its size and time differ, so it is hashed again
    f.write_bytes(b"customer_id;order_id\nK2;2\n")
    os.utime(f, ns=(1, 1))
    assert src.fingerprint() == hashlib.sha256(f.read_bytes()).hexdigest()[:16]
    src.hash_soon()
    f.unlink()  # gone before the fingerprint is asked: the usual error, not the thread's
    with pytest.raises(InputError, match="file not found"):
        src.fingerprint()
    assert Source("order_lines", "postgresql://h/db?table=t").hash_soon() is None  # a database is not hashed


def test_the_checks_read_each_text_number_and_date_once(tmp_path):
    """Every check of a column looks at its reading; written into each check, the reading (a dozen regular
    expressions) was repeated some ten times a value, and a Dutch 1M-line CSV took 70 s a pass (now 5 s)."""
    from salesfocus.config import ImportOptions
    from salesfocus.io.readers import open_source, parse_data_arg
    from salesfocus.io.validate import check_table
    from salesfocus.workspace import Workspace

    f = tmp_path / "orders.csv"
    f.write_text("klant;order;datum;artikel;aantal;omzet;kostprijs\nK1;1;31-12-2024;A;2;1.234,56;(12,50)\n"
                 "K2;2;01-02-2024;B;x;7,25-;3\n", encoding="utf-8")
    with Workspace(None) as ws:
        raw = open_source(ws.con, parse_data_arg(str(f)))
        chk = check_table(raw, "order_lines", None, ImportOptions(), dt.date(2025, 1, 1))
        for query in (chk.expr.filter(chk.bad()), chk.accepted()):  # the rejected rows, and the accepted ones
            sql = str(ws.con.compile(query))
            one_number = str(ws.con.compile(raw.expr.select(n=parse_number(raw.expr.omzet))))
            one_date = str(ws.con.compile(raw.expr.select(d=parse_date(raw.expr.datum))))
            cleaning, day_first = "EUR|eur", r"(\d{1,2})[-/.](\d{1,2})"
            assert sql.count(cleaning) == 3 * one_number.count(cleaning)  # quantity, revenue, cost
            assert sql.count(day_first) == one_date.count(day_first)
        got = chk.accepted().order_by("_row").to_pyarrow().to_pylist()
    assert [(r["customer_id"], r["quantity"], float(r["revenue"]), float(r["cost"])) for r in got] == [
        ("K1", 2.0, 1234.56, -12.5)]
