"""Exports (GeoPackage, GeoParquet, CSV) and the slot-switcher map, on real coverage gaps."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import planner_data as pdat
import pyogrio
import pytest
from _browser import CHROMIUM, LEAFLET_DIR, Browser

from qpv_radar import analysis
from qpv_radar.export import ExportError, write_table
from qpv_radar.render.planner_map import coverage_map


@pytest.fixture(scope="module")
def gaps_gdf() -> gpd.GeoDataFrame:
    qpv = pdat.montpellier_qpv()
    relays = pdat.montpellier_relays()
    origins = analysis.origin_points(qpv, pdat.street_nodes())
    tt = pdat.walk_times(origins, relays)
    ids = list(relays.index)
    closed = pd.DataFrame(False, index=ids, columns=range(61), dtype="boolean")
    gaps = analysis.coverage_gaps(
        {"weekday-09:00": tt, "sunday-10:00": tt},
        origins,
        relays,
        minutes=15,
        open_tables={"sunday-10:00": closed},
    )
    ranked = analysis.rank_gaps(gaps)
    ranked["departure"] = ranked["slot"].map(
        {"weekday-09:00": "2024-01-16T09:00", "sunday-10:00": "2024-01-21T10:00"}
    )
    perim = qpv[["code_qp", "nom_qp", "geometry"]].reset_index(drop=True)
    # a hostile name: must come out escaped in the map
    perim.loc[0, "nom_qp"] = "<script>alert('x')</script> & Co"
    return gpd.GeoDataFrame(ranked.merge(perim, on="code_qp"), geometry="geometry", crs=4326)


def test_exports_round_trip(gaps_gdf: gpd.GeoDataFrame, tmp_path: Path) -> None:
    g = write_table(gaps_gdf, tmp_path / "cov.gpkg")
    back = gpd.read_file(g)
    assert len(back) == len(gaps_gdf) == 24
    assert pyogrio.list_layers(g)[0][0] == "cov"
    pq = write_table(gaps_gdf, tmp_path / "cov.parquet")
    back = gpd.read_parquet(pq)
    assert back.crs.to_epsg() == 4326
    pd.testing.assert_series_equal(back["share_uncovered"], gaps_gdf["share_uncovered"])
    csv = write_table(gaps_gdf, tmp_path / "out" / "cov.csv")
    text = pd.read_csv(csv)
    assert text["geometry"].str.startswith(("POLYGON", "MULTIPOLYGON")).all()
    assert set(text["slot"]) == {"weekday-09:00", "sunday-10:00"}


def test_export_errors(gaps_gdf: gpd.GeoDataFrame, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"\.xlsx"):
        write_table(gaps_gdf, tmp_path / "x.xlsx")
    with pytest.raises(ExportError, match="geometr"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.gpkg")


def test_map_has_one_layer_per_slot_and_escapes(gaps_gdf: gpd.GeoDataFrame, tmp_path: Path) -> None:
    m = coverage_map(gaps_gdf, minutes=15, title="Relais")
    out = tmp_path / "map.html"
    m.save(out)
    text = out.read_text(encoding="utf-8")
    assert "<script>alert(" not in text
    assert "&lt;script&gt;alert" in text
    # two slots → two base layers in the switcher, in departure order; the background tiles
    # are not one of them
    base = text[text.index("base_layers : {") : text.index("overlays :")]
    assert base.index('"semaine 09:00"') < base.index('"dimanche 10:00"')  # in words
    assert base.count("feature_group_") == 2 and "tile_layer" not in base
    assert "Part des habitants sans structure ouverte à 15 min" in text
    en = coverage_map(gaps_gdf, minutes=15, lang="en").get_root().render()
    assert "Share of residents without an open structure in 15 min" in en


@pytest.mark.skipif(
    CHROMIUM is None or not (LEAFLET_DIR / "leaflet.js").exists(),
    reason="chromium/libjs-leaflet missing: run .ci/system-deps",
)
def test_map_works_offline_in_chromium(gaps_gdf: gpd.GeoDataFrame, tmp_path: Path) -> None:
    # only Leaflet is served: the colour scale must not need d3 from a CDN (branca's legend
    # did, and its error took the slot switcher down with it)
    out = tmp_path / "map.html"
    coverage_map(gaps_gdf, minutes=15, title="Relais").save(out)
    browser = Browser()
    try:
        browser.open(out.as_uri())
        assert browser.errors() == []
        radios = "document.querySelectorAll('.leaflet-control-layers input[type=radio]').length"
        assert browser.eval(radios) == 2
        legend = browser.eval("document.querySelector('.qpv-legend').textContent")
        assert "Part des habitants sans structure ouverte à 15 min" in legend and "100%" in legend
        assert browser.eval("document.querySelectorAll('path.leaflet-interactive').length") > 0
    finally:
        browser.close()


def test_unknown_population_is_its_own_state(gaps_gdf: gpd.GeoDataFrame) -> None:
    """A QPV without population (ANCT's commune lists) gets NaN shares and counts, never 0,
    while the other QPVs keep exactly their figures; the map words it and draws it grey."""
    qpv = pdat.montpellier_qpv().reset_index(drop=True)
    lost = str(qpv.loc[0, "code_qp"])
    qpv.loc[0, "pop_mun"] = float("nan")
    relays = pdat.montpellier_relays()
    origins = analysis.origin_points(qpv, pdat.street_nodes())
    assert origins.loc[origins["code_qp"] == lost, "population"].isna().all()
    tt = pdat.walk_times(origins, relays)
    gaps = analysis.rank_gaps(
        analysis.coverage_gaps({"weekday-09:00": tt}, origins, relays, minutes=15)
    )
    row = gaps[gaps["code_qp"] == lost].iloc[0]
    assert not row["population_known"]
    assert pd.isna(row["population"]) and pd.isna(row["pop_uncovered"])
    assert pd.isna(row["share_uncovered"])
    assert gaps["rank"].iat[-1] == row["rank"]  # ranked after every known gap
    known = gaps[gaps["code_qp"] != lost].set_index("code_qp")
    assert known["population_known"].all()
    before = gaps_gdf[gaps_gdf["slot"] == "weekday-09:00"].set_index("code_qp")
    cols = ["population", "pop_uncovered", "share_uncovered", "median_min"]
    pd.testing.assert_frame_equal(known[cols], before.loc[known.index, cols])
    # the indicators too: shares and fca2 NaN, times still given from the origin points
    cap = pd.Series(1.0, index=relays.index)
    ind = analysis.qpv_indicators(tt, origins, relays, minutes=15, capacity=cap)
    assert pd.isna(ind.loc[lost, "share_within_10"]) and pd.isna(ind.loc[lost, "fca2"])
    assert ind.loc[lost, "median_min"] >= 0 and not ind.loc[lost, "population_known"]

    perim = qpv[["code_qp", "nom_qp", "geometry"]]
    table = gpd.GeoDataFrame(gaps.merge(perim, on="code_qp"), geometry="geometry", crs=4326)
    html = coverage_map(table, minutes=15).get_root().render()
    assert html.count("population inconnue") >= 2  # tooltip and legend
    assert "#808080" in html
