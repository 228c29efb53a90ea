"""``qpv-radar shifts``: who, in each QPV, can reach a shift by its start and get home after
its end (:func:`qpv_radar.analysis.shifts.shift_reachability`).

    qpv-radar shifts --territory montpellier --workplaces examples/workplaces_montpellier.csv \\
        --start 05:30,06:00 --end 21:00,22:30 --days mar,sam,dim --out shifts.csv
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from ._util import CliInputError, t

_WEEKDAYS = {
    **{d: i for i, d in enumerate(("lun", "mar", "mer", "jeu", "ven", "sam", "dim"))},
    **{d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
}


def register(sub: Any) -> None:
    """Add the ``shifts`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "shifts",
        help="horaires atypiques : part des habitants de chaque QPV qui peuvent être au travail "
        "à l'heure et rentrer chez eux / shift reachability per QPV",
    )
    p.add_argument("--territory", default=DEFAULT_TERRITORY, help="territory name or TOML file")
    p.add_argument("--workplaces", type=Path, required=True,
                   help="CSV (name, lon, lat) or a vector file of named points")  # fmt: skip
    p.add_argument("--start", default="05:30", help="shift starts HH:MM,… (arrive by)")
    p.add_argument("--end", default="22:30", help="shift ends HH:MM,… (leave work at)")
    p.add_argument("--days", default="mar", help="lun…dim / mon…sun or ISO dates, comma-separated")
    p.add_argument("--from-date", help="the week's first day for --days (default: today)")
    p.add_argument("--modes", default="transit,bike,walk", help="modes, comma-separated")
    p.add_argument("--max-minutes", type=float, default=60.0, help="longest journey (default 60)")
    p.add_argument("--home-window", type=float, default=180.0,
                   help="ends: minutes after the end to look for the last departure home "
                   "(default 180)")  # fmt: skip
    p.add_argument("--out", type=Path, required=True, help="table: .csv, .gpkg or .parquet")
    p.add_argument("--map", type=Path, help="write the map (one layer per shift) here, .html")
    p.add_argument("--lang", choices=("fr", "en"), default=argparse.SUPPRESS)
    p.set_defaults(func=run)


def _clocks(text: str, option: str) -> list[time]:
    try:
        return [time.fromisoformat(x.strip()) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise CliInputError("shifts.bad_clock", option=option, value=text) from exc


def _days(text: str, start: date) -> list[date]:
    out = []
    for raw in (x.strip().lower() for x in text.split(",") if x.strip()):
        if raw[:3] in _WEEKDAYS and not raw[0].isdigit():
            out.append(start + timedelta(days=(_WEEKDAYS[raw[:3]] - start.weekday()) % 7))
            continue
        try:
            out.append(date.fromisoformat(raw))
        except ValueError as exc:
            raise CliInputError("shifts.bad_day", value=raw) from exc
    return out


def _workplaces(path: Path) -> Any:
    import geopandas as gpd
    import pandas as pd

    from .._io import check_file, read_vector

    check_file(path)
    if path.suffix.lower() == ".csv":
        df = pd.read_csv(path, encoding="utf-8-sig")
        if not {"name", "lon", "lat"} <= set(df.columns):
            raise CliInputError("shifts.bad_workplaces", path=str(path))
        gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs=4326)
    else:
        gdf = read_vector(path).to_crs(4326)
        if "name" not in gdf.columns:
            raise CliInputError("shifts.bad_workplaces", path=str(path))
    return gdf.set_index("name")[["geometry"]]


def run(args: argparse.Namespace) -> int:
    """Compute the table, write it, print the summary."""
    from .. import Networks
    from ..analysis.shifts import shift_reachability
    from ..export import write_table
    from ..planner.inputs import resident_origins

    lang = getattr(args, "lang", "fr")
    start = date.fromisoformat(args.from_date) if args.from_date else datetime.now().date()
    nets = Networks(args.territory)
    qpv, origins = resident_origins(nets.territory or args.territory, nets.street_network("walk"))
    table = shift_reachability(
        nets, _workplaces(args.workplaces), origins, qpv,
        starts=_clocks(args.start, "--start"), ends=_clocks(args.end, "--end"),
        days=_days(args.days, start), modes=[m.strip() for m in args.modes.split(",") if m.strip()],
        max_minutes=args.max_minutes, home_window_minutes=args.home_window,
    )  # fmt: skip
    write_table(table, args.out)
    for line in summary(table, lang):
        print(line)
    print(f"→ {args.out.resolve()}")
    if args.map:
        from ..render.shifts_map import shifts_map

        shifts_map(table, qpv, lang="en" if lang == "en" else "fr").save(str(args.map))
        print(f"→ {args.map.resolve()}")
    return 0


def _services(rows: list[Any], lang: str) -> str:
    """« ; partir de chez soi au plus tard à 5 h 02 » (a start, median by public transport) or
    « ; dernier départ en transports pour rentrer : 0 h 40 (…) » (an end)."""
    import pandas as pd

    for r in rows:
        if r.mode != "transit":
            continue
        if r.kind == "start" and not pd.isna(r.median_departure):
            d = pd.Timestamp(r.median_departure)
            return t("shifts.first_service", lang, h=d.hour, m=f"{d.minute:02d}")
        if r.kind == "end" and not pd.isna(r.last_departure):
            d = pd.Timestamp(r.last_departure)
            return t("shifts.last_service", lang, h=d.hour, m=f"{d.minute:02d}",
                     share=round(100 * r.last_share))  # fmt: skip
    return ""


def summary(table: Any, lang: str = "fr") -> list[str]:
    """Plain sentences, one per day × shift moment × workplace × QPV, every mode in one (« à
    Mosson, 62 % des habitants peuvent être à Euromédecine à 5 h 30 en transports ; 100 % à
    vélo »), and which timetable answered for a day outside the feeds."""
    out = []
    keys = ["day", "kind", "time", "workplace", "code_qp"]
    for (day, kind, at, workplace, _code), part in table.groupby(keys, sort=False):
        rows = list(part.itertuples())
        shares = [t("shifts.other", lang, share=round(100 * r.share),
                    mode=t(f"shifts.mode.{r.mode}", lang)) for r in rows]  # fmt: skip
        line = t(f"shifts.{kind}", lang, day=day.isoformat(), qpv=rows[0].nom_qp,
                 workplace=workplace, h=at.hour, m=f"{at.minute:02d}",
                 shares=t("shifts.join", lang).join(shares))  # fmt: skip
        out.append(line + _services(rows, lang))
    days = sorted({(r.day, r.timetable_date) for r in table.itertuples() if r.substituted})
    for d, used in days:
        out.append(t("shifts.substituted", lang, day=d.isoformat(), used=used.isoformat()))
    return out
