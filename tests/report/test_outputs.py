"""The CSV files: exact text of every kind of cell (the format other tools and the checks read)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pyarrow as pa

from salesfocus.report.outputs import csv_bytes, float_text, write_table_csv


def _table() -> pa.Table:
    return pa.table({
        "name": pa.array(["=1+2", "Jansen, Bakker & Co", 'Zeg "hoi"', "regel\neen", "a\rb", "", None, "@home",
                          "-5", "+31 6", "\tx", "ü € 中"]),
        "amount": pa.array([Decimal("1.2345"), Decimal("0.125"), Decimal("-3"), None, Decimal("1000000.005"),
                            Decimal("0"), Decimal("2.675"), Decimal("0.0049"), Decimal("-0.001"), Decimal("12.5"),
                            Decimal("7"), Decimal("99999999999.9999")], pa.decimal128(38, 4)),
        "share": pa.array([0.1, 12.0, 1e-05, 1e16, float("nan"), None, float("inf"), -0.0, 1 / 3, 123456789.0,
                           2.5e-7, 0.0001]),
        "count": pa.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12], pa.int64()),
        "code": pa.array([3, None, 1, 2, None, 1, 1, 1, 1, 1, 1, 1], pa.int64()),
        "flag": pa.array([True, False, None, True, False, True, True, True, True, True, True, False]),
        "day": pa.array([dt.date(2024, 1, 31), None] + [dt.date(2023, 12, 1)] * 10, pa.date32()),
    })


EXPECTED = (
    "name,amount,share,count,code,flag,day\n"
    "'=1+2,1.23,0.1,1,3.0,True,2024-01-31\n"
    '"Jansen, Bakker & Co",0.12,12.0,2,,False,\n'
    '"Zeg ""hoi""",-3.0,1e-05,3,1.0,,2023-12-01\n'
    '"regel\neen",,1e+16,4,2.0,True,2023-12-01\n'
    '"a\rb",1000000.0,,5,,False,2023-12-01\n'
    ",0.0,,6,1.0,True,2023-12-01\n"
    ",2.68,inf,7,1.0,True,2023-12-01\n"
    "'@home,0.0,-0.0,8,1.0,True,2023-12-01\n"
    "'-5,-0.0,0.3333333333333333,9,1.0,True,2023-12-01\n"
    "'+31 6,12.5,123456789.0,10,1.0,True,2023-12-01\n"
    "'\tx,7.0,2.5e-07,11,1.0,True,2023-12-01\n"
    "ü € 中,100000000000.0,0.0001,-12,1.0,False,2023-12-01\n"
)


def test_csv_text_of_every_kind_of_cell():
    """Formula-like text gets an apostrophe; quotes only where needed; decimals to cents; floats as Python
    writes them; NaN and null empty; booleans True/False; whole numbers with gaps as floats; ISO dates."""
    assert csv_bytes(_table()).decode("utf-8") == EXPECTED


def test_csv_reads_back_with_the_csv_module(tmp_path):
    path = tmp_path / "t.csv"
    write_table_csv(_table(), path, first=["day", "nothing", "count"])
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["day", "count", "name", "amount", "share", "code", "flag"]
    assert [r["name"] for r in rows] == ["'=1+2", "Jansen, Bakker & Co", 'Zeg "hoi"', "regel\neen", "a\rb", "", "",
                                         "'@home", "'-5", "'+31 6", "'\tx", "ü € 中"]
    assert b"\r\n" not in path.read_bytes()


def test_large_tables_are_written_in_batches_alike(monkeypatch):
    """Batches are formatted by the same per-column rules (a column with one gap is float everywhere)."""
    from salesfocus.report import outputs

    big = pa.concat_tables([_table()] * 50)
    whole = csv_bytes(big)
    monkeypatch.setattr(outputs, "BATCH_ROWS", 7)
    assert csv_bytes(big) == whole
    assert whole.count(b"\n3.0,") == 0 and whole.count(b",3.0,") == 50


def test_sentences_with_a_comma_in_every_row_are_quoted_as_the_csv_module_does():
    """A text column with a comma in every row (the A/B/C reasons) is quoted whole, with or without quotes in it."""
    rows = [["A: high (€4640 a year), 1 of 1 yes", 'B: "low", no'], ["x, y", "z, w"], [",", '","']]
    for values in rows:
        ours = csv_bytes(pa.table({"reasons": values, "n": [1, 2]})).decode("utf-8")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([["reasons", "n"], *zip(values, ["1", "2"], strict=True)])
        assert ours == buf.getvalue()


def test_float_text_is_python_repr():
    values = [0.5, 1.0, 1e-4, 9.99e-5, 9999999999.0, 1e10, 1.5e15, 1e16, -2.5, 1e-300, 5e-324, 1.7976931348623157e308]
    assert float_text(values).to_pylist() == [repr(v) for v in values]


def test_files_listed_in_the_run_order_though_customers_is_written_first(run, tmp_path, monkeypatch):
    from salesfocus.report import outputs

    order = []
    real = outputs.write_table_csv
    monkeypatch.setattr(outputs, "write_table_csv", lambda table, path, first=None: (order.append(path.stem),
                                                                                     real(table, path, first)))
    files = outputs.write_outputs(run, tmp_path)
    assert order[0] == "customers" and sorted(order) == sorted(run.tables)
    assert [p.name for p in files[:len(run.tables)]] == [f"{n}.csv" for n in run.tables]
    assert files[-1].name == "summary.json"


def test_csv_batches_run_in_order_with_at_most_one_per_core_ahead():
    """Each batch ahead holds its formatted text (about 50 MB at 50,000 customers): the bound caps what it holds."""
    import os

    from salesfocus.report import outputs

    pulled = 0

    def tasks():
        nonlocal pulled
        for i in range(25):
            pulled += 1
            yield lambda i=i: pa.array([i])

    got = []
    for part in outputs._ordered(tasks()):
        got.append(part[0].as_py())
        assert pulled - len(got) <= (os.cpu_count() or 1)
    assert got == list(range(25))


def test_line_ends_whatever_the_last_field_holds():
    """Each line ends in one line feed after the last field: text, empty, null, or the only field of its row
    (which the csv module writes as ``""`` when it is empty)."""
    last = ["x", "", None, "a,b"]
    for table in (pa.table({"n": [1, 2, 3, 4], "last": last}), pa.table({"only": last})):
        buf = io.StringIO()
        rows = [[("" if v is None else v) for v in row] for row in zip(*table.to_pydict().values(), strict=True)]
        csv.writer(buf, lineterminator="\n").writerows([table.column_names, *rows])
        assert csv_bytes(table).decode("utf-8") == buf.getvalue()


def test_files_written_ahead_are_those_written_at_the_end(run, tmp_path):
    from salesfocus.report.outputs import CsvAhead, write_outputs
    from salesfocus.report.tables import RunData

    plain = tmp_path / "plain"
    write_outputs(run, plain)
    out = tmp_path / "ahead"
    (out / CsvAhead.FOLDER).mkdir(parents=True)
    (out / CsvAhead.FOLDER / "stale.csv").write_text("left by an interrupted run")
    ahead = CsvAhead(out)
    assert not (out / CsvAhead.FOLDER / "stale.csv").exists()
    data = RunData(run, None)  # the run's tables, each read once: the very tables the views render
    tables = {n: data.arrow(n) for n in run.tables}
    ahead.add("whale_curve", tables["whale_curve"].slice(0, 3))  # a version the run replaced: written again below
    for name in ("whale_curve", "pyramid", "customers"):  # the customer table's file: its key columns first
        ahead.add(name, tables[name])
    ahead.add("gone", pa.table({"x": [1]}))  # not in the run: its file goes
    taken = []
    real_take = ahead.take
    ahead.take = lambda name, table, to: taken.append(name) if real_take(name, table, to) else False
    write_outputs(data, out, ahead)
    ahead.close()
    assert sorted(taken) == ["customers", "pyramid", "whale_curve"]
    assert not (out / CsvAhead.FOLDER).exists()
    for name in run.tables:
        assert (out / f"{name}.csv").read_bytes() == (plain / f"{name}.csv").read_bytes(), name
    assert not real_take("pyramid", tables["pyramid"], tmp_path / "x.csv")  # closed: nothing is left to take
    other = CsvAhead(tmp_path / "again")
    other.add("pyramid", tables["pyramid"])
    assert not other.take("pyramid", tables["pyramid"].slice(0), tmp_path / "y.csv")  # another table object
    assert other.take("pyramid", tables["pyramid"], tmp_path / "y.csv")
    assert (tmp_path / "y.csv").read_bytes() == (plain / "pyramid.csv").read_bytes()
    other.close()


def test_a_customer_table_formatted_ahead_is_written_as_the_final_table_alone_writes_it(tmp_path, monkeypatch):
    """The customer table as it grows is formatted ahead; its file then formats only the columns that came after or
    changed (several batches: the fields are kept per batch) and is the file the final table alone gives."""
    import numpy as np

    from salesfocus.report import outputs
    from salesfocus.report.outputs import CsvAhead, csv_bytes

    monkeypatch.setattr(outputs, "BATCH_ROWS", 7)
    n = 30
    rng = np.random.default_rng(5)
    early = pa.table({"customer_id": [f"C{i:03d}" for i in range(n)], "revenue": rng.normal(1e3, 500, n),
                      "orders": pa.array([None if i % 4 == 0 else i for i in range(n)], pa.int64()),
                      "name": [f"=cmd{i}" if i % 5 == 0 else f"firm, {i}" for i in range(n)]})
    later = early.set_column(1, "revenue", pa.array(rng.normal(1e3, 500, n)))  # a column a later step replaced
    final = later.append_column("abc_segment", pa.array(["A", "B", "C"] * 10))
    formatted = []
    real = outputs._formatter
    monkeypatch.setattr(outputs, "_formatter", lambda col, digits: formatted.append(col) or real(col, digits))
    ahead = CsvAhead(tmp_path)
    ahead.format_ahead("customers", early)
    ahead.format_ahead("customers", later)
    ahead.add("customers", final)
    assert ahead.take("customers", final, tmp_path / "customers.csv")
    ahead.close()
    # each column formatted once, the replaced one twice; the last step's column only by the file
    assert len(formatted) == early.num_columns + 2
    assert (tmp_path / "customers.csv").read_bytes() == csv_bytes(final, outputs.CUSTOMER_COLUMNS_FIRST)


def test_a_table_made_in_the_workspace_is_written_batch_by_batch_as_its_arrow_is(tmp_path, monkeypatch):
    """A table the engine made in the workspace is read in batches as its file is written, never whole: the file is
    the one its Arrow gives (a whole-number column with one gap is float in every batch); written ahead, it is taken
    by the name of the workspace table that holds it."""
    from salesfocus.model.context import Made
    from salesfocus.report import outputs
    from salesfocus.report.outputs import CsvAhead
    from salesfocus.workspace import Workspace

    big = pa.concat_tables([_table()] * 50)
    with Workspace(None) as ws:
        ws.raw.register("incoming", big)
        made = Made(ws, ws.make("big", "SELECT * FROM incoming"))
        ws.raw.unregister("incoming")
        loaded = []
        monkeypatch.setattr(Made, "load", lambda self: loaded.append(self) or pa.table({}))
        monkeypatch.setattr(outputs, "BATCH_ROWS", 7)
        write_table_csv(made, tmp_path / "big.csv")
        assert (tmp_path / "big.csv").read_bytes() == csv_bytes(big)
        assert not loaded
        ahead = CsvAhead(tmp_path / "out")
        ahead.add("big", made)
        assert not ahead.take("big", made.table + "x", tmp_path / "other.csv")
        assert ahead.take("big", made.table, tmp_path / "ahead.csv")
        ahead.close()
        assert (tmp_path / "ahead.csv").read_bytes() == csv_bytes(big)
