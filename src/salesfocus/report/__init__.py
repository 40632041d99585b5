"""Views of a stored run: CSV/JSON files (and later the workbook, the HTML report). Nothing computes here."""

from salesfocus.report.outputs import neutralise, write_outputs, write_table_csv

__all__ = ["neutralise", "write_outputs", "write_table_csv"]
