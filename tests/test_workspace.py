"""The workspace's catalogue: which tables it holds."""

import pyarrow as pa

from salesfocus.workspace import Workspace


def test_has_table_sees_stored_temporary_and_registered_tables_and_views_only(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as ws:
        ws.write("orders", pa.table({"a": [1]}))
        ws.raw.execute('CREATE TABLE "odd ""name""" (a INTEGER)')
        ws.write("scratch", pa.table({"a": [1]}), temp=True)
        ws.raw.execute("CREATE VIEW v AS SELECT * FROM orders")
        ws.raw.register("arrow_view", pa.table({"a": [1]}))
        assert all(ws.has_table(n) for n in ("orders", 'odd "name"', "scratch", "v", "arrow_view"))
        assert not any(ws.has_table(n) for n in ("order", "ORDERS_X", "missing", "odd"))
        ws.raw.execute("DROP TABLE scratch")
        assert not ws.has_table("scratch")
    with Workspace(tmp_path / "w.duckdb") as ws:  # stored ones only, after reopening
        assert ws.has_table("orders") and not ws.has_table("arrow_view") and not ws.has_table("scratch")
