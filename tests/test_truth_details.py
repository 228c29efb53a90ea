"""Truth details found by the references (issue 10, item 7), on real data.

- transfers.txt pairs on the street network keep their street walk (``max_transfer_s`` applies,
  a ``min_transfer_time`` is a lower bound); the listed time only off the network;
- ``max_egress_s`` caps the whole final walk (it starts where the last ride ends);
- :class:`CrowFlyWalk` measures true (geodesic) distances anywhere, and refuses a planar CRS
  that does not cover the points;
- a negative longitude after its option (``--from -46.61,-23.55``) in every command.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from qpv_radar import CrsError, fetch
from qpv_radar.cli.main import attach_negative_lonlat, main
from qpv_radar.networks.gtfs import load_timetable
from qpv_radar.networks.streets import load_street_network
from qpv_radar.routing.transit import (
    CrowFlyWalk,
    footpaths,
    stop_arrivals,
    transit_itineraries,
    transit_itinerary,
    walk_table,
)
from qpv_radar.routing.transit.walking import _apply_transfers, _on_streets, _stops_gdf

TAM = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"
SPO = "gtfs/sao_paulo_r5py/spo_gtfs.zip"
DAY = date(2024, 1, 16)
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def tam():
    tt = load_timetable(fetch(TAM), DAY)
    net = load_street_network("montpellier", "walk")
    idx = {s: i for i, s in enumerate(tt.stops["stop_id"])}
    return tt, net, idx


def _hms(tt, sec: float) -> str:
    return (datetime.combine(tt.date, datetime.min.time()) + pd.Timedelta(seconds=sec)).strftime(
        "%H:%M:%S"
    )


# ----------------------------------------------------------------------------------------------
# transfers.txt
# ----------------------------------------------------------------------------------------------
def test_listed_pairs_on_the_streets_keep_their_street_walk(tam) -> None:
    tt, net, idx = tam
    pomp, colv = idx["1234"], idx["369"]  # Pompignane (tram 4) → Colverts (bus 16), listed
    tr = tt.feed.transfers
    assert ((tr.from_idx == pomp) & (tr.to_idx == colv)).any()
    stops = _stops_gdf(tt, served_only=False)
    street = walk_table(net, stops.loc[[pomp]], stops.loc[[colv]], max_time_s=None)
    street_s = float(street.travel_time.iloc[0])
    assert 800 < street_s < 840  # 817 s by the streets (the listed straight line gave 306 s)
    fp = footpaths(tt, net)
    pair = fp[(fp.from_idx == pomp) & (fp.to_idx == colv)]
    assert pair.empty  # beyond max_transfer_s (300 s) by the streets: no transfer
    long = footpaths(tt, net, max_transfer_s=900)
    pair = long[(long.from_idx == pomp) & (long.to_idx == colv)]
    assert pair.time_s.tolist() == [int(np.ceil(street_s))]
    # every listed pair with both stops on the streets: its street walk, within the limit
    on = _on_streets(net, stops)
    both = tr[
        (tr.transfer_type != 3) & on[tr.from_idx] & on[tr.to_idx] & (tr.from_idx != tr.to_idx)
    ]
    got = both.merge(fp, on=["from_idx", "to_idx"], how="left")
    assert len(both) > 800
    assert (got.time_s.dropna() <= 300).all()
    assert got.time_s.isna().sum() == 156  # the listed pairs longer than 5 min by the streets
    # pairs with a stop off the network keep their straight-line time, even beyond 5 min
    off = tr[(tr.transfer_type != 3) & ~(on[tr.from_idx] & on[tr.to_idx])]
    assert len(off) and off.merge(fp, on=["from_idx", "to_idx"]).shape[0] == len(off)


def test_min_transfer_time_is_a_lower_bound_and_type_3_is_honoured(tam) -> None:
    tt, net, _ = tam
    stops = _stops_gdf(tt, served_only=False)
    on = _on_streets(net, stops)
    fp = footpaths(tt, net)
    first = fp[on[fp.from_idx] & on[fp.to_idx]].iloc[0]
    a, b = int(first.from_idx), int(first.to_idx)
    row = fp[(fp.from_idx == a) & (fp.to_idx == b)].iloc[0]
    off = int(np.flatnonzero(~on)[0])
    tr = pd.DataFrame(
        {
            "from_idx": [a, a, b, off],
            "to_idx": [b, b, a, a],
            "transfer_type": [2, 2, 3, 2],
            "min_transfer_time": [row.time_s + 100.0, 10.0, np.nan, 42.0],
        }
    )
    base = fp[(fp.from_idx.isin([a, b])) & (fp.to_idx.isin([a, b]))]
    out = _apply_transfers(base, tr, stops, on, CrowFlyWalk())
    got = out.set_index(["from_idx", "to_idx"]).time_s
    assert got[(a, b)] == row.time_s + 100  # the longer of the street walk and the listed time
    assert (b, a) not in got.index  # transfer_type 3: not possible
    assert got[(off, a)] == 42  # off the network: the listed time


def test_2130_journey_no_longer_catches_the_bus_the_short_listed_walk_made(tam) -> None:
    """Saint-Martin 21:30: tram 4 reaches Pompignane at 21:53; bus 16 leaves Colverts at 22:06.

    The listed 306 s walk made that bus (21:58:06 + 60 s boarding slack); by the streets the
    walk is 817 s: 22:06:37, the bus is gone.
    """
    tt, net, idx = tam
    pomp, colv, start = idx["1234"], idx["369"], idx["1284"]
    fp = footpaths(tt, net)
    stops = _stops_gdf(tt, served_only=False)
    street_s = float(
        walk_table(net, stops.loc[[pomp]], stops.loc[[colv]], max_time_s=None).travel_time.iloc[0]
    )
    # the old table: the listed pair at its straight-line time
    listed = pd.concat(
        [fp, pd.DataFrame({"from_idx": [pomp], "to_idx": [colv], "time_s": [306]})],
        ignore_index=True,
    )
    t0 = 21 * 3600 + 30 * 60
    old = stop_arrivals(tt, listed, [start], [8], t0)
    new = stop_arrivals(tt, fp, [start], [8], t0)
    assert _hms(tt, old[pomp]) == _hms(tt, new[pomp]) == "21:53:00"
    painleve = int(np.flatnonzero(tt.stops.stop_name.to_numpy() == "Paul Painlevé")[0])
    for p in np.flatnonzero(tt.stops.stop_name.to_numpy() == "Paul Painlevé"):
        if old[p] < old[painleve]:
            painleve = int(p)
    assert _hms(tt, old[painleve]) == "22:07:00"  # bus 16 from Colverts at 22:06
    assert new[painleve] > old[painleve]
    assert old[pomp] + street_s + 60 > 22 * 3600 + 6 * 60  # by the streets the bus is missed
    it = transit_itinerary(
        tt, net, (3.880225, 43.592263), (3.909640, 43.615752), datetime(2024, 1, 16, 21, 30)
    )
    legs = [(leg.mode, leg.from_name, leg.to_name) for leg in it.legs]
    assert ("walk", "Pompignane", "Colverts") not in legs
    assert not any(leg.mode == "ride" and leg.from_name == "Colverts" for leg in it.legs)
    assert it.arrival.strftime("%H:%M:%S") == "22:22:41"  # 22:22:37 with the impossible bus


# ----------------------------------------------------------------------------------------------
# max_egress_s: the whole final walk
# ----------------------------------------------------------------------------------------------
def test_final_walk_starts_where_the_last_ride_ends(tam) -> None:
    tt, net, _ = tam
    served = tt.stops[np.diff(tt.stop_pattern_ptr) > 0]
    pick = served[served.stop_lon.between(3.84, 3.92) & served.stop_lat.between(43.58, 43.64)]
    pick = pick.sample(60, random_state=7)
    dests = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(pick.stop_lon + 0.003, pick.stop_lat - 0.002), crs=4326
    )
    found = transit_itineraries(
        tt, net, (3.8200, 43.6321), dests, datetime(2024, 1, 16, 21, 30), max_time_s=3 * 3600
    )
    rides = 0
    for it in found.values():
        if it is not None and len(it.legs) > 1:
            rides += 1
            assert it.legs[-2].mode == "ride"  # never a transfer footpath, then a walk
            assert it.legs[-1].duration_s <= 900
    assert rides > 30


# ----------------------------------------------------------------------------------------------
# straight-line walks
# ----------------------------------------------------------------------------------------------
def _crow_m(walk: CrowFlyWalk, a, b, max_time_s=None) -> pd.Series:
    t = walk_table(walk, a, b, max_time_s=max_time_s).set_index(["from_id", "to_id"]).travel_time
    return t * walk.speed_m_s / walk.detour


def _geodesic(a, b) -> pd.Series:
    ii, jj = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
    ii, jj = ii.ravel(), jj.ravel()
    _, _, d = GEOD.inv(
        a.x.to_numpy()[ii], a.y.to_numpy()[ii], b.x.to_numpy()[jj], b.y.to_numpy()[jj]
    )
    return pd.Series(d, index=pd.MultiIndex.from_arrays([a.index[ii], b.index[jj]]))


def _random_points(bbox, n, seed) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(bbox[0], bbox[2], n)
    lat = rng.uniform(bbox[1], bbox[3], n)
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326)


def test_sao_paulo_crow_fly_is_geodesic() -> None:
    with zipfile.ZipFile(fetch(SPO)) as z:
        st = pd.read_csv(io.BytesIO(z.read("stops.txt")), encoding="utf-8-sig")
    st = st.sample(60, random_state=1)
    pts = gpd.GeoSeries(gpd.points_from_xy(st.stop_lon, st.stop_lat), crs=4326)
    a, b = pts.iloc[:30], pts.iloc[30:]
    got, ref = _crow_m(CrowFlyWalk(), a, b), _geodesic(a, b)
    rel = (got / ref.reindex(got.index) - 1).abs()
    assert len(got) == 900 and rel.max() < 0.01 and rel.max() < 1e-6
    # within a walking limit: the same pairs as brute force, none missed
    near = _crow_m(CrowFlyWalk(), pts, pts, max_time_s=1800)
    limit = 1800 * CrowFlyWalk().speed_m_s / CrowFlyWalk().detour
    brute = _geodesic(pts, pts)
    assert set(near.index) == set(brute[brute <= limit].index)
    # Lambert-93 there made every walk ×1.9 too long: now refused, naming the fix
    lam = np.hypot(
        a.to_crs(2154).x.iloc[0] - b.to_crs(2154).x.iloc[0],
        a.to_crs(2154).y.iloc[0] - b.to_crs(2154).y.iloc[0],
    )
    assert 1.5 < lam / ref.iloc[0] < 2.5
    with pytest.raises(CrsError) as err:
        walk_table(CrowFlyWalk(crs="EPSG:2154"), a, b, max_time_s=None)
    assert "EPSG:2154" in err.value.message("fr") and "UTM" in err.value.message("fr")
    # the place's own UTM zone (SIRGAS 2000 / UTM 23S) is accepted, within 0.1 %
    utm = _crow_m(CrowFlyWalk(crs="EPSG:31983"), a, b)
    assert (utm / ref.reindex(utm.index) - 1).abs().max() < 0.001


@pytest.mark.parametrize(
    ("bbox", "crs"),
    [
        ((55.22, -21.39, 55.84, -20.87), "EPSG:2975"),  # La Réunion, RGR92 / UTM 40S
        ((-61.23, 14.39, -60.81, 14.88), "EPSG:5490"),  # Martinique, RGAF09 / UTM 20N
    ],
    ids=["reunion", "martinique"],
)
def test_overseas_crow_fly_is_geodesic(bbox, crs) -> None:
    pts = _random_points(bbox, 40, seed=3)
    a, b = pts.iloc[:20], pts.iloc[20:]
    ref = _geodesic(a, b)
    got = _crow_m(CrowFlyWalk(), a, b)
    assert (got / ref.reindex(got.index) - 1).abs().max() < 1e-6
    local = _crow_m(CrowFlyWalk(crs=crs), a, b)
    assert (local / ref.reindex(local.index) - 1).abs().max() < 0.001
    with pytest.raises(CrsError):
        walk_table(CrowFlyWalk(crs="EPSG:2154"), a, b, max_time_s=None)


def test_metropolitan_crow_fly_within_a_tenth_of_a_percent_of_lambert93(tam) -> None:
    tt, _, _ = tam
    stops = _stops_gdf(tt, served_only=False).geometry
    a, b = stops.iloc[::23], stops.iloc[5::29]
    geo = _crow_m(CrowFlyWalk(), a, b)
    lam = _crow_m(CrowFlyWalk(crs="EPSG:2154"), a, b).reindex(geo.index)
    ok = geo > 50
    assert (geo[ok] / lam[ok] - 1).abs().max() < 0.001


# ----------------------------------------------------------------------------------------------
# negative longitudes on the command line
# ----------------------------------------------------------------------------------------------
def test_negative_lonlat_is_attached_to_its_option() -> None:
    argv = ["times", "--from", "-46.61,-23.55", "--to", "3.8,43.6", "--json", "--", "-1,2"]
    assert attach_negative_lonlat(argv) == [
        "times",
        "--from=-46.61,-23.55",
        "--to",
        "3.8,43.6",
        "--json",
        "--",
        "-1,2",
    ]
    assert attach_negative_lonlat(["-x", "-.5, 3"]) == ["-x-.5, 3"]
    assert attach_negative_lonlat(["--when", "-5"]) == ["--when", "-5"]  # not a LON,LAT


RENNES = "-1.6597,48.1277"


def test_every_lonlat_command_reads_a_negative_longitude(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # qpv locate: answers (Rennes is in no Montpellier QPV)
    assert main(["qpv", "locate", "--lonlat", RENNES, "--json"]) == 0
    assert "null" in capsys.readouterr().out
    # radar and isochrones: the point reached the library, which says it is far away
    assert main(["radar", "--lonlat", RENNES]) == 2
    assert "(-1.6597, 48.1277)" in capsys.readouterr().err
    out = tmp_path / "iso.geojson"
    assert main(["isochrones", "--from", RENNES, "--from", "3.82,43.63", "--out", str(out)]) in (
        0,
        2,
    )
    assert "expected one argument" not in capsys.readouterr().err
    # times on foot: parsed, routed, unreachable (654 km from Montpellier's streets)
    assert main(["times", "--from", RENNES, "--to", "-1.67,48.11"]) == 0
    assert "654" in capsys.readouterr().out
    # times by transit in São Paulo, on its own feed and UTM zone (no street network: crow fly)
    sp = tmp_path / "sp.toml"
    sp.write_text(
        'name = "sao_paulo"\ncrs = "EPSG:31983"\ntimezone = "America/Sao_Paulo"\n'
        'default_when = "2019-05-13T08:00"\n\n[[gtfs]]\nsource = "' + SPO + '"\n',
        "utf-8",
    )
    argv = ["--lang", "en", "times", "--territory", str(sp), "--mode", "transit", "--json"]
    pts = ["--from", "-46.6333,-23.5505", "--to", "-46.6565,-23.5614"]
    assert main([*argv, *pts]) == 0
    with_crs = json.loads(capsys.readouterr().out)["travel_time_s"]
    # the same territory without its CRS: a territory without streets walks on the ellipsoid
    # (Networks.walking), so the answer does not depend on a metric CRS at all
    sp.write_text(sp.read_text("utf-8").replace('crs = "EPSG:31983"\n', ""), "utf-8")
    assert main([*argv, *pts]) == 0
    without_crs = json.loads(capsys.readouterr().out)["travel_time_s"]
    assert without_crs == pytest.approx(with_crs, rel=0.01)
