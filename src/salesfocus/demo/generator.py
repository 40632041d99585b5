"""Deterministic demo data: a fictional Dutch/Flemish B2B wholesaler with planted truths.

``generate_demo`` writes the seven canonical tables (see :mod:`salesfocus.io.schemas`) as Parquet files plus
``truth.parquet`` (customer_id, planted_group). Everything is vectorised numpy; order lines are streamed to
Parquet chunk by chunk while only order-level arrays are kept in memory, so it scales to tens of millions of lines.

Determinism: every random draw comes from child generators of ``numpy.random.default_rng(seed)``. The
line-level draws use one dedicated stream per attribute and only ``Generator.random``, so the output does not
depend on ``chunk_lines`` either: any chunk size gives identical tables (only the Parquet row groups differ).

Planted groups (truth.parquet ``planted_group``):

* ``loss_maker`` (~8%): small customers with small orders (1-2 lines), a legacy discount that leaves a thin
  margin and a preference for low-margin bulk groups, many returns, calls, tickets and complaints, and payments
  30-120 days late. A few are "Friday-afternoon customers", visited about every other Friday. Each one is checked
  to end with a negative net profit under the default cost rates (a shortfall is topped up with complaints).
* ``growth`` (~6%): low revenue and low order frequency, list prices and high-margin groups, pays early, hardly
  any service cost (checked: positive net profit), NPS 9-10, large potential; order intensity rises over the years.
* ``top`` (~5%): large, frequent orders, good margin, NPS 8-10, innovation/network mostly True, profitable after
  their (many) visits; at least 80% are in Zorg or Bouw and at least 80% in Noord-Brabant or Antwerpen (the rest
  of the base is spread).
* ``churned`` (~10%): existing customers that ordered regularly (about every one to two months, at least
  8 orders a year before the overall scaling to the line target), fade, and stop 12-18 months before ``end``
  (status inactive or ex-customer): a silence of many of their own order gaps, which a repeat-purchase model
  can see (a customer that ordered twice a year and stopped a year ago cannot be told from a slow buyer);
  complaints cluster before they leave, and they return goods (22% of orders against 3%) and pay late (60% of
  invoices, 10-60 days) more than regular customers.
* ``regular``: the rest; heavy-tailed order frequency and volume by company size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from salesfocus.config import CostRates
from salesfocus.demo import _catalog as K
from salesfocus.io.schemas import SCHEMAS

__all__ = ["DemoData", "generate_demo", "arrow_schema", "PLANTED_GROUPS"]

PLANTED_GROUPS = K.GROUPS
_ARROW_TYPES = {
    "string": pa.string(),
    "decimal": pa.float64(),
    "integer": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}
_MONTH_FACTOR = np.array([0.90, 1.00, 1.12, 1.15, 1.10, 1.00, 0.70, 0.65, 1.10, 1.15, 1.10, 0.85])
_ACTIVITY_TYPES = ("delivery", "return", "visit", "call", "support_ticket", "complaint", "quote")
_DELIVERY, _RETURN, _VISIT, _CALL, _TICKET, _COMPLAINT, _QUOTE = range(7)


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a canonical table as the demo writes it (money as float64, dates as date32)."""
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.kind]) for c in SCHEMAS[table].columns])


@dataclass(frozen=True)
class DemoData:
    """Where a generated demo data set lives, plus a few counts."""

    out_dir: Path
    paths: dict[str, Path]
    truth_path: Path
    seed: int
    n_customers: int
    n_orders: int
    n_order_lines: int
    start: dt.date
    end: dt.date
    group_counts: dict[str, int] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------------------------
# calendar
# ------------------------------------------------------------------------------------------------------------------
class _Calendar:
    """Days ``0..D-1`` from ``start``; order weights (weekdays, seasonality, holidays) and a sampler."""

    def __init__(self, start: np.datetime64, end: np.datetime64) -> None:
        self.D = int((end - start).astype(np.int64)) + 1
        dates = start + np.arange(self.D)
        self.epoch0 = int(start.astype(np.int64))
        abs_days = dates.astype(np.int64)
        self.weekday = (abs_days + 3) % 7  # Monday = 0
        month = dates.astype("datetime64[M]").astype(np.int64) % 12
        dom = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
        self.year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        w = _MONTH_FACTOR[month].copy()
        w[(month == 11) & (dom >= 20)] = 0.35  # the week(s) around Christmas
        w[self.weekday >= 5] = 0.0
        w[((month == 11) & ((dom == 25) | (dom == 26))) | ((month == 0) & (dom == 1))] = 0.0
        if w.sum() == 0:  # a weekend-only period: fall back to every day
            w[:] = 1.0
        self.weight = w
        self.cdf = np.cumsum(w)
        self.cdf0 = np.concatenate(([0.0], self.cdf))
        # price index: about +4% a year from 2022 (same for price and cost, so margins do not drift)
        day2022 = int(np.datetime64("2022-01-01", "D").astype(np.int64))
        self.price_index = np.maximum(0.6, 1.0 + 0.04 * (abs_days - day2022) / 365.25)

    def sample(self, lo: np.ndarray, hi: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Weighted day in ``[lo, hi]`` at quantile ``v`` (0 gives the first working day from ``lo``)."""
        a = self.cdf0[lo]
        b = self.cdf0[hi + 1]
        d = np.searchsorted(self.cdf, a + v * (b - a), side="right")
        return np.clip(d, lo, hi)

    def dates(self, days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        arr = pa.array((np.asarray(days, dtype=np.int64) + self.epoch0).astype(np.int32), mask=mask)
        return arr.cast(pa.date32())


# ------------------------------------------------------------------------------------------------------------------
# small helpers
# ------------------------------------------------------------------------------------------------------------------
def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    s = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, s, "")


def _choice(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return np.minimum(np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right"), len(p) - 1)


def _choice_rows(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One draw per element from ``probs[rows[i]]`` (a row-stochastic matrix), vectorised."""
    probs = np.asarray(probs, dtype=np.float64)
    probs = probs / probs.sum(axis=1, keepdims=True)
    k = probs.shape[1]
    flat = (np.arange(probs.shape[0])[:, None] + np.cumsum(probs, axis=1)).ravel()
    flat.reshape(-1, k)[:, -1] = np.arange(1, probs.shape[0] + 1)
    idx = np.searchsorted(flat, rows + rng.random(rows.size), side="right") - rows * k
    return np.clip(idx, 0, k - 1)


def _flat_cdf(weights_per_block: list[np.ndarray]) -> np.ndarray:
    """Concatenated block cdfs where block ``i`` spans ``(i, i+1]``: ``searchsorted(flat, i + u)`` samples it."""
    parts = []
    for i, w in enumerate(weights_per_block):
        c = i + np.cumsum(w) / w.sum()
        c[-1] = i + 1
        parts.append(c)
    return np.concatenate(parts)


def _stoch_round(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    f = np.floor(x)
    return (f + (rng.random(x.size) < (x - f))).astype(np.int64)


def _str_table(values: tuple[str, ...]) -> pa.Array:
    return pa.array(list(values), pa.string())


def _write(table: pa.Table, path: Path, name: str) -> None:
    pq.write_table(table.cast(arrow_schema(name)), path, compression="snappy")


def _write_slices(path: Path, name: str, n: int, build, step: int = 2_000_000) -> None:
    """Write a table of ``n`` rows slice by slice; ``build(slice)`` returns that slice's columns."""
    schema = arrow_schema(name)
    with pq.ParquetWriter(path, schema, compression="snappy") as writer:
        for s in range(0, n, step):
            writer.write_table(pa.table(build(slice(s, min(n, s + step))), schema=schema))
        if n == 0:
            writer.write_table(schema.empty_table())


# ------------------------------------------------------------------------------------------------------------------
# company names and e-mail addresses
# ------------------------------------------------------------------------------------------------------------------
def _pick_nested_idx(rng: np.random.Generator, lists: tuple[tuple[str, ...], ...], key: np.ndarray):
    """Index into the flattened word list: a uniform word from ``lists[key[i]]`` per element."""
    flat = pa.array([w for lst in lists for w in lst], pa.string())
    lens = np.array([len(lst) for lst in lists])
    offs = np.concatenate(([0], np.cumsum(lens)[:-1]))
    return flat, offs[key] + np.floor(rng.random(key.size) * lens[key]).astype(np.int64)


def _pick_nested(rng: np.random.Generator, lists: tuple[tuple[str, ...], ...], key: np.ndarray) -> pa.Array:
    flat, idx = _pick_nested_idx(rng, lists, key)
    return flat.take(pa.array(idx))


def _words(words: tuple[str, ...], capital: bool = False, lead: str = "") -> pa.Array:
    return pa.array([lead + (w[0].upper() + w[1:] if capital and w else w) for w in words], pa.string())


def _company_names(
    rng: np.random.Generator, sector: np.ndarray, region: np.ndarray, country: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """Names like 'Bakkerij Jansen BV', 'Van Dijk Installatietechniek', 'Zorggroep Tilburg'; and web domains."""
    n = sector.size
    n_nl, n_be = len(K.SURNAMES_NL), len(K.SURNAMES_BE)
    is_be = country == 1
    surnames = K.SURNAMES_NL + K.SURNAMES_BE
    sur_i = np.where(is_be, n_nl + rng.integers(0, n_be, n), rng.integers(0, n_nl, n))
    sur2_i = np.where(is_be, n_nl + rng.integers(0, n_be, n), rng.integers(0, n_nl, n))
    sur = _words(surnames).take(pa.array(sur_i))
    sur_c = _words(surnames, capital=True).take(pa.array(sur_i))
    sur2_c = _words(surnames, capital=True).take(pa.array(sur2_i))
    prefix = _pick_nested(rng, K.SECTOR_PREFIX, sector)
    suffix = _pick_nested(rng, K.SECTOR_SUFFIX, sector)
    town = _pick_nested(rng, K.TOWNS, region)
    legal_words = K.LEGAL_NL + K.LEGAL_BE
    n_legal_nl, n_legal_be = len(K.LEGAL_NL), len(K.LEGAL_BE)
    legal_i = np.where(is_be, n_legal_nl + rng.integers(0, n_legal_be, n), rng.integers(0, n_legal_nl, n))
    legal = pa.array([(" " + w if w else "") for w in legal_words], pa.string()).take(pa.array(legal_i))
    empty = pa.scalar("", pa.string())
    join = pc.binary_join_element_wise
    p0 = join(prefix, " ", sur, legal, "")
    p1 = join(sur_c, " ", suffix, pc.if_else(pa.array(rng.random(n) < 0.4), legal, empty), "")
    p2 = join(prefix, " ", town, "")
    p3 = pc.if_else(pa.array(rng.random(n) < 0.3), join(sur_c, " & Zonen", ""), join(sur_c, " & ", sur2_c, legal, ""))
    pat = _choice(rng, [0.34, 0.30, 0.20, 0.16], n)
    pat = np.where(sector == K.OVERHEID, 2, pat)
    pat = np.where((sector == K.ONDERWIJS) & (rng.random(n) < 0.6), 2, pat)
    names = pc.choose(pa.array(pat, pa.int8()), p0, p1, p2, p3)
    slug = pc.utf8_lower(names)
    slug = pc.replace_substring_regex(slug, r" (holding bv|bv|b\.v\.|nv|vof|bvba|commv)$", "")
    slug = pc.replace_substring_regex(pc.utf8_normalize(slug, "NFKD"), r"[^a-z0-9]", "")
    tld = pa.array([".nl", ".be"], pa.string()).take(pa.array(is_be.astype(np.int8)))
    return names, join(slug, tld, "")


def _sizes(rng: np.random.Generator, probs_by_group: np.ndarray, grp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    size = _choice_rows(rng, probs_by_group, grp)
    lo, hi = K.SIZE_LO[size], K.SIZE_HI[size] + 1
    emp = np.floor(np.exp(np.log(lo) + rng.random(grp.size) * (np.log(hi) - np.log(lo)))).astype(np.int64)
    return size, np.clip(emp, K.SIZE_LO[size], K.SIZE_HI[size])


# ------------------------------------------------------------------------------------------------------------------
# customers
# ------------------------------------------------------------------------------------------------------------------
def _plant_groups(rng: np.random.Generator, C: int) -> np.ndarray:
    counts = {g: int(round(share * C)) for g, share in K.GROUP_SHARE.items()}
    if C >= 20:
        counts = {g: max(1, c) for g, c in counts.items()}
    grp = np.zeros(C, dtype=np.int64)
    pos = 0
    for g in (K.LOSS, K.GROWTH, K.TOP, K.CHURNED):
        grp[pos : pos + counts[g]] = g
        pos += counts[g]
    return rng.permutation(grp)


def _customers(rng: np.random.Generator, C: int, cal: _Calendar) -> dict[str, np.ndarray]:
    D = cal.D
    grp = _plant_groups(rng, C)
    # acquisition: most customers existed before the period; new ones are won during it
    p_existing = np.array([0.85, 0.75, 0.90, 0.92, 1.00])[grp]
    existing = rng.random(C) < p_existing
    back = -np.round(np.exp(np.log(30) + rng.random(C) * (np.log(9000) - np.log(30)))).astype(np.int64)
    new_span = np.array([D - 30, D - 30, D // 4, D // 3, 1])[grp]
    new_day = np.floor(rng.random(C) * np.maximum(new_span, 1)).astype(np.int64)
    acq = np.where(existing, back, np.clip(new_day, 0, max(D - 8, 0)))
    perm = np.argsort(acq, kind="stable")  # customer numbers grow with the acquisition date, like an ERP
    grp, acq = grp[perm], acq[perm]

    is_top = grp == K.TOP
    sector = _choice(rng, K.SECTOR_WEIGHTS, C)
    region = _choice(rng, K.REGION_WEIGHTS, C)
    top_idx = np.flatnonzero(is_top)
    k_top = int(np.ceil(0.8 * top_idx.size))
    s_pick = rng.permutation(top_idx)[:k_top]
    sector[s_pick] = np.array(K.TOP_SECTORS)[rng.integers(0, 2, s_pick.size)]
    r_pick = rng.permutation(top_idx)[:k_top]
    region[r_pick] = np.array(K.TOP_REGIONS)[rng.integers(0, 2, r_pick.size)]
    country = K.REGION_COUNTRY[region]

    size_p = np.array(
        [
            [0.42, 0.36, 0.16, 0.06],  # regular
            [0.70, 0.30, 0.00, 0.00],  # loss maker
            [0.08, 0.55, 0.32, 0.05],  # growth
            [0.00, 0.05, 0.45, 0.50],  # top
            [0.40, 0.38, 0.16, 0.06],  # churned
        ]
    )
    size, employees = _sizes(rng, size_p, grp)

    # Friday-afternoon customers: a few loss makers that the account manager visits about every other Friday
    loss_idx = np.flatnonzero(grp == K.LOSS)
    n_fa = min(loss_idx.size, max(1, int(round(0.12 * loss_idx.size)))) if loss_idx.size else 0
    fa = np.zeros(C, dtype=bool)
    fa[rng.permutation(loss_idx)[:n_fa]] = True

    # sales channel
    p_field = np.array([0.10, 0.30, 0.60, 0.85])[size]
    p_field = np.select(
        [grp == K.TOP, grp == K.LOSS, grp == K.GROWTH], [np.full(C, 0.95), np.zeros(C), np.full(C, 0.10)], p_field
    )
    p_inside_rest = np.where(grp == K.GROWTH, 0.55, np.where(grp == K.LOSS, 0.5, 0.6))
    u = rng.random(C)
    channel = np.where(u < p_field, K.FIELD, np.where(u < p_field + (1 - p_field) * p_inside_rest, K.INSIDE, K.WEBSHOP))
    channel[fa] = K.FIELD

    # account manager by country (4 Dutch, 2 Flemish)
    am = np.where(
        country == 1,
        len(K.ACCOUNT_MANAGERS_NL) + _choice(rng, [0.55, 0.45], C),
        _choice(rng, [0.30, 0.27, 0.23, 0.20], C),
    )
    terms_p = np.array(
        [[0.25, 0.60, 0.15], [0.10, 0.80, 0.10], [0.50, 0.45, 0.05], [0.05, 0.55, 0.40], [0.25, 0.60, 0.15]]
    )
    terms = np.array([14, 30, 60])[_choice_rows(rng, terms_p, grp)]

    # order window [a, b] (days from start): churned customers stop 12-18 months before the end
    a = np.maximum(acq, 0)
    gap = 366 + np.floor(rng.random(C) * 183).astype(np.int64)
    gap = np.minimum(gap, max((D - 1) // 2, 1))
    b = np.where(grp == K.CHURNED, D - 1 - gap, D - 1)
    a = np.minimum(a, np.maximum(b - 7, 0))
    years = (b - a + 1) / 365.25

    # order frequency per year (heavy tailed by size), lines per order, price level, order volume
    size_f = np.array([0.6, 1.0, 1.6, 2.5])[size]
    par = rng.pareto(1.6, C) + 1.0
    rate = np.select(
        [grp == K.TOP, grp == K.LOSS, grp == K.GROWTH, grp == K.CHURNED],
        [
            np.maximum(10.0, rng.gamma(4.0, 3.0, C)),
            4.0 + 4.0 * rng.random(C),
            0.9 + 0.7 * rng.random(C),
            np.clip(4.0 * par * size_f, 8.0, 40.0),  # churned: regular buyers (every 1-2 months) until they stop
        ],
        np.minimum(0.9 * par * size_f, 150.0),
    )
    lam = np.array([4.0, 0.7, 5.0, 7.0, 4.0])[grp]
    u = rng.random(C)
    disc = np.select(
        [grp == K.TOP, grp == K.LOSS, grp == K.GROWTH],
        [0.04 + 0.06 * u, 0.15 + 0.06 * u, -0.04 + 0.06 * u],
        0.10 * u,
    )
    qscale = np.array([1.0, 1.5, 2.4, 3.6])[size] * np.array([1.0, 0.45, 0.55, 1.2, 1.0])[grp]
    qscale = np.where(grp == K.GROWTH, 0.8, qscale)  # growth customers buy only a small part of their needs here
    qscale *= np.exp(0.25 * rng.standard_normal(C))
    ret_p = np.array([0.03, 0.30, 0.01, 0.02, 0.22])[grp]  # churned: returns drive them away
    profile = np.where(grp == K.LOSS, K.LOSS_ROW, np.where(grp == K.GROWTH, K.GROWTH_ROW, -1))
    access = rng.random((C, 3)) < K.NICHE_ACCESS[sector]
    access[:, 2] |= is_top & (rng.random(C) < 0.6)
    access[grp == K.LOSS] = False
    return dict(
        grp=grp,
        acq=acq,
        sector=sector,
        region=region,
        country=country,
        size=size,
        employees=employees,
        fa=fa,
        channel=channel,
        am=am,
        terms=terms,
        a=a,
        b=b,
        years=years,
        rate=rate,
        lam=lam,
        disc=disc,
        qscale=qscale,
        ret_p=ret_p,
        profile=profile,
        access=access,
    )


# ------------------------------------------------------------------------------------------------------------------
# orders (order-level arrays only)
# ------------------------------------------------------------------------------------------------------------------
def _orders(rng: np.random.Generator, cu: dict[str, np.ndarray], cal: _Calendar, target_lines: float) -> dict:
    grp, a, b, C = cu["grp"], cu["a"], cu["b"], cu["grp"].size
    expected = cu["rate"] * cu["years"]
    s = target_lines / max(float((expected * (1.0 + cu["lam"])).sum()), 1e-9)
    n_orders = np.maximum(1, _stoch_round(rng, expected * s))
    n_o = int(n_orders.sum())
    o_cust = np.repeat(np.arange(C, dtype=np.int64), n_orders)
    first = np.concatenate(([0], np.cumsum(n_orders)[:-1]))
    last = first + n_orders - 1
    g = grp[o_cust]
    v = rng.random(n_o)
    mix = rng.random(n_o)
    v = np.where((g == K.GROWTH) & (mix < 0.6), np.sqrt(v), v)  # growth: intensity rises over the years
    v = np.where((g == K.CHURNED) & (mix < 0.5), 1.0 - np.sqrt(1.0 - v), v)  # churned: intensity fades
    new = cu["acq"] >= 0
    v[first[new]] = 0.0  # a new customer's first order is on (the first working day of) its acquisition
    lo = a[o_cust].copy()
    hi = b[o_cust]
    recent = (grp != K.CHURNED) & (n_orders >= 2) & (rng.random(C) < 0.5)  # most ongoing customers stay active
    lo[last[recent]] = np.maximum(a[recent], b[recent] - 365)
    gone = (grp == K.CHURNED) & (n_orders >= 2)  # churned: the last order shortly before they stopped
    lo[last[gone]] = np.maximum(a[gone], b[gone] - 60)
    hi = hi.copy()
    hi[first[gone]] = np.minimum(b[gone], a[gone] + 90)  # ... and they were ordering from the start
    o_day = cal.sample(lo, hi, v)
    del lo, hi, v, mix
    first_day = np.minimum.reduceat(o_day, first)
    last_day = np.maximum.reduceat(o_day, first)
    o_lines = 1 + rng.poisson(cu["lam"][o_cust])
    ret = rng.random(n_o) < cu["ret_p"][o_cust]
    extra = (g == K.LOSS) & (o_lines >= 3) & (rng.random(n_o) < 0.3)
    o_nret = ret.astype(np.int64) * (1 + extra)
    order = np.argsort(o_day, kind="stable")  # ERP export order: by date
    return dict(
        n_orders=n_orders,
        first_day=first_day,
        last_day=last_day,
        cust=o_cust[order].astype(np.int32),
        day=o_day[order].astype(np.int32),
        lines=o_lines[order].astype(np.int32),
        nret=o_nret[order].astype(np.int32),
    )


# ------------------------------------------------------------------------------------------------------------------
# products
# ------------------------------------------------------------------------------------------------------------------
def _products(rng: np.random.Generator) -> dict:
    G = K.N_PRODUCT_GROUPS
    share = np.array([g[1] for g in K.PRODUCT_GROUPS])
    counts = np.maximum(5, np.round(share / share.sum() * K.N_PRODUCTS)).astype(np.int64)
    P = int(counts.sum())
    gstart = np.concatenate(([0], np.cumsum(counts)[:-1]))
    pgroup = np.repeat(np.arange(G), counts)
    lo = np.array([g[2] for g in K.PRODUCT_GROUPS])[pgroup]
    hi = np.array([g[3] for g in K.PRODUCT_GROUPS])[pgroup]
    price = np.exp(np.log(lo) + rng.beta(1.6, 2.4, P) * (np.log(hi) - np.log(lo)))
    price = np.where(price > 20, np.floor(price) + 0.95, np.round(price, 2))  # shelf prices like 49.95
    cr = np.clip(np.array([g[4] for g in K.PRODUCT_GROUPS])[pgroup] + 0.04 * rng.standard_normal(P), 0.25, 0.95)
    blocks = []
    for gi in range(G):  # 15 groups: Zipf popularity within the group
        pop = 1.0 / np.arange(1, counts[gi] + 1) ** 1.1
        blocks.append(rng.permutation(pop))
    return dict(
        P=P,
        group=pgroup,
        gstart=gstart,
        gend=gstart + counts,
        price=price,
        cr=cr,
        flat=_flat_cdf(blocks),
        qmean=np.array([g[5] for g in K.PRODUCT_GROUPS]),
        ids=_ids("A", 100001 + np.arange(P), 6),
        group_names=_str_table(tuple(g[0] for g in K.PRODUCT_GROUPS)),
    )


# ------------------------------------------------------------------------------------------------------------------
# order lines, streamed
# ------------------------------------------------------------------------------------------------------------------
def _stream_lines(
    streams: list[np.random.Generator],
    path: Path,
    cu: dict,
    od: dict,
    pr: dict,
    cal: _Calendar,
    cust_ids: pa.Array,
    order_ids: pa.Array,
    chunk_lines: int,
) -> dict:
    s_row, s_grp, s_prod, s_qty, s_price, s_cost = streams
    C = cu["grp"].size
    G = K.N_PRODUCT_GROUPS
    aff = K.affinity_matrix()
    aff_flat = _flat_cdf(list(aff))
    nonniche = aff.copy()
    nonniche[:, list(K.NICHE_GROUPS)] = -1
    fallback = nonniche.argmax(axis=1)
    access_flat = cu["access"].ravel()
    sector, profile, disc, qscale = cu["sector"], cu["profile"], cu["disc"], cu["qscale"]
    o_cust, o_day, o_lines, o_nret = od["cust"], od["day"], od["lines"], od["nret"]
    n_o = o_cust.size
    cum = np.cumsum(o_lines, dtype=np.int64)
    unit_cost = pr["price"] * pr["cr"]
    o_rev = np.zeros(n_o)
    c_rev = np.zeros(C)
    c_cost = np.zeros(C)
    schema = arrow_schema("order_lines")
    writer = pq.ParquetWriter(path, schema, compression="snappy")
    o_start = 0
    written = 0
    chunk_lines = max(1, int(chunk_lines))
    try:
        while o_start < n_o:
            base = int(cum[o_start - 1]) if o_start else 0
            o_end = max(o_start + 1, int(np.searchsorted(cum, base + chunk_lines, side="right")))
            o_end = min(o_end, n_o)
            lc = o_lines[o_start:o_end]
            rep = np.repeat(np.arange(o_start, o_end, dtype=np.int64), lc)
            n = rep.size
            pos = np.arange(n, dtype=np.int64) - np.repeat(np.concatenate(([0], np.cumsum(lc)[:-1])), lc)
            cidx = o_cust[rep].astype(np.int64)
            neg = pos >= (o_lines[rep] - o_nret[rep])
            # product group: the customer's sector profile (loss/growth customers partly their own profile)
            prof = profile[cidx]
            row = np.where((prof >= 0) & (s_row.random(n) < 0.6), prof, sector[cidx])
            grp_l = np.clip(np.searchsorted(aff_flat, row + s_grp.random(n), side="right") - row * G, 0, G - 1)
            niche = grp_l >= K.NICHE_GROUPS[0]
            no_access = niche & ~access_flat[cidx * 3 + np.clip(grp_l - K.NICHE_GROUPS[0], 0, 2)]
            grp_l = np.where(no_access, fallback[row], grp_l)
            prod = np.searchsorted(pr["flat"], grp_l + s_prod.random(n), side="right")
            prod = np.clip(prod, pr["gstart"][grp_l], pr["gend"][grp_l] - 1)
            # quantity: geometric with a group- and customer-specific mean
            m = np.maximum(pr["qmean"][grp_l] * qscale[cidx], 1.0)
            p = np.minimum(1.0 / m, 0.999999)
            uq = 1.0 - s_qty.random(n)
            qty = np.where(m <= 1.0, 1.0, 1.0 + np.floor(np.log(uq) / np.log1p(-p)))
            day = o_day[rep]
            idx = cal.price_index[day]
            unit = pr["price"][prod] * idx * (1.0 - disc[cidx]) * (0.98 + 0.04 * s_price.random(n))
            ucost = unit_cost[prod] * idx * (0.985 + 0.03 * s_cost.random(n))
            sign = np.where(neg, -1.0, 1.0)
            qty = sign * qty
            revenue = np.round(qty * unit, 2)
            cost = np.round(qty * ucost, 2)
            o_rev[o_start:o_end] = np.bincount(rep - o_start, weights=revenue, minlength=o_end - o_start)
            c_rev += np.bincount(cidx, weights=revenue, minlength=C)
            c_cost += np.bincount(cidx, weights=cost, minlength=C)
            tbl = pa.table(
                {
                    "customer_id": cust_ids.take(pa.array(cidx)),
                    "order_id": order_ids.take(pa.array(rep)),
                    "order_date": cal.dates(day),
                    "product_id": pr["ids"].take(pa.array(prod)),
                    "product_group": pr["group_names"].take(pa.array(grp_l)),
                    "quantity": pa.array(qty),
                    "revenue": pa.array(revenue),
                    "cost": pa.array(cost),
                },
                schema=schema,
            )
            writer.write_table(tbl, row_group_size=min(n, 500_000))
            written += n
            o_start = o_end
    finally:
        writer.close()
    return dict(o_rev=np.round(o_rev, 2), c_rev=c_rev, c_cost=c_cost, n_lines=written)


# ------------------------------------------------------------------------------------------------------------------
# invoices
# ------------------------------------------------------------------------------------------------------------------
def _invoices(rng: np.random.Generator, cu: dict, od: dict, amount: np.ndarray, cal: _Calendar) -> dict:
    C, n_o, D = cu["grp"].size, od["cust"].size, cal.D
    grp = cu["grp"]
    # payer type per customer: (p_late, late_lo, late_hi, early_lo, early_hi) in days relative to the due date
    payer = _choice(rng, [0.75, 0.20, 0.05], C)
    reg = np.array([[0.05, 1, 10], [0.35, 3, 35], [0.70, 10, 60]])[payer]
    table = np.array([[0, 0, 0], [0.92, 30, 120], [0.02, 1, 5], [0.08, 1, 15], [0.60, 10, 60]], dtype=np.float64)
    par = np.where((grp == K.REGULAR)[:, None], reg, table[grp])
    early_lo = np.where(grp == K.GROWTH, -14, -10)
    early_hi = np.where(grp == K.GROWTH, -5, 0)
    c = od["cust"].astype(np.int64)
    inv_day = od["day"].astype(np.int64)
    due = inv_day + cu["terms"][c]
    u1, u2 = rng.random(n_o), rng.random(n_o)
    late = u1 < par[c, 0]
    delay = np.where(
        late,
        par[c, 1] + np.floor(u2 * (par[c, 2] - par[c, 1] + 1)),
        early_lo[c] + np.floor(u2 * (early_hi[c] - early_lo[c] + 1)),
    ).astype(np.int64)
    paid = np.maximum(due + delay, inv_day)
    paid = np.where(amount < 0, inv_day, paid)  # credit notes are settled at once
    open_ = paid > D - 1
    days_late = np.where(open_, D - 1 - due, paid - due)
    late_years = np.maximum(amount, 0) * np.maximum(days_late, 0) / 365.0  # amount x years late
    year = cal.year[inv_day]
    first_of_year = np.searchsorted(year, year, side="left")  # invoices are in date order
    seq = np.arange(n_o) - first_of_year + 1
    width = max(6, len(str(int(seq.max())))) if n_o else 6
    return dict(
        year=year,
        seq=seq,
        width=width,
        inv_day=inv_day,
        due=due,
        paid=paid,
        open=open_,
        late_amount_years=np.bincount(c, weights=late_years, minlength=C),
    )


def _invoice_ids(inv: dict, sl: slice) -> pa.Array:
    """Invoice numbers like F2024-000123 (numbered per year)."""
    year = pc.cast(pa.array(inv["year"][sl]), pa.string())
    return pc.binary_join_element_wise("F", year, _ids("-", inv["seq"][sl], inv["width"]), "")


# ------------------------------------------------------------------------------------------------------------------
# activities
# ------------------------------------------------------------------------------------------------------------------
def _activity_counts(rng: np.random.Generator, cu: dict, od: dict, lines: dict, inv: dict) -> dict:
    grp, C = cu["grp"], cu["grp"].size
    b_act = np.where(grp == K.CHURNED, od["last_day"], cu["b"])
    years = (b_act - cu["a"] + 1) / 365.25
    mult = rng.gamma(3.0, 1.0 / 3.0, C)
    mult = np.where(grp == K.TOP, np.clip(mult, 0.6, 1.4), mult)
    visit_by_channel = np.where(
        cu["channel"] == K.FIELD,
        np.array([0.3, 0.6, 1.5, 3.0])[cu["size"]],
        np.where(cu["channel"] == K.INSIDE, 0.1, 0.02),
    )
    #               visit  call  ticket complaint quote
    rates = np.array(
        [
            [np.nan, 1.5, 0.3, 0.10, 0.3],  # regular (visits by channel)
            [0.3, 12.0, 5.0, 2.5, 0.5],  # loss maker
            [0.05, 0.5, 0.1, 0.02, 0.3],  # growth
            [6.0, 8.0, 2.0, 0.4, 3.0],  # top (visits scaled by order frequency below)
            [np.nan, 3.0, 1.5, 1.5, 0.5],  # churned
        ]
    )[grp]
    rates[:, 0] = np.where(np.isnan(rates[:, 0]), visit_by_channel, rates[:, 0])
    rates[:, 0] *= np.where(grp == K.TOP, np.clip(cu["rate"] / 14.0, 0.5, 1.3), 1.0)
    lam = rates * (years * mult)[:, None]
    lam[cu["fa"], 0] = 24.0 * years[cu["fa"]]  # Friday-afternoon customers: every other Friday
    counts = rng.poisson(lam).astype(np.int64)
    n_ret_orders = np.bincount(od["cust"], weights=(od["nret"] > 0), minlength=C).astype(np.int64)
    split = rng.random(od["cust"].size) < 0.08

    # Guarantees under the default cost rates, with net profit = gross margin - cost-to-serve:
    # * every loss maker loses money, counting one delivery per order (the lower of the two delivery counts);
    #   a shortfall is topped up with complaints;
    # * growth customers are cheap to serve: one that would not clearly profit gets no service contacts;
    # * top customers are worth their visits: fewer visits where they would eat over 90% of the margin.
    r = CostRates()
    n_ord = np.bincount(od["cust"], minlength=C).astype(np.float64)
    n_lines = np.bincount(od["cust"], weights=od["lines"], minlength=C)
    cts = (
        (r.per_order + r.per_delivery + r.per_invoice) * n_ord
        + r.per_order_line * n_lines
        + r.per_visit * counts[:, 0]
        + r.per_call * counts[:, 1]
        + r.per_support_ticket * counts[:, 2]
        + r.per_complaint * counts[:, 3]
        + r.per_quote * counts[:, 4]
        + r.per_return * n_ret_orders
        + r.capital_rate * inv["late_amount_years"]
    )
    margin = lines["c_rev"] - lines["c_cost"]
    profit = margin - cts
    short = (grp == K.LOSS) & (profit > -50.0)
    counts[short, 3] += np.ceil((profit[short] + 50.0) / max(r.per_complaint, 1.0)).astype(np.int64) + 1
    profit_hi = profit - r.per_delivery * np.bincount(od["cust"], weights=split, minlength=C)  # split deliveries
    thin = (grp == K.GROWTH) & (profit_hi < 50.0)
    counts[thin] = 0
    over = (grp == K.TOP) & (profit_hi < 0.1 * margin)
    allowed = np.floor((profit_hi + r.per_visit * counts[:, 0] - 0.1 * margin) / max(r.per_visit, 1.0))
    counts[over, 0] = np.clip(allowed[over], 0, None).astype(np.int64)
    return dict(
        counts=counts,
        b_act=b_act,
        n_ret_orders=n_ret_orders,
        split=split,
        topped_up=int(short.sum()),
        trimmed=int(thin.sum() + over.sum()),
    )


def _workday_fwd(cal: _Calendar, d: np.ndarray) -> np.ndarray:
    """Move weekend days to the next Monday, never past the last day."""
    d = np.minimum(d, cal.D - 1)
    wd = cal.weekday[d]
    return np.minimum(np.where(wd >= 5, d + 7 - wd, d), cal.D - 1)


def _workday_back(cal: _Calendar, d: np.ndarray) -> np.ndarray:
    """Move weekend days to the previous Friday, never before day 0."""
    d = np.maximum(d, 0)
    wd = cal.weekday[d]
    back = np.where(wd >= 5, d - (wd - 4), d)
    return np.where(back < 0, np.minimum(d + 7 - wd, cal.D - 1), back)


def _activities(rng: np.random.Generator, cu: dict, od: dict, ac: dict, cal: _Calendar) -> tuple[np.ndarray, ...]:
    D = cal.D
    grp, a, b_act, counts = cu["grp"], cu["a"], ac["b_act"], ac["counts"]
    parts_c, parts_d, parts_t, parts_h = [], [], [], []

    # deliveries: the next working day, some orders in two deliveries
    o_c = od["cust"].astype(np.int64)
    o_d = od["day"].astype(np.int64)
    wd = cal.weekday[o_d]
    nxt = o_d + np.where(wd == 4, 3, np.where(wd == 5, 2, 1))
    deliv = np.where(nxt > D - 1, o_d, nxt)
    sp = ac["split"]
    second = _workday_fwd(cal, deliv[sp] + 1 + np.floor(rng.random(int(sp.sum())) * 4).astype(np.int64))
    parts_c += [o_c, o_c[sp]]
    parts_d += [deliv, second]
    parts_t += [np.full(o_c.size + int(sp.sum()), _DELIVERY)]
    # returns: goods come back a few days before the credit line on the order
    r = od["nret"] > 0
    rc = o_c[r]
    rd = np.maximum(_workday_back(cal, o_d[r] - np.floor(rng.random(rc.size) * 6).astype(np.int64)), a[rc])
    parts_c.append(rc)
    parts_d.append(rd)
    parts_t.append(np.full(rc.size, _RETURN))
    n_fixed = sum(x.size for x in parts_c)

    # visits, calls, tickets, complaints, quotes spread over the customer's active window
    for col, typ in enumerate((_VISIT, _CALL, _TICKET, _COMPLAINT, _QUOTE)):
        c = np.repeat(np.arange(grp.size, dtype=np.int64), counts[:, col])
        v = rng.random(c.size)
        if typ in (_TICKET, _COMPLAINT):  # churned customers complain more just before they leave
            v = np.where(grp[c] == K.CHURNED, np.sqrt(v), v)
        d = cal.sample(a[c], b_act[c], v)
        if typ == _VISIT:
            fa = cu["fa"][c]
            fri = d - (cal.weekday[d] - 4) % 7
            fri = np.where(fri < a[c], fri + 7, fri)
            d = np.where(fa & (fri <= b_act[c]), fri, d)
            h = np.array([0.5, 1.0, 1.5, 2.0, 3.0])[_choice(rng, [0.10, 0.35, 0.25, 0.20, 0.10], c.size)]
            h = np.where(fa, np.array([1.5, 2.0, 2.5, 3.0])[rng.integers(0, 4, c.size)], h)
            parts_h.append(h)
        parts_c.append(c)
        parts_d.append(d)
        parts_t.append(np.full(c.size, typ))
    cust = np.concatenate(parts_c).astype(np.int32)
    day = np.concatenate(parts_d).astype(np.int32)
    typ = np.concatenate(parts_t).astype(np.int8)
    del parts_c, parts_d, parts_t
    hours = np.full(cust.size, np.nan, dtype=np.float32)
    n_visit = int(counts[:, 0].sum())
    hours[n_fixed : n_fixed + n_visit] = parts_h[0]
    order = np.argsort(day.astype(np.int64) * 8 + typ, kind="stable")  # by date, then type
    return cust[order], day[order], typ[order], hours[order]


# ------------------------------------------------------------------------------------------------------------------
# assessments
# ------------------------------------------------------------------------------------------------------------------
def _assessments(rng: np.random.Generator, cu: dict, od: dict, lines: dict, cal: _Calendar) -> dict:
    grp, C, D = cu["grp"], cu["grp"].size, cal.D
    must = (grp == K.TOP) | (grp == K.GROWTH)
    k_total = int(round(0.40 * C))
    k_rest = max(0, k_total - int(must.sum()))
    w = np.sqrt(np.maximum(lines["c_rev"], 0) + 100.0)  # account managers assess their larger accounts first
    key = -np.log(1.0 - rng.random(C)) / w
    key[must] = -1.0
    chosen = np.sort(np.argsort(key, kind="stable")[: int(must.sum()) + k_rest])
    end_act = np.where(grp[chosen] == K.CHURNED, od["last_day"][chosen], D - 1)
    lo = np.maximum(cu["a"][chosen], end_act - 730)
    d_latest = cal.sample(np.minimum(lo, end_act), end_act, rng.random(chosen.size))
    # a second, older assessment (half a year to 1.5 years earlier) for some of them
    back = 180 + np.floor(rng.random(chosen.size) * 360).astype(np.int64)
    again = (rng.random(chosen.size) < 0.15) & (d_latest - back >= cu["a"][chosen])
    c = np.concatenate((chosen, chosen[again]))
    day = np.concatenate((d_latest, _workday_back(cal, (d_latest - back)[again])))
    latest = np.concatenate((np.ones(chosen.size, bool), np.zeros(int(again.sum()), bool)))
    n = c.size
    g = grp[c]
    years = np.maximum((cu["b"] - cu["a"] + 1) / 365.25, 0.25)
    annual = np.maximum(lines["c_rev"] / years, 0.0)[c]
    u = rng.random(n)
    pot = np.select(
        [g == K.TOP, g == K.GROWTH, g == K.LOSS, g == K.CHURNED],
        [annual * (0.2 + 0.4 * u), np.maximum(annual, 3000.0) * (2.0 + 3.0 * u), annual * 0.3 * u, annual * 0.5 * u],
        annual * np.exp(-1.0 + 0.8 * rng.standard_normal(n)),
    )
    pot = np.maximum(np.round(pot / 500.0) * 500.0, 0.0)

    def bern(p_by_group: list[float]) -> np.ndarray:
        return rng.random(n) < np.array(p_by_group)[g]

    innovation = bern([0.30, 0.10, 0.60, 0.90, 0.20])
    network = bern([0.20, 0.10, 0.35, 0.85, 0.15])
    manual = rng.random(n) < 0.06
    margin_ans = np.where(g == K.LOSS, False, np.where((g == K.TOP) | (g == K.GROWTH), True, rng.random(n) < 0.7))
    speed_ans = np.where(g == K.LOSS, False, np.where(g == K.GROWTH, True, rng.random(n) < 0.7))
    manual2 = rng.random(n) < 0.05

    def score(lo_by_group: list[int]) -> np.ndarray:
        lo_ = np.array(lo_by_group)[g]
        return (lo_ + np.floor(rng.random(n) * (6 - lo_))).astype(np.float64)

    relevance = score([1, 1, 2, 3, 1])
    reputation = score([1, 1, 3, 4, 1])
    netsize = score([1, 1, 1, 3, 1])
    nps_p = np.zeros((5, 11))
    nps_p[K.REGULAR, 4:11] = [0.04, 0.08, 0.16, 0.26, 0.26, 0.13, 0.07]
    nps_p[K.LOSS, 2:8] = [0.10, 0.15, 0.20, 0.25, 0.20, 0.10]
    nps_p[K.GROWTH, 9:11] = [0.40, 0.60]
    nps_p[K.TOP, 8:11] = [0.25, 0.40, 0.35]
    nps_p[K.CHURNED, 2:8] = [0.10, 0.15, 0.25, 0.25, 0.15, 0.10]
    nps = _choice_rows(rng, nps_p, g)
    older = ~latest  # an older answer differs a little
    nps = np.where(older, np.clip(nps + rng.integers(-1, 2, n), 0, 10), nps)
    note_words, note_i = _pick_nested_idx(rng, K.NOTES, g)
    note_mask = rng.random(n) < 0.30
    order = np.lexsort((day, c))
    return dict(
        cust=c[order],
        day=day[order],
        pot=pot[order],
        margin_ok=margin_ans[order],
        margin_mask=~manual[order],
        speed_ok=speed_ans[order],
        speed_mask=~manual2[order],
        innovation=innovation[order],
        network=network[order],
        relevance=relevance[order],
        reputation=reputation[order],
        netsize=netsize[order],
        nps=nps[order],
        note=note_words.take(pa.array(note_i[order], mask=note_mask[order])),
    )


# ------------------------------------------------------------------------------------------------------------------
# prospects and leads
# ------------------------------------------------------------------------------------------------------------------
def _prospects(rng: np.random.Generator, cu: dict, od: dict, status: np.ndarray, cal: _Calendar, names: pa.Array):
    C, D = cu["grp"].size, cal.D
    P = int(round(0.6 * C))
    eligible = np.flatnonzero(status != 0)  # inactive or ex-customer: re-targeted as ex-customer prospects
    n_ex = min(int(round(0.10 * P)), eligible.size)
    ex_c = np.sort(rng.permutation(eligible)[:n_ex])
    n_new = P - n_ex
    look = rng.random(n_new) < 0.20  # a share looks like the top group: Zorg/Bouw in Noord-Brabant/Antwerpen
    sector = _choice(rng, K.SECTOR_WEIGHTS, n_new)
    region = _choice(rng, K.REGION_WEIGHTS, n_new)
    sector = np.where(look, np.array(K.TOP_SECTORS)[rng.integers(0, 2, n_new)], sector)
    region = np.where(look, np.array(K.TOP_REGIONS)[rng.integers(0, 2, n_new)], region)
    size, emp = _sizes(rng, np.array([[0.40, 0.35, 0.18, 0.07], [0.0, 0.10, 0.55, 0.35]]), look.astype(np.int64))
    country = K.REGION_COUNTRY[region]
    new_names, _ = _company_names(rng, sector, region, country)
    status_new = np.where(rng.random(n_new) < 0.55, 0, 1)  # suspect / prospect
    source = _choice(rng, K.PROSPECT_SOURCE_W, n_new)
    ident_new = cal.sample(np.zeros(n_new, np.int64), np.full(n_new, D - 1), rng.random(n_new))
    ident_ex = np.minimum(od["last_day"][ex_c] + 60 + np.floor(rng.random(n_ex) * 340).astype(np.int64), D - 1)

    all_sector = np.concatenate((sector, cu["sector"][ex_c]))
    all_region = np.concatenate((region, cu["region"][ex_c]))
    all_size = np.concatenate((size, cu["size"][ex_c]))
    all_emp = np.concatenate((emp, cu["employees"][ex_c]))
    all_status = np.concatenate((status_new, np.full(n_ex, 2)))
    all_source = np.concatenate((source, np.full(n_ex, -1)))
    all_ident = np.concatenate((ident_new, ident_ex))
    all_cust = np.concatenate((np.full(n_new, -1), ex_c))
    all_names = pa.concat_arrays([new_names, names.take(pa.array(ex_c, pa.int64()))])
    order = np.argsort(all_ident, kind="stable")
    return dict(
        P=P,
        sector=all_sector[order],
        region=all_region[order],
        size=all_size[order],
        emp=all_emp[order],
        status=all_status[order],
        source=all_source[order],
        ident=all_ident[order],
        cust=all_cust[order],
        names=all_names.take(pa.array(order)),
        look=np.concatenate((look, np.zeros(n_ex, bool)))[order],
    )


def _leads(rng: np.random.Generator, cu: dict, od: dict, pro: dict, cal: _Calendar) -> dict:
    D = cal.D
    # 1. won leads: customers acquired during the period
    new = np.flatnonzero((cu["acq"] >= 0) & (rng.random(cu["grp"].size) < 0.75))
    fd = od["first_day"][new]
    w_lead = fd - 10 - np.floor(rng.random(new.size) * 110).astype(np.int64)
    w_lead = np.where(w_lead < 0, np.floor(rng.random(new.size) * (fd + 1)), w_lead).astype(np.int64)
    w_lead = _workday_back(cal, w_lead)
    w_lead = np.minimum(w_lead, fd)
    w_quote = w_lead + np.floor(rng.random(new.size) * (fd - w_lead + 1)).astype(np.int64)
    w_ch = _choice(rng, K.WON_CHANNEL_W, new.size)
    # 2. leads of prospects (status 'prospect'), several stages
    pidx = np.flatnonzero(pro["status"] == 1)
    k = 1 + rng.poisson(0.4, pidx.size)
    pl = np.repeat(pidx, k)
    m = pl.size
    l_day = cal.sample(pro["ident"][pl], np.full(m, D - 1), rng.random(m))
    src = pro["source"][pl]
    ch = np.where(src == 6, 3, src)  # KvK-list prospects are cold-called
    ch = np.where((rng.random(m) < 0.3) | (ch < 0), _choice(rng, K.OPEN_CHANNEL_W, m), ch)
    p_quote = K.P_QUOTE[ch] * np.where(pro["look"][pl], 1.3, 1.0)
    q = rng.random(m) < p_quote
    q_day = l_day + 3 + np.floor(rng.random(m) * 28).astype(np.int64)
    q &= q_day <= D - 1
    lost = rng.random(m) < np.where(q, 0.70, 0.40)
    c_day = np.where(q, q_day + 7 + np.floor(rng.random(m) * 84), l_day + 5 + np.floor(rng.random(m) * 56))
    c_day = c_day.astype(np.int64)
    lost &= c_day <= D - 1
    stage = np.where(lost, 4, np.where(q, 2, 0))  # 0 lead, 1 not_sales_related, 2 quote, 3 won, 4 lost
    # 3. not sales related (suppliers, job applicants, ...)
    n_nsr = int(round(0.15 * (new.size + m) / 0.85))
    n_day = cal.sample(np.zeros(n_nsr, np.int64), np.full(n_nsr, D - 1), rng.random(n_nsr))
    n_ch = _choice(rng, K.NSR_CHANNEL_W, n_nsr)

    lead_day = np.concatenate((w_lead, l_day, n_day))
    channel = np.concatenate((w_ch, ch, n_ch))
    stg = np.concatenate((np.full(new.size, 3), stage, np.full(n_nsr, 1)))
    cust = np.concatenate((new, np.full(m + n_nsr, -1)))
    prosp = np.concatenate((np.full(new.size, -1), pl, np.full(n_nsr, -1)))
    quote_day = np.concatenate((w_quote, np.where(q, q_day, -1), np.full(n_nsr, -1)))
    closed_day = np.concatenate((fd, np.where(lost, c_day, -1), np.full(n_nsr, -1)))
    value = np.round(np.exp(np.log(7500.0) + 0.9 * rng.standard_normal(stg.size)), 2)
    value_mask = (stg == 0) | (stg == 1) | ((stg == 4) & (quote_day < 0))  # a value only once quoted
    order = np.argsort(lead_day, kind="stable")
    return dict(
        day=lead_day[order],
        channel=channel[order],
        stage=stg[order],
        cust=cust[order],
        prosp=prosp[order],
        quote=quote_day[order],
        closed=closed_day[order],
        value=value[order],
        value_mask=value_mask[order],
    )


# ------------------------------------------------------------------------------------------------------------------
# the public entry point
# ------------------------------------------------------------------------------------------------------------------
def _as_day(x: str | dt.date) -> np.datetime64:
    return np.datetime64(x.isoformat() if isinstance(x, dt.date) else str(x), "D")


def generate_demo(
    out_dir: str | Path,
    customers: int | None = 500,
    seed: int = 42,
    lines: int | None = None,
    start: str | dt.date = "2022-01-01",
    end: str | dt.date = "2025-12-31",
    chunk_lines: int = 1_000_000,
) -> DemoData:
    """Write a deterministic demo data set (seven canonical tables + truth) as Parquet files under ``out_dir``.

    Parameters
    ----------
    customers:
        Number of customers; ``None`` means ``lines // 50`` (or 500 when ``lines`` is also ``None``).
    lines:
        Target number of order lines (hit within a few percent); ``None`` means about 50 per customer.
    start, end:
        The period (inclusive). Every event date falls inside it; only ``acquired_date`` of customers that were
        already customers before ``start`` and ``due_date`` of recent invoices lie outside.
    chunk_lines:
        Order lines per Parquet write; does not change the data.
    """
    start_d, end_d = _as_day(start), _as_day(end)
    if end_d < start_d:
        raise ValueError(f"end {end_d} is before start {start_d}")
    if customers is None:
        customers = max(1, int(lines) // 50) if lines is not None else 500
    C = int(customers)
    if C < 1:
        raise ValueError("customers must be at least 1")
    target = float(lines) if lines is not None else 50.0 * C
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {t: out / f"{t}.parquet" for t in SCHEMAS}
    truth_path = out / "truth.parquet"

    cal = _Calendar(start_d, end_d)
    D = cal.D
    root = np.random.default_rng(seed)
    (r_cust, r_names, r_ord, r_prod, r_inv, r_act, r_ass, r_pros, r_lead, *line_streams) = root.spawn(15)

    cu = _customers(r_cust, C, cal)
    cust_ids = _ids("C", np.arange(1, C + 1), max(6, len(str(C))))
    names, domains = _company_names(r_names, cu["sector"], cu["region"], cu["country"])
    od = _orders(r_ord, cu, cal, target)
    n_o = od["cust"].size
    order_ids = _ids("O", np.arange(1, n_o + 1), max(8, len(str(n_o))))
    pr = _products(r_prod)
    ln = _stream_lines(line_streams[:6], paths["order_lines"], cu, od, pr, cal, cust_ids, order_ids, chunk_lines)

    # --- customers table ---------------------------------------------------------------------------------------
    recency = (D - 1) - od["last_day"]
    status = np.where(recency < 365, 0, np.where(recency < 730, 1, 2))  # active / inactive / ex-customer
    churned = cu["grp"] == K.CHURNED
    status = np.where(churned & (status == 1) & (r_names.random(C) < 0.4), 2, status)
    acquired = np.where(cu["acq"] >= 0, od["first_day"], cu["acq"])
    prefix = np.array(K.EMAIL_PREFIX)[r_names.integers(0, len(K.EMAIL_PREFIX), C)]
    email = pc.binary_join_element_wise(pa.array(prefix, pa.string()), domains, "@")
    no_email = r_names.random(C) < np.where(status == 2, 0.25, 0.10)
    customers_tbl = pa.table(
        {
            "customer_id": cust_ids,
            "name": names,
            "sector": _str_table(K.SECTORS).take(pa.array(cu["sector"])),
            "region": _str_table(K.REGIONS).take(pa.array(cu["region"])),
            "country": _str_table(K.COUNTRIES).take(pa.array(cu["country"])),
            "size_class": _str_table(K.SIZE_CLASSES).take(pa.array(cu["size"])),
            "employees": pa.array(cu["employees"], pa.int64()),
            "account_manager": _str_table(K.ACCOUNT_MANAGERS).take(pa.array(cu["am"])),
            "email": pc.if_else(pa.array(no_email), pa.scalar(None, pa.string()), email),
            "status": _str_table(("active", "inactive", "ex-customer")).take(pa.array(status)),
            "acquired_date": cal.dates(acquired),
            "channel": _str_table(K.CHANNELS).take(pa.array(cu["channel"])),
            "payment_terms_days": pa.array(cu["terms"], pa.int64()),
        }
    )
    _write(customers_tbl, paths["customers"], "customers")
    pq.write_table(
        pa.table({"customer_id": cust_ids, "planted_group": _str_table(K.GROUPS).take(pa.array(cu["grp"]))}),
        truth_path,
    )

    # --- invoices ------------------------------------------------------------------------------------------------
    inv = _invoices(r_inv, cu, od, ln["o_rev"], cal)
    _write_slices(
        paths["invoices"],
        "invoices",
        n_o,
        lambda sl: {
            "customer_id": cust_ids.take(pa.array(od["cust"][sl])),
            "invoice_id": _invoice_ids(inv, sl),
            "invoice_date": cal.dates(inv["inv_day"][sl]),
            "due_date": cal.dates(inv["due"][sl]),
            "paid_date": cal.dates(np.where(inv["open"][sl], 0, inv["paid"][sl]), mask=inv["open"][sl]),
            "amount": pa.array(ln["o_rev"][sl]),
        },
    )

    # --- activities ----------------------------------------------------------------------------------------------
    ac = _activity_counts(r_act, cu, od, ln, inv)
    a_c, a_d, a_t, a_h = _activities(r_act, cu, od, ac, cal)
    act_types, am_names = _str_table(_ACTIVITY_TYPES), _str_table(K.ACCOUNT_MANAGERS)
    _write_slices(
        paths["activities"],
        "activities",
        a_c.size,
        lambda sl: {
            "customer_id": cust_ids.take(pa.array(a_c[sl])),
            "activity_date": cal.dates(a_d[sl]),
            "activity_type": act_types.take(pa.array(a_t[sl])),
            "quantity": pa.array(np.ones(a_c[sl].size)),
            "hours": pa.array(a_h[sl].astype(np.float64), mask=np.isnan(a_h[sl])),
            "cost": pa.nulls(a_c[sl].size, pa.float64()),
            "employee": am_names.take(pa.array(cu["am"][a_c[sl]])),
        },
    )

    # --- assessments -----------------------------------------------------------------------------------------------
    asr = _assessments(r_ass, cu, od, ln, cal)
    _write(
        pa.table(
            {
                "customer_id": cust_ids.take(pa.array(asr["cust"])),
                "assessment_date": cal.dates(asr["day"]),
                "potential_revenue": pa.array(asr["pot"]),
                "margin_ok": pa.array(asr["margin_ok"], mask=asr["margin_mask"]),
                "speed_ok": pa.array(asr["speed_ok"], mask=asr["speed_mask"]),
                "innovation": pa.array(asr["innovation"]),
                "network": pa.array(asr["network"]),
                "network_relevance": pa.array(asr["relevance"]),
                "network_reputation": pa.array(asr["reputation"]),
                "network_size": pa.array(asr["netsize"]),
                "nps": pa.array(asr["nps"], pa.int64()),
                "note": asr["note"],
            }
        ),
        paths["assessments"],
        "assessments",
    )

    # --- prospects and leads -----------------------------------------------------------------------------------------
    pro = _prospects(r_pros, cu, od, status, cal, names)
    pro_ids = _ids("PR", np.arange(1, pro["P"] + 1), max(6, len(str(pro["P"]))))
    has_c = pro["cust"] >= 0
    _write(
        pa.table(
            {
                "prospect_id": pro_ids,
                "name": pro["names"],
                "sector": _str_table(K.SECTORS).take(pa.array(pro["sector"])),
                "region": _str_table(K.REGIONS).take(pa.array(pro["region"])),
                "size_class": _str_table(K.SIZE_CLASSES).take(pa.array(pro["size"])),
                "employees": pa.array(pro["emp"], pa.int64()),
                "source": _str_table(K.PROSPECT_SOURCES + ("klantenbestand",)).take(pa.array(pro["source"] % 8)),
                "status": _str_table(K.PROSPECT_STATUS).take(pa.array(pro["status"])),
                "customer_id": cust_ids.take(pa.array(np.where(has_c, pro["cust"], 0), mask=~has_c)),
                "identified_date": cal.dates(pro["ident"]),
            }
        ),
        paths["prospects"],
        "prospects",
    )
    ld = _leads(r_lead, cu, od, pro, cal)
    L = ld["day"].size
    hc, hp = ld["cust"] >= 0, ld["prosp"] >= 0
    _write(
        pa.table(
            {
                "lead_id": _ids("L", np.arange(1, L + 1), max(6, len(str(L)))),
                "lead_date": cal.dates(ld["day"]),
                "channel": _str_table(K.LEAD_CHANNELS).take(pa.array(ld["channel"])),
                "stage": _str_table(("lead", "not_sales_related", "quote", "won", "lost")).take(pa.array(ld["stage"])),
                "customer_id": cust_ids.take(pa.array(np.where(hc, ld["cust"], 0), mask=~hc)),
                "prospect_id": pro_ids.take(pa.array(np.where(hp, ld["prosp"], 0), mask=~hp)),
                "value": pa.array(ld["value"], mask=ld["value_mask"]),
                "quote_date": cal.dates(np.maximum(ld["quote"], 0), mask=ld["quote"] < 0),
                "closed_date": cal.dates(np.maximum(ld["closed"], 0), mask=ld["closed"] < 0),
            }
        ),
        paths["leads"],
        "leads",
    )

    return DemoData(
        out_dir=out,
        paths=paths,
        truth_path=truth_path,
        seed=seed,
        n_customers=C,
        n_orders=n_o,
        n_order_lines=int(ln["n_lines"]),
        start=dt.date.fromisoformat(str(start_d)),
        end=dt.date.fromisoformat(str(end_d)),
        group_counts={name: int((cu["grp"] == i).sum()) for i, name in enumerate(K.GROUPS)},
    )
