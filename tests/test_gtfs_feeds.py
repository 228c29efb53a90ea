"""Several GTFS feeds merged into one timetable (real TaM feed split in two, TAG, São Paulo)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from qpv_radar import Networks, ServicePeriodError, TimetableError, fetch
from qpv_radar.networks import StreetNetwork, load_street_network
from qpv_radar.networks.gtfs import (
    GtfsFeed,
    load_timetable,
    merge_feeds,
    read_feed,
    service_period,
)
from qpv_radar.routing.transit import footpaths, transit_itinerary, transit_travel_times

TAM = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"
TAG = "gtfs/grenoble_sem_tag_2023-04/SEM-GTFS.zip"
SPO = "gtfs/sao_paulo_r5py/spo_gtfs.zip"
DAY = "2024-01-16"
DEPARTURE = datetime(2024, 1, 16, 8, 0)
# Antennes (bus stop, line 6) → Nazareth (tram line 1): bus 6, then tram 1
ORIGIN, DESTINATION = "57", "183"


def _table(z: zipfile.ZipFile, name: str) -> pd.DataFrame:
    raw = io.BytesIO(z.read(name))
    return pd.read_csv(raw, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def split_tam(src: Path, out: Path) -> tuple[Path, Path]:
    """TaM's tram routes (route_type 0) in one zip, its other routes in another.

    Each zip has the stops its trips serve (and their stations), the transfers between them,
    and the whole calendar: the two feeds share every ``service_id`` (the collision path).
    """
    with zipfile.ZipFile(src) as z:
        t = {n: _table(z, n) for n in z.namelist()}
    paths = []
    for name, is_tram in (("tram", True), ("bus", False)):
        routes = t["routes.txt"][(t["routes.txt"]["route_type"].str.strip() == "0") == is_tram]
        trips = t["trips.txt"][t["trips.txt"]["route_id"].isin(routes["route_id"])]
        st = t["stop_times.txt"][t["stop_times.txt"]["trip_id"].isin(trips["trip_id"])]
        stops = t["stops.txt"]
        used = set(st["stop_id"])
        parents = set(stops.loc[stops["stop_id"].isin(used), "parent_station"]) - {""}
        stops = stops[stops["stop_id"].isin(used | parents)]
        tr = t["transfers.txt"]
        tr = tr[tr["from_stop_id"].isin(used) & tr["to_stop_id"].isin(used)]
        tables = {
            **t,
            "routes.txt": routes,
            "trips.txt": trips,
            "stop_times.txt": st,
            "stops.txt": stops,
            "transfers.txt": tr,
        }
        path = out / f"{name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for n, df in tables.items():
                z.writestr(n, df.to_csv(index=False))
        paths.append(path)
    return paths[0], paths[1]


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return split_tam(fetch(TAM), tmp_path_factory.mktemp("tam_split"))


@pytest.fixture(scope="module")
def walk() -> StreetNetwork:
    return load_street_network("montpellier", mode="walk")


def _stop_points(feed: GtfsFeed, *stop_ids: str) -> gpd.GeoDataFrame:
    s = feed.stops.set_index("stop_id").loc[list(stop_ids)]
    geom = gpd.points_from_xy(s["stop_lon"], s["stop_lat"])
    return gpd.GeoDataFrame(geometry=geom, index=list(stop_ids), crs="EPSG:4326")


def test_merged_feed_ids_and_period(halves: tuple[Path, Path]) -> None:
    tram, bus = read_feed(halves[0]), read_feed(halves[1])
    merged = read_feed(list(halves))
    assert merged is read_feed(list(halves))  # memoised
    assert merged.path == "tram.zip + bus.zip"
    assert merged.sources == tuple(str(p.resolve()) for p in halves)
    assert len(merged.stops) == len(tram.stops) + len(bus.stops)
    assert merged.stops["stop_id"].is_unique and merged.trips["trip_id"].is_unique
    # the shared service ids: the first feed keeps its own, the second's are prefixed
    assert set(tram.calendar["service_id"]) == set(bus.calendar["service_id"])
    services = set(merged.calendar["service_id"])
    assert set(tram.calendar["service_id"]) <= services
    assert {f"bus:{s}" for s in bus.calendar["service_id"]} <= services
    assert set(merged.trips["service_id"]) == set(tram.trips["service_id"]) | {
        f"bus:{s}" for s in bus.trips["service_id"]
    }
    assert service_period(merged) == service_period(read_feed(fetch(TAM)))
    # indices offset: every pattern of the second feed points at its own stops and routes
    n = len(tram.pattern_stops)
    for p in (n, len(merged.pattern_stops) - 1):
        ids = merged.stops["stop_id"].to_numpy()[merged.pattern_stops[p]]
        assert set(ids) <= set(bus.stops["stop_id"])
        assert merged.routes["route_type"].iloc[merged.pattern_route[p]] != "0"
    assert read_feed([halves[0]]) is tram  # one zip in a list: that feed


def test_merged_timetable_counts(halves: tuple[Path, Path]) -> None:
    original = load_timetable(fetch(TAM), DAY)
    merged = load_timetable(list(halves), DAY)
    assert merged.n_trips == original.n_trips
    assert len(merged.arr) == len(original.arr)
    assert merged.n_patterns == original.n_patterns
    assert sorted(merged.trips["trip_id"]) == sorted(original.trips["trip_id"])
    assert merged.complete_until_s == original.complete_until_s


def test_tram_and_bus_journey_equal_to_the_original(
    halves: tuple[Path, Path], walk: StreetNetwork
) -> None:
    original = load_timetable(fetch(TAM), DAY)
    merged = load_timetable(list(halves), DAY)
    o = _stop_points(original.feed, ORIGIN)
    d = _stop_points(original.feed, DESTINATION)
    it = transit_itinerary(merged, walk, o, d, DEPARTURE)
    ridden = {leg.route_type for leg in it.legs if leg.mode == "ride"}
    assert {"0", "3"} <= ridden, it.lines  # a tram and a bus
    # the bus→tram change is a walk between stops of the two feeds (street network footpaths)
    fp = footpaths(merged, walk)
    n_tram = len(read_feed(halves[0]).stops)
    assert ((fp["from_idx"] >= n_tram) & (fp["to_idx"] < n_tram)).any()

    def minutes(tt: object) -> float:
        r = transit_travel_times(tt, walk, o, d, departure=DEPARTURE, progress=False)  # type: ignore[arg-type]
        return float(r["travel_time"].iloc[0])

    t_original, t_merged = minutes(original), minutes(merged)
    assert t_merged == t_original == it.travel_time_s
    assert minutes(load_timetable(halves[0], DAY)) > t_original + 600  # tram only
    assert minutes(load_timetable(halves[1], DAY)) > t_original + 600  # bus only


def test_dates_of_either_feed_accepted() -> None:
    tam, tag = read_feed(fetch(TAM)), read_feed(fetch(TAG))
    both = [fetch(TAM), fetch(TAG)]
    assert service_period(read_feed(both)) == (service_period(tag)[0], service_period(tam)[1])
    in_tag = load_timetable(both, "2023-05-16")
    assert in_tag.n_trips == load_timetable(fetch(TAG), "2023-05-16").n_trips
    in_tam = load_timetable(both, DAY)
    assert in_tam.n_trips == load_timetable(fetch(TAM), DAY).n_trips
    with pytest.raises(ServicePeriodError, match="outside the service period"):
        load_timetable(both, date(2024, 6, 1))
    with pytest.raises(ServicePeriodError, match=r"SEM-GTFS\.zip"):
        load_timetable(both, date(2024, 6, 1))


def test_feeds_of_different_timezones_refused() -> None:
    with pytest.raises(TimetableError, match=r"Europe/Paris.*America/Sao_Paulo"):
        merge_feeds([read_feed(fetch(TAM)), read_feed(fetch(SPO))])
    with pytest.raises(TimetableError, match="no GTFS feed"):
        read_feed([])


def test_merge_of_one_feed_is_that_feed() -> None:
    tam = read_feed(fetch(TAM))
    assert merge_feeds([tam]) is tam
    merged = merge_feeds([tam, tam])  # the same zip twice: every id collides
    assert len(merged.stops) == 2 * len(tam.stops)
    assert merged.stops["stop_id"].is_unique and merged.routes["route_id"].is_unique
    assert np.array_equal(merged.tmpl_arr[: len(tam.tmpl_arr)], tam.tmpl_arr)


def test_territory_with_two_feeds_routes_on_both(halves: tuple[Path, Path], tmp_path: Path) -> None:
    # a territory file declaring the two halves: Networks merges them, the journey needs both
    builtin = Path(__file__).resolve().parents[1] / "data" / "montpellier.toml"
    text = builtin.read_text(encoding="utf-8")
    head, _, _ = text.partition("[[gtfs]]")
    feeds = "".join(f'[[gtfs]]\nsource = "{p.as_posix()}"\n\n' for p in halves)
    toml = tmp_path / "deux_reseaux.toml"
    toml.write_text(head + feeds, encoding="utf-8")
    both = Networks(toml)
    assert both.gtfs_paths == tuple(halves) and "transit" in both.modes
    original = read_feed(fetch(TAM))
    o, d = _stop_points(original, ORIGIN), _stop_points(original, DESTINATION)
    it = both.itinerary(o.geometry.iloc[0], d.geometry.iloc[0], mode="transit", departure=DEPARTURE)
    assert {"0", "3"} <= {leg.route_type for leg in it.legs if leg.mode == "ride"}
    merged = both.travel_times(o, d, mode="transit", departure=DEPARTURE)
    single = Networks("montpellier").travel_times(o, d, mode="transit", departure=DEPARTURE)
    assert merged["travel_time"].iloc[0] == single["travel_time"].iloc[0] == it.travel_time_s
