"""The HTML report: one self-contained ``report.html`` a director opens offline, reads, and prints to PDF.

What does the run say, in words and pictures? On top the headline figures and a summary in plain
sentences; then, per analysis the run holds, interactive charts (plotly.js embedded in the file, no CDN)
with the table behind each chart. A missing analysis gets a note instead of a section. Print CSS lays it
out on A4 landscape with every table opened.

Nothing is computed: texts, charts and tables show the run's stored figures.
"""

from __future__ import annotations

import html
import json
import math
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesfocus.report.i18n import Texts
from salesfocus.report.plots import figures_for
from salesfocus.report.story import headlines, sentences
from salesfocus.report.tables import SECTIONS, RunData, category_columns, clean, sort_order, version
from salesfocus.workspace import Run

__all__ = ["write_html", "render_html", "REPORT_NAME"]

REPORT_NAME = "report.html"
PREVIEW_ROWS = 25  # rows of a large table shown under its chart; small tables are shown whole
SMALL_TABLE = 40
# Columns the report shows of wide tables (all columns are in the workbook and the CSV files).
HTML_COLUMNS = {
    "customers": ["customer_id", "name", "pyramid_level", "abc_segment", "value_group", "revenue", "gross_margin",
                  "cost_to_serve", "net_profit", "profit_pct", "account_manager"],
    "loss_makers": ["name", "account_manager", "pyramid_level", "revenue", "gross_margin", "cost_to_serve",
                    "net_profit", "min_order_size", "order_fee", "price_increase_pct", "min_annual_revenue",
                    "cross_sell_groups"],
    "whale_curve": ["rank", "customer_share", "net_profit", "cum_profit", "cum_profit_share", "cum_revenue_share",
                    "cum_cost_share"],
    "abc_top": ["rank", "name", "sector", "annual_revenue", "abc_potential", "abc_value", "criteria_yes",
                "abc_segment"],
    "prospects": ["lookalike_rank", "name", "sector", "region", "size_class", "status", "source", "lookalike_score",
                  "target_segment"],
    "at_risk": ["at_risk_rank", "name", "account_manager", "pyramid_level", "revenue_12m", "p_active", "clv",
                "value_at_risk", "reason"],
    "segments": ["rank", "segment", "customers", "prospects", "revenue", "net_profit", "attractiveness", "likelihood",
                 "score", "focus", "reason"],
    "clusters": ["cluster", "customers", "share", "revenue", "net_profit", "description"],
    "targeting_scores": ["segment", "customers", "prospects", "revenue_per_customer_year", "margin_pct",
                         "net_profit_per_customer", "retention", "win_rate", "lookalike"],
}
_LONG = ("reason", "reasons", "explanation", "description", "missing", "note", "channels", "service_level")


def _fmt(t: Texts, v: Any, kind: str, translate: bool) -> tuple[str, str]:
    """Cell text and CSS class for a value of a kind."""
    v = clean(v)
    if v is None:
        return "", "num" if kind not in ("text", "date", "bool") else ""
    num = kind not in ("text", "date", "bool")
    neg = num and isinstance(v, int | float) and v < 0
    cls = ("num" + (" neg" if neg else "")) if num else ""
    if kind == "money":
        return t.money(float(v), short=False), cls
    if kind == "pct":
        return t.pct(float(v), 1), cls
    if kind == "pctpt":
        return f"{t.num(float(v), 1)}%", cls
    if kind in ("int", "count"):
        return t.num(float(v), 0), cls
    if kind == "year":
        return str(int(v)), cls
    if kind == "num1":
        return t.num(float(v), 1), cls
    if kind in ("num2", "ratio"):
        return t.num(float(v), 2), cls
    if kind == "date":
        return t.date(v), ""
    if kind == "bool":
        return (t.t("yes") if v else t.t("no")), ""
    text = t.value(v) if translate else v
    return str(text), ""


def _table(d: RunData, name: str, frame: pd.DataFrame | None = None, limit: int = PREVIEW_ROWS,
           total: int | None = None) -> str:
    t = d.texts
    have = d.schema(name).names
    cols = [c for c in HTML_COLUMNS.get(name, []) if c in have] or [c for c in have if not c.startswith("_")][:12]
    if frame is None:  # only the rows shown are converted
        n = d.num_rows(name)
        frame = d.frame(name, columns=cols, rows=None if n <= max(limit, SMALL_TABLE) else limit)
        total = n if total is None else total
    f = frame
    total = len(f) if total is None else total
    kinds = d.kinds(name)
    if total == 0:
        return f'<p class="rowsnote">{html.escape(t.t("no_rows"))}</p>'
    shown = f if len(f) <= max(limit, SMALL_TABLE) else f.head(limit)
    cats = category_columns(cols)
    head = "".join(f'<th class="{"" if kinds[c] in ("text", "date", "bool") else "num"}">{html.escape(t.col(c))}</th>'
                   for c in cols)
    body = []
    for row in shown[cols].itertuples(index=False, name=None):
        cells = []
        for c, v in zip(cols, row, strict=True):
            text, cls = _fmt(t, v, kinds[c], c in cats)
            if any(c.endswith(w) for w in _LONG):
                cls = (cls + " long").strip()
            if name == "alarms" and c == "status" and v in ("red", "green", "amber"):
                text = f'<span class="chip {v}">{html.escape(text)}</span>'
            else:
                text = html.escape(text)
            cells.append(f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if len(shown) < total:
        msg = t.t("rows_shown", shown=t.num(len(shown)), total=t.num(total), file=name + ".csv")
        note = f'<p class="rowsnote">{html.escape(msg)}</p>'
    return (f'<div class="tablewrap"><table class="data"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>{note}')


class _Page:
    def __init__(self, d: RunData) -> None:
        self.d = d
        self.t = d.texts
        self.figures: dict[str, Any] = {}

    def chart(self, fig: dict[str, Any]) -> str:
        fid = f"fig{len(self.figures) + 1}"
        self.figures[fid] = fig
        height = int(fig.get("layout", {}).get("height", 420))
        return f'<div class="chart" id="{fid}" style="height:{height}px"></div>'

    def block(self, name: str, frame: pd.DataFrame | None = None) -> str:
        t = self.t
        figs = figures_for(self.d, name)
        charts = [self.chart(f) for f in figs]
        inner = "".join(charts)
        if len(charts) == 2:
            inner = f'<div class="charts2">{inner}</div>'
        n = self.d.num_rows(name)
        table = _table(self.d, name, frame, total=n)
        if charts:
            label = f'{t.t("table_behind")} ({t.num(n)} {t.t("rows").lower()})'
            table = f"<details><summary>{html.escape(label)}</summary>{table}</details>"
        about = t.about(name)
        return (f'<section class="block" id="t-{html.escape(name)}"><h3>{html.escape(t.table(name))}</h3>'
                + (f'<p class="about">{html.escape(about)}</p>' if about else "") + inner + table + "</section>")

    def kpis(self) -> str:
        t = self.t
        cards = []
        for h in headlines(self.d):
            if h.key not in ("revenue", "gross_margin", "cost_to_serve", "net_profit", "customers",
                             "loss_making_customers"):
                continue
            value = t.money(float(h.value)) if h.kind == "money" else t.num(float(h.value))
            hint = ""
            if h.key == "loss_making_customers" and self.d.summary.get("loss_making_total") is not None:
                total = t.money(float(self.d.summary["loss_making_total"]))
                hint = f'<div class="hint">{html.escape(t.t("together", amount=total))}</div>'
            neg = " neg" if isinstance(h.value, int | float) and h.value < 0 else ""
            cards.append(f'<div class="kpi"><div class="label">{html.escape(h.label)}</div>'
                         f'<div class="value{neg}">{html.escape(value)}</div>{hint}</div>')
        return f'<div class="kpis">{"".join(cards)}</div>' if cards else ""

    def summary(self) -> str:
        t = self.t
        items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences(self.d))
        missing = self.d.missing()
        miss = ""
        if missing:
            lines = "<br>".join(html.escape(t.t("missing_note", what=t.t(f"sec_{sec}"), table=tab))
                                for sec, tab in missing)
            miss = f'<div class="missing"><strong>{html.escape(t.t("missing"))}</strong><br>{lines}</div>'
        return (f'<h2 class="first" id="summary">{html.escape(t.t("in_short"))}</h2>{self.kpis()}'
                f'<section class="block summary"><ul>{items}</ul></section>{miss}')

    def body(self) -> tuple[str, str]:
        t, d = self.t, self.d
        parts, toc = [self.summary()], [f'<a href="#summary">{html.escape(t.t("in_short"))}</a>']
        have = set(d.run.tables)
        known = {n for _, names in SECTIONS for n in names}
        sections = [*SECTIONS[:-1], ("other", sorted(have - known)), SECTIONS[-1]]
        for sec, names in sections:
            present = [n for n in names if n in have]
            if not present:
                continue
            title = t.t(f"sec_{sec}")
            toc.append(f'<a href="#s-{sec}">{html.escape(title)}</a>')
            parts.append(f'<h2 id="s-{sec}">{html.escape(title)}</h2>')
            for name in present:
                frame = (_by_profit(d) if name == "customers" else _steps(d) if name == "whale_curve" else None)
                parts.append(self.block(name, frame))
        notes = d.summary.get("notes") or []
        if notes:
            items = "".join(f"<li>{html.escape(str(n))}</li>" for n in notes)
            parts.append(f'<section class="block notes"><h3>{html.escape(t.t("notes"))}</h3><ul>{items}</ul>'
                         "</section>")
        return "\n".join(parts), "\n".join(toc)


def _steps(d: RunData, n: int = 20) -> pd.DataFrame:
    """Rows of a per-customer curve at every 1/n of the customers (5%, 10%, … 100%)."""
    size = d.arrow("whale_curve").num_rows
    cols = HTML_COLUMNS["whale_curve"]
    if size <= n:
        return d.frame("whale_curve", columns=cols)
    picks = sorted({min(size - 1, max(0, round(size * k / n) - 1)) for k in range(1, n + 1)})
    return d.frame("whale_curve", columns=cols, rows=picks)


def _by_profit(d: RunData, limit: int = PREVIEW_ROWS) -> pd.DataFrame | None:
    """The customers with the largest net profit (by revenue when the run has no profit), sorted in Arrow."""
    t = d.arrow("customers")
    cols = [c for c in HTML_COLUMNS["customers"] if c in t.column_names]
    key = "net_profit" if "net_profit" in t.column_names and _any_number(t.column("net_profit")) else "revenue"
    if key not in t.column_names:
        return None
    return d.frame("customers", columns=cols, rows=sort_order(t, [(key, "descending")])[:limit])


def _any_number(col: pa.ChunkedArray) -> bool:
    if pa.types.is_floating(col.type):
        return bool(pc.any(pc.invert(pc.fill_null(pc.is_nan(col), True))).as_py())
    return col.null_count < len(col)


def _finite(x: Any) -> Any:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    return clean(x) if not isinstance(x, str | int | bool) and x is not None else x


def _script_json(obj: Any) -> str:
    """JSON safe inside a <script> element: every '<' escaped, so no text can close the element."""
    return json.dumps(_finite(obj), ensure_ascii=False, default=str, allow_nan=False).replace("<", "\\u003c")


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_html(run: Run | RunData, lang: str | None = None) -> str:
    """The report as one HTML string (plotly.js inline)."""
    d = run if isinstance(run, RunData) else RunData(run, lang)
    t = d.texts
    page = _Page(d)
    body, toc = page.body()
    s = d.summary
    start, end = d.period()
    template = Template(resources.files("salesfocus.report").joinpath("templates/report.html").read_text("utf-8"))
    css = resources.files("salesfocus.report").joinpath("templates/report.css").read_text("utf-8")
    return template.substitute(
        lang=t.lang, version=html.escape(version()), title=html.escape(t.t("title")),
        subtitle=html.escape(t.t("subtitle")), css=css, plotly_js=_plotly_js(),
        run_line=html.escape(t.t("run_line", run_id=d.run.run_id, created=d.created(), start=start, end=end,
                                 as_of=t.date(s.get("as_of")), customers=t.num(s.get("customers")))),
        print_label=html.escape(t.t("print")), contents=html.escape(t.t("contents")), toc=toc, body=body,
        footer=html.escape(t.t("generated", version=version())), figures=_script_json(page.figures),
    )


def write_html(run: Run | RunData, path: Path | str, lang: str | None = None) -> Path:
    """Write ``report.html`` for a stored run; returns its path.

    Parameters
    ----------
    run : Run or RunData
        The stored run.
    path : Path or str
        File to write (a folder gets ``report.html`` inside it).
    lang : str, optional
        ``en`` or ``nl``; default the run's config language.
    """
    path = Path(path)
    if path.is_dir() or path.suffix.lower() not in (".html", ".htm"):
        path = path / REPORT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(run, lang), encoding="utf-8")
    return path
