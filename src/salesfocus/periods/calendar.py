"""Calendar periods: which year, quarter or month an event falls in, and whether that period is complete.

Every over-time result is measured per calendar period, labelled ``2024`` (year), ``2024-Q1`` (quarter)
or ``2024-01`` (month). A period is the half-open date range ``[start, end)``. The periods of a run run
from the one holding the first order up to the one holding the as-of date; that last period is *partial*
when the as-of date is before its last day, and only its days up to the as-of date count.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

import ibis.expr.types as ir
import pyarrow as pa

from salesfocus.errors import InputError

__all__ = ["KINDS", "PeriodKind", "Period", "calendar", "calendar_arrow", "period_start", "next_start", "label",
           "label_expr", "start_expr", "parse_label"]

PeriodKind = Literal["year", "quarter", "month"]
KINDS: tuple[str, ...] = ("year", "quarter", "month")
_UNIT = {"year": "Y", "quarter": "Q", "month": "M"}
_MONTHS = {"year": 12, "quarter": 3, "month": 1}
_LABEL = {"year": re.compile(r"^(\d{4})$"), "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
          "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")}


@dataclass(frozen=True)
class Period:
    """One calendar period of a run: ``[start, end)``, its position and whether it is complete.

    ``days`` counts the days that belong to the run: up to and including the as-of date in a partial period.
    """

    index: int
    label: str
    start: dt.date
    end: dt.date
    partial: bool
    days: int


def _check(kind: str) -> None:
    if kind not in KINDS:
        raise InputError(f"period {kind!r}: use year, quarter or month")


def period_start(day: dt.date, kind: str) -> dt.date:
    """First day of the period holding ``day``."""
    _check(kind)
    month = (day.month - 1) // _MONTHS[kind] * _MONTHS[kind] + 1
    return dt.date(day.year, month, 1)


def next_start(start: dt.date, kind: str) -> dt.date:
    """First day of the period after the one starting at ``start``."""
    _check(kind)
    y, m = divmod(start.year * 12 + start.month - 1 + _MONTHS[kind], 12)
    return dt.date(y, m + 1, 1)


def label(start: dt.date, kind: str) -> str:
    """``2024``, ``2024-Q1`` or ``2024-01`` for the period starting at ``start``."""
    _check(kind)
    if kind == "year":
        return f"{start.year}"
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def parse_label(text: str) -> tuple[str, dt.date] | None:
    """The kind and first day of a period label, or ``None`` when ``text`` is not a period label."""
    for kind, rx in _LABEL.items():
        m = rx.match(text.strip())
        if m:
            year = int(m.group(1))
            if kind == "year":
                return kind, dt.date(year, 1, 1)
            if kind == "quarter":
                return kind, dt.date(year, (int(m.group(2)) - 1) * 3 + 1, 1)
            return kind, dt.date(year, int(m.group(2)), 1)
    return None


def calendar(first: dt.date, as_of: dt.date, kind: str) -> list[Period]:
    """Every period from the one holding ``first`` to the one holding ``as_of``, oldest first.

    Raises
    ------
    InputError
        When ``kind`` is not year, quarter or month, or ``first`` is after ``as_of``.

    Examples
    --------
    >>> [p.label for p in calendar(dt.date(2024, 2, 3), dt.date(2024, 8, 31), "quarter")]
    ['2024-Q1', '2024-Q2', '2024-Q3']
    >>> calendar(dt.date(2024, 2, 3), dt.date(2024, 8, 31), "quarter")[-1].partial
    True
    """
    _check(kind)
    if first > as_of:
        raise InputError(f"no orders up to the as-of date {as_of}: the first order is on {first}")
    out: list[Period] = []
    start = period_start(first, kind)
    while start <= as_of:
        end = next_start(start, kind)
        last_day = min(end, as_of + dt.timedelta(days=1))
        out.append(Period(len(out), label(start, kind), start, end, as_of + dt.timedelta(days=1) < end,
                          (last_day - start).days))
        start = end
    return out


def calendar_arrow(periods: list[Period], kind: str) -> pa.Table:
    """The periods as a table: ``period_index, period, kind, start, end, partial, days``."""
    return pa.table({
        "period_index": pa.array([p.index for p in periods], pa.int64()),
        "period": pa.array([p.label for p in periods], pa.string()),
        "kind": pa.array([kind] * len(periods), pa.string()),
        "start": pa.array([p.start for p in periods], pa.date32()),
        "end": pa.array([p.end for p in periods], pa.date32()),
        "partial": pa.array([p.partial for p in periods], pa.bool_()),
        "days": pa.array([p.days for p in periods], pa.int64()),
    })


def start_expr(day: ir.DateValue, kind: str) -> ir.DateValue:
    """First day of the period holding each date (an Ibis expression)."""
    _check(kind)
    return day.truncate(_UNIT[kind])


def label_expr(day: ir.DateValue, kind: str) -> ir.StringValue:
    """The period label of each date (an Ibis expression), the same text as :func:`label`."""
    _check(kind)
    year = day.year().cast("string")
    if kind == "year":
        return year
    if kind == "quarter":
        return year + "-Q" + day.quarter().cast("string")
    return year + "-" + day.month().cast("string").lpad(2, "0")


