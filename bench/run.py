#!/usr/bin/env python3
"""Benchmark (not a test): salesfocus against the floor and the hand-written alternatives, in one run.

For each size (order lines) it generates the demo wholesaler once (cached under bench/cache/) and
measures, each in a fresh process, wall time and peak memory of:
  floor       DuckDB scanning the needed columns (the least any tool must pay)
  duckdb_sql  one hand-written DuckDB GROUP BY of the per-customer measures
  pandas      an idiomatic pandas groupby of the same measures
  import      salesfocus import + validation + per-customer measures (stage 1) into a workspace file
  import_csv  the same from the same lines written as a Dutch CSV export (';', decimal comma, dd-mm-yyyy): every
              number and date read from text
  reanalyze   re-analysis from that workspace, every step computed: stage 1 from the kept tables and every
              analysis, no outputs (what the web app does after a change of the cost rates or the data)
  reanalyze_targeting  re-analysis after a change of a targeting weight, on the workspace `analyze` left: the
              steps no change touched are taken from its last run (what the web app does on that change)
  reanalyze_abc  the same after a change of the A/B/C threshold: segments, periods and targeting computed
  analyze     the whole `salesfocus analyze` (import + validation + measures + analyses + outputs), new workspace
  analyze_again  the same command again on the same export: the workspace's import is reused
  every_table the demo's every table (customers, activities, invoices, assessments, leads, prospects beside the
              lines): `analyze` once, then the web app's way, one process, change after change: a targeting weight
              and the A/B/C threshold (best of the changes after the first, which loads the libraries)
  pymc_rfm    pymc-marketing's rfm_summary alone (only when pymc-marketing is installed in the venv)
  fit         the prediction fit alone: BG/NBD and Gamma-Gamma by maximum likelihood on 1M customers
              simulated from BG/NBD (four years, weekly units) with Gamma-distributed order values; goal <= 3 s
and prints a table with the ratios the issue asks for (import + measures against the hand-written GROUP BY,
re-analysis against the scan floor, the whole analyze against both); results go to bench/results.json.
Process times include the Python start-up and imports.

Usage: python bench/run.py [--sizes 1000000 10000000] [--repeat 2] [--data PATH.parquet ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache"
COLS = "customer_id, order_id, order_date, product_id, revenue, cost"

TASKS = {
    "floor": """
import duckdb, sys, time
con = duckdb.connect()
t = time.perf_counter()
con.execute("SELECT count(*), sum(revenue), sum(cost), min(order_date), max(order_date), "
            "max(customer_id), max(order_id), max(product_id) FROM read_parquet(?)",
            [sys.argv[1]]).fetchall()
print("SCAN", time.perf_counter() - t)
""",
    "duckdb_sql": """
import duckdb, sys
con = duckdb.connect()
con.execute('''COPY (SELECT customer_id, sum(revenue) AS revenue, sum(cost) AS cost,
    sum(revenue) - sum(cost) AS margin, (sum(revenue) - sum(cost)) / nullif(sum(revenue), 0) AS margin_pct,
    count(DISTINCT order_id) AS orders, count(*) AS lines, min(order_date) AS first_order,
    max(order_date) AS last_order, date_diff('day', max(order_date), DATE '2025-12-31') AS recency_days,
    date_diff('day', min(order_date), DATE '2025-12-31') AS tenure_days,
    sum(revenue) / count(DISTINCT order_id) AS avg_order_value, count(DISTINCT product_id) AS products
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
    "import": """
import sys, pathlib, time
from salesfocus import pipeline
from salesfocus.config import load_config
from salesfocus.io.importer import DuckDBEngine, import_sources
from salesfocus.io.readers import parse_data_arg
from salesfocus.model.dataset import Dataset
from salesfocus.workspace import Workspace
p = pathlib.Path(sys.argv[2]); p.unlink(missing_ok=True)
cfg = load_config(None)
with Workspace(p) as ws:
    eng = DuckDBEngine(ws)
    rep = import_sources(eng, [parse_data_arg(sys.argv[1])], {}, cfg, mode="replace")
    ol = rep.tables["order_lines"]
    as_of = ol.order_date.max().to_pyarrow().as_py()
    ds = Dataset(dict(rep.tables), as_of)
    compact = pipeline._compact(eng, ws, ds, None, [])
    t = time.perf_counter()
    pipeline._stage1(eng, ds, cfg, compact)
    print("MEASURES", time.perf_counter() - t)
""",
    "pymc_rfm": """
import sys
import pandas as pd
from pymc_marketing.clv.utils import rfm_summary
df = pd.read_parquet(sys.argv[1], columns=["customer_id", "order_id", "order_date", "revenue"])
rfm_summary(df, "customer_id", "order_date", "revenue", observation_period_end="2025-12-31").to_parquet("/dev/null")
""",
    "reanalyze": """
import sys, pathlib
from salesfocus import pipeline
from salesfocus.config import load_config
from salesfocus.workspace import Workspace
with Workspace(pathlib.Path(sys.argv[2])) as ws:
    pipeline.reanalyze(ws, load_config(None), reuse=False)
""",
}

CHANGE = """
import sys, pathlib
from salesfocus import pipeline
from salesfocus.config import Config
from salesfocus.workspace import Workspace
with Workspace(pathlib.Path(sys.argv[2])) as ws:
    data = ws.load_run().meta["config"]  # changed against the last run's settings: each repeat is a change
%s
    pipeline.reanalyze(ws, Config.model_validate(data))
"""
CHANGES = {
    "reanalyze_targeting": """    w = data["targeting"]["attractiveness_weights"]
    w[sorted(w)[0]] += 1.0""",
    "reanalyze_abc": """    a = data["segments"]["abc"]
    a["high_share"] = 0.75 if a["high_share"] != 0.75 else 0.8""",
}


APP = """
import sys, time, pathlib
from salesfocus import pipeline
from salesfocus.config import Config
from salesfocus.workspace import Workspace
with Workspace(pathlib.Path(sys.argv[2])) as ws:
    for kind in ("TARGETING", "ABC"):
        times = []
        for i in range(4):
            data = ws.load_run().meta["config"]  # each repeat is a change against the last run
            if kind == "TARGETING":
                w = data["targeting"]["attractiveness_weights"]
                w[sorted(w)[0]] += 1.0
            else:
                a = data["segments"]["abc"]
                a["high_share"] = 0.75 if a["high_share"] != 0.75 else 0.8
            t = time.perf_counter()
            pipeline.reanalyze(ws, Config.model_validate(data))
            ws.wait()
            times.append(time.perf_counter() - t)
        print("APP_" + kind, min(times[1:]))  # the first in the process loads the libraries
"""
"""The web app's way: one process, change after change, on a workspace of every demo table."""

FIT = """
import sys, time
import numpy as np
from salesfocus.predict import BetaGeoModel, GammaGammaModel
from salesfocus.predict.simulate import simulate_bgnbd_summary
n = int(sys.argv[1])
rfm = simulate_bgnbd_summary(n, r=0.25, alpha=4.0, a=0.8, b=2.5, max_T_days=4 * 365, seed=1)
rng = np.random.default_rng(2)
# Gamma-Gamma: a customer's mean order value ~ Gamma(p·x, ν) with ν ~ Gamma(q, γ): p = 6, q = 4, γ = 300
nu = rng.gamma(4.0, 1 / 300.0, size=n)
x = rfm["frequency"].to_numpy()
rfm["monetary_value"] = np.where(x > 0, rng.gamma(6.0 * np.maximum(x, 1), 1.0) / np.maximum(x, 1) / nu, 0.0)
t = time.perf_counter()
BetaGeoModel().fit(rfm)
GammaGammaModel().fit(rfm)
print("FIT", time.perf_counter() - t)
"""
FIT_CUSTOMERS = 1_000_000


def peak_of(cmd: list[str], inner: dict[str, list[float]] | None = None) -> tuple[float, float]:
    """Wall seconds and peak GiB of ``cmd`` as a process; lines ``NAME seconds`` it prints (times measured
    inside the process, such as the scan alone or stage 1 alone) are added to ``inner``."""
    wrapper = [sys.executable, "-c",
               "import resource, subprocess, sys, time; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:]); w = time.perf_counter() - t; "
               "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20); sys.exit(r.returncode)",
               *cmd]
    r = subprocess.run(wrapper, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])} failed: {r.stderr.strip()[-500:]}")
    lines = r.stdout.strip().splitlines()
    for line in lines[:-1]:
        key, _, value = line.partition(" ")
        if inner is not None and key in ("SCAN", "MEASURES", "FIT", "APP_TARGETING", "APP_ABC"):
            inner.setdefault(key.lower(), []).append(float(value))
    wall, gib = lines[-1].split()
    return float(wall), float(gib)


def data_for(lines: int) -> Path:
    d = CACHE / f"demo_{lines}"
    if not (d / "order_lines.parquet").exists():
        print(f"generating {lines:,} order lines (cached in {d}) ...", flush=True)
        from salesfocus.demo import generate_demo

        generate_demo(d, customers=None, lines=lines, seed=1)
    return d / "order_lines.parquet"


def dutch_csv(parquet: Path) -> Path:
    """The order lines as a Dutch export writes them (cached beside the Parquet file)."""
    csv = parquet.with_name(parquet.stem + "_nl.csv")
    if not csv.exists():
        import duckdb

        con = duckdb.connect()
        src = f"read_parquet('{parquet}')"
        numbers = [name for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
                   if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL")]
        comma = ", ".join(f"replace(CAST({c} AS VARCHAR), '.', ',') AS {c}" for c in numbers)
        con.execute(f"COPY (SELECT * {f'REPLACE ({comma})' if comma else ''} FROM {src}) TO '{csv}' "
                    "(HEADER, DELIMITER ';', DATEFORMAT '%d-%m-%Y')")
    return csv


def every_table(sf: str, path: Path, out: Path, repeat: int) -> dict[str, float] | None:
    """On the demo's every table (not only its lines): ``analyze`` once, then the web app's changes (:data:`APP`)."""
    demo = sorted(path.parent.glob("*.parquet"))
    if len(demo) < 2 or path.name != "order_lines.parquet":
        return None
    ws_all = out / "ws_all.duckdb"
    for f in out.glob("ws_all.duckdb*"):
        f.unlink()
    every = [f"{p.stem}={p}" for p in demo if p.stem != "truth"]
    wall, gib = peak_of([sf, "analyze", *every, "--out", str(out / "all"), "--workspace", str(ws_all)])
    inner: dict[str, list[float]] = {}
    app = [peak_of([sys.executable, "-c", APP, str(path), str(ws_all)], inner) for _ in range(repeat)]
    return {"analyze_s": wall, "gib": max(gib, *(g for _, g in app)),
            "app_targeting_s": min(inner["app_targeting"]), "app_abc_s": min(inner["app_abc"])}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--data", type=Path, nargs="*", default=[],
                    help="order-lines Parquet files to measure instead of the generated demo sizes")
    a = ap.parse_args()
    sf = str(Path(sys.executable).with_name("salesfocus"))
    results = []
    inputs = [(p, None) for p in a.data] or [(data_for(n), n) for n in a.sizes]
    for path, n in inputs:
        if n is None:
            import duckdb

            n = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
        out = CACHE / f"out_{n}"
        out.mkdir(parents=True, exist_ok=True)
        row = {"lines": n, "data": str(path)}
        for name, code in TASKS.items():
            if name == "pymc_rfm" and importlib.util.find_spec("pymc_marketing") is None:
                continue  # optional: pip install pymc-marketing into the venv to measure it beside us
            ws = out / "ws_import.duckdb"  # re-analysis reads the workspace that import + measures wrote
            inner: dict[str, list[float]] = {}
            runs = [peak_of([sys.executable, "-c", code, str(path), str(ws)], inner) for _ in range(a.repeat)]
            row[name] = {"s": min(w for w, _ in runs), "gib": max(g for _, g in runs)}
            row[name] |= {f"{k}_s": min(v) for k, v in inner.items()}  # in-process: the scan, stage 1
        csv, ws = dutch_csv(path), out / "ws_csv.duckdb"
        runs = [peak_of([sys.executable, "-c", TASKS["import"], str(csv), str(ws)]) for _ in range(a.repeat)]
        row["import_csv"] = {"s": min(w for w, _ in runs), "gib": max(g for _, g in runs)}
        analyze = [sf, "analyze", str(path), "--out", str(out), "--workspace", str(out / "ws.duckdb")]
        first = []
        for _ in range(a.repeat):  # a first analyze imports: the workspace is new each time
            for f in out.glob("ws.duckdb*"):
                f.unlink()
            first.append(peak_of(analyze))
        row["analyze"] = {"s": min(w for w, _ in first), "gib": max(g for _, g in first)}
        again = [peak_of(analyze) for _ in range(a.repeat)]  # the same export again: its import is reused
        row["analyze_again"] = {"s": min(w for w, _ in again), "gib": max(g for _, g in again)}
        for name, change in CHANGES.items():  # on the workspace analyze left, with its runs
            runs = [peak_of([sys.executable, "-c", CHANGE % change, str(path), str(out / "ws.duckdb")])
                    for _ in range(a.repeat)]
            row[name] = {"s": min(w for w, _ in runs), "gib": max(g for _, g in runs)}
        every = every_table(sf, path, out, a.repeat)
        if every is not None:
            row["every_table"] = every
        results.append(row)
        print(f"{n:>12,} lines: " + "  ".join(f"{k} {v['s']:.2f}s/{v['gib']:.2f}GiB" for k, v in row.items()
                                              if isinstance(v, dict) and "s" in v), flush=True)
    inner = {}
    fit = [peak_of([sys.executable, "-c", FIT, str(FIT_CUSTOMERS)], inner) for _ in range(a.repeat)]
    fit_row = {"customers": FIT_CUSTOMERS, "fit_s": min(inner["fit"]), "process_s": min(w for w, _ in fit),
               "gib": max(g for _, g in fit)}
    print()
    print(f"{'lines':>12} {'floor s':>8} {'sql s':>7} {'pandas s':>9} {'pymc rfm s':>11} {'import+measures s':>18} "
          f"{'x sql':>6} {'scan s':>7} {'measures s':>11} {'x scan':>7} {'reanalysis s':>13} {'x floor':>8} "
          f"{'targeting change s':>19} {'x floor':>8} {'a/b/c change s':>15} {'x floor':>8} "
          f"{'analyze s':>10} {'x sql':>6} {'again s':>8} {'x sql':>6} {'peak GiB':>9} {'csv import s':>13}")
    for r in results:
        an, ag, im, re_ = r["analyze"]["s"], r["analyze_again"]["s"], r["import"]["s"], r["reanalyze"]["s"]
        fl, sq = r["floor"]["s"], r["duckdb_sql"]["s"]
        pm = r.get("pymc_rfm", {}).get("s")
        rt, ra = r["reanalyze_targeting"]["s"], r["reanalyze_abc"]["s"]
        peak = max(r[k]["gib"] for k in ("import", "reanalyze", "analyze", "analyze_again", *CHANGES))
        scan, ms = r["floor"]["scan_s"], r["import"]["measures_s"]
        r["ratios"] = {"import_vs_sql": im / sq, "measures_vs_scan": ms / scan,
                       "reanalysis_vs_floor": re_ / fl, "targeting_change_vs_floor": rt / fl,
                       "abc_change_vs_floor": ra / fl, "analyze_vs_sql": an / sq,
                       "analyze_again_vs_sql": ag / sq, "analyze_vs_pandas": an / r["pandas"]["s"],
                       "analyze_vs_pymc_rfm": an / pm if pm else None}
        pms = f"{pm:>11.2f}" if pm else f"{'-':>11}"
        print(f"{r['lines']:>12,} {fl:>8.2f} {sq:>7.2f} {r['pandas']['s']:>9.2f} {pms} {im:>18.2f} {im / sq:>6.1f} "
              f"{scan:>7.2f} {ms:>11.2f} {ms / scan:>7.1f} {re_:>13.2f} {re_ / fl:>8.1f} {rt:>19.2f} {rt / fl:>8.1f} "
              f"{ra:>15.2f} {ra / fl:>8.1f} {an:>10.2f} {an / sq:>6.1f} "
              f"{ag:>8.2f} {ag / sq:>6.1f} {peak:>9.2f} {r['import_csv']['s']:>13.2f}")
    for r in results:
        if "every_table" in r:
            e = r["every_table"]
            print(f"\nevery demo table, {r['lines']:,} lines: analyze {e['analyze_s']:.2f} s; the web app's changes "
                  f"(one process, change after change): a targeting weight {e['app_targeting_s']:.2f} s "
                  f"({e['app_targeting_s'] / r['floor']['s']:.1f}x floor), the A/B/C threshold {e['app_abc_s']:.2f} s "
                  f"({e['app_abc_s'] / r['floor']['s']:.1f}x floor); peak {e['gib']:.2f} GiB")
    print(f"\nprediction fit (BG/NBD + Gamma-Gamma) on {FIT_CUSTOMERS:,} simulated customers: "
          f"{fit_row['fit_s']:.2f} s (goal <= 3 s; the process with the simulation {fit_row['process_s']:.2f} s, "
          f"peak {fit_row['gib']:.2f} GiB)")
    import os

    meta = {"machine": f"{platform.machine()}, {platform.processor() or ''} {os.cpu_count()} cores, "
                       f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
            "load_average_at_end": os.getloadavg(),
            "python": platform.python_version(), "results": results, "prediction_fit": fit_row}
    (HERE / "results.json").write_text(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
