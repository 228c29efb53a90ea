"""The radar's timetable step: which service date's public-transport timetable answered.

A radar asks its networks (:meth:`qpv_radar.Networks.timetable_day`) which date answers for
the person's date; when another date of the feed stands in for it (the person's date is
outside every feed), a ``timetable_substituted`` notice says so and the radar records it
(:attr:`~qpv_radar.radar.Radar.timetable_date` and the fields around it).
"""

from __future__ import annotations

from typing import Any

from .._errors import ServicePeriodError
from ..networks.gtfs.days import TimetableDay
from .model import Notice, RadarNetworks
from .person import Person

__all__ = ["substituted_notice", "timetable_day", "timetable_fields"]


def timetable_day(
    networks: RadarNetworks, person: Person, strict: bool | None
) -> TimetableDay | None:
    """Which timetable date answers for public transport (``None``: no transit asked, or
    networks that do not say).

    Raises
    ------
    ServicePeriodError
        Strict dates and ``person.when`` outside every feed (other errors of the timetable
        are met again, and said, when the times are computed).
    """
    ask = getattr(networks, "timetable_day", None)
    if "transit" not in person.modes or ask is None:
        return None
    try:
        day: TimetableDay = ask(person.when, strict=strict)
    except ServicePeriodError as exc:
        if exc.code == "gtfs.strict_dates":
            raise
        return None
    return day


def substituted_notice(day: TimetableDay, person: Person) -> Notice:
    """The notice saying another date's timetable answered."""
    return Notice(
        "timetable_substituted",
        mode="transit",
        when=person.when,
        detail=f"{day.period[0].isoformat()}/{day.period[1].isoformat()}",
        network=day.network,
        day=day.used.isoformat(),
    )


def timetable_fields(day: TimetableDay | None) -> dict[str, Any]:
    """The :class:`Radar` fields recording the timetable date used."""
    if day is None:
        return {}
    return {
        "timetable_date": day.used,
        "timetable_substituted": day.substituted,
        "timetable_period": day.period,
        "timetable_network": day.network,
    }
