"""Work a command starts before it loads its libraries: hashing the source files and opening the workspace's
database, each on a thread, while the interpreter imports Ibis, pandas and the rest (about 0.4 s). The readers and
the workspace take the results (:func:`file_hash`, :func:`take_database`).

Only the standard library is imported here; DuckDB is imported on the thread that opens the database.
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

__all__ = ["drop_database", "file_hash", "hash_soon", "open_database_soon", "take_database"]

_lock = threading.Lock()
_hashes: dict[tuple[str, int, int], Future[str]] = {}
_databases: dict[tuple[str, bool], Future[Any]] = {}


def _stamp(path: str | Path) -> tuple[str, int, int]:
    stat = os.stat(path)
    return os.path.abspath(path), stat.st_size, stat.st_mtime_ns


def _run(fn: Any, *args: Any, name: str) -> Future[Any]:
    """``fn(*args)`` on a daemon thread of its own, as a future."""
    done: Future[Any] = Future()

    def work() -> None:
        try:
            done.set_result(fn(*args))
        except BaseException as e:  # raised where the result is taken
            done.set_exception(e)

    threading.Thread(target=work, name=name, daemon=True).start()
    return done


def _digest(path: str) -> str:
    with open(path, "rb") as f:  # read into one buffer over and over: a new one per chunk costs as much as the hash
        return hashlib.file_digest(f, "sha256").hexdigest()[:16]


def hash_soon(path: str | Path) -> None:
    """Start hashing file ``path`` on a thread (reading and hashing run outside the GIL); nothing for a path that
    is not a file."""
    if not os.path.isfile(path):
        return
    key = _stamp(path)
    with _lock:
        if key not in _hashes:
            _hashes[key] = _run(_digest, key[0], name="sf-hash")


def file_hash(path: str | Path) -> str:
    """The first 16 hex digits of the SHA-256 of the file's bytes: the hash started ahead while the file's size and
    modification time are still those it had then (:func:`hash_soon`), else made now."""
    key = _stamp(path)
    with _lock:
        pending = _hashes.get(key)
    if pending is not None:
        try:
            return pending.result()
        except OSError:  # read again below, where a failure is reported
            pass
    done: Future[str] = Future()  # asked again in the same run: not read again
    done.set_result(_digest(key[0]))
    with _lock:
        _hashes[key] = done
    return done.result()


def open_database_soon(path: str | Path, *, read_only: bool = False) -> None:
    """Start opening the DuckDB database file ``path`` on a thread (the engine reads its catalogue: about 0.3 s for a
    workspace of a few runs at 10M order lines); nothing when the file does not exist (a new workspace opens at
    once, and bad arguments should not leave one behind)."""
    if not os.path.isfile(path):
        return
    key = (os.path.abspath(path), read_only)
    with _lock:
        if key not in _databases:
            _databases[key] = _run(_connect, key[0], read_only, name="sf-open")


def _connect(path: str, read_only: bool) -> Any:
    import duckdb

    return duckdb.connect(path, read_only=read_only)


def take_database(path: str | Path, *, read_only: bool = False) -> Any | None:
    """The connection :func:`open_database_soon` opened for ``path`` (once: the caller owns it then), None when
    none was started; raises what went wrong opening it."""
    with _lock:
        pending = _databases.pop((os.path.abspath(path), read_only), None)
    return None if pending is None else pending.result()


def drop_database(path: str | Path, *, read_only: bool = False) -> None:
    """Close the connection :func:`open_database_soon` opened for ``path`` if no one took it (a command that stopped
    before it used the workspace); errors opening it are of no interest then."""
    try:
        con = take_database(path, read_only=read_only)
    except Exception:
        return
    if con is not None:
        con.close()
