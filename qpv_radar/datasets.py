"""Real open data by URL and SHA-256, fetched into a per-user cache.

The registry (``data/registry.tsv`` in the source tree, shipped as package data) is a copy of
the rows of ``shared/data/REGISTRY.tsv``: ``path, sha256, size, url, publisher, licence,
vintage``. :func:`fetch` returns a verified local copy of one file:

1. a cached copy whose checksum matches is used as is;
2. otherwise, when the environment variable ``QPV_RADAR_MIRROR`` names a folder laid out like
   the registry's ``path`` column, the file is copied from there;
3. otherwise it is downloaded from its ``url``.

Every copy is verified against the registry's SHA-256 and written atomically (temporary file,
then rename) by :mod:`pooch`. A corrupted cached file is detected and replaced. Nothing is
read or written at import time.
"""

from __future__ import annotations

import csv
import functools
import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ._errors import ChecksumError, DataNotAvailableError, UnknownDatasetError
from ._messages import Message

__all__ = ["Dataset", "cache_dir", "fetch", "is_cached", "mirror_dir", "registry"]

MIRROR_ENV = "QPV_RADAR_MIRROR"
CACHE_ENV = "QPV_RADAR_CACHE"
# Shapefiles are several files: fetching the .shp brings its sidecars into the same folder.
_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class Dataset:
    """One registry row."""

    path: str
    sha256: str
    size: int
    url: str
    publisher: str
    licence: str
    vintage: str


@functools.cache
def registry() -> dict[str, Dataset]:
    """Return the registry: dataset path → :class:`Dataset` (read once, from package data)."""
    text = resources.files("qpv_radar._data").joinpath("registry.tsv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return {
        r["path"]: Dataset(
            path=r["path"],
            sha256=r["sha256"],
            size=int(r["size"]),
            url=r["url"],
            publisher=r.get("publisher", ""),
            licence=r.get("licence", ""),
            vintage=r.get("vintage", ""),
        )
        for r in rows
    }


def cache_dir() -> Path:
    """Return the cache folder: ``$QPV_RADAR_CACHE`` or the per-user cache of the OS."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("qpv_radar"))


def mirror_dir() -> Path | None:
    """Return the local mirror named by ``$QPV_RADAR_MIRROR``, or ``None``."""
    env = os.environ.get(MIRROR_ENV)
    return Path(env).expanduser() if env else None


def _lookup(path: str) -> Dataset:
    reg = registry()
    key = path.strip().lstrip("/")
    if key not in reg:
        close = [p for p in reg if Path(p).name == Path(key).name]
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownDatasetError(
            f"{path!r} is not in the qpv_radar registry.{hint} "
            "Run `qpv-radar data list` to see every dataset, or give a local file path instead."
        )
    return reg[key]


def is_cached(path: str) -> bool:
    """Whether the dataset has a cached copy of the right size (checksum checked on fetch)."""
    ds = _lookup(path)
    local = cache_dir() / ds.path
    return local.is_file() and local.stat().st_size == ds.size


def _mirror_copy(mirror: Path, ds: Dataset) -> Any:
    """A pooch downloader that copies the file from the local mirror."""

    def download(url: str, output_file: Any, pooch_obj: Any, check_only: bool = False) -> Any:
        src = mirror / ds.path
        if check_only:
            return src.is_file()
        with open(src, "rb") as fin:
            if isinstance(output_file, (str, os.PathLike)):
                with open(output_file, "wb") as fout:
                    shutil.copyfileobj(fin, fout)
            else:
                shutil.copyfileobj(fin, output_file)
        return None

    return download


def _retrieve(ds: Dataset, *, progressbar: bool) -> Path:
    import pooch

    pooch.get_logger().setLevel("WARNING")
    target = cache_dir() / ds.path
    mirror = mirror_dir()
    downloader: Any = None
    source = ds.url
    if mirror is not None and (mirror / ds.path).is_file():
        downloader = _mirror_copy(mirror, ds)
        source = str(mirror / ds.path)
    try:
        local = pooch.retrieve(
            url=ds.url,
            known_hash=f"sha256:{ds.sha256}",
            fname=target.name,
            path=target.parent,
            downloader=downloader,
            progressbar=progressbar and downloader is None,
        )
    except ValueError as exc:
        if "hash" not in str(exc).lower():  # pooch's other ValueErrors (e.g. missing tqdm)
            raise
        # pooch: hash mismatch of the freshly copied/downloaded file
        raise ChecksumError(
            f"{ds.path}: the file from {source} does not match the registry's SHA-256 "
            f"({ds.sha256[:12]}…). The source is corrupted or a different version: "
            f"re-download it, or repair the mirror at {mirror}."
        ) from exc
    except Exception as exc:  # requests/socket errors: offline, DNS, HTTP 404…
        raise DataNotAvailableError(
            "datasets.not_available",
            path=ds.path,
            target=target,
            not_in_mirror=(
                Message("datasets.not_in_mirror", {"mirror": mirror}) if mirror is not None else ""
            ),
            url=ds.url,
            exc_type=type(exc).__name__,
            exc=str(exc),
            env=MIRROR_ENV,
        ) from exc
    return Path(local)


def fetch(path: str, *, progressbar: bool = False) -> Path:
    """Return a verified local copy of a registry dataset.

    Parameters
    ----------
    path
        The dataset's registry path, e.g. ``"qpv/occitanie_hackaviz2021/qp.geojson"``.
        For a shapefile (``.shp``), its sidecar files in the registry are fetched too.
    progressbar
        Show a download progress bar (network downloads only).

    Returns
    -------
    pathlib.Path
        The cached file.

    Raises
    ------
    UnknownDatasetError
        The path is not in the registry.
    DataNotAvailableError
        Not cached, not in the mirror and not downloadable (e.g. offline).
    ChecksumError
        The obtained file does not match the registry's SHA-256.
    """
    ds = _lookup(path)
    local = _retrieve(ds, progressbar=progressbar)
    if ds.path.endswith(".shp"):
        stem = ds.path[: -len(".shp")]
        for ext in _SIDECARS:
            side = registry().get(stem + ext)
            if side is not None:
                _retrieve(side, progressbar=progressbar)
    return local
