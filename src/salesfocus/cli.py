"""The command line: thin commands over the library, one place that turns errors into exit codes.

Exit codes: 0 success (rejected rows are reported and saved, not an error); 2 bad input, config or
usage, with one readable message on stderr; 1 an unexpected internal error (a bug; ``--debug`` shows it).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import gc
import importlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from salesfocus.errors import InputError, SalesfocusError

app = typer.Typer(
    name="salesfocus",
    help="Which customers earn you money, which cost you money, and where sales should spend its time.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)
_state = {"debug": False}

DataArg = Annotated[list[str], typer.Argument(help="Exports: PATH or TABLE=PATH (customers=klanten.xlsx); a URL "
                                                   "postgresql://user@host/db?table=NAME works too.")]
MappingOpt = Annotated[Path | None, typer.Option("--mapping", "-m", help="Column-mapping TOML file.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Config TOML file (rates, thresholds).")]
WorkspaceOpt = Annotated[Path | None, typer.Option("--workspace", "-w", help="Workspace DuckDB file.")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Language of labels: en or nl.")]


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False):
    _state["debug"] = debug


@contextmanager
def _progress():
    """A Rich spinner with the current step on stderr; the callback updates it."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  transient=True) as p:
        task = p.add_task("starting", total=None)
        yield lambda msg: p.update(task, description=msg)


def _config(path: Path | None, lang: str | None):
    from salesfocus.config import load_config

    cfg = load_config(path)
    if lang:
        if lang not in ("en", "nl"):
            raise InputError(f"--lang {lang!r}: use en or nl")
        cfg.lang = lang
    return cfg


def _engine(name: str, workspace):
    from salesfocus.io.importer import DuckDBEngine, SparkEngine

    if name == "duckdb":
        return DuckDBEngine(workspace)
    if name == "spark":
        return SparkEngine("local[2]")
    if name.startswith("spark://") or name.startswith("local["):
        return SparkEngine(name)
    raise InputError(f"--engine {name!r}: use duckdb, spark (local) or spark://HOST:PORT")


def _print_import(summary: dict) -> None:
    t = Table(title="Import", show_edge=False)
    for c in ("table", "file", "read", "accepted", "rejected"):
        t.add_column(c, justify="right" if c in ("read", "accepted", "rejected") else "left")
    for s in summary.get("sources", []):
        file = s["file"] + (" (unchanged: the workspace's import)" if s.get("reused") else "")
        t.add_row(s["table"], file, *(("imported before", "", "") if s["skipped"] else
                                           (f"{s['rows_read']:,}", f"{s['rows_accepted']:,}",
                                            f"{s['rows_rejected']:,}")))
    err.print(t)
    err.print(f"rows read {summary['rows_read']:,} = accepted {summary['rows_accepted']:,} "
              f"+ rejected {summary['rows_rejected']:,}")


def _run_analysis(data: list[str], out_dir: Path, mapping: Path | None, config: Path | None, lang: str | None,
                  workspace: Path | None, engine: str, as_of: str | None, period: str | None = None) -> Path:
    from salesfocus import soon

    ws_path = workspace or Path("salesfocus.duckdb")
    if engine == "duckdb":  # the import key (is this the import the workspace holds?), made while the rest imports
        for d in data:  # PATH or TABLE=PATH: whichever is a file
            for path in (d, d.partition("=")[2]):
                soon.hash_soon(path)
    soon.open_database_soon(ws_path)  # the workspace's catalogue is read meanwhile too
    try:
        return _analysis(data, out_dir, mapping, config, lang, ws_path, engine, as_of, period)
    finally:
        soon.drop_database(ws_path)  # when the command stopped before it used the workspace


def _analysis(data: list[str], out_dir: Path, mapping: Path | None, config: Path | None, lang: str | None,
              ws_path: Path, engine: str, as_of: str | None, period: str | None) -> Path:
    from salesfocus import pipeline
    from salesfocus.io.mapping import load_mapping
    from salesfocus.io.readers import parse_data_arg
    from salesfocus.workspace import Workspace

    sources = [parse_data_arg(d) for d in data]

    # the views' libraries (pandas, xlsxwriter: about 0.25 s) load on a thread, mostly while the engine imports or
    # measures with the interpreter free; the outputs wait for them if they are not there yet. Started after the
    # modules both threads need are loaded: two threads importing one package can each wait for the other
    threading.Thread(target=_load, args=("salesfocus.report",), name="sf-load-views", daemon=True).start()

    cfg = _config(config, lang)
    if period is not None:
        if period not in ("year", "quarter", "month"):
            raise InputError(f"--period {period!r}: use year, quarter or month")
        cfg.periods.period = period
    maps = load_mapping(mapping)
    for s in sources:
        if s.table in maps and s.table:
            s.options = {**maps[s.table].options, **s.options}
    day = _date(as_of) if as_of else None
    t0 = time.perf_counter()
    ahead = _WriteAhead(out_dir)
    with _settled_heap(), Workspace(ws_path) as ws, contextlib.closing(ahead):
        ws.con  # noqa: B018 - the engine's Ibis backend loads while the sources are still being hashed
        eng = _engine(engine, ws)
        with _progress() as say:
            run = pipeline.analyze(eng, ws, sources, maps, cfg, as_of=day, progress=say,
                                   args={"data": data, "engine": engine, "as_of": as_of}, on_table=ahead,
                                   on_columns=ahead.columns)
            say("writing outputs")
            from salesfocus.report import write_all

            write_all(run, out_dir, cfg.lang, ahead=ahead.files)
        if hasattr(eng, "stop"):
            eng.stop()
        _print_import(run.meta["summary"])
        for n in run.meta["summary"].get("notes", []):
            err.print(f"[yellow]note:[/] {n}")
    err.print(f"run {run.run_id} stored in {ws.path}; {time.perf_counter() - t0:.1f} s")
    return out_dir


AHEAD_MAX_CUSTOMERS = 500_000
"""The customer table's file is written during the run (beside the analysis that runs beside the others) up to this
many customers; above it after the run, when the analyses' memory is free again (50M order lines, a million
customers: 3.90 GiB at the peak written during the run, where the goal is 4)."""


class _WriteAhead:
    """The CSV files of a run's tables, written as the analysis gives them (``report.outputs.CsvAhead``), made at
    the first table: the views' libraries load on a thread until then. ``close``: the files not taken go (all of
    them when the run failed)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files = None
        self._lock = threading.Lock()

    def __call__(self, name: str, table: object) -> None:
        if name == "customers" and getattr(table, "num_rows", 0) > AHEAD_MAX_CUSTOMERS:
            return
        self._files().add(name, table)

    def columns(self, customers: object) -> None:
        """The customer table as it stands: its columns are formatted ahead of its file."""
        if getattr(customers, "num_rows", 0) <= AHEAD_MAX_CUSTOMERS:
            self._files().format_ahead("customers", customers)

    def _files(self):
        with self._lock:  # the analyses beside give tables too
            if self.files is None:
                from salesfocus.report.outputs import CsvAhead

                self.files = CsvAhead(self.out)
            return self.files

    def close(self) -> None:
        if self.files is not None:
            self.files.close()


def _load(module: str) -> None:
    """Import a module on a thread; a failure is left to the import that needs it, which raises it."""
    with contextlib.suppress(Exception):
        importlib.import_module(module)


GC_THRESHOLD = (10_000, 20, 100)
"""The cycle collector's thresholds during a run (Python's: 700, 10, 10). An analysis makes hundreds of thousands
of small short-lived objects (expression nodes, cells); collected as often as Python's defaults say, they cost about
a second of a 10M-line run, two thirds of it in full collections."""


@contextmanager
def _settled_heap() -> Iterator[None]:
    """The cycle collector tuned for a run: what exists before it (the imported modules and classes: they live as
    long as the process) is left out of its collections (``gc.freeze``), and collections come less often. Memory
    is still freed by reference counting as usual; both are undone after the run."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise InputError(f"--as-of {s!r}: give a date as yyyy-mm-dd") from None


@app.command()
def analyze(
    data: DataArg,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path("salesfocus-output"),
    mapping: MappingOpt = None,
    config: ConfigOpt = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = None,
    engine: Annotated[str, typer.Option(help="duckdb (default), spark (local) or spark://HOST:PORT.")] = "duckdb",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Analysis date yyyy-mm-dd (default: last order).")]
    = None,
    period: Annotated[str | None, typer.Option("--period", help="Periods of the over-time results: year "
                                               "(default), quarter or month.")] = None,
) -> None:
    """Import the exports and run every analysis; write customers.csv, summary.json, rejected.csv and more."""
    _run_analysis(data, out_dir, mapping, config, lang, workspace, engine, as_of, period)
    out.print(f"outputs in {out_dir.resolve()}")


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo data and outputs.")]
    = Path("demo-output"),
    customers: Annotated[int, typer.Option(help="Number of customers.", min=10)] = 500,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 42,
    lines: Annotated[int | None, typer.Option(help="Target number of order lines (default ~50 per customer).")]
    = None,
    config: ConfigOpt = None,
    lang: LangOpt = None,
    engine: Annotated[str, typer.Option(help="duckdb (default), spark (local) or spark://HOST:PORT.")] = "duckdb",
) -> None:
    """Generate a fictional Dutch/Belgian wholesaler and run the full analysis on it."""
    from salesfocus.demo import generate_demo

    with _progress() as say:
        say(f"generating demo data: {customers:,} customers")
        d = generate_demo(out_dir / "data", customers=customers, seed=seed, lines=lines)
    data = [f"{t}={p}" for t, p in d.paths.items()]
    _run_analysis(data, out_dir, None, config, lang, out_dir / "salesfocus.duckdb", engine, None)
    out.print(f"demo data in {(out_dir / 'data').resolve()}")
    out.print(f"outputs in {out_dir.resolve()}")


@app.command("import")
def import_(
    data: DataArg,
    mapping: MappingOpt = None,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add exports to the workspace (a file imported before adds nothing)."""
    from salesfocus.io.importer import DuckDBEngine, import_sources
    from salesfocus.io.mapping import load_mapping
    from salesfocus.io.readers import parse_data_arg
    from salesfocus.workspace import Workspace

    cfg = _config(config, None)
    with Workspace(workspace or Path("salesfocus.duckdb")) as ws, _progress() as say:
        rep = import_sources(DuckDBEngine(ws), [parse_data_arg(d) for d in data], load_mapping(mapping), cfg,
                             mode="append", progress=say)
    _print_import({"sources": [vars(s) for s in rep.sources], "rows_read": rep.rows_read,
                   "rows_accepted": rep.rows_accepted, "rows_rejected": rep.rows_rejected})
    out.print(f"workspace {ws.path}")


@app.command()
def validate(
    data: DataArg,
    mapping: MappingOpt = None,
    config: ConfigOpt = None,
    rejected: Annotated[Path | None, typer.Option(help="Write the rejected rows to this CSV.")] = None,
) -> None:
    """Check exports without storing them: counts, and every rejected row with its reason."""
    from salesfocus.io.importer import DuckDBEngine, import_sources
    from salesfocus.io.mapping import load_mapping
    from salesfocus.io.readers import parse_data_arg
    from salesfocus.report.outputs import write_table_csv
    from salesfocus.workspace import Workspace

    cfg = _config(config, None)
    with Workspace(None) as ws:
        with _progress() as say:
            rep = import_sources(DuckDBEngine(ws), [parse_data_arg(d) for d in data], load_mapping(mapping), cfg,
                                 mode="replace", progress=say)
        _print_import({"sources": [vars(s) for s in rep.sources], "rows_read": rep.rows_read,
                       "rows_accepted": rep.rows_accepted, "rows_rejected": rep.rows_rejected})
        if rep.rejected is not None:
            rows = rep.rejected.order_by(["table", "file", "row"]).to_pyarrow()
            t = Table(title=f"Rejected ({rows.num_rows:,} problems)", show_edge=False)
            for c in rows.column_names:
                t.add_column(c)
            for r in rows.slice(0, 50).to_pylist():
                t.add_row(*(str(r[c]) if r[c] is not None else "" for c in rows.column_names))
            out.print(t)
            if rejected:
                write_table_csv(rows, rejected)
                out.print(f"rejected rows in {rejected}")


@app.command()
def report(
    workspace: WorkspaceOpt = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path("salesfocus-output"),
    run_id: Annotated[int | None, typer.Option("--run", help="Run number (default: the latest).")] = None,
    lang: LangOpt = None,
) -> None:
    """Render the outputs again from a stored run (nothing is recomputed)."""
    from salesfocus.report import write_all
    from salesfocus.workspace import Workspace

    path = workspace or Path("salesfocus.duckdb")
    if not path.exists():
        raise InputError(f"workspace {path} not found: run `salesfocus analyze` first or pass --workspace")
    with Workspace(path) as ws:
        run = ws.load_run(run_id)
        write_all(run, out_dir, lang)
    out.print(f"outputs of run {run.run_id} in {out_dir.resolve()}")


@app.command("app")
def app_(
    workspace: WorkspaceOpt = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to bind; the default keeps the app on this machine.")]
    = "127.0.0.1",
    lang: LangOpt = None,
    max_upload_mb: Annotated[int, typer.Option(help="Largest upload in MB.")] = 1024,
) -> None:
    """Start the web app (local only, no usage statistics); without --workspace it opens on demo data."""
    from salesfocus.app import launch

    if workspace is not None and not workspace.exists():
        raise InputError(f"workspace {workspace} not found: run `salesfocus analyze` first or leave --workspace out")
    err.print(f"salesfocus app on http://{host}:{port} (Ctrl+C stops it)")
    raise typer.Exit(launch(workspace, port=port, host=host, max_upload_mb=max_upload_mb, lang=lang or "en"))


@app.command("config")
def config_(
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")]
    = None,
) -> None:
    """Print a config file with every key at its default and what it means."""
    from salesfocus.config_template import default_toml

    text = default_toml()
    if out_file:
        out_file.write_text(text, encoding="utf-8")
        out.print(f"config written to {out_file}")
    else:
        sys.stdout.write(text)


ARROW_MEMORY_POOL = "jemalloc"
"""Arrow's allocator in a command (its Linux wheels have it): mimalloc, Arrow's default, hands freed pages back to
the system so eagerly that the next tables fault them in again (a repeated 10M-line ``analyze``: 3.5 -> 2.4 s of
system time, 0.25 s sooner, a lower peak)."""


def main() -> None:
    """Entry point with the one error-to-exit-code map.

    The process then ends without tearing the interpreter down object by object: after a run that freeing took
    0.6–1 s (10M order lines). Files and the workspace are closed by then; exit handlers (temporary files) run.
    """
    if sys.platform == "linux":  # before pyarrow loads; an ARROW_DEFAULT_MEMORY_POOL set by the user stays
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", ARROW_MEMORY_POOL)
    code = _main()
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def _main() -> int:
    try:
        # without standalone mode an Exit (the app's exit code; 130 after Ctrl-C) comes back as the return value
        code = app(standalone_mode=False)
    except SalesfocusError as e:
        err.print(f"[red]error:[/] {e}", highlight=False, soft_wrap=True)
        if _state["debug"]:
            err.print_exception()
        return e.exit_code
    except typer.Abort:
        err.print("aborted")
        return 1
    except Exception as e:
        if hasattr(e, "show") and isinstance(getattr(e, "exit_code", None), int):  # usage errors: exit 2
            e.show()
            return e.exit_code
        err.print(f"[red]internal error (a bug, please report it):[/] {type(e).__name__}: {e}")
        if _state["debug"]:
            err.print_exception()
        else:
            err.print("run again with --debug for the traceback")
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    main()
