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
        (["coverage", "--out", "/nonexistent/dir/x.gpkg"], "folder does not exist"),
        (["permanences", "--k", "0"], "--k 0"),
        (["permanences", "--minutes", "-5"], "--minutes"),
        (["permanences", "--candidates", "/nonexistent.csv"], "no such file"),
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
    assert main(["permanences", "--candidates", str(f)]) == 2
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    assert "row 2, column 'lon'" in err
    assert "row 3, column 'lat'" in err
    assert "row 3, column 'id': duplicate id 'a'" in err


def test_candidates_file_missing_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "cand.csv"
    f.write_text("name,x,y\nSalle,3.8,43.6\n", encoding="utf-8")
    assert main(["permanences", "--candidates", str(f)]) == 2
    err = capsys.readouterr().err
    assert "column 'id'" in err and "column 'lon'" in err and "column 'lat'" in err


def test_unknown_slot_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--slots", "holiday-10:00", "--mode", "walk"]) == 2
    assert "holiday" in capsys.readouterr().err
