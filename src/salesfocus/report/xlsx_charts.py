"""Native Excel charts for the workbook: whale curve, Pareto, pyramid, effort, A/B/C matrix, value matrix, …

Each chart references cells of the run's table sheets, so it follows when a user edits a number there.
Where a chart needs points arranged differently from the table (the A/B/C scatter split by segment, the
value-matrix bubbles, a whale curve of 200,000 customers thinned to a few thousand points) the points are
copied to the chart-data sheet: picked and sorted from the run's tables, never computed. A chart whose
table or columns the run lacks is simply not drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from salesfocus.report.workbook import Book, SheetRef

__all__ = ["add_charts", "CHART_POINTS"]

CHART_POINTS = 4000  # points per series at most; more are thinned evenly (keeping the ends and the peak)
_COLOURS = ["#1F3A5F", "#2A9D8F", "#E76F51", "#E9C46A", "#8D99AE", "#6A4C93"]
_SEGMENT_COLOURS = {"A": "#2A9D8F", "B": "#E9C46A", "C": "#E76F51", "D": "#8D99AE"}
_W, _H, _STEP = 640, 380, 20


def _rng(ref: SheetRef, col: str, r0: int = 0, r1: int | None = None) -> list[Any]:
    last = ref.rows - 1 if r1 is None else r1
    c = ref.col(col)
    return [ref.sheet, 1 + r0, c, 1 + last, c]


def _cd(loc: tuple[str, int, int, int]) -> list[Any]:
    sheet, col, r0, r1 = loc
    return [sheet, r0, col, r1, col]


def _name_cell(ref: SheetRef, col: str) -> list[Any]:
    return [ref.sheet, 0, ref.col(col)]


def _pct_axis(name: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "num_format": "0%", "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}},
            **kw}


def _thin(n: int, keep: list[int]) -> list[int]:
    """Row positions to plot: all when few, else evenly spaced plus the ends and ``keep``."""
    if n <= CHART_POINTS:
        return list(range(n))
    idx = set(np.linspace(0, n - 1, CHART_POINTS - len(keep) - 2).round().astype(int).tolist())
    return sorted(idx | {0, n - 1} | set(keep))


class _Charts:
    def __init__(self, book: Book) -> None:
        self.b = book
        self.t = book.t
        self.charts: list[Any] = []

    def new(self, kind: dict[str, Any], title: str) -> Any:
        ch = self.b.wb.add_chart(kind)
        ch.set_title({"name": title, "name_font": {"size": 11, "bold": True, "color": "#1F3A5F"}})
        ch.set_legend({"position": "bottom"})
        ch.set_size({"width": _W, "height": _H})
        ch.set_chartarea({"border": {"color": "#D0D7DE"}})
        self.charts.append(ch)
        return ch

    def ref(self, table: str, *cols: str) -> SheetRef | None:
        ref = self.b.refs.get(table)
        if ref is None or ref.rows == 0 or any(c not in ref.columns for c in cols):
            return None
        return ref

    # -- profit -------------------------------------------------------------------------------------------
    def whale_and_pareto(self) -> None:
        ref = self.ref("whale_curve", "customer_share")
        if ref is None:
            return
        src = ref.source
        x_label = self.t.t("ax_customers_share")
        peak = [int(src["cum_profit_share"].fillna(-np.inf).to_numpy().argmax())] if "cum_profit_share" in src else []
        rows = _thin(ref.rows, peak)
        cols = [c for c in ("customer_share", "cum_profit_share", "cum_revenue_share", "cum_cost_share")
                if c in ref.columns]
        if len(rows) < ref.rows:
            block = self.b.chart_data(self.t.table("whale_curve"),
                                      {self.t.col(c): src[c].iloc[rows].astype(object).where(
                                          src[c].iloc[rows].notna(), None).tolist() for c in cols})

            def series(c: str) -> list[Any]:
                return _cd(block[self.t.col(c)])
        else:
            def series(c: str) -> list[Any]:
                return _rng(ref, c)
        line = {"type": "scatter", "subtype": "straight"}
        if "cum_profit_share" in ref.columns and src["cum_profit_share"].notna().any():
            ch = self.new(line, self.t.t("ch_whale"))
            ch.add_series({"name": self.t.t("series_cum_profit"), "categories": series("customer_share"),
                           "values": series("cum_profit_share"), "line": {"color": _COLOURS[0], "width": 2.25}})
            ones = self.b.chart_data(self.t.t("series_total"), {"x": [0, 1], "y": [1, 1]})
            ch.add_series({"name": self.t.t("series_total"), "categories": _cd(ones["x"]), "values": _cd(ones["y"]),
                           "line": {"color": "#999999", "dash_type": "dash", "width": 1}})
            ch.set_x_axis(_pct_axis(x_label, min=0, max=1))
            ch.set_y_axis(_pct_axis(self.t.t("ax_profit_share")))
        if "cum_revenue_share" in ref.columns:
            ch = self.new(line, self.t.t("ch_pareto"))
            ch.add_series({"name": self.t.t("series_cum_revenue"), "categories": series("customer_share"),
                           "values": series("cum_revenue_share"), "line": {"color": _COLOURS[1], "width": 2.25}})
            if "cum_cost_share" in ref.columns:
                ch.add_series({"name": self.t.t("series_cum_cost"), "categories": series("customer_share"),
                               "values": series("cum_cost_share"), "line": {"color": _COLOURS[2], "width": 2.25}})
            ch.set_x_axis(_pct_axis(x_label, min=0, max=1))
            ch.set_y_axis(_pct_axis(self.t.t("ax_revenue_share"), min=0, max=1))

    def pyramid(self) -> None:
        ref = self.ref("pyramid", "pyramid_level", "customer_share", "revenue_share")
        if ref is None:
            return
        known = ref.source["revenue_share"].notna().to_numpy()
        n = int(known.argmin()) if not known.all() else len(known)  # levels with figures come first
        if n == 0:
            return
        ch = self.new({"type": "bar"}, self.t.t("ch_pyramid"))
        for i, c in enumerate(("customer_share", "revenue_share", "cost_share", "profit_share")):
            if c in ref.columns:
                ch.add_series({"name": _name_cell(ref, c), "categories": _rng(ref, "pyramid_level", 0, n - 1),
                               "values": _rng(ref, c, 0, n - 1), "fill": {"color": _COLOURS[i]}, "gap": 60})
        ch.set_y_axis({"reverse": True})
        ch.set_x_axis(_pct_axis(self.t.t("ax_share")))

    def effort(self) -> None:
        ref = self.ref("effort", "dimension", "group", "visits_share", "profit_share")
        if ref is None:
            return
        dims = ref.source["dimension"].tolist()
        want = "account_manager" if "account_manager" in dims else dims[0]
        pos = [i for i, d in enumerate(dims) if d == want]
        r0, r1 = pos[0], pos[-1]
        if r1 - r0 + 1 != len(pos):
            return
        ch = self.new({"type": "column"}, self.t.t("ch_effort"))
        for i, c in enumerate(("visits_share", "hours_share", "profit_share")):
            if c in ref.columns:
                ch.add_series({"name": _name_cell(ref, c), "categories": _rng(ref, "group", r0, r1),
                               "values": _rng(ref, c, r0, r1), "fill": {"color": _COLOURS[[0, 4, 1][i]]}})
        ch.set_y_axis(_pct_axis(self.t.t("ax_share")))

    def loss_makers(self) -> None:
        lm = self.b.refs.get("loss_makers")
        label = "name" if lm is not None and "name" in lm.columns else "customer_id"
        ref = self.ref("loss_makers", label, "net_profit")
        if ref is None:
            return
        n = min(15, ref.rows)
        ch = self.new({"type": "bar"}, self.t.t("ch_loss"))
        ch.add_series({"name": _name_cell(ref, "net_profit"), "categories": _rng(ref, label, 0, n - 1),
                       "values": _rng(ref, "net_profit", 0, n - 1), "fill": {"color": _COLOURS[2]}})
        ch.set_y_axis({"reverse": True, "label_position": "low"})
        ch.set_x_axis({"num_format": '"€ "#,##0', "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}}})
        ch.set_legend({"none": True})

    # -- segments -----------------------------------------------------------------------------------------
    def abc(self) -> None:
        ref = self.ref("customers", "abc_value", "criteria_yes", "abc_segment")
        if ref is None:
            return
        src = ref.source
        pts = src[(src["abc_value"] > 0) & src["criteria_yes"].notna()]
        if pts.empty:
            return
        t = self.t
        ch = self.new({"type": "scatter"}, t.t("ch_abc"))
        for seg in sorted(pts["abc_segment"].dropna().unique()):
            p = pts[pts["abc_segment"] == seg].sort_values("abc_value", ascending=False).head(CHART_POINTS // 2)
            block = self.b.chart_data(f"{t.col('abc_segment')} {seg}",
                                      {"x": p["criteria_yes"].astype(float).tolist(), "y": p["abc_value"].tolist()})
            colour = _SEGMENT_COLOURS.get(str(seg), _COLOURS[4])
            ch.add_series({"name": f"{seg}", "categories": _cd(block["x"]), "values": _cd(block["y"]),
                           "marker": {"type": "circle", "size": 5, "fill": {"color": colour, "transparency": 40},
                                      "border": {"none": True}}})
        lo, hi = float(pts["abc_value"].min()), float(pts["abc_value"].max())
        seg_cfg = (self.b.data.summary.get("segments") or {})
        boundary = seg_cfg.get("abc_high_boundary")
        abc_cfg = (self.b.data.config.get("segments") or {}).get("abc") or {}
        if boundary:
            lines = [(t.t("boundary_high"), [-0.5, 4.5], [boundary, boundary])]
            if abc_cfg.get("a_min_yes") is not None:
                x = abc_cfg["a_min_yes"] - 0.5
                lines.append((t.t("boundary_a", n=abc_cfg["a_min_yes"]), [x, x], [boundary, hi]))
            if abc_cfg.get("c_max_yes") is not None:
                x = abc_cfg["c_max_yes"] + 0.5
                lines.append((t.t("boundary_c", n=abc_cfg["c_max_yes"]), [x, x], [lo, boundary]))
            for name, xs, ys in lines:
                block = self.b.chart_data(name, {"x": xs, "y": ys})
                ch.add_series({"name": name, "categories": _cd(block["x"]), "values": _cd(block["y"]),
                               "line": {"color": "#333333", "dash_type": "dash", "width": 1.25},
                               "marker": {"type": "none"}})
        ch.set_x_axis({"name": t.t("ax_yes"), "min": -0.5, "max": 4.5, "major_unit": 1, "num_format": "0"})
        ch.set_y_axis({"name": t.t("ax_abc_value"), "log_base": 10, "num_format": '"€ "#,##0',
                       "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}}})

    def value_matrix(self) -> None:
        """Customers per margin × frequency cell, one column per satisfaction code (xlsxwriter has no bubbles)."""
        ref = self.ref("value_matrix", "margin_code", "frequency_code", "satisfaction_code", "customers")
        if ref is None:
            return
        src = ref.source.dropna(subset=["margin_code", "frequency_code", "satisfaction_code"])
        if src.empty:
            return
        t = self.t
        cells = sorted({(int(m), int(f)) for m, f in zip(src["margin_code"], src["frequency_code"], strict=True)},
                       reverse=True)
        grid = {"": [f"{t.col('margin_code')[:5]} {m} · {t.col('frequency_code')[:5]} {f}" for m, f in cells]}
        sats = sorted({int(s) for s in src["satisfaction_code"]})
        for s in sats:
            got = {(int(r.margin_code), int(r.frequency_code)): r.customers
                   for r in src[src["satisfaction_code"] == s].itertuples()}
            grid[t.t("satisfaction", n=s)] = [float(got.get(c, 0) or 0) for c in cells]
        block = self.b.chart_data(t.table("value_matrix"), grid)
        ch = self.new({"type": "column"}, t.t("ch_value"))
        for i, s in enumerate(sats):
            name = t.t("satisfaction", n=s)
            ch.add_series({"name": name, "categories": _cd(block[""]), "values": _cd(block[name]),
                           "fill": {"color": [_COLOURS[2], _COLOURS[3], _COLOURS[1]][i % 3]}})
        ch.set_y_axis({"name": t.col("customers"), "num_format": "#,##0"})

    def policy(self) -> None:
        ref = self.ref("segment_policy", "segment", "hours_now", "hours_target")
        if ref is None:
            return
        ch = self.new({"type": "column"}, self.t.t("ch_policy"))
        for i, c in enumerate(("hours_now", "hours_target")):
            ch.add_series({"name": _name_cell(ref, c), "categories": _rng(ref, "segment"), "values": _rng(ref, c),
                           "fill": {"color": _COLOURS[[4, 1][i]]}})
        ch.set_y_axis({"name": self.t.t("ax_hours"), "num_format": "#,##0"})

    def clusters(self) -> None:
        ref = self.ref("clusters", "cluster", "net_profit")
        if ref is None:
            return
        ch = self.new({"type": "column"}, self.t.t("ch_clusters"))
        ch.add_series({"name": _name_cell(ref, "net_profit"), "categories": _rng(ref, "cluster"),
                       "values": _rng(ref, "net_profit"), "fill": {"color": _COLOURS[0]}})
        ch.set_y_axis({"num_format": '"€ "#,##0'})
        ch.set_legend({"none": True})

    # -- later analyses: drawn when their tables carry recognisable columns ---------------------------------
    def portfolio(self) -> None:
        """Segments as bubbles: one scatter series per segment, marker size by its size (largest first)."""
        ref = self.b.refs.get("segments")
        if ref is None or ref.rows == 0:
            return
        x = _find(ref.columns, ("attractiveness", "attractive", "value_score"))
        y = _find(ref.columns, ("likelihood", "win", "chance"))
        size = _find(ref.columns, ("customers", "size", "count", "revenue"))
        label = _find(ref.columns, ("segment", "name")) or ref.columns[0]
        if not (x and y and size):
            return
        src = ref.source
        biggest = float(src[size].max() or 0) or 1.0
        ch = self.new({"type": "scatter"}, self.t.t("ch_portfolio"))
        for i in range(min(ref.rows, 12)):  # the best-ranked segments; all are on the sheet
            v = src[size].iloc[i]
            radius = 6 + 30 * (float(v) / biggest) ** 0.5 if v == v and v is not None else 6
            ch.add_series({"name": [ref.sheet, 1 + i, ref.col(label)], "categories": _rng(ref, x, i, i),
                           "values": _rng(ref, y, i, i),
                           "marker": {"type": "circle", "size": min(int(radius), 72),
                                      "fill": {"color": _COLOURS[i % len(_COLOURS)], "transparency": 30}},
                           "data_labels": {"series_name": True, "position": "right", "font": {"size": 8}}})
        ch.set_legend({"none": True})
        ch.set_x_axis({"name": self.t.col(x)})
        ch.set_y_axis({"name": self.t.col(y)})

    def categories(self, table: str, title: str, label: str | tuple[str, ...], values: tuple[str, ...], *,
                   top: int = 15, chart: str = "column", fmt: str = "0%") -> None:
        """A bar, column or line chart of one label column against value columns (the first ``top`` rows)."""
        ref = self.b.refs.get(table)
        if ref is None or ref.rows == 0:
            return
        labels = (label,) if isinstance(label, str) else label
        lab = next((c for c in labels if c in ref.columns), None)
        vals = [c for c in values if c in ref.columns]
        if lab is None or not vals:
            return
        n = min(top, ref.rows)
        ch = self.new({"type": chart}, title)
        for i, c in enumerate(vals):
            ch.add_series({"name": _name_cell(ref, c), "categories": _rng(ref, lab, 0, n - 1),
                           "values": _rng(ref, c, 0, n - 1), "fill": {"color": _COLOURS[i]},
                           "line": {"color": _COLOURS[i], "width": 2.25}})
        value_axis = {"num_format": fmt, "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}}}
        if chart == "bar":
            ch.set_y_axis({"reverse": True})
            ch.set_x_axis(value_axis)
        else:
            ch.set_y_axis(value_axis)
        if len(vals) == 1:
            ch.set_legend({"none": True})

    def retention(self) -> None:
        """Retention over the periods, for all customers (the rows of group 'all', copied in period order)."""
        ref = self.ref("retention", "period")
        if ref is None:
            return
        src = ref.source
        if "group_by" in src:
            src = src[src["group_by"] == self.t.value("all")]
        cols = [c for c in ("customer_retention", "gross_revenue_retention", "net_revenue_retention") if c in src]
        if src.empty or not cols:
            return
        block = self.b.chart_data(self.t.t("ch_retention"), {
            self.t.col("period"): [str(p) for p in src["period"]],
            **{self.t.col(c): src[c].astype(object).where(src[c].notna(), None).tolist() for c in cols}})
        ch = self.new({"type": "line"}, self.t.t("ch_retention"))
        for i, c in enumerate(cols):
            ch.add_series({"name": self.t.col(c), "categories": _cd(block[self.t.col("period")]),
                           "values": _cd(block[self.t.col(c)]), "line": {"color": _COLOURS[i], "width": 2.25},
                           "marker": {"type": "circle", "size": 5}})
        ch.set_y_axis(_pct_axis(""))


def _find(columns: list[str], words: tuple[str, ...]) -> str | None:
    for w in words:
        for c in columns:
            if w in c:
                return c
    return None


def add_charts(book: Book, ws: Any) -> int:
    """Draw every chart the run's tables allow on the charts sheet; returns how many."""
    c = _Charts(book)
    t = book.t
    steps: list[Callable[[], None]] = [
        c.whale_and_pareto, c.pyramid, c.effort, c.loss_makers, c.abc, c.value_matrix, c.policy, c.clusters,
        c.portfolio,
        lambda: c.categories("at_risk", t.t("ch_at_risk"), ("name", "customer_id"), ("value_at_risk",), chart="bar",
                             fmt='"€ "#,##0'),
        lambda: c.categories("account_manager_load", t.t("ch_load"), "account_manager", ("load",)),
        lambda: c.categories("lead_channels", t.t("ch_lead_channels"), "channel", ("leads", "won", "lost"),
                             fmt="#,##0"),
        c.retention,
        lambda: c.categories("goals", t.t("ch_goals"), "goal", ("progress",), chart="bar"),
    ]
    for step in steps:
        step()
    ws.write_string(0, 1, t.t("charts"), book.f["title"])
    ws.hide_gridlines(2)
    for i, ch in enumerate(c.charts):
        ws.insert_chart(2 + (i // 2) * _STEP, 1, ch, {"x_offset": (i % 2) * (_W + 16), "y_offset": 4})
    return len(c.charts)
