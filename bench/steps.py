"""Where the time of one ``salesfocus analyze`` goes: each step's wall and CPU time, and the engine calls that
took the most.

Usage: python bench/steps.py DATA... [--workspace W] [--out DIR] [--serial] [--top N]

Runs the analysis in this process the way the CLI does (same set-up, same outputs). Per step, from the progress
messages: seconds of wall time and of CPU time (every thread of the process: the engine's, the CSV writers', an
analysis beside). Then the calls into Ibis and the workspace by the line of salesfocus that made them, the most
expensive first: compiling an expression to SQL, running it (``to_pyarrow``, ``execute``) and writing a table (its
compiling included, and listed again as a compile). A call's CPU time is the calling thread's: Python's share of
it, compiling and converting; the engine's threads count in the step's figures.

``--memory``: per step also the peak resident memory of the process (sampled every 10 ms) and, at that moment, the
bytes Arrow had allocated (the tables held in Python; the rest is the engine's, NumPy's and the interpreter's).

``--serial``: the analyses one after the other (no analysis beside the others), so each step's figures are its
own. Run it twice with the same workspace to measure the path of a repeated analysis (the import taken from the
workspace), as the check of the issue does. On a shared host single runs vary by a third: compare runs made
one after the other, and CPU seconds rather than wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def _caller() -> str:
    """The line of salesfocus (outside the workspace and context helpers) that made the current call."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        name = frame.filename.replace("\\", "/")
        if "/salesfocus/" in name and not name.endswith(("/workspace.py", "/model/context.py")):
            return f"{name.split('/salesfocus/', 1)[1]}:{frame.lineno} {frame.name}"
    return "?"


class Calls:
    """Wall and CPU seconds of wrapped calls, summed by (kind, calling line)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sums: dict[tuple[str, str], list[float]] = {}

    def wrap(self, owner: Any, name: str, kind: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                # thread time: the caller's CPU (compiling is Python); the engine's threads are in the step's figures
                took = [1.0, time.perf_counter() - wall, time.thread_time() - cpu]
                with self.lock:
                    row = self.sums.setdefault((kind, _caller()), [0.0, 0.0, 0.0])
                    for i, v in enumerate(took):
                        row[i] += v

        setattr(owner, name, timed)

    def report(self, top: int) -> str:
        rows = sorted(self.sums.items(), key=lambda kv: -kv[1][1])[:top]
        lines = [f"{'calls':>5} {'wall s':>7} {'cpu s':>6}  {'kind':<10} where"]
        lines += [f"{int(n):5d} {w:7.2f} {c:6.2f}  {kind:<10} {where}" for (kind, where), (n, w, c) in rows]
        return "\n".join(lines)


def _resident() -> int:
    """The process's resident memory in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Steps:
    """The progress messages as step boundaries, with the wall and process CPU time between them (and, sampled by
    :meth:`watch`, each step's peak resident memory and Arrow's allocation at that peak)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.rows: list[tuple[str, float, float, tuple[int, int]]] = []
        self.current = "start-up (imports, the sources' key, the import or the check that it is unchanged)"
        self.peak = (0, 0)  # (resident, Arrow's) bytes at the current step's highest resident sample
        self.lock = threading.Lock()
        self.memory = False

    def say(self, message: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        with self.lock:
            self.rows.append((self.current, wall - self.wall, cpu - self.cpu, self.peak))
            self.current, self.wall, self.cpu, self.peak = message, wall, cpu, (0, 0)

    def watch(self, stop: threading.Event) -> None:
        import pyarrow as pa

        while not stop.wait(0.01):
            resident = _resident()
            with self.lock:
                if resident > self.peak[0]:
                    self.peak = (resident, pa.total_allocated_bytes())

    def report(self) -> str:
        total_w, total_c = sum(r[1] for r in self.rows), sum(r[2] for r in self.rows)
        gib = 2**30
        memory = f" {'peak GiB':>8} {'Arrow':>6}" if self.memory else ""
        lines = [f"{'wall s':>7} {'cpu s':>6} {'cores':>5}{memory}  step"]
        for name, w, c, (resident, arrow) in self.rows:
            memory = f" {resident / gib:8.2f} {arrow / gib:6.2f}" if self.memory else ""
            lines.append(f"{w:7.2f} {c:6.2f} {c / w if w else 0:5.2f}{memory}  {name}")
        top = max((r[3][0] for r in self.rows), default=0) / gib
        memory = f" {top:8.2f} {'':>6}" if self.memory else ""
        lines.append(f"{total_w:7.2f} {total_c:6.2f} {total_c / total_w if total_w else 0:5.2f}{memory}  in all")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="+", help="exports, as for salesfocus analyze (PATH or TABLE=PATH)")
    ap.add_argument("--workspace", default="bench/cache/steps.duckdb", help="workspace file (kept between runs)")
    ap.add_argument("--out", default="bench/cache/steps-output", help="folder for the outputs")
    ap.add_argument("--serial", action="store_true", help="no analysis beside the others")
    ap.add_argument("--top", type=int, default=25, help="engine calls to list")
    ap.add_argument("--memory", action="store_true", help="each step's peak resident memory")
    args = ap.parse_args(argv)

    steps = Steps()
    stop = threading.Event()
    if args.memory:
        steps.memory = True
        threading.Thread(target=steps.watch, args=(stop,), daemon=True).start()
    import ibis.backends.duckdb as duckdb_backend
    import ibis.backends.sql as sql_backend

    import salesfocus.cli as cli
    from salesfocus import pipeline
    from salesfocus.workspace import Workspace

    calls = Calls()
    calls.wrap(sql_backend.SQLBackend, "compile", "compile")
    calls.wrap(duckdb_backend.Backend, "to_pyarrow", "to_pyarrow")
    calls.wrap(duckdb_backend.Backend, "execute", "execute")
    calls.wrap(Workspace, "write", "write")
    if args.serial:
        pipeline.BESIDE = frozenset()

    @contextlib.contextmanager
    def progress() -> Iterator[Callable[[str], None]]:
        yield steps.say

    cli._progress = progress
    Path(args.workspace).parent.mkdir(parents=True, exist_ok=True)
    cli._run_analysis(args.data, Path(args.out), None, None, None, Path(args.workspace), "duckdb", None)
    steps.say("(end)")
    stop.set()
    print(steps.report())
    print()
    print(calls.report(args.top))


if __name__ == "__main__":
    sys.exit(main())
