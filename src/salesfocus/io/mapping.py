"""The column-mapping file: canonical column -> source column or SQL expression, per canonical table.

```toml
[order_lines]
customer_id = "Customer ID"
order_id = "Invoice"
order_date = "InvoiceDate"
revenue = "Quantity * Price"          # an SQL expression over source columns

[order_lines.options]
separator = ","
decimal = "."
date_format = "%m/%d/%Y %H:%M"
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesfocus.errors import ConfigError
from salesfocus.io.schemas import SCHEMAS

__all__ = ["TableMapping", "load_mapping", "OPTION_KEYS"]

OPTION_KEYS = {"separator", "decimal", "date_format", "sheet", "encoding", "file"}


@dataclass
class TableMapping:
    columns: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


def load_mapping(path: str | Path | None) -> dict[str, TableMapping]:
    """Read and check a mapping file; unknown tables, columns or options are errors that name the key."""
    if path is None:
        return {}
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"mapping file {p} not found")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"mapping file {p} is not valid TOML: {e}") from None
    out: dict[str, TableMapping] = {}
    for table, body in data.items():
        if table not in SCHEMAS:
            raise ConfigError(f"mapping file {p}: unknown table [{table}]; tables are {', '.join(SCHEMAS)}")
        if not isinstance(body, dict):
            raise ConfigError(f"mapping file {p}: [{table}] must be a table of column = source")
        tm = TableMapping()
        for key, value in body.items():
            if key == "options":
                bad = set(value) - OPTION_KEYS
                if bad:
                    raise ConfigError(
                        f"mapping file {p}: unknown option(s) {sorted(bad)} in [{table}.options]; "
                        f"allowed: {sorted(OPTION_KEYS)}"
                    )
                tm.options = dict(value)
            elif key not in SCHEMAS[table].names:
                raise ConfigError(
                    f"mapping file {p}: [{table}] has no canonical column {key!r}; "
                    f"columns are {', '.join(SCHEMAS[table].names)}"
                )
            elif not isinstance(value, str) or not value.strip():
                raise ConfigError(f"mapping file {p}: [{table}] {key} must be a column name or SQL expression")
            else:
                tm.columns[key] = value
        out[table] = tm
    return out
