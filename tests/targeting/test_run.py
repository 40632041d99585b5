"""The targeting analysis as the pipeline runs it: end to end on the demo data, and on thin data sets."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from salesfocus.config import Config
from salesfocus.targeting import SIGNALS
from salesfocus.workspace import Workspace


def _analyze(paths: dict, config: Config | None = None, only: tuple[str, ...] | None = None, monkeypatch=None):
    from salesfocus import pipeline
    from salesfocus.io.importer import DuckDBEngine
    from salesfocus.io.readers import parse_data_arg

    if only is not None:
        full = pipeline._analyses
        monkeypatch.setattr(pipeline, "_analyses", lambda: [a for a in full() if a[0] in only])
    srcs = [parse_data_arg(f"{t}={p}") for t, p in paths.items()]
    ws = Workspace(None)
    return ws, pipeline.analyze(DuckDBEngine(ws), ws, srcs, {}, config or Config())


def check_contract(r) -> None:
    """What the outside check reads, on the stored run."""
    seg, cus, pro = r.frame("segments"), r.frame("customers"), r.frame("prospects")
    s = r.meta["summary"]
    for col in ("segment", "customers", "prospects", "revenue", "net_profit", "attractiveness", "likelihood",
                "stability", "focus"):
        assert col in seg.columns
    for axis, pre in (("attractiveness", "attr_"), ("likelihood", "like_")):
        parts = seg[[c for c in seg.columns if c.startswith(pre)]]
        assert parts.shape[1] > 0
        assert (parts.sum(axis=1) - seg[axis]).abs().max() <= 0.05
        assert seg[axis].between(0, 100).all()
    assert seg.stability.between(0, 1).all()
    assert seg.customers.sum() == len(cus) and seg.prospects.sum() == len(pro)
    assert set(cus.target_segment) | set(pro.target_segment) <= set(seg.segment)
    assert seg.segment.is_unique
    focus = set(seg.segment[seg.focus])
    assert focus and focus == set(s["targeting"]["focus_segments"])
    assert len(s["alarms"]) == 7 and [a["name"] for a in s["alarms"]] == list(SIGNALS)
    assert all(a["status"] in ("green", "amber", "red", "unknown") for a in s["alarms"])
    assert all({"value", "threshold", "explanation", "signal"} <= set(a) for a in s["alarms"])
    assert {"attractiveness", "likelihood"} <= set(pro.columns)
    crit = r.table("targeting_criteria")  # unscored judged criteria are empty, not NaN (as the scoring sheet)
    judged = [c for c in crit.column_names if c in s["targeting"]["weights"]["attractiveness"]
              or c in s["targeting"]["weights"]["likelihood"]]
    assert judged and all(not pc.any(pc.is_nan(crit.column(c))).as_py() for c in judged
                          if pa.types.is_floating(crit.schema.field(c).type))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    demo_mod = pytest.importorskip("salesfocus.demo", reason="the demo generator is not importable yet")
    d = demo_mod.generate_demo(tmp_path_factory.mktemp("demo"), customers=1000, seed=11)
    ws, r = _analyze(d.paths)
    truth = pq.read_table(d.truth_path).to_pandas()
    yield d, r, truth
    ws.close()


@pytest.mark.slow
def test_demo_meets_the_contract(demo):
    _, r, _ = demo
    check_contract(r)
    seg = r.frame("segments")
    assert seg.focus.sum() == 3 and not seg[seg.segment.isin(["other", "unknown"])].focus.any()
    assert sorted(r.frame("targeting_scores").segment) == sorted(seg.segment)
    assert {"alarms", "churn_drivers", "lead_channels", "account_manager_load", "segment_quality",
            "targeting_weights"} <= set(r.tables)


@pytest.mark.slow  # two analyses of the 1,000-customer demo (~20 s)
def test_the_window_counts_are_counted_once_beside_the_first_steps_as_the_step_counts_them(demo, tmp_path,
                                                                                          monkeypatch):
    """The targeting measures' window counts are counted by the step's preparation, beside the first steps, and not
    again by the step; the run is the one whose step counts them itself. A preparation that fails fails the run."""
    import importlib
    import threading

    from salesfocus import pipeline
    from salesfocus.io.importer import DuckDBEngine
    from salesfocus.io.readers import parse_data_arg

    d, _, _ = demo
    targeting_run = importlib.import_module("salesfocus.targeting.run")  # the package's `run` is the function
    count, key, prepare, calls, keyed = targeting_run._count, targeting_run._history_key, targeting_run.prepare, [], []

    def counted(ctx, cust, key):
        calls.append(threading.current_thread().name)
        return count(ctx, cust, key)

    def hashed(ctx, cust):
        keyed.append(threading.current_thread().name)
        return key(ctx, cust)

    monkeypatch.setattr(targeting_run, "_count", counted)
    monkeypatch.setattr(targeting_run, "_history_key", hashed)
    srcs = [parse_data_arg(f"{t}={p}") for t, p in d.paths.items()]

    def analyze(name):
        with Workspace(tmp_path / f"{name}.duckdb") as ws:
            run = pipeline.analyze(DuckDBEngine(ws), ws, srcs, {}, Config())
            return {n: run.table(n) for n in ("customers", "targeting_criteria", "segments", "alarms")}

    prepared = analyze("prepared")
    assert calls == keyed == ["sf-prepare"]  # the step sees the very columns counted: it does not hash them again
    monkeypatch.setattr(pipeline, "PREPARE", {})
    calls.clear()
    assert analyze("in_the_step") == prepared
    assert calls == [threading.main_thread().name]

    def other_columns(ctx):  # counted from columns that are not the step's (equal values, other memory)
        got, cols = prepare(ctx)
        return got, {c: col.take(pa.array(range(len(col)))) for c, col in cols.items()}

    monkeypatch.setattr(pipeline, "PREPARE", {"target_segments": ("salesfocus.targeting.run", "prepare")})
    monkeypatch.setattr(targeting_run, "prepare", other_columns)
    calls.clear()
    assert analyze("other") == prepared
    assert calls == ["sf-prepare", threading.main_thread().name]

    def fails(ctx):
        raise RuntimeError("the preparation failed")

    monkeypatch.setattr(pipeline, "PREPARE", {"target_segments": ("salesfocus.targeting.run", "prepare")})
    monkeypatch.setattr(targeting_run, "prepare", fails)
    with pytest.raises(RuntimeError, match="the preparation failed"):
        analyze("failed")


@pytest.mark.slow
def test_demo_planted_top_sectors_rank_high_on_attractiveness(demo):
    _, r, _ = demo
    seg = r.frame("segments")
    seg = seg[~seg.segment.isin(["other", "unknown"])].sort_values("attractiveness", ascending=False)
    top3 = seg.segment.head(3).str.split(" / ").str[0]
    assert top3.isin(["Zorg", "Bouw"]).sum() >= 2, seg.head(5)
    # within each size class, the best sector on attractiveness is a planted top sector more often than not
    seg["size"] = seg.segment.str.split(" / ").str[1]
    best = seg.groupby("size").head(1).segment.str.split(" / ").str[0]
    assert best.isin(["Zorg", "Bouw"]).mean() >= 0.5, seg[["segment", "attractiveness"]]


@pytest.mark.slow
def test_demo_planted_churn_drivers_stand_out(demo):
    _, r, _ = demo
    drivers = r.frame("churn_drivers").set_index("driver")
    assert drivers.index[0] == "complaints"
    assert drivers.loc["complaints", "ratio"] > 2 and drivers.loc["complaints", "auc"] > 0.6
    # the three planted drivers (complaints, returns, late payment) each at least 1.5x as common among leavers
    for driver in ("complaints", "return_share", "late_payment_share"):
        assert drivers.loc[driver, "ratio"] >= 1.5, driver
    alarm = {a["name"]: a for a in r.meta["summary"]["alarms"]}["churn_explained"]
    assert "complaints" in alarm["explanation"]


@pytest.mark.slow
def test_demo_every_customer_and_prospect_in_exactly_one_segment(demo):
    d, r, _ = demo
    cus, pro = r.frame("customers"), r.frame("prospects")
    assert cus.customer_id.is_unique and cus.target_segment.notna().all()
    n_pro = pq.read_table(d.paths["prospects"]).num_rows
    assert len(pro) == n_pro and pro.prospect_id.is_unique and pro.target_segment.notna().all()
    assert pro.target_focus.sum() == r.frame("segments").query("focus").prospects.sum()


@pytest.mark.slow
def test_demo_without_leads_and_assessments_says_unknown_and_why(demo, monkeypatch):
    d, _, _ = demo
    paths = {k: v for k, v in d.paths.items() if k not in ("leads", "assessments")}
    ws, r = _analyze(paths, only=("profit", "segments", "target_segments", "targeting"), monkeypatch=monkeypatch)
    try:
        check_contract(r)
        alarms = {a["name"]: a for a in r.meta["summary"]["alarms"]}
        for name in ("conversion", "buying_process_known", "channels_known"):
            assert alarms[name]["status"] == "unknown" and "leads" in alarms[name]["explanation"]
        seg = r.frame("segments")
        assert seg.win_rate.isna().all() and "like_win_rate" not in seg.columns
        assert any("no leads table" in n for n in r.meta["summary"]["notes"])
    finally:
        ws.close()


@pytest.mark.slow
def test_judged_scores_from_the_config_move_the_focus(demo, monkeypatch):
    d, r, _ = demo
    seg = r.frame("segments")
    last = seg[seg.eligible].sort_values("score").segment.iloc[-1]  # the worst eligible segment
    others = seg[seg.eligible & (seg.segment != last)].segment
    cfg = Config.model_validate({"targeting": {
        "focus_count": 1, "stability": {"draws": 200},
        "attractiveness_weights": {"trend_match": 1000}, "likelihood_weights": {"usp_match": 1000},
        "scores": {last: {"trend_match": 5, "usp_match": 5}, **{s: {"trend_match": 1, "usp_match": 1}
                                                              for s in others}}}})
    ws, r2 = _analyze(d.paths, cfg, only=("profit", "target_segments", "targeting"), monkeypatch=monkeypatch)
    try:
        s = r2.meta["summary"]["targeting"]
        assert s["focus_segments"] == [last]
        seg2 = r2.frame("segments").set_index("segment")
        assert seg2.loc[last, "attr_trend_match"] > 99 and seg2.loc[last, "stability"] == 1.0
    finally:
        ws.close()


def test_thin_data_orders_only(tmp_path, monkeypatch):
    """Order lines only: no customer file, prospects, leads, activities or invoices. Still a full answer."""
    p = tmp_path / "verkopen.csv"
    rows = ["Klantnummer;Ordernummer;Orderdatum;Artikel;Omzet;Kostprijs"]
    for i in range(30):
        rows.append(f"K{i % 6};O{i};{1 + i % 27:02d}-{1 + i % 12:02d}-{2023 + i % 3};A;{100 + 10 * i},00;60,00")
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ws, r = _analyze({"order_lines": p}, only=("profit", "target_segments", "targeting"), monkeypatch=monkeypatch)
    try:
        check_contract(r)
        assert len(r.frame("prospects")) == 0
        alarms = {a["name"]: a for a in r.meta["summary"]["alarms"]}
        assert alarms["customers_per_manager"]["status"] == "unknown"
        assert alarms["profile_strength"]["status"] == "unknown"
        assert r.meta["summary"]["targeting"]["segment_by"] == ["frequency_band"]
    finally:
        ws.close()
