"""The poster's layout, measured before anything is drawn.

The radar, the key and the notes below share the page without overlapping: the notes are
measured from the bottom, the header from the top, and the radar with its labels as a function
of its radius. When the key is long the font shrinks (never under 6.5 pt on A4), then the
addresses are shortened, then the radar shrinks. A3 uses its room for a larger radar, larger
text and the opening hours of every structure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ...radar import Radar
from ...radar.path import joint_steps
from .. import labels as lb
from .key import _key_columns, _Row, _samples, _Style
from .paper import _Page
from .polar import _OUTER, _drawn_roles, _Label, _outer_labels
from .text import _wrap, _wrap_words

#: A line of the notes at the bottom: (text, size, colour, bold, indent, space before).
_Note = tuple[str, float, str, bool, float, float]
_GAPS = 3  # the spaces between header, radar, key and notes


@dataclass(frozen=True)
class _Layout:
    """Where everything goes on the page (points).

    Attributes
    ----------
    style, cols
        The key's style and its two columns of lines.
    col_w, col_gap, key_title
        A key column's width, the space between the columns, the key title's height.
    rad, cx, cy
        The radar's radius (outer ring) and centre.
    labels
        The sector (or compass point) labels around the radar.
    key_top
        Top of the key.
    notes, bottom_top
        The notes at the bottom, written downwards from ``bottom_top``.
    """

    style: _Style
    cols: list[list[_Row]]
    col_w: float
    col_gap: float
    key_title: float
    rad: float
    cx: float
    cy: float
    labels: list[_Label]
    key_top: float
    notes: list[_Note]
    bottom_top: float


def _header_bottom(pg: _Page) -> float:
    """The bottom of the header's three lines (title, place and time, modes)."""
    s = pg.s
    return pg.ph * 0.968 - 18 * s * 1.35 - 9.5 * s * 1.5 - 8.5 * s * 1.4


# ---- the notes at the bottom ---------------------------------------------------------------


def _path_notes(radar: Radar, pg: _Page, lang: str) -> list[_Note]:
    """The suggested path, one wrapped line group per need, then the notices (in red)."""
    ts, text_w = pg.ts, pg.text_w
    notes: list[_Note] = []
    path_label = f"{lb.t('path', lang)}{lb.colon(lang).rstrip()}"
    notes.append((path_label, 7.5 * ts, "#000", True, 0.0, 0.0))
    by_need: dict[str, list[str]] = {}
    for st in joint_steps(radar.path):  # one structure for two roles: one step
        signs = "".join(lb.ROLE_SYMBOLS.get(r, "?") for r in st.roles)
        what = lb.joint_step_text(radar, st.roles, st.entry_id, lang)
        by_need.setdefault(st.need, []).append(f"{signs} {what}")
    hang = 10.0 * ts
    for steps in by_need.values():
        for i, line in enumerate(_wrap(steps, 7.0 * ts, text_w, sep=" → ", indent=hang)):
            notes.append((line, 7.0 * ts, "#000", False, hang if i else 0.0, 0.0))
    for k, notice in enumerate(radar.notices):  # wrapped whole, never cut
        text = "⚠ " + lb.notice_text(notice, lang)
        for i, line in enumerate(_wrap_words(text, 7.0 * ts, text_w - hang)):
            before = 3.0 * ts if i == 0 and k == 0 else 0.0
            notes.append((line, 7.0 * ts, "#8a1c00", False, hang if i else 0.0, before))
    return notes


def _legend_notes(radar: Radar, pg: _Page, lang: str, layout: str) -> list[_Note]:
    """How to read the radar, the data date and attribution, the note on QPV perimeters."""
    ts = pg.ts
    legend = (
        f"★ {lb.t('me', lang)} · {lb.t('poster.direction', lang)}. "
        f"{lb.t('poster.how' if layout == 'sectors' else 'poster.how.compass', lang)}"
    )
    foot = (
        f"{lb.t('data', lang)}{lb.colon(lang)}{radar.data_date}. "
        f"{lb.t('attribution', lang)}{lb.colon(lang)}"
        f"{lb.credits(radar, lang)}."
    )
    notes: list[_Note] = []
    for j, (text, size, gray) in enumerate(
        (
            (legend, 6.3 * ts, "#222"),
            (foot, 6.0 * ts, "#333"),
            (lb.qpv_note(radar, lang), 6.0 * ts, "#555"),
        )
    ):
        for i, line in enumerate(_wrap_words(text, size, pg.text_w)):
            notes.append((line, size, gray, False, 0.0, 4.0 * ts if i == 0 and j == 0 else 0.0))
    return notes


def _bottom_top(notes: Sequence[_Note], pg: _Page) -> float:
    """The top of the notes, above the "made with" line at the foot of the page."""
    notes_h = sum(n[1] * 1.3 + n[5] for n in notes)
    foot_base = 0.010 * pg.ph + 5.5 * pg.ts * 1.8  # above the "made with" line
    return foot_base + notes_h


# ---- the radar block: the radar and its labels, as a function of its radius ----------------


@dataclass(frozen=True)
class _Block:
    """The radar with the labels around it (``texts``: angle rad, text; ``size``: points)."""

    texts: list[tuple[float, str]]
    size: float
    ms: float
    ts: float

    def clearance(self, rad: float) -> float:
        """Radius (points) that no label enters: the markers beyond the limit fit inside."""
        return rad * _OUTER + 0.6 * self.ms + 3.0 * self.ts

    def extents(self, rad: float) -> tuple[float, float, float, list[_Label]]:
        """(top, bottom, half-width) of the radar block around its centre, and its labels."""
        c = self.clearance(rad)
        labels = _outer_labels(self.texts, self.size, c)
        top = max([c, *(lab.y + lab.h / 2 for lab in labels)])
        low = max([c + 9.0 * self.ts, *(-(lab.y - lab.h / 2) for lab in labels)])  # "Moi" fits
        half = max([c, *(abs(lab.x) + lab.w / 2 for lab in labels)])
        return top, low, half, labels


def _block(radar: Radar, pg: _Page, layout: str, lang: str) -> _Block:
    """The labels around the radar: compass points, or one role name per sector."""
    ts = pg.ts
    sector_texts: list[tuple[float, str]]
    if layout == "compass":
        west = lb.t("compass.west", lang)
        points = zip((0, 90, 180, 270), "NES" + west, strict=True)
        sector_texts = [(math.radians(d), w) for d, w in points]
        sector_size = 11.0 * ts
    else:
        roles = _drawn_roles(radar)
        span = 2 * math.pi / max(len(roles), 1)
        sector_texts = [
            ((k + 0.5) * span, f"{lb.ROLE_SYMBOLS.get(r, '?')}  {lb.role_name(r, lang)}")
            for k, r in enumerate(roles)
        ]
        sector_size = 9.5 * ts
    return _Block(sector_texts, sector_size, pg.ms, ts)


def _widest_radius(block: _Block, pg: _Page) -> float:
    """The widest radar whose labels fit between the side margins (and not over 36 % of the
    page's height)."""
    pw = pg.pw
    lo_r, hi_r = 40.0, pw
    for _ in range(40):
        mid = (lo_r + hi_r) / 2
        if block.extents(mid)[2] <= pw / 2 - 0.035 * pw:
            lo_r = mid
        else:
            hi_r = mid
    return min(lo_r, 0.36 * pg.ph)


# ---- the key's style and the radar's size ---------------------------------------------------


def _styles(paper: str) -> list[_Style]:
    """The key's styles, tried in order: ever smaller text, then shorter lines."""
    base = _Style()
    styles = [
        replace(base, hours=True, min_radar=0.85) if paper == "a3" else None,
        replace(base, min_radar=0.9),
        replace(base, head=7.0, detail=6.6, heading=8.0, lead=1.18, min_radar=0.8),
        replace(base, head=6.8, detail=6.5, heading=8.0, lead=1.14, one_line_names=True,
                min_radar=0.7),
        replace(base, head=6.8, detail=6.5, heading=8.0, lead=1.12, one_line_names=True,
                short_address=True, min_radar=0.45),
    ]  # fmt: skip
    return [x for x in styles if x is not None]


def _key_need(
    radar: Radar, style: _Style, pg: _Page, col_w: float, key_title: float, lang: str
) -> tuple[list[list[_Row]], float]:
    """The key's columns in ``style`` and the height it needs with its title and samples."""
    ts = pg.ts
    limit = f"{radar.person.max_minutes:g}"
    cols, key_h = _key_columns(radar, _drawn_roles(radar), style, ts, col_w, lang)
    samples_h = style.detail * ts * 1.9 * len(_samples(lang, limit, style.detail * ts, pg.ms,
                                                      pg.text_w))  # fmt: skip
    return cols, key_title + samples_h + key_h


def _choose(
    radar: Radar,
    pg: _Page,
    block: _Block,
    col_w: float,
    key_title: float,
    room: tuple[float, float],
    lang: str,
) -> tuple[_Style, float, list[list[_Row]], float]:
    """(style, radius, key columns, key height): the first style whose key fits between
    ``room`` (header bottom, notes top) with a radar not smaller than its ``min_radar``;
    nothing fits: the smallest of everything (may run over the notes)."""
    header_bottom, bottom_top = room
    r_widest = _widest_radius(block, pg)
    r_nominal = min(r_widest, 0.21 * pg.ph)  # the radar's size when the key is of usual length
    min_gap_pt = 9.0 * pg.ts
    styles = _styles(pg.paper)
    for style in styles:
        cols, need_key = _key_need(radar, style, pg, col_w, key_title, lang)
        rad = r_widest
        while r_nominal * style.min_radar <= rad:
            top, low, _half, _labels = block.extents(rad)
            if header_bottom - top - low - need_key - _GAPS * min_gap_pt >= bottom_top:
                return style, rad, cols, need_key
            rad *= 0.97
    style = styles[-1]
    cols, need_key = _key_need(radar, style, pg, col_w, key_title, lang)
    return style, r_nominal * style.min_radar, cols, need_key


def _layout(radar: Radar, pg: _Page, layout: str, lang: str) -> _Layout:
    """Measure everything and place the radar, the key and the notes on the page."""
    ts = pg.ts
    notes = _path_notes(radar, pg, lang) + _legend_notes(radar, pg, lang, layout)
    bottom_top = _bottom_top(notes, pg)
    header_bottom = _header_bottom(pg)
    block = _block(radar, pg, layout, lang)
    col_gap = 14.0 * ts
    col_w = (pg.text_w - col_gap) / 2
    key_title = 10.0 * ts * 1.5
    style, rad, cols, need_key = _choose(
        radar, pg, block, col_w, key_title, (header_bottom, bottom_top), lang
    )
    top_ext, low_ext, _half, sector_labels = block.extents(rad)
    min_gap_pt = 9.0 * ts
    spare = header_bottom - top_ext - low_ext - need_key - bottom_top - _GAPS * min_gap_pt
    spare = max(spare, 0.0)
    g_top = min_gap_pt + min(spare * 0.25, 30 * ts)
    g_mid = min_gap_pt + min(spare * 0.25, 30 * ts)
    cy = header_bottom - g_top - top_ext
    return _Layout(
        style=style,
        cols=cols,
        col_w=col_w,
        col_gap=col_gap,
        key_title=key_title,
        rad=rad,
        cx=pg.pw / 2,
        cy=cy,
        labels=sector_labels,
        key_top=cy - low_ext - g_mid,
        notes=notes,
        bottom_top=bottom_top,
    )
