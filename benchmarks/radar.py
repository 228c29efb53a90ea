"""Benchmark: one personal radar on the real Montpellier data.

Measures, for a resident of La Mosson (3.8200, 43.6321) on Tuesday 16 January 2024 09:00–12:00,
needs creation + emploi, k = 5:

- **warm**: ``compute_radar`` in a process that already holds the networks, structures and
  QPV perimeters (``networks=``, ``actors=``, ``qpv=``; median of N),
  each run for another resident (a home a few tens of metres further, a later hour), so that
  nothing computed for an earlier radar is reused;
- **cold, disk cache**: a fresh Python process (imports included) whose on-disk caches (fetched
  files, built street network) are already there: what the CLI costs;
- **cold, empty cache**: a fresh process with an empty cache (files copied from the mirror,
  street network built): the very first radar on a machine.

Rendering (map, poster, card) is timed separately on the warm radar.

Run: ``QPV_RADAR_MIRROR=../shared/data .venv/bin/python benchmarks/radar.py [--modes walk,bike]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

ONE_RADAR = """
import time, sys
t0 = time.perf_counter()
from datetime import datetime
from qpv_radar.radar import Person, compute_radar
p = Person(3.8200, 43.6321, datetime(2024, 1, 16, 9, 0), "12:00",
           modes=tuple(sys.argv[1].split(",")), needs=("creation", "emploi"))
r = compute_radar("montpellier", p)
print(time.perf_counter() - t0)
"""


def _cold(modes: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", ONE_RADAR, modes],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    float(out.stdout.strip().splitlines()[-1])  # the child finished a radar
    return wall


def main() -> None:
    """Run the benchmark and print a table (and JSON with ``--json``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modes", default="walk,bike", help="person's modes (default walk,bike)")
    ap.add_argument("--repeat", type=int, default=5, help="warm repeats (default 5)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    from qpv_radar import Networks
    from qpv_radar.actors import load_actors
    from qpv_radar.qpv import load_qpv
    from qpv_radar.radar import Person, compute_radar
    from qpv_radar.render.card import recommendation_card
    from qpv_radar.render.map import radar_map
    from qpv_radar.render.poster import radar_poster

    env = dict(os.environ)
    cold_disk = _cold(args.modes, env)  # also fills the on-disk cache for what follows
    with tempfile.TemporaryDirectory() as empty:
        cold_empty = _cold(args.modes, {**env, "QPV_RADAR_CACHE": empty})

    p = Person(
        3.8200,
        43.6321,
        datetime(2024, 1, 16, 9, 0),
        "12:00",
        modes=tuple(args.modes.split(",")),
        needs=("creation", "emploi"),
    )
    t0 = time.perf_counter()
    # what a server or a notebook keeps: the networks, the structures and the perimeters
    warm_state = {
        "networks": Networks("montpellier"),
        "actors": load_actors("montpellier", progress=False),
        "qpv": load_qpv("montpellier"),
    }
    radar = compute_radar("montpellier", p, **warm_state)  # type: ignore[arg-type]
    first_in_process = time.perf_counter() - t0
    warm = []
    for i in range(args.repeat):
        # a new resident each time (another home in La Mosson, another hour): only the loaded
        # data and networks are reused, no result of an earlier radar
        other = replace(
            p,
            lon=p.lon + 0.0006 * (i + 1),
            lat=p.lat - 0.0004 * (i + 1),
            when=p.when + timedelta(minutes=7 * (i + 1)),
            until=None,
        )
        t0 = time.perf_counter()
        radar = compute_radar("montpellier", other, **warm_state)  # type: ignore[arg-type]
        warm.append(time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        radar_map(radar).save(str(Path(out) / "r.html"))
        t_map = time.perf_counter() - t0
        t0 = time.perf_counter()
        radar_poster(radar, Path(out) / "r.pdf")
        t_poster = time.perf_counter() - t0
        t0 = time.perf_counter()
        recommendation_card(radar, Path(out) / "c.pdf")
        t_card = time.perf_counter() - t0
    n = sum(len(es) for es in radar.entries.values())
    res = {
        "modes": args.modes,
        "entries": n,
        "warm_median_s": statistics.median(warm),
        "warm_runs_s": warm,
        "first_in_process_s": first_in_process,
        "cold_process_disk_cache_s": cold_disk,
        "cold_process_empty_cache_s": cold_empty,
        "map_html_s": t_map,
        "poster_pdf_s": t_poster,
        "card_pdf_s": t_card,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    print(f"radar ({args.modes}, {n} entries, k=5)")
    print(
        f"  warm, median of {args.repeat}        {res['warm_median_s']:.3f} s "
        f"(runs {', '.join(f'{x:.3f}' for x in warm)})"
    )
    print(f"  first in process (loads data)   {first_in_process:.3f} s")
    print(f"  cold process, disk cache        {cold_disk:.2f} s")
    print(f"  cold process, empty cache       {cold_empty:.2f} s")
    print(f"  render: map {t_map:.3f} s · poster {t_poster:.3f} s · card {t_card:.3f} s")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
