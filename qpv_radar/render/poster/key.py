"""The poster's key: what the marker styles mean, then every structure in two columns.

The key is laid out from measured text: each entry's lines stay together, the detail lines
wrap (a phone number is never cut), a role heading stays with its first entry and a column
starting inside a role repeats its heading. A :class:`_Style` sets the sizes and the content;
the layout tries smaller styles when the key is long.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...radar import Entry, Radar
from .. import labels as lb
from ..trip import clock_text
from .markers import _marker_style
from .polar import _arrow, _bearing
from .text import MAX_CHARS, _fit, _short, _tw, _wrap

if TYPE_CHECKING:
    from .layout import _Layout
    from .paper import _Page


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
        """The line's height, points, with ``lead`` the line spacing as a share of the size."""
        return self.size * lead


_POSTCODE = re.compile(r",?\s*\b\d{5}\b.*$")


def _short_address(address: str) -> str:
    """``3 RUE PAGEZY, 34000 Montpellier`` → ``3 RUE PAGEZY`` (the card keeps it whole)."""
    short = _POSTCODE.sub("", address).strip(" ,")
    return short or address


def _entry_rows(
    e: Entry, radar: Radar, style: _Style, ts: float, width: float, lang: str
) -> list[_Row]:
    """The key's lines of one structure: rank, name, time, mode and direction, then details."""
    p = radar.person
    head_size, detail_size = style.head * ts, style.detail * ts
    indent = 9.0 * ts
    mode = lb.mode_name(e.best_mode, lang, short=True) if e.best_mode else ""
    b = _bearing(p.lon, p.lat, e.lon, e.lat)
    tail = f"— {lb.duration(e.best_minutes, lang)} {mode} {_arrow(b)}".replace("  ", " ")
    name = f"{e.rank}. {_short(e.name, MAX_CHARS)}"
    if style.one_line_names and len(name) > 32:  # cut to the room left by the tail: bisection
        room = width - _tw(" " + tail, head_size)
        name = max(_fit(name, head_size, room), _short(name, 32), key=len)
    rows = [
        _Row(line, 0.0 if i == 0 else indent, head_size)
        for i, line in enumerate(
            _wrap([name, tail], head_size, width, sep=" ", indent=indent, whole=(False, True))
        )
    ]
    detail = [_status(e, radar, lang)]
    whole = [False]
    if p.appointment is not None:  # « partir avant 8 h 21 » (never cut)
        detail.append(
            lb.t("leave_by.short", lang, time=clock_text(e.leave_by, lang))
            if e.leave_by
            else lb.t("arrive_by.none_short", lang)
        )
        whole.append(True)
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


def _status(e: Entry, radar: Radar, lang: str) -> str:
    """Open, closed or hours unknown; a source more than 3 years old adds « à vérifier (source
    2011) » (« horaires inconnus — à vérifier (source 2011) »). The sources and their vintages
    are named in the credits below."""
    stale = lb.stale_text(e, radar, lang)
    if not stale:
        return lb.open_status(e, lang)
    if e.state == "unknown":
        return f"{lb.t('opening.unknown', lang)} — {stale}"
    return f"{lb.open_status(e, lang)} · {stale}"


def _heading_row(role: str, style: _Style, ts: float, lang: str, cont: bool = False) -> _Row:
    """A role's heading in the key (``cont``: repeated at the top of the second column)."""
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


def _samples(
    lang: str, limit: str, size: float, ms: float, width: float
) -> list[list[tuple[float, str, str]]]:
    """The key's explanation of the marker styles, in rows of (x, state, text)."""
    rows: list[list[tuple[float, str, str]]] = [[]]
    x = 0.0
    for state, key in (("open", "poster.open"), ("closed", "poster.closed"),
                       ("unknown", "poster.unknown"), ("beyond", "poster.beyond")):  # fmt: skip
        text = lb.t(key, lang, m=limit)
        w = ms * 0.8 + 3 + _tw(text, size)
        if x > 0 and x + w > width:
            rows.append([])
            x = 0.0
        rows[-1].append((x, state, text))
        x += w + 14.0
    return rows


def _draw_key(page: Any, radar: Radar, pg: _Page, lay: _Layout, lang: str) -> None:
    """Draw the key from ``lay.key_top`` down: its title, the marker styles, the columns."""
    ts, ms = pg.ts, pg.ms
    x0 = pg.margin
    y = lay.key_top
    page.text(x0, y, lb.t("poster.key", lang), fontsize=10 * ts, weight="bold", va="top", gid="key")
    y -= lay.key_title
    # what the marker styles mean
    ss = lay.style.detail * ts
    sample_rows = _samples(lang, f"{radar.person.max_minutes:g}", ss, ms, pg.text_w)
    for row_i, items in enumerate(sample_rows):
        yy = y - ss * 1.9 * row_i - ss * 0.75
        for sx, state, text in items:
            page.scatter([x0 + sx + ms * 0.4], [yy], zorder=5, clip_on=False,
                         **_marker_style("relay", state, ms * 0.8, ts, gray=True))  # fmt: skip
            page.text(x0 + sx + ms * 0.8 + 3, yy, text, fontsize=ss, va="center",
                      color="#222", gid="key")  # fmt: skip
    y -= ss * 1.9 * len(sample_rows)
    for col, rows in enumerate(lay.cols):
        x = x0 + col * (lay.col_w + lay.col_gap)
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
            yy -= row.height(lay.style.lead)
