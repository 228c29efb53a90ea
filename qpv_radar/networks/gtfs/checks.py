"""Validation helpers of the GTFS reader: times, dates, ids, timezones, coordinates.

Every function reports *all* the problems of a table at once (capped at 50 of a kind) as
:class:`~qpv_radar.InputProblem` rows, raised together in one :class:`~qpv_radar.InputFileError`.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..._errors import InputFileError, InputProblem

REQUIRED: dict[str, tuple[str, ...]] = {
    "agency.txt": ("agency_name", "agency_timezone"),
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id",),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
}


def parse_times(values: pd.Series) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
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


def time_problems(
    values: pd.Series, bad: npt.NDArray[np.intp], column: str, rows: npt.NDArray[np.int64]
) -> list[InputProblem]:
    """One problem per malformed time (``rows``: file row number of each value)."""
    return capped(
        bad,
        lambda i: InputProblem(
            int(rows[i]),
            column,
            f"time {str(values.iloc[i]).strip()!r} is not HH:MM:SS",
            "write times as HH:MM:SS (hours may go past 24 for trips after midnight)",
        ),
    )


def capped(
    positions: npt.NDArray[np.intp], make: Callable[[int], InputProblem], cap: int = 50
) -> list[InputProblem]:
    """``make(i)`` for the first ``cap`` positions, then one summary for the rest."""
    out = [make(int(i)) for i in positions[:cap]]
    if len(positions) > cap:
        first = out[0]
        more = f"{len(positions) - cap} more rows with the same problem as row {first.row}"
        out.append(InputProblem(None, first.column, more, first.fix))
    return out


def frequency_times(
    freq: pd.DataFrame, column: str, rows: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], list[InputProblem]]:
    """Parse ``start_time`` or ``end_time`` of frequencies.txt (required, HH:MM:SS)."""
    values = freq[column] if column in freq.columns else pd.Series([""] * len(freq))
    secs, bad = parse_times(values)
    missing = np.flatnonzero(np.isnan(secs) & (values.str.strip() == "").to_numpy())
    problems = time_problems(values, bad, column, rows)
    problems += capped(
        missing,
        lambda i: InputProblem(
            i + 1, column, f"{column} is empty", "give the period of the headway, HH:MM:SS"
        ),
    )
    return secs, problems


def yyyymmdd(values: pd.Series, table: str, column: str, path: str) -> pd.Series:
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


def problems_missing(tables: dict[str, pd.DataFrame | None]) -> list[InputProblem]:
    problems: list[InputProblem] = []
    for name, cols in REQUIRED.items():
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


def interpolate(trip_codes: npt.NDArray[np.int64], times: npt.NDArray[np.float64]) -> None:
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


def by_row(problems: list[InputProblem]) -> list[InputProblem]:
    """Problems in file order (file-level summaries last)."""
    return sorted(problems, key=lambda p: (p.row is None, p.row or 0))


def duplicates(ids: pd.Series, column: str, what: str) -> list[InputProblem]:
    """One problem per repeated (or empty) identifier."""
    clean = ids.str.strip()
    first: dict[str, int] = {}
    rows: list[int] = []
    for i, v in enumerate(clean):
        if v == "" or v in first:
            rows.append(i)
        else:
            first[v] = i + 1
    return capped(
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


def agency_timezone(agencies: pd.DataFrame, path: str) -> str:
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


def coordinate_problems(
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


def stop_points(stops_all: pd.DataFrame, path: str) -> pd.DataFrame:
    """Stop points (``location_type`` 0 or empty), named after their parent station.

    Every problem of stops.txt is reported at once: empty or repeated ids, missing,
    non-numeric or out-of-range coordinates of stop points.
    """
    for c in ("location_type", "parent_station", "stop_name"):
        if c not in stops_all.columns:
            stops_all[c] = ""
    problems = duplicates(stops_all["stop_id"], "stop_id", "stop")
    lt = stops_all["location_type"].str.strip().replace("", "0")
    stations = stops_all[lt == "1"].drop_duplicates("stop_id").set_index("stop_id")["stop_name"]
    points = stops_all[lt == "0"]
    file_rows = points.index.to_numpy(np.int64) + 1
    points = points.reset_index(drop=True)
    lat, p_lat = coordinate_problems(points, "stop_lat", file_rows, 90, "43.6085")
    lon, p_lon = coordinate_problems(points, "stop_lon", file_rows, 180, "3.8797")
    problems += p_lat + p_lon
    if problems:
        raise InputFileError(f"{path}:stops.txt", by_row(problems))
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
