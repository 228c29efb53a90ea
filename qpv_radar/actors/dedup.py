"""Duplicates across sources: the same structure listed twice, or two structures in one place.

Rule (documented in the README):

* **same kind, within ``distance_m``** (default 50 m, Lambert-93), **from different sources,
  or from one source under the same name** → the same structure listed twice: the rows are
  **merged** into the first one (sources are
  read in the territory's order): roles are united, empty fields (hours, phone, address…)
  filled from the others, ``source`` and ``vintage`` joined with ``" + "``, and the merged
  ids kept in ``merged_ids``;
* **otherwise within ``distance_m``** (different kinds, or two differently named entries of
  one source) → two services in one building (a France services desk inside a maison pour
  tous, two associations at one address): both rows are kept, each naming the other in
  ``colocated_with``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from scipy.cluster.hierarchy import DisjointSet
from scipy.spatial import cKDTree

from .._defaults import LAMBERT93
from ._common import fold
from .model import ACTOR_COLUMNS, ROLES, normalise_dtypes

__all__ = ["merge_duplicates"]

_FILL = ("address", "commune_code", "commune", "phone", "email", "website", "opening_hours")


def merge_duplicates(
    actors: gpd.GeoDataFrame, *, distance_m: float = 50.0, crs: str = LAMBERT93
) -> gpd.GeoDataFrame:
    """Merge same-kind duplicates and flag co-located structures.

    Parameters
    ----------
    actors
        Actors in the common schema (any order; the first of a group is kept).
    distance_m
        Two points closer than this are "the same place".
    crs
        Metric CRS for distances.

    Returns
    -------
    geopandas.GeoDataFrame
        The actors with ``merged_ids`` and ``colocated_with`` (tuples of ids) added.
    """
    out = actors.copy()
    n = len(out)
    out["merged_ids"] = [()] * n
    out["colocated_with"] = [()] * n
    if n < 2:
        return out
    xy = np.column_stack(
        [out.geometry.to_crs(crs).x.to_numpy(), out.geometry.to_crs(crs).y.to_numpy()]
    )
    pairs = cKDTree(xy).query_pairs(distance_m, output_type="ndarray")
    kinds = out["kind"].to_numpy(dtype=object)
    sources = out["source"].to_numpy(dtype=object)
    names = np.array([fold(x) for x in out["name"]], dtype=object)
    if len(pairs):
        a, b = pairs[:, 0], pairs[:, 1]
        same = (kinds[a] == kinds[b]) & ((sources[a] != sources[b]) | (names[a] == names[b]))
    else:
        same = np.zeros(0, dtype=bool)
    groups = DisjointSet(range(n))
    for a, b in pairs[same]:
        groups.merge(int(a), int(b))
    ids = out["id"].to_numpy(dtype=object)
    keep = np.ones(n, dtype=bool)
    rows = out.to_dict("records")
    for subset in groups.subsets():
        if len(subset) < 2:
            continue
        members = sorted(subset)
        first, rest = members[0], members[1:]
        rec = rows[first]
        roles = set(rec["roles"])
        for j in rest:
            other = rows[j]
            roles.update(other["roles"])
            for f in _FILL:
                if rec[f] is None and other[f] is not None:
                    rec[f] = other[f]
            for f in ("source", "vintage"):
                if other[f] and other[f] not in str(rec[f]).split(" + "):
                    rec[f] = f"{rec[f]} + {other[f]}"
            keep[j] = False
        rec["roles"] = tuple(r for r in ROLES if r in roles)
        rec["merged_ids"] = tuple(str(ids[j]) for j in rest)
    colocated: dict[int, set[str]] = {}
    for a, b in pairs[~same]:
        colocated.setdefault(int(a), set()).add(str(ids[b]))
        colocated.setdefault(int(b), set()).add(str(ids[a]))
    for i, others in colocated.items():
        rows[i]["colocated_with"] = tuple(sorted(others))
    merged = gpd.GeoDataFrame(
        [rows[i] for i in range(n) if keep[i]], geometry="geometry", crs=actors.crs
    )
    merged.index = actors.index[keep]
    # ids merged away cannot be co-located partners any more: point to the kept row
    alias = {m: rid for rid, ms in zip(merged["id"], merged["merged_ids"], strict=True) for m in ms}
    merged["colocated_with"] = [
        tuple(sorted({alias.get(x, x) for x in c} - {rid}))
        for rid, c in zip(merged["id"], merged["colocated_with"], strict=True)
    ]
    return normalise_dtypes(merged[[*ACTOR_COLUMNS, "merged_ids", "colocated_with"]])
