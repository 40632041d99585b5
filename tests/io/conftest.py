"""Shared helpers for the import tests: write exact bytes, run an import, check that nothing is lost.

Every import run through ``run_import`` is checked for conservation: per source, the accepted rows and
the rejected rows are disjoint and together are exactly the rows read (row numbers 2..n+1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from salesfocus.config import Config
from salesfocus.io.importer import DuckDBEngine, ImportReport, import_sources
from salesfocus.io.mapping import TableMapping, load_mapping
from salesfocus.io.readers import parse_data_arg
from salesfocus.workspace import Workspace

TODAY = dt.date(2025, 6, 1)  # fixed "today" so future-date checks do not drift


@dataclass
class Imported:
    """An import report plus its tables as pandas frames, for assertions."""

    report: ImportReport

    def frame(self, table: str = "order_lines") -> pd.DataFrame:
        return self.report.tables[table].execute().sort_values(["_file", "_row"]).reset_index(drop=True)

    @property
    def rejected(self) -> pd.DataFrame:
        if self.report.rejected is None:
            return pd.DataFrame(columns=["table", "file", "row", "column", "value", "reason"])
        return self.report.rejected.execute().sort_values(["table", "file", "row", "column"]).reset_index(drop=True)

    def source(self, file: str):
        (s,) = [s for s in self.report.sources if s.file == file]
        return s

    def reasons(self, row: int | None = None, file: str | None = None) -> list[str]:
        r = self.rejected
        if row is not None:
            r = r[r.row == row]
        if file is not None:
            r = r[r.file == file]
        return list(r.reason)


def assert_nothing_lost(rep: ImportReport, rows: dict[str, int] | None = None) -> None:
    """rows read = accepted + rejected, per source and in total, and row numbers add up exactly."""
    rejected = rep.rejected.execute() if rep.rejected is not None else pd.DataFrame(columns=["table", "file", "row"])
    for s in rep.sources:
        if s.skipped:
            continue
        acc = rep.tables[s.table].execute() if s.table in rep.tables else pd.DataFrame(columns=["_file", "_row"])
        acc_rows = list(acc.loc[acc["_file"] == s.file, "_row"])
        rej_rows = set(rejected.loc[(rejected["table"] == s.table) & (rejected["file"] == s.file), "row"])
        assert len(acc_rows) == len(set(acc_rows)), f"{s.file}: a row was accepted twice"
        assert not set(acc_rows) & rej_rows, f"{s.file}: rows both accepted and rejected: {set(acc_rows) & rej_rows}"
        assert s.rows_accepted == len(acc_rows), (s, len(acc_rows))
        assert s.rows_rejected == len(rej_rows), (s, rej_rows)
        assert s.rows_read == s.rows_accepted + s.rows_rejected, s
        assert len(set(acc_rows) | rej_rows) == s.rows_read, f"{s.file}: row numbers do not add up"
        if s.file.endswith((".csv", ".txt")):  # a text file's records are rows 2..n+1 (header = row 1)
            assert set(acc_rows) | rej_rows == set(range(2, s.rows_read + 2)), f"{s.file}: row numbers do not add up"
        if rows is not None and s.file in rows:
            assert s.rows_read == rows[s.file], f"{s.file}: read {s.rows_read} rows, the file has {rows[s.file]}"
    assert rep.rows_read == rep.rows_accepted + rep.rows_rejected


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` to ``tmp_path/name`` as exact bytes in ``encoding`` (``bom=True`` adds a UTF-8 BOM)."""

    def _write(name: str, text: str, encoding: str = "utf-8", bom: bool = False, newline: str = "\n") -> Path:
        p = tmp_path / name
        data = text.replace("\n", newline).encode(encoding)
        p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return p

    return _write


@pytest.fixture(scope="session")
def shared_workspace():
    """One in-memory workspace for the tests that import in ``replace`` mode (each import is the whole data set).

    Opening a workspace loads the 350 MB DuckDB encodings extension (about a second), so the many small
    dialect tests share one; tests of workspace behaviour open their own.
    """
    ws = Workspace(None)
    yield ws
    ws.close()


@pytest.fixture
def run_import(tmp_path: Path, shared_workspace: Workspace) -> Callable[..., Imported]:
    """Import DATA arguments (``path`` or ``table=path``) into a workspace and check nothing is lost.

    ``mapping`` is TOML text (written to a file and loaded like ``--mapping``) or an already loaded mapping;
    ``rows`` maps file names to the number of data rows the test wrote. Without ``workspace`` the import
    replaces everything in the shared in-memory workspace.
    """

    def _run(*data: str | Path, mapping: str | dict[str, TableMapping] | None = None, config: Config | None = None,
             workspace: Workspace | None = None, mode: str = "replace", today: dt.date = TODAY,
             rows: dict[str, int] | None = None) -> Imported:
        if isinstance(mapping, str):
            mp = tmp_path / "mapping.toml"
            mp.write_text(mapping, encoding="utf-8")
            mapping = load_mapping(mp)
        if workspace is None:
            assert mode == "replace", "append-mode tests pass their own workspace"
        ws = workspace if workspace is not None else shared_workspace
        rep = import_sources(DuckDBEngine(ws), [parse_data_arg(str(d)) for d in data], mapping or {},
                             config or Config(), mode=mode, today=today)
        assert_nothing_lost(rep, rows)
        return Imported(rep)

    return _run
