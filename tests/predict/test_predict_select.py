"""Model choice: the true model wins more often on data simulated from it; holdout MAE and BIC criteria;
non-converged or failing candidates are reported and not chosen; degenerate data are reported."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from salesfocus.errors import InputError
from salesfocus.predict import select as sel
from salesfocus.predict.pareto_nbd import ParetoNBDModel, _log_a0, _log_dead_gl
from salesfocus.predict.select import MODELS, select_model
from salesfocus.predict.simulate import simulate_repeat_summary

TRUE = {
    "pareto_nbd": {"r": 0.5, "alpha": 4.0, "s": 0.8, "beta": 20.0},
    "mbg_nbd": {"r": 1.5, "alpha": 6.0, "a": 0.8, "b": 1.2},
    "bg_nbd": {"r": 0.8, "alpha": 8.0, "a": 0.6, "b": 1.5},
}


def _sim(model: str, seed: int, n: int = 2000, holdout: float = 0.0) -> pd.DataFrame:
    df = simulate_repeat_summary(model, n, TRUE[model], max_T=52, holdout=holdout, seed=seed)
    # purchase days (weeks to 1/7): as real data, and identical rows collapse into weights (fast fits)
    df["recency"] = np.floor(df.recency * 7) / 7
    df["T"] = np.floor(df["T"] * 7) / 7
    return df


@pytest.mark.parametrize("true", ["pareto_nbd", "mbg_nbd", "bg_nbd"])
def test_the_true_model_is_chosen_most_often_by_bic(true):
    wins = Counter()
    for seed in range(3):
        choice = select_model(_sim(true, 100 + seed, n=2000 if true != "bg_nbd" else 1000))
        assert choice.chosen_by == "bic"
        assert all(np.isfinite(c["bic"]) for c in choice.candidates.values())
        wins[choice.name] += 1
    assert wins.most_common(1)[0][0] == true and wins[true] >= 2, wins


def test_holdout_criterion_picks_the_lowest_mae():
    df = _sim("pareto_nbd", 7, holdout=26.0)
    choice = select_model(df, holdout=(df, 26.0))
    c = choice.candidates
    assert choice.chosen_by == "holdout_mae" and "lowest holdout MAE" in choice.reason
    assert choice.name == min(c, key=lambda k: c[k]["holdout_mae"]) == "pareto_nbd"
    for k, row in c.items():
        x, tx, T = (df[col].to_numpy(float) for col in ("frequency", "recency", "T"))
        pred = choice.holdout_fits[k].expected_orders(26.0, x, tx, T)
        assert row["holdout_mae"] == pytest.approx(np.mean(np.abs(pred - df.holdout_frequency)))
        assert row["bic"] == pytest.approx(-2 * row["log_likelihood"] + 4 * np.log(len(df)))
        assert row["converged"] and row["converged_holdout"]


def test_the_first_candidate_is_kept_unless_another_is_materially_and_clearly_better():
    df = _sim("pareto_nbd", 7, holdout=26.0)
    c = select_model(df, holdout=(df, 26.0)).candidates
    gain = 1 - c["pareto_nbd"]["holdout_mae"] / c["bg_nbd"]["holdout_mae"]  # Pareto/NBD data: it wins above
    assert gain > 0
    kept = select_model(df, holdout=(df, 26.0), min_gain=gain + 0.01)
    assert kept.name == "bg_nbd" and "BG/NBD is kept unless another is lower by at least" in kept.reason
    assert select_model(df, holdout=(df, 26.0), min_gain=max(gain - 0.01, 0.0)).name == "pareto_nbd"
    # and a difference within noise never switches: the paired standard error is reported per candidate
    assert c["pareto_nbd"]["holdout_mae_diff_se"] > 0 and c["bg_nbd"].get("holdout_mae_diff_se") is None


def test_a_non_converged_candidate_is_reported_and_not_chosen(monkeypatch):
    class Stubborn(ParetoNBDModel):  # cannot converge: one iteration only
        def __init__(self, **kw):
            super().__init__(**(kw | {"max_iter": 1, "n_starts": 1}))

    monkeypatch.setitem(sel.MODELS, "pareto_nbd", Stubborn)
    df = _sim("pareto_nbd", 3)
    choice = select_model(df)
    row = choice.candidates["pareto_nbd"]
    assert row["converged"] is False and row["message"].startswith("NOT converged")
    assert np.isfinite(row["log_likelihood"])  # its figures are still reported
    assert choice.name != "pareto_nbd" and "not eligible" in choice.reason and "Pareto/NBD" in choice.reason


def test_none_converged_keeps_the_first_and_says_so():
    df = pd.DataFrame({"frequency": [1, 2, 0], "recency": [3.0, 4, 0], "T": [5.0, 5, 5]})
    choice = select_model(df, n_starts=2)
    assert choice.chosen_by == "none_converged" and choice.name == "bg_nbd"
    assert "no candidate converged" in choice.reason
    assert not any(c["converged"] for c in choice.candidates.values())


def test_degenerate_data_raise_with_every_reason():
    df = pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0.0], "T": [4.0, 9.0]})
    with pytest.raises(InputError, match="no repeat-purchase model could be fitted: BG/NBD: .*Pareto/NBD: .*MBG/NBD"):
        select_model(df)
    with pytest.raises(InputError, match="unknown repeat-purchase model"):
        select_model(df, candidates=["weibull"])


def test_holdout_without_repeat_buyers_falls_back_to_bic():
    df = _sim("mbg_nbd", 5, n=600)
    dead = df.assign(frequency=0, recency=0.0)  # the holdout split has no repeat purchase at all
    choice = select_model(df, holdout=(dead, 26.0))
    assert choice.chosen_by == "bic" and "no candidate had a converged holdout fit" in choice.reason
    assert all("error_holdout" in c for c in choice.candidates.values())


def test_gauss_legendre_fallback_matches_the_closed_form():
    rng = np.random.default_rng(0)
    for _ in range(200):
        r, alpha, s, beta = np.exp(rng.uniform(-2, 2, 4)) * [1, 10, 1, 10]
        x = rng.integers(0, 30, 5).astype(float)
        T = rng.uniform(1, 60, 5)
        tx = np.where(x > 0, rng.uniform(0, 1, 5) * T, 0.0)
        closed = ParetoNBDModel()._log_likelihood_terms(np.array([r, alpha, s, beta]),
                                                        {"x": x, "t_x": tx, "T": T})
        with np.errstate(all="ignore"):
            dead_closed = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, tx, T)
        ok = np.isfinite(dead_closed)
        np.testing.assert_allclose(_log_dead_gl(r, alpha, s, beta, x, tx, T)[ok], dead_closed[ok], rtol=1e-9,
                                   atol=1e-9)
        assert np.all(np.isfinite(closed)) and ok.mean() > 0.9


def test_models_registry_matches_the_config_choices():
    from typing import get_args

    from salesfocus.config import PredictionConfig

    allowed = set(get_args(get_args(PredictionConfig.model_fields["models"].annotation)[0]))
    assert allowed == set(MODELS)
