"""``load_actors(territory)``: every actor source of a territory, in one GeoDataFrame.

Each ``[[actors]]`` table of the territory file names a ``loader`` (see :data:`LOADERS`) and a
``source`` (registry path or local file); its other keys are passed to the loader as options
(e.g. ``services = "services.json"`` for ``data_inclusion``, ``columns = {name = "NOM"}`` for
``generic``). Steps:

1. each source is read by its loader, pre-filtered to the territory's communes when the
   source has commune codes;
2. commune codes missing in a source (Pôle emploi 2019 has only names) are filled from the
   names seen in the other sources of the territory, when the name is unambiguous and the
   postcode in the address is in the same département;
3. actors outside ``territory.communes`` are dropped;
4. duplicates are merged or flagged (:func:`~qpv_radar.actors.dedup.merge_duplicates`);
5. the relay's local directory, when there is one, is layered over them
   (:mod:`qpv_radar.actors.directory`: corrections, additions, permanences, removals); the
   source files are never written.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .. import datasets
from .._data_notes import note
from .._defaults import DEFAULT_TERRITORY
from .._errors import TerritoryError
from ..territory import Territory, load_territory
from ._common import fold
from .dedup import merge_duplicates
from .loaders import LOADERS
from .model import empty_actors, normalise_dtypes

__all__ = ["LOADERS", "load_actors"]

logger = logging.getLogger("qpv_radar.actors")

_POSTCODE = re.compile(r"\b(\d{5})\b")


def _resolve_option(value: Any, territory: Territory) -> Any:
    """Option values naming a registry dataset or a local file become local paths."""
    if isinstance(value, str) and (
        value in datasets.registry() or value.endswith((".json", ".jsonl", ".csv"))
    ):
        from ..territory import Source

        base = territory.path.parent if territory.path is not None else None
        return Source(source=value, base=base).resolve()
    return value


def _fill_commune_codes(actors: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    known = actors.dropna(subset=["commune_code", "commune"])
    by_name: dict[str, set[str]] = {}
    for name, code in zip(known["commune"], known["commune_code"], strict=True):
        by_name.setdefault(fold(name).replace("-", " "), set()).add(str(code))
    missing = actors["commune_code"].isna() & actors["commune"].notna()
    codes = actors["commune_code"].to_numpy(dtype=object).copy()
    for i in map(int, missing.to_numpy().nonzero()[0]):
        cands = by_name.get(fold(actors["commune"].iat[i]).replace("-", " "), set())
        m = _POSTCODE.search(str(actors["address"].iat[i] or ""))
        if len(cands) == 1:
            code = next(iter(cands))
            if m is None or m.group(1)[:2] == code[:2]:
                codes[i] = code
    out = actors.copy()
    out["commune_code"] = pd.Series(codes, index=actors.index, dtype=object)
    return out


def load_actors(
    territory: Territory | str = DEFAULT_TERRITORY,
    *,
    progress: bool = True,
    merge: bool = True,
    distance_m: float = 50.0,
    directory: str | Path | bool | None = None,
) -> gpd.GeoDataFrame:
    """Load every actor of a territory.

    Parameters
    ----------
    territory
        A :class:`~qpv_radar.Territory` or its name / TOML path.
    progress
        Show a progress bar over the sources (on stderr).
    merge
        Merge same-kind duplicates and flag co-located structures (see
        :func:`~qpv_radar.actors.dedup.merge_duplicates`).
    distance_m
        Distance under which two actors are at the same place.
    directory
        The local directory layered over the sources: ``None`` (default) the territory's
        (:func:`~qpv_radar.actors.directory.directory_path`), used when the file exists;
        ``False`` none (the published sources only); a path: that file (it must exist).

    Returns
    -------
    geopandas.GeoDataFrame
        Index = ``id``; columns ``id, name, roles, kind, address, commune_code, commune,
        phone, email, website, opening_hours, mobile, source, vintage, geometry`` (+
        ``merged_ids, colocated_with`` when ``merge``; ``local_fields, permanence_of`` and
        ``attrs["directory"]`` when a local directory was applied), EPSG:4326.

    Raises
    ------
    TerritoryError
        An unknown loader name, or no structure at all (none in the sources, or none in the
        territory's communes).
    InputFileError
        A source or the local directory with problems (all listed).
    """
    terr = territory if isinstance(territory, Territory) else load_territory(territory)
    communes = set(terr.communes) or None
    unknown = [s.loader for s in terr.actors if s.loader not in LOADERS]
    if unknown:  # a Territory built in code (files are checked by their schema)
        raise TerritoryError(
            f"territory {terr.name!r}: unknown actor loader(s) {unknown}; "
            f"use one of {', '.join(LOADERS)}."
        )
    from rich.console import Console
    from rich.progress import track

    frames = []
    origin: dict[str, Path] = {}  # structure id → the source file it comes from
    for src in track(
        terr.actors,
        description="actors",
        transient=True,
        disable=not (progress and sys.stderr.isatty()),  # no stray lines in logs or pipes
        console=Console(stderr=True),
    ):
        loader = LOADERS[src.loader]
        opts = {k: _resolve_option(v, terr) for k, v in src.options.items()}
        dataset = datasets.registry().get(src.source)
        if dataset is not None and "vintage" not in opts:
            opts["vintage"] = dataset.vintage
        path = src.resolve()
        frame = loader(path, communes=communes, **opts)
        origin.update(dict.fromkeys(map(str, frame.index), path))
        frames.append(frame)
    frames = [f for f in frames if len(f)]
    if not frames:
        return _checked(_with_directory(empty_actors(), terr, directory), terr)
    actors = normalise_dtypes(gpd.GeoDataFrame(pd.concat(frames), crs=frames[0].crs))
    actors = _fill_commune_codes(actors)
    if communes is not None:
        inside = actors["commune_code"].isin(communes)
        unresolved = actors.index[actors["commune_code"].isna() & _maybe_in(actors, communes)]
        _note_left_out(terr, unresolved, origin, "data.note.left_out_commune")
        actors = actors[inside]
    no_role = actors.index[actors["roles"].map(len) == 0]
    _note_left_out(terr, no_role, origin, "data.note.left_out_role")
    if merge:
        actors = merge_duplicates(actors, distance_m=distance_m, crs=terr.crs)
    return _checked(_with_directory(actors, terr, directory), terr)


def _maybe_in(actors: gpd.GeoDataFrame, communes: set[str]) -> pd.Series:
    """Whether an actor may be in the territory: no postcode in its address, or one of the
    départements of its communes (the others are in another area, left out on purpose)."""
    deps = {c[:2] for c in communes}
    post = (
        actors["address"]
        .astype(object)
        .map(lambda a: m.group(1)[:2] if (m := _POSTCODE.search(str(a or ""))) else None)
    )
    return post.isna() | post.isin(deps)


def _note_left_out(terr: Territory, ids: pd.Index, origin: dict[str, Path], code: str) -> None:
    """One note per source file about the structures it gave that are left out (said once
    for the built-in data, every time for the user's own files: :mod:`qpv_radar._data_notes`)."""
    by_file: dict[Path, list[str]] = {}
    for i in map(str, ids):
        if i in origin:
            by_file.setdefault(origin[i], []).append(i)
    for path, left in by_file.items():
        note(logger, path, code, territory=terr.name, n=len(left), ids=_ids(pd.Index(left)))


def _ids(index: pd.Index) -> str:
    shown = ", ".join(map(str, index[:10]))
    return shown + (" …" if len(index) > 10 else "")


def _checked(actors: gpd.GeoDataFrame, terr: Territory) -> gpd.GeoDataFrame:
    """The actors, unless there is none: a territory without structures is an error."""
    if len(actors) == 0:
        raise TerritoryError(
            "territory.no_structure",
            name=terr.name,
            file=str(terr.path or terr.name),
            sources=", ".join(f"{s.loader}:{s.source}" for s in terr.actors) or "—",
            communes=", ".join(terr.communes) or "—",
        )
    return actors


def _with_directory(
    actors: gpd.GeoDataFrame, terr: Territory, directory: str | Path | bool | None
) -> gpd.GeoDataFrame:
    """The actors with the local directory layered over them (when there is one)."""
    if directory is False:
        return actors
    from .directory import apply_directory, directory_path, read_directory

    path = directory_path(terr) if directory is None or directory is True else Path(directory)
    if not path.is_file() and (directory is None or directory is True):
        return actors
    rows = read_directory(path)  # a path given that does not exist: InputFileError
    if not rows:
        return actors
    logger.info("local directory %s: %d row(s) applied", path, len(rows))
    return apply_directory(actors, rows, path=path)
