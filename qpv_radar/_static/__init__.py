"""Static files shipped with qpv_radar: Leaflet 1.9.4 (BSD-2-Clause, ``leaflet/LICENSE``), so
that maps and the web page work without internet except for the background tiles.

:func:`leaflet_files` gives their paths.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LEAFLET_VERSION", "leaflet_files"]

#: The Leaflet release shipped (npm package ``leaflet``).
LEAFLET_VERSION = "1.9.4"


def leaflet_files() -> dict[str, Path]:
    """Paths of ``leaflet.js``, ``leaflet.css`` and the ``images`` folder."""
    root = Path(__file__).resolve().parent / "leaflet"
    return {"js": root / "leaflet.js", "css": root / "leaflet.css", "images": root / "images"}
