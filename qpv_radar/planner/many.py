"""Coverage over many territories on Dask distributed: one task per territory.

Territories share nothing, so a national run is a map over independent partitions. Each Dask
task loads its own territory, data and networks on its worker (from the verified cache: the
client ships only a file path and the options, never arrays), runs
:func:`qpv_radar.planner.coverage` and writes its part of a partitioned GeoParquet dataset::

    OUT/coverage/territory=<name>/part.parquet     one part per territory (EPSG:4326)
    OUT/summary.csv                                one row per territory: status, rows, time,
                                                   memory, error, notice
    OUT/manifest.json                              input hash of every finished territory

:func:`accessibility_many` does the same for :func:`qpv_radar.planner.accessibility`
(``OUT/accessibility/territory=<name>/part.parquet``, ``OUT/summary_accessibility.csv``,
``OUT/manifest_accessibility.json``). A territory whose QPV population is unknown (ANCT's 2024
commune lists) has NaN shares and counts, ``population_known`` False in its rows, and its
number of such QPVs in the summary (``n_qpv_population_unknown``).

The dataset reads back with ``geopandas.read_parquet(OUT / "coverage")`` or
``dask_geopandas.read_parquet(OUT / "coverage")`` (``territory`` is the partition column).
A failing territory is retried once, then reported with its error while the others finish. A
territory whose inputs did not change (hash of its file, of its data — registry checksums or
the bytes of local files — and of the options) is skipped on the next run.

A ``LocalCluster`` (processes) is the embedded default; any running Dask cluster works by
address (``scheduler="tcp://host:8786"``): its workers must see the territory files and the
data (same paths, or ``QPV_RADAR_MIRROR`` / ``QPV_RADAR_CACHE`` set on them).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from .. import analysis
from .._errors import PlannerError, QpvRadarError

__all__ = ["ManyResult", "accessibility_many", "coverage_many", "territory_key"]

MANIFEST = "manifest.json"
SUMMARY = "summary.csv"
DATASET = "coverage"


@dataclass(frozen=True)
class ManyResult:
    """Output of :func:`coverage_many`.

    Attributes
    ----------
    summary
        One row per territory: ``territory, file, status`` (``ok``, ``skipped``: unchanged and
        reused, ``failed``), ``rows, n_qpv, seconds, worker_rss_mb``, ``mode`` (the mode
        used), ``n_qpv_population_unknown`` (QPVs whose population is unknown: their shares
        and counts are NaN), ``walking`` (``streets`` or ``straight_line``), ``notice``
        (``many.walk_instead`` when a territory without GTFS was computed on foot although
        transit was asked), ``note, error``.
    dataset
        The partitioned GeoParquet folder (``OUT/coverage``).
    summary_csv
        ``OUT/summary.csv``.
    """

    summary: pd.DataFrame
    dataset: Path
    summary_csv: Path

    @property
    def failed(self) -> pd.DataFrame:
        """The rows of the territories that failed."""
        return self.summary[self.summary["status"] == "failed"]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def territory_key(path: str | Path, options: dict[str, Any]) -> tuple[str, str]:
    """``(name, key)``: the territory's name and the hash of its inputs and of ``options``.

    The key covers the territory file's bytes, every data source's checksum (the registry's
    sha256, or the bytes of a local file) and the options. A file that cannot be read as a
    territory gets its stem as name and a key from its bytes (its run will report the error).
    """
    from .. import datasets
    from ..territory import load_territory

    p = Path(path)
    h = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(_sha256(p).encode() if p.is_file() else str(p).encode())
    try:
        t = load_territory(p)
    except QpvRadarError:
        return p.stem, h.hexdigest()
    registry = datasets.registry()
    sources = [t.qpv, t.indicators, t.streets, *t.actors, *t.gtfs]
    for src in sources:
        if src is None:
            continue
        extra = [str(v) for k, v in sorted(src.options.items()) if k in ("walk", "bike", "car")]
        for s in (src.source, *extra):
            if s in registry:
                h.update(registry[s].sha256.encode())
            else:
                f = Path(s).expanduser()
                f = f if f.is_absolute() or src.base is None else src.base / f
                h.update(_sha256(f).encode() if f.is_file() else s.encode())
    return t.name, h.hexdigest()


def _run_one(
    path: str, name: str, options: dict[str, Any], part: str, kind: str = "coverage"
) -> dict[str, Any]:
    """One territory on a worker: load, compute, write its part; return its summary row."""
    import psutil

    from .._outputs import atomic_write
    from ..routing.networks import Networks
    from ..territory import load_territory

    t0 = time.perf_counter()
    t = load_territory(path)
    networks = Networks(t)
    compute = _accessibility_table if kind == "accessibility" else _coverage_table
    table, mode, notice, note = compute(t, networks, dict(options))
    walking = "streets" if networks.has_streets else "straight_line"
    table["walking"] = walking
    table["notice"] = notice
    table["note"] = note
    target = Path(part)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda tmp: table.to_parquet(tmp, index=False))
    unknown = table.loc[~table["population_known"].astype(bool), "code_qp"].nunique()
    return {
        "territory": name,
        "file": path,
        "status": "ok",
        "rows": len(table),
        "n_qpv": int(table["code_qp"].nunique()),
        "n_qpv_population_unknown": int(unknown),
        "seconds": round(time.perf_counter() - t0, 3),
        "worker_rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
        "mode": mode,
        "walking": walking,
        "notice": notice,
        "note": note,
        "error": "",
    }


def _coverage_table(t: Any, networks: Any, opts: dict[str, Any]) -> tuple[Any, str, str, str]:
    """``(table, mode used, notice, note)`` of :func:`~qpv_radar.planner.coverage`."""
    from .runs import coverage

    notice = ""
    if opts["mode"] == "transit" and "transit" not in networks.modes:
        # no GTFS feed: walking only, said in every row and in the summary
        opts["mode"], notice = "walk", "many.walk_instead"
    res = coverage(t, networks=networks, progress=False, **opts)
    return res.table.copy(), opts["mode"], notice, res.note


def _accessibility_table(t: Any, networks: Any, opts: dict[str, Any]) -> tuple[Any, str, str, str]:
    """``(table, modes used, notice, note)`` of :func:`~qpv_radar.planner.accessibility`,
    with each QPV's perimeter (EPSG:4326) so that the part is GeoParquet."""
    import geopandas as gpd

    from ..qpv import load_qpv
    from .runs import accessibility

    notice = ""
    modes = list(opts["modes"])
    if "transit" in modes and "transit" not in networks.modes:
        # no GTFS feed: the transit rows are left out, said in every row and in the summary
        modes, notice = [m for m in modes if m != "transit"] or ["walk"], "many.walk_instead"
    opts["modes"] = modes
    table = accessibility(t, networks=networks, progress=False, **opts)
    qpv = load_qpv(t)
    note = str(qpv.attrs.get("note") or t.qpv_note or "")
    perim = qpv[["code_qp", "geometry"]].to_crs("EPSG:4326")
    out = gpd.GeoDataFrame(
        table.merge(perim, on="code_qp", how="left"), geometry="geometry", crs="EPSG:4326"
    )
    return out, ",".join(modes), notice, note


def _client(client: Any, scheduler: str | None, n_workers: int | None, n_tasks: int) -> Any:
    """``(client, owned)``: the given client, one to ``scheduler``, or a new LocalCluster's."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise PlannerError("many.no_dask") from exc
    if client is not None:
        return client, False
    if scheduler not in (None, "", "local"):
        if not str(scheduler).startswith(("tcp://", "tls://", "inproc://", "ucx://")):
            raise PlannerError("many.scheduler", value=scheduler)
        return Client(scheduler), True
    workers = n_workers or max(1, min(n_tasks, os.cpu_count() or 1))
    cluster = LocalCluster(
        n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None
    )
    return Client(cluster), True


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def coverage_many(
    territories: Sequence[str | Path],
    *,
    role: str | Sequence[str] = "entry_door",
    minutes: float = 30.0,
    slots: Sequence[str] = analysis.DEFAULT_SLOTS,
    mode: Literal["walk", "transit"] = "transit",
    window_minutes: int = 10,
    unknown: Literal["open", "closed"] = "open",
    out_dir: str | Path,
    client: Any | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    progress: bool = True,
) -> ManyResult:
    """:func:`~qpv_radar.planner.coverage` of many territories, one Dask task each.

    Parameters
    ----------
    territories
        Territory TOML files (absolute paths are safest on a remote cluster) or built-in names.
    role, minutes, slots, mode, window_minutes, unknown
        As :func:`~qpv_radar.planner.coverage`.
    out_dir
        Folder of the dataset, the summary and the manifest (created).
    client
        A :class:`dask.distributed.Client` to use (left open).
    scheduler
        ``None``/``"local"``: a new ``LocalCluster`` (processes, one thread each), closed at
        the end; or a scheduler address ``tcp://host:8786``.
    n_workers
        Workers of the local cluster (default: one per territory, at most one per core).
    progress
        Show Dask's progress bar (stderr).

    Returns
    -------
    ManyResult

    Raises
    ------
    PlannerError
        No territory, Dask not installed, a scheduler that is not an address.
    """
    options: dict[str, Any] = {
        "role": role if isinstance(role, str) else list(role),
        "minutes": float(minutes),
        "slots": list(slots),
        "mode": mode,
        "window_minutes": int(window_minutes),
        "unknown": unknown,
    }
    return _many("coverage", territories, options, out_dir, client, scheduler, n_workers, progress)


def accessibility_many(
    territories: Sequence[str | Path],
    *,
    roles: Sequence[str] = ("relay", "entry_door", "employment"),
    modes: Sequence[Literal["walk", "transit"]] = ("walk", "transit"),
    slots: Sequence[str] = ("weekday-09:00",),
    minutes: float = 30.0,
    max_minutes: float = 60.0,
    window_minutes: int = 10,
    unknown: Literal["open", "closed"] = "open",
    capacity: str | None = None,
    out_dir: str | Path,
    client: Any | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    progress: bool = True,
) -> ManyResult:
    """:func:`~qpv_radar.planner.accessibility` of many territories, one Dask task each.

    The same machinery as :func:`coverage_many`: the parts are written to
    ``OUT/accessibility/territory=<name>/part.parquet`` (each row with its QPV's perimeter,
    EPSG:4326), the summary to ``OUT/summary_accessibility.csv`` and the input hashes to
    ``OUT/manifest_accessibility.json`` (so that a coverage run in the same folder is kept).
    A territory without GTFS feed gets its walking rows only, with the notice
    ``many.walk_instead`` in its rows and its summary row.

    Parameters
    ----------
    territories
        Territory TOML files or built-in names.
    roles, modes, slots, minutes, max_minutes, window_minutes, unknown
        As :func:`~qpv_radar.planner.accessibility`.
    capacity
        A column of the structures table holding their capacity (for ``fca2``), or ``None``.
    out_dir, client, scheduler, n_workers, progress
        As :func:`coverage_many`.

    Returns
    -------
    ManyResult
        ``dataset`` is ``OUT/accessibility``.

    Raises
    ------
    PlannerError
        No territory, Dask not installed, a scheduler that is not an address.
    """
    options: dict[str, Any] = {
        "roles": list(roles),
        "modes": list(modes),
        "slots": list(slots),
        "minutes": float(minutes),
        "max_minutes": float(max_minutes),
        "window_minutes": int(window_minutes),
        "unknown": unknown,
        "capacity": capacity,
    }
    return _many(
        "accessibility", territories, options, out_dir, client, scheduler, n_workers, progress
    )


#: Per kind of run: dataset folder, summary file, manifest file.
_FILES = {
    "coverage": (DATASET, SUMMARY, MANIFEST),
    "accessibility": ("accessibility", "summary_accessibility.csv", "manifest_accessibility.json"),
}


def _many(
    kind: str,
    territories: Sequence[str | Path],
    options: dict[str, Any],
    out_dir: str | Path,
    client: Any,
    scheduler: str | None,
    n_workers: int | None,
    progress: bool,
) -> ManyResult:
    """Skip the unchanged territories, compute the others on the cluster, write the summary."""
    if not territories:
        raise PlannerError("many.territories")
    dataset, summary_name, manifest_name = _FILES[kind]
    out = Path(out_dir).expanduser()
    (out / dataset).mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(out / manifest_name)
    rows: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, str, str, str]] = []  # name, path, key, part
    for item in territories:
        path = str(Path(item).resolve()) if Path(item).is_file() else str(item)
        name, key = territory_key(path, options)
        part = out / dataset / f"territory={name}" / "part.parquet"
        done = manifest.get(name, {})
        if done.get("key") == key and part.is_file():
            rows[name] = {**done.get("row", {}), "status": "skipped"}
        else:
            todo.append((name, path, key, str(part)))
    names = list(rows) + [n for n, *_ in todo]
    if todo:
        cl, owned = _client(client, scheduler, n_workers, len(todo))
        try:
            rows.update(_compute(kind, todo, options, manifest, out / manifest_name, cl, progress))
        finally:
            if owned:
                cluster = getattr(cl, "cluster", None)
                cl.close()
                if cluster is not None:
                    cluster.close()
    summary = pd.DataFrame([rows[n] for n in dict.fromkeys(names)])
    csv = out / summary_name
    from .._outputs import atomic_write_text

    atomic_write_text(csv, summary.to_csv(index=False))
    return ManyResult(summary=summary, dataset=out / dataset, summary_csv=csv)


def _compute(
    kind: str,
    todo: list[tuple[str, str, str, str]],
    options: dict[str, Any],
    manifest: dict[str, Any],
    manifest_path: Path,
    cl: Any,
    progress: bool,
) -> dict[str, dict[str, Any]]:
    """Run the territories of ``todo`` on the cluster; the manifest is updated as they end."""
    from dask.distributed import as_completed
    from dask.distributed import progress as dask_progress

    from .._outputs import atomic_write_text

    rows: dict[str, dict[str, Any]] = {}
    futures = {
        cl.submit(
            _run_one, path, name, options, part, kind, key=f"{kind}-{name}-{key[:12]}", retries=1
        ): (name, path, key)
        for name, path, key, part in todo
    }
    if progress:
        dask_progress(list(futures), multi=False)
        print(file=sys.stderr)
    for fut in as_completed(list(futures)):
        name, path, key = futures[fut]
        try:
            row = fut.result()
        except Exception as exc:  # a territory's failure is reported, never raised
            error = exc.message("en") if isinstance(exc, QpvRadarError) else repr(exc)
            rows[name] = {"territory": name, "file": path, "status": "failed", "error": error}
            manifest.pop(name, None)
            continue
        rows[name] = row
        manifest[name] = {"key": key, "row": row}
        atomic_write_text(manifest_path, json.dumps(manifest, indent=1, ensure_ascii=False))
    return {n: rows[n] for n, *_ in todo}
