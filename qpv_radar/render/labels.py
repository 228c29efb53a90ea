"""Wording the radar's outputs in French (default) or English, from the one catalogue.

The words themselves live in :mod:`qpv_radar._messages`; this module composes them for the
map, the poster, the card and the terminal: :func:`t` looks a code up; :func:`notice_text`
words a :class:`~qpv_radar.radar.Notice`; :func:`how_to_get_there` and
:func:`itinerary_lines` word itineraries; :func:`message` words a library message or error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .._errors import LanguageError, QpvRadarError, TerritoryError
from .._messages import DEFAULT_LANG, LANGS, Message, days, text
from ..radar import Entry, Leg, Notice, Radar

__all__ = [
    "LANGS",
    "ROLE_SYMBOLS",
    "STATE_SYMBOLS",
    "check_lang",
    "colon",
    "credits",
    "decimal",
    "duration",
    "how_to_get_there",
    "humane_hours",
    "joint_step_text",
    "leg_lines",
    "mode_name",
    "modes_text",
    "notice_text",
    "open_status",
    "qpv_note",
    "role_name",
    "short_date",
    "source_text",
    "stale_text",
    "state_text",
    "t",
    "timetable_text",
    "vintage_year",
    "when_text",
]

#: One character per role, printed in the markers (readable in black and white).
ROLE_SYMBOLS: dict[str, str] = {
    "relay": "R",
    "entry_door": "P",
    "support_financing": "€",
    "employment": "E",
    "mobility": "M",
}

_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)"


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise :class:`~qpv_radar.LanguageError`."""
    if lang not in LANGS:
        raise LanguageError("errors.language", lang=lang, langs=", ".join(LANGS))
    return lang


def t(key: str, lang: str = "fr", **kw: object) -> str:
    """The text of ``key`` in ``lang``, formatted with ``kw``."""
    return text(key, check_lang(lang), **kw)


def message(msg: Message | QpvRadarError | str | None, lang: str = "fr") -> str:
    """A library message (a reason, an error) in ``lang``; plain strings as they are."""
    if msg is None:
        return ""
    if isinstance(msg, QpvRadarError):
        return msg.message(check_lang(lang))
    if isinstance(msg, Message):
        return msg.text(check_lang(lang))
    return str(msg)


def colon(lang: str = "fr") -> str:
    """The colon with French typography (``" : "``) or English (``": "``)."""
    return t("punct.colon", lang)


def decimal(number: str, lang: str = "fr") -> str:
    """A number written with a point (``"1.5"``) with the decimal mark of ``lang`` (``1,5``)."""
    return number.replace(".", t("punct.decimal", lang))


def short_date(d: date | datetime, lang: str = "fr") -> str:
    """``16/01/2024`` / ``2024-01-16``."""
    return t("date.short", lang, d=d)


def role_name(role: str, lang: str = "fr") -> str:
    """Human name of a role."""
    return t(f"role.{role}", lang)


def mode_name(mode: str, lang: str = "fr", *, short: bool = False) -> str:
    """Human name of a mode (``à pied``…) or of a vehicle (``tram``, ``métro``…)."""
    key = f"mode.short.{mode}" if short else f"mode.{mode}"
    for code in (key, f"vehicle.{mode}"):
        words = text(code, check_lang(lang))
        if words != code:
            return words
    return mode


def duration(minutes: float | None, lang: str = "fr") -> str:
    """``18 min`` (rounded up to the minute; ``—`` when unknown)."""
    if minutes is None:
        return "—"
    import math

    return t("minutes", lang, m=max(1, math.ceil(minutes - 1e-9)))


def day_text(d: date | datetime, lang: str = "fr") -> str:
    """``mardi 16 janvier 2024`` / ``Tuesday 16 January 2024``."""
    days = t("days", lang).split(",")
    months = t("months", lang).split(",")
    return f"{days[d.weekday()]} {d.day} {months[d.month - 1]} {d.year}"


def when_text(radar: Radar, lang: str = "fr") -> str:
    """The person's hours, one line."""
    p = radar.person
    return t(
        "hours",
        lang,
        day=day_text(p.when, lang),
        start=f"{p.when:%H:%M}",
        end=f"{p.end:%H:%M}",
    )


def open_status(e: Entry, lang: str = "fr") -> str:
    """Whether the structure is open on arrival, or when it opens next; hours unknown: « à
    vérifier »."""
    if e.state == "unknown":
        return t("state.unknown", lang)
    if e.open_on_arrival is None:  # unreachable: the state over the person's hours
        return t(f"state.{e.state}", lang)
    if e.open_on_arrival:
        return t("open.yes", lang, time=f"{e.arrival:%H:%M}")
    if e.next_opening is not None and e.open_within_hours:
        return t("open.later", lang, time=f"{e.next_opening:%H:%M}")
    if e.next_opening is not None:
        return t("open.no", lang, when=f"{day_text(e.next_opening, lang)} {e.next_opening:%H:%M}")
    return t("open.never", lang)


def notice_text(n: Notice, lang: str = "fr") -> str:
    """One notice as a sentence."""
    role = role_name(n.role, lang) if n.role else ""
    if n.code == "nothing_within":
        modes = ", ".join(mode_name(m, lang) for m in (n.mode or "").split(",") if m)
        time_ = f"{n.when:%H:%M}" if n.when else ""
        if n.nearest is None:
            return t(
                "notice.nothing_within.none",
                lang,
                m=f"{n.minutes:g}",
                mode=modes,
                time=time_,
                role=role,
            )
        return t(
            "notice.nothing_within",
            lang,
            m=f"{n.minutes:g}",
            mode=modes,
            time=time_,
            role=role,
            name=n.nearest,
            nm=duration(n.nearest_minutes, lang).split()[0],
        )
    if n.code == "no_structure":
        return t("notice.no_structure", lang, role=role)
    if n.code == "timetable_substituted":
        return timetable_text(n, lang)
    if n.code == "no_timetable":
        period = ""
        if n.detail and "/" in n.detail:
            start, end = (date.fromisoformat(x) for x in n.detail.split("/", 1))
            period = t(
                "notice.no_timetable.period", lang, start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}"
            )
        day = f"{n.when:%d/%m/%Y}" if n.when else ""
        return t("notice.no_timetable", lang, day=day, period=period)
    return t("notice.mode_unavailable", lang, mode=n.mode or "")


def timetable_text(n: Notice, lang: str = "fr") -> str:
    """A ``timetable_substituted`` notice: « horaires TAM du mardi 23 janvier 2024 : les
    horaires de ce jour ne sont pas chargés (horaires connus du 18/12/2023 au 25/02/2024) »."""
    used = day_text(date.fromisoformat(n.day), lang) if n.day else "—"
    period = {"start": "—", "end": "—"}
    if n.detail and "/" in n.detail:
        start, end = (date.fromisoformat(x) for x in n.detail.split("/", 1))
        period = {"start": short_date(start, lang), "end": short_date(end, lang)}
    return t("notice.timetable_substituted", lang, network=n.network or "", used=used, **period)


def modes_text(radar: Radar, lang: str = "fr") -> str:
    """« Modes : à pied, en transports en commun »: the modes that answered
    (:attr:`Radar.modes_shown`), never those asked but missing (a notice names them)."""
    return t("modes", lang, modes=", ".join(mode_name(m, lang) for m in radar.modes_shown))


#: One sign per opening state, for the terminal (the words say it too).
STATE_SYMBOLS: dict[str, str] = {"open": "●", "closed": "○", "unknown": "?"}


def marker_state(e: Entry) -> str:
    """How a structure is drawn, on the map and the poster alike: ``beyond`` the person's time
    limit, else its opening state: ``open``, ``closed`` or ``unknown`` (hours unknown: drawn
    apart, never as open)."""
    if not e.within_reach:
        return "beyond"
    return e.state


def state_text(e: Entry, lang: str = "fr") -> str:
    """``● ouvert pendant vos horaires`` / ``○ fermé …`` / ``? horaires inconnus — à vérifier``."""
    return f"{STATE_SYMBOLS[e.state]} {t(f'state.{e.state}', lang)}"


def vintage_year(vintage: str | None) -> int | None:
    """The year of a source's vintage (``2011-2012`` → 2011, ``2019-11`` → 2019); sources
    merged (``2014-05 + 2025-04``): the freshest."""
    if not vintage:
        return None
    years = []
    for part in vintage.split("+"):
        found = re.search(r"\b(19|20)\d\d\b", part)
        if found:
            years.append(int(found.group(0)))
    return max(years) if years else None


def stale_text(e: Entry, radar: Radar, lang: str = "fr") -> str:
    """``à vérifier (source 2011)`` when the structure's source is more than 3 years older
    than the radar's date, else ``""``."""
    year = vintage_year(e.vintage)
    if year is None or year >= radar.person.when.year - 3:
        return ""
    return t("source.stale", lang, year=year)


def source_text(e: Entry, lang: str = "fr") -> str:
    """``Ville de Montpellier — associations, 2011-2012`` (source and vintage; ``—`` when
    unknown)."""
    if not e.source:
        return e.vintage or "—"
    if not e.vintage:
        return e.source
    return t("source.line", lang, source=e.source, vintage=e.vintage)


def joint_step_text(radar: Radar, roles: Sequence[str], entry_id: str | None, lang: str) -> str:
    """A step of the path: ``BGE`` (one role), ``BGE — porte d'entrée et financement`` (one
    structure for several roles), ``aucune structure``."""
    e = radar.entry(entry_id, roles[0]) if entry_id else None
    name = e.name if e else t("path.none", lang)
    if len(roles) < 2:
        return name
    return f"{name} — {', '.join(t(f'role.short.{r}', lang) for r in roles)}"


def how_to_get_there(e: Entry, lang: str = "fr", *, total: bool = True) -> str:
    """``tram 1 → Corum, 18 min`` / ``à pied, 12 min (900 m)`` (without the time when not
    ``total``: ``tram 1 → Corum`` / ``à pied (0,9 km)``)."""
    tail = f", {duration(e.best_minutes, lang)}" if total else ""
    rides = [leg for leg in e.legs if leg.line]
    if rides:
        parts = [_ride_text(leg) for leg in rides]
        return f"{' ; '.join(parts)}{tail}"
    mode = mode_name(e.best_mode, lang) if e.best_mode else t("unreachable", lang)
    dist = sum(leg.distance_m or 0 for leg in e.legs)
    if dist:
        km = decimal(f"{dist / 1000:.1f}", lang)
        return f"{mode}{tail} ({km} km)"
    return f"{mode}{tail}"


def leg_lines(e: Entry, lang: str = "fr") -> list[str]:
    """One line per leg: ``09:07 bus 19 Gémeaux → Hôtel du Département (13 min)``."""
    out = []
    for leg in e.legs:
        at = f"{leg.departure:%H:%M} " if leg.departure else ""
        if leg.line:
            out.append(
                f"{at}{leg.mode} {leg.line}{colon(lang)}{leg.board} → {leg.alight} "
                f"({duration(leg.minutes, lang)})"
            )
        else:
            out.append(f"{at}{mode_name(leg.mode, lang)} ({duration(leg.minutes, lang)})")
    return out


def _ride_text(leg: Leg) -> str:
    head = f"{leg.mode} {leg.line}".strip()
    tail = f" → {leg.alight}" if leg.alight else ""
    return f"{head}{tail}"


def minutes_by_mode(e: Entry, modes: Sequence[str], lang: str = "fr") -> str:
    """``à pied 25 min · transports 14 min``."""
    return " · ".join(
        f"{mode_name(m, lang, short=True)} {duration(e.minutes.get(m), lang)}"
        if e.minutes.get(m) is not None
        else f"{mode_name(m, lang, short=True)} {t('unreachable', lang)}"
        for m in modes
    )


def humane_hours(opening_hours: str | None, lang: str = "fr") -> str:
    """OSM ``opening_hours`` made readable, in ``lang``.

    ``Mo-Fr 09:00-12:00,14:00-17:00; Sa off`` → ``lun–ven 09:00–12:00, 14:00–17:00 ; sam fermé``
    (``Mon–Fri 09:00–12:00, 14:00–17:00; Sat closed`` in English); ``None`` → ``horaires
    inconnus``. Anything it does not know is kept as written.
    """
    if not opening_hours:
        return t("opening.unknown", lang)
    words = days(check_lang(lang))
    text = re.sub(r"\s*;\s*", "; ", opening_hours.strip())
    text = re.sub(rf"\b({_DAY})\s*-\s*({_DAY})\b", r"\1–\2", text)  # day ranges
    text = re.sub(rf"\b({_DAY}),(?={_DAY}\b)", r"\1, ", text)  # day lists
    text = re.sub(
        r"(?<![\w/])(24/7|Mo|Tu|We|Th|Fr|Sa|Su|PH|off|closed)(?![\w/])",
        lambda m: words[m.group(1)],
        text,
    )
    text = re.sub(r"(\d\d:\d\d)\s*-\s*(\d\d:\d\d)", r"\1–\2", text)
    text = re.sub(r",(?=\d)", ", ", text)
    return text.replace("; ", t("punct.semicolon", lang))


def qpv_note(radar: Radar, lang: str = "fr") -> str:
    """The caveat about the QPV perimeters in ``lang``.

    The radar carries the territory's French ``[qpv] note``; in English, the territory's
    ``[qpv] note_en`` is used when the radar's note is that territory's note (a radar saved by
    another version, or an unknown territory, keeps its French note rather than none).
    """
    note = radar.qpv_note
    if check_lang(lang) == "fr" or not note:
        return note
    extra = radar.extra.get("qpv_note_en") if isinstance(radar.extra, dict) else None
    if extra:
        return str(extra)
    from ..territory import load_territory

    try:
        terr = load_territory(radar.territory)
    except (TerritoryError, OSError):
        return note
    if terr.qpv_note_en and terr.qpv_note.strip() == note.strip():
        return terr.qpv_note_en
    return note


#: Codes of the attribution lines the radar writes in French (the default language).
_CREDITS = ("credits.osm",)


def credits(radar: Radar, lang: str = "fr") -> str:
    """The radar's data credits on one line (``·``-separated), in ``lang`` where known."""
    parts = list(radar.attribution)
    for code in _CREDITS:
        written, words = text(code, DEFAULT_LANG), t(code, lang)
        parts = [p.replace(written, words) for p in parts]
    return " · ".join(parts)


def end_name(name: str, lang: str = "fr") -> str:
    """A stop name of an itinerary, the two ends (codes ``origin``/``destination``) in words."""
    if name in ("origin", "destination"):
        return t(f"itinerary.{name}", lang)
    return name


def itinerary_dict(itinerary: Any, lang: str = "fr") -> dict[str, Any]:
    """:meth:`~qpv_radar.routing.transit.Itinerary.to_dict` with the two ends in words."""
    d: dict[str, Any] = itinerary.to_dict()
    for leg in d["legs"]:
        leg["from_name"] = end_name(leg["from_name"], lang)
        leg["to_name"] = end_name(leg["to_name"], lang)
    return d


def itinerary_lines(itinerary: Any, lang: str = "fr") -> list[str]:
    """A public-transport itinerary (:class:`~qpv_radar.routing.transit.Itinerary`) for the
    terminal: the departure and arrival, then one line per leg
    (``09:07 bus 19 (Odysseum) : Gémeaux → Place de France, 09:20``)."""
    from ..networks.vehicles import vehicle_of

    c = colon(lang)

    def name(value: str) -> str:
        return end_name(value, lang)

    out = [
        f"{t('times.fastest', lang)}{c}{itinerary.departure:%H:%M} → "
        f"{itinerary.arrival:%H:%M} ({itinerary.travel_time_s / 60:.0f} min)"
    ]
    for leg in itinerary.legs:
        start = f"{leg.start:%H:%M}"
        ends = f"{name(leg.from_name)} → {name(leg.to_name)}"
        if leg.mode == "walk":
            walk = t("itinerary.walk", lang)
            out.append(f"  {start} {walk} {leg.duration_s / 60:.0f} min{c}{ends}")
        else:
            kind = mode_name(vehicle_of(leg.route_type), lang)
            out.append(
                f"  {start} {kind} {leg.route_short_name} ({leg.headsign}){c}{ends}, "
                f"{leg.end:%H:%M}"
            )
    return out


def given_by(agent: str, relay: str, lang: str = "fr") -> str:
    """« Remis par Samia B. — Maison pour tous Léo Lagrange » (either part may be empty;
    nothing when both are)."""
    who = " — ".join(x.strip() for x in (agent, relay) if x and x.strip())
    return t("poster.given_by", lang, who=who) if who else ""
