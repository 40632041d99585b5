"""The context an analysis run shares: each analysis adds tables, per-customer columns and figures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.operations as ops
import pyarrow as pa
import pyarrow.compute as pc

from salesfocus.config import Config
from salesfocus.model.dataset import Dataset
from salesfocus.workspace import Run, Workspace, quote, text_columns

__all__ = ["RunContext", "RunTables", "Stored", "Made"]


CUSTOMERS_VIEW = "_sf_customers"


class Stored:
    """A table a run takes unchanged from an earlier stored run (:mod:`salesfocus.model.provenance`): read from the
    workspace only when an analysis asks for it, and held by the new run by reference when nothing changed it.

    ``drop``: columns appended to it by steps computed again, left out of what is read (it is then not shared)."""

    def __init__(self, run: Run, name: str, drop: list[str] | None = None):
        self.run, self.name, self.drop = run, name, list(drop or [])
        self._data: pa.Table | None = None

    @property
    def stored_name(self) -> str | None:
        """The workspace table a new run can hold it by, None when it differs from that table."""
        return None if self.drop else self.run.stored_name(self.name)

    def load(self) -> pa.Table:
        if self._data is None:
            data = self.run.table(self.name)
            self._data = data.drop_columns([c for c in self.drop if c in data.column_names])
        return self._data


class Made(Stored):
    """A result table the engine wrote straight into the workspace (:meth:`Workspace.make`), never held in the
    process: the run holds it by reference, as it holds a :class:`Stored` table; read only when asked for, whole
    (:meth:`load`) or in batches (:meth:`batches`)."""

    def __init__(self, workspace: Workspace, table: str):
        super().__init__(None, table)  # type: ignore[arg-type]
        self.workspace, self.table = workspace.home, table
        self._schema: pa.Schema | None = None
        self._rows: int | None = None
        self._select: str | None = None

    @property
    def stored_name(self) -> str:
        return self.table

    def load(self) -> pa.Table:
        return self.head(None)

    def head(self, rows: int | None) -> pa.Table:
        """The first ``rows`` rows (None: all)."""
        limit = "" if rows is None else f" LIMIT {int(rows)}"
        return self._query(lambda cur: cur.execute(f"SELECT {self._columns(cur)} FROM {quote(self.table)}{limit}"
                                                   ).fetch_arrow_table())

    def _columns(self, cur: Any) -> str:
        """The select list of its columns, those stored as ENUMs as text (:meth:`Workspace.make`)."""
        if self._select is None:
            self._select = text_columns(cur, self.table)
        return self._select

    @property
    def schema(self) -> pa.Schema:
        if self._schema is None:
            self._schema = self.head(0).schema
        return self._schema

    @property
    def num_rows(self) -> int:
        if self._rows is None:
            row = self._query(lambda cur: cur.execute(f"SELECT count(*) FROM {quote(self.table)}").fetchone())
            self._rows = int(row[0])
        return self._rows

    def with_nulls(self, columns: list[str]) -> set[str]:
        """Those of ``columns`` that have an empty cell."""
        if not columns:
            return set()
        sql = ", ".join(f"count(*) > count({quote(c)})" for c in columns)
        row = self._query(lambda cur: cur.execute(f"SELECT {sql} FROM {quote(self.table)}").fetchone())
        return {c for c, empty in zip(columns, row, strict=True) if empty}

    def batches(self, rows: int) -> Iterator[pa.RecordBatch]:
        """The rows in their order, ``rows`` at a time."""
        cur = self.workspace.reader()
        try:
            yield from cur.execute(f"SELECT {self._columns(cur)} FROM {quote(self.table)}").to_arrow_reader(rows)
        finally:
            cur.close()

    def _query(self, fn: Any) -> Any:
        cur = self.workspace.reader()
        try:
            return fn(cur)
        finally:
            cur.close()


class RunTables(dict):
    """The named result tables of a run: a :class:`Stored` table is read when looked up (``[]``, ``get``), and
    stays a :class:`Stored` in the dict (iterating values and items gives it as it is)."""

    def __getitem__(self, name: str) -> Any:
        value = super().__getitem__(name)
        return value.load() if isinstance(value, Stored) else value

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default


@dataclass
class RunContext:
    """What the analyses of one run share.

    ``customers`` is the per-customer table in the workspace; ``tables`` the named result tables of the
    run (Ibis or Arrow); ``summary`` the headline figures (summary.json); ``notes`` what the run could
    not do and why; ``reuse_fits`` whether the models' fits of the last run may be taken for unchanged data.

    The customer table is held as Arrow (sorted by ``customer_id``) and shown to the engine as a view: an
    analysis that adds columns computes only those, and the wide table is never copied (at 200,000
    customers and ~100 columns each copy cost about a second). Make one with :meth:`start`.
    """

    workspace: Workspace
    config: Config
    dataset: Dataset
    customers: ibis.Table
    tables: RunTables = field(default_factory=RunTables)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    reuse_fits: bool = False  # a re-analysis: fits of unchanged data are taken from the workspace's last run
    written: list[str] = field(default_factory=list)  # the customer columns added, in order (a step's record)
    _arrow: pa.Table | None = field(default=None, repr=False)
    _given: dict[str, Any] = field(default_factory=dict, repr=False)  # the figures a context of beside() started with
    prepared: dict[str, Future[Any]] = field(default_factory=dict, repr=False)
    """What the preparation of a step (``salesfocus.pipeline.PREPARE``) gives once done, by step; the step takes it."""
    on_made: Callable[[str, Made], None] | None = field(default=None, repr=False)
    """Told of a table the engine made in the workspace as soon as it is made (:meth:`add_made`): a view can
    render it while the analysis goes on, where the tables of a :meth:`beside` context are told when it ends."""
    on_columns: Callable[[pa.Table], None] | None = field(default=None, repr=False)
    """Told of the customer table each time an analysis has added columns (:meth:`add_customer_columns`): an
    analysis waiting for some of them goes on before the step that adds them has ended."""

    @classmethod
    def start(cls, workspace: Workspace, config: Config, dataset: Dataset, customers: pa.Table) -> RunContext:
        """A context on the per-customer table of stage 1."""
        ctx = cls(workspace, config, dataset, None)  # type: ignore[arg-type]
        i = customers.schema.get_field_index("customer_id")  # the engine's text type, so ids compare equal
        customers = customers.set_column(i, "customer_id", customers.column(i).cast(pa.string()))
        ctx._show(customers if _ascending(customers.column(i)) else customers.sort_by("customer_id"))
        return ctx

    def show(self, table: pa.Table) -> None:
        """Take ``table`` (a customer table this context's analysis is to read, sorted by customer_id) as the
        customer table: a context of :meth:`beside` made before the analyses it is to follow were done."""
        self._show(table)

    def _show(self, table: pa.Table) -> None:
        self._arrow = table
        self.workspace.raw.register(CUSTOMERS_VIEW, table)
        self.customers = self.workspace.table(CUSTOMERS_VIEW)

    def customer_table(self) -> pa.Table:
        """The per-customer table as it stands, sorted by ``customer_id``."""
        return self._arrow

    def add_customer_columns(self, expr: ibis.Table | pa.Table) -> None:
        """Join per-customer columns (keyed by customer_id) onto the customer table."""
        names = expr.columns if isinstance(expr, ibis.Table) else expr.column_names
        cols = [c for c in names if c != "customer_id"]
        base = self._arrow
        new = expr.to_pyarrow() if isinstance(expr, ibis.Table) else expr
        if not new.column("customer_id").equals(base.column("customer_id")):  # sorting wide text costs 0.4 s
            new = new.sort_by("customer_id")
        if new.num_rows != base.num_rows or not new.column("customer_id").equals(base.column("customer_id")):
            # not one row per customer: align on the customers by a left join (on the executed result, so the
            # expression runs once); when it is, as usual, that join of the whole table with itself is skipped
            ids = self.customers.select("customer_id")
            new = ids.left_join(ibis.memtable(new), "customer_id").drop("customer_id_right").to_pyarrow()
            new = new.sort_by("customer_id")
        if new.num_rows != base.num_rows or not new.column("customer_id").equals(base.column("customer_id")):
            raise RuntimeError("add_customer_columns: the new columns are not one row per customer")
        out = base.drop_columns([c for c in cols if c in base.column_names])
        for c in cols:
            out = out.append_column(new.schema.field(c), new.column(c))
        self.written += cols
        self._show(out)
        if self.on_columns is not None:
            self.on_columns(out)

    def add_made(self, name: str, table: Made) -> None:
        """Add result table ``name`` that the engine made in the workspace, and tell :attr:`on_made` of it."""
        self.tables[name] = table
        if self.on_made is not None:
            self.on_made(name, table)

    def note(self, msg: str) -> None:
        if msg not in self.notes:
            self.notes.append(msg)

    def beside(self, workspace: Workspace) -> RunContext:
        """A context for an analysis on another thread, on ``workspace`` (:meth:`Workspace.beside`).

        It has the config, the figures so far, the customer table as it stands and the data set's stored tables
        (on that connection: the temporary ones of this connection are not there), and no tables yet. For an
        analysis that adds tables, figures and notes but no customer columns; :meth:`take` takes them back.
        """
        tables = {}
        for name, t in self.dataset.tables.items():
            op = t.op()
            if isinstance(op, ops.DatabaseTable) and workspace.has_table(op.name):
                tables[name] = workspace.table(op.name)
        ds = Dataset(tables, self.dataset.as_of, list(self.dataset.missing_notes), self.dataset._has_cost)
        sub = RunContext(workspace, self.config, ds, None, summary=dict(self.summary),  # type: ignore[arg-type]
                         reuse_fits=self.reuse_fits)
        sub._given = dict(self.summary)
        sub._show(self._arrow)
        return sub

    def take(self, sub: RunContext) -> None:
        """Add what an analysis run in a context of :meth:`beside` added there: tables, figures and notes, after
        those of this context (as if it had run last)."""
        self.tables.update(sub.tables)
        self.summary.update({k: v for k, v in sub.summary.items() if k not in sub._given or sub._given[k] is not v})
        for msg in sub.dataset.missing_notes:
            if msg not in self.dataset.missing_notes:
                self.dataset.missing_notes.append(msg)
        for msg in sub.notes:
            self.note(msg)


def _ascending(ids: pa.ChunkedArray) -> bool:
    """Whether the ids are already in ascending order (stage 1 sorts them in the engine): then the
    table is not sorted and copied again."""
    if len(ids) < 2:
        return True
    flat = ids.combine_chunks()
    return bool(pc.all(pc.less_equal(flat.slice(0, len(flat) - 1), flat.slice(1))).as_py())
