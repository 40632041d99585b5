"""Validation at the boundary: map a raw export onto its canonical table, type it, and flag bad rows.

Every problem becomes a row of the ``rejected`` table naming the file, the row, the source column,
the value and what was expected; nothing is dropped silently (rows read = accepted + rejected).
The whole check is one Ibis expression, so it runs where the data is (DuckDB or Spark).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import ibis
import ibis.expr.types as ir

from salesfocus.config import ImportOptions
from salesfocus.errors import InputError
from salesfocus.io.headers import normalise, propose_mapping
from salesfocus.io.mapping import TableMapping
from salesfocus.io.parse import (
    ColumnFormat,
    detect_formats,
    has_text,
    parse_bool,
    parse_date,
    parse_number,
    parse_text,
)
from salesfocus.io.readers import EXTRA, ROW, RawTable
from salesfocus.io.schemas import SCHEMAS, Column

__all__ = ["Checked", "check_table", "REJECTED_COLUMNS", "MONEY"]

MONEY = "decimal(18, 4)"
_HUGE = 1e13  # amounts from here on are implausible (and near the limit of MONEY)
REJECTED_COLUMNS = ("table", "file", "row", "column", "value", "reason")
_EXAMPLES = {
    "decimal": "a number such as 1.234,56 or 1234.56",
    "float": "a number such as 12 or 2,5",
    "integer": "a whole number such as 12",
    "date": "a date such as 31-12-2024 or 2024-12-31",
    "boolean": "ja/nee, yes/no, 1/0",
}
_OPTION_HINT = {"decimal": 'decimal = "," or "."', "float": 'decimal = "," or "."',
                "integer": 'decimal = "," or "."', "date": 'date_format (e.g. "%d-%m-%Y")'}
_DATE_SHAPE = r"^\s*(\d{1,2}[-/.]\d{1,2}[-/.](\d{4}|\d{2})|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{8})(\s|T|$)"


@dataclass
class Checked:
    """A typed table with one flag column per check, ready to be split into accepted and rejected rows."""

    table: str
    source: str
    expr: ibis.Table  # canonical columns + ROW + raw text columns + flags
    checks: list[tuple[str, str, str, str]] = field(default_factory=list)  # flag, source column, raw col, reason
    mapping: dict[str, str] = field(default_factory=dict)
    bad_rows: ibis.Table | None = None  # the flagged rows, materialised by the importer

    @property
    def flags(self) -> list[str]:
        return [c[0] for c in self.checks]

    def bad(self) -> ir.BooleanValue:
        if not self.checks:
            return ibis.literal(False)
        return ibis.or_(*[self.expr[f] for f in self.flags])

    def accepted(self, t: ibis.Table | None = None) -> ibis.Table:
        """The rows no check flags, with the canonical columns.

        Once the importer has materialised the flagged rows (``bad_rows``), the rest are the rows not among them
        by row number, so the checks do not run over every row a second time (in a Dutch CSV export they cost
        more than reading the numbers and dates); with no flagged row nothing is filtered at all.
        """
        t = self.expr if t is None else t
        cols = [*SCHEMAS[self.table].names, ROW] + [c for c in ("_file",) if c in t.columns]
        if self.checks and self.bad_rows is not None:
            if self.bad_rows.count().to_pyarrow().as_py():
                t = t.anti_join(self.bad_rows.select(ROW), ROW)
        elif self.checks:
            t = t.filter(~ibis.or_(*[t[f] for f in self.flags]))
        out = t.select(*cols)
        if self.table == "order_lines":
            out = out.mutate(is_return=(out.revenue < 0) | (out.quantity.fill_null(0) < 0))
        return out

    def rejected(self, t: ibis.Table | None = None) -> ibis.Table | None:
        t = self.expr if t is None else t
        parts = [
            t.filter(t[flag]).select(
                table=ibis.literal(self.table),
                file=ibis.literal(self.source),
                row=t[ROW].cast("int64"),
                column=ibis.literal(src_col),
                value=t[raw].cast("string") if raw else ibis.null("string"),
                reason=ibis.literal(reason),
            )
            for flag, src_col, raw, reason in self.checks
        ]
        if not parts:
            return None
        return ibis.union(*parts) if len(parts) > 1 else parts[0]


def _resolve_mapping(raw: RawTable, table: str, tm: TableMapping | None) -> tuple[dict[str, str], dict[str, str]]:
    """Canonical column -> source column, and canonical column -> SQL expression."""
    by_norm = {normalise(c): c for c in raw.columns if c != ROW}
    direct = propose_mapping(table, [c for c in raw.columns if c != ROW])
    exprs: dict[str, str] = {}
    for col, spec in (tm.columns if tm else {}).items():
        if spec in raw.columns:
            direct[col] = spec
        elif normalise(spec) in by_norm and normalise(spec) != "":
            direct[col] = by_norm[normalise(spec)]
        else:
            direct.pop(col, None)
            exprs[col] = spec
    return direct, exprs


def _to_kind(v: ir.Value, col: Column, fmt) -> ir.Value:
    """Typed canonical value from a source value that is text (parsed) or already typed (cast)."""
    dtype = v.type()
    if col.kind == "string":
        if dtype.is_string():
            return parse_text(v, whole_floats=fmt.whole_float_share >= 1.0)
        if dtype.is_floating():
            return ibis.ifelse(v == v.floor(), v.cast("int64").cast("string"), v.cast("string"))
        return v.cast("string")
    if col.kind in ("decimal", "float", "integer"):
        num = parse_number(v, fmt.decimal) if dtype.is_string() else v.cast("float64")
        if col.kind == "decimal":  # beyond DECIMAL(18, 4), NaN or infinite: NULL here, reported by check_table
            return ibis.ifelse(num.abs() < _HUGE, num, ibis.null("float64")).cast(MONEY)
        if col.kind == "integer":
            return ibis.ifelse(num == num.round(), num, ibis.null("float64")).cast("int64")
        return num
    if col.kind == "date":
        if dtype.is_string():
            return parse_date(v, fmt.date_order, fmt.mixed_dates)
        if dtype.is_timestamp() or dtype.is_date():
            return v.cast("date")
        return ibis.null("date")
    if col.kind == "boolean":
        if dtype.is_string():
            return parse_bool(v)
        if dtype.is_numeric():
            return v != 0
        return v.cast("boolean")
    raise AssertionError(col.kind)


def _referenced_columns(raw: RawTable, exprs: dict[str, str]) -> dict[str, list[str]]:
    """Source columns each mapping expression uses (matched case-insensitively, as SQL does)."""
    import sqlglot
    from sqlglot import exp

    by_lower = {c.lower(): c for c in raw.columns if c != ROW}
    out: dict[str, list[str]] = {}
    for col, e in exprs.items():
        try:
            names = [c.name for c in sqlglot.parse_one(e, read="duckdb").find_all(exp.Column)]
        except Exception:  # the engine will say what is wrong with it
            names = []
        out[col] = list(dict.fromkeys(by_lower[n.lower()] for n in names if n.lower() in by_lower))
    return out


def _expression_view(raw: RawTable, exprs: dict[str, str], fmts: dict[str, ColumnFormat],
                     used: dict[str, list[str]]) -> ibis.Table:
    """Evaluate mapping expressions over an auto-typed view of the source (numbers parsed, dates parsed).

    A text column an expression uses is read as numbers when most of it is numeric (the values that are
    not become NULL, so their rows are rejected with the inputs shown rather than failing the import),
    or as dates when nearly all of it is dates. An expression that only works on the text as written
    (``replace(Bedrag, 'EUR', '')``) is evaluated on the text.
    """
    t = raw.expr
    typed = {}
    for c in sorted({c for cols in used.values() for c in cols}):
        f = fmts.get(c)
        if f is None or not t[c].type().is_string():
            continue
        if f.numeric_share >= 0.5 and f.numeric_share >= f.date_share:
            typed[c] = parse_number(t[c], f.decimal)
        elif f.date_share >= 0.9:
            typed[c] = parse_date(t[c], f.date_order, f.mixed_dates)
    views = [t.mutate(**typed), t] if typed else [t]

    def select(view: ibis.Table, part: dict[str, str]) -> ibis.Table:
        cols = ", ".join(f'({e}) AS "__expr_{c}"' for c, e in part.items())
        out = view.alias("source").sql(f'SELECT "{ROW}", {cols} FROM source', dialect="duckdb")
        out.schema()  # binds the SQL: a wrong column or type fails here
        return out

    parts: list[dict[str, str]] = [{} for _ in views]
    for c, e in exprs.items():
        errors = []
        for k, view in enumerate(views):
            try:
                select(view, {c: e})
            except Exception as err:
                errors.append(err)
                continue
            parts[k][c] = e
            break
        else:
            raise InputError(
                f"{raw.source.label}: a mapping expression does not work on this file "
                f"({str(errors[0]).splitlines()[0]}); {c} = {e!r}; columns in the file: "
                f"{', '.join(c for c in raw.columns if c != ROW)}. "
                'Quote column names with spaces in double quotes, e.g. revenue = \'"Unit Price" * Quantity\''
            ) from None
    outs = [select(v, p) for v, p in zip(views, parts, strict=True) if p]
    out = outs[0]
    for other in outs[1:]:
        out = out.join(other, ROW)
    return out


def _require(raw: RawTable, table: str, direct: dict[str, str], exprs: dict[str, str],
             options: ImportOptions) -> None:
    missing = [c for c in SCHEMAS[table].required if c not in direct and c not in exprs]
    if missing and not (missing == ["customer_id"] and options.anonymous_customer):
        cols = ", ".join(c for c in raw.columns if c != ROW)
        need = ", ".join(missing)
        raise InputError(
            f"{raw.source.label}: required column(s) {need} for table {table} not found. Columns in the file: "
            f"{cols}. Rename the column(s) or map them in a mapping file, e.g. [{table}] {missing[0]} = "
            f'"<your column or an expression such as Quantity * Price>"'
        )


_KIND_CLASS = {"string": "string", "decimal": "number", "float": "number", "integer": "number", "date": "date",
               "boolean": "string"}


def _with_expressions(raw: RawTable, table: str, direct: dict[str, str], exprs: dict[str, str], opts: dict
                      ) -> tuple[ibis.Table, dict[str, ColumnFormat], dict[str, list[str]]]:
    """The source with mapping expressions evaluated, and the format of every text column (one scan)."""
    hints = {"decimal": opts.get("decimal"), "date_format": opts.get("date_format")}
    t = raw.expr
    used = _referenced_columns(raw, exprs)
    # What each text column must become decides which patterns are worth scanning for; an id column
    # of a typed source (Parquet, a database) needs no scan at all.
    kind_of = {src: _KIND_CLASS[SCHEMAS[table].column(col).kind] for col, src in direct.items()}
    for cols in used.values():
        kind_of.update({c: "any" for c in cols})
    text_cols = sorted(c for c, k in kind_of.items()
                       if t[c].type().is_string() and (raw.text or k != "string"))
    scan = raw.plain if raw.plain is not None else t
    fmts = detect_formats(scan, text_cols, kinds=kind_of, **hints) if text_cols else {}
    if exprs:
        t = t.join(_expression_view(raw, exprs, fmts, used), ROW)
        text_out = [f"__expr_{c}" for c in exprs if t[f"__expr_{c}"].type().is_string()]
        if text_out:  # an expression that yields text (e.g. replace(Bedrag, 'EUR', '')) is parsed like a column
            fmts.update(detect_formats(t, text_out, **hints))
        for c, e in exprs.items():
            fmts[e] = fmts.get(f"__expr_{c}", ColumnFormat())
    return t, fmts, used


def _value_checks(col: Column, table: str, source_value: ir.Value, typed: ir.Value, checked: ir.Value,
                  present: ir.BooleanValue, expression: str | None, options: ImportOptions, limit: dt.date
                  ) -> list[tuple[str, ir.BooleanValue, str]]:
    """(kind, condition that marks a bad row, reason) for one canonical column."""
    out: list[tuple[str, ir.BooleanValue, str]] = []
    if col.required and not (col.name == "customer_id" and options.anonymous_customer):
        hint = (
            "; rows without a customer are common in retail exports: set [import] anonymous_customer = "
            "'ANONYMOUS' in the config to keep them under one explicit customer"
            if col.name == "customer_id" else ""
        )
        if expression:
            out.append(("missing", ~present, f"{col.name} is empty: {expression} gave no value for this row (a value "
                        f"it uses is empty or not a number); correct the source values{hint}"))
        else:
            out.append(("missing", ~present, f"{col.name} is empty: every {table} row needs one{hint}"))
    if col.kind != "string":
        fix = (f"; correct the value, or if the whole column is misread set {_OPTION_HINT[col.kind]} in "
               f"[{table}.options] of the mapping file") if col.kind in _OPTION_HINT else "; correct the value"
        if col.kind == "date" and source_value.type().is_string():
            shaped = source_value.re_search(_DATE_SHAPE)
            out.append(("nodate", present & typed.isnull() & shaped,
                        f"{col.name}: not a date, that day does not exist (day or month out of range); "
                        "correct the value"))
            out.append(("parse", present & typed.isnull() & ~shaped, f"{col.name}: not {_EXAMPLES[col.kind]}{fix}"))
        else:
            out.append(("parse", present & checked.isnull(), f"{col.name}: not {_EXAMPLES[col.kind]}{fix}"))
    if col.kind in ("decimal", "float", "integer"):
        f = checked.cast("float64")
        out.append(("nan", f.isnan() | f.isinf(), f"{col.name}: not a finite number"))
        if col.minimum is not None:
            out.append(("min", f < col.minimum, f"{col.name}: below the minimum {col.minimum:g}"))
        if col.maximum is not None:
            out.append(("max", f > col.maximum, f"{col.name}: above the maximum {col.maximum:g}"))
        if col.kind == "decimal":
            out.append(("huge", ~f.isnan() & ~f.isinf() & (f.abs() >= _HUGE), f"{col.name}: implausibly large amount"))
    if col.kind == "date" and col.name != "due_date":
        out.append(("future", typed > ibis.literal(limit), f"{col.name}: date in the future (after {limit:%d-%m-%Y})"))
        out.append(("ancient", typed < ibis.date(1900, 1, 1), f"{col.name}: date before 1900"))
    return out


def check_table(raw: RawTable, table: str, tm: TableMapping | None, options: ImportOptions,
                today: dt.date | None = None) -> Checked:
    """Build the typed, flagged expression for one source of one canonical table.

    Raises
    ------
    InputError
        When a required canonical column is neither in the file nor in the mapping.
    """
    direct, exprs = _resolve_mapping(raw, table, tm)
    _require(raw, table, direct, exprs, options)
    t, fmts, used = _with_expressions(raw, table, direct, exprs, tm.options if tm else {})
    limit = (today or dt.date.today()) + dt.timedelta(days=options.allow_future_days)
    anonymous = options.anonymous_customer
    values: dict[str, ir.Value] = {}
    raws: dict[str, ir.Value] = {}
    checks: list[tuple[str, str, str, str]] = []
    flags: dict[str, ir.Value] = {}
    t, parsed, presence = _parsed(t, table, direct, exprs, fmts)
    if EXTRA in t.columns:  # CSV rows with more fields than the header: their values may have shifted
        extra = t[EXTRA]
        flags["__bad_row_fields"] = has_text(extra).fill_null(False)
        raws["__raw_extra"] = extra
        checks.append((
            "__bad_row_fields", "(whole row)", "__raw_extra",
            "the row has more fields than the header, so its values may have shifted (a separator inside a "
            "value without quotes?); put such values in double quotes or remove the extra separator",
        ))
    for col in SCHEMAS[table].columns:
        found = _source(col.name, direct, exprs)
        if found is None:
            absent = anonymous if col.name == "customer_id" and anonymous else None
            values[col.name] = ibis.literal(absent) if absent else ibis.null(_null_type(col))
            continue
        source, label = found
        source_value = t[source]
        fmt = fmts.get(label, ColumnFormat())
        # a text number or date is read once per row (parsed), then typed and checked from what was read
        read = t[parsed[col.name]] if col.name in parsed else source_value
        typed = _to_kind(read, col, fmt)
        # Checks look at the number before it becomes a decimal (which cannot hold NaN or huge values).
        checked = _to_kind(read, replace(col, kind="float"), fmt) if col.kind == "decimal" else typed
        raw_name = f"__raw_{col.name}"
        raws[raw_name] = source_value.cast("string")
        if col.name in exprs and used[col.name]:  # show the inputs, e.g. "Quantity=12; Price=abc"
            raws[raw_name] = ibis.literal("; ").join(
                [ibis.literal(f"{c}=") + t[c].cast("string").fill_null("") for c in used[col.name]])
        present = t[presence[col.name]] if col.name in presence else source_value.notnull()
        values[col.name] = typed.fill_null(anonymous) if col.name == "customer_id" and anonymous else typed
        for kind, cond, reason in _value_checks(col, table, source_value, typed, checked, present,
                                                exprs.get(col.name), options, limit):
            flag = f"__bad_{col.name}_{kind}"
            flags[flag] = cond.fill_null(False)
            checks.append((flag, label, raw_name, reason))
    out = t.select(ROW, **values, **raws, **flags)
    return Checked(table, raw.source.label, out, checks, {**direct, **exprs})


def _parsed(t: ibis.Table, table: str, direct: dict[str, str], exprs: dict[str, str],
            fmts: dict[str, ColumnFormat]) -> tuple[ibis.Table, dict[str, str], dict[str, str]]:
    """``t`` with every text column that holds numbers or dates read once, as a column of its own, and whether each
    text column holds a value; which column holds each canonical column's reading, and its presence.

    The typed value and each check of a column use its reading, so written as one expression it would be
    repeated in every one of them (some ten times a number, each a dozen regular expressions): a 1M-line CSV
    took 70 s a pass. Read in a query of its own (``view``: Ibis does not fold it into the checks), once.
    Presence (not empty after trimming) is read by two or three checks of a column: also once.
    """
    reads: dict[str, ir.Value] = {}
    names: dict[str, str] = {}
    present: dict[str, str] = {}
    for col in SCHEMAS[table].columns:
        found = _source(col.name, direct, exprs)
        if found is None:
            continue
        source, label = found
        if not t[source].type().is_string():
            continue
        reads[f"__present_{col.name}"] = has_text(t[source])
        present[col.name] = f"__present_{col.name}"
        if col.kind not in ("decimal", "float", "integer", "date"):
            continue
        # a number is read as a float (its checks look at it before it becomes a decimal or a whole number)
        as_read = replace(col, kind="float") if col.kind != "date" else col
        reads[f"__read_{col.name}"] = _to_kind(t[source], as_read, fmts.get(label, ColumnFormat()))
        names[col.name] = f"__read_{col.name}"
    if not reads:
        return t, names, present
    return t.mutate(**reads).view(), names, present


def _source(name: str, direct: dict[str, str], exprs: dict[str, str]) -> tuple[str, str] | None:
    """The column a canonical column comes from (a source column, or a mapping expression's result) and its label
    (the source column, or the expression as written); None when it is not in the source."""
    if name in direct:
        return direct[name], direct[name]
    if name in exprs:
        return f"__expr_{name}", exprs[name]
    return None


def _null_type(col: Column) -> str:
    return {"string": "string", "decimal": MONEY, "float": "float64", "integer": "int64", "date": "date",
            "boolean": "boolean"}[col.kind]
