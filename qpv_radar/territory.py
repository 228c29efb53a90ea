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
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from . import datasets
from ._defaults import DEFAULT_TERRITORY
from ._errors import TerritoryError
from ._schema import TerritoryModel, problems_of

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


def _read_text(file_path: Path) -> str:
    """The territory file's text (UTF-8, with or without a BOM)."""
    try:
        raw = file_path.read_bytes()
    except OSError as exc:
        raise TerritoryError("schema.unreadable", file=str(file_path), error=str(exc)) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TerritoryError(
            "schema.encoding",
            file=str(file_path),
            position=exc.start,
            byte=f"0x{raw[exc.start]:02x}",
        ) from exc


def load_territory(name_or_path: str | Path = DEFAULT_TERRITORY) -> Territory:
    """Read a territory declaration, checked against its schema (:mod:`qpv_radar._schema`).

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
        Unknown name, unreadable file (not UTF-8), not TOML, or not a territory: unknown
        sections or keys ("did you mean"), values of the wrong type, a CRS that is not a
        projected metric one, an unknown timezone, actor loader, loader option or street
        format (every problem listed).
    """
    s = str(name_or_path)
    file_path: Path | None
    if s in builtin_territories():
        text = resources.files("qpv_radar._data").joinpath(f"{s}.toml").read_text("utf-8")
        base, file_path, label = None, None, f"built-in territory {s!r}"
    else:
        file_path = Path(s).expanduser()
        if not file_path.is_file():
            raise TerritoryError(
                "territory.unknown", name=s, builtins=", ".join(builtin_territories())
            )
        text = _read_text(file_path)
        base, label = file_path.parent, str(file_path)
    try:
        cfg = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TerritoryError("schema.toml", file=label, error=str(exc)) from exc
    try:
        model = TerritoryModel.model_validate(cfg)
    except ValidationError as exc:
        raise TerritoryError(
            "schema.invalid", file=label, n=exc.error_count(), problems=problems_of(exc)
        ) from exc
    return _territory(model, base, file_path)


def _source(table: Any, base: Path | None) -> Source:
    """A :class:`Source` from a validated table (options: its other keys)."""
    fields = table.model_dump(exclude_none=True, exclude_defaults=True)
    opts = {k: v for k, v in fields.items() if k not in ("source", "loader", "format")}
    loader = str(fields.get("loader") or fields.get("format") or "")
    return Source(source=table.source, loader=loader, options=opts, base=base)


def _territory(model: TerritoryModel, base: Path | None, file_path: Path | None) -> Territory:
    """The frozen :class:`Territory` the rest of the code uses, from the validated model."""
    when = model.default_when
    if isinstance(when, datetime) and when.tzinfo is not None:
        # an offset given: the same instant in the territory's local time
        when = when.astimezone(ZoneInfo(model.timezone)).replace(tzinfo=None)
    assert when is None or isinstance(when, datetime)
    qpv = model.qpv
    directory = None
    if model.directory is not None:
        directory = Path(model.directory.file).expanduser()
        if not directory.is_absolute() and base is not None:
            directory = base / directory
    return Territory(
        name=model.name,
        label=model.label if model.label is not None else model.name,
        communes=tuple(model.communes),
        crs=model.crs,
        timezone=model.timezone,
        default_when=when,
        qpv=_source(qpv.perimeters, base) if qpv.perimeters is not None else None,
        indicators=_source(qpv.indicators, base) if qpv.indicators is not None else None,
        qpv_generation=qpv.generation,
        qpv_note=qpv.note,
        actors=tuple(_source(t, base) for t in model.actors),
        streets=_source(model.streets, base) if model.streets is not None else None,
        gtfs=tuple(_source(t, base) for t in model.gtfs),
        path=file_path,
        qpv_note_en=qpv.note_en,
        directory=directory,
    )
