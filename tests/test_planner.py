"""Planner runs on the real Montpellier territory (walking; transit once its engine is in)."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import planner_data as pdat
import pytest

from qpv_radar import analysis, planner
from qpv_radar._errors import InputFileError
from qpv_radar.cli.main import main


@pytest.fixture(scope="module")
def walk_cov() -> planner.CoverageResult:
    return planner.coverage(
        "montpellier",
        role=("relay", "employment"),
        minutes=15,
        slots=("weekday-09:00", "weekday-12:30", "sunday-10:00"),
        mode="walk",
        networks=pdat.networks(),
    )


def test_coverage_walk_real(walk_cov: planner.CoverageResult) -> None:
    t = walk_cov.table
    assert isinstance(t, gpd.GeoDataFrame) and t.crs.to_epsg() == 4326
    assert len(t) == 12 * 3 * 2
    assert list(t.columns[:3]) == ["rank", "code_qp", "nom_qp"]
    relay = t[t["role"] == "relay"]
    day = relay[relay["slot"] == "weekday-09:00"].set_index("code_qp").sort_index()
    noon = relay[relay["slot"] == "weekday-12:30"].set_index("code_qp").sort_index()
    sun = relay[relay["slot"] == "sunday-10:00"].set_index("code_qp").sort_index()
    # Maisons pour tous close 12:30–14:00 and on Sundays; France services on Sundays
    assert (noon["share_uncovered"] >= day["share_uncovered"]).all()
    assert (sun["share_uncovered"] >= day["share_uncovered"]).all()
    assert sun["share_uncovered"].sum() > day["share_uncovered"].sum()
    assert (sun["n_open"] == 0).all()
    # departures are placed in the week of the territory's default_when (Tue 2024-01-16)
    assert set(relay["departure"]) == {"2024-01-16T09:00", "2024-01-16T12:30", "2024-01-21T10:00"}
    # residents sum to the INSEE population of each QPV
    pop = pdat.montpellier_qpv()["pop_mun"]
    assert day["population"].sort_index().to_numpy() == pytest.approx(pop.sort_index().to_numpy())
    # ranks are within each role, worst first
    for _, g in t.groupby("role"):
        assert g["rank"].tolist() == list(range(1, len(g) + 1))
        assert g["share_uncovered"].is_monotonic_decreasing


def test_coverage_agrees_with_the_pure_functions(walk_cov: planner.CoverageResult) -> None:
    o, s = walk_cov.origins, walk_cov.structures
    relays = s[s["roles"].map(lambda r: "relay" in r).to_numpy(bool)]
    tt = pdat.walk_times(o, relays, max_time_s=3600)
    when = datetime(2024, 1, 16, 12, 30)
    gaps = analysis.coverage_gaps(
        {"noon": tt},
        o,
        relays,
        minutes=15,
        open_tables={"noon": analysis.open_table(relays, when, horizon_min=60)},
    ).set_index("code_qp")
    got = walk_cov.table[
        (walk_cov.table["role"] == "relay") & (walk_cov.table["slot"] == "weekday-12:30")
    ].set_index("code_qp")
    pd.testing.assert_series_equal(
        got["share_uncovered"].sort_index(), gaps["share_uncovered"].sort_index()
    )
    # and closing hours matter: ignoring them leaves fewer residents uncovered at 12:30
    plain = analysis.qpv_indicators(tt, o, relays, minutes=15)["share_uncovered"]
    assert (gaps["share_uncovered"] >= plain.reindex(gaps.index) - 1e-12).all()
    assert gaps["share_uncovered"].sum() > plain.sum()


def test_accessibility_walk_real() -> None:
    ind = planner.accessibility(
        "montpellier",
        roles=("relay",),
        modes=("walk",),
        slots=("weekday-09:00",),
        minutes=20,
        networks=pdat.networks(),
    )
    assert len(ind) == 12 * 2
    assert set(ind["while_open"]) == {True, False}
    assert ind["nom_qp"].notna().all()
    plain = ind[~ind["while_open"]].set_index("code_qp")
    assert plain.loc["QP034005", "median_min"] < 10  # Mosson: relays within a short walk


def test_cli_coverage_walk_writes_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, html, csv = tmp_path / "c.gpkg", tmp_path / "c.html", tmp_path / "c.csv"
    argv = [
        "coverage",
        "--role",
        "relay",
        "--minutes",
        "15",
        "--mode",
        "walk",
        "--slots",
        "weekday-09:00,sunday-10:00",
        "--out",
        str(out),
        "--html",
        str(html),
        "--csv",
        str(csv),
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Pires écarts (Relais de proximité, à pied, 15 min)" in text and "Vert-Bois" in text
    # how many relays have no published hours (one: counted open at every hour)
    assert (
        "Horaires : 1 des 29 structures « relay » sans horaires publiés, comptées ouvertes" in text
    )
    assert len(gpd.read_file(out)) == 24
    table = pd.read_csv(csv)
    assert "geometry" not in table.columns and set(table["slot"]) == {
        "weekday-09:00",
        "sunday-10:00",
    }
    page = html.read_text(encoding="utf-8")
    assert "semaine 09:00" in page and "dimanche 10:00" in page and "L.control.layers" in page


@pytest.mark.parametrize("flag", [None, "--exact", "--greedy"])
def test_cli_permanences_walk(
    flag: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sites.csv"
    argv = ["--lang", "en", "permanences", "--k", "3", "--minutes", "20", "--out", str(out)]
    assert main(argv + ([flag] if flag else [])) == 0
    method = "greedy" if flag == "--greedy" else "exact"
    assert f"3 places ({method}, walk, 20 min)" in capsys.readouterr().out
    sites = pd.read_csv(out)
    assert len(sites) == 3 and sites["share_covered"].is_monotonic_increasing
    assert (sites["method"] == method).all()
    # the same answer as the pure solver on the engine's walking times
    _qpv, origins = planner.resident_origins("montpellier", pdat.walk_network())
    relays = pdat.montpellier_relays()
    tt = pdat.walk_times(origins, relays, max_time_s=1200)
    solve = analysis.greedy_max_cover if method == "greedy" else analysis.exact_max_cover
    ref = solve(tt, origins["population"], list(relays.index), 3, minutes=20)
    assert sites["place_id"].tolist() == ref["place_id"].tolist()
    assert sites["covered"].to_numpy() == pytest.approx(ref["covered"].to_numpy())
    # the issue's figures: the optimum covers 546 residents more than greedy
    assert sites["covered"].iloc[-1] == pytest.approx(
        32_767 if method == "greedy" else 33_313, abs=1
    )


def test_cli_permanences_user_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "cand.csv"
    f.write_text(
        "id,name,lon,lat\n"
        "halles,Halles de la Paillade,3.8200,43.6321\n"
        "comedie,Place de la Comédie,3.8797,43.6085\n",
        encoding="utf-8",
    )
    out = tmp_path / "s.gpkg"
    assert main(["permanences", "--candidates", str(f), "--k", "5", "--out", str(out)]) == 0
    sites = gpd.read_file(out)
    assert len(sites) == 2  # k larger than the candidates: all ranked, and said so
    assert "--k 5 mais 2 lieu(x) candidat(s) seulement" in capsys.readouterr().err
    assert sites.iloc[0]["place_id"] == "halles"  # next to the Mosson, the largest QPV


def test_accessibility_capacity_gives_pysal_two_stage_fca() -> None:
    from access import Access

    relays = pdat.montpellier_relays()
    cap = {sid: float(1 + i % 4) for i, sid in enumerate(relays.index)}  # 1 to 4 advisors
    ind = planner.accessibility(
        "montpellier",
        roles=("relay",),
        modes=("walk",),
        minutes=15,
        capacity=cap,
        networks=pdat.networks(),
    )
    got = ind[~ind["while_open"]].set_index("code_qp")["fca2"]
    # PySAL access on the same walking matrix (the planner's origins, cut at max_minutes)
    _qpv, origins = planner.resident_origins("montpellier", pdat.walk_network())
    tt = pdat.walk_times(origins, relays, max_time_s=3600).dropna()
    demand = origins["population"][origins["population"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acc = Access(
            demand_df=pd.DataFrame({"pop": demand}),
            demand_index=True,
            demand_value="pop",
            supply_df=pd.DataFrame({"cap": pd.Series(cap)}),
            supply_index=True,
            supply_value="cap",
            cost_df=tt[tt["from_id"].isin(demand.index)],
            cost_origin="from_id",
            cost_dest="to_id",
            cost_name="travel_time",
        )
        fca = acc.two_stage_fca(name="fca", max_cost=15 * 60).iloc[:, 0]
    fca = fca.reindex(origins.index).fillna(0.0)
    pop = origins["population"]
    expected = (fca * pop).groupby(origins["code_qp"]).sum() / pop.groupby(origins["code_qp"]).sum()
    np.testing.assert_allclose(got.sort_index(), expected.sort_index() * 1000, rtol=1e-12)
    assert got.nunique() > 5 and got.max() > 0
    # while open at 09:00 the ratios are computed on the open structures' times
    assert ind[ind["while_open"]]["fca2"].notna().all()


def test_capacity_problems_are_listed() -> None:
    relays = pdat.montpellier_relays()
    with pytest.raises(InputFileError, match=r"'seats'.*no such column"):
        planner.accessibility("montpellier", roles=("relay",), capacity="seats")
    partial = {sid: 2.0 for sid in list(relays.index)[:5]}
    partial["mpt:nowhere"] = 1.0
    with pytest.raises(InputFileError) as err:
        planner.accessibility("montpellier", roles=("relay",), capacity=partial)
    text = str(err.value)
    assert "2 problem(s)" in text and "'mpt:nowhere'" in text
    assert "no numeric capacity for 24 structure(s)" in text


def test_a_role_without_structures_is_an_error(tmp_path: Path) -> None:
    # Montpellier's sources hold no mobility structure: no silent 100 % gaps
    with pytest.raises(planner.NoStructureError, match=r"role 'mobility'.*\[\[actors\]\]"):
        planner.coverage("montpellier", role=("relay", "mobility"), mode="walk")
    with pytest.raises(planner.NoStructureError, match="role 'mobility'"):
        planner.accessibility("montpellier", roles=("mobility",), modes=("walk",))
    # a territory whose sources hold no relay: permanences has no default candidates
    toml = tmp_path / "emploi.toml"
    toml.write_text(
        'name = "emploi"\nlabel = "Emploi"\ncommunes = ["34172"]\ncrs = "EPSG:2154"\n'
        'timezone = "Europe/Paris"\n[qpv]\nperimeters = "qpv/occitanie_hackaviz2021/qp.geojson"\n'
        '[[actors]]\nloader = "montpellier_associations_2011"\nsource = '
        '"actors/montpellier_opendata_2011_2014/VilleMTP_MTP_ListeAssoc_2011.csv"\n',
        encoding="utf-8",
    )
    with pytest.raises(planner.NoStructureError) as err:
        planner.permanences(str(toml))
    msg = str(err.value)
    assert "role 'relay'" in msg and str(toml) in msg and "employment (" in msg
    assert "give your own candidate places" in msg


def test_permanences_rejects_places_outside_the_territory() -> None:
    cand = gpd.GeoDataFrame(
        {"name": ["Halles", "Nîmes", "swapped"]},
        geometry=gpd.points_from_xy([3.8200, 4.3601, 43.6085], [43.6321, 43.8367, 3.8797]),
        index=["halles", "nimes", "swap"],
        crs="EPSG:4326",
    )
    with pytest.raises(InputFileError) as err:
        planner.permanences("montpellier", candidates=cand, networks=pdat.networks())
    text = str(err.value)
    assert "2 problem(s)" in text
    assert "row 2" in text and "'nimes'" in text and "outside territory 'montpellier'" in text
    assert "row 3" in text and "swapped" in text and "lon 3.8797, lat 43.6085" in text
    with pytest.raises(planner.PlannerError, match="method='best'"):
        planner.permanences("montpellier", method="best")  # type: ignore[arg-type]


def test_coverage_transit_real() -> None:
    kw = {
        "role": "relay",
        "minutes": 20,
        "slots": ("weekday-09:00", "weekday-21:00"),
        "networks": pdat.networks(),
    }
    transit = planner.coverage("montpellier", mode="transit", **kw).table
    walk = planner.coverage("montpellier", mode="walk", **kw).table
    key = ["code_qp", "slot"]
    t = transit.set_index(key)["share_uncovered"].sort_index()
    w = walk.set_index(key)["share_uncovered"].sort_index()
    # door-to-door transit keeps the direct walk: never more residents left out than on foot
    assert (t <= w + 1e-12).all()
    # and the buses and trams help somewhere at 09:00 (Vert-Bois is 28 min from a relay on foot)
    assert (t.xs("weekday-09:00", level="slot") < w.xs("weekday-09:00", level="slot")).any()
    # at 21:00 every relay is closed
    assert (transit[transit["slot"] == "weekday-21:00"]["n_open"] == 0).all()


def test_cli_coverage_issue_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, html = tmp_path / "coverage.gpkg", tmp_path / "coverage.html"
    argv = [
        "coverage",
        "--territory",
        "montpellier",
        "--role",
        "entry_door",
        "--minutes",
        "30",
        "--slots",
        "weekday-06:00,weekday-09:00,sunday-10:00",
        "--out",
        str(out),
        "--html",
        str(html),
        "--csv",
        str(tmp_path / "c.csv"),
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "Pires écarts (Porte d'entrée création, en transports en commun, 30 min)" in printed
    page = html.read_text("utf-8")
    assert "Porte d'entrée création" in page or "Porte d&#x27;entrée création" in page
    table = gpd.read_file(out)
    assert len(table) == 36 and set(table["mode"]) == {"transit"}
    assert set(table["departure"]) == {"2024-01-16T06:00", "2024-01-16T09:00", "2024-01-21T10:00"}
