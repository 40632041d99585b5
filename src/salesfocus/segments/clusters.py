"""Data-driven segments beside the rule-based ones: which kinds of buyers does the data itself show?

k-means (scikit-learn) on standardised behaviour: annual revenue and orders (log), margin %, order
value (log), recency, days to pay, share paid late, complaints a year (log), cost-to-serve % and the
number of product groups. Skewed amounts are log-transformed, every feature is clipped to its 1st–99th
percentile and standardised (mean 0, sd 1); missing values take the median. k is chosen from
``k_min..k_max`` by the highest mean silhouette (how much closer customers are to their own cluster
than to the next), on a seeded sample. Each cluster is described in words by the features on which its
mean differs most from the base (at least half a standard deviation), e.g. "high revenue, frequent
orders, pays fast".
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salesfocus.config import ClusterConfig
from salesfocus.errors import NotFittedError

__all__ = ["BehaviourClusters", "FEATURES"]

# feature -> (transform, word when high, word when low)
FEATURES: dict[str, tuple[str, str, str]] = {
    "annual_revenue": ("log", "high revenue", "low revenue"),
    "annual_orders": ("log", "frequent orders", "rare orders"),
    "margin_pct": ("clip", "high margin %", "low margin %"),
    "avg_order_value": ("log", "large orders", "small orders"),
    "recency_days": ("plain", "long since last order", "ordered recently"),
    "days_to_pay": ("plain", "pays slowly", "pays fast"),
    "late_share": ("plain", "often late", "rarely late"),
    "complaints_per_year": ("log", "many complaints", "few complaints"),
    "cts_pct": ("clip", "costly to serve", "cheap to serve"),
    "product_groups": ("plain", "buys many product groups", "buys few product groups"),
}


class BehaviourClusters:
    """k-means on standardised behaviour with k chosen by the silhouette.

    Parameters
    ----------
    config : ClusterConfig
        k range, fit and silhouette sample sizes, seed.

    ``fit(frame)`` takes a pandas frame with ``customer_id`` and the behaviour columns present (others are
    skipped) and sets ``labels_`` (per row), ``k_``, ``silhouettes_`` ({k: score}), ``features_`` and
    ``summary_`` (one row per cluster with means, size and a description in words).
    """

    def __init__(self, config: ClusterConfig) -> None:
        self.config = config

    def key(self, frame: pd.DataFrame) -> str:
        """The fit's inputs as one hash: this module's code, the versions of scikit-learn, numpy and pandas, the
        settings and the frame (its columns, their values, in order). The same key gives the same fit (the seeds
        are fixed), so a fit kept under it (:meth:`fitted`) can be taken instead of fitting again (:meth:`restore`)."""
        h = hashlib.sha256(json.dumps([_code_and_versions(), self.config.model_dump(mode="json"),
                                       list(map(str, frame.columns)), len(frame)]).encode())
        for name in frame.columns:
            col = frame[name]
            if isinstance(col.dtype, np.dtype) and col.dtype.kind in "biuf":
                h.update(col.dtype.str.encode() + np.ascontiguousarray(col.to_numpy()).tobytes())
            else:  # the ids: as text, an empty one apart from a missing one
                h.update("\0".join("\1" if v is None or v != v else str(v) for v in col.tolist()).encode())
        return h.hexdigest()

    def fitted(self) -> dict[str, Any]:
        """What a fit worked out, JSON-ready: k, the silhouettes, the features, the labels and whether the
        description is on the standardised features (all else follows from the frame)."""
        self.check_fitted()
        return {"k": int(self.k_), "silhouettes": {str(k): v for k, v in self.silhouettes_.items()},
                "features": list(self.features_), "labels": self.labels_.tolist(), "scaled": self._scaled}

    def restore(self, frame: pd.DataFrame, fitted: dict[str, Any]) -> BehaviourClusters:
        """Take a fit made on this very frame (:meth:`key`) instead of fitting: the same labels, k, silhouettes,
        features and summary as :meth:`fit` gives."""
        self.features_ = list(fitted["features"])
        self.silhouettes_ = {int(k): v for k, v in fitted["silhouettes"].items()}
        self.k_ = int(fitted["k"])
        self.labels_ = np.asarray(fitted["labels"], dtype=int)
        self._scaled = bool(fitted["scaled"])
        x = self._matrix(frame) if self._scaled else np.zeros((len(frame), len(self.features_)))
        self.summary_ = self._describe(frame, x)
        return self

    def _matrix(self, frame: pd.DataFrame) -> np.ndarray:
        cols = []
        for f in self.features_:
            x = pd.to_numeric(frame[f], errors="coerce").astype(float)
            if FEATURES[f][0] == "log":
                x = np.sign(x) * np.log1p(x.abs())
            lo, hi = x.quantile(0.01), x.quantile(0.99)
            x = x.clip(lo, hi).fillna(x.median())
            sd = x.std()
            cols.append(((x - x.mean()) / sd).to_numpy() if sd and sd > 0 else np.zeros(len(x)))
        return np.column_stack(cols)

    def fit(self, frame: pd.DataFrame) -> BehaviourClusters:
        import sklearn.cluster  # noqa: F401 - load the OpenMP runtime before limiting it
        from threadpoolctl import threadpool_limits

        # one thread: k-means' OpenMP threads stall badly on a busy machine (10-100× slower, measured);
        # threadpoolctl only limits libraries already loaded, hence the import above
        with threadpool_limits(1):
            return self._fit(frame)

    def _fit(self, frame: pd.DataFrame) -> BehaviourClusters:
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score

        cfg = self.config
        self.features_ = [f for f in FEATURES if f in frame.columns and _varies(frame[f])]
        n = len(frame)
        self.silhouettes_: dict[int, float] = {}
        self._scaled = not (n < max(cfg.k_min + 1, 10) or len(self.features_) < 2)
        if not self._scaled:
            self.k_, self.labels_ = 1, np.zeros(n, dtype=int)
            self.summary_ = self._describe(frame, np.zeros((n, len(self.features_))))
            return self
        x = self._matrix(frame)
        rng = np.random.default_rng(cfg.seed)
        fit_idx = rng.choice(n, size=min(n, cfg.sample), replace=False)
        sil_idx = fit_idx[: min(len(fit_idx), cfg.silhouette_sample)]
        x_sil = x[sil_idx]
        dist = _distances(x_sil)
        best = None
        for k in range(cfg.k_min, min(cfg.k_max, n - 1) + 1):
            km = KMeans(n_clusters=k, n_init=2, max_iter=100, random_state=cfg.seed).fit(x[fit_idx])
            lab = km.predict(x_sil)
            if len(set(lab)) < 2:
                continue
            s = float(silhouette_score(x_sil, lab) if dist is None
                      else silhouette_score(dist, lab, metric="precomputed"))
            self.silhouettes_[k] = round(s, 4)
            if best is None or s > best[0] + 1e-9:
                best = (s, k, km)
        if best is None:
            self.k_, self.labels_ = 1, np.zeros(n, dtype=int)
        else:
            _, self.k_, km = best
            # number clusters by size, largest first, so labels are stable and readable
            raw = km.predict(x)
            order = np.argsort(-np.bincount(raw, minlength=self.k_), kind="stable")
            remap = np.empty(self.k_, dtype=int)
            remap[order] = np.arange(self.k_)
            self.labels_ = remap[raw] + 1
        self.summary_ = self._describe(frame, x)
        return self

    def _describe(self, frame: pd.DataFrame, x: np.ndarray) -> pd.DataFrame:
        labels = self.labels_ if self.k_ > 1 else np.ones(len(frame), dtype=int)
        self.labels_ = labels
        rows = []
        z = pd.DataFrame(x, columns=self.features_) if len(self.features_) else pd.DataFrame(index=frame.index)
        for c in sorted(set(labels)):
            m = labels == c
            row: dict = {"cluster": int(c), "customers": int(m.sum()), "share": float(m.mean())}
            for money in ("revenue", "net_profit"):
                if money in frame.columns:
                    row[money] = float(pd.to_numeric(frame.loc[m, money], errors="coerce").sum())
            means = z[m].mean() if len(self.features_) else pd.Series(dtype=float)
            row["description"] = _words(means)
            for f in self.features_:
                row[f"mean_{f}"] = float(pd.to_numeric(frame.loc[m, f], errors="coerce").mean())
            rows.append(row)
        out = pd.DataFrame(rows)
        out["silhouette"] = self.silhouettes_.get(self.k_)
        return out

    def check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise NotFittedError("BehaviourClusters needs fit() first")


@functools.cache
def _code_and_versions() -> list[str]:
    """This module's code and the versions of the libraries a fit depends on (a fit by other code is not taken)."""
    return [hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
            *(f"{lib}={metadata.version(lib)}" for lib in ("scikit-learn", "numpy", "pandas"))]


def _varies(col: pd.Series) -> bool:
    """At least two different numbers (NULLs and text aside)."""
    x = pd.to_numeric(col, errors="coerce")
    return bool(x.min() < x.max())


def _distances(x: np.ndarray) -> np.ndarray | None:
    """The silhouette sample's distances, computed once for every k (scikit-learn computes them per call).

    Only where scikit-learn computes them in one piece too (they fit in its working memory, as the default
    2,000 customers do): the same matrix, so the same scores to the last bit. Else None: per call, as before.
    """
    from sklearn import get_config
    from sklearn.metrics import pairwise_distances

    n = len(x)
    if int(get_config()["working_memory"] * 2**20 // (8 * n)) < n:
        return None
    d = pairwise_distances(x)
    np.fill_diagonal(d, 0.0)  # as scikit-learn does for a sample against itself
    return d


def _words(means: pd.Series) -> str:
    """The features on which a cluster differs most from the base (≥ 0.5 sd), else the largest as 'slightly'."""
    order = means.abs().sort_values(ascending=False)
    word = lambda f: FEATURES[f][1] if means[f] > 0 else FEATURES[f][2]  # noqa: E731
    strong = [word(f) for f, v in order.items() if v >= 0.5][:4]
    if strong:
        return ", ".join(strong)
    weak = [word(f) for f, v in order.items() if v >= 0.1][:2]
    return "slightly " + " and ".join(weak) if weak else "average on every measure"
