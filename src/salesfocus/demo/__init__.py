"""Deterministic demo data of a fictional Dutch/Flemish B2B wholesaler, with planted truths for testing."""

from salesfocus.demo.generator import PLANTED_GROUPS, DemoData, arrow_schema, generate_demo

__all__ = ["DemoData", "generate_demo", "arrow_schema", "PLANTED_GROUPS"]
