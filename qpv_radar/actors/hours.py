"""Opening hours: OpenStreetMap ``opening_hours`` strings, evaluated with *opening-hours-py*.

Every actor stores its hours as one OSM ``opening_hours`` string (``"Mo-Fr 09:00-12:00,
14:00-17:00"``), or ``None`` when the source does not say: **unknown is not closed**, and the
functions here return ``None`` for it. Public holidays (``PH``) follow the French calendar.
Naive datetimes are read as local time of the structure; aware ones are converted to the
structure's timezone first (``tz``: the territory's, default
:data:`~qpv_radar._defaults.DEFAULT_TIMEZONE`).

Converters turn the sources' own formats into OSM strings:

* :func:`from_weekly` — a mapping weekday → list of ``(start, end)`` slots;
* :func:`from_france_services` — ANCT's ``h_lundi … h_samedi`` columns
  (``"09:00 - 12:00 / 13:30 - 17:00"``); ``"00:00 - 00:00"`` is a placeholder and dropped,
  overlapping slots are merged, a week without any slot gives ``None``;
* :func:`from_french` — weekly hours written by hand in French (« lun 9-12, mar 14h-17h »);
* :func:`from_mpt` — the Maisons pour tous JSON (``{"Lundi": {"slots": ["9:00-19:00"],
  "comments": "(fermée entre 12h30 et 14h)"}}``): the lunch break of the comment is cut out.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import opening_hours as _oh

from .._defaults import DEFAULT_TIMEZONE
from .._errors import OpeningHoursError

__all__ = [
    "DAYS",
    "from_france_services",
    "from_french",
    "from_mpt",
    "from_weekly",
    "is_open",
    "is_valid",
    "next_opening",
    "open_during",
    "parse",
]

DAYS: tuple[str, ...] = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_HORIZON = timedelta(days=370)
# opening_hours.ParserError exists at runtime but not in the package's type stubs
_PARSER_ERRORS: tuple[type[Exception], ...] = (
    getattr(_oh, "ParserError", SyntaxError),
    SyntaxError,
)

_FR_DAYS = {
    "lundi": "Mo",
    "mardi": "Tu",
    "mercredi": "We",
    "jeudi": "Th",
    "vendredi": "Fr",
    "samedi": "Sa",
    "dimanche": "Su",
}


@functools.lru_cache(maxsize=4096)
def parse(opening_hours: str) -> _oh.OpeningHours:
    """Parse an OSM opening_hours string (cached).

    Raises
    ------
    ValueError
        Not valid opening_hours syntax.
    """
    try:
        return _oh.OpeningHours(opening_hours, country="FR")
    except _PARSER_ERRORS as exc:
        raise OpeningHoursError(
            f"{opening_hours!r} is not valid opening_hours syntax: {exc}"
        ) from exc


def is_valid(opening_hours: str) -> bool:
    """Whether ``opening_hours`` parses as OSM opening_hours syntax."""
    try:
        parse(opening_hours)
    except ValueError:
        return False
    return True


def _local(when: datetime, tz: str) -> tuple[datetime, ZoneInfo | None]:
    if when.tzinfo is None:
        return when, None
    zone = ZoneInfo(tz)
    return when.astimezone(zone).replace(tzinfo=None), zone


def _back(value: datetime, tz: ZoneInfo | None) -> datetime:
    value = value.replace(tzinfo=None)
    return value if tz is None else value.replace(tzinfo=tz)


def is_open(
    opening_hours: str | None, when: datetime, *, tz: str = DEFAULT_TIMEZONE
) -> bool | None:
    """Whether the structure is open at ``when``; ``None`` when the hours are unknown."""
    if opening_hours is None:
        return None
    local, _ = _local(when, tz)
    state, _comment = parse(opening_hours).state(local)
    if state == _oh.State.UNKNOWN:
        return None
    return bool(state == _oh.State.OPEN)


def next_opening(
    opening_hours: str | None, when: datetime, *, tz: str = DEFAULT_TIMEZONE
) -> datetime | None:
    """The first time at or after ``when`` the structure is open.

    Returns ``when`` itself if open then, ``None`` when the hours are unknown or it never opens
    within a year.
    """
    if opening_hours is None:
        return None
    local, zone = _local(when, tz)
    for start, _end, state, _comment in parse(opening_hours).intervals(local, local + _HORIZON):
        if state == _oh.State.OPEN:
            return _back(max(start, local), zone)
    return None


def open_during(
    opening_hours: str | None,
    start: datetime,
    end: datetime,
    *,
    mode: Literal["all", "any"] = "all",
    tz: str = DEFAULT_TIMEZONE,
) -> bool | None:
    """Whether the structure is open during ``[start, end)``.

    Parameters
    ----------
    mode
        ``"all"`` (default): open for the whole span (e.g. a 30-minute appointment);
        ``"any"``: open at some moment of it (e.g. an arrival window).
    tz
        Timezone of the structure (aware datetimes are converted to it).

    Returns
    -------
    bool or None
        ``None`` when the hours are unknown (or partly unknown over the span).
    """
    if opening_hours is None:
        return None
    if end <= start:
        raise OpeningHoursError(f"open_during: end {end} is not after start {start}")
    a, _ = _local(start, tz)
    b, _ = _local(end, tz)
    states = [s for _s, _e, s, _c in parse(opening_hours).intervals(a, b)]
    if _oh.State.UNKNOWN in states:
        return None
    if mode == "all":
        return all(s == _oh.State.OPEN for s in states)
    return any(s == _oh.State.OPEN for s in states)


# --- converters -------------------------------------------------------------------------------

_HHMM = re.compile(r"^\s*(\d{1,2})\s*[:hH]\s*(\d{2})?\s*$")


def _minutes(text: str) -> int:
    m = _HHMM.match(text)
    if not m:
        raise OpeningHoursError(f"{text!r} is not a time like 09:00")
    h, mi = int(m.group(1)), int(m.group(2) or 0)
    if h > 24 or mi > 59 or (h == 24 and mi):
        raise OpeningHoursError(f"{text!r} is not a time of day")
    return h * 60 + mi


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _merge(slots: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(slots):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def from_weekly(week: Mapping[str, Sequence[tuple[str, str]]]) -> str | None:
    """Build an OSM string from weekday (``Mo`` … ``Su``) → ``[(start, end), …]``.

    Days missing or with no slot are closed; a week with no slot at all gives ``None``
    (unknown). Overlapping slots are merged; consecutive days with the same slots are grouped
    (``Mo-Fr``). A slot ending at or before its start raises :class:`ValueError`.
    """
    per_day: dict[str, str] = {}
    for day, slots in week.items():
        if day not in DAYS:
            raise OpeningHoursError(f"{day!r} is not a weekday among {', '.join(DAYS)}")
        mins = []
        for start, end in slots:
            a, b = _minutes(start), _minutes(end)
            if b <= a:
                raise OpeningHoursError(f"slot {start}-{end} ends before it starts")
            mins.append((a, b))
        if mins:
            per_day[day] = ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in _merge(mins))
    if not per_day:
        return None
    rules: list[str] = []
    i = 0
    while i < len(DAYS):
        day = DAYS[i]
        if day not in per_day:
            i += 1
            continue
        j = i
        while j + 1 < len(DAYS) and per_day.get(DAYS[j + 1]) == per_day[day]:
            j += 1
        span = day if j == i else (f"{day},{DAYS[j]}" if j == i + 1 else f"{day}-{DAYS[j]}")
        rules.append(f"{span} {per_day[day]}")
        i = j + 1
    return "; ".join(rules)


def from_france_services(days: Mapping[str, str | None]) -> str | None:
    """Convert France services weekday columns to an OSM string.

    Parameters
    ----------
    days
        ``{"h_lundi": "09:00 - 12:00 / 13:30 - 17:00", "h_mardi": "", …}`` (``h_`` prefix
        optional, French day names).

    Raises
    ------
    ValueError
        A value that is not ``HH:MM - HH:MM`` slots separated by ``/``.
    """
    week: dict[str, list[tuple[str, str]]] = {}
    for key, value in days.items():
        day = _FR_DAYS.get(key.lower().removeprefix("h_"))
        if day is None:
            raise OpeningHoursError(
                f"{key!r} is not a French weekday column (h_lundi … h_dimanche)"
            )
        slots: list[tuple[str, str]] = []
        for part in (value or "").split("/"):
            if not part.strip():
                continue
            bounds = part.split("-")
            if len(bounds) != 2:
                raise OpeningHoursError(
                    f"{part.strip()!r} in {value!r} is not a slot like 09:00 - 12:00"
                )
            start, end = bounds
            try:
                placeholder = _minutes(start) == 0 and _minutes(end) == 0
            except ValueError as exc:
                raise OpeningHoursError(
                    f"{part.strip()!r} in {value!r} is not a slot ({exc})"
                ) from exc
            if placeholder:
                continue  # "00:00 - 00:00": placeholder for "no slot"
            slots.append((start.strip(), end.strip()))
        week[day] = slots
    return from_weekly(week)


_BREAK = re.compile(
    r"ferm\w*\s+entre\s+(\d{1,2})\s*h\s*(\d{2})?\s+et\s+(\d{1,2})\s*h\s*(\d{2})?", re.IGNORECASE
)
_CLOSED = {"fermé", "ferme", "fermée", "closed"}


def from_mpt(opening: Mapping[str, Mapping[str, object]]) -> str | None:
    """Convert the Maisons pour tous JSON ``openingHours`` to an OSM string.

    ``{"Lundi": {"slots": ["9:00-19:00"], "comments": "(fermée entre 12h30 et 14h)"},
    "Samedi": {"slots": ["Fermé"]}}`` → ``"Mo 09:00-12:30,14:00-19:00"``. Days not given are
    closed; an empty mapping gives ``None``.

    Raises
    ------
    ValueError
        A slot that is neither ``H:MM-H:MM`` nor ``Fermé``, or an unknown day name.
    """
    week: dict[str, list[tuple[str, str]]] = {}
    for name, spec in opening.items():
        day = _FR_DAYS.get(name.strip().lower())
        if day is None:
            raise OpeningHoursError(f"{name!r} is not a French day name (Lundi … Dimanche)")
        raw_slots = spec.get("slots") or []
        if not isinstance(raw_slots, list):
            raise OpeningHoursError(f"{name}: slots must be a list, not {raw_slots!r}")
        mins: list[tuple[int, int]] = []
        for slot in raw_slots:
            text = str(slot).strip()
            if text.lower() in _CLOSED:
                continue
            bounds = text.split("-")
            try:
                if len(bounds) != 2:
                    raise OpeningHoursError("expected two times")
                mins.append((_minutes(bounds[0]), _minutes(bounds[1])))
            except ValueError as exc:
                raise OpeningHoursError(
                    f"{name}: {text!r} is not a slot like 9:00-19:00 or Fermé ({exc})"
                ) from exc
        comment = str(spec.get("comments") or "")
        brk = _BREAK.search(comment)
        if brk and mins:
            a = int(brk.group(1)) * 60 + int(brk.group(2) or 0)
            b = int(brk.group(3)) * 60 + int(brk.group(4) or 0)
            cut: list[tuple[int, int]] = []
            for s, e in mins:
                cut += [(s, min(e, a))] if s < a else []
                cut += [(max(s, b), e)] if e > b else []
            mins = [(s, e) for s, e in cut if e > s]
        week[day] = [(_hhmm(s), _hhmm(e)) for s, e in mins]
    return from_weekly(week)


# --- French weekly hours, as written by hand (« lun 9-12, mar 14h-17h ») -------------------

_FR_DAY_TOKENS = {
    **_FR_DAYS,
    "lun": "Mo",
    "mar": "Tu",
    "mer": "We",
    "jeu": "Th",
    "ven": "Fr",
    "sam": "Sa",
    "dim": "Su",
}
_T = r"(\d{1,2})\s*(?:[h:]\s*(\d{2})?)?"
_FR_TOKEN = re.compile(
    rf"(?P<slot>{_T}\s*(?:-|a)\s*{_T})"
    r"|(?P<days>(?P<d1>[a-z]+)\b\.?(?:\s*-\s*|\s+au\s+|\s+a\s+)(?P<d2>[a-z]+)\b\.?)"
    r"|(?P<day>[a-z]+)\b\.?"
    r"|(?P<sep>[,;/+]|\s+)"
)
_FR_SKIP = {"et", "du", "de", "le", "les", "h", "ferme", "fermee", "ouvert"}


def _fr_fold(text: str) -> str:
    raw = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in raw if not unicodedata.combining(c))
    return re.sub(r"[\u2010-\u2015\u2212]", "-", plain).strip()


def _fr_days(first: str, last: str | None) -> list[str]:
    a = _FR_DAY_TOKENS[first]
    if last is None:
        return [a]
    i, j = DAYS.index(a), DAYS.index(_FR_DAY_TOKENS[last])
    if j < i:
        raise OpeningHoursError(f"{first}-{last}: the last day comes before the first")
    return list(DAYS[i : j + 1])


def from_french(text: str) -> str | None:
    """Convert weekly hours written in French to an OSM string.

    ``"lun 9-12, mar 14h-17h"`` → ``"Mo 09:00-12:00; Tu 14:00-17:00"``;
    ``"du lundi au vendredi 9h–12h et 14h–17h"`` → ``"Mo-Fr 09:00-12:00,14:00-17:00"``;
    ``"mardi 9h30 à 12h"`` → ``"Tu 09:30-12:00"``. Days are ``lun``…``dim`` or full names,
    alone, in lists (``lun, mar``) or ranges (``lun-ven``, ``lundi au vendredi``); times are
    ``9``, ``9h``, ``9h30``, ``09:30``, joined by ``-``, ``–`` or ``à``. A time range applies to
    the days written before it; days written after a time range start a new group. A day
    followed by « fermé » is closed. Blank text gives ``None`` (unknown).

    Raises
    ------
    ValueError
        Unreadable text (the part not understood is named), a day without hours, hours
        without a day, or a slot ending before it starts.
    """
    s = _fr_fold(text)
    if not s:
        return None
    week: dict[str, list[tuple[str, str]]] = {}
    days: list[str] = []
    pending: list[str] = []  # days waiting for their slots
    after_slot = False
    pos = 0
    while pos < len(s):
        m = _FR_TOKEN.match(s, pos)
        if m is None or m.end() == pos:
            raise OpeningHoursError(f"{text!r}: {s[pos : pos + 12]!r} not understood")
        pos = m.end()
        if m.group("slot"):
            if not days:
                raise OpeningHoursError(f"{text!r}: hours without a day before them")
            g = m.groups()
            a, b = f"{g[1]}:{g[2] or '00'}", f"{g[3]}:{g[4] or '00'}"
            for d in days:
                week.setdefault(d, []).append((a, b))
            pending, after_slot = [], True
            continue
        if m.group("sep"):
            continue
        word = m.group("day") or ""
        if m.group("days"):
            d1, d2 = m.group("d1"), m.group("d2")
            if d1 not in _FR_DAY_TOKENS or d2 not in _FR_DAY_TOKENS:
                raise OpeningHoursError(f"{text!r}: {m.group('days')!r} is not a span of days")
            new = _fr_days(d1, d2)
        elif word in _FR_DAY_TOKENS:
            new = _fr_days(word, None)
        elif word in _FR_SKIP:
            if word.startswith("ferme"):
                pending = []  # « sam fermé »: those days stay closed
            continue
        else:
            raise OpeningHoursError(f"{text!r}: {word!r} is neither a day nor a known word")
        if after_slot or not days:
            days, after_slot = [], False
        days += new
        pending += new
    if pending:
        raise OpeningHoursError(f"{text!r}: day(s) without hours at the end")
    if not week:
        raise OpeningHoursError(f"{text!r}: no hours")
    return from_weekly(week)
