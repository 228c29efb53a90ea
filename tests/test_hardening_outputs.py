"""Issue 12, outputs: nothing the user has is lost, data text is never code, the CLI never shows
a bare traceback. One test (at least) per class of problem, on the real Montpellier data."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from _browser import CHROMIUM, LEAFLET_DIR, Browser
from _radar_data import MOSSON, person, real_actors, real_qpv

from qpv_radar._errors import ExportError
from qpv_radar._outputs import atomic_write, check_outputs, clean_terminal
from qpv_radar.cli import main as cli_main
from qpv_radar.export import write_table
from qpv_radar.radar import Radar, compute_radar
from qpv_radar.render.poster import radar_poster
from qpv_radar.render.poster.text import _cmap, _font_file, print_text

LONLAT = f"{MOSSON[0]},{MOSSON[1]}"
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or not (LEAFLET_DIR / "leaflet.js").exists(), reason="chromium missing"
)
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")


@pytest.fixture(scope="module")
def actors() -> gpd.GeoDataFrame:
    return real_actors()


@pytest.fixture(scope="module")
def radar(actors: gpd.GeoDataFrame) -> Radar:
    return compute_radar("montpellier", person(), actors=actors, qpv=real_qpv())


def _renamed(radar: Radar, names: list[str], tmp_path: Path) -> Radar:
    """The radar with its first entries renamed (through its JSON, as a user's file would)."""
    d = radar.to_dict()
    k = 0
    for entries in d["entries"].values():
        for e in entries:
            e["name"] = names[k % len(names)]
            k += 1
    path = tmp_path / "renamed.json"
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return Radar.from_json(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli_main.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _pdftext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


# ---- outputs that would overwrite an input, or cannot be written -----------------------------


def test_radar_json_onto_the_territory_file_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from importlib import resources

    toml = tmp_path / "t.toml"
    toml.write_text(resources.files("qpv_radar._data").joinpath("montpellier.toml").read_text())
    before = toml.read_bytes()
    t0 = time.perf_counter()
    status, _, err = _run(
        capsys, "radar", "--territory", str(toml), "--lonlat", LONLAT, "--json", str(toml)
    )
    assert status == 2
    assert "--json" in err and "--territory" in err and str(toml) in err
    assert "Traceback" not in err
    assert toml.read_bytes() == before
    assert time.perf_counter() - t0 < 5  # refused before computing


def test_permanences_out_onto_the_candidates_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cand = tmp_path / "c.csv"
    cand.write_text("id,name,lon,lat\nmpt,Maison pour tous,3.8200,43.6321\n", encoding="utf-8")
    before = cand.read_bytes()
    status, _, err = _run(capsys, "permanences", "--candidates", str(cand), "--out", str(cand))
    assert status == 2
    assert "--out" in err and "--candidates" in err
    assert cand.read_bytes() == before


def test_two_outputs_on_one_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as exc:
        check_outputs({"--pdf": tmp_path / "a.pdf", "--card": tmp_path / "a.pdf"})
    assert "--pdf" in exc.value.message("en") and "--card" in exc.value.message("en")


def test_a_gtfs_file_of_the_territory_is_an_input(tmp_path: Path) -> None:
    from qpv_radar._outputs import territory_inputs
    from qpv_radar.territory import load_territory

    terr = load_territory("montpellier")
    zips = sorted(Path(os.environ["QPV_RADAR_MIRROR"]).rglob("*.zip"))
    if not zips:
        pytest.skip("no GTFS zip in the mirror")
    toml = tmp_path / "t.toml"
    toml.write_text(f'name = "t"\n[[gtfs]]\nsource = "{zips[0]}"\n', encoding="utf-8")
    # the helper reads any object with the territory's attributes
    fake = type("T", (), {"path": toml, "gtfs": (terr.gtfs[0].__class__(str(zips[0])),)})()
    inputs = territory_inputs(fake)
    assert inputs["gtfs"] == zips[0] and inputs["--territory"] == toml
    with pytest.raises(ExportError) as exc:
        check_outputs({"--html": zips[0]}, inputs)
    assert "gtfs" in exc.value.message("fr") and "--html" in exc.value.message("fr")


@pytest.mark.parametrize("case", ["missing", "read_only", "directory"])
def test_unwritable_outputs_are_refused_before_computing(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if case == "missing":
        out = tmp_path / "no" / "such" / "radar.html"
    elif case == "directory":
        out = tmp_path / "adir"
        out.mkdir()
    elif os.geteuid() == 0:  # root writes in a 0o555 folder: use a read-only file system
        out = Path("/sys/fs/radar.html")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        out = ro / "radar.html"
    t0 = time.perf_counter()
    status, _, err = _run(capsys, "radar", "--lonlat", LONLAT, "--html", str(out))
    assert status == 2, err
    assert str(out) in err and "Traceback" not in err
    assert {"missing": "n'existe pas", "read_only": "impossible d'écrire", "directory": "dossier"}[
        case
    ] in err
    assert time.perf_counter() - t0 < 5


def test_missing_print_extra_is_named_before_computing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "reportlab", None)  # not importable, as when not installed
    t0 = time.perf_counter()
    status, _, err = _run(capsys, "radar", "--lonlat", LONLAT, "--card", str(tmp_path / "card.pdf"))
    assert status == 2
    assert "pip install 'qpv-radar[print]'" in err and "reportlab" in err
    assert time.perf_counter() - t0 < 5


# ---- atomic writes ----------------------------------------------------------------------------


def test_a_poster_failing_half_way_leaves_the_previous_pdf(
    radar: Radar, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pdf = tmp_path / "radar.pdf"
    radar_poster(radar, pdf)
    before = pdf.read_bytes()
    from matplotlib.figure import Figure

    real_savefig = Figure.savefig

    def half_then_disk_full(self: Figure, fname: Any, **kw: Any) -> None:
        real_savefig(self, fname, **kw)
        with open(fname, "r+b") as fh:  # half the file written, then the disk is full
            fh.truncate(Path(fname).stat().st_size // 2)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", half_then_disk_full)
    with pytest.raises(ExportError) as exc:
        radar_poster(_renamed(radar, ["Autre nom"], tmp_path), pdf)
    assert "No space left" in exc.value.message("en")
    assert pdf.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["radar.pdf", "renamed.json"]


def test_atomic_write_keeps_the_old_file_on_any_error(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    target.chmod(0o640)

    def boom(tmp: Path) -> None:
        tmp.write_text("half")
        raise ValueError("writer failed")

    with pytest.raises(ValueError, match="writer failed"):
        atomic_write(target, boom)
    assert target.read_text() == "old\n" and list(tmp_path.iterdir()) == [target]
    atomic_write(target, lambda tmp: tmp.write_text("new\n"))
    assert target.read_text() == "new\n" and target.stat().st_mode & 0o777 == 0o640


# ---- data text in outputs ---------------------------------------------------------------------

HOSTILE = [
    "<script>alert('name')</script>",
    '" onmouseover="alert(1)" x="',
    "<img src=x onerror=alert(2)>",
]


@needs_browser
def test_hostile_radar_json_redrawn_runs_no_script(
    radar: Radar, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    d = radar.to_dict()
    for entries in d["entries"].values():
        for k, e in enumerate(entries):
            e["name"] = HOSTILE[k % len(HOSTILE)]
            e["address"] = "</script><script>alert(3)</script>"
    d["home_qpv_name"] = "<svg onload=alert(4)>"
    src = tmp_path / "evil.json"
    src.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    html = tmp_path / "evil.html"
    status, _, err = _run(capsys, "radar", "--from-json", str(src), "--html", str(html))
    assert status == 0, err
    page = html.read_text(encoding="utf-8")
    for payload in (*HOSTILE, "<svg onload=alert(4)>", "<script>alert(3)"):
        assert payload not in page  # never as markup in the file
    b = Browser()
    try:
        b.open(html.as_uri())
        texts = b.eval(
            """(() => { const out = [document.body.textContent];
              for (const k of Object.keys(window)) { const m = window[k];
                if (k.startsWith('marker_') && m && m.getPopup && m.getPopup()) {
                  m.openPopup(); out.push(m.getPopup().getElement().textContent); m.closePopup();
                  m.openTooltip(); out.push(m.getTooltip().getElement().textContent); } }
              return out; })()"""
        )
        for el in ("img[src=x]", "svg[onload]", "[onmouseover]"):
            assert b.eval(f"document.querySelectorAll('{el}').length") == 0
        # mouse over every marker: an injected handler would fire now
        b.eval(
            "document.querySelectorAll('.qpv-marker').forEach(m => m.dispatchEvent("
            "new MouseEvent('mouseover', {bubbles: true})))"
        )
        b.pump(1.0)
        assert b.eval("window.__alerts") == []
        assert b.dialogs() == [] and b.errors() == []
        assert any(HOSTILE[0] in t for t in texts)  # shown as text
    finally:
        b.close()


def test_csv_formula_cells_are_neutralised(actors: gpd.GeoDataFrame, tmp_path: Path) -> None:
    a = actors.head(5).copy()
    evil = '=HYPERLINK("http://x")'
    a.iloc[0, a.columns.get_loc("name")] = evil
    a.iloc[1, a.columns.get_loc("name")] = "@SUM(A1)"
    a.iloc[2, a.columns.get_loc("name")] = "\tcmd"
    out = write_table(a, tmp_path / "structures.csv")
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["name"] == "'" + evil
    assert rows[1]["name"] == "'@SUM(A1)" and rows[2]["name"] == "'\tcmd"
    assert rows[3]["name"] == a.iloc[3]["name"]  # ordinary names untouched
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())


def test_terminal_output_has_no_control_characters(
    radar: Radar, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    names = ["\x1b]0;pwned\x07Maison", "\x1b[2J\x1b[31mRouge\rX", "Bell\x07\x9b31m"]
    src = tmp_path / "ansi.json"
    _renamed(radar, names, tmp_path).to_json(src)
    status, out, err = _run(capsys, "radar", "--from-json", str(src))
    assert status == 0, err
    assert "Maison" in out and "RougeX" in out
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n" for c in out + err)
    assert clean_terminal("a\x1b[1;31mb\x1b]8;;http://x\x1b\\c\r\x00d\te") == "abcd e"


@needs_poppler
def test_dollar_is_printed_not_typeset(radar: Radar, tmp_path: Path) -> None:
    pdf = tmp_path / "dollar.pdf"
    radar_poster(_renamed(radar, ["Café $x^2$ solidaire"], tmp_path), pdf)
    assert "$x^2$" in _pdftext(pdf)


def test_an_18000_character_name_is_cut_in_bounded_time(radar: Radar, tmp_path: Path) -> None:
    long_words = " ".join(["Maison"] * 3000)  # 20,999 characters with spaces
    one_word = "M" * 18_000
    hostile = _renamed(radar, [one_word, long_words], tmp_path)
    t0 = time.perf_counter()
    radar_poster(hostile, tmp_path / "long.pdf")
    elapsed = time.perf_counter() - t0
    assert elapsed < 8, f"{elapsed:.1f} s"
    if shutil.which("pdftotext"):
        text = _pdftext(tmp_path / "long.pdf")
        assert "…" in text and "M" * 18_000 not in text.replace("\n", "")


@needs_poppler
def test_arabic_hebrew_and_emoji_on_the_poster(radar: Radar, tmp_path: Path) -> None:
    arabic, hebrew, emoji = "مركز اجتماعي", "בית קהילה", "Maison 🦄 des ✨ habitants"
    cmap = _cmap(_font_file())
    assert ord("🦄") not in cmap  # the font has no unicorn: it must not print as a box
    pdf = tmp_path / "rtl.pdf"
    radar_poster(_renamed(radar, [arabic, hebrew, emoji], tmp_path), pdf)
    text = unicodedata.normalize("NFKC", _pdftext(pdf))  # shaped forms → letters
    for word in (*arabic.split(), *hebrew.split()):
        assert word in text or word[::-1] in text, word
    assert "Maison" in text and "🦄" not in text
    shown = print_text(emoji)
    assert all(ord(c) in cmap for c in shown) and "habitants" in shown
    # shaped: joined presentation forms, in display (right-to-left) order
    assert any(0xFE70 <= ord(c) <= 0xFEFF for c in print_text(arabic))


# ---- the command line's top level -------------------------------------------------------------


def test_unexpected_error_is_one_line_traceback_only_with_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qpv_radar.cli import radar as radar_cmd

    def broken(args: Any) -> int:  # the one place a fake is right: a bug in a command
        raise RuntimeError("boom in the radar")

    monkeypatch.setattr(radar_cmd, "run", broken)
    status, out, err = _run(capsys, "radar", "--lonlat", LONLAT)
    assert status == 70 and out == ""
    assert err.strip().count("\n") == 0
    assert "erreur inattendue : RuntimeError: boom in the radar" in err
    assert "--debug" in err and "Traceback" not in err
    status, _, err = _run(capsys, "--debug", "radar", "--lonlat", LONLAT)
    assert status == 70 and "Traceback (most recent call last)" in err
    assert "boom in the radar" in err.strip().splitlines()[-1]


def test_ctrl_c_exits_130_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qpv_radar.cli import radar as radar_cmd

    def interrupted(args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(radar_cmd, "run", interrupted)
    status, _, err = _run(capsys, "radar", "--lonlat", LONLAT)
    assert status == 130 and "Traceback" not in err and "interrompu" in err
