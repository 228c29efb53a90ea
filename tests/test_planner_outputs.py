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
