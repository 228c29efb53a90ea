"""Layering the local directory over the published structures (never modifying them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from ..._errors import InputFileError, InputProblem
from ..model import KIND_ROLES, normalise_dtypes
from .rows import DirectoryRow, _p

# ---- layering over the sources ---------------------------------------------------------------


def _resolver(actors: gpd.GeoDataFrame) -> dict[str, str]:
    """Id → row id, merged duplicates' ids included."""
    out = {str(i): str(i) for i in actors.index}
    if "merged_ids" in actors.columns:
        for rid, ms in zip(actors.index, actors["merged_ids"], strict=True):
            for m in ms or ():
                out.setdefault(str(m), str(rid))
    return out


def _record(r: DirectoryRow, where: Point, address: str | None) -> dict[str, Any]:
    kind = r.kind or "other"
    return {
        "id": r.id,
        "name": r.name,
        "roles": r.roles or KIND_ROLES.get(kind, ()),
        "kind": kind,
        "address": address,
        "commune_code": None,
        "commune": None,
        "phone": r.phone,
        "email": r.email,
        "website": r.website,
        "opening_hours": r.hours,
        "mobile": False,
        "source": r.source,
        "vintage": r.date.isoformat(),
        "geometry": where,
        "local_fields": ("added",),
        "permanence_of": None,
    }


def _host_place(
    r: DirectoryRow, frame: pd.DataFrame, ids: Mapping[str, str], problems: list[InputProblem]
) -> tuple[Point, str | None, str | None] | None:
    """(point, address, host id) of a row placed at a host or at lon/lat."""
    if r.host:
        hid = ids.get(r.host)
        if hid is None:
            problems.append(_p(r.row, "host", "unknown_host", id=r.host))
            return None
        h = frame.loc[hid]
        parts = [str(x) for x in (h["name"], h["address"]) if isinstance(x, str) and x]
        point = cast(Point, h.geometry)
        return point, r.address or ", ".join(parts) or None, hid
    assert r.lon is not None and r.lat is not None
    return Point(r.lon, r.lat), r.address, None


def apply_directory(
    actors: gpd.GeoDataFrame, rows: Sequence[DirectoryRow], *, path: object = ""
) -> gpd.GeoDataFrame:
    """Layer the local directory over the sources' actors (a new frame; ``actors`` untouched).

    Order: additions, corrections, permanences (built from the corrected structure), removals.
    Columns ``local_fields`` (what the directory changed: field names, ``added``,
    ``permanence``) and ``permanence_of`` are added; ``attrs["directory"]`` summarises.

    Raises
    ------
    InputFileError
        Rows naming an id that is neither in the sources nor added locally (every one listed).
    """
    frame = actors.copy()
    frame["local_fields"] = [()] * len(frame)
    frame["permanence_of"] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    problems: list[InputProblem] = []
    ids = _resolver(frame)
    new: list[dict[str, Any]] = []
    for r in (r for r in rows if r.action == "add"):
        if r.id in ids:
            problems.append(_p(r.row, "id", "add_exists", id=r.id))
            continue
        place = _host_place(r, frame, ids, problems)
        if place is not None:
            new.append(_record(r, place[0], place[1]))
    frame = _concat(frame, new)
    ids = _resolver(frame)
    summary: dict[str, Any] = {"path": str(path), "corrected": [], "added": [n["id"] for n in new]}
    summary |= {"permanences": [], "removed": []}
    for r in (r for r in rows if r.action == "correct"):
        if r.id not in ids:
            problems.append(_p(r.row, "id", "unknown_id", id=r.id))
        elif r.closed:
            summary["removed"].append((ids[r.id], frame.at[ids[r.id], "name"], "closed", r.source))
        else:
            _correct(frame, ids[r.id], r)
            summary["corrected"].append(ids[r.id])
    perms: dict[str, dict[str, Any]] = {}
    for r in (r for r in rows if r.action == "permanence"):
        if r.id not in ids:
            problems.append(_p(r.row, "id", "unknown_id", id=r.id))
            continue
        place = _host_place(r, frame, ids, problems)
        if place is not None:
            _permanence(frame.loc[ids[r.id]], r, place, perms)
    for r in (r for r in rows if r.action == "remove"):
        if r.id not in ids:
            problems.append(_p(r.row, "id", "unknown_id", id=r.id))
        else:
            summary["removed"].append((ids[r.id], frame.at[ids[r.id], "name"], "removed", r.source))
    if problems:
        raise InputFileError(path, sorted(problems, key=lambda q: q.row or 0))
    frame = _concat(frame, list(perms.values()))
    summary["permanences"] = list(perms)
    gone = {x[0] for x in summary["removed"]}
    keep = ~(frame.index.isin(list(gone)) | frame["permanence_of"].isin(list(gone)))
    out = normalise_dtypes(gpd.GeoDataFrame(frame[keep], crs=actors.crs))
    out.attrs["directory"] = summary
    return out


def _concat(frame: gpd.GeoDataFrame, records: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    if not records:
        return frame
    add = gpd.GeoDataFrame(records, geometry="geometry", crs=frame.crs)
    add.index = pd.Index(add["id"].to_numpy(dtype=object), dtype=object)
    for col in ("merged_ids", "colocated_with"):
        if col in frame.columns:
            add[col] = [()] * len(add)
    add = add[[c for c in frame.columns if c in add.columns]]
    out = gpd.GeoDataFrame(pd.concat([frame, add]), geometry=frame.geometry.name, crs=frame.crs)
    return out


def _correct(frame: gpd.GeoDataFrame, rid: str, r: DirectoryRow) -> None:
    changed = list(frame.at[rid, "local_fields"])
    for name, col in (
        ("name", "name"),
        ("kind", "kind"),
        ("address", "address"),
        ("hours", "opening_hours"),
        ("phone", "phone"),
        ("email", "email"),
        ("website", "website"),
    ):
        value = getattr(r, name)
        if value is not None:
            frame.at[rid, col] = value
            changed.append(col)
    if r.roles:
        frame.at[rid, "roles"] = r.roles
        changed.append("roles")
    if r.lon is not None and r.lat is not None:
        frame.loc[[rid], frame.geometry.name] = gpd.GeoSeries(
            [Point(r.lon, r.lat)], index=[rid], crs=frame.crs
        )
        changed.append("geometry")
    frame.at[rid, "local_fields"] = tuple(dict.fromkeys(changed))
    frame.at[rid, "source"] = r.source
    frame.at[rid, "vintage"] = r.date.isoformat()


def _permanence(
    s: pd.Series,
    r: DirectoryRow,
    place: tuple[Point, str | None, str | None],
    perms: dict[str, dict[str, Any]],
) -> None:
    """One permanence row (several rows at the same place add their hours up)."""
    where, address, host = place
    pid = f"{s.name}@{host}" if host else f"{s.name}@{where.x:.5f},{where.y:.5f}"
    if pid in perms:
        perms[pid]["opening_hours"] = f"{perms[pid]['opening_hours']}, {r.hours}"
        return
    rec = {k: s[k] for k in s.index if k in ("name", "roles", "kind", "phone", "email", "website")}
    perms[pid] = rec | {
        "id": pid,
        "address": address,
        "commune_code": None,
        "commune": None,
        "opening_hours": r.hours,
        "mobile": True,
        "source": r.source,
        "vintage": r.date.isoformat(),
        "geometry": where,
        "local_fields": ("permanence",),
        "permanence_of": str(s.name),
    }


def append_row(rows: Sequence[DirectoryRow], new: DirectoryRow) -> list[DirectoryRow]:
    """The rows with ``new`` appended (numbered after the last one)."""
    last = max((r.row for r in rows), default=0)
    return [*rows, replace(new, row=last + 1)]
