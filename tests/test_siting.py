"""Tests of qpv_radar.siting on the real Montpellier QPVs, relays and walking times."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import planner_data as pdat
import pytest

from qpv_radar import access, siting


@pytest.fixture(scope="module")
def origins() -> gpd.GeoDataFrame:
    return access.origin_points(pdat.montpellier_qpv(), pdat.street_nodes())


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


@pytest.mark.parametrize(("k", "minutes"), [(1, 10), (3, 10), (5, 8)])
def test_max_cover_agrees_with_spopt_mclp(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, k: int, minutes: float
) -> None:
    demand = origins["population"]
    cand = list(relays.index)
    obj, chosen = _spopt_objective(tt, demand, cand, k, minutes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exact = siting.exact_max_cover(tt, demand, cand, k, minutes=minutes)
    greedy = siting.greedy_max_cover(tt, demand, cand, k, minutes=minutes)
    assert exact["covered"].iloc[-1] == pytest.approx(obj)
    assert len(exact) == k and len(greedy) == k
    assert greedy["covered"].iloc[-1] <= obj + 1e-6
    assert greedy["covered"].iloc[-1] >= (1 - 1 / np.e) * obj
    assert 0 < obj < demand.sum()
    # gains add up and never grow (greedy)
    np.testing.assert_allclose(greedy["gain"].cumsum(), greedy["covered"])
    assert greedy["gain"].is_monotonic_decreasing
    # recomputed coverage of the greedy pick on the raw table
    picked = set(greedy["place_id"])
    ok = tt[tt["to_id"].isin(picked) & (tt["travel_time"] <= minutes * 60)]["from_id"].unique()
    assert demand.reindex(ok).sum() == pytest.approx(greedy["covered"].iloc[-1])
    if k == 1:
        assert set(exact["place_id"]) == chosen or exact["covered"].iloc[-1] == obj


def test_k_larger_than_candidates_ranks_them_all(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame
) -> None:
    cand = ["mpt:leo-lagrange", "fs:844"]
    assert set(cand) <= set(tt["to_id"])
    res = siting.greedy_max_cover(tt, origins["population"], cand, 10, minutes=15)
    assert len(res) == len(cand) and set(res["place_id"]) == set(cand)


def test_no_candidate_and_bad_k(tt: pd.DataFrame, origins: gpd.GeoDataFrame) -> None:
    with pytest.raises(siting.SitingError, match="no candidate"):
        siting.greedy_max_cover(tt, origins["population"], [], 3, minutes=15)
    with pytest.raises(siting.SitingError, match="k=0"):
        siting.greedy_max_cover(tt, origins["population"], ["x"], 0, minutes=15)


def test_t_so_small_nothing_is_covered(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame
) -> None:
    res = siting.greedy_max_cover(tt, origins["population"], list(relays.index), 3, minutes=0.01)
    assert (res["gain"] == 0).all() and res["share_covered"].iloc[-1] == 0


def test_zero_population_qpv_adds_nothing(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame
) -> None:
    demand = origins["population"].copy()
    demand[origins["code_qp"] == "QP034005"] = 0.0  # Mosson emptied
    res = siting.greedy_max_cover(tt, demand, list(relays.index), 2, minutes=10)
    full = siting.greedy_max_cover(tt, origins["population"], list(relays.index), 2, minutes=10)
    assert res["covered"].iloc[-1] < full["covered"].iloc[-1]
    assert res["covered"].iloc[-1] <= demand.sum()


def test_itinerant_schedule_real(
    tt: pd.DataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame
) -> None:
    codes = ["QP034005", "QP034006", "QP034008", "QP034010", "QP034012"]
    places = pdat.walk_times(relays, relays)
    sched = siting.itinerant_schedule(
        tt, origins, places, list(relays.index), qpv_codes=codes, half_days=10
    )
    assert len(sched) == 10
    assert set(sched["code_qp"]) == set(codes)
    assert sched["half_day"].iloc[0] == "monday-am" and sched["half_day"].iloc[-1] == "friday-pm"
    # Mosson, by far the most populous, gets the most half-days
    assert sched["code_qp"].value_counts().idxmax() == "QP034005"
    # each QPV's place is the one minimising its residents' mean walking time
    o = origins[origins["code_qp"] == "QP034006"]
    sub = tt[tt["from_id"].isin(o.index)].copy()
    sub["w"] = o["population"].reindex(sub["from_id"]).to_numpy() * sub["travel_time"]
    best = sub.groupby("to_id")["w"].sum().idxmin()
    assert set(sched[sched["code_qp"] == "QP034006"]["place_id"]) == {best}
    assert (sched["agent_move_min"] >= 0).all()
    # fewer half-days than QPVs: the most populous get one each
    short = siting.itinerant_schedule(
        tt, origins, places, list(relays.index), qpv_codes=codes, half_days=2
    )
    assert set(short["code_qp"]) == {"QP034005", "QP034006"}


def test_exact_edge_cases(tt: pd.DataFrame, origins: gpd.GeoDataFrame) -> None:
    cand = ["mpt:leo-lagrange", "fs:844"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        many = siting.exact_max_cover(tt, origins["population"], cand, 5, minutes=15)
        none = siting.exact_max_cover(tt, origins["population"], cand, 1, minutes=0.01)
    assert len(many) == 2 and set(many["place_id"]) == set(cand)
    assert len(none) == 1 and none["covered"].iloc[-1] == 0
    with pytest.raises(siting.SitingError, match="no candidate"):
        siting.exact_max_cover(tt, origins["population"], [], 1, minutes=15)
