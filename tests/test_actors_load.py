"""load_actors on the built-in Montpellier territory, the duplicates rule, the actors CLI."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pytest

from qpv_radar import InputFileError, TerritoryError, fetch, load_territory
from qpv_radar.actors import ACTOR_COLUMNS, hours, load_actors, merge_duplicates
from qpv_radar.actors.model import actors_frame
from qpv_radar.cli.main import main

MONTPELLIER_FS = {"fs:844", "fs:845", "fs:2393", "fs:2987"}


@pytest.fixture(scope="module")
def actors() -> gpd.GeoDataFrame:
    return load_actors("montpellier", progress=False)


def test_schema(actors: gpd.GeoDataFrame) -> None:
    assert list(actors.columns) == [*ACTOR_COLUMNS, "merged_ids", "colocated_with"]
    assert actors.crs.to_epsg() == 4326
    assert actors.index.is_unique and list(actors.index) == list(actors["id"])
    assert (actors["commune_code"] == "34172").all()  # filtered to the territory


def test_done_when_structures(actors: gpd.GeoDataFrame) -> None:
    mpt = actors[actors["kind"] == "maison_pour_tous"]
    assert len(mpt) == 24 and (mpt["roles"] == ("relay",)).all()
    assert mpt["opening_hours"].notna().all()  # the source has hours: all parsed
    fs = actors[actors["kind"] == "france_services"]
    assert set(fs.index) == MONTPELLIER_FS and fs["opening_hours"].notna().all()
    # public-facing France Travail agency of the commune (ALE); the DT Hérault is not one
    ft = actors[actors["kind"] == "france_travail"]
    assert set(ft.index) == {"ft:OCC0195006082"} and ft["roles"].iat[0] == ("employment",)
    for kind, roles in {
        "cci": ("entry_door",),
        "cma": ("entry_door",),
        "adie": ("entry_door", "support_financing"),
        "bge": ("entry_door", "support_financing"),
    }.items():
        rows = actors[actors["kind"] == kind]
        assert len(rows) == 1 and rows["roles"].iat[0] == roles, kind
    # sources without hours keep them unknown, never "closed"
    assert actors.loc[actors["kind"] == "cci", "opening_hours"].isna().all()


def test_hours_evaluate_on_real_actors(actors: gpd.GeoDataFrame) -> None:
    when = datetime(2024, 1, 16, 13, 0)  # Tuesday, lunch break
    dubout = actors.loc["mpt:albert-dubout", "opening_hours"]
    assert hours.is_open(dubout, when) is False
    assert hours.next_opening(dubout, when) == datetime(2024, 1, 16, 14, 0)
    assert hours.is_open(actors.loc["ft:OCC0195006082", "opening_hours"], when) is None


def test_colocated_france_services_in_mpt(actors: gpd.GeoDataFrame) -> None:
    assert actors.loc["fs:2393", "colocated_with"] == ("mpt:georges-brassens",)
    assert actors.loc["mpt:georges-brassens", "colocated_with"] == ("fs:2393",)


def _frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    return actors_frame(rows, path="test")


def test_same_structure_from_two_sources_is_merged() -> None:
    base = {"kind": "cci", "lon": 3.87720, "lat": 43.60800}
    gdf = _frame(
        [
            {**base, "id": "a:1", "name": "Chambre de Commerce", "source": "city 2014"},
            {
                **base,
                "id": "b:1",
                "name": "CCI Hérault",
                "source": "data·inclusion",
                "lon": 3.87740,
                "phone": "04 99 51 53 00",
                "opening_hours": "Mo-Fr 08:30-17:30",
                "roles": ("entry_door", "support_financing"),
            },
        ]
    )
    out = merge_duplicates(gdf)
    assert list(out.index) == ["a:1"]
    row = out.loc["a:1"]
    assert row["merged_ids"] == ("b:1",) and row["source"] == "city 2014 + data·inclusion"
    assert row["roles"] == ("entry_door", "support_financing")
    assert (row["phone"], row["opening_hours"]) == ("04 99 51 53 00", "Mo-Fr 08:30-17:30")


def test_two_associations_at_one_address_are_flagged_not_merged() -> None:
    base = {"kind": "insertion", "lon": 3.8457, "lat": 43.6221, "source": "assoc"}
    out = merge_duplicates(
        _frame([{**base, "id": "x:1", "name": "ACLE"}, {**base, "id": "x:2", "name": "AVEC"}])
    )
    assert list(out.index) == ["x:1", "x:2"]
    assert out.loc["x:1", "colocated_with"] == ("x:2",)


def test_far_apart_untouched() -> None:
    base = {"kind": "cci", "source": "s", "name": "CCI"}
    out = merge_duplicates(
        _frame(
            [
                {**base, "id": "1", "lon": 3.87, "lat": 43.60},
                {**base, "id": "2", "lon": 3.90, "lat": 43.60},
            ]
        )
    )
    assert len(out) == 2 and (out["colocated_with"] == ()).all()


def test_unknown_loader(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(
        'name = "t"\ncommunes = ["34172"]\n[[actors]]\nloader = "nope"\nsource = "x.csv"\n'
    )
    with pytest.raises(TerritoryError, match="unknown actor loader"):
        load_actors(load_territory(tmp_path / "t.toml"), progress=False)


def test_territory_with_data_inclusion_and_generic(tmp_path: Path) -> None:
    (tmp_path / "structures.json").write_text(
        json.dumps(
            [
                {
                    "source": "dora",
                    "id": "9",
                    "nom": "Mission locale des jeunes",
                    "date_maj": "2025-01-01",
                    "code_insee": "34172",
                    "latitude": 43.6107,
                    "longitude": 3.8767,
                    "reseaux_porteurs": ["mission-locale"],
                }
            ]
        )
    )
    (tmp_path / "services.json").write_text(
        json.dumps(
            [
                {
                    "source": "dora",
                    "id": "s9",
                    "structure_id": "9",
                    "nom": "Permis accompagné",
                    "description": "Aide au permis de conduire pour les jeunes.",
                    "date_maj": "2025-01-01",
                    "thematiques": ["mobilite--preparer-un-permis"],
                }
            ]
        )
    )
    (tmp_path / "mine.csv").write_text(
        "NOM,X,Y,INSEE\nAuto-école sociale,3.83,43.63,34172\nAilleurs,3.90,43.63,34057\n"
    )
    (tmp_path / "t.toml").write_text(
        'name = "t"\ncommunes = ["34172"]\n'
        '[[actors]]\nloader = "data_inclusion"\nsource = "structures.json"\n'
        'services = "services.json"\n'
        '[[actors]]\nloader = "generic"\nsource = "mine.csv"\nid_prefix = "mine"\n'
        'kind = "mobility"\ncolumns = { name = "NOM", lon = "X", lat = "Y", '
        'commune_code = "INSEE" }\n'
    )
    got = load_actors(load_territory(tmp_path / "t.toml"), progress=False)
    assert list(got.index) == ["di:9", "mine:1"]
    assert got.loc["di:9", "roles"] == ("employment", "mobility")
    assert got.loc["mine:1", "roles"] == ("mobility",)


def test_readme_actors_list_command(capsys: pytest.CaptureFixture[str]) -> None:
    # The README's main job is the radar (tests/test_radar_transit.py); it names this command.
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    command = "qpv-radar actors list --territory montpellier"
    assert f"`{command}`" in readme
    assert main(command.split()[1:]) == 0
    assert "Maison pour tous Albert Dubout" in capsys.readouterr().out


def test_bad_source_in_territory_reports_file(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text("name,lon,lat\nA,43.61,3.87\n")
    (tmp_path / "t.toml").write_text(
        'name = "t"\n[[actors]]\nloader = "generic"\nsource = "mine.csv"\n'
    )
    with pytest.raises(InputFileError, match=r"mine\.csv.*\n.*row 1.*swapped"):
        load_actors(load_territory(tmp_path / "t.toml"), progress=False)


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_actors_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actors", "list", "--territory", "montpellier", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_id = {r["id"]: r for r in rows}
    assert {"id", "name", "roles", "kind", "lon", "lat", "opening_hours"} <= set(rows[0])
    assert sum(r["kind"] == "maison_pour_tous" for r in rows) == 24
    assert set(by_id) >= MONTPELLIER_FS
    assert by_id["fs:844"]["opening_hours"] == "Mo-Fr 08:30-12:30,13:30-18:00"
    assert by_id["mpt:georges-brassens"]["roles"] == ["relay"]
    assert by_id["ft:OCC0195006082"]["lon"] == pytest.approx(3.825309)


def test_cli_actors_role_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actors", "list", "--role", "entry_door", "--json"]) == 0
    kinds = sorted(r["kind"] for r in json.loads(capsys.readouterr().out))
    assert kinds == ["adie", "bge", "cci", "cma"]


def test_cli_actors_bad_role(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actors", "list", "--role", "coach"]) == 2
    assert "unknown role 'coach'" in capsys.readouterr().err


def test_cli_actors_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "actors", "list", "--role", "employment"]) == 0
    out = capsys.readouterr().out
    assert "France Travail Montpellier Cévennes" in out and "unknown" in out
    assert "employment and training" in out


def test_cli_actors_table_french_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actors", "list", "--role", "entry_door"]) == 0
    out = capsys.readouterr().out
    assert "porte d'entrée" in out and "inconnus" in out


def test_fetch_is_the_real_file() -> None:
    # the loaders above read the registry's file, verified by checksum
    assert fetch("actors/montpellier_maisons_pour_tous/mpt.json").stat().st_size == 70436


def test_mpt_inside_qpv_match_provenance(actors: gpd.GeoDataFrame) -> None:
    from qpv_radar.qpv import load_qpv, locate

    mpt = actors[actors["kind"] == "maison_pour_tous"]
    where = locate(mpt, load_qpv("montpellier")).dropna()
    # PROVENANCE.md of mpt.json: 5 MPT lie inside a 2015 QPV perimeter
    assert dict(zip(where.index, where["nom_qp"], strict=True)) == {
        "mpt:joseph-ricome-et-theatre-gerard-philipe": "Figuerolles",
        "mpt:jean-pierre-caillens": "Près d'Arènes",
        "mpt:francois-villon": "Petit Bard Pergola",
        "mpt:louis-feuillade": "Mosson",
        "mpt:georges-brassens": "Mosson",
    }


def test_example_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy

    script = Path(__file__).resolve().parents[1] / "examples" / "qpv_actors_tour.py"
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "12 QPV" in out and "QP034005 Mosson" in out
