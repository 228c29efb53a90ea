"""Territories: one area's QPV perimeters, structures, street network and GTFS feeds.

A territory is declared in a small TOML file (see ``data/montpellier.toml``, built in and the
default). Sources are registry paths, fetched by checksum through :mod:`qpv_radar.datasets`, or
local files, read relative to the territory file. This module only reads the declaration;
loading the data is done by :mod:`qpv_radar.qpv`, :mod:`qpv_radar.actors` and the networks.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from . import datasets
from ._defaults import DEFAULT_TERRITORY, DEFAULT_TIMEZONE, LAMBERT93
from ._errors import TerritoryError

__all__ = ["DEFAULT_TERRITORY", "Source", "Territory", "builtin_territories", "load_territory"]


@dataclass(frozen=True)
class Source:
    """One data source of a territory.

    Parameters
    ----------
    source
        Registry path or local file path.
    loader
        Name of the loader that reads it (actors), or its format (streets).
    options
        Any other keys of the TOML table, passed to the loader.
    base
        Folder that relative local paths are resolved against.
    """

    source: str
    loader: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    base: Path | None = None

    def resolve(self, *, progressbar: bool = False) -> Path:
        """Return a local path: fetched from the registry, or the local file itself."""
        if self.source in datasets.registry():
            return datasets.fetch(self.source, progressbar=progressbar)
        path = Path(self.source).expanduser()
        if not path.is_absolute() and self.base is not None:
            path = self.base / path
        if not path.exists():
            raise TerritoryError(
                f"source {self.source!r} is neither a registry dataset nor an existing file "
                f"(looked for {path}). Fix the path in the territory file, or run "
                "`qpv-radar data list` to see registry datasets."
            )
        return path


@dataclass(frozen=True)
class Territory:
    """A territory declaration (read from TOML, nothing loaded yet)."""

    name: str
    label: str
    communes: tuple[str, ...]
    crs: str
    timezone: str
    default_when: datetime | None
    qpv: Source | None
    indicators: Source | None
    qpv_generation: int | None
    qpv_note: str
    actors: tuple[Source, ...]
    streets: Source | None
    gtfs: tuple[Source, ...]
    path: Path | None = None
    #: English version of :attr:`qpv_note` (``[qpv] note_en``), used by the English outputs.
    qpv_note_en: str = ""
    #: The local directory file (``[directory] file``), read relative to the territory file;
    #: ``None``: the default place (:func:`qpv_radar.actors.directory.directory_path`).
    directory: Path | None = None


def builtin_territories() -> list[str]:
    """Names of the territories shipped with qpv_radar."""
    root = resources.files("qpv_radar._data")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def _source(table: Any, where: str, base: Path | None, file: str) -> Source:
    if isinstance(table, str):
        return Source(source=table, base=base)
    if not isinstance(table, dict) or "source" not in table:
        raise TerritoryError(
            f"{file}: {where} must be a table with a 'source' key (a registry path or a file)."
        )
    opts = {k: v for k, v in table.items() if k not in ("source", "loader", "format")}
    loader = str(table.get("loader", table.get("format", "")))
    return Source(source=str(table["source"]), loader=loader, options=opts, base=base)


def load_territory(name_or_path: str | Path = DEFAULT_TERRITORY) -> Territory:
    """Read a territory declaration.

    Parameters
    ----------
    name_or_path
        A built-in territory name (``"montpellier"``) or the path of a TOML file.

    Returns
    -------
    Territory

    Raises
    ------
    TerritoryError
        Unknown name, unreadable or malformed file.
    """
    text: str
    base: Path | None
    file_path: Path | None
    s = str(name_or_path)
    if s in builtin_territories():
        text = resources.files("qpv_radar._data").joinpath(f"{s}.toml").read_text("utf-8")
        base, file_path, label = None, None, f"built-in territory {s!r}"
    else:
        file_path = Path(s).expanduser()
        if not file_path.is_file():
            raise TerritoryError(
                "territory.unknown", name=s, builtins=", ".join(builtin_territories())
            )
        text = file_path.read_text("utf-8")
        base, label = file_path.parent, str(file_path)
    try:
        cfg = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TerritoryError(f"{label}: not valid TOML ({exc}). Fix the syntax.") from exc
    if "name" not in cfg:
        raise TerritoryError(f"{label}: missing 'name' key. Add name = \"my_area\".")
    when = cfg.get("default_when")
    try:
        default_when = datetime.fromisoformat(str(when)) if when else None
    except ValueError as exc:
        raise TerritoryError(
            f"{label}: default_when {when!r} is not an ISO date-time like 2024-01-16T09:00."
        ) from exc
    qpv_table = cfg.get("qpv", {})
    return Territory(
        name=str(cfg["name"]),
        label=str(cfg.get("label", cfg["name"])),
        communes=tuple(str(c) for c in cfg.get("communes", ())),
        crs=str(cfg.get("crs", LAMBERT93)),
        timezone=str(cfg.get("timezone", DEFAULT_TIMEZONE)),
        default_when=default_when,
        qpv=_source(qpv_table["perimeters"], "[qpv] perimeters", base, label)
        if "perimeters" in qpv_table
        else None,
        indicators=_source(qpv_table["indicators"], "[qpv] indicators", base, label)
        if "indicators" in qpv_table
        else None,
        qpv_generation=qpv_table.get("generation"),
        qpv_note=str(qpv_table.get("note", "")),
        actors=tuple(
            _source(t, f"[[actors]] #{i + 1}", base, label)
            for i, t in enumerate(cfg.get("actors", []))
        ),
        streets=_source(cfg["streets"], "[streets]", base, label) if "streets" in cfg else None,
        gtfs=tuple(
            _source(t, f"[[gtfs]] #{i + 1}", base, label) for i, t in enumerate(cfg.get("gtfs", []))
        ),
        path=file_path,
        qpv_note_en=str(qpv_table.get("note_en", "")),
        directory=_directory_file(cfg.get("directory"), base, label),
    )


def _directory_file(table: Any, base: Path | None, label: str) -> Path | None:
    """The ``[directory] file = "…"`` key: the local directory's CSV (relative to ``base``)."""
    if table is None:
        return None
    if not isinstance(table, dict) or not isinstance(table.get("file"), str):
        raise TerritoryError(
            f"{label}: [directory] must be a table with a 'file' key, e.g. "
            '[directory] file = "annuaire_local.csv".'
        )
    path = Path(table["file"]).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    return path
