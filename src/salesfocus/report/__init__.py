"""Views of a stored run: CSV/JSON files, the Excel workbook, the HTML report and segment lists.

Nothing here computes an analysis figure: every view formats, sorts or picks what the run holds.
"""

from salesfocus.report.html import render_html, write_html
from salesfocus.report.i18n import LANGS, Texts
from salesfocus.report.lists import write_lists
from salesfocus.report.outputs import neutralise, write_outputs, write_table_csv
from salesfocus.report.render import write_all
from salesfocus.report.tables import RunData
from salesfocus.report.workbook import write_workbook

__all__ = [
    "LANGS",
    "RunData",
    "Texts",
    "neutralise",
    "render_html",
    "write_all",
    "write_html",
    "write_lists",
    "write_outputs",
    "write_table_csv",
    "write_workbook",
]
