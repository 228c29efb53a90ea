"""Real Montpellier inputs for the planner tests: QPVs, relays, walking times.

Everything goes through the project's own parts on the real data: :func:`qpv_radar.qpv.load_qpv`,
:func:`qpv_radar.actors.load_actors` and the street engine (:mod:`qpv_radar.routing`).
"""

from __future__ import annotations

import functools

import geopandas as gpd
import pandas as pd

from qpv_radar import Networks, routing
from qpv_radar.actors import load_actors
from qpv_radar.networks.streets import StreetNetwork
from qpv_radar.qpv import load_qpv


@functools.cache
def networks() -> Networks:
    """The Montpellier networks, shared by the planner tests."""
    return Networks("montpellier")


def walk_network() -> StreetNetwork:
    """The Montpellier walking network (cached on disk by the engine)."""
    return networks().street_network("walk")


@functools.cache
def montpellier_qpv() -> gpd.GeoDataFrame:
    """The 12 Montpellier QPV (2015) with ``pop_mun``, indexed by code."""
    qpv = load_qpv("montpellier")
    return qpv.set_index("code_qp", drop=False)


@functools.cache
def montpellier_actors() -> gpd.GeoDataFrame:
    """Every structure of the Montpellier territory."""
    return load_actors("montpellier")


def montpellier_relays() -> gpd.GeoDataFrame:
    """The relays (Maisons pour tous, France services, …)."""
    a = montpellier_actors()
    return a[a["roles"].map(lambda r: "relay" in r).to_numpy(bool)]


def street_nodes() -> gpd.GeoSeries:
    """All street nodes (EPSG:4326)."""
    net = walk_network()
    return gpd.GeoSeries(gpd.points_from_xy(net.node_lon, net.node_lat), crs="EPSG:4326")


def walk_times(
    origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame, max_time_s: float | None = None
) -> pd.DataFrame:
    """Long table ``from_id, to_id, travel_time`` (s) on foot, from the street engine."""
    tt = routing.travel_times(walk_network(), origins, destinations, max_time_s=max_time_s)
    return tt[["from_id", "to_id", "travel_time"]]
