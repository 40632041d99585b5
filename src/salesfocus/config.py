"""One TOML file, validated with pydantic: thresholds, weights, cost rates, criteria.

Every section has documented defaults, so an empty file (or none) is a valid configuration.
``salesfocus/default.toml`` shows every key with its default and a comment.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from salesfocus.errors import ConfigError

__all__ = [
    "Config",
    "CustomerRule",
    "ImportOptions",
    "CostRates",
    "PyramidConfig",
    "PeriodsConfig",
    "Goal",
    "GOAL_KINDS",
    "PredictionConfig",
    "SegmentsConfig",
    "TargetingConfig",
    "load_config",
]


class _Section(BaseModel):
    # defaults validated too: a float setting whose default is written 150 is 150.0, as when read from a file
    # (a run with the defaults then gives the same column types as a re-analysis of its stored settings)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, validate_default=True)


class CustomerRule(_Section):
    """What counts as a customer, applied the same in every analysis.

    A customer is *active* when it ordered within ``active_months`` before the as-of date, *inactive*
    when its last order is older than that but within ``ex_customer_months``, and an *ex-customer*
    beyond that (or when the customer master says so and ``use_status_column`` is on).
    """

    active_months: int = Field(12, ge=1, description="Months without an order before a customer is inactive.")
    ex_customer_months: int = Field(24, ge=1, description="Months without an order before it is an ex-customer.")
    min_orders: int = Field(1, ge=1, description="Orders needed in the active window to count as active.")
    use_status_column: bool = Field(True, description="Trust customers.status = ex-customer/inactive when given.")
    include_ex_customers: bool = Field(
        True, description="Keep ex-customers in per-customer outputs (flagged) rather than leaving them out."
    )


class ImportOptions(_Section):
    """How import treats awkward rows."""

    anonymous_customer: str | None = Field(
        None,
        description="Keep rows without a customer id under this explicit id (e.g. 'ANONYMOUS') instead of "
        "rejecting them.",
    )
    allow_future_days: int = Field(
        0, ge=0, description="Dates up to this many days after the import date are accepted (planned deliveries)."
    )
    reject_unknown_customers: bool = Field(
        True, description="Reject order lines whose customer id is not in the customers table (when it is given)."
    )


class CostRates(_Section):
    """Activity-based cost-to-serve rates in the company's currency.

    A rate of 0 switches that component off. Activity rates apply per activity (``quantity``); where an
    activity row carries its own ``cost`` that cost is used instead of the rate.
    """

    per_order: float = Field(25.0, ge=0, description="Order handling per order (order entry, picking, admin).")
    per_order_line: float = Field(1.5, ge=0, description="Handling per order line.")
    per_delivery: float = Field(35.0, ge=0, description="Per delivery (from activities of type 'delivery').")
    deliveries_from_orders: bool = Field(
        True, description="Without delivery activities, count one delivery per order."
    )
    per_visit: float = Field(150.0, ge=0, description="Per visit (travel plus time).")
    per_visit_hour: float = Field(0.0, ge=0, description="Per visit hour, added when activities carry hours.")
    per_call: float = Field(8.0, ge=0, description="Per sales or service call.")
    per_support_ticket: float = Field(25.0, ge=0, description="Per support ticket.")
    per_complaint: float = Field(60.0, ge=0, description="Per complaint.")
    per_return: float = Field(40.0, ge=0, description="Per return (handling, not the credited value).")
    per_quote: float = Field(20.0, ge=0, description="Per quote.")
    per_invoice: float = Field(5.0, ge=0, description="Administrative cost per invoice.")
    capital_rate: float = Field(0.08, ge=0, le=1, description="Annual cost of capital for late payment.")
    by_channel: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Rates that differ per customer channel or segment, e.g. {webshop = {per_order = 5}}.",
    )


class PyramidConfig(_Section):
    """The customer pyramid: levels by cumulative share of revenue (or profit)."""

    basis: Literal["revenue", "net_profit"] = "revenue"
    levels: list[tuple[str, float]] = Field(
        default_factory=lambda: [("top", 0.5), ("large", 0.8), ("medium", 0.95), ("small", 1.0)],
        description="Level name and the cumulative share of the basis it reaches, best customers first.",
    )
    friday_afternoon_visits: float = Field(
        6, gt=0, description="Visits per year from which a customer's profit must justify them (over-served "
        "when its net profit per visit is below the cost of a visit)."
    )
    under_served_visits: float = Field(
        2, ge=0, description="Visits per year below which a customer of an under_served_levels level gets too "
        "little attention."
    )
    under_served_levels: list[str] = Field(
        default_factory=lambda: ["top", "large"], description="Pyramid levels whose customers should be visited."
    )
    cross_sell_max_share: float = Field(
        0.10, gt=0, le=1, description="A product group bought by at most this share of customers counts as "
        "cross-selling value of a loss-making customer that buys it."
    )

    @field_validator("levels")
    @classmethod
    def _increasing(cls, v: list[tuple[str, float]]) -> list[tuple[str, float]]:
        shares = [s for _, s in v]
        if not v or shares != sorted(shares) or shares[-1] != 1.0:
            raise ValueError("pyramid levels need increasing cumulative shares ending at 1.0")
        return v


class CriteriaConfig(_Section):
    """The yes/no questions of the A/B/C matrix and the five criteria (METHODS §2–3).

    Each answer is derived from the data where data can answer it; a manual answer in the assessments
    table (``margin_ok``, ``speed_ok``, ``innovation``, ``network``) always overrides it. A question
    neither the data nor a person answered counts as *no* (source ``none``).
    """

    margin_measure: Literal["profit_pct", "margin_pct"] = Field(
        "profit_pct", description="Margin question: net profit after cost-to-serve over revenue (profit_pct), "
        "or gross margin over revenue (margin_pct)."
    )
    min_margin: float = Field(0.10, description="Margin is yes when the margin measure is at least this fraction.")
    default_terms_days: int = Field(30, ge=0, description="Payment term when the customer master gives none.")
    pay_grace_days: float = Field(0.0, ge=0, description="Days beyond the term that still count as paying fast.")
    max_late_share: float = Field(0.25, ge=0, le=1, description="Largest share of invoices paid late for a fast payer.")
    max_decision_days: float = Field(
        30.0, ge=0, description="Median days from quote to won order (leads) for a fast decider; where unknown, "
        "speed rests on payment alone."
    )
    network_min_score: float = Field(
        27.0, ge=0, le=125, description="Five-criteria network: relevance × reputation × size (each 1–5) of at least "
        "this is yes (27 = 3×3×3); the yes/no answer is used where not scored."
    )
    order_cover_basis: Literal["gross_margin", "revenue"] = Field(
        "gross_margin", description="Five-criteria revenue question: the average order's gross margin (or revenue) "
        "must cover the cost per order (per_order + per_delivery + per_invoice + per_order_line × lines per order)."
    )


class ABCConfig(_Section):
    """The A/B/C matrix: Y = annual revenue + potential, X = yes answers to the four questions (0–4)."""

    top_n: int = Field(20, ge=0, description="The method's exercise: the N largest customers of the window "
                       "(table abc_top; 0 switches it off). Per-customer segments always use the whole base.")
    high_basis: Literal["share", "amount"] = Field(
        "share", description="'High' on Y: the largest customers that together make up high_share of all Y, or "
        "Y of at least high_amount."
    )
    high_share: float = Field(0.8, gt=0, le=1, description="Cumulative share of Y that counts as high (Pareto).")
    high_amount: float = Field(50_000.0, ge=0, description="Y (annual revenue + potential) that counts as high.")
    a_min_yes: int = Field(2, ge=0, le=4, description="A = high Y and at least this many yes answers (else B).")
    c_max_yes: int = Field(2, ge=0, le=4, description="C = low Y and at most this many yes answers (else B).")
    scale_to_answered: bool = Field(
        True, description="When nobody and no data answered some questions in the whole data set, scale a_min_yes "
        "(rounded up) and c_max_yes (rounded down) to the m answerable ones: ceil(a_min_yes·m/4)."
    )


class ABCDConfig(_Section):
    """The five criteria A–D: order size, margin, speed, innovation, network; segment by yes count (0–5)."""

    a_min_yes: int = Field(4, ge=0, le=5, description="A from this many yes answers.")
    b_min_yes: int = Field(3, ge=0, le=5, description="B from this many yes answers.")
    c_min_yes: int = Field(2, ge=0, le=5, description="C from this many; fewer is D.")
    scale_to_answered: bool = Field(
        True, description="Scale the three thresholds (rounded up) to the questions answerable in the data set."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ABCDConfig:
        if not self.a_min_yes >= self.b_min_yes >= self.c_min_yes:
            raise ValueError("abcd needs a_min_yes >= b_min_yes >= c_min_yes")
        return self


class SegmentPolicyRule(_Section):
    """How one segment is served."""

    contact_model: str = Field(description="face-to-face, inside sales or scalable.")
    channels: str = Field("", description="Channels used, e.g. 'visits, phone' or 'e-mail, webshop'.")
    visits_per_year: float = Field(0.0, ge=0, description="Target face-to-face visits per customer per year.")
    service_level: str = Field("", description="Service promise, e.g. 'account manager, reply same day'.")


def _default_policy() -> dict[str, SegmentPolicyRule]:
    r = SegmentPolicyRule
    return {
        "A": r(contact_model="face-to-face", channels="account manager visits, phone", visits_per_year=6,
               service_level="own account manager, priority service, reply the same day"),
        "B": r(contact_model="inside sales", channels="phone, video call, e-mail; a visit a year", visits_per_year=1,
               service_level="inside sales desk, reply within one working day"),
        "C": r(contact_model="scalable", channels="e-mail campaigns, webshop", visits_per_year=0,
               service_level="webshop and shared service desk, reply within two working days"),
        "D": r(contact_model="scalable", channels="webshop; minimum order or order fee", visits_per_year=0,
               service_level="self-service; review terms (minimum order, order fee, discounts)"),
    }


class PolicyConfig(_Section):
    """Contact model, visit frequency and service level per segment, and the sales time it frees or costs."""

    basis: Literal["abc", "abcd"] = Field("abc", description="Which segmentation the policy follows.")
    hours_per_visit: float = Field(2.0, gt=0, description="Hours per visit incl. travel where the data has none.")
    rules: dict[str, SegmentPolicyRule] = Field(default_factory=_default_policy)


class ValueAxis(_Section):
    """One axis of the value matrix, coded 1–3."""

    measure: str = Field(description="Per-customer column, e.g. annual_margin, annual_orders, nps, margin_pct.")
    coding: Literal["tertiles", "fixed"] = Field("tertiles", description="Tertiles of the base or fixed cut-offs.")
    cuts: tuple[float, float] | None = Field(
        None, description="Fixed coding: the lowest value of code 2 and of code 3 (NPS: 7 and 9)."
    )


class ValueMatrixConfig(_Section):
    """The value matrix (METHODS §4): margin × frequency × satisfaction, 27 cells, named groups."""

    margin: ValueAxis = Field(default_factory=lambda: ValueAxis(measure="annual_margin"))
    frequency: ValueAxis = Field(default_factory=lambda: ValueAxis(measure="annual_orders"))
    satisfaction: ValueAxis = Field(default_factory=lambda: ValueAxis(measure="nps", coding="fixed", cuts=(7, 9)))
    nps_missing: Literal["empty", "neutral"] = Field(
        "empty", description="Without an NPS answer: leave the cell empty (group no_nps unless cost), or code "
        "satisfaction 2 (neutral) and mark it."
    )
    tertile_base: Literal["active", "all"] = Field(
        "active", description="Tertile cut-offs from the active customers (one definition of 'customer') or all; "
        "every customer is then coded with them."
    )
    top_min_sum: int = Field(8, ge=3, le=9, description="Top group: no code below 2 and codes summing to at least "
                             "this (8 = 3-3-3 and its neighbours).")
    growth_revenue_quantile: float = Field(
        0.5, ge=0, le=1, description="Growth group buys little: annual revenue at most this quantile (or frequency "
        "code 1); it is checked before the top group."
    )
    growth_margin_quantile: float = Field(
        0.5, ge=0, le=1, description="Growth group: margin % at least this quantile of the base (0.5 = median)."
    )
    cost_complaints_per_year: float = Field(
        1.0, ge=0, description="Cost group: low margin % (lowest third, or a loss) and at least this many "
        "complaints per year."
    )


class ProfileConfig(_Section):
    """The top group's profile against the base, and look-alike scoring of prospects."""

    attributes: list[str] = Field(default_factory=lambda: ["sector", "region", "size_class"])
    alpha: float = Field(0.05, gt=0, lt=1, description="Significance level of the one-sided Fisher exact test.")
    min_count: int = Field(3, ge=1, description="A value is named as a reason only with this many top customers.")
    smoothing: float = Field(1.0, gt=0, description="Laplace smoothing of the shares in look-alike scoring.")


class ClusterConfig(_Section):
    """Data-driven segments: k-means on standardised behaviour, k chosen by the silhouette."""

    enabled: bool = True
    k_min: int = Field(2, ge=2)
    k_max: int = Field(8, ge=2)
    sample: int = Field(5_000, ge=100, description="Customers used to fit (all are assigned).")
    silhouette_sample: int = Field(2_000, ge=100, description="Customers used to compute the silhouette.")
    seed: int = 0

    @model_validator(mode="after")
    def _k_range(self) -> ClusterConfig:
        if self.k_max < self.k_min:
            raise ValueError("clusters needs k_max >= k_min")
        return self


class SegmentsConfig(_Section):
    """Segments (issue 5): A/B/C, A–D, policy, value matrix, profile and look-alikes, clusters."""

    years: int = Field(3, ge=1, le=10, description="Window of annual figures: the last N calendar years up to the "
                       "as-of date ('the last 3–4 years'), annualised over the customer's time in it.")
    criteria: CriteriaConfig = Field(default_factory=CriteriaConfig)
    abc: ABCConfig = Field(default_factory=ABCConfig)
    abcd: ABCDConfig = Field(default_factory=ABCDConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    value_matrix: ValueMatrixConfig = Field(default_factory=ValueMatrixConfig)
    profile: ProfileConfig = Field(default_factory=ProfileConfig)
    clusters: ClusterConfig = Field(default_factory=ClusterConfig)


class PredictionConfig(_Section):
    """Potential and risk (issue 6): repeat-purchase model, CLV, backtest, wallet gap, potential, at-risk list.

    See ``docs/prediction.md`` for every rule. The model is fitted on the order lines up to the as-of date.
    """

    time_unit: Literal["day", "week"] = Field("week", description="Time unit of the BG/NBD model (recency, T).")
    horizon_months: int = Field(12, ge=1, le=120, description="Months ahead for expected orders, revenue and CLV.")
    discount_rate: float = Field(0.10, gt=-1, lt=1, description="Annual discount rate of the CLV (0.10 = 10 %).")
    holdout_months: int | None = Field(
        None, ge=1, le=60, description="Backtest holdout: the last N months up to the as-of date. Default: 6, but "
        "at most a quarter of the data span (whole months); the backtest is skipped below one month."
    )
    min_repeat_customers: int = Field(
        50, ge=2, description="Fewer customers with a repeat purchase than this: no model (prediction columns "
        "empty, a note says why)."
    )
    fallback_penalizer: float | None = Field(
        0.01, gt=0, description="When the plain maximum-likelihood fit does not converge, refit with this L2 "
        "penalty on the log-parameters and say so (empty: report the failure only)."
    )
    model_selection: bool = Field(
        True, description="Fit BG/NBD, Pareto/NBD and MBG/NBD and keep the one with the lowest holdout MAE "
        "(lowest BIC without a holdout); off: BG/NBD only."
    )
    selection_max_customers: int = Field(
        3_000, ge=0, description="Above this many customers only BG/NBD is fitted; the run says so. The choice "
        "fits every candidate twice, and Pareto/NBD (numerical gradient) took over 2 minutes at 20,000 customers."
    )
    selection_min_gain: float = Field(
        0.05, ge=0.0, lt=1.0, description="Pareto/NBD or MBG/NBD replaces BG/NBD only when its holdout MAE is "
        "lower by at least this share (and by more than two standard errors of the per-customer difference)."
    )
    models: list[Literal["bg_nbd", "pareto_nbd", "mbg_nbd"]] = Field(
        default_factory=lambda: ["bg_nbd", "pareto_nbd", "mbg_nbd"], min_length=1,
        description="Candidate repeat-purchase models for the choice (ties go to the first).",
    )
    peers: list[str] = Field(
        default_factory=lambda: ["sector", "size_class"],
        description="Customer columns that define comparable customers for the wallet gap (same values = peers).",
    )
    peer_percentile: float = Field(0.75, gt=0, lt=1, description="Percentile of the peers' annual revenue.")
    min_peers: int = Field(5, ge=2, description="Smallest peer group (buying customers) with a peer revenue.")
    cross_sell_min_share: float = Field(
        0.5, gt=0, le=1, description="A product group is cross-sell room when at least this share of the "
        "customer's peers bought it in the last 12 months and the customer did not."
    )
    valuable_levels: list[str] = Field(
        default_factory=lambda: ["top", "large"],
        description="At-risk list: pyramid levels that count as valuable (without a pyramid: top valuable_share).",
    )
    valuable_share: float = Field(
        0.2, gt=0, le=1, description="Without pyramid levels: the top share of customers by annual revenue."
    )
    at_risk_p_active: float = Field(0.5, gt=0, lt=1, description="At risk when P(active) is below this.")
    recent_months: int = Field(6, ge=1, le=24, description="At risk: the recent period whose order rate is compared.")
    before_months: int = Field(12, ge=1, le=60, description="At risk: the period before it, the comparison base.")
    rate_drop: float = Field(
        0.5, gt=0, lt=1, description="At risk when the recent order rate is at most this fraction of the rate before."
    )
    min_orders_before: int = Field(3, ge=1, description="Orders needed in the period before to judge a drop.")


def _default_attractiveness() -> dict[str, float]:
    return {"revenue_per_customer_year": 15, "margin_pct": 15, "net_profit_per_customer": 20,
            "orders_per_customer_year": 5, "avg_lifetime_years": 10, "customer_value": 10, "upsell_room": 5,
            "cross_sell_room": 5, "members": 5, "trend_match": 10}


def _default_likelihood() -> dict[str, float]:
    return {"win_rate": 20, "sales_cycle_days": 5, "retention": 15, "lookalike": 10, "usp_match": 10,
            "trigger_match": 5, "competitor_success": 5, "reference_cases": 10, "entry_barrier": 5,
            "dmu_access": 5, "urgency": 5, "lead_generation": 5}


class TargetingStability(_Section):
    """How firm the focus choice is: perturb every weight at random and count how often a choice holds."""

    draws: int = Field(1000, ge=0, description="Random weight draws (0 switches the stability test off).")
    spread: float = Field(0.25, ge=0, lt=1, description="Each weight is multiplied by a uniform factor in "
                          "[1 - spread, 1 + spread] (0.25 = ±25 %).")
    seed: int = Field(0, description="Seed of the draws (same seed, same stability).")


class TargetingQuality(_Section):
    """Minimums of the segment quality checks (METHODS §5: homogeneous, distinct, measurable, reachable, large)."""

    min_members: int = Field(30, ge=1, description="A segment is large enough with this many customers + prospects.")
    min_revenue: float = Field(0.0, ge=0, description="... and at least this revenue (its customers, whole period).")
    max_within_ratio: float = Field(0.9, gt=0, description="Homogeneous: within-segment spread of the key measures "
                                    "at most this fraction of the spread in the whole base (median segment).")
    min_between_share: float = Field(0.05, ge=0, le=1, description="Distinct: share of the variance of the key "
                                     "measures that lies between segments (eta squared) at least this.")
    max_unknown_share: float = Field(0.10, ge=0, le=1, description="Measurable: at most this share of customers "
                                     "and prospects without the segmenting attributes (segment 'unknown').")
    min_reachable_share: float = Field(0.80, ge=0, le=1, description="Reachable: at least this share of the "
                                       "customers has an e-mail address (or phone).")
    min_focus_members: int = Field(100, ge=0, description="Together large enough: customers + prospects in the "
                                   "focus segments together.")
    min_focus_revenue_share: float = Field(0.10, ge=0, le=1, description="Together large enough: share of all "
                                           "revenue in the focus segments.")


class TargetingAlarms(_Section):
    """Thresholds of the seven alarm signals, each as (amber, red); the direction is fixed per signal."""

    new_customers_lost: tuple[float, float] = Field(
        (0.25, 0.40), description="Share of new customers that left within a year or did not grow: amber from, "
        "red from.")
    conversion: tuple[float, float] = Field(
        (0.30, 0.15), description="Win rate of closed deals (won / (won + lost)): amber below, red below.")
    buying_process_known: tuple[float, float] = Field(
        (0.80, 0.50), description="Share of won deals with lead, quote and close dates (and a DMU where recorded): "
        "amber below, red below.")
    channels_known: tuple[float, float] = Field(
        (0.80, 0.50), description="Share of sales leads with a known channel: amber below, red below.")
    profile_strength: tuple[float, float] = Field(
        (0.20, 0.10), description="How sharply the top group differs from the base (largest total-variation "
        "distance over the profile attributes, 0-1): amber below, red below.")
    churn_explained: tuple[float, float] = Field(
        (0.65, 0.55), description="Separation of leavers from stayers by the strongest driver (AUC, 0.5 = none): "
        "amber below, red below.")
    customers_per_manager: float = Field(
        150, gt=0, description="Capacity: active customers one account manager can serve with focus; amber from "
        "it, red from 1.25 times it.")
    min_cases: int = Field(10, ge=1, description="Fewer cases than this (new customers, deals, leavers): unknown.")


class TargetingConfig(_Section):
    """Targeting (METHODS §5): segments as attribute combinations, weighted criteria, focus, quality, alarms.

    Weights are relative (they need not add up to 100). A weight key that is not a measured criterion is a
    judged criterion scored 1-5 per segment by people (``scores`` or ``scores_file``); an unscored criterion
    is left out and the other weights renormalised, never counted as zero.
    """

    segment_by: list[str] = Field(
        default_factory=lambda: ["sector", "size_class"],
        description="Attributes whose combination is a segment: customer/prospect columns (sector, size_class, "
        "region, country, channel, value_group ...) or main_product_group, frequency_band, order_size_band.")
    min_segment_size: int = Field(20, ge=0, description="Combinations with fewer customers + prospects are pooled "
                                  "into 'other'.")
    focus_count: int = Field(3, ge=1, description="Number of focus segments (top on attractiveness and likelihood).")
    focus: list[str] = Field(default_factory=list, description="The user's own focus segments (overrides the top k).")
    combine: Literal["mean", "geometric"] = Field(
        "mean", description="Ranking for focus: the mean of the two scores, or their geometric mean.")
    normalise: Literal["minmax", "rank"] = Field(
        "minmax", description="Measured criteria to 0-1 over the segments: min-max, or rank (percentile).")
    attractiveness_weights: dict[str, float] = Field(default_factory=_default_attractiveness)
    likelihood_weights: dict[str, float] = Field(default_factory=_default_likelihood)
    reverse: list[str] = Field(
        default_factory=lambda: ["sales_cycle_days", "competitor_success", "entry_barrier"],
        description="Criteria where less is better (normalised x becomes 1 - x).")
    scores: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="Judged scores 1-5: {segment = {criterion = score}}.")
    scores_file: str | None = Field(None, description="Filled-in scoring sheet (targeting_scores.xlsx or .csv).")
    frequency_cuts: tuple[float, float] = Field((4.0, 12.0), description="frequency_band: orders per year cuts.")
    order_size_cuts: tuple[float, float] = Field((250.0, 1000.0), description="order_size_band: order value cuts.")
    win_rate_prior: float = Field(5.0, ge=0, description="Win rate per segment shrunk towards the overall rate "
                                  "with this many pseudo-deals: (won + k·overall) / (closed + k).")
    stability: TargetingStability = Field(default_factory=TargetingStability)
    quality: TargetingQuality = Field(default_factory=TargetingQuality)
    alarms: TargetingAlarms = Field(default_factory=TargetingAlarms)

    @field_validator("attractiveness_weights", "likelihood_weights")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        bad = sorted(k for k, w in v.items() if w < 0)
        if bad:
            raise ValueError(f"weights must be 0 or more: {', '.join(bad)}")
        return v


GOAL_KINDS = ("customer_retention", "net_revenue_retention", "gross_revenue_retention", "moved_up",
              "new_top_customers", "new_suspects", "new_prospects", "new_customers", "revenue", "net_profit")


class Goal(_Section):
    """One customer goal (METHODS §1): what is measured, the target, whose goal it is and for which period."""

    kind: Literal[GOAL_KINDS] = Field(description="What is measured; see docs/periods.md for each kind.")
    target: float = Field(ge=0, description="Fraction for retention kinds (0.9 = 90%), a count or an amount else.")
    owner: str = Field("company", description="'company', an account manager's name, or 'segment:A' (an A/B/C "
                       "segment or a pyramid level).")
    period: str | None = Field(None, description="Period label (2024, 2024-Q1, 2024-01); default the last period.")
    name: str | None = Field(None, description="How the goal reads in the outputs; default made from the kind.")


def _default_goals() -> list[Goal]:
    """The method's three example goals (METHODS §1)."""
    return [
        Goal(kind="customer_retention", target=0.9, name="retain 90% of last year's customers"),
        Goal(kind="new_top_customers", target=10, name="develop 10 top customers from prospects and lower levels"),
        Goal(kind="new_suspects", target=400, name="identify 400 new suspects"),
    ]


class PeriodsConfig(_Section):
    """Measurement over periods (issue 11): calendar periods, migration, retention, cohorts, the lead funnel."""

    period: Literal["year", "quarter", "month"] = Field("year", description="Calendar period of every "
                                                        "over-time result (labels 2024, 2024-Q1, 2024-01).")
    channel_groups: dict[str, str] = Field(
        default_factory=dict, description="Lead channel → group for extra funnel rows, e.g. {website = 'online', "
        "beurs = 'offline'}; channels not listed belong to no group."
    )


class Config(_Section):
    """The whole configuration."""

    lang: Literal["en", "nl"] = "en"
    currency: str = "EUR"
    as_of: str | None = Field(None, description="Analysis date (yyyy-mm-dd); default the last order date.")
    keep_runs: int = Field(10, ge=0, description="Analysis runs the workspace keeps: storing a run drops the "
                           "oldest beyond this number (0 keeps every run; a run at 10M order lines is about 200 MB).")
    customer_rule: CustomerRule = Field(default_factory=CustomerRule)
    import_options: ImportOptions = Field(default_factory=ImportOptions, alias="import")
    cost_rates: CostRates = Field(default_factory=CostRates)
    pyramid: PyramidConfig = Field(default_factory=PyramidConfig)
    segments: SegmentsConfig = Field(default_factory=SegmentsConfig)
    periods: PeriodsConfig = Field(default_factory=PeriodsConfig)
    goals: list[Goal] = Field(default_factory=_default_goals, description="Customer goals ([[goals]]); without "
                              "any, the method's three examples.")
    prediction: PredictionConfig = Field(default_factory=PredictionConfig)
    targeting: TargetingConfig = Field(default_factory=TargetingConfig)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a TOML config file; ``None`` gives the defaults.

    Raises
    ------
    ConfigError
        When the file is missing, is not TOML, or a value is invalid; the message names the key.
    """
    if path is None:
        return Config()
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file {p} not found: pass an existing TOML file to --config")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file {p} is not valid TOML: {e}") from None
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors())
        raise ConfigError(f"config file {p}: {problems}") from None
