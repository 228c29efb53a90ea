"""What the server keeps warm: a territory's networks, structures, QPVs and local directory."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd

from .._defaults import WGS84
from ..territory import Territory, load_territory

__all__ = ["TerritoryData"]


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    s = str(value).strip()
    return s or None


def _roles(value: Any) -> list[str]:
    if isinstance(value, str):
        return [r.strip() for r in value.split(",") if r.strip()]
    if value is None or isinstance(value, float):
        return []
    return [str(r) for r in value]


@dataclass
class TerritoryData:
    """A territory loaded once: :class:`~qpv_radar.Networks`, the published structures, the
    structures with the local directory layered over them, and the QPV perimeters.

    Radars are computed one at a time (``lock``): the networks' caches are shared. Editing the
    directory re-layers it over the published structures, kept apart, without reloading them.
    """

    territory: Territory
    directory: Path
    networks: Any
    base_actors: gpd.GeoDataFrame
    actors: gpd.GeoDataFrame
    qpv: gpd.GeoDataFrame
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, territory: Territory | str, directory: str | Path | None = None) -> TerritoryData:
        """Load everything a radar needs (the networks are warmed by one walking query)."""
        from ..actors import load_actors
        from ..actors.directory import directory_path
        from ..qpv import load_qpv
        from ..routing.networks import Networks

        terr = territory if isinstance(territory, Territory) else load_territory(territory)
        path = Path(directory).expanduser() if directory else directory_path(terr)
        base = load_actors(terr, progress=False, directory=False).to_crs(WGS84)
        data = cls(
            territory=terr,
            directory=path,
            networks=Networks(terr),
            base_actors=base,
            actors=base,
            qpv=load_qpv(terr).to_crs(WGS84),
        )
        data.actors = data.layered(data.rows())
        data.warm()
        return data

    def warm(self) -> None:
        """Load the street networks, the day's timetable and compile the routers now rather
        than on the agent's first radar: one radar from inside the first QPV, next working
        day (the caches on disk make this seconds)."""
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from .._errors import QpvRadarError
        from ..networks.gtfs.days import next_working_day
        from ..radar import Person, compute_radar

        if not len(self.qpv):
            return
        point = self.qpv.geometry.iloc[0].representative_point()
        now = datetime.now(ZoneInfo(self.territory.timezone)).replace(tzinfo=None)
        person = Person(lon=point.x, lat=point.y, when=next_working_day(now),
                        needs=("creation", "emploi", "mobilite"))  # fmt: skip
        # a territory whose first QPV is unreachable: warmed by the first radar instead
        with contextlib.suppress(QpvRadarError):
            compute_radar(self.territory, person, networks=self.networks, actors=self.actors,
                          qpv=self.qpv, itineraries="all")  # fmt: skip

    def rows(self) -> list[Any]:
        """The local directory's rows (none when the file does not exist yet)."""
        from ..actors.directory import read_directory

        return read_directory(self.directory) if self.directory.is_file() else []

    def layered(self, rows: list[Any]) -> gpd.GeoDataFrame:
        """The published structures with ``rows`` layered over them."""
        from ..actors.directory import apply_directory

        if not rows:
            return self.base_actors
        return apply_directory(self.base_actors, rows, path=self.directory).to_crs(WGS84)

    def structures(self) -> list[dict[str, Any]]:
        """Every structure as plain data (what ``/api/structures`` answers)."""
        a = self.actors
        out = []
        for sid, row in a.iterrows():
            out.append(
                {
                    "id": str(sid),
                    "name": _text(row.get("name")) or str(sid),
                    "kind": _text(row.get("kind")),
                    "roles": _roles(row.get("roles")),
                    "address": _text(row.get("address")),
                    "commune": _text(row.get("commune")),
                    "phone": _text(row.get("phone")),
                    "email": _text(row.get("email")),
                    "website": _text(row.get("website")),
                    "opening_hours": _text(row.get("opening_hours")),
                    "source": _text(row.get("source")),
                    "vintage": _text(row.get("vintage")),
                    "permanence_of": _text(row.get("permanence_of")),
                    "lon": round(float(row.geometry.x), 6),
                    "lat": round(float(row.geometry.y), 6),
                }
            )
        return out

    def qpv_geojson(self) -> dict[str, Any]:
        """The QPV perimeters (simplified ~5 m) with their code and name, for the map."""
        feats = []
        for _, row in self.qpv.iterrows():
            geom = row.geometry.simplify(0.00005, preserve_topology=True)
            feats.append(
                {
                    "type": "Feature",
                    "geometry": geom.__geo_interface__,
                    "properties": {
                        "code": _text(row.get("code_qp")),
                        "name": _text(row.get("nom_qp")),
                    },
                }
            )
        return {"type": "FeatureCollection", "features": feats}

    def bounds(self) -> list[float]:
        """West, south, east, north of the QPVs and structures (the map's first view)."""
        parts = [g for g in (self.qpv, self.actors) if len(g)]
        b = [g.total_bounds for g in parts]
        return [min(x[0] for x in b), min(x[1] for x in b), max(x[2] for x in b),
                max(x[3] for x in b)]  # fmt: skip
