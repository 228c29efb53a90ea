"""The radar with public transport (TaM timetable of Tuesday 16 January 2024, RAPTOR engine)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from _radar_data import person

from qpv_radar import ServicePeriodError, UnreachableError
from qpv_radar.cli.main import main
from qpv_radar.radar import Radar, compute_radar
from qpv_radar.render import labels


@pytest.fixture(scope="module")
def radar() -> Radar:
    return compute_radar("montpellier", person(modes=("walk", "transit")))


def test_transit_times_beat_or_equal_walking(radar: Radar) -> None:
    entries = [e for es in radar.entries.values() for e in es]
    for e in entries:
        walk, transit = e.minutes["walk"], e.minutes["transit"]
        assert walk is not None and transit is not None
        # walking all the way is a transit option (the engine counts whole seconds)
        assert transit <= walk + 0.05, e.name
    doors = radar.entries["entry_door"]
    assert any(e.best_mode == "transit" and e.minutes["walk"] > 60 for e in doors)  # type: ignore[operator]
    assert all(e.within_reach for e in doors)


def test_transit_itinerary_words(radar: Radar) -> None:
    door = radar.first_choice("entry_door")
    assert door is not None and door.best_mode == "transit"
    rides = [leg for leg in door.legs if leg.line]
    assert rides and all(leg.mode in ("tram", "bus") for leg in rides)
    assert all(leg.board and leg.alight for leg in rides)
    assert door.legs[0].mode == "walk"
    # the map can draw it: walks along the streets, rides between their stops
    assert all(len(leg.coords) >= 2 for leg in door.legs)
    assert door.legs[0].coords[0] == (radar.person.lon, radar.person.lat) or (
        abs(door.legs[0].coords[0][0] - radar.person.lon) < 1e-3
    )
    assert abs(door.legs[-1].coords[-1][1] - door.lat) < 1e-3
    text = labels.how_to_get_there(door)
    assert f"{rides[0].mode} {rides[0].line} → {rides[0].alight}" in text
    assert text.endswith(labels.duration(door.best_minutes))


def test_every_entry_has_its_itinerary(radar: Radar) -> None:
    # the agent may recommend any structure, not only the first: each has its way there,
    # whose duration is the entry's fastest time (walking legs are drawn on the streets)
    for e in (e for es in radar.entries.values() for e in es):
        assert e.legs, e.name
        assert e.legs[0].mode == "walk" or e.best_mode != "transit"
        if e.best_mode == "transit" and any(leg.line for leg in e.legs):
            first, last = e.legs[0].departure, e.legs[-1].arrival
            assert first is not None and last is not None
            assert (last - radar.person.when).total_seconds() / 60 <= e.best_minutes + 10


def test_nothing_within_reach_at_dawn() -> None:
    r = compute_radar(
        "montpellier",
        person(modes=("transit",), when=datetime(2024, 1, 16, 6, 0), until="08:00",
               max_minutes=30, needs=("entry_door",)),
    )  # fmt: skip
    [notice] = r.notices
    text = labels.notice_text(notice, "fr")
    assert text.startswith("rien à moins de 30 min en transports en commun à 06:00")
    assert "le plus proche :" in text and notice.nearest_minutes > 30  # type: ignore[operator]
    assert r.rings and r.rings[0].mode == "transit"  # rings of the main mode, transit here


def test_date_outside_the_gtfs_period() -> None:
    june = datetime(2024, 6, 4, 9, 0)  # TaM's feed runs 2023-12-18 → 2024-02-25
    with pytest.raises(ServicePeriodError, match="outside the loaded TAM timetable") as err:
        compute_radar("montpellier", person(when=june, modes=("transit",)), strict_dates=True)
    assert "hors de la période des horaires TAM chargés" in err.value.message("fr")
    # by default: transit on a Tuesday of the feed with the same services, and it is said
    r = compute_radar("montpellier", person(when=june, modes=("transit",), needs=("entry_door",)),
                      itineraries="none", ring_minutes=())  # fmt: skip
    assert r.timetable_substituted and r.timetable_date == datetime(2024, 1, 23).date()
    [notice] = [n for n in r.notices if n.code == "timetable_substituted"]
    assert notice.mode == "transit" and notice.detail == "2023-12-18/2024-02-25"
    assert labels.notice_text(notice, "fr") == (
        "horaires TAM du mardi 23 janvier 2024 : les horaires de ce jour ne sont pas chargés "
        "(horaires connus du 18/12/2023 au 25/02/2024)"
    )
    assert labels.notice_text(notice, "en") == (
        "TAM timetable of Tuesday 23 January 2024: this day's timetable is not loaded "
        "(timetable known from 2023-12-18 to 2024-02-25)"
    )
    entries = [e for es in r.entries.values() for e in es]
    assert entries and all(e.best_mode == "transit" for e in entries)
    assert all(e.arrival is not None and e.arrival.date() == june.date() for e in entries)


def test_home_off_the_streets_with_transit_is_a_clear_error() -> None:
    # east of the commune's street network: no access walk, no walk at all
    with pytest.raises(UnreachableError, match="too far from the walk network") as err:
        compute_radar("montpellier", person(lon=3.90, lat=43.635, modes=("walk", "transit")))
    assert "trop loin du réseau piéton" in err.value.message("fr")


def test_readme_main_command_is_the_radar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    first = readme.split("```bash\n", 1)[1].split("\n", 1)[0]
    args = first.split(".venv/bin/qpv-radar ", 1)[1].split()
    assert args[:3] == ["radar", "--lonlat", "3.8200,43.6321"]
    monkeypatch.chdir(tmp_path)
    assert main(args) == 0
    out = capsys.readouterr().out
    for name in ("radar.html", "radar.pdf", "card.pdf"):
        assert (tmp_path / name).stat().st_size > 1000
        assert str(tmp_path / name) in out
    assert "Mosson" in out
