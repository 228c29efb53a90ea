"""Benchmark: a full coverage run for Montpellier (all QPVs, 3 roles, 7 slots, transit).

Run (from the repository root, data through the mirror):

    QPV_RADAR_MIRROR=../shared/data .venv/bin/python benchmarks/planner_coverage.py [--repeat 3]

Prints the wall time of each stage and of the whole run (median over ``--repeat`` runs in this
process; the first run also pays the network build, the GTFS read and numba compilation, shown
apart as "cold") and the peak resident memory of the process: its own ``VmHWM`` from
``/proc/self/status``, not ``ru_maxrss``, which on Linux survives ``execve`` and reports the
parent's peak (a driver, a notebook's kernel) whenever this process's own peak is lower.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _memory import peak_rss_mb  # benchmarks/_memory.py, beside this script

from qpv_radar import Networks, analysis, planner
from qpv_radar.territory import load_territory

ROLES = ("relay", "entry_door", "employment")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--territory", default="montpellier")
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--mode", default="transit", choices=("transit", "walk"))
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    t = load_territory(args.territory)
    t0 = time.perf_counter()
    networks = Networks(t)
    networks.street_network("walk")
    t_walk = time.perf_counter() - t0
    runs = []
    res = None
    for _ in range(args.repeat + 1):
        t1 = time.perf_counter()
        res = planner.coverage(
            t,
            role=ROLES,
            minutes=args.minutes,
            slots=analysis.DEFAULT_SLOTS,
            mode=args.mode,  # type: ignore[arg-type]
            window_minutes=args.window,
            networks=networks,
        )
        runs.append(time.perf_counter() - t1)
    assert res is not None
    peak_mb = peak_rss_mb()
    n_qpv = res.table["code_qp"].nunique()
    print(f"territory            {args.territory}")
    print(
        f"QPVs × roles × slots {n_qpv} × {len(ROLES)} × {len(analysis.DEFAULT_SLOTS)}"
        f" = {len(res.table)} rows"
    )
    print(f"origins × structures {len(res.origins)} × {len(res.structures)}")
    print(f"mode, T, window      {args.mode}, {args.minutes:g} min, {args.window} min")
    print(f"walk network build   {t_walk:.2f} s")
    print(f"coverage run, cold   {runs[0]:.2f} s")
    warm = runs[1:] or runs
    print(f"coverage run, warm   {statistics.median(warm):.2f} s (median of {len(warm)})")
    print(f"peak RSS (VmHWM)     {peak_mb:.0f} MB")
    worst = res.table.sort_values(["share_uncovered", "pop_uncovered"], ascending=False).head(5)
    print(worst[["role", "slot", "nom_qp", "share_uncovered", "pop_uncovered"]].to_string())


if __name__ == "__main__":
    main()
