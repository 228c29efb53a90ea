"""CLI `coverage` and `permanences`: argument and input-file errors (clean message, exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qpv_radar.cli.main import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["coverage", "--minutes", "0"], "--minutes"),
        (["coverage", "--role", "bakery"], "--role 'bakery'"),
        (["coverage", "--slots", " , "], "--slots"),
        (["coverage", "--out", "/nonexistent/dir/x.gpkg"], "/nonexistent/dir n'existe pas"),
        (["permanences", "--k", "0"], "--k 0"),
        (["permanences", "--minutes", "-5"], "--minutes"),
        (["permanences", "--candidates", "/nonexistent.csv"], "no such file"),
        (["coverage", "--window", "-5", "--mode", "walk"], "--window -5"),
        (["coverage", "--csv", "gaps.txt"], "--csv gaps.txt"),
        # a role the territory's sources do not hold: not a silent 100 % gap everywhere
        (["coverage", "--role", "mobility", "--slots", "weekday-09:00"], "rôle 'mobility'"),
        # an unknown output format is refused before anything is loaded (the territory does
        # not even exist here)
        (["permanences", "--territory", "nowhere", "--out", "sites.xlsx"], "'.xlsx'"),
        (["coverage", "--territory", "nowhere", "--out", "gaps.shp"], "'.shp'"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("qpv-radar: erreur: ")
    assert message in err
    assert "Traceback" not in err


def test_candidates_file_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "cand.csv"
    f.write_text(
        "id,name,lon,lat\na,Salle A,3.82,43.63\nb,Salle B,abc,43.63\na,Salle C,3.80,95\n",
        encoding="utf-8",
    )
    assert main(["--lang", "en", "permanences", "--candidates", str(f)]) == 2
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    assert "row 2, column 'lon'" in err
    assert "row 3, column 'lat'" in err
    assert "row 3, column 'id': duplicate id 'a'" in err
    assert main(["permanences", "--candidates", str(f)]) == 2  # French by default
    assert "3 problème(s)" in capsys.readouterr().err


def test_candidates_file_missing_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "cand.csv"
    f.write_text("name,x,y\nSalle,3.8,43.6\n", encoding="utf-8")
    assert main(["--lang", "en", "permanences", "--candidates", str(f)]) == 2
    err = capsys.readouterr().err
    assert "column 'id'" in err and "column 'lon'" in err and "column 'lat'" in err


def test_unknown_slot_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--slots", "holiday-10:00", "--mode", "walk"]) == 2
    assert "holiday" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("\n  \n", "the file is empty"),
        ("id,name,lon,lat\n", "only the header line"),
        ("id;name;lon;lat\nhalles;Halles;3,82;43,63\n", "the delimiter is probably ';'"),
    ],
)
def test_unusable_candidates_file_says_why(
    content: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "cand.csv"
    f.write_text(content, encoding="utf-8")
    assert main(["permanences", "--candidates", str(f)]) == 2
    err = capsys.readouterr().err
    assert message in err and "give --candidates" not in err
    assert len(err.strip().splitlines()) == 1  # one line


def test_candidates_outside_the_territory_or_swapped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "cand.csv"
    f.write_text(
        "id,name,lon,lat\n"
        "halles,Halles de la Paillade,3.8200,43.6321\n"
        "swapped,Place de la Comédie,43.6085,3.8797\n"
        "nimes,Arènes de Nîmes,4.3597,43.8349\n"
        "lattes,Lattes,3.9030,43.5670\n",
        encoding="utf-8",
    )
    assert main(["--lang", "en", "permanences", "--candidates", str(f)]) == 2
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    assert "row 2, column 'lon/lat'" in err and "swapped" in err
    assert "(lon 3.8797, lat 43.6085)" in err
    assert "row 3, column 'lon/lat': place 'nimes'" in err and "41." in err
    assert "row 4, column 'lon/lat': place 'lattes'" in err
    assert "outside territory 'montpellier'" in err and "row 1" not in err
