"""What each step of an analysis run read and gave: a re-analysis takes from the last run what no change touched.

A step (stage 1, then each analysis) is a function of the workspace's data, the analysis date, the settings it
reads (:data:`READS`) and what the steps before it gave. Its *key* hashes those, chained to the key of the step
it follows, with the code of salesfocus and the versions of the libraries it computes with: steps with one key
give one result. A run records per step its key and what it gave (:class:`StepRecord`: customer columns, tables,
summary figures, notes). A re-analysis whose steps have the keys of the last run's takes their results from that
run instead of computing them (:class:`Reuse`): a change of the targeting weights computes targeting only, an
answer entered in the app prediction and what follows, the report's language nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from salesfocus.config import Config
from salesfocus.model.context import Stored

if TYPE_CHECKING:
    from salesfocus.model.context import RunContext
    from salesfocus.workspace import Run

__all__ = ["READS", "ASSESSMENTS", "SCORES_FILE", "FORMAT", "StepRecord", "Snapshot", "Reuse", "base_key", "step_keys"]

FORMAT = 2
"""Raise when what a record holds or what a key covers changes: runs recorded before are then not taken from."""

ASSESSMENTS = "@assessments"
"""Input of a step besides the settings: the answers entered in the app, laid over the imported assessments."""
SCORES_FILE = "@scores_file"
"""Input of a step besides the settings: a scoring sheet file (its rows can change while its name stays)."""

READS: dict[str, tuple[str, ...]] = {
    "stage1": ("customer_rule", "cost_rates"),
    "profit": ("pyramid",),
    "prediction": ("prediction", ASSESSMENTS),
    "segments": ("segments", "cost_rates", ASSESSMENTS),
    "periods": ("periods", "goals", "customer_rule", "pyramid", "segments", "currency"),
    "target_segments": ("targeting.segment_by", "targeting.min_segment_size", "targeting.frequency_cuts",
                        "targeting.order_size_cuts", "targeting.win_rate_prior", "targeting.alarms"),
    "targeting": ("targeting", SCORES_FILE),
}
"""The settings (sections of the config, or ``section.field``) and other inputs each step reads, beyond the
workspace's data, the analysis date and what the steps before it gave. A step not named here is always computed.
The test ``tests/model/test_provenance.py`` records every section (and targeting field) each step reads on a run
and holds it to this list."""

_LIBRARIES = ("duckdb", "ibis-framework", "pyarrow", "numpy", "scipy", "pandas", "scikit-learn")


def code_fingerprint() -> str:
    """A hash of salesfocus's own code and the versions of the libraries it computes with: a run made by other code
    is not taken from (an edited analysis gives other results under the same settings).

    Made once per process (about 0.3 s: reading ~100 files, the libraries' metadata); a run starts it on a side
    thread (:func:`fingerprint_soon`) and the first caller waits for that instead of making it again."""
    with _FINGERPRINT_LOCK:
        return _code_fingerprint()


def fingerprint_soon() -> None:
    """Make :func:`code_fingerprint` on a thread of its own, while the run opens the workspace and reads the data."""
    threading.Thread(target=code_fingerprint, name="sf-fingerprint", daemon=True).start()


_FINGERPRINT_LOCK = threading.Lock()


@functools.cache
def _code_fingerprint() -> str:
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=-\0".encode())
    return h.hexdigest()


def _hash(parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def base_key(data: str | None, as_of: Any) -> str | None:
    """The key every step's key starts from: the workspace's data (the id of its import; None: unknown, so no step
    has a key), the analysis date and the code."""
    if not data:
        return None
    return _hash([FORMAT, code_fingerprint(), data, str(as_of)])


def _setting(settings: Mapping[str, Any], path: str) -> Any:
    """A section of the dumped config, or a field of one (``section.field``)."""
    value: Any = settings
    for part in path.split("."):
        value = value[part]
    return value


def step_keys(steps: Sequence[tuple[str, bool]], config: Config, base: str | None,
              inputs: Mapping[str, str | None]) -> dict[str, str | None]:
    """The key of each step (``(name, beside)`` in run order; a step beside the others gives nothing the later ones
    read, so their keys do not include its key). None: the step cannot be taken from another run."""
    settings = config.model_dump(mode="json")
    keys: dict[str, str | None] = {}
    parent = base
    for name, beside in steps:
        reads = READS.get(name)
        key = None
        if parent is not None and reads is not None:
            own = {r: inputs.get(r) if r.startswith("@") else _setting(settings, r) for r in reads}
            if all(own[r] is not None for r in reads if r.startswith("@")):  # an input of unknown content: no key
                key = _hash([parent, name, own])
        keys[name] = key
        if not beside:
            parent = key
    return keys


@dataclass
class StepRecord:
    """What one step of a run gave (stored in the run's metadata, ``steps``).

    ``tables``: per table it wrote, None when the table is its own, or the columns it appended to a table an
    earlier step gave (the rows and the earlier columns unchanged). ``replaced``: what of the earlier steps it
    wrote anew (``column:NAME``, ``table:NAME``, ``summary:KEY``): while it is computed again, the steps that gave
    those cannot be taken, because what it read of them is no longer stored.
    """

    step: str
    key: str | None
    columns: list[str] = field(default_factory=list)
    tables: dict[str, list[str] | None] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    reused: bool = False

    def gives(self) -> set[str]:
        return ({f"column:{c}" for c in self.columns} | {f"table:{t}" for t, ext in self.tables.items() if ext is None}
                | {f"summary:{k}" for k in self.summary})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepRecord:
        fields = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in fields})


class Snapshot:
    """The context as a step starts; :meth:`record` then says what the step gave."""

    def __init__(self, ctx: RunContext):
        arrow = ctx.customer_table()
        self.columns = set(arrow.column_names) if arrow is not None else set()
        self.written = len(ctx.written)
        self.tables = dict(ctx.tables)
        self.summary = dict(ctx.summary)
        self.notes = len(ctx.notes)
        self.missing = len(ctx.dataset.missing_notes)

    def record(self, step: str, key: str | None, ctx: RunContext) -> StepRecord:
        rec = StepRecord(step, key)
        rec.columns = list(dict.fromkeys(ctx.written[self.written:]))
        rec.replaced += [f"column:{c}" for c in rec.columns if c in self.columns]
        for name, data in ctx.tables.items():
            old = self.tables.get(name)
            if old is data:
                continue
            old = old.load() if isinstance(old, Stored) else old
            added = None if old is None else _appended(old, data)
            rec.tables[name] = added
            if old is not None and added is None:
                rec.replaced.append(f"table:{name}")
        rec.replaced += [f"table:{name}" for name in self.tables if name not in ctx.tables]
        for k, v in ctx.summary.items():
            if k not in self.summary or self.summary[k] is not v:
                rec.summary.append(k)
                if k in self.summary:
                    rec.replaced.append(f"summary:{k}")
        rec.notes = list(ctx.notes[self.notes:])
        rec.missing = list(ctx.dataset.missing_notes[self.missing:])
        return rec


def _appended(old: Any, new: Any) -> list[str] | None:
    """The columns ``new`` appends to ``old`` when it is ``old`` with columns added (same rows, same columns first,
    same values), else None. Only Arrow is compared (a table an analysis overwrites is small)."""
    if not isinstance(old, pa.Table) or not isinstance(new, pa.Table):
        return None
    k = old.num_columns
    if new.num_rows != old.num_rows or new.column_names[:k] != old.column_names:
        return None
    return new.column_names[k:] if new.select(range(k)).equals(old) else None


@dataclass
class Reuse:
    """The steps a run takes from the last run (``taken``, by name, with their records) and how to put what they
    gave into a run's context."""

    run: Run
    records: dict[str, StepRecord]
    taken: list[str]

    @classmethod
    def plan(cls, steps: Sequence[tuple[str, bool]], keys: Mapping[str, str | None], last: Run | None) -> Reuse | None:
        """What of ``last`` a run with these step keys can take; None when nothing.

        A step is taken when its key (so that of every step it follows) is the last run's, and no step computed
        again replaced what it gave in the last run.
        """
        if last is None or last.meta.get("steps_format") != FORMAT:
            return None
        records = {r["step"]: StepRecord.from_json(r) for r in last.meta.get("steps", [])}
        if any(name not in records for name, _ in steps):
            return None  # a step the last run did not record: what it replaces is unknown
        blocked: set[str] = set()
        while True:
            taken, ok = [], True
            for name, beside in steps:
                this = ok and name not in blocked and keys.get(name) is not None and records[name].key == keys[name]
                if this:
                    taken.append(name)
                if not beside:
                    ok = this
            owner = {item: name for name in taken for item in records[name].gives()}
            again = {owner[item] for name, _ in steps if name not in taken
                     for item in records[name].replaced if item in owner}
            if not again:
                break
            blocked |= again
        if not taken or taken[0] != steps[0][0]:
            return None
        return cls(last, records, taken)

    def takes(self, step: str) -> bool:
        return step in self.taken

    def stored_customers(self) -> pa.Table:
        return self._customer_table

    def record(self, step: str) -> StepRecord:
        rec = StepRecord.from_json(self.records[step].to_json())
        rec.reused = True
        return rec

    def customers(self, step: str) -> pa.Table:
        """The customer columns ``step`` gave, as the last run stored them (sorted by customer_id)."""
        own = [c for c in self.records[step].columns if c != "customer_id"]
        return self.stored_customers().select(["customer_id", *own])

    @functools.cached_property
    def _customer_table(self) -> pa.Table:
        return self.run.table("customers")

    def table(self, name: str) -> Stored:
        """A table as the step that gave it left it: without the columns steps computed again appended to it."""
        drop = [c for step, rec in self.records.items() if step not in self.taken for c in (rec.tables.get(name) or [])]
        return Stored(self.run, name, drop)

    def restore(self, ctx: RunContext, step: str) -> None:
        """Put into ``ctx`` what ``step`` gave in the last run, as if it had just run: its customer columns, tables,
        summary figures and notes."""
        rec = self.records[step]
        if rec.columns:
            ctx.add_customer_columns(self.customers(step))
        for name, appended in rec.tables.items():
            if appended is None:
                ctx.tables[name] = self.table(name)
        summary = self.run.meta.get("summary", {})
        for k in rec.summary:
            ctx.summary[k] = summary.get(k)
        for msg in rec.missing:
            if msg not in ctx.dataset.missing_notes:
                ctx.dataset.missing_notes.append(msg)
        for msg in rec.notes:
            ctx.note(msg)
