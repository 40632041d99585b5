"""A documented config file with every key at its default, written from the pydantic models themselves.

So the template can never drift from what the code accepts: ``salesfocus config > salesfocus.toml``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from salesfocus.config import Config

__all__ = ["default_toml"]


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_value(x)}" for k, x in v.items()) + "}"
    return json.dumps(v)


def _section(model: BaseModel, path: str, out: list[str]) -> None:
    scalars, subs = [], []
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        v = getattr(model, name)
        if isinstance(v, BaseModel) or isinstance(v, list) and v and isinstance(v[0], BaseModel):
            subs.append((key, v))
        elif isinstance(v, dict) and v and all(isinstance(x, BaseModel) for x in v.values()):
            subs.extend((f"{key}.{json.dumps(str(k)) if not str(k).isidentifier() else k}", x) for k, x in v.items())
        else:
            scalars.append((key, v, field.description))
    if path:
        doc = (type(model).__doc__ or "").strip().splitlines()
        out.append("")
        if doc:
            out.append(f"# {doc[0]}")
        out.append(f"[{path}]")
    for key, v, desc in scalars:
        if desc:
            out.append(f"# {desc}")
        if v is None:
            out.append(f"# {key} =")
        else:
            out.append(f"{key} = {_value(v)}")
    for key, v in subs:
        sub = f"{path}.{key}" if path else key
        if isinstance(v, list):
            for item in v:
                out.append("")
                out.append(f"[[{sub}]]")
                for k, x in item.model_dump(mode="json").items():
                    if x is not None:
                        out.append(f"{k} = {_value(x)}")
        else:
            _section(v, sub, out)


def default_toml() -> str:
    """The whole configuration at its defaults, as TOML with a comment per key."""
    out = ["# salesfocus configuration: every key at its default. Delete what you do not change."]
    _section(Config(), "", out)
    return "\n".join(out) + "\n"
