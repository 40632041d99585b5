"""Small helpers of the periods package: safe ratios and numbers in words."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

__all__ = ["ratio", "fmt_int", "fmt_money"]


def ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    """``num / den`` as float64; NULL when the denominator is zero or unknown."""
    d = den.cast("float64")
    return ibis.ifelse(d.isnull() | (d == 0), ibis.null("float64"), num.cast("float64") / d)


def fmt_int(x: ir.NumericValue) -> ir.StringValue:
    """A number rounded to a whole number, as text with thousands separators ('1,234')."""
    n = x.cast("float64").round().cast("int64")
    digits = n.abs().cast("string")
    grouped = digits.reverse().re_replace(r"(\d{3})", r"\1,").re_replace(r",$", "").reverse()
    return ibis.ifelse(n < 0, "-", "") + grouped


def fmt_money(x: ir.NumericValue, currency: str) -> ir.StringValue:
    """An amount in whole currency units: '€ 1,234' for EUR, else 'USD 1,234'."""
    sign = "€ " if currency.upper() == "EUR" else f"{currency} "
    return sign + fmt_int(x)
