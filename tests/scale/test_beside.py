"""Analyses of ``pipeline.BESIDE`` run on a thread and a DuckDB connection of their own, beside the analyses after
them: the run is the same as one after the other (every table, figure and note, in the same order)."""

from __future__ import annotations

import datetime as dt
import importlib

import pyarrow as pa
import pytest

from salesfocus import pipeline
from salesfocus.config import Config
from salesfocus.io.importer import DuckDBEngine
from salesfocus.io.readers import parse_data_arg
from salesfocus.model import Dataset, RunContext
from salesfocus.workspace import Workspace
from tests.helpers import assert_close, made_tables


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    demo = pytest.importorskip("salesfocus.demo")
    return demo.generate_demo(tmp_path_factory.mktemp("demo"), customers=600, seed=5)


def _run(demo, beside: bool) -> tuple[dict, dict]:
    mp = pytest.MonkeyPatch()
    if not beside:  # one after the other, those of BESIDE last: the order their results are taken in
        analyses, later = pipeline._analyses(), pipeline.BESIDE
        mp.setattr(pipeline, "_analyses", lambda: [a for a in analyses if a[0] not in later]
                   + [a for a in analyses if a[0] in later])
        mp.setattr(pipeline, "BESIDE", frozenset())
    try:
        with Workspace(None) as ws:
            run = pipeline.analyze(DuckDBEngine(ws), ws, [parse_data_arg(f"{t}={p}") for t, p in demo.paths.items()],
                                   {}, Config())
            return {n: run.table(n) for n in run.tables}, run.meta["summary"]
    finally:
        mp.undo()


def test_a_run_with_analyses_beside_is_the_run_one_after_the_other(demo):
    assert "periods" in pipeline.BESIDE
    side, side_summary = _run(demo, True)
    seq, seq_summary = _run(demo, False)
    assert list(side) == list(seq)
    for name in seq:
        assert side[name].schema == seq[name].schema, name
        assert_close(side[name].to_pydict(), seq[name].to_pydict(), name)
    assert_close(side_summary, seq_summary)  # the notes and figures in the same order too
    assert any(n.startswith("periods:") for n in side_summary["notes"])


def test_a_context_beside_sees_the_stored_tables_and_gives_back_what_it_added():
    with Workspace(None) as ws:
        ws.write("orders", pa.table({"customer_id": ["A", "B"], "revenue": [1.0, 2.0]}))
        ws.write("scratch", pa.table({"x": [1]}), temp=True)
        ds = Dataset({"orders": ws.table("orders"), "scratch": ws.table("scratch")}, dt.date(2024, 1, 1))
        ctx = RunContext.start(ws, Config(), ds, pa.table({"customer_id": ["B", "A"], "revenue": [2.0, 1.0]}))
        ctx.summary.update(engine="duckdb", customers=2)
        ctx.note("first")
        other = ws.beside()
        try:
            sub = ctx.beside(other)
            assert set(sub.dataset.tables) == {"orders"}  # a temporary table of the other connection is not there
            assert sub.customers.order_by("customer_id").revenue.to_pyarrow().to_pylist() == [1.0, 2.0]
            assert sub.dataset.tables["orders"].revenue.sum().to_pyarrow().as_py() == 3.0
            sub.tables["extra"] = pa.table({"n": [1]})
            sub.summary["extra"] = {"n": 1}
            sub.note("first")
            sub.note("second")
            ctx.summary["later"] = 1  # what ran meanwhile comes first
            ctx.note("meanwhile")
        finally:
            other.close()
        ctx.take(sub)
        assert list(ctx.summary) == ["engine", "customers", "later", "extra"]
        assert ctx.notes == ["first", "meanwhile", "second"]
        assert ctx.tables["extra"].to_pylist() == [{"n": 1}]
        assert ws.has_table("scratch")  # the other connection's end leaves this one's temporary tables


def test_periods_runs_beside_targeting_after_the_segments_it_reads():
    names = [n for n, _ in pipeline._analyses()]
    assert names.index("segments") < names.index("periods") < names.index("targeting")
    assert sorted(pipeline.BESIDE) == ["periods"]  # targeting adds customer columns: it cannot run beside


def test_periods_is_prepared_while_the_steps_before_it_run_and_reads_the_customers_of_its_turn(demo, monkeypatch):
    """The periods' figures are made on periods' own thread while the steps before it run (the customer table has
    no segments yet); periods then reads the customer table as it stands at its turn. A run that fails before that
    turn raises its own error, and the prepared analysis stops."""
    import threading

    periods = importlib.import_module("salesfocus.periods.run")
    seen: list[tuple[str, str, bool]] = []
    real_prepare, real_segments = periods.prepare, periods._segments

    def prepare(ctx):
        seen.append(("prepare", threading.current_thread().name, "abc_segment" in ctx.customers.columns))
        return real_prepare(ctx)

    def segments(ctx, *args):
        seen.append(("run", threading.current_thread().name, "abc_segment" in ctx.customers.columns))
        return real_segments(ctx, *args)

    monkeypatch.setattr(importlib.import_module("salesfocus.periods"), "prepare", prepare)  # what PREPARE names
    monkeypatch.setattr(periods, "_segments", segments)
    sources = [parse_data_arg(f"{t}={p}") for t, p in demo.paths.items()]
    with Workspace(None) as ws:
        pipeline.analyze(DuckDBEngine(ws), ws, sources, {}, Config())
    assert [(step, has) for step, _, has in seen] == [("prepare", False), ("run", True)]
    assert seen[0][1] == seen[1][1] != threading.main_thread().name

    profit = importlib.import_module("salesfocus.profit")  # the step is the package's run

    def broken(*args, **kwargs):
        raise RuntimeError("profit broke")

    monkeypatch.setattr(profit, "run", broken)
    seen.clear()
    with Workspace(None) as ws, pytest.raises(RuntimeError, match="profit broke"):
        pipeline.analyze(DuckDBEngine(ws), ws, sources, {}, Config())
    assert [step for step, _, _ in seen] in ([], ["prepare"])  # never run


def test_periods_goes_on_as_soon_as_segments_has_added_the_columns_it_reads(demo, monkeypatch):
    """Periods' turn comes within segments, once the customer table holds the A/B/C potential and yes answers:
    segments' end (its summary) waits here until periods has started on them, which it never would if periods
    waited for segments to end. The run is the one that takes periods after segments (the test above)."""
    import threading

    periods = importlib.import_module("salesfocus.periods.run")
    segments = importlib.import_module("salesfocus.segments.run")
    started = threading.Event()
    real_periods, real_summary = periods._segments, segments._summary

    def periods_segments(ctx, *args):
        started.set()
        assert set(importlib.import_module("salesfocus.periods.activity").SEGMENT_INPUTS) <= set(ctx.customers.columns)
        return real_periods(ctx, *args)

    def summary(*args, **kwargs):
        assert started.wait(60), "periods did not start before segments ended"
        return real_summary(*args, **kwargs)

    monkeypatch.setattr(periods, "_segments", periods_segments)
    monkeypatch.setattr(segments, "_summary", summary)
    with Workspace(None) as ws:
        run = pipeline.analyze(DuckDBEngine(ws), ws, [parse_data_arg(f"{t}={p}") for t, p in demo.paths.items()],
                               {}, Config())
        assert {"migration_customers", "customer_periods"} <= set(run.tables)


def test_prediction_is_fitted_beside_the_steps_before_it_as_the_step_fits_it(demo, monkeypatch):
    """Prediction's history, model fits and backtest are made by its preparation, on the preparations' thread; the
    run is the one whose step makes them itself (every table, figure and note). A step that takes its preparation
    before it is done waits for it."""
    import threading

    pr = importlib.import_module("salesfocus.predict.run")
    real_fitted, real_run = pr._fitted, pr.run
    where: list[str] = []
    started = threading.Event()

    def fitted(ctx):
        where.append(threading.current_thread().name)
        assert started.wait(60)  # done only after the step has taken it
        return real_fitted(ctx)

    def run(ctx):
        started.set()
        return real_run(ctx)

    monkeypatch.setattr(pr, "_fitted", fitted)
    monkeypatch.setattr(pr, "run", run)
    got: list[tuple[dict, dict]] = []
    worker = threading.Thread(target=lambda: got.append(_run(demo, True)), daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "the step waits for a preparation that is never given"
    assert where == ["sf-prepare"]
    where.clear()
    monkeypatch.setattr(pipeline, "PREPARE", {k: v for k, v in pipeline.PREPARE.items() if k != "prediction"})
    tables, summary = _run(demo, True)
    assert where == [threading.main_thread().name]
    assert list(got[0][0]) == list(tables)
    for name in tables:
        assert_close(got[0][0][name].to_pydict(), tables[name].to_pydict(), name)
    assert_close(got[0][1], summary)
    assert summary["prediction"]["model"] and summary["prediction"]["backtest"]


def test_a_run_that_fails_leaves_none_of_the_tables_made_for_it(demo, monkeypatch):
    """Stage 1 and periods write their per customer and year or period tables into the workspace as they go; a run
    that fails after that drops them, and a run that ends holds its own by reference."""
    periods = importlib.import_module("salesfocus.periods.run")  # the package's ``run`` is the function

    def broken(*args, **kwargs):
        raise RuntimeError("periods broke")

    sources = [parse_data_arg(f"{t}={p}") for t, p in demo.paths.items()]
    with Workspace(None) as ws:
        monkeypatch.setattr(periods, "_summary", broken)
        with pytest.raises(RuntimeError, match="periods broke"):
            pipeline.analyze(DuckDBEngine(ws), ws, sources, {}, Config())
        assert made_tables(ws) == set()
        monkeypatch.undo()
        run = pipeline.analyze(DuckDBEngine(ws), ws, sources, {}, Config())
        held = {run.stored_name(n) for n in ("customer_years", "customer_periods", "migration_customers")}
        assert made_tables(ws) == held and len(held) == 3
        assert run.table("migration_customers").num_rows > 0


def test_views_are_told_of_the_customer_table_when_final_and_of_a_made_table_when_made(demo, monkeypatch):
    """``on_table`` (the CLI writes each CSV file as it is told) hears of the customer table once, when the last
    analysis that adds customer columns is done, as the very table the run stores; of a table the analysis beside
    makes in the workspace as soon as it is made, before the tables that analysis gives when it ends."""
    from salesfocus.model.context import Made

    told: list[tuple[str, object]] = []
    periods = importlib.import_module("salesfocus.periods.run")
    real_summary = periods._summary

    def summary(*args, **kwargs):  # the last thing periods does: what was told of before it ends
        told.append(("periods ends", None))
        return real_summary(*args, **kwargs)

    monkeypatch.setattr(periods, "_summary", summary)
    sources = [parse_data_arg(f"{t}={p}") for t, p in demo.paths.items()]
    with Workspace(None) as ws:
        run = pipeline.analyze(DuckDBEngine(ws), ws, sources, {}, Config(),
                               on_table=lambda name, table: told.append((name, table)))
        names = [n for n, _ in told]
        assert names.count("customers") == 1
        customers = next(t for n, t in told if n == "customers")
        assert customers is run.saved["customers"]  # the file written of it is the run's: taken, not written again
        for name in ("customer_periods", "migration_customers"):
            first = next(t for n, t in told if n == name)
            assert isinstance(first, Made) and first.stored_name == run.stored_name(name)
            assert names.index(name) < names.index("periods ends") < names.index("retention")
