"""Networks: street graphs (OSM, osmnx exports) in a compact routing form."""

from __future__ import annotations

from .modes import ModeRules, mode_rules
from .streets import StreetNetwork, download_street_network, load_street_network

__all__ = [
    "ModeRules",
    "StreetNetwork",
    "download_street_network",
    "load_street_network",
    "mode_rules",
]
