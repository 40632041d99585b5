"""Segment lists for marketing automation: a CSV and XLSX per segment, e-mail tool layout, injection-safe."""

from __future__ import annotations

import csv

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

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


TRICKY = ["a@b.nl", " a@b.nl\t", "a@b", "a b@c.nl", "a@b.nl\n", "a\u00a0b@c.nl", "\u3000a@b.nl\u2003", "a@@b.nl",
          "a@b.c.d", "a,b@c.nl", "<a@b.nl>", "'a'@b.nl", "a@b.nl;c@d.nl", "a\x1c@b.nl", "a@b.\x85nl", "", "   ",
          "é@ü.be", "a@.nl", "@b.nl", "a@b.", "=HYPERLINK(\"x\")@b.nl", "a@b\u200b.nl"]


@given(st.lists(st.one_of(st.sampled_from(TRICKY),
                          st.text(alphabet=st.sampled_from(list("ab.@ ,;<>'\"\t\n\u00a0\u2003\x1cé")), max_size=12)),
                min_size=1, max_size=40))
@settings(max_examples=150, deadline=None)
def test_usable_addresses_are_those_the_python_pattern_accepts_after_strip(addresses):
    """The lists match addresses in Arrow (RE2, ASCII whitespace in its classes); the rule is Python's :data:`_EMAIL`
    on the stripped address, whose whitespace is every character str.isspace() knows."""
    import numpy as np
    import pyarrow as pa

    from salesfocus.report.lists import _EMAIL, _addresses, _usable

    stripped = _addresses(pa.table({"email": pa.array(addresses, pa.string())}))
    assert stripped.to_pylist() == [a.strip() for a in addresses]
    want = np.array([bool(_EMAIL.match(a.strip())) for a in addresses])
    assert (_usable(stripped) == want).all()
