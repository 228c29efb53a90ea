"""Several feeds as one: :func:`merge_feeds`, and :func:`read_feed` of one zip or several.

A territory may publish its network in several zips (a city's buses and trams, the regional
coaches, a train operator). Each zip is parsed and cached on its own
(:mod:`.store`), then they are merged into one :class:`~qpv_radar.networks.gtfs.GtfsFeed`:
stops, routes, trips and patterns side by side (indices offset), calendars concatenated, so
that the service period is the union of the feeds' periods. Stops of different feeds at the
same place are joined by the walking footpaths that routing computes between all stops.

Identifiers stay as published, except where they *collide*: an id of a later feed that an
earlier feed already uses (``stop_id``, ``parent_station``, ``route_id``, ``trip_id``,
``service_id``, non-empty ``agency_id``) is prefixed with the later feed's tag, its zip name
without extension (``"sncf:87773002"``; ``"sncf#2:…"`` when two zips have the same name). The
first feed's ids never change.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..._errors import TimetableError
from .model import GtfsFeed
from .store import read_one

__all__ = ["merge_feeds", "read_feed"]

# columns renamed on collision, per table: (frame attribute, columns sharing one id space)
_ID_SPACES = {
    "stop": (("stops", "stop_id"),),
    "station": (("stops", "parent_station"),),
    "route": (("routes", "route_id"),),
    "trip": (("trips", "trip_id"),),
    "service": (
        ("trips", "service_id"),
        ("calendar", "service_id"),
        ("calendar_dates", "service_id"),
    ),
    "agency": (("agencies", "agency_id"), ("routes", "agency_id")),
}


def _tags(feeds: Sequence[GtfsFeed]) -> list[str]:
    """A distinct tag per feed: its zip name without extension (``#2``… when repeated)."""
    tags: list[str] = []
    for f in feeds:
        base = Path(f.path).stem if not f.sources else f"merged{len(tags) + 1}"
        tag, n = base, 1
        while tag in tags:
            n += 1
            tag = f"{base}#{n}"
        tags.append(tag)
    return tags


def _check_timezones(feeds: Sequence[GtfsFeed]) -> None:
    first = feeds[0]
    for f in feeds[1:]:
        if f.timezone != first.timezone:
            raise TimetableError(
                f"cannot merge GTFS feeds of different timezones: {first.path} is in "
                f"{first.timezone}, {f.path} in {f.timezone}. Times of one timetable are local "
                "times of one zone: route with the feeds of one timezone."
            )


def _renamed(feeds: Sequence[GtfsFeed], tags: list[str]) -> list[dict[str, pd.DataFrame]]:
    """Every feed's tables, with the ids that an earlier feed already uses prefixed."""
    frames = [
        {a: getattr(f, a).copy() for a in ("agencies", "stops", "routes", "trips")}
        | {"calendar": f.calendar.copy(), "calendar_dates": f.calendar_dates.copy()}
        for f in feeds
    ]
    for space, columns in _ID_SPACES.items():
        taken: set[str] = set()
        for tables, tag in zip(frames, tags, strict=True):
            own: set[str] = set()
            for attr, col in columns:
                if col in tables[attr].columns:
                    own |= set(tables[attr][col].astype(str))
            clash = {i for i in own & taken if i != ""}
            if clash:
                renamed = {i: f"{tag}:{i}" for i in clash}
                if set(renamed.values()) & (taken | own):
                    raise TimetableError(
                        f"cannot merge GTFS feeds: {space} ids prefixed with {tag!r} still "
                        "collide with ids of the other feeds. Rename the zip files."
                    )
                for attr, col in columns:
                    df = tables[attr]
                    if col in df.columns and len(df):
                        df[col] = df[col].astype(str).replace(renamed)
                own = (own - clash) | set(renamed.values())
            taken |= own
    return frames


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Rows of every non-empty table (the first table when all are empty)."""
    full = [p for p in parts if len(p)]
    if not full:
        return parts[0].copy()
    return pd.concat(full, ignore_index=True) if len(full) > 1 else full[0].reset_index(drop=True)


def _offset(values: list[np.ndarray], sizes: list[int], dtype: type) -> np.ndarray:
    """``values[k] + sum(sizes[:k])`` concatenated."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return np.concatenate(
        [v.astype(np.int64) + s for v, s in zip(values, starts, strict=True)]
    ).astype(dtype)


def _merged_trips(feeds: Sequence[GtfsFeed], frames: list[dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """The trips of every feed, route and pattern indices offset (−1 patterns kept)."""
    parts = []
    route0 = pattern0 = 0
    for f, tables in zip(feeds, frames, strict=True):
        t = tables["trips"]
        t["route_idx"] = (t["route_idx"].to_numpy(np.int64) + route0).astype(np.int32)
        pat = t["pattern"].to_numpy()
        t["pattern"] = np.where(pat >= 0, pat + pattern0, -1).astype(pat.dtype)
        parts.append(t)
        route0 += len(f.routes)
        pattern0 += len(f.pattern_route)
    return pd.concat(parts, ignore_index=True)


def _merged_transfers(feeds: Sequence[GtfsFeed]) -> pd.DataFrame:
    parts = []
    stop0 = 0
    for f in feeds:
        tr = f.transfers.copy()
        if len(tr):
            tr["from_idx"] = (tr["from_idx"].to_numpy(np.int64) + stop0).astype(np.int32)
            tr["to_idx"] = (tr["to_idx"].to_numpy(np.int64) + stop0).astype(np.int32)
        parts.append(tr)
        stop0 += len(f.stops)
    return _concat(parts)


def merge_feeds(feeds: Sequence[GtfsFeed]) -> GtfsFeed:
    """One feed made of several (e.g. a city's network and the regional coaches).

    Parameters
    ----------
    feeds
        Parsed feeds (:func:`read_feed`), all in the same agency timezone.

    Returns
    -------
    GtfsFeed
        Stops, routes, trips, patterns and transfers of every feed, in feed order, indices
        offset; calendars concatenated (the service period is the union of the periods). Ids
        an earlier feed already uses are prefixed with the later feed's tag (its zip name
        without extension, see the module). ``path`` is the zips' names joined by ``" + "``,
        ``sources`` the zips. A single feed is returned as is.

    Raises
    ------
    TimetableError
        No feed, or feeds in different timezones (both named).
    """
    if not feeds:
        raise TimetableError("no GTFS feed to merge: give at least one zip.")
    if len(feeds) == 1:
        return feeds[0]
    _check_timezones(feeds)
    tags = _tags(feeds)
    frames = _renamed(feeds, tags)
    n_stops = [len(f.stops) for f in feeds]
    n_routes = [len(f.routes) for f in feeds]
    n_templates = [len(f.tmpl_ptr) - 1 for f in feeds]
    n_times = [len(f.tmpl_arr) for f in feeds]
    ptr = _offset([f.tmpl_ptr[1:] for f in feeds], n_times, np.int64)
    sources = tuple(s for f in feeds for s in (f.sources or (f.path,)))
    return GtfsFeed(
        path=" + ".join(Path(s).name for s in sources),
        agencies=pd.concat([t["agencies"] for t in frames], ignore_index=True).fillna(""),
        timezone=feeds[0].timezone,
        stops=pd.concat([t["stops"] for t in frames], ignore_index=True),
        routes=pd.concat([t["routes"] for t in frames], ignore_index=True),
        trips=_merged_trips(feeds, frames),
        calendar=_concat([t["calendar"] for t in frames]),
        calendar_dates=_concat([t["calendar_dates"] for t in frames]),
        transfers=_merged_transfers(feeds),
        pattern_stops=[
            (s + off).astype(np.int32)
            for f, off in zip(feeds, np.cumsum([0, *n_stops[:-1]]), strict=True)
            for s in f.pattern_stops
        ],
        pattern_board=[b for f in feeds for b in f.pattern_board],
        pattern_alight=[a for f in feeds for a in f.pattern_alight],
        pattern_route=_offset([f.pattern_route for f in feeds], n_routes, np.int32),
        tmpl_ptr=np.concatenate([np.zeros(1, np.int64), ptr]),
        tmpl_arr=np.concatenate([f.tmpl_arr for f in feeds]),
        tmpl_dep=np.concatenate([f.tmpl_dep for f in feeds]),
        trip_template=_offset([f.trip_template for f in feeds], n_templates, np.int32),
        sources=sources,
    )


@functools.lru_cache(maxsize=4)
def _merged(paths: tuple[str, ...], versions: tuple[tuple[int, int], ...]) -> GtfsFeed:
    """The merged feed of ``paths`` (memoised by their size and modification time)."""
    return merge_feeds([read_one(p) for p in paths])


def read_feed(path: str | Path | Sequence[str | Path]) -> GtfsFeed:
    """Read a GTFS zip, or several merged into one feed (:func:`merge_feeds`).

    Each zip is parsed once per process (memoised by path, size and modification time) and
    once per content on disk (:mod:`qpv_radar._cache`, keyed by its SHA-256); the merge of
    several is memoised too.

    Parameters
    ----------
    path
        A zip file, or a sequence of zip files.

    Raises
    ------
    TimetableError
        No such file, not a zip file, an empty sequence, or feeds in different timezones.
    InputFileError
        Missing files or columns, unknown ids, malformed times or dates (all listed).
    """
    if isinstance(path, str | os.PathLike):
        return read_one(path)
    paths = [Path(p).expanduser().resolve() for p in path]
    if len(paths) == 1:
        return read_one(paths[0])
    if not paths:
        raise TimetableError("no GTFS feed to read: give at least one zip.")
    for p in paths:
        read_one(p)  # the missing-file message, and the parse, once per zip
    versions = tuple((p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    return _merged(tuple(str(p) for p in paths), versions)
