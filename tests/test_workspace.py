"""The workspace: which tables it holds, and the engine settings while a run is stored."""

import contextlib

import duckdb
import ibis
import pyarrow as pa
import pytest

from salesfocus import workspace
from salesfocus.workspace import Workspace
from tests.helpers import made_tables


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


def _limit(con) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


@pytest.mark.parametrize(("configured", "lowered"), [(None, True), ("2GB", True), ("100MB", False)])
def test_a_run_is_stored_under_a_lower_memory_limit_and_the_workspace_limit_comes_back(
        tmp_path, monkeypatch, configured, lowered):
    """The store only streams Arrow into blocks: under the workspace's limit DuckDB would keep what it wrote cached
    beside the outputs. A limit below the store's is left as it is."""
    if configured is None:
        monkeypatch.delenv("SALESFOCUS_MEMORY_LIMIT", raising=False)
    else:
        monkeypatch.setenv("SALESFOCUS_MEMORY_LIMIT", configured)
    with Workspace(tmp_path / "w.duckdb") as ws:
        before = _limit(ws.raw)
        probe = ws.raw.cursor()  # the setting is the database's: another connection sees it
        seen = []
        store_select = workspace._store_select

        def spy(data):
            seen.append(_limit(probe))
            return store_select(data)

        monkeypatch.setattr(workspace, "_store_select", spy)
        ws.save_run({"t": pa.table({"a": [1]}), "u": pa.table({"b": ["x"]})}, {}, background=True)
        ws.wait()
        assert seen == [("256.0 MiB" if lowered else before)] * 2
        assert _limit(ws.raw) == before
        ws.save_run({"t": pa.table({"a": [2]})}, {})  # again, in the caller's thread: the same limit after
        assert _limit(ws.raw) == before


def test_memory_sizes_are_read_as_duckdb_reads_them():
    assert [workspace._size(s) for s in ("1GB", "500 MiB", "1.5GiB", "2 gb", "1000 bytes", "256KB")] == [
        10**9, 500 * 2**20, int(1.5 * 2**30), 2 * 10**9, 1000, 256_000]
    assert [workspace._size(s) for s in ("80%", "1000", "lots")] == [None, None, None]


def test_a_run_is_stored_when_the_engine_cannot_lower_its_limit(tmp_path):
    class Refusing:  # DuckDB's connection, refusing the lower limit (as when it could not free enough memory)
        def __init__(self, cur):
            self.cur = cur

        def execute(self, sql, *args):
            if sql.startswith("SET memory_limit") and "256MiB" in sql:
                raise duckdb.OutOfMemoryException("could not free up enough memory for the new limit")
            return self.cur.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.cur, name)

    with Workspace(tmp_path / "w.duckdb") as ws:
        before = _limit(ws.raw)
        ws.raw.execute("CREATE TABLE _runs (run_id INTEGER, created_at VARCHAR, meta VARCHAR, tables VARCHAR)")
        workspace._store_run(Refusing(ws.raw.cursor()), 1, {"t": pa.table({"a": [1, 2]})}, [1, "now", "{}", '["t"]'],
                             memory_limit="1GB")
        assert ws.load_run(1).table("t").column("a").to_pylist() == [1, 2]
        assert _limit(ws.raw) == before


OUT_OF_MEMORY = "could not allocate block of size 256.0 KiB"


class _Tight:
    """The workspace's connection, with ``fail(con)`` called before each table is written (it may raise, as an
    engine out of memory does)."""

    def __init__(self, con, fail):
        self.con, self.fail = con, fail

    def execute(self, sql, *args):
        if sql.startswith("CREATE OR REPLACE TABLE"):
            self.fail(self.con)
        return self.con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_a_write_that_runs_out_of_memory_runs_again_with_one_thread(tmp_path, monkeypatch):
    seen = []

    def fail(con):  # the engine, running out of memory with more than one thread
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        seen.append(threads)
        if threads > 1:
            raise duckdb.OutOfMemoryException(OUT_OF_MEMORY)

    with Workspace(tmp_path / "w.duckdb") as ws:
        ws.raw.execute("SET threads = 2")
        real = ws.raw
        monkeypatch.setattr(Workspace, "raw", property(lambda self: _Tight(real, fail)))
        ws.write("t", ibis.memtable({"a": [1, 2]}))
        assert seen == [2, 1]
        assert real.execute("SELECT current_setting('threads')").fetchone()[0] == 2
        assert real.execute("SELECT sum(a) FROM t").fetchone()[0] == 3


def test_a_write_out_of_memory_inside_a_transaction_raises_that_failure(tmp_path, monkeypatch):
    """Inside a transaction the engine's failure has ended the transaction: no retry is possible, and the user sees
    the out-of-memory error (not the engine's later complaint that the transaction is aborted)."""

    def fail(con):
        with contextlib.suppress(duckdb.Error):  # as a real failure does: the transaction is aborted
            con.execute("SELECT 'x'::INTEGER")
        raise duckdb.OutOfMemoryException(OUT_OF_MEMORY)

    with Workspace(tmp_path / "w.duckdb") as ws:
        ws.raw.execute("SET threads = 2")
        real = ws.raw
        monkeypatch.setattr(Workspace, "raw", property(lambda self: _Tight(real, fail)))
        with pytest.raises(duckdb.OutOfMemoryException, match="could not allocate"), ws.transaction():
            ws.write("t", ibis.memtable({"a": [1, 2]}))
        monkeypatch.undo()
        assert real.execute("SELECT current_setting('threads')").fetchone()[0] == 2
        assert not ws.has_table("t")


def test_a_table_made_for_a_run_is_held_by_it_and_goes_with_the_last_run_that_holds_it(tmp_path):
    """A table the engine writes for a run (``make``) is read back through the run, rows in the order of its
    parts; dropping the runs that hold it drops it, and one no run holds (its run failed) goes at ``drop_unheld``."""
    with Workspace(tmp_path / "w.duckdb") as ws:
        ws.raw.execute("CREATE TABLE src AS SELECT range AS n, 'x' || range AS t FROM range(5000)")
        made = ws.make("big", "SELECT * FROM src WHERE n % 2 = 1 ORDER BY n DESC",
                       "SELECT * FROM src WHERE n % 2 = 0 ORDER BY n")
        small = pa.table({"a": [1]})
        first = ws.save_run({"small": small}, {}, shared={"big": made})
        assert first.tables == ["big", "small"]
        back = first.table("big")
        assert back.column("n").to_pylist() == [*range(4999, 0, -2), *range(0, 5000, 2)]
        assert back.column("t").to_pylist()[:2] == ["x4999", "x4997"]
        ws.make("big", "SELECT 1 AS n")  # as a run that failed leaves it
        ws.drop_unheld()
        assert made_tables(ws) == {made}
        second = ws.save_run({"small": small}, {}, shared={"big": first.stored_name("big")}, keep=1)
        assert second.table("big").equals(back)  # held by the next run: kept when the first goes
        assert ws.load_run(second.run_id).stored_name("big") == made
        third = ws.save_run({"small": small}, {}, keep=1)
        assert third.tables == ["small"] and made_tables(ws) == set()


def test_a_workspace_opened_ahead_is_the_one_used_and_its_error_is_raised_where_it_is_used(tmp_path):
    from salesfocus import soon
    from salesfocus.errors import InputError

    path = tmp_path / "w.duckdb"
    soon.open_database_soon(path)  # no file yet: a new workspace opens at once, nothing is left behind
    assert not path.exists() and soon.take_database(path) is None
    with Workspace(path) as ws:
        ws.write("t", pa.table({"x": [1, 2]}))
    soon.open_database_soon(path)
    soon.open_database_soon(path)  # once
    with Workspace(path) as ws:
        assert ws.raw.execute("SELECT sum(x) FROM t").fetchone() == (3,)
        assert soon.take_database(path) is None  # taken by the workspace
    soon.open_database_soon(path)
    with Workspace(path):
        pass  # closed unused: the connection opened ahead is closed too
    assert soon.take_database(path) is None
    soon.open_database_soon(path, read_only=True)
    with Workspace(path, read_only=True) as ws:
        assert ws.raw.execute("SELECT count(*) FROM t").fetchone() == (2,)
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    soon.open_database_soon(broken)
    with pytest.raises(InputError, match="broken.duckdb"):
        Workspace(broken).raw  # noqa: B018 - the first use
