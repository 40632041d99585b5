"""A weight change in the app re-scores the stored run's per-segment criteria: the same as a full run, at once."""

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from salesfocus.app.editing import with_targeting
from salesfocus.app.launch import SCRIPT
from salesfocus.app.state import load_run_view, rerun, rescore_portfolio, run_config
from salesfocus.targeting import MEASURED, OTHER, UNKNOWN
from salesfocus.workspace import Workspace

SCORE_COLUMNS = ["segment", "attractiveness", "likelihood", "score", "rank", "focus", "eligible", "stability",
                 "focus_share", "reason"]


def _edits(weights: pd.DataFrame) -> dict[int, dict[str, float]]:
    """Weight edits as the weights editor sends them (row -> cells): profit and retention count most."""
    want = {("attractiveness", "net_profit_per_customer"): 60.0, ("attractiveness", "revenue_per_customer_year"): 0.0,
            ("attractiveness", "members"): 30.0, ("likelihood", "retention"): 50.0, ("likelihood", "win_rate"): 1.0,
            ("attractiveness", "trend_match"): 200.0}
    return {i: {"weight": want[(r.axis, r.criterion)]} for i, r in enumerate(weights.itertuples())
            if (r.axis, r.criterion) in want}


def _by_hand(crit: pd.DataFrame, weights: dict[str, float], reverse: list[str]) -> pd.Series:
    """The method written out again: min-max (judged (s-1)/4), reversed where less is better, weighted mean."""
    num = pd.Series(0.0, index=crit.index)
    den = pd.Series(0.0, index=crit.index)
    for c, w in weights.items():
        if w <= 0 or c not in crit:
            continue
        v = crit[c].astype("float64")
        if c in MEASURED:
            if v.notna().sum() < 2 or v.max() == v.min():
                continue
            x = (v - v.min()) / (v.max() - v.min())
        else:
            x = (v - 1) / 4
        x = 1 - x if c in reverse else x
        num += (w * x).fillna(0.0)
        den += np.where(x.notna(), w, 0.0)
    return (100 * num / den.replace(0, np.nan)).fillna(50.0)


def _preview(at) -> pd.DataFrame:
    """The re-scored portfolio table on the Settings page."""
    found = [d.value for d in at.dataframe if {"focus", "stability", "score"} <= set(d.value.columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


@pytest.mark.slow  # two full runs
def test_weight_change_rescored_from_the_run_equals_a_full_run(workspace_copy, monkeypatch):
    base = run_config(load_run_view(workspace_copy)).model_copy(deep=True)
    base.targeting.min_segment_size = 3  # the small demo then has ~20 segments to choose from
    rerun(workspace_copy, base)
    t0 = base.targeting
    view = load_run_view(workspace_copy)
    stored = view.get("segments")
    assert len(stored) > 10

    weights = view.get("targeting_weights")[["axis", "criterion", "weight"]].astype({"weight": "float64"})
    scores = view.get("targeting_scores")
    judged = [c for c in scores.columns if c not in MEASURED and c not in ("segment", "customers", "prospects")]
    sheet = scores[["segment", *judged]].astype({c: "float64" for c in judged})
    segs = stored[stored.eligible].sort_values("rank").segment.tolist()
    sheet.loc[sheet.segment == segs[t0.focus_count], "trend_match"] = 5.0  # judged too: the first left out trends
    sheet.loc[sheet.segment == segs[0], "trend_match"] = 1.0  # and the best does not
    edits = _edits(weights)
    new_w = weights.copy()
    for i, cells in edits.items():
        new_w.loc[i, "weight"] = cells["weight"]
    cfg = with_targeting(base, sheet, new_w)

    fast = rescore_portfolio(view, cfg)
    assert sorted(fast.segment[fast.focus]) != sorted(stored.segment[stored.focus]), "the edit should move the focus"

    # known answer by an independent path: the method written out on the stored criteria
    crit = view.get("targeting_criteria").set_index("segment")
    t = cfg.targeting
    for c, col in ((c, sheet.set_index("segment")[c]) for c in judged):
        crit[c] = col.reindex(crit.index)
    a = _by_hand(crit, t.attractiveness_weights, t.reverse)
    lk = _by_hand(crit, t.likelihood_weights, t.reverse)
    f = fast.set_index("segment")
    assert np.allclose(f.attractiveness, a.reindex(f.index), atol=1e-3)
    assert np.allclose(f.likelihood, lk.reindex(f.index), atol=1e-3)
    mean = ((a + lk) / 2).drop([s for s in (OTHER, UNKNOWN) if s in a.index])
    assert set(f.index[f.focus]) == set(mean.sort_values(ascending=False).index[:t.focus_count])

    # the same as a full run with those weights and scores, to the last stored digit
    rerun(workspace_copy, cfg)
    full = load_run_view(workspace_copy).get("segments")
    pd.testing.assert_frame_equal(fast[SCORE_COLUMNS].reset_index(drop=True),
                                  full[SCORE_COLUMNS].reset_index(drop=True), check_exact=True, check_dtype=False)
    contrib = [c for c in full.columns if c.startswith(("attr_", "like_"))]
    pd.testing.assert_frame_equal(fast[contrib], full[contrib], check_exact=True, check_dtype=False)

    # in the app: editing the weights shows the new focus at once, without a new run
    with Workspace(workspace_copy, read_only=True) as ws:
        runs = len(ws.runs())
    monkeypatch.setenv("SALESFOCUS_WORKSPACE", str(workspace_copy))
    at = AppTest.from_file(str(SCRIPT), default_timeout=180)
    at.run()
    at.sidebar.radio[1].set_value("Settings").run()
    shown = _preview(at)
    assert sorted(shown.segment[shown.focus]) == sorted(full.segment[full.focus])  # the stored run, unedited
    back = {i: {"weight": float(weights.weight[i])} for i in edits}  # undo this run's edits in the editor
    at.session_state["weights_editor"] = {"edited_rows": back, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    shown = _preview(at)
    again = rescore_portfolio(load_run_view(workspace_copy), with_targeting(cfg, sheet, weights))
    assert sorted(shown.segment[shown.focus]) == sorted(again.segment[again.focus])
    with Workspace(workspace_copy, read_only=True) as ws:
        assert len(ws.runs()) == runs
