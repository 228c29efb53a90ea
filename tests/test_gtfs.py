"""GTFS reading and calendar rules: small hand-written feeds, plus the real TaM and TAG feeds."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from qpv_radar import InputFileError, ServicePeriodError, TimetableError, fetch
from qpv_radar.networks.gtfs import (
    dates_with_service,
    load_timetable,
    read_feed,
    service_period,
    services_on,
)
from qpv_radar.routing.transit import (
    CrowFlyWalk,
    footpaths,
    stop_arrivals,
    transit_travel_times,
    walk_table,
)

TAM = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"
TAG = "gtfs/grenoble_sem_tag_2023-04/SEM-GTFS.zip"
SPO = "gtfs/sao_paulo_r5py/spo_gtfs.zip"

AGENCY = (
    "\ufeffagency_id,agency_name,agency_url,agency_timezone\n"
    'A1,"Bus, Inc.",http://a,Europe/Paris\n'
    "A2,Tram,http://b,Europe/Paris\n"
)
# four stops on a line ~1 km apart (far enough that no footpath joins them), one station
STOPS = (
    "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
    'ST,"Gare, centrale",43.60,3.80,1,\n'
    "A,Gare quai A,43.600,3.800,0,ST\n"
    "B,Bravo,43.610,3.800,0,\n"
    "C,Charlie,43.620,3.800,0,\n"
    "D,Delta (no departures),43.630,3.800,0,\n"
)
ROUTES = (
    "route_id,agency_id,route_short_name,route_long_name,route_type,route_color\n"
    "R1,A1,1,Ligne un,3,FF0000\n"
    "R2,A2,T,Tram,0,00FF00\n"
)


def write_feed(path: Path, **tables: str | None) -> Path:
    """Write a GTFS zip from ``name=text`` pairs (``agency``, ``stops``… without .txt; None
    leaves the file out)."""
    base: dict[str, str | None] = {"agency": AGENCY, "stops": STOPS, "routes": ROUTES}
    base.update(tables)
    with zipfile.ZipFile(path, "w") as z:
        for name, text in base.items():
            if text is not None:
                z.writestr(f"{name}.txt", text)
    return path


def st_rows(trip: str, times: list[tuple[str, str]]) -> str:
    return "".join(f"{trip},{s},{t},{t},{i + 1}\n" for i, (s, t) in enumerate(times))


ST_HEAD = "trip_id,stop_id,arrival_time,departure_time,stop_sequence\n"
CAL_HEAD = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
)


def arrivals(tt, stop: str, when_s: int) -> dict[str, int]:
    idx = {s: i for i, s in enumerate(tt.stops["stop_id"])}
    fp = footpaths(tt, CrowFlyWalk(), max_transfer_s=60)
    best = stop_arrivals(tt, fp, [idx[stop]], [0], when_s)
    return {s: int(best[i]) for s, i in idx.items() if best[i] < 2**30}


def test_calendar_dates_only(tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "f.zip",
        trips="route_id,service_id,trip_id\nR1,S1,t1\nR1,S2,t2\n",
        stop_times=ST_HEAD
        + st_rows("t1", [("A", "08:00:00"), ("B", "08:10:00")])
        + st_rows("t2", [("A", "09:00:00"), ("C", "09:20:00")]),
        calendar_dates="service_id,date,exception_type\nS1,20240305,1\nS2,20240307,1\n",
    )
    f = read_feed(feed)
    assert service_period(f) == (date(2024, 3, 5), date(2024, 3, 7))
    assert dates_with_service(f) == [date(2024, 3, 5), date(2024, 3, 7)]
    assert list(load_timetable(feed, "2024-03-05").trips["trip_id"]) == ["t1"]
    assert list(load_timetable(feed, "2024-03-07").trips["trip_id"]) == ["t2"]
    with pytest.raises(
        ServicePeriodError, match=r"no public transport runs on 2024-03-06.*2024-03-05"
    ):
        load_timetable(feed, "2024-03-06")


def test_removal_and_addition_on_a_regular_day(tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "f.zip",
        calendar=CAL_HEAD
        + "WK,1,1,1,1,1,0,0,20240101,20240229\nHOL,0,0,0,0,0,0,0,20240101,20240229\n",
        calendar_dates="service_id,date,exception_type\nWK,20240116,2\nHOL,20240116,1\n",
        trips="route_id,service_id,trip_id\nR1,WK,week\nR1,HOL,holiday\n",
        stop_times=ST_HEAD
        + st_rows("week", [("A", "08:00:00"), ("B", "08:10:00")])
        + st_rows("holiday", [("A", "10:00:00"), ("B", "10:30:00")]),
    )
    f = read_feed(feed)
    assert services_on(f, "2024-01-15") == {"WK"}
    assert services_on(f, "2024-01-16") == {"HOL"}
    assert services_on(f, "2024-01-20") == set()  # Saturday
    tt = load_timetable(feed, "2024-01-16")
    assert list(tt.trips["trip_id"]) == ["holiday"]
    assert arrivals(tt, "A", 8 * 3600)["B"] == 10 * 3600 + 1800
    with pytest.raises(ServicePeriodError):
        load_timetable(feed, "2024-01-20")


def test_times_past_midnight_belong_to_previous_day(tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "f.zip",
        calendar=CAL_HEAD
        + "MON,1,0,0,0,0,0,0,20240101,20240131\nTUE,0,1,0,0,0,0,0,20240101,20240131\n",
        trips="route_id,service_id,trip_id\nR1,MON,late\nR1,TUE,day\n",
        stop_times=ST_HEAD
        + st_rows("late", [("A", "23:50:00"), ("B", "24:10:00"), ("C", "24:20:00")])
        + st_rows("day", [("A", "12:00:00"), ("B", "12:10:00")]),
    )
    tue = load_timetable(feed, "2024-01-16")
    assert sorted(tue.trips["trip_id"]) == ["day", "late"]
    assert tue.trips.set_index("trip_id").loc["late", "previous_day"]
    # on Tuesday 00:05, the Monday trip is still running: B at 00:10 → C at 00:20
    assert arrivals(tue, "B", 5 * 60)["C"] == 20 * 60
    mon = load_timetable(feed, "2024-01-15")
    assert arrivals(mon, "A", 23 * 3600 + 45 * 60)["C"] == 24 * 3600 + 20 * 60
    # a Wednesday has no trip of its own, only none left from Tuesday → no service
    with pytest.raises(ServicePeriodError):
        load_timetable(feed, "2024-01-17")


@pytest.mark.parametrize("exact", ["1", "0", None])
def test_frequencies_expanded_to_trips(tmp_path: Path, exact: str | None) -> None:
    head = "trip_id,start_time,end_time,headway_secs" + (",exact_times\n" if exact else "\n")
    row = "f,08:00:00,09:00:00,600" + (f",{exact}\n" if exact else "\n")
    feed = write_feed(
        tmp_path / "f.zip",
        calendar=CAL_HEAD + "ALL,1,1,1,1,1,1,1,20240101,20241231\n",
        trips="route_id,service_id,trip_id\nR1,ALL,f\n",
        stop_times=ST_HEAD + st_rows("f", [("A", "05:00:00"), ("B", "05:10:00")]),
        frequencies=head + row,
    )
    tt = load_timetable(feed, "2024-06-04")
    assert tt.n_trips == 6  # 08:00, 08:10 … 08:50 (end_time excluded)
    assert arrivals(tt, "A", 8 * 3600 + 25 * 60)["B"] == 8 * 3600 + 40 * 60
    assert "B" not in arrivals(tt, "A", 8 * 3600 + 51 * 60)


def test_stop_without_departures_and_pickup_rules(tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "f.zip",
        calendar=CAL_HEAD + "ALL,1,1,1,1,1,1,1,20240101,20241231\n",
        trips="route_id,service_id,trip_id\nR1,ALL,t\n",
        stop_times="trip_id,stop_id,arrival_time,departure_time,stop_sequence,pickup_type\n"
        "t,A,08:00:00,08:00:00,1,0\nt,B,08:10:00,08:10:00,2,1\nt,C,08:20:00,08:20:00,3,0\n",
    )
    tt = load_timetable(feed, "2024-06-04")
    assert tt.summary()["stops_served"] == 3
    assert arrivals(tt, "D", 7 * 3600) == {"D": 7 * 3600}  # nothing leaves D
    assert arrivals(tt, "A", 7 * 3600)["C"] == 8 * 3600 + 20 * 60
    assert "C" not in arrivals(tt, "B", 7 * 3600)  # no pickup at B


def test_date_outside_period_names_it(tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "f.zip",
        calendar=CAL_HEAD + "ALL,1,1,1,1,1,1,1,20240101,20240131\n",
        trips="route_id,service_id,trip_id\nR1,ALL,t\n",
        stop_times=ST_HEAD + st_rows("t", [("A", "08:00:00"), ("B", "08:10:00")]),
    )
    with pytest.raises(
        ServicePeriodError,
        match=r"2024-03-01 is outside the service period of f\.zip \(2024-01-01 → 2024-01-31\); "
        r"nearest dates with service: 2024-01-29, 2024-01-30, 2024-01-31\.",
    ):
        load_timetable(feed, "2024-03-01")
    with pytest.raises(ServicePeriodError, match=r"service: 2024-01-01, 2024-01-02, 2024-01-03\."):
        load_timetable(feed, "2023-12-24")


def test_bom_quotes_agencies_and_stations(tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "f.zip",
        calendar=CAL_HEAD + "ALL,1,1,1,1,1,1,1,20240101,20241231\n",
        trips='route_id,service_id,trip_id,trip_headsign\nR2,ALL,t,"Nord, terminus"\n',
        stop_times=ST_HEAD + st_rows("t", [("A", "08:00:00"), ("B", "08:10:00")]),
    )
    f = read_feed(feed)
    assert list(f.agencies["agency_name"]) == ["Bus, Inc.", "Tram"]
    assert f.timezone == "Europe/Paris"
    stops = f.stops.set_index("stop_id")
    assert stops.loc["A", "station_name"] == "Gare, centrale"
    assert "ST" not in stops.index  # stations are not stop points
    tt = load_timetable(feed, "2024-06-04")
    assert tt.trips["trip_headsign"].iloc[0] == "Nord, terminus"


def test_transfers_rules(tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "f.zip",
        calendar=CAL_HEAD + "ALL,1,1,1,1,1,1,1,20240101,20241231\n",
        trips="route_id,service_id,trip_id\nR1,ALL,t1\nR2,ALL,t2\n",
        stop_times=ST_HEAD
        + st_rows("t1", [("A", "08:00:00"), ("B", "08:10:00")])
        + st_rows("t2", [("C", "08:15:00"), ("D", "08:30:00")]),
        transfers="from_stop_id,to_stop_id,transfer_type,min_transfer_time\nB,C,2,240\n",
    )
    tt = load_timetable(feed, "2024-06-04")
    fp = footpaths(tt, CrowFlyWalk(), max_transfer_s=60)
    assert fp[["from_idx", "to_idx", "time_s"]].values.tolist() == [[1, 2, 240]]
    assert arrivals(tt, "A", 7 * 3600)["D"] == 8 * 3600 + 30 * 60
    forbid = write_feed(
        tmp_path / "g.zip",
        calendar=CAL_HEAD + "ALL,1,1,1,1,1,1,1,20240101,20241231\n",
        trips="route_id,service_id,trip_id\nR1,ALL,t1\n",
        stop_times=ST_HEAD + st_rows("t1", [("A", "08:00:00"), ("B", "08:10:00")]),
        stops=STOPS.replace("43.610,3.800", "43.6001,3.800"),  # B 11 m from A
        transfers="from_stop_id,to_stop_id,transfer_type\nB,A,3\n",
    )
    fp2 = footpaths(load_timetable(forbid, "2024-06-04"), CrowFlyWalk(), max_transfer_s=60)
    assert fp2[["from_idx", "to_idx"]].values.tolist() == [[0, 1]]  # A→B kept, B→A forbidden


def test_bad_feeds_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"stop_times\.txt is missing"):
        read_feed(write_feed(tmp_path / "a.zip", trips="route_id,service_id,trip_id\n"))
    bad_time = write_feed(
        tmp_path / "b.zip",
        calendar=CAL_HEAD + "ALL,1,1,1,1,1,1,1,20240101,20241231\n",
        trips="route_id,service_id,trip_id\nR1,ALL,t\n",
        stop_times=ST_HEAD + "t,A,08:00:00,08:00:00,1\nt,B,8h10,8h10,2\n",
    )
    with pytest.raises(InputFileError, match=r"row 2.*'8h10' is not HH:MM:SS"):
        read_feed(bad_time)
    unknown = write_feed(
        tmp_path / "c.zip",
        calendar=CAL_HEAD + "ALL,1,1,1,1,1,1,1,20240101,20241231\n",
        trips="route_id,service_id,trip_id\nR1,ALL,t\n",
        stop_times=ST_HEAD + st_rows("t", [("A", "08:00:00"), ("ZZ", "08:10:00")]),
    )
    with pytest.raises(InputFileError, match="unknown stop 'ZZ'"):
        read_feed(unknown)
    (tmp_path / "d.zip").write_text("not a zip")
    with pytest.raises(TimetableError, match="cannot open as a GTFS zip"):
        read_feed(tmp_path / "d.zip")


def test_every_problem_of_stops_and_stop_times_at_once(tmp_path: Path) -> None:
    stops = STOPS.replace("43.610,3.800", ",3.800").replace("43.620,3.800", "43.620,east")
    with pytest.raises(InputFileError) as err:
        read_feed(
            write_feed(tmp_path / "s.zip", calendar=_CAL, trips=_TRIPS, stop_times=_ST, stops=stops)
        )
    assert [str(p) for p in err.value.problems] == [
        "row 3, column 'stop_lat': stop 'B' has no latitude — write WGS84 decimal degrees, "
        "e.g. 43.6085",
        "row 4, column 'stop_lon': stop 'C': longitude 'east' is not a number — write WGS84 "
        "decimal degrees, e.g. 3.8797",
    ]
    stop_times = (
        ST_HEAD
        + "t,A,08:00:00,08:00:00,1\n"
        + "t,ZZ,8h10,08:10:00,2\n"  # unknown stop and bad arrival time on the same row
        + "nope,B,08:20:00,08:20:00,3\n"  # unknown trip
        + "t,C,08:30:00,xx,x\n"  # bad departure time and stop_sequence
    )
    with pytest.raises(InputFileError) as err:
        read_feed(
            write_feed(tmp_path / "t.zip", calendar=_CAL, trips=_TRIPS, stop_times=stop_times)
        )
    msg = str(err.value)
    assert msg.startswith(f"{tmp_path / 't.zip'}:stop_times.txt: 5 problem(s)")
    assert [(p.row, p.column) for p in err.value.problems] == [
        (2, "stop_id"),
        (2, "arrival_time"),
        (3, "trip_id"),
        (4, "stop_sequence"),
        (4, "departure_time"),
    ]
    assert "unknown stop 'ZZ'" in msg and "'8h10' is not HH:MM:SS" in msg
    assert "unknown trip 'nope'" in msg and "'xx' is not HH:MM:SS" in msg


def test_empty_stop_times_in_transit_info(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qpv_radar.cli.main import main

    feed = write_feed(tmp_path / "e.zip", calendar=_CAL, trips=_TRIPS, stop_times=ST_HEAD)
    assert main(["transit-info", "--gtfs", str(feed)]) == 2
    err = capsys.readouterr().err
    assert "stop_times.txt" in err and "header but no rows" in err


# ---- the next service day -----------------------------------------------------------------------
# A and Z are 22 km apart (over 6 h on foot): after 23:50 the only way is the next day's 00:30 bus
NIGHT_STOPS = "stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,43.600,3.800\nZ,Zulu,43.800,3.800\n"
A_XY, Z_XY = (3.800, 43.600), (3.800, 43.800)


def night_feed(path: Path) -> Path:
    return write_feed(
        path,
        stops=NIGHT_STOPS,
        calendar=CAL_HEAD
        + "DAY,1,1,1,1,1,1,1,20240101,20240131\nTUE,0,1,0,0,0,0,0,20240101,20240131\n",
        trips="route_id,service_id,trip_id\nR1,DAY,noon\nR1,TUE,early\n",
        stop_times=ST_HEAD
        + st_rows("noon", [("A", "12:00:00"), ("Z", "12:30:00")])
        + st_rows("early", [("A", "00:30:00"), ("Z", "01:00:00")]),
    )


def test_late_departure_rides_the_next_days_first_trip(tmp_path: Path) -> None:
    from qpv_radar.routing.transit import departure_profile, transit_itinerary

    feed = night_feed(tmp_path / "n.zip")
    mon = load_timetable(feed, "2024-01-15")
    early = mon.trips.set_index("trip_id").loc["early"]
    assert early["day_offset"] == 1 and not early["previous_day"]
    assert arrivals(mon, "A", 23 * 3600 + 50 * 60)["Z"] == 25 * 3600  # 01:00 on Tuesday
    it = transit_itinerary(mon, CrowFlyWalk(), A_XY, Z_XY, datetime(2024, 1, 15, 23, 50))
    assert it.lines == ["1"] and it.travel_time_s == 70 * 60
    assert it.legs[1].trip_id == "early" and it.arrival.isoformat() == "2024-01-16T01:00:00+01:00"
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*zip(A_XY, Z_XY, strict=True)), crs=4326)
    df = transit_travel_times(
        mon, CrowFlyWalk(), pts.iloc[:1], pts.iloc[1:], departure=datetime(2024, 1, 15, 23, 50)
    )
    assert df.travel_time.iloc[0] == 70 * 60
    # a window running past midnight: the Tuesday departures use Tuesday's timetable
    prof = departure_profile(
        mon, CrowFlyWalk(), A_XY, Z_XY, departure=datetime(2024, 1, 15, 23, 50), window_minutes=60
    ).set_index("departure")["travel_time"]
    tz = "Europe/Paris"
    assert prof[pd.Timestamp("2024-01-15 23:50", tz=tz)] == 70 * 60
    assert prof[pd.Timestamp("2024-01-16 00:29", tz=tz)] == 31 * 60  # boards at 00:30 (slack 60 s)
    walk_s = np.ceil(
        walk_table(CrowFlyWalk(), pts.iloc[:1], pts.iloc[1:], max_time_s=None).travel_time[0]
    )
    assert prof[pd.Timestamp("2024-01-16 00:30", tz=tz)] == walk_s > 6 * 3600  # missed it


def test_journeys_past_the_end_of_the_period_are_refused(tmp_path: Path) -> None:
    from qpv_radar.routing.transit import departure_profile, transit_itinerary

    feed = night_feed(tmp_path / "n.zip")
    last = load_timetable(feed, "2024-01-31")  # 1 February is outside the period
    assert last.complete_until_s == 24 * 3600
    late = datetime(2024, 1, 31, 23, 50)
    # the walk ends at 06:14 on 1 February: a bus of that day, unknown to the feed, might win
    with pytest.raises(ServicePeriodError, match=r"2024-02-01 is outside the service period"):
        transit_itinerary(last, CrowFlyWalk(), A_XY, Z_XY, late)
    with pytest.raises(ServicePeriodError, match=r"leaving at 2024-01-31T23:50"):
        departure_profile(last, CrowFlyWalk(), A_XY, Z_XY, departure=late)
    # "nothing within 10 min" is known for sure: it ends by midnight
    prof = departure_profile(last, CrowFlyWalk(), A_XY, Z_XY, departure=late, max_time_s=600)
    assert prof.travel_time.isna().all()
    # a window that runs into 1 February
    with pytest.raises(ServicePeriodError, match=r"into 2024-02-01, which is outside"):
        departure_profile(
            last, CrowFlyWalk(), A_XY, Z_XY, departure=datetime(2024, 1, 31, 23, 30),
            window_minutes=60, max_time_s=60,
        )  # fmt: skip
    # in the day, nothing is missing
    noon = transit_itinerary(last, CrowFlyWalk(), A_XY, Z_XY, datetime(2024, 1, 31, 11, 50))
    assert noon.travel_time_s == 40 * 60


# ---- real feeds ---------------------------------------------------------------------------------
def test_parsed_feed_cached_on_disk(empty_cache: Path) -> None:
    from qpv_radar.networks.gtfs import store

    path = fetch(TAM)
    store._read_cached.cache_clear()
    first = read_feed(path)
    [entry] = (empty_cache / "gtfs").glob("*.qpvc")
    store._read_cached.cache_clear()  # a new process: read from the disk cache
    again = read_feed(path)
    assert again is not first
    pd.testing.assert_frame_equal(again.trips, first.trips)
    assert np.array_equal(again.tmpl_dep, first.tmpl_dep)
    entry.write_bytes(b"not a cache entry")  # a damaged entry is parsed again and replaced
    store._read_cached.cache_clear()
    assert len(read_feed(path).trips) == len(first.trips)
    assert entry.read_bytes()[:8] == b"QPVCACHE"
    store._read_cached.cache_clear()


def test_tam_timetable_counts() -> None:
    tt = load_timetable(fetch(TAM), "2024-01-16")
    # 4,333 trips of the day (as pyraptor's adapted run) + Monday's trips still running after
    # 24:00 + Wednesday's trips leaving before 06:00
    offsets = tt.trips["day_offset"].value_counts()
    assert offsets[0] == 4333 and offsets[-1] == 37 and offsets[1] > 0
    assert tt.trips["previous_day"].sum() == 37
    assert tt.complete_until_s == 30 * 3600
    nxt = tt.trips["day_offset"].to_numpy() == 1
    assert (
        tt.trips.loc[nxt, "trip_id"]
        .isin(load_timetable(fetch(TAM), "2024-01-17").trips.trip_id)
        .all()
    )
    last = load_timetable(fetch(TAM), "2024-02-25")  # last date of the period: no next day
    assert not (last.trips["day_offset"] == 1).any()
    assert last.complete_until_s == 24 * 3600
    assert tt.summary()["stops_served"] > 1300
    f = read_feed(fetch(TAM))
    assert service_period(f) == (date(2023, 12, 18), date(2024, 2, 25))
    assert len(dates_with_service(f)) == 70
    # TaM's calendar_dates only removes: the 24 services removed that day must not run
    cd = f.calendar_dates
    removed = set(cd.loc[cd["date"] == date(2024, 1, 16), "service_id"])
    assert removed and not (removed & services_on(f, "2024-01-16"))
    with pytest.raises(
        ServicePeriodError,
        match=r"2023-12-18 → 2024-02-25\); nearest dates with service: 2024-02-2\d, "
        r"2024-02-2\d, 2024-02-25\.",
    ):
        load_timetable(fetch(TAM), datetime(2024, 6, 4, 8, 30))


def test_grenoble_calendar_dates_only_routes() -> None:
    tt = load_timetable(fetch(TAG), "2023-05-02")
    assert tt.n_trips > 4000
    f = tt.feed
    assert len(f.calendar) == 0 and service_period(f) == (date(2023, 4, 10), date(2023, 6, 4))
    # ride from the stop "Grenoble, Gares" area to somewhere reachable within an hour
    gares = np.flatnonzero(tt.stops["stop_name"].str.contains("Gares").to_numpy())
    fp = footpaths(tt, CrowFlyWalk())
    best = stop_arrivals(tt, fp, gares, np.zeros(len(gares)), 8 * 3600)
    reached = best < 2**30
    assert reached.sum() > 1000
    assert np.median(best[reached] - 8 * 3600) < 90 * 60
    # door to door, Gares → Grand'Place over a 10-minute window: transit beats walking
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([5.7146, 5.7320], [45.1914, 45.1581]),
        crs=4326,
        index=["g", "p"],
    )
    df = transit_travel_times(
        tt, CrowFlyWalk(), pts, pts, departure=datetime(2023, 5, 2, 8), window_minutes=10
    ).set_index(["from_id", "to_id"])
    walk_s = walk_table(CrowFlyWalk(), pts.iloc[:1], pts.iloc[1:], max_time_s=None).travel_time[0]
    assert df.loc[("g", "p"), "travel_time"] < 0.7 * walk_s
    with pytest.raises(ServicePeriodError, match="2023-05-01"):
        load_timetable(fetch(TAG), "2023-05-01")  # no trip on 1 May in this feed


def test_sao_paulo_frequencies_feed() -> None:
    f = read_feed(fetch(SPO))
    assert len(f.trips) > 5000  # frequencies expanded from 36 template trips... of r5py's sample
    tt = load_timetable(fetch(SPO), "2019-05-14")
    assert tt.n_trips > 1000
    pts = gpd.GeoSeries(gpd.points_from_xy(tt.stops["stop_lon"], tt.stops["stop_lat"]), crs=4326)
    assert pts.total_bounds[1] < -23


_CAL = CAL_HEAD + "ALL,1,1,1,1,1,1,1,20240101,20241231\n"
_TRIPS = "route_id,service_id,trip_id\nR1,ALL,t\n"
_ST = ST_HEAD + "t,A,08:00:00,08:00:00,1\nt,B,08:10:00,08:10:00,2\n"


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (
            {"calendar": CAL_HEAD + "ALL,1,1,1,1,1,1,1,2024-01-01,20241231\n"},
            r"'2024-01-01'.*YYYYMMDD",
        ),
        (
            {"stops": STOPS.replace("43.610,3.800", "north,3.800")},
            r"row 3, column 'stop_lat': stop 'B': latitude 'north' is not a number",
        ),
        (
            {"stops": STOPS.replace("43.610,3.800", "43.610,193.8")},
            r"row 3, column 'stop_lon': stop 'B': longitude 193.8 is outside \[-180, 180\]",
        ),
        (
            {"stops": STOPS + "B,Bis,43.7,3.8,0,\n"},
            r"row 6, column 'stop_id': duplicate stop id 'B' \(also row 3\)",
        ),
        (
            {"trips": "route_id,service_id,trip_id\nR1,ALL,t\nR1,ALL,t\n"},
            r"(?s)trips\.txt.*row 2, column 'trip_id': duplicate trip id 't' \(also row 1\)",
        ),
        (
            {"stop_times": ST_HEAD},
            r"(?s)stop_times\.txt.*has a header but no rows.*export the feed again",
        ),
        (
            {"stop_times": ST_HEAD + "t,A,08:00:00,08:00:00,1\n"},
            r"no trip has two stop times or more",
        ),
        (
            {"stop_times": ST_HEAD + "t,A,08:00:00,08:00:00,1\nt,B,08:75:00,08:75:00,2\n"},
            r"row 2, column 'arrival_time': time '08:75:00' is not HH:MM:SS",
        ),
        (
            {
                "agency": "agency_id,agency_name,agency_url,agency_timezone\n"
                "A1,Bus,http://a,Europe/Paris\nA2,Tram,http://b,Mars/Olympus\n"
            },
            r"(?s)agency\.txt: 1 problem.*row 2, column 'agency_timezone': 'Mars/Olympus' is not "
            r"a known timezone.*e\.g\. Europe/Paris",
        ),
        (
            {"frequencies": "trip_id,start_time,end_time,headway_secs\nt,,9h,600\n"},
            r"(?s)row 1, column 'start_time': start_time is empty.*"
            r"row 1, column 'end_time': time '9h' is not HH:MM:SS",
        ),
        (
            {"frequencies": "trip_id,start_time,end_time,headway_secs\nt,08:00:00,09:00:00,0\n"},
            r"headway_secs.*not a positive number",
        ),
        (
            {"agency": "agency_id,agency_name,agency_url,agency_timezone\nA1,Bus,http://a,\n"},
            "timezone",
        ),
        (
            {"trips": "route_id,service_id,trip_id\nR9,ALL,t\n"},
            r"(?s)trips\.txt.*unknown route_id 'R9'",
        ),
        ({"trips": "route_id,trip_id\nR1,t\n"}, r"trips\.txt has no column 'service_id'"),
        ({"calendar": None}, r"neither calendar\.txt nor calendar_dates\.txt"),
        (
            {"stop_times": ST_HEAD + "t,A,,,1\nt,B,08:10:00,08:10:00,2\n"},
            r"row 1, column .arrival_time.: the first or last stop of trip .t. has no time",
        ),
    ],
)
def test_each_bad_input_is_named(
    tmp_path: Path, tables: dict[str, str | None], message: str
) -> None:
    base: dict[str, str | None] = {"calendar": _CAL, "trips": _TRIPS, "stop_times": _ST}
    base.update(tables)
    with pytest.raises(InputFileError, match=message):
        read_feed(write_feed(tmp_path / "bad.zip", **base))


def test_non_timepoints_are_interpolated(tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "f.zip",
        calendar=_CAL,
        trips=_TRIPS,
        stop_times=ST_HEAD + "t,A,08:00:00,08:00:00,1\nt,B,,,2\nt,C,08:20:00,08:20:00,3\n",
    )
    tt = load_timetable(feed, "2024-06-04")
    assert tt.arr.tolist() == [8 * 3600, 8 * 3600 + 600, 8 * 3600 + 1200]


def test_origins_without_crs_are_refused() -> None:
    from qpv_radar import CrsError

    tt = load_timetable(fetch(TAM), "2024-01-16")
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.82], [43.62]))
    with pytest.raises(CrsError, match="no CRS"):
        transit_travel_times(tt, CrowFlyWalk(), pts, pts, departure=datetime(2024, 1, 16, 8))
