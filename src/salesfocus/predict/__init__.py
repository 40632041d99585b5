"""Potential and risk: repeat-purchase models (BG/NBD, Pareto/NBD, MBG/NBD; ``select_model`` chooses),
the spend model (Gamma-Gamma), CLV and backtests.

Flow: ``rfm_table`` (lazy Ibis, in the engine) → execute → ``BetaGeoModel`` / ``GammaGammaModel``
``.fit`` → ``customer_value`` (per customer: P(active), expected orders, revenue, margin, cost-to-serve,
CLV and CLV in profit) and ``backtest`` (holdout check against a naive baseline). ``peer_revenue`` /
``cross_sell_groups`` (wallet gap), ``potential_revenue`` (one potential with its source) and ``risk_flags`` /
``at_risk_table`` (valuable customers slipping away); ``salesfocus.predict.run.run`` wires them into a run.
"""

from salesfocus.predict.at_risk import at_risk_table, recent_history, risk_flags
from salesfocus.predict.backtest import backtest
from salesfocus.predict.base import CustomerModel
from salesfocus.predict.beta_geo import BetaGeoModel
from salesfocus.predict.clv import DAYS_PER_MONTH, customer_value
from salesfocus.predict.gamma_gamma import GammaGammaModel
from salesfocus.predict.modified_beta_geo import ModifiedBetaGeoModel
from salesfocus.predict.pareto_nbd import ParetoNBDModel
from salesfocus.predict.potential import latest_potential, potential_revenue
from salesfocus.predict.rfm import TIME_UNITS, days_per_unit, holdout_orders, rfm_table
from salesfocus.predict.select import ModelChoice, select_model
from salesfocus.predict.simulate import simulate_bgnbd_orders, simulate_bgnbd_summary, simulate_repeat_summary
from salesfocus.predict.wallet import cross_sell, cross_sell_groups, peer_revenue

__all__ = (
    "BetaGeoModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "CustomerModel",
    "DAYS_PER_MONTH",
    "GammaGammaModel",
    "ModelChoice",
    "TIME_UNITS",
    "at_risk_table",
    "backtest",
    "cross_sell",
    "cross_sell_groups",
    "customer_value",
    "days_per_unit",
    "holdout_orders",
    "latest_potential",
    "peer_revenue",
    "potential_revenue",
    "recent_history",
    "rfm_table",
    "risk_flags",
    "simulate_bgnbd_orders",
    "simulate_bgnbd_summary",
    "simulate_repeat_summary",
    "select_model",
)
