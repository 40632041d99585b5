"""The business data model: the canonical tables of one data set, the analysis date, the customer rule."""

from salesfocus.model.context import RunContext
from salesfocus.model.dataset import Dataset, customer_status

__all__ = ["Dataset", "RunContext", "customer_status"]
