"""French and English words of the radar's outputs (French by default).

Everything a person reads on the map, the poster and the card comes from here, so a new language
is one more dictionary. :func:`t` looks a key up; :func:`notice_text` words a
:class:`~qpv_radar.radar.Notice`; :func:`how_to_get_there` words an itinerary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from .._errors import LanguageError, TerritoryError
from ..radar import Entry, Leg, Notice, Radar

__all__ = [
    "LANGS",
    "ROLE_SYMBOLS",
    "check_lang",
    "colon",
    "credits",
    "duration",
    "how_to_get_there",
    "humane_hours",
    "leg_lines",
    "mode_name",
    "notice_text",
    "open_status",
    "qpv_note",
    "role_name",
    "t",
    "when_text",
]

LANGS = ("fr", "en")

#: One character per role, printed in the markers (readable in black and white).
ROLE_SYMBOLS: dict[str, str] = {
    "relay": "R",
    "entry_door": "P",
    "support_financing": "€",
    "employment": "E",
    "mobility": "M",
}

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "role.relay": "Relais de proximité",
        "role.entry_door": "Porte d'entrée création",
        "role.support_financing": "Accompagnement et financement",
        "role.employment": "Emploi et formation",
        "role.mobility": "Mobilité",
        "mode.walk": "à pied",
        "mode.bike": "à vélo",
        "mode.car": "en voiture",
        "mode.transit": "en transports en commun",
        "mode.short.walk": "à pied",
        "mode.short.bike": "vélo",
        "mode.short.car": "voiture",
        "mode.short.transit": "transports",
        "title": "Mon radar de l'accompagnement",
        "subtitle.home": "Autour de chez moi",
        "home": "Chez moi (position arrondie à 100 m)",
        "home.exact": "Chez moi",
        "me": "Moi",
        "rings": "Temps de trajet",
        "ring": "moins de {m} min {mode}",
        "legend": "Légende",
        "hours": "Disponible le {day} de {start} à {end}",
        "modes": "Modes : {modes}",
        "max": "Jusqu'à {m} min",
        "address": "Adresse",
        "phone": "Téléphone",
        "email": "Courriel",
        "website": "Site",
        "opening": "Horaires",
        "opening.unknown": "horaires inconnus",
        "travel": "Trajet",
        "open.yes": "ouvert à l'arrivée ({time})",
        "open.later": "ouvre à {time}, pendant vos horaires",
        "open.no": "fermé pendant vos horaires ; prochaine ouverture : {when}",
        "open.unknown": "ouverture à l'arrivée inconnue",
        "open.never": "fermé pendant vos horaires",
        "unreachable": "injoignable",
        "beyond": "au-delà de {m} min",
        "in_qpv": "Dans votre quartier ({qpv})",
        "qpv": "Quartier prioritaire",
        "path": "Parcours suggéré",
        "path.step": "Étape {n}",
        "path.none": "aucune structure",
        "route": "Itinéraire vers {name}",
        "distance": "{km} km à vol d'oiseau",
        "data": "Données",
        "source": "Source",
        "mobile": "service itinérant (présent certains jours)",
        "notice.nothing_within": (
            "rien à moins de {m} min {mode} à {time} pour « {role} »"
            " ; le plus proche : {name} à {nm} min"
        ),
        "notice.nothing_within.none": (
            "rien à moins de {m} min {mode} à {time} pour « {role} », et rien d'atteignable"
        ),
        "notice.no_structure": "aucune structure « {role} » connue sur ce territoire",
        "notice.mode_unavailable": "mode {mode} indisponible",
        "notice.no_timetable": (
            "pas d'horaires de transports en commun le {day}{period} : radar fait sans les "
            "transports en commun"
        ),
        "notice.no_timetable.period": " (horaires connus du {start} au {end})",
        "card.title": "Carte de recommandation",
        "card.from": "De la part de",
        "card.to": "Pour rencontrer",
        "card.how": "Comment y aller",
        "card.note": "Un mot pour l'accueil :",
        "card.free": "Objet :",
        "card.quote": "« Quand on vient de la part de quelqu'un, on se sent plus fort. »",
        "card.agent": "Conseiller·ère",
        "missing.address": "adresse non renseignée — à compléter",
        "missing.phone": "téléphone non renseigné — à compléter",
        "missing.hours": "horaires non renseignés — à compléter",
        "poster.key": "Les structures",
        "poster.open": "plein : ouvert pendant vos horaires, ou horaires inconnus",
        "poster.closed": "contour : fermé pendant vos horaires",
        "poster.beyond": "pointillés, hors du cercle : au-delà de {m} min",
        "poster.cont": "(suite)",
        "map.beyond": "pointillés : au-delà de {m} min",
        "poster.direction": "flèche : direction depuis chez vous",
        "poster.how": "Chaque structure est placée dans le secteur de son rôle, à son temps "
        "de trajet le plus court depuis chez vous.",
        "poster.how.compass": "Chaque structure est placée dans sa direction depuis chez vous "
        "(nord en haut), à son temps de trajet le plus court.",
        "attribution": "Sources",
        "generated": "Réalisé avec qpv_radar",
        "minutes": "{m} min",
        "days": "lundi,mardi,mercredi,jeudi,vendredi,samedi,dimanche",
        "months": "janvier,février,mars,avril,mai,juin,juillet,août,septembre,octobre,"
        "novembre,décembre",
        "transfer": "correspondance",
        "walk_to": "à pied jusqu'à {name}",
    },
    "en": {
        "role.relay": "Local relay",
        "role.entry_door": "Business entry door",
        "role.support_financing": "Support and financing",
        "role.employment": "Employment and training",
        "role.mobility": "Mobility",
        "mode.walk": "on foot",
        "mode.bike": "by bike",
        "mode.car": "by car",
        "mode.transit": "by public transport",
        "mode.short.walk": "walk",
        "mode.short.bike": "bike",
        "mode.short.car": "car",
        "mode.short.transit": "transit",
        "title": "My support radar",
        "subtitle.home": "Around my home",
        "home": "Home (position rounded to 100 m)",
        "home.exact": "Home",
        "me": "Me",
        "rings": "Travel time",
        "ring": "under {m} min {mode}",
        "legend": "Legend",
        "hours": "Available on {day} from {start} to {end}",
        "modes": "Modes: {modes}",
        "max": "Up to {m} min",
        "address": "Address",
        "phone": "Phone",
        "email": "E-mail",
        "website": "Website",
        "opening": "Opening hours",
        "opening.unknown": "hours unknown",
        "travel": "Travel",
        "open.yes": "open on arrival ({time})",
        "open.later": "opens at {time}, within your hours",
        "open.no": "closed during your hours; next opening: {when}",
        "open.unknown": "unknown whether open on arrival",
        "open.never": "closed during your hours",
        "unreachable": "unreachable",
        "beyond": "beyond {m} min",
        "in_qpv": "In your neighbourhood ({qpv})",
        "qpv": "Priority neighbourhood",
        "path": "Suggested path",
        "path.step": "Step {n}",
        "path.none": "no structure",
        "route": "Route to {name}",
        "distance": "{km} km as the crow flies",
        "data": "Data",
        "source": "Source",
        "mobile": "mobile service (there on given days)",
        "notice.nothing_within": (
            "nothing within {m} min {mode} at {time} for “{role}”; the nearest: {name} at {nm} min"
        ),
        "notice.nothing_within.none": (
            "nothing within {m} min {mode} at {time} for “{role}”, and nothing reachable"
        ),
        "notice.no_structure": "no “{role}” structure known in this territory",
        "notice.mode_unavailable": "mode {mode} unavailable",
        "notice.no_timetable": (
            "no public transport timetable for {day}{period}: radar made without public transport"
        ),
        "notice.no_timetable.period": " (timetable known from {start} to {end})",
        "card.title": "Recommendation card",
        "card.from": "Recommended by",
        "card.to": "To meet",
        "card.how": "How to get there",
        "card.note": "A word for the reception:",
        "card.free": "About:",
        "card.quote": "“When someone sends you, you feel stronger.”",
        "card.agent": "Adviser",
        "missing.address": "address not given — to be filled in",
        "missing.phone": "phone not given — to be filled in",
        "missing.hours": "opening hours not given — to be filled in",
        "poster.key": "The structures",
        "poster.open": "filled: open during your hours, or hours unknown",
        "poster.closed": "outline: closed during your hours",
        "poster.beyond": "dotted, outside the circle: beyond {m} min",
        "poster.cont": "(cont.)",
        "map.beyond": "dashed: beyond {m} min",
        "poster.direction": "arrow: direction from your home",
        "poster.how": "Each structure sits in its role's sector, at its shortest travel time "
        "from your home.",
        "poster.how.compass": "Each structure sits in its direction from your home (north up), "
        "at its shortest travel time.",
        "attribution": "Sources",
        "generated": "Made with qpv_radar",
        "minutes": "{m} min",
        "days": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
        "months": "January,February,March,April,May,June,July,August,September,October,"
        "November,December",
        "transfer": "transfer",
        "walk_to": "walk to {name}",
    },
}


_DAYS = {
    "fr": {
        "Mo": "lun",
        "Tu": "mar",
        "We": "mer",
        "Th": "jeu",
        "Fr": "ven",
        "Sa": "sam",
        "Su": "dim",
        "PH": "jours fériés",
        "off": "fermé",
        "closed": "fermé",
        "24/7": "24 h/24, 7 j/7",
    },
    "en": {
        "Mo": "Mon",
        "Tu": "Tue",
        "We": "Wed",
        "Th": "Thu",
        "Fr": "Fri",
        "Sa": "Sat",
        "Su": "Sun",
        "PH": "public holidays",
        "off": "closed",
        "closed": "closed",
        "24/7": "24/7",
    },
}
_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)"


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise :class:`~qpv_radar.LanguageError`."""
    if lang not in LANGS:
        raise LanguageError(f"unknown language {lang!r}: choose one of {', '.join(LANGS)}.")
    return lang


def t(key: str, lang: str = "fr", **kw: object) -> str:
    """The text of ``key`` in ``lang``, formatted with ``kw``."""
    text = _WORDS[check_lang(lang)][key]
    return text.format(**kw) if kw else text


def colon(lang: str = "fr") -> str:
    """The colon with French typography (``" : "``) or English (``": "``)."""
    return " : " if check_lang(lang) == "fr" else ": "


def role_name(role: str, lang: str = "fr") -> str:
    """Human name of a role."""
    return t(f"role.{role}", lang)


def mode_name(mode: str, lang: str = "fr", *, short: bool = False) -> str:
    """Human name of a mode (``à pied``…); unknown modes (tram, bus…) are returned as is."""
    key = f"mode.short.{mode}" if short else f"mode.{mode}"
    return _WORDS[check_lang(lang)].get(key, mode)


def duration(minutes: float | None, lang: str = "fr") -> str:
    """``18 min`` (rounded up to the minute; ``—`` when unknown)."""
    if minutes is None:
        return "—"
    import math

    return t("minutes", lang, m=max(1, math.ceil(minutes - 1e-9)))


def day_text(d: datetime, lang: str = "fr") -> str:
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
    """Whether the structure is open on arrival, or when it opens next."""
    if e.open_on_arrival is None:
        return t("open.unknown", lang)
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


def marker_state(e: Entry) -> str:
    """How a structure is drawn, on the map and the poster alike: ``beyond`` the person's time
    limit, ``closed`` during their hours, else ``open`` (open, or hours unknown: an unknown is
    not drawn as closed)."""
    if not e.within_reach:
        return "beyond"
    if e.open_within_hours is False:
        return "closed"
    return "open"


def how_to_get_there(e: Entry, lang: str = "fr") -> str:
    """``tram 1 → Corum, 18 min`` / ``à pied, 12 min (900 m)``."""
    total = duration(e.best_minutes, lang)
    rides = [leg for leg in e.legs if leg.line]
    if rides:
        parts = [_ride_text(leg) for leg in rides]
        return f"{' ; '.join(parts)}, {total}"
    mode = mode_name(e.best_mode, lang) if e.best_mode else t("unreachable", lang)
    dist = sum(leg.distance_m or 0 for leg in e.legs)
    if dist:
        km = f"{dist / 1000:.1f}".replace(".", "," if lang == "fr" else ".")
        return f"{mode}, {total} ({km} km)"
    return f"{mode}, {total}"


def leg_lines(e: Entry, lang: str = "fr") -> list[str]:
    """One line per leg: ``09:07 bus 19 Gémeaux → Hôtel du Département (13 min)``."""
    out = []
    for leg in e.legs:
        at = f"{leg.departure:%H:%M} " if leg.departure else ""
        if leg.line:
            out.append(
                f"{at}{leg.mode} {leg.line} : {leg.board} → {leg.alight} "
                f"({duration(leg.minutes, lang)})"
                if lang == "fr"
                else f"{at}{leg.mode} {leg.line}: {leg.board} → {leg.alight} "
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
    words = _DAYS[check_lang(lang)]
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
    return text.replace("; ", " ; " if lang == "fr" else "; ")


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


#: The attribution lines written in French by the data loaders, in English.
_CREDITS_EN = {
    "© les contributeurs d'OpenStreetMap": "© OpenStreetMap contributors",
}


def credits(radar: Radar, lang: str = "fr") -> str:
    """The radar's data credits on one line (``·``-separated), in ``lang`` where known."""
    parts = list(radar.attribution)
    if check_lang(lang) == "en":
        for fr, en in _CREDITS_EN.items():
            parts = [p.replace(fr, en) for p in parts]
    return " · ".join(parts)
