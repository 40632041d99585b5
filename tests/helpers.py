"""Helpers shared by tests."""

from __future__ import annotations

import math


def assert_close(a, b, path="") -> None:
    """Equal, floats to 1e-9 relative (sums on the engine may add in another order); the fit's standard errors to
    1e-6 (a finite-difference Hessian makes differences in the 15th digit of its inputs some in the 9th)."""
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            assert_close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        rel = 1e-6 if ".std_errors." in path else 1e-9
        assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rel, abs_tol=1e-12), path
    else:
        assert a == b, path


def made_tables(ws) -> set[str]:
    """The tables the engine made for runs in workspace ``ws`` (``Workspace.make``)."""
    return {r[0] for r in ws.raw.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'made_%'")
            .fetchall()}
