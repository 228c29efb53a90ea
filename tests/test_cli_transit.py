"""``qpv-radar transit-info`` on the real feeds."""

from __future__ import annotations

import json
import zipfile
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
    assert "départ le plus rapide : " in out  # French typography
    assert main(["--lang", "en", *args, "--when", "2024-01-16T08:30"]) == 0
    out = capsys.readouterr().out
    assert "walk" in out and "origin →" in out
    # outside the feed: a representative Tuesday answers, and it is said; or refused
    assert main([*args, "--when", "2024-06-04T08:30"]) == 0
    assert "⚠ horaires TAM du mardi 23 janvier 2024" in capsys.readouterr().out
    assert main([*args, "--when", "2024-06-04T08:30", "--strict-dates"]) == 2
    assert "du 18/12/2023 au 25/02/2024" in capsys.readouterr().err
    assert main(["--lang", "en", *args, "--when", "2024-06-04T08:30", "--strict-dates"]) == 2
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
    args += ["--when", "2023-05-02T08:00"]  # default: the next working day, not default_when
    assert main([*args, "--from", "5.7146,45.1914", "--to", "5.7320,45.1581", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["walking"] == "straight line × 1.3"
    assert out["when"] == "2023-05-02T08:00:00" and out["departures"] == 10
    assert out["itinerary"]["legs"] and out["travel_time_s"] < 45 * 60


def _night_territory(tmp_path: Path) -> Path:
    """A hand-made feed: A and Z 22 km apart, a daily noon bus, and a Tuesday 00:30 bus."""
    cal = (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    )
    st = "trip_id,stop_id,arrival_time,departure_time,stop_sequence\n"
    tables = {
        "agency": "agency_name,agency_timezone\nNight,Europe/Paris\n",
        "stops": "stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,43.6,3.8\nZ,Zulu,43.8,3.8\n",
        "routes": "route_id,route_short_name,route_type\nR1,N1,3\n",
        "calendar": cal
        + "DAY,1,1,1,1,1,1,1,20240101,20240131\nTUE,0,1,0,0,0,0,0,20240101,20240131\n",
        "trips": "route_id,service_id,trip_id\nR1,DAY,noon\nR1,TUE,early\n",
        "stop_times": st
        + "noon,A,12:00:00,12:00:00,1\nnoon,Z,12:30:00,12:30:00,2\n"
        + "early,A,00:30:00,00:30:00,1\nearly,Z,01:00:00,01:00:00,2\n",
    }
    with zipfile.ZipFile(tmp_path / "night.zip", "w") as z:
        for name, text in tables.items():
            z.writestr(f"{name}.txt", text)
    toml = tmp_path / "night.toml"
    toml.write_text(
        'name = "night"\nlabel = "Night"\ncommunes = ["34172"]\n\n[[gtfs]]\nsource = "night.zip"\n',
        encoding="utf-8",
    )
    return toml


def test_times_transit_window_past_midnight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["times", "--mode", "transit", "--territory", str(_night_territory(tmp_path))]
    args += ["--from", "3.8,43.6", "--to", "3.8,43.8"]
    # Monday 23:50, one hour: the Tuesday 00:30 bus, best caught from 00:29 (slack 60 s)
    assert main([*args, "--when", "2024-01-15T23:50", "--window", "60", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["departures"] == 60 and out["min_s"] == 31 * 60
    assert out["percentiles"]["p10"] < 70 * 60 < out["percentiles"]["p90"]  # then only walking
    assert out["fastest_departure"] == "2024-01-16T00:29:00"
    it = out["itinerary"]  # from the timetable of Tuesday
    assert [leg["trip_id"] for leg in it["legs"] if leg["mode"] == "ride"] == ["early"]
    assert it["arrival"] == "2024-01-16T01:00:00+01:00"
    # after the last date of the period (31 January), nothing is known: an error, not a walk
    assert main([*args, "--when", "2024-01-31T23:50"]) == 2
    err = capsys.readouterr().err
    assert "2024-02-01 is outside the service period" in err and "2024-01-31T23:50" in err
