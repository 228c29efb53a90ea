"""A radar as the page shows it: the radar's own JSON, a map-ready GeoJSON and every sentence
already worded in the page's language (the page's script only places text, never builds it)."""

from __future__ import annotations

from typing import Any

from ..radar import Radar
from ..render import labels as lb
from ..render.trip import clock_text

__all__ = ["radar_answer", "radar_view"]


def _entry_view(radar: Radar, role: str, e: Any, lang: str) -> dict[str, Any]:
    contact = [x for x in (e.phone, e.email, e.website) if x]
    return {
        "id": e.id,
        "role": role,
        "rank": e.rank,
        "name": e.name,
        "address": ", ".join(x for x in (e.address, e.commune) if x),
        "lon": e.lon,
        "lat": e.lat,
        "minutes": None if e.best_minutes is None else round(e.best_minutes, 1),
        "duration": lb.duration(e.best_minutes, lang),
        "by_mode": lb.minutes_by_mode(e, radar.modes_shown, lang),
        "within_reach": e.within_reach,
        "marker": lb.marker_state(e),
        "state": e.state,
        "leave_by": e.leave_by.isoformat() if e.leave_by else None,
        "leave_text": _leave_text(radar, e, lang),
        "state_text": lb.state_text(e, lang),
        "open_text": lb.open_status(e, lang),
        "way": lb.how_to_get_there(e, lang),
        "steps": lb.leg_lines(e, lang),
        "hours": lb.humane_hours(e.opening_hours, lang),
        "contact": " · ".join(contact),
        "source": lb.source_text(e, lang),
        "stale": lb.stale_text(e, radar, lang),
        "route": [[c[1], c[0]] for leg in e.legs for c in leg.coords],  # Leaflet: lat, lon
    }


def _leave_text(radar: Radar, e: Any, lang: str) -> str:
    """« partir avant 8 h 21 » with an appointment (``""`` without one)."""
    if radar.person.appointment is None:
        return ""
    if e.leave_by is None:
        return lb.t("arrive_by.none_short", lang)
    return lb.t("leave_by.short", lang, time=clock_text(e.leave_by, lang))


def radar_view(radar: Radar, lang: str) -> dict[str, Any]:
    """Every sentence of the radar in ``lang``: header, notices, roles and entries, path."""
    roles = [
        {
            "role": role,
            "name": lb.role_name(role, lang),
            "entries": [_entry_view(radar, role, e, lang) for e in radar.entries.get(role, ())],
        }
        for role in radar.roles
    ]
    path = [
        {
            "role": s.role,
            "role_name": lb.role_name(s.role, lang),
            "entry_id": s.entry_id,
            "text": lb.joint_step_text(radar, [s.role], s.entry_id, lang),
            "chosen_by": s.chosen_by,
        }
        for s in radar.path
    ]
    return {
        "title": lb.t("title", lang),
        "where": radar.home_qpv_name or "",
        "when": lb.when_text(radar, lang),
        "modes": lb.modes_text(radar, lang),
        "appointment": (
            lb.t("arrive_by.ranked", lang, time=clock_text(radar.person.appointment, lang))
            if radar.person.appointment
            else ""
        ),
        "notices": [lb.notice_text(n, lang) for n in radar.notices],
        "roles": roles,
        "path": path,
        "credits": lb.credits(radar, lang),
        "qpv_note": lb.qpv_note(radar, lang),
        "data_date": radar.data_date,
    }


def radar_answer(radar: Radar, lang: str) -> dict[str, Any]:
    """The answer of ``POST /api/radar``: ``radar`` (:meth:`Radar.to_dict`, reloadable),
    ``geojson`` (:meth:`Radar.to_geojson` with the exact home: it stays on this machine) and
    ``view`` (:func:`radar_view`)."""
    return {
        "radar": radar.to_dict(),
        "geojson": radar.to_geojson(exact_home=True),
        "view": radar_view(radar, lang),
    }
