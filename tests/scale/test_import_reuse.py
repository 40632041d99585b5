"""An ``analyze`` of unchanged sources reuses the workspace's import and its compact tables; any change to a
file, the mapping or the import settings imports again; an appended import invalidates the compact tables."""

from __future__ import annotations

import pytest

from salesfocus import pipeline
from salesfocus.config import Config
from salesfocus.io import DuckDBEngine, parse_data_arg
from salesfocus.io.importer import import_sources
from salesfocus.io.mapping import TableMapping
from salesfocus.workspace import Workspace

ORDERS = ("klantnummer;ordernummer;orderdatum;omzet;kostprijs\n"
          "K1;O1;01-02-2024;100,00;60,00\nK1;O2;01-03-2024;50,00;30,00\nK2;O3;05-03-2024;80,00;40,00\n"
          "K2;O3;05-03-2024;20,00;10,00\nK3;O4;10-04-2024;x;1\n")


def _analyze(ws: Workspace, path, config: Config | None = None, mapping=None):
    return pipeline.analyze(DuckDBEngine(ws), ws, [parse_data_arg(str(path))], mapping or {}, config or Config())


def _customers(run) -> dict[str, tuple]:
    f = run.frame("customers")
    return {r.customer_id: (float(r.revenue), int(r.orders), int(r.order_lines)) for r in f.itertuples()}


@pytest.fixture
def orders(tmp_path):
    p = tmp_path / "verkopen.csv"
    p.write_text(ORDERS, encoding="utf-8")
    return p


def test_unchanged_sources_are_not_imported_again(orders, ws, monkeypatch):
    first = _analyze(ws, orders)
    assert _customers(first) == {"K1": (150.0, 2, 2), "K2": (100.0, 1, 2)}

    def no_import(*_a, **_k):
        raise AssertionError("the sources were imported again")

    monkeypatch.setattr(pipeline, "import_sources", no_import)
    second = _analyze(ws, orders)
    assert _customers(second) == _customers(first)
    s1, s2 = first.meta["summary"], second.meta["summary"]
    # The import's figures are those of the import the run stands on: 5 read = 4 accepted + 1 rejected.
    assert (s2["rows_read"], s2["rows_accepted"], s2["rows_rejected"]) == (5, 4, 1) == \
        (s1["rows_read"], s1["rows_accepted"], s1["rows_rejected"])
    assert [s["reused"] for s in s2["sources"]] == [True] and [s["reused"] for s in s1["sources"]] == [False]
    assert len(second.table("rejected")) == 1


def test_a_changed_file_is_imported_again(orders, ws):
    _analyze(ws, orders)
    orders.write_text(ORDERS + "K4;O5;11-04-2024;10,00;5,00\n", encoding="utf-8")
    run = _analyze(ws, orders)
    assert _customers(run)["K4"] == (10.0, 1, 1)
    assert run.meta["summary"]["rows_read"] == 6 and not run.meta["summary"]["sources"][0]["reused"]


def test_a_changed_setting_or_mapping_is_imported_again(orders, ws):
    _analyze(ws, orders)
    cfg = Config()
    cfg.import_options.anonymous_customer = "ANONIEM"
    assert not _analyze(ws, orders, cfg).meta["summary"]["sources"][0]["reused"]
    # The same mapping as proposed, but written down: still a different import key, so imported again.
    mapping = {"order_lines": TableMapping(columns={"revenue": "omzet * 2"})}
    run = _analyze(ws, orders, mapping=mapping)
    assert not run.meta["summary"]["sources"][0]["reused"]
    assert _customers(run)["K1"][0] == 300.0


def test_an_appended_import_drops_the_compact_tables_and_reanalysis_rebuilds_them(orders, ws, tmp_path):
    _analyze(ws, orders)
    assert ws.has_table("orders") and ws.has_table("customer_products")
    more = tmp_path / "meer.csv"
    more.write_text("klantnummer;ordernummer;orderdatum;omzet;kostprijs\nK1;O9;01-05-2024;25,00;5,00\n",
                    encoding="utf-8")
    import_sources(DuckDBEngine(ws), [parse_data_arg(str(more))], {}, Config(), mode="append")
    assert not ws.has_table("orders") and not ws.has_table("_import_key")
    run = pipeline.reanalyze(ws, Config())
    assert _customers(run)["K1"] == (175.0, 3, 3)
    # and the next analyze of the first file alone is a new import (the workspace no longer matches it)
    again = _analyze(ws, orders)
    assert not again.meta["summary"]["sources"][0]["reused"] and _customers(again)["K1"] == (150.0, 2, 2)


def test_the_imported_lines_are_written_once_and_their_text_without_fsst(ws, tmp_path):
    """Lines of a Parquet file's row groups, written by two threads, end in row groups that are not full; a
    checkpoint that merged them would write those lines a second time (10M lines: 2.2 s). The ids and categories are
    dictionary-compressed, not tried with FSST as well."""
    import duckdb

    lines = tmp_path / "lines.parquet"
    duckdb.execute(f"COPY (SELECT 'C' || lpad((i % 5000)::VARCHAR, 5, '0') AS customer_id, "
                   "'SO-' || lpad((i // 4)::VARCHAR, 9, '0') AS order_id, DATE '2024-01-01' + (i // 4000)::INT AS "
                   "order_date, 'P' || (i % 997)::VARCHAR AS product_id, 10.0 + i % 7 AS revenue "
                   f"FROM range(500000) r(i)) TO '{lines}' (ROW_GROUP_SIZE 250000)")
    ws.raw.execute("SET threads = 2")
    report = import_sources(DuckDBEngine(ws), [parse_data_arg(str(lines))], {}, Config(), mode="replace")
    assert report.rows_accepted == 500_000
    assert ws.raw.execute("SELECT current_setting('disabled_compression_methods')").fetchone() == ("",)
    storage = ("SELECT row_group_id, column_name, segment_type, compression, block_id, block_offset "
               "FROM pragma_storage_info('order_lines') ORDER BY ALL")
    before = ws.raw.execute(storage).fetchall()
    assert {r[1] for r in before if r[2] == "VARCHAR"} >= {"customer_id", "order_id", "product_id"}
    assert {r[3] for r in before if r[2] == "VARCHAR"} <= {"Dictionary", "Constant", "Uncompressed"}
    ws.raw.execute("CHECKPOINT")
    assert ws.raw.execute(storage).fetchall() == before


def test_a_customer_x_group_table_beyond_the_engines_memory_is_made_in_shares_of_the_customers(
        ws, tmp_path, monkeypatch):
    """Made in several passes, each over a share of the customers, it holds exactly the sums of one GROUP BY."""
    import duckdb
    import pandas as pd

    lines = tmp_path / "lines.parquet"
    duckdb.execute("COPY (SELECT 'C' || (i % 97)::VARCHAR AS customer_id, 'O' || (i // 3)::VARCHAR AS order_id, "
                   "DATE '2024-01-01' + (i % 300)::INT AS order_date, 'P' || (i % 41)::VARCHAR AS product_id, "
                   "CASE WHEN i % 50 = 0 THEN NULL ELSE 'G' || (i % 7)::VARCHAR END AS product_group, "
                   "round(1 + (i * 7919 % 1000) / 7.0, 2) AS revenue, round((i * 104729 % 1000) / 11.0, 2) AS cost "
                   f"FROM range(3000) r(i)) TO '{lines}'")
    monkeypatch.setattr(pipeline, "GROUPS_PER_GIB", 200)  # a few hundred pairs "fit": the 97 × 8 do not
    parts: list[int] = []
    write = Workspace.write

    def spy(self, name, data, *more, **kw):
        if name == "customer_groups":
            parts.append(1 + len(more))
        return write(self, name, data, *more, **kw)

    monkeypatch.setattr(Workspace, "write", spy)
    _analyze(ws, lines)
    assert parts and parts[0] >= 3
    got = ws.raw.execute("SELECT customer_id, product_group, revenue::DOUBLE AS revenue, cost::DOUBLE AS cost, lines, "
                         "first_order, last_order FROM customer_groups").df()
    src = pd.read_parquet(lines)
    want = src.groupby(["customer_id", "product_group"], dropna=False).agg(
        revenue=("revenue", "sum"), cost=("cost", "sum"), lines=("revenue", "size"),
        first_order=("order_date", "min"), last_order=("order_date", "max")).reset_index()
    key = ["customer_id", "product_group"]
    got = got.sort_values(key, na_position="first").reset_index(drop=True)
    want = want.sort_values(key, na_position="first").reset_index(drop=True)
    assert len(got) == len(want) == len(src[key].drop_duplicates())
    assert (got.customer_id == want.customer_id).all()
    assert got.product_group.fillna("").tolist() == want.product_group.fillna("").tolist()
    assert got[["revenue", "cost"]].round(4).equals(want[["revenue", "cost"]].round(4))
    assert got.lines.tolist() == want.lines.tolist()
    assert (pd.to_datetime(got.first_order) == pd.to_datetime(want.first_order)).all()
    assert (pd.to_datetime(got.last_order) == pd.to_datetime(want.last_order)).all()
