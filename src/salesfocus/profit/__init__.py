"""Profit per customer: the whale curve, the customer pyramid, effort versus value and the loss-makers.

Every function takes the per-customer table (with the cost-to-serve of :mod:`salesfocus.measures`) and
returns an Ibis expression; :func:`run` is the analysis step of a pipeline run. See ``docs/profit.md``.
"""

from salesfocus.profit.effort import effort_flags, effort_table
from salesfocus.profit.loss_makers import ORDER_COSTS, VOLUME_COSTS, break_even, cross_selling, loss_makers
from salesfocus.profit.pyramid import level_names, pyramid_levels, pyramid_table
from salesfocus.profit.run import SUMMARY_KEYS, run
from salesfocus.profit.whale import HEAD_SHARE, TAIL_SHARE, headline, profit_ranks, whale_curve

__all__ = [
    "HEAD_SHARE",
    "ORDER_COSTS",
    "SUMMARY_KEYS",
    "TAIL_SHARE",
    "VOLUME_COSTS",
    "break_even",
    "cross_selling",
    "effort_flags",
    "effort_table",
    "headline",
    "level_names",
    "loss_makers",
    "profit_ranks",
    "pyramid_levels",
    "pyramid_table",
    "run",
    "whale_curve",
]
