"""``salesfocus analyze --period``: passed through the config; a bad value is a usage error (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys

SF = [sys.executable, "-m", "salesfocus.cli"]


def _run(*args):
    return subprocess.run([*SF, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})


def test_bad_period_exits_2_with_one_message(tmp_path):
    p = tmp_path / "orders.csv"
    p.write_text("customer_id,order_id,order_date,revenue\nK1,O1,2024-01-15,100\n", encoding="utf-8")
    r = _run("analyze", p, "--period", "week", "--out", tmp_path / "o", "--workspace", tmp_path / "w.duckdb")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "--period 'week': use year, quarter or month" in r.stderr and "Traceback" not in r.stderr


def test_period_option_is_documented():
    r = _run("analyze", "--help")
    assert r.returncode == 0 and "--period" in r.stdout and "quarter" in r.stdout
