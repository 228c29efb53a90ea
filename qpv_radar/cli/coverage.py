"""``qpv-radar coverage``: residents without an open structure within T minutes, by slot."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from ._util import CliInputError

_HTML = (".html", ".htm")


def register(sub: Any) -> None:
    """Add the ``coverage`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "coverage",
        help="écarts de couverture par QPV et créneau / coverage gaps per QPV and time slot",
        description=(
            "Share of each QPV's residents who cannot reach any open structure of a role within "
            "T minutes, for each time slot (walking + public transport by default)."
        ),
    )
    p.add_argument("--territory", default=DEFAULT_TERRITORY, help="territory name or TOML file")
    p.add_argument(
        "--role",
        default="entry_door",
        help="relay, entry_door, support_financing, employment or mobility (default entry_door)",
    )
    p.add_argument("--minutes", type=float, default=30.0, help="T in minutes (default 30)")
    p.add_argument(
        "--slots",
        default=None,
        help="comma-separated slots, e.g. weekday-06:00,weekday-09:00,sunday-10:00 "
        "(default: weekday 06:00, 09:00, 12:30, 18:30, 21:00, saturday and sunday 10:00)",
    )
    p.add_argument(
        "--mode",
        choices=("transit", "walk"),
        default="transit",
        help="transit = walking + public transport (default); walk = on foot only",
    )
    p.add_argument(
        "--window",
        type=int,
        default=10,
        help="transit departures every minute over this many minutes, median (default 10; "
        "0 = one departure)",
    )
    p.add_argument(
        "--unknown-hours",
        choices=("open", "closed"),
        default="open",
        help="how structures with unknown opening hours count (default open)",
    )
    p.add_argument("--out", help="table with perimeters: .gpkg, .parquet (GeoParquet) or .csv")
    p.add_argument("--html", help="Folium map with one layer per slot")
    p.add_argument("--csv", help="also write the table as CSV (no geometry)")
    p.add_argument("--top", type=int, default=10, help="worst gaps printed (default 10)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from .. import analysis, planner
    from ..export import write_table
    from .permanences import check_out

    if args.minutes <= 0:
        raise CliInputError(f"--minutes {args.minutes:g}: give a positive number of minutes.")
    if args.window < 0:
        raise CliInputError(
            f"--window {args.window}: give 0 (one departure) or a positive number of minutes."
        )
    slots = (
        [s.strip() for s in args.slots.split(",") if s.strip()]
        if args.slots
        else list(analysis.DEFAULT_SLOTS)
    )
    if not slots:
        raise CliInputError("--slots is empty: give e.g. weekday-06:00,sunday-10:00.")
    if args.role not in planner.ROLES:
        raise CliInputError(f"--role {args.role!r}: choose among {', '.join(planner.ROLES)}.")
    check_out(args.out)
    for path, option, suffixes in ((args.csv, "--csv", (".csv",)), (args.html, "--html", _HTML)):
        if path and Path(path).suffix.lower() not in suffixes:
            raise CliInputError(f"{option} {path}: give a file ending in {' or '.join(suffixes)}.")
        if path and not Path(path).parent.exists():
            raise CliInputError(f"{path}: its folder does not exist; create it first.")
    res = planner.coverage(
        args.territory,
        role=args.role,
        minutes=args.minutes,
        slots=slots,
        mode=args.mode,
        window_minutes=args.window,
        unknown=args.unknown_hours,
        progress=sys.stderr.isatty(),
    )
    table = res.table
    if args.out:
        write_table(table, args.out, layer="coverage")
    if args.csv:
        write_table(table.drop(columns="geometry"), args.csv)
    from ..render import labels

    role = labels.role_name(args.role, args.lang)
    mode = labels.mode_name(args.mode, args.lang)  # transit: door to door, walks included
    if args.html:
        from ..render.planner_map import coverage_map

        label = "Écarts de couverture" if args.lang == "fr" else "Coverage gaps"
        coverage_map(
            table,
            minutes=args.minutes,
            slots=slots,
            title=f"{label} — {role} — {mode}",
            note=res.note,
            lang=args.lang,
        ).save(args.html)
    fr = args.lang == "fr"
    head = (
        f"Pires écarts ({role}, {mode}, {args.minutes:g} min) :"
        if fr
        else f"Worst gaps ({role}, {mode}, {args.minutes:g} min):"
    )
    print(head)
    for r in table.head(args.top).itertuples():
        print(
            f"{r.rank:>3}  {r.slot:<15} {r.nom_qp:<32} {r.share_uncovered:6.0%}  "
            f"{r.pop_uncovered:8,.0f} / {r.population:,.0f}" + (" hab." if fr else " residents")
        )
    print(_hours_line(res, args.role, args.unknown_hours, fr))
    if res.note:
        print(res.note)
    return 0


def _hours_line(res: Any, role: str, unknown: str, fr: bool) -> str:
    """How many of the role's structures have unknown opening hours, and how they counted."""
    s = res.structures
    s = s[s["roles"].map(lambda rs: role in tuple(rs or ())).to_numpy(bool)]
    hours = list(s["opening_hours"]) if "opening_hours" in s.columns else [None] * len(s)
    n_unknown = sum(not isinstance(h, str) or not h.strip() for h in hours)
    n, other = len(s), ("closed" if unknown == "open" else "open")
    if fr:
        how = "comptées ouvertes" if unknown == "open" else "comptées fermées"
        tail = (
            " : leurs écarts par créneau ne reflètent que les temps de trajet, pas l'ouverture."
            if n_unknown and unknown == "open"
            else "."
        )
        return (
            f"Horaires : {n_unknown} des {n} structures « {role} » sans horaires publiés, {how} "
            f"à toute heure (--unknown-hours {other} pour l'inverse){tail}"
        )
    how = "counted as open" if unknown == "open" else "counted as closed"
    tail = (
        ": their gaps by slot reflect travel times only, not whether they are open."
        if n_unknown and unknown == "open"
        else "."
    )
    return (
        f"Opening hours: {n_unknown} of the {n} '{role}' structures have no published hours, "
        f"{how} at every hour (--unknown-hours {other} for the reverse){tail}"
    )
