"""RAPTOR against an independent brute-force reference on the real TaM feed, and the public API.

The reference is a connection scan (CSA) written here from the raw GTFS tables (its own
calendar rules; every trip of the previous, same and next service days, shifted by −24 h, 0 and
+24 h), repeated until no label changes; the final walk leaves from the stop where a ride ends.
It shares only the walking tables (access, egress, footpaths, plain walking), which are inputs
of both.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from numba import njit

from qpv_radar import TimetableError, UnreachableError, fetch
from qpv_radar.networks.gtfs import load_timetable
from qpv_radar.routing.transit import (
    CrowFlyWalk,
    footpaths,
    transit_itineraries,
    transit_itinerary,
    transit_travel_times,
    travel_time_matrix,
    walk_table,
)

TAM = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"
DAY = date(2024, 1, 16)
INF = 2**30
WALK = CrowFlyWalk()


def _read(z: zipfile.ZipFile, name: str) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(z.read(name)), dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


def _secs(s: pd.Series) -> np.ndarray:
    hms = s.str.split(":", expand=True).astype(int)
    return (hms[0] * 3600 + hms[1] * 60 + hms[2]).to_numpy()


def _services(cal: pd.DataFrame, cd: pd.DataFrame, d: date) -> set[str]:
    ymd = d.strftime("%Y%m%d")
    day = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][
        d.weekday()
    ]
    on = set(cal[(cal[day] == "1") & (cal.start_date <= ymd) & (cal.end_date >= ymd)].service_id)
    today = cd[cd.date == ymd]
    on -= set(today[today.exception_type == "2"].service_id)
    on |= set(today[today.exception_type == "1"].service_id)
    return on


@pytest.fixture(scope="module")
def tam():
    path = fetch(TAM)
    tt = load_timetable(path, DAY)
    fp = footpaths(tt, WALK)
    stop_idx = {s: i for i, s in enumerate(tt.stops["stop_id"])}
    with zipfile.ZipFile(path) as z:
        trips, st = _read(z, "trips.txt"), _read(z, "stop_times.txt")
        cal, cd = _read(z, "calendar.txt"), _read(z, "calendar_dates.txt")
    conns = []
    one = timedelta(days=1)
    for k, (d, shift) in enumerate(((DAY, 0), (DAY - one, -86400), (DAY + one, 86400))):
        ids = set(trips[trips.service_id.isin(_services(cal, cd, d))].trip_id)
        s = st[st.trip_id.isin(ids)].copy()
        s["seq"] = s.stop_sequence.astype(int)
        s = s.sort_values(["trip_id", "seq"])
        dep, arr = _secs(s.departure_time) + shift, _secs(s.arrival_time) + shift
        same = s.trip_id.to_numpy()[1:] == s.trip_id.to_numpy()[:-1]
        i = np.flatnonzero(same)
        code = pd.factorize(s.trip_id)[0] + k * 10**6
        stops = s.stop_id.map(stop_idx).to_numpy()
        conns.append(
            pd.DataFrame(
                {
                    "dep": dep[i],
                    "arr": arr[i + 1],
                    "a": stops[i],
                    "b": stops[i + 1],
                    "trip": code[i],
                    "board": s.pickup_type.to_numpy()[i] != "1",
                    "alight": s.drop_off_type.to_numpy()[i + 1] != "1",
                }
            )
        )
    c = pd.concat(conns).sort_values(["dep", "arr"]).reset_index(drop=True)
    c["trip"] = pd.factorize(c["trip"])[0]
    fpo = fp.sort_values("from_idx")
    fp_ptr = np.zeros(tt.n_stops + 1, np.int64)
    np.cumsum(np.bincount(fpo.from_idx, minlength=tt.n_stops), out=fp_ptr[1:])
    ref = {
        "c": tuple(c[k].to_numpy() for k in ("dep", "arr", "a", "b", "trip", "board", "alight")),
        "n_trips": int(c.trip.max()) + 1,
        "fp": (fp_ptr, fpo.to_idx.to_numpy(np.int64), fpo.time_s.to_numpy(np.int64)),
    }
    return tt, fp, ref


@njit(cache=True)
def _csa(
    dep, arr, a, b, trip, board, alight, n_trips, fp_ptr, fp_to, fp_dur, acc_s, acc_t, t0, n, slack
):
    best = np.full(n, INF, np.int64)
    ride = np.full(n, INF, np.int64)
    for k in range(acc_s.shape[0]):
        best[acc_s[k]] = min(best[acc_s[k]], t0 + acc_t[k])
    start = np.searchsorted(dep, t0)
    changed = True
    while changed:
        changed = False
        on = np.zeros(n_trips, np.bool_)
        for c in range(start, dep.shape[0]):
            tr = trip[c]
            if not on[tr] and board[c] and best[a[c]] + slack <= dep[c]:
                on[tr] = True
            if on[tr] and alight[c] and arr[c] < ride[b[c]]:
                s = b[c]
                ride[s] = arr[c]
                changed = True
                best[s] = min(best[s], arr[c])
                for e in range(fp_ptr[s], fp_ptr[s + 1]):
                    best[fp_to[e]] = min(best[fp_to[e]], arr[c] + fp_dur[e])
    return ride  # the final walk starts where a ride ends (max_egress_s caps all of it)


def _points(rng, tt, n):
    st = tt.stops[np.diff(tt.stop_pattern_ptr) > 0]
    st = st[(st.stop_lon.between(3.80, 3.93)) & (st.stop_lat.between(43.57, 43.66))]
    pick = st.sample(n, random_state=int(rng.integers(1 << 30)))
    lon = pick.stop_lon.to_numpy() + rng.uniform(-0.004, 0.004, n)
    lat = pick.stop_lat.to_numpy() + rng.uniform(-0.003, 0.003, n)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)


def _tables(tt, origins, dests, walk=WALK):
    stops = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(tt.stops.stop_lon, tt.stops.stop_lat), crs=4326
    )[np.diff(tt.stop_pattern_ptr) > 0]
    acc = walk_table(walk, origins, stops, max_time_s=900)
    egr = walk_table(walk, stops, dests, max_time_s=900)
    dire = walk_table(walk, origins, dests, max_time_s=None)
    return (
        acc.set_axis(["origin", "stop", "time_s"], axis=1),
        egr.set_axis(["stop", "destination", "time_s"], axis=1),
        dire.set_axis(["origin", "destination", "time_s"], axis=1),
    )


def _reference(ref, tt, acc, egr, dire, o, t0, slack=60, max_time=np.inf):
    a = acc[acc.origin == o]
    ride = _csa(
        *ref["c"],
        ref["n_trips"],
        *ref["fp"],
        a.stop.to_numpy(np.int64),
        np.ceil(a.time_s.to_numpy()).astype(np.int64),
        t0,
        tt.n_stops,
        slack,
    )
    e_best = ride[egr.stop.to_numpy()]
    cand = np.where(e_best < INF, e_best + np.ceil(egr.time_s.to_numpy()), np.inf)
    out = pd.Series(cand).groupby(egr.destination.to_numpy()).min()
    d = dire[dire.origin == o].set_index("destination").time_s.map(np.ceil) + t0
    out = pd.concat([out, d], axis=1).min(axis=1) - t0
    return out.where(out <= max_time, np.inf)


def test_500_triples_equal_brute_force(tam) -> None:
    tt, fp, ref = tam
    rng = np.random.default_rng(2024)
    origins, dests = _points(rng, tt, 100), _points(rng, tt, 200)
    acc, egr, dire = _tables(tt, origins, dests)
    compared = transit_used = 0
    for o in range(100):
        t0 = int(rng.integers(5 * 3600, 22 * 3600))
        ds = rng.choice(200, 5, replace=False)
        got = travel_time_matrix(
            tt,
            access=acc[acc.origin == o].assign(origin=0),
            egress=egr,
            direct=dire[dire.origin == o].assign(origin=0),
            footpath_table=fp,
            n_origins=1,
            n_destinations=200,
            departures_s=[t0],
        )[0, :, 0]
        want = _reference(ref, tt, acc, egr, dire, o, t0).reindex(range(200)).fillna(np.inf)
        assert got[ds].tolist() == want.to_numpy()[ds].tolist(), (o, t0)
        compared += len(ds)
        walk = dire[dire.origin == o].set_index("destination").time_s.map(np.ceil)
        transit_used += int((got[ds] < walk.reindex(ds).fillna(np.inf).to_numpy()).sum())
    assert compared == 500
    assert transit_used > 250  # most sampled trips really ride, not just walk


def test_street_footpaths_equal_brute_force(tam) -> None:
    """The reference again on the street network: its walks, and its footpaths (transfers.txt
    pairs on the streets at their street walk), evening departures around 21:30."""
    from qpv_radar.networks.streets import load_street_network

    tt, _, ref = tam
    net = load_street_network("montpellier", "walk")
    fp = footpaths(tt, net)
    fpo = fp.sort_values("from_idx", kind="stable")
    ptr = np.zeros(tt.n_stops + 1, np.int64)
    np.cumsum(np.bincount(fpo.from_idx, minlength=tt.n_stops), out=ptr[1:])
    sref = {**ref, "fp": (ptr, fpo.to_idx.to_numpy(np.int64), fpo.time_s.to_numpy(np.int64))}
    rng = np.random.default_rng(1030)
    origins, dests = _points(rng, tt, 30), _points(rng, tt, 60)
    acc, egr, dire = _tables(tt, origins, dests, net)
    compared = 0
    for o in range(30):
        t0 = int(rng.integers(21 * 3600, 22 * 3600))
        got = travel_time_matrix(
            tt,
            access=acc[acc.origin == o].assign(origin=0),
            egress=egr,
            direct=dire[dire.origin == o].assign(origin=0),
            footpath_table=fp,
            n_origins=1,
            n_destinations=60,
            departures_s=[t0],
        )[0, :, 0]
        want = _reference(sref, tt, acc, egr, dire, o, t0).reindex(range(60)).fillna(np.inf)
        assert got.tolist() == want.to_numpy().tolist(), (o, t0)
        compared += int(np.isfinite(got).sum())
    assert compared > 600  # pairs with a finite time (points off the streets: none)


def test_window_reuse_equals_independent_departures(tam) -> None:
    tt, fp, ref = tam
    rng = np.random.default_rng(7)
    origins, dests = _points(rng, tt, 8), _points(rng, tt, 30)
    acc, egr, dire = _tables(tt, origins, dests)
    t0 = 7 * 3600 + 50 * 60
    deps = t0 + 60 * np.arange(30)
    got = travel_time_matrix(
        tt,
        access=acc,
        egress=egr,
        direct=dire,
        footpath_table=fp,
        n_origins=8,
        n_destinations=30,
        departures_s=deps,
        board_slack_s=0,
    )
    for o in range(8):
        for k, t in enumerate(deps):
            want = _reference(ref, tt, acc, egr, dire, o, int(t), slack=0)
            want = want.reindex(range(30)).fillna(np.inf)
            assert got[o, :, k].tolist() == want.tolist()


def test_late_evening_goes_on_with_the_next_days_trips(tam) -> None:
    """Without plain walking, late journeys wait for the next morning: still exact."""
    tt, fp, ref = tam
    rng = np.random.default_rng(23)
    origins, dests = _points(rng, tt, 40), _points(rng, tt, 60)
    acc, egr, dire = _tables(tt, origins, dests)
    no_walk = dire.iloc[:0]
    max_time = 6 * 3600  # a departure after 23:00 ends by 05:00 + 6 h ≤ the horizon (06:00)
    next_morning = 0
    for o in range(40):
        t0 = int(rng.integers(23 * 3600, 24 * 3600))
        got = travel_time_matrix(
            tt,
            access=acc[acc.origin == o].assign(origin=0),
            egress=egr,
            direct=no_walk,
            footpath_table=fp,
            n_origins=1,
            n_destinations=60,
            departures_s=[t0],
            max_time_s=max_time,
        )[0, :, 0]
        want = _reference(ref, tt, acc, egr, no_walk, o, t0, max_time=max_time)
        assert got.tolist() == want.reindex(range(60)).fillna(np.inf).tolist(), (o, t0)
        next_morning += int((np.isfinite(got) & (t0 + got > 86400 + 4 * 3600)).sum())
    assert next_morning > 100  # many ride the next day's first trips (after 04:00)


def test_window_running_past_midnight(tam) -> None:
    tt, fp, ref = tam
    rng = np.random.default_rng(5)
    origins, dests = _points(rng, tt, 6), _points(rng, tt, 30)
    acc, egr, dire = _tables(tt, origins, dests)
    deps = 23 * 3600 + 30 * 60 + 60 * np.arange(60)  # 23:30 … 00:29 the next day
    got = travel_time_matrix(
        tt,
        access=acc,
        egress=egr,
        direct=dire,
        footpath_table=fp,
        n_origins=6,
        n_destinations=30,
        departures_s=deps,
    )
    for o in range(6):
        for k in range(0, 60, 7):
            want = _reference(ref, tt, acc, egr, dire, o, int(deps[k])).reindex(range(30))
            assert got[o, :, k].tolist() == want.fillna(np.inf).tolist(), (o, k)
    # the departures after midnight were routed on the next date's timetable, which is cached
    assert tt.for_date(DAY + timedelta(days=1)) is tt.for_date("2024-01-17")


def test_transit_travel_times_public_api(tam) -> None:
    tt, _, _ = tam
    pts = gpd.GeoDataFrame(
        {"name": ["Mosson", "Comédie", "Odysseum"]},
        geometry=gpd.points_from_xy([3.8195, 3.8797, 3.9195], [43.6165, 43.6085, 43.6040]),
        crs=4326,
        index=["mos", "com", "ody"],
    )
    df = transit_travel_times(
        tt, WALK, pts, pts, departure=datetime(2024, 1, 16, 8, 30), window_minutes=60
    )
    assert list(df.columns) == ["from_id", "to_id", "travel_time", "p50", "p80"]
    assert len(df) == 9
    row = df.set_index(["from_id", "to_id"]).loc[("mos", "ody")]
    # tram 1 runs the whole way: about 50 min, far less than the 2 h+ walk
    assert 30 * 60 < row.travel_time < 70 * 60
    assert row.p80 >= row.p50 == row.travel_time
    assert (df[df.from_id == df.to_id].travel_time == 0).all()
    capped = transit_travel_times(
        tt, WALK, pts, pts, departure=datetime(2024, 1, 16, 8, 30), max_time_s=600
    )
    assert capped.set_index(["from_id", "to_id"]).loc[("mos", "ody")].isna().all()


def test_itinerary_legs(tam) -> None:
    tt, _, _ = tam
    it = transit_itinerary(
        tt, WALK, (3.8195, 43.6165), (3.9195, 43.6040), datetime(2024, 1, 16, 8, 30)
    )
    assert it.legs[0].mode == "walk" and it.legs[-1].mode == "walk"
    rides = [leg for leg in it.legs if leg.mode == "ride"]
    assert rides and all(r.route_short_name and len(r.route_color) == 6 for r in rides)
    assert "1" in it.lines  # tram 1 ends at Odysseum
    for a, b in zip(it.legs, it.legs[1:], strict=False):
        assert a.end <= b.start  # legs in order, waits in between
    assert it.legs[-1].end == it.arrival
    assert it.travel_time_s == (it.arrival - it.departure).total_seconds()
    got = transit_travel_times(
        tt,
        WALK,
        gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.8195], [43.6165]), crs=4326),
        gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.9195], [43.6040]), crs=4326),
        departure=datetime(2024, 1, 16, 8, 30),
    )
    assert got.travel_time.iloc[0] == it.travel_time_s
    d = it.to_dict()
    assert d["legs"][1]["route_short_name"] == rides[0].route_short_name
    assert d["arrival"].startswith("2024-01-16T")


def test_departure_on_another_date_is_refused(tam) -> None:
    tt, _, _ = tam
    with pytest.raises(TimetableError, match="load_timetable"):
        transit_itinerary(tt, WALK, (3.82, 43.62), (3.88, 43.61), datetime(2024, 1, 17, 8, 0))


def test_unreachable_destination(tam) -> None:
    tt, _, _ = tam
    crawl = CrowFlyWalk(speed_m_s=1e-6)  # nothing within any walking limit
    with pytest.raises(UnreachableError, match="cannot be reached"):
        transit_itinerary(
            tt, crawl, (3.82, 43.62), (3.88, 43.61), datetime(2024, 1, 16, 8, 0), max_time_s=7200
        )


def test_street_network_walking_legs(tam) -> None:
    from qpv_radar.networks.streets import load_street_network

    tt, _, _ = tam
    net = load_street_network("montpellier", "walk")
    fp = footpaths(tt, net)
    assert len(fp) > 1000
    # beyond 5 min: only pairs listed in transfers.txt with a stop off the streets (straight line)
    tr = tt.feed.transfers
    listed = set(zip(tr.from_idx, tr.to_idx, strict=True))
    long = fp[fp.time_s > 300]
    assert all((a, b) in listed for a, b in zip(long.from_idx, long.to_idx, strict=True))
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([3.8195, 3.8797, 3.9195], [43.6165, 43.6085, 43.6040]),
        crs=4326,
        index=["mos", "com", "ody"],
    )
    df = transit_travel_times(
        tt, net, pts, pts, departure=datetime(2024, 1, 16, 8, 30), window_minutes=10
    ).set_index(["from_id", "to_id"])
    walk = walk_table(net, pts, pts, max_time_s=None).set_index(["from_id", "to_id"])
    # riding the tram beats walking across the city; never slower than walking
    assert df.loc[("mos", "ody"), "travel_time"] < walk.loc[("mos", "ody"), "travel_time"] / 2
    assert (df["travel_time"] <= walk["travel_time"].reindex(df.index) + 1).all()
    it = transit_itinerary(tt, net, (3.8195, 43.6165), (3.9195, 43.6040), datetime(2024, 1, 16, 9))
    assert it.legs[0].mode == "walk" and it.legs[0].to_name in set(tt.stops.stop_name)
    # tram 1 passes Halles de la Paillade (10 min on foot) at 08:41, then Saint-Paul (7 min)
    # at 08:43: same tram, same arrival, the shorter walk is the one shown
    home, centre, at = (3.8200, 43.6321), (3.8767, 43.6109), datetime(2024, 1, 16, 8, 30)
    it = transit_itinerary(tt, net, home, centre, at)
    assert [leg.to_name for leg in it.legs[:2]] == ["Saint-Paul", "Louis Blanc - Agora de la Danse"]
    assert it.legs[0].duration_s < 8 * 60 and it.legs[1].start.strftime("%H:%M") == "08:43"
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*zip(home, centre, strict=True)), crs=4326)
    got = transit_travel_times(tt, net, pts.iloc[:1], pts.iloc[1:], departure=at)
    assert got.travel_time.iloc[0] == it.travel_time_s == 2488


def test_example_transit_to_structures(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "examples" / "transit_to_structures.py"
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "1869 street nodes in 12 QPV" in out
    mosson = next(line for line in out.splitlines() if line.startswith("Mosson"))
    minutes = [float(x) for x in mosson.split()[1:]]
    assert len(minutes) == 4 and all(0 < m < 90 for m in minutes)


def test_itineraries_match_travel_times(tam) -> None:
    tt, _, _ = tam
    rng = np.random.default_rng(11)
    origins, dests = _points(rng, tt, 25), _points(rng, tt, 25)
    rides = 0
    for k in range(25):
        o, d = origins.iloc[[k]], dests.iloc[[k]]
        dep = datetime(2024, 1, 16) + timedelta(seconds=int(rng.integers(6 * 3600, 21 * 3600)))
        want = transit_travel_times(tt, WALK, o, d, departure=dep).travel_time.iloc[0]
        it = transit_itinerary(tt, WALK, o, d, dep)
        assert it.travel_time_s == want
        assert it.legs[0].start.replace(tzinfo=None) >= dep
        for a, b in zip(it.legs, it.legs[1:], strict=False):
            assert a.end <= b.start
            if b.mode == "ride":  # boarding slack respected
                assert (b.start - a.end).total_seconds() >= 60
        for leg in it.legs:
            assert (leg.end - leg.start).total_seconds() == leg.duration_s
        # drawable: the legs' points chain from the origin to the destination, rides pass
        # through the stops of their trip, from the boarding stop to the alighting one
        ends = [(o.geometry.iloc[0].x, o.geometry.iloc[0].y)]
        for leg in it.legs:
            assert leg.coords[0] == pytest.approx(ends[-1])
            ends.append(leg.coords[-1])
            if leg.mode == "ride":
                assert len(leg.coords) >= 2
                names = [_stop_name(tt, xy) for xy in (leg.coords[0], leg.coords[-1])]
                assert names == [leg.from_name, leg.to_name]
        assert ends[-1] == pytest.approx((d.geometry.iloc[0].x, d.geometry.iloc[0].y))
        rides += len(it.lines)
    assert rides > 15


def test_itineraries_to_many_destinations_equal_one_by_one(tam) -> None:
    tt, _, _ = tam
    rng = np.random.default_rng(5)
    origin, dests = _points(rng, tt, 1), _points(rng, tt, 12)
    dests.index = [f"d{i}" for i in range(len(dests))]
    dep = datetime(2024, 1, 16, 8, 30)
    many = transit_itineraries(tt, WALK, origin, dests, dep)
    assert list(many) == list(dests.index)
    for i in dests.index:
        one = transit_itinerary(tt, WALK, origin, dests.loc[[i]], dep)
        assert many[i] == one, i
    # far outside the walking limits and the network: None, not an error
    lost = gpd.GeoDataFrame(geometry=gpd.points_from_xy([4.6], [44.2]), crs=4326, index=["x"])
    assert transit_itineraries(tt, CrowFlyWalk(), origin, lost, dep, max_time_s=3600) == {"x": None}
    with pytest.raises(TimetableError, match="unique"):
        transit_itineraries(tt, WALK, origin, dests.iloc[[0, 0]], dep)


def _stop_name(tt, xy: tuple[float, float]) -> str:
    st = tt.stops
    hit = (st.stop_lon.to_numpy() == xy[0]) & (st.stop_lat.to_numpy() == xy[1])
    return str(st.stop_name[hit].iloc[0])
