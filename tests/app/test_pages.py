"""Pages beyond the overview: why a customer sits in its segment, downloads, the Import page's mapping."""

import io
import zipfile

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from salesfocus.app.launch import SCRIPT
from salesfocus.app.state import preview_upload, report_files, table_bytes
from salesfocus.workspace import Workspace


def _app(path, monkeypatch, page, lang="en"):
    monkeypatch.setenv("SALESFOCUS_WORKSPACE", str(path))
    at = AppTest.from_file(str(SCRIPT), default_timeout=180)
    at.run()
    at.sidebar.radio[1].set_value(page).run()
    if lang != "en":  # after the page: the page radio's options are shown in the language
        at.sidebar.radio[0].set_value(lang).run()
    assert not at.exception, at.exception
    return at


def test_segments_page_says_why_a_customer_sits_there(demo_workspace, monkeypatch):
    at = _app(demo_workspace, monkeypatch, "Segments")
    box = at.selectbox(key="abc_customer")
    who = box.options[3]
    box.set_value(who).run()
    with Workspace(demo_workspace, read_only=True) as ws:
        c = ws.load_run().frame("customers").set_index("customer_id")
    assert any(c.at[who, "abc_reasons"] in i.value for i in at.info)


def test_dutch_page_titles_and_labels(demo_workspace, monkeypatch):
    at = _app(demo_workspace, monkeypatch, "Answers", lang="nl")
    assert at.title[0].value == "Antwoorden"
    assert at.button(key="save_answers").label == "Opslaan en opnieuw analyseren"


def test_demo_banner_only_on_demo(demo_workspace, monkeypatch):
    at = _app(demo_workspace, monkeypatch, "Overview")
    assert not any("Demo data" in w.value for w in at.warning)


def test_downloads_page_offers_any_table(demo_workspace, monkeypatch):
    at = _app(demo_workspace, monkeypatch, "Downloads")
    at.selectbox(key="dl_table").set_value("customers").run()
    assert not at.exception, at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "customers.csv" in labels and "customers.xlsx" in labels


def test_report_files_and_neutralised_tables(demo_workspace):
    with Workspace(demo_workspace, read_only=True) as ws:
        rid = ws.load_run().run_id
    files = report_files(demo_workspace, rid, "nl")
    assert set(files) >= {"salesfocus.xlsx", "report.html"}
    assert files["salesfocus.xlsx"][:2] == b"PK" and b"<html" in files["report.html"][:500].lower()
    if "lists.zip" in files:
        assert zipfile.ZipFile(io.BytesIO(files["lists.zip"])).namelist()
    df = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "Jansen"], "revenue": [1.0, 2.0]})
    assert b"'=HYPERLINK" in table_bytes(df, "csv")
    back = pd.read_excel(io.BytesIO(table_bytes(df, "xlsx")), engine="openpyxl")
    assert back.name.tolist() == ["'=HYPERLINK(\"x\")", "Jansen"]


def test_upload_preview_recognises_a_dutch_export(tmp_path):
    from salesfocus.io.headers import propose_mapping

    csv = "Klantnummer;Ordernummer;Orderdatum;Omzet\nK1;1001;03-01-2025;1.234,50\nK2;1002;04-01-2025;99,00\n"
    table, headers, preview = preview_upload("verkooporders.csv", csv.encode("cp1252"), tmp_path)
    assert table == "order_lines"
    assert headers == ["Klantnummer", "Ordernummer", "Orderdatum", "Omzet"]
    assert len(preview) == 2
    m = propose_mapping(table, headers)
    assert m["customer_id"] == "Klantnummer" and m["order_date"] == "Orderdatum"


def test_import_page_shows_validation_of_the_last_import(demo_workspace, monkeypatch):
    at = _app(demo_workspace, monkeypatch, "Import")
    with Workspace(demo_workspace, read_only=True) as ws:
        s = ws.load_run().meta["summary"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["rows read"] == f"{s['rows_read']:,}"
    assert metrics["rejected"] == f"{s['rows_rejected']:,}"


@pytest.mark.slow  # one import and run
def test_import_with_a_corrected_mapping(tmp_path):
    from salesfocus.app.state import analyze_uploads

    csv = ("Klantnummer;Bonnr;Orderdatum;Bedrag excl\n"
           + "".join(f"K{i % 7};{1000 + i};{1 + i % 28:02d}-0{1 + i % 9}-2025;{10 + i},50\n" for i in range(60))
           + "K1;2000;geen datum;5,00\n")
    ws = tmp_path / "ws.duckdb"
    mapping = {"order_lines": {"customer_id": "Klantnummer", "order_id": "Bonnr", "order_date": "Orderdatum",
                               "revenue": "Bedrag excl"}}
    rid = analyze_uploads(ws, [("order_lines", "export.csv", csv.encode("utf-8"))], tmp_path / "up", mapping)
    with Workspace(ws, read_only=True) as w:
        run = w.load_run(rid)
        s = run.meta["summary"]
        assert (s["rows_accepted"], s["rows_rejected"]) == (60, 1)
        assert run.frame("rejected").reason.str.contains("date").any()


def test_the_app_reads_a_table_of_the_run_when_a_page_first_shows_it(demo_workspace, monkeypatch):
    from salesfocus.app.state import load_run_view

    view = load_run_view(demo_workspace)
    with Workspace(demo_workspace, read_only=True) as ws:
        run = ws.load_run()
        assert sorted(view.frames) == sorted(run.tables) and len(view.frames) == len(run.tables)
        want = run.frame("customers")
    read = []
    real = Workspace.load_run
    monkeypatch.setattr(Workspace, "load_run", lambda self, *a: read.append(a) or real(self, *a))
    assert view.get("nothing such") is None and read == []
    pd.testing.assert_frame_equal(view.get("customers"), want)
    assert view.frames["customers"] is view.get("customers") and len(read) == 1  # read once, then kept
