"""Payment behaviour per customer from the invoices: how fast it pays, how often late, what lateness costs."""

from __future__ import annotations

import datetime as dt

import ibis

__all__ = ["payment_measures"]


def payment_measures(invoices: ibis.Table, as_of: dt.date, *, capital_rate: float = 0.0) -> ibis.Table:
    """Days to pay (plain and amount-weighted), share paid late, and the cost of capital of late payment.

    An invoice still open counts up to ``as_of``. Late days = days after the due date (0 when on time
    or without a due date). ``late_payment_cost = sum(days_late * amount) * capital_rate / 365``.
    """
    inv = invoices.filter(invoices.invoice_date <= ibis.literal(as_of))
    settled = inv.paid_date.fill_null(ibis.literal(as_of))
    days = settled.delta(inv.invoice_date, unit="day").cast("float64")
    late = ibis.greatest(settled.delta(inv.due_date, unit="day"), 0).fill_null(0).cast("float64")
    amount = inv.amount.cast("float64")
    paid = inv.paid_date.notnull()
    g = inv.mutate(_days=days, _late=late, _amount=amount, _paid=paid).group_by("customer_id")
    t = g.aggregate(
        invoices=inv.count(),
        days_to_pay=ibis._._days.mean(where=ibis._._paid),
        _wsum=(ibis._._days * ibis._._amount.abs()).sum(where=ibis._._paid),
        _wden=ibis._._amount.abs().sum(where=ibis._._paid),
        late_share=(ibis._._late > 0).mean(),
        days_late_amount=(ibis._._late * ibis._._amount.abs()).sum(),
        open_invoices=(~ibis._._paid).sum(),
    )
    return t.mutate(
        days_to_pay_weighted=ibis.ifelse(t._wden > 0, t._wsum / t._wden, ibis.null("float64")),
        late_payment_cost=t.days_late_amount * capital_rate / 365.0,
    ).drop("_wsum", "_wden")
