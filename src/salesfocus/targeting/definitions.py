"""Which segment is this customer or prospect in? Segments as combinations of attributes (METHODS §5).

A segment is a combination of attribute values that customers and prospects share: demographic (sector,
size class, region, country), behavioural (main product group, order-frequency band, order-size band,
value group) or any other column both tables carry. The default is sector × size class.

Rules, in this order:

1. A record that lacks any of the attributes (NULL or empty) is in ``unknown``.
2. Every other record is in the combination of its values, written ``value1 / value2``.
3. A combination with fewer than ``min_size`` members (customers + prospects together) is pooled into
   ``other``; the definition remembers which combinations it pooled and says so.

So every customer and every prospect is in exactly one segment. :class:`SegmentDefinition` learns the
pooled combinations from the data (``fit``, one small count per table) and then gives an Ibis expression
for any table (``assign``); nothing else executes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

import ibis
import ibis.expr.types as ir
import pandas as pd

from salesfocus.errors import NotFittedError, SchemaError
from salesfocus.io.parse import has_text

__all__ = [
    "OTHER",
    "UNKNOWN",
    "SEPARATOR",
    "DERIVED_ATTRIBUTES",
    "SegmentDefinition",
    "add_bands",
    "main_product_group",
]

OTHER = "other"
UNKNOWN = "unknown"
SEPARATOR = " / "
# behavioural attributes salesfocus derives from the per-customer measures (prospects do not have them)
DERIVED_ATTRIBUTES = {
    "frequency_band": "orders_per_year",
    "order_size_band": "avg_order_value",
    "main_product_group": "order_lines.product_group",
}


def _band(value: ir.NumericValue, cuts: tuple[float, float], unit: str) -> ir.StringValue:
    lo, hi = cuts
    return ibis.cases(
        (value.isnull(), ibis.null("string")),
        (value < lo, f"<{lo:g}{unit}"),
        (value < hi, f"{lo:g}-{hi:g}{unit}"),
        else_=f"{hi:g}+{unit}",
    )


def add_bands(table: ibis.Table, frequency_cuts: tuple[float, float] = (4.0, 12.0),
              order_size_cuts: tuple[float, float] = (250.0, 1000.0)) -> ibis.Table:
    """Add ``frequency_band`` (orders per year) and ``order_size_band`` (average order value) where possible.

    Bands are half-open: ``<4/yr``, ``4-12/yr``, ``12+/yr`` and ``<250``, ``250-1000``, ``1000+`` with the
    default cuts. A table without the measure (prospects) is left as it is.
    """
    new = {}
    if "orders_per_year" in table.columns and "frequency_band" not in table.columns:
        new["frequency_band"] = _band(table.orders_per_year.cast("float64"), frequency_cuts, "/yr")
    if "avg_order_value" in table.columns and "order_size_band" not in table.columns:
        new["order_size_band"] = _band(table.avg_order_value.cast("float64"), order_size_cuts, "")
    return table.mutate(**new) if new else table


def main_product_group(order_lines: ibis.Table) -> ibis.Table:
    """The product group with the most revenue per customer (ties: the first group by name).

    Returns ``customer_id, main_product_group``; lines without a product group are left out.
    """
    ol = order_lines.filter(has_text(order_lines.product_group))
    g = ol.group_by(["customer_id", "product_group"]).aggregate(_rev=ol.revenue.sum().cast("float64"))
    rank = ibis.row_number().over(group_by=g.customer_id, order_by=[g._rev.desc(), g.product_group])
    g = g.mutate(_r=rank)
    return g.filter(g._r == 0).select("customer_id", main_product_group=g.product_group)


class SegmentDefinition:
    """Segments as attribute combinations, small ones pooled into ``other``, missing ones in ``unknown``.

    Parameters
    ----------
    attributes : sequence of str
        Columns whose combination is a segment, e.g. ``["sector", "size_class"]``.
    min_size : int
        Combinations with fewer members (customers + prospects) are pooled into ``other``.

    Examples
    --------
    Attributes sector × size; combinations Zorg/large with 25 members and Bouw/small with 3; a customer
    without a sector. With ``min_size=20``: ``Zorg / large``, ``other`` (Bouw/small) and ``unknown``.
    """

    def __init__(self, attributes: Sequence[str], min_size: int = 20) -> None:
        self.attributes = list(attributes)
        self.min_size = min_size

    # -- the raw combination ---------------------------------------------------------------------------------
    def combination(self, table: ibis.Table) -> ir.StringValue:
        """The unpooled combination of a table's rows (``unknown`` when an attribute is missing or absent)."""
        if not self.attributes:
            raise SchemaError("a segment definition needs at least one attribute (targeting.segment_by)")
        parts, missing = [], []
        for a in self.attributes:
            if a not in table.columns:
                return ibis.literal(UNKNOWN)
            v = table[a].cast("string").strip()
            parts.append(v)
            missing.append(v.isnull() | (v == ""))
        key = reduce(lambda x, y: x + SEPARATOR + y, parts)
        return ibis.ifelse(reduce(lambda x, y: x | y, missing), UNKNOWN, key)

    # -- learning the pooled combinations -----------------------------------------------------------------------
    def fit(self, *tables: ibis.Table | None) -> SegmentDefinition:
        """Count the members of each combination over all tables (customers, prospects) and pool small ones."""
        counts: list[pd.DataFrame] = []
        for i, t in enumerate(tables):
            if t is None:
                continue
            k = t.select(_key=self.combination(t))  # not the wide customer table's every column: cheaper to compile
            c = k.group_by("_key").aggregate(n=k.count()).to_pandas()
            c["table"] = i
            counts.append(c)
        frame = pd.concat(counts) if counts else pd.DataFrame({"_key": [], "n": [], "table": []})
        sizes = frame.groupby("_key")["n"].sum().astype("int64")
        small = sizes[(sizes < self.min_size) & (sizes.index != UNKNOWN)]
        self.sizes_ = sizes.sort_index()
        self.pooled_ = sorted(small.index)
        kept = sorted(k for k in sizes.index if k not in set(self.pooled_) and k not in (UNKNOWN,))
        self.segments_ = kept + ([OTHER] if self.pooled_ else []) + ([UNKNOWN] if UNKNOWN in sizes.index else [])
        return self

    def _check(self) -> None:
        if not hasattr(self, "pooled_"):
            raise NotFittedError("SegmentDefinition: call fit(customers, prospects) before assign")

    # -- assigning ----------------------------------------------------------------------------------------------
    def segment(self, table: ibis.Table) -> ir.StringValue:
        """The segment of each row: its combination, ``other`` when pooled, ``unknown`` when incomplete."""
        self._check()
        key = self.combination(table)
        if not self.pooled_:
            return key
        return ibis.ifelse(key.isin(self.pooled_), OTHER, key)

    def assign(self, table: ibis.Table, column: str = "target_segment") -> ibis.Table:
        """The table with its segment in ``column``."""
        return table.mutate(**{column: self.segment(table)})

    @property
    def pooled_note(self) -> str | None:
        """A sentence naming what was pooled into ``other`` (None when nothing was)."""
        self._check()
        if not self.pooled_:
            return None
        shown = ", ".join(self.pooled_[:8]) + (f" and {len(self.pooled_) - 8} more" if len(self.pooled_) > 8 else "")
        members = int(self.sizes_[self.pooled_].sum())
        return (f"targeting: {len(self.pooled_)} combinations with fewer than {self.min_size} customers + prospects "
                f"({members} in all) are pooled into '{OTHER}': {shown}")
