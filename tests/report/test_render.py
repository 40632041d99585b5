"""All views in one call, from the CLI too: analyze writes them, report re-renders them in another language."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import openpyxl
import pytest

from salesfocus.errors import InputError
from salesfocus.report import Texts, write_all
from salesfocus.workspace import Workspace

from .runs import CONFIG, EVIL_NAME, SUMMARY, tables

SF = [sys.executable, "-m", "salesfocus.cli"]


def test_write_all_writes_csv_workbook_report_and_lists(run, tmp_path):
    files = {p.relative_to(tmp_path).as_posix() for p in write_all(run, tmp_path)}
    assert {"customers.csv", "summary.json", "rejected.csv", "salesfocus.xlsx", "report.html",
            "lists/index.csv", "lists/abc-a.csv", "lists/abc-a.xlsx"} <= files


def test_write_all_puts_the_collector_and_switch_interval_back(run, tmp_path, monkeypatch):
    import gc

    from salesfocus.report import render

    seen = []
    real = render._write_all

    def spy(*args, **kwargs):
        seen.append((gc.isenabled(), sys.getswitchinterval()))
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "_write_all", spy)
    interval = sys.getswitchinterval()
    assert gc.isenabled()
    write_all(run, tmp_path / "a", workbook=False, html=False, lists=False)
    assert gc.isenabled() and sys.getswitchinterval() == interval
    assert seen == [(False, pytest.approx(render.SWITCH_INTERVAL))]
    gc.disable()
    try:
        write_all(run, tmp_path / "b", workbook=False, html=False, lists=False)
        assert not gc.isenabled()
    finally:
        gc.enable()
    # renders side by side (the app's threads): the state comes back when the last one ends, whichever it is
    first, second = render._rendering(), render._rendering()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled() and sys.getswitchinterval() == pytest.approx(render.SWITCH_INTERVAL)
    second.__exit__(None, None, None)
    assert gc.isenabled() and sys.getswitchinterval() == interval


def test_formula_injection_is_neutralised_in_the_csv_files(run, tmp_path):
    write_all(run, tmp_path, "en", workbook=False, html=False, lists=False)
    with open(tmp_path / "customers.csv", encoding="utf-8") as f:
        names = [r["name"] for r in csv.DictReader(f)]
    assert "'" + EVIL_NAME in names and EVIL_NAME not in names
    with open(tmp_path / "rejected.csv", encoding="utf-8") as f:
        rejected = list(csv.DictReader(f))
    assert rejected[0]["value"] == "'=1+2"


def test_an_unknown_language_is_bad_input(run, tmp_path):
    with pytest.raises(InputError, match="--lang 'fr': use en or nl"):
        write_all(run, tmp_path, "fr")


def test_analyze_writes_every_view_in_the_chosen_language(tmp_path, monkeypatch):
    """``analyze`` hands its run to every view (the pipeline is replaced by the hand-made run: fast)."""
    from typer.testing import CliRunner

    from salesfocus import cli, pipeline

    def fake_analyze(engine, workspace, sources, maps, cfg, **kw):
        return workspace.save_run(tables(), {"summary": SUMMARY, "config": cfg.model_dump(mode="json")})

    monkeypatch.setattr(pipeline, "analyze", fake_analyze)
    data = tmp_path / "orders.csv"
    data.write_text("customer_id,order_date,revenue\nK1,2024-01-01,10\n", encoding="utf-8")
    r = CliRunner().invoke(cli.app, ["analyze", str(data), "--out", str(tmp_path / "a"), "--workspace",
                                     str(tmp_path / "ws.duckdb"), "--lang", "nl"])
    assert r.exit_code == 0, r.output
    for name in ("salesfocus.xlsx", "report.html", "lists/index.csv", "lists/value-growth.xlsx", "customers.csv"):
        assert (tmp_path / "a" / name).exists(), name
    assert openpyxl.load_workbook(tmp_path / "a" / "salesfocus.xlsx").sheetnames[0] == "Overzicht"
    assert '<html lang="nl">' in (tmp_path / "a" / "report.html").read_text(encoding="utf-8")


def test_report_re_renders_a_stored_run_in_the_language_asked(tmp_path):
    from typer.testing import CliRunner

    from salesfocus import cli

    ws_path = tmp_path / "ws.duckdb"
    with Workspace(ws_path) as ws:
        ws.save_run(tables(), {"summary": SUMMARY, "config": {**CONFIG, "lang": "nl"}})
    outs = {}
    for name, extra in (("default", []), ("en", ["--lang", "en"])):
        r = CliRunner().invoke(cli.app, ["report", "--workspace", str(ws_path), "--out", str(tmp_path / name), *extra])
        assert r.exit_code == 0, r.output
        outs[name] = openpyxl.load_workbook(tmp_path / name / "salesfocus.xlsx").sheetnames[0]
    assert outs == {"default": "Overzicht", "en": Texts("en").t("overview")}  # the run's language unless asked
    bad = subprocess.run([*SF, "report", "--workspace", str(ws_path), "--out", str(tmp_path / "x"), "--lang", "de"],
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert bad.returncode == 2 and "use en or nl" in bad.stderr


def test_write_all_reads_each_table_from_the_workspace_once(run, tmp_path, monkeypatch):
    from collections import Counter

    from salesfocus.workspace import Run

    reads: Counter[str] = Counter()
    original = Run.table

    def counting(self, name):
        reads[name] += 1
        return original(self, name)

    monkeypatch.setattr(Run, "table", counting)
    write_all(run, tmp_path, "en")
    assert set(reads) == set(run.tables) and set(reads.values()) == {1}


def test_rendering_a_run_again_gives_the_same_files(run, tmp_path, monkeypatch):
    import datetime as dt

    monkeypatch.setattr(run, "created_at", "2020-01-02T03:04:05")  # long before this rendering
    first = sorted(p.relative_to(tmp_path / "a").as_posix() for p in write_all(run, tmp_path / "a"))
    second = sorted(p.relative_to(tmp_path / "b").as_posix() for p in write_all(run, tmp_path / "b"))
    assert first == second
    xlsx = [f for f in first if f.endswith(".xlsx")]
    assert "salesfocus.xlsx" in xlsx and "lists/abc-a.xlsx" in xlsx
    for f in first:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    utc = dt.datetime(2020, 1, 2, 3, 4, 5).astimezone(dt.UTC).replace(tzinfo=None)
    for f in ("salesfocus.xlsx", "lists/abc-a.xlsx"):  # the run's time, not the rendering's
        assert openpyxl.load_workbook(tmp_path / "a" / f).properties.created == utc, f
