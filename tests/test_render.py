"""Rendering a radar: the map in a real headless Chromium, the PDFs through poppler."""

from __future__ import annotations

import itertools
import math
import re
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
from qpv_radar.render.poster import PAPER_SIZES_MM as PAPER_MM
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
    assert text.count(door.name) == 1  # one structure: one card, never a copy of itself
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


# ---- layout checks: text from the PDF with its boxes (poppler) --------------------------------


def _boxes(pdf: Path, level: str = "word") -> list[tuple[str, float, float, float, float]]:
    """(text, x0, y0, x1, y1) of every word (or line) of the first page; y grows downwards."""
    import xml.etree.ElementTree as ET

    out = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ns = "{http://www.w3.org/1999/xhtml}"
    boxes = []
    for el in ET.fromstring(out).iter(f"{ns}{level}"):
        text = " ".join(w.text or "" for w in el.iter(f"{ns}word")) if level == "line" else el.text
        box = tuple(float(el.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax"))
        boxes.append((text or "", *box))
    return boxes  # type: ignore[return-value]


def _overlaps(pdf: Path) -> list[tuple[str, str]]:
    """Pairs of words whose boxes overlap (beyond the fonts' ascent/descent margins)."""
    words = _boxes(pdf)
    bad = []
    for i, (ta, ax0, ay0, ax1, ay1) in enumerate(words):
        for tb, bx0, by0, bx1, by1 in words[i + 1 :]:
            ix = min(ax1, bx1) - max(ax0, bx0)
            iy = min(ay1, by1) - max(ay0, by0)
            if ix > 0.5 and iy > 0.3 * min(ay1 - ay0, by1 - by0):
                bad.append((ta, tb))
    return bad


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def dawn_radar(actors: gpd.GeoDataFrame) -> Radar:
    """06:00, on foot, 20 minutes at most: « rien à moins de 20 min … » notices."""
    from datetime import datetime

    return _compute(
        actors, when=datetime(2024, 1, 16, 6, 0), until="07:00", modes=("walk",), max_minutes=20
    )


@pytest.fixture(scope="module")
def crowded_radar(radar: Radar) -> Radar:
    """Five roles of seven structures, long names and addresses: the key is as long as it gets."""
    from dataclasses import replace

    from qpv_radar.radar import PathStep

    pool = [e for es in radar.entries.values() for e in es]
    long = "Association intercommunale pour l'accompagnement des porteurs de projets"
    entries = {}
    roles = ("relay", "entry_door", "support_financing", "employment", "mobility")
    for k, role in enumerate(roles):
        es = []
        for i in range(7):
            e = pool[(k * 7 + i) % len(pool)]
            minutes = 4.0 + 6 * i + k
            es.append(
                replace(
                    e,
                    id=f"{role}:{i}",
                    role=role,
                    rank=i + 1,
                    name=long if i % 3 == 0 else e.name,
                    address=f"{e.address or '1 rue de la Paix, 34000 Montpellier'}, bâtiment B",
                    phone=e.phone or "04 67 00 00 00",
                    best_minutes=minutes,
                    within_reach=minutes <= 45,
                    open_within_hours=(True, False, None)[i % 3],
                )
            )
        entries[role] = tuple(es)
    path = (
        PathStep("creation", "relay", "relay:1"),
        PathStep("emploi", "employment", "employment:0"),
    )
    return replace(radar, entries=entries, path=path)


@needs_poppler
def test_poster_notices_are_whole_and_clear(dawn_radar: Radar, tmp_path: Path) -> None:
    from qpv_radar.render import labels

    assert dawn_radar.notices, "the 06:00 radar on foot has notices"
    pdf = radar_poster(dawn_radar, tmp_path / "dawn.pdf")
    text = _pdf_text(pdf)
    for notice in dawn_radar.notices:
        sentence = labels.notice_text(notice)
        assert "le plus proche" in sentence
        assert _flat(sentence) in text  # wrapped, never cut
    assert "…" not in text.split("Parcours suggéré")[-1]  # nothing shortened below the key
    assert _overlaps(pdf) == []


@needs_poppler
@pytest.mark.parametrize("which", ["radar", "crowded"])
def test_poster_key_keeps_phones_whole_and_readable(
    radar: Radar, crowded_radar: Radar, which: str, tmp_path: Path
) -> None:
    r = radar if which == "radar" else crowded_radar
    pdf = radar_poster(r, tmp_path / f"{which}.pdf")
    text = _pdf_text(pdf)
    phones = {e.phone for es in r.entries.values() for e in es if e.phone}
    assert phones
    for phone in phones:
        assert phone in text, phone  # never "04 48 18 62…"
    assert re.search(r"\d…", text) is None
    assert _overlaps(pdf) == []
    # every word of the key is at least 6.5 pt (DejaVu's box is 1.164 em high)
    words = _boxes(pdf)
    key_top = next(y1 for t, _x0, _y0, _x1, y1 in words if t == "structures")
    path_top = next(y0 for t, _x0, y0, _x1, _y1 in words if t == "Parcours")
    key_words = [w for w in words if key_top < w[2] and w[4] < path_top]
    assert len(key_words) > 50
    assert min(w[4] - w[2] for w in key_words) >= 6.5 * 1.164 - 0.05


def test_poster_key_columns_keep_entries_together(crowded_radar: Radar) -> None:
    from qpv_radar.render.poster.key import _key_columns, _Style

    roles = list(crowded_radar.roles)
    cols, _height = _key_columns(crowded_radar, roles, _Style(), 1.0, 250.0, "fr")
    assert all(cols)
    for col in cols:  # a column starts with a role heading, never with a detail line
        assert col[0].role is not None
    headings = [row.text for col in cols for row in col if row.role]
    assert sum("(suite)" in h for h in headings) <= 1
    # an entry's lines are all in one column: each entry's head ("n. name") is followed by
    # its detail line in the same column
    for col in cols:
        texts = [row for row in col if row.text]
        for i, row in enumerate(texts):
            if re.match(r"\d+\. ", row.text):
                following = texts[i + 1 : i + 4]
                assert any(r.color == "#333" for r in following), row.text


def test_poster_marker_states() -> None:
    from types import SimpleNamespace

    from qpv_radar.render.labels import marker_state
    from qpv_radar.render.poster.markers import _marker_style

    def state(reach: bool, hours: str) -> str:
        return marker_state(SimpleNamespace(within_reach=reach, state=hours))  # type: ignore[arg-type]

    assert state(True, "open") == "open"
    assert state(True, "unknown") == "unknown"  # unknown hours: drawn apart, never as open
    assert state(True, "closed") == "closed"
    assert state(False, "open") == state(False, "closed") == "beyond"  # out of reach ≠ closed
    closed = _marker_style("relay", "closed", 15, 1.0)
    beyond = _marker_style("relay", "beyond", 15, 1.0)
    open_ = _marker_style("relay", "open", 15, 1.0)
    assert beyond.get("linestyles") and not closed.get("linestyles")  # dotted vs solid
    assert closed["edgecolors"] != beyond["edgecolors"]
    assert open_["facecolors"] != "white" and closed["facecolors"] == "white"


def test_poster_wrap_never_cuts_a_phone() -> None:
    from qpv_radar.render.poster.text import _tw, _wrap

    detail = [
        "ouvert à l'arrivée (09:10)",
        "155 Rue de Bologne 34000 Montpellier",
        "04 48 18 62 18",
    ]
    for width in (90.0, 140.0, 200.0, 260.0):
        lines = _wrap(detail, 7.0, width, whole=(False, False, True))
        assert any("04 48 18 62 18" in line for line in lines), (width, lines)
        assert " ".join(lines).replace(" · ", " ") == " ".join(detail)  # nothing lost
        assert all(_tw(line, 7.0) <= width for line in lines if line != "04 48 18 62 18")


@needs_poppler
def test_poster_key_explains_closed_and_beyond(dawn_radar: Radar, tmp_path: Path) -> None:
    text = _pdf_text(radar_poster(dawn_radar, tmp_path / "dawn.pdf"))
    assert "contour : fermé pendant vos horaires" in text
    assert "pointillés, hors du cercle : au-delà de 20 min" in text
    assert "horaires inconnus" in text


def _drawn(radar: Radar, **kw: str) -> dict[str, list[tuple[float, float, float, float]]]:
    """Boxes (display units, y up) of the poster's artists by gid: the texts' extents and the
    markers' squares."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from qpv_radar.render.poster.figure import _RC, _figure

    out: dict[str, list[tuple[float, float, float, float]]] = {}
    with matplotlib.rc_context(_RC):
        fig = _figure(
            radar, kw.get("paper", "a4"), kw.get("lang", "fr"), kw.get("layout", "sectors")
        )
        FigureCanvasAgg(fig).draw()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        for ax in fig.axes:
            for t in ax.texts:
                if t.get_gid() and t.get_text().strip():
                    b = t.get_window_extent(renderer)
                    out.setdefault(t.get_gid(), []).append((b.x0, b.y0, b.x1, b.y1))
            for c in ax.collections:
                if c.get_gid() == "marker":
                    half = math.sqrt(c.get_sizes()[0]) * fig.dpi / 72 / 2
                    for x, y in c.get_offset_transform().transform(c.get_offsets()):
                        out.setdefault("marker", []).append(
                            (x - half, y - half, x + half, y + half)
                        )
        polar = next(ax for ax in fig.axes if ax.name == "polar")
        out["radar"] = [tuple(polar.get_window_extent(renderer).bounds)]  # x, y, w, h
        out["page"] = [(0.0, 0.0, fig.bbox.width, fig.bbox.height)]
    return out


def _hit(a: tuple[float, ...], b: tuple[float, ...], tol: float = 0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[1], b[1]) > tol


@pytest.mark.parametrize("layout", ["sectors", "compass"])
@pytest.mark.parametrize("which", ["radar", "crowded"])
def test_poster_markers_keep_off_labels_and_key(
    radar: Radar, crowded_radar: Radar, layout: str, which: str
) -> None:
    # the fixture is the bike radar of the audit: five relays within 4 to 7 minutes, one of
    # them used to cover the "5 min" label
    r = radar if which == "radar" else crowded_radar
    boxes = _drawn(r, layout=layout)
    assert len(boxes["ring-label"]) == 6
    assert len(boxes["marker"]) == sum(len(es) for es in r.entries.values())
    for marker in boxes["marker"]:
        for label in boxes["ring-label"] + boxes["sector-label"]:
            assert not _hit(marker, label), "a marker covers a label"
        for text in boxes["key"] + boxes["notes"]:
            assert not _hit(marker, text)
    for label in boxes["sector-label"]:  # sector labels never fall into the key
        for text in boxes["key"] + boxes["notes"]:
            assert not _hit(label, text)
        assert label[0] >= 0 and label[2] <= boxes["page"][0][2]


@needs_poppler
def test_poster_sector_labels_stay_out_of_the_key(actors: gpd.GeoDataFrame, tmp_path: Path) -> None:
    # three roles: the "Porte d'entrée création" sector label sits right below the radar
    r = _compute(actors, needs=("creation",))
    pdf = radar_poster(r, tmp_path / "three.pdf")
    lines = _boxes(pdf, "line")
    key_top = next(y0 for t, _x0, y0, _x1, _y1 in lines if t.startswith("Les structures"))
    label = [b for b in lines if "Porte d'entrée création" in b[0] and b[2] < key_top]
    assert label, "the sector label is above the key"
    assert _overlaps(pdf) == []


@needs_poppler
def test_poster_a3_uses_its_room(radar: Radar, tmp_path: Path) -> None:
    share, key_size = {}, {}
    for paper in ("a4", "a3"):
        drawn = _drawn(radar, paper=paper)
        share[paper] = drawn["radar"][0][3] / drawn["page"][0][3]  # radar height / page height
        pdf = radar_poster(radar, tmp_path / f"{paper}.pdf", paper=paper)
        lines = _boxes(pdf, "line")
        page_pt = PAPER_MM[paper][1] * 72 / 25.4
        # no empty band: below the radar, no gap between lines taller than 6 % of the page
        key_top = next(b[2] for b in lines if b[0].startswith("Les structures"))
        ys = sorted((b[2], b[4]) for b in lines if b[2] >= key_top)
        gaps = [b[0] - a[1] for a, b in itertools.pairwise(ys)]
        assert max(gaps) < 0.06 * page_pt, (paper, max(gaps) / page_pt)
        assert _overlaps(pdf) == []
        words = _boxes(pdf)
        key_size[paper] = max(w[4] - w[2] for w in words if w[0] == "Maison")
        if paper == "a3":  # more key lines: the opening hours
            assert "lun–jeu 09:00–12:30" in _pdf_text(pdf)
    # not the A4 page scaled up: a larger share for the radar, larger text than A4's
    assert share["a3"] > share["a4"]
    assert key_size["a3"] > 1.2 * key_size["a4"]


@needs_poppler
@pytest.mark.parametrize("paper", ["a4", "a3"])
def test_poster_crowded_fits_without_overlap(
    crowded_radar: Radar, tmp_path: Path, paper: str
) -> None:
    for layout in ("sectors", "compass"):
        pdf = radar_poster(crowded_radar, tmp_path / f"c_{layout}.pdf", paper=paper, layout=layout)
        assert _overlaps(pdf) == []
        text = _pdf_text(pdf)
        for phone in {e.phone for es in crowded_radar.entries.values() for e in es if e.phone}:
            assert phone in text


# ---- cards -----------------------------------------------------------------------------------


@needs_poppler
def test_card_default_two_roles_and_blanks_to_fill(radar: Radar, tmp_path: Path) -> None:
    door = radar.first_choice("entry_door")
    job = radar.first_choice("employment")
    assert door is not None and job is not None and door.id != job.id
    assert not door.address and not door.phone and not door.opening_hours  # Chambre de Commerce
    text = _pdf_text(recommendation_card(radar, tmp_path / "card.pdf"))
    assert text.count(door.name) == 1 and text.count(job.name) == 1  # two different cards
    for words in (
        "adresse non renseignée — à compléter",
        "téléphone non renseigné — à compléter",
        "horaires non renseignés — à compléter",
    ):
        assert words in text, words
    assert text.count("Conseiller·ère :") == 2  # no agent: a blank line on each card
    en = _pdf_text(recommendation_card(radar, tmp_path / "en.pdf", lang="en", agent="Sam"))
    assert "address not given — to be filled in" in en and "Adviser: Sam" in en


def test_card_default_single_need(actors: gpd.GeoDataFrame, tmp_path: Path) -> None:
    from qpv_radar.render.card import _default_ids

    r = _compute(actors, needs=("emploi",))
    job = r.first_choice("employment")
    assert job is not None
    assert _default_ids(r, 2) == [job.id]  # one structure: one card (no copy of it)
    r2 = _compute(actors, needs=("creation",))
    ids = _default_ids(r2, 2)
    assert len(ids) == 2 and ids[0] != ids[1]


# ---- map: co-located markers, hours, legend --------------------------------------------------


@needs_browser
def test_map_colocated_markers_hours_and_legend(
    radar: Radar, browser: Browser, tmp_path: Path
) -> None:
    from qpv_radar.render.map import _fan_out

    offsets = _fan_out(radar)
    ids = {k[1] for k in offsets}
    assert {"fs:2393", "mpt:georges-brassens"} <= ids  # one building, two structures
    html = tmp_path / "radar.html"
    radar_map(radar).save(str(html))
    browser.open(html.as_uri())
    assert browser.errors() == []
    boxes = browser.eval(
        """(() => { const out = {};
          for (const el of document.querySelectorAll('.qpv-marker:not(.qpv-home)')) {
            const role = [...el.classList].find(c => c.startsWith('qpv-role-')).slice(9);
            const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            (out[role] = out[role] || []).push([x, y, !!hit && el.contains(hit)]);
          }
          return out; })()"""
    )
    where = {
        (role, e.id): boxes[role][i] for role, es in radar.entries.items() for i, e in enumerate(es)
    }
    fanned = [k for k in where if k in offsets]
    assert len(fanned) >= 2
    for a, b in itertools.combinations(fanned, 2):
        ea, eb = radar.entry(a[1], a[0]), radar.entry(b[1], b[0])
        if abs(ea.lat - eb.lat) < 3e-4 and abs(ea.lon - eb.lon) < 4e-4:
            (xa, ya, _), (xb, yb, _) = where[a], where[b]
            assert math.hypot(xa - xb, ya - yb) >= 24, (a, b)  # both visible
    for key in fanned:
        if -10 < where[key][0] < 1200 and -10 < where[key][1] < 850:
            assert where[key][2], key  # and clickable: the marker is on top at its centre
    # hours in French, not OSM's English abbreviations
    popups = browser.eval(
        """(() => { const out = [];
          for (const k of Object.keys(window)) {
            const m = window[k];
            if (k.startsWith('marker_') && m && m.getPopup && m.getPopup()) {
              m.openPopup(); out.push(m.getPopup().getElement().textContent); m.closePopup();
            }
          }
          return out.join('\\n'); })()"""
    )
    assert "lun–jeu 09:00–12:30, 14:00–19:00 ; ven 09:00–12:30" in popups
    assert "Mo-Th" not in popups and "Mo,Tu" not in popups
    # the legend ends above the scale bar
    legend = browser.eval("document.getElementById('qpv-legend').getBoundingClientRect().bottom")
    scale = browser.eval(
        "document.querySelector('.leaflet-control-scale').getBoundingClientRect().top"
    )
    assert legend <= scale
    legend_text = browser.eval("document.getElementById('qpv-legend').textContent")
    assert "fermé pendant vos horaires" in legend_text and "au-delà de 45 min" in legend_text


def test_map_hours_in_english(radar: Radar) -> None:
    html = radar_map(radar, lang="en").get_root().render()
    assert "Mon–Thu 09:00–12:30, 14:00–19:00; Fri 09:00–12:30" in html
    assert "Mo-Th" not in html


# ---- English: the QPV caveat ------------------------------------------------------------------


@needs_poppler
def test_english_outputs_translate_the_qpv_note(radar: Radar, tmp_path: Path) -> None:
    from dataclasses import replace

    from qpv_radar.render import labels

    assert radar.qpv_note.startswith("Périmètres QPV 2015")
    en = labels.qpv_note(radar, "en")
    assert en.startswith("QPV perimeters of 2015") and "Vert-Bois" in en
    assert labels.qpv_note(radar, "fr") == radar.qpv_note
    text = _pdf_text(radar_poster(radar, tmp_path / "en.pdf", lang="en"))
    assert en in text and "Périmètres QPV" not in text
    assert "© OpenStreetMap contributors" in text
    html = radar_map(radar, lang="en").get_root().render()
    assert "QPV perimeters of 2015" in html and "Périmètres QPV" not in html
    # a radar of an unknown territory keeps its own (French) note rather than none
    other = replace(radar, territory="nowhere", qpv_note="Note locale.")
    assert labels.qpv_note(other, "en") == "Note locale."


def test_humane_hours_days() -> None:
    assert humane_hours("Mo-Th 09:00-12:30,14:00-19:00; Fr 09:00-12:00") == (
        "lun–jeu 09:00–12:30, 14:00–19:00 ; ven 09:00–12:00"
    )
    assert humane_hours("Mo-Th 09:00-12:30", "en") == "Mon–Thu 09:00–12:30"
    assert humane_hours("Mo,Tu 09:00-12:30; PH off", "en") == (
        "Mon, Tue 09:00–12:30; public holidays closed"
    )


def test_poster_names_who_gives_it(radar: Radar, tmp_path: Path) -> None:
    pdf = radar_poster(radar, tmp_path / "p.pdf", agent="Samia B.", relay="MPT Léo Lagrange")
    assert "Remis par Samia B. — MPT Léo Lagrange" in _pdf_text(pdf)
    en = radar_poster(radar, tmp_path / "en.pdf", lang="en", agent="Samia B.")
    assert "Given by Samia B." in _pdf_text(en)
    assert "Remis par" not in _pdf_text(radar_poster(radar, tmp_path / "none.pdf"))
