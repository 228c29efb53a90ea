"""Before/after equality of the three results a refactoring must not change.

Runs, for the working tree and for a git revision (default ``HEAD``: what a refactoring in
progress must not change), each in fresh processes with its own empty cache:

1. the README main command's radar as JSON (La Mosson, Tuesday 16 January 2024 9:00–12:00,
   walk + transit, creation + emploi);
2. the planner coverage command of the README (entry doors, 30 min, three slots) as CSV;
3. a 1,000-pair walking matrix (40 origins × 25 destinations drawn with a fixed seed among
   the street nodes) through ``qpv_radar.networks.load_street_network`` and
   ``qpv_radar.routing.travel_times`` (public in both versions).

and prints, for each, whether the two results are equal (JSON: same document once the
``generated`` time stamp is dropped, fields the reference does not have listed and left out —
what it already wrote must not change; CSV: same rows, numbers within 1e-9; matrix: same pairs,
times within 1e-6 s). Exit status 0 when all three are equal.

Run from the repository root::

    QPV_RADAR_MIRROR=../shared/data .venv/bin/python benchmarks/house_equality.py [--ref REV]

Record: the house refactoring (issue 9) was checked with ``--ref a09a4e9`` (the commit before
it) at ``74c588c``: all three equal. The fixes of issue 10 that followed change transit times on
purpose (transfers walked on the streets, the final walk capped as a whole), so the radar and
the coverage differ from ``a09a4e9`` after them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RADAR = [
    "radar",
    "--lonlat",
    "3.8200,43.6321",
    "--when",
    "2024-01-16T09:00",
    "--until",
    "12:00",
    "--modes",
    "walk,transit",
    "--needs",
    "creation,emploi",
]
COVERAGE = [
    "coverage",
    "--territory",
    "montpellier",
    "--role",
    "entry_door",
    "--minutes",
    "30",
    "--slots",
    "weekday-06:00,weekday-09:00,sunday-10:00",
]
MATRIX = """
import sys
import numpy as np
import geopandas as gpd
from qpv_radar.networks import load_street_network
from qpv_radar.routing import travel_times

net = load_street_network("montpellier", mode="walk")
rng = np.random.default_rng(20261205)
lon, lat = np.asarray(net.node_lon), np.asarray(net.node_lat)
pick = rng.choice(len(lon), 65, replace=False)

def pts(idx, prefix):
    return gpd.GeoDataFrame(
        {"id": [f"{prefix}{i}" for i in idx]},
        geometry=gpd.points_from_xy(lon[idx] + 2e-4, lat[idx] - 1e-4),
        crs="EPSG:4326",
    ).set_index("id")

tt = travel_times(net, pts(pick[:40], "o"), pts(pick[40:], "d"))
tt.to_csv(sys.argv[1], index=False)
"""


def _run(tree: Path, args: list[str], cache: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(tree), QPV_RADAR_CACHE=str(cache))
    subprocess.run([sys.executable, *args], cwd=tree, env=env, check=True)


def produce(tree: Path, out: Path) -> None:
    """Write radar.json, coverage.csv and matrix.csv of the code in ``tree`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    cache = out / "cache"
    cli = ["-m", "qpv_radar.cli.main"]
    _run(tree, [*cli, *RADAR, "--json", str(out / "radar.json")], cache)
    _run(tree, [*cli, *COVERAGE, "--out", str(out / "coverage.csv")], cache)
    script = out / "matrix.py"
    script.write_text(MATRIX)
    _run(tree, [str(script), str(out / "matrix.csv")], cache)


def _drop_volatile(doc: object) -> object:
    if isinstance(doc, dict):
        return {k: _drop_volatile(v) for k, v in doc.items() if k not in ("generated",)}
    if isinstance(doc, list):
        return [_drop_volatile(v) for v in doc]
    return doc


def _without_additions(ref: object, new: object, at: str, added: set[str]) -> object:
    """``new`` without the dict keys that ``ref`` lacks (fields added since the reference;
    their paths collected in ``added``): what the reference already wrote must not change."""
    if isinstance(ref, dict) and isinstance(new, dict):
        added.update(f"{at}.{k}".lstrip(".") for k in new if k not in ref)
        return {k: _without_additions(ref[k], v, f"{at}.{k}", added)
                for k, v in new.items() if k in ref}  # fmt: skip
    if isinstance(ref, list) and isinstance(new, list) and len(ref) == len(new):
        return [_without_additions(r, n, f"{at}[]", added) for r, n in zip(ref, new, strict=True)]
    return new


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame, tol: float) -> tuple[bool, str]:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False, f"shape/columns differ: {a.shape} {list(a.columns)} vs {b.shape}"
    for c in a.columns:
        x, y = a[c], b[c]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            xv, yv = x.to_numpy(float), y.to_numpy(float)
            same = (np.isnan(xv) == np.isnan(yv)).all() and np.nanmax(
                np.abs(np.nan_to_num(xv) - np.nan_to_num(yv)), initial=0.0
            ) <= tol
        else:
            same = (x.astype(str).to_numpy() == y.astype(str).to_numpy()).all()
        if not same:
            return False, f"column {c!r} differs"
    return True, f"{len(a)} rows equal"


def compare(before: Path, after: Path) -> bool:
    """Print one line per result; True when all are equal."""
    ok = True
    a = _drop_volatile(json.loads((before / "radar.json").read_text()))
    b = _drop_volatile(json.loads((after / "radar.json").read_text()))
    added: set[str] = set()
    same = a == _without_additions(a, b, "", added)
    ok &= same
    extra = f" (fields added since the reference: {', '.join(sorted(added))})" if added else ""
    print(f"radar JSON (README main command): {'equal' if same else 'DIFFERENT'}{extra}")
    for name, tol in (("coverage.csv", 1e-9), ("matrix.csv", 1e-6)):
        same, why = _frames_equal(pd.read_csv(before / name), pd.read_csv(after / name), tol)
        ok &= same
        print(f"{name}: {'equal' if same else 'DIFFERENT'} ({why})")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="HEAD", help="git revision to compare with (default HEAD)")
    ap.add_argument("--keep", type=Path, help="keep the outputs in this folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        old = Path(tmp) / "ref-tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(old), args.ref],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            # the data package (territory files, registry) of each tree, not the installed one
            data = old / "qpv_radar" / "_data"
            if not data.exists():
                data.symlink_to(old / "data", target_is_directory=True)
            produce(old, work / "before")
            produce(ROOT, work / "after")
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False
            )
        return 0 if compare(work / "before", work / "after") else 1


if __name__ == "__main__":
    raise SystemExit(main())
