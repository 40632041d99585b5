"""The same analysis on Spark and on DuckDB gives the same outputs (every CSV and summary.json).

Counts and dates must be equal, money equal within 1e-9 relative; this keeps every analysis born on both
engines. Marked slow: a local Spark session takes a while to start.
"""

import csv
import io
import json
import math
import shutil
from pathlib import Path

import pytest

from salesfocus.config import Config
from salesfocus.io import DuckDBEngine, SparkEngine, parse_data_arg
from salesfocus.pipeline import analyze
from salesfocus.report import write_outputs
from salesfocus.workspace import Workspace

demo = pytest.importorskip("salesfocus.demo")
pytestmark = pytest.mark.slow
SKIP_SUMMARY = {"engine", "run_id", "created_at", "sources"}


def _same(v, w) -> bool:
    if v == w:
        return True
    try:
        return math.isclose(float(v), float(w), rel_tol=1e-9, abs_tol=1e-6)
    except (TypeError, ValueError):
        return False


def _diff_summary(path, a, b, out):
    if isinstance(a, dict):
        for k in a:
            if k not in SKIP_SUMMARY:
                _diff_summary(f"{path}.{k}", a[k], b.get(k) if isinstance(b, dict) else None, out)
    elif isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            out.append(path)
        else:
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                _diff_summary(f"{path}[{i}]", x, y, out)
    elif not _same(a, b) and not _same(str(a), str(b)):
        out.append(f"{path}: {a!r} vs {b!r}")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.skip("no Java: Spark needs openjdk-17-jre-headless (make test installs it)")
    root = tmp_path_factory.mktemp("parity")
    d = demo.generate_demo(root / "data", customers=300, seed=8)
    args = [f"{t}={p}" for t, p in d.paths.items()]
    outs = {}
    for name in ("duckdb", "spark"):
        ws = Workspace(root / f"{name}.duckdb")
        eng = DuckDBEngine(ws) if name == "duckdb" else SparkEngine("local[2]")
        run = analyze(eng, ws, [parse_data_arg(a) for a in args], {}, Config())
        write_outputs(run, root / name)
        if name == "spark":
            eng.stop()
        ws.close()
        outs[name] = root / name
    return outs


def test_every_csv_is_the_same(both):
    a, b = both["duckdb"], both["spark"]
    names = sorted(p.name for p in a.glob("*.csv"))
    assert names == sorted(p.name for p in b.glob("*.csv"))
    problems = []
    for n in names:
        x = list(csv.DictReader(io.StringIO((a / n).read_text(encoding="utf-8-sig"), newline="")))
        y = list(csv.DictReader(io.StringIO((b / n).read_text(encoding="utf-8-sig"), newline="")))
        if len(x) != len(y):
            problems.append(f"{n}: {len(x)} vs {len(y)} rows")
            continue
        bad = [(i, c, r[c], y[i].get(c)) for i, r in enumerate(x) for c in r if not _same(r[c], y[i].get(c))]
        if bad:
            problems.append(f"{n}: {len(bad)} values, e.g. {bad[:2]}")
    assert not problems, problems


def test_summary_is_the_same(both):
    sa = json.loads(Path(both["duckdb"], "summary.json").read_text())
    sb = json.loads(Path(both["spark"], "summary.json").read_text())
    out: list[str] = []
    _diff_summary("", sa, sb, out)
    assert not out, out[:10]
    assert sb["engine"] == "spark"
