"""Editing in the app: an answer saved in the editor and a slider applied each make a new run, kept on reload."""

import pytest
from streamlit.testing.v1 import AppTest

from salesfocus.app.editing import SLIDERS, with_settings, with_targeting
from salesfocus.app.launch import SCRIPT
from salesfocus.config import Config
from salesfocus.errors import ConfigError
from salesfocus.workspace import Workspace


def _app(path, monkeypatch, page):
    monkeypatch.setenv("SALESFOCUS_WORKSPACE", str(path))
    at = AppTest.from_file(str(SCRIPT), default_timeout=180)
    at.run()
    at.sidebar.radio[1].set_value(page).run()
    assert not at.exception, at.exception
    return at



@pytest.mark.slow  # two full runs (~20 s)
def test_edit_answer_then_slider_each_store_a_run_and_survive_a_reload(workspace_copy, monkeypatch):
    with Workspace(workspace_copy, read_only=True) as ws:
        first = ws.load_run()
        cust = first.frame("customers").sort_values("revenue", ascending=False)
    target = cust.customer_id.iloc[0]

    at = _app(workspace_copy, monkeypatch, "Answers")
    at.text_input(key="ans_find").set_value(target).run()
    shown = at.get("data_editor")[0].value
    assert shown.customer_id.tolist()[0] == target
    # what a click in the grid sends: row 0, new cells
    at.session_state["answers_editor"] = {"edited_rows": {0: {"nps": 2, "network_size": 5}},
                                          "added_rows": [], "deleted_rows": []}
    at.button(key="save_answers").click().run()
    assert not at.exception, at.exception
    assert any("run 2" in s.value for s in at.success)
    with Workspace(workspace_copy, read_only=True) as ws:
        run = ws.load_run()
        assert run.run_id == 2
        c = run.frame("customers").set_index("customer_id")
        assert c.at[target, "nps"] == 2
        assert ws.raw.execute("SELECT count(*) FROM manual_assessments").fetchone()[0] == 1

    # a reload (a new session) shows the saved answer
    at = _app(workspace_copy, monkeypatch, "Answers")
    at.text_input(key="ans_find").set_value(target).run()
    row = at.get("data_editor")[0].value.iloc[0]
    assert row.nps == 2 and row.network_size == 5

    # a slider applied makes run 3 with the new cost per order, stored in its config
    at = _app(workspace_copy, monkeypatch, "Settings")
    at.slider(key="set_cost_rates.per_order").set_value(60.0)
    submit = [b for b in at.button if b.label == "Apply"][0]
    submit.click().run()
    assert not at.exception, at.exception
    with Workspace(workspace_copy, read_only=True) as ws:
        run = ws.load_run()
        assert run.run_id == 3
        assert run.meta["config"]["cost_rates"]["per_order"] == 60.0
        new = run.frame("customers").set_index("customer_id")
    old = cust.set_index("customer_id")
    assert (new.cost_orders >= old.cost_orders.reindex(new.index)).all()
    assert new.cost_orders.sum() > old.cost_orders.sum()
    assert new.at[target, "nps"] == 2  # the answer is still in force
    at = _app(workspace_copy, monkeypatch, "Settings")
    assert at.slider(key="set_cost_rates.per_order").value == 60.0


def test_settings_and_scores_make_a_valid_config():
    cfg = with_settings(Config(), {"cost_rates.per_order": 40, "segments.abc.a_min_yes": 3.0,
                                   "segments.criteria.min_margin": 0.2})
    assert cfg.cost_rates.per_order == 40.0 and cfg.segments.abc.a_min_yes == 3
    assert cfg.segments.criteria.min_margin == 0.2
    assert all(isinstance(d, str) for d, *_ in SLIDERS)
    import pandas as pd

    sheet = pd.DataFrame({"segment": ["Bouw / 1-9", "other"], "usp_match": [4.0, None]})
    weights = pd.DataFrame({"axis": ["attractiveness", "likelihood"], "criterion": ["margin_pct", "usp_match"],
                            "weight": [2.0, 0.5]})
    t = with_targeting(Config(), sheet, weights).targeting
    assert t.scores == {"Bouw / 1-9": {"usp_match": 4.0}}
    assert t.attractiveness_weights == {"margin_pct": 2.0} and t.likelihood_weights == {"usp_match": 0.5}
    with pytest.raises(ConfigError, match="outside"):
        with_targeting(Config(), sheet.assign(usp_match=[9.0, None]), weights)
