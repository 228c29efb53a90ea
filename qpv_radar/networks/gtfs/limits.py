"""Limits of the GTFS reader: what a feed may not do to the machine, or to travel times.

* a zip's members are checked on their *declared* uncompressed size before anything is read
  (a zip bomb — a few MB inflating to GB — is refused at once; :mod:`zipfile` never inflates
  a member past its declared size);
* a damaged member (bad CRC, corrupt deflate stream, unknown compression) or text that is not
  UTF-8 is an :class:`~qpv_radar.InputFileError` naming the file and the fix;
* ``frequencies.txt`` may not expand into more than :data:`MAX_FREQUENCY_TRIPS` trips, nor
  have headways under :data:`MIN_HEADWAY_S`;
* times never go backwards along a trip (every row listed): a travel time is never negative.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..._errors import InputFileError, InputProblem
from .checks import capped

__all__ = [
    "MAX_FREQUENCY_TRIPS",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MIN_HEADWAY_S",
    "backwards_problems",
    "check_sizes",
    "frequency_limits",
    "read_csv",
    "read_member",
]

#: Largest uncompressed size of one table of a feed (2 GiB; France's largest feed, Île-de-France
#: Mobilités, has a stop_times.txt under 1 GiB).
MAX_MEMBER_BYTES = 2 * 1024**3
#: Largest compression ratio of a member above :data:`_RATIO_FLOOR` bytes: timetables compress
#: 5 to 20 times; a zip bomb hundreds or thousands of times.
MAX_RATIO = 200
_RATIO_FLOOR = 64 * 1024**2
#: Most trips ``frequencies.txt`` may expand into (a whole region's day is ~ 200,000).
MAX_FREQUENCY_TRIPS = 2_000_000
#: Shortest headway accepted in ``frequencies.txt`` (seconds, a whole number).
MIN_HEADWAY_S = 1


def _problem(what: str, fix: str, column: str | None = None) -> InputProblem:
    return InputProblem(None, column, what, fix)


def check_sizes(zf: zipfile.ZipFile, members: list[str], path: str) -> None:
    """Refuse members whose declared size or compression ratio is out of bounds."""
    problems = []
    for name in members:
        info = zf.getinfo(name)
        ratio = info.file_size / max(info.compress_size, 1)
        too_big = info.file_size > MAX_MEMBER_BYTES
        bomb = info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO
        if too_big or bomb:
            problems.append(
                _problem(
                    f"{name} declares {info.file_size / 1e6:,.0f} MB uncompressed "
                    f"({ratio:,.0f} times its {info.compress_size / 1e6:,.1f} MB in the zip): "
                    "refused before reading, it looks like a zip bomb or is too large",
                    f"give a GTFS feed whose tables are under {MAX_MEMBER_BYTES / 1e9:.1f} GB "
                    f"and compress less than {MAX_RATIO} times",
                )
            )
    if problems:
        raise InputFileError(path, problems)


def read_member(zf: zipfile.ZipFile, member: str, path: str) -> bytes:
    """A member's bytes; a damaged member is an :class:`InputFileError` naming it."""
    try:
        with zf.open(member) as fh:
            return fh.read()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise InputFileError(
            f"{path}:{member}",
            [
                _problem(
                    f"damaged in the zip ({type(exc).__name__}: {exc})",
                    "download the feed again (the file is corrupt or truncated)",
                )
            ],
        ) from exc


def read_csv(raw: bytes, member: str, path: str) -> pd.DataFrame:
    """A GTFS table as text: decoding and CSV errors are an :class:`InputFileError`."""
    try:
        return pd.read_csv(
            io.BytesIO(raw),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            skipinitialspace=True,
        )
    except UnicodeDecodeError as exc:
        fix = "GTFS tables are UTF-8: convert it, e.g. `iconv -f latin1 -t utf-8`"
        what = f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start})"
        raise InputFileError(f"{path}:{member}", [_problem(what, fix)]) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        fix = "give a comma-separated table with a header row, as GTFS requires"
        raise InputFileError(
            f"{path}:{member}", [_problem(f"not a CSV table ({exc})", fix)]
        ) from exc


def frequency_limits(
    headway: npt.NDArray[np.float64],
    start: npt.NDArray[np.float64],
    end: npt.NDArray[np.float64],
    raw: pd.Series,
) -> list[InputProblem]:
    """Headways under :data:`MIN_HEADWAY_S` or not whole, and too many expanded trips."""
    bad = np.flatnonzero(
        (headway > 0) & ((headway < MIN_HEADWAY_S) | (headway != np.round(headway)))
    )
    problems = capped(
        bad,
        lambda i: InputProblem(
            i + 1,
            "headway_secs",
            f"headway {str(raw.iloc[i]).strip()!r} is not a whole number of seconds ≥ "
            f"{MIN_HEADWAY_S}",
            "give the headway in whole seconds, e.g. 600",
        ),
    )
    if problems:
        return problems
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.ceil(np.clip(end - start, 0, None) / headway)
    n = np.nan_to_num(n, nan=0.0, posinf=0.0)
    if n.sum() > MAX_FREQUENCY_TRIPS:
        worst = np.argsort(-n)[:5]
        rows = ", ".join(f"{int(i) + 1} ({int(n[i]):,} trips)" for i in worst)
        problems.append(
            InputProblem(
                None,
                "headway_secs",
                f"frequencies.txt expands into {int(n.sum()):,} trips, more than "
                f"{MAX_FREQUENCY_TRIPS:,} (rows {rows})",
                "check the headways (seconds) and the start and end times of these rows",
            )
        )
    return problems


def backwards_problems(
    trip: npt.NDArray[np.int64],
    arr: npt.NDArray[np.float64],
    dep: npt.NDArray[np.float64],
    order: npt.NDArray[np.intp],
    trip_ids: pd.Series,
) -> list[InputProblem]:
    """Rows (sorted by trip and stop_sequence) where time goes backwards along a trip: a
    departure before its arrival, or an arrival before the previous stop's departure."""
    same = np.zeros(len(trip), dtype=bool)
    same[1:] = trip[1:] == trip[:-1]
    back = same & (arr < np.r_[np.inf, dep[:-1]])
    back |= dep < arr
    positions = np.flatnonzero(back)

    def make(i: int) -> InputProblem:
        row = int(order[i])
        prev = f"{_hms(dep[i - 1])} at the previous stop, " if same[i] else ""
        return InputProblem(
            row + 1,
            "arrival_time",
            f"trip {trip_ids.iloc[row]!r} goes back in time: {prev}arrival {_hms(arr[i])}, "
            f"departure {_hms(dep[i])}",
            "times must not decrease along a trip (in stop_sequence order): fix the times or "
            "the stop_sequence",
        )

    return capped(positions, make)


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
