"""Street networks: readers, mode rules, CSR form, cache (real OSM data, tiny hand-made cases)."""

from __future__ import annotations

import bz2
import gzip
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from qpv_radar import CrsError, InputFileError, NetworkError, fetch
from qpv_radar.networks import StreetNetwork, load_street_network, mode_rules
from qpv_radar.networks.modes import apply_rules, parse_maxspeed

MPL_EDGES = "osm/montpellier_osmnx_2021-04/osmnx_all_shp/edges.shp"
VILLEURBANNE = "osm/villeurbanne_gratteciel_2022-07/osm_bbox.osm.xml.gz"
SAINT_BARTH = "osm/saint_barthelemy_2014/saint_barthelemy.osm.pbf"


@pytest.fixture(scope="module")
def walk() -> StreetNetwork:
    return load_street_network("montpellier", "walk")


def test_montpellier_shapefile_nodes_edges_and_dedup(walk: StreetNetwork) -> None:
    # 32,963 lines; end points give 23,352 nodes; 145 self-loops and the parallel edges are
    # collapsed: 32,433 undirected pairs = 64,866 arcs (the peers' prep.py figures).
    assert walk.n_nodes == 23_352
    assert walk.n_edges == 32_963
    assert len(walk.arc_from) == 2 * 32_433
    pairs = walk.arc_from.astype(np.int64) * walk.n_nodes + walk.arc_to
    assert len(np.unique(pairs)) == len(pairs), "parallel arcs must be collapsed, not summed"
    assert not (walk.arc_from == walk.arc_to).any()
    assert walk.n_components == 1
    assert walk.edge_length_m.sum() / 1000 == pytest.approx(1446.7, abs=0.1)
    # untagged input: both directions at 4.5 km/h
    np.testing.assert_allclose(walk.edge_time_fwd, walk.edge_length_m / (4.5 / 3.6))
    np.testing.assert_array_equal(walk.edge_time_fwd, walk.edge_time_bwd)


def test_mode_speeds_on_untagged_network(walk: StreetNetwork) -> None:
    bike = load_street_network(MPL_EDGES, "bike")
    car = load_street_network("montpellier", "car")
    np.testing.assert_allclose(bike.arc_time, walk.arc_time * 4.5 / 15.0)
    np.testing.assert_allclose(car.arc_time, walk.arc_time * 4.5 / 30.0)
    assert car.rules.connector_speed_kmh == 4.5


def test_territory_graph_per_mode(walk: StreetNetwork) -> None:
    # montpellier.toml names osmnx's bike graph for the bike mode: a subset of the `all` graph
    bike = load_street_network("montpellier", "bike")
    assert "osmnx_bike_shp" in bike.source
    assert (bike.n_nodes, bike.n_edges, bike.n_components) == (14_925, 19_875, 1)
    assert bike.edge_length_m.sum() < 0.85 * walk.edge_length_m.sum()


def test_cache_reload_is_fast_and_identical(empty_cache: Path) -> None:
    t0 = time.perf_counter()
    built = load_street_network("montpellier", "walk")
    build_s = time.perf_counter() - t0
    files = list((empty_cache / "networks").glob("walk-*.qpvc"))
    assert len(files) == 1
    t0 = time.perf_counter()
    again = load_street_network("montpellier", "walk")
    reload_s = time.perf_counter() - t0
    assert reload_s < 0.5, reload_s
    assert reload_s < build_s
    np.testing.assert_array_equal(again.arc_time, built.arc_time)
    assert again.edge_geometry[10].equals(built.edge_geometry[10])
    # another speed is another cache entry
    load_street_network("montpellier", "walk", speed_kmh=4.0)
    assert len(list((empty_cache / "networks").glob("walk-*.qpvc"))) == 2


def test_corrupted_cache_file_is_rebuilt(empty_cache: Path) -> None:
    load_street_network("montpellier", "car")
    (cached,) = (empty_cache / "networks").glob("car-*.qpvc")
    cached.write_bytes(b"not a network")
    net = load_street_network("montpellier", "car")
    assert net.n_nodes == 23_352


def test_osm_xml_gz_villeurbanne_reads_tags() -> None:
    car = load_street_network(fetch(VILLEURBANNE), "car", cache=False)
    walk = load_street_network(fetch(VILLEURBANNE), "walk", cache=False)
    assert car.crs == "EPSG:2154"
    # footways are walkable, not drivable
    assert walk.edge_length_m.sum() > car.edge_length_m.sum()
    # one-way streets: some edges can only be driven one way
    assert np.isinf(car.edge_time_bwd).sum() > 20
    assert np.isfinite(walk.edge_time_bwd).all()


def test_osm_bz2_and_plain_xml_give_the_same_network(tmp_path: Path) -> None:
    raw = gzip.decompress(fetch(VILLEURBANNE).read_bytes())
    (tmp_path / "v.osm").write_bytes(raw)
    (tmp_path / "v.osm.bz2").write_bytes(bz2.compress(raw))
    a = load_street_network(tmp_path / "v.osm", "bike", cache=False)
    b = load_street_network(tmp_path / "v.osm.bz2", "bike", cache=False)
    c = load_street_network(fetch(VILLEURBANNE), "bike", cache=False)
    np.testing.assert_array_equal(a.arc_time, b.arc_time)
    np.testing.assert_array_equal(a.arc_time, c.arc_time)


def test_pbf_saint_barthelemy_gets_a_utm_crs() -> None:
    net = load_street_network(fetch(SAINT_BARTH), "car", cache=False)
    assert net.crs == "EPSG:32620"  # UTM 20N, not Lambert-93
    assert net.n_edges > 500
    assert 100 < net.edge_length_m.sum() / 1000 < 400


def test_networkx_graph_from_osmnx_and_graphml_and_gpkg(tmp_path: Path) -> None:
    import osmium
    import osmnx as ox

    # osmnx builds a graph from every way of an XML file: keep the highways (and their nodes)
    src = str(fetch(VILLEURBANNE))
    with osmium.BackReferenceWriter(str(tmp_path / "v.osm"), ref_src=src) as writer:
        ways = osmium.FileProcessor(src, osmium.osm.WAY)
        for way in ways.with_filter(osmium.filter.KeyFilter("highway")):
            writer.add(way)
    graph = ox.graph_from_xml(tmp_path / "v.osm", retain_all=True)
    from_graph = load_street_network(graph, "car")
    ox.save_graphml(graph, tmp_path / "v.graphml")
    from_graphml = load_street_network(tmp_path / "v.graphml", "car", cache=False)
    np.testing.assert_allclose(
        np.sort(from_graphml.arc_time), np.sort(from_graph.arc_time), rtol=1e-9
    )
    # the directed osmnx graph encodes one-way streets: same drivable length as from the file
    from_osm = load_street_network(fetch(VILLEURBANNE), "car", cache=False)
    drivable = np.isfinite(from_graph.edge_time_fwd)
    assert from_graph.edge_length_m[drivable].sum() == pytest.approx(
        (
            from_osm.edge_length_m[np.isfinite(from_osm.edge_time_fwd)].sum()
            + from_osm.edge_length_m[np.isfinite(from_osm.edge_time_bwd)].sum()
        ),
        rel=0.02,
    )
    ox.save_graph_geopackage(graph, tmp_path / "v.gpkg")
    from_gpkg = load_street_network(tmp_path / "v.gpkg", "walk", cache=False)
    assert from_gpkg.edge_length_m.sum() > 0


def test_geodataframe_input() -> None:
    edges = gpd.read_file(fetch(MPL_EDGES)).iloc[:500]
    net = load_street_network(edges, "walk")
    assert net.n_edges == 500


def test_parse_maxspeed() -> None:
    assert parse_maxspeed("50") == 50
    assert parse_maxspeed("30 mph") == pytest.approx(48.28, abs=0.01)
    assert parse_maxspeed("FR:urban") == 50
    assert parse_maxspeed("FR:zone30") == 30
    assert parse_maxspeed("50;30") == 30
    assert np.isnan(parse_maxspeed(None))
    assert np.isnan(parse_maxspeed("signals"))


def test_rules_per_mode_from_tags() -> None:
    tags = pd.DataFrame(
        {
            "highway": ["footway", "residential", "residential", "motorway", "cycleway", "primary"],
            "oneway": [None, "yes", "yes", "yes", None, "-1"],
            "oneway:bicycle": [None, None, "no", None, None, None],
            "maxspeed": [None, None, "20", None, None, "70"],
        }
    )
    walk = apply_rules(mode_rules("walk"), tags)
    bike = apply_rules(mode_rules("bike"), tags)
    car = apply_rules(mode_rules("car"), tags)
    assert walk.forward.tolist() == [True, True, True, False, False, True]
    assert walk.backward.tolist() == walk.forward.tolist()
    assert bike.forward.tolist() == [False, True, True, False, True, False]
    assert bike.backward.tolist() == [False, False, True, False, True, True]
    assert car.forward.tolist() == [False, True, True, True, False, False]
    assert car.backward.tolist() == [False, False, False, False, False, True]
    np.testing.assert_allclose(car.speed_mps[[1, 2, 3, 5]] * 3.6, [30, 20, 110, 70])


# ---- bad input --------------------------------------------------------------------------


def test_empty_network_is_an_error() -> None:
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326))
    with pytest.raises(NetworkError, match="empty"):
        load_street_network(empty, "walk")


def test_osm_file_without_streets_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nostreet.osm"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>"
        "<node id='1' lat='43.6' lon='3.87'/><node id='2' lat='43.61' lon='3.88'/>"
        "<way id='10'><nd ref='1'/><nd ref='2'/><tag k='building' v='yes'/></way></osm>"
    )
    with pytest.raises(NetworkError, match="no highway"):
        load_street_network(path, "walk", cache=False)


def test_no_street_usable_by_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "footway.osm"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>"
        "<node id='1' lat='43.6' lon='3.87'/><node id='2' lat='43.61' lon='3.88'/>"
        "<way id='10'><nd ref='1'/><nd ref='2'/><tag k='highway' v='footway'/></way></osm>"
    )
    assert load_street_network(path, "walk", cache=False).n_edges == 1
    with pytest.raises(NetworkError, match="no street usable by mode 'car'"):
        load_street_network(path, "car", cache=False)


def test_projected_lines_declared_as_degrees() -> None:
    lines = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(770000, 6280000), (770100, 6280000)])], crs=4326
    )
    with pytest.raises(CrsError, match="not degrees"):
        load_street_network(lines, "walk")


def test_lines_without_crs() -> None:
    lines = gpd.GeoDataFrame(geometry=[shapely.LineString([(3.87, 43.6), (3.88, 43.6)])])
    with pytest.raises(CrsError, match="no CRS"):
        load_street_network(lines, "walk")


def test_unknown_mode_and_bad_speed() -> None:
    with pytest.raises(NetworkError, match="unknown mode"):
        load_street_network("montpellier", "plane")
    with pytest.raises(NetworkError, match="positive"):
        load_street_network("montpellier", "walk", speed_kmh=-1)


def test_missing_file() -> None:
    with pytest.raises(NetworkError, match="no such file"):
        load_street_network("/nonexistent/streets.osm.pbf", "walk")


def test_corrupt_osm_files(tmp_path: Path) -> None:
    pbf = tmp_path / "broken.osm.pbf"
    pbf.write_bytes(b"not a pbf")
    with pytest.raises(InputFileError, match="not a readable OSM"):
        load_street_network(pbf, "walk", cache=False)
    xml = tmp_path / "broken.osm"
    xml.write_text("<osm><node id=")
    with pytest.raises(InputFileError, match="not a readable OSM"):
        load_street_network(xml, "walk", cache=False)


def test_non_line_geometries_are_listed() -> None:
    lines = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(3.87, 43.6), (3.88, 43.6)]),
            shapely.Point(3.87, 43.6),
            None,
        ],
        crs=4326,
    )
    with pytest.raises(InputFileError) as err:
        load_street_network(lines, "walk")
    assert [p.row for p in err.value.problems] == [2, 3]
