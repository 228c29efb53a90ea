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
  contains the trips of ``D``, the trips of ``D - 1`` still running after midnight, shifted
  by −24 h, and the trips of ``D + 1`` (its own calendar) leaving their first stop before
  06:00, shifted by +24 h, so that late-evening journeys go on with the next morning's trips
  (:data:`NEXT_DAY_HORIZON_S`). When ``D + 1`` is outside the period there are none, and
  :attr:`Timetable.complete_until_s` says so (routing then refuses journeys ending after
  midnight rather than answering with walking only);
- a date outside the feed's period, or a date without any service, raises
  :class:`~qpv_radar.ServicePeriodError` naming the period and the nearest dates with service.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import pickle
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import datasets
from .._errors import InputFileError, InputProblem, ServicePeriodError, TimetableError

__all__ = [
    "NEXT_DAY_HORIZON_S",
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
DateLike = date | datetime | str
#: Trips of the next service day leaving their first stop before this time (seconds after
#: midnight of the timetable's date: 30 h = 06:00 the next morning) are in the timetable.
NEXT_DAY_HORIZON_S = 30 * 3600


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


def _parse_times(values: pd.Series) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """``H:MM:SS`` (hours may exceed 24) → seconds as float (NaN when empty or malformed).

    Vectorised over fixed-width bytes: ``H:MM:SS`` is left-padded to ``HH:MM:SS``; the rare
    longer values (hours ≥ 100) go through a slow path.

    Returns
    -------
    seconds, bad
        The times, and the positions of the non-empty values that are not times (NaN in
        ``seconds``): the caller reports them.
    """
    out = np.full(len(values), np.nan)
    if not len(values):
        return out, np.zeros(0, dtype=np.intp)
    raw = np.asarray(values.to_numpy(dtype=str), dtype=str)
    raw = np.char.strip(raw)
    empty = raw == ""
    padded = np.char.zfill(raw, 8)
    b = padded.astype("S8")  # truncates longer strings: checked below
    m = np.frombuffer(b.tobytes(), dtype=np.uint8).reshape(len(b), 8).astype(np.int64) - 48
    fits = (np.char.str_len(padded) == 8) & ~empty
    colon = (m[:, 2] == ord(":") - 48) & (m[:, 5] == ord(":") - 48)
    digits = np.delete(m, [2, 5], axis=1)
    ok = fits & colon & ((digits >= 0) & (digits <= 9)).all(axis=1)
    ok &= (m[:, 3] <= 5) & (m[:, 6] <= 5)  # minutes and seconds below 60
    sec = (m[:, 0] * 10 + m[:, 1]) * 3600 + (m[:, 3] * 10 + m[:, 4]) * 60 + m[:, 6] * 10 + m[:, 7]
    out[ok] = sec[ok]
    bad: list[int] = []
    for i in np.flatnonzero(~ok & ~empty):  # slow path: e.g. 100:00:00, or junk
        parts = str(raw[i]).split(":")
        try:
            h, mi, se = (int(x) for x in parts)
        except ValueError:
            bad.append(int(i))
            continue
        if min(h, mi, se) < 0 or mi > 59 or se > 59:
            bad.append(int(i))
        else:
            out[i] = h * 3600 + mi * 60 + se
    return out, np.asarray(bad, dtype=np.intp)


def _time_problems(
    values: pd.Series, bad: npt.NDArray[np.intp], column: str, rows: npt.NDArray[np.int64]
) -> list[InputProblem]:
    """One problem per malformed time (``rows``: file row number of each value)."""
    return _capped(
        bad,
        lambda i: InputProblem(
            int(rows[i]),
            column,
            f"time {str(values.iloc[i]).strip()!r} is not HH:MM:SS",
            "write times as HH:MM:SS (hours may go past 24 for trips after midnight)",
        ),
    )


def _capped(
    positions: npt.NDArray[np.intp], make: Callable[[int], InputProblem], cap: int = 50
) -> list[InputProblem]:
    """``make(i)`` for the first ``cap`` positions, then one summary for the rest."""
    out = [make(int(i)) for i in positions[:cap]]
    if len(positions) > cap:
        first = out[0]
        more = f"{len(positions) - cap} more rows with the same problem as row {first.row}"
        out.append(InputProblem(None, first.column, more, first.fix))
    return out


def _frequency_times(
    freq: pd.DataFrame, column: str, rows: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], list[InputProblem]]:
    """Parse ``start_time`` or ``end_time`` of frequencies.txt (required, HH:MM:SS)."""
    values = freq[column] if column in freq.columns else pd.Series([""] * len(freq))
    secs, bad = _parse_times(values)
    missing = np.flatnonzero(np.isnan(secs) & (values.str.strip() == "").to_numpy())
    problems = _time_problems(values, bad, column, rows)
    problems += _capped(
        missing,
        lambda i: InputProblem(
            i + 1, column, f"{column} is empty", "give the period of the headway, HH:MM:SS"
        ),
    )
    return secs, problems


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


def _by_row(problems: list[InputProblem]) -> list[InputProblem]:
    """Problems in file order (file-level summaries last)."""
    return sorted(problems, key=lambda p: (p.row is None, p.row or 0))


def _duplicates(ids: pd.Series, column: str, what: str) -> list[InputProblem]:
    """One problem per repeated (or empty) identifier."""
    clean = ids.str.strip()
    first: dict[str, int] = {}
    rows: list[int] = []
    for i, v in enumerate(clean):
        if v == "" or v in first:
            rows.append(i)
        else:
            first[v] = i + 1
    return _capped(
        np.asarray(rows, dtype=np.intp),
        lambda i: InputProblem(
            i + 1,
            column,
            f"duplicate {what} id {clean.iloc[i]!r} (also row {first[clean.iloc[i]]})"
            if clean.iloc[i]
            else f"empty {column}",
            f"give every {what} its own {column}",
        ),
    )


def _agency_timezone(agencies: pd.DataFrame, path: str) -> str:
    """The feed's timezone (the first agency's), every agency_timezone checked."""
    problems: list[InputProblem] = []
    zones = agencies["agency_timezone"].str.strip()
    for i, tz in enumerate(zones):
        if not tz:
            continue
        try:
            ZoneInfo(tz)
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
            problems.append(
                InputProblem(
                    i + 1,
                    "agency_timezone",
                    f"{tz!r} is not a known timezone (IANA tz database)",
                    "write the agency's timezone as an IANA name, e.g. Europe/Paris or "
                    "America/Sao_Paulo",
                )
            )
    if not problems and not (zones != "").any():
        problems.append(
            InputProblem(
                1,
                "agency_timezone",
                "agency.txt has no timezone",
                "give the agency's timezone as an IANA name, e.g. Europe/Paris",
            )
        )
    if problems:
        raise InputFileError(f"{path}:agency.txt", problems)
    return str(zones[zones != ""].iloc[0])


def _coordinate_problems(
    points: pd.DataFrame, column: str, rows: npt.NDArray[np.int64], limit: float, example: str
) -> tuple[pd.Series, list[InputProblem]]:
    """Parse one coordinate column of the stop points; one problem per bad value."""
    raw = points[column].str.strip()
    num = pd.to_numeric(raw, errors="coerce")
    what = "latitude" if column == "stop_lat" else "longitude"
    fix = f"write WGS84 decimal degrees, e.g. {example}"
    problems: list[InputProblem] = []
    for i in np.flatnonzero((num.isna() | (num.abs() > limit)).to_numpy()):
        sid = points["stop_id"].iloc[i]
        if raw.iloc[i] == "":
            problem = f"stop {sid!r} has no {what}"
        elif np.isnan(num.iloc[i]):
            problem = f"stop {sid!r}: {what} {raw.iloc[i]!r} is not a number"
        else:
            problem = f"stop {sid!r}: {what} {raw.iloc[i]} is outside [-{limit:g}, {limit:g}]"
        problems.append(InputProblem(int(rows[i]), column, problem, fix))
    return num, problems


def _stop_points(stops_all: pd.DataFrame, path: str) -> pd.DataFrame:
    """Stop points (``location_type`` 0 or empty), named after their parent station.

    Every problem of stops.txt is reported at once: empty or repeated ids, missing,
    non-numeric or out-of-range coordinates of stop points.
    """
    for c in ("location_type", "parent_station", "stop_name"):
        if c not in stops_all.columns:
            stops_all[c] = ""
    problems = _duplicates(stops_all["stop_id"], "stop_id", "stop")
    lt = stops_all["location_type"].str.strip().replace("", "0")
    stations = stops_all[lt == "1"].drop_duplicates("stop_id").set_index("stop_id")["stop_name"]
    points = stops_all[lt == "0"]
    file_rows = points.index.to_numpy(np.int64) + 1
    points = points.reset_index(drop=True)
    lat, p_lat = _coordinate_problems(points, "stop_lat", file_rows, 90, "43.6085")
    lon, p_lon = _coordinate_problems(points, "stop_lon", file_rows, 180, "3.8797")
    problems += p_lat + p_lon
    if problems:
        raise InputFileError(f"{path}:stops.txt", _by_row(problems))
    parent = points["parent_station"].str.strip()
    return pd.DataFrame(
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
    timezone = _agency_timezone(agencies, path)
    agencies = agencies.drop_duplicates().reset_index(drop=True)
    stops = _stop_points(stops_all, path)
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
    problems = _duplicates(routes["route_id"], "route_id", "route")
    if problems:
        raise InputFileError(f"{path}:routes.txt", problems)
    route_index = pd.Series(np.arange(len(routes), dtype=np.int32), index=routes["route_id"])

    # ---- trips
    trips = trips.reset_index(drop=True)
    if "trip_headsign" not in trips.columns:
        trips["trip_headsign"] = ""
    rcode = trips["route_id"].map(route_index)
    problems = _duplicates(trips["trip_id"], "trip_id", "trip")
    problems += _capped(
        np.flatnonzero(rcode.isna().to_numpy()),
        lambda i: InputProblem(
            i + 1,
            "route_id",
            f"unknown route_id {trips['route_id'].iloc[i]!r}",
            "use a route_id of routes.txt",
        ),
    )
    if problems:
        raise InputFileError(f"{path}:trips.txt", _by_row(problems))
    trip_index = pd.Series(np.arange(len(trips)), index=trips["trip_id"])

    # ---- stop times, checked all at once, then sorted by trip and sequence
    if st.empty:
        raise InputFileError(
            f"{path}:stop_times.txt",
            [
                InputProblem(
                    None,
                    None,
                    "stop_times.txt has a header but no rows: no trip has any stop time",
                    "export the feed again with the stop times of its trips (or use another feed)",
                )
            ],
        )
    tcode = st["trip_id"].map(trip_index)
    scode = st["stop_id"].str.strip().map(stop_index)
    seq = pd.to_numeric(st["stop_sequence"].str.strip(), errors="coerce")
    arr_s = st["arrival_time"] if "arrival_time" in st.columns else pd.Series([""] * len(st))
    arr, bad_arr = _parse_times(arr_s)
    if "departure_time" in st.columns:
        dep, bad_dep = _parse_times(st["departure_time"])
    else:
        dep, bad_dep = arr.copy(), np.zeros(0, dtype=np.intp)
    st_rows = np.arange(1, len(st) + 1, dtype=np.int64)
    unknown_trip = np.flatnonzero(tcode.isna().to_numpy())
    problems = _capped(
        unknown_trip,
        lambda i: InputProblem(
            i + 1,
            "trip_id",
            f"unknown trip {st['trip_id'].iloc[i]!r}",
            "use a trip_id of trips.txt",
        ),
    )
    problems += _capped(
        np.flatnonzero(scode.isna().to_numpy()),
        lambda i: InputProblem(
            i + 1,
            "stop_id",
            f"unknown stop {st['stop_id'].iloc[i]!r} (or a station, not a stop point)",
            "use the stop_id of a stop point from stops.txt",
        ),
    )
    problems += _capped(
        np.flatnonzero(seq.isna().to_numpy()),
        lambda i: InputProblem(
            i + 1,
            "stop_sequence",
            f"{st['stop_sequence'].iloc[i]!r} is not a number",
            "number the stops of each trip in travel order, e.g. 1, 2, 3…",
        ),
    )
    problems += _time_problems(arr_s, bad_arr, "arrival_time", st_rows)
    if "departure_time" in st.columns:
        problems += _time_problems(st["departure_time"], bad_dep, "departure_time", st_rows)
    arr = np.where(np.isnan(arr), dep, arr)
    dep = np.where(np.isnan(dep), arr, dep)
    tc = tcode.fillna(-1).to_numpy(np.int64)
    order = np.lexsort((seq.to_numpy(float), tc))
    t_sorted = tc[order]
    arr, dep = arr[order], dep[order]
    # the first and last stop of every trip need a time; stops between are interpolated
    ends = np.ones(len(order), dtype=bool)
    ends[1:-1] = (t_sorted[1:-1] != t_sorted[:-2]) | (t_sorted[1:-1] != t_sorted[2:])
    flagged = np.zeros(len(st), dtype=bool)
    flagged[np.concatenate([bad_arr, bad_dep, unknown_trip])] = True
    untimed = np.sort(order[ends & np.isnan(arr) & ~flagged[order]])
    problems += _capped(
        untimed,
        lambda i: InputProblem(
            i + 1,
            "arrival_time",
            f"the first or last stop of trip {st['trip_id'].iloc[i]!r} has no time",
            "give times at both ends of every trip",
        ),
    )
    if problems:
        raise InputFileError(f"{path}:stop_times.txt", _by_row(problems))
    _interpolate(t_sorted, arr)
    _interpolate(t_sorted, dep)
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
    if not pat_stops:
        raise InputFileError(
            f"{path}:stop_times.txt",
            [
                InputProblem(
                    None,
                    "trip_id",
                    "no trip has two stop times or more: there is nothing to ride",
                    "give every trip the times of all the stops it serves",
                )
            ],
        )

    # ---- frequencies → trip instances
    inst_template = np.arange(n_trips, dtype=np.int32)
    inst_shift = np.zeros(n_trips, dtype=np.int32)
    freq = tables.get("frequencies.txt")
    if freq is not None and len(freq) and "trip_id" in freq.columns:
        ft = freq["trip_id"].map(trip_index)
        f_rows = np.arange(1, len(freq) + 1, dtype=np.int64)
        problems = _capped(
            np.flatnonzero(ft.isna().to_numpy()),
            lambda i: InputProblem(
                i + 1,
                "trip_id",
                f"unknown trip {freq['trip_id'].iloc[i]!r}",
                "use a trip_id of trips.txt",
            ),
        )
        start, p_start = _frequency_times(freq, "start_time", f_rows)
        end, p_end = _frequency_times(freq, "end_time", f_rows)
        problems += p_start + p_end
        h_raw = (
            freq["headway_secs"] if "headway_secs" in freq.columns else pd.Series([""] * len(freq))
        )
        headway = pd.to_numeric(h_raw, errors="coerce").to_numpy(float)
        problems += _capped(
            np.flatnonzero(~(headway > 0)),
            lambda i: InputProblem(
                i + 1,
                "headway_secs",
                f"{h_raw.iloc[i]!r} is not a positive number",
                "give the headway in seconds, e.g. 600",
            ),
        )
        if problems:
            raise InputFileError(f"{path}:frequencies.txt", _by_row(problems))
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


@functools.cache
def _code_key() -> str:
    """The parsing code's own fingerprint: a feed parsed by another version is parsed again."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


@functools.lru_cache(maxsize=4)
def _read_cached(path: str, size: int, mtime: float) -> GtfsFeed:
    """Parse once per process, and once per file version on disk.

    The parsed feed is pickled in ``datasets.cache_dir()/gtfs/`` under a key made of the file's
    path, size and modification time and of this module's source (a code change re-parses):
    reloading takes a fraction of the parsing (TaM: about 0.1 s instead of 2 s). The cache
    lives in the user's own folder and holds only what qpv_radar wrote there; an unreadable
    entry is parsed again and replaced.
    """
    key = json.dumps({"path": path, "size": size, "mtime": mtime, "code": _code_key()})
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    cache_file = datasets.cache_dir() / "gtfs" / f"{Path(path).stem}-{digest}.pkl"
    if cache_file.is_file():
        try:
            with cache_file.open("rb") as fh:
                feed = pickle.load(fh)
            if isinstance(feed, GtfsFeed) and feed.path == path:
                return feed
        except Exception:  # truncated or foreign file: parse again below
            pass
        cache_file.unlink(missing_ok=True)
    feed = _read(path)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(feed, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache_file)  # atomic: a concurrent reader never sees half a file
    except OSError:  # a read-only cache only costs the parsing next time
        pass
    return feed


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


def _routable(feed: GtfsFeed) -> pd.Series:
    """``service_id`` of the trips that can be ridden (two stop times or more)."""
    return feed.trips.loc[feed.trips["pattern"] >= 0, "service_id"]


def _routable_services(feed: GtfsFeed) -> frozenset[str]:
    """The distinct ``service_id`` of :func:`_routable` (computed once per feed)."""
    key = "routable_services"
    if key not in feed.cache:
        feed.cache[key] = frozenset(_routable(feed).unique())
    out: frozenset[str] = feed.cache[key]
    return out


def dates_with_service(feed: GtfsFeed) -> list[date]:
    """Every date of the period on which at least one trip runs (computed once per feed)."""
    key = "dates_with_service"
    if key not in feed.cache:
        start, end = service_period(feed)
        with_trips = _routable_services(feed)
        out = []
        d = start
        while d <= end:
            if services_on(feed, d) & with_trips:
                out.append(d)
            d += timedelta(days=1)
        feed.cache[key] = tuple(out)
    return list(feed.cache[key])


def trips_per_date(feed: GtfsFeed) -> dict[date, int]:
    """Number of trips (that can be ridden) of each service date of the period (0 when none)."""
    start, end = service_period(feed)
    per_service = _routable(feed).value_counts()
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


def _nearest_dates_with_service(
    feed: GtfsFeed, day: date | datetime | str, n: int = 3
) -> list[date]:
    """The ``n`` dates with service closest to ``day`` (in date order; ties: the earlier)."""
    d = _as_date(day)
    days = dates_with_service(feed)
    return sorted(sorted(days, key=lambda x: (abs((x - d).days), x))[:n])


def _nearest_text(feed: GtfsFeed, d: date) -> str:
    near = _nearest_dates_with_service(feed, d)
    return ", ".join(x.isoformat() for x in near) or "none"


def _check_in_period(feed: GtfsFeed, day: date | datetime | str) -> date:
    """``day`` as a date, or :class:`~qpv_radar.ServicePeriodError` when outside the period.

    The message names the period and the nearest dates with service.
    """
    d = _as_date(day)
    start, end = service_period(feed)
    if d < start or d > end:
        raise ServicePeriodError(
            f"{d.isoformat()} is outside the service period of {Path(feed.path).name} "
            f"({start.isoformat()} → {end.isoformat()}); nearest dates with service: "
            f"{_nearest_text(feed, d)}. Route on a date inside the period, or use a feed that "
            "covers your date.",
            fr=f"le {d:%d/%m/%Y} est hors de la période des horaires de {Path(feed.path).name} "
            f"(du {start:%d/%m/%Y} au {end:%d/%m/%Y}) ; dates desservies les plus proches : "
            f"{_nearest_text(feed, d)}. Choisissez une date dans la période, ou un fichier "
            "d'horaires qui couvre votre date.",
            day=d,
            period=(start, end),
        )
    return d


def _check_date(feed: GtfsFeed, d: date) -> None:
    _check_in_period(feed, d)
    if not (services_on(feed, d) & _routable_services(feed)):
        start, end = service_period(feed)
        raise ServicePeriodError(
            f"no public transport runs on {d.isoformat()} in {Path(feed.path).name} (period "
            f"{start.isoformat()} → {end.isoformat()}). Nearest dates with service: "
            f"{_nearest_text(feed, d)}.",
            fr=f"aucun transport en commun ne circule le {d:%d/%m/%Y} selon "
            f"{Path(feed.path).name} (période du {start:%d/%m/%Y} au {end:%d/%m/%Y}). Dates "
            f"desservies les plus proches : {_nearest_text(feed, d)}.",
            day=d,
            period=(start, end),
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

    The trips are those of the service day ``date`` (``trips.day_offset`` 0), those of the
    previous service day still running after midnight (−1, times shifted by −24 h) and those
    of the next service day leaving their first stop before :data:`NEXT_DAY_HORIZON_S`
    (+1, times shifted by +24 h). A journey that arrives by ``complete_until_s`` is therefore
    exact; one that arrives later might have been faster with trips the timetable lacks.
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
    complete_until_s: int = NEXT_DAY_HORIZON_S
    """Arrivals up to this time (seconds after midnight of ``date``) are exact:
    :data:`NEXT_DAY_HORIZON_S` when the next date is in the feed's period, 24 h when it is
    not (the feed does not say what runs then)."""

    def for_date(self, day: DateLike) -> Timetable:
        """The timetable of another date of the same feed (built once, then cached).

        Used for the departures of a window that runs past midnight. Unlike
        :func:`load_timetable`, a date of the period without trips of its own is accepted
        (trips of the previous day after midnight may still run).

        Raises
        ------
        ServicePeriodError
            ``day`` is outside the feed's period.
        """
        d = _check_in_period(self.feed, day)
        return self if d == self.date else _timetable_cached(self.feed, d)

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
        """Number of trips (including the previous and next days' ones, see the class)."""
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
    idx = np.flatnonzero(trips["pattern"].to_numpy() >= 0)  # trips that can be ridden
    tmpl = feed.trip_template[idx]
    shift0 = trips["shift"].to_numpy()[idx]
    first_dep = feed.tmpl_dep[feed.tmpl_ptr[tmpl]] + shift0
    last_arr = feed.tmpl_arr[feed.tmpl_ptr[tmpl + 1] - 1] + shift0
    service = trips["service_id"].iloc[idx]

    def running(day: date) -> BoolArray:
        return service.isin(services_on(feed, day)).to_numpy()

    one = timedelta(days=1)
    next_known = d + one <= service_period(feed)[1]
    parts = [
        (0, running(d)),
        (-1, running(d - one) & (last_arr >= DAY)),  # yesterday's trips after midnight
        # tomorrow's early trips: the journeys of late evening go on with them
        (1, running(d + one) & (first_dep < NEXT_DAY_HORIZON_S - DAY) if next_known else None),
    ]
    chosen = [(k, np.flatnonzero(m)) for k, m in parts if m is not None]
    sel = idx[np.concatenate([i for _, i in chosen])]
    day_offset = np.concatenate([np.full(len(i), k, np.int8) for k, i in chosen])
    offset = day_offset.astype(np.int32) * DAY
    shift = trips["shift"].to_numpy()[sel] + offset
    pats = trips["pattern"].to_numpy()[sel]
    first = np.concatenate([first_dep[i] for _, i in chosen]) + offset
    order = np.lexsort((first, pats))
    sel, shift, pats, day_offset = sel[order], shift[order], pats[order], day_offset[order]
    tmpl = feed.trip_template

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
            "day_offset": day_offset[kept],
            "previous_day": day_offset[kept] < 0,
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
        complete_until_s=NEXT_DAY_HORIZON_S if next_known else DAY,
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
        Trips of ``day``, plus the previous day's trips still running after midnight (times
        shifted by −24 h) and the next day's trips leaving before 06:00 (+24 h, see
        :data:`NEXT_DAY_HORIZON_S`), in seconds after local midnight of ``day``.

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
