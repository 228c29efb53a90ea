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
from datetime import datetime
from pathlib import Path
from typing import Any

from .._errors import PersonError
from ..radar import Entry, Radar
from . import labels as lb
from .labels import humane_hours

__all__ = ["CARD_PAPERS", "humane_hours", "recommendation_card"]

#: ``a4``: two landscape cards of 210 × 148.5 mm per A4 portrait page; ``a6``: one per page.
CARD_PAPERS = ("a4", "a6")


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
    return names


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            cand = f"{line} {word}".strip()
            if stringWidth(cand, font, size) <= width or not line:
                line = cand
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


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
    from reportlab.lib.units import mm

    regular, bold, italic = _fonts()
    s = w / (148 * mm)  # scale from the A6 design
    pad = 7 * mm * s
    left_w = w * 0.58
    # frame
    cv.setStrokeGray(0.2)
    cv.setLineWidth(1.2 * s)
    cv.roundRect(x + 3 * mm * s, y + 3 * mm * s, w - 6 * mm * s, h - 6 * mm * s, 4 * mm * s)

    def text(tx: float, ty: float, t: str, font: str, size: float, gray: float = 0.0) -> None:
        cv.setFillGray(gray)
        cv.setFont(font, size * s)
        cv.drawString(tx, ty, t)

    def dotted(x0: float, ly: float, x1: float) -> None:
        """A dotted line to write on by hand."""
        cv.setStrokeGray(0.2)
        cv.setDash(1, 2)
        cv.setLineWidth(0.5 * s)
        cv.line(x0, ly, x1, ly)
        cv.setDash()

    def block(
        tx: float,
        ty: float,
        t: str,
        font: str,
        size: float,
        width: float,
        gray: float = 0.0,
        max_lines: int = 4,
    ) -> float:
        lines = _wrap(t, font, size * s, width)[:max_lines]
        for line in lines:
            text(tx, ty, line, font, size, gray)
            ty -= size * s * 1.25
        return ty

    top = y + h - pad - 4 * mm * s
    text(x + pad, top, lb.t("card.title", lang).upper(), bold, 8, 0.35)
    ty = top - 7 * mm * s
    text(x + pad, ty, lb.t("card.to", lang), regular, 7, 0.3)
    ty -= 5.5 * mm * s
    ty = block(x + pad, ty, e.name, bold, 12, left_w - pad, max_lines=2)
    ty -= 1 * mm * s

    def to_fill(ty: float, key: str) -> float:
        """Say the field is missing, and leave a dotted line to write it by hand."""
        ty = block(x + pad, ty, lb.t(key, lang), italic, 6.5, left_w - pad, 0.3, max_lines=1)
        ty -= 3.2 * mm * s
        dotted(x + pad, ty, x + left_w)
        return ty - 3.6 * mm * s

    for value, missing in ((e.address, "missing.address"), (e.phone, "missing.phone")):
        if value:
            ty = block(x + pad, ty, value, regular, 7.5, left_w - pad, max_lines=2)
        else:
            ty = to_fill(ty, missing)
    if e.email:
        ty = block(x + pad, ty, e.email, regular, 7.5, left_w - pad, max_lines=2)
    ty -= 1.5 * mm * s
    text(
        x + pad,
        ty,
        f"{lb.t('opening', lang)} :" if lang == "fr" else f"{lb.t('opening', lang)}:",
        bold,
        7,
    )
    ty -= 3.6 * mm * s
    if e.opening_hours:
        ty = block(
            x + pad, ty, humane_hours(e.opening_hours, lang), regular, 7, left_w - pad, max_lines=3
        )
    else:
        ty = to_fill(ty, "missing.hours") + 1.2 * mm * s
    ty -= 1.5 * mm * s
    text(
        x + pad,
        ty,
        f"{lb.t('card.how', lang)} :" if lang == "fr" else f"{lb.t('card.how', lang)}:",
        bold,
        7,
    )
    ty -= 3.6 * mm * s
    ty = block(x + pad, ty, lb.how_to_get_there(e, lang), regular, 8, left_w - pad, max_lines=2)
    ty = block(x + pad, ty, lb.open_status(e, lang), italic, 6.5, left_w - pad, 0.25, max_lines=2)
    if len(e.legs) > 1:  # the steps of a public-transport journey
        ty -= 1 * mm * s
        for line in lb.leg_lines(e, lang)[:6]:
            if ty < y + pad + 12 * mm * s:
                break
            ty = block(
                x + pad + 2 * mm * s, ty, line, regular, 6.5, left_w - pad - 2 * mm * s, max_lines=2
            )
    # free text line
    fy = y + pad + 6 * mm * s
    text(x + pad, fy, lb.t("card.free", lang), bold, 7)
    fx = x + pad + 13 * mm * s
    dotted(fx, fy - 1, x + left_w)
    if note:
        text(fx + 1 * mm * s, fy + 0.5, note[:70], italic, 7.5)

    # right column: who sends, handwritten note
    rx = x + left_w + 5 * mm * s
    rw = w - left_w - pad - 5 * mm * s
    ry = top - 7 * mm * s
    text(rx, ry, lb.t("card.from", lang), regular, 7, 0.3)
    ry -= 5 * mm * s
    ry = block(rx, ry, from_relay or "………………………", bold, 9, rw, max_lines=3)
    who = f"{lb.t('card.agent', lang)}{lb.colon(lang)}"
    if agent:
        ry = block(rx, ry, f"{who}{agent}", regular, 8, rw, max_lines=2)
    else:  # a blank line for the adviser to sign their name by hand
        ry -= 2 * mm * s
        text(rx, ry, who.rstrip(), regular, 8)
        from reportlab.pdfbase.pdfmetrics import stringWidth

        dotted(rx + stringWidth(who, regular, 8 * s) + 1 * mm * s, ry - 1, rx + rw)
        ry -= 8 * s * 1.25
    ry -= 2.5 * mm * s
    text(rx, ry, lb.t("card.note", lang), bold, 7)
    ry -= 2 * mm * s
    box_bottom = y + pad + 14 * mm * s
    cv.setStrokeGray(0.55)
    cv.setLineWidth(0.6 * s)
    cv.rect(rx, box_bottom, rw, ry - box_bottom)
    ly = ry - 6 * mm * s
    cv.setStrokeGray(0.8)
    while ly > box_bottom + 2 * mm * s:
        cv.line(rx + 2 * mm * s, ly, rx + rw - 2 * mm * s, ly)
        ly -= 6 * mm * s
    block(rx, box_bottom - 4.5 * mm * s, lb.t("card.quote", lang), italic, 7, rw, 0.2, max_lines=3)
    stamp = f"{datetime.now():%d/%m/%Y}" if lang == "fr" else f"{datetime.now():%Y-%m-%d}"
    text(
        x + pad,
        y + pad - 2.5 * mm * s,
        f"{stamp} · {radar.data_date} · qpv_radar",
        regular,
        5,
        0.45,
    )


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
        employment); a single structure fills the A4 page with two copies.
    from_relay
        Who recommends (the relay's name); default: the path's relay.
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
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    lb.check_lang(lang)
    if paper not in CARD_PAPERS:
        raise PersonError(f"unknown card paper {paper!r}: choose one of {', '.join(CARD_PAPERS)}.")
    ids: list[str]
    if to is None:
        ids = _default_ids(radar, 2 if paper == "a4" else 1)
    else:
        ids = [to] if isinstance(to, str) else list(to)
    entries = [radar.entry(i) for i in ids]
    if paper == "a4" and len(entries) == 1:
        entries *= 2  # fill the page: two copies of the one card
    if from_relay is None:
        relay = radar.first_choice("relay") if "relay" in radar.entries else None
        from_relay = relay.name if relay else ""

    out = Path(path)
    _fonts()
    if paper == "a4":
        page_w, page_h = A4
        cv = Canvas(str(out), pagesize=A4)
        slot_h = page_h / 2
        for i, e in enumerate(entries):
            if i and i % 2 == 0:
                cv.showPage()
            y = slot_h if i % 2 == 0 else 0.0
            _draw_card(
                cv,
                0,
                y,
                page_w,
                slot_h,
                e,
                radar,
                from_relay=from_relay,
                agent=agent,
                note=note,
                lang=lang,
            )
            if i % 2 == 0:
                cv.setDash(3, 3)
                cv.setStrokeGray(0.6)
                cv.setLineWidth(0.5)
                cv.line(5 * mm, slot_h, page_w - 5 * mm, slot_h)
                cv.setDash()
                cv.setFont(_fonts()[0], 6)
                cv.setFillGray(0.5)
                cv.drawString(6 * mm, slot_h + 1.2 * mm, "✂")
    else:
        size = landscape(A6)
        cv = Canvas(str(out), pagesize=size)
        for i, e in enumerate(entries):
            if i:
                cv.showPage()
            _draw_card(
                cv,
                0,
                0,
                size[0],
                size[1],
                e,
                radar,
                from_relay=from_relay,
                agent=agent,
                note=note,
                lang=lang,
            )
    cv.setTitle(lb.t("card.title", lang))
    cv.setCreator("qpv_radar")
    cv.save()
    return out
