"""``qpv-radar transit-info`` on the real feeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qpv_radar.cli.main import main

TAM = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"
TAG = "gtfs/grenoble_sem_tag_2023-04/SEM-GTFS.zip"


def test_transit_info_json_tam(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transit-info", "--gtfs", TAM, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["period"] == {"start": "2023-12-18", "end": "2024-02-25"}
    assert info["agencies"] == [{"name": "TAM", "timezone": "Europe/Paris"}]
    assert info["counts"]["routes_by_type"] == {"0": 4, "3": 36, "715": 5}
    assert info["calendar"]["calendar_dates_removals"] == 1821
    days = {d["date"]: d["trips"] for d in info["dates_with_service"]}
    assert len(days) == 70 and days["2024-01-16"] == 4333


def test_transit_info_text_grenoble(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "transit-info", "--gtfs", TAG]) == 0
    out = capsys.readouterr().out
    assert "period: 2023-04-10 → 2023-06-04" in out
    assert "dates without service: 2023-05-01" in out  # the feed has no trip on 1 May
    assert "Mobilités M - Tag (Europe/Paris)" in out


def test_transit_info_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transit-info", "--gtfs", "nowhere/feed.zip"]) == 2
    assert "neither an existing file nor a registry path" in capsys.readouterr().err


def test_times_transit_window_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["times", "--mode", "transit", "--when", "2024-01-16T08:30", "--window", "30"]
    args += ["--from", "3.8195,43.6165", "--to", "3.9195,43.6040", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["departures"] == 30
    p = out["percentiles"]
    assert out["min_s"] <= p["p10"] <= p["p50"] == out["travel_time_s"] <= p["p80"] <= p["p90"]
    assert 25 * 60 < out["travel_time_s"] < 75 * 60  # Mosson → Odysseum across the city by tram
    it = out["itinerary"]
    assert it["travel_time_s"] == out["min_s"]
    assert it["departure"].startswith(out["fastest_departure"])
    rides = [leg for leg in it["legs"] if leg["mode"] == "ride"]
    assert rides and all(r["route_short_name"] and r["route_color"] for r in rides)
    assert it["legs"][0]["from_name"] == "origine"  # French by default


def test_times_transit_text_and_out_of_period(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["times", "--mode", "transit", "--from", "3.8195,43.6165", "--to", "3.8797,43.6085"]
    assert main([*args, "--when", "2024-01-16T08:30"]) == 0
    out = capsys.readouterr().out
    assert "min" in out and "à pied" in out
    assert main(["--lang", "en", *args, "--when", "2024-01-16T08:30"]) == 0
    out = capsys.readouterr().out
    assert "walk" in out and "origin →" in out
    assert main([*args, "--when", "2024-06-04T08:30"]) == 2
    assert "2023-12-18 → 2024-02-25" in capsys.readouterr().err


def test_times_transit_territory_without_streets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = tmp_path / "grenoble.toml"
    toml.write_text(
        'name = "grenoble"\nlabel = "Grenoble"\ncommunes = ["38185"]\n'
        'default_when = "2023-05-02T08:00"\n\n[[gtfs]]\nsource = "' + TAG + '"\n',
        encoding="utf-8",
    )
    args = ["times", "--mode", "transit", "--territory", str(toml), "--window", "10"]
    assert main([*args, "--from", "5.7146,45.1914", "--to", "5.7320,45.1581", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["walking"] == "straight line × 1.3"
    assert out["when"] == "2023-05-02T08:00:00" and out["departures"] == 10
    assert out["itinerary"]["legs"] and out["travel_time_s"] < 45 * 60
