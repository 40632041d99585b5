"""Per-customer measures as Ibis expressions: one module per family, nothing executes here."""

from salesfocus.measures.activity import ACTIVITY_TYPES, activity_measures
from salesfocus.measures.cost_to_serve import COMPONENTS, cost_to_serve
from salesfocus.measures.customer import (
    customer_dates,
    customer_groups,
    customer_measures,
    customer_products,
    customer_totals,
    customer_years,
    orders,
)
from salesfocus.measures.money import exact_sum
from salesfocus.measures.payment import payment_measures

__all__ = [
    "ACTIVITY_TYPES",
    "COMPONENTS",
    "activity_measures",
    "cost_to_serve",
    "customer_dates",
    "customer_groups",
    "customer_measures",
    "customer_products",
    "customer_totals",
    "customer_years",
    "exact_sum",
    "orders",
    "payment_measures",
]
