"""QPV perimeters: real published variants, locate, CLI, and one test per bad input."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from qpv_radar import CrsError, InputFileError, QpvError, fetch, load_territory
from qpv_radar.cli.main import main
from qpv_radar.qpv import QPV_COLUMNS, join_indicators, load_qpv, locate, read_qpv

OCCITANIE = "qpv/occitanie_hackaviz2021/qp.geojson"
RENNES = "qpv/rennes_resovilles/QPV_rennes_saint-malo.geojson"
ANCT_POINTS = "qpv/anct_qpv2024_communes/centroide-4326_qpv.geojson"
ANCT_POLYGONS = "qpv/anct_qpv2024_communes/polygone-4326_qpv_communes.geojson"

MONTPELLIER_2015 = {
    "QP034004",
    "QP034005",
    "QP034006",
    "QP034007",
    "QP034008",
    "QP034009",
    "QP034010",
    "QP034011",
    "QP034012",
    "QP034013",
    "QP034014",
    "QP034015",
}


@pytest.fixture(scope="module")
def montpellier_qpv() -> gpd.GeoDataFrame:
    return load_qpv("montpellier")


# --- real variants -------------------------------------------------------------------------


def test_occitanie_2015_variant(caplog: pytest.LogCaptureFixture) -> None:
    # DEBUG: a note about built-in data is a warning the first time only (tests/test_data_notes)
    with caplog.at_level(logging.DEBUG, logger="qpv_radar.qpv"):
        gdf = read_qpv(fetch(OCCITANIE))
    assert list(gdf.columns) == list(QPV_COLUMNS)
    assert len(gdf) == 105 and gdf["code_qp"].is_unique
    assert gdf.crs.to_epsg() == 4326
    assert set(gdf["generation"]) == {2015} and gdf["is_perimeter"].all()
    assert gdf.is_valid.all()  # the 32 self-intersecting polygons were repaired…
    assert "32 invalid polygon(s) repaired" in caplog.text  # …and reported
    mosson = gdf.set_index("code_qp").loc["QP034005"]
    assert mosson["nom_qp"] == "Mosson" and mosson["commune_codes"] == ["34172"]


def test_official_upper_case_variant() -> None:
    gdf = read_qpv(fetch(RENNES))
    assert len(gdf) == 6
    assert set(gdf["commune_names"].map(tuple)) == {("Rennes",), ("Saint-Malo",)}
    assert gdf.set_index("code_qp").loc["QP035004", "nom_qp"] == "Maurepas"
    assert (gdf["commune_codes"].map(len) == 0).all()  # the file has no INSEE codes


def test_2024_variant_lib_qp_insee_com(tmp_path: Path) -> None:
    # the 2024 releases' field names, written by hand (no 2024 perimeters are published here)
    square = Polygon([(3.80, 43.60), (3.81, 43.60), (3.81, 43.61), (3.80, 43.61)])
    src = gpd.GeoDataFrame(
        {"code_qp": ["QN03404M"], "lib_qp": ["Celleneuve"], "insee_com": ["34172"]},
        geometry=[square],
        crs="EPSG:4326",
    )
    src["lib_com"] = "Montpellier"
    path = tmp_path / "qpv2024.gpkg"
    src.to_crs(2154).to_file(path)  # official releases are in Lambert-93
    gdf = read_qpv(path)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.iloc[0].bounds == pytest.approx(square.bounds, abs=1e-7)
    row = gdf.iloc[0]
    assert (row["code_qp"], row["nom_qp"], row["generation"]) == ("QN03404M", "Celleneuve", 2024)
    assert row["commune_codes"] == ["34172"] and row["commune_names"] == ["Montpellier"]


@pytest.mark.parametrize("path", [ANCT_POINTS, ANCT_POLYGONS])
def test_anct_commune_level_lists(path: str) -> None:
    gdf = read_qpv(fetch(path))
    assert gdf["code_qp"].is_unique and not gdf["is_perimeter"].any()
    assert set(gdf["generation"]) == {2024}
    mtp = gdf[gdf["commune_codes"].map(lambda c: "34172" in c)]
    assert "QN03405M" in set(mtp["code_qp"])  # Mosson, 2024 code
    assert mtp.set_index("code_qp").loc["QN03405M", "nom_qp"] == "Mosson"
    if path == ANCT_POINTS:
        assert len(gdf) == 1493  # distinct 2024 QPV codes, as PROVENANCE counts them
        multi = gdf[gdf["commune_codes"].map(len) > 1]
        assert len(multi) > 0 and (multi.geometry.geom_type == "MultiPoint").all()


def test_anct_list_refuses_locate() -> None:
    gdf = read_qpv(fetch(ANCT_POINTS))
    with pytest.raises(QpvError, match="commune-level list"):
        locate(gpd.GeoSeries.from_xy([3.82], [43.63], crs=4326), gdf)


def test_territory_filter_and_indicators(montpellier_qpv: gpd.GeoDataFrame) -> None:
    assert set(montpellier_qpv["code_qp"]) == MONTPELLIER_2015
    assert "Vert-Bois" in montpellier_qpv.attrs["note"]
    pop = montpellier_qpv.set_index("code_qp")["pop_mun"]
    assert pop["QP034005"] == 21652  # qp.csv, Mosson
    assert montpellier_qpv["pop_mun"].notna().all()


# --- locate ---------------------------------------------------------------------------------


def test_locate_vectorised_keeps_index(montpellier_qpv: gpd.GeoDataFrame) -> None:
    pts = gpd.GeoDataFrame(
        {"who": ["mosson", "centre", "lyon"]},
        geometry=[Point(3.8200, 43.6321), Point(3.8767, 43.6109), Point(4.835, 45.764)],
        crs="EPSG:4326",
        index=["a", "b", "c"],
    )
    got = locate(pts, montpellier_qpv)
    assert list(got.index) == ["a", "b", "c"]
    assert got.loc["a", "code_qp"] == "QP034005" and got.loc["a", "nom_qp"] == "Mosson"
    assert got.loc["b", "code_qp"] is None and got.loc["c", "nom_qp"] is None


def test_locate_every_qpv_from_inside_points(montpellier_qpv: gpd.GeoDataFrame) -> None:
    # a point on each perimeter's surface, projected to Lambert-93: CRS handled, all found
    inside = gpd.GeoSeries(
        shapely.point_on_surface(montpellier_qpv.geometry.values), crs=4326
    ).to_crs(2154)
    got = locate(inside, montpellier_qpv)
    assert list(got["code_qp"]) == list(montpellier_qpv["code_qp"])


def test_locate_points_without_crs(montpellier_qpv: gpd.GeoDataFrame) -> None:
    with pytest.raises(CrsError, match="no CRS"):
        locate(gpd.GeoSeries([Point(3.82, 43.63)]), montpellier_qpv)


def test_locate_swapped_lat_lon(montpellier_qpv: gpd.GeoDataFrame) -> None:
    with pytest.raises(CrsError, match="swapped"):
        locate(gpd.GeoSeries.from_xy([43.6321], [3.82], crs=4326), montpellier_qpv)


# --- bad files: one test per case ---------------------------------------------------------


def _write(tmp_path: Path, gdf: gpd.GeoDataFrame, name: str = "q.geojson") -> Path:
    path = tmp_path / name
    gdf.to_file(path)
    return path


SQUARE = Polygon([(3.80, 43.60), (3.81, 43.60), (3.81, 43.61), (3.80, 43.61)])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_qpv(tmp_path / "nope.geojson")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "q.geojson").write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        read_qpv(tmp_path / "q.geojson")


def test_no_features(tmp_path: Path) -> None:
    (tmp_path / "q.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputFileError, match="no features"):
        read_qpv(tmp_path / "q.geojson")


def test_missing_columns_all_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, gpd.GeoDataFrame({"id": [1]}, geometry=[SQUARE], crs=4326))
    with pytest.raises(InputFileError) as err:
        read_qpv(path)
    cols = {p.column for p in err.value.problems}
    assert {"code_qp", "nom_qp"} <= cols and "columns found: id" in str(err.value)


def test_no_crs(tmp_path: Path) -> None:
    # a shapefile written without .prj
    gdf = gpd.GeoDataFrame({"code_qp": ["QP034005"], "nom_qp": ["Mosson"]}, geometry=[SQUARE])
    path = tmp_path / "q.shp"
    with pytest.warns(UserWarning, match="crs"):
        gdf.to_file(path)
    assert not (tmp_path / "q.prj").exists()
    with pytest.raises(CrsError, match="crs="):
        read_qpv(path)
    assert read_qpv(path, crs="EPSG:4326")["code_qp"].tolist() == ["QP034005"]


def test_swapped_coordinates_in_file(tmp_path: Path) -> None:
    swapped = shapely.transform(SQUARE, lambda c: c[:, ::-1])
    gdf = gpd.GeoDataFrame({"code_qp": ["QP1"], "nom_qp": ["X"]}, geometry=[swapped], crs=4326)
    with pytest.raises(CrsError, match="swapped"):
        read_qpv(_write(tmp_path, gdf), generation=2015)


def test_wrong_crs_outside_france(tmp_path: Path) -> None:
    # Lambert-93 metres declared as WGS84 degrees would be off the globe: use a far point
    far = shapely.affinity.translate(SQUARE, xoff=100)  # lon ≈ 104°: Asia
    gdf = gpd.GeoDataFrame({"code_qp": ["QP1"], "nom_qp": ["X"]}, geometry=[far], crs=4326)
    with pytest.raises(CrsError, match="outside France"):
        read_qpv(_write(tmp_path, gdf), generation=2015)


def test_invalid_polygon_repaired(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bowtie = Polygon([(3.80, 43.60), (3.81, 43.61), (3.81, 43.60), (3.80, 43.61)])
    assert not bowtie.is_valid
    gdf = gpd.GeoDataFrame({"code_qp": ["QP034099"], "nom_qp": ["X"]}, geometry=[bowtie], crs=4326)
    with caplog.at_level(logging.WARNING, logger="qpv_radar.qpv"):
        out = read_qpv(_write(tmp_path, gdf))
    assert out.is_valid.all() and out.geometry.iloc[0].geom_type == "MultiPolygon"
    assert out.geometry.iloc[0].area == pytest.approx(0.5 * 0.01 * 0.01)  # both triangles kept
    assert "repaired" in caplog.text


def test_empty_polygon(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"code_qp": ["QP034001", "QP034002"], "nom_qp": ["A", "B"]},
        geometry=[SQUARE, Polygon()],
        crs=4326,
    )
    with pytest.raises(InputFileError) as err:
        read_qpv(_write(tmp_path, gdf))
    assert [(p.row, p.problem) for p in err.value.problems] == [(2, "empty geometry")]


def test_point_instead_of_perimeter(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"code_qp": ["QP034001"], "nom_qp": ["A"]}, geometry=[Point(3.8, 43.6)], crs=4326
    )
    with pytest.raises(InputFileError, match="Point is not a polygon"):
        read_qpv(_write(tmp_path, gdf))


def test_duplicate_codes(tmp_path: Path) -> None:
    other = shapely.affinity.translate(SQUARE, xoff=0.02)
    gdf = gpd.GeoDataFrame(
        {"code_qp": ["QP034001", "QP034001"], "nom_qp": ["A", "A"]},
        geometry=[SQUARE, other],
        crs=4326,
    )
    path = _write(tmp_path, gdf)
    with pytest.raises(InputFileError) as err:
        read_qpv(path)
    assert [p.row for p in err.value.problems] == [1, 2]
    merged = read_qpv(path, dissolve_duplicates=True)
    assert len(merged) == 1 and merged.geometry.iloc[0].geom_type == "MultiPolygon"


def test_wrong_encoding(tmp_path: Path) -> None:
    text = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"code_qp":"QP034008","nom_qp":"Cévennes"},"geometry":{"type":"Polygon",'
        '"coordinates":[[[3.80,43.60],[3.81,43.60],[3.81,43.61],[3.80,43.60]]]}}]}'
    )
    path = tmp_path / "q.geojson"
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(InputFileError, match="not valid utf-8"):
        read_qpv(path)


def test_not_a_vector_file(tmp_path: Path) -> None:
    (tmp_path / "q.geojson").write_text("this is not geojson")
    with pytest.raises(InputFileError, match="not a readable vector file"):
        read_qpv(tmp_path / "q.geojson")


def test_indicators_duplicate_codes(tmp_path: Path, montpellier_qpv: gpd.GeoDataFrame) -> None:
    (tmp_path / "ind.csv").write_text("code_qp,pop_mun\nQP034005,1\nQP034005,2\n")
    with pytest.raises(InputFileError, match="duplicate code"):
        join_indicators(montpellier_qpv, tmp_path / "ind.csv")


def test_territory_without_qpv(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text('name = "nowhere"\ncommunes = ["00000"]\n')
    with pytest.raises(QpvError, match=r"\[qpv\]"):
        load_qpv(load_territory(tmp_path / "t.toml"))


# --- CLI --------------------------------------------------------------------------------------


def test_cli_locate_mosson(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qpv", "locate", "--lonlat", "3.8200,43.6321", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"code_qp": "QP034005", "nom_qp": "Mosson"}


def test_cli_locate_centre_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qpv", "locate", "--lonlat", "3.8767,43.6109", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"code_qp": None, "nom_qp": None}


def test_cli_locate_with_file(capsys: pytest.CaptureFixture[str]) -> None:
    rennes = read_qpv(fetch(RENNES)).set_index("code_qp")
    pt = rennes.loc["QP035004"].geometry.representative_point()  # inside Maurepas
    lonlat = f"{pt.x:.6f},{pt.y:.6f}"
    args = ["qpv", "locate", f"--lonlat={lonlat}", "--qpv-file", str(fetch(RENNES)), "--json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == {"code_qp": "QP035004", "nom_qp": "Maurepas"}


def test_cli_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qpv", "list", "--territory", "montpellier", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["code_qp"] for r in rows} == MONTPELLIER_2015
    assert all(isinstance(r["pop_mun"], int) for r in rows)


def test_cli_swapped_lonlat_is_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qpv", "locate", "--lonlat", "43.6321,3.8200", "--json"]) == 2
    assert "LON,LAT" in capsys.readouterr().err


def test_table_without_geometry_is_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "qpv.csv"
    path.write_text("code_qp,nom_qp\nQP034005,Mosson\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no geometry"):
        read_qpv(path)
    assert main(["qpv", "locate", "--lonlat", "3.82,43.63", "--qpv-file", str(path)]) == 2


def test_cli_qpv_file_from_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["qpv", "locate", "--lonlat=-1.6597,48.1277", "--qpv-file", RENNES, "--json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["nom_qp"] == "Maurepas"


def test_cli_overseas_point_is_not_taken_for_swapped(capsys: pytest.CaptureFixture[str]) -> None:
    # Saint-Denis de La Réunion: |lat| < |lon| and still the right order
    assert main(["qpv", "locate", "--lonlat=55.45,-20.88", "--qpv-file", RENNES, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"code_qp": None, "nom_qp": None}
    assert main(["qpv", "locate", "--lonlat=-20.88,55.45", "--qpv-file", RENNES]) == 2
    assert "--lonlat 55.45,-20.88" in capsys.readouterr().err


def test_cli_list_own_territory_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_path / "mine.toml"
    toml.write_text(
        f'name = "mine"\nlabel = "Mine"\ncommunes = ["35238"]\n[qpv]\nperimeters = "{RENNES}"\n',
        encoding="utf-8",
    )
    assert main(["qpv", "list", "--territory", str(toml), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"Maurepas", "Le Blosne"} <= {r["nom_qp"] for r in rows}


def test_cli_unknown_territory_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qpv", "list", "--territory", "nowhere"]) == 2
    assert "territoire inconnu 'nowhere'" in capsys.readouterr().err
    args = ["--lang", "en", "qpv", "locate", "--lonlat", "3.82,43.63", "--territory", "x"]
    assert main(args) == 2
    assert "unknown territory 'x'" in capsys.readouterr().err


def test_cli_prints_data_warnings_once_without_stray_lines(empty_cache: Path) -> None:
    # the installed command, as a user runs it: no logging configured by anyone else, on a
    # fresh cache (notes about the built-in data are said the first time it is read, only)
    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "qpv_radar", "actors", "list", "--json"],
            capture_output=True,
            text=True,
            check=True,
        )

    proc = run()
    lines = proc.stderr.splitlines()
    assert lines, "the 2011 associations file has rows without coordinates: a warning is due"
    assert all(line.startswith("qpv-radar: avertissement: ") for line in lines), lines
    assert len(lines) == len(set(lines))
    # English until the terminal words notes in the person's language, French after
    assert any(("without coordinates" in x or "sans coordonnées" in x) and "1101, 1154" in x
               for x in lines), lines  # fmt: skip
    assert json.loads(proc.stdout)
    again = run()
    assert again.stderr == "", "a note about the built-in data is said once"
    assert json.loads(again.stdout)


def test_public_api_lazy_exports() -> None:
    import qpv_radar

    assert qpv_radar.load_qpv is load_qpv and qpv_radar.locate is locate
    assert qpv_radar.read_qpv is read_qpv
    assert callable(qpv_radar.load_actors)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = qpv_radar.nope  # type: ignore[attr-defined]
