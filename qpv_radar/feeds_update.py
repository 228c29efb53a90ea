"""Fresh GTFS feeds from the national access point (transport.data.gouv.fr), kept in the cache.

A ``[[gtfs]]`` entry of a territory file may name its dataset on the national access point::

    [[gtfs]]
    source = "gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"   # the feed shipped (fallback)
    pan_dataset = "662ba9a3f7d9ff84a3060d0a"                     # data.gouv.fr id of the dataset
    pan_resources = ["350c3f75-…", "c9d1350c-…"]                 # optional: which GTFS files

:func:`update_gtfs` asks the access point's public API (``GET {base}/api/datasets/{id}``, the
dataset's ``resources`` with ``url``, ``format``, ``is_available``, ``updated`` and the GTFS
``metadata`` ``start_date``/``end_date``), picks the current GTFS file(s) (:func:`pick_resources`),
downloads them (timeout, size limit), verifies them (zip integrity, the required GTFS files, a
parse by :func:`~qpv_radar.networks.gtfs.read_feed` and at least one date with service) and
stores them in the cache beside the feed shipped: one folder per fetch under
``datasets.cache_dir()/gtfs_updates/<territory>/<dataset>/``, written under a hidden name and
renamed when complete (atomic), with a ``manifest.json`` (urls, SHA-256, period, fetch time).

:func:`current_feed` is what :class:`~qpv_radar.Networks` routes on: the newest verified fetch
of the entry when there is one (files present, SHA-256 as in the manifest), else the feed the
territory file names. Offline, or any answer that cannot be used, raises
:class:`~qpv_radar._errors.FeedUpdateError` saying which feed stays in use: nothing already
stored is touched.

The base URL is ``https://transport.data.gouv.fr`` unless the environment variable
``QPV_RADAR_PAN_URL`` or the ``base_url`` parameter says otherwise (tests serve the API on
127.0.0.1).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from . import _pan, datasets
from ._cache import file_sha256
from ._errors import FeedUpdateError, QpvRadarError
from ._messages import Message
from ._pan import DEFAULT_PAN_URL, MAX_BYTES, PAN_URL_ENV, TIMEOUT_S, PanResource, Progress
from ._pan import pick_resources as pick_resources
from .territory import Source, Territory, load_territory

__all__ = [
    "DEFAULT_PAN_URL",
    "PAN_URL_ENV",
    "FeedUpdate",
    "PanResource",
    "current_feed",
    "pick_resources",
    "update_gtfs",
    "updates_dir",
]

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class FeedUpdate:
    """What :func:`update_gtfs` did for one ``[[gtfs]]`` entry.

    ``status`` is ``"updated"`` (a new folder is in use from now on) or ``"unchanged"`` (the
    files published are the ones already in use; nothing stored).
    """

    territory: str
    dataset: str
    base_url: str
    status: str
    folder: Path
    paths: tuple[Path, ...]
    period: tuple[date, date]
    resources: tuple[PanResource, ...]
    sha256: tuple[str, ...]
    fetched_at: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "territory": self.territory,
            "dataset": self.dataset,
            "base_url": self.base_url,
            "status": self.status,
            "folder": str(self.folder),
            "files": [
                {
                    "path": str(p),
                    "url": r.url,
                    "title": r.title,
                    "resource_id": r.resource_id,
                    "updated": r.updated,
                    "sha256": s,
                }
                for p, r, s in zip(self.paths, self.resources, self.sha256, strict=True)
            ],
            "period": {"start": self.period[0].isoformat(), "end": self.period[1].isoformat()},
            "fetched_at": self.fetched_at,
        }


# ---- where updates live, and which feed is in use -------------------------------------------
def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "_"


def updates_dir(territory_name: str, dataset: str) -> Path:
    """The folder of the fetches of ``dataset`` for ``territory_name`` (may not exist)."""
    return datasets.cache_dir() / "gtfs_updates" / _safe(territory_name) / _safe(dataset)


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a complete fetch whose files match it, else ``None``."""
    try:
        man = json.loads((folder / MANIFEST).read_text("utf-8"))
        files = man["files"]
        for f in files:
            p = folder / f["file"]
            if p.stat().st_size != int(f["size"]) or file_sha256(p) != f["sha256"]:
                return None
        return man if files else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _newest(territory_name: str, dataset: str) -> tuple[Path, dict[str, Any]] | None:
    root = updates_dir(territory_name, dataset)
    if not root.is_dir():
        return None
    for folder in sorted((p for p in root.iterdir() if not p.name.startswith(".")), reverse=True):
        man = _read_manifest(folder)
        if man is not None:
            return folder, man
    return None


def current_feed(territory_name: str, source: Source) -> tuple[Path, ...]:
    """The GTFS zip(s) to route on for one ``[[gtfs]]`` entry.

    Parameters
    ----------
    territory_name
        The territory's name (updates are stored per territory).
    source
        The entry; its ``pan_dataset`` option names the dataset on the access point.

    Returns
    -------
    tuple of Path
        The files of the newest verified fetch (:func:`update_gtfs`) when there is one, else
        the entry's own file (fetched from the registry when needed).
    """
    dataset = str(source.options.get("pan_dataset", "")).strip()
    if dataset:
        found = _newest(territory_name, dataset)
        if found is not None:
            folder, man = found
            return tuple(folder / f["file"] for f in man["files"])
    return (source.resolve(),)


def _kept(territory_name: str, source: Source) -> Message:
    """« the timetables already loaded (…, from … to …) stay in use »."""
    try:
        from .networks.gtfs import read_feed

        paths = current_feed(territory_name, source)
        start, end = read_feed(paths if len(paths) > 1 else paths[0]).period
    except (QpvRadarError, OSError):
        return Message("gtfs_update.kept_unknown")
    return Message("gtfs_update.kept", {"feed": paths[0].name, "start": start, "end": end})


def _check_feed(paths: Sequence[Path], urls: str, kept: Message) -> tuple[date, date]:
    """Parse the feed(s) as routing will; the service period, with at least one date served."""
    from .networks.gtfs import dates_with_service, read_feed

    try:
        feed = read_feed(list(paths) if len(paths) > 1 else paths[0])
        served = dates_with_service(feed)
    except QpvRadarError as exc:
        raise FeedUpdateError(
            "gtfs_update.unreadable", url=urls, problem=exc.message("en"), kept=kept
        ) from exc
    if not served:
        raise FeedUpdateError("gtfs_update.no_service", url=urls, kept=kept)
    return feed.period


def _entries(terr: Territory) -> list[Source]:
    with_pan = [s for s in terr.gtfs if str(s.options.get("pan_dataset", "")).strip()]
    if not with_pan:
        where = str(terr.path) if terr.path else f"built-in territory {terr.name!r}"
        raise FeedUpdateError("gtfs_update.no_dataset", territory=terr.name, file=where)
    return with_pan


def _wanted(source: Source) -> tuple[str, ...]:
    raw = source.options.get("pan_resources", ())
    return (raw,) if isinstance(raw, str) else tuple(str(x) for x in raw)


def _update_entry(
    terr: Territory,
    source: Source,
    *,
    base: str,
    timeout: float,
    max_bytes: int,
    progress: Progress | None,
) -> FeedUpdate:
    dataset = str(source.options["pan_dataset"]).strip()
    kept = _kept(terr.name, source)
    api = f"{base}/api/datasets/{urllib.parse.quote(dataset, safe='')}"
    resources = _pan.pick_resources(
        _pan.get_json(api, timeout, kept, dataset), _wanted(source), kept=kept
    )
    root = updates_dir(terr.name, dataset)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".partial-"))
    try:
        paths: list[Path] = []
        names: set[str] = set()
        for res in resources:
            name = res.file_name
            while name in names:  # two files of the same title
                name = f"{Path(name).stem}-{len(names)}.zip"
            names.add(name)
            target = tmp / name
            _pan.download(
                res, target, timeout=timeout, max_bytes=max_bytes, kept=kept, progress=progress
            )
            _pan.check_zip(target, res.url, kept)
            paths.append(target)
        period = _check_feed(paths, ", ".join(r.url for r in resources), kept)
        shas = tuple(file_sha256(p) for p in paths)
        fetched = datetime.now(UTC)
        in_use = current_feed(terr.name, source)
        if sorted(shas) == sorted(file_sha256(p) for p in in_use):
            return FeedUpdate(
                terr.name, dataset, base, "unchanged", in_use[0].parent, in_use,
                period, resources, shas, fetched.isoformat(timespec="seconds"),
            )  # fmt: skip
        manifest = {
            "version": 1,
            "territory": terr.name,
            "dataset": dataset,
            "base_url": base,
            "api_url": api,
            "fetched_at": fetched.isoformat(timespec="seconds"),
            "period": {"start": period[0].isoformat(), "end": period[1].isoformat()},
            "files": [
                {
                    "file": p.name,
                    "url": r.url,
                    "title": r.title,
                    "resource_id": r.resource_id,
                    "updated": r.updated,
                    "sha256": s,
                    "size": p.stat().st_size,
                }
                for p, r, s in zip(paths, resources, shas, strict=True)
            ],
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
        folder = root / f"{fetched:%Y%m%dT%H%M%S%fZ}-{shas[0][:8]}"
        os.replace(tmp, folder)  # the fetch appears whole, or not at all
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return FeedUpdate(
        terr.name, dataset, base, "updated", folder, tuple(folder / p.name for p in paths),
        period, resources, shas, fetched.isoformat(timespec="seconds"),
    )  # fmt: skip


def update_gtfs(
    territory: Territory | str | Path,
    *,
    base_url: str | None = None,
    timeout: float = TIMEOUT_S,
    max_bytes: int = MAX_BYTES,
    progress: Progress | None = None,
) -> list[FeedUpdate]:
    """Fetch, verify and store the current GTFS of every ``[[gtfs]]`` entry naming a dataset.

    Parameters
    ----------
    territory
        A territory, a built-in name or a territory file.
    base_url
        The access point (default: ``$QPV_RADAR_PAN_URL``, else :data:`DEFAULT_PAN_URL`).
    timeout
        Seconds to wait for an answer (each request).
    max_bytes
        Largest file accepted.
    progress
        Called with (file name, bytes done, bytes expected or ``None``) while downloading.

    Returns
    -------
    list of FeedUpdate
        One per entry with a ``pan_dataset``: the files now in use and their period.

    Raises
    ------
    FeedUpdateError
        No entry names a dataset; offline; the API or a file server answers an error; no
        GTFS file fits; a file too large, not an intact zip, without the required GTFS files,
        unreadable, or without any date with service. The feed in use stays in use (the
        message names it and its period).
    """
    terr = territory if isinstance(territory, Territory) else load_territory(territory)
    base = _pan.base_url(base_url)
    return [
        _update_entry(terr, s, base=base, timeout=timeout, max_bytes=max_bytes, progress=progress)
        for s in _entries(terr)
    ]
