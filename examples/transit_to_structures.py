"""Tram and bus minutes from each Montpellier QPV to the nearest structure of each role.

Origins are the street nodes inside each QPV, destinations the support structures. For every
origin and structure, the door-to-door public transport time (walking legs on the street
network) is the median over the departures of a 60-minute window on a school-term Tuesday
morning; the table gives, per QPV, the median over its nodes of the time to the nearest
structure of each role.

Run: ``QPV_RADAR_MIRROR=../shared/data .venv/bin/python examples/transit_to_structures.py``
"""

from __future__ import annotations

import geopandas as gpd
import shapely

import qpv_radar


def main() -> None:
    territory = qpv_radar.load_territory("montpellier")
    when = territory.default_when  # 2024-01-16 09:00, inside the TaM feed's period
    assert when is not None
    qpv = qpv_radar.load_qpv(territory)
    actors = qpv_radar.load_actors(territory, progress=False)
    walk = qpv_radar.load_street_network(territory, mode="walk")
    timetable = qpv_radar.load_timetable(territory.gtfs[0].resolve(), when.date())

    nodes = gpd.GeoDataFrame(geometry=shapely.points(walk.node_lon, walk.node_lat), crs="EPSG:4326")
    homes = nodes.sjoin(qpv[["nom_qp", "geometry"]], predicate="within")
    homes = homes[~homes.index.duplicated()]
    times = qpv_radar.transit_travel_times(
        timetable, walk, homes, actors, departure=when, window_minutes=60, percentiles=(80,)
    )
    roles = actors[["roles"]].explode("roles")
    times = times.merge(roles, left_on="to_id", right_index=True)
    nearest = times.groupby(["from_id", "roles"])["travel_time"].min().reset_index()
    nearest = nearest.merge(homes[["nom_qp"]], left_on="from_id", right_index=True)
    table = nearest.pivot_table(
        index="nom_qp", columns="roles", values="travel_time", aggfunc="median"
    )
    print(f"{len(homes)} street nodes in {len(qpv)} QPV, {len(actors)} structures, {when:%Y-%m-%d}")
    print(f"median over the window {when:%H:%M}–{when:%H}:59 of the door-to-door time (minutes)")
    print("to the nearest structure of each role, walking and public transport (TaM):")
    print((table / 60).round(1).to_string())


if __name__ == "__main__":
    main()
