"""The demo generator: contract (tables, types, keys), determinism, scale, and the planted truths.

The planted truths are checked independently here in pandas: cost-to-serve is computed by hand from the
default cost rates, not with any salesfocus analysis code.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesfocus.demo import DemoData, generate_demo
from salesfocus.io.schemas import SCHEMAS

TABLES = ("customers", "order_lines", "activities", "invoices", "assessments", "leads", "prospects")
START, END = pd.Timestamp("2022-01-01"), pd.Timestamp("2025-12-31")
KIND_TO_ARROW = {
    "string": pa.string(),
    "decimal": pa.float64(),
    "integer": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}
# the default CostRates, written out by hand (test_rates_match_config keeps them honest)
RATES = dict(
    per_order=25.0,
    per_order_line=1.5,
    per_delivery=35.0,
    per_visit=150.0,
    per_call=8.0,
    per_support_ticket=25.0,
    per_complaint=60.0,
    per_return=40.0,
    per_quote=20.0,
    per_invoice=5.0,
    capital_rate=0.08,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DemoData:
    return generate_demo(tmp_path_factory.mktemp("demo"), customers=500, seed=42)


@pytest.fixture(scope="module")
def t(demo) -> dict[str, pd.DataFrame]:
    out = {name: pd.read_parquet(path) for name, path in demo.paths.items()}
    out["truth"] = pd.read_parquet(demo.truth_path)
    for name, df in out.items():
        for col in df.columns:
            if name in SCHEMAS and col in SCHEMAS[name].names and SCHEMAS[name].column(col).kind == "date":
                df[col] = pd.to_datetime(df[col])
    return out


@pytest.fixture(scope="module")
def per_customer(t) -> pd.DataFrame:
    """Revenue, margin and cost-to-serve per customer under the default rates, computed by hand."""
    ol, act, inv = t["order_lines"], t["activities"], t["invoices"]
    c = t["customers"].merge(t["truth"], on="customer_id").set_index("customer_id")
    g = ol.groupby("customer_id").agg(
        revenue=("revenue", "sum"),
        cost=("cost", "sum"),
        lines=("revenue", "size"),
        orders=("order_id", "nunique"),
        first_order=("order_date", "min"),
        last_order=("order_date", "max"),
    )
    a = act.pivot_table(index="customer_id", columns="activity_type", values="quantity", aggfunc="sum")
    late_days = np.where(
        inv["paid_date"].isna(), (END - inv["due_date"]).dt.days, (inv["paid_date"] - inv["due_date"]).dt.days
    )
    inv = inv.assign(
        capital=RATES["capital_rate"] * inv["amount"].clip(lower=0) * np.clip(late_days, 0, None) / 365.0,
        late_days=late_days,
    )
    i = inv.groupby("customer_id").agg(invoices=("invoice_id", "size"), capital=("capital", "sum"))
    x = c.join(g).join(a).join(i)
    num = [*g.columns.drop(["first_order", "last_order"]), *a.columns, *i.columns]
    x[num] = x[num].fillna(0.0)
    for col in ("delivery", "visit", "call", "support_ticket", "complaint", "return", "quote"):
        if col not in x:
            x[col] = 0.0
    x["margin"] = x["revenue"] - x["cost"]
    x["margin_pct"] = x["margin"] / x["revenue"]
    base = (
        RATES["per_order"] * x["orders"]
        + RATES["per_order_line"] * x["lines"]
        + RATES["per_visit"] * x["visit"]
        + RATES["per_call"] * x["call"]
        + RATES["per_support_ticket"] * x["support_ticket"]
        + RATES["per_complaint"] * x["complaint"]
        + RATES["per_return"] * x["return"]
        + RATES["per_quote"] * x["quote"]
        + RATES["per_invoice"] * x["invoices"]
        + x["capital"]
    )
    x["profit_deliveries"] = x["margin"] - base - RATES["per_delivery"] * x["delivery"]
    x["profit_per_order"] = x["margin"] - base - RATES["per_delivery"] * x["orders"]
    return x


def _latest_assessment(t) -> pd.DataFrame:
    a = t["assessments"].sort_values(["customer_id", "assessment_date"])
    return a.groupby("customer_id").tail(1).merge(t["truth"], on="customer_id")


# ------------------------------------------------------------------------------------------------------------------
# contract
# ------------------------------------------------------------------------------------------------------------------
def test_rates_match_config():
    from salesfocus.config import CostRates

    defaults = CostRates()
    for k, v in RATES.items():
        assert getattr(defaults, k) == v, k


def test_paths_and_counts(demo):
    assert set(demo.paths) == set(TABLES)
    for name, path in demo.paths.items():
        assert path.is_file() and path.name == f"{name}.parquet"
    assert demo.truth_path.is_file()
    assert demo.n_customers == 500
    assert pq.read_metadata(demo.paths["order_lines"]).num_rows == demo.n_order_lines
    # lines=None: about 40-60 order lines per customer
    assert 40 * 500 <= demo.n_order_lines <= 60 * 500


@pytest.mark.parametrize("table", TABLES)
def test_canonical_columns_and_types(demo, table):
    schema = pq.read_schema(demo.paths[table])
    expected = [(c.name, KIND_TO_ARROW[c.kind]) for c in SCHEMAS[table].columns]
    assert [(f.name, f.type) for f in schema] == expected


def test_truth_one_row_per_customer(t):
    truth, cust = t["truth"], t["customers"]
    assert list(truth.columns) == ["customer_id", "planted_group"]
    assert truth["customer_id"].is_unique
    assert set(truth["customer_id"]) == set(cust["customer_id"])
    shares = truth["planted_group"].value_counts(normalize=True)
    assert set(shares.index) == {"regular", "loss_maker", "growth", "top", "churned"}
    assert shares["loss_maker"] == pytest.approx(0.08, abs=0.01)
    assert shares["growth"] == pytest.approx(0.06, abs=0.01)
    assert shares["top"] == pytest.approx(0.05, abs=0.01)
    assert shares["churned"] == pytest.approx(0.10, abs=0.01)


def test_keys_and_referential_integrity(t):
    cust = t["customers"]
    ids = set(cust["customer_id"])
    assert cust["customer_id"].is_unique and cust["customer_id"].notna().all()
    for name in ("order_lines", "activities", "invoices", "assessments"):
        assert t[name]["customer_id"].notna().all(), name
        assert set(t[name]["customer_id"]) <= ids, name
    inv, ol = t["invoices"], t["order_lines"]
    assert inv["invoice_id"].is_unique
    assert t["leads"]["lead_id"].is_unique
    assert t["prospects"]["prospect_id"].is_unique
    # an order belongs to one customer and one date; one invoice per order with the order's revenue
    per_order = ol.groupby("order_id").agg(
        n_cust=("customer_id", "nunique"), n_day=("order_date", "nunique"), revenue=("revenue", "sum")
    )
    assert (per_order["n_cust"] == 1).all() and (per_order["n_day"] == 1).all()
    assert len(inv) == len(per_order)
    assert inv["amount"].sum() == pytest.approx(per_order["revenue"].sum(), abs=0.01 * len(inv))
    assert np.allclose(np.sort(inv["amount"].to_numpy()), np.sort(per_order["revenue"].round(2).to_numpy()))
    leads, pros = t["leads"], t["prospects"]
    assert set(leads["customer_id"].dropna()) <= ids
    assert set(leads["prospect_id"].dropna()) <= set(pros["prospect_id"])
    assert set(pros["customer_id"].dropna()) <= ids


def test_dates_within_period(t, demo):
    assert (demo.start, demo.end) == (dt.date(2022, 1, 1), dt.date(2025, 12, 31))
    event_dates = {
        "order_lines": ["order_date"],
        "activities": ["activity_date"],
        "invoices": ["invoice_date", "paid_date"],
        "assessments": ["assessment_date"],
        "leads": ["lead_date", "quote_date", "closed_date"],
        "prospects": ["identified_date"],
    }
    for name, cols in event_dates.items():
        for col in cols:
            s = t[name][col].dropna()
            assert len(s) > 0, (name, col)
            assert s.min() >= START and s.max() <= END, (name, col)
    # customers won before the period keep their real acquisition date; none lies in the future
    assert t["customers"]["acquired_date"].max() <= END
    inv = t["invoices"]
    assert (inv["due_date"] >= inv["invoice_date"]).all()
    assert (inv["paid_date"].dropna() >= inv.loc[inv["paid_date"].notna(), "invoice_date"]).all()
    leads = t["leads"]
    q = leads["quote_date"].notna()
    assert (leads.loc[q, "quote_date"] >= leads.loc[q, "lead_date"]).all()
    cl = leads["closed_date"].notna()
    assert (leads.loc[cl, "closed_date"] >= leads.loc[cl, "lead_date"]).all()


def test_money_in_cents_and_value_ranges(t):
    money = {
        "order_lines": ["revenue", "cost"],
        "invoices": ["amount"],
        "leads": ["value"],
        "assessments": ["potential_revenue"],
    }
    for name, cols in money.items():
        for col in cols:
            v = t[name][col].dropna().to_numpy()
            assert np.all(np.abs(v * 100 - np.round(v * 100)) < 1e-6), (name, col)
    a = t["assessments"]
    assert a["nps"].between(0, 10).all()
    for col in ("network_relevance", "network_reputation", "network_size"):
        assert a[col].between(1, 5).all()
    assert (a["potential_revenue"] >= 0).all()
    # margin_ok / speed_ok mostly unanswered, a few manual answers
    for col in ("margin_ok", "speed_ok"):
        answered = a[col].notna().mean()
        assert 0 < answered < 0.2, col


# ------------------------------------------------------------------------------------------------------------------
# determinism and scale
# ------------------------------------------------------------------------------------------------------------------
def _tables(d: DemoData) -> dict[str, pa.Table]:
    out = {name: pq.read_table(p) for name, p in d.paths.items()}
    out["truth"] = pq.read_table(d.truth_path)
    return out


def test_same_seed_identical_other_seed_different(demo, tmp_path):
    a = _tables(demo)
    b = _tables(generate_demo(tmp_path / "same", customers=500, seed=42))
    for name in a:
        assert a[name].equals(b[name]), name
    c = _tables(generate_demo(tmp_path / "other", customers=500, seed=43))
    assert not a["order_lines"].equals(c["order_lines"])
    assert not a["customers"].equals(c["customers"])


def test_chunk_size_does_not_change_the_data(demo, tmp_path):
    """Chunked writing gives *identical* tables (every value), not just the same counts and sums."""
    small = generate_demo(tmp_path / "chunks", customers=500, seed=42, chunk_lines=997)
    a, b = _tables(demo), _tables(small)
    assert pq.ParquetFile(small.paths["order_lines"]).num_row_groups > 10
    for name in a:
        assert a[name].equals(b[name]), name


def test_lines_target(tmp_path):
    d = generate_demo(tmp_path / "lines", customers=None, seed=3, lines=200_000)
    assert d.n_customers == 200_000 // 50
    n = pq.read_metadata(d.paths["order_lines"]).num_rows
    assert n == d.n_order_lines
    assert 180_000 <= n <= 220_000
    d2 = generate_demo(tmp_path / "lines500", customers=500, seed=3, lines=200_000)
    assert d2.n_customers == 500
    assert 180_000 <= d2.n_order_lines <= 220_000


def test_short_period_and_tiny_base(tmp_path):
    d = generate_demo(tmp_path / "tiny", customers=25, seed=1, start="2024-01-01", end="2024-12-31")
    ol = pd.read_parquet(d.paths["order_lines"])
    dates = pd.to_datetime(ol["order_date"])
    assert dates.min() >= pd.Timestamp("2024-01-01") and dates.max() <= pd.Timestamp("2024-12-31")
    assert ol["customer_id"].nunique() == 25


# ------------------------------------------------------------------------------------------------------------------
# realism
# ------------------------------------------------------------------------------------------------------------------
def test_customer_master_realism(t):
    c = t["customers"]
    assert set(c["sector"]) <= {
        "Bouw", "Zorg", "Industrie", "Horeca", "Retail", "Logistiek", "Onderwijs", "Overheid", "Agrarisch",
        "Zakelijke dienstverlening",
    }  # fmt: skip
    assert c["sector"].nunique() == 10
    assert set(c["country"]) == {"NL", "BE"}
    assert set(c.loc[c["region"] == "Antwerpen", "country"]) == {"BE"}
    assert set(c.loc[c["region"] == "Noord-Brabant", "country"]) == {"NL"}
    bounds = {"1-9": (1, 9), "10-49": (10, 49), "50-249": (50, 249), "250+": (250, 10**6)}
    assert set(c["size_class"]) == set(bounds)
    for cls, (lo, hi) in bounds.items():
        assert c.loc[c["size_class"] == cls, "employees"].between(lo, hi).all(), cls
    assert c["account_manager"].nunique() == 6
    assert set(c["channel"]) == {"field", "inside", "webshop"}
    assert set(c["payment_terms_days"]) == {14, 30, 60}
    assert set(c["status"]) == {"active", "inactive", "ex-customer"}
    email = c["email"].dropna()
    assert 0.05 < c["email"].isna().mean() < 0.3
    assert email.str.fullmatch(r"[a-z]+@[a-z0-9]+\.(nl|be)").all()
    assert c["name"].str.contains(r" (?:BV|B\.V\.|NV)$").any()
    assert c["name"].nunique() > 0.8 * len(c)


def test_status_follows_ordering(t, per_customer):
    x = per_customer
    recent = x["last_order"] > END - pd.Timedelta(days=365)
    assert (x.loc[recent, "status"] == "active").all()
    assert (x.loc[~recent, "status"] != "active").all()


def test_order_lines_realism(t):
    ol = t["order_lines"]
    assert (ol["order_date"].dt.day_of_week < 5).all()  # weekdays only
    assert ol["product_id"].nunique() > 1500
    assert 12 <= ol["product_group"].nunique() <= 16
    # returns: negative quantity with negative revenue and cost
    neg = ol["quantity"] < 0
    assert 0.005 < neg.mean() < 0.1
    assert (ol.loc[neg, "revenue"] < 0).all() and (ol.loc[neg, "cost"] < 0).all()
    assert (ol.loc[~neg, "revenue"] > 0).all()
    # seasonality: summer and late December are quieter than spring and autumn
    month = ol["order_date"].dt.month
    per_month = month.value_counts()
    assert per_month[[7, 8]].mean() < 0.85 * per_month[[4, 10]].mean()
    late_dec = ((month == 12) & (ol["order_date"].dt.day >= 20)).sum() / 4
    assert late_dec < 0.6 * per_month[11] / 4 * 12 / 30
    # some product groups are bought by few customers
    buyers = ol.groupby("product_group")["customer_id"].nunique()
    assert buyers.min() < 0.15 * ol["customer_id"].nunique() < buyers.max()
    # heavy tail: the top 20% of customers bring most revenue
    rev = ol.groupby("customer_id")["revenue"].sum().sort_values(ascending=False)
    assert 0.65 < rev.head(len(rev) // 5).sum() / rev.sum() < 0.95


def test_activities_and_invoices(t, per_customer):
    act = t["activities"]
    assert set(act["activity_type"]) == {"visit", "call", "support_ticket", "complaint", "return", "delivery", "quote"}
    assert set(act["employee"]) <= set(t["customers"]["account_manager"])
    visits = act["activity_type"] == "visit"
    assert act.loc[visits, "hours"].notna().all() and act.loc[~visits, "hours"].isna().all()
    x = per_customer
    assert (x["delivery"] >= x["orders"]).all() and (x["delivery"] > x["orders"]).any()  # some orders split
    inv = t["invoices"].merge(t["customers"][["customer_id", "payment_terms_days"]], on="customer_id")
    assert ((inv["due_date"] - inv["invoice_date"]).dt.days == inv["payment_terms_days"]).all()
    assert (inv["paid_date"].isna() & (inv["invoice_date"] >= END - pd.Timedelta(days=200))).sum() > 0
    assert (inv["paid_date"].isna() & (inv["invoice_date"] < END - pd.Timedelta(days=365))).sum() == 0


def test_leads_and_prospects(t):
    leads, pros, cust = t["leads"], t["prospects"], t["customers"]
    assert set(leads["stage"]) == {"lead", "not_sales_related", "quote", "won", "lost"}
    assert set(leads["channel"]) == {"website", "beurs", "referral", "cold call", "LinkedIn", "webinar"}
    won = leads[leads["stage"] == "won"]
    assert won["customer_id"].notna().all() and won["prospect_id"].isna().all()
    acq = cust.set_index("customer_id")["acquired_date"]
    assert (acq[won["customer_id"]].to_numpy() >= START).all()
    assert (won["closed_date"].to_numpy() == acq[won["customer_id"]].to_numpy()).all()
    open_or_lost = leads[leads["stage"].isin(["lead", "quote", "lost"])]
    assert open_or_lost["prospect_id"].notna().all()
    quote = leads[leads["stage"] == "quote"]
    assert quote["quote_date"].notna().all() and quote["closed_date"].isna().all()
    assert leads.loc[leads["stage"] == "lost", "closed_date"].notna().all()
    assert leads.loc[leads["stage"].isin(["lead", "not_sales_related"]), "value"].isna().all()
    # conversion differs by channel: referrals win more often than cold calls
    win_rate = (
        leads[leads["stage"] != "not_sales_related"].groupby("channel")["stage"].apply(lambda s: (s == "won").mean())
    )
    assert win_rate["referral"] > win_rate["cold call"]
    assert len(pros) == pytest.approx(0.6 * len(cust), rel=0.02)
    assert set(pros["status"]) == {"suspect", "prospect", "ex-customer"}
    ex = pros[pros["status"] == "ex-customer"]
    assert ex["customer_id"].notna().all()
    assert (cust.set_index("customer_id").loc[ex["customer_id"], "status"] != "active").all()
    look = pros["sector"].isin(["Zorg", "Bouw"]) & pros["region"].isin(["Noord-Brabant", "Antwerpen"])
    assert look.mean() > 0.15  # a share of prospects looks like the top group
    years = pros["identified_date"].dt.year.value_counts()
    assert set(years.index) == {2022, 2023, 2024, 2025}


# ------------------------------------------------------------------------------------------------------------------
# planted truths
# ------------------------------------------------------------------------------------------------------------------
def test_every_loss_maker_loses_money(per_customer, t):
    x = per_customer
    loss = x[x["planted_group"] == "loss_maker"]
    assert len(loss) == 40
    assert (loss["profit_deliveries"] < 0).all()
    assert (loss["profit_per_order"] < 0).all()
    others = x[x["planted_group"] != "loss_maker"]
    # small, thin-margin, return-heavy, service-heavy, late payers
    assert loss["revenue"].median() < others["revenue"].median()
    assert (loss["lines"] / loss["orders"]).median() < 0.5 * (others["lines"] / others["orders"]).median()
    assert loss["margin"].sum() / loss["revenue"].sum() < 0.5 * others["margin"].sum() / others["revenue"].sum()
    for col in ("return", "call", "support_ticket", "complaint"):
        assert loss[col].median() > 3 * max(others[col].median(), 1), col
    inv = t["invoices"].merge(t["truth"], on="customer_id")
    paid = inv[inv["paid_date"].notna() & (inv["amount"] > 0)]
    late = (paid["paid_date"] - paid["due_date"]).dt.days
    loss_late = late[paid["planted_group"] == "loss_maker"]
    assert loss_late.median() >= 30 and loss_late.max() <= 120
    # mostly visited rarely, but a few Friday-afternoon customers visited very often, on Fridays
    years = 4.0
    assert (loss["visit"] / years <= 1).mean() > 0.7
    fa = loss[loss["visit"] / years >= 12]
    assert 1 <= len(fa) <= 0.2 * len(loss)
    act = t["activities"]
    fa_visits = act[(act["activity_type"] == "visit") & act["customer_id"].isin(fa.index)]
    assert (fa_visits["activity_date"].dt.day_of_week == 4).mean() > 0.9
    # the rest of the base is mostly profitable
    regular = x[x["planted_group"] == "regular"]
    assert (regular["profit_deliveries"] > 0).mean() > 0.6


def test_growth_group(per_customer, t):
    x = per_customer
    growth = x[x["planted_group"] == "growth"]
    base = x[x["planted_group"] != "growth"]
    assert growth["margin_pct"].median() > base["margin_pct"].median() + 0.05
    assert growth["revenue"].median() < x["revenue"].median()
    assert (growth["orders"] / 4).median() < (base["orders"] / 4).median() + 1
    assert (growth["profit_deliveries"] > 0).mean() >= 0.9
    ass = _latest_assessment(t)
    g_ass = ass[ass["planted_group"] == "growth"]
    assert len(g_ass) == len(growth)
    assert g_ass["nps"].median() >= 9 and g_ass["nps"].min() >= 9
    assert g_ass["potential_revenue"].median() > growth["revenue"].median() / 4
    ol = t["order_lines"].merge(t["truth"], on="customer_id")
    g_year = ol[ol["planted_group"] == "growth"].groupby(ol["order_date"].dt.year)["revenue"].sum()
    assert g_year[2025] > 1.5 * g_year[2022]


def test_top_group(per_customer, t):
    x = per_customer
    top = x[x["planted_group"] == "top"]
    rest = x[x["planted_group"] != "top"]
    assert top["sector"].isin(["Zorg", "Bouw"]).mean() >= 0.7
    assert top["region"].isin(["Noord-Brabant", "Antwerpen"]).mean() >= 0.7
    assert rest["sector"].isin(["Zorg", "Bouw"]).mean() < 0.35
    assert rest["region"].isin(["Noord-Brabant", "Antwerpen"]).mean() < 0.35
    assert top["revenue"].min() > rest["revenue"].median() * 5
    assert top["orders"].median() > 4 * rest["orders"].median()
    assert top["margin_pct"].median() > 0.2
    assert (top["profit_deliveries"] > 0).all()
    ass = _latest_assessment(t)
    t_ass = ass[ass["planted_group"] == "top"]
    assert len(t_ass) == len(top)
    assert t_ass["nps"].between(8, 10).all()
    assert t_ass["innovation"].mean() > 0.6 and t_ass["network"].mean() > 0.6


def test_churned_group(per_customer, t):
    x = per_customer
    churned = x[x["planted_group"] == "churned"]
    assert (churned["last_order"] <= END - pd.DateOffset(months=12)).all()
    assert (churned["last_order"] >= END - pd.DateOffset(months=19)).mean() > 0.8
    assert set(churned["status"]) <= {"inactive", "ex-customer"}
    assert (churned["first_order"] < START + pd.DateOffset(months=12)).mean() > 0.9
    others = x[x["planted_group"] != "churned"]
    assert (others["status"] == "active").mean() > 0.8


def test_assessment_coverage(t):
    ass = t["assessments"].merge(t["truth"], on="customer_id")
    n_cust = len(t["customers"])
    assert ass["customer_id"].nunique() == pytest.approx(0.4 * n_cust, abs=0.02 * n_cust)
    truth = t["truth"]
    must = set(truth.loc[truth["planted_group"].isin(["top", "growth"]), "customer_id"])
    assert must <= set(ass["customer_id"])
