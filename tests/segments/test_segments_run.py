"""The segments analysis as the pipeline runs it: on the worked example, and end to end on the demo data."""

from __future__ import annotations

import collections
import datetime as dt

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesfocus.config import Config
from salesfocus.model import Dataset, RunContext
from salesfocus.segments import CUSTOMER_COLUMNS, run
from salesfocus.workspace import Workspace

from .conftest import AS_OF, ASSESSED, WORKED, assessments_table, customer_rows

CONTRACT = ("abc_segment", "abcd_segment", "criteria_yes", "value_cell", "value_group")


@pytest.fixture
def ctx():
    ws = Workspace(None)
    prospects = ibis.memtable({"prospect_id": ["P1", "P2"], "name": ["Zorghuis", "Bakker"],
                               "sector": ["Zorg", "Retail"], "region": ["Antwerpen", "Utrecht"],
                               "size_class": ["250+", "1-9"], "_row": [1, 2]})
    ds = Dataset({"assessments": assessments_table(ASSESSED), "prospects": prospects}, AS_OF)
    c = RunContext.start(ws, Config(), ds, pa.Table.from_pylist(customer_rows(WORKED)))
    c.tables["customer_years"] = pa.table({"customer_id": [r["customer_id"] for r in WORKED],
                                           "year": [2025] * len(WORKED),
                                           "revenue": [r["revenue"] for r in WORKED],
                                           "gross_margin": [r["revenue"] * 0.3 for r in WORKED],
                                           "order_lines": [20] * len(WORKED), "orders": [10] * len(WORKED)})
    yield c
    ws.close()


def test_run_adds_the_contract(ctx):
    run(ctx)
    cust = ctx.customers.to_pandas().set_index("customer_id")
    assert set(CONTRACT) <= set(cust.columns) and set(CUSTOMER_COLUMNS) <= set(cust.columns)
    assert cust.abc_segment.isin(["A", "B", "C"]).all() and cust.abcd_segment.isin(list("ABCD")).all()
    assert cust.loc["BIG", "abc_segment"] == "A" and cust.loc["SMALL", "abc_segment"] == "C"
    assert cust.loc["SMALL", "abcd_segment"] == "D"
    assert cust.loc["MID1", "margin_source"] == "manual"
    # TINY has no assessment, so no NPS: an empty cell (documented), group no_nps
    assert cust.loc["TINY", "value_cell"] == "" and cust.loc["TINY", "value_group"] == "no_nps"
    for col, key in (("abc_segment", "abc_segments"), ("abcd_segment", "abcd_segments"),
                     ("value_group", "value_groups")):
        counted = collections.Counter(cust[col])
        assert {k: v for k, v in ctx.summary[key].items() if v} == dict(counted)
    for name in ("abc_matrix", "abc_top", "value_matrix", "segment_policy", "top_group_profile", "clusters",
                 "prospects"):
        assert name in ctx.tables, name
    assert ctx.tables["value_matrix"].num_rows == 27
    pros = ctx.tables["prospects"].to_pandas()
    assert list(pros.columns[:6]) == ["prospect_id", "name", "sector", "region", "size_class", "lookalike_score"]
    assert "_row" not in pros.columns and list(pros.lookalike_rank) == [1, 2]


def test_run_without_optional_tables(ctx):
    ctx.dataset = Dataset({}, AS_OF)
    ctx.tables.clear()
    run(ctx)
    cust = ctx.customers.to_pandas()
    assert cust.abc_segment.isin(["A", "B", "C"]).all()
    assert set(cust.innovation_source) == {"none"} and "prospects" not in ctx.tables
    assert any("no prospects table" in n for n in ctx.notes)


def test_run_without_customer_master(ctx):
    """Only order lines: no sector, region or size class, so no profile rows and no look-alike score."""
    ctx.workspace.write("_sf_bare", ctx.customers.drop("sector", "region", "size_class", "name"), temp=True)
    ctx.customers = ctx.workspace.table("_sf_bare")
    run(ctx)
    cust = ctx.customers.to_pandas()
    assert cust.abc_segment.isin(["A", "B", "C"]).all() and cust.lookalike_score.isna().all()
    assert ctx.tables["top_group_profile"].num_rows == 0


# -- end to end on the demo data ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    demo_mod = pytest.importorskip("salesfocus.demo")
    from salesfocus import pipeline
    from salesfocus.io.importer import DuckDBEngine
    from salesfocus.io.readers import parse_data_arg

    d = demo_mod.generate_demo(tmp_path_factory.mktemp("demo"), customers=1200, seed=11)
    srcs = [parse_data_arg(f"{t}={p}") for t, p in d.paths.items()]
    ws = Workspace(None)
    r = pipeline.analyze(DuckDBEngine(ws), ws, srcs, {}, Config())
    cust = r.frame("customers")
    truth = pq.read_table(d.truth_path).to_pandas()
    yield cust.merge(truth, on="customer_id"), r.frame("top_group_profile"), r.meta["summary"]
    ws.close()


@pytest.mark.slow
def test_demo_planted_top_group_is_top_and_a(demo):
    cust, _, _ = demo
    top = cust[cust.planted_group == "top"]
    assert (top.value_group == "top").mean() >= 0.8
    assert (top.abc_segment == "A").mean() >= 0.8 and (top.abcd_segment.isin(["A", "B"])).mean() >= 0.8


@pytest.mark.slow
def test_demo_growth_group_is_found(demo):
    cust, _, _ = demo
    growth = cust[cust.planted_group == "growth"]
    assert (growth.value_group == "growth").mean() >= 0.5
    found = cust[cust.value_group == "growth"].planted_group.value_counts()
    assert found.index[0] == "growth" and found.iloc[0] / found.sum() >= 0.5


@pytest.mark.slow
def test_demo_top_group_traits_have_the_highest_lift(demo):
    _, prof, summary = demo
    p = prof[prof.group_customers >= 3]
    for attr, planted in (("sector", {"Zorg", "Bouw"}), ("region", {"Noord-Brabant", "Antwerpen"})):
        best = p[p.attribute == attr].sort_values("lift", ascending=False).value.head(2)
        assert set(best) == planted, (attr, list(best))
        assert p[(p.attribute == attr) & p.value.isin(planted)].significant.all()
    assert {t["value"] for t in summary["segments"]["top_traits"]["sector"][:2]} == {"Zorg", "Bouw"}


@pytest.mark.slow
def test_demo_summary_counts_equal_the_customer_table(demo):
    cust, _, summary = demo
    for col, key in (("abc_segment", "abc_segments"), ("abcd_segment", "abcd_segments"),
                     ("value_group", "value_groups")):
        assert {k: v for k, v in summary[key].items() if v} == dict(collections.Counter(cust[col]))
    assert dt.date.fromisoformat(summary["as_of"])
