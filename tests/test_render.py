"""Rendering a radar: the map in a real headless Chromium, the PDFs through poppler."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest
from _browser import CHROMIUM, LEAFLET_DIR, Browser
from _radar_data import person, real_actors, real_qpv

from qpv_radar import PersonError
from qpv_radar.radar import Radar, compute_radar
from qpv_radar.render.card import humane_hours, recommendation_card
from qpv_radar.render.map import radar_map
from qpv_radar.render.poster import radar_poster

EVIL = "<img src=x onerror=alert(1)>"
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or not (LEAFLET_DIR / "leaflet.js").exists(),
    reason="chromium/libjs-leaflet missing: run .ci/system-deps",
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils missing: run .ci/system-deps"
)


@pytest.fixture(scope="module")
def actors() -> gpd.GeoDataFrame:
    return real_actors()


def _compute(actors: gpd.GeoDataFrame, **kw: object) -> Radar:
    return compute_radar("montpellier", person(**kw), actors=actors, qpv=real_qpv())


@pytest.fixture(scope="module")
def radar(actors: gpd.GeoDataFrame) -> Radar:
    return _compute(actors)


@pytest.fixture(scope="module")
def evil_radar(actors: gpd.GeoDataFrame) -> Radar:
    """The same radar where the nearest relay's name (and address) is an HTML payload."""
    a = actors.copy()
    r = _compute(a)
    first = r.entries["relay"][0].id
    a.loc[first, "name"] = EVIL
    a.loc[first, "address"] = "`${alert(2)}`</script><script>alert(3)</script>"
    return _compute(a)


@pytest.fixture(scope="module")
def browser() -> Browser:
    b = Browser()
    yield b  # type: ignore[misc]
    b.close()


# ---- map -------------------------------------------------------------------------------------


@needs_browser
def test_map_in_chromium(radar: Radar, browser: Browser, tmp_path: Path) -> None:
    html = tmp_path / "radar.html"
    radar_map(radar).save(str(html))
    browser.open(html.as_uri())
    assert browser.errors() == []
    assert browser.blocked == []  # only Leaflet and tiles were asked for
    n_entries = sum(len(es) for es in radar.entries.values())
    assert browser.eval("document.querySelectorAll('.qpv-marker').length") == n_entries + 1
    for role, es in radar.entries.items():
        sel = f"document.querySelectorAll('.qpv-role-{role}').length"
        assert browser.eval(sel) == len(es)
    assert browser.eval("document.querySelectorAll('path.qpv-ring').length") == len(radar.rings)
    assert browser.eval("document.querySelectorAll('path.qpv-route').length") == len(radar.roles)
    assert browser.eval("document.querySelectorAll('path.qpv-home-qpv').length") == 1
    legend = browser.eval("document.getElementById('qpv-legend').textContent")
    for word in ("Légende", "Relais de proximité", "Parcours suggéré", "OpenStreetMap"):
        assert word in legend
    # the print stylesheet hides the controls on paper
    browser.page("Emulation.setEmulatedMedia", media="print")
    hidden = browser.eval(
        "getComputedStyle(document.querySelector('.leaflet-control-zoom')).display"
    )
    browser.page("Emulation.setEmulatedMedia", media="")
    assert hidden == "none"
    shot = tmp_path / "radar.png"
    browser.screenshot(shot)
    assert shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_browser
def test_map_escapes_untrusted_text(evil_radar: Radar, browser: Browser, tmp_path: Path) -> None:
    html = tmp_path / "evil.html"
    radar_map(evil_radar).save(str(html))
    browser.open(html.as_uri())
    texts = browser.eval(
        """(() => {
          const out = [];
          for (const k of Object.keys(window)) {
            const m = window[k];
            if (k.startsWith('marker_') && m && m.getPopup && m.getPopup()) {
              m.openPopup();
              out.push(m.getPopup().getElement().textContent);
              m.closePopup();
              m.openTooltip();
              out.push(m.getTooltip().getElement().textContent);
            }
          }
          return out;
        })()"""
    )
    browser.pump(1.0)  # give any injected handler time to run
    assert any(EVIL in t for t in texts), "the payload is shown as text"
    assert any("alert(3)</script>" in t for t in texts)
    assert browser.eval("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert browser.eval("window.__alerts") == []
    assert browser.dialogs() == []
    assert browser.errors() == []


def test_map_english_and_home_blurred(radar: Radar, tmp_path: Path) -> None:
    html = radar_map(radar, lang="en").get_root().render()
    assert "Local relay" in html and "Suggested path" in html
    assert "Relais de proximité" not in html
    p = radar.person
    home = (f"{p.lat}, {p.lon}", f"{p.lon}, {p.lat}")
    assert not any(h in html for h in home)  # the exact home is never written by default
    exact = radar_map(radar, exact_home=True).get_root().render()
    assert any(h in exact for h in home)


def test_map_draws_on_an_existing_map(radar: Radar) -> None:
    import folium

    m = folium.Map(location=[43.6, 3.87], zoom_start=12)
    assert radar_map(radar, m) is m
    assert "qpv-marker" in m.get_root().render()


# ---- PDFs ------------------------------------------------------------------------------------


def _pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())  # reading order, lines joined


def _png_pages(pdf: Path, dpi: int = 50) -> list[Path]:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return sorted(pdf.parent.glob(f"{prefix.name}-*.png"))


def _png_size(png: Path) -> tuple[int, int]:
    data = png.read_bytes()
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@needs_poppler
@pytest.mark.parametrize(("paper", "mm"), [("a4", (210, 297)), ("a3", (297, 420))])
def test_poster_pdf(radar: Radar, tmp_path: Path, paper: str, mm: tuple[int, int]) -> None:
    pdf = radar_poster(radar, tmp_path / f"poster_{paper}.pdf", paper=paper)
    [png] = _png_pages(pdf)
    w, h = _png_size(png)
    assert w == pytest.approx(mm[0] / 25.4 * 50, abs=1.5)
    assert h == pytest.approx(mm[1] / 25.4 * 50, abs=1.5)
    text = _pdf_text(pdf)
    for word in (
        "Mon radar de l'accompagnement",
        "Relais de proximité",
        "Porte d'entrée création",
        "Parcours suggéré",
        "Mosson",
        "mardi 16 janvier 2024 de 09:00 à 12:00",
        "OpenStreetMap",
        "45 min",
    ):
        assert word in text, word
    for es in radar.entries.values():
        for e in es:
            assert e.name[:30] in text, e.name


@needs_poppler
def test_poster_english_and_bad_paper(radar: Radar, tmp_path: Path) -> None:
    text = _pdf_text(radar_poster(radar, tmp_path / "en.pdf", lang="en"))
    assert "My support radar" in text and "Local relay" in text
    with pytest.raises(PersonError, match="paper"):
        radar_poster(radar, tmp_path / "x.pdf", paper="letter")
    with pytest.raises(PersonError, match="layout"):
        radar_poster(radar, tmp_path / "x.pdf", layout="spiral")


@needs_poppler
def test_poster_compass_layout(radar: Radar, tmp_path: Path) -> None:
    text = _pdf_text(radar_poster(radar, tmp_path / "compass.pdf", layout="compass"))
    assert "dans sa direction depuis chez vous (nord en haut)" in text
    assert "Relais de proximité" in text  # the key still groups by role
    for es in radar.entries.values():
        for e in es:
            assert e.name[:30] in text


@needs_poppler
def test_card_two_per_a4(radar: Radar, tmp_path: Path) -> None:
    door = radar.first_choice("entry_door")
    assert door is not None
    pdf = recommendation_card(
        radar, tmp_path / "card.pdf", to=door.id, agent="Samia B.", note="Projet de traiteur"
    )
    [png] = _png_pages(pdf)
    w, h = _png_size(png)
    assert (w, h) == (
        pytest.approx(210 / 25.4 * 50, abs=1.5),
        pytest.approx(297 / 25.4 * 50, abs=1.5),
    )
    text = _pdf_text(pdf)
    relay = radar.first_choice("relay")
    assert relay is not None
    assert text.count(door.name) == 2  # two cards per page
    for word in (
        "CARTE DE RECOMMANDATION",
        "De la part de",
        relay.name,
        "Samia B.",
        "Comment y aller",
        "Projet de traiteur",
        "on se sent plus fort",
    ):
        assert word in text, word


@needs_poppler
def test_card_a6_one_per_page(radar: Radar, tmp_path: Path) -> None:
    ids = [radar.entries["employment"][0].id, radar.entries["support_financing"][0].id]
    pdf = recommendation_card(radar, tmp_path / "a6.pdf", to=ids, paper="a6", lang="en")
    pages = _png_pages(pdf)
    assert len(pages) == 2
    w, h = _png_size(pages[0])
    assert w == pytest.approx(148 / 25.4 * 50, abs=1.5)
    assert h == pytest.approx(105 / 25.4 * 50, abs=1.5)
    assert "RECOMMENDATION CARD" in _pdf_text(pdf)


def test_card_unknown_structure(radar: Radar, tmp_path: Path) -> None:
    with pytest.raises(PersonError, match="not on this radar"):
        recommendation_card(radar, tmp_path / "x.pdf", to="nope:1")


def test_unknown_language(radar: Radar, tmp_path: Path) -> None:
    from qpv_radar._errors import LanguageError

    with pytest.raises(LanguageError, match="'de'"):
        radar_map(radar, lang="de")
    with pytest.raises(LanguageError):
        radar_poster(radar, tmp_path / "x.pdf", lang="de")


def test_humane_hours() -> None:
    assert humane_hours("Mo-Fr 09:00-12:00,14:00-17:00; Sa off") == (
        "lun–ven 09:00–12:00, 14:00–17:00 ; sam fermé"
    )
    assert humane_hours(None, "en") == "hours unknown"
