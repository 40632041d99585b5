"""Open an export as a raw Ibis table on the engine: CSV, Excel, Parquet or a database table by URL.

A raw table keeps the source's own column names plus ``_row``, the row number a user sees when the
file is opened in a spreadsheet (header = row 1). CSV columns arrive as text and are parsed per
column later, so that a bad value can be reported with its original text.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import itertools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import ibis
import numpy as np
import pyarrow as pa

from salesfocus import soon
from salesfocus.errors import InputError
from salesfocus.io.headers import guess_table
from salesfocus.io.schemas import SCHEMAS
from salesfocus.io.sniff import sniff_csv
from salesfocus.workspace import load_extension

__all__ = ["Source", "RawTable", "parse_data_arg", "open_source", "peek_headers", "ROW", "EXTRA"]

ROW = "_row"
EXTRA = "_sf_extra"  # CSV fields beyond the header (a separator inside an unquoted value): the row is rejected
_counter = itertools.count(1)
_DB_SCHEMES = ("postgresql", "postgres", "duckdb")


@dataclass
class Source:
    """One input: a canonical table name and where its rows come from."""

    table: str | None
    location: str
    options: dict[str, Any] = field(default_factory=dict)
    display: str | None = None  # the name in messages when the file name alone is ambiguous

    @property
    def is_url(self) -> bool:
        return urlparse(self.location).scheme in _DB_SCHEMES

    @property
    def kind(self) -> str:
        if self.is_url:
            return "database"
        suffix = Path(self.location).suffix.lower()
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            return "excel"
        if suffix in (".parquet", ".pq"):
            return "parquet"
        return "csv"

    @property
    def label(self) -> str:
        if self.display:
            return self.display
        if self.is_url:
            u = urlparse(self.location)
            return f"{u.scheme}://{u.hostname or ''}{u.path}?{u.query}"  # no password in messages
        return Path(self.location).name

    def fingerprint(self) -> str:
        """Content hash (files) or the URL: importing the same source twice adds nothing."""
        if self.is_url:
            return hashlib.sha256(self.label.encode()).hexdigest()[:16]
        _check_file(self)
        return soon.file_hash(self.location)  # the hash started ahead (hash_soon) while the file is unchanged

    def hash_soon(self) -> None:
        """Start hashing the file on a thread (:func:`salesfocus.soon.hash_soon`); :meth:`fingerprint` takes the
        result while the file's size and time are unchanged."""
        if not self.is_url:
            soon.hash_soon(self.location)


@dataclass
class RawTable:
    source: Source
    expr: ibis.Table
    text: bool  # columns are unparsed text (CSV)
    columns: list[str]
    plain: ibis.Table | None = None
    """The rows without their numbers, for a scan that needs none (the rows of a CSV file as taken in, a Parquet
    file without the reader's row numbers): numbered in order (``row_number()``), a scan runs on one thread."""


def distinguish(sources: list[Source]) -> None:
    """Give files that share a name (2023/orders.csv, 2024/orders.csv) labels that tell them apart."""
    files = [s for s in sources if not s.is_url]
    for name in {s.label for s in files}:
        same = [s for s in files if s.label == name]
        parts = [Path(s.location).resolve().parts for s in same]
        if len(set(parts)) < 2:
            continue
        k = 2
        while k < max(len(p) for p in parts) and len({p[-k:] for p in parts}) < len(set(parts)):
            k += 1
        for s, p in zip(same, parts, strict=True):
            s.display = "/".join(p[-k:]).lstrip("/")


def parse_data_arg(arg: str) -> Source:
    """``path`` or ``table=path`` (``customers=klanten.xlsx``); URLs may contain '=' in their query."""
    m = re.match(r"^([A-Za-z_][A-Za-z0-9_-]*)=(.+)$", arg)
    if m and not Path(arg).is_file():  # a file may really be called "a=b.csv"
        table = m.group(1).lower().replace("-", "_")
        if table in SCHEMAS:
            return Source(table, m.group(2))
        raise InputError(
            f"unknown table {m.group(1)!r} in {arg!r}: use one of {', '.join(SCHEMAS)} (e.g. customers=klanten.csv)"
        )
    return Source(None, arg)


def _check_file(src: Source) -> Path:
    p = Path(src.location)
    if not p.exists():
        raise InputError(f"{src.location}: file not found; check the path (relative to {Path.cwd()})")
    if not p.is_file():
        raise InputError(f"{src.location}: is not a file")
    return p


def _csv_options(src: Source) -> dict[str, Any]:
    o = src.options
    with open(src.location, "rb") as f:
        head = f.read(1 << 16)
    if not head.strip():
        raise InputError(f"{src.label}: the file is empty; export it again with a header row and data")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{src.label}: this is not a text (CSV) file but binary data; export it as CSV, or give an Excel "
            "workbook the .xlsx extension"
        )
    # Excel writes "sep=;" as a first line for other locales, and hides it when it opens the file.
    sep_line = re.match(rb"^(?:\xef\xbb\xbf)?sep=([^\r\n])\r?\n", head)
    separator = o.get("separator") or (sep_line.group(1).decode() if sep_line else None)
    dialect = sniff_csv(src.location, encoding=o.get("encoding"), separator=separator)
    return {"encoding": dialect.encoding, "separator": dialect.separator, "skip": 1 if sep_line else 0}


def _csv_header(src: Source, d: dict[str, Any]) -> list[str]:
    import csv

    enc = "utf-8-sig" if d["encoding"] == "utf-8" else d["encoding"]
    with open(src.location, encoding=enc, errors="replace", newline="") as f:
        rows = csv.reader(f, delimiter=d["separator"])
        for _ in range(d.get("skip", 0)):
            next(rows, None)
        return next(rows, [])


def _unique_names(header: list[str]) -> list[str]:
    """Column names as DuckDB would make them: blanks become ``column<i>``, repeats get ``_1``, ``_2``."""
    out: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        base = h.strip() or f"column{i}"
        name, k = base, 0
        while name.lower() in seen or name in (ROW, EXTRA):
            k += 1
            name = f"{base}_{k}"
        seen.add(name.lower())
        out.append(name)
    return out


def peek_headers(src: Source) -> list[str]:
    """The column names of a file, cheaply (used to recognise which table a bare path is)."""
    _check_file(src)
    if src.kind == "csv":
        return _csv_header(src, _csv_options(src))
    if src.kind == "parquet":
        import pyarrow.parquet as pq

        return pq.read_schema(src.location).names
    if src.kind == "excel":
        return [str(c) for c in _read_excel(src).column_names if c != ROW]
    return []


def _read_excel(src: Source) -> pa.Table:
    """Excel through calamine (fast, no Excel needed); cells keep their types where a column agrees.

    ``_row`` is the sheet's own row number (data may start below or right of A1); empty rows are skipped.
    """
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(src.location)
        sheet = src.options.get("sheet")
        names = wb.sheet_names
        if sheet is None:
            sheet = names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputError(f"{src.label}: no sheet number {sheet} (counting from 0); the workbook has "
                                 f"{', '.join(names)}")
            sheet = names[sheet]
        elif sheet not in names:
            raise InputError(f"{src.label}: no sheet {sheet!r}; the workbook has {', '.join(names)}")
        ws = wb.get_sheet_by_name(sheet)
        rows = ws.to_python(skip_empty_area=True)
        first_row = (ws.start[0] if ws.start else 0) + 1  # 1-based sheet row of the header
    except InputError:
        raise
    except Exception as e:
        raise InputError(f"{src.label}: cannot read this Excel file ({e}); save it again as .xlsx") from None
    if not rows or not any(c not in (None, "") for c in rows[0]):
        raise InputError(f"{src.label}: sheet {sheet!r} is empty or has no header in its first row")
    header = _unique_names([_cell_text(h).strip() if h not in (None, "") else f"column_{i + 1}"
                            for i, h in enumerate(rows[0])])
    numbered = [(first_row + 1 + k, r) for k, r in enumerate(rows[1:]) if any(c not in (None, "") for c in r)]
    body = [r for _, r in numbered]
    cols = {}
    for i, name in enumerate(header):
        vals = [(r[i] if i < len(r) else None) for r in body]
        vals = [None if v == "" else v for v in vals]
        kinds = {type(v) for v in vals if v is not None}
        if kinds <= {int, float} and kinds:
            cols[name] = pa.array([None if v is None else float(v) for v in vals], pa.float64())
        elif kinds <= {dt.date, dt.datetime} and kinds:
            cols[name] = pa.array([None if v is None else (v.date() if isinstance(v, dt.datetime) else v)
                                   for v in vals], pa.date32())
        else:  # mixed or text: keep the text, parsed like CSV
            comma = _comma_decimals([v for v in vals if isinstance(v, str)])
            cols[name] = pa.array([None if v is None else _cell_text(v, comma) for v in vals], pa.string())
    cols[ROW] = pa.array([n for n, _ in numbered], pa.int64())
    return pa.table(cols)


def _comma_decimals(texts: list[str]) -> bool:
    """Do the text cells of a column write numbers the Dutch way (``1.234,50``, ``12,5``)?"""
    comma = sum(bool(re.search(r"\d,\d{1,2}$|\d\.\d{3},\d", t.strip())) for t in texts)
    dot = sum(bool(re.search(r"\d\.\d{1,2}$|\d,\d{3}\.\d", t.strip())) for t in texts)
    return comma > dot


def _cell_text(v: Any, comma: bool = False) -> str:
    """A typed cell as text in the convention of the column's text cells (numbers, ISO dates)."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        text = np.format_float_positional(v, trim="-")
        return text.replace(".", ",") if comma else text
    if isinstance(v, dt.datetime | dt.date):
        return v.strftime("%Y-%m-%d")
    return str(v)


def open_source(con: ibis.BaseBackend, src: Source) -> RawTable:
    """Read a source on the engine behind ``con`` (DuckDB or PySpark) as a raw table."""
    name = f"_sf_raw_{next(_counter)}"
    spark = con.name == "pyspark"
    if src.kind == "database":
        return _open_database(con, src, name)
    _check_file(src)
    if src.kind == "parquet":
        try:
            t = con.read_parquet(src.location, table_name=name)
            if not spark and "file_row_number" not in t.columns:
                # The reader's own row number streams in parallel; row_number() over the whole file is a
                # serial window that dominated a 10M-line import.
                n = con.read_parquet(src.location, table_name=name, file_row_number=True)
                return RawTable(src, n.mutate(**{ROW: (n.file_row_number + 2).cast("int64")})
                                .drop("file_row_number"), False, list(t.columns))
        except Exception as e:
            raise InputError(f"{src.label}: cannot read this Parquet file ({e})") from None
        return RawTable(src, _number_rows(t, spark), False, list(t.columns), t)
    if src.kind == "excel":
        data = _read_excel(src)  # numbers its rows itself
        t = con.create_table(name, data, temp=True) if not spark else con.create_table(name, data)
        columns = [c for c in data.column_names if c != ROW]
        return RawTable(src, t, any(pa.types.is_string(data.schema.field(c).type) for c in columns), columns)
    d = _csv_options(src)
    try:
        if spark:
            enc = {"cp1252": "windows-1252"}.get(d["encoding"], d["encoding"])
            t = con.read_csv(src.location, table_name=name, sep=d["separator"], header=True, encoding=enc,
                             inferSchema=False, multiLine=True, escape='"')
        else:
            enc = d["encoding"]
            path = src.location
            # Bytes Windows-1252 leaves undefined (0x81, 0x8D, ...) stop DuckDB's decoder: transcode then.
            if enc == "cp1252" and (src.options.get("_transcode") or not _has_encodings(con)):
                path, enc = _transcode(src.location), "utf-8"
            # The header is read here, so every data row is parsed with exactly these columns plus one
            # catching extra fields (instead of DuckDB silently dropping them); short rows are padded.
            names = _unique_names(_csv_header(src, d))
            columns = {**{n: "VARCHAR" for n in names}, EXTRA: "VARCHAR"}
            t = con.read_csv(path, table_name=name, columns=columns, sep=d["separator"], header=True,
                             encoding=enc, quote='"', escape='"', strict_mode=False, null_padding=True,
                             parallel=src.options.get("_parallel", True), skip=d["skip"])
    except Exception as e:
        raise InputError(
            f"{src.label}: cannot read this CSV file ({str(e).splitlines()[0]}); "
            "check that it is a text export with one header row"
        ) from None
    columns = [c for c in t.columns if c != EXTRA]
    if spark:
        return RawTable(src, _number_rows(t, spark), True, columns, t)
    return _taken_in(con, src, name, columns)


_ROWS = "_rows"  # the suffix of the temporary table a CSV file's rows are taken into


def _taken_in(con: ibis.BaseBackend, src: Source, name: str, columns: list[str]) -> RawTable:
    """A CSV file's rows in a temporary table, numbered by their place in it (DuckDB).

    Parsed once, in parallel; DuckDB keeps the file's order as it stores them, so ``rowid`` is the row in the
    file. Numbered as the file is read (``row_number()``), every pass over it ran on one thread: each of the two
    passes of an import (the rejected rows, the accepted ones) and the detection of formats would read and parse
    the text again. Errors in the file's body surface here, as DuckDB's (the importer reads it again
    single-threaded, or transcoded, when they say so). :func:`release` drops the table after the import.
    """
    rows = f"{name}{_ROWS}"
    con.raw_sql(f'CREATE OR REPLACE TEMP TABLE "{rows}" AS SELECT * FROM "{name}"')
    numbered = f"{name}_numbered"
    con.raw_sql(f'CREATE OR REPLACE TEMP VIEW "{numbered}" AS SELECT *, CAST(rowid + 2 AS BIGINT) AS "{ROW}" '
                f'FROM "{rows}"')
    return RawTable(src, con.table(numbered), True, columns, con.table(rows))


def release(con: ibis.BaseBackend) -> None:
    """Drop the CSV rows :func:`open_source` took in (temporary tables), once the import has stored what it
    kept of them."""
    if con.name != "duckdb":
        return
    raw = con.con
    for (table,) in raw.execute("SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE "
                                f"'_sf_raw_%{_ROWS}'").fetchall():
        raw.execute(f'DROP VIEW IF EXISTS temp.main."{table.removesuffix(_ROWS)}_numbered"')
        raw.execute(f'DROP TABLE IF EXISTS temp.main."{table}"')


def _has_encodings(con) -> bool:
    return load_extension(con.con, "encodings")


def _transcode(path: str) -> str:
    import tempfile

    fd, name = tempfile.mkstemp(suffix=".csv", prefix="salesfocus-utf8-")
    atexit.register(lambda: os.path.exists(name) and os.unlink(name))  # the view reads it until the end
    with open(path, encoding="cp1252", errors="replace", newline="") as f, \
            open(fd, "w", encoding="utf-8", newline="") as g:
        while chunk := f.read(1 << 22):
            g.write(chunk)
    return name


def _number_rows(t: ibis.Table, spark: bool) -> ibis.Table:
    # DuckDB keeps insertion order on a single scan, so the row number is the file's row.
    return t.mutate(**{ROW: (ibis.row_number() + 2).cast("int64")})


def _open_database(con: ibis.BaseBackend, src: Source, name: str) -> RawTable:
    u = urlparse(src.location)
    # Not parse_qs: it turns '+' into a space, and SQL typed on a command line means '+' literally.
    q = {k: unquote(v) for k, _, v in (part.partition("=") for part in u.query.split("&")) if k}
    table, query = q.get("table"), q.get("query")
    if not table and not query:
        raise InputError(f"{src.label}: add ?table=NAME or ?query=SELECT... to the database URL")
    if con.name != "duckdb":
        raise InputError(f"{src.label}: database sources are read through the DuckDB engine; use --engine duckdb")
    raw = con.con
    alias = f"_sf_db_{next(_counter)}"
    if u.scheme in ("postgresql", "postgres"):
        if not load_extension(raw, "postgres_scanner"):
            raise InputError("PostgreSQL support needs the duckdb-extension-postgres-scanner package")
        dsn = " ".join(
            f"{k}={v}"
            for k, v in (("host", u.hostname), ("port", u.port), ("user", u.username),
                         ("password", unquote(u.password) if u.password else None), ("dbname", u.path.lstrip("/")))
            if v
        )
        kind = "(TYPE postgres, READ_ONLY)"
    else:
        dsn, kind = u.path if u.netloc == "" else u.netloc + u.path, "(READ_ONLY)"
    attached = False
    try:
        raw.execute(f"ATTACH '{dsn}' AS {alias} {kind}")
        attached = True
        if query:
            if not u.scheme.startswith("postgres"):
                raise InputError(f"{src.label}: a DuckDB source takes ?table=NAME (queries: PostgreSQL only)")
            sql = f"SELECT * FROM postgres_query('{alias}', '{query.replace(chr(39), chr(39) * 2)}')"
        else:
            schema, _, tbl = table.rpartition(".")
            ref = f'{alias}."{schema or ("public" if u.scheme.startswith("postgres") else "main")}"."{tbl}"'
            sql = f"SELECT * FROM {ref}"
        # Read once into the engine: the checks scan the rows several times, a remote database may return
        # them in another order each time, and row numbers must stay with their rows.
        raw.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT *, CAST(row_number() OVER () + 1 AS BIGINT) '
                    f'AS "{ROW}" FROM ({sql})')
    except InputError:
        raise
    except Exception as e:
        raise InputError(f"{src.label}: cannot read from the database ({str(e).splitlines()[0]})") from None
    finally:
        if attached:
            raw.execute(f"DETACH {alias}")
    t = con.table(name)
    return RawTable(src, t, False, [c for c in t.columns if c != ROW])


def resolve_table(src: Source) -> str:
    """The canonical table of a source: given, or recognised from its name and headers."""
    if src.table:
        return src.table
    if src.kind == "database":
        return "order_lines"
    return guess_table(Path(src.location).name, peek_headers(src))
