"""Score and choose the segments from their criteria: the one implementation the run and the app share.

:func:`score_segments` is pure: from a per-segment table of criteria values (measured and judged, the
run's ``targeting_criteria`` table, unrounded) and the weights it gives the fitted :class:`Portfolio`
(scores, contributions, rank, focus) and the weight stability. :func:`portfolio_table` turns that into the
score columns of the ``segments`` table, rounded exactly as stored. The targeting run calls both; the app
calls them again on a stored run when only weights or judged scores change, which takes milliseconds
instead of a whole re-analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from salesfocus.config import TargetingConfig
from salesfocus.targeting.definitions import OTHER, UNKNOWN
from salesfocus.targeting.portfolio import AXES, PREFIX, Portfolio
from salesfocus.targeting.stability import weight_stability

__all__ = ["ScoredSegments", "score_segments", "portfolio_table", "criteria_frame", "DIGITS"]

DIGITS = 4


@dataclass
class ScoredSegments:
    portfolio: Portfolio
    stability: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def focus(self) -> list[str]:
        return self.portfolio.focus_


def criteria_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A stored ``targeting_criteria`` table (column ``segment``) as the criteria frame indexed by segment."""
    out = table.set_index("segment")
    out.index = out.index.astype(str)
    out.index.name = None
    return out


def score_segments(criteria: pd.DataFrame, cfg: TargetingConfig, attractiveness_weights: Mapping[str, float],
                   likelihood_weights: Mapping[str, float]) -> ScoredSegments:
    """Normalise, weigh, rank, choose the focus and measure its stability (``criteria`` indexed by segment).

    ``other`` and ``unknown`` cannot be chosen; when nothing else can, the focus is chosen among all segments
    (with a note).
    """
    aw, lw = dict(attractiveness_weights), dict(likelihood_weights)

    def fit(eligible: pd.Series | None) -> Portfolio:
        return Portfolio(aw, lw, reverse=cfg.reverse, normalise=cfg.normalise, combine=cfg.combine,
                         focus_count=cfg.focus_count, focus=cfg.focus).fit(criteria, eligible)

    notes: list[str] = []
    portfolio = fit(pd.Series(~criteria.index.isin([OTHER, UNKNOWN]), index=criteria.index))
    if not portfolio.focus_:
        notes.append(f"targeting: no segment besides '{OTHER}' and '{UNKNOWN}' could be chosen; focus among all "
                     "segments")
        portfolio = fit(None)
    stab = weight_stability(portfolio.normalised_, aw, lw, portfolio.eligible_, portfolio.focus_,
                            draws=cfg.stability.draws, spread=cfg.stability.spread, seed=cfg.stability.seed,
                            combine=cfg.combine)
    return ScoredSegments(portfolio, stab, notes)


def _round(frame: pd.DataFrame, digits: int = DIGITS) -> pd.DataFrame:
    num = frame.select_dtypes(include="float").columns
    frame[num] = frame[num].round(digits)
    return frame


def portfolio_table(scored: ScoredSegments) -> pd.DataFrame:
    """Scores, contributions, rank, focus, reason and stability per segment (index), as ``segments`` stores them.

    Rounded to 4 decimals; each axis score is the sum of its rounded contributions, exactly as the file shows.
    """
    t = _round(scored.portfolio.table_.join(scored.stability))
    for axis in AXES:
        cols = [c for c in t.columns if c.startswith(PREFIX[axis])]
        t[axis] = t[cols].sum(axis=1, min_count=1).round(DIGITS)
    return t
