"""Every view of a stored run in one call: CSV/JSON files, ``salesfocus.xlsx``, ``report.html`` and ``lists/``.

The CLI calls this after ``analyze`` and ``demo`` and in ``report`` (re-render a stored run). The run's
tables are read from the workspace once and shared by the views; the CSV files are written on a second
thread, the report and lists on a third, while the workbook is made.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from salesfocus.errors import InputError
from salesfocus.report.html import write_html
from salesfocus.report.i18n import LANGS
from salesfocus.report.lists import write_lists
from salesfocus.report.outputs import CsvAhead, write_outputs
from salesfocus.report.tables import RunData
from salesfocus.report.workbook import write_workbook
from salesfocus.workspace import Run

__all__ = ["write_all"]


def write_all(run: Run, out: Path | str, lang: str | None = None, *, workbook: bool = True, html: bool = True,
              lists: bool = True, ahead: CsvAhead | None = None) -> list[Path]:
    """Render every output of ``run`` into folder ``out``; returns the files written.

    Parameters
    ----------
    run : Run
        A stored run (``Workspace.save_run`` / ``load_run``).
    out : Path or str
        Output folder (created).
    lang : str, optional
        ``en`` or ``nl`` for labels, headings and sentences; default the language in the run's config.
    workbook, html, lists : bool
        Switch a view off (the CSV/JSON files are always written).
    ahead : CsvAhead, optional
        CSV files of the run's tables written while the run was made (taken where they are of its very tables).

    Raises
    ------
    InputError
        When ``lang`` is not ``en`` or ``nl``.
    """
    if lang is not None and lang not in LANGS:
        raise InputError(f"--lang {lang!r}: use en or nl")
    out = Path(out)
    with _rendering():
        return _write_all(run, out, lang, workbook=workbook, html=html, lists=lists, ahead=ahead)


SWITCH_INTERVAL = 0.0002
"""Seconds a thread may hold the interpreter while another waits for it, while rendering (Python's default 0.005).
The CSV threads mostly run in Arrow, outside the interpreter, but take it back for a moment between calls,
thousands of times per large table: with the default, each of those moments waits up to 5 ms for the
workbook's Python to let go, and the CSV files fall behind instead of being written beside it."""

_STATE = threading.Lock()
_active = 0
_saved: tuple[bool, float] = (True, 0.005)


@contextmanager
def _rendering() -> Iterator[None]:
    """The process set up for rendering, and put back as it was after the last of any concurrent renders.

    The cycle collector is off: rendering makes millions of small acyclic objects (cells, rows, texts) and the
    collector would walk them again and again (0.3 s of the workbook alone at 200k customers, more after an
    analysis left a large heap). Their memory is freed by reference counting as usual; anything cyclic is
    collected once the collector is back. Threads hand over the interpreter sooner (``SWITCH_INTERVAL``).
    """
    global _active, _saved
    with _STATE:
        if _active == 0:
            _saved = (gc.isenabled(), sys.getswitchinterval())
            gc.disable()
            sys.setswitchinterval(SWITCH_INTERVAL)
        _active += 1
    try:
        yield
    finally:
        with _STATE:
            _active -= 1
            if _active == 0:
                collect, interval = _saved
                sys.setswitchinterval(interval)
                if collect:
                    gc.enable()


def _write_all(run: Run, out: Path, lang: str | None, *, workbook: bool, html: bool, lists: bool,
               ahead: CsvAhead | None) -> list[Path]:
    data = RunData(run, lang)  # every table is read from the workspace once and shared by all views
    # The CSV files are made mostly in Arrow (outside the GIL): they are written beside the other views. The report
    # and the lists are made beside the workbook: each view lets go of the interpreter now and then (compressing,
    # Arrow, JSON), and the other goes on meanwhile (10M order lines: 1.28 -> 1.10 s for the three).
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="sf-outputs") as side:
        csv_files = side.submit(write_outputs, data, out, ahead)
        out.mkdir(parents=True, exist_ok=True)
        later = side.submit(_report_and_lists, data, out, html, lists)
        views = [write_workbook(data, out / "salesfocus.xlsx")] if workbook else []
        return csv_files.result() + views + later.result()


def _report_and_lists(data: RunData, out: Path, html: bool, lists: bool) -> list[Path]:
    return ([write_html(data, out / "report.html")] if html else []) + (write_lists(data, out / "lists") if lists
                                                                        else [])
