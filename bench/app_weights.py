"""How fast does the app show a change of a targeting weight on 100,000 customers?

    .venv/bin/python bench/app_weights.py [--customers 100000] [--repeat 20] [--browser] [--full] [--no-apptest]

Builds (once, cached under /tmp/sf-bench/) a demo workspace with that many customers, analysed, then times:

- ``rescore``: the weight change path of the Settings page: the config with the edited weight
  (``editing.with_targeting``), the portfolio scored again from the run's per-segment criteria
  (``state.rescore_portfolio``) and the portfolio chart (``views.portfolio_chart``); median and max over
  ``--repeat`` different weights;
- ``apptest``: the whole Settings page script run again by Streamlit (AppTest, warm cache) after a weight
  is edited in the weights table, as the browser triggers it (page rendering in the browser not included);
- ``--browser``: in headless Chromium against the real server, from Enter on an edited weight in the grid
  until the page has drawn the rerun (``data-test-script-state`` back to notRunning, two animation frames);
- ``--full``: for comparison, one ``pipeline.reanalyze`` (what a save, or any other setting, costs).

Not a test; prints the figures (docs/app.md quotes them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path("/tmp/sf-bench")


def build(customers: int, seed: int = 42) -> Path:
    """The analysed demo workspace (made once; again when its run predates ``targeting_criteria``)."""
    from salesfocus.config import Config
    from salesfocus.demo import generate_demo
    from salesfocus.io import DuckDBEngine, parse_data_arg
    from salesfocus.pipeline import analyze, reanalyze
    from salesfocus.workspace import Workspace

    base = ROOT / f"app-{customers}"
    ws_path = base / "ws.duckdb"
    data = base / "data"
    if ws_path.exists():
        with Workspace(ws_path, read_only=True) as ws:
            runs = ws.runs()
            ok = bool(runs) and "targeting_criteria" in ws.load_run().tables
        if ok:
            return ws_path
        if runs:
            t = time.perf_counter()
            with Workspace(ws_path) as ws:
                reanalyze(ws, Config())
            print(f"re-analysed the cached workspace in {time.perf_counter() - t:.1f} s", flush=True)
            return ws_path
    base.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    d = generate_demo(data, customers=customers, seed=seed)
    print(f"generated {customers:,} demo customers in {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    with Workspace(ws_path) as ws:
        analyze(DuckDBEngine(ws), ws, [parse_data_arg(f"{k}={p}") for k, p in d.paths.items()], {}, Config())
    print(f"analysed into {ws_path} in {time.perf_counter() - t:.1f} s", flush=True)
    return ws_path


def _view(ws_path: Path):
    """The stored run as the app holds it (only the tables the Settings page's targeting part reads)."""
    from salesfocus.app.state import RunView
    from salesfocus.workspace import Workspace

    with Workspace(ws_path, read_only=True) as ws:
        run = ws.load_run()
        frames = {n: run.frame(n) for n in ("segments", "targeting_criteria", "targeting_scores",
                                            "targeting_weights")}
        return RunView(run.run_id, run.created_at, dict(run.meta.get("summary", {})), frames,
                       run.meta.get("config")), int(run.meta["summary"]["customers"])


def time_rescore(ws_path: Path, repeat: int) -> list[float]:
    import numpy as np

    from salesfocus.app.editing import with_targeting
    from salesfocus.app.state import rescore_portfolio, run_config
    from salesfocus.app.views import portfolio_chart
    from salesfocus.targeting.criteria import MEASURED

    view, n = _view(ws_path)
    cfg = run_config(view)
    scores, weights = view.get("targeting_scores"), view.get("targeting_weights")
    judged = [c for c in scores.columns if c not in MEASURED and c not in ("segment", "customers", "prospects")]
    sheet = scores[["segment", *judged]].astype({c: "float64" for c in judged})
    w0 = weights[["axis", "criterion", "weight"]].astype({"weight": "float64"})
    rng = np.random.default_rng(1)
    times, focus = [], set()
    for i in range(repeat + 1):
        w = w0.copy()
        row = int(rng.integers(len(w)))
        w.loc[row, "weight"] = float(w.loc[row, "weight"]) * float(rng.uniform(0.0, 3.0))
        t = time.perf_counter()
        table = rescore_portfolio(view, with_targeting(cfg, sheet, w))
        portfolio_chart(table)
        if i:  # the first is the warm-up (imports)
            times.append(time.perf_counter() - t)
        focus.add(tuple(table.segment[table.focus]))
    print(f"{n:,} customers, {len(table)} segments; {len(focus)} different focus choices among the weight draws")
    return times


def time_apptest(ws_path: Path, repeat: int) -> list[float]:
    from streamlit.testing.v1 import AppTest

    from salesfocus.app.launch import SCRIPT

    os.environ["SALESFOCUS_WORKSPACE"] = str(ws_path)
    at = AppTest.from_file(str(SCRIPT), default_timeout=600)
    t = time.perf_counter()
    at.run()
    at.sidebar.radio[1].set_value("Settings").run()
    print(f"apptest: first Settings page (loads and caches the run) {time.perf_counter() - t:.1f} s", flush=True)
    assert not at.exception, at.exception
    w = at.get("data_editor")[1].value if len(at.get("data_editor")) > 1 else None
    assert w is not None, "no weights editor on the Settings page"
    times = []
    for i in range(repeat):
        at.session_state["weights_editor"] = {"edited_rows": {0: {"weight": float(w.weight.iloc[0]) * (1 + i % 3)}},
                                              "added_rows": [], "deleted_rows": []}
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    return times


BROWSER_JS_WATCH = """() => {
  const w = window.__sf = {t0: performance.now(), start: null, end: null};
  const tick = () => {
    const app = document.querySelector('[data-testid=stApp]');
    const s = app && app.getAttribute('data-test-script-state'), t = performance.now();
    if (s === 'running' && w.start === null) w.start = t;
    if (s === 'notRunning' && w.start !== null) { w.end = t; return; }
    setTimeout(tick, 5);
  };
  tick();
}"""


def time_browser(ws_path: Path, repeat: int) -> list[float]:
    """In headless Chromium (/usr/bin/chromium): Enter on an edited weight until the page has drawn the rerun."""
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "salesfocus.cli", "app", "--workspace", str(ws_path), "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    times = []
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for i in range(repeat + 1):  # a fresh session each time: one edit on the page as it opens
                page.goto(f"http://127.0.0.1:{port}/")
                page.get_by_test_id("stSidebar").get_by_text("Settings", exact=True).click()
                page.get_by_text("Not stored yet").wait_for(timeout=300_000)
                head = page.locator("th[role=columnheader]", has_text="criterion")
                head.first.wait_for(state="attached", timeout=60_000)
                grid = page.get_by_test_id("stDataFrame").filter(has=head).first
                grid.scroll_into_view_if_needed()
                page.locator("[data-testid=stApp][data-test-script-state=notRunning]").wait_for(timeout=300_000)
                page.wait_for_timeout(500)
                box = grid.get_by_test_id("data-grid-canvas").bounding_box()
                page.mouse.click(box["x"] + 10, box["y"] + 35 + 17)  # row 0, then right to its weight
                page.keyboard.press("ArrowRight")
                page.keyboard.press("ArrowRight")
                page.keyboard.press("Enter")  # opens the cell's editor
                page.wait_for_timeout(300)
                page.keyboard.press("Control+A")
                page.keyboard.type(str(40 + 5 * (i % 2)))
                page.wait_for_timeout(300)  # let the editor take the typed value (Enter too soon keeps the old)
                page.evaluate(BROWSER_JS_WATCH)
                page.keyboard.press("Enter")
                try:
                    page.wait_for_function("window.__sf.end !== null", timeout=60_000)
                except Exception:
                    print(f"edit {i}: no rerun seen; weight cell now "
                          f"{grid.locator('#glide-cell-2-0').text_content()!r}", flush=True)
                    page.screenshot(path=str(ROOT / "app-weights-browser-failed.png"), full_page=True)
                    raise
                ms = page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
                                   "() => r(performance.now() - window.__sf.t0))))")
                w = page.evaluate("() => window.__sf")
                print(f"  edit {i}: {ms:.0f} ms = until the rerun starts {w['start'] - w['t0']:.0f} + rerun "
                      f"{w['end'] - w['start']:.0f} + drawing {w['t0'] + ms - w['end']:.0f}", flush=True)
                if i:  # the first edit warms the caches
                    times.append(ms / 1000)
            page.screenshot(path=str(ROOT / "app-weights-browser.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return times


def time_full(ws_path: Path) -> float:
    import shutil
    import tempfile

    from salesfocus.app.state import rerun, run_config

    view, _ = _view(ws_path)
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        copy = Path(tmp) / "ws.duckdb"
        shutil.copy(ws_path, copy)
        t = time.perf_counter()
        rerun(copy, run_config(view))
        return time.perf_counter() - t


def _ms(xs: list[float]) -> str:
    return f"median {1000 * statistics.median(xs):.0f} ms, max {1000 * max(xs):.0f} ms (n={len(xs)})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--full", action="store_true", help="also time one full re-analysis for comparison")
    ap.add_argument("--no-apptest", action="store_true", help="skip the Streamlit script timing")
    ap.add_argument("--browser", action="store_true", help="also time the edit in headless Chromium (real server)")
    ap.add_argument("--build-only", action="store_true")
    a = ap.parse_args(argv)
    ws_path = build(a.customers)
    if a.build_only:
        return 0
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"rescore (weight change -> scores, focus, chart): {_ms(time_rescore(ws_path, a.repeat))}", flush=True)
    if not a.no_apptest:
        print(f"apptest (Settings page run again after a weight edit): {_ms(time_apptest(ws_path, min(a.repeat, 5)))}",
              flush=True)
    if a.browser:
        print(f"browser (Enter on an edited weight -> the rerun drawn, real server, Chromium): "
              f"{_ms(time_browser(ws_path, min(a.repeat, 10)))}", flush=True)
    if a.full:
        print(f"full re-analysis (pipeline.reanalyze): {time_full(ws_path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
