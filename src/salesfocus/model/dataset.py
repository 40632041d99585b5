"""A data set: the canonical tables on one engine, the as-of date and what counts as a customer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from salesfocus.config import CustomerRule
from salesfocus.errors import SchemaError
from salesfocus.io.schemas import SCHEMAS

__all__ = ["Dataset", "customer_status"]


@dataclass
class Dataset:
    """Canonical tables (Ibis expressions on one engine); only ``order_lines`` is required."""

    tables: dict[str, ibis.Table]
    as_of: dt.date
    missing_notes: list[str] = field(default_factory=list)
    _has_cost: bool | None = field(default=None, repr=False)

    def has(self, name: str) -> bool:
        return name in self.tables

    def get(self, name: str) -> ibis.Table | None:
        return self.tables.get(name)

    def require(self, name: str, analysis: str) -> ibis.Table:
        """The table, or a SchemaError that says which analysis needs it."""
        if name not in self.tables:
            raise SchemaError(
                f"{analysis} needs the {name} table ({SCHEMAS[name].description}); pass it as {name}=FILE"
            )
        return self.tables[name]

    def note_missing(self, name: str, what: str) -> None:
        """Record, once, that an optional table is absent and what that leaves out."""
        msg = f"no {name} table: {what}"
        if name not in self.tables and msg not in self.missing_notes:
            self.missing_notes.append(msg)

    @property
    def has_cost(self) -> bool:
        """Whether the order lines carry any cost of goods (asked once, then remembered)."""
        if self._has_cost is None:
            t = self.tables.get("order_lines")
            t = self.tables["orders"] if t is None else t
            self._has_cost = bool(t.cost.notnull().any().to_pyarrow().as_py())
        return self._has_cost


def _months_before(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    m += 1
    import calendar

    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def customer_status(last_order: ir.DateValue, orders_in_window: ir.IntegerValue, as_of: dt.date,
                    rule: CustomerRule, master_status: ir.StringValue | None = None) -> ir.StringValue:
    """``active`` / ``inactive`` / ``ex-customer`` by the configured rule, the same everywhere.

    Active: at least ``min_orders`` orders in the ``active_months`` before the as-of date. Ex-customer:
    no order for ``ex_customer_months`` (or the customer master says so, when trusted). Else inactive.
    """
    ex_limit = ibis.literal(_months_before(as_of, rule.ex_customer_months))
    status = ibis.cases(
        (orders_in_window >= rule.min_orders, "active"),
        (last_order.isnull() | (last_order <= ex_limit), "ex-customer"),
        else_="inactive",
    )
    if master_status is not None and rule.use_status_column:
        s = master_status.lower().strip()
        status = ibis.cases(
            (s.isin(["ex-customer", "ex-klant", "exklant", "former", "lost", "verloren", "opgezegd"]), "ex-customer"),
            else_=status,
        )
    return status


def active_window_start(as_of: dt.date, rule: CustomerRule) -> dt.date:
    return _months_before(as_of, rule.active_months)
