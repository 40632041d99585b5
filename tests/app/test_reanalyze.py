"""reanalyze: the same run as analyze when nothing changed; the app's answers change only their customers."""

import pandas as pd
import pytest

from salesfocus.app.state import answers_frame, save_answers
from salesfocus.config import Config
from salesfocus.pipeline import merge_manual_assessments, reanalyze
from salesfocus.workspace import Workspace

ASSESSED = ["innovation_yes", "innovation_source", "nps", "network_score", "abc_potential", "abc_potential_source"]


@pytest.mark.slow  # one full run (~10 s)
def test_reanalyze_without_changes_equals_analyze(workspace_copy, monkeypatch):
    from salesfocus.predict.base import CustomerModel

    def no_fit(self, *a, **k):
        raise AssertionError(f"{type(self).__name__} fitted again on unchanged data")

    # the models' fits of the analysis are taken, not made again: the same numbers below prove them the same
    monkeypatch.setattr(CustomerModel, "_optimise", no_fit)
    with Workspace(workspace_copy) as ws:
        first = ws.load_run()
        again = reanalyze(ws, Config.model_validate(first.meta["config"]))
        assert again.run_id == first.run_id + 1
        pd.testing.assert_frame_equal(first.frame("customers"), again.frame("customers"))
        assert sorted(first.tables) == sorted(again.tables)
        s1, s2 = first.meta["summary"], again.meta["summary"]
        for k in ("customers", "revenue", "rows_read", "rows_accepted", "rows_rejected", "period_end"):
            assert s1[k] == s2[k], k
        assert again.meta["args"]["reanalyze"] is True


def test_merge_lays_manual_answers_over_imported_ones():
    import datetime as dt

    import ibis

    from salesfocus.segments.criteria import latest_assessments

    imp = ibis.memtable(pd.DataFrame({
        "customer_id": ["a", "a", "b"], "assessment_date": pd.to_datetime(["2024-01-01", "2025-01-01", "2025-01-01"]),
        "innovation": [True, False, True], "nps": [9, None, 8], "note": ["x", None, None]}).astype(
        {"nps": "Int64", "innovation": "boolean"})).mutate(assessment_date=ibis._.assessment_date.cast("date"))
    man = ibis.memtable(pd.DataFrame({"customer_id": ["a", "c"], "innovation": [True, None],
                                      "nps": [None, 3.0]}).astype({"innovation": "boolean"}))
    merged = merge_manual_assessments(imp, man, dt.date(2025, 6, 1))
    got = latest_assessments(merged).to_pandas().set_index("customer_id").sort_index()
    assert bool(got.at["a", "innovation"]) is True  # the manual answer wins over the later imported "no"
    assert got.at["a", "nps"] == 9  # no manual nps: the latest imported one stays
    assert bool(got.at["b", "innovation"]) is True and got.at["b", "nps"] == 8  # untouched
    assert got.at["c", "nps"] == 3 and pd.isna(got.at["c", "innovation"])  # a customer only the app assessed


@pytest.mark.slow  # one full run (~10 s)
def test_saved_answer_changes_only_its_customer(workspace_copy):
    with Workspace(workspace_copy, read_only=True) as ws:
        first = ws.load_run()
        cust = first.frame("customers")
        as_of = first.meta["summary"]["as_of"]
    target = cust.sort_values("customer_id").customer_id.iloc[0]
    before = answers_frame(workspace_copy, cust, as_of)
    after = before.copy()
    row = after.customer_id == target
    new_innovation = "no" if before.loc[row, "innovation"].iloc[0] == "yes" else "yes"
    after.loc[row, "innovation"] = new_innovation
    after.loc[row, "nps"] = 1.0
    assert save_answers(workspace_copy, before, after) == 2
    assert save_answers(workspace_copy, after, after) == 0
    with Workspace(workspace_copy) as ws:
        run = reanalyze(ws, Config.model_validate(first.meta["config"]))
        new = run.frame("customers").set_index("customer_id")
    old = cust.set_index("customer_id")
    assert new.at[target, "innovation_source"] == "manual"
    assert bool(new.at[target, "innovation_yes"]) is (new_innovation == "yes")
    assert new.at[target, "nps"] == 1
    others = old.index != target
    pd.testing.assert_frame_equal(old.loc[others, ASSESSED], new.loc[others, ASSESSED])
    # the editor shows the saved answers after a reload
    shown = answers_frame(workspace_copy, cust, as_of).set_index("customer_id")
    assert shown.at[target, "innovation"] == new_innovation and shown.at[target, "nps"] == 1


@pytest.mark.slow  # two re-analyses of the demo (~10 s)
def test_the_backtest_fit_made_beside_is_remembered_for_the_next_reanalysis(workspace_copy, monkeypatch):
    from salesfocus.predict.base import CustomerModel

    with Workspace(workspace_copy) as ws:
        cfg = Config.model_validate(ws.load_run().meta["config"])
        cfg.prediction.model_selection = False  # the backtest fits its own model (on a thread of its own)
        first = reanalyze(ws, cfg)
        assert first.meta["summary"]["prediction"]["backtest"] is not None

        def no_fit(self, *a, **k):
            raise AssertionError(f"{type(self).__name__} fitted again on unchanged data")

        monkeypatch.setattr(CustomerModel, "_optimise", no_fit)
        cfg.prediction.at_risk_p_active = 0.35  # the prediction step again, on the same purchase history
        again = reanalyze(ws, cfg)
        assert again.meta["summary"]["prediction"]["backtest"] == first.meta["summary"]["prediction"]["backtest"]
        def said(run):  # the backtest's note, in its place among the prediction's notes
            notes = [n for n in run.meta["summary"]["notes"] if n.startswith("prediction")]
            return [(i, n) for i, n in enumerate(notes) if n.startswith("prediction backtest")]

        assert said(again) == said(first) and said(first)
