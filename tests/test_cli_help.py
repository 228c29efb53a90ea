"""The command line's help in French by default, in English with --lang en (argparse's own
words included), for every command."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from qpv_radar._messages import en, fr
from qpv_radar.cli._util import set_help_lang
from qpv_radar.cli.main import main

COMMANDS = ["data", "qpv", "actors", "directory", "times", "isochrones", "transit-info",
            "radar", "coverage", "permanences"]  # fmt: skip


@pytest.fixture
def english() -> Iterator[None]:
    set_help_lang(["--lang", "en"])
    yield
    set_help_lang([])


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    assert done.value.code == 0
    return capsys.readouterr().out


def test_every_help_text_in_both_languages() -> None:
    codes = [c for c in fr.WORDS if c.startswith("cli.help.")]
    assert len(codes) > 100
    for code in codes:
        assert (en.WORDS[code] and en.WORDS[code] != fr.WORDS[code]) or code.endswith(".json")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_french_by_default(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    set_help_lang([])
    out = _help(capsys, command, "--help")
    assert out.startswith("usage : ")
    assert "afficher cette aide et quitter" in out
    assert "show this help message" not in out


def test_radar_help_french_then_english(capsys: pytest.CaptureFixture[str], english: None) -> None:
    out = _help(capsys, "--lang", "en", "radar", "--help")
    assert "write the interactive map here" in out and "show this help message and exit" in out
    set_help_lang([])
    out = _help(capsys, "radar", "--help")
    assert "écrire la carte interactive ici" in out
    assert "write the interactive map" not in out


def test_installed_command_help_language() -> None:
    # the real path: the language is read from the command line before the parser is built
    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "qpv_radar", *argv], capture_output=True,
                              text=True)  # fmt: skip

    assert "tableau avec les périmètres" in run("coverage", "--help").stdout
    assert "table with perimeters" in run("--lang", "en", "coverage", "--help").stdout
    bad = run("radar", "--paper", "a5")
    assert bad.returncode == 2 and "choix invalide" in bad.stderr
    assert "invalid choice" in run("--lang", "en", "radar", "--paper", "a5").stderr
