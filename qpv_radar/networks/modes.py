"""Per-mode rules: which ways a mode may use, in which direction, at which speed.

The rules read OpenStreetMap tags when the input has them (OSM XML/PBF, osmnx graphs and their
GraphML/GeoPackage exports). When a tag is missing, a documented default applies; when the input
has **no tags at all** (the Montpellier osmnx shapefile export: geometry only), every edge is
usable in both directions by every mode, at the mode's default speed (see the README).

Defaults
--------
- walk: 4.5 km/h, every footway, path, pedestrian street, steps and road except motorways,
  trunk roads and their links (unless ``foot=yes``); one-way tags are ignored.
- bike: 15 km/h, cycleways and roads except motorways/trunk, footways only with ``bicycle=yes``
  or ``designated``; one-way streets respected unless a contraflow tag says otherwise
  (``oneway:bicycle=no``, ``cycleway=opposite*``, ``cycleway:left|right=opposite_*``).
- car: ``maxspeed`` when tagged (numbers, mph, ``FR:urban``…), else an urban default per highway
  class (:data:`CAR_SPEED_KMH`); one-way streets and roundabouts respected.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._defaults import MAX_SNAP_M
from .._errors import NetworkError

__all__ = [
    "CAR_SPEED_KMH",
    "MODES",
    "TAG_KEYS",
    "EdgeRules",
    "Mode",
    "ModeRules",
    "apply_rules",
    "mode_rules",
    "parse_maxspeed",
]

Mode = Literal["walk", "bike", "car"]
MODES: tuple[str, ...] = ("walk", "bike", "car")

#: OSM tags read by the rules (every reader keeps these when the input has them).
TAG_KEYS: tuple[str, ...] = (
    "highway",
    "oneway",
    "junction",
    "maxspeed",
    "access",
    "foot",
    "bicycle",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "oneway:bicycle",
    "cycleway",
    "cycleway:left",
    "cycleway:right",
    "cycleway:both",
    "area",
    "name",
)

#: Urban car speeds (km/h) by highway class when ``maxspeed`` is missing (free flow).
CAR_SPEED_KMH: dict[str, float] = {
    "motorway": 110.0,
    "motorway_link": 60.0,
    "trunk": 90.0,
    "trunk_link": 50.0,
    "primary": 50.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 50.0,
    "tertiary_link": 40.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 20.0,
    "service": 20.0,
    "road": 30.0,
}

_WALK_HIGHWAYS = frozenset(
    {
        "footway",
        "pedestrian",
        "path",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "track",
        "road",
        "corridor",
        "bridleway",
        "cycleway",  # only with foot=yes|designated, see _allowed
    }
)
_BIKE_HIGHWAYS = frozenset(
    {
        "cycleway",
        "residential",
        "living_street",
        "service",
        "unclassified",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "track",
        "path",
        "road",
        "footway",  # only with bicycle=yes|designated
        "pedestrian",  # only with bicycle=yes|designated
    }
)
_CAR_HIGHWAYS = frozenset(CAR_SPEED_KMH)
_YES = frozenset({"yes", "designated", "permissive", "destination", "official"})
_NO = frozenset({"no", "private", "use_sidepath", "discouraged"})


@dataclass(frozen=True)
class ModeRules:
    """The parameters of one mode (part of the network cache key).

    Parameters
    ----------
    mode
        ``"walk"``, ``"bike"`` or ``"car"``.
    speed_kmh
        Travel speed on the network for walk and bike; for car, the speed of edges whose class
        and ``maxspeed`` are both unknown.
    connector_speed_kmh
        Speed over the straight line between a point and the edge it is snapped to. Walk and
        bike: the mode's speed; car: walking speed (walking to and from the parked car).
    max_snap_m
        Points farther than this from every usable edge are unreachable (reported, never
        snapped silently).
    car_speed_kmh
        Car speed per highway class when ``maxspeed`` is missing.
    """

    mode: str
    speed_kmh: float
    connector_speed_kmh: float
    max_snap_m: float = MAX_SNAP_M
    car_speed_kmh: dict[str, float] = field(default_factory=lambda: dict(CAR_SPEED_KMH))

    @property
    def speed_mps(self) -> float:
        """Network speed in metres per second."""
        return self.speed_kmh / 3.6

    @property
    def connector_speed_mps(self) -> float:
        """Connector (point → edge) speed in metres per second."""
        return self.connector_speed_kmh / 3.6

    def key(self) -> dict[str, Any]:
        """A JSON-able description, used in the cache key."""
        return asdict(self)


def mode_rules(mode: str = "walk", **overrides: Any) -> ModeRules:
    """Return the default :class:`ModeRules` of ``mode``, with ``overrides`` applied.

    Raises
    ------
    NetworkError
        Unknown mode or option, or a non-positive speed/distance.
    """
    defaults = {
        "walk": ModeRules("walk", 4.5, 4.5),
        "bike": ModeRules("bike", 15.0, 15.0),
        "car": ModeRules("car", 30.0, 4.5),
    }
    if mode not in defaults:
        raise NetworkError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}.")
    unknown = set(overrides) - {"speed_kmh", "connector_speed_kmh", "max_snap_m", "car_speed_kmh"}
    if unknown:
        raise NetworkError(
            f"unknown mode option(s) {sorted(unknown)}: use speed_kmh, connector_speed_kmh, "
            "max_snap_m or car_speed_kmh."
        )
    rules = replace(defaults[mode], **{k: v for k, v in overrides.items() if v is not None})
    for name in ("speed_kmh", "connector_speed_kmh", "max_snap_m"):
        value = getattr(rules, name)
        if not (isinstance(value, int | float) and np.isfinite(value) and value > 0):
            raise NetworkError(f"{name} must be a positive number, got {value!r}.")
    return rules


_MPH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*mph\s*$")
_NUM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:km/h|kmh|kph)?\s*$")
_ZONE = {
    "fr:urban": 50.0,
    "fr:rural": 80.0,
    "fr:motorway": 130.0,
    "fr:zone30": 30.0,
    "fr:walk": 6.0,
    "walk": 6.0,
    "living_street": 20.0,
}


def parse_maxspeed(value: object) -> float:
    """Parse an OSM ``maxspeed`` value to km/h (NaN when absent or not understood).

    Understands numbers (``"50"``), miles per hour (``"30 mph"``), French implicit values
    (``"FR:urban"``, ``"FR:zone30"``…) and lists (``"50;30"`` → the lowest).
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return float("nan")
    if isinstance(value, list | tuple):
        speeds = [parse_maxspeed(v) for v in value]
        speeds = [s for s in speeds if np.isfinite(s)]
        return min(speeds) if speeds else float("nan")
    text = str(value).strip().lower()
    if ";" in text or "|" in text:
        return parse_maxspeed(re.split(r"[;|]", text))
    if text in _ZONE:
        return _ZONE[text]
    if m := _MPH.match(text):
        return float(m.group(1)) * 1.609344
    if m := _NUM.match(text):
        speed = float(m.group(1))
        return speed if speed > 0 else float("nan")
    if text.startswith("fr:zone") and text[7:].isdigit():
        return float(text[7:])
    return float("nan")


@dataclass(frozen=True)
class EdgeRules:
    """Result of :func:`apply_rules`: per edge, allowed directions and speed (m/s)."""

    forward: np.ndarray
    backward: np.ndarray
    speed_mps: np.ndarray


def _col(tags: pd.DataFrame, key: str) -> pd.Series:
    if key in tags.columns:
        return tags[key].astype("object").map(_norm)
    return pd.Series([None] * len(tags), index=tags.index, dtype="object")


def _norm(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, list | tuple):  # osmnx merges tag values of simplified ways
        return _norm(value[0]) if value else None
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    text = str(value).strip().lower()
    if text.startswith("[") and text.endswith("]"):  # a list written to GraphML/GeoPackage
        first = text[1:-1].split(",")[0].strip().strip("'\"")
        return first or None
    return text or None


def apply_rules(rules: ModeRules, tags: pd.DataFrame, *, directed_input: bool = False) -> EdgeRules:
    """Decide, for every edge, whether ``rules.mode`` may use it forward/backward and how fast.

    Parameters
    ----------
    rules
        The mode's rules.
    tags
        One row per edge, columns among :data:`TAG_KEYS` (missing columns = tag absent).
    directed_input
        True when each edge is already one direction of travel (an osmnx directed graph, where
        two-way streets appear twice): car and bike then only go forward, except bikes on
        contraflow-tagged edges.

    Returns
    -------
    EdgeRules
    """
    n = len(tags)
    highway = _col(tags, "highway")
    # An input without any highway tag (the osmnx shapefile export) is "untagged": every edge is
    # usable. When the tag exists, an edge without it (a building, a fence…) is not a street.
    has_tags = bool(highway.notna().any())
    hw = highway.fillna("").to_numpy(dtype=object)
    ok = _allowed(rules, tags, hw) if has_tags else np.ones(n, dtype=bool)
    forward, backward = _directions(rules, tags, ok, directed_input=directed_input)
    speed_kmh = _speeds_kmh(rules, tags, hw, has_tags=has_tags)
    return EdgeRules(forward=forward, backward=backward, speed_mps=speed_kmh / 3.6)


def _allowed(rules: ModeRules, tags: pd.DataFrame, hw: np.ndarray) -> np.ndarray:
    """Edges the mode may use in some direction: by highway class, access and mode tags."""
    n = len(tags)
    access = _col(tags, "access")
    if rules.mode == "walk":
        allowed_class = np.isin(hw, list(_WALK_HIGHWAYS))
        specific = _col(tags, "foot")
        needs_yes = np.isin(hw, ["cycleway"])
    elif rules.mode == "bike":
        allowed_class = np.isin(hw, list(_BIKE_HIGHWAYS))
        specific = _col(tags, "bicycle")
        needs_yes = np.isin(hw, ["footway", "pedestrian"])
    else:
        allowed_class = np.isin(hw, list(_CAR_HIGHWAYS))
        specific = _col(tags, "motorcar").fillna(_col(tags, "motor_vehicle"))
        specific = specific.fillna(_col(tags, "vehicle"))
        needs_yes = np.zeros(n, dtype=bool)
    spec = specific.fillna("").to_numpy(dtype=object)
    acc = access.fillna("").to_numpy(dtype=object)
    said_yes = np.isin(spec, list(_YES))
    said_no = np.isin(spec, list(_NO))
    closed = np.isin(acc, ["no", "private"]) & ~said_yes
    area = _col(tags, "area").fillna("").to_numpy(dtype=object) == "yes"
    ok = (allowed_class & ~needs_yes) | (allowed_class & needs_yes & said_yes)
    ok |= said_yes & (hw != "") & (rules.mode != "car")  # e.g. foot=yes on a trunk road
    ok &= ~said_no & ~closed & ~(area & (rules.mode == "car"))
    return ok


def _directions(
    rules: ModeRules, tags: pd.DataFrame, ok: np.ndarray, *, directed_input: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(forward, backward) usability: one-way streets and roundabouts for bikes and cars,
    contraflow for bikes; walking goes both ways."""
    n = len(tags)
    forward = ok.copy()
    backward = ok.copy()
    if rules.mode != "walk":
        oneway = _col(tags, "oneway").fillna("").to_numpy(dtype=object)
        junction = _col(tags, "junction").fillna("").to_numpy(dtype=object)
        if directed_input:
            fwd_only = np.ones(n, dtype=bool)
            reverse = np.zeros(n, dtype=bool)
        else:
            fwd_only = np.isin(oneway, ["yes", "true", "1"]) | (
                np.isin(junction, ["roundabout", "circular"]) & ~np.isin(oneway, ["no", "-1"])
            )
            reverse = np.isin(oneway, ["-1", "reverse"])
            forward &= ~np.isin(oneway, ["reversible", "alternating"])
            backward &= ~np.isin(oneway, ["reversible", "alternating"])
        if rules.mode == "bike":
            contra = _col(tags, "oneway:bicycle").fillna("").to_numpy(dtype=object) == "no"
            for key in ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both"):
                value = _col(tags, key).fillna("").to_numpy(dtype=object)
                contra |= np.char.startswith(value.astype(str), "opposite")
            fwd_only &= ~contra
            reverse &= ~contra
        backward &= ~fwd_only
        forward &= ~reverse
    return forward, backward


def _speeds_kmh(
    rules: ModeRules, tags: pd.DataFrame, hw: np.ndarray, *, has_tags: bool
) -> np.ndarray:
    """Speed of every edge: the mode's speed, or for cars ``maxspeed`` else the class speed."""
    n = len(tags)
    if rules.mode == "car":
        maxspeed = np.array([parse_maxspeed(v) for v in _col(tags, "maxspeed")], dtype=float)
        by_class = np.array(
            [rules.car_speed_kmh.get(h, rules.speed_kmh) for h in hw], dtype=float
        ).reshape(n)
        speed_kmh = np.where(np.isfinite(maxspeed), maxspeed, by_class)
        speed_kmh = np.where(has_tags, speed_kmh, rules.speed_kmh)
    else:
        speed_kmh = np.full(n, rules.speed_kmh)
    return speed_kmh
