"""One TOML file, validated with pydantic: thresholds, weights, cost rates, criteria.

Every section has documented defaults, so an empty file (or none) is a valid configuration.
``salesfocus/default.toml`` shows every key with its default and a comment.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from salesfocus.errors import ConfigError

__all__ = [
    "Config",
    "CustomerRule",
    "ImportOptions",
    "CostRates",
    "PyramidConfig",
    "load_config",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class CustomerRule(_Section):
    """What counts as a customer, applied the same in every analysis.

    A customer is *active* when it ordered within ``active_months`` before the as-of date, *inactive*
    when its last order is older than that but within ``ex_customer_months``, and an *ex-customer*
    beyond that (or when the customer master says so and ``use_status_column`` is on).
    """

    active_months: int = Field(12, ge=1, description="Months without an order before a customer is inactive.")
    ex_customer_months: int = Field(24, ge=1, description="Months without an order before it is an ex-customer.")
    min_orders: int = Field(1, ge=1, description="Orders needed in the active window to count as active.")
    use_status_column: bool = Field(True, description="Trust customers.status = ex-customer/inactive when given.")
    include_ex_customers: bool = Field(
        True, description="Keep ex-customers in per-customer outputs (flagged) rather than leaving them out."
    )


class ImportOptions(_Section):
    """How import treats awkward rows."""

    anonymous_customer: str | None = Field(
        None,
        description="Keep rows without a customer id under this explicit id (e.g. 'ANONYMOUS') instead of "
        "rejecting them.",
    )
    allow_future_days: int = Field(
        0, ge=0, description="Dates up to this many days after the import date are accepted (planned deliveries)."
    )
    reject_unknown_customers: bool = Field(
        True, description="Reject order lines whose customer id is not in the customers table (when it is given)."
    )


class CostRates(_Section):
    """Activity-based cost-to-serve rates in the company's currency.

    A rate of 0 switches that component off. Activity rates apply per activity (``quantity``); where an
    activity row carries its own ``cost`` that cost is used instead of the rate.
    """

    per_order: float = Field(25.0, ge=0, description="Order handling per order (order entry, picking, admin).")
    per_order_line: float = Field(1.5, ge=0, description="Handling per order line.")
    per_delivery: float = Field(35.0, ge=0, description="Per delivery (from activities of type 'delivery').")
    deliveries_from_orders: bool = Field(
        True, description="Without delivery activities, count one delivery per order."
    )
    per_visit: float = Field(150.0, ge=0, description="Per visit (travel plus time).")
    per_visit_hour: float = Field(0.0, ge=0, description="Per visit hour, added when activities carry hours.")
    per_call: float = Field(8.0, ge=0, description="Per sales or service call.")
    per_support_ticket: float = Field(25.0, ge=0, description="Per support ticket.")
    per_complaint: float = Field(60.0, ge=0, description="Per complaint.")
    per_return: float = Field(40.0, ge=0, description="Per return (handling, not the credited value).")
    per_quote: float = Field(20.0, ge=0, description="Per quote.")
    per_invoice: float = Field(5.0, ge=0, description="Administrative cost per invoice.")
    capital_rate: float = Field(0.08, ge=0, le=1, description="Annual cost of capital for late payment.")
    by_channel: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Rates that differ per customer channel or segment, e.g. {webshop = {per_order = 5}}.",
    )


class PyramidConfig(_Section):
    """The customer pyramid: levels by cumulative share of revenue (or profit)."""

    basis: Literal["revenue", "net_profit"] = "revenue"
    levels: list[tuple[str, float]] = Field(
        default_factory=lambda: [("top", 0.5), ("large", 0.8), ("medium", 0.95), ("small", 1.0)],
        description="Level name and the cumulative share of the basis it reaches, best customers first.",
    )
    friday_afternoon_visits: float = Field(
        6, gt=0, description="Visits per year from which a customer's profit must justify them (over-served "
        "when its net profit per visit is below the cost of a visit)."
    )
    under_served_visits: float = Field(
        2, ge=0, description="Visits per year below which a customer of an under_served_levels level gets too "
        "little attention."
    )
    under_served_levels: list[str] = Field(
        default_factory=lambda: ["top", "large"], description="Pyramid levels whose customers should be visited."
    )
    cross_sell_max_share: float = Field(
        0.10, gt=0, le=1, description="A product group bought by at most this share of customers counts as "
        "cross-selling value of a loss-making customer that buys it."
    )

    @field_validator("levels")
    @classmethod
    def _increasing(cls, v: list[tuple[str, float]]) -> list[tuple[str, float]]:
        shares = [s for _, s in v]
        if not v or shares != sorted(shares) or shares[-1] != 1.0:
            raise ValueError("pyramid levels need increasing cumulative shares ending at 1.0")
        return v


class Config(_Section):
    """The whole configuration."""

    lang: Literal["en", "nl"] = "en"
    currency: str = "EUR"
    as_of: str | None = Field(None, description="Analysis date (yyyy-mm-dd); default the last order date.")
    customer_rule: CustomerRule = Field(default_factory=CustomerRule)
    import_options: ImportOptions = Field(default_factory=ImportOptions, alias="import")
    cost_rates: CostRates = Field(default_factory=CostRates)
    pyramid: PyramidConfig = Field(default_factory=PyramidConfig)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a TOML config file; ``None`` gives the defaults.

    Raises
    ------
    ConfigError
        When the file is missing, is not TOML, or a value is invalid; the message names the key.
    """
    if path is None:
        return Config()
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file {p} not found: pass an existing TOML file to --config")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file {p} is not valid TOML: {e}") from None
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors())
        raise ConfigError(f"config file {p}: {problems}") from None
