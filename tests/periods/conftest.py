"""A hand-made three-year data set (2022–2024) and a run context for the periods analysis.

Seven customers, one order per line, cost = half the revenue, cost-to-serve 10 per order:

    customer  manager  2022   2023        2024   yes answers (A/B/C)
    A         Ann      600    500         700    4
    B         Ann      300    100         -      0
    C         Bob      100    -           200    3
    D         Bob      -      400         50     2
    E         Bob      -      -           250    1   (prospect P1 since 2023-06-01)
    F         Bob      200    -50 credit  -      0   (not active in 2023: a credit note only)
    G         Ann      -      100         600    2

Pyramid levels: ``top`` while the revenue share before a customer is below 60%, else ``rest``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from salesfocus.config import Config, Goal
from salesfocus.model import Dataset, RunContext
from salesfocus.workspace import Workspace

D = dt.date
ORDERS = [  # customer, date, revenue
    ("A", D(2022, 3, 1), 600), ("A", D(2023, 3, 1), 500), ("A", D(2024, 3, 1), 700),
    ("B", D(2022, 4, 1), 300), ("B", D(2023, 4, 1), 100),
    ("C", D(2022, 5, 1), 100), ("C", D(2024, 5, 1), 200),
    ("D", D(2023, 6, 1), 400), ("D", D(2024, 2, 1), 50),
    ("E", D(2024, 4, 1), 250),
    ("F", D(2022, 6, 1), 200), ("F", D(2023, 7, 1), -50),
    ("G", D(2023, 8, 1), 100), ("G", D(2024, 3, 15), 600),
]
MANAGER = {"A": "Ann", "B": "Ann", "G": "Ann", "C": "Bob", "D": "Bob", "E": "Bob", "F": "Bob"}
YES = {"A": 4, "B": 0, "C": 3, "D": 2, "E": 1, "F": 0, "G": 2}
QUESTIONS = ("margin", "speed", "innovation", "network")

GOALS = [
    Goal(kind="customer_retention", target=0.9),
    Goal(kind="new_top_customers", target=2),
    Goal(kind="new_suspects", target=2),
    Goal(kind="new_prospects", target=1),
    Goal(kind="customer_retention", target=0.9, owner="Ann", period="2023"),
    Goal(kind="net_revenue_retention", target=1.0, owner="Bob", period="2024"),
    Goal(kind="moved_up", target=1),
    Goal(kind="new_customers", target=3, period="2023"),
    Goal(kind="revenue", target=2000),
    Goal(kind="net_profit", target=800),
    Goal(kind="gross_revenue_retention", target=0.5, owner="segment:A"),
    Goal(kind="customer_retention", target=0.9, period="2026"),
    Goal(kind="new_suspects", target=10, owner="Ann"),
    Goal(kind="customer_retention", target=0.9, period="2022"),
    Goal(kind="new_customers", target=1, owner="segment:rest"),
]


def _money(values):
    return pa.array([None if v is None else Decimal(str(v)) for v in values], pa.decimal128(18, 4))


def order_lines() -> pa.Table:
    rev = [r for _, _, r in ORDERS]
    return pa.table({
        "customer_id": [c for c, _, _ in ORDERS],
        "order_id": [f"O{i}" for i in range(len(ORDERS))],
        "order_date": pa.array([d for _, d, _ in ORDERS], pa.date32()),
        "product_id": ["P"] * len(ORDERS),
        "product_group": ["G"] * len(ORDERS),
        "quantity": [1.0 if r >= 0 else -1.0 for r in rev],
        "revenue": _money(rev),
        "cost": _money([r / 2 for r in rev]),
        "is_return": [r < 0 for r in rev],
    })


def customers(*, only_margin: bool = False) -> pa.Table:
    """The customer table as the segments analysis leaves it; ``only_margin``: as with order lines only, where
    the data answers the margin question and nobody the other three (their sources 'none', no yes)."""
    ids = sorted(MANAGER)
    firsts = {c: min(d for x, d, _ in ORDERS if x == c) for c in ids}
    n_orders = {c: sum(1 for x, _, r in ORDERS if x == c and r >= 0) for c in ids}
    cols = {
        "customer_id": ids,
        "account_manager": [MANAGER[c] for c in ids],
        "first_order": pa.array([firsts[c] for c in ids], pa.date32()),
        "orders": pa.array([n_orders[c] for c in ids], pa.int64()),
        "cost_to_serve": [10.0 * n_orders[c] for c in ids],
        "revenue": _money([sum(r for x, _, r in ORDERS if x == c) for c in ids]),
        "net_profit": [sum(r / 2 for x, _, r in ORDERS if x == c) - 10.0 * n_orders[c] for c in ids],
        "status": ["active" if c not in ("B", "F") else "inactive" for c in ids],
        "abc_potential": [0.0] * len(ids),
    }
    for i, q in enumerate(QUESTIONS):
        cols[f"{q}_yes"] = [YES[c] > i and not (only_margin and i) for c in ids]
        if only_margin:
            cols[f"{q}_source"] = ["orders" if q == "margin" else "none"] * len(ids)
    return pa.table(cols)


def prospects() -> pa.Table:
    return pa.table({
        "prospect_id": ["P1", "P2", "P3", "P4"],
        "status": ["prospect", "suspect", "prospect", "ex-customer"],
        "customer_id": ["E", None, None, "F"],
        "identified_date": pa.array([D(2023, 6, 1), D(2024, 3, 1), D(2024, 5, 1), D(2024, 2, 1)], pa.date32()),
    })


def leads() -> pa.Table:
    """The funnel example of test_periods_funnel.py (L1 won customer E through the website)."""
    return pa.table({
        "lead_id": ["L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8"],
        "lead_date": pa.array([D(2024, 1, 10), D(2024, 2, 1), D(2024, 3, 1), D(2024, 4, 1), D(2024, 4, 5),
                               D(2024, 5, 1), D(2023, 11, 1), D(2024, 6, 1)], pa.date32()),
        "channel": ["website", "website", "website", "beurs", "beurs", None, "beurs", "website"],
        "stage": ["won", "lost", "lost", "won", "not_sales_related", "lead", "quote", "won"],
        "customer_id": ["E", None, None, None, None, None, None, None],
        "prospect_id": [None] * 8,
        "value": _money([1000, None, 500, 2000, None, None, 300, 700]),
        "quote_date": pa.array([D(2024, 1, 20), None, D(2024, 3, 11), None, None, None, D(2023, 11, 21),
                                D(2024, 6, 5)], pa.date32()),
        "closed_date": pa.array([D(2024, 2, 9), D(2024, 2, 15), D(2024, 4, 1), D(2024, 5, 1), None, None, None,
                                 None], pa.date32()),
    })


def make_context(as_of: dt.date = D(2024, 12, 31), *, goals=None, segments: bool = True,
                 with_prospects: bool = True, period: str = "year", only_margin: bool = False) -> RunContext:
    """A run context over the hand-made data, as the pipeline would hand it to the periods analysis."""
    ws = Workspace(None)
    tables = {"order_lines": order_lines(), "leads": leads()}
    if with_prospects:
        tables["prospects"] = prospects()
    for name, data in tables.items():
        ws.write(name, data)
    cust = customers(only_margin=only_margin)
    if not segments:
        cust = cust.drop_columns(["abc_potential", *(f"{q}_yes" for q in QUESTIONS)])
    cfg = Config()
    cfg.pyramid.levels = [("top", 0.6), ("rest", 1.0)]
    cfg.goals = GOALS if goals is None else goals
    cfg.periods.period = period
    ds = Dataset({name: ws.table(name) for name in tables}, as_of)
    ctx = RunContext.start(ws, cfg, ds, cust)
    ctx.summary["engine"] = "duckdb"
    return ctx


@pytest.fixture(scope="session")
def hand_ctx():
    """The periods analysis run once over the hand-made data (tests only read it)."""
    from salesfocus.periods import run

    ctx = make_context()
    run(ctx)
    yield ctx
    ctx.workspace.close()


def frame(ctx: RunContext, name: str):
    """A result table of the run as pandas, decimals as floats."""
    t = ctx.tables[name]
    t = t.to_pyarrow() if hasattr(t, "to_pyarrow") else t
    df = t.to_pandas()
    for c in df.columns:
        if df[c].map(lambda v: isinstance(v, Decimal)).any():
            df[c] = df[c].map(lambda v: None if v is None else float(v))
    return df
