"""Texts in English and Dutch: number formats, labels for known and new columns, column kinds, sentences."""

from __future__ import annotations

import pyarrow as pa
import pytest

from salesfocus.report import RunData, Texts
from salesfocus.report.i18n import COLUMNS, TABLES, TEXT
from salesfocus.report.story import headlines, sentences
from salesfocus.report.tables import column_kind


@pytest.mark.parametrize("lang, money, big, small, pct, date", [
    ("en", "€412k", "€2.5m", "−€9,876", "2.5%", "2024-12-31"),
    ("nl", "€ 412.000", "€ 2,5 mln", "−€ 9.876", "2,5%", "31-12-2024"),
])
def test_numbers_read_the_way_the_language_writes_them(lang, money, big, small, pct, date):
    t = Texts(lang)
    assert t.money(412_345.6) == money and t.money(2_533_168) == big and t.money(-9_876.4) == small
    assert t.pct(0.025, 1) == pct and t.date("2024-12-31") == date and t.pct(None) == "–"
    assert t.money(float("nan")) == "–"
    assert t.num(-0.0001, 1) == ("0.0" if lang == "en" else "0,0")  # no minus sign on a rounded zero


def test_every_text_exists_in_both_languages_and_sheet_titles_fit_excel():
    for key, pair in TEXT.items():
        assert len(pair) == 2 and all(pair), key
    for name, ((en, nl), _about) in TABLES.items():
        assert 0 < len(en) <= 31 and 0 < len(nl) <= 31, name
    assert all(all(pair) for pair in COLUMNS.values())


def test_a_column_added_later_still_gets_a_label():
    assert Texts("en").col("visits_per_segment") == "Visits per segment"
    assert Texts("nl").col("visits_per_segment") == "Bezoeken per segment"
    assert Texts("en").table("customer_goals") == "Customer goals"


@pytest.mark.parametrize("name, dtype, kind", [
    ("revenue", pa.float64(), "money"), ("cost_visits", pa.float64(), "money"), ("cost_orders", pa.float64(), "money"),
    ("margin_pct", pa.float64(), "pct"), ("visits_share", pa.float64(), "pct"), ("net_revenue_retention",
                                                                               pa.float64(), "pct"),
    ("orders", pa.int64(), "int"), ("complaints", pa.float64(), "count"), ("days_to_pay", pa.float64(), "num1"),
    ("lift", pa.float64(), "ratio"), ("last_order", pa.date32(), "date"), ("name", pa.string(), "text"),
    ("loss_making", pa.bool_(), "bool"), ("year", pa.int32(), "year"), ("margin_code", pa.int64(), "int"),
])
def test_column_kinds_follow_from_name_and_type(name, dtype, kind):
    assert column_kind(name, dtype) == kind


def test_targeting_percentages_are_points():
    assert column_kind("margin_pct", pa.float64(), "segments") == "pctpt"


def test_sentences_and_headlines_leave_out_what_the_run_lacks(thin_run):
    data = RunData(thin_run)
    assert data.lang == "nl"
    said = sentences(data)
    assert len(said) == 1 and said[0].startswith("40 klanten kochten van 2-1-2023 tot 31-12-2024 voor € 725.000.")
    assert [h.key for h in headlines(data)] == ["customers", "revenue"]
