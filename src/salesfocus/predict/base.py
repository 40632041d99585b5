"""CustomerModel: the base of the per-customer probability models (validation, dedup, robust MLE).

A subclass declares its required columns, its parameter names and two methods: ``_prepare`` (turns the
validated columns into the arrays the likelihood needs) and ``_nll_grad`` (mean negative log-likelihood and
its gradient with respect to the *log* parameters). The base class does the rest, once for every model:

- constructor stores settings only (nothing is checked or computed until ``fit``);
- ``fit`` checks the columns (naming the missing ones) and values, collapses identical rows into weights
  (customers with the same summary contribute the same likelihood term — on real data with day
  resolution this shrinks the problem many times), and maximises the likelihood with L-BFGS-B on
  log-parameters with the analytic gradient;
- when a start does not converge, or ends with a parameter at its bound (the data do not identify the
  model), it retries from other start points; if no start converges it keeps the best one and sets
  ``converged_ = False`` with the reason in ``fit_message_`` — never a silent result.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from threadpoolctl import threadpool_limits

from salesfocus.errors import InputError, NotFittedError

__all__ = ["CustomerModel", "as_frame", "FitMemory", "fit_memory"]

# Log-parameter box: exp(±LOG_BOUND) covers any sane scale; hitting it means the data do not identify the model.
LOG_BOUND = 15.0


def as_frame(data: Any, required: Sequence[str], *, who: str) -> pd.DataFrame:
    """Return ``data`` as a pandas DataFrame holding ``required`` columns, or raise ``InputError`` naming the gaps.

    Accepts a pandas DataFrame, a mapping of column name → array, or an Ibis table (executed here,
    selecting only the required columns).
    """
    if isinstance(data, pd.DataFrame):
        cols = set(data.columns)
    elif isinstance(data, Mapping):
        cols = set(data)
    elif hasattr(data, "schema") and hasattr(data, "to_pandas"):  # ibis.Table
        cols = set(data.columns)
    else:
        raise InputError(
            f"{who}: expected a pandas DataFrame, a mapping of arrays or an ibis Table, got {type(data).__name__}"
        )
    missing = sorted(set(required) - cols)
    if missing:
        raise InputError(f"{who}: missing required column(s): {', '.join(missing)}")
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return pd.DataFrame({c: np.asarray(data[c]) for c in required})
    return data.select(*required).to_pandas()


@dataclass
class FitMemory:
    """Fits to take instead of optimising again (``known``) and the fits made or taken meanwhile (``used``), each
    keyed by a hash of the model (and its code), its settings and the data it is fitted on (after collapsing
    identical rows); the values are JSON-ready."""

    known: dict[str, dict[str, Any]] = field(default_factory=dict)
    used: dict[str, dict[str, Any]] = field(default_factory=dict)


_MEMORY: ContextVar[FitMemory | None] = ContextVar("salesfocus_fit_memory", default=None)
# What a fit leaves besides what ``fit`` works out from the data before and after optimising.
_FITTED = ("params_", "std_errors_", "log_likelihood_", "converged_", "n_starts_used_", "fit_message_",
           "penalizer_used_")


@contextmanager
def fit_memory(memory: FitMemory) -> Iterator[FitMemory]:
    """Within the block, a fit of the same model, with the same settings, on the same data as one in
    ``memory.known`` takes that fit's result instead of optimising again; every fit is recorded in ``memory.used``.

    The fits are deterministic (fixed seeds), so the result is the same either way. What it saves: a
    re-analysis after a change that leaves the purchase history alone (cost rates, thresholds, answers) fits
    nothing again — the Pareto/NBD candidate alone takes seconds on a few hundred distinct rows.
    """
    token = _MEMORY.set(memory)
    try:
        yield memory
    finally:
        _MEMORY.reset(token)


@functools.cache
def _code_digest(cls: type) -> str:
    """A hash of the source files of ``cls`` and its bases in salesfocus: a fit remembered by other code of the model
    (an upgrade, a fix of its likelihood) is not taken."""
    h = hashlib.sha256()
    for c in cls.__mro__:
        module = sys.modules.get(c.__module__)
        path = getattr(module, "__file__", None)
        if c.__module__.startswith("salesfocus.") and path:
            h.update(Path(path).read_bytes())
    return h.hexdigest()


def _float_column(df: pd.DataFrame, name: str, who: str) -> np.ndarray:
    try:
        values = pd.to_numeric(df[name], errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{who}: column {name!r} must be numeric ({exc})") from None
    bad = ~np.isfinite(values)
    if bad.any():
        raise InputError(f"{who}: column {name!r} has {int(bad.sum())} missing or non-finite value(s)")
    return values


def _wsum(w: np.ndarray, values: np.ndarray, buf: np.ndarray | None = None) -> float:
    """Weighted sum (the products in ``buf`` when given: no temporary). Deliberately not ``np.dot``: a
    multi-threaded BLAS call on a busy 2-core machine is several times slower than this single pass for vectors
    of this size."""
    return float(np.add.reduce(np.multiply(w, values, out=buf)))


class CustomerModel:
    """Base of the maximum-likelihood customer models (see module docstring).

    Parameters
    ----------
    penalizer
        L2 penalty on the **log**-parameters, ``penalizer · Σ log(θ/θ₀)²``, added to the mean negative
        log-likelihood: it shrinks each shape parameter towards θ₀ = 1 and each *scale* parameter
        (``_scale_params``: α, β in time units, γ in money) towards the data's own scale θ₀ (the default
        start: mean time between purchases, mean T, mean spend), in both directions, so it also tames the
        a → 0 / b → ∞ ridges (``lifetimes`` penalises θ² instead, which does nothing against θ → 0). Because
        the scale parameters are measured against the data's scale, a penalised fit does not depend on the
        time unit (day or week) or the currency. 0 (default) is plain maximum likelihood; a small value
        (e.g. 0.01) regularises ill-identified data at the price of some bias.
    n_starts
        Maximum number of start points tried (the default start first, then random perturbations).
    tol
        Tolerance for L-BFGS-B (``ftol`` on the mean negative log-likelihood, ``gtol`` on the gradient).
    max_iter
        Maximum L-BFGS-B iterations per start.
    random_state
        Seed for the alternative start points.
    max_log_se
        Identification check after the optimizer stops: if the standard error of any log-parameter
        (from the observed information) exceeds this (2.0: a 95 % interval wider than a factor e^±4 ≈ 55),
        the likelihood is flat in that direction and the fit is reported as not converged.
    fallback_penalizer
        If set (e.g. 0.01) and the unpenalised fit does not converge, refit once with this penalizer
        and say so in ``fit_message_`` (``penalizer_used_`` records it). None (default): no fallback,
        the failure is reported as it is.
    """

    _required_columns: tuple[str, ...] = ()
    _param_names: tuple[str, ...] = ()
    # Parameters measured in the data's units (time, money): the penalizer shrinks them towards the data's scale.
    _scale_params: tuple[str, ...] = ()
    _model_name: str = "model"

    def __init__(
        self,
        *,
        penalizer: float = 0.0,
        n_starts: int = 5,
        tol: float = 1e-10,
        max_iter: int = 500,
        random_state: int | None = 0,
        max_log_se: float = 2.0,
        fallback_penalizer: float | None = None,
    ) -> None:
        self.penalizer = penalizer
        self.n_starts = n_starts
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.max_log_se = max_log_se
        self.fallback_penalizer = fallback_penalizer

    # ------------------------------------------------------------------ subclass hooks
    def _prepare(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        """Validated columns → arrays (one row per customer) used by the likelihood. Override."""
        raise NotImplementedError

    def _nll_grad(self, log_params: np.ndarray, data: dict[str, np.ndarray]) -> tuple[float, np.ndarray]:
        """Weighted mean negative log-likelihood and its gradient w.r.t. log-parameters. Override.

        ``data`` holds the deduplicated arrays plus ``"w"``, the row weights summing to 1.
        """
        raise NotImplementedError

    def _log_likelihood_terms(self, params: np.ndarray, data: dict[str, np.ndarray]) -> np.ndarray:
        """Per-row log-likelihood at ``params`` (natural scale). Override."""
        raise NotImplementedError

    def _augment(self, data: dict[str, np.ndarray]) -> None:
        """Add derived arrays (e.g. unique-value indexes) to the deduplicated data, in place. Optional."""

    def _default_start(self, data: dict[str, np.ndarray]) -> np.ndarray:
        """Default start, natural scale."""
        return np.ones(len(self._param_names))

    # ------------------------------------------------------------------ public API
    def fit(self, data: Any) -> CustomerModel:
        """Fit the model by maximum likelihood on per-customer rows; returns ``self``.

        Sets ``params_`` (dict), ``std_errors_`` (dict, from the observed information; inf where the
        data do not identify a parameter), ``log_likelihood_`` (total, unpenalised), ``converged_``,
        ``fit_message_``, ``n_customers_``, ``n_unique_rows_`` and ``n_starts_used_``. Within :func:`fit_memory`,
        a remembered fit of the same model, settings and data is taken instead of optimising again.
        """
        self._check_settings()
        df = as_frame(data, self._required_columns, who=f"{type(self).__name__}.fit")
        arrays = self._prepare(df)
        n = len(next(iter(arrays.values()))) if arrays else 0
        if n == 0:
            raise InputError(f"{type(self).__name__}.fit: no customers to fit on")
        dedup, counts = _dedup(arrays)
        dedup["w"] = counts / counts.sum()
        memory = _MEMORY.get()
        # the data as fitted, before the model adds what it derives from them (and its work arrays)
        key = self._memory_key(dedup, float(counts.sum())) if memory is not None else ""
        self._augment(dedup)
        start = np.log(self._default_start(dedup))
        self._penalty_center_ = np.array(
            [start[i] if name in self._scale_params else 0.0 for i, name in enumerate(self._param_names)]
        )
        self.penalizer_used_ = float(self.penalizer)
        if memory is not None and key in memory.known:
            # copies, through JSON as stored (exact for floats): a subclass may go on to change its fit in place
            for name, value in json.loads(json.dumps(memory.known[key])).items():
                setattr(self, name, value)
        else:
            self._optimise(dedup, float(counts.sum()))
        if memory is not None:
            memory.used[key] = json.loads(json.dumps({name: getattr(self, name) for name in _FITTED}))
        self.n_customers_ = int(counts.sum())
        self.n_unique_rows_ = int(len(counts))
        return self

    def _memory_key(self, data: dict[str, np.ndarray], total: float) -> str:
        """The model (its code too), its settings and the (collapsed) data it is fitted on, as one hash (see
        :func:`fit_memory`)."""
        settings = {k: v for k, v in vars(self).items() if not k.startswith("_") and not k.endswith("_")}
        h = hashlib.sha256(json.dumps([type(self).__module__, type(self).__qualname__, _code_digest(type(self)),
                                       settings, total], sort_keys=True, default=str).encode())
        for name in sorted(data):
            a = np.ascontiguousarray(data[name])
            h.update(f"{name}:{a.dtype.str}:{a.shape}".encode())
            h.update(a.tobytes())
        return h.hexdigest()

    def _optimise(self, dedup: dict[str, np.ndarray], total: float) -> None:
        # One BLAS thread: L-BFGS-B's tiny BLAS calls wake OpenBLAS's second thread, which then spins — at
        # 200,000 customers a third of the fit's CPU time, taken from whatever else runs on a 2-core machine.
        with threadpool_limits(1, user_api="blas"):
            self._fit_arrays(dedup, total=total)
            if not self.converged_ and self.fallback_penalizer and not self.penalizer:
                first = self.fit_message_
                self.penalizer_used_ = float(self.fallback_penalizer)
                self._fit_arrays(dedup, total=total)
                self.fit_message_ = (
                    f"regularised: the unpenalised fit failed, refitted with penalizer={self.fallback_penalizer} "
                    f"(log-parameters shrunk: shapes towards 1, scales towards the data's scale; estimates are "
                    f"biased towards them) — {self.fit_message_}. "
                    f"Unpenalised attempt: {first}"
                )

    @property
    def params(self) -> dict[str, float]:
        """Fitted parameters (raises ``NotFittedError`` before ``fit``)."""
        self._check_fitted()
        return dict(self.params_)

    def expected_orders_at(self, ts: Sequence[float], frequency: Any, recency: Any, T: Any) -> list[np.ndarray]:
        """``expected_orders(t, …)`` of the same customers for each horizon in ``ts`` (a model may share work
        across the horizons)."""
        return [self.expected_orders(t, frequency, recency, T) for t in ts]  # type: ignore[attr-defined]

    def summary(self) -> dict[str, Any]:
        """JSON-ready record of the fit: model, params, log-likelihood, convergence and message."""
        self._check_fitted()
        return {
            "model": self._model_name,
            "params": {k: float(v) for k, v in self.params_.items()},
            "std_errors": {k: float(v) for k, v in self.std_errors_.items()},
            "log_likelihood": float(self.log_likelihood_),
            "converged": bool(self.converged_),
            "penalizer": float(self.penalizer_used_),
            "message": self.fit_message_,
            "n_customers": int(self.n_customers_),
        }

    # ------------------------------------------------------------------ machinery
    def _check_settings(self) -> None:
        if not (isinstance(self.penalizer, int | float) and self.penalizer >= 0):
            raise InputError(f"penalizer must be a number >= 0, got {self.penalizer!r}")
        if self.fallback_penalizer is not None and not (
            isinstance(self.fallback_penalizer, int | float) and self.fallback_penalizer > 0
        ):
            raise InputError(f"fallback_penalizer must be None or a number > 0, got {self.fallback_penalizer!r}")
        if not (isinstance(self.n_starts, int) and self.n_starts >= 1):
            raise InputError(f"n_starts must be an integer >= 1, got {self.n_starts!r}")

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet: call fit(data) first")

    def _objective(self, log_params: np.ndarray, data: dict[str, np.ndarray]) -> tuple[float, np.ndarray]:
        f, g = self._nll_grad(log_params, data)
        pen = getattr(self, "penalizer_used_", self.penalizer)
        if pen:
            d = log_params - getattr(self, "_penalty_center_", 0.0)
            f = f + pen * float(np.sum(d**2))
            g = g + pen * 2.0 * d
        if not np.isfinite(f):
            return 1e300, np.zeros_like(log_params)
        return float(f), g

    def _fit_arrays(self, data: dict[str, np.ndarray], *, total: float) -> None:
        rng = np.random.default_rng(self.random_state)
        k = len(self._param_names)
        bounds = [(-LOG_BOUND, LOG_BOUND)] * k
        base = np.log(self._default_start(data))
        best: tuple[float, np.ndarray, np.ndarray, bool, str] | None = None
        attempts: list[str] = []
        for i in range(self.n_starts):
            x0 = base if i == 0 else base + rng.normal(0.0, 1.0, size=k)
            res = optimize.minimize(
                self._objective,
                np.clip(x0, -LOG_BOUND + 1, LOG_BOUND - 1),
                args=(data,),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 1e-7, "maxls": 50},
            )
            ok, why = self._assess(res)
            se_log = self._log_param_std_errors(res.x, data, total) if ok else np.full(k, np.nan)
            if ok:
                weak = [
                    f"{n} (SE of log {n} = {s:.3g})"
                    for n, s in zip(self._param_names, se_log, strict=True)
                    if not np.isfinite(s) or s > self.max_log_se
                ]
                if weak:
                    ok = False
                    why = (
                        f"the optimizer stopped ({why}) but the likelihood is flat along {', '.join(weak)}: "
                        "the data do not identify the model"
                    )
            attempts.append(f"start {i + 1}: {why}")
            if best is None or (ok and not best[3]) or (ok == best[3] and res.fun < best[0]):
                best = (float(res.fun), res.x.copy(), se_log, ok, why)
            if ok:
                break
        assert best is not None
        _, x, se_log, ok, why = best
        params = np.exp(x)
        if not np.any(np.isfinite(se_log)):
            se_log = self._log_param_std_errors(x, data, total)
        self.params_ = dict(zip(self._param_names, params.tolist(), strict=True))
        self.std_errors_ = dict(zip(self._param_names, (params * se_log).tolist(), strict=True))
        ll_terms = self._log_likelihood_terms(params, data)
        self.log_likelihood_ = _wsum(data["w"], ll_terms) * total
        self.converged_ = bool(ok)
        self.n_starts_used_ = len(attempts)
        if ok:
            self.fit_message_ = f"converged ({why}) after {len(attempts)} start(s)"
        else:
            self.fit_message_ = (
                f"NOT converged after {len(attempts)} start(s); kept the best (highest likelihood) attempt. "
                + "; ".join(attempts)
                + ". Consider more data, a longer calibration period or a small penalizer (e.g. 0.01)."
            )

    def _log_param_std_errors(self, x: np.ndarray, data: dict[str, np.ndarray], total: float) -> np.ndarray:
        """Standard errors of the log-parameters from the observed information at ``x``.

        The Hessian of the total negative log-likelihood is taken by central differences of the analytic
        gradient. Where it is not positive definite, parameters loading on its flat or negative
        directions get an infinite standard error; the others are computed on the remaining subspace.
        """
        k = len(x)
        h = 1e-5
        hess = np.empty((k, k))
        for j in range(k):
            e = np.zeros(k)
            e[j] = h
            hess[:, j] = (self._objective(x + e, data)[1] - self._objective(x - e, data)[1]) / (2 * h)
        hess = 0.5 * (hess + hess.T) * total
        if not np.all(np.isfinite(hess)):
            return np.full(k, np.inf)
        eig, vec = np.linalg.eigh(hess)
        flat = eig <= 1e-8 * max(float(np.max(np.abs(eig))), 1e-300)
        var = (vec[:, ~flat] ** 2) @ (1.0 / eig[~flat])
        se = np.sqrt(var)
        if np.any(flat):
            se[np.any(np.abs(vec[:, flat]) > 0.1, axis=1)] = np.inf
        return se

    def _assess(self, res: optimize.OptimizeResult) -> tuple[bool, str]:
        if not np.all(np.isfinite(res.x)) or not np.isfinite(res.fun) or res.fun >= 1e299:
            return False, "likelihood not finite"
        at_bound = [n for n, v in zip(self._param_names, res.x, strict=True) if abs(v) >= LOG_BOUND - 1e-3]
        if at_bound:
            vals = ", ".join(f"{n}={np.exp(v):.3g}" for n, v in zip(self._param_names, res.x, strict=True))
            return (
                False,
                f"parameter(s) {', '.join(at_bound)} ran to the bound ({vals}): the data do not identify the model",
            )
        if not res.success:
            msg = res.message if isinstance(res.message, str) else res.message.decode()
            # L-BFGS-B may stop on a line-search failure at an optimum; accept when the gradient is tiny.
            if np.max(np.abs(res.jac)) < 1e-5:
                return True, f"optimum reached (optimizer note: {msg})"
            return False, f"optimizer stopped: {msg} (max |gradient| {np.max(np.abs(res.jac)):.2g})"
        return True, f"{res.nit} iterations"


def _dedup(arrays: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Collapse identical rows of the arrays into unique rows plus counts (pandas hash grouping: fast)."""
    names = list(arrays)
    counts = pd.DataFrame({n: arrays[n] for n in names}).value_counts(sort=False)
    index = counts.index
    uniq = {n: np.ascontiguousarray(index.get_level_values(j).to_numpy(dtype="float64")) for j, n in enumerate(names)}
    return uniq, counts.to_numpy(dtype="float64")
