"""Potential and risk: repeat-purchase (BG/NBD) and spend (Gamma-Gamma) models, CLV and backtests.

Flow: ``rfm_table`` (lazy Ibis, in the engine) → execute → ``BetaGeoModel`` / ``GammaGammaModel``
``.fit`` → ``customer_value`` (per customer: P(active), expected orders, revenue, margin, cost-to-serve,
CLV and CLV in profit) and ``backtest`` (holdout check against a naive baseline).
"""

from salesfocus.predict.backtest import backtest
from salesfocus.predict.base import CustomerModel
from salesfocus.predict.beta_geo import BetaGeoModel
from salesfocus.predict.clv import DAYS_PER_MONTH, customer_value
from salesfocus.predict.gamma_gamma import GammaGammaModel
from salesfocus.predict.rfm import TIME_UNITS, days_per_unit, holdout_orders, rfm_table
from salesfocus.predict.simulate import simulate_bgnbd_orders, simulate_bgnbd_summary

__all__ = (
    "BetaGeoModel",
    "CustomerModel",
    "DAYS_PER_MONTH",
    "GammaGammaModel",
    "TIME_UNITS",
    "backtest",
    "customer_value",
    "days_per_unit",
    "holdout_orders",
    "rfm_table",
    "simulate_bgnbd_orders",
    "simulate_bgnbd_summary",
)
