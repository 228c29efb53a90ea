"""Benchmark of runs over many territories on Dask (issue 13).

Builds Grenoble and Rennes from national data (as the tests do), then runs
:func:`qpv_radar.planner.coverage_many` over Montpellier (streets + TaM), Grenoble (TAG, straight
line) and Rennes (straight line, on foot) on a LocalCluster of 1 then 2 workers (processes, one
thread each), a fresh output folder each time (nothing skipped). Prints time and worker memory
per territory, the wall time of each run, and the cost model of a national run.

Run: ``QPV_RADAR_MIRROR=../shared/data python benchmarks/scale.py [--slots N]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

SLOTS = [
    "weekday-06:00",
    "weekday-09:00",
    "weekday-12:30",
    "weekday-18:30",
    "weekday-21:00",
    "saturday-10:00",
    "sunday-10:00",
]
#: Measured in the issue: a 1.2 M-edge street network takes 1.8 GB in memory.
GB_PER_MEDGE = 1.8 / 1.2
NATIONAL_QPV = 1500
LARGEST_DEPARTEMENT_MEDGES = 3.0


def main() -> None:
    from dask.distributed import Client, LocalCluster

    from qpv_radar import planner
    from qpv_radar.territories import new_territory

    ap = argparse.ArgumentParser()
    ap.add_argument("--slots", type=int, default=len(SLOTS))
    args = ap.parse_args()
    slots = SLOTS[: args.slots]
    tmp = Path(tempfile.mkdtemp(prefix="qpv-scale-"))
    files = [
        "montpellier",
        str(
            new_territory(
                "grenoble", communes=["38185"], gtfs=["gtfs/grenoble_sem_tag_2023-04/SEM-GTFS.zip"]
            ).write(tmp / "g.toml")
        ),
        str(new_territory("rennes", communes=["35238"]).write(tmp / "r.toml")),
    ]
    roles = ["employment"]  # the one role the national sources give everywhere
    out: dict[str, object] = {"slots": len(slots), "roles": roles}
    for workers in (1, 2):
        cluster = LocalCluster(
            n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None
        )
        client = Client(cluster)
        t0 = time.perf_counter()
        res = planner.coverage_many(
            files,
            role=roles,
            slots=slots,
            mode="transit",
            out_dir=tmp / f"out{workers}",
            client=client,
            progress=False,
        )
        wall = time.perf_counter() - t0
        client.close()
        cluster.close()
        rows = res.summary[
            ["territory", "status", "mode", "walking", "n_qpv", "rows", "seconds", "worker_rss_mb"]
        ]
        print(f"\n{workers} worker(s): wall {wall:.1f} s")
        print(rows.to_string(index=False))
        out[f"workers_{workers}"] = {
            "wall_s": round(wall, 2),
            "territories": rows.to_dict("records"),
        }
    mtp = next(r for r in out["workers_1"]["territories"] if r["territory"] == "montpellier")  # type: ignore[index]
    per_unit = mtp["seconds"] / (mtp["n_qpv"] * len(slots) * len(roles))
    national_cpu_h = per_unit * NATIONAL_QPV * len(SLOTS) * 5 / 3600
    mem = LARGEST_DEPARTEMENT_MEDGES * GB_PER_MEDGE + mtp["worker_rss_mb"] / 1024
    out["cost_model"] = {
        "s_per_qpv_slot_role_montpellier": round(per_unit, 4),
        "national_cpu_hours_7_slots_5_roles": round(national_cpu_h, 2),
        "largest_departement_worker_gb": round(mem, 1),
    }
    print("\ncost model:", json.dumps(out["cost_model"], indent=1))
    (Path(__file__).parent / "scale_results.json").write_text(
        json.dumps(out, indent=1, default=str)
    )


if __name__ == "__main__":
    main()
