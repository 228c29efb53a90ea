"""A local web page for agents who do not code: click the home, print the radar.

:func:`create_app` builds the Starlette application of one territory (networks, structures
and QPVs loaded once and kept warm); ``qpv-radar serve`` runs it with uvicorn on 127.0.0.1.
Everything is served from this machine (Leaflet included) except the background map tiles,
and, only when the agent ticks it, the national address search (called by the browser).
"""

from __future__ import annotations

from .app import DEFAULT_TILES, create_app
from .state import TerritoryData

__all__ = ["DEFAULT_TILES", "TerritoryData", "create_app"]
