"""The portfolio at a glance: how attractive and how winnable is each segment, and which ones get focus?

Method (the article's spreadsheet with weighting factors, made explicit):

1. **Normalise** each criterion to 0-1 over the segments. Measured criteria: min-max,
   ``x = (v - min) / (max - min)`` (or ``rank``: ``(rank - 1) / (n - 1)``, ties averaged). Judged scores
   are on an absolute scale: ``x = (score - 1) / 4``. Where less is better (``reverse``): ``x = 1 - x``.
   A criterion without any value, or with the same value everywhere, cannot tell segments apart and is
   left out (with a note).
2. **Weigh**: per axis, ``score = 100 · Σ w_i·x_i / Σ w_i`` over the criteria that have a value for the
   segment, so an unscored criterion is left out and the weights renormalised, never counted as zero.
   The contribution of criterion *i* is ``100 · w_i·x_i / Σ w_i``; the contributions add up to the score
   exactly (columns ``attr_<criterion>`` and ``like_<criterion>``). A segment with no criterion at all on
   an axis is put in the middle (50, column ``attr_unmeasured``/``like_unmeasured``) and is not chosen
   (unless no segment is measured on that axis).
3. **Choose**: rank on the mean of the two scores (or their geometric mean) and take the top
   ``focus_count`` eligible segments (``other`` and ``unknown`` are not targetable), or the user's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from salesfocus.errors import NotFittedError
from salesfocus.targeting.criteria import MEASURED, describe

__all__ = ["AXES", "PREFIX", "Portfolio", "normalise", "weighted_scores", "combine_scores", "top_k"]

AXES = ("attractiveness", "likelihood")
PREFIX = {"attractiveness": "attr_", "likelihood": "like_"}
UNMEASURED = "unmeasured"
NEUTRAL = 50.0


def normalise(values: pd.Series, *, method: str = "minmax", judged: bool = False,
              reverse: bool = False) -> pd.Series:
    """A criterion on 0-1 (NaN stays NaN); all-NaN when it cannot tell the segments apart.

    Examples
    --------
    >>> normalise(pd.Series([10.0, 20.0, 30.0])).tolist()
    [0.0, 0.5, 1.0]
    >>> normalise(pd.Series([1.0, 5.0, 3.0]), judged=True, reverse=True).tolist()
    [1.0, 0.0, 0.5]
    """
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    ok = v.dropna()
    if judged:
        x = ((v - 1.0) / 4.0).clip(0.0, 1.0)
    elif len(ok) < 2 or ok.max() == ok.min():
        return pd.Series(np.nan, index=v.index)
    elif method == "rank":
        x = (v.rank(method="average") - 1.0) / (len(ok) - 1.0)
    else:
        x = (v - ok.min()) / (ok.max() - ok.min())
    return 1.0 - x if reverse else x


def weighted_scores(norm: pd.DataFrame, weights: Mapping[str, float]) -> tuple[pd.Series, pd.DataFrame]:
    """Score 0-100 and per-criterion contributions of normalised criteria (rows are segments or firms).

    Only criteria with a positive weight and a column in ``norm`` count; per row the weights of the
    criteria with a value are renormalised. Rows without any criterion get NaN.

    Examples
    --------
    Weights 3 and 1, x = 1.0 and 0.5: contributions 75 and 12.5, score 87.5. With the second criterion
    missing, the first alone: 100.

    >>> s, c = weighted_scores(pd.DataFrame({"a": [1.0, 1.0], "b": [0.5, None]}), {"a": 3, "b": 1})
    >>> s.tolist(), c.a.tolist()
    ([87.5, 100.0], [75.0, 100.0])
    """
    crit = [c for c, w in weights.items() if w > 0 and c in norm.columns]
    if not crit:
        return pd.Series(np.nan, index=norm.index), pd.DataFrame(index=norm.index)
    x = norm[crit].astype("float64")
    w = np.array([float(weights[c]) for c in crit])
    present = x.notna().to_numpy()
    denom = present.astype("float64") @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        contrib = 100.0 * x.fillna(0.0).to_numpy() * w / denom[:, None]
    contrib = np.where(present, contrib, np.nan)
    frame = pd.DataFrame(contrib, index=norm.index, columns=crit)
    return frame.sum(axis=1, min_count=1), frame


def combine_scores(attractiveness: np.ndarray | pd.Series, likelihood: np.ndarray | pd.Series,
                   how: str = "mean") -> np.ndarray | pd.Series:
    """The ranking score: the mean of the two axes, or their geometric mean."""
    if how == "geometric":
        return np.sqrt(np.clip(attractiveness, 0, None) * np.clip(likelihood, 0, None))
    return (attractiveness + likelihood) / 2.0


def top_k(score: pd.Series, eligible: pd.Series, k: int) -> list[str]:
    """The k best eligible segments by score (ties: by name)."""
    s = score[eligible.reindex(score.index).fillna(False).astype(bool)].dropna()
    order = sorted(s.index, key=lambda n: (-s[n], str(n)))
    return order[:k]


class Portfolio:
    """Weighted attractiveness and likelihood per segment, with contributions, ranking and focus.

    Parameters
    ----------
    attractiveness_weights, likelihood_weights : mapping of criterion to weight
        Relative weights; a criterion not in :data:`~salesfocus.targeting.criteria.MEASURED` is judged (1-5).
    reverse : iterable of str
        Criteria where less is better.
    normalise : {"minmax", "rank"}
    combine : {"mean", "geometric"}
    focus_count : int
        Number of focus segments when the user chooses none.
    focus : iterable of str
        The user's own focus segments.
    """

    def __init__(self, attractiveness_weights: Mapping[str, float], likelihood_weights: Mapping[str, float], *,
                 reverse: Iterable[str] = (), normalise: str = "minmax", combine: str = "mean",
                 focus_count: int = 3, focus: Iterable[str] = ()) -> None:
        self.attractiveness_weights = dict(attractiveness_weights)
        self.likelihood_weights = dict(likelihood_weights)
        self.reverse = list(reverse)
        self.normalise = normalise
        self.combine = combine
        self.focus_count = focus_count
        self.focus = list(focus)

    def weights(self, axis: str) -> dict[str, float]:
        return self.attractiveness_weights if axis == "attractiveness" else self.likelihood_weights

    @property
    def criteria(self) -> list[str]:
        return list(dict.fromkeys([*self.attractiveness_weights, *self.likelihood_weights]))

    @property
    def judged(self) -> list[str]:
        return [c for c in self.criteria if c not in MEASURED]

    # -- fitting ------------------------------------------------------------------------------------------------
    def fit(self, criteria: pd.DataFrame, eligible: pd.Series | None = None) -> Portfolio:
        """Normalise, weigh, rank and choose; ``criteria`` is indexed by segment with a column per criterion."""
        idx = criteria.index
        norm, left_out, self._ref = {}, {}, {}
        for c in self.criteria:
            if self.weights("attractiveness").get(c, 0) <= 0 and self.weights("likelihood").get(c, 0) <= 0:
                continue
            col = criteria[c] if c in criteria else pd.Series(np.nan, index=idx)
            x = normalise(col, method=self.normalise, judged=c not in MEASURED, reverse=c in self.reverse)
            if x.notna().any():
                norm[c] = x
                self._ref[c] = pd.to_numeric(col, errors="coerce").dropna().sort_values().to_numpy()
            else:
                left_out[c] = "not scored" if c not in MEASURED else (
                    "no data" if pd.to_numeric(col, errors="coerce").notna().sum() == 0 else "same for every segment")
        self.normalised_ = pd.DataFrame(norm, index=idx)
        self.left_out_ = left_out
        table = pd.DataFrame(index=idx)
        self.unmeasured_ = {}
        for axis in AXES:
            score, contrib = weighted_scores(self.normalised_, self.weights(axis))
            missing = score.isna()
            self.unmeasured_[axis] = list(idx[missing])
            table[axis] = score.fillna(NEUTRAL)
            for c in contrib.columns:
                table[PREFIX[axis] + c] = contrib[c]
            if missing.any():
                table[PREFIX[axis] + UNMEASURED] = np.where(missing, NEUTRAL, np.nan)
        ok = pd.Series(True, index=idx) if eligible is None else eligible.reindex(idx).fillna(False).astype(bool)
        for axis in AXES:  # a segment unmeasured on an axis others are measured on cannot be chosen
            if len(self.unmeasured_[axis]) < len(idx):
                ok &= ~pd.Series(idx.isin(self.unmeasured_[axis]), index=idx)
        table["score"] = combine_scores(table.attractiveness, table.likelihood, self.combine)
        table["rank"] = table.score.rank(ascending=False, method="min").astype("int64")
        table["eligible"] = ok
        self.eligible_ = ok
        chosen = [s for s in self.focus if s in idx] if self.focus else top_k(table.score, ok, self.focus_count)
        self.unknown_focus_ = [s for s in self.focus if s not in idx]
        table["focus"] = idx.isin(chosen)
        self.focus_ = chosen
        parts = {axis: table[[c for c in table.columns if c.startswith(PREFIX[axis])]] for axis in AXES}
        table["reason"] = [self._reason(table, s, parts) for s in idx]
        self.table_ = table
        return self

    def _check(self) -> None:
        if not hasattr(self, "table_"):
            raise NotFittedError("Portfolio: call fit(criteria) first")

    def _reason(self, table: pd.DataFrame, segment: str, contributions: dict[str, pd.DataFrame]) -> str:
        parts = []
        for axis in AXES:
            pre = PREFIX[axis]
            row = contributions[axis].loc[segment].dropna()
            top = row.sort_values(ascending=False).head(2)
            named = ", ".join(f"{c[len(pre):].replace('_', ' ')} +{v:.0f}" for c, v in top.items() if v > 0)
            parts.append(f"{axis} {table.loc[segment, axis]:.0f}" + (f" ({named})" if named else ""))
        return "; ".join(parts)

    # -- scoring other rows on the fitted scale -----------------------------------------------------------------
    def transform(self, criterion: str, values: pd.Series) -> pd.Series:
        """Put raw values of a measured criterion on the fitted 0-1 scale of the segments (clipped)."""
        self._check()
        ref = self._ref.get(criterion)
        v = pd.to_numeric(values, errors="coerce").astype("float64")
        if criterion not in MEASURED:
            x = ((v - 1.0) / 4.0).clip(0.0, 1.0)
        elif ref is None or len(ref) < 2:
            return pd.Series(np.nan, index=v.index)
        elif self.normalise == "rank":
            lo = np.searchsorted(ref, v.to_numpy(), side="left")
            hi = np.searchsorted(ref, v.to_numpy(), side="right")
            x = pd.Series(((lo + hi) / 2.0 - 0.5) / (len(ref) - 1.0), index=v.index).clip(0.0, 1.0)
            x[v.isna()] = np.nan
        else:
            x = ((v - ref[0]) / (ref[-1] - ref[0])).clip(0.0, 1.0)
        return 1.0 - x if criterion in self.reverse else x

    def score_rows(self, segments: pd.Series, own: Mapping[str, pd.Series] | None = None,
                   axis: str = "likelihood") -> tuple[pd.Series, pd.DataFrame]:
        """Scores of firms (e.g. prospects): their segment's normalised criteria, some replaced by their own.

        ``segments`` gives each row's segment; ``own`` maps a criterion to the rows' own raw values (e.g. the
        prospect's look-alike score), used where present and the segment's value otherwise.
        """
        self._check()
        rows = self.normalised_.reindex(segments.to_numpy())
        rows.index = segments.index
        for c, vals in (own or {}).items():
            if c in rows.columns:
                mine = self.transform(c, vals.reindex(segments.index))
                rows[c] = mine.fillna(rows[c])
        score, contrib = weighted_scores(rows, self.weights(axis))
        missing = score.isna()
        if missing.any():
            contrib[UNMEASURED] = np.where(missing, NEUTRAL, np.nan)
        return score.fillna(NEUTRAL), contrib

    def weights_table(self) -> pd.DataFrame:
        """A row per axis and criterion: weight, share of the axis (of the criteria used), reverse, used, note."""
        self._check()
        rows = []
        for axis in AXES:
            w = self.weights(axis)
            used = {c: v for c, v in w.items() if v > 0 and c in self.normalised_.columns}
            total = sum(used.values())
            for c, v in w.items():
                rows.append({
                    "axis": axis, "criterion": c, "kind": "measured" if c in MEASURED else "judged", "weight": v,
                    "share_pct": round(100.0 * used[c] / total, 2) if c in used and total else 0.0,
                    "reverse": c in self.reverse, "used": c in used,
                    "note": self.left_out_.get(c, "weight 0" if v <= 0 else ""), "description": describe(c),
                })
        return pd.DataFrame(rows)
