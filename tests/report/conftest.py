"""Fixtures of the report tests: stored runs in an in-memory workspace (see ``runs.py``)."""

from __future__ import annotations

import pytest

from salesfocus.workspace import Workspace

from .runs import CONFIG, SUMMARY, N, tables, thin_tables


@pytest.fixture(scope="session")
def run():
    """The full hand-made run (in-memory workspace, closed after the test)."""
    with Workspace(None) as ws:
        yield ws.save_run(tables(), {"summary": SUMMARY, "config": CONFIG})


@pytest.fixture(scope="session")
def thin_run():
    """A run of only order lines: the customer table, no analyses, no names or e-mail; language nl."""
    with Workspace(None) as ws:
        yield ws.save_run(thin_tables(), {"summary": {"customers": N, "revenue": 725_000.0, "gross_margin": None,
                                                      "period_start": "2023-01-02", "period_end": "2024-12-31"},
                                          "config": {"lang": "nl"}})
