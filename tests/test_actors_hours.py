"""Opening hours: converters from the sources' formats, evaluation, unknown kept unknown."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from qpv_radar import fetch
from qpv_radar.actors import hours

FS_WEEK = {
    "h_lundi": "08:30 - 12:30 / 13:30 - 18:00",
    "h_mardi": "08:30 - 12:30 / 13:30 - 18:00",
    "h_mercredi": "00:00 - 00:00 / 09:00 - 12:00",  # placeholder slot, as in the real file
    "h_jeudi": "09:00 - 12:00 / 09:00 - 16:30 / 14:00 - 16:30",  # overlapping, real
    "h_vendredi": "",
    "h_samedi": "",
}
TUESDAY = datetime(2024, 1, 16)  # inside the TaM feed period


def test_france_services_to_osm() -> None:
    oh = hours.from_france_services(FS_WEEK)
    assert oh == "Mo,Tu 08:30-12:30,13:30-18:00; We 09:00-12:00; Th 09:00-16:30"
    assert hours.is_valid(oh)


def test_france_services_no_hours_is_unknown() -> None:
    assert hours.from_france_services(dict.fromkeys(FS_WEEK, "")) is None


def test_france_services_unreadable_slot() -> None:
    with pytest.raises(ValueError, match="not a slot"):
        hours.from_france_services({"h_lundi": "le matin"})


def test_mpt_lunch_break_cut_from_real_file() -> None:
    mpt = json.loads(fetch("actors/montpellier_maisons_pour_tous/mpt.json").read_text("utf-8"))
    feuillade = next(m for m in mpt if "Feuillade" in m["name"])
    oh = hours.from_mpt(feuillade["openingHours"])
    assert oh == "Mo-Th 09:00-12:30,14:00-19:00; Fr 09:00-12:30,14:00-18:00; Sa 13:30-18:00"


def test_mpt_unknown_slot_text() -> None:
    with pytest.raises(ValueError, match="not a slot"):
        hours.from_mpt({"Lundi": {"slots": ["sur rendez-vous"]}})


def test_is_open_and_unknown() -> None:
    oh = "Mo-Fr 09:00-12:30,14:00-17:00"
    assert hours.is_open(oh, TUESDAY.replace(hour=10)) is True
    assert hours.is_open(oh, TUESDAY.replace(hour=13)) is False
    assert hours.is_open(None, TUESDAY.replace(hour=10)) is None  # unknown is not closed
    assert hours.is_open("Mo-Fr 09:00-17:00 unknown", TUESDAY.replace(hour=10)) is None


def test_public_holidays_france() -> None:
    assert hours.is_open("Mo-Fr 09:00-17:00; PH off", datetime(2024, 12, 25, 10)) is False
    assert hours.is_open("Mo-Fr 09:00-17:00; PH off", datetime(2024, 12, 24, 10)) is True


def test_next_opening() -> None:
    oh = "Mo-Fr 09:00-12:30,14:00-17:00"
    assert hours.next_opening(oh, TUESDAY.replace(hour=13)) == TUESDAY.replace(hour=14)
    assert hours.next_opening(oh, TUESDAY.replace(hour=10)) == TUESDAY.replace(hour=10)
    saturday = datetime(2024, 1, 20, 10)
    assert hours.next_opening(oh, saturday) == datetime(2024, 1, 22, 9)
    assert hours.next_opening(None, saturday) is None


def test_next_opening_timezone_aware() -> None:
    oh = "Mo-Fr 09:00-17:00"
    utc = datetime(2024, 1, 16, 7, 0, tzinfo=ZoneInfo("UTC"))  # 08:00 in Paris
    got = hours.next_opening(oh, utc)
    assert got == datetime(2024, 1, 16, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))


def test_open_during() -> None:
    oh = "Mo-Fr 09:00-12:30,14:00-17:00"
    t = TUESDAY
    assert hours.open_during(oh, t.replace(hour=10), t.replace(hour=11)) is True
    assert hours.open_during(oh, t.replace(hour=12), t.replace(hour=13)) is False
    assert hours.open_during(oh, t.replace(hour=12), t.replace(hour=13), mode="any") is True
    assert hours.open_during(None, t.replace(hour=10), t.replace(hour=11)) is None
    with pytest.raises(ValueError, match="not after"):
        hours.open_during(oh, t.replace(hour=11), t.replace(hour=10))


def test_invalid_osm_string() -> None:
    assert not hours.is_valid("lundi matin")
    with pytest.raises(ValueError, match="not valid opening_hours"):
        hours.is_open("lundi matin", TUESDAY)
