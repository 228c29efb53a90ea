"""The national access point's API (transport.data.gouv.fr): GTFS resources, downloads, checks.

``GET {base}/api/datasets/{id}`` answers a dataset (``id`` is its data.gouv.fr id) with its
``resources``: ``url``, ``format`` (``"GTFS"``, ``"gtfs-rt"``, ``"NeTEx"``…), ``is_available``,
``title``, ``datagouv_id``, ``updated`` and, for a GTFS file, ``metadata`` with its
``start_date`` and ``end_date`` (also given as ``start_calendar_validity``/
``end_calendar_validity``). Used by :mod:`qpv_radar.feeds_update`; every failure is a
:class:`~qpv_radar._errors.FeedUpdateError` naming the feed that stays in use (``kept``).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ._errors import FeedUpdateError
from ._messages import Message

__all__ = [
    "DEFAULT_PAN_URL",
    "MAX_BYTES",
    "PAN_URL_ENV",
    "TIMEOUT_S",
    "PanResource",
    "Progress",
    "base_url",
    "check_zip",
    "download",
    "get_json",
    "pick_resources",
]

#: The national access point to transport data.
DEFAULT_PAN_URL = "https://transport.data.gouv.fr"
#: Environment variable overriding :data:`DEFAULT_PAN_URL`.
PAN_URL_ENV = "QPV_RADAR_PAN_URL"
#: Seconds to wait for the access point or a file server before calling it offline.
TIMEOUT_S = 30.0
#: Largest GTFS file downloaded (bytes): a city's network is a few MB, a region's ~100 MB.
MAX_BYTES = 500 * 1024 * 1024
#: Largest API answer read (bytes).
MAX_JSON_BYTES = 20 * 1024 * 1024
#: Files every GTFS feed holds (and one of calendar.txt, calendar_dates.txt).
REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
_CHUNK = 256 * 1024

#: ``progress(label, bytes_done, bytes_total_or_None)``, called while downloading.
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class PanResource:
    """One GTFS file of a dataset, as the access point describes it."""

    url: str
    title: str = ""
    resource_id: str = ""
    updated: str = ""
    start: date | None = None
    end: date | None = None
    filesize: int | None = None

    @property
    def file_name(self) -> str:
        """A readable zip name (its stem tags the feed's ids when feeds are merged)."""
        base = self.title or self.resource_id or Path(urllib.parse.urlparse(self.url).path).stem
        ascii_ = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60] or "gtfs"
        return f"{slug}.zip"


def base_url(base_url: str | None) -> str:
    return (base_url or os.environ.get(PAN_URL_ENV) or DEFAULT_PAN_URL).rstrip("/")


def _open(url: str, timeout: float, kept: Message, accept: str) -> Any:
    """``urlopen`` with the errors of a person's words (offline, HTTP status)."""
    req = urllib.request.Request(url, headers={"User-Agent": "qpv-radar", "Accept": accept})
    try:
        return urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise FeedUpdateError(
            "gtfs_update.http", url=url, status=exc.code, reason=exc.reason, kept=kept
        ) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FeedUpdateError("gtfs_update.offline", url=url, exc=str(reason), kept=kept) from exc


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _resource(r: Mapping[str, Any]) -> PanResource:
    raw = r.get("metadata")
    meta: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    size = r.get("filesize")
    return PanResource(
        url=str(r["url"]),
        title=str(r.get("title") or "").strip(),
        resource_id=str(r.get("datagouv_id") or r.get("id") or ""),
        updated=str(r.get("updated") or ""),
        start=_date(meta.get("start_date") or r.get("start_calendar_validity")),
        end=_date(meta.get("end_date") or r.get("end_calendar_validity")),
        filesize=int(size) if isinstance(size, int) else None,
    )


def pick_resources(
    dataset_json: Mapping[str, Any], wanted: Sequence[str] = (), *, kept: Message | str = ""
) -> tuple[PanResource, ...]:
    """The current GTFS file(s) of a dataset answered by ``GET /api/datasets/{id}``.

    Parameters
    ----------
    dataset_json
        The API's answer: a ``resources`` list of objects with ``url``, ``format``,
        ``is_available``, ``title``, ``datagouv_id``, ``updated`` and ``metadata``
        (``start_date``, ``end_date`` of a GTFS file).
    wanted
        Resource ids (``datagouv_id`` or ``id``) or titles, one file each; empty: the one
        latest GTFS file.

    Returns
    -------
    tuple of PanResource
        Among the resources of format GTFS that are not known to be unavailable: for each
        ``wanted`` name, or for the whole dataset, the one whose service ends last (then the
        one updated last).
    kept
        What stays in use when nothing fits (worded into the error).

    Raises
    ------
    FeedUpdateError
        No such resource (the message names what was looked for and what the dataset holds).
    """
    found = [
        r
        for r in dataset_json.get("resources") or []
        if isinstance(r, Mapping)
        and str(r.get("format", "")).upper() == "GTFS"
        and r.get("is_available", True) is not False
        and r.get("url")
    ]

    def latest(rows: list[Mapping[str, Any]]) -> PanResource:
        res = [_resource(r) for r in rows]
        return max(res, key=lambda x: (x.end or date.min, x.updated))

    def missing(name: str) -> FeedUpdateError:
        titles = [str(r.get("title") or r.get("datagouv_id") or "").strip() for r in found]
        return FeedUpdateError(
            "gtfs_update.no_resource",
            dataset=str(dataset_json.get("datagouv_id") or dataset_json.get("id") or "?"),
            wanted=name,
            available=", ".join(repr(x) for x in titles) or Message("words.none"),
            kept=kept,
        )

    if not wanted:
        if not found:
            raise missing("GTFS")
        return (latest(found),)
    out = []
    for w in wanted:
        key = str(w).strip()
        rows = [
            r
            for r in found
            if key in (str(r.get("datagouv_id", "")), str(r.get("id", "")))
            or key == str(r.get("title", "")).strip()
        ]
        if not rows:
            raise missing(key)
        out.append(latest(rows))
    return tuple(out)


def get_json(url: str, timeout: float, kept: Message, dataset: str) -> Mapping[str, Any]:
    try:
        with _open(url, timeout, kept, "application/json") as resp:
            raw = resp.read(MAX_JSON_BYTES + 1)
    except FeedUpdateError as exc:
        if exc.params.get("status") == 404:
            raise FeedUpdateError(
                "gtfs_update.not_found", dataset=dataset, url=url, kept=kept
            ) from exc
        raise
    except OSError as exc:  # connection lost while reading
        raise FeedUpdateError("gtfs_update.offline", url=url, exc=str(exc), kept=kept) from exc
    try:
        if len(raw) > MAX_JSON_BYTES:
            raise ValueError(f"more than {MAX_JSON_BYTES} bytes")
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, Mapping) or not isinstance(data.get("resources"), list):
            raise ValueError("no 'resources' list")
    except ValueError as exc:
        raise FeedUpdateError("gtfs_update.bad_json", url=url, problem=str(exc), kept=kept) from exc
    return data


def download(
    res: PanResource,
    target: Path,
    *,
    timeout: float,
    max_bytes: int,
    kept: Message,
    progress: Progress | None,
) -> None:
    """Stream ``res.url`` into ``target``, refusing more than ``max_bytes``."""
    limit_mb = max_bytes / 1e6
    with _open(res.url, timeout, kept, "application/zip, */*") as resp:
        length = resp.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else res.filesize
        if total is not None and total > max_bytes:
            raise FeedUpdateError(
                "gtfs_update.too_large", url=res.url, limit_mb=limit_mb, kept=kept
            )
        done = 0
        try:
            with open(target, "wb") as out:
                while chunk := resp.read(_CHUNK):
                    done += len(chunk)
                    if done > max_bytes:
                        raise FeedUpdateError(
                            "gtfs_update.too_large", url=res.url, limit_mb=limit_mb, kept=kept
                        )
                    out.write(chunk)
                    if progress is not None:
                        progress(res.file_name, done, total)
        except (TimeoutError, ConnectionError) as exc:
            raise FeedUpdateError(
                "gtfs_update.offline", url=res.url, exc=str(exc), kept=kept
            ) from exc
    if total is not None and length and done != total:
        raise FeedUpdateError(
            "gtfs_update.corrupt",
            url=res.url,
            problem=f"{done} / {total} bytes",
            kept=kept,
        )


def check_zip(path: Path, url: str, kept: Message) -> None:
    """Zip integrity (every member's CRC) and the files every GTFS feed holds."""
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            names = {Path(n).name for n in zf.namelist() if "/" not in n.strip("/")}
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise FeedUpdateError("gtfs_update.corrupt", url=url, problem=str(exc), kept=kept) from exc
    if bad is not None:
        raise FeedUpdateError(
            "gtfs_update.corrupt", url=url, problem=f"CRC error in {bad}", kept=kept
        )
    missing = [f for f in REQUIRED_FILES if f not in names]
    if not names & {"calendar.txt", "calendar_dates.txt"}:
        missing.append("calendar.txt / calendar_dates.txt")
    if missing:
        raise FeedUpdateError(
            "gtfs_update.missing_files", url=url, files=", ".join(missing), kept=kept
        )
