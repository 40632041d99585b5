"""One analysis run: import, per-customer measures on the engine, then every analysis, stored as named tables.

Stage 1 runs on the engine where the data lives (DuckDB, or Spark for data beyond one machine): the
per-customer measures and the per-year table. Only those small results travel into the workspace.
Stage 2 runs the analyses (profit, pyramid, segments, prediction, ...) as Ibis expressions over the
per-customer table in the workspace. Outputs render from the stored run and compute nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import json
import math
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import ibis
import ibis.expr.operations as ops
import pyarrow as pa

from salesfocus.config import Config
from salesfocus.errors import InputError
from salesfocus.io.importer import DuckDBEngine, Engine, ImportReport, SourceReport, import_sources
from salesfocus.io.mapping import TableMapping
from salesfocus.io.readers import Source
from salesfocus.io.schemas import SCHEMAS
from salesfocus.measures import (
    activity_measures,
    cost_to_serve,
    customer_dates,
    customer_groups,
    customer_products,
    customer_totals,
    customer_years,
    orders,
    payment_measures,
)
from salesfocus.model.context import CUSTOMERS_VIEW, Made, RunContext, Stored
from salesfocus.model.dataset import Dataset, active_window_start, customer_status
from salesfocus.model.provenance import (
    ASSESSMENTS,
    FORMAT,
    SCORES_FILE,
    Reuse,
    Snapshot,
    StepRecord,
    base_key,
    fingerprint_soon,
    step_keys,
)
from salesfocus.workspace import DigestsAhead, Run, Workspace, column_digests, held_by_digests, held_in_parts

__all__ = ["RunContext", "analyze", "reanalyze", "merge_manual_assessments", "MANUAL_ASSESSMENTS",
           "CUSTOMER_ATTRIBUTES"]

CUSTOMER_ATTRIBUTES = ["name", "sector", "region", "country", "size_class", "employees", "account_manager", "email",
                       "channel", "acquired_date"]


def _analyses() -> list[tuple[str, Callable[[RunContext], None]]]:
    """The analyses of a run, in order; each takes the context and fills it. Add new ones here; those in
    :data:`BESIDE` run on a thread of their own beside the ones after them."""
    return [("profit", _analysis("salesfocus.profit")), ("prediction", _analysis("salesfocus.predict.run")),
            ("segments", _analysis("salesfocus.segments")),
            ("periods", _analysis("salesfocus.periods")),  # over time: reads the segments' columns and adds tables only
            # targeting reads the columns of every analysis before it; in two steps, so that a change of the weights
            # or scores computes only the second
            ("target_segments", _analysis("salesfocus.targeting", "segment")),
            ("targeting", _analysis("salesfocus.targeting"))]


def _analysis(module: str, function: str = "run") -> Callable[[RunContext], None]:
    """The ``run`` (or ``function``) of an analysis's module, imported when it first runs: a re-analysis that takes
    the analysis from the last run does not load its libraries (prediction's SciPy: about 0.6 s)."""
    def run(ctx: RunContext) -> None:
        getattr(importlib.import_module(module), function)(ctx)

    run.__qualname__ = f"{module}.{function}"
    return run


BESIDE = frozenset({"periods"})
"""Analyses that only read (the data set's stored tables and the customer table as it stands) and add tables,
figures and notes: each runs on a thread and a DuckDB connection of its own, beside the analyses after it, and
what it adds is taken in after theirs (the same run as one after the other). Much of an analysis is Python
(building queries, pandas) that holds the GIL while the engine waits, and much is the engine's work while
Python waits: side by side, each fills the other's gaps (10M order lines: segments, periods and targeting
4.15-4.31 -> 3.88-4.00 s). The connections share the workspace's memory limit; one analysis beside is what
two cores can use."""


PREPARE = {"prediction": ("salesfocus.predict.run", "prepare"), "target_segments": ("salesfocus.targeting", "prepare"),
           "periods": ("salesfocus.periods", "prepare")}
"""Work of a step that reads only the data set and the customer table of stage 1: started when the analyses start,
while the steps before it leave a core idle (the first steps are mostly Python and one query at a time; 10M order
lines: the purchase history and the models fitted on it, the window counts and the figures per period, about 4
CPU-s). What it returns is the step's, in
``ctx.prepared``. A step of :data:`BESIDE` is prepared on its own thread and connection, which then wait for the
step's turn; the others one after the other on a thread and connection of their own. A step taken from the last
run is not prepared, nor one of :data:`PREPARED_ON_ITS_CONNECTION` that does not run beside."""

TURN_WITHIN = {"periods": ("segments", "salesfocus.periods.activity", "SEGMENT_INPUTS")}
"""Analyses of :data:`BESIDE` whose turn comes within the step before them: as soon as that step has added the
customer columns they read of it (named by the module's constant), not when it ends. Periods reads the A/B/C
potential and yes answers, which segments adds before its tables, look-alikes and clusters (10M order lines:
about 0.8 s sooner, while segments leaves a core idle)."""

PREPARED_ON_ITS_CONNECTION = frozenset({"periods"})
"""Steps whose preparation gives temporary tables, of the connection it ran on: the step's own only beside."""

_HEAVY_IMPORTS: dict[str, tuple[str, ...]] = {
    # the step's module, which loads SciPy's optimize, special, stats and integrate: its preparation's thread, which
    # imports it too, then waits for this import instead of importing the same libraries beside it
    "prediction": ("salesfocus.predict.run",),
    "segments": ("scipy.stats",),  # the look-alike profile's Fisher test (scipy.stats alone: about 0.6 s)
    "targeting": ("scipy.special",),
}
"""The heavy libraries each analysis loads, by step."""
_FIT_IMPORTS = ("sklearn.cluster", "sklearn.metrics")
"""The behaviour clusters' k-means: loaded up front by ``analyze`` only, which always fits; a re-analysis mostly
takes the last fit, and a fit loads them itself, on its own thread."""


def warm_up(steps: Iterable[str] | None = None) -> threading.Thread:
    """Load the heavy libraries of the given analyses (all, and scikit-learn, when None: about 0.7 s) on a side
    thread.

    They load while the main thread waits outside the GIL: an import runs mostly inside DuckDB; a repeated
    ``analyze`` hashes the sources and runs stage 1 there, a re-analysis reads what it takes from the last run. On
    two cores or more most of the loading happens beside that instead of in the first analysis that needs them
    (a repeated 10M-line ``analyze``: about 0.3 s sooner).
    """
    names = (*dict.fromkeys(m for ms in _HEAVY_IMPORTS.values() for m in ms), *_FIT_IMPORTS) if steps is None else (
        tuple(dict.fromkeys(m for step in steps for m in _HEAVY_IMPORTS.get(step, ()))))

    def load() -> None:
        for name in names:
            # a failure is the analysis's to report: it imports the library again
            with contextlib.suppress(Exception):
                importlib.import_module(name)

    thread = threading.Thread(target=load, name="sf-warm-up", daemon=True)
    thread.start()
    return thread


def _compact(engine: Engine, workspace: Workspace, ds: Dataset, key: str | None,
             sources: list[dict[str, Any]]) -> dict[str, ibis.Table]:
    """The compact tables every later step reads instead of the lines: built once per import.

    On DuckDB they are stored in the workspace with the key of the import they belong to, so the next
    ``analyze`` of unchanged sources and every re-analysis start from them. On Spark they are built
    on the cluster and travel to the workspace with the stage-1 results.
    """
    ol = ds.tables["order_lines"]
    if engine.name != "duckdb":
        od = engine.materialize("orders", orders(ol))
        groups = engine.materialize("customer_groups", customer_groups(ol))
        products = engine.materialize("customer_products", customer_products(ol, groups=groups))
        return {"orders": od, "customer_groups": groups, "customer_products": products,
                "customer_totals": customer_totals(od, products, has_cost=ds.has_cost),
                "customer_years": customer_years(ol, od, has_cost=ds.has_cost)}
    # Each table is committed as it is written, not all in one transaction, so that a query the engine cannot fit
    # in its memory runs again with one thread (Workspace.write; a failure inside a transaction ends it: at 50M
    # lines the customer × product group table). The key goes last: until it is there, no run takes these tables for
    # the import's (a build broken off is built again), and every import drops them first (DERIVED_TABLES).
    with workspace.compression_disabled():  # their text is the lines' ids and categories
        workspace.write("orders", orders(ol))
        od = workspace.table("orders")
        passes = _group_passes(workspace)
        shares = [ol] if passes == 1 else [ol.filter((ol.customer_id.hash() % passes).abs() == i)
                                           for i in range(passes)]
        workspace.write("customer_groups", *[customer_groups(share) for share in shares])
        workspace.write("customer_products", customer_products(ol, groups=workspace.table("customer_groups")))
        # through Arrow: stored with the types Ibis gives (DuckDB would keep its 128-bit sums)
        totals = customer_totals(od, workspace.table("customer_products"), has_cost=ds.has_cost)
        workspace.write("customer_totals", totals.to_pyarrow())
        workspace.write("customer_years", customer_years(ol, od, has_cost=ds.has_cost))
    # without a key (a database source) the import still gets an id of its own: runs on it can take from each
    # other (model/provenance.py), and no later import's key equals it
    data_id = key or f"import:{uuid.uuid4().hex}"
    workspace.write("_import_key", pa.table({"key": [data_id], "sources": [json.dumps(sources, default=str)]}))
    return {name: workspace.table(name) for name in COMPACT}


GROUPS_PER_GIB = 4_000_000
"""Customer × product group rows whose sums the engine holds in a GiB of its memory with two threads (50M lines: the
8.4M of the demo data did not fit in the default 1 GB, half of them did, at 1.1 GB resident)."""


def _group_passes(workspace: Workspace) -> int:
    """In how many passes, each over a share of the customers, the customer × product group table is made.

    A table beyond the engine's memory fails there after a while (50M lines: 10 s) and is made again on one thread
    (33 s); in shares of the customers, on both threads, it takes 10-12 s. Its rows are estimated (a HyperLogLog
    count, 0.9 s for 50M lines) only when there are more lines than three times the rows that fit, as a customer's
    lines in a product group are as a rule three or more (should they not fit even so, the engine's retry on one
    thread still makes the table)."""
    budget = GROUPS_PER_GIB * (workspace.memory_limit() or 2**30) / 2**30
    lines = workspace.raw.execute("SELECT count(*) FROM order_lines").fetchone()[0]
    if lines <= 3 * budget:
        return 1
    pairs = workspace.raw.execute(
        "SELECT approx_count_distinct(hash(customer_id, product_group)) FROM order_lines").fetchone()[0]
    return max(1, math.ceil(1.1 * pairs / budget))  # the estimate is within a few percent


COMPACT = ("orders", "customer_groups", "customer_products", "customer_totals", "customer_years")
COMPACT_FORMAT = 5  # raise when the import's checks or the compact tables change: stored imports are rebuilt


def _stage1(engine: Engine, ds: Dataset, config: Config, compact: dict[str, ibis.Table]) -> dict[str, Any]:
    """Per-customer measures and per-year figures on the engine; the only data that travels (on DuckDB the figures
    per year stay the workspace's table)."""
    t = ds.tables
    has_cost = ds.has_cost
    od = compact["orders"]
    m = customer_dates(compact["customer_totals"], ds.as_of, has_cost=has_cost)
    window = od.filter((od.order_date > ibis.literal(active_window_start(ds.as_of, config.customer_rule)))
                       & (od.revenue >= 0))
    recent = window.group_by("customer_id").aggregate(orders_in_window=window.count())
    m = m.left_join(recent, "customer_id").drop("customer_id_right")
    m = m.mutate(orders_in_window=m.orders_in_window.fill_null(0))
    payments = None
    if "invoices" in t:
        payments = payment_measures(t["invoices"], ds.as_of, capital_rate=config.cost_rates.capital_rate)
        m = m.left_join(payments.drop("late_payment_cost"), "customer_id").drop("customer_id_right")
    else:
        ds.note_missing("invoices", "days to pay, late payment and its cost of capital are unknown")
    if "activities" in t:
        acts = activity_measures(t["activities"], end=ds.as_of + dt.timedelta(days=1))
        m = m.left_join(acts, "customer_id").drop("customer_id_right")
        m = m.mutate(**{c: m[c].fill_null(0) for c in acts.columns if c != "customer_id"})
    else:
        ds.note_missing("activities", "visits, calls, tickets and complaints are not in cost-to-serve")
    master = t.get("customers")
    m = cost_to_serve(m, config.cost_rates, activities=t.get("activities"), payments=payments, customers=master)
    if master is not None:
        attrs = master.select("customer_id", *CUSTOMER_ATTRIBUTES, master_status=master.status,
                              payment_terms_days=master.payment_terms_days)
        m = m.left_join(attrs, "customer_id").drop("customer_id_right")
        status = customer_status(m.last_order, m.orders_in_window, ds.as_of, config.customer_rule, m.master_status)
        m = m.mutate(status=status).drop("master_status")
    else:
        ds.note_missing("customers", "no names, sectors, regions or account managers; profiles and lists are thin")
        m = m.mutate(status=customer_status(m.last_order, m.orders_in_window, ds.as_of, config.customer_rule))
    out: dict[str, Any] = {"customers": m.order_by("customer_id").to_pyarrow()}
    if engine.name == "duckdb":  # the workspace's own table: the run holds a copy the engine makes there
        out["customer_years"] = compact["customer_years"]
        return out
    out["customer_years"] = compact["customer_years"].to_pyarrow()
    # the compact tables travel so that every later analysis runs on the workspace
    for name in ("orders", "customer_groups", "customer_products"):
        out[name] = compact[name].to_pyarrow()
    for name in ("customers", "activities", "invoices", "assessments", "leads", "prospects"):
        if name in t:
            out[f"_table_{name}"] = t[name].to_pyarrow()
    return out


def _workspace_dataset(workspace: Workspace, ds: Dataset, stage1: dict[str, pa.Table]) -> Dataset:
    """The data set the analyses see: workspace tables only, with the compact tables; on Spark the order
    lines stay on the cluster and are not among them."""
    for key, data in stage1.items():
        if key in ("orders", "customer_groups", "customer_products") or key.startswith("_table_"):
            workspace.write(key.removeprefix("_table_"), data)
    if "orders" in stage1:  # the workspace's import id no longer says what its tables hold
        workspace.raw.execute("DROP TABLE IF EXISTS _import_key")
    tables = {name: workspace.table(name) for name in (*ds.tables, *COMPACT)
              if workspace.has_table(name) and not ("orders" in stage1 and name == "order_lines")}
    return Dataset(tables, ds.as_of, ds.missing_notes, ds.has_cost)


def import_key(sources: list[Source], mapping: dict[str, TableMapping], config: Config) -> str | None:
    """What an import depends on: the files' contents and names, the mapping, the import settings, the
    day (dates in the future) and this version. None for a database source (its rows change unseen)."""
    from importlib.metadata import version

    if any(s.is_url for s in sources):
        return None
    parts = {
        "version": [version("salesfocus"), COMPACT_FORMAT],
        "today": dt.date.today().isoformat(),
        "import": config.import_options.model_dump(mode="json"),
        "mapping": {t: [m.columns, m.options] for t, m in sorted(mapping.items())},
        "sources": [[s.table, s.label, s.fingerprint(), s.options] for s in sources],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _reuse_import(workspace: Workspace, key: str | None) -> ImportReport | None:
    """The workspace's import when it was made from exactly these sources (same key), else None."""
    if key is None or not all(workspace.has_table(n) for n in ("_import_key", "order_lines", *COMPACT)):
        return None
    row = workspace.raw.execute("SELECT key, sources FROM _import_key").fetchone()
    if row is None or row[0] != key:
        return None
    fields = set(SourceReport.__dataclass_fields__)
    reports = [SourceReport(**{k: v for k, v in s.items() if k in fields and k != "reused"}, reused=True)
               for s in json.loads(row[1])]
    rejected = workspace.table("rejected") if workspace.has_table("rejected") else None
    return ImportReport(reports, _stored_tables(workspace), rejected)


def _stored_tables(workspace: Workspace) -> dict[str, ibis.Table]:
    """The canonical and compact tables the workspace holds."""
    return {name: workspace.table(name) for name in (*SCHEMAS, *COMPACT) if workspace.has_table(name)}


def analyze(engine: Engine, workspace: Workspace, sources: list[Source], mapping: dict[str, TableMapping],
            config: Config, *, as_of: dt.date | None = None, progress: Callable[[str], None] | None = None,
            args: dict[str, Any] | None = None, on_table: Callable[[str, Any], None] | None = None,
            on_columns: Callable[[pa.Table], None] | None = None) -> Run:
    """Import the sources, run every analysis, and store the run in the workspace. ``on_table``: told of each table
    of the run a whole step left as it was, while the run goes on (name, Arrow table: a view can render it then); a
    later step may still replace one, and then tells of the new one (the run's table is the last one told of, or one
    never told of). The customer table (``customers``) is told of once the last analysis that adds columns to it is
    done; ``on_columns``: told of it as it stands before, at the start and after each step that added columns (most
    of its columns are final long before the table is)."""
    say = progress or (lambda _m: None)
    fingerprint_soon()
    warm_up()
    key = import_key(sources, mapping, config) if engine.name == "duckdb" else None
    report = _reuse_import(workspace, key)
    if report is not None:
        say("sources unchanged since the last import: using the workspace's tables")
    else:
        report = import_sources(engine, sources, mapping, config, mode="replace", progress=say)
    if "order_lines" not in report.tables:
        raise InputError("no order lines were accepted: see rejected.csv for the reasons")
    imported = {"rows_read": report.rows_read, "rows_accepted": report.rows_accepted,
                "rows_rejected": report.rows_rejected,
                "sources": [vars(s) | {"fingerprint": None} for s in report.sources]}
    return _run(engine, workspace, dict(report.tables), config, as_of=as_of, imported=imported,
                rejected=report.rejected, say=say, args=args or {}, key=key, on_table=on_table, on_columns=on_columns)


def _run(engine: Engine, workspace: Workspace, tables: dict[str, ibis.Table], config: Config, *,
         as_of: dt.date | None, imported: dict[str, Any], rejected: ibis.Table | None,
         say: Callable[[str], None], args: dict[str, Any], key: str | None = None, reuse_fits: bool = False,
         last: Run | None = None, on_table: Callable[[str, Any], None] | None = None,
         on_columns: Callable[[pa.Table], None] | None = None) -> Run:
    """Stage 1 on the engine, then every analysis on the workspace; store the run (shared by analyze and
    reanalyze). ``imported`` holds the import's figures for the summary; ``reuse_fits``: the models' fits of
    unchanged data are taken from the workspace (a re-analysis; ``analyze`` always fits anew and leaves its fits);
    ``last``: a run to take the results of unchanged steps from (:mod:`salesfocus.model.provenance`); ``on_table``
    and ``on_columns``: see :func:`analyze`."""
    workspace.drop_unheld()  # what a run that was interrupted made
    ol = tables["order_lines"]
    span = ol.aggregate(lo=ol.order_date.min(), hi=ol.order_date.max(), n=ol.count()).to_pyarrow().to_pylist()[0]
    if not span["n"]:
        raise InputError("every order line was rejected: see rejected.csv for the reasons")
    as_of = as_of or (dt.date.fromisoformat(config.as_of) if config.as_of else span["hi"])
    ds = Dataset(tables, as_of)
    if all(name in tables for name in COMPACT):
        compact = {name: tables[name] for name in COMPACT}
    else:
        say("building the order and product tables")
        compact = _compact(engine, workspace, ds, key, imported["sources"])
    analyses = _analyses()
    steps = [("stage1", False), *((name, name in BESIDE) for name, _ in analyses)]
    inputs = {ASSESSMENTS: _answers_id(workspace), SCORES_FILE: None if config.targeting.scores_file else ""}
    keys = step_keys(steps, config, base_key(_data_id(engine, workspace), as_of), inputs)
    plan = Reuse.plan(steps, keys, last)
    if reuse_fits:  # a re-analysis (``analyze`` loaded them all up front): those of the analyses it computes
        warm_up([name for name, _ in analyses if plan is None or not plan.takes(name)])
    records: dict[str, StepRecord] = {}
    if plan is not None and plan.takes("stage1"):
        say(f"unchanged since the last run: {', '.join(plan.taken)}")
        records["stage1"] = plan.record("stage1")
        ds.missing_notes.extend(records["stage1"].missing)
        stage1 = {"customers": plan.customers("stage1"), "customer_years": plan.table("customer_years")}
    else:
        say("computing per-customer measures")
        stage1 = _stage1(engine, ds, config, compact)
        if isinstance(stage1["customer_years"], ibis.Table):  # a million customers: 0.2 GiB not held as Arrow
            years = stage1["customer_years"]
            stage1["customer_years"] = Made(workspace, workspace.make("customer_years", workspace.con.compile(years)))
        records["stage1"] = StepRecord("stage1", keys["stage1"], columns=stage1["customers"].column_names,
                                       tables={"customer_years": None}, missing=list(ds.missing_notes))
    ds = _with_manual_assessments(workspace, _workspace_dataset(workspace, ds, stage1))
    ctx = RunContext.start(workspace, config, ds, stage1["customers"])
    ctx.reuse_fits = reuse_fits
    ctx.tables["customer_years"] = stage1["customer_years"]
    cust = ctx.customers
    head = cust.aggregate(
        customers=cust.count(), revenue=cust.revenue.sum().cast("float64"),
        gross_margin=cust.gross_margin.sum().cast("float64"),
    ).to_pyarrow().to_pylist()[0]
    ctx.summary.update(
        engine=engine.name,
        as_of=as_of.isoformat(),
        rows_read=imported["rows_read"],
        rows_accepted=imported["rows_accepted"],
        rows_rejected=imported["rows_rejected"],
        customers=head["customers"],
        order_lines=int(span["n"]),
        revenue=round(head["revenue"] or 0.0, 2),
        gross_margin=None if not ds.has_cost else round(head["gross_margin"] or 0.0, 2),
        period_start=span["lo"].isoformat(),
        period_end=span["hi"].isoformat(),
        sources=imported["sources"],
    )
    try:
        held, kept = _analyse(ctx, analyses, plan, keys, records, say, on_table, on_columns)
    except BaseException:
        with contextlib.suppress(Exception):  # what went wrong is the error to see
            workspace.drop_unheld()
        raise
    ctx.summary["notes"] = ds.missing_notes + ctx.notes
    out, shared, digests = _run_tables(ctx, held, kept)
    if rejected is not None:
        out["rejected"] = rejected.order_by(["table", "file", "row"]).to_pyarrow()
    meta = {"summary": ctx.summary, "config": config.model_dump(mode="json"), "args": args,
            "steps_format": FORMAT, "steps": [records[name].to_json() for name, _ in steps], "digests": digests}
    _release(workspace)  # every table of the run is Arrow by now
    # stored while the caller renders the outputs from the run's Arrow tables (the workspace waits for it)
    return workspace.save_run(out, meta, background=True, keep=config.keep_runs or None, shared=shared)


def _analyse(ctx: RunContext, analyses: list[tuple[str, Callable[[RunContext], None]]], plan: Reuse | None,
             keys: dict[str, str], records: dict[str, StepRecord], say: Callable[[str], None],
             on_table: Callable[[str, Any], None] | None, on_columns: Callable[[pa.Table], None] | None = None
             ) -> tuple[dict[str, tuple[ibis.Table, pa.Table]], tuple[str | dict[str, Any] | None, dict[str, str]]]:
    """Run (or take from ``plan``) every analysis in order, those of :data:`BESIDE` on a thread of their own; fill
    ``records`` with each step's record. After each step ``on_table`` is told of the tables it left as they were
    (:func:`_tell`), and ``on_columns`` of the customer table when the step added columns. Returns the Arrow made
    of the engine's tables for that (by name: the table and its Arrow), and how the run holds its customer table
    (:func:`_held_customers`: found while the analyses beside still run)."""
    beside: list[tuple[str, RunContext | None, Future[None] | None]] = []
    held: dict[str, tuple[ibis.Table, pa.Table]] = {}
    last = dict(ctx.tables.items())
    told = None
    prepared = [name for name, _ in analyses if name in PREPARE and not (plan is not None and plan.takes(name))
                and (name in BESIDE or name not in PREPARED_ON_ITS_CONNECTION)]
    early = {name: _start_beside(ctx, fn, name, on_table, early=True)
             for name, fn in analyses if name in BESIDE and name in prepared}
    ctx.prepared = _prepare(ctx, [name for name in prepared if name not in BESIDE])
    digests = DigestsAhead()
    try:
        for name, fn in analyses:
            if ctx.customer_table() is not told:
                told = ctx.customer_table()
                digests.add(told)
                if on_columns is not None:
                    on_columns(told)
            taken = plan is not None and plan.takes(name)
            if name in BESIDE:  # what it gives is taken in after the analyses after it (below)
                beside.append(_beside_at_turn(ctx, fn, name, taken, early, on_table))
                continue
            if taken:
                plan.restore(ctx, name)
                records[name] = plan.record(name)
                continue
            say(f"analysis: {name}")
            before = Snapshot(ctx)
            ctx.on_columns = _turn_within(name, early)
            try:
                fn(ctx)
            finally:
                ctx.on_columns = None
            records[name] = before.record(name, keys[name], ctx)
            _drop_scratch(ctx)
            if on_table is not None:
                _tell(ctx, on_table, held, last)
        if on_table is not None:  # final: the analyses beside add no customer columns (its file is made meanwhile)
            on_table("customers", ctx.customer_table())
        kept = _held_customers(ctx.workspace, plan, ctx.customer_table(), digests.known(ctx.customer_table()))
        for name, sub, done in beside:
            if sub is None:
                plan.restore(ctx, name)
                records[name] = plan.record(name)
                continue
            done.result()  # raises what went wrong there
            before = Snapshot(ctx)
            ctx.take(sub)
            records[name] = before.record(name, keys[name], ctx)
    finally:
        digests.close()
        for _, _, turn in early.values():  # a run that failed before their turn: they stop
            if not turn.done():
                turn.set_exception(RuntimeError("the run stopped before this analysis"))
        # nothing uses the workspace beside a failed run
        futures.wait([*(done for _, done, _ in early.values()), *(done for _, _, done in beside if done is not None),
                      *ctx.prepared.values()])
        ctx.prepared.clear()
    return held, kept


def _prepare(ctx: RunContext, steps: list[str]) -> dict[str, Future[Any]]:
    """Start the preparations (:data:`PREPARE`) of ``steps``, one after the other on a thread and a workspace
    connection of their own; their futures, by step, each done once the connection is closed."""
    if not steps:
        return {}
    sub = _context_beside(ctx)
    ws = sub.workspace
    done: dict[str, Future[Any]] = {name: Future() for name in steps}
    own = dict(done)  # the steps take theirs out of the dict given back, maybe before these are done

    def work() -> None:
        results: dict[str, tuple[bool, Any]] = {}
        try:
            for name in steps:
                try:
                    results[name] = (True, _prepared(sub, name))
                except BaseException as e:  # raised by the step that takes it
                    results[name] = (False, e)
        finally:
            ws.close()
            for name, fut in own.items():
                ok, value = results.get(name, (False, RuntimeError(f"the preparation of {name} did not run")))
                fut.set_result(value) if ok else fut.set_exception(value)

    threading.Thread(target=work, name="sf-prepare", daemon=True).start()
    return done


def _tell(ctx: RunContext, on_table: Callable[[str, Any], None], held: dict[str, tuple[ibis.Table, pa.Table]],
          last: dict[str, Any]) -> None:
    """Tell ``on_table`` of the run's tables that a whole step left as they were (``last``: the tables after the
    step before; updated): one a step makes, the next often replaces (the prospects, three times). An engine's
    table goes as Arrow, kept in ``held`` so that the run ends with that same Arrow. A table taken unchanged from
    the last run is not told of."""
    for name, v in ctx.tables.items():
        if last.get(name) is not v:
            continue
        if isinstance(v, ibis.Table):
            if name not in held or held[name][0] is not v:
                held[name] = (v, v.to_pyarrow())
            on_table(name, held[name][1])
        elif isinstance(v, pa.Table | Made):
            on_table(name, v)
    last.clear()
    last.update(ctx.tables.items())


def _run_tables(ctx: RunContext, held: dict[str, tuple[ibis.Table, pa.Table]],
                kept: tuple[str | dict[str, Any] | None, dict[str, str]]
                ) -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, str]]]:
    """The run's tables to store (as Arrow; an engine's table as the Arrow in ``held`` when there); those it
    holds by reference: taken unchanged from the last run, by the workspace table that holds them (of the customer
    table: the columns ``kept`` says it has unchanged); and the digests of the customer table's columns."""
    out: dict[str, Any] = {}
    shared: dict[str, Any] = {}
    for name, v in ctx.tables.items():  # as they are: a Stored table is not read here
        if isinstance(v, Stored) and v.stored_name is not None:
            shared[name] = v.stored_name
        elif isinstance(v, ibis.Table) and name in held and held[name][0] is v:
            out[name] = held[name][1]
        else:
            out[name] = v.load() if isinstance(v, Stored) else v.to_pyarrow() if isinstance(v, ibis.Table) else v
    out["customers"] = ctx.customer_table()
    customers, digests = kept
    if customers is not None:  # held whole: not stored again; in parts: the run stores its own part
        shared["customers"] = customers
    return out, shared, {"customers": digests}


def _held_customers(workspace: Workspace, plan: Reuse | None, customers: pa.Table, ahead: dict[str, str]
                    ) -> tuple[str | dict[str, Any] | None, dict[str, str]]:
    """How the run holds its customer table by reference to the last run's (:func:`held_in_parts`), and the digests
    of its columns (kept with the run; ``ahead``: those made while the table grew, :class:`DigestsAhead`). A
    re-analysis compares with the customer table it took steps from; an analysis, which takes nothing, with the
    newest run's digests: a repeated analysis of the same data computes every column again but stores none of them
    again (200,000 customers: 1 s of the store, 0.2 s to digest)."""
    last = plan.run if plan is not None else workspace.newest_run()
    known = (last.meta.get("digests") or {}).get("customers") if last is not None else None
    if plan is not None:
        held = held_in_parts(last.stored_name("customers"), plan.stored_customers(), customers)
        same = ({} if held is None or not known else known if isinstance(held, str)
                else {c: known[c] for t, cols in held["parts"] if t is not None for c in [held["key"], *cols]
                      if c in known})
        return held, column_digests(customers, ahead | same)
    digests = column_digests(customers, ahead)
    return (held_by_digests(last.stored_name("customers"), known, digests) if known else None), digests


def _data_id(engine: Engine, workspace: Workspace) -> str | None:
    """The id of the data a run on the workspace reads (its import's key), None when unknown (not on DuckDB, or
    the tables built from the lines are not those of a known import)."""
    if engine.name != "duckdb" or not all(workspace.has_table(n) for n in COMPACT):
        return None
    return workspace.import_id()


def _answers_id(workspace: Workspace) -> str:
    """A hash of the answers entered in the app (``manual_assessments``); empty without any."""
    if not workspace.has_table(MANUAL_ASSESSMENTS):
        return ""
    rows = workspace.raw.execute(f"SELECT * FROM {MANUAL_ASSESSMENTS} ORDER BY ALL").fetchall()
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest() if rows else ""


def _context_beside(ctx: RunContext) -> RunContext:
    """A context on a workspace connection of its own (:meth:`RunContext.beside`); close its workspace when done."""
    ws = ctx.workspace.beside()
    try:
        return ctx.beside(ws)
    except BaseException:
        ws.close()
        raise


def _prepared(ctx: RunContext, step: str) -> Any:
    """What the preparation of ``step`` (:data:`PREPARE`) gives, made on ``ctx``."""
    module, function = PREPARE[step]
    return getattr(importlib.import_module(module), function)(ctx)


def _beside_at_turn(ctx: RunContext, fn: Callable[[RunContext], None], name: str, taken: bool,
                    early: dict[str, tuple[RunContext, Future[None], Future[pa.Table]]],
                    on_table: Callable[[str, Any], None] | None) -> tuple[str, RunContext | None, Future[None] | None]:
    """An analysis of :data:`BESIDE` at its place in the order: one prepared meanwhile goes on from the customer
    table as it stands (unless given its turn within the step before); another starts now; one taken from the last
    run has no context (None)."""
    if name in early:
        sub, done, turn = early[name]
        if not turn.done():
            turn.set_result(ctx.customer_table())
        return name, sub, done
    return (name, None, None) if taken else (name, *_start_beside(ctx, fn, name, on_table)[:2])


def _turn_within(step: str, early: dict[str, tuple[RunContext, Future[None], Future[pa.Table]]]
                 ) -> Callable[[pa.Table], None] | None:
    """What gives the analyses waiting on columns of ``step`` (:data:`TURN_WITHIN`) their turn as soon as the
    customer table holds them; None when none waits on it."""
    waiting = [(early[later][2], getattr(importlib.import_module(module), names))
               for later, (before, module, names) in TURN_WITHIN.items() if before == step and later in early]
    if not waiting:
        return None

    def give(table: pa.Table) -> None:
        for turn, columns in waiting:
            if not turn.done() and set(columns) <= set(table.column_names):
                turn.set_result(table)

    return give


def _start_beside(ctx: RunContext, fn: Callable[[RunContext], None], name: str,
                  on_table: Callable[[str, Any], None] | None, *, early: bool = False
                  ) -> tuple[RunContext, Future[None], Future[pa.Table]]:
    """Start an analysis of :data:`BESIDE` on a thread and a workspace connection of its own; its context (with
    its tables as Arrow once done, told to ``on_table``: the connection and its temporary tables go), its future,
    and its turn. A table it makes in the workspace is told at once (:meth:`RunContext.add_made`).

    ``early``: it is prepared first (:data:`PREPARE`), then waits for its turn: the customer table as it stands
    then, given to the turn's future (the analysis reads it, not the one it started with)."""
    sub = _context_beside(ctx)
    ws = sub.workspace
    sub.on_made = on_table
    turn: Future[pa.Table] = Future()

    def run() -> None:
        try:
            if early:
                sub.prepared[name] = _prepared(sub, name)
                sub.show(turn.result())
            fn(sub)
            sub.tables = {k: v.to_pyarrow() if isinstance(v, ibis.Table) else v for k, v in sub.tables.items()}
            for k, v in sub.tables.items():
                if on_table is not None and isinstance(v, pa.Table | Made):
                    on_table(k, v)
        finally:
            ws.close()

    side = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sf-{name}")
    try:
        return sub, side.submit(run), turn
    finally:
        side.shutdown(wait=False)  # its thread ends after the analysis


def _drop_scratch(ctx: RunContext) -> None:
    """Drop the temporary tables an analysis left that nothing in the run's context refers to.

    Analyses pass results on only through the context (its tables, customer table and data set), so a
    temporary table none of those reads is scratch: dropped as each analysis ends, DuckDB holds (or spills)
    one analysis's scratch at a time, not all of them. Nothing is dropped when an expression of the
    context is raw SQL, whose tables cannot be seen.
    """
    tables = [t for t in ctx.tables.values() if isinstance(t, ibis.Table)]
    keep: set[str] = set()
    for e in (ctx.customers, *ctx.dataset.tables.values(), *tables):
        op = e.op()
        if op.find((ops.SQLQueryResult, ops.SQLStringView)):
            return
        keep |= {node.name for node in op.find(ops.DatabaseTable)}
    _drop_temporary(ctx.workspace, keep)


def _release(workspace: Workspace) -> None:
    """Free what the analyses held once the run's tables are Arrow: the customer table's view and every
    temporary table."""
    workspace.raw.unregister(CUSTOMERS_VIEW)
    _drop_temporary(workspace)


def _drop_temporary(workspace: Workspace, keep: set[str] | frozenset[str] = frozenset()) -> None:
    raw = workspace.raw
    for (name,) in raw.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall():
        if name not in keep:
            raw.execute(f'DROP TABLE IF EXISTS temp.main."{name}"')


# ------------------------------------------------------------------------------------------------ re-analysis
MANUAL_ASSESSMENTS = "manual_assessments"
"""Workspace table of answers entered in the app: one row per customer, a NULL cell leaves the import's."""


def merge_manual_assessments(imported: ibis.Table | None, manual: ibis.Table, as_of: dt.date) -> ibis.Table:
    """The assessments the analyses read: the imported rows with the app's answers laid over them.

    For a customer with a manual value of a field, that field is blanked in its imported rows and the
    manual value comes as one extra row dated ``as_of``, so "the latest non-empty answer" is the manual one
    wherever it is given and the imported one elsewhere (also for ``latest_potential``'s as-of filter).
    """
    from salesfocus.segments.criteria import ASSESSMENT_FIELDS

    fields = [f for f in ASSESSMENT_FIELDS if f in manual.columns]
    m = manual.filter(manual.customer_id.notnull()).select(
        "customer_id", *[manual[f].name(f"_m_{f}") for f in fields])
    if imported is None:
        return m.select("customer_id", assessment_date=ibis.literal(as_of, "date"),
                        **{f: m[f"_m_{f}"] for f in fields})
    imp = imported
    j = imp.left_join(m, "customer_id").drop("customer_id_right")
    blank = {f: ibis.ifelse(j[f"_m_{f}"].notnull(), ibis.null(imp[f].type()), j[f])
             for f in fields if f in imp.columns}
    kept = j.mutate(**blank).select(*imp.columns)
    extra = {}
    for c in imp.columns:
        if c == "customer_id":
            extra[c] = m.customer_id.cast(imp[c].type())
        elif c == "assessment_date":
            extra[c] = ibis.literal(as_of).cast(imp[c].type())
        elif c in fields:
            extra[c] = m[f"_m_{c}"].cast(imp[c].type())
        else:
            extra[c] = ibis.null(imp[c].type())
    return kept.union(m.select(**extra))


def _with_manual_assessments(workspace: Workspace, ds: Dataset) -> Dataset:
    """The data set with the app's answers (table ``manual_assessments``) merged over the assessments."""
    if not workspace.has_table(MANUAL_ASSESSMENTS):
        return ds
    manual = workspace.table(MANUAL_ASSESSMENTS)
    if not manual.count().to_pyarrow().as_py():
        return ds
    merged = merge_manual_assessments(ds.tables.get("assessments"), manual, ds.as_of)
    workspace.write("_sf_assessments", merged, temp=True)
    tables = {**ds.tables, "assessments": workspace.table("_sf_assessments")}
    return Dataset(tables, ds.as_of, ds.missing_notes, ds._has_cost)


def reanalyze(workspace: Workspace, config: Config, *, as_of: dt.date | None = None,
              progress: Callable[[str], None] | None = None, args: dict[str, Any] | None = None,
              reuse: bool = True) -> Run:
    """Run stage 1 and every analysis again on the tables the workspace holds (no import); store a new run.

    The app calls this after a change of settings (``config``) or of the answers in ``manual_assessments``.
    The import figures (rows read, accepted, rejected, sources) and the rejected rows are those of the last
    import. Mirrors :func:`analyze` from stage 1 on.

    ``reuse``: the steps that no change touched (the same data, analysis date, code, and the settings and answers
    they read: :mod:`salesfocus.model.provenance`) are taken from the last run instead of computed again, so a
    change of the targeting weights computes targeting only. False computes every step.

    Raises
    ------
    InputError
        When the workspace holds no order lines (import them with ``salesfocus analyze`` first).
    """
    say = progress or (lambda _m: None)
    fingerprint_soon()
    if not workspace.has_table("order_lines"):
        raise InputError(f"workspace {workspace.path} holds no order lines: run `salesfocus analyze` first")
    tables = _stored_tables(workspace)
    ol = tables["order_lines"]
    span = ol.aggregate(lo=ol.order_date.min(), hi=ol.order_date.max(), n=ol.count()).to_pyarrow().to_pylist()[0]
    if not span["n"]:
        raise InputError("the workspace holds no order lines: import them with `salesfocus analyze` first")
    as_of = as_of or (dt.date.fromisoformat(config.as_of) if config.as_of else span["hi"])
    last = workspace.load_run() if workspace.runs() else None
    previous = last.meta.get("summary", {}) if last is not None else {}
    rejected = workspace.table("rejected") if workspace.has_table("rejected") else None
    n_rejected = rejected.row.nunique().to_pyarrow().as_py() if rejected is not None else 0
    imported = {"rows_read": previous.get("rows_read", int(span["n"]) + n_rejected),
                "rows_accepted": previous.get("rows_accepted", int(span["n"])),
                "rows_rejected": previous.get("rows_rejected", n_rejected),
                "sources": previous.get("sources", [])}
    return _run(DuckDBEngine(workspace), workspace, tables, config, as_of=as_of, imported=imported,
                rejected=rejected, say=say, args={"reanalyze": True, **(args or {})}, reuse_fits=True,
                last=last if reuse else None)
