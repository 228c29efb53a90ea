"""Routing: snapping, travel-time tables, nearest, isochrones, routes — on real networks."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from qpv_radar import CrsError, InputFileError, UnreachableError, fetch
from qpv_radar.networks import StreetNetwork, load_street_network
from qpv_radar.routing import isochrones, nearest, route, snap_points, travel_times

MPL_EDGES = "osm/montpellier_osmnx_2021-04/osmnx_all_shp/edges.shp"
VILLEURBANNE = "osm/villeurbanne_gratteciel_2022-07/osm_bbox.osm.xml.gz"
MPT = "actors/montpellier_maisons_pour_tous/mpt.json"
COMEDIE = (3.8801, 43.6085)
MOSSON = (3.8200, 43.6321)


@pytest.fixture(scope="module")
def walk() -> StreetNetwork:
    return load_street_network("montpellier", "walk")


def _points(lonlat: np.ndarray | list[tuple[float, float]], ids: list[str]) -> gpd.GeoDataFrame:
    xy = np.asarray(lonlat, dtype=float)
    return gpd.GeoDataFrame(
        geometry=shapely.points(xy[:, 0], xy[:, 1]), crs=4326, index=pd.Index(ids, name="id")
    )


@pytest.fixture(scope="module")
def independent_graph() -> tuple[nx.Graph, np.ndarray]:
    """The Montpellier graph rebuilt independently: per-line geodesic lengths, nx.Graph (min)."""
    edges = gpd.read_file(fetch(MPL_EDGES))
    geod = Geod(ellps="WGS84")
    graph = nx.Graph()
    nodes: dict[tuple[int, int], int] = {}
    for line in edges.geometry:
        xy = np.asarray(line.coords)
        a = tuple(np.round(xy[0] * 1e7).astype(np.int64).tolist())
        b = tuple(np.round(xy[-1] * 1e7).astype(np.int64).tolist())
        u, v = nodes.setdefault(a, len(nodes)), nodes.setdefault(b, len(nodes))
        if u == v:
            continue
        w = geod.line_length(xy[:, 0], xy[:, 1]) / (4.5 / 3.6)
        if not graph.has_edge(u, v) or graph[u][v]["w"] > w:
            graph.add_edge(u, v, w=w)
    lonlat = np.array(sorted(nodes, key=nodes.__getitem__), dtype=float) / 1e7
    return graph, lonlat


def test_1000_random_node_pairs_match_networkx(
    walk: StreetNetwork, independent_graph: tuple[nx.Graph, np.ndarray]
) -> None:
    graph, lonlat = independent_graph
    rng = np.random.default_rng(2024)
    # 1,000 random pairs: 40 random origin nodes × 25 random destination nodes each
    src = rng.choice(len(lonlat), 40, replace=False)
    dst = rng.choice(len(lonlat), 25, replace=False)
    o = _points(lonlat[src], [f"n{i}" for i in src])
    d = _points(lonlat[dst], [f"n{i}" for i in dst])
    table = travel_times(walk, o, d)
    assert len(table) == 1000
    assert table["from_id"].iloc[0] == f"n{src[0]}" and table["to_id"].iloc[1] == f"n{dst[1]}"
    expected = []
    for s in src:
        lengths = nx.single_source_dijkstra_path_length(graph, int(s), weight="w")
        expected += [lengths[int(t)] for t in dst]
    diff = np.abs(table["travel_time"].to_numpy() - np.array(expected))
    assert diff.max() < 1.0, diff.max()
    assert table["travel_time"].median() > 600  # real trips, not zeros


def test_search_direction_does_not_change_results(walk: StreetNetwork) -> None:
    rng = np.random.default_rng(7)
    i = rng.choice(walk.n_nodes, 12, replace=False)
    j = rng.choice(walk.n_nodes, 3, replace=False)
    a = _points(np.c_[walk.node_lon[i], walk.node_lat[i]], [f"a{k}" for k in i])
    b = _points(np.c_[walk.node_lon[j], walk.node_lat[j]], [f"b{k}" for k in j])
    ab = travel_times(walk, a, b)  # reversed search from the 3 destinations
    ba = travel_times(walk, b, a)  # forward search from the 3 origins
    merged = ab.merge(ba, left_on=["from_id", "to_id"], right_on=["to_id", "from_id"])
    np.testing.assert_allclose(merged["travel_time_x"], merged["travel_time_y"], atol=1e-6)
    # the cut-off gives the same answer in both directions
    limit = float(ab["travel_time"].median())
    for full, cut in (
        (ab, travel_times(walk, a, b, max_time_s=limit)),
        (ba, travel_times(walk, b, a, max_time_s=limit)),
    ):
        expected = full["travel_time"].where(full["travel_time"] <= limit)
        np.testing.assert_allclose(cut["travel_time"], expected, atol=1e-6)
        assert cut["travel_time"].isna().sum() >= len(cut) // 3


def test_snapping_onto_the_edge_not_the_node(walk: StreetNetwork) -> None:
    # a point 20 m beside the middle of a long edge
    e = int(np.argmax(walk.edge_length_m))
    mid = walk.edge_geometry[e].interpolate(0.5, normalized=True)
    lon, lat = walk.to_wgs84.transform(mid.x, mid.y + 20.0)
    s = snap_points(walk, _points([(lon, lat)], ["p"]))
    assert s.loc["p", "edge"] >= 0
    assert s.loc["p", "distance_m"] < 21
    # travel time to the edge's u node = 20 m + the partial edge at 4.5 km/h (not the node
    # distance)
    u = walk.edge_u[s.loc["p", "edge"]]
    t = travel_times(
        walk, _points([(lon, lat)], ["p"]), _points([(walk.node_lon[u], walk.node_lat[u])], ["u"])
    )
    frac = s.loc["p", "fraction"]
    expected = (s.loc["p", "distance_m"] + frac * walk.edge_length_m[s.loc["p", "edge"]]) / 1.25
    assert t["travel_time"].iloc[0] <= expected + 1e-6


def test_same_edge_points_go_straight(walk: StreetNetwork) -> None:
    e = int(np.argmax(walk.edge_length_m))
    g = walk.edge_geometry[e]
    p1, p2 = g.interpolate(0.3, normalized=True), g.interpolate(0.6, normalized=True)
    ll = [walk.to_wgs84.transform(p.x, p.y) for p in (p1, p2)]
    t = travel_times(walk, _points([ll[0]], ["a"]), _points([ll[1]], ["b"]))
    assert t["travel_time"].iloc[0] == pytest.approx(0.3 * walk.edge_length_m[e] / 1.25, rel=0.01)


def _worded(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The reasons (catalogue messages) in ``lang``, as the CLI prints them."""
    out = table.copy()
    words = [None if r is None else r.text(lang) for r in table["reason"]]
    out["reason"] = pd.Series(words, index=table.index, dtype=object)
    return out


def test_max_time_cut_off_and_reasons(walk: StreetNetwork) -> None:
    o = _points([MOSSON], ["mosson"])
    d = _points([COMEDIE, (3.8205, 43.6325)], ["comedie", "near"])
    full = travel_times(walk, o, d).set_index("to_id")["travel_time"]
    cut = _worded(travel_times(walk, o, d, max_time_s=900, reasons=True)).set_index("to_id")
    assert full["comedie"] > 3000
    assert np.isnan(cut.loc["comedie", "travel_time"])
    assert "cut-off" in cut.loc["comedie", "reason"]
    assert cut.loc["near", "travel_time"] == pytest.approx(full["near"])
    assert cut.loc["near", "reason"] is None


def test_nearest_k_and_by_group(walk: StreetNetwork) -> None:
    mpt = json.loads(fetch(MPT).read_text("utf-8"))
    dests = _points(
        [(float(m["coordinates"]["lng"]), float(m["coordinates"]["lat"])) for m in mpt],
        [f"mpt:{m['id']}" for m in mpt],
    )
    dests["group"] = ["odd" if i % 2 else "even" for i in range(len(dests))]
    rng = np.random.default_rng(3)
    i = rng.choice(walk.n_nodes, 50, replace=False)
    o = _points(np.c_[walk.node_lon[i], walk.node_lat[i]], [f"o{k}" for k in i])
    full = travel_times(walk, o, dests)
    best = full.sort_values(["from_id", "travel_time"]).groupby("from_id").head(3)
    best["rank"] = best.groupby("from_id").cumcount() + 1
    near3 = nearest(walk, o, dests, k=3)
    m = near3.merge(best, on=["from_id", "rank"])
    assert len(m) == 150
    np.testing.assert_allclose(m["travel_time_x"], m["travel_time_y"], atol=1e-6)
    near1 = nearest(walk, o, dests, k=1).merge(best[best["rank"] == 1], on="from_id")
    np.testing.assert_allclose(near1["travel_time_x"], near1["travel_time_y"], atol=1e-6)
    assert (near1["to_id_x"] == near1["to_id_y"]).all()
    by = nearest(walk, o, dests, k=1, by="group")
    assert set(by["group"]) == {"odd", "even"} and len(by) == 100
    per_group = full.merge(dests["group"], left_on="to_id", right_index=True)
    exp = per_group.groupby(["from_id", "group"])["travel_time"].min()
    got = by.set_index(["from_id", "group"])["travel_time"]
    np.testing.assert_allclose(got.sort_index(), exp.sort_index(), atol=1e-6)


def test_one_way_respected_for_cars_in_villeurbanne() -> None:
    import osmium

    path = fetch(VILLEURBANNE)
    car = load_street_network(path, "car", cache=False)
    walk = load_street_network(path, "walk", cache=False)
    pairs = []
    car_roads = {"residential", "tertiary", "primary", "unclassified", "secondary"}
    for w in osmium.FileProcessor(str(path)).with_locations():
        if w.is_way() and w.tags.get("oneway") == "yes" and w.tags.get("highway") in car_roads:
            n0, n1 = w.nodes[0], w.nodes[1]
            # two points on the first segment, at 1/3 and 2/3
            a = (n0.lon + (n1.lon - n0.lon) / 3, n0.lat + (n1.lat - n0.lat) / 3)
            b = (n0.lon + 2 * (n1.lon - n0.lon) / 3, n0.lat + 2 * (n1.lat - n0.lat) / 3)
            pairs.append((a, b))
    assert len(pairs) >= 10
    a = _points([p[0] for p in pairs], [f"a{k}" for k in range(len(pairs))])
    b = _points([p[1] for p in pairs], [f"b{k}" for k in range(len(pairs))])
    diag = pd.Index([f"a{k}|b{k}" for k in range(len(pairs))])

    def pairwise(net: StreetNetwork, x: gpd.GeoDataFrame, y: gpd.GeoDataFrame) -> pd.Series:
        t = travel_times(net, x, y)
        t.index = t["from_id"].str.cat(t["to_id"], sep="|")
        return t["travel_time"]

    fwd = pairwise(car, a, b).reindex(diag).to_numpy()
    bwd = pairwise(car, b, a).reindex([f"b{k}|a{k}" for k in range(len(pairs))]).to_numpy()
    # going the legal way along the segment is direct; the other way means a detour (or none)
    assert np.isfinite(fwd).all()
    assert (np.nan_to_num(bwd, nan=np.inf) > fwd + 5).all()
    # walking ignores one-way tags: the same time both ways
    wf = pairwise(walk, a, b).reindex(diag).to_numpy()
    wb = pairwise(walk, b, a).reindex([f"b{k}|a{k}" for k in range(len(pairs))]).to_numpy()
    np.testing.assert_allclose(wf, wb, rtol=1e-9)


def test_disconnected_components_route_within_each_and_say_who_is_cut_off() -> None:
    lines = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(3.870, 43.600), (3.872, 43.600)]),
            shapely.LineString([(3.872, 43.600), (3.874, 43.600)]),
            shapely.LineString([(3.890, 43.620), (3.892, 43.620)]),  # an island
        ],
        crs=4326,
    )
    net = load_street_network(lines, "walk")
    assert net.n_components == 2
    pts = _points([(3.8705, 43.6001), (3.8735, 43.6001), (3.8915, 43.6201)], ["a", "b", "island"])
    s = snap_points(net, pts)
    assert s.loc["a", "component"] == s.loc["b", "component"] != s.loc["island", "component"]
    t = _worded(travel_times(net, pts, pts, reasons=True)).set_index(["from_id", "to_id"])
    assert np.isfinite(t.loc[("a", "b"), "travel_time"])
    # 0.003° of longitude (241 m) along the street + two 11 m connectors, at 1.25 m/s
    assert t.loc[("a", "b"), "travel_time"] == pytest.approx((241 + 22) / 1.25, rel=0.01)
    assert np.isnan(t.loc[("a", "island"), "travel_time"])
    assert "not connected" in t.loc[("a", "island"), "reason"]
    # to itself: to the street and back (2 × 11 m)
    assert t.loc[("island", "island"), "travel_time"] == pytest.approx(22 / 1.25, rel=0.02)


def test_points_in_the_sea_or_far_away_are_unreachable_with_a_reason(walk: StreetNetwork) -> None:
    pts = _points([MOSSON, (3.95, 43.50), (2.35, 48.86)], ["mosson", "sea", "paris"])
    t = _worded(travel_times(walk, pts.loc[["mosson"]], pts, reasons=True)).set_index("to_id")
    assert np.isnan(t.loc["sea", "travel_time"]) and np.isnan(t.loc["paris", "travel_time"])
    assert (
        "too far" in t.loc["sea", "reason"] and "max snap distance 300 m" in t.loc["sea", "reason"]
    )
    assert "km away" in t.loc["paris", "reason"]
    assert t.loc["mosson", "reason"] is None
    # for people, in French by default
    fr = _worded(travel_times(walk, pts.loc[["mosson"]], pts, reasons=True), "fr")
    fr = fr.set_index("to_id")
    assert fr.loc["sea", "reason"].startswith("arrivée : trop loin du réseau piéton")


def test_max_snap_distance_is_configurable() -> None:
    tight = load_street_network("montpellier", "walk", max_snap_m=1.0)
    loose = load_street_network("montpellier", "walk")
    e = int(np.argmax(loose.edge_length_m))
    mid = loose.edge_geometry[e].interpolate(0.5, normalized=True)
    lon, lat = loose.to_wgs84.transform(mid.x, mid.y + 50.0)
    p = _points([(lon, lat)], ["p"])
    assert snap_points(tight, p).loc["p", "edge"] == -1
    assert snap_points(loose, p).loc["p", "edge"] >= 0


def test_projected_coordinates_passed_as_degrees(walk: StreetNetwork) -> None:
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(770_000, 6_280_000)], crs=4326)
    with pytest.raises(CrsError, match="projected"):
        travel_times(walk, pts, pts)
    # declared properly, the same Lambert-93 coordinates work
    ok = pts.set_crs(2154, allow_override=True)
    assert snap_points(walk, ok)["edge"].iloc[0] >= 0


def test_swapped_lon_lat_and_missing_crs(walk: StreetNetwork) -> None:
    swapped = gpd.GeoDataFrame(geometry=[shapely.Point(43.6085, 3.8801)], crs=4326)
    with pytest.raises(CrsError, match="swapped"):
        travel_times(walk, swapped, swapped)
    no_crs = gpd.GeoDataFrame(geometry=[shapely.Point(*COMEDIE)])
    with pytest.raises(CrsError, match="no CRS"):
        travel_times(walk, no_crs, no_crs)


def test_non_point_geometries_are_listed(walk: StreetNetwork) -> None:
    bad = gpd.GeoDataFrame(
        geometry=[shapely.Point(*COMEDIE), None, shapely.LineString([COMEDIE, MOSSON])], crs=4326
    )
    with pytest.raises(InputFileError) as err:
        travel_times(walk, bad, bad)
    assert [p.row for p in err.value.problems] == [2, 3]


def test_isochrones_follow_streets_and_nest(walk: StreetNetwork) -> None:
    iso = isochrones(walk, MOSSON, [5, 10, 15])
    assert iso["minutes"].tolist() == [5, 10, 15]
    assert iso.crs.to_epsg() == 4326
    area = iso.to_crs(2154).area.to_numpy()
    assert (np.diff(area) > 0).all()
    # within 15 min at 4.5 km/h nothing is farther than 1,125 m (+ the 40 m strip) as the crow
    # flies, and a network isochrone is much smaller than that disc
    x, y = walk.to_metric.transform(*MOSSON)
    far = iso.to_crs(2154).geometry.iloc[2].hausdorff_distance(shapely.Point(x, y))
    assert far < 1125 + 41
    assert area[2] < 0.6 * np.pi * 1125**2
    # every street node with a travel time under 10 min is inside the 10 min band
    nodes = _points(np.c_[walk.node_lon, walk.node_lat], [str(i) for i in range(walk.n_nodes)])
    near = nodes[(np.hypot(walk.node_x - x, walk.node_y - y) < 900)]
    t = travel_times(walk, _points([MOSSON], ["o"]), near, max_time_s=600)
    inside = near.loc[t.loc[t["travel_time"].notna(), "to_id"]]
    assert inside.within(iso.geometry.iloc[1].buffer(1e-6)).all()
    assert len(inside) > 50


def test_isochrones_several_origins_and_unreachable(walk: StreetNetwork) -> None:
    one = isochrones(walk, MOSSON, [10])
    two = isochrones(
        walk, gpd.GeoSeries([shapely.Point(*MOSSON), shapely.Point(*COMEDIE)], crs=4326), [10]
    )
    assert two.to_crs(2154).area.iloc[0] > 1.5 * one.to_crs(2154).area.iloc[0]
    with pytest.raises(UnreachableError, match="too far"):
        isochrones(walk, (3.95, 43.50), [10])


def test_route_geometry_and_time(walk: StreetNetwork) -> None:
    r = route(walk, MOSSON, COMEDIE)
    t = travel_times(walk, _points([MOSSON], ["o"]), _points([COMEDIE], ["d"]))
    assert r.travel_time_s == pytest.approx(t["travel_time"].iloc[0])
    assert r.length_m / 1.25 == pytest.approx(r.travel_time_s, rel=0.01)
    start, end = r.geometry.coords[0], r.geometry.coords[-1]
    assert start == pytest.approx(MOSSON, abs=1e-6) and end == pytest.approx(COMEDIE, abs=1e-6)
    with pytest.raises(UnreachableError, match="too far"):
        route(walk, MOSSON, (3.95, 43.50))


def test_cli_times_and_isochrones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qpv_radar.cli.main import main

    frm, to = f"{MOSSON[0]},{MOSSON[1]}", f"{COMEDIE[0]},{COMEDIE[1]}"
    assert main(["times", "--mode", "walk", "--from", frm, "--to", to, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["reason"] is None and 3000 < out["travel_time_s"] < 7000
    assert main(["times", "--mode", "walk", "--from", frm, "--to", "3.95,43.50", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["travel_time_s"] is None and "trop loin" in out["reason"]
    en = ["--lang", "en", "times", "--mode", "walk", "--from", frm, "--to", "3.95,43.50", "--json"]
    assert main(en) == 0
    assert "too far" in json.loads(capsys.readouterr().out)["reason"]
    assert main(["--lang", "en", "times", "--mode", "boat", "--from", frm, "--to", to]) == 2
    assert "unknown mode" in (err := capsys.readouterr().err) and "transit" in err
    assert main(["times", "--mode", "boat", "--from", frm, "--to", to]) == 2
    assert "mode inconnu" in capsys.readouterr().err
    dest = tmp_path / "iso.geojson"
    args = ["isochrones", "--mode", "walk", "--from", frm, "--minutes", "5,10,15", "--out"]
    assert main([*args, str(dest)]) == 0
    iso = gpd.read_file(dest)
    assert iso["minutes"].tolist() == [5, 10, 15]
    assert set(iso.geom_type) <= {"Polygon", "MultiPolygon"}


def test_nearest_by_tuple_roles_puts_a_destination_in_each_group(walk: StreetNetwork) -> None:
    d = _points([COMEDIE, (3.8210, 43.6330), (3.8760, 43.6100)], ["fs:a", "mpt:b", "fs:c"])
    d["roles"] = [("relay", "employment"), ("relay",), ("employment",)]
    o = _points([MOSSON], ["o"])
    got = nearest(walk, o, d, k=1, by="roles").set_index("roles")
    assert got.loc["relay", "to_id"] == "mpt:b"
    assert got.loc["employment", "to_id"] == "fs:c"
    assert got.loc["relay", "travel_time"] < got.loc["employment", "travel_time"]


def test_isochrones_by_origin(walk: StreetNetwork) -> None:
    pts = gpd.GeoSeries(
        [shapely.Point(*MOSSON), shapely.Point(*COMEDIE), shapely.Point(3.95, 43.50)],
        index=["mosson", "comedie", "sea"],
        crs=4326,
    )
    per = isochrones(walk, pts, [5, 10], by_origin=True)
    assert per["origin_id"].tolist() == ["mosson", "mosson", "comedie", "comedie"]
    alone = isochrones(walk, MOSSON, [5, 10])
    np.testing.assert_allclose(per["street_km"].iloc[:2], alone["street_km"])


def test_one_way_dead_end_says_no_path_and_contraflow_bikes_pass(tmp_path: Path) -> None:
    path = tmp_path / "oneway.osm"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>"
        "<node id='1' lat='43.600' lon='3.870'/><node id='2' lat='43.600' lon='3.872'/>"
        "<node id='3' lat='43.600' lon='3.874'/>"
        "<way id='10'><nd ref='1'/><nd ref='2'/><nd ref='3'/>"
        "<tag k='highway' v='residential'/><tag k='oneway' v='yes'/>"
        "<tag k='oneway:bicycle' v='no'/></way></osm>"
    )
    west, east = _points([(3.8705, 43.6001)], ["w"]), _points([(3.8735, 43.6001)], ["e"])
    car = load_street_network(path, "car", cache=False)
    bike = load_street_network(path, "bike", cache=False)
    assert np.isfinite(travel_times(car, west, east)["travel_time"].iloc[0])
    back = _worded(travel_times(car, east, west, reasons=True)).iloc[0]
    assert np.isnan(back["travel_time"]) and "one-way" in back["reason"]
    with pytest.raises(UnreachableError, match="one-way"):
        route(car, (3.8735, 43.6001), (3.8705, 43.6001))
    bike_back = travel_times(bike, east, west)["travel_time"].iloc[0]
    assert bike_back == pytest.approx(travel_times(bike, west, east)["travel_time"].iloc[0])


def test_nearest_by_unknown_column(walk: StreetNetwork) -> None:
    d = _points([COMEDIE], ["a"])
    with pytest.raises(InputFileError, match="no such column"):
        nearest(walk, d, d, by="role")


def test_blocked_search_gives_the_same_table(
    walk: StreetNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qpv_radar.routing import _search

    rng = np.random.default_rng(11)
    i = rng.choice(walk.n_nodes, 6, replace=False)
    pts = _points(np.c_[walk.node_lon[i], walk.node_lat[i]], [f"p{k}" for k in i])
    whole = travel_times(walk, pts, pts)
    monkeypatch.setattr(_search, "_BLOCK", 1)  # one source per dijkstra call
    blocked = travel_times(walk, pts, pts)
    np.testing.assert_allclose(blocked["travel_time"], whole["travel_time"])


def test_nearest_for_an_origin_that_reaches_nothing(walk: StreetNetwork) -> None:
    o = _points([MOSSON, (3.95, 43.50)], ["mosson", "sea"])
    d = _points([COMEDIE, (3.8205, 43.6325)], ["comedie", "near"])
    for k in (1, 2):
        got = nearest(walk, o, d, k=k)
        sea = got[got["from_id"] == "sea"]
        assert len(sea) == 1 and sea["to_id"].iloc[0] is None
        assert np.isnan(sea["travel_time"].iloc[0])
        assert got[got["from_id"] == "mosson"]["to_id"].tolist() == ["near", "comedie"][:k]


def test_car_across_saint_barthelemy_pbf_in_utm() -> None:
    car = load_street_network(fetch("osm/saint_barthelemy_2014/saint_barthelemy.osm.pbf"), "car")
    west, east = (-62.8672, 17.9192), (-62.7923, 17.9016)
    t = travel_times(car, _points([west], ["w"]), _points([east], ["e"]))["travel_time"].iloc[0]
    crow_m = Geod(ellps="WGS84").inv(*west, *east)[2]  # about 8 km
    # slower than the crow flies at the fastest class speed, faster than a 15 km/h crawl
    assert crow_m / (90 / 3.6) < t < 2.5 * crow_m / (15 / 3.6)
    r = route(car, west, east)
    assert r.travel_time_s == pytest.approx(t)
    assert r.length_m > crow_m
