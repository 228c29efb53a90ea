"""Notes about the built-in data (polygons repaired, rows skipped) are said once, and listed."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from qpv_radar import datasets
from qpv_radar._data_notes import CliFormatter
from qpv_radar.cli.main import main
from qpv_radar.qpv import read_qpv

QP = "qpv/occitanie_hackaviz2021/qp.geojson"


def _notes(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == level and "repaired" in r.getMessage()]


def test_builtin_note_said_once_then_listed(
    mirror: Path, empty_cache: Path, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG, logger="qpv_radar")
    local = datasets.fetch(QP)
    read_qpv(local)
    first = _notes(caplog, logging.WARNING)
    assert len(first) == 1 and "32 invalid polygon(s) repaired" in first[0].getMessage()
    caplog.clear()
    read_qpv(local)  # the same version again: not said again (kept at DEBUG)
    assert _notes(caplog, logging.WARNING) == []
    assert len(_notes(caplog, logging.DEBUG)) == 1
    # worded in French for the terminal
    fr = CliFormatter("%(message)s", "fr").format(first[0])
    assert fr.startswith(f"{QP} : 32 polygone(s) invalide(s) réparé(s)")
    # and listed by `data list`
    assert main(["data", "list", "--json"]) == 0
    rows = {r["path"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[QP]["notes"] and rows[QP]["notes"][0].startswith("32 polygone(s) invalide(s)")
    assert main(["--lang", "en", "data", "list", "--json"]) == 0
    rows = {r["path"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[QP]["notes"][0].startswith("32 invalid polygon(s) repaired")


def test_user_file_note_said_every_time(
    mirror: Path, empty_cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="qpv_radar")
    mine = tmp_path / "mine.geojson"
    shutil.copy(datasets.fetch(QP), mine)
    read_qpv(mine)
    read_qpv(mine)  # the person's own file: they can fix it, so it is said each time
    assert len(_notes(caplog, logging.WARNING)) == 2
    assert not (empty_cache / "notes.json").exists()
