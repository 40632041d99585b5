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
    m = inv.mutate(_days=days, _late=late, _amount=amount.abs(), _paid=paid)
    t = m.group_by("customer_id").aggregate(
        invoices=m.count(),
        days_to_pay=m._days.mean(where=m._paid),
        _wsum=(m._days * m._amount).sum(where=m._paid),
        _wden=m._amount.sum(where=m._paid),
        late_share=(m._late > 0).mean(),
        days_late_amount=(m._late * m._amount).sum(),
        open_invoices=(~m._paid).sum(),
    )
    return t.mutate(
        days_to_pay_weighted=ibis.ifelse(t._wden > 0, t._wsum / t._wden, ibis.null("float64")),
        late_payment_cost=t.days_late_amount * capital_rate / 365.0,
    ).drop("_wsum", "_wden")
