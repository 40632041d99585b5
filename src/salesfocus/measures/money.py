"""Money summed the same way in every run, for the analyses that add up money after stage 1."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

__all__ = ["exact_sum"]


def exact_sum(x: ir.NumericValue, where: ir.BooleanValue | None = None) -> ir.FloatingValue:
    """The sum of ``x`` as float64, the same whatever order the engine adds in.

    A float sum depends on that order, so two runs on the same data could differ in the 15th digit. Decimals are
    summed as they are; other numbers as decimals of 38 digits, 6 of them after the point (a millionth of a cent
    is far below what any money column means). A float that is no number (NaN, infinite) has no decimal: it is
    left out, as NULL is.
    """
    if x.type().is_decimal():
        return x.sum(where=where).cast("float64")
    if x.type().is_floating():
        x = ibis.ifelse(x.isnan() | x.isinf(), ibis.null("float64"), x)
    return x.cast(dt.Decimal(38, 6)).sum(where=where).cast("float64")
