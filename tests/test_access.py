"""Tests of qpv_radar.analysis on the real Montpellier QPVs, relays and walking times."""

from __future__ import annotations

import warnings
from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import planner_data as pdat
import pytest
import shapely

from qpv_radar import analysis
from qpv_radar._errors import CrsError, InputFileError


@pytest.fixture(scope="module")
def qpv() -> gpd.GeoDataFrame:
    return pdat.montpellier_qpv()


@pytest.fixture(scope="module")
def relays() -> gpd.GeoDataFrame:
    return pdat.montpellier_relays()


@pytest.fixture(scope="module")
def origins(qpv: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return analysis.origin_points(qpv, pdat.street_nodes())


@pytest.fixture(scope="module")
def tt(origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame) -> pd.DataFrame:
    return pdat.walk_times(origins, relays)


# ----------------------------------------------------------------- slots


def test_parse_slot_maps_to_the_reference_week() -> None:
    ref = datetime(2024, 1, 16, 9, 0)  # a Tuesday inside the TaM feed
    assert analysis.parse_slot("weekday-06:00", ref) == datetime(2024, 1, 16, 6, 0)
    assert analysis.parse_slot("saturday-10:00", ref) == datetime(2024, 1, 20, 10, 0)
    assert analysis.parse_slot("sunday-10:00", ref) == datetime(2024, 1, 21, 10, 0)
    assert analysis.parse_slot("lundi-12:30", ref) == datetime(2024, 1, 15, 12, 30)
    # a weekend reference still gives a weekday for "weekday"
    assert analysis.parse_slot("weekday-21:00", datetime(2024, 1, 20)).weekday() == 1
    assert analysis.parse_slot("2024-01-17T07:15", ref) == datetime(2024, 1, 17, 7, 15)


@pytest.mark.parametrize("bad", ["weekday-25:00", "holiday-10:00", "tomorrow"])
def test_parse_slot_rejects_bad_slots(bad: str) -> None:
    with pytest.raises(analysis.SlotError, match="slot"):
        analysis.parse_slot(bad, datetime(2024, 1, 16))


# ----------------------------------------------------------------- origins


def test_origin_points_spread_the_population_inside_each_perimeter(
    qpv: gpd.GeoDataFrame, origins: gpd.GeoDataFrame
) -> None:
    assert origins.crs.to_epsg() == 4326
    per = origins.groupby("code_qp")["population"].sum()
    expected = qpv.set_index("code_qp")["pop_mun"].astype(float)
    pd.testing.assert_series_equal(
        per.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
    )
    assert (origins["source"] == "street_nodes").all()
    # every origin lies inside its own QPV (street nodes inside the perimeter)
    geoms = qpv.set_index("code_qp").geometry.reindex(origins["code_qp"]).values
    assert shapely.contains(geoms, origins.geometry.values).all()
    # Mosson (the largest QPV) has the most origins; cells bound the count
    counts = origins.groupby("code_qp").size()
    assert counts.idxmax() == "QP034005"
    assert 12 <= len(origins) < 1869  # fewer than the 1,869 raw nodes in the QPVs


def test_origin_points_grid_fallback_and_zero_population(qpv: gpd.GeoDataFrame) -> None:
    q = qpv.copy()
    q.loc[q.index[0], "pop_mun"] = 0
    o = analysis.origin_points(q, None, cell_m=150)
    assert (o["source"] == "grid").all()
    assert o[o["code_qp"] == q.index[0]]["population"].sum() == 0
    assert o["population"].sum() == pytest.approx(q["pop_mun"].sum())


def test_origin_points_errors(qpv: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputFileError, match="pop_mun"):
        analysis.origin_points(qpv.drop(columns="pop_mun"))
    no_crs = gpd.GeoDataFrame(qpv.drop(columns="geometry"), geometry=list(qpv.geometry))
    with pytest.raises(CrsError):
        analysis.origin_points(no_crs)
    neg = qpv.copy()
    neg.loc[neg.index[2], "pop_mun"] = -5
    with pytest.raises(InputFileError, match=r"row 3.*negative"):
        analysis.origin_points(neg)


def test_missing_tt_column_is_reported() -> None:
    with pytest.raises(InputFileError, match="travel_time"):
        analysis.nearest_times(pd.DataFrame({"from_id": [], "to_id": []}), [])


# ----------------------------------------------------------------- indicators


def test_weighted_quantile_matches_numpy_inverted_cdf() -> None:
    rng = np.random.default_rng(3)
    v = rng.uniform(0, 60, 101)
    for q in (0.5, 0.8):
        got = analysis.weighted_quantile(v, np.ones_like(v), q)
        assert got == np.quantile(v, q, method="inverted_cdf")
    # weights count: a point with all the weight is the answer
    assert analysis.weighted_quantile(np.array([1.0, 9.0]), np.array([0.0, 1.0]), 0.5) == 9.0
    assert np.isnan(analysis.weighted_quantile(np.array([1.0]), np.array([0.0]), 0.5))


def test_indicators_on_real_walking_times(
    qpv: gpd.GeoDataFrame, origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, tt: pd.DataFrame
) -> None:
    ind = analysis.qpv_indicators(tt, origins, relays, minutes=20)
    assert set(ind.index) == set(qpv["code_qp"])
    # recompute Mosson's median by hand
    o = origins[origins["code_qp"] == "QP034005"]
    near = tt[tt["from_id"].isin(o.index)].groupby("from_id")["travel_time"].min() / 60
    w = o["population"].reindex(near.index)
    order = np.argsort(near.to_numpy())
    cum = np.cumsum(w.to_numpy()[order]) / w.sum()
    assert ind.loc["QP034005", "median_min"] == pytest.approx(
        near.to_numpy()[order][np.searchsorted(cum, 0.5)]
    )
    shares = ind[["share_within_10", "share_within_20", "share_within_30", "share_within_45"]]
    assert (np.diff(shares.to_numpy(), axis=1) >= 0).all()
    assert (ind["median_min"] <= ind["p80_min"]).all()
    np.testing.assert_allclose(ind["share_uncovered"], 1 - ind["share_within_20"], atol=1e-12)
    # walking: the Mosson has relays nearby, Vert-Bois has none within 20 minutes
    assert ind.loc["QP034005", "median_min"] < 10
    assert ind.loc["QP034015", "share_uncovered"] == 1.0
    assert ind["opportunities"].min() >= 0 and ind["gravity"].gt(0).all()
    assert ind["fca2"].isna().all()  # no capacity given


def test_nothing_covered_when_t_is_tiny(
    origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, tt: pd.DataFrame
) -> None:
    ind = analysis.qpv_indicators(tt, origins, relays, minutes=0.01)
    assert (ind["share_uncovered"] == 1).all()
    assert (ind["opportunities"] == 0).all()


def test_two_step_fca_equals_pysal_access(
    origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, tt: pd.DataFrame
) -> None:
    from access import Access

    demand = origins["population"][origins["population"] > 0]
    # capacities that differ (1 to 5 advisors), so that the ratios weigh the structures
    supply = pd.Series(1.0 + np.arange(len(relays)) % 5, index=relays.index)
    t = tt[tt["from_id"].isin(demand.index)]
    ours = analysis.two_step_fca(t, demand, supply, max_time_s=15 * 60)
    demand_df = pd.DataFrame({"pop": demand})
    supply_df = pd.DataFrame({"cap": supply})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acc = Access(
            demand_df=demand_df,
            demand_index=True,
            demand_value="pop",
            supply_df=supply_df,
            supply_index=True,
            supply_value="cap",
            cost_df=t,
            cost_origin="from_id",
            cost_dest="to_id",
            cost_name="travel_time",
        )
        theirs = acc.two_stage_fca(name="fca", max_cost=15 * 60)
    theirs = theirs.iloc[:, 0].reindex(demand.index).fillna(0.0)
    assert (ours > 0).sum() > 100  # a real test: most origins reach a relay
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-12)
    # capacity counts: with capacity 1 everywhere the ratios differ
    flat = analysis.two_step_fca(t, demand, pd.Series(1.0, index=relays.index), max_time_s=900)
    assert not np.allclose(ours.to_numpy(), flat.to_numpy())
    # and the QPV indicator is the population-weighted mean, per 1,000 residents, whether the
    # capacity is a column of the structures or a Series
    rel = relays.assign(capacity=supply)
    for ind in (
        analysis.qpv_indicators(tt, origins, rel, minutes=15),
        analysis.qpv_indicators(tt, origins, relays, minutes=15, capacity=supply),
    ):
        o = origins[origins["code_qp"] == "QP034006"]
        exp = (ours.reindex(o.index).fillna(0) * o["population"]).sum() / o["population"].sum()
        assert ind.loc["QP034006", "fca2"] == pytest.approx(exp * 1000)


def test_two_step_fca_zero_demand_gives_zero_ratio() -> None:
    tt = pd.DataFrame({"from_id": ["a", "b"], "to_id": ["s", "s"], "travel_time": [60.0, 60.0]})
    got = analysis.two_step_fca(
        tt, pd.Series({"a": 0.0, "b": 0.0}), pd.Series({"s": 2.0}), max_time_s=120
    )
    assert got.tolist() == [0.0, 0.0]


# ----------------------------------------------------------------- opening hours, gaps


def _toy_open_table(ids: list[str], closed: set[str], opens_at: dict[str, int]) -> pd.DataFrame:
    data = {}
    for i in ids:
        row = [i not in closed and m >= opens_at.get(i, 0) for m in range(61)]
        data[i] = row
    return pd.DataFrame.from_dict(data, orient="index", columns=range(61), dtype="boolean")


def test_open_on_arrival_uses_the_arrival_minute() -> None:
    tt = pd.DataFrame(
        {
            "from_id": ["o", "o", "o", "o", "o"],
            "to_id": ["a", "b", "c", "d", "e"],
            "travel_time": [5 * 60.0, 5 * 60.0, 12 * 60.0, 70 * 60.0, 4 * 60.0 + 30],
        }
    )
    # a: unknown hours; b: closed; c and e open from minute 10; d: beyond the table
    table = _toy_open_table(["a", "b", "c", "d", "e"], closed={"b"}, opens_at={"c": 10, "e": 10})
    table.loc["a"] = pd.array([pd.NA] * 61, dtype="boolean")
    strict = analysis.open_on_arrival(tt, table, wait=False)
    assert strict["to_id"].tolist() == ["a", "c"]  # a unknown → open; c open on arrival
    strict = analysis.open_on_arrival(tt, table, unknown="closed", wait=False)
    assert strict["to_id"].tolist() == ["c"]
    # waiting (default): e is reached at 4.5 min, opens at 10 → received at 10 min
    waited = analysis.open_on_arrival(tt, table).set_index("to_id")["travel_time"]
    assert waited.to_dict() == {"a": 300.0, "c": 720.0, "e": 600.0}
    # a structure closing before the arrival minute is not reached
    closing = _toy_open_table(["c"], closed=set(), opens_at={})
    closing.loc["c", 12:] = False
    assert analysis.open_on_arrival(tt[tt["to_id"] == "c"], closing).empty
    closing.loc["c", 12] = True  # open during minute 12: arrival at 12:00 is received
    assert len(analysis.open_on_arrival(tt[tt["to_id"] == "c"], closing)) == 1


def test_open_table_calls_is_open_per_minute() -> None:
    calls = []

    def is_open(oh: str | None, when: datetime) -> bool | None:
        calls.append(when)
        return when.minute >= 30

    dests = pd.DataFrame({"opening_hours": ["Mo-Fr 09:30-12:00", None]}, index=["x", "y"])
    t = analysis.open_table(dests, datetime(2024, 1, 16, 9, 0), horizon_min=45, is_open=is_open)
    assert t.shape == (2, 46)
    assert not t.loc["x", 29] and t.loc["x", 30]
    assert t.loc["y"].isna().all() and len(calls) == 46


def test_coverage_gaps_and_ranking(
    origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, tt: pd.DataFrame
) -> None:
    ids = list(relays.index)
    fs = [i for i in ids if i.startswith("fs:")]
    evening = _toy_open_table(ids, closed=set(ids) - set(fs), opens_at={})
    sunday = _toy_open_table(ids, closed=set(ids), opens_at={})
    gaps = analysis.coverage_gaps(
        {"weekday-09:00": tt, "weekday-18:30": tt, "sunday-10:00": tt},
        origins,
        relays,
        minutes=20,
        open_tables={"weekday-18:30": evening, "sunday-10:00": sunday},
    )
    assert len(gaps) == 12 * 3
    sun = gaps[gaps["slot"] == "sunday-10:00"]
    assert (
        (sun["share_uncovered"] == 1).all()
        and (sun["n_open"] == 0).all()
        and (sun["n_hours_unknown"] == 0).all()
    )
    day = gaps[gaps["slot"] == "weekday-09:00"].set_index("code_qp")
    eve = gaps[gaps["slot"] == "weekday-18:30"].set_index("code_qp")
    assert (eve["share_uncovered"] >= day["share_uncovered"]).all()
    assert (eve["share_uncovered"] > day["share_uncovered"]).any()
    ranked = analysis.rank_gaps(gaps)
    assert ranked["rank"].tolist() == list(range(1, 37))
    assert ranked.iloc[0]["share_uncovered"] == 1.0
    assert ranked["share_uncovered"].is_monotonic_decreasing


def test_indicator_table_is_tidy(
    origins: gpd.GeoDataFrame, relays: gpd.GeoDataFrame, tt: pd.DataFrame
) -> None:
    ids = list(relays.index)
    table = analysis.indicator_table(
        {("relay", "walk", "weekday-09:00"): tt, ("mobility", "walk", "weekday-09:00"): tt},
        origins,
        relays,
        open_tables={("relay", "walk", "weekday-09:00"): _toy_open_table(ids, set(), {})},
        minutes=20,
    )
    assert list(table.columns[:6]) == [
        "code_qp",
        "role",
        "mode",
        "slot",
        "while_open",
        "n_structures",
    ]
    # relay: 12 QPVs x (all, while open); mobility: no relay holds it → nobody covered
    assert len(table) == 12 * 3
    emp = table[table["role"] == "mobility"]
    assert (emp["n_structures"] == 0).all() and (emp["share_uncovered"] == 1).all()
    rel = table[table["role"] == "relay"]
    a = rel[~rel["while_open"]].set_index("code_qp")["share_uncovered"]
    b = rel[rel["while_open"]].set_index("code_qp")["share_uncovered"]
    pd.testing.assert_series_equal(a, b)  # always open → same answer
