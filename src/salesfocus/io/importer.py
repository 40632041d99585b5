"""Import: sources -> validated canonical tables on the engine, rejected rows kept with their reasons.

On DuckDB the tables land in the workspace file in one transaction (an interrupted import leaves the
previous state intact); a source whose content was imported before adds nothing. On Spark the
canonical tables stay on the cluster and only the small results travel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import ibis

from salesfocus.config import Config
from salesfocus.errors import InputError
from salesfocus.io.mapping import TableMapping
from salesfocus.io.readers import ROW, Source, distinguish, open_source, release, resolve_table
from salesfocus.io.schemas import DERIVED_TABLES, SCHEMAS
from salesfocus.io.validate import REJECTED_COLUMNS, Checked, check_table
from salesfocus.workspace import Workspace

__all__ = ["Engine", "DuckDBEngine", "SparkEngine", "ImportReport", "SourceReport", "import_sources"]

FILE = "_file"


class Engine:
    """Where the data lives and the expressions run."""

    name = "engine"
    con: ibis.BaseBackend

    def materialize(self, name: str, expr: ibis.Table) -> ibis.Table:
        raise NotImplementedError

    def table(self, name: str) -> ibis.Table | None:
        raise NotImplementedError


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    @property
    def con(self) -> ibis.BaseBackend:
        return self.workspace.con

    def materialize(self, name: str, expr: ibis.Table) -> ibis.Table:
        self.workspace.write(name, expr, temp=True)
        return self.con.table(name)

    def table(self, name: str) -> ibis.Table | None:
        return self.workspace.table(name) if self.workspace.has_table(name) else None


def _fix_spark_strip() -> None:
    """Make ``strip`` portable on Spark.

    Ibis compiles ``strip()`` to ``TRIM(' \\t\\n\\r\\v\\f' FROM s)``; Spark reads the unknown escapes ``\\v`` and
    ``\\f`` as the letters v and f and trims those too ("field" -> "ield", "visit" -> "isit").
    """
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    def strip(self, op, *, arg):
        return self.f.regexp_replace(arg, r"^\s+|\s+$", "")

    def lstrip(self, op, *, arg):
        return self.f.regexp_replace(arg, r"^\s+", "")

    def rstrip(self, op, *, arg):
        return self.f.regexp_replace(arg, r"\s+$", "")

    PySparkCompiler.visit_Strip, PySparkCompiler.visit_LStrip, PySparkCompiler.visit_RStrip = strip, lstrip, rstrip


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, master: str = "local[2]"):
        self.master = master
        self._con = None
        self.tables: dict[str, ibis.Table] = {}

    @property
    def con(self) -> ibis.BaseBackend:
        if self._con is None:
            import os

            from pyspark.sql import SparkSession

            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            b = (
                SparkSession.builder.master(self.master)
                .appName("salesfocus")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.legacy.javaCharsets", "true")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.ansi.enabled", "false")
            )
            if self.master.startswith("local"):
                b = (b.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                     .config("spark.sql.shuffle.partitions", "4"))
            _fix_spark_strip()
            self._con = ibis.pyspark.connect(b.getOrCreate())
        return self._con

    def materialize(self, name: str, expr: ibis.Table) -> ibis.Table:
        t = expr.cache()
        self.tables[name] = t
        return t

    def table(self, name: str) -> ibis.Table | None:
        return self.tables.get(name)

    def stop(self) -> None:
        if self._con is not None:
            self._con._session.stop()
            self._con = None


@dataclass
class SourceReport:
    table: str
    file: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    skipped: bool = False  # imported before: nothing added
    reused: bool = False  # ``analyze`` of unchanged sources: the workspace's import is used as it is
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportReport:
    sources: list[SourceReport]
    tables: dict[str, ibis.Table]
    rejected: ibis.Table | None

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sources if not s.skipped)

    @property
    def rows_accepted(self) -> int:
        return sum(s.rows_accepted for s in self.sources if not s.skipped)

    @property
    def rows_rejected(self) -> int:
        return sum(s.rows_rejected for s in self.sources if not s.skipped)


def _cross_checks(table: str, acc: ibis.Table, customers: ibis.Table | None, reject_unknown: bool,
                  anonymous: str | None = None) -> list[tuple[ibis.Table, str]]:
    """Rows rejected by checks across rows or tables: duplicate keys, unknown customers."""
    out = []
    key = SCHEMAS[table].key
    if key:
        w = ibis.window(group_by=[acc[k] for k in key], order_by=[acc["_order"], acc[ROW]])
        ranked = acc.mutate(_rn=ibis.row_number().over(w), _first=acc[ROW].first().over(w),
                            _first_file=acc[FILE].first().over(w))
        dup = ranked.filter(ranked._rn > 0).mutate(
            _column=ibis.literal(key[0]), _value=ranked[key[0]].cast("string"),
            _reason=ibis.literal(f"duplicate {key[0]}: the same key is already at row ")
            + ranked._first.cast("string") + " of " + ranked._first_file + "; keep one row per key",
        )
        out.append((dup, "dup"))
    if customers is not None and SCHEMAS[table].references_customers and reject_unknown:
        unknown = acc.anti_join(customers, "customer_id")
        if anonymous:  # the explicit anonymous customer is not in any customer master
            unknown = unknown.filter(unknown.customer_id != anonymous)
        unknown = unknown.mutate(
            _column=ibis.literal("customer_id"), _value=unknown.customer_id,
            _reason=ibis.literal("customer_id not found in the customers table; add the customer there or set "
                                 "[import] reject_unknown_customers = false"),
        )
        out.append((unknown, "unknown"))
    return out


def _read_and_check(engine: Engine, src: Source, table: str, tm: TableMapping | None, config: Config,
                    today: dt.date | None, name: str) -> Checked:
    """Open, check and materialise one source; problems met while reading the data are input errors.

    A file is parsed only when the checks run, so errors in its body surface here, not in ``open_source``.
    DuckDB's parallel CSV reader cannot pad short rows in a file with line breaks inside quoted values;
    such a file is read again single-threaded.
    """
    try:
        raw = open_source(engine.con, src)
        chk = check_table(raw, table, tm, config.import_options, today)
        chk.expr = chk.expr.mutate(**{FILE: ibis.literal(src.label)})
        # Only the bad rows are kept apart (few); the good ones stream straight into their table later.
        # This pass reads the whole source, so problems in a file's body surface here.
        chk.bad_rows = engine.materialize(name, chk.expr.filter(chk.bad())) if chk.checks else None
        return chk
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if "not cp1252 encoded" in str(e) and not src.options.get("_transcode"):
            src.options["_transcode"] = True  # undefined bytes: decoded in Python, shown as U+FFFD
            return _read_and_check(engine, src, table, tm, config, today, name)
        if isinstance(e, InputError):
            raise
        if "parallel=false" in str(e) and src.options.get("_parallel", True):
            src.options["_parallel"] = False
            return _read_and_check(engine, src, table, tm, config, today, name)
        if src.kind == "csv" and "CSV Error" in str(e):
            raise InputError(f"{src.label}: cannot read this CSV file ({' '.join(str(e).split())[:300]}); "
                             "check that it is a text export with one header row") from None
        if src.kind == "database" and type(e).__name__ in ("IOException", "InvalidInputException", "Error"):
            raise InputError(f"{src.label}: cannot read from the database ({first})") from None
        raise


def import_sources(engine: Engine, sources: list[Source], mapping: dict[str, TableMapping], config: Config,
                   *, mode: str = "replace", today: dt.date | None = None,
                   progress: Callable[[str], None] | None = None) -> ImportReport:
    """Read, validate and store every source; return per-source counts and the canonical tables.

    ``mode='replace'`` makes the given sources the whole data set (``analyze``); ``mode='append'`` adds
    sources to what the workspace holds (``import``), skipping any source imported before.
    """
    say = progress or (lambda _msg: None)
    ws = engine.workspace if isinstance(engine, DuckDBEngine) else None
    known = set()
    if ws is not None and mode == "append" and ws.has_table("_imports"):
        known = {tuple(r) for r in ws.raw.execute("SELECT fingerprint, table_name FROM _imports").fetchall()}
    reports: list[SourceReport] = []
    checked: dict[str, list[tuple[Checked, int]]] = {}
    distinguish(sources)
    for i, src in enumerate(sources):
        table = resolve_table(src)
        tm = mapping.get(table)
        if tm:
            src.options = {**tm.options, **src.options}
        rep = SourceReport(table, src.label)
        reports.append(rep)
        fp = src.fingerprint() if ws is not None else ""
        if (fp, table) in known:
            rep.skipped = True
            say(f"{src.label}: imported before, nothing added")
            continue
        if fp:
            known.add((fp, table))  # the same file given twice in one import is read once
        say(f"reading {src.label} as {table}")
        chk = _read_and_check(engine, src, table, tm, config, today, f"_sf_checked_{i}")
        rep.mapping = chk.mapping
        checked.setdefault(table, []).append((chk, i))
        rep.fingerprint = fp  # type: ignore[attr-defined]
    if "order_lines" not in checked and (ws is None or mode == "replace" or not ws.has_table("order_lines")):
        raise InputError("no order lines given: pass an order-lines export (e.g. orders.csv or order_lines=...)")

    tables: dict[str, ibis.Table] = {}
    rejected_parts: list[ibis.Table] = []
    order = ["customers"] + [t for t in SCHEMAS if t != "customers"]
    for table in order:
        parts = checked.get(table, [])
        acc_parts = [c.accepted(c.expr).mutate(_order=ibis.literal(i))
                     for c, i in parts]
        for c, _ in parts:
            r = c.rejected(c.bad_rows) if c.bad_rows is not None else None
            if r is not None:
                rejected_parts.append(r)
        existing = engine.table(table) if (mode == "append" and ws is not None) else None
        if existing is not None:
            acc_parts.insert(0, existing.mutate(_order=ibis.literal(-1)))
        if not acc_parts:
            continue
        acc = ibis.union(*acc_parts) if len(acc_parts) > 1 else acc_parts[0]
        say(f"checking {table}")
        drops = _cross_checks(table, acc, tables.get("customers"), config.import_options.reject_unknown_customers,
                              config.import_options.anonymous_customer)
        final = acc
        for n, (bad, _kind) in enumerate(drops):
            # the rows a check rejects (few), with their reasons, found once: the rows kept and rejected.csv both
            # read them (found twice, the duplicate keys' window ran over every row twice: 2.5 s of an import of
            # 10M order lines with every demo table)
            bad = engine.materialize(f"_sf_drop_{table}_{n}", bad.select(FILE, ROW, "_column", "_value", "_reason"))
            rejected_parts.append(bad.select(
                table=ibis.literal(table), file=bad[FILE], row=bad[ROW].cast("int64"), column=bad._column,
                value=bad._value, reason=bad._reason))
            final = final.anti_join(bad.select(FILE, ROW), [FILE, ROW])
        final = final.drop("_order")
        # In a replacing import on DuckDB the final rows are written once, straight into the workspace
        # table inside the transaction (_store); elsewhere they are materialised here.
        direct = ws is not None and mode == "replace" and table != "customers"
        tables[table] = final if direct else engine.materialize(f"_sf_final_{table}", final)

    rejected = None
    if rejected_parts:
        rejected = engine.materialize("_sf_rejected", ibis.union(*rejected_parts).select(*REJECTED_COLUMNS))
    if ws is not None:
        _store(ws, reports, tables, rejected, mode, list(checked), say)
        release(engine.con)
        tables = {t: ws.table(t) for t in SCHEMAS if ws.has_table(t)}
        rejected = ws.table("rejected") if ws.has_table("rejected") else None
    else:
        _count(reports, {t: tables[t] for t in checked}, rejected)
    return ImportReport(reports, tables, rejected)


def _count(reports: list[SourceReport], tables: dict[str, ibis.Table], rejected: ibis.Table | None) -> None:
    """rows read = rows kept (in the table, by file) + rows rejected (distinct rows, by file)."""
    kept: dict[tuple[str, str], int] = {}
    for table, t in tables.items():
        for r in t.group_by(FILE).aggregate(n=t.count()).to_pyarrow().to_pylist():
            kept[(table, r[FILE])] = r["n"]
    bad: dict[tuple[str, str], int] = {}
    if rejected is not None:
        g = rejected.group_by(["table", "file"]).aggregate(n=rejected.row.nunique()).to_pyarrow().to_pylist()
        bad = {(r["table"], r["file"]): r["n"] for r in g}
    for rep in reports:
        if rep.skipped:
            continue
        rep.rows_accepted = kept.get((rep.table, rep.file), 0)
        rep.rows_rejected = bad.get((rep.table, rep.file), 0)
        rep.rows_read = rep.rows_accepted + rep.rows_rejected


def _store(ws: Workspace, reports: list[SourceReport], tables: dict[str, ibis.Table],
           rejected: ibis.Table | None, mode: str, imported: list[str], say: Callable[[str], None]) -> None:
    now = dt.datetime.now().isoformat(timespec="seconds")
    with ws.compression_disabled(), ws.transaction():
        for t in DERIVED_TABLES:
            ws.raw.execute(f'DROP TABLE IF EXISTS "{t}"')
        if mode == "replace":
            for t in [*SCHEMAS, "rejected", "_imports"]:
                ws.raw.execute(f'DROP TABLE IF EXISTS "{t}"')
        for name, expr in tables.items():
            # in a replacing import the checks run here, as the rows are written (10M order lines: seconds)
            say(f"storing {name}")
            ws.write(name, expr)
        if rejected is not None:
            if mode == "replace" or not ws.has_table("rejected"):
                ws.write("rejected", rejected)
            else:
                ws.append("rejected", rejected)
        _count(reports, {t: ws.table(t) for t in imported if ws.has_table(t)},
               ws.table("rejected") if ws.has_table("rejected") else None)
        ws.raw.execute(
            "CREATE TABLE IF NOT EXISTS _imports (fingerprint VARCHAR, table_name VARCHAR, file VARCHAR, "
            "rows_read BIGINT, rows_accepted BIGINT, rows_rejected BIGINT, imported_at VARCHAR)"
        )
        for r in reports:
            if not r.skipped:
                ws.raw.execute("INSERT INTO _imports VALUES (?, ?, ?, ?, ?, ?, ?)",
                               [getattr(r, "fingerprint", ""), r.table, r.file, r.rows_read, r.rows_accepted,
                                r.rows_rejected, now])
