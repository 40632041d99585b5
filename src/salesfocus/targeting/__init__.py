"""Targeting: which segments deserve the sales team's focus, how firm that choice is, and the alarm signals.

METHODS §5. Segments are attribute combinations shared by customers and prospects
(:class:`SegmentDefinition`); each gets measured and judged criteria (:mod:`~salesfocus.targeting.criteria`),
two weighted scores with their contributions and a focus choice (:class:`Portfolio`), a stability share
from random weight perturbations (:func:`weight_stability`), the method's quality checks
(:func:`quality_checks`) and the seven alarm signals (:mod:`~salesfocus.targeting.alarms`).
:func:`run` is the pipeline's targeting analysis.
"""

from salesfocus.targeting.alarms import SIGNALS, Alarm, churn_drivers, status
from salesfocus.targeting.criteria import (
    JUDGED,
    MEASURED,
    measured_criteria,
    read_scores,
    scoring_sheet,
    write_scoring_workbook,
)
from salesfocus.targeting.definitions import OTHER, UNKNOWN, SegmentDefinition, add_bands, main_product_group
from salesfocus.targeting.history import customer_windows, window_measures
from salesfocus.targeting.portfolio import Portfolio, normalise, weighted_scores
from salesfocus.targeting.quality import quality_checks
from salesfocus.targeting.run import SEGMENT_COLUMNS, prepare, run, segment
from salesfocus.targeting.stability import weight_stability

__all__ = [
    "Alarm",
    "JUDGED",
    "MEASURED",
    "OTHER",
    "Portfolio",
    "SEGMENT_COLUMNS",
    "SIGNALS",
    "SegmentDefinition",
    "UNKNOWN",
    "add_bands",
    "churn_drivers",
    "customer_windows",
    "main_product_group",
    "measured_criteria",
    "normalise",
    "prepare",
    "quality_checks",
    "read_scores",
    "run",
    "scoring_sheet",
    "segment",
    "status",
    "weight_stability",
    "weighted_scores",
    "window_measures",
    "write_scoring_workbook",
]
