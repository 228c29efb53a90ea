"""The radar end to end on the real networks (street network of Montpellier), and its CLI."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from _radar_data import MOSSON, person
from shapely.geometry import Point

from qpv_radar import Networks, UnreachableError
from qpv_radar.actors import load_actors
from qpv_radar.cli.main import main
from qpv_radar.radar import Radar, compute_radar
from qpv_radar.routing import travel_times


@pytest.fixture(scope="module")
def networks() -> Networks:
    return Networks("montpellier")


@pytest.fixture(scope="module")
def radar(networks: Networks) -> Radar:
    return compute_radar("montpellier", person(modes=("walk", "bike")), networks=networks)


def test_times_are_the_street_engine_times(radar: Radar, networks: Networks) -> None:
    home = gpd.GeoDataFrame({"id": ["home"]}, geometry=[Point(MOSSON)], crs=4326)
    actors = load_actors("montpellier")
    for role, entries in radar.entries.items():
        dest = actors.loc[[e.id for e in entries]]
        ref = travel_times(networks.street_network("walk"), home.set_index("id"), dest)
        ref_min = ref.set_index("to_id")["travel_time"] / 60.0
        for e in entries:
            assert e.minutes["walk"] == pytest.approx(ref_min[e.id]), (role, e.id)
            # cycling is faster than walking on every kept structure
            assert e.minutes["bike"] < e.minutes["walk"]  # type: ignore[operator]
            assert e.best_mode == "bike"


def test_first_choices_have_street_routes(radar: Radar) -> None:
    for role in radar.roles:
        first = radar.first_choice(role)
        assert first is not None
        [leg] = first.legs
        assert leg.mode == first.best_mode
        assert leg.minutes == pytest.approx(first.best_minutes, rel=0.02, abs=0.2)
        assert leg.distance_m is not None and leg.distance_m >= first.distance_m * 0.99
        start, end = Point(leg.coords[0]), Point(leg.coords[-1])
        assert start.distance(Point(MOSSON)) < 1e-3
        assert end.distance(Point(first.lon, first.lat)) < 1e-3


def test_rings_nest_around_home(radar: Radar) -> None:
    assert [r.minutes for r in radar.rings] == [5, 10, 15, 20, 30]
    assert all(r.mode == "walk" for r in radar.rings)
    areas = [r.geometry.area for r in radar.rings]
    assert areas == sorted(areas) and areas[0] > 0
    assert radar.rings[0].geometry.contains(Point(MOSSON))
    # a structure reached on foot within 10 min lies inside the 10-min ring (with its margin)
    ten = radar.rings[1].geometry
    for e in (e for es in radar.entries.values() for e in es):
        if e.minutes["walk"] is not None and e.minutes["walk"] <= 9:
            assert ten.buffer(0.002).contains(Point(e.lon, e.lat)), e.name
    assert shapely.is_valid(radar.rings[-1].geometry)


def test_home_off_the_network() -> None:
    with pytest.raises(UnreachableError, match="too far from the walk network"):
        compute_radar("montpellier", person(lon=3.92, lat=43.56, modes=("walk",)))


def test_cli_writes_the_three_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = {k: tmp_path / f"radar.{k}" for k in ("html", "pdf", "json")}
    card = tmp_path / "card.pdf"
    status = main(
        [
            "radar", "--lonlat", "3.8200,43.6321", "--when", "2024-01-16T09:00",
            "--until", "12:00", "--modes", "walk,bike", "--needs", "creation,emploi",
            "--html", str(out["html"]), "--pdf", str(out["pdf"]), "--json", str(out["json"]),
            "--card", str(card), "--agent", "Samia B.",
        ]
    )  # fmt: skip
    assert status == 0
    stdout = capsys.readouterr().out
    assert "Mon radar de l'accompagnement" in stdout and "Mosson" in stdout
    assert "Relais de proximité" in stdout
    for path in (*out.values(), card):
        assert path.stat().st_size > 1000, path
        assert str(path.resolve()) in stdout
    back = Radar.from_json(out["json"])
    assert back.home_qpv_name == "Mosson" and back.person.modes == ("walk", "bike")
    assert "qpv-marker" in out["html"].read_text("utf-8")


def test_cli_table_keeps_ids_whole_and_skips_empty_roles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # a narrow terminal
    js = tmp_path / "r.json"
    args = ["radar", "--lonlat", "3.8200,43.6321", "--modes", "walk", "--needs",
            "creation,mobilite", "--json", str(js)]  # fmt: skip
    assert main(args) == 0
    stdout = capsys.readouterr().out
    radar = Radar.from_json(js)
    ids = [e.id for es in radar.entries.values() for e in es]
    assert ids and all(i in stdout for i in ids)  # copyable into --card-to / --choose
    assert not radar.entries.get("mobility")  # Montpellier's sources hold no mobility structure
    assert "Mobilité\n" not in stdout and "« Mobilité »" in stdout  # the notice, no empty table


def test_cli_override_and_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    js = tmp_path / "r.json"
    assert main(["radar", "--lonlat", "3.8200,43.6321", "--modes", "walk",
                 "--needs", "emploi", "--json", str(js), "--lang", "en"]) == 0  # fmt: skip
    base = Radar.from_json(js)
    other = base.entries["employment"][-1].id
    assert main(["radar", "--lonlat", "3.8200,43.6321", "--modes", "walk", "--needs",
                 "emploi", "--json", str(js), "--choose", f"employment={other}"]) == 0  # fmt: skip
    assert Radar.from_json(js).first_choice("employment").id == other  # type: ignore[union-attr]
    assert "Employment and training" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "french", "english"),
    [
        (["--needs", "boulangerie"], "besoin(s) inconnu(s) : 'boulangerie'",
         "unknown need(s): 'boulangerie'"),
        (["--until", "08:00"], "plage horaire vide", "empty hour range"),
        (["--lonlat", "43.6321,3.8200"], "ressemble à LAT,LON", "looks like LAT,LON"),
        (["--lonlat", "2.3522,48.8566"], "hors du territoire montpellier",
         "outside the montpellier territory"),
        (["--modes", "walk,teleport"], "mode(s) inconnu(s) ou absent(s) 'teleport'",
         "unknown or missing mode(s) 'teleport'"),
        (["--when", "16/01/2024"], "n'est pas une date-heure", "not an ISO date-time"),
        (["--choose", "entry_door=nope"], "n'est pas sur ce radar", "not on this radar"),
    ],
)  # fmt: skip
def test_cli_bad_input(
    args: list[str], french: str, english: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = {"--lonlat": "3.8200,43.6321", "--when": "2024-01-16T09:00", "--modes": "walk"}
    for k, v in zip(args[::2], args[1::2], strict=True):
        base[k] = v
    argv = ["radar", *[x for kv in base.items() for x in kv]]
    for extra, message in (([], french), (["--lang", "en"], english)):
        assert main([*argv, *extra]) == 2
        err = capsys.readouterr().err
        assert message in err, err
        assert "Traceback" not in err


def test_geojson_output_is_private(tmp_path: Path) -> None:
    gj = tmp_path / "r.geojson"
    assert main(["radar", "--lonlat", "3.8200,43.6321", "--modes", "walk",
                 "--geojson", str(gj)]) == 0  # fmt: skip
    data = json.loads(gj.read_text("utf-8"))
    text = gj.read_text("utf-8")
    assert "43.6321," not in text and "[3.82, 43.6321]" not in text
    assert data["features"][0]["properties"]["kind"] == "home"


def test_cli_redraws_a_saved_radar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    js, pdf, card = tmp_path / "r.json", tmp_path / "r.pdf", tmp_path / "c.pdf"
    assert main(["radar", "--lonlat", "3.8200,43.6321", "--modes", "walk",
                 "--json", str(js)]) == 0  # fmt: skip
    saved = Radar.from_json(js)
    other = saved.entries["relay"][-1]
    status = main(["radar", "--from-json", str(js), "--choose", f"relay={other.id}",
                   "--pdf", str(pdf), "--card", str(card), "--card-to", other.id])  # fmt: skip
    assert status == 0 and pdf.stat().st_size > 1000 and card.stat().st_size > 1000
    assert "Mosson" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["radar", "--html", "x.html"], "--lonlat LON,LAT"),
        (["radar", "--lonlat", "3.82,43.63", "--from-json", "r.json"], "not both"),
        (["radar", "--from-json", "missing.json"], "no such file"),
        (["radar", "--from-json", "bad.json"], "ce n'est pas un radar écrit par qpv_radar"),
    ],
)
def test_cli_from_json_bad_input(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_text('{"type": "qpv_radar.Radar", "person": {}}')
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
