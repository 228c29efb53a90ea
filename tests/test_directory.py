"""The relay's local directory over the real Montpellier sources (issue 10, part 6)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from _radar_data import real_qpv

from qpv_radar import InputFileError
from qpv_radar.actors import hours, load_actors
from qpv_radar.actors.directory import read_directory, write_directory
from qpv_radar.actors.directory_export import schemas, validate_data_inclusion
from qpv_radar.cli.main import main
from qpv_radar.radar import Person, compute_radar
from qpv_radar.territory import load_territory

SCHEMA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "actors"
SCHEMA = SCHEMA / "data_inclusion" / "schema_v1"
TUESDAY = datetime(2024, 1, 16, 9, 0)
WEDNESDAY = datetime(2024, 1, 17, 9, 0)
PERM = "local:citeslab-montpellier@mpt:albert-dubout"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user data folder: the directory lives in <data>/directory/montpellier.csv."""
    monkeypatch.setenv("QPV_RADAR_DATA", str(tmp_path / "data"))
    return tmp_path / "data" / "directory" / "montpellier.csv"


def _cli(*args: str) -> None:
    assert main(["directory", *args]) == 0


def _citeslab() -> None:
    _cli(
        "add", "--name", "CitésLab Montpellier", "--kind", "citeslab", "--host",
        "mpt:leo-lagrange", "--hours", "lun 9-12", "--author", "Animatrice MDH",
        "--date", "2026-03-02",
    )  # fmt: skip
    _cli(
        "permanence", "local:citeslab-montpellier", "--host", "mpt:albert-dubout",
        "--hours", "mardi 9h–12h", "--author", "Animatrice MDH", "--date", "2026-03-02",
    )  # fmt: skip


def _source_hashes() -> dict[str, str]:
    terr = load_territory("montpellier")
    return {s.source: hashlib.sha256(s.resolve().read_bytes()).hexdigest() for s in terr.actors}


def test_french_hours_become_osm() -> None:
    assert hours.from_french("lun 9-12, mar 14h-17h") == "Mo 09:00-12:00; Tu 14:00-17:00"
    assert hours.from_french("du lundi au vendredi 9h–12h et 14h–17h") == (
        "Mo-Fr 09:00-12:00,14:00-17:00"
    )
    assert hours.from_french("mardi 9h30 à 12h") == "Tu 09:30-12:00"
    for bad in ("lun", "9-12", "lundi 12-9", "lun 9-12 blah"):
        with pytest.raises(ValueError):
            hours.from_french(bad)


def test_permanence_added_with_cli_is_in_the_next_radar_open_only_then(data: Path) -> None:
    before = _source_hashes()
    _citeslab()
    actors = load_actors("montpellier", progress=False)
    host = actors.loc["mpt:albert-dubout"].geometry
    assert actors.loc[PERM, "permanence_of"] == "local:citeslab-montpellier"
    assert actors.loc[PERM, "opening_hours"] == "Tu 09:00-12:00"
    assert actors.loc[PERM, "source"] == "annuaire local (Animatrice MDH, 2026-03-02)"
    assert "local:citeslab-montpellier" in actors.index
    qpv = real_qpv()

    def radar_at(when: datetime) -> dict[str, object]:
        person = Person(
            lon=host.x + 0.003, lat=host.y, when=when, until="12:00",
            needs=("creation",), modes=("walk",),
        )  # fmt: skip
        r = compute_radar("montpellier", person, qpv=qpv, itineraries="none")  # actors loaded
        return {e.id: e for es in r.entries.values() for e in es}

    tue = radar_at(TUESDAY)
    assert PERM in tue  # its own place, nearest entry door of a home 240 m away
    e = tue[PERM]
    assert (round(e.lon, 6), round(e.lat, 6)) == (round(host.x, 6), round(host.y, 6))
    assert e.open_on_arrival is True
    wed = radar_at(WEDNESDAY)
    assert wed[PERM].open_on_arrival is False
    assert wed[PERM].open_within_hours is False
    assert _source_hashes() == before  # the published files are never written


def test_directory_off_and_elsewhere(data: Path, tmp_path: Path) -> None:
    _citeslab()
    assert PERM not in load_actors("montpellier", progress=False, directory=False).index
    moved = tmp_path / "ailleurs.csv"
    shutil.copy(data, moved)
    data.unlink()
    assert PERM not in load_actors("montpellier", progress=False).index
    assert PERM in load_actors("montpellier", progress=False, directory=moved).index
    with pytest.raises(InputFileError):
        load_actors("montpellier", progress=False, directory=tmp_path / "absent.csv")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_correction_changes_the_card(data: Path, tmp_path: Path) -> None:
    from qpv_radar.render.card import recommendation_card

    qpv = real_qpv()
    base = load_actors("montpellier", progress=False)
    home = base.loc["fs:844"].geometry

    def card_text() -> str:
        person = Person(
            lon=home.x + 0.002, lat=home.y, when=TUESDAY, until="12:00",
            needs=("relay",), modes=("walk",),
        )  # fmt: skip
        r = compute_radar("montpellier", person, qpv=qpv, itineraries="all")
        pdf = recommendation_card(r, tmp_path / "card.pdf", to="fs:844", paper="a6")
        out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True)
        return " ".join(out.stdout.decode().split())

    before = card_text()
    assert "04 99 12 34 56" not in before
    _cli(
        "correct", "fs:844", "--phone", "04 99 12 34 56", "--hours", "mar 9h-11h",
        "--author", "Relais Adages", "--date", "2026-03-02",
    )  # fmt: skip
    after = card_text()
    assert "04 99 12 34 56" in after
    assert after != before


def test_export_validates_against_the_data_inclusion_schema(data: Path, tmp_path: Path) -> None:
    _citeslab()
    _cli("correct", "fs:844", "--phone", "04 99 12 34 56", "--author", "A", "--date", "2026-03-02")
    out = tmp_path / "di.json"
    _cli("export", "--out", str(out))
    doc = json.loads(out.read_text("utf-8"))
    assert {s["id"] for s in doc["structures"]} == {"local:citeslab-montpellier", "fs:844"}
    perm = next(s for s in doc["services"] if s["id"] == PERM)
    assert perm["horaires_accueil"] == "Tu 09:00-12:00"
    assert perm["structure_id"] == "local:citeslab-montpellier"
    assert "creer-une-entreprise--definir-son-projet-de-creation-dentreprise" in perm["thematiques"]
    # the package's schema is the one data·inclusion publishes (the shared copy)
    shared = {
        "structures": json.loads((SCHEMA / "structure.json").read_text("utf-8")),
        "services": json.loads((SCHEMA / "service.json").read_text("utf-8")),
    }
    assert schemas() == shared
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    for kind, schema in shared.items():
        for rec in doc[kind]:
            jsonschema.validate(rec, schema, format_checker=checker)
    # a broken entry fails, naming it
    broken = {"structures": [dict(doc["structures"][0], nom="AB", code_postal="3400")]}
    with pytest.raises(InputFileError) as err:
        validate_data_inclusion(broken)
    assert "local:citeslab-montpellier" in str(err.value)
    assert "nom" in str(err.value) and "code_postal" in str(err.value)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken["structures"][0], shared["structures"])


def test_bad_rows_give_one_error_naming_every_row(data: Path) -> None:
    data.parent.mkdir(parents=True)
    data.write_text(
        "action;id;hours;phone;author;date\n"
        "correct;fs:844;lun 9-12;04 67 00 00 00;A;2026-03-02\n"
        "corriger;fs:844;lun 25h;;A;2026-03-02\n"
        "permanence;fs:844;;;;2026-13-01\n"
        "effacer;fs:844;;;A;2026-03-02\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as err:
        load_actors("montpellier", progress=False)
    fr = err.value.message("fr")
    rows = sorted({p.row for p in err.value.problems})
    assert rows == [2, 3, 4]
    for n in (2, 3, 4):
        assert f"ligne {n}," in fr
    assert "ligne 1," not in fr
    assert "auteur manquant" in fr and "« effacer »" in fr and "« lun 25h »" in fr
    assert "row 3" in err.value.message("en")


def test_written_atomically_with_a_backup(data: Path, tmp_path: Path) -> None:
    _citeslab()
    first = data.read_bytes()
    bak = data.with_name(data.name + ".bak")
    assert bak.is_file()
    _cli("remove", "asso2011:1035", "--author", "A", "--date", "2026-03-02")
    assert bak.read_bytes() == first  # the previous version
    assert sorted(p.name for p in data.parent.iterdir()) == [data.name, bak.name]  # no temp
    rows = read_directory(data)
    assert [r.action for r in rows] == ["add", "permanence", "remove"]
    assert "asso2011:1035" not in load_actors("montpellier", progress=False).index
    # a comma-separated file written by a spreadsheet keeps its separator
    comma = tmp_path / "comma.csv"
    comma.write_text("action,id,author,date\nremove,asso2011:1035,A,2026-03-02\n", "utf-8")
    write_directory(read_directory(comma) + rows[:1], comma)
    assert comma.read_text("utf-8-sig").splitlines()[0].startswith("action,id,name")
    assert len(read_directory(comma)) == 2
