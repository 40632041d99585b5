"""A re-analysis takes from the last run the steps no change touched: the run is the one every step computed again
gives, whatever the change; and each step reads no settings beyond those its key covers."""

from __future__ import annotations

import collections
import datetime as dt
import importlib
import shutil
import threading

import pyarrow as pa
import pytest

from salesfocus import pipeline
from salesfocus.config import Config
from salesfocus.io.importer import DuckDBEngine
from salesfocus.io.readers import parse_data_arg
from salesfocus.model.provenance import FORMAT, READS, Reuse, StepRecord, step_keys
from salesfocus.workspace import Workspace, column_digests
from tests.helpers import assert_close

STEPS = ["stage1", "profit", "prediction", "segments", "periods", "target_segments", "targeting"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    demo = pytest.importorskip("salesfocus.demo")
    return demo.generate_demo(tmp_path_factory.mktemp("demo"), customers=240, seed=11)


def _sources(demo):
    return [parse_data_arg(f"{t}={p}") for t, p in demo.paths.items()]


@pytest.fixture(scope="module")
def analysed(demo, tmp_path_factory):
    path = tmp_path_factory.mktemp("ws") / "ws.duckdb"
    with Workspace(path) as ws:
        pipeline.analyze(DuckDBEngine(ws), ws, _sources(demo), {}, Config())
    return path


def test_every_step_reads_only_the_settings_its_key_covers(demo, monkeypatch):
    """Every read of a section of the config during a run (and of a field of the targeting section), by the step
    that made it (stage 1 and each analysis, on its own thread too), is covered by one of that step's READS."""
    from salesfocus.config import TargetingConfig

    fields, targeting = set(Config.model_fields), set(TargetingConfig.model_fields)
    here = threading.local()
    reads: dict[str, set[str]] = collections.defaultdict(set)
    plain, plain_targeting = Config.__getattribute__, TargetingConfig.__getattribute__

    def recorded(self, name):
        if name in fields and name != "targeting":  # the section is recorded by the fields read of it
            reads[getattr(here, "step", "pipeline")].add(name)
        return plain(self, name)

    def recorded_targeting(self, name):
        if name in targeting:
            reads[getattr(here, "step", "pipeline")].add(f"targeting.{name}")
        return plain_targeting(self, name)

    def in_step(name, fn):
        def run(*args, **kwargs):
            here.step = name
            try:
                return fn(*args, **kwargs)
            finally:
                here.step = "pipeline"
        return run

    analyses = pipeline._analyses()
    monkeypatch.setattr(Config, "__getattribute__", recorded)
    monkeypatch.setattr(TargetingConfig, "__getattribute__", recorded_targeting)
    monkeypatch.setattr(pipeline, "_analyses", lambda: [(n, in_step(n, fn)) for n, fn in analyses])
    monkeypatch.setattr(pipeline, "_stage1", in_step("stage1", pipeline._stage1))
    for step, (module, function) in pipeline.PREPARE.items():  # a step's preparation reads for the step
        module = importlib.import_module(module)
        monkeypatch.setattr(module, function, in_step(step, getattr(module, function)))
    with Workspace(None) as ws:
        pipeline.analyze(DuckDBEngine(ws), ws, _sources(demo), {}, Config())
    assert set(reads) - {"pipeline"} == set(STEPS)  # the recorder saw every step
    assert list(READS) == STEPS
    def covered(read, step):
        return read in READS[step] or read.split(".")[0] in READS[step]

    assert any(r.startswith("targeting.") for r in reads["target_segments"])  # the recorder saw the fields
    for step in STEPS:
        assert {r for r in reads[step] if not covered(r, step)} == set(), step
    # the pipeline itself reads the import options, the analysis date (in the keys as a date) and the scoring file
    assert reads["pipeline"] <= {"import_options", "as_of", "keep_runs", "targeting.scores_file"}


def _changed(cfg: Config, change: str) -> Config:
    data = cfg.model_dump(mode="json", by_alias=True)
    if change == "targeting weights":
        w = data["targeting"]["attractiveness_weights"]
        first = sorted(w)[0]
        w[first] = w[first] * 3 + 1
    elif change == "goals":
        data["goals"] = [{"kind": "customer_retention", "target": 0.5}]
    elif change == "a/b/c threshold":
        data["segments"]["abc"]["high_share"] = 0.6
    elif change == "prediction horizon":
        data["prediction"]["horizon_months"] = 6
    elif change == "pyramid":
        data["pyramid"]["basis"] = "net_profit"
    elif change == "cost per order":
        data["cost_rates"]["per_order"] = 60.0
    elif change == "language":
        data["lang"] = "nl"
    elif change == "analysis date":
        data["as_of"] = "2025-06-30"
    return Config.model_validate(data)


def _answer(path) -> None:
    """An answer entered in the app: one customer's NPS and innovation."""
    from salesfocus.app.state import answers_frame, save_answers

    with Workspace(path, read_only=True) as ws:
        run = ws.load_run()
        cust, as_of = run.frame("customers"), run.meta["summary"]["as_of"]
    before = answers_frame(path, cust, as_of)
    after = before.copy()
    row = after.customer_id == sorted(cust.customer_id)[3]
    after.loc[row, "nps"] = 0.0
    after.loc[row, "innovation"] = "no" if before.loc[row, "innovation"].iloc[0] == "yes" else "yes"
    assert save_answers(path, before, after) == 2


def _reanalyse(path, change: str, *, reuse: bool):
    if change == "answer":
        _answer(path)
    with Workspace(path) as ws:
        cfg = _changed(Config.model_validate(ws.load_run().meta["config"]), change)
        run = pipeline.reanalyze(ws, cfg, reuse=reuse)
        ws.wait()
        stored = ws.load_run(run.run_id)  # read back as stored (tables held by the last run, in parts), not as given
        return {n: stored.table(n) for n in sorted(stored.tables)}, stored.meta


TAKEN = {
    "nothing": STEPS,
    "language": STEPS,
    "targeting weights": ["stage1", "profit", "prediction", "segments", "periods", "target_segments"],
    "goals": ["stage1", "profit", "prediction", "segments", "target_segments", "targeting"],
    "a/b/c threshold": ["stage1", "profit", "prediction"],
    "answer": ["stage1", "profit"],
    "prediction horizon": ["stage1", "profit"],
    "pyramid": ["stage1"],
    "cost per order": [],
    "analysis date": [],
}


@pytest.mark.slow  # two re-analyses of a small demo per change (~5 s)
@pytest.mark.parametrize("change", list(TAKEN))
def test_a_reanalysis_that_takes_unchanged_steps_is_the_one_that_computes_them(analysed, tmp_path, change):
    shutil.copy(analysed, tmp_path / "a.duckdb")
    shutil.copy(analysed, tmp_path / "b.duckdb")
    got, meta = _reanalyse(tmp_path / "a.duckdb", change, reuse=True)
    want, want_meta = _reanalyse(tmp_path / "b.duckdb", change, reuse=False)
    assert [s["step"] for s in meta["steps"] if s["reused"]] == TAKEN[change]
    assert not any(s["reused"] for s in want_meta["steps"])
    assert list(got) == list(want)
    for name in want:
        assert got[name].schema == want[name].schema, name
        assert_close(got[name].to_pydict(), want[name].to_pydict(), name)
    assert_close(meta["summary"], want_meta["summary"])  # the figures and notes in the same order too
    for a, b in zip(meta["steps"], want_meta["steps"], strict=True):  # what the next re-analysis takes from
        assert {**a, "reused": False} == b


def test_a_step_computed_again_keeps_the_one_whose_output_it_replaced_from_being_taken():
    steps = [("stage1", False), ("a", False), ("b", False)]
    records = [StepRecord("stage1", "k0", columns=["customer_id", "x"]),
               StepRecord("a", "k1", columns=["y"], tables={"t": None}),
               StepRecord("b", "k2", columns=["z"])]

    class Last:
        meta = {"steps_format": FORMAT, "steps": [r.to_json() for r in records]}

    keys = {"stage1": "k0", "a": "k1", "b": "changed"}
    assert Reuse.plan(steps, keys, Last).taken == ["stage1", "a"]
    records[2].replaced = ["table:t"]  # b wrote a's table anew: what it read of it is not stored
    Last.meta["steps"] = [r.to_json() for r in records]
    assert Reuse.plan(steps, keys, Last).taken == ["stage1"]
    records[2].replaced, records[2].tables = [], {"t": ["extra"]}  # b only appended columns: a's table is there
    Last.meta["steps"] = [r.to_json() for r in records]
    assert Reuse.plan(steps, keys, Last).taken == ["stage1", "a"]
    assert Reuse.plan(steps, {**keys, "stage1": "other"}, Last) is None  # stage 1 changed: nothing is taken


def test_keys_chain_past_a_step_beside_the_others():
    steps = [("stage1", False), ("profit", False), ("periods", True), ("targeting", False)]
    cfg = Config()
    keys = step_keys(steps, cfg, "base", {"@scores_file": ""})
    other = step_keys(steps, Config.model_validate({"goals": []}), "base", {"@scores_file": ""})
    assert other["periods"] != keys["periods"]
    assert other["targeting"] == keys["targeting"]  # periods beside gives nothing targeting reads
    assert step_keys(steps, cfg, None, {})["stage1"] is None  # unknown data: no key
    assert step_keys(steps, cfg, "base", {"@scores_file": None})["targeting"] is None  # a scoring sheet file


def test_appended_columns_of_a_table_are_told_from_a_table_written_anew():
    from salesfocus.model.provenance import _appended

    old = pa.table({"id": ["a", "b"], "v": [1, 2]})
    assert _appended(old, old.append_column("w", pa.array([3, 4]))) == ["w"]
    assert _appended(old, pa.table({"id": ["a", "b"], "v": [1, 5], "w": [3, 4]})) is None
    assert _appended(old, pa.table({"id": ["a"], "v": [1], "w": [3]})) is None


@pytest.mark.parametrize(("change", "fits"), [("a/b/c threshold", 0), ("cost per order", 1)])
def test_a_reanalysis_fits_the_clusters_again_only_when_their_data_changed(analysed, tmp_path, monkeypatch, change,
                                                                            fits):
    """An A/B/C threshold leaves the behaviour alone: the clusters are the fit ``analyze`` made and left, taken
    without fitting; a cost per order changes the cost-to-serve % the clusters are fitted on: fitted again."""
    from salesfocus.segments.clusters import BehaviourClusters

    path = tmp_path / "ws.duckdb"
    shutil.copy(analysed, path)
    calls = []
    fit = BehaviourClusters._fit
    monkeypatch.setattr(BehaviourClusters, "_fit", lambda self, frame: calls.append(1) or fit(self, frame))
    with Workspace(path) as ws:
        first = ws.load_run()
        run = pipeline.reanalyze(ws, _changed(Config.model_validate(first.meta["config"]), change))
        assert len(calls) == fits
        if fits == 0:
            assert run.table("clusters").equals(first.table("clusters"))
            assert run.table("customers").column("cluster").equals(first.table("customers").column("cluster"))
            assert run.meta["summary"]["segments"]["clusters"] == first.meta["summary"]["segments"]["clusters"]


@pytest.mark.slow  # three re-analyses of a small demo per case (~6 s)
@pytest.mark.parametrize("then", ["language", "targeting weights"])
def test_a_reanalysis_after_one_that_held_the_customers_in_parts(analysed, tmp_path, then):
    """After an A/B/C change (the new run holds its unchanged customer columns in the first run's table), a change
    that leaves the customer table as it is holds it in those same parts, stores none of it, and is still the run
    that every step computed again gives."""
    shutil.copy(analysed, tmp_path / "a.duckdb")
    _reanalyse(tmp_path / "a.duckdb", "a/b/c threshold", reuse=True)
    shutil.copy(tmp_path / "a.duckdb", tmp_path / "b.duckdb")
    got, meta = _reanalyse(tmp_path / "a.duckdb", then, reuse=True)
    want, _ = _reanalyse(tmp_path / "b.duckdb", then, reuse=False)
    assert list(got) == list(want)
    for name in want:
        assert got[name].schema == want[name].schema, name
        assert_close(got[name].to_pydict(), want[name].to_pydict(), name)
    held = meta["stored_as"]["customers"]
    assert isinstance(held, dict) and all(table is not None for table, _ in held["parts"])


@pytest.mark.slow  # two analyses of a small demo (~6 s)
def test_an_analysis_of_unchanged_data_stores_none_of_its_customer_table_again(demo, analysed, tmp_path):
    """`analyze` computes every step again but holds the customer columns that came out as the newest run's by
    reference: the same data, the whole table; another analysis date, only what that date left alone. Each run reads
    back as it was computed."""
    shutil.copy(analysed, tmp_path / "a.duckdb")
    with Workspace(tmp_path / "a.duckdb") as ws:
        first = ws.load_run()
        want = first.table("customers")
        again = pipeline.analyze(DuckDBEngine(ws), ws, _sources(demo), {}, Config())
        assert again.meta["stored_as"]["customers"] == first.stored_name("customers")
        assert not ws.has_table(f"run{again.run_id}__customers")
        assert ws.load_run(again.run_id).table("customers").equals(want)
        assert again.table("customers").equals(want)  # the outputs' table, without reading it back
        assert again.meta["digests"]["customers"] == column_digests(want)  # made while the table grew
        day = dt.date.fromisoformat(first.meta["summary"]["as_of"]) - dt.timedelta(days=40)
        later = pipeline.analyze(DuckDBEngine(ws), ws, _sources(demo), {}, Config(), as_of=day)
        held = later.meta["stored_as"]["customers"]
        got = ws.load_run(later.run_id).table("customers")
        assert got.equals(later.table("customers")) and not got.equals(want)
        kept = {c for t, cols in held["parts"] if t is not None for c in cols}
        own = next(cols for t, cols in held["parts"] if t is None)
        assert kept and own and {"recency_days", "tenure_days"} <= set(own)
        assert all(got.column(c).equals(want.column(c)) for c in kept)


@pytest.mark.slow  # an analyze and a re-analysis of a small demo (~6 s)
def test_a_reanalysis_takes_the_window_counts_only_for_the_same_customers_data_and_date(demo, analysed, tmp_path,
                                                                                     monkeypatch):
    """An A/B/C change leaves every customer's first and last order and status alone: the segments' targeting
    measures take the window counts the last run kept instead of counting again, and give every table `analyze`
    gives with that change, counting everything itself; a change of the analysis date counts again."""
    import importlib

    targeting_run = importlib.import_module("salesfocus.targeting.run")  # the package's `run` is the function

    calls = []
    count = targeting_run.window_measures
    monkeypatch.setattr(targeting_run, "window_measures", lambda *a, **k: calls.append(1) or count(*a, **k))
    shutil.copy(analysed, tmp_path / "a.duckdb")
    shutil.copy(analysed, tmp_path / "b.duckdb")
    with Workspace(tmp_path / "a.duckdb") as ws:
        cfg = _changed(Config.model_validate(ws.load_run().meta["config"]), "a/b/c threshold")
        got = pipeline.reanalyze(ws, cfg)
        ws.wait()
        got = {n: got.table(n) for n in got.tables}
    assert calls == []
    with Workspace(tmp_path / "b.duckdb") as ws:  # analyze never takes kept counts or fits: it counts them
        want = pipeline.analyze(DuckDBEngine(ws), ws, _sources(demo), {}, cfg)
        ws.wait()
        want = {n: want.table(n) for n in want.tables}
    assert calls == [1]
    assert sorted(got) == sorted(want)
    for name in want:
        assert_close(got[name].to_pydict(), want[name].to_pydict(), name)
    with Workspace(tmp_path / "a.duckdb") as ws:
        pipeline.reanalyze(ws, _changed(cfg, "analysis date"))
    assert calls == [1, 1]
