#!/usr/bin/env python3
"""Benchmark (not a test): salesfocus against the floor and the hand-written alternatives, in one run.

For each size (order lines) it generates the demo wholesaler once (cached under bench/cache/) and
measures, each in a fresh process, wall time and peak memory of:
  floor       DuckDB scanning the needed columns (the least any tool must pay)
  duckdb_sql  one hand-written DuckDB GROUP BY of the per-customer measures
  pandas      an idiomatic pandas groupby of the same measures
  analyze     the whole `salesfocus analyze` (import + validation + measures + analyses + outputs)
and prints a table with the ratios; results go to bench/results.json.

Usage: python bench/run.py [--sizes 1000000 10000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache"
COLS = "customer_id, order_id, order_date, product_id, revenue, cost"

TASKS = {
    "floor": """
import duckdb, sys
con = duckdb.connect()
con.execute("SELECT count(*), sum(revenue), sum(cost), min(order_date), max(order_date), "
            "max(length(customer_id)), max(length(order_id)), max(length(product_id)) FROM read_parquet(?)",
            [sys.argv[1]]).fetchall()
""",
    "duckdb_sql": """
import duckdb, sys
con = duckdb.connect()
con.execute('''COPY (SELECT customer_id, sum(revenue) revenue, sum(cost) cost, sum(revenue) - sum(cost) margin,
    count(DISTINCT order_id) orders, count(*) lines, min(order_date) first_order, max(order_date) last_order,
    DATE '2025-12-31' - max(order_date) recency, DATE '2025-12-31' - min(order_date) tenure,
    sum(revenue) / count(DISTINCT order_id) aov, count(DISTINCT product_id) products
    FROM read_parquet(?) GROUP BY customer_id) TO '/dev/null' (FORMAT parquet)''', [sys.argv[1]])
""",
    "pandas": """
import pandas as pd, sys
df = pd.read_parquet(sys.argv[1], columns=["customer_id", "order_id", "order_date", "product_id", "revenue", "cost"])
g = df.groupby("customer_id")
out = g.agg(revenue=("revenue", "sum"), cost=("cost", "sum"), orders=("order_id", "nunique"),
            lines=("order_id", "size"), first=("order_date", "min"), last=("order_date", "max"),
            products=("product_id", "nunique"))
out["margin"] = out.revenue - out.cost
out.to_parquet("/dev/null")
""",
}


def peak_of(cmd: list[str]) -> tuple[float, float]:
    wrapper = [sys.executable, "-c",
               "import resource, subprocess, sys, time; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:]); w = time.perf_counter() - t; "
               "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20); sys.exit(r.returncode)",
               *cmd]
    r = subprocess.run(wrapper, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])} failed: {r.stderr.strip()[-500:]}")
    wall, gib = r.stdout.strip().splitlines()[-1].split()
    return float(wall), float(gib)


def data_for(lines: int) -> Path:
    d = CACHE / f"demo_{lines}"
    if not (d / "order_lines.parquet").exists():
        print(f"generating {lines:,} order lines (cached in {d}) ...", flush=True)
        from salesfocus.demo import generate_demo

        generate_demo(d, customers=None, lines=lines, seed=1)
    return d / "order_lines.parquet"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    sf = str(Path(sys.executable).with_name("salesfocus"))
    results = []
    for n in a.sizes:
        path = data_for(n)
        row = {"lines": n}
        for name, code in TASKS.items():
            runs = [peak_of([sys.executable, "-c", code, str(path)]) for _ in range(a.repeat)]
            row[name] = {"s": min(w for w, _ in runs), "gib": max(g for _, g in runs)}
        out = CACHE / f"out_{n}"
        runs = [peak_of([sf, "analyze", str(path), "--out", str(out), "--workspace", str(out / "ws.duckdb")])
                for _ in range(a.repeat)]
        row["analyze"] = {"s": min(w for w, _ in runs), "gib": max(g for _, g in runs)}
        results.append(row)
        print(f"{n:>12,} lines: " + "  ".join(f"{k} {v['s']:.2f}s/{v['gib']:.2f}GiB" for k, v in row.items()
                                              if isinstance(v, dict)), flush=True)
    print()
    print(f"{'lines':>12} {'floor s':>8} {'sql s':>7} {'pandas s':>9} {'analyze s':>10} {'peak GiB':>9} "
          f"{'x floor':>8} {'x sql':>6} {'x pandas':>9}")
    for r in results:
        an = r["analyze"]["s"]
        print(f"{r['lines']:>12,} {r['floor']['s']:>8.2f} {r['duckdb_sql']['s']:>7.2f} {r['pandas']['s']:>9.2f} "
              f"{an:>10.2f} {r['analyze']['gib']:>9.2f} {an / r['floor']['s']:>8.1f} "
              f"{an / r['duckdb_sql']['s']:>6.1f} {an / r['pandas']['s']:>9.2f}")
    meta = {"machine": f"{platform.machine()}, {platform.processor() or ''} {__import__('os').cpu_count()} cores",
            "python": platform.python_version(), "results": results}
    (HERE / "results.json").write_text(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
