"""GTFS ``route_type`` → the kind of vehicle: one vocabulary for every output.

Codes are plain English words (``tram``, ``bus``…); the words people read come from the
message catalogue (``vehicle.<code>``). Basic route types (0–12) and the extended ones
(100–1700, Google's "Extended GTFS Route Types", used by many French feeds) are both read.
"""

from __future__ import annotations

__all__ = ["VEHICLES", "vehicle_of"]

#: Basic GTFS route types.
VEHICLES: dict[int, str] = {
    0: "tram",
    1: "metro",
    2: "train",
    3: "bus",
    4: "ferry",
    5: "tram",  # cable tram
    6: "cable_car",
    7: "funicular",
    11: "trolleybus",
    12: "monorail",
}

#: Extended route types, by hundred (first code of each range).
_EXTENDED: dict[int, str] = {
    100: "train",
    200: "coach",
    400: "metro",
    700: "bus",
    800: "trolleybus",
    900: "tram",
    1000: "ferry",
    1200: "ferry",
    1300: "cable_car",
    1400: "funicular",
    1500: "taxi",
    1700: "bus",
}
#: Extended types that are not the rule of their hundred.
_SPECIAL: dict[int, str] = {715: "on_demand", 1501: "on_demand", 401: "metro", 402: "metro"}


def vehicle_of(route_type: object) -> str:
    """The vehicle code of a GTFS ``route_type`` (``"bus"`` when unknown)."""
    try:
        code = int(str(route_type).strip())
    except ValueError:
        return "bus"
    if code in VEHICLES:
        return VEHICLES[code]
    if code in _SPECIAL:
        return _SPECIAL[code]
    return _EXTENDED.get(code // 100 * 100, "bus")
