"""Top-group profile, look-alike scores, policy hours and clusters, worked out by hand."""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd
import pytest

from salesfocus.config import ClusterConfig, PolicyConfig, ProfileConfig
from salesfocus.errors import NotFittedError
from salesfocus.segments import BehaviourClusters, LookalikeModel, SegmentPolicy


@pytest.fixture
def base():
    """Ten customers; the top group is t1 (Zorg, Antwerpen) and t2 (Zorg, Utrecht).

    Sector: Zorg 4 (t1, t2, c3, c4), Bouw 6. Region: Antwerpen 2 (t1, c5), Utrecht 8.
    """
    return ibis.memtable({
        "customer_id": ["t1", "t2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"],
        "sector": ["Zorg", "Zorg", "Zorg", "Zorg", "Bouw", "Bouw", "Bouw", "Bouw", "Bouw", "Bouw"],
        "region": ["Antwerpen", "Utrecht", "Utrecht", "Utrecht", "Antwerpen"] + ["Utrecht"] * 5,
        "top": [True, True] + [False] * 8,
    })


def test_profile_lift_share_and_fisher_by_hand(base):
    """Zorg: group share 2/2 = 100%, base share 4/10 = 40%, lift 2.5.
    One-sided Fisher: P(both top customers are Zorg) = C(4,2) / C(10,2) = 6/45 = 0.1333 → not significant."""
    m = LookalikeModel(ProfileConfig(attributes=["sector", "region"])).fit(base, "top")
    p = m.profile_table().set_index(["attribute", "value"])
    z = p.loc[("sector", "Zorg")]
    assert z.group_customers == 2 and z.base_customers == 4
    assert z.group_share == 1.0 and z.base_share == 0.4 and z.lift == pytest.approx(2.5)
    assert z.p_value == pytest.approx(6 / 45) and not z.significant
    assert p.loc[("sector", "Bouw")].lift == 0
    a = p.loc[("region", "Antwerpen")]
    assert a.lift == pytest.approx(0.5 / 0.2)
    # sorted by lift within each attribute
    assert list(m.profile_table().value) == ["Antwerpen", "Utrecht", "Zorg", "Bouw"]


def test_lookalike_score_by_hand(base):
    """Sector only, smoothing 1, K = 2 values. Prior logit = ln(2/8).
    Zorg: P(Zorg|top) = 3/4, P(Zorg|rest) = 3/10 → ratio 2.5 → odds 0.625 → P = 0.625/1.625 = 38.46%.
    Bouw: 1/4 over 7/10 → odds 0.25·(5/14) → P = 8.20%. Unknown sector: the prior, 2/10 = 20%."""
    m = LookalikeModel(ProfileConfig(attributes=["sector"], min_count=1)).fit(base, "top")
    prospects = ibis.memtable({"prospect_id": ["p1", "p2", "p3"], "sector": ["Zorg", "Bouw", None]})
    s = m.score(prospects, "prospect_id").to_pandas().set_index("prospect_id")
    assert s.loc["p1", "lookalike_score"] == pytest.approx(100 * 0.625 / 1.625)
    odds = 0.25 * (0.25 / 0.7)
    assert s.loc["p2", "lookalike_score"] == pytest.approx(100 * odds / (1 + odds))
    assert s.loc["p3", "lookalike_score"] == pytest.approx(20.0)
    assert s.loc["p1", "lookalike_reasons"] == "sector Zorg like 100% of your top group (base 40%)"
    assert s.loc["p2", "lookalike_reasons"] == "no trait that is over-represented in the top group"


def test_reasons_with_joint_share(base):
    """Prospect (Zorg, Antwerpen): both over-represented; 1 of 2 top customers has both → together 50%."""
    m = LookalikeModel(ProfileConfig(attributes=["sector", "region"], min_count=1)).fit(base, "top")
    prospects = ibis.memtable({"prospect_id": ["p1", "p2"], "sector": ["Zorg", "Zorg"],
                               "region": ["Antwerpen", "Utrecht"]})
    s = m.score(prospects, "prospect_id").to_pandas().set_index("prospect_id")
    assert s.loc["p1", "lookalike_reasons"] == ("sector Zorg like 100% of your top group (base 40%); region Antwerpen "
                                                "like 50% of your top group (base 20%); together like 50% of your top "
                                                "group")
    assert s.loc["p1", "lookalike_score"] > s.loc["p2", "lookalike_score"]
    # min_count keeps a trait carried by one or two customers out of the reasons
    strict = LookalikeModel(ProfileConfig(attributes=["sector", "region"], min_count=3)).fit(base, "top")
    r = strict.score(prospects, "prospect_id").to_pandas().set_index("prospect_id")
    assert r.loc["p1", "lookalike_reasons"] == "no trait that is over-represented in the top group"


def test_joint_share_is_the_top_customers_sharing_every_matching_value():
    """On random firms (three attributes, missing values, prospects without one attribute): the "together" share
    of each prospect is the count, by brute force, of top customers with all of its over-represented values."""
    rng = np.random.default_rng(4)
    n = 400
    pick = lambda values, k: [None if rng.random() < 0.05 else values[i] for i in rng.integers(0, len(values), k)]  # noqa: E731
    firms = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "sector": pick(["Zorg", "Bouw", "Horeca"], n),
                          "region": pick(["Utrecht", "Gent", "Antwerpen", "Zwolle"], n),
                          "size_class": pick(["1-9", "10-49", "50+"], n)})
    firms["top"] = rng.random(n) < np.where(firms.sector == "Zorg", 0.5, 0.15)
    cfg = ProfileConfig(attributes=["sector", "region", "size_class"], min_count=3)
    m = LookalikeModel(cfg).fit(ibis.memtable(firms), "top")
    prof = m.profile_table()
    over = {(r.attribute, r.value) for r in prof.itertuples() if r.lift > 1 and r.group_customers >= cfg.min_count}
    top = firms[firms.top]
    for attrs in (["sector", "region", "size_class"], ["sector", "region"]):
        prospects = firms.drop(columns=["top"]).rename(columns={"customer_id": "prospect_id"})[["prospect_id", *attrs]]
        got = m.score(ibis.memtable(prospects), "prospect_id").to_pandas().set_index("prospect_id").lookalike_reasons
        checked = 0
        for p in prospects.itertuples(index=False):
            matching = [a for a in attrs if getattr(p, a) is not None and (a, getattr(p, a)) in over]
            if len(matching) < 2:
                assert "together" not in got[p.prospect_id]
                continue
            same = np.logical_and.reduce([top[a] == getattr(p, a) for a in matching])
            share = math.floor(int(same.sum()) * 100 / len(top) + 0.5)  # SQL rounds half away from zero
            assert got[p.prospect_id].endswith(f"together like {share}% of your top group"), p.prospect_id
            checked += 1
        assert checked > 50


def test_score_before_fit_raises():
    with pytest.raises(NotFittedError):
        LookalikeModel(ProfileConfig()).score(ibis.memtable({"prospect_id": ["x"]}), "prospect_id")


def test_policy_hours_by_hand():
    """A: 2 customers visited 2×/year at 3 h each (own hours), policy 6 → 8 visits more, 24 h more.
    C: 1 customer visited 4×/year, no hours in the data → 2 h default; policy 0 → 4 visits, 8 h freed.
    Net: 8 - 24 = -16 hours a year (the policy costs 16 hours)."""
    t = ibis.memtable({"customer_id": ["a1", "a2", "c1"], "abc_segment": ["A", "A", "C"],
                       "visits_per_year": [2.0, 2.0, 4.0], "visits": [2.0, 2.0, 4.0],
                       "visit_hours": [6.0, 6.0, 0.0]})
    pol = SegmentPolicy(PolicyConfig())
    built = pol.build(t)
    s = pol.summarise(built).to_pandas().set_index("segment")
    assert s.loc["A", "visits_now"] == 4 and s.loc["A", "visits_target"] == 12
    assert s.loc["A", "hours_freed"] == pytest.approx(-24) and s.loc["C", "hours_freed"] == pytest.approx(8)
    assert s.loc["A", "contact_model"] == "face-to-face" and s.loc["C", "contact_model"] == "scalable"
    per = built.to_pandas().set_index("customer_id")
    assert per.loc["c1", "visit_target"] == 0 and per.loc["a1", "contact_model"] == "face-to-face"


def test_clusters_find_three_blobs_and_describe_them():
    rng = np.random.default_rng(1)
    n = 150
    blobs = [(10_000, 20, 0.4), (500, 1, 0.1), (3_000, 5, 0.25)]
    rows = []
    for i, (rev, orders, margin) in enumerate(blobs):
        rows.append(pd.DataFrame({
            "customer_id": [f"b{i}-{j}" for j in range(n)],
            "annual_revenue": rev * np.exp(rng.normal(0, 0.1, n)),
            "annual_orders": orders * np.exp(rng.normal(0, 0.1, n)),
            "margin_pct": margin + rng.normal(0, 0.01, n),
        }))
    frame = pd.concat(rows, ignore_index=True)
    m = BehaviourClusters(ClusterConfig(k_min=2, k_max=5)).fit(frame)
    assert m.k_ == 3 and max(m.silhouettes_, key=m.silhouettes_.get) == 3
    lab = pd.Series(m.labels_)
    assert all(lab[i * n:(i + 1) * n].nunique() == 1 for i in range(3))
    desc = dict(zip(m.summary_.cluster, m.summary_.description, strict=True))
    big = int(lab[0])
    assert set(desc[big].split(", ")) == {"frequent orders", "high margin %", "high revenue"}
    assert set(desc[int(lab[n])].split(", ")) == {"rare orders", "low margin %", "low revenue"}
    assert math.isclose(m.summary_.share.sum(), 1.0)


def test_clusters_silhouettes_are_scikit_learns_with_or_without_the_shared_distances():
    """The silhouette sample's distances are computed once for every k; the scores are scikit-learn's own, and
    the same where they do not fit in its working memory and are computed per k. A constant column is no
    feature."""
    import sklearn
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(2)
    n = 300
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)],
                          "annual_revenue": np.r_[rng.normal(10, 1, n // 2), rng.normal(20, 1, n // 2)],
                          "annual_orders": np.r_[rng.normal(3, 1, n // 2), rng.normal(9, 1, n // 2)],
                          "late_share": 0.1})
    cfg = ClusterConfig(k_min=2, k_max=4, sample=200, silhouette_sample=120, seed=5)
    shared = BehaviourClusters(cfg).fit(frame)
    with sklearn.config_context(working_memory=0.01):  # 120 rows of distances do not fit: per k
        per_k = BehaviourClusters(cfg).fit(frame)
    assert shared.features_ == ["annual_revenue", "annual_orders"]
    assert shared.silhouettes_ == per_k.silhouettes_ and list(shared.silhouettes_) == [2, 3, 4]
    assert (shared.labels_ == per_k.labels_).all()
    sil = np.random.default_rng(5).choice(n, size=200, replace=False)[:120]
    x = shared._matrix(frame)
    assert shared.silhouettes_[shared.k_] == round(float(silhouette_score(x[sil], shared.labels_[sil])), 4)


def _blobs(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)],
                         "annual_revenue": np.r_[rng.normal(10, 1, n // 2), rng.normal(20, 1, n - n // 2)],
                         "annual_orders": np.r_[rng.normal(3, 1, n // 2), rng.normal(9, 1, n - n // 2)],
                         "revenue": rng.normal(1000, 100, n)})


@pytest.mark.parametrize("frame", [_blobs(300, 2), _blobs(8, 3), _blobs(300, 2).assign(annual_orders=1.0)],
                         ids=["two blobs", "too few customers", "one feature"])
def test_clusters_taken_from_a_kept_fit_are_the_fit(frame):
    """A fit kept as JSON (what the workspace holds) and taken for the same frame gives what fitting gives:
    labels, k, silhouettes, features and the described summary; on too few customers or one feature too."""
    import json

    cfg = ClusterConfig(k_min=2, k_max=4, sample=200, silhouette_sample=120, seed=5)
    fitted = BehaviourClusters(cfg).fit(frame)
    taken = BehaviourClusters(cfg).restore(frame, json.loads(json.dumps(fitted.fitted())))
    assert (taken.k_, taken.silhouettes_, taken.features_) == (fitted.k_, fitted.silhouettes_, fitted.features_)
    assert taken.labels_.tolist() == fitted.labels_.tolist()
    pd.testing.assert_frame_equal(taken.summary_, fitted.summary_)
    assert taken.fitted() == fitted.fitted()


def test_cluster_key_changes_with_the_data_its_order_and_the_settings():
    frame = _blobs(300, 2)
    cfg = ClusterConfig(k_min=2, k_max=4)
    key = BehaviourClusters(cfg).key(frame)
    assert BehaviourClusters(cfg).key(frame.copy()) == key
    changed = frame.copy()
    changed.loc[7, "annual_orders"] += 1e-9
    renamed = frame.copy()
    renamed.loc[7, "customer_id"] = "other"
    others = [changed, renamed, frame.iloc[::-1].reset_index(drop=True), frame.drop(columns="revenue")]
    assert len({key, *(BehaviourClusters(cfg).key(f) for f in others)}) == 5
    assert BehaviourClusters(ClusterConfig(k_min=2, k_max=5)).key(frame) != key
