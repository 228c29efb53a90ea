"""Support structures (actors): one model, many sources.

See :mod:`qpv_radar.actors.model` for the schema and roles, :mod:`qpv_radar.actors.hours` for
opening hours, one module per source, and :func:`load_actors` for a territory's actors.
"""

from __future__ import annotations

from . import hours
from .data_inclusion import read_data_inclusion
from .dedup import merge_duplicates
from .france_services import read_france_services
from .generic import read_generic
from .load import LOADERS, load_actors
from .model import ACTOR_COLUMNS, KIND_ROLES, ROLE_LABELS, ROLES
from .montpellier_opendata import (
    read_montpellier_associations_2011,
    read_montpellier_etablissements_2014,
)
from .mpt import read_montpellier_mpt
from .pole_emploi import read_pole_emploi_2019

__all__ = [
    "ACTOR_COLUMNS",
    "KIND_ROLES",
    "LOADERS",
    "ROLES",
    "ROLE_LABELS",
    "hours",
    "load_actors",
    "merge_duplicates",
    "read_data_inclusion",
    "read_france_services",
    "read_generic",
    "read_montpellier_associations_2011",
    "read_montpellier_etablissements_2014",
    "read_montpellier_mpt",
    "read_pole_emploi_2019",
]
