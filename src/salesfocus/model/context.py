"""The context an analysis run shares: each analysis adds tables, per-customer columns and figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis

from salesfocus.config import Config
from salesfocus.model.dataset import Dataset
from salesfocus.workspace import Workspace

__all__ = ["RunContext"]


@dataclass
class RunContext:
    """What the analyses of one run share.

    ``customers`` is the per-customer table in the workspace; ``tables`` the named result tables of the
    run (Ibis or Arrow); ``summary`` the headline figures (summary.json); ``notes`` what the run could
    not do and why.
    """

    workspace: Workspace
    config: Config
    dataset: Dataset
    customers: ibis.Table
    tables: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add_customer_columns(self, expr: ibis.Table) -> None:
        """Join per-customer columns (keyed by customer_id) onto the customer table and store it."""
        cols = [c for c in expr.columns if c != "customer_id"]
        base = self.customers.drop(*[c for c in cols if c in self.customers.columns])
        joined = base.left_join(expr, "customer_id").drop("customer_id_right")
        self.workspace.write("_sf_customers", joined.order_by("customer_id"), temp=True)
        self.customers = self.workspace.table("_sf_customers")

    def note(self, msg: str) -> None:
        if msg not in self.notes:
            self.notes.append(msg)
