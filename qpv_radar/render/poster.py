"""Printable radar poster (PDF, A4 or A3 portrait), drawn with matplotlib.

The paper prototype made true: the person at the centre, concentric rings are travel-time bands
(square-root scale, so the nearby structures get room), one sector per role, each structure at
its shortest travel time inside its role's sector, ordered by its bearing from home (the key
gives the direction as an arrow). Markers differ by shape as well as colour and carry their rank,
so the page reads in black and white: filled when open during the person's hours (or when the
hours are unknown), outlined when closed during them, dotted and outside the outer ring when
beyond the person's time limit. Below: the key (name, time, direction, opening, address, phone),
the suggested path, the notices, the data date and the attribution.

The page is laid out from measured text: the key keeps each entry's lines together, wraps the
detail lines (a phone number is never cut), and the radar, the key and the notes below share the
page without overlapping; when the key is long the font shrinks (never under 6.5 pt on A4), then
the addresses are shortened, then the radar shrinks. A3 uses its room for a larger radar, larger
text and the opening hours of every structure.
"""

from __future__ import annotations

import itertools
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..radar import Entry, Radar
from . import labels as lb
from .map import ROLE_COLORS

__all__ = ["PAPER_SIZES_MM", "radar_poster"]

#: Portrait paper sizes, millimetres.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
_MARKERS = {
    "relay": "o",
    "entry_door": "s",
    "support_financing": "D",
    "employment": "^",
    "mobility": "p",
}
_ARROWS = "↑↗→↘↓↙←↖"
_PT_PER_MM = 72.0 / 25.4
#: Text scale per paper: A3 is read from the same distance as A4, it gets larger text (not
#: ×1.41) and uses the rest of its room for a larger radar and more key lines.
_TEXT_SCALE = {"a4": 1.0, "a3": 1.25}
_OUTER = 1.06  # radius (in outer-ring units) of the structures beyond the person's limit
_BEYOND_GRAY = "#444"


def _bearing(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Initial bearing from point 0 to point 1, degrees clockwise from north."""
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dl = math.radians(lon1 - lon0)
    x = math.sin(dl) * math.cos(p1)
    y = math.cos(p0) * math.sin(p1) - math.sin(p0) * math.cos(p1) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def _arrow(bearing: float) -> str:
    return _ARROWS[int(((bearing + 22.5) % 360) // 45)]


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _ring_minutes(radar: Radar) -> list[int]:
    base = [5, 10, 15, 20, 30, 45, 60, 90]
    top = radar.person.max_minutes
    rings = [m for m in base if m < top]
    rings.append(math.ceil(top))
    return rings


# ---- text measurement and wrapping ---------------------------------------------------------


@lru_cache(maxsize=4096)
def _tw(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in DejaVu Sans at ``size`` pt, in points."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    w, _h, _d = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return float(w)


def _wrap_words(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points (a word longer than the line stays whole)."""
    lines: list[str] = []
    cur = ""
    for word in text.split(" "):
        cand = f"{cur} {word}" if cur else word
        if not cur or _tw(cand, size, bold) <= width:
            cur = cand
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines


def _wrap(
    segments: Sequence[str],
    size: float,
    width: float,
    *,
    sep: str = " · ",
    bold: bool = False,
    indent: float = 0.0,
    whole: Sequence[bool] = (),
) -> list[str]:
    """Wrap ``segments`` joined by ``sep`` into lines of ``width`` points.

    Lines break between words; a segment flagged in ``whole`` (a phone number, a travel time)
    is never cut: it moves whole to the next line. Lines after the first are ``indent`` points
    narrower (hanging indent).
    """
    tokens: list[tuple[str, str]] = []  # (text, what joins it to the previous token)
    for i, seg in enumerate(segments):
        if not seg:
            continue
        keep = i < len(whole) and whole[i]
        words = [seg] if keep else seg.split(" ")
        for j, word in enumerate(words):
            tokens.append((word, (sep if j == 0 else " ") if tokens else ""))
    lines: list[str] = []
    cur = ""
    for word, join in tokens:
        room = width - (indent if lines else 0.0)
        cand = f"{cur}{join}{word}" if cur else word
        if not cur or _tw(cand, size, bold) <= room:
            cur = cand
        else:
            lines.append(cur.rstrip())
            cur = word
    if cur:
        lines.append(cur)
    return lines


# ---- placement on the radar ----------------------------------------------------------------


def _place(
    radar: Radar,
    r_of: Any,
    layout: str = "sectors",
    *,
    min_gap: float = 0.075,
    clear: float = 0.0,
) -> list[tuple[str, Entry, float, float]]:
    """(role, entry, angle rad, radius) per entry.

    ``sectors``: one sector per role, structures in bearing order inside it; ``compass``: every
    structure at its true bearing from home (north up). Markers that touch (closer than
    ``min_gap``, in units of the outer radius) are pushed apart along the arc only: the radius
    stays the travel time. ``clear`` (sectors only) keeps the markers at least that far from the
    upward axis, where the ring labels are written.
    """
    roles = [r for r in radar.roles if radar.entries.get(r)] or list(radar.roles)
    n = max(len(roles), 1)
    span = 2 * math.pi / n
    p = radar.person
    out: list[tuple[str, Entry, float, float]] = []
    bounds: list[tuple[float, float]] = []
    seen: dict[str, int] = {}
    for k, role in enumerate(roles):
        es = sorted(radar.entries.get(role, ()), key=lambda e: _bearing(p.lon, p.lat, e.lon, e.lat))
        m = len(es)
        start = k * span
        for i, e in enumerate(es):
            r = r_of(e.best_minutes)
            if layout == "compass":
                dup = seen.get(e.id, 0)  # a structure with several roles: fan its markers
                seen[e.id] = dup + 1
                a = math.radians(_bearing(p.lon, p.lat, e.lon, e.lat)) + 0.08 * dup
                lo, hi = -math.inf, math.inf
            else:
                lo, hi = start + 0.02, start + span - 0.02
                if clear > 0 and r > 0:
                    keep = math.asin(min(1.0, clear / r))
                    if k == 0:
                        lo = min(max(lo, keep), start + span / 2)
                    if k == n - 1:
                        hi = max(min(hi, 2 * math.pi - keep), start + span / 2)
                a = min(max(start + span * (i + 0.5) / max(m, 1), lo), hi)
            bounds.append((lo, hi))
            out.append((role, e, a, r))
    for _ in range(80):
        moved = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                ri, ei, ai, rri = out[i]
                rj, ej, aj, rrj = out[j]
                if layout != "compass" and ri != rj:
                    continue
                xi, yi = rri * math.sin(ai), rri * math.cos(ai)
                xj, yj = rrj * math.sin(aj), rrj * math.cos(aj)
                if math.hypot(xi - xj, yi - yj) < min_gap:
                    step = 0.25 * min_gap / max(min(rri, rrj), 0.05)
                    (loi, hii), (loj, hij) = bounds[i], bounds[j]
                    if ai <= aj:
                        ai, aj = max(loi, ai - step), min(hij, aj + step)
                    else:
                        ai, aj = min(hii, ai + step), max(loj, aj - step)
                    out[i] = (ri, ei, ai, rri)
                    out[j] = (rj, ej, aj, rrj)
                    moved = True
        if not moved:
            break
    return out


@dataclass(frozen=True)
class _Label:
    """A text around the radar: centre (points, relative to the radar's centre) and size."""

    text: str
    x: float
    y: float
    w: float
    h: float
    align: str
    size: float


def _outer_labels(
    texts: Sequence[tuple[float, str]], size: float, clearance: float
) -> list[_Label]:
    """Place each (angle rad, text) outside the disk of radius ``clearance`` (points).

    The label's box is slid along the ray of its angle until its nearest point is outside the
    disk: no marker (all inside the disk) can touch it, and its extent is known before drawing.
    """
    out = []
    lead = size * 1.22
    for angle, text in texts:
        sx, cy = math.sin(angle), math.cos(angle)
        align = "left" if sx > 0.3 else ("right" if sx < -0.3 else "center")
        body = textwrap.fill(text, 18) if align != "center" else text
        lines = body.split("\n")
        w = max(_tw(line, size, True) for line in lines) + 2.0
        h = lead * len(lines)
        lo, hi = 0.0, clearance + w + h
        for _ in range(40):  # smallest distance along the ray that clears the disk
            d = (lo + hi) / 2
            x, y = d * sx, d * cy
            nx = x - w / 2 if x - w / 2 > 0 else (x + w / 2 if x + w / 2 < 0 else 0.0)
            ny = y - h / 2 if y - h / 2 > 0 else (y + h / 2 if y + h / 2 < 0 else 0.0)
            if math.hypot(nx, ny) >= clearance:
                hi = d
            else:
                lo = d
        out.append(_Label(body, hi * sx, hi * cy, w, h, align, size))
    return out


# ---- the key -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """Font sizes (points, before the paper's text scale) and content of the key."""

    head: float = 7.5
    detail: float = 7.0
    heading: float = 8.5
    lead: float = 1.22
    hours: bool = False
    one_line_names: bool = False
    short_address: bool = False
    min_radar: float = 0.8  # smallest radar, as a share of the widest one, for this style


@dataclass
class _Row:
    """One line of the key: text at x offset (points), size, options."""

    text: str
    dx: float
    size: float
    bold: bool = False
    color: str = "#000"
    role: str | None = None  # a role heading: its marker is drawn before the text

    def height(self, lead: float) -> float:
        return self.size * lead


_POSTCODE = re.compile(r",?\s*\b\d{5}\b.*$")


def _short_address(address: str) -> str:
    """``3 RUE PAGEZY, 34000 Montpellier`` → ``3 RUE PAGEZY`` (the card keeps it whole)."""
    short = _POSTCODE.sub("", address).strip(" ,")
    return short or address


def _entry_rows(
    e: Entry, radar: Radar, style: _Style, ts: float, width: float, lang: str
) -> list[_Row]:
    p = radar.person
    head_size, detail_size = style.head * ts, style.detail * ts
    indent = 9.0 * ts
    mode = lb.mode_name(e.best_mode, lang, short=True) if e.best_mode else ""
    b = _bearing(p.lon, p.lat, e.lon, e.lat)
    tail = f"— {lb.duration(e.best_minutes, lang)} {mode} {_arrow(b)}".replace("  ", " ")
    name = f"{e.rank}. {e.name}"
    if style.one_line_names:
        room = width - _tw(" " + tail, head_size)
        while len(name) > 32 and _tw(name, head_size) > room:
            name = _short(name, len(name) - 1)
    rows = [
        _Row(line, 0.0 if i == 0 else indent, head_size)
        for i, line in enumerate(
            _wrap([name, tail], head_size, width, sep=" ", indent=indent, whole=(False, True))
        )
    ]
    detail = [lb.open_status(e, lang)]
    whole = [False]
    if e.address:
        detail.append(_short_address(e.address) if style.short_address else e.address)
        whole.append(False)
    if e.phone:  # never cut
        detail.append(e.phone)
        whole.append(True)
    if style.hours and e.opening_hours:
        detail.append(lb.humane_hours(e.opening_hours, lang))
        whole.append(False)
    rows += [
        _Row(line, indent, detail_size, color="#333")
        for line in _wrap(detail, detail_size, width - indent, whole=whole)
    ]
    return rows


def _heading_row(role: str, style: _Style, ts: float, lang: str, cont: bool = False) -> _Row:
    text = f"{lb.ROLE_SYMBOLS.get(role, '?')}  {lb.role_name(role, lang)}"
    if cont:
        text += f" {lb.t('poster.cont', lang)}"
    return _Row(text, 12.0 * ts, style.heading * ts, bold=True, role=role)


def _key_columns(
    radar: Radar, roles: Sequence[str], style: _Style, ts: float, col_w: float, lang: str
) -> tuple[list[list[_Row]], float]:
    """The key in two balanced columns; an entry's lines stay together, a role heading stays
    with its first entry, and a column starting inside a role repeats its heading."""
    units: list[tuple[str, bool, list[_Row]]] = []  # (role, starts the role, rows)
    gap = 1.2 * ts  # between entries
    for role in roles:
        for i, e in enumerate(radar.entries.get(role, ())):
            rows = _entry_rows(e, radar, style, ts, col_w, lang)
            if i == 0:
                rows = [_heading_row(role, style, ts, lang), *rows]
            units.append((role, i == 0, rows))
        if not radar.entries.get(role):
            units.append((role, True, [_heading_row(role, style, ts, lang)]))

    def height(rows: Sequence[_Row]) -> float:
        return sum(r.height(style.lead) for r in rows) + gap

    heights = [height(u[2]) for u in units]
    best: tuple[float, int] = (math.inf, len(units))
    for cut in range(1, len(units) + 1):
        left = sum(heights[:cut])
        right = sum(heights[cut:])
        if cut < len(units) and not units[cut][1]:
            right += _heading_row(units[cut][0], style, ts, lang).height(style.lead)
        best = min(best, (max(left, right), cut))
    tallest, cut = best
    cols: list[list[_Row]] = [[], []]
    for i, (role, starts, rows) in enumerate(units):
        col = 0 if i < cut else 1
        if i == cut and not starts:
            cols[1].append(_heading_row(role, style, ts, lang, cont=True))
        cols[col].extend(rows)
        cols[col].append(_Row("", 0.0, gap / style.lead))  # spacer
    return cols, tallest


# ---- the poster ----------------------------------------------------------------------------


def radar_poster(
    radar: Radar,
    path: str | Path,
    *,
    paper: str = "a4",
    lang: str = "fr",
    layout: str = "sectors",
) -> Path:
    """Write the radar poster as a one-page PDF.

    Parameters
    ----------
    radar
        The radar to draw.
    path
        Output PDF file.
    paper
        ``a4`` (default) or ``a3``, portrait. A3 gets a larger radar, larger text and the
        opening hours of every structure in the key.
    lang
        ``fr`` (default) or ``en``.
    layout
        ``sectors`` (default): one sector per role, as on the workshop's paper radar, each
        structure at its travel time in its role's sector (the key gives its direction);
        ``compass``: every structure at its true bearing from home (north up), roles told apart
        by marker shape and colour.

    Returns
    -------
    Path
        The written file.
    """
    import matplotlib

    lb.check_lang(lang)
    if layout not in ("sectors", "compass"):
        from .._errors import PersonError

        raise PersonError(f"unknown poster layout {layout!r}: choose sectors or compass.")
    if paper not in PAPER_SIZES_MM:
        from .._errors import PersonError

        raise PersonError(f"unknown paper {paper!r}: choose one of {', '.join(PAPER_SIZES_MM)}.")
    out = Path(path)
    with matplotlib.rc_context(_RC):
        fig = _figure(radar, paper, lang, layout)
        fig.savefig(
            out, format="pdf", metadata={"Title": lb.t("title", lang), "Creator": "qpv_radar"}
        )
    return out


#: Matplotlib settings of the poster: embedded TrueType DejaVu Sans (searchable text).
_RC: Any = {
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "axes.unicode_minus": False,
}


def _figure(radar: Radar, paper: str, lang: str, layout: str) -> Any:
    """The poster as a matplotlib ``Figure`` (call it inside ``rc_context(_RC)``).

    Its ``page`` axes spans the page in points; the artists the layout keeps apart carry a
    ``gid``: ``ring-label``, ``sector-label``, ``marker``, ``key``, ``notes``.
    """
    from matplotlib.figure import Figure
    from matplotlib.patheffects import withStroke

    w_mm, h_mm = PAPER_SIZES_MM[paper]
    pw, ph = w_mm * _PT_PER_MM, h_mm * _PT_PER_MM  # page, points
    s = w_mm / 210.0  # header scale
    ts = _TEXT_SCALE[paper]  # text scale
    margin = 0.06 * pw
    text_w = pw - 2 * margin
    p = radar.person
    rings = _ring_minutes(radar)
    r_max = math.sqrt(rings[-1])
    roles = [r for r in radar.roles if radar.entries.get(r)] or list(radar.roles)
    n_roles = max(len(roles), 1)
    span = 2 * math.pi / n_roles
    ms = 15.0 * ts  # marker size, points
    limit = f"{p.max_minutes:g}"

    def r_of(minutes: float | None) -> float:
        if minutes is None:
            return _OUTER
        return min(math.sqrt(max(minutes, 0.0)) / r_max, _OUTER)

    # ---- measure: header, notes at the bottom -----------------------------------------------
    header_bottom = ph * 0.968 - 18 * s * 1.35 - 9.5 * s * 1.5 - 8.5 * s * 1.4

    # the notes at the bottom of the page: (text, size, colour, bold, indent, space before)
    notes: list[tuple[str, float, str, bool, float, float]] = []
    path_label = f"{lb.t('path', lang)}{lb.colon(lang).rstrip()}"
    notes.append((path_label, 7.5 * ts, "#000", True, 0.0, 0.0))
    by_need: dict[str, list[str]] = {}
    for st in radar.path:
        step = radar.entry(st.entry_id, st.role) if st.entry_id else None
        name = step.name if step else lb.t("path.none", lang)
        by_need.setdefault(st.need, []).append(f"{lb.ROLE_SYMBOLS.get(st.role, '?')} {name}")
    hang = 10.0 * ts
    for steps in by_need.values():
        for i, line in enumerate(_wrap(steps, 7.0 * ts, text_w, sep=" → ", indent=hang)):
            notes.append((line, 7.0 * ts, "#000", False, hang if i else 0.0, 0.0))
    for k, notice in enumerate(radar.notices):  # wrapped whole, never cut
        text = "⚠ " + lb.notice_text(notice, lang)
        for i, line in enumerate(_wrap_words(text, 7.0 * ts, text_w - hang)):
            before = 3.0 * ts if i == 0 and k == 0 else 0.0
            notes.append((line, 7.0 * ts, "#8a1c00", False, hang if i else 0.0, before))
    legend = (
        f"★ {lb.t('me', lang)} · {lb.t('poster.direction', lang)}. "
        f"{lb.t('poster.how' if layout == 'sectors' else 'poster.how.compass', lang)}"
    )
    foot = (
        f"{lb.t('data', lang)}{lb.colon(lang)}{radar.data_date}. "
        f"{lb.t('attribution', lang)}{lb.colon(lang)}"
        f"{lb.credits(radar, lang)}."
    )
    for j, (text, size, gray) in enumerate(
        (
            (legend, 6.3 * ts, "#222"),
            (foot, 6.0 * ts, "#333"),
            (lb.qpv_note(radar, lang), 6.0 * ts, "#555"),
        )
    ):
        for i, line in enumerate(_wrap_words(text, size, text_w)):
            notes.append((line, size, gray, False, 0.0, 4.0 * ts if i == 0 and j == 0 else 0.0))
    notes_h = sum(n[1] * 1.3 + n[5] for n in notes)
    foot_base = 0.010 * ph + 5.5 * ts * 1.8  # above the "made with" line
    bottom_top = foot_base + notes_h

    # ---- radar geometry as a function of its diameter ----------------------------------------
    ring_size = 7.0 * ts
    ring_label_w = max(_tw(f"{m} min", ring_size) for m in rings)
    sector_texts: list[tuple[float, str]]
    if layout == "compass":
        west = "O" if lang == "fr" else "W"
        points = zip((0, 90, 180, 270), "NES" + west, strict=True)
        sector_texts = [(math.radians(d), w) for d, w in points]
        sector_size = 11.0 * ts
    else:
        sector_texts = [
            ((k + 0.5) * span, f"{lb.ROLE_SYMBOLS.get(r, '?')}  {lb.role_name(r, lang)}")
            for k, r in enumerate(roles)
        ]
        sector_size = 9.5 * ts

    def clearance(rad: float) -> float:
        return rad * _OUTER + 0.6 * ms + 3.0 * ts

    def extents(rad: float) -> tuple[float, float, float, list[_Label]]:
        """(top, bottom, half-width) of the radar block around its centre, and its labels."""
        c = clearance(rad)
        labels = _outer_labels(sector_texts, sector_size, c)
        top = max([c, *(lab.y + lab.h / 2 for lab in labels)])
        low = max([c + 9.0 * ts, *(-(lab.y - lab.h / 2) for lab in labels)])  # "Moi" fits
        half = max([c, *(abs(lab.x) + lab.w / 2 for lab in labels)])
        return top, low, half, labels

    lo_r, hi_r = 40.0, pw
    for _ in range(40):  # the widest radar whose labels fit between the side margins
        mid = (lo_r + hi_r) / 2
        if extents(mid)[2] <= pw / 2 - 0.035 * pw:
            lo_r = mid
        else:
            hi_r = mid
    r_widest = min(lo_r, 0.36 * ph)

    # ---- choose the key's style and the radar's size -----------------------------------------
    col_gap = 14.0 * ts
    col_w = (text_w - col_gap) / 2
    key_title = 10.0 * ts * 1.5
    base = _Style()
    styles = [
        replace(base, hours=True, min_radar=0.95) if paper == "a3" else None,
        replace(base, min_radar=0.9),
        replace(base, head=7.0, detail=6.6, heading=8.0, lead=1.18, min_radar=0.8),
        replace(base, head=6.8, detail=6.5, heading=8.0, lead=1.14, one_line_names=True,
                min_radar=0.7),
        replace(base, head=6.8, detail=6.5, heading=8.0, lead=1.12, one_line_names=True,
                short_address=True, min_radar=0.45),
    ]  # fmt: skip
    r_nominal = min(r_widest, 0.21 * ph)  # the radar's size when the key is of usual length
    gaps = 3
    min_gap_pt = 9.0 * ts
    chosen: tuple[_Style, float, list[list[_Row]], float] | None = None
    for style in (x for x in styles if x is not None):
        cols, key_h = _key_columns(radar, roles, style, ts, col_w, lang)
        samples_h = style.detail * ts * 1.9 * len(_samples(lang, limit, style.detail * ts, ms,
                                                          text_w))  # fmt: skip
        need_key = key_title + samples_h + key_h
        rad = r_widest
        while r_nominal * style.min_radar <= rad:
            top, low, _half, _labels = extents(rad)
            if header_bottom - top - low - need_key - gaps * min_gap_pt >= bottom_top:
                chosen = (style, rad, cols, need_key)
                break
            rad *= 0.97
        if chosen:
            break
    if chosen is None:  # nothing fits: the smallest of everything (may run over the notes)
        style = styles[-1]  # type: ignore[assignment]
        assert style is not None
        cols, key_h = _key_columns(radar, roles, style, ts, col_w, lang)
        samples_h = style.detail * ts * 1.9 * len(_samples(lang, limit, style.detail * ts, ms,
                                                          text_w))  # fmt: skip
        chosen = (style, r_nominal * style.min_radar, cols, key_title + samples_h + key_h)
    style, rad, cols, need_key = chosen
    top_ext, low_ext, _half, sector_labels = extents(rad)
    spare = header_bottom - top_ext - low_ext - need_key - bottom_top - gaps * min_gap_pt
    spare = max(spare, 0.0)
    g_top = min_gap_pt + min(spare * 0.25, 30 * ts)
    g_mid = min_gap_pt + min(spare * 0.25, 30 * ts)
    cy = header_bottom - g_top - top_ext
    cx = pw / 2
    key_top = cy - low_ext - g_mid

    fig = Figure(figsize=(pw / 72, ph / 72))
    page: Any = fig.add_axes((0, 0, 1, 1))  # the page in points, for text and key markers
    page.set_xlim(0, pw)
    page.set_ylim(0, ph)
    page.axis("off")
    page.patch.set_visible(False)

    # ---- header ---------------------------------------------------------------------
    where = (
        lb.t("in_qpv", lang, qpv=radar.home_qpv_name)
        if radar.home_qpv_name
        else lb.t("subtitle.home", lang)
    )
    y = ph * 0.968
    page.text(pw / 2, y, lb.t("title", lang), ha="center", va="top", fontsize=18 * s,
              weight="bold")  # fmt: skip
    y -= 18 * s * 1.35
    page.text(pw / 2, y, f"{where} — {lb.when_text(radar, lang)}", ha="center", va="top",
              fontsize=9.5 * s)  # fmt: skip
    y -= 9.5 * s * 1.5
    modes = ", ".join(lb.mode_name(m, lang) for m in p.modes)
    page.text(pw / 2, y, f"{lb.t('modes', lang, modes=modes)} · {lb.t('max', lang, m=limit)}",
              ha="center", va="top", fontsize=8.5 * s, color="#333")  # fmt: skip

    # ---- the radar ------------------------------------------------------------------
    side = 2 * 1.08 * rad
    ax: Any = fig.add_axes(
        ((cx - side / 2) / pw, (cy - side / 2) / ph, side / pw, side / ph), projection="polar"
    )
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 1.08)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines["polar"].set_visible(False)
    ax.grid(False)
    ax.patch.set_visible(False)
    theta = np.linspace(0, 2 * np.pi, 361)
    for m in rings:
        r = math.sqrt(m) / r_max
        ax.plot(theta, np.full_like(theta, r), color="#555", lw=0.8 * ts,
                ls="-" if m == rings[-1] else (0, (4, 3)), zorder=1)  # fmt: skip
    # the ring labels: on the upward axis, kept clear of markers (sectors); at the
    # angle with the fewest markers around (compass)
    label_half = (ring_label_w / 2 + 0.55 * ms + 2.0 * ts) / rad  # outer-ring units
    placed = _place(
        radar,
        r_of,
        layout,
        min_gap=1.02 * ms / rad,
        clear=label_half if layout == "sectors" else 0.0,
    )
    ring_angle = 0.0
    if layout == "compass":
        ring_angle = _free_angle(placed, rings, r_max, rad, ring_label_w, ring_size, ms)
    for m in rings:
        ax.text(ring_angle, math.sqrt(m) / r_max, f"{m} min", fontsize=ring_size,
                color="#222", va="bottom" if layout == "sectors" else "center",
                ha="center", zorder=6, gid="ring-label",
                path_effects=[withStroke(linewidth=2.5 * ts, foreground="white")])  # fmt: skip
    for k, _role in enumerate(roles if layout != "compass" else []):
        a0 = k * span
        ax.plot([a0, a0], [0.05, 1.0], color="#777", lw=0.7 * ts, zorder=1)
        # light fill per sector, alternating, for black-and-white reading
        tt = np.linspace(a0, a0 + span, 60)
        ax.fill_between(tt, 0, 1.0, color="#000", alpha=0.035 if k % 2 else 0.0, lw=0, zorder=0)
    for lab in sector_labels:
        page.text(cx + lab.x, cy + lab.y, lab.text, ha="center", va="center",
                  multialignment=lab.align if lab.align != "center" else "center",
                  fontsize=lab.size, weight="bold", color="#111", gid="sector-label")  # fmt: skip
    # home
    ax.plot([0], [0], marker="*", ms=16 * ts, color="black", zorder=8)
    page.text(cx, cy - 8.5 * ts, lb.t("me", lang), ha="center", va="top", fontsize=8 * ts,
              weight="bold", zorder=8)  # fmt: skip
    # suggested path: home → step 1 → step 2 …
    pos = {(role, e.id): (a, r) for role, e, a, r in placed}
    for need in dict.fromkeys(st.need for st in radar.path):
        pts = [(0.0, 0.0)]
        for st in radar.path:
            if st.need == need and st.entry_id and (st.role, st.entry_id) in pos:
                pts.append(pos[(st.role, st.entry_id)])
        for (a1, r1), (a2, r2) in itertools.pairwise(pts):
            ax.annotate(
                "",
                xy=(a2, r2),
                xytext=(a1, r1),
                arrowprops={
                    "arrowstyle": "-|>",
                    "lw": 1.3 * ts,
                    "color": "black",
                    "ls": (0, (3, 2)),
                    "shrinkA": 6 * ts,
                    "shrinkB": 8 * ts,
                    "connectionstyle": "arc3,rad=0.15",
                },
                zorder=4,
            )
    for role, e, a, r in placed:
        _marker(ax, role, lb.marker_state(e), a, r, ms, ts, str(e.rank), withStroke)

    # ---- key ------------------------------------------------------------------------
    x0 = margin
    y = key_top
    page.text(x0, y, lb.t("poster.key", lang), fontsize=10 * ts, weight="bold", va="top", gid="key")
    y -= key_title
    # what the marker styles mean
    ss = style.detail * ts
    sample_rows = _samples(lang, limit, ss, ms, text_w)
    for row_i, items in enumerate(sample_rows):
        yy = y - ss * 1.9 * row_i - ss * 0.75
        for sx, state, text in items:
            page.scatter([x0 + sx + ms * 0.4], [yy], zorder=5, clip_on=False,
                         **_marker_style("relay", state, ms * 0.8, ts, gray=True))  # fmt: skip
            page.text(x0 + sx + ms * 0.8 + 3, yy, text, fontsize=ss, va="center",
                      color="#222", gid="key")  # fmt: skip
    y -= ss * 1.9 * len(sample_rows)
    for col, rows in enumerate(cols):
        x = x0 + col * (col_w + col_gap)
        yy = y
        for row in rows:
            if row.text:
                page.text(x + row.dx, yy, row.text, va="top", ha="left", fontsize=row.size,
                          weight="bold" if row.bold else "normal", color=row.color,
                          gid="key")  # fmt: skip
            if row.role:  # the role's marker shape and colour before its heading
                page.scatter([x + 5 * ts], [yy - row.size * 0.55],
                             **_marker_style(row.role, "open", 8.5 * ts, ts), zorder=5,
                             clip_on=False)  # fmt: skip
            yy -= row.height(style.lead)

    # ---- path, notices, legend, footer (bottom-up, measured) ------------------------
    y = bottom_top
    for text, size, color, bold, indent, before in notes:
        y -= before
        page.text(margin + indent, y, text, fontsize=size, va="top", color=color,
                  weight="bold" if bold else "normal", gid="notes")  # fmt: skip
        y -= size * 1.3
    page.text(pw - margin, 0.010 * ph, lb.t("generated", lang), fontsize=5.5 * ts, ha="right",
              va="bottom", color="#777")  # fmt: skip
    return fig


def _samples(
    lang: str, limit: str, size: float, ms: float, width: float
) -> list[list[tuple[float, str, str]]]:
    """The key's explanation of the marker styles, in rows of (x, state, text)."""
    rows: list[list[tuple[float, str, str]]] = [[]]
    x = 0.0
    for state, key in (("open", "poster.open"), ("closed", "poster.closed"),
                       ("beyond", "poster.beyond")):  # fmt: skip
        text = lb.t(key, lang, m=limit)
        w = ms * 0.8 + 3 + _tw(text, size)
        if x > 0 and x + w > width:
            rows.append([])
            x = 0.0
        rows[-1].append((x, state, text))
        x += w + 14.0
    return rows


# ---- markers -------------------------------------------------------------------------------


def _marker_style(
    role: str, state: str, size: float, ts: float, *, gray: bool = False
) -> dict[str, Any]:
    """``scatter`` keywords for a marker of ``role`` in ``state`` (``size`` in points)."""
    color = "#8a8a8a" if gray else ROLE_COLORS.get(role, "#333")
    kw: dict[str, Any] = {"marker": _MARKERS.get(role, "o"), "s": size**2}
    if state == "beyond":
        kw.update(facecolors="white", edgecolors=_BEYOND_GRAY, linewidths=1.1 * ts,
                  linestyles=(0, (1.2, 1.2)))  # fmt: skip
    elif state == "closed":
        kw.update(facecolors="white", edgecolors=color, linewidths=2.0 * ts)
    else:
        kw.update(facecolors=color, edgecolors="black", linewidths=0.9 * ts)
    return kw


def _marker(
    ax: Any, role: str, state: str, a: float, r: float, ms: float, ts: float, rank: str,
    stroke: Any,
) -> None:  # fmt: skip
    ax.scatter(
        [a], [r], **_marker_style(role, state, ms, ts), zorder=5, clip_on=False, gid="marker"
    )
    filled = state == "open"
    halo = [stroke(linewidth=1.5 * ts, foreground="black")] if filled else None
    color = "white" if filled else ("black" if state == "closed" else _BEYOND_GRAY)
    ax.text(a, r, rank, ha="center", va="center", fontsize=7 * ts, weight="bold", color=color,
            zorder=6, path_effects=halo)  # fmt: skip


def _free_angle(
    placed: Sequence[tuple[str, Entry, float, float]],
    rings: Sequence[int],
    r_max: float,
    rad: float,
    label_w: float,
    label_h: float,
    ms: float,
) -> float:
    """The angle (rad) where the ring labels hit the fewest markers (ties: nearest to 202.5°)."""
    pts = [(r * rad * math.sin(a), r * rad * math.cos(a)) for _role, _e, a, r in placed]

    def hits(angle: float) -> float:
        score = 0.0
        for m in rings:
            rr = math.sqrt(m) / r_max * rad
            lx, ly = rr * math.sin(angle), rr * math.cos(angle)
            for px, py in pts:
                dx = abs(px - lx) - (label_w / 2 + ms / 2)
                dy = abs(py - ly) - (label_h / 2 + ms / 2)
                if dx < 0 and dy < 0:
                    score += 1.0
        return score

    candidates = [math.radians(d) for d in range(0, 360, 5)]
    return min(candidates, key=lambda a: (hits(a), abs(math.degrees(a) - 202.5)))
