"""Segments as attribute combinations: pooling into other, unknown for missing attributes, one segment each.

Hand-worked table (sector × size_class, min_size 3, customers + prospects counted together):

==========  ======  =====  ==========================================================
record      sector  size   segment
==========  ======  =====  ==========================================================
C1, C2, P1  Zorg    large  ``Zorg / large`` (3 members: 2 customers + 1 prospect)
C3          Bouw    small  ``other`` (1 member, pooled; with P2 also pooled)
P2          Bouw    large  ``other`` (1 member)
C4          —       small  ``unknown`` (no sector)
P3          Zorg    ''     ``unknown`` (empty size)
==========  ======  =====  ==========================================================
"""

from __future__ import annotations

import ibis
import pytest

from salesfocus.errors import NotFittedError, SchemaError
from salesfocus.targeting import OTHER, UNKNOWN, SegmentDefinition, add_bands, main_product_group


@pytest.fixture
def tables():
    cust = ibis.memtable({"customer_id": ["C1", "C2", "C3", "C4"], "sector": ["Zorg", "Zorg ", "Bouw", None],
                          "size_class": ["large", "large", "small", "small"]})
    pros = ibis.memtable({"prospect_id": ["P1", "P2", "P3"], "sector": ["Zorg", "Bouw", "Zorg"],
                          "size_class": ["large", "large", ""]})
    return cust, pros


def _segments(t, d, key):
    return {r[key]: r["target_segment"] for r in d.assign(t).to_pyarrow().to_pylist()}


def test_pooling_and_unknown_by_hand(tables):
    cust, pros = tables
    d = SegmentDefinition(["sector", "size_class"], min_size=3).fit(cust, pros)
    assert _segments(cust, d, "customer_id") == {"C1": "Zorg / large", "C2": "Zorg / large", "C3": OTHER,
                                                 "C4": UNKNOWN}
    assert _segments(pros, d, "prospect_id") == {"P1": "Zorg / large", "P2": OTHER, "P3": UNKNOWN}
    assert d.pooled_ == ["Bouw / large", "Bouw / small"]
    assert d.segments_ == ["Zorg / large", OTHER, UNKNOWN]
    assert "2 combinations" in d.pooled_note and "Bouw / small" in d.pooled_note


def test_every_record_in_exactly_one_segment(tables):
    cust, pros = tables
    d = SegmentDefinition(["sector", "size_class"], min_size=2).fit(cust, pros)
    for t, key in ((cust, "customer_id"), (pros, "prospect_id")):
        rows = d.assign(t).to_pyarrow().to_pylist()
        assert len(rows) == t.count().to_pyarrow().as_py()
        assert all(r["target_segment"] in d.segments_ for r in rows)
        assert len({r[key] for r in rows}) == len(rows)


def test_min_size_zero_pools_nothing(tables):
    cust, pros = tables
    d = SegmentDefinition(["sector"], min_size=0).fit(cust, pros)
    assert d.pooled_ == [] and d.pooled_note is None
    assert d.segments_ == ["Bouw", "Zorg", UNKNOWN]


def test_attribute_absent_from_a_table_is_unknown(tables):
    cust, pros = tables
    d = SegmentDefinition(["sector", "region"], min_size=0).fit(cust, pros)
    assert set(_segments(pros, d, "prospect_id").values()) == {UNKNOWN}


def test_assign_before_fit_and_no_attributes_raise(tables):
    cust, _ = tables
    with pytest.raises(NotFittedError, match="fit"):
        SegmentDefinition(["sector"]).assign(cust)
    with pytest.raises(SchemaError, match="segment_by"):
        SegmentDefinition([]).fit(cust)


def test_bands_by_hand():
    t = ibis.memtable({"customer_id": ["a", "b", "c", "d"], "orders_per_year": [1.0, 4.0, 12.0, None],
                       "avg_order_value": [100.0, 250.0, 999.0, 1000.0]})
    rows = add_bands(t).to_pyarrow().to_pylist()
    assert [r["frequency_band"] for r in rows] == ["<4/yr", "4-12/yr", "12+/yr", None]
    assert [r["order_size_band"] for r in rows] == ["<250", "250-1000", "250-1000", "1000+"]


def test_main_product_group_takes_the_largest_revenue_and_breaks_ties_by_name():
    # lines without a product group (empty, blank or NULL) are left out, however large
    ol = ibis.memtable({"customer_id": ["a", "a", "a", "b", "b", "a", "c", "c"],
                        "product_group": ["X", "Y", "Y", "Q", "P", "  ", None, "\t"],
                        "revenue": [100.0, 60.0, 50.0, 10.0, 10.0, 500.0, 5.0, 7.0]})
    got = {r["customer_id"]: r["main_product_group"] for r in main_product_group(ol).to_pyarrow().to_pylist()}
    assert got == {"a": "Y", "b": "P"}
