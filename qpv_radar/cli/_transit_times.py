"""``qpv-radar times --mode transit``: door-to-door public transport time over a window."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

import numpy as np

from ._util import CliInputError, parse_lonlat, print_json

_MODE_FR = {"0": "tram", "1": "métro", "2": "train", "3": "bus", "715": "transport à la demande"}
_MODE_EN = {"0": "tram", "1": "metro", "2": "train", "3": "bus", "715": "on-demand"}


def _when(args: argparse.Namespace, default: datetime | None) -> datetime:
    if args.when:
        try:
            return datetime.fromisoformat(args.when)
        except ValueError as exc:
            raise CliInputError(
                f"--when {args.when!r} is not a date-time like 2024-01-16T08:30."
            ) from exc
    if default is None:
        raise CliInputError("give --when 2024-01-16T08:30 (the territory has no default_when).")
    return default


def run_transit(args: argparse.Namespace) -> int:
    """Compute and print the transit travel time (median over the window) and the itinerary."""
    from ..networks.gtfs import load_timetable
    from ..networks.streets import load_street_network
    from ..routing.transit import departure_profile, transit_itinerary
    from ..territory import load_territory

    lon_o, lat_o = parse_lonlat(args.origin, "--from")
    lon_d, lat_d = parse_lonlat(args.destination, "--to")
    territory = load_territory(args.territory)
    if not territory.gtfs:
        raise CliInputError(
            f"territory {territory.name!r} has no GTFS feed: add a [[gtfs]] source to its file."
        )
    when = _when(args, territory.default_when)
    window = int(args.window or 0)
    if window < 0:
        raise CliInputError("--window must be a number of minutes ≥ 0.")
    tt = load_timetable(territory.gtfs[0].resolve(), when.date())
    net: Any
    if territory.streets is None:  # e.g. Grenoble: no street network in the territory
        from ..routing.transit import CrowFlyWalk

        net = CrowFlyWalk()
    else:
        net = load_street_network(args.territory, "walk", max_snap_m=args.max_snap)
    prof = departure_profile(
        tt, net, (lon_o, lat_o), (lon_d, lat_d), departure=when, window_minutes=window
    )
    times = prof["travel_time"].to_numpy(float)
    filled = np.where(np.isnan(times), np.inf, times)
    pct = {
        f"p{q}": float(v) if np.isfinite(v) else None
        for q, v in zip(
            (10, 50, 80, 90),
            np.percentile(filled, (10, 50, 80, 90), method="inverted_cdf"),
            strict=True,
        )
    }
    out: dict[str, Any] = {
        "mode": "transit",
        "when": when.isoformat(),
        "window_minutes": window,
        "departures": len(prof),
        "travel_time_s": pct["p50"],
        "percentiles": pct,
        "min_s": float(np.nanmin(times)) if np.isfinite(filled).any() else None,
        "reason": None,
        "walking": "street network" if territory.streets is not None else "straight line × 1.3",
        "itinerary": None,
    }
    if np.isfinite(filled).any():
        k = int(np.argmin(filled))
        dep = prof["departure"].iloc[k].replace(tzinfo=None)
        out["fastest_departure"] = dep.isoformat()
        # a window running past midnight may have its fastest departure the next day
        out["itinerary"] = transit_itinerary(
            tt.for_date(dep.date()), net, (lon_o, lat_o), (lon_d, lat_d), dep, lang=args.lang
        ).to_dict()
    else:
        out["reason"] = "no public transport or walking path found within the limits"
    if pct["p50"] is None and out["reason"] is None:
        out["reason"] = "unreachable for more than half of the departures of the window"
    if args.json:
        print_json(out)
        return 0
    fr = args.lang == "fr"
    colon = " : " if fr else ": "  # French typography
    if out["travel_time_s"] is None:
        print(f"{'injoignable' if fr else 'unreachable'}{colon}{out['reason']}")
    else:
        t = out["travel_time_s"]
        head = f"{t / 60:.1f} min ({t:.0f} s)"
        if window > 1:
            p80 = pct["p80"]
            extra = f"p80 {p80 / 60:.1f} min" if p80 is not None else "p80 —"
            head += (
                f" — {'médiane sur' if fr else 'median over'} {window} "
                f"{'départs' if fr else 'departures'} ({extra})"
            )
        print(head)
    it = out["itinerary"]
    if it:
        names = _MODE_FR if fr else _MODE_EN
        print(
            f"{'départ le plus rapide' if fr else 'fastest departure'}{colon}"
            f"{it['departure'][11:16]} → {it['arrival'][11:16]} "
            f"({it['travel_time_s'] / 60:.0f} min)"
        )
        for leg in it["legs"]:
            start = leg["start"][11:16]
            if leg["mode"] == "walk":
                verb = "à pied" if fr else "walk"
                print(
                    f"  {start} {verb} {leg['duration_s'] / 60:.0f} min{colon}"
                    f"{leg['from_name']} → {leg['to_name']}"
                )
            else:
                kind = names.get(leg["route_type"], "ligne" if fr else "line")
                print(
                    f"  {start} {kind} {leg['route_short_name']} ({leg['headsign']}){colon}"
                    f"{leg['from_name']} → {leg['to_name']}, {leg['end'][11:16]}"
                )
    return 0
