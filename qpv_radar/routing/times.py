"""Travel-time tables on a street network: many-to-many and nearest-k per group."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._errors import InputFileError, InputProblem, OptionError
from .._messages import Message
from ..networks.streets import StreetNetwork
from ._search import matrix, nearest_one
from .snapping import Snapped, snap

__all__ = ["nearest", "travel_times"]


def travel_times(
    network: StreetNetwork,
    origins: Any,
    destinations: Any,
    *,
    max_time_s: float | None = None,
    reasons: bool = False,
) -> pd.DataFrame:
    """Travel times from every origin to every destination (a long table, like r5py).

    Parameters
    ----------
    network
        A street network (:func:`~qpv_radar.networks.streets.load_street_network`).
    origins, destinations
        GeoDataFrames (or GeoSeries) of Points with a CRS; their index gives the ids.
    max_time_s
        Cut-off: longer trips are reported as NaN (and the search stops there: faster).
    reasons
        Add a ``reason`` column: None when a time is given, else why not (point too far from
        the network, on a part of the network not connected to the other point, beyond the
        cut-off, or no path along one-way streets), as a
        :class:`~qpv_radar._messages.Message` (``str()`` gives English, ``.text("fr")``
        French).

    Returns
    -------
    DataFrame
        ``from_id, to_id, travel_time`` (seconds, float; NaN when unreachable or beyond
        ``max_time_s``), origins × destinations rows, origin-major.
    """
    orig = snap(network, origins, label="origins")
    dest = snap(network, destinations, label="destinations")
    mat = matrix(network, orig, dest, max_time_s=max_time_s)
    n_o, n_d = mat.shape
    out = pd.DataFrame(
        {
            "from_id": np.repeat(orig.index.to_numpy(), n_d),
            "to_id": np.tile(dest.index.to_numpy(), n_o),
            "travel_time": np.where(np.isfinite(mat), mat, np.nan).ravel(),
        }
    )
    if reasons:
        out["reason"] = pd.Series(
            _reasons(network, orig, dest, mat, max_time_s).ravel(), dtype=object
        )
    return out


def _component(net: StreetNetwork, s: Snapped) -> np.ndarray:
    return np.where(s.ok, net.component[net.edge_u[np.where(s.ok, s.edge, 0)]], -1)


def _reasons(
    net: StreetNetwork,
    orig: Snapped,
    dest: Snapped,
    mat: np.ndarray,
    max_time_s: float | None,
) -> np.ndarray:
    n_o, n_d = mat.shape
    res = np.full((n_o, n_d), None, dtype=object)
    missing = ~np.isfinite(mat)
    if not missing.any():
        return res
    co, cd = _component(net, orig), _component(net, dest)
    same = co[:, None] == cd[None, :]
    if max_time_s is not None:
        res[missing & same] = Message("reason.cut_off", {"limit": max_time_s})
    else:
        res[missing & same] = Message("reason.no_path")
    res[missing & ~same] = Message("reason.not_connected")
    for j in np.flatnonzero(~dest.ok):
        res[:, j] = Message("reason.destination", {"reason": dest.reason[j]})
    for i in np.flatnonzero(~orig.ok):
        res[i, :] = Message("reason.origin", {"reason": orig.reason[i]})
    return res


def nearest(
    network: StreetNetwork,
    origins: Any,
    destinations: Any,
    *,
    k: int = 1,
    by: str | None = None,
    max_time_s: float | None = None,
) -> pd.DataFrame:
    """The ``k`` nearest destinations (in travel time) of every origin, optionally per group.

    Parameters
    ----------
    network
        A street network.
    origins, destinations
        GeoDataFrames of Points with a CRS (ids from their index).
    k
        How many destinations per origin (and per group).
    by
        A column of ``destinations`` to group by (e.g. a role): ``k`` nearest in each group.
        Tuple/list values (e.g. ``roles``) put a destination in each of its groups.
    max_time_s
        Cut-off (s).

    Returns
    -------
    DataFrame
        ``from_id, [by,] rank, to_id, travel_time``: up to ``k`` rows per origin (and group),
        ranked 1..k; an origin that reaches nothing gets one row with ``to_id`` None and
        ``travel_time`` NaN.
    """
    if k < 1:
        raise OptionError(f"k must be at least 1, got {k}.")
    orig = snap(network, origins, label="origins")
    if by is None:
        groups: list[tuple[Any, Any]] = [(None, destinations)]
    else:
        if by not in destinations.columns:
            raise InputFileError(
                "destinations",
                [
                    InputProblem(
                        None,
                        by,
                        "no such column to group by",
                        f"give one of {', '.join(map(str, destinations.columns))}",
                    )
                ],
            )
        col = destinations[by]
        if col.map(lambda v: isinstance(v, list | tuple)).any():
            exploded = destinations.assign(**{by: col}).explode(by)
            groups = list(exploded.groupby(by, sort=True))
        else:
            groups = list(destinations.groupby(by, sort=True))
    frames = []
    for key, dests in groups:
        dest = snap(network, dests, label="destinations")
        ids = dest.index.to_numpy()
        if k == 1:
            best, time = nearest_one(network, orig, dest, max_time_s=max_time_s)
            found = best >= 0
            frame = pd.DataFrame(
                {
                    "from_id": orig.index.to_numpy(),
                    "rank": 1,
                    "to_id": _ids_or_none(ids[np.where(found, best, 0)], found),
                    "travel_time": np.where(found, time, np.nan),
                }
            )
        else:
            frame = _k_nearest(network, orig, dest, ids, k, max_time_s)
        if by is not None:
            frame.insert(1, by, key)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out


def _ids_or_none(ids: np.ndarray, found: np.ndarray) -> pd.Series:
    """Ids as an object Series with None (not NaN) where nothing was found."""
    out = np.asarray(ids, dtype=object).copy()
    out[~found] = None
    return pd.Series(out, dtype=object)


def _k_nearest(
    net: StreetNetwork,
    orig: Snapped,
    dest: Snapped,
    ids: np.ndarray,
    k: int,
    max_time_s: float | None,
) -> pd.DataFrame:
    mat = matrix(net, orig, dest, max_time_s=max_time_s)
    n_o, n_d = mat.shape
    kk = min(k, n_d)
    if kk == 0:
        order = np.empty((n_o, 0), dtype=np.int64)
    else:
        part = (
            np.argpartition(mat, kk - 1, axis=1)[:, :kk]
            if kk < n_d
            else np.tile(np.arange(n_d), (n_o, 1))
        )
        vals = np.take_along_axis(mat, part, axis=1)
        order = np.take_along_axis(part, np.argsort(vals, axis=1, kind="stable"), axis=1)
    times = np.take_along_axis(mat, order, axis=1)
    ok = np.isfinite(times)
    rows_i, rank = np.nonzero(ok)
    frame = pd.DataFrame(
        {
            "from_id": orig.index.to_numpy()[rows_i],
            "rank": rank + 1,
            "to_id": pd.Series(ids[order[rows_i, rank]], dtype=object),
            "travel_time": times[rows_i, rank],
        }
    )
    none = np.flatnonzero(~ok.any(axis=1)) if kk else np.arange(n_o)
    if len(none):
        empty = pd.DataFrame(
            {
                "from_id": orig.index.to_numpy()[none],
                "rank": 1,
                "to_id": pd.Series([None] * len(none), dtype=object),
                "travel_time": np.nan,
            }
        )
        frame = pd.concat([frame, empty], ignore_index=True)
        pos = {v: i for i, v in enumerate(orig.index.to_numpy())}
        frame = frame.iloc[
            np.lexsort((frame["rank"].to_numpy(), frame["from_id"].map(pos).to_numpy()))
        ].reset_index(drop=True)
    return frame
