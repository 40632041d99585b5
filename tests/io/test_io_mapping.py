"""The mapping file: canonical columns from source columns or SQL expressions, options per table.

The public retail export (UCI "Online Retail II" layout) imports without editing the file.
"""

from __future__ import annotations

import datetime as dt

import pytest

from salesfocus.config import Config, load_config
from salesfocus.errors import ConfigError, InputError
from salesfocus.io.mapping import load_mapping

D = dt.date

RETAIL = """Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country
489434,85048,"15CM CHRISTMAS GLASS BALL 20 LIGHTS",12,12/1/2010 7:45,6.95,13085.0,United Kingdom
489434,79323P,PINK CHERRY LIGHTS,12,12/1/2010 7:45,6.75,13085.0,United Kingdom
489435,22350,"CAT BOWL ",12,12/1/2010 7:46,2.55,,United Kingdom
C489449,22087,"PAPER BUNTING WHITE LACE, SMALL",-12,12/9/2010 10:33,2.95,16321.0,Australia
489450,21755,LOVE BUILDING BLOCK WORD,3,1/12/2011 9:06,5.45,17850.0,United Kingdom
489451,POST,POSTAGE,1,2/11/2011 12:00,18.00,,France
"""

RETAIL_MAPPING = """
[order_lines]
customer_id = "Customer ID"
order_id = "Invoice"
order_date = "InvoiceDate"
revenue = "Quantity * Price"

[order_lines.options]
date_format = "%m/%d/%Y %H:%M"
"""

ANON_HINT = ("customer_id is empty: every order_lines row needs one; rows without a customer are common in retail "
             "exports: set [import] anonymous_customer = 'ANONYMOUS' in the config to keep them under one explicit "
             "customer")


def test_retail_export_with_expression_mapping(write, run_import):
    path = write("online_retail_II.csv", RETAIL)
    imp = run_import(path, mapping=RETAIL_MAPPING, rows={"online_retail_II.csv": 6})
    src = imp.source("online_retail_II.csv")
    assert (src.rows_read, src.rows_accepted, src.rows_rejected) == (6, 4, 2)
    assert src.mapping["revenue"] == "Quantity * Price" and src.mapping["customer_id"] == "Customer ID"
    df = imp.frame()
    assert list(df.customer_id) == ["13085", "13085", "16321", "17850"]  # "13085.0" read as the id 13085
    assert list(df.order_id) == ["489434", "489434", "C489449", "489450"]
    # Month first, as the date_format says; 1/12/2011 is 12 January.
    assert [d.date() for d in df.order_date] == [D(2010, 12, 1), D(2010, 12, 1), D(2010, 12, 9), D(2011, 1, 12)]
    assert list(df.product_id) == ["85048", "79323P", "22087", "21755"]  # StockCode recognised by its header
    assert list(df.quantity) == [12, 12, -12, 3]
    assert list(df.revenue.astype(float)) == [pytest.approx(x) for x in (12 * 6.95, 12 * 6.75, -12 * 2.95, 3 * 5.45)]
    assert list(df.is_return) == [False, False, True, False]  # the credit note C489449
    r = imp.rejected
    assert list(r.row) == [4, 7]
    assert set(r.column) == {"Customer ID"} and set(r.reason) == {ANON_HINT}


def test_retail_rows_without_customer_kept_as_explicit_anonymous_customer(write, run_import):
    path = write("online_retail_II.csv", RETAIL)
    cfg = Config.model_validate({"import": {"anonymous_customer": "ANONYMOUS"}})
    imp = run_import(path, mapping=RETAIL_MAPPING, config=cfg, rows={"online_retail_II.csv": 6})
    df = imp.frame()
    assert imp.rejected.empty
    assert list(df.customer_id) == ["13085", "13085", "ANONYMOUS", "16321", "17850", "ANONYMOUS"]
    assert df[df.customer_id == "ANONYMOUS"].revenue.astype(float).tolist() == [pytest.approx(30.6), 18.0]


def test_anonymous_customer_from_config_file_alias(tmp_path, write, run_import):
    """`[import]` in the TOML config is the pydantic alias of import_options."""
    cfg_path = tmp_path / "salesfocus.toml"
    cfg_path.write_text('[import]\nanonymous_customer = "ANONIEM"\n', encoding="utf-8")
    cfg = load_config(cfg_path)
    assert cfg.import_options.anonymous_customer == "ANONIEM"
    assert Config(import_options={"anonymous_customer": "X"}).import_options.anonymous_customer == "X"
    imp = run_import(write("online_retail_II.csv", RETAIL), mapping=RETAIL_MAPPING, config=cfg)
    assert (imp.frame().customer_id == "ANONIEM").sum() == 2


def test_anonymous_customer_is_not_an_unknown_customer(write, run_import):
    k = write("klanten.csv", "klantnummer;naam\n13085;A\n16321;B\n17850;C\n")
    cfg = Config.model_validate({"import": {"anonymous_customer": "ANONYMOUS"}})
    imp = run_import(f"customers={k}", write("online_retail_II.csv", RETAIL), mapping=RETAIL_MAPPING, config=cfg)
    assert imp.rejected.empty and len(imp.frame()) == 6


def test_without_date_format_the_column_decides_day_or_month_first(write, run_import):
    """12/9/2010 alone is ambiguous; 12/13/2010 in the same column proves month-first."""
    text = RETAIL.replace("12/9/2010 10:33", "12/13/2010 10:33")
    mapping = RETAIL_MAPPING.split("[order_lines.options]")[0]
    df = run_import(write("retail.csv", text), mapping=mapping).frame()
    assert [d.date() for d in df.order_date] == [D(2010, 12, 1), D(2010, 12, 1), D(2010, 12, 13), D(2011, 1, 12)]


def test_expression_rows_that_give_no_value_are_rejected_with_their_inputs(write, run_import):
    text = "Customer,Invoice,Date,Quantity,Unit Price\nK1,1,2024-01-02,2,\"1,234.50\"\nK2,2,2024-01-02,3,n/a\n" \
           "K3,3,2024-01-03,,4.00\nK4,4,2024-01-04,1,0.5\n"
    mapping = '[order_lines]\nrevenue = \'Quantity * "Unit Price"\'\ncost = \'0.5 * Quantity * "Unit Price"\'\n'
    imp = run_import(write("prices.csv", text), mapping=mapping, rows={"prices.csv": 4})
    df = imp.frame()
    assert list(df.revenue.astype(float)) == [2469.0, 0.5]
    assert list(df.cost.astype(float)) == [1234.5, 0.25]
    r = imp.rejected[imp.rejected.column == 'Quantity * "Unit Price"']
    assert list(r.row) == [3, 4]
    assert list(r.value) == ["Quantity=3; Unit Price=n/a", "Quantity=; Unit Price=4.00"]
    assert set(r.reason) == {'revenue is empty: Quantity * "Unit Price" gave no value for this row (a value it uses '
                             "is empty or not a number); correct the source values"}


def test_expression_with_text_result_is_parsed_like_a_column(write, run_import):
    text = "klant;order;datum;bedrag\nK1;1;01-02-2024;EUR1.234,50\nK2;2;02-02-2024;EUR-7,25\n"
    mapping = "[order_lines]\nrevenue = \"replace(bedrag, 'EUR', '')\"\n"
    df = run_import(write("eur.csv", text), mapping=mapping).frame()
    assert list(df.revenue.astype(float)) == [1234.5, -7.25]


def test_mapping_options_force_separator_decimal_and_date_format(write, run_import):
    """Detection alone would read 1.234 as 1.234 and 02/01 as 2 January; the options say otherwise."""
    text = "klant;nr|order|datum|omzet\nK;1|O1|02/01/2024|1.234\nK2|O2|03/01/2024 10:00|12\n"
    mapping = '[order_lines]\ncustomer_id = "klant;nr"\n[order_lines.options]\nseparator = "|"\ndecimal = ","\n' \
              'date_format = "%m/%d/%Y"\n'
    df = run_import(write("opts.csv", text), mapping=mapping).frame()
    assert list(df.customer_id) == ["K;1", "K2"]
    assert list(df.revenue.astype(float)) == [1234.0, 12.0]
    assert [d.date() for d in df.order_date] == [D(2024, 2, 1), D(2024, 3, 1)]


def test_unsupported_date_format_is_an_error_not_silent_rejection(write, run_import):
    text = "klant;order;datum;omzet\nK1;O1;2024.31.12;5\n"
    with pytest.raises(InputError) as e:
        run_import(write("ydm.csv", text), mapping='[order_lines.options]\ndate_format = "%Y.%d.%m"\n')
    assert str(e.value) == ("date_format '%Y.%d.%m' is not supported: give day, month and year in one of the orders "
                            "%d-%m-%Y, %m/%d/%Y or %Y-%m-%d (any separator, optionally with a time such as %H:%M)")


def test_mapping_column_names_match_case_and_punctuation_insensitively(write, run_import):
    text = "Klant Nr.;Order-ID;Datum;Netto bedrag\n1;A;01-01-2024;5\n"
    mapping = '[order_lines]\ncustomer_id = "klant nr"\nrevenue = "netto_bedrag"\n'
    imp = run_import(write("loose.csv", text), mapping=mapping)
    assert imp.source("loose.csv").mapping["customer_id"] == "Klant Nr."
    assert imp.source("loose.csv").mapping["revenue"] == "Netto bedrag"


def test_mapping_expression_error_is_one_readable_input_error(write, run_import):
    with pytest.raises(InputError) as e:
        run_import(write("retail.csv", RETAIL), mapping='[order_lines]\nrevenue = "Quantity * UnitPrice"\n'
                                                       'customer_id = "Customer ID"\n')
    msg = str(e.value)
    assert msg.startswith("retail.csv: a mapping expression does not work on this file (")
    assert "UnitPrice" in msg
    assert ("columns in the file: Invoice, StockCode, Description, Quantity, InvoiceDate, Price, Customer ID, "
            "Country") in msg


@pytest.mark.parametrize(("toml", "message"), [
    ("[orders]\ncustomer_id = 'x'\n", "unknown table [orders]; tables are customers, order_lines, activities"),
    ("[order_lines]\nklant = 'x'\n", "[order_lines] has no canonical column 'klant'; columns are customer_id"),
    ("[order_lines.options]\nsep = ';'\n", "unknown option(s) ['sep'] in [order_lines.options]; allowed:"),
    ("[order_lines]\nrevenue = ''\n", "[order_lines] revenue must be a column name or SQL expression"),
    ("[order_lines\n", "is not valid TOML"),
])
def test_bad_mapping_file_names_the_key(tmp_path, toml, message):
    p = tmp_path / "m.toml"
    p.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_mapping(p)
    assert message in str(e.value)
    assert str(e.value).startswith(f"mapping file {p}")
