"""Calendar periods: labels, half-open ranges, the partial last period, labels in the engine."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from salesfocus.errors import InputError
from salesfocus.periods import calendar, label, label_expr, parse_label

D = dt.date


def test_year_quarter_month_labels_and_half_open_ranges():
    q = calendar(D(2024, 2, 3), D(2024, 8, 31), "quarter")
    assert [p.label for p in q] == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert (q[0].start, q[0].end) == (D(2024, 1, 1), D(2024, 4, 1))  # 31 March in, 1 April out
    assert [p.partial for p in q] == [False, False, True] and q[-1].days == 62
    m = calendar(D(2023, 12, 31), D(2024, 2, 29), "month")
    assert [p.label for p in m] == ["2023-12", "2024-01", "2024-02"] and not m[-1].partial
    y = calendar(D(2022, 6, 1), D(2024, 12, 30), "year")
    assert [(p.label, p.partial, p.days) for p in y] == [("2022", False, 365), ("2023", False, 365),
                                                          ("2024", True, 365)]


def test_labels_parse_back_and_match_the_engine():
    days = [D(2024, 1, 1), D(2024, 3, 31), D(2024, 4, 1), D(2024, 12, 31), D(1999, 10, 5)]
    t = ibis.memtable({"d": days})
    for kind in ("year", "quarter", "month"):
        got = t.select(x=label_expr(t.d, kind)).to_pandas().x.tolist()
        assert got == [label(p, kind) for p in [calendar(d, d, kind)[0].start for d in days]]
    assert parse_label("2024-Q2") == ("quarter", D(2024, 4, 1))
    assert parse_label("2024-02") == ("month", D(2024, 2, 1)) and parse_label("2024") == ("year", D(2024, 1, 1))
    assert parse_label("2024-13") is None and parse_label("Q2 2024") is None


def test_bad_kind_and_empty_span_are_input_errors():
    with pytest.raises(InputError, match="period 'week': use year, quarter or month"):
        calendar(D(2024, 1, 1), D(2024, 2, 1), "week")
    with pytest.raises(InputError, match="no orders up to the as-of date"):
        calendar(D(2024, 3, 1), D(2024, 2, 1), "month")
