"""``qpv-radar times``: travel time between two points.

The work is dispatched on ``--mode`` through :data:`MODE_HANDLERS` (mode → function taking the
parsed arguments and returning ``(seconds or None, reason or None)``): street modes are handled
here; another module can add a mode (e.g. transit) by adding its handler and its options.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ._util import CliInputError, parse_lonlat, print_json

Handler = Callable[[argparse.Namespace], tuple[float | None, str | None]]


def _street(args: argparse.Namespace) -> tuple[float | None, str | None]:
    import geopandas as gpd
    import shapely

    from ..networks.streets import load_street_network
    from ..routing.times import travel_times

    lon_o, lat_o = parse_lonlat(args.origin, "--from")
    lon_d, lat_d = parse_lonlat(args.destination, "--to")
    net = load_street_network(args.territory, args.mode, max_snap_m=args.max_snap)
    o = gpd.GeoDataFrame(geometry=[shapely.Point(lon_o, lat_o)], crs=4326)
    d = gpd.GeoDataFrame(geometry=[shapely.Point(lon_d, lat_d)], crs=4326)
    row = travel_times(net, o, d, reasons=True, lang=args.lang).iloc[0]
    t = row["travel_time"]
    return (None, str(row["reason"])) if t != t else (float(t), None)


#: mode → handler; extend it to add a mode (and its options in ``register``).
MODE_HANDLERS: dict[str, Handler] = {"walk": _street, "bike": _street, "car": _street}


def register(sub: Any) -> None:
    """Add the ``times`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "times",
        help="temps de parcours entre deux points / travel time between two points",
    )
    p.add_argument("--territory", default="montpellier", help="territory name or TOML file")
    p.add_argument("--mode", default="walk", help=f"one of {', '.join(MODE_HANDLERS)}, transit")
    p.add_argument("--from", dest="origin", required=True, metavar="LON,LAT")
    p.add_argument("--to", dest="destination", required=True, metavar="LON,LAT")
    p.add_argument(
        "--max-snap",
        type=float,
        default=None,
        metavar="M",
        help="max distance (m) from a point to the street network (default 300)",
    )
    p.add_argument(
        "--when",
        metavar="ISO",
        help="transit: departure date-time, e.g. 2024-01-16T08:30 (default: the territory's)",
    )
    p.add_argument(
        "--window",
        type=int,
        default=0,
        metavar="MIN",
        help="transit: departures every minute over this window; prints the median",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.mode == "transit":
        from ._transit_times import run_transit

        return run_transit(args)
    handler = MODE_HANDLERS.get(args.mode)
    if handler is None:
        raise CliInputError(
            f"unknown mode {args.mode!r}: choose one of {', '.join([*MODE_HANDLERS, 'transit'])}."
        )
    seconds, reason = handler(args)
    if args.json:
        print_json({"travel_time_s": seconds, "reason": reason})
    elif seconds is None:
        label = "injoignable" if args.lang == "fr" else "unreachable"
        print(f"{label}: {reason}")
    else:
        print(f"{seconds / 60:.1f} min ({seconds:.0f} s)")
    return 0
