"""Walking minutes from each Montpellier QPV to the nearest structure of each role.

Origins are the street nodes inside each QPV (where people live), destinations the support
structures; the table gives, per QPV, the median over its nodes of the walk to the nearest
structure of each role. Structures outside the street network's area are reported, not guessed.

Run: ``QPV_RADAR_MIRROR=../shared/data .venv/bin/python examples/walk_to_structures.py``
"""

from __future__ import annotations

import geopandas as gpd
import shapely

import qpv_radar


def main() -> None:
    territory = qpv_radar.load_territory("montpellier")
    qpv = qpv_radar.load_qpv(territory)
    actors = qpv_radar.load_actors(territory, progress=False)
    walk = qpv_radar.load_street_network(territory, mode="walk")

    nodes = gpd.GeoDataFrame(geometry=shapely.points(walk.node_lon, walk.node_lat), crs="EPSG:4326")
    homes = nodes.sjoin(qpv[["nom_qp", "geometry"]], predicate="within")
    homes = homes[~homes.index.duplicated()]
    near = qpv_radar.nearest(walk, homes, actors, k=1, by="roles")
    near = near.merge(homes[["nom_qp"]], left_on="from_id", right_index=True)
    table = near.pivot_table(
        index="nom_qp", columns="roles", values="travel_time", aggfunc="median"
    )
    print(f"{len(homes)} street nodes in {len(qpv)} QPV, {len(actors)} structures")
    print("median walk to the nearest structure of each role (minutes):")
    print((table / 60).round(1).to_string())
    snapped = qpv_radar.routing.snap_points(walk, actors)
    far = snapped[snapped["reason"].notna()]
    print(f"{len(far)} structure(s) outside the walking network's area")
    for sid, reason in far["reason"].head(3).items():
        print(f"  {sid}: {reason}")


if __name__ == "__main__":
    main()
