"""Tests of the registry, the cache and the mirror (real files from ../shared/data)."""

from __future__ import annotations

import csv
import hashlib
import json
import socket
from pathlib import Path

import pytest

from qpv_radar import datasets
from qpv_radar._errors import DataNotAvailableError, QpvRadarError, UnknownDatasetError
from qpv_radar.cli.main import main

QP = "qpv/occitanie_hackaviz2021/qp.geojson"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_registry_matches_shared_registry(mirror: Path) -> None:
    text = (mirror / "REGISTRY.tsv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    reg = datasets.registry()
    assert {r["path"] for r in rows} == set(reg)
    for r in rows:
        assert reg[r["path"]].sha256 == r["sha256"]
        assert reg[r["path"]].size == int(r["size"])


def test_fetch_from_mirror_verifies_and_caches(mirror: Path, empty_cache: Path) -> None:
    local = datasets.fetch(QP)
    assert local.is_relative_to(empty_cache)
    assert _sha(local) == datasets.registry()[QP].sha256
    assert datasets.is_cached(QP)


def test_corrupted_cache_is_replaced(mirror: Path, empty_cache: Path) -> None:
    local = datasets.fetch(QP)
    local.write_bytes(b"garbage")
    again = datasets.fetch(QP)
    assert again == local
    assert _sha(again) == datasets.registry()[QP].sha256


def test_shapefile_sidecars_come_along(mirror: Path, empty_cache: Path) -> None:
    shp = datasets.fetch("osm/montpellier_osmnx_2021-04/osmnx_all_shp/edges.shp")
    assert shp.with_suffix(".shx").is_file()
    assert shp.with_suffix(".prj").is_file()


def test_offline_without_cache_names_file_url_and_mirror(
    empty_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QPV_RADAR_MIRROR", raising=False)
    with pytest.raises(DataNotAvailableError) as err:
        datasets.fetch(QP)
    msg = str(err.value)
    assert QP in msg
    assert datasets.registry()[QP].url in msg
    assert "QPV_RADAR_MIRROR" in msg


def test_network_is_blocked_in_tests() -> None:
    with pytest.raises(RuntimeError, match="network"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


def test_mirror_with_wrong_bytes_is_rejected(
    tmp_path: Path, empty_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "mirror" / QP
    bad.parent.mkdir(parents=True)
    bad.write_text('{"type": "FeatureCollection", "features": []}')
    monkeypatch.setenv("QPV_RADAR_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(QpvRadarError, match="SHA-256"):
        datasets.fetch(QP)
    assert not (empty_cache / QP).exists()


def test_unknown_dataset_suggests() -> None:
    with pytest.raises(UnknownDatasetError, match=r"qpv/occitanie_hackaviz2021/qp\.csv"):
        datasets.fetch("qp.csv")


def test_cli_data_list_json(
    mirror: Path, empty_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    datasets.fetch(QP)
    assert main(["data", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_path = {r["path"]: r for r in rows}
    assert by_path[QP]["cached"] is True
    assert by_path["qpv/occitanie_hackaviz2021/qp.csv"]["cached"] is False
    assert all(r["licence"] for r in rows)


def test_cli_data_fetch_then_error_is_clean(
    empty_cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "fetch", QP]) == 0
    assert str(empty_cache) in capsys.readouterr().out
    monkeypatch.delenv("QPV_RADAR_MIRROR", raising=False)
    assert main(["data", "fetch", "qpv/occitanie_hackaviz2021/qp.csv"]) == 2
    err = capsys.readouterr().err
    assert "QPV_RADAR_MIRROR" in err and "Traceback" not in err
