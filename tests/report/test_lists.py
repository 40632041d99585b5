"""Segment lists for marketing automation: a CSV and XLSX per segment, e-mail tool layout, injection-safe."""

from __future__ import annotations

import csv

import openpyxl

from salesfocus.report import write_lists
from salesfocus.report.lists import LIST_COLUMNS

from .runs import EVIL_NAME


def _rows(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_csv_and_xlsx_per_segment_with_the_import_layout(run, tmp_path):
    files = write_lists(run, tmp_path, "en")
    names = {f.name for f in files}
    for stem in ("abc-a", "abc-c", "abcd-d", "value-growth", "pyramid-top", "target-zorg-250", "at-risk",
                 "all-contacts"):
        assert f"{stem}.csv" in names and f"{stem}.xlsx" in names, stem
    rows = _rows(tmp_path / "abc-a.csv")
    assert list(rows[0])[:6] == LIST_COLUMNS[:6]
    assert {"Account Manager", "Last Order", "Cross-sell Groups"} <= set(rows[0])
    assert all(r["Segment"] == "A" and "@" in r["Email Address"] for r in rows)
    first = next(r for r in rows if r["Customer ID"] == "K001")
    assert first["Company Name"] == "Klant 1 BV" and first["Recommended Channel"] == "face-to-face: visits, phone"
    assert "A/B/C segment: A" in first["Tags"] and "Value group: top" in first["Tags"]
    assert first["Last Order"][:4] == "2024"


def test_customers_without_a_usable_address_are_left_out_and_counted(run, tmp_path):
    write_lists(run, tmp_path, "en")
    ids = {r["Customer ID"] for r in _rows(tmp_path / "all-contacts.csv")}
    assert {"K003", "K005"}.isdisjoint(ids) and len(ids) == 37  # K003 no e-mail, K005 no address, K007 a formula
    index = {(r["Grouping"], r["Segment"]): r for r in _rows(tmp_path / "index.csv")}
    a = index[("A/B/C segment", "A")]
    assert (a["Customers"], a["With e-mail"], a["Without e-mail (left out)"]) == ("8", "5", "3")


def test_formula_injection_is_neutralised_in_list_csv_and_xlsx(run, tmp_path):
    write_lists(run, tmp_path, "en")
    rows = _rows(tmp_path / "abc-a.csv")
    names = {r["Customer ID"]: r["Company Name"] for r in rows}
    assert names["K004"] == "'" + EVIL_NAME and names["K008"] == "'@home BV" and names["K006"] == "'+31 Handel"
    ws = openpyxl.load_workbook(tmp_path / "abc-a.xlsx").active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'" + EVIL_NAME in [c.value for c in cells]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_segment_names_channels_and_tags_in_dutch(run, tmp_path):
    write_lists(run, tmp_path, "nl")
    rows = _rows(tmp_path / "value-growth.csv")
    assert {r["Segment"] for r in rows} == {"groei"}
    assert "Waardegroep: groei" in rows[0]["Tags"]
    c_row = next(r for r in _rows(tmp_path / "abc-c.csv"))
    assert c_row["Recommended Channel"].startswith("schaalbaar (e-mail, webshop)")


def test_a_run_without_names_or_e_mail_gives_empty_lists(thin_run, tmp_path):
    files = write_lists(thin_run, tmp_path)
    assert {f.name for f in files} == {"index.csv", "all-contacts.csv", "all-contacts.xlsx"}
    assert _rows(tmp_path / "all-contacts.csv") == []
