"""Where the app's data comes from: the workspace (or the demo one), its latest run, and new runs."""

from __future__ import annotations

import io
import os
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from salesfocus.workspace import Workspace

__all__ = ["RunView", "RunFrames", "workspace_path", "ensure_demo", "latest_run_id", "load_run_view", "analyze_uploads",
           "run_config", "rerun", "rescore_portfolio", "ANSWER_FIELDS", "answers_frame", "save_answers", "report_files",
           "table_bytes", "preview_upload"]

ANSWER_FIELDS = ("margin_ok", "speed_ok", "innovation", "network", "network_relevance", "network_reputation",
                 "network_size", "potential_revenue", "nps")
BOOL_FIELDS = ("margin_ok", "speed_ok", "innovation", "network")


@dataclass
class RunView:
    """A stored run as the app shows it: frames by name, headline figures, metadata."""

    run_id: int
    created_at: str
    summary: dict[str, Any]
    frames: Mapping[str, pd.DataFrame]
    config: dict[str, Any] | None = None

    def get(self, name: str) -> pd.DataFrame | None:
        return self.frames.get(name)


class RunFrames(Mapping[str, pd.DataFrame]):
    """The tables of a stored run as frames, each read from the workspace (read-only) when a page first asks for
    it, then kept. A page shows a few tables: reading all of them after every change cost about 5 s at 10M order
    lines with every table (the customer table alone is 200,000 rows × 128 columns)."""

    def __init__(self, path: Path, run_id: int, names: list[str]) -> None:
        self._path, self._run_id, self._names = path, run_id, list(names)
        self._frames: dict[str, pd.DataFrame] = {}
        self._lock = threading.Lock()  # sessions render on threads of their own

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(name)
        with self._lock:
            if name not in self._frames:
                with Workspace(self._path, read_only=True) as ws:
                    self._frames[name] = ws.load_run(self._run_id).frame(name)
            return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def workspace_path() -> tuple[Path, bool]:
    """The workspace given to ``salesfocus app``, else the demo workspace (flagged as demo)."""
    given = os.environ.get("SALESFOCUS_WORKSPACE", "")
    if given:
        return Path(given), False
    demo = os.environ.get("SALESFOCUS_DEMO_WORKSPACE") or str(Path.cwd() / "salesfocus-demo.duckdb")
    return Path(demo), True


def ensure_demo(path: Path, customers: int = 1000, seed: int = 42) -> None:
    """Generate the demo wholesaler and analyse it into ``path`` once."""
    if path.exists():
        with Workspace(path, read_only=True) as ws:
            if ws.runs():
                return
    from salesfocus.config import Config
    from salesfocus.demo import generate_demo
    from salesfocus.io import DuckDBEngine, parse_data_arg
    from salesfocus.pipeline import analyze

    d = generate_demo(path.parent / "data", customers=customers, seed=seed)
    with Workspace(path) as ws:
        analyze(DuckDBEngine(ws), ws, [parse_data_arg(f"{t}={p}") for t, p in d.paths.items()], {}, Config())


def latest_run_id(path: Path) -> int | None:
    """The id of the newest run (the cache key of the app's frames), None without one."""
    if not path.exists():
        return None
    with Workspace(path, read_only=True) as ws:
        runs = ws.runs()
        return runs[-1][0] if runs else None


def load_run_view(path: Path, run_id: int | None = None) -> RunView | None:
    """A stored run as the app shows it, its tables read when first shown (read-only, so the CLI can write to the
    workspace meanwhile)."""
    if not path.exists():
        return None
    with Workspace(path, read_only=True) as ws:
        if not ws.runs():
            return None
        run = ws.load_run(run_id)
        return RunView(run.run_id, run.created_at, dict(run.meta.get("summary", {})),
                       RunFrames(path, run.run_id, list(run.tables)), run.meta.get("config"))


def run_config(view: RunView | None):
    """The Config of a stored run (the settings the user last applied), defaults without one."""
    from salesfocus.config import Config

    if view is None or not view.config:
        return Config()
    try:
        return Config.model_validate(view.config)
    except ValueError:
        return Config()


def rerun(path: Path, config, progress=None) -> int:
    """Analyse the workspace's tables again with ``config`` (and the saved answers); the new run id."""
    from salesfocus.pipeline import reanalyze

    with Workspace(path) as ws:
        return reanalyze(ws, config, progress=progress, args={"from": "app"}).run_id


def rescore_portfolio(view: RunView, config) -> pd.DataFrame | None:
    """The stored run's portfolio scored again with the targeting weights and judged scores of ``config``.

    Only the per-segment criteria the run stored (``targeting_criteria``) are read, and scored by the same
    function the targeting run uses (:func:`salesfocus.targeting.scoring.score_segments`): milliseconds,
    whatever the number of customers. A row per segment (sorted by rank): ``segment, customers, revenue``,
    the scores, contributions, ``rank, focus, eligible, stability, reason``. None when the run has no
    ``targeting_criteria`` (made before it existed) or the config reads a scoring sheet file (then only a
    full run reads it).
    """
    from salesfocus.targeting.criteria import MEASURED, scores_frame
    from salesfocus.targeting.scoring import criteria_frame, portfolio_table, score_segments

    stored = view.get("targeting_criteria")
    t = config.targeting
    if stored is None or t.scores_file:
        return None
    aw, lw = dict(t.attractiveness_weights), dict(t.likelihood_weights)
    judged = [c for c in dict.fromkeys([*aw, *lw]) if c not in MEASURED]
    crit = criteria_frame(stored)
    w = view.get("targeting_weights")
    was_judged = set(w.criterion[w.kind == "judged"]) if w is not None and "kind" in w.columns else set()
    crit = crit.drop(columns=[c for c in crit.columns if c in was_judged or c in judged])
    scores = scores_frame(t.scores, judged).reindex(crit.index)
    for c in scores.columns:
        crit[c] = scores[c]
    table = portfolio_table(score_segments(crit, t, aw, lw))
    table.insert(0, "revenue", crit["revenue"])
    table.insert(0, "customers", crit["customers"])
    table = table.reset_index(names="segment")
    return table.sort_values(["rank", "segment"]).reset_index(drop=True)


# -- answers only people know ------------------------------------------------------------------------------
def _manual(ws: Workspace) -> pd.DataFrame:
    from salesfocus.pipeline import MANUAL_ASSESSMENTS

    if ws.has_table(MANUAL_ASSESSMENTS):
        return ws.raw.execute(f'SELECT * FROM "{MANUAL_ASSESSMENTS}"').fetch_df()
    return pd.DataFrame({"customer_id": pd.Series(dtype="object"),
                         **{f: pd.Series(dtype="object") for f in ANSWER_FIELDS}})


def answers_frame(path: Path, customers: pd.DataFrame, as_of: str | None) -> pd.DataFrame:
    """Per customer the answers in force (imported, with the app's over them), for the editor."""
    import datetime as dt

    from salesfocus.pipeline import MANUAL_ASSESSMENTS, merge_manual_assessments
    from salesfocus.segments.criteria import latest_assessments

    keep = [c for c in ("customer_id", "name", "abc_segment", "revenue") if c in customers.columns]
    base = customers[keep].copy()
    with Workspace(path, read_only=True) as ws:
        imp = ws.table("assessments") if ws.has_table("assessments") else None
        man = ws.table(MANUAL_ASSESSMENTS) if ws.has_table(MANUAL_ASSESSMENTS) else None
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        a = merge_manual_assessments(imp, man, day) if man is not None else imp
        cur = latest_assessments(a).to_pandas() if a is not None else pd.DataFrame({"customer_id": []})
    for f in ANSWER_FIELDS:
        if f not in cur.columns:
            cur[f] = None
    cur = cur[["customer_id", *ANSWER_FIELDS]]
    out = base.merge(cur, on="customer_id", how="left")
    for f in BOOL_FIELDS:
        out[f] = out[f].map(lambda v: None if pd.isna(v) else ("yes" if bool(v) else "no")).astype("object")
    for f in ("network_relevance", "network_reputation", "network_size", "potential_revenue", "nps"):
        out[f] = pd.to_numeric(out[f], errors="coerce").astype("float64")
    return out.reset_index(drop=True)


def _cell(field: str, v: Any) -> Any:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v == "":
        return None
    if field in BOOL_FIELDS:
        return str(v).strip().lower() in ("yes", "ja", "true", "1")
    return float(v)


def save_answers(path: Path, before: pd.DataFrame, after: pd.DataFrame) -> int:
    """Store the cells changed in the editor in ``manual_assessments``; returns how many cells changed.

    A cell set to a value overrides the import; a cell cleared removes the app's answer (the imported
    one, if any, counts again).
    """
    from salesfocus.pipeline import MANUAL_ASSESSMENTS

    b = before.set_index("customer_id")
    a = after.set_index("customer_id")
    changes: list[tuple[str, str, Any]] = []
    for f in ANSWER_FIELDS:
        old, new = b[f], a[f].reindex(b.index)
        for cid in b.index:
            o, n = _cell(f, old[cid]), _cell(f, new[cid])
            if o != n:
                changes.append((str(cid), f, n))
    if not changes:
        return 0
    with Workspace(path) as ws:
        man = _manual(ws).set_index("customer_id")
        rows = {cid: {f: man.at[cid, f] if cid in man.index and f in man.columns else None for f in ANSWER_FIELDS}
                for cid in set(man.index) | {c for c, _, _ in changes}}
        for cid, f, v in changes:
            rows[cid][f] = v
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "customer_id"
        frame = frame.reset_index()
        keep = frame[list(ANSWER_FIELDS)].notna().any(axis=1)
        frame = frame[keep]
        types = {f: "boolean" if f in BOOL_FIELDS else "float64" for f in ANSWER_FIELDS}
        typed = pd.DataFrame({"customer_id": frame.customer_id.astype("string"),
                              **{f: frame[f].astype(t) for f, t in types.items()}})
        ws.raw.register("__sf_answers", typed)
        casts = ", ".join(f'CAST("{f}" AS {"BOOLEAN" if f in BOOL_FIELDS else ("BIGINT" if f == "nps" else "DOUBLE")})'
                          f' AS "{f}"' for f in ANSWER_FIELDS)
        try:
            ws.raw.execute(f'CREATE OR REPLACE TABLE "{MANUAL_ASSESSMENTS}" AS SELECT CAST(customer_id AS VARCHAR) '
                           f'AS customer_id, {casts} FROM __sf_answers')
        finally:
            ws.raw.unregister("__sf_answers")
    return len(changes)


# -- downloads -----------------------------------------------------------------------------------------------
def report_files(path: Path, run_id: int, lang: str) -> dict[str, bytes]:
    """The workbook, the HTML report and the segment lists (zipped) of a stored run, as bytes."""
    from salesfocus.report import write_all

    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp, Workspace(path, read_only=True) as ws:
        write_all(ws.load_run(run_id), tmp, lang)
        t = Path(tmp)
        for name in ("salesfocus.xlsx", "report.html"):
            if (t / name).is_file():
                out[name] = (t / name).read_bytes()
        lists = sorted(p for p in (t / "lists").rglob("*") if p.is_file()) if (t / "lists").is_dir() else []
        if lists:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for p in lists:
                    z.write(p, p.relative_to(t).as_posix())
            out["lists.zip"] = buf.getvalue()
    return out


def table_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    """A table as CSV (UTF-8) or XLSX, text that a spreadsheet would read as a formula neutralised."""
    from salesfocus.report import neutralise

    safe = df.copy()
    for c in safe.columns:
        if pd.api.types.is_object_dtype(safe[c]) or pd.api.types.is_string_dtype(safe[c]):
            safe[c] = safe[c].map(neutralise)
    if fmt == "csv":
        return safe.to_csv(index=False).encode("utf-8")
    buf = io.BytesIO()
    for c in safe.columns:  # Excel holds no time zones
        if isinstance(safe[c].dtype, pd.DatetimeTZDtype):
            safe[c] = safe[c].dt.tz_localize(None)
    safe.to_excel(buf, index=False, engine="openpyxl")
    return buf.getvalue()


# -- import ----------------------------------------------------------------------------------------------------
def preview_upload(name: str, content: bytes, upload_dir: Path, rows: int = 20) -> tuple[str, list[str], pd.DataFrame]:
    """Save an upload and read its first rows: (guessed table, headers, preview)."""
    from salesfocus.io.headers import guess_table

    upload_dir.mkdir(parents=True, exist_ok=True)
    p = upload_dir / Path(name).name
    p.write_bytes(content)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        df = pd.read_excel(p, nrows=rows, dtype=str, engine="openpyxl" if suffix == ".xlsx" else None)
    elif suffix == ".parquet":
        df = pd.read_parquet(p).head(rows).astype(str)
    else:
        df = pd.read_csv(p, sep=None, engine="python", nrows=rows, dtype=str, encoding_errors="replace")
    headers = [str(c) for c in df.columns]
    return guess_table(name, headers), headers, df


def analyze_uploads(path: Path, files: list[tuple[str, str, bytes]], upload_dir: Path,
                    mapping: dict[str, dict[str, str]] | None = None, config=None, progress=None) -> int:
    """Save uploaded files, analyse them into the workspace, return the new run id.

    ``files``: (canonical table or "" to recognise, file name, content); ``mapping``: per table the
    canonical column -> source header chosen on the Import page.
    """
    from salesfocus.config import Config
    from salesfocus.io import DuckDBEngine, parse_data_arg
    from salesfocus.io.mapping import TableMapping
    from salesfocus.pipeline import analyze

    upload_dir.mkdir(parents=True, exist_ok=True)
    args = []
    for table, name, content in files:
        p = upload_dir / Path(name).name
        p.write_bytes(content)
        args.append(f"{table}={p}" if table else str(p))
    maps = {t: TableMapping(columns={k: v for k, v in cols.items() if v}) for t, cols in (mapping or {}).items()}
    with Workspace(path) as ws:
        run = analyze(DuckDBEngine(ws), ws, [parse_data_arg(a) for a in args], maps, config or Config(),
                      progress=progress)
        return run.run_id
