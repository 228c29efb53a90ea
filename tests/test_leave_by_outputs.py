"""Issue 16: the latest departure (« partez au plus tard à 8 h 21 ») on the agents' web page,
the radar map and the poster — one real radar of Mosson with a 9:00 appointment, computed by
the real server on a loopback port and drawn by the real renderers."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_server import MOSSON, TUESDAY, call, error_of

from qpv_radar.radar import Radar
from qpv_radar.server import TerritoryData, create_app
from qpv_radar.server.run import Running, start

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    directory = tmp_path_factory.mktemp("directory") / "montpellier.csv"
    running = start(create_app(TerritoryData.load("montpellier", directory)))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def answer(server: Running) -> dict[str, Any]:
    body = {"home": MOSSON, "needs": ["creation"], "modes": ["walk", "transit"],
            **TUESDAY, "from": "06:00", "arrive_by": "09:00"}  # fmt: skip
    status, _, raw = call(server.url, "/api/radar", body)
    assert status == 200, raw[:300]
    return dict(json.loads(raw))


@pytest.fixture(scope="module")
def radar(answer: dict[str, Any]) -> Radar:
    return Radar.from_json(json.dumps(answer["radar"]))


def _clock(iso: str) -> str:
    hh, mm = iso[11:13], iso[14:16]
    return f"{int(hh)}{NBSP}h{NBSP}{mm}"


def test_api_accepts_arrive_by_and_lists_the_latest_departure(
    server: Running, answer: dict[str, Any]
) -> None:
    assert answer["radar"]["person"]["arrive_by"] == "2024-01-16T09:00:00"
    view = answer["view"]
    assert (
        view["appointment"]
        == f"classement : par heure de départ au plus tard (arriver avant 9{NBSP}h{NBSP}00)"
    )
    entries = [e for r in view["roles"] for e in r["entries"]]
    assert entries
    for e in entries:
        assert e["leave_by"] is not None and e["leave_by"] < "2024-01-16T09:00:00"
        assert e["leave_text"] == f"partir avant {_clock(e['leave_by'])}"
    # without an appointment: no « partir avant »; a bad time is a clear 400
    status, _, raw = call(server.url, "/api/radar", {"home": MOSSON, **TUESDAY, "k": 1})
    assert status == 200
    plain = json.loads(raw)["view"]
    assert plain["appointment"] == ""
    assert all(e["leave_text"] == "" for r in plain["roles"] for e in r["entries"])
    status, _, raw = call(server.url, "/api/radar", {"home": MOSSON, **TUESDAY, "arrive_by": "9h"})
    assert status == 400 and "9h" in error_of(raw)


def test_page_has_the_arrive_by_field(server: Running) -> None:
    status, _, raw = call(server.url, "/")
    page = raw.decode()
    assert status == 200 and 'id="arrive_by"' in page and "arriver avant" in page


def test_map_popup_and_legend_say_when_to_leave(radar: Radar) -> None:
    from qpv_radar.render.map import radar_map

    html = radar_map(radar).get_root().render()
    legend = html[html.index('<div id="qpv-legend">') :]
    for es in radar.entries.values():
        for e in es:
            assert e.leave_by is not None
            leave = f"partez au plus tard à {_clock(e.leave_by.isoformat())} de chez vous"
            assert f'<b class=\\"leave-by\\">{leave}' in html  # its popup
            if any(s.entry_id == e.id for s in radar.path):
                assert f"{e.name} : {leave} pour arriver avant 9{NBSP}h{NBSP}00" in legend
    assert '<b class=\\"leave-by\\">' in html and '<div class="leave-by">' in html
    assert "classement : par heure de départ au plus tard" in html
    en = radar_map(radar, lang="en").get_root().render()
    assert "leave home at " in en and "ranked by the latest departure" in en


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_poster_key_and_header_say_when_to_leave(radar: Radar, tmp_path: Path) -> None:
    from qpv_radar.render.poster import radar_poster

    pdf = tmp_path / "radar.pdf"
    radar_poster(radar, pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout.replace(NBSP, " ")  # fmt: skip
    text = " ".join(text.split())
    assert "par heure de départ au plus tard (arriver avant 9 h 00)" in text
    for es in radar.entries.values():
        for e in es:
            assert e.leave_by is not None
            assert f"partir avant {_clock(e.leave_by.isoformat())}".replace(NBSP, " ") in text
