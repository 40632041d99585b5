"""Guess how a CSV export is written: encoding and separator.

Dutch and Belgian exports come as UTF-8, UTF-8 with BOM or Windows-1252 (é, ë, €), separated by ``;``
(Excel with a Dutch locale), ``,``, tab or ``|``. Decimal style and date order are decided per column
later, from the whole column (see :mod:`salesfocus.io.parse`).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CsvDialect", "sniff_csv"]

_SEPARATORS = (";", "\t", ",", "|")


@dataclass(frozen=True)
class CsvDialect:
    encoding: str  # "utf-8" or "cp1252"
    separator: str
    has_bom: bool


def _detect_encoding(path: Path) -> tuple[str, bool]:
    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8", True
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16", True
        f.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(1 << 22):
                dec.decode(chunk)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252", False
    return "utf-8", False


def _split_count(line: str, sep: str) -> int:
    """Separators outside double quotes."""
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            n += 1
    return n


def sniff_csv(path: str | Path, *, encoding: str | None = None, separator: str | None = None) -> CsvDialect:
    """Detect encoding (BOM, valid UTF-8, else Windows-1252) and separator (consistent count per line)."""
    p = Path(path)
    enc, bom = _detect_encoding(p) if encoding is None else (encoding, False)
    if separator is None:
        with p.open("r", encoding="utf-8-sig" if enc == "utf-8" else enc, errors="replace", newline="") as f:
            lines = [ln.rstrip("\r\n") for _, ln in zip(range(50), f, strict=False)]
        lines = [ln for ln in lines if ln.strip()]
        best, best_score = ",", -1.0
        for sep in _SEPARATORS:
            counts = [_split_count(ln, sep) for ln in lines]
            if not counts or counts[0] == 0:
                continue
            consistent = sum(c == counts[0] for c in counts) / len(counts)
            score = consistent * 100 + min(counts[0], 50)
            if score > best_score:
                best, best_score = sep, score
        separator = best
    return CsvDialect(encoding=enc, separator=separator, has_bom=bom)
