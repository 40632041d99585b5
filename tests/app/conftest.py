"""A small demo workspace analysed once per session; tests that change it work on a copy."""

import shutil

import pytest

pytest.importorskip("salesfocus.demo")


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory):
    from salesfocus.app.state import ensure_demo

    p = tmp_path_factory.mktemp("app") / "ws.duckdb"
    ensure_demo(p, customers=80, seed=4)
    return p


@pytest.fixture
def workspace_copy(demo_workspace, tmp_path):
    """A private copy of the demo workspace (one run, no answers from the app)."""
    p = tmp_path / "ws.duckdb"
    shutil.copy(demo_workspace, p)
    return p
