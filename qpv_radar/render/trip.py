"""The trip a card recommends, in whole minutes that add up.

A card prints one departure: the itinerary's own departure and arrival, its total, and its
steps with the waits between them (« attente 4 min »). Every time is rounded to the minute
once — the departure down, every later moment up (arriving at 09:42:31 is « 09:43 ») — and
each step lasts from its rounded start to its rounded end, so the steps and waits always add
up to arrival − departure, which is the total printed. When public transport was timed over a
departure window, the window's median and 90th percentile are said in plain words (« d'habitude
41 min, jusqu'à 45 min selon le départ »): the total printed is the recommended departure's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..radar import Entry, Leg, Radar
from . import labels as lb

__all__ = ["Trip", "TripStep", "leave_by_text", "trip_lines", "trip_of"]


@dataclass(frozen=True)
class TripStep:
    """One step of a trip: a ``leg`` (``None`` for a wait), from ``start`` for ``minutes``."""

    start: datetime
    minutes: int
    leg: Leg | None


@dataclass(frozen=True)
class Trip:
    """One recommended departure: rounded ``departure`` and ``arrival``, and the steps (legs
    and waits) that fill the time between them."""

    departure: datetime
    arrival: datetime
    steps: tuple[TripStep, ...]

    @property
    def total_minutes(self) -> int:
        """Arrival − departure, minutes (the sum of the steps)."""
        return int((self.arrival - self.departure).total_seconds() // 60)


def _floor(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def _ceil(t: datetime) -> datetime:
    f = _floor(t)
    return f if f == t else f + timedelta(minutes=1)


def trip_of(e: Entry, when: datetime) -> Trip | None:
    """The trip to ``e`` leaving at ``when`` (or at its itinerary's first departure), from its
    legs; without legs, one step of its travel time. ``None`` when unreachable."""
    if e.best_minutes is None:
        return None
    legs = e.legs or (Leg(mode=e.best_mode or "walk", minutes=e.best_minutes),)
    start0 = legs[0].departure or when
    departure = _floor(start0)
    steps: list[TripStep] = []
    prev = departure
    clock = start0  # the exact time, for legs without their own times
    for leg in legs:
        start = leg.departure or clock
        end = leg.arrival or start + timedelta(minutes=leg.minutes)
        s = max(_ceil(start), prev) if steps else departure
        if s > prev:
            steps.append(TripStep(prev, _minutes(s - prev), None))
        stop = max(_ceil(end), s)
        steps.append(TripStep(s, _minutes(stop - s), leg))
        prev, clock = stop, end
    return Trip(departure, prev, tuple(steps))


def _minutes(d: timedelta) -> int:
    return math.floor(d.total_seconds() / 60 + 1e-9)


def _step_text(st: TripStep, lang: str) -> str:
    at = f"{st.start:%H:%M}"
    if st.leg is None:
        return f"{at} {lb.t('card.wait', lang, m=st.minutes)}"
    took = lb.t("minutes", lang, m=st.minutes) if st.minutes else "< 1 min"
    leg = st.leg
    if leg.line:
        return f"{at} {leg.mode} {leg.line}{lb.colon(lang)}{leg.board} → {leg.alight}, {took}"
    what = lb.mode_name(leg.mode, lang)
    if leg.distance_m:
        km = lb.decimal(f"{leg.distance_m / 1000:.1f}", lang)
        return f"{at} {what}, {took} ({km} km)"
    return f"{at} {what}, {took}"


def clock_text(t: datetime, lang: str = "fr") -> str:
    """``8 h 22`` (French) or ``8:22`` (English): a time of day, to the minute below."""
    return lb.t("arrive_by.clock", lang, h=t.hour, m=f"{t.minute:02d}")


def leave_by_text(e: Entry, radar: Radar, lang: str = "fr") -> str:
    """« partez au plus tard à 8 h 22 de chez vous pour arriver avant 9 h 00 » (``""``
    without an appointment or a journey)."""
    arrive = radar.person.appointment
    if e.leave_by is None or arrive is None:
        return ""
    leave = lb.t("arrive_by.leave_by", lang, time=clock_text(e.leave_by, lang))
    return f"{leave} {lb.t('arrive_by.arrive', lang, time=clock_text(arrive, lang))}"


def spread_text(e: Entry, lang: str = "fr") -> str:
    """``d'habitude 41 min, jusqu'à 45 min selon le départ`` when public transport was timed
    over a departure window, else ``""``."""
    if e.best_mode != "transit" or e.best_minutes is None or e.minutes_p90 is None:
        return ""
    m = lb.duration(e.best_minutes, lang).split()[0]
    p90 = lb.duration(e.minutes_p90, lang).split()[0]
    if p90 == m:
        return lb.t("card.usually.one", lang, m=m)
    return lb.t("card.usually", lang, m=m, p90=p90)


def trip_lines(e: Entry, radar: Radar, lang: str = "fr") -> tuple[list[str], list[str]]:
    """The card's words for the trip: (head lines, step lines).

    Head: the day and date of the trip, « départ 09:00 → arrivée 09:43, 43 min », the spread
    over the window when one was used. Steps: one line per leg and per wait, with its start.
    """
    leave = e.leave_by  # with an appointment: the latest departure, and the trip leaving then
    trip = trip_of(e, leave or radar.person.when)
    if trip is None:
        if radar.person.appointment is not None:
            return [lb.t("arrive_by.none_short", lang)], []
        return [lb.t("unreachable", lang)], []
    head = [
        lb.t("card.trip", lang, day=lb.day_text(leave or radar.person.when, lang)),
        lb.t(
            "card.times",
            lang,
            dep=f"{trip.departure:%H:%M}",
            arr=f"{trip.arrival:%H:%M}",
            total=lb.t("minutes", lang, m=trip.total_minutes),
        ),
    ]
    spread = spread_text(e, lang)
    if spread:
        head.append(spread)
    if leave is not None:
        head.insert(0, leave_by_text(e, radar, lang))
    steps = [_step_text(st, lang) for st in trip.steps]
    steps.append(f"{trip.arrival:%H:%M} {lb.t('card.arrive', lang)}")
    return head, steps
