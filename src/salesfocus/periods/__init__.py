"""Over time: calendar periods, pyramid and A/B/C migration, retention and cohorts, customer goals, the lead funnel.

Every function builds an Ibis expression over the per-customer-per-period figures in the workspace;
:func:`run` is the pipeline's periods analysis (METHODS §1, issue 11). See ``docs/periods.md``.
"""

from salesfocus.periods.activity import (
    customer_period_figures,
    first_periods,
    pairs,
    period_levels,
    period_segments,
)
from salesfocus.periods.calendar import KINDS, Period, calendar, calendar_arrow, label, label_expr, parse_label
from salesfocus.periods.funnel import FUNNEL_COLUMNS, channel_value, funnel_gaps, funnel_table, prepare_leads
from salesfocus.periods.goals import GOAL_COLUMNS, GoalInputs, goal_name, goal_table, scorecard
from salesfocus.periods.migration import (
    LOST,
    NEW,
    PROSPECT,
    REACTIVATED,
    markov_projection,
    migration_matrix,
    move_counts,
    moves,
)
from salesfocus.periods.retention import GROUP_BYS, cohort_table, retention_table
from salesfocus.periods.run import TABLES, prepare, run

__all__ = [
    "FUNNEL_COLUMNS",
    "GOAL_COLUMNS",
    "GROUP_BYS",
    "KINDS",
    "LOST",
    "NEW",
    "PROSPECT",
    "Period",
    "REACTIVATED",
    "TABLES",
    "GoalInputs",
    "calendar",
    "calendar_arrow",
    "channel_value",
    "cohort_table",
    "customer_period_figures",
    "first_periods",
    "funnel_gaps",
    "funnel_table",
    "goal_name",
    "goal_table",
    "label",
    "label_expr",
    "markov_projection",
    "migration_matrix",
    "move_counts",
    "moves",
    "pairs",
    "parse_label",
    "period_levels",
    "period_segments",
    "prepare",
    "prepare_leads",
    "retention_table",
    "run",
    "scorecard",
]
