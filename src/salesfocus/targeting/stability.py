"""How firm is the focus choice? Perturb every weight at random and count how often each choice holds.

A spreadsheet shows one ranking for one set of weights, but weights are debatable. Here every weight is
multiplied by its own random factor, uniform in ``[1 - spread, 1 + spread]`` (default ±25 %), ``draws``
times (default 1,000, seeded). In each draw both scores are recomputed from the same normalised criteria
and the top ``k`` eligible segments taken (``k`` = the number of focus segments). Per segment:

- ``focus_share``: the share of draws in which it is in the top k;
- ``stability``: the share of draws that agree with the choice made: ``focus_share`` for a focus segment,
  ``1 - focus_share`` for the others. 1.0 is a firm choice; near 0.5 it hinges on a debatable weight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from salesfocus.targeting.portfolio import NEUTRAL, combine_scores

__all__ = ["weight_stability"]


def _axis_scores(norm: pd.DataFrame, weights: Mapping[str, float], factors: np.ndarray) -> np.ndarray:
    """Scores (draws × segments) for perturbed weights; rows without any criterion are NEUTRAL."""
    crit = [c for c, w in weights.items() if w > 0 and c in norm.columns]
    if not crit:
        return np.full((factors.shape[0], len(norm)), NEUTRAL)
    x = norm[crit].to_numpy(dtype="float64")
    mask = ~np.isnan(x)
    w = np.array([float(weights[c]) for c in crit]) * factors[:, : len(crit)]
    num = w @ np.where(mask, x, 0.0).T
    den = w @ mask.T.astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        s = 100.0 * num / den
    return np.where(den > 0, s, NEUTRAL)


def weight_stability(normalised: pd.DataFrame, attractiveness_weights: Mapping[str, float],
                     likelihood_weights: Mapping[str, float], eligible: pd.Series, chosen: Iterable[str], *,
                     draws: int = 1000, spread: float = 0.25, seed: int = 0, combine: str = "mean") -> pd.DataFrame:
    """Per segment (the index of ``normalised``): ``focus_share`` and ``stability`` in [0, 1].

    Examples
    --------
    One segment best on every criterion and k = 1: it is in focus in every draw, stability 1.0.
    """
    idx = normalised.index
    chosen_set = set(chosen)
    k = len(chosen_set)
    if draws <= 0 or k == 0 or len(idx) == 0:
        return pd.DataFrame({"focus_share": np.nan, "stability": np.nan}, index=idx)
    order = np.array(sorted(range(len(idx)), key=lambda i: str(idx[i])))
    norm = normalised.iloc[order]
    was = np.array([n in chosen_set for n in norm.index])
    ok = eligible.reindex(norm.index).fillna(False).to_numpy(dtype=bool) | was
    rng = np.random.default_rng(seed)
    n_a = sum(1 for c, w in attractiveness_weights.items() if w > 0 and c in norm.columns)
    n_l = sum(1 for c, w in likelihood_weights.items() if w > 0 and c in norm.columns)
    fa = rng.uniform(1.0 - spread, 1.0 + spread, size=(draws, max(n_a, 1)))
    fl = rng.uniform(1.0 - spread, 1.0 + spread, size=(draws, max(n_l, 1)))
    a = _axis_scores(norm, attractiveness_weights, fa)
    lk = _axis_scores(norm, likelihood_weights, fl)
    comb = np.where(ok[None, :], combine_scores(a, lk, combine), -np.inf)
    top = np.argsort(-comb, axis=1, kind="stable")[:, :k]
    in_focus = np.zeros_like(comb, dtype=bool)
    np.put_along_axis(in_focus, top, True, axis=1)
    in_focus &= ok[None, :]
    share = in_focus.mean(axis=0)
    out = pd.DataFrame({"focus_share": share, "stability": np.where(was, share, 1.0 - share)}, index=norm.index)
    return out.reindex(idx)
