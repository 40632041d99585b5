"""The HTML report: one offline file, summary sentences from the run, charts per analysis, printable.

The browser test opens the file in headless Chromium (Debian's /usr/bin/chromium, installed by
scripts/system-deps.sh): no console errors, no request outside file://, every chart drawn, a screenshot.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from salesfocus.report import RunData, render_html, write_html
from salesfocus.report.plots import FIGURES, figures_for

from .runs import SCRIPT_NAME

CHROMIUM = "/usr/bin/chromium"


def _figures(page: str) -> dict:
    blob = re.search(r'<script id="sf-figures" type="application/json">(.*?)</script>', page, re.S).group(1)
    return json.loads(blob)


def test_one_offline_file_with_plotly_inline(run):
    page = render_html(run, "en")
    assert not re.findall(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["'](?:https?:)?//""", page, re.I)
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js is in the file
    assert '<html lang="en">' in page and "@media print" in page


def test_summary_sentences_come_from_the_run(run):
    page = render_html(run, "en")
    assert "20% of your customers make 81% of revenue; 14% lose money, together €412k." in page
    assert "The customers behind the last 20% of revenue take 55% of all cost-to-serve." in page
    assert "A/B/C matrix: 8 A-customers, 8 B and 24 C." in page
    assert "Serving C-customers through scalable channels (e-mail, webshop) frees 300 hours" in page
    assert "Your kopgroep (top group, 8 customers) stands out on sector Zorg (2.1×)" in page
    assert "Focus segments for sales and marketing: Zorg / 250+." in page


def test_dutch_report_uses_the_method_terms(run):
    page = render_html(run, "nl")
    assert '<html lang="nl">' in page
    assert "20% van uw klanten maakt 81% van de omzet; 14% kost geld, samen € 412.000." in page
    for term in ("Klantenpiramide", "Walviscurve", "kopgroep", "A-cliënteel", "Verliesgevers", "In het kort"):
        assert term in page, term
    assert '"separators": ",."' in page or '"separators":",."' in page


def test_a_chart_for_each_analysis_present(run):
    data = RunData(run, "en")
    figs = _figures(render_html(data))
    expected = sum(len(figures_for(data, t)) for t in FIGURES)
    assert len(figs) == expected >= 12
    titles = " ".join(f["layout"]["title"]["text"] for f in figs.values())
    for words in ("Whale curve", "Pareto", "Customer pyramid", "A/B/C matrix", "Value matrix", "Lead funnel"):
        assert words in titles
    funnel = next(f for f in figs.values() if f["data"][0]["type"] == "funnel")
    assert {tr["name"] for tr in funnel["data"]} == {"website", "beurs"}  # the total row is not stacked twice


def test_text_from_the_data_cannot_break_out_of_the_page(run):
    page = render_html(run, "en")
    assert SCRIPT_NAME not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(" in page  # escaped in the tables
    blob = re.search(r'<script id="sf-figures" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in blob and "\\u003c/script>" in blob  # escaped inside the chart data


def test_missing_analyses_get_a_note_instead_of_a_section(thin_run, tmp_path):
    path = write_html(thin_run, tmp_path)
    page = path.read_text(encoding="utf-8")
    assert path.name == "report.html"
    assert "Niet in deze analyse" in page and "whale_curve" in page
    assert "Walviscurve" not in page.split("</nav>")[1].split("Niet in deze analyse")[0]
    assert "725.000" in page  # the revenue still reads in Dutch


@pytest.mark.browser
def test_report_renders_in_headless_chromium(run, tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} missing: apt-get install chromium (scripts/system-deps.sh)")
    from playwright.sync_api import sync_playwright

    files = {lang: write_html(run, tmp_path / f"report_{lang}.html", lang) for lang in ("en", "nl")}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            for lang, path in files.items():
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                errors, outside = [], []
                page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.on("request", lambda r, outside=outside: None if r.url.startswith(("file:", "data:", "blob:"))
                        else outside.append(r.url))
                page.goto(Path(path).resolve().as_uri())
                page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length == "
                                       "Number(document.body.dataset.figuresDrawn)", timeout=30_000)
                drawn = page.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length")
                shot = tmp_path / f"report_{lang}.png"
                page.screenshot(path=str(shot), full_page=False)
                page.emulate_media(media="print")
                assert page.evaluate("getComputedStyle(document.querySelector('.toc')).display") == "none"
                assert errors == [], errors
                assert outside == [], outside
                assert drawn >= 12
                assert shot.stat().st_size > 20_000
                page.close()
        finally:
            browser.close()


def test_scatter_sample_is_proportional_per_segment_and_the_same_every_time():
    import numpy as np

    from salesfocus.report.plots import scatter_sample

    segs = np.array(["A"] * 1_000 + ["B"] * 9_000 + ["C"] * 90_000, dtype=object)
    pick = scatter_sample(segs, limit=10_000)
    assert len(pick) == 10_000 and len(set(pick.tolist())) == 10_000
    counts = {s: int((segs[pick] == s).sum()) for s in "ABC"}
    assert counts == {"A": 100, "B": 900, "C": 9_000}
    assert (pick == scatter_sample(segs, limit=10_000)).all()
    assert len(scatter_sample(segs[:500], limit=10_000)) == 500  # a small run: every customer


def test_a_large_scatter_is_a_stated_sample_drawn_with_webgl(run, monkeypatch):
    from salesfocus.report import plots

    data = RunData(run, "en")
    whole = plots.abc_matrix(data)[0]
    assert sum(len(tr["x"]) for tr in whole["data"]) == 40 and "sample" not in whole["layout"]["title"]["text"]
    monkeypatch.setattr(plots, "SCATTER_POINTS", 20)
    monkeypatch.setattr(plots, "WEBGL_FROM", 5)
    fig = plots.abc_matrix(data)[0]
    assert sum(len(tr["x"]) for tr in fig["data"]) <= 22
    assert "A sample of 20 of 40 customers" in fig["layout"]["title"]["text"]
    assert {tr["type"] for tr in fig["data"]} == {"scattergl"}
