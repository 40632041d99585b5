#!/usr/bin/env python3
"""Write a demo data set with salesfocus.demo.generate_demo and report its size and timing.

Usage: python bench/make_demo_data.py OUT_DIR [--customers N] [--lines N] [--seed 42] [--chunk-lines 1000000]
"""

from __future__ import annotations

import argparse
import time

from salesfocus.demo import generate_demo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--customers", type=int, default=None, help="default 500, or lines // 50 with --lines")
    ap.add_argument("--lines", type=int, default=None, help="target number of order lines")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--start", default="2022-01-01")
    ap.add_argument("--end", default="2025-12-31")
    ap.add_argument("--chunk-lines", type=int, default=1_000_000)
    a = ap.parse_args()
    customers = a.customers if a.customers is not None or a.lines is not None else 500
    t0 = time.perf_counter()
    d = generate_demo(
        a.out_dir, customers=customers, seed=a.seed, lines=a.lines, start=a.start, end=a.end,
        chunk_lines=a.chunk_lines,
    )  # fmt: skip
    el = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in d.paths.values()) / 1e6
    print(
        f"{d.out_dir}: {d.n_customers} customers, {d.n_orders} orders, {d.n_order_lines} order lines, "
        f"{size:.1f} MB Parquet, {el:.1f} s; planted {d.group_counts}"
    )


if __name__ == "__main__":
    main()
