"""Routing on street networks: snapping, travel-time tables, nearest, isochrones, routes.

Public functions take a :class:`~qpv_radar.networks.streets.StreetNetwork` and GeoDataFrames of
points (ids from their index) and return plain DataFrames/GeoDataFrames.
"""

from __future__ import annotations

from .isochrone import isochrones
from .routes import Route, route
from .snapping import snap_points
from .times import nearest, travel_times

__all__ = ["Route", "isochrones", "nearest", "route", "snap_points", "travel_times"]
