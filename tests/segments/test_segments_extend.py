"""The segments run's single-pass form: ``extend`` with constants run beforehand equals ``build``."""

from __future__ import annotations

import ibis
import pandas as pd

from salesfocus.config import ABCConfig, ABCDConfig, SegmentsConfig
from salesfocus.segments import ABCDSegmentation, ABCSegmentation, ValueMatrixSegmentation


def _constants(expr: ibis.Table) -> ibis.Table:
    """A one-row expression executed and handed back as a memtable, as the segments run does."""
    return ibis.memtable(expr.to_pyarrow())


def _same(built: ibis.Table, extended: ibis.Table) -> None:
    a = built.to_pandas().set_index("customer_id").sort_index()
    b = extended.to_pandas().set_index("customer_id").sort_index()[a.columns]
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_abc_and_abcd_extend_with_constants_equal_build(worked):
    for seg in (ABCSegmentation(ABCConfig()), ABCSegmentation(ABCConfig(scale_to_answered=False)),
                ABCSegmentation(ABCConfig(high_basis="amount", high_amount=50_000))):
        ext = seg.extend(worked, _constants(seg.constants(worked)))
        assert set(worked.columns) <= set(ext.columns)  # rows and columns pass through
        _same(seg.build(worked).drop("abc_reasons"), ext)
        _same(seg.build(worked).drop("abc_reasons"), seg.extend(worked))
    for seg in (ABCDSegmentation(ABCDConfig()), ABCDSegmentation(ABCDConfig(scale_to_answered=False))):
        _same(seg.build(worked).drop("abcd_reasons"), seg.extend(worked, _constants(seg.constants(worked))))


def test_value_matrix_extend_with_cuts_equals_build(worked):
    t = worked.mutate(complaints_per_year=ibis.literal(0.0), nps=ibis.literal(8.0),
                      annual_margin=worked.gross_margin.cast("float64"), annual_orders=worked.orders.cast("float64"))
    seg = ValueMatrixSegmentation(SegmentsConfig().value_matrix)
    _same(seg.build(t), seg.extend(t, _constants(seg.cuts(t))))
