"""Timetables for the day asked: a date outside the GTFS feeds is routed on a representative
service day of the same weekday, and every output says which timetable answered.

Real feeds: TaM (Montpellier, 2023-12-18 → 2024-02-25, calendar.txt + exceptions) and TAG
(Grenoble, 2023-04-10 → 2023-06-04, calendar_dates.txt only).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from _radar_data import MOSSON, person

from qpv_radar import Networks, ServicePeriodError, fetch
from qpv_radar.cli.main import main
from qpv_radar.networks.gtfs import read_feed, services_on
from qpv_radar.networks.gtfs.days import (
    is_public_holiday,
    next_working_day,
    representative_day,
)
from qpv_radar.radar import Radar, compute_radar
from qpv_radar.render import labels
from qpv_radar.render.map import radar_map

TAM = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"
TAG = "gtfs/grenoble_sem_tag_2023-04/SEM-GTFS.zip"
TUE_2026 = date(2026, 12, 8)  # a Tuesday, years after the TaM feed
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils missing: run .ci/system-deps"
)
README = ["radar", "--lonlat", "3.8200,43.6321", "--until", "12:00", "--modes", "walk,transit",
          "--needs", "creation,emploi"]  # fmt: skip


def _weekdays(start: date, end: date, wd: int) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)
            if (start + timedelta(days=i)).weekday() == wd]  # fmt: skip


# ---- the representative day -------------------------------------------------------------
def test_tam_tuesday_is_a_normal_tuesday_of_the_feed() -> None:
    feed = read_feed(fetch(TAM))
    used = representative_day(feed, TUE_2026)
    assert used.weekday() == 1 and feed.period[0] <= used <= feed.period[1]
    # not the Christmas and New Year weeks (school holidays, other services)
    assert used > date(2024, 1, 7)
    # the Tuesday services that run on most Tuesdays of the feed
    tuesdays = _weekdays(*feed.period, wd=1)
    runs = [frozenset(services_on(feed, d)) for d in tuesdays]
    assert runs.count(frozenset(services_on(feed, used))) == max(runs.count(r) for r in runs)
    assert services_on(feed, used) != services_on(feed, date(2023, 12, 26))
    assert used == date(2024, 1, 23)  # nearest the middle of the period (2024-01-21)
    # a date inside the feed is its own answer, unless asked
    assert representative_day(feed, date(2024, 1, 16)) == date(2024, 1, 16)
    assert representative_day(feed, date(2023, 12, 26), always=True) == used


def test_tam_sunday_and_holidays() -> None:
    feed = read_feed(fetch(TAM))
    sunday = representative_day(feed, date(2026, 12, 13))
    assert sunday.weekday() == 6 and sunday not in (date(2023, 12, 24), date(2023, 12, 31))
    # a public holiday runs Sunday service
    assert is_public_holiday(date(2026, 12, 25))
    assert representative_day(feed, date(2026, 12, 25)) == sunday
    # every weekday: same weekday, never a holiday, the weekday's most common services
    for k in range(7):
        asked = date(2026, 12, 7) + timedelta(days=k)
        used = representative_day(feed, asked)
        assert used.weekday() == asked.weekday() and not is_public_holiday(used)
        same = _weekdays(*feed.period, wd=asked.weekday())
        runs = [frozenset(services_on(feed, d)) for d in same if not is_public_holiday(d)]
        assert runs.count(frozenset(services_on(feed, used))) == max(runs.count(r) for r in runs)


def test_grenoble_calendar_dates_only_feed() -> None:
    feed = read_feed(fetch(TAG))
    assert len(feed.calendar) == 0
    holidays = {date(2023, 4, 10), date(2023, 5, 1), date(2023, 5, 8), date(2023, 5, 18),
                date(2023, 5, 29)}  # fmt: skip
    assert all(is_public_holiday(d) for d in holidays)
    for k in range(7):
        asked = TUE_2026 + timedelta(days=k)
        used = representative_day(feed, asked)
        assert used.weekday() == asked.weekday(), asked
        assert feed.period[0] <= used <= feed.period[1] and used not in holidays
        assert services_on(feed, used)  # trips run
    assert representative_day(feed, date(2026, 12, 8)) == date(2023, 5, 16)


def test_weekday_without_service_is_said(tmp_path: Path) -> None:
    zip_ = _feed_without_sundays(tmp_path / "f.zip")
    feed = read_feed(zip_)
    assert representative_day(feed, date(2026, 12, 9)).weekday() == 2
    with pytest.raises(ServicePeriodError, match="no Réseau test trip runs on that weekday") as e:
        representative_day(feed, date(2026, 12, 13))
    assert "aucun trajet Réseau test ne circule ce jour de la semaine" in e.value.message("fr")


def _feed_without_sundays(path: Path) -> Path:
    """A two-stop line near La Mosson, Monday to Saturday in January 2024."""
    tables = {
        "agency": "agency_id,agency_name,agency_url,agency_timezone\nA,Réseau test,http://a,"
        "Europe/Paris\n",
        "stops": "stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,43.6321,3.8200\n"
        "Z,Zulu,43.6085,3.8801\n",
        "routes": "route_id,agency_id,route_short_name,route_long_name,route_type\nR,A,9,Neuf,3\n",
        "trips": "route_id,service_id,trip_id\nR,WK,t1\n",
        "stop_times": "trip_id,stop_id,arrival_time,departure_time,stop_sequence\n"
        "t1,A,10:00:00,10:00:00,1\nt1,Z,10:20:00,10:20:00,2\n",
        "calendar": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date\nWK,1,1,1,1,1,1,0,20240101,20240131\n",
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in tables.items():
            z.writestr(f"{name}.txt", text)
    return path


def test_next_working_day() -> None:
    # Thursday 24 December 2026 after 9:00 → Friday is Christmas → Monday 28
    assert next_working_day(datetime(2026, 12, 24, 14, 0)) == datetime(2026, 12, 28, 9, 0)
    assert next_working_day(datetime(2026, 12, 8, 7, 30)) == datetime(2026, 12, 8, 9, 0)
    assert next_working_day(datetime(2026, 12, 12, 8, 0)) == datetime(2026, 12, 14, 9, 0)


# ---- Networks ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nets() -> Networks:
    return Networks("montpellier")


def test_networks_route_on_the_representative_day(nets: Networks) -> None:
    asked = datetime(2026, 12, 8, 9, 0)
    day = nets.timetable_day(asked)
    assert day.substituted and day.asked == TUE_2026 and day.used == date(2024, 1, 23)
    assert day.period == (date(2023, 12, 18), date(2024, 2, 25)) and day.network == "TAM"
    assert nets.timetable(asked).date == day.used
    same = datetime(2024, 1, 23, 9, 0)
    it, ref = (nets.itinerary(MOSSON, (3.8801, 43.6085), mode="transit", departure=d)
               for d in (asked, same))  # fmt: skip
    # the same journey, its times on the person's date
    assert it.departure.date() == TUE_2026 and it.arrival.date() == TUE_2026
    assert it.travel_time_s == ref.travel_time_s and it.lines == ref.lines
    assert [leg.start - ref_leg.start for leg, ref_leg in zip(it.legs, ref.legs, strict=True)] == [
        asked - same
    ] * len(it.legs)
    assert f"{it.legs[1].start:%H:%M}" == f"{ref.legs[1].start:%H:%M}"
    prof = nets.departure_profile(MOSSON, (3.8801, 43.6085), departure=asked, window_minutes=3)
    assert all(t.date() == TUE_2026 for t in prof["departure"])
    inside = nets.timetable_day(same)
    assert not inside.substituted and inside.used == inside.asked == same.date()


def test_strict_dates_refuse_naming_the_period(nets: Networks) -> None:
    with pytest.raises(ServicePeriodError) as err:
        nets.timetable_day(TUE_2026, strict=True)
    assert "2023-12-18 → 2024-02-25" in err.value.message("en")
    assert "du 18/12/2023 au 25/02/2024" in err.value.message("fr")
    strict = Networks("montpellier", strict_dates=True)
    with pytest.raises(ServicePeriodError, match="strict dates"):
        strict.timetable(TUE_2026)
    assert not strict.timetable_day(date(2024, 1, 16)).substituted


# ---- the radar and every output ----------------------------------------------------------
@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The README main command on Tuesday 8 December 2026, every output written once."""
    out = tmp_path_factory.mktemp("radar2026")
    files = {k: out / f"radar.{k}" for k in ("json", "html", "pdf")} | {"card": out / "card.pdf"}
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        status = main([*README, "--when", "2026-12-08T09:00", "--json", str(files["json"]),
                       "--html", str(files["html"]), "--pdf", str(files["pdf"]),
                       "--card", str(files["card"])])  # fmt: skip
    assert status == 0
    return {"files": files, "stdout": buf.getvalue()}


SAID = "horaires TAM du mardi 23 janvier 2024 : les horaires de ce jour ne sont pas chargés"


def test_radar_json_names_the_timetable_day(outputs: dict[str, object]) -> None:
    files: dict[str, Path] = outputs["files"]  # type: ignore[assignment]
    doc = json.loads(files["json"].read_text())
    assert doc["timetable_substituted"] is True and doc["timetable_date"] == "2024-01-23"
    assert doc["timetable_period"] == {"start": "2023-12-18", "end": "2024-02-25"}
    assert doc["modes_answered"] == ["walk", "transit"]
    [n] = [n for n in doc["notices"] if n["code"] == "timetable_substituted"]
    assert n["day"] == "2024-01-23" and n["network"] == "TAM"
    radar = Radar.from_json(files["json"])
    assert radar.timetable_date == date(2024, 1, 23) and radar.timetable_substituted
    assert radar.timetable_period == (date(2023, 12, 18), date(2024, 2, 25))
    # transit answered, on the person's date: the opening hours are read on that date
    entries = [e for es in radar.entries.values() for e in es]
    assert any(e.best_mode == "transit" for e in entries)
    assert all(e.minutes["transit"] is not None for e in entries)
    for e in entries:
        assert e.arrival is not None and e.arrival.date() == TUE_2026
        assert all(leg.departure is None or leg.departure.date() == TUE_2026 for leg in e.legs)
    # a radar saved before these fields still loads (and shows the person's modes)
    old = {k: v for k, v in radar.to_dict().items() if not k.startswith(("timetable", "modes"))}
    back = Radar.from_dict(old)
    assert back.timetable_date is None and not back.timetable_substituted
    assert back.modes_shown == ("walk", "transit")


def test_terminal_and_map_say_it(outputs: dict[str, object]) -> None:
    files: dict[str, Path] = outputs["files"]  # type: ignore[assignment]
    assert SAID in str(outputs["stdout"])
    assert "Modes : à pied, en transports en commun" in str(outputs["stdout"])
    html = files["html"].read_text()
    assert SAID.replace("'", "&#x27;") in html
    assert "Disponible le mardi 8 décembre 2026" in html  # the person's own date


def _pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())


@needs_poppler
def test_poster_and_card_say_it(outputs: dict[str, object]) -> None:
    files: dict[str, Path] = outputs["files"]  # type: ignore[assignment]
    poster, card = _pdf_text(files["pdf"]), _pdf_text(files["card"])
    assert SAID in poster and "mardi 8 décembre 2026" in poster
    assert "Modes : à pied, en transports en commun" in poster
    assert SAID in card


def test_strict_dates_exit_2_with_the_period(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    html = tmp_path / "x.html"
    args = [*README, "--when", "2026-12-08T09:00", "--strict-dates", "--html", str(html)]
    assert main(args) == 2
    assert "du 18/12/2023 au 25/02/2024" in capsys.readouterr().err
    assert main(["--lang", "en", *args]) == 2
    assert "2023-12-18 → 2024-02-25" in capsys.readouterr().err
    assert not html.exists()


def test_date_inside_the_feed_is_not_substituted() -> None:
    r = compute_radar("montpellier", person(modes=("walk", "transit")), itineraries="none",
                      ring_minutes=())  # fmt: skip
    assert r.timetable_date == date(2024, 1, 16) and not r.timetable_substituted
    assert not [n for n in r.notices if n.code.startswith(("timetable", "no_timetable"))]


def test_mode_that_did_not_answer_is_not_listed(tmp_path: Path) -> None:
    # a network without Sunday service: on a Sunday, transit does not answer
    nets = Networks("montpellier", gtfs=_feed_without_sundays(tmp_path / "f.zip"))
    sunday = person(modes=("walk", "transit"), when=datetime(2026, 12, 13, 10, 0),
                    needs=("entry_door",))  # fmt: skip
    r = compute_radar("montpellier", sunday, networks=nets, itineraries="none", ring_minutes=())
    assert r.modes_answered == ("walk",) and r.timetable_date is None
    [n] = [n for n in r.notices if n.code == "no_timetable"]
    assert n.mode == "transit"
    assert labels.modes_text(r, "fr") == "Modes : à pied"
    header = radar_map(r).get_root().render()
    assert "Modes : à pied ·" in header and "Modes : à pied, en transports" not in header
    # a radar built by hand without the field lists the person's modes
    by_hand = replace(r, modes_answered=())
    assert labels.modes_text(by_hand, "en") == "Modes: on foot, by public transport"


def test_times_transit_says_the_timetable_day(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["times", "--territory", "montpellier", "--mode", "transit", "--from",
            "3.8200,43.6321", "--to", "3.8801,43.6085", "--when", "2026-12-08T09:00"]  # fmt: skip
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["timetable_substituted"] is True and doc["timetable_date"] == "2024-01-23"
    assert doc["itinerary"]["departure"].startswith("2026-12-08T09:")
    assert main(args) == 0
    assert SAID in capsys.readouterr().out
