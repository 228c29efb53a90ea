"""Property tests (hypothesis), issue 12: random inputs give a result or a QpvRadarError —
never a bare traceback — and routing keeps its laws on the real Montpellier data: leaving later
never arrives earlier by transit (FIFO), walking times satisfy the triangle inequality,
isochrone bands are nested.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qpv_radar import QpvRadarError, Territory, UnreachableError, load_territory
from qpv_radar.networks.gtfs.read import parse_feed
from qpv_radar.routing.networks import Networks

#: Examples per property (QPV_RADAR_PROPERTY_EXAMPLES=500 for a longer hunt).
EXAMPLES = int(os.environ.get("QPV_RADAR_PROPERTY_EXAMPLES", "30"))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# --- random territory files --------------------------------------------------------------------


def _toml(value: Any) -> str:
    """A value as TOML (inline tables and arrays; keys always quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


_KEYS = st.sampled_from(
    ["name", "label", "communes", "crs", "timezone", "default_when", "qpv", "actors", "streets",
     "gtfs", "directory", "actor", "commune", "source", "loader", "format", "perimeters",
     "generation", "file", "kind", "roles", "columns", "walk", "pan_resources"]
)  # fmt: skip
_SCALARS = (
    st.text(max_size=12)
    | st.sampled_from(
        [
            "EPSG:2154",
            "EPSG:4326",
            "Europe/Paris",
            "generic",
            "osm",
            "2024-01-16T09:00",
            "34172",
            "qpv/occitanie_hackaviz2021/qp.geojson",
            "montpellier_mpt",
            "x.csv",
        ]
    )
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=True)
    | st.booleans()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@FAST
@given(cfg=st.dictionaries(_KEYS, _VALUES, max_size=7), with_name=st.booleans())
def test_random_territory_files_never_give_a_traceback(
    cfg: dict[str, Any], with_name: bool
) -> None:
    if with_name:
        cfg = {"name": "random", **cfg}
    text = "\n".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in cfg.items()) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.toml"
        path.write_text(text, "utf-8", errors="surrogatepass")
        try:
            t = load_territory(path)
        except QpvRadarError as err:
            assert err.message("fr") and err.message("en")
        else:
            assert isinstance(t, Territory) and all(isinstance(c, str) for c in t.communes)


# --- random GTFS rows --------------------------------------------------------------------------

_TABLES = {
    "agency.txt": "agency_name,agency_timezone\nA,Europe/Paris\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,43.6,3.8\nB,b,43.61,3.81\n"
    "C,c,43.62,3.82\n",
    "routes.txt": "route_id,route_short_name,route_type\nR,1,3\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\nS,1,1,1,1,1,1,1,20240101,20240131\n",
    "trips.txt": "route_id,service_id,trip_id\nR,S,t1\nR,S,t2\n",
}
_TIMES = st.one_of(
    st.builds(
        lambda h, m, s: f"{h}:{m:02d}:{s:02d}",
        st.integers(0, 30),
        st.integers(0, 59),
        st.integers(0, 59),
    ),
    st.sampled_from(["", "25:61:00", "noon", "-1:00:00", "12:00"]),
)
_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["t1", "t2", "t3", ""]),
        st.sampled_from(["A", "B", "C", "Q", ""]),
        _TIMES,
        _TIMES,
        st.integers(-1, 6).map(str) | st.sampled_from(["", "x", "1.5"]),
    ),
    min_size=0,
    max_size=8,
)
_FREQ = st.lists(
    st.tuples(
        st.sampled_from(["t1", "t2", "zz"]),
        _TIMES,
        _TIMES,
        st.sampled_from(["600", "0", "0.01", "-5", "x", "", "1"]),
    ),
    max_size=2,
)


@FAST
@given(rows=_ROWS, freq=_FREQ)
def test_random_gtfs_rows_never_give_a_traceback(
    rows: list[tuple[str, ...]], freq: list[tuple[str, ...]]
) -> None:
    st_txt = "trip_id,stop_id,arrival_time,departure_time,stop_sequence\n"
    st_txt += "".join(",".join(r) + "\n" for r in rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.zip"
        with zipfile.ZipFile(path, "w") as z:
            for name, text in _TABLES.items():
                z.writestr(name, text)
            z.writestr("stop_times.txt", st_txt)
            if freq:
                f_txt = "trip_id,start_time,end_time,headway_secs\n"
                z.writestr("frequencies.txt", f_txt + "".join(",".join(r) + "\n" for r in freq))
        try:
            feed = parse_feed(str(path))
        except QpvRadarError as err:
            assert err.message("fr") and err.message("en")
            return
    # read: times never go backwards along a trip, so no travel time is negative
    for t in range(len(feed.tmpl_ptr) - 1):
        a, b = feed.tmpl_ptr[t], feed.tmpl_ptr[t + 1]
        arr, dep = feed.tmpl_arr[a:b], feed.tmpl_dep[a:b]
        assert (dep >= arr).all() and (arr[1:] >= dep[:-1]).all()


# --- routing laws on the real Montpellier data -------------------------------------------------

_LON = st.floats(3.83, 3.90)
_LAT = st.floats(43.59, 43.63)


@pytest.fixture(scope="module")
def montpellier() -> Networks:
    """Montpellier's real streets and TaM timetable (through QPV_RADAR_MIRROR)."""
    return Networks("montpellier")


def _points(*lonlat: tuple[float, float]) -> gpd.GeoDataFrame:
    geom = gpd.points_from_xy([p[0] for p in lonlat], [p[1] for p in lonlat])
    ids = [f"p{i}" for i in range(len(lonlat))]
    return gpd.GeoDataFrame({"id": ids}, geometry=geom, crs=4326).set_index("id")


@FAST
@given(
    a=st.tuples(_LON, _LAT),
    b=st.tuples(_LON, _LAT),
    minute=st.integers(7 * 60, 20 * 60),
    later=st.integers(1, 30),
)
def test_transit_fifo_leaving_later_never_arrives_earlier(
    montpellier: Networks, a: tuple[float, float], b: tuple[float, float], minute: int, later: int
) -> None:
    pts = _points(a, b)
    t0 = datetime(2024, 1, 16) + timedelta(minutes=minute)
    t1 = t0 + timedelta(minutes=later)
    first, second = (
        montpellier.travel_times(pts.iloc[[0]], pts.iloc[[1]], mode="transit", departure=t)
        for t in (t0, t1)
    )
    tt0, tt1 = float(first["travel_time"].iloc[0]), float(second["travel_time"].iloc[0])
    if not (np.isfinite(tt0) and np.isfinite(tt1)):
        return
    assert tt0 >= 0 and tt1 >= 0
    assert t0 + timedelta(seconds=tt0) <= t1 + timedelta(seconds=tt1 + 1)


@FAST
@given(a=st.tuples(_LON, _LAT), b=st.tuples(_LON, _LAT), c=st.tuples(_LON, _LAT))
def test_walking_times_satisfy_the_triangle_inequality(
    montpellier: Networks, a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> None:
    pts = _points(a, b, c)
    df = montpellier.travel_times(pts, pts, mode="walk")
    t = df.set_index(["from_id", "to_id"])["travel_time"]
    ab, bc, ac = t["p0", "p1"], t["p1", "p2"], t["p0", "p2"]
    if np.isfinite([ab, bc, ac]).all():
        assert ac <= ab + bc + 1e-6


def _not_nested(bands: gpd.GeoDataFrame, tolerance_m: float = 1.0) -> list[float]:
    """Area (m²) of each band outside the next larger band grown by ``tolerance_m``."""
    geoms = bands.to_crs(2154).sort_values("minutes").geometry.to_list()
    return [s.difference(b.buffer(tolerance_m)).area for s, b in itertools.pairwise(geoms)]


@settings(max_examples=5, deadline=None, database=None)
@given(a=st.tuples(_LON, _LAT), mode=st.sampled_from(["walk", "bike"]))
def test_isochrone_bands_are_nested(
    montpellier: Networks, a: tuple[float, float], mode: str
) -> None:
    from shapely.geometry import Point

    try:
        bands = montpellier.isochrones(Point(*a), mode=mode, minutes=[5, 10, 15])
    except UnreachableError:  # more than 300 m from any street: said so, nothing to draw
        return
    assert max(_not_nested(bands), default=0.0) < 0.01  # nested to the metre


def test_isochrone_outline_bands_are_nested(montpellier: Networks) -> None:
    from shapely.geometry import Point

    bands = montpellier.isochrones(
        Point(3.875, 43.59375), mode="walk", minutes=[5, 10, 15], outline=True
    )
    # the quick outlines of the maps (hulls of reached nodes) are joined band by band: before,
    # the 10-minute outline left out 3,570 m² of the 5-minute one from this point
    assert max(_not_nested(bands, 10.0)) < 0.01
