"""Recommendation card ("carte postale de recommandation"), PDF drawn with reportlab.

« Quand on vient de la part de quelqu'un, on se sent plus fort » : the relay hands the resident
a card naming the structure to go to, its address, phone and hours, how to get there from home
("tram 1 → Corum, 18 min"), who sends them (the relay and the agent), a free-text line and room
for a handwritten word to the reception. Two cards per A4 page (cut along the dotted line), or
one per A6 page.

Fonts: DejaVu Sans (shipped with matplotlib) is embedded, so accents, arrows and the euro sign
print everywhere and the text layer can be searched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .._errors import PersonError
from .._outputs import atomic_write
from ..radar import Entry, Radar
from . import labels as lb
from .labels import humane_hours
from .poster.text import MAX_NOTE_CHARS, _short, print_text
from .trip import trip_lines

__all__ = ["CARD_PAPERS", "humane_hours", "recommendation_card", "sender_name"]

#: ``a4``: two landscape cards of 210 × 148.5 mm per A4 portrait page; ``a6``: one per page.
CARD_PAPERS = ("a4", "a6")


#: The font file of each registered font name (to drop the characters it has no glyph for).
_FONT_FILES: dict[str, str] = {}


def _fonts() -> tuple[str, str, str]:
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = ("QpvSans", "QpvSans-Bold", "QpvSans-Oblique")
    if names[0] not in pdfmetrics.getRegisteredFontNames():
        ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        for name, file in zip(
            names,
            ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
            strict=True,
        ):
            pdfmetrics.registerFont(TTFont(name, str(ttf / file)))
            _FONT_FILES[name] = str(ttf / file)
    return names


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` wrapped to ``width`` points: capped at :data:`~.poster.text.MAX_NOTE_CHARS`
    characters first, a word wider than a line cut with an ellipsis (bounded time)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def fit(word: str) -> str:
        while len(word) > 1 and stringWidth(word, font, size) > width:
            word = word[: max(1, min(len(word) - 2, int(len(word) * 0.8)))] + "…"
        return word

    lines: list[str] = []
    for para in _short(text, MAX_NOTE_CHARS).split("\n"):
        line = ""
        for word in map(fit, para.split()):
            cand = f"{line} {word}".strip()
            if stringWidth(cand, font, size) <= width or not line:
                line = cand
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


@dataclass(frozen=True)
class _Pen:
    """Writes on one card of a reportlab canvas, sizes scaled by ``s`` from the A6 design.

    Attributes
    ----------
    cv
        The canvas.
    s
        Scale of the card against the A6 design.
    mm
        reportlab's millimetre, points.
    regular, bold, italic
        The registered DejaVu Sans font names.
    """

    cv: Any
    s: float
    mm: float
    regular: str
    bold: str
    italic: str

    def text(self, tx: float, ty: float, t: str, font: str, size: float, gray: float = 0.0) -> None:
        """Write ``t`` at (``tx``, ``ty``), ``size`` in points of the A6 design."""
        self.cv.setFillGray(gray)
        self.cv.setFont(font, size * self.s)
        self.cv.drawString(tx, ty, print_text(t, _FONT_FILES.get(font)))

    def dotted(self, x0: float, ly: float, x1: float) -> None:
        """A dotted line to write on by hand."""
        cv = self.cv
        cv.setStrokeGray(0.2)
        cv.setDash(1, 2)
        cv.setLineWidth(0.5 * self.s)
        cv.line(x0, ly, x1, ly)
        cv.setDash()

    def block(
        self,
        tx: float,
        ty: float,
        t: str,
        font: str,
        size: float,
        width: float,
        gray: float = 0.0,
        max_lines: int = 4,
    ) -> float:
        """Write ``t`` wrapped to ``width`` (at most ``max_lines``); the next line's ``ty``."""
        s = self.s
        lines = _wrap(t, font, size * s, width)[:max_lines]
        for line in lines:
            self.text(tx, ty, line, font, size, gray)
            ty -= size * s * 1.25
        return ty


@dataclass(frozen=True)
class _Column:
    """The card's left column: its ``x``, text ``width``, ``right`` edge and ``floor`` (the
    card's inner bottom), points."""

    x: float
    width: float
    right: float
    floor: float


def _draw_card(
    cv: Any,
    x: float,
    y: float,
    w: float,
    h: float,
    e: Entry,
    radar: Radar,
    *,
    from_relay: str,
    agent: str,
    note: str,
    lang: str,
) -> None:
    """Draw the card recommending ``e`` in the box (``x``, ``y``, ``w``, ``h``) of ``cv``."""
    from reportlab.lib.units import mm

    regular, bold, italic = _fonts()
    s = w / (148 * mm)  # scale from the A6 design
    pad = 7 * mm * s
    left_w = w * 0.58
    # frame
    cv.setStrokeGray(0.2)
    cv.setLineWidth(1.2 * s)
    cv.roundRect(x + 3 * mm * s, y + 3 * mm * s, w - 6 * mm * s, h - 6 * mm * s, 4 * mm * s)
    pen = _Pen(cv, s, mm, regular, bold, italic)
    col = _Column(x + pad, left_w - pad, x + left_w, y + pad)
    top = y + h - pad - 4 * mm * s
    pen.text(col.x, top, lb.t("card.title", lang).upper(), bold, 8, 0.35)
    ty = _draw_addressee(pen, col, top, e, radar, lang)
    head, steps = trip_lines(e, radar, lang)
    _draw_journey(pen, col, ty, e, head, lang)
    # free text line
    fy = col.floor + 6 * mm * s
    pen.text(col.x, fy, lb.t("card.free", lang), bold, 7)
    fx = col.x + 13 * mm * s
    pen.dotted(fx, fy - 1, col.right)
    if note:
        pen.text(fx + 1 * mm * s, fy + 0.5, note[:70], italic, 7.5)
    # right column: who sends, handwritten note
    rx = x + left_w + 5 * mm * s
    rw = w - left_w - pad - 5 * mm * s
    ry = _draw_sender(pen, rx, rw, top - 7 * mm * s, from_relay, agent, lang)
    if len(steps) > 2:  # more than one leg: every step and wait, adding up to the total
        ry -= 1.5 * mm * s
        for line in steps:
            ry = pen.block(rx, ry, line, regular, 6, rw, 0.1, max_lines=2)
    _draw_note_box(pen, rx, rw, ry, col.floor + 14 * mm * s, lang)
    _draw_timetable_notes(pen, col, radar, lang)
    trip_day = lb.t("card.trip_of", lang, day=lb.day_text(radar.person.when, lang))
    printed = lb.t("card.printed", lang, date=lb.short_date(datetime.now(), lang))
    pen.text(col.x, col.floor - 2.5 * mm * s,
             f"{trip_day} · {printed} · {radar.data_date} · qpv_radar", regular, 5,
             0.45)  # fmt: skip


#: Notices a card repeats: how the trip's times were made (another day's timetable, a mode
#: without timetable).
_CARD_NOTICES = ("timetable_substituted", "no_timetable")


def _draw_timetable_notes(pen: _Pen, col: _Column, radar: Radar, lang: str) -> None:
    """Left column, between the free-text line and the footer: the notices saying which
    timetable the trip's times come from (at most two lines)."""
    notes = [lb.notice_text(n, lang) for n in radar.notices if n.code in _CARD_NOTICES]
    if notes:
        text = "⚠ " + " · ".join(notes)
        pen.block(col.x, col.floor + 3 * pen.mm * pen.s, text, pen.italic, 5.5, col.width, 0.1,
                  max_lines=2)  # fmt: skip


def _to_fill(pen: _Pen, col: _Column, ty: float, key: str, lang: str) -> float:
    """Say the field is missing, and leave a dotted line to write it by hand."""
    mm, s = pen.mm, pen.s
    ty = pen.block(col.x, ty, lb.t(key, lang), pen.italic, 6.5, col.width, 0.3, max_lines=1)
    ty -= 3.2 * mm * s
    pen.dotted(col.x, ty, col.right)
    return ty - 3.6 * mm * s


def _draw_addressee(
    pen: _Pen, col: _Column, top: float, e: Entry, radar: Radar, lang: str
) -> float:
    """Left column: the structure's name, address, phone, email, opening hours (unknown:
    « appelez avant de venir »; a dotted line for each one missing) and source; the next
    line's y."""
    mm, s, regular, bold = pen.mm, pen.s, pen.regular, pen.bold
    ty = top - 7 * mm * s
    pen.text(col.x, ty, lb.t("card.to", lang), regular, 7, 0.3)
    ty -= 5.5 * mm * s
    ty = pen.block(col.x, ty, e.name, bold, 12, col.width, max_lines=2)
    ty -= 1 * mm * s
    for value, missing in ((e.address, "missing.address"), (e.phone, "missing.phone")):
        if value:
            ty = pen.block(col.x, ty, value, regular, 7.5, col.width, max_lines=2)
        else:
            ty = _to_fill(pen, col, ty, missing, lang)
    if e.email:
        ty = pen.block(col.x, ty, e.email, regular, 7.5, col.width, max_lines=2)
    ty -= 1.5 * mm * s
    label = lb.t("opening", lang) + lb.colon(lang)
    if e.state == "unknown":  # « Horaires : inconnus — appelez avant de venir »
        from reportlab.pdfbase.pdfmetrics import stringWidth

        pen.text(col.x, ty, label.rstrip(), bold, 7)
        pen.text(col.x + stringWidth(label, bold, 7 * s), ty, lb.t("card.hours_unknown", lang),
                 bold, 7)  # fmt: skip
    else:
        pen.text(col.x, ty, label.rstrip(), bold, 7)
    ty -= 3.6 * mm * s
    if e.opening_hours:
        ty = pen.block(
            col.x, ty, humane_hours(e.opening_hours, lang), regular, 7, col.width, max_lines=3
        )
    else:
        ty = _to_fill(pen, col, ty, "missing.hours", lang) + 1.2 * mm * s
    source = f"{lb.t('source', lang)}{lb.colon(lang)}{lb.source_text(e, lang)}"
    stale = lb.stale_text(e, radar, lang)
    if stale:
        source = f"{source} — {stale}"
    return pen.block(col.x, ty, source, pen.italic, 5.5, col.width, 0.3, max_lines=2)


def _draw_journey(
    pen: _Pen, col: _Column, ty: float, e: Entry, head: Sequence[str], lang: str
) -> None:
    """Left column, below the address: how to get there, the recommended departure (``head``:
    day, departure → arrival and total, the spread over the window) and whether it is open on
    arrival (unknown hours are said above)."""
    mm, s, regular = pen.mm, pen.s, pen.regular
    ty -= 1.5 * mm * s
    pen.text(col.x, ty, lb.t("card.how", lang) + lb.colon(lang).rstrip(), pen.bold, 7)
    ty -= 3.4 * mm * s
    ty = pen.block(col.x, ty, lb.how_to_get_there(e, lang, total=False), regular, 7.5,
                   col.width, max_lines=2)  # fmt: skip
    for i, line in enumerate(head):
        font = pen.bold if i == 1 else (pen.italic if i == 2 else regular)
        ty = pen.block(col.x, ty, line, font, 7, col.width, max_lines=2)
    if e.state != "unknown":
        pen.block(col.x, ty, lb.open_status(e, lang), pen.italic, 6.5, col.width, 0.25,
                  max_lines=2)  # fmt: skip


def _draw_sender(
    pen: _Pen, rx: float, rw: float, ry: float, from_relay: str, agent: str, lang: str
) -> float:
    """Right column, from ``ry`` down: who sends (the relay), the agent's name or a dotted
    line to sign; the next line's y."""
    mm, s, regular = pen.mm, pen.s, pen.regular
    pen.text(rx, ry, lb.t("card.from", lang), regular, 7, 0.3)
    ry -= 5 * mm * s
    ry = pen.block(rx, ry, from_relay or "………………………", pen.bold, 9, rw, max_lines=3)
    who = f"{lb.t('card.agent', lang)}{lb.colon(lang)}"
    if agent:
        ry = pen.block(rx, ry, f"{who}{agent}", regular, 8, rw, max_lines=2)
    else:  # a blank line for the adviser to sign their name by hand
        ry -= 2 * mm * s
        pen.text(rx, ry, who.rstrip(), regular, 8)
        from reportlab.pdfbase.pdfmetrics import stringWidth

        pen.dotted(rx + stringWidth(who, regular, 8 * s) + 1 * mm * s, ry - 1, rx + rw)
        ry -= 8 * s * 1.25
    return ry


def _draw_note_box(
    pen: _Pen, rx: float, rw: float, ry: float, box_bottom: float, lang: str
) -> None:
    """Right column, below the sender: a ruled box for a handwritten word to the reception,
    and the quote under it."""
    cv, mm, s = pen.cv, pen.mm, pen.s
    ry -= 2.5 * mm * s
    pen.text(rx, ry, lb.t("card.note", lang), pen.bold, 7)
    ry -= 2 * mm * s
    cv.setStrokeGray(0.55)
    cv.setLineWidth(0.6 * s)
    cv.rect(rx, box_bottom, rw, ry - box_bottom)
    ly = ry - 6 * mm * s
    cv.setStrokeGray(0.8)
    while ly > box_bottom + 2 * mm * s:
        cv.line(rx + 2 * mm * s, ly, rx + rw - 2 * mm * s, ly)
        ly -= 6 * mm * s
    pen.block(rx, box_bottom - 4.5 * mm * s, lb.t("card.quote", lang), pen.italic, 7, rw, 0.2,
              max_lines=3)  # fmt: skip


def _default_ids(radar: Radar, n: int) -> list[str]:
    """The structures to recommend by default: the path's first step after the relay, then
    (to fill an A4 page) another role's first choice, from another need first (creation → the
    entry door, emploi → employment), never the same structure twice."""
    steps = [st for st in radar.path if st.role != "relay" and st.entry_id]
    if not steps:
        steps = [st for st in radar.path if st.entry_id]
    if not steps:
        raise PersonError("the radar has no structure to recommend: give `to`.")
    first = steps[0]
    rest = sorted(steps[1:], key=lambda st: st.need == first.need)  # stable: other needs first
    ids = [str(first.entry_id)]
    for st in rest:
        if len(ids) >= n:
            break
        if st.entry_id and st.entry_id not in ids:
            ids.append(st.entry_id)
    return ids


def recommendation_card(
    radar: Radar,
    path: str | Path,
    *,
    to: str | Sequence[str] | None = None,
    from_relay: str | None = None,
    agent: str = "",
    note: str = "",
    paper: str = "a4",
    lang: str = "fr",
) -> Path:
    """Write recommendation card(s) as a PDF.

    Parameters
    ----------
    radar
        The person's radar (gives the structures, travel times and itineraries).
    path
        Output PDF.
    to
        Id(s) of the structure(s) to recommend (one card each); default: the path's next step
        after the relay (the first entry door, or employment…) and, on A4, a second card for
        another role's first choice (another need first: creation → entry door, emploi →
        employment); each structure once (a single one: half an A4 page).
    from_relay
        Who recommends: a structure id of the radar (its name is printed) or any text (the
        relay's name); default: the path's relay.
    agent
        The agent's name, printed under the relay; empty: a blank line « Conseiller·ère : … »
        to fill by hand.
    note
        Free-text line ("Objet").
    paper
        ``a4`` (two cards per page, cut line) or ``a6`` (one card per page).
    lang
        ``fr`` (default) or ``en``.

    Raises
    ------
    PersonError
        A ``to`` id that is not on the radar (the valid ids are listed), unknown paper.
    """
    from reportlab.lib.pagesizes import A4, A6, landscape
    from reportlab.pdfgen.canvas import Canvas

    lb.check_lang(lang)
    if paper not in CARD_PAPERS:
        raise PersonError(f"unknown card paper {paper!r}: choose one of {', '.join(CARD_PAPERS)}.")
    entries = _card_entries(radar, to, paper)
    from_relay = sender_name(radar, from_relay)
    who = {"from_relay": from_relay, "agent": agent, "note": note, "lang": lang}

    out = Path(path)
    _fonts()

    def draw(tmp: Path) -> None:
        if paper == "a4":
            cv = Canvas(str(tmp), pagesize=A4)
            _draw_a4(cv, A4, entries, radar, who)
        else:
            size = landscape(A6)
            cv = Canvas(str(tmp), pagesize=size)
            _draw_a6(cv, size, entries, radar, who)
        cv.setTitle(lb.t("card.title", lang))
        cv.setCreator("qpv_radar")
        cv.save()

    atomic_write(out, draw)  # a failure half-way leaves the previous card intact
    return out


def sender_name(radar: Radar, from_relay: str | None) -> str:
    """Who recommends: a structure id of the radar gives its name, other text is kept as
    written; ``None``: the path's relay (empty when none)."""
    if from_relay is None:
        relay = radar.first_choice("relay") if "relay" in radar.entries else None
        return relay.name if relay else ""
    wanted = from_relay.strip()
    for es in radar.entries.values():
        for e in es:
            if e.id == wanted:
                return e.name
    return from_relay


def _card_entries(radar: Radar, to: str | Sequence[str] | None, paper: str) -> list[Entry]:
    """The structures to recommend, one card each, each once (a single one leaves the lower
    half of an A4 page blank)."""
    ids: list[str]
    if to is None:
        ids = _default_ids(radar, 2 if paper == "a4" else 1)
    else:
        ids = [to] if isinstance(to, str) else list(to)
    return [radar.entry(i) for i in dict.fromkeys(ids)]


def _draw_a4(
    cv: Any,
    size: tuple[float, float],
    entries: Sequence[Entry],
    radar: Radar,
    who: dict[str, str],
) -> None:
    """Two landscape cards per A4 portrait page (``size``), a dashed cut line between them;
    ``who``: the keywords of :func:`_draw_card` (sender, agent, note, language)."""
    from reportlab.lib.units import mm

    page_w, page_h = size
    slot_h = page_h / 2
    for i, e in enumerate(entries):
        if i and i % 2 == 0:
            cv.showPage()
        y = slot_h if i % 2 == 0 else 0.0
        _draw_card(cv, 0, y, page_w, slot_h, e, radar, **who)
        if i % 2 == 0:
            cv.setDash(3, 3)
            cv.setStrokeGray(0.6)
            cv.setLineWidth(0.5)
            cv.line(5 * mm, slot_h, page_w - 5 * mm, slot_h)
            cv.setDash()
            cv.setFont(_fonts()[0], 6)
            cv.setFillGray(0.5)
            cv.drawString(6 * mm, slot_h + 1.2 * mm, "✂")


def _draw_a6(
    cv: Any,
    size: tuple[float, float],
    entries: Sequence[Entry],
    radar: Radar,
    who: dict[str, str],
) -> None:
    """One card per landscape A6 page (``size``); ``who`` as for :func:`_draw_a4`."""
    for i, e in enumerate(entries):
        if i:
            cv.showPage()
        _draw_card(cv, 0, 0, size[0], size[1], e, radar, **who)
