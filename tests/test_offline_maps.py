"""The maps work offline: opened in headless Chromium with EVERY network request refused.

Nothing is served to the page (no Leaflet copy, no tile): the radar map and the coverage map
must still show their markers, polygons, legend and slot switcher, with the Leaflet shipped in
the package inlined into the HTML. The only requests the page may make are background tiles.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import planner_data as pdat
import pytest
from _browser import CHROMIUM, Browser
from _radar_data import person, real_actors, real_qpv

from qpv_radar import analysis
from qpv_radar.radar import compute_radar
from qpv_radar.render.map import radar_map
from qpv_radar.render.planner_map import coverage_map

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium missing: run .ci/system-deps")
TILES = "tile.openstreetmap.org"


class OfflineBrowser(Browser):
    """A browser whose every http(s) request fails (nothing is served, not even Leaflet)."""

    def _serve(self, p: dict[str, Any]) -> None:
        self.blocked.append(p["request"]["url"])
        self._id += 1
        self.ws.send(
            json.dumps(
                {
                    "id": self._id,
                    "sessionId": self.session,
                    "method": "Fetch.failRequest",
                    "params": {"requestId": p["requestId"], "errorReason": "InternetDisconnected"},
                }
            )
        )


@pytest.fixture(scope="module")
def browser() -> OfflineBrowser:
    b = OfflineBrowser()
    yield b  # type: ignore[misc]
    b.close()


def _no_remote_assets(html: str) -> None:
    """No script, stylesheet or image is loaded from the network by the page's markup."""
    remote = re.findall(r"<(?:script|link|img)\b[^>]*(?:src|href)\s*=\s*[\"']?https?:", html)
    assert remote == []
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    loaded = {u for u in urls if re.search(r"\.(js|css|png|woff2?|ttf)(\?|$)", u)}
    assert loaded <= {u for u in loaded if TILES in u}, loaded


def _page_errors(browser: Browser) -> list[str]:
    """Errors other than the refused background tiles."""
    return [e for e in browser.errors() if "Failed to load resource" not in e]


def test_radar_map_offline(browser: OfflineBrowser, tmp_path: Path) -> None:
    radar = compute_radar("montpellier", person(), actors=real_actors(), qpv=real_qpv())
    out = tmp_path / "radar.html"
    radar_map(radar).save(str(out))
    _no_remote_assets(out.read_text(encoding="utf-8"))
    browser.open(out.as_uri())
    assert all(TILES in u for u in browser.blocked), browser.blocked
    assert _page_errors(browser) == []
    assert browser.eval("typeof L === 'object' && L.version") == "1.9.4"
    n_entries = sum(len(es) for es in radar.entries.values())
    assert n_entries > 0
    assert browser.eval("document.querySelectorAll('.qpv-marker').length") == n_entries + 1
    assert browser.eval("document.querySelectorAll('path.qpv-ring').length") == len(radar.rings)
    assert browser.eval("document.querySelectorAll('path.qpv-home-qpv').length") == 1
    # the layer control (one checkbox per layer) and its stylesheet are there
    boxes = "document.querySelectorAll('.leaflet-control-layers input[type=checkbox]').length"
    assert browser.eval(boxes) >= len(radar.roles)
    position = "getComputedStyle(document.querySelector('.leaflet-control-zoom')).position"
    assert browser.eval(position) == "relative"  # leaflet.css applied
    assert "Légende" in browser.eval("document.getElementById('qpv-legend').textContent")


@pytest.fixture(scope="module")
def gaps() -> gpd.GeoDataFrame:
    qpv = pdat.montpellier_qpv()
    relays = pdat.montpellier_relays()
    origins = analysis.origin_points(qpv, pdat.street_nodes())
    tt = pdat.walk_times(origins, relays)
    closed = pd.DataFrame(False, index=list(relays.index), columns=range(61), dtype="boolean")
    table = analysis.rank_gaps(
        analysis.coverage_gaps(
            {"weekday-09:00": tt, "sunday-10:00": tt, "saturday-14:00": tt},
            origins,
            relays,
            minutes=15,
            open_tables={"sunday-10:00": closed},
        )
    )
    perim = qpv[["code_qp", "nom_qp", "geometry"]].reset_index(drop=True)
    return gpd.GeoDataFrame(table.merge(perim, on="code_qp"), geometry="geometry", crs=4326)


def test_coverage_map_offline(
    gaps: gpd.GeoDataFrame, browser: OfflineBrowser, tmp_path: Path
) -> None:
    out = tmp_path / "coverage.html"
    coverage_map(gaps, minutes=15, title="Relais").save(out)
    _no_remote_assets(out.read_text(encoding="utf-8"))
    browser.open(out.as_uri())
    assert all(TILES in u for u in browser.blocked), browser.blocked
    assert _page_errors(browser) == []
    radios = "document.querySelectorAll('.leaflet-control-layers input[type=radio]')"
    assert browser.eval(f"{radios}.length") == 3  # the slot switcher: one radio per slot
    n_qpv = gaps["code_qp"].nunique()
    polygons = "document.querySelectorAll('path.leaflet-interactive').length"
    assert browser.eval(polygons) == n_qpv  # one slot shown at a time
    # switching slot swaps the perimeters
    browser.eval(f"{radios}[1].click()")
    browser.pump(0.3)
    assert browser.eval(polygons) == n_qpv
    label = f"{radios}[1].parentElement.textContent"
    assert browser.eval(f"{radios}[1].checked") is True and browser.eval(label).strip()
    assert "%" in browser.eval("document.querySelector('.qpv-legend').textContent")
