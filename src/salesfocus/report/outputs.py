"""Write a stored run as files: ``customers.csv``, ``summary.json``, ``rejected.csv`` and every result table.

Spreadsheet formula injection is neutralised in every text cell: a value starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return gets a leading apostrophe, so Excel shows it as text.

The CSV text is made column by column with Arrow compute (no per-cell Python), in the format the files
have always had: comma separated, ``\\n`` line ends, UTF-8, a header row; decimals rounded to 2 digits;
floats as Python writes them (``0.25``, ``12.0``, ``1e-05``), NaN and null empty; booleans ``True`` /
``False``; whole numbers of a column with empty cells as floats (``3.0``); dates ``2024-01-31``. A field
is quoted (``"…"``, quotes doubled) when it holds a comma, a quote, a line feed or a carriage return.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesfocus.model.context import Made
from salesfocus.workspace import MADE_PREFIX, Run

if TYPE_CHECKING:
    from salesfocus.report.tables import RunData

__all__ = ["CsvAhead", "neutralise", "write_outputs", "write_table_csv", "column_fields", "CUSTOMER_COLUMNS_FIRST",
           "to_frame", "csv_bytes"]

CUSTOMER_COLUMNS_FIRST = [
    "customer_id", "name", "status", "revenue", "cost_of_goods", "gross_margin", "margin_pct", "orders",
    "order_lines", "first_order", "last_order", "recency_days", "tenure_days", "orders_per_year",
    "avg_order_value", "returns_count", "returns_value", "days_to_pay",
]
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
REJECTED_COLUMNS = ["table", "file", "row", "column", "value", "reason"]
MONEY_DIGITS = 2
BATCH_ROWS = 50_000  # rows formatted and joined per task; tasks run on a few threads (Arrow releases the GIL)
# Python writes a float in fixed notation from 1e-4 up to 1e16, Arrow's cast from 1e-7 up to 1e10; in the overlap
# both give the same shortest digits (Python adds ".0" to a whole number). Others are rare: repr() each.
_FIXED_LOW, _FIXED_HIGH = 1e-4, 1e10


def neutralise(value: Any) -> Any:
    """Make a text cell literal in a spreadsheet when it would start a formula."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


_TRIGGER_LUT = np.zeros(256, dtype=bool)
_TRIGGER_LUT[np.frombuffer("".join(_TRIGGERS).encode(), dtype=np.uint8)] = True


def _offsets(a: pa.Array) -> np.ndarray:
    width = 8 if a.type == pa.large_string() else 4
    return np.frombuffer(a.buffers()[1], dtype=np.int64 if width == 8 else np.int32, count=len(a) + 1,
                         offset=a.offset * width)


def _text_masks(a: pa.Array) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Rows of a text array that start a formula, and rows with a comma, quote, LF or CR (None: no such row).

    Read from Arrow's buffers with numpy: the first byte of each value, and the rows holding a special byte.
    """
    n = len(a)
    if n == 0 or a.null_count == n or a.buffers()[2] is None:
        return None, None
    offsets = _offsets(a)
    lo, hi = int(offsets[0]), int(offsets[-1])
    if hi == lo:
        return None, None
    data = np.frombuffer(a.buffers()[2], dtype=np.uint8)
    start = offsets[:-1]
    filled = offsets[1:] > start
    valid = a.is_valid().to_numpy(zero_copy_only=False) if a.null_count else None
    if valid is not None:
        filled &= valid
    hit = filled & _TRIGGER_LUT[data[np.minimum(start, hi - 1)]]
    seg = data[lo:hi]
    pos = np.flatnonzero((seg == 44) | (seg == 34) | (seg == 10) | (seg == 13))
    need = None
    if pos.size:
        need = np.zeros(n, dtype=bool)
        need[np.searchsorted(offsets, pos + lo, side="right") - 1] = True
        if valid is not None:
            need &= valid
    return (hit if hit.any() else None), need


def _prefix(a: pa.Array, rows: np.ndarray, before: str, after: str = "") -> pa.Array:
    """``a`` with the values at ``rows`` (bool mask) wrapped in ``before`` … ``after``."""
    mask = pa.array(rows, pa.bool_())
    before, after, sep = (pa.scalar(x, a.type) for x in (before, after, ""))
    return pc.replace_with_mask(a, mask, pc.binary_join_element_wise(before, pc.filter(a, mask), after, sep))


def neutral_text(col: pa.ChunkedArray | pa.Array) -> pa.Array | pa.ChunkedArray:
    """A text column with every formula-like value made literal (as :func:`neutralise`), still Arrow."""
    if isinstance(col, pa.ChunkedArray):
        return pa.chunked_array([neutral_text(c) for c in col.chunks], col.type)
    hit, _ = _text_masks(col)
    return col if hit is None else _prefix(col, hit, "'")


def neutralise_column(col: pa.ChunkedArray | pa.Array) -> pd.Series:
    """A whole text column neutralised at once (as :func:`neutralise` per value); object dtype, None for null."""
    return pd.Series(neutral_text(col).to_numpy(zero_copy_only=False), dtype="object")


def text_column(col: pa.ChunkedArray | pa.Array) -> pd.Series:
    """A text column as object dtype with None for null (not pandas' string dtype)."""
    return pd.Series(col.to_numpy(zero_copy_only=False), dtype="object")


def decimal_floats(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Decimals as float64 (NaN for null), each the nearest double (as ``float(Decimal)``).

    Arrow's own cast is not always the nearest double. An unscaled value below 2**53 and a power of ten up to
    1e22 are exact doubles, so their quotient is correctly rounded; other values go via their exact text.
    """
    if isinstance(col, pa.ChunkedArray):
        parts = [decimal_floats(c) for c in col.chunks]
        return np.concatenate(parts) if parts else np.empty(0, np.float64)
    t = col.type
    if not (isinstance(t, pa.Decimal128Type) and 0 <= t.scale <= 22) or len(col) == 0:
        return col.cast(pa.string()).cast(pa.float64()).to_numpy(zero_copy_only=False)
    words = np.frombuffer(col.buffers()[1], dtype=np.int64, count=2 * len(col), offset=16 * col.offset)
    low, high = words[0::2], words[1::2]
    exact = (high == (low >> 63)) & (np.abs(low) <= 2**53)
    out = low.astype(np.float64) / 10.0 ** t.scale
    if col.null_count:
        out[~col.is_valid().to_numpy(zero_copy_only=False)] = np.nan
    if not exact.all():
        rest = ~exact & ~np.isnan(out)
        out[rest] = col.filter(pa.array(rest)).cast(pa.string()).cast(pa.float64()).to_numpy(zero_copy_only=False)
    return out


def decimal_column(col: pa.ChunkedArray | pa.Array) -> pd.Series:
    """Decimals as a float64 Series, each the nearest double (as ``float(Decimal)``)."""
    return pd.Series(decimal_floats(col), dtype="float64")


def to_frame(table: pa.Table, money_digits: int = MONEY_DIGITS) -> pd.DataFrame:
    """Arrow to pandas for output: decimals as rounded floats, text neutralised."""
    cols = {}
    for name, col in zip(table.column_names, table.columns, strict=True):
        t = col.type
        if pa.types.is_decimal(t):
            cols[name] = decimal_column(col).round(money_digits)
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            cols[name] = neutralise_column(col)
        else:
            cols[name] = col.to_pandas()
    return pd.DataFrame(cols, columns=table.column_names)


# -- CSV text, column by column ------------------------------------------------------------------------------
def _mask(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.bool_())


def _quoted(text: pa.Array) -> pa.Array:
    """CSV fields: a value with a comma, quote, line feed or carriage return in quotes, its quotes doubled."""
    return _text_fields(text, neutral=False)


def _text_fields(a: pa.Array, *, neutral: bool = True) -> pa.Array:
    """Text as CSV fields: formula-like values made literal (``neutral``), then quoted where needed."""
    if a.type != pa.string():
        a = a.cast(pa.string())
    hit, need = _text_masks(a)
    if neutral and hit is not None:
        a = _prefix(a, hit, "'")
    if need is None:
        return a
    # sentences (the A/B/C reasons) have a comma in nearly every row: then every row is quoted, with no masks
    every = bool(need.all())
    inner = a if every else pc.filter(a, pa.array(need, pa.bool_()))
    if _has_byte(inner, 34):
        inner = pc.replace_substring(inner, '"', '""')
    quoted = pc.binary_join_element_wise('"', inner, '"', "")
    return quoted if every else pc.replace_with_mask(a, pa.array(need, pa.bool_()), quoted)


def _has_byte(a: pa.Array, byte: int) -> bool:
    """Whether any value of a text array holds ``byte``."""
    if len(a) == 0 or a.buffers()[2] is None:
        return False
    offsets = _offsets(a)
    data = np.frombuffer(a.buffers()[2], dtype=np.uint8)[int(offsets[0]):int(offsets[-1])]
    return bool((data == byte).any())


def float_text(x: np.ndarray) -> pa.Array:
    """Floats as Python's ``repr`` writes them (``0.1``, ``12.0``, ``1e-05``, ``inf``); NaN → null."""
    x = np.asarray(x, dtype=np.float64)
    nan = np.isnan(x)
    text = pa.array(x, pa.float64(), mask=nan).cast(pa.string())
    with np.errstate(invalid="ignore"):
        size = np.abs(x)
        fixed = ((size >= _FIXED_LOW) & (size < _FIXED_HIGH)) | (size == 0)
        whole = fixed & (x == np.floor(x))
        other = ~fixed & ~nan
    if whole.all():
        text = pc.binary_join_element_wise(text, ".0", "")
    elif whole.any():
        hit = _mask(whole)
        text = pc.replace_with_mask(text, hit, pc.binary_join_element_wise(pc.filter(text, hit), ".0", ""))
    if other.any():
        text = pc.replace_with_mask(text, _mask(other), pa.array([repr(v) for v in x[other].tolist()], pa.string()))
    return text


def _pandas_text(col: pa.ChunkedArray) -> pa.Array:
    """A column of a rare type (timestamps, durations, lists …) as pandas' ``to_csv`` writes it, one pass."""
    out = pd.DataFrame({"c": col.to_pandas()}).to_csv(index=False, header=False, lineterminator="\n")
    return _quoted(pa.array([r[0] if r else "" for r in csv.reader(io.StringIO(out))], pa.string()))


Formatter = Callable[[pa.Array, int], pa.Array]


def _formatter(col: pa.ChunkedArray, money_digits: int) -> Formatter:
    """How a column becomes CSV fields, decided on the whole column (batches are formatted alike)."""
    t = col.type
    if pa.types.is_dictionary(t):
        inner = _formatter(col.cast(t.value_type), money_digits)
        return lambda a, off: inner(a.cast(t.value_type), off)
    plain = _plain_formatter(t, bool(col.null_count), money_digits)
    if plain is not None:
        return plain
    whole = _pandas_text(col)
    return lambda a, off: whole.slice(off, len(a))


def _plain_formatter(t: pa.DataType, gaps: bool, money_digits: int) -> Formatter | None:
    """How a column of type ``t`` (``gaps``: with an empty cell) becomes CSV fields; None for a rare type, which
    only the whole column decides."""
    if pa.types.is_decimal(t):
        return lambda a, off: float_text(np.round(decimal_floats(a), money_digits))
    if t == pa.float64() or (pa.types.is_integer(t) and gaps):  # pandas: ints with gaps are floats
        return lambda a, off: float_text(a.to_numpy(zero_copy_only=False))
    if pa.types.is_integer(t) or pa.types.is_date(t):
        return lambda a, off: a.cast(pa.string())
    if pa.types.is_boolean(t):
        return lambda a, off: pc.if_else(a, "True", "False")
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return lambda a, off: _text_fields(a)
    if pa.types.is_null(t):
        return lambda a, off: pa.nulls(len(a), pa.string())
    return None


def _join(fields: list[pa.Array]) -> pa.Array:
    """Rows of CSV fields as lines ending in ``\\n`` (an empty only field written ``""``, as Python's csv does)."""
    if len(fields) == 1:
        f = fields[0]
        return pc.binary_join_element_wise(pc.if_else(pc.fill_null(pc.equal(f, ""), True), '""', f), "", "\n")
    # the line end goes on the last field, not on the joined line: Arrow appends to long values slowly
    # (customers.csv of 200,000 customers × 99 columns: 1.7 -> 1.5 CPU-s)
    last = pc.binary_join_element_wise(pc.fill_null(fields[-1], ""), "", "\n")
    return pc.binary_join_element_wise(*fields[:-1], last, ",", null_handling="replace", null_replacement="")


def _bytes_of(lines: pa.Array) -> memoryview:
    """The text of a string array with no separators: its data buffer between the first and last offset."""
    if len(lines) == 0:
        return memoryview(b"")
    width = 8 if lines.type == pa.large_string() else 4
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64 if width == 8 else np.int32,
                            count=len(lines) + 1, offset=lines.offset * width)
    return memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def _header(names: list[str]) -> str:
    return ",".join(_quoted(pa.array(names, pa.string())).to_pylist()) + "\n"


Fields = dict[str, tuple[pa.ChunkedArray, list[pa.Array]]]
"""Columns formatted ahead (:func:`column_fields`), by name: the column and its CSV fields per batch."""


def column_fields(col: pa.ChunkedArray, money_digits: int = MONEY_DIGITS) -> list[pa.Array]:
    """A column's CSV fields, per batch of :data:`BATCH_ROWS` rows, as a file of a table with it writes them."""
    fmt = _formatter(col, money_digits)
    out = []
    for off in range(0, len(col), BATCH_ROWS):
        part = col.slice(off, BATCH_ROWS)
        out.append(fmt(part.combine_chunks() if part.num_chunks != 1 else part.chunk(0), off))
    return out


def _batches(table: pa.Table, money_digits: int, fields: Fields | None = None) -> Iterator[Callable[[], pa.Array]]:
    known = {}  # by column number: the fields of a column formatted ahead that is the very column here
    for i, (name, col) in enumerate(zip(table.column_names, table.columns, strict=True)):
        held = (fields or {}).get(name)
        if held is not None and held[0].type == col.type and held[0].equals(col):
            known[i] = held[1]
    plan = [None if i in known else _formatter(col, money_digits) for i, col in enumerate(table.columns)]
    for n, off in enumerate(range(0, table.num_rows, BATCH_ROWS)):
        part = table.slice(off, BATCH_ROWS)

        def task(part: pa.Table = part, off: int = off, n: int = n) -> pa.Array:
            return _join([known[i][n] if fmt is None else fmt(c.combine_chunks() if c.num_chunks != 1 else c.chunk(0),
                                                                off)
                          for i, (fmt, c) in enumerate(zip(plan, part.columns, strict=True))])

        yield task


_POOL: tuple[int, ThreadPoolExecutor] | None = None


def _pool() -> ThreadPoolExecutor:
    """The CSV threads (one per core, at most 4), made anew in a forked child (which has no threads)."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)),
                                                 thread_name_prefix="sf-csv"))
    return _POOL[1]


def _ordered(tasks: Iterator[Callable[[], pa.Array]]) -> Iterator[pa.Array]:
    """Run tasks on the pool, one per core ahead, and yield their results in order.

    Each batch in flight holds its formatted text (50,000 customers: about 50 MB and more while formatting). At
    50M order lines, two per core ahead gave peaks of 3.88-4.00 GiB, one per core 3.71-3.87 GiB, no slower.
    """
    pool, window, ahead = _pool(), [], os.cpu_count() or 1
    for task in tasks:
        window.append(pool.submit(task))
        if len(window) > ahead:
            yield window.pop(0).result()
    for fut in window:
        yield fut.result()


def arrange(table: pa.Table, first: list[str] | None) -> pa.Table:
    """The table with the columns of ``first`` (those it has) in front, the others after in their order."""
    if not first:
        return table
    names = table.column_names
    order = [c for c in first if c in names] + [c for c in names if c not in first]
    return table.select(order)


def csv_bytes(table: pa.Table, first: list[str] | None = None, money_digits: int = MONEY_DIGITS) -> bytes:
    """The CSV file of a table as bytes (see the module docstring for the format)."""
    buf = io.BytesIO()
    _write_csv(arrange(table, first), buf, money_digits)
    return buf.getvalue()


def _write_csv(table: pa.Table, f: Any, money_digits: int, fields: Fields | None = None) -> None:
    if table.num_columns == 0:
        f.write(pd.DataFrame(index=range(table.num_rows)).to_csv(index=False, lineterminator="\n").encode())
        return
    f.write(_header(table.column_names).encode("utf-8"))
    for lines in _ordered(_batches(table, money_digits, fields)):
        f.write(_bytes_of(lines))


def write_table_csv(table: pa.Table | Made, path: Path, first: list[str] | None = None,
                    fields: Fields | None = None) -> None:
    """Write one table as CSV (decimals rounded to cents, text neutralised; ``first`` columns in front). A table the
    engine made in the workspace (:class:`~salesfocus.model.context.Made`) is read batch by batch as it is written,
    never held whole. ``fields``: columns formatted ahead; those the table has as they are, it does not format
    again."""
    if isinstance(table, Made):
        schema = table.schema
        if first or not schema.names or any(_plain_formatter(f.type, False, MONEY_DIGITS) is None for f in schema):
            table = table.load()
        else:
            _write_made_csv(table, schema, path)
            return
    with open(path, "wb") as f:
        _write_csv(arrange(table, first), f, MONEY_DIGITS, fields)


def _write_made_csv(table: Made, schema: pa.Schema, path: Path) -> None:
    gaps = table.with_nulls([f.name for f in schema if pa.types.is_integer(f.type)])
    plan = [_plain_formatter(f.type, f.name in gaps, MONEY_DIGITS) for f in schema]

    def tasks() -> Iterator[Callable[[], pa.Array]]:
        off = 0
        for batch in table.batches(BATCH_ROWS):
            def task(batch: pa.RecordBatch = batch, off: int = off) -> pa.Array:
                return _join([fmt(c, off) for fmt, c in zip(plan, batch.columns, strict=True)])

            off += batch.num_rows
            yield task

    with open(path, "wb") as f:
        f.write(_header(schema.names).encode("utf-8"))
        for lines in _ordered(tasks()):
            f.write(_bytes_of(lines))


def _json_default(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    return str(v)


def _clean(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    return v


class CsvAhead:
    """The CSV files of a run's tables, written while the run is still being made.

    A step's tables are final long before the last step ends, and the steps leave a core idle much of the time:
    :meth:`add` writes a table's file then, on a thread of its own, into a folder beside the outputs; when the run
    is stored, :func:`write_outputs` takes the file of every table that is the very table written ahead
    (:meth:`take`; a table the engine made in the workspace: by the name of the workspace table that holds it) and
    writes the others. A table added again under its name is written again; :meth:`close` removes what was not taken
    (all of it when the run failed)."""

    FOLDER = ".salesfocus-ahead"

    def __init__(self, out: Path | str) -> None:
        self.out = Path(out)
        self._dir = self.out / self.FOLDER
        shutil.rmtree(self._dir, ignore_errors=True)  # what an interrupted run left
        self._lock = threading.Lock()
        self._files: dict[str, tuple[pa.Table | str, Path, Future[None]]] = {}
        self._written = 0
        self._fields: dict[str, Fields] = {}  # the writer's own: columns formatted ahead, by table
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sf-csv-ahead")

    def add(self, name: str, table: pa.Table | Made) -> None:
        """Write the file of the run's table ``name`` (soon, on the writer's thread)."""
        key = table.table if isinstance(table, Made) else table
        with self._lock:
            held = self._files.get(name)
            if held is not None and _same(held[0], key):
                return
            self._written += 1  # a file of its own for each table added: one added again does not wait for the last
            path = self._dir / f"{self._written}-{name}.csv"
            self._files[name] = (key, path, self._worker.submit(self._write, name, table, path))

    def format_ahead(self, name: str, table: pa.Table) -> None:
        """Format (soon, on the writer's thread) the columns of a table that is not final yet: the table added
        later under ``name`` formats only the columns it does not have as they are here. The customer table grows
        by a step's columns at a time, and the columns of the first steps are formatted while the later steps
        leave a core idle (200,000 customers: about 1.3 of the file's 2.3 CPU-s)."""
        with self._lock:
            self._worker.submit(self._format, name, table)

    def _format(self, name: str, table: pa.Table) -> None:
        held = self._fields.setdefault(name, {})
        for col_name, col in zip(table.column_names, table.columns, strict=True):
            known = held.get(col_name)
            if known is None or known[0].type != col.type or not known[0].equals(col):
                held[col_name] = (col, column_fields(col))

    def _write(self, name: str, table: pa.Table | Made, path: Path) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        write_table_csv(table, path, _first_columns(name), self._fields.pop(name, None))

    def take(self, name: str, table: pa.Table | str, to: Path) -> bool:
        """Move the file written ahead of ``table`` (or of the workspace table of that name) to ``to``; False when
        ``table`` is not the one written ahead."""
        with self._lock:
            held = self._files.get(name)
            if held is None or not _same(held[0], table):
                return False
            del self._files[name]
        held[2].result()  # written (or raises what went wrong)
        os.replace(held[1], to)
        return True

    def close(self) -> None:
        """Stop writing ahead and remove the files not taken."""
        self._worker.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._files.clear()
            self._fields.clear()
        shutil.rmtree(self._dir, ignore_errors=True)


def _first_columns(name: str) -> list[str] | None:
    """The columns in front in table ``name``'s file (the customer table's key columns)."""
    return CUSTOMER_COLUMNS_FIRST if name == "customers" else None


def _same(held: pa.Table | str, table: pa.Table | str) -> bool:
    return held is table or (isinstance(held, str) and held == table)


def write_outputs(run: Run | RunData, out: Path, ahead: CsvAhead | None = None) -> list[Path]:
    """Render the run's tables into ``out``; returns the files written.

    ``run`` may be a :class:`~salesfocus.report.tables.RunData`, whose tables the other views then share
    (each is read from the workspace once). ``ahead``: the files of the tables written while the run was made
    (:class:`CsvAhead`), taken where they are of the run's very tables.
    """
    from salesfocus.report.tables import RunData

    data = run if isinstance(run, RunData) else None
    run = data.run if data is not None else run
    out.mkdir(parents=True, exist_ok=True)
    written = [out / f"{name}.csv" for name in run.tables]
    # The customer table first: by far the largest file, made while the other views read the smaller tables.
    for name in sorted(run.tables, key=lambda n: n != "customers"):
        held = run.meta.get("stored_as", {}).get(name)
        if isinstance(held, str) and held.startswith(MADE_PREFIX):  # a table the engine made: not read whole
            if ahead is None or not ahead.take(name, held, out / f"{name}.csv"):
                write_table_csv(Made(run.workspace, held), out / f"{name}.csv")
            continue
        table = data.arrow(name) if data is not None else run.table(name)
        if ahead is not None and ahead.take(name, table, out / f"{name}.csv"):
            continue
        write_table_csv(table, out / f"{name}.csv", _first_columns(name))
    if "rejected" not in run.tables:
        (out / "rejected.csv").write_text(",".join(REJECTED_COLUMNS) + "\n", encoding="utf-8")
        written.append(out / "rejected.csv")
    summary = _clean(dict(run.meta.get("summary", {})) | {"run_id": run.run_id, "created_at": run.created_at})
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=_json_default, ensure_ascii=False),
                                      encoding="utf-8")
    written.append(out / "summary.json")
    return written
