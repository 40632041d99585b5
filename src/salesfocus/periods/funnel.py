"""The lead funnel: which leads are sales-related, which become quotes, which quotes become customers, per channel.

From the leads table, per channel (and per channel group such as online/offline when configured, and
``all``) and per period of the lead date (and ``all``):

- ``leads``; ``not_sales_related`` (stage ``not_sales_related``); the rest are the sales-related leads;
- ``quotes``: sales-related leads that were quoted: stage ``quote`` or ``won`` (a won lead counts as quoted
  unless the data says otherwise — the canonical leads table has no field that could), or a quote date;
  a ``lost`` lead without a quote date was lost before the quote;
- ``won``, ``lost``; ``lead_to_quote`` = quotes / sales-related leads, ``quote_to_won`` = won / quotes,
  ``lead_to_won`` = won / sales-related leads (open leads count in the denominators);
- ``median_days_to_quote`` (lead date → quote date) and ``median_days_to_won`` (lead date → closed date of a
  won lead), over the leads that have both dates; ``value_won``.

Missing stage dates and channels are counted (:func:`funnel_gaps`) and reported, never filled in; a lead
without a channel is under ``unknown``. :func:`channel_value` answers which channels bring customers who
later prove profitable: net profit and whether still active of the customers won per channel.
"""

from __future__ import annotations

import ibis

from salesfocus.errors import SchemaError
from salesfocus.measures import exact_sum
from salesfocus.periods._util import ratio
from salesfocus.periods.calendar import label_expr

__all__ = ["FUNNEL_COLUMNS", "UNKNOWN_CHANNEL", "funnel_table", "funnel_gaps", "channel_value", "prepare_leads"]

FUNNEL_COLUMNS = ("channel", "period", "leads", "not_sales_related", "quotes", "won", "lost", "lead_to_quote",
                  "quote_to_won", "lead_to_won", "median_days_to_quote", "median_days_to_won", "value_won")
UNKNOWN_CHANNEL = "unknown"
_NEED = ("lead_id", "lead_date", "stage")


def prepare_leads(leads: ibis.Table, kind: str, as_of) -> ibis.Table:
    """Leads up to ``as_of`` with normalised ``_stage``, ``_channel``, the ``_quoted`` flag and ``period``."""
    missing = sorted(set(_NEED) - set(leads.columns))
    if missing:
        raise SchemaError(f"the lead funnel needs the leads columns {', '.join(missing)}")
    cols = {c: (leads[c] if c in leads.columns else ibis.null(t)) for c, t in (
        ("channel", "string"), ("quote_date", "date"), ("closed_date", "date"), ("value", "float64"),
        ("customer_id", "string"))}
    t = leads.filter(leads.lead_date <= ibis.literal(as_of)).select("lead_id", "lead_date", "stage", **cols)
    stage = t.stage.lower().strip().replace(" ", "_").replace("-", "_")
    channel = t.channel.strip()
    channel = ibis.ifelse(channel.isnull() | (channel == ""), UNKNOWN_CHANNEL, channel)
    t = t.mutate(_stage=stage, _channel=channel)
    sales = t._stage != "not_sales_related"
    quoted = sales & (t._stage.isin(["quote", "won"]) | t.quote_date.notnull())
    return t.mutate(_quoted=quoted, _sales=sales, period=label_expr(t.lead_date, kind))


def funnel_table(leads: ibis.Table, channel_groups: dict[str, str] | None = None) -> ibis.Table:
    """The funnel per channel × period, per channel × ``all`` periods, and ``all`` channels (see module doc).

    ``leads`` comes from :func:`prepare_leads`. ``channel_groups`` maps a channel to a group (``online``,
    ``offline``); each group gets its own rows, named after the group.
    """
    t = leads
    views = [t.mutate(_c=t._channel, _p=t.period), t.mutate(_c=t._channel, _p=ibis.literal("all")),
             t.mutate(_c=ibis.literal("all"), _p=t.period), t.mutate(_c=ibis.literal("all"), _p=ibis.literal("all"))]
    if channel_groups:
        grp = ibis.cases(*[(t._channel == k, v) for k, v in channel_groups.items()], else_=ibis.null("string"))
        g = t.mutate(_g=grp).filter(ibis._._g.notnull())
        views += [g.mutate(_c=g._g, _p=g.period).drop("_g"), g.mutate(_c=g._g, _p=ibis.literal("all")).drop("_g")]
    u = ibis.union(*views)
    days_q = u.quote_date.delta(u.lead_date, unit="day")
    days_w = u.closed_date.delta(u.lead_date, unit="day")
    won = u._stage == "won"
    agg = u.group_by(["_c", "_p"]).aggregate(
        leads=u.count(), not_sales_related=(~u._sales).sum().cast("int64"), _sales=u._sales.sum().cast("int64"),
        quotes=u._quoted.sum().cast("int64"), won=won.sum().cast("int64"),
        lost=(u._stage == "lost").sum().cast("int64"),
        median_days_to_quote=days_q.median(where=u._quoted & u.quote_date.notnull()).cast("float64"),
        median_days_to_won=days_w.median(where=won & u.closed_date.notnull()).cast("float64"),
        value_won=exact_sum(u.value, where=won).fill_null(0.0),
    )
    # 'all' sorts last within its dimension
    return agg.order_by([agg._c == "all", agg._c, agg._p == "all", agg._p]).select(
        channel="_c", period="_p", leads="leads", not_sales_related="not_sales_related", quotes="quotes",
        won="won", lost="lost", lead_to_quote=ratio(agg.quotes, agg._sales), quote_to_won=ratio(agg.won, agg.quotes),
        lead_to_won=ratio(agg.won, agg._sales), median_days_to_quote="median_days_to_quote",
        median_days_to_won="median_days_to_won", value_won="value_won")


def funnel_gaps(leads: ibis.Table) -> ibis.Table:
    """One row of counts of what the leads do not say: channel, quote dates, closed dates, values of won deals."""
    t = leads
    return t.aggregate(
        leads=t.count(),
        no_channel=(t._channel == UNKNOWN_CHANNEL).sum().cast("int64"),
        quote_no_quote_date=(t._stage.isin(["quote", "won"]) & t.quote_date.isnull()).sum().cast("int64"),
        won_no_closed_date=((t._stage == "won") & t.closed_date.isnull()).sum().cast("int64"),
        lost_no_closed_date=((t._stage == "lost") & t.closed_date.isnull()).sum().cast("int64"),
        lost_before_quote=((t._stage == "lost") & t.quote_date.isnull()).sum().cast("int64"),
        won_no_value=((t._stage == "won") & t.value.isnull()).sum().cast("int64"),
        won_no_customer=((t._stage == "won") & t.customer_id.isnull()).sum().cast("int64"),
        unknown_stage=(~t._stage.isin(["lead", "not_sales_related", "quote", "won", "lost"])).sum().cast("int64"),
    )


def channel_value(leads: ibis.Table, customers: ibis.Table) -> ibis.Table:
    """Per channel, the customers won through it and how they turned out: revenue, net profit, still active.

    A customer counts for the channel of its first won lead (by closed date, then lead date). Columns:
    ``channel, won_customers, revenue, net_profit, net_profit_per_customer, profitable_customers,
    profitable_share, active_customers, active_share`` (``status`` active now by the customer rule).
    """
    w = leads.filter((leads._stage == "won") & leads.customer_id.notnull())
    w = w.mutate(_rank=ibis.row_number().over(ibis.window(
        group_by=w.customer_id, order_by=[w.closed_date.asc(nulls_first=False), w.lead_date, w.lead_id])))
    w = w.filter(w._rank == 0).select("customer_id", channel="_channel")
    # the money as it is (exact_sum adds decimals as decimals)
    cols = {c: (customers[c] if c in customers.columns else ibis.null("float64")) for c in ("revenue", "net_profit")}
    cols["status"] = customers.status.cast("string") if "status" in customers.columns else ibis.null("string")
    c = customers.select("customer_id", **cols)
    j = w.join(c, "customer_id")
    g = j.group_by("channel").aggregate(
        won_customers=j.count(), revenue=exact_sum(j.revenue), net_profit=exact_sum(j.net_profit),
        profitable_customers=(j.net_profit > 0).sum().cast("int64"),
        active_customers=(j.status == "active").sum().cast("int64"))
    return g.order_by([g.net_profit.desc(nulls_first=False), g.channel]).select(
        "channel", "won_customers", "revenue", "net_profit",
        net_profit_per_customer=ratio(g.net_profit, g.won_customers), profitable_customers="profitable_customers",
        profitable_share=ratio(g.profitable_customers, g.won_customers), active_customers="active_customers",
        active_share=ratio(g.active_customers, g.won_customers))
