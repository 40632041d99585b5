"""The web app end to end in headless Chromium: import a Dutch export, see the matrix, answer, reload, download.

Starts the real server (``salesfocus app --workspace FILE --port N`` on 127.0.0.1) and drives Debian's
``/usr/bin/chromium`` with Playwright (never a downloaded browser). Every step leaves a screenshot in
``test-artifacts/browser/`` under the repository (git-ignored; ``SALESFOCUS_ARTIFACTS`` moves it) for CI
to keep. Every request the page makes is checked: any host other than 127.0.0.1/localhost fails the test
(and is aborted).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("SALESFOCUS_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")) / (
    "browser")
LOCAL = {"127.0.0.1", "localhost"}
T = 60_000  # ms: generous, the machine is shared


def dutch_export(path: Path, customers: int = 40, seed: int = 3) -> Path:
    """Order lines as a Dutch ERP exports them: ';', decimal comma, dd-mm-jjjj, Dutch headers."""
    rng = random.Random(seed)
    rows = ["klantnummer;ordernummer;orderdatum;artcode;artikelgroep;omzet;kostprijs"]
    order = 10000
    start = dt.date(2024, 1, 1)
    for k in range(1, customers + 1):
        size = rng.choice([1, 1, 2, 5, 20])
        for _ in range(rng.randint(1, 10)):
            order += 1
            day = start + dt.timedelta(days=rng.randint(0, 729))
            for _ in range(rng.randint(1, 3)):
                omzet = round(rng.uniform(20, 400) * size, 2)
                kost = round(omzet * rng.uniform(0.55, 0.9), 2)
                rows.append(f"K{k:03d};{order};{day:%d-%m-%Y};A{rng.randint(1, 30):03d};"
                            f"{rng.choice(['Sanitair', 'Verlichting', 'Gereedschap'])};"
                            f"{omzet:.2f}".replace(".", ",") + ";" + f"{kost:.2f}".replace(".", ","))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """The app on a fresh, empty workspace; yields (url, workspace)."""
    port = _free_port()
    ws = tmp_path / "ws.duckdb"
    duckdb.connect(str(ws)).close()  # an empty workspace: no tables, no run
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "salesfocus.cli", "app", "--workspace", str(ws), "--port",
                             str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/", ws
    finally:
        proc.terminate()  # the launcher stops its Streamlit server
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        with contextlib.suppress(ProcessLookupError):  # and whatever is left of its process group
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


class Steps:
    """Screenshots numbered in step order."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.n = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def shot(self, name: str) -> None:
        self.n += 1
        self.page.screenshot(path=str(self.folder / f"{self.n:02d}-{name}.png"), full_page=True)


def settle(page, timeout: int = T) -> None:
    """Wait until Streamlit has finished running the script (script state, status widget, spinners)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid=stApp][data-test-script-state=notRunning]").wait_for(timeout=timeout)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=timeout)
    page.get_by_test_id("stSpinner").wait_for(state="detached", timeout=timeout)


def go(page, name: str) -> None:
    """Open a page from the sidebar."""
    page.get_by_test_id("stSidebar").get_by_text(name, exact=True).click()
    settle(page)
    page.get_by_role("heading", name=name).first.wait_for(timeout=T)


def combobox(page, label: str):
    """The select box with this label (Streamlit draws it as a combobox whose value is the choice)."""
    return page.get_by_role("combobox", name=label, exact=True)


def choose(page, label: str, option: str) -> None:
    """Pick an option in the select box with this label, as a person does: open it, type to find, Enter."""
    box = combobox(page, label)
    box.click()
    box.press_sequentially(option, delay=30)
    page.get_by_role("option", name=option).first.wait_for(timeout=T)
    box.press("Enter")
    settle(page)
    expect_value(combobox(page, label), option)


def expect_value(locator, value: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_have_value(value, timeout=T)


@pytest.mark.browser
def test_import_answer_reload_download_in_chromium(server, tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} missing: apt-get install chromium (scripts/system-deps.sh)")
    from openpyxl import load_workbook
    from playwright.sync_api import expect, sync_playwright

    url, _ = server
    export = dutch_export(tmp_path / "verkopen.csv")
    outside: list[str] = []

    def only_local(route):
        u = urlparse(route.request.url)
        if u.scheme in ("data", "blob") or u.hostname in LOCAL:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        context.route("**/*", only_local)
        seen: list[str] = []
        context.on("request", lambda r: seen.append(r.url))
        page = context.new_page()
        steps = Steps(page, ARTIFACTS)
        try:
            # 1. the empty workspace opens; import the Dutch export
            page.goto(url, timeout=T)
            settle(page)
            page.get_by_text("No analysis run in this workspace yet").wait_for(timeout=T)
            steps.shot("empty-workspace")
            go(page, "Import")
            page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(export))
            settle(page)
            # 2. the proposed mapping is shown: Dutch headers recognised, the article code left for us to map
            page.get_by_test_id("stExpander").get_by_text("verkopen.csv").wait_for(timeout=T)
            for label, header in (("customer_id *", "klantnummer"), ("order_date *", "orderdatum"),
                                  ("revenue *", "omzet"), ("cost", "kostprijs"), ("product_id", "—")):
                expect(combobox(page, label)).to_have_value(header)
            expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
            steps.shot("mapping-proposed")
            choose(page, "product_id", "artcode")
            steps.shot("mapping-corrected")
            # 3. import and analyse
            page.get_by_role("button", name="Analyse").click()
            page.get_by_role("heading", name="Validation").wait_for(timeout=120_000)
            settle(page, 120_000)
            steps.shot("imported")
            rows = len(export.read_text().splitlines()) - 1
            expect(page.get_by_test_id("stMetric").first).to_contain_text(f"{rows:,}")

            # 4. the A/B/C matrix
            go(page, "Segments")
            chart = page.get_by_test_id("stPlotlyChart").first
            expect(chart).to_be_visible(timeout=T)
            expect(chart.locator(".main-svg").first).to_be_visible(timeout=T)
            expect(chart).to_contain_text("A/B/C matrix")
            steps.shot("abc-matrix")

            # 5. answer: innovation yes for one customer, in the grid
            go(page, "Answers")
            page.get_by_label("Find customer (number or name)").fill("K007")
            page.keyboard.press("Enter")
            settle(page)
            edit_cell(page, "Innovation", "yes")
            steps.shot("answer-edited")
            page.get_by_role("button", name="Save and analyse again").click()
            page.get_by_text("1 answers saved").wait_for(timeout=120_000)
            settle(page, 120_000)
            steps.shot("answer-saved")

            # 6. a reload (a new session) shows the answer kept
            page.reload()
            settle(page)
            expect(page.get_by_test_id("stSidebar")).to_contain_text("run 2", timeout=T)
            go(page, "Answers")
            page.get_by_label("Find customer (number or name)").fill("K007")
            page.keyboard.press("Enter")
            settle(page)
            assert cell_text(page, "Innovation") == "yes"
            steps.shot("answer-after-reload")

            # 7. the workbook downloads and is a valid xlsx
            go(page, "Downloads")
            page.get_by_role("button", name="Prepare the report files").click()
            settle(page, 120_000)
            button = page.get_by_test_id("stDownloadButton").filter(has_text="Workbook (Excel)")
            expect(button).to_be_visible(timeout=120_000)
            steps.shot("downloads")
            with page.expect_download(timeout=T) as d:
                button.get_by_role("button").click()
            xlsx = tmp_path / "salesfocus.xlsx"
            d.value.save_as(xlsx)
        finally:
            steps.shot("last")
            context.close()
            browser.close()

    assert zipfile.is_zipfile(xlsx)
    wb = load_workbook(xlsx, read_only=True)
    assert len(wb.sheetnames) > 3, wb.sheetnames
    wb.close()
    assert outside == [], f"requests left the machine: {outside}"
    assert seen and all(urlparse(u).scheme in ("data", "blob") or urlparse(u).hostname in LOCAL for u in seen)


# -- the answers grid -----------------------------------------------------------------------------------------------
# glide-data-grid draws on a canvas; the <table> inside the canvas (for screen readers, not laid out) names the
# columns and holds the cells' text. A person's way in: click a cell, arrow keys to the column, Enter opens the
# cell's editor, type, Enter.
ROW_PX = 35  # Streamlit's row (and header) height in the grid


def _grid(page):
    return page.get_by_test_id("stDataFrame").first


def _column(page, header: str) -> int:
    heads = _grid(page).locator("th[role=columnheader]")
    heads.first.wait_for(state="attached", timeout=T)
    names = [h.strip() for h in heads.all_text_contents()]
    assert header in names, names
    return names.index(header)


def edit_cell(page, header: str, value: str, row: int = 0, tries: int = 3) -> None:
    """Click the row's first cell, arrow right to the column, Enter, type the value, Enter.

    On a loaded machine the editor can open late and miss the keys; then the cell keeps its old value and
    the same gesture is made again (at most ``tries`` times).
    """
    col = _column(page, header)
    for _ in range(tries):
        settle(page)
        grid = _grid(page)
        grid.scroll_into_view_if_needed()
        box = grid.get_by_test_id("data-grid-canvas").bounding_box()
        page.mouse.click(box["x"] + 10, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2)
        for _ in range(col):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)
        page.keyboard.type(value, delay=50)
        page.wait_for_timeout(500)
        page.keyboard.press("Enter")
        settle(page)
        if cell_text(page, header, row) == value:
            return
        page.keyboard.press("Escape")
    raise AssertionError(f"the grid did not take {value!r} in {header!r} row {row}: {cell_text(page, header, row)!r}")


def cell_text(page, header: str, row: int = 0) -> str:
    col = _column(page, header)
    cell = _grid(page).locator(f"#glide-cell-{col}-{row}")
    cell.wait_for(state="attached", timeout=T)
    return (cell.text_content() or "").strip()
