"""Interactive charts of the HTML report, as Plotly figure specs (plain dicts, rendered by plotly.js).

One function per table: it returns the figures that table supports, or nothing when the run's table lacks
the columns. Figures show the run's figures as stored — rows are picked (the latest period, the 15 largest
loss-makers), sorted or thinned for drawing, never recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesfocus.report.tables import RunData, clean

__all__ = ["figures_for", "FIGURES", "MAX_POINTS", "SCATTER_POINTS", "scatter_sample"]

MAX_POINTS = 2000  # points of a line (the whale curve is thinned evenly)
SCATTER_POINTS = 20_000  # customers in a scatter at most; more are sampled in proportion per segment (stated)
WEBGL_FROM = 1500  # a scatter with more points is drawn with WebGL (scattergl), all its traces alike
_WHALE_COLUMNS = ("customer_share", "cum_profit_share", "cum_revenue_share", "cum_cost_share")
Fig = dict[str, Any]
_C = ["#1F3A5F", "#2A9D8F", "#E76F51", "#E9C46A", "#8D99AE", "#6A4C93", "#F4A261", "#264653"]
_SEG = {"A": "#2A9D8F", "B": "#E9C46A", "C": "#E76F51", "D": "#8D99AE"}
_BLUES = [[0, "#F3F6FA"], [1, "#1F3A5F"]]
_GREENS = [[0, "#F4FAF8"], [1, "#1E7D6F"]]
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def _layout(d: RunData, title: str, **kw: Any) -> dict[str, Any]:
    base = {
        "title": {"text": title, "font": {"size": 15, "color": "#1F3A5F"}, "x": 0, "xanchor": "left"},
        "font": {"family": _FONT, "size": 12, "color": "#222"}, "separators": d.texts.plotly_separators,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60}, "paper_bgcolor": "white", "plot_bgcolor": "white",
        "legend": {"orientation": "h", "y": -0.18}, "hovermode": "closest", "height": 420,
    }
    for axis in ("xaxis", "yaxis"):
        base[axis] = {"gridcolor": "#ECECEC", "zerolinecolor": "#BBBBBB", "automargin": True}
    for k, v in kw.items():
        if k in ("xaxis", "yaxis") and isinstance(v, dict):
            base[k] = {**base[k], **v}
        else:
            base[k] = v
    return base


def _list(s: pd.Series) -> list[Any]:
    return [clean(v) for v in s.tolist()]


def _money_axis(title: str = "") -> dict[str, Any]:
    return {"title": {"text": title}, "tickprefix": "€ ", "tickformat": ",.0f"}


def _pct_axis(title: str = "", **kw: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "tickformat": ".0%", **kw}


def _thin_rows(n: int, keep: list[int]) -> list[int]:
    if n <= MAX_POINTS:
        return list(range(n))
    idx = set(np.linspace(0, n - 1, MAX_POINTS).round().astype(int).tolist())
    return sorted(idx | set(keep))


def _label(f: pd.DataFrame) -> str:
    return "name" if "name" in f.columns and f["name"].notna().any() else "customer_id"


def _bars(d: RunData, title: str, cats: list[Any], series: dict[str, pd.Series], *, horizontal: bool = False,
          kind: str = "pct", colours: list[str] | None = None, **layout: Any) -> Fig:
    colours = colours or _C
    data = []
    for i, (name, s) in enumerate(series.items()):
        vals = _list(s)
        trace = {"type": "bar", "name": name, "marker": {"color": colours[i % len(colours)]}}
        trace.update({"y": cats, "x": vals, "orientation": "h"} if horizontal else {"x": cats, "y": vals})
        data.append(trace)
    axis = _pct_axis() if kind == "pct" else _money_axis() if kind == "money" else {"tickformat": ",.0f"}
    lay = _layout(d, title, barmode="group", **layout)
    if horizontal:
        lay["xaxis"] = {**lay["xaxis"], **axis}
        lay["yaxis"] = {**lay["yaxis"], "autorange": "reversed", "type": "category"}
        lay["height"] = max(300, 28 * len(cats) * max(1, len(series)) // 2 + 140)
    else:
        lay["yaxis"] = {**lay["yaxis"], **axis}
        lay["xaxis"] = {**lay["xaxis"], "type": "category"}
    return {"data": data, "layout": lay}


# -- profit ------------------------------------------------------------------------------------------------
def whale_curve(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("whale_curve", columns=list(_WHALE_COLUMNS))
    if "customer_share" not in f or f.empty:
        return []
    out = []
    if "cum_profit_share" in f and f["cum_profit_share"].notna().any():
        peak = int(f["cum_profit_share"].fillna(-np.inf).to_numpy().argmax())
        rows = f.iloc[_thin_rows(len(f), [peak])]
        px, py = clean(f["customer_share"].iloc[peak]), clean(f["cum_profit_share"].iloc[peak])
        out.append({"data": [
            {"type": "scatter", "mode": "lines", "name": t.t("series_cum_profit"), "x": _list(rows["customer_share"]),
             "y": _list(rows["cum_profit_share"]), "line": {"color": _C[0], "width": 3},
             "hovertemplate": "%{x:.1%} → %{y:.1%}<extra></extra>"},
            {"type": "scatter", "mode": "lines", "name": t.t("series_total"), "x": [0, 1], "y": [1, 1],
             "line": {"color": "#999", "dash": "dash", "width": 1}, "hoverinfo": "skip"},
        ], "layout": _layout(d, t.t("ch_whale"), xaxis=_pct_axis(t.t("ax_customers_share"), range=[0, 1]),
                             yaxis=_pct_axis(t.t("ax_profit_share")),
                             annotations=[{"x": px, "y": py, "text": f"{t.pct(px)} → {t.pct(py)}", "showarrow": True,
                                           "arrowhead": 2, "ax": 40, "ay": -30}])})
    if "cum_revenue_share" in f:
        rows = f.iloc[_thin_rows(len(f), [])]
        data = [{"type": "scatter", "mode": "lines", "name": t.t("series_cum_revenue"),
                 "x": _list(rows["customer_share"]), "y": _list(rows["cum_revenue_share"]),
                 "line": {"color": _C[1], "width": 3}, "hovertemplate": "%{x:.1%} → %{y:.1%}<extra></extra>"}]
        if "cum_cost_share" in f:
            data.append({"type": "scatter", "mode": "lines", "name": t.t("series_cum_cost"),
                         "x": _list(rows["customer_share"]), "y": _list(rows["cum_cost_share"]),
                         "line": {"color": _C[2], "width": 3}, "hovertemplate": "%{x:.1%} → %{y:.1%}<extra></extra>"})
        out.append({"data": data, "layout": _layout(
            d, t.t("ch_pareto"), xaxis=_pct_axis(t.t("ax_customers_share"), range=[0, 1]),
            yaxis=_pct_axis(t.t("ax_revenue_share"), range=[0, 1.02]),
            shapes=[{"type": "line", "x0": 0.2, "x1": 0.2, "y0": 0, "y1": 1,
                     "line": {"color": "#999", "dash": "dot"}}])})
    return out


def pyramid(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("pyramid")
    if "pyramid_level" not in f or "revenue_share" not in f:
        return []
    if "level_order" in f:
        f = f.sort_values("level_order")
    f = f[f["revenue_share"].notna()]
    cols = [c for c in ("customer_share", "revenue_share", "cost_share", "profit_share", "visits_share") if c in f]
    if f.empty or not cols:
        return []
    cats = [t.value(v) for v in f["pyramid_level"]]
    return [_bars(d, t.t("ch_pyramid"), cats, {t.col(c): f[c] for c in cols}, horizontal=True)]


def effort(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("effort")
    need = {"dimension", "group", "visits_share", "profit_share"}
    if not need <= set(f.columns) or f.empty:
        return []
    dims = f["dimension"].tolist()
    f = f[f["dimension"] == ("account_manager" if "account_manager" in dims else dims[0])]
    cols = [c for c in ("visits_share", "hours_share", "profit_share") if c in f]
    return [_bars(d, t.t("ch_effort"), [t.value(g) for g in f["group"]], {t.col(c): f[c] for c in cols},
                  colours=[_C[0], _C[4], _C[1]])]


def loss_makers(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("loss_makers")
    if "net_profit" not in f or f.empty:
        return []
    f = f.sort_values("net_profit").head(15)
    return [_bars(d, t.t("ch_loss"), _list(f[_label(f)]), {t.col("net_profit"): f["net_profit"]}, horizontal=True,
                  kind="money", colours=[_C[2]], showlegend=False)]


# -- segments ----------------------------------------------------------------------------------------------
def scatter_sample(segments: np.ndarray, limit: int | None = None, seed: int = 20_240) -> np.ndarray:
    """Row positions of an honest sample: all rows up to ``limit`` (default ``SCATTER_POINTS``), else each
    segment in proportion to its size (largest remainders, at least one row each): ``limit`` in all.

    Drawn at random with a fixed seed, so the same run shows the same points on every render.
    """
    limit = SCATTER_POINTS if limit is None else limit
    n = len(segments)
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    keys = pd.Series(segments).astype(str).to_numpy()
    groups = [np.flatnonzero(keys == seg) for seg in sorted(set(keys.tolist()))]
    exact = np.array([limit * len(rows) / n for rows in groups])
    takes = np.floor(exact).astype(int)
    takes[np.argsort(-(exact - takes), kind="stable")[: limit - takes.sum()]] += 1  # largest remainders
    picks = [rng.choice(rows, size=min(len(rows), max(1, int(k))), replace=False) for rows, k in zip(groups, takes,
                                                                                                   strict=True)]
    return np.sort(np.concatenate(picks))


def _abc_points(d: RunData) -> tuple[pd.DataFrame, str, int, tuple[float, float]] | None:
    """Customers with an A/B/C value and answers: the ones drawn (all, or a sample), the hover label column,
    how many there are, and the lowest and highest value of them all (picked in Arrow)."""
    if not d.has("customers", "abc_value", "criteria_yes", "abc_segment"):
        return None
    whole = d.arrow("customers")
    value = whole.column("abc_value")
    if pa.types.is_decimal(value.type):
        value = value.cast(pa.float64())
    keep = pc.fill_null(pc.and_(pc.greater(value, 0), pc.is_valid(whole.column("criteria_yes"))), False)
    if pa.types.is_floating(value.type):
        keep = pc.and_(keep, pc.invert(pc.fill_null(pc.is_nan(value), True)))
    rows = np.flatnonzero(keep.to_numpy(zero_copy_only=False))
    if rows.size == 0:
        return None
    label = "name" if "name" in whole.column_names and whole.column("name").null_count < len(whole) else "customer_id"
    segs = whole.column("abc_segment").take(pa.array(rows)).to_numpy(zero_copy_only=False)
    cols = list(dict.fromkeys(["customer_id", label, "abc_value", "criteria_yes", "abc_segment"]))
    f = d.frame("customers", columns=cols, rows=rows[scatter_sample(segs)])
    lo_hi = pc.min_max(value.filter(keep))
    return f, label, len(rows), (float(lo_hi["min"].as_py()), float(lo_hi["max"].as_py()))


def abc_matrix(d: RunData) -> list[Fig]:
    """The A/B/C scatter of the customers (from the customer table), with the segment boundaries.

    Up to ``SCATTER_POINTS`` customers every one is drawn; above it a sample in proportion per segment, and the
    title says how many of how many are shown. Large traces use WebGL.
    """
    t = d.texts
    points = _abc_points(d)
    if points is None:
        return []
    f, label, total, (f_lo, f_hi) = points
    data = []
    for seg in sorted(f["abc_segment"].dropna().unique()):
        g = f[f["abc_segment"] == seg]
        spread = pd.util.hash_pandas_object(g["customer_id"], index=False).to_numpy() % 41
        jitter = (spread.astype(float) - 20) / 60.0  # spread one column's points apart, the same on every render
        data.append({"type": "scattergl" if len(f) > WEBGL_FROM else "scatter", "mode": "markers", "name": str(seg),
                     "x": (g["criteria_yes"].to_numpy(dtype=float) + jitter).round(3).tolist(),
                     "y": _list(g["abc_value"]), "text": _list(g[label]),
                     "marker": {"color": _SEG.get(str(seg), _C[4]), "size": 7 if len(f) <= 5_000 else 4,
                                "opacity": 0.7},
                     "hovertemplate": "%{text}<br>€ %{y:,.0f}<extra>" + str(seg) + "</extra>"})
    title = t.t("ch_abc")
    if len(f) < total:
        title += "<br><sub>" + t.t("sample_note", shown=t.num(len(f)), total=t.num(total)) + "</sub>"
    seg_info = d.summary.get("segments") or {}
    boundary = seg_info.get("abc_high_boundary")
    cfg = (d.config.get("segments") or {}).get("abc") or {}
    shapes, notes = [], []
    if boundary:
        shapes.append({"type": "line", "x0": -0.5, "x1": 4.5, "y0": boundary, "y1": boundary,
                       "line": {"color": "#333", "dash": "dash"}})
        notes.append({"x": -0.55, "y": np.log10(boundary), "text": t.t("boundary_high"), "showarrow": False,
                      "xanchor": "left", "yanchor": "bottom", "font": {"size": 11}, "bgcolor": "rgba(255,255,255,.8)"})
        hi, lo = f_hi * 1.3, f_lo / 1.3
        if cfg.get("a_min_yes") is not None:
            x = cfg["a_min_yes"] - 0.5
            shapes.append({"type": "line", "x0": x, "x1": x, "y0": boundary, "y1": hi,
                           "line": {"color": "#333", "dash": "dot"}})
        if cfg.get("c_max_yes") is not None:
            x = cfg["c_max_yes"] + 0.5
            shapes.append({"type": "line", "x0": x, "x1": x, "y0": lo, "y1": boundary,
                           "line": {"color": "#333", "dash": "dot"}})
    if boundary:
        top, bottom = np.log10(hi / 1.3), np.log10(lo * 1.3)
        for x, y, zone in ((4.5, top, "A"), (-0.5, top, "B"), (4.5, bottom, "B"), (-0.5, bottom, "C")):
            notes.append({"x": x, "y": y, "text": f"<b>{zone}</b>", "showarrow": False, "font": {"size": 18,
                          "color": _SEG[zone]}, "xanchor": "right" if x > 0 else "left"})
    lay = _layout(d, title, xaxis={"title": {"text": t.t("ax_yes")}, "range": [-0.6, 4.6], "dtick": 1,
                                           "zeroline": False},
                  yaxis={**_money_axis(t.t("ax_abc_value")), "type": "log", "dtick": 1}, shapes=shapes,
                  annotations=notes,
                  height=480)
    if len(f) < total:
        lay["margin"] = {**lay["margin"], "t": 74}
    return [{"data": data, "layout": lay}]


def value_matrix(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("value_matrix")
    need = {"margin_code", "frequency_code", "satisfaction_code", "customers"}
    if not need <= set(f.columns):
        return []
    f = f[f["customers"] > 0]
    if f.empty:
        return []
    biggest = float(f["customers"].max())
    data = []
    for i, (s, g) in enumerate(sorted(f.groupby("satisfaction_code"), key=lambda kv: kv[0])):
        text = [f"{c} · {t.value(m)}" for c, m in zip(g.get("value_cell", g["customers"]),
                                                   g.get("main_group", g["customers"]), strict=True)]
        data.append({"type": "scatter", "mode": "markers", "name": t.t("satisfaction", n=int(s)),
                     "x": (g["frequency_code"].astype(float) + (float(s) - 2) * 0.22).tolist(),
                     "y": _list(g["margin_code"].astype(float)), "text": text, "customdata": _list(g["customers"]),
                     "marker": {"size": _list(g["customers"]), "sizemode": "area", "sizeref": 2 * biggest / 55 ** 2,
                                "sizemin": 3, "color": [_C[2], _C[3], _C[1]][i % 3], "opacity": 0.8,
                                "line": {"color": "white", "width": 1}},
                     "hovertemplate": "%{text}<br>%{customdata} " + t.col("customers").lower() + "<extra></extra>"})
    axis = {"range": [0.5, 3.5], "dtick": 1}
    return [{"data": data, "layout": _layout(d, t.t("ch_value"), xaxis={**axis, "title": {"text": t.t("ax_frequency")}},
                                             yaxis={**axis, "title": {"text": t.t("ax_margin")}}, height=460)}]


def segment_policy(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("segment_policy")
    if not {"segment", "hours_now", "hours_target"} <= set(f.columns):
        return []
    return [_bars(d, t.t("ch_policy"), _list(f["segment"]), {t.col(c): f[c] for c in ("hours_now", "hours_target")},
                  kind="num", colours=[_C[4], _C[1]], yaxis={"title": {"text": t.t("ax_hours")}})]


def top_group_profile(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("top_group_profile")
    if not {"attribute", "value", "lift"} <= set(f.columns):
        return []
    if "significant" in f and f["significant"].any():
        f = f[f["significant"] == True]  # noqa: E712 - a nullable boolean column
    f = f.sort_values("lift", ascending=False).head(12)
    if f.empty:
        return []
    cats = [f"{t.value(a)}: {v}" for a, v in zip(f["attribute"], f["value"], strict=True)]
    fig = _bars(d, t.t("ch_profile"), cats, {t.col("lift"): f["lift"]}, horizontal=True, kind="num",
                colours=[_C[1]], showlegend=False)
    fig["layout"]["xaxis"]["tickformat"] = ".1f"
    fig["layout"]["shapes"] = [{"type": "line", "x0": 1, "x1": 1, "y0": 0, "y1": 1, "yref": "paper",
                                "line": {"color": "#333", "dash": "dot"}}]
    return [fig]


def clusters(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("clusters")
    if not {"cluster", "net_profit"} <= set(f.columns):
        return []
    cats = [f"{c}: {desc}" if "description" in f else str(c) for c, desc in
            zip(f["cluster"], f.get("description", f["cluster"]), strict=True)]
    return [_bars(d, t.t("ch_clusters"), cats, {t.col("net_profit"): f["net_profit"]}, horizontal=True, kind="money",
                  showlegend=False)]


# -- prediction and targeting ------------------------------------------------------------------------------
def at_risk(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("at_risk", columns=["value_at_risk", "clv", "revenue_12m", "name", "customer_id"])
    value = next((c for c in ("value_at_risk", "clv", "revenue_12m") if c in f), None)
    if value is None or f.empty:
        return []
    f = f.sort_values(value, ascending=False).head(15)
    return [_bars(d, t.t("ch_at_risk"), _list(f[_label(f)]), {t.col(value): f[value]}, horizontal=True,
                  kind="money", colours=[_C[2]], showlegend=False)]


def segments(d: RunData) -> list[Fig]:
    """The targeting portfolio: attractiveness against chance of winning, bubble = members."""
    t, f = d.texts, d.frame("segments")
    if not {"attractiveness", "likelihood"} <= set(f.columns) or f.empty:
        return []
    size_col = next((c for c in ("members", "customers") if c in f), None)
    sizes = f[size_col].astype(float).fillna(0) if size_col else pd.Series(10.0, index=f.index)
    biggest = float(sizes.max()) or 1.0
    label = "segment" if "segment" in f else f.columns[0]
    focus = f["focus"].fillna(False).astype(bool) if "focus" in f else pd.Series(False, index=f.index)
    data = []
    for flag, name, colour in ((True, t.col("focus"), _C[1]), (False, t.t("not_focus"), _C[4])):
        g, s = f[focus == flag], sizes[focus == flag]
        if g.empty:
            continue
        data.append({"type": "scatter", "mode": "markers+text" if flag else "markers", "name": name,
                     "x": _list(g["attractiveness"]), "y": _list(g["likelihood"]), "text": _list(g[label]),
                     "textposition": "top center", "customdata": _list(s),
                     "marker": {"size": _list(s), "sizemode": "area", "sizeref": 2 * biggest / 50 ** 2, "sizemin": 4,
                                "color": colour, "opacity": 0.75, "line": {"color": "white", "width": 1}},
                     "hovertemplate": "%{text}<br>%{x:.0f} / %{y:.0f}<extra></extra>"})
    return [{"data": data, "layout": _layout(d, t.t("ch_portfolio"), xaxis={"title": {"text": t.col("attractiveness")}},
                                             yaxis={"title": {"text": t.col("likelihood")}}, height=480)}]


def account_manager_load(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("account_manager_load")
    if not {"account_manager", "load"} <= set(f.columns):
        return []
    fig = _bars(d, t.t("ch_load"), _list(f["account_manager"]), {t.col("load"): f["load"]},
                colours=[_C[0]], showlegend=False)
    fig["layout"]["shapes"] = [{"type": "line", "x0": 0, "x1": 1, "xref": "paper", "y0": 1, "y1": 1,
                                "line": {"color": _C[2], "dash": "dash"}}]
    return [fig]


def lead_channels(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("lead_channels")
    cols = [c for c in ("leads", "won", "lost") if c in f]
    if "channel" not in f or not cols:
        return []
    return [_bars(d, t.t("ch_lead_channels"), _list(f["channel"]), {t.col(c): f[c] for c in cols}, kind="num",
                  colours=[_C[0], _C[1], _C[2]])]


def churn_drivers(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("churn_drivers")
    if not {"driver", "auc"} <= set(f.columns):
        return []
    fig = _bars(d, t.t("ch_churn"), [t.col(x) for x in f["driver"]], {t.col("auc"): f["auc"]},
                horizontal=True, kind="num", colours=[_C[5]], showlegend=False)
    fig["layout"]["xaxis"].update({"tickformat": ".2f", "range": [0.4, 1]})
    return [fig]


# -- over time ---------------------------------------------------------------------------------------------
def migration(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("migration")
    if not {"from_level", "to_level", "customers", "to_period"} <= set(f.columns) or f.empty:
        return []
    if "dimension" in f:
        f = f[f["dimension"] == f["dimension"].iloc[0]]
    last = f["to_period"].astype(str).max()
    f = f[f["to_period"].astype(str) == last]
    rows = list(dict.fromkeys(f["from_level"]))
    cols = list(dict.fromkeys(f["to_level"]))
    z = [[None] * len(cols) for _ in rows]
    for r in f.itertuples():
        z[rows.index(r.from_level)][cols.index(r.to_level)] = clean(r.customers)
    first = clean(f["from_period"].iloc[0]) if "from_period" in f else ""
    title = f"{t.t('ch_migration')}: {first} → {last}"
    return [{"data": [{"type": "heatmap", "z": z, "x": [t.value(c) for c in cols], "y": [t.value(r) for r in rows],
                       "colorscale": _BLUES, "texttemplate": "%{z}", "hoverongaps": False,
                       "colorbar": {"title": {"text": t.col("customers")}}}],
             "layout": _layout(d, title, xaxis={"title": {"text": t.col("to_level")}, "type": "category"},
                               yaxis={"title": {"text": t.col("from_level")}, "type": "category",
                                      "autorange": "reversed"}, height=460)}]


def retention(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("retention")
    cols = [c for c in ("customer_retention", "gross_revenue_retention", "net_revenue_retention") if c in f]
    if "period" not in f or not cols:
        return []
    if "group_by" in f:
        f = f[f["group_by"] == "all"]
    data = [{"type": "scatter", "mode": "lines+markers", "name": t.col(c), "x": [str(p) for p in f["period"]],
             "y": _list(f[c]), "line": {"color": _C[i], "width": 3}} for i, c in enumerate(cols)]
    return [{"data": data, "layout": _layout(d, t.t("ch_retention"), yaxis=_pct_axis(),
                                             xaxis={"type": "category"})}]


def cohorts(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("cohorts")
    if not {"cohort", "periods_since", "share_active"} <= set(f.columns) or f.empty:
        return []
    rows = sorted({str(c) for c in f["cohort"]})
    cols = sorted({int(p) for p in f["periods_since"]})
    z = [[None] * len(cols) for _ in rows]
    for r in f.itertuples():
        z[rows.index(str(r.cohort))][cols.index(int(r.periods_since))] = clean(r.share_active)
    return [{"data": [{"type": "heatmap", "z": z, "x": cols, "y": rows, "colorscale": _GREENS, "zmin": 0, "zmax": 1,
                       "texttemplate": "%{z:.0%}", "hoverongaps": False}],
             "layout": _layout(d, t.t("ch_cohorts"), xaxis={"title": {"text": t.col("periods_since")}, "dtick": 1},
                               yaxis={"title": {"text": t.col("cohort")}, "type": "category",
                                      "autorange": "reversed"})}]


def goals(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("goals")
    if not {"goal", "progress"} <= set(f.columns) or f.empty:
        return []
    colours = [_C[1] if (clean(p) or 0) >= 1 else _C[2] for p in f["progress"]]
    fig = _bars(d, t.t("ch_goals"), _list(f["goal"]), {t.col("progress"): f["progress"]}, horizontal=True,
                showlegend=False)
    fig["data"][0]["marker"]["color"] = colours
    fig["layout"]["shapes"] = [{"type": "line", "x0": 1, "x1": 1, "y0": 0, "y1": 1, "yref": "paper",
                                "line": {"color": "#333", "dash": "dash"}}]
    return [fig]


def funnel(d: RunData) -> list[Fig]:
    """Leads → quotes → won per channel for the latest period, stacked (the funnel as the data has it)."""
    t, f = d.texts, d.frame("funnel")
    stages = [c for c in ("leads", "quotes", "won") if c in f]
    if "channel" not in f or len(stages) < 2 or f.empty:
        return []
    title = t.t("ch_funnel")
    if "period" in f:
        periods = f["period"].astype(str)
        last = "all" if (periods == "all").any() else periods.max()
        f = f[periods == last]
        title = f"{title}: {t.value(last)}"
    if (f["channel"] == "all").any() and len(f) > 1:
        f = f[f["channel"] != "all"]  # the total row; the channels stacked show it
    labels = [t.col(c) for c in stages]
    data = [{"type": "funnel", "name": str(r["channel"]), "y": labels, "x": [clean(r[c]) for c in stages],
             "marker": {"color": _C[i % len(_C)]}, "textinfo": "value"} for i, r in enumerate(f.to_dict("records"))]
    return [{"data": data, "layout": _layout(d, title, funnelmode="stack", yaxis={"type": "category"})}]


def funnel_channels(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("funnel_channels")
    if not {"channel", "net_profit_per_customer"} <= set(f.columns):
        return []
    return [_bars(d, t.t("ch_channel_value"), _list(f["channel"]),
                  {t.col("net_profit_per_customer"): f["net_profit_per_customer"]}, kind="money", colours=[_C[1]],
                  showlegend=False)]


def projection(d: RunData) -> list[Fig]:
    t, f = d.texts, d.frame("projection")
    if not {"level", "customers_now", "customers_projected"} <= set(f.columns) or f.empty:
        return []
    if "dimension" in f:
        f = f[f["dimension"] == f["dimension"].iloc[0]]
    return [_bars(d, t.t("ch_projection"), [t.value(v) for v in f["level"]],
                  {t.col(c): f[c] for c in ("customers_now", "customers_projected")}, kind="num",
                  colours=[_C[4], _C[0]])]


FIGURES: dict[str, Callable[[RunData], list[Fig]]] = {
    "whale_curve": whale_curve, "pyramid": pyramid, "effort": effort, "loss_makers": loss_makers,
    "abc_matrix": abc_matrix, "value_matrix": value_matrix, "segment_policy": segment_policy,
    "top_group_profile": top_group_profile, "clusters": clusters, "at_risk": at_risk, "segments": segments,
    "account_manager_load": account_manager_load, "lead_channels": lead_channels, "churn_drivers": churn_drivers,
    "migration": migration, "retention": retention, "cohorts": cohorts, "goals": goals, "funnel": funnel,
    "funnel_channels": funnel_channels, "projection": projection,
}


def figures_for(d: RunData, table: str) -> list[Fig]:
    """The figures of one table (none when the table has no chart or lacks the columns)."""
    fn = FIGURES.get(table)
    return fn(d) if fn and table in d.run.tables else []
