"""The workspace: one DuckDB file with the imported tables, the rejected rows, and every analysis run.

This is the one place that materialises Ibis expressions. Imports run in a transaction, so an
interrupted import leaves the previous state intact. A run is a set of named result tables plus its
headline figures and the config used; outputs (CSV/JSON, workbook, report, app) render from a stored run.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import importlib.util
import json
import os
import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc

from salesfocus import soon
from salesfocus.errors import InputError

__all__ = ["Workspace", "Run", "load_extension", "held_in_parts", "held_by_digests", "column_digests", "DigestsAhead",
           "same_data", "text_columns", "DEFAULT_WORKSPACE", "MADE_PREFIX", "quote"]

DEFAULT_WORKSPACE = "salesfocus.duckdb"
DEFAULT_MEMORY_LIMIT = "1GB"
"""The engine's working memory (environment variable ``SALESFOCUS_MEMORY_LIMIT`` overrides it). 50M order lines
run in it by spilling, with the whole process under 4 GiB (with 2GB: 4.7 GiB, and no faster); more only helps
very large imports."""


def load_extension(raw_con: Any, name: str) -> bool:
    """Load a DuckDB extension shipped as a PyPI wheel (``duckdb-extension-<name>``); False if absent.

    ``INSTALL`` would download from the internet, which customer data machines often cannot (and
    should not) reach; the wheels pin the DuckDB version we pin.
    """
    spec = importlib.util.find_spec(f"duckdb_extension_{name.replace('-', '_')}")
    if spec is None or spec.origin is None:
        return False
    files = glob.glob(os.path.join(os.path.dirname(spec.origin), "extensions", "v*", "*.duckdb_extension"))
    if not files:
        return False
    try:
        raw_con.execute(f"LOAD '{files[0]}'")
    except Exception:  # a build for another DuckDB version: the caller falls back
        return False
    return True


@dataclass
class Run:
    """A stored analysis run: its id, metadata and the names of its result tables."""

    run_id: int
    created_at: str
    meta: dict[str, Any]
    tables: list[str]
    workspace: Workspace
    saved: dict[str, pa.Table] = field(default_factory=dict, repr=False)
    """The tables of a run just saved, exactly as reading them back gives them (those given as Arrow with that
    schema are the very tables given): the outputs of a new run need not read them back, nor wait for a
    store in the background."""

    def table(self, name: str) -> pa.Table:
        if name not in self.tables:
            raise InputError(f"run {self.run_id} has no table {name!r}; it has: {', '.join(sorted(self.tables))}")
        if name in self.saved:
            return self.saved[name]
        held = self.meta.get("stored_as", {}).get(name)
        if isinstance(held, dict):
            return _read_parts(self.workspace.raw, held, _run_table(self.run_id, name))
        if held is None:
            return _read_run_table(self.workspace.raw, _run_table(self.run_id, name))
        # a table held by reference is not one the store of this run writes: read without waiting for it
        cur = self.workspace.reader()
        try:
            return _read_run_table(cur, held)
        finally:
            cur.close()

    def stored_name(self, name: str) -> str | dict[str, Any]:
        """What holds the run's table ``name``: its own workspace table, that of an earlier run it took unchanged,
        or its columns in parts (:func:`held_in_parts`) (``meta["stored_as"]``, :meth:`Workspace.save_run`)."""
        held, own = self.meta.get("stored_as", {}).get(name), _run_table(self.run_id, name)
        if isinstance(held, dict):  # its own part by name, for a later run to hold
            return {**held, "parts": [[t or own, cols] for t, cols in held["parts"]]}
        return held or own

    def frame(self, name: str):
        return self.table(name).to_pandas()


def _run_table(run_id: int, name: str) -> str:
    return f"run{run_id}__{name}"


ENUM_MAX_VALUES = 1000
"""A text column of a stored run is kept as an ENUM (its distinct values once, each row a small number) when it has
at most this many distinct values and at most one per ten rows."""
_ENUM_PROBE_ROWS = 20_000


def quote(name: str) -> str:
    """``name`` as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _enum_values(column: pa.ChunkedArray | pa.Array, rows: int) -> list[str] | None:
    """The distinct values of a text column to store as an ENUM, None to store it as text (:data:`ENUM_MAX_VALUES`)."""
    limit = min(ENUM_MAX_VALUES, rows // 10)
    if limit < 1 or not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return None
    if rows > _ENUM_PROBE_ROWS and len(pc.unique(column.slice(0, _ENUM_PROBE_ROWS))) > limit + 1:
        return None  # the customer ids, reasons: found out on the first rows
    values = pc.unique(column).drop_null()
    if not 0 < len(values) <= limit:
        return None
    values = values.to_pylist()
    return None if any("\0" in v for v in values) else values


def _store_select(data: Any) -> str:
    """The SELECT that stores ``data`` (registered as ``__sf_incoming``): its low-cardinality text columns
    (:data:`ENUM_MAX_VALUES`) as ENUMs, which DuckDB stores in a fraction of the time of text (200,000 customers
    × 99 columns: 1.4 -> 0.9 CPU-s). :func:`_read_run_table` gives them back as text."""
    if not isinstance(data, pa.Table):
        return "SELECT * FROM __sf_incoming"
    casts = []
    for name in data.column_names:
        values = _enum_values(data.column(name), data.num_rows)
        if values is not None:
            enum = ", ".join(map(_sql_text, values))
            casts.append(f"CAST({quote(name)} AS ENUM({enum})) AS {quote(name)}")
    if not casts:
        return "SELECT * FROM __sf_incoming"
    return f"SELECT * REPLACE ({', '.join(casts)}) FROM __sf_incoming"


def _read_run_table(con: Any, table: str, columns: list[str] | None = None) -> pa.Table:
    """A stored run table as Arrow (``columns``: only those): its ENUM columns as text again (``string``, as a
    VARCHAR column reads back), so the Arrow is the same whether the table was stored with ENUMs or (by an older
    version) as text only."""
    return con.execute(f'SELECT {text_columns(con, table, columns)} FROM "{table}"').fetch_arrow_table()


def text_columns(con: Any, table: str, columns: list[str] | None = None) -> str:
    """The select list that reads ``table``'s columns (``columns``: only those) with its ENUM columns as text."""
    what = "*" if columns is None else ", ".join(map(quote, columns))
    schema = con.execute(f'SELECT {what} FROM "{table}" LIMIT 0').fetch_arrow_table().schema
    if not any(pa.types.is_dictionary(f.type) for f in schema):
        return what
    return ", ".join(f"{quote(f.name)}::VARCHAR AS {quote(f.name)}" if pa.types.is_dictionary(f.type)
                     else quote(f.name) for f in schema)


def held_in_parts(last: str | dict[str, Any], stored: pa.Table, table: pa.Table, key: str = "customer_id"
                  ) -> str | dict[str, Any] | None:
    """How a new run can hold ``table`` by reference to ``stored`` (``last``: what holds it,
    :meth:`Run.stored_name`): ``last`` itself when the two are equal; else the columns it has unchanged (the same
    rows in the same order, the same values) from the workspace tables that hold them, the others in a part of its
    own (``None``); None when nothing is unchanged, or the rows differ.

    A change of the targeting weights changes two of the customer table's hundred columns: the new run then stores
    those two (and the key), not the whole table again (200,000 customers: about 1 s)."""
    if key not in table.column_names or key not in stored.column_names or table.num_rows != stored.num_rows \
            or not table.column(key).equals(stored.column(key)):
        return None
    same = {c for c in table.column_names if c != key and c in stored.column_names
            and table.schema.field(c).type == stored.schema.field(c).type and table.column(c).equals(stored.column(c))}
    return _held(last, stored.column_names, table.column_names, same, key)


def held_by_digests(last: str | dict[str, Any], stored: dict[str, str], digests: dict[str, str],
                    key: str = "customer_id") -> str | dict[str, Any] | None:
    """:func:`held_in_parts` from the columns' digests (:func:`column_digests`; ``stored``: those of the table
    ``last`` holds, in its column order): the table stored need not be read back to compare."""
    if key not in digests or stored.get(key) != digests[key]:
        return None
    same = {c for c, d in digests.items() if c != key and stored.get(c) == d}
    return _held(last, list(stored), list(digests), same, key)


def _held(last: str | dict[str, Any], stored: list[str], columns: list[str], same: set[str], key: str
          ) -> str | dict[str, Any] | None:
    own = [c for c in columns if c != key and c not in same]
    if not own and columns == stored:
        return last
    if not same:
        return None
    before = last["parts"] if isinstance(last, dict) else [[last, [c for c in stored if c != key]]]
    parts = [[t, kept] for t, cols in before if (kept := [c for c in cols if c in same])]
    return {"key": key, "columns": columns, "parts": [*parts, [None, own]]}


def column_digests(table: pa.Table, known: dict[str, str] | None = None) -> dict[str, str]:
    """Each column's SHA-256 of its type and of its values as Arrow's IPC stream writes them, in one piece (so chunks
    and slices do not matter; of a column with gaps, which rows have a value and those values, as the bytes under a
    gap are anything): equal digests are equal columns. ``known``: digests of columns already known (of a column
    found equal to one digested before), not computed again. 200,000 customers × 99 columns: 0.2 s."""
    out = {}
    for f, col in zip(table.schema, table.columns, strict=True):
        if known is not None and f.name in known:
            out[f.name] = known[f.name]
            continue
        h = hashlib.sha256(str(f.type).encode())
        for part in (pc.is_valid(col), col.drop_null()) if col.null_count else (col,):
            one = pa.table({"c": part.combine_chunks() if isinstance(part, pa.ChunkedArray) else part})
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, one.schema) as writer:
                writer.write_table(one)
            h.update(sink.getvalue())
        out[f.name] = h.hexdigest()
    return out


class DigestsAhead:
    """Column digests (:func:`column_digests`) made on a thread of their own while a table grows: :meth:`add` the
    table as it stands after each step, and :meth:`known` gives the digests of the final table's columns that were
    made of its very data. The customer table grows a step's columns at a time, and the first steps leave a core
    idle (200,000 customers × 99 columns: the 0.2-1 s of its digests off the end of the run)."""

    def __init__(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sf-digests")
        self._made: dict[str, tuple[pa.ChunkedArray, str]] = {}  # the writer's own until known()

    def add(self, table: pa.Table) -> None:
        """Digest (soon) the columns of ``table`` not digested as they are."""
        self._worker.submit(self._digest, table)

    def _digest(self, table: pa.Table) -> None:
        for name, col in zip(table.column_names, table.columns, strict=True):
            held = self._made.get(name)
            if held is None or not same_data(held[0], col):
                self._made[name] = (col, column_digests(table.select([name]))[name])

    def known(self, table: pa.Table) -> dict[str, str]:
        """The digests of the columns of ``table`` made ahead of its very data (once those added are made)."""
        self._worker.shutdown(wait=True)
        return {name: held[1] for name, col in zip(table.column_names, table.columns, strict=True)
                if (held := self._made.get(name)) is not None and same_data(held[0], col)}

    def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)


def same_data(a: pa.ChunkedArray, b: pa.ChunkedArray) -> bool:
    """Whether two columns are the very same data in memory (Arrow's buffers do not change): their chunks the same
    slices of the same buffers. Columns of nested or dictionary types are compared value by value."""
    if a is b:
        return True
    if a.type != b.type or len(a) != len(b) or a.num_chunks != b.num_chunks:
        return False
    if pa.types.is_nested(a.type) or pa.types.is_dictionary(a.type):
        return a.equals(b)
    return all(x.offset == y.offset and len(x) == len(y)
               and [(u.address, u.size) if u is not None else None for u in x.buffers()]
               == [(u.address, u.size) if u is not None else None for u in y.buffers()]
               for x, y in zip(a.chunks, b.chunks, strict=True))


def own_part(spec: dict[str, Any], table: pa.Table) -> pa.Table | None:
    """The columns of ``table`` the run stores itself when it holds the rest in parts (:func:`held_in_parts`); None
    when it holds every column in earlier runs' tables (the table of a run held in parts, unchanged)."""
    own = next((cols for t, cols in spec["parts"] if t is None), None)
    return None if own is None else table.select([spec["key"], *own])


def _read_parts(con: Any, spec: dict[str, Any], own: str) -> pa.Table:
    """A run table held in parts, put together in its columns' order (each part has the key, in one row order)."""
    key, columns = spec["key"], {}
    keys = None
    for table, cols in spec["parts"]:
        part = _read_run_table(con, table or own, [key, *cols])
        if keys is None:
            keys = part.column(key)
        elif not part.column(key).equals(keys):
            raise RuntimeError(f"the parts of a stored run table ({table or own}) are not in one row order")
        columns.update({c: part.column(c) for c in cols})
    columns[key] = keys
    return pa.table({c: columns[c] for c in spec["columns"]})


def _tables_holding(spec: str | dict[str, Any] | None, own: str) -> set[str]:
    if isinstance(spec, dict):
        return {t or own for t, _ in spec["parts"]}
    return {spec or own}


STORE_DISABLED_COMPRESSION = "dictionary"
"""Compression DuckDB does not try while storing a run. Its low-cardinality text is stored as ENUMs
(:data:`ENUM_MAX_VALUES`); on the text left (ids, reasons) trying dictionary compression besides FSST costs
about 0.3 CPU-s of the 2.3 a 10M-line run takes, for a file 2% smaller."""


LINES_DISABLED_COMPRESSION = "fsst"
"""Compression DuckDB does not try while storing the imported tables and the compact tables built from them. Most
of their text is ids and categories (customer, order, product, group, channel), which its dictionary compression
stores as small as FSST would, or smaller; trying FSST besides costs 1.5-2 CPU-s of the 11 that storing 10M order
lines takes, for lines of the same size. (Text unique to each row, such as the order table's order numbers, or free
text such as the customers' names, is stored larger: at 10M lines the order table by 12 MB.)"""


def _with_disabled(current: str, extra: str) -> str:
    have = [m.strip() for m in current.split(",") if m.strip()]
    return ",".join(have + [m for m in extra.split(",") if m.lower() not in {h.lower() for h in have}])


@contextmanager
def _compression_disabled(cur: Any, methods: str) -> Iterator[None]:
    """DuckDB not trying the compression ``methods`` (comma-separated) while the block writes; the setting is the
    database's, so nothing else may write meanwhile."""
    disabled = cur.execute("SELECT current_setting('disabled_compression_methods')").fetchone()[0]
    cur.execute(f"SET disabled_compression_methods = '{_with_disabled(disabled, methods)}'")
    try:
        yield
    finally:
        cur.execute(f"SET disabled_compression_methods = '{disabled}'")


STORE_MEMORY_LIMIT = 256 * 2**20
"""The engine's memory while a run is stored (when the workspace's limit is higher). The store streams the run's
Arrow into compressed blocks; under a higher limit DuckDB keeps the blocks it wrote cached, beside the outputs
being written from the same Arrow (a million customers: up to 0.58 GiB; 0.24 under this limit, as fast)."""

_SIZE_UNITS = {"b": 1, "byte": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def _size(text: str) -> int | None:
    """Bytes of a memory size as DuckDB reads it ('1GB', '500 MiB'); None for what it does not read."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    if m is None or m.group(2).lower() not in _SIZE_UNITS:
        return None
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])


def _store_run(cur: Any, run_id: int, tables: dict[str, Any], row: list[Any], keep: int | None = None,
               memory_limit: str | None = None) -> None:
    """Write the run's tables and its ``_runs`` row on connection ``cur`` in one transaction, then close it;
    ``keep``: then drop the runs before the newest ``keep`` (their blocks are reused by later runs);
    ``memory_limit``: the workspace's, lowered to :data:`STORE_MEMORY_LIMIT` meanwhile.

    DuckDB writes with one thread here: in parallel, each thread's part of a table of a few row groups is
    compressed into row groups of its own that the commit merges and compresses again, which costs about
    twice the CPU (200,000 customers × 99 columns: 3 s against 1.4 s) and no less wall time. Nor does it try
    dictionary compression on text (:data:`STORE_DISABLED_COMPRESSION`). These settings are the database's, put
    back after the store (nothing else uses the workspace meanwhile: it waits for the store).
    """
    threads = cur.execute("SELECT current_setting('threads')").fetchone()[0]
    lower = memory_limit is not None and (_size(memory_limit) or 0) > STORE_MEMORY_LIMIT
    cur.execute("SET threads = 1")
    if lower:
        try:  # DuckDB evicts (or spills) down to the new limit; should it not manage, the store goes on as it was
            cur.execute(f"SET memory_limit = '{STORE_MEMORY_LIMIT // 2**20}MiB'")
        except duckdb.Error:
            lower = False
    try:
        with _compression_disabled(cur, STORE_DISABLED_COMPRESSION):
            _store_tables(cur, run_id, tables, row, keep)
    finally:
        cur.execute(f"SET threads = {int(threads)}")
        if lower:
            cur.execute(f"SET memory_limit = '{memory_limit}'")
        cur.close()


def _store_tables(cur: Any, run_id: int, tables: dict[str, Any], row: list[Any], keep: int | None) -> None:
    cur.execute("BEGIN TRANSACTION")
    try:
        for name, data in tables.items():
            cur.register("__sf_incoming", data)
            try:
                cur.execute(f'CREATE OR REPLACE TABLE "{_run_table(run_id, name)}" AS {_store_select(data)}')
            finally:
                cur.unregister("__sf_incoming")
        cur.execute("INSERT INTO _runs VALUES (?, ?, ?, ?)", row)
        if keep:
            _drop_runs(cur, keep)
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    cur.execute("COMMIT")


def _drop_runs(cur: Any, keep: int) -> None:
    """Drop every run but the newest ``keep``: their ``_runs`` rows and the tables no kept run holds (a run can
    hold a table an earlier run stored: ``meta["stored_as"]``)."""
    old = cur.execute("SELECT run_id, tables, meta FROM _runs ORDER BY run_id DESC OFFSET ?", [keep]).fetchall()
    if not old:
        return
    held = _held_by(cur.execute("SELECT run_id, tables, meta FROM _runs ORDER BY run_id DESC LIMIT ?",
                                [keep]).fetchall())
    for table in _held_by(old) - held:
        cur.execute(f"DROP TABLE IF EXISTS {quote(table)}")
    cur.execute("DELETE FROM _runs WHERE run_id <= ?", [max(r for r, *_ in old)])


def _held_by(runs: list[tuple[int, str, str]]) -> set[str]:
    """The workspace tables that hold the tables of ``runs`` (rows of ``_runs``: run_id, tables, meta)."""
    held: set[str] = set()
    for run_id, names, meta in runs:
        stored_as = json.loads(meta).get("stored_as", {})
        for name in json.loads(names):
            held |= _tables_holding(stored_as.get(name), _run_table(run_id, name))
    return held


MADE_PREFIX = "made_"
"""Run tables the engine writes straight into the workspace as a run is made (:meth:`Workspace.make`), named
``made_<token>__<name>``: the run holds them by reference; those no stored run holds are dropped
(:meth:`Workspace.drop_unheld`)."""


class Workspace:
    """An embedded DuckDB workspace (a ``*.duckdb`` file, or in memory with ``path=None``)."""

    def __init__(self, path: str | Path | None = DEFAULT_WORKSPACE, *, read_only: bool = False):
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        self._con = None
        self._saving: threading.Thread | None = None
        self._memory_limit: str | None = None  # the engine's, as set when the connection opened
        self._save_error: BaseException | None = None
        self._home: Workspace | None = None  # of a workspace :meth:`beside` another: that one

    @property
    def con(self) -> ibis.BaseBackend:
        self.wait()  # a run still being stored is stored before anything else reads or writes
        if self._con is None:
            self._connect()
        return self._con

    def _connect(self) -> None:
        """Open the database (taking the connection :func:`salesfocus.soon.open_database_soon` opened, if any)."""
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            opened = None if self.path is None else soon.take_database(self.path, read_only=self.read_only)
            self._con = (ibis.duckdb.from_connection(opened) if opened is not None
                         else ibis.duckdb.connect(str(self.path) if self.path else ":memory:",
                                                  read_only=self.read_only and self.path is not None))
        except Exception as e:  # a locked or corrupt file is the user's to fix
            raise InputError(f"cannot open workspace {self.path}: {e}") from None
        limit = os.environ.get("SALESFOCUS_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
        try:  # beyond the limit DuckDB spills to disk instead of growing (its default is 80% of RAM)
            self._con.con.execute(f"SET memory_limit = '{limit}'")
            self._memory_limit = limit
        except Exception as e:
            raise InputError(f"SALESFOCUS_MEMORY_LIMIT={limit!r} is not a memory size such as 2GB or 500MB "
                             f"({str(e).splitlines()[0]})") from None
        # Give freed memory back to the system soon (DuckDB's allocator keeps up to 128 MiB per thread
        # and more after bulk frees): at a million customers about 0.3 GiB less at every step.
        self._con.con.execute("SET allocator_flush_threshold = '16MB'")
        self._con.con.execute("SET allocator_bulk_deallocation_flush_threshold = '16MB'")
        self._con.con.execute("SET allocator_background_threads = true")
        # A table written by several threads ends in some row groups not full; DuckDB's checkpoint merges them by
        # writing them again (10M order lines: 2.2 s and 4 CPU-s, after the 4.6 s of the write; and the file a
        # third larger, the old blocks left free). Nothing here deletes rows that a merge would reclaim, but for a
        # few of _runs.
        self._con.con.execute("SET max_vacuum_tasks = 0")

    @property
    def raw(self):
        """The DuckDB connection under the Ibis backend."""
        return self.con.con

    def beside(self) -> Workspace:
        """This workspace on a connection of its own, for work on another thread; close it when done.

        DuckDB runs the queries of both connections side by side. The stored tables are shared; temporary tables
        and registered data are each connection's own (the new one's go when it closes).
        """
        ws = Workspace(self.path, read_only=self.read_only)
        ws._con = ibis.duckdb.from_connection(self.raw.cursor())
        ws._home = self.home
        return ws

    @property
    def home(self) -> Workspace:
        """The workspace this one is :meth:`beside` (itself if none): what outlives the connection."""
        return self._home or self

    def reader(self) -> Any:
        """A DuckDB connection of its own for reading tables a run holds by reference, which does not wait for a
        run being stored (the store writes only tables of its own); close it after use."""
        if self._con is None:
            return self.raw.cursor()
        return self._con.con.cursor()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._con is None and self.path is not None:  # opened ahead and never used
                soon.drop_database(self.path, read_only=self.read_only)
            if self._con is not None:
                self._con.disconnect()
                self._con = None

    def wait(self) -> None:
        """Wait until a run being stored in the background (``save_run(..., background=True)``) is stored;
        raise what went wrong there."""
        saving = self._saving  # views rendered side by side may ask at the same time
        if saving is None:
            return
        saving.join()
        self._saving = None
        err, self._save_error = self._save_error, None
        if err is not None:
            raise err

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- tables ---------------------------------------------------------------------------------
    def has_table(self, name: str) -> bool:
        """Whether a table or view ``name`` exists (a temporary one included)."""
        # binding the name: the catalog views (information_schema, duckdb_tables()) describe every table of the
        # workspace, some ms a call once it holds a few runs, and a run asks some 30 times
        try:
            self.raw.execute(f"SELECT * FROM {quote(name)} LIMIT 0")
        except duckdb.CatalogException:
            return False
        return True

    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    def _execute_within_memory(self, sql: str) -> None:
        """Run ``sql``; should the engine run out of its memory limit, run it again with one thread.

        Each thread holds its own part of an aggregation and of the table being written: with two, the customer ×
        product group table of 50M order lines (8.4M rows) did not always fit in the workspace's 1 GB, and the
        engine cannot spill all of it. One thread needs about half (and twice the time), so only a query that
        failed takes it; the setting is the database's, put back at once. (A failure inside a transaction ends the
        transaction: then it is raised as it is.)"""
        try:
            self.raw.execute(sql)
        except duckdb.OutOfMemoryException as failed:
            try:
                threads = self.raw.execute("SELECT current_setting('threads')").fetchone()[0]
            except duckdb.TransactionException:  # in a transaction the failure ended it: say what went wrong
                raise failed from None
            self.raw.execute("SET threads = 1")
            try:
                self.raw.execute(sql)
            finally:
                self.raw.execute(f"SET threads = {int(threads)}")

    def memory_limit(self) -> int | None:
        """The engine's memory limit in bytes (None when DuckDB gives one it does not read)."""
        return _size(self.raw.execute("SELECT current_setting('memory_limit')").fetchone()[0])

    def import_id(self) -> str | None:
        """The key of the import the workspace's tables come from (``_import_key``), None without one."""
        if not self.has_table("_import_key"):
            return None
        row = self.raw.execute("SELECT key FROM _import_key").fetchone()
        return row[0] if row and row[0] else None

    def write(self, name: str, data: ibis.Table | pa.Table | Any, *more: ibis.Table, temp: bool = False) -> None:
        """Create or replace table ``name`` from an Ibis expression (run in the engine) or Arrow/pandas data;
        ``more``: expressions whose rows follow, each a query of its own (a table made in parts, each within the
        engine's memory)."""
        kind = "TEMP TABLE" if temp else "TABLE"
        if isinstance(data, ibis.Table):
            for part in (data, *more):
                self.con._run_pre_execute_hooks(part)  # in-memory tables of the expression become visible to SQL
            self._write_parts(f"CREATE OR REPLACE {kind} {quote(name)}", quote(name),
                              [self.con.compile(part) for part in (data, *more)])
        else:
            if more:
                raise TypeError("Workspace.write: parts after the first must be Ibis expressions, as the first")
            self.raw.register("__sf_incoming", data)
            try:
                self.raw.execute(f'CREATE OR REPLACE {kind} "{name}" AS SELECT * FROM __sf_incoming')
            finally:
                self.raw.unregister("__sf_incoming")

    def make(self, name: str, *parts: str, enums: dict[str, list[str]] | None = None) -> str:
        """Write the rows of the SQL queries ``parts``, one after the other, as a table of its own for a run to
        hold by reference (``save_run(shared=...)``); returns the table's name (:data:`MADE_PREFIX`).

        Such a table never passes through the process as Arrow: at 50M order lines the migration list has 5.2M
        rows, 0.4 GiB as Arrow, made while the run holds everything else. ``enums``: text columns whose values are
        known to be among those given, stored as ENUMs (each row a small number: 10M order lines, the migration
        list's 0.76M rows 1.25 -> 0.85 CPU-s) and read back as text (:class:`~salesfocus.model.context.Made`); a
        value outside them stores the table as text instead."""
        table = f"{MADE_PREFIX}{uuid.uuid4().hex[:16]}__{name}"
        if enums:
            casts = ", ".join(f"CAST({quote(c)} AS ENUM({', '.join(_sql_text(v) for v in dict.fromkeys(values))})) "
                              f"AS {quote(c)}" for c, values in enums.items())
            try:
                self._write_parts(f"CREATE TABLE {quote(table)}", quote(table),
                                  [f"SELECT * REPLACE ({casts}) FROM ({sql})" for sql in parts])
                return table
            except duckdb.ConversionException:
                self.raw.execute(f"DROP TABLE IF EXISTS {quote(table)}")
        self._write_parts(f"CREATE TABLE {quote(table)}", quote(table), list(parts))
        return table

    def _write_parts(self, create: str, table: str, sqls: list[str]) -> None:
        """``create`` AS the first query, then the rows of each other query inserted into ``table``: each a query
        of its own, within the engine's memory."""
        for i, sql in enumerate(sqls):
            self._execute_within_memory((f"INSERT INTO {table} " if i else f"{create} AS ") + sql)

    def drop_unheld(self) -> None:
        """Drop the tables made for a run (:meth:`make`) that no stored run holds: a run that failed left them."""
        made = [r[0] for r in self.raw.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND starts_with(table_name, ?)",
            [MADE_PREFIX]).fetchall()]
        if not made:
            return
        held = _held_by(self.raw.execute("SELECT run_id, tables, meta FROM _runs").fetchall()) \
            if self.has_table("_runs") else set()
        for table in made:
            if table not in held:
                self.raw.execute(f"DROP TABLE IF EXISTS {quote(table)}")

    def append(self, name: str, expr: ibis.Table) -> None:
        sql = self.con.compile(expr)
        if self.has_table(name):
            cols = ", ".join(f'"{c}"' for c in expr.columns)
            self.raw.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM ({sql})')
        else:
            self.raw.execute(f'CREATE TABLE "{name}" AS {sql}')

    def compression_disabled(self, methods: str = LINES_DISABLED_COMPRESSION) -> AbstractContextManager[None]:
        """DuckDB not trying the compression ``methods`` while the block writes (the import's tables: FSST)."""
        return _compression_disabled(self.raw, methods)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.raw.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    # -- runs -----------------------------------------------------------------------------------
    def save_run(self, tables: dict[str, Any], meta: dict[str, Any], *, background: bool = False,
                 keep: int | None = None, shared: dict[str, Any] | None = None) -> Run:
        """Store result tables (Arrow or pandas) and metadata as a new run, in one transaction.

        ``shared``: tables of the run that an earlier run stored unchanged, by name, with the workspace table that
        holds them (:meth:`Run.stored_name` of that run): the new run holds them too instead of a copy, and dropping
        the earlier run keeps them while a later one holds them. A table given in ``tables`` too, with what
        :func:`held_in_parts` made of it: the run stores only its own part (nothing when that found the table
        unchanged), and the views take it from :attr:`Run.saved`.

        ``background``: store on a thread of its own and return at once; the run's Arrow tables are in
        :attr:`Run.saved`, and every other use of the workspace (and :meth:`close`) first waits for the store.
        ``keep``: keep only the newest ``keep`` runs, this one included (None or 0: keep every run); without
        it a workspace grows by a run's size at every analysis (about 200 MB at 10M order lines).
        """
        raw = self.raw
        raw.execute(
            "CREATE TABLE IF NOT EXISTS _runs (run_id INTEGER, created_at VARCHAR, meta VARCHAR, tables VARCHAR)"
        )
        run_id = raw.execute("SELECT coalesce(max(run_id), 0) + 1 FROM _runs").fetchone()[0]
        created = dt.datetime.now().isoformat(timespec="seconds")
        tables = {n: d.to_pyarrow() if isinstance(d, ibis.Table) else d for n, d in tables.items()}
        saved = {n: self._as_read_back(d) for n, d in tables.items()}
        shared = dict(shared or {})
        for n, spec in shared.items():
            if n not in tables:
                continue
            table = tables.pop(n)
            own = own_part(spec, table) if isinstance(spec, dict) else None  # held whole: nothing to store
            if own is not None:
                tables[n] = own
        if shared:
            meta = {**meta, "stored_as": shared}
        names = sorted({*tables, *shared})
        row = [run_id, created, json.dumps(meta, default=str), json.dumps(names)]
        cur = raw.cursor()  # a connection of its own: the thread's transaction is not the caller's
        if background:
            self._saving = threading.Thread(target=self._store_in_background,
                                            args=(cur, run_id, tables, row, keep), name=f"salesfocus-save-run-{run_id}")
            self._saving.start()
        else:
            _store_run(cur, run_id, tables, row, keep, self._memory_limit)
        return Run(run_id, created, meta, names, self, saved)

    def _store_in_background(self, cur: Any, run_id: int, tables: dict[str, Any], row: list[Any],
                             keep: int | None) -> None:
        try:
            _store_run(cur, run_id, tables, row, keep, self._memory_limit)
        except BaseException as e:  # raised in the caller's thread by wait()
            self._save_error = e

    def _as_read_back(self, data: Any) -> pa.Table:
        """The table exactly as reading it back from the workspace gives it: ``data`` itself when that has the
        same schema, else DuckDB's Arrow of it (pandas frames, large strings: small tables)."""
        self.raw.register("__sf_probe", data)
        try:
            if isinstance(data, pa.Table):
                back = self.raw.execute('SELECT * FROM "__sf_probe" LIMIT 0').fetch_arrow_table()
                if back.schema.equals(data.schema, check_metadata=True):
                    return data
            return self.raw.execute('SELECT * FROM "__sf_probe"').fetch_arrow_table()
        finally:
            self.raw.unregister("__sf_probe")

    def runs(self) -> list[tuple[int, str]]:
        if not self.has_table("_runs"):
            return []
        return [tuple(r) for r in self.raw.execute("SELECT run_id, created_at FROM _runs ORDER BY run_id").fetchall()]

    def newest_run(self) -> Run | None:
        """The latest run, None when the workspace holds none."""
        return self.load_run() if self.runs() else None

    def load_run(self, run_id: int | None = None) -> Run:
        """The given run, or the latest one."""
        if not self.has_table("_runs"):
            raise InputError(f"workspace {self.path} holds no analysis run yet: run `salesfocus analyze` first")
        q = "SELECT run_id, created_at, meta, tables FROM _runs "
        row = (
            self.raw.execute(q + "ORDER BY run_id DESC LIMIT 1").fetchone()
            if run_id is None
            else self.raw.execute(q + "WHERE run_id = ?", [run_id]).fetchone()
        )
        if row is None:
            raise InputError(f"workspace {self.path} has no run {run_id}; runs: {[r for r, _ in self.runs()]}")
        return Run(row[0], row[1], json.loads(row[2]), json.loads(row[3]), self)
