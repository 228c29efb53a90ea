"""GTFS feeds: read a zip once, build a compact timetable for one service date.

The feed is read with :mod:`pandas` directly (every column as text, UTF-8 with or without BOM,
quoted fields), then turned into numpy arrays for routing. Two stages:

- :func:`read_feed` parses a zip into a :class:`GtfsFeed` (date-independent; cached in memory by
  path, size and modification time). Frequencies are expanded here.
- :func:`load_timetable` selects what runs on one date and returns a :class:`Timetable`: routes
  as unique stop sequences ("patterns"), trips sorted without overtaking, stop times as one
  ``trips × stops`` matrix per pattern.

Calendar rules (GTFS reference):

- a service runs on a date when calendar.txt has it on that weekday within
  ``[start_date, end_date]``, unless calendar_dates.txt removes it that day
  (``exception_type=2``); calendar_dates.txt can also add it (``exception_type=1``). Feeds with
  calendar_dates.txt only are supported;
- stop times past 24:00:00 belong to the previous service day: a timetable for date ``D``
  contains the trips of ``D`` and the trips of ``D - 1`` still running after midnight, shifted
  by −24 h;
- a date outside the feed's period, or a date without any service, raises
  :class:`~qpv_radar.ServicePeriodError` naming the period and the nearest dates with service.
"""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._errors import InputFileError, InputProblem, ServicePeriodError, TimetableError

__all__ = [
    "GtfsFeed",
    "Timetable",
    "dates_with_service",
    "feed_info",
    "load_timetable",
    "read_feed",
    "service_period",
    "services_on",
    "trips_per_date",
]

IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]

_REQUIRED: dict[str, tuple[str, ...]] = {
    "agency.txt": ("agency_name", "agency_timezone"),
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id",),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY = 86_400


# ----------------------------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------------------------
def _read_table(zf: zipfile.ZipFile, name: str, names: dict[str, str]) -> pd.DataFrame | None:
    """Read one GTFS table as text (BOM stripped, quoted fields, no NA guessing)."""
    member = names.get(name)
    if member is None:
        return None
    with zf.open(member) as fh:
        raw = fh.read()
    if not raw.strip():
        return pd.DataFrame()
    df = pd.read_csv(
        io.BytesIO(raw),
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        encoding="utf-8-sig",
        skipinitialspace=True,
    )
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    return df


def _parse_times(values: pd.Series, table: str, column: str, path: str) -> npt.NDArray[np.float64]:
    """``H:MM:SS`` (hours may exceed 24) → seconds as float (NaN when empty).

    Vectorised over fixed-width bytes: ``H:MM:SS`` is left-padded to ``HH:MM:SS``; the rare
    longer values (hours ≥ 100) go through a slow path.
    """
    raw = np.asarray(values.to_numpy(dtype=str), dtype=str)
    raw = np.char.strip(raw)
    empty = raw == ""
    out = np.full(len(raw), np.nan)
    padded = np.char.zfill(raw, 8)
    b = padded.astype("S8")  # truncates longer strings: checked below
    m = np.frombuffer(b.tobytes(), dtype=np.uint8).reshape(len(b), 8).astype(np.int64) - 48
    fits = (np.char.str_len(padded) == 8) & ~empty
    colon = (m[:, 2] == ord(":") - 48) & (m[:, 5] == ord(":") - 48)
    digits = np.delete(m, [2, 5], axis=1)
    ok = fits & colon & ((digits >= 0) & (digits <= 9)).all(axis=1)
    sec = (m[:, 0] * 10 + m[:, 1]) * 3600 + (m[:, 3] * 10 + m[:, 4]) * 60 + m[:, 6] * 10 + m[:, 7]
    out[ok] = sec[ok]
    bad_rows: list[int] = []
    for i in np.flatnonzero(~ok & ~empty):  # slow path: e.g. 100:00:00, or junk
        parts = str(raw[i]).split(":")
        try:
            h, mi, se = (int(x) for x in parts)
            out[i] = h * 3600 + mi * 60 + se
        except ValueError:
            bad_rows.append(int(i))
    if bad_rows:
        raise InputFileError(
            f"{path}:{table}",
            [
                InputProblem(
                    i + 1,
                    column,
                    f"time {str(raw[i])!r} is not HH:MM:SS",
                    "write times as HH:MM:SS (hours may go past 24 for trips after midnight)",
                )
                for i in bad_rows
            ],
        )
    return out


def _yyyymmdd(values: pd.Series, table: str, column: str, path: str) -> pd.Series:
    parsed = pd.to_datetime(values.str.strip(), format="%Y%m%d", errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        raise InputFileError(
            f"{path}:{table}",
            [
                InputProblem(
                    int(i) + 1, column, f"{values.iloc[i]!r} is not a date", "write YYYYMMDD"
                )
                for i in bad
            ],
        )
    return parsed.dt.date


@dataclass(eq=False)
class GtfsFeed:
    """A parsed GTFS feed, independent of any date.

    Attributes
    ----------
    path
        The zip file.
    agencies
        agency.txt (``agency_id, agency_name, agency_timezone, …``).
    timezone
        The agency timezone (GTFS requires one for the whole feed).
    stops
        Stop points (``location_type`` 0 or empty), index ``0..n-1`` used by the timetable:
        ``stop_id, stop_name, stop_lat, stop_lon, parent_station, station_name``.
    routes
        ``route_id, agency_id, route_short_name, route_long_name, route_type, route_color,
        route_text_color``.
    trips
        One row per trip *instance* (frequencies expanded): ``trip_id, route_idx, service_id,
        trip_headsign, pattern, shift`` (seconds added to the template's times).
    calendar, calendar_dates
        As read (dates parsed); empty frames when absent.
    transfers
        ``from_idx, to_idx, transfer_type, min_transfer_time`` (stop indices; NaN time when not
        given).
    """

    path: str
    agencies: pd.DataFrame
    timezone: str
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    transfers: pd.DataFrame
    # patterns (unique stop sequence + pickup/drop-off flags), over template trips
    pattern_stops: list[IntArray] = field(repr=False)
    pattern_board: list[BoolArray] = field(repr=False)
    pattern_alight: list[BoolArray] = field(repr=False)
    pattern_route: IntArray = field(repr=False)
    # per template trip: offsets of its stop times in tmpl_arr/tmpl_dep (trip order = templates)
    tmpl_ptr: npt.NDArray[np.int64] = field(repr=False)
    tmpl_arr: IntArray = field(repr=False)
    tmpl_dep: IntArray = field(repr=False)
    trip_template: IntArray = field(repr=False)  # per instance: template trip index
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # e.g. footpaths per walk

    @property
    def period(self) -> tuple[date, date]:
        """First and last date of the feed's service period."""
        return service_period(self)


def _problems_missing(tables: dict[str, pd.DataFrame | None]) -> list[InputProblem]:
    problems: list[InputProblem] = []
    for name, cols in _REQUIRED.items():
        df = tables.get(name)
        if df is None:
            problems.append(InputProblem(None, None, f"{name} is missing", "add it to the zip"))
            continue
        for c in cols:
            if c not in df.columns:
                problems.append(
                    InputProblem(None, c, f"{name} has no column {c!r}", "add the column")
                )
    if tables.get("calendar.txt") is None and tables.get("calendar_dates.txt") is None:
        problems.append(
            InputProblem(
                None,
                None,
                "neither calendar.txt nor calendar_dates.txt is present",
                "add at least one of them",
            )
        )
    return problems


def _interpolate(trip_codes: npt.NDArray[np.int64], times: npt.NDArray[np.float64]) -> None:
    """Fill NaN times linearly between timed stops of the same trip (in place, by position)."""
    nan = np.isnan(times)
    if not nan.any():
        return
    idx = np.arange(len(times))
    known = ~nan
    # previous/next known index within the same trip
    prev = np.where(known, idx, -1)
    prev = np.maximum.accumulate(prev)
    nxt = np.where(known, idx, len(times))
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]
    ok = nan & (prev >= 0) & (nxt < len(times))
    ok[ok] &= (trip_codes[prev[ok]] == trip_codes[idx[ok]]) & (
        trip_codes[nxt[ok]] == trip_codes[idx[ok]]
    )
    p, n, i = prev[ok], nxt[ok], idx[ok]
    times[i] = times[p] + (times[n] - times[p]) * (i - p) / (n - p)


def _read(path: str) -> GtfsFeed:
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise TimetableError(
            f"{path}: cannot open as a GTFS zip ({exc}). Give the path of the feed's .zip file."
        ) from exc
    with zf:
        names = {Path(n).name: n for n in zf.namelist() if not n.endswith("/")}
        wanted = (
            *_REQUIRED,
            "calendar.txt",
            "calendar_dates.txt",
            "frequencies.txt",
            "transfers.txt",
        )
        tables = {n: _read_table(zf, n, names) for n in wanted}
    problems = _problems_missing(tables)
    if problems:
        raise InputFileError(path, problems)
    agencies = tables["agency.txt"]
    stops_all = tables["stops.txt"]
    routes = tables["routes.txt"]
    trips = tables["trips.txt"]
    st = tables["stop_times.txt"]
    assert agencies is not None and stops_all is not None and routes is not None
    assert trips is not None and st is not None
    agencies = agencies.drop_duplicates().reset_index(drop=True)
    tzs = [t for t in agencies["agency_timezone"].str.strip().unique() if t]
    if not tzs:
        raise InputFileError(
            path,
            [InputProblem(1, "agency_timezone", "agency.txt has no timezone", "e.g. Europe/Paris")],
        )
    timezone = tzs[0]

    # ---- stops: points (location_type 0/empty) indexed 0..n-1; stations give names
    for c in ("location_type", "parent_station", "stop_name"):
        if c not in stops_all.columns:
            stops_all[c] = ""
    lt = stops_all["location_type"].str.strip().replace("", "0")
    stations = stops_all[lt == "1"].set_index("stop_id")["stop_name"]
    points = stops_all[lt == "0"]
    file_rows = points.index.to_numpy() + 1
    points = points.reset_index(drop=True)
    lat = pd.to_numeric(points["stop_lat"], errors="coerce")
    lon = pd.to_numeric(points["stop_lon"], errors="coerce")
    bad = np.flatnonzero((lat.isna() | lon.isna()).to_numpy())
    if len(bad):
        raise InputFileError(
            f"{path}:stops.txt",
            [
                InputProblem(
                    int(file_rows[i]),
                    "stop_lat/stop_lon",
                    f"stop {points['stop_id'].iloc[i]!r} has no valid coordinates "
                    f"({points['stop_lat'].iloc[i]!r}, {points['stop_lon'].iloc[i]!r})",
                    "write WGS84 decimal degrees, e.g. 43.6085 and 3.8797",
                )
                for i in bad
            ],
        )
    parent = points["parent_station"].str.strip()
    stops = pd.DataFrame(
        {
            "stop_id": points["stop_id"].str.strip(),
            "stop_name": points["stop_name"],
            "stop_lat": lat.to_numpy(float),
            "stop_lon": lon.to_numpy(float),
            "parent_station": parent,
            "station_name": np.where(
                parent.isin(stations.index),
                parent.map(stations).astype(object),
                points["stop_name"].astype(object),
            ),
        }
    )
    stop_index = pd.Series(np.arange(len(stops), dtype=np.int32), index=stops["stop_id"])

    # ---- routes
    for c in ("agency_id", "route_short_name", "route_long_name", "route_type", "route_color"):
        if c not in routes.columns:
            routes[c] = ""
    if "route_text_color" not in routes.columns:
        routes["route_text_color"] = ""
    routes = routes[
        [
            "route_id",
            "agency_id",
            "route_short_name",
            "route_long_name",
            "route_type",
            "route_color",
            "route_text_color",
        ]
    ].reset_index(drop=True)
    route_index = pd.Series(np.arange(len(routes), dtype=np.int32), index=routes["route_id"])

    # ---- stop times, sorted by trip then sequence
    trips = trips.reset_index(drop=True)
    if "trip_headsign" not in trips.columns:
        trips["trip_headsign"] = ""
    trip_index = pd.Series(np.arange(len(trips)), index=trips["trip_id"])
    problems = []
    tcode = st["trip_id"].map(trip_index)
    scode = st["stop_id"].str.strip().map(stop_index)
    for i in np.flatnonzero(tcode.isna().to_numpy())[:20]:
        problems.append(
            InputProblem(
                int(i) + 1,
                "trip_id",
                f"unknown trip {st['trip_id'].iloc[i]!r}",
                "use a trip_id of trips.txt",
            )
        )
    for i in np.flatnonzero(scode.isna().to_numpy())[:20]:
        problems.append(
            InputProblem(
                int(i) + 1,
                "stop_id",
                f"unknown stop {st['stop_id'].iloc[i]!r} (or a station, not a stop point)",
                "use the stop_id of a stop point from stops.txt",
            )
        )
    rcode = trips["route_id"].map(route_index)
    if problems:
        raise InputFileError(f"{path}:stop_times.txt", problems)
    if rcode.isna().any():
        raise InputFileError(
            f"{path}:trips.txt",
            [
                InputProblem(
                    int(i) + 1,
                    "route_id",
                    f"unknown route_id {trips['route_id'].iloc[i]!r}",
                    "use a route_id of routes.txt",
                )
                for i in np.flatnonzero(rcode.isna().to_numpy())[:50]
            ],
        )
    seq = pd.to_numeric(st["stop_sequence"], errors="coerce")
    arr_s = st["arrival_time"] if "arrival_time" in st.columns else pd.Series([""] * len(st))
    dep_s = st["departure_time"] if "departure_time" in st.columns else arr_s
    arr = _parse_times(arr_s, "stop_times.txt", "arrival_time", path)
    dep = _parse_times(dep_s, "stop_times.txt", "departure_time", path)
    arr = np.where(np.isnan(arr), dep, arr)
    dep = np.where(np.isnan(dep), arr, dep)
    order = np.lexsort((seq.to_numpy(float), tcode.to_numpy(np.int64)))
    t_sorted = tcode.to_numpy(np.int64)[order]
    arr, dep = arr[order], dep[order]
    _interpolate(t_sorted, arr)
    _interpolate(t_sorted, dep)
    if np.isnan(arr).any():
        i = int(order[np.flatnonzero(np.isnan(arr))[0]])
        raise InputFileError(
            f"{path}:stop_times.txt",
            [
                InputProblem(
                    i + 1,
                    "arrival_time",
                    "the first or last stop of a trip has no time",
                    "give times at both ends of every trip",
                )
            ],
        )
    stop_sorted = scode.to_numpy(np.int64)[order].astype(np.int32)

    def flags(col: str) -> BoolArray:
        if col not in st.columns:
            return np.ones(len(st), dtype=bool)
        return (st[col].str.strip() != "1").to_numpy()[order]

    board, alight = flags("pickup_type"), flags("drop_off_type")
    n_trips = len(trips)
    counts = np.bincount(t_sorted, minlength=n_trips)
    ptr = np.zeros(n_trips + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])

    # ---- patterns over template trips (python loop over trips: ~20k, fine)
    keys: dict[bytes, int] = {}
    pattern_of = np.full(n_trips, -1, dtype=np.int32)
    pat_stops: list[IntArray] = []
    pat_board: list[BoolArray] = []
    pat_alight: list[BoolArray] = []
    pat_route: list[int] = []
    rc = rcode.to_numpy(np.int32)
    for t in range(n_trips):
        a, b = ptr[t], ptr[t + 1]
        if b - a < 2:
            continue
        s = stop_sorted[a:b]
        key = (
            s.tobytes()
            + board[a:b].tobytes()
            + alight[a:b].tobytes()
            + int(rc[t]).to_bytes(4, "little")
        )
        p = keys.get(key)
        if p is None:
            p = keys[key] = len(pat_stops)
            pat_stops.append(s.copy())
            pat_board.append(board[a:b].copy())
            pat_alight.append(alight[a:b].copy())
            pat_route.append(int(rc[t]))
        pattern_of[t] = p

    # ---- frequencies → trip instances
    inst_template = np.arange(n_trips, dtype=np.int32)
    inst_shift = np.zeros(n_trips, dtype=np.int32)
    freq = tables.get("frequencies.txt")
    if freq is not None and len(freq) and "trip_id" in freq.columns:
        ft = freq["trip_id"].map(trip_index)
        if ft.isna().any():
            raise InputFileError(
                f"{path}:frequencies.txt",
                [
                    InputProblem(
                        int(i) + 1,
                        "trip_id",
                        f"unknown trip {freq['trip_id'].iloc[i]!r}",
                        "use a trip_id of trips.txt",
                    )
                    for i in np.flatnonzero(ft.isna().to_numpy())[:50]
                ],
            )
        start = _parse_times(freq["start_time"], "frequencies.txt", "start_time", path)
        end = _parse_times(freq["end_time"], "frequencies.txt", "end_time", path)
        headway = pd.to_numeric(freq["headway_secs"], errors="coerce").to_numpy(float)
        bad_h = np.flatnonzero(~(headway > 0))
        if len(bad_h):
            raise InputFileError(
                f"{path}:frequencies.txt",
                [
                    InputProblem(
                        int(i) + 1,
                        "headway_secs",
                        f"{freq['headway_secs'].iloc[i]!r} is not a positive number",
                        "give the headway in seconds, e.g. 600",
                    )
                    for i in bad_h
                ],
            )
        freq_trips = set(ft.astype(int).tolist())
        keep = np.array([t not in freq_trips for t in range(n_trips)], dtype=bool)
        tmpl, shifts = [inst_template[keep]], [inst_shift[keep]]
        first_dep = dep[ptr[:-1].clip(max=len(dep) - 1)]
        for t, s0, e0, h in zip(ft.astype(int), start, end, headway, strict=True):
            starts = np.arange(s0, e0, h)  # GTFS: start_time, start+h, … strictly before end
            tmpl.append(np.full(len(starts), t, dtype=np.int32))
            shifts.append((starts - first_dep[t]).astype(np.int32))
        inst_template = np.concatenate(tmpl)
        inst_shift = np.concatenate(shifts)

    inst = trips.iloc[inst_template]
    trips_out = pd.DataFrame(
        {
            "trip_id": inst["trip_id"].to_numpy(),
            "route_idx": rc[inst_template],
            "service_id": inst["service_id"].str.strip().to_numpy(),
            "trip_headsign": inst["trip_headsign"].to_numpy(),
            "pattern": pattern_of[inst_template],
            "shift": inst_shift,
        }
    )
    if (inst_shift != 0).any():  # distinguish expanded instances
        expanded = inst_shift != 0
        trips_out.loc[expanded, "trip_id"] = (
            trips_out.loc[expanded, "trip_id"] + "@" + inst_shift[expanded].astype(str)
        )

    # ---- calendars
    cal = tables.get("calendar.txt")
    if cal is None or cal.empty:
        cal = pd.DataFrame(columns=["service_id", *_WEEKDAYS, "start_date", "end_date"])
    else:
        cal = cal.copy()
        cal["service_id"] = cal["service_id"].str.strip()
        cal["start_date"] = _yyyymmdd(cal["start_date"], "calendar.txt", "start_date", path)
        cal["end_date"] = _yyyymmdd(cal["end_date"], "calendar.txt", "end_date", path)
        for d in _WEEKDAYS:
            cal[d] = cal[d].str.strip() == "1"
    cd = tables.get("calendar_dates.txt")
    if cd is None or cd.empty:
        cd = pd.DataFrame(columns=["service_id", "date", "exception_type"])
    else:
        cd = cd.copy()
        cd["service_id"] = cd["service_id"].str.strip()
        cd["date"] = _yyyymmdd(cd["date"], "calendar_dates.txt", "date", path)
        cd["exception_type"] = pd.to_numeric(cd["exception_type"], errors="coerce")

    # ---- transfers
    tr = tables.get("transfers.txt")
    if tr is None or tr.empty or "from_stop_id" not in tr.columns:
        transfers = pd.DataFrame(
            {"from_idx": [], "to_idx": [], "transfer_type": [], "min_transfer_time": []}
        )
    else:
        generic = np.ones(len(tr), dtype=bool)  # trip- or route-specific rules are not modelled
        for c in ("from_trip_id", "to_trip_id", "from_route_id", "to_route_id"):
            if c in tr.columns:
                generic &= (tr[c].str.strip() == "").to_numpy()
        tr = tr[generic]
        if "transfer_type" not in tr.columns:
            tr = tr.assign(transfer_type="0")
        transfers = pd.DataFrame(
            {
                "from_idx": tr["from_stop_id"].str.strip().map(stop_index),
                "to_idx": tr["to_stop_id"].str.strip().map(stop_index),
                "transfer_type": pd.to_numeric(tr["transfer_type"].replace("", "0")),
                "min_transfer_time": pd.to_numeric(
                    tr.get("min_transfer_time", pd.Series("", index=tr.index)), errors="coerce"
                ),
            }
        ).dropna(subset=["from_idx", "to_idx"])  # station-level transfers are not modelled
        transfers = transfers.astype({"from_idx": np.int32, "to_idx": np.int32})

    return GtfsFeed(
        path=path,
        agencies=agencies,
        timezone=timezone,
        stops=stops,
        routes=routes,
        trips=trips_out,
        calendar=cal,
        calendar_dates=cd,
        transfers=transfers.reset_index(drop=True),
        pattern_stops=pat_stops,
        pattern_board=pat_board,
        pattern_alight=pat_alight,
        pattern_route=np.asarray(pat_route, dtype=np.int32),
        tmpl_ptr=ptr.astype(np.int64),
        tmpl_arr=np.round(arr).astype(np.int32),
        tmpl_dep=np.round(dep).astype(np.int32),
        trip_template=inst_template,
    )


@functools.lru_cache(maxsize=4)
def _read_cached(path: str, size: int, mtime: float) -> GtfsFeed:
    return _read(path)


def read_feed(path: str | Path) -> GtfsFeed:
    """Read a GTFS zip (cached in memory by path, size and modification time).

    Raises
    ------
    TimetableError
        Not a zip file.
    InputFileError
        Missing files or columns, unknown ids, malformed times or dates (all listed).
    """
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise TimetableError(f"GTFS file {p} does not exist. Give the path of the feed's .zip.")
    stat = p.stat()
    return _read_cached(str(p), stat.st_size, stat.st_mtime)


# ----------------------------------------------------------------------------------------------
# calendar
# ----------------------------------------------------------------------------------------------
def _as_date(day: date | datetime | str) -> date:
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    try:
        return date.fromisoformat(str(day)[:10])
    except ValueError as exc:
        raise TimetableError(f"{day!r} is not a date like 2024-01-16.") from exc


def services_on(feed: GtfsFeed, day: date | datetime | str) -> set[str]:
    """Service ids running on ``day`` (calendar.txt, then calendar_dates.txt exceptions)."""
    d = _as_date(day)
    cal = feed.calendar
    active: set[str] = set()
    if len(cal):
        m = (cal["start_date"] <= d) & (cal["end_date"] >= d) & cal[_WEEKDAYS[d.weekday()]]
        active = set(cal.loc[m, "service_id"])
    cd = feed.calendar_dates
    if len(cd):
        today = cd[cd["date"] == d]
        active -= set(today.loc[today["exception_type"] == 2, "service_id"])
        active |= set(today.loc[today["exception_type"] == 1, "service_id"])
    return active


def service_period(feed: GtfsFeed) -> tuple[date, date]:
    """First and last date that calendar.txt or calendar_dates.txt (additions) cover."""
    starts: list[date] = []
    ends: list[date] = []
    if len(feed.calendar):
        starts.append(min(feed.calendar["start_date"]))
        ends.append(max(feed.calendar["end_date"]))
    cd = feed.calendar_dates
    if len(cd):
        added = cd.loc[cd["exception_type"] == 1, "date"]
        if len(added):
            starts.append(min(added))
            ends.append(max(added))
    if not starts:
        raise ServicePeriodError(
            f"{feed.path}: the feed defines no service date at all (calendar.txt and "
            "calendar_dates.txt are empty). Use a feed with a calendar."
        )
    return min(starts), max(ends)


def dates_with_service(feed: GtfsFeed) -> list[date]:
    """Every date of the period on which at least one trip runs."""
    start, end = service_period(feed)
    with_trips = set(feed.trips["service_id"])
    out = []
    d = start
    while d <= end:
        if services_on(feed, d) & with_trips:
            out.append(d)
        d += timedelta(days=1)
    return out


def trips_per_date(feed: GtfsFeed) -> dict[date, int]:
    """Number of trips of each service date of the period (0 when none)."""
    start, end = service_period(feed)
    per_service = feed.trips["service_id"].value_counts()
    out: dict[date, int] = {}
    d = start
    while d <= end:
        out[d] = int(per_service.reindex(list(services_on(feed, d))).fillna(0).sum())
        d += timedelta(days=1)
    return out


def feed_info(feed: GtfsFeed) -> dict[str, Any]:
    """Agencies, period, counts and trips per date with service (JSON-ready)."""
    start, end = service_period(feed)
    per_date = trips_per_date(feed)
    rtype = feed.routes["route_type"].value_counts().sort_index()
    return {
        "file": feed.path,
        "agencies": [
            {"name": r["agency_name"], "timezone": r["agency_timezone"]}
            for _, r in feed.agencies.iterrows()
        ],
        "timezone": feed.timezone,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "calendar": {
            "calendar_txt_services": len(feed.calendar),
            "calendar_dates_additions": int((feed.calendar_dates["exception_type"] == 1).sum()),
            "calendar_dates_removals": int((feed.calendar_dates["exception_type"] == 2).sum()),
        },
        "counts": {
            "stop_points": len(feed.stops),
            "stations": int(
                feed.stops.loc[feed.stops["parent_station"] != "", "parent_station"].nunique()
            ),
            "routes": len(feed.routes),
            "routes_by_type": {str(k): int(v) for k, v in rtype.items()},
            "trips": len(feed.trip_template),
            "trips_from_frequencies": int(
                len(feed.trip_template) - len(np.unique(feed.trip_template))
            ),
            "stop_times": len(feed.tmpl_arr),
            "transfers": len(feed.transfers),
        },
        "dates_with_service": [
            {"date": d.isoformat(), "trips": n} for d, n in per_date.items() if n > 0
        ],
        "dates_without_service": [d.isoformat() for d, n in per_date.items() if n == 0],
    }


def _check_date(feed: GtfsFeed, d: date) -> None:
    start, end = service_period(feed)
    if d < start or d > end:
        raise ServicePeriodError(
            f"{d.isoformat()} is outside the service period of {Path(feed.path).name} "
            f"({start.isoformat()} → {end.isoformat()}). Route on a date inside it, or use a "
            "feed that covers your date."
        )
    if not (services_on(feed, d) & set(feed.trips["service_id"])):
        days = dates_with_service(feed)
        near = sorted(days, key=lambda x: abs((x - d).days))[:3]
        raise ServicePeriodError(
            f"no public transport runs on {d.isoformat()} in {Path(feed.path).name} (period "
            f"{start.isoformat()} → {end.isoformat()}). Nearest dates with service: "
            f"{', '.join(x.isoformat() for x in sorted(near)) or 'none'}."
        )


# ----------------------------------------------------------------------------------------------
# timetable for one date
# ----------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Timetable:
    """Compact arrays of what runs on one date (times in seconds after local midnight).

    Patterns are unique stop sequences of one route (with their pickup/drop-off flags), split
    so that no trip overtakes another. Pattern ``p`` serves stops
    ``pattern_stops[pattern_stop_ptr[p]:pattern_stop_ptr[p+1]]``; its trips are
    ``pattern_trip_ptr[p]…pattern_trip_ptr[p+1]`` (sorted by departure) and their times form a
    ``trips × stops`` matrix stored row-major from ``pattern_time_ptr[p]`` in ``arr``/``dep``.
    ``stop_pattern_ptr`` gives, for every stop, its (pattern, position) pairs in
    ``stop_patterns`` / ``stop_positions``.
    """

    feed: GtfsFeed
    date: date
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame  # trip_id, route_idx, trip_headsign, pattern (timetable order)
    pattern_route: IntArray
    pattern_stop_ptr: IntArray
    pattern_stops: IntArray
    pattern_board: BoolArray
    pattern_alight: BoolArray
    pattern_trip_ptr: IntArray
    pattern_time_ptr: npt.NDArray[np.int64]
    arr: IntArray
    dep: IntArray
    stop_pattern_ptr: IntArray
    stop_patterns: IntArray
    stop_positions: IntArray

    @property
    def timezone(self) -> str:
        """Agency timezone: all times are local times of this zone."""
        return self.feed.timezone

    @property
    def n_stops(self) -> int:
        """Number of stop points."""
        return len(self.stops)

    @property
    def n_patterns(self) -> int:
        """Number of patterns (routes as unique stop sequences)."""
        return len(self.pattern_route)

    @property
    def n_trips(self) -> int:
        """Number of trips running (including the previous day's after midnight)."""
        return len(self.trips)

    def summary(self) -> dict[str, Any]:
        """Counts for display."""
        return {
            "date": self.date.isoformat(),
            "stops": self.n_stops,
            "stops_served": int((np.diff(self.stop_pattern_ptr) > 0).sum()),
            "patterns": self.n_patterns,
            "trips": self.n_trips,
            "stop_times": len(self.arr),
        }


def _split_overtaking(times: npt.NDArray[np.int32]) -> list[list[int]]:
    """Group rows (trips sorted by first departure) into chains where no trip overtakes."""
    chains: list[list[int]] = []
    lasts: list[npt.NDArray[np.int32]] = []
    for i in range(times.shape[0]):
        row = times[i]
        for c, last in enumerate(lasts):
            if (row >= last).all():
                chains[c].append(i)
                lasts[c] = row
                break
        else:
            chains.append([i])
            lasts.append(row)
    return chains


def _build(feed: GtfsFeed, d: date) -> Timetable:
    trips = feed.trips
    today = trips["service_id"].isin(services_on(feed, d)).to_numpy()
    prev = np.array(trips["service_id"].isin(services_on(feed, d - timedelta(days=1))))
    tmpl = feed.trip_template
    last_arr = feed.tmpl_arr[feed.tmpl_ptr[1:] - 1][tmpl] + trips["shift"].to_numpy()
    prev &= last_arr >= DAY  # yesterday's trips still running after midnight
    has_pattern = trips["pattern"].to_numpy() >= 0
    i_today = np.flatnonzero(today & has_pattern)
    i_prev = np.flatnonzero(prev & has_pattern)
    sel = np.concatenate([i_today, i_prev])
    offset = np.concatenate(
        [np.zeros(len(i_today), np.int32), np.full(len(i_prev), -DAY, np.int32)]
    )
    shift = trips["shift"].to_numpy()[sel] + offset
    pats = trips["pattern"].to_numpy()[sel]
    first_dep = feed.tmpl_dep[feed.tmpl_ptr[:-1]][tmpl[sel]] + shift
    order = np.lexsort((first_dep, pats))
    sel, shift, pats, offset = sel[order], shift[order], pats[order], offset[order]

    p_route: list[int] = []
    p_stops: list[IntArray] = []
    p_board: list[BoolArray] = []
    p_alight: list[BoolArray] = []
    p_ntrips: list[int] = []
    arrs: list[IntArray] = []
    deps: list[IntArray] = []
    trip_rows: list[int] = []
    bounds = np.flatnonzero(np.diff(pats)) + 1
    for group in np.split(np.arange(len(sel)), bounds):
        if not len(group):
            continue
        p = int(pats[group[0]])
        tt = tmpl[sel[group]]
        starts = feed.tmpl_ptr[tt]
        n = len(feed.pattern_stops[p])
        cols = starts[:, None] + np.arange(n)[None, :]
        a = feed.tmpl_arr[cols] + shift[group][:, None]
        dp = feed.tmpl_dep[cols] + shift[group][:, None]
        for chain in _split_overtaking(np.concatenate([a, dp], axis=1)):
            p_route.append(int(feed.pattern_route[p]))
            p_stops.append(feed.pattern_stops[p])
            p_board.append(feed.pattern_board[p])
            p_alight.append(feed.pattern_alight[p])
            p_ntrips.append(len(chain))
            arrs.append(a[chain].ravel())
            deps.append(dp[chain].ravel())
            trip_rows.extend(group[chain].tolist())

    n_pat = len(p_route)
    sizes = np.array([len(s) for s in p_stops], dtype=np.int32)
    stop_ptr = np.zeros(n_pat + 1, dtype=np.int32)
    np.cumsum(sizes, out=stop_ptr[1:])
    trip_ptr = np.zeros(n_pat + 1, dtype=np.int32)
    np.cumsum(np.asarray(p_ntrips, dtype=np.int32), out=trip_ptr[1:])
    time_ptr = np.zeros(n_pat + 1, dtype=np.int64)
    np.cumsum(sizes.astype(np.int64) * np.asarray(p_ntrips, dtype=np.int64), out=time_ptr[1:])
    cat = np.concatenate if n_pat else (lambda x: np.zeros(0, np.int32))
    pattern_stops = np.asarray(cat(p_stops), dtype=np.int32)
    # stop → (pattern, position)
    pat_of = np.repeat(np.arange(n_pat, dtype=np.int32), sizes)
    pos_of = np.arange(len(pattern_stops), dtype=np.int32) - np.repeat(stop_ptr[:-1], sizes)
    o = np.argsort(pattern_stops, kind="stable")
    n_stops = len(feed.stops)
    sp_ptr = np.zeros(n_stops + 1, dtype=np.int32)
    np.cumsum(np.bincount(pattern_stops, minlength=n_stops), out=sp_ptr[1:])
    kept = np.asarray(trip_rows, dtype=np.int64)
    rows = sel[kept]
    trips_out = pd.DataFrame(
        {
            "trip_id": trips["trip_id"].to_numpy()[rows],
            "route_idx": trips["route_idx"].to_numpy()[rows],
            "trip_headsign": trips["trip_headsign"].to_numpy()[rows],
            "pattern": np.repeat(np.arange(n_pat, dtype=np.int32), p_ntrips),
            "previous_day": offset[kept] < 0,
        }
    )
    return Timetable(
        feed=feed,
        date=d,
        stops=feed.stops,
        routes=feed.routes,
        trips=trips_out,
        pattern_route=np.asarray(p_route, dtype=np.int32),
        pattern_stop_ptr=stop_ptr,
        pattern_stops=pattern_stops,
        pattern_board=np.asarray(cat(p_board), dtype=bool),
        pattern_alight=np.asarray(cat(p_alight), dtype=bool),
        pattern_trip_ptr=trip_ptr,
        pattern_time_ptr=time_ptr,
        arr=np.asarray(cat(arrs), dtype=np.int32),
        dep=np.asarray(cat(deps), dtype=np.int32),
        stop_pattern_ptr=sp_ptr,
        stop_patterns=pat_of[o],
        stop_positions=pos_of[o],
    )


@functools.lru_cache(maxsize=8)
def _timetable_cached(feed: GtfsFeed, d: date) -> Timetable:
    return _build(feed, d)


def load_timetable(gtfs_path: str | Path, day: date | datetime | str) -> Timetable:
    """Build the timetable of one date from a GTFS zip.

    Parameters
    ----------
    gtfs_path
        The feed's zip file.
    day
        The service date (a :class:`~datetime.date`, a datetime, or ``"2024-01-16"``).

    Returns
    -------
    Timetable
        Trips of ``day`` plus the previous day's trips still running after midnight (times
        shifted by −24 h), in seconds after local midnight of ``day``.

    Raises
    ------
    ServicePeriodError
        ``day`` is outside the feed's period, or no trip runs that day.
    TimetableError, InputFileError
        Unreadable or malformed feed.
    """
    feed = read_feed(gtfs_path)
    d = _as_date(day)
    _check_date(feed, d)
    return _timetable_cached(feed, d)
