"""Arrive-by routing against a brute-force reference on the real TaM feed, and its properties.

The reference scans the forward engine (:func:`travel_time_matrix`, itself checked against an
independent connection scan in ``test_transit.py``) over every second of the window: the latest
departure whose journey arrives by the time. The reverse RAPTOR must give that second exactly.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _radar_data import MOSSON
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qpv_radar import Networks, fetch
from qpv_radar._errors import OptionError
from qpv_radar.networks.gtfs import load_timetable
from qpv_radar.routing.transit import CrowFlyWalk, footpaths, travel_time_matrix
from qpv_radar.routing.transit.arrive import arrive_by_day, transit_arrive_by
from qpv_radar.routing.transit.matrix import _tables_by_position

TAM = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"
DAY = date(2024, 1, 16)
WALK = CrowFlyWalk()
WINDOW = 3600
COMEDIE = (3.8801, 43.6085)
FIXTURES = [HealthCheck.function_scoped_fixture]  # module fixtures, read only


@pytest.fixture(scope="module")
def tam():
    tt = load_timetable(fetch(TAM), DAY)
    return tt, footpaths(tt, WALK)


def _points(rng, tt, n):
    st_ = tt.stops[np.diff(tt.stop_pattern_ptr) > 0]
    st_ = st_[(st_.stop_lon.between(3.80, 3.93)) & (st_.stop_lat.between(43.57, 43.66))]
    pick = st_.sample(n, random_state=int(rng.integers(1 << 30)))
    # half exactly at a stop, half up to ~400 m away from one
    jitter = np.where(np.arange(n) % 2 == 0, 0.0, 1.0)
    lon = pick.stop_lon.to_numpy() + jitter * rng.uniform(-0.004, 0.004, n)
    lat = pick.stop_lat.to_numpy() + jitter * rng.uniform(-0.003, 0.003, n)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)


def _brute_force(tt, fp, tables, n_o, n_d, arrive_s):
    """Latest departure second (and its arrival) by forward searches, one per second."""
    deps = np.arange(arrive_s - WINDOW, arrive_s + 1)
    times = travel_time_matrix(
        tt,
        access=tables.access,
        egress=tables.egress,
        direct=tables.direct,
        footpath_table=fp,
        n_origins=n_o,
        n_destinations=n_d,
        departures_s=deps,
    )
    arrivals = deps[None, None, :] + times
    ok = arrivals <= arrive_s
    last = np.where(ok.any(axis=2), len(deps) - 1 - np.argmax(ok[:, :, ::-1], axis=2), -1)
    dep = np.where(last >= 0, deps[np.maximum(last, 0)], np.nan)
    arr = np.take_along_axis(arrivals, np.maximum(last, 0)[:, :, None], axis=2)[:, :, 0]
    return dep, np.where(last >= 0, arr, np.nan)


def test_300_triples_equal_brute_force_to_the_second(tam) -> None:
    """60 origins × 5 destinations, each origin with its own arrival time (05:00–23:00)."""
    tt, fp = tam
    rng = np.random.default_rng(16)
    compared = answered = transit = 0
    for _ in range(12):  # 12 groups of 5 origins × 5 destinations, one arrival time each
        o, d = _points(rng, tt, 5), _points(rng, tt, 5)
        arrive_s = int(rng.integers(5 * 3600, 23 * 3600))
        got = transit_arrive_by(tt, WALK, o, d, arrive_s=arrive_s, window_s=WINDOW)
        tables = _tables_by_position(tt, WALK, o.geometry, d.geometry, 900, 900, WINDOW)
        want_dep, want_arr = _brute_force(tt, fp, tables, 5, 5, arrive_s)
        np.testing.assert_array_equal(got.departure, want_dep, err_msg=f"arrive {arrive_s}")
        np.testing.assert_array_equal(got.arrival, want_arr, err_msg=f"arrive {arrive_s}")
        compared += want_dep.size
        answered += int(np.isfinite(want_dep).sum())
        walk = np.full((5, 5), np.inf)
        dire = tables.direct
        walk[dire.origin, dire.destination] = np.ceil(dire.time_s)
        transit += int((np.isfinite(want_dep) & (want_dep > arrive_s - walk)).sum())
    assert compared == 300
    assert answered > 200 and transit > 100  # most answers really ride, not just walk


def test_sunday_night_trips_serve_a_monday_half_past_midnight(tam) -> None:
    """A window starting before midnight is routed on the previous day's timetable."""
    monday = date(2024, 1, 15)
    sunday = date(2024, 1, 14)
    assert arrive_by_day(datetime(2024, 1, 15, 0, 30), 3600) == (sunday, 86400 + 1800, 3600)
    assert arrive_by_day(datetime(2024, 1, 15, 5, 30), 3600) == (monday, 5 * 3600 + 1800, 3600)
    assert arrive_by_day(datetime(2024, 1, 15, 5, 30), 7 * 3600) == (sunday, 86400 + 19800, 25200)
    # after 06:00 the window starts at midnight at the earliest
    assert arrive_by_day(datetime(2024, 1, 15, 7, 0), 8 * 3600) == (monday, 25200, 25200.0)
    tt = load_timetable(fetch(TAM), date(2024, 1, 14))  # a Sunday
    fp = footpaths(tt, WALK)
    rng = np.random.default_rng(7)
    o, d = _points(rng, tt, 4), _points(rng, tt, 4)
    arrive_s = 86400 + 1800
    got = transit_arrive_by(tt, WALK, o, d, arrive_s=arrive_s, window_s=WINDOW)
    tables = _tables_by_position(tt, WALK, o.geometry, d.geometry, 900, 900, WINDOW)
    want_dep, _ = _brute_force(tt, fp, tables, 4, 4, arrive_s)
    np.testing.assert_array_equal(got.departure, want_dep)


# ---- properties -------------------------------------------------------------------------------
class _Pair(tuple):
    def __repr__(self) -> str:  # hypothesis prints the fixtures of a failing example
        return "<TaM timetable, footpaths, 3 origins, 3 destinations>"


@pytest.fixture(scope="module")
def pair(tam):
    tt, fp = tam
    rng = np.random.default_rng(3)
    return _Pair((tt, fp, _points(rng, tt, 3), _points(rng, tt, 3)))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(arrive=st.integers(6 * 3600, 22 * 3600), later=st.integers(1, 1800))
def test_arriving_later_never_forces_leaving_earlier(pair, arrive: int, later: int) -> None:
    tt, _, o, d = pair
    a = transit_arrive_by(tt, WALK, o, d, arrive_s=arrive, window_s=2 * WINDOW).departure
    # the same earliest departure (a window ending later starts later too)
    b = transit_arrive_by(
        tt, WALK, o, d, arrive_s=arrive + later, window_s=2 * WINDOW + later
    ).departure
    found = np.isfinite(a)
    assert np.isfinite(b[found]).all() and (b[found] >= a[found]).all()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(arrive=st.integers(6 * 3600, 22 * 3600))
def test_leaving_then_arrives_in_time_and_a_second_later_does_not(pair, arrive: int) -> None:
    tt, fp, o, d = pair
    got = transit_arrive_by(tt, WALK, o, d, arrive_s=arrive, window_s=WINDOW)
    tables = _tables_by_position(tt, WALK, o.geometry, d.geometry, 900, 900, WINDOW)
    for i, j in zip(*np.nonzero(np.isfinite(got.departure)), strict=True):
        t0 = int(got.departure[i, j])
        times = travel_time_matrix(
            tt,
            access=tables.access[tables.access.origin == i].assign(origin=0),
            egress=tables.egress,
            direct=tables.direct[tables.direct.origin == i].assign(origin=0),
            footpath_table=fp,
            n_origins=1,
            n_destinations=3,
            departures_s=[t0, t0 + 1],
            max_time_s=WINDOW + 60,  # ends before the next day's 06:00 horizon
        )[0, j]
        assert t0 + times[0] <= arrive and t0 + times[0] == got.arrival[i, j]
        assert t0 + 1 + times[1] > arrive


# ---- through Networks -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nets() -> Networks:
    return Networks("montpellier")


def _gdf(*pts: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(len(pts))]},
        geometry=gpd.points_from_xy(*zip(*pts, strict=True)),
        crs=4326,
    ).set_index("id")


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(minute=st.integers(6 * 60, 21 * 60))
def test_walking_arrive_by_is_arrival_minus_walk_time(nets: Networks, minute: int) -> None:
    o, d = _gdf(MOSSON), _gdf(COMEDIE, (3.8300, 43.6300))
    when = datetime(2024, 1, 16) + timedelta(minutes=minute)
    walk = nets.travel_times(o, d, mode="walk")["travel_time"].to_numpy()
    got = nets.travel_times(o, d, mode="walk", arrive_by=when, window_minutes=180)
    assert list(got.columns[:5]) == ["from_id", "to_id", "departure", "arrival", "travel_time"]
    assert got["travel_time"].tolist() == walk.tolist()
    assert [when - dep for dep in got["departure"]] == [timedelta(seconds=s) for s in walk]
    assert (got["arrival"] == when).all()


def test_networks_transit_arrive_by_and_itinerary(nets: Networks) -> None:
    o, d = _gdf(MOSSON), _gdf(COMEDIE)
    when = datetime(2024, 1, 16, 9, 0)
    got = nets.travel_times(o, d, mode="transit", arrive_by=when, window_minutes=60)
    dep, arr = got["departure"].iloc[0], got["arrival"].iloc[0]
    assert str(dep.tzinfo) == "Europe/Paris"  # aware, in the feed's zone, like itineraries
    assert (
        dep < arr <= when.replace(tzinfo=dep.tzinfo)
        and got["travel_time"].iloc[0] == (arr - dep).total_seconds()
    )
    assert got.attrs["timetable_day"].used == DAY
    it = nets.itinerary(MOSSON, COMEDIE, mode="transit", arrive_by=when)
    assert it.departure == dep and it.arrival == arr and it.lines
    # leaving a minute later misses it
    later = nets.travel_times(o, d, mode="transit", departure=dep + timedelta(seconds=1))
    assert dep + timedelta(seconds=1 + float(later["travel_time"].iloc[0])) > arr.replace(
        hour=9, minute=0, second=0
    )
    # a date outside the feed: the representative Tuesday answers, times on the asked date
    far = datetime(2026, 12, 8, 9, 0)
    sub = nets.travel_times(o, d, mode="transit", arrive_by=far, window_minutes=60)
    assert sub.attrs["timetable_day"].substituted
    assert sub["departure"].iloc[0].date() == far.date()


def test_too_early_has_a_reason_and_bad_options_are_refused(nets: Networks) -> None:
    o, d = _gdf(MOSSON), _gdf(COMEDIE)
    when = datetime(2024, 1, 16, 9, 0)
    got = nets.travel_times(o, d, mode="transit", arrive_by=when, window_minutes=5)
    assert got["travel_time"].isna().all() and got["departure"].isna().all()
    assert got["reason"].iloc[0].code == "arrive_by.too_early"
    assert "08:55" in got["reason"].iloc[0].text("fr")
    with pytest.raises(OptionError):
        nets.travel_times(o, d, mode="transit", arrive_by=when, departure=when)
    with pytest.raises(OptionError):
        nets.travel_times(o, d, mode="transit", arrive_by=when, percentiles=(50,))


# ---- the person's appointment -----------------------------------------------------------------
@pytest.fixture(scope="module")
def appointment(nets: Networks, tmp_path_factory: pytest.TempPathFactory):
    from qpv_radar.radar import Person, compute_radar

    p = Person(lon=MOSSON[0], lat=MOSSON[1], when=datetime(2024, 1, 16, 6, 0),
               arrive_by=time(9, 0), modes=("walk", "transit"), needs=("creation",))  # fmt: skip
    return compute_radar("montpellier", p, networks=nets)


def test_radar_ranks_by_the_latest_departure(appointment, nets: Networks) -> None:
    radar = appointment
    when = datetime(2024, 1, 16, 9, 0)
    assert radar.person.appointment == when
    for es in radar.entries.values():
        leaves = [e.leave_by for e in es if e.leave_by is not None]
        assert leaves == sorted(leaves, reverse=True) and leaves
        for e in es:
            assert e.leave_by is not None and e.arrival == when
            got = nets.travel_times(
                _gdf(MOSSON), _gdf((e.lon, e.lat)), mode=e.best_mode, arrive_by=when,
                window_minutes=180,
            )  # fmt: skip
            exact = pd.Timestamp(got["departure"].iloc[0]).tz_localize(None)
            assert timedelta(0) <= exact - e.leave_by < timedelta(seconds=1)
            if e.best_mode == "transit":  # the legs are the journey leaving then
                assert e.legs[0].departure.replace(tzinfo=None) == e.leave_by
                assert e.legs[-1].arrival.replace(tzinfo=None) <= when


def test_appointment_in_json_card_and_terminal(appointment, tmp_path: Path, capsys) -> None:
    from qpv_radar.cli.main import main
    from qpv_radar.radar import Radar
    from qpv_radar.render.trip import trip_lines

    radar = appointment
    path = tmp_path / "r.json"
    radar.to_json(path)
    back = Radar.from_json(path)
    assert back.person.appointment == radar.person.appointment
    first = next(iter(radar.entries.values()))[0]
    saved = next(iter(back.entries.values()))[0]
    assert saved.leave_by == first.leave_by
    head, steps = trip_lines(first, radar, "fr")
    hm = f"{first.leave_by.hour}\u00a0h\u00a0{first.leave_by.minute:02d}"
    assert head[0] == f"partez au plus tard à {hm} de chez vous pour arriver avant 9\u00a0h\u00a000"
    assert steps[-1].split()[0] <= "09:00"  # the card never arrives late
    en = trip_lines(first, radar, "en")[0][0]
    assert en.startswith("leave home at ") and en.endswith("to arrive by 9:00")
    args = ["radar", "--lonlat", f"{MOSSON[0]},{MOSSON[1]}", "--when", "2024-01-16T06:00",
            "--arrive-by", "09:00", "--modes", "walk,transit", "--needs", "creation"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "arriver avant 9\u00a0h\u00a000" in out and "partir avant" in out
    assert main([*args[:-4], "--arrive-by", "9h"]) == 2
    assert "illisible" in capsys.readouterr().err


def test_appointment_before_the_start_is_refused() -> None:
    from qpv_radar._errors import PersonError
    from qpv_radar.radar import Person

    with pytest.raises(PersonError) as err:
        Person(lon=MOSSON[0], lat=MOSSON[1], when=datetime(2024, 1, 16, 9, 0),
               arrive_by=datetime(2024, 1, 16, 8, 0))  # fmt: skip
    assert "rendez-vous" in err.value.message("fr")
    # a time not after the start is the next day's (a night shift)
    p = Person(lon=MOSSON[0], lat=MOSSON[1], when=datetime(2024, 1, 15, 22, 0),
               arrive_by=time(5, 30))  # fmt: skip
    assert p.appointment == datetime(2024, 1, 16, 5, 30)
