"""The command line contract: exit codes, one readable message on bad input, outputs that reconcile."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest

SF = [sys.executable, "-m", "salesfocus.cli"]


def _rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def run(*args, cwd=None):
    return subprocess.run([*SF, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "200"})


@pytest.fixture
def orders_csv(tmp_path):
    p = tmp_path / "verkopen.csv"
    p.write_bytes(
        "Klantnummer;Ordernummer;Orderdatum;Artikel;Aantal;Omzet;Kostprijs\n"
        "K1;O1;15-01-2024;A;1;1.000,00;600,00\n"
        "K1;O2;15-03-2024;B;2;500,00;300,00\n"
        "K2;O3;01-02-2024;A;1;250,50;200,00\n"
        "K2;O4;31-02-2024;A;1;10,00;5,00\n"  # impossible date: rejected
        "K3;O5;01-03-2024;A;-1;-100,00;-60,00\n".encode("cp1252")
    )
    return p


def test_analyze_writes_the_contract_and_rows_reconcile(orders_csv, tmp_path):
    out = tmp_path / "out"
    r = run("analyze", orders_csv, "--out", out, "--workspace", tmp_path / "ws.duckdb")
    assert r.returncode == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert (s["rows_read"], s["rows_accepted"], s["rows_rejected"]) == (5, 4, 1)
    rows = {r["customer_id"]: r for r in _rows(out / "customers.csv")}
    assert set(rows) == {"K1", "K2", "K3"}
    assert float(rows["K1"]["revenue"]) == 1500.0 and float(rows["K1"]["gross_margin"]) == 600.0
    assert float(rows["K3"]["returns_value"]) == 100.0
    assert s["revenue"] == pytest.approx(1500 + 250.5 - 100)
    rej = _rows(out / "rejected.csv")
    assert len(rej) == 1 and rej[0]["row"] == "5" and rej[0]["value"] == "31-02-2024"
    assert "not a date" in rej[0]["reason"] and rej[0]["file"] == "verkopen.csv"


def test_report_renders_the_stored_run_again(orders_csv, tmp_path):
    ws = tmp_path / "ws.duckdb"
    assert run("analyze", orders_csv, "--out", tmp_path / "a", "--workspace", ws).returncode == 0
    r = run("report", "--workspace", ws, "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a" / "customers.csv").read_text() == (tmp_path / "b" / "customers.csv").read_text()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["analyze", "does-not-exist.csv"], "file not found"),
        (["analyze", "bogus=x.csv"], "unknown table 'bogus'"),
        (["analyze", "--as-of", "31-12-2024", "PLACEHOLDER"], "--as-of"),
    ],
)
def test_bad_input_exits_2_with_one_message(args, needle, orders_csv, tmp_path):
    args = [str(orders_csv) if a == "PLACEHOLDER" else a for a in args]
    r = run(*args, "--out", tmp_path / "o", "--workspace", tmp_path / "w.duckdb")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert needle in r.stderr
    assert "Traceback" not in r.stderr


def test_required_column_missing_names_the_columns_and_the_fix(tmp_path):
    p = tmp_path / "orders.csv"
    p.write_text("Klantnummer;Ordernummer;Orderdatum\nK1;O1;01-01-2024\n", encoding="utf-8")
    r = run("analyze", p, "--out", tmp_path / "o", "--workspace", tmp_path / "w.duckdb")
    assert r.returncode == 2
    assert "revenue" in r.stderr and "Klantnummer" in r.stderr and "mapping" in r.stderr


def test_usage_error_exits_2(tmp_path):
    r = run("analyze", "--no-such-option")
    assert r.returncode == 2


def test_validate_stores_nothing_and_lists_rejected(orders_csv, tmp_path):
    r = run("validate", orders_csv, "--rejected", tmp_path / "rej.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "31-02-2024" in r.stdout
    assert not (tmp_path / "salesfocus.duckdb").exists()
    assert len(_rows(tmp_path / "rej.csv")) == 1


def test_help_on_every_command():
    for cmd in ([], ["demo"], ["analyze"], ["import"], ["validate"], ["report"]):
        r = run(*cmd, "--help")
        assert r.returncode == 0 and "Usage" in r.stdout


def test_import_twice_adds_nothing(orders_csv, tmp_path):
    ws = tmp_path / "ws.duckdb"
    assert run("import", orders_csv, "--workspace", ws).returncode == 0
    r = run("import", orders_csv, "--workspace", ws)
    assert r.returncode == 0 and "imported before" in r.stderr
    import duckdb

    with duckdb.connect(str(ws), read_only=True) as con:
        assert con.execute("select count(*) from order_lines").fetchone()[0] == 4


def test_analyze_of_the_same_export_again_says_it_reuses_the_import(orders_csv, tmp_path):
    ws = tmp_path / "ws.duckdb"
    first = run("analyze", orders_csv, "--out", tmp_path / "a", "--workspace", ws)
    again = run("analyze", orders_csv, "--out", tmp_path / "b", "--workspace", ws)
    assert first.returncode == 0 and again.returncode == 0, again.stderr
    assert "unchanged" not in first.stderr and "unchanged: the workspace's import" in again.stderr
    assert "rows read 5 = accepted 4 + rejected 1" in again.stderr
    for name in ("customers.csv", "rejected.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_run_leaves_the_imports_out_of_garbage_collection_and_restores_the_collector(orders_csv, tmp_path,
                                                                                       monkeypatch):
    import gc

    from typer.testing import CliRunner

    from salesfocus import cli, pipeline

    during = {}
    analyze = pipeline.analyze

    def spy(*args, **kwargs):
        during.update(threshold=gc.get_threshold(), frozen=gc.get_freeze_count())
        return analyze(*args, **kwargs)

    monkeypatch.setattr(pipeline, "analyze", spy)
    before = gc.get_threshold()
    r = CliRunner().invoke(cli.app, ["analyze", str(orders_csv), "--out", str(tmp_path / "out"),
                                     "--workspace", str(tmp_path / "ws.duckdb")])
    assert r.exit_code == 0, r.output
    assert during["threshold"] == cli.GC_THRESHOLD and during["frozen"] > 10_000  # the imported modules and more
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_analyze_takes_the_workspace_it_opened_ahead_and_closes_it_when_it_stops_before_using_it(orders_csv,
                                                                                                   tmp_path):
    from typer.testing import CliRunner

    from salesfocus import cli, soon

    ws = tmp_path / "ws.duckdb"
    args = ["analyze", str(orders_csv), "--out", str(tmp_path / "out"), "--workspace", str(ws)]
    assert CliRunner().invoke(cli.app, args).exit_code == 0  # a new workspace: nothing opened ahead
    assert CliRunner().invoke(cli.app, args).exit_code == 0  # opened ahead, taken: the run as before
    assert soon.take_database(ws) is None
    bad = CliRunner().invoke(cli.app, [*args, "--period", "week"])
    assert "--period 'week'" in str(bad.exception)
    assert soon.take_database(ws) is None  # opened ahead, closed when the command stopped


def test_the_process_runs_its_exit_handlers_and_keeps_the_exit_code_when_it_leaves_early(tmp_path):
    # main() ends the process without tearing the interpreter down; exit handlers (temporary files) still run
    mark = tmp_path / "ran"
    code = ("import atexit, sys; from salesfocus import cli; "
            f"atexit.register(lambda: open({str(mark)!r}, 'w').write('ran')); "
            "sys.argv = ['salesfocus', *sys.argv[1:]]; cli.main(); print('not reached')")
    ok = subprocess.run([sys.executable, "-c", code, "config"], capture_output=True, text=True)
    assert ok.returncode == 0 and "keep_runs" in ok.stdout and "not reached" not in ok.stdout
    assert mark.read_text() == "ran"
    mark.unlink()
    bad = subprocess.run([sys.executable, "-c", code, "report", "--workspace", str(tmp_path / "none.duckdb")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "not found" in bad.stderr and mark.read_text() == "ran"
