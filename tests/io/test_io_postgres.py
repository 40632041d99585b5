"""A PostgreSQL table or query as a source, read through DuckDB's postgres scanner from a real server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesfocus.errors import InputError

pytestmark = pytest.mark.postgres

D = dt.date


@pytest.fixture(scope="module")
def pg(postgres_server):
    import psycopg

    with psycopg.connect(postgres_server.dsn, autocommit=True) as con:
        con.execute("DROP SCHEMA IF EXISTS sales CASCADE")
        con.execute("DROP TABLE IF EXISTS orders, klanten, verkoop")
        con.execute("CREATE SCHEMA sales")
        con.execute("""CREATE TABLE orders (customer_id integer, order_id text, order_date date, product_id text,
                       quantity integer, revenue numeric(12, 2), cost numeric(12, 2))""")
        with con.cursor() as cur:
            cur.executemany("INSERT INTO orders VALUES (%s, %s, %s, %s, %s, %s, %s)", [
                (1001, "A1", D(2024, 12, 31), "Café €", 2, Decimal("1234.56"), Decimal("1000.00")),
                (1002, "A2", D(2024, 2, 29), "P2", -1, Decimal("-12.50"), None),
                (None, "A3", D(2024, 3, 1), "P3", 1, Decimal("5.00"), Decimal("1.00")),
                (1001, "A4", D(2030, 1, 1), "P4", 1, Decimal("5.00"), Decimal("1.00")),
            ])
        con.execute("CREATE TABLE klanten (klantnummer integer, naam text, regio text)")
        con.execute("INSERT INTO klanten VALUES (1001, 'Bakkerij Zoë', 'Liège')")
        con.execute('CREATE TABLE verkoop ("Klant" text, "Factuur" text, "Datum" timestamp, "Aantal" integer, '
                    '"Prijs" double precision)')
        con.execute("""INSERT INTO verkoop VALUES ('K1', 'F1', '2024-05-01 10:00', 3, 2.5),
                       ('K2', 'F2', '2024-05-02 11:00', 10, 0.1), ('K1', 'F3', '2024-05-03 12:00', 0, 9)""")
        con.execute("CREATE TABLE sales.lines AS SELECT * FROM orders WHERE customer_id = 1001")
    return postgres_server


def test_table_by_url(pg, run_import):
    """A bare database URL is order lines; the password never reaches a message or the rejected table."""
    imp = run_import(f"postgresql://postgres:s3cret@{pg.host}:{pg.port}/postgres?table=orders")
    label = "postgresql://127.0.0.1/postgres?table=orders"
    src = imp.source(label)
    assert (src.rows_read, src.rows_accepted, src.rows_rejected) == (4, 2, 2)
    df = imp.frame()
    assert list(df.customer_id) == ["1001", "1002"]
    assert list(df.order_id) == ["A1", "A2"]
    assert [d.date() for d in df.order_date] == [D(2024, 12, 31), D(2024, 2, 29)]
    assert list(df.product_id) == ["Café €", "P2"]
    assert list(df.quantity) == [2, -1]
    assert [Decimal(str(v)) for v in df.revenue] == [Decimal("1234.56"), Decimal("-12.5")]
    assert list(df.is_return) == [False, True]
    r = imp.rejected
    assert list(zip(r.file, r.row, r.column, r.reason, strict=True)) == [
        (label, 4, "customer_id", imp.rejected.reason[0]),
        (label, 5, "order_date", "order_date: date in the future (after 01-06-2025)"),
    ]
    assert r.reason[0].startswith("customer_id is empty: every order_lines row needs one")
    assert not any("s3cret" in str(v) for v in r.astype(str).to_numpy().ravel())


def test_query_with_expressions_and_plus_signs(pg, run_import):
    q = ('SELECT "Klant" AS customer_id, "Factuur" AS order_id, "Datum" AS order_date, '
         '"Aantal" * "Prijs" + 0 AS revenue FROM verkoop WHERE "Aantal" > 0 ORDER BY "Factuur"')
    imp = run_import(f"order_lines={pg.url}?query={q}")
    df = imp.frame()
    assert list(df.order_id) == ["F1", "F2"]
    assert list(df.revenue.astype(float)) == [7.5, 1.0]
    assert [d.date() for d in df.order_date] == [D(2024, 5, 1), D(2024, 5, 2)]


def test_customers_and_order_lines_from_the_database_with_header_recognition(pg, run_import):
    imp = run_import(f"customers={pg.url}?table=klanten", f"order_lines={pg.url}?table=sales.lines")
    c = imp.frame("customers")
    assert list(zip(c.customer_id, c.name, c.region, strict=True)) == [("1001", "Bakkerij Zoë", "Liège")]
    assert list(imp.frame().order_id) == ["A1"]  # A4 lies in the future
    assert list(imp.rejected.reason) == ["order_date: date in the future (after 01-06-2025)"]


def test_database_source_with_a_mapping_expression(pg, run_import):
    mapping = '[order_lines]\ncustomer_id = "Klant"\norder_id = "Factuur"\norder_date = "Datum"\n' \
              'revenue = \'"Aantal" * "Prijs"\'\n'
    df = run_import(f"order_lines={pg.url}?table=verkoop", mapping=mapping).frame()
    assert list(df.revenue.astype(float)) == [7.5, 1.0, 0.0]


@pytest.mark.parametrize(("suffix", "message"), [
    ("?table=nope", "postgresql://127.0.0.1/postgres?table=nope: cannot read from the database ("),
    ("?query=SELEC 1", "cannot read from the database ("),
    ("", "add ?table=NAME or ?query=SELECT... to the database URL"),
])
def test_database_errors_are_input_errors(pg, run_import, suffix, message):
    with pytest.raises(InputError) as e:
        run_import(f"order_lines={pg.url}{suffix}")
    assert message in str(e.value)


def test_unreachable_server_is_an_input_error(pg, run_import):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError) as e:
        run_import(f"order_lines=postgresql://postgres@127.0.0.1:{port}/postgres?table=orders")
    assert str(e.value).startswith("postgresql://127.0.0.1/postgres?table=orders: cannot read from the database (")

