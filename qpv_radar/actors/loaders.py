"""The actor loaders a territory's ``[[actors]]`` tables can name (``loader = "…"``), and the
options each accepts (its keyword parameters): used by :func:`~qpv_radar.actors.load_actors`
and by the territory schema (:mod:`qpv_radar._schema`), without importing the territory."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import geopandas as gpd

from .data_inclusion import read_data_inclusion
from .france_services import read_france_services
from .generic import read_generic
from .montpellier_opendata import (
    read_montpellier_associations_2011,
    read_montpellier_etablissements_2014,
)
from .mpt import read_montpellier_mpt
from .pole_emploi import read_pole_emploi_2019

__all__ = ["LOADERS", "loader_options"]

LOADERS: dict[str, Callable[..., gpd.GeoDataFrame]] = {
    "montpellier_mpt": read_montpellier_mpt,
    "france_services": read_france_services,
    "pole_emploi_2019": read_pole_emploi_2019,
    "montpellier_etablissements_2014": read_montpellier_etablissements_2014,
    "montpellier_associations_2011": read_montpellier_associations_2011,
    "data_inclusion": read_data_inclusion,
    "generic": read_generic,
}


def loader_options(loader: str) -> tuple[str, ...]:
    """The options an actor loader accepts in its ``[[actors]]`` table (its parameters after
    the source, apart from ``communes`` that the territory gives)."""
    params = list(inspect.signature(LOADERS[loader]).parameters.values())[1:]
    return tuple(p.name for p in params if p.name != "communes")
