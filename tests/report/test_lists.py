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


def _reference_xlsx(table, path):
    """The table written cell by cell with xlsxwriter's own ``write_string`` (shared strings)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    ws = wb.add_worksheet("list")
    for j, name in enumerate(table.column_names):
        ws.write_string(0, j, name)
        for i, v in enumerate(table.column(name).to_pylist(), start=1):
            if v:
                ws.write_string(i, j, v)
    wb.close()


def test_list_xlsx_holds_the_texts_exactly_as_xlsxwriter_writes_them(tmp_path):
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    from salesfocus.report.lists import _write_xlsx

    texts = ["plain", " leading space", "trailing space ", "\xa0nbsp\u3000", "\tnew\nline\n", "a & b < c > d",
             "tab\there", "bell\x07x", "cr\rlf\nx", "_x0041_ is literal", "ünïcode © 😀", "", None, '"quoted"',
             "'=1+1", "x" * 40]
    cases = {"short": pa.table({"A": texts, "B": texts[::-1]}),
             "a text longer than a cell": pa.table({"A": ["y" * 40_000, "z"], "B": ["<b>", None]}),
             "texts repeated (shared)": pa.table({"A": texts * 12, "B": [f"id {i} " for i in range(len(texts) * 12)]})}
    for name, table in cases.items():
        _write_xlsx(table, tmp_path / "list.xlsx", "list")
        _reference_xlsx(table, tmp_path / "ref.xlsx")
        got, want = (CalamineWorkbook.from_path(str(tmp_path / f)).get_sheet_by_index(0).to_python()
                     for f in ("list.xlsx", "ref.xlsx"))
        assert got == want, name
        if name == "a text longer than a cell":
            assert len(got[1][0]) == 32_767  # cut to what a cell holds, as write_string does
