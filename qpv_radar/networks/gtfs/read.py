"""Parse a GTFS zip into a :class:`~qpv_radar.networks.gtfs.GtfsFeed` (independent of dates).

The feed is read with :mod:`pandas` directly (every column as text, UTF-8 with or without BOM,
quoted fields), checked table by table (every problem of a table reported at once, see
:mod:`.checks`), then turned into numpy arrays: stop times sorted by trip and sequence (missing
times between timed stops interpolated), trips grouped into patterns (unique stop sequence and
pickup/drop-off flags of one route), frequencies expanded into trip instances.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..._errors import InputFileError, InputProblem, TimetableError
from .checks import (
    REQUIRED,
    agency_timezone,
    by_row,
    capped,
    duplicates,
    frequency_times,
    interpolate,
    parse_times,
    problems_missing,
    stop_points,
    time_problems,
    yyyymmdd,
)
from .limits import backwards_problems, check_sizes, frequency_limits, read_csv, read_member
from .model import WEEKDAYS, BoolArray, GtfsFeed, IntArray

Tables = dict[str, pd.DataFrame | None]
_OPTIONAL = ("calendar.txt", "calendar_dates.txt", "frequencies.txt", "transfers.txt")
_ROUTE_COLUMNS = (
    "route_id",
    "agency_id",
    "route_short_name",
    "route_long_name",
    "route_type",
    "route_color",
    "route_text_color",
)


def _read_table(
    zf: zipfile.ZipFile, name: str, names: dict[str, str], path: str
) -> pd.DataFrame | None:
    """Read one GTFS table as text (BOM stripped, quoted fields, no NA guessing)."""
    member = names.get(name)
    if member is None:
        return None
    raw = read_member(zf, member, path)
    if not raw.strip():
        return pd.DataFrame()
    df = read_csv(raw, member, path)
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    return df


def _open_tables(path: str) -> Tables:
    """Every table the reader uses (``None`` when absent); missing files or columns raise."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise TimetableError(
            f"{path}: cannot open as a GTFS zip ({exc}). Give the path of the feed's .zip file."
        ) from exc
    with zf:
        names = {Path(n).name: n for n in zf.namelist() if not n.endswith("/")}
        wanted = (*REQUIRED, *_OPTIONAL)
        check_sizes(zf, [names[n] for n in wanted if n in names], path)
        tables = {n: _read_table(zf, n, names, path) for n in wanted}
    problems = problems_missing(tables)
    if problems:
        raise InputFileError(path, problems)
    return tables


def _routes(routes: pd.DataFrame, path: str) -> pd.DataFrame:
    """routes.txt with the columns the timetable uses (empty when absent), ids checked."""
    for c in _ROUTE_COLUMNS:
        if c not in routes.columns:
            routes[c] = ""
    routes = routes[list(_ROUTE_COLUMNS)].reset_index(drop=True)
    problems = duplicates(routes["route_id"], "route_id", "route")
    if problems:
        raise InputFileError(f"{path}:routes.txt", problems)
    return routes


def _trips(trips: pd.DataFrame, route_index: pd.Series, path: str) -> tuple[pd.DataFrame, IntArray]:
    """trips.txt (ids checked) and the route index of every trip."""
    trips = trips.reset_index(drop=True)
    if "trip_headsign" not in trips.columns:
        trips["trip_headsign"] = ""
    rcode = trips["route_id"].map(route_index)
    problems = duplicates(trips["trip_id"], "trip_id", "trip")
    problems += capped(
        np.flatnonzero(rcode.isna().to_numpy()),
        lambda i: InputProblem(
            i + 1,
            "route_id",
            f"unknown route_id {trips['route_id'].iloc[i]!r}",
            "use a route_id of routes.txt",
        ),
    )
    if problems:
        raise InputFileError(f"{path}:trips.txt", by_row(problems))
    return trips, rcode.to_numpy(np.int32)


class _StopTimes(NamedTuple):
    """Stop times sorted by trip then sequence, times in seconds (interpolated)."""

    trip: npt.NDArray[np.int64]
    stop: IntArray
    arr: npt.NDArray[np.float64]
    dep: npt.NDArray[np.float64]
    board: BoolArray
    alight: BoolArray
    ptr: npt.NDArray[np.int64]  # per trip: its stop times are ptr[t]:ptr[t+1]


def _no_stop_times(path: str) -> InputFileError:
    return InputFileError(
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


def _id_problems(st: pd.DataFrame, tcode: pd.Series, scode: pd.Series) -> list[InputProblem]:
    """Unknown trips and stops, non-numeric stop sequences of stop_times.txt."""
    problems = capped(
        np.flatnonzero(tcode.isna().to_numpy()),
        lambda i: InputProblem(
            i + 1,
            "trip_id",
            f"unknown trip {st['trip_id'].iloc[i]!r}",
            "use a trip_id of trips.txt",
        ),
    )
    problems += capped(
        np.flatnonzero(scode.isna().to_numpy()),
        lambda i: InputProblem(
            i + 1,
            "stop_id",
            f"unknown stop {st['stop_id'].iloc[i]!r} (or a station, not a stop point)",
            "use the stop_id of a stop point from stops.txt",
        ),
    )
    seq = pd.to_numeric(st["stop_sequence"].str.strip(), errors="coerce")
    problems += capped(
        np.flatnonzero(seq.isna().to_numpy()),
        lambda i: InputProblem(
            i + 1,
            "stop_sequence",
            f"{st['stop_sequence'].iloc[i]!r} is not a number",
            "number the stops of each trip in travel order, e.g. 1, 2, 3…",
        ),
    )
    return problems


def _stop_times(
    st: pd.DataFrame, trip_index: pd.Series, stop_index: pd.Series, n_trips: int, path: str
) -> _StopTimes:
    """stop_times.txt checked all at once, then sorted by trip and sequence."""
    if st.empty:
        raise _no_stop_times(path)
    tcode = st["trip_id"].map(trip_index)
    scode = st["stop_id"].str.strip().map(stop_index)
    seq = pd.to_numeric(st["stop_sequence"].str.strip(), errors="coerce")
    arr_s = st["arrival_time"] if "arrival_time" in st.columns else pd.Series([""] * len(st))
    arr, bad_arr = parse_times(arr_s)
    if "departure_time" in st.columns:
        dep, bad_dep = parse_times(st["departure_time"])
    else:
        dep, bad_dep = arr.copy(), np.zeros(0, dtype=np.intp)
    st_rows = np.arange(1, len(st) + 1, dtype=np.int64)
    problems = _id_problems(st, tcode, scode)
    problems += time_problems(arr_s, bad_arr, "arrival_time", st_rows)
    if "departure_time" in st.columns:
        problems += time_problems(st["departure_time"], bad_dep, "departure_time", st_rows)
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
    flagged[np.concatenate([bad_arr, bad_dep, np.flatnonzero(tcode.isna().to_numpy())])] = True
    untimed = np.sort(order[ends & np.isnan(arr) & ~flagged[order]])
    problems += capped(
        untimed,
        lambda i: InputProblem(
            i + 1,
            "arrival_time",
            f"the first or last stop of trip {st['trip_id'].iloc[i]!r} has no time",
            "give times at both ends of every trip",
        ),
    )
    if problems:
        raise InputFileError(f"{path}:stop_times.txt", by_row(problems))
    interpolate(t_sorted, arr)
    interpolate(t_sorted, dep)
    backwards = backwards_problems(t_sorted, arr, dep, order, st["trip_id"])
    if backwards:
        raise InputFileError(f"{path}:stop_times.txt", backwards)

    def flags(col: str) -> BoolArray:
        if col not in st.columns:
            return np.ones(len(st), dtype=bool)
        return (st[col].str.strip() != "1").to_numpy()[order]

    ptr = np.zeros(n_trips + 1, dtype=np.int64)
    np.cumsum(np.bincount(t_sorted, minlength=n_trips), out=ptr[1:])
    stop = scode.to_numpy(np.int64)[order].astype(np.int32)
    return _StopTimes(t_sorted, stop, arr, dep, flags("pickup_type"), flags("drop_off_type"), ptr)


class _PatternSet(NamedTuple):
    of_trip: IntArray  # per template trip, -1 when it has fewer than two stop times
    stops: list[IntArray]
    board: list[BoolArray]
    alight: list[BoolArray]
    route: list[int]


def _patterns(st: _StopTimes, rc: IntArray, path: str) -> _PatternSet:
    """Unique (stops, pickup, drop-off, route) sequences over template trips (python loop)."""
    n_trips = len(st.ptr) - 1
    keys: dict[bytes, int] = {}
    out = _PatternSet(np.full(n_trips, -1, dtype=np.int32), [], [], [], [])
    for t in range(n_trips):
        a, b = st.ptr[t], st.ptr[t + 1]
        if b - a < 2:
            continue
        s = st.stop[a:b]
        key = (
            s.tobytes()
            + st.board[a:b].tobytes()
            + st.alight[a:b].tobytes()
            + int(rc[t]).to_bytes(4, "little")
        )
        p = keys.get(key)
        if p is None:
            p = keys[key] = len(out.stops)
            out.stops.append(s.copy())
            out.board.append(st.board[a:b].copy())
            out.alight.append(st.alight[a:b].copy())
            out.route.append(int(rc[t]))
        out.of_trip[t] = p
    if not out.stops:
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
    return out


def _frequency_problems(
    freq: pd.DataFrame, ft: pd.Series
) -> tuple[list[InputProblem], npt.NDArray[np.float64], npt.NDArray[np.float64], np.ndarray]:
    """Problems of frequencies.txt, and its start times, end times and headways."""
    f_rows = np.arange(1, len(freq) + 1, dtype=np.int64)
    problems = capped(
        np.flatnonzero(ft.isna().to_numpy()),
        lambda i: InputProblem(
            i + 1,
            "trip_id",
            f"unknown trip {freq['trip_id'].iloc[i]!r}",
            "use a trip_id of trips.txt",
        ),
    )
    start, p_start = frequency_times(freq, "start_time", f_rows)
    end, p_end = frequency_times(freq, "end_time", f_rows)
    problems += p_start + p_end
    h_raw = freq["headway_secs"] if "headway_secs" in freq.columns else pd.Series([""] * len(freq))
    headway = pd.to_numeric(h_raw, errors="coerce").to_numpy(float)
    problems += capped(
        np.flatnonzero(~(headway > 0)),
        lambda i: InputProblem(
            i + 1,
            "headway_secs",
            f"{h_raw.iloc[i]!r} is not a positive number",
            "give the headway in seconds, e.g. 600",
        ),
    )
    return problems, start, end, headway


def _instances(
    freq: pd.DataFrame | None, trip_index: pd.Series, st: _StopTimes, path: str
) -> tuple[IntArray, IntArray]:
    """Trip instances: (template trip, seconds added) — frequencies.txt expanded."""
    n_trips = len(st.ptr) - 1
    inst_template = np.arange(n_trips, dtype=np.int32)
    inst_shift = np.zeros(n_trips, dtype=np.int32)
    if freq is None or not len(freq) or "trip_id" not in freq.columns:
        return inst_template, inst_shift
    ft = freq["trip_id"].map(trip_index)
    problems, start, end, headway = _frequency_problems(freq, ft)
    if not problems:
        h_raw = freq["headway_secs"] if "headway_secs" in freq.columns else freq["trip_id"]
        problems = frequency_limits(headway, start, end, h_raw)
    if problems:
        raise InputFileError(f"{path}:frequencies.txt", by_row(problems))
    freq_trips = set(ft.astype(int).tolist())
    keep = np.array([t not in freq_trips for t in range(n_trips)], dtype=bool)
    tmpl, shifts = [inst_template[keep]], [inst_shift[keep]]
    first_dep = st.dep[st.ptr[:-1].clip(max=len(st.dep) - 1)]
    for t, s0, e0, h in zip(ft.astype(int), start, end, headway, strict=True):
        starts = np.arange(s0, e0, h)  # GTFS: start_time, start+h, … strictly before end
        tmpl.append(np.full(len(starts), t, dtype=np.int32))
        shifts.append((starts - first_dep[t]).astype(np.int32))
    return np.concatenate(tmpl), np.concatenate(shifts)


def _trip_table(
    trips: pd.DataFrame, rc: IntArray, pattern_of: IntArray, template: IntArray, shift: IntArray
) -> pd.DataFrame:
    """One row per trip instance (expanded instances get ``@<shift>`` after their id)."""
    inst = trips.iloc[template]
    out = pd.DataFrame(
        {
            "trip_id": inst["trip_id"].to_numpy(),
            "route_idx": rc[template],
            "service_id": inst["service_id"].str.strip().to_numpy(),
            "trip_headsign": inst["trip_headsign"].to_numpy(),
            "pattern": pattern_of[template],
            "shift": shift,
        }
    )
    if (shift != 0).any():  # distinguish expanded instances
        expanded = shift != 0
        out.loc[expanded, "trip_id"] = (
            out.loc[expanded, "trip_id"] + "@" + shift[expanded].astype(str)
        )
    return out


def _calendars(tables: Tables, path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """calendar.txt and calendar_dates.txt with dates parsed (empty frames when absent)."""
    cal = tables.get("calendar.txt")
    if cal is None or cal.empty:
        cal = pd.DataFrame(columns=["service_id", *WEEKDAYS, "start_date", "end_date"])
    else:
        cal = cal.copy()
        cal["service_id"] = cal["service_id"].str.strip()
        cal["start_date"] = yyyymmdd(cal["start_date"], "calendar.txt", "start_date", path)
        cal["end_date"] = yyyymmdd(cal["end_date"], "calendar.txt", "end_date", path)
        for d in WEEKDAYS:
            cal[d] = cal[d].str.strip() == "1"
    cd = tables.get("calendar_dates.txt")
    if cd is None or cd.empty:
        cd = pd.DataFrame(columns=["service_id", "date", "exception_type"])
    else:
        cd = cd.copy()
        cd["service_id"] = cd["service_id"].str.strip()
        cd["date"] = yyyymmdd(cd["date"], "calendar_dates.txt", "date", path)
        cd["exception_type"] = pd.to_numeric(cd["exception_type"], errors="coerce")
    return cal, cd


def _transfers(tr: pd.DataFrame | None, stop_index: pd.Series) -> pd.DataFrame:
    """Stop-to-stop rules of transfers.txt (trip-, route- and station-level ones left out)."""
    if tr is None or tr.empty or "from_stop_id" not in tr.columns:
        transfers = pd.DataFrame(
            {"from_idx": [], "to_idx": [], "transfer_type": [], "min_transfer_time": []}
        )
        return transfers.reset_index(drop=True)
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
    return transfers.reset_index(drop=True)


def _index(ids: pd.Series, dtype: type = np.int32) -> pd.Series:
    """Position of every id."""
    return pd.Series(np.arange(len(ids), dtype=dtype), index=ids)


def parse_feed(path: str) -> GtfsFeed:
    """Parse a GTFS zip (no cache: see :func:`~qpv_radar.networks.gtfs.read_feed`).

    Parameters
    ----------
    path
        The zip file.

    Raises
    ------
    TimetableError
        Not a zip file.
    InputFileError
        Missing files or columns, unknown ids, malformed times or dates (all listed).
    """
    tables = _open_tables(path)
    agencies, stops_all = tables["agency.txt"], tables["stops.txt"]
    routes, trips, st = tables["routes.txt"], tables["trips.txt"], tables["stop_times.txt"]
    assert agencies is not None and stops_all is not None and routes is not None
    assert trips is not None and st is not None
    timezone = agency_timezone(agencies, path)
    agencies = agencies.drop_duplicates().reset_index(drop=True)
    stops = stop_points(stops_all, path)
    stop_index = _index(stops["stop_id"])
    routes = _routes(routes, path)
    trips, rc = _trips(trips, _index(routes["route_id"]), path)
    trip_index = _index(trips["trip_id"], np.int64)
    times = _stop_times(st, trip_index, stop_index, len(trips), path)
    pats = _patterns(times, rc, path)
    template, shift = _instances(tables.get("frequencies.txt"), trip_index, times, path)
    cal, cd = _calendars(tables, path)
    return GtfsFeed(
        path=path,
        agencies=agencies,
        timezone=timezone,
        stops=stops,
        routes=routes,
        trips=_trip_table(trips, rc, pats.of_trip, template, shift),
        calendar=cal,
        calendar_dates=cd,
        transfers=_transfers(tables.get("transfers.txt"), stop_index),
        pattern_stops=pats.stops,
        pattern_board=pats.board,
        pattern_alight=pats.alight,
        pattern_route=np.asarray(pats.route, dtype=np.int32),
        tmpl_ptr=times.ptr.astype(np.int64),
        tmpl_arr=np.round(times.arr).astype(np.int32),
        tmpl_dep=np.round(times.dep).astype(np.int32),
        trip_template=template,
    )
