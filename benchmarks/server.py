"""Speed and memory of the local web page's server (issue 11).

Measures, on the real Montpellier data with warm on-disk caches (run it twice; the second
run's figures count):

* **ready**: from ``create_app("montpellier")`` (networks, structures, QPVs loaded, one
  warm-up radar) to the server answering ``GET /`` — goal ≤ 5 s;
* **answer**: ``POST /api/radar`` warm, walk + public transport, every itinerary (the page's
  request), median and worst of 10 — goal ≤ 1 s;
* **memory**: 50 radars for 50 different homes (spread over the QPVs), the process's RSS
  after the first 5 and after the 50th, and the peak RSS — goal growth < 10 %.

Usage::

    QPV_RADAR_MIRROR=../shared/data python benchmarks/server.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _memory import peak_rss_mb

GOALS = {"ready_s": 5.0, "answer_s": 1.0, "growth_pct": 10.0}
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def rss_mb() -> float:
    """Current RSS of this process (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def post(url: str, body: dict) -> float:
    req = urllib.request.Request(url + "/api/radar", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    t = time.perf_counter()
    with _OPENER.open(req, timeout=120) as resp:
        resp.read()
        assert resp.status == 200
    return time.perf_counter() - t


def homes(data: object, n: int) -> list[tuple[float, float]]:
    """``n`` homes inside the QPVs (sample points of their perimeters, in turn)."""
    import geopandas as gpd
    import numpy as np

    qpv = data.qpv  # type: ignore[attr-defined]
    per = max(1, n // len(qpv) + 1)
    pts = gpd.GeoSeries(qpv.geometry).sample_points(per, rng=np.random.default_rng(11))
    out = [(p.x, p.y) for multi in pts for p in getattr(multi, "geoms", [multi])]
    return out[:n]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    from qpv_radar.server import create_app
    from qpv_radar.server.run import start

    t0 = time.perf_counter()
    app = create_app("montpellier")
    running = start(app)
    with _OPENER.open(running.url + "/", timeout=30) as resp:
        resp.read()
    ready = time.perf_counter() - t0
    base = {"needs": ["creation", "emploi"], "modes": ["walk", "transit"], "day": "2024-01-16",
            "from": "09:00", "until": "12:00"}  # fmt: skip
    mosson = {"home": {"lon": 3.8200, "lat": 43.6321}} | base
    answers = [post(running.url, mosson) for _ in range(10)]
    data = app.app.state.data  # type: ignore[attr-defined]
    pts = homes(data, 50)
    times, rss = [], []
    for k, (lon, lat) in enumerate(pts):
        times.append(post(running.url, {"home": {"lon": lon, "lat": lat}} | base))
        if k in (4, len(pts) - 1):
            rss.append(rss_mb())
    running.stop()
    growth = 100 * (rss[1] - rss[0]) / rss[0]
    figures = {
        "ready_s": round(ready, 2),
        "answer_median_s": round(statistics.median(answers), 3),
        "answer_worst_s": round(max(answers), 3),
        "homes": len(pts),
        "homes_median_s": round(statistics.median(times), 3),
        "homes_worst_s": round(max(times), 3),
        "rss_after_5_mb": round(rss[0], 1),
        "rss_after_50_mb": round(rss[1], 1),
        "growth_pct": round(growth, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    rows = [
        ("ready (load + warm-up radar + first page)", f"{ready:.2f} s", "≤ 5 s"),
        ("radar answer, Mosson, walk+transit, all itineraries (median / worst of 10)",
         f"{figures['answer_median_s']:.3f} / {figures['answer_worst_s']:.3f} s", "≤ 1 s"),
        (f"{len(pts)} homes (median / worst)",
         f"{figures['homes_median_s']:.3f} / {figures['homes_worst_s']:.3f} s", "≤ 1 s"),
        ("RSS after 5 → after 50 radars", f"{rss[0]:.0f} → {rss[1]:.0f} MB ({growth:+.1f} %)",
         "< 10 %"),
        ("peak RSS", f"{figures['peak_rss_mb']:.0f} MB", "—"),
    ]  # fmt: skip
    for what, got, goal in rows:
        print(f"{what:<78} {got:>28}   goal {goal}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
