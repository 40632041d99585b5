"""Segments: which customers are A, B, C or D and why, the value matrix, look-alike prospects, clusters.

Rule-based segmenters on the per-customer table (METHODS §2–4), each a class whose constructor stores its
config section and whose ``build`` returns an Ibis expression keyed by ``customer_id``; plus a naive-Bayes
look-alike model and k-means clusters at the edge. :func:`run` is the pipeline's segments analysis.
"""

from salesfocus.segments.abc import ABCSegmentation
from salesfocus.segments.abcd import ABCDSegmentation
from salesfocus.segments.base import Segmentation, annual_figures, code_1_3
from salesfocus.segments.clusters import BehaviourClusters
from salesfocus.segments.criteria import (
    ABC_CRITERIA,
    ABCD_CRITERIA,
    EVIDENCE,
    Criteria,
    decision_days,
    latest_assessments,
)
from salesfocus.segments.lookalike import LookalikeModel
from salesfocus.segments.policy import SegmentPolicy
from salesfocus.segments.run import CUSTOMER_COLUMNS, run
from salesfocus.segments.value_matrix import VALUE_GROUPS, ValueMatrixSegmentation

__all__ = [
    "ABCSegmentation",
    "ABCDSegmentation",
    "ABC_CRITERIA",
    "ABCD_CRITERIA",
    "BehaviourClusters",
    "CUSTOMER_COLUMNS",
    "Criteria",
    "EVIDENCE",
    "LookalikeModel",
    "SegmentPolicy",
    "Segmentation",
    "VALUE_GROUPS",
    "ValueMatrixSegmentation",
    "annual_figures",
    "code_1_3",
    "decision_days",
    "latest_assessments",
    "run",
]
