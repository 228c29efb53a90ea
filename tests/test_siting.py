"""Tests of qpv_radar.analysis's siting on the real Montpellier QPVs, relays and walking times."""

from __future__ import annotations

import itertools
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import planner_data as pdat
import pytest

from qpv_radar import analysis


@pytest.fixture(scope="module")
def origins() -> gpd.GeoDataFrame:
    return analysis.origin_points(pdat.montpellier_qpv(), pdat.street_nodes())


@pytest.fixture(scope="module")
def relays() -> gpd.GeoDataFrame:
    return pdat.montpellier_relays()


@pytest.fixture(scope="module")
def tt(origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame) -> pd.DataFrame:
    return pdat.walk_times(origins, relays)


def _spopt_objective(tt: pd.DataFrame, demand: pd.Series, cand: list[str], k: int, t: float):
    import pulp
    from spopt.locate import MCLP

    cost = (
        tt.pivot(index="from_id", columns="to_id", values="travel_time")
        .reindex(index=demand.index, columns=cand)
        .fillna(np.inf)
        .to_numpy()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MCLP.from_cost_matrix(cost, demand.to_numpy(), service_radius=t * 60, p_facilities=k)
        m.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = {cand[j] for j, v in enumerate(m.fac_vars) if v.value() > 0.5}
    return float(m.problem.objective.value()), chosen


@pytest.mark.parametrize(("k", "minutes"), [(1, 10), (3, 10), (5, 8), (3, 20)])
def test_max_cover_agrees_with_spopt_mclp(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, k: int, minutes: float
) -> None:
    demand = origins["population"]
    cand = list(relays.index)
    obj, chosen = _spopt_objective(tt, demand, cand, k, minutes)
    # the default solver (scipy milp, HiGHS) reaches spopt MCLP's optimum …
    exact = analysis.exact_max_cover(tt, demand, cand, k, minutes=minutes)
    assert exact["covered"].iloc[-1] == pytest.approx(obj, rel=1e-9)
    assert (exact["method"] == "exact").all()
    # … and so does the spopt path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        via_spopt = analysis.exact_max_cover(tt, demand, cand, k, minutes=minutes, solver="spopt")
    assert via_spopt["covered"].iloc[-1] == pytest.approx(obj, rel=1e-9)
    greedy = analysis.greedy_max_cover(tt, demand, cand, k, minutes=minutes)
    assert len(exact) == k and len(greedy) == k
    assert greedy["covered"].iloc[-1] <= obj + 1e-6
    assert greedy["covered"].iloc[-1] >= (1 - 1 / np.e) * obj
    assert 0 < obj < demand.sum()
    # gains add up and never grow (greedy, and the optimum listed in greedy order)
    for res in (greedy, exact):
        np.testing.assert_allclose(res["gain"].cumsum(), res["covered"])
        assert res["gain"].is_monotonic_decreasing
    # recomputed coverage of both picks on the raw table
    for res in (greedy, exact):
        picked = set(res["place_id"])
        ok = tt[tt["to_id"].isin(picked) & (tt["travel_time"] <= minutes * 60)]["from_id"].unique()
        assert demand.reindex(ok).sum() == pytest.approx(res["covered"].iloc[-1])
    if k == 1:
        assert set(exact["place_id"]) == chosen or exact["covered"].iloc[-1] == obj


def test_exact_is_the_brute_force_optimum_and_beats_greedy(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame
) -> None:
    """The issue's case (k = 3, 20 min on foot, the relays): every triple tried."""
    demand = origins["population"]
    cand = list(relays.index)
    a = analysis.coverage_matrix(tt, demand, cand, minutes=20)
    w = demand.to_numpy(float)
    best = max(
        float(w[a[:, list(trio)].any(axis=1)].sum())
        for trio in itertools.combinations(range(len(cand)), 3)
    )
    exact = analysis.exact_max_cover(tt, demand, cand, 3, minutes=20)
    greedy = analysis.greedy_max_cover(tt, demand, cand, 3, minutes=20)
    assert exact["covered"].iloc[-1] == pytest.approx(best, rel=1e-12)
    # greedy misses the optimum here (its first pick, the best single place, is not in it)
    assert greedy["covered"].iloc[-1] < best - 100
    assert exact["place_id"].iloc[0] != greedy["place_id"].iloc[0]


def test_exact_rejects_an_unknown_solver(tt: pd.DataFrame, origins: gpd.GeoDataFrame) -> None:
    with pytest.raises(analysis.SitingError, match="solver='cbc'"):
        analysis.exact_max_cover(tt, origins["population"], ["fs:844"], 1, minutes=15, solver="cbc")  # type: ignore[arg-type]


def test_k_larger_than_candidates_ranks_them_all(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame
) -> None:
    cand = ["mpt:leo-lagrange", "fs:844"]
    assert set(cand) <= set(tt["to_id"])
    res = analysis.greedy_max_cover(tt, origins["population"], cand, 10, minutes=15)
    assert len(res) == len(cand) and set(res["place_id"]) == set(cand)


def test_no_candidate_and_bad_k(tt: pd.DataFrame, origins: gpd.GeoDataFrame) -> None:
    with pytest.raises(analysis.SitingError, match="no candidate"):
        analysis.greedy_max_cover(tt, origins["population"], [], 3, minutes=15)
    with pytest.raises(analysis.SitingError, match="k=0"):
        analysis.greedy_max_cover(tt, origins["population"], ["x"], 0, minutes=15)


def test_t_so_small_nothing_is_covered(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame
) -> None:
    res = analysis.greedy_max_cover(tt, origins["population"], list(relays.index), 3, minutes=0.01)
    assert (res["gain"] == 0).all() and res["share_covered"].iloc[-1] == 0


def test_zero_population_qpv_adds_nothing(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame
) -> None:
    demand = origins["population"].copy()
    demand[origins["code_qp"] == "QP034005"] = 0.0  # Mosson emptied
    res = analysis.greedy_max_cover(tt, demand, list(relays.index), 2, minutes=10)
    full = analysis.greedy_max_cover(tt, origins["population"], list(relays.index), 2, minutes=10)
    assert res["covered"].iloc[-1] < full["covered"].iloc[-1]
    assert res["covered"].iloc[-1] <= demand.sum()


@pytest.fixture(scope="module")
def places(relays: gpd.GeoDataFrame) -> pd.DataFrame:
    return pdat.walk_times(relays, relays)


FIVE = ["QP034005", "QP034006", "QP034008", "QP034010", "QP034012"]


def test_itinerant_schedule_real(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, places: pd.DataFrame
) -> None:
    sched = analysis.itinerant_schedule(
        tt, origins, places, list(relays.index), qpv_codes=FIVE, half_days=10
    )
    assert sched["half_day"].tolist() == list(analysis.HALF_DAYS)  # every half-day, week order
    assert set(sched["code_qp"]) == set(FIVE)
    # Mosson, by far the most populous, gets the most half-days
    counts = sched["code_qp"].value_counts()
    assert counts.idxmax() == "QP034005" and counts.max() >= 3
    # each QPV's place is the one minimising its residents' mean walking time
    o = origins[origins["code_qp"] == "QP034006"]
    sub = tt[tt["from_id"].isin(o.index)].copy()
    sub["w"] = o["population"].reindex(sub["from_id"]).to_numpy() * sub["travel_time"]
    best = sub.groupby("to_id")["w"].sum().idxmin()
    assert set(sched[sched["code_qp"] == "QP034006"]["place_id"]) == {best}
    # spread: no QPV twice on the same day (a resident who cannot come one day has another),
    # and a QPV with two half-days has them at least two days apart
    day = sched["half_day"].str.split("-").str[0].map(list(analysis.WEEK).index)
    for code, days in day.groupby(sched["code_qp"]):
        assert days.is_unique, code
        if len(days) == 2:
            assert abs(days.diff().iloc[-1]) >= 2, code
    # several half-days: mornings and afternoons
    period = sched["half_day"].str.split("-").str[1]
    assert set(period[sched["code_qp"] == "QP034005"]) == {"am", "pm"}
    # the agent's moves: 0 to start a day (no base), then the walk from the morning's place
    assert (sched.loc[period == "am", "agent_move_min"] == 0).all()
    pm = sched[period == "pm"].reset_index(drop=True)
    am = sched[period == "am"].reset_index(drop=True)
    walk = places.set_index(["from_id", "to_id"])["travel_time"]
    for (_, x), (_, y) in zip(am.iterrows(), pm.iterrows(), strict=True):
        expect = 0.0 if x["place_id"] == y["place_id"] else walk[x["place_id"], y["place_id"]]
        assert y["agent_move_min"] == pytest.approx(expect / 60)
    # fewer half-days than QPVs: the most populous get one each
    short = analysis.itinerant_schedule(
        tt, origins, places, list(relays.index), qpv_codes=FIVE, half_days=2
    )
    assert set(short["code_qp"]) == {"QP034005", "QP034006"}


def test_itinerant_week_is_the_least_travel_among_spread_weeks(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, places: pd.DataFrame
) -> None:
    """Brute force on a 3-day week: every arrangement of the visits with no QPV twice a day."""
    base = "fs:844"
    codes = FIVE[:4]
    days = ("monday", "tuesday", "wednesday")
    sched = analysis.itinerant_schedule(
        tt,
        origins,
        places,
        list(relays.index),
        qpv_codes=codes,
        half_days=6,
        days=days,
        base=base,
        agent_weight=0.0,
    )
    assert len(sched) == 6
    place = dict(zip(sched["code_qp"], sched["place_id"], strict=False))
    assert len(set(place.values())) >= 3  # real moves between places
    walk = places.set_index(["from_id", "to_id"])["travel_time"]

    def leg(a: str, b: str) -> float:
        return 0.0 if a == b else float(walk[a, b])

    def score(slots: list[str | None]) -> tuple[float, float]:
        """(agent's travel in seconds, number of (QPV, am/pm) pairs covered by repeat QPVs)."""
        travel = 0.0
        for d in range(len(days)):
            stops = [place[c] for c in slots[2 * d : 2 * d + 2] if c is not None]
            if stops:
                path = [base, *stops, base]
                travel += sum(leg(u, v) for u, v in itertools.pairwise(path))
        visits = [c for c in slots if c is not None]
        mixed = {(c, i % 2) for i, c in enumerate(slots) if c is not None and visits.count(c) > 1}
        return travel, float(len(mixed))

    got = [None] * 6
    for h, c in zip(sched["half_day"], sched["code_qp"], strict=True):
        d, p = h.split("-")
        got[2 * days.index(d) + (p == "pm")] = c
    visits = sched["code_qp"].tolist()
    best = np.inf
    best_travel = np.inf
    for perm in set(itertools.permutations(visits)):
        if any(perm[2 * d] == perm[2 * d + 1] for d in range(len(days))):
            continue  # a QPV twice on one day
        travel, mixed = score(list(perm))
        best = min(best, travel - 60.0 * mixed)
        best_travel = min(best_travel, travel)
    travel, mixed = score(got)
    assert travel - 60.0 * mixed == pytest.approx(best)
    n_repeat = sum(visits.count(c) > 1 for c in set(visits))
    assert best_travel <= travel <= best_travel + 60.0 * 2 * n_repeat
    # no QPV twice on a day in the answer either
    assert all(got[2 * d] != got[2 * d + 1] for d in range(len(days)))


def test_itinerant_schedule_errors(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, places: pd.DataFrame
) -> None:
    cand = list(relays.index)
    with pytest.raises(analysis.SitingError, match="half_days=11"):
        analysis.itinerant_schedule(tt, origins, places, cand, qpv_codes=FIVE, half_days=11)
    with pytest.raises(analysis.SitingError, match="English day names"):
        analysis.itinerant_schedule(tt, origins, places, cand, days=("lundi", "mardi"))


def test_exact_edge_cases(tt: pd.DataFrame, origins: gpd.GeoDataFrame) -> None:
    cand = ["mpt:leo-lagrange", "fs:844"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        many = analysis.exact_max_cover(tt, origins["population"], cand, 5, minutes=15)
        none = analysis.exact_max_cover(tt, origins["population"], cand, 1, minutes=0.01)
    assert len(many) == 2 and set(many["place_id"]) == set(cand)
    assert len(none) == 1 and none["covered"].iloc[-1] == 0
    with pytest.raises(analysis.SitingError, match="no candidate"):
        analysis.exact_max_cover(tt, origins["population"], [], 1, minutes=15)
