"""Where the app's data comes from: the workspace (or the demo one), its latest run, and new runs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from salesfocus.workspace import Workspace

__all__ = ["RunView", "workspace_path", "ensure_demo", "load_run_view", "analyze_uploads"]


@dataclass
class RunView:
    """A stored run as the app shows it: frames by name, headline figures, metadata."""

    run_id: int
    created_at: str
    summary: dict[str, Any]
    frames: dict[str, pd.DataFrame]

    def get(self, name: str) -> pd.DataFrame | None:
        return self.frames.get(name)


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


def load_run_view(path: Path, run_id: int | None = None) -> RunView | None:
    """Read a stored run into frames (read-only, so the CLI can write to the workspace meanwhile)."""
    if not path.exists():
        return None
    with Workspace(path, read_only=True) as ws:
        if not ws.runs():
            return None
        run = ws.load_run(run_id)
        frames = {name: run.frame(name) for name in run.tables}
        return RunView(run.run_id, run.created_at, dict(run.meta.get("summary", {})), frames)


def analyze_uploads(path: Path, files: list[tuple[str, str, bytes]], upload_dir: Path) -> int:
    """Save uploaded files, analyse them into the workspace, return the new run id.

    ``files``: (canonical table or "" to recognise, file name, content).
    """
    from salesfocus.config import Config
    from salesfocus.io import DuckDBEngine, parse_data_arg
    from salesfocus.pipeline import analyze

    upload_dir.mkdir(parents=True, exist_ok=True)
    args = []
    for table, name, content in files:
        p = upload_dir / Path(name).name
        p.write_bytes(content)
        args.append(f"{table}={p}" if table else str(p))
    with Workspace(path) as ws:
        run = analyze(DuckDBEngine(ws), ws, [parse_data_arg(a) for a in args], {}, Config())
        return run.run_id
