"""A radar true on the page: three opening states everywhere, sources and vintages, a card whose
time adds up, the path's joint steps, --from-relay and --choose (real Montpellier data, real
street and public-transport networks)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pytest
from _radar_data import MOSSON, real_actors, real_qpv

from qpv_radar.cli.main import main
from qpv_radar.radar import Person, Radar, compute_radar
from qpv_radar.radar.path import joint_steps
from qpv_radar.render.card import recommendation_card
from qpv_radar.render.map import radar_map
from qpv_radar.render.poster import radar_poster
from qpv_radar.render.trip import trip_lines, trip_of
from qpv_radar.routing.networks import Networks
from qpv_radar.territory import load_territory

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")

SUNDAY = datetime(2024, 1, 14, 10, 0)  # the relays are closed, the old sources have no hours
TUESDAY = datetime(2024, 1, 16, 9, 0)
HOMES = (MOSSON, (3.8468, 43.6148), (3.8830, 43.5930))  # Mosson, Petit Bard, Près d'Arènes


@pytest.fixture(scope="module")
def nets() -> Networks:
    return Networks(load_territory("montpellier"))


@pytest.fixture(scope="module")
def actors() -> gpd.GeoDataFrame:
    return real_actors()


@pytest.fixture(scope="module")
def qpv() -> gpd.GeoDataFrame:
    return real_qpv()


def _radar(nets: Networks, actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, when: datetime,
           home: tuple[float, float] = MOSSON) -> Radar:  # fmt: skip
    person = Person(lon=home[0], lat=home[1], when=when, until=f"{when.hour + 3:02d}:00",
                    needs=("creation", "emploi"), modes=("walk", "transit"))  # fmt: skip
    return compute_radar("montpellier", person, networks=nets, actors=actors, qpv=qpv)


@pytest.fixture(scope="module")
def sunday(nets: Networks, actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> Radar:
    return _radar(nets, actors, qpv, SUNDAY)


@pytest.fixture(scope="module")
def tuesday(nets: Networks, actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> Radar:
    return _radar(nets, actors, qpv, TUESDAY)


def _entries(radar: Radar) -> list:  # type: ignore[type-arg]
    return [e for es in radar.entries.values() for e in es]


def _first(radar: Radar, state: str):  # type: ignore[no-untyped-def]
    return next(e for e in _entries(radar) if e.state == state)


def _pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())


# ---- three states ----------------------------------------------------------------------------


def test_state_in_json_and_older_json(sunday: Radar, tuesday: Radar) -> None:
    assert {e.state for e in _entries(sunday)} >= {"closed", "unknown"}
    assert "open" in {e.state for e in _entries(tuesday)}
    for e in _entries(sunday) + _entries(tuesday):
        assert (e.state == "unknown") == (e.open_on_arrival is None and e.opening_hours is None)
    d = sunday.to_dict()
    states = [e["state"] for es in d["entries"].values() for e in es]
    assert set(states) >= {"closed", "unknown"}
    assert all(e["vintage"] for es in d["entries"].values() for e in es)
    assert Radar.from_dict(json.loads(json.dumps(d))).to_dict()["entries"] == d["entries"]
    # a radar saved before the three states (no state, vintage, minutes_p90) still reloads
    for es in d["entries"].values():
        for e in es:
            for k in ("state", "vintage", "minutes_p90"):
                e.pop(k)
    old = Radar.from_dict(d)
    assert [e.state for e in _entries(old)] == [e.state for e in _entries(sunday)]


def test_map_three_states(sunday: Radar, tuesday: Radar) -> None:
    page = radar_map(sunday).get_root().render()
    for state in ("closed", "unknown"):
        assert f'data-state="{state}"' in page, state
    for words in (
        "plein : ouvert pendant vos horaires",
        "contour : fermé pendant vos horaires",
        "gris, « ? » : horaires inconnus — à vérifier",  # the legend
        "? horaires inconnus — à vérifier",
        "○ fermé pendant vos horaires",  # popups
        "à vérifier (source 2011)",
        "Ville de Montpellier — Maisons pour tous, 2025-04",
    ):
        assert html.escape(words) in page, words  # fmt: skip
    assert "ou horaires inconnus" not in page
    open_html = radar_map(tuesday).get_root().render()
    assert 'data-state="open"' in open_html and "● ouvert pendant vos horaires" in open_html
    en = radar_map(sunday, lang="en").get_root().render()
    assert "hours unknown — to be checked" in en and "to be checked (source 2011)" in en


@needs_poppler
def test_poster_three_states(sunday: Radar, tmp_path: Path) -> None:
    text = _pdf_text(radar_poster(sunday, tmp_path / "p.pdf"))
    for words in (
        "plein : ouvert pendant vos horaires",
        "contour : fermé pendant vos horaires",
        "hachuré : horaires inconnus — à vérifier",
        "à vérifier (source 2011)",
        "fermé pendant vos horaires ; prochaine ouverture",
    ):
        assert words in text, words  # fmt: skip
    assert "ou horaires inconnus" not in text
    from qpv_radar.render.labels import marker_state
    from qpv_radar.render.poster.markers import _marker_style

    unknown = _first(sunday, "unknown")
    reach = next(e for e in _entries(sunday) if e.state == "unknown" and e.within_reach)
    assert marker_state(reach) == "unknown" and unknown.state == "unknown"
    styles = {s: _marker_style("relay", s, 15, 1.0) for s in ("open", "closed", "unknown")}
    assert styles["unknown"].get("hatch") and not styles["open"].get("hatch")
    assert styles["unknown"]["facecolors"] != styles["open"]["facecolors"]


@needs_poppler
def test_card_three_states(sunday: Radar, tuesday: Radar, tmp_path: Path) -> None:
    unknown, closed, open_ = _first(sunday, "unknown"), _first(sunday, "closed"), None
    open_ = _first(tuesday, "open")
    text = _pdf_text(recommendation_card(sunday, tmp_path / "s.pdf", to=[unknown.id, closed.id]))
    assert "Horaires : inconnus — appelez avant de venir" in text
    assert "à vérifier (source" in text
    assert "fermé pendant vos horaires" in text
    assert "trajet du dimanche 14 janvier 2024" in text and "imprimé le" in text
    text = _pdf_text(recommendation_card(tuesday, tmp_path / "t.pdf", to=open_.id))
    assert "ouvert à l'arrivée" in text and "appelez avant de venir" not in text
    en = _pdf_text(recommendation_card(sunday, tmp_path / "e.pdf", to=unknown.id, lang="en"))
    assert "Opening hours: unknown — call before you come" in en


# ---- a card that adds up ---------------------------------------------------------------------

_HEAD = re.compile(r"départ (\d\d):(\d\d) → arrivée (\d\d):(\d\d), (\d+) min")
_STEP = re.compile(r"^(\d\d):(\d\d) .*?(?:attente (\d+) min|, (\d+) min|< 1 min)")


def _clock(h: str, m: str) -> int:
    return int(h) * 60 + int(m)


def test_card_adds_up_on_real_entries(
    nets: Networks, actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    seen = 0
    spreads = 0
    for home in HOMES[:2]:
        for when in (TUESDAY, datetime(2024, 1, 18, 14, 0)):
            radar = _radar(nets, actors, qpv, when, home)
            for e in {e.id: e for e in _entries(radar) if e.best_minutes is not None}.values():
                head, steps = trip_lines(e, radar)
                assert head[0] == ("mardi 16 janvier 2024" if when == TUESDAY
                                   else "jeudi 18 janvier 2024")  # fmt: skip
                h = _HEAD.search(head[1])
                assert h, head
                dep, arr, total = _clock(*h.groups()[:2]), _clock(*h.groups()[2:4]), int(h[5])
                assert arr - dep == total  # the total is arrival − departure
                mins, at = 0, dep
                for line in steps[:-1]:  # each step starts when the previous one ends
                    s = _STEP.search(line)
                    assert s, line
                    assert _clock(s[1], s[2]) == at, (line, steps)
                    took = int(s[3] or s[4] or 0)
                    mins, at = mins + took, at + took
                assert mins == total and steps[-1].startswith(f"{arr // 60:02d}:{arr % 60:02d}")
                # the total is the itinerary's own (not the window's median), to the minute
                trip = trip_of(e, radar.person.when)
                assert trip is not None and trip.total_minutes == total
                if e.legs and e.legs[0].departure and e.legs[-1].arrival:
                    exact = (e.legs[-1].arrival - e.legs[0].departure).total_seconds() / 60
                    assert exact <= total < exact + 1.001
                else:
                    assert e.best_minutes <= total < e.best_minutes + 1.001
                if e.minutes_p90 is not None:
                    assert "d'habitude" in head[2] and e.best_mode == "transit"
                    assert e.minutes_p90 >= e.best_minutes
                    spreads += 1
                seen += 1
    assert seen >= 20 and spreads >= 5, (seen, spreads)


@needs_poppler
def test_card_pdf_reads_back_the_same_numbers(tuesday: Radar, tmp_path: Path) -> None:
    e = tuesday.entry("asso2011:270")  # a tram journey: walk, wait, tram, walk
    text = _pdf_text(recommendation_card(tuesday, tmp_path / "c.pdf", to=e.id))
    head, _steps = trip_lines(e, tuesday)
    h = _HEAD.search(text)
    assert h and h[0] == _HEAD.search(head[1])[0]  # type: ignore[index]
    waits = re.findall(r"attente (\d+) min", text)
    rides = re.findall(r"\d\d:\d\d (?:à pied|tram \w+|bus \w+)[^,]*, (\d+) min", text)
    assert waits and sum(map(int, waits + rides)) == int(h[5])
    assert "d'habitude" in text and "mardi 16 janvier 2024" in text


# ---- the path, --from-relay, --choose --------------------------------------------------------


def test_structure_with_two_roles_is_one_step(tuesday: Radar, tmp_path: Path) -> None:
    door = tuesday.first_choice("entry_door")
    money = tuesday.first_choice("support_financing")
    assert door is not None and money is not None and door.id == money.id  # the BGE case
    steps = joint_steps(tuesday.path)
    creation = [st for st in steps if st.need == "creation"]
    assert [st.roles for st in creation] == [("relay",), ("entry_door", "support_financing")]
    words = f"{door.name} — porte d'entrée, accompagnement et financement"
    assert html.escape(words) in radar_map(tuesday).get_root().render()
    if shutil.which("pdftotext"):
        assert words in _pdf_text(radar_poster(tuesday, tmp_path / "p.pdf"))
    # the poster's path arrows: home → relay → door (creation), home → relay → job (emploi)
    import matplotlib
    from matplotlib.text import Annotation

    from qpv_radar.render.poster.figure import _RC, _figure

    with matplotlib.rc_context(_RC):
        fig = _figure(tuesday, "a4", "fr", "sectors")
    arrows = [a for ax in fig.axes for a in ax.texts if isinstance(a, Annotation)]
    assert len(arrows) == 4
    assert all(a.xy != a.xyann for a in arrows)  # never an arrow to itself


@needs_poppler
def test_from_relay_id_or_free_text(tuesday: Radar, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    saved = tmp_path / "r.json"
    tuesday.to_json(saved)
    relay = tuesday.entries["relay"][-1]
    card = tmp_path / "card.pdf"
    argv = ["radar", "--from-json", str(saved), "--card", str(card), "--from-relay", relay.id]
    assert main(argv) == 0
    text = _pdf_text(card)
    assert relay.name in text and relay.id not in text
    assert f"« de la part de » {relay.name} ({relay.id})" in capsys.readouterr().out
    argv[-1] = "MDH Albert Dubout"
    assert main(argv) == 0
    assert "MDH Albert Dubout" in _pdf_text(card)
    # one need: the page holds distinct cards, never two copies of one
    job = tuesday.first_choice("employment")
    assert job is not None
    recommendation_card(tuesday, card, to=[job.id, job.id])
    assert _pdf_text(card).count("Pour rencontrer") == 1  # one card on the page


def test_choose_unknown_role_lists_the_roles(
    tuesday: Radar, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "r.json"
    tuesday.to_json(saved)
    door = tuesday.first_choice("entry_door")
    assert door is not None
    assert main(["radar", "--from-json", str(saved), "--choose", f"porte={door.id}"]) == 2
    err = capsys.readouterr().err
    assert "Rôles possibles : relay, entry_door, support_financing, employment" in err
    assert "(aucun)" not in err
    argv = ["--lang", "en", "radar", "--from-json", str(saved), "--choose", f"door={door.id}"]
    assert main(argv) == 2
    assert "Possible roles: relay, entry_door, support_financing, employment" in (
        capsys.readouterr().err
    )


def test_terminal_table_states_and_sources(sunday: Radar, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    saved = tmp_path / "r.json"
    sunday.to_json(saved)
    assert main(["radar", "--from-json", str(saved)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for words in ("○ fermé", "? inconnu", "état", "source", "(source 2011)"):
        assert words in out, words
