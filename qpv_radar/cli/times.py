"""``qpv-radar times``: travel time between two points, by any mode (through ``Networks``)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from .._defaults import MODES
from ._util import CliInputError, h, parse_lonlat, print_json


def register(sub: Any) -> None:
    """Add the ``times`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "times",
        help=h("cli.help.times.times"),
    )
    p.add_argument("--territory", default=None, help=h("cli.help.times.territory"))
    p.add_argument("--mode", default="walk", help=h("cli.help.times.mode", modes=", ".join(MODES)))
    p.add_argument("--from", dest="origin", required=True, metavar="LON,LAT")
    p.add_argument("--to", dest="destination", required=True, metavar="LON,LAT")
    p.add_argument(
        "--max-snap",
        type=float,
        default=None,
        metavar="M",
        help=h("cli.help.times.max_snap"),
    )
    p.add_argument(
        "--when",
        metavar="ISO",
        help=h("cli.help.times.when"),
    )
    p.add_argument(
        "--window",
        type=int,
        default=0,
        metavar="MIN",
        help=h("cli.help.times.window"),
    )
    p.add_argument(
        "--strict-dates",
        action="store_true",
        help=h("cli.help.times.strict_dates"),
    )
    p.add_argument("--json", action="store_true", help=h("cli.help.times.json"))
    p.set_defaults(func=_run)


def _networks(args: argparse.Namespace) -> Any:
    from .._defaults import DEFAULT_TERRITORY
    from ..routing.networks import Networks

    return Networks(
        args.territory or DEFAULT_TERRITORY,
        max_snap_m=args.max_snap,
        strict_dates=bool(getattr(args, "strict_dates", False)),
    )


def _run(args: argparse.Namespace) -> int:
    if args.mode not in MODES:
        raise CliInputError("routing.unknown_mode", mode=args.mode, modes=", ".join(MODES))
    if args.mode == "transit":
        return _run_transit(args)
    import geopandas as gpd
    import shapely

    from ..render import labels

    lon_o, lat_o = parse_lonlat(args.origin, "--from")
    lon_d, lat_d = parse_lonlat(args.destination, "--to")
    nets = _networks(args)
    o = gpd.GeoDataFrame(geometry=[shapely.Point(lon_o, lat_o)], crs=4326)
    d = gpd.GeoDataFrame(geometry=[shapely.Point(lon_d, lat_d)], crs=4326)
    row = nets.travel_times(o, d, mode=args.mode, reasons=True).iloc[0]
    t = row["travel_time"]
    seconds, reason = (
        (None, labels.message(row["reason"], args.lang)) if t != t else (float(t), None)
    )
    if args.json:
        print_json({"travel_time_s": seconds, "reason": reason})
    elif seconds is None:
        print(f"{labels.t('times.unreachable', args.lang)}: {reason}")
    else:
        print(f"{seconds / 60:.1f} min ({seconds:.0f} s)")
    return 0


def _when(args: argparse.Namespace, tz: str) -> datetime:
    """``--when``, or the next working day at 09:00 from now in the territory's timezone."""
    if args.when:
        try:
            return datetime.fromisoformat(args.when)
        except ValueError as exc:
            raise CliInputError(
                f"--when {args.when!r} is not a date-time like 2024-01-16T08:30."
            ) from exc
    from zoneinfo import ZoneInfo

    from ..networks.gtfs.days import next_working_day

    return next_working_day(datetime.now(ZoneInfo(tz)).replace(tzinfo=None))


def _percentiles(times: Any) -> dict[str, float | None]:
    import numpy as np

    filled = np.where(np.isnan(times), np.inf, times)
    return {
        f"p{q}": float(v) if np.isfinite(v) else None
        for q, v in zip(
            (10, 50, 80, 90),
            np.percentile(filled, (10, 50, 80, 90), method="inverted_cdf"),
            strict=True,
        )
    }


def _run_transit(args: argparse.Namespace) -> int:
    """The transit travel time (median over the window) and the fastest itinerary."""
    import numpy as np

    from ..render import labels

    lon_o, lat_o = parse_lonlat(args.origin, "--from")
    lon_d, lat_d = parse_lonlat(args.destination, "--to")
    nets = _networks(args)
    assert nets.territory is not None
    if "transit" not in nets.modes:
        raise CliInputError(
            f"territory {nets.name!r} has no GTFS feed: add a [[gtfs]] source to its file."
        )
    when = _when(args, nets.territory.timezone)
    window = int(args.window or 0)
    if window < 0:
        raise CliInputError("--window must be a number of minutes ≥ 0.")
    o, d = (lon_o, lat_o), (lon_d, lat_d)
    day = nets.timetable_day(when)
    prof = nets.departure_profile(o, d, departure=when, window_minutes=window)
    times = prof["travel_time"].to_numpy(float)
    pct = _percentiles(times)
    reachable = bool(np.isfinite(times).any())
    out: dict[str, Any] = {
        "mode": "transit",
        "when": when.isoformat(),
        "window_minutes": window,
        "departures": len(prof),
        "travel_time_s": pct["p50"],
        "percentiles": pct,
        "min_s": float(np.nanmin(times)) if reachable else None,
        "reason": None,
        "walking": "street network" if nets.has_streets else "straight line × 1.3",
        "timetable_date": day.used.isoformat(),
        "timetable_substituted": day.substituted,
        "timetable_period": day.to_dict()["period"],
        "timetable_network": day.network,
        "timetable_note": _timetable_note(day, args.lang),
        "itinerary": None,
    }
    itinerary = None
    if reachable:
        k = int(np.nanargmin(times))
        dep = prof["departure"].iloc[k].replace(tzinfo=None)
        out["fastest_departure"] = dep.isoformat()
        # a window running past midnight may have its fastest departure the next day
        itinerary = nets.itinerary(o, d, mode="transit", departure=dep)
        out["itinerary"] = labels.itinerary_dict(itinerary, args.lang)
    else:
        out["reason"] = labels.t("times.no_path", args.lang)
    if pct["p50"] is None and out["reason"] is None:
        out["reason"] = labels.t("times.half_unreachable", args.lang)
    if args.json:
        print_json(out)
        return 0
    _print_transit(out, pct, window, itinerary, args.lang)
    return 0


def _timetable_note(day: Any, lang: str) -> str:
    """« horaires TAM du mardi 16 janvier 2024 », and why when another date answered."""
    from ..radar import Notice
    from ..render import labels

    if day.substituted:
        start, end = day.period
        notice = Notice(
            "timetable_substituted",
            mode="transit",
            detail=f"{start.isoformat()}/{end.isoformat()}",
            network=day.network,
            day=day.used.isoformat(),
        )
        return labels.notice_text(notice, lang)
    return labels.t(
        "times.timetable_day", lang, network=day.network, used=labels.day_text(day.used, lang)
    )


def _print_transit(
    out: dict[str, Any], pct: dict[str, float | None], window: int, itinerary: Any, lang: str
) -> None:
    from ..render import labels

    c = labels.colon(lang)
    t = out["travel_time_s"]
    if t is None:
        print(f"{labels.t('times.unreachable', lang)}{c}{out['reason']}")
    else:
        head = f"{t / 60:.1f} min ({t:.0f} s)"
        if window > 1:
            p80 = pct["p80"]
            extra = f"p80 {p80 / 60:.1f} min" if p80 is not None else "p80 —"
            head += f" — {labels.t('times.median', lang, n=window)} ({extra})"
        print(head)
    if itinerary is not None:
        print("\n".join(labels.itinerary_lines(itinerary, lang)))
    print(("⚠ " if out["timetable_substituted"] else "") + out["timetable_note"])
