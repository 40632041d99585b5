"""The canonical data model: seven tables with explicit column contracts.

Every reader maps a source export onto these names and types; every analysis reads only these.
Only ``order_lines`` is required. Types are the engine types the validated tables carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Column", "TableSchema", "SCHEMAS", "TABLES", "REQUIRED_TABLES", "DERIVED_TABLES"]


@dataclass(frozen=True)
class Column:
    """One canonical column: name, kind, whether a row without it is rejected, and a description."""

    name: str
    kind: str  # "string" | "decimal" | "integer" | "float" | "date" | "boolean"
    required: bool = False
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class TableSchema:
    """A canonical table: its columns, its key, and the key it references in ``customers``."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""
    date_column: str | None = None
    references_customers: bool = field(default=False)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


C = Column
SCHEMAS: dict[str, TableSchema] = {
    s.name: s
    for s in (
        TableSchema(
            "customers",
            (
                C("customer_id", "string", True, "Customer number as in the ERP (debiteurnummer)."),
                C("name", "string", description="Company name."),
                C("sector", "string", description="Sector or industry."),
                C("region", "string", description="Region or province."),
                C("country", "string", description="Country code or name."),
                C("size_class", "string", description="Size class, e.g. 'small', 'medium', 'large' or '10-49'."),
                C("employees", "integer", description="Number of employees.", minimum=0),
                C("account_manager", "string", description="Responsible account manager."),
                C("email", "string", description="Contact e-mail address for marketing lists."),
                C("status", "string", description="active / inactive / ex-customer, as the CRM says."),
                C("acquired_date", "date", description="Date the customer was won."),
                C("channel", "string", description="Sales channel that serves the customer (for channel rates)."),
                C("payment_terms_days", "integer", description="Agreed payment term in days.", minimum=0),
            ),
            key=("customer_id",),
            description="One row per customer (the customer master).",
        ),
        TableSchema(
            "order_lines",
            (
                C("customer_id", "string", True, "Customer number."),
                C("order_id", "string", True, "Order or invoice number; lines of one order share it."),
                C("order_date", "date", True, "Order date."),
                C("product_id", "string", description="Product or article number."),
                C("product_group", "string", description="Product group."),
                C("quantity", "float", description="Quantity; negative for a return or credit note."),
                C("revenue", "decimal", True, "Net revenue of the line (after discount, excl. VAT)."),
                C("cost", "decimal", description="Cost of goods of the line (optional)."),
            ),
            description="One row per order line (the only required table).",
            date_column="order_date",
            references_customers=True,
        ),
        TableSchema(
            "activities",
            (
                C("customer_id", "string", True, "Customer number."),
                C("activity_date", "date", True, "Date of the activity."),
                C(
                    "activity_type",
                    "string",
                    True,
                    "visit, call, support_ticket, complaint, return, delivery, quote, e-mail, ...",
                ),
                C("quantity", "float", description="Number of activities on this row (default 1).", minimum=0),
                C("hours", "float", description="Hours spent (optional).", minimum=0),
                C("cost", "decimal", description="Known cost of the activity (optional; overrides the rate)."),
                C("employee", "string", description="Who did it (account manager)."),
            ),
            description="Sales and service activities: visits, calls, tickets, complaints, returns, deliveries.",
            date_column="activity_date",
            references_customers=True,
        ),
        TableSchema(
            "invoices",
            (
                C("customer_id", "string", True, "Customer number."),
                C("invoice_id", "string", True, "Invoice number."),
                C("invoice_date", "date", True, "Invoice date."),
                C("due_date", "date", description="Due date; payment after it is late."),
                C("paid_date", "date", description="Date paid; empty when still open."),
                C("amount", "decimal", True, "Invoice amount."),
            ),
            key=("invoice_id",),
            description="Invoices with their payment behaviour.",
            date_column="invoice_date",
            references_customers=True,
        ),
        TableSchema(
            "assessments",
            (
                C("customer_id", "string", True, "Customer number."),
                C("assessment_date", "date", description="When the assessment was made."),
                C("potential_revenue", "decimal", description="Potential annual revenue (extra, on top of today's).",
                  minimum=0),
                C("margin_ok", "boolean", description="Manual answer to 'enough margin?' (overrides derived)."),
                C("speed_ok", "boolean", description="Manual answer to 'decides and pays fast?' (overrides derived)."),
                C("innovation", "boolean", description="Open to new products and services?"),
                C("network", "boolean", description="Big name or a network full of our target companies?"),
                C("network_relevance", "float", description="Relevance of its network, 1-5.", minimum=0, maximum=5),
                C("network_reputation", "float", description="Reputation in that network, 1-5.", minimum=0,
                  maximum=5),
                C("network_size", "float", description="Size of the network, 1-5.", minimum=0, maximum=5),
                C("nps", "integer", description="Net Promoter Score answer 0-10.", minimum=0, maximum=10),
                C("note", "string", description="Free text."),
            ),
            description="What only people know: potential, the judged criteria, satisfaction (latest row counts).",
            date_column="assessment_date",
            references_customers=True,
        ),
        TableSchema(
            "leads",
            (
                C("lead_id", "string", True, "Lead number."),
                C("lead_date", "date", True, "Date the lead came in."),
                C("channel", "string", description="Channel: website, fair, referral, cold call, ..."),
                C("stage", "string", True, "Stage reached: lead, not_sales_related, quote, won, lost."),
                C("customer_id", "string", description="Customer it became or belongs to."),
                C("prospect_id", "string", description="Prospect it belongs to."),
                C("value", "decimal", description="Value of the quote or deal."),
                C("quote_date", "date", description="Date of the quote."),
                C("closed_date", "date", description="Date won or lost."),
            ),
            key=("lead_id",),
            description="Leads and their stage in the funnel.",
            date_column="lead_date",
        ),
        TableSchema(
            "prospects",
            (
                C("prospect_id", "string", True, "Prospect number."),
                C("name", "string", description="Company name."),
                C("sector", "string", description="Sector."),
                C("region", "string", description="Region or province."),
                C("size_class", "string", description="Size class."),
                C("employees", "integer", description="Number of employees.", minimum=0),
                C("source", "string", description="Where it came from."),
                C("status", "string", description="suspect / prospect / ex-customer."),
                C("customer_id", "string", description="Customer number once it became a customer."),
                C("identified_date", "date", description="When it was identified."),
            ),
            key=("prospect_id",),
            description="Suspects, prospects and ex-customers.",
            date_column="identified_date",
        ),
    )
}
TABLES = tuple(SCHEMAS)
REQUIRED_TABLES = ("order_lines",)
DERIVED_TABLES = ("orders", "customer_groups", "customer_products", "customer_totals", "customer_years",
                  "_import_key")
"""Compact tables built from the order lines after an import (and the key of the import they belong to).
Every import drops them, in its own transaction, so they never describe other lines than the workspace holds."""
