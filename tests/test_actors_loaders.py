"""Actor loaders on the real files, plus one test per bad-input case."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from qpv_radar import CrsError, InputFileError, fetch
from qpv_radar.actors import (
    ACTOR_COLUMNS,
    read_data_inclusion,
    read_france_services,
    read_generic,
    read_montpellier_associations_2011,
    read_montpellier_etablissements_2014,
    read_montpellier_mpt,
    read_pole_emploi_2019,
)
from qpv_radar.actors.montpellier_opendata import classify_association, classify_establishment

FS = "actors/france_services/liste-fs-20240801.csv"
MPT = "actors/montpellier_maisons_pour_tous/mpt.json"
PE = "actors/france_travail_agences_2019_les_emplois/pole_emploi_agencies_2019-11.csv"
ETAB = "actors/montpellier_opendata_2011_2014/VilleMTP_MTP_EtabliPublic_2014-05.geojson"
ASSO = "actors/montpellier_opendata_2011_2014/VilleMTP_MTP_ListeAssoc_2011.csv"


def _check_schema(gdf: gpd.GeoDataFrame) -> None:
    assert list(gdf.columns) == list(ACTOR_COLUMNS)
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.index) == list(gdf["id"]) and gdf.index.is_unique
    assert all(isinstance(r, tuple) for r in gdf["roles"])


# --- France services ----------------------------------------------------------------------


def test_france_services_national() -> None:
    fs = read_france_services(fetch(FS))
    _check_schema(fs)
    assert len(fs) == 2845  # every row of the file has coordinates
    assert fs["mobile"].sum() == 134 + 29  # Bus_équivalent + Itinérante
    assert (fs["roles"] == ("relay",)).all()
    # 48 rows publish no hours at all: unknown, not closed
    assert fs["opening_hours"].isna().sum() == 48


def test_france_services_montpellier() -> None:
    fs = read_france_services(fetch(FS), communes=["34172"])
    assert set(fs.index) == {"fs:844", "fs:845", "fs:2393", "fs:2987"}
    assert fs.loc["fs:844", "opening_hours"] == "Mo-Fr 08:30-12:30,13:30-18:00"
    assert fs.loc["fs:844", "vintage"] == "2024-08-01"


def _fs_csv(tmp_path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with fetch(FS).open(encoding="utf-8") as f:
        cols = list(csv.DictReader(f).fieldnames or [])
    path = tmp_path / "fs.csv"
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})
    return path


def _fs_row(**kw: str) -> dict[str, str]:
    row = {
        "id_fs": "1",
        "lib_fs": "France services test",
        "insee_com": "34172",
        "lib_com": "Montpellier",
        "latitude": "43.61",
        "longitude": "3.87",
        "h_lundi": "09:00 - 12:00",
    }
    row.update(kw)
    return row


def test_fs_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "fs.csv"
    path.write_text("id_fs,lib_fs\n1,x\n")
    with pytest.raises(InputFileError) as err:
        read_france_services(path)
    missing = {p.column for p in err.value.problems}
    assert {"latitude", "longitude", "insee_com", "h_lundi"} <= missing


def test_fs_swapped_coordinates_and_duplicate_id_reported_together(tmp_path: Path) -> None:
    path = _fs_csv(
        tmp_path,
        [
            _fs_row(),
            _fs_row(id_fs="2", latitude="3.87", longitude="43.61"),
            _fs_row(id_fs="1", lib_fs="again"),
        ],
    )
    with pytest.raises(InputFileError) as err:
        read_france_services(path)
    text = str(err.value)
    assert "row 2" in text and "swapped" in text
    assert "row 3" in text and "duplicate id 'fs:1'" in text


def test_fs_unreadable_hours_kept_unknown(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _fs_csv(tmp_path, [_fs_row(h_lundi="le matin")])
    with caplog.at_level(logging.WARNING, logger="qpv_radar.actors"):
        fs = read_france_services(path)
    assert fs.loc["fs:1", "opening_hours"] is None
    assert "unreadable opening hours" in caplog.text and "row 1" in caplog.text


def test_fs_wrong_encoding(tmp_path: Path) -> None:
    path = _fs_csv(tmp_path, [_fs_row(lib_fs="France services Hérault")], encoding="cp1252")
    with pytest.raises(InputFileError, match="not valid utf-8"):
        read_france_services(path)


def test_fs_empty_file(tmp_path: Path) -> None:
    (tmp_path / "fs.csv").write_text("")
    with pytest.raises(InputFileError, match="empty"):
        read_france_services(tmp_path / "fs.csv")


def test_fs_header_only(tmp_path: Path) -> None:
    path = _fs_csv(tmp_path, [])
    with pytest.raises(InputFileError, match="no data row"):
        read_france_services(path)


def test_fs_point_outside_france(tmp_path: Path) -> None:
    path = _fs_csv(tmp_path, [_fs_row(latitude="40.71", longitude="-74.0")])
    with pytest.raises(InputFileError, match="not in France"):
        read_france_services(path)


# --- Maisons pour tous ----------------------------------------------------------------------


def test_mpt_real() -> None:
    mpt = read_montpellier_mpt(fetch(MPT))
    _check_schema(mpt)
    assert len(mpt) == 24
    assert (mpt["kind"] == "maison_pour_tous").all() and (mpt["roles"] == ("relay",)).all()
    assert mpt["opening_hours"].notna().all()
    assert mpt.loc["mpt:albert-dubout", "phone"] == "04 30 78 30 95"


def test_mpt_not_json(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text("[{")
    with pytest.raises(InputFileError, match="not valid JSON"):
        read_montpellier_mpt(tmp_path / "m.json")


def test_mpt_missing_keys(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps([{"id": "a", "name": "MPT A"}, {"id": "b"}]))
    with pytest.raises(InputFileError) as err:
        read_montpellier_mpt(tmp_path / "m.json")
    got = {(p.row, p.column) for p in err.value.problems}
    assert got == {(1, "coordinates"), (2, "name"), (2, "coordinates")}


# --- Pôle emploi 2019 ----------------------------------------------------------------------


def test_pole_emploi_public_agencies_only() -> None:
    pe = read_pole_emploi_2019(fetch(PE))
    _check_schema(pe)
    assert len(pe) == 852  # ALE rows; the 88 DDA and 19 DRA are not public counters
    everything = read_pole_emploi_2019(fetch(PE), public_only=False)
    assert len(everything) == 959
    # decimal commas read: the DT Hérault directorate at 3.914734, 43.609497
    dt = everything.loc["ft:OCC0168005449"].geometry
    assert (dt.x, dt.y) == pytest.approx((3.914734, 43.609497))
    assert "ft:OCC0168005449" not in pe.index
    assert pe.loc["ft:OCC0195006082", "name"] == "France Travail Montpellier Cévennes"


def test_pole_emploi_commune_codes_option() -> None:
    pe = read_pole_emploi_2019(fetch(PE), commune_codes={"Montpellier": "34172"})
    assert set(pe.loc[pe["commune_code"] == "34172"].index) == {"ft:OCC0195006082"}


# --- Montpellier open data 2011-2014 --------------------------------------------------------


def test_establishments_classified() -> None:
    etab = read_montpellier_etablissements_2014(fetch(ETAB))
    _check_schema(etab)
    assert dict(zip(etab["name"], etab["kind"], strict=True)) == {
        "Chambre de Commerce": "cci",
        "Chambre Régionale des Métiers L.R.": "cma",
        "Espace Montpellier Jeunesse": "youth_space",
    }


def test_associations_classified() -> None:
    asso = read_montpellier_associations_2011(fetch(ASSO))
    _check_schema(asso)
    kinds = asso["kind"].value_counts().to_dict()
    assert kinds["adie"] == 1 and kinds["bge"] == 1 and kinds["apec"] == 1
    assert kinds["insertion"] == 7  # work or training in the name (rule 4), with coordinates
    adie = asso[asso["kind"] == "adie"].iloc[0]
    assert adie["roles"] == ("entry_door", "support_financing")
    assert (adie.geometry.x, adie.geometry.y) == pytest.approx((3.873818504, 43.601744588))
    assert "Enclos Fermaud".upper() in adie["address"].upper()


def test_classification_rules() -> None:
    assert classify_establishment("Chambre de Commerce") == "cci"
    assert classify_establishment("Chambre Régionale des Métiers L.R.") == "cma"
    assert classify_establishment("Musée Fabre") is None
    assert classify_association("x", "BGE", "ENTREPRISE ET TRAVAIL", "") == "bge"
    assert classify_association("Parents d'Elèves", "APEC", "EDUCATION", "PARENTS") is None
    assert classify_association("Réinsertion et Espéranto", "", "INTERNATIONAL", "") is None
    assert classify_association("Travail Emploi Insertion", "", "SOCIAL", "SOLIDARITE") == (
        "insertion"
    )
    # the city's INSERTION sub-domain also holds social and community associations: only
    # those whose name speaks of work or training are employment structures
    social = ("SOCIAL ET CITOYENNETE", "INSERTION")
    assert classify_association("Association des Gitans de la Paillade", "AGPM", *social) is None
    assert classify_association("Gem Rabelais- Club Services Loisirs", "", *social) is None
    assert classify_association("DE.F.I  Developpement, Formation, Insertion", "", *social) == (
        "insertion"
    )
    assert classify_association("Conseillers en Insertion Professionnelle", "", *social) == (
        "insertion"
    )


def test_associations_wrong_encoding_given(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not valid utf-8"):
        read_montpellier_associations_2011(fetch(ASSO), encoding="utf-8")


def test_associations_rows_without_coordinates_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "NomAsso,Sigle,Domaine,Sous-Domaine,Adresse,Code_Postal,Longitude,Latitude\n"
        'ADIE,ADIE,ENTREPRISE ET TRAVAIL,AIDE A LA GESTION,28 RUE X,34000,"3,87","43,60"\n'
        "DEFI Formation Insertion,DEFI,SOCIAL ET CITOYENNETE,INSERTION,174 RUE DE COS,34080,,\n",
        encoding="cp1252",
    )
    with caplog.at_level(logging.WARNING, logger="qpv_radar.actors"):
        asso = read_montpellier_associations_2011(path)
    assert list(asso.index) == ["asso2011:1"]
    assert "without coordinates skipped (rows 2)" in caplog.text


# --- data·inclusion -------------------------------------------------------------------------

STRUCTURES = [
    {
        "source": "dora",
        "id": "dora--1",
        "nom": "ADIE Montpellier",
        "date_maj": "2025-02-14",
        "code_insee": "34172",
        "commune": "Montpellier",
        "code_postal": "34000",
        "adresse": "28 rue Enclos Fermaud",
        "latitude": 43.6017,
        "longitude": 3.8738,
        "reseaux_porteurs": ["adie"],
        "horaires_accueil": "Mo-Fr 09:00-12:30,14:00-17:30; PH off",
        "telephone": "09 69 32 81 10",
    },
    {
        "source": "dora",
        "id": "dora--2",
        "nom": "Garage solidaire",
        "date_maj": "2025-03-01",
        "code_insee": "34172",
        "latitude": 43.63,
        "longitude": 3.83,
        "horaires_accueil": "les après-midis",
    },
    {
        "source": "emplois-de-linclusion",
        "id": "emplois--3",
        "nom": "Mission locale Castelnau",
        "date_maj": "2025-01-01",
        "code_insee": "34057",
        "latitude": 43.63,
        "longitude": 3.90,
        "reseaux_porteurs": ["mission-locale"],
    },
]
SERVICES = [
    {
        "source": "dora",
        "id": "s1",
        "structure_id": "dora--2",
        "nom": "Réparer sa voiture",
        "description": "Atelier de réparation à prix solidaire.",
        "date_maj": "2025-03-01",
        "thematiques": ["mobilite--entretenir-reparer-son-vehicule"],
    },
    {
        "source": "dora",
        "id": "s2",
        "structure_id": "dora--1",
        "nom": "Financer son projet",
        "description": "Microcrédit pour créer son entreprise.",
        "date_maj": "2025-02-14",
        "thematiques": ["creer-une-entreprise--definir-son-projet-de-creation-dentreprise"],
    },
]


def _write_json(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_data_inclusion_roles_and_hours(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    st = _write_json(tmp_path, "structures.json", STRUCTURES)
    sv = _write_json(tmp_path, "services.json", SERVICES)
    with caplog.at_level(logging.WARNING, logger="qpv_radar.actors"):
        di = read_data_inclusion(st, sv, communes=["34172"])
    _check_schema(di)
    assert list(di.index) == ["di:dora--1", "di:dora--2"]
    adie = di.loc["di:dora--1"]
    assert (adie["kind"], adie["roles"]) == ("adie", ("entry_door", "support_financing"))
    assert adie["opening_hours"] == "Mo-Fr 09:00-12:30,14:00-17:30; PH off"
    garage = di.loc["di:dora--2"]
    assert (garage["kind"], garage["roles"]) == ("other", ("mobility",))
    assert garage["opening_hours"] is None and "les après-midis" in caplog.text
    assert di["vintage"].iat[0] == "2025-03-01"


def test_data_inclusion_csv_lists(tmp_path: Path) -> None:
    path = tmp_path / "structures.csv"
    path.write_text(
        "source,id,nom,date_maj,code_insee,latitude,longitude,reseaux_porteurs\n"
        'dora,7,BGE Sud,2025-01-01,34172,43.61,3.87,"reseau-bge,initiative-france"\n'
    )
    di = read_data_inclusion(path)
    assert di.loc["di:7", "kind"] == "bge"
    assert di.loc["di:7", "roles"] == ("entry_door", "support_financing")


def test_data_inclusion_without_coordinates_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    remote = {**STRUCTURES[0], "id": "remote", "latitude": None, "longitude": None}
    with caplog.at_level(logging.WARNING, logger="qpv_radar.actors"):
        di = read_data_inclusion(_write_json(tmp_path, "s.json", [STRUCTURES[0], remote]))
    assert list(di.index) == ["di:dora--1"] and "without coordinates skipped" in caplog.text


def test_data_inclusion_missing_required(tmp_path: Path) -> None:
    bad = [{"source": "dora", "id": "1", "latitude": 43.6, "longitude": 3.8}]
    with pytest.raises(InputFileError) as err:
        read_data_inclusion(_write_json(tmp_path, "s.json", bad))
    assert {p.column for p in err.value.problems} == {"nom", "date_maj"}


def test_data_inclusion_unknown_structure(tmp_path: Path) -> None:
    st = _write_json(tmp_path, "structures.json", STRUCTURES)
    sv = _write_json(tmp_path, "services.json", [{**SERVICES[0], "structure_id": "nope"}])
    with pytest.raises(InputFileError, match="unknown structure 'nope'"):
        read_data_inclusion(st, sv)


def test_data_inclusion_bad_insee_code(tmp_path: Path) -> None:
    bad = [{**STRUCTURES[0], "code_insee": "3417"}]
    with pytest.raises(InputFileError, match="5-character INSEE code"):
        read_data_inclusion(_write_json(tmp_path, "s.json", bad))


# --- generic --------------------------------------------------------------------------------


def test_generic_csv_mapping(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "NOM;X;Y;TYPE;HORAIRES;ROLES\n"
        'Wimoov Montpellier;3,87;43,61;mobility;Mo-Fr 09:00-17:00;"mobility"\n'
        'Cité des métiers;3.88;43.60;;;"employment, entry_door"\n'
    )
    gdf = read_generic(
        path,
        sep=";",
        columns={"name": "NOM", "lon": "X", "lat": "Y", "kind": "TYPE", "roles": "ROLES"}
        | {"opening_hours": "HORAIRES"},
        source="my list",
    )
    _check_schema(gdf)
    assert list(gdf.index) == ["mine:1", "mine:2"]
    assert gdf.loc["mine:1", "roles"] == ("mobility",)
    assert gdf.loc["mine:2", "roles"] == ("entry_door", "employment")
    assert gdf.loc["mine:2", "kind"] == "other" and gdf.loc["mine:2", "opening_hours"] is None


def test_generic_geojson_reprojected(tmp_path: Path) -> None:
    src = gpd.GeoDataFrame(
        {"name": ["CCI"], "kind": ["cci"]}, geometry=[Point(3.8772, 43.6080)], crs=4326
    ).to_crs(2154)
    src.to_file(tmp_path / "cci.gpkg")
    gdf = read_generic(tmp_path / "cci.gpkg")
    assert gdf.iloc[0]["roles"] == ("entry_door",)
    assert (gdf.geometry.x.iat[0], gdf.geometry.y.iat[0]) == pytest.approx((3.8772, 43.6080))


def test_generic_missing_mapped_column(tmp_path: Path) -> None:
    (tmp_path / "g.csv").write_text("NOM,X\nA,3.8\n")
    with pytest.raises(InputFileError) as err:
        read_generic(tmp_path / "g.csv", columns={"name": "NOM", "lon": "X", "lat": "LAT"})
    assert "column for 'lat' not found" in str(err.value)


def test_generic_vector_without_crs(tmp_path: Path) -> None:
    src = gpd.GeoDataFrame({"name": ["A"]}, geometry=[Point(3.87, 43.61)])
    with pytest.warns(UserWarning, match="crs"):
        src.to_file(tmp_path / "a.shp")
    with pytest.raises(CrsError, match="no CRS"):
        read_generic(tmp_path / "a.shp")


def test_generic_invalid_hours_and_role_all_reported(tmp_path: Path) -> None:
    (tmp_path / "g.csv").write_text(
        "name,lon,lat,opening_hours,roles\nA,3.87,43.61,lundi matin,relay\nB,3.87,43.61,,coach\n"
    )
    with pytest.raises(InputFileError) as err:
        read_generic(tmp_path / "g.csv")
    got = {(p.row, p.column) for p in err.value.problems}
    assert got == {(1, "opening_hours"), (2, "roles")}
