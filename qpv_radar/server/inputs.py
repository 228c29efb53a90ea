"""Reading the JSON bodies of the web page's requests into checked values.

Every problem raises :class:`~qpv_radar.WebRequestError` (or the library's own error, e.g.
:class:`~qpv_radar.PersonError`), worded in French by default through the catalogue; the
server answers it as a 4xx with the message, never a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from .._defaults import MODES, RADAR_K
from .._errors import WebRequestError
from ..radar import Person
from ..radar.person import NEEDS

__all__ = ["MAX_MINUTES", "RadarRequest", "number", "radar_request", "text_field"]

#: Accepted range of the maximum travel time, minutes.
MAX_MINUTES = (5.0, 180.0)
#: Longest free text accepted in a field (names, notes, hours).
MAX_TEXT = 300


@dataclass(frozen=True)
class RadarRequest:
    """A checked radar request: the person, how many structures per role, the agent's choices."""

    person: Person
    k: int
    choose: dict[str, str]


def number(body: Mapping[str, Any], key: str, default: float | None = None) -> float:
    """A finite number from ``body[key]`` (``default`` when absent)."""
    value = body.get(key, default)
    if isinstance(value, bool) or value is None:
        raise WebRequestError("web.error.number", field=key, value=repr(value))
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise WebRequestError("web.error.number", field=key, value=repr(value)[:40]) from None
    if not math.isfinite(out):
        raise WebRequestError("web.error.number", field=key, value=repr(value)[:40])
    return out


def text_field(body: Mapping[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    """A text of at most ``limit`` characters (``""`` when absent)."""
    value = body.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise WebRequestError("web.error.text", field=key, limit=limit)
    return value.strip()


def _texts(body: Mapping[str, Any], key: str, default: list[str], example: str) -> list[str]:
    value = body.get(key, default)
    if isinstance(value, str):
        value = [v for v in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WebRequestError("web.error.list", field=key, example=example)
    return [v.strip() for v in value if v.strip()][:20]


def _home(body: Mapping[str, Any]) -> tuple[float, float]:
    home = body.get("home")
    if not isinstance(home, Mapping):
        raise WebRequestError("web.error.home")
    try:
        lon, lat = number(home, "lon"), number(home, "lat")
    except WebRequestError:
        raise WebRequestError("web.error.home") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise WebRequestError("web.error.home")
    return lon, lat


def _clock(body: Mapping[str, Any], key: str) -> time:
    value = body.get(key)
    if value in (None, ""):
        raise WebRequestError("web.error.hours_missing")
    if not isinstance(value, str) or len(value) > 8:
        raise WebRequestError("web.error.time", value=repr(value)[:20])
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise WebRequestError("web.error.time", value=repr(value)[:20]) from None


def _day(body: Mapping[str, Any], default: date) -> date:
    value = body.get("day")
    if value in (None, ""):
        return default
    if not isinstance(value, str) or len(value) > 10:
        raise WebRequestError("web.error.day", value=repr(value)[:20])
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise WebRequestError("web.error.day", value=repr(value)[:20]) from None


def _choose(body: Mapping[str, Any]) -> dict[str, str]:
    value = body.get("choose") or {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_TEXT for k, v in value.items()
    ):
        raise WebRequestError("web.error.list", field="choose", example='{"relay": "mpt:…"}')
    return {str(k): str(v) for k, v in value.items() if v}


def radar_request(body: Mapping[str, Any], default_day: date) -> RadarRequest:
    """Check the body of ``POST /api/radar``.

    Keys: ``home`` ``{lon, lat}`` (required), ``needs`` (default ``["creation"]``), ``modes``
    (default walk and transit), ``day`` (``YYYY-MM-DD``, default ``default_day``), ``from`` and
    ``until`` (``HH:MM``, default 09:00–12:00), ``arrive_by`` (``HH:MM``, optional: the
    appointment, « arriver avant »), ``max_minutes`` (default 45), ``k`` (default 5),
    ``choose`` (role → structure id).
    """
    lon, lat = _home(body)
    needs = _texts(body, "needs", ["creation"], '["creation", "emploi"]')
    if not needs:
        raise WebRequestError("web.error.empty", field="needs", valid=", ".join(NEEDS))
    modes = _texts(body, "modes", ["walk", "transit"], '["walk", "transit"]')
    if not modes:
        raise WebRequestError("web.error.empty", field="modes", valid=", ".join(MODES))
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise WebRequestError(
            "web.error.unknown_mode", modes=", ".join(bad), valid=", ".join(MODES)
        )
    day = _day(body, default_day)
    start = _clock({"from": "09:00"} | dict(body), "from")
    until = _clock({"until": "12:00"} | dict(body), "until")
    if until <= start:
        raise WebRequestError(
            "web.error.hours_order", start=f"{start:%H:%M}", until=f"{until:%H:%M}"
        )
    low, high = MAX_MINUTES
    minutes = number(body, "max_minutes", 45.0)
    if not low <= minutes <= high:
        raise WebRequestError("web.error.max_minutes", value=minutes, low=int(low), high=int(high))
    k = number(body, "k", RADAR_K)
    if not (1 <= k <= 20 and k == int(k)):
        raise WebRequestError("web.error.choice", field="k", value=k, valid="1…20")
    arrive = _clock(body, "arrive_by") if body.get("arrive_by") not in (None, "") else None
    person = Person(
        lon=lon,
        lat=lat,
        when=datetime.combine(day, start),
        until=until,
        modes=tuple(modes),
        needs=tuple(needs),
        max_minutes=minutes,
        arrive_by=arrive,
    )
    return RadarRequest(person=person, k=int(k), choose=_choose(body))


def choice(body: Mapping[str, Any], key: str, valid: tuple[str, ...]) -> str:
    """One of ``valid`` (the first when absent)."""
    value = body.get(key) or valid[0]
    if value not in valid:
        raise WebRequestError("web.error.choice", field=key, value=repr(value)[:30],
                              valid=", ".join(valid))  # fmt: skip
    return str(value)
