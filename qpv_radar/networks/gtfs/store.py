"""The on-disk cache of parsed feeds (through :mod:`qpv_radar._cache`, no pickle).

A :class:`~qpv_radar.networks.gtfs.GtfsFeed` is stored as its tables (Parquet) and arrays
(``.npy``); the ragged per-pattern lists as one flat array plus offsets. The entry's key is the
zip's SHA-256 and the source of the modules that parse it (editing the parser re-parses);
reloading the TaM feed takes a fraction of parsing it.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ... import _cache
from ..._errors import TimetableError
from . import checks, model, read
from .model import GtfsFeed

KIND = "gtfs"
_FRAMES = ("agencies", "stops", "routes", "trips", "calendar", "calendar_dates", "transfers")
_ARRAYS = ("pattern_route", "tmpl_ptr", "tmpl_arr", "tmpl_dep", "trip_template")
_RAGGED = {"pattern_stops": np.int32, "pattern_board": np.bool_, "pattern_alight": np.bool_}
log = logging.getLogger("qpv_radar.cache")


def to_bundle(feed: GtfsFeed) -> _cache.Bundle:
    """The feed as arrays, tables and meta (its in-memory ``cache`` is left out)."""
    arrays: dict[str, np.ndarray] = {a: getattr(feed, a) for a in _ARRAYS}
    for name, dtype in _RAGGED.items():
        flat, offsets = _cache.flatten(getattr(feed, name), dtype)
        arrays[name] = flat
        arrays[name + "_offsets"] = offsets
    frames: dict[str, pd.DataFrame] = {f: getattr(feed, f) for f in _FRAMES}
    meta: dict[str, Any] = {"timezone": feed.timezone, "sources": list(feed.sources)}
    return _cache.Bundle(arrays, frames, meta)


def from_bundle(bundle: _cache.Bundle, path: str) -> GtfsFeed:
    """The feed stored by :func:`to_bundle`, read from ``path``.

    Raises
    ------
    KeyError
        An array or table is missing from the entry.
    """
    a, f = bundle.arrays, bundle.frames
    stops, board, alight = (_cache.unflatten(a[n], a[n + "_offsets"]) for n in _RAGGED)
    return GtfsFeed(
        path=path,
        agencies=f["agencies"],
        timezone=str(bundle.meta["timezone"]),
        stops=f["stops"],
        routes=f["routes"],
        trips=f["trips"],
        calendar=f["calendar"],
        calendar_dates=f["calendar_dates"],
        transfers=f["transfers"],
        pattern_stops=stops,
        pattern_board=board,
        pattern_alight=alight,
        pattern_route=a["pattern_route"],
        tmpl_ptr=a["tmpl_ptr"],
        tmpl_arr=a["tmpl_arr"],
        tmpl_dep=a["tmpl_dep"],
        trip_template=a["trip_template"],
        sources=tuple(bundle.meta.get("sources", ())),
    )


def _key(path: str) -> str:
    return _cache.key(
        KIND, [Path(path)], [model, checks, read, sys.modules[__name__]], label=Path(path).stem
    )


@functools.lru_cache(maxsize=4)
def _read_cached(path: str, size: int, mtime_ns: int) -> GtfsFeed:
    """Parse once per process, and once per zip content and parser version on disk."""
    key = _key(path)
    bundle = _cache.load(KIND, key)
    if bundle is not None:
        try:
            return from_bundle(bundle, path)
        except (KeyError, TypeError, ValueError) as exc:  # an entry of another layout
            log.warning("cache entry %s unusable (%r): parsing the feed again", bundle.path, exc)
    feed = read.parse_feed(path)
    b = to_bundle(feed)
    _cache.save(KIND, key, b.arrays, b.frames, b.meta)
    return feed


def read_one(path: str | Path) -> GtfsFeed:
    """One zip, parsed or reloaded from the caches (memory, then disk).

    Raises
    ------
    TimetableError
        No such file, or not a zip file.
    InputFileError
        Missing files or columns, unknown ids, malformed times or dates (all listed).
    """
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise TimetableError(f"GTFS file {p} does not exist. Give the path of the feed's .zip.")
    stat = p.stat()
    return _read_cached(str(p), stat.st_size, stat.st_mtime_ns)
